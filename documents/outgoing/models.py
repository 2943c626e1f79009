"""Flow B: documents issued in the government's or the office's name (发文), their plan, reviews and numbers."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import Q
from django_fsm import ConcurrentTransitionMixin, FSMField, FSMModelMixin, transition
from guardian.models import UserObjectPermissionBase

from documents.shared.choices import Disclosure, DisclosureManner
from documents.submissions.models import Submission, attachment_upload_to
from tiexi_gov.fsm import object_permission
from tiexi_gov.org.models import Post, Unit
from tiexi_gov.uploads import validate_attachment_file


def _outgoing_allowed(check_name: str):
    """An object-only transition permission, asked of `documents.outgoing.permissions` (X-2)."""
    return object_permission("documents.outgoing.permissions", check_name)


class Issuer(models.TextChoices):
    GOVERNMENT = "government", "区政府"
    OFFICE = "office", "区政府办公室"
    DEPARTMENT = "department", "部门"


class OutgoingKind(models.TextChoices):
    """Which signing chain of DOC-14 (第六十二条) applies; DOC-9 and DOC-15 add the last three."""

    GOVERNMENT = "government", "以区政府名义发文"
    OFFICE_DECISION = "office_decision", "以区政府办公室名义发文（传达区政府决定事项或部门要求）"
    OFFICE_REMIT = "office_remit", "区政府办公室职责范围内发文"
    UPWARD = "upward", "向省、市政府的重要请示、报告"
    CONGRESS = "congress", "提请区人民代表大会及其常务委员会决定的事项"
    DEPARTMENT_APPROVED = "department_approved", "经区政府同意由部门行文"
    PARTY_MEETING = "party_meeting", "拟提请区委有关会议审议的文件稿"
    JOINT_PARTY = "joint_party", "拟以区委、区政府（办公室）名义联合发文的文件稿"


# Which issuer each kind may have (the first is the default).
KIND_ISSUERS = {
    OutgoingKind.GOVERNMENT: (Issuer.GOVERNMENT,),
    OutgoingKind.OFFICE_DECISION: (Issuer.OFFICE,),
    OutgoingKind.OFFICE_REMIT: (Issuer.OFFICE,),
    OutgoingKind.UPWARD: (Issuer.GOVERNMENT,),
    OutgoingKind.CONGRESS: (Issuer.GOVERNMENT,),
    OutgoingKind.DEPARTMENT_APPROVED: (Issuer.DEPARTMENT,),
    OutgoingKind.PARTY_MEETING: (Issuer.GOVERNMENT,),
    OutgoingKind.JOINT_PARTY: (Issuer.GOVERNMENT, Issuer.OFFICE),
}


# DOC-9: drafts that go to the 区委 after the government's review; the 区委 numbers and issues them.
PARTY_KINDS = (OutgoingKind.PARTY_MEETING, OutgoingKind.JOINT_PARTY)


# DOC-14: kinds reviewed by every responsible deputy before signature.
DEPUTY_REVIEWED_KINDS = (
    OutgoingKind.GOVERNMENT,
    OutgoingKind.OFFICE_DECISION,
    OutgoingKind.PARTY_MEETING,
    OutgoingKind.JOINT_PARTY,
)


# Kinds the office checks (核稿) before review and signature; a department's own document does not pass it.
OFFICE_CHECKED_KINDS = tuple(k for k in OutgoingKind if k != OutgoingKind.DEPARTMENT_APPROVED)


class OutgoingState(models.TextChoices):
    DRAFTING = "drafting", "起草中"
    OFFICE_CHECK = "office_check", "办公室核稿中"
    LEGALITY_REVIEW = "legality_review", "司法局合法性审查中"
    DEPUTY_REVIEW = "deputy_review", "分管副区长审核中"
    AWAITING_SIGNATURE = "awaiting_signature", "待签发"
    SIGNED = "signed", "已签发"
    ISSUED = "issued", "已印发"
    SENT_TO_PARTY = "sent_to_party", "已报区委"
    RETURNED = "returned", "已退回"
    WITHDRAWN = "withdrawn", "已撤回（废止）"


OS = OutgoingState


OUTGOING_IN_PROGRESS = (OS.OFFICE_CHECK, OS.LEGALITY_REVIEW, OS.DEPUTY_REVIEW, OS.AWAITING_SIGNATURE)


class OutgoingReturnReason(models.TextChoices):
    """DOC-16 (第六十三条): the reasons the office picks when returning a draft; the rest name other rules."""

    REPEATS_LAW = "repeats_law", "法律、行政法规已做出明确规定，不再制发文件"
    REPEATS_IN_FORCE = "repeats_in_force", "现行文件规定仍适用，不再重复发文"
    SMALL_SCOPE = "small_scope", "涉及范围较小、可直接进行工作部署，不再发文"
    NOTHING_NEW = "nothing_new", "没有新内容、新举措"
    COPIES_HIGHER = "copies_higher", "照搬照抄上级文件"
    REPRINTS_PUBLISHED = "reprints_published", "已公开发布的上级文件，不再翻印、转发"
    UNREQUESTED_SUPPORTING = "unrequested_supporting", "上级文件没有明确要求，不制定配套文件"
    DIVISION_PLAN = "division_plan", "不单独印发区政府文件的分工方案"
    DIRECTIVE_TO_TOWNSHIPS = "directive_to_townships", "未经区政府批准向乡、街发布指令性公文"
    REPORTS_FROM_TOWNSHIPS = "reports_from_townships", "未经区政府批准要求乡、街报文"
    DEPARTMENT_AUTHORITY = "department_authority", "属部门职权范围事务，由部门自行发文或联合发文"
    COORDINATION_BODY = "coordination_body", "属议事协调机构职责范围事项，由议事协调机构发文"
    OUT_OF_PLAN = "out_of_plan", "未列入发文计划"
    PROCEDURE_MISSING = "procedure_missing", "规范性文件制发程序不完备"
    LEGALITY = "legality", "合法性审查未通过"
    LEADER_RETURN = "leader_return", "领导退回修改"
    OTHER = "other", "其他"


OUTGOING_RETURN_RULE = {
    OutgoingReturnReason.REPEATS_LAW: "DOC-16",
    OutgoingReturnReason.REPEATS_IN_FORCE: "DOC-16",
    OutgoingReturnReason.SMALL_SCOPE: "DOC-16",
    OutgoingReturnReason.NOTHING_NEW: "DOC-16",
    OutgoingReturnReason.COPIES_HIGHER: "DOC-16",
    OutgoingReturnReason.REPRINTS_PUBLISHED: "DOC-16",
    OutgoingReturnReason.UNREQUESTED_SUPPORTING: "DOC-16",
    OutgoingReturnReason.DIVISION_PLAN: "DOC-16",
    OutgoingReturnReason.DIRECTIVE_TO_TOWNSHIPS: "DOC-16",
    OutgoingReturnReason.REPORTS_FROM_TOWNSHIPS: "DOC-16",
    OutgoingReturnReason.DEPARTMENT_AUTHORITY: "ORG-5",
    OutgoingReturnReason.COORDINATION_BODY: "DOC-16",
    OutgoingReturnReason.OUT_OF_PLAN: "DOC-15",
    OutgoingReturnReason.PROCEDURE_MISSING: "DOC-8",
    OutgoingReturnReason.LEGALITY: "DOC-8",
    OutgoingReturnReason.LEADER_RETURN: "DOC-14",
    OutgoingReturnReason.OTHER: "",
}


class DocumentPlan(models.Model):
    """DOC-15 (第六十三条): the yearly document plan (年度发文计划) of the government, the office or a department."""

    issuer = models.CharField("发文机关类别", max_length=20, choices=Issuer.choices)
    unit = models.ForeignKey(
        Unit, verbose_name="部门", null=True, blank=True, on_delete=models.PROTECT, related_name="document_plans"
    )
    year = models.PositiveIntegerField("年度")
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name="编制人", on_delete=models.PROTECT)
    created_at = models.DateTimeField("编制时间", auto_now_add=True)

    class Meta:
        verbose_name = "年度发文计划"
        verbose_name_plural = "年度发文计划"
        ordering = ["-year", "issuer", "unit"]
        constraints = [
            models.UniqueConstraint(
                fields=["issuer", "year"], condition=Q(unit__isnull=True), name="one_plan_per_issuer_year"
            ),
            models.UniqueConstraint(
                fields=["issuer", "unit", "year"], condition=Q(unit__isnull=False), name="one_plan_per_unit_year"
            ),
        ]

    def __str__(self) -> str:
        who = self.unit.display_name if self.unit_id else self.get_issuer_display()
        return f"{who}{self.year}年度发文计划"


class PlanItem(models.Model):
    plan = models.ForeignKey(DocumentPlan, verbose_name="发文计划", on_delete=models.CASCADE, related_name="items")
    title = models.CharField("拟发文件", max_length=200)
    drafting_unit = models.ForeignKey(
        Unit, verbose_name="起草单位", null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    planned_month = models.PositiveSmallIntegerField("计划月份", null=True, blank=True)
    note = models.CharField("备注", max_length=200, blank=True)

    class Meta:
        verbose_name = "发文计划事项"
        verbose_name_plural = "发文计划事项"
        ordering = ["plan", "id"]

    def __str__(self) -> str:
        return self.title


class OutgoingDocument(ConcurrentTransitionMixin, FSMModelMixin, models.Model):
    """发文稿纸 (outgoing draft sheet): 发文字号 · 签发 · 会签 · 核稿 · 拟稿单位/拟稿人 · 标题 · 主送 · 抄送 ·
    公开属性 · 印制份数 · 附件 — from draft to signature, number, issue and the public register."""

    issuer = models.CharField("发文机关", max_length=20, choices=Issuer.choices)
    kind = models.CharField("发文类别", max_length=30, choices=OutgoingKind.choices)
    drafting_unit = models.ForeignKey(
        Unit, verbose_name="拟稿单位", on_delete=models.PROTECT, related_name="outgoing_documents"
    )
    drafted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name="拟稿人", on_delete=models.PROTECT, related_name="drafted_outgoing"
    )
    countersign_units = models.ManyToManyField(
        Unit, verbose_name="会签单位", blank=True, related_name="countersigned_outgoing"
    )
    is_joint = models.BooleanField("联合发文", default=False, help_text="联合发文的规范性文件由牵头（拟稿）单位解读")

    title = models.CharField("标题", max_length=200)
    body = models.TextField("正文", blank=True)
    main_recipients = models.CharField("主送", max_length=300, blank=True)
    copy_to = models.CharField("抄送", max_length=300, blank=True)
    copies = models.PositiveIntegerField("印制份数", default=1)

    disclosure = models.CharField("公开属性", max_length=20, choices=Disclosure.choices, blank=True)
    disclosure_manner = models.CharField("公开方式", max_length=20, choices=DisclosureManner.choices, blank=True)
    disclosure_reason = models.TextField("不公开（部分公开）的法律依据和理由", blank=True)
    not_classified = models.BooleanField("本件不涉及国家秘密", default=False)
    confidential = models.BooleanField("确属保密性质、限定知悉范围", default=False)

    # DOC-8 (第二十四条~第二十六条, 第六十条)
    normative = models.BooleanField("规范性文件", default=False)
    touches_market = models.BooleanField("涉及市场主体经济活动（须公平竞争审查）", default=False)
    # 第六十条 asks the fair competition review of "一事一议" specific policy measures too, normative or not.
    case_by_case_policy = models.BooleanField("“一事一议”形式的具体政策措施（须公平竞争审查）", default=False)
    affects_public = models.BooleanField("与人民群众利益密切相关（须公开征求意见）", default=False)

    # DOC-15 / DOC-16
    plan_item = models.ForeignKey(
        PlanItem, verbose_name="发文计划事项", null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    approved_submission = models.ForeignKey(
        Submission,
        verbose_name="区政府同意的请示",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
        help_text="部门经区政府同意后行文、向乡街发布指令性公文的依据（第六十三条）",
    )
    # 第六十三条: 除商洽工作、询问和答复问题、审批事项外 … 不得向乡、街发布指令性公文或在公文中提出指令性要求，
    # 不得要求乡、街报文 — both prohibitions, one flag; its help text names the exceptions.
    directive_to_townships = models.BooleanField(
        "向乡、街发布指令性公文、提出指令性要求或要求乡、街报文",
        default=False,
        help_text="商洽工作、询问和答复问题、审批事项除外（第六十三条）",
    )

    # DOC-9
    mainly_government_duties = models.BooleanField("内容主要涉及政府职责", default=False)
    party_office_opinion = models.TextField("区委办公室意见", blank=True)
    party_office_opinion_on = models.DateField("征求区委办公室意见日期", null=True, blank=True)
    sent_to_party_on = models.DateField("报区委日期", null=True, blank=True)

    # 核稿 (the office's check)
    checked_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name="核稿人",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    checked_at = models.DateTimeField("核稿时间", null=True, blank=True)
    check_opinion = models.TextField("核稿意见", blank=True)

    # 签发
    signed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name="签发人",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    signed_post = models.ForeignKey(
        Post, verbose_name="签发人职务", null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    signed_capacity = models.CharField("签发身份", max_length=120, blank=True)
    sign_opinion = models.TextField("签发意见", blank=True)
    signed_at = models.DateTimeField("签发时间", null=True, blank=True)
    signed_on = models.DateField("成文日期", null=True, blank=True)

    # 发文字号 (DOC-14 "on signature"): allocated from a locked counter, never reused.
    series_prefix = models.CharField(
        "发文字号代字", max_length=30, blank=True, help_text="留空按发文机关：铁西政发、铁西政办发；部门须填写"
    )
    number_year = models.PositiveIntegerField("字号年份", null=True, blank=True)
    number_seq = models.PositiveIntegerField("字号序号", null=True, blank=True)
    number = models.CharField("发文字号", max_length=60, blank=True)

    # 印发
    issued_on = models.DateField("印发日期", null=True, blank=True)
    printing_office = models.CharField("印发机关", max_length=100, blank=True)
    withdrawn_on = models.DateField("撤回（废止）日期", null=True, blank=True)
    withdraw_reason = models.TextField("撤回（废止）理由", blank=True)

    # 备案 (DOC-8, 第二十六条)
    filed_with = models.CharField("备案机关", max_length=100, blank=True)
    filed_on = models.DateField("备案日期", null=True, blank=True)
    filing_reference = models.CharField("备案号/回执", max_length=100, blank=True)
    filed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name="备案人",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )

    state = FSMField("状态", choices=OutgoingState.choices, default=OutgoingState.DRAFTING, protected=True)
    review_round = models.PositiveSmallIntegerField("审核轮次", default=0)
    return_reason = models.CharField("退回原因", max_length=40, choices=OutgoingReturnReason.choices, blank=True)
    return_text = models.TextField("退回说明", blank=True)
    submitted_at = models.DateTimeField("送核稿时间", null=True, blank=True)
    last_handled_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name="最近经办人",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    last_handled_at = models.DateTimeField("最近经办时间", null=True, blank=True)
    created_at = models.DateTimeField("创建时间", auto_now_add=True)
    updated_at = models.DateTimeField("更新时间", auto_now=True)

    class Meta:
        verbose_name = "发文"
        verbose_name_plural = "发文"
        ordering = ["-created_at", "-id"]
        permissions = [("read_outgoingdocument", "可阅限定知悉范围的发文（指定阅读人）")]
        indexes = [
            models.Index(fields=["drafting_unit", "state"]),
            models.Index(fields=["state", "kind"]),
        ]
        constraints = [
            models.UniqueConstraint(fields=["number"], condition=~Q(number=""), name="outgoing_number_unique_when_set"),
        ]

    def __str__(self) -> str:
        return f"{self.number or '（未编号）'} {self.title}"

    @property
    def is_party_draft(self) -> bool:
        return self.kind in PARTY_KINDS

    @property
    def will_be_published(self) -> bool:
        """依法应当主动公开 (第三十六条、第六十条): 全文公开 or 部分公开, published actively."""
        return (
            self.disclosure in (Disclosure.FULL, Disclosure.PARTIAL)
            and self.disclosure_manner == DisclosureManner.ACTIVE
            and not self.confidential
        )

    # --- transitions: only documents.outgoing.services calls these ----------------------------------------------

    @transition(
        field=state, source=OS.DRAFTING, target=OS.OFFICE_CHECK, permission=_outgoing_allowed("can_edit_outgoing")
    )
    def submit(self):
        """To the office for 核稿 (government/office/upward/party kinds)."""

    @transition(
        field=state, source=OS.DRAFTING, target=OS.AWAITING_SIGNATURE, permission=_outgoing_allowed("can_edit_outgoing")
    )
    def send_to_unit_signer(self):
        """A department's own document (DOC-15 "已经区政府同意") goes straight to its main head."""

    @transition(
        field=state, source=OS.OFFICE_CHECK, target=OS.LEGALITY_REVIEW, permission=_outgoing_allowed("can_office_check")
    )
    def to_legality_review(self):
        """DOC-8 (第二十四条): a normative document is reviewed by 司法局."""

    @transition(
        field=state,
        source=[OS.OFFICE_CHECK, OS.LEGALITY_REVIEW],
        target=OS.DEPUTY_REVIEW,
        permission=_outgoing_allowed("can_advance"),
    )
    def to_deputy_review(self):
        pass

    @transition(
        field=state,
        source=[OS.OFFICE_CHECK, OS.LEGALITY_REVIEW, OS.DEPUTY_REVIEW],
        target=OS.AWAITING_SIGNATURE,
        permission=_outgoing_allowed("can_advance"),
    )
    def to_signature(self):
        pass

    @transition(
        field=state,
        source=[OS.DRAFTING, OS.OFFICE_CHECK],
        target=None,
        permission=_outgoing_allowed("may_countersign_now"),
    )
    def countersign(self):
        """会签: a unit listed on the draft sheet signs it (DOC-14); the draft stays where it is."""

    @transition(
        field=state,
        source=[OS.DRAFTING, OS.RETURNED, *OUTGOING_IN_PROGRESS],
        target=None,
        permission=_outgoing_allowed("can_decide_one_off_for"),
    )
    def decide_one_off(self):
        """DOC-15: the office decides a pending one-off (计划外) request."""

    @transition(field=state, source=OS.DEPUTY_REVIEW, target=None, permission=_outgoing_allowed("can_review"))
    def review(self):
        """DOC-14: one responsible deputy reviews; the last one's review sends it to signature."""

    @transition(
        field=state, source=OS.AWAITING_SIGNATURE, target=OS.SIGNED, permission=_outgoing_allowed("can_sign_outgoing")
    )
    def sign(self):
        pass

    @transition(field=state, source=OS.SIGNED, target=OS.ISSUED, permission=_outgoing_allowed("can_issue"))
    def issue(self):
        pass

    @transition(
        field=state, source=OS.SIGNED, target=OS.SENT_TO_PARTY, permission=_outgoing_allowed("can_send_to_party")
    )
    def send_to_party(self):
        """DOC-9: after the government's review the draft goes to the 区委."""

    @transition(
        field=state, source=OUTGOING_IN_PROGRESS, target=OS.RETURNED, permission=_outgoing_allowed("can_send_back")
    )
    def send_back(self):
        pass

    @transition(field=state, source=OS.RETURNED, target=OS.DRAFTING, permission=_outgoing_allowed("can_edit_outgoing"))
    def revise(self):
        pass

    def awaits_filing(self) -> bool:
        return self.normative and not self.filed_on

    @transition(
        field=state,
        source=OS.ISSUED,
        target=None,
        permission=_outgoing_allowed("can_record_filing"),
        conditions=[awaits_filing],
    )
    def record_filing(self):
        """DOC-8 (第二十六条): an issued normative document's filing (备案) is recorded."""

    @transition(
        field=state, source=[OS.SIGNED, OS.ISSUED], target=OS.WITHDRAWN, permission=_outgoing_allowed("can_withdraw")
    )
    def withdraw(self):
        pass


class OutgoingDocumentUserObjectPermission(UserObjectPermissionBase):
    """Named readers of a confidential outgoing document (guardian, direct FK)."""

    content_object = models.ForeignKey(OutgoingDocument, on_delete=models.CASCADE, related_name="reader_grants")

    class Meta(UserObjectPermissionBase.Meta):
        verbose_name = "发文指定阅读人"
        verbose_name_plural = "发文指定阅读人"


class OutgoingAttachment(models.Model):
    """A file of an outgoing document: its 附件, the interpretation, or evidence of a DOC-8 step."""

    class Purpose(models.TextChoices):
        ATTACHMENT = "attachment", "附件"
        EVIDENCE = "evidence", "程序材料"
        INTERPRETATION = "interpretation", "政策解读材料"

    document = models.ForeignKey(
        OutgoingDocument, verbose_name="发文", on_delete=models.CASCADE, related_name="attachments"
    )
    purpose = models.CharField("用途", max_length=20, choices=Purpose.choices, default=Purpose.ATTACHMENT)
    title = models.CharField("附件名称", max_length=200, blank=True, help_text="附件说明中显示的名称")
    file = models.FileField("文件", upload_to=attachment_upload_to, validators=[validate_attachment_file])
    original_name = models.CharField("原文件名", max_length=200)
    content_type = models.CharField("文件类型", max_length=100)
    size = models.PositiveBigIntegerField("大小（字节）")
    uploaded_by = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name="上传人", on_delete=models.PROTECT)
    uploaded_at = models.DateTimeField("上传时间", auto_now_add=True)

    class Meta:
        verbose_name = "发文附件"
        verbose_name_plural = "发文附件"
        ordering = ["document", "id"]

    def __str__(self) -> str:
        return self.title or self.original_name


class OutgoingCountersign(models.Model):
    """会签 on the 发文稿纸: each unit concerned signs the draft before the office's check."""

    document = models.ForeignKey(
        OutgoingDocument, verbose_name="发文", on_delete=models.CASCADE, related_name="countersigns"
    )
    unit = models.ForeignKey(Unit, verbose_name="会签单位", on_delete=models.PROTECT, related_name="+")
    signed_by = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name="会签人", on_delete=models.PROTECT)
    post = models.ForeignKey(Post, verbose_name="会签人职务", null=True, blank=True, on_delete=models.PROTECT)
    opinion = models.TextField("会签意见", blank=True)
    at = models.DateTimeField("会签时间", auto_now_add=True)

    class Meta:
        verbose_name = "发文会签"
        verbose_name_plural = "发文会签"
        ordering = ["document", "at", "id"]
        constraints = [models.UniqueConstraint(fields=["document", "unit"], name="one_outgoing_countersign_per_unit")]


class DeputyReview(models.Model):
    """DOC-14: one responsible deputy's review (审核) of a draft — one row per portfolio post concerned, derived
    from the units' portfolios on the day the draft reaches the deputies. All must be done before signature."""

    class State(models.TextChoices):
        PENDING = "pending", "待审核"
        DONE = "done", "已审核"
        CANCELLED = "cancelled", "已撤回"

    document = models.ForeignKey(
        OutgoingDocument, verbose_name="发文", on_delete=models.CASCADE, related_name="deputy_reviews"
    )
    round = models.PositiveSmallIntegerField("轮次", default=1)
    post = models.ForeignKey(Post, verbose_name="分管领导职务", on_delete=models.PROTECT, related_name="+")
    units = models.CharField("涉及分管单位", max_length=300, blank=True)
    state = models.CharField("状态", max_length=20, choices=State.choices, default=State.PENDING)
    reviewed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name="审核人",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    capacity = models.CharField("身份", max_length=120, blank=True)
    opinion = models.TextField("审核意见", blank=True)
    reviewed_at = models.DateTimeField("审核时间", null=True, blank=True)

    class Meta:
        verbose_name = "分管领导审核"
        verbose_name_plural = "分管领导审核"
        ordering = ["document", "round", "id"]
        constraints = [
            models.UniqueConstraint(
                fields=["document", "post"], condition=Q(state="pending"), name="one_pending_review_per_post"
            )
        ]
        indexes = [models.Index(fields=["post"], condition=Q(state="pending"), name="deputy_review_queue_idx")]

    def __str__(self) -> str:
        return f"{self.post} 审核 {self.document.title}"


class OneOffApproval(models.Model):
    """DOC-15: a document outside the plan is reported one matter at a time (一事一报) and checked by the office."""

    class State(models.TextChoices):
        PENDING = "pending", "待审核"
        APPROVED = "approved", "同意发文"
        REFUSED = "refused", "不同意发文"

    document = models.ForeignKey(
        OutgoingDocument, verbose_name="发文", on_delete=models.CASCADE, related_name="one_off_approvals"
    )
    matter = models.CharField("事项", max_length=200)
    reason = models.TextField("确需发文的理由")
    requested_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name="报送人", on_delete=models.PROTECT, related_name="+"
    )
    requested_at = models.DateTimeField("报送时间", auto_now_add=True)
    state = models.CharField("状态", max_length=20, choices=State.choices, default=State.PENDING)
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name="审核人",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    decided_at = models.DateTimeField("审核时间", null=True, blank=True)
    opinion = models.TextField("审核意见", blank=True)

    class Meta:
        verbose_name = "计划外发文审核"
        verbose_name_plural = "计划外发文审核"
        ordering = ["document", "-requested_at"]
        constraints = [
            models.UniqueConstraint(
                fields=["document"], condition=Q(state="pending"), name="one_pending_one_off_per_document"
            )
        ]

    def __str__(self) -> str:
        return f"计划外发文：{self.matter}"


class LegalityReview(models.Model):
    """DOC-8 (第二十四条、第二十六条): 司法局's legality review of a normative document, with its 审查要点."""

    class Conclusion(models.TextChoices):
        PASSED = "passed", "审查通过"
        NOT_PASSED = "not_passed", "审查不通过，退回修改"

    document = models.ForeignKey(
        OutgoingDocument, verbose_name="发文", on_delete=models.CASCADE, related_name="legality_reviews"
    )
    round = models.PositiveSmallIntegerField("轮次", default=1)
    reviewer = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name="审查人", on_delete=models.PROTECT)
    reviewer_post = models.ForeignKey(Post, verbose_name="审查人职务", null=True, blank=True, on_delete=models.PROTECT)
    creates_licensing = models.BooleanField("设定行政许可", default=False)
    creates_penalty = models.BooleanField("设定行政处罚", default=False)
    creates_coercion = models.BooleanField("设定行政强制", default=False)
    reduces_rights = models.BooleanField("违法减损公民、法人和其他组织合法权益或增加其义务", default=False)
    within_authority = models.BooleanField("符合法定权限", default=False)
    procedure_complete = models.BooleanField("制定程序完备", default=False)
    conclusion = models.CharField("审查结论", max_length=20, choices=Conclusion.choices)
    opinion = models.TextField("审查意见")
    at = models.DateTimeField("审查时间", auto_now_add=True)

    class Meta:
        verbose_name = "合法性审查"
        verbose_name_plural = "合法性审查"
        ordering = ["document", "round", "id"]

    def __str__(self) -> str:
        return f"{self.document.title} 合法性审查：{self.get_conclusion_display()}"


class PolicyInterpretation(models.Model):
    """DOC-18 (第三十八条): "who drafts, who interprets" — published at the same time as the document."""

    document = models.OneToOneField(
        OutgoingDocument, verbose_name="发文", on_delete=models.CASCADE, related_name="interpretation"
    )
    unit = models.ForeignKey(Unit, verbose_name="解读单位", on_delete=models.PROTECT, related_name="+")
    title = models.CharField("解读标题", max_length=200)
    text = models.TextField("解读内容")
    prepared_by = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name="撰写人", on_delete=models.PROTECT)
    prepared_at = models.DateTimeField("撰写时间", auto_now=True)
    published_on = models.DateField("发布日期", null=True, blank=True)

    class Meta:
        verbose_name = "政策解读"
        verbose_name_plural = "政策解读"

    def __str__(self) -> str:
        return self.title


class DocumentNumberCounter(models.Model):
    """One 发文字号 series per year (e.g. 铁西政发〔2026〕). Locked with SELECT … FOR UPDATE while a number is
    taken at signature: never max()+1, never two documents with one number, a committed number never reused."""

    series = models.CharField("代字", max_length=30)
    year = models.PositiveIntegerField("年度")
    last = models.PositiveIntegerField("已用到", default=0)

    class Meta:
        verbose_name = "发文字号计数"
        verbose_name_plural = "发文字号计数"
        constraints = [models.UniqueConstraint(fields=["series", "year"], name="one_counter_per_series_year")]

    def __str__(self) -> str:
        return f"{self.series}〔{self.year}〕{self.last}"

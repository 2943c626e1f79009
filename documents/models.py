"""公文 (documents), flow A: a unit's submission to the government (第十一章, DOC-1..DOC-13, DOC-17).

The Submission's state is an FSM field nobody can assign: only the declared transitions move it, and
only `documents.services` calls them (inside a transaction, with the audit event and the clocks).
Multi-party steps (countersigning units, several leaders) have their own rows and are decided while
the parent Submission row is locked.

Flow B (发文, DOC-14..16) will add an `OutgoingDocument` with its own FSM; the shared pieces here
(Urgency, Disclosure, Attachment via `purpose`, Instruction's step/decision) are written so it can reuse them.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import Q
from django_fsm import ConcurrentTransitionMixin, FSMField, FSMModelMixin, transition
from guardian.models import UserObjectPermissionBase

from tiexi_gov.fsm import object_permission
from tiexi_gov.org.models import Post, Unit

from .validators import validate_attachment_file


def _allowed(check_name: str):
    """An object-only transition permission, asked of `documents.permissions` (X-2)."""
    return object_permission("documents.permissions", check_name)


class Urgency(models.TextChoices):
    NORMAL = "normal", "一般"
    URGENT = "urgent", "加急"
    EXTRA_URGENT = "extra_urgent", "特急"
    CRITICAL = "critical", "特急重要"


# Most urgent first: the queue sorts by this rank, then by due date.
URGENCY_RANK = {Urgency.CRITICAL: 0, Urgency.EXTRA_URGENT: 1, Urgency.URGENT: 2, Urgency.NORMAL: 3}
# DOC-13: approval limits from registration, in WD.
APPROVAL_WORKDAYS = {Urgency.NORMAL: 10, Urgency.URGENT: 5, Urgency.EXTRA_URGENT: 3, Urgency.CRITICAL: 2}
# DOC-13: a leader signs a 特急重要 item within 1 WD.
LEADER_SIGN_WORKDAYS = {Urgency.CRITICAL: 1}
# DOC-10: time left to the government to decide (一般 10 WD, 紧急 5 WD); 特急 states its reason instead.
DECISION_LEAD_WORKDAYS = {Urgency.NORMAL: 10, Urgency.URGENT: 5}
URGENT_KINDS = (Urgency.URGENT, Urgency.EXTRA_URGENT, Urgency.CRITICAL)
REASON_REQUIRED_URGENCIES = (Urgency.EXTRA_URGENT, Urgency.CRITICAL)


class Disclosure(models.TextChoices):
    """DOC-17 (第三十六条): every draft states its disclosure attribute; not public needs the legal reason."""

    FULL = "full", "全文公开"
    PARTIAL = "partial", "部分公开"
    NONE = "none", "不予公开"


class DisclosureManner(models.TextChoices):
    """第三十六条 asks for the attribute *and the manner* (方式) of disclosure."""

    ACTIVE = "active", "主动公开"
    ON_REQUEST = "on_request", "依申请公开"


class SubmissionKind(models.TextChoices):
    REQUEST = "request", "请示"
    REPORT = "report", "报告"
    LETTER = "letter", "函"
    BRIEFING = "briefing", "简报"


class Addressee(models.TextChoices):
    GOVERNMENT = "government", "区政府（经区政府办公室）"
    LEADER = "leader", "区政府领导个人"


class SubmissionState(models.TextChoices):
    DRAFTING = "drafting", "起草中"
    CONSULTING = "consulting", "征求意见中"
    AWAITING_SIGNATURE = "awaiting_signature", "待签发"
    SIGNED = "signed", "已签发"
    SUBMITTED = "submitted", "已报送"
    REGISTERED = "registered", "已登记（待副主任审核）"
    OFFICE_REVIEW = "office_review", "办公室审核中（待主任审核）"
    AWAITING_ROUTING = "awaiting_routing", "待呈批"
    LEADER_REVIEW = "leader_review", "领导审批中"
    APPROVED = "approved", "已批准"
    DISAPPROVED = "disapproved", "不予批准"
    RETURNED = "returned", "已退回"
    CLOSED = "closed", "已办结"


S = SubmissionState
# The office handles it from submission on (X-2: "the office sees what it processes").
OFFICE_STATES = (
    S.SUBMITTED,
    S.REGISTERED,
    S.OFFICE_REVIEW,
    S.AWAITING_ROUTING,
    S.LEADER_REVIEW,
    S.APPROVED,
    S.DISAPPROVED,
    S.CLOSED,
)
RETURNABLE_BY_OFFICE = (S.SUBMITTED, S.REGISTERED, S.OFFICE_REVIEW, S.AWAITING_ROUTING)


class ReturnReason(models.TextChoices):
    """Why the office (or a leader) sends a submission back; each maps to the rule behind it."""

    NOT_ONE_MATTER = "not_one_matter", "请示未做到一文一事"
    REPORT_WITH_REQUEST = "report_with_request", "报告夹带请示事项"
    UNIT_AUTHORITY = "unit_authority", "属部门职权事项，应由部门自行决定"
    MULTI_ADDRESSEE = "multi_addressee", "多头报文或越级行文"
    PROCEDURE_MISSING = "procedure_missing", "程序不完备（考察核实、集体讨论、征求意见等）"
    OUT_OF_PLAN = "out_of_plan", "未列入发文计划"
    BRIEFING_NOT_APPROVED = "briefing_not_approved", "简报未经区政府办公室核准"
    FORMAT = "format", "体例、格式不符合规定"
    NO_TIME_TO_DECIDE = "no_time_to_decide", "未给区政府留出研究决策时间"
    LEADER_RETURN = "leader_return", "领导批示退回"
    OTHER = "other", "其他"


RETURN_REASON_RULE = {
    ReturnReason.NOT_ONE_MATTER: "DOC-5",
    ReturnReason.REPORT_WITH_REQUEST: "DOC-5",
    ReturnReason.UNIT_AUTHORITY: "ORG-5",
    ReturnReason.MULTI_ADDRESSEE: "DOC-1",
    ReturnReason.PROCEDURE_MISSING: "DOC-4",
    ReturnReason.OUT_OF_PLAN: "DOC-15",
    ReturnReason.BRIEFING_NOT_APPROVED: "DOC-16",
    ReturnReason.FORMAT: "DOC-1",
    ReturnReason.NO_TIME_TO_DECIDE: "DOC-10",
    ReturnReason.LEADER_RETURN: "DOC-11",
    ReturnReason.OTHER: "",
}


class Submission(ConcurrentTransitionMixin, models.Model):
    """A unit's 请示/报告/函/简报 to the district government, from draft to the leaders' instructions."""

    unit = models.ForeignKey(Unit, verbose_name="来文单位", on_delete=models.PROTECT, related_name="submissions")
    kind = models.CharField("文种", max_length=20, choices=SubmissionKind.choices, default=SubmissionKind.REQUEST)
    title = models.CharField("标题", max_length=200)
    body = models.TextField("正文", blank=True)
    unit_doc_number = models.CharField("来文字号", max_length=60, blank=True, help_text="如：铁西财〔2026〕12号")
    copies = models.PositiveSmallIntegerField("份数", default=1)

    # DOC-1: addressed to the government through the office, one addressee, no skipped level.
    addressee = models.CharField("主送", max_length=20, choices=Addressee.choices, default=Addressee.GOVERNMENT)
    leader_assigned = models.BooleanField("区政府领导交办事项", default=False)
    other_addressees = models.CharField("同时报送其他机关", max_length=200, blank=True, help_text="须为空（DOC-1）")

    urgency = models.CharField("紧急程度", max_length=20, choices=Urgency.choices, default=Urgency.NORMAL)
    urgency_reason = models.TextField("紧急原因说明", blank=True, help_text="特急、特急重要须说明（DOC-10）")
    is_emergency = models.BooleanField("突发事件", default=False, help_text="突发事件可不附紧急原因说明（第六十一条）")

    disclosure = models.CharField("公开属性", max_length=20, choices=Disclosure.choices, blank=True)
    disclosure_manner = models.CharField("公开方式", max_length=20, choices=DisclosureManner.choices, blank=True)
    disclosure_reason = models.TextField("不公开（部分公开）的法律依据和理由", blank=True)

    issue_date = models.DateField("印发日期", null=True, blank=True)
    late_reason = models.TextField(
        "逾期报送的特殊情况说明", blank=True, help_text="第六十条：无特殊情况3个工作日内报送"
    )
    decision_needed_by = models.DateField("需决策日期", null=True, blank=True)

    # DOC-5
    declares_one_matter = models.BooleanField("本请示一文一事", default=False)
    for_meeting = models.BooleanField(
        "提请区政府会议研究", default=False, help_text="议题请示：会前3个工作日报送区政府办公室（MTG-5）"
    )
    declares_report_has_no_request = models.BooleanField("本报告不夹带请示事项", default=False)

    # DOC-4
    asks_gov_name_document = models.BooleanField("申请以区政府或区政府办公室名义发文", default=False)
    is_important = models.BooleanField("重要事项", default=False)
    field_check = models.TextField("实地考察和情况核实情况", blank=True)
    collective_decision = models.CharField("集体讨论（会议名称、日期）", max_length=200, blank=True)
    collective_minutes = models.ForeignKey(
        "Attachment",
        verbose_name="会议纪要",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )

    # DOC-8 (第二十四条~第二十六条, 第六十条): a request that the government issue a normative document carries
    # the same checklist as a normative 发文 (NormativeChecklistItem rows, rules in services.required_normative_steps).
    normative = models.BooleanField(
        "申请制发规范性文件", default=False, help_text="须逐项填报制发程序（DOC-8）：已履行的附依据，不履行的说明理由"
    )
    touches_market = models.BooleanField("涉及市场主体经济活动（须公平竞争审查）", default=False)
    affects_public = models.BooleanField("与人民群众利益密切相关（须公开征求意见）", default=False)
    will_be_published = models.BooleanField("规范性文件拟公开发布（须附政策解读材料和舆情应对方案）", default=False)

    not_classified = models.BooleanField("本件不涉及国家秘密", default=False)
    confidential = models.BooleanField("确属保密性质、限定知悉范围", default=False)
    # DOC-6: the units whose authority the matter touches, as the clerk named them on the drafting form; the
    # consultation form starts from this list (the written opinions themselves are ConsultationRequest rows).
    touched_units = models.ManyToManyField(
        Unit, verbose_name="涉及职权的相关单位", blank=True, related_name="touched_by_submissions"
    )

    drafted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name="拟稿人", on_delete=models.PROTECT, related_name="drafted_submissions"
    )
    signed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name="签发人",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="signed_submissions",
    )
    signed_post = models.ForeignKey(
        Post, verbose_name="签发人职务", null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    signed_at = models.DateTimeField("签发时间", null=True, blank=True)
    submitted_at = models.DateTimeField("报送时间", null=True, blank=True)
    submitted_on = models.DateField("报送日期", null=True, blank=True)

    state = FSMField("状态", choices=SubmissionState.choices, default=SubmissionState.DRAFTING, protected=True)
    current_slip = models.ForeignKey(
        "ProcessingSlip", verbose_name="当前处理单", null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    return_reason = models.CharField("退回原因", max_length=40, choices=ReturnReason.choices, blank=True)
    return_text = models.TextField("退回说明", blank=True)
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
        verbose_name = "上报公文"
        verbose_name_plural = "上报公文"
        ordering = ["-created_at", "-id"]
        permissions = [("read_submission", "可阅限定知悉范围的公文（指定阅读人）")]
        indexes = [
            models.Index(fields=["unit", "state"]),
            models.Index(fields=["state", "urgency"]),
        ]

    def __str__(self) -> str:
        return f"{self.unit.display_name if self.unit_id else ''}〔{self.get_kind_display()}〕{self.title}"

    @property
    def urgency_rank(self) -> int:
        return URGENCY_RANK[Urgency(self.urgency)]

    # --- transitions: only documents.services calls these -----------------------------------------

    @transition(field=state, source=[S.DRAFTING, S.CONSULTING], target=S.CONSULTING, permission=_allowed("can_edit"))
    def start_consultation(self):
        """DOC-6: the lead unit asks touched units for their written opinion."""

    @transition(
        field=state, source=[S.DRAFTING, S.CONSULTING], target=S.AWAITING_SIGNATURE, permission=_allowed("can_edit")
    )
    def send_for_signature(self):
        pass

    @transition(field=state, source=S.AWAITING_SIGNATURE, target=S.SIGNED, permission=_allowed("can_sign"))
    def sign(self):
        pass

    @transition(field=state, source=S.AWAITING_SIGNATURE, target=S.DRAFTING, permission=_allowed("can_sign"))
    def send_back_to_drafter(self):
        pass

    @transition(field=state, source=S.SIGNED, target=S.SUBMITTED, permission=_allowed("can_edit"))
    def submit(self):
        pass

    @transition(field=state, source=S.SUBMITTED, target=S.REGISTERED, permission=_allowed("can_register"))
    def register(self):
        pass

    @transition(field=state, source=S.REGISTERED, target=S.OFFICE_REVIEW, permission=_allowed("can_deputy_review"))
    def deputy_director_review(self):
        """DOC-11: the office deputy director in charge reviews first."""

    @transition(
        field=state, source=S.OFFICE_REVIEW, target=S.AWAITING_ROUTING, permission=_allowed("can_director_review")
    )
    def director_review(self):
        """DOC-11: then the office director."""

    @transition(field=state, source=S.AWAITING_ROUTING, target=S.LEADER_REVIEW, permission=_allowed("can_route"))
    def route(self):
        pass

    @transition(field=state, source=S.LEADER_REVIEW, target=S.APPROVED, permission=_allowed("can_decide"))
    def approve(self):
        """Which leader step is being answered is checked on the LeaderAssignment, under the row lock."""

    @transition(field=state, source=S.LEADER_REVIEW, target=S.DISAPPROVED, permission=_allowed("can_decide"))
    def disapprove(self):
        pass

    @transition(field=state, source=RETURNABLE_BY_OFFICE, target=S.RETURNED, permission=_allowed("can_office_return"))
    def office_return(self):
        pass

    @transition(field=state, source=S.LEADER_REVIEW, target=S.RETURNED, permission=_allowed("can_decide"))
    def leader_return(self):
        pass

    @transition(field=state, source=[S.RETURNED, S.SIGNED], target=S.DRAFTING, permission=_allowed("can_edit"))
    def revise(self):
        """Back to drafting: returned by the office, or signed but not yet submitted (e.g. a submission check
        failed after signature) — never stuck; the signature is cleared and must be given again (DOC-2)."""

    @transition(field=state, source=[S.APPROVED, S.DISAPPROVED], target=S.CLOSED, permission=_allowed("can_close"))
    def close(self):
        pass


class SubmissionUserObjectPermission(UserObjectPermissionBase):
    """Named readers of a confidential submission (guardian, direct FK: no text join on object_pk)."""

    content_object = models.ForeignKey(Submission, on_delete=models.CASCADE, related_name="reader_grants")

    class Meta(UserObjectPermissionBase.Meta):
        verbose_name = "公文指定阅读人"
        verbose_name_plural = "公文指定阅读人"


def attachment_upload_to(instance, filename: str) -> str:
    # Never trust the client's name on disk; the original name is kept in a column.
    import uuid

    return f"documents/{uuid.uuid4().hex}"


class Attachment(models.Model):
    """A file that travels with a submission. Content type is decided from the bytes, not the name."""

    class Purpose(models.TextChoices):
        MAIN = "main", "正文"
        ATTACHMENT = "attachment", "附件"
        MINUTES = "minutes", "会议纪要"
        STATEMENT = "statement", "分歧意见说明"
        EVIDENCE = "evidence", "程序证明材料"

    submission = models.ForeignKey(
        Submission, verbose_name="公文", on_delete=models.CASCADE, related_name="attachments"
    )
    purpose = models.CharField("用途", max_length=20, choices=Purpose.choices, default=Purpose.ATTACHMENT)
    file = models.FileField("文件", upload_to=attachment_upload_to, validators=[validate_attachment_file])
    original_name = models.CharField("原文件名", max_length=200)
    content_type = models.CharField("文件类型", max_length=100)
    size = models.PositiveBigIntegerField("大小（字节）")
    uploaded_by = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name="上传人", on_delete=models.PROTECT)
    uploaded_at = models.DateTimeField("上传时间", auto_now_add=True)

    class Meta:
        verbose_name = "附件"
        verbose_name_plural = "附件"
        ordering = ["submission", "id"]

    def __str__(self) -> str:
        return self.original_name


class ConsultationRequest(models.Model):
    """DOC-6/DOC-7: one touched unit's written opinion (征求意见/会签), its limit and its reply."""

    class State(models.TextChoices):
        OPEN = "open", "待回复"
        ANSWERED = "answered", "已回复"
        DEEMED = "deemed", "逾期视为无不同意见"
        CANCELLED = "cancelled", "已撤回"

    class Reply(models.TextChoices):
        AGREE = "agree", "同意"
        AGREE_WITH_COMMENTS = "agree_with_comments", "原则同意，有修改意见"
        DISAGREE = "disagree", "不同意（附理由）"
        DEEMED_NO_OBJECTION = "deemed", "逾期未回复，视为无不同意见"

    DEEMED_TEXT = "逾期未回复，视为无不同意见"

    submission = models.ForeignKey(
        Submission, verbose_name="公文", on_delete=models.CASCADE, related_name="consultations"
    )
    unit = models.ForeignKey(Unit, verbose_name="征求意见单位", on_delete=models.PROTECT, related_name="consultations")
    requested_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name="发起人", on_delete=models.PROTECT, related_name="+"
    )
    requested_on = models.DateField("发起日期")
    limit_workdays = models.PositiveSmallIntegerField("回复时限（工作日）", default=5)
    due = models.DateField("回复截止日")
    extended_due = models.DateField("商定的新截止日", null=True, blank=True)
    extension_note = models.CharField("商定回复时限及方式", max_length=200, blank=True)

    state = models.CharField("状态", max_length=20, choices=State.choices, default=State.OPEN)
    reply = models.CharField("回复意见", max_length=30, choices=Reply.choices, blank=True)
    reply_text = models.TextField("意见内容", blank=True)
    replied_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name="回复人",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    replied_post = models.ForeignKey(
        Post, verbose_name="回复人职务", null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    replied_at = models.DateTimeField("回复时间", null=True, blank=True)
    deemed_on = models.DateField("视为无不同意见日期", null=True, blank=True)

    class Meta:
        verbose_name = "征求意见"
        verbose_name_plural = "征求意见"
        ordering = ["submission", "id"]
        constraints = [
            models.UniqueConstraint(
                fields=["submission", "unit"], condition=Q(state="open"), name="one_open_consultation_per_unit"
            ),
        ]
        indexes = [models.Index(fields=["unit", "state"])]

    def __str__(self) -> str:
        return f"{self.submission.title} 征求 {self.unit} 意见"

    @property
    def effective_due(self):
        return self.extended_due or self.due

    @property
    def settled(self) -> bool:
        return self.state in (self.State.ANSWERED, self.State.DEEMED, self.State.CANCELLED)


class DisagreementStatement(models.Model):
    """DOC-6: when main heads cannot settle a disagreement, the lead unit lists each side's reasons and
    its proposal, the units countersign it, and it travels with the submission for the government to decide."""

    submission = models.ForeignKey(
        Submission, verbose_name="公文", on_delete=models.CASCADE, related_name="disagreement_statements"
    )
    talks_note = models.TextField("主要负责人沟通协商情况")
    lead_reasons = models.TextField("主办单位理据")
    other_reasons = models.TextField("相关单位理据")
    proposal = models.TextField("办理建议")
    drafted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name="起草人", on_delete=models.PROTECT, related_name="+"
    )
    created_at = models.DateTimeField("时间", auto_now_add=True)

    class Meta:
        verbose_name = "分歧意见说明"
        verbose_name_plural = "分歧意见说明"
        ordering = ["submission", "-created_at"]

    def __str__(self) -> str:
        return f"{self.submission.title} 分歧意见说明"


class StatementCountersign(models.Model):
    """One unit's countersignature on a DisagreementStatement (DOC-6 "与相关部门会签")."""

    statement = models.ForeignKey(
        DisagreementStatement, verbose_name="分歧意见说明", on_delete=models.CASCADE, related_name="countersigns"
    )
    unit = models.ForeignKey(Unit, verbose_name="会签单位", on_delete=models.PROTECT, related_name="+")
    signed_by = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name="会签人", on_delete=models.PROTECT)
    signed_at = models.DateTimeField("会签时间", auto_now_add=True)
    note = models.CharField("备注", max_length=200, blank=True)

    class Meta:
        verbose_name = "分歧意见会签"
        verbose_name_plural = "分歧意见会签"
        constraints = [models.UniqueConstraint(fields=["statement", "unit"], name="one_countersign_per_unit")]


class SlipCounter(models.Model):
    """The yearly 收文编号 sequence. Locked with SELECT … FOR UPDATE while a number is taken, so two
    registrations never share a number and a committed number is never reused (a rolled-back one is
    rolled back with its registration, which keeps the series continuous)."""

    year = models.PositiveIntegerField("年度", primary_key=True)
    last = models.PositiveIntegerField("已用到", default=0)

    class Meta:
        verbose_name = "收文编号计数"
        verbose_name_plural = "收文编号计数"

    def __str__(self) -> str:
        return f"{self.year}: {self.last}"


class ProcessingSlip(models.Model):
    """公文处理单 (DOC-3, DOC-13): the office's registration sheet that travels with the submission.
    Fields follow the paper form: 收文编号 · 收文日期 · 来文单位 · 来文字号 · 紧急程度 · 公开属性 ·
    份数/附件 · 标题 · 拟办意见 · 领导批示 · 会签/征求意见情况 · 办理结果 · 备注."""

    submission = models.ForeignKey(Submission, verbose_name="公文", on_delete=models.PROTECT, related_name="slips")
    year = models.PositiveIntegerField("年度")
    seq = models.PositiveIntegerField("序号")
    number = models.CharField("收文编号", max_length=20, unique=True)
    registered_on = models.DateField("收文日期")
    registered_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name="登记人", on_delete=models.PROTECT, related_name="+"
    )
    # Copied at registration so the slip keeps what was received even if the unit revises later.
    from_unit_name = models.CharField("来文单位", max_length=100)
    unit_doc_number = models.CharField("来文字号", max_length=60, blank=True)
    urgency = models.CharField("紧急程度", max_length=20, choices=Urgency.choices)
    disclosure = models.CharField("公开属性", max_length=20, choices=Disclosure.choices)
    copies = models.PositiveSmallIntegerField("份数", default=1)
    attachment_count = models.PositiveSmallIntegerField("附件数", default=0)
    title = models.CharField("标题", max_length=200)
    approval_workdays = models.PositiveSmallIntegerField("审批时限（工作日）")
    approval_due = models.DateField("审批截止日")
    leader_sign_workdays = models.PositiveSmallIntegerField("领导签批时限（工作日）", null=True, blank=True)
    consultation_summary = models.TextField("会签/征求意见情况", blank=True)
    result = models.TextField("办理结果", blank=True)
    remarks = models.TextField("备注", blank=True)
    closed_on = models.DateField("办结日期", null=True, blank=True)

    class Meta:
        verbose_name = "公文处理单"
        verbose_name_plural = "公文处理单"
        ordering = ["-year", "-seq"]
        constraints = [models.UniqueConstraint(fields=["year", "seq"], name="slip_number_unique_per_year")]

    def __str__(self) -> str:
        return f"{self.number} {self.title}"


class Instruction(models.Model):
    """拟办意见/审核意见/领导批示 — collected in order on the slip (DOC-11, DOC-12)."""

    class Step(models.TextChoices):
        OFFICE_DEPUTY = "office_deputy", "办公室分管副主任审核"
        OFFICE_DIRECTOR = "office_director", "办公室主任审核"
        LEADER = "leader", "领导批示"

    class Decision(models.TextChoices):
        REVIEWED = "reviewed", "审核同意呈批"
        APPROVE = "approve", "同意"
        DISAPPROVE = "disapprove", "不同意"
        RETURN = "return", "退回"
        PASS = "pass", "转其他领导核批"
        ESCALATE = "escalate", "报区长审批"

    submission = models.ForeignKey(
        Submission, verbose_name="公文", on_delete=models.CASCADE, related_name="instructions"
    )
    slip = models.ForeignKey(
        ProcessingSlip, verbose_name="处理单", on_delete=models.PROTECT, related_name="instructions"
    )
    step = models.CharField("环节", max_length=20, choices=Step.choices)
    decision = models.CharField("意见类型", max_length=20, choices=Decision.choices)
    opinion = models.TextField("意见/批示")
    author = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name="签批人", on_delete=models.PROTECT, related_name="+"
    )
    post = models.ForeignKey(Post, verbose_name="职务", on_delete=models.PROTECT, related_name="+")
    capacity = models.CharField("身份", max_length=120, blank=True)
    acting_for = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name="代理谁",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    at = models.DateTimeField("时间", auto_now_add=True)

    class Meta:
        verbose_name = "批示/审核意见"
        verbose_name_plural = "批示/审核意见"
        ordering = ["submission", "at", "id"]

    def __str__(self) -> str:
        return f"{self.post} {self.get_decision_display()}：{self.opinion[:30]}"


class LeaderAssignment(models.Model):
    """One leader's step (呈批). Single routing has one pending row; DOC-12 serial/parallel routing
    has several: serial rows wait their turn, parallel rows are all pending at once."""

    class Mode(models.TextChoices):
        SINGLE = "single", "呈批"
        SERIAL = "serial", "串联"
        PARALLEL = "parallel", "并联"

    class State(models.TextChoices):
        WAITING = "waiting", "待前序领导批示"
        PENDING = "pending", "待批示"
        DONE = "done", "已批示"
        CANCELLED = "cancelled", "已撤回"

    submission = models.ForeignKey(
        Submission, verbose_name="公文", on_delete=models.CASCADE, related_name="assignments"
    )
    slip = models.ForeignKey(ProcessingSlip, verbose_name="处理单", on_delete=models.PROTECT, related_name="+")
    post = models.ForeignKey(Post, verbose_name="领导职务", on_delete=models.PROTECT, related_name="doc_assignments")
    mode = models.CharField("方式", max_length=20, choices=Mode.choices, default=Mode.SINGLE)
    batch = models.PositiveIntegerField("批次", default=1)
    order = models.PositiveSmallIntegerField("顺序", default=1)
    state = models.CharField("状态", max_length=20, choices=State.choices, default=State.PENDING)
    assigned_on = models.DateField("呈送日期", null=True, blank=True)
    due = models.DateField("签批截止日", null=True, blank=True)
    urgency_rank = models.PositiveSmallIntegerField("紧急排序", default=3)
    assigned_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name="呈送人", on_delete=models.PROTECT, related_name="+"
    )
    handled_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name="批示人",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="handled_doc_assignments",
    )
    instruction = models.OneToOneField(
        Instruction, verbose_name="批示", null=True, blank=True, on_delete=models.PROTECT, related_name="assignment"
    )
    done_at = models.DateTimeField("批示时间", null=True, blank=True)

    class Meta:
        verbose_name = "呈批领导"
        verbose_name_plural = "呈批领导"
        ordering = ["submission", "batch", "order", "id"]
        indexes = [
            models.Index(
                fields=["post", "urgency_rank", "due"], condition=Q(state="pending"), name="doc_assignment_queue_idx"
            ),
            models.Index(fields=["handled_by"]),
        ]

    def __str__(self) -> str:
        return f"{self.submission.title} → {self.post}"


class PreparationNotice(models.Model):
    """DOC-12: while approval is pending the office may tell units to prepare (先行做好落实准备)."""

    submission = models.ForeignKey(
        Submission, verbose_name="公文", on_delete=models.CASCADE, related_name="preparation_notices"
    )
    unit = models.ForeignKey(Unit, verbose_name="通知单位", on_delete=models.PROTECT, related_name="+")
    text = models.TextField("通知内容")
    notified_by = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name="通知人", on_delete=models.PROTECT)
    at = models.DateTimeField("时间", auto_now_add=True)

    class Meta:
        verbose_name = "落实准备通知"
        verbose_name_plural = "落实准备通知"
        ordering = ["submission", "at"]


# =====================================================================================================
# Flow B — a document issued in the government's or the office's name (发文, DOC-8/9/14..18, PUB-2).
# The FSM is on OutgoingDocument; only documents.issuance calls its transitions. Permissions live in
# documents.permissions (object-only callables, never a global perm).
# =====================================================================================================


def _outgoing_allowed(check_name: str):
    """Object-only transition permission for flow B, resolved lazily in documents.permissions."""

    def check(instance, user) -> bool:
        from . import permissions

        return bool(getattr(permissions, check_name)(user, instance))

    check.__name__ = check_name
    return check


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
        help_text="部门经区政府同意后行文、向乡街发布指令性公文的依据（DOC-15、DOC-16）",
    )
    directive_to_townships = models.BooleanField("向乡、街发布指令性公文或提出指令性要求", default=False)

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

    # --- transitions: only documents.issuance calls these ----------------------------------------------

    @transition(field=state, source=OS.DRAFTING, target=OS.OFFICE_CHECK, permission=_outgoing_allowed("can_edit"))
    def submit(self):
        """To the office for 核稿 (government/office/upward/party kinds)."""

    @transition(field=state, source=OS.DRAFTING, target=OS.AWAITING_SIGNATURE, permission=_outgoing_allowed("can_edit"))
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

    @transition(field=state, source=OS.AWAITING_SIGNATURE, target=OS.SIGNED, permission=_outgoing_allowed("can_sign"))
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

    @transition(field=state, source=OS.RETURNED, target=OS.DRAFTING, permission=_outgoing_allowed("can_edit"))
    def revise(self):
        pass

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


class NormativeStep(models.TextChoices):
    """DOC-8 (第六十条): the procedures a normative document shows before it is submitted for issuance."""

    PUBLIC_PARTICIPATION = "public_participation", "公众参与"
    EXPERT_ARGUMENTATION = "expert_argumentation", "专家论证"
    RISK_ASSESSMENT = "risk_assessment", "风险评估"
    LEGALITY_REVIEW = "legality_review", "合法性审查（起草单位法制机构）"
    COLLECTIVE_DISCUSSION = "collective_discussion", "集体讨论"
    FAIR_COMPETITION = "fair_competition", "公平竞争审查"
    INTERPRETATION = "interpretation", "政策解读材料"
    OPINION_PLAN = "opinion_plan", "舆情应对方案"


BASE_NORMATIVE_STEPS = (
    NormativeStep.PUBLIC_PARTICIPATION,
    NormativeStep.EXPERT_ARGUMENTATION,
    NormativeStep.RISK_ASSESSMENT,
    NormativeStep.LEGALITY_REVIEW,
    NormativeStep.COLLECTIVE_DISCUSSION,
)


class NormativeChecklistItem(models.Model):
    """One DOC-8 step: done with its evidence, or skipped with the stated reason. It belongs to exactly one
    normative 发文 (flow B) or one unit's request that the government issue a normative document (flow A);
    both are checked by the same rules (services.required_normative_steps / normative_violations)."""

    class Status(models.TextChoices):
        DONE = "done", "已履行"
        SKIPPED = "skipped", "不履行（说明理由）"

    document = models.ForeignKey(
        OutgoingDocument,
        verbose_name="发文",
        null=True,
        blank=True,
        on_delete=models.CASCADE,
        related_name="checklist",
    )
    submission = models.ForeignKey(
        Submission,
        verbose_name="上报公文",
        null=True,
        blank=True,
        on_delete=models.CASCADE,
        related_name="checklist",
    )
    step = models.CharField("程序", max_length=30, choices=NormativeStep.choices)
    status = models.CharField("履行情况", max_length=20, choices=Status.choices)
    evidence = models.TextField("履行情况及依据", blank=True)
    evidence_file = models.ForeignKey(
        OutgoingAttachment, verbose_name="证明材料", null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    evidence_attachment = models.ForeignKey(
        Attachment,
        verbose_name="证明材料（上报公文附件）",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    skip_reason = models.TextField("不履行的具体理由", blank=True)
    recorded_by = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name="填报人", on_delete=models.PROTECT)
    recorded_at = models.DateTimeField("填报时间", auto_now=True)

    class Meta:
        verbose_name = "规范性文件程序"
        verbose_name_plural = "规范性文件程序"
        ordering = ["id"]
        constraints = [
            models.UniqueConstraint(fields=["document", "step"], name="one_checklist_row_per_step"),
            models.UniqueConstraint(fields=["submission", "step"], name="one_submission_checklist_row_per_step"),
            models.CheckConstraint(
                condition=Q(document__isnull=False, submission__isnull=True)
                | Q(document__isnull=True, submission__isnull=False),
                name="checklist_row_of_exactly_one_document",
            ),
            # The evidence file is a file of the row's own parent kind.
            models.CheckConstraint(
                condition=Q(evidence_file__isnull=True) | Q(document__isnull=False),
                name="checklist_outgoing_evidence_only_on_outgoing",
            ),
            models.CheckConstraint(
                condition=Q(evidence_attachment__isnull=True) | Q(submission__isnull=False),
                name="checklist_submission_evidence_only_on_submission",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.get_step_display()}：{self.get_status_display()}"

    @property
    def evidence_upload(self):
        """The evidence file, whichever parent the row belongs to."""
        return self.evidence_file if self.document_id else self.evidence_attachment


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


class BriefingApproval(models.Model):
    """DOC-16 (第六十三条): a department's briefing (简报) to the government needs the office's approval (核准)."""

    submission = models.OneToOneField(
        Submission, verbose_name="简报", on_delete=models.CASCADE, related_name="briefing_approval"
    )
    approved_by = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name="核准人", on_delete=models.PROTECT)
    opinion = models.TextField("核准意见", blank=True)
    at = models.DateTimeField("核准时间", auto_now_add=True)

    class Meta:
        verbose_name = "简报核准"
        verbose_name_plural = "简报核准"


class PublicRegisterEntry(models.Model):
    """PUB-2 (第三十四条、第三十六条): the register of published items — documents marked public once issued,
    meeting decisions once the meetings app publishes them. Denormalized so browsing needs no joins; an item
    withdrawn later stays as a row but is never listed."""

    class Kind(models.TextChoices):
        DOCUMENT = "document", "公文"
        MEETING_DECISION = "meeting_decision", "会议决定"
        PROPOSAL_RESULT = "proposal_result", "建议提案办理结果"

    kind = models.CharField("类别", max_length=20, choices=Kind.choices)
    source_type = models.ForeignKey("contenttypes.ContentType", on_delete=models.PROTECT, related_name="+")
    source_id = models.CharField(max_length=40)
    title = models.CharField("标题", max_length=200)
    number = models.CharField("文号", max_length=60, blank=True)
    issuer_name = models.CharField("发布机关", max_length=100)
    published_on = models.DateField("发布日期")
    disclosure = models.CharField("公开属性", max_length=20, choices=Disclosure.choices)
    text = models.TextField("公开内容", blank=True)
    interpretation_title = models.CharField("解读标题", max_length=200, blank=True)
    interpretation_text = models.TextField("政策解读", blank=True)
    url = models.CharField("链接", max_length=300, blank=True)
    withdrawn = models.BooleanField("已撤回", default=False)
    withdrawn_on = models.DateField("撤回日期", null=True, blank=True)
    created_at = models.DateTimeField("登记时间", auto_now_add=True)

    class Meta:
        verbose_name = "公开目录"
        verbose_name_plural = "公开目录"
        ordering = ["-published_on", "-id"]
        constraints = [
            models.UniqueConstraint(fields=["source_type", "source_id"], name="one_register_entry_per_source")
        ]
        indexes = [
            models.Index(fields=["-published_on", "-id"], condition=Q(withdrawn=False), name="register_listed_idx")
        ]

    def __str__(self) -> str:
        return f"{self.number} {self.title}".strip()

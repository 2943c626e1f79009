"""Flow A: a unit's submission (请示/报告/函/简报) to the government, its slip, consultations and the leaders' steps."""

from __future__ import annotations

import uuid

from django.conf import settings
from django.db import models
from django.db.models import Q
from django_fsm import ConcurrentTransitionMixin, FSMField, transition
from guardian.models import UserObjectPermissionBase

from documents.shared.choices import URGENCY_RANK, Disclosure, DisclosureManner, Urgency
from tiexi_gov.fsm import object_permission
from tiexi_gov.org.models import Post, Unit
from tiexi_gov.uploads import validate_attachment_file
from tiexi_gov.workflow.errors import RuleViolation


def _allowed(check_name: str):
    """An object-only transition permission, asked of `documents.submissions.permissions` (X-2)."""
    return object_permission("documents.submissions.permissions", check_name)


# DOC-13: approval limits from registration, in WD.
APPROVAL_WORKDAYS = {Urgency.NORMAL: 10, Urgency.URGENT: 5, Urgency.EXTRA_URGENT: 3, Urgency.CRITICAL: 2}


# DOC-13: a leader signs a 特急重要 item within 1 WD.
LEADER_SIGN_WORKDAYS = {Urgency.CRITICAL: 1}


# DOC-10: time left to the government to decide (一般 10 WD, 紧急 5 WD); 特急 states its reason instead.
DECISION_LEAD_WORKDAYS = {Urgency.NORMAL: 10, Urgency.URGENT: 5}


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
    other_addressees = models.CharField("同时报送其他机关", max_length=200, blank=True, help_text="须为空（第六十条）")

    urgency = models.CharField("紧急程度", max_length=20, choices=Urgency.choices, default=Urgency.NORMAL)
    urgency_reason = models.TextField("紧急原因说明", blank=True, help_text="特急、特急重要须说明（第六十一条）")
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
        "提请区政府会议研究", default=False, help_text="议题请示：会前3个工作日报送区政府办公室（第五十五条）"
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
        "申请制发规范性文件",
        default=False,
        help_text="须逐项填报制发程序（第六十条；第二十四条至第二十六条）：已履行的附依据，不履行的说明理由",
    )
    touches_market = models.BooleanField("涉及市场主体经济活动（须公平竞争审查）", default=False)
    # 第六十条 asks the fair competition review of "一事一议" specific policy measures too, normative or not.
    case_by_case_policy = models.BooleanField("“一事一议”形式的具体政策措施（须公平竞争审查）", default=False)
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

    # --- transitions: only documents.submissions.services calls these -----------------------------------------

    @transition(field=state, source=[S.DRAFTING, S.CONSULTING], target=S.CONSULTING, permission=_allowed("can_edit"))
    def start_consultation(self):
        """DOC-6: the lead unit asks touched units for their written opinion."""

    def statement_is_complete(self) -> bool:
        """DOC-6: the latest disagreement statement exists and every disagreeing unit has countersigned it."""
        needed = self.disagreeing_unit_ids()
        if not needed:
            return True
        statement = self.disagreement_statements.order_by("-created_at", "-id").first()
        if statement is None:
            return False
        return needed <= set(statement.countersigns.values_list("unit_id", flat=True))

    def unconsulted_unit_names(self) -> list[str]:
        """DOC-6: the units the drafter named as touched whose written opinion has not been asked yet. Naming a unit
        and sending the draft on without asking it let a matter reach the government unconsulted."""
        asked = set(self.consultations.values_list("unit_id", flat=True))
        return [u.display_name for u in self.touched_units.all() if u.pk not in asked]

    def awaits_statement(self) -> bool:
        """DOC-6: a unit disagreed and the lead unit has not written the disagreement statement yet."""
        return bool(self.disagreeing_unit_ids()) and not self.disagreement_statements.exists()

    def consultation_violations(self) -> list[RuleViolation]:
        """DOC-6/DOC-7: what still stops the draft from going to signature, each with the rule's words."""
        out = []
        unasked = self.unconsulted_unit_names()
        if unasked:
            out.append(RuleViolation("DOC-6", f"本件涉及{'、'.join(unasked)}的职权，须先书面征求其意见"))
        open_units = [
            r.unit.display_name
            for r in self.consultations.filter(state=ConsultationRequest.State.OPEN).select_related("unit")
        ]
        if open_units:
            out.append(
                RuleViolation("DOC-7", f"{'、'.join(open_units)}尚未回复意见，须待回复或逾期视为无不同意见后再报送")
            )
        if not self.statement_is_complete():
            out.append(
                RuleViolation(
                    "DOC-6", "有单位不同意，须由主办单位列明各方理据、提出办理建议，并经相关单位会签分歧意见说明"
                )
            )
        return out

    def consultations_settled(self) -> bool:
        """DOC-6/DOC-7: every consulted unit has answered (or is deemed to) and the disagreement statement, if any,
        is countersigned — the condition of the send_for_signature transition."""
        return not self.consultation_violations()

    def disagreeing_unit_ids(self) -> set[int]:
        """DOC-6: units whose answer is "不同意"."""
        return set(
            self.consultations.filter(
                state=ConsultationRequest.State.ANSWERED, reply=ConsultationRequest.Reply.DISAGREE
            ).values_list("unit_id", flat=True)
        )

    def units_to_countersign(self) -> list[int]:
        """DOC-6: disagreeing units that have not countersigned the latest disagreement statement yet."""
        disagreeing = self.disagreeing_unit_ids()
        if not disagreeing:
            return []
        statement = self.disagreement_statements.order_by("-created_at", "-id").first()
        if statement is None:
            return []
        return sorted(disagreeing - set(statement.countersigns.values_list("unit_id", flat=True)))

    def briefing_cleared(self) -> bool:
        """DOC-16: not a briefing, or a briefing the office has approved (核准)."""
        return self.kind != SubmissionKind.BRIEFING or BriefingApproval.objects.filter(submission=self).exists()

    def briefing_pending(self) -> bool:
        return not self.briefing_cleared()

    @transition(
        field=state,
        source=[S.DRAFTING, S.CONSULTING],
        target=S.AWAITING_SIGNATURE,
        permission=_allowed("can_edit"),
        conditions=[consultations_settled],
    )
    def send_for_signature(self):
        """DOC-6/DOC-7: once every consulted unit has answered and any disagreement statement is countersigned."""

    def has_unasked_units(self) -> bool:
        return bool(self.unconsulted_unit_names())

    @transition(
        field=state,
        source=[S.DRAFTING, S.CONSULTING],
        target=S.CONSULTING,
        permission=_allowed("can_edit"),
        conditions=[has_unasked_units],
    )
    def consult_touched_units(self):
        """DOC-6: a unit the drafter named as touched must be asked before 送签: while one is not, asking is the
        lead unit's expected step (start_consultation, asking anyone at any time, is never one)."""

    @transition(
        field=state, source=S.CONSULTING, target=None, permission=_allowed("can_edit"), conditions=[awaits_statement]
    )
    def state_disagreement(self):
        """DOC-6: after a 不同意 the lead unit states each side's reasons and a proposal — its expected step until it
        has (the disagreeing units then countersign)."""

    @transition(field=state, source=[S.DRAFTING, S.CONSULTING], target=None, permission=_allowed("can_reply"))
    def reply_consultation(self):
        """DOC-6: a consulted unit gives its written opinion (the item stays where it is)."""

    @transition(
        field=state, source=[S.DRAFTING, S.CONSULTING], target=None, permission=_allowed("can_countersign_statement")
    )
    def countersign_statement(self):
        """DOC-6: a disagreeing unit countersigns the lead unit's statement of the disagreement."""

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

    @transition(
        field=state,
        source=[S.SUBMITTED, S.REGISTERED],
        target=None,
        permission=_allowed("can_approve_briefing"),
        conditions=[briefing_pending],
    )
    def approve_briefing(self):
        """DOC-16: the office approves (核准) a briefing before it goes on."""

    @transition(
        field=state,
        source=S.REGISTERED,
        target=S.OFFICE_REVIEW,
        permission=_allowed("can_deputy_review"),
        conditions=[briefing_cleared],
    )
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

    @transition(field=state, source=S.LEADER_REVIEW, target=None, permission=_allowed("can_decide"))
    def instruct(self):
        """A leader's instruction that does not end the leaders' step: one of several in serial or parallel
        routing (DOC-12), or a pass to another leader or up to the head (DOC-11)."""

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
    # DOC-17 (第三十六条): the attribute *and* its manner, and for 部分公开/不予公开 the legal reason.
    disclosure_manner = models.CharField("公开方式", max_length=20, choices=DisclosureManner.choices, blank=True)
    disclosure_reason = models.TextField("不公开（部分公开）的法律依据和理由", blank=True)
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

    def disclosure_text(self) -> str:
        """公开属性 as the slip prints it: 全文公开（主动公开）; 不予公开（理由：…）."""
        parts = [self.get_disclosure_display()] if self.disclosure else []
        if self.disclosure_manner:
            parts.append(f"（{self.get_disclosure_manner_display()}）")
        if self.disclosure_reason and self.disclosure != Disclosure.FULL:
            parts.append(f"（理由：{self.disclosure_reason}）")
        return "".join(parts) or "—"


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

    @property
    def signed_as(self) -> str:
        """The signature: 王五（副区长）; in someone's stead 李四（代副区长赵国庆）, since several deputies may share
        one title (代副区长 alone named nobody); entrusted to preside, 赵六（受区长委托主持工作）."""
        name = self.author.display_name
        if self.capacity.startswith("受"):
            return f"{name}（{self.capacity}）"
        if self.acting_for_id:
            return f"{name}（代{self.post.title}{self.acting_for.display_name}）"
        extra = f"，{self.capacity}" if self.capacity and self.capacity != "本职" else ""
        return f"{name}（{self.post.title}{extra}）"


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
            # The leaders' queue in its whole order (urgency, due day, then id): a page of 20 reads 20 index entries
            # and stops, even when a hundred items share one urgency and due day (issue 14.2).
            models.Index(
                fields=["post", "urgency_rank", "due", "id"],
                condition=Q(state="pending"),
                name="doc_assignment_queue_order_idx",
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

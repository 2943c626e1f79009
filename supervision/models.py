"""督查督办 (supervision, 第九章 SUP-1..SUP-6, with PUB-1 and PUB-3): the ledger the office director watches.

A `SupervisionItem` is one supervised task. Its state is a protected FSM field: only the declared
transitions move it and only `supervision.services` calls them, inside a transaction that also writes the
audit event and starts or stops the clocks (Deadline rows: SUP-1 completion, SUP-2 progress reports).

Extensions hang off an item one-to-one: a `Rectification` (SUP-3) for problems found by inspections, a
`Proposal` (PUB-3) for People's Congress suggestions and CPPCC proposals. Public inquiries (PUB-1) are small
and fast (5 WD), so they have their own model; the office may still raise a supervision item from one.
"""

from __future__ import annotations

import calendar
import datetime as dt

from django.conf import settings
from django.contrib.contenttypes.fields import GenericForeignKey
from django.contrib.contenttypes.models import ContentType
from django.core.validators import MaxValueValidator
from django.db import models
from django.db.models import Q
from django_fsm import ConcurrentTransitionMixin, FSMField, FSMModelMixin, transition

from tiexi_gov.fsm import object_permission
from tiexi_gov.org.models import Post, Unit


def _allowed(check_name: str):
    """An object-only transition permission, asked of `supervision.permissions` (X-2)."""
    return object_permission("supervision.permissions", check_name)


class Source(models.TextChoices):
    """SUP-1 (第四十七条): where a supervised task comes from; SUP-3, PUB-1 and PUB-3 add theirs."""

    GOVERNMENT_DECISION = "government_decision", "区政府决定"
    MEETING_DECISION = "meeting_decision", "会议决定"
    LEADER_INSTRUCTION = "leader_instruction", "领导批示"
    INSPECTION = "inspection", "督查发现问题"
    NPC_SUGGESTION = "npc_suggestion", "人大代表建议"
    CPPCC_PROPOSAL = "cppcc_proposal", "政协委员提案"
    PUBLIC_INQUIRY = "public_inquiry", "群众咨询"


PROPOSAL_SOURCES = (Source.NPC_SUGGESTION, Source.CPPCC_PROPOSAL)


class Kind(models.TextChoices):
    """SUP-4 (第五十条): the supervision tool used."""

    COMPREHENSIVE = "comprehensive", "综合督查"
    SPECIAL = "special", "专项督查"
    INVESTIGATION = "investigation", "事件调查"


class ReportCycle(models.TextChoices):
    """SUP-2: how often the lead unit reports progress on the item."""

    WEEKLY = "weekly", "每周"
    MONTHLY = "monthly", "每月"
    QUARTERLY = "quarterly", "每季度"


def _add_months(day: dt.date, months: int) -> dt.date:
    month0 = day.month - 1 + months
    year, month = day.year + month0 // 12, month0 % 12 + 1
    return dt.date(year, month, min(day.day, calendar.monthrange(year, month)[1]))


def next_report_date(cycle: str, after: dt.date) -> dt.date:
    """The calendar date one cycle after `after` (the caller moves it onto a working day)."""
    if cycle == ReportCycle.WEEKLY:
        return after + dt.timedelta(days=7)
    if cycle == ReportCycle.QUARTERLY:
        return _add_months(after, 3)
    return _add_months(after, 1)


class ItemState(models.TextChoices):
    DRAFT = "draft", "草稿"
    AWAITING_APPROVAL = "awaiting_approval", "待区领导审批"
    ASSIGNED = "assigned", "已交办（待签收）"
    ACCEPTED = "accepted", "已签收"
    IN_PROGRESS = "in_progress", "办理中"
    CLAIMED = "claimed", "已报办结（待核验）"
    CLOSED_ON_TIME = "closed_on_time", "按期办结"
    CLOSED_LATE = "closed_late", "逾期办结"
    CANCELLED = "cancelled", "已撤销"


St = ItemState
# The lead unit owes work in these states: the completion clock runs and the traffic light shows.
WORKING_STATES = (St.ASSIGNED, St.ACCEPTED, St.IN_PROGRESS, St.CLAIMED)
# Not finished: a new item duplicating one of these is refused (SUP-5).
OPEN_STATES = (St.DRAFT, St.AWAITING_APPROVAL, *WORKING_STATES)
CLOSED_STATES = (St.CLOSED_ON_TIME, St.CLOSED_LATE)
REPORTING_STATES = (St.ACCEPTED, St.IN_PROGRESS)


class Light(models.TextChoices):
    """The ledger's traffic light; computed per day in SQL by `selectors.with_light`, never stored."""

    GREEN = "green", "正常"
    AMBER = "amber", "预警"
    RED = "red", "超期"
    DONE = "done", "已办结"
    NONE = "none", "未交办"


class SupervisionItem(ConcurrentTransitionMixin, FSMModelMixin, models.Model):
    """督查事项 (SUP-1): source, task, lead and cooperating units, leader in charge, deadline and standard."""

    year = models.PositiveIntegerField("年度")
    seq = models.PositiveIntegerField("序号")
    number = models.CharField("督办编号", max_length=40, unique=True)

    source = models.CharField("事项来源", max_length=30, choices=Source.choices)
    source_ref = models.CharField("来源依据", max_length=200, blank=True, help_text="文号、会议纪要号、批示处理单号等")
    source_type = models.ForeignKey(ContentType, null=True, blank=True, on_delete=models.PROTECT, related_name="+")
    source_id = models.CharField(max_length=40, blank=True)
    source_object = GenericForeignKey("source_type", "source_id")

    task = models.TextField("督办事项")
    kind = models.CharField("督查方式", max_length=20, choices=Kind.choices, default=Kind.SPECIAL)
    cycle = models.CharField("报告周期", max_length=20, choices=ReportCycle.choices, default=ReportCycle.MONTHLY)

    lead_unit = models.ForeignKey(
        Unit, verbose_name="牵头单位", on_delete=models.PROTECT, related_name="led_supervision_items"
    )
    cooperating_units = models.ManyToManyField(
        Unit, verbose_name="协办单位", blank=True, related_name="cooperating_supervision_items"
    )
    leader_post = models.ForeignKey(
        Post,
        verbose_name="责任领导",
        on_delete=models.PROTECT,
        related_name="supervision_items",
        limit_choices_to={"kind__in": Post.LEADER_KINDS},
    )
    due = models.DateField("完成时限")
    standard = models.TextField("量化标准")
    period_start = models.DateField("起始日期")

    # SUP-5: who supervises. The office by default; a department supervising in the government's name needs a
    # district leader's approval; a major item may be supervised jointly by several units on this one row.
    supervising_unit = models.ForeignKey(
        Unit, verbose_name="督查单位", on_delete=models.PROTECT, related_name="supervising_items"
    )
    joint_units = models.ManyToManyField(
        Unit, verbose_name="联合督查单位", blank=True, related_name="joint_supervision_items"
    )
    in_government_name = models.BooleanField("以区政府名义督查", default=False)
    is_major = models.BooleanField("重大事项", default=False)

    state = FSMField("状态", default=St.DRAFT, choices=St.choices, protected=True)
    percent = models.PositiveSmallIntegerField("完成进度（%）", default=0, validators=[MaxValueValidator(100)])
    progress_text = models.TextField("进展情况", blank=True)
    behind_plan = models.BooleanField("进度滞后", default=False)
    last_report_on = models.DateField("最近报告日期", null=True, blank=True)
    next_report_due = models.DateField("下次报告截止", null=True, blank=True)

    assigned_on = models.DateField("交办日期", null=True, blank=True)
    accepted_on = models.DateField("签收日期", null=True, blank=True)
    claimed_on = models.DateField("报办结日期", null=True, blank=True)
    closed_on = models.DateField("办结日期", null=True, blank=True)
    completion_note = models.TextField("办结情况及佐证", blank=True)
    verification_note = models.TextField("复查核验意见", blank=True)
    rework_count = models.PositiveSmallIntegerField("退回整改次数", default=0)
    cancel_reason = models.CharField("撤销原因", max_length=200, blank=True)

    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name="登记人", on_delete=models.PROTECT, related_name="+"
    )
    created_at = models.DateTimeField("登记时间", auto_now_add=True)
    last_handled_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    last_handled_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        verbose_name = "督查事项"
        verbose_name_plural = "督查事项"
        ordering = ["due", "id"]
        constraints = [models.UniqueConstraint(fields=["year", "seq"], name="supervision_item_year_seq")]
        indexes = [
            # The ledger's default sort, and the light (counted per page) read from the index alone.
            models.Index(fields=["due", "id"], name="supervision_due_id_idx"),
            models.Index(
                fields=["state", "due", "next_report_due", "claimed_on", "behind_plan"],
                include=["lead_unit", "supervising_unit", "leader_post", "id"],
                name="supervision_light_idx",
            ),
            models.Index(fields=["lead_unit", "state"]),
            models.Index(fields=["leader_post", "state"]),
            models.Index(fields=["source", "state"]),
            models.Index(fields=["kind", "state"]),
            models.Index(fields=["source_ref"], condition=~Q(source_ref=""), name="supervision_source_ref_idx"),
            models.Index(fields=["source_type", "source_id"]),
            models.Index(
                fields=["next_report_due"],
                condition=Q(state__in=["accepted", "in_progress"]),
                name="supervision_report_due_idx",
            ),
            models.Index(fields=["-created_at", "-id"], name="supervision_created_idx"),
        ]
        permissions = [("read_supervisionitem", "可查阅督查事项")]

    def __str__(self) -> str:
        return f"{self.number} {self.short_task}"

    @property
    def short_task(self) -> str:
        text = " ".join(self.task.split())
        return text if len(text) <= 40 else text[:39] + "…"

    @property
    def is_closed(self) -> bool:
        return self.state in CLOSED_STATES

    # --- transitions (called only by supervision.services) -------------------------------------------

    @transition(field=state, source=St.DRAFT, target=St.AWAITING_APPROVAL, permission=_allowed("can_manage"))
    def submit_for_approval(self):
        """SUP-5: a department supervising in the government's name asks a district leader first."""

    @transition(field=state, source=St.AWAITING_APPROVAL, target=St.ASSIGNED, permission=_allowed("can_approve"))
    def approve(self):
        pass

    @transition(field=state, source=St.AWAITING_APPROVAL, target=St.DRAFT, permission=_allowed("can_approve"))
    def refuse(self):
        pass

    @transition(field=state, source=St.DRAFT, target=St.ASSIGNED, permission=_allowed("can_manage"))
    def assign(self):
        pass

    @transition(field=state, source=St.ASSIGNED, target=St.ACCEPTED, permission=_allowed("can_act_as_lead"))
    def accept(self):
        pass

    @transition(field=state, source=St.ACCEPTED, target=St.IN_PROGRESS, permission=_allowed("can_act_as_lead"))
    def start(self):
        """The lead unit's first progress report puts the item in progress."""

    @transition(
        field=state,
        source=(St.ACCEPTED, St.IN_PROGRESS),
        target=St.CLAIMED,
        permission=_allowed("can_act_as_lead"),
    )
    def claim_completion(self):
        pass

    @transition(field=state, source=St.CLAIMED, target=St.IN_PROGRESS, permission=_allowed("can_manage"))
    def return_for_rework(self):
        pass

    @transition(field=state, source=St.CLAIMED, target=St.CLOSED_ON_TIME, permission=_allowed("can_manage"))
    def close_on_time(self):
        pass

    @transition(field=state, source=St.CLAIMED, target=St.CLOSED_LATE, permission=_allowed("can_manage"))
    def close_late(self):
        pass

    @transition(
        field=state,
        source=(St.DRAFT, St.AWAITING_APPROVAL, St.ASSIGNED, St.ACCEPTED, St.IN_PROGRESS),
        target=St.CANCELLED,
        permission=_allowed("can_manage"),
    )
    def cancel(self):
        pass


class SupervisionFile(models.Model):
    """An attachment: a progress report's material, completion evidence, a rectification's proof."""

    class Purpose(models.TextChoices):
        REPORT = "report", "进展报告材料"
        EVIDENCE = "evidence", "办结佐证材料"
        RECTIFICATION = "rectification", "整改佐证材料"
        HALF_YEAR = "half_year", "半年报告"
        OTHER = "other", "其他"

    item = models.ForeignKey(SupervisionItem, null=True, blank=True, on_delete=models.CASCADE, related_name="files")
    report = models.ForeignKey("ProgressReport", null=True, blank=True, on_delete=models.CASCADE, related_name="files")
    half_year_report = models.ForeignKey(
        "HalfYearReport", null=True, blank=True, on_delete=models.CASCADE, related_name="files"
    )
    purpose = models.CharField("用途", max_length=20, choices=Purpose.choices, default=Purpose.OTHER)
    file = models.FileField("文件", upload_to="supervision/%Y/%m/")
    name = models.CharField("文件名", max_length=200)
    uploaded_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    uploaded_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = "督查附件"
        verbose_name_plural = "督查附件"
        ordering = ["id"]

    def __str__(self) -> str:
        return self.name


class ProgressReport(models.Model):
    """SUP-2: the lead unit's report on the item's cycle; a cooperating unit's report of its part."""

    item = models.ForeignKey(SupervisionItem, on_delete=models.CASCADE, related_name="reports")
    unit = models.ForeignKey(Unit, verbose_name="报告单位", on_delete=models.PROTECT, related_name="+")
    is_part = models.BooleanField("协办单位报告", default=False)
    author = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name="报告人", on_delete=models.PROTECT, related_name="+"
    )
    reported_on = models.DateField("报告日期")
    percent = models.PositiveSmallIntegerField("完成进度（%）", validators=[MaxValueValidator(100)])
    done = models.TextField("已完成工作")
    problems = models.TextField("存在问题", blank=True)
    next_steps = models.TextField("下步打算", blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = "进展报告"
        verbose_name_plural = "进展报告"
        ordering = ["-reported_on", "-id"]
        indexes = [models.Index(fields=["item", "-reported_on"])]

    def __str__(self) -> str:
        return f"{self.unit} {self.reported_on} {self.percent}%"


class Rectification(models.Model):
    """SUP-3 (第四十九条、第四十三条): a problem found by supervision, fixed by a deadline, closed only with a
    long-term mechanism (长效机制); a major problem is reported to the government's leaders."""

    class Level(models.TextChoices):
        NATIONAL = "national", "国家"
        PROVINCIAL = "provincial", "省"
        CITY = "city", "市"
        DISTRICT = "district", "区"

    item = models.OneToOneField(SupervisionItem, on_delete=models.CASCADE, related_name="rectification")
    problem = models.TextField("发现问题")
    level = models.CharField("督查层级", max_length=20, choices=Level.choices)
    found_by = models.CharField("督查组/来源", max_length=200)
    measures = models.TextField("整改措施")
    mechanism = models.TextField("长效机制", blank=True)
    is_major = models.BooleanField("重大问题", default=False)
    reported_to_leaders_at = models.DateTimeField("报告区政府领导时间", null=True, blank=True)

    class Meta:
        verbose_name = "问题整改"
        verbose_name_plural = "问题整改"

    def __str__(self) -> str:
        return f"整改：{self.item}"


class Proposal(models.Model):
    """PUB-3 (第四十二条): a People's Congress suggestion or CPPCC proposal handled as a supervised item; the
    reply, the proposer's satisfaction and the published result."""

    class Satisfaction(models.TextChoices):
        SATISFIED = "satisfied", "满意"
        BASIC = "basic", "基本满意"
        UNSATISFIED = "unsatisfied", "不满意"

    item = models.OneToOneField(SupervisionItem, on_delete=models.CASCADE, related_name="proposal")
    number = models.CharField("建议/提案号", max_length=60)
    proposer = models.CharField("代表/委员", max_length=100)
    session = models.CharField("届次", max_length=60, blank=True)
    reply = models.TextField("答复内容", blank=True)
    replied_on = models.DateField("答复日期", null=True, blank=True)
    satisfaction = models.CharField("满意度", max_length=20, choices=Satisfaction.choices, blank=True)
    result_summary = models.TextField("办理结果（公开）", blank=True)
    published_on = models.DateField("公开日期", null=True, blank=True)

    class Meta:
        verbose_name = "建议提案"
        verbose_name_plural = "建议提案"

    def __str__(self) -> str:
        return f"{self.number} {self.proposer}"


class Outcome(ConcurrentTransitionMixin, FSMModelMixin, models.Model):
    """SUP-4 (第五十条): from a conclusion the office proposes praise, incentive, criticism or accountability;
    a district leader decides; an approved outcome stays on the unit's record."""

    class OutcomeKind(models.TextChoices):
        PRAISE = "praise", "表扬"
        INCENTIVE = "incentive", "激励"
        CRITICISM = "criticism", "批评"
        ACCOUNTABILITY = "accountability", "追责"

    class State(models.TextChoices):
        PROPOSED = "proposed", "待领导审批"
        APPROVED = "approved", "已批准"
        REJECTED = "rejected", "不予批准"

    item = models.ForeignKey(SupervisionItem, on_delete=models.PROTECT, related_name="outcomes")
    unit = models.ForeignKey(
        Unit, verbose_name="对象单位", on_delete=models.PROTECT, related_name="supervision_outcomes"
    )
    kind = models.CharField("结果运用", max_length=20, choices=OutcomeKind.choices)
    grounds = models.TextField("事实与依据")
    approver_post = models.ForeignKey(
        Post,
        verbose_name="审批领导",
        on_delete=models.PROTECT,
        related_name="+",
        limit_choices_to={"kind__in": Post.LEADER_KINDS},
    )
    state = FSMField("状态", default=State.PROPOSED, choices=State.choices, protected=True)
    proposed_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    proposed_on = models.DateField("提出日期")
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    decided_on = models.DateField("审批日期", null=True, blank=True)
    decision_opinion = models.TextField("审批意见", blank=True)

    class Meta:
        verbose_name = "结果运用"
        verbose_name_plural = "结果运用"
        ordering = ["-proposed_on", "-id"]
        indexes = [models.Index(fields=["unit", "state"]), models.Index(fields=["approver_post", "state"])]

    def __str__(self) -> str:
        return f"{self.get_kind_display()}：{self.unit}（{self.item.number}）"

    @transition(field=state, source=State.PROPOSED, target=State.APPROVED, permission=_allowed("can_decide_outcome"))
    def approve(self):
        pass

    @transition(field=state, source=State.PROPOSED, target=State.REJECTED, permission=_allowed("can_decide_outcome"))
    def reject(self):
        pass


class HalfYearReport(models.Model):
    """SUP-2 (第四十九条): every unit reports at least every half year to its higher-level counterpart
    department (上级对口部门), with a copy filed with the office. One row per unit and half-year; its
    deadline is a Deadline row (rule SUP-2) owed by the unit."""

    class State(models.TextChoices):
        PENDING = "pending", "待报送"
        FILED = "filed", "已备案"

    unit = models.ForeignKey(Unit, verbose_name="单位", on_delete=models.PROTECT, related_name="half_year_reports")
    year = models.PositiveIntegerField("年度")
    half = models.PositiveSmallIntegerField("半年", choices=[(1, "上半年"), (2, "下半年")])
    due = models.DateField("报送截止")
    state = models.CharField("状态", max_length=20, choices=State.choices, default=State.PENDING)
    counterpart = models.CharField("上级对口部门", max_length=100, blank=True)
    sent_to_counterpart_on = models.DateField("报送上级对口部门日期", null=True, blank=True)
    summary = models.TextField("报告摘要", blank=True)
    filed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    filed_on = models.DateField("备案日期", null=True, blank=True)

    class Meta:
        verbose_name = "半年报告"
        verbose_name_plural = "半年报告"
        ordering = ["-year", "-half", "unit__order", "unit_id"]
        constraints = [models.UniqueConstraint(fields=["unit", "year", "half"], name="half_year_report_once")]
        indexes = [models.Index(fields=["state", "due"])]

    def __str__(self) -> str:
        return f"{self.unit.display_name} {self.year}年{self.get_half_display()}工作报告"


class PublicInquiry(ConcurrentTransitionMixin, FSMModelMixin, models.Model):
    """PUB-1 (第三十八条): a simple inquiry through the government website, logged by the office, assigned to a
    unit and answered within 5 WD of receipt; overdue ones are escalated by the deadline sweep."""

    class State(models.TextChoices):
        LOGGED = "logged", "已登记"
        ASSIGNED = "assigned", "已转办"
        ANSWERED = "answered", "已答复"

    number = models.CharField("编号", max_length=40, unique=True)
    asker = models.CharField("咨询人", max_length=100)
    contact = models.CharField("联系方式", max_length=100, blank=True)
    channel = models.CharField("渠道", max_length=40, default="政府网站")
    question = models.TextField("咨询内容")
    received_on = models.DateField("收到日期")
    unit = models.ForeignKey(
        Unit, verbose_name="承办单位", null=True, blank=True, on_delete=models.PROTECT, related_name="inquiries"
    )
    due = models.DateField("答复时限", null=True, blank=True)
    answer = models.TextField("答复内容", blank=True)
    answered_on = models.DateField("答复日期", null=True, blank=True)
    answered_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    state = FSMField("状态", default=State.LOGGED, choices=State.choices, protected=True)
    logged_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = "网上咨询"
        verbose_name_plural = "网上咨询"
        ordering = ["-received_on", "-id"]
        indexes = [models.Index(fields=["state", "due"]), models.Index(fields=["unit", "state"])]

    def __str__(self) -> str:
        text = " ".join(self.question.split())
        return f"{self.number} {text[:30]}"

    @transition(
        field=state,
        source=(State.LOGGED, State.ASSIGNED),
        target=State.ASSIGNED,
        permission=_allowed("can_manage_inquiry"),
    )
    def assign(self):
        pass

    @transition(field=state, source=State.ASSIGNED, target=State.ANSWERED, permission=_allowed("can_answer_inquiry"))
    def answer_it(self):
        pass


class Counter(models.Model):
    """Yearly number series (督办编号, 咨询编号), locked with SELECT … FOR UPDATE while a number is taken."""

    key = models.CharField(max_length=40, primary_key=True)
    last = models.PositiveIntegerField(default=0)

    class Meta:
        verbose_name = "编号计数"
        verbose_name_plural = "编号计数"

    def __str__(self) -> str:
        return f"{self.key}: {self.last}"

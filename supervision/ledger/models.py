"""The ledger's items (督查事项, SUP-1): where a supervised task comes from, who leads, cooperates and supervises,
the leader in charge, the deadline and the standard — and the item's lifecycle, a protected FSM.

    draft ──assign──────────────────────────────► assigned ──accept──► accepted ──report_progress──► in_progress
      └──submit_for_approval──► awaiting_approval ──approve──┘                    └──────claim_completion──────┤
                                       └──refuse──► draft                                                    claimed
    claimed ──close_on_time / close_late──► closed_on_time / closed_late;  claimed ──return_for_rework──► in_progress
    any open state ──cancel──► cancelled

Steps that do not move the item are self-loops on it (target None): a cooperating unit's part report
(`report_part`, SUP-2), the reply to a People's Congress deputy or CPPCC member and the published result
(`reply_proposal`, `amend_proposal_reply`, `publish_proposal`, PUB-3). A rule that must hold before a step and does
not depend on what the user types is the transition's condition, so the step is offered (and queued) only when it
can really be done. Every permission is an object-only check in the flow's permissions module (X-2); only the
services fire the transitions, each inside a workflow-kernel step.
"""

from __future__ import annotations

import calendar
import datetime as dt

from django.conf import settings
from django.contrib.contenttypes.fields import GenericForeignKey
from django.contrib.contenttypes.models import ContentType
from django.core.exceptions import ObjectDoesNotExist
from django.core.validators import MaxValueValidator
from django.db import models
from django.db.models import Q
from django_fsm import ConcurrentTransitionMixin, FSMField, FSMModelMixin, transition

from tiexi_gov.fsm import object_permission
from tiexi_gov.org.models import Post, Unit

__all__ = [
    "CLOSED_STATES",
    "OPEN_STATES",
    "PART_STATES",
    "PROPOSAL_SOURCES",
    "PROPOSAL_STATES",
    "REPORTING_STATES",
    "WORKING_STATES",
    "ItemState",
    "Kind",
    "Light",
    "ReportCycle",
    "Source",
    "SupervisionFile",
    "SupervisionItem",
    "next_report_date",
]

LEDGER = "supervision.ledger.permissions"
REPORTS = "supervision.reports.permissions"
PUBLIC = "supervision.public.permissions"


def _allowed(check_name: str, module: str = LEDGER):
    """An object-only transition permission, asked of the flow's permissions module (X-2)."""
    return object_permission(module, check_name)


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
# A cooperating unit reports its part from the assignment until the lead unit claims completion.
PART_STATES = (St.ASSIGNED, *REPORTING_STATES)
# PUB-3 replies and the published result: once the item is issued, until and after it is closed.
PROPOSAL_STATES = (*WORKING_STATES, *CLOSED_STATES)


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
    # SUP-5: the reference as compared (tiexi_gov.references.normalise_reference), set by the services with source_ref;
    # at most one open item per key (the constraint below), so two clerks racing cannot both register it.
    source_key = models.CharField("来源依据（比对用）", max_length=255, blank=True, editable=False)
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
        constraints = [
            models.UniqueConstraint(fields=["year", "seq"], name="supervision_item_year_seq"),
            models.UniqueConstraint(
                fields=["source_key"],
                condition=Q(state__in=[str(s) for s in OPEN_STATES]) & ~Q(source_key=""),
                name="supervision_one_open_item_per_source_key",
            ),
        ]
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

    # --- conditions: rules that hold or not whatever the user types ------------------------------------------

    def needs_leader_approval(self) -> bool:
        """SUP-5: a department (not the office) supervising in the government's name needs a district leader."""
        return self.in_government_name and self.supervising_unit.kind != Unit.Kind.OFFICE

    def issues_directly(self) -> bool:
        return not self.needs_leader_approval()

    def claimed_on_time(self) -> bool:
        return self.claimed_on is not None and self.claimed_on <= self.due

    def claimed_late(self) -> bool:
        return not self.claimed_on_time()

    def rectification_unsettled(self) -> bool:
        return not self.rectification_settled()

    def rectification_settled(self) -> bool:
        """SUP-3: a rectification item closes only with its long-term mechanism (长效机制)."""
        rect = self._one("rectification")
        return rect is None or bool(rect.mechanism.strip())

    def is_proposal(self) -> bool:
        """PUB-3: a People's Congress suggestion or CPPCC proposal handled as a supervised item."""
        return self.source in PROPOSAL_SOURCES and self._one("proposal") is not None

    def awaits_proposal_reply(self) -> bool:
        return self.is_proposal() and not self.proposal.reply.strip()

    def awaits_proposal_publication(self) -> bool:
        return self.is_proposal() and bool(self.proposal.reply.strip()) and self.proposal.published_on is None

    def _one(self, name: str):
        """A one-to-one extension (rectification, proposal) or None."""
        try:
            return getattr(self, name)
        except ObjectDoesNotExist:
            return None

    # --- transitions (fired only by the flows' services, inside a kernel step) -------------------------------

    @transition(
        field=state,
        source=St.DRAFT,
        target=St.AWAITING_APPROVAL,
        permission=_allowed("can_manage"),
        conditions=[needs_leader_approval],
    )
    def submit_for_approval(self):
        """SUP-5: a department supervising in the government's name asks a district leader first."""

    @transition(
        field=state,
        source=St.DRAFT,
        target=St.ASSIGNED,
        permission=_allowed("can_manage"),
        conditions=[issues_directly],
    )
    def assign(self):
        """SUP-1: the office issues the item to the lead unit; the completion clock starts."""

    @transition(field=state, source=St.AWAITING_APPROVAL, target=St.ASSIGNED, permission=_allowed("can_approve"))
    def approve(self):
        pass

    @transition(field=state, source=St.AWAITING_APPROVAL, target=St.DRAFT, permission=_allowed("can_approve"))
    def refuse(self):
        pass

    @transition(field=state, source=St.ASSIGNED, target=St.ACCEPTED, permission=_allowed("can_act_as_lead"))
    def accept(self):
        pass

    @transition(field=state, source=REPORTING_STATES, target=St.IN_PROGRESS, permission=_allowed("can_act_as_lead"))
    def report_progress(self):
        """SUP-2: the lead unit's report on its cycle; the first one puts the item in progress."""

    @transition(field=state, source=PART_STATES, target=None, permission=_allowed("can_report_part", REPORTS))
    def report_part(self):
        """SUP-2: a cooperating unit reports its part to the lead unit, once per lead-unit reporting cycle."""

    @transition(field=state, source=REPORTING_STATES, target=St.CLAIMED, permission=_allowed("can_act_as_lead"))
    def claim_completion(self):
        pass

    @transition(
        field=state,
        source=St.CLAIMED,
        target=None,
        permission=_allowed("can_supply_mechanism", REPORTS),
        conditions=[rectification_unsettled],
    )
    def supply_mechanism(self):
        """SUP-3: the claim stands, but its long-term mechanism was cleared; the lead unit states it again before
        the office can re-check."""

    @transition(field=state, source=St.CLAIMED, target=St.IN_PROGRESS, permission=_allowed("can_manage"))
    def return_for_rework(self):
        pass

    @transition(
        field=state,
        source=St.CLAIMED,
        target=St.CLOSED_ON_TIME,
        permission=_allowed("can_manage"),
        conditions=[claimed_on_time, rectification_settled],
    )
    def close_on_time(self):
        """复查核验 (SUP-4): claimed by the due date."""

    @transition(
        field=state,
        source=St.CLAIMED,
        target=St.CLOSED_LATE,
        permission=_allowed("can_manage"),
        conditions=[claimed_late, rectification_settled],
    )
    def close_late(self):
        """复查核验 (SUP-4): claimed after the due date."""

    @transition(
        field=state,
        source=(St.DRAFT, St.AWAITING_APPROVAL, St.ASSIGNED, St.ACCEPTED, St.IN_PROGRESS),
        target=St.CANCELLED,
        permission=_allowed("can_manage"),
    )
    def cancel(self):
        pass

    @transition(
        field=state,
        source=PROPOSAL_STATES,
        target=None,
        permission=_allowed("can_reply_proposal", PUBLIC),
        conditions=[awaits_proposal_reply],
    )
    def reply_proposal(self):
        """PUB-3: the lead unit replies to the deputy or member."""

    @transition(
        field=state,
        source=PROPOSAL_STATES,
        target=None,
        permission=_allowed("can_amend_proposal_reply", PUBLIC),
        conditions=[is_proposal],
    )
    def amend_proposal_reply(self):
        """PUB-3: the reply recorded or corrected later (the proposer's satisfaction), or by the office."""

    @transition(
        field=state,
        source=PROPOSAL_STATES,
        target=None,
        permission=_allowed("can_publish_proposal", PUBLIC),
        conditions=[awaits_proposal_publication],
    )
    def publish_proposal(self):
        """PUB-3 (第四十二条): the handling result is disclosed, once."""


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

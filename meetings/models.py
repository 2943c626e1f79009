"""会议 (meetings, 第十章 MTG-1..MTG-12): schedules, topic intake, frozen agendas, attendance and leave, minutes
chains and the decisions that start clocks.

Who sits in which kind of meeting is configured by post (`StandingSeat`), never by person, so a change of office
holder or an acting arrangement follows on the meeting day by itself (MTG-2..4, LEAVE-4). States are protected
FSM fields moved only by `meetings.services`, inside the transaction that writes the audit event and the clocks.
"""

from __future__ import annotations

import datetime as dt

from django.conf import settings
from django.db import models
from django.db.models import Q
from django_fsm import ConcurrentTransitionMixin, FSMField, FSMModelMixin, transition

from tiexi_gov.fsm import object_permission
from tiexi_gov.org.models import Post, Unit


class MeetingKind(models.TextChoices):
    """MTG-1 (第五十二条): the four kinds of government meeting."""

    PLENARY = "plenary", "区政府全体会议"
    PARTY_GROUP = "party_group", "区政府党组会议"
    EXECUTIVE = "executive", "区政府常务会议"
    SPECIAL = "special", "区政府专题会议"


# Kinds whose agenda is governed by MTG-5 / MTG-8 (intake 3 WD ahead, frozen agenda, topic checklist).
AGENDA_KINDS = (MeetingKind.PLENARY, MeetingKind.PARTY_GROUP, MeetingKind.EXECUTIVE)
# MTG-10 / MTG-12: decisions of these are issued within 7 WD and published unless confidential.
PUBLISHING_KINDS = (MeetingKind.PLENARY, MeetingKind.EXECUTIVE)


class SeatRole(models.TextChoices):
    CHAIR = "chair", "主持"
    ENTRUSTED_CHAIR = "entrusted_chair", "受委托主持"
    MEMBER = "member", "组成人员"
    ATTENDEE = "attendee", "全程列席"
    INVITED = "invited", "邀请列席"


VOTING_ROLES = (SeatRole.CHAIR, SeatRole.MEMBER)


class StandingSeat(models.Model):
    """MTG-2..4: a post's standing seat in a kind of meeting (the holder that day is invited)."""

    kind = models.CharField("会议类别", max_length=20, choices=MeetingKind.choices)
    post = models.ForeignKey(Post, verbose_name="职务", on_delete=models.PROTECT, related_name="standing_seats")
    role = models.CharField("身份", max_length=20, choices=SeatRole.choices)
    order = models.PositiveIntegerField("排序", default=100)
    rule_note = models.CharField("依据", max_length=100, blank=True)

    class Meta:
        verbose_name = "会议固定席位"
        verbose_name_plural = "会议固定席位"
        ordering = ["kind", "order", "id"]
        constraints = [models.UniqueConstraint(fields=["kind", "post"], name="one_standing_seat_per_post")]

    def __str__(self) -> str:
        return f"{self.get_kind_display()}：{self.post}（{self.get_role_display()}）"


class MeetingState(models.TextChoices):
    SCHEDULED = "scheduled", "已排期（收集议题）"
    AGENDA_SUBMITTED = "agenda_submitted", "议程待区长审定"
    AGENDA_APPROVED = "agenda_approved", "议程已审定"
    HELD = "held", "已召开"
    CLOSED = "closed", "纪要已签发"
    CANCELLED = "cancelled", "已取消"


MS = MeetingState


def _allowed(check_name: str):
    """An object-only transition permission, asked of `meetings.permissions` (X-2)."""
    return object_permission("meetings.permissions", check_name)


class Meeting(ConcurrentTransitionMixin, FSMModelMixin, models.Model):
    """One meeting: its kind, date, chair, agenda state and (after it is held) its minutes."""

    kind = models.CharField("会议类别", max_length=20, choices=MeetingKind.choices)
    year = models.PositiveIntegerField("年度")
    seq = models.PositiveIntegerField("届次序号")
    title = models.CharField("会议名称", max_length=200)
    date = models.DateField("会议日期")
    start_time = models.TimeField("开始时间", default=dt.time(9, 0))
    location = models.CharField("地点", max_length=100, default="区政府第一会议室")
    chair_post = models.ForeignKey(Post, verbose_name="主持人职务", on_delete=models.PROTECT, related_name="+")
    is_regular = models.BooleanField("例会", default=False)
    ad_hoc_reason = models.CharField("临时召开事由", max_length=300, blank=True)
    ad_hoc_consent_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name="同意临时召开",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    # MTG-7/MTG-8: a special-topic meeting may be convened to settle a disputed multi-unit topic.
    coordinates_topic = models.ForeignKey(
        "Topic",
        verbose_name="协调议题",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="coordination_meetings",
    )
    lead_unit = models.ForeignKey(
        Unit, verbose_name="牵头部门（起草纪要）", null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    state = FSMField("状态", default=MS.SCHEDULED, choices=MS.choices, protected=True)
    agenda_sent_on = models.DateField("议程报区长日期", null=True, blank=True)
    agenda_approved_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    agenda_approved_at = models.DateTimeField("议程审定时间", null=True, blank=True)
    cancel_reason = models.CharField("取消原因", max_length=300, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)
    last_handled_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )

    class Meta:
        verbose_name = "会议"
        verbose_name_plural = "会议"
        ordering = ["date", "start_time", "id"]
        constraints = [models.UniqueConstraint(fields=["kind", "year", "seq"], name="meeting_kind_year_seq")]
        indexes = [models.Index(fields=["date"]), models.Index(fields=["kind", "date"])]

    def __str__(self) -> str:
        return f"{self.title}（{self.date}）"

    @property
    def agenda_frozen(self) -> bool:
        return self.state not in (MS.SCHEDULED, MS.AGENDA_SUBMITTED)

    @transition(field=state, source=MS.SCHEDULED, target=MS.AGENDA_SUBMITTED, permission=_allowed("can_manage"))
    def submit_agenda(self):
        """MTG-5: topics and papers go to the head at least 1 day before the meeting."""

    @transition(field=state, source=MS.AGENDA_SUBMITTED, target=MS.SCHEDULED, permission=_allowed("can_approve_agenda"))
    def send_back_agenda(self):
        pass

    @transition(
        field=state, source=MS.AGENDA_SUBMITTED, target=MS.AGENDA_APPROVED, permission=_allowed("can_approve_agenda")
    )
    def approve_agenda(self):
        """MTG-5: once the head has approved the agenda no topic may be added."""

    @transition(
        field=state, source=(MS.SCHEDULED, MS.AGENDA_APPROVED), target=MS.HELD, permission=_allowed("can_manage")
    )
    def mark_held(self):
        pass

    @transition(field=state, source=MS.HELD, target=MS.CLOSED, permission=_allowed("can_manage"))
    def close(self):
        """The minutes are signed: the meeting's record is complete."""

    @transition(
        field=state,
        source=(MS.SCHEDULED, MS.AGENDA_SUBMITTED, MS.AGENDA_APPROVED),
        target=MS.CANCELLED,
        permission=_allowed("can_manage"),
    )
    def cancel(self):
        pass


class Postponement(models.Model):
    """MTG-3/MTG-4: a regular meeting moved; decided by the secretary (party group) or the head (executive)."""

    meeting = models.ForeignKey(Meeting, on_delete=models.CASCADE, related_name="postponements")
    from_date = models.DateField("原定日期")
    to_date = models.DateField("改定日期")
    reason = models.CharField("原因", max_length=300)
    decided_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    decided_as = models.CharField("审定身份", max_length=120, blank=True)
    at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = "会议顺延"
        verbose_name_plural = "会议顺延"
        ordering = ["at"]

    def __str__(self) -> str:
        return f"{self.meeting.title}：{self.from_date}→{self.to_date}"


class TopicState(models.TextChoices):
    PROPOSED = "proposed", "已申报（待审核）"
    ACCEPTED = "accepted", "已列入议程"
    DISCUSSED = "discussed", "已上会"
    REFUSED = "refused", "不予上会"
    WITHDRAWN = "withdrawn", "已撤回"


TS = TopicState


class Topic(ConcurrentTransitionMixin, FSMModelMixin, models.Model):
    """议题 (MTG-5, MTG-8): a unit's topic for a meeting, filed as a formal request through the documents flow."""

    class ProposerPath(models.TextChoices):
        HEAD = "head", "区长提出"
        DEPUTY = "deputy", "分管副区长协调审核后提出"
        DIRECTOR = "director", "办公室主任协调审核后提出"
        SECRETARY = "secretary", "党组书记提出"
        MEMBER = "member", "党组成员审核后提出建议"

    meeting = models.ForeignKey(Meeting, verbose_name="会议", on_delete=models.PROTECT, related_name="topics")
    unit = models.ForeignKey(Unit, verbose_name="汇报单位", on_delete=models.PROTECT, related_name="meeting_topics")
    title = models.CharField("议题", max_length=200)
    summary = models.TextField("主要内容和意见建议", blank=True)
    submission = models.ForeignKey(
        "documents.Submission",
        verbose_name="提请会议研究的请示",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="meeting_topics",
    )
    filed_on = models.DateField("请示报送办公室日期")
    related_units = models.ManyToManyField(Unit, verbose_name="涉及部门", blank=True, related_name="+")
    units_disagree = models.BooleanField("部门意见不一致", default=False)
    agreement_text = models.TextField("专题会协调形成的一致意见", blank=True)
    proposer_path = models.CharField("提出方式", max_length=20, choices=ProposerPath.choices, blank=True)
    proposer_post = models.ForeignKey(
        Post, verbose_name="提出人职务", null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    proposer_note = models.TextField("协调审核意见", blank=True)
    head_decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name="确定人",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    head_decided_at = models.DateTimeField("确定时间", null=True, blank=True)
    # MTG-8 (第五十七条): the gate the office checks before a topic goes on the agenda.
    check_significance = models.BooleanField("属法定要求或涉及全局工作", default=False)
    check_substance = models.BooleanField("有实质内容和明确意见", default=False)
    check_procedure = models.BooleanField("程序履行完整", default=False)
    checked_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    checked_at = models.DateTimeField(null=True, blank=True)
    order = models.PositiveIntegerField("顺序", default=100)
    state = FSMField("状态", default=TS.PROPOSED, choices=TS.choices, protected=True)
    refusal_reason = models.CharField("不予上会理由", max_length=300, blank=True)
    moved_from = models.ForeignKey(
        Meeting, verbose_name="原申报会议", null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = "议题"
        verbose_name_plural = "议题"
        ordering = ["meeting", "order", "id"]
        indexes = [models.Index(fields=["meeting", "state"]), models.Index(fields=["unit", "state"])]

    def __str__(self) -> str:
        return self.title

    @property
    def checklist_complete(self) -> bool:
        return self.check_significance and self.check_substance and self.check_procedure

    @transition(field=state, source=TS.PROPOSED, target=TS.ACCEPTED, permission=_allowed("can_manage_topic"))
    def accept(self):
        pass

    @transition(
        field=state, source=(TS.PROPOSED, TS.ACCEPTED), target=TS.REFUSED, permission=_allowed("can_manage_topic")
    )
    def refuse(self):
        pass

    @transition(field=state, source=TS.ACCEPTED, target=TS.DISCUSSED, permission=_allowed("can_manage_topic"))
    def discuss(self):
        pass

    @transition(
        field=state, source=(TS.PROPOSED, TS.ACCEPTED), target=TS.WITHDRAWN, permission=_allowed("can_withdraw_topic")
    )
    def withdraw(self):
        pass


class Paper(models.Model):
    """MTG-5: a meeting paper — drafted by the reporting unit, checked by its main head, reviewed by its
    district leader; ready only when both have signed it off. Released to the attendees once the agenda is
    approved, and only to them."""

    topic = models.ForeignKey(Topic, on_delete=models.CASCADE, related_name="papers")
    title = models.CharField("材料名称", max_length=200)
    file = models.FileField("文件", upload_to="meetings/%Y/%m/")
    uploaded_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    uploaded_at = models.DateTimeField(auto_now_add=True)
    checked_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name="主要负责人把关",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    checked_at = models.DateTimeField(null=True, blank=True)
    reviewed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name="分管区领导审核",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    reviewed_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        verbose_name = "会议材料"
        verbose_name_plural = "会议材料"
        ordering = ["id"]

    def __str__(self) -> str:
        return self.title

    @property
    def is_ready(self) -> bool:
        return self.checked_at is not None and self.reviewed_at is not None


class Invitation(models.Model):
    """One person invited to one meeting, by the post they hold or act for that day (or named by the chair)."""

    class Reply(models.TextChoices):
        PENDING = "pending", "未回复"
        ATTEND = "attend", "参加"
        LEAVE = "leave", "请假"

    meeting = models.ForeignKey(Meeting, on_delete=models.CASCADE, related_name="invitations")
    person = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name="人员", on_delete=models.PROTECT, related_name="+"
    )
    post = models.ForeignKey(
        Post, verbose_name="职务", null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    capacity = models.CharField("身份说明", max_length=120, blank=True)
    role = models.CharField("席位", max_length=20, choices=SeatRole.choices)
    topic = models.ForeignKey(
        Topic, verbose_name="列席议题", null=True, blank=True, on_delete=models.CASCADE, related_name="invitations"
    )
    reply = models.CharField("回复", max_length=20, choices=Reply.choices, default=Reply.PENDING)
    substitute_for = models.ForeignKey(
        "self", verbose_name="代替", null=True, blank=True, on_delete=models.CASCADE, related_name="substitutes"
    )
    signed_in_at = models.DateTimeField("签到时间", null=True, blank=True)

    class Meta:
        verbose_name = "参会人员"
        verbose_name_plural = "参会人员"
        ordering = ["meeting", "role", "id"]
        constraints = [models.UniqueConstraint(fields=["meeting", "person"], name="one_invitation_per_person")]
        indexes = [models.Index(fields=["person", "meeting"])]

    def __str__(self) -> str:
        return f"{self.person}（{self.get_role_display()}）"


class LeaveRequest(ConcurrentTransitionMixin, FSMModelMixin, models.Model):
    """MTG-9 (第五十八条): leave from a meeting, asked before it of the right approver by the requester's post."""

    class State(models.TextChoices):
        REQUESTED = "requested", "待审批"
        APPROVED = "approved", "已准假"
        REJECTED = "rejected", "不准假"

    class Route(models.TextChoices):
        CHAIR = "chair", "向会议主持人请假"
        CHAIR_THEN_OFFICE = "chair_then_office", "向会议主持人请假，报办公室备案并安排其他负责人参加"
        OFFICE_DIRECTOR = "office_director", "向办公室主任请假"

    invitation = models.OneToOneField(Invitation, on_delete=models.CASCADE, related_name="leave")
    reason = models.CharField("请假事由", max_length=300)
    route = models.CharField("审批路径", max_length=30, choices=Route.choices)
    approver_post = models.ForeignKey(Post, verbose_name="审批人职务", on_delete=models.PROTECT, related_name="+")
    substitute = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name="代为参会",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    opinions = models.TextField("对议题的意见建议", blank=True)
    state = FSMField("状态", default=State.REQUESTED, choices=State.choices, protected=True)
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    decided_at = models.DateTimeField(null=True, blank=True)
    filed_with_office_at = models.DateTimeField("报办公室备案时间", null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = "会议请假"
        verbose_name_plural = "会议请假"
        indexes = [models.Index(fields=["approver_post", "state"])]

    def __str__(self) -> str:
        return f"请假：{self.invitation.person}（{self.invitation.meeting}）"

    @transition(field=state, source=State.REQUESTED, target=State.APPROVED, permission=_allowed("can_decide_leave"))
    def approve(self):
        pass

    @transition(field=state, source=State.REQUESTED, target=State.REJECTED, permission=_allowed("can_decide_leave"))
    def reject(self):
        pass


class Minutes(ConcurrentTransitionMixin, FSMModelMixin, models.Model):
    """会议纪要: drafted after the meeting, then signed step by step along its kind's chain (MTG-3, MTG-6, MTG-7)."""

    class State(models.TextChoices):
        DRAFTING = "drafting", "起草中"
        SIGNING = "signing", "审签中"
        SIGNED = "signed", "已签发"

    meeting = models.OneToOneField(Meeting, on_delete=models.PROTECT, related_name="minutes")
    number = models.CharField("纪要编号", max_length=60, blank=True)
    body = models.TextField("纪要正文（导语）", blank=True)
    state = FSMField("状态", default=State.DRAFTING, choices=State.choices, protected=True)
    drafted_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)
    signed_at = models.DateTimeField("签发时间", null=True, blank=True)

    class Meta:
        verbose_name = "会议纪要"
        verbose_name_plural = "会议纪要"

    def __str__(self) -> str:
        return f"{self.meeting.title}纪要"

    @transition(field=state, source=State.DRAFTING, target=State.SIGNING, permission=_allowed("can_draft_minutes"))
    def send_for_signing(self):
        pass

    @transition(field=state, source=State.SIGNING, target=State.DRAFTING, permission=_allowed("can_sign_step"))
    def send_back(self):
        pass

    @transition(field=state, source=State.SIGNING, target=State.SIGNED, permission=_allowed("can_sign_step"))
    def finish(self):
        pass


class MinutesStep(models.Model):
    """One signature in a minutes chain, in order, by the right post (its handler that day)."""

    class Step(models.TextChoices):
        OFFICE_DEPUTY_REVIEW = "office_deputy_review", "办公室分管副主任审核"
        OFFICE_DIRECTOR_REVIEW = "office_director_review", "办公室主任审核"
        JUDICIAL_FORWARD = "judicial_forward", "分管司法工作的副区长批转合法性审查"
        LEGALITY_REVIEW = "legality_review", "司法局合法性审查"
        UNIT_COUNTERSIGN = "unit_countersign", "参会部门会签"
        CHAIR_APPROVE = "chair_approve", "主持会议的区领导审定"
        SECRETARY_SIGN = "secretary_sign", "党组书记签发"
        HEAD_SIGN = "head_sign", "区长签发"

    minutes = models.ForeignKey(Minutes, on_delete=models.CASCADE, related_name="steps")
    order = models.PositiveIntegerField("顺序")
    step = models.CharField("环节", max_length=30, choices=Step.choices)
    post = models.ForeignKey(Post, verbose_name="签署职务", on_delete=models.PROTECT, related_name="+")
    unit = models.ForeignKey(
        Unit, verbose_name="会签部门", null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    signed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    capacity = models.CharField("身份", max_length=120, blank=True)
    opinion = models.TextField("意见", blank=True)
    signed_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        verbose_name = "纪要审签环节"
        verbose_name_plural = "纪要审签环节"
        ordering = ["minutes", "order", "id"]
        indexes = [models.Index(fields=["post"], condition=Q(signed_at__isnull=True), name="minutes_step_open_idx")]

    def __str__(self) -> str:
        return f"{self.get_step_display()}（{self.post}）"


class Decision(models.Model):
    """A decision recorded per topic in the minutes. It starts clocks: a document to issue (MTG-10, 7 WD) or work
    assigned (a supervision item); plenary and executive decisions are published unless confidential (MTG-12)."""

    class Kind(models.TextChoices):
        RECORD = "record", "原则通过/知悉"
        ISSUE_DOCUMENT = "issue_document", "决定印发文件"
        ASSIGN_WORK = "assign_work", "部署工作（交办督办）"

    meeting = models.ForeignKey(Meeting, on_delete=models.PROTECT, related_name="decisions")
    topic = models.ForeignKey(Topic, null=True, blank=True, on_delete=models.PROTECT, related_name="decisions")
    order = models.PositiveIntegerField("顺序", default=1)
    kind = models.CharField("决定类型", max_length=20, choices=Kind.choices, default=Kind.RECORD)
    text = models.TextField("会议决定")
    confidential = models.BooleanField("依法需要保密（不公开）", default=False)
    confidential_reason = models.CharField("不公开的依据和理由", max_length=300, blank=True)
    # issue_document
    document_title = models.CharField("拟印发文件标题", max_length=200, blank=True)
    drafting_unit = models.ForeignKey(
        Unit, verbose_name="起草单位", null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    outgoing = models.OneToOneField(
        "documents.OutgoingDocument",
        verbose_name="发文",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="meeting_decision",
    )
    # assign_work
    lead_unit = models.ForeignKey(
        Unit, verbose_name="牵头单位", null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    co_units = models.ManyToManyField(Unit, verbose_name="协办单位", blank=True, related_name="+")
    leader_post = models.ForeignKey(
        Post, verbose_name="责任领导", null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    due = models.DateField("完成时限", null=True, blank=True)
    standard = models.TextField("量化标准", blank=True)
    published_on = models.DateField("公开日期", null=True, blank=True)
    recorded_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = "会议决定"
        verbose_name_plural = "会议决定"
        ordering = ["meeting", "order", "id"]
        permissions = [("read_decision", "可查阅保密会议决定")]

    def __str__(self) -> str:
        text = " ".join(self.text.split())
        return f"{self.meeting.title}决定：{text[:40]}"


class MeetingPlan(ConcurrentTransitionMixin, FSMModelMixin, models.Model):
    """MTG-11 (第五十九条): the year's plan of district-wide meetings — listed by the office, checked by the office
    director, approved by the head."""

    class State(models.TextChoices):
        DRAFTING = "drafting", "办公室编制中"
        CHECKED = "checked", "主任已核（待区长审定）"
        APPROVED = "approved", "区长已审定"

    year = models.PositiveIntegerField("年度", unique=True)
    state = FSMField("状态", default=State.DRAFTING, choices=State.choices, protected=True)
    checked_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    approved_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )

    class Meta:
        verbose_name = "全区性会议计划"
        verbose_name_plural = "全区性会议计划"

    def __str__(self) -> str:
        return f"{self.year}年全区性会议计划"

    @transition(field=state, source=State.DRAFTING, target=State.CHECKED, permission=_allowed("can_check_plan"))
    def check_plan(self):
        pass

    @transition(field=state, source=State.CHECKED, target=State.APPROVED, permission=_allowed("can_approve_plan"))
    def approve(self):
        pass

    @transition(field=state, source=State.CHECKED, target=State.DRAFTING, permission=_allowed("can_approve_plan"))
    def send_back(self):
        pass


class DistrictMeeting(ConcurrentTransitionMixin, FSMModelMixin, models.Model):
    """MTG-11: a district-wide meeting — held by the government ("铁西区…会议", office logistics), in the
    government's name ("全区…会议", the department's logistics), or a department's own-system meeting."""

    class Sponsorship(models.TextChoices):
        BY_GOVERNMENT = "by_government", "区政府召开（铁西区…会议）"
        IN_GOVERNMENT_NAME = "in_government_name", "以区政府名义召开（全区…会议）"
        OWN_SYSTEM = "own_system", "部门召开本系统全区性会议"

    class State(models.TextChoices):
        PLANNED = "planned", "已列入计划"
        AWAITING_DEPUTY = "awaiting_deputy", "计划外：待分管副区长审批"
        AWAITING_HEAD = "awaiting_head", "计划外：待区长审定"
        APPROVED = "approved", "已批准"
        REJECTED = "rejected", "未批准"

    plan = models.ForeignKey(MeetingPlan, null=True, blank=True, on_delete=models.PROTECT, related_name="meetings")
    year = models.PositiveIntegerField("年度")
    name = models.CharField("会议名称", max_length=200)
    sponsorship = models.CharField("召开方式", max_length=30, choices=Sponsorship.choices)
    unit = models.ForeignKey(Unit, verbose_name="承办部门", on_delete=models.PROTECT, related_name="district_meetings")
    month = models.PositiveSmallIntegerField("计划月份", null=True, blank=True)
    invites_township_heads = models.BooleanField("邀请乡、街负责人参加", default=False)
    planned = models.BooleanField("列入年度计划", default=True)
    reason = models.CharField("临时召开事由", max_length=300, blank=True)
    state = FSMField("状态", default=State.PLANNED, choices=State.choices, protected=True)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = "全区性会议"
        verbose_name_plural = "全区性会议"
        ordering = ["year", "month", "id"]
        indexes = [models.Index(fields=["unit", "year", "sponsorship"])]

    def __str__(self) -> str:
        return self.name

    @transition(
        field=state,
        source=State.AWAITING_DEPUTY,
        target=State.AWAITING_HEAD,
        permission=_allowed("can_approve_as_deputy"),
    )
    def deputy_approve(self):
        pass

    @transition(
        field=state, source=State.AWAITING_HEAD, target=State.APPROVED, permission=_allowed("can_approve_as_head")
    )
    def head_approve(self):
        pass

    @transition(
        field=state,
        source=(State.AWAITING_DEPUTY, State.AWAITING_HEAD),
        target=State.REJECTED,
        permission=_allowed("can_reject_unplanned"),
    )
    def reject(self):
        pass


class CalendarToken(models.Model):
    """A secret per user for their .ics feed (a phone calendar cannot log in); revocable by regenerating."""

    user = models.OneToOneField(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="meeting_calendar")
    token = models.CharField(max_length=64, unique=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = "会议日历订阅"
        verbose_name_plural = "会议日历订阅"

    def __str__(self) -> str:
        return f"{self.user} 日历订阅"


class Counter(models.Model):
    """Number series (纪要编号 etc.), locked with SELECT … FOR UPDATE while a number is taken."""

    key = models.CharField(max_length=40, primary_key=True)
    last = models.PositiveIntegerField(default=0)

    class Meta:
        verbose_name = "编号计数"
        verbose_name_plural = "编号计数"

    def __str__(self) -> str:
        return f"{self.key}: {self.last}"

"""The meeting flow's tables (MTG-1..MTG-5, MTG-8, MTG-9): the kinds and standing seats, the meeting and its
agenda, topics with their papers, invitations and leave.

Who sits in which kind of meeting is configured by post (`StandingSeat`), never by person, so a change of office
holder or an acting arrangement follows on the meeting day by itself (MTG-2..4, LEAVE-4). States are protected
FSM fields moved only through the workflow kernel (`tiexi_gov.workflow.kernel.step`) by the flows' services.

Every step that waits on a person is a transition with an object-only permission; a step that does not change
the item's state (a reply, a paper's check, the head's consent) is a self-loop (`target=None`). A rule that must
hold before a step can be taken is a transition condition, so the step's task (`meeting.flow`) opens only when it
can really be done.
"""

from __future__ import annotations

import datetime as dt

from django.apps import apps
from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.utils import timezone
from django_fsm import ConcurrentTransitionMixin, FSMField, FSMModelMixin, transition

from tiexi_gov.fsm import object_permission
from tiexi_gov.org.models import Post, Unit

__all__ = [
    "AGENDA_KINDS",
    "INTAKE_KINDS",
    "LIVE_TOPIC_STATES",
    "MS",
    "OPEN_MEETING_STATES",
    "PUBLISHING_KINDS",
    "TOPIC_OPEN_MEETING_STATES",
    "TS",
    "VOTING_ROLES",
    "Counter",
    "Invitation",
    "LeaveRequest",
    "Meeting",
    "MeetingKind",
    "MeetingState",
    "Paper",
    "SeatRole",
    "StandingSeat",
    "Topic",
    "TopicState",
]


class MeetingKind(models.TextChoices):
    """MTG-1 (第五十二条): the four kinds of government meeting."""

    PLENARY = "plenary", "区政府全体会议"
    PARTY_GROUP = "party_group", "区政府党组会议"
    EXECUTIVE = "executive", "区政府常务会议"
    SPECIAL = "special", "区政府专题会议"


# Kinds with an agenda the chair approves and freezes, its topics checked against MTG-8 (第五十七条).
AGENDA_KINDS = (MeetingKind.PLENARY, MeetingKind.PARTY_GROUP, MeetingKind.EXECUTIVE)
# Kinds whose topics are units' formal requests filed 3 WD ahead, the agenda with the head 1 day ahead (MTG-5,
# 第五十五条). A party-group topic is put forward by the secretary or a member and decided by the secretary (MTG-3,
# 第五十四条): the office records it; no unit files it, no filing deadline.
INTAKE_KINDS = (MeetingKind.PLENARY, MeetingKind.EXECUTIVE)
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
OPEN_MEETING_STATES = (MS.SCHEDULED, MS.AGENDA_SUBMITTED, MS.AGENDA_APPROVED)
# MTG-5: topics are taken, checked and decided while the agenda is not yet approved.
TOPIC_OPEN_MEETING_STATES = (MS.SCHEDULED, MS.AGENDA_SUBMITTED)


def _allowed(check_name: str, module: str = "meetings.meeting.permissions"):
    """An object-only transition permission, asked of the flow's permissions module (X-2)."""
    return object_permission(module, check_name)


def _related_model(name: str):
    # By name, not by import: the minutes flow's models import this module (a cycle).
    return apps.get_model("meetings", name)


# --- conditions: rules that must hold before a step can be taken (the step's task opens only then) -----------


def _agenda_ready(meeting: Meeting) -> bool:
    return meeting.agenda_ready()


def _needs_consent(meeting: Meeting) -> bool:
    return meeting.needs_consent


def _ready_to_hold(meeting: Meeting) -> bool:
    """MTG-5: a meeting of an agenda kind is held on its approved agenda; a special-topic meeting when scheduled."""
    return meeting.state == MS.AGENDA_APPROVED if meeting.kind in AGENDA_KINDS else meeting.state == MS.SCHEDULED


def past_unresolved(meeting: Meeting, day: dt.date) -> bool:
    """Its day has gone by with topics on it, and it cannot be recorded as held (no approved agenda): the topics
    wait on it, so it waits to be postponed (a past meeting with nothing on it keeps nobody waiting)."""
    return (
        meeting.is_past(day)
        and not _ready_to_hold(meeting)
        and _related_model("Topic").objects.filter(meeting_id=meeting.pk, state__in=LIVE_TOPIC_STATES).exists()
    )


def _past_unresolved(meeting: Meeting) -> bool:
    return past_unresolved(meeting, getattr(meeting, "_day", None) or timezone.localdate())


def _without_minutes(meeting: Meeting) -> bool:
    return not meeting.has_minutes()


def _minutes_signed(meeting: Meeting) -> bool:
    return _related_model("Minutes").objects.filter(meeting_id=meeting.pk, state="signed").exists()


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
        return self.state not in TOPIC_OPEN_MEETING_STATES

    def is_past(self, day: dt.date) -> bool:
        """The meeting's day has gone by while it still stands as scheduled (nobody recorded it held)."""
        return self.state in OPEN_MEETING_STATES and self.date < day

    def status_on(self, day: dt.date) -> str:
        """The state as people should read it on `day`: a meeting whose day has passed is no longer 收集议题."""
        if self.is_past(day):
            return "会期已过，待登记召开情况或顺延"
        return self.state_label

    @property
    def state_label(self) -> str:
        """The state's name with this kind's decider: a party group's agenda waits for the secretary (第五十四条),
        not for the head the choices' label names."""
        if self.state == MS.AGENDA_SUBMITTED:
            return f"议程待{self.agenda_decider}审定"
        return self.get_state_display()

    @property
    def agenda_decider(self) -> str:
        """Who decides the topics and approves the agenda: the party secretary (MTG-3), else the head (MTG-5)."""
        return "党组书记" if self.kind == MeetingKind.PARTY_GROUP else "区长"

    @property
    def agenda_article(self) -> str:
        return "第五十四条" if self.kind == MeetingKind.PARTY_GROUP else "第五十五条"

    @property
    def needs_consent(self) -> bool:
        """MTG-4 / MTG-3: an ad hoc executive, plenary or party-group meeting waits for the head's (the secretary's)
        consent; a regular meeting and a special-topic meeting need none."""
        return not self.is_regular and self.kind != MeetingKind.SPECIAL and self.ad_hoc_consent_by_id is None

    def agenda_topics(self) -> list[Topic]:
        return list(self.topics.filter(state=TS.ACCEPTED).prefetch_related("papers").order_by("order", "id"))

    def unready_topics(self, topics: list[Topic] | None = None) -> list[Topic]:
        """MTG-5: accepted topics whose papers are missing or not yet checked and reviewed."""
        return [t for t in (self.agenda_topics() if topics is None else topics) if not t.papers_ready]

    def agenda_ready(self) -> bool:
        """MTG-5 / MTG-4: the office can send the agenda to the head: an agenda kind, consented if ad hoc, at least
        one accepted topic and every accepted topic's papers checked and reviewed. (The day — at least 1 day before
        the meeting — is checked by the service: a task is not withdrawn by the calendar.)"""
        if self.kind not in AGENDA_KINDS or self.needs_consent:
            return False
        topics = self.agenda_topics()
        return bool(topics) and not self.unready_topics(topics)

    def has_minutes(self) -> bool:
        return _related_model("Minutes").objects.filter(meeting_id=self.pk).exists()

    @transition(
        field=state,
        source=MS.SCHEDULED,
        target=MS.AGENDA_SUBMITTED,
        conditions=[_agenda_ready],
        permission=_allowed("can_manage"),
    )
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
        field=state,
        source=MS.SCHEDULED,
        target=None,
        conditions=[_needs_consent],
        permission=_allowed("can_consent_ad_hoc", "meetings.schedule.permissions"),
    )
    def consent_ad_hoc(self):
        """MTG-4: '经区政府主要领导同意后可临时组织召开' (a step that leaves the state as it is)."""

    @transition(
        field=state,
        source=OPEN_MEETING_STATES,
        target=None,
        conditions=[_past_unresolved],
        permission=_allowed("can_postpone", "meetings.schedule.permissions"),
    )
    def postpone(self):
        """MTG-3/4: a meeting whose day went by unheld waits for the decider to move it (a step that leaves the state
        as it is: the date moves). A meeting still ahead may be postponed too, without this step."""

    @transition(field=state, source=OPEN_MEETING_STATES, target=None, permission=_allowed("can_reply_invitation"))
    def reply_invitation(self):
        """An invitee answers the meeting notice (参加); a leave request is the other answer (MTG-9)."""

    @transition(
        field=state,
        source=(MS.SCHEDULED, MS.AGENDA_APPROVED),
        target=MS.HELD,
        conditions=[_ready_to_hold],
        permission=_allowed("can_manage"),
    )
    def mark_held(self):
        pass

    @transition(
        field=state,
        source=MS.HELD,
        target=None,
        conditions=[_without_minutes],
        permission=_allowed("can_start_minutes", "meetings.minutes.permissions"),
    )
    def start_minutes(self):
        """MTG-6 / MTG-7: the drafters open the minutes of a held meeting."""

    @transition(
        field=state, source=MS.HELD, target=MS.CLOSED, conditions=[_minutes_signed], permission=_allowed("nobody")
    )
    def close(self):
        """The minutes are signed: the meeting's record is complete (fired by the last signature, never by hand)."""

    @transition(
        field=state,
        source=OPEN_MEETING_STATES,
        target=MS.CANCELLED,
        permission=_allowed("can_manage"),
    )
    def cancel(self):
        pass


TOPIC_MINUTES_MIN, TOPIC_MINUTES_MAX = 1, 240  # a topic's time on the agenda: a minute to half a working day


class TopicState(models.TextChoices):
    PROPOSED = "proposed", "已申报（待审核）"
    ACCEPTED = "accepted", "已列入议程"
    DISCUSSED = "discussed", "已上会"
    REFUSED = "refused", "不予上会"
    WITHDRAWN = "withdrawn", "已撤回"


TS = TopicState
LIVE_TOPIC_STATES = (TS.PROPOSED, TS.ACCEPTED)


NOT_PUT_FORWARD = (
    "尚未按规定提出（区长提出，或分管副区长、办公室主任协调审核后提出）（第五十五条）",
    "尚未按规定提出（党组书记提出，或其他党组成员审核后提出建议）（第五十四条）",
)


def proposer_rule(meeting: Meeting) -> str:
    """Who puts a topic forward, in the words of the article (MTG-3 / MTG-5)."""
    if meeting.kind == MeetingKind.PARTY_GROUP:
        return "议题由党组书记提出，或由其他党组成员审核后提出建议，党组书记确定（第五十四条）"
    return "议题由区长提出，或由分管副区长、办公室主任协调审核后提出，报区长确定（第五十五条）"


def _topic_open(topic: Topic) -> bool:
    """MTG-5: the topic's meeting still takes, checks and decides topics (its agenda is not approved)."""
    return topic.meeting.state in TOPIC_OPEN_MEETING_STATES


def _awaits_proposer(topic: Topic) -> bool:
    return _topic_open(topic) and topic.meeting.kind in AGENDA_KINDS and not topic.proposer_path


def _awaits_checklist(topic: Topic) -> bool:
    return _topic_open(topic) and topic.meeting.kind in AGENDA_KINDS and not topic.checklist_complete


def _awaits_agreement(topic: Topic) -> bool:
    return (
        _topic_open(topic) and topic.units_disagree and not topic.agreement_text.strip() and topic.coordination_signed()
    )


def _may_be_accepted(topic: Topic) -> bool:
    return _topic_open(topic) and not topic.violations()


def _may_be_refused(topic: Topic) -> bool:
    """A pending topic may be refused at any time; an accepted one only while the agenda is not approved."""
    return topic.state == TS.PROPOSED or not topic.meeting.agenda_frozen


def _may_be_withdrawn(topic: Topic) -> bool:
    return topic.meeting.state == MS.SCHEDULED


def _meeting_held(topic: Topic) -> bool:
    return topic.meeting.state == MS.HELD


def _awaits_paper(topic: Topic) -> bool:
    return _topic_open(topic) and not topic.papers.exists()


def _paper_to_check(topic: Topic) -> bool:
    return _topic_open(topic) and topic.papers.filter(checked_at__isnull=True).exists()


def _paper_to_review(topic: Topic) -> bool:
    return _topic_open(topic) and topic.papers.filter(checked_at__isnull=False, reviewed_at__isnull=True).exists()


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
    # The agenda's columns (DESIGN.md 会议通知/议程): who reports the topic and how long the meeting gives it.
    reporter = models.CharField("汇报人", max_length=50, blank=True)
    duration_minutes = models.PositiveSmallIntegerField(
        "汇报时长（分钟）",
        null=True,
        blank=True,
        validators=[MinValueValidator(TOPIC_MINUTES_MIN), MaxValueValidator(TOPIC_MINUTES_MAX)],
    )
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

    @property
    def papers_ready(self) -> bool:
        """MTG-5: at least one paper, each checked by the unit's main head and reviewed by its district leader."""
        papers = list(self.papers.all())
        return bool(papers) and all(p.is_ready for p in papers)

    def coordination_signed(self) -> bool:
        """MTG-8: a coordinating special-topic meeting of this topic has signed minutes."""
        return (
            _related_model("Minutes")
            .objects.filter(meeting__coordinates_topic_id=self.pk, meeting__kind=MeetingKind.SPECIAL, state="signed")
            .exists()
        )

    def violations(self) -> list[str]:
        """Why the topic may not go on the agenda yet (MTG-5, MTG-8); empty when it may."""
        return [why for why, _waiting in self.gate()]

    def gate(self) -> list[tuple[str, bool]]:
        """`violations` with, for each, whether it only waits for a step nobody has taken yet (True: shown as
        pending) or a check found the topic wanting (False: shown as a fault). Before the office has reviewed the
        MTG-8 conditions, the topic is not 不符合上会条件 — it is 待核对."""
        problems = []
        if self.meeting.kind in AGENDA_KINDS:
            if not self.proposer_path:
                problems.append((NOT_PUT_FORWARD[self.meeting.kind == MeetingKind.PARTY_GROUP], True))
            if self.checked_at is None:
                problems.append(("尚待办公室核对上会条件（第五十七条）", True))
            elif not self.checklist_complete:
                problems.append(
                    ("不符合上会条件：须属法定要求或涉及全局、有实质内容和明确意见、程序履行完整（第五十七条）", False)
                )
            if self.units_disagree and not (self.coordination_signed() and self.agreement_text.strip()):
                problems.append(
                    ("涉及多部门且意见不一致，须先由分管区领导召开专题会协调形成一致意见（第五十七条）", False)
                )
        return problems

    # --- the steps that wait on people (each a task while its conditions hold, see meeting.flow) ------------

    @transition(
        field=state,
        source=TS.PROPOSED,
        target=None,
        conditions=[_awaits_proposer],
        permission=_allowed("can_record_proposer"),
    )
    def record_proposer(self):
        """MTG-5 / MTG-3: the head, or the responsible deputy / the office director after coordination review (the
        secretary or a member for the party group) puts the topic forward."""

    @transition(
        field=state,
        source=TS.PROPOSED,
        target=None,
        conditions=[_awaits_checklist],
        permission=_allowed("can_record_checklist"),
    )
    def record_checklist(self):
        """MTG-8: the office's gate (statutory or overall, substantive, procedurally complete)."""

    @transition(
        field=state,
        source=TS.PROPOSED,
        target=None,
        conditions=[_awaits_agreement],
        permission=_allowed("can_record_agreement"),
    )
    def record_agreement(self):
        """MTG-8: the agreement reached at the signed coordinating special-topic meeting is recorded."""

    @transition(
        field=state,
        source=TS.ACCEPTED,
        target=None,
        conditions=[_awaits_paper],
        permission=_allowed("can_add_paper"),
    )
    def add_paper(self):
        """MTG-5: the reporting unit drafts the papers of a topic on the agenda (the agenda cannot go without them)."""

    @transition(
        field=state,
        source=LIVE_TOPIC_STATES,
        target=None,
        conditions=[_paper_to_check],
        permission=_allowed("can_check_paper"),
    )
    def check_paper(self):
        """MTG-5: the reporting unit's main head vouches for a paper (部门主要领导严格把关)."""

    @transition(
        field=state,
        source=LIVE_TOPIC_STATES,
        target=None,
        conditions=[_paper_to_review],
        permission=_allowed("can_review_paper"),
    )
    def review_paper(self):
        """MTG-5: the district leader in charge of the unit reviews a checked paper."""

    @transition(
        field=state,
        source=TS.PROPOSED,
        target=TS.ACCEPTED,
        conditions=[_may_be_accepted],
        permission=_allowed("can_decide_topic"),
    )
    def accept(self):
        """MTG-5: the head (the chair) puts the topic on the agenda."""

    @transition(
        field=state,
        source=LIVE_TOPIC_STATES,
        target=TS.REFUSED,
        conditions=[_may_be_refused],
        permission=_allowed("can_refuse_topic"),
    )
    def refuse(self):
        pass

    @transition(
        field=state, source=TS.ACCEPTED, target=TS.DISCUSSED, conditions=[_meeting_held], permission=_allowed("nobody")
    )
    def discuss(self):
        """Fired for every accepted topic when its meeting is recorded as held (never by hand)."""

    @transition(
        field=state,
        source=LIVE_TOPIC_STATES,
        target=TS.WITHDRAWN,
        conditions=[_may_be_withdrawn],
        permission=_allowed("can_withdraw_topic"),
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


def _meeting_not_cancelled(leave: LeaveRequest) -> bool:
    return leave.invitation.meeting.state != MS.CANCELLED


class LeaveRequest(ConcurrentTransitionMixin, FSMModelMixin, models.Model):
    """MTG-9 (第五十八条): leave from a meeting, asked before it of the right approver by the requester's post."""

    class State(models.TextChoices):
        REQUESTED = "requested", "待审批"
        APPROVED = "approved", "已准假"
        REJECTED = "rejected", "不准假"
        WITHDRAWN = "withdrawn", "已撤回"

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

    @transition(
        field=state,
        source=State.REQUESTED,
        target=State.APPROVED,
        conditions=[_meeting_not_cancelled],
        permission=_allowed("can_decide_leave"),
    )
    def approve(self):
        pass

    @transition(
        field=state,
        source=State.REQUESTED,
        target=State.REJECTED,
        conditions=[_meeting_not_cancelled],
        permission=_allowed("can_decide_leave"),
    )
    def reject(self):
        pass

    @transition(
        field=state,
        source=State.REQUESTED,
        target=State.WITHDRAWN,
        conditions=[_meeting_not_cancelled],
        permission=_allowed("can_withdraw_leave"),
    )
    def withdraw(self):
        """The requester can attend after all and takes the request back before anyone decided it."""

    @transition(
        field=state,
        source=State.WITHDRAWN,
        target=State.REQUESTED,
        conditions=[_meeting_not_cancelled],
        permission=_allowed("can_withdraw_leave"),
    )
    def request_again(self):
        """A withdrawn request asked anew (one request per invitation: the row is reused, its history kept)."""


class Counter(models.Model):
    """Number series (纪要编号 etc.), locked with SELECT … FOR UPDATE while a number is taken."""

    key = models.CharField(max_length=40, primary_key=True)
    last = models.PositiveIntegerField(default=0)

    class Meta:
        verbose_name = "编号计数"
        verbose_name_plural = "编号计数"

    def __str__(self) -> str:
        return f"{self.key}: {self.last}"

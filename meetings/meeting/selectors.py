"""Reads of the meeting flow: the meeting page, a topic's page, the topic form's choices, the attendance record and
the lists of "我的会议待办" that belong to this flow — each in a constant number of queries, permission facts
computed once (`meeting.permissions`).
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from django.db.models import Prefetch
from django.http import Http404

from documents.submissions import selectors as submissions
from documents.submissions.permissions import can_view as can_view_submission
from tiexi_gov.org.models import Post, Unit, User
from tiexi_gov.org.selectors import Handler, leader_post_for_unit, unit_head_post, who_handles

from ..minutes.models import Minutes
from . import permissions
from .models import (
    AGENDA_KINDS,
    INTAKE_KINDS,
    MS,
    OPEN_MEETING_STATES,
    TS,
    Invitation,
    LeaveRequest,
    Meeting,
    MeetingKind,
    Paper,
    SeatRole,
    Topic,
)
from .services import agenda_deadline, last_filing_day

if TYPE_CHECKING:
    from ..schedule.models import Postponement

# --- meeting page ---------------------------------------------------------------------------------------------
# views_meeting: one meeting's page (agenda, attendees, deadlines), a topic's page, the topic form's choices.

SEAT_ORDER = {value: i for i, value in enumerate((SeatRole.CHAIR, SeatRole.ENTRUSTED_CHAIR, SeatRole.MEMBER))}
SEAT_ORDER.update({SeatRole.ATTENDEE: 3, SeatRole.INVITED: 4})
AGENDA_STATES = (TS.ACCEPTED, TS.DISCUSSED)


def meeting_queryset():
    return Meeting.objects.select_related(
        "chair_post",
        "chair_post__unit",
        "lead_unit",
        "coordinates_topic",
        "agenda_approved_by",
        "ad_hoc_consent_by",
    )


@dataclass
class PaperRow:
    paper: Paper
    may_open: bool


@dataclass
class TopicRow:
    topic: Topic
    papers: list[PaperRow]
    related_units: list[Unit]
    coordination: list[Meeting]
    agreement: str  # "" (no dispute) | "agreed" | "pending"
    papers_ready: bool

    @property
    def checklist_marks(self) -> list[tuple[str, bool]]:
        t = self.topic
        return [("法定/全局", t.check_significance), ("实质内容", t.check_substance), ("程序完整", t.check_procedure)]


@dataclass
class AttendeeRow:
    invitation: Invitation
    leave: object | None  # LeaveRequest


@dataclass
class MeetingPage:
    meeting: Meeting
    today: dt.date
    chair: Handler | None
    postponements: list[Postponement]
    last_filing_day: dt.date | None
    agenda_deadline: dt.date | None  # MTG-5; none for the party group (MTG-3)
    filing_open: bool
    agenda: list[TopicRow]
    pending: list[TopicRow]
    dropped: list[TopicRow]
    attendees: list[AttendeeRow]
    reply_counts: dict[str, int]
    my_invitation: Invitation | None
    may: set[str] = field(default_factory=set)
    status: str = ""  # the state as read today (Meeting.status_on)

    @property
    def topic_count(self) -> int:
        return len(self.agenda) + len(self.pending) + len(self.dropped)

    @property
    def agenda_minutes(self) -> tuple[int, int]:
        """The agenda's 时长 added up, and how many of its topics have none yet: the office plans the meeting's
        length from it (DESIGN.md 会议通知/议程)."""
        times = [row.topic.duration_minutes for row in self.agenda]
        return sum(t for t in times if t), sum(1 for t in times if not t)


def _coordination_signed(meetings: list[Meeting]) -> bool:
    """MTG-8: a coordinating special-topic meeting whose minutes are signed (as services.topic_violations)."""
    for m in meetings:
        minutes = getattr(m, "minutes", None)  # select_related: no query, None when there are no minutes
        if m.kind == MeetingKind.SPECIAL and minutes is not None and minutes.state == Minutes.State.SIGNED:
            return True
    return False


def _topics_base():
    papers = Paper.objects.select_related("checked_by", "reviewed_by", "uploaded_by").order_by("id")
    return Topic.objects.select_related(
        "unit", "proposer_post", "submission", "head_decided_by", "moved_from", "checked_by"
    ).prefetch_related(
        Prefetch("related_units", queryset=Unit.objects.order_by("order", "id")),
        Prefetch("papers", queryset=papers),
        Prefetch("coordination_meetings", queryset=Meeting.objects.select_related("minutes").order_by("date", "id")),
    )


# The meeting page shows 40 topics, 80 papers and 60 attendees: it loads only the columns it shows (names, titles,
# states, marks), not whole users, requests and topics — building model instances is most of its time.
NAME = ("username", "full_name")
PAGE_TOPIC_FIELDS = (
    "id",
    "meeting_id",
    "unit_id",
    "title",
    "reporter",
    "duration_minutes",
    "state",
    "order",
    "filed_on",
    "proposer_path",
    "proposer_post_id",
    "check_significance",
    "check_substance",
    "check_procedure",
    "units_disagree",
    "agreement_text",
    "refusal_reason",
    "moved_from_id",
    "unit__name",
    "unit__short_name",
    "proposer_post__title",
    "moved_from__title",
    "moved_from__state",
)


def _page_topics(meeting_id: int):
    papers = Paper.objects.only("id", "topic_id", "title", "checked_at", "reviewed_at").order_by("id")
    coordination = (
        Meeting.objects.select_related("minutes")
        .only("id", "kind", "title", "date", "state", "coordinates_topic_id", "minutes__id", "minutes__state")
        .order_by("date", "id")
    )
    return (
        Topic.objects.filter(meeting_id=meeting_id)
        .select_related("unit", "proposer_post", "moved_from")
        .only(*PAGE_TOPIC_FIELDS)
        .prefetch_related(
            Prefetch("related_units", queryset=Unit.objects.only("id", "name", "short_name").order_by("order", "id")),
            Prefetch("papers", queryset=papers),
            Prefetch("coordination_meetings", queryset=coordination),
        )
        .order_by("order", "id")
    )


def _page_invitations(meeting_id: int):
    return (
        Invitation.objects.filter(meeting_id=meeting_id)
        .select_related("person", "post", "topic", "substitute_for__person", "leave")
        .only(
            "id",
            "meeting_id",
            "person_id",
            "post_id",
            "topic_id",
            "role",
            "reply",
            "capacity",
            "substitute_for_id",
            "signed_in_at",
            *(f"person__{f}" for f in NAME),
            "post__title",
            "topic__title",
            "topic__state",
            "substitute_for__person_id",
            *(f"substitute_for__person__{f}" for f in NAME),
            "leave__id",
            "leave__invitation_id",
            "leave__state",
        )
        .order_by("id")
    )


def _topic_row(topic: Topic, access: permissions.PaperAccess) -> TopicRow:
    papers = list(topic.papers.all())
    coordination = list(topic.coordination_meetings.all())
    agreement = ""
    if topic.units_disagree:
        agreement = "agreed" if _coordination_signed(coordination) and topic.agreement_text.strip() else "pending"
    may_open = access.allows(topic.unit_id)
    return TopicRow(
        topic=topic,
        papers=[PaperRow(p, may_open) for p in papers],
        related_units=list(topic.related_units.all()),
        coordination=coordination,
        agreement=agreement,
        papers_ready=bool(papers) and all(p.is_ready for p in papers),
    )


def _leave_of(inv: Invitation):
    try:
        return inv.leave
    except Invitation.leave.RelatedObjectDoesNotExist:
        return None


def meeting_actions(user, meeting: Meeting, today: dt.date) -> set[str]:
    """What `user` may do on the meeting page now (the services check again). 申报议题 is offered until the
    meeting's day (a late filing is then pointed to the next meeting), never after it."""
    may = set()
    manage = permissions.can_manage(user)
    if manage:
        may.add("manage")
    if meeting.state == MS.SCHEDULED and meeting.date >= today and permissions.can_propose_to(user, meeting):
        may.add("propose")
    if manage and meeting.state == MS.SCHEDULED and meeting.kind in AGENDA_KINDS:
        may.add("submit_agenda")
    if meeting.state == MS.AGENDA_SUBMITTED and permissions.can_approve_agenda(user, meeting):
        may.update({"approve_agenda", "send_back_agenda"})
    if permissions.handles(user, meeting.chair_post_id):
        may.add("chair")
    return may


def meeting_page(user, pk, today: dt.date) -> MeetingPage:
    """One meeting for `user` (404 for outsiders): its facts, the agenda with papers, the attendees. The number
    of queries does not grow with the number of topics, papers or attendees."""
    meeting = permissions.get_meeting_or_404(user, pk, meeting_queryset())
    access = permissions.paper_access(user, meeting)
    topics = list(_page_topics(meeting.pk))
    for t in topics:
        t.meeting = meeting  # the rows' templates and links never fetch it again
    rows = [_topic_row(t, access) for t in topics]
    invitations = list(_page_invitations(meeting.pk))
    invitations.sort(key=lambda i: (SEAT_ORDER.get(i.role, 9), i.substitute_for_id is not None, i.pk))
    counts = dict.fromkeys(Invitation.Reply.values, 0)
    for inv in invitations:
        counts[inv.reply] += 1
    last_day = last_filing_day(meeting) if meeting.kind in INTAKE_KINDS else None
    return MeetingPage(
        meeting=meeting,
        today=today,
        chair=who_handles(meeting.chair_post, today) if meeting.chair_post_id else None,
        postponements=list(meeting.postponements.select_related("decided_by").order_by("at")),
        last_filing_day=last_day,
        agenda_deadline=agenda_deadline(meeting),
        filing_open=meeting.state == MS.SCHEDULED and (last_day is None or today <= last_day),
        agenda=[r for r in rows if r.topic.state in AGENDA_STATES],
        pending=[r for r in rows if r.topic.state == TS.PROPOSED],
        dropped=[r for r in rows if r.topic.state in (TS.REFUSED, TS.WITHDRAWN)],
        attendees=[AttendeeRow(inv, _leave_of(inv)) for inv in invitations],
        reply_counts=counts,
        my_invitation=next((i for i in invitations if i.person_id == user.pk), None),
        may=meeting_actions(user, meeting, today),
        status=meeting.status_on(today),
    )


@dataclass
class TopicPage:
    topic: Topic
    meeting: Meeting
    row: TopicRow
    today: dt.date
    last_filing_day: dt.date | None
    violations: list[tuple[str, bool]]  # (why, only waiting for a step not yet taken)
    unit_head_post: Post | None
    leader_post: Post | None
    may: set[str]
    move_targets: list[Meeting]
    may_open_submission: bool


def topic_actions(user, topic: Topic, today: dt.date) -> set[str]:
    """What `user` may do on a topic's page now (the services check again)."""
    meeting = topic.meeting
    may = set()
    manage = permissions.can_manage(user)
    open_agenda = meeting.state == MS.SCHEDULED
    proposed = topic.state == TS.PROPOSED
    unit_member = topic.unit_id in permissions.member_unit_ids(user, today)
    chair = permissions.handles(user, meeting.chair_post_id, today)
    if proposed and permissions.can_record_proposer(user, topic, today):
        may.add("proposer")
    if manage and proposed:
        may.add("checklist")
    if proposed and topic.units_disagree and (manage or unit_member):
        may.add("agreement")
    if manage and proposed and topic.units_disagree:
        may.add("coordinate")
    if proposed and chair and not meeting.agenda_frozen:
        may.add("accept")
    frozen = meeting.agenda_frozen
    if (manage or chair) and (proposed or (topic.state == TS.ACCEPTED and not frozen)):
        may.add("refuse")  # an approved agenda keeps its topics (MTG-5); a pending one may still be refused
    if proposed and open_agenda and permissions.can_withdraw_topic(user, topic):
        may.add("move")
    if topic.state in (TS.PROPOSED, TS.ACCEPTED) and open_agenda and permissions.can_withdraw_topic(user, topic):
        may.add("withdraw")
    if unit_member and topic.state in (TS.PROPOSED, TS.ACCEPTED) and not meeting.agenda_frozen:
        may.add("add_paper")
    if topic.state in (TS.PROPOSED, TS.ACCEPTED) and permissions.can_check_paper(user, topic, today):
        may.add("check_paper")
    if topic.state in (TS.PROPOSED, TS.ACCEPTED) and permissions.can_review_paper(user, topic, today):
        may.add("review_paper")
    if "accept" in may or "refuse" in may:
        may.add("decide")
    return may


def topic_page(user, pk, today: dt.date) -> TopicPage:
    """A topic for `user`, or 404: the meeting must be visible to them (X-2)."""
    topic = _topics_base().filter(pk=pk).first()
    if topic is None:
        raise Http404("没有找到该议题。")
    try:
        meeting = permissions.get_meeting_or_404(user, topic.meeting_id, meeting_queryset())
    except Http404:  # the same words as for no topic at all: a hidden meeting's topic ids are not told apart
        raise Http404("没有找到该议题。") from None
    topic.meeting = meeting
    if not permissions.can_view_topic(user, topic):
        raise Http404("没有找到该议题。")
    access = permissions.paper_access(user, meeting)
    row = _topic_row(topic, access)
    may = topic_actions(user, topic, today)
    targets = list(move_targets(meeting)[:6]) if "move" in may else []
    return TopicPage(
        topic=topic,
        meeting=meeting,
        row=row,
        today=today,
        last_filing_day=last_filing_day(meeting) if meeting.kind in INTAKE_KINDS else None,
        violations=topic.gate() if topic.state == TS.PROPOSED else [],
        unit_head_post=unit_head_post(topic.unit),
        leader_post=leader_post_for_unit(topic.unit, today),
        may=may,
        move_targets=targets,
        may_open_submission=topic.submission is not None and can_view_submission(user, topic.submission),
    )


def move_targets(meeting: Meeting):
    """Where a proposed topic may be moved: a later meeting of the same kind still collecting topics (MTG-5)."""
    return Meeting.objects.filter(kind=meeting.kind, date__gt=meeting.date, state=MS.SCHEDULED).order_by("date", "id")


def proposable_units(user, today: dt.date):
    """The units `user` may propose a topic for: every active unit for the office, else their own."""
    units = Unit.objects.filter(active=True).order_by("order", "id")
    if permissions.can_manage(user):
        return units
    return units.filter(pk__in=permissions.member_unit_ids(user, today))


def eligible_requests(units):
    """MTG-5: a unit's formal requests 提请会议研究 that reached the office and are not on a live topic."""
    live = Topic.objects.filter(state__in=(TS.PROPOSED, TS.ACCEPTED, TS.DISCUSSED), submission_id__isnull=False)
    return submissions.requests_for_meetings(units, exclude_ids=live.values("submission_id"))


# --- 我的会议待办: this flow's lists ---------------------------------------------------------------------------


def pending_leaves(user, day: dt.date):
    """MTG-9: leave requests whose approver post the user handles today (own post or acting for it)."""
    posts = permissions.handled_post_ids(user, day)
    return (
        LeaveRequest.objects.filter(state=LeaveRequest.State.REQUESTED, approver_post_id__in=posts)
        .select_related(
            "invitation",
            "invitation__meeting",
            "invitation__person",
            "invitation__person__unit",
            "invitation__post",
            "approver_post",
            "substitute",
        )
        .order_by("invitation__meeting__date", "created_at", "id")
    )


def agendas_to_approve(user, day: dt.date):
    """MTG-5: agendas sent to the chair (the head; the secretary; a special meeting's chair) for approval."""
    posts = permissions.handled_post_ids(user, day)
    return (
        Meeting.objects.filter(state=MS.AGENDA_SUBMITTED, chair_post_id__in=posts)
        .select_related("chair_post")
        .order_by("date", "start_time", "id")
    )


def unanswered_invitations(user, day: dt.date):
    """The user's own invitations to meetings still ahead that they have not answered (none for an administrator's
    account, which answers none, 三员分立)."""
    if not permissions.may_take_part(user):
        return Invitation.objects.none()
    return (
        Invitation.objects.filter(
            person=user, reply=Invitation.Reply.PENDING, meeting__state__in=OPEN_MEETING_STATES, meeting__date__gte=day
        )
        .select_related("meeting", "post", "topic")
        .order_by("meeting__date", "meeting__start_time", "id")
    )


# --- attendance (MTG-9) ------------------------------------------------------------------------------------


def invitations_of(meeting: Meeting) -> list[Invitation]:
    """Every invitation of the meeting with its person, post, topic, substitute and leave request (one query)."""
    rows = list(
        Invitation.objects.filter(meeting=meeting)
        .select_related(
            "person",
            "person__unit",
            "post",
            "post__unit",
            "topic",
            "substitute_for",
            "substitute_for__person",
            "leave",
            "leave__approver_post",
            "leave__decided_by",
            "leave__substitute",
        )
        .order_by("id")
    )
    for inv in rows:
        inv.meeting = meeting  # the page's meeting: no query per row (leave_route, templates)
    return rows


def leave_of(inv: Invitation) -> LeaveRequest | None:
    try:
        return inv.leave
    except LeaveRequest.DoesNotExist:
        return None


ROLE_ORDER = {
    SeatRole.CHAIR: 0,
    SeatRole.ENTRUSTED_CHAIR: 1,
    SeatRole.MEMBER: 2,
    SeatRole.ATTENDEE: 3,
    SeatRole.INVITED: 4,
}


@dataclass
class AttendanceRow:
    invitation: Invitation
    leave: LeaveRequest | None
    status: str  # attended / leave / leave_pending / absent / expected
    status_label: str
    decide: dict | None = None  # the approver's forms, set by the view (MTG-9)

    @property
    def person(self):
        return self.invitation.person

    @property
    def who(self) -> str:
        inv = self.invitation
        where = inv.post.title if inv.post else (inv.person.unit.display_name if inv.person.unit else "")
        return f"{where} {inv.person.display_name}".strip()


@dataclass
class Attendance:
    chair: list[AttendanceRow] = field(default_factory=list)
    members: list[AttendanceRow] = field(default_factory=list)
    attendees: list[AttendanceRow] = field(default_factory=list)
    invited: list[AttendanceRow] = field(default_factory=list)  # MTG-4: the discipline commission, its own seat
    topic_invited: list[AttendanceRow] = field(default_factory=list)
    substitutes: list[AttendanceRow] = field(default_factory=list)
    sign_in_used: bool = False

    @property
    def groups(self) -> list[tuple[str, str, list[AttendanceRow]]]:
        return [
            ("chair", "主持", self.chair),
            ("members", "组成人员", self.members),
            ("attendees", "全程列席", self.attendees),
            ("invited", "邀请列席", self.invited),
            ("topic", "议题列席", self.topic_invited),
            ("substitutes", "代为参会", self.substitutes),
        ]

    @property
    def labelled_rows(self) -> list[tuple[str, AttendanceRow]]:
        return [(label, r) for _key, label, rows in self.groups for r in rows]

    @property
    def rows(self) -> list[AttendanceRow]:
        return [r for _key, _label, rows in self.groups for r in rows]

    def present(self, *, voting: bool) -> list[AttendanceRow]:
        """出席 (voting: chair and members) or 列席 (the rest), substitutes with the seat they fill."""
        out = []
        for row in self.rows:
            if row.status not in ("attended", "expected"):
                continue
            seat = row.invitation.substitute_for.role if row.invitation.substitute_for_id else row.invitation.role
            if (seat in (SeatRole.CHAIR, SeatRole.ENTRUSTED_CHAIR, SeatRole.MEMBER)) == voting:
                out.append(row)
        return out

    @property
    def present_voting(self) -> list[AttendanceRow]:
        return self.present(voting=True)

    @property
    def present_attending(self) -> list[AttendanceRow]:
        return self.present(voting=False)

    @property
    def on_leave(self) -> list[AttendanceRow]:
        return [r for r in self.rows if r.status == "leave"]


def _status(inv: Invitation, leave: LeaveRequest | None, sign_in_used: bool, held: bool) -> tuple[str, str]:
    if leave is not None and leave.state == LeaveRequest.State.APPROVED:
        return "leave", "请假"
    if inv.signed_in_at is not None:
        return "attended", "已签到"
    if leave is not None and leave.state == LeaveRequest.State.REQUESTED:
        return "leave_pending", "请假待批"
    if sign_in_used:
        return "absent", "未签到"
    if held:
        return "expected", "出席"
    return "expected", inv.get_reply_display()


def attendance(meeting: Meeting, invitations: list[Invitation] | None = None) -> Attendance:
    """The attendance record: who sat where, who was on leave and who approved it, who came in whose stead. When
    the office used the sign-in, attendance is the sign-in; otherwise whoever was not on leave."""
    invitations = invitations_of(meeting) if invitations is None else invitations
    result = Attendance(sign_in_used=any(i.signed_in_at for i in invitations))
    held = meeting.state in (MS.HELD, MS.CLOSED)
    ordered = sorted(
        invitations, key=lambda i: (ROLE_ORDER.get(i.role, 9), i.post.order if i.post else 999, i.topic_id or 0, i.pk)
    )
    for inv in ordered:
        leave = leave_of(inv)
        status, label = _status(inv, leave, result.sign_in_used, held)
        row = AttendanceRow(inv, leave, status, label)
        if inv.substitute_for_id:
            result.substitutes.append(row)
        elif inv.role in (SeatRole.CHAIR, SeatRole.ENTRUSTED_CHAIR):  # whoever presides, own or entrusted
            result.chair.append(row)
        elif inv.role == SeatRole.MEMBER:
            result.members.append(row)
        elif inv.topic_id:
            result.topic_invited.append(row)
        elif inv.role == SeatRole.INVITED:
            result.invited.append(row)
        else:
            result.attendees.append(row)
    return result


def substitute_choices(inv: Invitation):
    """MTG-9: a unit's main head sends another leader of the unit — the unit's other active people."""

    unit_id = inv.post.unit_id if inv.post_id else inv.person.unit_id
    if not unit_id:
        return User.objects.none()
    people = permissions.participants(User.objects.filter(unit_id=unit_id))  # never an administrator (三员分立)
    return people.exclude(pk=inv.person_id).order_by("username")

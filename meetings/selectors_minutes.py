"""Reads for attendance, leave, minutes and decisions (MTG-3, MTG-6, MTG-7, MTG-9, MTG-10, MTG-12) and for
"我的会议待办". Each function does its own joins so a page costs the same number of queries however many
invitations, steps or decisions it shows; permission filtering comes from `meetings.permissions`.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field

from django.contrib.contenttypes.models import ContentType
from django.db.models import Prefetch, Q

from . import permissions
from .models import (
    MS,
    Decision,
    Invitation,
    LeaveRequest,
    Meeting,
    MeetingKind,
    Minutes,
    MinutesStep,
    SeatRole,
)

OPEN_MEETING_STATES = (MS.SCHEDULED, MS.AGENDA_SUBMITTED, MS.AGENDA_APPROVED)
CONFIDENTIAL_TEXT = "（依法保密，不予公开）"


# --- 我的会议待办 ------------------------------------------------------------------------------------------


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


def minutes_to_sign(user, day: dt.date) -> list[tuple[Minutes, list[MinutesStep]]]:
    """Minutes whose next step (MTG-3, MTG-6, MTG-7) waits for a post the user handles today: three queries."""
    posts = permissions.handled_post_ids(user, day)
    if not posts:
        return []
    ids = MinutesStep.objects.filter(
        signed_at__isnull=True, post_id__in=posts, minutes__state=Minutes.State.SIGNING
    ).values("minutes_id")
    rows = []
    for minutes in (
        Minutes.objects.filter(pk__in=ids)
        .select_related("meeting")
        .prefetch_related(
            Prefetch("steps", queryset=MinutesStep.objects.select_related("post").order_by("order", "id"))
        )
        .order_by("meeting__date", "id")
    ):
        mine = [s for s in permissions.next_steps(minutes) if s.post_id in posts]
        if mine:
            rows.append((minutes, mine))
    return rows


def agendas_to_approve(user, day: dt.date):
    """MTG-5: agendas sent to the chair (the head; the secretary; a special meeting's chair) for approval."""
    posts = permissions.handled_post_ids(user, day)
    return (
        Meeting.objects.filter(state=MS.AGENDA_SUBMITTED, chair_post_id__in=posts)
        .select_related("chair_post")
        .order_by("date", "start_time", "id")
    )


def unanswered_invitations(user, day: dt.date):
    """The user's own invitations to meetings still ahead that they have not answered."""
    return (
        Invitation.objects.filter(
            person=user, reply=Invitation.Reply.PENDING, meeting__state__in=OPEN_MEETING_STATES, meeting__date__gte=day
        )
        .select_related("meeting", "post", "topic")
        .order_by("meeting__date", "meeting__start_time", "id")
    )


def minutes_to_draft(user, day: dt.date):
    """Held meetings whose minutes the user drafts (the office; a special meeting's lead unit, MTG-6/MTG-7) and
    that have no minutes yet or minutes still being drafted (for instance sent back)."""
    if not permissions._active(user):
        return Meeting.objects.none()
    waiting = Q(state=MS.HELD) & (Q(minutes__isnull=True) | Q(minutes__state=Minutes.State.DRAFTING))
    qs = Meeting.objects.filter(waiting).select_related("minutes").order_by("date", "id")
    if permissions.can_manage(user):
        return qs
    return qs.filter(kind=MeetingKind.SPECIAL, lead_unit_id__in=permissions.member_unit_ids(user, day))


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
    topic_invited: list[AttendanceRow] = field(default_factory=list)
    substitutes: list[AttendanceRow] = field(default_factory=list)
    sign_in_used: bool = False

    @property
    def groups(self) -> list[tuple[str, str, list[AttendanceRow]]]:
        return [
            ("chair", "主持", self.chair),
            ("members", "组成人员", self.members),
            ("attendees", "全程列席", self.attendees),
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
        elif inv.role == SeatRole.CHAIR:
            result.chair.append(row)
        elif inv.role in (SeatRole.ENTRUSTED_CHAIR, SeatRole.MEMBER):
            result.members.append(row)
        elif inv.topic_id:
            result.topic_invited.append(row)
        else:
            result.attendees.append(row)
    return result


def substitute_choices(inv: Invitation):
    """MTG-9: a unit's main head sends another leader of the unit — the unit's other active people."""
    from tiexi_gov.org.models import User

    unit_id = inv.post.unit_id if inv.post_id else inv.person.unit_id
    if not unit_id:
        return User.objects.none()
    return User.objects.filter(unit_id=unit_id, is_active=True).exclude(pk=inv.person_id).order_by("username")


# --- minutes and decisions ---------------------------------------------------------------------------------


def minutes_of(meeting: Meeting) -> Minutes | None:
    return (
        Minutes.objects.filter(meeting=meeting)
        .select_related("drafted_by")
        .prefetch_related(
            Prefetch(
                "steps",
                queryset=MinutesStep.objects.select_related("post", "unit", "signed_by").order_by("order", "id"),
            )
        )
        .first()
    )


def decisions_of(meeting: Meeting) -> list[Decision]:
    return list(
        Decision.objects.filter(meeting=meeting)
        .select_related("meeting", "topic", "drafting_unit", "lead_unit", "leader_post", "outgoing", "recorded_by")
        .prefetch_related("co_units")
        .order_by("order", "id")
    )


def sent_back_events(minutes: Minutes):
    """Send-back opinions (the chain's returns), oldest first."""
    from tiexi_gov.audit.models import Event

    return list(Event.objects.for_object(minutes).filter(action="sent_back").select_related("actor").order_by("at"))


def issue_deadlines(decisions: list[Decision]) -> dict[int, object]:
    """MTG-10: the 7-WD issuance clock of each decided document, by outgoing document id (one query)."""
    from documents.models import OutgoingDocument
    from tiexi_gov.deadlines.models import Deadline

    ids = [str(d.outgoing_id) for d in decisions if d.outgoing_id]
    if not ids:
        return {}
    ct = ContentType.objects.get_for_model(OutgoingDocument)
    rows = Deadline.objects.filter(subject_type=ct, subject_id__in=ids, rule_id="MTG-10").order_by("created_at")
    return {int(d.subject_id): d for d in rows}


def register_entries(decisions: list[Decision]) -> dict[int, object]:
    """MTG-12: the public register entry of each published decision (one query)."""
    from documents.models import PublicRegisterEntry

    ids = [str(d.pk) for d in decisions if d.published_on]
    if not ids:
        return {}
    ct = ContentType.objects.get_for_model(Decision)
    rows = PublicRegisterEntry.objects.filter(source_type=ct, source_id__in=ids, withdrawn=False)
    return {int(e.source_id): e for e in rows}


def supervision_items(decisions: list[Decision], user) -> dict[int, list]:
    """SUP-1: the supervision items raised from each decision that the user may see (one query)."""
    from supervision.selectors import items_for_sources

    assigned = [d for d in decisions if d.kind == Decision.Kind.ASSIGN_WORK]
    if not assigned:
        return {}
    ct = ContentType.objects.get_for_model(Decision)
    found = items_for_sources(assigned, user)
    return {d.pk: found.get((ct.pk, str(d.pk)), []) for d in assigned}

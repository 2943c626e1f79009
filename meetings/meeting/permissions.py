"""Who may see and act on meetings, topics, papers, invitations and leave — the meeting flow's one place (X-2).

- the office (its staff and director, by business role) and whoever sees every unit (the head, or whoever presides
  in the head's stead) see every meeting; the office manages them (agenda, invitations, sign-in, holding);
- an invited person sees the meeting, and once the agenda is approved its papers (MTG-5: papers go to the
  attendees, and only to them); an invitee answers their own invitation;
- a unit sees the meetings where it has a topic, and its own topics and papers;
- the chair approves the agenda and decides which topics go on it; the approver post of a leave request decides
  it (MTG-9), whoever handles that post on the day (LEAVE-4);
- the head / the responsible deputy / the office director put executive and plenary topics forward, the secretary
  or a party-group member party-group topics (MTG-5, MTG-3); the unit's main head checks its papers, its district
  leader reviews them (MTG-5);
- an administrator's account (系统/安全/审计管理员) takes no part: it is never offered, invited, named, sent as a
  substitute or a reader, and never answers, asks leave or signs in (三员分立, `may_take_part`).
Everyone else gets 404. Object-only: a global Django permission never grants anything.

Day: checks that depend on who holds or acts for a post use the object's `_day` when the kernel set it (the day
the action is taken), otherwise today. `meeting.flow` addresses each step's task to exactly the people these
checks allow.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from django.db.models import Exists, OuterRef, Q, QuerySet
from django.http import Http404
from django.utils import timezone

from tiexi_gov.org.access import business_unit_ids, handled_post_ids, handlers_on, is_office, member_unit_ids
from tiexi_gov.org.models import Post, User
from tiexi_gov.org.roles import is_technical_account, without_technical_accounts
from tiexi_gov.org.selectors import Handler, leader_post_for_unit, portfolio_unit_ids, unit_head_post

from .models import (
    MS,
    Invitation,
    LeaveRequest,
    Meeting,
    MeetingKind,
    Paper,
    SeatRole,
    StandingSeat,
    Topic,
)

# MTG-3: a party-group topic is put forward by the secretary or a member (党组成员) — not by a non-voting attendee.
PARTY_GROUP_PROPOSER_ROLES = (SeatRole.CHAIR, SeatRole.ENTRUSTED_CHAIR, SeatRole.MEMBER)


def _day(obj=None) -> date:
    if isinstance(obj, date):
        return obj
    return getattr(obj, "_day", None) or timezone.localdate()


def _active(user) -> bool:
    return bool(user is not None and getattr(user, "is_authenticated", False) and user.is_active)


ADMIN_REFUSAL = (
    "{name}是管理员账号，不参加会议、不办理会议事务（三员分立：系统管理员、安全管理员、审计管理员不参与业务工作）。"
)


def may_take_part(person) -> bool:
    """三员分立: the system, security and audit administrators keep the system and take no part in its business, so
    no meeting invites, names, seats or hears from them — whatever unit the org chart files them under."""
    return _active(person) and not is_technical_account(person)


def participants(users: QuerySet | None = None) -> QuerySet:
    """`may_take_part` as a query: the people a meeting's pickers may offer (attendees, substitutes, readers)."""
    users = User.objects.all() if users is None else users
    return without_technical_accounts(users.filter(is_active=True))


def nobody(user, obj=None) -> bool:
    """The permission of a transition the system fires as a consequence of another step (never by hand)."""
    return False


def charge_unit_ids(user, day: date | None = None) -> set[int]:
    """Units in the portfolios (分管) of the leader posts `user` handles on `day`: the district leader in charge
    puts their topics forward and reviews their papers (MTG-5), so sees them before the agenda is approved."""
    if not _active(user):
        return set()
    day = _day(day)
    cache = user.__dict__.setdefault("_mtg_charge_units", {})
    if day not in cache:
        posts = [h.post for h in handlers_on(user, day) if h.post.is_leader]
        cache[day] = portfolio_unit_ids(posts, day) if posts else set()
    return cache[day]


def handles(user, post: Post | int | None, day: date | None = None) -> bool:
    if post is None:
        return False
    pk = post if isinstance(post, int) else post.pk
    return pk in handled_post_ids(user, _day(day))


def handler_for(user, post: Post | int | None, day: date | None = None) -> Handler | None:
    """The Handler by which `user` handles `post` on `day` (own post or acting, LEAVE-4), for the record."""
    if post is None:
        return None
    pk = post if isinstance(post, int) else post.pk
    return next((h for h in handlers_on(user, _day(day)) if h.post.pk == pk), None)


def sees_all(user) -> bool:
    return _active(user) and business_unit_ids(user) is None


def can_manage(user, obj=None) -> bool:
    """The office keeps the meetings: schedules, topics, agendas, invitations, sign-in and minutes drafts — by its
    business roles (staff, director), never by the home unit's kind."""
    return _active(user) and is_office(user)


def visible_meetings(user, qs: QuerySet | None = None) -> QuerySet:
    qs = Meeting.objects.all() if qs is None else qs
    if not may_take_part(user):  # an administrator invited before the pickers left them out sees nothing either
        return qs.none()
    if can_manage(user) or sees_all(user):
        return qs
    invited = Invitation.objects.filter(meeting_id=OuterRef("pk"), person=user)
    units = member_unit_ids(user)
    topics = Topic.objects.filter(meeting_id=OuterRef("pk"), unit_id__in=units | charge_unit_ids(user))
    # A standing seat (MTG-2..4) shows the meeting before the invitations go out with the approved agenda.
    seats = StandingSeat.objects.filter(kind=OuterRef("kind"), post_id__in=handled_post_ids(user))
    return qs.filter(
        Exists(seats)
        | Exists(invited)
        | Exists(topics)
        | Q(chair_post_id__in=handled_post_ids(user))
        | Q(lead_unit_id__in=units)
    )


def can_view_meeting(user, meeting: Meeting) -> bool:
    return visible_meetings(user, Meeting.objects.filter(pk=meeting.pk)).exists()


def get_meeting_or_404(user, pk, qs: QuerySet | None = None) -> Meeting:
    qs = Meeting.objects.all() if qs is None else qs
    try:
        return visible_meetings(user, qs).get(pk=pk)
    except (Meeting.DoesNotExist, ValueError, TypeError):
        raise Http404("没有找到该会议。") from None


def is_attendee(user, meeting: Meeting) -> bool:
    return may_take_part(user) and Invitation.objects.filter(meeting=meeting, person=user).exists()


# --- the meeting's steps ------------------------------------------------------------------------------------


def can_approve_agenda(user, meeting: Meeting) -> bool:
    """MTG-5: the head (the party secretary for the party group; the chair of a special meeting) approves."""
    return _active(user) and handles(user, meeting.chair_post_id, _day(meeting))


def can_reply_invitation(user, meeting: Meeting) -> bool:
    """The invitee answers their own invitation while it waits for an answer (a refused leave reopens it)."""
    return (
        may_take_part(user)
        and Invitation.objects.filter(meeting=meeting, person=user, reply=Invitation.Reply.PENDING).exists()
    )


def can_answer_invitation(user, invitation: Invitation) -> bool:
    return may_take_part(user) and invitation.person_id == user.pk


def can_sign_in(user, invitation: Invitation) -> bool:
    """The office or the invitee signs in — never for an administrator's account (三员分立)."""
    return may_take_part(invitation.person) and (can_manage(user) or can_answer_invitation(user, invitation))


def can_name_special_attendee(user, meeting: Meeting) -> bool:
    """MTG-7: the chair decides who attends a special-topic meeting; the office records it."""
    return can_manage(user) or handles(user, meeting.chair_post_id, _day(meeting))


# --- topics ------------------------------------------------------------------------------------------------


def can_decide_topic(user, topic: Topic) -> bool:
    """MTG-5: the head (the chair; the secretary for the party group) decides which topics go on the agenda."""
    return _active(user) and handles(user, topic.meeting.chair_post_id, _day(topic))


def can_refuse_topic(user, topic: Topic) -> bool:
    """The chair refuses a topic; so does the office, whose checklist finds it not fit to go on (MTG-8)."""
    return can_manage(user) or can_decide_topic(user, topic)


def can_withdraw_topic(user, topic: Topic) -> bool:
    return can_manage(user) or topic.unit_id in member_unit_ids(user, _day(topic))


def can_record_checklist(user, topic: Topic) -> bool:
    """MTG-8: the office's gate."""
    return can_manage(user)


def can_record_agreement(user, topic: Topic) -> bool:
    """MTG-8: the office or the reporting unit records the agreement reached at the coordinating meeting."""
    return can_manage(user) or topic.unit_id in member_unit_ids(user, _day(topic))


def can_view_topic(user, topic: Topic) -> bool:
    return (
        can_manage(user)
        or sees_all(user)
        or topic.unit_id in member_unit_ids(user)
        or can_view_meeting(user, topic.meeting)
    )


def proposer_post_ids(topic: Topic, day: date | None = None) -> set[int]:
    """MTG-5 / MTG-3: the posts that may put the topic forward on `day` — the head, the district leader in charge
    of the unit and the office director (executive, plenary, special); the party secretary and the party group's
    members (party group)."""
    day = _day(day if day is not None else topic)
    meeting = topic.meeting
    if meeting.kind == MeetingKind.PARTY_GROUP:
        secretaries = set(Post.objects.filter(kind=Post.Kind.PARTY_SECRETARY).values_list("pk", flat=True))
        members = StandingSeat.objects.filter(kind=MeetingKind.PARTY_GROUP, role__in=PARTY_GROUP_PROPOSER_ROLES)
        return secretaries | set(members.values_list("post_id", flat=True))
    ids = set(Post.objects.filter(kind__in=(Post.Kind.HEAD, Post.Kind.OFFICE_DIRECTOR)).values_list("pk", flat=True))
    responsible = leader_post_for_unit(topic.unit, day)
    if responsible is not None:
        ids.add(responsible.pk)
    return ids


def can_record_proposer(user, topic: Topic, day: date | None = None) -> bool:
    """MTG-5 / MTG-3: who may put a topic forward (`meeting.services.record_proposer` decides the path)."""
    if not _active(user):
        return False
    day = _day(day if day is not None else topic)
    ids = handled_post_ids(user, day)
    return bool(ids) and bool(ids & proposer_post_ids(topic, day))


def can_check_paper(user, topic: Topic, day: date | None = None) -> bool:
    """MTG-5: the reporting unit's main head vouches for its papers."""
    post = unit_head_post(topic.unit)
    return _active(user) and post is not None and handles(user, post, day if day is not None else topic)


def can_review_paper(user, topic: Topic, day: date | None = None) -> bool:
    """MTG-5: the district leader in charge of the reporting unit reviews its papers."""
    day = _day(day if day is not None else topic)
    post = leader_post_for_unit(topic.unit, day)
    return _active(user) and post is not None and handles(user, post, day)


def can_add_paper(user, topic: Topic) -> bool:
    """MTG-5: the reporting unit drafts the papers."""
    return _active(user) and topic.unit_id in member_unit_ids(user, _day(topic))


def can_view_paper(user, paper: Paper) -> bool:
    """Papers: the reporting unit and its reviewers while drafting; once the agenda is approved, the attendees
    (and only they) besides the office."""
    topic = paper.topic
    meeting = topic.meeting
    if can_manage(user) or topic.unit_id in member_unit_ids(user) or topic.unit_id in charge_unit_ids(user):
        return True
    if handles(user, meeting.chair_post_id):
        return True
    if meeting.state in PAPERS_RELEASED:
        return is_attendee(user, meeting)
    return False


# --- leave (MTG-9) ---------------------------------------------------------------------------------------------


def can_withdraw_leave(user, leave: LeaveRequest) -> bool:
    """Only the requester takes a leave request back (or asks it again)."""
    return can_answer_invitation(user, leave.invitation)


def can_decide_leave(user, leave: LeaveRequest) -> bool:
    """The approver post's handler on the day (the chair, or the office director; acting included, LEAVE-4)."""
    return _active(user) and handles(user, leave.approver_post_id, _day(leave))


def can_read_leave_reason(user, leave: LeaveRequest) -> bool:
    """MTG-9: why someone asks leave (请假事由) is read by the office, which records leave and approves most of it;
    by the person on leave; by the meeting's chair (whoever presides that day); and by the approver post's handler.
    Every other viewer of the meeting sees that the person is on leave, with its route and approver, not why."""
    return leave.pk in readable_leave_reason_ids(user, leave.invitation.meeting, [leave])


def readable_leave_reason_ids(user, meeting: Meeting, leaves) -> set[int]:
    """`can_read_leave_reason` for the leave requests of one meeting (a page's list: the user's facts read once)."""
    leaves = [leave for leave in leaves if leave is not None]
    if not leaves or not _active(user):
        return set()
    if can_manage(user):
        return {leave.pk for leave in leaves}
    posts = handled_post_ids(user, _day(leaves[0]))
    if meeting.chair_post_id in posts:
        return {leave.pk for leave in leaves}
    return {leave.pk for leave in leaves if leave.invitation.person_id == user.pk or leave.approver_post_id in posts}


# --- meeting page (views: topics, papers, agenda) ------------------------------------------------------------

PAPERS_RELEASED = (MS.AGENDA_APPROVED, MS.HELD, MS.CLOSED)


@dataclass(frozen=True)
class PaperAccess:
    """`can_view_paper` for every paper of one meeting, with the user's facts computed once (the meeting page
    shows 40 topics' papers: one question per paper would be one query per paper)."""

    manage: bool
    chair: bool
    attendee_released: bool
    unit_ids: frozenset[int]

    def allows(self, topic_unit_id: int) -> bool:
        return self.manage or self.chair or self.attendee_released or topic_unit_id in self.unit_ids


def paper_access(user, meeting: Meeting) -> PaperAccess:
    """The same answer as `can_view_paper(user, paper)` for each paper of `meeting` (tested against it)."""
    return PaperAccess(
        manage=can_manage(user),
        chair=handles(user, meeting.chair_post_id),
        attendee_released=meeting.state in PAPERS_RELEASED and is_attendee(user, meeting),
        unit_ids=frozenset(member_unit_ids(user) | charge_unit_ids(user)),
    )


def can_propose_to(user, meeting: Meeting) -> bool:
    """Who may open the topic form of a meeting: the office (on behalf of a unit), and a unit's people for a
    regular kind of meeting (its date is public; their unit may have no topic on it yet) or one they can see. A
    party-group topic is put forward by the secretary or a member (MTG-3): the office records it, no unit files it."""
    if not _active(user) or meeting.state == MS.CANCELLED:
        return False
    if can_manage(user):
        return True
    if meeting.kind == MeetingKind.PARTY_GROUP or not member_unit_ids(user):
        return False
    return meeting.kind != MeetingKind.SPECIAL or can_view_meeting(user, meeting)

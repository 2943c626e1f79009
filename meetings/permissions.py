"""Who may see and act on meetings — the one place for the meetings app (X-2).

- the office (staff, director) and whoever sees every unit (the head, or whoever presides in the head's stead)
  see every meeting; the office manages them (schedule, topics, agenda, invitations, minutes);
- an invited person sees the meeting, and once the agenda is approved its papers (MTG-5: papers go to the
  attendees, and only to them);
- a unit sees the meetings where it has a topic, and its own topics and papers;
- the chair approves the agenda and decides leave of the leaders and unit heads (MTG-9);
- confidential decisions are read by the office, the chair and their named readers only (guardian grant).
Everyone else gets 404. Object-only: a global Django permission never grants anything.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from django.db.models import Exists, OuterRef, Q, QuerySet
from django.http import Http404
from django.utils import timezone

from tiexi_gov.org.access import handled_post_ids, handlers_on, is_office, member_unit_ids, visible_unit_ids
from tiexi_gov.org.models import Post
from tiexi_gov.org.selectors import head_post, portfolio_unit_ids

from .models import (
    MS,
    Decision,
    DistrictMeeting,
    Invitation,
    LeaveRequest,
    Meeting,
    MeetingKind,
    MeetingPlan,
    Minutes,
    MinutesStep,
    Paper,
    StandingSeat,
    Topic,
)


def _day(day: date | None) -> date:
    return day or timezone.localdate()


def _active(user) -> bool:
    return bool(user is not None and getattr(user, "is_authenticated", False) and user.is_active)


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
    return pk in handled_post_ids(user, day)


def sees_all(user) -> bool:
    return _active(user) and visible_unit_ids(user) is None


def can_manage(user, obj=None) -> bool:
    """The office keeps the meetings: schedules, topics, agendas, invitations, sign-in and minutes drafts."""
    return _active(user) and is_office(user)


def visible_meetings(user, qs: QuerySet | None = None) -> QuerySet:
    qs = Meeting.objects.all() if qs is None else qs
    if not _active(user):
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
    return _active(user) and Invitation.objects.filter(meeting=meeting, person=user).exists()


def can_approve_agenda(user, meeting: Meeting) -> bool:
    """MTG-5: the head (the party secretary for the party group; the chair of a special meeting) approves."""
    return handles(user, meeting.chair_post_id, getattr(meeting, "_day", None))


def can_postpone(user, meeting: Meeting) -> bool:
    """MTG-3/4: the secretary decides on the party group's postponement, the head on the executive's."""
    if meeting.kind in (MeetingKind.EXECUTIVE, MeetingKind.PLENARY):
        head = head_post()
        return head is not None and handles(user, head)
    return handles(user, meeting.chair_post_id)


def can_consent_ad_hoc(user, meeting: Meeting) -> bool:
    """MTG-4: an ad hoc executive meeting needs the head's consent (the secretary's for the party group)."""
    return can_postpone(user, meeting)


# --- schedule (calendar): can_postpone for a page of meetings ---------------------------------------------------


def postponable_ids(user, meetings) -> set[int]:
    """The pks among `meetings` for which `can_postpone` (and so `can_consent_ad_hoc`) holds — the same rule,
    asked once for the head's post instead of once per row (the calendar lists many meetings)."""
    if not _active(user):
        return set()
    head = head_post()
    is_head = head is not None and handles(user, head)
    return {
        m.pk
        for m in meetings
        if (is_head if m.kind in (MeetingKind.EXECUTIVE, MeetingKind.PLENARY) else handles(user, m.chair_post_id))
    }


def can_manage_topic(user, topic: Topic) -> bool:
    """The head (chair) decides which topics go on; the office records the checklist and the agenda order."""
    return can_manage(user) or handles(user, topic.meeting.chair_post_id)


def can_withdraw_topic(user, topic: Topic) -> bool:
    return can_manage(user) or topic.unit_id in member_unit_ids(user)


def can_view_topic(user, topic: Topic) -> bool:
    return (
        can_manage(user)
        or sees_all(user)
        or topic.unit_id in member_unit_ids(user)
        or can_view_meeting(user, topic.meeting)
    )


def can_view_paper(user, paper: Paper) -> bool:
    """Papers: the reporting unit and its reviewers while drafting; once the agenda is approved, the attendees
    (and only they) besides the office."""
    topic = paper.topic
    meeting = topic.meeting
    if can_manage(user) or topic.unit_id in member_unit_ids(user) or topic.unit_id in charge_unit_ids(user):
        return True
    if handles(user, meeting.chair_post_id):
        return True
    if meeting.state in (MS.AGENDA_APPROVED, MS.HELD, MS.CLOSED):
        return is_attendee(user, meeting)
    return False


def can_decide_leave(user, leave: LeaveRequest) -> bool:
    return handles(user, leave.approver_post_id, getattr(leave, "_day", None))


def can_draft_minutes(user, minutes: Minutes) -> bool:
    """The office drafts (MTG-6); the lead unit drafts a special-topic meeting's minutes (MTG-7)."""
    meeting = minutes.meeting
    if meeting.kind == MeetingKind.SPECIAL and meeting.lead_unit_id:
        return meeting.lead_unit_id in member_unit_ids(user) or can_manage(user)
    return can_manage(user)


def next_steps(minutes: Minutes) -> list[MinutesStep]:
    """The steps that may be signed now: the first unsigned one, or all consecutive unit countersigns."""
    open_steps = [s for s in minutes.steps.all() if s.signed_at is None]
    if not open_steps:
        return []
    first = open_steps[0]
    if first.step != MinutesStep.Step.UNIT_COUNTERSIGN:
        return [first]
    run = []
    for s in open_steps:
        if s.step != MinutesStep.Step.UNIT_COUNTERSIGN:
            break
        run.append(s)
    return run


def can_sign_step(user, minutes: Minutes) -> bool:
    day = getattr(minutes, "_day", None)
    return any(handles(user, s.post_id, day) for s in next_steps(minutes))


def can_read_decision(user, decision: Decision) -> bool:
    """MTG-12 / X-2: a confidential decision is read by the office, the chair and its named readers only."""
    if not decision.confidential:
        return can_view_meeting(user, decision.meeting)
    if can_manage(user) or handles(user, decision.meeting.chair_post_id):
        return True
    # Object-only: the named reader's guardian grant; `user.has_perm` would also accept a global grant.
    return is_named_decision_reader(user, decision)


# --- meeting page (views_meeting: topics, papers, agenda) ----------------------------------------------------

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
    regular kind of meeting (its date is public; their unit may have no topic on it yet) or one they can see."""
    if not _active(user) or meeting.state == MS.CANCELLED:
        return False
    if can_manage(user):
        return True
    if not member_unit_ids(user):
        return False
    return meeting.kind != MeetingKind.SPECIAL or can_view_meeting(user, meeting)


def can_record_proposer(user, topic: Topic, day: date | None = None) -> bool:
    """MTG-5 / MTG-3: who may put a topic forward — the head, the responsible deputy, the office director
    (executive, plenary); the secretary or a member (party group). `services.record_proposer` decides the path."""
    from tiexi_gov.org.selectors import leader_post_for_unit

    from .models import StandingSeat

    day = _day(day)
    ids = handled_post_ids(user, day)
    if not ids:
        return False
    kinds = set(Post.objects.filter(pk__in=ids).values_list("kind", flat=True))
    if topic.meeting.kind == MeetingKind.PARTY_GROUP:
        return (
            Post.Kind.PARTY_SECRETARY in kinds
            or StandingSeat.objects.filter(kind=MeetingKind.PARTY_GROUP, post_id__in=ids).exists()
        )
    if Post.Kind.HEAD in kinds or Post.Kind.OFFICE_DIRECTOR in kinds:
        return True
    responsible = leader_post_for_unit(topic.unit, day)
    return responsible is not None and responsible.pk in ids


def can_check_paper(user, topic: Topic, day: date | None = None) -> bool:
    """MTG-5: the reporting unit's main head vouches for its papers."""
    from tiexi_gov.org.selectors import unit_head_post

    post = unit_head_post(topic.unit)
    return post is not None and handles(user, post, day)


def can_review_paper(user, topic: Topic, day: date | None = None) -> bool:
    """MTG-5: the district leader in charge of the reporting unit reviews its papers."""
    from tiexi_gov.org.selectors import leader_post_for_unit

    post = leader_post_for_unit(topic.unit, _day(day))
    return post is not None and handles(user, post, day)


# --- minutes page (views_minutes): named readers of confidential decisions, in one query ---------------------


def _reader_grants(decision_ids):
    from django.contrib.contenttypes.models import ContentType
    from guardian.models import UserObjectPermission

    ct = ContentType.objects.get_for_model(Decision)
    return UserObjectPermission.objects.filter(
        content_type=ct,
        permission__content_type=ct,
        permission__codename="read_decision",
        object_pk__in=[str(pk) for pk in decision_ids],
    )


def is_named_decision_reader(user, decision: Decision) -> bool:
    """A confidential decision's named reader: an object grant only (a global permission never counts)."""
    if not _active(user):
        return False
    return user.is_superuser or _reader_grants([decision.pk]).filter(user=user).exists()


def readable_decision_ids(user, decisions) -> set[int]:
    """`can_read_decision` for all the decisions of one meeting the user may view, in at most one query."""
    decisions = list(decisions)
    if not _active(user):
        return set()
    public = {d.pk for d in decisions if not d.confidential}
    secret = [d for d in decisions if d.confidential]
    if not secret:
        return public
    if can_manage(user) or user.is_superuser:
        return public | {d.pk for d in secret}
    chaired = {d.pk for d in secret if handles(user, d.meeting.chair_post_id)}
    rest = [d.pk for d in secret if d.pk not in chaired]
    named = (
        {int(pk) for pk in _reader_grants(rest).filter(user=user).values_list("object_pk", flat=True)}
        if rest
        else set()
    )
    return public | chaired | named


def decision_readers(decision_ids) -> dict[int, list]:
    """The named readers of each decision (one query), for the office's list on the minutes page."""
    out: dict[int, list] = {}
    for grant in _reader_grants(decision_ids).select_related("user", "user__unit").order_by("user__username"):
        out.setdefault(int(grant.object_pk), []).append(grant.user)
    return out


# --- MTG-11 plan --------------------------------------------------------------------------------------------


def can_check_plan(user, plan: MeetingPlan) -> bool:
    return _active(user) and any(
        p.kind == Post.Kind.OFFICE_DIRECTOR for p in Post.objects.filter(pk__in=handled_post_ids(user))
    )


def can_approve_plan(user, plan: MeetingPlan) -> bool:
    head = head_post()
    return head is not None and handles(user, head)


def can_approve_as_deputy(user, meeting: DistrictMeeting) -> bool:
    from tiexi_gov.org.selectors import leader_post_for_unit

    post = leader_post_for_unit(meeting.unit, _day(None))
    return post is not None and handles(user, post)


def can_approve_as_head(user, meeting: DistrictMeeting) -> bool:
    return can_approve_plan(user, None)


def can_reject_unplanned(user, meeting: DistrictMeeting) -> bool:
    if meeting.state == DistrictMeeting.State.AWAITING_DEPUTY:
        return can_approve_as_deputy(user, meeting)
    return can_approve_as_head(user, meeting)

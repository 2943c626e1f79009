"""Every write of the meeting flow (MTG-2..MTG-5, MTG-7..MTG-9): who sits where and the invitations, topic intake and
its checks, papers, the agenda, replies and leave, sign-in and holding the meeting. One function per user action,
each one step of the workflow kernel (`tiexi_gov.workflow.kernel.step`): lock, check the rule (its own message),
fire the protected transition with its object permission, save, audit event, the items' tasks re-synced, notify
on commit.

One lock order everywhere: the meeting first, then its topic / leave request / minutes. A topic's step is done
inside its meeting's step (`topic_step`), because the agenda waits on its topics and their papers (MTG-5); a change
of the meeting's state re-syncs its live topics and pending leave requests, whose steps depend on it.

A topic: a unit's formal request filed with the office at least 3 WD before the meeting (MTG-5), put forward along
the right path, checked against MTG-8 and decided by the head; papers checked by the unit's main head and reviewed
by its district leader. The agenda goes to the head at least 1 day before and is frozen on approval.

`today` exists so that tests can state the day of the action; views never pass it.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Iterator
from contextlib import ExitStack, contextmanager
from dataclasses import dataclass, field

from django.urls import NoReverseMatch, reverse
from django.utils import timezone
from django_fsm import can_proceed

from documents.submissions.models import SubmissionKind
from tiexi_gov.deadlines.display import due_date, due_label
from tiexi_gov.org.models import Post, Unit, User
from tiexi_gov.org.roles import Role, users_with_role
from tiexi_gov.org.selectors import exec_deputy_post, head_post, leader_post_for_unit, unit_head_post, who_handles
from tiexi_gov.text import strip_text
from tiexi_gov.workdays import calendar as wd
from tiexi_gov.workflow.kernel import lock_row, step, today_or

from ..shared.errors import ActionNotAllowed, AgendaFrozen, AlreadyHandled, MeetingError, TopicTooLate
from . import permissions
from .models import (
    AGENDA_KINDS,
    INTAKE_KINDS,
    LIVE_TOPIC_STATES,
    MS,
    OPEN_MEETING_STATES,
    TOPIC_MINUTES_MAX,
    TOPIC_MINUTES_MIN,
    TS,
    Counter,
    Invitation,
    LeaveRequest,
    Meeting,
    MeetingKind,
    Paper,
    SeatRole,
    StandingSeat,
    Topic,
    proposer_rule,
)

INTAKE_WORKDAYS = 3  # MTG-5: the request is filed at least 3 WD before the meeting
# MTG-4: standing attendees by unit short name (the rule names these departments).
EXECUTIVE_ATTENDEE_UNITS = ("发改局", "财政局", "信访局", "审计局", "司法局")
DISCIPLINE_UNIT_MARK = "纪委"


# --- helpers shared by the meetings app's flows ----------------------------------------------------------------


def meeting_url(meeting: Meeting) -> str:
    try:
        return reverse("meetings:meeting", args=[meeting.pk])
    except NoReverseMatch:
        return ""


def required(value: str, label: str, *, keep_indent: bool = False) -> str:
    """The text trimmed, or the refusal 请填写…. `keep_indent`: a long text written as official text keeps its first
    paragraph's 　　 indentation (`tiexi_gov.text.strip_text`); short fields (names, titles) are trimmed whole."""
    value = strip_text(value) if keep_indent else (value or "").strip()
    if not value:
        raise MeetingError(f"请填写{label}。")
    return value


def next_number(key: str) -> int:
    """The next number of a series (meeting seq, 纪要编号), its counter row locked while it is taken."""
    Counter.objects.bulk_create([Counter(key=key, last=0)], ignore_conflicts=True)
    counter = Counter.objects.select_for_update().get(key=key)
    counter.last += 1
    counter.save(update_fields=["last"])
    return counter.last


def office_people() -> list[User]:
    return list(users_with_role(Role.OFFICE_STAFF)) + list(users_with_role(Role.OFFICE_DIRECTOR))


def person_of(post: Post | None, day: dt.date) -> User | None:
    return who_handles(post, day).person if post is not None else None


def capacity(post: Post, day: dt.date) -> str:
    """The record's capacity for a post's step: its title, or 代… / 受…委托主持工作 (its title) when acting."""
    h = who_handles(post, day)
    return post.title if not h.is_acting else f"{h.capacity}（{post.title}）"


def unit_by_mark(mark: str) -> Unit | None:
    return (
        Unit.objects.filter(active=True, short_name__contains=mark).order_by("order", "id").first()
        or Unit.objects.filter(active=True, name__contains=mark).order_by("order", "id").first()
    )


@contextmanager
def topic_step(topic: Topic | int, *, actor, today: dt.date | None = None, expect=()) -> Iterator[tuple]:
    """A step on a topic: its meeting's row locked first (one lock order everywhere), then the topic; leaving it
    syncs the topic's tasks and then the meeting's (the agenda waits on its topics and papers, MTG-5). Yields the
    meeting's and the topic's `Step`; the topic's `meeting` is the locked row."""
    pk = topic.pk if isinstance(topic, Topic) else topic
    meeting_id = Topic.objects.filter(pk=pk).values_list("meeting_id", flat=True).first()
    if meeting_id is None:
        raise MeetingError("该议题不存在或已被删除。")
    with (
        step(meeting_id, model=Meeting, actor=actor, today=today) as ms,
        step(topic, model=Topic, actor=actor, expect=expect, today=today) as ts,
    ):
        if ts.obj.meeting_id != ms.obj.pk:
            raise AlreadyHandled("该议题已改报其他会议，请刷新后查看。")
        ts.obj.meeting = ms.obj
        yield ms, ts


def resync_topics(meeting: Meeting, *, actor, day: dt.date) -> None:
    """After the meeting's state changed (its row locked by the caller): its live topics' steps depend on it."""
    for pk in meeting.topics.filter(state__in=LIVE_TOPIC_STATES).values_list("pk", flat=True):
        with step(pk, model=Topic, actor=actor, today=day) as ts:
            ts.obj.meeting = meeting


def resync_leaves(meeting: Meeting, *, actor, day: dt.date) -> None:
    """After the meeting was cancelled: its pending leave requests no longer wait on anyone."""
    pending = LeaveRequest.objects.filter(invitation__meeting=meeting, state=LeaveRequest.State.REQUESTED)
    for pk in pending.values_list("pk", flat=True):
        with step(pk, model=LeaveRequest, actor=actor, today=day) as ls:
            ls.obj.invitation.meeting = meeting


# --- MTG-1..4: who sits where, and the invitations ----------------------------------------------------------------


def ensure_standing_seats() -> int:
    """Seat the posts the rules name (idempotent; the office may adjust the rows in admin). Returns rows added."""
    head, exec_dep = head_post(), exec_deputy_post()
    deputies = list(Post.objects.filter(kind=Post.Kind.DEPUTY))
    secretary = Post.objects.filter(kind=Post.Kind.PARTY_SECRETARY).first() or head
    director = Post.objects.filter(kind=Post.Kind.OFFICE_DIRECTOR).first()
    office_deputies = list(Post.objects.filter(kind=Post.Kind.OFFICE_DEPUTY_DIRECTOR))
    department_heads = list(Post.objects.filter(kind=Post.Kind.UNIT_HEAD, unit__kind=Unit.Kind.DEPARTMENT))
    adviser = Post.objects.filter(kind=Post.Kind.LEGAL_ADVISER).first()
    plan: list[tuple[str, Post | None, str, str]] = [
        (MeetingKind.PLENARY, head, SeatRole.CHAIR, "MTG-2"),
        (MeetingKind.PLENARY, exec_dep, SeatRole.ENTRUSTED_CHAIR, "MTG-2"),
        *[(MeetingKind.PLENARY, p, SeatRole.MEMBER, "MTG-2") for p in deputies + department_heads],
        (MeetingKind.PARTY_GROUP, secretary, SeatRole.CHAIR, "MTG-3"),
        (MeetingKind.PARTY_GROUP, exec_dep, SeatRole.ENTRUSTED_CHAIR, "MTG-3"),
        *[(MeetingKind.PARTY_GROUP, p, SeatRole.MEMBER, "MTG-3") for p in deputies],
        *[(MeetingKind.PARTY_GROUP, p, SeatRole.ATTENDEE, "第五十四条（可安排列席）") for p in office_deputies[:1]],
        (MeetingKind.EXECUTIVE, head, SeatRole.CHAIR, "MTG-4"),
        (MeetingKind.EXECUTIVE, exec_dep, SeatRole.ENTRUSTED_CHAIR, "MTG-4"),
        *[(MeetingKind.EXECUTIVE, p, SeatRole.MEMBER, "MTG-4") for p in [*deputies, director]],
        *[(MeetingKind.EXECUTIVE, p, SeatRole.ATTENDEE, "MTG-4") for p in office_deputies],
        (MeetingKind.EXECUTIVE, adviser, SeatRole.ATTENDEE, "第五十五条（法律顾问）"),
    ]
    for mark in EXECUTIVE_ATTENDEE_UNITS:
        unit = unit_by_mark(mark)
        plan.append((MeetingKind.EXECUTIVE, unit_head_post(unit) if unit else None, SeatRole.ATTENDEE, "MTG-4"))
    discipline = unit_by_mark(DISCIPLINE_UNIT_MARK)
    if discipline is not None:
        post = Post.objects.filter(unit=discipline).order_by("order", "id").first()
        plan.append((MeetingKind.EXECUTIVE, post, SeatRole.INVITED, "第五十五条（邀请区纪委监委）"))
    added = 0
    for order, (kind, post, role, note) in enumerate(plan):
        if post is None:
            continue
        _, created = StandingSeat.objects.get_or_create(
            kind=kind, post=post, defaults={"role": role, "order": order, "rule_note": note}
        )
        added += created
    return added


def default_chair(kind: str) -> Post | None:
    seat = StandingSeat.objects.filter(kind=kind, role=SeatRole.CHAIR).select_related("post").first()
    if seat is not None:
        return seat.post
    if kind == MeetingKind.PARTY_GROUP:
        return Post.objects.filter(kind=Post.Kind.PARTY_SECRETARY).first() or head_post()
    return head_post()


PRESIDING_SEATS = (SeatRole.CHAIR, SeatRole.ENTRUSTED_CHAIR)


def presiding_role(meeting: Meeting, day: dt.date) -> tuple[User | None, str]:
    """Who presides on the meeting day, and as what (第五十三条~第五十五条): the chair post's own holder presides
    (主持); someone else does only on the head's (the secretary's) entrustment — named as the chair, or standing in
    while the head is away (受委托主持)."""
    chair = who_handles(meeting.chair_post, day)
    named_entrusted = StandingSeat.objects.filter(
        kind=meeting.kind, post=meeting.chair_post, role=SeatRole.ENTRUSTED_CHAIR
    ).exists()
    return chair.person, SeatRole.ENTRUSTED_CHAIR if chair.is_acting or named_entrusted else SeatRole.CHAIR


@dataclass
class Seating:
    """What refreshing a meeting's invitations changed: people invited anew, and people whose seat changed (who
    presides moved since the notice), by name with their seat now — each worth a line in the meeting's record."""

    added: int = 0
    reseated: list[str] = field(default_factory=list)

    def __bool__(self) -> bool:
        return bool(self.added or self.reseated)

    def summary(self) -> str:
        parts = [f"新增{self.added}人"] if self.added else []
        if self.reseated:
            parts.append("座次调整：" + "、".join(self.reseated))
        return "；".join(parts)


def _invite(
    meeting: Meeting,
    post: Post | None,
    role: str,
    day: dt.date,
    topic: Topic | None = None,
    presiding: tuple[User | None, str] | None = None,
    *,
    seating: Seating,
) -> None:
    """Invite whoever holds or acts for `post` on `day`; what it adds or re-seats goes into `seating`."""
    if post is None:
        return
    handler = who_handles(post, day)
    if handler.person is None or not permissions.may_take_part(handler.person):
        return  # vacant, or an administrator's account wrongly seated (三员分立)
    reseat = presiding is not None and role in PRESIDING_SEATS
    if reseat:
        # A seat that may preside is a member's seat unless its holder that day really presides (第五十五条).
        role = presiding[1] if handler.person == presiding[0] else SeatRole.MEMBER
    title = post.title if not handler.is_acting else f"{handler.capacity}"
    inv, created = Invitation.objects.get_or_create(
        meeting=meeting,
        person=handler.person,
        defaults={"post": post, "role": role, "capacity": title, "topic": topic},
    )
    seating.added += created
    if reseat and not created and inv.role != role and inv.role in (*PRESIDING_SEATS, SeatRole.MEMBER):
        inv.role = role  # the chair changed hands since the notice (an entrustment made or ended)
        inv.save(update_fields=["role"])
        seating.reseated.append(f"{handler.person.display_name}（{inv.get_role_display()}）")


def invite_seats_and_topics(meeting: Meeting) -> Seating:
    """Invite the standing seats' holders on the meeting day (acting included, MTG-4 / LEAVE-4) and the main heads
    of units tied to an accepted topic. Idempotent; returns what changed. Call it inside a step on the meeting
    (the invitees' reply tasks follow when the step ends)."""
    day = meeting.date
    presiding = presiding_role(meeting, day) if meeting.kind != MeetingKind.SPECIAL else None
    seating = Seating()
    for seat in StandingSeat.objects.filter(kind=meeting.kind).select_related("post"):
        _invite(meeting, seat.post, seat.role, day, presiding=presiding, seating=seating)
    if meeting.kind != MeetingKind.SPECIAL:
        _invite(meeting, meeting.chair_post, SeatRole.CHAIR, day, presiding=presiding, seating=seating)
        # Whoever was to preside before an entrustment was made or ended sits as a member now.
        stale = meeting.invitations.filter(role__in=PRESIDING_SEATS, substitute_for__isnull=True)
        for inv in stale.exclude(person=presiding[0]).select_related("person"):
            inv.role = SeatRole.MEMBER
            inv.save(update_fields=["role"])
            seating.reseated.append(f"{inv.person.display_name}（{inv.get_role_display()}）")
    for topic in meeting.topics.filter(state__in=(TS.ACCEPTED, TS.DISCUSSED)).select_related("unit"):
        _invite(meeting, unit_head_post(topic.unit), SeatRole.INVITED, day, topic, seating=seating)
        for unit in topic.related_units.all():
            _invite(meeting, unit_head_post(unit), SeatRole.INVITED, day, topic, seating=seating)
    return seating


def refresh_invitations(meeting: Meeting, *, actor=None, today: dt.date | None = None) -> Seating:
    """The office refreshes the invitations before the meeting (standing seats and accepted topics, acting
    arrangements included); a change of who sits where is recorded like an invitation added. `actor=None`: the
    system does it (a seed, a test)."""
    with step(meeting, actor=actor, today=today) as s:
        m = s.obj
        if actor is not None and not permissions.can_manage(actor):
            raise ActionNotAllowed("只有区政府办公室可以在会前刷新参会人员。")
        if m.state not in OPEN_MEETING_STATES:
            raise MeetingError("只有区政府办公室可以在会前刷新参会人员。")
        if actor is not None and s.day > m.date:  # 会前: a meeting whose day has passed invites nobody any more
            raise MeetingError(f"会议日期（{m.date:%Y-%m-%d}）已过，不能再刷新参会人员；参会人员只在会前刷新。")
        seating = invite_seats_and_topics(m)
        if seating:
            s.record("invitations_refreshed", "刷新参会人员", m.state, opinion=seating.summary())
    return seating


def add_special_attendee(
    *, actor, meeting: Meeting, person: User, post: Post | None = None, today: dt.date | None = None
) -> Invitation:
    """MTG-7: the chair decides who attends a special-topic meeting; the office records it."""
    with step(meeting, actor=actor, today=today) as s:
        m = s.obj
        if m.kind != MeetingKind.SPECIAL:
            raise MeetingError("只有专题会议的参会人员由主持人确定。")
        if not permissions.can_name_special_attendee(actor, m):
            raise ActionNotAllowed("专题会议参加人员由会议主持人确定（第五十六条）。")
        if not permissions.may_take_part(person):
            raise ActionNotAllowed(permissions.ADMIN_REFUSAL.format(name=person.display_name))
        inv, created = Invitation.objects.get_or_create(
            meeting=m,
            person=person,
            defaults={"post": post, "role": SeatRole.MEMBER, "capacity": post.title if post else ""},
        )
        if not created:  # named already (a second tab): nothing more to record or to tell
            raise AlreadyHandled(f"{person.display_name}已在参会人员名单中。")
        s.record("attendee_added", "确定参会人员", m.state, opinion=person.display_name, rule_id="MTG-7")
        start = f" {m.start_time:%H:%M}" if m.start_time else ""
        s.tell(
            [person],
            f"会议通知：{m.title}",
            f"{m.date}{start} {m.location}；请回复是否参加，不能参加须事先向会议主持人请假（第五十八条）。",
        )
    return inv


# --- MTG-5 / MTG-8: topics ------------------------------------------------------------------------------------


def last_filing_day(meeting: Meeting) -> dt.date:
    """MTG-5: the last day a topic's request may reach the office: the 3rd working day before the meeting.

    A DueDate: provisional (暂定) when the count crosses a year without an official calendar (CAL-2)."""
    return due_date(wd.subtract_workdays(meeting.date, INTAKE_WORKDAYS), since=meeting.date)


def next_open_meeting(meeting: Meeting, filed_on: dt.date) -> Meeting | None:
    """The next meeting of the same kind that a topic filed on `filed_on` can still reach."""
    for other in Meeting.objects.filter(kind=meeting.kind, date__gt=meeting.date, state=MS.SCHEDULED).order_by(
        "date", "id"
    )[:6]:
        if filed_on <= last_filing_day(other):
            return other
    return None


def frozen_reason(meeting: Meeting) -> str:
    """Why the meeting takes no more topics now (its agenda is with its decider, or approved); "" while it does."""
    who, article = meeting.agenda_decider, meeting.agenda_article
    if meeting.agenda_frozen:
        return f"该会议议程已经{who}审定，不再临时增加议题（{article}）。"
    if meeting.state == MS.AGENDA_SUBMITTED:
        return f"该会议议程已报{who}审定，如需增加议题请先由{who}退回议程（{article}）。"
    return ""


def _check_intake(meeting: Meeting, filed_on: dt.date) -> None:
    if reason := frozen_reason(meeting):
        raise AgendaFrozen(reason)
    if meeting.kind in INTAKE_KINDS and filed_on > last_filing_day(meeting):
        nxt = next_open_meeting(meeting, filed_on)
        tail = f"可改报{nxt.title}（{nxt.date}）。" if nxt else "请改报下次会议。"
        raise TopicTooLate(
            f"议题请示须于会前3个工作日报送区政府办公室，本次会议最迟{due_label(last_filing_day(meeting))}报送（第五十五条）。{tail}",
            last_day=last_filing_day(meeting),
            next_meeting=nxt,
        )


def propose_topic(
    *,
    actor,
    meeting: Meeting,
    unit: Unit,
    title: str,
    submission=None,
    summary: str = "",
    related_units: Iterable[Unit] = (),
    units_disagree: bool = False,
    reporter: str = "",
    duration_minutes: int | None = None,
    today: dt.date | None = None,
) -> Topic:
    """MTG-5: a unit's topic, filed as a formal request (请示 "提请会议研究") with the office at least 3 WD ahead.
    The filing day is the day the request reached the office (its submission date). MTG-3: a party-group topic is
    the secretary's or a member's — the office records it, with or without a request, on any day before the agenda
    goes to the secretary."""
    day = today_or(today)
    title = required(title, "议题名称")
    if meeting.kind == MeetingKind.PARTY_GROUP and not permissions.can_manage(actor):
        raise ActionNotAllowed(f"{proposer_rule(meeting)}，由区政府办公室登记，不由单位申报。", rule_id="MTG-3")
    if not (permissions.can_manage(actor) or unit.pk in permissions.member_unit_ids(actor, day)):
        raise ActionNotAllowed("只能申报本单位的议题。")
    if meeting.kind in INTAKE_KINDS and submission is None:
        raise MeetingError("议题须以部门正式请示（提请会议研究）报送区政府办公室（第五十五条）。", rule_id="MTG-5")
    if meeting.kind in AGENDA_KINDS and submission is not None:
        if submission.kind != SubmissionKind.REQUEST or submission.unit_id != unit.pk or not submission.for_meeting:
            raise MeetingError("议题须以本单位“提请区政府会议研究”的请示报送（第五十五条）。", rule_id="MTG-5")
        if submission.submitted_on is None:
            raise MeetingError("该请示尚未报送区政府办公室（第五十五条）。", rule_id="MTG-5")
    filed_on = submission.submitted_on if submission is not None and submission.submitted_on else day
    related = [u for u in related_units if u.pk != unit.pk]
    if units_disagree and not related:
        raise MeetingError("部门意见不一致的议题须列明涉及的部门。")
    if duration_minutes is not None and not TOPIC_MINUTES_MIN <= duration_minutes <= TOPIC_MINUTES_MAX:
        raise MeetingError(f"汇报时长须在{TOPIC_MINUTES_MIN}至{TOPIC_MINUTES_MAX}分钟之间。")
    with step(meeting, actor=actor, today=day) as ms:
        _check_intake(ms.obj, filed_on)
        topic = Topic.objects.create(
            meeting=ms.obj,
            unit=unit,
            title=title,
            summary=strip_text(summary),
            submission=submission,
            filed_on=filed_on,
            units_disagree=units_disagree,
            reporter=reporter.strip(),
            duration_minutes=duration_minutes,
            created_by=actor,
            order=ms.obj.topics.count() + 1,
        )
        topic.related_units.set(related)
        with step(topic, actor=actor, today=day) as ts:
            ts.obj.meeting = ms.obj
            party = ms.obj.kind == MeetingKind.PARTY_GROUP  # MTG-3: the office records a member's topic
            ts.record(
                "proposed",
                "登记议题" if party else "申报议题",
                "",
                after=topic.state,
                opinion=f"{ms.obj.title}：{title}",
                rule_id=agenda_rule(ms.obj),
            )
            ts.tell(
                office_people(),
                f"新议题申报：{title}",
                f"{unit.display_name}申报{ms.obj.title}",
                url=meeting_url(ms.obj),
            )
    return ts.obj


def move_topic(*, actor, topic: Topic, to_meeting: Meeting, today: dt.date | None = None) -> Topic:
    """A topic too late for one meeting is moved to a later one (the same 3-WD rule applies there)."""
    day = today_or(today)
    current = Topic.objects.filter(pk=topic.pk).values_list("meeting_id", flat=True).first()
    with ExitStack() as stack:
        locked = {
            pk: stack.enter_context(step(pk, model=Meeting, actor=actor, today=day)).obj
            for pk in sorted({current, to_meeting.pk})
        }
        ts = stack.enter_context(step(topic, actor=actor, today=day))
        t = ts.obj
        t.meeting = locked[current]
        if not permissions.can_withdraw_topic(actor, t):
            raise ActionNotAllowed("您无权调整该议题。")
        if t.state != TS.PROPOSED:
            raise MeetingError("只有待审核的议题可以改报其他会议。")
        target = locked[to_meeting.pk]
        if target.kind != t.meeting.kind:
            raise MeetingError("只能改报同类会议。")
        _check_intake(target, t.filed_on)
        t.moved_from, t.meeting = t.meeting, target
        ts.touch()
        ts.record("moved", "改报下次会议", t.state, opinion=f"{t.moved_from.title}→{target.title}", rule_id="MTG-5")
    return t


def withdraw_topic(*, actor, topic: Topic, reason: str, today: dt.date | None = None) -> Topic:
    """The reporting unit (or the office) withdraws its topic while the office is still building the agenda; once
    the agenda is with the head (or approved) it stays as the head has it (MTG-5)."""
    reason = required(reason, "撤回原因")
    with topic_step(topic, actor=actor, today=today) as (ms, ts):
        meeting = ms.obj
        if meeting.agenda_frozen or meeting.state == MS.AGENDA_SUBMITTED:
            who = meeting.agenda_decider
            raise AgendaFrozen(f"议程已报{who}审定，议题不能自行撤回；如需调整请报{who}（{meeting.agenda_article}）。")
        before = ts.fire("withdraw")
        ts.record("withdrawn", "撤回议题", before, opinion=reason, rule_id="MTG-5")
        ts.tell(office_people(), f"议题撤回：{ts.obj.title}", reason, url=meeting_url(meeting))
    return ts.obj


def _proposer_path(actor, topic: Topic, day: dt.date) -> tuple[str, Post | None]:
    """MTG-5 / MTG-3: the path by which `actor` puts the topic forward, with the post they do it in."""
    handled = list(Post.objects.filter(pk__in=permissions.handled_post_ids(actor, day)))
    by_kind = {p.kind: p for p in handled}
    if topic.meeting.kind == MeetingKind.PARTY_GROUP:
        if Post.Kind.PARTY_SECRETARY in by_kind:
            return Topic.ProposerPath.SECRETARY, by_kind[Post.Kind.PARTY_SECRETARY]
        seat = (
            StandingSeat.objects.filter(
                kind=MeetingKind.PARTY_GROUP, role__in=permissions.PARTY_GROUP_PROPOSER_ROLES, post__in=handled
            )
            .select_related("post")
            .first()
        )
        return (Topic.ProposerPath.MEMBER, seat.post) if seat else ("", None)
    if Post.Kind.HEAD in by_kind:
        return Topic.ProposerPath.HEAD, by_kind[Post.Kind.HEAD]
    responsible = leader_post_for_unit(topic.unit, day)
    if responsible is not None and responsible.pk in {p.pk for p in handled}:
        return Topic.ProposerPath.DEPUTY, responsible
    if Post.Kind.OFFICE_DIRECTOR in by_kind:
        return Topic.ProposerPath.DIRECTOR, by_kind[Post.Kind.OFFICE_DIRECTOR]
    return "", None


def record_proposer(*, actor, topic: Topic, note: str = "", today: dt.date | None = None) -> Topic:
    """MTG-5 / MTG-3: the proposer path — the head; the responsible deputy or the office director after their
    coordination review (executive); the secretary, or a member with the secretary deciding (party group). The
    first time it is the step the topic waits on; afterwards a correction by one of the same people."""
    day = today_or(today)
    with topic_step(topic, actor=actor, today=day) as (ms, ts):
        t = ts.obj
        path, post = _proposer_path(actor, t, day)
        if not path:
            raise ActionNotAllowed(f"{proposer_rule(ms.obj)}。")
        if path in (Topic.ProposerPath.DEPUTY, Topic.ProposerPath.DIRECTOR, Topic.ProposerPath.MEMBER):
            note = required(note, "协调审核意见", keep_indent=True)
        if (t.proposer_path, t.proposer_post_id, t.proposer_note) == (path, getattr(post, "pk", None), note.strip()):
            return t  # the same proposer, the same note: saved again unchanged, nothing to record
        if can_proceed(t.record_proposer):
            ts.fire("record_proposer")
        t.proposer_path, t.proposer_post, t.proposer_note = path, post, note.strip()
        ts.touch()
        ts.record(
            "proposer_recorded",
            t.get_proposer_path_display(),
            t.state,
            opinion=note,
            rule_id=agenda_rule(ms.obj),
            capacity=capacity(post, day),
            handler=permissions.handler_for(actor, post, day),
        )
    return t


def record_checklist(
    *, actor, topic: Topic, significance: bool, substance: bool, procedure: bool, today: dt.date | None = None
) -> Topic:
    """MTG-8: the office's gate before a topic is put on the agenda (while it is not met, the office's task stays)."""
    if not permissions.can_manage(actor):
        raise ActionNotAllowed("议题审核由区政府办公室完成。")
    with topic_step(topic, actor=actor, today=today) as (_ms, ts):
        t = ts.obj
        marked = (t.check_significance, t.check_substance, t.check_procedure)
        if t.checked_by_id is not None and marked == (significance, substance, procedure):
            return t  # saved again unchanged: not a second check, and who checked when stays as it was
        if can_proceed(t.record_checklist):
            ts.fire("record_checklist")
        t.check_significance, t.check_substance, t.check_procedure = significance, substance, procedure
        t.checked_by, t.checked_at = actor, timezone.now()
        ts.touch()
        marks = "；".join(
            f"{label}：{'是' if ok else '否'}"
            for label, ok in (("法定或全局", significance), ("实质内容和明确意见", substance), ("程序完整", procedure))
        )
        ts.record("checked", "议题审核（上会条件）", t.state, opinion=marks, rule_id="MTG-8")
    return t


def record_agreement(*, actor, topic: Topic, agreement: str, today: dt.date | None = None) -> Topic:
    """MTG-8: the agreement reached at the coordinating special-topic meeting (from its signed minutes)."""
    agreement = required(agreement, "协调形成的一致意见", keep_indent=True)
    with topic_step(topic, actor=actor, today=today) as (_ms, ts):
        t = ts.obj
        if not permissions.can_record_agreement(actor, t):
            raise ActionNotAllowed("您无权登记该议题的协调意见。")
        if t.agreement_text and t.agreement_text.strip() == agreement.strip():
            return t  # the same agreement saved again: nothing to record
        if can_proceed(t.record_agreement):
            ts.fire("record_agreement")
        t.agreement_text = agreement
        ts.touch()
        ts.record("agreement_recorded", "登记专题会协调一致意见", t.state, opinion=agreement, rule_id="MTG-8")
    return t


def agenda_rule(meeting: Meeting) -> str:
    """Who decides the topics and the agenda: the party secretary (MTG-3, 第五十四条), else the head (MTG-5)."""
    return "MTG-3" if meeting.kind == MeetingKind.PARTY_GROUP else "MTG-5"


def topic_violations(topic: Topic) -> list[str]:
    """Why a topic may not go on the agenda yet (MTG-5, MTG-8); empty when it may."""
    return topic.violations()


def decide_topic(*, actor, topic: Topic, accept: bool, reason: str = "", today: dt.date | None = None) -> Topic:
    """The head (the chair) decides whether the topic goes on the agenda; refusals carry a reason."""
    day = today_or(today)
    with topic_step(topic, actor=actor, today=day) as (ms, ts):
        t, meeting = ts.obj, ms.obj
        if accept:
            if meeting.agenda_frozen:
                raise AgendaFrozen(frozen_reason(meeting))
            problems = t.violations()
            if problems:
                raise MeetingError("；".join(problems), rule_id="MTG-8")
            if not permissions.can_decide_topic(actor, t):
                raise ActionNotAllowed(f"议题由{meeting.agenda_decider}确定（{meeting.agenda_article}）。")
            before = ts.fire("accept")
            t.head_decided_by, t.head_decided_at = actor, timezone.now()
        else:
            reason = required(reason, "不予上会的理由")
            before = ts.fire("refuse")
            t.refusal_reason = reason[:300]
        ts.record(
            "decided",
            "确定上会" if accept else "不予上会",
            before,
            opinion=reason,
            rule_id=agenda_rule(meeting) if accept else "MTG-8",
            capacity=capacity(meeting.chair_post, day),
            handler=permissions.handler_for(actor, meeting.chair_post_id, day),
        )
        ts.tell(
            User.objects.filter(unit_id=t.unit_id, is_active=True),
            f"议题{'已列入' if accept else '未列入'}{meeting.title}：{t.title}",
            reason,
            url=meeting_url(meeting),
        )
    return t


# --- papers ----------------------------------------------------------------------------------------------------


def add_paper(*, actor, topic: Topic, title: str, file, today: dt.date | None = None) -> Paper:
    """MTG-5: the reporting unit drafts the papers (each then waits for its main head's check)."""
    if not permissions.can_add_paper(actor, topic):
        raise ActionNotAllowed("会议材料由议题汇报单位起草。")
    with topic_step(topic, actor=actor, today=today) as (ms, ts):
        # the meeting as it is now (locked), not as the caller read it: an approval may have come in between
        if ms.obj.agenda_frozen:
            raise AgendaFrozen("议程已审定，材料不能再增加（第五十五条）。")
        if can_proceed(ts.obj.add_paper):
            ts.fire("add_paper")  # the first paper of a topic on the agenda: the unit's 待上传 task closes
        paper = Paper.objects.create(topic=ts.obj, title=required(title, "材料名称"), file=file, uploaded_by=actor)
        ts.record("paper_added", "上传会议材料", ts.obj.state, opinion=paper.title, rule_id="MTG-5")
    return paper


def _locked_paper(paper: Paper, topic: Topic) -> Paper:
    fresh = lock_row(Paper, paper.pk)
    if fresh.topic_id != topic.pk:
        raise MeetingError("该材料不存在。")
    fresh.topic = topic
    return fresh


def check_paper(*, actor, paper: Paper, today: dt.date | None = None) -> Paper:
    """MTG-5: the unit's main head vouches for the paper (部门主要领导严格把关)."""
    day = today_or(today)
    post = unit_head_post(paper.topic.unit)
    if post is None or not permissions.handles(actor, post, day):
        raise ActionNotAllowed("会议材料须由汇报单位主要负责人把关（第五十五条）。")
    with topic_step(paper.topic_id, actor=actor, today=day) as (_ms, ts):
        paper = _locked_paper(paper, ts.obj)
        _refuse_if_done(paper.checked_at, paper.checked_by, "把关")
        if can_proceed(ts.obj.check_paper):
            ts.fire("check_paper")
        paper.checked_by, paper.checked_at = actor, timezone.now()
        ts.touch(paper)
        ts.record(
            "paper_checked",
            "主要负责人把关",
            ts.obj.state,
            opinion=paper.title,
            rule_id="MTG-5",
            capacity=capacity(post, day),
            handler=permissions.handler_for(actor, post, day),
        )
    return paper


def _refuse_if_done(at, by, what: str) -> None:
    """A paper is checked (reviewed) once: the same form posted again (a second tab, a resubmit) writes nothing
    and says who did it when, instead of another record and a moved date."""
    if at is not None:
        who = by.display_name if by else "他人"
        when = f"{timezone.localtime(at):%Y-%m-%d %H:%M}"
        raise AlreadyHandled(f"该材料已由{who}于{when}{what}，无需重复操作。", handled_by=by)


def review_paper(*, actor, paper: Paper, today: dt.date | None = None) -> Paper:
    """MTG-5: the district leader in charge of the unit reviews (报分管区领导审核), after the head's check."""
    day = today_or(today)
    post = leader_post_for_unit(paper.topic.unit, day)
    if post is None or not permissions.handles(actor, post, day):
        raise ActionNotAllowed("会议材料须由分管区领导审核（第五十五条）。")
    with topic_step(paper.topic_id, actor=actor, today=day) as (_ms, ts):
        paper = _locked_paper(paper, ts.obj)
        if paper.checked_at is None:
            raise MeetingError("须先由单位主要负责人把关，再报分管区领导审核（第五十五条）。", rule_id="MTG-5")
        _refuse_if_done(paper.reviewed_at, paper.reviewed_by, "审核")
        if can_proceed(ts.obj.review_paper):
            ts.fire("review_paper")
        paper.reviewed_by, paper.reviewed_at = actor, timezone.now()
        ts.touch(paper)
        ts.record(
            "paper_reviewed",
            "分管区领导审核",
            ts.obj.state,
            opinion=paper.title,
            rule_id="MTG-5",
            capacity=capacity(post, day),
            handler=permissions.handler_for(actor, post, day),
        )
    return paper


# --- the agenda ------------------------------------------------------------------------------------------------


def agenda_deadline(meeting: Meeting) -> dt.date | None:
    """MTG-5: topics and papers reach the head at least 1 day before the meeting (no such day for the party group,
    第五十四条)."""
    return meeting.date - dt.timedelta(days=1) if meeting.kind in INTAKE_KINDS else None


def submit_agenda(*, actor, meeting: Meeting, today: dt.date | None = None) -> Meeting:
    """MTG-5: topics and papers go to the head at least 1 day before the meeting; every paper must be ready. A
    party-group agenda goes to the secretary (MTG-3)."""
    day = today_or(today)
    with step(meeting, actor=actor, expect=(MS.SCHEDULED,), today=day) as s:
        m = s.obj
        if m.kind not in AGENDA_KINDS:
            raise MeetingError("专题会议的参会人员和议题由主持人确定，无需报审议程（第五十六条）。", rule_id="MTG-7")
        if m.needs_consent:
            raise MeetingError(f"临时召开的会议须先经{m.agenda_decider}同意（{m.agenda_article}）。", rule_id="MTG-4")
        if m.kind in INTAKE_KINDS and day > agenda_deadline(m):
            raise MeetingError(
                f"议题和文件须于会前1天报区长审定（最迟{agenda_deadline(m)}）（第五十五条）。", rule_id="MTG-5"
            )
        topics = m.agenda_topics()
        if not topics:
            raise MeetingError("议程中还没有已确定的议题。")
        unready = [t.title for t in m.unready_topics(topics)]
        if unready:
            raise MeetingError(
                "以下议题的会议材料尚未经单位主要负责人把关和分管区领导审核：" + "、".join(unready), rule_id="MTG-5"
            )
        before = s.fire("submit_agenda")
        m.agenda_sent_on = day
        s.record(
            "agenda_submitted",
            f"议程报{m.agenda_decider}审定",
            before,
            opinion="；".join(t.title for t in topics),
            rule_id=agenda_rule(m),
        )
        s.tell([person_of(m.chair_post, day)], f"请审定会议议程：{m.title}")
    return m


def approve_agenda(*, actor, meeting: Meeting, today: dt.date | None = None) -> Meeting:
    """MTG-5: the head approves the agenda; it is frozen and the papers go to the attendees (and only them)."""
    day = today_or(today)
    with step(meeting, actor=actor, expect=(MS.AGENDA_SUBMITTED,), today=day) as s:
        m = s.obj
        before = s.fire("approve_agenda")
        m.agenda_approved_by, m.agenda_approved_at = actor, timezone.now()
        invite_seats_and_topics(m)
        s.record(
            "agenda_approved",
            f"{m.agenda_decider}审定议程（议程冻结）",
            before,
            rule_id=agenda_rule(m),
            capacity=capacity(m.chair_post, day),
            handler=permissions.handler_for(actor, m.chair_post_id, day),
        )
        resync_topics(m, actor=actor, day=day)  # frozen: no more topic is checked, decided or given papers
        s.tell(
            [i.person for i in m.invitations.select_related("person")],
            f"会议通知：{m.title}",
            f"{m.date} {m.start_time:%H:%M} {m.location}；"
            "会议材料已可查阅。请回复是否参加，不能出席须会前请假（第五十八条）。",
        )
    return m


def send_back_agenda(*, actor, meeting: Meeting, reason: str, today: dt.date | None = None) -> Meeting:
    reason = required(reason, "退回原因")
    with step(meeting, actor=actor, expect=(MS.AGENDA_SUBMITTED,), today=today) as s:
        before = s.fire("send_back_agenda")
        s.record("agenda_sent_back", "退回议程", before, opinion=reason, rule_id=agenda_rule(s.obj))
        s.tell(office_people(), f"议程被退回：{s.obj.title}", reason)
    return s.obj


# --- MTG-9: attendance and leave --------------------------------------------------------------------------------


def _refuse_administrator(person: User) -> None:
    """三员分立: an administrator's account neither answers, asks leave, is sent nor is signed in for a meeting."""
    if not permissions.may_take_part(person):
        raise ActionNotAllowed(permissions.ADMIN_REFUSAL.format(name=person.display_name))


def leave_route(invitation: Invitation) -> tuple[str, Post | None]:
    """MTG-9 (第五十八条): whom the requester asks, by their post and the kind of meeting."""
    meeting = invitation.meeting
    post = invitation.post
    director = Post.objects.filter(kind=Post.Kind.OFFICE_DIRECTOR).first()
    if meeting.kind == MeetingKind.SPECIAL:
        return LeaveRequest.Route.CHAIR, meeting.chair_post
    if post is not None and post.is_leader:
        return LeaveRequest.Route.CHAIR, meeting.chair_post
    if post is not None and post.kind in (Post.Kind.UNIT_HEAD, Post.Kind.OFFICE_DIRECTOR):
        # 区政府部门、单位主要负责人: the office is one of them, and its director would otherwise approve his own.
        return LeaveRequest.Route.CHAIR_THEN_OFFICE, meeting.chair_post
    if director is not None and permissions.handles(invitation.person, director, meeting.date):
        return LeaveRequest.Route.CHAIR, meeting.chair_post  # acting for the director: nobody approves his own
    return LeaveRequest.Route.OFFICE_DIRECTOR, director


def reply_invitation(*, actor, invitation: Invitation, attend: bool, today: dt.date | None = None) -> Invitation:
    """The invitee answers the meeting notice: 参加. Not attending is a leave request (MTG-9)."""
    _refuse_administrator(actor)
    if not permissions.can_answer_invitation(actor, invitation):
        raise ActionNotAllowed("只能回复本人的会议通知。")
    if not attend:
        raise MeetingError("不能出席须提出请假（第五十八条）。", rule_id="MTG-9")
    with step(invitation.meeting_id, model=Meeting, actor=actor, today=today) as s:
        inv = lock_row(Invitation, invitation.pk)
        if inv.reply == Invitation.Reply.ATTEND:
            return inv
        if inv.reply == Invitation.Reply.LEAVE:
            raise MeetingError("已提出请假，请假未获批准前不能改为参加。", rule_id="MTG-9")
        before = s.fire("reply_invitation")
        inv.reply = Invitation.Reply.ATTEND
        s.touch(inv)
        s.record("replied", "回复参加", before, opinion=actor.display_name)
    return inv


def request_leave(
    *,
    actor,
    invitation: Invitation,
    reason: str,
    substitute: User | None = None,
    opinions: str = "",
    today: dt.date | None = None,
) -> LeaveRequest:
    """MTG-9: asked before the meeting; a unit's main head names another leader of the unit to attend."""
    day = today_or(today)
    reason = required(reason, "请假事由")
    _refuse_administrator(actor)
    if not permissions.can_answer_invitation(actor, invitation):
        raise ActionNotAllowed("只能为本人请假。")
    meeting = invitation.meeting
    if day > meeting.date:
        raise MeetingError("须在会前请假（第五十八条）。", rule_id="MTG-9")
    route, approver = leave_route(invitation)
    if approver is None:
        raise MeetingError("未找到请假审批人，请联系区政府办公室。")
    if route == LeaveRequest.Route.CHAIR_THEN_OFFICE:
        if substitute is None:
            raise MeetingError("单位主要负责人请假须安排其他负责人参加会议（第五十八条）。", rule_id="MTG-9")
        if substitute.unit_id != (invitation.post.unit_id if invitation.post else actor.unit_id):
            raise MeetingError("代为参会的须是本单位其他负责人（第五十八条）。", rule_id="MTG-9")
        _refuse_administrator(substitute)
    with step(meeting, actor=actor, today=day) as ms:
        inv = lock_row(Invitation, invitation.pk)
        earlier = LeaveRequest.objects.filter(invitation=inv).first()
        if earlier is not None and earlier.state != LeaveRequest.State.WITHDRAWN:
            raise AlreadyHandled("已提出过请假。")
        fields = {
            "reason": reason,
            "route": route,
            "approver_post": approver,
            "substitute": substitute,
            "opinions": strip_text(opinions),
        }
        leave = earlier or LeaveRequest.objects.create(invitation=inv, **fields)
        inv.reply = Invitation.Reply.LEAVE
        ms.touch(inv)  # the invitee's reply task closes: a leave request is the other answer
        inv.meeting = ms.obj
        with step(leave, actor=actor, today=day) as ls:
            ls.obj.invitation = inv
            before = ""
            if earlier is not None:  # asked again after withdrawing it: the same row, its history kept
                before = ls.fire("request_again")
                for name, value in fields.items():
                    setattr(ls.obj, name, value)
                ls.obj.decided_by = ls.obj.decided_at = None
                leave = ls.obj
            ls.record(
                "requested", leave.get_route_display(), before, after=leave.state, opinion=reason, rule_id="MTG-9"
            )
            ls.tell(
                [person_of(approver, day)],
                f"会议请假待审批：{actor.display_name}（{ms.obj.title}）",
                reason,
                url=meeting_url(ms.obj),
            )
    return ls.obj


def withdraw_leave(*, actor, invitation: Invitation, today: dt.date | None = None) -> LeaveRequest:
    """The requester can attend after all: the request not yet decided is taken back, the reply is 参加 again, and
    the approver is told (the approver's task closes with it). A decided one stands: it is the approver's word."""
    day = today_or(today)
    _refuse_administrator(actor)
    if not permissions.can_answer_invitation(actor, invitation):
        raise ActionNotAllowed("只能撤回本人的请假。")
    leave_id = LeaveRequest.objects.filter(invitation_id=invitation.pk).values_list("pk", flat=True).first()
    if leave_id is None:
        raise MeetingError("没有可撤回的请假。")
    with step(invitation.meeting_id, model=Meeting, actor=actor, today=day) as ms:
        if day > ms.obj.date or ms.obj.state not in OPEN_MEETING_STATES:
            raise MeetingError("会议已召开或已取消，不能撤回请假。")
        with step(leave_id, model=LeaveRequest, actor=actor, today=day) as ls:
            lv = ls.obj
            if lv.state != LeaveRequest.State.REQUESTED:
                raise AlreadyHandled(f"该请假已处理（{lv.get_state_display()}），不能撤回。", handled_by=lv.decided_by)
            inv = lock_row(Invitation, invitation.pk)
            inv.meeting = ms.obj
            lv.invitation = inv
            before = ls.fire("withdraw")
            inv.reply = Invitation.Reply.ATTEND
            ms.touch(inv)
            ls.record("withdrawn", "撤回请假（改为参加）", before, rule_id="MTG-9")
            ls.tell(
                [person_of(lv.approver_post, day)],
                f"会议请假已撤回：{actor.display_name}（{ms.obj.title}）",
                "本人已撤回请假，将按时参加会议。",
                url=meeting_url(ms.obj),
            )
    return ls.obj


def decide_leave(
    *, actor, leave: LeaveRequest, approve: bool, opinion: str = "", today: dt.date | None = None
) -> LeaveRequest:
    """The approver post's handler approves or refuses; a main head's approved leave is filed with the office and
    the named substitute is invited; a refused one leaves the invitation to answer (MTG-9)."""
    day = today_or(today)
    meeting_id = LeaveRequest.objects.filter(pk=leave.pk).values_list("invitation__meeting_id", flat=True).first()
    if meeting_id is None:
        raise MeetingError("该请假不存在或已被删除。")
    with step(meeting_id, model=Meeting, actor=actor, today=day) as ms, step(leave, actor=actor, today=day) as ls:
        lv = ls.obj
        if lv.state != LeaveRequest.State.REQUESTED:
            raise AlreadyHandled(f"该请假已处理（{lv.get_state_display()}）。", handled_by=lv.decided_by)
        if lv.invitation.person_id == actor.pk:
            raise ActionNotAllowed("不能审批本人的请假（第五十八条）。")
        inv = lv.invitation
        inv.meeting = ms.obj
        before = ls.fire("approve" if approve else "reject")
        lv.decided_by, lv.decided_at = actor, timezone.now()
        if approve and lv.route == LeaveRequest.Route.CHAIR_THEN_OFFICE:
            lv.filed_with_office_at = timezone.now()
            Invitation.objects.get_or_create(
                meeting=ms.obj,
                person=lv.substitute,
                defaults={
                    "role": inv.role,
                    "post": None,
                    "capacity": f"代{inv.person.display_name}参会",
                    "substitute_for": inv,
                    "topic": inv.topic,
                },
            )
        if not approve:
            inv.reply = Invitation.Reply.PENDING  # the invitation stands: answer it again
            ls.touch(inv)
        ls.record(
            "decided",
            "准假" if approve else "不准假",
            before,
            opinion=opinion,
            rule_id="MTG-9",
            capacity=capacity(lv.approver_post, day),
            handler=permissions.handler_for(actor, lv.approver_post_id, day),
        )
        ls.tell(
            [inv.person],
            f"会议请假{'已批准' if approve else '未批准'}：{ms.obj.title}",
            opinion,
            url=meeting_url(ms.obj),
        )
        if approve and lv.route == LeaveRequest.Route.CHAIR_THEN_OFFICE:
            ls.tell(
                office_people(),
                f"请假报备：{inv.person.display_name}（{ms.obj.title}）",
                f"由{lv.substitute.display_name}代为参会。",
                url=meeting_url(ms.obj),
            )
    return lv


def sign_in(*, actor, invitation: Invitation, today: dt.date | None = None) -> Invitation:
    day = today_or(today)
    _refuse_administrator(invitation.person)
    if not permissions.can_sign_in(actor, invitation):
        raise ActionNotAllowed("签到由本人或会务人员办理。")
    if day != invitation.meeting.date:
        raise MeetingError("只能在会议当天签到。")
    with step(invitation.meeting_id, model=Meeting, actor=actor, today=day) as s:
        inv = lock_row(Invitation.objects.select_related("person"), invitation.pk)
        if inv.signed_in_at is not None:
            raise AlreadyHandled(f"{inv.person.display_name}已于{timezone.localtime(inv.signed_in_at):%H:%M}签到。")
        if LeaveRequest.objects.filter(invitation=inv, state=LeaveRequest.State.APPROVED).exists():
            # The record would say both 已准假 and 签到; the page offers no sign-in for this row either.
            raise MeetingError(f"{inv.person.display_name}已获准请假，不能签到（第五十八条）。", rule_id="MTG-9")
        inv.signed_in_at = timezone.now()
        s.touch(inv)
        s.record("signed_in", "签到", s.obj.state, opinion=inv.person.display_name)
    return inv


def mark_held(*, actor, meeting: Meeting, today: dt.date | None = None) -> Meeting:
    """The office records that the meeting took place: its accepted topics are discussed, the minutes may start."""
    day = today_or(today)
    with step(meeting, actor=actor, today=day) as s:
        m = s.obj
        if day < m.date:
            raise MeetingError("会议尚未召开。")
        if m.kind in AGENDA_KINDS and m.state != MS.AGENDA_APPROVED:
            raise MeetingError(f"议程须经{m.agenda_decider}审定后方可召开（{m.agenda_article}）。", rule_id="MTG-5")
        before = s.fire("mark_held")
        s.record("held", "会议召开", before, rule_id="MTG-1")
        for pk in m.topics.filter(state=TS.ACCEPTED).values_list("pk", flat=True):
            with step(pk, model=Topic, actor=actor, today=day) as ts:
                ts.obj.meeting = m
                topic_before = ts.fire("discuss", check_perm=False)
                ts.record("discussed", "上会研究", topic_before, rule_id="MTG-1")
        resync_topics(m, actor=actor, day=day)
    return m

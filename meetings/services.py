"""Every write of the meetings app (MTG-1..MTG-12): one function per user action, each in one transaction with
its audit event, its clocks and its notifications (delivered on commit).

The year: regular party-group and executive meetings on each month's second Wednesday (executive right after
the party group), plenaries twice a year; postponements by the secretary / head with a reason; ad hoc meetings
with the head's consent; special-topic meetings chaired by a district leader.

A topic: a unit's formal request filed with the office at least 3 WD before the meeting (MTG-5), proposed along
the right path, checked against MTG-8 and decided by the head; papers checked by the unit's main head and
reviewed by its district leader. The agenda goes to the head at least 1 day before and is frozen on approval.

After the meeting: minutes with one decision per topic, signed along the kind's chain in order by the right
post (MTG-3, MTG-6, MTG-7). Signing the minutes makes the decisions take effect: documents to issue get a
draft and a 7-WD clock (MTG-10), assigned work becomes supervision items, and plenary / executive decisions
are published unless confidential (MTG-12).

`today` exists so that tests can state the day of the action; views never pass it.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable

from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.urls import NoReverseMatch, reverse
from django.utils import timezone
from django_fsm import ConcurrentTransition, can_proceed, has_transition_perm
from guardian.shortcuts import assign_perm

from tiexi_gov.audit.services import record_event
from tiexi_gov.deadlines.services import open_deadline
from tiexi_gov.notify.services import notify
from tiexi_gov.org.models import Post, Unit, User
from tiexi_gov.org.roles import Role, users_with_role
from tiexi_gov.org.selectors import (
    exec_deputy_post,
    head_post,
    judicial_deputy_post,
    leader_post_for_unit,
    unit_head_post,
    who_handles,
)
from tiexi_gov.workdays import calendar as wd

from . import permissions
from .models import (
    AGENDA_KINDS,
    MS,
    PUBLISHING_KINDS,
    TS,
    CalendarToken,
    Counter,
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
    Postponement,
    SeatRole,
    StandingSeat,
    Topic,
)

INTAKE_WORKDAYS = 3  # MTG-5: the request is filed at least 3 WD before the meeting
ISSUE_WORKDAYS = 7  # MTG-10
PARTY_GROUP_TIME = dt.time(8, 30)
EXECUTIVE_TIME = dt.time(10, 0)  # MTG-4: right after the party group meeting
PLENARY_MONTHS = (1, 7)  # MTG-2: normally every half year
# MTG-4: standing attendees by unit short name (the rule names these departments).
EXECUTIVE_ATTENDEE_UNITS = ("发改局", "财政局", "信访局", "审计局", "司法局")
DISCIPLINE_UNIT_MARK = "纪委"
LEGALITY_UNIT_MARK = "司法局"


class MeetingError(Exception):
    def __init__(self, message: str, *, rule_id: str = ""):
        super().__init__(message)
        self.message = message
        self.rule_id = rule_id

    def __str__(self) -> str:
        return self.message


class TopicTooLate(MeetingError):
    """MTG-5: filed later than 3 WD before the meeting; says the last allowed day and the next meeting."""

    def __init__(self, message: str, *, last_day: dt.date, next_meeting: Meeting | None):
        super().__init__(message, rule_id="MTG-5")
        self.last_day = last_day
        self.next_meeting = next_meeting


class AgendaFrozen(MeetingError):
    pass


class AlreadyHandled(MeetingError):
    pass


class ActionNotAllowed(MeetingError, PermissionDenied):
    pass


# --- helpers -------------------------------------------------------------------------------------------------


def _today(today: dt.date | None) -> dt.date:
    return today or timezone.localdate()


def meeting_url(meeting: Meeting) -> str:
    try:
        return reverse("meetings:meeting", args=[meeting.pk])
    except NoReverseMatch:
        return ""


def _event(actor, subject, action, label, before="", after="", *, opinion="", rule_id="", capacity=""):
    record_event(
        actor=actor,
        subject=subject,
        action=action,
        action_label=label,
        from_state=before,
        to_state=after,
        opinion=opinion,
        rule_id=rule_id,
        capacity=capacity,
    )


def _tell(recipients: Iterable, subject: str, body: str = "", url: str = "", level: str = "info"):
    people = [p for p in recipients if p is not None]
    if people:
        notify(recipients=list({p.pk: p for p in people}.values()), subject=subject, body=body, url=url, level=level)


def _fire(obj, name: str, actor, noun: str = "该会议", *, check_perm: bool = True) -> str:
    """Run the FSM transition `name`. `check_perm=False` only for a consequence of an action already allowed
    (the last signature finishing the minutes)."""
    method = getattr(obj, name)
    if not can_proceed(method):
        raise MeetingError(f"{noun}当前状态为“{obj.get_state_display()}”，不能进行此操作。")
    if check_perm and not has_transition_perm(method, actor):
        raise ActionNotAllowed(f"您无权对{noun}进行此操作。")
    before = obj.state
    method()
    return before


def _save(obj, actor=None) -> None:
    if actor is not None and hasattr(obj, "last_handled_by"):
        obj.last_handled_by = actor
    try:
        obj.save()
    except ConcurrentTransition as exc:
        raise AlreadyHandled("已由他人处理，请刷新后查看。") from exc


def _lock_meeting(meeting: Meeting | int, day: dt.date) -> Meeting:
    pk = meeting.pk if isinstance(meeting, Meeting) else meeting
    fresh = Meeting.objects.select_for_update(of=("self",)).get(pk=pk)
    fresh._day = day
    return fresh


def _required(value: str, label: str) -> str:
    value = (value or "").strip()
    if not value:
        raise MeetingError(f"请填写{label}。")
    return value


def _next_number(key: str) -> int:
    Counter.objects.bulk_create([Counter(key=key, last=0)], ignore_conflicts=True)
    counter = Counter.objects.select_for_update().get(key=key)
    counter.last += 1
    counter.save(update_fields=["last"])
    return counter.last


def office_people() -> list[User]:
    return list(users_with_role(Role.OFFICE_STAFF)) + list(users_with_role(Role.OFFICE_DIRECTOR))


def _person(post: Post | None, day: dt.date) -> User | None:
    return who_handles(post, day).person if post is not None else None


def _capacity(post: Post, day: dt.date) -> str:
    h = who_handles(post, day)
    return post.title if not h.is_acting else f"{h.capacity}（{post.title}）"


# --- MTG-1..4: who sits where ----------------------------------------------------------------------------


def _unit_by_mark(mark: str) -> Unit | None:
    return (
        Unit.objects.filter(active=True, short_name__contains=mark).order_by("order", "id").first()
        or Unit.objects.filter(active=True, name__contains=mark).order_by("order", "id").first()
    )


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
        *[(MeetingKind.PARTY_GROUP, p, SeatRole.ATTENDEE, "MTG-3（可安排列席）") for p in office_deputies[:1]],
        (MeetingKind.EXECUTIVE, head, SeatRole.CHAIR, "MTG-4"),
        (MeetingKind.EXECUTIVE, exec_dep, SeatRole.ENTRUSTED_CHAIR, "MTG-4"),
        *[(MeetingKind.EXECUTIVE, p, SeatRole.MEMBER, "MTG-4") for p in [*deputies, director]],
        *[(MeetingKind.EXECUTIVE, p, SeatRole.ATTENDEE, "MTG-4") for p in office_deputies],
        (MeetingKind.EXECUTIVE, adviser, SeatRole.ATTENDEE, "MTG-4（法律顾问）"),
    ]
    for mark in EXECUTIVE_ATTENDEE_UNITS:
        unit = _unit_by_mark(mark)
        plan.append((MeetingKind.EXECUTIVE, unit_head_post(unit) if unit else None, SeatRole.ATTENDEE, "MTG-4"))
    discipline = _unit_by_mark(DISCIPLINE_UNIT_MARK)
    if discipline is not None:
        post = Post.objects.filter(unit=discipline).order_by("order", "id").first()
        plan.append((MeetingKind.EXECUTIVE, post, SeatRole.INVITED, "MTG-4（邀请区纪委监委）"))
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


def _invite(meeting: Meeting, post: Post | None, role: str, day: dt.date, topic: Topic | None = None) -> bool:
    if post is None:
        return False
    handler = who_handles(post, day)
    if handler.person is None:
        return False
    capacity = post.title if not handler.is_acting else f"{handler.capacity}"
    _, created = Invitation.objects.get_or_create(
        meeting=meeting,
        person=handler.person,
        defaults={"post": post, "role": role, "capacity": capacity, "topic": topic},
    )
    return created


def refresh_invitations(meeting: Meeting) -> int:
    """Invite the standing seats' holders on the meeting day (acting included, MTG-4 / LEAVE-4) and the main
    heads of units tied to an accepted topic. Idempotent; returns invitations added."""
    day = meeting.date
    added = 0
    for seat in StandingSeat.objects.filter(kind=meeting.kind).select_related("post"):
        added += _invite(meeting, seat.post, seat.role, day)
    if meeting.kind != MeetingKind.SPECIAL:
        added += _invite(meeting, meeting.chair_post, SeatRole.CHAIR, day)
    for topic in meeting.topics.filter(state__in=(TS.ACCEPTED, TS.DISCUSSED)).select_related("unit"):
        added += _invite(meeting, unit_head_post(topic.unit), SeatRole.INVITED, day, topic)
        for unit in topic.related_units.all():
            added += _invite(meeting, unit_head_post(unit), SeatRole.INVITED, day, topic)
    return added


# --- the schedule ---------------------------------------------------------------------------------------------


def second_wednesday(year: int, month: int) -> dt.date:
    first = dt.date(year, month, 1)
    return first + dt.timedelta(days=(2 - first.weekday()) % 7 + 7)


TITLES = {
    MeetingKind.PLENARY: "区政府{year}年第{seq}次全体会议",
    MeetingKind.PARTY_GROUP: "区政府党组{year}年第{seq}次会议",
    MeetingKind.EXECUTIVE: "区政府{year}年第{seq}次常务会议",
    MeetingKind.SPECIAL: "区政府专题会议（{year}年第{seq}次）",
}


def _new_meeting(*, kind, year, seq, date, actor, chair_post, start_time, regular, **extra) -> Meeting:
    meeting = Meeting(
        kind=kind,
        year=year,
        seq=seq,
        title=extra.pop("title", "") or TITLES[kind].format(year=year, seq=seq),
        date=date,
        start_time=start_time,
        chair_post=chair_post,
        is_regular=regular,
        created_by=actor,
        last_handled_by=actor,
        **extra,
    )
    meeting.save()
    _event(actor, meeting, "scheduled", "排定会议", "", meeting.state, opinion=f"{meeting.date}", rule_id="MTG-1")
    return meeting


def generate_year(*, actor, year: int) -> list[Meeting]:
    """MTG-3/MTG-4/MTG-2: the regular meetings of `year` (idempotent: an existing one is left alone)."""
    if not permissions.can_manage(actor):
        raise ActionNotAllowed("只有区政府办公室可以排定会议。")
    ensure_standing_seats()
    created = []
    with transaction.atomic():
        existing = set(Meeting.objects.filter(year=year, is_regular=True).values_list("kind", "seq"))
        for month in range(1, 13):
            day = second_wednesday(year, month)
            for kind, start in ((MeetingKind.PARTY_GROUP, PARTY_GROUP_TIME), (MeetingKind.EXECUTIVE, EXECUTIVE_TIME)):
                if (kind, month) in existing:
                    continue
                created.append(
                    _new_meeting(
                        kind=kind,
                        year=year,
                        seq=month,
                        date=day,
                        actor=actor,
                        chair_post=default_chair(kind),
                        start_time=start,
                        regular=True,
                    )
                )
        for seq, month in enumerate(PLENARY_MONTHS, start=1):
            if (MeetingKind.PLENARY, seq) in existing:
                continue
            day = second_wednesday(year, month) + dt.timedelta(days=7)
            created.append(
                _new_meeting(
                    kind=MeetingKind.PLENARY,
                    year=year,
                    seq=seq,
                    date=day,
                    actor=actor,
                    chair_post=default_chair(MeetingKind.PLENARY),
                    start_time=dt.time(9, 0),
                    regular=True,
                )
            )
        for counter_kind in (MeetingKind.PARTY_GROUP, MeetingKind.EXECUTIVE, MeetingKind.PLENARY):
            top = Meeting.objects.filter(kind=counter_kind, year=year).order_by("-seq").values_list("seq", flat=True)
            key = f"{counter_kind}-{year}"
            Counter.objects.update_or_create(key=key, defaults={"last": max(top.first() or 0, 12)})
    return created


def postpone(*, actor, meeting: Meeting, to_date: dt.date, reason: str, today: dt.date | None = None) -> Meeting:
    """MTG-3/MTG-4: a regular meeting moved, decided by the secretary (party group) or the head (executive)."""
    day = _today(today)
    reason = _required(reason, "顺延原因")
    with transaction.atomic():
        meeting = _lock_meeting(meeting, day)
        if meeting.state not in (MS.SCHEDULED, MS.AGENDA_SUBMITTED, MS.AGENDA_APPROVED):
            raise MeetingError(f"该会议当前状态为“{meeting.get_state_display()}”，不能顺延。")
        if not permissions.can_postpone(actor, meeting):
            who = "党组书记" if meeting.kind == MeetingKind.PARTY_GROUP else "区长"
            raise ActionNotAllowed(f"会议顺延须由{who}审定（MTG-3、MTG-4）。")
        if to_date <= day:
            raise MeetingError("顺延后的日期须晚于今天。")
        row = Postponement.objects.create(
            meeting=meeting,
            from_date=meeting.date,
            to_date=to_date,
            reason=reason,
            decided_by=actor,
            decided_as=_capacity(meeting.chair_post, day) if permissions.handles(actor, meeting.chair_post) else "",
        )
        meeting.date = to_date
        _save(meeting, actor)
        if meeting.state == MS.AGENDA_APPROVED:
            refresh_invitations(meeting)  # whoever holds or acts for the posts on the new date
        _event(
            actor,
            meeting,
            "postponed",
            "会议顺延",
            meeting.state,
            meeting.state,
            opinion=f"{row.from_date}→{to_date}：{reason}",
            rule_id="MTG-4" if meeting.kind != MeetingKind.PARTY_GROUP else "MTG-3",
        )
        _tell(
            [i.person for i in meeting.invitations.select_related("person")],
            f"会议顺延：{meeting.title}",
            f"改于{to_date}召开。原因：{reason}",
            meeting_url(meeting),
        )
    return meeting


def schedule_ad_hoc(
    *,
    actor,
    kind: str,
    date: dt.date,
    reason: str,
    title: str = "",
    chair_post: Post | None = None,
    lead_unit: Unit | None = None,
    coordinates_topic: Topic | None = None,
    start_time: dt.time | None = None,
    location: str = "",
    today: dt.date | None = None,
) -> Meeting:
    """An ad hoc meeting. Executive / party group / plenary: the office asks and the head (secretary) consents
    (`consent_ad_hoc`); a special-topic meeting is chaired by the head or a deputy (MTG-7) and needs no consent."""
    day = _today(today)
    reason = _required(reason, "召开事由")
    if not permissions.can_manage(actor):
        raise ActionNotAllowed("只有区政府办公室可以安排会议。")
    if date < day:
        raise MeetingError("会议日期不能早于今天。")
    chair_post = chair_post or default_chair(kind)
    if kind == MeetingKind.SPECIAL:
        if chair_post is None or not chair_post.is_leader:
            raise MeetingError("专题会议由区长、副区长主持（MTG-7）。", rule_id="MTG-7")
        if coordinates_topic is not None and coordinates_topic.units_disagree:
            # MTG-8: the responsible deputy chairs the coordinating special meeting.
            responsible = leader_post_for_unit(coordinates_topic.unit, date)
            if responsible is not None and chair_post.pk != responsible.pk and chair_post.kind != Post.Kind.HEAD:
                raise MeetingError("协调部门分歧的专题会应由分管区领导主持（MTG-8）。", rule_id="MTG-8")
    with transaction.atomic():
        seq = _next_number(f"{kind}-{date.year}")
        meeting = _new_meeting(
            kind=kind,
            year=date.year,
            seq=seq,
            date=date,
            actor=actor,
            chair_post=chair_post,
            start_time=start_time or dt.time(9, 0),
            regular=False,
            title=title,
            ad_hoc_reason=reason,
            lead_unit=lead_unit,
            coordinates_topic=coordinates_topic,
            **({"location": location.strip()} if location.strip() else {}),
        )
        if kind != MeetingKind.SPECIAL:
            _tell([_person(chair_post, day)], f"请审定临时召开：{meeting.title}", reason, meeting_url(meeting))
        else:
            refresh_invitations(meeting)
    return meeting


def cancel_meeting(*, actor, meeting: Meeting, reason: str, today: dt.date | None = None) -> Meeting:
    """The office cancels a meeting before it is held (a postponement keeps it; this does not)."""
    day = _today(today)
    reason = _required(reason, "取消原因")
    with transaction.atomic():
        meeting = _lock_meeting(meeting, day)
        before = _fire(meeting, "cancel", actor)
        meeting.cancel_reason = reason[:300]
        _save(meeting, actor)
        _event(actor, meeting, "cancelled", "取消会议", before, meeting.state, opinion=reason)
        _tell(
            [i.person for i in meeting.invitations.select_related("person")],
            f"会议取消：{meeting.title}",
            reason,
            meeting_url(meeting),
        )
    return meeting


def consent_ad_hoc(*, actor, meeting: Meeting, today: dt.date | None = None) -> Meeting:
    """MTG-4: '经区政府主要领导同意后可临时组织召开'."""
    day = _today(today)
    with transaction.atomic():
        meeting = _lock_meeting(meeting, day)
        if meeting.is_regular or meeting.kind == MeetingKind.SPECIAL:
            raise MeetingError("例会和专题会议无需此项同意。")
        if not permissions.can_consent_ad_hoc(actor, meeting):
            raise ActionNotAllowed("临时召开须经区长（党组会议为党组书记）同意（MTG-4）。")
        meeting.ad_hoc_consent_by = actor
        _save(meeting, actor)
        _event(actor, meeting, "ad_hoc_consented", "同意临时召开", meeting.state, meeting.state, rule_id="MTG-4")
    return meeting


def needs_consent(meeting: Meeting) -> bool:
    return not meeting.is_regular and meeting.kind != MeetingKind.SPECIAL and meeting.ad_hoc_consent_by_id is None


def add_special_attendee(*, actor, meeting: Meeting, person: User, post: Post | None = None) -> Invitation:
    """MTG-7: the chair decides who attends a special-topic meeting; the office records it."""
    if meeting.kind != MeetingKind.SPECIAL:
        raise MeetingError("只有专题会议的参会人员由主持人确定。")
    if not (permissions.can_manage(actor) or permissions.handles(actor, meeting.chair_post_id)):
        raise ActionNotAllowed("专题会议参加人员由会议主持人确定（MTG-7）。")
    with transaction.atomic():
        inv, _ = Invitation.objects.get_or_create(
            meeting=meeting,
            person=person,
            defaults={"post": post, "role": SeatRole.MEMBER, "capacity": post.title if post else ""},
        )
        _event(
            actor,
            meeting,
            "attendee_added",
            "确定参会人员",
            meeting.state,
            meeting.state,
            opinion=person.display_name,
            rule_id="MTG-7",
        )
    return inv


# --- MTG-5 / MTG-8: topics ------------------------------------------------------------------------------------


def last_filing_day(meeting: Meeting) -> dt.date:
    """MTG-5: the last day a topic's request may reach the office: the 3rd working day before the meeting."""
    return wd.subtract_workdays(meeting.date, INTAKE_WORKDAYS)


def next_open_meeting(meeting: Meeting, filed_on: dt.date) -> Meeting | None:
    """The next meeting of the same kind that a topic filed on `filed_on` can still reach."""
    for other in Meeting.objects.filter(kind=meeting.kind, date__gt=meeting.date, state=MS.SCHEDULED).order_by(
        "date", "id"
    )[:6]:
        if filed_on <= last_filing_day(other):
            return other
    return None


def _check_intake(meeting: Meeting, filed_on: dt.date) -> None:
    if meeting.agenda_frozen or meeting.state == MS.AGENDA_SUBMITTED:
        raise AgendaFrozen(
            "该会议议程已报区长审定，不再临时增加议题（MTG-5）。"
            if meeting.agenda_frozen
            else "该会议议程已报区长审定，如需增加议题请先由区长退回议程（MTG-5）。",
            rule_id="MTG-5",
        )
    if meeting.kind in AGENDA_KINDS and filed_on > last_filing_day(meeting):
        nxt = next_open_meeting(meeting, filed_on)
        tail = f"可改报{nxt.title}（{nxt.date}）。" if nxt else "请改报下次会议。"
        raise TopicTooLate(
            f"议题请示须于会前3个工作日报送区政府办公室，本次会议最迟{last_filing_day(meeting)}报送（MTG-5）。{tail}",
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
    today: dt.date | None = None,
) -> Topic:
    """MTG-5: a unit's topic, filed as a formal request (请示 "提请会议研究") with the office at least 3 WD ahead.
    The filing day is the day the request reached the office (its submission date)."""
    day = _today(today)
    title = _required(title, "议题名称")
    if not (permissions.can_manage(actor) or unit.pk in permissions.member_unit_ids(actor, day)):
        raise ActionNotAllowed("只能申报本单位的议题。")
    if meeting.kind in AGENDA_KINDS:
        if submission is None:
            raise MeetingError("议题须以部门正式请示（提请会议研究）报送区政府办公室（MTG-5）。", rule_id="MTG-5")
        from documents.models import SubmissionKind

        if submission.kind != SubmissionKind.REQUEST or submission.unit_id != unit.pk or not submission.for_meeting:
            raise MeetingError("议题须以本单位“提请区政府会议研究”的请示报送（MTG-5）。", rule_id="MTG-5")
        if submission.submitted_on is None:
            raise MeetingError("该请示尚未报送区政府办公室（MTG-5）。", rule_id="MTG-5")
    filed_on = submission.submitted_on if submission is not None and submission.submitted_on else day
    related = [u for u in related_units if u.pk != unit.pk]
    if units_disagree and not related:
        raise MeetingError("部门意见不一致的议题须列明涉及的部门。")
    with transaction.atomic():
        meeting = _lock_meeting(meeting, day)
        _check_intake(meeting, filed_on)
        topic = Topic.objects.create(
            meeting=meeting,
            unit=unit,
            title=title,
            summary=summary.strip(),
            submission=submission,
            filed_on=filed_on,
            units_disagree=units_disagree,
            created_by=actor,
            order=meeting.topics.count() + 1,
        )
        topic.related_units.set(related)
        _event(
            actor, topic, "proposed", "申报议题", "", topic.state, opinion=f"{meeting.title}：{title}", rule_id="MTG-5"
        )
        _tell(office_people(), f"新议题申报：{title}", f"{unit.display_name}申报{meeting.title}", meeting_url(meeting))
    return topic


def move_topic(*, actor, topic: Topic, to_meeting: Meeting, today: dt.date | None = None) -> Topic:
    """A topic too late for one meeting is moved to a later one (the same 3-WD rule applies there)."""
    day = _today(today)
    with transaction.atomic():
        topic = Topic.objects.select_for_update().select_related("meeting").get(pk=topic.pk)
        if not permissions.can_withdraw_topic(actor, topic):
            raise ActionNotAllowed("您无权调整该议题。")
        if topic.state != TS.PROPOSED:
            raise MeetingError("只有待审核的议题可以改报其他会议。")
        if to_meeting.kind != topic.meeting.kind:
            raise MeetingError("只能改报同类会议。")
        target = _lock_meeting(to_meeting, day)
        _check_intake(target, topic.filed_on)
        topic.moved_from = topic.meeting
        topic.meeting = target
        topic.save()
        _event(
            actor,
            topic,
            "moved",
            "改报下次会议",
            topic.state,
            topic.state,
            opinion=f"{topic.moved_from.title}→{target.title}",
            rule_id="MTG-5",
        )
    return topic


def withdraw_topic(*, actor, topic: Topic, reason: str, today: dt.date | None = None) -> Topic:
    """The reporting unit (or the office) withdraws its topic while the office is still building the agenda; once
    the agenda is with the head (or approved) it stays as the head has it (MTG-5)."""
    day = _today(today)
    reason = _required(reason, "撤回原因")
    with transaction.atomic():
        topic = Topic.objects.select_for_update(of=("self",)).select_related("meeting").get(pk=topic.pk)
        meeting = _lock_meeting(topic.meeting, day)
        topic.meeting = meeting
        if meeting.agenda_frozen or meeting.state == MS.AGENDA_SUBMITTED:
            raise AgendaFrozen("议程已报区长审定，议题不能自行撤回；如需调整请报区长（MTG-5）。", rule_id="MTG-5")
        before = _fire(topic, "withdraw", actor, noun="该议题")
        _save(topic)
        _event(actor, topic, "withdrawn", "撤回议题", before, topic.state, opinion=reason, rule_id="MTG-5")
        _tell(office_people(), f"议题撤回：{topic.title}", reason, meeting_url(meeting))
    return topic


def record_proposer(*, actor, topic: Topic, note: str = "", today: dt.date | None = None) -> Topic:
    """MTG-5 / MTG-3: the proposer path — the head; the responsible deputy or the office director after their
    coordination review (executive); the secretary, or a member with the secretary deciding (party group)."""
    day = _today(today)
    with transaction.atomic():
        topic = Topic.objects.select_for_update().select_related("meeting", "unit").get(pk=topic.pk)
        meeting = topic.meeting
        handled = Post.objects.filter(pk__in=permissions.handled_post_ids(actor, day))
        by_kind = {p.kind: p for p in handled}
        responsible = leader_post_for_unit(topic.unit, day)
        path, post = "", None
        if meeting.kind == MeetingKind.PARTY_GROUP:
            if Post.Kind.PARTY_SECRETARY in by_kind:
                path, post = Topic.ProposerPath.SECRETARY, by_kind[Post.Kind.PARTY_SECRETARY]
            elif StandingSeat.objects.filter(kind=meeting.kind, post__in=handled).exists():
                path, post = (
                    Topic.ProposerPath.MEMBER,
                    StandingSeat.objects.filter(kind=meeting.kind, post__in=handled).first().post,
                )
        elif Post.Kind.HEAD in by_kind:
            path, post = Topic.ProposerPath.HEAD, by_kind[Post.Kind.HEAD]
        elif responsible is not None and responsible.pk in {p.pk for p in handled}:
            path, post = Topic.ProposerPath.DEPUTY, responsible
        elif Post.Kind.OFFICE_DIRECTOR in by_kind:
            path, post = Topic.ProposerPath.DIRECTOR, by_kind[Post.Kind.OFFICE_DIRECTOR]
        if not path:
            raise ActionNotAllowed("议题由区长提出，或由分管副区长、办公室主任协调审核后提出（MTG-5）。")
        if path in (Topic.ProposerPath.DEPUTY, Topic.ProposerPath.DIRECTOR, Topic.ProposerPath.MEMBER):
            note = _required(note, "协调审核意见")
        topic.proposer_path, topic.proposer_post, topic.proposer_note = path, post, note.strip()
        topic.save()
        _event(
            actor,
            topic,
            "proposer_recorded",
            topic.get_proposer_path_display(),
            topic.state,
            topic.state,
            opinion=note,
            rule_id="MTG-3" if meeting.kind == MeetingKind.PARTY_GROUP else "MTG-5",
            capacity=_capacity(post, day),
        )
    return topic


def record_checklist(
    *, actor, topic: Topic, significance: bool, substance: bool, procedure: bool, today: dt.date | None = None
) -> Topic:
    """MTG-8: the office's gate before a topic is put on the agenda."""
    if not permissions.can_manage(actor):
        raise ActionNotAllowed("议题审核由区政府办公室完成。")
    with transaction.atomic():
        topic = Topic.objects.select_for_update().get(pk=topic.pk)
        topic.check_significance, topic.check_substance, topic.check_procedure = significance, substance, procedure
        topic.checked_by, topic.checked_at = actor, timezone.now()
        topic.save()
        marks = "；".join(
            f"{label}：{'是' if ok else '否'}"
            for label, ok in (("法定或全局", significance), ("实质内容和明确意见", substance), ("程序完整", procedure))
        )
        _event(
            actor, topic, "checked", "议题审核（上会条件）", topic.state, topic.state, opinion=marks, rule_id="MTG-8"
        )
    return topic


def record_agreement(*, actor, topic: Topic, agreement: str) -> Topic:
    """MTG-8: the agreement reached at the coordinating special-topic meeting (from its signed minutes)."""
    agreement = _required(agreement, "协调形成的一致意见")
    with transaction.atomic():
        topic = Topic.objects.select_for_update().get(pk=topic.pk)
        if not (permissions.can_manage(actor) or topic.unit_id in permissions.member_unit_ids(actor)):
            raise ActionNotAllowed("您无权登记该议题的协调意见。")
        topic.agreement_text = agreement
        topic.save()
        _event(
            actor,
            topic,
            "agreement_recorded",
            "登记专题会协调一致意见",
            topic.state,
            topic.state,
            opinion=agreement,
            rule_id="MTG-8",
        )
    return topic


def topic_violations(topic: Topic) -> list[str]:
    """Why a topic may not go on the agenda yet (MTG-5, MTG-8); empty when it may."""
    problems = []
    meeting = topic.meeting
    if meeting.kind in AGENDA_KINDS:
        if not topic.proposer_path:
            problems.append("尚未按规定提出（区长提出，或分管副区长、办公室主任协调审核后提出）（MTG-5）")
        if not topic.checklist_complete:
            problems.append("不符合上会条件：须属法定要求或涉及全局、有实质内容和明确意见、程序履行完整（MTG-8）")
        if topic.units_disagree:
            signed = [
                m
                for m in topic.coordination_meetings.select_related("minutes")
                if m.kind == MeetingKind.SPECIAL and hasattr(m, "minutes") and m.minutes.state == Minutes.State.SIGNED
            ]
            if not signed or not topic.agreement_text.strip():
                problems.append("涉及多部门且意见不一致，须先由分管区领导召开专题会协调形成一致意见（MTG-8）")
    return problems


def decide_topic(*, actor, topic: Topic, accept: bool, reason: str = "", today: dt.date | None = None) -> Topic:
    """The head (the chair) decides whether the topic goes on the agenda; refusals carry a reason."""
    day = _today(today)
    with transaction.atomic():
        topic = Topic.objects.select_for_update(of=("self",)).select_related("meeting").get(pk=topic.pk)
        meeting = _lock_meeting(topic.meeting, day)
        topic.meeting = meeting
        if accept:
            if meeting.agenda_frozen:
                raise AgendaFrozen("该会议议程已经区长审定，不再临时增加议题（MTG-5）。", rule_id="MTG-5")
            problems = topic_violations(topic)
            if problems:
                raise MeetingError("；".join(problems), rule_id="MTG-8")
            if not permissions.handles(actor, meeting.chair_post_id, day):
                raise ActionNotAllowed("议题由区长确定（党组会议由党组书记确定）（MTG-5）。")
            before = _fire(topic, "accept", actor, noun="该议题")
            topic.head_decided_by, topic.head_decided_at = actor, timezone.now()
        else:
            reason = _required(reason, "不予上会的理由")
            before = _fire(topic, "refuse", actor, noun="该议题")
            topic.refusal_reason = reason[:300]
        _save(topic)
        _event(
            actor,
            topic,
            "decided",
            "确定上会" if accept else "不予上会",
            before,
            topic.state,
            opinion=reason,
            rule_id="MTG-5" if accept else "MTG-8",
            capacity=_capacity(meeting.chair_post, day),
        )
        _tell(
            User.objects.filter(unit_id=topic.unit_id, is_active=True),
            f"议题{'已列入' if accept else '未列入'}{meeting.title}：{topic.title}",
            reason,
            meeting_url(meeting),
        )
    return topic


# --- papers ----------------------------------------------------------------------------------------------------


def add_paper(*, actor, topic: Topic, title: str, file) -> Paper:
    """MTG-5: the reporting unit drafts the papers."""
    if topic.unit_id not in permissions.member_unit_ids(actor):
        raise ActionNotAllowed("会议材料由议题汇报单位起草。")
    with transaction.atomic():
        # the meeting as it is now (locked), not as the caller read it: an approval may have come in between
        if _lock_meeting(topic.meeting_id, _today(None)).agenda_frozen:
            raise AgendaFrozen("议程已审定，材料不能再增加。", rule_id="MTG-5")
        paper = Paper.objects.create(topic=topic, title=_required(title, "材料名称"), file=file, uploaded_by=actor)
        _event(
            actor, topic, "paper_added", "上传会议材料", topic.state, topic.state, opinion=paper.title, rule_id="MTG-5"
        )
    return paper


def check_paper(*, actor, paper: Paper, today: dt.date | None = None) -> Paper:
    """MTG-5: the unit's main head vouches for the paper (部门主要领导严格把关)."""
    day = _today(today)
    post = unit_head_post(paper.topic.unit)
    if post is None or not permissions.handles(actor, post, day):
        raise ActionNotAllowed("会议材料须由汇报单位主要负责人把关（MTG-5）。")
    with transaction.atomic():
        paper = Paper.objects.select_for_update().get(pk=paper.pk)
        paper.checked_by, paper.checked_at = actor, timezone.now()
        paper.save()
        _event(
            actor,
            paper.topic,
            "paper_checked",
            "主要负责人把关",
            opinion=paper.title,
            rule_id="MTG-5",
            capacity=_capacity(post, day),
        )
    return paper


def review_paper(*, actor, paper: Paper, today: dt.date | None = None) -> Paper:
    """MTG-5: the district leader in charge of the unit reviews (报分管区领导审核), after the head's check."""
    day = _today(today)
    post = leader_post_for_unit(paper.topic.unit, day)
    if post is None or not permissions.handles(actor, post, day):
        raise ActionNotAllowed("会议材料须由分管区领导审核（MTG-5）。")
    with transaction.atomic():
        paper = Paper.objects.select_for_update().get(pk=paper.pk)
        if paper.checked_at is None:
            raise MeetingError("须先由单位主要负责人把关，再报分管区领导审核（MTG-5）。", rule_id="MTG-5")
        paper.reviewed_by, paper.reviewed_at = actor, timezone.now()
        paper.save()
        _event(
            actor,
            paper.topic,
            "paper_reviewed",
            "分管区领导审核",
            opinion=paper.title,
            rule_id="MTG-5",
            capacity=_capacity(post, day),
        )
    return paper


# --- the agenda ------------------------------------------------------------------------------------------------


def submit_agenda(*, actor, meeting: Meeting, today: dt.date | None = None) -> Meeting:
    """MTG-5: topics and papers go to the head at least 1 day before the meeting; every paper must be ready."""
    day = _today(today)
    with transaction.atomic():
        meeting = _lock_meeting(meeting, day)
        if needs_consent(meeting):
            raise MeetingError("临时召开的会议须先经区长同意（MTG-4）。", rule_id="MTG-4")
        if day > meeting.date - dt.timedelta(days=1):
            raise MeetingError(
                f"议题和文件须于会前1天报区长审定（最迟{meeting.date - dt.timedelta(days=1)}）（MTG-5）。",
                rule_id="MTG-5",
            )
        topics = list(meeting.topics.filter(state=TS.ACCEPTED).prefetch_related("papers"))
        if not topics:
            raise MeetingError("议程中还没有已确定的议题。")
        unready = [t.title for t in topics if not t.papers.all() or not all(p.is_ready for p in t.papers.all())]
        if unready:
            raise MeetingError(
                "以下议题的会议材料尚未经单位主要负责人把关和分管区领导审核：" + "、".join(unready), rule_id="MTG-5"
            )
        before = _fire(meeting, "submit_agenda", actor)
        meeting.agenda_sent_on = day
        _save(meeting, actor)
        _event(
            actor,
            meeting,
            "agenda_submitted",
            "议程报区长审定",
            before,
            meeting.state,
            opinion="；".join(t.title for t in topics),
            rule_id="MTG-5",
        )
        _tell([_person(meeting.chair_post, day)], f"请审定会议议程：{meeting.title}", "", meeting_url(meeting))
    return meeting


def approve_agenda(*, actor, meeting: Meeting, today: dt.date | None = None) -> Meeting:
    """MTG-5: the head approves the agenda; it is frozen and the papers go to the attendees (and only them)."""
    day = _today(today)
    with transaction.atomic():
        meeting = _lock_meeting(meeting, day)
        before = _fire(meeting, "approve_agenda", actor)
        meeting.agenda_approved_by, meeting.agenda_approved_at = actor, timezone.now()
        _save(meeting, actor)
        refresh_invitations(meeting)
        _event(
            actor,
            meeting,
            "agenda_approved",
            "区长审定议程（议程冻结）",
            before,
            meeting.state,
            rule_id="MTG-5",
            capacity=_capacity(meeting.chair_post, day),
        )
        people = [i.person for i in meeting.invitations.select_related("person")]
        _tell(
            people,
            f"会议通知：{meeting.title}",
            f"{meeting.date} {meeting.start_time:%H:%M} {meeting.location}；"
            "会议材料已可查阅。请回复是否参加，不能出席须会前请假（MTG-9）。",
            meeting_url(meeting),
        )
    return meeting


def send_back_agenda(*, actor, meeting: Meeting, reason: str, today: dt.date | None = None) -> Meeting:
    day = _today(today)
    reason = _required(reason, "退回原因")
    with transaction.atomic():
        meeting = _lock_meeting(meeting, day)
        before = _fire(meeting, "send_back_agenda", actor)
        _save(meeting, actor)
        _event(actor, meeting, "agenda_sent_back", "退回议程", before, meeting.state, opinion=reason, rule_id="MTG-5")
        _tell(office_people(), f"议程被退回：{meeting.title}", reason, meeting_url(meeting))
    return meeting


# --- MTG-9: attendance and leave --------------------------------------------------------------------------------


def leave_route(invitation: Invitation) -> tuple[str, Post | None]:
    """MTG-9 (第五十八条): whom the requester asks, by their post and the kind of meeting."""
    meeting = invitation.meeting
    post = invitation.post
    director = Post.objects.filter(kind=Post.Kind.OFFICE_DIRECTOR).first()
    if meeting.kind == MeetingKind.SPECIAL:
        return LeaveRequest.Route.CHAIR, meeting.chair_post
    if post is not None and post.is_leader:
        return LeaveRequest.Route.CHAIR, meeting.chair_post
    if post is not None and post.kind == Post.Kind.UNIT_HEAD:
        return LeaveRequest.Route.CHAIR_THEN_OFFICE, meeting.chair_post
    return LeaveRequest.Route.OFFICE_DIRECTOR, director


def reply_invitation(*, actor, invitation: Invitation, attend: bool) -> Invitation:
    if invitation.person_id != actor.pk:
        raise ActionNotAllowed("只能回复本人的会议通知。")
    if not attend:
        raise MeetingError("不能出席须提出请假（MTG-9）。", rule_id="MTG-9")
    with transaction.atomic():
        invitation.reply = Invitation.Reply.ATTEND
        invitation.save(update_fields=["reply"])
        _event(actor, invitation.meeting, "replied", "回复参加", opinion=actor.display_name)
    return invitation


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
    day = _today(today)
    reason = _required(reason, "请假事由")
    if invitation.person_id != actor.pk:
        raise ActionNotAllowed("只能为本人请假。")
    meeting = invitation.meeting
    if day > meeting.date:
        raise MeetingError("须在会前请假（MTG-9）。", rule_id="MTG-9")
    route, approver = leave_route(invitation)
    if approver is None:
        raise MeetingError("未找到请假审批人，请联系区政府办公室。")
    if route == LeaveRequest.Route.CHAIR_THEN_OFFICE:
        if substitute is None:
            raise MeetingError("单位主要负责人请假须安排其他负责人参加会议（MTG-9）。", rule_id="MTG-9")
        if substitute.unit_id != (invitation.post.unit_id if invitation.post else actor.unit_id):
            raise MeetingError("代为参会的须是本单位其他负责人（MTG-9）。", rule_id="MTG-9")
    with transaction.atomic():
        if LeaveRequest.objects.filter(invitation=invitation).exists():
            raise AlreadyHandled("已提出过请假。")
        leave = LeaveRequest.objects.create(
            invitation=invitation,
            reason=reason,
            route=route,
            approver_post=approver,
            substitute=substitute,
            opinions=opinions.strip(),
        )
        invitation.reply = Invitation.Reply.LEAVE
        invitation.save(update_fields=["reply"])
        _event(actor, leave, "requested", leave.get_route_display(), "", leave.state, opinion=reason, rule_id="MTG-9")
        _tell(
            [_person(approver, day)],
            f"会议请假待审批：{actor.display_name}（{meeting.title}）",
            reason,
            meeting_url(meeting),
        )
    return leave


def decide_leave(
    *, actor, leave: LeaveRequest, approve: bool, opinion: str = "", today: dt.date | None = None
) -> LeaveRequest:
    day = _today(today)
    with transaction.atomic():
        leave = (
            LeaveRequest.objects.select_for_update(of=("self",))
            .select_related("invitation", "invitation__meeting", "invitation__person")
            .get(pk=leave.pk)
        )
        leave._day = day
        if leave.state != LeaveRequest.State.REQUESTED:
            raise AlreadyHandled(f"该请假已处理（{leave.get_state_display()}）。")
        before = _fire(leave, "approve" if approve else "reject", actor, noun="该请假")
        leave.decided_by, leave.decided_at = actor, timezone.now()
        inv = leave.invitation
        if approve and leave.route == LeaveRequest.Route.CHAIR_THEN_OFFICE:
            leave.filed_with_office_at = timezone.now()
            Invitation.objects.get_or_create(
                meeting=inv.meeting,
                person=leave.substitute,
                defaults={
                    "role": inv.role,
                    "post": None,
                    "capacity": f"代{inv.person.display_name}参会",
                    "substitute_for": inv,
                    "topic": inv.topic,
                },
            )
        if not approve:
            inv.reply = Invitation.Reply.PENDING
            inv.save(update_fields=["reply"])
        _save(leave)
        _event(
            actor,
            leave,
            "decided",
            "准假" if approve else "不准假",
            before,
            leave.state,
            opinion=opinion,
            rule_id="MTG-9",
            capacity=_capacity(leave.approver_post, day),
        )
        _tell(
            [inv.person],
            f"会议请假{'已批准' if approve else '未批准'}：{inv.meeting.title}",
            opinion,
            meeting_url(inv.meeting),
        )
        if approve and leave.route == LeaveRequest.Route.CHAIR_THEN_OFFICE:
            _tell(
                office_people(),
                f"请假报备：{inv.person.display_name}（{inv.meeting.title}）",
                f"由{leave.substitute.display_name}代为参会。",
                meeting_url(inv.meeting),
            )
    return leave


def sign_in(*, actor, invitation: Invitation, today: dt.date | None = None) -> Invitation:
    day = _today(today)
    if not (permissions.can_manage(actor) or invitation.person_id == actor.pk):
        raise ActionNotAllowed("签到由本人或会务人员办理。")
    if day != invitation.meeting.date:
        raise MeetingError("只能在会议当天签到。")
    with transaction.atomic():
        invitation.signed_in_at = timezone.now()
        invitation.save(update_fields=["signed_in_at"])
        _event(actor, invitation.meeting, "signed_in", "签到", opinion=invitation.person.display_name)
    return invitation


def mark_held(*, actor, meeting: Meeting, today: dt.date | None = None) -> Meeting:
    day = _today(today)
    with transaction.atomic():
        meeting = _lock_meeting(meeting, day)
        if day < meeting.date:
            raise MeetingError("会议尚未召开。")
        if meeting.kind in AGENDA_KINDS and meeting.state != MS.AGENDA_APPROVED:
            raise MeetingError("议程须经区长审定后方可召开（MTG-5）。", rule_id="MTG-5")
        before = _fire(meeting, "mark_held", actor)
        _save(meeting, actor)
        for topic in meeting.topics.select_for_update().filter(state=TS.ACCEPTED):
            topic.discuss()
            topic.save()
        _event(actor, meeting, "held", "会议召开", before, meeting.state, rule_id="MTG-1")
    return meeting


# --- minutes ----------------------------------------------------------------------------------------------------


def start_minutes(*, actor, meeting: Meeting, body: str = "", today: dt.date | None = None) -> Minutes:
    day = _today(today)
    with transaction.atomic():
        meeting = _lock_meeting(meeting, day)
        if meeting.state != MS.HELD:
            raise MeetingError("会议召开后方可起草纪要。")
        probe = Minutes(meeting=meeting, drafted_by=actor)
        if not permissions.can_draft_minutes(actor, probe):
            raise ActionNotAllowed("常务会议纪要由区政府办公室起草；专题会议纪要由牵头部门起草（MTG-6、MTG-7）。")
        minutes, created = Minutes.objects.get_or_create(meeting=meeting, defaults={"drafted_by": actor, "body": body})
        if created:
            _event(actor, minutes, "drafted", "起草纪要", "", minutes.state)
    return minutes


def record_decision(
    *,
    actor,
    meeting: Meeting,
    text: str,
    kind: str = Decision.Kind.RECORD,
    topic: Topic | None = None,
    confidential: bool = False,
    confidential_reason: str = "",
    document_title: str = "",
    drafting_unit: Unit | None = None,
    lead_unit: Unit | None = None,
    co_units: Iterable[Unit] = (),
    leader_post: Post | None = None,
    due: dt.date | None = None,
    standard: str = "",
) -> Decision:
    """A decision per topic in the minutes draft. Whatever it starts needs an owner and a date."""
    text = _required(text, "会议决定")
    minutes = getattr(meeting, "minutes", None)
    if minutes is None or minutes.state != Minutes.State.DRAFTING:
        raise MeetingError("纪要起草阶段方可登记会议决定。")
    if not permissions.can_draft_minutes(actor, minutes):
        raise ActionNotAllowed("您无权登记会议决定。")
    if confidential and not confidential_reason.strip():
        raise MeetingError("不予公开的决定须说明依法需要保密的依据和理由（MTG-12）。", rule_id="MTG-12")
    if kind == Decision.Kind.ISSUE_DOCUMENT and not (document_title.strip() and drafting_unit):
        raise MeetingError("决定印发文件的，须写明文件标题和起草单位（MTG-10）。", rule_id="MTG-10")
    if kind == Decision.Kind.ASSIGN_WORK:
        if not (lead_unit and leader_post and due and standard.strip()):
            raise MeetingError("部署工作的决定须写明牵头单位、责任领导、完成时限和量化标准（SUP-1）。", rule_id="SUP-1")
        if due <= meeting.date:
            raise MeetingError("完成时限须晚于会议日期。")
    if topic is not None and topic.meeting_id != meeting.pk:
        raise MeetingError("该议题不属于本次会议。")
    with transaction.atomic():
        decision = Decision.objects.create(
            meeting=meeting,
            topic=topic,
            kind=kind,
            text=text,
            confidential=confidential,
            confidential_reason=confidential_reason.strip(),
            document_title=document_title.strip(),
            drafting_unit=drafting_unit,
            lead_unit=lead_unit,
            leader_post=leader_post,
            due=due,
            standard=standard.strip(),
            recorded_by=actor,
            order=meeting.decisions.count() + 1,
        )
        decision.co_units.set([u for u in co_units if lead_unit is None or u.pk != lead_unit.pk])
        _event(
            actor,
            minutes,
            "decision_recorded",
            f"登记会议决定（{decision.get_kind_display()}）",
            minutes.state,
            minutes.state,
            # The record is read more widely than a confidential decision may be (MTG-12, X-2).
            opinion="（依法保密的决定，内容不记入履历）" if confidential else text,
        )
    return decision


def _office_deputy_post() -> Post | None:
    return Post.objects.filter(kind=Post.Kind.OFFICE_DEPUTY_DIRECTOR).order_by("order", "id").first()


def chain_for(meeting: Meeting) -> list[tuple[str, Post | None, Unit | None]]:
    """The minutes chain of the meeting's kind: MTG-6 (executive), MTG-3 (party group), MTG-7 (special)."""
    S = MinutesStep.Step
    head = head_post()
    director = Post.objects.filter(kind=Post.Kind.OFFICE_DIRECTOR).first()
    if meeting.kind == MeetingKind.EXECUTIVE:
        legality_unit = _unit_by_mark(LEGALITY_UNIT_MARK)
        return [
            (S.OFFICE_DEPUTY_REVIEW, _office_deputy_post(), None),
            (S.OFFICE_DIRECTOR_REVIEW, director, None),
            (S.JUDICIAL_FORWARD, judicial_deputy_post(), None),
            (S.LEGALITY_REVIEW, unit_head_post(legality_unit) if legality_unit else None, legality_unit),
            (S.HEAD_SIGN, head, None),
        ]
    if meeting.kind == MeetingKind.PARTY_GROUP:
        return [
            (S.SECRETARY_SIGN, Post.objects.filter(kind=Post.Kind.PARTY_SECRETARY).first() or meeting.chair_post, None)
        ]
    if meeting.kind == MeetingKind.SPECIAL:
        units = {}
        for inv in meeting.invitations.select_related("person", "post"):
            unit_id = inv.post.unit_id if inv.post else inv.person.unit_id
            if unit_id and unit_id != meeting.lead_unit_id:
                units[unit_id] = None
        steps: list[tuple[str, Post | None, Unit | None]] = []
        for unit in Unit.objects.filter(
            pk__in=units,
            kind__in=(
                Unit.Kind.DEPARTMENT,
                Unit.Kind.AFFILIATED,
                Unit.Kind.INSTITUTION,
                Unit.Kind.TOWNSHIP,
                Unit.Kind.STREET,
            ),
        ).order_by("order", "id"):
            steps.append((S.UNIT_COUNTERSIGN, unit_head_post(unit), unit))
        steps.append((S.CHAIR_APPROVE, meeting.chair_post, None))
        if meeting.chair_post.kind != Post.Kind.HEAD:
            steps.append((S.HEAD_SIGN, head, None))
        return steps
    return [(S.OFFICE_DIRECTOR_REVIEW, director, None), (S.HEAD_SIGN, head, None)]


def send_minutes_for_signing(*, actor, minutes: Minutes, today: dt.date | None = None) -> Minutes:
    day = _today(today)
    with transaction.atomic():
        minutes = Minutes.objects.select_for_update(of=("self",)).select_related("meeting").get(pk=minutes.pk)
        if not minutes.meeting.decisions.exists():
            raise MeetingError("纪要中还没有会议决定。")
        before = _fire(minutes, "send_for_signing", actor, noun="该纪要")
        minutes.steps.filter(signed_at__isnull=True).delete()
        signed = minutes.steps.count()
        chain = chain_for(minutes.meeting)
        missing = [MinutesStep.Step(s).label for s, post, _ in chain if post is None]
        if missing:
            raise MeetingError("以下审签环节没有对应职务，请先维护组织机构：" + "、".join(missing))
        for i, (step, post, unit) in enumerate(chain, start=signed + 1):
            MinutesStep.objects.create(minutes=minutes, order=i, step=step, post=post, unit=unit)
        if not minutes.number:
            seq = _next_number(f"minutes-{minutes.meeting.kind}-{minutes.meeting.year}")
            minutes.number = f"{minutes.meeting.get_kind_display()}纪要〔{minutes.meeting.year}〕{seq}号"
        _save(minutes)
        _event(
            actor,
            minutes,
            "sent_for_signing",
            "纪要送审签",
            before,
            minutes.state,
            opinion=" → ".join(MinutesStep.Step(s).label for s, _, _ in chain),
        )
        first = chain[0][1]
        _tell([_person(first, day)], f"纪要待审签：{minutes.meeting.title}", "", meeting_url(minutes.meeting))
    return minutes


def sign_minutes_step(
    *, actor, minutes: Minutes, opinion: str = "", approve: bool = True, today: dt.date | None = None
) -> MinutesStep:
    """One signature, in order, by the handler of the step's post that day; the last one makes the minutes signed
    and the decisions take effect. `approve=False` sends the minutes back to drafting with the opinion."""
    day = _today(today)
    with transaction.atomic():
        minutes = Minutes.objects.select_for_update(of=("self",)).select_related("meeting").get(pk=minutes.pk)
        minutes._day = day
        if minutes.state != Minutes.State.SIGNING:
            raise MeetingError(f"该纪要当前状态为“{minutes.get_state_display()}”，不能审签。")
        candidates = permissions.next_steps(minutes)
        mine = [s for s in candidates if permissions.handles(actor, s.post_id, day)]
        if not mine:
            later = [
                s for s in minutes.steps.filter(signed_at__isnull=True) if permissions.handles(actor, s.post_id, day)
            ]
            if later:
                raise MeetingError(f"尚未轮到您审签：当前环节为“{candidates[0].get_step_display()}”，须按顺序审签。")
            raise ActionNotAllowed(f"当前环节“{candidates[0].get_step_display()}”应由{candidates[0].post.title}审签。")
        step = mine[0]
        if not approve:
            opinion = _required(opinion, "退回意见")
            before = _fire(minutes, "send_back", actor, noun="该纪要")
            _save(minutes)
            _event(
                actor,
                minutes,
                "sent_back",
                f"{step.get_step_display()}：退回修改",
                before,
                minutes.state,
                opinion=opinion,
                capacity=_capacity(step.post, day),
            )
            return step
        step.signed_by, step.signed_at, step.opinion = actor, timezone.now(), opinion.strip()
        step.capacity = _capacity(step.post, day)
        step.save()
        rule = {MeetingKind.EXECUTIVE: "MTG-6", MeetingKind.PARTY_GROUP: "MTG-3", MeetingKind.SPECIAL: "MTG-7"}.get(
            minutes.meeting.kind, ""
        )
        _event(
            actor,
            minutes,
            "step_signed",
            step.get_step_display(),
            minutes.state,
            minutes.state,
            opinion=opinion,
            rule_id=rule,
            capacity=step.capacity,
        )
        remaining = permissions.next_steps(minutes)
        if remaining:
            _tell(
                [_person(s.post, day) for s in remaining],
                f"纪要待审签：{minutes.meeting.title}",
                "",
                meeting_url(minutes.meeting),
            )
            return step
        before = _fire(minutes, "finish", actor, noun="该纪要", check_perm=False)
        minutes.signed_at = timezone.now()
        _save(minutes)
        _event(actor, minutes, "signed", "纪要签发", before, minutes.state, rule_id=rule, capacity=step.capacity)
        meeting = _lock_meeting(minutes.meeting, day)
        meeting_before = meeting.state
        if can_proceed(meeting.close):
            meeting.close()
            _save(meeting)
            _event(actor, meeting, "closed", "纪要签发，会议办结", meeting_before, meeting.state)
        apply_decisions(meeting, day)
    return step


def apply_decisions(meeting: Meeting, day: dt.date) -> None:
    """Signed minutes start the clocks: documents to issue (draft + MTG-10 7 WD from the meeting), work assigned
    (supervision items, linked both ways), publication of plenary / executive decisions (MTG-12)."""
    from documents.issuance import publish_to_register
    from documents.models import Disclosure, PublicRegisterEntry
    from documents.services import DocumentError
    from supervision.services import SupervisionError

    minutes = meeting.minutes
    for decision in meeting.decisions.select_related("drafting_unit", "lead_unit", "leader_post", "recorded_by"):
        try:
            _apply_one(decision, meeting, minutes, day)
        except (DocumentError, SupervisionError) as exc:
            # views_minutes: a refusal of the documents flow or the ledger is the signer's message, not a 500; the
            # signature is rolled back with it.
            raise MeetingError(f"第{decision.order}项会议决定无法执行：{exc}") from exc
        if meeting.kind in PUBLISHING_KINDS and not decision.confidential and decision.published_on is None:
            decision.published_on = day
            decision.save(update_fields=["published_on"])
            publish_to_register(
                subject=decision,
                kind=PublicRegisterEntry.Kind.MEETING_DECISION,
                title=f"{meeting.title}决定事项（{decision.order}）",
                number=minutes.number,
                issuer_name="铁西区人民政府",
                published_on=day,
                disclosure=Disclosure.FULL,
                text=decision.text,
                url=meeting_url(meeting),
            )
            _event(None, decision, "published", "会议决定公开", rule_id="MTG-12")


def _apply_one(decision: Decision, meeting: Meeting, minutes: Minutes, day: dt.date) -> None:
    """What one decision starts: a draft and (plenary/executive) the MTG-10 clock, or a supervision item."""
    from documents.issuance import create_outgoing
    from documents.models import OutgoingKind
    from supervision import services as supervision
    from supervision.models import Source

    if decision.kind == Decision.Kind.ISSUE_DOCUMENT and decision.outgoing_id is None:
        drafter = _drafter_for(decision.drafting_unit)
        doc = create_outgoing(
            actor=drafter,
            kind=OutgoingKind.GOVERNMENT,
            title=decision.document_title,
            body=f"根据{minutes.number}（{meeting.title}）决定：{decision.text}",
        )
        decision.outgoing = doc
        decision.save(update_fields=["outgoing"])
        if meeting.kind in PUBLISHING_KINDS:  # MTG-10 names plenary and executive meetings only
            open_deadline(
                subject=doc,
                rule_id="MTG-10",
                title=f"会议决定印发：{decision.document_title}"[:200],
                counted_from=meeting.date,
                workdays=ISSUE_WORKDAYS,
                owner_unit=decision.drafting_unit,
                url=_outgoing_url(doc),
            )
        _event(None, decision, "document_drafted", "生成发文稿", opinion=doc.title, rule_id="MTG-10")
    if decision.kind == Decision.Kind.ASSIGN_WORK and not supervision_items_for(decision):
        # SUP-1: the office keeps the ledger, also for work a special meeting's lead unit recorded.
        recorder = decision.recorded_by
        supervision.create_item(
            actor=recorder if permissions.can_manage(recorder) else _ledger_keeper(),
            source=Source.MEETING_DECISION,
            source_object=decision,
            source_ref=f"{minutes.number} 第{decision.order}项",
            task=decision.text,
            lead_unit=decision.lead_unit,
            cooperating_units=list(decision.co_units.all()),
            leader_post=decision.leader_post,
            due=decision.due,
            standard=decision.standard,
            period_start=meeting.date,
            issue=True,
            today=day,
        )


def _ledger_keeper() -> User:
    keeper = next((u for u in office_people() if u.is_active), None)
    if keeper is None:
        raise MeetingError("系统中没有区政府办公室人员，部署工作的决定无法列入督查台账。", rule_id="SUP-1")
    return keeper


def supervision_items_for(decision: Decision) -> list:
    from supervision.selectors import items_for_source

    return items_for_source(decision)


def _drafter_for(unit: Unit) -> User:
    """Who drafts a decided document: the unit's clerk, else its main head, else any active member."""
    people = User.objects.filter(unit=unit, is_active=True)
    return (
        people.filter(groups__name=str(Role.CLERK)).order_by("id").first()
        or people.filter(groups__name=str(Role.UNIT_HEAD)).order_by("id").first()
        or people.order_by("id").first()
        or (_person(unit_head_post(unit), timezone.localdate()))
    )


def _outgoing_url(doc) -> str:
    try:
        return reverse("documents:outgoing_detail", args=[doc.pk])
    except NoReverseMatch:
        return ""


def grant_decision_reader(*, actor, decision: Decision, user: User) -> None:
    """A confidential decision's named reader (X-2)."""
    if not permissions.can_manage(actor):
        raise ActionNotAllowed("只有区政府办公室可以指定知悉人员。")
    with transaction.atomic():
        assign_perm("meetings.read_decision", user, decision)
        _event(actor, decision, "reader_granted", "指定知悉人员", opinion=user.display_name, rule_id="MTG-12")


# --- minutes page (views_minutes): revising a draft after it was sent back ------------------------------------


def revise_minutes(*, actor, minutes: Minutes, body: str) -> Minutes:
    """The drafter rewrites the minutes' opening text while the minutes are being drafted (or were sent back)."""
    with transaction.atomic():
        minutes = Minutes.objects.select_for_update(of=("self",)).select_related("meeting").get(pk=minutes.pk)
        if minutes.state != Minutes.State.DRAFTING:
            raise MeetingError(f"该纪要当前状态为“{minutes.get_state_display()}”，不能修改。")
        if not permissions.can_draft_minutes(actor, minutes):
            raise ActionNotAllowed("您无权修改该纪要。")
        minutes.body = body.strip()
        minutes.save(update_fields=["body"])
        _event(actor, minutes, "revised", "修改纪要正文", minutes.state, minutes.state)
    return minutes


def withdraw_decision(*, actor, decision: Decision) -> None:
    """Take a decision out of a draft (nothing it would start has started: the minutes are not signed)."""
    with transaction.atomic():
        minutes = Minutes.objects.select_for_update(of=("self",)).get(meeting_id=decision.meeting_id)
        if minutes.state != Minutes.State.DRAFTING:
            raise MeetingError("纪要起草阶段方可删除会议决定。")
        if not permissions.can_draft_minutes(actor, minutes):
            raise ActionNotAllowed("您无权删除会议决定。")
        decision = Decision.objects.select_for_update().get(pk=decision.pk)
        _event(
            actor,
            minutes,
            "decision_withdrawn",
            f"删除会议决定（第{decision.order}项）",
            minutes.state,
            minutes.state,
            opinion="（保密决定）" if decision.confidential else decision.text,
        )
        decision.co_units.clear()
        decision.delete()
        for order, row in enumerate(Decision.objects.filter(meeting_id=minutes.meeting_id).order_by("order", "id"), 1):
            if row.order != order:
                row.order = order
                row.save(update_fields=["order"])


# --- MTG-11: the plan of district-wide meetings ------------------------------------------------------------------


def naming_violation(name: str, sponsorship: str) -> str:
    name = name.strip()
    S = DistrictMeeting.Sponsorship
    if not name.endswith("会议") and not name.endswith("会"):
        return "会议名称应以“会议”结尾。"
    if sponsorship == S.BY_GOVERNMENT and not name.startswith("铁西区"):
        return "区政府组织召开的会议冠名为“铁西区…会议”（MTG-11）。"
    if sponsorship == S.IN_GOVERNMENT_NAME and not name.startswith("全区"):
        return "以区政府名义召开的会议冠名为“全区…会议”（MTG-11）。"
    return ""


def _limit_violation(unit: Unit, year: int, sponsorship: str, invites_township_heads: bool) -> str:
    S = DistrictMeeting.Sponsorship
    live = DistrictMeeting.objects.filter(unit=unit, year=year, sponsorship=sponsorship).exclude(
        state=DistrictMeeting.State.REJECTED
    )
    if sponsorship == S.IN_GOVERNMENT_NAME:
        if not unit.is_comprehensive:
            return "以区政府名义召开全区性会议，原则上只允许区政府综合部门召开（MTG-11）。"
        if live.exists():
            return f"{unit.display_name}{year}年已有1次以区政府名义召开的会议，每年限1次（MTG-11）。"
    if sponsorship == S.OWN_SYSTEM:
        if invites_township_heads:
            return "部门召开本系统全区性会议，不邀请乡、街负责人参加（MTG-11）。"
        if live.exists():
            return f"{unit.display_name}{year}年已召开（计划）1次本系统全区性会议，每年不得超过1次（MTG-11）。"
    return ""


def get_or_create_plan(*, actor, year: int) -> MeetingPlan:
    if not permissions.can_manage(actor):
        raise ActionNotAllowed("会议计划由区政府办公室编制。")
    with transaction.atomic():
        plan, created = MeetingPlan.objects.get_or_create(year=year)
        if created:
            _event(actor, plan, "created", "编制全区性会议计划", "", plan.state, rule_id="MTG-11")
    return plan


def add_district_meeting(
    *,
    actor,
    year: int,
    name: str,
    sponsorship: str,
    unit: Unit,
    month: int | None = None,
    invites_township_heads: bool = False,
    reason: str = "",
    today: dt.date | None = None,
) -> DistrictMeeting:
    """MTG-11: into the year's plan while the office drafts it; afterwards an unplanned meeting that needs the
    responsible deputy's and then the head's approval."""
    day = _today(today)
    name = _required(name, "会议名称")
    problem = naming_violation(name, sponsorship) or _limit_violation(unit, year, sponsorship, invites_township_heads)
    if problem:
        raise MeetingError(problem, rule_id="MTG-11")
    with transaction.atomic():
        plan = MeetingPlan.objects.select_for_update().filter(year=year).first()
        in_plan = plan is not None and plan.state == MeetingPlan.State.DRAFTING
        if in_plan and not permissions.can_manage(actor):
            raise ActionNotAllowed("会议计划由区政府办公室编制。")
        if not in_plan and not (permissions.can_manage(actor) or unit.pk in permissions.member_unit_ids(actor, day)):
            raise ActionNotAllowed("只能为本单位申请临时召开全区性会议。")
        if not in_plan:
            reason = _required(reason, "未列入计划需临时召开的事由")
        meeting = DistrictMeeting.objects.create(
            plan=plan if in_plan else None,
            year=year,
            name=name,
            sponsorship=sponsorship,
            unit=unit,
            month=month,
            invites_township_heads=invites_township_heads,
            planned=in_plan,
            reason=reason.strip(),
            created_by=actor,
            state=DistrictMeeting.State.PLANNED if in_plan else DistrictMeeting.State.AWAITING_DEPUTY,
        )
        _event(
            actor,
            meeting,
            "added",
            "列入会议计划" if in_plan else "申请临时召开（计划外）",
            "",
            meeting.state,
            rule_id="MTG-11",
        )
        if not in_plan:
            _tell([_person(leader_post_for_unit(unit, day), day)], f"计划外全区性会议待审批：{name}", reason)
    return meeting


def check_plan(*, actor, plan: MeetingPlan) -> MeetingPlan:
    with transaction.atomic():
        plan = MeetingPlan.objects.select_for_update().get(pk=plan.pk)
        before = _fire(plan, "check_plan", actor, noun="该计划")
        plan.checked_by = actor
        _save(plan)
        _event(actor, plan, "checked", "办公室主任核报", before, plan.state, rule_id="MTG-11")
    return plan


def approve_plan(*, actor, plan: MeetingPlan) -> MeetingPlan:
    with transaction.atomic():
        plan = MeetingPlan.objects.select_for_update().get(pk=plan.pk)
        before = _fire(plan, "approve", actor, noun="该计划")
        plan.approved_by = actor
        _save(plan)
        _event(actor, plan, "approved", "区长审定会议计划", before, plan.state, rule_id="MTG-11")
    return plan


def decide_unplanned(*, actor, meeting: DistrictMeeting, approve: bool, opinion: str = "") -> DistrictMeeting:
    with transaction.atomic():
        meeting = DistrictMeeting.objects.select_for_update().get(pk=meeting.pk)
        if not approve:
            opinion = _required(opinion, "不同意的理由")
            before = _fire(meeting, "reject", actor, noun="该会议")
        elif meeting.state == DistrictMeeting.State.AWAITING_DEPUTY:
            before = _fire(meeting, "deputy_approve", actor, noun="该会议")
        else:
            before = _fire(meeting, "head_approve", actor, noun="该会议")
        _save(meeting)
        _event(actor, meeting, "decided", "审批计划外会议", before, meeting.state, opinion=opinion, rule_id="MTG-11")
        if meeting.state == DistrictMeeting.State.AWAITING_HEAD:
            _tell(
                [_person(head_post(), timezone.localdate())], f"计划外全区性会议待审定：{meeting.name}", meeting.reason
            )
    return meeting


# --- schedule: the personal .ics feed token ----------------------------------------------------------------------


def issue_calendar_token(*, actor) -> CalendarToken:
    """A new secret for `actor`'s .ics feed; the previous address (if any) stops working at once."""
    import secrets

    if not (getattr(actor, "is_authenticated", False) and actor.is_active):
        raise ActionNotAllowed("请先登录。")
    with transaction.atomic():
        token, created = CalendarToken.objects.select_for_update().get_or_create(
            user=actor, defaults={"token": secrets.token_urlsafe(32)}
        )
        if not created:
            token.token = secrets.token_urlsafe(32)
            token.save(update_fields=["token"])
        label = "生成会议日历订阅地址" if created else "重置会议日历订阅地址"
        _event(actor, token, "issued" if created else "regenerated", label)
    return token

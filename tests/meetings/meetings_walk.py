"""Random-walk drivers of the meetings area for the queue's completeness tests (issue 10).

`CREATORS`: each makes a new item of the meetings app through its services — an ad hoc or special-topic meeting, a
topic (with its formal request and papers), a leave request, the year's plan of district-wide meetings, a
district-wide meeting — choosing an entitled actor from the database itself (office staff by role, a unit's clerk
or head, whoever handles a post on the day) and plausible random values; it returns None when the world offers
nothing to build on, and may raise ActionRefused.

`DRIVERS`: (model, transition) → a call of the service that fires that transition as `user`. Every non-optional
transition of every FSM model of the app is covered (`test_meetings_walk.py` checks it). Days: a driver acts on
`day`, except where the rule itself fixes the day — the agenda goes to the head at the latest the day before the
meeting, and a meeting is recorded as held on or after its day.

Works in the demo district (`manage.py seed_demo`) and in the tests' smaller worlds; no username is assumed.
"""

from __future__ import annotations

import datetime as dt
import random
from collections.abc import Callable

from django.core.files.uploadedfile import SimpleUploadedFile

from meetings.meeting import services as meeting_services
from meetings.meeting.models import (
    INTAKE_KINDS,
    MS,
    TS,
    Invitation,
    LeaveRequest,
    Meeting,
    MeetingKind,
    Paper,
    Topic,
)
from meetings.minutes import services as minutes_services
from meetings.minutes.models import Decision, Minutes
from meetings.minutes.permissions import next_steps
from meetings.schedule import services as schedule_services
from meetings.schedule.models import DistrictMeeting, MeetingPlan
from tiexi_gov.org.models import Post, Unit, User
from tiexi_gov.org.roles import Role, users_with_role
from tiexi_gov.org.selectors import who_handles

PDF = b"%PDF-1.4\n%walk\n"
SUBMITTING_KINDS = (
    Unit.Kind.DEPARTMENT,
    Unit.Kind.AFFILIATED,
    Unit.Kind.INSTITUTION,
    Unit.Kind.TOWNSHIP,
    Unit.Kind.STREET,
)
SUBJECTS = ("预算调整", "校舍改造", "供暖保障", "项目建设", "营商环境", "安全生产", "河道治理", "老旧小区改造")


def _office(rng: random.Random) -> User | None:
    staff = list(users_with_role(Role.OFFICE_STAFF).order_by("pk"))
    return rng.choice(staff) if staff else None


def _leader_posts() -> list[Post]:
    return list(Post.objects.filter(kind__in=Post.LEADER_KINDS).order_by("pk"))


def _units_with_staff() -> list[Unit]:
    """Units that can file a request: an active clerk and a main head who signs (DOC-2)."""
    clerks = users_with_role(Role.CLERK).values_list("unit_id", flat=True)
    heads = Post.objects.filter(kind=Post.Kind.UNIT_HEAD, appointments__isnull=False).values_list("unit_id", flat=True)
    return list(
        Unit.objects.filter(active=True, kind__in=SUBMITTING_KINDS, pk__in=clerks)
        .filter(pk__in=heads)
        .order_by("pk")
        .distinct()
    )


def _clerk(unit: Unit, rng: random.Random) -> User | None:
    people = list(users_with_role(Role.CLERK).filter(unit=unit).order_by("pk"))
    return rng.choice(people) if people else None


def _pdf(rng: random.Random) -> SimpleUploadedFile:
    return SimpleUploadedFile(f"材料{rng.randint(1, 999)}.pdf", PDF, content_type="application/pdf")


def _meeting_request(unit: Unit, title: str, day: dt.date, rng: random.Random):
    """The unit's formal request 提请会议研究, drafted by its clerk, signed by whoever signs for it on `day`, filed."""
    from documents.models import Disclosure, DisclosureManner, SubmissionKind, Urgency
    from documents.submissions import services as docs
    from tiexi_gov.org.selectors import unit_head_post
    from tiexi_gov.workdays import calendar as wd
    from tiexi_gov.workflow.errors import ActionRefused as DocumentError

    clerk, post = _clerk(unit, rng), unit_head_post(unit)
    signer = who_handles(post, day).person if post else None
    if clerk is None or signer is None:
        return None
    try:
        sub = docs.create_draft(
            actor=clerk,
            title=f"关于提请区政府会议研究{title}的请示",
            kind=SubmissionKind.REQUEST,
            body="请示正文。",
            urgency=Urgency.NORMAL,
            disclosure=Disclosure.FULL,
            disclosure_manner=DisclosureManner.ACTIVE,
            decision_needed_by=wd.add_workdays(day, 20),
            declares_one_matter=True,
            for_meeting=True,
            not_classified=True,
        )
        sub = docs.send_for_signature(actor=clerk, submission=sub, today=day)
        sub = docs.sign_submission(actor=signer, submission=sub, issue_date=day, today=day)
        return docs.submit_to_office(actor=clerk, submission=sub, today=day)
    except DocumentError:  # the documents flow refuses this unit's request today: nothing to propose
        return None


# --- creators ------------------------------------------------------------------------------------------------


def create_meeting(rng: random.Random, day: dt.date) -> Meeting | None:
    """The office schedules an ad hoc executive / party-group meeting (the head's consent follows) or a special-topic
    meeting chaired by a district leader, naming a few attending units' heads."""
    staff = _office(rng)
    if staff is None:
        return None
    meeting_services.ensure_standing_seats()
    kind = rng.choice([MeetingKind.EXECUTIVE, MeetingKind.PARTY_GROUP, MeetingKind.SPECIAL, MeetingKind.SPECIAL])
    date = day + dt.timedelta(days=rng.randint(5, 40))
    if kind != MeetingKind.SPECIAL:
        return schedule_services.schedule_ad_hoc(
            actor=staff, kind=kind, date=date, reason=f"研究{rng.choice(SUBJECTS)}", today=day
        )
    leaders = _leader_posts()
    units = _units_with_staff()
    if not leaders:
        return None
    meeting = schedule_services.schedule_ad_hoc(
        actor=staff,
        kind=kind,
        date=date,
        reason=f"协调{rng.choice(SUBJECTS)}",
        chair_post=rng.choice(leaders),
        lead_unit=rng.choice(units) if units else None,
        today=day,
    )
    for unit in rng.sample(units, min(len(units), rng.randint(0, 3))):
        from tiexi_gov.org.selectors import unit_head_post

        post = unit_head_post(unit)
        person = who_handles(post, meeting.date).person if post else None
        if person is not None:
            meeting_services.add_special_attendee(actor=staff, meeting=meeting, person=person, post=post, today=day)
    return meeting


def create_topic(rng: random.Random, day: dt.date) -> Topic | None:
    """A unit files a request 提请会议研究 and proposes it to a meeting still taking topics; it adds 0-2 papers."""
    open_meetings = [
        m
        for m in Meeting.objects.filter(state=MS.SCHEDULED, date__gt=day).order_by("date", "pk")[:20]
        if m.kind not in INTAKE_KINDS or day <= meeting_services.last_filing_day(m)
    ]
    units = _units_with_staff()
    if not open_meetings or not units:
        return None
    meeting, unit = rng.choice(open_meetings), rng.choice(units)
    title = f"{rng.choice(SUBJECTS)}{rng.randint(1, 999)}"
    party_group = meeting.kind == MeetingKind.PARTY_GROUP  # MTG-3: the office records it, no request needed
    submission = _meeting_request(unit, title, day, rng) if meeting.kind in INTAKE_KINDS else None
    clerk = _clerk(unit, rng)
    if clerk is None or (meeting.kind in INTAKE_KINDS and submission is None):
        return None
    proposer = _office(rng) if party_group else clerk
    if proposer is None:
        return None
    others = [u for u in units if u.pk != unit.pk]
    related = rng.sample(others, min(len(others), rng.randint(0, 2)))
    topic = meeting_services.propose_topic(
        actor=proposer,
        meeting=meeting,
        unit=unit,
        title=title,
        submission=submission,
        summary="拟提请会议研究。",
        related_units=related,
        units_disagree=bool(related) and rng.random() < 0.3,
        today=day,
    )
    for i in range(rng.randint(0, 2)):
        meeting_services.add_paper(actor=clerk, topic=topic, title=f"汇报材料{i + 1}", file=_pdf(rng), today=day)
    return topic


def create_coordinating_meeting(rng: random.Random, day: dt.date) -> Meeting | None:
    """MTG-8: the office convenes a special-topic meeting, chaired by the responsible leader, on a disputed topic."""
    from tiexi_gov.org.selectors import leader_post_for_unit

    disputed = list(
        Topic.objects.filter(state=TS.PROPOSED, units_disagree=True, coordination_meetings__isnull=True).order_by("pk")
    )
    staff = _office(rng)
    if not disputed or staff is None:
        return None
    topic = rng.choice(disputed)
    date = day + dt.timedelta(days=rng.randint(1, 5))
    return schedule_services.schedule_ad_hoc(
        actor=staff,
        kind=MeetingKind.SPECIAL,
        date=date,
        reason=f"协调{topic.title}分歧",
        chair_post=leader_post_for_unit(topic.unit, date),
        lead_unit=topic.unit,
        coordinates_topic=topic,
        today=day,
    )


def create_leave_request(rng: random.Random, day: dt.date) -> LeaveRequest | None:
    """An invitee of a meeting still ahead asks for leave; a unit's main head names another person of the unit."""
    pending = list(
        Invitation.objects.filter(
            reply=Invitation.Reply.PENDING,
            meeting__state__in=(MS.SCHEDULED, MS.AGENDA_SUBMITTED, MS.AGENDA_APPROVED),
            meeting__date__gte=day,
            person__is_active=True,
            leave__isnull=True,
        )
        .select_related("meeting", "post", "person")
        .order_by("pk")[:50]
    )
    if not pending:
        return None
    inv = rng.choice(pending)
    route, _approver = meeting_services.leave_route(inv)
    substitute = None
    if route == LeaveRequest.Route.CHAIR_THEN_OFFICE:
        unit_id = inv.post.unit_id if inv.post else inv.person.unit_id
        others = list(User.objects.filter(unit_id=unit_id, is_active=True).exclude(pk=inv.person_id).order_by("pk"))
        if not others:
            return None
        substitute = rng.choice(others)
    return meeting_services.request_leave(
        actor=inv.person,
        invitation=inv,
        reason=rng.choice(["出差", "赴省开会", "病假"]),
        substitute=substitute,
        today=day,
    )


def create_plan(rng: random.Random, day: dt.date) -> MeetingPlan | None:
    staff = _office(rng)
    if staff is None:
        return None
    return schedule_services.get_or_create_plan(actor=staff, year=day.year + rng.randint(0, 1), today=day)


def create_district_meeting(rng: random.Random, day: dt.date) -> DistrictMeeting | None:
    """MTG-11: the office lists a meeting in a plan being drafted, or a unit asks for an unplanned one."""
    units = list(Unit.objects.filter(active=True, kind__in=SUBMITTING_KINDS).order_by("pk"))
    if not units:
        return None
    unit = rng.choice(units)
    year = day.year + rng.randint(0, 1)
    plan = MeetingPlan.objects.filter(year=year).first()
    drafting = plan is not None and plan.state == MeetingPlan.State.DRAFTING
    actor = _office(rng) if drafting or rng.random() < 0.3 else _clerk(unit, rng)
    if actor is None:
        return None
    S = DistrictMeeting.Sponsorship
    sponsorship = rng.choice([S.BY_GOVERNMENT, S.IN_GOVERNMENT_NAME, S.OWN_SYSTEM])
    subject = rng.choice(SUBJECTS)
    name = {S.BY_GOVERNMENT: f"铁西区{subject}会议", S.IN_GOVERNMENT_NAME: f"全区{subject}会议"}.get(
        sponsorship, f"全区{unit.display_name}系统{subject}会议"
    )
    return schedule_services.add_district_meeting(
        actor=actor,
        year=year,
        name=name,
        sponsorship=sponsorship,
        unit=unit,
        month=rng.randint(1, 12),
        reason="" if drafting else "上级部署，需临时召开",
        today=day,
    )


CREATORS: list[Callable[[random.Random, dt.date], object | None]] = [
    create_meeting,
    create_topic,
    create_coordinating_meeting,
    create_leave_request,
    create_plan,
    create_district_meeting,
]


# --- drivers -------------------------------------------------------------------------------------------------


def _submit_agenda(meeting: Meeting, user, day, rng):
    # MTG-5: the agenda reaches the head at the latest the day before the meeting
    return meeting_services.submit_agenda(actor=user, meeting=meeting, today=min(day, meeting.date - dt.timedelta(1)))


def _approve_agenda(meeting: Meeting, user, day, rng):
    if rng.random() < 0.15:
        return meeting_services.send_back_agenda(actor=user, meeting=meeting, reason="请补充材料", today=day)
    return meeting_services.approve_agenda(actor=user, meeting=meeting, today=day)


def _consent(meeting: Meeting, user, day, rng):
    return schedule_services.consent_ad_hoc(actor=user, meeting=meeting, today=day)


def _postpone(meeting: Meeting, user, day, rng):
    # MTG-3/4: a meeting whose day went by with topics on it is moved by the decider to a day ahead
    return schedule_services.postpone(
        actor=user, meeting=meeting, to_date=day + dt.timedelta(days=7), reason="会期已过，顺延召开", today=day
    )


def _reply(meeting: Meeting, user, day, rng):
    inv = Invitation.objects.get(meeting=meeting, person=user)
    return meeting_services.reply_invitation(actor=user, invitation=inv, attend=True, today=day)


def _mark_held(meeting: Meeting, user, day, rng):
    # a meeting is recorded as held on (or after) its day
    return meeting_services.mark_held(actor=user, meeting=meeting, today=max(day, meeting.date))


def _start_minutes(meeting: Meeting, user, day, rng):
    return minutes_services.start_minutes(actor=user, meeting=meeting, body="会议研究了有关事项。", today=day)


def _record_proposer(topic: Topic, user, day, rng):
    return meeting_services.record_proposer(actor=user, topic=topic, note="已协调审核", today=day)


def _record_checklist(topic: Topic, user, day, rng):
    ok = rng.random() < 0.8
    return meeting_services.record_checklist(
        actor=user, topic=topic, significance=True, substance=True, procedure=ok, today=day
    )


def _record_agreement(topic: Topic, user, day, rng):
    return meeting_services.record_agreement(actor=user, topic=topic, agreement="经专题会协调达成一致", today=day)


def _add_paper(topic: Topic, user, day, rng):
    return meeting_services.add_paper(actor=user, topic=topic, title="汇报材料", file=_pdf(rng), today=day)


def _check_paper(topic: Topic, user, day, rng):
    paper = Paper.objects.filter(topic=topic, checked_at__isnull=True).order_by("pk").first()
    return meeting_services.check_paper(actor=user, paper=paper, today=day)


def _review_paper(topic: Topic, user, day, rng):
    paper = Paper.objects.filter(topic=topic, checked_at__isnull=False, reviewed_at__isnull=True).order_by("pk").first()
    return meeting_services.review_paper(actor=user, paper=paper, today=day)


def _accept(topic: Topic, user, day, rng):
    return meeting_services.decide_topic(actor=user, topic=topic, accept=True, today=day)


def _decide_leave(leave: LeaveRequest, user, day, rng):
    approve = rng.random() < 0.8
    return meeting_services.decide_leave(
        actor=user, leave=leave, approve=approve, opinion="同意" if approve else "请按时参会", today=day
    )


def _send_minutes(minutes: Minutes, user, day, rng):
    meeting = minutes.meeting
    if not Decision.objects.filter(meeting=meeting).exists():  # the drafter records a decision first
        topic = meeting.topics.filter(state=TS.DISCUSSED).order_by("pk").first()
        minutes_services.record_decision(actor=user, meeting=meeting, text="原则同意。", topic=topic, today=day)
    return minutes_services.send_minutes_for_signing(actor=user, minutes=minutes, today=day)


def _sign(minutes: Minutes, user, day, rng):
    if rng.random() < 0.1 and next_steps(minutes):
        return minutes_services.sign_minutes_step(
            actor=user, minutes=minutes, approve=False, opinion="请修改表述", today=day
        )
    return minutes_services.sign_minutes_step(actor=user, minutes=minutes, opinion="同意", today=day)


def _check_plan(plan: MeetingPlan, user, day, rng):
    return schedule_services.check_plan(actor=user, plan=plan, today=day)


def _approve_plan(plan: MeetingPlan, user, day, rng):
    return schedule_services.approve_plan(actor=user, plan=plan, today=day)


def _decide_unplanned(meeting: DistrictMeeting, user, day, rng):
    approve = rng.random() < 0.8
    return schedule_services.decide_unplanned(
        actor=user, meeting=meeting, approve=approve, opinion="" if approve else "不符合计划", today=day
    )


DRIVERS: dict[tuple[type, str], Callable] = {
    (Meeting, "submit_agenda"): _submit_agenda,
    (Meeting, "approve_agenda"): _approve_agenda,
    (Meeting, "consent_ad_hoc"): _consent,
    (Meeting, "postpone"): _postpone,
    (Meeting, "reply_invitation"): _reply,
    (Meeting, "mark_held"): _mark_held,
    (Meeting, "start_minutes"): _start_minutes,
    (Topic, "record_proposer"): _record_proposer,
    (Topic, "record_checklist"): _record_checklist,
    (Topic, "record_agreement"): _record_agreement,
    (Topic, "add_paper"): _add_paper,
    (Topic, "check_paper"): _check_paper,
    (Topic, "review_paper"): _review_paper,
    (Topic, "accept"): _accept,
    (LeaveRequest, "approve"): _decide_leave,
    (Minutes, "send_for_signing"): _send_minutes,
    (Minutes, "sign_step"): _sign,
    (Minutes, "finish"): _sign,
    (MeetingPlan, "check_plan"): _check_plan,
    (MeetingPlan, "approve"): _approve_plan,
    (DistrictMeeting, "deputy_approve"): _decide_unplanned,
    (DistrictMeeting, "head_approve"): _decide_unplanned,
}

"""Random-walk drivers of the coordination app, for the completeness tests (issue 10): "a user has an allowed
transition on an item if and only if the item is in the user's 我的待办".

- `CREATORS`: each makes one new item through the services, as an entitled actor found in the database (a member of
  a unit, the holder of a post, an office staff member), with plausible random values; it may raise ActionRefused or
  return None when the world offers nothing to create.
- `DRIVERS`: (model, transition name) → a call of the service that fires that transition as `user`, with plausible
  random arguments (it may raise ActionRefused; the walker skips those). Every transition of every FSM of the app is
  here except Body.merge / Body.abolish, which only an approved application fires.

Nothing here assumes the demo's usernames: the world is the demo district or any org chart of the same kinds.
"""

from __future__ import annotations

import datetime as dt
import random
from collections.abc import Callable

from coordination.absence import services as absence
from coordination.models import (
    AbolishGround,
    AbsenceRequest,
    AnnualTargets,
    Application,
    Body,
    Ground,
    Rank,
    ResearchTopic,
    ReviewEntry,
)
from coordination.register import services as register
from coordination.research import services as research
from coordination.upkeep import services as upkeep
from tiexi_gov.org.models import Appointment, Post, Unit, User
from tiexi_gov.org.roles import Role
from tiexi_gov.org.selectors import leader_post_for_unit, unit_head_post

OPINIONS = ["同意。", "拟同意，请审定。", "请补充材料后再报。", "原则同意。"]


def _pick(rng: random.Random, items):
    items = list(items)
    return rng.choice(items) if items else None


def _office_user(rng: random.Random) -> User | None:
    return _pick(
        rng,
        User.objects.filter(is_active=True, groups__name__in=[str(Role.OFFICE_STAFF), str(Role.OFFICE_DIRECTOR)])
        .distinct()
        .order_by("pk"),
    )


def _member_of(rng: random.Random, unit: Unit) -> User | None:
    return _pick(rng, User.objects.filter(is_active=True, unit=unit).order_by("pk"))


def _applying_units():
    return (
        Unit.objects.filter(active=True, staff__is_active=True)
        .exclude(kind=Unit.Kind.EXTERNAL)
        .distinct()
        .order_by("pk")
    )


# --- creators ------------------------------------------------------------------------------------------------


def create_setup_application(rng: random.Random, day: dt.date) -> Application | None:
    """CRD-1: a unit (or the office in its name) applies to set up a body headed by its responsible leader."""
    unit = _pick(rng, _applying_units())
    if unit is None:
        return None
    actor = _office_user(rng) if rng.random() < 0.2 else _member_of(rng, unit)
    responsible = leader_post_for_unit(unit, day)
    if actor is None or responsible is None:
        return None
    heads = [p for u in Unit.objects.filter(active=True).order_by("pk")[:8] if (p := unit_head_post(u))]
    members = [p.pk for p in rng.sample(heads, k=min(len(heads), rng.randint(0, 3))) if p.pk != responsible.pk]
    by_head = responsible.kind == Post.Kind.HEAD
    proposal = {
        "name": f"铁西区第{rng.randrange(10**6)}号专项工作领导小组",
        "grounds": [{"ground": Ground.LEADER_FOCUS, "basis": "区政府常务会议纪要"}],
        "rank": Rank.HEAD if by_head else Rank.DEPUTY,
        "head_required_by_higher_level": by_head,
        "head_post": responsible.pk,
        "deputy_head_posts": [],
        "member_posts": members,
        "host_unit": unit.pk,
        "office_name": f"{unit.display_name}内设办公室",
        "functions": "统筹协调专项工作。",
    }
    return register.create_application(
        actor=actor,
        kind=Application.Kind.SETUP,
        applicant_unit=unit,
        reason="工作需要跨部门统筹协调。",
        proposal=proposal,
        submit=rng.random() < 0.5,
        today=day,
    )


def create_change_application(rng: random.Random, day: dt.date) -> Application | None:
    """CRD-1: the host unit applies to adjust, merge or abolish one of its bodies."""
    body = _pick(rng, Body.objects.filter(status=Body.Status.ACTIVE).select_related("host_unit").order_by("pk"))
    if body is None:
        return None
    actor = _office_user(rng) if rng.random() < 0.2 else _member_of(rng, body.host_unit)
    if actor is None:
        return None
    kind = rng.choice([Application.Kind.ADJUST, Application.Kind.MERGE, Application.Kind.ABOLISH])
    merge_into = None
    if kind == Application.Kind.ADJUST:
        proposal = {"office_name": f"{body.name}办公室（{rng.randrange(1000)}）"}
    else:
        proposal = {"abolish_grounds": [rng.choice(AbolishGround.values)]}
        if kind == Application.Kind.MERGE:
            merge_into = _pick(rng, Body.objects.filter(status=Body.Status.ACTIVE).exclude(pk=body.pk).order_by("pk"))
            if merge_into is None:
                return None
    return register.create_application(
        actor=actor,
        kind=kind,
        applicant_unit=body.host_unit,
        reason="根据工作变化申请。",
        proposal=proposal,
        body=body,
        merge_into=merge_into,
        submit=rng.random() < 0.5,
        today=day,
    )


def request_absence(rng: random.Random, day: dt.date) -> AbsenceRequest | None:
    """LEAVE-1..3: a leader or a unit's main head asks leave (or reports travel) for their own post."""
    appt = _pick(
        rng,
        Appointment.objects.on(day)
        .filter(post__kind__in=list(absence.KIND_BY_POST), person__is_active=True)
        .select_related("post", "person")
        .order_by("pk"),
    )
    if appt is None:
        return None
    start = day + dt.timedelta(days=rng.randint(3, 10))
    end = start + dt.timedelta(days=rng.choice([0, 0, 1, 3]))
    acting = _pick(rng, absence.acting_candidates(appt.post, start))
    return absence.request_absence(
        actor=appt.person,
        post=appt.post,
        start=start,
        end=end,
        place=rng.choice(["长春", "沈阳", "北京"]),
        purpose="参加会议",
        contact="13900000000",
        acting_post=acting,
        today=day,
    )


def open_round(rng: random.Random, day: dt.date):
    """CRD-4: the office opens a review round (every active body gets an entry waiting on its decision)."""
    actor = _office_user(rng)
    if actor is None:
        return None
    return upkeep.open_round(actor=actor, title=f"{day.year}年度清理（{rng.randrange(100)}）", today=day)


def open_targets(rng: random.Random, day: dt.date):
    """CRD-5: the office opens the year's targets for every active body without a set."""
    actor = _office_user(rng)
    if actor is None:
        return None
    due = min(day + dt.timedelta(days=rng.randint(10, 40)), dt.date(day.year, 12, 31))
    return upkeep.open_targets(actor=actor, year=day.year, due=due, today=day)


def add_topic(rng: random.Random, day: dt.date) -> ResearchTopic | None:
    """RES-1: a district leader (or the office for them) sets one of the year's key research topics."""
    appt = _pick(
        rng,
        Appointment.objects.on(day)
        .filter(post__kind__in=Post.LEADER_KINDS, person__is_active=True)
        .select_related("person")
        .order_by("pk"),
    )
    if appt is None:
        return None
    actor = _office_user(rng) if rng.random() < 0.3 else appt.person
    return research.add_topic(
        actor=actor, person=appt.person, year=day.year, title=f"课题{rng.randrange(10**5)}", today=day
    )


CREATORS: list[Callable[[random.Random, dt.date], object | None]] = [
    create_setup_application,
    create_change_application,
    request_absence,
    open_round,
    open_targets,
    add_topic,
]


# --- drivers ---------------------------------------------------------------------------------------------------


def _opinion(rng: random.Random) -> str:
    return rng.choice(OPINIONS)


def _submit(app, user, day, rng):
    return register.submit_application(actor=user, application=app, today=day)


def _office(app, user, day, rng):
    return register.office_review(actor=user, application=app, opinion=_opinion(rng), today=day)


def _deputy(app, user, day, rng):
    return register.deputy_review(actor=user, application=app, opinion=_opinion(rng), today=day)


def _approve(app, user, day, rng):
    return register.head_approve(actor=user, application=app, opinion=_opinion(rng), today=day)


def _send_back(app, user, day, rng):
    return register.send_back(actor=user, application=app, opinion="请修改后再报。", today=day)


def _decide(decision: str):
    def drive(entry, user, day, rng):
        grounds, merge_into = [], None
        if decision != ReviewEntry.Decision.KEEP:
            grounds = [rng.choice(AbolishGround.values)]
        if decision == ReviewEntry.Decision.MERGE:
            others = Body.objects.filter(status=Body.Status.ACTIVE).exclude(pk=entry.body_id).order_by("pk")
            merge_into = _pick(rng, others)
        return upkeep.decide_entry(
            actor=user, entry=entry, decision=decision, grounds=grounds, merge_into=merge_into, today=day
        )

    return drive


def _file_targets(targets, user, day, rng):
    items = [f"目标{i}" for i in range(rng.randint(1, 3))]
    return upkeep.file_targets(actor=user, targets=targets, items=items, reported_to_head_on=day, today=day)


def _check_targets(targets, user, day, rng):
    results = {t.pk: (rng.random() < 0.7, "") for t in targets.items.all()}
    return upkeep.review_targets(actor=user, targets=targets, results=results, today=day)


def _decide_leave(approve: bool):
    def drive(req, user, day, rng):
        return absence.decide_absence(
            actor=user, request=req, approve=approve, opinion="" if approve else "不同意", today=day
        )

    return drive


def _return(req, user, day, rng):
    back = max(req.start, min(day, req.end + dt.timedelta(days=1)))
    return absence.report_return(actor=user, request=req, returned_on=min(back, day), report="已返回。", today=day)


def _cancel(req, user, day, rng):
    return absence.cancel_absence(actor=user, request=req, reason="行程取消", today=day)


def _file_report(topic, user, day, rng):
    return research.file_report(actor=user, topic=topic, report="调研报告正文。", today=day)


DRIVERS: dict[tuple[type, str], Callable[[object, User, dt.date, random.Random], object]] = {
    (Application, "submit"): _submit,
    (Application, "submit_for_unit"): _submit,
    (Application, "office_pass"): _office,
    (Application, "deputy_pass"): _deputy,
    (Application, "approve"): _approve,
    (Application, "send_back"): _send_back,
    (ReviewEntry, "decide_keep"): _decide(ReviewEntry.Decision.KEEP),
    (ReviewEntry, "decide_merge"): _decide(ReviewEntry.Decision.MERGE),
    (ReviewEntry, "decide_abolish"): _decide(ReviewEntry.Decision.ABOLISH),
    (AnnualTargets, "file_with_office"): _file_targets,
    (AnnualTargets, "check_completion"): _check_targets,
    (AnnualTargets, "recheck_completion"): _check_targets,
    (AbsenceRequest, "approve"): _decide_leave(True),
    (AbsenceRequest, "reject"): _decide_leave(False),
    (AbsenceRequest, "report_return"): _return,
    (AbsenceRequest, "report_return_for"): _return,
    (AbsenceRequest, "cancel"): _cancel,
    (ResearchTopic, "file_report"): _file_report,
    (ResearchTopic, "file_report_for"): _file_report,
}

"""Random-walk drivers of the supervision area for the queue's completeness tests (issue 10).

`CREATORS`: each makes a new item of the supervision app through its services — a ledger item (any source, some in
the government's name by a department, some issued at once, some with a rectification or a proposal), an outcome
proposed on an item with a conclusion, a website inquiry (assigned at once or not), a half-year round — choosing an
entitled actor from the database itself (the office by its business roles) and plausible random values; it returns
None when the world offers nothing to build on, and may raise ActionRefused.

`DRIVERS`: (model, transition) → a call of the service that fires that transition as `user`. Every non-optional
transition of every FSM model of the app is covered (`test_supervision_walk.py` checks it), and the optional ones
too. Works in the demo district (`manage.py seed_demo`) and in the tests' smaller worlds; no username is assumed.
"""

from __future__ import annotations

import datetime as dt
import random
from collections.abc import Callable

from django.db.models import Q

from supervision.ledger import services as ledger_services
from supervision.ledger.models import CLOSED_STATES, WORKING_STATES, Kind, ReportCycle, Source, SupervisionItem
from supervision.outcomes import services as outcome_services
from supervision.outcomes.models import Outcome
from supervision.public import services as public_services
from supervision.public.models import Proposal, PublicInquiry
from supervision.reports import services as report_services
from supervision.reports.models import HalfYearReport, Rectification
from supervision.shared.access import WORKING_UNIT_KINDS
from tiexi_gov.org.models import Post, Unit, User
from tiexi_gov.org.roles import Role

# Random tasks must not look alike, or the ledger refuses them as duplicates (SUP-5): draw from a wide pool.
POOL = "供暖管网道路校舍河道医院社区街道市场安全环境就业养老托育停车绿化照明排水垃圾消防电梯燃气公交学位农田"
OPINIONS = ("同意", "按规定办理", "请抓紧落实", "")


def _text(rng: random.Random, n: int = 14) -> str:
    return "".join(rng.choice(POOL) for _ in range(n))


def _office(rng: random.Random) -> User | None:
    people = list(
        User.objects.filter(is_active=True, groups__name__in=[str(Role.OFFICE_STAFF), str(Role.OFFICE_DIRECTOR)])
        .distinct()
        .order_by("pk")
    )
    return rng.choice(people) if people else None


def _working_units() -> list[Unit]:
    return list(Unit.objects.filter(active=True, kind__in=WORKING_UNIT_KINDS).order_by("pk"))


# --- creators ------------------------------------------------------------------------------------------------


def create_ledger_item(rng: random.Random, day: dt.date) -> SupervisionItem | None:
    actor, units = _office(rng), _working_units()
    leaders = list(Post.objects.filter(kind__in=Post.LEADER_KINDS).order_by("pk"))
    if actor is None or not units or not leaders:
        return None
    lead = rng.choice(units)
    others = [u for u in units if u.pk != lead.pk]
    source = rng.choice(
        [Source.GOVERNMENT_DECISION, Source.MEETING_DECISION, Source.LEADER_INSTRUCTION, Source.INSPECTION]
        + [Source.NPC_SUGGESTION, Source.CPPCC_PROPOSAL]
    )
    extra: dict = {}
    if source == Source.INSPECTION:
        extra["rectification"] = {
            "problem": _text(rng),
            "level": rng.choice(Rectification.Level.values),
            "found_by": "督查组",
            "measures": _text(rng),
            "mechanism": rng.choice(["", "建立长效巡查机制"]),
            "is_major": rng.random() < 0.3,
        }
    if source in (Source.NPC_SUGGESTION, Source.CPPCC_PROPOSAL):
        extra["proposal"] = {"number": str(rng.randrange(1, 500)), "proposer": "代表", "session": ""}
    start = day - dt.timedelta(days=rng.randint(0, 20))
    if rng.random() < 0.25 and others:
        # SUP-5: a department supervising in the government's name goes to the leader in charge first
        extra.update(supervising_unit=rng.choice(others), in_government_name=True)
    return ledger_services.create_item(
        actor=actor,
        source=source,
        source_ref=f"随机-{rng.randrange(10**9)}",
        task=_text(rng, 20),
        standard="按期完成，达到量化标准",
        lead_unit=lead,
        cooperating_units=rng.sample(others, k=min(len(others), rng.choice([0, 0, 1, 2]))),
        leader_post=rng.choice(leaders),
        due=start + dt.timedelta(days=rng.randint(3, 70)),
        period_start=start,
        kind=rng.choice(Kind.values),
        cycle=rng.choice(ReportCycle.values),
        is_major=rng.random() < 0.2,
        issue=rng.random() < 0.6,
        today=day,
        **extra,
    )


def create_outcome(rng: random.Random, day: dt.date) -> Outcome | None:
    """SUP-4: the office proposes an outcome on an item with a conclusion (closed, or overdue)."""
    actor = _office(rng)
    items = list(
        SupervisionItem.objects.filter(Q(state__in=CLOSED_STATES) | Q(state__in=WORKING_STATES, due__lt=day)).order_by(
            "pk"
        )
    )
    if actor is None or not items:
        return None
    item = rng.choice(items)
    leaders = list(Post.objects.filter(kind__in=Post.LEADER_KINDS).order_by("pk"))
    return outcome_services.propose_outcome(
        actor=actor,
        item=item,
        kind=rng.choice(Outcome.OutcomeKind.values),
        grounds=_text(rng),
        approver_post=rng.choice([item.leader_post, *leaders]),
        today=day,
    )


def create_inquiry(rng: random.Random, day: dt.date) -> PublicInquiry | None:
    actor, units = _office(rng), _working_units()
    if actor is None:
        return None
    return public_services.log_inquiry(
        actor=actor,
        asker="群众",
        question=_text(rng),
        received_on=day - dt.timedelta(days=rng.randint(0, 3)),
        unit=rng.choice(units) if units and rng.random() < 0.7 else None,
        today=day,
    )


def create_half_year_round(rng: random.Random, day: dt.date) -> HalfYearReport | None:
    """SUP-2: a half-year round (one report per working unit; idempotent per year and half)."""
    actor = _office(rng)
    if actor is None:
        return None
    year, half = rng.choice([day.year - 1, day.year]), rng.choice([1, 2])
    report_services.open_half_year_round(actor=actor, year=year, half=half, today=day)
    return HalfYearReport.objects.filter(year=year, half=half).order_by("pk").first()


def clear_a_mechanism(rng: random.Random, day: dt.date) -> SupervisionItem | None:
    """Not a new item but an edit no transition makes: the office finds a claimed rectification's long-term
    mechanism empty on paper and clears it, so the item waits on the lead unit to state it again (SUP-3)."""
    actor = _office(rng)
    items = list(SupervisionItem.objects.filter(state="claimed", rectification__isnull=False).order_by("pk"))
    if actor is None or not items:
        return None
    item = rng.choice(items)
    report_services.update_rectification(actor=actor, item=item, mechanism="", today=day)
    return item


CREATORS: list[Callable[[random.Random, dt.date], object | None]] = [
    create_ledger_item,
    create_ledger_item,
    create_outcome,
    create_inquiry,
    create_half_year_round,
    clear_a_mechanism,
]


# --- drivers -------------------------------------------------------------------------------------------------


def _issue(item, user, day, rng):
    return ledger_services.issue_item(actor=user, item=item, today=day)


def _approve(item, user, day, rng):
    return ledger_services.approve_item(actor=user, item=item, opinion=rng.choice(OPINIONS), today=day)


def _refuse(item, user, day, rng):
    return ledger_services.refuse_item(actor=user, item=item, opinion="不宜以区政府名义督查", today=day)


def _accept(item, user, day, rng):
    return ledger_services.accept_item(actor=user, item=item, today=day)


def _report(item, user, day, rng):
    """The lead unit's report or a cooperating unit's part: the service tells them apart by the actor."""
    return report_services.file_progress_report(
        actor=user,
        item=item,
        percent=rng.randint(0, 100),
        done=_text(rng),
        problems=rng.choice(["", "资金未到位"]),
        today=day,
    )


def _claim(item, user, day, rng):
    return ledger_services.claim_completion(
        actor=user, item=item, evidence=_text(rng), mechanism=rng.choice(["", "", "建立月度核查机制"]), today=day
    )


def _verify(item, user, day, rng):
    return ledger_services.verify_item(actor=user, item=item, note="经复查核验，符合量化标准", today=day)


def _return(item, user, day, rng):
    return ledger_services.return_for_rework(actor=user, item=item, reason="佐证材料不全", today=day)


def _cancel(item, user, day, rng):
    return ledger_services.cancel_item(actor=user, item=item, reason="上级决定不再督办", today=day)


def _supply_mechanism(item, user, day, rng):
    return report_services.update_rectification(actor=user, item=item, mechanism="建立季度抽查机制", today=day)


def _reply_proposal(item, user, day, rng):
    return public_services.record_proposal_reply(
        actor=user,
        item=item,
        reply=_text(rng),
        satisfaction=rng.choice(["", *Proposal.Satisfaction.values]),
        today=day,
    )


def _publish_proposal(item, user, day, rng):
    return public_services.publish_proposal_result(actor=user, item=item, summary=_text(rng), today=day)


def _decide(approve: bool):
    def drive(outcome, user, day, rng):
        opinion = rng.choice(OPINIONS) if approve else "情节轻微，不予批准"
        return outcome_services.decide_outcome(actor=user, outcome=outcome, approve=approve, opinion=opinion, today=day)

    return drive


def _assign_inquiry(inquiry, user, day, rng):
    units = [u for u in _working_units() if u.pk != inquiry.unit_id]
    return public_services.assign_inquiry(actor=user, inquiry=inquiry, unit=rng.choice(units), today=day)


def _answer_inquiry(inquiry, user, day, rng):
    return public_services.answer_inquiry(actor=user, inquiry=inquiry, answer=_text(rng), today=day)


def _file_half_year(report, user, day, rng):
    return report_services.file_half_year_report(
        actor=user, report=report, summary=_text(rng), counterpart="四平市对口部门", today=day
    )


DRIVERS: dict[tuple[type, str], Callable] = {
    (SupervisionItem, "assign"): _issue,
    (SupervisionItem, "submit_for_approval"): _issue,
    (SupervisionItem, "approve"): _approve,
    (SupervisionItem, "refuse"): _refuse,
    (SupervisionItem, "accept"): _accept,
    (SupervisionItem, "report_progress"): _report,
    (SupervisionItem, "report_part"): _report,
    (SupervisionItem, "claim_completion"): _claim,
    (SupervisionItem, "supply_mechanism"): _supply_mechanism,
    (SupervisionItem, "close_on_time"): _verify,
    (SupervisionItem, "close_late"): _verify,
    (SupervisionItem, "return_for_rework"): _return,
    (SupervisionItem, "cancel"): _cancel,
    (SupervisionItem, "reply_proposal"): _reply_proposal,
    (SupervisionItem, "amend_proposal_reply"): _reply_proposal,
    (SupervisionItem, "publish_proposal"): _publish_proposal,
    (Outcome, "approve"): _decide(True),
    (Outcome, "reject"): _decide(False),
    (PublicInquiry, "assign"): _assign_inquiry,
    (PublicInquiry, "answer_it"): _answer_inquiry,
    (HalfYearReport, "file"): _file_half_year,
    (HalfYearReport, "file_for_unit"): _file_half_year,
}

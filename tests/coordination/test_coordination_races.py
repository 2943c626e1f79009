"""Issue 13.4 for coordination: the rules checked in Python hold when two people act at the same moment — one setup
application in flight per body name and one body per name (held by the database on the normalised name), one open
leave per leader and day and one review round at a time (held by a lock of the rule). Real threads, each with its
own connection (PostgreSQL in CI, the SQLite file on a laptop)."""

from __future__ import annotations

import datetime as dt

import pytest
from test_coordination_applications import apply, proposal
from test_coordination_register import make_body

from coordination.absence import services as absence
from coordination.models import AbsenceRequest, Application, Body, ReviewRound
from coordination.register import services as register
from coordination.upkeep import services as upkeep
from tests.meetings.meetings_support import DAY, build_world
from tests.race_support import race
from tiexi_gov.org.models import User
from tiexi_gov.workflow.errors import ActionRefused

pytestmark = [pytest.mark.postgres, pytest.mark.django_db(transaction=True)]

St = Application.State
Kind = Application.Kind
FRI, MON = dt.date(2026, 9, 4), dt.date(2026, 9, 7)


def _fresh(user) -> User:
    return User.objects.get(pk=user.pk)


def test_crd_1_same_body_name_submitted_twice_at_once_one_wins():
    """Two setup applications naming one body (typed with and without a space) are submitted at the same moment:
    one goes to the office, the other is refused as already in flight."""
    w = build_world()
    for i, (a, b) in enumerate(
        [("铁西区教育督导委员会", "铁西区 教育督导委员会"), ("铁西区校园安全领导小组", "铁西区校园安全领导小组　")]
    ):
        drafts = [apply(w, submit=False, proposal=proposal(w, name=name)) for name in (a, b)]

        def submit(app, actor):
            return lambda: register.submit_application(actor=_fresh(actor), application=app.pk, today=DAY)

        results, errors = race(submit(drafts[0], w.clerks["教育局"]), submit(drafts[1], w.staff))
        assert len(results) == 1 and len(errors) == 1, (results, errors)
        assert isinstance(errors[0], register.InvalidProposal), repr(errors[0])
        assert "设立申请已在办理中，不得重复申请" in str(errors[0])
        assert Application.objects.filter(kind=Kind.SETUP, state=St.OFFICE_REVIEW).count() == i + 1


def test_crd_2_two_bodies_renamed_to_one_name_at_once_one_wins():
    """Two adjustments give two bodies the same new name (spelled two ways); the head approves both at the same
    moment: one body takes the name, the other approval is refused with the rule's message."""
    w = build_world()
    first, second = make_body(w, "铁西区教育督导委员会"), make_body(w, "铁西区校园安全工作领导小组")
    apps = []
    for body, name in ((first, "铁西区教育工作领导小组"), (second, "铁西区 教育工作领导小组")):
        app = apply(w, kind=Kind.ADJUST, body=body, proposal={"name": name})
        app = register.office_review(actor=w.staff, application=app, opinion="拟同意。", today=DAY)
        apps.append(register.deputy_review(actor=w.edu_deputy, application=app, opinion="同意。", today=DAY))

    def approve(app):
        return lambda: register.head_approve(actor=_fresh(w.head), application=app.pk, opinion="同意。", today=DAY)

    results, errors = race(*(approve(app) for app in apps))
    assert len(results) == 1 and len(errors) == 1, (results, errors)
    assert isinstance(errors[0], register.InvalidProposal), repr(errors[0])
    assert "已有同名的议事协调机构" in str(errors[0]) and "不得重复设立" in str(errors[0])
    assert Body.objects.filter(name_key="铁西区教育工作领导小组").count() == 1


def test_crd_2_body_name_with_extra_space_or_fullwidth_is_the_same():
    w = build_world()
    make_body(w, "铁西区安全生产委员会（办公室）")
    for typed in ("铁西区 安全生产委员会(办公室)", "铁西区安全生产委员会[办公室]", "铁西区安全生产委员会〔办公室〕　"):
        with pytest.raises(register.InvalidProposal) as refused:
            apply(w, proposal=proposal(w, name=typed))
        assert "已有同名的议事协调机构" in str(refused.value)
    assert Body.objects.get().name_key == "铁西区安全生产委员会〔办公室〕"


def test_leave_one_open_leave_per_leader_and_day_raced_in_two_sessions_one_wins():
    """The deputy files the same leave from the desktop and the phone at once (or two overlapping ones): one
    request stands, the other is refused."""
    w = build_world()
    for start, end in ((MON, MON + dt.timedelta(days=2)), (MON + dt.timedelta(days=7), MON + dt.timedelta(days=8))):

        def ask(place, start=start, end=end):
            return lambda: absence.request_absence(
                actor=_fresh(w.edu_deputy),
                post=w.edu_deputy_post,
                start=start,
                end=end,
                place=place,
                purpose="参加培训",
                contact="13900000000",
                acting_post=w.judicial_post,
                today=FRI,
            )

        results, errors = race(ask("北京"), ask("上海"))
        assert len(results) == 1 and len(errors) == 1, (results, errors)
        assert isinstance(errors[0], ActionRefused) and "这段时间已有本人的请假" in str(errors[0])
    assert AbsenceRequest.objects.filter(post=w.edu_deputy_post).count() == 2


def test_crd_4_review_round_opened_twice_at_once_one_wins():
    w = build_world()
    make_body(w, "铁西区教育督导委员会")

    def open_round(actor):
        return lambda: upkeep.open_round(actor=_fresh(actor), title="2026年度清理", today=DAY)

    results, errors = race(open_round(w.staff), open_round(w.director))
    assert len(results) == 1 and len(errors) == 1, (results, errors)
    assert isinstance(errors[0], ActionRefused) and "尚未结束" in str(errors[0])
    assert ReviewRound.objects.filter(closed_on__isnull=True).count() == 1

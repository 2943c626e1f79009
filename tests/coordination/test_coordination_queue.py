"""我的待办 for coordination (issue 10): after each step of each flow exactly the right people have the item in their
queue — the application path (CRD-1), review entries (CRD-4), annual targets (CRD-5), leave (LEAVE-2/3) and research
topics (RES-1); acting (LEAVE-4) reroutes a post's task on the first and the last day; a task closes when a second
entitled person does the step; and on random walks through the services "may act" equals "in the queue"."""

from __future__ import annotations

import datetime as dt

import pytest

from coordination.absence import services as absence
from coordination.models import AbolishGround, AbsenceRequest, Application, Rank, ResearchTopic, ReviewEntry
from coordination.register import services as register
from coordination.research import services as research
from coordination.upkeep import services as upkeep
from tests.coordination.queue_support import key, labels, mismatches, queued, walk
from tests.coordination.test_coordination_applications import apply, proposal
from tests.coordination.upkeep_support import make_body
from tests.meetings.meetings_support import DAY
from tiexi_gov.deadlines.models import Deadline
from tiexi_gov.org.models import Post
from tiexi_gov.workflow.models import Task

pytestmark = pytest.mark.django_db

St = Application.State


def everyone(w):
    return [
        w.head, w.exec_deputy, w.judicial_deputy, w.edu_deputy, w.director, w.office_deputy, w.staff, w.adviser,
        *w.unit_heads.values(), *w.clerks.values(), *w.unit_deputies.values(), w.outsider,
    ]  # fmt: skip


def holders(w, obj, day=DAY) -> set[str]:
    """Usernames that have `obj` in their queue on `day`."""
    return {u.username for u in everyone(w) if key(obj) in queued(u, day)}


def unit_members(w, short) -> set[str]:
    return {w.unit_heads[short].username, w.clerks[short].username, w.unit_deputies[short].username}


OFFICE = {"staff", "director", "ddir"}  # 郑会务, 周主任, 吴副主任 (the deputy director holds the staff role)


# --- CRD-1 ---------------------------------------------------------------------------------------------------


def test_crd_1_application_waits_on_each_step_in_turn(world):
    w = world
    app = apply(w, submit=False)
    assert holders(w, app) == unit_members(w, "教育局")  # a draft: its unit submits it
    assert labels(app, DAY) == {"待提交": unit_members(w, "教育局")}

    app = register.submit_application(actor=w.clerks["教育局"], application=app, today=DAY)
    assert holders(w, app) == OFFICE
    assert set(labels(app, DAY)) == {"待审核"}

    app = register.office_review(actor=w.staff, application=app, opinion="拟同意。", today=DAY)
    assert holders(w, app) == {"edu"}  # the deputy responsible for 教育局

    app = register.send_back(actor=w.edu_deputy, application=app, opinion="请补充。", today=DAY)
    assert holders(w, app) == unit_members(w, "教育局")
    assert set(labels(app, DAY)) == {"待修改后重新提交"}

    app = register.submit_application(actor=w.unit_heads["教育局"], application=app, today=DAY)
    app = register.office_review(actor=w.director, application=app, opinion="拟同意。", today=DAY)
    app = register.deputy_review(actor=w.edu_deputy, application=app, opinion="同意。", today=DAY)
    assert holders(w, app) == {"head"}
    assert labels(app, DAY) == {"待审定": {"head"}}

    app = register.head_approve(actor=w.head, application=app, opinion="同意。", today=DAY)
    assert holders(w, app) == set() and not Task.objects.open().of(app).exists()
    assert not mismatches(DAY)


def test_crd_1_the_office_may_submit_for_a_unit_but_the_draft_waits_on_the_unit(world):
    w = world
    draft = register.create_application(
        actor=w.staff, kind=Application.Kind.SETUP, applicant_unit=w.units["教育局"], reason="代为录入纸质申请。",
        proposal=proposal(w), today=DAY,
    )  # fmt: skip
    assert holders(w, draft) == unit_members(w, "教育局")  # not the office's task, though it may submit
    app = register.submit_application(actor=w.staff, application=draft, today=DAY)
    assert app.state == St.OFFICE_REVIEW and holders(w, app) == OFFICE


def test_crd_1_a_task_closes_when_a_second_entitled_person_does_the_step(world):
    w = world
    app = apply(w)
    assert key(app) in queued(w.staff, DAY) and key(app) in queued(w.director, DAY)
    register.office_review(actor=w.director, application=app, opinion="拟同意。", today=DAY)
    assert key(app) not in queued(w.staff, DAY)
    closed = Task.objects.of(app).filter(action="office_review")
    assert closed.count() == 2 and all(t.closed_by == w.director for t in closed)


def test_crd_1_draft_for_a_busy_body_waits_on_nobody_until_the_body_is_free(world):
    w = world
    app = register.head_approve(
        actor=w.head,
        application=register.deputy_review(
            actor=w.edu_deputy,
            application=register.office_review(actor=w.staff, application=apply(w), opinion="拟同意。", today=DAY),
            opinion="同意。",
            today=DAY,
        ),
        opinion="同意。",
        today=DAY,
    )
    body = app.body
    merge_target = make_body("教育工作领导小组", host=w.units["教育局"], head=w.edu_deputy_post)
    grounds = {"abolish_grounds": [AbolishGround.DUPLICATE]}
    adjusting = apply(w, kind=Application.Kind.ADJUST, body=body, proposal={"office_name": "新办公室"})
    draft = apply(w, kind=Application.Kind.MERGE, body=body, merge_into=merge_target, proposal=grounds, submit=False)
    assert holders(w, draft) == set()  # one application in flight per body (CRD-1): nobody can submit it now
    register.send_back(actor=w.staff, application=adjusting, opinion="无需调整。", today=DAY)
    assert holders(w, draft) == unit_members(w, "教育局")  # the body is free: the draft waits on its unit again
    assert holders(w, adjusting) == unit_members(w, "教育局")  # as does the returned adjustment
    register.submit_application(actor=w.clerks["教育局"], application=draft, today=DAY)
    assert holders(w, adjusting) == set()  # the merge is out: the adjustment waits on nobody until it is settled
    assert not mismatches(DAY)


def test_leave_4_the_heads_approval_goes_to_the_entrusted_executive_deputy_on_the_first_and_last_day(world):
    w = world
    first, last = DAY + dt.timedelta(days=6), DAY + dt.timedelta(days=8)
    absence.request_absence(
        actor=w.head, post=w.head_post, start=first, end=last, place="北京", purpose="学习", contact="139",
        today=DAY,
    )  # fmt: skip
    app = register.deputy_review(
        actor=w.edu_deputy,
        application=register.office_review(actor=w.staff, application=apply(w), opinion="拟同意。", today=DAY),
        opinion="同意。",
        today=DAY,
    )
    before, after = first - dt.timedelta(days=1), last + dt.timedelta(days=1)
    assert holders(w, app, before) == {"head"}
    assert holders(w, app, first) == {"exec"} and holders(w, app, last) == {"exec"}
    assert holders(w, app, after) == {"head"}
    approved = register.head_approve(actor=w.exec_deputy, application=app, opinion="同意（受委托）。", today=last)
    assert approved.state == St.APPROVED and holders(w, approved, last) == set()


# --- LEAVE ---------------------------------------------------------------------------------------------------


def test_leave_2_deputy_leave_waits_in_the_heads_queue(world):
    """Moved from tests/deadlines (the old "waiting" count box): the request is a row of the head's 我的待办."""
    w = world
    req = absence.request_absence(
        actor=w.edu_deputy, post=w.edu_deputy_post,
        start=DAY + dt.timedelta(days=3), end=DAY + dt.timedelta(days=4),
        place="长春", purpose="参加省教育工作会议", contact="138****0000", acting_post=w.judicial_post, today=DAY,
    )  # fmt: skip
    assert holders(w, req) == {"head"}
    task = Task.objects.open().of(req).get()
    assert task.action_label == "待审批" and task.rule_id == "LEAVE-2" and task.from_user == w.edu_deputy


def test_leave_3_approved_leave_waits_on_the_requesters_return_report(world):
    w = world
    start = DAY + dt.timedelta(days=3)
    req = absence.request_absence(
        actor=w.unit_heads["教育局"], post=w.unit_head_posts["教育局"], start=start, end=start, place="长春",
        purpose="培训", contact="139", acting_post=Post.objects.get(unit=w.units["教育局"], kind=Post.Kind.UNIT_DEPUTY),
        today=DAY,
    )  # fmt: skip
    assert holders(w, req) == {"edu"}  # one day: the responsible deputy
    req = absence.decide_absence(actor=w.edu_deputy, request=req, approve=True, today=DAY)
    assert holders(w, req) == {"jyj_head"}
    assert labels(req, DAY) == {"待返回销假": {"jyj_head"}}
    back = start + dt.timedelta(days=1)
    absence.report_return(actor=w.unit_heads["教育局"], request=req, returned_on=back, report="已返回。", today=back)
    assert holders(w, req, back) == set()


def test_leave_4_a_unit_heads_request_reaches_the_acting_deputy_on_the_first_and_last_day(world):
    w = world
    first, last = DAY + dt.timedelta(days=5), DAY + dt.timedelta(days=7)
    away = absence.request_absence(
        actor=w.edu_deputy, post=w.edu_deputy_post, start=first, end=last, place="长春", purpose="学习",
        contact="138", acting_post=w.judicial_post, today=DAY,
    )  # fmt: skip
    absence.decide_absence(actor=w.head, request=away, approve=True, today=DAY)
    trip = last + dt.timedelta(days=2)
    req = absence.request_absence(
        actor=w.unit_heads["教育局"], post=w.unit_head_posts["教育局"], start=trip, end=trip, place="沈阳",
        purpose="考察", contact="139", acting_post=Post.objects.get(unit=w.units["教育局"], kind=Post.Kind.UNIT_DEPUTY),
        today=DAY,
    )  # fmt: skip
    assert req.approver_post == w.edu_deputy_post
    assert holders(w, req, first - dt.timedelta(days=1)) == {"edu"}
    assert holders(w, req, first) == {"judicial"} and holders(w, req, last) == {"judicial"}
    assert holders(w, req, last + dt.timedelta(days=1)) == {"edu"}
    assert not mismatches(first) and not mismatches(last)
    decided = absence.decide_absence(actor=w.judicial_deputy, request=req, approve=True, today=last)
    assert decided.state == AbsenceRequest.State.APPROVED and "judicial" not in holders(w, decided, last)


# --- CRD-4, CRD-5, RES-1 ---------------------------------------------------------------------------------------


def test_crd_4_each_body_of_a_round_waits_on_the_offices_decision(world):
    w = world
    body = make_body("招商引资工作领导小组", host=w.units["发改局"], head=w.exec_post)
    other = make_body("审计整改工作领导小组", host=w.units["审计局"], head=w.exec_post)
    rnd = upkeep.open_round(actor=w.staff, title="2026年度清理", today=DAY)
    entry, second = (rnd.entries.get(body=b) for b in (body, other))
    assert holders(w, entry) == OFFICE and labels(entry, DAY) == {"待评估": OFFICE}
    upkeep.decide_entry(actor=w.director, entry=entry, decision=ReviewEntry.Decision.KEEP, today=DAY)
    assert holders(w, entry) == set()
    upkeep.decide_entry(
        actor=w.staff, entry=second, decision=ReviewEntry.Decision.ABOLISH, grounds=[AbolishGround.SINGLE_TASK],
        today=DAY,
    )  # fmt: skip
    fed = Application.objects.get(review=second)
    assert holders(w, second) == set() and holders(w, fed) == unit_members(w, "审计局")
    assert not mismatches(DAY)
    # the body's record reads in words, not the review's codes (pending → abolish)
    from tiexi_gov.audit.models import Event

    decided = Event.objects.for_object(other).get(action="review_decided")
    assert (decided.from_state, decided.to_state) == ("待评估", "建议撤销")


def test_crd_5_targets_wait_on_the_host_unit_with_their_clock_then_on_the_office(world):
    w = world
    body = make_body("安全生产委员会", host=w.units["司法局"], head=w.judicial_post, rank=Rank.DEPUTY)
    opened = dt.date(2026, 1, 5)
    (targets,) = upkeep.open_targets(actor=w.staff, year=2026, today=opened)
    assert holders(w, targets, opened) == unit_members(w, "司法局")
    task = Task.objects.open().of(targets).get()
    assert task.deadline == Deadline.objects.get(rule_id="CRD-5", subject_id=str(targets.pk))
    assert task.action_label == "待报送" and task.rule_id == "CRD-5"
    filed = upkeep.file_targets(
        actor=w.clerks["司法局"], targets=targets, items=["事故下降"], reported_to_head_on=opened, today=opened
    )
    assert holders(w, filed, opened) == OFFICE and set(labels(filed, opened)) == {"待督导检查"}
    item = filed.items.get()
    upkeep.review_targets(actor=w.staff, targets=filed, results={item.pk: (True, "")}, today=dt.date(2026, 12, 1))
    assert holders(w, filed, opened) == set()
    assert body.annual_targets.get().state == "reviewed"


def test_res_1_a_topic_waits_on_its_leaders_report(world):
    w = world
    topic = research.add_topic(actor=w.staff, person=w.edu_deputy, year=2026, title="乡村教育", today=DAY)
    assert topic.state == ResearchTopic.State.OPEN
    assert holders(w, topic) == {"edu"} and labels(topic, DAY) == {"待提交调研报告": {"edu"}}
    research.file_report(actor=w.staff, topic=topic, report="报告（代为提交）", today=DAY)  # the office, for them
    topic.refresh_from_db()
    assert topic.state == ResearchTopic.State.REPORTED and holders(w, topic) == set()


# --- completeness on random walks --------------------------------------------------------------------------------


@pytest.mark.parametrize("seed", [1, 2])
def test_issue_10_coordination_queue_is_complete_on_random_walks(world, seed):
    w = world
    make_body("招商引资工作领导小组", host=w.units["发改局"], head=w.exec_post)
    make_body("校园安全工作领导小组", host=w.units["教育局"], head=w.edu_deputy_post)
    _, problems = walk(seed, 60, DAY)
    assert problems == []


def test_issue_10_every_non_final_state_opens_a_task_or_says_why_it_waits_on_nobody():
    """Each state a coordination FSM can leave either has a step someone must take (a non-optional transition) or
    is declared waiting on nobody, with the reason — never both, never neither."""
    from tests.coordination.queue_support import coordination_flows

    checked = []
    for flow in coordination_flows():
        field = flow.model._meta.get_field(flow.state_field)
        transitions = list(field.get_all_transitions(flow.model))
        for state, _label in field.choices:
            leaving = [t for t in transitions if t.source in (state, "*")]
            if not leaving:
                assert state not in flow.nobody, (flow.model.__name__, state)  # a final state needs no reason
                continue
            expected = [t.name for t in leaving if not flow.is_optional(t.name, state)]
            declared = state in flow.nobody and bool(flow.nobody[state].strip())
            assert bool(expected) != declared, (flow.model.__name__, state, expected, flow.nobody.get(state))
            checked.append((flow.model.__name__, state))
    models = {m for m, _ in checked}
    assert models == {"Application", "Body", "ReviewEntry", "AnnualTargets", "AbsenceRequest", "ResearchTopic"}

"""我的待办 for supervision (issue 10): after each step of each flow, the item is in the queue of exactly the people
who may take the next step — the office (by its business roles), the lead and cooperating units' clerks and heads
(by their home unit), whoever handles a leader's post that day (LEAVE-4) — with the rule's clock where there is one;
a task closes when any entitled person does the step."""

from __future__ import annotations

import datetime as dt
from io import StringIO

import pytest
from django.core.management import call_command
from django.urls import reverse
from django.utils import timezone
from supervision_support import DAY, make_item, queue_of

from supervision.ledger import services
from supervision.models import HalfYearReport, ItemState, Outcome, PublicInquiry, Rectification, Source
from supervision.outcomes import services as outcome_services
from supervision.public import services as public_services
from supervision.reports import services as report_services
from tests.factories import ActingArrangementFactory, UserFactory
from tiexi_gov.audit.models import Event
from tiexi_gov.deadlines.models import Deadline
from tiexi_gov.org.roles import Role
from tiexi_gov.workflow.errors import NotAllowed
from tiexi_gov.workflow.models import Task

pytestmark = [pytest.mark.django_db]

PEOPLE = (
    "staff",
    "director",
    "head",
    "dep_a",
    "dep_b",
    "fin_head",
    "fin_clerk",
    "dev_clerk",
    "other_clerk",
    "outsider",
)


@pytest.fixture(autouse=True)
def media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path


def _who(world, obj, day=DAY) -> dict[str, set[str]]:
    """Who has `obj` in their 我的待办 on `day`, with which actions."""
    model = obj._meta.model_name
    out = {}
    for name in PEOPLE:
        actions = {a for m, pk, a in queue_of(getattr(world, name), day) if m == model and pk == obj.pk}
        if actions:
            out[name] = actions
    return out


def _task(obj, action) -> Task:
    return Task.objects.of(obj).get(action=action, closed_at__isnull=True)


OFFICE = {"staff": {"issue"}, "director": {"issue"}}
LEAD = {"fin_head", "fin_clerk"}


def test_sup_1_the_item_waits_on_the_office_then_the_lead_unit_then_the_office(world):
    w = world
    item = make_item(w, issue=False, due=DAY + dt.timedelta(days=60))
    assert _who(w, item) == OFFICE  # a draft waits to be issued: 待交办

    item = services.issue_item(actor=w.staff, item=item, today=DAY)
    assert _who(w, item) == {"fin_head": {"accept"}, "fin_clerk": {"accept"}, "dev_clerk": {"report_part"}}
    accept = _task(item, "accept")
    assert accept.action_label == "待签收" and accept.rule_id == "SUP-1"
    assert accept.deadline.rule_id == "SUP-1" and accept.deadline.due == item.due

    item = services.accept_item(actor=w.fin_clerk, item=item, today=DAY)
    assert _who(w, item) == {"fin_head": {"progress"}, "fin_clerk": {"progress"}, "dev_clerk": {"report_part"}}
    progress = _task(item, "progress")
    assert progress.action_label == "待报送进展" and progress.deadline.rule_id == "SUP-2"
    assert progress.deadline.due == item.next_report_due

    # SUP-2: the cooperating unit owes one part report per cycle of the lead unit's reports
    report_services.file_progress_report(actor=w.dev_clerk, item=item, percent=30, done="协办", today=DAY)
    assert "dev_clerk" not in _who(w, item)
    with pytest.raises(services.SupervisionError, match="本期协办进展"):
        report_services.file_progress_report(actor=w.dev_clerk, item=item, percent=40, done="再报", today=DAY)
    report_services.file_progress_report(actor=w.fin_head, item=item, percent=30, done="推进", today=DAY)
    assert _who(w, item)["dev_clerk"] == {"report_part"}
    assert _task(item, "progress").opened_at == progress.opened_at  # the same task: still waiting, since then

    services.claim_completion(actor=w.fin_clerk, item=item, evidence="已完成", today=DAY)
    assert _who(w, item) == {"staff": {"verify"}, "director": {"verify"}}  # 待核验
    services.verify_item(actor=w.director, item=item, note="属实", today=DAY)
    assert _who(w, item) == {}
    assert not Task.objects.open().of(item).exists()


def test_sup_1_the_lead_units_task_follows_the_clock_that_runs_out_first(world):
    w = world
    item = make_item(w, due=DAY + dt.timedelta(days=10))  # the monthly report would fall after the deadline
    services.accept_item(actor=w.fin_clerk, item=item, today=DAY)
    task = _task(item, "progress")
    assert task.action_label == "待报办结" and task.rule_id == "SUP-1" and task.deadline.due == item.due


def test_sup_5_supervision_in_the_governments_name_waits_on_the_leader_in_charge_and_the_head(world):
    w = world
    item = make_item(w, issue=False, in_government_name=True, supervising_unit=w.dev)
    services.issue_item(actor=w.staff, item=item, today=DAY)
    assert _who(w, item) == {"dep_a": {"approve"}, "head": {"approve"}}  # not 孙副区长, not the unit yet
    assert {t.rule_id for t in Task.objects.open().of(item)} == {"SUP-5"}
    services.approve_item(actor=w.head, item=item, today=DAY)
    assert set(_who(w, item)) == {*LEAD, "dev_clerk"}
    assert Task.objects.of(item).get(action="approve", owner_post=w.dep_a_post).closed_by == w.head


def test_leave_4_acting_reroutes_the_approval_on_the_first_and_the_last_day(world):
    w = world
    first, last = DAY + dt.timedelta(days=1), DAY + dt.timedelta(days=3)
    ActingArrangementFactory(absent_post=w.dep_a_post, acting_post=w.dep_b_post, start=first, end=last)
    item = make_item(w, issue=False, in_government_name=True, supervising_unit=w.dev)
    services.issue_item(actor=w.staff, item=item, today=DAY)
    assert "approve" in _who(w, item, DAY).get("dep_a", set()) and "dep_b" not in _who(w, item, DAY)
    for day in (first, last):
        who = _who(w, item, day)
        assert who.get("dep_b") == {"approve"} and "dep_a" not in who, day
    after = _who(w, item, last + dt.timedelta(days=1))
    assert after.get("dep_a") == {"approve"} and "dep_b" not in after
    # 孙副区长 acts on the last day, in 李副区长's stead; the post's task is closed by him
    services.approve_item(actor=w.dep_b, item=item, opinion="同意", today=last)
    event = Event.objects.for_object(item).get(action="approved")
    assert event.actor == w.dep_b and event.capacity.startswith("代") and event.acting_for == w.dep_a
    assert Task.objects.of(item).get(action="approve", owner_post=w.dep_a_post).closed_by == w.dep_b


def test_leave_4_the_acting_deputy_decides_an_outcome_sent_to_the_absent_one(world):
    w = world
    item = make_item(w)
    late = item.due + dt.timedelta(days=1)
    outcome = outcome_services.propose_outcome(
        actor=w.staff, item=item, kind=Outcome.OutcomeKind.CRITICISM, grounds="超期未办结", today=late
    )
    assert _who(w, outcome, late) == {"dep_a": {"decide"}}  # 待审定
    assert _task(outcome, "decide").action_label == "待审定"
    ActingArrangementFactory(absent_post=w.dep_a_post, acting_post=w.dep_b_post, start=late, end=late)
    assert _who(w, outcome, late) == {"dep_b": {"decide"}}
    assert _who(w, outcome, late + dt.timedelta(days=1)) == {"dep_a": {"decide"}}
    outcome_services.decide_outcome(actor=w.dep_b, outcome=outcome, approve=True, today=late)
    assert _who(w, outcome, late) == {}
    assert Task.objects.of(outcome).get(action="decide").closed_by == w.dep_b


def test_sup_1_a_task_closes_when_a_second_entitled_person_does_the_step(world):
    w = world
    item = make_item(w)
    task = _task(item, "accept")
    assert {"fin_clerk", "fin_head"} <= set(_who(w, item))
    services.accept_item(actor=w.fin_head, item=item, today=DAY)  # the head, not the clerk who usually signs
    task.refresh_from_db()
    assert task.closed_at is not None and task.closed_by == w.fin_head
    assert "accept" not in _who(w, item).get("fin_clerk", set())


def test_sup_1_a_unit_acts_through_its_clerks_and_heads_the_office_through_its_roles(world):
    w = world
    member = UserFactory(username="finmember", unit=w.fin, full_name="财政干部")  # no clerk or head role
    admin = UserFactory(username="officeadmin", unit=w.office, full_name="系统管理员", roles=[Role.SYSTEM_ADMIN])
    draft = make_item(w, issue=False, task="核查专项资金", source_ref="核-1")
    item = make_item(w)
    assert queue_of(member, DAY) == set() and queue_of(admin, DAY) == set()
    with pytest.raises(NotAllowed):
        services.accept_item(actor=member, item=item, today=DAY)
    with pytest.raises(NotAllowed):
        services.issue_item(actor=admin, item=draft, today=DAY)
    assert item.__class__.objects.get(pk=item.pk).state == ItemState.ASSIGNED


def test_sup_3_a_cleared_mechanism_waits_on_the_lead_unit_before_the_office_re_checks(world):
    w = world
    item = make_item(
        w,
        source=Source.INSPECTION,
        rectification={"problem": "台账不全", "level": "city", "found_by": "市督查组", "measures": "补齐台账"},
    )
    services.accept_item(actor=w.fin_clerk, item=item, today=DAY)
    services.claim_completion(actor=w.fin_clerk, item=item, evidence="已补齐", mechanism="月度核对", today=DAY)
    assert set(_who(w, item)) == {"staff", "director"}
    report_services.update_rectification(actor=w.staff, item=item, mechanism="", today=DAY)
    assert _who(w, item) == {"fin_head": {"supply_mechanism"}, "fin_clerk": {"supply_mechanism"}}
    report_services.update_rectification(actor=w.fin_head, item=item, mechanism="月度核对、季度抽查", today=DAY)
    assert Rectification.objects.get(item=item).mechanism == "月度核对、季度抽查"
    assert _who(w, item) == {"staff": {"verify"}, "director": {"verify"}}


def test_pub_3_a_proposal_waits_for_the_lead_units_reply_then_the_offices_publication(world):
    w = world
    item = make_item(
        w, source=Source.NPC_SUGGESTION, source_ref="建议第8号", proposal={"number": "8", "proposer": "赵代表"}
    )
    who = _who(w, item)
    assert who["fin_clerk"] == {"accept", "reply_proposal"} and "staff" not in who
    assert _task(item, "reply_proposal").action_label == "待答复代表委员"
    public_services.record_proposal_reply(actor=w.fin_clerk, item=item, reply="已答复", today=DAY)
    who = _who(w, item)
    assert who["staff"] == {"publish_proposal"} and who["fin_clerk"] == {"accept"}
    # the satisfaction recorded later amends the reply: no new task
    public_services.record_proposal_reply(actor=w.staff, item=item, reply="已答复", satisfaction="satisfied", today=DAY)
    assert _who(w, item)["staff"] == {"publish_proposal"}
    public_services.publish_proposal_result(actor=w.director, item=item, summary="已办结", today=DAY)
    assert "staff" not in _who(w, item) and "director" not in _who(w, item)


def test_pub_1_an_inquiry_waits_on_the_office_then_on_the_unit_with_its_five_day_clock(world):
    w = world
    inquiry = public_services.log_inquiry(actor=w.staff, asker="王先生", question="如何办理？", today=DAY)
    assert _who(w, inquiry) == {"staff": {"assign"}, "director": {"assign"}}  # 待转办
    inquiry = public_services.assign_inquiry(actor=w.staff, inquiry=inquiry, unit=w.fin, today=DAY)
    assert _who(w, inquiry) == {"fin_head": {"answer"}, "fin_clerk": {"answer"}}
    task = _task(inquiry, "answer")
    assert task.action_label == "待答复" and task.rule_id == "PUB-1" and task.deadline.due == inquiry.due
    # reassigned: the new unit waits, under the same 5-WD clock from receipt
    inquiry = public_services.assign_inquiry(actor=w.staff, inquiry=inquiry, unit=w.dev, today=DAY)
    assert _who(w, inquiry) == {"dev_clerk": {"answer"}}
    public_services.answer_inquiry(actor=w.dev_clerk, inquiry=inquiry, answer="请携带身份证办理。", today=DAY)
    assert _who(w, inquiry) == {}
    assert PublicInquiry.objects.get(pk=inquiry.pk).state == PublicInquiry.State.ANSWERED


def test_sup_2_each_units_half_year_report_waits_on_its_clerks_and_heads_with_its_clock(world):
    w = world
    report_services.open_half_year_round(actor=w.staff, year=2026, half=1, today=DAY)
    fin = HalfYearReport.objects.get(unit=w.fin, year=2026, half=1)
    assert _who(w, fin) == {"fin_head": {"file"}, "fin_clerk": {"file"}}  # not the office: its filing is optional
    task = _task(fin, "file")
    assert task.action_label == "待报送半年报告" and task.deadline.due == fin.due
    assert task.deadline.state == Deadline.State.OPEN
    report_services.file_half_year_report(actor=w.fin_clerk, report=fin, summary="总结", counterpart="市财政局")
    assert _who(w, fin) == {}
    dev = HalfYearReport.objects.get(unit=w.dev, year=2026, half=1)
    report_services.file_half_year_report(actor=w.staff, report=dev, summary="纸质", counterpart="市发改委")
    assert _who(w, dev) == {} and Task.objects.of(dev).get(action="file").closed_by == w.staff


def test_the_queue_page_lists_the_supervision_steps_waiting_on_the_user(world, client):
    w = world
    item = make_item(w)
    client.force_login(w.fin_clerk)
    html = client.get(reverse("workflow:queue")).content.decode()
    assert item.number in html and "待签收" in html


def test_cal_2_the_printed_queue_marks_a_provisional_count_as_the_page_does(world):
    """`make run` prints each login's 我的待办 (`tasks summary`, `seed_demo --queues`), read with the page's own query
    so the two agree. The page marks a count of working days that runs into a year with no official holiday calendar
    暂定 (a guess is never shown as official); the printed lines gave the bare count."""
    today = timezone.localdate()
    item = make_item(world, today=today, due=dt.date(today.year + 3, 3, 1))
    services.accept_item(actor=world.fin_clerk, item=item, today=today)
    out = StringIO()
    call_command("tasks", "summary", "--users", world.fin_clerk.username, stdout=out)
    lines = [line for line in out.getvalue().splitlines() if item.number in line and "个工作日" in line]
    assert lines, out.getvalue()
    assert all(line.endswith("个工作日（暂定）") for line in lines), lines

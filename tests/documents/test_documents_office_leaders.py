"""Registration, office review and the leaders (DOC-11, DOC-12, DOC-13; ORG-2, ORG-3)."""

import datetime as dt

import pytest
from documents_support import DAY, awaiting_routing, draft, in_leader_review, registered, submitted

from documents.models import Instruction, LeaderAssignment, ProcessingSlip, Submission, SubmissionState, Urgency
from documents.submissions import services
from tests.factories import ActingArrangementFactory
from tiexi_gov.audit.models import Event
from tiexi_gov.deadlines import services as deadlines
from tiexi_gov.deadlines.models import Deadline
from tiexi_gov.notify.models import Message
from tiexi_gov.workdays import calendar as wd
from tiexi_gov.workflow.errors import NotAllowed
from tiexi_gov.workflow.errors import RuleViolation as DocumentRuleError

pytestmark = [pytest.mark.postgres, pytest.mark.django_db]
D = Instruction.Decision


def _slip(sub) -> ProcessingSlip:
    return Submission.objects.get(pk=sub.pk).current_slip


def test_doc_3_registration_gives_a_continuous_yearly_slip_number(world):
    first, second = registered(world), registered(world, title="关于第二件事的请示")
    assert [_slip(first).number, _slip(second).number] == ["2026-0001", "2026-0002"]
    next_year = dt.date(2027, 1, 4)
    sub = submitted(world, next_year)
    slip = services.register(actor=world.staff, submission=sub, today=next_year)
    assert slip.number == "2027-0001"
    slip = _slip(first)
    assert (slip.from_unit_name, slip.registered_on, slip.title) == ("铁西区财政局", DAY, first.title)


@pytest.mark.parametrize(
    ("urgency", "workdays", "extra"),
    [
        (Urgency.NORMAL, 10, {}),
        (Urgency.URGENT, 5, {}),
        (Urgency.EXTRA_URGENT, 3, {"urgency_reason": "上级限期"}),
        (Urgency.CRITICAL, 2, {"urgency_reason": "上级限期"}),
    ],
)
def test_doc_13_approval_deadline_by_urgency(world, urgency, workdays, extra):
    day = dt.date(2026, 9, 29)
    sub = registered(world, day, urgency=urgency, decision_needed_by=dt.date(2026, 11, 30), **extra)
    slip = _slip(sub)
    assert slip.approval_workdays == workdays
    assert slip.approval_due == wd.add_workdays(day, workdays)
    clock = Deadline.objects.get(rule_id="DOC-13", state="open")
    assert clock.due == slip.approval_due and clock.owner_user == world.staff
    assert slip.leader_sign_workdays == (1 if urgency == Urgency.CRITICAL else None)


def test_doc_13_reminder_arrives_through_the_sweep(world):
    sub = registered(world)
    due = _slip(sub).approval_due
    deadlines.sweep(today=wd.subtract_workdays(due, 2))
    assert not Message.objects.filter(recipient=world.staff, level="reminder").exists()
    deadlines.sweep(today=wd.subtract_workdays(due, 1))
    reminder = Message.objects.get(recipient=world.staff, level="reminder")
    assert "催办" in reminder.subject
    deadlines.sweep(today=wd.subtract_workdays(due, 1))  # once only
    assert Message.objects.filter(recipient=world.staff, level="reminder").count() == 1
    deadlines.sweep(today=wd.add_workdays(due, 1))
    assert Message.objects.filter(recipient=world.director, level="escalation").exists()


def test_doc_13_critical_item_gives_the_leader_one_workday(world):
    sub = in_leader_review(
        world, urgency=Urgency.CRITICAL, urgency_reason="防汛", decision_needed_by=dt.date(2026, 12, 1)
    )
    a = sub.assignments.get()
    assert a.due == wd.add_workdays(DAY, 1)
    clock = Deadline.objects.get(rule_id="DOC-13", state="open", owner_post=world.dep_a_post)
    assert clock.due == a.due


def test_doc_11_deputy_director_reviews_before_director(world):
    sub = registered(world)
    with pytest.raises(DocumentRuleError) as exc:
        services.office_review_opinion(actor=world.director, submission=sub, opinion="同意")
    assert exc.value.rule_id == "DOC-11"
    with pytest.raises(NotAllowed):
        services.office_review_opinion(actor=world.staff, submission=sub, opinion="同意")
    services.office_review_opinion(actor=world.deputy_director, submission=sub, opinion="拟呈李副区长阅示", today=DAY)
    sub.refresh_from_db()
    assert sub.state == SubmissionState.OFFICE_REVIEW
    with pytest.raises(DocumentRuleError) as exc:
        services.office_review_opinion(actor=world.deputy_director, submission=sub, opinion="再审")
    assert exc.value.rule_id == "DOC-11"
    services.office_review_opinion(actor=world.director, submission=sub, opinion="同意呈批", today=DAY)
    sub.refresh_from_db()
    assert sub.state == SubmissionState.AWAITING_ROUTING
    steps = list(sub.instructions.values_list("step", "post__title"))
    assert steps == [("office_deputy", "办公室副主任"), ("office_director", "办公室主任")]


def test_doc_11_route_follows_the_portfolio_of_the_day(world):
    sub = awaiting_routing(world)
    a = services.route_to_leader(actor=world.staff, submission=sub, today=DAY)
    assert a.post == world.dep_a_post and a.mode == LeaderAssignment.Mode.SINGLE
    assert Message.objects.filter(recipient=world.dep_a, subject__contains="待批示").exists()
    event = Event.objects.for_object(sub).get(action="route_to_leader")
    assert "李副区长" in event.opinion and event.rule_id == "DOC-11"


def test_org_3_absent_deputy_reroutes_to_acting_deputy_with_capacity(world):
    ActingArrangementFactory(
        absent_post=world.dep_a_post, acting_post=world.dep_b_post, start=DAY, end=DAY + dt.timedelta(days=10)
    )
    sub = in_leader_review(world)
    a = sub.assignments.get()
    assert a.post == world.dep_a_post  # the post's matter; the acting deputy handles it
    event = Event.objects.for_object(sub).get(action="route_to_leader")
    assert "孙副区长（代副区长（财政）李副区长）" in event.opinion
    with pytest.raises(NotAllowed):
        services.leader_decide(actor=world.dep_a, submission=sub, decision=D.APPROVE, opinion="同意", today=DAY)
    result = services.leader_decide(actor=world.dep_b, submission=sub, decision=D.APPROVE, opinion="同意", today=DAY)
    assert result.submission.state == SubmissionState.APPROVED
    assert result.instruction.capacity == "代副区长（财政）"
    approve = Event.objects.for_object(sub).get(action="leader_approve")
    assert approve.capacity == "代副区长（财政）" and approve.acting_for == world.dep_a and approve.actor == world.dep_b


def test_doc_11_the_route_button_names_the_leader_and_the_acting_person_before_the_click(world, client):
    from django.urls import reverse
    from django.utils import timezone

    sub = awaiting_routing(world)
    client.force_login(world.staff)
    page = client.get(reverse("documents:detail", args=[sub.pk])).content.decode()
    assert "按分工呈李副区长（副区长（财政））审批" in page and "确认呈李副区长（副区长（财政））审批？" in page
    today = timezone.localdate()
    ActingArrangementFactory(
        absent_post=world.dep_a_post, acting_post=world.dep_b_post, start=today, end=today + dt.timedelta(days=10)
    )
    page = client.get(reverse("documents:detail", args=[sub.pk])).content.decode()
    assert "按分工呈孙副区长（代副区长（财政）李副区长）审批" in page


def test_doc_11_pass_to_another_leader_and_up_to_the_head(world):
    sub = in_leader_review(world)
    res = services.leader_decide(
        actor=world.dep_a,
        submission=sub,
        decision=D.PASS,
        opinion="请孙副区长核批",
        to_post=world.dep_b_post,
        today=DAY,
    )
    assert res.submission.state == SubmissionState.LEADER_REVIEW and res.next_assignment.post == world.dep_b_post
    res = services.leader_decide(
        actor=world.dep_b, submission=res.submission, decision=D.ESCALATE, opinion="重大事项，报区长", today=DAY
    )
    assert res.next_assignment.post == world.head_post
    res = services.leader_decide(
        actor=world.head, submission=res.submission, decision=D.APPROVE, opinion="同意，请财政局抓紧落实", today=DAY
    )
    assert res.submission.state == SubmissionState.APPROVED
    path = list(sub.instructions.filter(step="leader").values_list("post__title", "decision"))
    assert path == [("副区长（财政）", "pass"), ("副区长（发改）", "escalate"), ("区长", "approve")]
    inbox = Message.objects.filter(recipient=world.fin_clerk, subject__contains="已批准").get()
    assert "同意，请财政局抓紧落实" in inbox.body


def test_doc_11_head_cannot_escalate_to_himself(world):
    sub = in_leader_review(world)
    res = services.leader_decide(actor=world.dep_a, submission=sub, decision=D.ESCALATE, opinion="报区长", today=DAY)
    with pytest.raises(DocumentRuleError):
        services.leader_decide(actor=world.head, submission=res.submission, decision=D.ESCALATE, opinion="x", today=DAY)


def test_doc_11_leader_returns_to_the_unit(world):
    sub = in_leader_review(world)
    res = services.leader_decide(
        actor=world.dep_a, submission=sub, decision=D.RETURN, opinion="请补充测算依据", today=DAY
    )
    assert res.submission.state == SubmissionState.RETURNED
    assert res.submission.return_text == "请补充测算依据"
    assert not Deadline.objects.filter(closed_at__isnull=True).exists()


def test_doc_12_parallel_completes_when_all_leaders_have_instructed(world):
    sub = awaiting_routing(world, urgency=Urgency.URGENT)
    services.send_to_leaders(
        actor=world.staff, submission=sub, mode="parallel", posts=[world.dep_a_post, world.dep_b_post], today=DAY
    )
    sub.refresh_from_db()
    assert sub.assignments.filter(state="pending").count() == 2
    res = services.leader_decide(actor=world.dep_b, submission=sub, decision=D.APPROVE, opinion="同意", today=DAY)
    assert res.submission.state == SubmissionState.LEADER_REVIEW
    res = services.leader_decide(
        actor=world.dep_a, submission=sub, decision=D.APPROVE, opinion="同意，抓紧办", today=DAY
    )
    assert res.submission.state == SubmissionState.APPROVED
    assert sub.instructions.filter(step="leader").count() == 2


def test_doc_12_parallel_with_one_disapproval_is_disapproved(world):
    sub = awaiting_routing(world, urgency=Urgency.URGENT)
    services.send_to_leaders(
        actor=world.staff, submission=sub, mode="parallel", posts=[world.dep_a_post, world.dep_b_post], today=DAY
    )
    services.leader_decide(actor=world.dep_a, submission=sub, decision=D.DISAPPROVE, opinion="暂缓", today=DAY)
    sub.refresh_from_db()
    res = services.leader_decide(actor=world.dep_b, submission=sub, decision=D.APPROVE, opinion="同意", today=DAY)
    assert res.submission.state == SubmissionState.DISAPPROVED


def test_doc_12_serial_goes_one_leader_after_another(world):
    sub = awaiting_routing(world, urgency=Urgency.URGENT)
    services.send_to_leaders(
        actor=world.staff, submission=sub, mode="serial", posts=[world.dep_b_post, world.dep_a_post], today=DAY
    )
    sub.refresh_from_db()
    with pytest.raises(NotAllowed):  # not yet dep_a's turn
        services.leader_decide(actor=world.dep_a, submission=sub, decision=D.APPROVE, opinion="同意", today=DAY)
    res = services.leader_decide(actor=world.dep_b, submission=sub, decision=D.APPROVE, opinion="同意", today=DAY)
    assert res.next_assignment.post == world.dep_a_post
    res = services.leader_decide(actor=world.dep_a, submission=sub, decision=D.APPROVE, opinion="同意", today=DAY)
    assert res.submission.state == SubmissionState.APPROVED


def test_doc_12_only_urgent_items_go_to_several_leaders(world):
    sub = awaiting_routing(world)
    with pytest.raises(DocumentRuleError) as exc:
        services.send_to_leaders(
            actor=world.staff, submission=sub, mode="parallel", posts=[world.dep_a_post, world.dep_b_post], today=DAY
        )
    assert exc.value.rule_id == "DOC-12"


def test_doc_12_office_notifies_units_to_prepare_while_pending(world):
    sub = in_leader_review(world)
    notices = services.notify_units_to_prepare(
        actor=world.staff, submission=sub, units=[world.dev], text="请提前做好资金拨付准备", today=DAY
    )
    assert len(notices) == 1
    assert Message.objects.filter(recipient=world.dev_clerk, subject__contains="落实准备").exists()
    assert Event.objects.for_object(sub).filter(action="notify_units_to_prepare", rule_id="DOC-12").exists()
    with pytest.raises(NotAllowed):
        services.notify_units_to_prepare(actor=world.fin_clerk, submission=sub, units=[world.dev], text="x")


def test_every_transition_writes_its_audit_event(world):
    sub = draft(world)
    services.request_consultation(actor=world.fin_clerk, submission=sub, units=[world.dev], today=DAY)
    req = sub.consultations.get()
    services.reply_to_consultation(actor=world.dev_clerk, consultation=req, reply="agree", today=DAY)
    sub.refresh_from_db()
    sub = services.send_for_signature(actor=world.fin_clerk, submission=sub, today=DAY)
    sub = services.sign_submission(actor=world.fin_head, submission=sub, today=DAY)
    sub = services.submit_to_office(actor=world.fin_clerk, submission=sub, today=DAY)
    services.register(actor=world.staff, submission=sub, today=DAY)
    sub.refresh_from_db()
    services.office_review_opinion(actor=world.deputy_director, submission=sub, opinion="拟呈", today=DAY)
    sub.refresh_from_db()
    services.office_review_opinion(actor=world.director, submission=sub, opinion="同意", today=DAY)
    sub.refresh_from_db()
    services.route_to_leader(actor=world.staff, submission=sub, today=DAY)
    sub.refresh_from_db()
    services.leader_decide(actor=world.dep_a, submission=sub, decision=D.APPROVE, opinion="同意", today=DAY)
    sub.refresh_from_db()
    services.close_submission(actor=world.staff, submission=sub, result="已转财政局落实", today=DAY)
    moves = list(
        Event.objects.for_object(sub)
        .exclude(to_state="")
        .exclude(action__startswith="deadline")
        .values_list("from_state", "to_state")
    )
    assert moves == [
        ("drafting", "consulting"),
        ("consulting", "awaiting_signature"),
        ("awaiting_signature", "signed"),
        ("signed", "submitted"),
        ("submitted", "registered"),
        ("registered", "office_review"),
        ("office_review", "awaiting_routing"),
        ("awaiting_routing", "leader_review"),
        ("leader_review", "approved"),
        ("approved", "closed"),
    ]
    assert all(e.actor_id for e in Event.objects.for_object(sub).exclude(action__startswith="deadline"))
    slip = _slip(sub)
    assert slip.result == "已转财政局落实" and slip.closed_on == DAY
    assert "发改局：同意" in slip.consultation_summary


def test_state_cannot_be_assigned_directly(world):
    sub = draft(world)
    with pytest.raises(AttributeError):
        sub.state = SubmissionState.APPROVED

"""The workflow kernel, the one way a waiting step is done: lock, the state the user saw ("已由XX处理"), the protected
transition with its object permission, save, the audit event in the same transaction, the tasks of the finished
step closed and the next ones opened, people told on commit — and a refusal changes nothing."""

from __future__ import annotations

import datetime as dt

import pytest
from django.contrib.auth.models import Permission

from documents.submissions import services
from documents.submissions.models import ConsultationRequest, Submission, SubmissionState
from tests.documents.documents_support import build_world, submitted, valid_fields
from tiexi_gov.audit.models import Event
from tiexi_gov.deadlines.services import sweep
from tiexi_gov.notify.models import Message
from tiexi_gov.org.models import User
from tiexi_gov.workdays import calendar as wd
from tiexi_gov.workflow.errors import AlreadyHandled, NotAllowed
from tiexi_gov.workflow.kernel import as_seen, transitions_for
from tiexi_gov.workflow.models import Task

pytestmark = pytest.mark.django_db
DAY = dt.date(2026, 9, 7)


def draft(w, **overrides):
    return services.create_draft(
        actor=w.fin_clerk, title="关于拨付专项资金的请示", today=DAY, **valid_fields(DAY, **overrides)
    )


def snapshot(sub):
    return (
        Submission.objects.get(pk=sub.pk).state,
        Event.objects.for_object(sub).count(),
        sorted(Task.objects.of(sub).values_list("key", "closed_at")),
        Message.objects.count(),
    )


def test_x_1_a_step_records_its_event_and_moves_its_tasks_in_the_same_transaction():
    w = build_world()
    sub = services.send_for_signature(actor=w.fin_clerk, submission=draft(w), today=DAY)
    event = Event.objects.for_object(sub).get(action="send_for_signature")
    assert (event.actor, event.from_state, event.to_state, event.capacity) == (
        w.fin_clerk,
        SubmissionState.DRAFTING,
        SubmissionState.AWAITING_SIGNATURE,
        "本职",
    )
    closed = Task.objects.of(sub).filter(action="send_for_signature")
    assert closed.exists() and all(t.closed_by == w.fin_clerk for t in closed)
    assert set(Task.objects.open().of(sub).values_list("action", flat=True)) == {"sign"}


def test_x_2_a_refused_step_changes_nothing_not_even_for_an_administrator_with_every_permission():
    w = build_world()
    sub = submitted(w, DAY)
    admin = User.objects.create(username="root", is_superuser=True, is_staff=True, unit=w.office)
    admin.user_permissions.set(Permission.objects.all())
    before = snapshot(sub)
    with pytest.raises(NotAllowed):  # the transition asks its object permission: a global grant counts for nothing
        services.register(actor=admin, submission=sub, today=DAY)
    assert snapshot(sub) == before  # no state, no event, no task, no message
    services.register(actor=w.staff, submission=sub, today=DAY)
    assert Submission.objects.get(pk=sub.pk).state == SubmissionState.REGISTERED


def test_x_3_the_second_of_two_simultaneous_clicks_reads_who_handled_it():
    w = build_world()
    sub = services.send_for_signature(actor=w.fin_clerk, submission=draft(w), today=DAY)
    seen_by_head = Submission.objects.get(pk=sub.pk)  # the head's page, opened before the deputy signed
    services.sign_submission(actor=w.fin_signing_deputy, submission=sub, today=DAY)
    with pytest.raises(AlreadyHandled) as exc:
        services.sign_submission(actor=w.fin_head, submission=seen_by_head, today=DAY)
    assert exc.value.handled_by == w.fin_signing_deputy and w.fin_signing_deputy.display_name in exc.value.message


def test_x_3_a_task_that_still_waits_keeps_its_since_and_only_the_finished_part_closes():
    w = build_world()
    sub = services.request_consultation(actor=w.fin_clerk, submission=draft(w), units=[w.dev, w.other], today=DAY)[0]
    sub = Submission.objects.get(pk=sub.submission_id)
    waiting = {t.owner_unit_id: t for t in Task.objects.open().of(sub).filter(action="reply")}
    assert set(waiting) == {w.dev.pk, w.other.pk}
    req = ConsultationRequest.objects.get(submission=sub, unit=w.dev)
    services.reply_to_consultation(actor=w.dev_clerk, consultation=req, reply="agree", today=DAY)
    still = Task.objects.open().of(sub).get(action="reply")
    assert still.pk == waiting[w.other.pk].pk and still.opened_at == waiting[w.other.pk].opened_at
    assert Task.objects.get(pk=waiting[w.dev.pk].pk).closed_by == w.dev_clerk


def test_doc_7_silence_settled_by_the_sweep_closes_the_reply_task_and_opens_the_drafters():
    w = build_world()
    [req] = services.request_consultation(actor=w.fin_clerk, submission=draft(w), units=[w.dev], today=DAY)
    sub = Submission.objects.get(pk=req.submission_id)
    assert list(Task.objects.open().of(sub).values_list("action", flat=True)) == ["reply"]
    sweep(today=wd.add_workdays(req.due, 1))
    open_actions = set(Task.objects.open().of(sub).values_list("action", flat=True))
    assert open_actions == {"send_for_signature"}  # the unit is deemed to agree (DOC-7); the draft may go on
    assert Event.objects.for_object(sub).get(action="consultation_deemed").capacity == "系统按规则记录"


def test_x_3_pages_read_a_step_as_the_user_saw_it_and_offer_the_transitions_allowed_to_them():
    w = build_world()
    sub = services.send_for_signature(actor=w.fin_clerk, submission=draft(w), today=DAY)
    seen = as_seen(sub, SubmissionState.DRAFTING)
    assert seen.state == SubmissionState.DRAFTING and seen.pk == sub.pk
    assert as_seen(sub, "bogus") is sub
    assert set(transitions_for(sub, w.fin_head)) == {"sign", "send_back_to_drafter"}
    assert transitions_for(sub, w.fin_plain_deputy) == []

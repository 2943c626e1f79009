"""Two people acting on the same item at once: one transition, a clear message for the other.
Real threads, each with its own PostgreSQL connection."""

import threading

import pytest
from django.db import connections
from documents_support import DAY, build_world, in_leader_review, submitted

from documents import services
from documents.models import Instruction, ProcessingSlip, Submission, SubmissionState
from documents.services import AlreadyHandledError
from tiexi_gov.audit.models import Event
from tiexi_gov.org.models import User

# serialized_rollback: the flush after a transactional test would otherwise wipe rows that migrations
# create (the role groups) for the tests that run after this file.
pytestmark = [pytest.mark.postgres, pytest.mark.django_db(transaction=True)]

PAIRS = 20  # the benchmark runs 100


def _race(calls):
    """Run the callables at the same moment; return (results, errors)."""
    barrier = threading.Barrier(len(calls))
    results, errors = [], []

    def run(fn):
        try:
            barrier.wait(timeout=30)
            results.append(fn())
        except Exception as exc:
            errors.append(exc)
        finally:
            connections.close_all()

    threads = [threading.Thread(target=run, args=(fn,)) for fn in calls]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=60)
    return results, errors


def test_concurrent_approvals_give_exactly_one_transition_per_item():
    w = build_world()
    ids = [in_leader_review(w, title=f"并发审批测试{i}").pk for i in range(PAIRS)]

    def approve(pk):
        def call():
            leader = User.objects.get(pk=w.dep_a.pk)
            sub = Submission.objects.get(pk=pk)  # both see "leader_review" before either acts
            return services.leader_decide(actor=leader, submission=sub, decision="approve", opinion="同意", today=DAY)

        return call

    losers = []
    for pk in ids:
        results, errors = _race([approve(pk), approve(pk)])
        assert len(results) == 1, errors
        assert len(errors) == 1 and isinstance(errors[0], AlreadyHandledError), errors
        losers.append(str(errors[0]))
    assert all("已由李副区长处理" in m for m in losers)
    assert Submission.objects.filter(pk__in=ids, state=SubmissionState.APPROVED).count() == PAIRS
    assert Event.objects.filter(action="leader_approve").count() == PAIRS
    assert Instruction.objects.filter(step="leader").count() == PAIRS


def test_two_office_staff_registering_the_same_item():
    w = build_world()
    sub = submitted(w)

    def register(user_pk):
        def call():
            return services.register(
                actor=User.objects.get(pk=user_pk), submission=Submission.objects.get(pk=sub.pk), today=DAY
            )

        return call

    results, errors = _race([register(w.staff.pk), register(w.staff2.pk)])
    assert len(results) == 1 and len(errors) == 1
    winner = results[0].registered_by.display_name
    assert isinstance(errors[0], AlreadyHandledError) and f"已由{winner}处理" in str(errors[0])
    assert ProcessingSlip.objects.count() == 1


def test_slip_numbers_are_continuous_under_concurrent_registration():
    w = build_world()
    subs = [submitted(w, title=f"并发登记{i}") for i in range(8)]

    def register(pk):
        return lambda: services.register(
            actor=User.objects.get(pk=w.staff.pk), submission=Submission.objects.get(pk=pk), today=DAY
        )

    results, errors = _race([register(s.pk) for s in subs])
    assert not errors
    assert sorted(ProcessingSlip.objects.values_list("number", flat=True)) == [f"2026-{i:04d}" for i in range(1, 9)]

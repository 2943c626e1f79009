"""Two people acting on the same item at once: one transition, a clear message for the other.
Real threads, each with its own PostgreSQL connection."""

import threading
import time
from collections import Counter
from dataclasses import dataclass

import pytest
from django.contrib.contenttypes.models import ContentType
from django.db import connections
from documents_support import DAY, build_world, submitted, valid_fields

from documents.models import Instruction, LeaderAssignment, ProcessingSlip, Submission, SubmissionState
from documents.submissions import services
from tests.race_support import race
from tiexi_gov.audit.models import Event
from tiexi_gov.org.models import User
from tiexi_gov.workflow.errors import AlreadyHandled as AlreadyHandledError

# Transactional: the racing threads need committed rows and their own connections. The role groups a flush
# deletes are recreated by tests/conftest.py before every database test.
pytestmark = [pytest.mark.postgres, pytest.mark.django_db(transaction=True)]

PAIRS = 100  # the issue: "100 pairs of simultaneous approvals of the same item give 100 transitions"
WAVE = 5  # pairs raced side by side (10 threads, 10 connections); each pair has its own barrier


def _to_leader_review(w, i: int) -> Submission:
    """Item i through the real services up to 待领导审批: even ones to 李副区长 (财政), odd ones to 孙副区长 (发改)."""
    clerk, head = (w.fin_clerk, w.fin_head) if i % 2 == 0 else (w.dev_clerk, w.dev_head)
    sub = services.create_draft(actor=clerk, title=f"并发审批测试{i}", **valid_fields(DAY))
    sub = services.send_for_signature(actor=clerk, submission=sub, today=DAY)
    sub = services.sign_submission(actor=head, submission=sub, issue_date=DAY, today=DAY)
    sub = services.submit_to_office(actor=clerk, submission=sub, today=DAY)
    services.register(actor=w.staff, submission=sub, today=DAY)
    for reviewer, opinion in ((w.deputy_director, "拟呈分管领导阅示。"), (w.director, "同意呈批。")):
        services.office_review_opinion(
            actor=reviewer, submission=Submission.objects.get(pk=sub.pk), opinion=opinion, today=DAY
        )
    services.route_to_leader(actor=w.staff, submission=Submission.objects.get(pk=sub.pk), today=DAY)
    return Submission.objects.get(pk=sub.pk)


@dataclass
class Attempt:
    """One session's click on 同意: what it saw, when it ran, what it got."""

    pk: int
    leader_pk: int
    started: float = 0.0
    ended: float = 0.0
    result: services.LeaderDecision | None = None
    error: Exception | None = None


def _approve(attempt: Attempt, barrier: threading.Barrier) -> None:
    try:
        leader = User.objects.get(pk=attempt.leader_pk)
        seen = Submission.objects.get(pk=attempt.pk)  # each session's page still shows 待领导审批
        barrier.wait(timeout=30)
        attempt.started = time.monotonic()
        attempt.result = services.leader_decide(
            actor=leader, submission=seen, decision="approve", opinion="同意", today=DAY
        )
    except Exception as exc:
        attempt.error = exc
    finally:
        attempt.ended = time.monotonic()
        connections.close_all()


def _race_pairs(pairs: list[tuple[Attempt, Attempt]]) -> None:
    """Race the pairs WAVE at a time; the two attempts of a pair are released together by their own barrier."""
    for start in range(0, len(pairs), WAVE):
        threads = []
        for pair in pairs[start : start + WAVE]:
            barrier = threading.Barrier(2)
            threads += [threading.Thread(target=_approve, args=(a, barrier)) for a in pair]
        for t in threads:
            t.start()
        for t in threads:
            t.join(timeout=60)
            assert not t.is_alive(), "an approval hung"


def test_concurrent_approvals_give_exactly_one_transition_per_item():
    """100 pairs of simultaneous 同意 on the same item (the leader in two sessions): 100 transitions, never
    200; each loser is told who handled it; no item is lost."""
    w = build_world()
    items = [_to_leader_review(w, i) for i in range(PAIRS)]
    assert {s.state for s in items} == {SubmissionState.LEADER_REVIEW}
    leader_of = {s.pk: (w.dep_a if i % 2 == 0 else w.dep_b) for i, s in enumerate(items)}
    pairs = [(Attempt(pk, leader.pk), Attempt(pk, leader.pk)) for pk, leader in leader_of.items()]

    _race_pairs(pairs)

    overlapped = 0
    for first, second in pairs:
        won = [a for a in (first, second) if a.error is None]
        lost = [a for a in (first, second) if a.error is not None]
        assert len(won) == 1 and len(lost) == 1, (first.error, second.error)
        winner, loser = won[0], lost[0]
        assert isinstance(loser.error, AlreadyHandledError), repr(loser.error)
        name = leader_of[winner.pk].display_name
        assert winner.result.instruction.author_id == leader_of[winner.pk].pk
        assert f"已由{name}处理" in str(loser.error), str(loser.error)
        assert loser.error.handled_by == leader_of[winner.pk]
        overlapped += loser.started < winner.ended and winner.started < loser.ended
    # The barrier releases both sessions together: nearly every pair really runs at the same time (the
    # loser waits on the row lock), so this is not a test of two calls one after the other.
    assert overlapped >= PAIRS * 0.8, overlapped

    ids = set(leader_of)
    # Nothing lost: every item is approved and its leader step is done.
    assert (
        set(Submission.objects.filter(pk__in=ids, state=SubmissionState.APPROVED).values_list("pk", flat=True)) == ids
    )
    assert (
        not LeaderAssignment.objects.filter(submission_id__in=ids).exclude(state=LeaderAssignment.State.DONE).exists()
    )
    # Nothing doubled: one leader instruction and one approval event per item, 100 in all.
    per_item = Counter(Instruction.objects.filter(step=Instruction.Step.LEADER).values_list("submission_id", flat=True))
    assert per_item == Counter(dict.fromkeys(ids, 1))
    events = Event.objects.filter(subject_type=ContentType.objects.get_for_model(Submission), action="leader_approve")
    per_item = Counter(int(x) for x in events.values_list("subject_id", flat=True))
    assert per_item == Counter(dict.fromkeys(ids, 1))
    assert events.filter(from_state=SubmissionState.LEADER_REVIEW, to_state=SubmissionState.APPROVED).count() == PAIRS


def test_two_office_staff_registering_the_same_item():
    w = build_world()
    sub = submitted(w)

    def register(user_pk):
        def call():
            return services.register(
                actor=User.objects.get(pk=user_pk), submission=Submission.objects.get(pk=sub.pk), today=DAY
            )

        return call

    results, errors = race(*[register(w.staff.pk), register(w.staff2.pk)])
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

    results, errors = race(*[register(s.pk) for s in subs])
    assert not errors
    assert sorted(ProcessingSlip.objects.values_list("number", flat=True)) == [f"2026-{i:04d}" for i in range(1, 9)]

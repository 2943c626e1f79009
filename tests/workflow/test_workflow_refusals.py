"""A refused step ends its transaction by what it did (issue 14.3): a refusal before any write commits nothing (no
ROLLBACK, which makes psycopg drop every statement the connection has prepared); a refusal after a write, or after
a promise to act on commit, still rolls everything back. These tests run outside a test transaction, so that
commit and rollback are the real ones."""

from __future__ import annotations

import datetime as dt

import pytest
from django.db import connection, transaction

from documents.models import Instruction, Submission, SubmissionState
from documents.submissions import services
from tests.documents.documents_support import build_world, in_leader_review
from tiexi_gov.workflow.errors import ActionRefused, AlreadyHandled
from tiexi_gov.workflow.kernel import step

pytestmark = pytest.mark.django_db(transaction=True)
DAY = dt.date(2026, 9, 7)


@pytest.fixture
def rollbacks(monkeypatch):
    """How many times the connection rolled a transaction back."""
    count = [0]
    real = connection._rollback

    def counted():
        count[0] += 1
        return real()

    monkeypatch.setattr(connection, "_rollback", counted)
    return count


def test_x_3_the_click_that_lost_is_told_who_won_and_ends_without_a_rollback(rollbacks):
    w = build_world()
    sub = in_leader_review(w, DAY)
    seen = Submission.objects.get(pk=sub.pk)  # the second deputy's page, open before the first one clicked
    services.leader_decide(actor=w.dep_a, submission=sub, decision="approve", opinion="同意", today=DAY)
    before = rollbacks[0]
    with pytest.raises(AlreadyHandled) as refused:
        services.leader_decide(actor=w.dep_a, submission=seen, decision="approve", opinion="同意", today=DAY)
    assert refused.value.handled_by == w.dep_a
    assert rollbacks[0] == before  # the loser's transaction only read and locked: it commits nothing
    assert not connection.in_atomic_block
    assert Submission.objects.get(pk=sub.pk).state == SubmissionState.APPROVED
    assert Instruction.objects.filter(submission=sub, step=Instruction.Step.LEADER).count() == 1


def test_x_3_a_refusal_after_a_write_inside_a_step_still_rolls_the_write_back(rollbacks):
    w = build_world()
    sub = in_leader_review(w, DAY)
    with pytest.raises(ActionRefused), step(sub, actor=w.dep_a, today=DAY) as s:
        Submission.objects.filter(pk=s.obj.pk).update(title="改动后的标题")
        raise ActionRefused("写入之后拒绝")
    assert rollbacks[0] == 1
    assert Submission.objects.get(pk=sub.pk).title == sub.title


def test_x_3_a_refusal_after_promising_an_action_on_commit_rolls_back_and_the_promise_is_dropped(rollbacks):
    w = build_world()
    sub = in_leader_review(w, DAY)
    ran = []
    with pytest.raises(ActionRefused), step(sub, actor=w.dep_a, today=DAY):
        transaction.on_commit(lambda: ran.append("mail"))
        raise ActionRefused("承诺之后拒绝")
    assert rollbacks[0] == 1 and ran == []


def test_x_3_a_step_inside_a_transaction_that_refuses_leaves_the_outer_transaction_to_decide(rollbacks):
    w = build_world()
    sub = in_leader_review(w, DAY)
    with pytest.raises(ActionRefused), transaction.atomic():
        Submission.objects.filter(pk=sub.pk).update(title="外层写入")
        with step(sub, actor=w.dep_a, today=DAY, expect=(SubmissionState.APPROVED,)):
            pass  # refused on entry: the state is not the one expected
    assert Submission.objects.get(pk=sub.pk).title == sub.title  # the outer write went with the outer rollback


@pytest.mark.skipif(connection.vendor != "postgresql", reason="prepared statements are PostgreSQL's")
def test_x_14_postgres_keeps_its_prepared_statements_through_the_click_that_lost():
    w = build_world()
    first, second = in_leader_review(w, DAY), in_leader_review(w, DAY, title="关于第二件事项的请示")

    def prepared() -> set[str]:
        with connection.cursor() as cursor:
            cursor.execute("SELECT statement FROM pg_prepared_statements WHERE NOT from_sql")
            return {row[0] for row in cursor.fetchall()}

    for _ in range(connection.connection.prepare_threshold + 1):
        with connection.cursor() as cursor:
            cursor.execute("SELECT %s::int + 1", [41])
    kept = prepared()
    assert any("$1::int + 1" in text for text in kept)  # run often enough, a statement is prepared
    for sub in (first, second):
        seen = Submission.objects.get(pk=sub.pk)
        services.leader_decide(actor=w.dep_a, submission=sub, decision="approve", opinion="同意", today=DAY)
        with pytest.raises(AlreadyHandled):
            services.leader_decide(actor=w.dep_a, submission=seen, decision="approve", opinion="同意", today=DAY)
    assert kept <= prepared()  # no click that lost made the connection drop them

"""Two sweeps at the same moment, each on its own PostgreSQL connection, send everything once (X-3)."""

import threading

import pytest
from deadlines_support import OCT_12, SEP_30, deadline_messages, open_for
from django.db import connection, connections

from tests.factories import UnitFactory, UserFactory, appoint
from tiexi_gov.deadlines import services
from tiexi_gov.deadlines.models import Deadline
from tiexi_gov.org.models import Post

pytestmark = [pytest.mark.postgres, pytest.mark.django_db(transaction=True)]

SWEEP_DAY = OCT_12  # remind day of the deadlines due 10-13; past the due day of those due 10-09


def _run_concurrently(n_threads: int, **sweep_kwargs):
    barrier = threading.Barrier(n_threads)
    results, errors = [], []

    def worker():
        try:
            barrier.wait(timeout=30)
            results.append(services.sweep(**sweep_kwargs))
        except Exception as exc:  # surfaced by the assertion below
            errors.append(exc)
        finally:
            connections.close_all()  # this thread's own connection

    threads = [threading.Thread(target=worker) for _ in range(n_threads)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=120)
    assert not errors, errors
    return results


def test_x_3_two_concurrent_sweeps_send_each_reminder_and_escalation_once():
    if connection.vendor != "postgresql":
        pytest.skip("SKIP LOCKED needs PostgreSQL")
    _, director = appoint(Post.Kind.OFFICE_DIRECTOR, unit=UnitFactory(kind="office"))
    owners = UserFactory.create_batch(6)
    for i in range(150):
        # due 2026-10-13: remind day 10-12 (the sweep day)
        open_for(owner_user=owners[i % 6], counted_from=SEP_30, workdays=5, title=f"提醒{i}")
        # due 2026-10-09: overdue on 10-12
        open_for(owner_user=owners[i % 6], counted_from=SEP_30, workdays=2, title=f"督办{i}")

    results = _run_concurrently(2, today=SWEEP_DAY, batch_size=20)

    assert sum(r.reminded for r in results) == 150
    assert sum(r.escalated for r in results) == 150
    assert deadline_messages("remind").count() == 150
    assert deadline_messages("escalate").count() == 300  # owner + office director, once each
    assert deadline_messages("escalate").filter(recipient=director).count() == 150
    assert Deadline.objects.filter(state="missed", escalated_at__isnull=False).count() == 150
    assert Deadline.objects.filter(state="open", reminded_at__isnull=False).count() == 150
    # and a third sweep afterwards finds nothing
    assert services.sweep(today=SWEEP_DAY) == (0, 0, 0)

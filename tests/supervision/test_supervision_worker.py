"""SUP-2 end to end: a real Celery worker on Redis runs the daily beat task that opens the half-year round."""

import os
import socket
import subprocess
import sys
import time
import uuid
from pathlib import Path

import pytest
from django.conf import settings
from django.contrib.contenttypes.models import ContentType
from django.db import connection
from django.utils import timezone
from supervision_support import build_world

from supervision.models import HalfYearReport
from supervision.reports.views import last_ended_half
from supervision.tasks import open_half_year_rounds
from tiexi_gov.celery import app
from tiexi_gov.deadlines.models import Deadline

pytestmark = [pytest.mark.worker, pytest.mark.postgres, pytest.mark.django_db(transaction=True)]

REDIS_HOST, REDIS_PORT = "127.0.0.1", 6379
REDIS_DB = os.environ.get("SUPERVISION_TEST_REDIS_DB", os.environ.get("DEADLINES_TEST_REDIS_DB", "11"))
ROOT = Path(settings.BASE_DIR)


def _redis_reachable() -> bool:
    try:
        with socket.create_connection((REDIS_HOST, REDIS_PORT), timeout=1) as sock:
            sock.sendall(b"PING\r\n")
            return sock.recv(16).startswith(b"+PONG")
    except OSError:
        return False


def _database_url() -> str:
    """The test database (committed data: transactional_db) as a URL for the worker process."""
    s = connection.settings_dict
    auth = s["USER"] + (f":{s['PASSWORD']}" if s.get("PASSWORD") else "")
    return f"postgres://{auth}@{s['HOST'] or '127.0.0.1'}:{s['PORT'] or 5432}/{s['NAME']}"


def _wait(predicate, timeout: float, what: str):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if predicate():
            return
        time.sleep(0.3)
    raise AssertionError(f"timed out waiting for {what}")


def test_sup_2_real_celery_worker_opens_the_half_year_round(tmp_path, postgres_only):
    if not _redis_reachable():
        pytest.skip("Redis is not reachable at 127.0.0.1:6379")

    w = build_world()
    working = {w.fin.pk, w.dev.pk, w.other.pk}
    # The half-year that services.open_due_half_year_rounds() targets today: the one that ended last.
    year, half = last_ended_half(timezone.localdate())
    assert not HalfYearReport.objects.exists()

    broker = f"redis://{REDIS_HOST}:{REDIS_PORT}/{REDIS_DB}"
    queue = f"test-supervision-{uuid.uuid4().hex[:10]}"  # private queue: no other worker can take the task
    node = f"{queue}@%h"
    env = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "tiexi_gov.settings",
        "DATABASE_URL": _database_url(),
        "DB_CONN_MAX_AGE": "0",
        "CELERY_BROKER_URL": broker,
        "CELERY_TASK_ALWAYS_EAGER": "0",
        "EMAIL_BACKEND": "django.core.mail.backends.locmem.EmailBackend",
    }
    log = (tmp_path / "worker.log").open("w")
    worker = subprocess.Popen(
        [sys.executable, "-m", "celery", "-A", "tiexi_gov", "worker", "--pool=solo", "--concurrency=1",
         "-Q", queue, "-n", node, "--without-gossip", "--without-mingle", "--without-heartbeat", "-l", "info"],
        cwd=ROOT, env=env, stdout=log, stderr=subprocess.STDOUT,
    )  # fmt: skip
    try:

        def worker_ready():
            text = (tmp_path / "worker.log").read_text()
            assert worker.poll() is None, text
            return f"{queue}@" in text and " ready." in text  # its queue is declared and bound on Redis

        _wait(worker_ready, 60, "the worker to start")
        rows = HalfYearReport.objects.filter(year=year, half=half)
        with app.connection_for_write(broker) as conn:
            open_half_year_rounds.apply_async(connection=conn, queue=queue)
            _wait(lambda: rows.count() == len(working), 60, "the half-year round rows")
            # Run twice: the task is idempotent (acks_late may redeliver it).
            open_half_year_rounds.apply_async(connection=conn, queue=queue)
            _wait(lambda: (tmp_path / "worker.log").read_text().count("succeeded") >= 2, 60, "the second run")
        assert set(rows.values_list("unit_id", flat=True)) == working
        assert HalfYearReport.objects.count() == len(working)
        ct = ContentType.objects.get_for_model(HalfYearReport)
        deadlines = Deadline.objects.filter(subject_type=ct, rule_id="SUP-2")
        assert deadlines.count() == len(working)
        assert {d.owner_unit_id for d in deadlines} == working
        assert {d.subject_id for d in deadlines} == {str(r.pk) for r in rows}
        assert {d.due for d in deadlines} == {r.due for r in rows}
    finally:
        worker.terminate()
        try:
            worker.wait(timeout=20)
        except subprocess.TimeoutExpired:
            worker.kill()
            worker.wait(timeout=10)
        log.close()

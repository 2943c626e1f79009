"""X-3 end to end: a real Celery worker on Redis runs the sweep and a reminder arrives in the inbox."""

import os
import socket
import subprocess
import sys
import time
import uuid
from pathlib import Path

import pytest
from deadlines_support import open_for
from django.conf import settings
from django.db import connection
from django.utils import timezone

from tests.factories import UserFactory
from tiexi_gov.celery import app
from tiexi_gov.deadlines.tasks import sweep_deadlines
from tiexi_gov.notify.models import Message
from tiexi_gov.workdays import calendar as wd

pytestmark = [pytest.mark.worker, pytest.mark.postgres, pytest.mark.django_db(transaction=True)]

REDIS_HOST, REDIS_PORT = "127.0.0.1", 6379
REDIS_DB = os.environ.get("DEADLINES_TEST_REDIS_DB", "11")
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


def test_x_3_real_celery_worker_sweeps_and_reminder_arrives_in_inbox(tmp_path):
    if connection.vendor != "postgresql":
        pytest.skip("the worker test runs on PostgreSQL")
    if not _redis_reachable():
        pytest.skip("Redis is not reachable at 127.0.0.1:6379")

    today = timezone.localdate()
    owner = UserFactory()
    # Due on the next working day: today is on or after its remind day whatever weekday the test runs.
    deadline = open_for(owner_user=owner, counted_from=today, workdays=1, rule_id="DOC-13", title="审批公文")
    assert deadline.remind_on <= today <= deadline.due == wd.add_workdays(today, 1)

    broker = f"redis://{REDIS_HOST}:{REDIS_PORT}/{REDIS_DB}"
    queue = f"test-deadlines-{uuid.uuid4().hex[:10]}"  # private queue: no other worker can take the task
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
        with app.connection_for_write(broker) as conn:
            sweep_deadlines.apply_async(connection=conn, queue=queue)
            key = f"deadline:{deadline.pk}:remind:{owner.pk}"
            _wait(lambda: Message.objects.filter(key=key).exists(), 60, "the reminder in the inbox")
        message = Message.objects.get(key=key)
        assert message.recipient == owner and message.level == Message.Level.REMINDER
        deadline.refresh_from_db()
        assert deadline.reminded_at is not None
    finally:
        worker.terminate()
        try:
            worker.wait(timeout=20)
        except subprocess.TimeoutExpired:
            worker.kill()
            worker.wait(timeout=10)
        log.close()

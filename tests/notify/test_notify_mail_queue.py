"""Issue 13.1: mail through the queue, against a real SMTP server on the loopback (aiosmtpd).

The server is down while actions happen and comes back; every message arrives once, `emailed_at` is stamped only
after the server accepted it, failures after the last retry show in the system administrator's admin, and the web
request never waits for SMTP. Tests run tasks inline (tests/conftest.py) unless they queue on a real broker.
"""

from __future__ import annotations

import asyncio
import contextlib
import datetime as dt
import email
import os
import socket
import subprocess
import sys
import threading
import time
import uuid
from pathlib import Path

import pytest
from aiosmtpd.controller import Controller
from django.conf import settings
from django.db import connection, transaction
from django.urls import reverse
from django.utils import timezone

from tests.factories import UserFactory
from tests.meetings.meetings_support import build_world
from tiexi_gov.celery import app
from tiexi_gov.deadlines import services as deadlines
from tiexi_gov.deadlines.tasks import sweep_deadlines
from tiexi_gov.notify import services
from tiexi_gov.notify.models import Message
from tiexi_gov.notify.tasks import email_messages
from tiexi_gov.org.models import User
from tiexi_gov.org.roles import Role
from tiexi_gov.workdays import calendar as wd

ROOT = Path(settings.BASE_DIR)


# --- a real SMTP server on the loopback that can be down, slow, or refuse once --------------------------------


class Recorder:
    """aiosmtpd handler: what the server accepted, by Message-ID, and when."""

    def __init__(self):
        self.accepted: list[tuple[str, list[str], dt.datetime]] = []
        self.refuse_once: set[str] = set()
        self.delay = 0.0
        self.sessions = 0  # EHLO greetings: clients that began an SMTP conversation
        self.lock = threading.Lock()

    async def handle_EHLO(self, server, session, envelope, hostname, responses):
        with self.lock:
            self.sessions += 1
        session.host_name = hostname
        return responses

    async def handle_DATA(self, server, session, envelope):
        if self.delay:
            await asyncio.sleep(self.delay)
        message_id = email.message_from_bytes(envelope.content)["Message-ID"]
        with self.lock:
            if message_id in self.refuse_once:
                self.refuse_once.discard(message_id)
                return "451 4.3.0 Try again later"
            self.accepted.append((message_id, list(envelope.rcpt_tos), timezone.now()))
        return "250 OK"

    def ids(self) -> list[str]:
        with self.lock:
            return [mid for mid, _rcpt, _at in self.accepted]

    def accepted_at(self, message_id: str) -> dt.datetime:
        with self.lock:
            return next(at for mid, _rcpt, at in self.accepted if mid == message_id)


class LoopbackSMTP:
    """A port of our own; `up()` starts aiosmtpd on it, `down()` stops it (connections are then refused)."""

    def __init__(self):
        with socket.socket() as sock:
            sock.bind(("127.0.0.1", 0))
            self.port = sock.getsockname()[1]
        self.recorder = Recorder()
        self.controller: Controller | None = None

    def up(self):
        if self.controller is None:
            self.controller = Controller(self.recorder, hostname="127.0.0.1", port=self.port, ready_timeout=10)
            self.controller.start()

    def down(self):
        if self.controller is not None:
            self.controller.stop()
            self.controller = None


@pytest.fixture
def smtp(settings):
    server = LoopbackSMTP()
    settings.EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
    settings.EMAIL_HOST = "127.0.0.1"
    settings.EMAIL_PORT = server.port
    settings.EMAIL_TIMEOUT = 10
    yield server
    server.down()


def message_id(m: Message) -> str:
    return services._message_id(m)


def assert_each_arrived_once(server: LoopbackSMTP, messages) -> None:
    """Every message with an address was accepted exactly once, and stamped only after the server accepted it."""
    arrived = server.recorder.ids()
    for m in messages:
        m.refresh_from_db()
        assert arrived.count(message_id(m)) == 1, (m.subject, arrived)
        assert m.emailed_at is not None and m.emailed_at >= server.recorder.accepted_at(message_id(m))
        assert m.email_claimed_at is None and m.email_failed_at is None
    assert len(arrived) == len(set(arrived)), "a message arrived twice"


def _act(**notify_kwargs) -> list[Message]:
    """One committed action that tells people something; its on-commit queueing runs (inline in tests)."""
    with transaction.atomic():
        return services.notify(**notify_kwargs)


# --- inline (SQLite and PostgreSQL) --------------------------------------------------------------------------


@pytest.mark.django_db
def test_issue13_1_smtp_outage_then_every_message_arrives_once(smtp, django_capture_on_commit_callbacks):
    """Down while a deadline reminder and other notices are written; the actions commit; after the last retry the
    rows are failed, not stamped; the server comes back and the mail sweep brings every message exactly once."""
    today = timezone.localdate()
    owner, a, b = UserFactory(), UserFactory(), UserFactory()
    no_address = UserFactory(email="")
    sysadmin = UserFactory(roles=[Role.SYSTEM_ADMIN])
    with django_capture_on_commit_callbacks(execute=True):
        with transaction.atomic():
            deadline = deadlines.open_deadline(
                subject=owner.unit, rule_id="DOC-13", title="审批公文", counted_from=today, workdays=1, owner_user=owner
            )
        assert deadline.remind_on <= today
        deadlines.sweep(today=today)
        _act(recipients=[a, b, no_address], subject="请审核公文", body="第十二条", url="/documents/")
        _act(recipients=[a], subject="会议通知", url="/meetings/")
    reminder = Message.objects.get(key__startswith=f"deadline:{deadline.pk}:remind:")
    assert reminder.recipient == owner
    wanted = list(Message.objects.exclude(recipient__email=""))
    assert len(wanted) >= 5  # reminder, 2 + 1 notices, and the system administrator's alert
    assert smtp.recorder.ids() == []
    for m in wanted:
        assert m.emailed_at is None  # never stamped while the server was down
    failed = Message.objects.exclude(recipient=sysadmin).exclude(recipient__email="")
    assert all(m.email_failed_at and "ConnectionRefused" in m.email_error for m in failed)
    assert {m.email_attempts for m in failed} == {settings.NOTIFY_EMAIL_MAX_RETRIES + 1}
    assert Message.objects.filter(recipient=sysadmin, level=Message.Level.ALERT).count() == 1

    smtp.up()
    later = timezone.now() + dt.timedelta(minutes=settings.NOTIFY_EMAIL_SWEEP_AFTER_MINUTES + 1)
    assert services.requeue_unsent_email(now=later) == len(wanted)
    assert_each_arrived_once(smtp, wanted)
    # A second sweep, and the tasks run again with the same ids: nothing goes twice.
    assert services.requeue_unsent_email(now=later) == 0
    email_messages.apply(args=[[m.pk for m in wanted]])
    assert_each_arrived_once(smtp, wanted)
    assert Message.objects.get(recipient=no_address).emailed_at is None  # nothing was sent: not stamped


@pytest.mark.django_db
def test_issue13_1_partial_failure_retry_resends_only_unsent(smtp, django_capture_on_commit_callbacks):
    """The server refuses the second message once (451): the retry sends it, and not the first again."""
    smtp.up()
    people = [UserFactory() for _ in range(3)]
    rows = [m for p in people for m in services.messages_for(recipients=[p], subject=f"通知{p.pk}")]
    Message.objects.bulk_create(rows)
    rows = list(Message.objects.order_by("pk"))
    smtp.recorder.refuse_once.add(message_id(rows[1]))
    with django_capture_on_commit_callbacks(execute=True):
        services.queue_email([m.pk for m in rows])
    assert_each_arrived_once(smtp, rows)
    rows[1].refresh_from_db()
    rows[0].refresh_from_db()
    assert rows[1].email_attempts == 2 and rows[0].email_attempts == 1


@pytest.mark.django_db
def test_issue13_1_task_run_twice_with_same_ids_sends_once(smtp):
    """Idempotent by message: the same ids twice send once; a message another sender holds is left to it."""
    smtp.up()
    me, other = UserFactory(), UserFactory()
    mine = Message.objects.create(recipient=me, subject="明日到期")
    held = Message.objects.create(recipient=other, subject="另一进程正在发送", email_claimed_at=timezone.now())
    assert email_messages.apply(args=[[mine.pk, held.pk]]).get() == 1
    assert email_messages.apply(args=[[mine.pk, held.pk]]).get() == 0
    assert smtp.recorder.ids() == [message_id(mine)]
    held.refresh_from_db()
    assert held.emailed_at is None
    # The holder died: once its claim is older than the lease, the sweep sends the message (once).
    long_ago = timezone.now() - dt.timedelta(minutes=settings.NOTIFY_EMAIL_CLAIM_MINUTES + 1)
    Message.objects.filter(pk=held.pk).update(created_at=long_ago)
    assert services.unsent_email_ids() == []  # its claim is live: the holder may be sending right now
    Message.objects.filter(pk=held.pk).update(email_claimed_at=long_ago)
    assert services.unsent_email_ids() == [held.pk]
    assert services.requeue_unsent_email() == 1
    assert_each_arrived_once(smtp, [mine, held])


@pytest.mark.django_db
def test_issue13_1_sweep_leaves_mail_in_retry_to_its_task(smtp):
    """A message tried a minute ago is its task's business (backoff); never-queued and given-up ones are swept."""
    smtp.up()
    now = timezone.now()
    trying = Message.objects.create(recipient=UserFactory(), subject="重试中", email_tried_at=now, email_attempts=1)
    lost = Message.objects.create(recipient=UserFactory(), subject="未能排队")
    Message.objects.filter(pk__in=[trying.pk, lost.pk]).update(created_at=now - dt.timedelta(hours=1))
    assert services.unsent_email_ids(now=now) == [lost.pk]
    too_old = now + dt.timedelta(hours=settings.NOTIFY_EMAIL_SWEEP_MAX_AGE_HOURS + 1)
    assert services.unsent_email_ids(now=too_old) == []


@pytest.mark.django_db
def test_issue13_1_failure_after_last_retry_is_visible_to_the_system_administrator(client, smtp):
    """The server stays down past the last retry: the row is failed with the server's error, listed under
    邮件状态 › 发送失败 in the admin changelist the system administrator opens, and their inbox says so."""
    user = UserFactory(full_name="孙科长")
    sysadmin = UserFactory(username="sys1", roles=[Role.SYSTEM_ADMIN])
    User.objects.filter(pk=sysadmin.pk).update(is_staff=True)
    sent_ok = Message.objects.create(recipient=UserFactory(), subject="早已发出", emailed_at=timezone.now())
    (m,) = Message.objects.bulk_create(services.messages_for(recipients=[user], subject="请于明日前反馈意见"))
    result = email_messages.apply(args=[[m.pk]])
    assert isinstance(result.result, ConnectionRefusedError)
    m.refresh_from_db()
    assert m.emailed_at is None and m.email_failed_at is not None
    assert m.email_attempts == settings.NOTIFY_EMAIL_MAX_RETRIES + 1
    assert "ConnectionRefusedError" in m.email_error
    alert = Message.objects.get(recipient=sysadmin, level=Message.Level.ALERT)
    assert "重试后仍未发出" in alert.subject and alert.url.endswith("?email_status=failed")

    client.force_login(User.objects.get(pk=sysadmin.pk))
    page = client.get(reverse("admin:notify_message_changelist"), {"email_status": "failed"})
    assert page.status_code == 200
    text = page.content.decode()
    assert "孙科长" in text and "发送失败" in text and "ConnectionRefusedError" in text
    change = lambda msg: reverse("admin:notify_message_change", args=[msg.pk])  # noqa: E731
    assert change(m) in text and change(sent_ok) not in text  # the filter shows failed rows only
    everything = client.get(reverse("admin:notify_message_changelist")).content.decode()
    assert change(sent_ok) in everything and "已发送" in everything
    # Delivery only: what a message says names the business, which the administrator may not read (三员分立).
    detail = client.get(reverse("admin:notify_message_change", args=[m.pk])).content.decode()
    assert "孙科长" in detail and "ConnectionRefusedError" in detail
    for page_text in (text, everything, detail):
        assert "请于明日前反馈意见" not in page_text and sent_ok.subject not in page_text
    # A business user with staff status but no role sees no mail console.
    clerk = UserFactory(roles=[Role.CLERK])
    User.objects.filter(pk=clerk.pk).update(is_staff=True)
    client.force_login(User.objects.get(pk=clerk.pk))
    assert client.get(reverse("admin:notify_message_changelist")).status_code == 403


# --- a real broker: the web request only queues --------------------------------------------------------------


@pytest.fixture
def private_queue(tmp_path):
    """Queue for real on the configured broker (make run's filesystem broker in a private folder, or Redis), on a
    queue of our own; the test then plays the worker by taking the task off that queue."""
    name = f"test-mail-{uuid.uuid4().hex[:10]}"
    saved = {key: app.conf[key] for key in ("task_always_eager", "task_default_queue", "broker_transport_options")}
    app.conf.task_always_eager = False
    app.conf.task_default_queue = name
    if app.conf.broker_url.startswith("filesystem://"):
        folder = tmp_path / "queue"
        for sub in ("queue", "processed", "control"):
            (tmp_path / sub).mkdir()
        app.conf.broker_transport_options = {
            "data_folder_in": str(folder),
            "data_folder_out": str(folder),
            "processed_folder": str(tmp_path / "processed"),
            "control_folder": str(tmp_path / "control"),
            "store_processed": False,
        }

    def reset_pool():
        # Pools are kept by kombu per broker and transport options: drop only the app's handles to them.
        app._pool = None
        app.amqp._producer_pool = None

    reset_pool()
    try:
        yield name
    finally:
        with contextlib.suppress(Exception), app.connection_for_write() as conn:
            conn.default_channel.queue_delete(name)
        for key, value in saved.items():
            app.conf[key] = value
        reset_pool()


def _take_tasks(queue_name: str) -> list[tuple[str, list]]:
    """Take the queued tasks off the broker: (task name, args)."""
    taken = []
    with app.connection_for_write() as conn:
        queue = conn.SimpleQueue(app.amqp.queues[queue_name])
        while True:
            try:
                message = queue.get(timeout=2)
            except queue.Empty:
                break
            args, _kwargs, _embed = message.decode()
            taken.append((message.headers["task"], args))
            message.ack()
        queue.close()
    return taken


@pytest.mark.django_db(transaction=True)
def test_issue13_1_mail_queued_on_commit_not_sent_in_request(client, smtp, private_queue):
    """A leave request through its page while the SMTP server takes 30 s to answer a message: the page commits and
    returns without waiting, no SMTP conversation starts in the request, the mail waits on the broker; the
    worker's run (here: this test taking the task off the queue) delivers each message once."""
    smtp.recorder.delay = 30
    smtp.up()
    w = build_world()
    today = timezone.localdate()
    client.force_login(w.edu_deputy)
    data = {
        "post": w.edu_deputy_post.pk,
        "start": (today + dt.timedelta(days=1)).isoformat(),
        "end": (today + dt.timedelta(days=2)).isoformat(),
        "place": "沈阳市某会议中心",
        "purpose": "学习",
        "contact": "13800000000",
        "acting_post": w.judicial_post.pk,
    }
    started = time.monotonic()
    response = client.post(reverse("coordination:leave_new"), data)
    elapsed = time.monotonic() - started
    assert response.status_code == 302
    assert elapsed < 25, f"the request took {elapsed:.1f}s: it waited for SMTP"
    written = list(Message.objects.exclude(recipient__email=""))
    assert written, "the leave request tells someone"
    assert smtp.recorder.sessions == 0, "the request talked to the SMTP server"
    assert smtp.recorder.ids() == [] and all(m.emailed_at is None for m in written)

    tasks = _take_tasks(private_queue)
    assert [name for name, _args in tasks] == ["tiexi_gov.notify.tasks.email_messages"] * len(tasks)
    assert sorted(pk for _name, (ids,) in tasks for pk in ids) == sorted(m.pk for m in written)
    smtp.recorder.delay = 0
    for _name, args in tasks:
        email_messages.apply(args=args)
    assert_each_arrived_once(smtp, written)


# --- end to end: a real Celery worker on Redis ----------------------------------------------------------------


def _redis_broker() -> str | None:
    url = app.conf.broker_url or ""
    if not url.startswith("redis://"):
        return None
    try:
        with app.connection_for_write() as conn:
            conn.ensure_connection(max_retries=1)
    except Exception:
        return None
    return url


def _database_url() -> str:
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


@pytest.mark.worker
@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_issue13_1_real_worker_smtp_outage_then_every_message_arrives_once(tmp_path, smtp):
    """A real worker on Redis, the SMTP server down: notices committed by this process and a reminder written by
    the worker's own deadline sweep are queued on commit and retried with backoff; the server comes back and
    every message arrives exactly once."""
    if connection.vendor != "postgresql":
        pytest.skip("the worker test runs on PostgreSQL")
    broker = _redis_broker()
    if broker is None:
        pytest.skip("needs CELERY_BROKER_URL pointing at a reachable Redis")

    today = timezone.localdate()
    owner = UserFactory()
    with transaction.atomic():
        deadline = deadlines.open_deadline(
            subject=owner.unit, rule_id="DOC-13", title="审批公文", counted_from=today, workdays=1, owner_user=owner
        )
    assert deadline.remind_on <= today <= deadline.due == wd.add_workdays(today, 1)

    queue = f"test-mail-{uuid.uuid4().hex[:10]}"  # private queue: no other worker takes these tasks
    env = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "tiexi_gov.settings",
        "DATABASE_URL": _database_url(),
        "DB_CONN_MAX_AGE": "0",
        "CELERY_BROKER_URL": broker,
        "CELERY_TASK_ALWAYS_EAGER": "0",
        "CELERY_TASK_DEFAULT_QUEUE": queue,
        "EMAIL_BACKEND": "django.core.mail.backends.smtp.EmailBackend",
        "EMAIL_HOST": "127.0.0.1",
        "EMAIL_PORT": str(smtp.port),
        "EMAIL_TIMEOUT": "5",
        "NOTIFY_EMAIL_RETRY_BACKOFF": "1",
        "NOTIFY_EMAIL_RETRY_BACKOFF_MAX": "2",
        "NOTIFY_EMAIL_MAX_RETRIES": "100",
    }
    log = (tmp_path / "worker.log").open("w")
    worker = subprocess.Popen(
        [sys.executable, "-m", "celery", "-A", "tiexi_gov", "worker", "--pool=solo", "--concurrency=1",
         "-Q", queue, "-n", f"{queue}@%h", "--without-gossip", "--without-mingle", "--without-heartbeat", "-l", "info"],
        cwd=ROOT, env=env, stdout=log, stderr=subprocess.STDOUT,
    )  # fmt: skip
    saved_queue = app.conf.task_default_queue
    app.conf.task_default_queue = queue  # this process's on-commit queueing goes to the worker too
    try:

        def worker_ready():
            text = (tmp_path / "worker.log").read_text()
            assert worker.poll() is None, text
            return f"{queue}@" in text and " ready." in text

        _wait(worker_ready, 60, "the worker to start")
        people = [UserFactory() for _ in range(4)]
        for i, person in enumerate(people):
            _act(recipients=[person, people[0]], subject=f"第{i}号通知", url="/documents/")
        with app.connection_for_write() as conn:
            sweep_deadlines.apply_async(connection=conn, queue=queue)
        _wait(
            lambda: Message.objects.filter(key__startswith=f"deadline:{deadline.pk}:remind:").exists(), 60, "reminder"
        )
        wanted = list(Message.objects.all())
        assert len(wanted) >= 1 + 3 * 2 + 1  # the notices (one person twice is one message) and the reminder
        # The worker keeps retrying while the server is down: every row tried at least twice, none stamped.
        _wait(lambda: not Message.objects.filter(email_attempts__lt=2).exists(), 60, "retries while SMTP is down")
        assert smtp.recorder.ids() == []
        assert not Message.objects.filter(emailed_at__isnull=False).exists()

        smtp.up()
        _wait(lambda: not Message.objects.filter(emailed_at__isnull=True).exists(), 60, "every message sent")
        time.sleep(3)  # any retry still scheduled has run by now: it must not send again
        assert_each_arrived_once(smtp, wanted)
        assert len(smtp.recorder.ids()) == len(wanted)
    finally:
        app.conf.task_default_queue = saved_queue
        worker.terminate()
        try:
            worker.wait(timeout=20)
        except subprocess.TimeoutExpired:
            worker.kill()
            worker.wait(timeout=10)
        log.close()
        with contextlib.suppress(Exception), app.connection_for_write() as conn:
            conn.default_channel.queue_delete(queue)

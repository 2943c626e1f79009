#!/usr/bin/env python
"""Scale-out rehearsal on one box (issue 13.6): `make rehearsal` (or `.venv/bin/python scripts/rehearsal.py`).

Against ONE PostgreSQL database (`rehearsal_tiexi`, dropped, created, migrated and seeded here) and ONE Redis (a
redis-server of its own on a spare port, no persistence) it starts what production runs on several hosts: two
gunicorn instances on two ports, two Celery workers, one beat, and a loopback SMTP server (aiosmtpd) that records
every message it accepts. It drives mixed load through both web instances for --seconds:

  * approvals raced by two clients: each deputy is logged in twice, one session on each gunicorn, and both
    sessions press 同意 on the same items in the same order (as bench_approvals does, but across instances);
  * drafting: clerks save new 请示 drafts through the drafting form;
  * ledger reads: the supervision ledger and the to-do queue;
  * the deadline sweep: the beat every few seconds, and the driver queues it too, over clocks built to be due
    for a reminder or overdue for an escalation.

Mid-run it SIGKILLs one worker (its whole process group; it is started again a few seconds later, as systemd
would) and restarts Redis (everything queued in it is lost). Then it lets the system settle and checks:

  * no double or lost transition: every raced item approved exactly once (one leader_approve event, one leader
    instruction), none approved that nobody pressed; every saved draft exists once;
  * every due reminder and escalation sent exactly once: each due clock reminded/escalated, one inbox message per
    recipient and clock (deadline:<id>:remind|escalate:<user>), one deadline_missed event per escalated clock;
  * no e-mail lost or doubled: every inbox message has emailed_at, and the SMTP server received exactly one copy
    of each (by Message-ID), and nothing else.

It prints its figures and exits 1 on a violation (2 if the rehearsal itself could not run).

Options: --seconds (90), --settle (240: the longest it waits for mail to drain), --pg (the server,
postgres://postgres@127.0.0.1:5432), --db (rehearsal_tiexi), --redis-port (6391), --items (600), --deputies (2).
"""

from __future__ import annotations

import argparse
import contextlib
import email
import http.client
import os
import re
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import threading
import time
import urllib.parse
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
PY = sys.executable
HANDLED = re.compile(r"已由(.+?)处理")
DRAFT_TITLE = "关于演练起草事项的请示"
CSRF_INPUT = re.compile(r'name="csrfmiddlewaretoken" value="([^"]+)"')


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def port_open(port: int) -> bool:
    with socket.socket() as s:
        s.settimeout(0.5)
        return s.connect_ex(("127.0.0.1", port)) == 0


def log(text: str) -> None:
    print(f"[{time.strftime('%H:%M:%S')}] {text}", flush=True)


# --- processes --------------------------------------------------------------------------------------------------


class Procs:
    """Every child process, each the leader of its own process group; stopped in reverse order at the end."""

    def __init__(self, tmp: Path, env: dict):
        self.tmp, self.env, self.running, self.commands, self.exits = tmp, env, {}, {}, []
        self.lock = threading.RLock()

    def revive(self) -> None:
        """As systemd's Restart=always would: start again a web, worker or beat process that exited by itself
        (Redis is the chaos thread's to stop and start). Every such exit is reported."""
        with self.lock:
            for name, proc in list(self.running.items()):
                if name != "redis" and proc.poll() is not None:
                    self.exits.append(f"{name} exited by itself (code {proc.returncode}); started again")
                    log(self.exits[-1])
                    self.running.pop(name)
                    proc.out.close()  # type: ignore[attr-defined]
                    self.start(name, self.commands[name])

    def start(self, name: str, cmd: list[str]) -> subprocess.Popen:
        self.commands[name] = cmd
        out = open(self.tmp / f"{name}.log", "ab")  # noqa: SIM115 - closed when the process is stopped
        proc = subprocess.Popen(
            cmd, cwd=ROOT, env=self.env, stdout=out, stderr=subprocess.STDOUT, start_new_session=True
        )
        proc.out = out  # type: ignore[attr-defined]
        with self.lock:
            self.running[name] = proc
        return proc

    def kill(self, name: str, sig=signal.SIGKILL) -> None:
        with self.lock:
            proc = self.running.pop(name)
        with contextlib.suppress(ProcessLookupError):
            os.killpg(proc.pid, sig)
        proc.wait(timeout=30)
        proc.out.close()  # type: ignore[attr-defined]

    def stop(self, name: str) -> None:
        proc = self.running.get(name)
        if proc is None:
            return
        if proc.poll() is None:
            try:
                os.killpg(proc.pid, signal.SIGTERM)
                proc.wait(timeout=20)
            except subprocess.TimeoutExpired:
                os.killpg(proc.pid, signal.SIGKILL)
                proc.wait(timeout=10)
            except ProcessLookupError:
                pass
        self.running.pop(name)
        proc.out.close()  # type: ignore[attr-defined]

    def stop_all(self) -> None:
        for name in reversed(list(self.running)):
            self.stop(name)


def start_redis(procs: Procs, port: int) -> None:
    procs.start(
        "redis",
        ["redis-server", "--port", str(port), "--bind", "127.0.0.1", "--save", "", "--appendonly", "no"],
    )
    for _ in range(100):
        if port_open(port):
            return
        time.sleep(0.1)
    raise RuntimeError("redis-server did not start")


def wait_http(port: int, path: str = "/healthz", seconds: float = 60) -> None:
    end = time.monotonic() + seconds
    while time.monotonic() < end:
        try:
            status, _, _ = http_request(port, "GET", path)
            if status == 200:
                return
        except OSError:
            pass
        time.sleep(0.3)
    raise RuntimeError(f"gunicorn on {port} did not answer {path} with 200")


def http_request(port: int, method: str, path: str, cookie: str = "", body: dict | None = None, timeout=60):
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=timeout)
    try:
        headers = {"Cookie": cookie} if cookie else {}
        data = None
        if body is not None:
            data = urllib.parse.urlencode(body, doseq=True)
            headers["Content-Type"] = "application/x-www-form-urlencoded"
        conn.request(method, path, body=data, headers=headers)
        response = conn.getresponse()
        text = response.read().decode(errors="replace")
        return response.status, response, text
    finally:
        conn.close()


# --- SMTP -------------------------------------------------------------------------------------------------------


class Recorder:
    """aiosmtpd handler: remembers the Message-ID and recipients of every message it accepts."""

    def __init__(self):
        self.lock = threading.Lock()
        self.received: list[tuple[str, tuple[str, ...]]] = []

    async def handle_DATA(self, server, session, envelope):
        message = email.message_from_bytes(envelope.original_content or envelope.content)
        with self.lock:
            self.received.append((str(message.get("Message-ID", "")).strip(), tuple(envelope.rcpt_tos)))
        return "250 Message accepted for delivery"


# --- load -------------------------------------------------------------------------------------------------------


@dataclass
class Stats:
    lock: threading.Lock = field(default_factory=threading.Lock)
    requests: Counter = field(default_factory=Counter)  # kind -> n
    statuses: Counter = field(default_factory=Counter)  # (kind, status) -> n
    errors: list[str] = field(default_factory=list)
    approved_by_client: dict[int, list[int]] = field(default_factory=dict)
    outcomes: Counter = field(default_factory=Counter)
    drafts_saved: int = 0
    sweeps_queued: int = 0
    queue_refused: list[str] = field(default_factory=list)  # the driver's sweep.delay() while Redis was down

    def note(self, kind: str, status: int, detail: str = "") -> None:
        with self.lock:
            self.requests[kind] += 1
            self.statuses[(kind, status)] += 1
            if status == 0 or status >= 500:
                self.errors.append(f"{kind}: {status} {detail}"[:200])


def csrf_of(response, text: str) -> str:
    for header, value in response.getheaders():
        if header.lower() == "set-cookie" and value.startswith("csrftoken="):
            return value.split(";", 1)[0].split("=", 1)[1]
    m = CSRF_INPUT.search(text)
    return m.group(1) if m else ""


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--seconds", type=int, default=90)
    parser.add_argument("--settle", type=int, default=240)
    parser.add_argument("--pg", default=os.environ.get("REHEARSAL_PG", "postgres://postgres@127.0.0.1:5432"))
    parser.add_argument("--db", default="rehearsal_tiexi")
    parser.add_argument("--redis-port", type=int, default=6391)
    parser.add_argument("--items", type=int, default=600)
    parser.add_argument("--deputies", type=int, default=2)
    opts = parser.parse_args()
    if not opts.db.startswith("rehearsal"):
        print("refusing: the database name must start with 'rehearsal' (it is dropped and created)", file=sys.stderr)
        return 2
    if port_open(opts.redis_port):
        print(f"refusing: port {opts.redis_port} is taken; pick --redis-port", file=sys.stderr)
        return 2

    tmp = Path(tempfile.mkdtemp(prefix="tiexi-rehearsal-"))
    smtp_port, web_ports = free_port(), (free_port(), free_port())
    broker = f"redis://127.0.0.1:{opts.redis_port}/0"
    env = dict(os.environ)
    env.update(
        DJANGO_SETTINGS_MODULE="tiexi_gov.settings",
        DATABASE_URL=f"{opts.pg.rstrip('/')}/{opts.db}",
        CELERY_BROKER_URL=broker,
        CELERY_TASK_DEFAULT_QUEUE="rehearsal",
        DEBUG="1",  # static files without collectstatic; everything else as in production
        ALLOWED_HOSTS="127.0.0.1",
        TIEXI_VAR_DIR=str(tmp / "var"),
        EMAIL_BACKEND="django.core.mail.backends.smtp.EmailBackend",
        EMAIL_HOST="127.0.0.1",
        EMAIL_PORT=str(smtp_port),
        EMAIL_USE_TLS="0",
        EMAIL_TIMEOUT="10",
        DEADLINE_SWEEP_SECONDS="5",
        NOTIFY_EMAIL_SWEEP_SECONDS="10",
        NOTIFY_EMAIL_CLAIM_MINUTES="1",
        NOTIFY_EMAIL_SWEEP_AFTER_MINUTES="1",
        NOTIFY_EMAIL_RETRY_BACKOFF="2",
        NOTIFY_EMAIL_RETRY_BACKOFF_MAX="10",
        DB_CONN_MAX_AGE="60",
        LOG_LEVEL="WARNING",
    )
    env.pop("CACHE_URL", None)
    env.pop("CELERY_TASK_ALWAYS_EAGER", None)
    os.environ.update(env)
    sys.path.insert(0, str(ROOT))
    procs = Procs(tmp, env)
    rc = 2
    try:
        rc = run(opts, tmp, env, procs, smtp_port, web_ports)
        return rc
    finally:
        procs.stop_all()
        if os.environ.get("REHEARSAL_KEEP_LOGS") != "1" and rc == 0:
            shutil.rmtree(tmp, ignore_errors=True)
        else:
            print(f"logs kept in {tmp}")


def run(opts, tmp: Path, env: dict, procs: Procs, smtp_port: int, web_ports: tuple[int, int]) -> int:
    """Everything between setting the environment and stopping the processes (main stops them)."""
    smtp = None
    try:
        # 1. the database: dropped, created, migrated
        import psycopg

        with psycopg.connect(f"{opts.pg.rstrip('/')}/postgres", autocommit=True) as admin:
            admin.execute(f'DROP DATABASE IF EXISTS "{opts.db}" WITH (FORCE)')
            admin.execute(f'CREATE DATABASE "{opts.db}"')
        log(f"database {opts.db} created; migrating")
        subprocess.run([PY, "manage.py", "migrate", "--noinput", "-v", "0"], cwd=ROOT, env=env, check=True)

        import django

        django.setup()
        from django.contrib.contenttypes.models import ContentType
        from django.db.models import Count
        from django.utils import timezone

        from documents.management.commands.bench_approvals import Command as Bench
        from documents.models import Instruction, LeaderAssignment, Submission, SubmissionState
        from tiexi_gov.audit.models import Event
        from tiexi_gov.deadlines.models import Deadline
        from tiexi_gov.notify.models import Message
        from tiexi_gov.workdays import calendar as wd

        # 2. the data: deputies with items in leader review (bench_approvals' world), clocks due for the sweep
        bench = Bench()
        bench.today = today = timezone.localdate()
        bench.session_keys = []
        world = bench.build_world(opts.deputies)
        items = bench.build_items(world, opts.items)
        race, swept = items[: opts.items // 2], items[opts.items // 2 :]
        remind, escalate = swept[: len(swept) // 2], swept[len(swept) // 2 :]
        sub_ct = ContentType.objects.get_for_model(Submission)

        la_ct = ContentType.objects.get_for_model(LeaderAssignment)

        def clocks_of(subs) -> list[int]:
            """Both DOC-13 clocks of each item: the office's (on the submission) and the leader step's."""
            la_ids = LeaderAssignment.objects.filter(submission__in=subs).values_list("pk", flat=True)
            return list(
                Deadline.objects.filter(subject_type=sub_ct, subject_id__in=[str(s.pk) for s in subs]).values_list(
                    "pk", flat=True
                )
            ) + list(
                Deadline.objects.filter(subject_type=la_ct, subject_id__in=[str(x) for x in la_ids]).values_list(
                    "pk", flat=True
                )
            )

        remind_ids, escalate_ids = clocks_of(remind), clocks_of(escalate)
        Deadline.objects.filter(pk__in=remind_ids).update(remind_on=today, due=wd.add_workdays(today, 1))
        Deadline.objects.filter(pk__in=escalate_ids).update(
            counted_from=wd.add_workdays(today, -12),
            remind_on=wd.add_workdays(today, -2),
            due=wd.add_workdays(today, -1),
        )
        log(
            f"seeded {len(items)} items in leader review: {len(race)} to race, clocks due: {len(remind_ids)} reminders,"
            f" {len(escalate_ids)} escalations"
        )

        # 3. the moving parts
        from aiosmtpd.controller import Controller

        recorder = Recorder()
        smtp = Controller(recorder, hostname="127.0.0.1", port=smtp_port)
        smtp.start()
        start_redis(procs, opts.redis_port)
        for i, port in enumerate(web_ports, 1):
            procs.start(
                f"web{i}",
                [PY, "-m", "gunicorn", "tiexi_gov.wsgi:application", "-w", "2", "-b", f"127.0.0.1:{port}"]
                + ["--timeout", "60", "--log-level", "warning"],
            )

        def start_worker(i: int):
            procs.start(
                f"worker{i}",
                [PY, "-m", "celery", "-A", "tiexi_gov", "worker", "-c", "2", "-n", f"rehearsal{i}@%h", "-l", "warning"]
                + ["-Q", "rehearsal", "--without-gossip", "--without-mingle"],
            )

        start_worker(1)
        start_worker(2)
        procs.start(
            "beat",
            [PY, "-m", "celery", "-A", "tiexi_gov", "beat", "-l", "warning", "--pidfile", str(tmp / "beat.pid")],
        )
        for port in web_ports:
            wait_http(port)
        log(f"up: gunicorn ×2 on {web_ports}, 2 workers, 1 beat, redis :{opts.redis_port}, smtp :{smtp_port}")

        # 4. sessions: each deputy twice, one session per gunicorn; clerks draft; the office staff reads
        stats = Stats()
        clients = []  # (number, deputy, session key, port, csrf)
        by_post: dict[int, list[int]] = {}
        for i, s in enumerate(race):
            by_post.setdefault(world["units"][i % len(world["units"])]["deputy_post"].pk, []).append(s.pk)
        for k, (post, deputy) in enumerate(world["deputies"]):
            for j in (0, 1):
                key = bench.login(deputy)
                port = web_ports[j]
                first = by_post[post.pk][0]
                status, response, text = http_request(port, "GET", f"/documents/{first}/", cookie=f"sessionid={key}")
                if status != 200 or 'data-action="decide"' not in text:
                    raise RuntimeError(f"deputy {deputy} cannot open item {first}: HTTP {status}")
                clients.append((2 * k + j, deputy, key, port, csrf_of(response, text), by_post[post.pk]))
        clerks = []
        for n, u in enumerate(world["units"][:2]):
            key = bench.login(u["clerk"])
            port = web_ports[n % 2]
            status, response, text = http_request(port, "GET", "/documents/new/", cookie=f"sessionid={key}")
            if status != 200:
                raise RuntimeError(f"clerk cannot open the drafting form: HTTP {status}")
            clerks.append((u["clerk"], key, port, csrf_of(response, text)))
        staff_key = bench.login(world["staff"])

        stop = threading.Event()

        def approver(number, deputy, key, port, csrf, plan):
            cookie = f"sessionid={key}; csrftoken={csrf}"
            mine = stats.approved_by_client.setdefault(number, [])
            for pk in plan:
                if stop.is_set():
                    return
                body = {
                    "csrfmiddlewaretoken": csrf,
                    "seen_state": SubmissionState.LEADER_REVIEW,
                    "decide-opinion": "同意。（演练）",
                    "decide-decision": "approve",
                }
                try:
                    status, response, text = http_request(port, "POST", f"/documents/{pk}/act/decide/", cookie, body)
                except (OSError, http.client.HTTPException) as exc:
                    stats.note("approve", 0, repr(exc))
                    continue
                stats.note("approve", status)
                location = response.getheader("Location", "")
                with stats.lock:
                    if status == 302 and location.endswith(f"/documents/{pk}/"):
                        mine.append(pk)
                        stats.outcomes["approved"] += 1
                    elif status in (200, 409) and HANDLED.search(text):  # 409: the short 已由…处理 page
                        stats.outcomes["already_handled"] += 1
                    else:
                        stats.outcomes[f"other {status}"] += 1

        def drafter(clerk, key, port, csrf):
            cookie = f"sessionid={key}; csrftoken={csrf}"
            n = 0
            while not stop.is_set():
                n += 1
                body = {
                    "csrfmiddlewaretoken": csrf,
                    "title": DRAFT_TITLE,
                    "kind": "request",
                    "body": f"演练起草正文 {clerk.username} #{n}。",
                    "urgency": "normal",
                    "disclosure": "full",
                    "disclosure_manner": "active",
                    "decision_needed_by": wd.add_workdays(today, 20).isoformat(),
                    "declares_one_matter": "on",
                    "not_classified": "on",
                    "copies": "1",
                }
                try:
                    status, response, _ = http_request(port, "POST", "/documents/new/", cookie, body)
                except (OSError, http.client.HTTPException) as exc:
                    stats.note("draft", 0, repr(exc))
                    continue
                stats.note("draft", status)
                if status == 302 and re.search(r"/documents/\d+/", response.getheader("Location", "")):
                    with stats.lock:
                        stats.drafts_saved += 1

        def reader():
            paths = ["/supervision/", "/todo/", "/documents/queue/"]
            n = 0
            while not stop.is_set():
                port, path = web_ports[n % 2], paths[n % len(paths)]
                n += 1
                try:
                    status, _, _ = http_request(port, "GET", path, f"sessionid={staff_key}")
                except (OSError, http.client.HTTPException) as exc:
                    stats.note("read", 0, repr(exc))
                    continue
                stats.note("read", status, path)

        from tiexi_gov.deadlines.tasks import sweep_deadlines

        def sweeper():
            while not stop.wait(3):
                try:
                    sweep_deadlines.delay()
                    stats.sweeps_queued += 1
                except Exception as exc:  # Redis restarting: the beat sends the next one
                    with stats.lock:
                        stats.queue_refused.append(exc.__class__.__name__)

        chaos_log = []

        def chaos():
            if stop.wait(opts.seconds * 0.3):
                return
            procs.kill("worker1")
            chaos_log.append(f"t={opts.seconds * 0.3:.0f}s SIGKILL worker1 (process group)")
            log(chaos_log[-1])
            if stop.wait(4):
                return
            start_worker(1)
            chaos_log.append("worker1 started again")
            if stop.wait(opts.seconds * 0.3):
                return
            procs.stop("redis")
            chaos_log.append(f"t={opts.seconds * 0.6 + 4:.0f}s Redis stopped (its queue lost)")
            log(chaos_log[-1])
            time.sleep(2)
            start_redis(procs, opts.redis_port)
            chaos_log.append("Redis started again, empty")
            log(chaos_log[-1])

        threads = [threading.Thread(target=approver, args=c, daemon=True) for c in clients]
        threads += [threading.Thread(target=drafter, args=c, daemon=True) for c in clerks]
        threads += [threading.Thread(target=reader, daemon=True), threading.Thread(target=sweeper, daemon=True)]
        chaos_thread = threading.Thread(target=chaos, daemon=True)
        log(f"load for {opts.seconds}s: {len(clients)} approvers, {len(clerks)} drafters, 1 reader, the sweep")
        t0 = time.monotonic()
        for t in threads:
            t.start()
        chaos_thread.start()
        while not stop.wait(1):
            procs.revive()
            if time.monotonic() - t0 >= opts.seconds:
                stop.set()
        for t in threads:
            t.join(timeout=90)
        chaos_thread.join(timeout=60)
        wall = time.monotonic() - t0

        # 5. settle: one more sweep, then wait until every message is e-mailed (or --settle runs out)
        log("load stopped; settling (sweep once more, wait for the mail to drain)")
        end = time.monotonic() + opts.settle
        unsent = None
        next_sweep = 0.0
        while time.monotonic() < end:
            if time.monotonic() > next_sweep:
                with contextlib.suppress(Exception):  # Redis still coming back: the beat sends one too
                    sweep_deadlines.delay()
                next_sweep = time.monotonic() + 10
            due_left = (
                Deadline.objects.filter(pk__in=remind_ids, reminded_at__isnull=True, closed_at__isnull=True).count()
                + Deadline.objects.filter(pk__in=escalate_ids, state=Deadline.State.OPEN).count()
            )
            unsent = Message.objects.filter(emailed_at__isnull=True).exclude(recipient__email="").count()
            procs.revive()
            if not unsent and not due_left:
                time.sleep(3)  # a last duplicate would arrive now, if any
                break
            time.sleep(2)
        settle = opts.settle - max(0.0, end - time.monotonic())

        # 6. the verdict
        violations = []
        race_ids = [s.pk for s in race]
        pressed = {pk for pks in stats.approved_by_client.values() for pk in pks}
        won = Counter(pk for pks in stats.approved_by_client.values() for pk in pks)
        events = Counter(
            int(x)
            for x in Event.objects.filter(
                subject_type=sub_ct, subject_id__in=[str(i) for i in race_ids], action="leader_approve"
            ).values_list("subject_id", flat=True)
        )
        instructions = dict(
            Instruction.objects.filter(submission_id__in=race_ids, step=Instruction.Step.LEADER)
            .values_list("submission_id")
            .annotate(n=Count("id"))
        )
        approved = set(
            Submission.objects.filter(pk__in=race_ids, state=SubmissionState.APPROVED).values_list("pk", flat=True)
        )
        double_tr = sorted(
            pk for pk in race_ids if events.get(pk, 0) > 1 or instructions.get(pk, 0) > 1 or won.get(pk, 0) > 1
        )
        lost_tr = sorted(pk for pk in pressed if pk not in approved or events.get(pk, 0) != 1)
        stray_tr = sorted(pk for pk in approved if events.get(pk, 0) != 1 or instructions.get(pk, 0) != 1)
        if double_tr or lost_tr or stray_tr:
            violations.append(
                f"transitions: double {double_tr[:10]}, lost {lost_tr[:10]}, inconsistent {stray_tr[:10]}"
            )
        drafts_in_db = Submission.objects.filter(title=DRAFT_TITLE).count()
        if drafts_in_db != stats.drafts_saved:
            violations.append(f"drafts: {stats.drafts_saved} saved by the form, {drafts_in_db} in the database")

        keys = list(Message.objects.filter(key__startswith="deadline:").values_list("key", flat=True))
        by_clock: dict[tuple[int, str], int] = Counter()
        for key in keys:
            _, pk, kind, _user = key.split(":")
            by_clock[(int(pk), kind)] += 1
        reminded = Deadline.objects.filter(pk__in=remind_ids, reminded_at__isnull=False)
        not_reminded = Deadline.objects.filter(pk__in=remind_ids, reminded_at__isnull=True, closed_at__isnull=True)
        escalated = Deadline.objects.filter(pk__in=escalate_ids, escalated_at__isnull=False)
        not_escalated = Deadline.objects.filter(pk__in=escalate_ids, state=Deadline.State.OPEN)
        missed_events = Counter(
            Event.objects.filter(action="deadline_missed").values_list("subject_type_id", "subject_id")
        )
        lost_reminders = [d for d in reminded.values_list("pk", flat=True) if not by_clock.get((d, "remind"))]
        lost_reminders += list(not_reminded.values_list("pk", flat=True))
        lost_escalations = [d for d in escalated.values_list("pk", flat=True) if not by_clock.get((d, "escalate"))]
        lost_escalations += list(not_escalated.values_list("pk", flat=True))
        double_escalations = [k for k, n in missed_events.items() if n > 1]
        stray_reminders = [pk for (pk, kind) in by_clock if kind == "remind" and pk not in set(remind_ids)]
        if lost_reminders or lost_escalations or double_escalations or stray_reminders:
            violations.append(
                f"sweep: lost reminders {lost_reminders[:10]}, lost escalations {lost_escalations[:10]},"
                f" double escalation events {double_escalations[:5]}, reminders not due {stray_reminders[:10]}"
            )

        messages = list(Message.objects.exclude(recipient__email="").values_list("pk", "emailed_at"))
        got: Counter = Counter()  # message pk (from the Message-ID notify-<pk>@…) -> copies received
        for mid, _rcpts in recorder.received:
            m = re.match(r"<notify-(\d+)@", mid)
            got[int(m.group(1)) if m else mid] += 1
        mail_lost = sorted(pk for pk, emailed in messages if got.get(pk, 0) == 0)
        mail_double = sorted(pk for pk, _ in messages if got.get(pk, 0) > 1)
        not_stamped = sorted(pk for pk, emailed in messages if emailed is None)
        stamped_not_received = sorted(pk for pk, emailed in messages if emailed is not None and not got.get(pk))
        unknown = [k for k in got if k not in {pk for pk, _ in messages}]
        if mail_lost or mail_double or not_stamped or unknown:
            violations.append(
                f"mail: lost {mail_lost[:10]} ({len(mail_lost)}), doubled {mail_double[:10]} ({len(mail_double)}),"
                f" not stamped {len(not_stamped)}, stamped but never received {len(stamped_not_received)},"
                f" unknown {unknown[:5]}"
            )

        # 7. figures
        requests = sum(stats.requests.values())
        transitions = sum(events.values())
        err5 = sum(n for (kind, st), n in stats.statuses.items() if st == 0 or st >= 500)
        rows = [
            ("load / settle", f"{wall:.0f} s / {settle:.0f} s"),
            ("web / workers / beat", f"2 gunicorn (-w 2) on {web_ports} / 2 (-c 2) / 1"),
            ("faults", "; ".join(chaos_log) or "none (run too short)"),
            ("unexpected exits (restarted)", "; ".join(procs.exits) or "none"),
            ("HTTP requests", f"{requests:,} ({requests / wall:.1f}/s)"),
            ("  by kind", ", ".join(f"{k} {v:,}" for k, v in sorted(stats.requests.items()))),
            ("  by status", ", ".join(f"{k}:{s} {n:,}" for (k, s), n in sorted(stats.statuses.items()))),
            ("errors (5xx or no answer)", f"{err5}"),
            ("approval outcomes", ", ".join(f"{k} {v:,}" for k, v in sorted(stats.outcomes.items()))),
            ("approvals (leader_approve events)", f"{transitions:,} ({transitions / wall:.1f}/s)"),
            ("items approved by both racers", f"{sum(1 for n in won.values() if n > 1)}"),
            ("double / lost transitions", f"{len(double_tr)} / {len(lost_tr) + len(stray_tr)}"),
            ("drafts saved (form / database)", f"{stats.drafts_saved} / {drafts_in_db}"),
            (
                "sweeps queued by the driver",
                f"{stats.sweeps_queued}, refused while Redis was down {len(stats.queue_refused)} (beat: every 5 s)",
            ),
            ("reminders due / sent (clocks)", f"{len(remind_ids)} / {reminded.count()}"),
            ("escalations due / sent (clocks)", f"{len(escalate_ids)} / {escalated.count()}"),
            (
                "reminder / escalation messages",
                f"{sum(1 for k in keys if ':remind:' in k)} / {sum(1 for k in keys if ':escalate:' in k)}",
            ),
            ("sweep: lost / doubled", f"{len(lost_reminders) + len(lost_escalations)} / {len(double_escalations)}"),
            ("inbox messages with an address", f"{len(messages):,}"),
            ("e-mails received by SMTP", f"{len(recorder.received):,}"),
            ("e-mail duplicates / lost", f"{len(mail_double)} / {len(mail_lost)}"),
            ("emailed_at unset / set but not received", f"{len(not_stamped)} / {len(stamped_not_received)}"),
        ]
        width = max(len(k) for k, _ in rows)
        print("\nrehearsal — two web instances, two workers, one beat, one PostgreSQL, one Redis")
        for k, v in rows:
            print(f"  {k.ljust(width)}  {v}")
        for line in Counter(stats.errors).most_common(5):
            print(f"  error ×{line[1]}: {line[0]}")
        if violations:
            for v in violations:
                print(f"VIOLATION {v}")
            return 1
        print("OK: duplicates = 0, lost = 0")
        return 0
    finally:
        procs.stop_all()
        if smtp is not None:
            smtp.stop()


if __name__ == "__main__":
    sys.exit(main())

"""Benchmark of leaders' approvals under load (issue 3, speed): approvals per second with 8 concurrent clients
against gunicorn + PostgreSQL, and zero double or lost transitions in that run; beside it, in the same run, a
Django hello-world served with the same gunicorn settings, and the approvals' rate as a share of its rate.

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/bench_approvals python manage.py migrate
    DATABASE_URL=postgres://postgres@127.0.0.1:5432/bench_approvals python manage.py bench_approvals

It bulk-inserts --items submissions waiting in leader review (slip, pending leader step and the two open
DOC-13 clocks each, as the services leave them), owned by --clients/2 deputies, and starts gunicorn
(tiexi_gov.wsgi, --workers, on 127.0.0.1 and a free port) on the same database. Each deputy is logged in
twice (two sessions made directly in Django's session store), so every item is attempted by TWO clients
that walk the same list in the same order: the two POSTs of the item page's 同意 button (the "decide"
action, one request with the opinion) race for real. Then the database is checked: exactly one leader
instruction, one approval event and one transition per attempted item; none left unapproved.

gunicorn runs as in production (tiexi_gov.benchkit, shared with bench_pages): DEBUG=0, static files collected
into a temporary root, DB_CONN_MAX_AGE=60, mail to the in-memory backend, CELERY_BROKER_URL as in the
environment, and this process's SECRET_KEY (the sessions made here are signed with it). Its tasks (the mail the
approvals queue on commit) go to a queue of the run's own, emptied and removed at the end: they name messages this
command deletes, and a worker sharing the broker must not take them. Before and after the
approvals the same gunicorn settings serve a one-file Django hello-world (no apps, no middleware) and the same
number of clients GET "/" for --hello-seconds; the mean of the two rates is the denominator (target:
approvals/s at least 5 % of it), their spread shows a busy neighbour on the box.

Everything it creates is removed at the end (units "bench-ap-*", their people, items, sessions, messages; on a
bench* database also the audit rows the run wrote, which the append-only trigger otherwise refuses to delete).
Refuses to run unless the database name starts with "bench" or --yes is given.
"""

from __future__ import annotations

import http.client
import os
import re
import shutil
import statistics
import tempfile
import threading
import time
import urllib.parse
from collections import Counter
from dataclasses import dataclass, field

from django.conf import settings
from django.contrib.auth import BACKEND_SESSION_KEY, HASH_SESSION_KEY, SESSION_KEY
from django.contrib.contenttypes.models import ContentType
from django.contrib.sessions.backends.db import SessionStore
from django.contrib.sessions.models import Session
from django.core.management.base import BaseCommand, CommandError
from django.db import connection, transaction
from django.db.models import Count, Q
from django.urls import reverse
from django.utils import timezone

from documents.models import (
    URGENCY_RANK,
    Disclosure,
    Instruction,
    LeaderAssignment,
    ProcessingSlip,
    Submission,
    SubmissionState,
    SubmissionUserObjectPermission,
    Urgency,
)
from tiexi_gov.audit.models import Event
from tiexi_gov.benchkit import (
    CpuUse,
    Load,
    collect_static,
    cookies_of,
    cpu_use,
    hammer,
    portal_env,
    private_queue,
    request,
    serving,
    write_hello,
)
from tiexi_gov.deadlines.models import Deadline
from tiexi_gov.notify.models import Message
from tiexi_gov.org.models import Appointment, Portfolio, Post, Unit, User
from tiexi_gov.org.roles import Role
from tiexi_gov.workdays import calendar as wd
from tiexi_gov.workflow.models import Task

PREFIX = "bench-ap-"
UNITS = 8
SLIP_YEAR = 2999  # benchmark slip numbers never meet real ones
OPINION = "同意。（基准测试）"
HANDLED = re.compile(r"已由(.+?)处理")
ALERT = re.compile(r'role="alert">\s*(.*?)\s*<', re.S)


@dataclass
class Attempt:
    client: int
    pk: int
    started: float = 0.0
    ended: float = 0.0
    status: int = 0
    outcome: str = ""  # approved / already_handled / refused / error
    winner_named: str = ""
    message: str = ""  # the page's alert for anything but a clean win or "already handled"


@dataclass
class Client:
    number: int
    deputy: User
    session_key: str
    csrf: str = ""
    attempts: list[Attempt] = field(default_factory=list)


class Command(BaseCommand):
    help = "Approvals per second with concurrent clients against gunicorn + PostgreSQL; no double/lost transitions."

    def add_arguments(self, parser):
        parser.add_argument("--items", type=int, default=2000, help="items built in leader review (2,000)")
        parser.add_argument("--attempt", type=int, default=1000, help="items raced, each by two clients (1,000)")
        parser.add_argument("--clients", type=int, default=8, help="concurrent clients, an even number (8)")
        parser.add_argument("--workers", type=int, default=4, help="gunicorn sync workers, both servers (4)")
        parser.add_argument(
            "--hello-seconds", type=float, default=3.0, help="load on the hello-world, before and after (3 s)"
        )
        parser.add_argument("--max-seconds", type=int, default=300, help="stop the clients after this long (300)")
        parser.add_argument(
            "--yes", action="store_true", help="run even if the database name does not start with bench"
        )
        parser.add_argument("--keep", action="store_true", help="keep the benchmark rows (for inspection)")

    # --- orchestration -------------------------------------------------------------------------------------

    def handle(self, *args, **opts):
        name = str(settings.DATABASES["default"]["NAME"] or "")
        if connection.vendor != "postgresql":
            raise CommandError("bench_approvals runs on PostgreSQL (DATABASE_URL=postgres://…).")
        if not (name.startswith("bench") or opts["yes"]):
            raise CommandError(
                f"Refusing to write benchmark rows into database {name!r}: use a bench* database or --yes."
            )
        if opts["clients"] < 2 or opts["clients"] % 2:
            raise CommandError("--clients must be an even number (two sessions per deputy).")
        if not 0 < opts["attempt"] <= opts["items"]:
            raise CommandError("--attempt must be between 1 and --items.")
        self.bench_db = name.startswith("bench")
        self.workers = opts["workers"]
        self.today = timezone.localdate()
        self.session_keys: list[str] = []
        self.cleanup()
        tmp = tempfile.mkdtemp(prefix="bench-approvals-")
        try:
            env = portal_env(tmp)
            # The sessions are made here (login()), signed and hashed with this process's key: the server's.
            env["SECRET_KEY"] = settings.SECRET_KEY
            self.stdout.write(f"static files collected (DEBUG=0 storage) in {collect_static(env):.1f}s")
            t0 = time.perf_counter()
            world = self.build_world(opts["clients"] // 2)
            items = self.build_items(world, opts["items"])
            self.stdout.write(f"built {len(items):,} items in leader review in {time.perf_counter() - t0:.1f}s")
            clients, plan = self.plan(world, items, opts["clients"], opts["attempt"])
            hello_app, hello_env = write_hello(tmp)
            hello = []
            with serving(hello_app, hello_env, tmp, self.workers) as port:
                hello.append(hammer(port, "/", {}, opts["clients"], opts["hello_seconds"]))
            with (
                private_queue(env, f"bench-approvals-{os.getpid()}") as self.queued,
                serving("tiexi_gov.wsgi:application", env, tmp, self.workers) as port,
            ):
                self.stdout.write(f"gunicorn -w {self.workers} on 127.0.0.1:{port} (DEBUG=0), {len(clients)} clients")
                for c in clients:
                    c.csrf = self.open_first_page(port, c, plan[c.number][0])
                with cpu_use(port, connection) as cpu:
                    wall = self.run_clients(port, clients, plan, opts["max_seconds"])
            with serving(hello_app, hello_env, tmp, self.workers) as port:
                hello.append(hammer(port, "/", {}, opts["clients"], opts["hello_seconds"]))
            attempted = sorted({a.pk for c in clients for a in c.attempts})
            self.report(clients, attempted, items, wall, hello, cpu)
        finally:
            shutil.rmtree(tmp, ignore_errors=True)
            if not opts["keep"]:
                self.cleanup()

    # --- data --------------------------------------------------------------------------------------------

    @transaction.atomic
    def build_world(self, n_deputies: int) -> dict:
        start = self.today.replace(year=self.today.year - 1)
        gov = Unit.objects.create(name="基准审批区政府", code=f"{PREFIX}gov", kind=Unit.Kind.GOVERNMENT)
        office = Unit.objects.create(name="基准审批办公室", code=f"{PREFIX}office", kind=Unit.Kind.OFFICE)
        staff = self.person("staff", office, "基准文书", Role.OFFICE_STAFF)
        deputies = []
        for i in range(n_deputies):
            person = self.person(f"dep{i}", gov, f"基准副区长{i}", Role.DEPUTY_HEAD)
            post = Post.objects.create(kind=Post.Kind.DEPUTY, unit=gov, title=f"基准副区长{i}（分管）")
            Appointment.objects.create(post=post, person=person, start=start)
            deputies.append((post, person))
        units = []
        for i in range(UNITS):
            unit = Unit.objects.create(name=f"基准审批局{i}", short_name=f"基准局{i}", code=f"{PREFIX}u{i}")
            clerk = self.person(f"clerk{i}", unit, f"基准拟稿人{i}", Role.CLERK)
            head = self.person(f"head{i}", unit, f"基准局长{i}", Role.UNIT_HEAD)
            head_post = Post.objects.create(kind=Post.Kind.UNIT_HEAD, unit=unit, title=f"基准局{i}局长")
            Appointment.objects.create(post=head_post, person=head, start=start)
            post = deputies[i % n_deputies][0]
            Portfolio.objects.create(post=post, unit=unit, start=start)
            units.append({"unit": unit, "clerk": clerk, "head": head, "head_post": head_post, "deputy_post": post})
        return {"staff": staff, "deputies": deputies, "units": units}

    def person(self, username: str, unit: Unit, full_name: str, role) -> User:
        user = User.objects.create_user(
            username=f"{PREFIX}{username}", unit=unit, full_name=full_name, email=f"{username}@bench.invalid"
        )
        from django.contrib.auth.models import Group

        user.groups.add(Group.objects.get_or_create(name=str(role))[0])
        return user

    @transaction.atomic
    def build_items(self, world: dict, count: int) -> list[Submission]:
        """Rows as register → office review → route_to_leader leave them (bulk: the workflow is not measured)."""
        today, now, staff = self.today, timezone.now(), world["staff"]
        approval_due = wd.add_workdays(today, 10)
        remind_on = wd.add_workdays(approval_due, -1)
        subs = []
        for i in range(count):
            u = world["units"][i % UNITS]
            subs.append(
                Submission(
                    unit=u["unit"],
                    title=f"关于基准审批事项{i}的请示",
                    body="基准测试正文。",
                    urgency=Urgency.NORMAL,
                    disclosure=Disclosure.FULL,
                    state=SubmissionState.LEADER_REVIEW,
                    issue_date=today,
                    decision_needed_by=wd.add_workdays(today, 20),
                    declares_one_matter=True,
                    not_classified=True,
                    drafted_by=u["clerk"],
                    signed_by=u["head"],
                    signed_post=u["head_post"],
                    signed_at=now,
                    submitted_at=now,
                    submitted_on=today,
                    last_handled_by=staff,
                    last_handled_at=now,
                )
            )
        Submission.objects.bulk_create(subs, batch_size=1000)
        slips = [
            ProcessingSlip(
                submission=s,
                year=SLIP_YEAR,
                seq=i + 1,
                number=f"B{SLIP_YEAR}-{i + 1:06d}",
                registered_on=today,
                registered_by=staff,
                from_unit_name=s.unit.name,
                urgency=s.urgency,
                disclosure=s.disclosure,
                title=s.title,
                approval_workdays=10,
                approval_due=approval_due,
            )
            for i, s in enumerate(subs)
        ]
        ProcessingSlip.objects.bulk_create(slips, batch_size=1000)
        for s, slip in zip(subs, slips, strict=True):
            s.current_slip = slip
        Submission.objects.bulk_update(subs, ["current_slip"], batch_size=1000)
        assigns = [
            LeaderAssignment(
                submission=s,
                slip=slip,
                post=world["units"][i % UNITS]["deputy_post"],
                state=LeaderAssignment.State.PENDING,
                assigned_on=today,
                due=approval_due,
                urgency_rank=URGENCY_RANK[Urgency.NORMAL],
                assigned_by=staff,
            )
            for i, (s, slip) in enumerate(zip(subs, slips, strict=True))
        ]
        LeaderAssignment.objects.bulk_create(assigns, batch_size=1000)
        sub_ct, a_ct = (
            ContentType.objects.get_for_model(Submission),
            ContentType.objects.get_for_model(LeaderAssignment),
        )
        clocks = []
        for s, a in zip(subs, assigns, strict=True):
            common = {"rule_id": "DOC-13", "counted_from": today, "due": approval_due, "remind_on": remind_on}
            url = reverse("documents:detail", args=[s.pk])
            clocks.append(
                Deadline(
                    subject_type=sub_ct,
                    subject_id=str(s.pk),
                    subject_repr=s.title,
                    url=url,
                    title=f"一般公文审批（收文{s.current_slip.number}）",
                    workdays=10,
                    owner_user=staff,
                    **common,
                )
            )
            clocks.append(
                Deadline(
                    subject_type=a_ct,
                    subject_id=str(a.pk),
                    subject_repr=s.title,
                    url=url,
                    title=f"领导签批：{s.title}",
                    owner_post=a.post,
                    **common,
                )
            )
        Deadline.objects.bulk_create(clocks, batch_size=2000)
        with connection.cursor() as cur:
            cur.execute("ANALYZE documents_submission, documents_leaderassignment, deadlines_deadline")
        return subs

    def plan(self, world, items, n_clients: int, attempt: int) -> tuple[list[Client], dict[int, list[int]]]:
        """Two sessions per deputy; both walk the same first `attempt` items of that deputy in the same order."""
        by_post: dict[int, list[int]] = {}
        for i, s in enumerate(items[:attempt]):
            by_post.setdefault(world["units"][i % UNITS]["deputy_post"].pk, []).append(s.pk)
        clients, plan = [], {}
        for k, (post, deputy) in enumerate(world["deputies"]):
            for j in (0, 1):
                number = 2 * k + j
                clients.append(Client(number, deputy, self.login(deputy)))
                plan[number] = by_post.get(post.pk, [])
        return clients, plan

    def login(self, user: User) -> str:
        """A real logged-in session in the database session store, as the login view would leave it."""
        store = SessionStore()
        store[SESSION_KEY] = str(user.pk)
        store[BACKEND_SESSION_KEY] = "tiexi_gov.org.backends.OrgModelBackend"
        store[HASH_SESSION_KEY] = user.get_session_auth_hash()
        store.create()
        self.session_keys.append(store.session_key)
        return store.session_key

    # --- clients -------------------------------------------------------------------------------------------

    def open_first_page(self, port: int, client: Client, pk: int) -> str:
        """Open an item page as the deputy would: it must offer 同意, and it hands out the CSRF cookie."""
        # The cookie names do not depend on DEBUG (settings.py leaves Django's defaults; only their Secure flag
        # follows DEBUG, which http.client ignores), so this process's names are the server's.
        status, headers, body = request(
            port,
            "GET",
            reverse("documents:detail", args=[pk]),
            headers={"Cookie": f"{settings.SESSION_COOKIE_NAME}={client.session_key}"},
        )
        if status != 200 or 'data-action="decide"' not in body:
            raise CommandError(f"item page for client {client.number}: HTTP {status}, no 同意 form")
        csrf = cookies_of(headers).get(settings.CSRF_COOKIE_NAME)
        if not csrf:
            raise CommandError(f"the item page did not set a {settings.CSRF_COOKIE_NAME} cookie")
        return csrf

    def run_clients(self, port: int, clients: list[Client], plan: dict[int, list[int]], max_seconds: int) -> float:
        barrier = threading.Barrier(len(clients) + 1)
        stop_at = [0.0]

        def run(c: Client) -> None:
            conn = http.client.HTTPConnection("127.0.0.1", port, timeout=60)
            cookie = f"{settings.SESSION_COOKIE_NAME}={c.session_key}; {settings.CSRF_COOKIE_NAME}={c.csrf}"
            barrier.wait()
            for pk in plan[c.number]:
                if time.monotonic() > stop_at[0]:
                    break
                a = Attempt(c.number, pk)
                body = urllib.parse.urlencode(
                    {
                        "csrfmiddlewaretoken": c.csrf,
                        "seen_state": SubmissionState.LEADER_REVIEW,
                        "decide-opinion": OPINION,
                        "decide-decision": "approve",
                    }
                )
                headers = {"Cookie": cookie, "Content-Type": "application/x-www-form-urlencoded"}
                a.started = time.monotonic()
                try:
                    conn.request("POST", f"/documents/{pk}/act/decide/", body=body, headers=headers)
                    response = conn.getresponse()
                    text = response.read().decode(errors="replace")
                    a.status = response.status
                    location = response.getheader("Location", "")
                    if response.status == 302 and location.endswith(f"/documents/{pk}/"):
                        a.outcome = "approved"
                    elif response.status in (200, 409) and (who := handled_by(text)):
                        a.outcome, a.winner_named = "already_handled", who
                    else:
                        a.outcome = "refused"
                        m = ALERT.search(text)
                        a.message = f"HTTP {response.status}: " + (m.group(1) if m else text[:120])
                except (OSError, http.client.HTTPException):
                    a.outcome = "error"
                    conn.close()
                a.ended = time.monotonic()
                c.attempts.append(a)
            conn.close()

        threads = [threading.Thread(target=run, args=(c,), daemon=True) for c in clients]
        for t in threads:
            t.start()
        stop_at[0] = time.monotonic() + max_seconds
        t0 = time.monotonic()
        barrier.wait()
        for t in threads:
            t.join(timeout=max_seconds + 120)
        return time.monotonic() - t0

    # --- verdict -------------------------------------------------------------------------------------------

    def queued_text(self) -> str:
        queued = getattr(self, "queued", None)
        if queued is None or queued.dropped is None:
            return "-"
        return f"{queued.dropped:,} (queue {queued.name})"

    def report(
        self,
        clients: list[Client],
        attempted: list[int],
        items: list[Submission],
        wall: float,
        hello: list[Load],
        cpu: CpuUse | None = None,
    ) -> None:
        attempts = [a for c in clients for a in c.attempts]
        by_item: dict[int, list[Attempt]] = {}
        for a in attempts:
            by_item.setdefault(a.pk, []).append(a)
        statuses = Counter(a.status for a in attempts)
        outcomes = Counter(a.outcome for a in attempts)
        twice = [pk for pk, tries in by_item.items() if len(tries) == 2]
        overlapped = sum(
            1
            for pk in twice
            if by_item[pk][0].started < by_item[pk][1].ended and by_item[pk][1].started < by_item[pk][0].ended
        )
        deputy_of = {c.number: c.deputy.display_name for c in clients}
        wrong_name = [a for a in attempts if a.outcome == "already_handled" and a.winner_named != deputy_of[a.client]]

        # the database's word
        ids = set(attempted)
        all_ids = {s.pk for s in items}
        states = Counter(Submission.objects.filter(pk__in=ids).values_list("state", flat=True))
        instructions = dict(
            Instruction.objects.filter(submission_id__in=all_ids, step=Instruction.Step.LEADER)
            .values_list("submission_id")
            .annotate(n=Count("id"))
        )
        sub_ct = ContentType.objects.get_for_model(Submission)
        events = Counter(
            int(x)
            for x in Event.objects.filter(
                subject_type=sub_ct, subject_id__in=[str(i) for i in all_ids], action="leader_approve"
            ).values_list("subject_id", flat=True)
        )
        approved = set(
            Submission.objects.filter(pk__in=ids, state=SubmissionState.APPROVED).values_list("pk", flat=True)
        )
        double = sorted(pk for pk in all_ids if instructions.get(pk, 0) > 1 or events.get(pk, 0) > 1)
        lost = sorted(pk for pk in ids if pk not in approved or instructions.get(pk, 0) != 1 or events.get(pk, 0) != 1)
        stray = sorted(pk for pk in all_ids - ids if instructions.get(pk, 0) or events.get(pk, 0))
        pending_steps = LeaderAssignment.objects.filter(submission_id__in=ids, state=LeaderAssignment.State.PENDING)
        open_clocks = Deadline.objects.filter(
            subject_type=sub_ct, subject_id__in=[str(i) for i in ids], closed_at__isnull=True
        ).count()
        transitions = sum(events.values())

        def ms(values):
            if not values:
                return "-"
            values = sorted(values)
            p95 = values[max(0, round(0.95 * len(values)) - 1)]
            return f"{statistics.median(values) * 1000:.0f} / {p95 * 1000:.0f}"

        hello_rps = statistics.mean(h.rps for h in hello)

        def vs_hello(rate: float) -> str:
            return f"{100 * rate / hello_rps:.1f} %" if hello_rps else "-"

        approvals_rate = transitions / wall if wall else 0.0
        share = 100 * approvals_rate / hello_rps if hello_rps else 0.0
        w = self.stdout.write
        w("")
        w("bench_approvals — leaders' 同意 on the item page, two clients per item")
        rows = [
            ("clients / gunicorn sync workers", f"{len(clients)} / {self.workers} (DEBUG=0)"),
            ("items attempted (each by 2 clients)", f"{len(ids):,} ({len(twice):,} by both)"),
            ("POST requests", f"{len(attempts):,}"),
            ("wall time", f"{wall:.1f} s"),
            ("approvals per second", f"{approvals_rate:.1f}" if wall else "-"),
            ("requests per second", f"{len(attempts) / wall:.1f}" if wall else "-"),
            (
                "hello-world req/s (before / after / mean)",
                f"{hello[0].rps:,.0f} / {hello[1].rps:,.0f} / {hello_rps:,.0f}",
            ),
            (
                "approvals/s vs hello-world",
                f"{vs_hello(approvals_rate)} (target ≥ 5 %: {'OK' if share >= 5 else 'BELOW'})",
            ),
            ("requests/s vs hello-world", vs_hello(len(attempts) / wall if wall else 0.0)),
            ("HTTP status", ", ".join(f"{k}: {v:,}" for k, v in sorted(statuses.items()))),
            ("outcomes", ", ".join(f"{k}: {v:,}" for k, v in sorted(outcomes.items()))),
            (
                "latency ms (median / p95), winner",
                ms([a.ended - a.started for a in attempts if a.outcome == "approved"]),
            ),
            (
                "latency ms (median / p95), loser",
                ms([a.ended - a.started for a in attempts if a.outcome == "already_handled"]),
            ),
            ("pairs whose two POSTs overlapped in time", f"{overlapped:,} of {len(twice):,}"),
            ("CPU ms per approval: gunicorn / PostgreSQL / clients", cpu_split(cpu, transitions)),
            ("approvals/s the box's CPUs allow at that cost", cpu_ceiling(cpu, transitions)),
            ("losers told 已由<winner>处理 with a wrong name", f"{len(wrong_name)}"),
            ("losers not told who handled it", f"{outcomes.get('refused', 0) + outcomes.get('error', 0)}"),
            ("transitions (leader_approve events)", f"{transitions:,}"),
            ("states of attempted items", ", ".join(f"{k}: {v:,}" for k, v in sorted(states.items()))),
            ("double (>1 instruction or event)", f"{len(double)}"),
            ("lost (attempted, not exactly one approval)", f"{len(lost)}"),
            ("stray (not attempted, yet touched)", f"{len(stray)}"),
            ("leader steps still pending / DOC-13 clocks open", f"{pending_steps.count()} / {open_clocks}"),
            ("tasks queued (mail), dropped with the run's queue", self.queued_text()),
        ]
        width = max(len(k) for k, _ in rows)
        for k, v in rows:
            w(f"  {k.ljust(width)}  {v}")
        ok = (
            not double
            and not lost
            and not stray
            and not wrong_name
            and transitions == len(ids)
            and outcomes.get("approved", 0) == len(ids)
        )
        for message, n in Counter(a.message for a in attempts if a.outcome == "refused").most_common(5):
            w(f"  refused ×{n}: {message}")
        if outcomes.get("refused", 0) or outcomes.get("error", 0):
            w("NOTE: some losers did not get 已由XX处理 (issue 3: the loser sees who handled it); see above.")
        if ok:
            w(f"OK: {transitions:,} transitions for {len(ids):,} items attempted twice each; 0 double, 0 lost.")
        else:
            raise CommandError(
                f"double={double[:10]} lost={lost[:10]} stray={stray[:10]} wrong_name={len(wrong_name)} "
                f"outcomes={dict(outcomes)}"
            )

    # --- cleanup -------------------------------------------------------------------------------------------

    def cleanup(self) -> None:
        """Remove everything the benchmark made. Audit rows are append-only (a trigger refuses DELETE); on a
        bench* database the rows this benchmark wrote are removed with triggers off for that transaction only,
        elsewhere they and the people they name are kept (the people deactivated)."""
        Session.objects.filter(session_key__in=self.session_keys).delete()
        user_keys = {str(pk) for pk in User.objects.filter(username__startswith=PREFIX).values_list("pk", flat=True)}
        if user_keys:  # sessions of an earlier run (--keep, or ended abruptly)
            stale = [s.pk for s in Session.objects.iterator() if s.get_decoded().get(SESSION_KEY) in user_keys]
            Session.objects.filter(pk__in=stale).delete()
        subs = Submission.objects.filter(unit__code__startswith=PREFIX)
        sub_ids = [str(pk) for pk in subs.values_list("pk", flat=True)]
        a_ids = [str(pk) for pk in LeaderAssignment.objects.filter(submission__in=subs).values_list("pk", flat=True)]
        sub_ct, a_ct = (
            ContentType.objects.get_for_model(Submission),
            ContentType.objects.get_for_model(LeaderAssignment),
        )
        users = User.objects.filter(username__startswith=PREFIX)
        with transaction.atomic():
            Deadline.objects.filter(subject_type=sub_ct, subject_id__in=sub_ids).delete()
            Deadline.objects.filter(subject_type=a_ct, subject_id__in=a_ids).delete()
            Deadline.objects.filter(owner_user__in=users).delete()
            # Tasks hold their people and posts with PROTECT: they go before the users, posts and units.
            Task.objects.filter(subject_type=sub_ct, subject_id__in=sub_ids).delete()
            Task.objects.filter(subject_type=a_ct, subject_id__in=a_ids).delete()
            Task.objects.filter(
                Q(owner_user__in=users)
                | Q(from_user__in=users)
                | Q(closed_by__in=users)
                | Q(owner_post__unit__code__startswith=PREFIX)
                | Q(owner_unit__code__startswith=PREFIX)
            ).delete()
            Message.objects.filter(recipient__in=users).delete()
            # The office staff told of each approval include the database's own people (the demo's office, when
            # the benchmark runs beside bench_pages): their messages about the benchmark's items go too, or their
            # inbox grows by one per approval with every run.
            Message.objects.filter(url__in=[reverse("documents:detail", args=[pk]) for pk in sub_ids]).delete()
            LeaderAssignment.objects.filter(submission__in=subs).delete()
            Instruction.objects.filter(submission__in=subs).delete()
            subs.update(current_slip=None, last_handled_by=None)
            ProcessingSlip.objects.filter(submission__in=subs).delete()
            SubmissionUserObjectPermission.objects.filter(content_object__in=subs).delete()
            subs.delete()
            Portfolio.objects.filter(unit__code__startswith=PREFIX).delete()
            Appointment.objects.filter(person__in=users).delete()
            Post.objects.filter(unit__code__startswith=PREFIX).delete()
        if not self.bench_db:
            users.update(is_active=False)
            return
        with transaction.atomic(), connection.cursor() as cur:
            cur.execute("SET LOCAL session_replication_role = replica")  # this transaction only
            user_ids = list(users.values_list("pk", flat=True))
            cur.execute(
                "DELETE FROM audit_event WHERE actor_id = ANY(%s) OR acting_for_id = ANY(%s)"
                " OR (subject_type_id = %s AND subject_id = ANY(%s))"
                " OR (subject_type_id = %s AND subject_id = ANY(%s))",
                [user_ids, user_ids, sub_ct.pk, sub_ids, a_ct.pk, a_ids],
            )
        with transaction.atomic():
            users.delete()
            Unit.objects.filter(code__startswith=PREFIX).delete()


def cpu_split(cpu: CpuUse | None, approvals: int) -> str:
    """Where one approval's CPU went (the winner's and the loser's requests together): the servers, the database,
    this process's client threads."""
    if cpu is None or not approvals:
        return "-"
    each = [1000 * v / approvals for v in (cpu.gunicorn, cpu.postgres, cpu.clients, cpu.total)]
    return "{:.1f} / {:.1f} / {:.1f} (total {:.1f})".format(*each)


def cpu_ceiling(cpu: CpuUse | None, approvals: int) -> str:
    """All of the box's CPUs busy at this cost per approval: the rate no amount of concurrency can pass."""
    if cpu is None or not approvals or not cpu.total:
        return "-"
    cores = os.cpu_count() or 1
    return f"{cores * approvals / cpu.total:.1f} ({cores} CPUs)"


def handled_by(text: str) -> str:
    """XX of the loser's "已由XX处理": from the page's alert (the message) first, as the page's own words (a title
    "已由他人处理") do not name the winner; "" when the page does not say."""
    for alert in ALERT.findall(text):
        if m := HANDLED.search(alert):
            return m.group(1)
    m = HANDLED.search(text)
    return m.group(1) if m else ""

"""Benchmark of the leaders' documents queue (issue 3, speed): server time of /documents/queue/ with 1,000
and with 100,000 submissions, 500 of them waiting in one deputy's queue, median and p95 over 50 requests.

Benchmark rows are bulk-inserted (no services: the point is volume, not the workflow) under units whose
code starts with "bench-", and removed at the end. Refuses to run unless the database name starts with
"bench" or --yes is given.
"""

from __future__ import annotations

import statistics
import time

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError
from django.db import connection, transaction
from django.test import Client
from django.test.utils import setup_test_environment, teardown_test_environment
from django.urls import reverse
from django.utils import timezone

from documents.models import (
    URGENCY_RANK,
    Disclosure,
    LeaderAssignment,
    ProcessingSlip,
    Submission,
    SubmissionState,
    Urgency,
)
from tiexi_gov.org.models import Appointment, Portfolio, Post, Unit, User
from tiexi_gov.workdays import calendar as wd

PREFIX = "bench-"
QUEUE_SIZE = 500
REQUESTS = 50
BATCH = 5000
URGENCIES = [Urgency.NORMAL, Urgency.NORMAL, Urgency.URGENT, Urgency.EXTRA_URGENT, Urgency.CRITICAL]
OTHER_STATES = [SubmissionState.DRAFTING, SubmissionState.CLOSED, SubmissionState.APPROVED, SubmissionState.SUBMITTED]


class Command(BaseCommand):
    help = "Measure the documents queue page at 1,000 and 100,000 submissions (PostgreSQL)."

    def add_arguments(self, parser):
        parser.add_argument(
            "--yes", action="store_true", help="run even if the database name does not start with bench"
        )
        parser.add_argument("--sizes", default="1000,100000", help="comma-separated numbers of submissions")
        parser.add_argument("--requests", type=int, default=REQUESTS)
        parser.add_argument("--keep", action="store_true", help="do not delete the benchmark rows at the end")

    def handle(self, *args, **opts):
        name = settings.DATABASES["default"]["NAME"] or ""
        if connection.vendor != "postgresql":
            raise CommandError("bench_documents runs on PostgreSQL (DATABASE_URL=postgres://…).")
        if not (str(name).startswith("bench") or opts["yes"]):
            raise CommandError(
                f"Refusing to write benchmark rows into database {name!r}: use a bench* database or --yes."
            )
        sizes = [int(x) for x in opts["sizes"].split(",") if x.strip()]
        self.today = timezone.localdate()
        self.cleanup()
        setup_test_environment()  # lets the test client run against this (non-test) database
        results = {}
        try:
            world = self.build_world()
            built = 0
            for size in sizes:
                t0 = time.perf_counter()
                self.add_submissions(world, built, size - built, queue_first=(built == 0))
                built = size
                with connection.cursor() as cur:
                    cur.execute("ANALYZE documents_submission, documents_processingslip, documents_leaderassignment")
                self.stdout.write(f"built {size:,} submissions in {time.perf_counter() - t0:.1f}s")
                results[size] = self.measure(world["deputy"], opts["requests"])
                median, p95 = results[size]
                self.stdout.write(f"  queue page at {size:,}: median {median:.1f} ms, p95 {p95:.1f} ms")
        finally:
            teardown_test_environment()
            if not opts["keep"]:
                self.cleanup()
        if len(sizes) >= 2:
            small, large = results[sizes[0]], results[sizes[-1]]
            ratio = large[0] / small[0]
            ok_ratio, ok_p95 = ratio <= 1.5, large[1] < 200
            self.stdout.write(
                f"ratio (median {sizes[-1]:,} / {sizes[0]:,}): {ratio:.2f} (target <= 1.5) "
                + ("OK" if ok_ratio else "MISSED")
            )
            self.stdout.write(
                f"p95 at {sizes[-1]:,}: {large[1]:.1f} ms (target < 200 ms) {'OK' if ok_p95 else 'MISSED'}"
            )

    # --- data ------------------------------------------------------------------------------------------

    @transaction.atomic
    def build_world(self) -> dict:
        gov = Unit.objects.create(name="基准测试区政府", code=f"{PREFIX}gov", kind=Unit.Kind.GOVERNMENT)
        office = Unit.objects.create(name="基准测试办公室", code=f"{PREFIX}office", kind=Unit.Kind.OFFICE)
        units = [Unit.objects.create(name=f"基准测试局{i}", code=f"{PREFIX}u{i}") for i in range(20)]
        staff = User.objects.create_user(username=f"{PREFIX}staff", unit=office, full_name="基准文书")
        clerk = User.objects.create_user(username=f"{PREFIX}clerk", unit=units[0], full_name="基准拟稿人")
        posts = []
        start = self.today.replace(year=self.today.year - 1)
        for i in range(6):
            person = User.objects.create_user(username=f"{PREFIX}dep{i}", unit=gov, full_name=f"基准副区长{i}")
            post = Post.objects.create(kind=Post.Kind.DEPUTY, unit=gov, title=f"基准副区长{i}")
            Appointment.objects.create(post=post, person=person, start=start)
            posts.append((post, person))
        for i, unit in enumerate(units):
            Portfolio.objects.create(post=posts[i % len(posts)][0], unit=unit, start=start)
        return {"units": units, "staff": staff, "clerk": clerk, "posts": posts, "deputy": posts[0][1]}

    def add_submissions(self, world, offset: int, count: int, *, queue_first: bool) -> None:
        """`count` more submissions; the first call puts QUEUE_SIZE of them in the deputy's queue and every
        other one in leader review for another deputy or in some other state."""
        today = self.today
        due_days = [wd.add_workdays(today, n) for n in range(-3, 11)]
        year = 3000 + offset // 1_000_000  # slip numbers never collide with real ones
        main_post = world["posts"][0][0]
        other_posts = [p for p, _ in world["posts"][1:]]
        done = 0
        while done < count:
            n = min(BATCH, count - done)
            subs, slips, assigns = [], [], []
            for k in range(n):
                i = offset + done + k
                urgency = URGENCIES[i % len(URGENCIES)]
                in_queue = queue_first and i < QUEUE_SIZE
                state = SubmissionState.LEADER_REVIEW if in_queue or i % 3 == 0 else OTHER_STATES[i % len(OTHER_STATES)]
                subs.append(
                    Submission(
                        unit=world["units"][i % len(world["units"])],
                        title=f"基准测试请示{i}",
                        drafted_by=world["clerk"],
                        urgency=urgency,
                        disclosure=Disclosure.FULL,
                        state=state,
                        issue_date=today,
                        not_classified=True,
                        declares_one_matter=True,
                    )
                )
            Submission.objects.bulk_create(subs, batch_size=BATCH)
            for k, sub in enumerate(subs):
                i = offset + done + k
                if sub.state in (SubmissionState.DRAFTING,):
                    continue
                slips.append(
                    ProcessingSlip(
                        submission=sub,
                        year=year,
                        seq=i + 1,
                        number=f"B{year}-{i + 1:07d}",
                        registered_on=today,
                        registered_by=world["staff"],
                        from_unit_name=sub.unit.name,
                        urgency=sub.urgency,
                        disclosure=Disclosure.FULL,
                        title=sub.title,
                        approval_workdays=10,
                        approval_due=due_days[i % len(due_days)],
                    )
                )
            ProcessingSlip.objects.bulk_create(slips, batch_size=BATCH)
            for slip in slips:
                sub = slip.submission
                i = int(sub.title.removeprefix("基准测试请示"))
                in_queue = queue_first and i < QUEUE_SIZE
                if sub.state == SubmissionState.LEADER_REVIEW:
                    post = main_post if in_queue else other_posts[i % len(other_posts)]
                    state = LeaderAssignment.State.PENDING
                else:
                    post = other_posts[i % len(other_posts)] if not in_queue else main_post
                    state = LeaderAssignment.State.DONE
                    if i % 2:  # half of the finished ones were the main deputy's: DONE rows on the same post
                        post = main_post
                assigns.append(
                    LeaderAssignment(
                        submission=sub,
                        slip=slip,
                        post=post,
                        state=state,
                        assigned_on=today,
                        due=slip.approval_due,
                        urgency_rank=URGENCY_RANK[Urgency(sub.urgency)],
                        assigned_by=world["staff"],
                    )
                )
            LeaderAssignment.objects.bulk_create(assigns, batch_size=BATCH)
            done += n

    # --- measure -----------------------------------------------------------------------------------------

    def measure(self, deputy, requests: int) -> tuple[float, float]:
        client = Client()
        client.force_login(deputy)
        url = reverse("documents:queue")
        for _ in range(5):  # warm caches (calendar index, templates, connection)
            response = client.get(url)
            assert response.status_code == 200, response.status_code
        assert response.context["page"].paginator.count == QUEUE_SIZE, response.context["page"].paginator.count
        times = []
        for _ in range(requests):
            t0 = time.perf_counter()
            response = client.get(url)
            times.append((time.perf_counter() - t0) * 1000)
            assert response.status_code == 200
        times.sort()
        p95 = times[max(0, int(round(0.95 * len(times))) - 1)]
        return statistics.median(times), p95

    # --- cleanup -----------------------------------------------------------------------------------------

    def cleanup(self) -> None:
        """Remove every benchmark row (raw deletes: 100,000 rows through the ORM collector would take minutes)."""
        with transaction.atomic(), connection.cursor() as cur:
            units = "SELECT id FROM org_unit WHERE code LIKE %s"
            subs = f"SELECT id FROM documents_submission WHERE unit_id IN ({units})"
            like = [PREFIX + "%"]
            cur.execute(f"UPDATE documents_submission SET current_slip_id = NULL WHERE id IN ({subs})", like)
            cur.execute(f"DELETE FROM documents_leaderassignment WHERE submission_id IN ({subs})", like)
            cur.execute(f"DELETE FROM documents_processingslip WHERE submission_id IN ({subs})", like)
            cur.execute(f"DELETE FROM documents_submission WHERE id IN ({subs})", like)
        Portfolio.objects.filter(unit__code__startswith=PREFIX).delete()
        Appointment.objects.filter(person__username__startswith=PREFIX).delete()
        Post.objects.filter(unit__code__startswith=PREFIX).delete()
        User.objects.filter(username__startswith=PREFIX).delete()
        Unit.objects.filter(code__startswith=PREFIX).delete()

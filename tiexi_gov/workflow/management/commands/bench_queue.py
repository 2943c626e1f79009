"""Benchmark of 我的待办 (issue 10, speed): server time and queries of /todo/ for a deputy who handles their own post
and acts for two others, with 1,000 and with 100,000 open tasks in the deployment (500 of them reaching the deputy
through their own post, the posts they act for, their unit's clerks, their role and their name), median and p95.

Tasks are bulk-inserted (no services: the point is volume, not the workflow) on subjects of their own under units
whose code starts with "bench-", and removed at the end. Refuses to run unless the database name starts with "bench"
or --yes is given.
"""

from __future__ import annotations

import datetime as dt
import statistics
import time

from django.conf import settings
from django.contrib.contenttypes.models import ContentType
from django.core.management.base import BaseCommand, CommandError
from django.db import connection, transaction
from django.test import Client
from django.test.utils import CaptureQueriesContext, setup_test_environment, teardown_test_environment
from django.urls import reverse
from django.utils import timezone

from tiexi_gov.deadlines.models import Deadline
from tiexi_gov.org.models import ActingArrangement, Appointment, Post, Unit, User
from tiexi_gov.org.roles import Role, ensure_roles
from tiexi_gov.workflow.models import Area, Task, UnitScope

PREFIX = "bench-"
MINE = 500
REQUESTS = 50
BATCH = 5000
AREAS = list(Area.values)


class Command(BaseCommand):
    help = "Measure 我的待办 at 1,000 and 100,000 open tasks (PostgreSQL)."

    def add_arguments(self, parser):
        parser.add_argument(
            "--yes", action="store_true", help="run even if the database name does not start with bench"
        )
        parser.add_argument("--sizes", default="1000,100000", help="comma-separated numbers of open tasks")
        parser.add_argument("--requests", type=int, default=REQUESTS)

    def handle(self, *args, **opts):
        name = str(settings.DATABASES["default"]["NAME"] or "")
        if connection.vendor != "postgresql":
            raise CommandError("bench_queue runs on PostgreSQL (DATABASE_URL=postgres://…).")
        if not (name.startswith("bench") or opts["yes"]):
            raise CommandError(
                f"Refusing to write benchmark rows into database {name!r}: use a bench* database or --yes."
            )
        sizes = [int(x) for x in opts["sizes"].split(",") if x.strip()]
        self.today = timezone.localdate()
        self.cleanup()
        setup_test_environment()
        results = {}
        try:
            world = self.build_world()
            built = 0
            for size in sizes:
                t0 = time.perf_counter()
                self.add_tasks(world, built, size - built)
                built = size
                with connection.cursor() as cur:
                    cur.execute("ANALYZE workflow_task, deadlines_deadline")
                self.stdout.write(f"built {size:,} open tasks in {time.perf_counter() - t0:.1f}s")
                results[size] = self.measure(world["deputy"], opts["requests"])
                median, p95, queries, total = results[size]
                self.stdout.write(
                    f"  我的待办 at {size:,} open tasks: median {median:.1f} ms, p95 {p95:.1f} ms, "
                    f"{queries} queries, {total} rows for the deputy"
                )
        finally:
            teardown_test_environment()
            self.cleanup()
        if len(sizes) >= 2:
            small, large = results[sizes[0]], results[sizes[-1]]
            self.stdout.write(
                f"p95 ratio {sizes[-1]:,}/{sizes[0]:,}: {large[1] / small[1]:.2f} (target ≤ 1.5); "
                f"median ratio {large[0] / small[0]:.2f}; queries {small[2]} → {large[2]}"
            )

    @transaction.atomic
    def build_world(self) -> dict:
        ensure_roles()
        gov = Unit.objects.create(name=f"{PREFIX}区政府", code=f"{PREFIX}gov", kind=Unit.Kind.GOVERNMENT)
        units = [
            Unit.objects.create(name=f"{PREFIX}单位{i}", code=f"{PREFIX}u{i}", kind=Unit.Kind.DEPARTMENT)
            for i in range(40)
        ]
        deputy = User.objects.create(username=f"{PREFIX}deputy", full_name="测试副区长", unit=units[0])
        deputy.set_password("bench-Pass-2026")
        deputy.save()
        deputy.groups.add(*[g for r, g in ensure_roles().items() if r in (Role.DEPUTY_HEAD, Role.CLERK)])
        own = Post.objects.create(unit=gov, kind=Post.Kind.DEPUTY, title=f"{PREFIX}副区长")
        Appointment.objects.create(post=own, person=deputy, start=dt.date(2020, 1, 1))
        absent = []
        for i in range(2):  # two deputies away: the deputy acts for both (LEAVE-4)
            post = Post.objects.create(unit=gov, kind=Post.Kind.DEPUTY, title=f"{PREFIX}副区长{i}")
            holder = User.objects.create(username=f"{PREFIX}away{i}", unit=gov)
            Appointment.objects.create(post=post, person=holder, start=dt.date(2020, 1, 1))
            ActingArrangement.objects.create(
                absent_post=post,
                acting_post=own,
                start=self.today - dt.timedelta(days=1),
                end=self.today + dt.timedelta(days=5),
            )
            absent.append(post)
        others = [
            Post.objects.create(unit=units[i % 40], kind=Post.Kind.UNIT_HEAD, title=f"{PREFIX}局长{i}")
            for i in range(200)
        ]
        return {"deputy": deputy, "own": own, "absent": absent, "units": units, "others": others}

    def add_tasks(self, world: dict, start: int, count: int) -> None:
        """`count` open tasks; the first MINE reach the deputy (every kind of owner), the rest other posts and units."""
        ct = ContentType.objects.get_for_model(Unit)
        deputy, units = world["deputy"], world["units"]
        mine = [
            {"owner_post": world["own"]},
            {"owner_post": world["absent"][0]},
            {"owner_post": world["absent"][1]},
            {"owner_unit": units[0], "unit_scope": UnitScope.CLERKS},
            {"owner_role": str(Role.DEPUTY_HEAD)},
            {"owner_user": deputy},
        ]
        rows, clocks = [], []
        now = timezone.now()
        for i in range(start, start + count):
            if i < MINE:
                owner = mine[i % len(mine)]
            elif i % 2:
                owner = {"owner_post": world["others"][i % len(world["others"])]}
            else:
                owner = {"owner_unit": units[1 + i % 39], "unit_scope": UnitScope.STAFF}
            rows.append(
                Task(
                    subject_type=ct,
                    subject_id=1_000_000 + i,
                    subject_repr=f"{PREFIX}事项{i}",
                    url="/",
                    area=AREAS[i % len(AREAS)],
                    key=f"bench|{i}",
                    action="bench",
                    action_label="待办理",
                    rule_id="DOC-13",
                    urgency=i % 4,
                    opened_at=now,
                    **owner,
                )
            )
            if i % 3 == 0:  # a third of the steps have a clock
                due = self.today + dt.timedelta(days=(i % 20) - 5)
                clocks.append((len(rows) - 1, due))
            if len(rows) >= BATCH:
                self.flush(rows, clocks, ct)
                rows, clocks = [], []
        self.flush(rows, clocks, ct)

    def flush(self, rows, clocks, ct) -> None:
        deadlines = Deadline.objects.bulk_create(
            [
                Deadline(
                    subject_type=ct,
                    subject_id=str(rows[i].subject_id),
                    subject_repr=rows[i].subject_repr,
                    rule_id="DOC-13",
                    title="bench",
                    counted_from=due,
                    due=due,
                    remind_on=due,
                )
                for i, due in clocks
            ]
        )
        for (i, _due), d in zip(clocks, deadlines, strict=True):
            rows[i].deadline_id = d.pk
        Task.objects.bulk_create(rows)

    def measure(self, deputy, requests: int) -> tuple[float, float, int, int]:
        client = Client()
        client.force_login(deputy)
        url = reverse("workflow:queue")
        client.get(url)  # warm the calendar and the connection
        times = []
        for _ in range(requests):
            t0 = time.perf_counter()
            response = client.get(url)
            times.append((time.perf_counter() - t0) * 1000)
            assert response.status_code == 200
        with CaptureQueriesContext(connection) as ctx:
            response = client.get(url)
        times.sort()
        p95 = times[max(0, int(len(times) * 0.95) - 1)]
        return statistics.median(times), p95, len(ctx.captured_queries), response.context["total"]

    def cleanup(self) -> None:
        with transaction.atomic():
            Task.objects.filter(key__startswith="bench|").delete()
            Deadline.objects.filter(subject_repr__startswith=PREFIX).delete()
            ActingArrangement.objects.filter(acting_post__title__startswith=PREFIX).delete()
            Appointment.objects.filter(post__title__startswith=PREFIX).delete()
            Post.objects.filter(title__startswith=PREFIX).delete()
            User.objects.filter(username__startswith=PREFIX).delete()
            Unit.objects.filter(code__startswith=PREFIX).delete()

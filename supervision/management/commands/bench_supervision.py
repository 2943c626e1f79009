"""Benchmark of the supervision ledger (issue 4, speed): the ledger page's server time at 1,000 and 50,000 items,
logged in as an office user (sees everything) and as a unit clerk (sees the items their unit leads or cooperates
on), p50/p95 and query count; and the .xlsx export of every row: seconds, tracemalloc peak and RSS growth.

Benchmark rows are bulk-inserted (no services: the point is volume, not the workflow) under units whose code
starts with "bench-", and removed at the end. It refuses to run on a database holding other supervision items
unless --force is given.

    DATABASE_URL=postgres://… .venv/bin/python manage.py bench_supervision [--sizes 1000,50000] [--repeat 30]

The page is timed at every size side by side: the database is copied at each smaller size (CREATE DATABASE
<name>_n<size> TEMPLATE <name>, dropped at the end) and the visits go to each size in turn, so that a shared box
that runs slower or faster for a while (by a third within minutes) weighs on every size alike and the ratio is the
ledger's own. --one-after-another times each size right after building it, in this database, as before.
"""

from __future__ import annotations

import datetime as dt
import gc
import os
import resource
import statistics
import time
import tracemalloc

from django.contrib.auth.models import Group
from django.core.management.base import BaseCommand, CommandError
from django.db import DEFAULT_DB_ALIAS, connection, connections, transaction
from django.test import Client
from django.test.utils import (
    override_settings,
    setup_test_environment,
    teardown_test_environment,
)
from django.urls import reverse
from django.utils import timezone

from supervision.models import ItemState, Kind, ReportCycle, Source, SupervisionItem
from tiexi_gov.benchkit import copy_database, drop_database, on_database
from tiexi_gov.org.models import Appointment, Portfolio, Post, Unit, User
from tiexi_gov.org.roles import Role

PREFIX = "bench-"
BATCH = 5000
UNITS = 20
YEAR = 3000  # item numbers never collide with real ones
ST = ItemState
# A plausible mix: most items are being worked on, some closed, a few drafts and cancelled ones.
STATES = (
    [ST.DRAFT] * 2
    + [ST.ASSIGNED] * 3
    + [ST.ACCEPTED] * 4
    + [ST.IN_PROGRESS] * 6
    + [ST.CLAIMED]
    + [ST.CLOSED_ON_TIME] * 2
    + [ST.CLOSED_LATE]
    + [ST.CANCELLED]
)
SOURCES = [Source.GOVERNMENT_DECISION, Source.MEETING_DECISION, Source.LEADER_INSTRUCTION, Source.PUBLIC_INQUIRY]
TASKS = [
    "推进老旧小区改造工程，完成外墙保温、管网更新和绿化提升",
    "落实优化营商环境重点任务，压缩企业开办时间",
    "开展安全生产大排查大整治，消除重大事故隐患",
    "加快重点项目建设进度，确保按期竣工投产",
    "做好冬季供暖保障，及时处置群众反映的供热问题",
]


def _reset_hwm() -> bool:
    """Reset the process's peak RSS (Linux: write 5 to clear_refs) so the next peak is the export's own."""
    try:
        with open("/proc/self/clear_refs", "w") as f:
            f.write("5")
        return True
    except OSError:
        return False


def _pct(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[max(0, round(q * len(ordered)) - 1)]


class Command(BaseCommand):
    help = "Measure the supervision ledger page and its .xlsx export at 1,000 and 50,000 items."

    def add_arguments(self, parser):
        parser.add_argument("--sizes", default="1000,50000", help="comma-separated numbers of items")
        parser.add_argument("--repeat", type=int, default=50, help="timed requests per user and size")
        parser.add_argument("--force", action="store_true", help="run even if the database holds other items")
        parser.add_argument("--keep", action="store_true", help="do not delete the benchmark rows at the end")
        parser.add_argument("--no-export", action="store_true", help="skip the export measurement")
        parser.add_argument(
            "--one-after-another",
            action="store_true",
            help="time each size right after building it, in this database (no copies; the box's drift shows)",
        )

    def handle(self, *args, **opts):
        if connection.vendor != "postgresql":
            raise CommandError("bench_supervision runs on PostgreSQL (DATABASE_URL=postgres://…).")
        others = SupervisionItem.objects.exclude(lead_unit__code__startswith=PREFIX).count()
        if others and not opts["force"]:
            raise CommandError(
                f"Refusing to run: database {connection.settings_dict['NAME']!r} holds {others} real supervision "
                "items (use a scratch database, or --force to add and then remove benchmark rows beside them)."
            )
        sizes = sorted(int(x) for x in opts["sizes"].split(",") if x.strip())
        if not sizes or sizes[0] <= 0:
            raise CommandError("--sizes must list positive numbers, e.g. 1000,50000")
        self.today = timezone.localdate()
        self.cleanup()
        setup_test_environment()  # lets the test client run against this (non-test) database
        # As in production (no per-query logging), and every visit drawn: the page cache would otherwise serve the
        # timed visits from memory, which measures the cache, not the ledger at this size.
        no_debug = override_settings(DEBUG=False, PAGE_CACHE_SECONDS=0)
        no_debug.enable()
        page, export = {}, {}
        snapshots: dict = {}  # size → a connection to a copy of the database at that size (side by side)
        try:
            world = self.build_world()
            built = 0
            for size in sizes:
                t0 = time.perf_counter()
                self.add_items(world, built, size - built)
                built = size
                with connection.cursor() as cur:
                    cur.execute(
                        "VACUUM ANALYZE supervision_supervisionitem"
                        if connection.get_autocommit()
                        else "ANALYZE supervision_supervisionitem"
                    )
                    cur.execute("ANALYZE supervision_supervisionitem_cooperating_units")
                self.stdout.write(f"built {size:,} items in {time.perf_counter() - t0:.1f}s")
                if size != sizes[-1] and not opts["one_after_another"]:
                    snapshots[size] = self.snapshot(size)
                if opts["one_after_another"]:
                    for who in ("office", "clerk"):
                        page[size, who] = self.measure_page(world[who], opts["repeat"])
                        self.say_page(size, who, page[size, who])
                if not opts["no_export"]:
                    export[size] = self.measure_export(world["office"])
                    secs, peak, rss, mb, rows = export[size]
                    self.stdout.write(
                        f"  export of {rows:,} rows: {secs:.2f}s, tracemalloc peak {peak:.1f} MB, "
                        f"peak RSS growth {rss:.1f} MB, file {mb:.1f} MB"
                    )
            if not opts["one_after_another"]:
                sides = {**snapshots, sizes[-1]: connections[DEFAULT_DB_ALIAS]}
                for who in ("office", "clerk"):
                    page.update(self.measure_side_by_side(sides, world[who], who, opts["repeat"]))
                    for size in sides:
                        self.say_page(size, who, page[size, who])
        finally:
            no_debug.disable()
            teardown_test_environment()
            for database in snapshots.values():
                drop_database(database)
            if not opts["keep"]:
                self.cleanup()
        self.report(sizes, page, export)

    # --- data ------------------------------------------------------------------------------------------

    @transaction.atomic
    def build_world(self) -> dict:
        gov = Unit.objects.create(name="基准测试区政府", code=f"{PREFIX}gov", kind=Unit.Kind.GOVERNMENT)
        office = Unit.objects.create(name="基准测试区政府办公室", code=f"{PREFIX}office", kind=Unit.Kind.OFFICE)
        units = [
            Unit.objects.create(name=f"基准测试局{i}", short_name=f"基准局{i}", code=f"{PREFIX}u{i}", order=i)
            for i in range(UNITS)
        ]
        staff = User.objects.create_user(username=f"{PREFIX}staff", unit=office, full_name="基准督查员")
        staff.groups.add(Group.objects.get_or_create(name=str(Role.OFFICE_STAFF))[0])
        clerk = User.objects.create_user(username=f"{PREFIX}clerk", unit=units[0], full_name="基准文书")
        clerk.groups.add(Group.objects.get_or_create(name=str(Role.CLERK))[0])
        start = self.today.replace(year=self.today.year - 1)
        posts = []
        for i in range(6):
            person = User.objects.create_user(username=f"{PREFIX}dep{i}", unit=gov, full_name=f"基准副区长{i}")
            person.groups.add(Group.objects.get_or_create(name=str(Role.DEPUTY_HEAD))[0])
            post = Post.objects.create(kind=Post.Kind.DEPUTY, unit=gov, title=f"基准副区长{i}", order=i)
            Appointment.objects.create(post=post, person=person, start=start)
            posts.append(post)
        for i, unit in enumerate(units):
            Portfolio.objects.create(post=posts[i % len(posts)], unit=unit, start=start)
        return {"units": units, "office_unit": office, "office": staff, "clerk": clerk, "posts": posts}

    def add_items(self, world, offset: int, count: int) -> None:
        today, units, posts = self.today, world["units"], world["posts"]
        through = SupervisionItem.cooperating_units.through
        kinds, cycles = list(Kind.values), list(ReportCycle.values)
        done = 0
        while done < count:
            n = min(BATCH, count - done)
            batch = []
            for k in range(n):
                i = offset + done + k
                state = STATES[i % len(STATES)]
                working = state in (ST.ACCEPTED, ST.IN_PROGRESS)
                due = today + dt.timedelta(days=(i * 7919) % 400 - 150)
                batch.append(
                    SupervisionItem(
                        year=YEAR,
                        seq=i + 1,
                        number=f"基准督〔{YEAR}〕{i + 1}号",
                        source=SOURCES[i % len(SOURCES)],
                        source_ref=f"基准文号{i}" if i % 3 == 0 else "",
                        task=f"{TASKS[i % len(TASKS)]}（第{i}项）",
                        kind=kinds[i % len(kinds)],
                        cycle=cycles[i % len(cycles)],
                        lead_unit=units[i % UNITS],
                        leader_post=posts[i % len(posts)],
                        due=due,
                        standard="按期完成并通过复查核验，群众满意率达到90%以上",
                        period_start=due - dt.timedelta(days=180),
                        supervising_unit=world["office_unit"],
                        state=state,
                        percent=(i * 37) % 101 if working else 0,
                        progress_text="已完成阶段性任务，正在推进下一步工作" if working else "",
                        behind_plan=working and i % 17 == 0,
                        next_report_due=today + dt.timedelta(days=i % 60 - 15) if working else None,
                        assigned_on=due - dt.timedelta(days=150) if state != ST.DRAFT else None,
                        created_by=world["office"],
                    )
                )
            SupervisionItem.objects.bulk_create(batch, batch_size=BATCH)
            links = []
            for item in batch:
                i = item.seq - 1
                for step in (3, 7):  # two cooperating units each, never the lead unit
                    links.append(through(supervisionitem_id=item.pk, unit_id=units[(i + step) % UNITS].pk))
            through.objects.bulk_create(links, batch_size=BATCH)
            done += n

    # --- measure -----------------------------------------------------------------------------------------

    def snapshot(self, size: int):
        """A copy of the database at this size, for the page to be timed at every size side by side at the end."""
        copy = copy_database(f"{connection.settings_dict['NAME']}_n{size}")
        self.stdout.write(f"  copied the database at {size:,} items into {copy.settings_dict['NAME']}")
        return copy

    def say_page(self, size: int, who: str, measured) -> None:
        p50, p95, queries, rows = measured
        self.stdout.write(
            f"  ledger as {who:6} at {size:>7,}: p50 {p50:6.1f} ms  p95 {p95:6.1f} ms  "
            f"{queries} queries  ({rows:,} rows visible)"
        )

    def measure_side_by_side(self, sides: dict, user, who: str, repeat: int) -> dict:
        """The ledger at every size, one visit per size in turn (the order alternating), so that a box that runs
        slower or faster for a while weighs on every size alike: the ratios are the ledger's own."""
        url = reverse("supervision:ledger")
        clients, probes, times = {}, {}, {size: [] for size in sides}
        for size, database in sides.items():
            with on_database(database):
                clients[size] = Client()
                clients[size].force_login(user)
                probes[size] = self.probe(clients[size], url)
        for i in range(repeat):
            for size in sorted(sides, reverse=bool(i % 2)):
                with on_database(sides[size]):
                    t0 = time.perf_counter()
                    response = clients[size].get(url)
                    times[size].append((time.perf_counter() - t0) * 1000)
                    assert response.status_code == 200
        for size, database in sides.items():
            with on_database(database):
                clients[size].logout()
        return {(size, who): (statistics.median(times[size]), _pct(times[size], 0.95), *probes[size]) for size in sides}

    def probe(self, client, url) -> tuple[int, int]:
        """(queries, rows visible) of the ledger, after warming visits (calendar index, templates, connection)."""
        for _ in range(3):
            response = client.get(url)
            assert response.status_code == 200, response.status_code
        executed = []

        def count(execute, sql, params, many, context):
            executed.append(sql)
            return execute(sql, params, many, context)

        with connection.execute_wrapper(count):
            response = client.get(url)
        return len(executed), response.context["page"].paginator.count

    def measure_page(self, user, repeat: int) -> tuple[float, float, int, int]:
        client = Client()
        client.force_login(user)
        url = reverse("supervision:ledger")
        queries, rows = self.probe(client, url)
        times = []
        for _ in range(repeat):
            t0 = time.perf_counter()
            response = client.get(url)
            times.append((time.perf_counter() - t0) * 1000)
            assert response.status_code == 200
        client.logout()
        return statistics.median(times), _pct(times, 0.95), queries, rows

    def _export_once(self, client, url) -> int:
        response = client.get(url)
        assert response.status_code == 200, response.status_code
        size = 0
        for chunk in response.streaming_content:  # consume like a socket would: chunk by chunk, never joined
            size += len(chunk)
        response.close()
        return size

    def measure_export(self, user) -> tuple[float, float, float, float, int]:
        client = Client()
        client.force_login(user)
        url = reverse("supervision:ledger_export")
        rows = SupervisionItem.objects.count()
        gc.collect()
        # 1) time, without tracing
        t0 = time.perf_counter()
        size = self._export_once(client, url)
        secs = time.perf_counter() - t0
        # 2) memory: the growth of the process's peak RSS during one export. The peak is reset first (Linux:
        #    clear_refs), else it would still be the one reached while the rows were being built.
        gc.collect()
        self.hwm_reset = _reset_hwm()
        before = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
        self._export_once(client, url)
        rss_growth = (resource.getrusage(resource.RUSAGE_SELF).ru_maxrss - before) / 1024
        gc.collect()
        tracemalloc.start()
        self._export_once(client, url)
        _current, peak = tracemalloc.get_traced_memory()
        tracemalloc.stop()
        client.logout()
        return secs, peak / 2**20, rss_growth, size / 2**20, rows

    # --- report ------------------------------------------------------------------------------------------

    def report(self, sizes, page, export) -> None:
        self.stdout.write("")
        self.stdout.write("ledger page (server time via django.test.Client, 50 rows a page)")
        self.stdout.write(f"{'items':>8} {'user':>7} {'p50 ms':>8} {'p95 ms':>8} {'queries':>8} {'visible':>8}")
        for size in sizes:
            for who in ("office", "clerk"):
                p50, p95, q, rows = page[size, who]
                self.stdout.write(f"{size:>8,} {who:>7} {p50:>8.1f} {p95:>8.1f} {q:>8} {rows:>8,}")
        if len(sizes) >= 2:
            small, large = sizes[0], sizes[-1]
            for who in ("office", "clerk"):
                ratio = page[large, who][1] / page[small, who][1]
                median_ratio = page[large, who][0] / page[small, who][0]
                same_q = page[large, who][2] == page[small, who][2]
                self.stdout.write(
                    f"{who}: p95 {large:,} / {small:,} = {ratio:.2f} (target <= 1.5) "
                    f"{'OK' if ratio <= 1.5 else 'MISSED'}; p50 ratio {median_ratio:.2f}; "
                    f"queries {'constant' if same_q else 'NOT constant'}"
                )
        if export:
            self.stdout.write("")
            self.stdout.write("export of every row as .xlsx (write-only workbook, streamed from a temporary file)")
            self.stdout.write(
                f"{'rows':>8} {'seconds':>8} {'tracemalloc peak MB':>20} {'RSS growth MB':>14} {'file MB':>8}"
            )
            for size in sizes:
                secs, peak, rss, mb, rows = export[size]
                self.stdout.write(f"{rows:>8,} {secs:>8.2f} {peak:>20.1f} {rss:>14.1f} {mb:>8.1f}")
            if not getattr(self, "hwm_reset", True):
                self.stdout.write("(peak RSS could not be reset here: RSS growth is relative to the build's peak)")
        with connection.cursor() as cur:
            cur.execute(
                "SELECT indexname FROM pg_indexes WHERE tablename = 'supervision_supervisionitem' ORDER BY indexname"
            )
            names = ", ".join(r[0] for r in cur.fetchall())
        self.stdout.write(f"indexes on supervision_supervisionitem: {names}")
        self.stdout.write(f"(pid {os.getpid()}, PostgreSQL {connection.pg_version}, today {self.today})")

    # --- cleanup -----------------------------------------------------------------------------------------

    def cleanup(self) -> None:
        """Remove every benchmark row (raw deletes: 50,000 rows through the ORM collector would take minutes)."""
        like = [PREFIX + "%"]
        units = "SELECT id FROM org_unit WHERE code LIKE %s"
        items = f"SELECT id FROM supervision_supervisionitem WHERE lead_unit_id IN ({units})"
        with transaction.atomic(), connection.cursor() as cur:
            for table in ("supervision_supervisionitem_cooperating_units", "supervision_supervisionitem_joint_units"):
                cur.execute(f"DELETE FROM {table} WHERE supervisionitem_id IN ({items})", like)
            cur.execute(f"DELETE FROM supervision_supervisionitem WHERE id IN ({items})", like)
        Portfolio.objects.filter(unit__code__startswith=PREFIX).delete()
        Appointment.objects.filter(person__username__startswith=PREFIX).delete()
        Post.objects.filter(unit__code__startswith=PREFIX).delete()
        User.objects.filter(username__startswith=PREFIX).delete()
        Unit.objects.filter(code__startswith=PREFIX).delete()

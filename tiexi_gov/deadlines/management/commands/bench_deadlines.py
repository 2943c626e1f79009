"""Benchmark the deadline sweep on PostgreSQL (issue 2, "Speed"): cost follows the due rows, not the table.

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/bench_deadlines python manage.py migrate
    DATABASE_URL=postgres://postgres@127.0.0.1:5432/bench_deadlines python manage.py bench_deadlines

For each size (--small, then --open) it inserts that many open deadlines of which --due are due for a
reminder today (spread evenly through the table), runs VACUUM ANALYZE, prints EXPLAIN (ANALYZE, BUFFERS) of
the query that finds the due set, then times the whole sweep (claiming, owner resolution, 10,000 inbox
messages written in bulk, the after-commit e-mail pass). Finally it prints the large/small ratio.

Safety: it writes and then deletes its own rows only (a unit "bench-deadlines", users "bench-dl-*", their
deadlines and inbox messages), and runs only against a database whose name starts with "bench" unless
--yes is given. The sweep it runs is the real one: any other row due today in that database would be swept
too — which is why a separate bench database is the intended use.
"""

from __future__ import annotations

import statistics
import time

from django.contrib.contenttypes.models import ContentType
from django.core.management.base import BaseCommand, CommandError
from django.db import DatabaseError, connection, transaction
from django.utils import timezone

from tiexi_gov.deadlines import services
from tiexi_gov.deadlines.models import Deadline
from tiexi_gov.notify.models import Message
from tiexi_gov.org.models import Unit, User
from tiexi_gov.workdays import calendar as wd

BENCH_UNIT = "bench-deadlines"
USER_PREFIX = "bench-dl-"
N_USERS = 200

INSERT_SQL = """
INSERT INTO deadlines_deadline (
    subject_type_id, subject_id, subject_repr, url, rule_id, title, counted_from, workdays, due, remind_on,
    provisional, owner_user_id, state, created_at, close_note
)
SELECT %(ct)s, %(subject)s, '基准测试事项', '', 'DOC-13', '基准测试时限 ' || g, %(today)s::date, NULL,
       CASE WHEN g %% %(step)s = 0 THEN %(due_day)s::date ELSE %(today)s::date + 30 + (g %% 370) END,
       CASE WHEN g %% %(step)s = 0 THEN %(remind_day)s::date ELSE %(today)s::date + 29 + (g %% 370) END,
       false, (%(users)s::bigint[])[1 + g %% %(n_users)s], 'open', now(), ''
FROM generate_series(1, %(total)s) AS g
"""


class Command(BaseCommand):
    help = "在 PostgreSQL 上测试时限扫描性能（自建并删除测试数据；仅限名称以 bench 开头的数据库，或加 --yes）"

    def add_arguments(self, parser):
        parser.add_argument("--open", type=int, default=1_000_000, help="large run: open deadlines (default 1e6)")
        parser.add_argument("--due", type=int, default=10_000, help="of which due for a reminder today (10,000)")
        parser.add_argument("--small", type=int, default=20_000, help="small run: open deadlines (20,000)")
        parser.add_argument("--batch", type=int, default=services.BATCH_SIZE, help="sweep batch size")
        parser.add_argument("--yes", action="store_true", help="allow a database whose name does not start with bench")

    def handle(self, *args, **opts):
        if connection.vendor != "postgresql":
            raise CommandError("基准测试需要 PostgreSQL（请设置 DATABASE_URL）")
        name = connection.settings_dict["NAME"]
        if not name.startswith("bench") and not opts["yes"]:
            raise CommandError(f"数据库“{name}”名称不以 bench 开头：请使用单独的基准库，或确认后加 --yes")
        due, small, large = opts["due"], opts["small"], opts["open"]
        if not 0 < due <= small <= large:
            raise CommandError("需满足 0 < --due <= --small <= --open")

        self.today = timezone.localdate()
        self.due_day = wd.add_workdays(self.today, 1)
        self.remind_day = wd.subtract_workdays(self.due_day, 1)  # <= today whatever weekday it is
        self._setup()
        try:
            self._clear()
            timings = {}
            for label, total in (("small", small), ("large", large)):
                timings[label] = self._run(label, total, due, opts["batch"])
            ratio = timings["large"] / timings["small"]
            self.stdout.write("")
            self.stdout.write(
                f"sweep time: {large:,} open → {timings['large']:.2f} s; {small:,} open → {timings['small']:.2f} s; "
                f"ratio {ratio:.2f} (target ≤ 1.5)"
            )
        finally:
            self._clear()
            self._teardown()

    # --- data -------------------------------------------------------------------------------------------

    def _setup(self):
        self.unit, _ = Unit.objects.get_or_create(
            code=BENCH_UNIT, defaults={"name": "基准测试单位", "kind": Unit.Kind.EXTERNAL, "active": False}
        )
        existing = set(User.objects.filter(username__startswith=USER_PREFIX).values_list("username", flat=True))
        fresh = [
            User(username=f"{USER_PREFIX}{i}", full_name=f"基准{i}", unit=self.unit, password="!", email="")
            for i in range(N_USERS)
            if f"{USER_PREFIX}{i}" not in existing
        ]
        User.objects.bulk_create(fresh)
        self.user_ids = list(
            User.objects.filter(username__startswith=USER_PREFIX).order_by("id").values_list("id", flat=True)
        )
        self.ct = ContentType.objects.get_for_model(Unit)

    def _clear(self):
        Message.objects.filter(recipient_id__in=self.user_ids).delete()
        with connection.cursor() as cur:
            cur.execute(
                "DELETE FROM deadlines_deadline WHERE owner_user_id = ANY(%s) AND subject_type_id = %s "
                "AND subject_id = %s",
                [self.user_ids, self.ct.pk, str(self.unit.pk)],
            )

    def _teardown(self):
        User.objects.filter(id__in=self.user_ids).delete()
        self.unit.delete()
        with connection.cursor() as cur:
            cur.execute("VACUUM ANALYZE deadlines_deadline")

    def _insert(self, total: int, due: int):
        started = time.perf_counter()
        with connection.cursor() as cur:
            cur.execute(
                INSERT_SQL,
                {
                    "ct": self.ct.pk,
                    "subject": str(self.unit.pk),
                    "today": self.today,
                    "due_day": self.due_day,
                    "remind_day": self.remind_day,
                    "step": max(total // due, 1),
                    "users": self.user_ids,
                    "n_users": len(self.user_ids),
                    "total": total,
                },
            )
            cur.execute("VACUUM ANALYZE deadlines_deadline")
            cur.execute("ANALYZE notify_message")
            try:  # write the insert's dirty pages now, not inside the timed sweep (needs superuser/pg_checkpoint)
                with transaction.atomic():
                    cur.execute("CHECKPOINT")
            except DatabaseError:
                pass
        return time.perf_counter() - started

    # --- measuring -------------------------------------------------------------------------------------------

    def _explain(self, qs, *, lock: bool):
        """EXPLAIN ANALYZE the query the sweep runs, plus its median time over five runs (rolled back)."""
        with transaction.atomic():
            query = qs.select_for_update(skip_locked=True) if lock else qs
            sql, params = query.query.get_compiler(connection=connection).as_sql()
            with connection.cursor() as cur:
                cur.execute("EXPLAIN (ANALYZE, BUFFERS) " + sql, params)
                plan = [row[0] for row in cur.fetchall()]
                times = []
                for _ in range(5):
                    t = time.perf_counter()
                    cur.execute(sql, params)
                    rows = len(cur.fetchall())
                    times.append((time.perf_counter() - t) * 1000)
            transaction.set_rollback(True)
        return plan, rows, statistics.median(times)

    def _run(self, label: str, total: int, due: int, batch: int) -> float:
        self._clear()
        w = self.stdout.write
        w("")
        w(f"=== {label}: {total:,} open deadlines, {due:,} due for a reminder on {self.today} ===")
        w(f"insert + VACUUM ANALYZE: {self._insert(total, due):.1f} s")
        open_rows = Deadline.objects.filter(state=Deadline.State.OPEN).count()
        w(f"open rows in the table: {open_rows:,}")

        due_set = services.remind_candidates(self.today).values_list("id", flat=True)
        plan, rows, ms = self._explain(due_set, lock=False)
        w(f"-- due set (all {rows:,} rows): median {ms:.1f} ms (target < 100 ms)")
        for line in plan:
            w("   " + line)
        plan, rows, ms = self._explain(due_set[:batch], lock=True)
        w(f"-- one sweep batch (LIMIT {batch}, FOR UPDATE SKIP LOCKED): {rows:,} rows, median {ms:.1f} ms")
        for line in plan:
            w("   " + line)
        plan, rows, ms = self._explain(
            services.escalate_candidates(self.today).values_list("id", flat=True), lock=False
        )
        w(f"-- overdue set: {rows:,} rows, median {ms:.1f} ms")
        for line in plan:
            w("   " + line)

        started = time.perf_counter()
        result = services.sweep(today=self.today, batch_size=batch)
        elapsed = time.perf_counter() - started
        messages = Message.objects.filter(recipient_id__in=self.user_ids, level=Message.Level.REMINDER).count()
        w(f"sweep: {elapsed:.2f} s (target < 10 s) → {result}; reminder messages in the inbox: {messages:,}")
        if result.reminded != due or messages != due:
            raise CommandError(f"expected {due} reminders, got {result.reminded} rows / {messages} messages")
        again = time.perf_counter()
        second = services.sweep(today=self.today, batch_size=batch)
        w(f"second sweep (nothing left to do): {(time.perf_counter() - again) * 1000:.0f} ms → {second}")
        return elapsed

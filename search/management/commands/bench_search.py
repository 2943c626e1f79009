"""Benchmark of the search (issue 15.2: p95 < 100 ms at 100,000 documents): server time of /search/?q=… for a few
words, as an office user (sees every submitted document) and as a unit clerk (sees their unit's), median and p95.

Rows are bulk-inserted under units whose code starts with "benchsearch-" and indexed in batches (bulk_create sends
no post_save; the point is volume), then removed. Refuses to run unless the database name starts with "bench"."""

from __future__ import annotations

import random
import statistics
import time
from pathlib import Path

from django.conf import settings
from django.contrib.auth.models import Group
from django.core.management.base import BaseCommand, CommandError
from django.db import connection, transaction
from django.test import Client
from django.test.utils import setup_test_environment, teardown_test_environment
from django.urls import reverse
from django.utils import timezone

from documents.models import Disclosure, Submission, SubmissionState, Urgency
from search import services
from search.models import SearchEntry
from search.sources import BY_KIND
from tiexi_gov.org.models import Unit, User
from tiexi_gov.org.roles import Role

PREFIX = "benchsearch-"
BATCH = 2000
KINDS = ["请示", "报告", "函"]
SHORT = ["财", "发改", "教", "民", "卫", "住建", "交", "农", "商", "应急"]
VOCABULARY = 6000  # the most frequent 2–4 character words of jieba's dictionary: a district's real vocabulary
# Words of different frequency (hits per word are printed), two-word queries and a number fragment.
WORDS = ["工作", "维修", "资金", "供暖", "维修资金", "安全生产", "财〔2026〕12"]


def vocabulary() -> tuple[list[str], list[float]]:
    """Chinese words with Zipf-like weights, read from jieba's own dictionary (no data set to download)."""
    import jieba

    rows = []
    with open(Path(jieba.__file__).with_name("dict.txt"), encoding="utf-8") as f:
        for line in f:
            word, freq, *_ = line.split()
            if 2 <= len(word) <= 4 and all("\u4e00" <= ch <= "\u9fff" for ch in word):
                rows.append((int(freq), word))
    rows.sort(reverse=True)
    rows = rows[:VOCABULARY]
    for must in ("维修", "资金", "供暖", "安全生产"):
        if must not in {w for _, w in rows}:
            rows.append((rows[len(rows) // 2][0], must))
    return [w for _, w in rows], [f**0.5 for f, _ in rows]


class Command(BaseCommand):
    help = "Measure /search/ at 100,000 documents as an office user and as a unit clerk (PostgreSQL)."

    def add_arguments(self, parser):
        parser.add_argument("--size", type=int, default=100_000)
        parser.add_argument("--requests", type=int, default=60, help="requests per role")
        parser.add_argument("--keep", action="store_true", help="keep the rows (a second run reuses them)")
        parser.add_argument("--fresh", action="store_true", help="delete kept rows first and build them again")

    def handle(self, *args, **opts):
        name = str(settings.DATABASES["default"]["NAME"] or "")
        if connection.vendor != "postgresql":
            raise CommandError("bench_search runs on PostgreSQL (DATABASE_URL=postgres://…).")
        if not name.startswith("bench"):
            raise CommandError(f"Refusing to write benchmark rows into database {name!r}: use a bench* database.")
        setup_test_environment()
        if opts["fresh"]:
            self.cleanup()
        try:
            world = self.world()
            have = Submission.objects.filter(unit__code__startswith=PREFIX).count()
            if have < opts["size"]:
                t0 = time.perf_counter()
                self.add(world, have, opts["size"] - have)
                with connection.cursor() as cur:
                    # VACUUM as autovacuum would: the rows of an earlier run, deleted, still sit in the GIN index.
                    cur.execute("VACUUM ANALYZE documents_submission")
                    cur.execute("VACUUM ANALYZE search_searchentry")
                self.stdout.write(
                    f"built and indexed {opts['size'] - have:,} documents in {time.perf_counter() - t0:.0f} s"
                )
            total = SearchEntry.objects.count()
            self.stdout.write(f"search entries: {total:,}")
            worst = 0.0
            for label, user in (("office staff", world["office"]), ("unit clerk", world["clerk"])):
                p50, p95, counts = self.measure(user, opts["requests"])
                worst = max(worst, p95)
                self.stdout.write(f"  {label:12}: p50 {p50:.1f} ms, p95 {p95:.1f} ms   hits per word: {counts}")
            self.stdout.write(f"p95 < 100 ms: {'OK' if worst < 100 else 'MISSED'} (worst p95 {worst:.1f} ms)")
        finally:
            teardown_test_environment()
            if not opts["keep"]:
                self.cleanup()

    @transaction.atomic
    def world(self) -> dict:
        office_unit, _ = Unit.objects.get_or_create(
            code=f"{PREFIX}office", defaults={"name": "基准检索办公室", "kind": Unit.Kind.OFFICE}
        )
        units = [
            Unit.objects.get_or_create(code=f"{PREFIX}u{i}", defaults={"name": f"基准检索局{i}"})[0] for i in range(40)
        ]

        def person(username, unit, role):
            user, _ = User.objects.get_or_create(
                username=f"{PREFIX}{username}", defaults={"unit": unit, "full_name": username}
            )
            user.groups.add(Group.objects.get_or_create(name=str(role))[0])
            return user

        return {
            "units": units,
            "office": person("staff", office_unit, Role.OFFICE_STAFF),
            "clerk": person("clerk", units[0], Role.CLERK),
        }

    def add(self, world, offset: int, count: int) -> None:
        rnd = random.Random(15_2 + offset)
        words, weights = vocabulary()

        def some(n):
            return "".join(rnd.choices(words, weights, k=n))

        units, clerk = world["units"], world["clerk"]
        now = timezone.now()
        source = BY_KIND["submission"]
        done = 0
        while done < count:
            n = min(BATCH, count - done)
            subs = []
            for k in range(n):
                i = offset + done + k
                title = f"关于{some(rnd.randint(2, 4))}的{rnd.choice(KINDS)}"
                body = "，".join(some(rnd.randint(3, 6)) for _ in range(rnd.randint(4, 10))) + "。"
                submitted = i % 3 != 0
                subs.append(
                    Submission(
                        unit=units[i % len(units)],
                        title=title[:200],
                        body=body,
                        unit_doc_number=f"铁西{rnd.choice(SHORT)}〔2026〕{i % 500 + 1}号",
                        drafted_by=clerk,
                        urgency=Urgency.NORMAL,
                        disclosure=Disclosure.FULL,
                        state=SubmissionState.SUBMITTED if submitted else SubmissionState.DRAFTING,
                        submitted_at=now if submitted else None,
                        issue_date=now.date(),
                        not_classified=True,
                        declares_one_matter=True,
                    )
                )
            with transaction.atomic():
                Submission.objects.bulk_create(subs, batch_size=BATCH)
                services.index_objects(subs, source=source)
            done += n
            if done % 20_000 == 0 or done == count:
                self.stdout.write(f"  {done:,} / {count:,}")

    def measure(self, user, requests: int):
        client = Client()
        client.force_login(user)
        url = reverse("search:results")
        counts = {}
        for word in WORDS:  # warm-up, and the number of hits each word has for this user
            response = client.get(url, {"q": word})
            assert response.status_code == 200, response.status_code
            counts[word] = response.context["page"].paginator.count
        times = []
        for r in range(requests):
            t0 = time.perf_counter()
            response = client.get(url, {"q": WORDS[r % len(WORDS)]})
            times.append((time.perf_counter() - t0) * 1000)
            assert response.status_code == 200
        times.sort()
        return statistics.median(times), times[max(0, round(0.95 * len(times)) - 1)], counts

    def cleanup(self) -> None:
        """Raw deletes (100,000 rows through the ORM collector would take minutes)."""
        with transaction.atomic(), connection.cursor() as cur:
            like = [PREFIX + "%"]
            subs = "SELECT s.id FROM documents_submission s JOIN org_unit u ON u.id = s.unit_id WHERE u.code LIKE %s"
            cur.execute(f"DELETE FROM search_searchentry WHERE kind = 'submission' AND object_id IN ({subs})", like)
            cur.execute(f"DELETE FROM documents_submission WHERE id IN ({subs})", like)
        User.objects.filter(username__startswith=PREFIX).delete()
        Unit.objects.filter(code__startswith=PREFIX).delete()

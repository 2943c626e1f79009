"""`manage.py bench_workdays`: the cached index against a naive day-by-day loop (issue 2, speed).

Not a test: prints a table. Uses random days in 2020-2026 (kept clear of the provisional 2027 so the run
alerts nobody and the naive loop, which only knows chinesecalendar's years, can answer too).
"""

import datetime as dt
import random
import statistics
import time
import unicodedata

import chinese_calendar
from django.core.management.base import BaseCommand
from django.db import connection, reset_queries
from django.test.utils import CaptureQueriesContext

from tiexi_gov.workdays import calendar


def naive_add_workdays(day: dt.date, n: int) -> dt.date:
    """What the index replaces: walk day by day asking chinesecalendar."""
    while n > 0:
        day += dt.timedelta(days=1)
        if chinese_calendar.is_workday(day):
            n -= 1
    return day


def _w(text: str) -> int:
    return sum(2 if unicodedata.east_asian_width(c) in "WF" else 1 for c in text)


def _row(*cells) -> str:
    """Columns padded by display width (a Chinese character takes two): (text, width, '<' or '>')."""
    out = []
    for text, width, align in cells:
        pad = " " * max(0, width - _w(text))
        out.append(text + pad if align == "<" else pad + text)
    return "".join(out)


def _median_ns(fn, days, n):
    timer = time.perf_counter_ns
    samples = []
    for d in days:
        t0 = timer()
        fn(d, n)
        samples.append(timer() - t0)
    return statistics.median(samples)


class Command(BaseCommand):
    help = "工作日计算基准：缓存索引 vs 逐日循环 chinese_calendar.is_workday"

    def add_arguments(self, parser):
        parser.add_argument("--calls", type=int, default=20000, help="缓存索引的调用次数")
        parser.add_argument("--naive-calls", type=int, default=2000, help="逐日循环的调用次数（较慢）")
        parser.add_argument("--n", type=int, default=10, help="工作日数 N")
        parser.add_argument("--seed", type=int, default=2026)

    def handle(self, *args, calls, naive_calls, n, seed, **options):
        rng = random.Random(seed)
        lo, hi = dt.date(2020, 1, 1).toordinal(), dt.date(2026, 11, 30).toordinal()
        days = [dt.date.fromordinal(rng.randint(lo, hi)) for _ in range(calls)]
        years = range(2020, 2027)

        # Cold: one year's index from chinesecalendar + that year's overrides (DB), per year.
        cold = []
        for year in [*years, 2027]:
            with CaptureQueriesContext(connection) as ctx:
                t0 = time.perf_counter_ns()
                idx = calendar.build_index(year)
                cold.append((year, (time.perf_counter_ns() - t0) / 1e6, len(ctx.captured_queries), idx))
        reset_queries()

        calendar.invalidate()
        for year in years:
            calendar.year_index(year)
        # Warm-up pass, then measure.
        for d in days[:1000]:
            calendar.add_workdays(d, n)
        with CaptureQueriesContext(connection) as ctx:
            fast = _median_ns(calendar.add_workdays, days, n)
            t0 = time.perf_counter_ns()
            for d in days:
                calendar.add_workdays(d, n)
            fast_mean = (time.perf_counter_ns() - t0) / len(days)
        warm_queries = len(ctx.captured_queries)

        naive_days = days[:naive_calls]
        naive = _median_ns(naive_add_workdays, naive_days, n)
        mismatches = sum(calendar.add_workdays(d, n) != naive_add_workdays(d, n) for d in naive_days)

        out = self.stdout.write
        out(f"add_workdays(d, {n})，d 为 2020-01-01..2026-11-30 间随机日期（seed={seed}）")
        out("")
        out(_row(("方法", 40, "<"), ("调用次数", 10, ">"), ("中位数 µs/次", 16, ">"), ("平均 µs/次", 14, ">")))
        out("-" * 80)
        out(
            _row(
                ("缓存索引 calendar.add_workdays", 40, "<"),
                (str(len(days)), 10, ">"),
                (f"{fast / 1000:.2f}", 16, ">"),
                (f"{fast_mean / 1000:.2f}", 14, ">"),
            )
        )
        out(
            _row(
                ("逐日循环 chinese_calendar.is_workday", 40, "<"),
                (str(len(naive_days)), 10, ">"),
                (f"{naive / 1000:.2f}", 16, ">"),
            )
        )
        out("-" * 80)
        out(f"倍数（逐日循环中位数 / 缓存索引中位数）：{naive / fast:.1f}×（目标 ≥ 10×）")
        out(f"热缓存计时期间的 SQL 查询数：{warm_queries}")
        out(f"两种算法结果不一致的日期数：{mismatches}（有 WorkdayOverride 调整时可能非零）")
        out("")
        out("冷索引构建（每年：chinesecalendar 表 + 该年调整记录）")
        out(
            _row(
                ("年份", 8, "<"),
                ("耗时 ms", 10, ">"),
                ("SQL", 6, ">"),
                ("工作日", 8, ">"),
                ("调整", 6, ">"),
                ("  状态", 0, "<"),
            )
        )
        for year, ms, queries, idx in cold:
            state = "chinesecalendar" if idx.covered else ("已录入" if idx.official else "暂定")
            out(
                _row(
                    (str(year), 8, "<"),
                    (f"{ms:.2f}", 10, ">"),
                    (str(queries), 6, ">"),
                    (str(len(idx)), 8, ">"),
                    (str(idx.override_count), 6, ">"),
                    ("  " + state, 0, "<"),
                )
            )

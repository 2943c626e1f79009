"""Working-day arithmetic on the PRC official calendar (CAL-1..3).

Each year gets a cached index: a sorted list of its working-day ordinals plus a 0/1 flag per day. Every call
is a bisect or a lookup in those lists (O(log n)); crossing a year boundary steps one year at a time using the
year's count, so a deadline of a few weeks costs at most two indexes. The data is chinesecalendar for the years
it covers, the office's `WorkdayOverride` rows on top; a year neither covered by chinesecalendar nor entered
as a `CalendarYear` is provisional: Monday to Friday plus any overrides (CAL-2), and the calendar admins are
alerted when a computation touches it.

Caching: one dict per process, each index expires after `CACHE_TTL` seconds so other processes (web, worker)
pick up edits; saves and deletes of overrides/years in this process drop the affected years at once (see
signals.py). While the current transaction holds uncommitted calendar edits, the affected years are built into
a transaction-local cache only, so a rollback can never leave a wrong index behind for other requests.
"""

from __future__ import annotations

import datetime as dt
import logging
import threading
import time
from bisect import bisect_left, bisect_right
from collections.abc import Iterable
from dataclasses import dataclass, field

import chinese_calendar
from django.db import DatabaseError, connection, transaction

from tiexi_gov.notify.models import Message
from tiexi_gov.notify.services import notify
from tiexi_gov.org.models import User
from tiexi_gov.org.roles import Role, users_with_role

from .models import CalendarYear, WorkdayOverride

logger = logging.getLogger(__name__)

CACHE_TTL = 60.0  # seconds an index lives before it is rebuilt from the database
ALERT_TTL = CACHE_TTL  # a provisional year's alert is re-attempted (idempotently, by key) after this long

_MIN_YEAR, _MAX_YEAR = dt.date.min.year, dt.date.max.year


def _covered_years() -> frozenset[int]:
    """Years chinesecalendar has data for (1.11.0: 2004-2026); probed, so an upgrade widens it by itself."""
    years = {d.year for d in chinese_calendar.holidays} | {d.year for d in chinese_calendar.workdays}
    covered = set()
    for year in years:
        try:
            chinese_calendar.is_workday(dt.date(year, 1, 1))
        except NotImplementedError:
            continue
        covered.add(year)
    return frozenset(covered)


COVERED_YEARS: frozenset[int] = _covered_years()


@dataclass(frozen=True, slots=True)
class YearIndex:
    year: int
    official: bool
    covered: bool  # chinesecalendar has the year
    first_ord: int  # ordinal of 1 January
    flags: bytes  # flags[i] == 1 if day first_ord + i is a working day
    ords: tuple[int, ...]  # sorted ordinals of the working days
    override_count: int
    built_at: float = field(compare=False)

    @property
    def provisional(self) -> bool:
        return not self.official

    def __len__(self) -> int:
        return len(self.ords)


class CommitMarker:
    """An on-commit hook that also tells whether its transaction is still open.

    Django clears `connection.run_on_commit` when the transaction commits or rolls back and drops the hooks of a
    rolled-back savepoint, so "my hook is still queued" means "the writes made with it are still pending and
    still visible to this connection". (Atomic blocks cannot serve as the token: @transaction.atomic reuses
    one instance for every call.)
    """

    __slots__ = ("func", "ref", "pos")

    def __init__(self, func):
        self.func = func
        transaction.on_commit(func)
        self.ref = connection.run_on_commit
        self.pos = len(self.ref) - 1

    def alive(self) -> bool:
        if not connection.in_atomic_block:
            return False
        hooks = connection.run_on_commit
        if hooks is self.ref and self.pos < len(hooks) and hooks[self.pos][1] is self.func:
            return True
        for pos, entry in enumerate(hooks):
            if entry[1] is self.func:
                self.ref, self.pos = hooks, pos
                return True
        return False


class _Pending:
    """Calendar edits not yet committed by this thread's transaction (see module docstring)."""

    __slots__ = ("markers", "years", "indexes")

    def __init__(self):
        self.markers: list[CommitMarker] = []
        self.years: set[int] = set()
        self.indexes: dict[int, YearIndex] = {}


_cache: dict[int, YearIndex] = {}
_alerted: dict[int, tuple[float, CommitMarker | None]] = {}  # year -> (when, hook of the open transaction)
_local = threading.local()


# --------------------------------------------------------------------------------------------- index building


def _base_flags(year: int, covered: bool) -> bytearray:
    first = dt.date(year, 1, 1)
    days = (dt.date(year, 12, 31) - first).days + 1
    wd0 = first.weekday()
    flags = bytearray(1 if (wd0 + i) % 7 < 5 else 0 for i in range(days))
    if covered:
        # chinesecalendar.is_workday: in `workdays` -> work; weekday not in `holidays` -> work. Read its tables
        # directly (its own is_workday rescans the whole table for every call).
        first_ord = first.toordinal()
        for d in chinese_calendar.holidays:
            if d.year == year:
                flags[d.toordinal() - first_ord] = 0
        for d in chinese_calendar.workdays:
            if d.year == year:
                flags[d.toordinal() - first_ord] = 1
    return flags


def build_index(year: int) -> YearIndex:
    """Build one year's index from chinesecalendar and the database: one or two queries."""

    covered = year in COVERED_YEARS
    flags = _base_flags(year, covered)
    first = dt.date(year, 1, 1)
    first_ord = first.toordinal()
    overrides = list(
        WorkdayOverride.objects.filter(date__gte=first, date__lte=dt.date(year, 12, 31)).values_list(
            "date", "is_workday"
        )
    )
    for day, is_wd in overrides:
        flags[day.toordinal() - first_ord] = 1 if is_wd else 0
    official = covered or CalendarYear.objects.filter(year=year).exists()
    ords = tuple(first_ord + i for i, f in enumerate(flags) if f)
    return YearIndex(
        year=year,
        official=official,
        covered=covered,
        first_ord=first_ord,
        flags=bytes(flags),
        ords=ords,
        override_count=len(overrides),
        built_at=time.monotonic(),
    )


def _current_pending() -> _Pending | None:
    pending = getattr(_local, "pending", None)
    if pending is None:
        return None
    alive = [m for m in pending.markers if m.alive()]
    if not alive:
        # The transaction that made the edits has ended: committed (the hooks invalidated the cache) or rolled
        # back (the global cache never saw the edits). Either way the local view is obsolete.
        _local.pending = None
        return None
    if len(alive) != len(pending.markers):
        # A savepoint holding some edits was rolled back: rebuild from what the database now shows.
        pending.markers = alive
        pending.indexes.clear()
    return pending


def _index(year: int) -> YearIndex:
    if not _MIN_YEAR <= year <= _MAX_YEAR:
        raise OverflowError("日期超出可计算范围")
    pending = _current_pending() if getattr(_local, "pending", None) is not None else None
    if pending is not None and year in pending.years:
        idx = pending.indexes.get(year)
        if idx is None:
            idx = pending.indexes[year] = build_index(year)
    else:
        idx = _cache.get(year)
        if idx is None or time.monotonic() - idx.built_at > CACHE_TTL:
            idx = _cache[year] = build_index(year)
    if not idx.official:
        _alert_provisional(year)
    return idx


def invalidate(years: Iterable[int] | None = None) -> None:
    """Drop cached indexes (all, or the given years) so the next call rebuilds them from the database."""
    if years is None:
        _cache.clear()
        _alerted.clear()
        return
    for year in years:
        _cache.pop(year, None)
        _alerted.pop(year, None)


def mark_pending(years: Iterable[int]) -> None:
    """Record that this thread's open transaction changed these years (called by signals.py)."""
    years = set(years)
    invalidate(years)
    if not connection.in_atomic_block:
        return  # autocommit: already committed, nothing pending
    pending = _current_pending()
    if pending is None:
        pending = _local.pending = _Pending()
    # At commit, drop what other threads may have rebuilt from the old data meanwhile.
    pending.markers.append(CommitMarker(lambda: invalidate(years)))
    pending.years |= years
    for year in years:
        pending.indexes.pop(year, None)


def clear_pending() -> None:
    _local.pending = None


# --------------------------------------------------------------------------------------------- CAL-2 alerting


def _alert_provisional(year: int) -> None:
    """Tell the calendar admins that a computation used a year without an official calendar (CAL-2).

    Cheap on the hot path: remembered per process for ALERT_TTL once the alert is committed (the inbox key makes
    a repeat a no-op); while the alert sits in an open transaction it is remembered for that transaction only,
    so a rollback does not swallow it. Done in a savepoint and guarded: a read path never fails for an alert.
    """
    now = time.monotonic()
    seen = _alerted.get(year)
    if seen is not None:
        at, marker = seen
        if now - at < ALERT_TTL and (marker is None or marker.alive()):
            return
    try:
        _alerted[year] = (now, None)
        try:
            with transaction.atomic():
                recipients = list(users_with_role(Role.CALENDAR_ADMIN))
                if not recipients:
                    # Nobody holds the role yet: a guess must still not pass silently.
                    recipients = list(User.objects.filter(is_superuser=True, is_active=True))
                notify(
                    recipients=recipients,
                    subject=f"{year}年尚无正式节假日安排，工作日按周一至周五暂定计算",
                    body=(
                        f"系统在计算期限时用到了{year}年，但尚未录入该年度国务院办公厅节假日安排通知。"
                        "相关期限已标注为“暂定”。请在“工作日历”中录入或导入该年度的放假与调休安排，"
                        "录入后暂定期限将自动重新计算。"
                    ),
                    url="/workdays/import/",
                    level=Message.Level.ALERT,
                    key=f"calendar-provisional:{year}",
                )
                _open_task(year)
        except DatabaseError:
            _alerted.pop(year, None)
            logger.warning("could not alert calendar admins about provisional year %s", year, exc_info=True)
            return
        if connection.in_atomic_block:
            # Until the caller's transaction commits, the alert counts for that transaction only.
            marker = CommitMarker(lambda: _alerted.__setitem__(year, (time.monotonic(), None)))
            _alerted[year] = (now, marker)
    except Exception:  # never let the alert break a computation
        logger.exception("provisional-year alert failed for %s", year)


def _open_task(year: int) -> None:
    """The calendar administrators' 待办 for the year (provisional.noticed), in a savepoint of its own: whatever
    goes wrong there, the alert above still goes out."""
    from .provisional import noticed  # the workflow kernel's modules import this one

    try:
        with transaction.atomic():
            noticed(year)
    except Exception:
        logger.exception("could not open the calendar administrators' task for provisional year %s", year)


# --------------------------------------------------------------------------------------------- public API


def _as_date(day) -> dt.date:
    if isinstance(day, dt.datetime):
        return day.date()
    return day


def is_workday(day: dt.date) -> bool:
    """True if `day` is a working day (official calendar, make-up days included; provisional: Mon-Fri)."""
    day = _as_date(day)
    idx = _index(day.year)
    return bool(idx.flags[day.toordinal() - idx.first_ord])


def add_workdays(day: dt.date, n: int) -> dt.date:
    """The n-th working day after `day`, `day` itself not counted (CAL-3). n=0 gives `day`; n<0 goes back."""
    day = _as_date(day)
    n = int(n)
    if n < 0:
        return subtract_workdays(day, -n)
    if n == 0:
        return day
    idx = _index(day.year)
    pos = bisect_right(idx.ords, day.toordinal())  # working days of the year up to and including `day`
    target = pos + n - 1
    while target >= len(idx):
        target -= len(idx)
        idx = _index(idx.year + 1)
    return dt.date.fromordinal(idx.ords[target])


def subtract_workdays(day: dt.date, n: int) -> dt.date:
    """The n-th working day before `day`, `day` not counted: the latest day that is "at least n WD before day"."""
    day = _as_date(day)
    n = int(n)
    if n < 0:
        return add_workdays(day, -n)
    if n == 0:
        return day
    idx = _index(day.year)
    target = bisect_left(idx.ords, day.toordinal()) - n  # working days strictly before `day`, minus n
    while target < 0:
        idx = _index(idx.year - 1)
        target += len(idx)
    return dt.date.fromordinal(idx.ords[target])


def _count_upto(idx: YearIndex, day: dt.date) -> int:
    return bisect_right(idx.ords, day.toordinal())


def workdays_between(a: dt.date, b: dt.date) -> int:
    """Working days in (a, b]; negative when b < a. workdays_between(d, add_workdays(d, n)) == n."""
    a, b = _as_date(a), _as_date(b)
    if b < a:
        return -workdays_between(b, a)
    ia = _index(a.year)
    if a.year == b.year:
        return _count_upto(ia, b) - _count_upto(ia, a)
    total = len(ia) - _count_upto(ia, a)
    for year in range(a.year + 1, b.year):
        total += len(_index(year))
    return total + _count_upto(_index(b.year), b)


def next_workday(day: dt.date) -> dt.date:
    """The first working day after `day` (= add_workdays(day, 1))."""
    return add_workdays(day, 1)


def previous_workday(day: dt.date) -> dt.date:
    """The last working day before `day` (= subtract_workdays(day, 1))."""
    return subtract_workdays(day, 1)


def workday_on_or_after(day: dt.date) -> dt.date:
    """`day` if it is a working day, else the next one (a due date that falls on a holiday moves forward)."""
    day = _as_date(day)
    return day if is_workday(day) else add_workdays(day, 1)


def is_provisional(day: dt.date) -> bool:
    """True if `day`'s year has no official calendar yet (CAL-2): answers using it are guesses."""
    return _index(_as_date(day).year).provisional


def span_is_provisional(a: dt.date, b: dt.date) -> bool:
    """True if any year from a to b (either order) is provisional: a deadline over that span is a guess."""
    a, b = _as_date(a), _as_date(b)
    lo, hi = min(a.year, b.year), max(a.year, b.year)
    return any(_index(year).provisional for year in range(lo, hi + 1))


def provisional_years(a: dt.date, b: dt.date) -> list[int]:
    """The provisional years from a to b (either order), for messages."""
    a, b = _as_date(a), _as_date(b)
    lo, hi = min(a.year, b.year), max(a.year, b.year)
    return [year for year in range(lo, hi + 1) if _index(year).provisional]


def year_index(year: int) -> YearIndex:
    """The (cached) index of one year, for status pages and the benchmark."""
    return _index(year)


def known_until(today: dt.date) -> dt.date:
    """The last day the calendar can count a deadline to (CAL-2): the end of the latest year it knows officially
    (chinesecalendar's, or a year the office entered), and at least of next year, whose arrangement the State
    Council publishes late this year (its deadlines count provisionally till the office enters it, and are
    recomputed then). A later day is a typing slip, not a limit: no calendar for its year will exist for years,
    and every year up to it would be counted Monday to Friday and alerted to the calendar administrators."""
    entered = CalendarYear.objects.order_by("-year").values_list("year", flat=True).first() or 0
    year = max(max(COVERED_YEARS, default=0), entered, today.year + 1)
    return dt.date(min(year, _MAX_YEAR), 12, 31)

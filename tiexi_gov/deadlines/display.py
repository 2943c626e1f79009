"""One way to show a date the working-day clock computed: with 暂定 when its year has no official calendar (CAL-2).

Pages use the `due` template filter (a builtin, see templatetags/due_tags.py); .docx, .ics, .xlsx, messages and
audit opinions use `due_label`. Both ask `is_provisional`, so no place can show a guess as if it were final.

A `DueDate` is a date that carries its own mark: a count that crosses into a provisional year can end in an
official one (3 WD before 4 January 2027 is in December 2026, yet depends on whether 1 January is a holiday), so
the computing code marks it from the whole span; a plain date is provisional when its own year is.
"""

from __future__ import annotations

import datetime as dt
import functools

from django.utils import dateformat
from django.utils.html import format_html

from tiexi_gov.workdays import calendar as wd

PROVISIONAL_TEXT = "暂定"
PROVISIONAL_TITLE = "所在年度尚未公布正式节假日安排，按周一至周五暂定计算；录入年度日历后自动重新计算"


class DueDate(dt.date):
    """A date with `.provisional`; behaves as a date everywhere else (comparisons, ORM, formatting)."""

    provisional: bool

    def __new__(cls, year, month=None, day=None, provisional: bool = False):
        obj = super().__new__(cls, year, month, day)
        obj.provisional = bool(provisional)
        return obj

    def __reduce__(self):
        return (type(self), (self.year, self.month, self.day, self.provisional))


def due_date(day: dt.date | None, *, since: dt.date | None = None) -> DueDate | None:
    """`day` as a DueDate marked from the span it was counted over (`since` → `day`, either order)."""
    if day is None:
        return None
    if isinstance(day, dt.datetime):
        day = day.date()
    flag = wd.span_is_provisional(since, day) if since is not None else wd.is_provisional(day)
    return DueDate(day.year, day.month, day.day, provisional=flag)


def as_due(value):
    """A Deadline row (anything with `.due` and `.provisional`) → its due as a DueDate; a date as it is."""
    if value is not None and not isinstance(value, dt.date) and hasattr(value, "due"):
        day = value.due
        if day is None:
            return None
        return DueDate(day.year, day.month, day.day, provisional=bool(getattr(value, "provisional", False)))
    return value


def is_provisional(day) -> bool:
    """True if `day` was computed on the provisional Monday-Friday rule (its own mark, else its year's)."""
    day = as_due(day)
    if day is None or not isinstance(day, dt.date):
        return False
    flag = getattr(day, "provisional", None)
    if flag is not None:
        return bool(flag)
    return wd.is_provisional(day)


def format_day(day: dt.date, fmt: str = "Y-m-d") -> str:
    """Django date format characters ("Y-m-d", "n月j日", "Y年n月j日"), as the templates' `date` filter."""
    if isinstance(day, dt.datetime):
        day = day.date()
    if fmt == "Y-m-d":  # the common case, on every row of the lists: what dateformat prints, without parsing the format
        return f"{day.year:04d}-{day.month:02d}-{day.day:02d}"
    return dateformat.format(day, fmt)


@functools.cache
def provisional_badge() -> str:
    """The 暂定 badge of 我的待办, as safe HTML: after a provisional date, or after a count of working days that
    runs into a provisional year (剩 N 个工作日 is a guess too)."""
    return format_html(
        '<span class="badge text-bg-light border ms-1 align-middle" title="{}" data-testid="provisional">{}</span>',
        PROVISIONAL_TITLE,
        PROVISIONAL_TEXT,
    )


def count_mark(today: dt.date, due) -> str:
    """The 暂定 badge for "剩 N 个工作日" / "超期 N 个工作日" shown without its date: the count is a guess when any
    year between today and the due day has no official calendar (CAL-2), whoever chose the due day."""
    if due is None or due == "":
        return ""
    return provisional_badge() if is_provisional(due) or wd.span_is_provisional(today, due) else ""


def due_html(day, fmt: str = "Y-m-d") -> str:
    """The page form: the formatted date, followed by the 暂定 badge when provisional (the `due` filter)."""
    day = as_due(day)
    if day is None or day == "":
        return ""
    text = format_day(day, fmt)
    if not is_provisional(day):
        return text
    return format_html("{}{}", text, provisional_badge())


def due_label(day, fmt: str = "Y-m-d", *, empty: str = "") -> str:
    """The text form for .docx, .ics, .xlsx and messages: "2027-01-04（暂定）" or "2027-01-04"."""
    day = as_due(day)
    if day is None or day == "":
        return empty
    text = format_day(day, fmt)
    return f"{text}（{PROVISIONAL_TEXT}）" if is_provisional(day) else text

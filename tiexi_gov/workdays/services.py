"""Writes to the calendar (CAL-2): the office enters or corrects a year's holidays and make-up days.

Every write drops the cached indexes and, after commit, sends `calendar_changed` (signals.py) so provisional
deadlines are recomputed.
"""

from __future__ import annotations

import contextlib
import csv
import datetime as dt
import io
import os
import re
from dataclasses import dataclass, field

from django.db import transaction
from django.utils import timezone

from tiexi_gov.audit.services import record_event
from tiexi_gov.forms import FIRST_DAY, LAST_DAY
from tiexi_gov.http import CONTROL

from . import provisional
from .models import CalendarYear, WorkdayOverride
from .signals import calendar_edited


class CalendarImportError(ValueError):
    """A calendar file that cannot be imported; the message (Chinese) names the row."""

    def __init__(self, message: str, *, row: int | None = None):
        super().__init__(message)
        self.row = row


@dataclass
class ImportResult:
    rows: int = 0
    created: int = 0
    updated: int = 0
    unchanged: int = 0
    years: list[int] = field(default_factory=list)
    official_years: list[int] = field(default_factory=list)

    def summary(self) -> str:
        years = "、".join(f"{y}年" for y in self.years)
        text = f"已导入{self.rows}条（新增{self.created}条，修改{self.updated}条，未变{self.unchanged}条），涉及{years}"
        if self.official_years:
            text += "；" + "、".join(f"{y}年" for y in self.official_years) + "已标记为正式日历"
        return text


# ----------------------------------------------------------------------------------------------- CSV parsing

_COLUMNS = {
    "date": {"date", "day", "日期"},
    "is_workday": {"is_workday", "workday", "是否工作日", "是否上班", "上班", "工作日", "类型", "状态", "上班/放假"},
    "reason": {"reason", "事由", "说明", "名称", "节日"},
    "source_notice": {"source_notice", "source", "notice", "依据通知", "依据", "通知文号", "文号"},
}
_ORDER = ["date", "is_workday", "reason", "source_notice"]
_TRUE = {"1", "true", "t", "yes", "y", "是", "上班", "工作日", "班", "调休上班"}
_FALSE = {"0", "false", "f", "no", "n", "否", "放假", "休息", "休息日", "休", "假", "休假"}
_DATE_RE = re.compile(r"^\s*(\d{4})\s*(?:[-/.年]\s*(\d{1,2})\s*[-/.月]\s*(\d{1,2})\s*日?|(\d{2})(\d{2}))\s*$")


def parse_date(text: str) -> dt.date | None:
    """2027-01-01, 2027/1/1, 2027.1.1, 2027年1月1日, 20270101 -> date; None if not a date."""
    m = _DATE_RE.match(text or "")
    if not m:
        return None
    year = int(m.group(1))
    month, day = (m.group(2), m.group(3)) if m.group(2) else (m.group(4), m.group(5))
    try:
        return dt.date(year, int(month), int(day))
    except ValueError:
        return None


_EXCEL_MAGIC = (b"PK\x03\x04", b"\xd0\xcf\x11\xe0")  # .xlsx (a zip) and the old .xls
_NOT_CSV = "文件不是 CSV 文本文件（如为 Excel 文件，请在 Excel 中“另存为”CSV UTF-8 格式后再导入）"


def parse_is_workday(text: str) -> bool | None:
    value = (text or "").strip().lower()
    if value in _TRUE:
        return True
    if value in _FALSE:
        return False
    return None


def _read_text(file) -> str:
    if isinstance(file, str | os.PathLike):
        with open(file, "rb") as fh:
            data = fh.read()
    else:
        if hasattr(file, "seek"):
            with contextlib.suppress(OSError, ValueError):
                file.seek(0)  # an upload may have been read by validation already
        data = file.read()
    if isinstance(data, bytes):
        if data.startswith(_EXCEL_MAGIC):
            raise CalendarImportError(_NOT_CSV)
        try:
            data = data.decode("utf-8-sig")
        except UnicodeDecodeError:
            try:
                data = data.decode("gb18030")  # Excel on a Chinese Windows saves CSV as GBK
            except UnicodeDecodeError as exc:
                raise CalendarImportError("无法识别文件编码，请另存为 UTF-8 编码的 CSV 文件") from exc
    if "\x00" in data:  # UTF-16 or another binary file that happened to decode: its bytes are no column names
        raise CalendarImportError(_NOT_CSV)
    return data.lstrip("\ufeff")


@dataclass(frozen=True)
class _Row:
    line: int
    date: dt.date
    is_workday: bool
    reason: str
    source_notice: str


def parse_overrides_csv(file, *, source_notice: str = "") -> list[_Row]:
    """Parse and validate every row; raise CalendarImportError naming the first bad row (file line number)."""
    text = _read_text(file)
    reader = csv.reader(io.StringIO(text))
    columns: list[str] | None = None
    rows: list[_Row] = []
    seen: dict[dt.date, int] = {}
    for line, record in _records(reader):
        cells = [c.strip() for c in record]
        if not any(cells) or cells[0].startswith("#"):
            continue  # blank lines and comments
        if columns is None:
            # A header names its columns; a first cell that begins with a digit is a date, however mistyped
            # (2027-02-30): that row is data and its date is what is wrong, not an unknown column name.
            if parse_date(cells[0]) is None and not cells[0][:1].isdigit():
                columns = _header(cells, line)
                continue
            columns = _ORDER[: max(2, min(len(cells), 4))]
        rows.append(_parse_row(cells, columns, line, source_notice))
        day = rows[-1].date
        if day in seen:
            raise CalendarImportError(f"第{line}行：日期{day:%Y-%m-%d}与第{seen[day]}行重复", row=line)
        seen[day] = line
    if not rows:
        raise CalendarImportError("文件中没有数据行（应有列：日期,是否工作日,事由[,依据通知]）")
    return rows


def _records(reader):
    while True:
        try:
            record = next(reader)
        except StopIteration:
            return
        except csv.Error as exc:
            raise CalendarImportError(f"第{reader.line_num}行：CSV 格式错误（{exc}）", row=reader.line_num) from exc
        yield reader.line_num, record


def _header(cells: list[str], line: int) -> list[str]:
    columns = []
    for cell in cells:
        name = next((key for key, aliases in _COLUMNS.items() if cell.lower() in aliases), None)
        if name is None:
            if not cell:
                columns.append("")
                continue
            raise CalendarImportError(
                f"第{line}行：无法识别的列名“{cell}”（应为：日期,是否工作日,事由,依据通知）", row=line
            )
        if name in columns:
            raise CalendarImportError(f"第{line}行：列“{cell}”重复", row=line)
        columns.append(name)
    if "date" not in columns or "is_workday" not in columns:
        raise CalendarImportError(f"第{line}行：表头缺少“日期”或“是否工作日”列", row=line)
    return columns


def _parse_row(cells: list[str], columns: list[str], line: int, default_notice: str) -> _Row:
    extra = [c for c in cells[len(columns) :] if c]
    if extra:
        raise CalendarImportError(f"第{line}行：列数过多（应为：日期,是否工作日,事由[,依据通知]）", row=line)
    values = dict(zip(columns, cells, strict=False))
    raw_date = values.get("date", "")
    day = parse_date(raw_date)
    if day is None:
        raise CalendarImportError(f"第{line}行：日期“{raw_date}”无效，应为 YYYY-MM-DD", row=line)
    if not FIRST_DAY <= day <= LAST_DAY:  # 1900 or 9999: a typing slip, never a year to mark official
        raise CalendarImportError(
            f"第{line}行：日期“{raw_date}”须在{FIRST_DAY.year}年至{LAST_DAY.year}年之间", row=line
        )
    raw_flag = values.get("is_workday", "")
    is_wd = parse_is_workday(raw_flag)
    if is_wd is None:
        raise CalendarImportError(f"第{line}行：是否工作日“{raw_flag}”无效，应为 上班/放假、是/否 或 1/0", row=line)
    if any(CONTROL.search(values.get(key, "")) for key in ("reason", "source_notice")):
        # what every form refuses (tiexi_gov.http): an ESC or a bidi override would reorder the words where it shows
        raise CalendarImportError(f"第{line}行：事由或依据通知含有不可见的控制字符，请删去后再导入", row=line)
    reason = values.get("reason", "") or ("调休上班" if is_wd else "放假")
    if len(reason) > WorkdayOverride._meta.get_field("reason").max_length:
        raise CalendarImportError(f"第{line}行：事由过长（最多100字）", row=line)
    notice = values.get("source_notice", "") or default_notice
    if len(notice) > WorkdayOverride._meta.get_field("source_notice").max_length:
        raise CalendarImportError(f"第{line}行：依据通知过长（最多200字）", row=line)
    return _Row(line=line, date=day, is_workday=is_wd, reason=reason, source_notice=notice)


# ----------------------------------------------------------------------------------------------- writes


def _label(is_wd: bool | None) -> str:
    return "" if is_wd is None else ("上班" if is_wd else "放假")


@transaction.atomic
def import_overrides_csv(
    *, file, source_notice: str = "", actor=None, mark_years_official: bool = True
) -> ImportResult:
    """Import a State Council holiday notice as overrides; all rows or none (CAL-2).

    `file`: a path or a text/binary stream with columns 日期,是否工作日,事由[,依据通知] (English headers too).
    The years in the file become official (CalendarYear rows) unless mark_years_official=False; after commit
    `calendar_changed` fires and provisional deadlines of those years are recomputed.
    """
    rows = parse_overrides_csv(file, source_notice=source_notice)
    existing = {o.date: o for o in WorkdayOverride.objects.select_for_update().filter(date__in=[r.date for r in rows])}
    result = ImportResult(rows=len(rows))
    fresh, changed = [], []
    for row in rows:
        current = existing.get(row.date)
        if current is None:
            fresh.append(
                WorkdayOverride(
                    date=row.date, is_workday=row.is_workday, reason=row.reason, source_notice=row.source_notice
                )
            )
            continue
        before = current.is_workday
        if (current.is_workday, current.reason, current.source_notice) == (
            row.is_workday,
            row.reason,
            row.source_notice,
        ):
            result.unchanged += 1
            continue
        current.is_workday, current.reason, current.source_notice = row.is_workday, row.reason, row.source_notice
        current.updated_at = timezone.now()  # bulk_update does not apply auto_now
        current._import_before = before
        changed.append(current)
    created = WorkdayOverride.objects.bulk_create(fresh)
    if changed:
        WorkdayOverride.objects.bulk_update(changed, ["is_workday", "reason", "source_notice", "updated_at"])
    result.created, result.updated = len(created), len(changed)
    for obj in created:
        record_event(
            actor=actor,
            subject=obj,
            action="calendar_override_import",
            action_label="导入工作日调整",
            to_state=_label(obj.is_workday),
            opinion=obj.reason,
            rule_id="CAL-2",
        )
    for obj in changed:
        record_event(
            actor=actor,
            subject=obj,
            action="calendar_override_import",
            action_label="导入工作日调整",
            from_state=_label(obj._import_before),
            to_state=_label(obj.is_workday),
            opinion=obj.reason,
            rule_id="CAL-2",
        )
    years = sorted({r.date.year for r in rows})
    result.years = years
    if mark_years_official:
        notices = {r.date.year: r.source_notice for r in rows if r.source_notice}
        for year in years:
            enter_year(actor=actor, year=year, source_notice=source_notice or notices.get(year, ""))
        result.official_years = years
    calendar_edited(years)  # bulk writes fire no model signals
    return result


@transaction.atomic
def enter_year(*, actor, year: int, source_notice: str = "") -> CalendarYear:
    """Mark a year's calendar as official: its answers stop being provisional (CAL-2)."""
    entry = CalendarYear.objects.select_for_update().filter(year=year).first()
    if entry is None:
        entry = CalendarYear.objects.create(
            year=year, source_notice=source_notice, entered_by=actor if getattr(actor, "pk", None) else None
        )
        from_state = "暂定"
        provisional.entered(year, actor=actor)
    else:
        if not source_notice or entry.source_notice == source_notice:
            return entry  # already official, on the same notice: nothing changes, nothing to record
        from_state = "正式"
        entry.source_notice = source_notice
        entry.save(update_fields=["source_notice"])
    record_event(
        actor=actor,
        subject=entry,
        action="calendar_year_enter",
        action_label="录入年度正式日历",
        from_state=from_state,
        to_state="正式",
        opinion=source_notice,
        rule_id="CAL-2",
    )
    return entry


@transaction.atomic
def remove_year(*, actor, year: int) -> None:
    """Withdraw a year's official mark (e.g. entered by mistake): its answers become provisional again."""
    entry = CalendarYear.objects.select_for_update().filter(year=year).first()
    if entry is None:
        return
    record_event(
        actor=actor,
        subject=entry,
        action="calendar_year_remove",
        action_label="撤销年度正式日历",
        from_state="正式",
        to_state="暂定",
        rule_id="CAL-2",
    )
    entry.delete()
    provisional.withdrawn(year, actor=actor)


@transaction.atomic
def save_override(
    *, actor, date: dt.date, is_workday: bool, reason: str, source_notice: str = "", instance=None
) -> WorkdayOverride:
    """Create or change one day's status (admin screen)."""
    obj = instance or WorkdayOverride.objects.select_for_update().filter(date=date).first() or WorkdayOverride()
    before = None
    if obj.pk:
        saved = WorkdayOverride.objects.filter(pk=obj.pk).values_list("date", "is_workday", "reason", "source_notice")
        saved = saved.first()
        if saved == (date, is_workday, reason, source_notice):
            return obj  # the admin's form saved again unchanged: no change to record, nothing to recompute
        before = saved[1] if saved else None
    obj.date, obj.is_workday, obj.reason, obj.source_notice = date, is_workday, reason, source_notice
    obj.save()
    record_event(
        actor=actor,
        subject=obj,
        action="calendar_override_save",
        action_label="修改工作日调整" if before is not None else "新增工作日调整",
        from_state=_label(before),
        to_state=_label(is_workday),
        opinion=reason,
        rule_id="CAL-2",
    )
    return obj


@transaction.atomic
def delete_override(*, actor, override: WorkdayOverride) -> None:
    """Remove one override: the day falls back to chinesecalendar (or Mon-Fri in a provisional year)."""
    record_event(
        actor=actor,
        subject=override,
        action="calendar_override_delete",
        action_label="删除工作日调整",
        from_state=_label(override.is_workday),
        opinion=override.reason,
        rule_id="CAL-2",
    )
    override.delete()

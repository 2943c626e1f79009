""".xlsx of 逾期未阅 (issue 15.4): the office's list of receipts reminded once and still unread, with the page's columns
(and the mode and the working days past the day they were due to be read), from the page's own selector.

Written like the compliance board's export: a write-only workbook, the rows read in chunks, the working days computed
once per distinct (day sent, N) pair — never per row — so the file costs the same few queries whatever its length.
Text cells are written as text, so a title starting with "=" never becomes a formula.
"""

from __future__ import annotations

import datetime as dt
import tempfile

from django.utils import timezone
from openpyxl import Workbook
from openpyxl.cell import WriteOnlyCell

from . import selectors

CONTENT_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
SHEET_NAME = "逾期未阅"
HEADERS = [
    "序号",
    "送阅事项",
    "方式",
    "送阅对象",
    "送阅人",
    "送阅日期",
    "应阅日期",
    "超期（工作日）",
    "提醒时间",
]
CHUNK = 500


def _row(sheet, values):
    row = []
    for value in values:
        cell = WriteOnlyCell(sheet, value=value)
        if isinstance(value, str) and value:
            cell.data_type = "s"
        row.append(cell)
    return row


def filename(today: dt.date) -> str:
    return f"逾期未阅_{today:%Y%m%d}.xlsx"


def write_overdue_xlsx(*, today: dt.date) -> tempfile.SpooledTemporaryFile:
    """The workbook of 逾期未阅 as of `today`, rewound."""
    book = Workbook(write_only=True)
    sheet = book.create_sheet(SHEET_NAME)
    sheet.append(_row(sheet, [f"逾期未阅阅件（统计至{today:%Y-%m-%d}）"]))
    sheet.append(_row(sheet, HEADERS))
    dues: dict[tuple[dt.date, int], selectors.Due] = {}
    for n, r in enumerate(selectors.overdue_receipts().iterator(chunk_size=CHUNK), start=1):
        c = r.circulation
        key = (r.sent_on, c.remind_after)
        due = dues.get(key)
        if due is None:
            due = dues[key] = selectors.due_of(r.sent_on, c.remind_after, today)
        reminded = timezone.localtime(r.reminded_at).strftime("%Y-%m-%d %H:%M") if r.reminded_at else ""
        sheet.append(
            _row(
                sheet,
                [
                    n,
                    c.title,
                    c.get_mode_display(),
                    r.recipient_name,
                    c.sent_by.display_name,
                    f"{r.sent_on:%Y-%m-%d}",
                    f"{due.day:%Y-%m-%d}" + ("（暂定）" if due.provisional else ""),
                    due.late,
                    reminded,
                ],
            )
        )
    out = tempfile.SpooledTemporaryFile(max_size=8 * 1024 * 1024)  # noqa: SIM115 - FileResponse closes it
    book.save(out)
    out.seek(0)
    return out

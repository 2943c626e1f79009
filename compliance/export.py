""".xlsx of the rule compliance board (issue 15.5): the same tables as the page, from the same selectors.

Sheets: 按单位 (every reader), 按分管领导 (the director and the head), 办理效率. Text cells are written as text, so a
value starting with "=" never becomes a formula.
"""

from __future__ import annotations

import datetime as dt
import tempfile

from openpyxl import Workbook
from openpyxl.cell import WriteOnlyCell

from . import selectors
from .access import Scope

CONTENT_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
COUNT_HEADERS = [label for _name, label in selectors.CATEGORIES]
EFFICIENCY_HEADERS = [
    "人员",
    "单位",
    "领域",
    "环节",
    "紧急程度",
    "已办件数",
    "在办件数",
    "平均用时（工作日，在办计至今日）",
    "已办平均（工作日）",
    "在办已用平均（工作日）",
]
LEADS = {selectors.BY_UNIT: "责任单位", selectors.BY_LEADER: "分管领导"}
SHEET_NAMES = {selectors.BY_UNIT: "按单位", selectors.BY_LEADER: "按分管领导"}


def _row(sheet, values):
    row = []
    for value in values:
        cell = WriteOnlyCell(sheet, value=value)
        if isinstance(value, str) and value:
            cell.data_type = "s"
        row.append(cell)
    return row


def _clock_sheet(book, table: selectors.Table, year: int, today: dt.date):
    sheet = book.create_sheet(SHEET_NAMES[table.by])
    sheet.append(_row(sheet, [f"{year}年规则时限执行情况（{SHEET_NAMES[table.by]}）", f"统计至{today:%Y-%m-%d}"]))
    sheet.append(_row(sheet, ["条款", "时限内容", LEADS[table.by], *COUNT_HEADERS]))
    for block in table.blocks:
        titles = "；".join(block.titles)
        for line in block.lines:
            sheet.append(_row(sheet, [block.article, titles, line.label, *line.counts.values()]))
        sheet.append(_row(sheet, [block.article, titles, "小计", *block.total.values()]))
    sheet.append(_row(sheet, ["合计", "", "", *table.total.values()]))


def write_xlsx(*, scope: Scope, year: int, today: dt.date) -> tempfile.SpooledTemporaryFile:
    """The workbook of `scope`'s board for `year`, rewound."""
    book = Workbook(write_only=True)
    tables = selectors.clock_tables(scope, year, today)
    for by in (selectors.BY_UNIT, selectors.BY_LEADER):
        if by in tables:
            _clock_sheet(book, tables[by], year, today)
    sheet = book.create_sheet("办理效率")
    sheet.append(_row(sheet, [f"{year}年办理效率（按人员和环节，分紧急程度）", f"在办件计至{today:%Y-%m-%d}"]))
    sheet.append(_row(sheet, EFFICIENCY_HEADERS))
    for r in selectors.efficiency(scope, year, today):
        e = r.effort
        sheet.append(
            _row(
                sheet,
                [
                    r.person,
                    r.unit,
                    r.area,
                    r.step,
                    r.urgency_label,
                    e.done,
                    e.pending,
                    e.average,
                    e.average_done,
                    e.average_pending,
                ],
            )
        )
    out = tempfile.SpooledTemporaryFile(max_size=8 * 1024 * 1024)  # noqa: SIM115 - FileResponse closes it
    book.save(out)
    out.seek(0)
    return out

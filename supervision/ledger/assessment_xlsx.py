"""The annual assessment (SUP-6) as an .xlsx (openpyxl): the page's table, the same columns and numbers.

Pure: takes the `figures.Assessment` already built for the user and returns bytes. One sheet: a title row, the
definition of the figures, the header, a row per unit and the totals row. Write-only mode keeps memory flat.
"""

from __future__ import annotations

import io

from openpyxl import Workbook
from openpyxl.cell import WriteOnlyCell
from openpyxl.styles import Alignment, Border, Font, PatternFill, Side
from openpyxl.utils import get_column_letter

from .figures import ASSESSMENT_COLUMNS, Assessment

WIDTHS = (28, 10, 10, 10, 12, 12, 12, 10, 8, 8, 8, 8)
_THIN = Side(style="thin", color="999999")
_BORDER = Border(left=_THIN, right=_THIN, top=_THIN, bottom=_THIN)
_HEAD_FILL = PatternFill("solid", fgColor="F2DCDB")


def _cell(ws, value, *, bold: bool = False, fill=None, wrap: bool = False, border: bool = True):
    cell = WriteOnlyCell(ws, value=value)
    cell.font = Font(name="宋体", bold=bold, size=11)
    if border:
        cell.border = _BORDER
    if fill is not None:
        cell.fill = fill
    cell.alignment = Alignment(wrap_text=wrap, vertical="center", horizontal="left" if wrap else None)
    return cell


def render_assessment(data: Assessment, *, title: str) -> bytes:
    wb = Workbook(write_only=True)
    ws = wb.create_sheet(f"{data.year}年度")
    for i, width in enumerate(WIDTHS[: len(ASSESSMENT_COLUMNS)], start=1):
        ws.column_dimensions[get_column_letter(i)].width = width
    ws.freeze_panes = "B5"
    ws.append([_cell(ws, title, bold=True, border=False)])
    ws.append([_cell(ws, f"统计日期：{data.day:%Y-%m-%d}", border=False)])
    ws.append([_cell(ws, data.definition, border=False)])
    ws.append([_cell(ws, name, bold=True, fill=_HEAD_FILL) for name in ASSESSMENT_COLUMNS])
    for row in data.rows:
        ws.append([_cell(ws, v) for v in row.as_list()])
    ws.append([_cell(ws, v, bold=True) for v in data.totals.as_list()])
    out = io.BytesIO()
    wb.save(out)
    return out.getvalue()

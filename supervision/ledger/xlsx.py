"""The ledger as an Excel sheet (督查督办台账): export with the office's columns, and import from such a sheet.

Export streams: the sheet's XML is written row by row straight into the .xlsx's zip entry, the rows come
from the database in chunks (server-side cursor, `values()`, no model instances), so memory does not grow with
the number of rows.

Import is all or nothing: every row is checked first (units, leader, dates, source, required fields, duplicates,
a 督办编号 already in the ledger, a finished 状态, a deadline already passed) and a sheet with any bad row imports
nothing and names each bad row by its Excel row number; a good sheet is created through `services.create_item`
inside one transaction, so a refusal midway (a duplicate on row 7) rolls back every row and is reported with its
row number too.
"""

from __future__ import annotations

import datetime as dt
import io
import re
import zipfile
from collections import Counter
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from itertools import islice

from django.db import transaction
from django.db.models import F
from django.utils import timezone
from openpyxl import load_workbook
from openpyxl.cell.cell import ILLEGAL_CHARACTERS_RE
from openpyxl.utils.datetime import from_excel
from openpyxl.utils.exceptions import InvalidFileException

from supervision.reports.models import Rectification
from tiexi_gov.deadlines.display import due_label
from tiexi_gov.forms import FIRST_DAY, LAST_DAY, OPINION_LIMIT, TEXT_LIMIT
from tiexi_gov.lookups import OneOf
from tiexi_gov.org.models import Appointment, Post, Unit
from tiexi_gov.references import normalise_reference

from . import services
from .models import PROPOSAL_SOURCES, ItemState, Kind, Light, ReportCycle, Source, SupervisionItem

# The office's columns, in the order users know by heart (DESIGN: 督查督办台账) …
COLUMNS = [
    "序号",
    "事项来源",
    "督办事项",
    "牵头单位",
    "协办单位",
    "责任领导",
    "完成时限",
    "量化标准",
    "进展情况",
    "状态",
]
# … then what a faithful re-import needs (the rest of SUP-1's fields, SUP-3 rectification, PUB-3 proposals).
EXTRA_COLUMNS = [
    "督办编号",
    "来源依据",
    "督查方式",
    "报告周期",
    "完成进度（%）",
    "起始日期",
    "建议/提案号",
    "代表/委员",
    "届次",
    "发现问题",
    "督查层级",
    "督查组/来源",
    "整改措施",
    "重大问题",
    "下次报告截止",  # export only, from the working-day clock: "（暂定）" while provisional (CAL-2)
]
ALL_COLUMNS = COLUMNS + EXTRA_COLUMNS
# Columns the export writes for people and the import does not read back (a formula there, =ROW()-1, is harmless).
# 督办编号 is read only to recognise a row of an item already in the ledger (an export imported back).
NOT_IMPORTED = {"序号", "进展情况", "完成进度（%）", "下次报告截止"}
# 状态 of an item that is over: such a row is a record of finished work, never new work to assign.
FINISHED_LABELS = ("按期办结", "逾期办结", "已办结", "已撤销")
REQUIRED_COLUMNS = ["事项来源", "督办事项", "牵头单位", "责任领导", "完成时限", "量化标准"]
# The registration form's limits (ledger.forms.ItemForm): a cell is typed text too.
TEXT_LIMITS = {
    "督办事项": TEXT_LIMIT,
    "量化标准": OPINION_LIMIT,
    "发现问题": TEXT_LIMIT,
    "整改措施": TEXT_LIMIT,
    "来源依据": 200,
    "督查组/来源": 200,
    "建议/提案号": 60,
    "代表/委员": 100,
    "届次": 60,
}
# Other spellings of a heading that office sheets use.
ALIASES = {
    "督查事项": "督办事项",
    "来源": "事项来源",
    "牵头责任单位": "牵头单位",
    "配合单位": "协办单位",
    "责任区领导": "责任领导",
    "分管领导": "责任领导",
    "完成时间": "完成时限",
    "办结时限": "完成时限",
    "完成标准": "量化标准",
    "办理状态": "状态",
    "完成进度": "完成进度（%）",
    "完成进度(%)": "完成进度（%）",
    "进度": "完成进度（%）",
    "编号": "督办编号",
}
WIDTHS = [6, 12, 48, 18, 24, 16, 12, 32, 36, 18] + [18, 20, 10, 10, 8, 12, 14, 12, 10, 30, 8, 16, 30, 8, 18]
CHUNK = 1000  # rows fetched and held at a time: the export's memory is bounded by this, not by the ledger
MAX_ROWS = 5000
MAX_HEADER_ROW = 10
LIGHT_FILLS = {Light.RED: "FFC7CE", Light.AMBER: "FFEB9C", Light.GREEN: "C6EFCE"}
XLSX_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"

_VALUE_FIELDS = (
    "id",
    "number",
    "source",
    "source_ref",
    "task",
    "kind",
    "cycle",
    "lead_unit_id",
    "leader_post_id",
    "due",
    "standard",
    "period_start",
    "state",
    "percent",
    "progress_text",
    "light",
    "rectification__problem",
    "rectification__level",
    "rectification__found_by",
    "rectification__measures",
    "rectification__is_major",
    "proposal__number",
    "proposal__proposer",
    "proposal__session",
    "next_report_due",
)


# --- export ------------------------------------------------------------------------------------------------


def unit_labels() -> dict[int, str]:
    """How a unit is written in the sheet: its short name when no other unit shares it, else its full name."""
    units = list(Unit.objects.values_list("id", "name", "short_name"))
    short_count: dict[str, int] = {}
    for _, _, short in units:
        if short:
            short_count[short] = short_count.get(short, 0) + 1
    return {pk: short if short and short_count[short] == 1 else name for pk, name, short in units}


def progress_cell(percent: int, text: str) -> str:
    """进展情况: the percent done, then the latest progress text."""
    text = (text or "").strip()
    return f"{percent}%：{text}" if text else f"{percent}%"


def state_cell(state: str, light: str) -> str:
    """状态 with its light (红/黄/绿) in words; the cell is also coloured."""
    label = ItemState(state).label
    if light in LIGHT_FILLS:
        return f"{label}（{Light(light).label}）"
    return label


def _chunks(iterable: Iterable, size: int) -> Iterator[list]:
    it = iter(iterable)
    while chunk := list(islice(it, size)):
        yield chunk


def _cooperating(ids: list[int]) -> dict[int, list[int]]:
    through = SupervisionItem.cooperating_units.through
    out: dict[int, list[int]] = {}
    rows = (
        through.objects.filter(OneOf(F("supervisionitem_id"), ids))
        .order_by("supervisionitem_id", "unit__order", "unit_id")
        .values_list("supervisionitem_id", "unit_id")
    )
    for item_id, unit_id in rows:
        out.setdefault(item_id, []).append(unit_id)
    return out


def leader_labels(day: dt.date) -> dict[int, str]:
    """How a leader's post is written in the sheet: its title when no other leader's post shares it (区长), else the
    title with its holder's name, 副区长（张海燕）, so four deputies are four people and the row imports back to the
    same post. A vacant post shared by title is written by its title (the import then asks which)."""
    posts = list(Post.objects.filter(kind__in=Post.LEADER_KINDS).values_list("id", "title"))
    shared = {title for title, n in Counter(title for _, title in posts).items() if n > 1}
    holders = dict(
        Appointment.objects.on(day)
        .filter(post__kind__in=Post.LEADER_KINDS, post__title__in=shared)
        .values_list("post_id", "person__full_name")
    )
    return {pk: f"{title}（{holders[pk]}）" if title in shared and holders.get(pk) else title for pk, title in posts}


def export_rows(qs, day: dt.date | None = None) -> Iterator[tuple[list, str]]:
    """The sheet's rows (without the header) for a ledger queryset annotated with `light`, in its order: each row's
    cells and its light (the 状态 cell's fill).

    Rows are read as tuples in _VALUE_FIELDS' order, and the few distinct labels (状态 with its light, the next
    report's due date) are made once each, not once a row (issue 14.4)."""
    units = unit_labels()
    posts = leader_labels(day or timezone.localdate())
    source_labels, kind_labels, cycle_labels = dict(Source.choices), dict(Kind.choices), dict(ReportCycle.choices)
    level_labels = dict(Rectification.Level.choices)
    states: dict[tuple[str, str], str] = {}
    dues: dict[dt.date | None, str | None] = {}
    rows = qs.select_related(None).prefetch_related(None).values_list(*_VALUE_FIELDS).iterator(chunk_size=CHUNK)
    n = 0
    for chunk in _chunks(rows, CHUNK):
        co = _cooperating([r[0] for r in chunk])
        for (
            pk,
            number,
            source,
            source_ref,
            task,
            kind,
            cycle,
            lead_unit_id,
            leader_post_id,
            due,
            standard,
            period_start,
            state,
            percent,
            progress_text,
            light,
            problem,
            level,
            found_by,
            measures,
            major,
            proposal_number,
            proposer,
            session,
            next_report_due,
        ) in chunk:
            n += 1
            state_text = states.get((state, light))
            if state_text is None:
                state_text = states[state, light] = state_cell(state, light)
            if next_report_due not in dues:
                dues[next_report_due] = due_label(next_report_due) or None
            yield (
                [
                    n,
                    source_labels.get(source, source),
                    task,
                    units.get(lead_unit_id, ""),
                    "、".join(units.get(u, "") for u in co.get(pk, ())) or None,
                    posts.get(leader_post_id, ""),
                    due,
                    standard,
                    progress_cell(percent, progress_text),
                    state_text,
                    number,
                    source_ref or None,
                    kind_labels.get(kind, kind),
                    cycle_labels.get(cycle, cycle),
                    percent,
                    period_start,
                    proposal_number or None,
                    proposer or None,
                    session or None,
                    problem or None,
                    level_labels.get(level) if level else None,
                    found_by or None,
                    measures or None,
                    None if major is None else ("是" if major else "否"),
                    dues[next_report_due],
                ],
                light,
            )


# The sheet is written as SpreadsheetML by hand (issue 14.4): openpyxl's write-only mode took 10.5 s for 50,000
# rows and XlsxWriter's constant-memory mode half that, both building each cell through several layers; here a row
# is one formatted string, streamed into the zip entry as it is made, so memory stays flat in the number of rows.
_STYLES = (  # cellXfs: 0 plain, 1 header, 2 extra header, 3 date, 4.. the lights' fills in LIGHT_FILLS order
    '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n'
    '<styleSheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main">'
    '<numFmts count="1"><numFmt numFmtId="164" formatCode="yyyy-mm-dd"/></numFmts>'
    '<fonts count="2"><font><sz val="11"/><name val="Calibri"/><family val="2"/></font>'
    '<font><b/><sz val="11"/><name val="Calibri"/><family val="2"/></font></fonts>'
    '<fills count="{fill_count}"><fill><patternFill patternType="none"/></fill>'
    '<fill><patternFill patternType="gray125"/></fill>{fills}</fills>'
    '<borders count="1"><border><left/><right/><top/><bottom/><diagonal/></border></borders>'
    '<cellStyleXfs count="1"><xf numFmtId="0" fontId="0" fillId="0" borderId="0"/></cellStyleXfs>'
    '<cellXfs count="{xf_count}"><xf numFmtId="0" fontId="0" fillId="0" borderId="0" xfId="0"/>'
    '<xf numFmtId="0" fontId="1" fillId="2" borderId="0" xfId="0" applyFont="1" applyFill="1"/>'
    '<xf numFmtId="0" fontId="1" fillId="3" borderId="0" xfId="0" applyFont="1" applyFill="1"/>'
    '<xf numFmtId="164" fontId="0" fillId="0" borderId="0" xfId="0" applyNumberFormat="1"/>{light_xfs}</cellXfs>'
    '<cellStyles count="1"><cellStyle name="Normal" xfId="0" builtinId="0"/></cellStyles></styleSheet>'
)
_PARTS = {
    "[Content_Types].xml": (
        '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n'
        '<Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types">'
        '<Default Extension="rels" ContentType="application/vnd.openxmlformats-package.relationships+xml"/>'
        '<Default Extension="xml" ContentType="application/xml"/>'
        '<Override PartName="/xl/workbook.xml" '
        'ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet.main+xml"/>'
        '<Override PartName="/xl/worksheets/sheet1.xml" '
        'ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.worksheet+xml"/>'
        '<Override PartName="/xl/styles.xml" '
        'ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.styles+xml"/></Types>'
    ),
    "_rels/.rels": (
        '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n'
        '<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">'
        '<Relationship Id="rId1" '
        'Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/officeDocument" '
        'Target="xl/workbook.xml"/></Relationships>'
    ),
    "xl/_rels/workbook.xml.rels": (
        '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n'
        '<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">'
        '<Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/worksheet" '
        'Target="worksheets/sheet1.xml"/>'
        '<Relationship Id="rId2" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/styles" '
        'Target="styles.xml"/></Relationships>'
    ),
    "xl/workbook.xml": (
        '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n'
        '<workbook xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main" '
        'xmlns:r="http://schemas.openxmlformats.org/officeDocument/2006/relationships">'
        '<sheets><sheet name="{title}" sheetId="1" r:id="rId1"/></sheets></workbook>'
    ),
}
_EPOCH = dt.date(1899, 12, 30)  # Excel's day 0 (1900 date system, past its leap-year bug)


def _letters(n: int) -> str:
    out = ""
    while n:
        n, r = divmod(n - 1, 26)
        out = chr(65 + r) + out
    return out


def write_ledger(qs, out, *, title: str = "督查督办台账") -> int:
    """Write the ledger `qs` (annotated with `light`) to the file object `out` as .xlsx; returns the row count.

    Text is always an inline string (a typed "=HYPERLINK(…)" is never a formula), dates are dates (yyyy-mm-dd),
    the 状态 cell of a lit item is filled with its light's colour, the header is bold and shaded, panes frozen at D2."""
    lights = list(LIGHT_FILLS)
    fills = "".join(
        f'<fill><patternFill patternType="solid"><fgColor rgb="FF{color}"/><bgColor indexed="64"/></patternFill></fill>'
        for color in ("D9D9D9", "F2F2F2", *LIGHT_FILLS.values())
    )
    light_xfs = "".join(
        f'<xf numFmtId="0" fontId="0" fillId="{4 + i}" borderId="0" xfId="0" applyFill="1"/>'
        for i in range(len(lights))
    )
    light_style = {light: f' s="{4 + i}"' for i, light in enumerate(lights)}
    columns = [_letters(i + 1) for i in range(len(ALL_COLUMNS))]
    count = 0
    with zipfile.ZipFile(out, "w", compression=zipfile.ZIP_DEFLATED, compresslevel=1) as zf:
        for name, text in _PARTS.items():
            zf.writestr(name, text.replace("{title}", _xml(title)))
        zf.writestr(
            "xl/styles.xml",
            _STYLES.format(fill_count=2 + 2 + len(lights), fills=fills, xf_count=4 + len(lights), light_xfs=light_xfs),
        )
        with zf.open("xl/worksheets/sheet1.xml", "w") as raw:
            write = raw.write
            cols = "".join(
                f'<col min="{i}" max="{i}" width="{w}" customWidth="1"/>' for i, w in enumerate(WIDTHS, start=1)
            )
            header = "".join(
                f'<c r="{columns[i]}1" s="{1 if i < len(COLUMNS) else 2}" t="inlineStr">'
                f"<is><t>{_xml(name)}</t></is></c>"
                for i, name in enumerate(ALL_COLUMNS)
            )
            write(
                (
                    '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n'
                    '<worksheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main">'
                    '<sheetViews><sheetView workbookViewId="0"><pane xSplit="3" ySplit="1" topLeftCell="D2" '
                    'activePane="bottomRight" state="frozen"/><selection pane="bottomRight" activeCell="D2" '
                    'sqref="D2"/></sheetView></sheetViews>'
                    f'<sheetFormatPr defaultRowHeight="15"/><cols>{cols}</cols><sheetData><row r="1">{header}</row>'
                ).encode()
            )
            # Each column's cell tags made once: a row then costs one formatting per filled cell (issue 14.4).
            cell_open = [f'<c r="{col}' for col in columns]
            text_mid = '" t="inlineStr"><is><t xml:space="preserve">'
            state_mid = {
                light: f'"{style} t="inlineStr"><is><t xml:space="preserve">' for light, style in light_style.items()
            }
            chunk: list[str] = []
            for r, (row, light) in enumerate(export_rows(qs), start=2):
                cells = []
                add = cells.append
                for c, value in enumerate(row):
                    if value is None:
                        continue
                    if isinstance(value, str):
                        mid = state_mid.get(light, text_mid) if c == 9 else text_mid
                        add(f"{cell_open[c]}{r}{mid}{_xml(value)}</t></is></c>")
                    elif isinstance(value, dt.date):
                        add(f'{cell_open[c]}{r}" s="3"><v>{(value - _EPOCH).days}</v></c>')
                    else:
                        add(f'{cell_open[c]}{r}"><v>{value}</v></c>')
                chunk.append(f'<row r="{r}">{"".join(cells)}</row>')
                count += 1
                if len(chunk) >= 500:
                    write("".join(chunk).encode())
                    chunk = []
            write(("".join(chunk) + "</sheetData></worksheet>").encode())
    return count


# What _xml must change: openpyxl's ILLEGAL_CHARACTERS_RE (control characters Excel refuses) and markup. Most cells
# hold neither, and one search answers that (issue 14.4: half a million cells in a 50,000-row export).
_NEEDS_WORK = re.compile(f"{ILLEGAL_CHARACTERS_RE.pattern}|[&<>]")


def _xml(value: str) -> str:
    """Text for an XML element: control characters Excel refuses dropped, markup escaped."""
    if not _NEEDS_WORK.search(value):
        return value
    value = ILLEGAL_CHARACTERS_RE.sub("", value)
    return value.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")


# --- import ------------------------------------------------------------------------------------------------


class SheetError(Exception):
    """The file as a whole cannot be read (not an .xlsx, no header, too many rows)."""


@dataclass
class RowError:
    row: int | None  # the Excel row number; None for the sheet as a whole
    reasons: list[str]

    @property
    def where(self) -> str:
        return f"第{self.row}行" if self.row else "表格"


@dataclass
class ParsedRow:
    row: int
    fields: dict
    issue: bool


@dataclass
class ImportResult:
    errors: list[RowError] = field(default_factory=list)
    created: list[SupervisionItem] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return not self.errors

    @property
    def issued(self) -> int:
        return sum(1 for item in self.created if item.state != ItemState.DRAFT)

    @property
    def drafts(self) -> int:
        return len(self.created) - self.issued


def _heading(value) -> str:
    text = re.sub(r"\s+", "", str(value or ""))
    return ALIASES.get(text, text)


def _text(value) -> str:
    if value is None or isinstance(value, Formula):
        return ""
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    if isinstance(value, dt.datetime):
        value = value.date()
    return str(value).strip()


_DATE = re.compile(r"^(\d{4})[-/.年](\d{1,2})[-/.月](\d{1,2})日?$")


def parse_date(value) -> dt.date | None:
    """A date cell, an Excel serial number, or text such as 2026-10-09, 2026/10/9, 2026.10.9, 2026年10月9日."""
    if value is None or value == "" or isinstance(value, Formula):  # a formula: reported by _parse_row
        return None
    if isinstance(value, dt.datetime):
        return value.date()
    if isinstance(value, dt.date):
        return value
    if isinstance(value, int | float) and not isinstance(value, bool):
        if 1 <= value < 2958466:
            return from_excel(value).date()
        raise ValueError(value)
    text = re.sub(r"\s+", "", str(value))
    m = _DATE.match(text)
    if not m:
        raise ValueError(value)
    return dt.date(int(m.group(1)), int(m.group(2)), int(m.group(3)))


def _names(value) -> list[str]:
    return [p for p in (s.strip() for s in re.split(r"[、，,；;／/\n]+", _text(value))) if p]


@dataclass(frozen=True)
class Formula:
    """A cell holding a formula whose result the file does not carry (written by a program, not saved by Excel):
    its value is unknown, which is not the same as an empty cell."""

    text: str


def _rows_with_formulas(values_ws, formulas_ws) -> Iterator[tuple]:
    """The sheet's values, a formula without a saved result given as Formula instead of None."""
    for values, formulas in zip(
        values_ws.iter_rows(values_only=True), formulas_ws.iter_rows(values_only=True), strict=False
    ):
        if None in values and any(isinstance(f, str) and f.startswith("=") for f in formulas):
            values = (
                tuple(
                    Formula(f) if v is None and isinstance(f, str) and f.startswith("=") else v
                    for v, f in zip(values, formulas, strict=False)
                )
                + values[len(formulas) :]
            )
        yield values


def read_sheet(file) -> list[tuple[int, dict[str, object]]]:
    """(Excel row number, {column: value}) for every non-empty row under the header of the first sheet."""
    try:
        data = file.read()  # read twice: the saved results, and the formulas behind cells without one
        wb = load_workbook(io.BytesIO(data), read_only=True, data_only=True)
        formulas = load_workbook(io.BytesIO(data), read_only=True, data_only=False)
    except (zipfile.BadZipFile, InvalidFileException, KeyError, OSError, ValueError) as exc:
        raise SheetError("无法读取该文件，请上传 Excel .xlsx 格式的台账。") from exc
    try:
        ws = wb.worksheets[0]
        rows = _rows_with_formulas(ws, formulas.worksheets[0])
        columns: dict[str, int] = {}
        header_row = 0
        for number, values in enumerate(rows, start=1):
            headings = [_heading(v) for v in values]
            if "督办事项" in headings:
                columns = {h: i for i, h in reversed(list(enumerate(headings))) if h}
                header_row = number
                break
            if number >= MAX_HEADER_ROW:
                break
        if not header_row:
            raise SheetError(f"没有找到表头：前{MAX_HEADER_ROW}行中应有“督办事项”等列（序号、事项来源、督办事项……）。")
        missing = [c for c in REQUIRED_COLUMNS if c not in columns]
        if missing:
            raise SheetError(f"表头缺少以下列：{'、'.join(missing)}。")
        out = []
        for number, values in enumerate(rows, start=header_row + 1):
            record = {name: values[i] if i < len(values) else None for name, i in columns.items()}
            if all(_text(v) == "" and not isinstance(v, Formula) for k, v in record.items() if k != "序号"):
                continue
            out.append((number, record))
            if len(out) > MAX_ROWS:
                raise SheetError(f"一次最多导入{MAX_ROWS}行，请分批导入。")
        return out
    finally:
        wb.close()
        formulas.close()


class _Lookups:
    """Names in the sheet → rows in the database, loaded once per import."""

    def __init__(self, day: dt.date):
        self.units: dict[str, list[Unit]] = {}
        for unit in Unit.objects.all():
            for key in {unit.name, unit.short_name} - {""}:
                self.units.setdefault(key, []).append(unit)
        self.posts: dict[str, list[Post]] = {}
        for post in Post.objects.filter(kind__in=Post.LEADER_KINDS):
            self.posts.setdefault(post.title, []).append(post)
        for appt in (
            Appointment.objects.on(day).filter(post__kind__in=Post.LEADER_KINDS).select_related("person", "post")
        ):
            name = appt.person.full_name
            if name and appt.post not in self.posts.get(name, []):
                self.posts.setdefault(name, []).append(appt.post)
            if name:  # the export's 副区长（张海燕）: the title and the holder's name
                self.posts.setdefault(f"{appt.post.title}（{name}）", []).append(appt.post)
        self.sources = {label: value for value, label in Source.choices} | {v: v for v in Source.values}
        self.kinds = {label: value for value, label in Kind.choices} | {v: v for v in Kind.values}
        self.cycles = {label: value for value, label in ReportCycle.choices} | {v: v for v in ReportCycle.values}
        self.cycles |= {"周": ReportCycle.WEEKLY, "月": ReportCycle.MONTHLY, "季度": ReportCycle.QUARTERLY}
        self.levels = {label: value for value, label in Rectification.Level.choices} | {
            v: v for v in Rectification.Level.values
        }

    def leader_posts(self, text: str) -> list[Post]:
        """The posts a 责任领导 cell may mean: a title, a holder's name, or 副区长（张海燕） in either brackets."""
        if text in self.posts:
            return self.posts[text]
        return self.posts.get(re.sub(r"\s+", "", text).replace("(", "（").replace(")", "）"), [])

    def unit(self, name: str, label: str, errors: list[str]) -> Unit | None:
        found = self.units.get(name, [])
        if not found:
            errors.append(f"{label}“{name}”不存在（应与单位全称或简称一致）")
            return None
        if len(found) > 1:
            errors.append(f"{label}“{name}”对应多个单位，请填写单位全称")
            return None
        if not found[0].active:
            errors.append(f"{label}“{name}”已停用")
            return None
        return found[0]


def _choice(mapping: dict, raw: str, label: str, errors: list[str], default: str = "") -> str:
    if not raw:
        return default
    value = mapping.get(raw)
    if value is None:
        errors.append(f"{label}“{raw}”无法识别（可选：{'、'.join(k for k in mapping if not k.isascii())}）")
        return default
    return value


def _parse_row(record: dict, look: _Lookups, day: dt.date) -> tuple[dict, bool, list[str]]:
    errors: list[str] = []
    get = lambda name: _text(record.get(name))  # noqa: E731

    formulas = [name for name, value in record.items() if isinstance(value, Formula) and name not in NOT_IMPORTED]
    for name in formulas:
        errors.append(f"“{name}”是公式（{record[name].text[:30]}），文件中没有其计算结果，请复制后“粘贴为数值”再导入")
    for name in REQUIRED_COLUMNS:
        if not get(name) and name not in formulas:
            errors.append(f"“{name}”未填写")
    for name, limit in TEXT_LIMITS.items():
        if len(get(name)) > limit:
            errors.append(f"“{name}”不能超过{limit}字（现为{len(get(name))}字）")
    source = _choice(look.sources, get("事项来源"), "事项来源", errors)
    lead = look.unit(get("牵头单位"), "牵头单位", errors) if get("牵头单位") else None
    cooperating = []
    for name in _names(record.get("协办单位")):
        unit = look.unit(name, "协办单位", errors)
        if unit is not None and unit not in cooperating:
            cooperating.append(unit)
    if lead is not None and lead in cooperating:
        errors.append(f"“{lead.display_name}”不能既是牵头单位又是协办单位")
    leader = None
    if get("责任领导"):
        posts = look.leader_posts(get("责任领导"))
        if not posts:
            errors.append(f"责任领导“{get('责任领导')}”不是区政府领导职务或其现任领导姓名")
        elif len(posts) > 1:
            errors.append(f"责任领导“{get('责任领导')}”对应多个职务，请填写职务名称")
        else:
            leader = posts[0]
    due = start = None
    for column in ("完成时限", "起始日期"):
        raw = record.get(column)
        try:
            value = parse_date(raw)
        except (ValueError, OverflowError):
            errors.append(f"{column}“{_text(raw)}”不是有效日期（如 2026-10-09）")
            continue
        if value is not None and not FIRST_DAY <= value <= LAST_DAY:
            errors.append(f"{column}“{value}”须在{FIRST_DAY.year}年至{LAST_DAY.year}年之间")
            continue
        if column == "完成时限":
            due = value
        else:
            start = value
    start = start or day
    if due is not None and due < start:
        errors.append(f"完成时限{due}早于起始日期{start}")
    state_text = get("状态")
    if state_text.startswith(FINISHED_LABELS):
        errors.append(f"状态为“{state_text}”的事项已结束，不能作为新事项导入；新事项的“状态”请留空或填“草稿”")
    issue = not state_text.startswith(ItemState.DRAFT.label)
    if issue and due is not None and due < day:  # SUP-1: not assigned overdue (services.issue_item refuses it too)
        errors.append(f"完成时限{due}早于今天，不能交办（第四十七条）；如只登记为草稿，请将“状态”填为“草稿”")
    kind = _choice(look.kinds, get("督查方式"), "督查方式", errors)
    cycle = _choice(look.cycles, get("报告周期"), "报告周期", errors)
    fields = {
        "source": source,
        "source_ref": get("来源依据"),
        "task": get("督办事项"),
        "lead_unit": lead,
        "cooperating_units": cooperating,
        "leader_post": leader,
        "due": due,
        "standard": get("量化标准"),
        "kind": kind,
        "cycle": cycle,
        "period_start": start,
    }
    if source == Source.INSPECTION:
        rect = {
            "problem": get("发现问题") or get("督办事项"),
            "level": _choice(look.levels, get("督查层级").removesuffix("级"), "督查层级", errors),
            "found_by": get("督查组/来源"),
            "measures": get("整改措施"),
            "is_major": get("重大问题") in ("是", "√", "Y", "y", "TRUE", "True", "1"),
        }
        for key, label in (("level", "督查层级"), ("found_by", "督查组/来源"), ("measures", "整改措施")):
            if not rect[key] and not any(label in e for e in errors):
                errors.append(f"督查发现问题须填写“{label}”（第四十九条、第四十三条）")
        fields["rectification"] = rect
    if source in PROPOSAL_SOURCES:
        proposal = {"number": get("建议/提案号"), "proposer": get("代表/委员"), "session": get("届次")}
        for key, label in (("number", "建议/提案号"), ("proposer", "代表/委员")):
            if not proposal[key]:
                errors.append(f"人大代表建议、政协委员提案须填写“{label}”（第四十二条）")
        fields["proposal"] = proposal
    return fields, issue, errors


def items_in_ledger(records: list[tuple[int, dict]]) -> dict[str, tuple[str, str]]:
    """The items the sheet's 督办编号 cells name, by the compared number: (number, state). One query."""
    keys = {normalise_reference(_text(record.get("督办编号"))) for _, record in records} - {""}
    if not keys:
        return {}
    found = SupervisionItem.objects.filter(number__in=sorted(keys)).values_list("number", "state")
    return {normalise_reference(number): (number, state) for number, state in found}


def validate_rows(records: list[tuple[int, dict]], *, day: dt.date) -> tuple[list[ParsedRow], list[RowError]]:
    """Check every row; nothing is written. A row naming an item already in the ledger by its 督办编号 (the ledger's
    own export, imported back) is refused whatever the item's state: it would be that item a second time (SUP-5).
    Duplicates (SUP-5) are checked against open items and within the sheet (the same source reference twice)."""
    look = _Lookups(day)
    parsed, errors = [], []
    seen_refs: dict[str, int] = {}
    known = items_in_ledger(records)
    for number, record in records:
        existing = known.get(normalise_reference(_text(record.get("督办编号"))))
        if existing is not None:
            item_number, state = existing
            reason = f"督办编号{item_number}已在台账中，状态为“{ItemState(state).label}”，未重复导入（第五十条）"
            errors.append(RowError(number, [f"{reason}；导入新事项时请删去该行"]))
            continue
        fields, issue, reasons = _parse_row(record, look, day)
        ref = fields["source_ref"]
        key = normalise_reference(ref)  # 〔2026〕 and [2026], full- and half-width, spaces: one reference
        if key and key in seen_refs:
            reasons.append(f"来源依据“{ref}”与第{seen_refs[key]}行重复（第五十条）")
        elif key:
            seen_refs[key] = number
        if not reasons:
            other = services.find_duplicate(
                source_ref=ref,
                lead_unit=fields["lead_unit"],
                task=fields["task"],
                period_start=fields["period_start"],
                due=fields["due"],
            )
            if other is not None:
                reasons.append(f"与在办事项“{other.number}”重复，不得重复督查（第五十条）")
        if reasons:
            errors.append(RowError(number, reasons))
        else:
            parsed.append(ParsedRow(number, fields, issue))
    return parsed, errors


class _RowFailed(Exception):
    def __init__(self, row: int, message: str):
        super().__init__(message)
        self.row = row
        self.message = message


def import_ledger(file, *, actor, today: dt.date | None = None) -> ImportResult:
    """Import the sheet or nothing: returns the created items, or the errors by Excel row number."""
    day = today or timezone.localdate()
    try:
        records = read_sheet(file)
    except SheetError as exc:
        return ImportResult(errors=[RowError(None, [str(exc)])])
    if not records:
        return ImportResult(errors=[RowError(None, ["表格中没有督查事项。"])])
    parsed, errors = validate_rows(records, day=day)
    if errors:
        return ImportResult(errors=errors)
    created: list[SupervisionItem] = []
    rows_of: dict[int, int] = {}
    try:
        with transaction.atomic():
            for row in parsed:
                try:
                    item = services.create_item(actor=actor, issue=row.issue, today=day, **row.fields)
                except services.DuplicateItem as exc:
                    earlier = rows_of.get(exc.existing.pk)
                    message = f"与本表第{earlier}行重复，不得重复督查（第五十条）" if earlier else exc.message
                    raise _RowFailed(row.row, message) from exc
                except services.SupervisionError as exc:
                    raise _RowFailed(row.row, exc.message) from exc
                created.append(item)
                rows_of[item.pk] = row.row
    except _RowFailed as failed:
        return ImportResult(errors=[RowError(failed.row, [f"{failed.message}（全部未导入）"])])
    return ImportResult(created=created)

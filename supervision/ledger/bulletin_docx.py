"""The situation bulletin (督查情况通报, SUP-4) as a .docx, in the GB/T 9704-2012 look the office uses.

Pure: takes a BulletinLayout of plain values (the view decides what goes in) and returns bytes. Fonts and sizes
come from `tiexi_gov.gbt9704`: A4 with its 版心 margins, 2号小标宋 title, 3号仿宋 body, 一、 headings in
黑体, East Asian fonts set on every run (python-docx alone sets only the Latin font). The per-unit tables are
in 4号仿宋 so that four columns fit the 156 mm 版心; the 成文日期 is in Arabic numerals (7.3.5.4).
"""

from __future__ import annotations

import datetime as dt
import io
from dataclasses import dataclass

from docx import Document
from docx.enum.table import WD_TABLE_ALIGNMENT
from docx.enum.text import WD_ALIGN_PARAGRAPH, WD_LINE_SPACING
from docx.oxml import OxmlElement
from docx.oxml.ns import qn
from docx.shared import Mm, Pt

from tiexi_gov.gbt9704 import (
    BODY_PT,
    BOTTOM_MM,
    EDITION_PT,
    FANGSONG,
    HEITI,
    LEFT_MM,
    RIGHT_MM,
    SONGTI,
    TEXT_WIDTH_MM,
    TITLE_PT,
    TOP_MM,
    XIAOBIAOSONG,
    format_cn_date,
    set_run_font,
)
from tiexi_gov.http import CONTROL

TABLE_HEADER = ("编号", "督办事项", "完成时限", "状态/超期工作日数")
COLUMN_MM = (32, 66, 24, 34)
assert sum(COLUMN_MM) == TEXT_WIDTH_MM  # the tables span the 156 mm 版心
CN_NUMBERS = "一二三四五六七八九十"
LINE_PT = 28.95  # GB/T 9704 5.2.2: 22 lines a page


@dataclass(frozen=True)
class BulletinRow:
    number: str
    task: str
    due: str
    status: str


@dataclass(frozen=True)
class BulletinSection:
    heading: str  # e.g. "财政局（超期未办结2件，逾期办结1件）"
    rows: tuple[BulletinRow, ...] = ()


@dataclass(frozen=True)
class BulletinLayout:
    title: str
    summary: str
    sections: tuple[BulletinSection, ...]
    issuer: str
    date: dt.date
    closing: str = ""
    empty_text: str = "本期无超期未办结和逾期办结事项。"


def _clean(text: str) -> str:
    """Without control characters (tiexi_gov.http.CONTROL): XML cannot hold them, and one saved before the pages
    refused them would stop the whole bulletin."""
    return CONTROL.sub("", text) if text else text


def cn_ordinal(n: int) -> str:
    """1 → 一, 12 → 十二, 20 → 二十 (heading ordinals, GB/T 9704 7.3.3)."""
    if n <= 10:
        return CN_NUMBERS[n - 1]
    tens, ones = divmod(n, 10)
    head = "" if tens == 1 else CN_NUMBERS[tens - 1]
    return f"{head}十{CN_NUMBERS[ones - 1] if ones else ''}"


def render_bulletin(layout: BulletinLayout) -> bytes:
    doc = Document()
    _setup(doc)
    body = doc.element.body
    for child in list(body):
        if child.tag == qn("w:p"):
            body.remove(child)

    p = _para(doc, WD_ALIGN_PARAGRAPH.CENTER, line_pt=TITLE_PT * 1.5)
    set_run_font(p.add_run(_clean(layout.title)), XIAOBIAOSONG, TITLE_PT)
    _para(doc, WD_ALIGN_PARAGRAPH.LEFT)

    _body(doc, layout.summary)
    if not layout.sections:
        _body(doc, layout.empty_text)
    for i, section in enumerate(layout.sections, start=1):
        p = _para(doc, WD_ALIGN_PARAGRAPH.JUSTIFY)
        p.paragraph_format.first_line_indent = Pt(BODY_PT * 2)
        set_run_font(p.add_run(_clean(f"{cn_ordinal(i)}、{section.heading}")), HEITI, BODY_PT)
        _table(doc, section.rows)
    if layout.closing:
        _body(doc, layout.closing)

    # 7.3.5.2 (no seal on a bulletin): issuer two characters in from the right, the date under it.
    _para(doc, WD_ALIGN_PARAGRAPH.LEFT)
    for text in (layout.issuer, format_cn_date(layout.date)):
        p = _para(doc, WD_ALIGN_PARAGRAPH.RIGHT)
        p.paragraph_format.right_indent = Pt(BODY_PT * 2)
        set_run_font(p.add_run(_clean(text)), FANGSONG, BODY_PT)

    props = doc.core_properties
    props.title = _clean(layout.title)
    props.author = _clean(layout.issuer)
    props.language = "zh-CN"
    out = io.BytesIO()
    doc.save(out)
    return out.getvalue()


def _setup(doc) -> None:
    section = doc.sections[0]
    section.page_width, section.page_height = Mm(210), Mm(297)
    section.top_margin, section.bottom_margin = Mm(TOP_MM), Mm(BOTTOM_MM)
    section.left_margin, section.right_margin = Mm(LEFT_MM), Mm(RIGHT_MM)
    normal = doc.styles["Normal"]
    normal.font.name = FANGSONG
    normal.font.size = Pt(BODY_PT)
    rfonts = normal.element.get_or_add_rPr().get_or_add_rFonts()
    for attr in ("w:ascii", "w:hAnsi", "w:eastAsia", "w:cs"):
        rfonts.set(qn(attr), FANGSONG)
    fmt = normal.paragraph_format
    fmt.space_before = fmt.space_after = Pt(0)
    _page_number(section)


def _page_number(section) -> None:
    """7.5: "— N —" in 4号宋体 at the foot of every page (centred: the bulletin is printed one-sided)."""
    p = section.footer.paragraphs[0]
    p.alignment = WD_ALIGN_PARAGRAPH.CENTER
    set_run_font(p.add_run("— "), SONGTI, EDITION_PT)
    for kind, text in (("begin", None), ("instr", " PAGE "), ("separate", None), ("text", "1"), ("end", None)):
        run = set_run_font(p.add_run(text if kind == "text" else None), SONGTI, EDITION_PT)
        if kind == "instr":
            el = OxmlElement("w:instrText")
            el.set(qn("xml:space"), "preserve")
            el.text = text
            run._r.append(el)
        elif kind != "text":
            el = OxmlElement("w:fldChar")
            el.set(qn("w:fldCharType"), kind)
            run._r.append(el)
    set_run_font(p.add_run(" —"), SONGTI, EDITION_PT)


def _para(doc, align, *, line_pt: float = LINE_PT):
    p = doc.add_paragraph()
    fmt = p.paragraph_format
    fmt.alignment = align
    fmt.space_before = fmt.space_after = Pt(0)
    fmt.line_spacing_rule = WD_LINE_SPACING.EXACTLY
    fmt.line_spacing = Pt(line_pt)
    return p


def _body(doc, text: str) -> None:
    p = _para(doc, WD_ALIGN_PARAGRAPH.JUSTIFY)
    p.paragraph_format.first_line_indent = Pt(BODY_PT * 2)
    set_run_font(p.add_run(_clean(text)), FANGSONG, BODY_PT)


def _table(doc, rows: tuple[BulletinRow, ...]) -> None:
    table = doc.add_table(rows=1 + len(rows), cols=len(TABLE_HEADER))
    table.style = "Table Grid"
    table.alignment = WD_TABLE_ALIGNMENT.CENTER
    table.autofit = False
    for i, width in enumerate(COLUMN_MM):
        table.columns[i].width = Mm(width)
    for row in table.rows:  # Word reads the cell widths, LibreOffice the grid: set both
        for i, width in enumerate(COLUMN_MM):
            row.cells[i].width = Mm(width)
    for i, text in enumerate(TABLE_HEADER):
        _cell(table.rows[0].cells[i], text, HEITI, WD_ALIGN_PARAGRAPH.CENTER)
    header = table.rows[0]._tr.get_or_add_trPr()
    repeat = OxmlElement("w:tblHeader")  # the header row repeats on every page
    header.append(repeat)
    for r, row in enumerate(rows, start=1):
        cells = table.rows[r].cells
        for i, (text, align) in enumerate(
            (
                (row.number, WD_ALIGN_PARAGRAPH.CENTER),
                (row.task, WD_ALIGN_PARAGRAPH.LEFT),
                (row.due, WD_ALIGN_PARAGRAPH.CENTER),
                (row.status, WD_ALIGN_PARAGRAPH.LEFT),
            )
        ):
            _cell(cells[i], text, FANGSONG, align)
    _para(doc, WD_ALIGN_PARAGRAPH.LEFT, line_pt=EDITION_PT)


def _cell(cell, text: str, font: str, align) -> None:
    p = cell.paragraphs[0]
    p.alignment = align
    fmt = p.paragraph_format
    fmt.space_before = fmt.space_after = Pt(0)
    fmt.line_spacing_rule = WD_LINE_SPACING.SINGLE
    set_run_font(p.add_run(_clean(text)), font, EDITION_PT)

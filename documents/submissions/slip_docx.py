"""The 公文处理单 as a .docx (python-docx): A4, one table in the paper form's order.

python-docx's `font.name` sets only the Latin font; Chinese text needs `w:eastAsia` on `w:rFonts`, or Word
falls back to its default East Asian font. Every run here goes through `_run` so none is missed.
"""

from __future__ import annotations

import io

from django.utils import timezone
from docx import Document
from docx.enum.table import WD_CELL_VERTICAL_ALIGNMENT, WD_TABLE_ALIGNMENT
from docx.enum.text import WD_ALIGN_PARAGRAPH
from docx.oxml import OxmlElement
from docx.oxml.ns import qn
from docx.shared import Mm, Pt

from tiexi_gov.deadlines.display import due_label
from tiexi_gov.http import CONTROL

from .selectors import instruction_text

TITLE_FONT = "方正小标宋简体"
BODY_FONT = "仿宋_GB2312"
LABEL_FONT = "宋体"
BODY_SIZE = Pt(12)
SMALL_SIZE = Pt(10.5)


def set_run_font(run, name: str, size=None, bold: bool | None = None) -> None:
    """Set both the Latin and the East Asian font of a run."""
    run.font.name = name
    rpr = run._element.get_or_add_rPr()
    rfonts = rpr.find(qn("w:rFonts"))
    if rfonts is None:
        rfonts = OxmlElement("w:rFonts")
        rpr.insert(0, rfonts)
    for attr in ("w:ascii", "w:hAnsi", "w:eastAsia", "w:cs"):
        rfonts.set(qn(attr), name)
    if size is not None:
        run.font.size = size
    if bold is not None:
        run.font.bold = bold


def _run(paragraph, text: str, font: str = BODY_FONT, size=BODY_SIZE, bold: bool | None = None):
    # A control character saved before the pages refused them would stop the whole slip (XML cannot hold it).
    run = paragraph.add_run(CONTROL.sub("", text) if text else text)
    set_run_font(run, font, size, bold)
    return run


def _cell_text(cell, text: str, *, font: str = BODY_FONT, bold=None, align=None) -> None:
    p = cell.paragraphs[0]
    lines = (text or "").split("\n")
    for i, line in enumerate(lines):
        if i:
            p = cell.add_paragraph()
        _run(p, line, font=font, bold=bold)
        if align is not None:
            p.alignment = align


def _label(cell, text: str) -> None:
    _cell_text(cell, text, font=LABEL_FONT, bold=True, align=WD_ALIGN_PARAGRAPH.CENTER)
    cell.vertical_alignment = WD_CELL_VERTICAL_ALIGNMENT.CENTER


def _signed_entries(cell, entries) -> None:
    """Each opinion with its signature line (name, post, capacity, date) right-aligned under it."""
    first = True
    for text, signature in entries:
        p = cell.paragraphs[0] if first else cell.add_paragraph()
        first = False
        _run(p, text)
        sig = cell.add_paragraph()
        sig.alignment = WD_ALIGN_PARAGRAPH.RIGHT
        _run(sig, signature, size=SMALL_SIZE)


def _signature(i) -> str:
    day = timezone.localdate(i.at)  # the day in 四平: an instruction signed before 08:00 is not dated the day before
    return f"{i.signed_as}　{day:%Y年%-m月%-d日}"


def _consultation_lines(data) -> str:
    lines = []
    for c in data["consultations"]:
        name = c.unit.display_name
        if c.state == c.State.DEEMED:
            lines.append(f"{name}：{c.DEEMED_TEXT}（{c.deemed_on:%Y年%-m月%-d日}）")
        elif c.state == c.State.ANSWERED:
            extra = f"，{c.reply_text}" if c.reply_text else ""
            lines.append(f"{name}：{c.get_reply_display()}{extra}")
        elif c.state == c.State.OPEN:
            lines.append(f"{name}：待回复")
    return "\n".join(lines) or data["slip"].consultation_summary or "—"


def build_slip_docx(data: dict) -> bytes:
    """`data` is selectors.slip_detail(slip). Returns the .docx bytes."""
    slip = data["slip"]
    doc = Document()
    section = doc.sections[0]
    section.page_width, section.page_height = Mm(210), Mm(297)
    section.top_margin = section.bottom_margin = Mm(20)
    section.left_margin = section.right_margin = Mm(18)

    normal = doc.styles["Normal"]
    normal.font.name = BODY_FONT
    normal.font.size = BODY_SIZE
    rpr = normal.element.get_or_add_rPr()
    rfonts = rpr.find(qn("w:rFonts"))
    if rfonts is None:
        rfonts = OxmlElement("w:rFonts")
        rpr.insert(0, rfonts)
    rfonts.set(qn("w:eastAsia"), BODY_FONT)

    title = doc.paragraphs[0] if doc.paragraphs else doc.add_paragraph()
    title.alignment = WD_ALIGN_PARAGRAPH.CENTER
    _run(title, "铁西区人民政府办公室公文处理单", font=TITLE_FONT, size=Pt(22))

    table = doc.add_table(rows=0, cols=4)
    table.style = "Table Grid"
    table.alignment = WD_TABLE_ALIGNMENT.CENTER
    widths = (Mm(26), Mm(61), Mm(26), Mm(61))

    def row(*cells):
        r = table.add_row()
        for cell, width in zip(r.cells, widths, strict=True):
            cell.width = width
        return r

    def pair_row(l1, v1, l2, v2):
        r = row()
        _label(r.cells[0], l1)
        _cell_text(r.cells[1], v1)
        _label(r.cells[2], l2)
        _cell_text(r.cells[3], v2)

    def wide_row(label, value=None, entries=None, min_height=None):
        r = row()
        merged = r.cells[1].merge(r.cells[3])
        _label(r.cells[0], label)
        if entries is not None:
            _signed_entries(merged, entries)
        else:
            _cell_text(merged, value or "")
        if min_height is not None:
            r.height = min_height
        return r

    pair_row("收文编号", slip.number, "收文日期", f"{slip.registered_on:%Y年%-m月%-d日}")
    pair_row("来文单位", slip.from_unit_name, "来文字号", slip.unit_doc_number or "—")
    pair_row(
        "紧急程度",
        f"{slip.get_urgency_display()}（{slip.approval_workdays}个工作日内，"
        f"{due_label(slip.approval_due, 'n月j日')}前）",
        "公开属性",
        slip.disclosure_text(),
    )
    wide_row("份数/附件", f"{slip.copies} 份 / 附件 {slip.attachment_count} 个")
    wide_row("标题", slip.title)
    wide_row("拟办意见", entries=[(i.opinion, _signature(i)) for i in data["office_opinions"]], min_height=Mm(30))
    wide_row(
        "领导批示",
        entries=[(instruction_text(i), _signature(i)) for i in data["leader_instructions"]],
        min_height=Mm(40),
    )
    wide_row("会签/征求意见情况", _consultation_lines(data))
    result = slip.result or ""
    if slip.closed_on:
        result += f"（{slip.closed_on:%Y年%-m月%-d日}办结）"
    wide_row("办理结果", result)
    wide_row("备注", slip.remarks or "")

    foot = doc.add_paragraph()
    foot.alignment = WD_ALIGN_PARAGRAPH.RIGHT
    _run(foot, f"登记人：{slip.registered_by.display_name}", size=SMALL_SIZE)

    out = io.BytesIO()
    doc.save(out)
    return out.getvalue()

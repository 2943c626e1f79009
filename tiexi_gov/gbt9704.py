"""Render an issued official document (发文) as .docx laid out per GB/T 9704-2012 《党政机关公文格式》.

Pure: takes an IssuedLayout of plain values and returns bytes; it knows nothing about models, so the outgoing-
document flow decides *what* is printed and this module only decides *where* (GB/T 9704 clause numbers cited
inline). What python-docx has no API for (East Asian fonts, character spacing, borders, fields, the odd/even
footers, the document grid, the floating 版记 table) is written as raw WordprocessingML through oxml.

Met: A4; 天头 37 mm, 订口 28 mm, 版心 156 x 225 mm (5.2.1); 3号仿宋 body; 22 lines a page (exact 28.95 pt line
pitch) and 28 characters a line (3号 runs condensed by 0.25 pt) (5.2.2, 5.2.3); 紧急程度 top left in 3号黑体
(7.2.3); red 发文机关标志 in 小标宋 about 35 mm below the top of the 版心 (7.2.4); 发文字号 two lines below with the
〔〕 year (7.2.5); 签发人 for upward documents (7.2.6); red line under the number (7.2.7); 2号小标宋 title two lines
below the line (7.3.1); 主送 with a full-width colon (7.3.2); heading levels 一、黑体 / （一）楷体 / 1. and （1）仿宋
(7.3.3); 附件说明 numbered with a hanging indent (7.3.4); 署名 and 成文日期 in Arabic numerals, sealed or unsealed
(7.3.5); 附注 in parentheses (7.3.6); 版记 with thick/thin/thick black lines, 抄送 and 印发机关 + 印发日期 in 4号仿宋,
anchored to the bottom of the 版心 (7.4); page numbers "— N —" in 4号宋体, odd pages right and even pages left, one
character in, about 7 mm below the 版心 (7.5).
Not done: 份号 and 密级/保密期限 (the portal is not for classified material); putting the 版记 on an *even* last
page (needs pagination, which only a layout engine knows); the seal itself; LibreOffice before 7.6 keeps a
full-width floating table inline, so there the 版记 follows the body instead of sitting at the page foot.
"""

from __future__ import annotations

import datetime
import io
import math
import re
from dataclasses import dataclass

from docx import Document
from docx.enum.section import WD_ORIENT
from docx.enum.text import WD_ALIGN_PARAGRAPH, WD_LINE_SPACING, WD_TAB_ALIGNMENT
from docx.oxml import OxmlElement
from docx.oxml.ns import qn
from docx.shared import Mm, Pt, RGBColor
from lxml import etree

from tiexi_gov.http import CONTROL

__all__ = [
    "FANGSONG",
    "HEITI",
    "KAITI",
    "SONGTI",
    "XIAOBIAOSONG",
    "IssuedLayout",
    "format_cn_date",
    "heading_level",
    "render_issued_document",
    "set_run_font",
]

# Font names as government templates spell them; FONT_FALLBACKS goes into the font table as w:altName so a
# machine without the GB2312 / 方正 fonts substitutes the nearest system font rather than a Latin one.
FANGSONG = "仿宋_GB2312"
KAITI = "楷体_GB2312"
HEITI = "黑体"
SONGTI = "宋体"
XIAOBIAOSONG = "方正小标宋简体"
FONT_FALLBACKS = {FANGSONG: "仿宋", KAITI: "楷体", XIAOBIAOSONG: "宋体", HEITI: "SimHei", SONGTI: "SimSun"}

RED = RGBColor(0xFF, 0x00, 0x00)
EDITION_THICK_EIGHTHS = 8
EDITION_THIN_EIGHTHS = 6

# 5.2.1 page and 版心 (text area).
PAGE_WIDTH_MM = 210
PAGE_HEIGHT_MM = 297
TOP_MM = 37
LEFT_MM = 28
TEXT_WIDTH_MM = 156
TEXT_HEIGHT_MM = 225
RIGHT_MM = PAGE_WIDTH_MM - LEFT_MM - TEXT_WIDTH_MM  # 26
BOTTOM_MM = PAGE_HEIGHT_MM - TOP_MM - TEXT_HEIGHT_MM  # 35

# 5.2.2 / 5.2.3: 3号 = 16 pt; 22 lines of 28 characters fill the 版心.
BODY_PT = 16
TITLE_PT = 22  # 2号
EDITION_PT = 14  # 4号, 版记 and page numbers
LINES_PER_PAGE = 22
CHARS_PER_LINE = 28
_MM_PT = 72 / 25.4
# 225 mm / 22 = 28.99 pt; 28.95 pt (579 twips) keeps 22 lines inside the 版心 after rounding.
LINE_PITCH_PT = 28.95
# 156 mm / 28 = 15.79 pt per character, but 3号 glyphs are 16 pt wide: every 3号 run is condensed by
# -0.25 pt (w:spacing is in twentieths of a point, so -0.207 pt rounds away from zero to -5) → 15.75 pt,
# 28 characters = 441 pt ≤ 442.2 pt < 29 characters. A lines-and-characters document grid would express the
# same in Word, but LibreOffice gives each too-wide glyph two grid cells (14 characters a line), so no.
BODY_CHAR_SPACING_TWENTIETHS = math.floor((TEXT_WIDTH_MM * 72 / 25.4 / CHARS_PER_LINE - BODY_PT) * 20)
CHAR_PITCH_PT = BODY_PT + BODY_CHAR_SPACING_TWENTIETHS / 20

URGENCIES = ("特急", "加急")

_LEVEL_PATTERNS = (
    (1, re.compile(r"^[一二三四五六七八九十百]+、")),
    (2, re.compile(r"^[（(][一二三四五六七八九十百]+[）)]")),
    (3, re.compile(r"^\d+[.．]")),
    (4, re.compile(r"^[（(]\d+[）)]")),
)
# 7.3.3: first level 黑体, second 楷体, third and fourth 仿宋.
_LEVEL_FONTS = {0: FANGSONG, 1: HEITI, 2: KAITI, 3: FANGSONG, 4: FANGSONG}


@dataclass(frozen=True)
class IssuedLayout:
    """Everything printed on an issued document, already decided by the caller (no model knowledge here).

    `signer` is given only for upward documents (上行文); `sealed` picks the 7.3.5.1 (with seal) or 7.3.5.2
    (without seal) placement of 署名 and 成文日期. `urgency` is 特急 / 加急 or None ("一般" means none).
    Lists are stored as tuples so the layout stays immutable and hashable.
    """

    masthead: str
    doc_number: str
    title: str
    main_recipients: str
    body: tuple[str, ...]
    issuer_signature: str
    date: datetime.date
    printer: str
    print_date: datetime.date
    signer: str | None = None
    attachments: tuple[str, ...] = ()
    note: str | None = None
    cc: str | None = None
    urgency: str | None = None
    sealed: bool = True

    def __post_init__(self):
        object.__setattr__(self, "body", tuple(self.body))
        object.__setattr__(self, "attachments", tuple(a for a in self.attachments if a and a.strip()))
        urgency = (self.urgency or "").strip()
        if urgency in ("", "一般"):
            urgency = None
        elif urgency not in URGENCIES:
            raise ValueError(f"紧急程度只能标注“特急”或“加急”，不能是“{self.urgency}”（GB/T 9704-2012 7.2.3）。")
        object.__setattr__(self, "urgency", urgency)
        for name in ("masthead", "doc_number", "title", "issuer_signature", "printer"):
            if not (getattr(self, name) or "").strip():
                raise ValueError(f"{name} is required on an issued document")


def format_cn_date(day: datetime.date) -> str:
    """7.3.5.4 / 7.4.3: Arabic numerals, full year, no leading zeros (2026年3月5日)."""
    return f"{day.year}年{day.month}月{day.day}日"


def set_run_font(run, name: str, size_pt: float | None = None, *, bold: bool | None = None, color=None):
    """Set Latin *and* East Asian font on a run: python-docx's font.name only fills w:ascii/w:hAnsi, so Chinese
    text would fall back to the theme font without w:eastAsia."""
    run.font.name = name
    rfonts = run._r.get_or_add_rPr().get_or_add_rFonts()
    for attr in ("w:ascii", "w:hAnsi", "w:eastAsia", "w:cs"):
        rfonts.set(qn(attr), name)
    for attr in ("w:asciiTheme", "w:hAnsiTheme", "w:eastAsiaTheme", "w:cstheme"):
        rfonts.attrib.pop(qn(attr), None)
    if size_pt is not None:
        run.font.size = Pt(size_pt)
        _set_child_val(run._r.get_or_add_rPr(), "w:szCs", str(round(size_pt * 2)))
    if bold is not None:
        run.font.bold = bold
    if color is not None:
        run.font.color.rgb = color
    return run


def render_issued_document(layout: IssuedLayout) -> bytes:
    """Return the .docx bytes of the issued document."""
    doc = Document()
    _setup_page(doc)
    _setup_defaults(doc)
    _setup_font_table(doc)
    _page_number_footers(doc)
    body = doc.element.body
    for child in list(body):  # the default template's empty paragraph
        if child.tag == qn("w:p"):
            body.remove(child)

    _head(doc, layout)
    _main(doc, layout)
    _edition_record(doc, layout)

    props = doc.core_properties
    props.title = CONTROL.sub("", layout.title.replace("\n", ""))
    props.author = layout.issuer_signature
    props.subject = layout.doc_number
    props.language = "zh-CN"
    out = io.BytesIO()
    doc.save(out)
    return out.getvalue()


# ---------------------------------------------------------------------------------------------------------
# page, defaults, fonts


def _setup_page(doc):
    section = doc.sections[0]
    section.orientation = WD_ORIENT.PORTRAIT
    section.page_width = Mm(PAGE_WIDTH_MM)
    section.page_height = Mm(PAGE_HEIGHT_MM)
    section.top_margin = Mm(TOP_MM)
    section.bottom_margin = Mm(BOTTOM_MM)
    section.left_margin = Mm(LEFT_MM)
    section.right_margin = Mm(RIGHT_MM)
    section.gutter = Mm(0)
    section.header_distance = Mm(15)
    # 7.5: the dash above the number is 7 mm under the 版心 (35 - 7 = 28 mm from the page edge), the footer
    # line is exactly 14 pt high, so its bottom sits 28 mm - 14 pt from the edge.
    section.footer_distance = Mm(BOTTOM_MM - 7) - Pt(EDITION_PT)
    sect_pr = section._sectPr
    grid = sect_pr.find(qn("w:docGrid"))
    if grid is None:
        grid = OxmlElement("w:docGrid")
        sect_pr.append(grid)
    # 5.2.3: 22 lines a page; every paragraph also sets the exact line height, which is what really counts.
    grid.set(qn("w:type"), "lines")
    grid.set(qn("w:linePitch"), str(round(LINE_PITCH_PT * 20)))


def _setup_defaults(doc):
    styles = doc.styles.element
    defaults = styles.find(qn("w:docDefaults"))
    rpr = defaults.find(qn("w:rPrDefault")).find(qn("w:rPr"))
    rfonts = rpr.find(qn("w:rFonts"))
    for attr in list(rfonts.attrib):
        del rfonts.attrib[attr]
    for attr in ("w:ascii", "w:hAnsi", "w:eastAsia", "w:cs"):
        rfonts.set(qn(attr), FANGSONG)
    _set_child_val(rpr, "w:sz", str(BODY_PT * 2))
    _set_child_val(rpr, "w:szCs", str(BODY_PT * 2))
    lang = rpr.find(qn("w:lang"))
    lang.set(qn("w:val"), "en-US")
    lang.set(qn("w:eastAsia"), "zh-CN")
    ppr = defaults.find(qn("w:pPrDefault")).find(qn("w:pPr"))
    spacing = ppr.find(qn("w:spacing"))
    spacing.set(qn("w:before"), "0")
    spacing.set(qn("w:after"), "0")
    spacing.set(qn("w:line"), str(round(LINE_PITCH_PT * 20)))
    spacing.set(qn("w:lineRule"), "exact")

    normal = doc.styles["Normal"]
    normal.font.name = FANGSONG
    normal.font.size = Pt(BODY_PT)
    nfonts = normal.element.get_or_add_rPr().get_or_add_rFonts()
    nfonts.set(qn("w:eastAsia"), FANGSONG)
    fmt = normal.paragraph_format
    fmt.space_before = Pt(0)
    fmt.space_after = Pt(0)
    fmt.line_spacing_rule = WD_LINE_SPACING.EXACTLY
    fmt.line_spacing = Pt(LINE_PITCH_PT)
    fmt.widow_control = False  # keeps every page at exactly 22 lines


def _setup_font_table(doc):
    """Declare the Chinese fonts with fallbacks (w:altName) in word/fontTable.xml."""
    font_part = None
    for rel in doc.part.rels.values():
        if rel.reltype.endswith("/fontTable"):
            font_part = rel.target_part
    if font_part is None:  # pragma: no cover - the default template always has one
        return

    root = etree.fromstring(font_part.blob)
    existing = {f.get(qn("w:name")) for f in root.findall(qn("w:font"))}
    for name, alt in FONT_FALLBACKS.items():
        if name in existing:
            continue
        font = etree.SubElement(root, qn("w:font"))
        font.set(qn("w:name"), name)
        for tag, val in (("w:altName", alt), ("w:charset", "86"), ("w:family", "auto"), ("w:pitch", "variable")):
            child = etree.SubElement(font, qn(tag))
            child.set(qn("w:val"), val)
    font_part._blob = etree.tostring(root, xml_declaration=True, encoding="UTF-8", standalone=True)


# ---------------------------------------------------------------------------------------------------------
# 版头


def _head(doc, layout: IssuedLayout):
    used_pt = 0.0
    if layout.urgency:
        # 7.2.3: 顶格 at the top left of the 版心, 3号黑体.
        p = _para(doc, align=WD_ALIGN_PARAGRAPH.LEFT)
        _run(p, layout.urgency, HEITI, BODY_PT)
        used_pt += LINE_PITCH_PT

    # 7.2.4: centred, red, 小标宋, its upper edge 35 mm below the top of the 版心. The size is not fixed by the
    # standard; fit the name in the 版心 width and squeeze long names horizontally instead of shrinking them.
    chars = _visual_width(layout.masthead)
    size = max(36.0, min(54.0, math.floor(TEXT_WIDTH_MM * _MM_PT * 0.97 / chars)))
    scale = min(100, math.floor(TEXT_WIDTH_MM * _MM_PT * 0.97 / (chars * size) * 100))
    line = size * 1.2
    p = _para(doc, align=WD_ALIGN_PARAGRAPH.CENTER, line_pt=line)
    # The glyph's top sits roughly (line - size) / 2 below the top of its exact-height line box.
    p.paragraph_format.space_before = Pt(max(0.0, 35 * _MM_PT - used_pt - (line - size) / 2))
    run = _run(p, layout.masthead, XIAOBIAOSONG, size, color=RED)
    if scale < 100:
        _set_child_val(run._r.get_or_add_rPr(), "w:w", str(scale), before=("w:kern", "w:position", "w:sz"))

    # 7.2.5: 发文字号 two blank lines below the masthead; centred, or (7.2.6, 上行文) left with one character
    # in while "签发人：姓名" stands right with one character in, on the same line.
    _blank(doc, 2)
    p = _para(doc, align=WD_ALIGN_PARAGRAPH.LEFT if layout.signer else WD_ALIGN_PARAGRAPH.CENTER)
    if layout.signer:
        tabs = p.paragraph_format.tab_stops
        tabs.add_tab_stop(Pt(CHAR_PITCH_PT), WD_TAB_ALIGNMENT.LEFT)
        tabs.add_tab_stop(Mm(TEXT_WIDTH_MM) - Pt(CHAR_PITCH_PT), WD_TAB_ALIGNMENT.RIGHT)
        _run(p, "\t" + layout.doc_number + "\t", FANGSONG, BODY_PT)
        _run(p, "签发人：", FANGSONG, BODY_PT)
        _run(p, layout.signer, KAITI, BODY_PT)
    else:
        _run(p, layout.doc_number, FANGSONG, BODY_PT)
    # 7.2.7: a red line as wide as the 版心, 4 mm below the number: the paragraph's bottom border (the
    # paragraph has no indents, so the border spans the whole 版心).
    # The border's own gap is measured from the line box, which already ends ~5 pt under the glyphs.
    _border(p, "bottom", color="FF0000", eighths=12, space_pt=round(4 * _MM_PT) - 5)


# ---------------------------------------------------------------------------------------------------------
# 主体


def _main(doc, layout: IssuedLayout):
    # 7.3.1: two blank lines under the red line, 2号小标宋, centred, several lines allowed.
    _blank(doc, 2)
    p = _para(doc, align=WD_ALIGN_PARAGRAPH.CENTER, line_pt=TITLE_PT * 1.5)
    lines = [ln.strip() for ln in layout.title.split("\n") if ln.strip()]
    for i, text in enumerate(lines):
        run = _run(p, text, XIAOBIAOSONG, TITLE_PT)
        if i < len(lines) - 1:
            run.add_break()

    # 7.3.2: one blank line under the title, 顶格, ending in a full-width colon.
    _blank(doc, 1)
    recipients = (layout.main_recipients or "").strip().rstrip(":：")
    if recipients:
        p = _para(doc, align=WD_ALIGN_PARAGRAPH.JUSTIFY)
        _run(p, recipients + "：", FANGSONG, BODY_PT)

    # 7.3.3: each paragraph two characters in, wrapped lines 顶格.
    for text in layout.body:
        text = (text or "").strip()
        if not text:
            continue
        p = _para(doc, align=WD_ALIGN_PARAGRAPH.JUSTIFY)
        _indent(p, first_line_chars=2)
        level = heading_level(text)
        head, rest = _split_heading(text) if level else (text, "")
        _run(p, head, _LEVEL_FONTS[level], BODY_PT)
        if rest:
            _run(p, rest, FANGSONG, BODY_PT)

    if layout.attachments:
        _attachment_note(doc, layout.attachments)

    _signature_and_date(doc, layout)

    # 7.3.6: 附注 one line under the date, two characters in, in parentheses.
    note = (layout.note or "").strip()
    if note:
        if not (note.startswith(("（", "(")) and note.endswith(("）", ")"))):
            note = f"（{note}）"
        p = _para(doc, align=WD_ALIGN_PARAGRAPH.LEFT)
        _indent(p, first_line_chars=2)
        _run(p, note, FANGSONG, BODY_PT)


def heading_level(text: str) -> int:
    """Structure level of a body paragraph by its ordinal (7.3.3): 一、=1, （一）=2, 1.=3, （1）=4, else 0."""
    for level, pattern in _LEVEL_PATTERNS:
        if pattern.match(text):
            return level
    return 0


def _split_heading(text: str) -> tuple[str, str]:
    """A heading run in on one line with its text ("（一）明确责任。各单位……"): only the heading sentence takes
    the level's font."""
    stop = text.find("。")
    if 0 < stop < len(text) - 1:
        return text[: stop + 1], text[stop + 1 :]
    return text, ""


def _attachment_note(doc, attachments: tuple[str, ...]):
    """7.3.4: one blank line under the body, "附件：" two characters in; several attachments are numbered
    "1." …; no punctuation after a name; a wrapped name aligns with the first character of the name."""
    _blank(doc, 1)
    numbered = len(attachments) > 1
    label = "附件："
    for i, name in enumerate(attachments, start=1):
        name = name.strip().rstrip("。.；;，,")
        number = f"{i}." if numbered else ""
        name_start = 2 + _visual_width(label) + _visual_width(number)
        p = _para(doc, align=WD_ALIGN_PARAGRAPH.LEFT)
        if i == 1:
            # The first line starts at two characters; the hanging indent brings wraps under the name.
            _indent(p, left_chars=name_start, hanging_chars=name_start - 2)
            _run(p, label + number + name, FANGSONG, BODY_PT)
        else:
            _indent(p, left_chars=name_start, hanging_chars=_visual_width(number))
            _run(p, number + name, FANGSONG, BODY_PT)


def _signature_and_date(doc, layout: IssuedLayout):
    date_text = format_cn_date(layout.date)
    sig = layout.issuer_signature.strip()
    date_w = _visual_width(date_text)
    sig_w = _visual_width(sig)
    if layout.sealed:
        # 7.3.5.1: date four characters in from the right; the signature centred over the date; the seal
        # (applied later) presses on both with its top within one line of the text: leave two blank lines.
        _blank(doc, 2)
        date_right = 4.0
        sig_right = date_right + (date_w - sig_w) / 2
        if sig_right < 2:  # a long name: keep it two characters in and move the date to stay centred under it
            date_right += 2 - sig_right
            sig_right = 2
    else:
        # 7.3.5.2: signature one blank line under the text, two characters in from the right; the date below,
        # its first character two characters right of the signature's; a longer date stays two characters in.
        _blank(doc, 1)
        sig_right = 2.0
        date_right = sig_right + sig_w - 2 - date_w
        if date_right < 2:
            date_right = 2.0
            sig_right = date_right + date_w + 2 - sig_w
    for text, right in ((sig, sig_right), (date_text, date_right)):
        p = _para(doc, align=WD_ALIGN_PARAGRAPH.RIGHT)
        _indent(p, right_chars=right)
        _run(p, text, FANGSONG, BODY_PT)


# ---------------------------------------------------------------------------------------------------------
# 版记


def _edition_record(doc, layout: IssuedLayout):
    """7.4: 抄送 and 印发机关/印发日期 in 4号仿宋 between a thick first and last line with a thin line between, as
    wide as the 版心, the last line on the bottom edge of the 版心. A floating table anchored to the bottom of the
    margin box puts it there whatever the length of the body (Word; LibreOffice before 7.6 keeps full-width
    floating tables inline, so there the 版记 simply follows the body)."""
    cc = (layout.cc or "").strip().rstrip("。.")
    table = doc.add_table(rows=2 if cc else 1, cols=1)
    tbl_pr = table._tbl.tblPr
    for old in list(tbl_pr):
        tbl_pr.remove(old)
    width_twips = str(round(TEXT_WIDTH_MM * _MM_PT * 20))
    _sub(
        tbl_pr,
        "w:tblpPr",
        leftFromText="0",
        rightFromText="0",
        topFromText="0",
        bottomFromText="0",
        vertAnchor="margin",
        horzAnchor="margin",
        tblpXSpec="center",
        tblpYSpec="bottom",
    )
    _sub(tbl_pr, "w:tblOverlap", val="never")
    _sub(tbl_pr, "w:tblW", w=width_twips, type="dxa")
    _sub(tbl_pr, "w:jc", val="center")
    borders = _sub(tbl_pr, "w:tblBorders")
    # 0.35 mm ≈ 1 pt (8 eighths of a point) for the first and last line, 0.25 mm ≈ 0.75 pt between.
    for side, size in (
        ("top", EDITION_THICK_EIGHTHS),
        ("left", 0),
        ("bottom", EDITION_THICK_EIGHTHS),
        ("right", 0),
        ("insideH", EDITION_THIN_EIGHTHS),
        ("insideV", 0),
    ):
        if size:
            _sub(borders, f"w:{side}", val="single", sz=str(size), space="0", color="000000")
        else:
            _sub(borders, f"w:{side}", val="nil")
    _sub(tbl_pr, "w:tblLayout", type="fixed")
    margins = _sub(tbl_pr, "w:tblCellMar")
    for side in ("left", "right"):
        _sub(margins, f"w:{side}", w="0", type="dxa")
    table._tbl.tblGrid.gridCol_lst[0].set(qn("w:w"), width_twips)
    for row in table.rows:
        row.cells[0].width = Mm(TEXT_WIDTH_MM)
        _sub(row._tr.get_or_add_trPr(), "w:cantSplit")

    cells = [row.cells[0] for row in table.rows]
    if cc:
        p = cells.pop(0).paragraphs[0]
        _format(p, WD_ALIGN_PARAGRAPH.JUSTIFY)
        p.paragraph_format.keep_with_next = True  # the 版记 is never split over two pages
        # 7.4.2: one character in on both sides; wraps align with the character after the colon.
        _indent(p, left_chars=1 + 3, hanging_chars=3, right_chars=1, char_pt=EDITION_PT)
        _run(p, f"抄送：{cc}。", FANGSONG, EDITION_PT)
    # 7.4.3: 印发机关 one character in on the left, 印发日期 one character in on the right, "印发" after it.
    p = cells[0].paragraphs[0]
    _format(p, WD_ALIGN_PARAGRAPH.LEFT)
    _indent(p, left_chars=1, right_chars=1, char_pt=EDITION_PT)
    p.paragraph_format.tab_stops.add_tab_stop(Mm(TEXT_WIDTH_MM) - Pt(EDITION_PT), WD_TAB_ALIGNMENT.RIGHT)
    _run(p, layout.printer.strip() + "\t" + format_cn_date(layout.print_date) + "印发", FANGSONG, EDITION_PT)
    # A floating table is anchored to the paragraph after it; keep that one tiny.
    _para(doc, align=WD_ALIGN_PARAGRAPH.LEFT, line_pt=1)


def _sub(parent, tag: str, **attrs):
    el = OxmlElement(tag)
    for key, val in attrs.items():
        el.set(qn(f"w:{key}"), val)
    parent.append(el)
    return el


# ---------------------------------------------------------------------------------------------------------
# footers


def _page_number_footers(doc):
    """7.5: "— N —" in 4号半角宋体, odd pages one character in from the right, even pages one in from the left."""
    doc.settings.odd_and_even_pages_header_footer = True
    section = doc.sections[0]
    for footer, align, side in (
        (section.footer, WD_ALIGN_PARAGRAPH.RIGHT, "right"),
        (section.even_page_footer, WD_ALIGN_PARAGRAPH.LEFT, "left"),
    ):
        footer.is_linked_to_previous = False
        p = footer.paragraphs[0]
        _format(p, align, line_pt=EDITION_PT)
        if side == "right":
            _indent(p, right_chars=1, char_pt=EDITION_PT)
        else:
            _indent(p, left_chars=1, char_pt=EDITION_PT)
        _run(p, "— ", SONGTI, EDITION_PT)
        _page_field(p)
        _run(p, " —", SONGTI, EDITION_PT)


def _page_field(p):
    def fld(kind):
        run = set_run_font(p.add_run(), SONGTI, EDITION_PT)
        el = OxmlElement("w:fldChar")
        el.set(qn("w:fldCharType"), kind)
        run._r.append(el)

    fld("begin")
    run = set_run_font(p.add_run(), SONGTI, EDITION_PT)
    instr = OxmlElement("w:instrText")
    instr.set(qn("xml:space"), "preserve")
    instr.text = " PAGE "
    run._r.append(instr)
    fld("separate")
    set_run_font(p.add_run("1"), SONGTI, EDITION_PT)
    fld("end")


# ---------------------------------------------------------------------------------------------------------
# small helpers


def _para(doc, *, align, line_pt=LINE_PITCH_PT):
    p = doc.add_paragraph()
    _format(p, align, line_pt=line_pt)
    return p


def _format(p, align, *, line_pt=LINE_PITCH_PT):
    fmt = p.paragraph_format
    fmt.alignment = align
    fmt.space_before = Pt(0)
    fmt.space_after = Pt(0)
    fmt.line_spacing_rule = WD_LINE_SPACING.EXACTLY
    fmt.line_spacing = Pt(line_pt)


def _run(p, text, font, size_pt, *, color=None):
    # A control character saved before the pages refused them would stop the whole document (XML cannot hold it).
    text = CONTROL.sub("", text) if text else text
    run = set_run_font(p.add_run(text), font, size_pt, color=color)
    if size_pt == BODY_PT:
        # 5.2.3: 28 characters a line (see BODY_CHAR_SPACING_TWENTIETHS).
        _set_child_val(
            run._r.get_or_add_rPr(), "w:spacing", str(BODY_CHAR_SPACING_TWENTIETHS), before=("w:w", "w:kern", "w:sz")
        )
    return run


def _blank(doc, lines: int):
    for _ in range(lines):
        _para(doc, align=WD_ALIGN_PARAGRAPH.LEFT)


def _indent(
    p,
    *,
    left_chars: float = 0,
    right_chars: float = 0,
    first_line_chars: float = 0,
    hanging_chars: float = 0,
    char_pt: float = CHAR_PITCH_PT,
):
    """Indent in characters, written as absolute twips from the (condensed) character pitch: the *Chars
    attributes would be measured by Word in uncondensed 16 pt characters and drift from the text."""
    ppr = p._p.get_or_add_pPr()
    ind = ppr.find(qn("w:ind"))
    if ind is None:
        ind = OxmlElement("w:ind")
        ppr.insert_element_before(ind, *_PPR_ORDER[_PPR_ORDER.index("w:ind") + 1 :])
    for attr, chars in (("left", left_chars), ("right", right_chars), ("firstLine", first_line_chars)):
        if chars:
            ind.set(qn(f"w:{attr}"), str(round(chars * char_pt * 20)))
    if hanging_chars:
        ind.set(qn("w:hanging"), str(round(hanging_chars * char_pt * 20)))


def _border(p, side: str, *, color: str, eighths: int, space_pt: int = 0):
    ppr = p._p.get_or_add_pPr()
    bdr = ppr.find(qn("w:pBdr"))
    if bdr is None:
        bdr = OxmlElement("w:pBdr")
        ppr.insert_element_before(bdr, *_PPR_ORDER[_PPR_ORDER.index("w:pBdr") + 1 :])
    el = OxmlElement(f"w:{side}")
    el.set(qn("w:val"), "single")
    el.set(qn("w:sz"), str(eighths))
    el.set(qn("w:space"), str(space_pt))
    el.set(qn("w:color"), color)
    bdr.append(el)
    _reorder(bdr, ("top", "left", "bottom", "right", "between", "bar"))


_PPR_ORDER = [
    "w:pStyle",
    "w:keepNext",
    "w:keepLines",
    "w:pageBreakBefore",
    "w:framePr",
    "w:widowControl",
    "w:numPr",
    "w:suppressLineNumbers",
    "w:pBdr",
    "w:shd",
    "w:tabs",
    "w:suppressAutoHyphens",
    "w:kinsoku",
    "w:wordWrap",
    "w:overflowPunct",
    "w:topLinePunct",
    "w:autoSpaceDE",
    "w:autoSpaceDN",
    "w:bidi",
    "w:adjustRightInd",
    "w:snapToGrid",
    "w:spacing",
    "w:ind",
    "w:contextualSpacing",
    "w:mirrorIndents",
    "w:suppressOverlap",
    "w:jc",
    "w:textDirection",
    "w:textAlignment",
    "w:textboxTightWrap",
    "w:outlineLvl",
    "w:divId",
    "w:cnfStyle",
    "w:rPr",
    "w:sectPr",
    "w:pPrChange",
]


def _set_child_val(parent, tag: str, val: str, before: tuple[str, ...] = ()):
    el = parent.find(qn(tag))
    if el is None:
        el = OxmlElement(tag)
        parent.insert_element_before(el, *before) if before else parent.append(el)
    el.set(qn("w:val"), val)


def _reorder(parent, local_names):
    """Put children in schema order (Word refuses a file whose property elements are out of sequence)."""
    rank = {qn(name if ":" in name else f"w:{name}"): i for i, name in enumerate(local_names)}
    children = sorted(parent, key=lambda el: rank.get(el.tag, len(rank)))
    for child in children:
        parent.remove(child)
        parent.append(child)


def _visual_width(text: str) -> float:
    """Width in full-width characters: ASCII (Arabic numerals, Latin) is half-width."""
    return sum(0.5 if ord(ch) < 0x2E80 and ch not in "—…" else 1.0 for ch in text)

"""The issued document's .docx follows GB/T 9704-2012 (clause numbers in the test names' docstrings)."""

import datetime
import io
import shutil
import subprocess
from pathlib import Path

import pytest
from docx import Document
from docx.enum.text import WD_ALIGN_PARAGRAPH
from docx.oxml.ns import qn
from docx.shared import Mm, Pt

from tiexi_gov.gbt9704 import (
    FANGSONG,
    HEITI,
    KAITI,
    SONGTI,
    XIAOBIAOSONG,
    IssuedLayout,
    format_cn_date,
    heading_level,
    render_issued_document,
)

SAMPLES = Path(__file__).resolve().parents[2] / "var" / "samples"

BODY = [
    "为深入贯彻落实优化营商环境的部署要求，经区政府研究同意，现就有关事项通知如下。",
    "一、总体要求",
    "坚持以人民为中心的发展思想，推动政务服务从“能办”向“好办、易办”转变。",
    "二、主要任务",
    "（一）压减办理时限。各部门要全面梳理本部门政务服务事项，承诺时限压减50%以上。",
    "（二）推行容缺受理",
    "1.明确容缺事项清单，报区政务服务管理办公室备案。",
    "（1）建立容缺受理台账，按月通报办理情况。",
]


def make_layout(**overrides) -> IssuedLayout:
    values = {
        "masthead": "铁西区人民政府文件",
        "doc_number": "铁西政发〔2026〕3号",
        "title": "铁西区人民政府关于进一步优化\n政务服务提升行政效能的通知",
        "main_recipients": "各街道办事处，区政府各部门、各直属机构",
        "body": BODY,
        "attachments": ["铁西区政务服务事项压减时限清单", "铁西区容缺受理事项清单"],
        "issuer_signature": "铁西区人民政府",
        "date": datetime.date(2026, 3, 5),
        "note": "此件公开发布",
        "cc": "区委各部门，区人大常委会办公室，区政协办公室",
        "printer": "铁西区人民政府办公室",
        "print_date": datetime.date(2026, 3, 6),
    }
    values.update(overrides)
    return IssuedLayout(**values)


def render(**overrides):
    return Document(io.BytesIO(render_issued_document(make_layout(**overrides))))


def para(doc, startswith):
    for p in doc.paragraphs:
        if p.text.startswith(startswith):
            return p
    raise AssertionError(f"no paragraph starts with {startswith!r}: {[p.text for p in doc.paragraphs]}")


def east_asia(run):
    return run._r.rPr.rFonts.get(qn("w:eastAsia"))


def text_runs(p):
    return [r for r in p.runs if r.text.strip()]


def test_gbt9704_5_2_1_a4_page_and_margins():
    """5.2.1: A4, 天头 37 mm, 订口 28 mm, 版心 156 x 225 mm, each within ±1 mm."""
    section = render().sections[0]
    assert abs(section.page_width - Mm(210)) < Mm(0.1)
    assert abs(section.page_height - Mm(297)) < Mm(0.1)
    assert abs(section.top_margin - Mm(37)) <= Mm(1)
    assert abs(section.left_margin - Mm(28)) <= Mm(1)
    text_width = section.page_width - section.left_margin - section.right_margin
    text_height = section.page_height - section.top_margin - section.bottom_margin
    assert abs(text_width - Mm(156)) <= Mm(1)
    assert abs(text_height - Mm(225)) <= Mm(1)


def test_gbt9704_5_2_3_twenty_two_lines_of_twenty_eight_characters():
    """5.2.3: exact line pitch fits 22 lines in 225 mm; 3号 runs are condensed to fit 28 characters in 156 mm."""
    doc = render()
    p = para(doc, "为深入贯彻")
    pitch = p.paragraph_format.line_spacing
    assert 22 * pitch <= Mm(225) < 23 * pitch
    assert abs(pitch.pt - 28.95) < 0.05
    spacing = int(p.runs[0]._r.rPr.find(qn("w:spacing")).get(qn("w:val")))
    char_pitch = Pt(16 + spacing / 20)
    assert 28 * char_pitch <= Mm(156) < 29 * char_pitch


def test_gbt9704_7_2_4_masthead_red_xiaobiaosong_centred():
    doc = render()
    p = para(doc, "铁西区人民政府文件")
    assert p.alignment == WD_ALIGN_PARAGRAPH.CENTER
    (run,) = text_runs(p)
    assert str(run.font.color.rgb) == "FF0000"
    assert east_asia(run) == XIAOBIAOSONG
    assert run.font.size.pt >= 36


def test_gbt9704_7_2_4_long_masthead_is_squeezed_not_overflowing():
    doc = render(masthead="铁西区人民政府办公室铁西区发展和改革局联合文件")
    run = text_runs(para(doc, "铁西区人民政府办公室铁西"))[0]
    scale = int(run._r.rPr.find(qn("w:w")).get(qn("w:val")))
    assert 21 * run.font.size.pt * scale / 100 <= Mm(156).pt


def test_gbt9704_7_2_5_number_line_centred_without_signer():
    doc = render()
    p = para(doc, "铁西政发〔2026〕3号")
    assert p.alignment == WD_ALIGN_PARAGRAPH.CENTER
    assert "签发人" not in "".join(x.text for x in doc.paragraphs)
    assert all(east_asia(r) == FANGSONG for r in text_runs(p))


def test_gbt9704_7_2_6_signer_on_number_line_for_upward_documents():
    doc = render(signer="张三")
    p = para(doc, "\t铁西政发〔2026〕3号")
    assert p.text == "\t铁西政发〔2026〕3号\t签发人：张三"
    assert p.alignment == WD_ALIGN_PARAGRAPH.LEFT
    stops = list(p.paragraph_format.tab_stops)
    assert stops[0].position < Pt(17)  # number one character in
    assert abs(stops[-1].position - (Mm(156) - Pt(15.75))) < Pt(1)  # 签发人 one character in from the right
    name = [r for r in p.runs if r.text == "张三"][0]
    assert east_asia(name) == KAITI


def test_gbt9704_7_2_7_red_separator_line_under_number():
    doc = render()
    p = para(doc, "铁西政发〔2026〕3号")
    bottom = p._p.pPr.find(qn("w:pBdr")).find(qn("w:bottom"))
    assert bottom.get(qn("w:color")) == "FF0000"
    assert bottom.get(qn("w:val")) == "single"
    assert p.paragraph_format.left_indent in (None, 0)  # the line spans the whole 版心


def test_gbt9704_7_3_1_title_22pt_xiaobiaosong_centred_on_two_lines():
    doc = render()
    p = para(doc, "铁西区人民政府关于")
    assert p.alignment == WD_ALIGN_PARAGRAPH.CENTER
    assert p.text == "铁西区人民政府关于进一步优化\n政务服务提升行政效能的通知"
    for run in text_runs(p):
        assert run.font.size == Pt(22)
        assert east_asia(run) == XIAOBIAOSONG


def test_gbt9704_7_3_2_main_recipients_flush_left_with_full_width_colon():
    doc = render(main_recipients="各街道办事处:")
    p = para(doc, "各街道办事处")
    assert p.text == "各街道办事处："
    assert p.paragraph_format.first_line_indent in (None, 0)


def test_gbt9704_7_3_3_body_16pt_fangsong_with_east_asia_font_on_every_run():
    doc = render()
    plain = [para(doc, "为深入贯彻"), para(doc, "坚持以人民"), para(doc, "1.明确"), para(doc, "（1）建立")]
    for p in plain:
        assert abs(p.paragraph_format.first_line_indent - Pt(31.5)) < Pt(0.1)  # two characters in
        for run in text_runs(p):
            assert run.font.size == Pt(16)
            fonts = run._r.rPr.rFonts
            assert fonts.get(qn("w:eastAsia")) == FANGSONG
            assert fonts.get(qn("w:ascii")) == FANGSONG


def test_gbt9704_7_3_3_heading_levels_heiti_kaiti_fangsong():
    doc = render()
    assert [east_asia(r) for r in text_runs(para(doc, "一、总体要求"))] == [HEITI]
    assert [east_asia(r) for r in text_runs(para(doc, "（二）推行容缺受理"))] == [KAITI]
    # A second-level heading run in with its text: only the heading sentence is 楷体.
    inline = para(doc, "（一）压减办理时限。")
    assert [(r.text, east_asia(r)) for r in text_runs(inline)][0] == ("（一）压减办理时限。", KAITI)
    assert east_asia(text_runs(inline)[1]) == FANGSONG
    assert [heading_level(t) for t in ("一、x", "（一）x", "1.x", "（1）x", "正文")] == [1, 2, 3, 4, 0]


def test_every_run_in_the_document_sets_east_asia_font():
    doc = render(signer="张三", urgency="特急")
    runs = [r for p in doc.paragraphs for r in p.runs]
    runs += [r for t in doc.tables for row in t.rows for c in row.cells for p in c.paragraphs for r in p.runs]
    runs += [r for p in doc.sections[0].footer.paragraphs for r in p.runs]
    assert runs
    for run in runs:
        fonts = run._r.rPr.rFonts
        assert fonts.get(qn("w:eastAsia")), run.text
        assert fonts.get(qn("w:eastAsia")) == fonts.get(qn("w:ascii"))


def test_gbt9704_7_3_4_attachment_note_numbered_with_hanging_indent():
    doc = render()
    first = para(doc, "附件：")
    second = para(doc, "2.铁西区容缺受理事项清单")
    assert first.text == "附件：1.铁西区政务服务事项压减时限清单"
    fmt, fmt2 = first.paragraph_format, second.paragraph_format
    char = Pt(15.75)
    # First line starts two characters in; every wrapped line aligns with the first character of the name.
    assert abs(fmt.left_indent + fmt.first_line_indent - 2 * char) < Pt(0.1)
    assert abs(fmt.left_indent - (2 + 3 + 1) * char) < Pt(0.1)
    assert abs(fmt2.left_indent - fmt.left_indent) < Pt(0.1)
    assert abs(fmt2.left_indent + fmt2.first_line_indent - (2 + 3) * char) < Pt(0.1)


def test_gbt9704_7_3_4_single_attachment_is_not_numbered():
    doc = render(attachments=["铁西区政务服务事项压减时限清单。"])
    assert para(doc, "附件：").text == "附件：铁西区政务服务事项压减时限清单"


def test_gbt9704_7_3_5_date_in_arabic_numerals_under_signature():
    doc = render(date=datetime.date(2026, 1, 9))
    texts = [p.text for p in doc.paragraphs]
    i = texts.index("铁西区人民政府")
    assert texts[i + 1] == "2026年1月9日"
    assert format_cn_date(datetime.date(2026, 10, 1)) == "2026年10月1日"
    sig, date = doc.paragraphs[i], doc.paragraphs[i + 1]
    assert sig.alignment == date.alignment == WD_ALIGN_PARAGRAPH.RIGHT
    # Sealed (7.3.5.1): date four characters in from the right, signature centred over it.
    char = Pt(15.75)
    assert abs(date.paragraph_format.right_indent - 4 * char) < Pt(0.1)
    date_w, sig_w = 4 * 0.5 + 1 + 0.5 + 1 + 0.5 + 1, 7
    centre_date = date.paragraph_format.right_indent + date_w * char / 2
    centre_sig = sig.paragraph_format.right_indent + sig_w * char / 2
    assert abs(centre_date - centre_sig) < Pt(0.5)


@pytest.mark.parametrize(
    ("issuer", "sig_right", "date_right"),
    [
        # Signature wider than the shifted date: signature two characters in from the right.
        ("铁西区人民政府办公室", 2, 2 + 10 - 2 - 6),
        # The shifted date would run past it: the date stays two characters in, the signature moves left.
        ("铁西区人民政府", 2 + 6 + 2 - 7, 2),
    ],
)
def test_gbt9704_7_3_5_2_unsealed_signature_two_in_and_date_shifted_two_right(issuer, sig_right, date_right):
    doc = render(sealed=False, issuer_signature=issuer)
    texts = [p.text for p in doc.paragraphs]
    i = texts.index(issuer)
    sig, date = doc.paragraphs[i], doc.paragraphs[i + 1]
    char = Pt(15.75)
    assert abs(sig.paragraph_format.right_indent - sig_right * char) < Pt(0.1)
    assert abs(date.paragraph_format.right_indent - date_right * char) < Pt(0.1)
    sig_start = sig.paragraph_format.right_indent + len(issuer) * char
    date_start = date.paragraph_format.right_indent + 6 * char
    assert abs(sig_start - date_start - 2 * char) < Pt(0.1)


def test_gbt9704_7_3_6_note_in_parentheses_after_date():
    doc = render()
    texts = [p.text for p in doc.paragraphs]
    assert texts[texts.index("2026年3月5日") + 1] == "（此件公开发布）"
    assert render(note="（此件公开发布）").paragraphs  # already bracketed: not doubled
    assert "（（" not in "".join(p.text for p in render(note="（此件公开发布）").paragraphs)
    assert not any("（" in p.text and "公开" in p.text for p in render(note=None).paragraphs)


def test_gbt9704_7_4_edition_record_cc_and_printer_with_lines():
    doc = render()
    (table,) = doc.tables
    rows = [row.cells[0].text for row in table.rows]
    assert rows == ["抄送：区委各部门，区人大常委会办公室，区政协办公室。", "铁西区人民政府办公室\t2026年3月6日印发"]
    for row in table.rows:
        for run in text_runs(row.cells[0].paragraphs[0]):
            assert run.font.size == Pt(14)
            assert east_asia(run) == FANGSONG
    borders = table._tbl.tblPr.find(qn("w:tblBorders"))
    top, bottom, between = (borders.find(qn(f"w:{s}")) for s in ("top", "bottom", "insideH"))
    assert int(top.get(qn("w:sz"))) > int(between.get(qn("w:sz"))) > 0
    assert top.get(qn("w:sz")) == bottom.get(qn("w:sz"))
    assert top.get(qn("w:color")) == "000000"
    position = table._tbl.tblPr.find(qn("w:tblpPr"))
    assert position.get(qn("w:tblpYSpec")) == "bottom"
    assert position.get(qn("w:vertAnchor")) == "margin"


def test_gbt9704_7_4_without_cc_only_printer_line():
    (table,) = render(cc=None).tables
    assert [row.cells[0].text for row in table.rows] == ["铁西区人民政府办公室\t2026年3月6日印发"]


def test_gbt9704_7_2_3_urgency_top_left_in_heiti():
    doc = render(urgency="特急")
    first = doc.paragraphs[0]
    assert first.text == "特急"
    assert first.alignment == WD_ALIGN_PARAGRAPH.LEFT
    assert east_asia(first.runs[0]) == HEITI
    assert first.runs[0].font.size == Pt(16)
    assert render(urgency="一般").paragraphs[0].text == "铁西区人民政府文件"
    with pytest.raises(ValueError, match="紧急程度"):
        make_layout(urgency="特急重要")


def test_gbt9704_7_5_page_numbers_odd_right_even_left_in_songti():
    doc = render()
    assert doc.settings.odd_and_even_pages_header_footer
    section = doc.sections[0]
    odd, even = section.footer.paragraphs[0], section.even_page_footer.paragraphs[0]
    assert odd.alignment == WD_ALIGN_PARAGRAPH.RIGHT
    assert even.alignment == WD_ALIGN_PARAGRAPH.LEFT
    for p in (odd, even):
        instr = [el.text for el in p._p.iter(qn("w:instrText"))]
        assert [t.strip() for t in instr] == ["PAGE"]
        assert p.text.startswith("— ") and p.text.endswith(" —")
        for run in p.runs:
            assert east_asia(run) == SONGTI
            assert run.font.size == Pt(14)


def test_render_opens_and_writes_sample():
    data = render_issued_document(make_layout(urgency="加急"))
    assert data[:2] == b"PK"
    doc = Document(io.BytesIO(data))
    assert doc.core_properties.title == "铁西区人民政府关于进一步优化政务服务提升行政效能的通知"
    SAMPLES.mkdir(parents=True, exist_ok=True)
    (SAMPLES / "issued-example.docx").write_bytes(data)
    (SAMPLES / "issued-example-upward.docx").write_bytes(
        render_issued_document(make_layout(signer="张三", masthead="铁西区人民政府办公室文件"))
    )


@pytest.mark.skipif(not (shutil.which("soffice") and shutil.which("pdftotext")), reason="needs LibreOffice")
def test_libreoffice_renders_a4_with_28_characters_a_line(tmp_path):
    src = tmp_path / "issued.docx"
    src.write_bytes(render_issued_document(make_layout()))
    subprocess.run(
        ["soffice", f"-env:UserInstallation=file://{tmp_path}/lo", "--headless", "--convert-to", "pdf", str(src)],
        cwd=tmp_path,
        check=True,
        capture_output=True,
        timeout=120,
    )
    pdf = tmp_path / "issued.pdf"
    info = subprocess.run(["pdfinfo", str(pdf)], capture_output=True, text=True, check=True).stdout
    assert "595" in info and "841" in info  # A4 in points
    text = subprocess.run(["pdftotext", str(pdf), "-"], capture_output=True, text=True, check=True).stdout
    lines = [ln.strip() for ln in text.splitlines()]
    assert "铁西区人民政府文件" in lines
    # The first body paragraph wraps after exactly 28 - 2 (indent) characters.
    first = next(ln for ln in lines if ln.startswith("为深入贯彻"))
    assert len(first) == 26
    SAMPLES.mkdir(parents=True, exist_ok=True)
    shutil.copy(pdf, SAMPLES / "issued-example.pdf")

"""A meeting's minutes as a GB/T 9704-2012 纪要 (.docx): red 纪要标志 "铁西区人民政府常务会议纪要", the number, the
red line, the title, the opening text, 会议决定 per topic, then 出席 / 请假 / 列席 (10.3: the label in 3号黑体 two
characters in, a full-width colon, names in 3号仿宋 aligned after the colon when wrapped), the date and a 版记.

`layout_for` decides *what* is printed from the models (the caller passes only the decisions the reader may read:
confidential ones are left out of the file for everybody else, MTG-12); `render_minutes` is pure and decides
*where*, with the page set-up, fonts and helpers of `tiexi_gov.gbt9704` (A4, 版心 156 x 225 mm, 22 lines of
28 characters, East Asian fonts on every run, page numbers "— N —"). A draft is marked 草稿 at the top left and in
the file's properties.
"""

from __future__ import annotations

import datetime as dt
import io
import math
from dataclasses import dataclass

from django.utils import timezone
from docx import Document
from docx.enum.text import WD_ALIGN_PARAGRAPH
from docx.oxml.ns import qn
from docx.shared import Pt

from tiexi_gov.gbt9704 import (
    BODY_PT,
    EDITION_PT,
    FANGSONG,
    HEITI,
    RED,
    TEXT_WIDTH_MM,
    TITLE_PT,
    XIAOBIAOSONG,
    _blank,
    _border,
    _indent,
    _page_number_footers,
    _para,
    _run,
    _setup_defaults,
    _setup_font_table,
    _setup_page,
    _visual_width,
    format_cn_date,
)
from tiexi_gov.http import CONTROL
from tiexi_gov.org.selectors import who_handles

from ..meeting.models import PUBLISHING_KINDS, Meeting, MeetingKind
from .models import Decision, Minutes

MASTHEADS = {
    MeetingKind.PLENARY: "铁西区人民政府全体会议纪要",
    MeetingKind.PARTY_GROUP: "铁西区人民政府党组会议纪要",
    MeetingKind.EXECUTIVE: "铁西区人民政府常务会议纪要",
    MeetingKind.SPECIAL: "铁西区人民政府专题会议纪要",
}
CN_NUMBERS = "一二三四五六七八九十"
_MM_PT = 72 / 25.4
DRAFT_MARK = "草稿"


@dataclass(frozen=True)
class MinutesItem:
    heading: str
    paragraphs: tuple[str, ...]


@dataclass(frozen=True)
class MinutesLayout:
    masthead: str
    number: str
    title: str
    intro: tuple[str, ...]
    items: tuple[MinutesItem, ...]
    present: tuple[str, ...]
    on_leave: tuple[str, ...]
    attending: tuple[str, ...]
    date: dt.date
    issuer: str = "铁西区人民政府办公室"
    distribution: str = "区政府领导，区政府各部门，各乡、街。"
    draft: bool = False


def cn_ordinal(n: int) -> str:
    """1 → 一, 12 → 十二, 20 → 二十 (heading ordinals, GB/T 9704 7.3.3)."""
    if n <= 10:
        return CN_NUMBERS[n - 1]
    tens, ones = divmod(n, 10)
    head = "" if tens == 1 else CN_NUMBERS[tens - 1]
    return f"{head}十{CN_NUMBERS[ones - 1] if ones else ''}"


# --- what is printed ---------------------------------------------------------------------------------------


def _decision_paragraph(d: Decision) -> str:
    text = " ".join(d.text.split())
    if not text.endswith(("。", "！", "；")):
        text += "。"
    if d.kind == Decision.Kind.ISSUE_DOCUMENT and d.document_title:
        unit = d.drafting_unit.display_name if d.drafting_unit else ""
        within = "，会后7个工作日内印发" if d.meeting.kind in PUBLISHING_KINDS else ""  # MTG-10
        text += f"由{unit}负责起草《{d.document_title}》{within}。"
    elif d.kind == Decision.Kind.ASSIGN_WORK:
        parts = [f"牵头单位：{d.lead_unit.display_name}" if d.lead_unit else ""]
        co = "、".join(u.display_name for u in d.co_units.all())
        if co:
            parts.append(f"协办单位：{co}")
        if d.leader_post:
            parts.append(f"责任领导：{d.leader_post.title}")
        if d.due:
            parts.append(f"完成时限：{format_cn_date(d.due)}")
        if d.standard:
            parts.append(f"量化标准：{' '.join(d.standard.split())}")
        text += "（" + "；".join(p for p in parts if p) + "）"
    return text


def _items(decisions: list[Decision]) -> tuple[MinutesItem, ...]:
    groups: dict[object, list[Decision]] = {}
    for d in decisions:
        groups.setdefault(d.topic_id, []).append(d)
    items = []
    for i, (_topic_id, rows) in enumerate(groups.items(), start=1):
        topic = rows[0].topic
        title = topic.title if topic else "其他事项"
        items.append(MinutesItem(f"{cn_ordinal(i)}、{title}", tuple(_decision_paragraph(d) for d in rows)))
    return tuple(items)


def _name(row) -> str:
    inv = row.invitation
    where = inv.post.title if inv.post else (inv.person.unit.display_name if inv.person.unit else "")
    if inv.substitute_for_id:
        where = f"代{inv.substitute_for.person.display_name}"
    return f"{inv.person.display_name}（{where}）" if where else inv.person.display_name


def _leave_name(row) -> str:
    inv, leave = row.invitation, row.leave
    where = inv.post.title if inv.post else ""
    approved = f"经{leave.approver_post.title}同意" if leave and leave.approver_post_id else ""
    detail = "，".join(x for x in (where, approved) if x)
    return f"{inv.person.display_name}（{detail}）" if detail else inv.person.display_name


def layout_for(meeting: Meeting, minutes: Minutes, decisions: list[Decision], record, *, today: dt.date):
    """What the 纪要 says: `decisions` are only those the reader may read."""
    signed = minutes.state == Minutes.State.SIGNED
    intro = tuple(p.strip() for p in (minutes.body or "").splitlines() if p.strip())
    if not intro:
        topics = "、".join(dict.fromkeys(d.topic.title for d in decisions if d.topic))
        handler = who_handles(meeting.chair_post, meeting.date) if meeting.chair_post_id else None
        chair = meeting.chair_post.title if handler else ""
        if handler is not None and handler.person is not None:
            name = handler.person.display_name
            chair = f"{name}（{handler.capacity}）" if handler.is_acting else f"{chair}{name}"
        studied = f"研究了{topics}等事项" if topics else "研究了有关事项"
        intro = (f"{format_cn_date(meeting.date)}，{chair}主持召开{meeting.title}，{studied}。现纪要如下：",)
    return MinutesLayout(
        masthead=MASTHEADS.get(meeting.kind, "铁西区人民政府会议纪要"),
        number=minutes.number or "（未编号）",
        title=f"{meeting.title}纪要",
        intro=intro,
        items=_items(decisions),
        present=tuple(_name(r) for r in record.present(voting=True)),
        on_leave=tuple(_leave_name(r) for r in record.on_leave),
        attending=tuple(_name(r) for r in record.present(voting=False)),
        date=timezone.localdate(minutes.signed_at) if signed and minutes.signed_at else today,
        draft=not signed,
    )


# --- where it is printed -----------------------------------------------------------------------------------


def render_minutes(layout: MinutesLayout) -> bytes:
    doc = Document()
    _setup_page(doc)
    _setup_defaults(doc)
    _setup_font_table(doc)
    _page_number_footers(doc)
    body = doc.element.body
    for child in list(body):  # the default template's empty paragraph
        if child.tag == qn("w:p"):
            body.remove(child)

    used = 0.0
    if layout.draft:
        p = _para(doc, align=WD_ALIGN_PARAGRAPH.LEFT)
        _run(p, f"{DRAFT_MARK}（未签发）", HEITI, BODY_PT, color=RED)
        used += 28.95
    # 纪要标志 (10.3): red 小标宋, centred, about 35 mm below the top of the 版心, its size fitted to the 版心.
    chars = _visual_width(layout.masthead)
    size = max(26.0, min(42.0, math.floor(TEXT_WIDTH_MM * _MM_PT * 0.97 / chars)))
    line = size * 1.2
    p = _para(doc, align=WD_ALIGN_PARAGRAPH.CENTER, line_pt=line)
    p.paragraph_format.space_before = Pt(max(0.0, 35 * _MM_PT - used - (line - size) / 2))
    _run(p, layout.masthead, XIAOBIAOSONG, size, color=RED)
    _blank(doc, 1)
    p = _para(doc, align=WD_ALIGN_PARAGRAPH.CENTER)
    _run(p, layout.number, FANGSONG, BODY_PT)
    _border(p, "bottom", color="FF0000", eighths=12, space_pt=round(4 * _MM_PT) - 5)

    _blank(doc, 1)
    p = _para(doc, align=WD_ALIGN_PARAGRAPH.CENTER, line_pt=TITLE_PT * 1.5)
    _run(p, layout.title, XIAOBIAOSONG, TITLE_PT)
    _blank(doc, 1)

    for text in layout.intro:
        _body(doc, text, FANGSONG)
    for item in layout.items:
        _body(doc, item.heading, HEITI)
        for text in item.paragraphs:
            _body(doc, text, FANGSONG)

    _blank(doc, 1)
    for label, names in (("出席", layout.present), ("请假", layout.on_leave), ("列席", layout.attending)):
        if names:
            _names(doc, label, names)

    _blank(doc, 1)
    for text in (layout.issuer, format_cn_date(layout.date)):
        p = _para(doc, align=WD_ALIGN_PARAGRAPH.RIGHT)
        _indent(p, right_chars=2)
        _run(p, text, FANGSONG, BODY_PT)

    _edition_record(doc, layout)

    props = doc.core_properties
    props.title = CONTROL.sub("", layout.title) + (f"（{DRAFT_MARK}）" if layout.draft else "")
    props.subject = layout.number
    props.author = layout.issuer
    props.keywords = DRAFT_MARK if layout.draft else "已签发"
    props.language = "zh-CN"
    out = io.BytesIO()
    doc.save(out)
    return out.getvalue()


def _body(doc, text: str, font: str) -> None:
    """7.3.3: each paragraph two characters in, wrapped lines 顶格."""
    p = _para(doc, align=WD_ALIGN_PARAGRAPH.JUSTIFY)
    _indent(p, first_line_chars=2)
    _run(p, text, font, BODY_PT)


def _names(doc, label: str, names: tuple[str, ...]) -> None:
    """10.3: "出席" in 3号黑体 two characters in, a full-width colon, names in 仿宋 aligned after the colon."""
    p = _para(doc, align=WD_ALIGN_PARAGRAPH.JUSTIFY)
    start = 2 + _visual_width(label) + 1
    _indent(p, left_chars=start, hanging_chars=start - 2)
    _run(p, f"{label}：", HEITI, BODY_PT)
    _run(p, "，".join(names), FANGSONG, BODY_PT)


def _edition_record(doc, layout: MinutesLayout) -> None:
    """7.4: 分送 and 印发机关 + 印发日期 in 4号仿宋 between a thick first and last line, a thin line between."""
    _blank(doc, 1)
    p = _para(doc, align=WD_ALIGN_PARAGRAPH.JUSTIFY)
    _indent(p, left_chars=1 + 3, hanging_chars=3, right_chars=1, char_pt=EDITION_PT)
    _run(p, f"分送：{layout.distribution}", FANGSONG, EDITION_PT)
    _border(p, "top", color="000000", eighths=8)
    _border(p, "bottom", color="000000", eighths=6)
    p = _para(doc, align=WD_ALIGN_PARAGRAPH.LEFT)
    _indent(p, left_chars=1, right_chars=1, char_pt=EDITION_PT)
    _run(p, f"{layout.issuer}　　{format_cn_date(layout.date)}印发", FANGSONG, EDITION_PT)
    _border(p, "bottom", color="000000", eighths=8)

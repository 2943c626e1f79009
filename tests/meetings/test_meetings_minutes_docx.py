"""The minutes as a GB/T 9704 纪要 (.docx): it opens with python-docx and carries the red 纪要标志, the number, the
decisions per topic and the 出席 / 请假 / 列席 lists; a draft says 草稿; confidential decisions are left out of the
file for whoever may not read them (MTG-12, X-2); outsiders get a 404."""

from __future__ import annotations

import io

from django.urls import reverse
from django.utils import timezone
from docx import Document
from docx.oxml.ns import qn
from test_meetings_minutes import agenda_meeting, executive_signers, held, login, record, sign_all

from meetings.meeting import services as meeting_services
from meetings.minutes import services as minutes_services
from meetings.models import Decision, Minutes
from tiexi_gov.gbt9704 import FANGSONG, HEITI, XIAOBIAOSONG

SECRET = "关于某涉密项目选址的决定"


def text_of(doc) -> str:
    return "\n".join(p.text for p in doc.paragraphs)


def fetch(client, user, m):
    r = login(client, user).get(reverse("meetings:minutes_docx", args=[m.pk]))
    return r, (Document(io.BytesIO(r.content)) if r.status_code == 200 else None)


def build(w):
    today = timezone.localdate()
    m, topic = agenda_meeting(w, today)
    inv = m.invitations.get(person=w.unit_heads["审计局"])
    leave = meeting_services.request_leave(
        actor=w.unit_heads["审计局"],
        invitation=inv,
        reason="赴省培训",
        substitute=w.unit_deputies["审计局"],
        today=today,
    )
    meeting_services.decide_leave(actor=w.head, leave=leave, approve=True, today=today)
    minutes = held(w, m, today)
    record(w, m, "原则同意预算调整方案", topic=topic)
    record(
        w,
        m,
        "财政局牵头抓好落实",
        topic=topic,
        kind=Decision.Kind.ASSIGN_WORK,
        lead_unit=w.units["财政局"],
        co_units=[w.units["发改局"]],
        leader_post=w.exec_post,
        due=today.replace(year=today.year + 1),
        standard="执行率不低于95%",
    )
    record(w, m, SECRET, topic=topic, confidential=True, confidential_reason="涉及国家秘密")
    return m, topic, minutes


def test_minutes_docx_opens_and_contains_the_decisions_and_the_attendance(world, client):
    w = world
    m, topic, minutes = build(w)
    r, doc = fetch(client, w.staff, m)
    assert r.status_code == 200
    assert r["Content-Type"].startswith("application/vnd.openxmlformats-officedocument.wordprocessingml")
    text = text_of(doc)
    # a draft until signed
    assert "草稿" in text and "草稿" in doc.core_properties.title
    assert "铁西区人民政府常务会议纪要" in text and f"{m.title}纪要" in text
    assert f"一、{topic.title}" in text
    assert "原则同意预算调整方案。" in text
    assert "牵头单位：财政局" in text and "协办单位：发改局" in text and "责任领导：常务副区长" in text
    assert SECRET in text  # the office reads confidential decisions
    lines = {p.text.split("：", 1)[0]: p.text for p in doc.paragraphs if "：" in p.text}
    assert w.edu_deputy.display_name in lines["出席"] and w.head.display_name in lines["出席"]
    assert w.unit_heads["审计局"].display_name in lines["请假"] and "经区长同意" in lines["请假"]
    assert w.unit_deputies["审计局"].display_name in lines["列席"] and w.adviser.display_name in lines["列席"]
    assert f"{w.unit_heads['审计局'].display_name}（{w.unit_head_posts['审计局'].title}）" not in lines["列席"]
    assert f"（代{w.unit_heads['审计局'].display_name}）" in lines["列席"]

    # GB/T 9704 look: red 小标宋 纪要标志, 黑体 labels and headings, 仿宋 body, East Asian fonts set on the runs
    masthead = next(p for p in doc.paragraphs if p.text == "铁西区人民政府常务会议纪要").runs[0]
    assert masthead.font.color.rgb is not None and str(masthead.font.color.rgb) == "FF0000"
    assert masthead._r.rPr.rFonts.get(qn("w:eastAsia")) == XIAOBIAOSONG
    present = next(p for p in doc.paragraphs if p.text.startswith("出席："))
    assert present.runs[0].font.name == HEITI and present.runs[1].font.name == FANGSONG
    section = doc.sections[0]
    assert round(section.page_width.mm) == 210 and round(section.top_margin.mm) == 37

    # signed: the number, no draft mark
    minutes_services.send_minutes_for_signing(actor=w.staff, minutes=minutes, today=timezone.localdate())
    sign_all(w, minutes, executive_signers(w), day=timezone.localdate())
    minutes.refresh_from_db()
    assert minutes.state == Minutes.State.SIGNED
    _r, doc = fetch(client, w.staff, m)
    text = text_of(doc)
    assert "草稿" not in text and minutes.number in text


def test_minutes_docx_leaves_confidential_decisions_out_for_those_who_may_not_read_them(world, client):
    w = world
    m, _topic, _minutes = build(w)
    r, doc = fetch(client, w.edu_deputy, m)
    assert r.status_code == 200
    text = text_of(doc)
    assert "原则同意预算调整方案。" in text and SECRET not in text and "涉及国家秘密" not in text
    secret = Decision.objects.get(text=SECRET)
    minutes_services.grant_decision_reader(actor=w.staff, decision=secret, user=w.edu_deputy)
    _r, doc = fetch(client, w.edu_deputy, m)
    assert SECRET in text_of(doc)


def test_minutes_docx_is_404_for_outsiders_and_before_the_minutes_exist(world, client):
    w = world
    m, _topic = agenda_meeting(w, timezone.localdate())
    assert fetch(client, w.staff, m)[0].status_code == 404  # no minutes yet
    held(w, m)
    assert fetch(client, w.staff, m)[0].status_code == 200
    for user in (w.outsider, w.clerks["教育局"]):
        assert fetch(client, user, m)[0].status_code == 404

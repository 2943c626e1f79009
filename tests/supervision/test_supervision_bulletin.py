"""SUP-4 (第五十条): the situation bulletin (情况通报) lists overdue and late items by lead unit as a .docx; the
unit page keeps the approved outcomes on the unit's record."""

from __future__ import annotations

import datetime as dt
import io

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone
from docx import Document
from supervision_support import make_item

from supervision.ledger import services
from supervision.ledger.panels import open_items_panel
from supervision.models import Outcome
from supervision.outcomes import services as outcome_services
from supervision.outcomes.panels import outcomes_panel
from tiexi_gov.workdays import calendar as wd

BULLETIN = reverse("supervision:bulletin")


@pytest.fixture
def today():
    return timezone.localdate()


def _days(today, n: int) -> dt.date:
    return today - dt.timedelta(days=n)


def _closed(w, item, clerk, *, claim, verify):
    item = services.accept_item(actor=clerk, item=item, today=item.period_start)
    item = services.claim_completion(actor=clerk, item=item, evidence="已完成", today=claim)
    return services.verify_item(actor=w.staff, item=item, note="复查核验通过", today=verify)


def _docx(response) -> Document:
    assert response.status_code == 200
    assert response["Content-Type"].startswith("application/vnd.openxmlformats-officedocument.wordprocessingml")
    return Document(io.BytesIO(response.content))


def _rows(table) -> list[list[str]]:
    return [[c.text for c in row.cells] for row in table.rows]


def test_sup_4_situation_bulletin_lists_overdue_and_late_items_by_unit(world, client, today):
    fin = {"lead_unit": world.fin, "cooperating_units": [], "leader_post": world.dep_a_post}
    dev = {"lead_unit": world.dev, "cooperating_units": [], "leader_post": world.dep_b_post}
    fin_overdue = make_item(world, today=_days(today, 40), task="清理拖欠企业账款", due=_days(today, 10), **fin)
    fin_late = make_item(world, today=_days(today, 40), task="完成国有资产清查", due=_days(today, 20), **fin)
    fin_late = _closed(world, fin_late, world.fin_clerk, claim=_days(today, 12), verify=_days(today, 8))
    dev_overdue = make_item(world, today=_days(today, 40), task="报送重点项目调度表", due=_days(today, 5), **dev)
    # Not in the bulletin: closed on time, still on track, closed late before the period, another unit's draft.
    on_time = make_item(world, today=_days(today, 40), task="完成非税收入清缴", due=_days(today, 5), **fin)
    _closed(world, on_time, world.fin_clerk, claim=_days(today, 6), verify=_days(today, 4))
    on_track = make_item(world, today=today, task="编制下年度政府采购计划", due=today + dt.timedelta(days=30), **fin)
    other = {"lead_unit": world.other, "cooperating_units": [], "leader_post": world.dep_a_post}
    early = make_item(world, today=_days(today, 90), task="审计整改回头看", due=_days(today, 70), **other)
    early = _closed(world, early, world.other_clerk, claim=_days(today, 60), verify=_days(today, 50))

    start, end = _days(today, 30), today
    client.force_login(world.staff)
    doc = _docx(client.get(BULLETIN, {"from": start.isoformat(), "to": end.isoformat(), "no": "7"}))
    paragraphs = [p.text for p in doc.paragraphs if p.text.strip()]
    text = "\n".join(paragraphs)

    assert paragraphs[0] == f"铁西区人民政府办公室督查情况通报（{start.year}年第7期）"
    assert "超期未办结事项2件" in text and "逾期办结事项1件" in text and "涉及2个单位" in text
    headings = [p for p in paragraphs if p.startswith(("一、", "二、", "三、"))]
    assert headings == [
        f"一、{world.fin.name}（超期未办结1件，逾期办结1件）",
        f"二、{world.dev.name}（超期未办结1件，逾期办结0件）",
    ]
    assert len(doc.tables) == 2
    fin_rows, dev_rows = (_rows(t) for t in doc.tables)
    assert fin_rows[0] == ["编号", "督办事项", "完成时限", "状态/超期工作日数"]
    assert [r[:3] for r in fin_rows[1:]] == [
        [fin_overdue.number, fin_overdue.task, f"{fin_overdue.due:%Y-%m-%d}"],
        [fin_late.number, fin_late.task, f"{fin_late.due:%Y-%m-%d}"],
    ]
    assert f"超期{wd.workdays_between(fin_overdue.due, today)}个工作日" in fin_rows[1][3]
    assert "逾期办结" in fin_rows[2][3]
    assert f"超期{wd.workdays_between(fin_late.due, fin_late.claimed_on)}个工作日" in fin_rows[2][3]
    assert [r[0] for r in dev_rows[1:]] == [dev_overdue.number]
    assert f"超期{wd.workdays_between(dev_overdue.due, today)}个工作日" in dev_rows[1][3]
    for absent in (on_time, on_track, early):
        assert absent.number not in text and all(absent.number not in r[0] for t in doc.tables for r in _rows(t))
    assert f"{today.year}年{today.month}月{today.day}日" in paragraphs[-1]  # the date, in Arabic numerals


def test_sup_4_bulletin_defaults_to_this_month_and_sets_east_asian_fonts(world, client, today):
    client.force_login(world.director)
    doc = _docx(client.get(BULLETIN))
    title = doc.paragraphs[0]
    assert title.text == f"铁西区人民政府办公室督查情况通报（{today.year}年第{today.month}期）"
    fonts = title.runs[0]._r.rPr.rFonts
    assert fonts.get("{http://schemas.openxmlformats.org/wordprocessingml/2006/main}eastAsia") == "方正小标宋简体"
    assert any("本期无超期未办结和逾期办结事项" in p.text for p in doc.paragraphs)
    # A bad date falls back to the default period instead of failing.
    assert client.get(BULLETIN, {"from": "2026-02-30", "to": "x"}).status_code == 200


def test_sup_4_the_bulletin_is_the_offices_a_deputy_gets_404(world, client):
    client.force_login(world.dep_a)
    assert client.get(BULLETIN).status_code == 404
    client.force_login(world.fin_head)
    assert client.get(BULLETIN).status_code == 404


# --- the unit page: open items and the outcomes on the unit's record ------------------------------------------


def _criticised(w, today, task="按时报送预算执行情况"):
    item = make_item(w, today=_days(today, 40), task=task, due=_days(today, 10), cooperating_units=[])
    return outcome_services.propose_outcome(
        actor=w.staff, item=item, kind=Outcome.OutcomeKind.CRITICISM, grounds="超期未办结", today=today
    )


def test_sup_4_approved_outcome_stays_on_the_units_page(world, client, today):
    outcome = _criticised(world, today)
    pending = _criticised(world, today, task="报送财政收支月报表")
    unit_page = reverse("org:unit", args=[world.fin.code])
    client.force_login(world.director)
    page = client.get(unit_page).text
    assert "督查结果运用" in page and outcome.item.number not in page.split("督查结果运用", 1)[1]

    outcome_services.decide_outcome(actor=world.dep_a, outcome=outcome, approve=True, today=today)
    page = client.get(unit_page).text
    section = page.split("督查结果运用", 1)[1]
    assert outcome.item.number in section and "批评" in section
    assert pending.item.number not in section  # proposed, not approved
    assert reverse("supervision:outcome", args=[outcome.pk]) in section
    # The open items panel lists the unit's overdue items.
    assert "督办事项（未办结）" in page and outcome.item.number in page.split("督办事项（未办结）", 1)[1]

    # Permission filtering: 发改局's clerk is not shown 财政局's outcomes nor items 发改局 has no part in.
    assert outcomes_panel(world.dev_clerk, world.fin, today).items == []
    assert open_items_panel(world.dev_clerk, world.fin, today).items == []
    shared = make_item(world, today=today, task="联合推进项目资金绩效评价", due=today + dt.timedelta(days=30))
    labels = [i.label for i in open_items_panel(world.dev_clerk, world.fin, today).items]
    assert labels == [f"{shared.number} {shared.short_task}"]  # 发改局 cooperates on this one
    assert [i.tag for i in outcomes_panel(world.fin_clerk, world.fin, today).items] == ["批评"]


def test_unit_page_panels_use_a_constant_number_of_queries(world, client, today):
    unit_page = reverse("org:unit", args=[world.fin.code])
    _criticised(world, today)
    client.force_login(world.director)
    client.get(unit_page)  # warm the per-process caches (content types; near a year's end, the next year's calendar)
    with CaptureQueriesContext(connection) as small:
        assert client.get(unit_page).status_code == 200
    for i in range(8):
        outcome = _criticised(world, today, task=f"第{i}批次专项债券资金使用情况核查" + "甲乙丙丁戊己庚辛"[i] * 12)
        outcome_services.decide_outcome(actor=world.dep_a, outcome=outcome, approve=True, today=today)
    with CaptureQueriesContext(connection) as big:
        assert client.get(unit_page).status_code == 200
    assert len(big.captured_queries) == len(small.captured_queries)


def test_x_1_a_control_character_saved_before_the_pages_refused_them_does_not_stop_the_bulletin():
    from supervision.ledger.bulletin_docx import BulletinLayout, BulletinRow, BulletinSection, render_bulletin

    row = BulletinRow(
        number="铁督〔2026〕1号", task="完成\x1b[31m雨污分流\u202e改造", due="2026-11-30", status="超期未办结"
    )
    layout = BulletinLayout(
        title="督查情况通报\x01",
        summary="本期通报\x0b如下。",
        sections=(BulletinSection(heading="财政局\x1f（超期未办结1件）", rows=(row,)),),
        issuer="区政府办公室",
        date=dt.date(2026, 12, 7),
    )
    doc = Document(io.BytesIO(render_bulletin(layout)))
    text = "\n".join([p.text for p in doc.paragraphs] + [c.text for t in doc.tables for r in t.rows for c in r.cells])
    assert "督查情况通报" in text and "完成[31m雨污分流改造" in text and "财政局（超期未办结1件）" in text

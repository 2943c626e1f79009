"""SUP-6 (第五十一条): per unit per year — items, closed on time, closed late, overdue, rectifications and approved
outcomes — as a table page and an .xlsx with the same numbers; office and district leaders only."""

from __future__ import annotations

import datetime as dt
import hashlib
import io

from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone
from openpyxl import load_workbook
from supervision_support import make_item

from supervision.ledger import figures, services
from supervision.models import Outcome, Source
from supervision.outcomes import services as outcome_services

YEAR = 2026
D = dt.date  # dates below are all in 2026, before the day the assessment is read
AS_OF = D(2026, 9, 7)


def _close(w, item, clerk, *, accept, claim, verify, mechanism=""):
    item = services.accept_item(actor=clerk, item=item, today=accept)
    item = services.claim_completion(actor=clerk, item=item, evidence="已完成", mechanism=mechanism, today=claim)
    return services.verify_item(actor=w.staff, item=item, note="复查核验通过", today=verify)


def _outcome(w, item, kind, decider, *, approve=True, decide=True, on=D(2026, 7, 1)):
    outcome = outcome_services.propose_outcome(
        actor=w.staff, item=item, kind=kind, grounds="依据复查核验结论", today=on
    )
    if decide:
        outcome = outcome_services.decide_outcome(
            actor=decider, outcome=outcome, approve=approve, opinion="" if approve else "依据不足", today=on
        )
    return outcome


def _year_of_items(w):
    """财政局: on time ×2 (one a rectification), late ×1 (criticised), overdue ×1, open not yet due ×1, plus a
    cancelled one, a draft and one due the next year that do not count. 发改局: on time ×1 (praised), overdue ×1
    (an accountability proposal still pending, and a rejected incentive). 审计局: nothing."""
    fin = {"lead_unit": w.fin, "cooperating_units": [], "leader_post": w.dep_a_post}
    dev = {"lead_unit": w.dev, "cooperating_units": [], "leader_post": w.dep_b_post}
    a = make_item(w, today=D(2026, 2, 2), task="完成预算绩效管理改革", due=D(2026, 3, 31), **fin)
    _close(w, a, w.fin_clerk, accept=D(2026, 2, 3), claim=D(2026, 3, 20), verify=D(2026, 3, 25))
    b = make_item(w, today=D(2026, 2, 2), task="清理政府债务台账", due=D(2026, 4, 30), **fin)
    b = _close(w, b, w.fin_clerk, accept=D(2026, 2, 3), claim=D(2026, 5, 8), verify=D(2026, 5, 11))
    _outcome(w, b, Outcome.OutcomeKind.CRITICISM, w.dep_a, on=D(2026, 5, 15))
    make_item(w, today=D(2026, 3, 2), task="推进国库集中支付电子化", due=D(2026, 6, 30), **fin)
    rect = make_item(
        w,
        today=D(2026, 3, 2),
        task="整改专项资金滞留问题",
        due=D(2026, 8, 31),
        source=Source.INSPECTION,
        rectification={"problem": "专项资金滞留", "level": "city", "found_by": "市督查组", "measures": "限期拨付"},
        **fin,
    )
    _close(
        w,
        rect,
        w.fin_clerk,
        accept=D(2026, 3, 3),
        claim=D(2026, 8, 20),
        verify=D(2026, 8, 24),
        mechanism="建立资金拨付月调度制度",
    )
    make_item(w, today=D(2026, 8, 3), task="编制明年部门预算草案", due=D(2026, 12, 15), **fin)
    cancelled = make_item(w, today=D(2026, 2, 2), task="已撤销的临时任务", due=D(2026, 5, 1), **fin)
    services.cancel_item(actor=w.staff, item=cancelled, reason="任务调整", today=D(2026, 2, 10))
    make_item(w, today=D(2026, 2, 2), task="尚未交办的草稿事项", due=D(2026, 5, 1), issue=False, **fin)
    make_item(w, today=D(2026, 8, 3), task="下一年度才到期的事项", due=D(2027, 3, 31), **fin)

    h = make_item(w, today=D(2026, 2, 2), task="优化营商环境评价", due=D(2026, 6, 30), **dev)
    h = _close(w, h, w.dev_clerk, accept=D(2026, 2, 3), claim=D(2026, 6, 1), verify=D(2026, 6, 5))
    _outcome(w, h, Outcome.OutcomeKind.PRAISE, w.dep_b, on=D(2026, 6, 10))
    _outcome(w, h, Outcome.OutcomeKind.INCENTIVE, w.dep_b, approve=False, on=D(2026, 6, 10))
    f = make_item(w, today=D(2026, 2, 2), task="重点项目前期手续办理", due=D(2026, 5, 29), **dev)
    _outcome(w, f, Outcome.OutcomeKind.ACCOUNTABILITY, w.dep_b, decide=False, on=D(2026, 7, 1))


def _figures(row) -> tuple:
    return (
        row.items,
        row.on_time,
        row.late,
        row.overdue,
        row.open_not_due,
        row.rectifications,
        tuple(row.outcome_counts),
    )


def test_sup_6_assessment_counts_on_time_late_overdue_rectifications_outcomes_per_unit(world):
    _year_of_items(world)
    a = figures.assessment(world.director, YEAR, AS_OF)
    rows = {row.unit.pk: row for row in a.rows}
    # outcome columns: 表扬, 激励, 批评, 追责
    assert _figures(rows[world.fin.pk]) == (5, 2, 1, 1, 1, 1, (0, 0, 1, 0))
    assert rows[world.fin.pk].rate == 50  # 2 ÷ (2 + 1 + 1)
    assert _figures(rows[world.dev.pk]) == (2, 1, 0, 1, 0, 0, (1, 0, 0, 0))
    assert _figures(rows[world.other.pk]) == (0, 0, 0, 0, 0, 0, (0, 0, 0, 0))
    assert rows[world.other.pk].rate is None
    assert _figures(a.totals) == (7, 3, 1, 2, 1, 1, (1, 0, 1, 0))
    assert world.gov.pk not in rows and world.office.pk not in rows  # not assessed units
    # Another year has its own figures.
    assert _figures(figures.assessment(world.director, 2027, AS_OF).totals) == (1, 0, 0, 0, 1, 0, (0, 0, 0, 0))


def test_sup_6_assessment_page_and_xlsx_show_the_same_numbers(world, client):
    _year_of_items(world)
    client.force_login(world.director)
    response = client.get(reverse("supervision:assessment"), {"year": YEAR})
    assert response.status_code == 200
    a = response.context["a"]
    assert a.year == YEAR and YEAR in a.years
    page = response.text
    assert "统计口径" in page and reverse("supervision:assessment_xlsx", args=[YEAR]) in page
    fin = next(r for r in a.rows if r.unit.pk == world.fin.pk)
    # The figures that do not move with the calendar (everything here is due before the day it is read).
    assert (fin.on_time, fin.late, fin.rectifications, fin.outcome_counts) == (2, 1, 1, [0, 0, 1, 0])

    xlsx = client.get(reverse("supervision:assessment_xlsx", args=[YEAR]))
    assert xlsx.status_code == 200
    assert xlsx["Content-Type"].startswith("application/vnd.openxmlformats-officedocument.spreadsheetml")
    ws = load_workbook(io.BytesIO(xlsx.content), read_only=True).active
    sheet = [list(r) for r in ws.iter_rows(values_only=True)]
    header_at = next(i for i, r in enumerate(sheet) if r and r[0] == "单位")
    assert tuple(sheet[header_at]) == figures.ASSESSMENT_COLUMNS
    body = {r[0]: r for r in sheet[header_at + 1 :]}
    for row in [*a.rows, a.totals]:
        name = row.unit.name if row.unit else "合计"
        assert body[name] == row.as_list(), name
        cells = page.split(f">{name}</th>", 1)[1].split("</tr>", 1)[0]
        for value in row.as_list()[1:]:
            assert f">{value}<" in cells, (name, value)
    assert body[world.fin.name][2:4] == [2, 1]  # 按期办结, 逾期办结


def test_sup_6_assessment_defaults_to_the_current_year_and_ignores_a_bad_year(world, client):
    client.force_login(world.director)
    assert client.get(reverse("supervision:assessment")).context["a"].year == timezone.localdate().year
    assert client.get(reverse("supervision:assessment"), {"year": "x"}).context["a"].year == timezone.localdate().year


def test_sup_6_a_deputy_assesses_only_the_units_and_items_they_may_see(world, client):
    _year_of_items(world)
    client.force_login(world.dep_b)  # in charge of 发改局
    response = client.get(reverse("supervision:assessment"), {"year": YEAR})
    assert response.status_code == 200
    units = {row.unit.pk for row in response.context["a"].rows}
    assert world.dev.pk in units and world.other.pk not in units
    assert client.get(reverse("supervision:assessment_xlsx", args=[YEAR])).status_code == 200


def _queries(client, url, params=None) -> int:
    with CaptureQueriesContext(connection) as ctx:
        assert client.get(url, params or {}).status_code == 200
    return len(ctx.captured_queries)


def test_sup_6_assessment_page_and_xlsx_use_a_constant_number_of_queries(world, client):
    _year_of_items(world)
    client.force_login(world.director)
    page, xlsx = reverse("supervision:assessment"), reverse("supervision:assessment_xlsx", args=[YEAR])
    small = (_queries(client, page, {"year": YEAR}), _queries(client, xlsx))
    for i in range(30):
        task = f"批量事项{hashlib.sha1(str(i).encode()).hexdigest()}"
        make_item(world, today=D(2026, 2, 2), task=task, due=D(2026, 4, 1), cooperating_units=[])
    assert (_queries(client, page, {"year": YEAR}), _queries(client, xlsx)) == small

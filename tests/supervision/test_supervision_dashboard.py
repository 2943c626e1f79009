"""The director's dashboard (issue 4, point 8): counts by light and state, on-time rate and overdue by lead unit,
due this week, missing reports; each number links to exactly the ledger rows behind it; leaders see only their
items; a constant number of queries."""

from __future__ import annotations

import dataclasses
import datetime as dt
import hashlib
from urllib.parse import parse_qs, urlsplit

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone
from supervision_support import make_item

from supervision.ledger import permissions, selectors, services
from supervision.models import HalfYearReport, ItemState, Light
from supervision.reports import services as report_services
from supervision.reports.views import last_ended_half
from tiexi_gov.workdays import calendar as wd

DASHBOARD = reverse("supervision:dashboard")


@pytest.fixture
def today():
    return timezone.localdate()


def _task(label: str) -> str:
    """A task text unlike any other (the SUP-5 duplicate check compares tasks of one lead unit)."""
    return f"{label}{hashlib.sha1(label.encode()).hexdigest()[:16]}"


def _overdue(w, today, label, **kw):
    """Issued 60 days ago, due 10 days ago, never finished: red."""
    start = today - dt.timedelta(days=60)
    return make_item(w, today=start, task=_task(label), due=today - dt.timedelta(days=10), **kw)


def _closed_on_time(w, today, label, **kw):
    start = today - dt.timedelta(days=60)
    item = make_item(w, today=start, task=_task(label), due=today - dt.timedelta(days=20), **kw)
    lead_clerk = w.fin_clerk if item.lead_unit_id == w.fin.pk else w.dev_clerk
    item = services.accept_item(actor=lead_clerk, item=item, today=start + dt.timedelta(days=1))
    item = services.claim_completion(actor=lead_clerk, item=item, evidence="已完成", today=start + dt.timedelta(days=5))
    return services.verify_item(actor=w.staff, item=item, note="核验通过", today=start + dt.timedelta(days=7))


def _filters(url: str) -> selectors.LedgerFilters:
    """The LedgerFilters a link's GET parameters name (the ledger page parses the same names)."""
    params = {k: v[0] for k, v in parse_qs(urlsplit(url).query).items()}
    kwargs = {}
    for f in dataclasses.fields(selectors.LedgerFilters):
        if f.name in params:
            value = params[f.name]
            if f.name in ("unit", "lead_unit", "leader_post"):
                value = int(value)
            elif f.name in ("due_from", "due_to"):
                value = dt.date.fromisoformat(value)
            elif f.name == "report_missing":
                value = value == "1"
            kwargs[f.name] = value
    assert set(kwargs) == set(params), f"{url} names a filter the ledger does not have"
    return selectors.LedgerFilters(**kwargs)


def _ledger_items(client, url) -> set[int]:
    """The items the ledger page lists at `url`; they must be what `selectors.ledger` gives for its filters."""
    user = client.get(DASHBOARD).wsgi_request.user
    by_selector = set(selectors.ledger(user, _filters(url)).values_list("pk", flat=True))
    response = client.get(url)
    assert response.status_code == 200, url
    on_page = {row.item.pk for row in response.context["rows"]}
    assert on_page == by_selector, f"the ledger page does not apply every filter of {url}"
    return on_page


def _world_items(w, today):
    """Red ×2 (one led by 财政局 with 发改局 cooperating, one led by 发改局), amber, green, a draft, a closed one."""
    return {
        "red_fin": _overdue(w, today, "财政红灯"),
        "red_dev": _overdue(w, today, "发改红灯", lead_unit=w.dev, cooperating_units=[], leader_post=w.dep_b_post),
        "amber": make_item(w, today=today, task=_task("黄灯"), due=wd.add_workdays(today, 1)),
        "green": make_item(w, today=today, task=_task("绿灯"), due=today + dt.timedelta(days=90)),
        "draft": make_item(w, today=today, task=_task("草稿"), issue=False),
        "done": _closed_on_time(w, today, "已办结"),
    }


def test_dashboard_counts_by_light_and_state_link_to_exactly_those_ledger_rows(world, client, today):
    items = _world_items(world, today)
    client.force_login(world.director)
    response = client.get(DASHBOARD)
    assert response.status_code == 200
    d = response.context["d"]
    page = response.text

    expected = {
        Light.RED: {items["red_fin"].pk, items["red_dev"].pk},
        Light.AMBER: {items["amber"].pk},
        Light.GREEN: {items["green"].pk},
        Light.DONE: {items["done"].pk},
        Light.NONE: {items["draft"].pk},
    }
    lights = {f.key: f for f in d.lights}
    for light, pks in expected.items():
        figure = lights[light]
        assert figure.value == len(pks), light
        assert f'href="{figure.url}"'.replace("&", "&amp;") in page or f'href="{figure.url}"' in page
        assert _ledger_items(client, figure.url) == pks, light

    states = {f.key: f for f in d.states}
    assert states[ItemState.ASSIGNED].value == 4  # red ×2, amber, green: issued, not yet accepted
    assert _ledger_items(client, states[ItemState.ASSIGNED].url) == (
        expected[Light.RED] | expected[Light.AMBER] | expected[Light.GREEN]
    )
    assert states[ItemState.CLOSED_ON_TIME].value == 1
    assert _ledger_items(client, states[ItemState.CLOSED_ON_TIME].url) == {items["done"].pk}
    assert d.total.value == 6 and _ledger_items(client, d.total.url) == {i.pk for i in items.values()}


def test_dashboard_on_time_rate_and_overdue_by_lead_unit_click_through(world, client, today):
    items = _world_items(world, today)
    client.force_login(world.director)
    d = client.get(DASHBOARD).context["d"]
    by_unit = {u.unit_id: u for u in d.units}

    fin, dev = by_unit[world.fin.pk], by_unit[world.dev.pk]
    # 财政局 leads red_fin, amber, green, the draft and the closed one: 1 on time, 1 overdue → 50%.
    assert (fin.total, fin.on_time, fin.late, fin.overdue, fin.rate) == (5, 1, 0, 1, 50)
    # 发改局 leads only red_dev (it merely cooperates on red_fin, which is not its figure).
    assert (dev.total, dev.on_time, dev.overdue, dev.rate) == (1, 0, 1, 0)
    assert d.units[0].overdue >= d.units[-1].overdue  # the worst first

    assert _ledger_items(client, dev.overdue_url) == {items["red_dev"].pk}
    assert _ledger_items(client, fin.overdue_url) == {items["red_fin"].pk}
    assert _ledger_items(client, fin.on_time_url) == {items["done"].pk}
    assert _ledger_items(client, fin.total_url) == {items[k].pk for k in ("red_fin", "amber", "green", "draft", "done")}


def test_dashboard_items_due_this_week_from_today_to_sunday(world, client, today):
    sunday = today + dt.timedelta(days=6 - today.weekday())
    this_week = make_item(world, today=today, task=_task("本周到期"), due=sunday)
    next_week = make_item(world, today=today, task=_task("下周到期"), due=sunday + dt.timedelta(days=1))
    client.force_login(world.director)
    response = client.get(DASHBOARD)
    d = response.context["d"]
    assert (d.week_start, d.week_end) == (today, sunday)
    assert d.week_workdays == [
        today + dt.timedelta(days=i)
        for i in range((sunday - today).days + 1)
        if wd.is_workday(today + dt.timedelta(days=i))
    ]
    assert [i.pk for i in d.week_items] == [this_week.pk]
    assert d.week_total.value == 1
    assert _ledger_items(client, d.week_total.url) == {this_week.pk}
    (assigned,) = d.week_states
    assert assigned.key == ItemState.ASSIGNED and _ledger_items(client, assigned.url) == {this_week.pk}
    assert this_week.number in response.text and next_week.number not in response.text


def test_sup_2_missed_reports_show_on_the_dashboard(world, client, today):
    # A monthly progress report missed: accepted 60 days ago, the report was due a month later.
    start = today - dt.timedelta(days=60)
    late = make_item(world, today=start, task=_task("月报缺报"), due=today + dt.timedelta(days=60))
    late = services.accept_item(actor=world.fin_clerk, item=late, today=start)
    assert late.next_report_due < today
    on_cycle = make_item(world, today=today, task=_task("按期报告"), due=today + dt.timedelta(days=60))
    services.accept_item(actor=world.fin_clerk, item=on_cycle, today=today)
    # A half-year report missed by 发改局 and 审计局; 财政局 filed its copy.
    year, half = last_ended_half(today)  # a report is filed once its half-year has ended (SUP-2)
    report_services.open_half_year_round(year=year, half=half, due=today - dt.timedelta(days=3), today=today)
    fin_report = HalfYearReport.objects.get(unit=world.fin, year=year, half=half)
    report_services.file_half_year_report(
        actor=world.fin_clerk, report=fin_report, summary="上半年工作总结", counterpart="市财政局", today=today
    )

    client.force_login(world.director)
    response = client.get(DASHBOARD)
    d = response.context["d"]
    assert [i.pk for i in d.missing_items] == [late.pk]
    (fin_missing,) = d.missing_units
    assert fin_missing.label == world.fin.display_name and fin_missing.value == 1
    assert _ledger_items(client, fin_missing.url) == {late.pk}
    assert _ledger_items(client, d.missing_total.url) == {late.pk}
    assert {r.unit_id for r in d.half_year_missing} == {world.dev.pk, world.other.pk}
    assert d.half_year_url == reverse("supervision:half_year")
    page = response.text
    assert late.number in page and on_cycle.number not in page
    assert world.other.display_name in page and "半年报告逾期未报" in page


@pytest.mark.parametrize("who", ["fin_clerk", "fin_head", "dev_clerk", "outsider"])
def test_a_unit_gets_404_on_dashboard_assessment_and_bulletin(world, client, today, who):
    client.force_login(getattr(world, who))
    for url in (
        DASHBOARD,
        reverse("supervision:assessment"),
        reverse("supervision:assessment_xlsx", args=[today.year]),
        reverse("supervision:bulletin"),
    ):
        assert client.get(url).status_code == 404, url


def test_a_deputy_sees_the_dashboard_of_only_the_items_they_may_see(world, client, today):
    _world_items(world, today)
    audit_item = make_item(
        world, today=today, task=_task("审计局事项"), lead_unit=world.other, cooperating_units=[], due=today
    )
    client.force_login(world.dep_b)
    response = client.get(DASHBOARD)
    assert response.status_code == 200
    d = response.context["d"]
    visible = set(permissions.visible_items(world.dep_b).values_list("pk", flat=True))
    assert audit_item.pk not in visible
    assert d.total.value == len(visible)
    assert sum(f.value for f in d.lights) == len(visible)
    assert world.other.pk not in {u.unit_id for u in d.units}
    assert audit_item.number not in response.text
    # The bulletin is the office's.
    assert client.get(reverse("supervision:bulletin")).status_code == 404


def _spread(w, today, n: int, first: int = 0) -> None:
    """n items over the lights, states and units the dashboard shows."""
    for i in range(first, first + n):
        lead, co, leader = [(w.fin, [w.dev], w.dep_a_post), (w.dev, [], w.dep_b_post), (w.other, [], w.dep_a_post)][
            i % 3
        ]
        kind = i % 4
        if kind == 0:
            _overdue(w, today, f"超期{i}", lead_unit=lead, cooperating_units=co, leader_post=leader)
        elif kind == 1:
            item = make_item(
                w,
                today=today - dt.timedelta(days=60),
                task=_task(f"缺报{i}"),
                due=today + dt.timedelta(days=3),
                lead_unit=lead,
                cooperating_units=co,
                leader_post=leader,
            )
            clerk = {w.fin.pk: w.fin_clerk, w.dev.pk: w.dev_clerk, w.other.pk: w.other_clerk}[lead.pk]
            services.accept_item(actor=clerk, item=item, today=today - dt.timedelta(days=60))
        else:
            make_item(
                w,
                today=today,
                task=_task(f"在办{i}"),
                due=today + dt.timedelta(days=i % 7),
                lead_unit=lead,
                cooperating_units=co,
                leader_post=leader,
            )


def _queries(client) -> int:
    with CaptureQueriesContext(connection) as ctx:
        assert client.get(DASHBOARD).status_code == 200
    return len(ctx.captured_queries)


@pytest.mark.parametrize("who", ["director", "dep_a"])
def test_dashboard_uses_a_constant_number_of_queries(world, client, today, who, page_cache_off):
    report_services.open_half_year_round(year=today.year, half=1, due=today - dt.timedelta(days=3), today=today)
    _spread(world, today, 5)
    client.force_login(getattr(world, who))
    small = _queries(client)
    _spread(world, today, 40, first=5)
    big = _queries(client)
    assert big == small
    assert selectors.with_light(permissions.visible_items(getattr(world, who))).count() > 10


def test_x_14_dashboard_item_rows_print_what_their_template_printed_before(world, client, today, page_cache_off):
    """The dashboard's two item lists print words made once in Python and are drawn by Jinja2 (issue 14.2): each row
    still reads as Django's row template printed it from the item (link, number, short task, lead unit, due date,
    the overdue report's date and working days, the light's badge, escaping)."""
    from pathlib import Path

    from tests.rows_support import as_django_prints, reference
    from tiexi_gov.rowtemplates import rows as draw

    sunday = today + dt.timedelta(days=6 - today.weekday())
    odd = "<b>加急</b> \"引号\" '单引号' & 一个很长很长很长很长很长很长很长很长很长很长很长很长很长的督办事项"
    make_item(world, today=today, task=_task(odd), due=sunday)
    make_item(world, today=today, task=_task("本周到期二"), due=sunday)
    start = today - dt.timedelta(days=60)
    late = make_item(world, today=start, task=_task("月报缺报<i>"), due=today + dt.timedelta(days=60))
    services.accept_item(actor=world.fin_clerk, item=late, today=start)

    client.force_login(world.director)
    response = client.get(DASHBOARD)
    page = as_django_prints(response.text)
    week, missing = response.context["week_rows"], response.context["missing_rows"]
    assert len(week) == 2 and all(r.light for r in week)
    assert len(missing) == 1 and missing[0].report_late_workdays > 0 and not missing[0].light
    before = Path(__file__).with_name("report_item_row_before.html")
    for row in [*week, *missing]:
        new = draw([row], "supervision/_reports_item_row.jinja")
        assert "<b>" not in new and "<i>" not in new
        assert as_django_prints(new) == reference(before, row), row.number
        assert as_django_prints(new) in page  # the page draws it so
    assert "&#34;引号&#34;" in response.text  # Jinja2's spelling: the rows are its (Django writes &quot;)
    listed = response.text.split('data-testid="missing-items"')[1].split("</ul>")[0]
    assert missing[0].number in listed and "无</li>" not in listed

    # The rows read only the columns they show, and nothing per row (no deferred column loaded one by one).
    few = _queries(client)
    for n in range(4):
        make_item(world, today=today, task=_task(f"本周再到期{n}"), due=sunday)
    assert _queries(client) == few
    assert len(client.get(DASHBOARD).context["week_rows"]) == 6


def test_x_14_dashboard_item_lists_without_items_say_none(world, client):
    from tests.rows_support import as_django_prints

    client.force_login(world.director)
    response = client.get(DASHBOARD)
    assert response.context["week_rows"] == [] and response.context["missing_rows"] == []
    for testid in ("week-items", "missing-items"):
        listed = response.text.split(f'data-testid="{testid}"')[1].split("</ul>")[0]
        assert as_django_prints(listed) == '> <li class="list-group-item text-secondary px-2">无</li>'

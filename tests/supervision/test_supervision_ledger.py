"""The ledger page (督查督办台账, SUP-1): the recorded fields, who sees which rows (X-2), filters, counts by light,
pagination and a constant number of SQL queries whatever the number of items."""

from __future__ import annotations

import datetime as dt

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone
from supervision_support import make_item

from supervision.ledger import services
from supervision.models import ItemState, Kind, Source, SupervisionItem

pytestmark = pytest.mark.django_db


def _today() -> dt.date:
    return timezone.localdate()


def _client(client, user):
    client.force_login(user)
    return client


def _tasks(response) -> set[str]:
    return {row.item.task for row in response.context["rows"]}


def bulk_items(w, n: int, *, today: dt.date, start: int = 0) -> list[SupervisionItem]:
    """`n` items straight into the table (volume for the query-count test, not a workflow): led by 财政局 or
    发改局 in turn, each with two cooperating units, in working states with dues around today."""
    states = [ItemState.ASSIGNED, ItemState.ACCEPTED, ItemState.IN_PROGRESS, ItemState.CLOSED_ON_TIME]
    items = SupervisionItem.objects.bulk_create(
        [
            SupervisionItem(
                year=9000, seq=start + i + 1, number=f"批-{start + i + 1}", source=Source.GOVERNMENT_DECISION,
                task=f"批量督办事项第{start + i}项", lead_unit=w.fin if i % 2 else w.dev, leader_post=w.dep_a_post,
                due=today + dt.timedelta(days=(i % 20) - 5), standard="按期完成",
                period_start=today - dt.timedelta(days=30), assigned_on=today - dt.timedelta(days=30),
                supervising_unit=w.office, state=states[i % len(states)], percent=i % 100, progress_text="推进中",
                created_by=w.staff,
            )
            for i in range(n)
        ]
    )  # fmt: skip
    through = SupervisionItem.cooperating_units.through
    through.objects.bulk_create(
        [through(supervisionitem_id=item.pk, unit_id=unit.pk) for item in items for unit in (w.other, w.office)]
    )
    return items


# --- SUP-1: the ledger records every field ----------------------------------------------------------------


def test_sup_1_ledger_shows_the_recorded_fields(world, client):
    w, today = world, _today()
    item = make_item(
        w,
        today=today,
        source=Source.LEADER_INSTRUCTION,
        source_ref="区长批示〔2026〕8号",
        task="推进铁西区供热管网改造工程",
        standard="年底前完成改造 12 公里",
        due=today + dt.timedelta(days=40),
        kind=Kind.COMPREHENSIVE,
    )
    r = _client(client, w.staff).get(reverse("supervision:ledger"))
    assert r.status_code == 200
    html = r.content.decode()
    for text in (
        "领导批示",
        "区长批示〔2026〕8号",
        "推进铁西区供热管网改造工程",
        "财政局",  # lead unit
        "发改局",  # cooperating unit
        "副区长（财政）",  # leader in charge
        item.due.strftime("%Y-%m-%d"),
        "年底前完成改造 12 公里",
        item.number,
        "综合督查",
        "已交办（待签收）",
    ):
        assert text in html, text
    assert reverse("supervision:item", args=[item.pk]) in html
    headings = ["序号", "事项来源", "督办事项", "牵头单位", "协办单位"]
    headings += ["责任领导", "完成时限", "量化标准", "进展情况", "状态"]
    positions = [html.index(f">{h}</th>") for h in headings]
    assert positions == sorted(positions)  # the office's column order


def test_org_3_ledger_names_the_responsible_leader_and_who_acts_today(world, client):
    from tests.factories import ActingArrangementFactory

    w, today = world, _today()
    make_item(w, today=today)
    c = _client(client, w.staff)
    leader_cell = f"{w.dep_a.display_name}（{w.dep_a_post.title}）"
    assert leader_cell in c.get(reverse("supervision:ledger")).content.decode()
    ActingArrangementFactory(
        absent_post=w.dep_a_post, acting_post=w.dep_b_post, start=today, end=today + dt.timedelta(days=5)
    )
    html = c.get(reverse("supervision:ledger")).content.decode()
    assert f"{w.dep_b.display_name}（代{w.dep_a_post.title}{w.dep_a.display_name}）" in html


def test_sup_1_index_is_the_ledger_and_needs_a_login(world, client):
    assert client.get(reverse("supervision:index")).status_code == 302
    make_item(world, today=_today())
    r = _client(client, world.staff).get(reverse("supervision:index"))
    assert r.status_code == 200 and len(r.context["rows"]) == 1


def test_sup_1_office_sees_register_import_and_export_a_unit_only_export(world, client):
    make_item(world, today=_today())
    html = _client(client, world.staff).get(reverse("supervision:ledger")).content.decode()
    for url in (
        reverse("supervision:item_new"),
        reverse("supervision:ledger_import"),
        reverse("supervision:ledger_export"),
    ):
        assert url in html
    for name in ("dashboard", "assessment", "inquiries", "half_year", "outcomes"):
        assert reverse(f"supervision:{name}") in html
    html = _client(client, world.fin_clerk).get(reverse("supervision:ledger")).content.decode()
    assert reverse("supervision:ledger_export") in html
    assert reverse("supervision:item_new") not in html and reverse("supervision:ledger_import") not in html


def test_sup_4_a_unit_clerk_is_offered_only_the_tabs_that_open_for_them(world, client):
    """The dashboard and the annual assessment are the office's and the leaders' (SUP-4, SUP-6): a clerk's ledger
    does not offer tabs that answer 页面不存在; every tab it offers opens."""
    make_item(world, today=_today())
    c = _client(client, world.fin_clerk)
    html = c.get(reverse("supervision:ledger")).content.decode()
    for name in ("dashboard", "assessment"):
        assert reverse(f"supervision:{name}") not in html
        assert c.get(reverse(f"supervision:{name}")).status_code == 404
    for name in ("inquiries", "half_year", "outcomes"):
        assert reverse(f"supervision:{name}") in html
        assert c.get(reverse(f"supervision:{name}")).status_code == 200
    html = _client(client, world.dep_a).get(reverse("supervision:ledger")).content.decode()
    assert reverse("supervision:dashboard") in html and reverse("supervision:assessment") in html


def test_org_3_the_leader_filter_tells_apart_posts_of_one_title_while_one_deputy_acts_for_another(world, client):
    """Deputies share the title 副区长: while one acts for another, the absent deputy's post is named by its holder
    and who stands in, not by the acting deputy's name twice."""
    from tests.factories import ActingArrangementFactory

    w, today = world, _today()
    for post in (w.dep_a_post, w.dep_b_post):
        post.title = "副区长"
        post.save(update_fields=["title"])
    ActingArrangementFactory(absent_post=w.dep_a_post, acting_post=w.dep_b_post, start=today, end=today)
    r = _client(client, w.staff).get(reverse("supervision:ledger"))
    labels = dict(r.context["leaders"])
    a, b = w.dep_a.display_name, w.dep_b.display_name
    assert labels[w.dep_a_post.pk] == f"副区长（{a}，{b}代）"
    assert labels[w.dep_b_post.pk] == f"副区长（{b}）"
    assert len(set(labels.values())) == len(labels)


# --- X-2: who sees which rows --------------------------------------------------------------------------


@pytest.fixture
def three_items(world):
    w, today = world, _today()
    fin_led = make_item(w, today=today, task="财政局牵头：清理政府拖欠账款", cooperating_units=[w.dev])
    dev_led = make_item(
        w,
        today=today,
        task="发改局牵头：重点项目开工建设",
        lead_unit=w.dev,
        cooperating_units=[],
        leader_post=w.dep_b_post,
    )
    audit_led = make_item(
        w, today=today, task="审计局牵头：审计整改清单销号", lead_unit=w.other, cooperating_units=[w.fin],
        leader_post=w.head_post,
    )  # fmt: skip
    return fin_led, dev_led, audit_led


@pytest.mark.parametrize(
    "who, sees",
    [
        ("staff", {"fin", "dev", "audit"}),
        ("director", {"fin", "dev", "audit"}),
        ("head", {"fin", "dev", "audit"}),
        ("fin_clerk", {"fin", "audit"}),  # leads one, cooperates on the audit one
        ("fin_head", {"fin", "audit"}),
        ("dev_clerk", {"fin", "dev"}),  # cooperates on the fin one
        ("other_clerk", {"audit"}),
        ("dep_a", {"fin", "audit"}),  # portfolio 财政局: its items, led or cooperating
        ("dep_b", {"fin", "dev"}),  # portfolio 发改局
        ("outsider", set()),
    ],
)
def test_sup_1_ledger_permission_unit_sees_own_leader_portfolio_office_all(world, client, three_items, who, sees):
    fin_led, dev_led, audit_led = three_items
    names = {fin_led.task: "fin", dev_led.task: "dev", audit_led.task: "audit"}
    r = _client(client, getattr(world, who)).get(reverse("supervision:ledger"))
    assert r.status_code == 200
    assert {names[t] for t in _tasks(r)} == sees
    html = r.content.decode()
    for item in three_items:
        link = reverse("supervision:item", args=[item.pk])
        assert (link in html) == (names[item.task] in sees)


# --- filters, search, sorting, counts --------------------------------------------------------------------


def test_sup_1_filters_by_unit_lead_or_cooperating_leader_source_kind_state_and_search(world, client, three_items):
    w = world
    fin_led, dev_led, audit_led = three_items
    c = _client(client, w.staff)
    url = reverse("supervision:ledger")
    assert _tasks(c.get(url, {"unit": w.fin.pk})) == {fin_led.task, audit_led.task}
    assert _tasks(c.get(url, {"unit": w.dev.pk})) == {fin_led.task, dev_led.task}
    assert _tasks(c.get(url, {"leader_post": w.dep_b_post.pk})) == {dev_led.task}
    assert _tasks(c.get(url, {"q": "重点项目"})) == {dev_led.task}
    assert _tasks(c.get(url, {"q": audit_led.number})) == {audit_led.task}
    services.accept_item(actor=w.fin_clerk, item=fin_led)
    assert _tasks(c.get(url, {"state": ItemState.ACCEPTED})) == {fin_led.task}
    assert _tasks(c.get(url, {"source": Source.GOVERNMENT_DECISION})) == {fin_led.task, dev_led.task, audit_led.task}
    assert _tasks(c.get(url, {"source": Source.MEETING_DECISION})) == set()
    assert _tasks(c.get(url, {"kind": Kind.SPECIAL})) == {fin_led.task, dev_led.task, audit_led.task}
    assert _tasks(c.get(url, {"kind": Kind.INVESTIGATION})) == set()


def test_sup_2_ledger_takes_the_dashboard_filters_lead_unit_and_missing_report(world, client, three_items):
    w, today = world, _today()
    fin_led, _dev_led, _audit_led = three_items
    c = _client(client, w.staff)
    url = reverse("supervision:ledger")
    r = c.get(url, {"unit": w.fin.pk, "lead_unit": w.fin.pk})
    assert _tasks(r) == {fin_led.task}
    assert "仅看牵头事项" in r.content.decode()
    started = today - dt.timedelta(days=60)
    late = make_item(
        w, today=started, task="补齐农村饮水安全工程验收资料", lead_unit=w.other, cooperating_units=[],
        due=today + dt.timedelta(days=60),
    )  # fmt: skip
    services.accept_item(actor=w.other_clerk, item=late, today=started)
    r = c.get(url, {"report_missing": "1"})
    assert _tasks(r) == {late.task}
    assert "进展报告逾期未报" in r.content.decode()


def test_sup_1_due_range_and_sorting(world, client):
    w, today = world, _today()
    near = make_item(w, today=today, task="近期到期的督办事项：道路修补", due=today + dt.timedelta(days=10))
    far = make_item(w, today=today, task="远期到期的督办事项：公园建设", due=today + dt.timedelta(days=90))
    c = _client(client, w.staff)
    url = reverse("supervision:ledger")
    r = c.get(url, {"due_from": (today + dt.timedelta(days=20)).isoformat()})
    assert _tasks(r) == {far.task}
    r = c.get(url, {"due_to": (today + dt.timedelta(days=20)).isoformat()})
    assert _tasks(r) == {near.task}
    assert [row.item.pk for row in c.get(url).context["rows"]] == [near.pk, far.pk]
    assert [row.item.pk for row in c.get(url, {"sort": "-due"}).context["rows"]] == [far.pk, near.pk]
    assert [row.item.pk for row in c.get(url, {"sort": "-number"}).context["rows"]] == [far.pk, near.pk]


def test_sup_1_bad_filter_values_are_ignored_and_shown_never_a_500(world, client, three_items):
    c = _client(client, world.staff)
    r = c.get(
        reverse("supervision:ledger"),
        {
            "unit": "abc",
            "leader_post": "999999",
            "light": "purple",
            "state": "nonsense",
            "due_from": "2026-13-45",
            "due_to": "yesterday",
            "sort": "DROP TABLE",
            "page": "9999",
            "q": "x" * 300,
        },
    )
    assert r.status_code == 200
    assert len(r.context["rows"]) == 0 or r.context["page"].number == r.context["page"].paginator.num_pages
    assert "以下筛选条件无效" in r.content.decode()
    r = c.get(reverse("supervision:ledger"), {"unit": "abc", "light": "purple"})
    assert len(r.context["rows"]) == 3  # the bad values are dropped, the ledger still shows
    r = c.get(reverse("supervision:ledger"), {"due_from": "2026-12-31", "due_to": "2026-01-01"})
    assert r.status_code == 200 and "结束日期不能早于开始日期" in r.content.decode()


def test_sup_1_counts_by_light_for_the_current_filter(world, client):
    w, today = world, _today()
    bulk_items(w, 12, today=today)
    c = _client(client, w.staff)
    r = c.get(reverse("supervision:ledger"), {"unit": w.fin.pk})
    counts = {light: n for light, _label, _badge, n, _q in r.context["counts"]}
    expected: dict[str, int] = {}
    from supervision.ledger.selectors import with_light

    for item in with_light(SupervisionItem.objects.filter(lead_unit=w.fin), today):
        expected[item.light] = expected.get(item.light, 0) + 1
    assert {k: v for k, v in counts.items() if v} == expected
    assert sum(counts.values()) == 6 == r.context["page"].paginator.count
    red = c.get(reverse("supervision:ledger"), {"unit": w.fin.pk, "light": "red"})
    assert red.context["page"].paginator.count == expected.get("red", 0)
    assert {row.light for row in red.context["rows"]} <= {"red"}
    # the counts stay those of the filter without its light, so each badge shows what clicking it lists
    assert {light: n for light, _l, _b, n, _q in red.context["counts"]} == counts


def test_sup_1_pages_of_fifty_numbered_across_pages_keep_the_filter(world, client):
    w, today = world, _today()
    bulk_items(w, 60, today=today)
    c = _client(client, w.staff)
    r = c.get(reverse("supervision:ledger"), {"unit": w.other.pk})
    assert r.context["page"].paginator.count == 60 and len(r.context["rows"]) == 50
    assert f"unit={w.other.pk}&amp;page=2" in r.content.decode()
    r2 = c.get(reverse("supervision:ledger"), {"unit": w.other.pk, "page": 2})
    assert [row.number for row in r2.context["rows"]] == list(range(51, 61))
    assert not {row.item.pk for row in r.context["rows"]} & {row.item.pk for row in r2.context["rows"]}


# --- speed: constant SQL queries --------------------------------------------------------------------------


def _queries(c, params=None) -> int:
    c.get(reverse("supervision:ledger"), params or {})  # warm the calendar index and the session
    with CaptureQueriesContext(connection) as ctx:
        r = c.get(reverse("supervision:ledger"), params or {})
    assert r.status_code == 200
    return len(ctx.captured_queries)


@pytest.mark.parametrize("who", ["staff", "fin_clerk", "dep_a"])
def test_sup_1_ledger_query_count_is_constant_5_vs_60_items(world, client, who, page_cache_off):
    w, today = world, _today()
    c = _client(client, getattr(w, who))
    bulk_items(w, 5, today=today)
    small = _queries(c), _queries(c, {"unit": w.other.pk, "sort": "unit"})
    bulk_items(w, 55, today=today, start=5)
    large = _queries(c), _queries(c, {"unit": w.other.pk, "sort": "unit"})
    assert small == large, (small, large)
    assert max(large) <= 30  # session, user, roles, the org chart for a deputy, counts, page, prefetches
    r = c.get(reverse("supervision:ledger"))
    assert len(r.context["rows"]) == min(50, r.context["page"].paginator.count) > 5


def test_issue14_filter_selects_written_in_python_render_as_djangos(world):
    """The ledger's filter <select>s are written in Python (issue 14: Django renders each <option> through a
    template); the markup carries the same name, attributes, options, escaping and selection as Django's."""
    import re

    from django import forms

    from supervision.ledger.forms import FastSelect, LedgerFilterForm

    form = LedgerFilterForm(
        {"unit": "3", "state": "draft", "sort": "due"}, units=[(3, "财政局<&>"), (4, "发改局")], leaders=[(1, "区长")]
    )

    def attrs_sorted(html: str) -> str:
        return re.sub(r"<(\w+) ([^>]*)>", lambda m: f"<{m[1]} {' '.join(sorted(m[2].split(' ')))}>", html)

    for name in ("unit", "leader_post", "source", "kind", "state", "light", "sort"):
        bound = form[name]
        assert isinstance(bound.field.widget, FastSelect)
        ours = str(bound)
        django = forms.Select.render(
            bound.field.widget, bound.html_name, bound.value(), attrs=bound.build_widget_attrs({"id": bound.auto_id})
        )
        assert attrs_sorted(ours) == attrs_sorted("".join(line.strip() for line in django.splitlines()))
    assert '<option value="3" selected>财政局&lt;&amp;&gt;</option>' in str(form["unit"])


def test_x_14_a_ledger_row_prints_what_its_template_printed_before(world, client):
    """The ledger's rows print words made once in Python, read no model and are drawn by Jinja2 (issue 14.2): each
    still reads as Django's row template printed it from the item (source reference, number, 重大事项, behind plan,
    the count's colour, escaping)."""
    from pathlib import Path

    from tests.rows_support import as_django_prints, reference
    from tiexi_gov.rowtemplates import rows as draw

    w, today = world, _today()
    items = bulk_items(w, 12, today=today)
    SupervisionItem.objects.filter(pk__in=[i.pk for i in items[::3]]).update(
        behind_plan=True, is_major=True, source_ref="区政府常务会议纪要〔2026〕<3>号 \"急\" '办'"
    )
    page = _client(client, w.staff).get(reverse("supervision:ledger"))
    rows = page.context["rows"]
    assert len(rows) == 12 and {r.due_tone for r in rows} >= {"danger", "warning"}
    assert any(r.is_major for r in rows) and any(not r.behind_plan for r in rows)
    for row in rows:
        new = draw([row], "supervision/_ledger_row.jinja")
        assert as_django_prints(new) == reference(Path(__file__).with_name("ledger_row_before.html"), row)
        assert as_django_prints(new) in as_django_prints(page.content.decode())  # the page draws it so
    assert "&lt;3&gt;号" in page.content.decode() and "<3>号" not in page.content.decode()

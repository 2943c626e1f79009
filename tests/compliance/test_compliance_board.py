"""Issue 15.5, the rule compliance board: clocks per article by unit and by leader (X-3), the items behind a cell,
handling efficiency per person and step in working days (CAL-1), the .xlsx, and who sees what (X-2)."""

import datetime as dt
import io

import pytest
from compliance_support import TODAY, YEAR, crafted_clocks, crafted_tasks, open_clock, travel, world
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from openpyxl import load_workbook

from compliance import selectors
from compliance.access import Scope
from tests.factories import UnitFactory, UserFactory, appoint
from tiexi_gov.org.models import Post
from tiexi_gov.org.roles import Role

pytestmark = pytest.mark.django_db

ALL = Scope()


def _lines(table):
    """{(article, line label): [started, met, missed, extended, running]}"""
    return {(b.article, line.label): line.counts.values() for b in table.blocks for line in b.lines}


def _efforts(rows):
    return {
        (r.person, r.step, r.urgency_label): (
            r.effort.done,
            r.effort.pending,
            r.effort.average,
            r.effort.average_done,
            r.effort.average_pending,
        )
        for r in rows
    }


@pytest.fixture
def w():
    return world()


# --- per-article counts -----------------------------------------------------------------------------------------


def test_x_3_per_article_counts_by_unit_started_met_missed_extended_running(w):
    crafted_clocks(w)
    tables = selectors.clock_tables(ALL, YEAR, TODAY)
    assert _lines(tables["unit"]) == {
        ("第六十条", "财政局"): [5, 1, 2, 1, 3],
        ("第五十五条", "发改局"): [1, 1, 0, 0, 0],
        ("第六十一条", "区政府"): [1, 0, 0, 0, 1],
    }
    by_article = {b.article: b for b in tables["unit"].blocks}
    assert [b.article for b in tables["unit"].blocks] == ["第五十五条", "第六十条", "第六十一条"]  # the rules' order
    assert by_article["第六十条"].titles == sorted(
        ["印发后3个工作日内报送", "征求意见5个工作日内答复，逾期视为无不同意见"]
    )
    assert tables["unit"].total.values() == [7, 2, 2, 1, 4]


def test_x_3_per_article_counts_by_leader_follow_the_portfolio_and_the_leaders_own_clocks(w):
    crafted_clocks(w)
    leader = selectors.clock_tables(ALL, YEAR, TODAY)["leader"]
    assert _lines(leader) == {
        ("第六十条", "李副区长（副区长）"): [5, 1, 2, 1, 3],  # 财政局 is in the deputy's portfolio (ORG-2)
        ("第五十五条", "王区长（区长）"): [1, 1, 0, 0, 0],  # in nobody's: the head answers for it
        ("第六十一条", "李副区长（副区长）"): [1, 0, 0, 0, 1],  # the deputy's own approval clock
    }


def test_x_3_no_rule_id_reaches_the_page(client, w):
    crafted_clocks(w)
    client.force_login(w.director)
    with travel():
        html = client.get(reverse("compliance:board")).content.decode()
    assert "第六十条" in html and "第五十五条" in html
    for rule_id in ("DOC-7", "DOC-3", "DOC-13", "MTG-10"):
        assert rule_id not in html


# --- click-through ------------------------------------------------------------------------------------------------


def _cell_links(html):
    import re

    return re.findall(r'href="(/compliance/items/\?[^"]+)"', html)


def test_x_3_a_cells_click_through_lists_its_items_with_links(client, w):
    crafted_clocks(w)
    client.force_login(w.director)
    with travel():
        board = client.get(reverse("compliance:board"))
        rows = board.content.decode()
        params = {"year": YEAR, "article": "第六十条", "by": "unit", "key": w.unit_a.pk, "cat": "missed"}
        page = client.get(reverse("compliance:items"), params)
        assert page.status_code == 200
        items = page.context["rows"]
        # The late one and the DOC-3 clock still owed past its due day.
        assert sorted(r.deadline.counted_from for r in items) == [dt.date(2026, 3, 2), dt.date(2026, 10, 9)]
        html = page.content.decode()
        for r in items:
            assert f'href="{r.deadline.url}"' in html
        assert "2026年 · 第六十条 · 财政局 · 超期" in html
        # Every number on the board is a link whose list has exactly that many items.
        links = _cell_links(rows)
        assert links
        for link in links:
            listed = client.get(link.replace("&amp;", "&"))
            assert listed.status_code == 200
        leader = client.get(
            reverse("compliance:items"),
            {"year": YEAR, "article": "第五十五条", "by": "leader", "key": w.head_post.pk, "cat": "met"},
        )
        assert [r.deadline.owner_unit_id for r in leader.context["rows"]] == [w.unit_b.pk]
        extended = client.get(
            reverse("compliance:items"),
            {"year": YEAR, "article": "第六十条", "by": "unit", "key": w.unit_a.pk, "cat": "extended"},
        )
        assert [r.deadline.due for r in extended.context["rows"]] == [dt.date(2026, 10, 30)]
        assert "商定延期，原截止 2026-10-19" in extended.content.decode()  # the clock it replaced (5 WD from 10-12)


def test_x_3_every_cell_number_equals_its_item_count(client, w):
    crafted_clocks(w)
    client.force_login(w.director)
    tables = selectors.clock_tables(ALL, YEAR, TODAY)
    for table in tables.values():
        for block in table.blocks:
            for line in block.lines:
                for name, _label, n in line.counts.cells():
                    cell = selectors.Cell(article=block.article, by=table.by, key=line.key, category=name)
                    assert selectors.cell_items(ALL, YEAR, TODAY, cell).count() == n, (block.article, line.label, name)


@pytest.mark.parametrize(
    "params",
    [
        {"cat": "nonsense"},
        {"cat": "met", "by": "x"},
        {"cat": "met", "key": "abc"},
        {"cat": "met", "article": "DOC-7"},
        {"cat": "met", "year": "99999"},
    ],
)
def test_bad_click_through_parameters_are_404_or_ignored_never_500(client, w, params):
    client.force_login(w.director)
    assert client.get(reverse("compliance:items"), params).status_code in (200, 404)
    assert client.get(reverse("compliance:board"), {"year": "abc"}).status_code == 200


# --- efficiency -----------------------------------------------------------------------------------------------------


def test_cal_1_efficiency_per_person_and_step_split_by_urgency_pending_counted_to_today(w):
    crafted_tasks(w)
    rows = selectors.efficiency(ALL, YEAR, TODAY)
    assert _efforts(rows) == {
        # done in 3 WD (10-09 → 10-13 over the make-up Saturday) and 0 WD; pending since 10-16: 2 WD to today.
        ("钱文书", "待签发", "一般"): (2, 1, 1.7, 1.5, 2.0),
        ("钱文书", "待签发", "特急重要"): (0, 1, 4.0, None, 4.0),  # since 10-14: 10-15, 16, 19, 20
        ("孙局长", "待审批", "加急"): (0, 1, 2.0, None, 2.0),  # the post's task reaches its holder
        ("财政局（文书）", "待报送", "一般"): (0, 1, 1.0, None, 1.0),
    }


def test_efficiency_counts_a_pending_post_task_for_whoever_acts_today(w):
    from tests.factories import ActingArrangementFactory

    people = crafted_tasks(w)
    acting_post, acting = appoint(Post.Kind.UNIT_DEPUTY, unit=w.unit_a, title="副局长")
    ActingArrangementFactory(absent_post=people.head_post, acting_post=acting_post, start=TODAY, end=TODAY)
    rows = _efforts(selectors.efficiency(ALL, YEAR, TODAY))
    assert rows[(acting.display_name, "待审批", "加急")] == (0, 1, 2.0, None, 2.0)
    assert ("孙局长", "待审批", "加急") not in rows


# --- constant queries ---------------------------------------------------------------------------------------------


def test_board_and_export_use_a_constant_number_of_queries(client, w):
    """The same number of queries for one copy of the crafted year as for four."""
    people = crafted_tasks(w)
    crafted_clocks(w)
    client.force_login(w.director)
    counts = []
    with travel():
        client.get(reverse("compliance:board"))  # warm the calendar's year indexes
        for extra in (0, 3):
            if extra:
                crafted_clocks(w, copies=extra)
                crafted_tasks(w, copies=extra, people=people)
                for i in range(extra):  # more units and more people too
                    unit = UnitFactory()
                    appoint(Post.Kind.UNIT_HEAD, unit=unit, title=f"局长{i}")
            sizes = []
            for url in (reverse("compliance:board"), reverse("compliance:export")):
                with CaptureQueriesContext(connection) as captured:
                    assert client.get(url).status_code == 200
                sizes.append(len(captured.captured_queries))
            counts.append(sizes)
    assert counts[0] == counts[1], counts
    assert counts[0][0] <= 25, counts


# --- .xlsx ----------------------------------------------------------------------------------------------------------


def test_xlsx_export_opens_with_openpyxl_and_holds_the_pages_numbers(client, w):
    crafted_clocks(w)
    crafted_tasks(w)
    client.force_login(w.director)
    with travel():
        response = client.get(reverse("compliance:export"), {"year": YEAR})
    assert response.status_code == 200
    assert response["Content-Type"].startswith("application/vnd.openxmlformats-officedocument.spreadsheetml.sheet")
    book = load_workbook(io.BytesIO(b"".join(response.streaming_content)), read_only=True)
    assert book.sheetnames == ["按单位", "按分管领导", "办理效率"]
    units = [list(r) for r in book["按单位"].iter_rows(values_only=True)]
    assert [
        "第六十条",
        "印发后3个工作日内报送；征求意见5个工作日内答复，逾期视为无不同意见",
        "财政局",
        5,
        1,
        2,
        1,
        3,
    ] in units
    assert ["合计", None, None, 7, 2, 2, 1, 4] in units
    leaders = [list(r) for r in book["按分管领导"].iter_rows(values_only=True)]
    assert ["第五十五条", "会议决定发文7个工作日内印发", "王区长（区长）", 1, 1, 0, 0, 0] in leaders
    effort = [list(r) for r in book["办理效率"].iter_rows(values_only=True)]
    assert ["钱文书", "财政局", "公文办理", "待签发", "一般", 2, 1, 1.7, 1.5, 2] in effort
    assert ["孙局长", "财政局", "公文办理", "待审批", "加急", 0, 1, 2, None, 2] in effort
    assert "DOC-7" not in str(units + leaders + effort)


# --- who sees what ------------------------------------------------------------------------------------------------


@pytest.mark.parametrize("who", ["director", "head"])
def test_x_2_the_director_and_the_head_see_every_unit_and_leader(client, w, who):
    crafted_clocks(w)
    crafted_tasks(w)
    client.force_login(getattr(w, who))
    with travel():
        page = client.get(reverse("compliance:board"))
    assert page.status_code == 200
    assert {line.label for b in page.context["by_unit"].blocks for line in b.lines} == {"财政局", "发改局", "区政府"}
    assert page.context["by_leader"] is not None
    assert len(page.context["efficiency"]) == 4
    assert 'data-testid="nav-compliance"' in page.content.decode()


def test_x_2_acting_for_the_head_sees_the_board_for_those_days(client, w):
    from tests.factories import ActingArrangementFactory

    exec_post, exec_deputy = appoint(Post.Kind.EXEC_DEPUTY, unit=w.gov, title="常务副区长")  # no role of its own
    ActingArrangementFactory(absent_post=w.head_post, acting_post=exec_post, start=TODAY, end=TODAY, kind="entrusted")
    client.force_login(exec_deputy)
    with travel():
        assert client.get(reverse("compliance:board")).status_code == 200
    with travel() as clock:
        clock.shift(dt.timedelta(days=1))
        assert client.get(reverse("compliance:board")).status_code == 404


def test_x_2_a_unit_user_sees_only_their_units_row(client, w):
    crafted_clocks(w)
    people = crafted_tasks(w)
    clerk_b = UserFactory(unit=w.unit_b, roles=[Role.CLERK])
    client.force_login(people.clerk_x)
    with travel():
        page = client.get(reverse("compliance:board"))
        assert page.status_code == 200
        assert _lines(page.context["by_unit"]) == {("第六十条", "财政局"): [5, 1, 2, 1, 3]}
        assert page.context["by_leader"] is None
        assert {r.unit for r in page.context["efficiency"]} == {"财政局"}
        html = page.content.decode()
        assert "发改局" not in html and "分管领导" not in html
        assert 'data-testid="nav-compliance"' in html
        own = {"year": YEAR, "article": "第六十条", "by": "unit", "key": w.unit_a.pk, "cat": "started"}
        assert client.get(reverse("compliance:items"), own).status_code == 200
        other = dict(own, key=w.unit_b.pk, article="第五十五条")
        assert client.get(reverse("compliance:items"), other).status_code == 404
        leader = dict(own, by="leader", key=w.deputy_post.pk)
        assert client.get(reverse("compliance:items"), leader).status_code == 404
        # Everything else the clerk may ask for is cut to the own unit.
        every = client.get(reverse("compliance:items"), {"year": YEAR, "by": "all", "cat": "started"})
        assert {r.deadline.owner_unit_id for r in every.context["rows"]} == {w.unit_a.pk}
        book = load_workbook(
            io.BytesIO(b"".join(client.get(reverse("compliance:export")).streaming_content)), read_only=True
        )
        assert book.sheetnames == ["按单位", "办理效率"]
        assert "发改局" not in str([list(r) for r in book["按单位"].iter_rows(values_only=True)])
        client.force_login(clerk_b)
        assert _lines(client.get(reverse("compliance:board")).context["by_unit"]) == {
            ("第五十五条", "发改局"): [1, 1, 0, 0, 0]
        }


@pytest.mark.parametrize(
    "roles",
    [
        [Role.SYSTEM_ADMIN],
        [Role.SECURITY_ADMIN],
        [Role.AUDIT_ADMIN],
        [Role.CALENDAR_ADMIN],
        [Role.OFFICE_STAFF],
        [Role.DEPUTY_HEAD],
        [],
    ],
)
def test_x_2_administrators_and_other_users_get_404(client, w, roles):
    user = UserFactory(unit=w.unit_a, roles=roles)
    client.force_login(user)
    with travel():
        for url in (reverse("compliance:board"), reverse("compliance:export")):
            assert client.get(url).status_code == 404
        assert client.get(reverse("compliance:items"), {"cat": "met"}).status_code == 404
        assert 'data-testid="nav-compliance"' not in client.get(reverse("workflow:queue")).content.decode()


def test_anonymous_is_sent_to_the_login_page(client):
    assert client.get(reverse("compliance:board")).status_code == 302


# --- phone and print ------------------------------------------------------------------------------------------------


def test_board_is_readable_at_390px_and_prints(client, w):
    """Every table stacks into cards below 576 px (portal.css .table-stack: each cell labelled), scrolls in its own
    box otherwise; the year form and buttons stay off paper, and the board's stylesheet has print rules."""
    import re

    from django.contrib.staticfiles import finders

    crafted_clocks(w)
    crafted_tasks(w)
    client.force_login(w.director)
    with travel():
        html = client.get(reverse("compliance:board")).content.decode()
    assert 'name="viewport" content="width=device-width, initial-scale=1"' in html
    tables = re.findall(r"<table[^>]*>", html)
    assert len(tables) == 3 and all("table-stack" in t for t in tables)
    assert html.count('<div class="table-responsive">') == 3
    cells = re.findall(r"<td[^>]*>", html)
    assert cells and all("data-label=" in c for c in cells)
    assert 'data-testid="year-form"' in html and "d-print-none" in html and "data-print" in html
    with open(finders.find("compliance/compliance.css"), encoding="utf-8") as f:
        css = f.read()
    assert "@media print" in css and "max-width: 575.98px" in css


def test_x_2_a_clocks_link_is_offered_only_where_the_items_page_would_open(client, w):
    """The head reaches the board but not every unit's draft: a clock on a submission the head may not open is
    listed without a link (no link on the board leads to a 404); the office keeps its link to items it keeps."""
    from documents.models import Submission
    from search.sources import BY_KIND

    clerk = UserFactory(unit=w.unit_a, roles=[Role.CLERK])
    draft = Submission.objects.create(unit=w.unit_a, title="尚未报送的请示", body="正文", drafted_by=clerk)
    assert not BY_KIND["submission"].visible(w.head).filter(pk=draft.pk).exists()
    open_clock(subject=draft, counted_from=dt.date(2026, 10, 19), owner_unit=w.unit_a)
    kept = UnitFactory()  # an item of a kind the search does not cover: linked for the office only
    open_clock(subject=kept, counted_from=dt.date(2026, 10, 19), owner_unit=w.unit_a)
    params = {"year": YEAR, "article": "第六十条", "by": "unit", "key": w.unit_a.pk, "cat": "running"}
    with travel():
        client.force_login(w.head)
        html = client.get(reverse("compliance:items"), params).content.decode()
        assert "尚未报送的请示" in html and f'href="/items/{draft.pk}/"' not in html
        assert f'href="/items/{kept.pk}/"' not in html
        client.force_login(w.director)
        html = client.get(reverse("compliance:items"), params).content.decode()
        assert f'href="/items/{kept.pk}/"' in html

"""Who owes a clock (acting, ORG-3/LEAVE-4), WD display (X-3), and the office's deadline board (X-2).
The page 我的待办 lists tasks: tests/workflow/."""

import datetime as dt

import pytest
from deadlines_support import OCT_9, OCT_12, OCT_13, OCT_14, login, open_for
from django.urls import reverse
from django.utils import timezone

from tests.factories import ActingArrangementFactory, UnitFactory, UserFactory, appoint
from tiexi_gov.deadlines import selectors
from tiexi_gov.org.models import Post
from tiexi_gov.org.roles import Role
from tiexi_gov.workdays import calendar as wd

pytestmark = pytest.mark.django_db


def test_leave_4_acting_deputy_sees_the_absent_deputys_item_for_exactly_those_dates():
    absent_post, absent = appoint(Post.Kind.DEPUTY, title="副区长甲")
    acting_post, acting = appoint(Post.Kind.DEPUTY, title="副区长乙")
    ActingArrangementFactory(absent_post=absent_post, acting_post=acting_post, start=OCT_12, end=OCT_13)
    d = open_for(owner_post=absent_post)

    for day in (OCT_12, OCT_13):
        seen = list(selectors.queue_for(acting, day))
        assert [x.pk for x in seen] == [d.pk]
        assert seen[0].capacity == f"代副区长甲{absent.display_name}"  # whose matters: deputies share a title
        assert not selectors.queue_for(absent, day).exists()
    for day in (OCT_9, OCT_14):
        assert not selectors.queue_for(acting, day).exists()
        mine = list(selectors.queue_for(absent, day))
        assert [x.pk for x in mine] == [d.pk] and mine[0].capacity == ""


def test_x_3_due_text_counts_working_days():
    assert selectors.due_text(OCT_13, OCT_9) == ("剩 3 个工作日", "secondary")  # 10-10 (make-up), 10-12, 10-13
    assert selectors.due_text(OCT_13, OCT_13)[0] == "今日到期"
    assert selectors.due_text(OCT_9, OCT_13) == ("超期 3 个工作日", "danger")
    assert selectors.due_text(dt.date(2026, 10, 16), dt.date(2026, 10, 17))[0] == "已超期"  # Friday due, Saturday


def test_x_2_clerk_and_unit_head_see_their_units_items_only():
    unit, other = UnitFactory(), UnitFactory()
    clerk = UserFactory(unit=unit, roles=[Role.CLERK])
    plain = UserFactory(unit=unit)
    mine = open_for(owner_unit=unit)
    open_for(owner_unit=other)
    assert [d.pk for d in selectors.queue_for(clerk, OCT_12)] == [mine.pk]
    assert not selectors.queue_for(plain, OCT_12).exists()


# --- the board ----------------------------------------------------------------------------------------------


@pytest.mark.parametrize("role", [Role.CLERK, Role.UNIT_HEAD, Role.DEPUTY_HEAD, None])
def test_x_2_board_is_404_for_anyone_outside_the_office(client, role):
    login(client, UserFactory(roles=[role] if role else []))
    assert client.get(reverse("deadlines:board")).status_code == 404


def test_x_2_board_needs_login(client):
    response = client.get(reverse("deadlines:board"))
    assert response.status_code == 302 and "login" in response["Location"]


def _board_data():
    today = timezone.localdate()
    unit_a, unit_b = UnitFactory(name="发改局"), UnitFactory(name="财政局")
    post_b, _ = appoint(Post.Kind.UNIT_HEAD, unit=unit_b)
    open_for(owner_unit=unit_a, rule_id="DOC-13", title="今天的", due=today)
    open_for(owner_post=post_b, rule_id="DOC-7", title="超期的", due=today - dt.timedelta(days=3))
    week_end = selectors.week_end(today)
    if week_end > today:
        open_for(owner_user=UserFactory(unit=unit_a), rule_id="MTG-10", title="本周的", due=week_end)
    open_for(owner_unit=unit_a, rule_id="SUP-2", title="下周以后的", due=week_end + dt.timedelta(days=8))
    return today, unit_a, unit_b, week_end


@pytest.mark.parametrize("role", [Role.OFFICE_STAFF, Role.OFFICE_DIRECTOR])
def test_x_3_board_shows_today_week_overdue_with_rule_and_article(client, role):
    today, unit_a, unit_b, week_end = _board_data()
    login(client, UserFactory(roles=[role]))
    response = client.get(reverse("deadlines:board"))
    assert response.status_code == 200
    html = response.content.decode()
    today_part = html.split('data-testid="due-today"')[1].split('data-testid="due-week"')[0]
    overdue_part = html.split('data-testid="overdue"')[1]
    assert "今天的" in today_part and "第六十一条" in today_part
    assert "超期的" in overdue_part and "DOC-7" not in overdue_part and "第六十条" in overdue_part
    assert "下周以后的" not in html
    if week_end > today:
        week_part = html.split('data-testid="due-week"')[1].split('data-testid="overdue"')[0]
        assert "本周的" in week_part and "第五十五条" in week_part


def test_x_3_board_filters_by_unit_and_rule(client):
    today, unit_a, unit_b, _ = _board_data()
    login(client, UserFactory(roles=[Role.OFFICE_STAFF]))
    html = client.get(reverse("deadlines:board"), {"unit": unit_b.pk}).content.decode()
    assert "超期的" in html and "今天的" not in html  # unit B owes through its head's post
    html = client.get(reverse("deadlines:board"), {"rule": "DOC-13"}).content.decode()
    assert "今天的" in html and "超期的" not in html
    html = client.get(reverse("deadlines:board"), {"unit": "nonsense", "rule": "NOPE"}).content.decode()
    assert "今天的" in html and "超期的" in html


def test_x_3_board_uses_constant_queries_and_paginates_overdue(client, django_assert_max_num_queries):
    today = timezone.localdate()
    units = UnitFactory.create_batch(3)
    people = [UserFactory(unit=u) for u in units]
    login(client, UserFactory(roles=[Role.OFFICE_DIRECTOR]))
    wd.workdays_between(today - dt.timedelta(days=40), today)
    counts = []
    for total in (5, 80):
        for i in range(len(counts) and 5, total):
            open_for(owner_unit=units[i % 3], due=today - dt.timedelta(days=1 + i % 20), rule_id="DOC-13")
            open_for(owner_user=people[i % 3], due=today, rule_id="DOC-7")
        with django_assert_max_num_queries(16) as captured:
            response = client.get(reverse("deadlines:board"))
        counts.append(len(captured))
        overdue_part = response.content.decode().split('data-testid="overdue"')[1]
        assert overdue_part.count('data-testid="deadline-row"') == min(total, 50)
    assert counts[0] == counts[1]
    assert "page=2" in overdue_part
    page2 = client.get(reverse("deadlines:board"), {"page": 2}).content.decode().split('data-testid="overdue"')[1]
    assert page2.count('data-testid="deadline-row"') == 30


def test_x_3_the_responsible_post_reads_once_with_its_unit():
    """责任 on the board: "区政府办公室主任" names its unit already (not "区政府办公室区政府办公室主任"); a bare title
    ("局长") gets its unit in front."""
    from tiexi_gov.deadlines.models import Deadline

    office = UnitFactory(name="区政府办公室", kind="office")
    bureau = UnitFactory(name="四平市铁西区发展和改革局", short_name="发改局")
    director, _ = appoint(Post.Kind.OFFICE_DIRECTOR, unit=office, title="区政府办公室主任")
    head, _ = appoint(Post.Kind.UNIT_HEAD, unit=bureau, title="局长")
    named, bare = (Deadline(owner_post=p) for p in (director, head))
    assert selectors.Row(named, None, "", "").owner == "区政府办公室主任"
    assert selectors.Row(bare, None, "", "").owner == "发改局局长"


def test_x_2_board_links_an_item_only_where_its_page_opens_for_the_viewer(client):
    """A unit's draft under consultation owes a clock the office watches, but its page is the unit's: the board
    shows the row without a link (the page would answer 404); an item the office may open keeps its link."""
    from tests.documents.documents_support import build_world, draft

    w = build_world()
    today = timezone.localdate()
    sub = draft(w, today, title="单位内部的请示草稿")
    hidden = open_for(
        subject=sub, owner_unit=w.fin, rule_id="DOC-7", due=today, url=reverse("documents:detail", args=[sub.pk])
    )
    shown = open_for(owner_unit=w.fin, rule_id="DOC-13", due=today, url="/supervision/")
    director = UserFactory(roles=[Role.OFFICE_DIRECTOR])
    login(client, director)
    assert client.get(hidden.url).status_code == 404  # the page itself is the unit's
    html = client.get(reverse("deadlines:board")).content.decode()
    assert "单位内部的请示草稿" in html and f'href="{hidden.url}"' not in html
    assert f'href="{shown.url}" data-testid="item-link"' in html
    login(client, w.fin_clerk)
    assert client.get(hidden.url).status_code == 200


def test_doc_7_board_links_a_consultation_clock_only_where_its_document_opens(client):
    """A unit's 征求意见 (第六十条) keeps its clock on the consultation, whose link is the document's page. The board
    linked it for the office director on the office's say-so alone, and the click gave 404: the draft is the unit's
    until it is submitted. The link follows the document's own visibility, for the office and for the asked unit."""
    from documents.submissions import services as submission_services
    from tests.documents.documents_support import build_world, draft
    from tiexi_gov.deadlines.models import Deadline

    w = build_world()
    day = wd.subtract_workdays(timezone.localdate(), 10)  # asked two weeks ago: on the board among the overdue
    sub = draft(w, day, title="关于老旧小区改造计划的请示")
    submission_services.request_consultation(actor=w.fin_clerk, submission=sub, units=[w.dev], today=day)
    clock = Deadline.objects.get(rule_id="DOC-7", state="open")
    assert clock.url == reverse("documents:detail", args=[sub.pk])
    director = UserFactory(roles=[Role.OFFICE_DIRECTOR])
    login(client, director)
    assert client.get(clock.url).status_code == 404
    html = client.get(reverse("deadlines:board")).content.decode()
    assert "关于老旧小区改造计划的请示" in html and f'href="{clock.url}"' not in html
    login(client, w.dev_clerk)  # the asked unit opens the document to reply
    assert client.get(clock.url).status_code == 200


def test_x_3_rule_filter_lists_the_articles_in_their_order():
    """The board's 依据规则 list follows the articles (第五十五条 before 第五十八条), cross-cutting rules last."""
    from tiexi_gov.deadlines import rules

    assert rules.article_number("第五十五条") == 55 and rules.article_number("第一百零二条") == 102
    assert rules.article_number("通则（贯穿全文）") is None
    numbers = [rules.article_number(rules.RULES[rid].article) for rid, _ in rules.choices()]
    numbered = [n for n in numbers if n is not None]
    assert numbered == sorted(numbered) and 55 in numbered and 58 in numbered
    assert numbers.index(None) == len(numbered)  # every article before the first cross-cutting rule
    assert len(rules.choices()) == len(rules.RULES)


def test_x_3_board_names_who_holds_an_owing_post_and_who_acts_for_him(client):
    """Four deputies share the title 副区长: a clock owed by a post names its holder, and while he is away the
    deputy acting for him."""
    today = timezone.localdate()
    post, holder = appoint(Post.Kind.DEPUTY, title="副区长")
    other_post, other = appoint(Post.Kind.DEPUTY, title="副区长")
    open_for(owner_post=post, rule_id="DOC-13", title="待批示", due=today)
    login(client, UserFactory(roles=[Role.OFFICE_DIRECTOR]))
    html = client.get(reverse("deadlines:board")).content.decode()
    assert f"副区长（{holder.display_name}）" in html
    ActingArrangementFactory(absent_post=post, acting_post=other_post, start=today, end=today)
    html = client.get(reverse("deadlines:board")).content.decode()
    assert f"副区长（{holder.display_name}，{other.display_name}代）" in html

"""The page shell (issue 2 point 9): Chinese navigation with the four areas, the queue, the inbox and — for the
office only — the deadline board; login required everywhere; logout by POST; Chinese error pages."""

import datetime as dt

import pytest
from django.db import transaction
from django.test import override_settings
from django.urls import reverse

from tests.factories import UnitFactory, UserFactory, appoint
from tiexi_gov.org.models import Post
from tiexi_gov.org.roles import Role

pytestmark = pytest.mark.django_db

AREAS = [
    ("documents:index", "公文办理", "DOC-7"),
    ("supervision:index", "督查督办", "SUP-1"),
    ("meetings:index", "会议", "MTG-5"),
    ("coordination:index", "议事协调", "CRD-1"),
]


@pytest.mark.parametrize("url_name", [name for name, _, _ in AREAS] + ["notify:inbox"])
def test_x_2_anonymous_user_is_sent_to_login(client, url_name):
    response = client.get(reverse(url_name))
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("login"))


@pytest.mark.parametrize(("url_name", "title", "rule_id"), [a for a in AREAS if a[0] != "documents:index"])
def test_area_index_names_the_area_and_its_rules(client, url_name, title, rule_id):
    client.force_login(UserFactory())
    page = client.get(reverse(url_name)).content.decode()
    assert f'<h1 class="h3 mb-2">{title}</h1>' in page
    assert rule_id in page
    assert "本模块的办理页面由后续版本提供" in page


def test_navigation_shows_areas_queue_and_inbox_in_chinese(client):
    client.force_login(UserFactory(full_name="李明"))
    page = client.get(reverse("documents:index")).content.decode()
    for label in ("铁西区人民政府工作平台", "公文办理", "督查督办", "会议", "议事协调", "站内消息", "李明", "退出"):
        assert label in page
    assert '<html lang="zh-CN">' in page
    assert "cdn" not in page.lower()  # Bootstrap and htmx come from our own static files
    assert "/static/vendor/htmx/htmx.min.js" in page
    assert "X-CSRFToken" in page


def test_deadline_board_link_only_for_office_roles(client):
    board = reverse("deadlines:board")
    client.force_login(UserFactory(roles=[Role.CLERK]))
    assert f'href="{board}"' not in client.get(reverse("meetings:index")).content.decode()
    client.force_login(UserFactory(roles=[Role.OFFICE_STAFF]))
    assert f'href="{board}"' in client.get(reverse("meetings:index")).content.decode()


def test_logout_is_a_post_form_and_lands_on_login(client):
    client.force_login(UserFactory())
    page = client.get(reverse("meetings:index")).content.decode()
    assert f'<form method="post" action="{reverse("logout")}"' in page
    response = client.post(reverse("logout"))
    assert response.status_code == 302
    assert response["Location"] == reverse("login")
    assert client.get(reverse("meetings:index")).status_code == 302


def test_area_index_lists_my_open_deadlines_in_that_area_only(client, django_assert_max_num_queries):
    from tiexi_gov.deadlines import services as deadline_services

    post, deputy = appoint(Post.Kind.DEPUTY, unit=UnitFactory(), title="副区长")
    other_post, _ = appoint(Post.Kind.DEPUTY, unit=UnitFactory(), title="副区长")
    subject = UnitFactory(name="区发改局")
    day = dt.date(2026, 11, 2)
    with transaction.atomic():
        deadline_services.open_deadline(
            subject=subject, rule_id="SUP-1", title="督办发改局事项", counted_from=day, workdays=10, owner_post=post
        )
        deadline_services.open_deadline(
            subject=subject, rule_id="SUP-1", title="别人的督办", counted_from=day, workdays=10, owner_post=other_post
        )
        deadline_services.open_deadline(
            subject=subject, rule_id="SUP-2", title="我的进展报告", counted_from=day, workdays=5, owner_user=deputy
        )
    client.force_login(deputy)
    with django_assert_max_num_queries(15):
        page = client.get(reverse("supervision:index")).content.decode()
    assert "督办发改局事项" in page and "我的进展报告" in page
    assert "别人的督办" not in page
    assert "督办发改局事项" not in client.get(reverse("meetings:index")).content.decode()


@override_settings(DEBUG=False)
def test_404_page_is_in_chinese(client):
    client.force_login(UserFactory())
    response = client.get("/no-such-page/")
    assert response.status_code == 404
    assert "页面不存在" in response.content.decode()


def test_500_page_is_in_chinese_and_standalone():
    from django.template.loader import render_to_string

    html = render_to_string("500.html")
    assert "系统出现错误" in html
    assert "{%" not in html


def test_print_stylesheet_hides_navigation():
    from pathlib import Path

    from django.contrib.staticfiles import finders

    css = Path(finders.find("css/portal.css")).read_text(encoding="utf-8")
    assert "@media print" in css and "size: A4" in css

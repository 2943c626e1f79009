"""The page shell (issue 2 point 9): Chinese navigation with the four areas, the queue, the inbox and — for the
office only — the deadline board; login required everywhere; logout by POST; Chinese error pages."""

import re

import pytest
from django.test import override_settings
from django.urls import reverse

from tests.factories import UserFactory
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


def test_navigation_shows_areas_queue_and_inbox_in_chinese(client):
    client.force_login(UserFactory(full_name="李明"))
    page = client.get(reverse("documents:index")).content.decode()
    for label in ("铁西区人民政府工作平台", "公文办理", "督查督办", "会议", "议事协调", "站内消息", "李明", "退出"):
        assert label in page
    assert '<html lang="zh-CN">' in page
    # Bootstrap and htmx come from our own static files: every script and stylesheet is a path on this site. (Not
    # "cdn" anywhere in the page: a random CSRF token holds those three letters about once in three hundred runs.)
    assets = re.findall(r'<(?:script|link)\b[^>]*\b(?:src|href)="([^"]+)"', page)
    assert assets and all(a.startswith("/") and not a.startswith("//") for a in assets), assets
    assert not any("cdn" in a.lower() for a in assets)
    assert "/static/vendor/htmx/htmx.min.js" in page
    assert "X-CSRFToken" in page


def test_deadline_board_link_only_for_office_roles(client):
    board = reverse("deadlines:board")
    client.force_login(UserFactory(roles=[Role.CLERK]))
    assert f'href="{board}"' not in client.get(reverse("documents:index")).content.decode()
    client.force_login(UserFactory(roles=[Role.OFFICE_STAFF]))
    assert f'href="{board}"' in client.get(reverse("documents:index")).content.decode()


def test_logout_is_a_post_form_and_lands_on_login(client):
    client.force_login(UserFactory())
    page = client.get(reverse("documents:index")).content.decode()
    assert f'<form method="post" action="{reverse("logout")}"' in page
    response = client.post(reverse("logout"))
    assert response.status_code == 302
    assert response["Location"] == reverse("login")
    assert client.get(reverse("documents:index")).status_code == 302


@pytest.mark.parametrize("debug", [False, True])
def test_an_actions_address_opened_by_get_shows_a_chinese_page_not_a_blank_one(client, debug):
    """退出 and every action are POST only: a typed or bookmarked address answered 405 with an empty body, a white
    page. It is a Chinese page that says nothing was changed, keeping Allow; the API's own 405 is left as it is."""
    client.force_login(UserFactory())
    with override_settings(DEBUG=debug):
        for url in (reverse("logout"), reverse("notify:mark_all_read")):
            response = client.get(url)
            assert response.status_code == 405 and "POST" in response["Allow"]
            assert "不能直接打开此地址" in response.content.decode() and "未作任何修改" in response.content.decode()
        assert client.get(reverse("documents:index")).status_code == 200  # still signed in
        api = client.get("/api/v1/messages/read-all/")
        assert api.status_code == 405 and "不能直接打开此地址" not in api.content.decode()


@override_settings(DEBUG=False)
def test_404_page_is_in_chinese(client):
    client.force_login(UserFactory())
    response = client.get("/no-such-page/")
    assert response.status_code == 404
    assert "页面不存在" in response.content.decode()


@override_settings(DEBUG=True)
def test_x_1_with_debug_on_as_under_make_run_a_wrong_address_shows_the_chinese_404_not_the_url_list(client):
    client.force_login(UserFactory())
    for path in ("/no-such-page/", "/documents/999999/"):  # no URL pattern; a pattern whose object is missing
        response = client.get(path)
        page = response.content.decode()
        assert response.status_code == 404, path
        assert "页面不存在" in page and "URLconf" not in page and "DEBUG = True" not in page, path
    assert client.get("/documents").status_code == 301  # APPEND_SLASH still redirects first


@override_settings(DEBUG=True)
def test_x_1_with_debug_on_a_crash_shows_the_chinese_500_and_logs_the_traceback(client, caplog):
    client.raise_request_exception = False
    client.force_login(UserFactory())
    with override_settings(ROOT_URLCONF="tests.ops.crash_urls"):
        response = client.get("/crash/")
    assert response.status_code == 500
    assert "系统出现错误" in response.content.decode() and "Traceback" not in response.content.decode()
    assert any("boom" in (r.exc_text or str(r.exc_info)) for r in caplog.records)


@override_settings(DEBUG=True, TECHNICAL_ERROR_PAGES=True)
def test_x_1_a_developer_can_ask_for_djangos_technical_pages(client):
    client.force_login(UserFactory())
    assert "URLconf" in client.get("/no-such-page/").content.decode()


def test_x_1_every_page_names_the_portals_icon_and_favicon_ico_leads_to_it(client):
    from django.contrib.staticfiles import finders

    login_page = client.get(reverse("login")).content.decode()
    assert '<link rel="icon" type="image/svg+xml" href="/static/img/favicon.svg">' in login_page
    response = client.get("/favicon.ico")
    assert response.status_code == 301 and response["Location"] == "/static/img/favicon.svg"
    assert finders.find("img/favicon.svg")


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

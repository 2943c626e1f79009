"""15.1 priorities 2-5: 我的待办 through the page's query, every area's list / item / history with the pages'
visibility (the same 404), actions through the pages' forms and services (same transition, same audit event,
"已由XX处理" as 409), constant queries per list, the schema and its docs page under the strict CSP."""

from __future__ import annotations

import pytest
from django.urls import reverse
from django.utils import timezone
from rest_framework.test import APIClient

from documents.models import ProcessingSlip, Submission
from tests.documents.documents_support import draft, submitted
from tests.factories import UserFactory
from tiexi_gov.audit.models import Event
from tiexi_gov.org.roles import Role
from tiexi_gov.workflow.selectors import open_tasks_for

pytestmark = pytest.mark.django_db

LISTS = (
    "tasks",
    "submissions",
    "outgoing",
    "ledger",
    "meetings",
    "topics",
    "meeting-leaves",
    "bodies",
    "leave",
)


@pytest.fixture(autouse=True)
def media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path


@pytest.fixture
def today():
    return timezone.localdate()


def session(user) -> APIClient:
    client = APIClient()
    client.force_authenticate(user)
    return client


def test_15_1_tasks_are_the_todo_page_query(world, token_for, today):
    sub = submitted(world, today)
    client = token_for(world.staff)
    data = client.get("/api/v1/tasks/").json()
    expected = list(open_tasks_for(world.staff, today).values_list("id", flat=True))
    assert [row["id"] for row in data["results"]] == expected
    assert any(r["subject_id"] == sub.pk and r["subject_type"] == "documents.submission" for r in data["results"])
    assert client.get("/api/v1/tasks/?area=meetings").json()["count"] == 0


@pytest.mark.parametrize("name", LISTS)
def test_15_1_every_list_answers_json_pages(world, token_for, name):
    response = token_for(world.director).get(f"/api/v1/{name}/")
    assert response.status_code == 200, response.content
    assert {"count", "results"} <= set(response.json())


def test_15_1_outsider_gets_the_pages_404_through_the_api(world, client, today):
    sub = submitted(world, today)
    client.force_login(world.outsider)
    assert client.get(reverse("documents:detail", args=[sub.pk])).status_code == 404
    api = session(world.outsider)
    for url in (f"/api/v1/submissions/{sub.pk}/", f"/api/v1/submissions/{sub.pk}/history/"):
        response = api.get(url)
        assert response.status_code == 404 and response.json()["detail"]
    assert api.post(f"/api/v1/submissions/{sub.pk}/actions/register/", {}, format="json").status_code == 404
    assert sub.pk not in [r["id"] for r in api.get("/api/v1/submissions/").json()["results"]]
    # the unit that sent it sees it, on the page and through the API
    assert session(world.fin_clerk).get(f"/api/v1/submissions/{sub.pk}/").status_code == 200


def test_15_1_register_through_the_api_is_the_pages_transition_and_event(world, client, token_for, today):
    by_page, by_api = submitted(world, today), submitted(world, today)
    client.force_login(world.staff)
    page = client.post(reverse("documents:act", args=[by_page.pk, "register"]), {"seen_state": "submitted"})
    assert page.status_code == 302
    detail = token_for(world.staff).get(f"/api/v1/submissions/{by_api.pk}/").json()
    assert "register" in detail["allowed_actions"]
    response = token_for(world.staff).post(
        f"/api/v1/submissions/{by_api.pk}/actions/register/", {"seen_state": "submitted"}, format="json"
    )
    assert response.status_code == 200, response.content
    assert "已登记" in response.json()["detail"]
    assert response.json()["item"]["state"] == "registered"

    def record(sub):
        e = Event.objects.for_object(sub).get(action="register")
        return (e.action, e.action_label, e.from_state, e.to_state, e.actor_id, e.capacity)

    assert record(by_api) == record(by_page)
    assert Submission.objects.get(pk=by_api.pk).state == Submission.objects.get(pk=by_page.pk).state == "registered"
    history = token_for(world.staff).get(f"/api/v1/submissions/{by_api.pk}/history/").json()["results"]
    assert [h["action"] for h in history][-1] == "register"


def test_15_1_stale_state_is_409_with_who_handled_it(world, token_for, today):
    sub = submitted(world, today)
    first = token_for(world.staff).post(
        f"/api/v1/submissions/{sub.pk}/actions/register/", {"seen_state": "submitted"}, format="json"
    )
    assert first.status_code == 200
    second = token_for(world.staff2).post(
        f"/api/v1/submissions/{sub.pk}/actions/register/", {"seen_state": "submitted"}, format="json"
    )
    assert second.status_code == 409
    assert "已由郑文书处理" in second.json()["detail"]
    assert ProcessingSlip.objects.filter(submission=sub).count() == 1


def test_15_1_bad_input_is_400_or_404_in_chinese_never_500(world, token_for, today):
    sub = draft(world, today)
    client = token_for(world.fin_clerk)
    assert client.post(f"/api/v1/submissions/{sub.pk}/actions/nosuch/", {}, format="json").status_code == 404
    assert client.get("/api/v1/submissions/99999999999999999999999/").status_code == 404
    assert client.get("/api/v1/submissions/?page=abc").status_code == 404
    bad = client.post(f"/api/v1/submissions/{sub.pk}/actions/consult/", {"units": ["x"]}, format="json")
    assert bad.status_code == 400 and bad.json()["detail"] == "请检查填写的内容。" and bad.json()["errors"]
    refused = client.post(f"/api/v1/submissions/{sub.pk}/actions/register/", {}, format="json")
    assert refused.status_code in (400, 403) and refused.json()["detail"]
    broken = client.post(f"/api/v1/submissions/{sub.pk}/actions/send_back/", "{oops", content_type="application/json")
    assert broken.status_code == 400 and "JSON" in broken.json()["detail"]


def test_15_1_a_route_the_api_does_not_have_answers_json_in_chinese(world, token_for, client):
    """Found from outside: GET /api/v1/invitations/ (no such route) answered the portal's HTML 404 page, while every
    other answer of the API is JSON. Pages outside the API's prefix keep the HTML page."""
    api = token_for(world.fin_clerk)
    for url in ("/api/v1/invitations/", "/api/v1/no/such/thing/"):
        response = api.get(url)
        assert response.status_code == 404 and response["Content-Type"].startswith("application/json")
        assert response.json()["detail"] == "没有该接口。"
    client.force_login(world.fin_clerk)
    page = client.get("/no-such-page/")
    assert page.status_code == 404 and page["Content-Type"].startswith("text/html")


# Addresses no URL pattern takes: a route the API does not have, an id the router's converter refuses, a route
# that exists only on the portal's pages' side, the prefix itself without its slash.
UNROUTED = (
    "/api/v1/submissions/-1/",
    "/api/v1/submissions/abc/",
    "/api/v1/nonexistent/",
    "/api/v1/tasks/1/",
    "/api/v1/meeting-plans/99999999999999/",
    "/api/v1/",
    "/api/v1",
)


@pytest.mark.parametrize("debug", [False, True], ids=["debug-off", "debug-on"])
@pytest.mark.parametrize("signed_in", [True, False], ids=["token", "anonymous"])
def test_15_1_every_refusal_under_the_api_prefix_is_json_in_chinese(world, token_for, settings, debug, signed_in):
    """Found from outside (a clerk's token against `make run`, DEBUG on): /api/v1/submissions/-1/, …/abc/,
    /api/v1/nonexistent/, /api/v1/tasks/1/ answered the portal's HTML 404 page — the DEBUG-only error-page
    middleware drew Django's page itself instead of the project's handler404. Every 404 and 405 under the API's
    prefix is JSON with a Chinese detail, whatever the reason, the Accept header, the method or the credentials;
    the portal's own pages keep the HTML page."""
    settings.DEBUG = debug
    settings.TECHNICAL_ERROR_PAGES = False
    api = token_for(world.fin_clerk) if signed_in else APIClient()
    for url in UNROUTED:
        for method in ("get", "post", "delete"):
            for accept in ("application/json", "text/html"):
                response = getattr(api, method)(url, HTTP_ACCEPT=accept)
                assert response.status_code == 404, (method, url, accept)
                assert response["Content-Type"].startswith("application/json"), (method, url, accept)
                assert response.json()["detail"] == "没有该接口。"
    # Routes that match, for comparison: the view's own 404 (an id past any row) and 405 (a method it does not take).
    if signed_in:
        for url in ("/api/v1/meeting-plans/0/", "/api/v1/submissions/99999999999999999999999/"):
            missing = api.get(url)
            assert missing.status_code == 404 and missing["Content-Type"].startswith("application/json")
            assert missing.json()["detail"].startswith("没有找到该")
        refused = api.delete("/api/v1/submissions/")
        assert refused.status_code == 405 and refused.json()["detail"] == "不支持该请求方法。"
    page = APIClient().get("/no-such-page/")
    assert page.status_code == 404 and page["Content-Type"].startswith("text/html")


@pytest.mark.parametrize("debug", [False, True], ids=["debug-off", "debug-on"])
def test_15_1_a_body_too_large_and_a_crash_under_the_api_prefix_answer_json(
    world, token_for, settings, monkeypatch, debug
):
    """Found from outside: a body past the size cap (413) and a crash in an API view (500) answered the portal's
    HTML pages to the API's clients. Under the prefix both are JSON with a Chinese detail; the pages keep theirs."""
    from tiexi_gov.workflow import selectors

    settings.DEBUG = debug
    settings.TECHNICAL_ERROR_PAGES = False
    settings.REQUEST_BODY_MAX_BYTES = 1024 * 1024
    api = token_for(world.fin_clerk)
    big = api.post("/api/v1/submissions/", data="x" * (1024 * 1024 + 1), content_type="application/json")
    assert big.status_code == 413 and big["Content-Type"].startswith("application/json")
    assert "不能超过 1 MB" in big.json()["detail"] and "未作任何修改" in big.json()["detail"]
    page = APIClient().post("/documents/new/", data="x" * (1024 * 1024 + 1), content_type="text/plain")
    assert page.status_code == 413 and page["Content-Type"].startswith("text/html")

    def crash(*args, **kwargs):
        raise RuntimeError("boom")

    monkeypatch.setattr(selectors, "open_tasks_for", crash)
    api.raise_request_exception = False
    crashed = api.get("/api/v1/tasks/")
    assert crashed.status_code == 500 and crashed["Content-Type"].startswith("application/json")
    assert crashed.json()["detail"].startswith("服务器内部错误") and "boom" not in crashed.content.decode()


def test_15_1_session_writes_need_csrf(world, today):
    sub = submitted(world, today)
    client = APIClient(enforce_csrf_checks=True)
    client.force_login(world.staff)
    response = client.post(f"/api/v1/submissions/{sub.pk}/actions/register/", {}, format="json")
    assert response.status_code == 403
    assert "跨站请求伪造" in response.json()["detail"] and "CSRF Failed" not in response.json()["detail"]
    assert Submission.objects.get(pk=sub.pk).state == "submitted"


def test_15_1_admin_session_cannot_act_even_where_it_may_read(world, today):
    sysadmin = UserFactory(username="xitong", unit=world.office, roles=[Role.SYSTEM_ADMIN])
    assert session(sysadmin).get("/api/v1/bodies/").status_code == 404  # the register page refuses admins too
    response = session(sysadmin).get("/api/v1/ledger/")
    assert response.status_code == 200  # the ledger page shows the system administrator every item (read only)


def test_15_1_schema_and_docs_from_local_files_under_csp(world, client):
    client.force_login(world.staff)
    schema = client.get("/api/schema/", HTTP_ACCEPT="application/vnd.oai.openapi+json")
    assert schema.status_code == 200
    docs = client.get("/api/docs/")
    assert docs.status_code == 200
    html = docs.content.decode()
    assert "drf_spectacular_sidecar/swagger-ui-dist/swagger-ui-bundle.js" in html
    assert "http://" not in html and "https://" not in html  # no CDN
    assert "<script>" not in html and "<style" not in html  # no inline code: CSP 'self' holds
    assert "script-src 'self'" in docs["Content-Security-Policy"]

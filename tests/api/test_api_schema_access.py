"""15.1: the OpenAPI schema and its docs page are for signed-in users only (session or Bearer token), as the API
itself; and a NUL byte in an API request gets the API's JSON 400, while a page keeps its Chinese 400 page."""

from __future__ import annotations

import pytest
from django.conf import settings as django_settings
from django.shortcuts import resolve_url
from django.test import Client
from rest_framework.test import APIClient

from tiexi_gov.http import NUL_MESSAGE

pytestmark = pytest.mark.django_db

JSON_SCHEMA = {"HTTP_ACCEPT": "application/vnd.oai.openapi+json"}


def _is_schema(response) -> bool:
    return response.status_code == 200 and response.json()["openapi"].startswith("3.") and response.json()["paths"]


@pytest.mark.parametrize(
    ("query", "headers"), [("", JSON_SCHEMA), ("", {}), ("?format=json", {}), ("?format=yaml", {})]
)
def test_15_1_anonymous_gets_no_schema(world, query, headers):
    response = APIClient().get(f"/api/schema/{query}", **headers)
    assert response.status_code == 401
    body = response.content.decode()
    assert "openapi" not in body and "/api/v1/" not in body
    assert "请先登录" in body
    assert response["WWW-Authenticate"].startswith("Bearer")


def test_15_1_anonymous_docs_page_goes_to_the_login_page(world):
    response = Client().get("/api/docs/")
    assert response.status_code == 302
    assert response["Location"].startswith(resolve_url(django_settings.LOGIN_URL) + "?next=")
    assert "/api/docs/" in response["Location"]


def test_15_1_a_signed_in_user_reads_the_schema_and_the_docs_page(world):
    client = Client()
    client.force_login(world.staff)
    schema = client.get("/api/schema/", **JSON_SCHEMA)
    assert _is_schema(schema)
    assert any(path.startswith("/api/v1/tasks/") for path in schema.json()["paths"])
    docs = client.get("/api/docs/")
    assert docs.status_code == 200
    assert 'data-schema-url="/api/schema/"' in docs.content.decode()


def test_15_1_a_bearer_token_reads_the_schema(world, token_for):
    response = token_for(world.fin_clerk).get("/api/schema/", **JSON_SCHEMA)
    assert _is_schema(response)


def test_15_1_nul_byte_in_an_api_query_is_a_json_400(world, token_for):
    client = token_for(world.staff)
    for url, params in (("/api/v1/tasks/", {"q": "\x00"}), ("/api/v1/submissions/", {"page": "1\x002"})):
        response = client.get(url, params)
        assert response.status_code == 400, url
        assert response["Content-Type"] == "application/json"
        assert response.json() == {"detail": NUL_MESSAGE}
        assert "请求有误" not in response.content.decode()  # not the HTML page's heading


def test_15_1_nul_byte_in_an_api_form_post_is_a_json_400(world):
    client = APIClient()
    client.force_login(world.staff)
    response = client.post("/api/v1/submissions/", {"title": "会议\x00纪要"}, format="multipart")
    assert response.status_code == 400
    assert response["Content-Type"] == "application/json"
    assert response.json() == {"detail": NUL_MESSAGE}


def test_15_1_nul_character_in_a_json_field_says_so_not_empty_string(world):
    """A NUL in a JSON string reaches the serializer (no middleware sees the raw byte): its field error is the
    portal's words for it, not DRF's zh-hans "不允许是用空字符串" (empty strings are not allowed)."""
    client = APIClient()
    client.force_login(world.fin_clerk)
    response = client.post("/api/v1/submissions/", {"title": "会议\x00纪要"}, format="json")
    assert response.status_code == 400
    assert response.json()["errors"]["title"] == [NUL_MESSAGE]


def test_15_1_nul_byte_on_a_page_is_still_the_chinese_400_page(world, security_admin):
    client = Client()
    client.force_login(world.staff)
    response = client.get("/todo/", {"q": "\x00"})
    assert response.status_code == 400
    assert response["Content-Type"].startswith("text/html")
    html = response.content.decode()
    assert "请求有误" in html and NUL_MESSAGE in html
    # The pages under /api/ (the token page) are pages too.
    client.force_login(security_admin)
    response = client.get("/api/tokens/", {"page": "\x00"})
    assert response.status_code == 400
    assert response["Content-Type"].startswith("text/html")
    assert NUL_MESSAGE in response.content.decode()


@pytest.mark.parametrize("url", ["/api/v1/outgoing/?format=csv", "/api/v1/tasks/?format=xml", "/api/schema/?format=x"])
def test_15_1_an_unknown_format_is_a_406_naming_it_not_a_missing_item(world, token_for, url):
    response = token_for(world.staff).get(url)
    assert response.status_code == 406
    detail = response.content.decode()  # JSON, or the schema's own YAML
    assert "format=" in detail and "没有找到" not in detail

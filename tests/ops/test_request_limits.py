"""Django's own refusals of a request too big to read — too many fields (>1,000), too many files (>20), a form or
JSON body past DATA_UPLOAD_MAX_MEMORY_SIZE — are a Chinese 400 (JSON under the API), never a 500 and never the
English traceback page of `make run` (DEBUG on), and nothing changes."""

from __future__ import annotations

import json

import pytest
from django.urls import reverse

from documents.models import Submission
from tests.documents import documents_support

pytestmark = pytest.mark.django_db

MANY = {f"f{i}": "1" for i in range(1_100)}


@pytest.fixture
def world():
    return documents_support.build_world()


@pytest.mark.parametrize("debug", [False, True])
def test_x_1_too_many_fields_is_a_chinese_400_whether_get_or_post(world, client, settings, debug):
    settings.DEBUG = debug
    client.force_login(world.fin_clerk)
    listing = client.get(reverse("documents:index"), MANY)
    assert listing.status_code == 400 and "过多" in listing.content.decode()
    before = Submission.objects.count()
    posted = client.post(reverse("documents:create"), {"kind": "request", "title": "关于某事项的请示", **MANY})
    text = posted.content.decode()
    assert posted.status_code == 400 and "过多" in text and "Traceback" not in text
    assert Submission.objects.count() == before


@pytest.mark.parametrize("debug", [False, True])
def test_x_1_an_api_body_past_the_limit_is_a_json_400(world, client, settings, debug):
    from api import services

    settings.DEBUG = debug
    _token, raw = services.create_token(actor=world.fin_clerk, user=world.fin_clerk, name="测试")
    body = json.dumps({"kind": "request", "title": "关于某事项的请示", "body": "长" * 1_000_000}, ensure_ascii=False)
    before = Submission.objects.count()
    response = client.post(
        "/api/v1/submissions/", body, content_type="application/json", HTTP_AUTHORIZATION=f"Bearer {raw}"
    )
    assert response.status_code == 400 and "过长" in response.json()["detail"]
    assert Submission.objects.count() == before

"""15.1: the same create sent twice at the same moment with one Idempotency-Key (a client's retry racing its first
try) makes one record: the loser meets the token's unique constraint, its transaction — the record it made
included — rolls back, and it is answered with the winner's record. Real threads, each with its own PostgreSQL
connection."""

from __future__ import annotations

import pytest
from rest_framework.test import APIClient

from documents.models import Disclosure, DisclosureManner
from documents.outgoing.models import OutgoingDocument
from tests.documents.documents_support import build_world
from tests.race_support import race
from tiexi_gov.org.models import User

pytestmark = [pytest.mark.postgres, pytest.mark.django_db(transaction=True)]

SHEET = {
    "kind": "government",
    "copies": 10,
    "title": "关于做好元旦春节期间值班工作的通知",
    "main_recipients": "各乡、街道，区政府各部门",
    "body": "现就有关事项通知如下。",
    "disclosure": Disclosure.FULL,
    "disclosure_manner": DisclosureManner.ACTIVE,
    "not_classified": True,
}


def _post(user_pk: int):
    def call():
        client = APIClient()
        client.force_authenticate(User.objects.get(pk=user_pk))
        answer = client.post("/api/v1/outgoing/", SHEET, format="json", HTTP_IDEMPOTENCY_KEY="retry-at-once")
        return answer.status_code, answer.json()["item"]["id"]

    return call


def test_15_1_two_simultaneous_creates_with_one_idempotency_key_make_one_record():
    w = build_world()
    results, errors = race(_post(w.fin_clerk.pk), _post(w.fin_clerk.pk))
    assert not errors, errors
    assert sorted(status for status, _pk in results) == [200, 201]
    assert len({pk for _status, pk in results}) == 1
    assert OutgoingDocument.objects.filter(title=SHEET["title"]).count() == 1

"""DOC-6 and DOC-15 through the API: an action that answers one part of an item — 回复意见 and 登记商定延期 name the
consultation, 会签分歧意见说明 the statement, 审核计划外发文 the request — can be done by a client that reads the
item: its detail lists those parts with their ids, as the item page lists them (the page's form carries the id
hidden). A consulted unit's clerk replies through the API with what the detail told him, once."""

from __future__ import annotations

import pytest
from rest_framework.test import APIClient

from documents.models import ConsultationRequest
from documents.outgoing import services as issuance
from documents.submissions import services
from tests.documents.documents_support import DAY, draft
from tests.factories import outgoing_draft

pytestmark = pytest.mark.django_db


def api(user) -> APIClient:
    client = APIClient()
    client.force_authenticate(user)
    return client


def test_doc_6_a_consulted_unit_replies_with_the_consultation_the_detail_lists(world):
    sub = draft(world)
    services.request_consultation(actor=world.fin_clerk, submission=sub, units=[world.dev], limit_wd=5, today=DAY)
    item = api(world.dev_clerk).get(f"/api/v1/submissions/{sub.pk}/").json()
    assert "reply" in item["allowed_actions"]
    (asked,) = [c for c in item["consultations"] if c["unit"] == world.dev.pk]
    assert asked["state"] == "open" and asked["unit_name"] == "发改局" and asked["due"] == "2026-09-14"

    url = f"/api/v1/submissions/{sub.pk}/actions/reply/"
    body = {"consultation": asked["id"], "reply": "agree", "seen_state": item["state"]}
    done = api(world.dev_clerk).post(url, body, format="json")
    assert done.status_code == 200, done.content.decode()
    assert done.json()["item"]["consultations"][0]["state"] == "answered"
    assert api(world.dev_clerk).post(url, body, format="json").status_code == 409  # posted again: acts once
    assert ConsultationRequest.objects.get(pk=asked["id"]).reply == ConsultationRequest.Reply.AGREE
    assert api(world.outsider).get(f"/api/v1/submissions/{sub.pk}/").status_code == 404


def test_doc_15_the_office_decides_the_one_off_request_the_detail_lists(world):
    doc = outgoing_draft(world.fin_clerk, title="计划外的发文", plan_item=None)
    issuance.request_one_off_approval(actor=world.fin_clerk, document=doc, matter="计划外发文", reason="上级要求")
    issuance.submit_outgoing(actor=world.fin_clerk, document=doc)
    item = api(world.staff).get(f"/api/v1/outgoing/{doc.pk}/").json()
    (pending,) = item["one_off_approvals"]
    assert pending["state"] == "pending" and pending["matter"] == "计划外发文"
    done = api(world.staff).post(
        f"/api/v1/outgoing/{doc.pk}/actions/decide_one_off/",
        {"approval": pending["id"], "approve": "1", "opinion": "同意"},
        format="json",
    )
    assert done.status_code == 200, done.content.decode()
    assert done.json()["item"]["one_off_approvals"][0]["state"] == "approved"


@pytest.mark.parametrize(("approve", "state"), [(True, "approved"), (False, "refused")])
def test_doc_15_a_json_boolean_answers_the_one_off_decision_as_the_pages_radio(world, approve, state):
    """审核结论 is a 是/否 radio ("1"/"0"); a JSON client sends true/false — refused before as 不在可用的选项中 (true)
    or 必填 (false)."""
    doc = outgoing_draft(world.fin_clerk, title="计划外的发文", plan_item=None)
    issuance.request_one_off_approval(actor=world.fin_clerk, document=doc, matter="计划外发文", reason="上级要求")
    issuance.submit_outgoing(actor=world.fin_clerk, document=doc)
    (pending,) = api(world.staff).get(f"/api/v1/outgoing/{doc.pk}/").json()["one_off_approvals"]
    done = api(world.staff).post(
        f"/api/v1/outgoing/{doc.pk}/actions/decide_one_off/",
        {"approval": pending["id"], "approve": approve, "opinion": "同意" if approve else "不符合年度计划调整条件"},
        format="json",
    )
    assert done.status_code == 200, done.content.decode()
    assert done.json()["item"]["one_off_approvals"][0]["state"] == state

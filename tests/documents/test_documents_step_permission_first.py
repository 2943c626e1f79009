"""X-2 and DOC-2: whose step it is is asked before the step's form. A clerk who may see a submission awaiting his
head's signature, posting 签发 or 退回拟稿人 — with nothing, or with garbage — is refused (403 through the API; the
page's refusal, nothing changed, what he typed kept): he reads the rule that keeps him out when what he sent is
well-formed, a plain refusal when it is not, never the form's field errors — someone who may not take a step learns
nothing from its checks. The signer is still answered by the form."""

from __future__ import annotations

import pytest
from django.urls import reverse
from documents_support import DAY, draft
from rest_framework.test import APIClient

from documents.models import SubmissionState
from documents.submissions import services
from tiexi_gov.audit.models import Event

pytestmark = pytest.mark.django_db


def api(user) -> APIClient:
    client = APIClient()
    client.force_authenticate(user)
    return client


@pytest.fixture
def awaiting(world):
    return services.send_for_signature(actor=world.fin_clerk, submission=draft(world), today=DAY)


RULE = "主要负责人或经授权的分管负责人签发"  # DOC-2's words, the service's refusal of a non-signer
PLAIN = "您当前不能对该公文进行"


@pytest.mark.parametrize(
    "name, body, told",
    [
        ("sign", {}, RULE),  # a well-formed request: the rule that keeps him out
        ("sign", {"issue_date": "2026-02-30"}, PLAIN),  # input the form refuses: a plain refusal, not its errors
        ("sign", {"issue_date": "x" * 100_000}, PLAIN),
        ("sign", {"issue_date": {"a": 1}}, PLAIN),
        ("send_back", {}, PLAIN),
    ],
)
def test_doc_2_a_non_signer_is_refused_before_the_form_through_the_api(world, awaiting, name, body, told):
    for not_signer in (world.fin_clerk, world.fin_plain_deputy):
        answer = api(not_signer).post(f"/api/v1/submissions/{awaiting.pk}/actions/{name}/", body, format="json")
        assert answer.status_code == 403, answer.content.decode()
        data = answer.json()
        assert "errors" not in data and told in data["detail"]
    awaiting.refresh_from_db()
    assert awaiting.state == SubmissionState.AWAITING_SIGNATURE
    assert not Event.objects.for_object(awaiting).filter(action__in=["sign", "send_back_to_drafter"]).exists()


def test_doc_2_the_signer_is_still_answered_by_the_form_and_signs(world, awaiting):
    url = f"/api/v1/submissions/{awaiting.pk}/actions/sign/"
    bad = api(world.fin_head).post(url, {"issue_date": "2026-02-30"}, format="json")
    assert bad.status_code == 400 and "issue_date" in bad.json()["errors"]
    done = api(world.fin_head).post(url, {}, format="json")
    assert done.status_code == 200, done.content.decode()
    assert done.json()["item"]["state"] == SubmissionState.SIGNED


def test_doc_2_a_non_signer_on_the_page_reads_the_refusal_not_the_field_errors(world, awaiting, client):
    client.force_login(world.fin_clerk)
    url = reverse("documents:act", args=[awaiting.pk, "sign"])
    page = client.post(url, {"sign-issue_date": "2026-02-30", "sign-opinion": "同意报送", "seen_state": awaiting.state})
    shown = [str(m) for m in page.context["messages"]]
    assert shown == ["您当前不能对该公文进行“签发”操作。"] and not page.context["forms"].get("sign")
    assert page.context["kept"] == ["同意报送"]  # what he typed stays on the page
    awaiting.refresh_from_db()
    assert awaiting.state == SubmissionState.AWAITING_SIGNATURE

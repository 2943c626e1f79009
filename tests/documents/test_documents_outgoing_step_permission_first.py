"""X-2 and DOC-14 for flow B: whose step (or edit) it is is asked before the action's form. An office clerk who may
see a draft awaiting the 区长's signature, posting 签发; the drafting unit's clerk posting 核稿 with nothing; a member
of the drafting unit who is not its drafter or clerk posting 计划外发文申请 — each is refused (403 through the API;
the page's refusal, nothing changed): the rule that keeps him out when what he sent is well-formed, a plain refusal
when it is not, never the form's field errors. Whoever holds the step is still answered by the form."""

from __future__ import annotations

import pytest
from django.urls import reverse
from rest_framework.test import APIClient

from documents.models import OutgoingState
from tests.documents.test_documents_issuance_access import fresh, progress
from tiexi_gov.audit.models import Event

pytestmark = pytest.mark.django_db


def api(user) -> APIClient:
    client = APIClient()
    client.force_authenticate(user)
    return client


PLAIN = "您当前不能对该发文进行"


def _refused(user, doc, name: str, body: dict, told: str = PLAIN) -> None:
    answer = api(user).post(f"/api/v1/outgoing/{doc.pk}/actions/{name}/", body, format="json")
    assert answer.status_code == 403, (user.username, name, answer.content.decode())
    data = answer.json()
    assert "errors" not in data and told in data["detail"], data


def test_doc_14_a_non_signer_is_refused_before_the_form_through_the_api(world):
    doc = progress(world, "awaiting_signature")
    for not_signer in (world.staff, world.fin_clerk, world.dep_a):
        _refused(not_signer, doc, "sign", {}, "由区长签发")  # well-formed: the rule (第六十二条) keeps him out
        _refused(not_signer, doc, "sign", {"opinion": "x" * 100_000})  # refused by the form: a plain refusal
        _refused(not_signer, doc, "sign", {"opinion": ["a", "b"]})
    assert fresh(doc).state == OutgoingState.AWAITING_SIGNATURE
    assert not Event.objects.for_object(doc).filter(action="outgoing_sign").exists()
    done = api(world.head).post(f"/api/v1/outgoing/{doc.pk}/actions/sign/", {}, format="json")
    assert done.status_code == 200, done.content.decode()
    assert fresh(doc).state == OutgoingState.SIGNED


def test_x_2_a_step_or_edit_not_ones_own_is_refused_before_the_form_through_the_api(world):
    checking = progress(world, "office_check")
    _refused(world.fin_clerk, checking, "office_check", {})
    missing = api(world.staff).post(f"/api/v1/outgoing/{checking.pk}/actions/office_check/", {}, format="json")
    assert missing.status_code == 400 and "opinion" in missing.json()["errors"]  # the office's own step: its form
    drafting = progress(world, "drafting")
    _refused(world.fin_other, drafting, "one_off", {})
    _refused(world.dev_clerk, drafting, "attach", {})
    assert fresh(checking).state == OutgoingState.OFFICE_CHECK and fresh(drafting).state == OutgoingState.DRAFTING


def test_x_2_a_non_reviewer_on_the_page_reads_the_refusal_not_the_field_errors(world, client):
    doc = progress(world, "office_check")
    client.force_login(world.fin_clerk)
    page = client.post(reverse("documents:outgoing_act", args=[doc.pk, "office_check"]), {"seen_state": doc.state})
    assert [str(m) for m in page.context["messages"]] == ["您当前不能对该发文进行“核稿”操作。"]
    assert "office_check" not in page.context["forms"]
    assert fresh(doc).state == OutgoingState.OFFICE_CHECK

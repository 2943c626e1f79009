"""SUP-1 "领导批示": one click from a leader's instruction on a submission's processing slip to a supervision item,
and the link back from the document to the items raised from it.

Built on the documents tests' district (it has the office reviewers a submission needs to reach a leader); the
views use the real today, so the document goes through its steps today.
"""

from __future__ import annotations

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from documents.models import Instruction, ReturnReason, SubmissionState
from documents.submissions import services as doc_services
from supervision.models import ItemState, Source, SupervisionItem
from tests.documents.documents_support import build_world, in_leader_review

pytestmark = [pytest.mark.postgres, pytest.mark.django_db]

OPINION = "同意。请财政局会同发改局于年底前完成资金拨付。"


@pytest.fixture
def today():
    return timezone.localdate()


@pytest.fixture
def w(db, settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    return build_world()


@pytest.fixture
def approved(w, today):
    """A 财政局 request approved by the deputy in charge: (submission, the leader's instruction)."""
    sub = in_leader_review(w, today)
    result = doc_services.leader_decide(
        actor=w.dep_a, submission=sub, decision=Instruction.Decision.APPROVE, opinion=OPINION, today=today
    )
    return result.submission, result.instruction


def _client(client, user):
    client.force_login(user)
    return client


def _url(instruction) -> str:
    return reverse("supervision:item_from_instruction", args=[instruction.pk])


def _post_from(page, **overrides) -> dict:
    """What the browser sends back from the pre-filled page, with the office's additions."""
    form = page.context["form"]
    data = {}
    for name, field in form.fields.items():
        if field.disabled:
            continue
        value = form[name].value()
        if value in (None, False, [], ""):
            continue
        data[name] = [str(v) for v in value] if isinstance(value, list) else str(value)
    data.update(overrides)
    return data


def test_sup_1_raise_button_is_shown_to_office_users_only(w, client, approved):
    sub, instruction = approved
    link = _url(instruction)
    for page in ("documents:detail", "documents:slip"):
        office_html = _client(client, w.staff).get(reverse(page, args=[sub.pk])).content.decode()
        assert link in office_html and "生成督办事项" in office_html, page
        clerk = _client(client, w.fin_clerk).get(reverse(page, args=[sub.pk]))
        assert clerk.status_code == 200
        assert link not in clerk.content.decode(), page
        leader = _client(client, w.dep_a).get(reverse(page, args=[sub.pk]))
        assert leader.status_code == 200 and link not in leader.content.decode(), page


def test_sup_1_form_is_prefilled_from_the_leader_instruction(w, client, approved):
    sub, instruction = approved
    page = _client(client, w.staff).get(_url(instruction))
    assert page.status_code == 200
    form = page.context["form"]
    assert form["source"].value() == Source.LEADER_INSTRUCTION and form.fields["source"].disabled
    assert form["source_ref"].value() == f"收文{sub.current_slip.number} 副区长（财政）批示"
    task = form["task"].value()
    assert sub.title in task and OPINION in task
    assert form["leader_post"].value() == w.dep_a_post.pk
    assert form["lead_unit"].value() == w.fin.pk
    html = page.content.decode()
    assert OPINION in html and sub.current_slip.number in html  # the instruction is shown above the form


def test_sup_1_item_from_instruction_links_both_ways(w, client, approved, today):
    sub, instruction = approved
    c = _client(client, w.staff)
    page = c.get(_url(instruction))
    due = today.replace(year=today.year + 1)
    data = _post_from(page, due=due.isoformat(), standard="拨付率100%", cooperating_units=[str(w.dev.pk)])
    data["source"] = Source.MEETING_DECISION  # a tampered source is ignored: the instruction fixes it
    data["issue"] = "1"
    response = c.post(_url(instruction), data)
    assert response.status_code == 302
    item = SupervisionItem.objects.get()
    assert response["Location"] == reverse("supervision:item", args=[item.pk])
    assert item.source == Source.LEADER_INSTRUCTION
    assert item.source_object == instruction  # item → instruction
    assert item.leader_post == w.dep_a_post and item.lead_unit == w.fin
    assert item.state == ItemState.ASSIGNED

    item_link = reverse("supervision:item", args=[item.pk])
    for user in (w.staff, w.fin_clerk):  # document → item, for the office and for the unit that leads it
        for name in ("documents:detail", "documents:slip"):
            html = _client(client, user).get(reverse(name, args=[sub.pk])).content.decode()
            assert "已立督办" in html and item_link in html and item.number in html, (user, name)

    again = _client(client, w.staff).get(_url(instruction))
    assert list(again.context["origin"]["raised"]) == [item]


def test_sup_5_the_same_instruction_cannot_be_raised_twice(w, client, approved, today):
    _sub, instruction = approved
    c = _client(client, w.staff)
    page = c.get(_url(instruction))
    due = today.replace(year=today.year + 1)
    data = _post_from(page, due=due.isoformat(), standard="拨付率100%")
    assert c.post(_url(instruction), data).status_code == 302
    first = SupervisionItem.objects.get()
    second = c.post(_url(instruction), {**data, "task": "另一种表述的同一批示事项"})
    assert second.status_code == 200
    assert second.context["duplicate"] == first
    assert reverse("supervision:item", args=[first.pk]) in second.content.decode()
    assert SupervisionItem.objects.count() == 1


@pytest.mark.parametrize("who", ["outsider", "fin_clerk", "dev_clerk", "dep_a"])
def test_item_from_instruction_is_404_for_anyone_but_the_office(w, client, approved, today, who):
    _sub, instruction = approved
    c = _client(client, getattr(w, who))
    assert c.get(_url(instruction)).status_code == 404
    data = {"task": "越权立项", "standard": "x", "due": today.isoformat(), "lead_unit": w.fin.pk}
    assert c.post(_url(instruction), data).status_code == 404
    assert not SupervisionItem.objects.exists()


def test_item_from_instruction_is_404_when_the_office_cannot_see_the_document(w, client, today):
    sub = in_leader_review(w, today)
    returned = doc_services.leader_decide(
        actor=w.dep_a,
        submission=sub,
        decision=Instruction.Decision.RETURN,
        opinion="请补充测算依据后再报。",
        return_reason=ReturnReason.LEADER_RETURN,
        today=today,
    )
    doc_services.revise(actor=w.fin_clerk, submission=returned.submission, today=today)
    sub.refresh_from_db()
    assert sub.state == SubmissionState.DRAFTING  # back with the unit: out of the office's sight
    assert _client(client, w.staff).get(_url(returned.instruction)).status_code == 404


def test_item_from_an_office_review_opinion_is_404(w, client, approved):
    sub, _instruction = approved
    review = sub.instructions.exclude(step=Instruction.Step.LEADER).first()
    assert _client(client, w.staff).get(_url(review)).status_code == 404


def test_sup_1_slip_links_cost_one_query_whatever_the_number_of_instructions(w, client, today):
    sub = in_leader_review(w, today)
    first = doc_services.leader_decide(
        actor=w.dep_a,
        submission=sub,
        decision=Instruction.Decision.PASS,
        opinion="请常务副区长阅示。",
        to_post=w.exec_post,
        today=today,
    ).instruction
    second = doc_services.leader_decide(
        actor=w.exec_deputy, submission=sub, decision=Instruction.Decision.APPROVE, opinion=OPINION, today=today
    ).instruction
    c = _client(client, w.staff)
    due = today.replace(year=today.year + 1)
    for n, instruction in enumerate((first, second)):
        data = _post_from(c.get(_url(instruction)), due=due.isoformat(), standard="拨付率100%")
        data["task"] = ["落实资金拨付", "开展专项资金绩效评价"][n]
        assert c.post(_url(instruction), data).status_code == 302
    items = list(SupervisionItem.objects.order_by("id"))
    for name in ("documents:detail", "documents:slip"):
        with CaptureQueriesContext(connection) as ctx:
            html = c.get(reverse(name, args=[sub.pk])).content.decode()
        item_queries = [q["sql"] for q in ctx.captured_queries if 'FROM "supervision_supervisionitem"' in q["sql"]]
        assert len(item_queries) == 1, name
        for item in items:
            assert reverse("supervision:item", args=[item.pk]) in html

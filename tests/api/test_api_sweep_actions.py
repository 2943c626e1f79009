"""15.1 (the sweep): the other things a person does in the pages, through the API as on the page — editing a draft
submission or outgoing document, naming the readers of a confidential one (X-2), proposing and deciding a
supervision outcome (SUP-4), logging, assigning and answering a public inquiry (PUB-1), opening and filing the
half-year reports (SUP-2); the same state and audit event as the page, the page's 404 for whoever may not use it."""

from __future__ import annotations

import datetime as dt

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from django.utils import timezone
from rest_framework.test import APIClient

from documents.models import Submission
from documents.outgoing.models import DocumentPlan, OutgoingDocument
from supervision.models import Outcome, SupervisionItem
from supervision.outcomes import services as outcome_services
from supervision.public.models import PublicInquiry
from supervision.reports.models import HalfYearReport
from tests.documents.documents_support import draft, valid_fields
from tests.supervision.supervision_support import build_world as supervision_world
from tests.supervision.supervision_support import make_item
from tiexi_gov.audit.models import Event

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path


@pytest.fixture
def today():
    return timezone.localdate()


def api(user) -> APIClient:
    client = APIClient()
    client.force_authenticate(user)
    return client


def record(event: Event) -> tuple:
    return (event.action, event.action_label, event.from_state, event.to_state, event.actor_id, event.capacity)


def last_event(obj, action: str | None = None) -> Event:
    events = Event.objects.for_object(obj)
    return (events.filter(action=action) if action else events).order_by("-id").first()


def _fields(today, **changes) -> dict:
    """The draft form's fields as JSON (a ticked box true)."""
    data = {k: (str(v) if not isinstance(v, bool) else v) for k, v in valid_fields(today).items() if v is not None}
    return {**data, "copies": "1", **changes}


# --- documents ---------------------------------------------------------------------------------------------------


def test_15_1_draft_edited_through_the_api_is_the_pages_edit(world, client, today):
    by_page, by_api = draft(world, today, title="请示一"), draft(world, today, title="请示二")
    client.force_login(world.fin_clerk)
    data = _fields(today, title="关于拨付教育专项资金的请示")
    page_form = {k: ("on" if v is True else v) for k, v in data.items() if v is not False}
    assert client.post(reverse("documents:edit", args=[by_page.pk]), page_form).status_code == 302
    done = api(world.fin_clerk).post(f"/api/v1/submissions/{by_api.pk}/edit/", data, format="json")
    assert done.status_code == 200, done.content
    assert done.json()["item"]["title"] == "关于拨付教育专项资金的请示"
    assert Submission.objects.get(pk=by_page.pk).title == Submission.objects.get(pk=by_api.pk).title
    assert record(last_event(by_api, "edit_draft")) == record(last_event(by_page, "edit_draft"))
    bad = api(world.fin_clerk).post(f"/api/v1/submissions/{by_api.pk}/edit/", {**data, "title": ""}, format="json")
    assert bad.status_code == 400 and "title" in bad.json()["errors"]
    assert api(world.outsider).post(f"/api/v1/submissions/{by_api.pk}/edit/", data, format="json").status_code == 404
    # the unit's head sees it but may not edit it: the page's words, a 403
    refused = api(world.fin_head).post(f"/api/v1/submissions/{by_api.pk}/edit/", data, format="json")
    assert refused.status_code == 403 and "当前不能修改" in refused.json()["detail"]


def test_15_1_outgoing_draft_edited_through_the_api_is_the_pages_edit(world, client):
    sheet = {
        "kind": "government",
        "copies": 10,
        "title": "关于做好安全生产工作的通知",
        "main_recipients": "各乡、街道，区政府各部门",
        "body": "现就有关事项通知如下。",
        "disclosure": "full",
        "disclosure_manner": "active",
        "not_classified": True,
    }
    clerk = api(world.fin_clerk)
    by_page, by_api = (clerk.post("/api/v1/outgoing/", sheet, format="json").json()["item"]["id"] for _ in range(2))
    changed = {**sheet, "title": "关于做好冬季安全生产工作的通知"}
    client.force_login(world.fin_clerk)
    page_form = {k: ("on" if v is True else v) for k, v in changed.items()}
    assert client.post(reverse("documents:outgoing_edit", args=[by_page]), page_form).status_code == 302
    done = clerk.post(f"/api/v1/outgoing/{by_api}/edit/", changed, format="json")
    assert done.status_code == 200, done.content
    assert done.json()["item"]["title"] == changed["title"]
    page_doc, api_doc = OutgoingDocument.objects.get(pk=by_page), OutgoingDocument.objects.get(pk=by_api)
    assert record(last_event(api_doc, "outgoing_edit")) == record(last_event(page_doc, "outgoing_edit"))
    assert api(world.outsider).post(f"/api/v1/outgoing/{by_api}/edit/", changed, format="json").status_code == 404


def test_15_1_an_api_edit_keeps_every_field_it_does_not_send(world, today):
    """An edit through the API that sent the fields the schema asks for (文种, 标题, 不涉密声明) and a new title
    blanked every other field of the draft — its text, 来文字号, 需决策日期, 一文一事 declaration and the units it
    touches — because the page's form read each one left out as emptied. A field left out keeps the draft's value;
    one sent (an unticked box as false, a text as "") still changes it."""
    sub = draft(world, today, unit_doc_number="铁西财呈〔2026〕5号", touched_units=[world.dev])
    before = Submission.objects.get(pk=sub.pk)
    clerk = api(world.fin_clerk)
    done = clerk.post(
        f"/api/v1/submissions/{sub.pk}/edit/",
        {"kind": "request", "title": "关于拨付教育专项资金的请示", "not_classified": True},
        format="json",
    )
    assert done.status_code == 200, done.content
    after = Submission.objects.get(pk=sub.pk)
    assert after.title == "关于拨付教育专项资金的请示"
    kept = ("body", "unit_doc_number", "decision_needed_by", "declares_one_matter", "disclosure", "disclosure_manner")
    assert {f: getattr(after, f) for f in kept} == {f: getattr(before, f) for f in kept}
    assert list(after.touched_units.all()) == [world.dev]
    changed = clerk.post(
        f"/api/v1/submissions/{sub.pk}/edit/",
        {"kind": "request", "title": after.title, "not_classified": True, "unit_doc_number": "", "touched_units": []},
        format="json",
    )
    assert changed.status_code == 200, changed.content
    after = Submission.objects.get(pk=sub.pk)
    assert after.unit_doc_number == "" and not after.touched_units.exists() and after.body == before.body
    sheet = {"kind": "government", "title": "关于做好安全生产工作的通知", "main_recipients": "各乡、街道"}
    doc = clerk.post("/api/v1/outgoing/", {**sheet, "body": "正文。", "not_classified": True}, format="json")
    doc_id = doc.json()["item"]["id"]
    edited = clerk.post(
        f"/api/v1/outgoing/{doc_id}/edit/",
        {"kind": "government", "title": "新标题", "not_classified": True},
        format="json",
    )
    assert edited.status_code == 200, edited.content
    doc = OutgoingDocument.objects.get(pk=doc_id)
    assert (doc.title, doc.body, doc.main_recipients) == ("新标题", "正文。", "各乡、街道")


def test_15_1_x_2_reader_named_through_the_api_as_on_the_page(world, client, today):
    by_page = draft(world, today, title="请示一", confidential=True)
    by_api = draft(world, today, title="请示二", confidential=True)
    client.force_login(world.fin_clerk)
    page = client.post(reverse("documents:readers", args=[by_page.pk, "add"]), {"reader-user": world.fin_other.pk})
    assert page.status_code == 302
    url = f"/api/v1/submissions/{by_api.pk}/readers"
    done = api(world.fin_clerk).post(f"{url}/add/", {"user": world.fin_other.pk}, format="json")
    assert done.status_code == 200, done.content
    assert record(last_event(by_api)) == record(last_event(by_page))
    assert api(world.fin_other).get(f"/api/v1/submissions/{by_api.pk}/").status_code == 200  # now a reader
    assert api(world.fin_clerk).post(f"{url}/add/", {"user": 0}, format="json").status_code == 400
    assert api(world.outsider).post(f"{url}/add/", {"user": world.outsider.pk}, format="json").status_code == 404
    public = draft(world, today, title="请示三")  # not confidential: the page's 404
    assert api(world.fin_clerk).post(f"/api/v1/submissions/{public.pk}/readers/add/", {"user": 1}).status_code == 404


# --- supervision -------------------------------------------------------------------------------------------------


def _overdue_item(w, today, unit):
    return make_item(
        w,
        lead_unit=unit,
        cooperating_units=[],
        today=today - dt.timedelta(days=40),
        due=today - dt.timedelta(days=10),
    )


def test_15_1_sup_4_outcome_proposed_and_decided_through_the_api_as_on_the_pages(client, today):
    w = supervision_world()
    page_item, api_item = _overdue_item(w, today, w.fin), _overdue_item(w, today, w.dev)
    data = {"kind": "criticism", "unit": w.fin.pk, "grounds": "逾期未完成", "approver_post": w.dep_a_post.pk}
    client.force_login(w.staff)
    assert client.post(reverse("supervision:outcome_new", args=[page_item.pk]), data).status_code == 302
    proposed = api(w.staff).post(f"/api/v1/ledger/{api_item.pk}/outcomes/", data, format="json")
    assert proposed.status_code == 201, proposed.content
    by_page, by_api = Outcome.objects.get(item=page_item), Outcome.objects.get(item=api_item)
    assert record(last_event(by_api)) == record(last_event(by_page))
    assert api(w.fin_clerk).post(f"/api/v1/ledger/{api_item.pk}/outcomes/", data, format="json").status_code == 404

    url = f"/api/v1/outcomes/{by_api.pk}"
    assert api(w.dep_a).get(f"{url}/").json()["allowed_actions"] == ["decide"]
    assert api(w.dep_b).get(f"{url}/").json()["allowed_actions"] == []  # sees it, may not decide
    decision = {"decision": "approve", "opinion": "同意", "confirm": True}
    assert api(w.dep_b).post(f"{url}/actions/decide/", decision, format="json").status_code == 403
    reject = api(w.dep_a).post(f"{url}/actions/decide/", {**decision, "decision": "reject", "opinion": ""})
    assert reject.status_code == 400 and "opinion" in reject.json()["errors"]
    client.force_login(w.dep_a)
    page = client.post(reverse("supervision:outcome_decide", args=[by_page.pk]), {**decision, "confirm": "on"})
    assert page.status_code == 302
    done = api(w.dep_a).post(f"{url}/actions/decide/", decision, format="json")
    assert done.status_code == 200, done.content
    assert done.json()["item"]["state"] == Outcome.State.APPROVED
    assert record(last_event(by_api)) == record(last_event(by_page))
    for user in (w.other_clerk, w.outsider):
        assert api(user).get(f"{url}/").status_code == 404
        assert api(user).post(f"{url}/actions/decide/", decision, format="json").status_code == 404


def test_15_1_sup_1_ledger_draft_edited_through_the_api_is_the_pages_edit(client, today):
    w = supervision_world()
    form = {
        "source": "government_decision",
        "kind": "special",
        "cycle": "monthly",
        "leader_post": w.dep_a_post.pk,
        "due": str(today + dt.timedelta(days=30)),
        "standard": "拨付率达到100%",
        "period_start": str(today),
        "supervising_unit": w.office.pk,
    }
    items = []
    for unit, task in ((w.fin, "完成老旧小区改造资金拨付"), (w.dev, "完成重点项目审批改革")):
        made = api(w.staff).post("/api/v1/ledger/", {**form, "lead_unit": unit.pk, "task": task}, format="json")
        assert made.status_code == 201, made.content
        items.append(SupervisionItem.objects.get(pk=made.json()["item"]["id"]))
    by_page, by_api = items
    client.force_login(w.staff)
    page_form = {**form, "lead_unit": w.fin.pk, "task": by_page.task, "standard": "拨付率达到95%"}
    assert client.post(reverse("supervision:item_edit", args=[by_page.pk]), page_form).status_code == 302
    data = {**form, "lead_unit": w.dev.pk, "task": by_api.task, "standard": "拨付率达到95%"}
    done = api(w.staff).post(f"/api/v1/ledger/{by_api.pk}/edit/", data, format="json")
    assert done.status_code == 200, done.content
    assert SupervisionItem.objects.get(pk=by_api.pk).standard == "拨付率达到95%"
    assert record(last_event(by_api, "edited")) == record(last_event(by_page, "edited"))
    assert api(w.fin_clerk).post(f"/api/v1/ledger/{by_api.pk}/edit/", data, format="json").status_code == 404


def test_15_1_pub_1_inquiry_logged_assigned_and_answered_through_the_api(client, today):
    w = supervision_world()
    data = {"asker": "张先生", "channel": "政府网站", "received_on": str(today), "question": "加装电梯补贴？"}
    client.force_login(w.staff)
    assert client.post(reverse("supervision:inquiry_new"), {**data, "unit": w.fin.pk}).status_code == 302
    logged = api(w.staff).post("/api/v1/inquiries/", data, format="json")
    assert logged.status_code == 201, logged.content
    by_page = PublicInquiry.objects.get(unit=w.fin)
    by_api = PublicInquiry.objects.get(pk=logged.json()["item"]["id"])
    assert logged.json()["item"]["allowed_actions"] == ["assign"]
    assert api(w.fin_clerk).post("/api/v1/inquiries/", data, format="json").status_code == 404
    url = f"/api/v1/inquiries/{by_api.pk}/actions"
    assert api(w.staff).post(f"{url}/assign/", {"unit": w.fin.pk}, format="json").status_code == 200
    assert record(last_event(by_api, "assigned")) == record(last_event(by_page, "assigned"))
    assert api(w.dev_clerk).post(f"{url}/answer/", {"answer": "x"}, format="json").status_code == 404
    answered = api(w.fin_clerk).post(f"{url}/answer/", {"answer": "可向住建局申请。"}, format="json")
    assert answered.status_code == 200, answered.content
    assert PublicInquiry.objects.get(pk=by_api.pk).state == PublicInquiry.State.ANSWERED


def test_15_1_sup_2_half_year_round_opened_and_a_report_filed_through_the_api(today):
    w = supervision_world()
    opened = api(w.staff).post("/api/v1/half-year-reports/", {"year": 2026, "half": 1}, format="json")
    assert opened.status_code == 201 and opened.json()["item"]["created"] >= 3, opened.content
    assert api(w.fin_clerk).post("/api/v1/half-year-reports/", {"year": 2026, "half": 1}).status_code == 404
    report = HalfYearReport.objects.get(unit=w.fin, year=2026, half=1)
    url = f"/api/v1/half-year-reports/{report.pk}"
    assert api(w.fin_clerk).get(f"{url}/").json()["allowed_actions"] == ["file"]
    assert api(w.dev_clerk).get(f"{url}/").status_code == 404  # another unit's report
    data = {
        "counterpart": "四平市财政局",
        "sent_on": str(today),
        "summary": "上半年工作总结。",
        "files": SimpleUploadedFile("上半年报告.pdf", b"%PDF-1.7\n", content_type="application/pdf"),
    }
    filed = api(w.fin_clerk).post(f"{url}/actions/file/", data, format="multipart")
    assert filed.status_code == 200, filed.content
    report.refresh_from_db()
    assert report.state == HalfYearReport.State.FILED and report.files.count() == 1
    assert last_event(report).actor == w.fin_clerk
    data["files"] = SimpleUploadedFile("再报.pdf", b"%PDF-1.7\n", content_type="application/pdf")
    again = api(w.fin_clerk).post(f"{url}/actions/file/", data, format="multipart")  # filed: no longer offered
    assert again.status_code == 403 and report.files.count() == 1


def test_15_1_outcome_refused_for_an_item_on_track_with_the_pages_words(today):
    w = supervision_world()
    item = make_item(w, today=today)  # due in a month: no conclusion yet
    data = {"kind": "criticism", "unit": w.fin.pk, "grounds": "x", "approver_post": w.dep_a_post.pk}
    refused = api(w.staff).post(f"/api/v1/ledger/{item.pk}/outcomes/", data, format="json")
    assert refused.status_code == 400 and refused.json()["detail"]
    assert not Outcome.objects.exists()
    assert outcome_services.outcome_allowed(item, today) is False


# --- DOC-15: the yearly document plans ---------------------------------------------------------------------------


def test_15_1_doc_15_plans_kept_through_the_api_as_on_the_plan_pages(world, client, today):
    year = today.year + 1
    client.force_login(world.staff)
    page = client.post(reverse("documents:plans"), {"what": "plan", "plan-issuer": "government", "plan-year": year})
    assert page.status_code == 302
    office = api(world.staff)
    made = office.post(f"/api/v1/document-plans/{year}/actions/plan/", {"issuer": "office"}, format="json")
    assert made.status_code == 200, made.content
    by_page, by_api = DocumentPlan.objects.filter(year=year).order_by("id")
    assert (by_page.issuer, by_api.issuer) == ("government", "office")
    assert record(last_event(by_api)) == record(last_event(by_page))
    again = office.post(f"/api/v1/document-plans/{year}/actions/plan/", {"issuer": "office"}, format="json")
    assert again.status_code == 400 and again.json()["detail"]  # one plan per issuer and year: the service's words
    item = {"plan": by_api.pk, "title": "关于印发年度重点工作的通知", "planned_month": 3}
    added = office.post(f"/api/v1/document-plans/{year}/actions/item/", item, format="json")
    assert added.status_code == 200, added.content
    plans = {p["issuer"]: p for p in added.json()["item"]["plans"]}
    assert [i["title"] for i in plans["office"]["items"]] == [item["title"]]
    assert api(world.fin_clerk).get(f"/api/v1/document-plans/{year}/").status_code == 404  # the office's page

    url = f"/api/v1/unit-plans/{world.fin.pk}"
    clerk = api(world.fin_clerk)
    assert clerk.get(f"{url}/?year={year}").json()["allowed_actions"] == ["plan"]
    assert clerk.post(f"{url}/actions/plan/", {"year": year}, format="json").status_code == 200
    added = clerk.post(f"{url}/actions/item/", {"year": year, "title": "关于预算执行的通知"}, format="json")
    assert added.status_code == 200, added.content
    (row,) = added.json()["item"]["plan"]["items"]
    removed = clerk.post(f"{url}/actions/remove/", {"year": year, "item": row["id"]}, format="json")
    assert removed.status_code == 200 and removed.json()["item"]["plan"]["items"] == []
    assert api(world.staff).get(f"{url}/?year={year}").status_code == 200  # the office reads it
    assert api(world.outsider).get(f"{url}/?year={year}").status_code == 404  # another unit
    assert api(world.fin_other).post(f"{url}/actions/plan/", {"year": year}, format="json").status_code == 404


def test_15_1_sup_1_an_api_ledger_edit_keeps_every_field_it_does_not_send(today):
    """The ledger's API edit read each field the body left out as emptied, as the documents' edits did: a body with a
    new 量化标准 alone was refused for the required fields, and one that also sent those blanked the 协办单位 and
    unticked 重大事项. A field left out keeps the draft's value; one sent ([] included) still changes it."""
    w = supervision_world()
    made = api(w.staff).post(
        "/api/v1/ledger/",
        {
            "source": "government_decision",
            "task": "完成老旧小区改造资金拨付",
            "kind": "special",
            "cycle": "monthly",
            "lead_unit": w.fin.pk,
            "cooperating_units": [w.dev.pk],
            "leader_post": w.dep_a_post.pk,
            "due": str(today + dt.timedelta(days=30)),
            "standard": "拨付率达到100%",
            "period_start": str(today),
            "supervising_unit": w.office.pk,
            "is_major": True,
        },
        format="json",
    )
    assert made.status_code == 201, made.content
    item = SupervisionItem.objects.get(pk=made.json()["item"]["id"])
    fields = ("task", "kind", "cycle", "lead_unit_id", "leader_post_id", "due", "period_start", "is_major")
    before = {f: getattr(item, f) for f in fields}
    done = api(w.staff).post(f"/api/v1/ledger/{item.pk}/edit/", {"standard": "拨付率达到95%"}, format="json")
    assert done.status_code == 200, done.content
    item.refresh_from_db()
    assert item.standard == "拨付率达到95%"
    assert {f: getattr(item, f) for f in fields} == before
    assert list(item.cooperating_units.values_list("pk", flat=True)) == [w.dev.pk]
    emptied = api(w.staff).post(f"/api/v1/ledger/{item.pk}/edit/", {"cooperating_units": []}, format="json")
    assert emptied.status_code == 200, emptied.content
    assert not item.cooperating_units.exists() and SupervisionItem.objects.get(pk=item.pk).standard == "拨付率达到95%"


def test_x_1_an_api_ledger_edit_refuses_json_of_the_wrong_shape(today):
    """The ledger's API edit read a JSON list for 督办事项 as its last item and an object as its JSON text, and saved
    either, where the documents' edits and every create answer a 400 on the field. Now the same 400, nothing saved
    and no audit event."""
    w = supervision_world()
    item = make_item(w, issue=False, today=today, task="完成老旧小区改造资金拨付")
    events = Event.objects.for_object(item).count()
    for task in (["完成甲", "完成乙"], {"a": 1}):
        response = api(w.staff).post(f"/api/v1/ledger/{item.pk}/edit/", {"task": task}, format="json")
        assert response.status_code == 400 and "task" in response.json()["errors"], response.json()
    item.refresh_from_db()
    assert item.task == "完成老旧小区改造资金拨付"
    assert Event.objects.for_object(item).count() == events

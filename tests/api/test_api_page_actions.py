"""15.1 (completed): the last actions a person takes in the pages, through the API — revising a returned application
(CRD-1), adjusting bodies after a leader change (CRD-3), adding a meeting to the year's plan (MTG-11), scheduling an
ad hoc or special-topic meeting and the year's regular meetings (MTG-2..4, MTG-7), 传阅 / 阅知: sending, reading and
批注 (15.4), and the inbox. Each one: done once on the page and once through the API, the same state and the same
audit event; whoever may not use the page gets its 404."""

from __future__ import annotations

import datetime as dt

import pytest
from django.urls import reverse
from django.utils import timezone
from rest_framework.test import APIClient

from circulation.models import Receipt, ReceiptState
from coordination.models import Adjustment, Application, Rank
from coordination.register import services as register_services
from meetings.meeting import services as meeting_services
from meetings.models import Meeting, MeetingKind
from meetings.schedule import services as schedule_services
from meetings.schedule.models import DistrictMeeting
from tests.circulation.conftest import world as circulation_world  # noqa: F401  (the 15.4 district, a fixture)
from tests.coordination.upkeep_support import change_holder, make_body
from tests.meetings.meetings_support import build_world
from tiexi_gov.audit.models import Event
from tiexi_gov.notify.models import Message
from tiexi_gov.workdays import calendar as wd

pytestmark = pytest.mark.django_db


@pytest.fixture
def w(db):
    return build_world()


@pytest.fixture
def today():
    return timezone.localdate()


def api(user) -> APIClient:
    client = APIClient()
    client.force_authenticate(user)
    return client


def record(event: Event) -> tuple:
    """What must be the same whether the page or the API did it."""
    return (event.action, event.action_label, event.from_state, event.to_state, event.actor_id, event.capacity)


def records(obj) -> list[tuple]:
    return [record(e) for e in Event.objects.for_object(obj)]


def last_event(obj, action: str) -> Event:
    return Event.objects.for_object(obj).filter(action=action).order_by("-id").first()


def page_data(data: dict) -> dict:
    """The API's JSON as the page's form posts it: a ticked box is "on"."""
    return {k: ("on" if v is True else v) for k, v in data.items() if v is not False}


# --- CRD-1: 修改后重新提交 ---------------------------------------------------------------------------------------


def _proposal(w, name: str) -> dict:
    return {
        "kind": "setup",
        "applicant_unit": w.units["教育局"].pk,
        "name": name,
        "rank": 2,
        "head_post": w.edu_deputy_post.pk,
        "member_posts": [w.unit_head_posts["财政局"].pk],
        "host_unit": w.units["教育局"].pk,
        "ground_law": True,
        "basis_law": "《教育督导条例》第五条",
        "functions": "统筹全区教育督导工作。",
        "reason": "教育督导工作涉及多个部门，需统筹协调。",
    }


def _returned(w, name: str) -> Application:
    filed = api(w.clerks["教育局"]).post("/api/v1/applications/", _proposal(w, name), format="json")
    assert filed.status_code == 201, filed.content
    app = Application.objects.get(pk=filed.json()["item"]["id"])
    register_services.send_back(actor=w.staff, application=app, opinion="请补充依据。")
    return Application.objects.get(pk=app.pk)


def test_15_1_crd_1_revise_through_the_api_is_the_pages_resubmission(w, client):
    by_page, by_api = _returned(w, "铁西区教育督导委员会"), _returned(w, "铁西区校园安全委员会")
    clerk = w.clerks["教育局"]
    assert "revise" in api(clerk).get(f"/api/v1/applications/{by_api.pk}/").json()["allowed_actions"]
    assert "revise" in api(w.staff).get(f"/api/v1/applications/{by_api.pk}/").json()["allowed_actions"]  # for the unit

    client.force_login(clerk)
    data = {**_proposal(w, "铁西区教育督导委员会"), "reason": "已补充法律依据。", "seen_state": "returned"}
    page = client.post(reverse("coordination:application_action", args=[by_page.pk, "revise"]), page_data(data))
    assert page.status_code == 302, page.content.decode()[:500]
    data = {**_proposal(w, "铁西区校园安全委员会"), "reason": "已补充法律依据。", "seen_state": "returned"}
    del data["kind"]  # the page's hidden field: the application's own kind
    url = f"/api/v1/applications/{by_api.pk}/actions/revise"
    missing = api(clerk).post(f"{url}/", {**data, "name": ""}, format="json")
    assert missing.status_code == 400 and "name" in missing.json()["errors"]
    done = api(clerk).post(f"{url}/", data, format="json")
    assert done.status_code == 200, done.content
    assert done.json()["item"]["state"] == Application.State.OFFICE_REVIEW

    for app in (by_page, by_api):
        app.refresh_from_db()
        assert app.state == Application.State.OFFICE_REVIEW and app.reason == "已补充法律依据。"
    assert record(last_event(by_api, "submit")) == record(last_event(by_page, "submit"))
    assert last_event(by_api, "submit").action_label == "修改后重新提交"
    again = api(clerk).post(f"{url}/", data, format="json")  # the state moved on since the caller saw it
    assert again.status_code == 409 and "已由" in again.json()["detail"]
    outsider = w.clerks["审计局"]
    assert api(outsider).post(f"{url}/", data, format="json").status_code == 404
    client.force_login(outsider)
    assert client.post(reverse("coordination:application_action", args=[by_api.pk, "revise"])).status_code == 404


# --- CRD-3: leader changes ---------------------------------------------------------------------------------------


def test_15_1_crd_3_adjustment_through_the_api_is_the_pages(w, client, today):
    led = [make_body(f"铁西区第{i}安全工作领导小组", host=w.units["发改局"], head=w.judicial_post) for i in (1, 2)]
    change_holder(w.judicial_post, on=today - dt.timedelta(days=5), username="judicial2", full_name="钱副区长")
    office = api(w.staff)
    (change,) = office.get("/api/v1/leader-changes/").json()["results"]
    assert change["post"] == w.judicial_post.pk and change["new_holder"] == "钱副区长"
    assert sorted(change["actionable_bodies"]) == sorted(b.pk for b in led) and change["kinds"] == ["batch", "single"]

    data = {"post": w.judicial_post.pk, "kind": "single", "document_number": "铁政办发〔2026〕30号", "confirm": True}
    client.force_login(w.staff)
    page = client.post(reverse("coordination:adjust"), page_data({**data, "bodies": [led[0].pk]}))
    assert page.status_code == 302
    unconfirmed = office.post("/api/v1/leader-changes/adjust/", {**data, "confirm": False}, format="json")
    assert unconfirmed.status_code == 400 and "confirm" in unconfirmed.json()["errors"]
    done = office.post("/api/v1/leader-changes/adjust/", {**data, "bodies": [led[1].pk]}, format="json")
    assert done.status_code == 201, done.content
    assert done.json()["item"]["new_holder"] == "钱副区长"

    by_page, by_api = Adjustment.objects.order_by("id")
    assert record(last_event(by_api, "adjustment_recorded")) == record(last_event(by_page, "adjustment_recorded"))
    assert records(led[1]) == records(led[0])
    assert office.get("/api/v1/leader-changes/").json()["count"] == 0  # settled
    recent = office.get("/api/v1/leader-changes/adjustments/").json()["results"]
    assert [a["id"] for a in recent] == [by_api.pk, by_page.pk]
    for user in (w.outsider, w.clerks["教育局"]):  # the page's 404: neither the office nor a host unit
        assert api(user).get("/api/v1/leader-changes/").status_code == 404
        assert api(user).post("/api/v1/leader-changes/adjust/", data, format="json").status_code == 404


def test_15_1_crd_3_body_office_adjusts_itself_and_files_members_through_the_api(w):
    audit_head = w.unit_head_posts["审计局"]
    body = make_body("铁西区审计整改领导小组", host=w.units["审计局"], head=audit_head, rank=Rank.DEPARTMENT)
    change_holder(audit_head, on=timezone.localdate() - dt.timedelta(days=2), username="audit2", full_name="新局长")
    clerk = api(w.clerks["审计局"])
    (change,) = clerk.get("/api/v1/leader-changes/").json()["results"]
    assert change["actionable_bodies"] == [body.pk] and change["kinds"] == ["self"]
    data = {"post": audit_head.pk, "bodies": [body.pk], "kind": "batch", "document_number": "x", "confirm": True}
    refused = clerk.post("/api/v1/leader-changes/adjust/", data, format="json")  # the office's kind: its refusal
    assert refused.status_code == 403 and "区政府办公室" in refused.json()["detail"]
    done = clerk.post("/api/v1/leader-changes/adjust/", {**data, "kind": "self"}, format="json")
    assert done.status_code == 201, done.content
    members = {"kind": "members_filed", "body": body.pk, "document_number": "铁审发〔2026〕2号", "note": "成员调整"}
    filed = clerk.post("/api/v1/leader-changes/adjust/", {**members, "confirm": True}, format="json")
    assert filed.status_code == 201, filed.content
    assert [a.kind for a in Adjustment.objects.order_by("id")] == [Adjustment.Kind.SELF, Adjustment.Kind.MEMBERS_FILED]


# --- MTG-11: a meeting in the year's plan ------------------------------------------------------------------------


def test_15_1_mtg_11_meeting_added_to_the_plan_through_the_api_is_the_pages(w, client, today):
    year = today.year + 1
    schedule_services.get_or_create_plan(actor=w.staff, year=year)
    data = {"name": "铁西区安全生产工作会议", "sponsorship": "by_government", "unit": w.units["发改局"].pk, "month": 3}
    client.force_login(w.staff)
    assert client.post(reverse("meetings:district_meeting_new", args=[year]), data).status_code == 302
    url = f"/api/v1/meeting-plans/{year}/meetings/"
    misnamed = api(w.staff).post(url, {**data, "name": "全区教育工作会议"}, format="json")
    assert misnamed.status_code == 400 and "name" in misnamed.json()["errors"]
    data.update(name="铁西区教育工作会议", unit=w.units["教育局"].pk)
    done = api(w.staff).post(url, data, format="json")
    assert done.status_code == 201, done.content
    by_page, by_api = DistrictMeeting.objects.order_by("id")
    assert by_api.planned and by_page.planned and by_api.state == by_page.state
    assert records(by_api) == records(by_page)
    assert by_api.name in [m["name"] for m in api(w.staff).get(f"/api/v1/meeting-plans/{year}/").json()["meetings"]]
    # while the office drafts the plan a unit may not add to it: the page's words, a 403
    unit = api(w.clerks["教育局"]).post(url, data, format="json")
    assert unit.status_code == 403 and "会议计划由区政府办公室编制" in unit.json()["detail"]
    assert api(w.outsider).post(url, data, format="json").status_code == 404


# --- MTG-4, MTG-7: an ad hoc or special-topic meeting; the year's regular meetings --------------------------------


def test_15_1_mtg_4_ad_hoc_meeting_scheduled_through_the_api_is_the_pages(w, client, today):
    meeting_services.ensure_standing_seats()
    data = {"kind": MeetingKind.EXECUTIVE, "date": str(wd.add_workdays(today, 10)), "reason": "研究防汛工作"}
    client.force_login(w.staff)
    assert client.post(reverse("meetings:meeting_new"), data).status_code == 302
    special = api(w.staff).post("/api/v1/meetings/", {**data, "kind": MeetingKind.SPECIAL}, format="json")
    assert special.status_code == 400 and {"title", "chair_post", "lead_unit"} <= set(special.json()["errors"])
    done = api(w.staff).post("/api/v1/meetings/", {**data, "date": str(wd.add_workdays(today, 12))}, format="json")
    assert done.status_code == 201, done.content
    assert "已报区长同意临时召开" in done.json()["detail"]
    by_page, by_api = Meeting.objects.filter(is_regular=False).order_by("id")
    assert by_api.needs_consent and by_page.needs_consent and by_api.state == by_page.state
    assert records(by_api) == records(by_page)
    assert "consent" in api(w.head).get(f"/api/v1/meetings/{by_api.pk}/").json()["allowed_actions"]
    assert api(w.clerks["财政局"]).post("/api/v1/meetings/", data, format="json").status_code == 404


def test_15_1_mtg_3_regular_meetings_generated_through_the_api(w, today):
    year = today.year + 2
    url = "/api/v1/meetings/generate-year/"
    assert api(w.staff).post(url, {"year": year}, format="json").status_code == 400  # confirm, as on the page
    done = api(w.staff).post(url, {"year": year, "confirm": True}, format="json")
    assert done.status_code == 200, done.content
    created = Meeting.objects.filter(year=year, is_regular=True)
    assert len(done.json()["item"]["created"]) == created.count() == 26
    again = api(w.staff).post(url, {"year": year, "confirm": True}, format="json")
    assert again.json()["item"]["created"] == [] and "均已生成" in again.json()["detail"]
    assert api(w.clerks["财政局"]).post(url, {"year": year, "confirm": True}, format="json").status_code == 404


def test_15_1_mtg_9_reply_and_sign_in_through_the_api_as_on_the_attendance_page(w, client, today):
    meeting_services.ensure_standing_seats()
    m = schedule_services.schedule_ad_hoc(
        actor=w.staff,
        kind=MeetingKind.SPECIAL,
        date=today,
        reason="协调推进有关工作",
        title="财政工作专题会议",
        chair_post=w.edu_deputy_post,
        lead_unit=w.units["财政局"],
        today=today - dt.timedelta(days=3),
    )
    by_page, by_api = (
        meeting_services.add_special_attendee(
            actor=w.staff, meeting=m, person=w.unit_heads[u], post=w.unit_head_posts[u]
        )
        for u in ("财政局", "教育局")
    )
    client.force_login(w.unit_heads["财政局"])
    assert client.post(reverse("meetings:invitation_action", args=[by_page.pk, "attend"])).status_code == 302
    me = api(w.unit_heads["教育局"])
    assert me.post(f"/api/v1/invitations/{by_page.pk}/attend/", {}, format="json").status_code == 403  # not mine
    done = me.post(f"/api/v1/invitations/{by_api.pk}/attend/", {}, format="json")
    assert done.status_code == 200 and done.json()["item"]["reply"] == "attend", done.content
    replies = Event.objects.for_object(m).filter(action="replied").order_by("id")
    assert [e.action_label for e in replies] == ["回复参加", "回复参加"]
    assert (replies[0].from_state, replies[0].to_state) == (replies[1].from_state, replies[1].to_state)
    signed = api(w.staff).post(f"/api/v1/invitations/{by_api.pk}/sign-in/", {}, format="json")
    assert signed.status_code == 200 and signed.json()["item"]["signed_in_at"], signed.content
    refreshed = api(w.staff).post(f"/api/v1/meetings/{m.pk}/refresh-invitations/", {}, format="json")
    assert refreshed.status_code == 200, refreshed.content
    assert api(w.clerks["审计局"]).post(f"/api/v1/meetings/{m.pk}/refresh-invitations/").status_code == 404
    assert api(w.outsider).post(f"/api/v1/invitations/{by_api.pk}/sign-in/", {}, format="json").status_code == 404


# --- 15.4: 传阅 / 阅知 --------------------------------------------------------------------------------------------


def test_15_4_send_read_and_annotate_through_the_api_are_the_pages(circulation_world, client):  # noqa: F811
    c = circulation_world
    recipients = {"mode": "circulate", "posts": [c.deputy_post.pk], "units": [c.unit_a.pk]}
    client.force_login(c.office)
    page = client.post(reverse("circulation:send", args=["outgoing", c.document.pk]), {**recipients, "note": "请阅"})
    assert page.status_code == 302
    office = api(c.office)
    assert {p["id"] for p in office.get("/api/v1/circulations/recipients/").json()["posts"]} >= {c.deputy_post.pk}
    data = {**recipients, "kind": "interpretation", "item": c.interpretation.pk, "note": "请阅"}
    assert office.post("/api/v1/circulations/", {**data, "posts": [], "units": []}, format="json").status_code == 400
    sent = office.post("/api/v1/circulations/", data, format="json")
    assert sent.status_code == 201, sent.content
    assert len(sent.json()["item"]["receipts"]) == 2
    by_page, by_api = (r.circulation for r in Receipt.objects.filter(post=c.deputy_post).order_by("id"))
    assert record(last_event(by_api, "circulation_sent")) == record(last_event(by_page, "circulation_sent"))

    page_receipt, api_receipt = Receipt.objects.filter(post=c.deputy_post).order_by("id")
    deputy = api(c.deputy)
    detail = deputy.get(f"/api/v1/receipts/{api_receipt.pk}/").json()
    assert detail["state"] == ReceiptState.UNREAD  # looking at it through the API reads nothing
    assert detail["allowed_actions"] == ["read", "annotate"]
    assert detail["summary"] and detail["title"] == by_api.title
    client.force_login(c.deputy)
    assert client.get(reverse("circulation:receipt", args=[page_receipt.pk])).status_code == 200  # opening reads it
    assert deputy.post(f"/api/v1/receipts/{api_receipt.pk}/actions/read/", {}, format="json").status_code == 200
    assert record(last_event(api_receipt, "circulation_read")) == record(last_event(page_receipt, "circulation_read"))

    note = {"text": "已阅，同意。"}
    page = client.post(reverse("circulation:annotate", args=[page_receipt.pk]), {**note, "seen": "read"})
    assert page.status_code == 302
    url = f"/api/v1/receipts/{api_receipt.pk}/actions/annotate/"
    assert deputy.post(url, {"text": ""}, format="json").status_code == 400
    done = deputy.post(url, {**note, "seen_state": "read"}, format="json")
    assert done.status_code == 200, done.content
    assert done.json()["item"]["state"] == ReceiptState.ANNOTATED
    assert record(last_event(api_receipt, "circulation_annotated")) == record(
        last_event(page_receipt, "circulation_annotated")
    )
    status = office.get(f"/api/v1/circulations/{by_api.pk}/").json()
    assert {r["state"] for r in status["receipts"]} == {ReceiptState.ANNOTATED, ReceiptState.UNREAD}

    # a unit's copy is read by the first of its people; the next is told who was first
    unit_receipt = Receipt.objects.get(circulation=by_api, unit=c.unit_a)
    read = f"/api/v1/receipts/{unit_receipt.pk}/actions/read/"
    assert api(c.clerk_a).post(read, {"seen_state": "unread"}, format="json").status_code == 200
    late = api(c.chief_a).post(read, {"seen_state": "unread"}, format="json")
    assert late.status_code == 409 and "已由" in late.json()["detail"]

    outsider = api(c.clerk_b)  # neither sender nor recipient: the pages' 404
    assert outsider.get(f"/api/v1/receipts/{api_receipt.pk}/").status_code == 404
    assert outsider.post(url, note, format="json").status_code == 404
    assert outsider.get(f"/api/v1/circulations/{by_api.pk}/").status_code == 404
    assert outsider.post("/api/v1/circulations/", data, format="json").status_code == 404
    client.force_login(c.clerk_b)
    assert client.get(reverse("circulation:receipt", args=[api_receipt.pk])).status_code == 404


def test_15_4_a_confidential_document_is_refused_as_on_the_send_page(circulation_world):  # noqa: F811
    c = circulation_world
    type(c.document).objects.filter(pk=c.document.pk).update(confidential=True)
    data = {"kind": "outgoing", "item": c.document.pk, "mode": "circulate", "posts": [c.deputy_post.pk]}
    refused = api(c.office).post("/api/v1/circulations/", data, format="json")
    assert refused.status_code == 400 and "限定知悉范围" in refused.json()["detail"]
    assert api(c.admin).post("/api/v1/circulations/", data, format="json").status_code == 404


# --- the inbox ---------------------------------------------------------------------------------------------------


def test_15_1_inbox_messages_marked_read_through_the_api(w):
    mine = [Message.objects.create(recipient=w.staff, subject=f"第{i}条") for i in range(3)]
    other = Message.objects.create(recipient=w.head, subject="区长的消息")
    staff = api(w.staff)
    assert [m["id"] for m in staff.get("/api/v1/messages/").json()["results"]] == [m.pk for m in reversed(mine)]
    assert staff.post(f"/api/v1/messages/{mine[0].pk}/read/", {}, format="json").json()["item"]["read"] is True
    assert staff.post(f"/api/v1/messages/{other.pk}/read/", {}, format="json").status_code == 404  # only its recipient
    assert Message.objects.get(pk=other.pk).read_at is None
    assert staff.post("/api/v1/messages/read-all/", {}, format="json").json()["detail"] == "已将 2 条消息标为已读。"
    assert not Message.objects.filter(recipient=w.staff, read_at__isnull=True).exists()

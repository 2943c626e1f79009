"""15.1 (continued): creating items through the API as the pages do (a submission with a real file in multipart, an
outgoing draft, a ledger item), and a constant number of SQL queries for EVERY list endpoint (one item vs three)."""

from __future__ import annotations

import datetime as dt

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone
from rest_framework.test import APIClient

from circulation import services as circulation_services
from circulation.models import Kind
from coordination.absence import services as absence
from coordination.models import Application, Rank, ReviewRound
from coordination.upkeep import services as upkeep
from documents.models import Disclosure, DisclosureManner, Submission, Urgency
from documents.outgoing import services as outgoing_services
from documents.outgoing.models import OutgoingDocument
from documents.shared.forms import MAX_COPIES
from meetings.meeting import services as meeting_services
from meetings.models import Invitation, MeetingKind
from meetings.schedule import services as schedule_services
from supervision.ledger import services as ledger_services
from supervision.models import Source, SupervisionItem
from supervision.outcomes import services as outcome_services
from supervision.public import services as inquiry_services
from supervision.reports import services as report_services
from tests.circulation.conftest import _document as circulation_document
from tests.coordination.upkeep_support import change_holder, make_body
from tests.documents.documents_support import build_world as documents_world
from tests.documents.documents_support import draft, valid_fields
from tests.factories import UserFactory
from tests.meetings.meetings_support import build_world as meetings_world
from tests.supervision.supervision_support import build_world as supervision_world
from tests.supervision.supervision_support import make_item
from tiexi_gov.notify.models import Message
from tiexi_gov.workdays import calendar as wd

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


# --- creating items as the pages do ---------------------------------------------------------------------------


def test_15_1_submission_drafted_through_the_api_with_a_real_file_in_multipart(today):
    w = documents_world()
    fields = valid_fields(today)
    data = {k: (str(v) if not isinstance(v, bool) else "on") for k, v in fields.items() if v not in (False, None)}
    data.update(title="关于拨付专项资金的请示", copies="1")
    data["files"] = SimpleUploadedFile("测算说明.pdf", b"%PDF-1.7\n", content_type="application/pdf")
    created = api(w.fin_clerk).post("/api/v1/submissions/", data, format="multipart")
    assert created.status_code == 201, created.content
    sub = Submission.objects.get(pk=created.json()["item"]["id"])
    assert sub.unit == w.fin and sub.drafted_by == w.fin_clerk and sub.state == "drafting"
    assert [a.file.read() for a in sub.attachments.all()] == [b"%PDF-1.7\n"]
    # a file that is not what its name says is the form's Chinese error, as on the page; nothing is saved
    data["files"] = SimpleUploadedFile("伪装.pdf", b"MZ", content_type="application/pdf")
    refused = api(w.fin_clerk).post("/api/v1/submissions/", data, format="multipart")
    assert refused.status_code == 400 and refused.json()["errors"]["files"]
    assert Submission.objects.count() == 1
    nobody = UserFactory(username="nobody", unit=None)
    assert api(nobody).post("/api/v1/submissions/", {}, format="json").status_code == 404  # no unit: no draft


# A valid value for every field a create endpoint's schema may mark required (the test fails on one it lacks).
SCHEMA_VALUES = {
    "kind": None,  # per endpoint
    "title": "关于拨付专项资金的报告",
    "not_classified": True,
}
CREATE_BODIES = {
    "/api/v1/submissions/": ("SubmissionInputRequest", {"kind": "report"}, Submission),
    "/api/v1/outgoing/": ("OutgoingInputRequest", {"kind": "government"}, OutgoingDocument),
}


@pytest.mark.parametrize("url", list(CREATE_BODIES))
def test_15_1_a_draft_made_from_the_schemas_required_fields_alone_is_created(world, token_for, url):
    """Found from outside with a clerk's token: SubmissionInputRequest marked kind, not_classified and title required
    and had no copies, yet a POST of exactly those was refused {"urgency": 必填, "copies": 必填} (the outgoing
    sheet: copies). The page's form gets them prefilled from the browser (一般, 1 份); the API fills in the same
    defaults, which the schema now lists, and the limits of 份数 (1 … MAX_COPIES) are in the schema too."""
    component, own, model = CREATE_BODIES[url]
    api = token_for(world.fin_clerk)
    schema = api.get("/api/schema/", HTTP_ACCEPT="application/vnd.oai.openapi+json").json()
    body = schema["components"]["schemas"][component]
    values = {**SCHEMA_VALUES, **own}
    assert set(body["required"]) <= set(values), body["required"]
    copies = body["properties"]["copies"]
    assert (copies["default"], copies["minimum"], copies["maximum"]) == (1, 1, MAX_COPIES)
    if "urgency" in body["properties"]:
        assert body["properties"]["urgency"]["default"] == Urgency.NORMAL

    made = api.post(url, {name: values[name] for name in body["required"]}, format="json")
    assert made.status_code == 201, made.content
    item = model.objects.get(pk=made.json()["item"]["id"])
    assert item.copies == 1 and getattr(item, "urgency", Urgency.NORMAL) == Urgency.NORMAL

    # Sent, they are the caller's, within the page's limits; an edit that leaves them out keeps the draft's own.
    required = {name: values[name] for name in body["required"]}
    for wrong in (0, MAX_COPIES + 1):
        refused = api.post(url, {**required, "copies": wrong}, format="json")
        assert refused.status_code == 400 and refused.json()["errors"]["copies"], wrong
    chosen = {**required, "copies": 3} | ({"urgency": Urgency.URGENT} if "urgency" in body["properties"] else {})
    again = api.post(url, chosen, format="json")
    assert again.status_code == 201, again.content
    item_id = again.json()["item"]["id"]
    edited = api.post(f"{url}{item_id}/edit/", {**required, "title": "关于拨付专项资金的报告（修改）"}, format="json")
    assert edited.status_code == 200, edited.content
    item = model.objects.get(pk=item_id)
    assert item.title.endswith("（修改）") and item.copies == 3
    assert getattr(item, "urgency", Urgency.URGENT) == Urgency.URGENT


def test_15_1_outgoing_draft_and_ledger_item_through_the_pages_forms(today):
    w = documents_world()
    draft_sheet = {
        "kind": "government",
        "copies": 10,
        "title": "关于做好安全生产工作的通知",
        "main_recipients": "各乡、街道，区政府各部门",
        "body": "现就有关事项通知如下。",
        "disclosure": Disclosure.FULL,
        "disclosure_manner": DisclosureManner.ACTIVE,
        "not_classified": True,
    }
    made = api(w.fin_clerk).post("/api/v1/outgoing/", draft_sheet, format="json")
    assert made.status_code == 201, made.content
    doc = OutgoingDocument.objects.get(pk=made.json()["item"]["id"])
    assert doc.drafting_unit == w.fin and doc.title == draft_sheet["title"]

    item = {
        "source": Source.GOVERNMENT_DECISION,
        "task": "完成全区老旧小区改造资金拨付工作",
        "kind": "special",
        "cycle": "monthly",
        "lead_unit": w.fin.pk,
        "leader_post": w.dep_a_post.pk,
        "due": str(today + dt.timedelta(days=30)),
        "standard": "拨付率达到100%",
        "period_start": str(today),
        "supervising_unit": w.office.pk,
        "issue": True,
    }
    assert api(w.fin_clerk).post("/api/v1/ledger/", item, format="json").status_code == 404  # the office's page
    registered = api(w.staff).post("/api/v1/ledger/", item, format="json")
    assert registered.status_code == 201, registered.content
    assert SupervisionItem.objects.get(pk=registered.json()["item"]["id"]).lead_unit == w.fin
    duplicate = api(w.staff).post("/api/v1/ledger/", item, format="json")
    assert duplicate.status_code == 400 and duplicate.json()["detail"]  # SUP-5: the service refuses a duplicate


# --- constant queries for every list endpoint --------------------------------------------------------------------


def _outgoing(w, i, today):
    outgoing_services.create_outgoing(
        actor=w.fin_clerk,
        kind="government",
        title=f"关于第{i}项工作的通知",
        body="正文。",
        main_recipients="各部门",
        disclosure=Disclosure.FULL,
        disclosure_manner=DisclosureManner.ACTIVE,
        not_classified=True,
        confidential=False,
    )


def _ledger(w, i, today):
    ledger_services.create_item(
        actor=w.staff,
        source=Source.GOVERNMENT_DECISION,
        source_ref=f"铁政发〔2026〕{i + 1}号",
        task=f"完成第{i}项重点工作",
        lead_unit=(w.fin, w.dev, w.other)[i],  # a near-identical task of one lead unit is a duplicate (SUP-5)
        cooperating_units=[],
        leader_post=w.dep_a_post,
        due=today + dt.timedelta(days=30),
        standard="按期完成",
        issue=True,
    )


def _special(w, i, today):
    meeting_services.ensure_standing_seats()
    m = schedule_services.schedule_ad_hoc(
        actor=w.staff,
        kind=MeetingKind.SPECIAL,
        date=wd.add_workdays(today, 5 + i),
        reason="协调推进有关工作",
        title=f"第{i}次专题会议",
        chair_post=w.edu_deputy_post,
        lead_unit=w.units["教育局"],
    )
    return m


def _topic(w, i, today):
    m = getattr(w, "_meeting", None) or _special(w, 0, today)
    w._meeting = m
    unit = list(w.units.values())[i]
    meeting_services.propose_topic(actor=w.staff, meeting=m, unit=unit, title=f"第{i}个议题")


def _meeting_leave(w, i, today):
    m = _special(w, i, today)
    head = w.unit_heads["财政局"]
    meeting_services.add_special_attendee(actor=w.staff, meeting=m, person=head, post=w.unit_head_posts["财政局"])
    inv = Invitation.objects.get(meeting=m, person=head)
    meeting_services.request_leave(actor=head, invitation=inv, reason="另有公务")


def _body(w, i, today):
    make_body(f"铁西区第{i}工作领导小组", host=w.units["发改局"], head=w.exec_post)


def _district(w, i, today):
    schedule_services.get_or_create_plan(actor=w.staff, year=today.year)
    unit = list(w.units.values())[i]
    schedule_services.add_district_meeting(
        actor=w.staff, year=today.year, name=f"铁西区第{i}项工作会议", sponsorship="by_government", unit=unit
    )


def _application(w, i, today):
    Application.objects.create(
        kind=Application.Kind.SETUP,
        applicant_unit=w.units["教育局"],
        applicant=w.clerks["教育局"],
        reason="统筹协调",
        proposal={"name": f"铁西区第{i}工作委员会"},
    )


def _round(w, i, today):
    ReviewRound.objects.create(title=f"第{i}轮清理", opened_on=today, opened_by=w.staff, closed_on=today)


def _targets(w, i, today):
    _body(w, i, today)
    due = min(wd.add_workdays(today, 5), dt.date(today.year, 12, 31))  # due within the year, even in late December
    upkeep.open_targets(actor=w.staff, year=today.year, due=due)


def _absence(w, i, today):
    start = wd.add_workdays(today, 3 + 3 * i)
    absence.request_absence(
        actor=w.edu_deputy,
        post=w.edu_deputy_post,
        start=start,
        end=start,
        place="北京",
        purpose="参加培训",
        contact="13900000000",
        acting_post=w.exec_post,
    )


def _submission(w, i, today):
    draft(w, today, title=f"关于第{i}项工作的请示")


def _leader_change(w, i, today):
    post = list(w.unit_head_posts.values())[i]
    make_body(f"铁西区第{i}工作领导小组", host=post.unit, head=post, rank=Rank.DEPARTMENT)
    change_holder(post, on=today - dt.timedelta(days=3), username=f"newhead{i}", full_name=f"新局长{i}")


def _circulation(w, i, today):
    doc = circulation_document(w.staff, w.office, number=f"铁西政办发〔2026〕{i + 1}号", title=f"通知{i}")
    circulation_services.send_circulation(
        actor=w.staff, kind=Kind.OUTGOING, item_id=doc.pk, post_ids=[w.dep_a_post.pk], unit_ids=[w.fin.pk]
    )


def _outcome(w, i, today):
    item = make_item(
        w,
        lead_unit=(w.fin, w.dev, w.other)[i],  # a near-identical task of one lead unit is a duplicate (SUP-5)
        cooperating_units=[],
        today=today - dt.timedelta(days=40),
        due=today - dt.timedelta(days=10),
    )
    outcome_services.propose_outcome(
        actor=w.staff, item=item, kind="criticism", grounds="逾期未完成", unit=w.fin, approver_post=w.dep_a_post
    )


def _inquiry(w, i, today):
    inquiry_services.log_inquiry(
        actor=w.staff, asker=f"咨询人{i}", contact="", question=f"第{i}个问题", received_on=today, unit=w.fin
    )


def _half_year(w, i, today):
    report_services.open_half_year_round(actor=w.staff, year=2020 + i, half=1)


def _message(w, i, today):
    Message.objects.create(recipient=w.fin_clerk, subject=f"第{i}条消息", url="/todo/")


# list → (world, reader, builder of the i-th item)
LISTS = {
    "submissions": (documents_world, "fin_clerk", _submission),
    "tasks": (documents_world, "fin_clerk", _submission),
    "outgoing": (documents_world, "fin_clerk", _outgoing),
    "ledger": (documents_world, "director", _ledger),
    "meetings": (meetings_world, "staff", _special),
    "topics": (meetings_world, "staff", _topic),
    "meeting-leaves": (meetings_world, "staff", _meeting_leave),
    "bodies": (meetings_world, "staff", _body),
    "leave": (meetings_world, "head", _absence),
    "district-meetings": (meetings_world, "staff", _district),
    "applications": (meetings_world, "staff", _application),
    "review-rounds": (meetings_world, "staff", _round),
    "targets": (meetings_world, "staff", _targets),
    "leader-changes": (meetings_world, "staff", _leader_change),
    "circulations": (documents_world, "staff", _circulation),
    "receipts": (documents_world, "dep_a", _circulation),
    "messages": (documents_world, "fin_clerk", _message),
    "outcomes": (supervision_world, "staff", _outcome),
    "inquiries": (supervision_world, "staff", _inquiry),
    "half-year-reports": (supervision_world, "staff", _half_year),
}


def test_15_1_every_list_endpoint_is_covered_by_the_query_test():
    from api.urls import router

    listed = {prefix for prefix, viewset, _basename in router.registry if hasattr(viewset, "list")}
    assert listed == set(LISTS)  # a new list endpoint needs its builder below


@pytest.mark.parametrize("name", sorted(LISTS))
def test_15_1_every_list_costs_constant_queries(name, today):
    build_world, reader, build = LISTS[name]
    w = build_world()
    client = api(getattr(w, reader))
    build(w, 0, today)
    client.get(f"/api/v1/{name}/")  # warm caches (content types, calendar)
    with CaptureQueriesContext(connection) as few:
        first = client.get(f"/api/v1/{name}/").json()
    for i in (1, 2):
        build(w, i, today)
    client.get(f"/api/v1/{name}/")  # warm again: a builder that adds people clears the cached roles
    with CaptureQueriesContext(connection) as many:
        data = client.get(f"/api/v1/{name}/").json()
    assert data["count"] >= first["count"] + 2 >= 3, data
    assert len(many) == len(few), [q["sql"] for q in many.captured_queries]


def test_15_1_a_create_retried_with_its_idempotency_key_makes_one_record(today):
    """A client that lost the answer and sends the same create again (same Idempotency-Key) is given the first
    record, not a second; another key is another record; an unusable key is a 400 before anything is made."""
    w = documents_world()
    sheet = {
        "kind": "government",
        "copies": 10,
        "title": "关于做好冬季安全生产工作的通知",
        "main_recipients": "各乡、街道，区政府各部门",
        "body": "现就有关事项通知如下。",
        "disclosure": Disclosure.FULL,
        "disclosure_manner": DisclosureManner.ACTIVE,
        "not_classified": True,
    }
    client = api(w.fin_clerk)
    first = client.post("/api/v1/outgoing/", sheet, format="json", HTTP_IDEMPOTENCY_KEY="a1b2-retry")
    again = client.post("/api/v1/outgoing/", sheet, format="json", HTTP_IDEMPOTENCY_KEY="a1b2-retry")
    assert (first.status_code, again.status_code) == (201, 200), again.content.decode()
    assert again.json()["item"]["id"] == first.json()["item"]["id"] and "未重复创建" in again.json()["detail"]
    assert OutgoingDocument.objects.filter(title=sheet["title"]).count() == 1

    other = api(w.dev_clerk).post("/api/v1/outgoing/", sheet, format="json", HTTP_IDEMPOTENCY_KEY="a1b2-retry")
    assert other.status_code == 201  # a key is the person's own: someone else's same key is his first request
    fresh = client.post("/api/v1/outgoing/", sheet, format="json", HTTP_IDEMPOTENCY_KEY="a1b2-second")
    assert fresh.status_code == 201 and OutgoingDocument.objects.filter(title=sheet["title"]).count() == 3

    for bad in ("", "x" * 201, "键"):
        refused = client.post("/api/v1/outgoing/", sheet, format="json", HTTP_IDEMPOTENCY_KEY=bad)
        assert refused.status_code == 400 and "Idempotency-Key" in refused.json()["detail"]
    assert OutgoingDocument.objects.filter(title=sheet["title"]).count() == 3

    OutgoingDocument.objects.filter(pk=first.json()["item"]["id"]).delete()
    gone = client.post("/api/v1/outgoing/", sheet, format="json", HTTP_IDEMPOTENCY_KEY="a1b2-retry")
    assert gone.status_code == 409 and "已删除" in gone.json()["detail"]

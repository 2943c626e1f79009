"""15.1 (continued): the meeting schedule (postpone, consent, the plan), minutes and decisions, filing a topic,
coordination applications, review rounds, annual targets and research — each through the page's own form,
"offered" check and service, with the page's 404 for whoever may not see the item."""

from __future__ import annotations

import datetime as dt

import pytest
from django.utils import timezone
from rest_framework.test import APIClient

from coordination.models import AnnualTargets, Application, ReviewRound
from meetings.meeting import services as meeting_services
from meetings.models import MS, Meeting, MeetingKind, MeetingPlan, Minutes, Topic
from meetings.schedule import services as schedule_services
from tests.coordination.upkeep_support import make_body
from tests.meetings.meetings_support import build_world, meeting_request
from tiexi_gov.audit.models import Event
from tiexi_gov.workdays import calendar as wd

pytestmark = pytest.mark.django_db


@pytest.fixture
def w(db):
    return build_world()


@pytest.fixture
def today():
    return timezone.localdate()


@pytest.fixture(autouse=True)
def media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path


def api(user) -> APIClient:
    client = APIClient()
    client.force_authenticate(user)
    return client


def ad_hoc(w, today, *, consent=False):
    meeting_services.ensure_standing_seats()
    m = schedule_services.schedule_ad_hoc(
        actor=w.staff, kind=MeetingKind.EXECUTIVE, date=wd.add_workdays(today, 10), reason="研究重点工作"
    )
    return schedule_services.consent_ad_hoc(actor=w.head, meeting=m) if consent else m


def test_15_1_mtg_4_consent_and_postpone_are_the_heads_through_the_api(w, today):
    m = ad_hoc(w, today)
    url = f"/api/v1/meetings/{m.pk}/actions"
    assert {"consent", "postpone"} <= set(api(w.head).get(f"/api/v1/meetings/{m.pk}/").json()["allowed_actions"])
    assert "consent" not in api(w.staff).get(f"/api/v1/meetings/{m.pk}/").json()["allowed_actions"]
    assert api(w.staff).post(f"{url}/consent/", {"confirm": True}, format="json").status_code == 403
    unconfirmed = api(w.head).post(f"{url}/consent/", {}, format="json")
    assert unconfirmed.status_code == 400 and "confirm" in unconfirmed.json()["errors"]
    assert api(w.head).post(f"{url}/consent/", {"confirm": True}, format="json").status_code == 200
    assert Meeting.objects.get(pk=m.pk).ad_hoc_consent_by == w.head
    new_date = wd.add_workdays(today, 12)
    moved = api(w.head).post(f"{url}/postpone/", {"to_date": str(new_date), "reason": "区长外出"}, format="json")
    assert moved.status_code == 200, moved.content
    assert moved.json()["item"]["date"] == str(new_date)
    assert Event.objects.for_object(m).filter(opinion__contains="区长外出").exists()
    assert api(w.clerks["教育局"]).post(f"{url}/postpone/", {}, format="json").status_code == 404


def test_15_1_mtg_6_minutes_held_started_and_a_decision_recorded_through_the_api(w, today):
    meeting_services.ensure_standing_seats()
    m = schedule_services.schedule_ad_hoc(
        actor=w.staff,
        kind=MeetingKind.SPECIAL,
        date=today,
        reason="协调推进有关工作",
        title="教育工作专题会议",
        chair_post=w.edu_deputy_post,
        lead_unit=w.units["教育局"],
        today=today - dt.timedelta(days=3),
    )
    url = f"/api/v1/meetings/{m.pk}/minutes"
    assert api(w.staff).get(f"{url}/").status_code == 404  # no minutes yet
    assert api(w.staff).post(f"{url}/actions/held/", {"confirm": True}, format="json").status_code == 200
    assert Meeting.objects.get(pk=m.pk).state == MS.HELD
    started = api(w.staff).post(f"{url}/actions/start/", {"body": "会议研究了有关工作。"}, format="json")
    assert started.status_code == 200, started.content
    assert started.json()["item"]["state"] == Minutes.State.DRAFTING
    bad = api(w.staff).post(f"{url}/actions/decision/", {"kind": "record"}, format="json")
    assert bad.status_code == 400 and "text" in bad.json()["errors"]
    rec = api(w.staff).post(f"{url}/actions/decision/", {"kind": "record", "text": "原则同意。"}, format="json")
    assert rec.status_code == 200, rec.content
    minutes = api(w.staff).get(f"{url}/").json()
    assert [d["text"] for d in minutes["decisions"]] == ["原则同意。"]
    assert "send" in minutes["allowed_actions"]
    assert api(w.clerks["审计局"]).get(f"{url}/").status_code == 404  # the page's 404 for outsiders
    assert api(w.clerks["审计局"]).post(f"{url}/actions/body/", {"body": "x"}, format="json").status_code == 404


def test_15_1_mtg_5_topic_filed_through_the_api_with_the_pages_form(w, today):
    m = ad_hoc(w, today, consent=True)
    sub = meeting_request(w, "财政局", day=today)
    clerk = api(w.clerks["财政局"])
    missing = clerk.post(f"/api/v1/meetings/{m.pk}/topics/", {"unit": w.units["财政局"].pk}, format="json")
    assert missing.status_code == 400 and "title" in missing.json()["errors"]
    data = {"unit": w.units["财政局"].pk, "submission": sub.pk, "title": "预算调整", "summary": "调整年度预算。"}
    filed = clerk.post(f"/api/v1/meetings/{m.pk}/topics/", data, format="json")
    assert filed.status_code == 201, filed.content
    topic = Topic.objects.get(pk=filed.json()["item"]["id"])
    assert topic.meeting_id == m.pk and topic.submission_id == sub.pk
    assert Event.objects.for_object(topic).exists()
    assert api(w.outsider).post(f"/api/v1/meetings/{m.pk}/topics/", data, format="json").status_code == 404


def test_15_1_a_hidden_meetings_topic_reads_as_no_topic_at_all(w, today):
    """The 404's words must not tell an outsider which topic ids exist (behind a meeting he cannot see)."""
    m = ad_hoc(w, today, consent=True)
    sub = meeting_request(w, "财政局", day=today)
    data = {"unit": w.units["财政局"].pk, "submission": sub.pk, "title": "预算调整", "summary": "调整年度预算。"}
    filed = api(w.clerks["财政局"]).post(f"/api/v1/meetings/{m.pk}/topics/", data, format="json")
    assert filed.status_code == 201, filed.content
    hidden, missing = (api(w.outsider).get(f"/api/v1/topics/{pk}/") for pk in (filed.json()["item"]["id"], 999999))
    assert hidden.status_code == missing.status_code == 404
    assert hidden.json() == missing.json()
    assert "议题" in str(hidden.json())


def test_15_1_mtg_11_plan_created_checked_and_approved_through_the_api(w, today):
    year = today.year + 1
    url = f"/api/v1/meeting-plans/{year}"
    assert api(w.staff).get(f"{url}/").json()["allowed_actions"] == ["create"]
    assert api(w.staff).post(f"{url}/actions/create/", {}, format="json").status_code == 200
    assert api(w.director).post(f"{url}/actions/check/", {}, format="json").status_code == 400  # confirm
    assert api(w.head).post(f"{url}/actions/check/", {"confirm": True}, format="json").status_code == 403
    assert api(w.director).post(f"{url}/actions/check/", {"confirm": True}, format="json").status_code == 200
    done = api(w.head).post(f"{url}/actions/approve/", {"confirm": True}, format="json")
    assert done.status_code == 200 and done.json()["item"]["plan"]["state"] == MeetingPlan.State.APPROVED
    assert api(w.outsider).get(f"{url}/").status_code == 404


def test_15_1_crd_1_application_filed_reviewed_and_stale_click_is_409(w, today):
    proposal = {
        "kind": "setup",
        "applicant_unit": w.units["教育局"].pk,
        "name": "铁西区教育督导委员会",
        "rank": 2,
        "head_post": w.edu_deputy_post.pk,
        "member_posts": [w.unit_head_posts["财政局"].pk],
        "host_unit": w.units["教育局"].pk,
        "ground_law": True,
        "basis_law": "《教育督导条例》第五条",
        "functions": "统筹全区教育督导工作。",
        "reason": "教育督导工作涉及多个部门，需统筹协调。",
    }
    filed = api(w.clerks["教育局"]).post("/api/v1/applications/", proposal, format="json")
    assert filed.status_code == 201, filed.content
    app = Application.objects.get(pk=filed.json()["item"]["id"])
    assert app.state == Application.State.OFFICE_REVIEW
    assert api(w.clerks["审计局"]).get(f"/api/v1/applications/{app.pk}/").status_code == 404
    assert "office-review" in api(w.staff).get(f"/api/v1/applications/{app.pk}/").json()["allowed_actions"]
    seen = {"seen_state": "office_review", "opinion": "符合设立条件。"}
    ok = api(w.staff).post(f"/api/v1/applications/{app.pk}/actions/office-review/", seen, format="json")
    assert ok.status_code == 200, ok.content
    assert Application.objects.get(pk=app.pk).office_opinion == "符合设立条件。"
    late = api(w.staff).post(f"/api/v1/applications/{app.pk}/actions/office-review/", seen, format="json")
    assert late.status_code == 409 and "已由" in late.json()["detail"]


def _bodies(w, n):
    return [
        make_body(
            f"铁西区第{i}工作领导小组", host=w.units["发改局"], head=w.exec_post, members=(w.unit_head_posts["财政局"],)
        )
        for i in range(n)
    ]


def test_15_1_crd_4_review_round_opened_decided_and_closed_through_the_api(w):
    (body,) = _bodies(w, 1)
    assert api(w.clerks["发改局"]).post("/api/v1/review-rounds/", {"title": "清理"}, format="json").status_code == 404
    opened = api(w.staff).post("/api/v1/review-rounds/", {"title": "2026年度议事协调机构清理"}, format="json")
    assert opened.status_code == 201, opened.content
    rnd = ReviewRound.objects.get(pk=opened.json()["item"]["id"])
    entry = rnd.entries.get(body=body)
    url = f"/api/v1/review-rounds/{rnd.pk}/actions"
    assert api(w.staff).post(f"{url}/decide/", {"entry_id": 0, "decision": "keep"}, format="json").status_code == 404
    kept = api(w.staff).post(f"{url}/decide/", {"entry_id": entry.pk, "decision": "keep"}, format="json")
    assert kept.status_code == 200, kept.content
    closed = api(w.staff).post(f"{url}/close/", {"confirm": True}, format="json")
    assert closed.status_code == 200, closed.content
    assert ReviewRound.objects.get(pk=rnd.pk).closed_on is not None


def test_15_1_crd_5_targets_opened_filed_and_reviewed_through_the_api(w, today):
    (body,) = _bodies(w, 1)
    year = today.year
    due = str(min(wd.add_workdays(today, 5), dt.date(year, 12, 31)))  # due within the year, even in late December
    opened = api(w.staff).post("/api/v1/targets/", {"year": year, "due": due}, format="json")
    assert opened.status_code == 201, opened.content
    targets = AnnualTargets.objects.get(body=body, year=year)
    host = api(w.unit_heads["发改局"])
    detail = host.get(f"/api/v1/targets/{targets.pk}/").json()
    assert detail["allowed_actions"] == ["file"]
    data = {"items": "完成项目审批改革\n推进重点项目", "reported_to_head_on": str(today), "confirm": True}
    filed = host.post(f"/api/v1/targets/{targets.pk}/actions/file/", data, format="json")
    assert filed.status_code == 200, filed.content
    items = AnnualTargets.objects.get(pk=targets.pk).items.order_by("id")
    assert [t.text for t in items] == ["完成项目审批改革", "推进重点项目"]
    review = {f"done_{items[0].pk}": "yes", f"done_{items[1].pk}": "no", "review_note": "督导"}
    assert host.post(f"/api/v1/targets/{targets.pk}/actions/review/", review, format="json").status_code == 403
    done = api(w.staff).post(f"/api/v1/targets/{targets.pk}/actions/review/", review, format="json")
    assert done.status_code == 200, done.content
    assert AnnualTargets.objects.get(pk=targets.pk).state == AnnualTargets.State.REVIEWED
    assert api(w.clerks["审计局"]).get(f"/api/v1/targets/{targets.pk}/").status_code == 404


def test_15_1_crd_5_the_api_refuses_a_report_to_the_head_before_the_body_was_set_up(w, today):
    """The API files through the same service as the page: the report date cannot predate the body."""
    founded = dt.date(today.year, 1, 2)
    body = make_body("铁西区新设工作领导小组", host=w.units["发改局"], head=w.exec_post, founded_on=founded)
    due = str(min(wd.add_workdays(today, 5), dt.date(today.year, 12, 31)))
    assert api(w.staff).post("/api/v1/targets/", {"year": today.year, "due": due}, format="json").status_code == 201
    targets = AnnualTargets.objects.get(body=body, year=today.year)
    early = {"items": "推进重点项目", "reported_to_head_on": str(founded - dt.timedelta(days=1)), "confirm": True}
    refused = api(w.unit_heads["发改局"]).post(f"/api/v1/targets/{targets.pk}/actions/file/", early, format="json")
    assert refused.status_code == 400, refused.content
    assert f"{founded:%Y-%m-%d}" in refused.json()["detail"]
    assert AnnualTargets.objects.get(pk=targets.pk).state == AnnualTargets.State.PENDING


def test_15_1_res_1_research_day_recorded_through_the_api(w, today):
    url = f"/api/v1/research/{today.year}"
    data = {"person": w.edu_deputy.pk, "day": str(today), "place": "兴华街道", "subject": "学校安全"}
    recorded = api(w.edu_deputy).post(f"{url}/actions/day/", data, format="json")
    assert recorded.status_code == 200, recorded.content
    row = next(r for r in api(w.edu_deputy).get(f"{url}/").json() if r["person"] == w.edu_deputy.pk)
    assert row["days"] == 1
    assert api(w.clerks["财政局"]).get(f"{url}/").status_code == 404

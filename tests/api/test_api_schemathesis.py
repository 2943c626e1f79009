"""15.1 priority 6: Schemathesis against the live server, as each role with its own token: no response of 500 or
above and no response that breaks the schema. Two examples for each of the newest operations and one for the older
ones (which earlier runs fuzzed with three) keep it under two and a half minutes."""

from __future__ import annotations

import datetime as dt

import pytest
import requests
import schemathesis
from django.utils import timezone
from hypothesis import HealthCheck, given
from hypothesis import settings as hypothesis_settings
from schemathesis.checks import not_a_server_error
from schemathesis.specs.openapi.checks import response_schema_conformance

from api import services
from tests.documents.documents_support import build_world, draft, submitted

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]

EXAMPLES = 1  # per operation and role: ~105 operations × 7 roles
NEWEST_EXAMPLES = 2  # the operations the last part of 15.1 added (the rest were fuzzed with three before)
NEWEST = (
    "/api/v1/circulations/",
    "/api/v1/receipts/",
    "/api/v1/messages/",
    "/api/v1/leader-changes/",
    "/api/v1/outcomes/",
    "/api/v1/inquiries/",
    "/api/v1/half-year-reports/",
    "/api/v1/meeting-plans/{year}/meetings/",
    "/api/v1/meetings/generate-year/",
    "/api/v1/meetings/{id}/refresh-invitations/",
    "/api/v1/invitations/{id}/attend/",
    "/api/v1/invitations/{id}/sign-in/",
    "/api/v1/ledger/{id}/edit/",
    "/api/v1/ledger/{id}/outcomes/",
    "/api/v1/submissions/{id}/edit/",
    "/api/v1/submissions/{id}/readers/{op}/",
    "/api/v1/outgoing/{id}/edit/",
    "/api/v1/outgoing/{id}/readers/{op}/",
    "/api/v1/document-plans/",
    "/api/v1/unit-plans/",
)


def examples_for(operation) -> int:
    path = operation.path
    newest = path.startswith(NEWEST) or (operation.method.upper() == "POST" and path == "/api/v1/meetings/")
    return NEWEST_EXAMPLES if newest else EXAMPLES


def test_15_1_schemathesis_as_each_role(live_server, settings_fast_passwords, tmp_path, settings):
    settings.MEDIA_ROOT = tmp_path
    w = build_world()
    today = timezone.localdate()
    submitted(w, today)
    draft(w, today)
    extend_world(w, today)
    roles = [w.staff, w.director, w.fin_clerk, w.fin_head, w.dep_a, w.outsider]
    tokens = {  # a person's own token does his office work; an administrator's account has none (三员分立)
        u.username: services.create_token(actor=u, user=u, name="schemathesis")[1] for u in roles
    }

    # The schema is for signed-in users only (SPECTACULAR_SETTINGS["SERVE_PERMISSIONS"]): read it with a token.
    bearer = {"Authorization": f"Bearer {tokens[w.staff.username]}"}
    raw = requests.get(f"{live_server.url}/api/schema/?format=json", headers=bearer, timeout=30).json()
    schema = schemathesis.openapi.from_dict(raw)
    operations = [result.ok() for result in schema.get_all_operations()]
    assert len(operations) > 90
    checks = [not_a_server_error, response_schema_conformance]
    session = requests.Session()

    for username, token in tokens.items():
        headers = {"Authorization": f"Bearer {token}"}
        for operation in operations:
            try:
                fuzz(
                    operation,
                    base_url=live_server.url,
                    session=session,
                    headers=headers,
                    checks=checks,
                    examples=examples_for(operation),
                )
            except Exception as exc:
                raise AssertionError(f"{username} {operation.label}: {exc}") from exc


def extend_world(w, today):
    """One item of each newer area, so the generated ids reach real objects: a special-topic meeting with its
    minutes, a body with the year's targets and an open review round, a coordination application, an issued
    document circulated to a deputy and a unit, a public inquiry, the half-year reports, a message."""
    from coordination.models import Application
    from coordination.upkeep import services as upkeep
    from meetings.meeting import services as meeting_services
    from meetings.minutes import services as minutes_services
    from meetings.models import MeetingKind
    from meetings.schedule import services as schedule_services
    from tests.coordination.upkeep_support import make_body
    from tiexi_gov.workdays import calendar as wd

    meeting = schedule_services.schedule_ad_hoc(
        actor=w.staff,
        kind=MeetingKind.SPECIAL,
        date=today,
        reason="协调推进有关工作",
        title="财政工作专题会议",
        chair_post=w.dep_a_post,
        lead_unit=w.fin,
        today=today - dt.timedelta(days=3),
    )
    meeting_services.mark_held(actor=w.staff, meeting=meeting)
    meeting.refresh_from_db()
    minutes_services.start_minutes(actor=w.staff, meeting=meeting)
    make_body("铁西区财政工作领导小组", host=w.fin, head=w.dep_a_post)
    upkeep.open_targets(actor=w.staff, year=today.year, due=wd.add_workdays(today, 5))
    upkeep.open_round(actor=w.staff, title="议事协调机构清理")
    Application.objects.create(
        kind=Application.Kind.SETUP, applicant_unit=w.fin, applicant=w.fin_clerk, reason="统筹协调", proposal={}
    )
    from circulation import services as circulation_services
    from circulation.models import Kind
    from supervision.public import services as inquiry_services
    from supervision.reports import services as report_services
    from tests.circulation.conftest import _document
    from tiexi_gov.notify.models import Message

    issued = _document(w.staff, w.office)
    circulation_services.send_circulation(
        actor=w.staff, kind=Kind.OUTGOING, item_id=issued.pk, post_ids=[w.dep_a_post.pk], unit_ids=[w.fin.pk]
    )
    inquiry_services.log_inquiry(
        actor=w.staff, asker="张先生", contact="", question="加装电梯补贴？", received_on=today, unit=w.fin
    )
    report_services.open_half_year_round(actor=w.staff, year=today.year - 1, half=2)
    Message.objects.create(recipient=w.fin_clerk, subject="请阅", url="/todo/")


def fuzz(operation, *, base_url, session, headers, checks, examples: int):
    """A few generated requests for one operation, each response checked."""

    @given(case=operation.as_strategy())
    @hypothesis_settings(
        max_examples=examples, deadline=None, database=None, derandomize=True, suppress_health_check=list(HealthCheck)
    )
    def run(case):
        case.call_and_validate(base_url=base_url, session=session, headers=headers, checks=checks)

    run()


@pytest.fixture
def settings_fast_passwords(settings):
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]

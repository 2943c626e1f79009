"""15.1 priority 6: Schemathesis against the live server, as each role with its own token: no response of 500 or
above and no response that breaks the schema. Three examples per operation keep it near two and a half minutes."""

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
from tests.factories import UserFactory
from tiexi_gov.org.roles import Role

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]

EXAMPLES = 3  # per operation and role: ~45 operations × 7 roles stay near two and a half minutes


def test_15_1_schemathesis_as_each_role(live_server, settings_fast_passwords, tmp_path, settings):
    settings.MEDIA_ROOT = tmp_path
    w = build_world()
    today = timezone.localdate()
    submitted(w, today)
    draft(w, today)
    extend_world(w, today)
    security = UserFactory(username="anquan", unit=None, roles=[Role.SECURITY_ADMIN])
    sysadmin = UserFactory(username="xitong", unit=None, roles=[Role.SYSTEM_ADMIN])
    roles = [w.staff, w.director, w.fin_clerk, w.fin_head, w.dep_a, w.outsider, sysadmin]
    tokens = {u.username: services.create_token(actor=security, user=u, name="schemathesis")[1] for u in roles}

    raw = requests.get(f"{live_server.url}/api/schema/?format=json", timeout=30).json()
    schema = schemathesis.openapi.from_dict(raw)
    operations = [result.ok() for result in schema.get_all_operations()]
    assert len(operations) > 20
    checks = [not_a_server_error, response_schema_conformance]
    session = requests.Session()

    for username, token in tokens.items():
        headers = {"Authorization": f"Bearer {token}"}
        for operation in operations:
            try:
                fuzz(operation, base_url=live_server.url, session=session, headers=headers, checks=checks)
            except Exception as exc:
                raise AssertionError(f"{username} {operation.label}: {exc}") from exc


def extend_world(w, today):
    """One item of each newer area, so the generated ids reach real objects: a special-topic meeting with its
    minutes, a body with the year's targets and an open review round, a coordination application."""
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


def fuzz(operation, *, base_url, session, headers, checks):
    """A few generated requests for one operation, each response checked."""

    @given(case=operation.as_strategy())
    @hypothesis_settings(
        max_examples=EXAMPLES, deadline=None, database=None, derandomize=True, suppress_health_check=list(HealthCheck)
    )
    def run(case):
        case.call_and_validate(base_url=base_url, session=session, headers=headers, checks=checks)

    run()


@pytest.fixture
def settings_fast_passwords(settings):
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]

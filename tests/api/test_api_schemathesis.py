"""15.1 priority 6: Schemathesis against the live server, as each role with its own token: no response of 500 or
above and no response that breaks the schema. A few examples per operation keep it well under two minutes."""

from __future__ import annotations

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

EXAMPLES = 4


def test_15_1_schemathesis_as_each_role(live_server, settings_fast_passwords, tmp_path, settings):
    settings.MEDIA_ROOT = tmp_path
    w = build_world()
    today = timezone.localdate()
    submitted(w, today)
    draft(w, today)
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

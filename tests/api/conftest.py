import pytest
from rest_framework.test import APIClient

from api import services
from tests.documents.documents_support import build_world
from tests.factories import UserFactory
from tiexi_gov.org.roles import Role
from tiexi_gov.workdays import calendar


@pytest.fixture(autouse=True)
def fresh_calendar_cache():
    calendar.invalidate()
    yield
    calendar.invalidate()


@pytest.fixture(autouse=True)
def fast_passwords(settings):
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


@pytest.fixture
def world(db):
    return build_world()


@pytest.fixture
def security_admin(db):
    return UserFactory(username="anquan", full_name="安全管理员", unit=None, roles=[Role.SECURITY_ADMIN])


@pytest.fixture
def token_for(db):
    """A Bearer client for `user`, with a token made through the service by the person himself (the only way to a
    token that does office work; an administrator's account has none)."""

    def make(user, **kwargs):
        actor = user
        _token, raw = services.create_token(actor=actor, user=user, name="测试系统", **kwargs)
        client = APIClient()
        client.credentials(HTTP_AUTHORIZATION=f"Bearer {raw}")
        return client

    return make

import pytest
from documents_support import build_world

from tiexi_gov.workdays import calendar


@pytest.fixture(autouse=True)
def fresh_calendar_cache():
    calendar.invalidate()
    yield
    calendar.invalidate()


@pytest.fixture(autouse=True)
def fast_passwords(settings):
    # The district has ~20 people; hashing their passwords with PBKDF2 would dominate every test.
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


@pytest.fixture
def world(db):
    return build_world()

"""Shared fixtures. Tests run on PostgreSQL in CI (DATABASE_URL); on a laptop SQLite works for most."""

import os

import pytest

from tests.browser_support import browser  # noqa: F401  (the one shared Chromium: every browser test's fixture)

os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")


def on_postgres() -> bool:
    from django.db import connection

    return connection.vendor == "postgresql"


@pytest.fixture(scope="session")
def django_db_setup(django_db_setup, django_db_blocker):
    """Migrations ran as the owner; with TEST_DB_RUNTIME_ROLE set (CI) every test then acts as the runtime role."""
    from tests.db_roles import enter_runtime_role, runtime_role

    if role := runtime_role():
        with django_db_blocker.unblock():
            enter_runtime_role(role)
    yield


@pytest.fixture
def db_owner():
    """For a test that plays the owner (its own commands) or an intruder with the owner's rights."""
    from tests.db_roles import as_owner

    with as_owner():
        yield


@pytest.fixture(autouse=True)
def _celery_tasks_run_inline(request):
    """Tasks queued on commit (the mail of every notification, issue 13.1) run in the test process, so no test
    leaves tasks in make run's broker folder or CI's Redis. A test marked `worker` talks to a real worker instead."""
    if request.node.get_closest_marker("worker"):
        yield
        return
    from tiexi_gov.celery import app

    before = app.conf.task_always_eager
    app.conf.task_always_eager = True
    yield
    app.conf.task_always_eager = before


@pytest.fixture(autouse=True, scope="session")
def _fast_password_hashing():
    """Tests create many accounts; the hasher is not what they prove, so hash cheaply."""
    from django.conf import settings

    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


@pytest.fixture(autouse=True)
def _role_groups_exist(request):
    """Role groups come from a data migration, but a transactional test's flush deletes them (and --reuse-db
    keeps the flushed database): recreate them before every database test so no test depends on order."""
    names = request.fixturenames
    if not (request.node.get_closest_marker("django_db") or {"db", "transactional_db", "live_server"} & set(names)):
        return
    request.getfixturevalue("_django_db_helper")
    from tiexi_gov.org.roles import ensure_roles

    ensure_roles()


@pytest.fixture
def page_cache_off(settings):
    """For a test that counts what drawing a page costs: a second visit would otherwise be served from the page
    cache (tiexi_gov/pagecache, tested in tests/pagecache) and count only the cache's few queries."""
    settings.PAGE_CACHE_SECONDS = 0


@pytest.fixture
def postgres_only(db):
    if not on_postgres():
        pytest.skip("needs PostgreSQL")


def pytest_configure(config):
    # WhiteNoise warns once per test client that STATIC_ROOT does not exist yet; tests serve static files
    # through the finders (no collectstatic), so the warning is noise.
    config.addinivalue_line("filterwarnings", "ignore:No directory at:UserWarning")

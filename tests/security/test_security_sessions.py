"""A session that ended in one web process has ended in all of them (等保 2.0: 退出登录后会话失效).

gunicorn runs several worker processes, and a user's requests go to any of them. Sessions were read from the cache
first (cached_db); without CACHE_URL that cache is each process's own memory, so a worker that had served the
session kept its copy after another worker logged it out, and honoured the old cookie again. Two LocMemCache
locations stand for two processes' memories here (each location is its own store, as each process's is).
"""

import datetime as dt
import os
import subprocess
import sys

import pytest
from django.conf import settings as django_settings
from django.contrib.sessions.models import Session
from django.urls import reverse
from django.utils import timezone

from tests.factories import UserFactory
from tiexi_gov.accounts.tasks import clear_expired_sessions

pytestmark = pytest.mark.django_db


def _memory_of(process: str) -> dict:
    return {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache", "LOCATION": process}}


def _is_login_redirect(response) -> bool:
    return response.status_code == 302 and response["Location"].startswith(reverse("login"))


@pytest.mark.skipif(bool(os.environ.get("CACHE_URL")), reason="the processes share the CACHE_URL cache")
def test_sec_logout_in_one_web_process_ends_the_session_in_every_other(client, settings):
    inbox = reverse("notify:inbox")
    settings.CACHES = _memory_of("worker-a")
    client.force_login(UserFactory())
    assert client.get(inbox).status_code == 200  # worker A has served (and, with a cache, kept) the session
    cookie = client.cookies[django_settings.SESSION_COOKIE_NAME].value

    settings.CACHES = _memory_of("worker-b")
    assert client.get(inbox).status_code == 200
    client.post(reverse("logout"))  # worker B ends it

    settings.CACHES = _memory_of("worker-a")
    client.cookies[django_settings.SESSION_COOKIE_NAME] = cookie  # the old cookie, kept or stolen
    assert _is_login_redirect(client.get(inbox))


def _session_engine(cache_url: str | None) -> str:
    env = {k: v for k, v in os.environ.items() if k != "CACHE_URL"}
    if cache_url:
        env["CACHE_URL"] = cache_url
    env["DJANGO_SETTINGS_MODULE"] = "tiexi_gov.settings"
    probe = "import django; django.setup(); from django.conf import settings; print(settings.SESSION_ENGINE)"
    done = subprocess.run(
        [sys.executable, "-c", probe], env=env, cwd=django_settings.BASE_DIR, capture_output=True, text=True
    )
    assert done.returncode == 0, done.stderr
    return done.stdout.strip()


def test_sec_sessions_are_read_from_a_cache_only_when_every_web_process_shares_it():
    assert _session_engine(None) == "django.contrib.sessions.backends.db"
    assert _session_engine("redis://127.0.0.1:6379/1") == "django.contrib.sessions.backends.cached_db"


def test_sec_ended_sessions_are_deleted_every_night_and_live_ones_kept(client):
    entry = django_settings.CELERY_BEAT_SCHEDULE["accounts-clear-expired-sessions"]
    assert entry["task"] == clear_expired_sessions.name
    assert entry["schedule"].hour == {3} and entry["schedule"].minute == {15}  # once a night

    client.force_login(UserFactory())
    live = client.session.session_key
    ended = Session.objects.create(
        session_key="x" * 32, session_data="", expire_date=timezone.now() - dt.timedelta(seconds=1)
    )
    clear_expired_sessions()
    assert not Session.objects.filter(pk=ended.pk).exists()
    assert list(Session.objects.values_list("pk", flat=True)) == [live]
    assert client.get(reverse("notify:inbox")).status_code == 200, "the live session still works"

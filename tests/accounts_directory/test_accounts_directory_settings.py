"""Issue 15.3: the directory backends come from the environment and are off without it."""

import runpy
from pathlib import Path

import pytest
from django.conf import settings as django_settings
from django.core.exceptions import ImproperlyConfigured
from django.urls import reverse

from tests.factories import UserFactory
from tiexi_gov.accounts.directory import LDAP_BACKEND, OIDC_BACKEND

from .conftest import DIRECTORY_PASSWORD
from .support import post_login, session_user_id

SETTINGS = Path(__file__).resolve().parents[2] / "tiexi_gov" / "settings.py"
LDAP_ENV = ("LDAP_SERVER_URI", "LDAP_USER_SEARCH_BASE")
OIDC_ENV = ("OIDC_RP_CLIENT_ID", "OIDC_OP_AUTHORIZATION_ENDPOINT", "OIDC_OP_TOKEN_ENDPOINT", "OIDC_OP_USER_ENDPOINT")


def _settings_with(monkeypatch, **env):
    for name in (*LDAP_ENV, *OIDC_ENV, "OIDC_OP_JWKS_ENDPOINT"):
        monkeypatch.delenv(name, raising=False)
    for name, value in env.items():
        monkeypatch.setenv(name, value)
    return runpy.run_path(str(SETTINGS))


def test_15_3_the_environment_turns_each_backend_on(monkeypatch):
    plain = _settings_with(monkeypatch)
    assert not {LDAP_BACKEND, OIDC_BACKEND} & set(plain["AUTHENTICATION_BACKENDS"])

    ldap_only = _settings_with(
        monkeypatch, LDAP_SERVER_URI="ldap://127.0.0.1:3389", LDAP_USER_SEARCH_BASE="ou=people,dc=tiexi,dc=gov"
    )
    assert LDAP_BACKEND in ldap_only["AUTHENTICATION_BACKENDS"]
    assert OIDC_BACKEND not in ldap_only["AUTHENTICATION_BACKENDS"]
    # The directory comes after the lockout check and the local accounts.
    backends = ldap_only["AUTHENTICATION_BACKENDS"]
    assert backends.index("tiexi_gov.accounts.backends.LockoutBackend") == 0
    assert backends.index("tiexi_gov.org.backends.OrgModelBackend") < backends.index(LDAP_BACKEND)

    base = "http://127.0.0.1:9/openid"
    oidc_only = _settings_with(
        monkeypatch,
        OIDC_RP_CLIENT_ID="portal",
        OIDC_OP_AUTHORIZATION_ENDPOINT=f"{base}/authorize",
        OIDC_OP_TOKEN_ENDPOINT=f"{base}/token",
        OIDC_OP_USER_ENDPOINT=f"{base}/userinfo",
        OIDC_OP_JWKS_ENDPOINT=f"{base}/jwks",
    )
    assert OIDC_BACKEND in oidc_only["AUTHENTICATION_BACKENDS"]
    assert LDAP_BACKEND not in oidc_only["AUTHENTICATION_BACKENDS"]
    assert oidc_only["OIDC_CREATE_USER"] is False


def test_15_3_half_a_configuration_is_an_error_not_a_silent_login(monkeypatch):
    with pytest.raises(ImproperlyConfigured, match="LDAP_USER_SEARCH_BASE"):
        _settings_with(monkeypatch, LDAP_SERVER_URI="ldap://127.0.0.1:3389")
    with pytest.raises(ImproperlyConfigured, match="OIDC_OP_TOKEN_ENDPOINT"):
        _settings_with(monkeypatch, OIDC_RP_CLIENT_ID="portal", OIDC_OP_AUTHORIZATION_ENDPOINT="http://127.0.0.1:9/a")


@pytest.mark.django_db
def test_15_3_neither_backend_is_active_when_not_configured(client, slapd_server):
    assert not {LDAP_BACKEND, OIDC_BACKEND} & set(django_settings.AUTHENTICATION_BACKENDS)
    UserFactory(employee_number="E1001")

    # A real directory account with its right password is just a wrong login while LDAP is not configured.
    response = post_login(client, "zhang.wei", DIRECTORY_PASSWORD)
    assert response.status_code == 200 and session_user_id(client) is None
    page = response.content.decode()
    assert "用户名或密码不正确" in page
    assert "统一身份认证登录" not in page  # no button
    assert client.get(reverse("oidc_authentication_init")).status_code == 404
    assert client.get(reverse("oidc_authentication_callback"), {"code": "x", "state": "y"}).status_code == 404

"""Fixtures for the directory login tests: a real slapd and a real OpenID provider, each started once for the
module that needs it, on a free loopback port, and stopped after."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import tempfile
from pathlib import Path

import pytest

from . import slapd as slapd_support

ROOT = Path(__file__).resolve().parents[2]
PASSWORD = "pw-Tiexi-2026"  # the portal accounts' local password (tests.factories)
DIRECTORY_PASSWORD = "dir-Secret-2026"

# Directory accounts: (uid, employeeNumber). The portal side is made by each test.
LDAP_PEOPLE = [
    ("zhang.wei", "E1001", "张伟"),
    ("li.na", "E1002", "李娜"),
    ("stranger", "E9999", "王五"),
    ("sec.admin", "E0003", "安全管理员"),
    ("no.number", None, "赵六"),
]
LDAP_LEADERS_GROUP = "区长"  # named as the portal's role group: still grants nothing


@pytest.fixture(scope="session")
def slapd_server():
    reason = slapd_support.available()
    if reason:
        pytest.skip(reason)
    entries = [slapd_support.person(uid, DIRECTORY_PASSWORD, number, name) for uid, number, name in LDAP_PEOPLE]
    entries.append(slapd_support.group(LDAP_LEADERS_GROUP, [entries[0][0], entries[3][0]]))
    server = slapd_support.Slapd(entries).start()
    yield server
    server.stop()


@pytest.fixture
def ldap_configured(settings, slapd_server):
    """The portal as LDAP_* in the environment would configure it (settings.py's block), pointed at the slapd."""
    from tiexi_gov.accounts.directory import LDAP_BACKEND

    settings.LDAP_SERVER_URI = slapd_server.uri
    settings.LDAP_BIND_DN = ""
    settings.LDAP_BIND_PASSWORD = ""
    settings.LDAP_USER_SEARCH_BASE = slapd_support.PEOPLE
    settings.LDAP_USER_FILTER = "(uid=%(user)s)"
    settings.LDAP_EMPLOYEE_NUMBER_ATTR = "employeeNumber"
    settings.LDAP_START_TLS = False
    settings.LDAP_TIMEOUT_SECONDS = 5
    settings.AUTHENTICATION_BACKENDS = [*settings.AUTHENTICATION_BACKENDS, LDAP_BACKEND]
    return slapd_server


OIDC_CLIENT = {"id": "tiexi-portal", "secret": "client-Secret-2026"}
OIDC_PEOPLE = [
    ("zhang.wei", "E1001"),
    ("stranger", "E9999"),
    ("sec.admin", "E0003"),
]


@pytest.fixture(scope="session")
def oidc_provider():
    """django-oidc-provider in its own process on 127.0.0.1 (a fresh SQLite file); yields its base URL."""
    tmp = Path(tempfile.mkdtemp(prefix="tiexi-oidc-"))
    spec = {
        "db": str(tmp / "provider.sqlite3"),
        "client": {**OIDC_CLIENT, "redirect_uris": ["http://testserver/accounts/oidc/callback/"]},
        "users": [
            {"username": name, "password": DIRECTORY_PASSWORD, "employee_number": number}
            for name, number in OIDC_PEOPLE
        ],
    }
    env = {k: v for k, v in os.environ.items() if k not in ("DJANGO_SETTINGS_MODULE", "DATABASE_URL")}
    env["TIEXI_OIDC_SPEC"] = json.dumps(spec)
    env["PYTHONPATH"] = str(ROOT)
    process = subprocess.Popen(
        [sys.executable, "-m", "tests.accounts_directory.oidc_provider.serve"],
        cwd=ROOT,
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    try:
        line = process.stdout.readline()
        if not line.startswith("READY "):
            process.kill()
            raise RuntimeError(f"the OpenID provider did not start: {line}{process.stderr.read()}")
        yield f"http://127.0.0.1:{int(line.split()[1])}"
    finally:
        process.terminate()
        try:
            process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            process.kill()
        process.stdout.close()
        process.stderr.close()
        for path in tmp.iterdir():
            path.unlink()
        tmp.rmdir()


@pytest.fixture
def oidc_configured(settings, oidc_provider):
    """The portal as OIDC_* in the environment would configure it, pointed at the loopback provider."""
    from tiexi_gov.accounts.directory import OIDC_BACKEND

    settings.OIDC_RP_CLIENT_ID = OIDC_CLIENT["id"]
    settings.OIDC_RP_CLIENT_SECRET = OIDC_CLIENT["secret"]
    settings.OIDC_OP_AUTHORIZATION_ENDPOINT = f"{oidc_provider}/openid/authorize"
    settings.OIDC_OP_TOKEN_ENDPOINT = f"{oidc_provider}/openid/token"
    settings.OIDC_OP_USER_ENDPOINT = f"{oidc_provider}/openid/userinfo"
    settings.OIDC_OP_JWKS_ENDPOINT = f"{oidc_provider}/openid/jwks"
    settings.OIDC_RP_SIGN_ALGO = "RS256"
    settings.OIDC_RP_SCOPES = "openid profile employee"
    settings.OIDC_EMPLOYEE_NUMBER_CLAIM = "employee_number"
    settings.AUTHENTICATION_BACKENDS = [*settings.AUTHENTICATION_BACKENDS, OIDC_BACKEND]
    return oidc_provider

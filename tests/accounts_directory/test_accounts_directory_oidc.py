"""Issue 15.3, OpenID Connect: the whole authorization-code flow against a real provider (django-oidc-provider) run
on the loopback by the conftest; the portal's side through the test client, the provider's through HTTP."""

import re
from urllib.parse import urlsplit

import pytest
import requests
from axes.models import AccessAttempt
from django.contrib.auth import get_user_model
from django.urls import reverse
from django_otp.plugins.otp_totp.models import TOTPDevice

from tests.factories import UserFactory
from tiexi_gov.accounts.directory import OIDC_BACKEND
from tiexi_gov.audit.models import Event
from tiexi_gov.org.roles import Role

from .conftest import DIRECTORY_PASSWORD
from .support import UA, session_backend, session_user_id, totp_code

pytestmark = pytest.mark.django_db
User = get_user_model()


def _at_provider(authorize_url: str, username: str) -> str:
    """The person's browser at the provider: its login page, then the authorization; returns where it sends back."""
    browser = requests.Session()
    page = browser.get(authorize_url, timeout=10)  # not logged in there: its login page, next= the authorization
    assert page.status_code == 200 and "/login/" in page.url
    token = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', page.text).group(1)
    answer = browser.post(
        page.url,
        data={"username": username, "password": DIRECTORY_PASSWORD, "csrfmiddlewaretoken": token},
        timeout=10,
        allow_redirects=False,
    )
    assert answer.status_code == 302, answer.text[:500]
    back = browser.get(authorize_url, timeout=10, allow_redirects=False)
    assert back.status_code == 302, back.text[:500]
    return back.headers["Location"]


def _oidc_login(client, username: str):
    start = client.get(reverse("oidc_authentication_init"))
    assert start.status_code == 302
    authorize_url = start["Location"]
    assert "code_challenge=" in authorize_url and "nonce=" in authorize_url
    back = urlsplit(_at_provider(authorize_url, username))
    assert back.path == reverse("oidc_authentication_callback") and "code=" in back.query
    return client.get(f"{back.path}?{back.query}", HTTP_USER_AGENT=UA)


def test_15_3_oidc_code_flow_logs_in_the_portal_user_named_by_the_employee_number_claim(client, oidc_configured):
    user = UserFactory(username="portal.zhangwei", employee_number="E1001", roles=[Role.CLERK])
    login_page = client.get(reverse("login")).content.decode()
    assert "统一身份认证登录" in login_page

    response = _oidc_login(client, "zhang.wei")

    assert response.status_code == 302 and not response["Location"].startswith(reverse("login"))
    assert session_user_id(client) == str(user.pk)
    assert session_backend(client) == OIDC_BACKEND
    assert client.get(reverse("home"), follow=True).wsgi_request.user == user
    assert set(User.objects.get(pk=user.pk).groups.values_list("name", flat=True)) == {str(Role.CLERK)}
    assert Event.objects.filter(action="login", actor=user).exists()


def test_15_3_oidc_person_without_a_portal_user_is_refused(client, oidc_configured):
    before = User.objects.count()

    response = _oidc_login(client, "stranger")

    assert response.status_code == 302 and response["Location"] == reverse("login")
    assert session_user_id(client) is None
    assert "该目录账号（工号E9999）未对应本平台人员，不能登录" in client.get(reverse("login")).content.decode()
    assert User.objects.count() == before
    assert Event.objects.filter(action="login_failed").exists()


def test_15_3_oidc_administrator_is_refused(client, oidc_configured):
    UserFactory(username="secadmin", employee_number="E0003", unit=None, roles=[Role.SECURITY_ADMIN])

    response = _oidc_login(client, "sec.admin")

    assert response["Location"] == reverse("login") and session_user_id(client) is None
    assert "只能使用本平台账号和密码登录" in client.get(reverse("login")).content.decode()


def test_15_3_oidc_login_still_asks_for_the_second_factor(client, oidc_configured):
    user = UserFactory(employee_number="E1001")
    device = TOTPDevice.objects.create(user=user, name="动态验证码", confirmed=True)

    response = _oidc_login(client, "zhang.wei")
    assert response["Location"] == reverse("otp_verify") and session_user_id(client) is None

    assert client.post(reverse("otp_verify"), {"token": totp_code(device)}).status_code == 302
    assert session_user_id(client) == str(user.pk) and session_backend(client) == OIDC_BACKEND


def test_15_3_oidc_forged_code_is_refused_and_counted_by_axes(client, oidc_configured):
    UserFactory(employee_number="E1001")
    start = client.get(reverse("oidc_authentication_init"))
    state = re.search(r"state=([^&]+)", start["Location"]).group(1)

    response = client.get(reverse("oidc_authentication_callback"), {"code": "forged", "state": state})

    assert response.status_code == 302 and response["Location"] == reverse("login")
    assert session_user_id(client) is None
    assert "统一身份认证未能完成" in client.get(reverse("login")).content.decode()
    assert AccessAttempt.objects.filter(ip_address="127.0.0.1").get().failures_since_start == 1

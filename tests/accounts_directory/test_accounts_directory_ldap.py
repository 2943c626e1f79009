"""Issue 15.3, LDAP: a real slapd (started by the conftest), the portal's login form, django-axes and the TOTP step."""

import os

import pytest

if not os.environ.get("CI"):  # CI builds python-ldap (requirements-ldap.txt); a laptop without libldap may not have it
    pytest.importorskip("ldap", reason="python-ldap is not installed: apt-get install libldap2-dev libsasl2-dev gcc")
import ldap
from axes.models import AccessAttempt
from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group, Permission
from django.urls import reverse
from django.utils import timezone
from django_auth_ldap.config import GroupOfNamesType, LDAPSearch
from django_otp.plugins.otp_totp.models import TOTPDevice

from tests.factories import UserFactory
from tiexi_gov.accounts.directory import LDAP_BACKEND
from tiexi_gov.audit.models import Event
from tiexi_gov.org.roles import Role, has_role

from . import slapd as slapd_support
from .conftest import DIRECTORY_PASSWORD, LDAP_LEADERS_GROUP, PASSWORD
from .support import post_login, session_backend, session_user_id, totp_code

pytestmark = pytest.mark.django_db
User = get_user_model()


def test_15_3_ldap_account_logs_in_as_the_portal_user_with_the_same_employee_number(client, ldap_configured):
    user = UserFactory(username="portal.zhangwei", employee_number="E1001", roles=[Role.CLERK])

    response = post_login(client, "zhang.wei", DIRECTORY_PASSWORD)

    assert response.status_code == 302 and not response["Location"].startswith(reverse("login"))
    assert session_user_id(client) == str(user.pk)
    assert session_backend(client) == LDAP_BACKEND
    page = client.get(reverse("home"), follow=True)
    assert page.status_code == 200 and page.wsgi_request.user == user
    assert Event.objects.filter(action="login", actor=user).exists()  # the login audit as for a password login


def test_15_3_directory_account_without_a_portal_user_is_refused_and_no_user_is_created(client, ldap_configured):
    UserFactory(employee_number="E1001")
    before = User.objects.count()

    response = post_login(client, "stranger", DIRECTORY_PASSWORD)

    assert response.status_code == 200 and session_user_id(client) is None
    page = response.content.decode()
    assert "该目录账号（工号E9999）未对应本平台人员，不能登录" in page
    assert "用户名或密码不正确" not in page
    assert User.objects.count() == before and not User.objects.filter(username="stranger").exists()
    failed = Event.objects.get(action="login_failed")
    assert "未对应本平台人员" in failed.opinion  # the audit says why

    response = post_login(client, "no.number", DIRECTORY_PASSWORD)
    assert "该目录账号未登记工号" in response.content.decode() and session_user_id(client) is None
    assert User.objects.count() == before


def test_15_3_a_directory_group_never_grants_a_portal_role(client, ldap_configured, settings):
    # django-auth-ldap's own group settings, as a careless deployment might add them: still nothing from the directory.
    settings.AUTH_LDAP_GROUP_SEARCH = LDAPSearch(slapd_support.GROUPS, ldap.SCOPE_SUBTREE, "(objectClass=groupOfNames)")
    settings.AUTH_LDAP_GROUP_TYPE = GroupOfNamesType()
    settings.AUTH_LDAP_MIRROR_GROUPS = True
    settings.AUTH_LDAP_FIND_GROUP_PERMS = True
    settings.AUTH_LDAP_ALWAYS_UPDATE_USER = True
    settings.AUTH_LDAP_USER_ATTR_MAP = {"full_name": "cn"}
    head = Group.objects.get(name=str(Role.DISTRICT_HEAD))
    assert head.name == LDAP_LEADERS_GROUP  # the directory group has the very name of the portal role
    head.permissions.add(Permission.objects.get(codename="view_user", content_type__app_label="org"))
    user = UserFactory(employee_number="E1001", full_name="张伟（平台）", roles=[Role.CLERK])

    assert post_login(client, "zhang.wei", DIRECTORY_PASSWORD).status_code == 302
    assert session_user_id(client) == str(user.pk)

    user.refresh_from_db()
    assert set(user.groups.values_list("name", flat=True)) == {str(Role.CLERK)}  # none added, none taken away
    assert user.full_name == "张伟（平台）"  # nothing copied from the directory
    request_user = client.get(reverse("home")).wsgi_request.user
    assert request_user.pk == user.pk
    assert not has_role(request_user, Role.DISTRICT_HEAD)
    assert not request_user.has_perm("org.view_user")


def test_15_3_administrators_log_in_only_with_their_local_accounts(client, ldap_configured):
    admin = UserFactory(username="secadmin", employee_number="E0003", unit=None, roles=[Role.SECURITY_ADMIN])

    response = post_login(client, "sec.admin", DIRECTORY_PASSWORD)
    assert response.status_code == 200 and session_user_id(client) is None
    assert "系统管理员、安全管理员、审计管理员只能使用本平台账号和密码登录" in response.content.decode()
    # The directory password under the administrator's own name is just a wrong password.
    assert post_login(client, "secadmin", DIRECTORY_PASSWORD).status_code == 200
    assert session_user_id(client) is None
    # A session that claims the directory backend for an administrator is not honoured.
    client.force_login(admin, backend=LDAP_BACKEND)
    assert client.get(reverse("home")).wsgi_request.user.is_anonymous
    client.logout()

    # Locally: the password, then the second factor the administrators must use.
    response = post_login(client, "secadmin", PASSWORD)
    assert response["Location"] == reverse("otp_verify")
    client.get(reverse("otp_verify"))  # enrolment page makes the device
    device = TOTPDevice.objects.get(user=admin)
    response = client.post(reverse("otp_verify"), {"token": totp_code(device)})
    assert response.status_code == 302
    assert session_user_id(client) == str(admin.pk)
    assert session_backend(client) == "tiexi_gov.org.backends.OrgModelBackend"


def test_15_3_wrong_directory_password_is_refused_and_counted_by_axes(client, ldap_configured):
    user = UserFactory(employee_number="E1002")
    assert post_login(client, "li.na", DIRECTORY_PASSWORD, ip="10.0.7.1").status_code == 302
    assert session_user_id(client) == str(user.pk)
    client.logout()

    for i in range(4):
        response = post_login(client, "li.na", "wrong-Pass-1", ip=f"10.0.5.{i}")
        assert response.status_code == 200 and session_user_id(client) is None
        assert "用户名或密码不正确" in response.content.decode()
    failures = sum(AccessAttempt.objects.filter(username="li.na").values_list("failures_since_start", flat=True))
    assert failures == 4
    assert Event.objects.filter(action="login_failed", subject_repr__contains="li.na").count() == 4

    post_login(client, "li.na", "wrong-Pass-1", ip="10.0.5.9")
    response = post_login(client, "li.na", DIRECTORY_PASSWORD, ip="10.0.6.1")  # now the right one: locked
    assert response.status_code == 429 and "登录失败次数过多" in response.content.decode()
    assert session_user_id(client) is None


def test_15_3_directory_login_still_asks_for_the_second_factor(client, ldap_configured, settings):
    settings.OTP_TOTP_THROTTLE_FACTOR = 0
    user = UserFactory(employee_number="E1001")
    device = TOTPDevice.objects.create(user=user, name="动态验证码", confirmed=True)

    response = post_login(client, "zhang.wei", DIRECTORY_PASSWORD)
    assert response["Location"] == reverse("otp_verify") and session_user_id(client) is None

    response = client.post(reverse("otp_verify"), {"token": totp_code(device)})
    assert response.status_code == 302
    assert session_user_id(client) == str(user.pk) and session_backend(client) == LDAP_BACKEND


def test_15_3_a_directory_session_is_not_sent_to_change_a_local_password(client, ldap_configured):
    """The local password policy belongs to local logins: a directory login proved the directory's password, and
    the change page would ask for a local password the person never had. A local login is still sent there."""
    from tiexi_gov.accounts.models import PasswordState

    user = UserFactory(username="portal.zhangwei", employee_number="E1001", roles=[Role.CLERK])
    user.set_password(PASSWORD)
    user.save()
    PasswordState.objects.update_or_create(user=user, defaults={"must_change": True, "changed_at": timezone.now()})

    post_login(client, "zhang.wei", DIRECTORY_PASSWORD)
    assert session_backend(client) == LDAP_BACKEND
    page = client.get(reverse("home"), follow=True)
    assert page.status_code == 200 and page.wsgi_request.path != reverse("password_change")

    client.logout()
    post_login(client, "portal.zhangwei", PASSWORD)
    assert session_backend(client) != LDAP_BACKEND
    page = client.get(reverse("home"), follow=True)
    assert page.wsgi_request.path == reverse("password_change")

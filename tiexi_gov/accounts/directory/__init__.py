"""Directory login (issue 15.3): LDAP (django-auth-ldap) and OpenID Connect (mozilla-django-oidc), both optional.

What the directory may and may not do:
- it proves who someone is (the directory password, the provider's login); the portal account is the one whose
  工号 (`User.employee_number`) equals the directory's employee number (LDAP `employeeNumber`, an OIDC claim);
- it never creates an account and never grants a role: roles, units and posts come only from the portal's own
  records (a directory group is ignored, whatever its name), and nothing the directory says is copied into the
  account;
- the system, security and audit administrators (and superusers) log in only with their local accounts (三员分立):
  a directory account that maps to one of them is refused, and so is a session of one of them;
- it goes through the same gates as a password login: django-axes counts a failure and refuses a locked name or
  address, the login audit records it, and a user who has a second factor (TOTP) is asked for the code.

Settings (all from the environment, see settings.py and README): LDAP_* turns on `LDAPDirectoryBackend`, OIDC_* turns
on `OIDCDirectoryBackend`; each is active only when its backend is in AUTHENTICATION_BACKENDS.
"""

from __future__ import annotations

from django.conf import settings
from django.contrib.auth import get_user_model

LDAP_BACKEND = "tiexi_gov.accounts.directory.ldap_backend.LDAPDirectoryBackend"
OIDC_BACKEND = "tiexi_gov.accounts.directory.oidc.OIDCDirectoryBackend"
DIRECTORY_BACKENDS = frozenset({LDAP_BACKEND, OIDC_BACKEND})

NO_NUMBER = "该目录账号未登记工号，无法对应本平台人员，不能登录。请联系系统管理员。"
NO_MATCH = "该目录账号（工号{number}）未对应本平台人员，不能登录。请联系系统管理员在人员信息中登记工号。"
INACTIVE = "该目录账号对应的本平台账号已停用，不能登录。"
ADMIN_LOCAL_ONLY = "系统管理员、安全管理员、审计管理员只能使用本平台账号和密码登录，不能通过统一身份认证登录。"

# The attribute of the request a refusal is left on: the login page shows it instead of "用户名或密码不正确".
REFUSAL_ATTR = "tiexi_directory_refusal"


class DirectoryRefusal(Exception):
    """The directory accepted the person, the portal does not: the message says why, in Chinese."""

    def __init__(self, message: str, note: str):
        super().__init__(message)
        self.message = message
        self.note = note


def ldap_enabled() -> bool:
    return LDAP_BACKEND in settings.AUTHENTICATION_BACKENDS


def oidc_enabled() -> bool:
    return OIDC_BACKEND in settings.AUTHENTICATION_BACKENDS


def is_local_only(user) -> bool:
    """The three administrators (and superusers) keep local accounts only."""
    from tiexi_gov.accounts.middleware import is_administrator

    return is_administrator(user)


def portal_user_for(*, employee_number) -> object:
    """The portal account for a directory account's employee number, or DirectoryRefusal. Never creates one."""
    number = str(employee_number or "").strip()
    if not number:
        raise DirectoryRefusal(NO_NUMBER, "目录账号无工号")
    user = get_user_model().objects.filter(employee_number=number).first()
    if user is None:
        raise DirectoryRefusal(NO_MATCH.format(number=number), f"目录账号工号{number}未对应本平台人员")
    if not user.is_active:
        raise DirectoryRefusal(INACTIVE, "对应账号已停用")
    if is_local_only(user):
        raise DirectoryRefusal(ADMIN_LOCAL_ONLY, "管理员不得通过目录登录")
    return user


def refuse(request, refusal: DirectoryRefusal) -> None:
    """Leave the refusal on the request: the login page shows it, the login audit's failure event notes it."""
    if request is not None:
        setattr(request, REFUSAL_ATTR, refusal.message)
        request.tiexi_failure_note = refusal.note


class DirectoryBackendMixin:
    """What both directory backends share: the session's user is read as the local backend reads it (roles in the
    same query), an administrator's session through a directory backend ends, and no permission comes from here."""

    def get_user(self, user_id):
        from tiexi_gov.org.backends import OrgModelBackend

        user = OrgModelBackend().get_user(user_id)
        if user is None or is_local_only(user):
            return None
        return user

    def get_user_permissions(self, user_obj, obj=None):
        return set()

    def get_group_permissions(self, user_obj, obj=None):
        return set()

    def get_all_permissions(self, user_obj, obj=None):
        return set()

    def has_perm(self, user_obj, perm, obj=None):
        return False

    def has_module_perms(self, user_obj, app_label):
        return False

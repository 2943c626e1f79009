"""The LDAP login: the login form's user name and password are checked against the directory (django-auth-ldap);
the account found there is mapped to a portal account by its employeeNumber (see the package docstring)."""

from __future__ import annotations

import ldap
from django.conf import settings
from django_auth_ldap.backend import LDAPBackend
from django_auth_ldap.config import LDAPSearch, LDAPSettings

from . import DirectoryBackendMixin, DirectoryRefusal, portal_user_for, refuse


def directory_settings() -> LDAPSettings:
    """django-auth-ldap's settings built from the portal's LDAP_* settings. Whatever AUTH_LDAP_* says, the directory
    never creates an account, never copies attributes and never mirrors groups or grants permissions."""
    conf = LDAPSettings(prefix="TIEXI_LDAP_UNUSED_")  # every django-auth-ldap default, then ours
    attr = settings.LDAP_EMPLOYEE_NUMBER_ATTR
    timeout = float(settings.LDAP_TIMEOUT_SECONDS)
    conf.SERVER_URI = settings.LDAP_SERVER_URI
    conf.BIND_DN = settings.LDAP_BIND_DN
    conf.BIND_PASSWORD = settings.LDAP_BIND_PASSWORD
    conf.START_TLS = settings.LDAP_START_TLS
    conf.USER_SEARCH = LDAPSearch(settings.LDAP_USER_SEARCH_BASE, ldap.SCOPE_SUBTREE, settings.LDAP_USER_FILTER, [attr])
    conf.USER_ATTRLIST = [attr]
    conf.CONNECTION_OPTIONS = {ldap.OPT_NETWORK_TIMEOUT: timeout, ldap.OPT_TIMEOUT: timeout, ldap.OPT_REFERRALS: 0}
    conf.NO_NEW_USERS = True
    conf.ALWAYS_UPDATE_USER = False
    conf.USER_ATTR_MAP = {}
    conf.USER_FLAGS_BY_GROUP = {}
    conf.MIRROR_GROUPS = None
    conf.MIRROR_GROUPS_EXCEPT = None
    conf.FIND_GROUP_PERMS = False
    conf.AUTHORIZE_ALL_USERS = False
    conf.CACHE_TIMEOUT = 0
    conf.PERMIT_EMPTY_PASSWORD = False
    return conf


class LDAPDirectoryBackend(DirectoryBackendMixin, LDAPBackend):
    @property
    def settings(self):
        if self._settings is None:
            self._settings = directory_settings()
        return self._settings

    @settings.setter
    def settings(self, value):
        self._settings = value

    def authenticate(self, request, username=None, password=None, **kwargs):
        if request is None or not username or not password:
            return None  # the shell and the test client's login() are not directory logins
        return super().authenticate(request, username=username, password=password, **kwargs)

    def get_or_build_user(self, username, ldap_user):
        """Called once the directory accepted the password: the portal account with the same 工号, or a refusal."""
        values = ldap_user.attrs.get(settings.LDAP_EMPLOYEE_NUMBER_ATTR) or []
        try:
            user = portal_user_for(employee_number=values[0] if values else "")
        except DirectoryRefusal as refusal:
            refuse(ldap_user._request, refusal)
            raise ldap_user.AuthenticationFailed(refusal.note) from None
        return user, False

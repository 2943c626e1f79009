"""The provider's employee-number claim (scope `employee`), taken from the spec's accounts."""

from django.conf import settings
from oidc_provider.lib.claims import ScopeClaims


def employee_number(user) -> str | None:
    for account in settings.SPEC["users"]:
        if account["username"] == user.username:
            return account.get("employee_number")
    return None


def userinfo(claims, user):
    claims["name"] = user.get_full_name() or user.username
    claims["preferred_username"] = user.username
    return claims


class EmployeeClaims(ScopeClaims):
    info_employee = ("工号", "您的工号")

    def scope_employee(self):
        return {"employee_number": employee_number(self.user)}

"""Small helpers for the page shell (navigation). Lives here because template tag libraries are global."""

from django import template

from tiexi_gov.org.roles import OFFICE_ROLES, has_role

register = template.Library()


@register.filter
def is_office(user) -> bool:
    """Office staff and the office director see the deadline board."""
    return bool(user and (getattr(user, "is_superuser", False) or has_role(user, *OFFICE_ROLES)))

"""Small helpers for the page shell (navigation). Lives here because template tag libraries are global."""

from django import template

from tiexi_gov.org.roles import OFFICE_ROLES, has_role

register = template.Library()


@register.filter
def is_office(user) -> bool:
    """Office staff and the office director see the deadline board."""
    return bool(user and (getattr(user, "is_superuser", False) or has_role(user, *OFFICE_ROLES)))


@register.filter
def is_leader_or_head(user) -> bool:
    """District leaders and unit main heads: they request leave (LEAVE-1..3) and see who is away."""
    from tiexi_gov.org.roles import Role

    return bool(user and has_role(user, Role.DISTRICT_HEAD, Role.DEPUTY_HEAD, Role.UNIT_HEAD, *OFFICE_ROLES))

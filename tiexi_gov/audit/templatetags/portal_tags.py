"""Small helpers for the page shell (navigation). Lives here because template tag libraries are global."""

from django import template
from django.utils.html import format_html

from tiexi_gov.deadlines import rules
from tiexi_gov.org.roles import OFFICE_ROLES, Role, has_role, is_technical_account

register = template.Library()


@register.filter
def is_office(user) -> bool:
    """Office staff and the office director see the deadline board."""
    return bool(user and (getattr(user, "is_superuser", False) or has_role(user, *OFFICE_ROLES)))


@register.filter
def is_technical(user) -> bool:
    """An administrator's account (三员, calendar): the navbar offers the admin console, not the business areas it
    may not open (issue 12.1)."""
    return bool(user and getattr(user, "is_authenticated", False) and is_technical_account(user))


@register.filter
def is_leader_or_head(user) -> bool:
    """District leaders and unit main heads: they request leave (LEAVE-1..3) and see who is away."""

    return bool(user and has_role(user, Role.DISTRICT_HEAD, Role.DEPUTY_HEAD, Role.UNIT_HEAD, *OFFICE_ROLES))


@register.filter
def plain_rules(text) -> str:
    """Text for people: rule IDs (DOC-7) become the articles of the working rules (第六十条)."""
    return rules.plain(str(text)) if text else text


@register.simple_tag
def article(rule_id: str):
    """A rule as people cite it: its article, with the rule's words on hover."""
    if not rule_id:
        return ""
    rule = rules.describe(rule_id)
    return format_html('<span class="rule-article" title="{}">{}</span>', rule.title, rule.article)

"""Small helpers for the page shell (navigation). Lives here because template tag libraries are global."""

from functools import lru_cache

from django import template
from django.core.signals import setting_changed
from django.dispatch import receiver
from django.urls import NoReverseMatch, get_script_prefix, get_urlconf, reverse
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


@register.simple_tag
def nav_url(name: str) -> str:
    """`{% url %}` for a link without arguments, reversed once per process (and script prefix): base.html draws
    seventeen of them on every page, the loser's "已由XX处理" page included (issue 14). A route that does not exist
    is "", as `{% url … as x %}` gives, so the navbar leaves its link out."""
    return _reversed(name, get_script_prefix(), get_urlconf())


@lru_cache(maxsize=256)
def _reversed(name: str, prefix: str, urlconf) -> str:
    try:
        return reverse(name, urlconf=urlconf)
    except NoReverseMatch:
        return ""


@receiver(setting_changed)
def _forget_reversed(*, setting, **kwargs):
    """A test that swaps the URLconf gets its own links (Django clears its own URL caches on the same signal)."""
    if setting == "ROOT_URLCONF":
        _reversed.cache_clear()

"""The navbar's question: may this user open the rule compliance board (compliance.access)?"""

from django import template

from compliance.access import may_see_board

register = template.Library()


@register.filter
def may_see_compliance(user) -> bool:
    return bool(user and may_see_board(user))


@register.simple_tag
def cell_query(year, article, by, key, category) -> str:
    """The query string of a cell's click-through (the view parses it back with selectors.cell_from)."""
    from django.utils.http import urlencode

    return urlencode({"year": year, "article": article or "", "by": by, "key": key or 0, "cat": category})

"""Reads of the website inquiries (PUB-1): the list page, open ones first and the most urgent on top."""

from __future__ import annotations

from django.db.models import Case, IntegerField, QuerySet, Value, When

from . import permissions
from .models import PublicInquiry


def inquiry_list(user, *, state: str = "", unit_id: int | None = None) -> QuerySet:
    """The inquiries `user` may see (the office all, a unit those assigned to it), filtered; lazy."""
    qs = permissions.visible_inquiries(user).select_related("unit")
    if state:
        qs = qs.filter(state=state)
    if unit_id:
        qs = qs.filter(unit_id=unit_id)
    done = Case(When(state=PublicInquiry.State.ANSWERED, then=Value(1)), default=Value(0), output_field=IntegerField())
    return qs.annotate(done=done).order_by("done", "due", "-received_on", "-id")

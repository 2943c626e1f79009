"""Project-level pages: the landing redirect and the shared shape of each work area's index page."""

from django.contrib.auth.decorators import login_required
from django.db.models import Q
from django.shortcuts import redirect, render
from django.utils import timezone

from tiexi_gov.deadlines.models import Deadline
from tiexi_gov.org.selectors import posts_handled_by

AREA_DEADLINE_LIMIT = 20


@login_required
def home(request):
    return redirect("deadlines:queue")


def open_deadlines_in_area(user, rule_prefix: str, *, limit: int = AREA_DEADLINE_LIMIT):
    """The user's open deadlines whose rule belongs to this area: owed by them, their unit, or a post they handle."""
    today = timezone.localdate()
    post_ids = [h.post.pk for h in posts_handled_by(user, today)]
    owed = Q(owner_user=user) | Q(owner_post_id__in=post_ids)
    if user.unit_id:
        owed |= Q(owner_unit_id=user.unit_id, owner_user__isnull=True, owner_post__isnull=True)
    return list(
        Deadline.objects.filter(owed, state=Deadline.State.OPEN, rule_id__startswith=rule_prefix)
        .select_related("owner_unit")
        .order_by("due", "id")[:limit]
    )


def area_page(request, *, title: str, rule_prefix: str, intro: str, rules: list[tuple[str, str]]):
    """Render a work area's index: what it is, the rules it enforces, and what the user owes in it now."""
    return render(
        request,
        "domain/index.html",
        {
            "area_title": title,
            "intro": intro,
            "rules": rules,
            "deadlines": open_deadlines_in_area(request.user, rule_prefix),
            "today": timezone.localdate(),
        },
    )

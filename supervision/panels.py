"""The supervision sections of a unit's page (tiexi_gov.org.panels): the unit's open supervised items and the
approved outcomes that stay on its record (SUP-4: 表扬、激励、批评、追责).

Each panel filters by permission itself (the unit page only checks that the user may see the unit): items
through `permissions.visible_items`, outcomes through `permissions.visible_outcomes`; one query each.
"""

from __future__ import annotations

import datetime as dt

from django.db.models import Q
from django.urls import reverse

from tiexi_gov.org.panels import PanelItem, UnitPanel
from tiexi_gov.workdays import calendar as wd

from . import permissions, selectors
from .models import WORKING_STATES, Light, Outcome, SupervisionItem

PANEL_LIMIT = 10
LIGHT_TAGS = {Light.RED: "danger", Light.AMBER: "warning", Light.GREEN: "success"}
OUTCOME_TAGS = {
    Outcome.OutcomeKind.PRAISE: "success",
    Outcome.OutcomeKind.INCENTIVE: "primary",
    Outcome.OutcomeKind.CRITICISM: "warning",
    Outcome.OutcomeKind.ACCOUNTABILITY: "danger",
}


def _due_note(item: SupervisionItem, unit, day: dt.date) -> str:
    role = "牵头" if item.lead_unit_id == unit.pk else "协办"
    if item.due < day:
        return f"{role} · 超期{wd.workdays_between(item.due, day)}个工作日"
    return f"{role} · 剩{wd.workdays_between(day, item.due)}个工作日（{item.due:%Y-%m-%d}）"


def open_items_panel(user, unit, day: dt.date) -> UnitPanel | None:
    """督办事项: the open items the unit leads or cooperates on, reddest and soonest first."""
    co = SupervisionItem.cooperating_units.through.objects.filter(unit_id=unit.pk).values("supervisionitem_id")
    qs = selectors.with_light(
        permissions.visible_items(user, day=day).filter(Q(lead_unit_id=unit.pk) | Q(pk__in=co)),
        day,
    ).filter(state__in=WORKING_STATES)
    rows = [
        PanelItem(
            label=f"{item.number} {item.short_task}",
            url=reverse("supervision:item", args=[item.pk]),
            note=_due_note(item, unit, day),
            tag=Light(item.light).label,
            tag_class=LIGHT_TAGS.get(item.light, "secondary"),
        )
        for item in qs.order_by("due", "id")[:PANEL_LIMIT]
    ]
    return UnitPanel(
        title="督办事项（未办结）",
        items=rows,
        more_url=f"{reverse('supervision:ledger')}?unit={unit.pk}",
        empty_text="暂无未办结的督办事项",
    )


def outcomes_panel(user, unit, day: dt.date) -> UnitPanel | None:
    """督查结果运用: approved praise, incentive, criticism and accountability on the unit's record (SUP-4)."""
    qs = (
        permissions.visible_outcomes(user)
        .filter(unit_id=unit.pk, state=Outcome.State.APPROVED)
        .select_related("item")
        .order_by("-decided_on", "-id")
    )
    rows = [
        PanelItem(
            label=f"{o.item.number} {o.item.short_task}",
            url=reverse("supervision:outcome", args=[o.pk]),
            note=f"{o.decided_on:%Y-%m-%d}批准" if o.decided_on else "",
            tag=o.get_kind_display(),
            tag_class=OUTCOME_TAGS.get(o.kind, "secondary"),
        )
        for o in qs[:PANEL_LIMIT]
    ]
    return UnitPanel(
        title="督查结果运用（已批准）",
        items=rows,
        more_url=reverse("supervision:outcomes"),
        empty_text="暂无",
    )

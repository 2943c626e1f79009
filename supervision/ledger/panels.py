"""The ledger's section of a unit's page (tiexi_gov.org.panels): the unit's open supervised items.

The panel filters by permission itself (the unit page only checks that the user may see the unit), through
`permissions.visible_items`; one query.
"""

from __future__ import annotations

import datetime as dt

from django.db.models import Q
from django.urls import reverse

from tiexi_gov.org.panels import PanelItem, UnitPanel
from tiexi_gov.workdays import calendar as wd

from . import permissions, selectors
from .models import WORKING_STATES, Light, SupervisionItem

PANEL_LIMIT = 10
LIGHT_TAGS = {Light.RED: "danger", Light.AMBER: "warning", Light.GREEN: "success"}


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

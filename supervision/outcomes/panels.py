"""The outcomes' section of a unit's page (tiexi_gov.org.panels): the approved praise, incentive, criticism and
accountability that stay on the unit's record (SUP-4). Filtered by `permissions.visible_outcomes`; one query."""

from __future__ import annotations

import datetime as dt

from django.urls import reverse

from tiexi_gov.org.panels import PanelItem, UnitPanel

from . import permissions
from .models import Outcome

PANEL_LIMIT = 10
OUTCOME_TAGS = {
    Outcome.OutcomeKind.PRAISE: "success",
    Outcome.OutcomeKind.INCENTIVE: "primary",
    Outcome.OutcomeKind.CRITICISM: "warning",
    Outcome.OutcomeKind.ACCOUNTABILITY: "danger",
}


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

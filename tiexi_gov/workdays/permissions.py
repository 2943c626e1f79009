"""Who may keep the working-day calendar (CAL-2) — the one place the views, the admin's 待办 and the FSM ask."""

from __future__ import annotations

from tiexi_gov.org.roles import Role, has_role


def keeps_calendar(user, _year=None) -> bool:
    """The calendar administrators: the people a provisional year's 待办 waits on."""
    return bool(getattr(user, "is_authenticated", False) and user.is_active and has_role(user, Role.CALENDAR_ADMIN))


def may_edit_calendar(user) -> bool:
    """The calendar screen: its administrators, and a superuser while nobody holds the role yet (the provisional
    year's alert then goes to the superusers, calendar._alert_provisional)."""
    return keeps_calendar(user) or bool(getattr(user, "is_superuser", False) and user.is_active)

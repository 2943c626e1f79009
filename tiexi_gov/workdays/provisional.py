"""A provisional year as the calendar administrators' 待办 (CAL-2): opened when a deadline is first counted in a
year with no official calendar, closed when that year is entered, opened again if the entry is withdrawn.

The queue's half (the Flow) and the three writes; every state change goes through the workflow kernel's step, with
its audit event, in the caller's transaction.
"""

from __future__ import annotations

from datetime import date

from django.urls import reverse
from django.utils import timezone

from tiexi_gov.audit.services import record_event
from tiexi_gov.org.roles import Role
from tiexi_gov.workflow.kernel import step
from tiexi_gov.workflow.models import Area
from tiexi_gov.workflow.registry import Flow, Need, for_role
from tiexi_gov.workflow.sync import sync_tasks

from .models import ProvisionalYear

State = ProvisionalYear.State
ACTION, LABEL = "enter_calendar", "待录入年度日历"


def year_url(_entry: ProvisionalYear) -> str:
    return reverse("workdays:import")


def year_label(entry: ProvisionalYear) -> str:
    return f"{entry.year}年工作日历（尚未录入国务院办公厅放假安排）"


def year_waiting(entry: ProvisionalYear, day: date) -> list[Need]:
    if entry.state != State.WAITING:
        return []
    note = f"{entry.year}年的期限暂按周一至周五计算，录入后自动重新计算"
    return [for_role(ACTION, LABEL, Role.CALENDAR_ADMIN, rule_id="CAL-2", note=note)]


PROVISIONAL_YEARS = Flow(
    model=ProvisionalYear,
    area=Area.CALENDAR,
    noun="该年度日历",
    url=year_url,
    waiting=year_waiting,
    label=year_label,
    optional={"withdraw": "撤销正式标记是纠错，不是待办"},
    nobody={"entered": "已录入正式日历，不再等待任何人"},
)


def worth_a_task(year: int, today: date | None = None) -> bool:
    """Last year to next year: the State Council publishes a year's arrangement late in the year before, so a
    later year cannot be entered yet and an earlier one no longer holds open deadlines (the inbox alert still
    tells of any year)."""
    today = today or timezone.localdate()
    return today.year - 1 <= year <= today.year + 1


def noticed(year: int) -> ProvisionalYear | None:
    """A computation used `year` without an official calendar: make sure the administrators' 待办 is open.
    Called in the alert's savepoint (calendar._alert_provisional); idempotent."""
    if not worth_a_task(year):
        return None
    entry, created = ProvisionalYear.objects.get_or_create(year=year)
    if created:
        record_event(
            actor=None,
            subject=entry,
            action="provisional_year_noticed",
            action_label="按周一至周五暂定计算",
            to_state=State.WAITING,
            rule_id="CAL-2",
        )
        sync_tasks(entry)
    elif entry.state == State.ENTERED:  # the year is provisional again, however its mark was taken back
        _move(entry, "withdraw", actor=None, label="恢复暂定计算")
    return entry


def entered(year: int, *, actor) -> None:
    """The year's official calendar is entered (services.enter_year): its 待办 closes."""
    entry = ProvisionalYear.objects.filter(year=year, state=State.WAITING).first()
    if entry is not None:
        _move(entry, "enter", actor=actor, label="录入正式日历，结束暂定计算")


def withdrawn(year: int, *, actor) -> None:
    """The year's official mark is taken back (services.remove_year): it is a guess again and its 待办 reopens."""
    entry = ProvisionalYear.objects.filter(year=year, state=State.ENTERED).first()
    if entry is not None:
        _move(entry, "withdraw", actor=actor, label="撤销正式日历，恢复暂定计算")


def _move(entry: ProvisionalYear, transition: str, *, actor, label: str) -> None:
    # The gate is the calendar screen's (permissions.may_edit_calendar) or the system's own: a superuser standing
    # in for absent administrators, or an import run from the shell, closes the 待办 too.
    with step(entry, actor=actor, expect=[entry.state]) as s:
        before = s.fire(transition, check_perm=False)
        s.record(f"provisional_year_{transition}", label, before, rule_id="CAL-2")

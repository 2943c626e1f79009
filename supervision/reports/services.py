"""Every write of the reports (SUP-2, SUP-3): the lead unit's progress reports and the cooperating units' parts (steps
on their item), the half-year reports (items of their own) and the rectification of a problem. Each is a step of the
workflow kernel, so the tasks follow in the same transaction.

Clocks:
- SUP-2 "进展报告": the lead unit's next progress report on the item's cycle; a missed one turns the item amber and
  the sweep reminds the unit once;
- SUP-2 "半年工作报告": one per unit and half-year, due 10 WD after the half ends (the office may choose another day).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable

from django.db import transaction
from django.urls import NoReverseMatch, reverse

from supervision.ledger import permissions as ledger_permissions
from supervision.ledger.models import (
    OPEN_STATES,
    PART_STATES,
    REPORTING_STATES,
    ItemState,
    SupervisionFile,
    SupervisionItem,
)
from supervision.ledger.services import attach_files, open_report_clock, report_major_problem
from supervision.shared.access import WORKING_UNIT_KINDS
from supervision.shared.errors import ActionNotAllowed, AlreadyHandled, SupervisionError
from supervision.shared.people import unit_people
from supervision.shared.services import required
from tiexi_gov.deadlines.services import close_deadline, open_deadline
from tiexi_gov.org.models import Unit
from tiexi_gov.rule_lock import rule_lock
from tiexi_gov.text import strip_text
from tiexi_gov.workdays import calendar as wd
from tiexi_gov.workflow.kernel import step, today_or

from . import permissions
from .models import HalfYearReport, ProgressReport, Rectification

St = ItemState
HALF_YEAR_LEAD_WORKDAYS = 10  # SUP-2: the half-year report is due 10 WD after the half ends (office may change)
HALF_YEAR_UNIT_KINDS = WORKING_UNIT_KINDS
BEHIND_TOLERANCE = 10  # percentage points behind the even plan before the light turns amber


# --- progress reports (SUP-2) --------------------------------------------------------------------------------


def plan_percent(item: SupervisionItem, day: dt.date) -> int:
    """Where the work should be on `day` if it moves evenly from assignment to the deadline."""
    start = item.assigned_on or item.period_start
    total = (item.due - start).days
    if total <= 0:
        return 100
    return max(0, min(100, round(100 * (day - start).days / total)))


def _percent(value) -> int:
    try:
        percent = int(value)
    except (TypeError, ValueError):
        raise SupervisionError("完成进度须为0至100之间的整数。") from None
    if not 0 <= percent <= 100:
        raise SupervisionError("完成进度须为0至100之间的整数。")
    return percent


def file_progress_report(
    *,
    actor,
    item: SupervisionItem,
    percent: int,
    done: str,
    problems: str = "",
    next_steps: str = "",
    files: Iterable = (),
    today: dt.date | None = None,
    seen_report: int | None = None,
) -> ProgressReport:
    """SUP-2: the lead unit reports on its cycle (moves the item in progress, resets the report clock); a
    cooperating unit reports its part to the lead unit, once per cycle (the item does not move).

    `seen_report`: the id of the lead unit's latest report on the page the report was written on (0: none yet).
    The lead's step leaves the item in its state, so the state the page showed cannot tell a second post of the
    same form (a double click, a second tab) from a new report: a newer report than the page showed can."""
    done = required(done, "已完成工作", keep_indent=True)
    percent = _percent(percent)
    with step(item, actor=actor, expect=PART_STATES, today=today) as s:
        it = s.obj
        lead = ledger_permissions.can_act_as_lead(actor, it)
        if not lead and not permissions.is_cooperating_staff(actor, it):
            raise ActionNotAllowed("只有牵头单位或协办单位可以报告进展。")
        if lead and it.state not in REPORTING_STATES:
            raise SupervisionError(f"该事项当前状态为“{it.get_state_display()}”，不能报告进展。")
        if not lead and not permissions.can_report_part(actor, it):
            raise SupervisionError("本单位已报告本期协办进展，请在牵头单位下次报告进展后再报。", rule_id="SUP-2")
        if lead and seen_report is not None:
            _refuse_if_reported_since(it, seen_report)
        before = s.fire("report_progress" if lead else "report_part")
        unit = it.lead_unit if lead else next(u for u in it.cooperating_units.all() if u.pk == actor.unit_id)
        report = ProgressReport.objects.create(
            item=it,
            unit=unit,
            is_part=not lead,
            author=actor,
            reported_on=s.day,
            percent=percent,
            done=done,
            problems=strip_text(problems),
            next_steps=strip_text(next_steps),
        )
        attach_files(files, actor=actor, purpose=SupervisionFile.Purpose.REPORT, item=it, report=report)
        if not lead:
            s.record(
                "part_reported",
                f"协办单位报告（{unit.display_name}）",
                before,
                opinion=f"{percent}%：{done}",
                rule_id="SUP-2",
            )
            s.tell(unit_people(it.lead_unit), f"协办单位报告进展：{it.number}", f"{unit.display_name}：{done}")
            return report
        close_deadline(subject=it, rule_id="SUP-2", note="已报告进展", on=s.day)
        it.percent = percent
        it.progress_text = done
        it.last_report_on = s.day
        it.behind_plan = percent + BEHIND_TOLERANCE < plan_percent(it, s.day)
        open_report_clock(it, s.day)
        s.record("reported", "报告进展", before, opinion=f"{percent}%：{done}", rule_id="SUP-2")
    return report


def _refuse_if_reported_since(item: SupervisionItem, seen_report: int) -> None:
    latest = (
        ProgressReport.objects.filter(item=item, is_part=False)
        .select_related("author")
        .only("id", "reported_on", "percent", "author__full_name", "author__username")
        .order_by("-id")
        .first()
    )
    if latest is not None and latest.pk != seen_report:
        who = latest.author.display_name if latest.author else "牵头单位"
        raise AlreadyHandled(
            f"{who}已于{latest.reported_on:%Y-%m-%d}报告进展（{latest.percent}%），本次未重复提交。"
            "如需再次报告，请核对下方内容后重新提交。",
            handled_by=latest.author,
        )


# --- SUP-3 rectification -------------------------------------------------------------------------------------


def update_rectification(
    *,
    actor,
    item: SupervisionItem,
    measures: str | None = None,
    mechanism: str | None = None,
    is_major: bool | None = None,
    today: dt.date | None = None,
) -> Rectification:
    """The lead unit (or the office) records measures and the long-term mechanism; marking a problem major
    reports it to the leaders once."""
    with step(item, actor=actor, expect=OPEN_STATES, today=today) as s:
        it = s.obj
        if not permissions.can_update_rectification(actor, it):
            raise ActionNotAllowed("只有牵头单位或区政府办公室可以填写整改情况。")
        rect = it._one("rectification")  # the item's own instance: its tasks are read from it on leaving
        if rect is None:
            raise SupervisionError("该事项不是整改事项。")
        before = it.state
        restated = it.state == St.CLAIMED and it.rectification_unsettled() and bool((mechanism or "").strip())
        same = (
            (measures is None or strip_text(measures) == rect.measures)
            and (mechanism is None or strip_text(mechanism) == rect.mechanism)
            and (is_major is None or is_major == rect.is_major)
        )
        if same and not restated:
            return rect  # the form shows what is recorded: saved again unchanged, nothing to record
        if restated and permissions.can_supply_mechanism(actor, it):
            before = s.fire("supply_mechanism")  # the claim's mechanism, stated again (SUP-3)
        if measures is not None:
            rect.measures = required(measures, "整改措施", keep_indent=True)
        if mechanism is not None:
            rect.mechanism = strip_text(mechanism)
        newly_major = is_major and not rect.is_major
        if is_major is not None:
            rect.is_major = is_major
        rect.save()
        s.record(
            "rectification_updated",
            "更新整改情况",
            before,
            opinion=f"长效机制：{rect.mechanism or '（未填）'}",
            rule_id="SUP-3",
        )
        if newly_major and rect.reported_to_leaders_at is None:
            report_major_problem(s, rect)
    return rect


# --- SUP-2 half-year reports ----------------------------------------------------------------------------------


def half_year_end(year: int, half: int) -> dt.date:
    return dt.date(year, 6, 30) if half == 1 else dt.date(year, 12, 31)


def half_year_url(report: HalfYearReport | None = None) -> str:
    try:
        if report is not None:
            return reverse("supervision:half_year_file", args=[report.pk])
        return reverse("supervision:half_year")
    except NoReverseMatch:
        return ""


def open_half_year_round(
    *, actor=None, year: int, half: int, due: dt.date | None = None, today: dt.date | None = None
) -> int:
    """SUP-2: one half-year report row and deadline per working unit; idempotent. Returns rows created."""
    if half not in (1, 2):
        raise SupervisionError("半年只能是上半年或下半年。")
    if actor is not None and not ledger_permissions.can_manage(actor):
        raise ActionNotAllowed("只有区政府办公室可以布置半年报告。")
    day = today_or(today)
    # A counted due is a working-day clock (recomputed with its row on a calendar import, CAL-2); a given one is fixed.
    counted = HALF_YEAR_LEAD_WORKDAYS if due is None else None
    due = due or wd.add_workdays(half_year_end(year, half), HALF_YEAR_LEAD_WORKDAYS)
    created = 0
    with transaction.atomic():
        # The beat and an office clerk may open the same round at once: one at a time, the second creates none.
        rule_lock("SUP-2", "half-year", year, half)
        done = set(HalfYearReport.objects.filter(year=year, half=half).values_list("unit_id", flat=True))
        for unit in Unit.objects.filter(active=True, kind__in=HALF_YEAR_UNIT_KINDS).exclude(pk__in=done):
            report = HalfYearReport.objects.create(unit=unit, year=year, half=half, due=due)
            with step(report, actor=actor, today=day) as s:
                open_deadline(
                    subject=report,
                    rule_id="SUP-2",
                    title=f"{year}年{report.get_half_display()}工作报告",
                    counted_from=half_year_end(year, half),
                    workdays=counted,
                    due=None if counted else due,
                    owner_unit=unit,
                    url=half_year_url(),
                )
                s.record("opened", "布置半年报告", after=report.state, rule_id="SUP-2")
            created += 1
    return created


def open_due_half_year_rounds(today: dt.date | None = None) -> int:
    """The beat's daily call: once a half-year has ended, its round exists (idempotent)."""
    day = today_or(today)
    year, half = (day.year - 1, 2) if day.month <= 6 else (day.year, 1)
    return open_half_year_round(year=year, half=half, today=day)


def _refuse_sent_before_half_ended(report: HalfYearReport, sent_on: dt.date) -> None:
    """SUP-2 (第四十九条): the report is on the half-year's work done, so it is sent when the half-year ends — on its
    last day at the earliest (the day its clock counts from), never before."""
    end = half_year_end(report.year, report.half)
    if sent_on < end:
        raise SupervisionError(
            f"报送日期不能早于{end.year}年{end.month}月{end.day}日：半年报告报告的是{report.year}年"
            f"{report.get_half_display()}的工作完成情况，须在该半年结束时报送（第四十九条）。",
            rule_id="SUP-2",
        )


def file_half_year_report(
    *,
    actor,
    report: HalfYearReport,
    summary: str,
    counterpart: str,
    sent_on: dt.date | None = None,
    files: Iterable = (),
    today: dt.date | None = None,
) -> HalfYearReport:
    """SUP-2 (第四十九条): the unit reports to its higher-level counterpart and files a copy with the office (or the
    office files the copy it received on paper, in the unit's stead)."""
    summary = required(summary, "报告摘要", keep_indent=True)
    counterpart = required(counterpart, "上级对口部门")
    with step(report, actor=actor, today=today) as s:
        r = s.obj
        if r.state == HalfYearReport.State.FILED:
            raise AlreadyHandled("该半年报告已备案。")
        if permissions.can_file_half_year(actor, r):
            before = s.fire("file")
        elif permissions.can_file_for_unit(actor, r):
            before = s.fire("file_for_unit")
        else:
            raise ActionNotAllowed("只能报送本单位的半年报告。")
        sent_on = sent_on or s.day
        _refuse_sent_before_half_ended(r, sent_on)
        r.summary = summary
        r.counterpart = counterpart[:100]
        r.sent_to_counterpart_on = sent_on
        r.filed_by = actor
        r.filed_on = s.day
        attach_files(files, actor=actor, purpose=SupervisionFile.Purpose.HALF_YEAR, half_year_report=r)
        close_deadline(subject=r, rule_id="SUP-2", note="已备案", on=s.day)
        s.record("filed", "半年报告备案", before, opinion=f"已报{counterpart}", rule_id="SUP-2")
    return s.obj

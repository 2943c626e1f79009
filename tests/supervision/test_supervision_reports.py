"""SUP-2 progress reports through the item page: the lead unit's report moves the item and resets the report
clock on its cycle (onto a working day); a missed report turns the item amber and the sweep reminds the unit
once; a cooperating unit's report is its part, sent to the lead unit.
"""

from __future__ import annotations

import calendar
import datetime as dt

import pytest
from django.test import Client
from django.urls import reverse
from django.utils import timezone
from supervision_support import DAY, make_item

from supervision.ledger import selectors, services
from supervision.models import ItemState, Light, ProgressReport, SupervisionItem
from supervision.reports import services as report_services
from tiexi_gov.audit.models import Event
from tiexi_gov.deadlines import services as deadline_services
from tiexi_gov.deadlines.models import Deadline
from tiexi_gov.notify.models import Message
from tiexi_gov.workdays import calendar as wd

pytestmark = [pytest.mark.postgres, pytest.mark.django_db]


@pytest.fixture
def today():
    return timezone.localdate()


def _login(user) -> Client:
    c = Client()
    c.force_login(user)
    return c


def _act(client, item, action, data=None):
    payload = {"seen_state": SupervisionItem.objects.get(pk=item.pk).state}
    payload.update({f"{action}-{k}": v for k, v in (data or {}).items()})
    return client.post(reverse("supervision:item_action", args=[item.pk, action]), payload)


def _fresh(item) -> SupervisionItem:
    return SupervisionItem.objects.get(pk=item.pk)


def _months_later(day: dt.date, months: int) -> dt.date:
    month0 = day.month - 1 + months
    year, month = day.year + month0 // 12, month0 % 12 + 1
    return dt.date(year, month, min(day.day, calendar.monthrange(year, month)[1]))


def _on_a_workday(day: dt.date) -> dt.date:
    while not wd.is_workday(day):
        day += dt.timedelta(days=1)
    return day


CYCLE_STEP = {
    "weekly": lambda d: d + dt.timedelta(days=7),
    "monthly": lambda d: _months_later(d, 1),
    "quarterly": lambda d: _months_later(d, 3),
}


@pytest.mark.parametrize("cycle", ["weekly", "monthly", "quarterly"])
def test_sup_2_lead_unit_report_moves_item_in_progress_and_resets_the_report_clock(world, today, cycle):
    w = world
    item = make_item(w, today=today, cycle=cycle, due=today + dt.timedelta(days=200))
    services.accept_item(actor=w.fin_clerk, item=item, today=today)
    first = Deadline.objects.running().get(subject_id=str(item.pk), rule_id="SUP-2")

    r = _act(_login(w.fin_clerk), item, "report", {"percent": "25", "done": "完成摸底", "problems": "资金未到位"})
    assert r.status_code == 302
    item = _fresh(item)
    assert item.state == ItemState.IN_PROGRESS
    assert item.percent == 25 and item.last_report_on == today and item.progress_text == "完成摸底"
    first.refresh_from_db()
    assert first.closed_at is not None and first.state == Deadline.State.MET
    clock = Deadline.objects.running().get(subject_id=str(item.pk), rule_id="SUP-2")
    expected = _on_a_workday(CYCLE_STEP[cycle](today))
    assert clock.due == expected == item.next_report_due
    assert wd.is_workday(clock.due)
    report = ProgressReport.objects.get(item=item)
    assert (report.unit, report.is_part, report.author) == (w.fin, False, w.fin_clerk)
    assert Event.objects.for_object(item).filter(action="reported", rule_id="SUP-2").count() == 1


@pytest.mark.parametrize(
    "cycle,report_day,nominal,expected",
    [
        # 2026-09-25 is the Mid-Autumn Festival; 2026-10-01..07 the National Day holiday.
        ("weekly", dt.date(2026, 9, 18), dt.date(2026, 9, 25), dt.date(2026, 9, 28)),
        ("monthly", dt.date(2026, 9, 3), dt.date(2026, 10, 3), dt.date(2026, 10, 8)),
        ("quarterly", dt.date(2026, 7, 6), dt.date(2026, 10, 6), dt.date(2026, 10, 8)),
    ],
)
def test_sup_2_next_report_falling_in_a_holiday_moves_onto_the_next_working_day(
    world, cycle, report_day, nominal, expected
):
    w = world
    start = report_day - dt.timedelta(days=3)
    item = make_item(w, today=start, cycle=cycle, due=dt.date(2026, 12, 15))
    services.accept_item(actor=w.fin_clerk, item=item, today=start)
    report_services.file_progress_report(actor=w.fin_clerk, item=item, percent=10, done="启动", today=report_day)
    assert not wd.is_workday(nominal)
    item = _fresh(item)
    assert item.next_report_due == expected and wd.is_workday(expected)
    assert Deadline.objects.running().get(subject_id=str(item.pk), rule_id="SUP-2").due == expected


def test_sup_2_missed_monthly_report_turns_amber_and_reminds_once(world):
    w = world
    item = make_item(w, today=DAY, cycle="monthly", due=DAY + dt.timedelta(days=100))
    services.accept_item(actor=w.fin_clerk, item=item, today=DAY)
    item = _fresh(item)
    report_due = item.next_report_due
    assert report_due == dt.date(2026, 10, 8)  # 10-07 falls in the National Day holiday

    during_holiday = dt.date(2026, 10, 5)
    assert selectors.light_of(item, during_holiday) == Light.GREEN
    assert selectors.light_of(item, report_due) == Light.GREEN  # due today is not missed yet

    late = wd.add_workdays(report_due, 2)
    assert selectors.light_of(item, late) == Light.AMBER
    assert selectors.with_light(SupervisionItem.objects.filter(pk=item.pk), late).get().light == Light.AMBER
    assert any("进展报告逾期未报" in r for r in selectors.amber_reasons(item, late))

    deadline_services.sweep(today=late)
    deadline_services.sweep(today=late)
    deadline_services.sweep(today=late + dt.timedelta(days=1))
    sup2 = Deadline.objects.get(subject_id=str(item.pk), rule_id="SUP-2")
    assert sup2.state == Deadline.State.MISSED
    for person in (w.fin_clerk, w.fin_head):
        mine = Message.objects.filter(recipient=person, key__startswith=f"deadline:{sup2.pk}:")
        assert mine.count() == 1, person
        assert "进展报告" in mine.get().subject
    # the cooperating unit owes no report of the lead unit
    assert not Message.objects.filter(recipient=w.dev_clerk, key__startswith=f"deadline:{sup2.pk}:").exists()

    # the unit's report brings the light back to green and starts the next month's clock
    report_services.file_progress_report(actor=w.fin_clerk, item=item, percent=40, done="补报进展", today=late)
    assert selectors.light_of(_fresh(item), late) == Light.GREEN


def test_sup_2_missed_report_shows_amber_with_its_reason_on_the_item_page(world, today):
    w = world
    past = today - dt.timedelta(days=70)
    item = make_item(w, today=past, cycle="monthly", due=today + dt.timedelta(days=90))
    services.accept_item(actor=w.fin_clerk, item=item, today=past)
    r = _login(w.fin_clerk).get(reverse("supervision:item", args=[item.pk]))
    assert r.context["light"] == Light.AMBER
    html = r.content.decode()
    assert 'data-testid="amber-reasons"' in html and "进展报告逾期未报" in html


def test_sup_2_cooperating_unit_reports_its_part_to_the_lead_unit(world, today):
    w = world
    item = make_item(w, today=today)
    services.accept_item(actor=w.fin_clerk, item=item, today=today)
    before = _fresh(item)
    r = _act(_login(w.dev_clerk), item, "report", {"percent": "60", "done": "发改局已完成项目审批"})
    assert r.status_code == 302
    after = _fresh(item)
    assert after.state == ItemState.ACCEPTED  # a part does not move the item
    assert (after.percent, after.last_report_on, after.next_report_due) == (
        before.percent,
        before.last_report_on,
        before.next_report_due,
    )
    part = ProgressReport.objects.get(item=item)
    assert part.is_part and part.unit == w.dev and part.author == w.dev_clerk
    for person in (w.fin_clerk, w.fin_head):
        assert Message.objects.filter(recipient=person, subject__contains="协办单位报告进展").count() == 1
    assert Event.objects.for_object(item).filter(action="part_reported").count() == 1
    html = _login(w.fin_clerk).get(reverse("supervision:item", args=[item.pk])).content.decode()
    assert "协办单位报告" in html and "发改局已完成项目审批" in html and 'data-part="1"' in html


def test_text_a_progress_report_through_the_page_keeps_its_full_width_paragraph_indentation(world, today):
    """公文 paragraphs open with 　　 (U+3000): the report's form and service dropped the first one's."""
    w = world
    item = make_item(w, today=today, due=today + dt.timedelta(days=200))
    services.accept_item(actor=w.fin_clerk, item=item, today=today)
    done = "　　已完成摸底排查。\n　　资金拨付率达到60%。"
    r = _act(
        _login(w.fin_clerk), item, "report", {"percent": "60", "done": f"{done}\r\n", "problems": "　　资金未到位"}
    )
    assert r.status_code == 302
    report = ProgressReport.objects.get(item=item)
    assert (report.done, report.problems) == (done, "　　资金未到位")
    assert _fresh(item).progress_text == done

"""The ledger's traffic light on working days (SUP-1, SUP-2, CAL-1): green on track; amber due within 3 WD, a
progress report missing or behind plan; red overdue. The SQL (`selectors.with_light`, which the ledger filters,
sorts and counts by) and the Python (`selectors.light_of`, an item's page) must always agree."""

from __future__ import annotations

import datetime as dt

import pytest
from supervision_support import make_item

from supervision.ledger import selectors, services
from supervision.ledger.selectors import LedgerFilters, light_of, with_light
from supervision.models import Light, SupervisionItem
from supervision.reports import services as report_services
from tiexi_gov.workdays import calendar as wd

pytestmark = pytest.mark.django_db

HOLIDAY = dt.date(2026, 10, 2)  # National Day holiday (Oct 1-7, 2026)
BEFORE = dt.date(2026, 9, 28)  # the Monday before it: items are issued then


def sql_light(item: SupervisionItem, day: dt.date) -> str:
    return with_light(SupervisionItem.objects.filter(pk=item.pk), day).values_list("light", flat=True).get()


def both(item: SupervisionItem, day: dt.date) -> str:
    """The light on `day` from SQL and from Python, asserting they agree."""
    item.refresh_from_db()
    in_sql, in_python = sql_light(item, day), light_of(item, day)
    assert in_sql == in_python, (item.task, day, in_sql, in_python)
    return in_sql


def test_sup_1_an_item_due_after_the_holiday_is_not_amber_during_the_holiday(world):
    w = world
    assert not wd.is_workday(HOLIDAY)
    four, three = wd.add_workdays(HOLIDAY, 4), wd.add_workdays(HOLIDAY, 3)
    # Counting weekdays would make both dues "more than 3 days away" only for the later one: on the official
    # calendar Oct 3-7 are off and Sat Oct 10 is a make-up working day.
    assert (four, three) == (dt.date(2026, 10, 12), dt.date(2026, 10, 10))
    green = make_item(w, today=BEFORE, task="节后第四个工作日到期：完成供暖设备检修", due=four)
    amber = make_item(w, today=BEFORE, task="节后第三个工作日到期：上报秋粮收购情况", lead_unit=w.dev, due=three,
                      cooperating_units=[], leader_post=w.dep_b_post)  # fmt: skip
    assert both(green, HOLIDAY) == Light.GREEN
    assert both(amber, HOLIDAY) == Light.AMBER
    # the whole holiday long: the due date ten calendar days away stays green until 3 WD are left
    for offset in range(0, 6):
        day = HOLIDAY + dt.timedelta(days=offset)
        assert both(green, day) == Light.GREEN, day
    assert both(green, dt.date(2026, 10, 8)) == Light.AMBER  # Oct 9, 10, 12: three working days left
    page_day = selectors.ledger(w.staff, LedgerFilters(light=Light.AMBER), day=HOLIDAY)
    assert [i.pk for i in page_day] == [amber.pk]


def test_sup_2_a_missing_progress_report_turns_the_item_amber_until_it_is_filed(world):
    w = world
    item = make_item(w, today=dt.date(2026, 9, 7), task="整治背街小巷环境卫生", due=dt.date(2026, 12, 31))
    services.accept_item(actor=w.fin_clerk, item=item, today=dt.date(2026, 9, 7))
    item.refresh_from_db()
    report_due = item.next_report_due
    assert report_due == dt.date(2026, 10, 8)  # a month on, moved off the holiday to the next working day
    assert both(item, report_due) == Light.GREEN
    assert both(item, report_due + dt.timedelta(days=1)) == Light.AMBER  # next_report_due < today
    assert "进展报告逾期未报" in selectors.amber_reasons(item, report_due + dt.timedelta(days=1))[0]
    report_services.file_progress_report(
        actor=w.fin_clerk, item=item, percent=40, done="已完成12条街巷整治", today=dt.date(2026, 10, 9)
    )
    assert both(item, dt.date(2026, 10, 9)) == Light.GREEN


def test_sup_2_behind_plan_is_amber(world):
    w = world
    item = make_item(w, today=dt.date(2026, 9, 7), task="推进棚户区改造征收", due=dt.date(2026, 11, 30))
    services.accept_item(actor=w.fin_clerk, item=item, today=dt.date(2026, 9, 7))
    report_services.file_progress_report(
        actor=w.fin_clerk, item=item, percent=5, done="启动", today=dt.date(2026, 10, 20)
    )
    assert both(item, dt.date(2026, 10, 21)) == Light.AMBER


def test_sup_1_overdue_is_red_and_closing_or_claiming_sets_its_colour(world):
    w = world
    due = dt.date(2026, 9, 30)
    item = make_item(w, today=dt.date(2026, 9, 7), task="完成全区消防通道清理", due=due)
    assert both(item, due) == Light.AMBER  # due today
    assert both(item, dt.date(2026, 10, 8)) == Light.RED
    services.accept_item(actor=w.fin_clerk, item=item, today=dt.date(2026, 9, 8))
    services.claim_completion(actor=w.fin_clerk, item=item, evidence="清理完成", today=dt.date(2026, 10, 9))
    assert both(item, dt.date(2026, 10, 12)) == Light.RED  # claimed after its due date
    on_time = make_item(w, today=dt.date(2026, 9, 7), task="更新社区健身器材", lead_unit=w.dev, due=due,
                        cooperating_units=[], leader_post=w.dep_b_post)  # fmt: skip
    services.accept_item(actor=w.dev_clerk, item=on_time, today=dt.date(2026, 9, 8))
    services.claim_completion(actor=w.dev_clerk, item=on_time, evidence="已更新", today=dt.date(2026, 9, 29))
    assert both(on_time, dt.date(2026, 10, 12)) == Light.GREEN  # waiting for verification, claimed in time
    services.verify_item(actor=w.staff, item=on_time, note="核验属实", today=dt.date(2026, 10, 12))
    assert both(on_time, dt.date(2026, 10, 12)) == Light.DONE
    draft = make_item(w, today=dt.date(2026, 9, 7), task="研究制定夜间经济扶持政策", issue=False, lead_unit=w.other,
                      cooperating_units=[])  # fmt: skip
    assert both(draft, dt.date(2026, 12, 1)) == Light.NONE


def test_sup_1_sql_and_python_lights_agree_on_every_day_around_the_holiday(world):
    w = world
    start = dt.date(2026, 9, 7)
    units = [(w.fin, w.dep_a_post), (w.dev, w.dep_b_post), (w.other, w.head_post)]
    tasks = ["修缮老旧供水管网", "建设智慧停车平台", "开展食品安全专项检查", "完善城市防汛预案", "推动企业上市培育"]
    items = []
    for n, task in enumerate(tasks):
        unit, post = units[n % 3]
        due = wd.add_workdays(dt.date(2026, 9, 28), n * 2)
        items.append(make_item(w, today=start, task=task, lead_unit=unit, leader_post=post, due=due,
                               cooperating_units=[]))  # fmt: skip
    services.accept_item(actor=w.fin_clerk, item=items[0], today=start)
    seen = set()
    for offset in range(0, 35):
        day = dt.date(2026, 9, 20) + dt.timedelta(days=offset)
        for item in items:
            seen.add(both(item, day))
    assert {Light.GREEN, Light.AMBER, Light.RED} <= seen

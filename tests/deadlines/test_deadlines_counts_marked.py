"""CAL-2 where a list shows only the count of working days (剩 N 个工作日 / 超期 N 个工作日), not the date: the count is
a guess when it runs into a year without an official calendar, so it carries the same 暂定 badge as a date."""

from __future__ import annotations

import datetime as dt
import re
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.urls import reverse

from tests.documents import documents_support as docs
from tests.supervision.supervision_support import build_world as build_supervision_world
from tests.supervision.supervision_support import make_item
from tiexi_gov.workdays import calendar as wd

pytestmark = pytest.mark.django_db

TODAY = dt.date(2026, 12, 7)  # a Monday on the official 2026 calendar
MARKED_COUNT = re.compile(r"剩 \d+ 个工作日<span[^>]*data-testid=\"provisional\"[^>]*>暂定</span>")


@pytest.fixture(autouse=True)
def on_today():
    wd.invalidate()
    with time_machine.travel(dt.datetime(2026, 12, 7, 9, 0, tzinfo=ZoneInfo("Asia/Shanghai")), tick=False):
        yield
    wd.invalidate()


def test_cal_2_the_ledger_marks_a_count_that_runs_into_a_year_without_a_calendar(client):
    assert wd.is_provisional(dt.date(2027, 3, 1)) and not wd.is_provisional(TODAY)
    w = build_supervision_world()
    make_item(w, task="跨入暂定年度的事项", due=dt.date(2027, 3, 1), today=TODAY)
    make_item(w, task="本年度内的事项", due=dt.date(2026, 12, 18), today=TODAY)
    client.force_login(w.staff)
    rows = client.get(reverse("supervision:ledger")).content.decode().split('data-testid="ledger-row"')[1:]
    guessed = next(row for row in rows if "跨入暂定年度的事项" in row)
    official = next(row for row in rows if "本年度内的事项" in row)
    assert MARKED_COUNT.search(guessed), guessed
    assert "剩 " in official and 'data-testid="provisional"' not in official


def test_cal_2_the_document_list_marks_a_count_that_runs_into_a_year_without_a_calendar(client):
    w = docs.build_world()
    guessed = docs.in_leader_review(w, dt.date(2026, 12, 28), title="跨年审批的请示")  # due 2027-01-11 (暂定)
    official = docs.in_leader_review(w, TODAY, title="本年审批的请示")  # due 2026-12-21
    client.force_login(w.dep_a)  # both wait for the deputy's approval: his 待办 tab lists them with their counts
    html = client.get(reverse("documents:index")).content.decode()
    rows = html.split('data-testid="document-row"')[1:]
    guessed_row = next(row for row in rows if guessed.title in row)
    official_row = next(row for row in rows if official.title in row)
    assert MARKED_COUNT.search(guessed_row), guessed_row
    assert "剩 " in official_row and 'data-testid="provisional"' not in official_row


def _marked(html: str, testid: str) -> bool:
    """The element `data-testid=testid` carries the 暂定 badge right after its count."""
    part = html.split(f'data-testid="{testid}"', 1)[1].split("</div>", 1)[0]
    return bool(MARKED_COUNT.search(part))


def test_cal_2_the_item_page_marks_the_count_beside_the_offices_chosen_date(client):
    """The item page shows 完成时限 (a date the office chose, not computed) and the count of working days to it: the
    count into a year without a calendar is marked, as on the ledger."""
    w = build_supervision_world()
    guessed = make_item(w, task="跨入暂定年度的事项", due=dt.date(2027, 3, 1), today=TODAY)
    official = make_item(w, task="本年度内的事项", due=dt.date(2026, 12, 18), today=TODAY)
    client.force_login(w.staff)
    guessed_page = client.get(reverse("supervision:item", args=[guessed.pk])).content.decode()
    official_page = client.get(reverse("supervision:item", args=[official.pk])).content.decode()
    assert MARKED_COUNT.search(guessed_page.split('data-testid="due"', 1)[1].split("</td>", 1)[0])
    assert "剩 " in official_page and 'data-testid="provisional"' not in official_page.split('data-testid="due"')[1]


def test_cal_2_the_inquiries_mark_a_reply_count_that_runs_into_a_year_without_a_calendar(client):
    """On 28 December 2026, PUB-1's 5 working days from that day end in January 2027 (暂定): the list and the inquiry
    page mark the count; one received on 22 December ends within 2026 and is not marked."""
    from supervision.public import services as public_services

    day = dt.date(2026, 12, 28)
    w = build_supervision_world()

    def log(received_on, question):
        return public_services.log_inquiry(
            actor=w.staff, asker="张先生", question=question, received_on=received_on, unit=w.fin, today=day
        )

    with time_machine.travel(dt.datetime(2026, 12, 28, 9, 0, tzinfo=ZoneInfo("Asia/Shanghai")), tick=False):
        guessed = log(day, "跨年咨询：老旧小区加装电梯补贴如何申请？")
        official = log(dt.date(2026, 12, 22), "本年咨询：供暖费补贴何时发放？")
        _assert_inquiries_marked(client, w, guessed, official)


def _assert_inquiries_marked(client, w, guessed, official):
    assert wd.is_provisional(guessed.due) and not wd.is_provisional(official.due)
    client.force_login(w.staff)
    rows = client.get(reverse("supervision:inquiries")).content.decode().split("<tr")[1:]
    guessed_row = next(row for row in rows if "跨年咨询" in row)
    official_row = next(row for row in rows if "本年咨询" in row)
    assert _marked(guessed_row, "due"), guessed_row
    assert "剩 " in official_row and not _marked(official_row, "due")
    assert _marked(client.get(reverse("supervision:inquiry", args=[guessed.pk])).content.decode(), "due")
    assert not _marked(client.get(reverse("supervision:inquiry", args=[official.pk])).content.decode(), "due")

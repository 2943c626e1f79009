"""Issue 15.4, 逾期未阅 as .xlsx: the office downloads the list it follows up — the page's rows, opened with openpyxl,
text never read as a formula, a constant number of queries whatever its length; anyone else gets 404."""

from __future__ import annotations

import datetime as dt
import io
import itertools

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone
from openpyxl import load_workbook

from circulation import services
from circulation.models import Kind, Mode, Receipt
from tests.circulation.conftest import SENT_ON, _document

FRIDAY = dt.date(2026, 3, 6)  # Monday's receipts were due on Thursday (3 working days): one working day late
URL = reverse("circulation:overdue_export")
_numbers = itertools.count(200)


def _send(world, *, title=None, mode=Mode.CIRCULATE, read_by=None):
    i = next(_numbers)
    doc = _document(world.office, world.office_unit, number=f"铁西政办发〔2026〕{i}号", title=title or f"通知{i}")
    c = services.send_circulation(
        actor=world.office,
        kind=Kind.OUTGOING,
        item_id=doc.pk,
        post_ids=[world.deputy_post.pk],
        unit_ids=[world.unit_a.pk],
        mode=mode,
        today=SENT_ON,
    )
    if read_by is not None:
        receipt = c.receipts.get(unit=world.unit_a)
        services.read_receipt(actor=read_by, receipt=receipt, today=SENT_ON)
    return c


def _sheet(response):
    assert response.status_code == 200
    assert response["Content-Type"].startswith("application/vnd.openxmlformats")
    book = load_workbook(io.BytesIO(b"".join(response.streaming_content)))
    assert book.sheetnames == ["逾期未阅"]
    return book["逾期未阅"]


def test_15_4_overdue_export_holds_the_pages_rows_and_opens_with_openpyxl(world, client, time_machine):
    _send(world, title="关于做好春季防火工作的通知")
    _send(world, title='=HYPERLINK("http://x")', mode=Mode.NOTICE, read_by=world.clerk_a)  # the unit read it
    assert services.remind_unread(today=FRIDAY) == 3
    time_machine.move_to(dt.datetime(2026, 3, 9, 10, 0, tzinfo=dt.UTC), tick=False)  # Monday: 2 working days late
    client.force_login(world.office)
    page = client.get(reverse("circulation:overdue"))
    assert URL in page.content.decode()

    ws = _sheet(client.get(URL))
    rows = [[c.value for c in row] for row in ws.iter_rows()]
    assert rows[0][0] == "逾期未阅阅件（统计至2026-03-09）"
    assert rows[1] == [
        "序号",
        "送阅事项",
        "方式",
        "送阅对象",
        "送阅人",
        "送阅日期",
        "应阅日期",
        "超期（工作日）",
        "提醒时间",
    ]
    body = rows[2:]
    assert len(body) == page.context["page_obj"].paginator.count == 3
    assert [r[0] for r in body] == [1, 2, 3]
    listed = {(r[1].split(" ", 1)[1], r[2], r[3]) for r in body}
    assert listed == {
        ("关于做好春季防火工作的通知", "传阅", "副区长（分管农业）"),
        ("关于做好春季防火工作的通知", "传阅", "农业农村局"),
        ('=HYPERLINK("http://x")', "阅知", "副区长（分管农业）"),
    }
    for r in body:
        assert r[4] == "办公室小王" and r[5] == "2026-03-02" and r[6] == "2026-03-05" and r[7] == 2
    reminded = {
        f"{timezone.localtime(at):%Y-%m-%d %H:%M}" for at in Receipt.objects.values_list("reminded_at", flat=True)
    }
    assert {r[8] for r in body} <= reminded
    # text stays text: the formula-like title is a string cell, not a formula
    formula_like = [row[1] for row in ws.iter_rows(min_row=3) if "HYPERLINK" in str(row[1].value)]
    assert formula_like and all(cell.data_type == "s" for cell in formula_like)


def test_15_4_overdue_export_costs_a_constant_number_of_queries(world, client):
    _send(world)
    services.remind_unread(today=FRIDAY)
    client.force_login(world.office)
    client.get(URL)  # warm the per-process caches (content types, calendar)
    with CaptureQueriesContext(connection) as few:
        assert client.get(URL).status_code == 200
    for _ in range(6):
        _send(world)
    services.remind_unread(today=FRIDAY)
    with CaptureQueriesContext(connection) as many:
        ws = _sheet(client.get(URL))
    assert ws.max_row == 2 + 14
    assert len(many.captured_queries) == len(few.captured_queries)


@pytest.mark.parametrize("who", ["deputy", "clerk_a", "admin"])
def test_x_2_only_the_office_downloads_overdue(world, client, who):
    _send(world)
    services.remind_unread(today=FRIDAY)
    client.force_login(getattr(world, who))
    assert client.get(URL).status_code == 404


def test_overdue_export_needs_a_login(client):
    response = client.get(URL)
    assert response.status_code == 302 and "login" in response["Location"]

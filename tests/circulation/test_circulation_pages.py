"""Issue 15.4, the pages: 传阅阅知 (received, sent), the status page and 逾期未阅 each cost a constant number of queries
whatever the number of rows, and are paginated."""

from __future__ import annotations

import itertools
import re

from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from circulation import services
from circulation.models import Kind
from tests.circulation.conftest import SENT_ON, _document
from tests.factories import UnitFactory

FRIDAY = SENT_ON.replace(day=6)
_numbers = itertools.count(100)


def _send(world, n: int, units: list):
    last = None
    for _ in range(n):
        i = next(_numbers)
        doc = _document(world.office, world.office_unit, number=f"铁西政办发〔2026〕{i}号", title=f"通知{i}")
        last = services.send_circulation(
            actor=world.office,
            kind=Kind.OUTGOING,
            item_id=doc.pk,
            post_ids=[world.deputy_post.pk, world.head_post.pk],
            unit_ids=[u.pk for u in units],
            today=SENT_ON,
        )
    return last


def _queries(client, url) -> int:
    client.get(url)  # warm the per-process caches (content types, calendar)
    with CaptureQueriesContext(connection) as ctx:
        assert client.get(url).status_code == 200
    return len(ctx.captured_queries)


def test_15_4_list_status_and_overdue_pages_use_a_constant_number_of_queries(world, client):
    units = [world.unit_a, world.unit_b]
    first = _send(world, 1, units)
    services.remind_unread(today=FRIDAY)
    pages = {
        "sent": (world.office, reverse("circulation:index") + "?tab=sent"),
        "received": (world.deputy, reverse("circulation:index") + "?tab=received"),
        "overdue": (world.office, reverse("circulation:overdue")),
    }
    before = {}
    for name, (user, url) in pages.items():
        client.force_login(user)
        before[name] = _queries(client, url)
    client.force_login(world.office)
    status_before = _queries(client, reverse("circulation:detail", args=[first.pk]))

    more_units = units + [UnitFactory() for _ in range(6)]
    last = _send(world, 8, more_units)
    services.remind_unread(today=FRIDAY)
    for name, (user, url) in pages.items():
        client.force_login(user)
        assert _queries(client, url) <= before[name], name
        assert before[name] <= 12, name
    client.force_login(world.office)
    assert _queries(client, reverse("circulation:detail", args=[last.pk])) <= status_before <= 10
    page = client.get(reverse("circulation:detail", args=[last.pk])).content.decode()
    assert page.count('data-testid="receipt"') == 10


def test_15_4_lists_are_paginated(world, client):
    _send(world, 31, [])
    client.force_login(world.office)
    page = client.get(reverse("circulation:index") + "?tab=sent").content.decode()
    assert page.count('data-testid="circulation-row"') == 30 and "第 1 / 2 页" in page
    assert 'href="?tab=sent&amp;page=2"' in page  # the next page keeps the tab
    page = client.get(reverse("circulation:index") + "?tab=sent&page=2").content.decode()
    assert page.count('data-testid="circulation-row"') == 1
    assert client.get(reverse("circulation:index") + "?tab=bogus&page=abc").status_code == 200


def test_15_4_the_navbar_leads_people_to_their_circulations_and_hides_them_from_administrators(world, client):
    """A recipient reaches 传阅 by clicking, not by a typed URL; the administrators (who read nothing) see no link."""
    _send(world, 1, [world.unit_a])
    index = reverse("circulation:index")
    for user in (world.clerk_a, world.deputy, world.office):
        client.force_login(user)
        page = client.get(reverse("workflow:queue")).content.decode()
        assert f'href="{index}" data-testid="nav-circulation"' in page, user.username
    client.force_login(world.admin)
    assert 'data-testid="nav-circulation"' not in client.get(reverse("workflow:queue")).content.decode()


def test_15_4_a_leader_opening_circulation_sees_what_waits_for_them_and_the_office_what_it_sent(world, client):
    """A leader may send a circulation too, but comes to 传阅 to read: the page opens on 我收到的 with the unread item,
    not on an empty 我发出的. The office, which sends and follows up, lands on 我发出的."""
    _send(world, 1, [world.unit_a])
    client.force_login(world.deputy)
    page = client.get(reverse("circulation:index"))
    assert page.context["tab"] == "received" and len(page.context["rows"]) == 1
    client.force_login(world.office)
    assert client.get(reverse("circulation:index")).context["tab"] == "sent"


def test_15_4_status_and_overdue_pages_name_who_holds_each_unread_post(world, client):
    """Four deputies' posts all read 副区长: an unread receipt is told apart by its holder (副区长（…）), on the
    sender's status page and on the office's overdue list, before anyone has read it."""
    sent = _send(world, 1, [world.unit_a])
    services.remind_unread(today=FRIDAY)
    holder = f'<span class="small text-secondary">（{world.deputy.display_name}）</span>'
    named = f"{world.deputy_post.title}</a>{holder}"
    client.force_login(world.office)
    status = client.get(reverse("circulation:detail", args=[sent.pk])).content.decode()
    assert named in status
    overdue = client.get(reverse("circulation:overdue")).content.decode()
    assert f"{world.deputy_post.title}{holder}" in overdue


def test_15_4_a_leaders_annotation_asks_before_it_is_sent(world, client):
    """批注（已阅） records the leader's note for good (a receipt is annotated once) and sends it to whoever circulated
    the document, like a 批示 on a submission, which asks "确认提交批示？提交后不能修改。". The note went out on one
    tap; the form now asks first."""
    circulation = _send(world, 1, [])
    receipt = circulation.receipts.get(post=world.deputy_post)
    client.force_login(world.deputy)
    page = client.get(reverse("circulation:receipt", args=[receipt.pk])).content.decode()
    form = re.search(r'<form[^>]*data-testid="annotate-form"[^>]*>', page).group(0)
    assert 'data-confirm="确认提交批注？' in form

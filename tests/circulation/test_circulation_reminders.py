"""Issue 15.4, unread after N working days (setting CIRCULATION_REMIND_AFTER_WORKDAYS, default 3, counted on the
official calendar) is reminded once — an in-app notice, exactly once even if the sweep runs twice — and then listed
for the office on 逾期未阅."""

from __future__ import annotations

import datetime as dt

from django.urls import reverse

from circulation import services
from circulation.models import Kind
from circulation.tasks import remind_unread
from tests.circulation.conftest import SENT_ON
from tiexi_gov.audit.models import Event
from tiexi_gov.notify.models import Message

THURSDAY, FRIDAY, NEXT_MONDAY = dt.date(2026, 3, 5), dt.date(2026, 3, 6), dt.date(2026, 3, 9)


def _send(world, **kw):
    return services.send_circulation(
        actor=world.office,
        kind=Kind.OUTGOING,
        item_id=world.document.pk,
        post_ids=[world.deputy_post.pk],
        unit_ids=[world.unit_a.pk],
        today=SENT_ON,
        **kw,
    )


def _reminders():
    return Message.objects.filter(subject__startswith="【催阅】", level=Message.Level.REMINDER)


def test_15_4_unread_after_3_workdays_is_reminded_once(world):
    c = _send(world)
    assert c.remind_after == 3
    assert services.remind_unread(today=THURSDAY) == 0  # the 3rd working day after Monday: not late yet
    assert services.remind_unread(today=FRIDAY) == 2
    assert set(_reminders().values_list("recipient__username", flat=True)) == {"fqz", "nyj_ws", "nyj_jz"}
    assert services.remind_unread(today=FRIDAY) == 0  # the sweep runs twice
    assert services.remind_unread(today=NEXT_MONDAY) == 0
    assert _reminders().count() == 3
    deputy_copy = c.receipts.get(post=world.deputy_post)
    assert Event.objects.for_object(deputy_copy).filter(action="circulation_reminded").count() == 1


def test_15_4_a_receipt_read_in_time_is_never_reminded(world):
    c = _send(world)
    services.read_receipt(actor=world.deputy, receipt=c.receipts.get(post=world.deputy_post), today=THURSDAY)
    assert services.remind_unread(today=FRIDAY) == 1
    assert not _reminders().filter(recipient=world.deputy).exists()


def test_15_4_working_days_not_weekdays_count(world, settings):
    """Sent on the last working day before the 2026 Qingming holiday (4-6 April): 2 working days run to 8 April."""
    settings.CIRCULATION_REMIND_AFTER_WORKDAYS = 2
    c = services.send_circulation(
        actor=world.office,
        kind=Kind.OUTGOING,
        item_id=world.document.pk,
        post_ids=[world.deputy_post.pk],
        today=dt.date(2026, 4, 3),
    )
    assert c.remind_after == 2
    assert services.remind_unread(today=dt.date(2026, 4, 8)) == 0  # weekdays alone would have reminded on the 8th
    assert services.remind_unread(today=dt.date(2026, 4, 9)) == 1


def test_15_4_the_beat_task_runs_the_sweep():
    assert remind_unread.name == "circulation.tasks.remind_unread"
    from tiexi_gov.celery import app

    assert app.conf.beat_schedule["circulation-unread-sweep"]["task"] == "circulation.tasks.remind_unread"


def test_15_4_reminded_and_still_unread_is_listed_for_the_office(world, client):
    c = _send(world)
    client.force_login(world.office)
    assert "没有逾期未阅的阅件" in client.get(reverse("circulation:overdue")).content.decode()
    services.remind_unread(today=FRIDAY)
    services.read_receipt(actor=world.clerk_a, receipt=c.receipts.get(unit=world.unit_a))  # read after the reminder
    page = client.get(reverse("circulation:overdue")).content.decode()
    assert page.count('data-testid="overdue-row"') == 1
    assert "副区长（分管农业）" in page and "2026-03-05" in page
    for outsider in (world.deputy, world.clerk_b, world.admin):
        client.force_login(outsider)
        assert client.get(reverse("circulation:overdue")).status_code == 404

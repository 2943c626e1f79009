"""SUP-2 (第四十九条): every unit reports at least every half year to its higher-level counterpart department,
with a copy filed with the office; each unit's half-year report is its own deadline, reminded and escalated
by the sweep exactly once."""

from __future__ import annotations

import datetime as dt
import re

import pytest
from django.contrib.contenttypes.models import ContentType
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone
from supervision_support import DAY

from supervision.ledger import services
from supervision.models import HalfYearReport, SupervisionFile
from supervision.reports import services as report_services
from supervision.reports.views import last_ended_half
from tests.factories import UnitFactory
from tiexi_gov.audit.models import Event
from tiexi_gov.deadlines import services as deadline_services
from tiexi_gov.deadlines.models import Deadline
from tiexi_gov.notify.models import Message
from tiexi_gov.org.models import Unit
from tiexi_gov.workdays import calendar as wd

pytestmark = [pytest.mark.postgres, pytest.mark.django_db]

PDF = b"%PDF-1.7\n%\xe2\xe3\xcf\xd3\n1 0 obj <<>> endobj\n"


@pytest.fixture
def today():
    return timezone.localdate()


@pytest.fixture(autouse=True)
def media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path


def _deadlines(**filters):
    ct = ContentType.objects.get_for_model(HalfYearReport)
    return Deadline.objects.filter(subject_type=ct, rule_id="SUP-2", **filters)


def _deadline(report) -> Deadline:
    return _deadlines(subject_id=str(report.pk)).get()


def _report(unit, year=2026, half=1) -> HalfYearReport:
    return HalfYearReport.objects.get(unit=unit, year=year, half=half)


def _keys(deadline, kind) -> list[str]:
    return sorted(
        Message.objects.filter(key__startswith=f"deadline:{deadline.pk}:{kind}:").values_list("key", flat=True)
    )


def test_sup_2_half_year_report_tracked_per_unit_as_its_own_deadline(world):
    created = report_services.open_half_year_round(actor=world.staff, year=2026, half=1, today=DAY)
    working = [world.fin, world.dev, world.other]  # the government itself and its office report to no one here
    assert created == 3
    assert set(HalfYearReport.objects.values_list("unit_id", flat=True)) == {u.pk for u in working}
    due = wd.add_workdays(dt.date(2026, 6, 30), report_services.HALF_YEAR_LEAD_WORKDAYS)
    for unit in working:
        report = _report(unit)
        deadline = _deadline(report)
        assert report.state == HalfYearReport.State.PENDING and report.due == due
        assert deadline.owner_unit == unit and deadline.due == due and deadline.counted_from == dt.date(2026, 6, 30)

    # Idempotent: a second run adds nothing; a unit set up since then gets its row on the next run.
    assert report_services.open_half_year_round(actor=world.staff, year=2026, half=1, today=DAY) == 0
    assert HalfYearReport.objects.count() == 3 and _deadlines().count() == 3
    newcomer = UnitFactory(name="铁西区卫生健康局", short_name="卫健局", code="health", kind=Unit.Kind.DEPARTMENT)
    assert report_services.open_half_year_round(year=2026, half=1, today=DAY) == 1
    assert _deadlines().count() == 4 and _report(newcomer).due == due

    # Only the unit itself files it; filing names the counterpart department and stops the clock.
    with pytest.raises(services.ActionNotAllowed):
        report_services.file_half_year_report(
            actor=world.dev_clerk, report=_report(world.fin), summary="越权", counterpart="四平市发改委", today=DAY
        )
    filed = report_services.file_half_year_report(
        actor=world.fin_clerk,
        report=_report(world.fin),
        summary="上半年财政收支执行情况",
        counterpart="四平市财政局",
        sent_on=dt.date(2026, 7, 8),
        today=dt.date(2026, 7, 8),
    )
    assert filed.state == HalfYearReport.State.FILED and filed.counterpart == "四平市财政局"
    assert filed.sent_to_counterpart_on == dt.date(2026, 7, 8) and filed.filed_by == world.fin_clerk
    fin_deadline = _deadline(filed)
    assert fin_deadline.closed_at is not None and fin_deadline.state != Deadline.State.OPEN
    assert Event.objects.for_object(filed).filter(action="filed", opinion__contains="四平市财政局").exists()
    with pytest.raises(services.AlreadyHandled):
        report_services.file_half_year_report(actor=world.fin_clerk, report=filed, summary="再报", counterpart="x")

    # A unit that does not file is reminded the working day before, once, and escalated after, once.
    dev_deadline = _deadline(_report(world.dev))
    deadline_services.sweep(today=dev_deadline.remind_on)
    deadline_services.sweep(today=dev_deadline.remind_on)
    assert _keys(dev_deadline, "remind") == [f"deadline:{dev_deadline.pk}:remind:{world.dev_clerk.pk}"]
    late = wd.add_workdays(due, 1)
    deadline_services.sweep(today=late)
    deadline_services.sweep(today=late)
    assert _keys(dev_deadline, "escalate") == sorted(
        f"deadline:{dev_deadline.pk}:escalate:{u.pk}" for u in (world.dev_clerk, world.director)
    )
    dev_deadline.refresh_from_db()
    assert dev_deadline.state == Deadline.State.MISSED
    assert not Message.objects.filter(key__startswith=f"deadline:{fin_deadline.pk}:").exists()  # filed: silent


def test_sup_2_beat_opens_the_round_of_the_half_year_that_ended(world):
    assert report_services.open_due_half_year_rounds(today=dt.date(2026, 7, 1)) == 3
    assert set(HalfYearReport.objects.values_list("year", "half").distinct()) == {(2026, 1)}
    assert report_services.open_due_half_year_rounds(today=dt.date(2026, 11, 30)) == 0
    assert report_services.open_due_half_year_rounds(today=dt.date(2027, 1, 4)) == 3
    assert HalfYearReport.objects.filter(year=2026, half=2).count() == 3


def test_sup_2_unit_files_its_report_through_the_page_and_the_clock_is_met(world, client, today):
    year, half = last_ended_half(today)
    report_services.open_half_year_round(year=year, half=half, due=wd.add_workdays(today, 5))
    fin_report, dev_report = _report(world.fin, year, half), _report(world.dev, year, half)

    client.force_login(world.fin_clerk)
    listing = client.get(reverse("supervision:half_year")).content.decode()
    assert listing.count('data-testid="half-year-row"') == 1 and "待报送" in listing
    assert reverse("supervision:half_year_file", args=[fin_report.pk]) in listing
    assert client.get(reverse("supervision:half_year_file", args=[dev_report.pk])).status_code == 404
    assert client.get(reverse("supervision:half_year_file", args=[fin_report.pk])).status_code == 200

    # The form refuses a missing counterpart, writing nothing.
    url = reverse("supervision:half_year_file", args=[fin_report.pk])
    response = client.post(url, {"summary": "摘要", "counterpart": "", "sent_on": today.isoformat()})
    assert response.status_code == 200 and _report(world.fin, year, half).state == HalfYearReport.State.PENDING

    upload = SimpleUploadedFile("半年报告.pdf", PDF, content_type="application/pdf")
    response = client.post(
        url, {"summary": "半年工作总结", "counterpart": "四平市财政局", "sent_on": today.isoformat(), "files": [upload]}
    )
    assert response.status_code == 302
    report = _report(world.fin, year, half)
    assert report.state == HalfYearReport.State.FILED and report.counterpart == "四平市财政局"
    assert SupervisionFile.objects.get(half_year_report=report).name == "半年报告.pdf"
    assert _deadline(report).state == Deadline.State.MET
    page = client.get(url).content.decode()  # read-only once filed
    assert "四平市财政局" in page and "半年报告.pdf" in page and 'data-testid="half-year-form"' not in page

    for user in (world.dev_clerk, world.outsider):
        client.force_login(user)
        assert client.get(url).status_code == 404
    # A deputy sees the units of the portfolio but files for none of them.
    client.force_login(world.dep_a)
    listing = client.get(reverse("supervision:half_year")).content.decode()
    assert "财政局" in listing and "发改局" not in listing and 'data-testid="file-link"' not in listing
    # ...and reads the list only: the filed report's page is the unit's and the office's, so no 查看 leads to a 404.
    assert client.get(url).status_code == 404 and url not in listing
    client.force_login(world.staff)
    assert url in client.get(reverse("supervision:half_year")).content.decode()


def test_sup_2_half_year_report_sent_before_the_half_year_ended_is_refused_and_the_form_kept(world, client, today):
    """第四十九条: the half-year report is on the half-year's work, so it cannot have been sent before that half-year
    ended; its last day is the earliest date (a future date is refused already)."""
    year, half = last_ended_half(today)
    report_services.open_half_year_round(year=year, half=half, due=wd.add_workdays(today, 5))
    report = _report(world.fin, year, half)
    end = report_services.half_year_end(year, half)
    url = reverse("supervision:half_year_file", args=[report.pk])
    client.force_login(world.fin_clerk)
    typed = {"summary": "半年工作总结（未完）", "counterpart": "四平市财政局"}
    for early in (dt.date(2020, 1, 1), end - dt.timedelta(days=1)):
        response = client.post(url, {**typed, "sent_on": early.isoformat()})
        assert response.status_code == 200
        assert _report(world.fin, year, half).state == HalfYearReport.State.PENDING
        message = " ".join(str(m) for m in response.context["messages"])
        assert f"报送日期不能早于{end.year}年{end.month}月{end.day}日" in message and "第四十九条" in message
        form = response.context["form"]
        assert form["summary"].value() == typed["summary"] and form["sent_on"].value() == early.isoformat()
        assert typed["summary"] in response.content.decode() and "报送日期不能早于" in response.content.decode()
    assert not Event.objects.for_object(report).filter(action="filed").exists()

    # The office filing the unit's paper copy is held to the same date.
    with pytest.raises(services.SupervisionError, match="第四十九条"):
        report_services.file_half_year_report(
            actor=world.staff, report=report, summary="纸质", counterpart="市财政局", sent_on=end - dt.timedelta(1)
        )

    response = client.post(url, {**typed, "sent_on": end.isoformat()})
    assert response.status_code == 302
    filed = _report(world.fin, year, half)
    assert filed.state == HalfYearReport.State.FILED and filed.sent_to_counterpart_on == end


def test_sup_2_office_sees_every_unit_opens_a_round_and_pages_with_constant_queries(world, client, today):
    report_services.open_half_year_round(year=2026, half=1, today=DAY)  # due 2026-07-14
    report_services.file_half_year_report(
        actor=world.fin_clerk, report=_report(world.fin), summary="摘要", counterpart="四平市财政局"
    )
    client.force_login(world.director)
    page = client.get(reverse("supervision:half_year"), {"year": 2026, "half": 1}).content.decode()
    assert page.count('data-testid="half-year-row"') == 3
    assert page.count('data-state="filed"') == 1
    expected = "overdue" if today > _report(world.dev).due else "pending"
    assert page.count(f'data-state="{expected}"') == 2

    # Opening a round: the office only, default due from the service, idempotent.
    response = client.post(reverse("supervision:half_year"), {"action": "open", "year": 2025, "half": 2})
    assert response.status_code == 302 and HalfYearReport.objects.filter(year=2025, half=2).count() == 3
    assert _report(world.dev, 2025, 2).due == wd.add_workdays(dt.date(2025, 12, 31), 10)
    client.post(reverse("supervision:half_year"), {"action": "open", "year": 2025, "half": 2})
    assert HalfYearReport.objects.filter(year=2025, half=2).count() == 3
    page = client.get(reverse("supervision:half_year"), {"year": 2025, "half": 2, "state": "filed"}).content.decode()
    assert 'data-testid="half-year-row"' not in page

    client.force_login(world.fin_clerk)
    response = client.post(reverse("supervision:half_year"), {"action": "open", "year": 2024, "half": 1})
    assert response.status_code == 404 and not HalfYearReport.objects.filter(year=2024).exists()

    client.force_login(world.director)

    def queries() -> int:
        with CaptureQueriesContext(connection) as ctx:
            assert client.get(reverse("supervision:half_year"), {"year": 2026, "half": 1}).status_code == 200
        return len(ctx.captured_queries)

    small = queries()
    for n in range(12):
        UnitFactory(name=f"街道办事处{n}", code=f"street{n}", kind=Unit.Kind.STREET)
    assert report_services.open_half_year_round(year=2026, half=1, today=DAY) == 12
    assert queries() == small


def test_sup_2_filing_the_half_year_report_asks_before_it_is_sent(world, client, today):
    """报送并备案 sends the report to the unit's higher-level counterpart and files it with the office (第四十九条);
    a filed report cannot be changed or taken back. The form asks before it is sent, as 报办结 and the other sends
    do; it went out on one tap."""
    year, half = last_ended_half(today)
    report_services.open_half_year_round(year=year, half=half, due=wd.add_workdays(today, 5))
    client.force_login(world.fin_clerk)
    page = client.get(reverse("supervision:half_year_file", args=[_report(world.fin, year, half).pk])).content.decode()
    form = re.search(r'<form[^>]*data-testid="half-year-form"[^>]*>', page).group(0)
    assert 'data-confirm="确认报送并备案？' in form

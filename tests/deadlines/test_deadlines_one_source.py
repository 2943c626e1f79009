"""Issue 13.3 / CAL-2: one source for every working-day date.

Every date the clock derives and a model stores beside its Deadline is listed in `deadlines.derived` and follows
a calendar import in the same transaction as its Deadline row; wherever a provisional date is shown (pages, the
slip and its .docx, the .ics feed, the ledger export, messages) it is marked 暂定, and an official one is not.
"""

from __future__ import annotations

import datetime as dt
import io
import re
from pathlib import Path

import icalendar
import pytest
from django.apps import apps
from django.conf import settings
from django.db import models
from django.urls import reverse
from docx import Document
from openpyxl import load_workbook

from coordination.upkeep import services as upkeep
from documents.models import ConsultationRequest, LeaderAssignment, ProcessingSlip, Submission
from documents.submissions import services as doc_services
from meetings.meeting import services as meeting_services
from meetings.models import MeetingKind
from meetings.schedule import ics
from meetings.schedule import services as schedule_services
from supervision.ledger import services as ledger_services
from supervision.models import ReportCycle, SupervisionItem
from supervision.public import services as public_services
from supervision.reports import services as report_services
from supervision.reports.models import HalfYearReport
from tests.coordination.upkeep_support import make_body
from tests.documents import documents_support as docs
from tests.meetings.meetings_support import build_world as build_meetings_world
from tests.supervision.supervision_support import make_item
from tiexi_gov.deadlines import derived
from tiexi_gov.deadlines.display import DueDate, due_date, due_label
from tiexi_gov.deadlines.models import Deadline
from tiexi_gov.notify.models import Message
from tiexi_gov.workdays import calendar as wd
from tiexi_gov.workdays.services import import_overrides_csv

pytestmark = pytest.mark.django_db

ROOT = Path(settings.BASE_DIR)

# A State Council notice for 2027 as the office would import it: 元旦 off, 春节 5-11 February off, a make-up Saturday.
NOTICE_2027 = """日期,是否工作日,事由,依据通知
2027-01-01,放假,元旦,国办发明电〔2026〕9号
2027-02-05,放假,春节,国办发明电〔2026〕9号
2027-02-08,放假,春节,国办发明电〔2026〕9号
2027-02-09,放假,春节,国办发明电〔2026〕9号
2027-02-10,放假,春节,国办发明电〔2026〕9号
2027-02-11,放假,春节,国办发明电〔2026〕9号
2027-02-20,上班,春节调休,国办发明电〔2026〕9号
"""

MON_DEC_28 = dt.date(2026, 12, 28)
FRI_DEC_25 = dt.date(2026, 12, 25)
THU_DEC_31 = dt.date(2026, 12, 31)
NO_BADGE = 'data-testid="provisional"'

# Every call into the working-day calendar outside tests, demos and benchmarks, by file, and what it feeds.
# A new file here is a new clock date: store it through deadlines.derived (or do not store it) and list it.
CALENDAR_CALL_SITES = {
    "documents/submissions/services.py": "ProcessingSlip.approval_due, ConsultationRequest.due, LeaderAssignment.due",
    "documents/submissions/checks.py": "checks at submission; nothing stored",
    "meetings/meeting/services.py": "last_filing_day: computed on each read (DueDate), never stored",
    "supervision/ledger/services.py": "SupervisionItem.next_report_due",
    "supervision/ledger/selectors.py": "the amber light's horizon; nothing stored",
    "supervision/reports/services.py": "HalfYearReport.due",
    "coordination/upkeep/services.py": "AnnualTargets.due",
    "tiexi_gov/deadlines/services.py": "Deadline.due / remind_on themselves",
}
CALENDAR_CALL = re.compile(r"\b(add_workdays|subtract_workdays|next_workday|previous_workday|workday_on_or_after)\(")
DERIVED_LOOKING = re.compile(r"(^|_)(due|deadline|remind)(_|$)|_by$|filing_day")


@pytest.fixture(autouse=True)
def fresh_calendar_cache():
    wd.invalidate()
    yield
    wd.invalidate()


def _import_2027(django_capture_on_commit_callbacks, actor=None):
    """Through the real import service; calendar_changed fires on commit and recomputes."""
    with django_capture_on_commit_callbacks(execute=True):
        result = import_overrides_csv(file=io.StringIO(NOTICE_2027), actor=actor)
    assert result.official_years == [2027]
    assert not wd.is_provisional(dt.date(2027, 1, 1))


def _running(obj, rule_id: str) -> Deadline:
    from django.contrib.contenttypes.models import ContentType

    return Deadline.objects.get(
        subject_type=ContentType.objects.get_for_model(obj), subject_id=str(obj.pk), rule_id=rule_id, closed_at=None
    )


# --- the registry is complete ------------------------------------------------------------------------------------


def test_cal_2_every_derived_looking_date_field_is_registered_or_explained():
    """A new DateField named like a clock date must be listed in deadlines.derived (or NOT_DERIVED with a reason)."""
    registered = {str(e) for e in derived.entries()}
    explained = set(derived.NOT_DERIVED)
    project = [a for a in apps.get_app_configs() if Path(a.path).is_relative_to(ROOT) and ".venv" not in a.path]
    found = set()
    for config in project:
        for model in config.get_models():
            for field in model._meta.get_fields():
                if type(field) is models.DateField and DERIVED_LOOKING.search(field.name):
                    found.add(f"{model._meta.label}.{field.name}")
    assert found - registered - explained == set()
    assert registered <= found, "a registry entry names a field that does not exist"
    assert not registered & explained
    for entry in derived.entries():  # every entry resolves: its model, subject and compute function
        assert entry.model_class._meta.get_field(entry.field)
        assert entry.subject_model is not None
        if entry.compute:
            assert callable(entry.function())


def test_cal_2_every_calendar_call_site_is_accounted_for():
    sites = set()
    for base in ("documents", "meetings", "supervision", "coordination", "tiexi_gov"):
        for path in (ROOT / base).rglob("*.py"):
            rel = path.relative_to(ROOT).as_posix()
            if "/migrations/" in rel or "/management/" in rel or rel.endswith("demo.py"):
                continue
            if rel.startswith("tiexi_gov/workdays/"):
                continue  # the calendar itself
            if CALENDAR_CALL.search(path.read_text(encoding="utf-8")):
                sites.add(rel)
    assert sites == set(CALENDAR_CALL_SITES)


# --- every derived date follows an import ------------------------------------------------------------------------


def test_cal_2_every_derived_date_follows_calendar_import(django_capture_on_commit_callbacks):
    w = docs.build_world()
    # ProcessingSlip.approval_due and LeaderAssignment.due: registered 28 Dec, 10 WD (一般件).
    sub = docs.in_leader_review(w, MON_DEC_28)
    slip = ProcessingSlip.objects.get(submission=sub)
    assignment = LeaderAssignment.objects.get(submission=sub, state=LeaderAssignment.State.PENDING)
    # ConsultationRequest.due: 5 WD from 28 Dec.
    draft = docs.draft(w, MON_DEC_28, title="关于征求意见的请示")
    (consultation,) = doc_services.request_consultation(
        actor=w.fin_clerk, submission=draft, units=[w.dev], limit_wd=5, today=MON_DEC_28
    )
    # PublicInquiry.due: 5 WD from receipt.
    inquiry = public_services.log_inquiry(
        actor=w.staff, asker="市民张某", question="路灯何时维修？", unit=w.dev, received_on=MON_DEC_28, today=MON_DEC_28
    )
    # SupervisionItem.next_report_due: weekly from Fri 25 Dec → 1 January, moved off a holiday.
    item = make_item(w, today=FRI_DEC_25, cycle=ReportCycle.WEEKLY, due=dt.date(2027, 3, 31))
    item = ledger_services.accept_item(actor=w.fin_clerk, item=item, today=FRI_DEC_25)
    # HalfYearReport.due: 10 WD after 31 December.
    report_services.open_half_year_round(actor=w.staff, year=2026, half=2, today=THU_DEC_31)
    report = HalfYearReport.objects.filter(year=2026, half=2).first()
    assert report is not None
    # AnnualTargets.due: 25 WD after 1 January 2027 (reaches 春节).
    make_body("安全生产委员会", host=w.fin, head=w.fin_head_post)
    (targets,) = upkeep.open_targets(actor=w.staff, year=2027, workdays=25, today=MON_DEC_28)

    # (object, field, rule of its clock, provisional day (Mon-Fri), day on the official calendar)
    d = dt.date
    cases = {
        "documents.ProcessingSlip.approval_due": (slip, sub, "DOC-13", d(2027, 1, 11), d(2027, 1, 12)),
        "documents.LeaderAssignment.due": (assignment, assignment, "DOC-13", d(2027, 1, 11), d(2027, 1, 12)),
        "documents.ConsultationRequest.due": (consultation, consultation, "DOC-7", d(2027, 1, 4), d(2027, 1, 5)),
        "supervision.PublicInquiry.due": (inquiry, inquiry, "PUB-1", d(2027, 1, 4), d(2027, 1, 5)),
        "supervision.SupervisionItem.next_report_due": (item, item, "SUP-2", d(2027, 1, 1), d(2027, 1, 4)),
        "supervision.HalfYearReport.due": (report, report, "SUP-2", d(2027, 1, 14), d(2027, 1, 15)),
        "coordination.AnnualTargets.due": (targets, targets, "CRD-5", d(2027, 2, 5), d(2027, 2, 12)),
    }
    assert set(cases) == {str(e) for e in derived.entries()}, "every registered field is proven here"
    fields = {key: key.rsplit(".", 1)[1] for key in cases}

    for key, (obj, subject, rule, before, _after) in cases.items():
        obj.refresh_from_db()
        clock = _running(subject, rule)
        assert getattr(obj, fields[key]) == before, key
        assert clock.due == before and clock.provisional, key

    _import_2027(django_capture_on_commit_callbacks, actor=w.staff)

    for key, (obj, subject, rule, _before, after) in cases.items():
        obj.refresh_from_db()
        clock = _running(subject, rule)
        assert getattr(obj, fields[key]) == after, key
        assert clock.due == after and not clock.provisional, key  # page and clock agree
        assert clock.remind_on == wd.subtract_workdays(after, 1), key
    assert not Deadline.objects.filter(provisional=True, closed_at=None).exists()


def test_cal_2_a_person_fixed_date_keeps_its_day_on_import(django_capture_on_commit_callbacks):
    """An extension the units agreed (a fixed day) and a due the office gave are not the clock's: they stay."""
    w = docs.build_world()
    draft = docs.draft(w, MON_DEC_28, title="关于征求意见的请示")
    (req,) = doc_services.request_consultation(
        actor=w.fin_clerk, submission=draft, units=[w.dev], limit_wd=5, today=MON_DEC_28
    )
    req = doc_services.agree_extension(
        actor=w.fin_clerk, consultation=req, new_due=dt.date(2027, 1, 8), today=dt.date(2026, 12, 29)
    )
    report_services.open_half_year_round(actor=w.staff, year=2026, half=2, due=dt.date(2027, 1, 20), today=THU_DEC_31)
    _import_2027(django_capture_on_commit_callbacks)
    req.refresh_from_db()
    assert req.extended_due == dt.date(2027, 1, 8) and _running(req, "DOC-7").due == dt.date(2027, 1, 8)
    assert set(HalfYearReport.objects.values_list("due", flat=True)) == {dt.date(2027, 1, 20)}


# --- 暂定 wherever a provisional date is shown ----------------------------------------------------------------


def test_cal_2_due_label_marks_provisional_dates_and_spans():
    assert due_label(dt.date(2027, 1, 4)) == "2027-01-04（暂定）"
    assert due_label(dt.date(2026, 12, 30)) == "2026-12-30"
    # 3 WD before Monday 4 January 2027 lands in 2026, but counts across 1 January: still a guess.
    crossing = due_date(wd.subtract_workdays(dt.date(2027, 1, 4), 3), since=dt.date(2027, 1, 4))
    assert isinstance(crossing, DueDate) and crossing == dt.date(2026, 12, 30)
    assert due_label(crossing, "Y年n月j日") == "2026年12月30日（暂定）"


def _docx_text(content: bytes) -> str:
    doc = Document(io.BytesIO(content))
    return "\n".join(
        [p.text for p in doc.paragraphs] + [c.text for t in doc.tables for row in t.rows for c in row.cells]
    )


def test_cal_2_provisional_date_marked_on_item_page_slip_and_slip_docx(client, django_capture_on_commit_callbacks):
    w = docs.build_world()
    sub = docs.in_leader_review(w, MON_DEC_28)
    slip = ProcessingSlip.objects.get(submission=sub)
    assert slip.approval_due == dt.date(2027, 1, 11)
    client.force_login(w.staff)

    item_page = client.get(reverse("documents:detail", args=[sub.pk])).content.decode()
    slip_page = client.get(reverse("documents:slip", args=[sub.pk])).content.decode()
    slip_docx = _docx_text(client.get(reverse("documents:slip_docx", args=[sub.pk])).content)
    assert re.search(r"2027-01-11\s*<span[^>]*data-testid=\"provisional\"[^>]*>暂定</span>", item_page)
    assert re.search(r"1月11日\s*<span[^>]*>暂定</span>", slip_page)
    assert "1月11日（暂定）前" in slip_docx
    # The leader was told the provisional day as such.
    assert Message.objects.filter(body__contains="请于2027-01-11（暂定）前签批").exists()

    _import_2027(django_capture_on_commit_callbacks)
    item_page = client.get(reverse("documents:detail", args=[sub.pk])).content.decode()
    slip_page = client.get(reverse("documents:slip", args=[sub.pk])).content.decode()
    slip_docx = _docx_text(client.get(reverse("documents:slip_docx", args=[sub.pk])).content)
    # The audit record keeps what was said at the time; the page's dates carry no 暂定 badge any more.
    assert "2027-01-12 前" in item_page and NO_BADGE not in item_page
    assert "1月12日" in slip_page and "暂定" not in slip_page
    assert "1月12日前" in slip_docx and "暂定" not in slip_docx


def test_cal_2_provisional_date_marked_on_opinion_request_page(client, django_capture_on_commit_callbacks):
    w = docs.build_world()
    draft = docs.draft(w, MON_DEC_28, title="关于征求意见的请示")
    doc_services.request_consultation(actor=w.fin_clerk, submission=draft, units=[w.dev], limit_wd=5, today=MON_DEC_28)
    assert Message.objects.filter(body__contains="请于2027-01-04（暂定）前书面回复意见").exists()
    client.force_login(w.dev_clerk)  # the consulted unit
    url = reverse("documents:detail", args=[draft.pk])
    html = client.get(url).content.decode()
    assert re.search(r"2027-01-04\s*<span[^>]*>暂定</span>", html)

    _import_2027(django_capture_on_commit_callbacks)
    html = client.get(url).content.decode()
    assert "2027-01-05前" in html and NO_BADGE not in html
    assert ConsultationRequest.objects.get(submission=draft).due == dt.date(2027, 1, 5)


def test_cal_2_new_years_day_filing_deadline_marked_on_meeting_page_and_ics(client, django_capture_on_commit_callbacks):
    """The meeting of Wednesday 6 January 2027: Mon-Fri counting makes 1 January (元旦) its filing deadline."""
    w = build_meetings_world()
    meeting_services.ensure_standing_seats()
    meeting = schedule_services.schedule_ad_hoc(
        actor=w.staff, kind=MeetingKind.EXECUTIVE, date=dt.date(2027, 1, 6), reason="研究重点工作", today=MON_DEC_28
    )
    meeting = schedule_services.consent_ad_hoc(actor=w.head, meeting=meeting, today=MON_DEC_28)
    assert meeting_services.last_filing_day(meeting) == dt.date(2027, 1, 1)
    client.force_login(w.staff)
    url = reverse("meetings:meeting", args=[meeting.pk])

    html = client.get(url).content.decode()
    assert re.search(r"2027年1月1日\s*<span[^>]*data-testid=\"provisional\"[^>]*>暂定</span>", html)
    feed = icalendar.Calendar.from_ical(ics.render([meeting]))
    (event,) = feed.walk("VEVENT")
    assert "议题请示报送截止：2027-01-01（暂定）" in str(event["DESCRIPTION"])

    _import_2027(django_capture_on_commit_callbacks)
    assert meeting_services.last_filing_day(meeting) == dt.date(2026, 12, 31)
    html = client.get(url).content.decode()
    assert "2026年12月31日" in html and NO_BADGE not in html
    (event,) = icalendar.Calendar.from_ical(ics.render([meeting])).walk("VEVENT")
    assert "议题请示报送截止：2026-12-31（" in str(event["DESCRIPTION"]) and "暂定" not in str(event["DESCRIPTION"])


def test_cal_2_provisional_date_marked_in_ledger_export_and_item_page(client, django_capture_on_commit_callbacks):
    w = docs.build_world()
    item = make_item(w, today=FRI_DEC_25, cycle=ReportCycle.WEEKLY, due=dt.date(2027, 3, 31))
    ledger_services.accept_item(actor=w.fin_clerk, item=item, today=FRI_DEC_25)
    client.force_login(w.staff)

    def exported() -> str:
        response = client.get(reverse("supervision:ledger_export"))
        sheet = load_workbook(io.BytesIO(b"".join(response.streaming_content)), read_only=True).worksheets[0]
        rows = list(sheet.iter_rows(values_only=True))
        return rows[1][list(rows[0]).index("下次报告截止")]

    page = reverse("supervision:item", args=[item.pk])
    assert exported() == "2027-01-01（暂定）"
    assert re.search(r"2027-01-01\s*<span[^>]*>暂定</span>", client.get(page).content.decode())

    _import_2027(django_capture_on_commit_callbacks)
    assert SupervisionItem.objects.get(pk=item.pk).next_report_due == dt.date(2027, 1, 4)
    assert exported() == "2027-01-04"
    html = client.get(page).content.decode()
    assert "下次报告截止：2027-01-04" in html


def test_cal_2_templates_show_clock_dates_only_through_the_due_filter():
    """A registered field (or the filing day) rendered with the bare `date` filter would drop the 暂定 mark."""
    names = {e.field for e in derived.entries()} - {"due"} | {"effective_due", "last_filing_day"}
    bare = re.compile(r"\.(" + "|".join(sorted(names)) + r")\|date\b")
    offenders = [
        f"{p.relative_to(ROOT)}: {m.group(0)}"
        for p in (ROOT / "templates").rglob("*.html")
        for m in bare.finditer(p.read_text(encoding="utf-8"))
    ]
    assert offenders == []


def test_cal_2_submission_state_unchanged_by_recompute(django_capture_on_commit_callbacks):
    """Recompute rewrites dates only: the item's workflow state and its open steps stay as they were."""
    w = docs.build_world()
    sub = docs.in_leader_review(w, MON_DEC_28)
    before = (Submission.objects.get(pk=sub.pk).state, LeaderAssignment.objects.filter(state="pending").count())
    _import_2027(django_capture_on_commit_callbacks)
    assert (Submission.objects.get(pk=sub.pk).state, LeaderAssignment.objects.filter(state="pending").count()) == before

"""Issue 11 point 6: the demo of `make run` shows the work. One executive meeting held, with its topics, papers,
attendance, a leave, signed minutes and the clock and ledger items they started; a leader away today with another
acting (代); coordination bodies each with its own founding document and date; supervision items whose progress text
fits where they stand; and every demo login's 我的待办 is what the run output promises.

The seeds run as `scripts/run_dev.py` runs them (its AREA_SEEDS, in order, then its QUEUES report), through
`call_command` in the test database, on the real today — the seeds must work whatever day it is.
"""

from __future__ import annotations

import datetime as dt
import re
from io import StringIO

import pytest
from django.contrib.contenttypes.models import ContentType
from django.core.management import call_command
from django.urls import reverse
from django.utils import timezone

from circulation.models import Circulation, Kind, Receipt, ReceiptState
from coordination.absence.selectors import who_is_away
from coordination.models import AbsenceRequest, Application, Body
from documents.models import OutgoingDocument, OutgoingState, SubmissionState
from meetings.demo import build_demo_meetings
from meetings.models import MS, TS, Decision, Invitation, LeaveRequest, Meeting, MeetingKind, Minutes, MinutesStep
from supervision.models import ItemState, Source, SupervisionItem
from supervision.reports.models import ProgressReport
from tests.run_dev_script import RUN_DEV
from tiexi_gov.audit.selectors import history_of
from tiexi_gov.deadlines.models import Deadline
from tiexi_gov.org.demo import DEMO_LOGINS, build_demo_district
from tiexi_gov.org.models import ActingArrangement, Post, User
from tiexi_gov.org.selectors import who_handles
from tiexi_gov.workdays import calendar as wd
from tiexi_gov.workflow import selectors as queue_selectors

pytestmark = pytest.mark.django_db
PASSWORD = "demo-pass-2026"


def test_demo_the_whole_demo_tests_seed_what_make_run_seeds():
    """tests/demo_seeds.py is the list the page, form and queue walks seed: it must be make run's."""
    from tests.demo_seeds import SEEDS

    assert tuple(command for command, *_ in RUN_DEV.AREA_SEEDS) == SEEDS


@pytest.fixture(autouse=True)
def fresh_calendar():
    wd.invalidate()
    yield
    wd.invalidate()


@pytest.fixture
def district(settings, tmp_path):
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
    settings.MEDIA_ROOT = tmp_path
    settings.DEBUG = True  # the demo seeds refuse a production configuration
    assert build_demo_district(PASSWORD) == DEMO_LOGINS
    return tmp_path


def seed_all() -> dict[str, str]:
    """The area seeds as run_dev runs them; their reports by command."""
    reports = {}
    for command, _what, _heading in RUN_DEV.AREA_SEEDS:
        out = StringIO()
        call_command(command, stdout=out)
        reports[command] = out.getvalue()
    return reports


@pytest.fixture
def demo(district):
    return seed_all()


def today() -> dt.date:
    return timezone.localdate()


# --- the held executive meeting ------------------------------------------------------------------------------


def held_meeting() -> Meeting:
    (meeting,) = Meeting.objects.filter(kind=MeetingKind.EXECUTIVE).exclude(state=MS.SCHEDULED)
    return meeting


def check_held_meeting(meeting: Meeting, day: dt.date) -> None:
    assert meeting.state == MS.CLOSED and meeting.is_regular and meeting.date < day
    # topics, each filed as a formal request that went through the office and is closed now
    topics = list(meeting.topics.all())
    assert len(topics) >= 2
    for topic in topics:
        assert topic.state == TS.DISCUSSED and topic.proposer_path and topic.checklist_complete
        assert topic.filed_on <= wd.subtract_workdays(meeting.date, 3)  # 第五十五条
        assert topic.submission.state == SubmissionState.CLOSED and topic.submission.for_meeting
        papers = list(topic.papers.all())
        assert papers and all(p.checked_at and p.reviewed_at and p.file for p in papers)
    assert meeting.agenda_frozen and meeting.agenda_approved_by is not None
    # attendance: everyone answered; a unit head's leave approved, with a deputy of the unit attending instead
    invitations = list(meeting.invitations.select_related("person", "post"))
    assert invitations and not [i for i in invitations if i.reply == Invitation.Reply.PENDING]
    (leave,) = LeaveRequest.objects.filter(invitation__meeting=meeting)
    assert leave.state == LeaveRequest.State.APPROVED and leave.reason
    assert leave.invitation.post.kind == Post.Kind.UNIT_HEAD
    stand_in = meeting.invitations.get(substitute_for=leave.invitation)
    assert stand_in.person == leave.substitute and stand_in.person.unit_id == leave.invitation.post.unit_id
    attending = [i for i in invitations if i.reply == Invitation.Reply.ATTEND]
    assert attending and all(i.signed_in_at for i in attending)
    assert leave.invitation.signed_in_at is None
    # the minutes: signed along the executive chain, in order, each step by the post's handler
    minutes = Minutes.objects.get(meeting=meeting)
    assert minutes.state == Minutes.State.SIGNED and minutes.number and minutes.body
    steps = list(minutes.steps.order_by("order"))
    assert [s.step for s in steps][-1] == MinutesStep.Step.HEAD_SIGN
    assert MinutesStep.Step.LEGALITY_REVIEW in [s.step for s in steps]
    assert all(s.signed_at and s.signed_by and s.capacity for s in steps)
    # what the signature started: a document to issue with its 7-working-day clock counted from the meeting ...
    decisions = list(meeting.decisions.order_by("order"))
    issue = [d for d in decisions if d.kind == Decision.Kind.ISSUE_DOCUMENT]
    assert issue and all(d.outgoing_id for d in issue)
    for d in issue:
        clock = Deadline.objects.get(
            subject_type=ContentType.objects.get_for_model(OutgoingDocument),
            subject_id=str(d.outgoing_id),
            rule_id="MTG-10",
        )
        assert clock.counted_from == meeting.date and clock.due == wd.add_workdays(meeting.date, 7)
        assert d.outgoing.drafting_unit == d.drafting_unit and minutes.number in d.outgoing.body
    # ... and the work it assigned, in the ledger, accepted by the lead units
    work = [d for d in decisions if d.kind == Decision.Kind.ASSIGN_WORK]
    assert len(work) >= 2
    items = SupervisionItem.objects.filter(source=Source.MEETING_DECISION, source_ref__startswith=minutes.number)
    assert items.count() == len(work)
    assert all(i.state in (ItemState.ACCEPTED, ItemState.IN_PROGRESS) and i.due > meeting.date for i in items)
    actions = {e.action for e in history_of(meeting)}
    assert {"scheduled", "agenda_submitted", "agenda_approved", "signed_in", "held", "closed"} <= actions


def test_demo_has_a_held_executive_meeting_with_signed_minutes_clocks_and_ledger_items(demo):
    check_held_meeting(held_meeting(), today())
    # the seed's report says so, and a second run holds nothing again
    assert "已召开：" in demo["seed_demo_meetings"] and "列入督查台账" in demo["seed_demo_meetings"]
    before = (
        Meeting.objects.count(),
        Decision.objects.count(),
        SupervisionItem.objects.count(),
        Deadline.objects.count(),
    )
    out = StringIO()
    call_command("seed_demo_meetings", stdout=out)
    assert "新排定 0 次" in out.getvalue()
    after = (
        Meeting.objects.count(),
        Decision.objects.count(),
        SupervisionItem.objects.count(),
        Deadline.objects.count(),
    )
    assert after == before


@pytest.mark.parametrize(
    "day",
    [
        dt.date(2026, 9, 10),  # the day after the second Wednesday: the minutes are signed "today"
        dt.date(2027, 1, 6),  # before January's meeting, in a year the official calendar does not know yet
    ],
)
def test_demo_meeting_is_held_whatever_today_is(district, day):
    summary = build_demo_meetings(today=day)
    meeting = summary["held"]
    assert meeting.date < day and meeting.date >= day - dt.timedelta(days=40)
    check_held_meeting(meeting, day)
    assert build_demo_meetings(today=day)["created"] == 0


# --- a leader away today -------------------------------------------------------------------------------------


def test_demo_has_a_leader_away_today_with_an_acting_person(demo):
    day = today()
    away = [row for row in who_is_away(day) if row.away_today]
    leaders = [row for row in away if row.request.post.kind in Post.LEADER_KINDS]
    assert leaders, "谁在外出 has no district leader away today"
    row = leaders[0]
    req = row.request
    assert req.state == AbsenceRequest.State.APPROVED and req.start <= day <= req.end
    assert req.decided_by == who_handles(req.approver_post, req.start).person  # the head approved it beforehand
    assert row.acting is not None and row.acting != req.person
    arrangement = ActingArrangement.objects.get(pk=req.arrangement_id)
    assert arrangement.absent_post == req.post and not arrangement.cancelled
    handler = who_handles(req.post, day)
    assert handler.is_acting and handler.person == row.acting and handler.capacity.startswith("代")
    # the acting deputy's 我的待办 holds the absent deputy's work, marked 代
    rows = [r for s in queue_selectors.queue(row.acting, day) for r in s.rows]
    assert any(r.capacity.startswith("代") for r in rows), [r.subject_repr for r in rows]
    assert "领导外出：" in demo["seed_demo_coordination"] and row.acting.display_name in demo["seed_demo_coordination"]
    # the unit head's leave is still waiting for the deputy in charge (work in flight), and a rerun adds nothing
    assert AbsenceRequest.objects.filter(state=AbsenceRequest.State.REQUESTED).count() == 1
    before = (AbsenceRequest.objects.count(), ActingArrangement.objects.count())
    call_command("seed_demo_coordination", stdout=StringIO())
    assert (AbsenceRequest.objects.count(), ActingArrangement.objects.count()) == before


# --- coordination bodies -------------------------------------------------------------------------------------


def test_demo_bodies_have_founding_documents(demo):
    day = today()
    bodies = list(Body.objects.all())
    assert len(bodies) >= 3
    documents = [b.founding_document for b in bodies]
    assert all(documents) and len(set(documents)) == len(bodies)
    dates = [b.founded_on for b in bodies]
    assert all(dates) and len(set(dates)) == len(bodies)
    for body in bodies:
        # dated on the head's approval, a working day within the past year, and the document is of that year
        assert day - dt.timedelta(days=366) < body.founded_on < day and wd.is_workday(body.founded_on)
        assert f"〔{body.founded_on.year}〕" in body.founding_document
        approval = Application.objects.get(body=body, state=Application.State.APPROVED)
        assert approval.proposal["founding_document"] == body.founding_document


# --- supervision progress text -------------------------------------------------------------------------------

NOT_STARTED = (ItemState.AWAITING_APPROVAL, ItemState.ASSIGNED, ItemState.ACCEPTED)
DONE = (ItemState.CLAIMED, ItemState.CLOSED_ON_TIME, ItemState.CLOSED_LATE)


def test_demo_supervision_progress_fits_state(demo):
    day = today()
    items = list(SupervisionItem.objects.all())
    assert len(items) >= 10
    texts = []
    for item in items:
        label = f"{item.number} {item.get_state_display()}"
        lead = ProgressReport.objects.filter(item=item, is_part=False).order_by("-reported_on", "-id").first()
        if item.state in NOT_STARTED:
            assert item.progress_text == "" and item.percent == 0 and lead is None, label
            continue
        assert lead is not None and item.progress_text == lead.done, label
        texts.append(item.progress_text)
        if item.state == ItemState.IN_PROGRESS:
            assert 0 < item.percent < 100 and "全部完成" not in item.progress_text, label
            assert ("滞后" in item.progress_text) == item.behind_plan, label
            if item.due < day:
                assert "时限" in item.progress_text, label
        elif item.state in DONE:
            assert item.percent == 100 and lead.percent == 100 and "全部" in item.progress_text, label
            assert item.completion_note and item.completion_note != item.progress_text, label
            if item.state == ItemState.CLOSED_LATE:
                assert "时限" in item.progress_text or "逾期" in item.completion_note, label
    # each item in its own words, and the cooperating units' parts too
    assert len(set(texts)) == len(texts)
    parts = list(ProgressReport.objects.filter(is_part=True).values_list("item_id", "done"))
    assert parts and len({done for _, done in parts}) == len({item for item, _ in parts})
    assert not [done for _, done in parts if "完成相关工作" in done]


# --- the banner's promise ------------------------------------------------------------------------------------

TABLE_ROW = re.compile(r"^(\S+)\s+\S+\s+.+?\s+(?:(\d+) 项|无)$", re.M)


def test_demo_every_login_queue_matches_the_banner(demo, client):
    out = StringIO()
    call_command(*RUN_DEV.QUEUES, stdout=out)
    table = out.getvalue()
    promised = {m.group(1): int(m.group(2) or 0) for m in TABLE_ROW.finditer(table)}
    logins = list(dict.fromkeys(DEMO_LOGINS.values()))
    assert list(promised) == logins  # every demo login, once, in the seed's order
    for username in logins:
        client.force_login(User.objects.get(username=username))
        page = client.get(reverse("workflow:queue"))
        assert page.status_code == 200
        assert page.context["total"] == promised[username], username
    # the work the demo shows reaches people: the deputies, the office and the clerks of the held meeting's units
    for username in ("quzhang", "fuquzhang3", "bangongshi", "bangongshi_zhuren", "fgj_wenshu"):
        assert promised[username] > 0, username
    # whoever an area seed's report names as having work has it in 我的待办
    usernames = set(User.objects.values_list("username", flat=True))
    for command, report in demo.items():
        for named in set(re.findall(r"[a-z][a-z0-9_]+", report)) & usernames:
            user = User.objects.get(username=named)
            assert queue_selectors.open_count(user, today()) > 0, f"{command} names {named}, whose queue is empty"
    # 传阅 (issue 15.4): an issued 发文 sent to three leaders — read, annotated, and one still unread, which is a 待阅
    # in the 我的待办 of whoever handles that leader's post today
    (circulation,) = Circulation.objects.filter(kind=Kind.OUTGOING)
    assert circulation.outgoing.state == OutgoingState.ISSUED
    states = sorted(circulation.receipts.values_list("state", flat=True))
    assert states == sorted([ReceiptState.READ, ReceiptState.ANNOTATED, ReceiptState.UNREAD])
    unread = circulation.receipts.get(state=ReceiptState.UNREAD)
    assert unread.post.kind in Post.LEADER_KINDS
    reader = who_handles(unread.post, today()).person
    receipt_type = ContentType.objects.get_for_model(Receipt)
    rows = [r for s in queue_selectors.queue(reader, today()) for r in s.rows]
    assert [r.subject_id for r in rows if r.subject_type_id == receipt_type.pk] == [unread.pk]
    # and the banner run_dev prints carries the table as it is
    text = RUN_DEV.banner(url="http://127.0.0.1:8000/", password=PASSWORD, areas=list(demo.items()), queues=table)
    assert table.strip() in text and "我的待办" in text

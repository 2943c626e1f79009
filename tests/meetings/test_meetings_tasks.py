"""我的待办 for the meetings area (issue 10): after each step of each flow the right people — and only they — have the
item in `tiexi_gov.workflow.selectors.queue(user, day)`; acting (LEAVE-4) reroutes a post's task on the first and
the last day of the arrangement; a task closes for everybody when one entitled person does the step."""

from __future__ import annotations

import datetime as dt

import pytest
from django.contrib.contenttypes.models import ContentType
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from meetings_support import DAY, completeness_gaps, meeting_request
from test_meetings_minutes import (
    AFTER,
    MEETING_DAY,
    agenda_meeting,
    executive_signers,
    held,
    record,
    special_meeting,
)

from meetings.meeting import services as meeting_services
from meetings.meeting.models import Invitation, Meeting, MeetingKind
from meetings.minutes import services as minutes_services
from meetings.schedule import services as schedule_services
from meetings.schedule.models import DistrictMeeting
from tests.factories import ActingArrangementFactory
from tiexi_gov.org.models import ActingArrangement, User
from tiexi_gov.workflow.models import Area, Task
from tiexi_gov.workflow.selectors import queue

pytestmark = [pytest.mark.django_db]

BEFORE = MEETING_DAY - dt.timedelta(days=1)


@pytest.fixture(autouse=True)
def media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path


def waiting(user, day: dt.date) -> set[tuple[str, int, str]]:
    """(model, pk, action) of the meetings rows of `user`'s 我的待办 on `day` (a fresh user: nothing cached)."""
    fresh = User.objects.get(pk=user.pk)
    return {
        (ContentType.objects.get_for_id(row.subject_type_id).model, row.subject_id, row.action)
        for section in queue(fresh, day)
        if section.area == Area.MEETINGS
        for row in section.rows
    }


_snapshots: dict[tuple, dict[str, set]] = {}


def holders(obj, action: str, day: dt.date) -> set[str]:
    """Usernames whose 我的待办 on `day` has `action` on `obj`: every active user's queue is read (once per state of
    the tasks and the acting arrangements)."""
    key = (
        day,
        tuple(Task.objects.open().order_by("pk").values_list("pk", flat=True)),
        tuple(ActingArrangement.objects.order_by("pk").values_list("pk", "start", "end", "cancelled")),
    )
    if key not in _snapshots:
        _snapshots.clear()
        _snapshots[key] = {u.username: waiting(u, day) for u in User.objects.filter(is_active=True)}
    wanted = (obj._meta.model_name, obj.pk, action)
    return {name for name, rows in _snapshots[key].items() if wanted in rows}


def _pdf():
    return SimpleUploadedFile("a.pdf", b"%PDF-1.4", content_type="application/pdf")


def _september(w) -> Meeting:
    schedule_services.generate_year(actor=w.staff, year=2026, today=DAY)
    return Meeting.objects.get(kind=MeetingKind.EXECUTIVE, year=2026, seq=9)


# --- MTG-4: consent to an ad hoc meeting -------------------------------------------------------------------------


def test_mtg_4_ad_hoc_meeting_waits_in_the_heads_queue_until_consent(world):
    w = world
    m = schedule_services.schedule_ad_hoc(
        actor=w.staff, kind=MeetingKind.EXECUTIVE, date=dt.date(2026, 9, 25), reason="研究防汛", today=DAY
    )
    assert holders(m, "consent_ad_hoc", DAY) == {"head"}
    party = schedule_services.schedule_ad_hoc(
        actor=w.staff, kind=MeetingKind.PARTY_GROUP, date=dt.date(2026, 9, 25), reason="研究党建", today=DAY
    )
    assert holders(party, "consent_ad_hoc", DAY) == {"head"}  # the secretary's post (the head holds it here)
    schedule_services.consent_ad_hoc(actor=w.head, meeting=m, today=DAY)
    assert holders(m, "consent_ad_hoc", DAY) == set()
    task = Task.objects.of(m).get(action="consent_ad_hoc")
    assert task.closed_by == w.head and task.rule_id == "MTG-4"
    assert not completeness_gaps(DAY)


# --- MTG-5 / MTG-8: a topic from filing to the head's decision, its papers, the agenda --------------------------


def test_mtg_5_topic_waits_on_the_proposers_and_the_office_then_the_head(world):
    w = world
    meeting = _september(w)
    sub = meeting_request(w, "财政局", day=DAY)
    topic = meeting_services.propose_topic(
        actor=w.clerks["财政局"], meeting=meeting, unit=w.units["财政局"], title="预算调整", submission=sub, today=DAY
    )
    # MTG-5: the head, the deputy in charge of 财政局 (the executive deputy) and the office director put it forward;
    # the office (staff and director, by role) checks it against MTG-8; nobody decides it yet.
    assert holders(topic, "record_proposer", DAY) == {"head", "exec", "director"}
    assert holders(topic, "record_checklist", DAY) == {"staff", "ddir", "director"}
    assert holders(topic, "accept", DAY) == set()
    assert "fgj_head" not in holders(topic, "record_proposer", DAY)

    # a task closes for everybody when one entitled person does the step
    meeting_services.record_proposer(actor=w.director, topic=topic, note="办公室审核", today=DAY)
    assert holders(topic, "record_proposer", DAY) == set()
    assert Task.objects.of(topic).get(action="record_proposer", owner_post=w.head_post).closed_by == w.director

    meeting_services.record_checklist(
        actor=w.staff, topic=topic, significance=True, substance=True, procedure=False, today=DAY
    )
    assert holders(topic, "record_checklist", DAY) == {"staff", "ddir", "director"}  # not met: the office resolves it
    meeting_services.record_checklist(
        actor=w.office_deputy,
        topic=topic,
        significance=True,
        substance=True,
        procedure=True,
        today=DAY,
    )
    assert holders(topic, "record_checklist", DAY) == set()
    assert holders(topic, "accept", DAY) == {"head"}
    assert not completeness_gaps(DAY)

    # papers: the unit's main head checks, then the leader in charge reviews
    paper = meeting_services.add_paper(actor=w.clerks["财政局"], topic=topic, title="汇报材料", file=_pdf(), today=DAY)
    assert holders(topic, "check_paper", DAY) == {"czj_head"}
    assert holders(topic, "review_paper", DAY) == set()
    meeting_services.check_paper(actor=w.unit_heads["财政局"], paper=paper, today=DAY)
    assert holders(topic, "check_paper", DAY) == set()
    assert holders(topic, "review_paper", DAY) == {"exec"}
    meeting_services.decide_topic(actor=w.head, topic=topic, accept=True, today=DAY)
    assert holders(topic, "accept", DAY) == set()
    assert holders(meeting, "submit_agenda", DAY) == set()  # a paper is not ready yet (MTG-5)
    meeting_services.review_paper(actor=w.exec_deputy, paper=paper, today=DAY)
    assert holders(topic, "review_paper", DAY) == set()

    # the agenda: the office sends it, the head approves it, the office records the meeting held
    assert holders(meeting, "submit_agenda", DAY) == {"staff", "ddir", "director"}
    meeting_services.submit_agenda(actor=w.staff, meeting=meeting, today=DAY)
    assert holders(meeting, "submit_agenda", DAY) == set()
    assert holders(meeting, "approve_agenda", DAY) == {"head"}
    meeting_services.approve_agenda(actor=w.head, meeting=meeting, today=DAY)
    assert holders(meeting, "approve_agenda", DAY) == set()
    assert holders(meeting, "mark_held", DAY) == {"staff", "ddir", "director"}
    assert "czj_head" in holders(meeting, "reply_invitation", DAY)  # invited for its topic (MTG-4)
    assert not completeness_gaps(DAY)


def test_mtg_5_a_topic_put_on_the_agenda_without_papers_waits_on_its_unit_to_upload_them(world):
    """A topic accepted before any paper was uploaded held the agenda back (材料未上传: 议程报审定 is refused) while
    nobody's 我的待办 said so: the office had no 待报审议程, the unit nothing to do. The reporting unit's people now
    find 待上传会议材料 until the first paper is in."""
    w = world
    meeting = _september(w)
    sub = meeting_request(w, "财政局", day=DAY)
    topic = meeting_services.propose_topic(
        actor=w.clerks["财政局"], meeting=meeting, unit=w.units["财政局"], title="预算调整", submission=sub, today=DAY
    )
    assert holders(topic, "add_paper", DAY) == set()  # not yet on the agenda: nothing waits on the papers
    meeting_services.record_proposer(actor=w.director, topic=topic, note="办公室审核", today=DAY)
    meeting_services.record_checklist(
        actor=w.staff, topic=topic, significance=True, substance=True, procedure=True, today=DAY
    )
    meeting_services.decide_topic(actor=w.head, topic=topic, accept=True, today=DAY)
    assert holders(meeting, "submit_agenda", DAY) == set()
    assert w.clerks["财政局"].username in holders(topic, "add_paper", DAY)
    assert not completeness_gaps(DAY)
    meeting_services.add_paper(actor=w.clerks["财政局"], topic=topic, title="汇报材料", file=_pdf(), today=DAY)
    assert holders(topic, "add_paper", DAY) == set()
    assert holders(topic, "check_paper", DAY) == {"czj_head"}
    assert not completeness_gaps(DAY)


def test_mtg_8_disputed_topic_waits_for_the_agreement_after_the_coordinating_meeting(world):
    w = world
    meeting = _september(w)
    sub = meeting_request(w, "财政局", day=DAY)
    topic = meeting_services.propose_topic(
        actor=w.clerks["财政局"],
        meeting=meeting,
        unit=w.units["财政局"],
        title="资金统筹",
        submission=sub,
        related_units=[w.units["发改局"]],
        units_disagree=True,
        today=DAY,
    )
    meeting_services.record_proposer(actor=w.exec_deputy, topic=topic, note="分歧待协调", today=DAY)
    meeting_services.record_checklist(
        actor=w.staff, topic=topic, significance=True, substance=True, procedure=True, today=DAY
    )
    assert holders(topic, "accept", DAY) == set()  # MTG-8: not before the coordinating meeting's agreement
    assert holders(topic, "record_agreement", DAY) == set()
    held_on = dt.date(2026, 9, 2)
    special = schedule_services.schedule_ad_hoc(
        actor=w.staff,
        kind=MeetingKind.SPECIAL,
        date=held_on,
        reason="协调分歧",
        chair_post=w.exec_post,
        lead_unit=w.units["财政局"],
        coordinates_topic=topic,
        today=DAY,
    )
    for short in ("财政局", "发改局"):
        meeting_services.add_special_attendee(actor=w.staff, meeting=special, person=w.unit_heads[short], today=DAY)
    meeting_services.mark_held(actor=w.staff, meeting=special, today=held_on)
    minutes = minutes_services.start_minutes(actor=w.clerks["财政局"], meeting=special, today=held_on)
    record(w, special, "达成一致", actor=w.clerks["财政局"])
    minutes_services.send_minutes_for_signing(actor=w.clerks["财政局"], minutes=minutes, today=held_on)
    for who in (w.unit_heads["发改局"], w.exec_deputy, w.head):
        minutes_services.sign_minutes_step(actor=who, minutes=minutes, today=held_on)
    # the coordinating meeting's minutes are signed: the office or the unit records the agreement
    assert {"staff", "ddir", "director", "czj_head", "czj_clerk", "czj_dep"} == holders(
        topic, "record_agreement", held_on
    )
    meeting_services.record_agreement(actor=w.clerks["财政局"], topic=topic, agreement="由财政局统筹", today=held_on)
    assert holders(topic, "record_agreement", held_on) == set()
    assert holders(topic, "accept", held_on) == {"head"}
    assert not completeness_gaps(held_on)


def test_mtg_5_approved_agenda_closes_the_tasks_of_topics_left_pending(world):
    w = world
    pending_meeting = _september(w)
    sub = meeting_request(w, "教育局", day=DAY)
    pending = meeting_services.propose_topic(
        actor=w.clerks["教育局"],
        meeting=pending_meeting,
        unit=w.units["教育局"],
        title="校舍",
        submission=sub,
        today=DAY,
    )
    assert holders(pending, "record_checklist", DAY)
    ready_sub = meeting_request(w, "财政局", day=DAY)
    ready = meeting_services.propose_topic(
        actor=w.clerks["财政局"], meeting=pending_meeting, unit=w.units["财政局"], title="预算", submission=ready_sub,
        today=DAY,
    )  # fmt: skip
    meeting_services.record_proposer(actor=w.head, topic=ready, today=DAY)
    meeting_services.record_checklist(
        actor=w.staff, topic=ready, significance=True, substance=True, procedure=True, today=DAY
    )
    meeting_services.decide_topic(actor=w.head, topic=ready, accept=True, today=DAY)
    paper = meeting_services.add_paper(actor=w.clerks["财政局"], topic=ready, title="材料", file=_pdf(), today=DAY)
    meeting_services.check_paper(actor=w.unit_heads["财政局"], paper=paper, today=DAY)
    meeting_services.review_paper(actor=w.exec_deputy, paper=paper, today=DAY)
    meeting_services.submit_agenda(actor=w.staff, meeting=pending_meeting, today=DAY)
    meeting_services.approve_agenda(actor=w.head, meeting=pending_meeting, today=DAY)
    # MTG-5: the agenda is frozen — the pending topic is neither checked nor decided any more
    assert not Task.objects.open().of(pending).exists()
    assert not completeness_gaps(DAY)


# --- MTG-9: invitations and leave -------------------------------------------------------------------------------


def test_mtg_9_invitees_answer_the_notice_from_their_queue(world):
    w = world
    m, _ = agenda_meeting(w, MEETING_DAY)
    invited = set(Invitation.objects.filter(meeting=m).values_list("person__username", flat=True))
    assert holders(m, "reply_invitation", BEFORE) == invited
    meeting_services.reply_invitation(
        actor=w.edu_deputy, invitation=Invitation.objects.get(meeting=m, person=w.edu_deputy), attend=True, today=BEFORE
    )
    assert "edu" not in holders(m, "reply_invitation", BEFORE)
    inv = Invitation.objects.get(meeting=m, person=w.adviser)
    leave = meeting_services.request_leave(actor=w.adviser, invitation=inv, reason="出差", today=BEFORE)
    assert "adviser" not in holders(m, "reply_invitation", BEFORE)  # a leave request is the other answer
    assert holders(leave, "decide_leave", BEFORE) == {"director"}
    meeting_services.decide_leave(actor=w.director, leave=leave, approve=False, opinion="请参会", today=BEFORE)
    assert "adviser" in holders(m, "reply_invitation", BEFORE)  # refused: the invitation stands
    meeting_services.mark_held(actor=w.staff, meeting=m, today=MEETING_DAY)
    assert holders(m, "reply_invitation", MEETING_DAY) == set()
    assert not completeness_gaps(MEETING_DAY)


def test_mtg_9_leave_request_waits_in_the_chairs_queue(world):
    """(Moved from the old waiting-count box of 我的待办: the request is now a row of the chair's queue.)"""
    w = world
    today = DAY
    meeting = schedule_services.schedule_ad_hoc(
        actor=w.staff, kind=MeetingKind.SPECIAL, date=today + dt.timedelta(days=5), reason="研究供暖保障",
        chair_post=w.exec_post, lead_unit=w.units["财政局"], today=today,
    )  # fmt: skip
    invitation = meeting_services.add_special_attendee(
        actor=w.staff, meeting=meeting, person=w.unit_heads["审计局"], today=today
    )
    leave = meeting_services.request_leave(
        actor=w.unit_heads["审计局"], invitation=invitation, reason="出差", today=today
    )
    assert ("leaverequest", leave.pk, "decide_leave") in waiting(w.exec_deputy, today)
    assert holders(leave, "decide_leave", today) == {"exec"}
    row = next(r for s in queue(User.objects.get(pk=w.exec_deputy.pk), today) for r in s.rows)
    assert row.url == reverse("meetings:attendance", args=[meeting.pk]) and row.rule.id == "MTG-9"


def test_leave_4_acting_reroutes_the_leave_decision_on_the_first_and_last_day(world):
    w = world
    m, _ = agenda_meeting(w, MEETING_DAY)
    start, end = dt.date(2026, 9, 3), dt.date(2026, 9, 7)
    leave = meeting_services.request_leave(
        actor=w.edu_deputy, invitation=Invitation.objects.get(meeting=m, person=w.edu_deputy), reason="出差",
        today=dt.date(2026, 9, 2),
    )  # fmt: skip
    ActingArrangementFactory(
        absent_post=w.head_post, acting_post=w.exec_post, kind=ActingArrangement.Kind.ENTRUSTED, start=start, end=end
    )
    assert holders(leave, "decide_leave", start - dt.timedelta(days=1)) == {"head"}
    assert holders(leave, "decide_leave", start) == {"exec"}
    assert holders(leave, "decide_leave", end) == {"exec"}
    assert holders(leave, "decide_leave", end + dt.timedelta(days=1)) == {"head"}
    assert not completeness_gaps(end)
    # the acting person decides in the head's stead on the last day: the task closes, the record says so
    meeting_services.decide_leave(actor=w.exec_deputy, leave=leave, approve=True, today=end)
    task = Task.objects.of(leave).get()
    assert task.closed_at is not None and task.closed_by == w.exec_deputy
    assert holders(leave, "decide_leave", end) == set()


def test_mtg_9_cancelled_meeting_leaves_no_leave_to_decide(world):
    w = world
    m = special_meeting(w, MEETING_DAY)
    inv = Invitation.objects.get(meeting=m, person=w.unit_heads["财政局"])
    leave = meeting_services.request_leave(actor=inv.person, invitation=inv, reason="出差", today=BEFORE)
    assert holders(leave, "decide_leave", BEFORE) == {"edu"}
    schedule_services.cancel_meeting(actor=w.staff, meeting=m, reason="改期", today=BEFORE)
    assert holders(leave, "decide_leave", BEFORE) == set()
    assert not Task.objects.open().of(m).exists()
    assert not completeness_gaps(BEFORE)


# --- MTG-6 / MTG-7 / MTG-3: minutes ------------------------------------------------------------------------------


def test_mtg_6_minutes_wait_on_each_step_of_the_chain_in_turn(world):
    w = world
    m, topic = agenda_meeting(w, MEETING_DAY)
    assert Task.objects.open().of(m).filter(action="mark_held").first().url == reverse("meetings:minutes", args=[m.pk])
    meeting_services.mark_held(actor=w.staff, meeting=m, today=MEETING_DAY)
    assert holders(m, "start_minutes", MEETING_DAY) == {"staff", "ddir", "director"}
    # 待登记召开 and 待起草纪要 open the minutes page, where both are done (not the meeting page: one click less)
    assert {t.url for t in Task.objects.open().of(m).filter(action="start_minutes")} == {
        reverse("meetings:minutes", args=[m.pk])
    }
    minutes = minutes_services.start_minutes(actor=w.staff, meeting=m, today=MEETING_DAY)
    assert holders(m, "start_minutes", MEETING_DAY) == set()
    assert holders(minutes, "send_for_signing", MEETING_DAY) == {"staff", "ddir", "director"}
    record(w, m, topic=topic)
    minutes_services.send_minutes_for_signing(actor=w.staff, minutes=minutes, today=AFTER)
    assert holders(minutes, "send_for_signing", AFTER) == set()
    for who in executive_signers(w):
        assert holders(minutes, "sign", AFTER) == {who.username}
        assert not completeness_gaps(AFTER)
        minutes_services.sign_minutes_step(actor=who, minutes=minutes, opinion="同意", today=AFTER)
    assert holders(minutes, "sign", AFTER) == set()
    assert not Task.objects.open().filter(area=Area.MEETINGS).exclude(action="reply_invitation").exists()


def test_mtg_6_sent_back_minutes_return_to_the_drafters_queue(world):
    w = world
    m, topic = agenda_meeting(w, MEETING_DAY)
    minutes = held(w, m)
    record(w, m, topic=topic)
    minutes_services.send_minutes_for_signing(actor=w.staff, minutes=minutes, today=AFTER)
    minutes_services.sign_minutes_step(
        actor=w.office_deputy, minutes=minutes, approve=False, opinion="请补充", today=AFTER
    )
    assert holders(minutes, "sign", AFTER) == set()
    assert holders(minutes, "send_for_signing", AFTER) == {"staff", "ddir", "director"}


def test_mtg_7_special_minutes_wait_on_the_lead_unit_then_the_countersigning_units_at_once(world):
    w = world
    m = special_meeting(w, MEETING_DAY)
    meeting_services.mark_held(actor=w.staff, meeting=m, today=MEETING_DAY)
    lead = {"jyj_head", "jyj_clerk", "jyj_dep"}
    assert holders(m, "start_minutes", MEETING_DAY) == {"staff", "ddir", "director"} | lead
    minutes = minutes_services.start_minutes(actor=w.clerks["教育局"], meeting=m, today=MEETING_DAY)
    record(w, m, actor=w.clerks["教育局"])
    minutes_services.send_minutes_for_signing(actor=w.clerks["教育局"], minutes=minutes, today=AFTER)
    assert holders(minutes, "sign", AFTER) == {"czj_head", "fgj_head"}  # the countersigns run in parallel
    minutes_services.sign_minutes_step(actor=w.unit_heads["发改局"], minutes=minutes, today=AFTER)
    assert holders(minutes, "sign", AFTER) == {"czj_head"}
    minutes_services.sign_minutes_step(actor=w.unit_heads["财政局"], minutes=minutes, today=AFTER)
    assert holders(minutes, "sign", AFTER) == {"edu"}  # the chairing deputy
    minutes_services.sign_minutes_step(actor=w.edu_deputy, minutes=minutes, today=AFTER)
    assert holders(minutes, "sign", AFTER) == {"head"}
    assert not completeness_gaps(AFTER)


def test_mtg_3_party_group_minutes_wait_on_the_acting_secretary(world):
    w = world
    m, topic = agenda_meeting(w, MEETING_DAY, kind=MeetingKind.PARTY_GROUP)
    minutes = held(w, m)
    record(w, m, topic=topic)
    minutes_services.send_minutes_for_signing(actor=w.staff, minutes=minutes, today=AFTER)
    ActingArrangementFactory(
        absent_post=w.secretary_post,
        acting_post=w.exec_post,
        kind=ActingArrangement.Kind.ENTRUSTED,
        start=AFTER,
        end=AFTER + dt.timedelta(days=2),
    )
    assert holders(minutes, "sign", MEETING_DAY) == {"head"}
    assert holders(minutes, "sign", AFTER) == {"exec"}
    assert not completeness_gaps(AFTER)


# --- MTG-11: the plan and unplanned district-wide meetings ---------------------------------------------------------


def test_mtg_11_plan_waits_on_the_director_then_the_head_and_unplanned_meetings_on_the_deputy_then_the_head(world):
    w = world
    plan = schedule_services.get_or_create_plan(actor=w.staff, year=2026, today=DAY)
    assert holders(plan, "check_plan", DAY) == {"director"}
    schedule_services.check_plan(actor=w.director, plan=plan, today=DAY)
    assert holders(plan, "check_plan", DAY) == set() and holders(plan, "approve", DAY) == {"head"}
    schedule_services.approve_plan(actor=w.head, plan=plan, today=DAY)
    assert holders(plan, "approve", DAY) == set()
    extra = schedule_services.add_district_meeting(
        actor=w.clerks["审计局"],
        year=2026,
        name="全区审计工作会议",
        sponsorship=DistrictMeeting.Sponsorship.OWN_SYSTEM,
        unit=w.units["审计局"],
        reason="专项审计部署",
        today=DAY,
    )
    assert holders(extra, "decide", DAY) == {"exec"}  # 审计局 is in the executive deputy's portfolio
    schedule_services.decide_unplanned(actor=w.exec_deputy, meeting=extra, approve=True, today=DAY)
    assert holders(extra, "decide", DAY) == {"head"}
    schedule_services.decide_unplanned(actor=w.head, meeting=extra, approve=True, today=DAY)
    assert holders(extra, "decide", DAY) == set()
    assert not completeness_gaps(DAY)


def test_mtg_4_a_meeting_whose_day_went_by_with_topics_waits_on_the_head_to_postpone_it(world):
    """Found from outside: a meeting whose day passed unheld (no approved agenda) showed 会期已过，待登记召开情况或
    顺延 and waited on nobody: its topics were lost. Nothing happens at midnight, so the hourly job resyncs past
    meetings; the decider (the head for the executive meeting) then has 待审定顺延 until it is moved. A past
    meeting with nothing on it keeps nobody waiting."""
    from meetings.tasks import resync_past

    w = world
    meeting = _september(w)
    sub = meeting_request(w, "财政局", day=DAY)
    meeting_services.propose_topic(
        actor=w.clerks["财政局"], meeting=meeting, unit=w.units["财政局"], title="预算调整", submission=sub, today=DAY
    )
    after = meeting.date + dt.timedelta(days=2)
    assert holders(meeting, "postpone", after) == set()  # nothing resynced it yet
    assert resync_past(after) >= 1
    task = Task.objects.of(meeting).open().get(action="postpone")
    assert task.action_label == "会期已过，待审定顺延" and task.rule_id == "MTG-4"
    assert holders(meeting, "postpone", after) == {"head"}
    assert resync_past(after) == 0  # idempotent
    empty = Meeting.objects.get(kind=MeetingKind.PARTY_GROUP, year=2026, seq=9)  # same week, no topics
    assert not Task.objects.of(empty).open().filter(action="postpone").exists()
    schedule_services.postpone(
        actor=w.head, meeting=meeting, to_date=after + dt.timedelta(days=7), reason="会期已过，顺延召开", today=after
    )
    assert holders(meeting, "postpone", after) == set()
    assert Task.objects.of(meeting).get(action="postpone").closed_by == w.head
    assert not completeness_gaps(after)

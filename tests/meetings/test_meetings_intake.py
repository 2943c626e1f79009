"""Topic intake (MTG-5, MTG-8): the 3-WD filing deadline on the official calendar, the formal request behind a
topic, the proposer path, the office's checklist and the coordination of a disputed multi-unit topic — through the
services, and through the topic form and the topic page."""

from __future__ import annotations

import datetime as dt
import re

import pytest
from django.urls import reverse
from django.utils import timezone
from meetings_support import DAY, meeting_request
from test_meetings_minutes import agenda_meeting

from meetings.meeting import services as meeting_services
from meetings.minutes import services as minutes_services
from meetings.models import Meeting, MeetingKind, Topic, TopicState
from meetings.schedule import services as schedule_services
from meetings.shared.errors import ActionNotAllowed, MeetingError, TopicTooLate
from tiexi_gov.audit.models import Event
from tiexi_gov.deadlines.display import due_html
from tiexi_gov.workdays import calendar as wd

pytestmark = [pytest.mark.django_db]

NATIONAL_DAY = dt.date(2026, 10, 1)
HOLIDAY_END = dt.date(2026, 10, 7)


def _september(w) -> Meeting:
    schedule_services.generate_year(actor=w.staff, year=2026)
    return Meeting.objects.get(kind=MeetingKind.EXECUTIVE, year=2026, seq=9)  # Wednesday 9 September


def _propose(w, meeting, short="财政局", day=DAY, **extra) -> Topic:
    sub = extra.pop("submission", None) or meeting_request(w, short, day=day)
    return meeting_services.propose_topic(
        actor=w.clerks[short],
        meeting=meeting,
        unit=w.units[short],
        title=extra.pop("title", "预算调整"),
        submission=sub,
        today=day,
        **extra,
    )


# --- MTG-5: the filing deadline ---------------------------------------------------------------------------------


def test_mtg_5_intake_deadline_across_national_day(world):
    """A meeting on the first working day after National Day 2026: its requests are due 3 WD before it, which is
    before the holiday (a weekday count would land inside it); a request filed one WD later is refused with that
    day and the next executive meeting is offered — and moving it there is accepted."""
    w = world
    schedule_services.generate_year(actor=w.staff, year=2026)
    first = wd.next_workday(HOLIDAY_END)
    assert all(not wd.is_workday(NATIONAL_DAY + dt.timedelta(days=i)) for i in range(7))
    meeting = schedule_services.schedule_ad_hoc(
        actor=w.staff, kind=MeetingKind.EXECUTIVE, date=first, reason="节后研究重点项目", today=DAY
    )
    last = meeting_services.last_filing_day(meeting)
    assert last == wd.subtract_workdays(first, 3)
    assert last < NATIONAL_DAY
    naive = first
    for _ in range(3):  # weekdays only, ignoring the holiday: the rule would be wrong
        naive -= dt.timedelta(days=1)
        while naive.weekday() >= 5:
            naive -= dt.timedelta(days=1)
    assert naive != last and naive >= NATIONAL_DAY

    on_time = _propose(w, meeting, "教育局", day=last, title="按时申报")
    assert on_time.filed_on == last

    late_day = wd.next_workday(last)
    sub = meeting_request(w, "财政局", day=late_day)
    with pytest.raises(TopicTooLate) as exc:
        _propose(w, meeting, day=late_day, submission=sub)
    october = Meeting.objects.get(kind=MeetingKind.EXECUTIVE, year=2026, seq=10)
    assert exc.value.last_day == last
    assert exc.value.next_meeting == october
    assert f"{last}" in exc.value.message and october.title in exc.value.message
    assert not Topic.objects.filter(submission=sub).exists()
    moved = _propose(w, october, day=late_day, submission=sub)
    assert moved.meeting == october and moved.filed_on == late_day


def test_mtg_5_topic_must_be_a_formal_request_for_meeting(world):
    """No request, a report, a request not marked 提请会议研究, another unit's request: all refused."""
    from documents.models import Submission, SubmissionKind

    w = world
    meeting = _september(w)
    unit, clerk = w.units["财政局"], w.clerks["财政局"]

    def propose(submission):
        return meeting_services.propose_topic(
            actor=clerk, meeting=meeting, unit=unit, title="议题", submission=submission, today=DAY
        )

    with pytest.raises(MeetingError, match="正式请示"):
        propose(None)
    report = meeting_request(w, day=DAY, title="关于预算执行情况的报告")
    Submission.objects.filter(pk=report.pk).update(kind=SubmissionKind.REPORT)
    report.refresh_from_db()
    with pytest.raises(MeetingError, match="提请区政府会议研究"):
        propose(report)
    plain = meeting_request(w, day=DAY, title="关于资金拨付的请示")
    Submission.objects.filter(pk=plain.pk).update(for_meeting=False)
    plain.refresh_from_db()
    with pytest.raises(MeetingError, match="提请区政府会议研究"):
        propose(plain)
    other = meeting_request(w, "教育局", day=DAY)
    with pytest.raises(MeetingError, match="本单位"):
        propose(other)
    with pytest.raises(ActionNotAllowed):  # and a clerk cannot file for another unit either
        meeting_services.propose_topic(
            actor=clerk, meeting=meeting, unit=w.units["教育局"], title="议题", submission=other, today=DAY
        )
    assert not Topic.objects.exists()
    assert propose(meeting_request(w, day=DAY)).state == TopicState.PROPOSED


# --- MTG-5: who puts a topic forward ----------------------------------------------------------------------------


def test_mtg_5_proposer_path(world):
    """The head; the responsible deputy or the office director after coordination review (note required); a
    clerk or a deputy not in charge of the unit is refused."""
    w = world
    meeting = _september(w)
    topic = _propose(w, meeting)
    for outsider in (w.clerks["财政局"], w.edu_deputy, w.unit_heads["财政局"]):
        with pytest.raises(ActionNotAllowed):
            meeting_services.record_proposer(actor=outsider, topic=topic, note="已协调", today=DAY)
    for needs_note in (w.exec_deputy, w.director):
        with pytest.raises(MeetingError, match="协调审核意见"):
            meeting_services.record_proposer(actor=needs_note, topic=topic, note="  ", today=DAY)
    t = meeting_services.record_proposer(actor=w.exec_deputy, topic=topic, note="已与发改局协调", today=DAY)
    assert (t.proposer_path, t.proposer_post, t.proposer_note) == (
        Topic.ProposerPath.DEPUTY,
        w.exec_post,
        "已与发改局协调",
    )
    t = meeting_services.record_proposer(actor=w.director, topic=topic, note="办公室审核", today=DAY)
    assert (t.proposer_path, t.proposer_post) == (Topic.ProposerPath.DIRECTOR, w.director_post)
    t = meeting_services.record_proposer(actor=w.head, topic=topic, today=DAY)
    assert (t.proposer_path, t.proposer_post) == (Topic.ProposerPath.HEAD, w.head_post)


# --- MTG-8: the office's checklist and the coordination of a disputed topic ------------------------------------


def test_mtg_8_checklist_gate(world):
    """A topic the office has not found statutory/overall, substantive and procedurally complete is not accepted."""
    w = world
    meeting = _september(w)
    topic = _propose(w, meeting)
    meeting_services.record_proposer(actor=w.exec_deputy, topic=topic, note="已协调", today=DAY)
    with pytest.raises(MeetingError, match="上会条件"):
        meeting_services.decide_topic(actor=w.head, topic=topic, accept=True, today=DAY)
    meeting_services.record_checklist(actor=w.staff, topic=topic, significance=True, substance=True, procedure=False)
    with pytest.raises(MeetingError, match="第五十七条"):
        meeting_services.decide_topic(actor=w.head, topic=topic, accept=True, today=DAY)
    with pytest.raises(ActionNotAllowed):  # the checklist is the office's
        meeting_services.record_checklist(
            actor=w.clerks["财政局"], topic=topic, significance=True, substance=True, procedure=True
        )
    meeting_services.record_checklist(actor=w.staff, topic=topic, significance=True, substance=True, procedure=True)
    with pytest.raises(ActionNotAllowed):  # the head decides, not the office
        meeting_services.decide_topic(actor=w.staff, topic=topic, accept=True, today=DAY)
    assert meeting_services.decide_topic(actor=w.head, topic=topic, accept=True, today=DAY).state == TopicState.ACCEPTED


def _sign_special_minutes(w, special, day):
    """The MTG-7 chain of the coordinating special meeting: held, drafted, countersigned, approved, signed."""
    meeting_services.add_special_attendee(actor=w.staff, meeting=special, person=w.unit_heads["财政局"])
    meeting_services.add_special_attendee(actor=w.staff, meeting=special, person=w.unit_heads["发改局"])
    meeting_services.mark_held(actor=w.staff, meeting=special, today=day)
    minutes = minutes_services.start_minutes(actor=w.staff, meeting=special, today=day)
    special.refresh_from_db()
    minutes_services.record_decision(actor=w.staff, meeting=special, text="财政局与发改局就资金来源达成一致")
    minutes_services.send_minutes_for_signing(actor=w.staff, minutes=minutes, today=day)
    for who in (w.unit_heads["发改局"], w.exec_deputy, w.head):
        minutes_services.sign_minutes_step(actor=who, minutes=minutes, today=day)
    minutes.refresh_from_db()
    return minutes


def test_mtg_8_disputed_multi_unit_topic_needs_special_meeting_agreement(world):
    """Refused without a coordinating special meeting (and with the agreement text alone); the special meeting is
    chaired by the responsible deputy; once its minutes are signed and the agreement recorded, accepted."""
    from meetings.models import Minutes

    w = world
    meeting = _september(w)
    topic = _propose(w, meeting, related_units=[w.units["发改局"]], units_disagree=True)
    meeting_services.record_proposer(actor=w.exec_deputy, topic=topic, note="分歧待协调", today=DAY)
    meeting_services.record_checklist(actor=w.staff, topic=topic, significance=True, substance=True, procedure=True)
    with pytest.raises(MeetingError, match="专题会"):
        meeting_services.decide_topic(actor=w.head, topic=topic, accept=True, today=DAY)
    meeting_services.record_agreement(actor=w.clerks["财政局"], topic=topic, agreement="双方同意由财政局统筹")
    with pytest.raises(MeetingError, match="专题会"):  # words without the signed minutes are not enough
        meeting_services.decide_topic(actor=w.head, topic=topic, accept=True, today=DAY)

    held_on = dt.date(2026, 9, 2)
    with pytest.raises(MeetingError, match="分管区领导主持"):
        schedule_services.schedule_ad_hoc(
            actor=w.staff,
            kind=MeetingKind.SPECIAL,
            date=held_on,
            reason="协调分歧",
            chair_post=w.edu_deputy_post,
            coordinates_topic=topic,
            today=DAY,
        )
    special = schedule_services.schedule_ad_hoc(
        actor=w.staff,
        kind=MeetingKind.SPECIAL,
        date=held_on,
        reason="协调预算调整分歧",
        chair_post=w.exec_post,
        lead_unit=w.units["财政局"],
        coordinates_topic=topic,
        today=DAY,
    )
    with pytest.raises(MeetingError, match="专题会"):  # scheduled is not agreed
        meeting_services.decide_topic(actor=w.head, topic=topic, accept=True, today=held_on)
    minutes = _sign_special_minutes(w, special, held_on)
    assert minutes.state == Minutes.State.SIGNED
    assert meeting_services.topic_violations(Topic.objects.get(pk=topic.pk)) == []
    accepted = meeting_services.decide_topic(actor=w.head, topic=topic, accept=True, today=held_on)
    assert accepted.state == TopicState.ACCEPTED


# --- the pages: the topic form and the topic page -------------------------------------------------------------


@pytest.fixture
def today():
    return timezone.localdate()


def _near_meetings(w, today):
    """Two executive meetings: one whose filing deadline is already past, one that can still take the topic."""
    meeting_services.ensure_standing_seats()
    soon = schedule_services.schedule_ad_hoc(
        actor=w.staff, kind=MeetingKind.EXECUTIVE, date=wd.add_workdays(today, 2), reason="临时研究"
    )
    later = schedule_services.schedule_ad_hoc(
        actor=w.staff, kind=MeetingKind.EXECUTIVE, date=wd.add_workdays(today, 12), reason="研究重点工作"
    )
    return soon, later


def _form_data(sub, unit, title="老旧小区改造资金安排", **extra):
    return {"unit": unit.pk, "submission": sub.pk, "title": title, "summary": "拟安排资金", **extra}


def test_mtg_5_topic_form_refuses_a_late_request_with_the_last_day_and_moves_it_in_one_click(world, client, today):
    w = world
    soon, later = _near_meetings(w, today)
    sub = meeting_request(w, day=today)
    client.force_login(w.clerks["财政局"])
    page = client.get(reverse("meetings:topic_new", args=[soon.pk]))
    assert page.status_code == 200
    assert sub in page.context["form"].fields["submission"].queryset
    assert page.context["documents_new_url"] == reverse("documents:create")
    response = client.post(reverse("meetings:topic_new", args=[soon.pk]), _form_data(sub, w.units["财政局"]))
    assert response.status_code == 400
    last = meeting_services.last_filing_day(soon)
    assert response.context["late"].last_day == last
    html = response.content.decode()
    assert f"{last.year}年{last.month}月{last.day}日" in html
    assert reverse("meetings:topic_new", args=[later.pk]) in html and "改报" in html
    assert "老旧小区改造资金安排" in html  # the entry is kept
    assert not Topic.objects.exists()
    moved = client.post(reverse("meetings:topic_new", args=[later.pk]), _form_data(sub, w.units["财政局"]))
    topic = Topic.objects.get()
    assert moved.status_code == 302 and moved["Location"] == reverse("meetings:topic", args=[topic.pk])
    assert (topic.meeting, topic.title, topic.submission, topic.unit) == (
        later,
        "老旧小区改造资金安排",
        sub,
        w.units["财政局"],
    )


def test_mtg_5_topic_form_lists_only_the_units_eligible_requests_and_the_office_files_for_a_unit(world, client, today):
    from documents.models import Submission

    w = world
    _soon, later = _near_meetings(w, today)
    mine = meeting_request(w, day=today)
    not_for_meeting = meeting_request(w, day=today, title="关于资金拨付的请示")
    Submission.objects.filter(pk=not_for_meeting.pk).update(for_meeting=False)
    theirs = meeting_request(w, "教育局", day=today)
    client.force_login(w.clerks["财政局"])
    page = client.get(reverse("meetings:topic_new", args=[later.pk]))
    assert list(page.context["form"].fields["submission"].queryset) == [mine]
    assert list(page.context["form"].fields["unit"].queryset) == [w.units["财政局"]]
    refused = client.post(reverse("meetings:topic_new", args=[later.pk]), _form_data(theirs, w.units["财政局"]))
    assert refused.status_code == 400 and not Topic.objects.exists()

    client.force_login(w.staff)  # the office proposes on behalf of 教育局
    page = client.get(reverse("meetings:topic_new", args=[later.pk]))
    assert {mine, theirs} <= set(page.context["form"].fields["submission"].queryset)
    done = client.post(reverse("meetings:topic_new", args=[later.pk]), _form_data(theirs, w.units["教育局"]))
    assert done.status_code == 302
    topic = Topic.objects.get()
    assert (topic.unit, topic.created_by) == (w.units["教育局"], w.staff)
    client.force_login(w.clerks["教育局"])  # the used request is no longer offered
    page = client.get(reverse("meetings:topic_new", args=[later.pk]))
    assert theirs not in page.context["form"].fields["submission"].queryset


def test_mtg_5_the_topic_form_posted_twice_files_one_topic_and_shows_it(world, client, today):
    """A double click on 申报 (or Back and 申报 again) answered the second post with the form, 议题未能申报 and
    "选择一个有效的选项" beside the request just used — as if the topic had not been filed. The form's one-time token
    now answers the same post again with the topic it filed."""
    w = world
    _soon, later = _near_meetings(w, today)
    sub = meeting_request(w, day=today)
    client.force_login(w.clerks["财政局"])
    url = reverse("meetings:topic_new", args=[later.pk])
    token = re.search(r'name="once_token" value="([0-9a-f]{32})"', client.get(url).content.decode())
    data = {**_form_data(sub, w.units["财政局"]), "once_token": token.group(1) if token else ""}
    assert client.post(url, data).status_code == 302
    again = client.post(url, data, follow=True)
    topic = Topic.objects.get()
    assert again.redirect_chain == [(reverse("meetings:topic", args=[topic.pk]), 302)]
    html = again.content.decode()
    assert "该表单已提交过，未重复创建" in html and "议题未能申报" not in html


def test_topic_form_is_404_for_a_person_without_a_unit(world, client, today):
    w = world
    _soon, later = _near_meetings(w, today)
    client.force_login(w.outsider)
    assert client.get(reverse("meetings:topic_new", args=[later.pk])).status_code == 404


def _topic_via_page(w, client, meeting, today, **extra):
    sub = meeting_request(w, day=today)
    client.force_login(w.clerks["财政局"])
    response = client.post(
        reverse("meetings:topic_new", args=[meeting.pk]), _form_data(sub, w.units["财政局"], **extra)
    )
    assert response.status_code == 302, response.context and response.context["form"].errors
    return Topic.objects.get(submission=sub)


def _act(client, topic, action, data=None):
    payload = {f"{action}-{k}": v for k, v in (data or {}).items()}
    return client.post(reverse("meetings:topic_action", args=[topic.pk, action]), payload)


def test_mtg_5_mtg_8_topic_page_walks_proposer_checklist_agreement_and_decision(world, client, today):
    w = world
    _soon, later = _near_meetings(w, today)
    topic = _topic_via_page(w, client, later, today, related_units=[w.units["发改局"].pk], units_disagree="on")
    page = client.get(reverse("meetings:topic", args=[topic.pk]))
    assert page.status_code == 200
    assert "proposer" not in page.context["forms"] and "decide" not in page.context["forms"]
    assert _act(client, topic, "proposer", {"note": "我提"}).status_code == 403  # a clerk is not on the path

    client.force_login(w.exec_deputy)
    page = client.get(reverse("meetings:topic", args=[topic.pk]))
    assert "proposer" in page.context["forms"]
    assert _act(client, topic, "proposer", {"note": ""}).status_code == 400  # the deputy states the review
    assert _act(client, topic, "proposer", {"note": "已协调审核"}).status_code == 302
    assert Topic.objects.get(pk=topic.pk).proposer_path == Topic.ProposerPath.DEPUTY

    # Nobody has checked the MTG-8 conditions yet: the topic waits for the office, it is not yet found wanting.
    html = client.get(reverse("meetings:topic", args=[topic.pk])).content.decode()
    assert "尚待办公室核对上会条件（第五十七条）" in html and "不符合上会条件" not in html

    client.force_login(w.staff)
    page = client.get(reverse("meetings:topic", args=[topic.pk]))
    assert page.context["coordinate_url"] == reverse("meetings:meeting_new") + f"?kind=special&topic={topic.pk}"
    assert _act(client, topic, "checklist", {"significance": "on", "substance": "on"}).status_code == 302
    assert not Topic.objects.get(pk=topic.pk).checklist_complete

    client.force_login(w.head)
    page = client.get(reverse("meetings:topic", args=[topic.pk]))
    html = page.content.decode()
    assert "不符合上会条件" in html and "专题会协调" in html  # what is missing, listed
    assert "尚待办公室核对上会条件" not in html
    refused = _act(client, topic, "decide", {"decision": "accept", "confirm": "on"})
    assert refused.status_code == 400 and "第五十七条" in " ".join(str(m) for m in refused.context["messages"])
    assert Topic.objects.get(pk=topic.pk).state == TopicState.PROPOSED
    no_confirm = _act(client, topic, "decide", {"decision": "refuse", "reason": "条件不成熟"})
    assert no_confirm.status_code == 400 and Topic.objects.get(pk=topic.pk).state == TopicState.PROPOSED
    assert (
        _act(client, topic, "decide", {"decision": "refuse", "reason": "条件不成熟", "confirm": "on"}).status_code
        == 302
    )
    topic.refresh_from_db()
    assert (topic.state, topic.refusal_reason) == (TopicState.REFUSED, "条件不成熟")


def test_mtg_5_mtg_8_the_topic_steps_saved_again_unchanged_record_nothing_new(world, client, today):
    """The proposer note, the checklist and the agreement show what was recorded: saved again untouched they must
    not add a second "议题审核（上会条件）" (or proposer, agreement) entry claiming a check or a change nobody made,
    nor move who checked and when."""
    from tests.form_roundtrip import form_data

    w = world
    _soon, later = _near_meetings(w, today)
    topic = _topic_via_page(w, client, later, today, related_units=[w.units["发改局"].pk], units_disagree="on")
    client.force_login(w.exec_deputy)
    assert _act(client, topic, "proposer", {"note": "已协调审核"}).status_code == 302
    client.force_login(w.staff)
    assert _act(client, topic, "checklist", {"significance": "on", "substance": "on"}).status_code == 302
    client.force_login(w.clerks["财政局"])
    assert _act(client, topic, "agreement", {"agreement": "经专题会协调，两部门意见一致。"}).status_code == 302
    before = Topic.objects.get(pk=topic.pk)
    events = Event.objects.count()
    for who, action in ((w.exec_deputy, "proposer"), (w.director, "checklist"), (w.clerks["财政局"], "agreement")):
        client.force_login(who)
        page = client.get(reverse("meetings:topic", args=[topic.pk])).content.decode()
        url = reverse("meetings:topic_action", args=[topic.pk, action])
        data = form_data(page, ("action", url))
        assert data, f"no {action} form on the page"
        assert client.post(url, data).status_code == 302
    after = Topic.objects.get(pk=topic.pk)
    assert Event.objects.count() == events
    assert (after.checked_by_id, after.checked_at, after.proposer_note, after.agreement_text) == (
        before.checked_by_id,
        before.checked_at,
        before.proposer_note,
        before.agreement_text,
    )
    # a real change is still recorded
    client.force_login(w.staff)
    assert _act(client, topic, "checklist", {"significance": "on", "substance": "on", "procedure": "on"}).status_code
    assert Event.objects.count() == events + 1 and Topic.objects.get(pk=topic.pk).checklist_complete


def test_topic_page_is_404_for_outsiders_and_withdraw_is_the_units(world, client, today):
    w = world
    _soon, later = _near_meetings(w, today)
    topic = _topic_via_page(w, client, later, today)
    client.force_login(w.clerks["教育局"])
    assert client.get(reverse("meetings:topic", args=[topic.pk])).status_code == 404
    assert _act(client, topic, "withdraw", {"reason": "x", "confirm": "on"}).status_code == 404
    client.force_login(w.clerks["财政局"])
    assert _act(client, topic, "withdraw", {"reason": "暂缓"}).status_code == 400  # the box is checked on the server
    assert _act(client, topic, "withdraw", {"reason": "暂缓", "confirm": "on"}).status_code == 302
    assert Topic.objects.get(pk=topic.pk).state == TopicState.WITHDRAWN


def test_mtg_5_a_proposed_topic_is_moved_to_a_later_meeting_from_its_page(world, client, today):
    w = world
    _soon, later = _near_meetings(w, today)
    latest = schedule_services.schedule_ad_hoc(
        actor=w.staff, kind=MeetingKind.EXECUTIVE, date=wd.add_workdays(today, 25), reason="研究下月工作"
    )
    topic = _topic_via_page(w, client, later, today)
    page = client.get(reverse("meetings:topic", args=[topic.pk]))
    assert page.context["page"].move_targets == [latest]
    assert _act(client, topic, "move", {"target": latest.pk}).status_code == 302
    topic.refresh_from_db()
    assert (topic.meeting, topic.moved_from, topic.state) == (latest, later, TopicState.PROPOSED)
    client.force_login(w.clerks["教育局"])
    assert _act(client, topic, "move", {"target": later.pk}).status_code == 404


def test_mtg_5_a_meeting_whose_day_has_passed_no_longer_collects_topics(world, client, today):
    w = world
    soon, later = _near_meetings(w, today)
    client.force_login(w.staff)  # the office files topics on a unit's behalf
    page = client.get(reverse("meetings:meeting", args=[later.pk])).content.decode()
    assert 'data-testid="propose-topic"' in page and "收集议题" in page
    Meeting.objects.filter(pk=later.pk).update(date=wd.subtract_workdays(today, 1))  # its day went by unrecorded
    page = client.get(reverse("meetings:meeting", args=[later.pk])).content.decode()
    assert 'data-testid="propose-topic"' not in page
    status = "会期已过，待登记召开情况或顺延"  # the header and the facts; the 办理记录 keeps its history
    assert f'data-testid="meeting-state">{status}<' in page and f'data-testid="meeting-status">{status}<' in page


def test_mtg_5_a_unit_clerk_finds_the_meetings_open_for_topics_with_their_last_day_and_files_from_there(
    world, client, today
):
    w = world
    soon, later = _near_meetings(w, today)
    Meeting.objects.filter(pk__in=[soon.pk, later.pk]).update(ad_hoc_consent_by=w.head)  # the head agreed
    client.force_login(w.clerks["财政局"])
    page = client.get(reverse("meetings:index")).content.decode()
    assert 'data-testid="open-for-topics"' in page
    # due_html: a day in a year whose holidays are not out yet carries its 暂定 badge (late December: January's)
    assert f"议题请示最迟{due_html(last_day(later), 'n月j日')}报送" in page
    assert f"议题请示最迟{due_html(last_day(soon), 'n月j日')}报送（已过，可改报下次会议）" in page
    form = reverse("meetings:topic_new", args=[later.pk])
    assert f'href="{form}"' in page
    assert client.get(form).status_code == 200  # reached by a click, not a typed address
    # The office sees every meeting and files from its page; the list is for the units.
    client.force_login(w.staff)
    assert 'data-testid="open-for-topics"' not in client.get(reverse("meetings:index")).content.decode()


def last_day(meeting):
    return meeting_services.last_filing_day(meeting)


# --- MTG-3 (第五十四条): the party group's topics are the secretary's or a member's -------------------------------


def _party_and_executive(w, today):
    """A party-group and an executive meeting, both agreed to, far enough ahead to take topics."""
    meeting_services.ensure_standing_seats()
    meetings = [
        schedule_services.schedule_ad_hoc(
            actor=w.staff, kind=kind, date=wd.add_workdays(today, 12), reason="研究重点工作", today=today
        )
        for kind in (MeetingKind.PARTY_GROUP, MeetingKind.EXECUTIVE)
    ]
    Meeting.objects.filter(pk__in=[m.pk for m in meetings]).update(ad_hoc_consent_by=w.head)
    return [Meeting.objects.get(pk=m.pk) for m in meetings]


def test_mtg_3_party_group_page_names_the_secretary_and_article_54_not_the_executive_intake(world, client, today):
    """Found clicking through: the 党组会议 page said "议程报区长审定", "须于…前报送…（第五十五条）" and
    "议题请示报送截止…（会前3个工作日，以部门正式请示报区政府办公室，第五十五条）" — the executive meeting's intake.
    第五十四条: the secretary, or a member after review, puts a topic forward and the secretary decides; the agenda
    goes to him."""
    w = world
    party, executive = _party_and_executive(w, today)
    client.force_login(w.staff)
    page = client.get(reverse("meetings:meeting", args=[party.pk])).content.decode()
    assert "议程报党组书记审定" in page and 'data-testid="topic-rule"' in page and "第五十四条" in page
    assert "报区长" not in page and "区长审定" not in page and "第五十五条" not in page and "会前3个工作日" not in page
    assert 'data-testid="filing-deadline"' not in page and 'data-testid="agenda-deadline"' not in page
    page = client.get(reverse("meetings:meeting", args=[executive.pk])).content.decode()  # 常务会议 keeps 第五十五条
    assert "议题经区长确定后，方可报送议程" in page and 'data-testid="filing-deadline"' in page and "第五十五条" in page

    sent, _topic = agenda_meeting(w, wd.add_workdays(today, 8), kind=MeetingKind.PARTY_GROUP, approve=False)
    page = client.get(reverse("meetings:meeting", args=[sent.pk])).content.decode()
    assert 'data-testid="meeting-status">议程待党组书记审定<' in page
    assert Event.objects.filter(action="agenda_submitted", action_label="议程报党组书记审定").exists()


def test_mtg_3_party_group_agenda_waits_for_the_secretary_on_every_page_the_feed_and_the_api(world, client, today):
    """Found in the office's calendar feed: a party group's submitted agenda read "状态：议程待区长审定" — the state's
    stored label — in the .ics feed, the postponement page, the minutes' tabs and the API, while the meeting page
    said 党组书记 (第五十四条). Every place now reads the state with its kind's decider."""
    from rest_framework.test import APIClient

    w = world
    sent, _topic = agenda_meeting(w, wd.add_workdays(today, 8), kind=MeetingKind.PARTY_GROUP, approve=False)
    token = schedule_services.issue_calendar_token(actor=w.staff).token
    feed = client.get(reverse("meetings:ics_feed", args=[token])).content.decode()
    unfolded = feed.replace("\r\n ", "").replace("\\n", "\n")
    assert "状态：议程待党组书记审定" in unfolded and "议程待区长审定" not in unfolded
    client.force_login(w.staff)
    for url in (reverse("meetings:postpone", args=[sent.pk]), reverse("meetings:minutes", args=[sent.pk])):
        page = client.get(url).content.decode()
        assert "议程待党组书记审定" in page and "议程待区长审定" not in page, url
    api = APIClient()
    api.force_authenticate(w.staff)
    assert api.get(f"/api/v1/meetings/{sent.pk}/").json()["state_label"] == "议程待党组书记审定"


def test_mtg_3_units_do_not_file_party_group_topics_the_office_records_them(world, client, today):
    """A unit clerk was offered 申报议题 for every 党组会议. 第五十四条 gives units no part in party-group topics and
    no filing deadline: the list and the form leave them out and the service refuses them; the office records a
    member's topic, without a request, after the executive meeting's 3-WD day, and the secretary decides it."""
    w = world
    party, executive = _party_and_executive(w, today)
    clerk = w.clerks["财政局"]
    client.force_login(clerk)
    page = client.get(reverse("meetings:index")).content.decode()
    assert reverse("meetings:topic_new", args=[executive.pk]) in page
    assert reverse("meetings:topic_new", args=[party.pk]) not in page
    assert client.get(reverse("meetings:topic_new", args=[party.pk])).status_code == 404
    with pytest.raises(ActionNotAllowed, match="党组书记确定（第五十四条）"):
        _propose(w, party, day=today)
    assert not Topic.objects.exists()

    eve = wd.subtract_workdays(party.date, 1)  # past the executive meeting's last filing day
    topic = meeting_services.propose_topic(
        actor=w.staff, meeting=party, unit=w.units["财政局"], title="研究党风廉政建设工作", today=eve
    )
    assert topic.gate()[0] == ("尚未按规定提出（党组书记提出，或其他党组成员审核后提出建议）（第五十四条）", True)
    meeting_services.record_proposer(actor=w.edu_deputy, topic=topic, note="经审核，建议提请党组会议研究", today=eve)
    meeting_services.record_checklist(actor=w.staff, topic=topic, significance=True, substance=True, procedure=True)
    meeting_services.decide_topic(actor=w.head, topic=topic, accept=True, today=eve)
    topic.refresh_from_db()
    assert topic.proposer_path == Topic.ProposerPath.MEMBER and topic.state == TopicState.ACCEPTED


def test_mtg_5_mtg_8_the_topic_steps_saved_again_unchanged_say_nothing_changed(world, client, today):
    """Saved again untouched, the proposer note, the checklist and the agreement record nothing, yet the page said
    "已登记提出方式…", "上会条件审核已登记…", "已登记专题会协调形成的一致意见" — a check or a change nobody made."""
    from tests.form_roundtrip import form_data

    w = world
    _soon, later = _near_meetings(w, today)
    topic = _topic_via_page(w, client, later, today, related_units=[w.units["发改局"].pk], units_disagree="on")
    client.force_login(w.exec_deputy)
    assert _act(client, topic, "proposer", {"note": "已协调审核"}).status_code == 302
    client.force_login(w.staff)
    assert _act(client, topic, "checklist", {"significance": "on", "substance": "on"}).status_code == 302
    client.force_login(w.clerks["财政局"])
    assert _act(client, topic, "agreement", {"agreement": "经专题会协调，两部门意见一致。"}).status_code == 302
    said = {"proposer": "提出方式未作修改。", "checklist": "上会条件审核未作修改。", "agreement": "协调意见未作修改。"}
    for who, action in ((w.exec_deputy, "proposer"), (w.director, "checklist"), (w.clerks["财政局"], "agreement")):
        client.force_login(who)
        page = client.get(reverse("meetings:topic", args=[topic.pk])).content.decode()
        url = reverse("meetings:topic_action", args=[topic.pk, action])
        response = client.post(url, form_data(page, ("action", url)), follow=True)
        assert [str(m) for m in response.context["messages"]] == [said[action]], action
    client.force_login(w.staff)
    url = reverse("meetings:topic_action", args=[topic.pk, "checklist"])
    data = {"checklist-significance": "on", "checklist-substance": "on", "checklist-procedure": "on"}
    response = client.post(url, data, follow=True)
    assert [str(m) for m in response.context["messages"]] == ["上会条件审核已登记：符合上会条件。"]


def test_mtg_3_a_party_group_topic_is_recorded_as_registered_under_article_54(world, client, today):
    """The office's 登记议题 on a 党组会议 went into the topic's record as "申报议题 第五十五条" — the executive
    meeting's intake rule — and the page and message said 申报. It now reads 登记议题 under 第五十四条."""
    w = world
    party, executive = _party_and_executive(w, today)
    client.force_login(w.staff)
    url = reverse("meetings:topic_new", args=[party.pk])
    assert '<h1 class="h4 mb-3">登记议题：' in client.get(url).content.decode()
    data = {"unit": w.office.pk, "title": "研究党风廉政建设工作要点", "summary": "审议要点"}
    page = client.post(url, data, follow=True).content.decode()
    assert "议题“研究党风廉政建设工作要点”已登记区政府党组" in page and "要点”已申报" not in page
    event = Event.objects.get(action="proposed")
    assert (event.action_label, event.rule_id) == ("登记议题", "MTG-3")
    _propose(w, executive, day=today)
    event = Event.objects.filter(action="proposed").latest("id")
    assert (event.action_label, event.rule_id) == ("申报议题", "MTG-5")


def test_mtg_5_mtg_8_each_topic_step_records_the_rule_it_applies(world, today):
    """Found in the audit trail: a topic that passed the office's check showed 依据 "第五十七条 不予上会的议题", and the
    head's decision and agenda approval "第五十五条 议题提前3个工作日报送". The check applies the meeting conditions
    (MTG-8, 第五十七条) whatever its outcome; the head decides topics and the agenda (MTG-5, 第五十五条), the party
    secretary for a party-group meeting (MTG-3, 第五十四条); the 依据 names the rule, not one clause of it."""
    from tiexi_gov.deadlines import rules

    w = world
    steps = ("checked", "decided", "agenda_approved", "agenda_sent_back")
    expected = {
        MeetingKind.EXECUTIVE: ("MTG-8", "MTG-5", "MTG-5", "MTG-5"),
        MeetingKind.PARTY_GROUP: ("MTG-8", "MTG-3", "MTG-3", "MTG-3"),
    }
    for n, (kind, rule_ids) in enumerate(expected.items()):
        date = wd.add_workdays(today, 8 + n)
        m, topic = agenda_meeting(w, date, kind=kind, title=f"研究事项{n}", approve=False)
        meeting_services.send_back_agenda(actor=w.head, meeting=m, reason="补充材料", today=date - dt.timedelta(days=2))
        meeting_services.submit_agenda(actor=w.staff, meeting=m, today=date - dt.timedelta(days=2))
        meeting_services.approve_agenda(actor=w.head, meeting=m, today=date - dt.timedelta(days=1))
        events = {e.action: e for e in [*Event.objects.for_object(topic), *Event.objects.for_object(m)]}
        assert tuple(events[action].rule_id for action in steps) == rule_ids, kind
    passed = rules.describe("MTG-8").label
    decided = rules.describe("MTG-5").label
    assert "不予上会" not in passed and "第五十七条" in passed  # a passed check is not a refusal
    assert "3个工作日" not in decided and "审定" in decided  # the head's decision, not the filing day


def test_mtg_8_an_api_action_not_offered_stays_refused_whatever_state_the_caller_claims_to_have_seen(world):
    """The API skipped its "is this action offered" check whenever the body's seen_state differed from the item's
    state (taken for a stale page, to be answered 已由XX处理 by the step), but the step ignores a value that is no
    state at all: {"seen_state": "x"} let the office rewrite the MTG-8 checklist of a topic already on an approved
    agenda, with an audit entry; and a real stale page ("proposed") did the same, since record_checklist names no
    state it leaves. A made-up state is now the same 403 as none, a state the topic has left is 已由XX处理 (409)."""
    from rest_framework.test import APIClient

    w = world
    m, topic = agenda_meeting(w, timezone.localdate() + dt.timedelta(days=14))
    assert topic.state == TopicState.ACCEPTED and topic.check_significance
    api = APIClient()
    api.force_authenticate(w.staff)
    url = f"/api/v1/topics/{topic.pk}/actions/checklist/"
    events = Event.objects.for_object(topic).count()
    for seen in ("", "x", "proposedx"):
        answer = api.post(url, {"confirm": True, "seen_state": seen}, format="json")
        assert answer.status_code == 403, (seen, answer.json())
    topic.refresh_from_db()
    assert topic.check_significance and Event.objects.for_object(topic).count() == events
    stale = api.post(url, {"confirm": True, "seen_state": "proposed"}, format="json")  # a real stale page
    assert stale.status_code == 409, stale.json()

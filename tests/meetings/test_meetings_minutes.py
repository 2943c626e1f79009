"""Minutes and their signing chains: MTG-6 (executive: office deputy director → director → the deputy in charge of
judicial work → 司法局 legality review → head), MTG-3 (party group: the secretary signs), MTG-7 (special: the lead
unit drafts → the attending units countersign → the chairing leader → the head); each signature in order by the
right post; send-back and re-sending. Then the minutes page through the views.

The builders at the top (`agenda_meeting`, `special_meeting`, `held`, `sign_all`) are shared by the other
minutes/decision test files of the meetings app: they go through the services, each call dated.
"""

from __future__ import annotations

import datetime as dt

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from django.utils import timezone
from meetings_support import meeting_request

from meetings.meeting import services as meeting_services
from meetings.minutes import services as minutes_services
from meetings.models import MS, Decision, Meeting, MeetingKind, Minutes, MinutesStep
from meetings.schedule import services as schedule_services
from meetings.shared.errors import ActionNotAllowed, AlreadyHandled, MeetingError
from tiexi_gov.audit.models import Event
from tiexi_gov.workdays import calendar as wd

MEETING_DAY = dt.date(2026, 9, 9)  # a Wednesday
AFTER = dt.date(2026, 9, 10)
S = MinutesStep.Step
EXECUTIVE_CHAIN = [S.OFFICE_DEPUTY_REVIEW, S.OFFICE_DIRECTOR_REVIEW, S.JUDICIAL_FORWARD, S.LEGALITY_REVIEW, S.HEAD_SIGN]


# --- builders (services only, every call dated) ---------------------------------------------------------------


def agenda_meeting(w, date: dt.date, *, kind=MeetingKind.EXECUTIVE, unit="财政局", title="预算调整", approve=True):
    """A meeting of an agenda kind on `date` with one accepted topic of `unit` and its agenda sent to the chair and
    (unless approve=False) approved, which invites the standing seats' holders (MTG-2..4)."""
    meeting_services.ensure_standing_seats()
    filing = wd.subtract_workdays(date, 5)
    m = schedule_services.schedule_ad_hoc(actor=w.staff, kind=kind, date=date, reason="研究有关事项", today=filing)
    schedule_services.consent_ad_hoc(actor=w.head, meeting=m, today=filing)
    if kind == MeetingKind.PARTY_GROUP:  # MTG-3: the office records the secretary's or a member's topic
        actor, sub = w.staff, None
    else:
        actor, sub = (
            w.clerks[unit],
            meeting_request(w, short=unit, day=filing, title=f"关于提请区政府会议研究{title}的请示"),
        )
    topic = meeting_services.propose_topic(
        actor=actor, meeting=m, unit=w.units[unit], title=title, submission=sub, today=filing
    )
    meeting_services.record_proposer(actor=w.head, topic=topic, today=filing)
    meeting_services.record_checklist(actor=w.staff, topic=topic, significance=True, substance=True, procedure=True)
    meeting_services.decide_topic(actor=w.head, topic=topic, accept=True, today=filing)
    paper = meeting_services.add_paper(
        actor=w.clerks[unit], topic=topic, title="汇报材料", file=SimpleUploadedFile("a.pdf", b"%PDF-1.4")
    )
    meeting_services.check_paper(actor=w.unit_heads[unit], paper=paper, today=filing)
    leader = {"财政局": w.exec_deputy, "发改局": w.exec_deputy, "审计局": w.exec_deputy, "教育局": w.edu_deputy}[unit]
    meeting_services.review_paper(actor=leader, paper=paper, today=filing)
    meeting_services.submit_agenda(actor=w.staff, meeting=m, today=date - dt.timedelta(days=2))
    if approve:
        meeting_services.approve_agenda(actor=w.head, meeting=m, today=date - dt.timedelta(days=1))
    m.refresh_from_db()
    topic.refresh_from_db()
    return m, topic


def special_meeting(w, date: dt.date, *, chair=None, lead="教育局", units=("财政局", "发改局")):
    """A special-topic meeting chaired by a deputy (the education deputy by default), its lead unit drafting the
    minutes, the chair having named the attending units' main heads (MTG-7)."""
    meeting_services.ensure_standing_seats()
    m = schedule_services.schedule_ad_hoc(
        actor=w.staff,
        kind=MeetingKind.SPECIAL,
        date=date,
        reason="协调推进有关工作",
        chair_post=chair or w.edu_deputy_post,
        lead_unit=w.units[lead],
        today=date - dt.timedelta(days=3),
    )
    for short in (lead, *units):
        meeting_services.add_special_attendee(
            actor=w.staff, meeting=m, person=w.unit_heads[short], post=w.unit_head_posts[short]
        )
    return m


def held(w, m: Meeting, date: dt.date | None = None, *, drafter=None) -> Minutes:
    meeting_services.mark_held(actor=w.staff, meeting=m, today=date or m.date)
    m.refresh_from_db()
    return minutes_services.start_minutes(actor=drafter or w.staff, meeting=m, today=date or m.date)


def record(w, m: Meeting, text="原则同意。", *, actor=None, **fields) -> Decision:
    m = Meeting.objects.get(pk=m.pk)
    return minutes_services.record_decision(actor=actor or w.staff, meeting=m, text=text, **fields)


def executive_signers(w):
    return [w.office_deputy, w.director, w.judicial_deputy, w.unit_heads["司法局"], w.head]


def sign_all(w, minutes: Minutes, signers, day: dt.date = AFTER) -> Minutes:
    for who in signers:
        minutes_services.sign_minutes_step(actor=who, minutes=minutes, opinion="同意", today=day)
    minutes.refresh_from_db()
    return minutes


def open_steps(minutes: Minutes) -> list[str]:
    return list(minutes.steps.filter(signed_at__isnull=True).order_by("order").values_list("step", flat=True))


def login(client, user):
    client.force_login(user)
    return client


# --- MTG-6: the executive chain ---------------------------------------------------------------------------


def test_mtg_6_the_same_decision_posted_twice_is_recorded_once(world):
    """Found from outside: the decision form posted twice (two tabs, a resubmit) recorded 第1项 and 第2项 alike, and
    once signed each started its own 发文 draft. The copy is refused under the minutes' lock; another decision on
    the same topic is recorded."""
    w = world
    m, topic = agenda_meeting(w, MEETING_DAY)
    held(w, m)
    first = record(w, m, "原则同意预算调整方案。", topic=topic)
    with pytest.raises(AlreadyHandled, match="已登记为第1项"):
        record(w, m, "原则同意预算调整方案。", topic=topic)
    assert record(w, m, "请财政局会同发改局抓好落实。", topic=topic).order == 2
    assert list(Decision.objects.filter(meeting=m).values_list("pk", flat=True))[0] == first.pk
    assert Decision.objects.filter(meeting=m).count() == 2
    assert Event.objects.filter(action="decision_recorded").count() == 2


def test_mtg_6_executive_minutes_chain_in_order(world):
    w = world
    m, topic = agenda_meeting(w, MEETING_DAY)
    minutes = held(w, m)
    record(w, m, "原则同意预算调整方案。", topic=topic)
    minutes_services.send_minutes_for_signing(actor=w.staff, minutes=minutes, today=AFTER)
    minutes.refresh_from_db()
    assert minutes.state == Minutes.State.SIGNING and minutes.number
    steps = list(minutes.steps.order_by("order").select_related("post"))
    assert [s.step for s in steps] == EXECUTIVE_CHAIN
    assert [s.post_id for s in steps] == [
        w.office_deputy_post.pk,
        w.director_post.pk,
        w.judicial_post.pk,
        w.unit_head_posts["司法局"].pk,
        w.head_post.pk,
    ]

    # out of order: the head's turn has not come
    with pytest.raises(MeetingError, match="尚未轮到"):
        minutes_services.sign_minutes_step(actor=w.head, minutes=minutes, today=AFTER)
    # a post with no step in this chain
    with pytest.raises(ActionNotAllowed):
        minutes_services.sign_minutes_step(actor=w.edu_deputy, minutes=minutes, today=AFTER)
    assert not minutes.steps.filter(signed_at__isnull=False).exists()

    signers = executive_signers(w)
    for i, who in enumerate(signers):
        if i + 1 < len(signers):  # the one after the current signer must still wait
            with pytest.raises(MeetingError, match="尚未轮到"):
                minutes_services.sign_minutes_step(actor=signers[i + 1], minutes=minutes, today=AFTER)
        step = minutes_services.sign_minutes_step(actor=who, minutes=minutes, opinion=f"意见{i}", today=AFTER)
        assert step.step == EXECUTIVE_CHAIN[i] and step.signed_by == who and step.capacity
    minutes.refresh_from_db()
    m.refresh_from_db()
    assert minutes.state == Minutes.State.SIGNED and minutes.signed_at
    assert m.state == MS.CLOSED
    assert Event.objects.filter(action="signed", rule_id="MTG-6").exists()


def test_mtg_6_a_second_signature_click_says_who_signed_and_when(world):
    """The same signer clicks 审签 again from the page as it was (Back, a double tap): the answer names the
    signature already given, not the next step's rule; nothing is signed twice, and the chain goes on."""
    w = world
    m, topic = agenda_meeting(w, MEETING_DAY)
    minutes = held(w, m)
    record(w, m, "原则同意预算调整方案。", topic=topic)
    minutes_services.send_minutes_for_signing(actor=w.staff, minutes=minutes, today=AFTER)
    minutes_services.sign_minutes_step(actor=w.office_deputy, minutes=minutes, opinion="同意", today=AFTER)
    with pytest.raises(AlreadyHandled, match=f"办公室分管副主任审核”环节已由{w.office_deputy.display_name}于") as exc:
        minutes_services.sign_minutes_step(actor=w.office_deputy, minutes=minutes, opinion="同意", today=AFTER)
    assert exc.value.handled_by == w.office_deputy
    assert minutes.steps.filter(signed_at__isnull=False).count() == 1
    # the chain is not disturbed: the director is next, and an outsider still gets the rule
    with pytest.raises(ActionNotAllowed):
        minutes_services.sign_minutes_step(actor=w.edu_deputy, minutes=minutes, today=AFTER)
    sign_all(w, minutes, executive_signers(w)[1:])
    assert minutes.state == Minutes.State.SIGNED
    # after the last signature (the minutes signed, the meeting closed) the head's second click says the same
    with pytest.raises(AlreadyHandled, match=f"区长签发”环节已由{w.head.display_name}于"):
        minutes_services.sign_minutes_step(actor=w.head, minutes=minutes, opinion="同意", today=AFTER)
    assert Event.objects.filter(action="signed", subject_id=str(minutes.pk)).count() == 1


def test_mtg_6_send_back_returns_to_drafting_and_resending_rebuilds_the_rest_of_the_chain(world):
    w = world
    m, topic = agenda_meeting(w, MEETING_DAY)
    minutes = held(w, m)
    record(w, m, topic=topic)
    minutes_services.send_minutes_for_signing(actor=w.staff, minutes=minutes, today=AFTER)
    sign_all(w, minutes, [w.office_deputy, w.director])
    with pytest.raises(MeetingError, match="退回意见"):
        minutes_services.sign_minutes_step(actor=w.judicial_deputy, minutes=minutes, approve=False, today=AFTER)
    minutes_services.sign_minutes_step(
        actor=w.judicial_deputy, minutes=minutes, approve=False, opinion="第二项表述不准确", today=AFTER
    )
    minutes.refresh_from_db()
    assert minutes.state == Minutes.State.DRAFTING
    event = Event.objects.get(action="sent_back")
    assert event.opinion == "第二项表述不准确" and event.actor == w.judicial_deputy
    # while drafting nobody signs
    with pytest.raises(MeetingError):
        minutes_services.sign_minutes_step(actor=w.judicial_deputy, minutes=minutes, today=AFTER)

    minutes_services.revise_minutes(actor=w.staff, minutes=minutes, body="修改后的导语。")
    minutes_services.send_minutes_for_signing(actor=w.staff, minutes=minutes, today=AFTER)
    minutes.refresh_from_db()
    # the earlier signatures stay on record; the whole chain is signed again on the revised text
    assert minutes.steps.filter(signed_at__isnull=False).count() == 2
    assert open_steps(minutes) == EXECUTIVE_CHAIN
    with pytest.raises(MeetingError, match="尚未轮到"):
        minutes_services.sign_minutes_step(actor=w.director, minutes=minutes, today=AFTER)
    minutes = sign_all(w, minutes, executive_signers(w))
    assert minutes.state == Minutes.State.SIGNED and minutes.body == "修改后的导语。"


def test_mtg_6_only_the_office_drafts_executive_minutes(world):
    w = world
    m, topic = agenda_meeting(w, MEETING_DAY)
    meeting_services.mark_held(actor=w.staff, meeting=m, today=MEETING_DAY)
    with pytest.raises(ActionNotAllowed):
        minutes_services.start_minutes(actor=w.clerks["财政局"], meeting=m, today=MEETING_DAY)
    minutes = minutes_services.start_minutes(actor=w.staff, meeting=m, today=MEETING_DAY)
    with pytest.raises(ActionNotAllowed):
        record(w, m, actor=w.clerks["财政局"], topic=topic)
    with pytest.raises(MeetingError, match="还没有会议决定"):
        minutes_services.send_minutes_for_signing(actor=w.staff, minutes=minutes, today=AFTER)


# --- MTG-3: the party group ---------------------------------------------------------------------------------


def test_mtg_3_party_group_minutes_signed_by_secretary(world):
    w = world
    m, topic = agenda_meeting(w, MEETING_DAY, kind=MeetingKind.PARTY_GROUP)
    minutes = held(w, m)
    record(w, m, "同意向区委报告。", topic=topic)
    minutes_services.send_minutes_for_signing(actor=w.staff, minutes=minutes, today=AFTER)
    minutes.refresh_from_db()
    assert [(s.step, s.post_id) for s in minutes.steps.all()] == [(S.SECRETARY_SIGN, w.secretary_post.pk)]
    for other in (w.exec_deputy, w.director, w.office_deputy):
        with pytest.raises(ActionNotAllowed):
            minutes_services.sign_minutes_step(actor=other, minutes=minutes, today=AFTER)
    step = minutes_services.sign_minutes_step(actor=w.head, minutes=minutes, today=AFTER)  # the head is the secretary
    minutes.refresh_from_db()
    assert minutes.state == Minutes.State.SIGNED and step.signed_by == w.head
    assert step.capacity == w.secretary_post.title


# --- MTG-7: the special-topic meeting ---------------------------------------------------------------------------


def test_mtg_7_special_minutes_drafted_by_lead_unit_countersigned_then_chair_then_head(world):
    w = world
    m = special_meeting(w, MEETING_DAY)
    meeting_services.mark_held(actor=w.staff, meeting=m, today=MEETING_DAY)
    # drafted by the lead unit (教育局), not by an attending unit
    with pytest.raises(ActionNotAllowed):
        minutes_services.start_minutes(actor=w.clerks["财政局"], meeting=m, today=MEETING_DAY)
    minutes = minutes_services.start_minutes(actor=w.clerks["教育局"], meeting=m, today=MEETING_DAY)
    record(w, m, "各单位按分工推进。", actor=w.clerks["教育局"])
    minutes_services.send_minutes_for_signing(actor=w.clerks["教育局"], minutes=minutes, today=AFTER)
    minutes.refresh_from_db()
    steps = list(minutes.steps.order_by("order"))
    assert [s.step for s in steps] == [S.UNIT_COUNTERSIGN, S.UNIT_COUNTERSIGN, S.CHAIR_APPROVE, S.HEAD_SIGN]
    assert {s.unit_id for s in steps[:2]} == {w.units["财政局"].pk, w.units["发改局"].pk}
    assert steps[2].post_id == w.edu_deputy_post.pk and steps[3].post_id == w.head_post.pk

    # the chair approves only after every attending unit has countersigned; the head signs last
    with pytest.raises(MeetingError, match="尚未轮到"):
        minutes_services.sign_minutes_step(actor=w.edu_deputy, minutes=minutes, today=AFTER)
    with pytest.raises(MeetingError, match="尚未轮到"):
        minutes_services.sign_minutes_step(actor=w.head, minutes=minutes, today=AFTER)
    # the countersigns run in parallel: either unit may sign first
    minutes_services.sign_minutes_step(actor=w.unit_heads["发改局"], minutes=minutes, today=AFTER)
    with pytest.raises(MeetingError, match="尚未轮到"):
        minutes_services.sign_minutes_step(actor=w.edu_deputy, minutes=minutes, today=AFTER)
    minutes_services.sign_minutes_step(actor=w.unit_heads["财政局"], minutes=minutes, today=AFTER)
    minutes_services.sign_minutes_step(actor=w.edu_deputy, minutes=minutes, today=AFTER)
    minutes.refresh_from_db()
    assert minutes.state == Minutes.State.SIGNING
    minutes_services.sign_minutes_step(actor=w.head, minutes=minutes, today=AFTER)
    minutes.refresh_from_db()
    assert minutes.state == Minutes.State.SIGNED


def test_mtg_7_special_meeting_chaired_by_the_head_ends_with_the_chair(world):
    w = world
    m = special_meeting(w, MEETING_DAY, chair=w.head_post, units=("财政局",))
    minutes = held(w, m, drafter=w.clerks["教育局"])
    record(w, m, actor=w.clerks["教育局"])
    minutes_services.send_minutes_for_signing(actor=w.clerks["教育局"], minutes=minutes, today=AFTER)
    minutes.refresh_from_db()
    assert open_steps(minutes) == [S.UNIT_COUNTERSIGN, S.CHAIR_APPROVE]


# --- the minutes page -------------------------------------------------------------------------------------------


def page_meeting(w, *, days_ahead=0):
    """An executive meeting on (today + days_ahead), agenda approved: the views use the real today."""
    return agenda_meeting(w, timezone.localdate() + dt.timedelta(days=days_ahead))


def test_minutes_page_is_404_for_outsiders_and_a_unit_without_a_topic(world, client):
    w = world
    m, _topic = page_meeting(w)
    for user in (w.outsider, w.clerks["教育局"]):
        c = login(client, user)
        assert c.get(reverse("meetings:minutes", args=[m.pk])).status_code == 404
        assert c.get(reverse("meetings:minutes_docx", args=[m.pk])).status_code == 404
        r = c.post(reverse("meetings:minutes_action", args=[m.pk, "held"]), {"held-confirm": "on"})
        assert r.status_code == 404
    for user in (w.staff, w.head, w.clerks["财政局"], w.unit_heads["审计局"]):
        assert login(client, user).get(reverse("meetings:minutes", args=[m.pk])).status_code == 200


def test_minutes_page_walks_the_executive_chain_through_the_views(world, client):
    w = world
    m, topic = page_meeting(w)
    url = reverse("meetings:minutes", args=[m.pk])
    act = lambda name: reverse("meetings:minutes_action", args=[m.pk, name])  # noqa: E731
    c = login(client, w.staff)
    # 会议召开 needs the confirmation box, checked on the server
    r = c.post(act("held"), {})
    assert r.status_code == 400 and Meeting.objects.get(pk=m.pk).state == MS.AGENDA_APPROVED
    assert c.post(act("held"), {"held-confirm": "on"}).status_code == 302
    assert Meeting.objects.get(pk=m.pk).state == MS.HELD
    assert c.post(act("start"), {"start-body": "会议研究了预算调整。"}).status_code == 302
    minutes = Minutes.objects.get(meeting=m)
    assert minutes.body == "会议研究了预算调整。"

    # a decision the service refuses keeps what was typed
    r = c.post(
        act("decision"), {"decision-topic": topic.pk, "decision-kind": "issue_document", "decision-text": "印发"}
    )
    assert r.status_code == 400
    assert "须写明文件标题和起草单位" in r.content.decode()
    assert r.context["forms"]["decision"]["text"].value() == "印发"
    r = c.post(
        act("decision"),
        {"decision-topic": topic.pk, "decision-kind": "record", "decision-text": "原则同意预算调整方案。"},
    )
    assert r.status_code == 302 and Decision.objects.filter(meeting=m).count() == 1

    # only the office may send; then only the next step's handler sees the sign button
    assert login(client, w.clerks["财政局"]).post(act("send")).status_code == 403
    c = login(client, w.staff)
    assert c.post(act("send")).status_code == 302
    for user in (w.director, w.head, w.staff):
        r = login(client, user).get(url)
        assert 'data-testid="do-sign"' not in r.content.decode()
    r = login(client, w.office_deputy).get(url)
    page = r.content.decode()
    assert 'data-testid="do-sign"' in page and page.count('data-testid="next-step"') == 1

    # signing needs the confirmation; out of turn is refused with the rule's words
    assert login(client, w.office_deputy).post(act("sign"), {"sign-opinion": "同意"}).status_code == 400
    r = login(client, w.director).post(act("sign"), {"sign-opinion": "同意", "sign-confirm": "on"})
    assert r.status_code == 400 and "尚未轮到" in r.content.decode()
    assert (
        login(client, w.office_deputy).post(act("sign"), {"sign-opinion": "同意", "sign-confirm": "on"}).status_code
        == 302
    )

    # send-back with an opinion, shown on the page
    r = login(client, w.director).post(act("send-back"), {"send-back-opinion": ""})
    assert r.status_code == 400
    assert login(client, w.director).post(act("send-back"), {"send-back-opinion": "请补充时限"}).status_code == 302
    assert Minutes.objects.get(pk=minutes.pk).state == Minutes.State.DRAFTING
    assert "请补充时限" in login(client, w.staff).get(url).content.decode()

    c = login(client, w.staff)
    assert c.post(act("body"), {"body-body": "修改后的导语。"}).status_code == 302
    assert c.post(act("send")).status_code == 302
    for who in executive_signers(w):
        r = login(client, who).post(act("sign"), {"sign-opinion": "同意", "sign-confirm": "on"})
        assert r.status_code == 302, r.content.decode()[:500]
    minutes.refresh_from_db()
    assert minutes.state == Minutes.State.SIGNED
    # the head's page from before his signature, posted again: who signed, not "cannot sign in this state"
    r = login(client, w.head).post(act("sign"), {"sign-opinion": "同意", "sign-confirm": "on"})
    assert r.status_code == 200 and f"已由{w.head.display_name}于" in r.content.decode()
    page = login(client, w.staff).get(url).content.decode()
    assert w.head.display_name in page and "区长签发" in page and 'data-testid="do-sign"' not in page


def test_mtg_6_the_minutes_text_saved_unchanged_records_no_revision(world, client):
    """The body box shows the saved text: saving it untouched is not a revision — no "修改纪要正文" entry in the
    record claiming a change, and the text stays as it was."""
    from tests.form_roundtrip import form_data

    w = world
    m, _topic = page_meeting(w)
    held(w, m)
    c = login(client, w.staff)
    act = reverse("meetings:minutes_action", args=[m.pk, "body"])
    assert c.post(act, {"body-body": "会议研究了预算调整。\n出席：……"}).status_code == 302
    saved = Minutes.objects.get(meeting=m).body
    events = Event.objects.count()
    page = c.get(reverse("meetings:minutes", args=[m.pk])).content.decode()
    data = {k: v for k, v in form_data(page, ("action", act)).items() if k.startswith("body-")}
    assert data["body-body"] == [saved.replace("\n", "\r\n")]  # as a browser sends it
    assert c.post(act, data).status_code == 302
    assert Minutes.objects.get(meeting=m).body == saved
    assert Event.objects.count() == events


def test_mtg_6_the_minutes_text_saved_unchanged_says_nothing_changed(world, client):
    """Saved untouched, the minutes text records no revision, yet the page said "纪要正文已保存。"."""
    from tests.form_roundtrip import form_data

    w = world
    m, _topic = page_meeting(w)
    held(w, m)
    c = login(client, w.staff)
    act = reverse("meetings:minutes_action", args=[m.pk, "body"])
    assert c.post(act, {"body-body": "会议研究了预算调整。"}).status_code == 302
    page = c.get(reverse("meetings:minutes", args=[m.pk])).content.decode()
    data = {k: v for k, v in form_data(page, ("action", act)).items() if k.startswith("body-")}
    response = c.post(act, data, follow=True)
    assert [str(x) for x in response.context["messages"]] == ["纪要正文未作修改。"]
    response = c.post(act, {"body-body": "会议研究了预算调整和项目安排。"}, follow=True)
    assert [str(x) for x in response.context["messages"]] == ["纪要正文已保存。"]


def test_minutes_page_shows_the_attendance_record(world, client):
    w = world
    m, topic = page_meeting(w, days_ahead=1)
    inv = m.invitations.get(person=w.unit_heads["审计局"])
    leave = meeting_services.request_leave(
        actor=w.unit_heads["审计局"], invitation=inv, reason="赴省参加培训", substitute=w.unit_deputies["审计局"]
    )
    meeting_services.decide_leave(actor=w.head, leave=leave, approve=True)
    page = login(client, w.staff).get(reverse("meetings:minutes", args=[m.pk])).content.decode()
    record_html = page.split('data-testid="attendance-record"')[1]
    assert w.unit_heads["审计局"].display_name in record_html.split("请假：")[1].split("列席：")[0]
    assert "经区长" in record_html and w.unit_deputies["审计局"].display_name in record_html
    assert w.edu_deputy.display_name in record_html.split("出席：")[1].split("请假：")[0]


def test_withdrawing_a_decision_renumbers_the_rest(world):
    w = world
    m, topic = agenda_meeting(w, MEETING_DAY)
    held(w, m)
    first = record(w, m, "第一项。", topic=topic)
    second = record(w, m, "第二项。", topic=topic)
    minutes_services.withdraw_decision(actor=w.staff, decision=first)
    second.refresh_from_db()
    assert second.order == 1 and not Decision.objects.filter(pk=first.pk).exists()
    with pytest.raises(ActionNotAllowed):
        minutes_services.withdraw_decision(actor=w.clerks["财政局"], decision=second)


def test_text_minutes_and_decisions_keep_their_full_width_paragraph_indentation(world):
    """公文 paragraphs open with 　　 (U+3000); `str.strip()` in the services dropped the first one's."""
    w = world
    m, topic = agenda_meeting(w, MEETING_DAY)
    minutes = held(w, m)
    text = "　　会议原则同意实施方案。\n　　由财政局牵头落实。"
    decision = record(w, m, f"\n{text}\n", topic=topic)
    assert Decision.objects.get(pk=decision.pk).text == text
    body = "　　2026年12月9日，区长主持召开区政府常务会议。"
    minutes_services.revise_minutes(actor=w.staff, minutes=minutes, body=f"{body}\n")
    assert Minutes.objects.get(pk=minutes.pk).body == body
    with pytest.raises(MeetingError, match="请填写会议决定"):
        record(w, m, "\u3000\u3000\n", topic=topic)

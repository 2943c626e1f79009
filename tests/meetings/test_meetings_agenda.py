"""The agenda (MTG-5): built by the office, sent to the head at least 1 day before the meeting, approved (frozen:
no topic added, with the reason shown) or sent back by the head — through the services and the meeting page."""

from __future__ import annotations

import datetime as dt

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from django.utils import timezone
from meetings_support import DAY, meeting_request

from meetings.meeting import services as meeting_services
from meetings.models import Meeting, MeetingKind, MeetingState, Topic, TopicState
from meetings.schedule import services as schedule_services
from meetings.shared.errors import AgendaFrozen, MeetingError
from tiexi_gov.audit.models import Event
from tiexi_gov.workdays import calendar as wd

pytestmark = [pytest.mark.django_db]

PDF = b"%PDF-1.7\n%\xe2\xe3\xcf\xd3\n1 0 obj <<>> endobj\n"
FROZEN = "不再临时增加议题"


@pytest.fixture(autouse=True)
def media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path


def _ready_topic(w, meeting, day, short="财政局", title="预算调整"):
    """An accepted topic whose paper is checked and reviewed: the agenda may go to the head."""
    sub = meeting_request(w, short, day=day, title=f"关于提请研究{title}的请示")
    topic = meeting_services.propose_topic(
        actor=w.clerks[short], meeting=meeting, unit=w.units[short], title=title, submission=sub, today=day
    )
    meeting_services.record_proposer(actor=w.head, topic=topic, today=day)
    meeting_services.record_checklist(actor=w.staff, topic=topic, significance=True, substance=True, procedure=True)
    topic = meeting_services.decide_topic(actor=w.head, topic=topic, accept=True, today=day)
    paper = meeting_services.add_paper(
        actor=w.clerks[short], topic=topic, title="汇报材料", file=SimpleUploadedFile("a.pdf", PDF)
    )
    meeting_services.check_paper(actor=w.unit_heads[short], paper=paper, today=day)
    leader = {"财政局": w.exec_deputy, "教育局": w.edu_deputy}[short]
    meeting_services.review_paper(actor=leader, paper=paper, today=day)
    return topic


def _september(w):
    schedule_services.generate_year(actor=w.staff, year=2026)
    return Meeting.objects.get(kind=MeetingKind.EXECUTIVE, year=2026, seq=9)


def test_mtg_5_agenda_to_head_at_least_one_day_before(world):
    w = world
    meeting = _september(w)  # Wednesday 9 September
    _ready_topic(w, meeting, DAY)
    with pytest.raises(MeetingError, match="2026-09-08") as exc:
        meeting_services.submit_agenda(actor=w.staff, meeting=meeting, today=meeting.date)
    assert exc.value.rule_id == "MTG-5"
    assert Meeting.objects.get(pk=meeting.pk).state == MeetingState.SCHEDULED
    with pytest.raises(MeetingError):  # the office builds the agenda, not a unit
        meeting_services.submit_agenda(actor=w.clerks["财政局"], meeting=meeting, today=dt.date(2026, 9, 8))
    done = meeting_services.submit_agenda(actor=w.staff, meeting=meeting, today=dt.date(2026, 9, 8))
    assert (done.state, done.agenda_sent_on) == (MeetingState.AGENDA_SUBMITTED, dt.date(2026, 9, 8))


def test_mtg_5_frozen_agenda_refuses_a_new_topic(world):
    """After the head approves, neither a new topic nor the acceptance of a pending one gets in; while the agenda
    is with the head a new topic waits for the head to send it back."""
    w = world
    meeting = _september(w)
    _ready_topic(w, meeting, DAY)
    pending_sub = meeting_request(w, "教育局", day=DAY)
    pending = meeting_services.propose_topic(
        actor=w.clerks["教育局"],
        meeting=meeting,
        unit=w.units["教育局"],
        title="校舍改造",
        submission=pending_sub,
        today=DAY,
    )
    meeting_services.record_proposer(actor=w.head, topic=pending, today=DAY)
    meeting_services.record_checklist(actor=w.staff, topic=pending, significance=True, substance=True, procedure=True)
    meeting_services.submit_agenda(actor=w.staff, meeting=meeting, today=dt.date(2026, 9, 7))
    late_sub = meeting_request(w, "财政局", day=DAY, title="关于提请研究专项债的请示")
    with pytest.raises(AgendaFrozen, match="退回议程"):
        meeting_services.propose_topic(
            actor=w.clerks["财政局"],
            meeting=meeting,
            unit=w.units["财政局"],
            title="专项债",
            submission=late_sub,
            today=DAY,
        )
    meeting_services.approve_agenda(actor=w.head, meeting=meeting, today=dt.date(2026, 9, 8))
    with pytest.raises(AgendaFrozen, match=FROZEN):
        meeting_services.propose_topic(
            actor=w.clerks["财政局"],
            meeting=meeting,
            unit=w.units["财政局"],
            title="专项债",
            submission=late_sub,
            today=DAY,
        )
    with pytest.raises(AgendaFrozen, match=FROZEN):
        meeting_services.decide_topic(actor=w.head, topic=pending, accept=True, today=dt.date(2026, 9, 8))
    assert not Topic.objects.filter(title="专项债").exists()
    assert Topic.objects.get(pk=pending.pk).state == TopicState.PROPOSED


# --- through the pages ------------------------------------------------------------------------------------------


@pytest.fixture
def today():
    return timezone.localdate()


def _meeting(w, today):
    meeting_services.ensure_standing_seats()
    meeting = schedule_services.schedule_ad_hoc(
        actor=w.staff, kind=MeetingKind.EXECUTIVE, date=wd.add_workdays(today, 10), reason="研究重点工作"
    )
    return schedule_services.consent_ad_hoc(actor=w.head, meeting=meeting)


def _agenda(client, meeting, action, data=None):
    prefix = action.replace("-", "_")
    payload = {f"{prefix}-{k}": v for k, v in (data or {}).items()}
    return client.post(reverse("meetings:agenda_action", args=[meeting.pk, action]), payload)


def _state(meeting):
    return Meeting.objects.get(pk=meeting.pk).state


def test_mtg_5_agenda_submit_send_back_and_approve_through_the_meeting_page(world, client, today):
    w = world
    meeting = _meeting(w, today)
    _ready_topic(w, meeting, today)
    client.force_login(w.clerks["财政局"])
    page = client.get(reverse("meetings:meeting", args=[meeting.pk]))
    assert page.status_code == 200 and "submit" not in page.context["forms"]
    assert _agenda(client, meeting, "submit").status_code == 403
    client.force_login(w.staff)
    page = client.get(reverse("meetings:meeting", args=[meeting.pk]))
    assert set(page.context["forms"]) == {"submit"}
    assert _agenda(client, meeting, "submit").status_code == 302
    assert _state(meeting) == MeetingState.AGENDA_SUBMITTED
    assert _agenda(client, meeting, "approve", {"confirm": "on"}).status_code == 403  # the office does not approve

    client.force_login(w.head)
    page = client.get(reverse("meetings:meeting", args=[meeting.pk]))
    assert set(page.context["forms"]) == {"approve", "send_back"}
    assert _agenda(client, meeting, "send-back", {"reason": ""}).status_code == 400
    assert _agenda(client, meeting, "send-back", {"reason": "材料需补充测算依据"}).status_code == 302
    assert _state(meeting) == MeetingState.SCHEDULED
    assert Event.objects.filter(action="agenda_sent_back", opinion="材料需补充测算依据").exists()

    client.force_login(w.staff)
    assert _agenda(client, meeting, "submit").status_code == 302
    client.force_login(w.head)
    unconfirmed = _agenda(client, meeting, "approve")
    assert unconfirmed.status_code == 400 and _state(meeting) == MeetingState.AGENDA_SUBMITTED
    assert "请勾选确认" in unconfirmed.content.decode()
    assert _agenda(client, meeting, "approve", {"confirm": "on"}).status_code == 302
    meeting.refresh_from_db()
    assert meeting.state == MeetingState.AGENDA_APPROVED and meeting.agenda_approved_by == w.head
    assert meeting.invitations.filter(person=w.unit_heads["审计局"]).exists()  # invitations refreshed (MTG-4)
    assert _agenda(client, meeting, "approve", {"confirm": "on"}).status_code == 403  # already approved
    assert _agenda(client, meeting, "nonsense").status_code == 404
    client.force_login(w.clerks["教育局"])
    assert _agenda(client, meeting, "submit").status_code == 404  # outsiders learn nothing


def test_mtg_5_frozen_agenda_reason_is_shown_on_the_pages(world, client, today):
    w = world
    meeting = _meeting(w, today)
    _ready_topic(w, meeting, today)
    pending_sub = meeting_request(w, "教育局", day=today)
    pending = meeting_services.propose_topic(
        actor=w.clerks["教育局"], meeting=meeting, unit=w.units["教育局"], title="校舍改造", submission=pending_sub
    )
    meeting_services.record_proposer(actor=w.head, topic=pending)
    meeting_services.record_checklist(actor=w.staff, topic=pending, significance=True, substance=True, procedure=True)
    meeting_services.submit_agenda(actor=w.staff, meeting=meeting)
    meeting_services.approve_agenda(actor=w.head, meeting=meeting)

    late_sub = meeting_request(w, "财政局", day=today, title="关于提请研究专项债的请示")
    client.force_login(w.clerks["财政局"])
    form_page = client.get(reverse("meetings:topic_new", args=[meeting.pk]))
    assert FROZEN in form_page.content.decode()
    data = {"unit": w.units["财政局"].pk, "submission": late_sub.pk, "title": "专项债"}
    refused = client.post(reverse("meetings:topic_new", args=[meeting.pk]), data)
    assert refused.status_code == 400 and FROZEN in refused.content.decode()
    assert not Topic.objects.filter(title="专项债").exists()
    page = client.get(reverse("meetings:meeting", args=[meeting.pk]))
    assert FROZEN in page.content.decode() and "propose" not in page.context["page"].may

    client.force_login(w.head)
    topic_page = client.get(reverse("meetings:topic", args=[pending.pk]))
    offered = dict(topic_page.context["forms"]["decide"].fields["decision"].choices)
    assert "accept" not in offered and "refuse" in offered  # a pending topic may still be refused, not added
    assert FROZEN in topic_page.content.decode()
    refused = client.post(
        reverse("meetings:topic_action", args=[pending.pk, "decide"]),
        {"decide-decision": "accept", "decide-confirm": "on"},
    )
    assert refused.status_code == 403
    assert any(FROZEN in str(m) for m in refused.context["messages"])
    assert Topic.objects.get(pk=pending.pk).state == TopicState.PROPOSED


def test_mtg_5_second_click_on_a_stale_agenda_page_names_who_handled_it(world, client, today):
    """报区长审定 and 审定议程 clicked again from the page as it was (Back, a double tap): the page says the agenda was
    already handled and by whom, not the rule that no longer lets the user act; nothing changes."""
    w = world
    meeting = _meeting(w, today)
    _ready_topic(w, meeting, today)
    client.force_login(w.staff)
    page = client.get(reverse("meetings:meeting", args=[meeting.pk])).content.decode()
    assert f'name="seen_state" value="{MeetingState.SCHEDULED}"' in page
    stale_submit = {"seen_state": MeetingState.SCHEDULED}
    assert client.post(reverse("meetings:agenda_action", args=[meeting.pk, "submit"]), stale_submit).status_code == 302
    again = client.post(reverse("meetings:agenda_action", args=[meeting.pk, "submit"]), stale_submit)
    text = again.content.decode()
    assert again.status_code == 200 and f"已由{w.staff.display_name}处理" in text, text
    assert Event.objects.filter(action="agenda_submitted", subject_id=str(meeting.pk)).count() == 1

    client.force_login(w.head)
    stale_approve = {"seen_state": MeetingState.AGENDA_SUBMITTED, "approve-confirm": "on"}
    url = reverse("meetings:agenda_action", args=[meeting.pk, "approve"])
    assert client.post(url, stale_approve).status_code == 302
    again = client.post(url, stale_approve)
    assert again.status_code == 200 and f"已由{w.head.display_name}处理" in again.content.decode()
    assert _state(meeting) == MeetingState.AGENDA_APPROVED
    # Without a state from the page (or with one that is current), the rule still answers.
    assert _agenda(client, meeting, "approve", {"confirm": "on"}).status_code == 403
    # A made-up state is not a stale page.
    assert client.post(url, {"seen_state": "nonsense", "approve-confirm": "on"}).status_code == 403
    client.force_login(w.clerks["教育局"])
    assert client.post(url, stale_approve).status_code == 404  # outsiders still learn nothing

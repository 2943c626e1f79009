"""Meeting papers (MTG-5): drafted by the reporting unit, checked by its main head, then reviewed by its district
leader; the agenda does not go to the head while one is not ready; once the agenda is approved the papers reach
the attendees — and only them."""

from __future__ import annotations

import datetime as dt

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from django.utils import timezone
from meetings_support import DAY, meeting_request

from meetings.meeting import permissions as meeting_permissions
from meetings.meeting import services as meeting_services
from meetings.models import Meeting, MeetingKind, Paper, TopicState
from meetings.schedule import services as schedule_services
from meetings.shared.errors import ActionNotAllowed, AgendaFrozen, AlreadyHandled, MeetingError
from tiexi_gov.audit.models import Event
from tiexi_gov.workdays import calendar as wd

pytestmark = [pytest.mark.django_db]

PDF = b"%PDF-1.7\n%\xe2\xe3\xcf\xd3\n1 0 obj <<>> endobj\n"


@pytest.fixture(autouse=True)
def media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path


def _pdf(name="汇报材料.pdf"):
    return SimpleUploadedFile(name, PDF, content_type="application/pdf")


def _accepted_topic(w, meeting, day, short="财政局", leader=None):
    sub = meeting_request(w, short, day=day)
    topic = meeting_services.propose_topic(
        actor=w.clerks[short], meeting=meeting, unit=w.units[short], title=f"{short}议题", submission=sub, today=day
    )
    meeting_services.record_proposer(actor=w.head, topic=topic, today=day)
    meeting_services.record_checklist(actor=w.staff, topic=topic, significance=True, substance=True, procedure=True)
    return meeting_services.decide_topic(actor=w.head, topic=topic, accept=True, today=day)


def test_mtg_5_a_paper_checked_or_reviewed_again_writes_nothing_and_says_who(world):
    """Found from outside: the 把关 / 审核 form posted again (a second tab, a resubmit) wrote another record and moved
    the date, even after the agenda was approved. A paper is checked once and reviewed once."""
    w = world
    schedule_services.generate_year(actor=w.staff, year=2026)
    meeting = Meeting.objects.get(kind=MeetingKind.EXECUTIVE, year=2026, seq=9)
    paper = meeting_services.add_paper(
        actor=w.clerks["财政局"], topic=_accepted_topic(w, meeting, DAY), title="汇报材料", file=_pdf()
    )
    meeting_services.check_paper(actor=w.unit_heads["财政局"], paper=paper, today=DAY)
    checked_at = Paper.objects.get(pk=paper.pk).checked_at
    with pytest.raises(AlreadyHandled, match=f"已由{w.unit_heads['财政局'].display_name}于.*把关"):
        meeting_services.check_paper(actor=w.unit_heads["财政局"], paper=paper, today=DAY)
    meeting_services.review_paper(actor=w.exec_deputy, paper=paper, today=DAY)
    reviewed_at = Paper.objects.get(pk=paper.pk).reviewed_at
    with pytest.raises(AlreadyHandled, match="审核，无需重复操作"):
        meeting_services.review_paper(actor=w.exec_deputy, paper=paper, today=DAY)
    fresh = Paper.objects.get(pk=paper.pk)
    assert (fresh.checked_at, fresh.reviewed_at) == (checked_at, reviewed_at)
    assert Event.objects.filter(action="paper_checked").count() == 1
    assert Event.objects.filter(action="paper_reviewed").count() == 1


def test_mtg_5_papers_checked_by_unit_head_then_leader(world):
    """The order is enforced (head's check before the leader's review), only the right posts may sign, and the
    agenda cannot go to the head while any paper is not ready (or a topic has none)."""
    w = world
    schedule_services.generate_year(actor=w.staff, year=2026)
    meeting = Meeting.objects.get(kind=MeetingKind.EXECUTIVE, year=2026, seq=9)
    topic = _accepted_topic(w, meeting, DAY)
    with pytest.raises(ActionNotAllowed):  # another unit does not draft 财政局's papers
        meeting_services.add_paper(actor=w.clerks["教育局"], topic=topic, title="材料", file=_pdf())
    first = meeting_services.add_paper(actor=w.clerks["财政局"], topic=topic, title="汇报材料", file=_pdf())
    second = meeting_services.add_paper(actor=w.clerks["财政局"], topic=topic, title="测算表", file=_pdf("测算表.pdf"))
    assert not first.is_ready

    with pytest.raises(MeetingError, match="须先由单位主要负责人把关"):
        meeting_services.review_paper(actor=w.exec_deputy, paper=first, today=DAY)
    for wrong in (w.clerks["财政局"], w.unit_deputies["财政局"], w.unit_heads["教育局"], w.exec_deputy):
        with pytest.raises(ActionNotAllowed, match="主要负责人"):
            meeting_services.check_paper(actor=wrong, paper=first, today=DAY)
    meeting_services.check_paper(actor=w.unit_heads["财政局"], paper=first, today=DAY)
    for wrong in (w.unit_heads["财政局"], w.edu_deputy, w.judicial_deputy, w.staff):
        with pytest.raises(ActionNotAllowed, match="分管区领导"):
            meeting_services.review_paper(actor=wrong, paper=first, today=DAY)
    meeting_services.review_paper(actor=w.exec_deputy, paper=first, today=DAY)
    first.refresh_from_db()
    assert first.is_ready and (first.checked_by, first.reviewed_by) == (w.unit_heads["财政局"], w.exec_deputy)

    agenda_day = dt.date(2026, 9, 7)
    with pytest.raises(MeetingError, match="财政局议题"):  # the second paper is not ready
        meeting_services.submit_agenda(actor=w.staff, meeting=meeting, today=agenda_day)
    meeting_services.check_paper(actor=w.unit_heads["财政局"], paper=second, today=DAY)
    with pytest.raises(MeetingError, match="分管区领导审核"):  # checked but not reviewed is not ready either
        meeting_services.submit_agenda(actor=w.staff, meeting=meeting, today=agenda_day)
    meeting_services.review_paper(actor=w.exec_deputy, paper=second, today=DAY)
    bare = _accepted_topic(w, meeting, DAY, short="教育局")
    with pytest.raises(MeetingError, match="教育局议题"):  # a topic without papers has nothing ready
        meeting_services.submit_agenda(actor=w.staff, meeting=meeting, today=agenda_day)
    meeting_services.add_paper(actor=w.clerks["教育局"], topic=bare, title="教育材料", file=_pdf())
    for p in Paper.objects.filter(topic=bare):
        meeting_services.check_paper(actor=w.unit_heads["教育局"], paper=p, today=DAY)
        meeting_services.review_paper(actor=w.edu_deputy, paper=p, today=DAY)
    assert meeting_services.submit_agenda(actor=w.staff, meeting=meeting, today=agenda_day).state == "agenda_submitted"
    meeting_services.approve_agenda(actor=w.head, meeting=meeting, today=agenda_day)
    with pytest.raises(AgendaFrozen):  # no more papers once the head has approved the agenda
        meeting_services.add_paper(actor=w.clerks["财政局"], topic=topic, title="补充材料", file=_pdf())


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


def _post(client, topic, action, data, files=None):
    payload = {f"{action}-{k}": v for k, v in data.items()}
    if files:
        payload.update({f"{action}-{k}": v for k, v in files.items()})
    return client.post(reverse("meetings:topic_action", args=[topic.pk, action]), payload)


def test_mtg_5_paper_upload_check_and_review_through_the_topic_page(world, client, today):
    w = world
    meeting = _meeting(w, today)
    topic = _accepted_topic(w, meeting, today)
    client.force_login(w.clerks["财政局"])
    page = client.get(reverse("meetings:topic", args=[topic.pk]))
    assert "paper" in page.context["forms"] and "check" not in page.context["forms"]
    bad = _post(client, topic, "paper", {"title": "脚本"}, {"file": SimpleUploadedFile("x.exe", b"MZ\x90\x00")})
    assert bad.status_code == 400 and not Paper.objects.exists()
    assert _post(client, topic, "paper", {"title": "汇报材料"}, {"file": _pdf()}).status_code == 302
    paper = Paper.objects.get()
    assert _post(client, topic, "check", {"paper": paper.pk, "confirm": "on"}).status_code == 403

    client.force_login(w.exec_deputy)  # the leader's review comes after the head's check
    assert "review" in client.get(reverse("meetings:topic", args=[topic.pk])).context["forms"]
    early = _post(client, topic, "review", {"paper": paper.pk, "confirm": "on"})
    assert early.status_code == 400 and "须先由单位主要负责人把关" in early.content.decode()

    client.force_login(w.unit_heads["财政局"])
    page = client.get(reverse("meetings:topic", args=[topic.pk]))
    assert 'data-action="check"' in page.content.decode()
    assert _post(client, topic, "check", {"paper": paper.pk}).status_code == 400  # the confirmation is required
    assert _post(client, topic, "check", {"paper": paper.pk, "confirm": "on"}).status_code == 302

    client.force_login(w.exec_deputy)
    assert _post(client, topic, "review", {"paper": paper.pk, "confirm": "on"}).status_code == 302
    paper.refresh_from_db()
    assert paper.is_ready and paper.reviewed_by == w.exec_deputy
    # the leader in charge reviews what they can open: the paper itself, before the agenda is approved
    assert client.get(reverse("meetings:paper", args=[paper.pk])).status_code == 200


def _approved_with_paper(w, today):
    meeting = _meeting(w, today)
    topic = _accepted_topic(w, meeting, today)
    paper = meeting_services.add_paper(actor=w.clerks["财政局"], topic=topic, title="汇报材料", file=_pdf())
    meeting_services.check_paper(actor=w.unit_heads["财政局"], paper=paper)
    meeting_services.review_paper(actor=w.exec_deputy, paper=paper)
    meeting_services.refresh_invitations(meeting)  # the standing attendees are known before approval
    return meeting, topic, paper


def test_mtg_5_papers_reach_attendees_only_after_the_agenda_is_approved(world, client, today):
    w = world
    meeting, topic, paper = _approved_with_paper(w, today)
    url = reverse("meetings:paper", args=[paper.pk])
    attendee = w.unit_heads["发改局"]  # a standing attendee of the executive meeting (MTG-4)
    assert meeting_permissions.is_attendee(attendee, meeting)
    client.force_login(attendee)
    assert client.get(url).status_code == 404  # invited, but the agenda is not approved yet
    client.force_login(w.clerks["财政局"])
    response = client.get(url)
    assert response.status_code == 200 and b"".join(response.streaming_content) == PDF  # the unit's own paper

    meeting_services.submit_agenda(actor=w.staff, meeting=meeting)
    meeting_services.approve_agenda(actor=w.head, meeting=meeting)
    client.force_login(attendee)
    response = client.get(url)
    assert response.status_code == 200
    assert "attachment" in response["Content-Disposition"] and response["X-Content-Type-Options"] == "nosniff"
    page = client.get(reverse("meetings:meeting", args=[meeting.pk]))
    assert url in page.content.decode()
    client.force_login(w.clerks["教育局"])  # not invited, another unit
    assert client.get(url).status_code == 404
    client.force_login(w.outsider)
    assert client.get(url).status_code == 404
    client.logout()
    assert client.get(url).status_code == 302  # to the login page


def test_paper_access_on_the_meeting_page_matches_can_view_paper(world, today):
    """The page asks once per user (`paper_access`); it must give can_view_paper's answer everywhere."""
    w = world
    meeting, topic, paper = _approved_with_paper(w, today)
    people = [
        w.head,
        w.exec_deputy,
        w.edu_deputy,
        w.staff,
        w.director,
        w.outsider,
        *w.unit_heads.values(),
        *w.clerks.values(),
    ]

    def both(person):
        fresh = type(person).objects.get(pk=person.pk)  # no cached permission facts between states
        paper_now = Paper.objects.select_related("topic__meeting").get(pk=paper.pk)
        access = meeting_permissions.paper_access(fresh, paper_now.topic.meeting)
        return access.allows(topic.unit_id), meeting_permissions.can_view_paper(fresh, paper_now)

    before = {p.username: both(p) for p in people}
    meeting_services.submit_agenda(actor=w.staff, meeting=meeting)
    meeting_services.approve_agenda(actor=w.head, meeting=meeting)
    after = {p.username: both(p) for p in people}
    for name, (fast, slow) in {**{f"before:{k}": v for k, v in before.items()}, **after}.items():
        assert fast == slow, name
    assert before["fgj_head"] == (False, False) and after["fgj_head"] == (True, True)
    assert after["jyj_clerk"] == (False, False)
    assert Meeting.objects.get(pk=meeting.pk).topics.get().state == TopicState.ACCEPTED

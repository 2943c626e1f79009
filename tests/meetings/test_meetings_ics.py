"""The personal .ics feed: a phone subscribes with a secret address and sees the meetings its owner is invited
to (the office: all), at their postponed dates, cancelled ones marked; each meeting keeps one UID."""

from __future__ import annotations

import datetime as dt
from zoneinfo import ZoneInfo

import icalendar
import pytest
from django.urls import reverse
from django.utils import timezone

from meetings.meeting import services as meeting_services
from meetings.models import CalendarToken, Meeting, MeetingKind
from meetings.schedule import services as schedule_services
from tiexi_gov.audit.models import Event

pytestmark = [pytest.mark.django_db]

SHANGHAI = ZoneInfo("Asia/Shanghai")


@pytest.fixture
def today():
    return timezone.localdate()


def _token(user) -> str:
    return schedule_services.issue_calendar_token(actor=user).token


def _feed(client, token):
    response = client.get(reverse("meetings:ics_feed", args=[token]))
    assert response.status_code == 200
    assert response["Content-Type"].startswith("text/calendar")
    return response.content, icalendar.Calendar.from_ical(response.content)


def _events(cal) -> dict[str, icalendar.Event]:
    return {str(e["UID"]): e for e in cal.walk("VEVENT")}


def _uid(meeting) -> str:
    return f"meeting-{meeting.pk}@tiexi-gov"


def test_ics_feed_lists_the_office_s_meetings_with_stable_uids_and_postponed_dates(world, client, today):
    w = world
    year = today.year + 1
    schedule_services.generate_year(actor=w.staff, year=year)
    token = _token(w.staff)
    client.logout()  # no login: the address is the key
    raw, cal = _feed(client, token)
    events = _events(cal)
    assert set(events) == {_uid(m) for m in Meeting.objects.all()}
    assert len(events) == 26

    march = Meeting.objects.get(year=year, kind=MeetingKind.EXECUTIVE, seq=3)
    event = events[_uid(march)]
    assert str(event["SUMMARY"]) == march.title
    start = event.decoded("DTSTART")
    assert start == dt.datetime.combine(march.date, march.start_time, tzinfo=SHANGHAI)
    assert start.utcoffset() == dt.timedelta(hours=8) and event.decoded("DTEND") > start
    assert b"DTSTART;TZID=Asia/Shanghai:" in raw and b"BEGIN:VTIMEZONE" in raw
    assert str(event["STATUS"]) == "CONFIRMED" and int(event["SEQUENCE"]) == 0

    # Postponed by the head: same UID, the new date, the original date and the reason in the description.
    original = march.date
    schedule_services.postpone(
        actor=w.head, meeting=march, to_date=original + dt.timedelta(days=7), reason="市政府会议冲突"
    )
    _raw, cal = _feed(client, token)
    events = _events(cal)
    assert len(events) == 26
    event = events[_uid(march)]
    assert event.decoded("DTSTART").date() == original + dt.timedelta(days=7)
    assert f"原定{original:%Y-%m-%d}" in str(event["DESCRIPTION"]) and "市政府会议冲突" in str(event["DESCRIPTION"])
    assert int(event["SEQUENCE"]) == 1
    # The party group of the original day did not move.
    party = Meeting.objects.get(year=year, kind=MeetingKind.PARTY_GROUP, seq=3)
    assert events[_uid(party)].decoded("DTSTART").date() == original

    # A cancelled meeting stays in the feed, marked, so phones remove it.
    april = Meeting.objects.get(year=year, kind=MeetingKind.EXECUTIVE, seq=4)
    april.cancel()
    april.save()
    _raw, cal = _feed(client, token)
    assert str(_events(cal)[_uid(april)]["STATUS"]) == "CANCELLED"


def test_ics_feed_a_person_sees_only_their_own_meetings(world, client, today):
    w = world
    year = today.year + 1
    schedule_services.generate_year(actor=w.staff, year=year)
    mine = schedule_services.schedule_ad_hoc(
        actor=w.staff,
        kind=MeetingKind.SPECIAL,
        date=today + dt.timedelta(days=5),
        reason="协调",
        title="预算编制专题会议",
        chair_post=w.exec_post,
        lead_unit=w.units["财政局"],
    )
    meeting_services.add_special_attendee(actor=w.staff, meeting=mine, person=w.clerks["财政局"])
    executive = Meeting.objects.get(year=year, kind=MeetingKind.EXECUTIVE, seq=2)
    meeting_services.refresh_invitations(executive)

    _raw, cal = _feed(client, _token(w.clerks["财政局"]))
    assert set(_events(cal)) == {_uid(mine)}
    _raw, cal = _feed(client, _token(w.unit_heads["审计局"]))  # a standing attendee of the executive meeting
    assert set(_events(cal)) == {_uid(executive)}
    _raw, cal = _feed(client, _token(w.exec_deputy))  # invited to the executive meeting, chairs the special one
    assert set(_events(cal)) == {_uid(executive), _uid(mine)}
    _raw, cal = _feed(client, _token(w.outsider))
    assert _events(cal) == {}


def test_ics_feed_404_on_an_unknown_or_revoked_token(world, client):
    w = world
    assert client.get(reverse("meetings:ics_feed", args=["no-such-token"])).status_code == 404
    old = _token(w.staff)
    assert client.get(reverse("meetings:ics_feed", args=[old])).status_code == 200
    new = _token(w.staff)  # regenerated: the old address stops working at once
    assert new != old
    assert client.get(reverse("meetings:ics_feed", args=[old])).status_code == 404
    assert client.get(reverse("meetings:ics_feed", args=[new])).status_code == 200
    w.staff.is_active = False
    w.staff.save()
    assert client.get(reverse("meetings:ics_feed", args=[new])).status_code == 404


def test_ics_text_is_escaped_and_folded(world, client, today):
    w = world
    title = "关于老旧小区改造、供热管网;雨污分流,以及城区道路交通组织优化等事项的协调专题会议\\第二轮"
    meeting = schedule_services.schedule_ad_hoc(
        actor=w.staff,
        kind=MeetingKind.SPECIAL,
        date=today + dt.timedelta(days=3),
        reason="协调",
        title=title,
        chair_post=w.exec_post,
        lead_unit=w.units["发改局"],
    )
    raw, cal = _feed(client, _token(w.staff))
    assert all(len(line) <= 75 for line in raw.split(b"\r\n"))  # RFC 5545 §3.1: 75 octets a line
    assert b"\\;" in raw and b"\\," in raw
    assert str(_events(cal)[_uid(meeting)]["SUMMARY"]) == title


def test_ics_manage_page_shows_the_address_and_regenerates_it(world, client):
    w = world
    url = reverse("meetings:ics_manage")
    assert client.get(url).status_code == 302  # login required
    client.force_login(w.clerks["财政局"])
    page = client.get(url)
    assert page.context["token"] is None and not CalendarToken.objects.exists()  # a GET writes nothing
    client.post(url)
    first = CalendarToken.objects.get(user=w.clerks["财政局"]).token
    page = client.get(url).content.decode()
    assert reverse("meetings:ics_feed", args=[first]) in page and "webcal://" in page
    client.post(url)
    second = CalendarToken.objects.get(user=w.clerks["财政局"]).token
    assert second != first and reverse("meetings:ics_feed", args=[second]) in client.get(url).content.decode()


def test_ics_address_regenerated_from_a_stale_tab_is_not_changed_again(world, client):
    """Two tabs of 日历订阅: the address is regenerated in one and copied into the phone; 重新生成 in the other (which
    still shows the old address) used to regenerate again and break the phone's subscription. It now changes
    nothing and says so; 生成于 tells when the address shown was made."""
    user = world.clerks["财政局"]
    url = reverse("meetings:ics_manage")
    client.force_login(user)
    client.post(url, {"replacing": ""})  # the first address
    stale = client.get(url).context["replacing"]
    client.post(url, {"replacing": stale})  # regenerated in the first tab
    current = CalendarToken.objects.get(user=user)
    events = Event.objects.filter(action="regenerated").count()

    answer = client.post(url, {"replacing": stale}, follow=True)  # the second tab, still showing the old address
    assert CalendarToken.objects.get(user=user).token == current.token
    assert Event.objects.filter(action="regenerated").count() == events
    assert "本次未再更换" in answer.content.decode()
    again = client.post(url, {"replacing": ""}, follow=True)  # a tab from before the first address
    assert CalendarToken.objects.get(user=user).token == current.token and "本次未再更换" in again.content.decode()

    first_made = current.created_at
    client.post(url, {"replacing": client.get(url).context["replacing"]})  # the page as it is now: regenerated
    fresh = CalendarToken.objects.get(user=user)
    assert fresh.token != current.token and fresh.created_at > first_made

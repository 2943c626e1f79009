"""The personal meeting calendar as iCalendar (RFC 5545), for a phone's calendar subscription.

Written with the `icalendar` package (escaping, line folding at 75 octets, VTIMEZONE), so this module only
decides what an event says:
- UID is stable per meeting (`meeting-<pk>@tiexi-gov`), so a postponed meeting moves instead of duplicating;
- DTSTART/DTEND carry TZID=Asia/Shanghai (the VTIMEZONE is included); SEQUENCE counts postponements (and a
  cancellation), so clients apply the change;
- a postponed meeting is at its new date and its description says from which date and why (MTG-3, MTG-4);
- a cancelled meeting stays in the feed with STATUS:CANCELLED so phones remove it;
- a scheduled meeting with an agenda says when topic requests are due, marked 暂定 when provisional (CAL-2).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Iterable
from typing import TYPE_CHECKING
from zoneinfo import ZoneInfo

from django.conf import settings
from django.utils import timezone
from icalendar import Calendar, Event

from tiexi_gov.deadlines.display import due_label

from ..meeting.models import INTAKE_KINDS, MS, Meeting, MeetingKind
from ..meeting.services import last_filing_day

if TYPE_CHECKING:
    from icalendar import Event

PRODID = "-//Tiexi District People's Government//Meetings//ZH"
CALENDAR_NAME = "铁西区政府会议"
UID_DOMAIN = "tiexi-gov"
# Meetings have a start time only; the calendar blocks a typical length (the party group is followed by the
# executive meeting at 10:00, MTG-4).
DURATION = {
    MeetingKind.PARTY_GROUP: dt.timedelta(minutes=90),
    MeetingKind.EXECUTIVE: dt.timedelta(hours=2),
    MeetingKind.PLENARY: dt.timedelta(hours=2),
    MeetingKind.SPECIAL: dt.timedelta(hours=1, minutes=30),
}


def zone() -> ZoneInfo:
    return ZoneInfo(settings.TIME_ZONE)


def event_uid(meeting: Meeting) -> str:
    return f"meeting-{meeting.pk}@{UID_DOMAIN}"


def starts_at(meeting: Meeting) -> dt.datetime:
    return dt.datetime.combine(meeting.date, meeting.start_time, tzinfo=zone())


def _description(meeting: Meeting, postponements: list) -> str:
    lines = [f"会议类别：{meeting.get_kind_display()}", f"主持：{meeting.chair_post.title}"]
    if meeting.lead_unit_id:
        lines.append(f"牵头部门：{meeting.lead_unit.display_name}")
    lines.append(f"状态：{meeting.state_label}")
    if meeting.kind in INTAKE_KINDS and meeting.state == MS.SCHEDULED:
        # MTG-5, computed on the working-day clock: marked 暂定 while its year has no official calendar (CAL-2).
        lines.append(f"议题请示报送截止：{due_label(last_filing_day(meeting))}（会前3个工作日，第五十五条）")
    for p in postponements:
        lines.append(f"顺延：原定{p.from_date:%Y-%m-%d}，改于{p.to_date:%Y-%m-%d}。原因：{p.reason}")
    if meeting.state == MS.CANCELLED and meeting.cancel_reason:
        lines.append(f"取消原因：{meeting.cancel_reason}")
    return "\n".join(lines)


def build_event(meeting: Meeting, *, stamp: dt.datetime, url: str = "") -> Event:

    postponements = list(meeting.postponements.all())
    start = starts_at(meeting)
    event = Event()
    event.add("uid", event_uid(meeting))
    event.add("dtstamp", stamp)
    event.add("dtstart", start)
    event.add("dtend", start + DURATION.get(meeting.kind, dt.timedelta(hours=2)))
    event.add("summary", meeting.title)
    event.add("location", meeting.location)
    event.add("description", _description(meeting, postponements))
    event.add("categories", [meeting.get_kind_display()])
    cancelled = meeting.state == MS.CANCELLED
    event.add("status", "CANCELLED" if cancelled else "CONFIRMED")
    event.add("sequence", len(postponements) + (1 if cancelled else 0))
    if url:
        event.add("url", url)
    return event


def render(
    meetings: Iterable[Meeting],
    *,
    url_for: Callable[[Meeting], str] | None = None,
    stamp: dt.datetime | None = None,
    name: str = CALENDAR_NAME,
) -> bytes:
    """The VCALENDAR for `meetings` (prefetch `postponements`, select `chair_post` and `lead_unit`)."""

    stamp = stamp or timezone.now()
    cal = Calendar()
    cal.add("prodid", PRODID)
    cal.add("version", "2.0")
    cal.add("calscale", "GREGORIAN")
    cal.add("method", "PUBLISH")
    cal.add("x-wr-calname", name)
    cal.add("x-wr-timezone", settings.TIME_ZONE)
    for meeting in meetings:
        cal.add_component(build_event(meeting, stamp=stamp, url=url_for(meeting) if url_for else ""))
    cal.add_missing_timezones()
    return cal.to_ical()

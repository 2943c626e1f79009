"""Demo meetings for the demo district: the year's regular meetings (MTG-3, MTG-4) and the standing seats, so the
calendar, the .ics feed and the meeting pages have something to show. Idempotent (generate_year skips existing)."""

from __future__ import annotations

import datetime as dt

from django.utils import timezone

from tiexi_gov.org.models import User

from .meeting.models import Meeting
from .schedule import services

OFFICE_STAFF = "bangongshi"


def build_demo_meetings(today: dt.date | None = None) -> dict:
    today = today or timezone.localdate()
    staff = User.objects.get(username=OFFICE_STAFF)
    years = [today.year] + ([today.year + 1] if today.month >= 11 else [])
    created = []
    for year in years:
        created += services.generate_year(actor=staff, year=year)
    upcoming = Meeting.objects.filter(date__gte=today).order_by("date", "start_time").first()
    return {"created": len(created), "years": years, "next": upcoming}

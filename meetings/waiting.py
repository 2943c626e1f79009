"""Meetings' part of 我的待办: leave to decide, minutes to sign, agendas to approve (details on 我的会议待办)."""

from __future__ import annotations

from datetime import date

from django.urls import reverse

from tiexi_gov.deadlines.waiting import Waiting

from . import selectors_minutes as selectors

AREA = "会议"


def waiting(user, day: date) -> list[Waiting]:
    tasks = reverse("meetings:tasks")
    return [
        Waiting(AREA, "会议请假待审批（MTG-9）", selectors.pending_leaves(user, day).count(), tasks),
        Waiting(AREA, "会议纪要待审签", len(selectors.minutes_to_sign(user, day)), tasks),
        Waiting(AREA, "会议议程待审定（MTG-5）", selectors.agendas_to_approve(user, day).count(), tasks),
    ]

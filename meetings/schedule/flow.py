"""The schedule flow's tasks (the queue's half of `schedule.permissions`), MTG-11:

- the year's plan: drafting → the office director checks it (待核报); checked → the head approves it (待审定);
- an unplanned district-wide meeting: the deputy in charge of its unit approves (待审批), then the head (待审定).
(The meetings themselves — consent, postponement — are items of the meeting flow: see `meeting.flow`.)
"""

from __future__ import annotations

from datetime import date

from django.urls import NoReverseMatch, reverse

from tiexi_gov.org.models import Post
from tiexi_gov.org.selectors import head_post, leader_post_for_unit
from tiexi_gov.workflow.models import Area
from tiexi_gov.workflow.registry import Flow, Need, for_post

from .models import DistrictMeeting, MeetingPlan


def plan_url(obj) -> str:
    try:
        return reverse("meetings:plan", args=[obj.year])
    except NoReverseMatch:
        return ""


def plan_waiting(plan: MeetingPlan, day: date) -> list[Need]:
    if plan.state == MeetingPlan.State.DRAFTING:
        return [
            for_post("check_plan", "待核报会议计划", pid, rule_id="MTG-11")
            for pid in Post.objects.filter(kind=Post.Kind.OFFICE_DIRECTOR).order_by("id").values_list("pk", flat=True)
        ]
    if plan.state == MeetingPlan.State.CHECKED:
        head = head_post()
        return [for_post("approve", "待审定会议计划", head, rule_id="MTG-11")] if head else []
    return []


def district_waiting(meeting: DistrictMeeting, day: date) -> list[Need]:
    S = DistrictMeeting.State
    if meeting.state == S.AWAITING_DEPUTY:
        post = leader_post_for_unit(meeting.unit, day)
    elif meeting.state == S.AWAITING_HEAD:
        post = head_post()
    else:
        return []
    label = "待审批计划外会议" if meeting.state == S.AWAITING_DEPUTY else "待审定计划外会议"
    return [for_post("decide", label, post, rule_id="MTG-11", from_user_id=meeting.created_by_id)] if post else []


PLAN_FLOW = Flow(
    model=MeetingPlan,
    area=Area.MEETINGS,
    noun="该计划",
    url=plan_url,
    waiting=plan_waiting,
    optional={"send_back": "区长退回是审定的另一种结果，不单独形成待办"},
    label=str,
)

DISTRICT_MEETING_FLOW = Flow(
    model=DistrictMeeting,
    area=Area.MEETINGS,
    noun="该会议",
    url=plan_url,
    waiting=district_waiting,
    lock_related=("unit",),
    optional={"reject": "不同意是审批的另一种结果，不单独形成待办"},
    label=lambda m: f"{m.name}（{m.unit.display_name}）",
)

FLOWS = (PLAN_FLOW, DISTRICT_MEETING_FLOW)

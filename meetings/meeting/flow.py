"""The meeting flow's tasks: what a meeting, a topic and a leave request wait on in each state, and who (the queue's
half of `meeting.permissions`). Every need mirrors a transition's permission and conditions: the completeness tests
prove that the people these needs reach are exactly the people the transitions allow.

Meeting
- scheduled: the head (the secretary for the party group) consents to an ad hoc meeting (MTG-4); the office sends
  the agenda once it is ready (MTG-5: accepted topics, every paper checked and reviewed); a special-topic meeting
  waits on the office to record that it was held; invitees answer the notice;
- agenda submitted: the chair approves it (待审定, MTG-5); invitees answer;
- agenda approved: the office records that it was held (the day is the service's check); invitees answer;
- held: the drafters open the minutes (MTG-6: the office; MTG-7: the lead unit as well).
Topic (while its meeting takes topics, MTG-5 / MTG-8)
- proposed: the head / the responsible deputy / the office director put it forward (the secretary or a party-group
  member for the party group); the office records the MTG-8 checklist until it is met; after a signed coordinating
  meeting the office or the unit records the agreement; then the chair decides (待确定);
- accepted without papers: the reporting unit's people upload them (待上传, MTG-5: the agenda waits for them);
- proposed or accepted: a paper waits on the unit's main head (待把关), then on its district leader (待审核).
Leave request (MTG-9): the approver post, by the requester's post, until decided (a cancelled meeting: nobody).
"""

from __future__ import annotations

from datetime import date

from django.urls import NoReverseMatch, reverse

from tiexi_gov.org.roles import Role
from tiexi_gov.org.selectors import leader_post_for_unit, unit_head_post
from tiexi_gov.workflow.models import Area, UnitScope
from tiexi_gov.workflow.registry import Flow, Need, for_post, for_role, for_unit, for_user

from ..schedule.permissions import decider_post
from . import permissions
from .models import AGENDA_KINDS, MS, TS, Invitation, LeaveRequest, Meeting, MeetingKind, Topic, past_unresolved
from .models import _ready_to_hold as ready_to_hold
from .services import meeting_url

OFFICE_ROLES = (Role.OFFICE_STAFF, Role.OFFICE_DIRECTOR)  # meeting.permissions.can_manage
MINUTES_RULE = {MeetingKind.EXECUTIVE: "MTG-6", MeetingKind.PARTY_GROUP: "MTG-3", MeetingKind.SPECIAL: "MTG-7"}


def _url(name: str, *args) -> str:
    try:
        return reverse(name, args=args)
    except NoReverseMatch:
        return ""


def office_needs(action: str, label: str, **kw) -> list[Need]:
    """The office keeps the meetings: its staff and its director, by business role."""
    return [for_role(action, label, role, **kw) for role in OFFICE_ROLES]


def drafter_needs(meeting: Meeting, action: str, label: str, **kw) -> list[Need]:
    """minutes.permissions.can_start_minutes: the office; for a special meeting with a lead unit, its people too."""
    needs = office_needs(action, label, **kw)
    if meeting.kind == MeetingKind.SPECIAL and meeting.lead_unit_id:
        needs.append(for_unit(action, label, meeting.lead_unit_id, UnitScope.MEMBERS, **kw))
    return needs


# --- Meeting ---------------------------------------------------------------------------------------------------


def meeting_waiting(meeting: Meeting, day: date) -> list[Need]:
    needs: list[Need] = []
    state = meeting.state
    if state == MS.SCHEDULED:
        if meeting.needs_consent:
            post = decider_post(meeting)
            rule = "MTG-3" if meeting.kind == MeetingKind.PARTY_GROUP else "MTG-4"
            if post is not None:
                needs.append(for_post("consent_ad_hoc", "待同意临时召开", post, rule_id=rule))
        if meeting.agenda_ready():
            needs += office_needs("submit_agenda", "待报审议程", rule_id="MTG-5")
    elif state == MS.AGENDA_SUBMITTED:
        needs.append(for_post("approve_agenda", "待审定议程", meeting.chair_post_id, rule_id="MTG-5"))
    elif state == MS.HELD and not meeting.has_minutes():
        needs += drafter_needs(
            meeting,
            "start_minutes",
            "待起草纪要",
            rule_id=MINUTES_RULE.get(meeting.kind, ""),
            url=_url("meetings:minutes", meeting.pk),
        )
    if state in (MS.SCHEDULED, MS.AGENDA_APPROVED) and ready_to_hold(meeting):
        rule = "MTG-5" if meeting.kind in AGENDA_KINDS else "MTG-7"
        needs += office_needs(
            "mark_held",
            "待登记召开",
            note=f"会议日期{meeting.date}",
            rule_id=rule,
            url=_url("meetings:minutes", meeting.pk),
        )
    if past_unresolved(meeting, day):
        # Its day went by and it cannot be recorded as held (no approved agenda): the decider postpones it (or the
        # office cancels it, the other way out). Without this it waited on nobody (第五十四条、第五十五条).
        post = decider_post(meeting)
        if post is not None:
            rule = "MTG-3" if meeting.kind == MeetingKind.PARTY_GROUP else "MTG-4"
            url, note = _url("meetings:postpone", meeting.pk), f"会议日期{meeting.date}，或由区政府办公室取消"
            needs.append(for_post("postpone", "会期已过，待审定顺延", post, note=note, rule_id=rule, url=url))
    if state in (MS.SCHEDULED, MS.AGENDA_SUBMITTED, MS.AGENDA_APPROVED):
        pending = Invitation.objects.filter(
            meeting=meeting, reply=Invitation.Reply.PENDING, person__in=permissions.participants()
        )
        needs += [
            for_user("reply_invitation", "待回复参会", pid, rule_id="MTG-9")
            for pid in pending.order_by("id").values_list("person_id", flat=True)
        ]
    return needs


# --- Topic -----------------------------------------------------------------------------------------------------


def topic_url(topic: Topic) -> str:
    return _url("meetings:topic", topic.pk)


def topic_label(topic: Topic) -> str:
    return f"{topic.title}（{topic.meeting.title}）"


def topic_waiting(topic: Topic, day: date) -> list[Need]:
    needs: list[Need] = []
    if topic.state not in (TS.PROPOSED, TS.ACCEPTED) or topic.meeting.agenda_frozen:
        return needs  # MTG-5: once the agenda is approved, a topic is neither checked nor decided
    meeting = topic.meeting
    agenda_kind = meeting.kind in AGENDA_KINDS
    if topic.state == TS.PROPOSED:
        rule = "MTG-3" if meeting.kind == MeetingKind.PARTY_GROUP else "MTG-5"
        if agenda_kind and not topic.proposer_path:
            needs += [
                for_post("record_proposer", "待提出议题", pid, rule_id=rule)
                for pid in sorted(permissions.proposer_post_ids(topic, day))
            ]
        if agenda_kind and not topic.checklist_complete:
            needs += office_needs("record_checklist", "待审核上会条件", rule_id="MTG-8")
        if topic.units_disagree and not topic.agreement_text.strip() and topic.coordination_signed():
            needs += office_needs("record_agreement", "待登记协调意见", rule_id="MTG-8")
            needs.append(
                for_unit("record_agreement", "待登记协调意见", topic.unit_id, UnitScope.MEMBERS, rule_id="MTG-8")
            )
        if not topic.violations():
            needs.append(for_post("accept", "待确定议题", meeting.chair_post_id, rule_id=rule))
    papers = list(topic.papers.all())
    if topic.state == TS.ACCEPTED and not papers:  # the agenda waits for them (MTG-5)
        needs.append(for_unit("add_paper", "待上传会议材料", topic.unit_id, UnitScope.MEMBERS, rule_id="MTG-5"))
    if any(p.checked_at is None for p in papers):
        post = unit_head_post(topic.unit)
        if post is not None:
            needs.append(for_post("check_paper", "待把关会议材料", post, rule_id="MTG-5"))
    if any(p.checked_at is not None and p.reviewed_at is None for p in papers):
        post = leader_post_for_unit(topic.unit, day)
        if post is not None:
            needs.append(for_post("review_paper", "待审核会议材料", post, rule_id="MTG-5"))
    return needs


# --- LeaveRequest ----------------------------------------------------------------------------------------------


def leave_url(leave: LeaveRequest) -> str:
    return _url("meetings:attendance", leave.invitation.meeting_id)


def leave_label(leave: LeaveRequest) -> str:
    inv = leave.invitation
    return f"{inv.person.display_name}请假：{inv.meeting.title}"


def leave_waiting(leave: LeaveRequest, day: date) -> list[Need]:
    if leave.state != LeaveRequest.State.REQUESTED or leave.invitation.meeting.state == MS.CANCELLED:
        return []
    return [
        for_post(
            "decide_leave",
            "待批假",
            leave.approver_post_id,
            rule_id="MTG-9",
            from_user_id=leave.invitation.person_id,
        )
    ]


MEETING_FLOW = Flow(
    model=Meeting,
    area=Area.MEETINGS,
    noun="该会议",
    url=meeting_url,
    waiting=meeting_waiting,
    lock_related=("chair_post",),
    optional={
        "send_back_agenda": "区长退回议程是审定的另一种结果，不单独形成待办",
        "cancel": "取消会议是办公室的另一种处理，不单独形成待办",
        "close": "纪要签发时由系统办结会议（不由人操作）",
    },
    label=str,
)

TOPIC_FLOW = Flow(
    model=Topic,
    area=Area.MEETINGS,
    noun="该议题",
    url=topic_url,
    waiting=topic_waiting,
    lock_related=("unit",),
    optional={
        "refuse": "不予上会是确定议题（或上会条件审核）的另一种结果，不单独形成待办",
        "withdraw": "汇报单位可随时撤回，不单独形成待办",
        "discuss": "会议召开时由系统将已列入议程的议题记为已上会（不由人操作）",
    },
    nobody={},
    label=topic_label,
)

LEAVE_FLOW = Flow(
    model=LeaveRequest,
    area=Area.MEETINGS,
    noun="该请假",
    url=leave_url,
    waiting=leave_waiting,
    lock_related=("invitation", "invitation__person", "approver_post"),
    optional={
        "reject": "不准假是审批的另一种结果，不单独形成待办",
        "withdraw": "请假人可在审批前撤回，不单独形成待办",
        "request_again": "撤回后重新请假由请假人提出，不单独形成待办",
    },
    nobody={"withdrawn": "请假人已撤回请假、改为参加，不再等待任何人"},
    label=leave_label,
)

FLOWS = (MEETING_FLOW, TOPIC_FLOW, LEAVE_FLOW)

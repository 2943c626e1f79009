"""Every write of the schedule flow (MTG-1..MTG-4, MTG-7, MTG-11): the year's regular meetings, ad hoc and
special-topic meetings, postponement, the head's consent and cancellation; the year's plan of district-wide
meetings and its unplanned meetings; the personal .ics feed's secret.

The year: regular party-group and executive meetings on each month's second Wednesday (executive right after the
party group), plenaries twice a year; postponements by the secretary / head with a reason; ad hoc meetings with the
head's consent; special-topic meetings chaired by a district leader. Each action is one step of the workflow kernel
(a new item: created, then its first step records it and opens its tasks).

`today` exists so that tests can state the day of the action; views never pass it.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import secrets

from django.db import transaction
from django.utils import timezone
from django_fsm import can_proceed

from tiexi_gov.audit.services import record_event
from tiexi_gov.org.models import Post, Unit
from tiexi_gov.org.selectors import head_post, leader_post_for_unit
from tiexi_gov.workdays.calendar import known_until
from tiexi_gov.workflow.kernel import step, today_or

from ..meeting import permissions as meeting_permissions
from ..meeting.models import MS, OPEN_MEETING_STATES, Counter, Meeting, MeetingKind, Topic
from ..meeting.services import (
    capacity,
    default_chair,
    ensure_standing_seats,
    invite_seats_and_topics,
    next_number,
    person_of,
    required,
    resync_leaves,
    resync_topics,
)
from ..shared.errors import ActionNotAllowed, AlreadyHandled, MeetingError
from . import permissions
from .models import CalendarToken, DistrictMeeting, MeetingPlan, Postponement

PARTY_GROUP_TIME = dt.time(8, 30)
EXECUTIVE_TIME = dt.time(10, 0)  # MTG-4: right after the party group meeting
PLENARY_MONTHS = (1, 7)  # MTG-2: normally every half year


def second_wednesday(year: int, month: int) -> dt.date:
    first = dt.date(year, month, 1)
    return first + dt.timedelta(days=(2 - first.weekday()) % 7 + 7)


TITLES = {
    MeetingKind.PLENARY: "区政府{year}年第{seq}次全体会议",
    MeetingKind.PARTY_GROUP: "区政府党组{year}年第{seq}次会议",
    MeetingKind.EXECUTIVE: "区政府{year}年第{seq}次常务会议",
    MeetingKind.SPECIAL: "区政府专题会议（{year}年第{seq}次）",
}


def needs_consent(meeting: Meeting) -> bool:
    return meeting.needs_consent


def consent_pending(meeting: Meeting) -> str:
    """The office's word after scheduling a meeting that waits for consent: whose, under which article."""
    return f"已报{meeting.agenda_decider}同意临时召开（{meeting.agenda_article}）。"


def postpone_decider(meeting: Meeting) -> str:
    """Who decides a postponement of this kind of meeting, under its own article (第五十四条 / 第五十五条)."""
    return f"会议顺延须由{meeting.agenda_decider}审定（{meeting.agenda_article}）"


def _new_meeting(*, kind, year, seq, date, actor, chair_post, start_time, regular, day, **extra) -> Meeting:
    meeting = Meeting(
        kind=kind,
        year=year,
        seq=seq,
        title=extra.pop("title", "") or TITLES[kind].format(year=year, seq=seq),
        date=date,
        start_time=start_time,
        chair_post=chair_post,
        is_regular=regular,
        created_by=actor,
        last_handled_by=actor,
        **extra,
    )
    meeting.save()
    with step(meeting, actor=actor, today=day) as s:
        s.record("scheduled", "排定会议", "", after=meeting.state, opinion=f"{meeting.date}", rule_id="MTG-1")
    return s.obj


def generate_year(*, actor, year: int, today: dt.date | None = None) -> list[Meeting]:
    """MTG-3/MTG-4/MTG-2: the regular meetings of `year` (idempotent: an existing one is left alone)."""
    day = today_or(today)
    if not meeting_permissions.can_manage(actor):
        raise ActionNotAllowed("只有区政府办公室可以排定会议。")
    ensure_standing_seats()
    created = []
    with transaction.atomic():
        existing = set(Meeting.objects.filter(year=year, is_regular=True).values_list("kind", "seq"))
        for month in range(1, 13):
            date = second_wednesday(year, month)
            for kind, start in ((MeetingKind.PARTY_GROUP, PARTY_GROUP_TIME), (MeetingKind.EXECUTIVE, EXECUTIVE_TIME)):
                if (kind, month) in existing:
                    continue
                created.append(
                    _new_meeting(
                        kind=kind,
                        year=year,
                        seq=month,
                        date=date,
                        actor=actor,
                        chair_post=default_chair(kind),
                        start_time=start,
                        regular=True,
                        day=day,
                    )
                )
        for seq, month in enumerate(PLENARY_MONTHS, start=1):
            if (MeetingKind.PLENARY, seq) in existing:
                continue
            date = second_wednesday(year, month) + dt.timedelta(days=7)
            created.append(
                _new_meeting(
                    kind=MeetingKind.PLENARY,
                    year=year,
                    seq=seq,
                    date=date,
                    actor=actor,
                    chair_post=default_chair(MeetingKind.PLENARY),
                    start_time=dt.time(9, 0),
                    regular=True,
                    day=day,
                )
            )
        for counter_kind in (MeetingKind.PARTY_GROUP, MeetingKind.EXECUTIVE, MeetingKind.PLENARY):
            top = Meeting.objects.filter(kind=counter_kind, year=year).order_by("-seq").values_list("seq", flat=True)
            key = f"{counter_kind}-{year}"
            Counter.objects.update_or_create(key=key, defaults={"last": max(top.first() or 0, 12)})
    return created


def postpone(*, actor, meeting: Meeting, to_date: dt.date, reason: str, today: dt.date | None = None) -> Meeting:
    """MTG-3/MTG-4: a regular meeting moved, decided by the secretary (party group) or the head (executive)."""
    day = today_or(today)
    reason = required(reason, "顺延原因")
    with step(meeting, actor=actor, today=day) as s:
        m = s.obj
        if m.state not in OPEN_MEETING_STATES:
            raise MeetingError(f"该会议当前状态为“{m.state_label}”，不能顺延。")
        if not permissions.can_postpone(actor, m):
            raise ActionNotAllowed(f"{postpone_decider(m)}。")
        if to_date <= day:
            raise MeetingError("顺延后的日期须晚于今天。")
        if to_date > (last := known_until(day)):  # a typing slip (2099): no calendar has that year yet
            raise MeetingError(f"顺延后的日期不能晚于{last:%Y-%m-%d}（工作日历只排到{last.year}年）。")
        if to_date == m.date:  # the form posted again: the meeting already stands on that day
            raise MeetingError(f"该会议已定于{to_date:%Y-%m-%d}召开，无需顺延。")
        row = Postponement.objects.create(
            meeting=m,
            from_date=m.date,
            to_date=to_date,
            reason=reason,
            decided_by=actor,
            decided_as=capacity(m.chair_post, day) if meeting_permissions.handles(actor, m.chair_post, day) else "",
        )
        if can_proceed(m.postpone):  # its day went by unheld: the step that 待审定顺延 waits for
            s.fire("postpone")
        m.date = to_date
        s.touch()
        if m.state == MS.AGENDA_APPROVED:
            invite_seats_and_topics(m)  # whoever holds or acts for the posts on the new date
        decider = permissions.decider_post(m)
        s.record(
            "postponed",
            "会议顺延",
            m.state,
            opinion=f"{row.from_date}→{to_date}：{reason}",
            rule_id="MTG-4" if m.kind != MeetingKind.PARTY_GROUP else "MTG-3",
            handler=meeting_permissions.handler_for(actor, decider, day),
        )
        s.tell(
            [i.person for i in m.invitations.select_related("person")],
            f"会议顺延：{m.title}",
            f"改于{to_date}召开。原因：{reason}",
        )
    return m


def schedule_ad_hoc(
    *,
    actor,
    kind: str,
    date: dt.date,
    reason: str,
    title: str = "",
    chair_post: Post | None = None,
    lead_unit: Unit | None = None,
    coordinates_topic: Topic | None = None,
    start_time: dt.time | None = None,
    location: str = "",
    today: dt.date | None = None,
) -> Meeting:
    """An ad hoc meeting. Executive / party group / plenary: the office asks and the head (secretary) consents
    (`consent_ad_hoc`); a special-topic meeting is chaired by the head or a deputy (MTG-7) and needs no consent."""
    day = today_or(today)
    reason = required(reason, "召开事由")
    if not meeting_permissions.can_manage(actor):
        raise ActionNotAllowed("只有区政府办公室可以安排会议。")
    if date < day:
        raise MeetingError("会议日期不能早于今天。")
    chair_post = chair_post or default_chair(kind)
    if kind == MeetingKind.SPECIAL:
        if chair_post is None or not chair_post.is_leader:
            raise MeetingError("专题会议由区长、副区长主持（第五十六条）。", rule_id="MTG-7")
        if coordinates_topic is not None and coordinates_topic.units_disagree:
            # MTG-8: the responsible deputy chairs the coordinating special meeting.
            responsible = leader_post_for_unit(coordinates_topic.unit, date)
            if responsible is not None and chair_post.pk != responsible.pk and chair_post.kind != Post.Kind.HEAD:
                raise MeetingError("协调部门分歧的专题会应由分管区领导主持（第五十七条）。", rule_id="MTG-8")
    with transaction.atomic():
        seq = next_number(f"{kind}-{date.year}")
        meeting = _new_meeting(
            kind=kind,
            year=date.year,
            seq=seq,
            date=date,
            actor=actor,
            chair_post=chair_post,
            start_time=start_time or dt.time(9, 0),
            regular=False,
            day=day,
            title=title,
            ad_hoc_reason=reason,
            lead_unit=lead_unit,
            coordinates_topic=coordinates_topic,
            **({"location": location.strip()} if location.strip() else {}),
        )
        with step(meeting, actor=actor, today=day) as s:
            if s.obj.needs_consent:
                s.tell([person_of(permissions.decider_post(s.obj), day)], f"请审定临时召开：{s.obj.title}", reason)
            else:
                invite_seats_and_topics(s.obj)
    return s.obj


def cancel_meeting(*, actor, meeting: Meeting, reason: str, today: dt.date | None = None) -> Meeting:
    """The office cancels a meeting before it is held (a postponement keeps it; this does not)."""
    day = today_or(today)
    reason = required(reason, "取消原因")
    with step(meeting, actor=actor, today=day) as s:
        m = s.obj
        before = s.fire("cancel")
        m.cancel_reason = reason[:300]
        s.record("cancelled", "取消会议", before, opinion=reason)
        resync_topics(m, actor=actor, day=day)
        resync_leaves(m, actor=actor, day=day)
        s.tell([i.person for i in m.invitations.select_related("person")], f"会议取消：{m.title}", reason)
    return m


def consent_ad_hoc(*, actor, meeting: Meeting, today: dt.date | None = None) -> Meeting:
    """MTG-4: '经区政府主要领导同意后可临时组织召开'."""
    day = today_or(today)
    with step(meeting, actor=actor, today=day) as s:
        m = s.obj
        if m.is_regular or m.kind == MeetingKind.SPECIAL:
            raise MeetingError("例会和专题会议无需此项同意。")
        if not permissions.can_consent_ad_hoc(actor, m):
            raise ActionNotAllowed("临时召开须经区长（党组会议为党组书记）同意（第五十五条）。")
        if not m.needs_consent:
            raise AlreadyHandled("该会议已同意临时召开。", handled_by=m.ad_hoc_consent_by)
        before = s.fire("consent_ad_hoc")
        m.ad_hoc_consent_by = actor
        decider = permissions.decider_post(m)
        s.record(
            "ad_hoc_consented",
            "同意临时召开",
            before,
            rule_id="MTG-4",
            handler=meeting_permissions.handler_for(actor, decider, day),
        )
    return m


# --- MTG-11: the plan of district-wide meetings ------------------------------------------------------------------


def naming_violation(name: str, sponsorship: str) -> str:
    name = name.strip()
    S = DistrictMeeting.Sponsorship
    if not name.endswith("会议") and not name.endswith("会"):
        return "会议名称应以“会议”结尾。"
    if sponsorship == S.BY_GOVERNMENT and not name.startswith("铁西区"):
        return "区政府组织召开的会议冠名为“铁西区…会议”（第五十九条）。"
    if sponsorship == S.IN_GOVERNMENT_NAME and not name.startswith("全区"):
        return "以区政府名义召开的会议冠名为“全区…会议”（第五十九条）。"
    return ""


def _limit_violation(unit: Unit, year: int, sponsorship: str, invites_township_heads: bool) -> tuple[str, bool]:
    """The yearly limit a meeting would break ("" if none), and whether 第五十九条 sets that limit only 原则上: a
    meeting in the government's name "原则上只允许区政府综合部门每年召开1次". The plan keeps to the principle; an
    unplanned meeting beyond it may still be asked for, and the deputy in charge and then the head decide. The
    limits on a department's own-system meeting (不得超过1次, 不邀请乡、街负责人) admit no exception."""
    S = DistrictMeeting.Sponsorship
    live = DistrictMeeting.objects.filter(unit=unit, year=year, sponsorship=sponsorship).exclude(
        state=DistrictMeeting.State.REJECTED
    )
    if sponsorship == S.IN_GOVERNMENT_NAME:
        if not unit.is_comprehensive:
            return "以区政府名义召开全区性会议，原则上只允许区政府综合部门召开（第五十九条）。", True
        if live.exists():
            return f"{unit.display_name}{year}年已有1次以区政府名义召开的会议，原则上每年限1次（第五十九条）。", True
    if sponsorship == S.OWN_SYSTEM:
        if invites_township_heads:
            return "部门召开本系统全区性会议，不邀请乡、街负责人参加（第五十九条）。", False
        if live.exists():
            return (
                f"{unit.display_name}{year}年已召开（计划）1次本系统全区性会议，每年不得超过1次（第五十九条）。",
                False,
            )
    return "", False


def get_or_create_plan(*, actor, year: int, today: dt.date | None = None) -> MeetingPlan:
    if not meeting_permissions.can_manage(actor):
        raise ActionNotAllowed("会议计划由区政府办公室编制。")
    with transaction.atomic():
        plan, created = MeetingPlan.objects.get_or_create(year=year)
        if created:
            with step(plan, actor=actor, today=today) as s:
                s.record("created", "编制全区性会议计划", "", after=plan.state, rule_id="MTG-11")
    return plan


def add_district_meeting(
    *,
    actor,
    year: int,
    name: str,
    sponsorship: str,
    unit: Unit,
    month: int | None = None,
    invites_township_heads: bool = False,
    reason: str = "",
    today: dt.date | None = None,
) -> DistrictMeeting:
    """MTG-11: into the year's plan while the office drafts it; afterwards an unplanned meeting that needs the
    responsible deputy's and then the head's approval — which is also how a meeting in the government's name
    beyond what 第五十九条 allows 原则上 may still be held (the record and the deputy's notice say so)."""
    day = today_or(today)
    name = required(name, "会议名称")
    problem = naming_violation(name, sponsorship)
    if problem:
        raise MeetingError(problem, rule_id="MTG-11")
    with transaction.atomic():
        plan = MeetingPlan.objects.select_for_update().filter(year=year).first()  # the plan's state, held still
        in_plan = plan is not None and plan.state == MeetingPlan.State.DRAFTING
        if in_plan and not meeting_permissions.can_manage(actor):
            raise ActionNotAllowed("会议计划由区政府办公室编制。")
        if not in_plan and not (
            meeting_permissions.can_manage(actor) or unit.pk in meeting_permissions.member_unit_ids(actor, day)
        ):
            raise ActionNotAllowed("只能为本单位申请临时召开全区性会议。")
        beyond, in_principle = _limit_violation(unit, year, sponsorship, invites_township_heads)
        if beyond and (in_plan or not in_principle):
            raise MeetingError(beyond, rule_id="MTG-11")
        if not in_plan:
            reason = required(reason, "未列入计划需临时召开的事由")
        same = (
            DistrictMeeting.objects.filter(year=year, unit=unit, name=name.strip())
            .exclude(state=DistrictMeeting.State.REJECTED)
            .first()
        )
        if same is not None:  # the form posted twice: one meeting, one approval to ask for
            raise MeetingError(
                f"{year}年已有“{same.name}”（{same.get_state_display()}），请勿重复报送。", rule_id="MTG-11"
            )
        meeting = DistrictMeeting.objects.create(
            plan=plan if in_plan else None,
            year=year,
            name=name,
            sponsorship=sponsorship,
            unit=unit,
            month=month,
            invites_township_heads=invites_township_heads,
            planned=in_plan,
            reason=reason.strip(),
            beyond_principle=beyond,
            created_by=actor,
            state=DistrictMeeting.State.PLANNED if in_plan else DistrictMeeting.State.AWAITING_DEPUTY,
        )
        with step(meeting, actor=actor, today=day) as s:
            s.record(
                "added",
                "列入会议计划"
                if in_plan
                else ("申请临时召开（计划外，超出原则）" if beyond else "申请临时召开（计划外）"),
                "",
                after=meeting.state,
                opinion=beyond,
                rule_id="MTG-11",
            )
            if not in_plan:
                text = f"{reason}\n注意：{beyond}" if beyond else reason
                s.tell([person_of(leader_post_for_unit(unit, day), day)], f"计划外全区性会议待审批：{name}", text)
    return s.obj


def check_plan(*, actor, plan: MeetingPlan, today: dt.date | None = None) -> MeetingPlan:
    with step(plan, actor=actor, today=today) as s:
        before = s.fire("check_plan")
        s.obj.checked_by = actor
        s.record("checked", "办公室主任核报", before, rule_id="MTG-11")
    return s.obj


def approve_plan(*, actor, plan: MeetingPlan, today: dt.date | None = None) -> MeetingPlan:
    with step(plan, actor=actor, today=today) as s:
        before = s.fire("approve")
        s.obj.approved_by = actor
        s.record("approved", "区长审定会议计划", before, rule_id="MTG-11")
    return s.obj


def decide_unplanned(
    *, actor, meeting: DistrictMeeting, approve: bool, opinion: str = "", today: dt.date | None = None
) -> DistrictMeeting:
    """MTG-11: an unplanned district-wide meeting — the responsible deputy approves, then the head; either may
    refuse with a reason."""
    with step(meeting, actor=actor, today=today) as s:
        dm = s.obj
        if not approve:
            opinion = required(opinion, "不同意的理由")
            before = s.fire("reject")
        elif dm.state == DistrictMeeting.State.AWAITING_DEPUTY:
            before = s.fire("deputy_approve")
        else:
            before = s.fire("head_approve")
        s.record("decided", "审批计划外会议", before, opinion=opinion, rule_id="MTG-11")
        if dm.state == DistrictMeeting.State.AWAITING_HEAD:
            s.tell([person_of(head_post(), s.day)], f"计划外全区性会议待审定：{dm.name}", dm.reason)
    return dm


# --- schedule: the personal .ics feed token ----------------------------------------------------------------------


def calendar_token_mark(token: CalendarToken | None) -> str:
    """What the address page posts back about the address it showed ("" for none): a short digest, so that a stale
    tab is told apart without the secret itself in the form."""
    return hashlib.sha256(token.token.encode()).hexdigest()[:16] if token is not None else ""


def issue_calendar_token(*, actor, replacing: str | None = None) -> CalendarToken:
    """A new secret for `actor`'s .ics feed; the previous address (if any) stops working at once. (Not a step of any
    workflow: nobody waits on it.) `replacing` is the mark of the address the page showed: when another tab or an
    earlier click has changed it since, nothing is changed — the address just copied into a phone keeps working."""
    if not (getattr(actor, "is_authenticated", False) and actor.is_active):
        raise ActionNotAllowed("请先登录。")
    with transaction.atomic():
        current = CalendarToken.objects.select_for_update().filter(user=actor).first()
        if replacing is not None and replacing != calendar_token_mark(current):
            raise AlreadyHandled("订阅地址已在另一页面或前一次提交中生成，本次未再更换；请使用本页显示的当前地址。")
        if current is None:
            token = CalendarToken.objects.create(user=actor, token=secrets.token_urlsafe(32))
        else:
            token = current
            token.token, token.created_at = secrets.token_urlsafe(32), timezone.now()
            token.save(update_fields=["token", "created_at"])  # 生成于 is when this address was made
        label = "生成会议日历订阅地址" if current is None else "重置会议日历订阅地址"
        action = "issued" if current is None else "regenerated"
        record_event(actor=actor, subject=token, action=action, action_label=label)
    return token

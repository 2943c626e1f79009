"""Leaders' and unit heads' leave and travel (第七十五条 LEAVE-1..3) and the acting it sets up (第十五条 LEAVE-4).

One function per user action, each a step of the workflow kernel (`tiexi_gov.workflow.kernel.step`): lock the row,
fire the FSM transition (its object permission lives in `coordination.absence.permissions`), write the audit event,
follow with the tasks (`coordination.absence.flow`) and notify (e-mail goes out on commit).

- LEAVE-1 the head's travel is a *report* to the city party committee and city government, at least 3 calendar
  days ahead (提前3天) unless it is a national or provincial meeting. Nobody in the district approves it, so it is
  approved on filing (opinion "已报市委、市政府") and the executive deputy is entrusted to preside (ORG-3).
- LEAVE-2 a deputy asks the head beforehand; on approval the office informs the other district leaders (the
  portal sends the notice on the office's behalf).
- LEAVE-3 a unit's main head away up to one day asks the responsible deputy, longer the head; once approved the
  time, place, contact and acting person are filed with the office; on return they report to the head and the
  responsible deputy.
- LEAVE-4 approval creates the `ActingArrangement` for the dates, so every queue (documents, deadlines) reroutes
  to the acting person; the return report ends it the day before the person is back (or cancels it).

`today` exists so that tests can state the day of the action; views never pass it.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import QuerySet
from django.utils import timezone

from tiexi_gov.audit.services import record_event
from tiexi_gov.org.models import ActingArrangement, Appointment, Post, User
from tiexi_gov.org.selectors import exec_deputy_post, head_post, leader_post_for_unit, posts_held_by, who_handles
from tiexi_gov.rule_lock import rule_lock
from tiexi_gov.workflow.errors import ActionRefused, NotAllowed
from tiexi_gov.workflow.kernel import lock_row, step, today_or

from ..models import AbsenceRequest
from ..shared.access import office_people
from . import permissions
from .flow import RULE_BY_KIND
from .flow import span as _span

Kind = AbsenceRequest.Kind
State = AbsenceRequest.State

HEAD_NOTICE_DAYS = 3  # LEAVE-1 "须提前3天": calendar days (the original counts days, not working days)
SHORT_ABSENCE_DAYS = 1  # LEAVE-3 "离开本地一天以内" → the responsible deputy; longer → the head
# 第七十五条 covers 出差、出访、休假、学习 and 第十五条 an acting person "外出期间": a temporary absence. The rules give
# no ceiling; one year (the span of the government's own annual cycle: targets, research, assessment) is the most a
# leave hands a leader's work to an acting person. Longer is a change of the division of work, not a leave.
MAX_ABSENCE_DAYS = 365

KIND_BY_POST = {
    Post.Kind.HEAD: Kind.HEAD,
    Post.Kind.EXEC_DEPUTY: Kind.DEPUTY,
    Post.Kind.DEPUTY: Kind.DEPUTY,
    Post.Kind.UNIT_HEAD: Kind.UNIT_HEAD,
    Post.Kind.OFFICE_DIRECTOR: Kind.UNIT_HEAD,  # the office's main head (ORG-4) is bound like any unit head
}
DEPUTY_KINDS = (Post.Kind.EXEC_DEPUTY, Post.Kind.DEPUTY)
UNIT_DEPUTY_KINDS = (Post.Kind.UNIT_DEPUTY, Post.Kind.OFFICE_DEPUTY_DIRECTOR)
OPEN_STATES = (State.REQUESTED, State.APPROVED)
# Issue 13.4: the leave rules read other rows (no overlapping open leave per post; an acting person who is away
# themselves; one acting arrangement per post and day), and they cross posts, so every write that checks them takes
# this one lock: leave is filed a few times a day, and two filings at one moment take turns.
LEAVE_LOCK = ("LEAVE", "absences")


# --- helpers ------------------------------------------------------------------------------------------------


def _handler_person(post: Post | None, day: dt.date) -> User | None:
    return who_handles(post, day).person if post is not None else None


def _required(value: str, label: str) -> str:
    value = (value or "").strip()
    if not value:
        raise ActionRefused(f"请填写{label}。")
    return value


def summary(req: AbsenceRequest, acting: User | None = None) -> str:
    """Time, place, contact and acting person: what LEAVE-3 files with the office and the notices carry."""
    acting_text = ""
    if req.acting_post_id:
        who = acting.display_name if acting else "（空缺）"
        acting_text = f"；代理：{who}（{req.acting_post.title}）"
    return f"时间：{_span(req)}；地点：{req.place}；事由：{req.purpose}；联系方式：{req.contact}{acting_text}"


# --- who asks whom (read by the form too) -------------------------------------------------------------------


def kind_for_post(post: Post | None) -> str | None:
    return KIND_BY_POST.get(post.kind) if post is not None else None


def eligible_posts(user, day: dt.date) -> list[Post]:
    """The posts `user` holds on `day` whose holder must ask leave (LEAVE-1..3), in the form's order."""
    if not getattr(user, "is_authenticated", False):
        return []
    return sorted((p for p in posts_held_by(user, day) if p.kind in KIND_BY_POST), key=lambda p: (p.order, p.pk))


def acting_candidates(post: Post, day: dt.date) -> QuerySet[Post]:
    """Who may act for `post`'s holder (ORG-3, LEAVE-3): for the head the executive deputy (entrusted); for a
    deputy another deputy (第十五条 "指定其他的副区长"); for a unit's main head a deputy of the same unit.
    Only posts that have a holder on `day`."""
    kind = kind_for_post(post)
    if kind == Kind.HEAD:
        posts = Post.objects.filter(kind=Post.Kind.EXEC_DEPUTY)
    elif kind == Kind.DEPUTY:
        posts = Post.objects.filter(kind__in=DEPUTY_KINDS)
    elif kind == Kind.UNIT_HEAD:
        posts = Post.objects.filter(unit_id=post.unit_id, kind__in=UNIT_DEPUTY_KINDS)
    else:
        return Post.objects.none()
    held = Appointment.objects.on(day).values("post_id")
    return posts.exclude(pk=post.pk).filter(pk__in=held).select_related("unit").order_by("order", "id")


def approver_post_for(kind: str, post: Post, start: dt.date, end: dt.date) -> Post | None:
    """LEAVE-2: the head. LEAVE-3: up to one day the responsible deputy (分管副区长), longer the head.
    LEAVE-1: nobody in the district (the head reports to the city)."""
    if kind == Kind.DEPUTY:
        return head_post()
    if kind == Kind.UNIT_HEAD:
        if (end - start).days + 1 <= SHORT_ABSENCE_DAYS:
            return leader_post_for_unit(post.unit, start)
        return head_post()
    return None


def _check_acting(kind: str, post: Post, acting_post: Post | None, start: dt.date, end: dt.date) -> Post:
    if kind == Kind.HEAD:
        entrusted = exec_deputy_post()
        if entrusted is None:
            raise ActionRefused("没有负责常务工作的副区长职务，无法委托主持工作（第十五条）。", rule_id="ORG-3")
        if acting_post is not None and acting_post.pk != entrusted.pk:
            raise ActionRefused("区长外出期间，由负责常务工作的副区长受委托主持工作（第十五条）。", rule_id="ORG-3")
        acting_post = entrusted
    elif acting_post is None:
        raise ActionRefused("请指定外出期间的代理人。", rule_id=RULE_BY_KIND[kind])
    if not acting_candidates(post, start).filter(pk=acting_post.pk).exists():
        if kind == Kind.DEPUTY:
            message = "副区长外出期间，由区长指定其他副区长代理（第十五条）；请选择一位在任的副区长。"
        elif kind == Kind.UNIT_HEAD:
            message = "代理人须为本单位在任的分管负责人（第七十五条）。"
        else:
            message = "负责常务工作的副区长职务空缺，无法委托主持工作（第十五条）。"
        raise ActionRefused(message, rule_id=RULE_BY_KIND[kind])
    busy = ActingArrangement.objects.filter(absent_post=acting_post, cancelled=False).overlapping(start, end).exists()
    if busy:
        raise ActionRefused(f"{acting_post.title}在此期间也外出，不能代理，请另行指定代理人。", rule_id="LEAVE-4")
    return acting_post


def check_length(kind: str, start: dt.date, end: dt.date) -> None:
    """An absence with no real end would hand the leader's work to the acting person indefinitely (第十五条)."""
    days = (end - start).days + 1
    if days > MAX_ABSENCE_DAYS:
        raise ActionRefused(
            f"一次外出请假（报告）最长{MAX_ABSENCE_DAYS}天，本次{start:%Y-%m-%d}至{end:%Y-%m-%d}共{days}天。"
            "请按实际返回日期填写；需离岗一年以上的（如长期学习、挂职），应由区长调整分工、另行明确代理工作的人选，"
            "不通过请假办理（第十五条、第七十五条）。",
            rule_id=RULE_BY_KIND[kind],
        )


def _refuse_if_acting(post: Post, start: dt.date, end: dt.date) -> None:
    """第十五条: whoever stands in for an absent leader stays for those days; his own absence then would pass the
    absent leader's work on to a third person, who was never designated for it (and, acting for the head, he
    would approve his own leave). Asked when the leave is filed; at approval the arrangement's own clean() asks
    it again (an entrustment made since)."""
    standing_in = (
        ActingArrangement.objects.filter(acting_post=post, cancelled=False)
        .overlapping(start, end)
        .select_related("absent_post")
        .order_by("start")
        .first()
    )
    if standing_in is not None:
        until = f"{standing_in.end:%Y-%m-%d}" if standing_in.end else "另行通知"
        raise ActionRefused(
            f"您在{standing_in.start:%Y-%m-%d}至{until}期间代理{standing_in.absent_post.title}的工作，"
            "不能同时外出；请先与区长商定调整代理安排（第十五条）。",
            rule_id="LEAVE-4",
        )


def _open_arrangement(req: AbsenceRequest, actor) -> ActingArrangement:
    """LEAVE-4: the acting for the dates of an approved absence; ORG-3's rules are the arrangement's own clean()."""
    arrangement = ActingArrangement(
        absent_post=req.post,
        acting_post=req.acting_post,
        start=req.start,
        end=req.end,
        kind=ActingArrangement.Kind.ENTRUSTED if req.kind == Kind.HEAD else ActingArrangement.Kind.DESIGNATED,
        reason=f"{req.purpose}（{req.place}）"[:200],
        designated_by=actor,
    )
    try:
        arrangement.full_clean()
    except ValidationError as exc:
        raise ActionRefused("；".join(exc.messages), rule_id="LEAVE-4") from exc
    arrangement.save()
    req.arrangement = arrangement
    return arrangement


def _leaders_on(day: dt.date, exclude: Iterable[int] = ()) -> list[User]:
    """The people holding a district leader post (区长, 副区长) on `day`."""
    appts = (
        Appointment.objects.on(day)
        .filter(post__kind__in=Post.LEADER_KINDS, person__is_active=True)
        .exclude(person_id__in=list(exclude))
        .select_related("person")
    )
    return list({a.person_id: a.person for a in appts}.values())


# --- the actions --------------------------------------------------------------------------------------------


@transaction.atomic
def request_absence(
    *,
    actor,
    post: Post,
    start: dt.date,
    end: dt.date,
    place: str,
    purpose: str,
    contact: str,
    acting_post: Post | None = None,
    national_or_provincial_meeting: bool = False,
    today: dt.date | None = None,
) -> AbsenceRequest:
    """File a leave or travel request for `post`, which `actor` holds. The kind follows the post (LEAVE-1..3)."""
    day = today_or(today)
    if not permissions.can_request_absence(actor, post, day):
        raise NotAllowed("只能为本人担任的职务请假。")
    kind = kind_for_post(post)
    if kind is None:
        raise ActionRefused("只有区长、副区长和单位主要负责人外出须履行请假报告手续（第七十五条）。")
    place = _required(place, "外出地点")
    purpose = _required(purpose, "事由")
    contact = _required(contact, "联系方式")
    if start is None or end is None:
        raise ActionRefused("请填写外出的开始和结束日期。")
    if end < start:
        raise ActionRefused("结束日期不能早于开始日期。")
    if start < day:
        raise ActionRefused("外出须事先请假报告，开始日期不能早于今天。", rule_id=RULE_BY_KIND[kind])
    check_length(kind, start, end)
    meeting = bool(national_or_provincial_meeting) and kind == Kind.HEAD
    if kind == Kind.HEAD and not meeting and (start - day).days < HEAD_NOTICE_DAYS:
        latest = start - dt.timedelta(days=HEAD_NOTICE_DAYS)
        raise ActionRefused(
            f"区长出差、出访或离开本地休假、学习，须提前{HEAD_NOTICE_DAYS}天分别向市委、市政府报告："
            f"{start:%Y-%m-%d}起的外出最迟应于{latest:%Y-%m-%d}报告（参加全国或全省性重要会议活动的除外）。",
            rule_id="LEAVE-1",
        )
    rule_lock(*LEAVE_LOCK)
    acting_post = _check_acting(kind, post, acting_post, start, end)
    _refuse_if_acting(post, start, end)
    clash = AbsenceRequest.objects.filter(post=post, state__in=OPEN_STATES, start__lte=end, end__gte=start)
    if clash.exists():
        raise ActionRefused("这段时间已有本人的请假，请勿重复提交；如需调整请先撤回原请假。")
    approver_post = approver_post_for(kind, post, start, end)
    if kind != Kind.HEAD and approver_post is None:
        raise ActionRefused("没有找到审批人职务（区长或分管副区长），无法提交。", rule_id=RULE_BY_KIND[kind])
    req = AbsenceRequest.objects.create(
        kind=kind,
        person=actor,
        post=post,
        start=start,
        end=end,
        place=place[:120],
        purpose=purpose[:200],
        contact=contact[:60],
        acting_post=acting_post,
        national_or_provincial_meeting=meeting,
        approver_post=approver_post,
    )
    acting = _handler_person(acting_post, start)
    with step(req, actor=actor, today=day) as s:
        req = s.obj
        if kind == Kind.HEAD:
            # LEAVE-1: a report, not a request — nobody in the district approves it; it stands once reported.
            req.reported_to_city_on = s.day
            req.decided_by = actor
            req.decided_at = timezone.now()
            req.decision_opinion = "已报市委、市政府"
            before = s.fire("approve", check_perm=False)  # no district approver: the report approves itself
            _open_arrangement(req, actor)
            s.record(
                "report_to_city",
                "区长外出报告（已报市委、市政府）",
                before,
                opinion=summary(req, acting) + ("；参加全国或全省性重要会议活动" if meeting else ""),
                rule_id="LEAVE-1",
            )
            s.tell([acting], f"区长{_span(req)}外出，委托您主持区政府全面工作", summary(req, acting))
            s.tell(office_people(), f"区长外出报告：{_span(req)}，{req.place}", summary(req, acting))
        else:
            s.record(
                "request",
                f"请假（呈{req.approver_post.title}审批）",
                after=req.state,
                opinion=summary(req, acting),
                rule_id=RULE_BY_KIND[kind],
            )
            s.tell(
                [_handler_person(req.approver_post, s.day)],
                f"{actor.display_name}（{post.title}）请假待您审批：{_span(req)}",
                summary(req, acting),
            )
    return s.obj


def _decision_handler(req: AbsenceRequest, actor, day: dt.date):
    """X-1: how the approver decided — own post, or acting for the absent approver."""
    if req.approver_post is None:
        return None
    handler = who_handles(req.approver_post, day)
    if handler.is_acting and handler.person is not None and handler.person.pk == actor.pk:
        return handler
    return None


def decide_absence(
    *,
    actor,
    request: AbsenceRequest | int,
    approve: bool,
    opinion: str = "",
    today: dt.date | None = None,
    acting_post: Post | None = None,
) -> AbsenceRequest:
    """The approver's decision (LEAVE-2, LEAVE-3). Approval sets up the acting for the dates (LEAVE-4); for a
    deputy the other leaders are informed, for a unit head the particulars are filed with the office.

    `acting_post`: approving a deputy's leave, the head may designate another deputy than the one proposed
    (第十五条 "按照区长安排，指定其他的副区长"); the same checks as at filing apply."""
    with step(request, actor=actor, expect=(State.REQUESTED,), today=today, model=AbsenceRequest) as s:
        req, day = s.obj, s.day
        opinion = (opinion or "").strip()
        if not approve and not opinion:
            raise ActionRefused("不批准请假，请填写意见。")
        if approve and req.end < day:
            raise ActionRefused("该请假的结束日期已过，不能再批准；请请假人撤回。")
        if approve:
            check_length(req.kind, req.start, req.end)  # a request filed before the ceiling existed
        changed_acting = approve and acting_post is not None and acting_post.pk != req.acting_post_id
        if changed_acting:
            if req.kind != Kind.DEPUTY:
                raise ActionRefused("只有副区长请假时，可由区长另行指定代理人（第十五条）。", rule_id="LEAVE-2")
            req.acting_post = _check_acting(req.kind, req.post, acting_post, req.start, req.end)
        before = s.fire("approve" if approve else "reject")
        now = timezone.now()
        req.decided_by = actor
        req.decided_at = now
        req.decision_opinion = (opinion or "同意。")[:200]
        rule = RULE_BY_KIND[req.kind]
        handler = _decision_handler(req, actor, day)
        if not approve:
            s.record("reject", "不批准", before, opinion=opinion, rule_id=rule, handler=handler)
            s.tell([req.person], f"您的请假（{_span(req)}）未获批准", opinion, level="alert")
            return s.obj
        rule_lock(*LEAVE_LOCK)
        _open_arrangement(req, actor)
        if req.kind == Kind.UNIT_HEAD:
            req.filed_with_office_at = now
        acting = _handler_person(req.acting_post, req.start)
        note = req.decision_opinion
        if changed_acting:
            who = acting.display_name if acting else "（空缺）"
            note = f"{note}（指定由{who}（{req.acting_post.title}）代理）"
        s.record("approve", "批准请假", before, opinion=note, rule_id=rule, handler=handler)
        s.tell([req.person], f"您的请假（{_span(req)}）已批准", note)
        s.tell(
            [acting],
            f"{req.person.display_name}（{req.post.title}）{_span(req)}外出，由您代理",
            summary(req, acting),
        )
        if req.kind == Kind.DEPUTY:
            # LEAVE-2: "由区政府办公室通报区政府其他领导同志" — sent on the office's behalf the moment it is approved.
            others = _leaders_on(req.start, exclude=[req.person_id, actor.pk])
            s.tell(others, f"通报：{req.person.display_name}（{req.post.title}）{_span(req)}外出", summary(req, acting))
            _on_the_offices_behalf(
                req,
                "inform_leaders",
                "区政府办公室通报区政府其他领导",
                "、".join(p.display_name for p in others) or "（无其他在任领导）",
                "LEAVE-2",
            )
        elif req.kind == Kind.UNIT_HEAD:
            # LEAVE-3: once approved, time, place, contact and the acting person are filed with the office.
            s.tell(
                office_people(),
                f"备案：{req.post.unit.display_name}{req.post.title}{req.person.display_name}外出",
                summary(req, acting),
            )
            _on_the_offices_behalf(req, "file_with_office", "报区政府办公室备案", summary(req, acting), "LEAVE-3")
    return s.obj


def _on_the_offices_behalf(req: AbsenceRequest, action: str, label: str, opinion: str, rule_id: str) -> None:
    """A step the portal takes for the office the moment a leave is approved (no person acts, no state moves)."""
    record_event(actor=None, subject=req, action=action, action_label=label, opinion=opinion, rule_id=rule_id)


def report_return(
    *, actor, request: AbsenceRequest | int, returned_on: dt.date, report: str = "", today: dt.date | None = None
) -> AbsenceRequest:
    """Back at work on `returned_on`: the acting ends the day before (cancelled if the absence never started);
    a unit head reports back to the head and the responsible deputy (LEAVE-3). The office may record it for them."""
    with step(request, actor=actor, expect=(State.APPROVED,), today=today, model=AbsenceRequest) as s:
        req, day = s.obj, s.day
        if returned_on is None:
            raise ActionRefused("请填写返回日期。")
        if returned_on > day:
            raise ActionRefused("返回日期不能晚于今天；请返回后再销假。")
        if returned_on < req.start:  # before the absence began: a typing slip, not "未实际外出"
            raise ActionRefused(f"返回日期不能早于外出起始日期（{req.start:%Y-%m-%d}）；未实际外出的，请填写起始日期。")
        report = (report or "").strip()
        if req.kind == Kind.UNIT_HEAD and not report:
            raise ActionRefused(
                "返回后要向区长和分管副区长报告有关情况，请填写报告内容（第七十五条）。", rule_id="LEAVE-3"
            )
        own = permissions.can_report_return(actor, req)
        before = s.fire("report_return" if own or not permissions.can_manage(actor) else "report_return_for")
        note = ""
        if req.arrangement_id:
            arrangement = lock_row(ActingArrangement, req.arrangement_id)
            last_day = returned_on - dt.timedelta(days=1)
            if last_day < arrangement.start:
                arrangement.cancelled = True
                arrangement.save(update_fields=["cancelled"])
                note = "未实际外出，代理安排已撤销。"
            elif arrangement.end is None or last_day < arrangement.end:
                arrangement.end = last_day
                arrangement.save(update_fields=["end"])
                note = f"提前返回，代理至{last_day:%Y-%m-%d}止。"
            elif last_day > req.end:
                note = f"较批准的结束日期{req.end:%Y-%m-%d}晚返回。"
            req.arrangement = arrangement
        req.returned_on = returned_on
        req.return_report = report or "已返回。"
        rule = "LEAVE-3" if req.kind == Kind.UNIT_HEAD else "LEAVE-4"
        s.record(
            "report_return",
            "返回销假",
            before,
            opinion=f"{returned_on:%Y-%m-%d}返回。{note}{req.return_report}",
            rule_id=rule,
        )
        subject = f"{req.person.display_name}（{req.post.title}）已返回（{returned_on:%Y-%m-%d}）"
        if req.kind == Kind.UNIT_HEAD:
            head, deputy = head_post(), leader_post_for_unit(req.post.unit, day)
            recipients = [_handler_person(head, day), _handler_person(deputy, day)]
        elif req.kind == Kind.DEPUTY:
            recipients = [_handler_person(head_post(), day)]
        else:
            recipients = office_people()
        s.tell([r for r in recipients if r is not None and r.pk != actor.pk], subject, req.return_report)
        acting = _handler_person(req.acting_post, day)
        if acting is not None and acting.pk != actor.pk:
            s.tell([acting], f"{subject}，代理结束", note)
    return s.obj


def cancel_absence(
    *, actor, request: AbsenceRequest | int, reason: str = "", today: dt.date | None = None
) -> AbsenceRequest:
    """Withdraw a request, or an approved absence that has not started: its acting arrangement is cancelled."""
    with step(request, actor=actor, expect=OPEN_STATES, today=today, model=AbsenceRequest) as s:
        req, day = s.obj, s.day
        if day >= req.start:
            raise ActionRefused("外出已开始，不能撤回；返回后请办理销假。")
        was_approved = req.state == State.APPROVED
        before = s.fire("cancel")
        if req.arrangement_id:
            arrangement = lock_row(ActingArrangement, req.arrangement_id)
            arrangement.cancelled = True
            arrangement.save(update_fields=["cancelled"])
        reason = (reason or "").strip()
        s.record("cancel", "撤回请假", before, opinion=reason, rule_id=RULE_BY_KIND[req.kind])
        subject = f"{req.person.display_name}（{req.post.title}）已撤回{_span(req)}的外出"
        recipients: list[User | None] = []
        if not was_approved:
            recipients.append(_handler_person(req.approver_post, day))
        else:
            recipients.append(_handler_person(req.acting_post, req.start))
            if req.kind == Kind.DEPUTY:
                recipients += _leaders_on(req.start, exclude=[req.person_id])
            else:
                recipients += office_people()
        s.tell([r for r in recipients if r is not None and r.pk != actor.pk], subject, reason)
    return s.obj

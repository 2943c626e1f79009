"""Upkeep of the coordination bodies: every write after a body is set up (第六十六条 ~ 第六十八条).

- CRD-3 leader changes: `adjust_bodies` — the office's batch (or single) adjustment of the heads and leaders
  after a post changed holder or the division of work changed; a body headed by a department head adjusts
  itself, informs its responsible deputy and files with the office; each body's office files member changes.
- CRD-4 review rounds: `open_round` assesses every active body against the abolish/merge grounds and suggests
  them; `decide_entry` records the office's decision and feeds an application (CRD-1); `close_round`.
- CRD-5 annual targets: `open_targets` gives every active body a target set for the year and a clock (a Deadline
  the sweep reminds); `file_targets` (the body's office, after reporting to the body's head) closes the clock;
  `review_targets` records completion per target before year end; `follow_up_target` sends an unfinished target
  to the supervision ledger.

Each function is one user action in one transaction. A step on an item (a body, a review entry, a year's targets)
goes through the workflow kernel (`tiexi_gov.workflow.kernel.step`): lock, the object permission of
`coordination.upkeep.permissions`, the protected transition, the audit event, the item's tasks
(`coordination.upkeep.flow`) and the notices. `today` exists so tests can state the day of the action; views never
pass it.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Iterable, Mapping
from difflib import SequenceMatcher

from django.db import transaction
from django.urls import NoReverseMatch, reverse
from django.utils import timezone

from supervision.ledger import services as supervision
from supervision.ledger.models import Source
from tiexi_gov.audit.services import record_event
from tiexi_gov.deadlines.display import due_label
from tiexi_gov.deadlines.services import close_deadline, open_deadline
from tiexi_gov.notify.services import notify
from tiexi_gov.org.models import Appointment, Post, User
from tiexi_gov.org.selectors import leader_post_for_unit, who_handles
from tiexi_gov.rule_lock import rule_lock
from tiexi_gov.workdays import calendar as wd
from tiexi_gov.workflow.errors import ActionRefused, AlreadyHandled, NotAllowed
from tiexi_gov.workflow.kernel import lock_row, step, today_or

from ..models import (
    AbolishGround,
    Adjustment,
    AnnualTargets,
    Application,
    Body,
    Rank,
    ReviewEntry,
    ReviewRound,
    Seat,
    Target,
)
from ..register import services as register
from ..shared.access import office_people, unit_people
from . import permissions

LEADER_ROLES = (Seat.Role.HEAD, Seat.Role.DEPUTY_HEAD)
# Adjustments that settle a leader change of a post on a body (member filings do not).
LEADER_ADJUSTMENT_KINDS = (Adjustment.Kind.BATCH, Adjustment.Kind.SINGLE, Adjustment.Kind.SELF)
OFFICE_KINDS = (Adjustment.Kind.BATCH, Adjustment.Kind.SINGLE)
BODY_OFFICE_KINDS = (Adjustment.Kind.SELF, Adjustment.Kind.MEMBERS_FILED)

SIMILARITY = 0.6  # CRD-4: bodies of one host unit this alike in name or functions duplicate each other
TARGET_WORKDAYS = 15  # CRD-5: default — targets are filed 15 WD after 1 January (the office may set another day)


# --- helpers ---------------------------------------------------------------------------------------------------


def _url(name: str, *args) -> str:
    try:
        return reverse(f"coordination:{name}", args=args)
    except NoReverseMatch:
        return ""


def _required(value: str | None, label: str, rule_id: str) -> str:
    value = (value or "").strip()
    if not value:
        raise ActionRefused(f"请填写{label}。", rule_id=rule_id)
    return value


def _name(user: User | None) -> str:
    return user.display_name if user is not None else "（空缺）"


def previous_and_current_holder(post: Post, day: dt.date) -> tuple[User | None, User | None]:
    """The holder before the latest appointment that has started by `day`, and the holder on `day`."""
    appts = list(
        Appointment.objects.filter(post=post, start__lte=day).select_related("person").order_by("-start", "-id")[:2]
    )
    current = appts[0].person if appts and appts[0].covers(day) else None
    previous = appts[1].person if len(appts) > 1 else None
    return previous, current


# --- CRD-3: leader changes ---------------------------------------------------------------------------------------


def adjust_bodies(
    *,
    actor,
    post: Post | None,
    bodies: Iterable[Body],
    kind: str,
    document_number: str,
    note: str = "",
    new_post: Post | None = None,
    today: dt.date | None = None,
) -> Adjustment:
    """CRD-3 (第六十六条): one adjustment over `bodies` after `post` changed holder, in one transaction.

    - BATCH / SINGLE (the office): the government office's document covers only the head/leader seats; a body
      headed by a department head is not the office's to adjust;
    - SELF (the body's office, a body headed by a department head): it adjusts itself, informs its responsible
      deputy (`informed_deputy_post`) and files with the office;
    - MEMBERS_FILED (the body's office): its own document on member changes, filed with the office.

    With `new_post` the seat `post` held moves to `new_post` (e.g. after a change in the division of work);
    otherwise the seat stays with the post and the record says that the new holder takes it. The head seat
    goes to the district head only when a higher level requires it. All bodies change, or none."""
    day = today_or(today)
    if kind not in Adjustment.Kind.values:
        raise ActionRefused("请选择调整方式。", rule_id="CRD-3")
    number = _required(document_number, "调整文件文号", "CRD-3")
    note = (note or "").strip()
    ids = sorted({b.pk for b in bodies})
    if not ids:
        raise ActionRefused("请选择要调整的议事协调机构。", rule_id="CRD-3")
    if kind == Adjustment.Kind.SINGLE and len(ids) != 1:
        raise ActionRefused("单独调整只能选择一个议事协调机构；多个机构请集中调整。", rule_id="CRD-3")
    if kind != Adjustment.Kind.MEMBERS_FILED and post is None:
        raise ActionRefused("请选择发生变动的领导职务。", rule_id="CRD-3")
    if new_post is not None and kind == Adjustment.Kind.MEMBERS_FILED:
        raise ActionRefused("成员调整备案不改变主要负责人和负责人的职务。", rule_id="CRD-3")
    if new_post is not None and post is not None and new_post.pk == post.pk:
        raise ActionRefused("调整后的职务与原职务相同。", rule_id="CRD-3")
    if kind in OFFICE_KINDS and not permissions.can_adjust(actor):
        raise NotAllowed("只有区政府办公室可以集中或单独调整议事协调机构负责人。", rule_id="CRD-3")

    with transaction.atomic():
        locked = list(
            Body.objects.select_for_update(of=("self",)).select_related("host_unit").filter(pk__in=ids).order_by("name")
        )
        if len(locked) != len(ids):
            raise ActionRefused("所选议事协调机构不存在，请刷新后重试。", rule_id="CRD-3")
        # The same document for the same post over a body already recorded: the form sent twice (a second click,
        # a colleague's page loaded before) — not a second adjustment, record and notice.
        again = (
            Adjustment.objects.filter(kind=kind, post=post, document_number=number, bodies__in=ids)
            .select_related("by")
            .order_by("pk")
            .first()
        )
        if again is not None:
            raise AlreadyHandled(
                f"{number}已于{again.on:%Y-%m-%d}由{_name(again.by)}登记，未重复登记；请刷新后查看。",
                handled_by=again.by,
                rule_id="CRD-3",
            )
        if kind in BODY_OFFICE_KINDS:
            _check_body_office(actor, kind, locked)
        previous, current = previous_and_current_holder(post, day) if post is not None else (None, None)
        if new_post is not None:
            previous, current = current, previous_and_current_holder(new_post, day)[1]
        host = locked[0].host_unit
        informed = leader_post_for_unit(host, day) if kind == Adjustment.Kind.SELF else None
        adjustment = Adjustment.objects.create(
            kind=kind,
            post=post,
            previous_holder=_name(previous)[:60] if post is not None else "",
            new_holder=_name(current)[:60] if post is not None else "",
            document_number=number,
            note=note,
            informed_deputy_post=informed,
            by=actor,
            on=day,
        )
        adjustment.bodies.set(locked)
        texts = []
        for body in locked:  # each body is checked and changed in turn; a refusal rolls back the ones before it
            with step(body, actor=actor, today=day) as s:
                text = _adjust_one(s, adjustment, post, new_post, kind, previous, current)
            texts.append(f"{body.name}：{text}")
        record_event(
            actor=actor,
            subject=adjustment,
            action="adjustment_recorded",
            action_label=adjustment.get_kind_display(),
            opinion=f"{number}；" + "；".join(texts),
            rule_id="CRD-3",
        )
        _announce_adjustment(adjustment, locked, informed, current, day)
    return adjustment


def _check_body_office(actor, kind: str, bodies: list[Body]) -> None:
    for body in bodies:
        if not permissions.can_self_adjust(actor, body):
            raise NotAllowed(f"只有{body.name}的办公室（{body.host_unit.display_name}）可以办理。", rule_id="CRD-3")
        if kind == Adjustment.Kind.SELF and body.rank != Rank.DEPARTMENT:
            raise ActionRefused(
                f"{body.name}的主要负责人由区政府领导担任，须向区政府办公室申请调整，不能自行发文调整。",
                rule_id="CRD-3",
            )
    if kind == Adjustment.Kind.SELF and len({b.host_unit_id for b in bodies}) > 1:
        raise ActionRefused("自行调整只能包括本单位承担办公室工作的机构。", rule_id="CRD-3")


def _adjust_one(s, adjustment, post, new_post, kind, previous, current) -> str:
    """One body of an adjustment, inside its kernel step `s` (a seat changing post changes who the body's later
    steps name; the record is the body's own)."""
    body = s.obj
    if body.status != Body.Status.ACTIVE:
        raise ActionRefused(f"{body.name}已{body.get_status_display()}，不能调整。", rule_id="CRD-3")
    if kind in OFFICE_KINDS and body.rank == Rank.DEPARTMENT:
        raise ActionRefused(
            f"{body.name}由部门负责人任主要负责人，应由机构办公室自行发文调整、报分管区领导阅知并报办公室备案，"
            "不列入区政府办公室集中调整。",
            rule_id="CRD-3",
        )
    if kind == Adjustment.Kind.MEMBERS_FILED:
        if post is not None and not Seat.objects.filter(body=body, post=post).exists():
            raise ActionRefused(f"{post.title}不是{body.name}的组成职务。", rule_id="CRD-3")
        text = f"成员调整（{adjustment.document_number}）报区政府办公室备案"
        s.record("members_filed", "成员调整备案", opinion=text, rule_id="CRD-3")
        return text
    seat = Seat.objects.select_for_update().filter(body=body, post=post, role__in=LEADER_ROLES).first()
    if seat is None:
        raise ActionRefused(f"{post.title}不是{body.name}的主要负责人或负责人，不能在此调整。", rule_id="CRD-3")
    role = seat.get_role_display()
    if new_post is None:
        text = f"{post.title}（{role}）由{_name(current)}接任（原{_name(previous)}）"
    else:
        _check_new_post(body, seat, new_post)
        seat.post = new_post
        seat.save(update_fields=["post"])
        text = f"{role}由{post.title}（{_name(previous)}）调整为{new_post.title}（{_name(current)}）"
    s.record("leader_adjusted", adjustment.get_kind_display(), opinion=text, rule_id="CRD-3")
    return text


def _check_new_post(body: Body, seat: Seat, new_post: Post) -> None:
    if Seat.objects.filter(body=body, post=new_post).exists():
        raise ActionRefused(f"{new_post.title}已是{body.name}的组成职务，不能重复任职。", rule_id="CRD-3")
    if seat.role != Seat.Role.HEAD:
        return
    if new_post.kind == Post.Kind.HEAD and not body.head_required_by_higher_level:
        raise ActionRefused(
            f"{body.name}的主要负责人原则上由分管区领导担任；上级未明确要求由区长担任的，不能调整为区长（第六十六条）。",
            rule_id="CRD-3",
        )
    if body.head_required_by_higher_level and new_post.kind != Post.Kind.HEAD:
        raise ActionRefused(f"上级明确要求{body.name}由区长担任主要负责人，不能调整为其他职务。", rule_id="CRD-3")


def _announce_adjustment(adjustment: Adjustment, bodies: list[Body], informed, current, day: dt.date) -> None:
    url = _url("leader_changes")
    names = "、".join(b.name for b in bodies)
    kind = adjustment.kind
    if kind in OFFICE_KINDS:
        units = {b.host_unit_id: b.host_unit for b in bodies}
        notify(
            recipients=[p for unit in units.values() for p in unit_people(unit)],
            subject=f"议事协调机构负责人已调整：{adjustment.document_number}",
            body=f"{names}的负责人已由区政府办公室发文调整；成员调整请由机构办公室发文并报区政府办公室备案（第六十六条）。",
            url=url,
        )
        notify(
            recipients=[current],
            subject=f"您已任议事协调机构负责人：{names}",
            body=f"依据{adjustment.document_number}。",
            url=url,
        )
        return
    who = bodies[0].host_unit.display_name
    label = "自行调整主要负责人" if kind == Adjustment.Kind.SELF else "成员调整"
    notify(
        recipients=office_people(),
        subject=f"议事协调机构{label}备案：{names}",
        body=f"{who}已发文（{adjustment.document_number}）{label}，报区政府办公室备案（第六十六条）。",
        url=url,
    )
    if informed is not None:
        notify(
            recipients=[who_handles(informed, day).person],
            subject=f"请阅知：{names}主要负责人调整",
            body=f"{who}已自行发文（{adjustment.document_number}）调整，报请分管区领导阅知（第六十六条）。",
            url=url,
        )


# --- CRD-4: review rounds ---------------------------------------------------------------------------------------

_NOISE = re.compile(r"[\s\W_]+", re.UNICODE)
# Words every body's name shares: they say nothing about what the body does.
_COMMON = re.compile(r"铁西区|区政府|领导小组|工作|委员会|指挥部|联席会议|协调小组|办公室|小组")


def _normal(text: str, *, name: bool = False) -> str:
    text = _NOISE.sub("", text or "").lower()
    return _COMMON.sub("", text) if name else text


def similarity(a: Body, b: Body) -> float:
    """CRD-4: how alike two bodies are — the higher of their names' and their functions' likeness (difflib)."""
    names = SequenceMatcher(None, _normal(a.name, name=True), _normal(b.name, name=True), autojunk=False).ratio()
    fa, fb = _normal(a.functions), _normal(b.functions)
    functions = SequenceMatcher(None, fa, fb, autojunk=False).ratio() if fa and fb else 0.0
    return max(names, functions)


def _year_before(day: dt.date) -> dt.date:
    try:
        return day.replace(year=day.year - 1)
    except ValueError:  # 29 February
        return day.replace(year=day.year - 1, day=28)


def _suggestion(ground: AbolishGround, reason: str, **extra) -> dict:
    return {"ground": ground.value, "label": ground.label, "reason": reason, **extra}


def suggestions_for(body: Body, others: list[Body], day: dt.date) -> list[dict]:
    """The abolish/merge grounds the portal suggests for `body` on `day` (CRD-4, 第六十七条).

    `body.seats` must be prefetched with their posts; `others` are the other active bodies."""
    found = []
    if body.phase_end and body.phase_end < day:
        found.append(_suggestion(AbolishGround.PHASE_DONE, f"阶段性任务预计于{body.phase_end:%Y-%m-%d}结束，已过期。"))
    year_ago = _year_before(day)
    founded = body.founded_on or timezone.localtime(body.created_at).date()
    if body.last_activity_on and body.last_activity_on < year_ago:
        found.append(
            _suggestion(
                AbolishGround.PHASE_DONE,
                f"最近一次会议或活动在{body.last_activity_on:%Y-%m-%d}，12个月内未开展工作。",
                inactive=True,
            )
        )
    elif body.last_activity_on is None and founded < year_ago:
        found.append(
            _suggestion(
                AbolishGround.PHASE_DONE, f"自{founded:%Y-%m-%d}设立以来未登记会议或活动，已满12个月。", inactive=True
            )
        )
    units = {s.post.unit_id for s in body.seats.all()}
    if len(units) == 1:
        unit = next(iter(body.seats.all())).post.unit
        found.append(
            _suggestion(AbolishGround.SINGLE_TASK, f"全部组成职务均属{unit.display_name}，属于单个部门负责的工作。")
        )
    for other in others:
        if other.pk == body.pk:
            continue
        same_counterpart = bool(body.counterpart_name) and body.counterpart_name == other.counterpart_name
        if same_counterpart:
            reason = f"与“{other.name}”对应同一省、市机构（{other.counterpart_name}），工作职能雷同。"
        elif other.host_unit_id == body.host_unit_id and similarity(body, other) >= SIMILARITY:
            reason = f"与同由{body.host_unit.display_name}承担办公室工作的“{other.name}”名称或职责相近，工作职能雷同。"
        else:
            continue
        found.append(_suggestion(AbolishGround.DUPLICATE, reason, other=other.pk, other_name=other.name))
    if body.counterpart_abolished:
        counterpart = body.counterpart_name or "对应的省、市机构"
        found.append(_suggestion(AbolishGround.COUNTERPART_ABOLISHED, f"{counterpart}已撤销，我区有对应设置。"))
    return found


def open_round(*, actor, title: str, today: dt.date | None = None) -> ReviewRound:
    """CRD-4: the office opens a review round; every active body gets an entry with the grounds the portal
    suggests, and each entry waits on the office's decision (a task). One round at a time."""
    day = today_or(today)
    if not permissions.can_review_bodies(actor):
        raise NotAllowed("只有区政府办公室可以组织议事协调机构清理。", rule_id="CRD-4")
    title = _required(title, "清理评估名称", "CRD-4")
    with transaction.atomic():
        # One round at a time: with no round open there is no row to lock, so two openings take turns on the rule.
        rule_lock("CRD-4", "review-round")
        busy = ReviewRound.objects.select_for_update().filter(closed_on__isnull=True).first()
        if busy is not None:
            raise ActionRefused(f"“{busy.title}”尚未结束，请先完成并结束该轮清理。", rule_id="CRD-4")
        bodies = list(
            Body.objects.filter(status=Body.Status.ACTIVE)
            .select_related("host_unit")
            .prefetch_related("seats__post__unit")
            .order_by("name")
        )
        if not bodies:
            raise ActionRefused("目前没有存续的议事协调机构。", rule_id="CRD-4")
        rnd = ReviewRound.objects.create(title=title[:120], opened_on=day, opened_by=actor)
        entries = ReviewEntry.objects.bulk_create(
            [ReviewEntry(round=rnd, body=body, suggestions=suggestions_for(body, bodies, day)) for body in bodies]
        )
        flagged = sum(1 for e in entries if e.suggestions)
        record_event(
            actor=actor,
            subject=rnd,
            action="review_opened",
            action_label="开始清理评估",
            opinion=f"评估{len(entries)}个机构，系统提示{flagged}个可能符合撤并情形。",
            rule_id="CRD-4",
        )
        for entry in entries:  # each body's decision waits on the office (its task opens in this step)
            with step(entry.pk, actor=actor, today=day, model=ReviewEntry):
                pass
    return rnd


DECISION_TRANSITIONS = {
    ReviewEntry.Decision.KEEP: "decide_keep",
    ReviewEntry.Decision.MERGE: "decide_merge",
    ReviewEntry.Decision.ABOLISH: "decide_abolish",
}


def decide_entry(
    *,
    actor,
    entry: ReviewEntry | int,
    decision: str,
    grounds: Iterable[str] = (),
    merge_into: Body | None = None,
    note: str = "",
    today: dt.date | None = None,
) -> ReviewEntry:
    """CRD-4: the office decides on one body — keep, merge into another, or abolish, with the grounds it
    accepts and a note. A merge or abolish decision feeds an application (CRD-1) linked to the entry."""
    if not permissions.can_review_bodies(actor):
        raise NotAllowed("只有区政府办公室可以作出清理评估结论。", rule_id="CRD-4")
    D = ReviewEntry.Decision
    if decision not in DECISION_TRANSITIONS:
        raise ActionRefused("请选择评估结论（保留、合并或撤销）。", rule_id="CRD-4")
    grounds = list(dict.fromkeys(grounds))
    unknown = [g for g in grounds if g not in AbolishGround.values]
    if unknown:
        raise ActionRefused("撤并依据只能从第六十七条所列情形中选择。", rule_id="CRD-4")
    note = (note or "").strip()
    with step(entry, actor=actor, today=today, model=ReviewEntry) as s:
        entry = s.obj
        body = entry.body
        if not entry.round_is_open():
            raise ActionRefused("该轮清理评估已结束，不能再修改结论。", rule_id="CRD-4")
        if not entry.not_fed():
            raise ActionRefused(f"{body.name}的评估结论已转为申请，不能再修改。", rule_id="CRD-4")
        if decision == D.KEEP:
            if grounds:
                raise ActionRefused("保留的机构不需要选择撤并依据。", rule_id="CRD-4")
            merge_into = None
        else:
            if not grounds:
                raise ActionRefused("建议合并或撤销须选择至少一项撤并依据（第六十七条）。", rule_id="CRD-4")
            if decision == D.MERGE:
                _check_merge_target(body, merge_into)
            else:
                merge_into = None
        as_recorded = (entry.decision, list(entry.grounds or []), entry.merge_into_id, entry.note)
        if as_recorded == (decision, grounds, getattr(merge_into, "pk", None), note):
            return entry  # the decision shown on the page, saved again unchanged: nothing to record
        before = s.fire(DECISION_TRANSITIONS[decision])
        entry.grounds, entry.merge_into, entry.note, entry.decided_by = grounds, merge_into, note, actor
        labels = "、".join(AbolishGround(g).label for g in grounds)
        target = f"，并入{merge_into.name}" if merge_into is not None else ""
        s.record(
            "review_decided",
            f"清理评估：{entry.get_decision_display()}",
            D(before).label,  # recorded on the body, whose timeline knows no review codes: the words themselves
            subject=body,
            after=entry.get_decision_display(),
            opinion=f"{entry.round.title}：{entry.get_decision_display()}{target}。"
            + "；".join(x for x in (labels, note) if x),
            rule_id="CRD-4",
        )
        if decision != D.KEEP:
            _feed_application(actor, entry, labels, s.day)
    return s.obj


def _check_merge_target(body: Body, merge_into: Body | None) -> None:
    if merge_into is None:
        raise ActionRefused("建议合并须选择并入的机构。", rule_id="CRD-4")
    if merge_into.pk == body.pk:
        raise ActionRefused("不能并入机构本身。", rule_id="CRD-4")
    if merge_into.status != Body.Status.ACTIVE:
        raise ActionRefused(f"{merge_into.name}已{merge_into.get_status_display()}，不能并入。", rule_id="CRD-4")


def _feed_application(actor, entry: ReviewEntry, labels: str, day: dt.date) -> Application:
    """The decision becomes an application (CRD-1) through the register's own service; linked back to the entry.
    It is a draft in the host unit's name: the department carries it through CRD-1 (its task is to submit it)."""
    kind = Application.Kind.MERGE if entry.decision == ReviewEntry.Decision.MERGE else Application.Kind.ABOLISH
    target = f"并入{entry.merge_into.name}" if entry.merge_into is not None else "撤销"
    reason = f"根据“{entry.round.title}”清理评估结论，建议{target}。撤并依据：{labels}。"
    if entry.note:
        reason += f"评估意见：{entry.note}"
    application = register.create_application(
        actor=actor,
        kind=kind,
        applicant_unit=entry.body.host_unit,
        reason=reason,
        proposal={},
        body=entry.body,
        merge_into=entry.merge_into,
        review=entry,  # the application's grounds are the ones the office accepted on the entry
        today=day,
    )
    record_event(
        actor=actor,
        subject=entry.body,
        action="review_application",
        action_label="清理评估转为申请",
        opinion=f"{application}（{entry.round.title}）",
        rule_id="CRD-4",
    )
    notify(
        recipients=unit_people(entry.body.host_unit),
        subject=f"清理评估结论：{entry.body.name}建议{target}",
        body="区政府办公室已据此生成申请，请按程序办理（第六十四条、第六十七条）。",
        url=_url("application", application.pk),
    )
    return application


def close_round(*, actor, review_round: ReviewRound, today: dt.date | None = None) -> ReviewRound:
    """CRD-4: the office ends a round once every body has a decision (no entry waits any more)."""
    day = today_or(today)
    if not permissions.can_review_bodies(actor):
        raise NotAllowed("只有区政府办公室可以结束清理评估。", rule_id="CRD-4")
    with transaction.atomic():
        rnd = ReviewRound.objects.select_for_update().get(pk=review_round.pk)
        if rnd.closed_on is not None:
            raise ActionRefused("该轮清理评估已结束。", rule_id="CRD-4")
        pending = rnd.entries.filter(decision=ReviewEntry.Decision.PENDING).count()
        if pending:
            raise ActionRefused(f"还有{pending}个机构未作出评估结论，不能结束。", rule_id="CRD-4")
        rnd.closed_on = day
        rnd.save(update_fields=["closed_on"])
        record_event(actor=actor, subject=rnd, action="review_closed", action_label="结束清理评估", rule_id="CRD-4")
    return rnd


# --- CRD-5: annual targets ---------------------------------------------------------------------------------------


def default_due(year: int, workdays: int = TARGET_WORKDAYS) -> dt.date:
    """The filing deadline: `workdays` WD after 1 January of the year (CAL-3)."""
    return wd.add_workdays(dt.date(year, 1, 1), workdays)


def open_targets(
    *,
    actor,
    year: int,
    due: dt.date | None = None,
    workdays: int | None = None,
    today: dt.date | None = None,
) -> list[AnnualTargets]:
    """CRD-5: the office opens the year — every active body without a target set for `year` gets one, due
    `due` or `workdays` WD after 1 January (default 15 WD), with a clock the sweep reminds. Opening again later
    in the year adds the bodies set up since."""
    day = today_or(today)
    if not permissions.can_check_targets(actor):
        raise NotAllowed("只有区政府办公室可以部署年度目标报送。", rule_id="CRD-5")
    if due is not None and workdays is not None:
        raise ActionRefused("报送截止日期和工作日数只填一项。", rule_id="CRD-5")
    if workdays is not None and workdays < 1:
        raise ActionRefused("工作日数至少为1。", rule_id="CRD-5")
    if year < day.year - 1 or year > day.year + 1:
        raise ActionRefused("只能部署上一年、本年或下一年的年度目标。", rule_id="CRD-5")
    start = dt.date(year, 1, 1)
    if due is None:
        workdays = workdays or TARGET_WORKDAYS
        due_day = wd.add_workdays(start, workdays)
    else:
        due_day = due
    if due_day < day:
        raise ActionRefused(f"报送截止日期{due_day:%Y-%m-%d}已过，请另定截止日期。", rule_id="CRD-5")
    if due_day.year != year:
        raise ActionRefused("报送截止日期应在当年内。", rule_id="CRD-5")
    created = []
    with transaction.atomic():
        taken = set(AnnualTargets.objects.filter(year=year).values_list("body_id", flat=True))
        bodies = list(
            Body.objects.select_for_update(of=("self",))
            .filter(status=Body.Status.ACTIVE)
            .exclude(pk__in=taken)
            .select_related("host_unit")
            .order_by("name")
        )
        if not bodies:
            raise ActionRefused(f"所有存续机构均已部署{year}年度目标报送。", rule_id="CRD-5")
        for body in bodies:
            targets = AnnualTargets.objects.create(body=body, year=year, due=due_day)
            open_deadline(
                subject=targets,
                rule_id="CRD-5",
                title=f"{body.name}{year}年度工作目标报办公室备案",
                counted_from=start,
                workdays=workdays if due is None else None,
                due=due,
                owner_unit=body.host_unit,
                url=_url("target_set", targets.pk),
            )
            with step(targets, actor=actor, today=day) as s:  # its filing now waits on the host unit (CRD-5)
                s.record(
                    "targets_opened",
                    "部署年度目标报送",
                    after=targets.state,
                    opinion=f"报送截止{due_label(due_day)}",
                    rule_id="CRD-5",
                )
            created.append(s.obj)
        units = {b.host_unit_id: b.host_unit for b in bodies}
        for unit in units.values():
            names = "、".join(b.name for b in bodies if b.host_unit_id == unit.pk)
            notify(
                recipients=unit_people(unit),
                subject=f"请报送{year}年度工作目标（{due_label(due_day, 'm月d日')}前）",
                body=f"{names}：请向机构主要负责人汇报年度工作目标和任务后，报区政府办公室备案（第六十八条）。",
                url=_url("targets", year),
            )
    return created


def earliest_report_day(targets: AnnualTargets) -> dt.date:
    """CRD-5: the year's targets cannot have been reported to the body's head before the body was set up, nor
    before the year before the target year (the model keeps no day on which the office opened the year)."""
    earliest = dt.date(targets.year - 1, 1, 1)
    founded = targets.body.founded_on
    return max(earliest, founded) if founded else earliest


def file_targets(
    *,
    actor,
    targets: AnnualTargets | int,
    items: Iterable[str],
    reported_to_head_on: dt.date | None,
    today: dt.date | None = None,
) -> AnnualTargets:
    """CRD-5: the body's office files its year's targets with the office, after reporting them to the body's
    head; filing stops the clock, and the targets wait on the office's check."""
    texts = [t.strip() for t in items if t and t.strip()]
    with step(targets, actor=actor, today=today, model=AnnualTargets) as s:
        targets, day = s.obj, s.day
        body = targets.body
        if not permissions.can_file_targets(actor, targets):
            raise NotAllowed(f"只有{body.name}的办公室可以报送年度目标。", rule_id="CRD-5")
        if targets.state != AnnualTargets.State.PENDING:
            raise ActionRefused(f"{targets}{targets.get_state_display()}，不能重复报送。", rule_id="CRD-5")
        if reported_to_head_on is None:
            raise ActionRefused(
                "须先向机构主要负责人汇报年度工作目标和任务，并填写汇报日期（第六十八条）。", rule_id="CRD-5"
            )
        if reported_to_head_on > day:
            raise ActionRefused("向机构主要负责人汇报的日期不能晚于今天。", rule_id="CRD-5")
        earliest = earliest_report_day(targets)
        if reported_to_head_on < earliest:
            founded = body.founded_on if body.founded_on and body.founded_on >= earliest else None
            why = f"{body.name}于{founded:%Y-%m-%d}设立" if founded else f"{targets.year}年度目标最早于上一年初部署"
            raise ActionRefused(
                f"向机构主要负责人汇报的日期不能早于{earliest:%Y-%m-%d}（{why}），请核对汇报日期（第六十八条）。",
                rule_id="CRD-5",
            )
        if not texts:
            raise ActionRefused("请填写至少一项年度工作目标或任务。", rule_id="CRD-5")
        before = s.fire("file_with_office")
        Target.objects.bulk_create([Target(targets=targets, text=text) for text in texts])
        targets.reported_to_head_on = reported_to_head_on
        targets.filed_on = day
        targets.filed_by = actor
        close_deadline(subject=targets, rule_id="CRD-5", note=f"{day:%Y-%m-%d}报送备案", on=day)
        s.record(
            "targets_filed",
            "年度目标报办公室备案",
            before,
            opinion=f"{len(texts)}项目标；{reported_to_head_on:%Y-%m-%d}已向机构主要负责人汇报",
            rule_id="CRD-5",
        )
        s.tell(
            office_people(),
            f"年度目标已备案：{body.name}（{targets.year}年）",
            f"{body.host_unit.display_name}报送{len(texts)}项年度工作目标和任务。",
        )
    return s.obj


def review_targets(
    *,
    actor,
    targets: AnnualTargets | int,
    results: Mapping[int, tuple[bool, str]],
    note: str = "",
    today: dt.date | None = None,
) -> AnnualTargets:
    """CRD-5: before year end the office checks completion target by target (done yes/no and a note); a check
    already made may be corrected."""
    if not permissions.can_check_targets(actor):
        raise NotAllowed("只有区政府办公室可以督导检查年度目标完成情况。", rule_id="CRD-5")
    with step(targets, actor=actor, today=today, model=AnnualTargets) as s:
        targets, day = s.obj, s.day
        if targets.state == AnnualTargets.State.PENDING:
            raise ActionRefused("该机构尚未报送年度目标，不能督导检查。", rule_id="CRD-5")
        if day.year < targets.year:
            raise ActionRefused(f"{targets.year}年尚未开始，不能检查完成情况。", rule_id="CRD-5")
        items = list(targets.items.select_for_update().order_by("id"))
        missing = [t for t in items if t.pk not in results or results[t.pk][0] is None]
        if missing:
            raise ActionRefused(f"请逐项填写完成情况（还有{len(missing)}项未填）。", rule_id="CRD-5")
        findings = {t.pk: (bool(results[t.pk][0]), (results[t.pk][1] or "").strip()) for t in items}
        _refuse_changing_followed_up(items, findings)
        changes = [
            f"第{n}项由“{_finding(t.done, t.note)}”改为“{_finding(*findings[t.pk])}”"
            for n, t in enumerate(items, 1)
            if t.done is not None and (t.done, t.note) != findings[t.pk]
        ]
        rechecked = targets.state == AnnualTargets.State.REVIEWED
        if rechecked and not changes and (note or "").strip() == targets.review_note:
            return targets  # the check shown on the page, saved again unchanged: nothing to record or tell
        before = s.fire("recheck_completion" if rechecked else "check_completion")
        for t in items:
            t.done, t.note = findings[t.pk]
        Target.objects.bulk_update(items, ["done", "note"])
        targets.reviewed_on = day
        targets.review_note = (note or "").strip()
        undone = sum(1 for t in items if not t.done)
        changed = f"修改：{'；'.join(changes)}。" if changes else ""
        s.record(
            "targets_reviewed",
            "修改督导检查结果" if rechecked else "督导检查年度目标完成情况",
            before,
            opinion=f"共{len(items)}项，完成{len(items) - undone}项，未完成{undone}项。{changed}{targets.review_note}",
            rule_id="CRD-5",
        )
        s.tell(
            unit_people(targets.body.host_unit),
            f"年度目标督导检查：{targets.body.name}（{targets.year}年）",
            f"共{len(items)}项，完成{len(items) - undone}项，未完成{undone}项。",
        )
    return s.obj


def _finding(done: bool | None, note: str) -> str:
    text = "未检查" if done is None else ("已完成" if done else "未完成")
    return f"{text}（{note}）" if note else text


def _refuse_changing_followed_up(items: list[Target], findings: Mapping[int, tuple[bool, str]]) -> None:
    """CRD-5: a finding sent to the supervision ledger is what the ledger item rests on; changing it would leave an
    open item for a target the page calls finished (as a review decision turned into an application stands)."""
    for n, t in enumerate(items, 1):
        if t.follow_up_id is not None and (t.done, t.note) != findings[t.pk]:
            raise ActionRefused(
                f"第{n}项目标的检查结论“{_finding(t.done, t.note)}”已转入督查督办（{t.follow_up.number}），"
                "不能再修改；其后的完成情况请在该督办事项中报告（第六十八条）。",
                rule_id="CRD-5",
            )


def follow_up_post(body: Body, day: dt.date) -> Post | None:
    """The leader answerable for a body's follow-up: its head seat's post if a district leader holds it, else the
    deputy responsible for the host unit."""
    head = Seat.objects.filter(body=body, role=Seat.Role.HEAD).select_related("post").order_by("order", "id").first()
    if head is not None and head.post.is_leader:
        return head.post
    return leader_post_for_unit(body.host_unit, day)


def follow_up_target(*, actor, target: Target, due: dt.date, today: dt.date | None = None):
    """CRD-5: an unfinished target goes to the supervision ledger (source: the government's decision), led by the
    body's host unit; the item is issued at once and linked back on the target."""
    day = today_or(today)
    if not permissions.can_check_targets(actor):
        raise NotAllowed("只有区政府办公室可以将未完成目标转入督查督办。", rule_id="CRD-5")
    if due is None:
        raise ActionRefused("请填写督办完成时限。", rule_id="CRD-5")
    with step(target.targets_id, actor=actor, today=day, model=AnnualTargets) as s:
        targets = s.obj
        target = lock_row(Target, target.pk)
        body = targets.body
        number = list(targets.items.order_by("id").values_list("id", flat=True)).index(target.pk) + 1
        if target.follow_up_id is not None:  # a second click or a stale page: say when and where it went
            item = target.follow_up
            raise AlreadyHandled(
                f"第{number}项目标已转入督查督办（{item.number}，{item.assigned_on or item.period_start:%Y-%m-%d}"
                "交办），无需重复。",
                rule_id="CRD-5",
            )
        if targets.state != AnnualTargets.State.REVIEWED or target.done is not False:
            raise ActionRefused("只有督导检查认定未完成的目标才能转入督查督办。", rule_id="CRD-5")
        leader = follow_up_post(body, day)
        if leader is None:
            raise ActionRefused("无法确定责任领导，请先维护领导分工。", rule_id="CRD-5")
        try:
            item = supervision.create_item(
                actor=actor,
                source=Source.GOVERNMENT_DECISION,
                task=f"推进{body.name}{targets.year}年度目标任务：{target.text}",
                lead_unit=body.host_unit,
                leader_post=leader,
                due=due,
                standard=target.text,
                source_ref=f"{body.name}{targets.year}年度目标第{number}项",
                source_object=target,
                issue=True,
                today=day,
            )
        except supervision.SupervisionError as exc:
            raise ActionRefused(exc.message, rule_id=exc.rule_id or "CRD-5") from exc
        target.follow_up = item
        target.save(update_fields=["follow_up"])
        s.record(
            "target_followed_up",
            "未完成目标转入督查督办",
            opinion=f"{target.text[:80]} → {item.number}（完成时限{due:%Y-%m-%d}）",
            rule_id="CRD-5",
        )
    return item

"""Every write of the supervision ledger (SUP-1..SUP-6, PUB-1, PUB-3): one function per user action.

Each runs in one transaction: it locks the row, fires the FSM transition (object-level permission checked
in `supervision.permissions`), writes the audit event, starts or stops the clocks (Deadline rows) and
queues notifications, which are delivered on commit.

Clocks:
- SUP-1 "督办事项完成时限": from assignment to the item's due date, owed by the lead unit; the deadline sweep
  escalates an overdue item to the office director and the unit (the ledger shows it red);
- SUP-2 "进展报告": the next progress report on the item's cycle; a missed one turns the item amber and the
  sweep reminds the unit once; also one per unit per half-year for the half-year report;
- PUB-1 "网上咨询答复": 5 WD from receipt.

`today` exists so that tests and imports can state the day of the action; views never pass it.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Iterable
from difflib import SequenceMatcher

from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.urls import NoReverseMatch, reverse
from django.utils import timezone
from django_fsm import ConcurrentTransition, can_proceed, has_transition_perm

from tiexi_gov.audit.services import record_event
from tiexi_gov.deadlines.models import Deadline
from tiexi_gov.deadlines.services import cancel_deadlines, close_deadline, open_deadline
from tiexi_gov.notify.services import notify
from tiexi_gov.org.models import Post, Unit, User
from tiexi_gov.org.roles import Role, users_with_role
from tiexi_gov.org.selectors import head_post, who_handles
from tiexi_gov.workdays import calendar as wd

from . import permissions
from .models import (
    CLOSED_STATES,
    OPEN_STATES,
    PROPOSAL_SOURCES,
    WORKING_STATES,
    Counter,
    HalfYearReport,
    ItemState,
    Outcome,
    ProgressReport,
    Proposal,
    PublicInquiry,
    Rectification,
    Source,
    SupervisionFile,
    SupervisionItem,
    next_report_date,
)

St = ItemState
SIMILARITY = 0.8  # SUP-5: tasks this alike, for the same lead unit in an overlapping period, are one task
HALF_YEAR_LEAD_WORKDAYS = 10  # SUP-2: the half-year report is due 10 WD after the half ends (office may change)
INQUIRY_WORKDAYS = 5  # PUB-1
HALF_YEAR_UNIT_KINDS = (
    Unit.Kind.DEPARTMENT,
    Unit.Kind.AFFILIATED,
    Unit.Kind.INSTITUTION,
    Unit.Kind.TOWNSHIP,
    Unit.Kind.STREET,
)


# --- errors --------------------------------------------------------------------------------------------------


class SupervisionError(Exception):
    """A refused action, with the message the user reads (Chinese)."""

    rule_id = ""

    def __init__(self, message: str, *, rule_id: str = ""):
        super().__init__(message)
        self.message = message
        self.rule_id = rule_id or self.rule_id

    def __str__(self) -> str:
        return self.message


class DuplicateItem(SupervisionError):
    """SUP-5: the ledger refuses a duplicate; `existing` is the open item it duplicates (the page links it)."""

    rule_id = "SUP-5"

    def __init__(self, message: str, existing: SupervisionItem):
        super().__init__(message, rule_id="SUP-5")
        self.existing = existing


class AlreadyHandled(SupervisionError):
    pass


class ActionNotAllowed(SupervisionError, PermissionDenied):
    pass


# --- helpers ---------------------------------------------------------------------------------------------


def _today(today: dt.date | None) -> dt.date:
    return today or timezone.localdate()


def item_url(item: SupervisionItem) -> str:
    try:
        return reverse("supervision:item", args=[item.pk])
    except NoReverseMatch:
        return ""


def inquiry_url(inquiry: PublicInquiry) -> str:
    try:
        return reverse("supervision:inquiry", args=[inquiry.pk])
    except NoReverseMatch:
        return ""


def unit_people(unit: Unit) -> list[User]:
    """Who in a unit hears about its supervised items: clerks and heads, else every active member."""
    base = User.objects.filter(unit=unit, is_active=True)
    people = list(base.filter(groups__name__in=[str(Role.CLERK), str(Role.UNIT_HEAD)]).distinct())
    return people or list(base)


def office_people() -> list[User]:
    people = list(users_with_role(Role.OFFICE_STAFF)) + list(users_with_role(Role.OFFICE_DIRECTOR))
    return list({u.pk: u for u in people}.values())


def _leader_people(posts: Iterable[Post | None], day: dt.date) -> list[User]:
    people = {}
    for post in posts:
        if post is None:
            continue
        person = who_handles(post, day).person
        if person is not None:
            people[person.pk] = person
    return list(people.values())


def _tell(recipients: Iterable, subject: str, body: str = "", url: str = "", level: str = "info", key=None):
    recipients = list(recipients)
    if recipients:
        notify(recipients=recipients, subject=subject, body=body, url=url, level=level, key=key)


def _event(actor, subject, action: str, label: str, before: str = "", after: str = "", *, opinion="", rule_id=""):
    record_event(
        actor=actor,
        subject=subject,
        action=action,
        action_label=label,
        from_state=before,
        to_state=after,
        opinion=opinion,
        rule_id=rule_id,
    )


def _next_number(key: str) -> int:
    Counter.objects.bulk_create([Counter(key=key, last=0)], ignore_conflicts=True)
    counter = Counter.objects.select_for_update().get(key=key)
    counter.last += 1
    counter.save(update_fields=["last"])
    return counter.last


def _lock(item: SupervisionItem | int, *expected: str, day: dt.date) -> SupervisionItem:
    """Lock the item and re-read it; a state change since the user looked means someone else was first."""
    pk = item.pk if isinstance(item, SupervisionItem) else item
    fresh = SupervisionItem.objects.select_for_update(of=("self",)).select_related("lead_unit").get(pk=pk)
    fresh._day = day
    if expected and fresh.state not in expected:
        seen = item.state if isinstance(item, SupervisionItem) else None
        if seen is not None and seen != fresh.state:
            who = User.objects.filter(pk=fresh.last_handled_by_id).first()
            name = who.display_name if who else "他人"
            raise AlreadyHandled(f"该事项已由{name}处理（当前状态：{fresh.get_state_display()}），请刷新后查看。")
        raise SupervisionError(f"该事项当前状态为“{fresh.get_state_display()}”，不能进行此操作。")
    return fresh


def _fire(obj, name: str, actor, *, noun: str = "该事项") -> str:
    method = getattr(obj, name)
    if not can_proceed(method):
        raise SupervisionError(f"{noun}当前状态为“{obj.get_state_display()}”，不能进行此操作。")
    if not has_transition_perm(method, actor):
        raise ActionNotAllowed(f"您无权对{noun}进行此操作。")
    before = obj.state
    method()
    return before


def _save(item: SupervisionItem, actor) -> None:
    item.last_handled_by = actor
    item.last_handled_at = timezone.now()
    try:
        item.save()
    except ConcurrentTransition as exc:
        raise AlreadyHandled("该事项已由他人处理，请刷新后查看。") from exc


def _required(value: str, label: str) -> str:
    value = (value or "").strip()
    if not value:
        raise SupervisionError(f"请填写{label}。")
    return value


# --- SUP-5: no duplicate supervision -------------------------------------------------------------------

_NOISE = re.compile(r"[\s\W_]+", re.UNICODE)


def _normal(text: str) -> str:
    return _NOISE.sub("", text or "").lower()


def task_similarity(a: str, b: str) -> float:
    return SequenceMatcher(None, _normal(a), _normal(b), autojunk=False).ratio()


def find_duplicate(
    *, source_ref: str, lead_unit: Unit, task: str, period_start: dt.date, due: dt.date, exclude_pk=None
) -> SupervisionItem | None:
    """SUP-5: an open item with the same source reference, or the same lead unit and a near-identical task
    in an overlapping period (the two periods share at least one day)."""
    open_items = SupervisionItem.objects.filter(state__in=OPEN_STATES).exclude(pk=exclude_pk)
    ref = (source_ref or "").strip()
    if ref:
        same_ref = open_items.filter(source_ref=ref).order_by("id").first()
        if same_ref is not None:
            return same_ref
    candidates = open_items.filter(lead_unit=lead_unit, period_start__lte=due, due__gte=period_start).only(
        "id", "task", "number", "state", "due"
    )
    for other in candidates:
        if task_similarity(task, other.task) >= SIMILARITY:
            return other
    return None


def _refuse_duplicate(**kwargs) -> None:
    other = find_duplicate(**kwargs)
    if other is not None:
        raise DuplicateItem(
            f"与在办事项“{other.number}”重复，不得重复督查（SUP-5）。"
            "如属重大事项需多家单位督查，请在原事项上增加联合督查单位。",
            existing=other,
        )


# --- items: create, issue, approve (SUP-1, SUP-5) ---------------------------------------------------------


def _check_item_fields(*, task, standard, lead_unit, cooperating_units, due, period_start, leader_post) -> None:
    _required(task, "督办事项")
    _required(standard, "量化标准")
    if lead_unit is None:
        raise SupervisionError("请选择牵头单位。")
    if leader_post is None or not leader_post.is_leader:
        raise SupervisionError("责任领导须为区政府领导（区长、副区长）。")
    if due is None:
        raise SupervisionError("请填写完成时限。")
    if due < period_start:
        raise SupervisionError("完成时限不能早于起始日期。")
    if any(u.pk == lead_unit.pk for u in cooperating_units):
        raise SupervisionError("牵头单位不能同时作为协办单位。")


def create_item(
    *,
    actor,
    source: str,
    task: str,
    lead_unit: Unit,
    leader_post: Post,
    due: dt.date,
    standard: str,
    source_ref: str = "",
    source_object=None,
    kind: str = "",
    cycle: str = "",
    cooperating_units: Iterable[Unit] = (),
    supervising_unit: Unit | None = None,
    joint_units: Iterable[Unit] = (),
    in_government_name: bool = False,
    is_major: bool = False,
    period_start: dt.date | None = None,
    rectification: dict | None = None,
    proposal: dict | None = None,
    issue: bool = False,
    today: dt.date | None = None,
) -> SupervisionItem:
    """SUP-1: register a supervised task in the ledger (a draft; with `issue=True` it is issued at once).

    SUP-3: an item from an inspection carries its `rectification` (problem, level, found_by, measures,
    is_major). PUB-3: a suggestion or proposal carries its `proposal` (number, proposer, session)."""
    day = _today(today)
    if not permissions.can_manage(actor):
        raise ActionNotAllowed("只有区政府办公室可以登记督查事项。")
    if source not in Source.values:
        raise SupervisionError("请选择事项来源。")
    cooperating_units = list(cooperating_units)
    joint_units = list(joint_units)
    period_start = period_start or day
    _check_item_fields(
        task=task,
        standard=standard,
        lead_unit=lead_unit,
        cooperating_units=cooperating_units,
        due=due,
        period_start=period_start,
        leader_post=leader_post,
    )
    if joint_units and not is_major:
        raise SupervisionError("联合督查只用于重大事项（SUP-5），请勾选“重大事项”。")
    if source == Source.INSPECTION and not rectification:
        raise SupervisionError("督查发现的问题须填写问题、层级和整改措施（SUP-3）。")
    if source in PROPOSAL_SOURCES and not proposal:
        raise SupervisionError("人大代表建议、政协委员提案须填写编号和代表/委员（PUB-3）。")
    supervising_unit = supervising_unit or Unit.objects.filter(kind=Unit.Kind.OFFICE).order_by("order", "id").first()
    if supervising_unit is None:
        raise SupervisionError("系统中没有区政府办公室单位，请先维护组织机构。")
    with transaction.atomic():
        # Serialise creation per lead unit so two clerks cannot both slip past the duplicate check.
        Unit.objects.select_for_update().filter(pk=lead_unit.pk).first()
        _refuse_duplicate(source_ref=source_ref, lead_unit=lead_unit, task=task, period_start=period_start, due=due)
        seq = _next_number(f"item-{day.year}")
        item = SupervisionItem(
            year=day.year,
            seq=seq,
            number=f"铁督〔{day.year}〕{seq}号",
            source=source,
            source_ref=(source_ref or "").strip(),
            task=task.strip(),
            kind=kind or SupervisionItem._meta.get_field("kind").default,
            cycle=cycle or SupervisionItem._meta.get_field("cycle").default,
            lead_unit=lead_unit,
            leader_post=leader_post,
            due=due,
            standard=standard.strip(),
            period_start=period_start,
            supervising_unit=supervising_unit,
            in_government_name=in_government_name,
            is_major=is_major,
            created_by=actor,
            last_handled_by=actor,
            last_handled_at=timezone.now(),
        )
        if source_object is not None:
            item.source_object = source_object
        item.save()
        item.cooperating_units.set(cooperating_units)
        item.joint_units.set(joint_units)
        _event(
            actor,
            item,
            "created",
            "登记督查事项",
            after=item.state,
            rule_id="SUP-1",
            opinion=f"来源：{item.get_source_display()} {item.source_ref}".strip(),
        )
        if rectification:
            _create_rectification(actor, item, rectification, day)
        if proposal:
            Proposal.objects.create(
                item=item,
                number=_required(proposal.get("number", ""), "建议/提案号"),
                proposer=_required(proposal.get("proposer", ""), "代表/委员"),
                session=proposal.get("session", ""),
            )
        if issue:
            item = issue_item(actor=actor, item=item, today=day)
    return item


def update_draft(*, actor, item: SupervisionItem, today: dt.date | None = None, **fields) -> SupervisionItem:
    """The office edits a draft (not yet issued); the duplicate check runs again on the new text."""
    day = _today(today)
    if not permissions.can_manage(actor):
        raise ActionNotAllowed("只有区政府办公室可以修改督查事项。")
    allowed = {
        "task",
        "standard",
        "due",
        "source_ref",
        "kind",
        "cycle",
        "lead_unit",
        "leader_post",
        "period_start",
        "in_government_name",
        "is_major",
        "supervising_unit",
    }
    with transaction.atomic():
        item = _lock(item, St.DRAFT, day=day)
        cooperating = fields.pop("cooperating_units", None)
        joint = fields.pop("joint_units", None)
        for name, value in fields.items():
            if name not in allowed:
                raise ValueError(f"field {name} cannot be edited")
            setattr(item, name, value.strip() if isinstance(value, str) else value)
        co_list = list(cooperating) if cooperating is not None else list(item.cooperating_units.all())
        joint_list = list(joint) if joint is not None else list(item.joint_units.all())
        if joint_list and not item.is_major:
            raise SupervisionError("联合督查只用于重大事项（SUP-5），请勾选“重大事项”。")
        _check_item_fields(
            task=item.task,
            standard=item.standard,
            lead_unit=item.lead_unit,
            cooperating_units=co_list,
            due=item.due,
            period_start=item.period_start,
            leader_post=item.leader_post,
        )
        _refuse_duplicate(
            source_ref=item.source_ref,
            lead_unit=item.lead_unit,
            task=item.task,
            period_start=item.period_start,
            due=item.due,
            exclude_pk=item.pk,
        )
        _save(item, actor)
        if cooperating is not None:
            item.cooperating_units.set(co_list)
        if joint is not None:
            item.joint_units.set(joint_list)
        _event(actor, item, "edited", "修改督查事项", before=item.state, after=item.state)
    return item


def needs_leader_approval(item: SupervisionItem) -> bool:
    """SUP-5: a department (not the office) supervising in the government's name needs a district leader."""
    return item.in_government_name and item.supervising_unit.kind != Unit.Kind.OFFICE


def _start_clocks(item: SupervisionItem, day: dt.date) -> None:
    item.assigned_on = day
    open_deadline(
        subject=item,
        rule_id="SUP-1",
        title="督办事项完成时限",
        counted_from=day,
        due=item.due,
        owner_unit=item.lead_unit,
        url=item_url(item),
    )


def _announce_assignment(item: SupervisionItem, day: dt.date) -> None:
    co_names = "、".join(u.display_name for u in item.cooperating_units.all())
    body = f"{item.task}\n完成时限：{item.due}；量化标准：{item.standard}" + (
        f"\n协办单位：{co_names}" if co_names else ""
    )
    _tell(unit_people(item.lead_unit), f"督办事项交办：{item.number}（请签收）", body, item_url(item))
    for unit in item.cooperating_units.all():
        _tell(unit_people(unit), f"督办事项协办：{item.number}", body, item_url(item))


def issue_item(*, actor, item: SupervisionItem, today: dt.date | None = None) -> SupervisionItem:
    """Issue a draft: straight to the lead unit, or first to the leader in charge when SUP-5 asks for it."""
    day = _today(today)
    with transaction.atomic():
        item = _lock(item, St.DRAFT, day=day)
        if needs_leader_approval(item):
            before = _fire(item, "submit_for_approval", actor)
            _save(item, actor)
            _event(
                actor,
                item,
                "submitted_for_approval",
                "报区领导审批（以区政府名义督查）",
                before,
                item.state,
                rule_id="SUP-5",
            )
            _tell(
                _leader_people([item.leader_post], day),
                f"督查事项待审批：{item.number}",
                f"{item.supervising_unit.display_name}拟以区政府名义督查：{item.task}",
                item_url(item),
            )
            return item
        before = _fire(item, "assign", actor)
        _start_clocks(item, day)
        _save(item, actor)
        _event(actor, item, "assigned", "交办", before, item.state, rule_id="SUP-1")
        _announce_assignment(item, day)
    return item


def approve_item(*, actor, item: SupervisionItem, opinion: str = "", today: dt.date | None = None) -> SupervisionItem:
    day = _today(today)
    with transaction.atomic():
        item = _lock(item, St.AWAITING_APPROVAL, day=day)
        before = _fire(item, "approve", actor)
        _start_clocks(item, day)
        _save(item, actor)
        _event(
            actor, item, "approved", "区领导批准以区政府名义督查", before, item.state, opinion=opinion, rule_id="SUP-5"
        )
        _announce_assignment(item, day)
    return item


def refuse_item(*, actor, item: SupervisionItem, opinion: str, today: dt.date | None = None) -> SupervisionItem:
    day = _today(today)
    opinion = _required(opinion, "不同意的理由")
    with transaction.atomic():
        item = _lock(item, St.AWAITING_APPROVAL, day=day)
        before = _fire(item, "refuse", actor)
        _save(item, actor)
        _event(
            actor, item, "refused", "区领导不同意以区政府名义督查", before, item.state, opinion=opinion, rule_id="SUP-5"
        )
        _tell(office_people(), f"督查事项未获批准：{item.number}", opinion, item_url(item))
    return item


def add_joint_unit(*, actor, item: SupervisionItem, unit: Unit, today: dt.date | None = None) -> SupervisionItem:
    """SUP-5: a major item gets joint supervision — another supervising unit joins this item, not a new one."""
    day = _today(today)
    if not permissions.can_manage(actor):
        raise ActionNotAllowed("只有区政府办公室可以组织联合督查。")
    with transaction.atomic():
        item = _lock(item, *OPEN_STATES, day=day)
        if not item.is_major:
            raise SupervisionError("联合督查只用于重大事项（SUP-5）。")
        if unit.pk == item.supervising_unit_id or item.joint_units.filter(pk=unit.pk).exists():
            raise SupervisionError(f"{unit.display_name}已是该事项的督查单位。")
        item.joint_units.add(unit)
        _save(item, actor)
        _event(
            actor,
            item,
            "joint_unit_added",
            "增加联合督查单位",
            item.state,
            item.state,
            opinion=unit.name,
            rule_id="SUP-5",
        )
    return item


def cancel_item(*, actor, item: SupervisionItem, reason: str, today: dt.date | None = None) -> SupervisionItem:
    day = _today(today)
    reason = _required(reason, "撤销原因")
    with transaction.atomic():
        item = _lock(item, day=day)
        before = _fire(item, "cancel", actor)
        item.cancel_reason = reason[:200]
        cancel_deadlines(subject=item, note=f"事项撤销：{reason}"[:200])
        _save(item, actor)
        _event(actor, item, "cancelled", "撤销督查事项", before, item.state, opinion=reason)
    return item


# --- the lead unit's work (SUP-1, SUP-2) ------------------------------------------------------------------


def _open_report_clock(item: SupervisionItem, after: dt.date) -> None:
    nominal = next_report_date(item.cycle, after)
    due = nominal if wd.is_workday(nominal) else wd.next_workday(nominal)
    item.next_report_due = due
    open_deadline(
        subject=item,
        rule_id="SUP-2",
        title=f"进展报告（{item.get_cycle_display()}）",
        counted_from=after,
        due=due,
        owner_unit=item.lead_unit,
        url=item_url(item),
    )


def accept_item(*, actor, item: SupervisionItem, today: dt.date | None = None) -> SupervisionItem:
    """The lead unit signs for the item; the reporting cycle starts."""
    day = _today(today)
    with transaction.atomic():
        item = _lock(item, St.ASSIGNED, day=day)
        before = _fire(item, "accept", actor)
        item.accepted_on = day
        _open_report_clock(item, day)
        _save(item, actor)
        _event(actor, item, "accepted", "签收", before, item.state)
        _tell(office_people(), f"{item.lead_unit.display_name}已签收督办事项{item.number}", "", item_url(item))
    return item


def plan_percent(item: SupervisionItem, day: dt.date) -> int:
    """Where the work should be on `day` if it moves evenly from assignment to the deadline."""
    start = item.assigned_on or item.period_start
    total = (item.due - start).days
    if total <= 0:
        return 100
    return max(0, min(100, round(100 * (day - start).days / total)))


BEHIND_TOLERANCE = 10  # percentage points behind the even plan before the light turns amber


def file_progress_report(
    *,
    actor,
    item: SupervisionItem,
    percent: int,
    done: str,
    problems: str = "",
    next_steps: str = "",
    files: Iterable = (),
    today: dt.date | None = None,
) -> ProgressReport:
    """SUP-2: the lead unit reports on its cycle (moves the item in progress, resets the report clock); a
    cooperating unit reports its part to the lead unit (the item does not move)."""
    day = _today(today)
    done = _required(done, "已完成工作")
    try:
        percent = int(percent)
    except (TypeError, ValueError):
        raise SupervisionError("完成进度须为0至100之间的整数。") from None
    if not 0 <= percent <= 100:
        raise SupervisionError("完成进度须为0至100之间的整数。")
    with transaction.atomic():
        item = _lock(item, *WORKING_STATES, day=day)
        lead = permissions.can_act_as_lead(actor, item)
        part = not lead and permissions.can_report_part(actor, item)
        if not (lead or part):
            raise ActionNotAllowed("只有牵头单位或协办单位可以报告进展。")
        if lead and item.state not in (St.ACCEPTED, St.IN_PROGRESS):
            raise SupervisionError(f"该事项当前状态为“{item.get_state_display()}”，不能报告进展。")
        members = permissions.member_unit_ids(actor, day)
        unit = item.lead_unit if lead else next(u for u in item.cooperating_units.all() if u.pk in members)
        report = ProgressReport.objects.create(
            item=item,
            unit=unit,
            is_part=part,
            author=actor,
            reported_on=day,
            percent=percent,
            done=done,
            problems=problems.strip(),
            next_steps=next_steps.strip(),
        )
        for f in files:
            SupervisionFile.objects.create(
                item=item,
                report=report,
                purpose=SupervisionFile.Purpose.REPORT,
                file=f,
                name=f.name[:200],
                uploaded_by=actor,
            )
        if part:
            _event(
                actor,
                item,
                "part_reported",
                f"协办单位报告（{unit.display_name}）",
                item.state,
                item.state,
                opinion=f"{percent}%：{done}",
                rule_id="SUP-2",
            )
            _tell(
                unit_people(item.lead_unit),
                f"协办单位报告进展：{item.number}",
                f"{unit.display_name}：{done}",
                item_url(item),
            )
            return report
        before = item.state
        if item.state == St.ACCEPTED:
            _fire(item, "start", actor)
        close_deadline(subject=item, rule_id="SUP-2", note="已报告进展", on=day)
        item.percent = percent
        item.progress_text = done
        item.last_report_on = day
        item.behind_plan = percent + BEHIND_TOLERANCE < plan_percent(item, day)
        _open_report_clock(item, day)
        _save(item, actor)
        _event(actor, item, "reported", "报告进展", before, item.state, opinion=f"{percent}%：{done}", rule_id="SUP-2")
    return report


def claim_completion(
    *,
    actor,
    item: SupervisionItem,
    evidence: str,
    mechanism: str = "",
    files: Iterable = (),
    today: dt.date | None = None,
) -> SupervisionItem:
    """The lead unit reports the task done, with evidence; the office then re-checks (复查核验, SUP-4)."""
    day = _today(today)
    evidence = _required(evidence, "办结情况及佐证")
    with transaction.atomic():
        item = _lock(item, St.ACCEPTED, St.IN_PROGRESS, day=day)
        rect = Rectification.objects.filter(item=item).first()
        if rect is not None:
            if mechanism.strip():
                rect.mechanism = mechanism.strip()
                rect.save(update_fields=["mechanism"])
            if not rect.mechanism.strip():
                raise SupervisionError("整改事项须同时报送建立的长效机制（SUP-3）。", rule_id="SUP-3")
        before = _fire(item, "claim_completion", actor)
        item.claimed_on = day
        item.completion_note = evidence
        item.percent = 100
        for f in files:
            SupervisionFile.objects.create(
                item=item, purpose=SupervisionFile.Purpose.EVIDENCE, file=f, name=f.name[:200], uploaded_by=actor
            )
        # The completion clock stops at the claim; a rework sends it running again.
        close_deadline(subject=item, rule_id="SUP-1", note="已报办结，待复查核验", on=day)
        close_deadline(subject=item, rule_id="SUP-2", note="已报办结", on=day)
        item.next_report_due = None
        _save(item, actor)
        _event(actor, item, "claimed", "报办结", before, item.state, opinion=evidence)
        _tell(office_people(), f"督办事项报办结待核验：{item.number}", evidence, item_url(item))
    return item


def return_for_rework(*, actor, item: SupervisionItem, reason: str, today: dt.date | None = None) -> SupervisionItem:
    """The re-check found the work not done: back to the lead unit; the clocks run again."""
    day = _today(today)
    reason = _required(reason, "退回理由")
    with transaction.atomic():
        item = _lock(item, St.CLAIMED, day=day)
        before = _fire(item, "return_for_rework", actor)
        item.rework_count += 1
        item.claimed_on = None
        item.verification_note = reason
        open_deadline(
            subject=item,
            rule_id="SUP-1",
            title="督办事项完成时限（退回整改）",
            counted_from=day,
            due=max(item.due, day),
            owner_unit=item.lead_unit,
            url=item_url(item),
        )
        _open_report_clock(item, day)
        _save(item, actor)
        _event(actor, item, "returned", "复查核验不合格，退回整改", before, item.state, opinion=reason, rule_id="SUP-4")
        _tell(unit_people(item.lead_unit), f"督办事项退回整改：{item.number}", reason, item_url(item), level="warning")
    return item


def verify_item(*, actor, item: SupervisionItem, note: str, today: dt.date | None = None) -> SupervisionItem:
    """复查核验 (SUP-4): the office confirms the work; closed on time when claimed by the due date, else late."""
    day = _today(today)
    note = _required(note, "复查核验意见")
    with transaction.atomic():
        item = _lock(item, St.CLAIMED, day=day)
        rect = Rectification.objects.filter(item=item).first()
        if rect is not None and not rect.mechanism.strip():
            raise SupervisionError("整改事项未建立长效机制，不能办结（SUP-3）。", rule_id="SUP-3")
        on_time = item.claimed_on is not None and item.claimed_on <= item.due
        before = _fire(item, "close_on_time" if on_time else "close_late", actor)
        item.closed_on = day
        item.verification_note = note
        close_deadline(subject=item, rule_id="SUP-1", state=Deadline.State.MISSED, note="逾期办结")
        _save(item, actor)
        _event(
            actor,
            item,
            "verified",
            "复查核验通过，" + ("按期办结" if on_time else "逾期办结"),
            before,
            item.state,
            opinion=note,
            rule_id="SUP-4",
        )
        _tell(unit_people(item.lead_unit), f"督办事项已办结：{item.number}", note, item_url(item))
    return item


# --- SUP-3 rectification ----------------------------------------------------------------------------------


def _create_rectification(actor, item: SupervisionItem, data: dict, day: dt.date) -> Rectification:
    level = data.get("level", "")
    if level not in Rectification.Level.values:
        raise SupervisionError("请选择发现问题的督查层级（国家、省、市、区）。")
    rect = Rectification.objects.create(
        item=item,
        problem=_required(data.get("problem", ""), "发现问题"),
        level=level,
        found_by=_required(data.get("found_by", ""), "督查组/来源"),
        measures=_required(data.get("measures", ""), "整改措施"),
        mechanism=(data.get("mechanism") or "").strip(),
        is_major=bool(data.get("is_major")),
    )
    if rect.is_major:
        _report_major_problem(actor, item, rect, day)
    return rect


def _report_major_problem(actor, item: SupervisionItem, rect: Rectification, day: dt.date) -> None:
    """SUP-3 (第四十九条): a major problem is reported to the government's leaders."""
    leaders = _leader_people([head_post(), item.leader_post], day)
    rect.reported_to_leaders_at = timezone.now()
    rect.save(update_fields=["reported_to_leaders_at"])
    _tell(
        leaders,
        f"重大问题整改报告：{item.number}",
        f"{rect.get_level_display()}级督查（{rect.found_by}）发现：{rect.problem}\n整改措施：{rect.measures}",
        item_url(item),
        level="warning",
    )
    _event(
        actor,
        item,
        "major_problem_reported",
        "重大问题报告区政府领导",
        item.state,
        item.state,
        opinion=rect.problem,
        rule_id="SUP-3",
    )


def update_rectification(
    *,
    actor,
    item: SupervisionItem,
    measures: str | None = None,
    mechanism: str | None = None,
    is_major: bool | None = None,
    today: dt.date | None = None,
) -> Rectification:
    """The lead unit (or the office) records measures and the long-term mechanism; marking a problem major
    reports it to the leaders once."""
    day = _today(today)
    with transaction.atomic():
        item = _lock(item, *OPEN_STATES, day=day)
        if not (permissions.can_act_as_lead(actor, item) or permissions.can_manage(actor)):
            raise ActionNotAllowed("只有牵头单位或区政府办公室可以填写整改情况。")
        rect = Rectification.objects.select_for_update().filter(item=item).first()
        if rect is None:
            raise SupervisionError("该事项不是整改事项。")
        if measures is not None:
            rect.measures = _required(measures, "整改措施")
        if mechanism is not None:
            rect.mechanism = mechanism.strip()
        newly_major = is_major and not rect.is_major
        if is_major is not None:
            rect.is_major = is_major
        rect.save()
        _event(
            actor,
            item,
            "rectification_updated",
            "更新整改情况",
            item.state,
            item.state,
            opinion=f"长效机制：{rect.mechanism or '（未填）'}",
            rule_id="SUP-3",
        )
        if newly_major and rect.reported_to_leaders_at is None:
            _report_major_problem(actor, item, rect, day)
    return rect


# --- SUP-4 outcomes ---------------------------------------------------------------------------------------


def outcome_allowed(item: SupervisionItem, day: dt.date) -> bool:
    """A conclusion exists: the item was verified (closed), or it is overdue (the failure is the conclusion)."""
    return item.state in CLOSED_STATES or (item.state in WORKING_STATES and item.due < day)


def propose_outcome(
    *,
    actor,
    item: SupervisionItem,
    kind: str,
    grounds: str,
    unit: Unit | None = None,
    approver_post: Post | None = None,
    today: dt.date | None = None,
) -> Outcome:
    """SUP-4: the office proposes praise, incentive, criticism or accountability, with its grounds."""
    day = _today(today)
    if not permissions.can_manage(actor):
        raise ActionNotAllowed("只有区政府办公室可以提出结果运用建议。")
    grounds = _required(grounds, "事实与依据")
    if kind not in Outcome.OutcomeKind.values:
        raise SupervisionError("请选择结果运用方式（表扬、激励、批评、追责）。")
    approver_post = approver_post or item.leader_post
    if approver_post is None or not approver_post.is_leader:
        raise SupervisionError("结果运用须由区政府领导审批。")
    with transaction.atomic():
        item = _lock(item, day=day)
        if not outcome_allowed(item, day):
            raise SupervisionError("结果运用须依据复查核验结论或事项超期的事实提出（SUP-4）。", rule_id="SUP-4")
        unit = unit or item.lead_unit
        outcome = Outcome.objects.create(
            item=item,
            unit=unit,
            kind=kind,
            grounds=grounds,
            approver_post=approver_post,
            proposed_by=actor,
            proposed_on=day,
        )
        _event(
            actor,
            outcome,
            "proposed",
            f"提出{outcome.get_kind_display()}建议",
            "",
            outcome.state,
            opinion=grounds,
            rule_id="SUP-4",
        )
        _event(
            actor,
            item,
            "outcome_proposed",
            f"提出结果运用：{outcome.get_kind_display()}（{unit.display_name}）",
            item.state,
            item.state,
            opinion=grounds,
            rule_id="SUP-4",
        )
        _tell(
            _leader_people([approver_post], day),
            f"结果运用待审批：{outcome.get_kind_display()}{unit.display_name}",
            grounds,
            outcome_url(outcome),
        )
    return outcome


def outcome_url(outcome: Outcome) -> str:
    try:
        return reverse("supervision:outcome", args=[outcome.pk])
    except NoReverseMatch:
        return ""


def decide_outcome(
    *, actor, outcome: Outcome, approve: bool, opinion: str = "", today: dt.date | None = None
) -> Outcome:
    """The district leader approves or rejects; an approved outcome stays on the unit's record (SUP-6)."""
    day = _today(today)
    if not approve:
        opinion = _required(opinion, "不予批准的理由")
    with transaction.atomic():
        fresh = Outcome.objects.select_for_update(of=("self",)).select_related("unit").get(pk=outcome.pk)
        fresh._day = day
        if fresh.state != Outcome.State.PROPOSED:
            raise AlreadyHandled(f"该建议已处理（{fresh.get_state_display()}），请刷新后查看。")
        before = _fire(fresh, "approve" if approve else "reject", actor, noun="该建议")
        fresh.decided_by = actor
        fresh.decided_on = day
        fresh.decision_opinion = opinion.strip()
        try:
            fresh.save()
        except ConcurrentTransition as exc:
            raise AlreadyHandled("该建议已由他人处理，请刷新后查看。") from exc
        label = "批准" if approve else "不予批准"
        _event(
            actor,
            fresh,
            "decided",
            f"{label}{fresh.get_kind_display()}",
            before,
            fresh.state,
            opinion=opinion,
            rule_id="SUP-4",
        )
        _event(
            actor,
            fresh.item,
            "outcome_decided",
            f"区领导{label}结果运用：{fresh.get_kind_display()}",
            fresh.item.state,
            fresh.item.state,
            opinion=opinion,
            rule_id="SUP-4",
        )
        _tell(
            office_people(),
            f"结果运用已{label}：{fresh.get_kind_display()}{fresh.unit.display_name}",
            opinion,
            outcome_url(fresh),
        )
        if approve:
            _tell(
                unit_people(fresh.unit),
                f"督查结果运用：{fresh.get_kind_display()}（{fresh.item.number}）",
                fresh.grounds,
                outcome_url(fresh),
                level="warning" if fresh.kind in ("criticism", "accountability") else "info",
            )
    return fresh


# --- SUP-2 half-year reports --------------------------------------------------------------------------------


def half_year_end(year: int, half: int) -> dt.date:
    return dt.date(year, 6, 30) if half == 1 else dt.date(year, 12, 31)


def open_half_year_round(
    *, actor=None, year: int, half: int, due: dt.date | None = None, today: dt.date | None = None
) -> int:
    """SUP-2: one half-year report row and deadline per working unit; idempotent. Returns rows created."""
    if half not in (1, 2):
        raise SupervisionError("半年只能是上半年或下半年。")
    if actor is not None and not permissions.can_manage(actor):
        raise ActionNotAllowed("只有区政府办公室可以布置半年报告。")
    due = due or wd.add_workdays(half_year_end(year, half), HALF_YEAR_LEAD_WORKDAYS)
    created = 0
    with transaction.atomic():
        done = set(HalfYearReport.objects.filter(year=year, half=half).values_list("unit_id", flat=True))
        for unit in Unit.objects.filter(active=True, kind__in=HALF_YEAR_UNIT_KINDS).exclude(pk__in=done):
            report = HalfYearReport.objects.create(unit=unit, year=year, half=half, due=due)
            open_deadline(
                subject=report,
                rule_id="SUP-2",
                title=f"{year}年{report.get_half_display()}工作报告",
                counted_from=half_year_end(year, half),
                due=due,
                owner_unit=unit,
                url=_half_year_url(),
            )
            _event(actor, report, "opened", "布置半年报告", "", report.state, rule_id="SUP-2")
            created += 1
    return created


def _half_year_url() -> str:
    try:
        return reverse("supervision:half_year")
    except NoReverseMatch:
        return ""


def open_due_half_year_rounds(today: dt.date | None = None) -> int:
    """The beat's daily call: once a half-year has ended, its round exists (idempotent)."""
    day = _today(today)
    year, half = (day.year - 1, 2) if day.month <= 6 else (day.year, 1)
    return open_half_year_round(year=year, half=half, today=day)


def file_half_year_report(
    *,
    actor,
    report: HalfYearReport,
    summary: str,
    counterpart: str,
    sent_on: dt.date | None = None,
    files: Iterable = (),
    today: dt.date | None = None,
) -> HalfYearReport:
    """SUP-2 (第四十九条): the unit reports to its higher-level counterpart and files a copy with the office."""
    day = _today(today)
    summary = _required(summary, "报告摘要")
    counterpart = _required(counterpart, "上级对口部门")
    with transaction.atomic():
        report = HalfYearReport.objects.select_for_update().select_related("unit").get(pk=report.pk)
        if report.unit_id not in permissions.member_unit_ids(actor, day) and not permissions.can_manage(actor):
            raise ActionNotAllowed("只能报送本单位的半年报告。")
        if report.state == HalfYearReport.State.FILED:
            raise AlreadyHandled("该半年报告已备案。")
        report.summary = summary
        report.counterpart = counterpart[:100]
        report.sent_to_counterpart_on = sent_on or day
        report.state = HalfYearReport.State.FILED
        report.filed_by = actor
        report.filed_on = day
        report.save()
        for f in files:
            SupervisionFile.objects.create(
                half_year_report=report,
                purpose=SupervisionFile.Purpose.HALF_YEAR,
                file=f,
                name=f.name[:200],
                uploaded_by=actor,
            )
        close_deadline(subject=report, rule_id="SUP-2", note="已备案", on=day)
        _event(
            actor,
            report,
            "filed",
            "半年报告备案",
            HalfYearReport.State.PENDING,
            report.state,
            opinion=f"已报{counterpart}",
            rule_id="SUP-2",
        )
    return report


# --- PUB-3 suggestions and proposals -----------------------------------------------------------------------


def record_proposal_reply(
    *,
    actor,
    item: SupervisionItem,
    reply: str,
    satisfaction: str = "",
    replied_on: dt.date | None = None,
    today: dt.date | None = None,
) -> Proposal:
    """PUB-3: the reply to the deputy or member, and their satisfaction once they give it."""
    day = _today(today)
    reply = _required(reply, "答复内容")
    if satisfaction and satisfaction not in Proposal.Satisfaction.values:
        raise SupervisionError("满意度只能是满意、基本满意或不满意。")
    with transaction.atomic():
        item = _lock(item, *WORKING_STATES, *CLOSED_STATES, day=day)
        if not (permissions.can_act_as_lead(actor, item) or permissions.can_manage(actor)):
            raise ActionNotAllowed("只有牵头单位或区政府办公室可以登记答复。")
        proposal = Proposal.objects.select_for_update().filter(item=item).first()
        if proposal is None:
            raise SupervisionError("该事项不是建议提案。")
        proposal.reply = reply
        proposal.replied_on = replied_on or day
        proposal.satisfaction = satisfaction
        proposal.save()
        _event(
            actor,
            item,
            "proposal_replied",
            "登记建议提案答复",
            item.state,
            item.state,
            opinion=f"{reply}（{proposal.get_satisfaction_display() or '满意度待反馈'}）",
            rule_id="PUB-3",
        )
    return proposal


def publish_proposal_result(*, actor, item: SupervisionItem, summary: str, today: dt.date | None = None) -> Proposal:
    """PUB-3 (第四十二条): the handling result is disclosed — listed in the public register (PUB-2)."""
    from documents.issuance import publish_to_register
    from documents.models import Disclosure, PublicRegisterEntry

    day = _today(today)
    summary = _required(summary, "公开的办理结果")
    if not permissions.can_manage(actor):
        raise ActionNotAllowed("只有区政府办公室可以公开办理结果。")
    with transaction.atomic():
        item = _lock(item, *WORKING_STATES, *CLOSED_STATES, day=day)
        proposal = Proposal.objects.select_for_update().filter(item=item).first()
        if proposal is None:
            raise SupervisionError("该事项不是建议提案。")
        if not proposal.reply:
            raise SupervisionError("尚未答复代表/委员，不能公开办理结果（PUB-3）。", rule_id="PUB-3")
        proposal.result_summary = summary
        proposal.published_on = day
        proposal.save()
        kind_name = "人大代表建议" if item.source == Source.NPC_SUGGESTION else "政协委员提案"
        publish_to_register(
            subject=proposal,
            kind=PublicRegisterEntry.Kind.PROPOSAL_RESULT,
            title=f"关于{kind_name}第{proposal.number}号的办理结果",
            number=proposal.number,
            issuer_name=item.lead_unit.name,
            published_on=day,
            disclosure=Disclosure.FULL,
            text=summary,
        )
        _event(
            actor,
            item,
            "proposal_published",
            "公开建议提案办理结果",
            item.state,
            item.state,
            opinion=summary,
            rule_id="PUB-3",
        )
    return proposal


# --- PUB-1 public inquiries -------------------------------------------------------------------------------


def log_inquiry(
    *,
    actor,
    asker: str,
    question: str,
    received_on: dt.date | None = None,
    contact: str = "",
    channel: str = "政府网站",
    unit: Unit | None = None,
    today: dt.date | None = None,
) -> PublicInquiry:
    """PUB-1: the office logs a website inquiry (and, usually at once, assigns it to a unit)."""
    day = _today(today)
    if not permissions.can_manage(actor):
        raise ActionNotAllowed("只有区政府办公室可以登记网上咨询。")
    received_on = received_on or day
    if received_on > day:
        raise SupervisionError("收到日期不能晚于今天。")
    with transaction.atomic():
        seq = _next_number(f"inquiry-{received_on.year}")
        inquiry = PublicInquiry.objects.create(
            number=f"咨〔{received_on.year}〕{seq}号",
            asker=_required(asker, "咨询人"),
            contact=contact.strip(),
            channel=channel.strip() or "政府网站",
            question=_required(question, "咨询内容"),
            received_on=received_on,
            logged_by=actor,
        )
        _event(actor, inquiry, "logged", "登记网上咨询", "", inquiry.state, rule_id="PUB-1")
        if unit is not None:
            inquiry = assign_inquiry(actor=actor, inquiry=inquiry, unit=unit, today=day)
    return inquiry


def assign_inquiry(*, actor, inquiry: PublicInquiry, unit: Unit, today: dt.date | None = None) -> PublicInquiry:
    """PUB-1: the answer is due 5 WD after receipt, whoever it is (re)assigned to."""
    with transaction.atomic():
        inquiry = PublicInquiry.objects.select_for_update().get(pk=inquiry.pk)
        before = _fire(inquiry, "assign", actor, noun="该咨询")
        if inquiry.unit_id:
            cancel_deadlines(subject=inquiry, note="改派承办单位")
        inquiry.unit = unit
        deadline = open_deadline(
            subject=inquiry,
            rule_id="PUB-1",
            title="网上咨询答复",
            counted_from=inquiry.received_on,
            workdays=INQUIRY_WORKDAYS,
            owner_unit=unit,
            url=inquiry_url(inquiry),
        )
        inquiry.due = deadline.due
        inquiry.save()
        _event(
            actor,
            inquiry,
            "assigned",
            f"转{unit.display_name}答复",
            before,
            inquiry.state,
            rule_id="PUB-1",
            opinion=f"答复时限：{inquiry.due}",
        )
        _tell(
            unit_people(unit),
            f"网上咨询请答复：{inquiry.number}（{inquiry.due}前）",
            inquiry.question,
            inquiry_url(inquiry),
        )
    return inquiry


def answer_inquiry(*, actor, inquiry: PublicInquiry, answer: str, today: dt.date | None = None) -> PublicInquiry:
    day = _today(today)
    answer = _required(answer, "答复内容")
    with transaction.atomic():
        inquiry = PublicInquiry.objects.select_for_update().get(pk=inquiry.pk)
        if inquiry.state == PublicInquiry.State.ANSWERED:
            raise AlreadyHandled("该咨询已答复。")
        before = _fire(inquiry, "answer_it", actor, noun="该咨询")
        inquiry.answer = answer
        inquiry.answered_on = day
        inquiry.answered_by = actor
        inquiry.save()
        on_time = inquiry.due is None or day <= inquiry.due
        close_deadline(subject=inquiry, rule_id="PUB-1", note="已答复", on=day)
        _event(
            actor,
            inquiry,
            "answered",
            "答复咨询" + ("" if on_time else "（逾期）"),
            before,
            inquiry.state,
            opinion=answer,
            rule_id="PUB-1",
        )
    return inquiry

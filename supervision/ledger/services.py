"""Every write of the ledger's items (SUP-1, SUP-3, SUP-4, SUP-5): one function per user action, each a step of the
workflow kernel (`tiexi_gov.workflow.kernel.step`): lock the item, check the state the caller saw, check the rule,
fire the protected transition with its object permission, write the audit event with the actor's capacity, start or
stop the clocks (Deadline rows), tell people (inbox now, e-mail on commit) — and, on leaving the step, the item's
tasks follow its new state (`supervision.ledger.flow`).

Clocks:
- SUP-1 "督办事项完成时限": from assignment to the item's due date, owed by the lead unit; the deadline sweep
  escalates an overdue item to the office director and the unit (the ledger shows it red);
- SUP-2 "进展报告": the next progress report on the item's cycle (`supervision.reports.services`).

`today` exists so that tests and imports can state the day of the action; views never pass it.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Iterable
from difflib import SequenceMatcher

from django.db import IntegrityError, transaction
from django.urls import NoReverseMatch, reverse
from django.utils import timezone

from supervision.public.models import Proposal
from supervision.reports.models import ProgressReport, Rectification
from supervision.shared.errors import ActionNotAllowed, RuleViolation, SupervisionError
from supervision.shared.errors import AlreadyHandled as AlreadyHandled  # re-exported: callers catch it here
from supervision.shared.people import leader_people, office_people, unit_people
from supervision.shared.services import next_number, required
from tiexi_gov.audit import changes
from tiexi_gov.deadlines.models import Deadline
from tiexi_gov.deadlines.services import cancel_deadlines, close_deadline, open_deadline
from tiexi_gov.org.models import Post, Unit
from tiexi_gov.org.selectors import head_post
from tiexi_gov.references import normalise_reference
from tiexi_gov.rule_lock import rule_lock
from tiexi_gov.text import strip_text
from tiexi_gov.workdays import calendar as wd
from tiexi_gov.workflow.kernel import Step, step, today_or

from . import permissions
from .models import OPEN_STATES, PROPOSAL_SOURCES, ItemState, Source, SupervisionFile, SupervisionItem, next_report_date

St = ItemState
SIMILARITY = 0.8  # SUP-5: tasks this alike, for the same lead unit in an overlapping period, are one task


class DuplicateItem(RuleViolation):
    """SUP-5: the ledger refuses a duplicate; `existing` is the open item it duplicates (the page links it)."""

    def __init__(self, message: str, existing: SupervisionItem):
        super().__init__("SUP-5", message)
        self.existing = existing


def item_url(item: SupervisionItem) -> str:
    try:
        return reverse("supervision:item", args=[item.pk])
    except NoReverseMatch:
        return ""


def attach_files(files: Iterable, *, actor, purpose: str, **owners) -> list[SupervisionFile]:
    """Store uploaded files (already checked by their bytes in the form) on an item, a report or a half-year
    report (`owners`: item=, report=, half_year_report=)."""
    return [
        SupervisionFile.objects.create(purpose=purpose, file=f, name=f.name[:200], uploaded_by=actor, **owners)
        for f in files
    ]


# --- SUP-5: no duplicate supervision -------------------------------------------------------------------

_NOISE = re.compile(r"[\s\W_]+", re.UNICODE)


def _normal(text: str) -> str:
    return _NOISE.sub("", text or "").lower()


def task_similarity(a: str, b: str) -> float:
    return SequenceMatcher(None, _normal(a), _normal(b), autojunk=False).ratio()


def find_duplicate(
    *, source_ref: str, lead_unit: Unit, task: str, period_start: dt.date, due: dt.date, exclude_pk=None
) -> SupervisionItem | None:
    """SUP-5: an open item with the same source reference (compared normalised: width, spaces, brackets), or the
    same lead unit and a near-identical task in an overlapping period (the two periods share at least one day)."""
    open_items = SupervisionItem.objects.filter(state__in=OPEN_STATES).exclude(pk=exclude_pk)
    key = normalise_reference(source_ref)
    if key:
        same_ref = open_items.filter(source_key=key).order_by("id").first()
        if same_ref is not None:
            return same_ref
    candidates = open_items.filter(lead_unit=lead_unit, period_start__lte=due, due__gte=period_start).only(
        "id", "task", "number", "state", "due"
    )
    if not _normal(task):  # a neutral wording (`create_item(confidential_source=True)`): by reference only
        return None
    for other in candidates:
        if task_similarity(task, other.task) >= SIMILARITY:
            return other
    return None


def _duplicate_of(other: SupervisionItem) -> DuplicateItem:
    return DuplicateItem(
        f"与在办事项“{other.number}”重复，不得重复督查（第五十条）。"
        "如属重大事项需多家单位督查，请在原事项上增加联合督查单位。",
        existing=other,
    )


def _refuse_duplicate(**kwargs) -> None:
    """SUP-5, whole: call inside the transaction that writes the item. The near-identical-task half is read from
    other rows, so writers for one lead unit take turns (`rule_lock`); the same-reference half is also held by the
    database (one open item per `source_key`), see `_save_unique`."""
    rule_lock("SUP-5", "lead-unit", kwargs["lead_unit"].pk)
    other = find_duplicate(**kwargs)
    if other is not None:
        raise _duplicate_of(other)


def _save_unique(save, item: SupervisionItem) -> None:
    """Run `save` in a savepoint; a clash on the open-reference constraint (another clerk's item with the same
    reference committed meanwhile) is the same refusal as the check's, not a server error."""
    try:
        with transaction.atomic():
            save()
    except IntegrityError:
        other = (
            SupervisionItem.objects.filter(state__in=OPEN_STATES, source_key=item.source_key)
            .exclude(pk=item.pk)
            .order_by("id")
            .first()
            if item.source_key
            else None
        )
        if other is None:
            raise
        raise _duplicate_of(other) from None


# --- items: create, edit, issue, approve (SUP-1, SUP-5) -----------------------------------------------------


def _check_item_fields(*, task, standard, lead_unit, cooperating_units, due, period_start, leader_post) -> None:
    required(task, "督办事项")
    required(standard, "量化标准")
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
    confidential_source: bool = False,
    issue: bool = False,
    today: dt.date | None = None,
) -> SupervisionItem:
    """SUP-1: register a supervised task in the ledger (a draft; with `issue=True` it is issued at once).

    SUP-3: an item from an inspection carries its `rectification` (problem, level, found_by, measures,
    is_major). PUB-3: a suggestion or proposal carries its `proposal` (number, proposer, session).
    `confidential_source`: the task is a neutral wording naming a confidential source (a meeting decision kept
    confidential, MTG-12), not its words; two such wordings differ only in the reference, so SUP-5 compares the
    item by its source reference alone."""
    day = today_or(today)
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
        raise SupervisionError("联合督查只用于重大事项（第五十条），请勾选“重大事项”。")
    if source == Source.INSPECTION and not rectification:
        raise SupervisionError("督查发现的问题须填写问题、层级和整改措施（第四十九条、第四十三条）。")
    if source in PROPOSAL_SOURCES and not proposal:
        raise SupervisionError("人大代表建议、政协委员提案须填写编号和代表/委员（第四十二条）。")
    supervising_unit = supervising_unit or Unit.objects.filter(kind=Unit.Kind.OFFICE).order_by("order", "id").first()
    if supervising_unit is None:
        raise SupervisionError("系统中没有区政府办公室单位，请先维护组织机构。")
    with transaction.atomic():
        _refuse_duplicate(
            source_ref=source_ref,
            lead_unit=lead_unit,
            task="" if confidential_source else task,
            period_start=period_start,
            due=due,
        )
        seq = next_number(f"item-{day.year}")
        item = SupervisionItem(
            year=day.year,
            seq=seq,
            number=f"铁督〔{day.year}〕{seq}号",
            source=source,
            source_ref=(source_ref or "").strip(),
            source_key=normalise_reference(source_ref)[:255],
            task=strip_text(task),
            kind=kind or SupervisionItem._meta.get_field("kind").default,
            cycle=cycle or SupervisionItem._meta.get_field("cycle").default,
            lead_unit=lead_unit,
            leader_post=leader_post,
            due=due,
            standard=strip_text(standard),
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
        _save_unique(item.save, item)
        item.cooperating_units.set(cooperating_units)
        item.joint_units.set(joint_units)
        # Issued at once: the draft's task would open and close in the same breath, so only the issue syncs.
        with step(item, actor=actor, today=day, sync=not issue) as s:
            s.record(
                "created",
                "登记督查事项",
                after=s.obj.state,
                rule_id="SUP-1",
                opinion=f"来源：{s.obj.get_source_display()} {s.obj.source_ref}".strip(),
            )
            if rectification:
                _create_rectification(s, rectification)
            if proposal:
                Proposal.objects.create(
                    item=s.obj,
                    number=required(proposal.get("number", ""), "建议/提案号"),
                    proposer=required(proposal.get("proposer", ""), "代表/委员"),
                    session=proposal.get("session", ""),
                )
        item = s.obj
        if issue:
            item = issue_item(actor=actor, item=item, today=day)
    return item


EDITABLE_FIELDS = {
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


INDENTED_FIELDS = {"task", "standard"}  # written as official text: the first paragraph's 　　 stays


def _trimmed(name: str, value):
    if not isinstance(value, str):
        return value
    return strip_text(value) if name in INDENTED_FIELDS else value.strip()


def update_draft(*, actor, item: SupervisionItem, today: dt.date | None = None, **fields) -> SupervisionItem:
    """The office edits a draft (not yet issued); the duplicate check runs again on the new text."""
    if not permissions.can_manage(actor):
        raise ActionNotAllowed("只有区政府办公室可以修改督查事项。")
    cooperating = fields.pop("cooperating_units", None)
    joint = fields.pop("joint_units", None)
    for name in fields:
        if name not in EDITABLE_FIELDS:
            raise ValueError(f"field {name} cannot be edited")
    with step(item, actor=actor, expect=(St.DRAFT,), today=today) as s:
        it = s.obj
        fields = {name: _trimmed(name, value) for name, value in fields.items()}
        co_list = list(cooperating) if cooperating is not None else list(it.cooperating_units.all())
        joint_list = list(joint) if joint is not None else list(it.joint_units.all())
        changed = changes.diff(it, fields)
        if cooperating is not None:
            changed += changes.diff_related(it, "cooperating_units", co_list)
        if joint is not None:
            changed += changes.diff_related(it, "joint_units", joint_list)
        for name, value in fields.items():
            setattr(it, name, value)
        it.source_key = normalise_reference(it.source_ref)[:255]
        if joint_list and not it.is_major:
            raise SupervisionError("联合督查只用于重大事项（第五十条），请勾选“重大事项”。")
        _check_item_fields(
            task=it.task,
            standard=it.standard,
            lead_unit=it.lead_unit,
            cooperating_units=co_list,
            due=it.due,
            period_start=it.period_start,
            leader_post=it.leader_post,
        )
        _refuse_duplicate(
            source_ref=it.source_ref,
            lead_unit=it.lead_unit,
            task=it.task,
            period_start=it.period_start,
            due=it.due,
            exclude_pk=it.pk,
        )
        if not changed:  # a form posted back unchanged leaves no record and no trace on the item
            return s.obj
        s.touch()
        _save_unique(s.save, it)
        if cooperating is not None:
            it.cooperating_units.set(co_list)
        if joint is not None:
            it.joint_units.set(joint_list)
        s.record("edited", "修改督查事项", it.state, opinion=changes.summary(changed))
    return s.obj


def _refuse_past_due(item: SupervisionItem, day: dt.date, *, hint: str = "请先修改完成时限，再交办") -> None:
    """SUP-1 (第四十七条): work is assigned with its completion deadline still ahead. An item sent out after its
    deadline would be overdue the day the unit receives it and count against the unit's on-time rate; a draft may
    keep the date until the office corrects it."""
    if item.due < day:
        raise SupervisionError(
            f"完成时限{item.due:%Y-%m-%d}早于今天（{day:%Y-%m-%d}），不能交办，{hint}（第四十七条：部署工作须规定完成时限）。",
            rule_id="SUP-1",
        )


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


def _announce_assignment(s: Step) -> None:
    item = s.obj
    cooperating = list(item.cooperating_units.all())
    co_names = "、".join(u.display_name for u in cooperating)
    body = f"{item.task}\n完成时限：{item.due}；量化标准：{item.standard}" + (
        f"\n协办单位：{co_names}" if co_names else ""
    )
    s.tell(unit_people(item.lead_unit), f"督办事项交办：{item.number}（请签收）", body)
    for unit in cooperating:
        s.tell(unit_people(unit), f"督办事项协办：{item.number}", body)


def issue_item(*, actor, item: SupervisionItem, today: dt.date | None = None) -> SupervisionItem:
    """Issue a draft: straight to the lead unit, or first to the leader in charge when SUP-5 asks for it."""
    with step(item, actor=actor, expect=(St.DRAFT,), today=today) as s:
        it = s.obj
        _refuse_past_due(it, s.day)
        if it.needs_leader_approval():
            before = s.fire("submit_for_approval")
            s.record("submitted_for_approval", "报区领导审批（以区政府名义督查）", before, rule_id="SUP-5")
            s.tell(
                leader_people([it.leader_post], s.day),
                f"督查事项待审批：{it.number}",
                f"{it.supervising_unit.display_name}拟以区政府名义督查：{it.task}",
            )
        else:
            before = s.fire("assign")
            _start_clocks(it, s.day)
            s.record("assigned", "交办", before, rule_id="SUP-1")
            _announce_assignment(s)
    return s.obj


def approve_item(*, actor, item: SupervisionItem, opinion: str = "", today: dt.date | None = None) -> SupervisionItem:
    """SUP-5: the leader in charge (or the head, or whoever acts for either) approves; the item goes out."""
    with step(item, actor=actor, expect=(St.AWAITING_APPROVAL,), today=today) as s:
        _refuse_past_due(s.obj, s.day, hint="请“不同意”，退回区政府办公室修改完成时限")
        before = s.fire("approve")
        handler = permissions.approval_handler(actor, s.obj)
        _start_clocks(s.obj, s.day)
        s.record("approved", "区领导批准以区政府名义督查", before, opinion=opinion, rule_id="SUP-5", handler=handler)
        _announce_assignment(s)
    return s.obj


def refuse_item(*, actor, item: SupervisionItem, opinion: str, today: dt.date | None = None) -> SupervisionItem:
    opinion = required(opinion, "不同意的理由", keep_indent=True)
    with step(item, actor=actor, expect=(St.AWAITING_APPROVAL,), today=today) as s:
        before = s.fire("refuse")
        handler = permissions.approval_handler(actor, s.obj)
        s.record("refused", "区领导不同意以区政府名义督查", before, opinion=opinion, rule_id="SUP-5", handler=handler)
        s.tell(office_people(), f"督查事项未获批准：{s.obj.number}", opinion)
    return s.obj


def add_joint_unit(*, actor, item: SupervisionItem, unit: Unit, today: dt.date | None = None) -> SupervisionItem:
    """SUP-5: a major item gets joint supervision — another supervising unit joins this item, not a new one."""
    if not permissions.can_manage(actor):
        raise ActionNotAllowed("只有区政府办公室可以组织联合督查。")
    with step(item, actor=actor, expect=OPEN_STATES, today=today) as s:
        it = s.obj
        if not it.is_major:
            raise SupervisionError("联合督查只用于重大事项（第五十条）。")
        if unit.pk == it.supervising_unit_id or it.joint_units.filter(pk=unit.pk).exists():
            raise SupervisionError(f"{unit.display_name}已是该事项的督查单位。")
        it.joint_units.add(unit)
        s.touch()
        s.record("joint_unit_added", "增加联合督查单位", it.state, opinion=unit.name, rule_id="SUP-5")
    return s.obj


def cancel_item(*, actor, item: SupervisionItem, reason: str, today: dt.date | None = None) -> SupervisionItem:
    reason = required(reason, "撤销原因")
    with step(item, actor=actor, today=today) as s:
        before = s.fire("cancel")
        s.obj.cancel_reason = reason[:200]
        cancel_deadlines(subject=s.obj, note=f"事项撤销：{reason}"[:200])
        s.record("cancelled", "撤销督查事项", before, opinion=reason)
    return s.obj


# --- the lead unit's work (SUP-1, SUP-2) and the office's re-check (SUP-4) -----------------------------------


def report_due_after(cycle: str, after: dt.date) -> dt.date:
    """SUP-2: one reporting cycle after `after`, moved off a holiday to the next working day."""
    return wd.workday_on_or_after(next_report_date(cycle, after))


def recompute_report_due(item: SupervisionItem, deadline) -> dt.date:
    """CAL-2 recompute (deadlines.derived): the report clock counted from its row's start on the new calendar."""
    return report_due_after(item.cycle, deadline.counted_from)


def open_report_clock(item: SupervisionItem, after: dt.date) -> None:
    """SUP-2: the next progress report is due one cycle after `after`, on a working day."""
    due = report_due_after(item.cycle, after)
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
    with step(item, actor=actor, expect=(St.ASSIGNED,), today=today) as s:
        before = s.fire("accept")
        s.obj.accepted_on = s.day
        open_report_clock(s.obj, s.day)
        s.record("accepted", "签收", before)
        s.tell(office_people(), f"{s.obj.lead_unit.display_name}已签收督办事项{s.obj.number}")
    return s.obj


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
    evidence = required(evidence, "办结情况及佐证", keep_indent=True)
    with step(item, actor=actor, expect=(St.ACCEPTED, St.IN_PROGRESS), today=today) as s:
        it = s.obj
        rect = it._one("rectification")
        if rect is not None:
            if strip_text(mechanism):
                rect.mechanism = strip_text(mechanism)
                s.touch(rect)
            if not rect.mechanism.strip():
                raise RuleViolation("SUP-3", "整改事项须同时报送建立的长效机制（第四十九条、第四十三条）。")
        before = s.fire("claim_completion")
        it.claimed_on = s.day
        it.completion_note = evidence
        it.percent = 100
        attach_files(files, actor=actor, purpose=SupervisionFile.Purpose.EVIDENCE, item=it)
        # The completion clock stops at the claim; a rework sends it running again.
        close_deadline(subject=it, rule_id="SUP-1", note="已报办结，待复查核验", on=s.day)
        close_deadline(subject=it, rule_id="SUP-2", note="已报办结", on=s.day)
        it.next_report_due = None
        s.record("claimed", "报办结", before, opinion=evidence)
        s.tell(office_people(), f"督办事项报办结待核验：{it.number}", evidence)
    return s.obj


def last_reported_percent(item: SupervisionItem) -> int:
    """SUP-2: the lead unit's latest progress figure (0 before its first report); part reports do not count."""
    reports = ProgressReport.objects.filter(item=item, is_part=False).order_by("-id")
    return reports.values_list("percent", flat=True).first() or 0


def return_for_rework(*, actor, item: SupervisionItem, reason: str, today: dt.date | None = None) -> SupervisionItem:
    """The re-check found the work not done: back to the lead unit; the clocks run again. The claim's 100 % goes
    with it: the progress is again what the lead unit last reported before claiming (SUP-4)."""
    reason = required(reason, "退回理由")
    with step(item, actor=actor, expect=(St.CLAIMED,), today=today) as s:
        it = s.obj
        before = s.fire("return_for_rework")
        it.rework_count += 1
        it.claimed_on = None
        it.percent = last_reported_percent(it)
        it.verification_note = reason
        open_deadline(
            subject=it,
            rule_id="SUP-1",
            title="督办事项完成时限（退回整改）",
            counted_from=s.day,
            due=max(it.due, s.day),
            owner_unit=it.lead_unit,
            url=item_url(it),
        )
        open_report_clock(it, s.day)
        s.record("returned", "复查核验不合格，退回整改", before, opinion=reason, rule_id="SUP-4")
        s.tell(unit_people(it.lead_unit), f"督办事项退回整改：{it.number}", reason, level="alert")
    return s.obj


def verify_item(*, actor, item: SupervisionItem, note: str, today: dt.date | None = None) -> SupervisionItem:
    """复查核验 (SUP-4): the office confirms the work; closed on time when claimed by the due date, else late."""
    note = required(note, "复查核验意见", keep_indent=True)
    with step(item, actor=actor, expect=(St.CLAIMED,), today=today) as s:
        it = s.obj
        if not it.rectification_settled():
            raise RuleViolation("SUP-3", "整改事项未建立长效机制，不能办结（第四十九条、第四十三条）。")
        on_time = it.claimed_on_time()
        before = s.fire("close_on_time" if on_time else "close_late")
        it.closed_on = s.day
        it.verification_note = note
        close_deadline(subject=it, rule_id="SUP-1", state=Deadline.State.MISSED, note="逾期办结")
        s.record(
            "verified",
            "复查核验通过，" + ("按期办结" if on_time else "逾期办结"),
            before,
            opinion=note,
            rule_id="SUP-4",
        )
        s.tell(unit_people(it.lead_unit), f"督办事项已办结：{it.number}", note)
    return s.obj


# --- SUP-3: a problem found by supervision, registered with its item ------------------------------------------


def _create_rectification(s: Step, data: dict) -> Rectification:
    level = data.get("level", "")
    if level not in Rectification.Level.values:
        raise SupervisionError("请选择发现问题的督查层级（国家、省、市、区）。")
    rect = Rectification.objects.create(
        item=s.obj,
        problem=required(data.get("problem", ""), "发现问题", keep_indent=True),
        level=level,
        found_by=required(data.get("found_by", ""), "督查组/来源"),
        measures=required(data.get("measures", ""), "整改措施", keep_indent=True),
        mechanism=(data.get("mechanism") or "").strip(),
        is_major=bool(data.get("is_major")),
    )
    if rect.is_major:
        report_major_problem(s, rect)
    return rect


def report_major_problem(s: Step, rect: Rectification) -> None:
    """SUP-3 (第四十九条): a major problem is reported to the government's leaders (inside the item's step)."""
    item = s.obj
    rect.reported_to_leaders_at = timezone.now()
    rect.save(update_fields=["reported_to_leaders_at"])
    s.tell(
        leader_people([head_post(), item.leader_post], s.day),
        f"重大问题整改报告：{item.number}",
        f"{rect.get_level_display()}级督查（{rect.found_by}）发现：{rect.problem}\n整改措施：{rect.measures}",
        level="alert",
    )
    s.record("major_problem_reported", "重大问题报告区政府领导", item.state, opinion=rect.problem, rule_id="SUP-3")

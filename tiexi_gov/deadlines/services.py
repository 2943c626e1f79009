"""Every write on deadlines: open, close, cancel, recompute (CAL-2) and the sweep (X-3).

Domain services call open_deadline() in the transaction of the transition that starts a clock and
close_deadline() in the one that stops it. The sweep is the only other writer: it reminds the working
day before, escalates once the due day has passed and runs the rule's handler — each exactly once, even
when two sweeps run at the same moment or the worker was down for days.
"""

from __future__ import annotations

import logging
from collections.abc import Iterable
from datetime import date
from typing import NamedTuple

from django.contrib.contenttypes.models import ContentType
from django.db import transaction
from django.db.models import Q, prefetch_related_objects
from django.urls import reverse
from django.utils import timezone

from tiexi_gov.audit.services import event as audit_event
from tiexi_gov.audit.services import record_event, record_events
from tiexi_gov.notify.models import Message
from tiexi_gov.notify.services import deliver
from tiexi_gov.precompiled import Statement
from tiexi_gov.rowupdate import update_rows
from tiexi_gov.workdays import calendar as wd

from . import derived, handlers, rules
from .models import Deadline
from .owners import office_directors, resolve_owners

logger = logging.getLogger(__name__)

BATCH_SIZE = 2000
State = Deadline.State
CLOSING_COLUMNS = ("state", "closed_at", "close_note")


class SweepResult(NamedTuple):
    reminded: int
    escalated: int
    handled: int


def _subject_key(subject) -> tuple[ContentType, str]:
    return ContentType.objects.get_for_model(subject), str(subject.pk)


# --- opening and closing ---------------------------------------------------------------------------


def open_deadline(
    *,
    subject,
    rule_id: str,
    title: str,
    counted_from: date,
    workdays: int | None = None,
    due: date | None = None,
    owner_user=None,
    owner_post=None,
    owner_unit=None,
    url: str = "",
    extended_from: Deadline | None = None,
) -> Deadline:
    """Start a clock for `subject` under `rule_id`: due is the `workdays`-th WD after `counted_from` (CAL-3),
    or a fixed `due`. Must run inside the transaction of the transition that starts the clock. `extended_from` is
    given only by extend_deadline (the clock this one replaces)."""
    if not transaction.get_connection().in_atomic_block:
        raise RuntimeError("open_deadline must be called inside the transaction of the transition it belongs to")
    rule = rules.get(rule_id)
    if (workdays is None) == (due is None):
        raise ValueError("give either workdays or a fixed due date, not both")
    if workdays is not None and workdays < 1:
        raise ValueError("workdays must be at least 1")
    if owner_user is None and owner_post is None and owner_unit is None:
        raise ValueError("a deadline needs someone who owes it (owner_user, owner_post or owner_unit)")
    if workdays is not None:
        due = wd.add_workdays(counted_from, workdays)
    with transaction.atomic():
        ct, sid = _subject_key(subject)
        deadline = Deadline.objects.create(
            subject_type=ct,
            subject_id=sid,
            subject_repr=str(subject)[:300],
            url=url,
            rule_id=rule.id,
            title=title[:200],
            counted_from=counted_from,
            workdays=workdays,
            due=due,
            remind_on=wd.subtract_workdays(due, 1),
            provisional=wd.span_is_provisional(counted_from, due),
            owner_user=owner_user,
            owner_post=owner_post,
            owner_unit=owner_unit,
            extended_from=extended_from,
        )
        record_event(
            actor=None,
            subject=subject,
            action="deadline_opened",
            action_label="时限开始",
            to_state=State.OPEN,
            rule_id=rule.id,
            opinion=_clock_text(deadline),
        )
    return deadline


def _clock_text(d: Deadline) -> str:
    span = f"{d.counted_from}起{d.workdays}个工作日，" if d.workdays else ""
    return f"{d.title}：{span}截止{d.due}{'（暂定）' if d.provisional else ''}"


def close_deadline(*, subject, rule_id: str, state: str = State.MET, note: str = "", on: date | None = None) -> int:
    """Stop the clocks of `subject` under `rule_id`. A close after the due day counts as missed; `on` is the day
    the work was done (the acting service's day, default today), so a back-dated action is judged on its day.
    Also closes rows the sweep already marked missed (they stay owed until closed). Runs inside the caller's
    transaction (the step that stops the clock)."""
    return close_deadlines(subjects=[(subject, note)], rule_id=rule_id, state=state, on=on)


_RUNNING: dict[str, Statement] = {}


def _running_clocks(rule_id: str, subjects: list[tuple[int, str]]) -> list[Deadline]:
    """The running clocks of these (content type id, object id) pairs under `rule_id`, locked. Every step that stops
    a clock reads them: the statement is compiled once per rule and number of subjects (issue 14.3); an object id
    that is not a number goes through the ORM."""
    if rule_id not in _RUNNING:
        _RUNNING[rule_id] = Statement(
            lambda type_ids, object_ids: Deadline.objects.select_for_update().filter(
                _any_subject(zip(type_ids, object_ids, strict=True)), rule_id=rule_id, closed_at__isnull=True
            )
        )
    statement = _RUNNING[rule_id]
    if all(sid.isdigit() for _, sid in subjects):
        return statement([ct for ct, _ in subjects], [int(sid) for _, sid in subjects])
    return list(statement.build([ct for ct, _ in subjects], [sid for _, sid in subjects]))


def _any_subject(pairs) -> Q:
    which = Q()
    for ct, sid in pairs:
        which |= Q(subject_type_id=ct, subject_id=sid)
    return which


def close_deadlines(*, subjects, rule_id: str, state: str = State.MET, on: date | None = None) -> int:
    """`close_deadline` for several (subject, note) pairs under one rule (a leader's step and the submission's
    approval clock): three queries whatever the number of subjects and rows."""
    if state not in (State.MET, State.MISSED):
        raise ValueError("close_deadline closes as met or missed; use cancel_deadlines to cancel")
    if not transaction.get_connection().in_atomic_block:
        raise RuntimeError("close_deadline must be called inside the transaction of the step it belongs to")
    keyed = {_subject_key(subject): (subject, note) for subject, note in subjects}
    rows = _running_clocks(rule_id, [(ct.pk, sid) for ct, sid in keyed])
    if not rows:
        return 0
    today, now = on or timezone.localdate(), timezone.now()
    events = []
    for d in rows:
        subject, note = keyed[(ContentType.objects.get_for_id(d.subject_type_id), d.subject_id)]
        before = d.state
        d.state = State.MISSED if (before == State.MISSED or d.due < today) else state
        d.closed_at, d.close_note = now, note[:200]
        events.append(
            audit_event(
                actor=None,
                subject=subject,
                action="deadline_closed",
                action_label="时限关闭",
                from_state=before,
                to_state=d.state,
                rule_id=d.rule_id,
                opinion=f"{d.title}：{note}" if note else d.title,
            )
        )
    record_events(events)
    update_rows(rows, CLOSING_COLUMNS)
    return len(rows)


@transaction.atomic
def cancel_deadlines(*, subject, note: str) -> int:
    """Cancel every running clock of `subject` (e.g. the document was withdrawn)."""
    ct, sid = _subject_key(subject)
    rows = list(Deadline.objects.select_for_update().filter(subject_type=ct, subject_id=sid, closed_at__isnull=True))
    return _cancel(rows, subject=subject, note=note)


def _cancel(rows: list[Deadline], *, subject, note: str) -> int:
    """Cancel these locked running rows of `subject`, each with its audit event."""
    now = timezone.now()
    for d in rows:
        record_event(
            actor=None,
            subject=subject,
            action="deadline_cancelled",
            action_label="时限撤销",
            from_state=d.state,
            to_state=State.CANCELLED,
            rule_id=d.rule_id,
            opinion=f"{d.title}：{note}" if note else d.title,
        )
        d.state, d.closed_at, d.close_note = State.CANCELLED, now, note[:200]
    update_rows(rows, CLOSING_COLUMNS)
    return len(rows)


def extend_deadline(
    *,
    subject,
    rule_id: str,
    title: str,
    counted_from: date,
    due: date,
    note: str,
    owner_user=None,
    owner_post=None,
    owner_unit=None,
    url: str = "",
) -> Deadline:
    """A limit agreed anew (DOC-7 商定延期): the running clocks of `subject` under `rule_id` are cancelled with `note`
    and a clock to the new `due` opens in their place, marked `extended_from` the one it replaces (the compliance
    board counts it as 延期). Runs inside the transaction of the step that records the agreement."""
    if not transaction.get_connection().in_atomic_block:
        raise RuntimeError("extend_deadline must be called inside the transaction of the step it belongs to")
    ct, sid = _subject_key(subject)
    mine = Deadline.objects.filter(subject_type=ct, subject_id=sid, rule_id=rule_id)
    rows = list(mine.select_for_update().filter(closed_at__isnull=True).order_by("id"))
    _cancel(rows, subject=subject, note=note)
    return open_deadline(
        subject=subject,
        rule_id=rule_id,
        title=title,
        counted_from=counted_from,
        due=due,
        owner_user=owner_user,
        owner_post=owner_post,
        owner_unit=owner_unit,
        url=url,
        extended_from=rows[-1] if rows else mine.order_by("-id").first(),
    )


# --- CAL-2: recompute provisional clocks --------------------------------------------------------------


@transaction.atomic
def recompute_for_years(years: Iterable[int]) -> int:
    """Recompute every open provisional deadline whose span touches `years` (CAL-2). Returns rows changed.

    Runs when a year's calendar is entered or corrected (workdays.signals.calendar_changed). A reminder
    already sent is not sent again; a fixed due date keeps its day and only loses the provisional mark, unless
    the domain derived it from the clock (deadlines.derived): then the day is derived again. Every model field
    listed in deadlines.derived follows its row in this same transaction, so pages and clocks never disagree.
    """
    years = sorted(set(years))
    if not years:
        return 0
    touches = Q()
    for y in years:
        touches |= Q(counted_from__lte=date(y, 12, 31), due__gte=date(y, 1, 1))
    rows = list(
        Deadline.objects.select_for_update().filter(touches, provisional=True, state=State.OPEN).order_by("due", "id")
    )
    subjects = _subjects_of(rows)
    old = {d.pk: (d.due, d.remind_on, d.provisional) for d in rows}
    for d in rows:
        if d.workdays:
            d.due = wd.add_workdays(d.counted_from, d.workdays)
    _recompute_derived(rows)
    changed = []
    for d in rows:
        d.remind_on = wd.subtract_workdays(d.due, 1)
        d.provisional = wd.span_is_provisional(d.counted_from, d.due)
        old_due = old[d.pk][0]
        if (d.due, d.remind_on, d.provisional) == old[d.pk]:
            continue
        changed.append(d)
        record_event(
            actor=None,
            subject=subjects[d.pk],
            action="deadline_recomputed",
            action_label="时限重算",
            rule_id=d.rule_id,
            opinion=f"{d.title}：录入年度日历后截止日由{old_due}调整为{d.due}{'（仍为暂定）' if d.provisional else ''}",
        )
    Deadline.objects.bulk_update(changed, ["due", "remind_on", "provisional"], batch_size=1000)
    return len(changed)


def _recompute_derived(rows: list[Deadline]) -> None:
    """The model fields that store a clock date beside these rows take the recomputed day (deadlines.derived).

    Registry order: an entry may derive its day from an earlier entry's field (already written). A row with a
    fixed due that the domain derives gets the new day too; one a person fixed (no `compute`) keeps it."""
    by_key: dict[tuple[int, str], list[Deadline]] = {}
    for d in rows:
        by_key.setdefault((d.subject_type_id, d.rule_id), []).append(d)
    for entry in derived.entries():
        ct = ContentType.objects.get_for_model(entry.subject_model)
        compute = entry.function()
        for d in by_key.get((ct.pk, entry.rule_id), ()):
            if compute is None:
                if d.workdays:  # a row counted in working days: the field is its due
                    entry.objects_for(d).exclude(**{entry.field: d.due}).update(**{entry.field: d.due})
                continue
            if d.workdays:
                continue
            for obj in entry.objects_for(d).filter(**{entry.field: d.due}).select_for_update():
                day = compute(obj, d)
                if day is None or day == d.due:
                    continue
                type(obj)._default_manager.filter(pk=obj.pk).update(**{entry.field: day})
                d.due = day


# Every process keeps a year's calendar for up to CACHE_TTL seconds (workdays.calendar): the check again comes after.
RECHECK_AFTER_SECONDS = wd.CACHE_TTL + 30


def on_calendar_changed(sender, years, **kwargs):
    """Receiver of workdays.signals.calendar_changed (sent on commit): recompute now, and once more after every other
    process's cached calendar has expired. A web or worker process that still held the year's provisional calendar in
    that minute may have opened a deadline on it; the second pass recomputes it too."""
    changed = recompute_for_years(years)
    from .tasks import recompute_calendar_years  # tasks.py imports this module

    try:
        recompute_calendar_years.apply_async(args=[sorted(years)], countdown=RECHECK_AFTER_SECONDS)
    except Exception:  # the broker is down: the recompute above stands; the check again is lost, say so
        logger.exception("could not queue the second recompute of the calendar years %s", sorted(years))
    return changed


def _subjects_of(rows: list[Deadline]) -> dict[int, object]:
    """deadline id → its subject for the audit record; the deadline itself if the subject is gone.

    One query per subject type (GenericForeignKey prefetch), not one per row."""

    prefetch_related_objects(rows, "subject")
    return {d.pk: (d.subject if d.subject is not None else d) for d in rows}


# --- the sweep (X-3) ----------------------------------------------------------------------------------


def remind_candidates(today: date):
    """Open rows whose remind day has come and whose due day has not passed (the partial index
    deadline_to_remind_idx finds them). A row already overdue gets the escalation, never a stale reminder."""
    return Deadline.objects.filter(
        state=State.OPEN, reminded_at__isnull=True, remind_on__lte=today, due__gte=today
    ).order_by("remind_on")


def escalate_candidates(today: date):
    """Open rows whose whole due day has passed (partial index deadline_open_due_idx)."""
    return Deadline.objects.filter(state=State.OPEN, due__lt=today).order_by("due")


def sweep(*, today: date | None = None, batch_size: int = BATCH_SIZE) -> SweepResult:
    """Remind, escalate and run handlers for everything due by `today`; safe to run at any time, twice, or
    concurrently. Catches up after downtime: escalation runs first, so a row whose remind day passed while
    no worker ran and which is now overdue gets exactly one escalation and no late reminder.

    Each batch is its own transaction: rows are claimed with SELECT … FOR UPDATE SKIP LOCKED and flipped
    by the same transaction, so a concurrent sweep skips them and later no longer matches them; the
    per-recipient message keys (deadline:<id>:remind:<user>) are a second guard."""
    today = today or timezone.localdate()
    reminded = escalated = handled = 0
    directors = office_directors(today)
    busy: set[int] = set()  # rows whose subject a person is acting on right now: next sweep
    while True:
        n, h, more = _escalate_batch(today, batch_size, directors, busy)
        escalated, handled = escalated + n, handled + h
        if not more:
            break
    while True:
        n, more = _remind_batch(today, batch_size)
        reminded += n
        if not more:
            break
    if reminded or escalated or handled:
        logger.info("deadline sweep %s: reminded %s, escalated %s, handled %s", today, reminded, escalated, handled)
    return SweepResult(reminded=reminded, escalated=escalated, handled=handled)


def _claim(qs, limit: int) -> list[int]:
    return list(qs.select_for_update(skip_locked=True).values_list("id", flat=True)[:limit])


def _load(ids: list[int]) -> list[Deadline]:
    # owner_user is not joined: resolve_owners loads the few distinct people once, not one copy per row.
    return list(Deadline.objects.filter(id__in=ids).order_by("due", "id"))


def _remind_batch(today: date, limit: int) -> tuple[int, bool]:
    with transaction.atomic():
        ids = _claim(remind_candidates(today), limit)
        if not ids:
            return 0, False
        now = timezone.now()
        rows = _load(ids)
        Deadline.objects.filter(id__in=ids).update(reminded_at=now)
        owners = resolve_owners(rows, today)
        fallback, opens = [], None
        messages = []
        queue_url = reverse("workflow:queue")
        vacant = [d for d in rows if not owners[d.pk]]
        if vacant:  # a vacant post nobody acts for: the office must know
            fallback = office_directors(today)
            opens = _board_links(fallback, vacant)
        for d in rows:
            people = owners[d.pk] or fallback
            subject, body = _reminder_text(d, today)
            messages += _messages(
                d, people, Message.Level.REMINDER, "remind", subject, body, queue_url, None if owners[d.pk] else opens
            )
        deliver(messages)
    return len(rows), len(ids) == limit


def _escalate_batch(today: date, limit: int, directors: list, busy: set[int]) -> tuple[int, int, bool]:
    """One batch of overdue rows: the rule's handler first (it may settle the lapse, or find the subject
    busy), then one escalation for every row the handler did not settle."""
    with transaction.atomic():
        ids = _claim(escalate_candidates(today).exclude(id__in=busy), limit)
        if not ids:
            return 0, 0, False
        now = timezone.now()
        rows = _load(ids)
        subjects = _subjects_of(rows)
        handled, settled, escalate = 0, [], []
        for d in rows:
            outcome = _run_handler(d, subjects[d.pk])
            handled += outcome not in (_NO_HANDLER, _BUSY, _FAILED)
            if outcome is _BUSY:
                busy.add(d.pk)
            elif isinstance(outcome, handlers.Settled):
                settled.append((d, outcome.note))
            else:
                escalate.append(d)
        for d, note in settled:
            d.state, d.closed_at, d.close_note = State.SETTLED, now, note[:200]
            record_event(
                actor=None,
                subject=subjects[d.pk],
                action="deadline_settled",
                action_label="逾期按规则办结",
                from_state=State.OPEN,
                to_state=State.SETTLED,
                rule_id=d.rule_id,
                opinion=f"{d.title}：截止{d.due}，{note}",
            )
        Deadline.objects.bulk_update([d for d, _ in settled], ["state", "closed_at", "close_note"])
        Deadline.objects.filter(id__in=[d.pk for d in escalate]).update(state=State.MISSED, escalated_at=now)
        owners = resolve_owners(escalate, today)
        messages = []
        queue_url = reverse("workflow:queue")
        opens = _board_links(directors, escalate) if escalate else {}
        for d in escalate:
            d.state, d.escalated_at = State.MISSED, now
            people = {u.pk: u for u in owners[d.pk]} | {u.pk: u for u in directors}
            # A director who owes the clock himself is sent to the item, as any owner.
            mine = {u.pk for u in owners[d.pk]}
            told = {pk: ids for pk, ids in opens.items() if pk not in mine}
            subject, body = _escalation_text(d, today, owners[d.pk])
            messages += _messages(
                d, people.values(), Message.Level.ESCALATION, "escalate", subject, body, queue_url, told
            )
            record_event(
                actor=None,
                subject=subjects[d.pk],
                action="deadline_missed",
                action_label="超期督办",
                from_state=State.OPEN,
                to_state=State.MISSED,
                rule_id=d.rule_id,
                opinion=f"{d.title}：截止{d.due}，逾期未办结，已督办",
            )
        deliver(messages)
    return len(escalate), handled, len(ids) == limit


_NO_HANDLER, _BUSY, _FAILED = object(), object(), object()


def _run_handler(d: Deadline, subject):
    """The rule's handler in its own savepoint: Settled, None, or one of _NO_HANDLER / _BUSY / _FAILED."""
    handler = handlers.get(d.rule_id)
    if handler is None:
        return _NO_HANDLER
    try:
        with transaction.atomic():  # a failing handler rolls back alone; the row is escalated as usual
            return handler(d)
    except handlers.Busy:
        return _BUSY
    except Exception:
        logger.exception("deadline handler for %s failed on deadline %s", d.rule_id, d.pk)
        record_event(
            actor=None,
            subject=subject,
            action="deadline_handler_failed",
            action_label="超期自动处理失败",
            rule_id=d.rule_id,
            opinion=f"{d.title}：超期后的自动处理未能完成，请人工跟进",
        )
        return _FAILED


def _board_links(directors, rows) -> dict[int, set[int]]:
    """For each office director told of a clock he does not owe (escalation, a vacant post's reminder): the rows
    whose item his own page would open. The others link to the deadline board, which lists them, not to a 404."""
    from compliance.links import openable  # the apps' visibility rules; imported late: they import this module

    return {u.pk: openable(u, rows) for u in directors}


def _messages(d: Deadline, people, level: str, kind: str, subject: str, body: str, fallback_url: str, opens=None):
    def url_for(u) -> str:
        if opens is not None and u.pk in opens and d.pk not in opens[u.pk]:
            return reverse("deadlines:board")
        return d.url or fallback_url

    return [
        Message(
            recipient_id=u.pk,
            level=level,
            subject=subject[:200],
            body=body,
            url=url_for(u),
            key=f"deadline:{d.pk}:{kind}:{u.pk}",
        )
        for u in people
    ]


def _rule_line(d: Deadline) -> str:
    return f"依据：{rules.describe(d.rule_id).label}"


def _reminder_text(d: Deadline, today: date) -> tuple[str, str]:
    when = "今日到期" if d.due == today else f"{d.due:%m月%d日}到期"
    subject = f"【催办】{d.title}（{when}）"
    body = "\n".join(
        [
            f"事项：{d.subject_repr}",
            f"时限：{d.title}",
            f"截止日：{d.due}{'（暂定，所在年度日历尚未公布）' if d.provisional else ''}",
            _rule_line(d),
            "请在截止日前办结。",
        ]
    )
    return subject, body


def _escalation_text(d: Deadline, today: date, owners) -> tuple[str, str]:
    late = wd.workdays_between(d.due, today)
    subject = f"【督办】{d.title}（已超期{f' {late} 个工作日' if late else ''}）"
    who = "、".join(u.display_name for u in owners) or "（责任人空缺）"
    body = "\n".join(
        [
            f"事项：{d.subject_repr}",
            f"时限：{d.title}",
            f"截止日：{d.due}{'（暂定）' if d.provisional else ''}，逾期未办结",
            f"责任人：{who}",
            _rule_line(d),
            "请抓紧办理并说明原因。",
        ]
    )
    return subject, body

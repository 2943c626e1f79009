"""Every write of 传阅 / 阅知 (issue 15.4): send, read, annotate, and the sweep that reminds the unread once.

Reading and annotating are steps of the workflow kernel (`tiexi_gov.workflow.kernel.step`): lock the receipt, fire
its FSM transition (object permission in `circulation.permissions`), record the audit event, close the receipt's task
in 我的待办, tell people on commit. Sending creates the circulation, its receipts (their tasks open in the same
transaction) and the audit events. `today` exists so that tests can state the day; views never pass it.

The reminder is not a Deadline of `tiexi_gov.deadlines`: that clock reminds the working day *before* its due day and
then escalates (督办) to the office director, while a receipt is reminded once *after* N working days unread and is
then only listed for the office (逾期未阅). It is an idempotent sweep of its own: the rows are claimed with SELECT … FOR
UPDATE SKIP LOCKED and stamped (`reminded_at`) in the same transaction, and each message carries a unique key
(circulation:<receipt>:remind:<user>), so a second or concurrent sweep sends nothing more. The due day is computed at
sweep time from the working-day calendar, so a corrected calendar (CAL-2) is followed without recomputing anything.
"""

from __future__ import annotations

import datetime as dt
import logging

from django.conf import settings
from django.db import transaction
from django.db.models import Q
from django.urls import reverse
from django.utils import timezone

from tiexi_gov.audit.services import collected, event, record_events
from tiexi_gov.deadlines.owners import handling_people, unit_staff
from tiexi_gov.forms import OPINION_LIMIT
from tiexi_gov.notify.models import Message
from tiexi_gov.notify.services import deliver, messages_for
from tiexi_gov.org.access import handlers_on
from tiexi_gov.org.models import Post, Unit
from tiexi_gov.workdays import calendar as wd
from tiexi_gov.workflow.errors import ActionRefused, NotAllowed
from tiexi_gov.workflow.kernel import SYSTEM_CAPACITY, as_seen, step, today_or
from tiexi_gov.workflow.sync import sync_tasks

from . import permissions, sources
from .flow import receipt_url
from .models import SOURCE_FIELDS, Circulation, Kind, Mode, Receipt, ReceiptState

logger = logging.getLogger(__name__)

RS = ReceiptState
DEFAULT_REMIND_AFTER = 3
BATCH_SIZE = 500


def remind_after_workdays() -> int:
    """N: an unread receipt is reminded once after N working days (setting CIRCULATION_REMIND_AFTER_WORKDAYS, 3)."""
    try:
        n = int(getattr(settings, "CIRCULATION_REMIND_AFTER_WORKDAYS", DEFAULT_REMIND_AFTER))
    except (TypeError, ValueError):
        n = DEFAULT_REMIND_AFTER
    return max(1, n)


def due_on(sent_on: dt.date, remind_after: int) -> dt.date:
    """The last day a receipt may stay unread: the N-th working day after the day it was sent (CAL-3)."""
    return wd.add_workdays(sent_on, remind_after)


def _people_of(receipts: list[Receipt], day: dt.date) -> dict[int, list]:
    """receipt id → the people it reaches on `day` (a post's handler; a unit's clerks and heads). Two queries for
    the posts, one for the units, whatever the number of receipts."""
    by_post = handling_people({r.post_id for r in receipts if r.post_id}, day)
    by_unit = unit_staff({r.unit_id for r in receipts if r.unit_id})
    out = {}
    for r in receipts:
        if r.post_id:
            out[r.pk] = [by_post[r.post_id]] if r.post_id in by_post else []
        else:
            out[r.pk] = list(by_unit.get(r.unit_id, ()))
    return out


# --- sending ---------------------------------------------------------------------------------------------------


@transaction.atomic
def send_circulation(
    *,
    actor,
    kind: str,
    item_id: int,
    post_ids=(),
    unit_ids=(),
    mode: str = Mode.CIRCULATE,
    note: str = "",
    today: dt.date | None = None,
) -> Circulation:
    """Send the item to the named leaders' posts and units for reading; each recipient's receipt opens a 待阅 task."""
    day = today_or(today)
    if kind not in Kind.values:
        raise ActionRefused("传阅内容的类别不正确。")
    if mode not in Mode.values:
        raise ActionRefused("请选择传阅或阅知。")
    item = sources.load(kind, item_id)
    capacity = permissions.sender_capacity(actor, kind, item)
    if not capacity:
        raise NotAllowed("您无权传阅该事项。")
    if problem := sources.refusal(kind, item):
        raise ActionRefused(problem)
    note = (note or "").strip()
    if len(note) > OPINION_LIMIT:
        raise ActionRefused(f"附言不能超过{OPINION_LIMIT}字。")
    post_ids, unit_ids = sorted(set(post_ids)), sorted(set(unit_ids))
    posts = list(
        Post.objects.filter(pk__in=post_ids, kind__in=permissions.RECIPIENT_POST_KINDS).order_by("order", "id")
    )
    units = list(Unit.objects.filter(pk__in=unit_ids, active=True).order_by("order", "id"))
    if len(posts) != len(post_ids) or len(units) != len(unit_ids):
        raise ActionRefused("所选的领导或单位不存在，请刷新页面后重新选择。")
    if not posts and not units:
        raise ActionRefused("请至少选择一位领导或一个单位。")
    # The same item twice to a reader who has not read it yet: one more identical 待阅, nothing new to read.
    unread = Receipt.objects.filter(**{f"circulation__{SOURCE_FIELDS[Kind(kind)]}": item}, state=RS.UNREAD).filter(
        Q(post__in=posts) | Q(unit__in=units)
    )
    waiting = sorted({r.recipient_name for r in unread.select_related("post", "unit")})
    if waiting:
        raise ActionRefused(f"{'、'.join(waiting)}尚未阅读此前送阅的该件，请勿重复送阅。")
    now = timezone.now()
    with collected():
        circulation = Circulation.objects.create(
            kind=kind,
            mode=mode,
            **{SOURCE_FIELDS[Kind(kind)]: item},
            title=sources.title(kind, item)[:300],
            note=note,
            sent_by=actor,
            sent_capacity=capacity,
            sent_at=now,
            sent_on=day,
            remind_after=remind_after_workdays(),
        )
        receipts = [Receipt(circulation=circulation, post=p, sent_on=day) for p in posts]
        receipts += [Receipt(circulation=circulation, unit=u, sent_on=day) for u in units]
        receipts = Receipt.objects.bulk_create(receipts)
        if any(r.pk is None for r in receipts):  # a backend that does not return ids
            receipts = list(circulation.receipts.select_related("post", "unit"))
        for r in receipts:
            r.circulation = circulation
        names = "、".join(r.recipient_name for r in receipts)
        label = circulation.get_mode_display()
        record_events(
            [
                event(
                    actor=actor,
                    subject=circulation,
                    action="circulation_sent",
                    action_label=f"送{label}",
                    to_state="sent",
                    opinion=f"送{names}{label}" + (f"。附言：{note}" if note else ""),
                    capacity=capacity,
                )
            ]
            + [
                event(
                    actor=actor,
                    subject=r,
                    action="circulation_sent",
                    action_label=f"送{label}",
                    to_state=RS.UNREAD,
                    opinion=f"送{r.recipient_name}{label}",
                    capacity=capacity,
                )
                for r in receipts
            ]
        )
        for r in receipts:
            sync_tasks(r, actor=actor, day=day)
        people = _people_of(receipts, day)
        messages = []
        for r in receipts:
            messages += messages_for(
                recipients=people[r.pk],
                subject=f"【{label}】{circulation.title}",
                body=f"{actor.display_name}（{capacity}）送您{label}。" + (f"\n附言：{note}" if note else ""),
                url=receipt_url(r),
                key=f"circulation:{r.pk}:sent",
            )
        deliver(messages)
    return circulation


# --- reading and annotating ------------------------------------------------------------------------------------


def _handler_for(actor, receipt: Receipt, day: dt.date):
    """The Handler by which `actor` reads a post's receipt (own post first), or None for a unit's receipt."""
    if receipt.post_id is None:
        return None
    found = sorted((h for h in handlers_on(actor, day) if h.post.pk == receipt.post_id), key=lambda h: h.is_acting)
    return found[0] if found else None


def _capacity(actor, receipt: Receipt, handler) -> str:
    if handler is not None:
        return handler.capacity
    unit = receipt.unit.display_name if receipt.unit_id else ""
    return f"{unit}收阅"


def _mark_read(s, receipt: Receipt, handler, now) -> None:
    receipt.read_at, receipt.read_by = now, s.actor
    receipt.read_capacity = _capacity(s.actor, receipt, handler)[:120]


def read_receipt(*, actor, receipt: Receipt, today: dt.date | None = None) -> Receipt:
    """The recipient opened it: 未读 → 已读, its task leaves 我的待办. Someone else of the unit first: "已由XX处理"."""
    with step(receipt, actor=actor, expect=(RS.UNREAD,), today=today) as s:
        handler = _handler_for(actor, s.obj, s.day)
        before = s.fire("read")
        _mark_read(s, s.obj, handler, timezone.now())
        s.record("circulation_read", "已读", before, handler=handler, capacity=s.obj.read_capacity)
    return s.obj


def annotate_receipt(
    *, actor, receipt: Receipt, text: str, seen_state: str = "", today: dt.date | None = None
) -> Receipt:
    """批注: the recipient's comment; the receipt becomes 已阅并批注 (read too, if it was not) and the sender hears."""
    text = (text or "").strip()
    if not text:
        raise ActionRefused("请填写批注内容。")
    if len(text) > OPINION_LIMIT:
        raise ActionRefused(f"批注不能超过{OPINION_LIMIT}字。")
    with step(as_seen(receipt, seen_state), actor=actor, expect=(RS.UNREAD, RS.READ), today=today) as s:
        r = s.obj
        handler = _handler_for(actor, r, s.day)
        before = s.fire("annotate")
        now = timezone.now()
        if before == RS.UNREAD:
            _mark_read(s, r, handler, now)
        r.annotation, r.annotated_at, r.annotated_by = text, now, actor
        r.annotated_capacity = _capacity(actor, r, handler)  # 代… shows beside the note as beside the reading
        s.record(
            "circulation_annotated",
            "已阅并批注",
            before,
            opinion=text,
            handler=handler,
            capacity=r.annotated_capacity,
        )
        c = r.circulation
        s.tell(
            [c.sent_by],
            f"【批注】{r.recipient_name}已阅并批注：{c.title}",
            f"{actor.display_name}（{r.recipient_name}）批注：{text}",
            url=reverse("circulation:detail", args=[c.pk]),
        )
    return s.obj


# --- the sweep: unread after N working days is reminded once, then listed for the office -------------------------


def _due_pairs(today: dt.date) -> Q | None:
    """A Q on Receipt selecting the (sent day, N) pairs whose N working days have passed by `today` — computed from
    the few distinct pairs still unreminded, so the calendar decides, not a stored date."""
    pairs = (
        Receipt.objects.filter(state=RS.UNREAD, reminded_at__isnull=True, sent_on__lt=today)
        .values_list("sent_on", "circulation__remind_after")
        .distinct()
    )
    due = Q()
    found = False
    for sent_on, n in pairs:
        if due_on(sent_on, n) < today:
            due |= Q(sent_on=sent_on, circulation__remind_after=n)
            found = True
    return due if found else None


def remind_unread(*, today: dt.date | None = None, batch_size: int = BATCH_SIZE) -> int:
    """Remind, once, every receipt still unread after its N working days. Safe to run twice or concurrently.
    Returns how many receipts were reminded now."""
    today = today_or(today)
    due = _due_pairs(today)
    if due is None:
        return 0
    total = 0
    while True:
        with transaction.atomic():
            ids = list(
                Receipt.objects.filter(due, state=RS.UNREAD, reminded_at__isnull=True)
                .select_for_update(skip_locked=True, of=("self",))
                .order_by("id")
                .values_list("id", flat=True)[:batch_size]
            )
            if not ids:
                break
            now = timezone.now()
            rows = list(Receipt.objects.filter(id__in=ids).select_related("circulation", "post", "unit").order_by("id"))
            Receipt.objects.filter(id__in=ids).update(reminded_at=now)
            people = _people_of(rows, today)
            messages, events = [], []
            for r in rows:
                c = r.circulation
                label = c.get_mode_display()
                late = due_on(r.sent_on, c.remind_after)
                messages += messages_for(
                    recipients=people[r.pk],
                    subject=f"【催阅】{c.title}",
                    body="\n".join(
                        [
                            f"{c.sent_on:%Y-%m-%d}送{r.recipient_name}{label}，{c.remind_after}个工作日（至{late:%Y-%m-%d}）"
                            "仍未阅读。",
                            "请尽快阅读；逾期未阅的阅件列入区政府办公室的逾期未阅清单。",
                        ]
                    ),
                    url=receipt_url(r),
                    level=Message.Level.REMINDER,
                    key=f"circulation:{r.pk}:remind",
                )
                events.append(
                    event(
                        actor=None,
                        subject=r,
                        action="circulation_reminded",
                        action_label="催阅",
                        from_state=RS.UNREAD,
                        to_state=RS.UNREAD,
                        opinion=f"送阅{c.remind_after}个工作日（至{late:%Y-%m-%d}）未阅，已提醒，列入逾期未阅",
                        capacity=SYSTEM_CAPACITY,
                    )
                )
            record_events(events)
            deliver(messages)
            total += len(rows)
            if len(ids) < batch_size:
                break
    if total:
        logger.info("circulation sweep %s: reminded %s unread receipts", today, total)
    return total


__all__ = [
    "annotate_receipt",
    "due_on",
    "read_receipt",
    "remind_after_workdays",
    "remind_unread",
    "send_circulation",
]

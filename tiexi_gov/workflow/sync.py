"""Every write of tasks: after a step, make the item's open tasks equal to what its flow says it waits on.

A task that is no longer needed is closed (by the person whose step finished it: "a task closes when anyone
entitled does the step"); a new need opens a task; a need that stays keeps its task and its "since". A handful
of queries whatever the number of owners.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import date

from django.contrib.contenttypes.models import ContentType
from django.db import transaction
from django.utils import timezone

from tiexi_gov.precompiled import Statement

from .models import Task
from .registry import Need, flow_for


def _task_from(need: Need, *, item, ct, flow, actor, now) -> Task:
    return Task(
        subject_type=ct,
        subject_id=item.pk,
        subject_repr=flow.label(item)[:300],
        url=(need.url or flow.url(item))[:300],
        area=flow.area,
        key=need.key,
        action=need.action,
        action_label=need.label[:40],
        rule_id=need.rule_id,
        note=need.note[:200],
        owner_post_id=need.post_id,
        authority=need.authority,
        owner_unit_id=need.unit_id,
        unit_scope=need.scope,
        owner_role=need.role,
        owner_user_id=need.user_id,
        urgency=need.urgency,
        deadline_id=need.deadline_id,
        from_user_id=need.from_user_id or getattr(actor, "pk", None),
        opened_at=now,
    )


# Every step of every workflow reads the item's open tasks: compiled once (issue 14.3).
_OPEN_TASKS = Statement(
    lambda ct_id, subject_id: Task.objects.filter(subject_type_id=ct_id, subject_id=subject_id, closed_at__isnull=True)
)

UPDATABLE = ("subject_repr", "url", "action_label", "rule_id", "note", "urgency", "deadline_id", "authority")


def sync_tasks(item, *, actor=None, day: date | None = None) -> tuple[int, int]:
    """Open and close the item's tasks so that they are exactly its flow's needs on `day`. Returns (opened,
    closed). Call it inside the transaction of the change, with the item's row locked."""
    if not transaction.get_connection().in_atomic_block:
        raise RuntimeError("sync_tasks must run inside the transaction of the step it follows")
    flow = flow_for(item)
    day = day or timezone.localdate()
    needs: dict[str, Need] = {}
    for need in flow.waiting(item, day):
        needs.setdefault(need.key, need)
    ct = ContentType.objects.get_for_model(item)
    current = {t.key: t for t in _OPEN_TASKS(ct.pk, item.pk)}
    now = timezone.now()
    gone = [t.pk for key, t in current.items() if key not in needs]
    if gone:
        Task.objects.filter(pk__in=gone).update(closed_at=now, closed_by=actor if _is_user(actor) else None)
    fresh = [
        _task_from(need, item=item, ct=ct, flow=flow, actor=actor if _is_user(actor) else None, now=now)
        for key, need in needs.items()
        if key not in current
    ]
    if fresh:
        Task.objects.bulk_create(fresh)
    changed = []
    for key, task in current.items():
        need = needs.get(key)
        if need is None:
            continue
        wanted = _task_from(need, item=item, ct=ct, flow=flow, actor=None, now=now)
        if any(getattr(task, f) != getattr(wanted, f) for f in UPDATABLE):
            for f in UPDATABLE:
                setattr(task, f, getattr(wanted, f))
            changed.append(task)
    if changed:
        Task.objects.bulk_update(changed, list(UPDATABLE))
    return len(fresh), len(gone)


def _is_user(actor) -> bool:
    return bool(getattr(actor, "is_authenticated", False))


def close_all(item, *, actor=None) -> int:
    """Close every open task of an item that leaves the workflow altogether (deleted, or moved outside it)."""
    ct = ContentType.objects.get_for_model(item)
    return Task.objects.filter(subject_type=ct, subject_id=item.pk, closed_at__isnull=True).update(
        closed_at=timezone.now(), closed_by=actor if _is_user(actor) else None
    )


def rebuild(items: Iterable, *, day: date | None = None) -> tuple[int, int]:
    """Sync many items (the upgrade's data migration, `manage.py tasks rebuild`): each in its own savepoint."""
    opened = closed = 0
    for item in items:
        with transaction.atomic():
            o, c = sync_tasks(item, actor=None, day=day)
        opened, closed = opened + o, closed + c
    return opened, closed

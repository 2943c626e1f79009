"""Writing the audit record. Call it inside the transaction of the change it records (X-1).

Every insert is chained (SM3, `chain.link` via `Event.objects.bulk_create`) under the chain lock, which is held
until the caller's transaction ends: a workflow step gathers its events (`collected`) and writes them at its end,
so the lock is held only for the step's commit."""

from contextlib import contextmanager
from contextvars import ContextVar

from django.contrib.contenttypes.models import ContentType
from django.db import transaction

from .middleware import current_ip
from .models import Event

_pending: ContextVar[list | None] = ContextVar("audit_pending", default=None)


@contextmanager
def collected():
    """Within the block, events are gathered and written in one insert when it ends (a workflow step records the
    transition and the clocks it closes together). An exception discards them with the step's transaction."""
    if _pending.get() is not None:  # a step inside a step: the outer one writes them
        yield
        return
    token = _pending.set([])
    try:
        yield
        events = _pending.get()
        if events:
            Event.objects.bulk_create(events)
    finally:
        _pending.reset(token)


def event(
    *,
    actor,
    subject,
    action: str,
    action_label: str = "",
    from_state: str = "",
    to_state: str = "",
    opinion: str = "",
    rule_id: str = "",
    capacity: str = "",
    acting_for=None,
    ip: str | None = None,
) -> Event:
    """An unsaved event (for `record_events`, which writes several in one insert)."""
    return Event(
        actor=actor if getattr(actor, "is_authenticated", False) else None,
        capacity=capacity,
        acting_for=acting_for,
        action=action,
        action_label=action_label,
        subject_type=ContentType.objects.get_for_model(subject, for_concrete_model=False),
        subject_id=str(subject.pk),
        subject_repr=str(subject)[:300],
        from_state=from_state or "",
        to_state=to_state or "",
        opinion=opinion,
        rule_id=rule_id,
        ip=ip if ip is not None else current_ip.get(),
    )


def record_events(events: list[Event]) -> list[Event]:
    """Append several events in one insert, in the caller's transaction (X-1)."""
    if not transaction.get_connection().in_atomic_block:
        raise RuntimeError("record_events must be called inside the transaction of the change it records")
    pending = _pending.get()
    if pending is not None:
        pending.extend(events)
        return events
    return Event.objects.bulk_create(events) if events else []


def record_event(
    *,
    actor,
    subject,
    action: str,
    action_label: str = "",
    from_state: str = "",
    to_state: str = "",
    opinion: str = "",
    rule_id: str = "",
    capacity: str = "",
    acting_for=None,
    ip: str | None = None,
) -> Event:
    """Append one event. Must run in the caller's transaction so that change and record stand or fall together."""
    if not transaction.get_connection().in_atomic_block:
        raise RuntimeError("record_event must be called inside the transaction of the change it records")
    row = event(
        actor=actor,
        subject=subject,
        action=action,
        action_label=action_label,
        from_state=from_state,
        to_state=to_state,
        opinion=opinion,
        rule_id=rule_id,
        capacity=capacity,
        acting_for=acting_for,
        ip=ip,
    )
    return record_events([row])[0]

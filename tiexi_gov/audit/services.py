"""Writing the audit record. Call it inside the transaction of the change it records (X-1)."""

from django.contrib.contenttypes.models import ContentType
from django.db import transaction

from .middleware import current_ip
from .models import Event


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
    return Event.objects.create(
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

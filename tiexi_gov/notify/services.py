"""The one place that tells people things: inbox rows now, e-mail after commit."""

from collections.abc import Iterable

from django.conf import settings
from django.core.mail import send_mass_mail
from django.db import transaction
from django.utils import timezone

from tiexi_gov.deadlines.rules import plain

from .models import Message


def messages_for(
    *,
    recipients: Iterable,
    subject: str,
    body: str = "",
    url: str = "",
    level: str = Message.Level.INFO,
    key: str | None = None,
) -> list[Message]:
    """Unsaved messages, one per recipient (duplicates dropped); with `key`, a recipient gets it once ever.

    The level is one of the inbox's four Chinese kinds: an unknown one would show its raw code as the badge."""
    if level not in Message.Level.values:
        raise ValueError(f"unknown message level {level!r}: one of {', '.join(Message.Level.values)}")
    return [
        Message(
            recipient=user,
            subject=plain(subject)[:200],
            body=plain(body),
            url=url,
            level=level,
            key=f"{key}:{user.pk}" if key else None,
        )
        for user in {u.pk: u for u in recipients if u is not None}.values()
    ]


def notify(
    *,
    recipients: Iterable,
    subject: str,
    body: str = "",
    url: str = "",
    level: str = Message.Level.INFO,
    key: str | None = None,
) -> list[Message]:
    """Send one message to each recipient. With `key`, a recipient gets it once ever (key is per recipient)."""
    return deliver(messages_for(recipients=recipients, subject=subject, body=body, url=url, level=level, key=key))


def deliver(rows: list[Message]) -> list[Message]:
    """Insert prepared messages in bulk (duplicates by key are skipped) and e-mail them after commit.

    Returns the messages that were new to this call (a keyed one already sent earlier is left out)."""
    if not rows:
        return []
    keyed = [m.key for m in rows if m.key]
    existing = set(Message.objects.filter(key__in=keyed).values_list("key", flat=True)) if keyed else set()
    fresh = [m for m in rows if not m.key or m.key not in existing]
    created = Message.objects.bulk_create(fresh, ignore_conflicts=bool(keyed))
    if keyed:
        # ignore_conflicts leaves pk unset; read back just the ids of the keyed rows this call wrote.
        ids = list(
            Message.objects.filter(key__in=[m.key for m in fresh if m.key], emailed_at__isnull=True).values_list(
                "pk", flat=True
            )
        )
        ids += [m.pk for m in fresh if not m.key and m.pk]
    else:
        ids = [m.pk for m in created if m.pk]
    if ids:
        transaction.on_commit(lambda ids=tuple(ids): email_messages(ids))
    return fresh


def email_messages(ids) -> int:
    """E-mail the given inbox messages to recipients who have an address; marks them handled."""
    pending = Message.objects.filter(pk__in=ids, emailed_at__isnull=True)
    rows = pending.exclude(recipient__email="").values_list("subject", "body", "url", "recipient__email")
    mails = [
        (f"[铁西区政府] {subject}", f"{body}\n\n{url}".strip(), settings.DEFAULT_FROM_EMAIL, [email])
        for subject, body, url, email in rows
    ]
    if mails:
        send_mass_mail(mails, fail_silently=True)
    pending.update(emailed_at=timezone.now())  # "handled": no address means nothing to send
    return len(mails)


def mark_read(*, user, message_ids=None) -> int:
    qs = Message.objects.filter(recipient=user, read_at__isnull=True)
    if message_ids is not None:
        qs = qs.filter(pk__in=message_ids)
    return qs.update(read_at=timezone.now())

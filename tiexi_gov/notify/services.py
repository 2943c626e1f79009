"""The one place that tells people things: inbox rows now, e-mail through the queue after commit.

How mail flows (issue 13.1). `deliver` writes inbox rows and, on commit, queues `notify.tasks.email_messages`
with their ids: the web request never talks to SMTP. The task sends each message in its own SMTP transaction:
it first *claims* the row (a conditional UPDATE: unsent and not claimed by a live sender), sends, and stamps
`emailed_at` only after the server accepted it. An SMTP/OS error releases the claim and the task retries with
exponential backoff; the retry skips what already went out. After the last retry the rows get `email_failed_at`
and the system administrators an inbox alert; the beat's `requeue_unsent_email` queues again, every few minutes,
unsent mail that nobody is trying (never queued, given up, or claimed by a worker that died), so an outage longer
than the retries loses nothing.

Delivery is once per message with one residual case: a worker killed in the instant between the server's
"250 accepted" and the UPDATE that stamps `emailed_at` leaves a claim that expires after
NOTIFY_EMAIL_CLAIM_MINUTES, and the sweep sends that message again. We prefer that rare duplicate (it carries the
same Message-ID, so mail clients fold it) to silently losing a 督办 notice; no SMTP client can close that gap.
"""

import logging
import smtplib
from collections.abc import Iterable
from datetime import datetime, timedelta
from email.utils import parseaddr

from django.conf import settings
from django.core.mail import EmailMessage, get_connection
from django.db import transaction
from django.db.models import F, Q
from django.utils import timezone

from tiexi_gov.deadlines.rules import plain

from .models import Message

logger = logging.getLogger(__name__)

# Errors worth retrying: the server is down, slow, or says "try later". Anything else is a bug and fails loudly.
RETRYABLE_EMAIL_ERRORS = (smtplib.SMTPException, OSError)


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
        transaction.on_commit(lambda ids=tuple(ids): queue_email(ids))
    return fresh


def queue_email(ids) -> None:
    """Hand the ids to the worker. A broker that cannot take them now must not fail the action that already
    committed: the mail sweep finds the rows (never tried) and queues them later."""
    from .tasks import email_messages

    try:
        email_messages.delay(sorted(ids))
    except Exception:
        logger.warning("could not queue e-mail for messages %s; the mail sweep will", list(ids), exc_info=True)


def _setting(name: str, default):
    return getattr(settings, name, default)


def _claim_lease() -> timedelta:
    return timedelta(minutes=_setting("NOTIFY_EMAIL_CLAIM_MINUTES", 15))


def _sendable(ids):
    """Unsent rows among `ids` whose recipient has an address."""
    return Message.objects.filter(pk__in=list(ids), emailed_at__isnull=True).exclude(recipient__email="")


def _free(now: datetime) -> Q:
    """Not being sent right now: never claimed, or claimed by a sender that has been silent past the lease."""
    return Q(email_claimed_at__isnull=True) | Q(email_claimed_at__lt=now - _claim_lease())


def _claim(pk: int) -> datetime | None:
    """Take one message for sending; the claim's timestamp, or None if it is sent or another sender holds it.

    One conditional UPDATE in autocommit: the database serialises two senders, and the second matches no row."""
    now = timezone.now()
    taken = (
        Message.objects.filter(_free(now), pk=pk, emailed_at__isnull=True)
        .exclude(recipient__email="")
        .update(email_claimed_at=now, email_tried_at=now, email_attempts=F("email_attempts") + 1)
    )
    return now if taken else None


def _error_text(exc: BaseException) -> str:
    return f"{type(exc).__name__}: {exc}"[:2000]


def _message_id(message: Message) -> str:
    """The same Message-ID on every try, so a receiving client folds a duplicate into one."""
    domain = parseaddr(settings.DEFAULT_FROM_EMAIL)[1].rpartition("@")[2] or "tiexi.gov.local"
    return f"<notify-{message.pk}@{domain}>"


def _email(message: Message, connection) -> EmailMessage:
    return EmailMessage(
        subject=f"[铁西区政府] {message.subject}",
        body=f"{message.body}\n\n{message.url}".strip(),
        from_email=settings.DEFAULT_FROM_EMAIL,
        to=[message.recipient.email],
        headers={"Message-ID": _message_id(message)},
        connection=connection,
    )


def email_messages(ids) -> int:
    """E-mail the given inbox messages, each once; returns how many the server accepted in this call.

    Raises the SMTP/OS error that stopped it (the task retries); what went out before the error is stamped and is
    skipped by the retry. A recipient without an address is left unstamped: nothing was sent to anyone."""
    pending = list(_sendable(ids).filter(_free(timezone.now())).order_by("pk").values_list("pk", flat=True))
    if not pending:
        return 0
    sent = 0
    connection = get_connection(fail_silently=False)
    try:
        connection.open()  # the server down: nothing is claimed yet
    except RETRYABLE_EMAIL_ERRORS as exc:
        _note_failure(pending, exc)
        raise
    try:
        for index, pk in enumerate(pending):
            claim = _claim(pk)
            if claim is None:
                continue  # sent meanwhile, or another sender holds it
            message = Message.objects.select_related("recipient").get(pk=pk)
            try:
                accepted = _email(message, connection).send()
                if not accepted:
                    raise smtplib.SMTPException("邮件服务器未接收该邮件")
            except RETRYABLE_EMAIL_ERRORS as exc:
                Message.objects.filter(pk=pk, email_claimed_at=claim).update(
                    email_claimed_at=None, email_error=_error_text(exc)
                )
                _note_failure(pending[index + 1 :], exc)
                raise
            # Accepted: stamp it at once (one row, autocommit), so a retry or a second task never sends it again.
            Message.objects.filter(pk=pk, emailed_at__isnull=True).update(
                emailed_at=timezone.now(), email_claimed_at=None, email_error="", email_failed_at=None
            )
            sent += 1
    finally:
        try:
            connection.close()
        except Exception:  # a server that went away mid-batch: the stamps above are what counts
            logger.debug("closing the SMTP connection failed", exc_info=True)
    return sent


def _note_failure(pks, exc: BaseException) -> None:
    """Count a try that never reached these rows (the server was down before their turn)."""
    if not pks:
        return
    now = timezone.now()
    Message.objects.filter(_free(now), pk__in=list(pks), emailed_at__isnull=True).update(
        email_attempts=F("email_attempts") + 1, email_tried_at=now, email_error=_error_text(exc)
    )


def record_email_failure(ids, exc: BaseException) -> int:
    """After the last retry: mark what is still unsent as failed and tell the system administrators.

    The rows stay queued for the mail sweep; the admin's 邮件状态 filter lists them until they go out."""
    from tiexi_gov.org.roles import Role, users_with_role

    now = timezone.now()
    failed = _sendable(ids).update(email_failed_at=now, email_error=_error_text(exc))
    logger.error("e-mail given up after the last retry for %s message(s) %s: %s", failed, list(ids), exc)
    if failed:
        with transaction.atomic():
            notify(
                recipients=users_with_role(Role.SYSTEM_ADMIN),
                subject="站内消息的邮件重试后仍未发出",
                body=(
                    f"有 {failed} 封邮件多次重试仍未发出（{_error_text(exc)}）。系统会定时重新发送；"
                    "请检查邮件服务器，并在后台“站内消息”中按“邮件状态：发送失败”查看。"
                ),
                url="/admin/notify/message/?email_status=failed",
                level=Message.Level.ALERT,
                key=f"mail-failed:{timezone.localdate():%Y%m%d}",  # one alert a day, not one per batch
            )
    return failed


def unsent_email_ids(*, now: datetime | None = None) -> list[int]:
    """Unsent mail nobody is trying: never queued or lost on the way, given up, or claimed by a dead sender.

    Rows tried in the last NOTIFY_EMAIL_SWEEP_AFTER_MINUTES are left to their task's own retries (its backoff
    never waits longer than that); rows older than NOTIFY_EMAIL_SWEEP_MAX_AGE_HOURS stay failed for the admin."""
    now = now or timezone.now()
    quiet = now - timedelta(minutes=_setting("NOTIFY_EMAIL_SWEEP_AFTER_MINUTES", 15))
    oldest = now - timedelta(hours=_setting("NOTIFY_EMAIL_SWEEP_MAX_AGE_HOURS", 72))
    return list(
        Message.objects.filter(_free(now), emailed_at__isnull=True, created_at__lte=quiet, created_at__gte=oldest)
        .filter(Q(email_tried_at__isnull=True) | Q(email_tried_at__lte=quiet))
        .exclude(recipient__email="")
        .order_by("pk")
        .values_list("pk", flat=True)[: _setting("NOTIFY_EMAIL_SWEEP_BATCH", 1000)]
    )


def requeue_unsent_email(*, now: datetime | None = None, chunk: int = 50) -> int:
    """The beat's mail sweep: queue every unsent message nobody is trying, in tasks of `chunk` ids."""
    ids = unsent_email_ids(now=now)
    for start in range(0, len(ids), chunk):
        queue_email(ids[start : start + chunk])
    if ids:
        logger.info("mail sweep queued %s unsent message(s)", len(ids))
    return len(ids)


def mark_read(*, user, message_ids=None, arrived_by=None) -> int:
    """Mark the user's unread messages read: those of `message_ids`, or all of them — with `arrived_by`, only those
    that had arrived by then (全部标为已读 marks what the page counted, not a message that came after it)."""
    qs = Message.objects.filter(recipient=user, read_at__isnull=True)
    if message_ids is not None:
        qs = qs.filter(pk__in=message_ids)
    if arrived_by is not None:
        qs = qs.filter(created_at__lte=arrived_by)
    return qs.update(read_at=timezone.now())

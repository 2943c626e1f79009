"""Purging events past the retention period (issue 12.3). Younger events cannot be purged by anyone: this refuses
them, the runtime database role has no DELETE on the table, and PostgreSQL's trigger refuses DELETE. So a purge
runs under the *owner* role (as migrations do): in one transaction it takes the chain lock, verifies the chain
(a broken chain is evidence and is never purged), switches the trigger off, deletes the oldest events up to the
cutoff, switches the trigger on, writes the anchor where the chain resumes and records the purge as an event."""

from dataclasses import dataclass
from datetime import datetime, timedelta

from django.conf import settings
from django.db import connection, transaction
from django.utils import timezone

from . import chain
from .models import ChainAnchor, Event


class PurgeRefused(Exception):
    pass


def retention_days() -> int:
    return int(getattr(settings, "AUDIT_RETENTION_DAYS", 184))


def earliest_allowed_cutoff(now: datetime | None = None) -> datetime:
    return (now or timezone.now()) - timedelta(days=retention_days())


@dataclass(frozen=True)
class PurgeResult:
    deleted: int
    anchor: ChainAnchor | None


def purge(*, before: datetime, actor=None, dry_run: bool = False) -> PurgeResult:
    limit = earliest_allowed_cutoff()
    if before > limit:
        raise PurgeRefused(
            f"保留期为 {retention_days()} 天：{timezone.localtime(before):%Y-%m-%d} 之前的记录中含保留期内的记录，"
            f"最多只能清除 {timezone.localtime(limit):%Y-%m-%d %H:%M} 之前的记录。"
        )
    with transaction.atomic():
        chain.lock_chain()
        last = Event.objects.filter(at__lt=before).order_by("-id").values_list("id", "hash", "at").first()
        if last is None:
            return PurgeResult(0, None)
        last_id, last_hash, last_at = last
        if Event.objects.filter(id__lte=last_id, at__gte=limit).exists():
            raise PurgeRefused("待清除区段内有保留期内的记录，拒绝清除。")
        result = chain.verify()
        if not result.ok:
            raise PurgeRefused(f"审计链校验未通过，拒绝清除（篡改证据须保留）：{result.summary}")
        count = Event.objects.filter(id__lte=last_id).count()
        if dry_run:
            return PurgeResult(count, None)
        previous = ChainAnchor.objects.order_by("-id").first()
        with connection.cursor() as cursor:
            if connection.vendor == "postgresql":
                # deferred foreign-key checks queued earlier in this transaction would block ALTER TABLE
                cursor.execute("SET CONSTRAINTS ALL IMMEDIATE")
                cursor.execute("ALTER TABLE audit_event DISABLE TRIGGER audit_event_no_update")
            cursor.execute("DELETE FROM audit_event WHERE id <= %s", [last_id])
            if connection.vendor == "postgresql":
                cursor.execute("ALTER TABLE audit_event ENABLE TRIGGER audit_event_no_update")
        anchor = ChainAnchor.objects.create(
            last_id=last_id,
            last_hash=last_hash,
            last_at=last_at,
            purged_count=(previous.purged_count if previous else 0) + count,
        )
        from .services import record_event

        record_event(
            actor=actor,
            subject=anchor,
            action="audit_purge",
            action_label="清除过期审计记录",
            opinion=f"清除 {count} 条（id≤{last_id}，早于 {timezone.localtime(before):%Y-%m-%d}），"
            f"链自哈希 {last_hash} 续接；保留期 {retention_days()} 天",
        )
        return PurgeResult(count, anchor)

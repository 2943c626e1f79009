"""The hash chain over the audit record (issue 12.3): every event carries SM3(canonical content + previous hash).

Why SM3: it is the national standard hash (GB/T 32905-2016) that a 等保 2.0 assessor expects for integrity
protection (密码应用 requirements); `cryptography` exposes it through OpenSSL (`hashes.SM3`), which the installed
OpenSSL supports (a system check refuses to start otherwise, so no host silently writes a different hash).

Order of the chain = order of the primary key. Appending takes a lock first, so the row read as "the previous one"
really is the last committed row and ids are handed out in chain order: on PostgreSQL a transaction-scoped advisory
lock (`pg_advisory_xact_lock`), released when the caller's transaction ends; on SQLite the transaction's write lock
(IMMEDIATE transactions, see settings) already serializes writers. The lock is held from the append until the
caller's commit, so a workflow step writes its events at its end (`services.collected`).

`verify()` walks the chain in id order, streaming, and names the first broken link:
- a row whose stored hash is not the hash of its content (altered, or forged without the right hash);
- a row whose `prev_hash` is not the previous row's hash (a row removed, or one inserted between two);
- a row dated earlier than the row before it (beyond the clock tolerance) or in the future: a back-dated forgery,
  even one whose hash was computed correctly.
An unkeyed chain cannot stop someone who can INSERT and compute SM3 from appending a well-formed row dated now; that
is why the runtime database role may only INSERT through the application, and the daily check reports the head
hash (an external anchor kept in the log and the export).
"""

import ipaddress
import json
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

from cryptography.hazmat.primitives import hashes
from django.conf import settings
from django.db import transaction
from django.utils import timezone

ALGORITHM = "SM3"
GENESIS = "0" * 64
# pg_advisory_xact_lock key reserved for appending to the chain ("tiexiaud" as a big-endian int64).
LOCK_KEY = int.from_bytes(b"tiexiaud", "big")

CONTENT_FIELDS = (
    "actor_id",
    "capacity",
    "acting_for_id",
    "action",
    "action_label",
    "subject_type_id",
    "subject_id",
    "subject_repr",
    "from_state",
    "to_state",
    "opinion",
    "rule_id",
    "at",
    "ip",
)


def sm3_hex(data: bytes) -> str:
    digest = hashes.Hash(hashes.SM3())
    digest.update(data)
    return digest.finalize().hex()


def _normalize(name: str, value):
    if value is None:
        return None
    if name == "at":
        if isinstance(value, str):  # a raw cursor on SQLite
            value = datetime.fromisoformat(value)
        if timezone.is_naive(value):
            value = timezone.make_aware(value, UTC)
        return value.astimezone(UTC).isoformat(timespec="microseconds")
    if name == "ip":
        return str(ipaddress.ip_interface(str(value)).ip)
    if name in ("actor_id", "acting_for_id", "subject_type_id"):
        return int(value)
    return str(value)


def canonical(values: dict, prev_hash: str) -> bytes:
    """The bytes that are hashed: the content fields and the previous hash as compact, key-sorted UTF-8 JSON."""
    data = {name: _normalize(name, values[name]) for name in CONTENT_FIELDS}
    data["prev_hash"] = prev_hash
    return json.dumps(data, ensure_ascii=False, sort_keys=True, separators=(",", ":")).encode("utf-8")


def event_hash(values: dict, prev_hash: str) -> str:
    return sm3_hex(canonical(values, prev_hash))


def _values_of(event) -> dict:
    return {name: getattr(event, name) for name in CONTENT_FIELDS}


def lock_chain(connection=None) -> None:
    """Serialize appenders until the end of the current transaction (PostgreSQL; SQLite's write lock does it)."""
    connection = connection or transaction.get_connection()
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("SELECT pg_advisory_xact_lock(%s)", [LOCK_KEY])


def head_hash() -> str:
    """The hash the next event links to: the last event's, else the last purge anchor's, else the genesis."""
    from .models import ChainAnchor, Event

    last = Event.objects.order_by("-id").values_list("hash", flat=True).first()
    if last is not None:
        return last
    anchor = ChainAnchor.objects.order_by("-id").values_list("last_hash", flat=True).first()
    return anchor or GENESIS


def locked_head_hash() -> str:
    """Take the chain lock, then read the head: one statement on PostgreSQL (the function of audit migration 0006
    reads after the lock is granted), the write lock and one read on SQLite."""
    connection = transaction.get_connection()
    if connection.vendor != "postgresql":
        lock_chain(connection)
        return head_hash()
    with connection.cursor() as cursor:
        cursor.execute("SELECT audit_lock_chain_head(%s)", [LOCK_KEY])
        head = cursor.fetchone()[0]
    return head or GENESIS


def link(events) -> None:
    """Take the chain lock and give each unsaved event its time, previous hash and hash, in order.

    Must run inside the transaction that inserts them (the caller inserts right after)."""
    if not transaction.get_connection().in_atomic_block:
        raise RuntimeError("audit events are chained inside the transaction that writes them")
    prev = locked_head_hash()
    now = timezone.now()
    for event in events:
        event.at = now
        event.prev_hash = prev
        event.hash = event_hash(_values_of(event), prev)
        prev = event.hash


@dataclass(frozen=True)
class Break:
    ordinal: int  # 第N条 of the whole record (purged events counted)
    id: int
    at: datetime | None
    reason: str


@dataclass(frozen=True)
class Verification:
    checked: int
    head_hash: str
    first_break: Break | None

    @property
    def ok(self) -> bool:
        return self.first_break is None

    @property
    def summary(self) -> str:
        if self.ok:
            return f"校验通过：共校验 {self.checked} 条，链尾哈希（{ALGORITHM}）{self.head_hash}"
        b = self.first_break
        when = timezone.localtime(b.at).strftime("%Y-%m-%d %H:%M:%S") if b.at else "时间不明"
        return f"第{b.ordinal}条起被篡改（id={b.id}，{when}）：{b.reason}"


def clock_tolerance() -> timedelta:
    return timedelta(seconds=getattr(settings, "AUDIT_CLOCK_TOLERANCE_SECONDS", 300))


def _broken_link(values, expected_prev, after, prev_at, now, tolerance) -> str:
    """What is wrong with this row as the next link of the chain ("" if nothing)."""
    if values["prev_hash"] != expected_prev:
        return (
            f"链接断开：记录的前序哈希 {values['prev_hash'] or '（空）'} 与{after}的哈希 {expected_prev} 不符"
            "（其前有记录被删除或插入）"
        )
    computed = event_hash(values, values["prev_hash"])
    if values["hash"] != computed:
        return (
            f"内容与哈希不符：存储的哈希 {values['hash'] or '（空）'}，按内容计算应为 {computed}"
            "（记录被改动，或绕过系统写入）"
        )
    if prev_at is not None and values["at"] < prev_at - tolerance:
        return f"时间倒退：早于{after}的时间 {timezone.localtime(prev_at):%Y-%m-%d %H:%M:%S}（倒填日期写入）"
    if values["at"] > now + tolerance:
        return "时间在未来（伪造的时间）"
    return ""


def verify(*, chunk_size: int = 2000, now: datetime | None = None) -> Verification:
    """Walk the whole chain in id order with constant memory; stop at the first broken link."""
    from .models import ChainAnchor, Event

    now = now or timezone.now()
    tolerance = clock_tolerance()
    anchor = ChainAnchor.objects.order_by("-id").first()
    expected_prev = anchor.last_hash if anchor else GENESIS
    ordinal = anchor.purged_count if anchor else 0
    prev_id, prev_at = (anchor.last_id, anchor.last_at) if anchor else (None, None)
    rows = Event.objects.order_by("id")
    if anchor:
        stray = Event.objects.filter(id__lte=anchor.last_id).order_by("id").values_list("id", "at").first()
        if stray:
            reason = f"出现在已清除区段（id≤{anchor.last_id}）内的记录"
            return Verification(0, expected_prev, Break(ordinal + 1, stray[0], stray[1], reason))
        rows = rows.filter(id__gt=anchor.last_id)
    names = ("id", *CONTENT_FIELDS, "prev_hash", "hash")
    checked = 0
    for row in rows.values_list(*names).iterator(chunk_size=chunk_size):
        values = dict(zip(names, row, strict=True))
        ordinal += 1
        checked += 1
        after = f"上一条（id={prev_id}）" if prev_id else "链首"
        reason = _broken_link(values, expected_prev, after, prev_at, now, tolerance)
        if reason:
            return Verification(checked, expected_prev, Break(ordinal, values["id"], values["at"], reason))
        expected_prev, prev_id, prev_at = values["hash"], values["id"], values["at"]
    return Verification(checked, expected_prev, None)

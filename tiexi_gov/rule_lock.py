"""A lock that covers a whole business rule which no database constraint can express (issue 13.4).

Rules such as "no near-identical task for the same lead unit" (SUP-5) or "no overlapping leave for one leader"
(LEAVE-4) are checked in Python by reading other rows; two transactions checking at the same moment both see none
and both write. `rule_lock(*key)` makes them take turns: the second waits until the first commits and then sees its
row. On PostgreSQL it is a transaction-scoped advisory lock on (RULE_LOCK_SPACE, hashtext(key)), released at commit
or rollback; a hash collision only makes two unrelated rules wait for each other. On SQLite every transaction begins
IMMEDIATE (settings.py), so writers are serialised already and nothing more is needed.
"""

from __future__ import annotations

from django.db import connection

__all__ = ["RULE_LOCK_SPACE", "rule_lock"]

# The first key of the two-key advisory lock, so rule locks never meet the audit chain's one-key lock.
RULE_LOCK_SPACE = 13_4


def rule_lock(*key) -> None:
    """Hold the lock of the rule named by `key` (e.g. ("SUP-5", "lead-unit", unit.pk)) until the transaction ends.

    Call it inside `transaction.atomic()`, before reading the rows the rule checks."""
    if not connection.in_atomic_block:
        raise RuntimeError("rule_lock() must be called inside transaction.atomic()")
    if connection.vendor != "postgresql":
        return
    name = ":".join(str(part) for part in key)
    with connection.cursor() as cursor:
        cursor.execute("SELECT pg_advisory_xact_lock(%s, hashtext(%s))", [RULE_LOCK_SPACE, name])

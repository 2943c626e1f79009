"""What a rule does on its own when its deadline passes (e.g. DOC-7: silence counts as consent).

A domain app registers one function per rule ID, usually in its AppConfig.ready():

    from tiexi_gov.deadlines.handlers import Busy, Settled, register

    @register("DOC-7")
    def countersign_silence_is_consent(deadline):
        ...  # record "逾期未回复，视为无不同意见" on deadline.subject
        return Settled("逾期未回复，视为无不同意见")

The sweep calls the handler once per overdue deadline, inside the sweep's transaction and in its own
savepoint, BEFORE escalating:
- return Settled(note): the rule itself settles the lapse; the deadline is closed as "settled" and no
  督办 is sent (nobody failed: the rule says what silence means);
- return None: the ordinary path — the row is marked missed and escalated; it stays owed until closed;
- raise Busy: the subject is locked by a person acting on it right now (lock it with skip_locked); the
  row is left open for the next sweep, so the sweep never waits on (or deadlocks with) a user's action;
- any other exception is rolled back alone, logged and recorded, and the row is escalated as usual, so a
  person follows the matter up.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING, NamedTuple

from . import rules

if TYPE_CHECKING:
    from .models import Deadline

Handler = Callable[["Deadline"], "Settled | None"]


class Settled(NamedTuple):
    """A handler's answer: the rule settles the lapse itself; `note` is recorded on the deadline."""

    note: str


class Busy(Exception):
    """Raised by a handler whose subject is locked by a concurrent action: try again at the next sweep."""


_registry: dict[str, Handler] = {}


class HandlerAlreadyRegistered(RuntimeError):
    pass


def register(rule_id: str, *, replace: bool = False) -> Callable[[Handler], Handler]:
    """Decorator: call the function when a deadline of `rule_id` passes. One handler per rule."""
    rules.get(rule_id)  # an unknown rule ID is a bug, not a silent no-op

    def decorator(fn: Handler) -> Handler:
        existing = _registry.get(rule_id)
        if existing is not None and existing is not fn and not replace:
            raise HandlerAlreadyRegistered(f"{rule_id} already has a handler: {existing!r}")
        _registry[rule_id] = fn
        return fn

    return decorator


def unregister(rule_id: str) -> Handler | None:
    return _registry.pop(rule_id, None)


def get(rule_id: str) -> Handler | None:
    return _registry.get(rule_id)


def registered() -> dict[str, Handler]:
    return dict(_registry)

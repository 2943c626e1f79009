"""One error hierarchy for every refused action, whatever the app: the message the user reads (Chinese), the rule
it rests on, and — when someone else was first — who handled the item. Views catch `ActionRefused` and show
`message`; `NotAllowed` is also a PermissionDenied so that an unguarded view still answers 403, never 500."""

from __future__ import annotations

from django.core.exceptions import PermissionDenied

from tiexi_gov.deadlines import rules


class ActionRefused(Exception):
    """A refusal the user should read. `violations` lists every rule broken when several are reported at once."""

    rule_id = ""

    def __init__(self, message: str, *, rule_id: str = "", violations: list[ActionRefused] | None = None):
        message = rules.plain(message)  # what people read cites articles, never the rules' internal IDs
        super().__init__(message)
        self.message = message
        self.rule_id = rule_id or type(self).rule_id
        self.violations = list(violations) if violations else [self]

    def __str__(self) -> str:
        return self.message

    @property
    def rule_ids(self) -> list[str]:
        return [v.rule_id for v in self.violations]


class RuleViolation(ActionRefused):
    """A working rule refuses the action; the message names the rule."""

    def __init__(self, rule_id: str, message: str, violations: list[ActionRefused] | None = None):
        text = message if (not rule_id or rule_id in message) else f"{message}（{rule_id}）"
        super().__init__(rules.plain(text), rule_id=rule_id, violations=violations)

    @classmethod
    def combine(cls, violations: list[ActionRefused]) -> RuleViolation:
        """All the broken rules in one refusal, so the user sees every problem at once."""
        return cls(violations[0].rule_id, "；".join(v.message for v in violations), violations)


class AlreadyHandled(ActionRefused):
    """Someone else moved the item first (a concurrent action, or a stale page); `handled_by` says who."""

    def __init__(self, message: str, *, handled_by=None, rule_id: str = ""):
        super().__init__(message, rule_id=rule_id)
        self.handled_by = handled_by


class NotAllowed(ActionRefused, PermissionDenied):
    """The user may not take this action on this item."""


def raise_all(violations: list[ActionRefused]) -> None:
    """Raise every violation together (one RuleViolation), or nothing when the list is empty."""
    if violations:
        raise RuleViolation.combine(violations)

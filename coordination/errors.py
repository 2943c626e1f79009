"""The errors every coordination service raises: a refused action with the Chinese message the user reads and
the rule it enforces (CRD-1..5, LEAVE-1..4, RES-1). Views turn them into form errors or messages, never a 500."""

from __future__ import annotations

from django.core.exceptions import PermissionDenied


class CoordinationError(Exception):
    """A refused action, with the message the user reads (Chinese) and the rule id (e.g. "CRD-2")."""

    rule_id = ""

    def __init__(self, message: str, rule_id: str = ""):
        super().__init__(message)
        self.message = message
        self.rule_id = rule_id or self.rule_id

    def __str__(self) -> str:
        return self.message


class ActionNotAllowed(CoordinationError, PermissionDenied):
    """The actor may not take this step on this object (object-level permission, X-2)."""


class AlreadyHandled(CoordinationError):
    """Somebody else took the step first (a concurrent transition), or the object is no longer in that state."""

"""Coordination raises the kernel's refusals (`tiexi_gov.workflow.errors`); these names are plain aliases so that
callers and tests read naturally. Views catch `ActionRefused` (or its alias) and show `message`, never a 500."""

from __future__ import annotations

from tiexi_gov.workflow.errors import ActionRefused, AlreadyHandled, NotAllowed

CoordinationError = ActionRefused
ActionNotAllowed = NotAllowed

__all__ = ["ActionNotAllowed", "ActionRefused", "AlreadyHandled", "CoordinationError", "NotAllowed"]

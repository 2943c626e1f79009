"""The supervision app's refusals are the workflow kernel's (`tiexi_gov.workflow.errors`); these are the old names,
kept as plain aliases so that callers and tests read naturally. No copies: `except ActionRefused` catches them all."""

from tiexi_gov.workflow.errors import ActionRefused, AlreadyHandled, NotAllowed, RuleViolation

SupervisionError = ActionRefused
ActionNotAllowed = NotAllowed

__all__ = ["ActionNotAllowed", "ActionRefused", "AlreadyHandled", "NotAllowed", "RuleViolation", "SupervisionError"]

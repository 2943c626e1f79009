"""The meetings app's refusals are the kernel's (`tiexi_gov.workflow.errors`). The old names stay as plain aliases so
that callers and tests read naturally; two thin subclasses carry what a page shows besides the message."""

from __future__ import annotations

import datetime as dt

from tiexi_gov.workflow.errors import ActionRefused, AlreadyHandled, NotAllowed, RuleViolation

MeetingError = ActionRefused
ActionNotAllowed = NotAllowed

__all__ = ["ActionNotAllowed", "AgendaFrozen", "AlreadyHandled", "MeetingError", "TopicTooLate"]


class AgendaFrozen(RuleViolation):
    """MTG-5: the agenda is with the head or approved; the pages show the reason where the topic form was."""

    def __init__(self, message: str):
        super().__init__("MTG-5", message)


class TopicTooLate(RuleViolation):
    """MTG-5: filed later than 3 WD before the meeting; says the last allowed day and the next meeting."""

    def __init__(self, message: str, *, last_day: dt.date, next_meeting):
        super().__init__("MTG-5", message)
        self.last_day = last_day
        self.next_meeting = next_meeting

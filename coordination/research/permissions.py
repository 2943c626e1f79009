"""Who may see and record research (RES-1): the office and the district leaders see the yearly view; a leader
records their own days, topics and reports, the office on their behalf."""

from __future__ import annotations

from tiexi_gov.org.access import is_district_leader

from ..shared.access import _active, can_manage

__all__ = ["can_manage"]


def can_view_research(user) -> bool:
    """RES-1: the yearly research view is for the office and the district leaders."""
    return can_manage(user) or (_active(user) and is_district_leader(user))


def research_sees_all(user) -> bool:
    """The office sees every leader's row; a leader sees their own."""
    return can_manage(user)


def can_record_research(user, person) -> bool:
    """A leader records their own research days, topics and reports; the office may do it on their behalf."""
    return _active(user) and person is not None and (can_manage(user) or person.pk == user.pk)


def can_file_report(user, topic) -> bool:
    """RES-1: the leader files their own topic's research report."""
    return _active(user) and topic.person_id == user.pk


def can_file_report_for(user, topic) -> bool:
    """The office files a report on the leader's behalf."""
    return can_manage(user)

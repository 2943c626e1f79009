"""Who may act on the upkeep of the bodies: the office adjusts (CRD-3), reviews (CRD-4) and checks targets (CRD-5);
a body's host unit (its office) self-adjusts a department-led body, files member changes and files its targets.

The steps that wait on someone have their twin in `coordination.upkeep.flow`: a pending review entry waits on the
office (its staff and director, by business role); unfiled targets on the members of the body's host unit on the day
(`targets._day`, set by the workflow kernel); filed targets on the office."""

from __future__ import annotations

from tiexi_gov.org.access import member_unit_ids

from ..register.models import Body
from ..shared.access import _active, can_manage, day_of

__all__ = ["can_manage", "member_unit_ids"]


def can_adjust(user) -> bool:
    """CRD-3: the office makes the batch (or single) adjustment of a body's head and leaders."""
    return can_manage(user)


def hosts_body(user, body, day=None) -> bool:
    """The body's office: a member of the unit hosting the body on the day (its home unit, or a post held or acted
    for there) — it self-adjusts, files member changes and files targets."""
    return _active(user) and body.host_unit_id in member_unit_ids(user, day)


def can_self_adjust(user, body) -> bool:
    """CRD-3: a body headed by a department head is adjusted by its own office, which files with the office."""
    return hosts_body(user, body)


def hosted_unit_ids(user) -> set[int]:
    """Units of `user` that host an active body (one query, cached on the user for the request)."""
    if not _active(user):
        return set()
    cache = user.__dict__.setdefault("_crd_hosted_units", {})
    if "ids" not in cache:
        hosting = Body.objects.filter(status=Body.Status.ACTIVE, host_unit_id__in=member_unit_ids(user))
        cache["ids"] = set(hosting.values_list("host_unit_id", flat=True))
    return cache["ids"]


def can_view_leader_changes(user) -> bool:
    """The office sees every change; a unit hosting a body sees the changes of its own bodies."""
    return can_manage(user) or bool(hosted_unit_ids(user))


def can_review_bodies(user) -> bool:
    """CRD-4: the periodic review (清理) is the office's."""
    return can_manage(user)


def can_decide_entry(user, entry) -> bool:
    """CRD-4: the office decides on each body of a round."""
    return can_review_bodies(user)


def _body_stands(targets) -> bool:
    """An abolished or merged body files and is checked no more: its year's targets end with it."""
    return targets is None or targets.body.status == Body.Status.ACTIVE


def can_file_targets(user, targets) -> bool:
    """CRD-5: the body's office files its year's targets."""
    return _body_stands(targets) and hosts_body(user, targets.body, day_of(targets))


def can_check_targets(user, targets=None) -> bool:
    """CRD-5: the office opens the year, checks completion and sends follow-ups to the ledger."""
    return can_manage(user) and _body_stands(targets)


def can_view_targets(user, targets) -> bool:
    return can_manage(user) or hosts_body(user, targets.body, day_of(targets))

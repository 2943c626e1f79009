"""Per-request memos on the user object (who handles which post, roles, visible units), so a page that asks ten
times pays once. In a request the user object is fresh; in one process that changes the org chart (tests, the admin,
`seed_demo`), every change of a post, appointment, portfolio, acting arrangement or role bumps a version and old
memos are ignored — a memo never shows anyone a stale permission."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from django.db.models.signals import m2m_changed, post_delete, post_save
from django.utils.functional import LazyObject, empty

_version = 0


def bump(*_args, **_kwargs) -> None:
    global _version
    _version += 1


def _store(user) -> dict:
    """The memo dict of the user object itself — through request.user's SimpleLazyObject, whose own __dict__ is
    not the user's (the login backend seeds the role names on the user, org.backends)."""
    while isinstance(user, LazyObject):  # django-otp wraps the auth middleware's lazy user in another
        if user._wrapped is empty:
            user._setup()
        user = user._wrapped
    return user.__dict__.setdefault("_org_memo", {})


def memo(user, name: str, key: Any, compute: Callable[[], Any]) -> Any:
    store = _store(user)
    slot = (name, key, _version)
    if slot not in store:
        store[slot] = compute()
    return store[slot]


def seed(user, name: str, key: Any, value: Any) -> None:
    """Store a memo computed elsewhere (the role names read with the user, org.backends)."""
    _store(user)[(name, key, _version)] = value


def connect() -> None:
    """Bump the version on every write to the org chart (called from OrgConfig.ready)."""
    from .models import ActingArrangement, Appointment, Portfolio, Post, Unit, User  # not before the apps are ready

    for model in (ActingArrangement, Appointment, Portfolio, Post, Unit, User):
        post_save.connect(bump, sender=model, dispatch_uid=f"org_memo_save_{model.__name__}")
        post_delete.connect(bump, sender=model, dispatch_uid=f"org_memo_delete_{model.__name__}")
    m2m_changed.connect(bump, sender=User.groups.through, dispatch_uid="org_memo_groups")

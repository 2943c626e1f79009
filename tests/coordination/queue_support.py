"""Checks of 我的待办 for the coordination tests: who has an item in their queue, and the completeness rule — a user
has an allowed (non-optional) FSM transition on an item if and only if an open task of the item reaches them."""

from __future__ import annotations

import datetime as dt
import random

from django.contrib.contenttypes.models import ContentType

from tiexi_gov.org.models import User
from tiexi_gov.workflow.errors import ActionRefused
from tiexi_gov.workflow.models import Task
from tiexi_gov.workflow.registry import flows
from tiexi_gov.workflow.selectors import queue, reaches

from .coordination_walk import CREATORS, DRIVERS


def fresh(user) -> User:
    """A new user object: the access caches (handlers, roles) live on the object for one request."""
    return User.objects.get(pk=user.pk)


def queued(user, day: dt.date) -> set[tuple[str, int]]:
    """(model name, pk) of everything in `user`'s 我的待办 on `day`, read through the queue page's own selector."""
    rows = [row for section in queue(fresh(user), day, per_area=1000) for row in section.rows]
    return {(ContentType.objects.get_for_id(row.subject_type_id).model, row.subject_id) for row in rows}


def key(obj) -> tuple[str, int]:
    return (obj._meta.model_name, obj.pk)


def labels(obj, day: dt.date) -> dict[str, set[str]]:
    """For each open task of `obj`: its action label → the usernames it reaches on `day`."""
    users = list(User.objects.filter(is_active=True).order_by("pk"))
    out: dict[str, set[str]] = {}
    for task in Task.objects.open().of(obj):
        out.setdefault(task.action_label, set()).update(u.username for u in users if reaches(u, task, day))
    return out


def coordination_flows():
    return [f for f in flows() if f.model._meta.app_label == "coordination"]


def allowed_moves(obj, flow, users, day: dt.date, *, optional: bool = False) -> list[tuple[User, str]]:
    """(user, transition) pairs allowed on `obj` on `day` (conditions, then each user's object permission)."""
    obj._day = day
    state = getattr(obj, flow.state_field)
    transitions = list(getattr(obj, f"get_available_{flow.state_field}_transitions")())
    if not optional:
        transitions = [t for t in transitions if not flow.is_optional(t.name, state)]
    return [(u, t.name) for t in transitions for u in users if t.has_perm(obj, u)]


def mismatches(day: dt.date) -> list[str]:
    """Every (item, user) where "may act" and "in the queue" disagree on `day`; empty when the queue is complete."""
    users = list(User.objects.order_by("pk"))
    problems = []
    for flow in coordination_flows():
        ct = ContentType.objects.get_for_model(flow.model)
        tasks: dict[int, list[Task]] = {}
        for task in Task.objects.open().filter(subject_type=ct):
            tasks.setdefault(task.subject_id, []).append(task)
        for obj in flow.model.objects.order_by("pk"):
            may = {u.pk for u, _ in allowed_moves(obj, flow, users, day)}
            for user in users:
                waits = any(reaches(user, t, day) for t in tasks.get(obj.pk, []))
                if (user.pk in may) != waits:
                    what = "may act but has no task" if user.pk in may else "has a task but may not act"
                    state = getattr(obj, flow.state_field)
                    problems.append(f"{flow.model.__name__} {obj.pk} ({state}): {user.username} {what} on {day}")
    return problems


def walk(seed: int, steps: int, start: dt.date, *, check_every: int = 6) -> tuple[dt.date, list[str]]:
    """Random steps through the services (creators and drivers), checking completeness as it goes. Returns the
    last day and every mismatch seen."""
    rng = random.Random(seed)
    day, seen = start, []
    for i in range(steps):
        users = list(User.objects.filter(is_active=True).order_by("pk"))  # fresh: no stale access caches
        moves = []
        if rng.random() > 0.35:
            for flow in coordination_flows():
                for obj in flow.model.objects.order_by("pk"):
                    moves += [(obj, u, t) for u, t in allowed_moves(obj, flow, users, day, optional=True)]
        try:
            if moves:  # a kind of step first (so that a long list of one kind does not crowd out the others)
                kinds = sorted({(type(obj).__name__, name) for obj, _, name in moves})
                kind = rng.choice(kinds)
                obj, user, name = rng.choice([m for m in moves if (type(m[0]).__name__, m[2]) == kind])
                DRIVERS[(type(obj), name)](obj, user, day, rng)
            else:
                rng.choice(CREATORS)(rng, day)
        except ActionRefused:
            pass
        if rng.random() < 0.35:
            day += dt.timedelta(days=rng.randint(1, 5))
        if i % check_every == check_every - 1:
            seen += mismatches(day)
    seen += mismatches(day)
    return day, seen

"""The queue-completeness check of issue 10, for every area at once.

For a user and a day: the items on which the user has an allowed step — an FSM transition available now (its
conditions met) whose object permission the user holds, leaving out the transitions each Flow declares optional —
must be exactly the items in the user's 我的待办 (the open tasks the queue's own query returns).

`walk()` drives random steps through the real services of all four areas (each area's CREATORS and DRIVERS in
tests/<area>/<area>_walk.py), with acting arrangements coming and going and the days moving on.
"""

from __future__ import annotations

import datetime as dt
import random
from collections.abc import Iterable

from django.contrib.contenttypes.models import ContentType

from meetings.tasks import resync_past
from tests.coordination import coordination_walk
from tests.documents import documents_walk
from tests.meetings import meetings_walk
from tests.supervision import supervision_walk
from tiexi_gov.org.models import ActingArrangement, Post, User
from tiexi_gov.workflow.errors import ActionRefused
from tiexi_gov.workflow.registry import Flow, flows, part_models
from tiexi_gov.workflow.selectors import open_tasks_for

WALKS = (documents_walk, supervision_walk, meetings_walk, coordination_walk)
CREATORS = [creator for walk in WALKS for creator in walk.CREATORS]
DRIVERS = {key: driver for walk in WALKS for key, driver in walk.DRIVERS.items()}

Item = tuple[int, int]  # (content type id, pk)


def fresh_users(users: Iterable | None = None) -> list[User]:
    """New user objects: the per-request memos (posts handled, roles) start empty, as in a new request."""
    qs = User.objects.filter(is_active=True) if users is None else User.objects.filter(pk__in=[u.pk for u in users])
    return list(qs.order_by("pk"))


def item_key(obj) -> Item:
    return ContentType.objects.get_for_model(obj).pk, obj.pk


def fsm_models() -> list[tuple[type, Flow, callable]]:
    """Every FSM model of every flow: the item models and their parts, with how to reach the item."""
    out = [(flow.model, flow, lambda obj: obj) for flow in flows()]
    out += [(model, flow, part.item_of) for model, (flow, part) in part_models().items()]
    return out


def steps_open(obj, flow: Flow, *, optional: bool = False) -> list:
    """The transitions available on `obj` now (conditions met), without the optional ones unless asked."""
    field = flow.state_field if isinstance(obj, flow.model) else "state"
    state = getattr(obj, field)
    transitions = list(getattr(obj, f"get_available_{field}_transitions")())
    return transitions if optional else [t for t in transitions if not flow.is_optional(t.name, state)]


def allowed_items(users: list[User], day: dt.date) -> dict[int, set[Item]]:
    """user pk → the items on which the user has an allowed (non-optional) step on `day`."""
    out: dict[int, set[Item]] = {u.pk: set() for u in users}
    for model, flow, item_of in fsm_models():
        for obj in model.objects.order_by("pk"):
            obj._day = day
            transitions = steps_open(obj, flow)
            if not transitions:
                continue
            key = item_key(item_of(obj))
            for user in users:
                if key not in out[user.pk] and any(t.has_perm(obj, user) for t in transitions):
                    out[user.pk].add(key)
    return out


def queued_items(user: User, day: dt.date) -> set[Item]:
    """The items in `user`'s 我的待办 on `day`, read with the queue page's own query."""
    return set(open_tasks_for(user, day).values_list("subject_type_id", "subject_id"))


def mismatches(day: dt.date, users: Iterable | None = None) -> list[str]:
    """Every (user, item) where "may act" and "in the queue" disagree; empty when the queue is complete. The
    portal's hourly jobs that follow the calendar have run by `day` (meetings.tasks: a meeting's day going by)."""
    resync_past(day)
    people = fresh_users(users)
    allowed = allowed_items(people, day)
    problems = []
    for user in people:
        queued = queued_items(user, day)
        for ct_id, pk in sorted(allowed[user.pk] ^ queued):
            model = ContentType.objects.get_for_id(ct_id).model_class()
            obj = model.objects.filter(pk=pk).first()
            what = "may act but it is not in the queue" if (ct_id, pk) in allowed[user.pk] else "queued, may not act"
            problems.append(f"{day} {user.username}: {model.__name__} {pk} [{getattr(obj, 'state', '?')}] {what}")
    return problems


def _toggle_acting(rng: random.Random, day: dt.date) -> None:
    """A leader or a unit head goes away for a few days with someone acting (ORG-3, LEAVE-4), or an arrangement
    is cancelled. Valid arrangements only (the admin form's rules)."""
    live = list(ActingArrangement.objects.on(day).filter(cancelled=False))
    if live and rng.random() < 0.3:
        row = rng.choice(live)
        row.end = max(row.start, day - dt.timedelta(days=1))
        row.save()
        return
    busy = {a.absent_post_id for a in ActingArrangement.objects.filter(cancelled=False, end__gte=day)}
    leaders = [p for p in Post.objects.filter(kind__in=(Post.Kind.EXEC_DEPUTY, Post.Kind.DEPUTY)) if p.pk not in busy]
    heads = list(Post.objects.filter(kind=Post.Kind.HEAD).exclude(pk__in=busy))
    start, end = day + dt.timedelta(days=rng.randint(0, 2)), day + dt.timedelta(days=rng.randint(2, 8))
    if heads and rng.random() < 0.3:
        executive = Post.objects.filter(kind=Post.Kind.EXEC_DEPUTY).first()
        if executive is not None:
            ActingArrangement.objects.create(
                absent_post=heads[0], acting_post=executive, kind="entrusted", start=start, end=end
            )
        return
    if len(leaders) >= 2:
        absent, acting = rng.sample(leaders, 2)
        ActingArrangement.objects.create(
            absent_post=absent, acting_post=acting, kind="designated", start=start, end=end
        )
        return
    unit_heads = [p for p in Post.objects.filter(kind=Post.Kind.UNIT_HEAD) if p.pk not in busy]
    rng.shuffle(unit_heads)
    for head in unit_heads:
        deputy = Post.objects.filter(unit_id=head.unit_id, kind=Post.Kind.UNIT_DEPUTY).first()
        if deputy is not None:
            ActingArrangement.objects.create(absent_post=head, acting_post=deputy, start=start, end=end)
            return


def _random_move(rng: random.Random, day: dt.date, users: list[User]):
    """A random (object, user, transition) allowed now: a kind of item first, then an item with a step open, then
    one of the people allowed to take it; None when nothing can move."""
    models = fsm_models()
    rng.shuffle(models)
    for model, flow, _item_of in models:
        objects = list(model.objects.order_by("pk"))
        rng.shuffle(objects)
        for obj in objects[:12]:
            obj._day = day
            transitions = [t for t in steps_open(obj, flow, optional=True) if (model, t.name) in DRIVERS]
            rng.shuffle(transitions)
            for t in transitions:
                people = [u for u in users if t.has_perm(obj, u)]
                if people:
                    return obj, rng.choice(people), t.name
    return None


def walk(seed: int, steps: int, start: dt.date, *, check_every: int = 8, acting: bool = True):
    """Random steps through the services of every area, checking completeness as it goes. Returns (the last day,
    the mismatches seen, the (model, transition) pairs taken)."""
    rng = random.Random(seed)
    day, seen, taken = start, [], set()
    for i in range(steps):
        move = _random_move(rng, day, fresh_users()) if rng.random() > 0.3 else None
        try:
            if move is not None:
                obj, user, name = move
                DRIVERS[(type(obj), name)](obj, user, day, rng)
                taken.add((type(obj).__name__, name))
            else:
                rng.choice(CREATORS)(rng, day)
        except ActionRefused:
            pass
        if acting and rng.random() < 0.1:
            _toggle_acting(rng, day)
        if rng.random() < 0.3:
            day += dt.timedelta(days=rng.randint(1, 3))
        if i % check_every == check_every - 1:
            seen += mismatches(day)
    seen += mismatches(day)
    return day, seen, taken

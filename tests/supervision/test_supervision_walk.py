"""Issue 10 for the supervision area: the queue is complete. Whoever may take a step on a ledger item, an outcome, an
inquiry or a half-year report has it in 我的待办, and nobody else does — after every few steps of random walks through
the services (`supervision_walk.py`) in the tests' district (with a deputy away part of the time, LEAVE-4), and on
the demo ledger.

Also: the walk's drivers cover every non-optional transition, and every non-final state either waits on someone
(a non-optional transition) or is declared as waiting on nobody, with the reason."""

from __future__ import annotations

import datetime as dt
import random

import pytest
from django.core.management import call_command
from supervision_support import DAY, allowed_steps, completeness_gaps
from supervision_walk import CREATORS, DRIVERS

from tests.factories import ActingArrangementFactory
from tiexi_gov.org.models import User
from tiexi_gov.workflow.errors import ActionRefused
from tiexi_gov.workflow.models import Area, Task
from tiexi_gov.workflow.registry import flow_for, flows
from tiexi_gov.workflow.selectors import reaches

pytestmark = [pytest.mark.django_db]


@pytest.fixture(autouse=True)
def media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path


def _supervision_flows():
    return [f for f in flows() if f.area == Area.SUPERVISION]


def _transitions(model):
    field = model._meta.get_field(flow_for(model).state_field)
    return [(t.source, t.name) for t in field.get_all_transitions(model)]


def test_every_item_model_of_the_supervision_app_has_a_flow():
    assert {f.model.__name__ for f in _supervision_flows()} == {
        "SupervisionItem",
        "Outcome",
        "PublicInquiry",
        "HalfYearReport",
    }


def test_every_non_optional_transition_of_the_supervision_app_has_a_driver():
    missing = {
        (flow.model.__name__, name)
        for flow in _supervision_flows()
        for source, name in _transitions(flow.model)
        if not flow.is_optional(name, source) and (flow.model, name) not in DRIVERS
    }
    assert not missing


def test_every_non_final_state_waits_on_someone_or_is_declared_as_waiting_on_nobody():
    for flow in _supervision_flows():
        transitions = _transitions(flow.model)
        for state in {source for source, _ in transitions}:
            waits = any(source == state and not flow.is_optional(name, source) for source, name in transitions)
            assert waits or flow.nobody.get(state), (flow.model.__name__, state)
            assert not (waits and state in flow.nobody), (flow.model.__name__, state)


def _any_step(rng: random.Random, day: dt.date) -> str:
    """An alternative someone may take (a refusal, a return, a cancellation, a reassignment …): optional ones too."""
    objs = [obj for flow in _supervision_flows() for obj in flow.model.objects.order_by("pk")]
    rng.shuffle(objs)
    people = list(User.objects.filter(is_active=True).order_by("pk"))
    for obj in objs[:10]:
        flow = flow_for(obj)
        obj._day = day
        for user in rng.sample(people, len(people)):
            user = User.objects.get(pk=user.pk)
            names = [
                t.name for t in getattr(obj, f"get_available_{flow.state_field}_transitions")() if t.has_perm(obj, user)
            ]
            if names:
                name = rng.choice(sorted(names))
                DRIVERS[(flow.model, name)](obj, user, day, rng)
                return f"{user.username}: {flow.model.__name__} {obj.pk} {name} (any)"
    return "no step"


def _step(rng: random.Random, day: dt.date) -> str:
    """One random action: a new item, or a step someone's queue offers (the task's item, a person it reaches)."""
    open_tasks = Task.objects.open().filter(area=Area.SUPERVISION)
    if rng.random() < 0.25 or not open_tasks.exists():
        creator = rng.choice(CREATORS)
        made = creator(rng, day)
        return f"{creator.__name__} → {made!r}"
    if rng.random() < 0.15:
        return _any_step(rng, day)
    task = rng.choice(list(open_tasks.order_by("pk")))
    flow = next(f for f in _supervision_flows() if f.model._meta.model_name == task.subject_type.model)
    item = flow.model.objects.get(pk=task.subject_id)
    people = [u for u in User.objects.filter(is_active=True).order_by("pk") if reaches(u, task, day)]
    if not people:
        return f"an open task reaches nobody today: {task} ({task.action})"
    user = User.objects.get(pk=rng.choice(people).pk)
    steps = allowed_steps(item, user, day)
    assert steps, f"{user.username} has {task} in the queue but no step on {item!r}"
    name = rng.choice(steps)
    DRIVERS[(flow.model, name)](item, user, day, rng)
    return f"{user.username}: {flow.model.__name__} {item.pk} {name}"


@pytest.mark.parametrize("seed", [1, 2, 3])
def test_queue_is_complete_after_every_step_of_a_random_walk(world, seed):
    rng = random.Random(seed)
    day = DAY
    # 李副区长 is away for a week from the fifth day of the walk: 孙副区长 handles the post (LEAVE-4).
    ActingArrangementFactory(
        absent_post=world.dep_a_post,
        acting_post=world.dep_b_post,
        start=DAY + dt.timedelta(days=5),
        end=DAY + dt.timedelta(days=11),
    )
    log = []
    for i in range(60):
        try:
            log.append(_step(rng, day))
        except ActionRefused as exc:
            log.append(f"refused: {exc}")
        if i % 3 == 2:
            gaps = completeness_gaps(day)
            assert not gaps, "\n".join(log[-6:] + gaps[:10])
        if rng.random() < 0.25:
            day += dt.timedelta(days=rng.choice([1, 2, 5, 9]))
    assert Task.objects.filter(area=Area.SUPERVISION).exists()
    assert Task.objects.filter(area=Area.SUPERVISION, closed_at__isnull=False).exists()


def test_the_demo_ledger_queue_is_complete_for_every_demo_login(db, settings):
    settings.DEBUG = True
    call_command("seed_demo", "--password", "demo-pass-2026", verbosity=0)
    call_command("seed_demo_supervision", verbosity=0)
    from django.utils import timezone

    assert not completeness_gaps(timezone.localdate())

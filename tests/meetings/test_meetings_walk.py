"""Issue 10 for the meetings area: the queue is complete. Whoever may take a step on a meeting, a topic, a leave
request, minutes, the MTG-11 plan or an unplanned district-wide meeting has it in 我的待办, and nobody else does —
after every step of random walks through the services (`meetings_walk.py`), in the tests' district.

Also: the walk's drivers cover every non-optional transition, and every non-final state either waits on someone
(a non-optional transition) or is declared as waiting on nobody, with the reason."""

from __future__ import annotations

import datetime as dt
import random

import pytest
from meetings_support import DAY, allowed_steps, completeness_gaps
from meetings_walk import CREATORS, DRIVERS

from tiexi_gov.org.models import User
from tiexi_gov.workflow.errors import ActionRefused
from tiexi_gov.workflow.models import Area, Task
from tiexi_gov.workflow.registry import flow_for, flows
from tiexi_gov.workflow.selectors import reaches

pytestmark = [pytest.mark.django_db]


@pytest.fixture(autouse=True)
def media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path


def _meeting_flows():
    return [f for f in flows() if f.area == Area.MEETINGS]


def _transitions(model):
    field = model._meta.get_field(flow_for(model).state_field)
    return [(t.source, t.name) for t in field.get_all_transitions(model)]


def test_every_non_optional_transition_of_the_meetings_app_has_a_driver():
    missing = {
        (flow.model.__name__, name)
        for flow in _meeting_flows()
        for source, name in _transitions(flow.model)
        if not flow.is_optional(name, source) and (flow.model, name) not in DRIVERS
    }
    assert not missing


def test_every_non_final_state_waits_on_someone_or_is_declared_as_waiting_on_nobody():
    for flow in _meeting_flows():
        transitions = _transitions(flow.model)
        for state in {source for source, _ in transitions}:
            waits = any(source == state and not flow.is_optional(name, source) for source, name in transitions)
            assert waits or flow.nobody.get(state), (flow.model.__name__, state)
            assert not (waits and state in flow.nobody), (flow.model.__name__, state)


def _step(rng: random.Random, day: dt.date) -> str:
    """One random action: a new item, or a step someone's queue offers (the task's item, a person it reaches)."""
    if rng.random() < 0.3 or not Task.objects.open().filter(area=Area.MEETINGS).exists():
        creator = rng.choice(CREATORS)
        made = creator(rng, day)
        return f"{creator.__name__} → {made!r}"
    task = rng.choice(list(Task.objects.open().filter(area=Area.MEETINGS).order_by("pk")))
    flow = next(f for f in _meeting_flows() if f.model._meta.model_name == task.subject_type.model)
    item = flow.model.objects.get(pk=task.subject_id)
    people = [u for u in User.objects.filter(is_active=True).order_by("pk") if reaches(u, task, day)]
    assert people, f"an open task reaches nobody: {task} ({task.action})"
    user = User.objects.get(pk=rng.choice(people).pk)
    steps = allowed_steps(item, user, day)
    assert steps, f"{user.username} has {task} in the queue but no step on {item!r}"
    name = rng.choice(steps)
    DRIVERS[(flow.model, name)](item, user, day, rng)
    return f"{user.username}: {flow.model.__name__} {item.pk} {name}"


@pytest.mark.parametrize("seed", [1, 2])
def test_queue_is_complete_after_every_step_of_a_random_walk(world, seed):
    rng = random.Random(seed)
    day = DAY
    log = []
    for i in range(45):
        try:
            log.append(_step(rng, day))
        except ActionRefused as exc:
            log.append(f"refused: {exc}")
        if i % 3 == 2:
            gaps = completeness_gaps(day)
            assert not gaps, "\n".join(log[-6:] + gaps[:10])
        if rng.random() < 0.2:
            day += dt.timedelta(days=rng.choice([1, 3, 7, 14]))
    assert Task.objects.filter(area=Area.MEETINGS).exists()


def test_queue_is_complete_in_the_demo_district_before_and_after_a_walk(db, settings):
    """The demo district (`seed_demo`, `seed_demo_meetings`): the year's meetings wait on nobody yet; after a walk of
    the drivers the queue still agrees with the allowed steps, for every demo login."""
    from django.core.management import call_command
    from django.utils import timezone

    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
    settings.DEBUG = True
    call_command("seed_demo", "--password", "demo-pass-2026", verbosity=0)
    call_command("seed_demo_meetings", verbosity=0)
    day = timezone.localdate()
    assert not completeness_gaps(day)
    rng = random.Random(7)
    log = []
    for _ in range(20):
        try:
            log.append(_step(rng, day))
        except ActionRefused as exc:
            log.append(f"refused: {exc}")
    gaps = completeness_gaps(day)
    assert not gaps, "\n".join(log[-6:] + gaps[:10])

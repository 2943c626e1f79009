"""Issue 14 (speed): the navbar's count and 我的待办 read in plain SQL made from the same description of who a task
reaches as the queue's ORM filter — they must agree with `open_tasks_for` row for row: one row per item and action,
the same order (overdue, due today, by urgency, by due date, oldest first), the same totals per area."""

from __future__ import annotations

import datetime as dt

import pytest
from django.contrib.contenttypes.models import ContentType
from django.utils import timezone

from tests.factories import ActingArrangementFactory, UnitFactory, UserFactory, appoint
from tiexi_gov.deadlines.models import Deadline
from tiexi_gov.org.models import Post, User
from tiexi_gov.org.roles import Role
from tiexi_gov.workflow import selectors
from tiexi_gov.workflow.models import AREA_ORDER, Area, Task, UnitScope

pytestmark = pytest.mark.django_db


def _reference(user, day, per_area):
    """What the queue must show, read through the ORM queryset every other reader uses."""
    by_area: dict[str, list[Task]] = {}
    for task in selectors.open_tasks_for(user, day):
        by_area.setdefault(task.area, []).append(task)
    return [
        (area, len(tasks), [t.pk for t in tasks[:per_area]], [t.due for t in tasks[:per_area]])
        for area, tasks in sorted(by_area.items(), key=lambda kv: AREA_ORDER.get(kv[0], 99))
    ]


def _world(day):
    """A clerk with a post who also acts for an absent unit head; tasks reaching them every way, several twice
    (the same item and action by name and by role), with clocks overdue, due today, later, closed and none."""
    user = UserFactory(unit=UnitFactory(), roles=[Role.CLERK])
    own_post, _ = appoint(Post.Kind.UNIT_DEPUTY, unit=user.unit, person=user)
    absent, _ = appoint(Post.Kind.UNIT_HEAD, unit=UnitFactory())
    ActingArrangementFactory(absent_post=absent, acting_post=own_post, start=day, end=day)
    ct = ContentType.objects.get_for_model(User)
    owners = [
        {"owner_user": user},
        {"owner_unit": user.unit, "unit_scope": UnitScope.CLERKS},
        {"owner_role": str(Role.CLERK)},
        {"owner_post": own_post},
        {"owner_post": absent},
        {"owner_unit": UnitFactory(), "unit_scope": UnitScope.CLERKS},  # reaches nobody here
    ]
    dues = [day - dt.timedelta(days=3), day, day + dt.timedelta(days=5), day + dt.timedelta(days=1), None]
    areas = list(Area.values)
    now = timezone.now()
    for i in range(60):
        due = dues[i % len(dues)]
        clock = None
        if due is not None:
            clock = Deadline.objects.create(
                subject_type=ct,
                subject_id=str(20_000 + i),
                subject_repr=f"时限{i}",
                rule_id="DOC-13",
                title=f"时限{i}",
                counted_from=day - dt.timedelta(days=10),
                due=due,
                remind_on=due - dt.timedelta(days=1),
                owner_user=user,
                closed_at=now if i % 7 == 0 else None,  # a closed clock: no due day, last band
            )
        Task.objects.create(
            subject_type=ct,
            subject_id=str(20_000 + i // 2),  # pairs of tasks on one item …
            subject_repr=f"事项{i}",
            area=areas[i % len(areas)],
            key=f"speed|{i}",
            action="x" if i % 4 < 2 else f"y{i}",  # … some of them for the same action: one row
            action_label="待办理",
            urgency=i % 3,
            opened_at=now - dt.timedelta(minutes=i % 5),
            deadline=clock,
            **owners[i % len(owners)],
        )
    return user


@pytest.mark.parametrize("per_area", [30, 2])
def test_issue14_queue_in_plain_sql_matches_the_orm_queue_row_for_row(per_area):
    day = timezone.localdate()
    user = User.objects.get(pk=_world(day).pk)
    sections = selectors.queue(user, day, per_area=per_area)
    got = [(s.area, s.total, [r.pk for r in s.rows], [r.due for r in s.rows]) for s in sections]
    assert got == _reference(User.objects.get(pk=user.pk), day, per_area)
    assert sum(s.total for s in sections) < Task.objects.count()  # the twins and the stranger's tasks are out


def test_issue14_navbar_count_is_one_per_item_and_action_as_the_queue_reads_them():
    day = timezone.localdate()
    user = User.objects.get(pk=_world(day).pk)
    reference = selectors.open_tasks_for(user, day).count()
    assert selectors.open_count(user, day) == reference == sum(s.total for s in selectors.queue(user, day))
    Task.objects.filter(owner_user=user).update(closed_at=timezone.now())
    user = User.objects.get(pk=user.pk)
    assert selectors.open_count(user, day) == selectors.open_tasks_for(user, day).count() < reference


def test_issue14_nobody_logged_in_or_inactive_is_reached_by_nothing():
    from django.contrib.auth.models import AnonymousUser

    day = timezone.localdate()
    user = _world(day)
    assert selectors.open_count(AnonymousUser(), day) == 0 and selectors.queue(AnonymousUser(), day) == []
    User.objects.filter(pk=user.pk).update(is_active=False)
    inactive = User.objects.get(pk=user.pk)
    assert selectors.open_count(inactive, day) == 0 and selectors.queue(inactive, day) == []

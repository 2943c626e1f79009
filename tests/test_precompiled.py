"""Statements compiled once (issue 14.3): every call reads the database with its own values and returns exactly
what the ORM returns (instances, select_related, annotations, row locks), on SQLite and PostgreSQL; a shape the
probes cannot stand for runs through the ORM; nothing read is kept between calls."""

import datetime as dt
import threading

import pytest
from django.db import OperationalError, connection, transaction
from django.db.models import Count, Exists, OuterRef

from tests.factories import UnitFactory, UserFactory
from tiexi_gov.org.models import ActingArrangement, Appointment, Post, Unit, User
from tiexi_gov.org.selectors import _APPOINTMENTS_OF, _ARRANGEMENTS_ON, posts_held_by
from tiexi_gov.precompiled import Statement

pytestmark = pytest.mark.django_db

DAY = dt.date(2026, 6, 1)
NOW = dt.datetime(2026, 6, 1, 9, tzinfo=dt.UTC)


def _appointed(unit, person, *, start=dt.date(2026, 1, 1), end=None, kind=Post.Kind.DEPUTY, title="副区长"):
    post = Post.objects.create(kind=kind, unit=unit, title=title)
    Appointment.objects.create(post=post, person=person, start=start, end=end)
    return post


def _same(fast, orm, *relations):
    assert [o.pk for o in fast] == [o.pk for o in orm]
    for a, b in zip(fast, orm, strict=True):
        for field in type(b)._meta.concrete_fields:
            assert getattr(a, field.attname) == getattr(b, field.attname), field.attname
        assert a._state.adding is False and a._state.db == b._state.db
        for path in relations:
            x, y = a, b
            for name in path.split("__"):
                assert type(y)._meta.get_field(name).is_cached(y)
                assert type(x)._meta.get_field(name).is_cached(x), f"{path} is joined, not read again"
                x, y = getattr(x, name), getattr(y, name)
            assert (x.pk if x else None) == (y.pk if y else None)


def test_x_14_a_compiled_statement_reads_what_the_orm_reads_with_each_calls_values(django_assert_num_queries):
    unit = UnitFactory()
    alice, bob = UserFactory(unit=unit), UserFactory(unit=unit)
    first = _appointed(unit, alice, title="一")
    _appointed(unit, alice, start=dt.date(2026, 7, 1), title="二")  # not yet on DAY
    _appointed(unit, bob, title="三")
    assert _APPOINTMENTS_OF.compiled(alice.pk, DAY), "the precompiled path is the one in use"
    for person, day in ((alice, DAY), (bob, DAY), (alice, dt.date(2026, 8, 1)), (alice, dt.date(2025, 1, 1))):
        orm = list(
            Appointment.objects.on(day).filter(person_id=person.pk).select_related("post__unit").order_by("post_id")
        )
        with django_assert_num_queries(1):
            fast = _APPOINTMENTS_OF(person.pk, day)
        _same(fast, orm, "post__unit")
    assert [p.pk for p in posts_held_by(alice, DAY)] == [first.pk]
    assert len(posts_held_by(alice, dt.date(2026, 8, 1))) == 2


def test_x_14_nothing_read_is_kept_a_change_is_seen_on_the_next_call():
    unit = UnitFactory()
    alice = UserFactory(unit=unit)
    post = _appointed(unit, alice)
    assert [p.pk for p in posts_held_by(alice, DAY)] == [post.pk]
    Appointment.objects.filter(post=post).update(end=DAY - dt.timedelta(days=1))  # a queryset update: no signal
    assert posts_held_by(alice, DAY) == []
    Unit.objects.filter(pk=unit.pk).update(name="改名后的单位")
    Appointment.objects.filter(post=post).update(end=None)
    assert posts_held_by(alice, DAY)[0].unit.name == "改名后的单位"


def test_x_14_related_rows_that_are_missing_or_nullable_read_as_the_orm_reads_them():
    unit = UnitFactory()
    absent, acting = UserFactory(unit=unit), UserFactory(unit=unit)
    away = _appointed(unit, absent, kind=Post.Kind.HEAD, title="区长")
    stand_in = _appointed(unit, acting, kind=Post.Kind.EXEC_DEPUTY, title="常务副区长")
    ActingArrangement.objects.create(
        absent_post=away, acting_post=stand_in, start=DAY, end=DAY, kind=ActingArrangement.Kind.ENTRUSTED
    )
    ActingArrangement.objects.create(absent_post=stand_in, acting_post=away, start=DAY, cancelled=True)
    related = ("absent_post__unit", "acting_post__unit")
    for day in (DAY, DAY + dt.timedelta(days=1)):
        orm = list(
            ActingArrangement.objects.on(day)
            .filter(cancelled=False)
            .select_related("absent_post", "absent_post__unit", "acting_post", "acting_post__unit")
            .order_by("-start", "-id")
        )
        _same(_ARRANGEMENTS_ON(day), orm, *related)
    assert len(_ARRANGEMENTS_ON(DAY)) == 1 and _ARRANGEMENTS_ON(DAY + dt.timedelta(days=1)) == []


def test_x_14_id_lists_of_any_length_annotations_and_an_empty_list():
    units = [UnitFactory() for _ in range(4)]
    for i, unit in enumerate(units):
        for _ in range(i):
            UserFactory(unit=unit)
    counted = Statement(
        lambda ids, min_id: (
            Unit.objects.filter(pk__in=ids, pk__gte=min_id)
            .annotate(people=Count("staff"), staffed=Exists(User.objects.filter(unit=OuterRef("pk"), is_active=True)))
            .order_by("pk")
        )
    )
    ids = [u.pk for u in units]
    for chosen in (ids, ids[1:3], {ids[3]}, ids[:1]):
        fast = counted(chosen, ids[0])
        orm = list(counted.build(list(chosen), ids[0]))
        _same(fast, orm)
        assert [(u.people, u.staffed) for u in fast] == [(u.people, u.staffed) for u in orm]
    assert counted.compiled(ids, 0)
    assert counted([], 0) == [] and not counted.compiled([], 0), "an empty IN list: the ORM answers it, no SQL"


def test_x_14_a_value_no_probe_stands_for_runs_through_the_orm():
    unit = UnitFactory(code="probe-code")
    by_code = Statement(lambda code: Unit.objects.filter(code=code))
    assert [u.pk for u in by_code("probe-code")] == [unit.pk]
    assert not by_code.compiled("probe-code"), "strings are not probed: the ORM builds the statement"
    stamp = Statement(lambda when: Unit.objects.filter(pk__gt=0 if when else 0))
    assert not stamp.compiled(dt.datetime(2026, 1, 1)), "a datetime has no probe"


def test_x_14_a_value_the_orm_transforms_falls_back_to_the_orm():
    """`year` is derived from the date: the probe never reaches the SQL as itself, so the shape is not compiled."""
    unit = UnitFactory()
    alice = UserFactory(unit=unit)
    _appointed(unit, alice, start=dt.date(2026, 3, 1))
    by_year = Statement(lambda day: Appointment.objects.filter(start__year=day.year))
    assert not by_year.compiled(DAY)
    assert len(by_year(DAY)) == 1 and by_year(dt.date(2025, 1, 1)) == []


@pytest.mark.django_db(transaction=True)
def test_x_14_the_kernels_compiled_row_lock_still_locks(postgres_only):
    """The kernel's lock is compiled once: it reads the row as the ORM does and still holds it — a second
    connection cannot lock it until the first transaction ends."""
    from documents.models import Submission
    from tests.documents.documents_support import build_world, submitted
    from tiexi_gov.workflow import kernel
    from tiexi_gov.workflow.registry import flow_for

    sub = submitted(build_world())
    flow = flow_for(Submission)
    table = Submission._meta.db_table

    def lock_elsewhere() -> str:
        """In another thread, so on another connection: try to lock the row for 200 ms."""
        outcome = []

        def run():
            try:
                with transaction.atomic(), connection.cursor() as cur:
                    cur.execute("SET LOCAL lock_timeout = '200ms'")
                    cur.execute(f"SELECT 1 FROM {table} WHERE id = %s FOR UPDATE", [sub.pk])
                outcome.append("locked")
            except OperationalError as exc:
                outcome.append(f"refused: {exc}")
            finally:
                connection.close()

        thread = threading.Thread(target=run)
        thread.start()
        thread.join(10)
        return outcome[0]

    with transaction.atomic():
        fresh = kernel.lock(flow, sub, day=DAY)
        assert kernel._lock_statement(flow, False).compiled(sub.pk)
        _same([fresh], [Submission.objects.select_related(*flow.lock_related).get(pk=sub.pk)], *flow.lock_related)
        assert "lock timeout" in lock_elsewhere()
    assert lock_elsewhere() == "locked"


def test_x_14_a_big_integer_column_and_a_text_object_id_compile_too():
    """A big-integer column's value is a wrapped parameter on PostgreSQL (psycopg's Int8), a generic relation's
    object id a text one: both are compiled and read the right rows."""
    from django.contrib.contenttypes.models import ContentType

    from tiexi_gov.deadlines.models import Deadline
    from tiexi_gov.workflow.models import Task
    from tiexi_gov.workflow.sync import _OPEN_TASKS

    unit = UnitFactory()
    owner = UserFactory(unit=unit)
    ct = ContentType.objects.get_for_model(Unit)
    for key, subject_id in (("k1", unit.pk), ("k2", unit.pk + 1)):
        Task.objects.create(
            subject_type=ct,
            subject_id=subject_id,
            key=key,
            action="a",
            area="documents",
            url="/",
            opened_at=NOW,
            owner_user=owner,
        )
    assert _OPEN_TASKS.compiled(ct.pk, unit.pk)
    assert [t.key for t in _OPEN_TASKS(ct.pk, unit.pk)] == ["k1"]
    by_object = Statement(
        lambda type_id, object_id: Deadline.objects.filter(subject_type_id=type_id, subject_id=object_id)
    )
    Deadline.objects.create(
        subject_type=ct,
        subject_id=str(unit.pk),
        rule_id="DOC-13",
        title="时限",
        counted_from=DAY,
        due=DAY,
        remind_on=DAY,
    )
    assert by_object.compiled(ct.pk, unit.pk)
    assert len(by_object(ct.pk, unit.pk)) == 1 and by_object(ct.pk, unit.pk + 1) == []


def test_x_14_each_columns_converters_are_worked_out_once_and_still_applied(monkeypatch):
    """The compiled statement keeps its columns' converters: later calls do not ask the compiler for them again, and
    every value still comes back as the ORM gives it (a date, a boolean annotation, on SQLite read from text)."""
    unit = UnitFactory()
    alice = UserFactory(unit=unit)
    _appointed(unit, alice, start=dt.date(2026, 3, 2))
    held = Statement(
        lambda person, day: (
            Appointment.objects.on(day)
            .filter(person_id=person)
            .select_related("post__unit")
            .annotate(unit_staffed=Exists(User.objects.filter(unit=OuterRef("post__unit"), is_active=True)))
            .order_by("pk")
        )
    )
    assert held.compiled(alice.pk, DAY)
    (compiled,) = (c for c in held._shapes.values() if c is not None)

    def asked_again(*args, **kwargs):
        raise AssertionError("the converters were worked out again")

    monkeypatch.setattr(compiled.compiler, "get_converters", asked_again)
    monkeypatch.setattr(compiled.compiler, "results_iter", asked_again)
    fast = held(alice.pk, DAY)
    orm = list(held.build(alice.pk, DAY))
    _same(fast, orm, "post__unit")
    assert fast[0].start == dt.date(2026, 3, 2) and type(fast[0].start) is dt.date
    assert fast[0].unit_staffed is True and fast[0].post.unit.active is True

"""Querysets compiled to SQL once per process, then run with each call's values (issue 14.3).

An approval or a page runs a few statements of fixed shape on every request: the user's posts, today's acting
arrangements, the item's row lock. Building such a statement through the ORM (filters, joins, select_related,
ordering) costs a few times more Python than the database spends on it, and the statement never changes, only its
values. A `Statement` builds its queryset once with probe values, keeps the compiled SQL and the compiler (for its
converters and select_related layout), and then runs the SQL with the real values: the same rows, read as the ORM
would read them, for a fraction of the cost. Nothing is cached but the SQL text: every call reads the database.

A shape is compiled twice, with two different sets of probes; it is used only when both compile to the same SQL and
the parameters that differ are exactly the probes. Otherwise (a value the ORM transforms, derives or inlines, a
value of a kind no probe stands for) that shape runs through the ORM, so a statement is never wrong, only slower.
"""

from __future__ import annotations

import datetime as dt
import itertools
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any

from django.core.exceptions import EmptyResultSet
from django.db import connections
from django.db.models import QuerySet
from django.db.models.query import FlatValuesListIterable, ModelIterable, ValuesListIterable, get_related_populators

# Two sets of probe values, far from real ones and from each other (year, month and day all differ). The ids are
# positive and within a 32-bit integer column's range: the ORM answers a value out of a column's range with no SQL
# at all (no rows), which says nothing about the real values.
_PROBE_BASES = ((2_100_000_000, dt.date(1111, 1, 1)), (1_900_000_017, dt.date(1717, 9, 13)))


@dataclass(frozen=True)
class _Compiled:
    alias: str
    sql: str
    slots: tuple  # per parameter: ("const", value) or ("arg", i, j, adapt) — j is the element of a sequence arg
    compiler: Any
    read: Callable  # rows (converted) → what the ORM's iterable yields
    converters: dict  # the compiler's converters for the selected columns, worked out once (as results_iter would)
    composite: list | None  # the columns, when a composite primary key is among them (its values become tuples)


class Statement:
    """`build(*args)` → a QuerySet whose shape depends only on the args' kinds and sequence lengths; calling the
    statement returns `list(build(*args))`: model instances (select_related and annotations included), or the
    tuples or values of a `values_list`. Args are ints, dates, or sequences of ints (the shape includes each
    sequence's length)."""

    def __init__(self, build: Callable[..., QuerySet]):
        self.build = build
        self._shapes: dict[tuple, _Compiled | None] = {}

    def __call__(self, *args) -> list:
        shape = _shape(args)
        if shape not in self._shapes:
            self._shapes[shape] = self._compile(args)
        compiled = self._shapes[shape]
        if compiled is None:
            return list(self.build(*args))
        return _run(compiled, args)

    def first(self, *args):
        rows = self(*args)
        return rows[0] if rows else None

    def compiled(self, *args) -> bool:
        """Whether calls shaped like `args` run the precompiled SQL (tests pin that the fast path is in use)."""
        self(*args)
        return isinstance(self._shapes.get(_shape(args)), _Compiled)

    def _compile(self, args) -> _Compiled | None:
        try:
            probes, others = (_probes(args, base) for base in _PROBE_BASES)
        except TypeError:  # a value of a kind no probe stands for (a datetime, a string): the ORM path
            return None
        queryset = self.build(*probes)
        alias = queryset.db
        ops = connections[alias].ops
        compiler = queryset.query.get_compiler(alias)
        try:
            sql, params = compiler.as_sql()
            other_sql, other_params = self.build(*others).query.get_compiler(alias).as_sql()
        except EmptyResultSet:  # an empty IN list, or a probe out of the column's range: the ORM decides
            return None
        slots = _slots(params, probes, ops)
        if slots is None or other_sql != sql or _slots(other_params, others, ops) != slots:
            return None
        read = _reader(queryset, compiler, alias)
        if read is None:
            return None
        fields = [column[0] for column in compiler.select[0 : compiler.col_count]]
        composite = fields if compiler.has_composite_fields(fields) else None
        return _Compiled(alias, sql, tuple(slots), compiler, read, compiler.get_converters(fields), composite)


def _shape(args) -> tuple:
    return tuple(len(a) if _is_sequence(a) else type(a) for a in args)


def _is_sequence(value) -> bool:
    return isinstance(value, (list, tuple, set, frozenset))


def _probes(args, base) -> list:
    counter = itertools.count()
    return [_probe(a, counter, base) for a in args]


def _probe(value, counter, base):
    ints, dates = base
    if _is_sequence(value):
        if not all(isinstance(v, int) and not isinstance(v, bool) for v in value):
            raise TypeError("sequences are probed as ids")
        return [ints - next(counter) for _ in value]
    if isinstance(value, dt.datetime):
        raise TypeError("no probe for a datetime")
    if isinstance(value, dt.date):
        return dates + dt.timedelta(days=next(counter))
    if isinstance(value, int) and not isinstance(value, bool):
        return ints - next(counter)
    raise TypeError(f"no probe for a {type(value).__name__}")


def _slots(params, probes: Sequence, ops) -> list | None:
    """Per compiled parameter: ("const", value) or ("arg", i, j, adapt); None unless every probe is among them.
    An id compared with a text column (a generic relation's object id) is a parameter as text: str adapts it."""
    forms = {}
    for i, probe in enumerate(probes):
        for j, value in enumerate(probe) if isinstance(probe, list) else ((None, probe),):
            forms[(type(value), value)] = (i, j, None)
            if isinstance(value, dt.date):
                adapted = ops.adapt_datefield_value(value)  # SQLite: the ISO string
                forms[(type(adapted), adapted)] = (i, j, ops.adapt_datefield_value)
            else:
                forms[(str, str(value))] = (i, j, str)
    slots, seen = [], set()
    for value in params:
        hit = forms.get((type(value), value))
        if hit is None and isinstance(value, int) and not isinstance(value, bool):
            # A big-integer column's parameter comes wrapped (psycopg's Int8): the value is wrapped the same way.
            hit = forms.get((int, int(value)))
            hit = hit and hit[:2] + (type(value),)
        slots.append(("const", value) if hit is None else ("arg", *hit))
        if hit is not None:
            seen.add(hit[:2])
    wanted = {(i, j) for i, p in enumerate(probes) for j in (range(len(p)) if isinstance(p, list) else (None,))}
    return slots if seen == wanted else None


def _reader(queryset: QuerySet, compiler, alias: str) -> Callable | None:
    """What turns the converted rows into what the queryset's iterable yields; None for other iterables."""
    kind = queryset._iterable_class
    if kind is FlatValuesListIterable:
        return lambda rows: [row[0] for row in rows]
    if kind is ValuesListIterable and not compiler.query.extra_select and not compiler.query.annotation_select:
        return lambda rows: [tuple(row) for row in rows]
    if kind is not ModelIterable or compiler.klass_info is None or queryset._known_related_objects:
        return None
    select, klass_info = compiler.select, compiler.klass_info
    fields = klass_info["select_fields"]
    start, end = fields[0], fields[-1] + 1
    model, init_list = klass_info["model"], [f[0].target.attname for f in select[start:end]]
    populators = get_related_populators(klass_info, select, alias)
    annotations = dict(compiler.annotation_col_map or {})

    def read(rows):
        objects = []
        for row in rows:
            obj = model.from_db(alias, init_list, row[start:end])
            for populator in populators:
                populator.populate(row, obj)
            for name, position in annotations.items():
                setattr(obj, name, row[position])
            objects.append(obj)
        return objects

    return read


def _value(slot, args):
    if slot[0] == "const":
        return slot[1]
    _, i, j, adapt = slot
    value = args[i] if j is None else args[i][j]
    return adapt(value) if adapt else value


def _run(compiled: _Compiled, args) -> list:
    sequences = [list(a) if _is_sequence(a) else a for a in args]  # a set's order is read once
    params = [_value(slot, sequences) for slot in compiled.slots]
    with connections[compiled.alias].cursor() as cursor:
        cursor.execute(compiled.sql, params)
        rows = cursor.fetchall()
    compiler = compiled.compiler
    if compiler.has_extra_select:  # columns added for the ordering only, as execute_sql drops them
        rows = [row[: compiler.col_count] for row in rows]
    # What compiler.results_iter does, without asking every column for its converters again on every call.
    if compiled.converters:
        rows = compiler.apply_converters(rows, compiled.converters)
    if compiled.composite:
        rows = compiler.composite_fields_to_tuples(rows, compiled.composite)
    return compiled.read(list(rows))

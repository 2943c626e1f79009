"""The one way a waiting step is done, for every app (DESIGN: "the workflow kernel and tasks").

    with step(submission, actor=actor, expect=(S.AWAITING_SIGNATURE,), today=today) as s:
        post = ...                                   # the app's own rule checks, on the locked row s.obj
        before = s.fire("sign")                      # the protected transition, with its object permission
        s.obj.signed_by = actor
        s.record("sign", "签发", before, rule_id="DOC-2")   # the audit event, in the same transaction
        s.tell([s.obj.drafted_by], "【已签发】…")          # inbox now, e-mail on commit
    # leaving the block: save (a concurrent writer → "已由XX处理"), then the item's tasks follow its new state

Entering locks the item's row (SELECT … FOR UPDATE) and re-reads it; if its state is no longer one the step
expects and differs from the state the caller saw, someone else was first and the user reads who. An exception
inside the block rolls everything back (the block runs in its own savepoint); a refusal before anything was
written ends the transaction with a commit of nothing instead (see _Writes).
"""

from __future__ import annotations

import copy
import datetime as dt
from collections.abc import Iterable, Iterator
from contextlib import contextmanager

from django.db import connection, models, transaction
from django.utils import timezone
from django_fsm import ConcurrentTransition, can_proceed, has_transition_perm

from tiexi_gov.audit.models import Event
from tiexi_gov.audit.services import collected, record_event
from tiexi_gov.notify.services import deliver, messages_for
from tiexi_gov.precompiled import Statement

from .errors import ActionRefused, AlreadyHandled, NotAllowed
from .registry import Flow, flow_for
from .sync import sync_tasks

SYSTEM_CAPACITY = "系统按规则记录"


def state_label(obj, field: str = "state") -> str:
    display = getattr(obj, f"get_{field}_display", None)
    return display() if display else str(getattr(obj, field))


def state_refusal(flow: Flow, obj, field: str | None = None) -> ActionRefused:
    return ActionRefused(f"{flow.noun}当前状态为“{state_label(obj, field or flow.state_field)}”，不能进行此操作。")


_PEOPLE: dict[type, Statement] = {}


def _person_statement(model) -> Statement:
    """The person by id, compiled once: the refusal of every click that lost a race names who was first."""
    if model not in _PEOPLE:
        _PEOPLE[model] = Statement(lambda pk: model.objects.filter(pk=pk).order_by("pk")[:1])
    return _PEOPLE[model]


def last_handler(obj):
    """Who last moved `obj`: its `last_handled_by` where the model keeps one, else the audit record's last actor."""
    if hasattr(obj, "last_handled_by_id"):
        if obj.last_handled_by_id:
            return _person_statement(type(obj).last_handled_by.field.related_model).first(obj.last_handled_by_id)
        return None
    event = Event.objects.for_object(obj).exclude(actor=None).select_related("actor").order_by("-at", "-id").first()
    return event.actor if event else None


def already_handled(flow: Flow, fresh) -> AlreadyHandled:
    person = last_handler(fresh)
    who = person.display_name if person else "他人"
    return AlreadyHandled(
        f"{flow.noun}已由{who}处理（当前状态：{state_label(fresh, flow.state_field)}），请刷新后查看。",
        handled_by=person,
    )


def as_seen(item, seen_state: str, field: str = "state"):
    """The item as the user's page showed it (the form posts the state it showed): the step compares that state
    with the locked row and answers "已由XX处理" when someone else moved it in between — a stale page or a
    simultaneous click. An unknown or empty state is ignored (the item as it is)."""
    model = type(item)
    allowed = {value for value, _label in model._meta.get_field(field).choices}
    if not seen_state or seen_state == getattr(item, field) or seen_state not in allowed:
        return item
    values = {f.attname: getattr(item, f.attname) for f in model._meta.concrete_fields if f.name != field}
    seen = model(**{field: seen_state}, **values)
    seen._state.adding = False
    seen._state.db = item._state.db
    return seen


def transitions_for(obj, user, *, field: str = "state", conditions: bool = True, only=None) -> list[str]:
    """Names of the FSM transitions `user` may fire on `obj` now: leaving its current state, with their object
    permission held, and — unless `conditions=False` — their conditions met. Pages pass conditions=False to offer
    a step whose rule is not met yet, so that the click explains the rule instead of hiding the button; `only`
    limits the question to some transitions (a posted form asks for its own)."""
    names, asked = [], {}
    for t in _leaving(obj, field, only):
        if conditions and not all(condition(obj) for condition in t.conditions):
            continue
        key = getattr(t.permission, "key", None) or id(t)
        if key not in asked:
            asked[key] = t.has_perm(obj, user)
        if asked[key]:
            names.append(t.name)
    return names


def _leaving(obj, field: str, only=None):
    """The FSM transitions leaving `obj`'s current state (`only`: these names alone)."""
    state = getattr(obj, field)
    for t in getattr(obj, f"get_all_{field}_transitions")():
        if t.source not in (state, "*") and not (t.source == "+" and t.target != state):
            continue
        if only is None or t.name in only:
            yield t


def transitions_leaving(obj, *, field: str = "state", only=None) -> list[str]:
    """Names of the FSM transitions leaving `obj`'s current state, whoever may fire them (`only`: these names
    alone): whether the state offers a step at all, as opposed to whether a given user may take it."""
    return [t.name for t in _leaving(obj, field, only)]


class RowBusy(Exception):
    """A system step asked not to wait (`skip_locked=True`) and a person holds the row right now."""


_LOCKS: dict[tuple, Statement] = {}


def _lock_statement(flow: Flow, skip_locked: bool) -> Statement:
    """The row lock of `flow`'s model, compiled once (every step of every workflow starts with it).

    Only never-changing relations are joined: a row re-read after waiting for the lock is re-checked by
    PostgreSQL against the *old* joined rows, so a changed FK would come back null-extended."""
    key = (flow.model, flow.lock_related, skip_locked)
    if key not in _LOCKS:
        _LOCKS[key] = Statement(
            lambda pk: (
                flow.model.objects.select_for_update(of=("self",), skip_locked=skip_locked)
                .select_related(*flow.lock_related)
                .filter(pk=pk)
                .order_by("pk")[:1]
            )
        )
    return _LOCKS[key]


def lock(flow: Flow, item, expect: Iterable[str] = (), *, day: dt.date, skip_locked: bool = False):
    """Lock the item's row and re-read it; refuse when its state is not one of `expect` (if given)."""
    pk = item.pk if isinstance(item, models.Model) else item
    fresh = _lock_statement(flow, skip_locked).first(pk)
    if fresh is None:
        if skip_locked and flow.model.objects.filter(pk=pk).exists():
            raise RowBusy(f"{flow.model.__name__} {pk}")
        raise ActionRefused(f"{flow.noun}不存在或已被删除。")
    fresh._day = day
    expect = tuple(expect)
    state = getattr(fresh, flow.state_field)
    if expect and state not in expect:
        seen = getattr(item, flow.state_field, None) if isinstance(item, models.Model) else None
        if seen is not None and seen != state:
            raise already_handled(flow, fresh)
        raise state_refusal(flow, fresh)
    return fresh


_UNSET = object()


def loaded_values(obj) -> dict[str, object]:
    """The columns of a row as it was read, to save only what a step changed. A mutable value (a JSON list or
    dict) is copied, so that a change made in place is still seen as a change."""
    return {
        f.attname: copy.deepcopy(v) if isinstance(v := obj.__dict__.get(f.attname, _UNSET), (list, dict)) else v
        for f in obj._meta.concrete_fields
        if not f.primary_key
    }


def changed_fields(obj, loaded: dict[str, object]) -> list[str]:
    """The columns of `obj` that differ from `loaded`, with its auto_now columns (Django stamps those only when they
    are saved). A column that was not read (deferred) counts as changed if it is set now."""
    names = []
    for f in obj._meta.concrete_fields:
        if f.primary_key:
            continue
        now = obj.__dict__.get(f.attname, _UNSET)
        if getattr(f, "auto_now", False) or (now is not _UNSET and now != loaded.get(f.attname, _UNSET)):
            names.append(f.attname)
    return names


class Step:
    """A step being done on one locked item (see the module docstring). Build it with `step()`."""

    def __init__(self, flow: Flow, obj, *, actor, day: dt.date, sync: bool):
        self.flow, self.obj, self.actor, self.day, self._sync = flow, obj, actor, day, sync
        self._dirty: dict[int, models.Model] = {}
        self._messages: list = []
        # The item's row as locked: leaving the step writes only the columns it changed (issue 14.3), not all 60.
        self._loaded = loaded_values(obj)

    # --- the transition -------------------------------------------------------------------------------------

    def fire(self, name: str, *, on=None, check_perm: bool = True) -> str:
        """Run the FSM transition `name` on the item (or on `on`, one of its step rows); return the state it left.
        The permission is the transition's own object permission: nobody passes on a global grant."""
        target = self.obj if on is None else on
        field = self.flow.state_field if on is None else "state"
        method = getattr(target, name)
        if not can_proceed(method):
            raise state_refusal(self.flow, target, field)
        if check_perm and self.actor is not None and not has_transition_perm(method, self.actor):
            raise NotAllowed(f"您无权对{self.flow.noun}进行此操作。")
        if check_perm and self.actor is None:
            raise NotAllowed("系统不能代替办理人进行此操作。")
        before = getattr(target, field)
        method()
        self.touch(target)
        return before

    def touch(self, obj=None) -> None:
        """Mark a row changed so that leaving the step saves it (the item by default)."""
        obj = self.obj if obj is None else obj
        self._dirty[id(obj)] = obj

    def save(self) -> None:
        """Save every changed row now (the step also does it on leaving)."""
        now = timezone.now()
        for obj in self._dirty.values():
            if obj is self.obj and hasattr(obj, "last_handled_by_id") and getattr(self.actor, "pk", None):
                obj.last_handled_by, obj.last_handled_at = self.actor, now
            try:
                if obj is self.obj:
                    fields = changed_fields(obj, self._loaded)
                    if fields:
                        obj.save(update_fields=fields)
                        self._loaded = loaded_values(obj)
                else:
                    obj.save()
            except ConcurrentTransition as exc:  # a writer that did not lock: still only one transition
                raise already_handled(self.flow, type(obj).objects.get(pk=obj.pk)) from exc
        self._dirty.clear()

    # --- the record and the people -----------------------------------------------------------------------------

    def record(
        self,
        action: str,
        label: str,
        before: str = "",
        *,
        opinion: str = "",
        rule_id: str = "",
        handler=None,
        capacity: str = "",
        subject=None,
        after: str | None = None,
    ):
        """The audit event of this step (X-1): who, in which capacity (本职 / 代… from `handler`), from → to."""
        subject = self.obj if subject is None else subject
        if after is None:
            after = getattr(subject, self.flow.state_field, "") if before else ""
        if not capacity:
            if handler is not None:
                capacity = handler.capacity
            else:
                capacity = "本职" if getattr(self.actor, "is_authenticated", False) else SYSTEM_CAPACITY
        return record_event(
            actor=self.actor,
            subject=subject,
            action=action,
            action_label=label,
            from_state=before,
            to_state=after or "",
            opinion=opinion,
            rule_id=rule_id,
            capacity=capacity,
            acting_for=handler.absent_person if handler is not None and handler.is_acting else None,
        )

    def tell(self, recipients: Iterable, subject: str, body: str = "", *, url: str | None = None, **kw) -> None:
        """Tell people: the inbox rows of the whole step are written in one insert when it ends (rolled back with
        it), e-mail after commit."""
        recipients = [r for r in recipients if r is not None]
        if recipients:
            url = self.url if url is None else url
            self._messages += messages_for(recipients=recipients, subject=subject, body=body, url=url, **kw)

    @property
    def url(self) -> str:
        return self.flow.url(self.obj)

    # --- leaving ----------------------------------------------------------------------------------------------

    def finish(self) -> None:
        self.save()
        if self._sync:
            sync_tasks(self.obj, actor=self.actor, day=self.day)
        if self._messages:
            deliver(self._messages)
            self._messages = []


@contextmanager
def step(
    item,
    *,
    actor,
    expect: Iterable[str] = (),
    today: dt.date | None = None,
    model=None,
    sync: bool = True,
    skip_locked: bool = False,
) -> Iterator[Step]:
    """Do one step on `item` (an instance, or a primary key with `model`). See the module docstring.
    `skip_locked=True` (the deadline sweep's handlers): raise RowBusy instead of waiting for a person's lock."""
    flow = flow_for(model or type(item))
    day = today or timezone.localdate()
    refused = None
    with transaction.atomic():
        callbacks, writes = len(connection.run_on_commit), _Writes()
        try:
            with connection.execute_wrapper(writes), collected():
                fresh = lock(flow, item, expect, day=day, skip_locked=skip_locked)
                s = Step(flow, fresh, actor=actor, day=day, sync=sync)
                yield s
                s.finish()
        except ActionRefused as exc:
            if writes.count or len(connection.run_on_commit) != callbacks:
                raise  # something was written or promised: the transaction rolls back
            refused = exc  # only read and locked: the transaction ends with a commit of nothing
    if refused is not None:
        raise refused


class _Writes:
    """Counts the statements a step sends that are not plain reads (SAVEPOINT included, to err on the safe side).

    A refusal before any write — the click that lost the race, a state the step does not expect — has changed
    nothing, so its transaction commits instead of rolling back. Same outcome, but psycopg drops all of a
    connection's prepared statements on every ROLLBACK (settings.DB_PREPARE_THRESHOLD): at two clicks per item,
    each loser's rollback would have sent PostgreSQL back to planning every statement (issue 14.3)."""

    __slots__ = ("count",)

    def __init__(self):
        self.count = 0

    def __call__(self, execute, sql, params, many, context):
        if not (isinstance(sql, str) and sql.lstrip()[:7].upper() == "SELECT "):
            self.count += 1
        return execute(sql, params, many, context)


def lock_row(model_or_qs, pk, *, skip_locked: bool = False):
    """Lock a step row (a consultation request, a review …) after its item: parent first, then the party's row,
    so that replies and the completeness decision never interleave. With `skip_locked`, None if it is busy."""
    qs = model_or_qs if isinstance(model_or_qs, models.QuerySet) else model_or_qs.objects.all()
    qs = qs.select_for_update(of=("self",), skip_locked=skip_locked).filter(pk=getattr(pk, "pk", pk))
    row = qs.first()
    if row is None and not skip_locked:
        raise ActionRefused("该事项不存在或已被删除。")
    return row


def today_or(today: dt.date | None) -> dt.date:
    """The day of an action: the one a test or an import states, else today (views never pass it)."""
    return today or timezone.localdate()

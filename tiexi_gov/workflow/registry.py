"""What each app tells the kernel about its items: a `Flow` per item model, and the `Need`s of an item.

An item is what a person opens (a submission, a 发文, a ledger item, a meeting …). Its flow says:
- `waiting(item, day)`: who must act on it now, as a list of `Need` — computed from the item's state and its
  step rows (a pending leader assignment, an open consultation …). The kernel turns these into tasks after
  every step, so the queue follows the state in the same transaction;
- `parts`: the FSM models whose transitions belong to the item (a ConsultationRequest belongs to its
  submission), with how to reach the item from one of them;
- `optional`: transitions that are an alternative to the expected step, never a step of their own (a return,
  a withdrawal); "name" for every source state, "name@state" for one;
- `nobody`: non-final states that wait on no one, each with the reason (the completeness tests read both).

Register in the app's AppConfig.ready():

    from tiexi_gov.workflow.registry import Flow, register_flow
    register_flow(Flow(model=Submission, area=Area.DOCUMENTS, noun="该公文", url=submission_url, waiting=...))
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field
from datetime import date
from typing import Any

from .models import UnitScope


@dataclass(frozen=True)
class Need:
    """One owner's expected action on an item. Exactly one of post / unit / role / user is set."""

    action: str  # the step's code, e.g. "sign"
    label: str  # what the queue shows, e.g. "待签发"
    post_id: int | None = None
    unit_id: int | None = None
    scope: str = ""
    role: str = ""
    user_id: int | None = None
    rule_id: str = ""
    deadline_id: int | None = None
    urgency: int = 0
    authority: bool = False  # only the holder or a 受委托主持工作 acting person (ORG-3)
    note: str = ""
    from_user_id: int | None = None  # who sent it along, when not the person who just acted
    url: str = ""  # where the step is done, when not the item's own page (e.g. a meeting's minutes page)

    def __post_init__(self):
        owners = [self.post_id is not None, self.unit_id is not None, bool(self.role), self.user_id is not None]
        if sum(owners) != 1:
            raise ValueError(f"a Need has exactly one owner: {self!r}")
        if self.unit_id is not None and self.scope not in UnitScope.values:
            raise ValueError(f"a unit Need names its scope: {self!r}")

    @property
    def key(self) -> str:
        if self.post_id is not None:
            owner = f"post:{self.post_id}"
        elif self.unit_id is not None:
            owner = f"unit:{self.unit_id}:{self.scope}"
        elif self.role:
            owner = f"role:{self.role}"
        else:
            owner = f"user:{self.user_id}"
        return f"{self.action}|{owner}"


def for_post(action: str, label: str, post, **kw) -> Need:
    return Need(action, label, post_id=getattr(post, "pk", post), **kw)


def for_unit(action: str, label: str, unit, scope: str, **kw) -> Need:
    return Need(action, label, unit_id=getattr(unit, "pk", unit), scope=scope, **kw)


def for_role(action: str, label: str, role, **kw) -> Need:
    return Need(action, label, role=str(role), **kw)


def for_user(action: str, label: str, user, **kw) -> Need:
    return Need(action, label, user_id=getattr(user, "pk", user), **kw)


@dataclass(frozen=True)
class Part:
    """An FSM model whose transitions are steps of an item (a sub-row such as a consultation request)."""

    model: type
    item_of: Callable[[Any], Any]  # part row → its item


@dataclass(frozen=True)
class Flow:
    model: type
    area: str
    noun: str  # "该公文", for messages
    url: Callable[[Any], str]
    waiting: Callable[[Any, date], Iterable[Need]]
    state_field: str = "state"
    lock_related: tuple[str, ...] = ()  # never-changing relations joined when the row is locked
    parts: tuple[Part, ...] = ()
    optional: Mapping[str, str] = field(default_factory=dict)
    nobody: Mapping[str, str] = field(default_factory=dict)
    label: Callable[[Any], str] = str  # the item as the queue names it

    def is_optional(self, transition: str, source: str) -> bool:
        return transition in self.optional or f"{transition}@{source}" in self.optional


_flows: dict[type, Flow] = {}
_parts: dict[type, tuple[Flow, Part]] = {}


def register_flow(flow: Flow) -> Flow:
    _flows[flow.model] = flow
    for part in flow.parts:
        _parts[part.model] = (flow, part)
    return flow


def flow_for(model_or_obj) -> Flow:
    model = model_or_obj if isinstance(model_or_obj, type) else type(model_or_obj)
    try:
        return _flows[model]
    except KeyError:
        raise LookupError(f"no workflow registered for {model.__name__}") from None


def flows() -> list[Flow]:
    return list(_flows.values())


def item_of(obj):
    """The item a row belongs to: itself if it is an item, else its part's item."""
    if type(obj) in _flows:
        return obj
    flow, part = _parts[type(obj)]
    return part.item_of(obj)


def part_models() -> dict[type, tuple[Flow, Part]]:
    return dict(_parts)

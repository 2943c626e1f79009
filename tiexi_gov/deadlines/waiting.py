"""What waits for a person's action without a clock of its own (an approval, a signature, a leave request), counted
per area for the top of 我的待办 — so a deputy clearing the queue on a phone sees everything in one place.

Each area registers one function `source(user, day) -> list[Waiting]` (in its AppConfig.ready()) that counts with
a constant number of queries and links to the area's own list of those items:

    from tiexi_gov.deadlines.waiting import Waiting, register_waiting
    register_waiting(my_source, order=20)
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import date


@dataclass(frozen=True)
class Waiting:
    area: str  # 督查督办, 会议, 议事协调 …
    label: str  # what waits, e.g. "以区政府名义督查待审批"
    count: int
    url: str


Source = Callable[..., list[Waiting]]
_sources: list[tuple[int, str, Source]] = []


def register_waiting(func: Source, *, order: int = 100) -> Source:
    key = f"{func.__module__}.{func.__qualname__}"
    if all(name != key for _, name, _ in _sources):
        _sources.append((order, key, func))
        _sources.sort(key=lambda row: (row[0], row[1]))
    return func


def waiting_for(user, day: date) -> list[Waiting]:
    """Every non-empty count the areas report for `user` on `day`, in the areas' order."""
    if not getattr(user, "is_authenticated", False):
        return []
    return [w for _, _, source in _sources for w in source(user, day) if w.count]

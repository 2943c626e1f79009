"""Sections other apps add to a unit's page (its documents, ledger items, meeting topics...).

An app registers a function `panel(user, unit, day) -> UnitPanel | None` once (in its AppConfig.ready()):

    from tiexi_gov.org.panels import UnitPanel, PanelItem, register_unit_panel
    register_unit_panel(my_panel, order=20)

The function must do its own permission filtering (the unit page only checks the user may see the unit) and
use a constant number of queries.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date


@dataclass(frozen=True)
class PanelItem:
    label: str
    url: str = ""
    note: str = ""  # e.g. "剩 2 个工作日"
    tag: str = ""  # short coloured tag text, e.g. "特急"
    tag_class: str = "secondary"  # a Bootstrap colour name


@dataclass(frozen=True)
class UnitPanel:
    title: str
    items: list[PanelItem] = field(default_factory=list)
    more_url: str = ""
    empty_text: str = "暂无"


PanelFunc = Callable[..., "UnitPanel | None"]
_registry: list[tuple[int, str, PanelFunc]] = []


def register_unit_panel(func: PanelFunc, *, order: int = 100) -> PanelFunc:
    """Add `func` to every unit page; registering the same function twice is a no-op."""
    key = f"{func.__module__}.{func.__qualname__}"
    if all(k != key for _, k, _ in _registry):
        _registry.append((order, key, func))
        _registry.sort(key=lambda row: (row[0], row[1]))
    return func


def unregister_unit_panel(func: PanelFunc) -> None:
    key = f"{func.__module__}.{func.__qualname__}"
    _registry[:] = [row for row in _registry if row[1] != key]


def unit_panels(user, unit, day: date) -> list[UnitPanel]:
    panels = []
    for _, _, func in list(_registry):
        panel = func(user, unit, day)
        if panel is not None:
            panels.append(panel)
    return panels

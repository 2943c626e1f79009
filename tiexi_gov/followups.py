"""Work other areas raise from an object — a supervision item raised from a leader's instruction on a processing
slip (SUP-1) — shown on that object's page without the page's app importing theirs (dependencies run down only).

An area registers one provider per kind of source in its AppConfig.ready():

    from tiexi_gov.followups import register_followups
    register_followups("leader_instruction", provider)   # provider(user, objects) -> ({pk: [items]}, may_raise)

The provider filters by what `user` may see and uses a constant number of queries for any number of objects.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence

Provider = Callable[..., tuple[dict[int, list], bool]]
_providers: dict[str, Provider] = {}


def register_followups(kind: str, provider: Provider) -> Provider:
    _providers[kind] = provider
    return provider


def followups(kind: str, user, objects: Sequence) -> tuple[dict[int, list], bool]:
    """source pk → the items raised from it that `user` may see, and whether `user` may raise one; nothing when
    no area provides that kind (an installation without the ledger)."""
    provider = _providers.get(kind)
    if provider is None:
        return {}, False
    return provider(user, list(objects))

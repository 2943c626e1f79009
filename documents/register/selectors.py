"""PUB-2 (第三十四条、第三十六条): reads of the public register — documents marked public once issued and meeting
decisions once published. Anyone logged in may browse it; withdrawn items are never listed. The rows are
denormalized, so a page costs the same two queries (count + rows) however large the register grows.

Writes are in documents.register.services (publish_to_register / withdraw_from_register), inside the transaction that
publishes or withdraws the item.
"""

from __future__ import annotations

from django.contrib.contenttypes.models import ContentType
from django.core.paginator import Page, Paginator
from django.db.models import Q, QuerySet

from documents.register.models import PublicRegisterEntry

PER_PAGE = 20
LIST_FIELDS = ("id", "kind", "title", "number", "issuer_name", "published_on", "disclosure", "url")


def _may_browse(user) -> bool:
    return bool(user is not None and getattr(user, "is_authenticated", False) and user.is_active)


def register_entries(user, *, query: str = "", kind: str = "") -> QuerySet[PublicRegisterEntry]:
    """Listed entries, newest first; `query` matches the title or the number (文号)."""
    if not _may_browse(user):
        return PublicRegisterEntry.objects.none()
    qs = PublicRegisterEntry.objects.filter(withdrawn=False)
    if kind:
        qs = qs.filter(kind=kind)
    query = (query or "").strip()
    if query:
        qs = qs.filter(Q(title__icontains=query) | Q(number__icontains=query))
    return qs.only(*LIST_FIELDS).order_by("-published_on", "-id")


def register_page(user, *, query: str = "", kind: str = "", page: int | str = 1, per_page: int = PER_PAGE) -> Page:
    """One page of the register (Paginator.get_page: a bad or too large page number gives the last valid page)."""
    return Paginator(register_entries(user, query=query, kind=kind), per_page).get_page(page)


def register_entry(user, pk: int) -> PublicRegisterEntry | None:
    """One listed entry with its public text and interpretation, or None (withdrawn, unknown, not logged in)."""
    if not _may_browse(user):
        return None
    return PublicRegisterEntry.objects.filter(pk=pk, withdrawn=False).first()


def entries_for(objects) -> dict[int, PublicRegisterEntry]:
    """source pk → its live register entry, for objects of one model that other areas published (one query)."""
    objects = [o for o in objects if o is not None]
    if not objects:
        return {}

    ct = ContentType.objects.get_for_model(objects[0])
    rows = PublicRegisterEntry.objects.filter(
        source_type=ct, source_id__in=[str(o.pk) for o in objects], withdrawn=False
    )
    return {int(e.source_id): e for e in rows}

"""Which of a page of clocks link to their item for this viewer: a link is offered only where the item's own page
would open (the same object-level rule as everywhere: an outsider gets 404, so the board never shows a link that
leads to one). The five kinds the search also covers are asked of their apps' own visibility querysets, one query
per kind on the page; other items (meetings, minutes, reports…) are linked for the office, which keeps them."""

from __future__ import annotations

from collections import defaultdict

from django.apps import apps
from django.contrib.contenttypes.models import ContentType
from django.db.models import QuerySet

from search.sources import SOURCES
from tiexi_gov.org.access import is_office

_VISIBLE = {s.model: s.visible for s in SOURCES}
# Clocks kept on a part of an item whose page is the item's own: a unit's 征求意见 reply (DOC-7) and a leader's
# 批示 step (DOC-12) link to their document's page, so they are openable where that document is.
_PART_OF = {
    "documents.ConsultationRequest": ("documents.Submission", "submission_id"),
    "documents.LeaderAssignment": ("documents.Submission", "submission_id"),
}


def openable(user, deadlines) -> set[int]:
    """The ids of the `deadlines` whose item `user` may open."""
    by_model: dict[str, dict[int, list[int]]] = defaultdict(lambda: defaultdict(list))
    for d in deadlines:
        ct = ContentType.objects.get_for_id(d.subject_type_id)  # cached per process
        by_model[f"{ct.app_label}.{ct.model_class().__name__}"][int(d.subject_id)].append(d.pk)
    for part, (whole, field) in _PART_OF.items():
        ids = by_model.pop(part, None)
        if ids:
            model = apps.get_model(part)
            for pk, whole_id in model.objects.filter(pk__in=list(ids)).values_list("pk", field):
                by_model[whole][whole_id].extend(ids[pk])
    office = is_office(user)
    allowed: set[int] = set()
    for label, ids in by_model.items():
        visible = _VISIBLE.get(label)
        if visible is None:
            if office:
                allowed.update(pk for pks in ids.values() for pk in pks)
            continue
        qs = visible(user)
        if qs is None:  # sees none of them
            continue
        if not isinstance(qs, QuerySet):  # sees every one (search.sources.ALL)
            allowed.update(pk for pks in ids.values() for pk in pks)
            continue
        for object_id in qs.filter(pk__in=list(ids)).values_list("pk", flat=True):
            allowed.update(ids[object_id])
    return allowed

"""Writes of the search index (issue 15.2): called from the post_save / post_delete hooks (search.signals), so the
entry is written in the same transaction as the row it describes — a rolled-back save leaves no entry."""

from __future__ import annotations

from django.apps import apps
from django.db import connection, transaction

from . import segment
from .models import SearchEntry
from .sources import SOURCES, Source

_TABLE = SearchEntry._meta.db_table


def source_for(model) -> Source | None:
    label = f"{model._meta.app_label}.{model.__name__}"
    return next((s for s in SOURCES if s.model.lower() == label.lower()), None)


def _row(source: Source, obj) -> tuple | None:
    extracted = source.extract(obj)
    if extracted is None:
        return None
    title, number, body, unit_id = extracted
    title, number, body = (title or "")[:300], (number or "")[:200], (body or "")[: segment.MAX_BODY]
    return (source.kind, obj.pk, unit_id, title, number, body, segment.index_text(title, number, body))


def _upsert(rows: list[tuple]) -> None:
    """INSERT … ON CONFLICT DO UPDATE, one statement per batch (PostgreSQL and SQLite both speak it)."""
    if not rows:
        return
    pg = connection.vendor == "postgresql"
    vector = "to_tsvector('simple', %s)" if pg else "NULL"
    now = "now()" if pg else "CURRENT_TIMESTAMP"
    one = f"(%s, %s, %s, %s, %s, %s, {vector}, {now})"
    params: list = []
    for kind, pk, unit_id, title, number, body, tokens in rows:
        params.extend([kind, pk, unit_id, title, number, body])
        if pg:
            params.append(tokens)
    sql = (
        f"INSERT INTO {_TABLE} (kind, object_id, unit_id, title, number, body, vector, updated_at) VALUES "
        + ", ".join([one] * len(rows))
        + " ON CONFLICT (kind, object_id) DO UPDATE SET unit_id = excluded.unit_id, title = excluded.title, "
        "number = excluded.number, body = excluded.body, vector = excluded.vector, updated_at = excluded.updated_at"
    )
    with connection.cursor() as cur:
        cur.execute(sql, params)


def index_object(obj) -> None:
    """(Re)write the entry of `obj`; an object its source no longer lists (a withdrawn register entry) loses it."""
    source = source_for(type(obj))
    if source is None:
        return
    row = _row(source, obj)
    if row is None:
        remove_object(obj)
    else:
        _upsert([row])


def index_objects(objects, *, source: Source | None = None) -> int:
    """Write the entries of many objects of one model in one statement (reindex, benchmarks, bulk imports)."""
    objects = list(objects)
    if not objects:
        return 0
    source = source or source_for(type(objects[0]))
    rows = [r for r in (_row(source, o) for o in objects) if r is not None]
    _upsert(rows)
    return len(rows)


def remove_object(obj) -> None:
    source = source_for(type(obj))
    if source is not None:
        SearchEntry.objects.filter(kind=source.kind, object_id=obj.pk).delete()


def reindex(kinds=None, *, batch: int = 500, stdout=None) -> dict[str, int]:
    """Rebuild the entries of every indexed row (existing data, the demo, after a jieba upgrade): each kind in
    batches, each batch in its own transaction; entries of rows gone are deleted."""
    counts = {}
    for source in SOURCES:
        if kinds and source.kind not in kinds:
            continue
        model = apps.get_model(source.model)
        qs = model.objects.order_by("pk")
        if source.kind == "submission":
            qs = qs.select_related("current_slip")
        done, last = 0, 0
        while True:
            chunk = list(qs.filter(pk__gt=last)[:batch])
            if not chunk:
                break
            last = chunk[-1].pk
            rows = [r for r in (_row(source, o) for o in chunk) if r is not None]
            with transaction.atomic():
                _upsert(rows)
                listed = {r[1] for r in rows}
                SearchEntry.objects.filter(
                    kind=source.kind, object_id__in=[o.pk for o in chunk if o.pk not in listed]
                ).delete()
            done += len(rows)
        live = model.objects.values("pk")
        SearchEntry.objects.filter(kind=source.kind).exclude(object_id__in=live).delete()
        counts[source.kind] = done
        if stdout is not None:
            stdout.write(f"{source.label}（{source.kind}）：{done} 条")
    return counts

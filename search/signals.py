"""The hooks that keep the index in step (issue 15.2). Registered here, for every indexed model, so no service can
forget them: post_save writes the entry inside the saving transaction, post_delete removes it. A save that changes
none of the indexed columns (most workflow steps) costs nothing: post_init remembers the loaded values."""

from __future__ import annotations

from django.apps import apps
from django.db.models.signals import post_delete, post_init, post_save

from . import services
from .sources import SOURCES

_SNAP = "_search_snapshot"
_MISSING = object()


def _snapshot(obj, attnames):
    """The loaded values of the indexed columns, read from __dict__ only (a deferred column is never fetched)."""
    values = tuple(obj.__dict__.get(a, _MISSING) for a in attnames)
    return None if _MISSING in values else values


def _connect(source):
    model = apps.get_model(source.model)
    fields = source.fields
    # Worked out once here, not for every row a list page loads (post_init runs per instance).
    attnames = tuple(model._meta.get_field(f).attname for f in fields)
    uid = f"search:{source.kind}"

    def remember(sender, instance, **kwargs):
        instance.__dict__[_SNAP] = _snapshot(instance, attnames) if instance.pk is not None else None

    def saved(sender, instance, created, update_fields=None, raw=False, **kwargs):
        if raw:
            return  # loaddata: `search reindex` afterwards
        if update_fields is not None and not set(update_fields) & {*fields, *(f + "_id" for f in fields)}:
            return
        now = _snapshot(instance, attnames)
        before = instance.__dict__.get(_SNAP)
        if created or now is None or before is None or now != before:
            services.index_object(instance)
        instance.__dict__[_SNAP] = now

    def deleted(sender, instance, **kwargs):
        services.remove_object(instance)

    post_init.connect(remember, sender=model, weak=False, dispatch_uid=uid + ":init")
    post_save.connect(saved, sender=model, weak=False, dispatch_uid=uid + ":save")
    post_delete.connect(deleted, sender=model, weak=False, dispatch_uid=uid + ":delete")


def _slip_loaded(sender, instance, **kwargs):
    instance.__dict__[_SNAP] = instance.__dict__.get("number", _MISSING)


def _slip_saved(sender, instance, created, raw=False, **kwargs):
    """A processing slip carries the submission's 收文编号: a new or renumbered slip re-indexes the submission it is
    current for (the submission's own save covers the slip it is given)."""
    if raw or (not created and instance.__dict__.get(_SNAP) == instance.__dict__.get("number", _MISSING)):
        return
    instance.__dict__[_SNAP] = instance.__dict__.get("number", _MISSING)
    from documents.submissions.models import Submission

    for sub in Submission.objects.filter(current_slip=instance).select_related("current_slip"):
        services.index_object(sub)


def connect() -> None:
    for source in SOURCES:
        _connect(source)
    post_init.connect(
        _slip_loaded, sender=apps.get_model("documents.ProcessingSlip"), weak=False, dispatch_uid="search:slip-init"
    )
    post_save.connect(
        _slip_saved, sender=apps.get_model("documents.ProcessingSlip"), weak=False, dispatch_uid="search:slip"
    )

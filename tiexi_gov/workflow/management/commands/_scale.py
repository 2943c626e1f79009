"""`bench_pages --scale N`: N times the demo's rows in the tables the navbar pages read (issue 14.2: "within 1.5x of
that time at 100x the rows").

Every row of the listed models is copied N-1 times with bulk inserts (no services: the point is volume, not the
workflow). A copy's foreign keys point at the same copy of their parent when the parent is copied too (a copied
slip belongs to the copied submission), otherwise at the original (the same unit, post, person); a task's or
clock's generic subject likewise. Unique values get a suffix per copy. It runs in a copy of the seeded database
(bench_pages drops the copy at the end), so nothing needs removing row by row.
"""

from __future__ import annotations

import time

from django.apps import apps
from django.contrib.contenttypes.models import ContentType
from django.db import connection, transaction

# In insertion order (parents first). (app_label.Model, {field: how to make it unique})
PLAN = (
    ("documents.Submission", {}),
    ("documents.ProcessingSlip", {"number": "suffix", "seq": "offset"}),
    ("documents.Instruction", {}),
    ("documents.LeaderAssignment", {"instruction": "remap-or-null"}),
    ("documents.OutgoingDocument", {"number": "suffix"}),
    ("documents.PublicRegisterEntry", {}),
    ("supervision.SupervisionItem", {"number": "suffix", "seq": "offset", "source_key": "suffix"}),
    ("supervision.ProgressReport", {}),
    ("meetings.Meeting", {"seq": "offset"}),
    ("coordination.Body", {"name": "suffix", "name_key": "suffix"}),
    ("coordination.BodyGround", {}),
    ("coordination.Seat", {}),
    ("coordination.Application", {"name_key": "suffix"}),
    ("deadlines.Deadline", {}),
    ("workflow.Task", {}),
    ("notify.Message", {"key": "suffix"}),
)
M2M = (("supervision.SupervisionItem", "cooperating_units"), ("supervision.SupervisionItem", "joint_units"))
OFFSET = 1_000_000  # a copy's sequence numbers: k * OFFSET + the original's


class Scaler:
    def __init__(self, stdout):
        self.stdout = stdout
        self.before: dict[str, int] = {}

    def scale(self, factor: int) -> None:
        t0 = time.perf_counter()
        models = [(apps.get_model(label), how) for label, how in PLAN]
        for model, _ in models:
            self.before[model._meta.label] = model.objects.order_by("-pk").values_list("pk", flat=True).first() or 0
        originals = {model._meta.label: list(model.objects.all().order_by("pk")) for model, _ in models}
        ct_label = {ct.pk: f"{ct.app_label}.{ct.model_class().__name__}" for ct in ContentType.objects.all()}
        made = 0
        for k in range(1, factor):
            remap: dict[str, dict[int, int]] = {}
            with transaction.atomic():
                for model, how in models:
                    label = model._meta.label
                    rows = originals[label]
                    pairs = [(row, self._copy(model, row, how, k, remap, ct_label)) for row in rows]
                    pairs = [(row, copy) for row, copy in pairs if copy is not None]
                    model.objects.bulk_create([copy for _, copy in pairs], batch_size=2000)
                    remap[label] = {row.pk: copy.pk for row, copy in pairs}
                    made += len(pairs)
                for label, name in M2M:
                    field = apps.get_model(label)._meta.get_field(name)
                    through = field.remote_field.through
                    src = field.m2m_field_name()
                    links = [
                        through(**{f"{src}_id": remap[label][getattr(t, f"{src}_id")], "unit_id": t.unit_id})
                        for t in through.objects.filter(**{f"{src}_id__lte": self.before[label]})
                    ]
                    through.objects.bulk_create(links, batch_size=2000)
                    made += len(links)
        with connection.cursor() as cur:
            # As autovacuum leaves a table some time after a bulk load (visibility map set, hint bits written), so
            # that the timed visits do not race autovacuum's pass over the 100,000 new rows, or set hint bits
            # themselves on first read, which would make the first xN visits slower than the page is.
            cur.execute("VACUUM (ANALYZE)")
        self.stdout.write(f"scaled the demo x{factor}: {made:,} rows copied in {time.perf_counter() - t0:.1f}s")

    def _copy(self, model, row, how: dict, k: int, remap: dict, ct_label: dict):
        values = {}
        for f in model._meta.concrete_fields:
            if f.primary_key:
                continue
            value = getattr(row, f.attname)
            if f.is_relation and value is not None:
                target = remap.get(f.related_model._meta.label)
                if target is not None and value in target:
                    value = target[value]
                elif how.get(f.name) == "remap-or-null":
                    value = None
            if f.name in how and value not in (None, ""):  # an empty number stays empty (unique only when set)
                if how[f.name] == "suffix":
                    tail = f"·{k}"
                    value = str(value)[: (f.max_length or 255) - len(tail)] + tail
                elif how[f.name] == "offset":
                    value = value + k * OFFSET
            values[f.attname] = value
        # a generic subject (a task's, a clock's, a register entry's) follows its copied subject
        for type_field, id_field in (("subject_type_id", "subject_id"), ("source_type_id", "source_id")):
            if type_field in values and values[type_field] is not None:
                target = remap.get(ct_label.get(values[type_field], ""))
                if target is not None:
                    old = int(values[id_field]) if str(values[id_field]).isdigit() else None
                    if old in target:
                        values[id_field] = type(values[id_field])(target[old])
                elif model._meta.label == "workflow.Task":
                    values["key"] = f"{values['key']}·{k}"  # same subject: the open-task key must differ
                elif model._meta.label == "documents.PublicRegisterEntry":
                    return None  # one entry per source: a source that is not copied keeps its one entry
        return model(**values)

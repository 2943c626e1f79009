"""Issue 15.5, the 延期 column: a limit agreed anew (DOC-7, 第六十条) marks the clock opened in place of the old one
(`Deadline.extended_from`, set by deadlines.services.extend_deadline); the board counts that mark, not a close note;
and the upgrade marks the extensions made before the field existed, once, from their note."""

from __future__ import annotations

import datetime as dt
import importlib

import pytest
from django.apps import apps as django_apps
from django.db import transaction

from compliance import selectors
from compliance.access import Scope
from documents.submissions import services as doc_services
from tests.documents import documents_support as docs
from tiexi_gov.deadlines import services as deadlines
from tiexi_gov.deadlines.models import Deadline
from tiexi_gov.workdays import calendar as wd

pytestmark = pytest.mark.django_db

DAY = docs.DAY  # Monday 2026-09-07
NEXT = dt.date(2026, 9, 8)
UPGRADE = importlib.import_module("tiexi_gov.deadlines.migrations.0006_extended_from_and_board_indexes")


@pytest.fixture(autouse=True)
def fresh_calendar():
    wd.invalidate()
    yield
    wd.invalidate()


def _dev_counts(w, today: dt.date) -> list[int]:
    """[started, met, missed, extended, running] of 第六十条 for the consulted unit."""
    table = selectors.clock_tables(Scope(), 2026, today)["unit"]
    (block,) = [b for b in table.blocks if b.article == "第六十条"]
    (line,) = [line for line in block.lines if line.key == w.dev.pk]
    return line.counts.values()


def test_doc_7_agree_extension_marks_the_new_clock_extended_and_the_board_counts_it():
    w = docs.build_world()
    sub = docs.draft(w, DAY)
    (req,) = doc_services.request_consultation(actor=w.fin_clerk, submission=sub, units=[w.dev], limit_wd=5, today=DAY)
    first = Deadline.objects.get(rule_id="DOC-7")
    assert first.extended_from is None
    assert _dev_counts(w, NEXT) == [1, 0, 0, 0, 1]

    doc_services.agree_extension(actor=w.fin_clerk, consultation=req, new_due=dt.date(2026, 9, 18), today=NEXT)
    first.refresh_from_db()
    second = Deadline.objects.get(rule_id="DOC-7", closed_at__isnull=True)
    assert first.state == Deadline.State.CANCELLED and first.extended_from is None
    assert second.extended_from == first and second.due == dt.date(2026, 9, 18)
    assert _dev_counts(w, NEXT) == [1, 0, 0, 1, 1]  # the replaced clock is not counted; its successor is 延期

    # Agreed anew a second time: the chain records which clock each one replaced.
    doc_services.agree_extension(actor=w.fin_clerk, consultation=req, new_due=dt.date(2026, 9, 25), today=NEXT)
    third = Deadline.objects.get(rule_id="DOC-7", closed_at__isnull=True)
    assert third.extended_from_id == second.pk
    assert _dev_counts(w, NEXT) == [1, 0, 0, 1, 1]


def test_x_3_the_board_reads_the_mark_not_the_close_note():
    """An extension whose note says something else is 延期; a clock cancelled with a 商定延期 note and reopened
    without the service is not (the note is no longer read)."""
    w = docs.build_world()
    marked, unmarked = docs.draft(w, DAY, title="甲"), docs.draft(w, DAY, title="乙")
    with transaction.atomic():
        for subject in (marked, unmarked):
            deadlines.open_deadline(
                subject=subject, rule_id="DOC-7", title="回复", counted_from=DAY, workdays=5, owner_unit=w.dev
            )
        deadlines.extend_deadline(
            subject=marked,
            rule_id="DOC-7",
            title="回复（延期）",
            counted_from=NEXT,
            due=dt.date(2026, 9, 30),
            note="经协商另定时限",
            owner_unit=w.dev,
        )
        deadlines.cancel_deadlines(subject=unmarked, note="商定延期至2026-09-30")
        deadlines.open_deadline(
            subject=unmarked,
            rule_id="DOC-7",
            title="回复",
            counted_from=NEXT,
            due=dt.date(2026, 9, 30),
            owner_unit=w.dev,
        )
    assert _dev_counts(w, NEXT) == [2, 0, 0, 1, 2]
    cell = selectors.Cell(article="第六十条", by=selectors.BY_UNIT, key=w.dev.pk, category="extended")
    (item,) = selectors.cell_items(Scope(), 2026, NEXT, cell)
    assert item.subject_id == str(marked.pk) and item.extended_from.due == dt.date(2026, 9, 14)


def test_upgrade_marks_the_extensions_recorded_before_the_field_existed_once():
    """The data step of the migration: the clock opened after one cancelled with 商定延期… is its extension (a chain
    too); a clock reopened after another kind of cancellation is not; a second run changes nothing."""
    w = docs.build_world()
    once, twice, withdrawn = (docs.draft(w, DAY, title=t) for t in ("一次", "两次", "退回"))
    rows = {}
    with transaction.atomic():
        for subject in (once, twice, withdrawn):
            rows[subject.title] = [
                deadlines.open_deadline(
                    subject=subject, rule_id="DOC-7", title="回复", counted_from=DAY, workdays=5, owner_unit=w.dev
                )
            ]
        for subject, times, note in ((once, 1, "商定延期至2026-09-30"), (twice, 2, "商定延期至2026-10-09")):
            for _ in range(times):
                deadlines.cancel_deadlines(subject=subject, note=note)
                rows[subject.title].append(
                    deadlines.open_deadline(
                        subject=subject,
                        rule_id="DOC-7",
                        title="回复（商定延期）",
                        counted_from=NEXT,
                        due=dt.date(2026, 10, 9),
                        owner_unit=w.dev,
                    )
                )
        deadlines.cancel_deadlines(subject=withdrawn, note="公文已退回")
        rows["退回"].append(
            deadlines.open_deadline(
                subject=withdrawn, rule_id="DOC-7", title="回复", counted_from=NEXT, workdays=5, owner_unit=w.dev
            )
        )
    assert not Deadline.objects.filter(extended_from__isnull=False).exists()

    for _ in range(2):
        UPGRADE.mark_extensions(django_apps, None)
        marks = dict(Deadline.objects.filter(extended_from__isnull=False).values_list("pk", "extended_from_id"))
        a, b, c = rows["两次"]
        assert marks == {rows["一次"][1].pk: rows["一次"][0].pk, b.pk: a.pk, c.pk: b.pk}

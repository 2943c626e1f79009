"""Issue 14.3: the rows a step writes cost one plain statement.

- `update_rows` writes a few rows' columns in one UPDATE and leaves exactly what the ORM's bulk_update leaves, on
  SQLite and PostgreSQL: a column with one value for every row, a column whose values differ (a CASE), a datetime,
  an empty value and NULL; rows not named are untouched; the page cache's write watch sees the statement.
- The kernel saves only the item's columns a step changed (not every column), stamps its auto_now column, and still
  sees a change made in place or through a foreign key.
"""

import datetime as dt

import pytest
from django.contrib.contenttypes.models import ContentType
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from coordination.upkeep.models import ReviewEntry
from documents.submissions.models import Submission, SubmissionState
from tests.documents.documents_support import build_world, in_leader_review
from tiexi_gov.deadlines.models import Deadline
from tiexi_gov.pagecache import writes
from tiexi_gov.rowupdate import update_rows
from tiexi_gov.workflow.kernel import changed_fields, loaded_values, step

pytestmark = pytest.mark.django_db

DAY = dt.date(2026, 6, 1)
COLUMNS = ("state", "closed_at", "close_note", "reminded_at")


def _clocks(n: int) -> list[Deadline]:
    ct = ContentType.objects.get_for_model(Deadline)
    return [
        Deadline.objects.create(
            subject_type=ct,
            subject_id=str(i),
            subject_repr=f"事项{i}",
            rule_id="DOC-13",
            title=f"时限{i}",
            counted_from=DAY,
            due=DAY + dt.timedelta(days=14),
            remind_on=DAY + dt.timedelta(days=13),
        )
        for i in range(n)
    ]


def _columns(rows) -> list[tuple]:
    return list(
        Deadline.objects.filter(pk__in=[r.pk for r in rows]).order_by("pk").values_list("pk", *COLUMNS, "title")
    )


def test_x_14_update_rows_leaves_what_bulk_update_leaves_in_one_statement(django_assert_num_queries):
    now = timezone.now().replace(microsecond=123456)
    mine, orms, bystander = _clocks(3), _clocks(3), _clocks(1)[0]
    for rows in (mine, orms):
        rows[0].state, rows[0].close_note = Deadline.State.MET, "同意"
        rows[1].state, rows[1].close_note = Deadline.State.MISSED, "已批准（逾期）"
        rows[2].state, rows[2].close_note = Deadline.State.MET, ""
        for r in rows:
            r.closed_at = now  # one value for every row: a plain parameter
        rows[0].reminded_at = now - dt.timedelta(days=1)  # NULL for the others: a CASE with a NULL branch
    before = writes.writes_in_request.get()
    with django_assert_num_queries(1):
        assert update_rows(mine, COLUMNS) == 3
    assert writes.writes_in_request.get() == before + 1, "the page cache's write watch saw the statement"
    Deadline.objects.bulk_update(orms, COLUMNS)
    written, expected = _columns(mine), _columns(orms)
    assert [row[1:5] for row in written] == [row[1:5] for row in expected]
    assert written[0][1:5] == (Deadline.State.MET, now, "同意", now - dt.timedelta(days=1))
    assert written[1][1:5] == (Deadline.State.MISSED, now, "已批准（逾期）", None)
    assert [row[5] for row in written] == ["时限0", "时限1", "时限2"], "columns not named are untouched"
    bystander.refresh_from_db()
    assert (bystander.state, bystander.closed_at, bystander.close_note) == (Deadline.State.OPEN, None, "")


def test_x_14_update_rows_with_one_row_and_with_none():
    row = _clocks(1)[0]
    row.state, row.close_note, row.closed_at = Deadline.State.CANCELLED, "撤回", timezone.now()
    assert update_rows([row], ("state", "close_note", "closed_at")) == 1
    fresh = Deadline.objects.get(pk=row.pk)
    assert (fresh.state, fresh.close_note, fresh.closed_at) == (row.state, "撤回", row.closed_at)
    assert update_rows([], ("state",)) == 0


def test_x_14_the_kernel_saves_only_the_columns_a_step_changed():
    w = build_world()
    sub = in_leader_review(w, timezone.localdate())
    stamped = Submission.objects.get(pk=sub.pk).updated_at
    with CaptureQueriesContext(connection) as q, step(sub, actor=w.dep_a) as s:
        s.obj.title = "关于修改后标题的请示"
        s.touch()
    updates = [x["sql"] for x in q.captured_queries if x["sql"].startswith('UPDATE "documents_submission"')]
    assert len(updates) == 1
    assert '"title"' in updates[0] and '"updated_at"' in updates[0] and '"last_handled_by_id"' in updates[0]
    assert '"body"' not in updates[0] and '"decision_needed_by"' not in updates[0], "unchanged columns are not written"
    fresh = Submission.objects.get(pk=sub.pk)
    assert fresh.title == "关于修改后标题的请示"
    assert fresh.last_handled_by == w.dep_a and fresh.updated_at > stamped
    assert fresh.state == SubmissionState.LEADER_REVIEW and fresh.body == sub.body


def test_x_14_changed_fields_sees_in_place_and_foreign_key_changes():
    w = build_world()
    sub = Submission.objects.get(pk=in_leader_review(w, timezone.localdate()).pk)
    loaded = loaded_values(sub)
    assert changed_fields(sub, loaded) == ["updated_at"], "nothing changed but the auto_now stamp"
    sub.signed_by = w.dep_a
    sub.title += "（修改）"
    assert set(changed_fields(sub, loaded)) == {"signed_by_id", "title", "updated_at"}
    assert "id" not in loaded, "the primary key is never written"
    entry = ReviewEntry(suggestions=["合并"])  # a JSON list changed in place is a change
    loaded = loaded_values(entry)
    entry.suggestions.append("撤销")
    assert "suggestions" in changed_fields(entry, loaded)
    assert "grounds" not in changed_fields(entry, loaded)

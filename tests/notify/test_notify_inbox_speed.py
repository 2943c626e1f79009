"""Issue 14.2 for 站内消息: a page of the inbox and the header badge cost the same whatever the number of messages."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from tests.factories import UserFactory
from tiexi_gov.notify.models import UNREAD_BADGE_CAP, Message
from tiexi_gov.notify.selectors import inbox

pytestmark = pytest.mark.django_db


def _plan(sql: str, params) -> str:
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            # With sorting and sequential scans priced out, a Sort node remains only if no index yields the order.
            cursor.execute("SET LOCAL enable_sort = off")
            cursor.execute("SET LOCAL enable_seqscan = off")
            cursor.execute("EXPLAIN " + sql, params)
            return "\n".join(row[0] for row in cursor.fetchall())
        cursor.execute("EXPLAIN QUERY PLAN " + sql, params)
        return "\n".join(str(row[-1]) for row in cursor.fetchall())


def test_14_2_an_inbox_page_is_read_in_order_from_the_inbox_index_never_sorted():
    me = UserFactory()
    Message.objects.bulk_create([Message(recipient=me, subject=f"提醒{i}") for i in range(30)])
    sql, params = inbox(me)[:20].query.sql_with_params()
    plan = _plan(sql, params)
    assert "notify_inbox_order_idx" in plan, plan
    assert "Sort" not in plan and "TEMP B-TREE" not in plan, plan


def test_14_2_the_unread_badge_counts_at_most_its_cap_and_shows_99_plus(client):
    me = UserFactory()
    Message.objects.bulk_create([Message(recipient=me, subject=f"提醒{i}") for i in range(UNREAD_BADGE_CAP + 21)])
    client.force_login(me)
    with CaptureQueriesContext(connection) as queries:
        response = client.get(reverse("notify:inbox"))
    page = response.content.decode()
    assert 'title="未读消息">99+</span>' in page
    assert "未读 99+ 条" in page
    unread_reads = [q["sql"] for q in queries if '"read_at" IS NULL' in q["sql"]]
    assert unread_reads and all("LIMIT 100" in sql for sql in unread_reads), unread_reads


def test_14_2_below_the_cap_the_badge_shows_the_exact_number(client):
    me = UserFactory()
    Message.objects.bulk_create([Message(recipient=me, subject=f"提醒{i}") for i in range(UNREAD_BADGE_CAP)])
    client.force_login(me)
    page = client.get(reverse("notify:inbox")).content.decode()
    # Look only at the two places that show the count: a timestamp's microseconds may read "…99+00:00".
    assert 'title="未读消息">99</span>' in page and 'title="未读消息">99+<' not in page
    assert "未读 99 条" in page and "未读 99+ 条" not in page


def test_14_2_the_unread_badge_is_one_number_counted_by_the_database(client):
    """The badge's statement returns a count, not the ids of up to a hundred messages to be counted in Python."""
    from django.utils import timezone

    from tiexi_gov.notify.context_processors import unread_count

    me, other = UserFactory(), UserFactory()
    Message.objects.bulk_create([Message(recipient=me, subject=f"提醒{i}") for i in range(3)])
    Message.objects.bulk_create([Message(recipient=me, subject=f"已读{i}", read_at=timezone.now()) for i in range(2)])
    Message.objects.bulk_create([Message(recipient=other, subject=f"他人{i}") for i in range(5)])
    assert unread_count(me.pk) == 3 and unread_count(other.pk) == 5
    Message.objects.bulk_create([Message(recipient=me, subject=f"又一条{i}") for i in range(UNREAD_BADGE_CAP + 20)])
    assert unread_count(me.pk) == UNREAD_BADGE_CAP + 1
    client.force_login(me)
    with CaptureQueriesContext(connection) as queries:
        page = client.get(reverse("workflow:queue")).content.decode()
    [sql] = [q["sql"] for q in queries if '"read_at" IS NULL' in q["sql"]]
    assert sql.startswith("SELECT COUNT(*)") and "LIMIT 100" in sql, sql
    assert 'title="未读消息">99+</span>' in page

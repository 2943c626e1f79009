"""Issue 14.2: the navbar pages are served from the page cache while nothing they show has changed, and never once
anything has: every kind of committed write, another connection's commit, another day, another session, a waiting
message and a view that writes on GET each make the next visit draw the page again."""

import datetime as dt
import threading

import pytest
import time_machine
from django.db import connection, transaction
from django.http import HttpResponse
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from tests.factories import UserFactory
from tiexi_gov.notify.models import Message
from tiexi_gov.pagecache import writes
from tiexi_gov.pagecache.cache import cached_page

INBOX = reverse("notify:inbox")
# A hit answers from the session, the user and the generation row: far fewer queries than drawing the page.
HIT_QUERIES = 4


def visit(client, url=INBOX):
    with CaptureQueriesContext(connection) as queries:
        response = client.get(url)
    assert response.status_code == 200
    return response.content.decode(), len(queries)


def warmed(client, user, url=INBOX):
    """Log in and visit until the page is cached (the first visit sets the CSRF cookie the key needs)."""
    client.force_login(user)
    visit(client, url)
    visit(client, url)
    page, queries = visit(client, url)
    assert queries <= HIT_QUERIES, "the third visit of an unchanged page is a cache hit"
    return page


@pytest.mark.django_db
def test_perf_14_an_unchanged_page_is_served_again_without_drawing_it(client):
    me = UserFactory()
    Message.objects.create(recipient=me, subject="请于明日前办理")
    first, drawn = visit(client.force_login(me) or client)
    page = warmed(client, me)
    assert "请于明日前办理" in page and page == visit(client)[0]
    assert drawn > HIT_QUERIES


@pytest.mark.django_db
@pytest.mark.parametrize("how", ["save", "queryset_update", "raw_sql", "delete"])
def test_perf_14_every_kind_of_write_makes_the_next_visit_draw_the_page_again(client, how):
    me = UserFactory()
    message = Message.objects.create(recipient=me, subject="旧标题")
    assert "旧标题" in warmed(client, me)
    if how == "save":
        message.subject = "新标题"
        message.save()
    elif how == "queryset_update":
        Message.objects.filter(pk=message.pk).update(subject="新标题")
    elif how == "raw_sql":
        with connection.cursor() as cursor:
            cursor.execute(f"UPDATE {Message._meta.db_table} SET subject = %s WHERE id = %s", ["新标题", message.pk])
    else:
        message.delete()
    page, queries = visit(client)
    assert "旧标题" not in page and queries > HIT_QUERIES
    assert ("新标题" in page) == (how != "delete")


@pytest.mark.django_db
def test_perf_14_a_session_never_gets_another_sessions_page(client, django_user_model):
    from django.test import Client

    me, other = UserFactory(), UserFactory()
    Message.objects.create(recipient=me, subject="给我的提醒")
    Message.objects.create(recipient=other, subject="给别人的提醒")
    assert "给我的提醒" in warmed(client, me)
    theirs = Client()
    page = warmed(theirs, other)
    assert "给别人的提醒" in page and "给我的提醒" not in page


@pytest.mark.django_db
def test_perf_14_the_next_day_draws_the_page_again(client):
    """Midnight passes 20 s after the page was cached: inside its 60 s and the session's life (and before the session
    notes the user was seen, every 30 s), only the day differs."""
    me = UserFactory()
    evening = timezone.make_aware(dt.datetime.combine(timezone.localdate(), dt.time(23, 59, 50)))
    with time_machine.travel(evening, tick=False) as clock:
        warmed(client, me)
        clock.move_to(evening + dt.timedelta(seconds=20))
        assert visit(client)[1] > HIT_QUERIES


def _request(rf, client, user, url=INBOX):
    """A GET as the logged-in client would send it (its session and CSRF cookie), for a view wrapped by hand."""
    from django.contrib.messages.storage import default_storage

    request = rf.get(url)
    request.COOKIES = {k: v.value for k, v in client.cookies.items()}
    request.user = user
    request.session = client.session
    request._messages = default_storage(request)
    return request


def _counting_view(drawn, action=None):
    def view(request):
        drawn.append(1)
        if action:
            action()
        return HttpResponse("<p>页面</p>", content_type="text/html; charset=utf-8")

    return cached_page(view)


@pytest.mark.django_db
def test_perf_14_a_page_with_a_waiting_message_is_drawn_and_never_cached(rf, client):
    """The message an action leaves for the next page is shown by a drawn page, never hidden by a cached one."""
    from django.contrib import messages as flash

    me = UserFactory()
    warmed(client, me)
    drawn = []
    view = _counting_view(drawn)
    for _ in range(2):
        request = _request(rf, client, me)
        flash.success(request, "已办结")
        view(request)
    assert len(drawn) == 2
    quiet = []
    view = _counting_view(quiet)
    for _ in range(2):
        view(_request(rf, client, me, "/quiet/"))
    assert len(quiet) == 1, "without a message the same view is served from the cache"


@pytest.mark.django_db
def test_perf_14_a_page_whose_view_writes_on_get_is_drawn_every_time(rf, client):
    me = UserFactory()
    warmed(client, me)
    drawn = []
    view = _counting_view(drawn, lambda: Message.objects.create(recipient=me, subject=f"第{len(drawn)}次"))
    for _ in range(3):
        view(_request(rf, client, me, "/x/"))
    assert len(drawn) == 3 and Message.objects.filter(recipient=me).count() == 3


@pytest.mark.django_db(transaction=True)
def test_perf_14_another_connections_commit_is_seen_on_the_next_visit_and_a_rollback_changes_nothing(client):
    me = UserFactory()
    before = writes.current()
    message = Message.objects.create(recipient=me, subject="旧标题")  # autocommit: bumped at once
    assert writes.current() != before
    warmed(client, me)
    before = writes.current()

    class Undo(Exception):
        pass

    with pytest.raises(Undo), transaction.atomic():
        Message.objects.filter(pk=message.pk).update(subject="撤回的标题")
        raise Undo
    assert writes.current() == before, "a rolled-back write bumps nothing"
    assert visit(client)[1] <= HIT_QUERIES

    def elsewhere():
        try:
            with transaction.atomic():
                Message.objects.filter(pk=message.pk).update(subject="别处改的标题")
        finally:
            connection.close()

    worker = threading.Thread(target=elsewhere)
    worker.start()
    worker.join()
    assert writes.current() != before
    page, queries = visit(client)
    assert "别处改的标题" in page and queries > HIT_QUERIES


@pytest.mark.django_db
def test_perf_14_the_session_stamp_does_not_throw_pages_away():
    """The idle-timeout stamp writes the session every 30 s for every user; the session table is left out of the
    generation (a session's pages are keyed by the session itself)."""
    from django.contrib.sessions.backends.db import SessionStore

    before = writes.current()
    store = SessionStore()
    store["seen"] = 1
    store.save()
    assert writes.current() == before
    UserFactory()
    assert writes.current() != before


@pytest.mark.django_db(transaction=True)
def test_perf_14_a_missing_generation_row_caches_nothing_until_the_next_write_makes_it_again():
    """The bump is one plain UPDATE of the generation row; when the row is gone (a restore without it), nothing is
    cached, and the next committed write inserts it again."""
    from tiexi_gov.pagecache.models import DataGeneration

    DataGeneration.objects.all().delete()  # the table is left out of the watch: this delete bumps nothing
    assert writes.current() is None
    with CaptureQueriesContext(connection) as queries:
        UserFactory()
    bumps = [q["sql"] for q in queries if "pagecache_datageneration" in q["sql"]]
    assert bumps and bumps[0].lstrip().upper().startswith("UPDATE")
    assert writes.current() is not None

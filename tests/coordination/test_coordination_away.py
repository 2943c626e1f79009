"""The "who is away" panel (LEAVE-3, LEAVE-4): today and the next 7 days, for the office and the district leaders,
and the unit page's panel of a unit's people away."""

from __future__ import annotations

import datetime as dt

from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from coordination.absence import services as absence
from tiexi_gov.org.models import Post
from tiexi_gov.org.selectors import who_handles


def unit_deputy_post(w, short: str) -> Post:
    return Post.objects.get(unit=w.units[short], kind=Post.Kind.UNIT_DEPUTY)


def away(w, short: str, start: dt.date, end: dt.date, *, approve: bool = True, filed_on: dt.date, place="长春"):
    req = absence.request_absence(
        actor=w.unit_heads[short],
        post=w.unit_head_posts[short],
        start=start,
        end=end,
        place=place,
        purpose="招商考察",
        contact=f"139{short}",
        acting_post=unit_deputy_post(w, short),
        today=filed_on,
    )
    if approve:
        approver = who_handles(req.approver_post, filed_on).person
        req = absence.decide_absence(actor=approver, request=req, approve=True, today=filed_on)
    return req


def test_leave_4_who_is_away_shows_today_and_next_7_days_with_contact_and_acting_person(world, client):
    w = world
    today = timezone.localdate()
    before = today - dt.timedelta(days=3)
    now = away(w, "教育局", today - dt.timedelta(days=1), today + dt.timedelta(days=1), filed_on=before, place="北京")
    soon = away(w, "财政局", today + dt.timedelta(days=7), today + dt.timedelta(days=9), filed_on=before, place="上海")
    away(w, "审计局", today + dt.timedelta(days=8), today + dt.timedelta(days=9), filed_on=before, place="广州")
    away(w, "司法局", today + dt.timedelta(days=2), today + dt.timedelta(days=2), filed_on=before, approve=False,
         place="深圳")  # fmt: skip
    gone = away(w, "信访局", before, before, filed_on=before, place="杭州")
    absence.report_return(actor=w.unit_heads["信访局"], request=gone, returned_on=before + dt.timedelta(days=1),
                          report="已返回", today=before + dt.timedelta(days=1))  # fmt: skip
    deputy = absence.request_absence(
        actor=w.edu_deputy, post=w.edu_deputy_post, start=today, end=today + dt.timedelta(days=3), place="成都",
        purpose="学习", contact="13700000000", acting_post=w.judicial_post, today=before,
    )  # fmt: skip
    absence.decide_absence(actor=w.head, request=deputy, approve=True, today=before)

    client.force_login(w.staff)
    page = client.get(reverse("coordination:who_is_away"))
    assert page.status_code == 200
    html = page.content.decode()
    today_part, coming_part = html.split('data-testid="away-today"')[1].split('data-testid="away-coming"')
    for text in ("北京", "教育局副职", "139教育局", "成都", "赵副区长"):
        assert text in today_part
    assert "上海" in coming_part and "财政局副职" in coming_part
    assert "广州" not in html  # beyond the next 7 days
    assert "深圳" not in html  # not approved
    assert "杭州" not in html  # back already
    assert now.pk and soon.pk

    client.force_login(w.judicial_deputy)  # a district leader sees it too
    assert client.get(reverse("coordination:who_is_away")).status_code == 200


def test_leave_4_who_is_away_is_404_for_clerks_unit_heads_and_outsiders(world, client):
    w = world
    for user in (w.clerks["教育局"], w.unit_heads["教育局"], w.outsider):
        client.force_login(user)
        assert client.get(reverse("coordination:who_is_away")).status_code == 404, user


def test_leave_4_who_is_away_uses_constant_queries(world, client, django_assert_max_num_queries):
    w = world
    today = timezone.localdate()
    before = today - dt.timedelta(days=2)
    client.force_login(w.director)
    away(w, "教育局", today, today, filed_on=before)
    with CaptureQueriesContext(connection) as small:
        page = client.get(reverse("coordination:who_is_away"))
    assert page.content.decode().count('data-testid="away-row"') == 1
    for i, short in enumerate(("财政局", "审计局", "司法局", "信访局", "发改局")):
        away(w, short, today + dt.timedelta(days=i), today + dt.timedelta(days=i + 1), filed_on=before)
    with django_assert_max_num_queries(len(small.captured_queries)):
        page = client.get(reverse("coordination:who_is_away"))
    assert page.content.decode().count('data-testid="away-row"') == 6


def test_leave_3_unit_page_panel_shows_the_units_people_away_to_its_staff_only(world):
    from coordination.absence.views import unit_away_panel

    w = world
    today = timezone.localdate()
    away(w, "教育局", today, today + dt.timedelta(days=1), filed_on=today - dt.timedelta(days=1), place="北京")
    panel = unit_away_panel(w.clerks["教育局"], w.units["教育局"], today)
    assert panel is not None and len(panel.items) == 1
    assert "北京" in panel.items[0].label and "教育局副职代理" in panel.items[0].note
    assert panel.items[0].url == ""  # the clerk may not open the request itself
    assert unit_away_panel(w.clerks["财政局"], w.units["教育局"], today) is None
    office_view = unit_away_panel(w.staff, w.units["教育局"], today)
    assert office_view.items[0].url and office_view.more_url
    assert unit_away_panel(w.staff, w.units["财政局"], today).items == []

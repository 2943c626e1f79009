"""我的待办 as people read it: each row says what, which action, from whom, since when, the working days left
(暂定 where provisional) and the article of the rules; grouped by area, most urgent first; a count in the navbar;
acting arrangements reroute a post's task on their first and last day (LEAVE-4); a task closes when any entitled
person does the step; one indexed query, whatever the number of tasks, areas and acting arrangements."""

from __future__ import annotations

import datetime as dt
import re

import pytest
from django.contrib.contenttypes.models import ContentType
from django.urls import reverse
from django.utils import timezone

from documents.submissions import services
from documents.submissions.models import SubmissionState
from supervision.ledger import services as ledger
from supervision.ledger.models import Source
from tests.documents.documents_support import build_world, in_leader_review, submitted, valid_fields
from tests.factories import ActingArrangementFactory, UnitFactory, UserFactory, appoint
from tiexi_gov.org.models import Post, User
from tiexi_gov.org.roles import Role
from tiexi_gov.workdays import calendar as wd
from tiexi_gov.workflow import selectors
from tiexi_gov.workflow.models import Area, Task, UnitScope

pytestmark = pytest.mark.django_db


def login(client, user):
    c = client.__class__()
    c.force_login(user)
    return c


def fresh(user) -> User:
    return User.objects.get(pk=user.pk)


def queue_subjects(user, day) -> list[tuple[str, str]]:
    return [(r.action, r.subject_repr) for s in selectors.queue(fresh(user), day) for r in s.rows]


def awaiting_signature(w, day):
    sub = services.create_draft(actor=w.fin_clerk, title="关于拨付专项资金的请示", today=day, **valid_fields(day))
    return services.send_for_signature(actor=w.fin_clerk, submission=sub, today=day)


def test_x_3_row_says_what_which_action_from_whom_since_when_days_left_and_the_article(client):
    w = build_world()
    today = timezone.localdate()
    sub = in_leader_review(w, today)
    html = login(client, w.dep_a).get(reverse("workflow:queue")).content.decode()
    assert sub.title in html and "待批示" in html  # what, and the action expected
    assert f"{w.staff.display_name} ·" in html and "送达" in html  # from whom, since when
    assert "剩 10 个工作日" in html  # DOC-13: 10 WD from registration for an ordinary item
    assert "第六十一条" in html and "DOC-13" not in html  # the article, never the internal rule ID
    assert f'href="{reverse("documents:detail", args=[sub.pk])}"' in html
    assert 'data-testid="open-task-count"' in html  # the navbar counts it too


def test_cal_2_a_due_day_in_a_year_without_an_official_calendar_is_marked_provisional(client):
    w = build_world()
    day = dt.date(2027, 3, 1)  # chinesecalendar 1.11 knows no 2027
    assert wd.is_provisional(day)
    in_leader_review(w, day)
    [row] = [r for s in selectors.queue(fresh(w.dep_a), day) for r in s.rows]
    assert row.provisional and row.remaining.startswith("剩")
    html = login(client, w.dep_a).get(reverse("workflow:queue")).content.decode()
    assert 'data-testid="provisional"' in html and "暂定" in html


def test_x_3_rows_are_grouped_by_area_in_the_areas_order_and_the_navbar_counts_them(client):
    w = build_world()
    today = timezone.localdate()
    submitted(w, today, title="待登记的请示")
    ledger.create_item(
        actor=w.staff,
        source=Source.GOVERNMENT_DECISION,
        task="推进老旧小区改造",
        lead_unit=w.fin,
        leader_post=w.dep_a_post,
        due=wd.add_workdays(today, 30),
        standard="年底前完成改造",
        today=today,
    )
    page = login(client, w.staff).get(reverse("workflow:queue"))
    sections = page.context["sections"]
    assert [s.area for s in sections] == [Area.DOCUMENTS, Area.SUPERVISION]
    assert page.context["total"] == 2 and page.context["open_task_count"] == 2
    services.register(actor=w.staff, submission=submitted(w, today, title="又一件"), today=today)
    assert login(client, w.staff).get(reverse("workflow:queue")).context["total"] == 2  # one registered, one new


def test_x_3_most_urgent_first_overdue_then_due_today_then_by_urgency():
    w = build_world()
    day = dt.date(2026, 9, 7)
    later = in_leader_review(w, day, title="一般件")
    urgent = in_leader_review(w, day, title="加急件", urgency="urgent")
    rows = [r.subject_repr for s in selectors.queue(fresh(w.dep_a), day) for r in s.rows]
    assert rows.index(str(urgent)) < rows.index(str(later))  # the urgent one first
    overdue_day = wd.add_workdays(day, 11)  # the ordinary one is past its 10 WD, the urgent one too (5 WD)
    rows = [r for s in selectors.queue(fresh(w.dep_a), overdue_day) for r in s.rows]
    assert all(r.tone == "danger" and r.remaining.startswith("超期") for r in rows)


def test_leave_4_acting_reroutes_a_posts_task_on_the_first_and_the_last_day_of_the_arrangement():
    """The unit head is away 9–11 September; the deputy without the right to sign acts for him (LEAVE-3/4)."""
    w = build_world()
    day = dt.date(2026, 9, 7)
    sub = awaiting_signature(w, day)
    first, last = dt.date(2026, 9, 9), dt.date(2026, 9, 11)
    plain_deputy_post = Post.objects.get(title="财政局副局长")
    ActingArrangementFactory(absent_post=w.fin_head_post, acting_post=plain_deputy_post, start=first, end=last)
    title = str(sub)
    assert ("sign", title) in queue_subjects(w.fin_head, first - dt.timedelta(days=1))
    assert ("sign", title) not in queue_subjects(w.fin_plain_deputy, first - dt.timedelta(days=1))
    for d in (first, last):
        assert ("sign", title) in queue_subjects(w.fin_plain_deputy, d)
        assert ("sign", title) not in queue_subjects(w.fin_head, d)
        [row] = [r for s in selectors.queue(fresh(w.fin_plain_deputy), d) for r in s.rows]
        assert row.capacity == f"代财政局局长{w.fin_head.display_name}"
    after = last + dt.timedelta(days=1)
    assert ("sign", title) in queue_subjects(w.fin_head, after)
    assert ("sign", title) not in queue_subjects(w.fin_plain_deputy, after)
    # And on the last day the acting deputy may really sign, in the head's stead (the record says 代).
    signed = services.sign_submission(actor=fresh(w.fin_plain_deputy), submission=sub, today=last)
    assert signed.state == SubmissionState.SIGNED and signed.signed_post == w.fin_head_post


def test_x_3_a_task_closes_when_a_second_entitled_person_does_the_step_while_the_first_is_away():
    w = build_world()
    day = dt.date(2026, 9, 7)
    sub = awaiting_signature(w, day)
    tasks = list(Task.objects.open().of(sub))
    assert {t.owner_post.title for t in tasks} == {"财政局局长", "财政局副局长（授权签发）"}
    services.sign_submission(actor=w.fin_signing_deputy, submission=sub, today=day)  # the head is away, unreplaced
    closed = Task.objects.filter(pk__in=[t.pk for t in tasks])
    assert all(t.closed_at is not None and t.closed_by == w.fin_signing_deputy for t in closed)
    assert queue_subjects(w.fin_head, day) == []
    assert [a for a, _ in queue_subjects(w.fin_clerk, day)] == ["submit"]  # the next step: 待报送


def test_x_3_an_area_with_more_rows_than_the_page_shows_links_to_all_of_them(client):
    user = UserFactory(unit=UnitFactory(), roles=[Role.CLERK])
    _task_rows(user, count=selectors.PER_AREA + 5, areas=[Area.DOCUMENTS])
    c = login(client, user)
    page = c.get(reverse("workflow:queue"))
    [section] = page.context["sections"]
    assert len(section.rows) == selectors.PER_AREA and section.more == 5
    assert "另有 5 项" in page.content.decode()
    full = c.get(reverse("workflow:queue"), {"area": Area.DOCUMENTS})
    assert full.context["total"] == selectors.PER_AREA + 5 and len(full.context["rows"]) == selectors.PER_AREA + 5


def test_x_3_an_areas_full_list_pages_within_the_area(client):
    """查看全部公文办理待办 lists the area 50 rows a page; its 下一页 linked to ?page=2 without the area, which is the
    summary of every area again — the rows past the 50th could not be reached by clicking."""
    from tiexi_gov.workflow.views import AREA_PAGE_SIZE

    user = UserFactory(unit=UnitFactory(), roles=[Role.CLERK])
    _task_rows(user, count=AREA_PAGE_SIZE + 3, areas=[Area.DOCUMENTS])
    c = login(client, user)
    first = c.get(reverse("workflow:queue"), {"area": Area.DOCUMENTS}).content.decode()
    link = re.search(r'<a class="page-link" href="([^"]+)">下一页</a>', first).group(1).replace("&amp;", "&")
    second = c.get(reverse("workflow:queue") + link)
    assert second.templates[0].name == "workflow/queue_area.html"
    assert second.context["page"].number == 2 and len(second.context["rows"]) == 3


def _task_rows(user, *, count: int, areas, post=None, extra_units=()):
    """Open tasks addressed every way a task can reach `user`: by name, by the unit's clerks, by role, by a post."""
    from django.contrib.contenttypes.models import ContentType

    ct = ContentType.objects.get_for_model(User)
    owners = [
        {"owner_user": user},
        {"owner_unit": user.unit, "unit_scope": UnitScope.CLERKS},
        {"owner_role": str(Role.CLERK)},
    ]
    if post is not None:
        owners.append({"owner_post": post})
    rows = [
        Task(
            subject_type=ct,
            subject_id=10_000 + i,
            subject_repr=f"事项{i}",
            area=areas[i % len(areas)],
            key=f"x|{i}",
            action="x",
            action_label="待办理",
            urgency=i % 4,
            opened_at=timezone.now(),
            **owners[i % len(owners)],
        )
        for i in range(count)
    ]
    Task.objects.bulk_create(rows)


def test_x_3_queue_page_uses_a_constant_number_of_queries(client, django_assert_max_num_queries, page_cache_off):
    """At most 10 queries, the same for 4 tasks in one area with one acting arrangement as for 120 tasks in four
    areas with five: the handled posts come in three queries, the rows and their counts in two (issue 14: the
    ranks and totals in plain SQL, then the rows shown)."""
    user = UserFactory(unit=UnitFactory(), roles=[Role.CLERK])
    own_post, _ = appoint(Post.Kind.UNIT_DEPUTY, unit=user.unit, person=user)
    today = timezone.localdate()
    c = login(client, user)
    counts = []
    for tasks, areas, acting in ((4, [Area.DOCUMENTS], 1), (120, list(Area.values), 5)):
        Task.objects.all().delete()
        for _ in range(acting):
            absent, _ = appoint(Post.Kind.UNIT_HEAD, unit=UnitFactory())
            ActingArrangementFactory(absent_post=absent, acting_post=own_post, start=today, end=today)
        _task_rows(user, count=tasks, areas=areas, post=absent)
        with django_assert_max_num_queries(10) as captured:
            page = c.get(reverse("workflow:queue"))
        counts.append(len(captured))
        assert page.context["total"] == tasks
        assert "代单位主要负责人" in page.content.decode()
    assert counts[0] == counts[1]


def test_x_3_the_upgrade_opens_tasks_for_everything_already_waiting():
    """The data migration (and `manage.py tasks rebuild`) opens the tasks of items that waited before the
    upgrade, so an upgraded deployment's queue is complete from its first day."""
    from importlib import import_module

    from django.apps import apps

    w = build_world()
    day = timezone.localdate()
    in_leader_review(w, day)
    awaiting_signature(w, day)
    before = set(Task.objects.open().values_list("subject_type_id", "subject_id", "key"))
    Task.objects.all().delete()  # what a deployment had before issue 10
    migration = import_module("tiexi_gov.workflow.migrations.0002_open_tasks_for_waiting_items")
    migration.open_tasks(apps, None)
    assert set(Task.objects.open().values_list("subject_type_id", "subject_id", "key")) == before
    assert queue_subjects(w.dep_a, day) and queue_subjects(w.fin_head, day)


@pytest.mark.parametrize("day", [dt.date(2026, 9, 7), dt.date(2027, 3, 1)])  # 2027: a provisional due day
def test_x_14_a_task_row_prints_what_its_template_printed_before(day):
    """我的待办's rows are made from the task's columns and drawn by Jinja2 (issue 14.2): both lists (by area, and one
    area in full) still read as Django's row template printed them from the task and its clock, escaping included
    (Jinja2 spells a quote &#34; and an apostrophe &#39; where Django writes &quot; and &#x27;: the same text)."""
    import dataclasses
    from pathlib import Path

    from tests.rows_support import as_django_prints, reference
    from tiexi_gov.rowtemplates import rows as draw

    w = build_world()
    in_leader_review(w, day, title="急件 <b>\"引号\" & '撇号'", urgency="urgent")
    in_leader_review(w, day, title="一般件")
    user = fresh(w.dep_a)
    rows = [r for s in selectors.queue(user, day) for r in s.rows]
    rows += selectors.rows_for(selectors.open_tasks_for(user, day), user, day)
    assert len(rows) == 4 and any(r.provisional for r in rows) == wd.is_provisional(day)
    for row in rows:
        task = Task.objects.select_related("from_user").get(pk=row.pk)  # the reference reads the task itself
        assert row.sender == (task.from_user.display_name if task.from_user_id else "")
        as_before = {**{f.name: getattr(row, f.name) for f in dataclasses.fields(row)}, "task": task}
        new = draw([row], "workflow/_row.jinja")
        assert "<b>" not in new and ("&lt;b&gt;" in new) == ("<b>" in row.subject_repr)
        assert as_django_prints(new) == reference(Path(__file__).with_name("task_row_before.html"), as_before)
        assert f'data-task="{row.pk}"' in new


def test_x_3_a_person_reached_twice_for_the_same_step_reads_it_once_and_counts_it_once():
    """A deputy reached by post and by name for the same item and action (a twin task) sees one row, the first task,
    in the area's total too; another action on the same item still has its own row."""
    w = build_world()
    day = dt.date(2026, 9, 7)
    sub = in_leader_review(w, day, title="孪生待办")
    first = Task.objects.get(subject_id=sub.pk, closed_at__isnull=True, owner_post=w.dep_a_post)
    twin = Task.objects.get(pk=first.pk)
    twin.pk, twin.key, twin.owner_post, twin.authority, twin.owner_user = None, "twin", None, False, w.dep_a
    twin.save()
    other = Task.objects.get(pk=first.pk)
    other.pk, other.key, other.action, other.owner_post, other.owner_user = None, "other", "other", None, w.dep_a
    other.save()
    [section] = selectors.queue(fresh(w.dep_a), day)
    assert sorted(r.pk for r in section.rows) == sorted([first.pk, other.pk])  # the twin is not listed
    assert section.total == 2 and selectors.open_count(fresh(w.dep_a), day) == 2


def test_x_14_the_queue_ranks_by_area_number_and_the_database_admits_no_other_area():
    """selectors.queue partitions by the area's number (a CASE over Area), not by its name: a task of an area the
    CASE does not know would fall into a nameless group, so the table refuses one (task_area_known)."""
    from django.db import IntegrityError, transaction

    w = build_world()
    today = timezone.localdate()
    submitted(w, today, title="待登记的请示")
    task = Task.objects.filter(closed_at__isnull=True, area=Area.DOCUMENTS).first()
    assert task is not None
    with pytest.raises(IntegrityError), transaction.atomic():
        Task.objects.filter(pk=task.pk).update(area="housing")
    assert [s.area for s in selectors.queue(fresh(w.staff), today)] == [Area.DOCUMENTS]


def test_leave_4_the_acting_badge_names_whose_matters_when_deputies_share_a_title(client):
    """Four deputies are all 副区长: a row reaching one through an arrangement says whose it is, 代副区长<name>,
    not a bare 代副区长 that fits any of them (第十五条)."""
    gov = UnitFactory()
    absent_post, absent = appoint(Post.Kind.DEPUTY, unit=gov, title="副区长")
    acting_post, acting = appoint(Post.Kind.DEPUTY, unit=gov, title="副区长")
    acting.full_name, absent.full_name = "赵国庆", "张海燕"
    acting.save(update_fields=["full_name"])
    absent.save(update_fields=["full_name"])
    today = timezone.localdate()
    ActingArrangementFactory(absent_post=absent_post, acting_post=acting_post, start=today, end=today)
    Task.objects.create(
        subject_type=ContentType.objects.get_for_model(Post),
        subject_id=str(absent_post.pk),
        subject_repr="审核区直部门请示",
        area=Area.DOCUMENTS,
        key="badge|1",
        action="decide",
        action_label="待签批",
        owner_post=absent_post,
        opened_at=timezone.now(),
    )
    [row] = [r for s in selectors.queue(fresh(acting), today) for r in s.rows]
    assert row.capacity == "代副区长张海燕"
    client.force_login(acting)
    page = client.get(reverse("workflow:queue")).content.decode()
    assert 'data-testid="capacity">代副区长张海燕<' in page

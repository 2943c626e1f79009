"""我的待办 also lists what waits for the user's approval or signature without a clock of its own, counted per area
and linked to the area's list — so a deputy clearing the queue on a phone misses nothing (X-3)."""

import datetime as dt

import pytest
from django.urls import reverse
from django.utils import timezone

pytestmark = pytest.mark.django_db

# Tasks far enough apart that the ledger does not take them for one another (SUP-5).
TASKS = ["供暖设施检修", "城区道路坑槽修补", "中小学校舍安全排查", "社区医院药品保供", "条子河清淤疏浚",
         "背街小巷路灯更换", "老旧小区停车位施划"]  # fmt: skip


def _waiting(client, user):
    client.force_login(user)
    page = client.get(reverse("deadlines:queue"))
    assert page.status_code == 200
    return {(w.area, w.label): w for w in page.context["waiting"]}


def test_sup_5_and_sup_4_approvals_wait_in_the_responsible_deputys_queue(client, settings):
    from supervision import services
    from supervision.models import Source
    from tests.supervision.supervision_support import build_world

    w = build_world()
    today = timezone.localdate()
    for i in range(2):
        services.create_item(
            actor=w.staff, source=Source.GOVERNMENT_DECISION, task=TASKS[i],
            lead_unit=w.fin, leader_post=w.dep_a_post, due=today + dt.timedelta(days=40), standard="按期完成",
            supervising_unit=w.fin, in_government_name=True, issue=True,
        )  # fmt: skip
    mine = _waiting(client, w.dep_a)
    row = mine[("督查督办", "以区政府名义督查待审批（SUP-5）")]
    assert row.count == 2 and row.url == reverse("supervision:ledger") + "?state=awaiting_approval"
    assert ("督查督办", "以区政府名义督查待审批（SUP-5）") not in _waiting(client, w.dep_b)
    # the lead unit's clerk has nothing to accept yet: the items wait for approval
    assert ("督查督办", "交办事项待签收") not in _waiting(client, w.fin_clerk)


def test_mtg_9_leave_request_waits_in_the_chairs_queue(client):
    from meetings import services
    from meetings.models import Meeting, MeetingKind
    from tests.meetings.meetings_support import build_world

    w = build_world()
    today = timezone.localdate()
    meeting = services.schedule_ad_hoc(
        actor=w.staff, kind=MeetingKind.SPECIAL, date=today + dt.timedelta(days=5), reason="研究供暖保障",
        chair_post=w.exec_post, lead_unit=w.units["财政局"],
    )  # fmt: skip
    invitation = services.add_special_attendee(actor=w.staff, meeting=meeting, person=w.unit_heads["审计局"])
    services.request_leave(actor=w.unit_heads["审计局"], invitation=invitation, reason="出差")
    assert Meeting.objects.count() == 1
    row = _waiting(client, w.exec_deputy)[("会议", "会议请假待审批（MTG-9）")]
    assert row.count == 1 and row.url == reverse("meetings:tasks")
    assert ("会议", "会议请假待审批（MTG-9）") not in _waiting(client, w.head)


def test_leave_2_deputy_leave_waits_in_the_heads_queue(client):
    from coordination import absence
    from tests.meetings.meetings_support import build_world

    w = build_world()
    today = timezone.localdate()
    absence.request_absence(
        actor=w.edu_deputy, post=w.edu_deputy_post,
        start=today + dt.timedelta(days=3), end=today + dt.timedelta(days=4),
        place="长春", purpose="参加省教育工作会议", contact="138****0000", acting_post=w.judicial_post,
    )  # fmt: skip
    row = _waiting(client, w.head)[("议事协调", "外出请假待审批（LEAVE-2、LEAVE-3）")]
    assert row.count == 1 and row.url.startswith(reverse("coordination:leave_list"))
    assert ("议事协调", "外出请假待审批（LEAVE-2、LEAVE-3）") not in _waiting(client, w.exec_deputy)


def test_x_3_queue_costs_the_same_queries_however_much_waits(client, django_assert_max_num_queries):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    from supervision import services
    from supervision.models import Source
    from tests.supervision.supervision_support import build_world

    w = build_world()
    today = timezone.localdate()

    def add(n, start):
        for i in range(start, start + n):
            services.create_item(
                actor=w.staff, source=Source.GOVERNMENT_DECISION, source_ref=f"测试-{i}",
                task=TASKS[i], lead_unit=w.fin, leader_post=w.dep_a_post,
                due=today + dt.timedelta(days=40), standard="按期完成", supervising_unit=w.fin,
                in_government_name=True, issue=True,
            )  # fmt: skip

    client.force_login(w.dep_a)
    add(1, 0)
    with CaptureQueriesContext(connection) as small:
        client.get(reverse("deadlines:queue"))
    add(6, 1)
    with CaptureQueriesContext(connection) as large:
        page = client.get(reverse("deadlines:queue"))
    assert len(large) == len(small)
    assert {w.label: w.count for w in page.context["waiting"]}["以区政府名义督查待审批（SUP-5）"] == 7

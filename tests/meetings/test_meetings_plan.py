"""MTG-11 (第五十九条): the year's plan of district-wide meetings — listed by the office, checked by the office
director, approved by the head; naming; the yearly limits; unplanned meetings approved by the deputy, then the
head."""

from __future__ import annotations

import pytest
from django.urls import reverse
from django.utils import timezone
from meetings_support import DAY

from meetings.models import DistrictMeeting, MeetingPlan
from meetings.schedule import services as schedule_services
from meetings.shared import errors
from tiexi_gov.audit.models import Event
from tiexi_gov.notify.models import Message

pytestmark = [pytest.mark.django_db]

S = DistrictMeeting.Sponsorship
ST = DistrictMeeting.State


def _messages(response) -> list[str]:
    return [str(m) for m in response.context["messages"]] if response.context else []


def _add(w, name, sponsorship, unit, actor=None, **extra):
    return schedule_services.add_district_meeting(
        actor=actor or w.staff, year=2026, name=name, sponsorship=sponsorship, unit=w.units[unit], today=DAY, **extra
    )


def test_mtg_11_naming_and_limits(world):
    w = world
    schedule_services.get_or_create_plan(actor=w.staff, year=2026)

    # Naming: held by the government → 铁西区…会议; in the government's name → 全区…会议.
    with pytest.raises(errors.MeetingError, match="铁西区"):
        _add(w, "全区安全生产工作会议", S.BY_GOVERNMENT, "发改局")
    with pytest.raises(errors.MeetingError, match="全区"):
        _add(w, "铁西区项目建设推进会议", S.IN_GOVERNMENT_NAME, "发改局")
    by_gov = _add(w, "铁西区安全生产工作会议", S.BY_GOVERNMENT, "发改局", month=3)
    assert by_gov.planned and by_gov.state == ST.PLANNED

    # In the government's name: only a comprehensive department, once a year.
    with pytest.raises(errors.MeetingError, match="综合部门"):
        _add(w, "全区教育工作会议", S.IN_GOVERNMENT_NAME, "教育局")
    _add(w, "全区项目建设推进会议", S.IN_GOVERNMENT_NAME, "发改局", month=4)
    with pytest.raises(errors.MeetingError, match="每年限1次"):
        _add(w, "全区招商引资工作会议", S.IN_GOVERNMENT_NAME, "发改局")
    _add(w, "全区财政工作会议", S.IN_GOVERNMENT_NAME, "财政局")  # another comprehensive department may

    # A department's own-system meeting: once a year, never with the township / street heads.
    with pytest.raises(errors.MeetingError, match="乡、街"):
        _add(w, "全区教育系统工作会议", S.OWN_SYSTEM, "教育局", invites_township_heads=True)
    _add(w, "全区教育系统工作会议", S.OWN_SYSTEM, "教育局")
    with pytest.raises(errors.MeetingError, match="不得超过1次"):
        _add(w, "全区教育系统安全会议", S.OWN_SYSTEM, "教育局")
    assert DistrictMeeting.objects.count() == 4

    # The plan: the office lists, the office director checks, the head approves — each by the right person.
    plan = MeetingPlan.objects.get(year=2026)
    for wrong in (w.staff, w.head, w.exec_deputy):
        with pytest.raises(errors.ActionNotAllowed):
            schedule_services.check_plan(actor=wrong, plan=plan)
    with pytest.raises(errors.ActionNotAllowed):
        _add(w, "全区审计工作会议", S.OWN_SYSTEM, "审计局", actor=w.clerks["审计局"])  # a unit cannot list
    plan = schedule_services.check_plan(actor=w.director, plan=plan)
    assert plan.state == MeetingPlan.State.CHECKED and plan.checked_by == w.director
    for wrong in (w.staff, w.director, w.exec_deputy):
        with pytest.raises(errors.ActionNotAllowed):
            schedule_services.approve_plan(actor=wrong, plan=plan)
    plan = schedule_services.approve_plan(actor=w.head, plan=plan)
    assert plan.state == MeetingPlan.State.APPROVED and plan.approved_by == w.head
    assert [e.action for e in Event.objects.for_object(plan).order_by("id")] == ["created", "checked", "approved"]

    # After approval a meeting is unplanned: its reason is required; the deputy in charge, then the head.
    with pytest.raises(errors.MeetingError, match="事由"):
        _add(w, "全区审计工作会议", S.OWN_SYSTEM, "审计局", actor=w.clerks["审计局"])
    extra = _add(w, "全区审计工作会议", S.OWN_SYSTEM, "审计局", actor=w.clerks["审计局"], reason="上级部署专项审计")
    assert not extra.planned and extra.plan is None and extra.state == ST.AWAITING_DEPUTY
    for wrong in (w.head, w.edu_deputy, w.staff):  # 审计局 is in the executive deputy's portfolio
        with pytest.raises(errors.ActionNotAllowed):
            schedule_services.decide_unplanned(actor=wrong, meeting=extra, approve=True)
    extra = schedule_services.decide_unplanned(actor=w.exec_deputy, meeting=extra, approve=True)
    assert extra.state == ST.AWAITING_HEAD
    with pytest.raises(errors.ActionNotAllowed):
        schedule_services.decide_unplanned(actor=w.exec_deputy, meeting=extra, approve=True)
    extra = schedule_services.decide_unplanned(actor=w.head, meeting=extra, approve=True)
    assert extra.state == ST.APPROVED
    # The limits count unplanned meetings too.
    with pytest.raises(errors.MeetingError, match="不得超过1次"):
        _add(w, "全区审计系统会议", S.OWN_SYSTEM, "审计局", actor=w.clerks["审计局"], reason="再开一次")


def test_mtg_11_beyond_the_principle_an_unplanned_meeting_goes_to_the_deputy_and_the_head(world, client):
    """第五十九条: 以区政府名义召开的全区性会议，原则上只允许区政府综合部门每年召开1次 — the plan keeps to it, but
    "原则上" is not "不得": a department may still ask for an unplanned one, and the deputy in charge, then the head,
    decide knowing that it is beyond the principle. The own-system limits (不得超过1次) admit no exception."""
    w = world
    plan = schedule_services.get_or_create_plan(actor=w.staff, year=2026)
    _add(w, "全区项目建设推进会议", S.IN_GOVERNMENT_NAME, "发改局", month=4)
    with pytest.raises(errors.MeetingError, match="综合部门"):  # not into the plan
        _add(w, "全区教育工作会议", S.IN_GOVERNMENT_NAME, "教育局")
    plan = schedule_services.approve_plan(actor=w.head, plan=schedule_services.check_plan(actor=w.director, plan=plan))

    asked = _add(
        w, "全区教育工作会议", S.IN_GOVERNMENT_NAME, "教育局", actor=w.clerks["教育局"], reason="落实省教育大会部署"
    )
    assert not asked.planned and asked.state == ST.AWAITING_DEPUTY
    event = Event.objects.for_object(asked).get(action="added")
    assert event.action_label == "申请临时召开（计划外，超出原则）" and "原则上只允许区政府综合部门" in event.opinion
    notice = Message.objects.filter(subject="计划外全区性会议待审批：全区教育工作会议").get()
    assert notice.recipient == w.edu_deputy and "原则上只允许区政府综合部门召开" in notice.body
    assert asked.beyond_principle == event.opinion
    client.force_login(w.edu_deputy)  # the deputy decides seeing it
    page = client.get(reverse("meetings:plan", args=[2026])).content.decode()
    assert 'data-testid="beyond-principle"' in page and "超出原则：以区政府名义召开全区性会议" in page
    asked = schedule_services.decide_unplanned(actor=w.edu_deputy, meeting=asked, approve=True)
    assert schedule_services.decide_unplanned(actor=w.head, meeting=asked, approve=True).state == ST.APPROVED

    second = _add(
        w, "全区招商引资工作会议", S.IN_GOVERNMENT_NAME, "发改局", actor=w.clerks["发改局"], reason="专项部署"
    )
    assert second.state == ST.AWAITING_DEPUTY and "原则上每年限1次" in Event.objects.for_object(second).get().opinion
    _add(w, "全区教育系统工作会议", S.OWN_SYSTEM, "教育局", actor=w.clerks["教育局"], reason="学期安排")
    with pytest.raises(errors.MeetingError, match="不得超过1次"):
        _add(w, "全区教育系统安全会议", S.OWN_SYSTEM, "教育局", actor=w.clerks["教育局"], reason="再开一次")


def test_mtg_11_an_unplanned_meeting_posted_twice_is_one_application(world, client):
    """The unplanned-meeting form posted again (a double click, Back and 提交) made a second identical application
    for the deputy to approve, who was told twice. The same meeting again is refused while the first stands."""
    w = world
    year = timezone.localdate().year
    plan = schedule_services.get_or_create_plan(actor=w.staff, year=year)
    schedule_services.check_plan(actor=w.director, plan=plan)
    schedule_services.approve_plan(actor=w.head, plan=MeetingPlan.objects.get(pk=plan.pk))
    client.force_login(w.clerks["发改局"])
    url = reverse("meetings:district_meeting_new", args=[year])
    form = {"name": "铁西区重点项目推进会议", "sponsorship": S.BY_GOVERNMENT, "unit": w.units["发改局"].pk}
    form |= {"month": "12", "reason": "年底重点项目推进"}
    assert client.post(url, form).status_code == 302
    events, notices = Event.objects.count(), Message.objects.count()
    again = client.post(url, form)
    assert again.status_code == 400 and "请勿重复报送" in again.content.decode()
    assert DistrictMeeting.objects.filter(name="铁西区重点项目推进会议").count() == 1
    assert (Event.objects.count(), Message.objects.count()) == (events, notices)


def test_plan_page_flow_through_the_views(world, client):
    w = world
    year = timezone.localdate().year
    plan_url = reverse("meetings:plan", args=[year])
    new_url = reverse("meetings:district_meeting_new", args=[year])

    client.force_login(w.staff)
    page = client.get(plan_url).content.decode()
    assert 'data-testid="plan-create"' in page
    client.post(reverse("meetings:plan_action", args=[year, "create"]))
    assert MeetingPlan.objects.get(year=year).state == MeetingPlan.State.DRAFTING

    # The naming rule and the limits come back as form errors, with what was typed.
    form = {"name": "全区安全生产会议", "sponsorship": S.BY_GOVERNMENT, "unit": w.units["发改局"].pk, "month": "3"}
    page = client.post(new_url, form)
    assert page.status_code == 400 and "铁西区" in page.context["form"].errors["name"][0]
    assert "全区安全生产会议" in page.content.decode()
    form["name"] = "铁西区安全生产会议"
    assert client.post(new_url, form).status_code == 302
    limited = {"name": "全区教育工作会议", "sponsorship": S.IN_GOVERNMENT_NAME, "unit": w.units["教育局"].pk}
    page = client.post(new_url, limited)
    assert page.status_code == 400 and any("综合部门" in e for e in page.context["form"].non_field_errors())
    assert 'data-testid="form-error"' in page.content.decode()
    own = {"name": "全区教育系统会议", "sponsorship": S.OWN_SYSTEM, "unit": w.units["教育局"].pk}
    page = client.post(new_url, {**own, "invites_township_heads": "on"})
    assert any("乡、街" in e for e in page.context["form"].non_field_errors())
    assert client.post(new_url, own).status_code == 302
    assert DistrictMeeting.objects.filter(planned=True).count() == 2

    # A unit clerk may not list meetings while the office drafts the plan.
    client.force_login(w.clerks["审计局"])
    response = client.post(new_url, {**own, "unit": w.units["审计局"].pk}, follow=True)
    assert any("办公室编制" in m for m in _messages(response))

    # The office cannot check; the director checks (confirmed); the head approves (confirmed).
    check_url = reverse("meetings:plan_action", args=[year, "check"])
    approve_url = reverse("meetings:plan_action", args=[year, "approve"])
    client.force_login(w.staff)
    assert 'data-testid="plan-check"' not in client.get(plan_url).content.decode()
    response = client.post(check_url, {"confirm": "on"}, follow=True)
    assert any("无权" in m for m in _messages(response))
    client.force_login(w.director)
    assert 'data-testid="plan-check"' in client.get(plan_url).content.decode()
    response = client.post(check_url, {}, follow=True)
    assert any("勾选确认" in m for m in _messages(response))
    assert MeetingPlan.objects.get(year=year).state == MeetingPlan.State.DRAFTING
    client.post(check_url, {"confirm": "on"})
    assert MeetingPlan.objects.get(year=year).state == MeetingPlan.State.CHECKED
    response = client.post(approve_url, {"confirm": "on"}, follow=True)
    assert MeetingPlan.objects.get(year=year).state == MeetingPlan.State.CHECKED
    client.force_login(w.head)
    assert 'data-testid="plan-approve"' in client.get(plan_url).content.decode()
    client.post(approve_url, {"confirm": "on"})
    assert MeetingPlan.objects.get(year=year).state == MeetingPlan.State.APPROVED

    # Unplanned, by the unit itself: the deputy in charge approves, then the head.
    client.force_login(w.clerks["审计局"])
    audit = {"name": "全区审计工作会议", "sponsorship": S.OWN_SYSTEM, "unit": w.units["审计局"].pk}
    page = client.post(new_url, audit)
    assert page.status_code == 400 and page.context["form"].errors["reason"]
    assert client.post(new_url, {**audit, "reason": "专项审计部署"}).status_code == 302
    extra = DistrictMeeting.objects.get(name="全区审计工作会议")
    assert extra.state == ST.AWAITING_DEPUTY and not extra.planned
    page = client.get(plan_url)
    assert [r.meeting.unit for r in page.context["page"].rows + page.context["page"].unplanned] == [
        w.units["审计局"]
    ]  # a clerk sees only their own unit's rows
    approve = reverse("meetings:district_meeting_action", args=[extra.pk, "approve"])
    reject = reverse("meetings:district_meeting_action", args=[extra.pk, "reject"])
    client.force_login(w.edu_deputy)  # not in charge of 审计局: does not even see it
    assert client.post(approve, {"confirm": "on"}).status_code == 404
    client.force_login(w.head)
    response = client.post(approve, {"confirm": "on"}, follow=True)
    assert DistrictMeeting.objects.get(pk=extra.pk).state == ST.AWAITING_DEPUTY
    client.force_login(w.exec_deputy)
    page = client.get(plan_url).content.decode()
    assert f'data-testid="decide-{extra.pk}"' in page
    client.post(approve, {"confirm": "on", "opinion": "同意"})
    assert DistrictMeeting.objects.get(pk=extra.pk).state == ST.AWAITING_HEAD
    client.force_login(w.head)
    response = client.post(reject, {"confirm": "on"}, follow=True)  # refusing needs a reason
    assert any("理由" in m for m in _messages(response))
    client.post(approve, {"confirm": "on"})
    assert DistrictMeeting.objects.get(pk=extra.pk).state == ST.APPROVED

    client.force_login(w.outsider)
    assert client.get(plan_url).status_code == 404


def test_mtg_11_plan_page_cites_article_59_once(world, client):
    """The plan page's rules read "会议管理规定（第五十九条，《工作规则》第五十九条）": the article twice over."""
    client.force_login(world.staff)
    page = client.get(reverse("meetings:plan", args=[timezone.localdate().year])).content.decode()
    assert "会议管理规定（《工作规则》第五十九条）" in page
    assert "第五十九条，《工作规则》第五十九条" not in page

"""Registering and editing supervision items through the pages (SUP-1, SUP-3, PUB-1, PUB-3).

The views use the real today (timezone.localdate()), so the data here is built relative to that day.
"""

from __future__ import annotations

import datetime as dt
import re

import pytest
from django.urls import reverse
from django.utils import timezone
from supervision_support import make_item

from supervision.models import ItemState, Kind, Proposal, Rectification, ReportCycle, Source, SupervisionItem
from supervision.public import services as public_services
from tiexi_gov.audit.models import Event
from tiexi_gov.deadlines.models import Deadline
from tiexi_gov.org.models import Post

pytestmark = [pytest.mark.postgres, pytest.mark.django_db]

NEW = reverse("supervision:item_new")


@pytest.fixture
def today():
    return timezone.localdate()


def _client(client, user):
    client.force_login(user)
    return client


def _post(w, today, **overrides) -> dict:
    """A complete 督查事项登记表 as the browser sends it (only the boxes that are ticked are sent)."""
    data = {
        "source": Source.GOVERNMENT_DECISION,
        "source_ref": "铁政发〔2026〕21号",
        "task": "完成铁西大街雨污分流改造工程",
        "kind": Kind.SPECIAL,
        "cycle": ReportCycle.WEEKLY,
        "lead_unit": w.fin.pk,
        "cooperating_units": [w.dev.pk, w.other.pk],
        "leader_post": w.dep_a_post.pk,
        "due": (today + dt.timedelta(days=45)).isoformat(),
        "standard": "完成管网改造3.2公里，验收合格率100%",
        "period_start": today.isoformat(),
        "supervising_unit": w.office.pk,
    }
    data.update(overrides)
    return {k: v for k, v in data.items() if v is not None}


def _errors(response) -> dict:
    return response.context["form"].errors


def test_sup_1_item_records_source_task_units_leader_deadline_and_standard(world, client, today):
    c = _client(client, world.staff)
    response = c.post(NEW, _post(world, today))
    item = SupervisionItem.objects.get()
    assert response.status_code == 302
    assert response["Location"] == reverse("supervision:item", args=[item.pk])
    assert item.source == Source.GOVERNMENT_DECISION
    assert item.source_ref == "铁政发〔2026〕21号"
    assert item.task == "完成铁西大街雨污分流改造工程"
    assert item.kind == Kind.SPECIAL and item.cycle == ReportCycle.WEEKLY
    assert item.lead_unit == world.fin
    assert set(item.cooperating_units.all()) == {world.dev, world.other}
    assert item.leader_post == world.dep_a_post
    assert item.due == today + dt.timedelta(days=45)
    assert item.standard == "完成管网改造3.2公里，验收合格率100%"
    assert item.period_start == today
    assert item.supervising_unit == world.office
    assert item.created_by == world.staff
    assert item.number == f"铁督〔{today.year}〕{item.seq}号"
    assert item.state == ItemState.DRAFT  # 保存草稿: not issued, no clock yet
    assert not Deadline.objects.filter(rule_id="SUP-1").exists()


def test_sup_1_form_offers_every_field_with_leaders_named_by_title_and_holder(world, client, today):
    response = _client(client, world.director).get(NEW)
    assert response.status_code == 200
    html = response.content.decode()
    for label in (
        "事项来源",
        "来源依据",
        "督办事项",
        "督查方式",
        "报告周期",
        "牵头单位",
        "协办单位",
        "责任领导",
        "完成时限",
        "量化标准",
        "起始日期",
        "督查单位",
        "以区政府名义督查",
        "重大事项",
        "联合督查单位",
        "保存草稿",
        "保存并交办",
    ):
        assert label in html, label
    form = response.context["form"]
    choices = {str(v): label for v, label in form.fields["leader_post"].choices}
    assert choices[str(world.dep_a_post.pk)] == "副区长（财政） · 李副区长"
    assert choices[str(world.head_post.pk)] == "区长 · 王区长"
    unit_head_post = Post.objects.get(kind=Post.Kind.UNIT_HEAD, unit=world.fin)
    assert str(unit_head_post.pk) not in choices  # district leaders only
    assert form["period_start"].value() == today
    assert f'value="{today.isoformat()}"' in html  # what a date input can show
    assert form["supervising_unit"].value() == world.office.pk


def test_sup_1_leader_choice_names_whose_post_it_is_while_its_holder_is_away(world, client, today):
    """责任领导 while 李副区长 is away and 张副区长 acts for him: both posts are in the list with one title each, so
    the absent holder's post names him first and the stand-in second, never only the stand-in's name."""
    from tests.factories import ActingArrangementFactory

    ActingArrangementFactory(absent_post=world.dep_a_post, acting_post=world.dep_b_post, start=today, end=today)
    form = _client(client, world.staff).get(NEW).context["form"]
    choices = {str(v): label for v, label in form.fields["leader_post"].choices}
    away, stand_in = world.dep_a.display_name, world.dep_b.display_name
    assert choices[str(world.dep_a_post.pk)] == f"{world.dep_a_post.title} · {away}（{stand_in}代）"
    assert choices[str(world.dep_b_post.pk)] == f"{world.dep_b_post.title} · {stand_in}"


def test_sup_1_save_and_issue_assigns_the_item_and_starts_the_completion_clock(world, client, today):
    response = _client(client, world.staff).post(NEW, _post(world, today, issue="1"))
    item = SupervisionItem.objects.get()
    assert response.status_code == 302
    assert item.state == ItemState.ASSIGNED
    assert item.assigned_on == today
    deadline = Deadline.objects.get(rule_id="SUP-1")
    assert deadline.due == item.due and deadline.owner_unit == world.fin


def test_sup_5_the_form_posted_twice_registers_one_item_and_shows_it(world, client, today):
    """A double click on 保存并交办 (or Back and the button again) answered the second post with the form, the
    first post's 已登记并交办 above it and the SUP-5 refusal 不得重复督查 pointing at the item just made. The form's
    one-time token now answers the same post again with the item it registered."""
    c = _client(client, world.staff)
    page = c.get(NEW).content.decode()
    token = re.search(r'name="once_token" value="([0-9a-f]{32})"', page)
    data = _post(world, today, issue="1", once_token=token.group(1) if token else "")
    first = c.post(NEW, data)
    again = c.post(NEW, data, follow=True)
    item = SupervisionItem.objects.get()
    url = reverse("supervision:item", args=[item.pk])
    assert first.status_code == 302 and first["Location"] == url
    assert again.redirect_chain == [(url, 302)]
    html = again.content.decode()
    assert "该表单已提交过，未重复创建" in html and "不得重复督查" not in html


def test_sup_1_save_and_issue_refuses_a_deadline_already_passed_and_keeps_the_form(world, client, today):
    """第四十七条: registered and assigned at once, a deadline already passed would be overdue on arrival; saved as a
    draft it may wait for the office to correct it."""
    start, passed = today - dt.timedelta(days=104), today - dt.timedelta(days=21)
    data = _post(world, today, period_start=start.isoformat(), due=passed.isoformat())
    response = _client(client, world.staff).post(NEW, {**data, "issue": "1"})
    assert response.status_code == 200 and not SupervisionItem.objects.exists()
    [error] = _errors(response)["__all__"]
    assert f"完成时限{passed:%Y-%m-%d}早于今天" in error and "第四十七条" in error
    form = response.context["form"]
    assert form["task"].value() == data["task"] and form["due"].value() == passed.isoformat()
    assert error in response.content.decode()

    response = client.post(NEW, data)  # 保存草稿
    assert response.status_code == 302
    draft = SupervisionItem.objects.get()
    assert draft.state == ItemState.DRAFT and draft.due == passed


@pytest.mark.parametrize("source", [Source.GOVERNMENT_DECISION, Source.MEETING_DECISION, Source.LEADER_INSTRUCTION])
def test_sup_1_each_plain_source_can_be_registered(world, client, today, source):
    response = _client(client, world.staff).post(NEW, _post(world, today, source=source, source_ref=f"依据-{source}"))
    assert response.status_code == 302
    assert SupervisionItem.objects.get().source == source


def test_sup_3_problem_found_by_supervision_is_registered_with_its_rectification(world, client, today):
    data = _post(
        world,
        today,
        source=Source.INSPECTION,
        source_ref="市督查组反馈问题清单第7项",
        task="整改老旧小区消防通道堵塞问题",
        rect_problem="部分老旧小区消防通道被占用",
        rect_level="city",
        rect_found_by="四平市政府第二督查组",
        rect_measures="清理占道车辆、设置禁停标识",
        rect_is_major="on",
    )
    response = _client(client, world.staff).post(NEW, data)
    assert response.status_code == 302
    item = SupervisionItem.objects.get()
    rect = Rectification.objects.get(item=item)
    assert item.source == Source.INSPECTION
    assert (rect.problem, rect.level, rect.found_by, rect.measures) == (
        "部分老旧小区消防通道被占用",
        "city",
        "四平市政府第二督查组",
        "清理占道车辆、设置禁停标识",
    )
    assert rect.is_major and rect.reported_to_leaders_at is not None  # SUP-3: a major problem goes to the leaders


def test_sup_3_problem_without_its_rectification_fields_is_refused_and_kept(world, client, today):
    data = _post(world, today, source=Source.INSPECTION, task="整改河道垃圾问题", rect_problem="河道垃圾堆放")
    response = _client(client, world.staff).post(NEW, data)
    assert response.status_code == 200
    errors = _errors(response)
    assert {"rect_level", "rect_found_by", "rect_measures"} <= set(errors)
    assert "rect_problem" not in errors
    html = response.content.decode()
    assert "河道垃圾堆放" in html and "整改河道垃圾问题" in html
    assert not SupervisionItem.objects.exists()


@pytest.mark.parametrize("source", [Source.NPC_SUGGESTION, Source.CPPCC_PROPOSAL])
def test_pub_3_suggestion_or_proposal_is_registered_as_a_supervised_item(world, client, today, source):
    data = _post(
        world,
        today,
        source=source,
        source_ref="第19号",
        task="关于增设社区养老服务站的建议",
        prop_number="第19号",
        prop_proposer="刘代表",
        prop_session="区十九届人大三次会议",
    )
    response = _client(client, world.staff).post(NEW, data)
    assert response.status_code == 302
    proposal = Proposal.objects.select_related("item").get()
    assert proposal.item.source == source
    assert (proposal.number, proposal.proposer, proposal.session) == ("第19号", "刘代表", "区十九届人大三次会议")


def test_pub_3_proposal_without_number_and_proposer_is_refused(world, client, today):
    data = _post(world, today, source=Source.CPPCC_PROPOSAL, task="关于完善停车设施的提案")
    response = _client(client, world.staff).post(NEW, data)
    assert response.status_code == 200
    assert {"prop_number", "prop_proposer"} <= set(_errors(response))
    assert not SupervisionItem.objects.exists()


def test_pub_1_public_inquiry_is_raised_as_a_supervised_item_linked_to_it(world, client, today):
    inquiry = public_services.log_inquiry(
        actor=world.staff, asker="市民张某", question="铁西大街路灯长期不亮，何时维修？", unit=world.dev, today=today
    )
    c = _client(client, world.staff)
    url = f"{NEW}?inquiry={inquiry.pk}"
    page = c.get(url)
    form = page.context["form"]
    assert form["source"].value() == Source.PUBLIC_INQUIRY
    assert form["source_ref"].value() == inquiry.number
    assert form["lead_unit"].value() == world.dev.pk
    assert "铁西大街路灯长期不亮" in page.content.decode()
    data = _post(world, today, source="", source_ref=inquiry.number, task="维修铁西大街路灯", lead_unit=world.dev.pk)
    data["inquiry"] = inquiry.pk
    data["cooperating_units"] = [world.fin.pk]
    response = c.post(url, data)
    assert response.status_code == 302
    item = SupervisionItem.objects.get()
    assert item.source == Source.PUBLIC_INQUIRY  # fixed by the inquiry, whatever the browser sent
    assert item.source_object == inquiry


@pytest.mark.parametrize("who", ["fin_clerk", "fin_head", "dep_a", "head", "outsider"])
def test_only_the_office_registers_items_others_get_404(world, client, today, who):
    c = _client(client, getattr(world, who))
    assert c.get(NEW).status_code == 404
    assert c.post(NEW, _post(world, today, issue="1")).status_code == 404
    assert not SupervisionItem.objects.exists()


def test_anonymous_is_sent_to_login(world, client):
    response = client.get(NEW)
    assert response.status_code == 302 and "login" in response["Location"]


@pytest.mark.parametrize(
    ("overrides", "field"),
    [
        ({"standard": ""}, "standard"),
        ({"due": "DUE_BEFORE_START"}, "due"),
        ({"cooperating_units": "LEAD"}, "cooperating_units"),
        ({"due": ""}, "due"),
        ({"leader_post": ""}, "leader_post"),
    ],
    ids=["missing-standard", "due-before-start", "lead-also-cooperating", "missing-due", "missing-leader"],
)
def test_sup_1_bad_input_reshows_the_form_with_everything_typed(world, client, today, overrides, field):
    if overrides.get("due") == "DUE_BEFORE_START":
        overrides["due"] = (today - dt.timedelta(days=1)).isoformat()
    if overrides.get("cooperating_units") == "LEAD":
        overrides["cooperating_units"] = [world.fin.pk, world.dev.pk]
    task = "推进铁西区智慧停车平台建设（错误输入测试）"
    response = _client(client, world.staff).post(NEW, _post(world, today, task=task, **overrides))
    assert response.status_code == 200
    assert field in _errors(response)
    form = response.context["form"]
    assert form["task"].value() == task and task in response.content.decode()
    assert form["source_ref"].value() == "铁政发〔2026〕21号"
    assert str(world.dev.pk) in [str(v) for v in form["cooperating_units"].value()]
    assert not SupervisionItem.objects.exists()


# --- editing a draft ------------------------------------------------------------------------------------------


def test_sup_1_office_edits_a_draft(world, client, today):
    item = make_item(world, issue=False, today=today)
    url = reverse("supervision:item_edit", args=[item.pk])
    c = _client(client, world.staff)
    page = c.get(url)
    assert page.status_code == 200
    assert page.context["form"]["task"].value() == item.task
    assert "source" not in page.context["form"].fields  # the source is fixed at registration
    new_due = today + dt.timedelta(days=60)
    data = _post(
        world,
        today,
        task="完成全区老旧小区改造资金拨付及绩效评价工作",
        due=new_due.isoformat(),
        lead_unit=world.dev.pk,
        cooperating_units=[world.fin.pk],
        leader_post=world.dep_b_post.pk,
    )
    response = c.post(url, data)
    assert response.status_code == 302
    item.refresh_from_db()
    assert item.task == "完成全区老旧小区改造资金拨付及绩效评价工作"
    assert item.due == new_due and item.lead_unit == world.dev and item.leader_post == world.dep_b_post
    assert list(item.cooperating_units.all()) == [world.fin]
    assert item.state == ItemState.DRAFT
    # 办理记录 lists what changed, by the form's labels, old → new; nothing else, no raw field names.
    record = Event.objects.filter(action="edited").get().opinion.split("\n")
    assert "督办事项：完成全区老旧小区改造资金拨付工作 → 完成全区老旧小区改造资金拨付及绩效评价工作" in record
    assert any(line.startswith("完成时限：") and line.endswith(f"→ {new_due.isoformat()}") for line in record)
    assert not any("task" in line or "lead_unit" in line for line in record)
    # The same form posted back unchanged records nothing.
    c.post(url, data)
    assert Event.objects.filter(action="edited").count() == 1


def test_sup_1_a_draft_edit_form_saved_again_unchanged_says_nothing_was_changed(world, client, today):
    """The 修改草稿 form is filled with the draft as recorded. Saved untouched, it recorded nothing but still told the
    office "修改已保存" — claiming a change that was never made. It now says nothing was changed."""
    from tests.form_roundtrip import form_data

    item = make_item(world, issue=False, today=today)
    url = reverse("supervision:item_edit", args=[item.pk])
    c = _client(client, world.staff)
    data = form_data(c.get(url).content.decode(), ("data-testid", "item-form"))
    events = Event.objects.count()
    page = c.post(url, data, follow=True).content.decode()
    assert Event.objects.count() == events
    assert f"督办事项{item.number}未作修改。" in page and "修改已保存" not in page
    item.refresh_from_db()
    assert item.task == "完成全区老旧小区改造资金拨付工作" and item.due is not None
    data["task"] = ["完成全区老旧小区改造资金拨付及绩效评价工作"]
    page = c.post(url, data, follow=True).content.decode()
    assert f"督办事项{item.number}的修改已保存。" in page
    assert Event.objects.filter(action="edited").count() == 1


def test_sup_1_an_issued_item_is_not_edited_here(world, client, today):
    item = make_item(world, issue=True, today=today)
    url = reverse("supervision:item_edit", args=[item.pk])
    c = _client(client, world.staff)
    response = c.post(url, _post(world, today, task="改掉已交办的事项"))
    assert response.status_code == 302
    assert response["Location"] == reverse("supervision:item", args=[item.pk])
    item.refresh_from_db()
    assert item.task == "完成全区老旧小区改造资金拨付工作"


@pytest.mark.parametrize("who", ["fin_clerk", "dep_a", "outsider"])
def test_only_the_office_edits_drafts_others_get_404(world, client, today, who):
    item = make_item(world, issue=False, today=today)
    c = _client(client, getattr(world, who))
    url = reverse("supervision:item_edit", args=[item.pk])
    assert c.get(url).status_code == 404
    assert c.post(url, _post(world, today, task="越权修改")).status_code == 404
    item.refresh_from_db()
    assert item.task == "完成全区老旧小区改造资金拨付工作"


def test_sup_1_edit_with_bad_input_keeps_what_was_typed(world, client, today):
    item = make_item(world, issue=False, today=today)
    url = reverse("supervision:item_edit", args=[item.pk])
    response = _client(client, world.staff).post(url, _post(world, today, task="新的督办事项表述", standard=""))
    assert response.status_code == 200
    assert "standard" in _errors(response)
    assert response.context["form"]["task"].value() == "新的督办事项表述"
    item.refresh_from_db()
    assert item.task == "完成全区老旧小区改造资金拨付工作"

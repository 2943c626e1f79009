"""SUP-5 through the registration pages: no duplicate supervision, the leader's approval of supervision in the
government's name, joint supervision of a major item.

The views use the real today (timezone.localdate()), so the data here is built relative to that day.
"""

from __future__ import annotations

import datetime as dt

import pytest
from django.urls import reverse
from django.utils import timezone
from supervision_support import make_item

from supervision.ledger import services
from supervision.models import ItemState, Source, SupervisionItem
from tiexi_gov.deadlines.models import Deadline

pytestmark = [pytest.mark.postgres, pytest.mark.django_db]

NEW = reverse("supervision:item_new")
EXISTING_TASK = "完成全区老旧小区改造资金拨付工作"  # make_item's task, led by 财政局


@pytest.fixture
def today():
    return timezone.localdate()


def _client(client, user):
    client.force_login(user)
    return client


def _post(w, today, **overrides) -> dict:
    data = {
        "source": Source.GOVERNMENT_DECISION,
        "source_ref": "",
        "task": "开展全区安全生产大检查",
        "kind": "special",
        "cycle": "monthly",
        "lead_unit": w.fin.pk,
        "cooperating_units": [w.dev.pk],
        "leader_post": w.dep_a_post.pk,
        "due": (today + dt.timedelta(days=30)).isoformat(),
        "standard": "检查覆盖率100%",
        "period_start": today.isoformat(),
        "supervising_unit": w.office.pk,
    }
    data.update(overrides)
    return {k: v for k, v in data.items() if v is not None}


def _assert_refused_with_link(response, existing: SupervisionItem, typed_task: str) -> None:
    assert response.status_code == 200
    html = response.content.decode()
    assert response.context["duplicate"] == existing
    assert f'href="{reverse("supervision:item", args=[existing.pk])}"' in html
    assert existing.number in html and existing.short_task in html
    assert "第五十条" in html
    assert response.context["form"]["task"].value() == typed_task  # never lose an entry
    assert typed_task in html


def test_sup_5_duplicate_same_source_reference_is_refused_with_a_link(world, client, today):
    existing = make_item(world, source_ref="铁政发〔2026〕5号", today=today)
    typed = "落实铁政发〔2026〕5号文件，开展营商环境专项整治"
    response = _client(client, world.staff).post(
        NEW, _post(world, today, source_ref="铁政发〔2026〕5号", task=typed, lead_unit=world.other.pk)
    )
    _assert_refused_with_link(response, existing, typed)
    assert SupervisionItem.objects.count() == 1
    assert response.context["form"]["source_ref"].value() == "铁政发〔2026〕5号"


def test_sup_5_near_identical_task_same_unit_overlapping_period_is_refused(world, client, today):
    existing = make_item(world, today=today)  # today … today+30, led by 财政局
    typed = "完成全区老旧小区改造的资金拨付工作。"
    response = _client(client, world.staff).post(
        NEW,
        _post(
            world,
            today,
            task=typed,
            period_start=(today + dt.timedelta(days=10)).isoformat(),
            due=(today + dt.timedelta(days=50)).isoformat(),
        ),
    )
    _assert_refused_with_link(response, existing, typed)
    assert SupervisionItem.objects.count() == 1


def test_sup_5_different_task_for_same_unit_is_allowed(world, client, today):
    make_item(world, today=today)
    response = _client(client, world.staff).post(NEW, _post(world, today, task="完成全区政府债务风险化解年度任务"))
    assert response.status_code == 302
    assert SupervisionItem.objects.filter(lead_unit=world.fin).count() == 2


def test_sup_5_same_task_for_another_unit_is_allowed(world, client, today):
    make_item(world, today=today)
    response = _client(client, world.staff).post(
        NEW, _post(world, today, task=EXISTING_TASK, lead_unit=world.dev.pk, cooperating_units=[world.fin.pk])
    )
    assert response.status_code == 302
    assert SupervisionItem.objects.count() == 2


def test_sup_5_same_task_in_a_later_non_overlapping_period_is_allowed(world, client, today):
    make_item(world, today=today)  # ends today+30
    response = _client(client, world.staff).post(
        NEW,
        _post(
            world,
            today,
            task=EXISTING_TASK,
            period_start=(today + dt.timedelta(days=31)).isoformat(),
            due=(today + dt.timedelta(days=90)).isoformat(),
        ),
    )
    assert response.status_code == 302
    assert SupervisionItem.objects.filter(task=EXISTING_TASK).count() == 2


def _closed(w, today) -> SupervisionItem:
    item = make_item(w, today=today)
    item = services.accept_item(actor=w.fin_clerk, item=item, today=today)
    item = services.claim_completion(actor=w.fin_clerk, item=item, evidence="已全部拨付", today=today)
    return services.verify_item(actor=w.staff, item=item, note="核验属实", today=today)


def _cancelled(w, today) -> SupervisionItem:
    return services.cancel_item(actor=w.staff, item=make_item(w, today=today), reason="决定调整")


@pytest.mark.parametrize("finish", [_closed, _cancelled], ids=["closed", "cancelled"])
def test_sup_5_a_finished_item_does_not_block_a_new_one(world, client, today, finish):
    old = finish(world, today)
    assert old.state in (ItemState.CLOSED_ON_TIME, ItemState.CANCELLED)
    response = _client(client, world.staff).post(NEW, _post(world, today, task=EXISTING_TASK))
    assert response.status_code == 302
    assert SupervisionItem.objects.filter(task=EXISTING_TASK).count() == 2


def test_sup_5_editing_a_draft_into_a_duplicate_is_refused_with_a_link(world, client, today):
    existing = make_item(world, today=today)
    draft = make_item(world, issue=False, today=today, task="开展全区安全生产大检查", lead_unit=world.fin)
    typed = "完成全区老旧小区改造资金拨付工作！"
    response = _client(client, world.staff).post(
        reverse("supervision:item_edit", args=[draft.pk]), _post(world, today, task=typed)
    )
    _assert_refused_with_link(response, existing, typed)
    draft.refresh_from_db()
    assert draft.task == "开展全区安全生产大检查"


# --- supervision in the government's name ----------------------------------------------------------------------


def test_sup_5_department_in_government_name_needs_leader_approval(world, client, today):
    data = _post(world, today, supervising_unit=world.dev.pk, in_government_name="on", issue="1")
    response = _client(client, world.staff).post(NEW, data)
    assert response.status_code == 302
    item = SupervisionItem.objects.get()
    assert item.supervising_unit == world.dev and item.in_government_name
    assert item.state == ItemState.AWAITING_APPROVAL
    assert not Deadline.objects.filter(rule_id="SUP-1").exists()  # the clock waits for the leader

    for not_allowed in (world.fin_clerk, world.dev_clerk, world.dep_b):
        with pytest.raises(services.ActionNotAllowed):
            services.approve_item(actor=not_allowed, item=item, today=today)
    item.refresh_from_db()
    assert item.state == ItemState.AWAITING_APPROVAL

    item = services.approve_item(actor=world.dep_a, item=item, opinion="同意", today=today)
    assert item.state == ItemState.ASSIGNED and item.assigned_on == today
    deadline = Deadline.objects.get(rule_id="SUP-1")
    assert deadline.due == item.due and deadline.owner_unit == world.fin


def test_sup_5_the_office_in_government_name_needs_no_approval(world, client, today):
    data = _post(world, today, in_government_name="on", issue="1")
    assert _client(client, world.staff).post(NEW, data).status_code == 302
    assert SupervisionItem.objects.get().state == ItemState.ASSIGNED


# --- joint supervision of a major item -------------------------------------------------------------------------


def test_sup_5_a_major_item_names_joint_supervising_units_on_one_item(world, client, today):
    data = _post(world, today, is_major="on", joint_units=[world.other.pk])
    assert _client(client, world.staff).post(NEW, data).status_code == 302
    item = SupervisionItem.objects.get()
    assert item.is_major and list(item.joint_units.all()) == [world.other]

    item = services.add_joint_unit(actor=world.staff, item=item, unit=world.dev, today=today)
    assert set(item.joint_units.all()) == {world.other, world.dev}
    assert SupervisionItem.objects.count() == 1


def test_sup_5_joint_supervision_is_refused_for_an_item_that_is_not_major(world, client, today):
    typed = "开展全区安全生产大检查（联合）"
    response = _client(client, world.staff).post(NEW, _post(world, today, task=typed, joint_units=[world.other.pk]))
    assert response.status_code == 200
    assert "joint_units" in response.context["form"].errors
    assert response.context["form"]["task"].value() == typed
    assert not SupervisionItem.objects.exists()

    item = make_item(world, today=today)
    with pytest.raises(services.SupervisionError):
        services.add_joint_unit(actor=world.staff, item=item, unit=world.other, today=today)
    assert not item.joint_units.exists()

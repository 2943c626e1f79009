"""SUP-3 rectification through the item page: no completion without a long-term mechanism, and a major problem
is reported to the government's leaders (once)."""

from __future__ import annotations

import pytest
from django.test import Client
from django.urls import reverse
from django.utils import timezone
from supervision_support import make_item

from supervision.ledger import services
from supervision.models import ItemState, Rectification, Source, SupervisionItem
from tiexi_gov.audit.models import Event
from tiexi_gov.notify.models import Message

pytestmark = [pytest.mark.postgres, pytest.mark.django_db]

PROBLEM = {
    "problem": "惠民资金发放台账不全",
    "level": "city",
    "found_by": "市政府第三督查组",
    "measures": "逐户核对补齐台账",
}


@pytest.fixture
def today():
    return timezone.localdate()


def _login(user) -> Client:
    c = Client()
    c.force_login(user)
    return c


def _act(client, item, action, data=None):
    payload = {"seen_state": SupervisionItem.objects.get(pk=item.pk).state}
    payload.update({f"{action}-{k}": v for k, v in (data or {}).items()})
    return client.post(reverse("supervision:item_action", args=[item.pk, action]), payload)


def _messages(response) -> list[str]:
    from django.contrib.messages import get_messages

    if response.context is not None and "messages" in response.context:
        return [str(m) for m in response.context["messages"]]
    return [str(m) for m in get_messages(response.wsgi_request)]


def _state(item) -> str:
    return SupervisionItem.objects.get(pk=item.pk).state


def _rect_item(w, today, **overrides):
    return make_item(
        w,
        today=today,
        source=Source.INSPECTION,
        source_ref="市督查〔2026〕9号",
        rectification=dict(PROBLEM),
        **overrides,
    )


def test_sup_3_rectification_cannot_close_without_long_term_mechanism(world, today):
    w = world
    item = _rect_item(w, today)
    services.accept_item(actor=w.fin_clerk, item=item, today=today)
    fin, office = _login(w.fin_clerk), _login(w.staff)
    page = fin.get(reverse("supervision:item", args=[item.pk])).content.decode()
    assert "惠民资金发放台账不全" in page and "市政府第三督查组" in page and "逐户核对补齐台账" in page
    assert "未建立长效机制不能办结" in page

    # the claim without a mechanism is refused and keeps the evidence typed
    r = _act(fin, item, "claim", {"evidence": "已逐户核对，台账补齐1200户"})
    assert r.status_code == 400
    assert _state(item) == ItemState.ACCEPTED
    assert any("长效机制" in m for m in _messages(r))
    assert "已逐户核对，台账补齐1200户" in r.content.decode()
    assert Rectification.objects.get(item=item).mechanism == ""

    r = _act(fin, item, "claim", {"evidence": "已逐户核对，台账补齐1200户", "mechanism": "建立月度台账核对制度"})
    assert r.status_code == 302, _messages(r)
    assert _state(item) == ItemState.CLAIMED
    assert Rectification.objects.get(item=item).mechanism == "建立月度台账核对制度"

    # the office finds the mechanism empty on paper and clears it: verification is then refused
    r = _act(office, item, "rectification", {"measures": PROBLEM["measures"], "mechanism": ""})
    assert r.status_code == 302, _messages(r)
    r = _act(office, item, "verify", {"note": "台账已补齐", "confirm": "on"})
    assert r.status_code == 400
    assert _state(item) == ItemState.CLAIMED
    assert any("未建立长效机制" in m for m in _messages(r))

    _act(fin, item, "rectification", {"measures": PROBLEM["measures"], "mechanism": "月度核对、季度抽查"})
    r = _act(office, item, "verify", {"note": "台账已补齐，机制已建立", "confirm": "on"})
    assert r.status_code == 302, _messages(r)
    assert _state(item) == ItemState.CLOSED_ON_TIME


def test_sup_3_major_problem_is_flagged_to_government_leaders(world, today):
    w = world
    item = _rect_item(w, today)
    services.accept_item(actor=w.fin_clerk, item=item, today=today)
    assert not Message.objects.filter(subject__contains="重大问题").exists()
    fin = _login(w.fin_clerk)
    data = {"measures": PROBLEM["measures"], "mechanism": "", "is_major": "on"}
    r = _act(fin, item, "rectification", data)
    assert r.status_code == 302, _messages(r)
    rect = Rectification.objects.get(item=item)
    assert rect.is_major and rect.reported_to_leaders_at is not None
    for leader in (w.head, w.dep_a):  # the head and the leader in charge
        flagged = Message.objects.filter(recipient=leader, subject__contains="重大问题整改报告")
        assert flagged.count() == 1 and item.number in flagged.get().subject
    assert not Message.objects.filter(recipient=w.dep_b, subject__contains="重大问题").exists()
    assert Event.objects.for_object(item).filter(action="major_problem_reported", rule_id="SUP-3").count() == 1

    # saving again does not report it twice, and the flag cannot be taken back from the page
    _act(fin, item, "rectification", {"measures": "逐户核对并公示", "mechanism": "月度核对"})
    rect.refresh_from_db()
    assert rect.is_major and rect.measures == "逐户核对并公示"
    assert Message.objects.filter(recipient=w.head, subject__contains="重大问题整改报告").count() == 1
    html = fin.get(reverse("supervision:item", args=[item.pk])).content.decode()
    assert 'data-testid="major"' in html


def test_sup_3_rectification_panel_is_for_the_lead_unit_and_the_office_only(world, today):
    w = world
    item = _rect_item(w, today)
    r = _act(_login(w.dev_clerk), item, "rectification", {"measures": "改写", "mechanism": "x", "is_major": "on"})
    assert r.status_code == 403
    rect = Rectification.objects.get(item=item)
    assert rect.measures == PROBLEM["measures"] and not rect.is_major
    assert "rectification" in _login(w.staff).get(reverse("supervision:item", args=[item.pk])).context["allowed"]

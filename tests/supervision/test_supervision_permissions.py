"""X-2 / SUP-1 permission matrix of an item's page and its actions: the lead unit and the cooperating units
see the item, the deputies whose portfolio holds them (or who are in charge of it) see it, the office and the
head see everything; anyone else gets a 404 on the page, the print page, every action and every file. Who
may act is narrower than who may see: a cooperating unit neither accepts nor claims, a unit never verifies.
"""

from __future__ import annotations

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from django.urls import reverse
from django.utils import timezone
from supervision_support import make_item

from supervision.ledger import services
from supervision.ledger.views import ACTIONS
from supervision.models import ItemState, SupervisionItem
from supervision.reports import services as report_services
from tiexi_gov.audit.models import Event

pytestmark = [pytest.mark.postgres, pytest.mark.django_db]

PDF = b"%PDF-1.7\n%\xe2\xe3\xcf\xd3\n1 0 obj <<>> endobj\n"


@pytest.fixture
def today():
    return timezone.localdate()


@pytest.fixture(autouse=True)
def media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path


def _login(user) -> Client:
    c = Client()
    c.force_login(user)
    return c


def _act(client, item, action, data=None):
    payload = {"seen_state": SupervisionItem.objects.get(pk=item.pk).state}
    payload.update({f"{action}-{k}": v for k, v in (data or {}).items()})
    return client.post(reverse("supervision:item_action", args=[item.pk, action]), payload)


def _state(item) -> str:
    return SupervisionItem.objects.get(pk=item.pk).state


@pytest.fixture
def items(world, today):
    """led_by_fin: 财政局 leads, 发改局 cooperates, 李副区长 (portfolio 财政局) in charge.
    led_by_dev: 发改局 leads alone, 李副区长 in charge, so 孙副区长 sees it only through the portfolio."""
    w = world
    led_by_fin = make_item(w, today=today)
    led_by_dev = make_item(
        w, today=today, lead_unit=w.dev, cooperating_units=[], task="推进重点项目开工", source_ref="发改-1"
    )
    return led_by_fin, led_by_dev


# who, led_by_fin visible, led_by_dev visible
MATRIX = [
    ("staff", True, True),  # the office sees all
    ("director", True, True),
    ("head", True, True),
    ("fin_clerk", True, False),  # the lead unit's people
    ("fin_head", True, False),
    ("dev_clerk", True, True),  # a cooperating unit's clerk (and 发改局 leads the second item)
    ("dep_a", True, True),  # the leader in charge of both (portfolio 财政局)
    ("dep_b", True, True),  # portfolio 发改局: the cooperating unit of one, the lead unit of the other
    ("other_clerk", False, False),  # another unit's clerk
    ("outsider", False, False),
]


@pytest.mark.parametrize("who,sees_fin,sees_dev", MATRIX)
def test_x_2_item_page_visibility_matrix(world, items, who, sees_fin, sees_dev):
    c = _login(getattr(world, who))
    for item, sees in zip(items, (sees_fin, sees_dev), strict=True):
        for name in ("supervision:item", "supervision:item_print"):
            r = c.get(reverse(name, args=[item.pk]))
            assert r.status_code == (200 if sees else 404), (who, name, item.task)


def test_x_2_deputy_sees_the_item_of_a_unit_in_the_portfolio_not_others(world, today):
    w = world
    # 审计局 leads, 李副区长 in charge: 孙副区长 (portfolio 发改局) has no business with it
    item = make_item(w, today=today, lead_unit=w.other, cooperating_units=[], task="审计整改", source_ref="审-9")
    assert _login(w.dep_b).get(reverse("supervision:item", args=[item.pk])).status_code == 404
    assert _login(w.dep_a).get(reverse("supervision:item", args=[item.pk])).status_code == 200


def test_sup_1_the_units_see_an_item_from_its_assignment_on_not_the_offices_draft(world, today):
    """An office draft (and an item awaiting the leader's approval) is not the units' yet: neither the lead nor the
    cooperating unit, nor a deputy whose portfolio holds them, finds it in the ledger or on its page."""
    w = world
    item = make_item(w, issue=False, today=today, task="草拟中的督查事项", source_ref="草-1")
    units_people = ("fin_clerk", "fin_head", "dev_clerk", "dep_b")
    for who in units_people:
        c = _login(getattr(w, who))
        assert c.get(reverse("supervision:item", args=[item.pk])).status_code == 404, who
        assert "草拟中的督查事项" not in c.get(reverse("supervision:ledger")).content.decode(), who
    assert _login(w.dep_a).get(reverse("supervision:item", args=[item.pk])).status_code == 200  # in charge
    services.issue_item(actor=w.staff, item=item, today=today)
    assert _state(item) == ItemState.ASSIGNED
    for who in units_people:
        c = _login(getattr(w, who))
        assert c.get(reverse("supervision:item", args=[item.pk])).status_code == 200, who
        assert "草拟中的督查事项" in c.get(reverse("supervision:ledger")).content.decode(), who


@pytest.mark.parametrize("who", ["other_clerk", "outsider"])
def test_x_2_outsiders_get_404_on_every_action_and_every_file(world, items, today, who):
    w = world
    item = items[0]
    services.accept_item(actor=w.fin_clerk, item=item, today=today)
    upload = SimpleUploadedFile("材料.pdf", PDF, content_type="application/pdf")
    report_services.file_progress_report(
        actor=w.fin_clerk, item=item, percent=10, done="启动", files=[upload], today=today
    )
    f = item.files.get()
    c = _login(getattr(w, who))
    before = Event.objects.for_object(item).count()
    for action in [*ACTIONS, "file"]:
        url = reverse("supervision:item_action", args=[item.pk, action])
        assert c.post(url, {"seen_state": "in_progress", f"{action}-confirm": "on"}).status_code == 404, action
        assert c.get(url, {"id": f.pk}).status_code == 404, action
    assert c.get(reverse("supervision:item_action", args=[item.pk, "nothing"])).status_code == 404
    assert _state(item) == ItemState.IN_PROGRESS
    assert Event.objects.for_object(item).count() == before
    # an item that does not exist looks the same as one the user may not see
    assert c.get(reverse("supervision:item", args=[999999])).status_code == 404


def test_x_2_anonymous_user_is_sent_to_login(items):
    r = Client().get(reverse("supervision:item", args=[items[0].pk]))
    assert r.status_code == 302 and reverse("login") in r["Location"]


def test_sup_1_a_cooperating_unit_clerk_can_neither_accept_nor_claim(world, items, today):
    w = world
    item = items[0]
    dev = _login(w.dev_clerk)
    r = _act(dev, item, "accept")
    assert r.status_code == 403 and _state(item) == ItemState.ASSIGNED
    services.accept_item(actor=w.fin_clerk, item=item, today=today)
    r = _act(dev, item, "claim", {"evidence": "协办部分已完成"})
    assert r.status_code == 403 and _state(item) == ItemState.ACCEPTED
    assert "claim" not in dev.get(reverse("supervision:item", args=[item.pk])).context["allowed"]


def test_sup_1_a_unit_clerk_cannot_verify_or_return_only_the_office_can(world, items, today):
    w = world
    item = items[0]
    services.accept_item(actor=w.fin_clerk, item=item, today=today)
    services.claim_completion(actor=w.fin_clerk, item=item, evidence="已完成", today=today)
    for who in ("fin_clerk", "fin_head", "dev_clerk", "dep_a"):
        c = _login(getattr(w, who))
        for action, field in (("verify", "note"), ("return", "reason"), ("cancel", "reason")):
            r = _act(c, item, action, {field: "自行核验", "confirm": "on"})
            assert r.status_code == 403, (who, action)
        assert _state(item) == ItemState.CLAIMED
    assert not Event.objects.for_object(item).filter(action__in=["verified", "returned"]).exists()
    r = _act(_login(w.director), item, "verify", {"note": "核验属实", "confirm": "on"})
    assert r.status_code == 302 and _state(item) == ItemState.CLOSED_ON_TIME


def test_sup_5_only_the_leader_in_charge_or_the_head_approves_supervision_in_the_governments_name(world, today):
    w = world
    item = make_item(w, today=today, issue=False, in_government_name=True, supervising_unit=w.dev)
    services.issue_item(actor=w.staff, item=item, today=today)
    for who in ("staff", "dep_b", "fin_head"):
        r = _act(_login(getattr(w, who)), item, "approve", {"opinion": "同意"})
        assert r.status_code in (403, 404), who
        assert _state(item) == ItemState.AWAITING_APPROVAL
    assert _act(_login(w.head), item, "approve", {"opinion": "同意"}).status_code == 302
    assert _state(item) == ItemState.ASSIGNED

"""PUB-3 through the item page: a People's Congress suggestion handled as a supervised item — the reply, the
proposer's satisfaction, and the published result in the public register."""

from __future__ import annotations

import pytest
from django.test import Client
from django.urls import reverse
from django.utils import timezone
from supervision_support import make_item

from documents.models import PublicRegisterEntry
from supervision.models import Proposal, Source, SupervisionItem
from tiexi_gov.audit.models import Event

pytestmark = [pytest.mark.postgres, pytest.mark.django_db]


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


def test_pub_3_proposal_reply_satisfaction_and_published_result(world, today):
    w = world
    item = make_item(
        w,
        today=today,
        source=Source.NPC_SUGGESTION,
        source_ref="区人大建议第12号",
        task="关于加快老旧小区加装电梯的建议",
        proposal={"number": "第12号", "proposer": "张代表", "session": "区十届人大三次会议"},
    )
    fin, office = _login(w.fin_clerk), _login(w.staff)
    page = office.get(reverse("supervision:item", args=[item.pk]))
    assert {"proposal-reply", "proposal-publish"} <= page.context["allowed"]
    html = page.content.decode()
    assert "第12号" in html and "张代表" in html and "尚未答复" in html

    # publishing before the reply is refused
    r = _act(office, item, "proposal-publish", {"summary": "已加装电梯20部", "confirm": "on"})
    assert r.status_code == 400
    assert any("尚未答复" in m for m in _messages(r))
    assert "已加装电梯20部" in r.content.decode()  # kept for later
    assert not PublicRegisterEntry.objects.filter(kind=PublicRegisterEntry.Kind.PROPOSAL_RESULT).exists()

    # the lead unit records the reply and the deputy's satisfaction
    r = _act(fin, item, "proposal-reply", {"reply": "今年已完成20部电梯加装，明年继续推进。", "satisfaction": "basic"})
    assert r.status_code == 302, _messages(r)
    proposal = Proposal.objects.get(item=item)
    assert proposal.reply == "今年已完成20部电梯加装，明年继续推进。"
    assert proposal.replied_on == today and proposal.satisfaction == Proposal.Satisfaction.BASIC

    # publishing is irreversible: the confirm box is checked on the server
    r = _act(office, item, "proposal-publish", {"summary": "已加装电梯20部"})
    assert r.status_code == 400
    assert not PublicRegisterEntry.objects.filter(kind=PublicRegisterEntry.Kind.PROPOSAL_RESULT).exists()

    r = _act(office, item, "proposal-publish", {"summary": "已加装电梯20部，代表基本满意。", "confirm": "on"})
    assert r.status_code == 302, _messages(r)
    proposal.refresh_from_db()
    assert proposal.published_on == today and proposal.result_summary == "已加装电梯20部，代表基本满意。"
    entry = PublicRegisterEntry.objects.get(kind=PublicRegisterEntry.Kind.PROPOSAL_RESULT)
    assert "第12号" in entry.title and entry.text == "已加装电梯20部，代表基本满意。"
    assert entry.published_on == today and not entry.withdrawn

    # the public register lists it (anyone logged in may browse it)
    register = _login(w.other_clerk).get(reverse("documents:register"), {"kind": "proposal_result"})
    assert register.status_code == 200 and entry.title in register.content.decode()

    html = office.get(reverse("supervision:item", args=[item.pk])).content.decode()
    assert "基本满意" in html and "已加装电梯20部，代表基本满意。" in html
    events = set(Event.objects.for_object(item).values_list("action", flat=True))
    assert {"proposal_replied", "proposal_published"} <= events


def test_pub_3_only_the_lead_unit_or_the_office_replies_and_only_the_office_publishes(world, today):
    w = world
    item = make_item(
        w,
        today=today,
        source=Source.CPPCC_PROPOSAL,
        source_ref="政协提案第5号",
        proposal={"number": "第5号", "proposer": "刘委员"},
    )
    r = _act(_login(w.dev_clerk), item, "proposal-reply", {"reply": "协办单位的答复"})
    assert r.status_code == 403
    assert Proposal.objects.get(item=item).reply == ""
    _act(_login(w.fin_clerk), item, "proposal-reply", {"reply": "牵头单位的答复"})
    r = _act(_login(w.fin_clerk), item, "proposal-publish", {"summary": "结果", "confirm": "on"})
    assert r.status_code == 403
    assert Proposal.objects.get(item=item).published_on is None

"""Issue 15.4, who may send what: the office, a body's office (its own bodies' adjustments) and the district leaders,
only things they may open; an outsider, another unit or an administrator gets 404 or a refusal, never a peek."""

from __future__ import annotations

import re

import pytest
from django.urls import reverse

from circulation import services
from circulation.models import Circulation, Kind
from tests.circulation.conftest import SENT_ON, _document
from tiexi_gov.audit.models import Event
from tiexi_gov.workflow.errors import ActionRefused, NotAllowed


def _item(world, kind):
    return {
        Kind.OUTGOING: world.document,
        Kind.INTERPRETATION: world.interpretation,
        Kind.ADJUSTMENT: world.adjustment,
        Kind.BRIEFING: world.briefing,
    }[kind]


def _send(world, actor, kind, **kw):
    return services.send_circulation(
        actor=actor, kind=kind, item_id=_item(world, kind).pk, post_ids=[world.deputy_post.pk], today=SENT_ON, **kw
    )


@pytest.mark.parametrize("kind", Kind.values)
def test_15_4_the_office_sends_each_of_the_four_kinds(world, kind):
    c = _send(world, world.office, kind)
    assert c.kind == kind and c.sent_capacity == "区政府办公室"
    assert c.receipts.get().post == world.deputy_post


def test_15_4_an_item_is_not_sent_again_to_a_reader_who_has_not_read_it(world):
    """Twice to the same unread reader was two identical 待阅; once read, sending it again is a new reading."""
    first = _send(world, world.office, Kind.OUTGOING)
    with pytest.raises(ActionRefused, match="尚未阅读此前送阅的该件"):
        _send(world, world.office, Kind.OUTGOING)
    assert Circulation.objects.count() == 1
    services.read_receipt(actor=world.deputy, receipt=first.receipts.get(), today=SENT_ON)
    assert _send(world, world.office, Kind.OUTGOING).pk != first.pk


def test_15_4_a_bodys_office_sends_its_bodys_adjustment_but_not_documents(world):
    c = _send(world, world.clerk_a, Kind.ADJUSTMENT)
    assert c.sent_capacity == "议事协调机构办公室"
    with pytest.raises(NotAllowed):
        _send(world, world.clerk_a, Kind.BRIEFING)  # its own unit's briefing: it may read it, but not circulate it


def test_15_4_a_leader_sends_what_he_may_open_and_nothing_else(world):
    signed = _document(world.office, world.office_unit, number="铁西政办发〔2026〕9号", signed_by=world.deputy)
    c = services.send_circulation(
        actor=world.deputy, kind=Kind.OUTGOING, item_id=signed.pk, unit_ids=[world.unit_a.pk], today=SENT_ON
    )
    assert c.sent_capacity == "区政府领导"
    with pytest.raises(NotAllowed):  # a document the deputy never saw
        _send(world, world.deputy, Kind.OUTGOING)


# chief_a heads the body's host unit: he is the body's office for its adjustments, nothing else.
REFUSED = [(who, kind) for who in ("clerk_b", "chief_a", "admin") for kind in Kind.values]
REFUSED.remove(("chief_a", Kind.ADJUSTMENT))


@pytest.mark.parametrize(("who", "kind"), REFUSED)
def test_15_4_outsiders_other_units_and_administrators_may_not_send(world, who, kind):
    actor = getattr(world, who)
    with pytest.raises(NotAllowed):
        _send(world, actor, kind)
    assert not Circulation.objects.exists()


@pytest.mark.parametrize("who", ["clerk_b", "admin"])
def test_15_4_outsiders_get_404_on_the_send_page_never_a_peek(world, client, who):
    client.force_login(getattr(world, who))
    for kind in Kind.values:
        url = reverse("circulation:send", args=[kind, _item(world, kind).pk])
        assert client.get(url).status_code == 404
        assert client.post(url, {"mode": "circulate", "posts": [world.deputy_post.pk]}).status_code == 404
    assert client.get(reverse("circulation:send", args=["nonsense", 1])).status_code == 404
    assert not Circulation.objects.exists()


def test_15_4_a_confidential_or_unissued_document_is_refused_with_the_reason(world, client):
    secret = _document(world.office, world.office_unit, number="铁西政办发〔2026〕10号", confidential=True)
    with pytest.raises(ActionRefused, match="限定知悉范围"):
        services.send_circulation(
            actor=world.office, kind=Kind.OUTGOING, item_id=secret.pk, post_ids=[world.deputy_post.pk]
        )
    draft = _document(world.office, world.office_unit, number="", state="drafting")
    client.force_login(world.office)
    page = client.get(reverse("circulation:send", args=["outgoing", draft.pk]))
    assert page.status_code == 200 and "只有已签发或已印发的发文" in page.content.decode()


def test_15_4_the_send_button_shows_on_the_items_pages_for_senders_only(world, client):
    client.force_login(world.office)
    page = client.get(reverse("documents:outgoing_detail", args=[world.document.pk])).content.decode()
    assert reverse("circulation:send", args=["outgoing", world.document.pk]) in page
    assert reverse("circulation:send", args=["interpretation", world.interpretation.pk]) in page
    page = client.get(reverse("documents:detail", args=[world.briefing.submission_id])).content.decode()
    assert reverse("circulation:send", args=["briefing", world.briefing.pk]) in page
    page = client.get(reverse("coordination:leader_changes")).content.decode()
    assert reverse("circulation:send", args=["adjustment", world.adjustment.pk]) in page
    client.force_login(world.chief_a)  # sees the briefing of his unit, sends nothing but his body's adjustments
    page = client.get(reverse("documents:detail", args=[world.briefing.submission_id])).content.decode()
    assert "/circulation/send/" not in page


def test_15_4_bad_input_on_the_send_form_is_a_chinese_error_not_a_500(world, client):
    client.force_login(world.office)
    url = reverse("circulation:send", args=["outgoing", world.document.pk])
    for data in ({"mode": "circulate"}, {"mode": "x", "posts": ["abc"]}, {"mode": "notice", "units": ["99999999"]}):
        response = client.post(url, data)
        assert response.status_code == 400
    assert "请至少选择一位领导或一个单位" in client.post(url, {"mode": "circulate"}).content.decode()
    assert not Circulation.objects.exists()


def test_15_4_the_send_form_posted_twice_sends_once(world, client):
    """送阅 creates a circulation, so its page carries the one-time token every create form has (once.py). Posted
    again (a double click, Back and 送阅), it answered with a form error about 重复送阅 while the first had gone;
    two posts at the same moment both passed that check and sent twice. Now the second is shown what the first sent."""
    client.force_login(world.office)
    url = reverse("circulation:send", args=["outgoing", world.document.pk])
    page = client.get(url).content.decode()
    token = re.search(r'name="once_token" value="([0-9a-f]{32})"', page).group(1)
    data = {"mode": "circulate", "posts": [str(world.deputy_post.pk)], "note": "请阅", "once_token": token}
    first = client.post(url, data)
    assert first.status_code == 302
    events = Event.objects.count()
    again = client.post(url, data, follow=True)
    assert again.redirect_chain[0][0] == first["Location"]
    assert "该表单已提交过，未重复创建" in again.content.decode()
    assert Circulation.objects.count() == 1 and Event.objects.count() == events

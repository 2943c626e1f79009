"""Issue 15.4, the receipts: named leaders (posts, reaching whoever handles the post) and units (their clerks and
heads), each with 未读 / 已读 / 已阅并批注 and its time, written by services with audit events; opening the item as
a recipient marks it read, 批注 marks it 已阅并批注; the sender sees every state and time on the status page."""

from __future__ import annotations

import pytest
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from circulation import services
from circulation.models import Kind, Receipt
from tests.circulation.conftest import SENT_ON
from tests.factories import ActingArrangementFactory, UserFactory, appoint
from tiexi_gov.audit.models import Event
from tiexi_gov.notify.models import Message
from tiexi_gov.org.models import Post
from tiexi_gov.org.roles import Role
from tiexi_gov.workflow.errors import ActionRefused, AlreadyHandled, NotAllowed


def _circulate(world, **kw):
    kw.setdefault("post_ids", [world.deputy_post.pk])
    kw.setdefault("unit_ids", [world.unit_a.pk])
    return services.send_circulation(actor=world.office, kind=Kind.OUTGOING, item_id=world.document.pk, **kw)


def test_15_4_each_recipient_gets_an_unread_receipt_an_audit_event_and_a_notice(world):
    c = _circulate(world, note="请阅")
    receipts = {r.post_id or r.unit_id: r for r in c.receipts.all()}
    assert {r.state for r in receipts.values()} == {"unread"}
    assert set(receipts) == {world.deputy_post.pk, world.unit_a.pk}
    for r in receipts.values():
        assert Event.objects.for_object(r).filter(action="circulation_sent", actor=world.office).exists()
    assert Event.objects.for_object(c).filter(action="circulation_sent").exists()
    told = set(Message.objects.filter(subject__startswith="【传阅】").values_list("recipient__username", flat=True))
    assert told == {"fqz", "nyj_ws", "nyj_jz"}  # the deputy; the unit's clerk and head
    assert "clerk_b" not in told


def test_15_4_opening_as_a_recipient_marks_read_with_time_and_an_audit_event(world, client):
    c = _circulate(world)
    r = c.receipts.get(post=world.deputy_post)
    client.force_login(world.deputy)
    page = client.get(reverse("circulation:receipt", args=[r.pk]))
    assert page.status_code == 200 and "春季防火" in page.content.decode()  # the reading copy
    r.refresh_from_db()
    assert r.state == "read" and r.read_by == world.deputy and r.read_at is not None
    assert Event.objects.for_object(r).filter(action="circulation_read", actor=world.deputy).exists()
    client.get(reverse("circulation:receipt", args=[r.pk]))  # opening again changes nothing
    assert Event.objects.for_object(r).filter(action="circulation_read").count() == 1


def test_15_4_the_sender_opening_a_receipt_does_not_mark_it_read(world, client):
    r = _circulate(world).receipts.get(post=world.deputy_post)
    client.force_login(world.office)
    assert client.get(reverse("circulation:receipt", args=[r.pk])).status_code == 200
    r.refresh_from_db()
    assert r.state == "unread"


def test_15_4_a_units_copy_is_read_by_its_clerk_or_head_and_the_page_says_who(world, client):
    r = _circulate(world).receipts.get(unit=world.unit_a)
    client.force_login(world.chief_a)
    client.get(reverse("circulation:receipt", args=[r.pk]))
    r.refresh_from_db()
    assert r.state == "read" and r.read_by == world.chief_a
    with pytest.raises(AlreadyHandled, match="农业局长"):  # the clerk's stale page: already read by the head
        services.read_receipt(actor=world.clerk_a, receipt=Receipt(pk=r.pk, state="unread"))
    other = UserFactory(username="nyj_other", unit=world.unit_a)  # a member who is neither clerk nor head
    client.force_login(other)
    assert client.get(reverse("circulation:receipt", args=[r.pk])).status_code == 404


def test_15_4_the_acting_deputy_reads_the_absent_deputys_copy(world):
    acting_post, acting = appoint(Post.Kind.DEPUTY, unit=world.deputy_post.unit, title="副区长（分管工业）")
    acting.groups.add(*world.deputy.groups.all())
    ActingArrangementFactory(absent_post=world.deputy_post, acting_post=acting_post, start=SENT_ON, end=SENT_ON)
    r = _circulate(world, today=SENT_ON).receipts.get(post=world.deputy_post)
    services.read_receipt(actor=acting, receipt=r, today=SENT_ON)
    r.refresh_from_db()
    assert r.read_by == acting and r.read_capacity.startswith("代")
    # 批注 in the same stead shows it too (X-1: the capacity beside every act, on the page as in the record)
    services.annotate_receipt(actor=acting, receipt=r, text="请抓好落实。", today=SENT_ON)
    r.refresh_from_db()
    assert r.annotated_capacity == r.read_capacity
    page = Client()
    page.force_login(world.office)
    shown = page.get(reverse("circulation:detail", args=[r.circulation_id])).content.decode()
    assert f"{acting.display_name}（{r.annotated_capacity}）" in shown.split("请抓好落实。", 1)[1]


def test_15_4_annotation_adds_the_comment_marks_annotated_and_tells_the_sender(world, client):
    r = _circulate(world).receipts.get(post=world.deputy_post)
    client.force_login(world.deputy)
    response = client.post(reverse("circulation:annotate", args=[r.pk]), {"text": "已阅，请农业农村局抓好落实。"})
    assert response.status_code == 302
    r.refresh_from_db()
    assert r.state == "annotated" and r.annotation == "已阅，请农业农村局抓好落实。"
    assert r.read_at is not None and r.annotated_at is not None and r.annotated_by == world.deputy
    assert Event.objects.for_object(r).filter(action="circulation_annotated", opinion__contains="抓好落实").exists()
    assert Message.objects.filter(recipient=world.office, subject__startswith="【批注】").exists()
    again = client.post(reverse("circulation:annotate", args=[r.pk]), {"text": "再批"})
    assert again.status_code == 400  # annotated is final
    empty = client.post(reverse("circulation:annotate", args=[r.pk]), {"text": ""})
    assert empty.status_code == 400


def test_15_4_a_note_refused_because_a_colleague_annotated_first_is_kept_to_copy(world, client):
    """The unit's head and clerk both have the reading page open; the clerk annotates first. The head's note was
    refused with the page redrawn without its form, and what the head had typed was gone. It is now kept beside the
    clerk's note; and the clerk's own second click is told that her first note stands, not that she "handled" it."""
    r = _circulate(world).receipts.get(unit=world.unit_a)
    head, clerk = Client(), Client()
    head.force_login(world.chief_a)
    clerk.force_login(world.clerk_a)
    head.get(reverse("circulation:receipt", args=[r.pk]))
    clerk.get(reverse("circulation:receipt", args=[r.pk]))
    url = reverse("circulation:annotate", args=[r.pk])
    assert clerk.post(url, {"text": "已阅，转各股室学习。", "seen": "read"}).status_code == 302
    events = Event.objects.count()
    late = head.post(url, {"text": "请结合我局实际抓好落实，月底前报送情况。", "seen": "read"})
    page = late.content.decode()
    assert late.status_code == 400
    assert world.clerk_a.display_name in page and 'data-testid="kept-text"' in page
    assert "请结合我局实际抓好落实，月底前报送情况。</textarea>" in page
    again = clerk.post(url, {"text": "已阅，转各股室学习。", "seen": "read"}).content.decode()
    assert "您已批注过此阅件" in again and f"已由{world.clerk_a.display_name}处理" not in again
    r.refresh_from_db()
    assert r.annotation == "已阅，转各股室学习。" and r.annotated_by == world.clerk_a
    assert Event.objects.count() == events


def test_15_4_only_recipients_read_or_annotate(world, client):
    r = _circulate(world).receipts.get(post=world.deputy_post)
    for outsider in (world.clerk_b, world.head, world.admin):
        with pytest.raises(NotAllowed):
            services.read_receipt(actor=outsider, receipt=r)
        with pytest.raises(ActionRefused):
            services.annotate_receipt(actor=outsider, receipt=r, text="越权批注")
        client.force_login(outsider)
        assert client.get(reverse("circulation:receipt", args=[r.pk])).status_code == 404
        assert client.post(reverse("circulation:annotate", args=[r.pk]), {"text": "x"}).status_code == 404
    r.refresh_from_db()
    assert r.state == "unread"


def test_15_4_the_sender_sees_each_recipients_state_and_time_others_get_404(world, client):
    c = _circulate(world)
    deputy_copy = c.receipts.get(post=world.deputy_post)
    services.annotate_receipt(actor=world.deputy, receipt=deputy_copy, text="同意")
    client.force_login(world.office)
    page = client.get(reverse("circulation:detail", args=[c.pk])).content.decode()
    assert 'data-state="annotated"' in page and 'data-state="unread"' in page
    assert "已阅并批注" in page and "未读" in page and "同意" in page
    deputy_copy.refresh_from_db()
    assert f"{timezone.localtime(deputy_copy.read_at):%Y-%m-%d %H:%M}" in page
    for outsider in (world.clerk_b, world.deputy, world.admin):
        client.force_login(outsider)
        assert client.get(reverse("circulation:detail", args=[c.pk])).status_code == 404


def test_15_4_a_recipient_can_only_be_a_leader_post_or_an_active_unit(world):
    clerk_post, _ = appoint(Post.Kind.CLERK, unit=world.unit_b)
    with pytest.raises(ActionRefused, match="不存在"):
        _circulate(world, post_ids=[clerk_post.pk], unit_ids=[])
    assert not Receipt.objects.exists()


@pytest.fixture
def _office_director(world):
    return UserFactory(username="zr", unit=world.office_unit, roles=[Role.OFFICE_DIRECTOR])


def test_15_4_the_office_director_sees_every_circulation(world, client, _office_director):
    c = services.send_circulation(
        actor=world.clerk_a, kind=Kind.ADJUSTMENT, item_id=world.adjustment.pk, post_ids=[world.deputy_post.pk]
    )
    client.force_login(_office_director)
    assert client.get(reverse("circulation:detail", args=[c.pk])).status_code == 200
    client.force_login(world.clerk_a)  # the sender
    assert client.get(reverse("circulation:detail", args=[c.pk])).status_code == 200

"""Issue 15.4, 我的待办: an unread receipt is a task of the workflow kernel (待阅) that reaches the leader's post or the
unit's clerks and heads; the queue page shows it until it is read, then not; the pages cost a constant number of
queries whatever the number of rows."""

from __future__ import annotations

from django.urls import reverse
from django.utils import timezone

from circulation import services
from circulation.models import Kind
from tests.circulation.conftest import _document
from tiexi_gov.workflow.models import Task
from tiexi_gov.workflow.selectors import open_tasks_for


def _send(world, document=None, **kw):
    kw.setdefault("post_ids", [world.deputy_post.pk])
    kw.setdefault("unit_ids", [world.unit_a.pk])
    return services.send_circulation(
        actor=world.office, kind=Kind.OUTGOING, item_id=(document or world.document).pk, **kw
    )


def test_15_4_the_queue_page_shows_the_unread_item_until_it_is_read(world, client):
    c = _send(world)
    receipt = c.receipts.get(post=world.deputy_post)
    url = reverse("circulation:receipt", args=[receipt.pk])
    client.force_login(world.deputy)
    queue = client.get(reverse("workflow:queue")).content.decode()
    assert url in queue and "待阅" in queue and "关于做好春季防火工作的通知" in queue
    client.get(url)  # the deputy opens it
    queue = client.get(reverse("workflow:queue")).content.decode()
    assert url not in queue
    assert Task.objects.of(receipt).get().closed_by == world.deputy


def test_15_4_a_units_copy_reaches_its_clerk_and_head_and_leaves_both_queues_when_one_reads(world, client):
    receipt = _send(world).receipts.get(unit=world.unit_a)
    today = timezone.localdate()
    url = reverse("circulation:receipt", args=[receipt.pk])
    for person in (world.clerk_a, world.chief_a):
        assert url in {t.url for t in open_tasks_for(person, today)}
    assert not open_tasks_for(world.clerk_b, today).exists()
    client.force_login(world.clerk_a)
    client.get(url)
    for person in (world.clerk_a, world.chief_a):
        assert url not in {t.url for t in open_tasks_for(person, today)}


def test_15_4_annotating_an_unread_item_also_takes_it_out_of_the_queue(world):
    receipt = _send(world, unit_ids=[]).receipts.get()
    services.annotate_receipt(actor=world.deputy, receipt=receipt, text="阅")
    assert not Task.objects.of(receipt).open().exists()


def test_15_4_queue_page_query_count_is_constant(world, client, django_assert_max_num_queries):
    client.force_login(world.deputy)
    _send(world)
    client.get(reverse("workflow:queue"))
    with django_assert_max_num_queries(12) as one:
        assert client.get(reverse("workflow:queue")).status_code == 200
    for n in range(8):
        doc = _document(world.office, world.office_unit, number=f"铁西政办发〔2026〕{20 + n}号")
        _send(world, document=doc)
    with django_assert_max_num_queries(len(one.captured_queries)):
        page = client.get(reverse("workflow:queue"))
    assert page.content.decode().count("待阅") >= 9

"""X-2 named readers of confidential items (指定阅读人) through the item pages of both flows: who keeps the list,
that a named reader then sees the item and an outsider still gets 404, and that removal is audited."""

from __future__ import annotations

import pytest
from django.urls import reverse
from django.utils import timezone
from documents_support import valid_fields

from documents.models import OutgoingDocument, Submission
from documents.outgoing import services as issuance
from documents.submissions import services
from tests.factories import UserFactory, outgoing_draft
from tiexi_gov.audit.models import Event
from tiexi_gov.org.roles import Role
from tiexi_gov.workflow.errors import ActionRefused

pytestmark = [pytest.mark.postgres, pytest.mark.django_db]


def login(client, user):
    c = client.__class__()
    c.force_login(user)
    return c


def confidential_draft(w) -> Submission:
    return services.create_draft(
        actor=w.fin_clerk, title="关于人事调整的请示", **valid_fields(timezone.localdate(), confidential=True)
    )


def detail(c, sub):
    return c.get(reverse("documents:detail", args=[sub.pk]))


def readers(c, sub, op, user):
    return c.post(reverse("documents:readers", args=[sub.pk, op]), {"reader-user": user.pk})


def test_x_2_drafting_unit_clerk_names_a_reader_who_then_sees_the_item(world, client):
    w = world
    sub = confidential_draft(w)
    clerk = login(client, w.fin_clerk)
    page = detail(clerk, sub)
    assert page.status_code == 200 and page.context["readers_panel"] is not None
    assert "指定阅读人" in page.content.decode()
    assert detail(login(client, w.fin_other), sub).status_code == 404
    r = readers(clerk, sub, "add", w.fin_other)
    assert r.status_code == 302 and r["Location"] == reverse("documents:detail", args=[sub.pk])
    assert detail(login(client, w.fin_other), sub).status_code == 200
    assert detail(login(client, w.outsider), sub).status_code == 404
    event = Event.objects.filter(action="grant_reader").latest("id")
    assert event.actor == w.fin_clerk and str(w.fin_other) in event.opinion and event.rule_id == "X-2"
    assert {u.pk for u in detail(clerk, sub).context["readers_panel"]["readers"]} == {w.fin_clerk.pk, w.fin_other.pk}


def test_x_2_removing_a_named_reader_hides_the_item_again_and_is_audited(world, client):
    w = world
    sub = confidential_draft(w)
    clerk = login(client, w.fin_clerk)
    readers(clerk, sub, "add", w.fin_other)
    reader = login(client, w.fin_other)
    assert detail(reader, sub).status_code == 200
    r = readers(clerk, sub, "remove", w.fin_other)
    assert r.status_code == 302
    assert detail(reader, sub).status_code == 404
    event = Event.objects.filter(action="revoke_reader").get()
    assert event.actor == w.fin_clerk and event.rule_id == "X-2"
    page = detail(clerk, sub).content.decode()
    assert 'hx-confirm="确认取消' not in page  # only the drafter is left, and the drafter cannot be removed
    r = readers(clerk, sub, "remove", w.fin_clerk)
    assert "拟稿人始终可以阅读" in " ".join(str(m) for m in r.wsgi_request._messages)
    assert detail(clerk, sub).status_code == 200
    assert not Event.objects.filter(action="revoke_reader", opinion=str(w.fin_clerk)).exists()


def test_x_2_remove_reader_asks_for_confirmation(world, client):
    w = world
    sub = confidential_draft(w)
    clerk = login(client, w.fin_clerk)
    readers(clerk, sub, "add", w.fin_other)
    page = detail(clerk, sub).content.decode()
    assert f"确认取消{w.fin_other.display_name}的阅读权限？" in page


def test_x_2_a_named_reader_who_is_not_clerk_or_head_cannot_name_others(world, client):
    w = world
    sub = confidential_draft(w)
    readers(login(client, w.fin_clerk), sub, "add", w.fin_other)
    reader = login(client, w.fin_other)
    assert detail(reader, sub).context["readers_panel"] is None
    assert readers(reader, sub, "add", w.dev_clerk).status_code == 404
    assert readers(login(client, w.outsider), sub, "add", w.outsider).status_code == 404
    assert detail(login(client, w.dev_clerk), sub).status_code == 404


def test_x_2_unit_head_and_named_office_staff_keep_the_list(world, client):
    w = world
    sub = confidential_draft(w)
    services.grant_reader(actor=w.fin_clerk, submission=sub, user=w.fin_head)
    head = login(client, w.fin_head)
    assert detail(head, sub).context["readers_panel"] is not None
    readers(head, sub, "add", w.staff)
    staff = login(client, w.staff)
    assert detail(staff, sub).context["readers_panel"] is not None
    readers(staff, sub, "add", w.staff2)
    assert detail(login(client, w.staff2), sub).status_code == 200


def test_x_2_no_readers_panel_on_an_ordinary_item(world, client):
    w = world
    sub = services.create_draft(actor=w.fin_clerk, title="普通请示", **valid_fields(timezone.localdate()))
    clerk = login(client, w.fin_clerk)
    assert detail(clerk, sub).context["readers_panel"] is None
    assert readers(clerk, sub, "add", w.outsider).status_code == 404


# --- flow B ----------------------------------------------------------------------------------------------------


def outgoing_page(c, doc):
    return c.get(reverse("documents:outgoing_detail", args=[doc.pk]))


def outgoing_readers(c, doc, op, user):
    return c.post(reverse("documents:outgoing_readers", args=[doc.pk, op]), {"reader-user": user.pk})


def test_x_2_outgoing_confidential_readers_added_and_removed_from_the_item_page(world, client):
    w = world
    doc = outgoing_draft(w.fin_clerk, confidential=True, plan_year=timezone.localdate().year)
    clerk = login(client, w.fin_clerk)
    assert outgoing_page(clerk, doc).context["readers_panel"] is not None
    other = login(client, w.fin_other)
    assert outgoing_page(other, doc).status_code == 404
    assert outgoing_readers(clerk, doc, "add", w.fin_other).status_code == 302
    assert outgoing_page(other, doc).status_code == 200
    assert outgoing_page(other, doc).context["readers_panel"] is None
    assert outgoing_readers(other, doc, "add", w.dev_clerk).status_code == 404
    assert outgoing_page(login(client, w.outsider), doc).status_code == 404
    outgoing_readers(clerk, doc, "remove", w.fin_other)
    assert outgoing_page(other, doc).status_code == 404
    assert Event.objects.filter(action="outgoing_revoke_reader", actor=w.fin_clerk).count() == 1


def test_x_2_office_names_a_reader_of_a_confidential_outgoing_document(world, client):
    w = world
    doc = outgoing_draft(
        w.fin_clerk,
        confidential=True,
        disclosure="none",
        disclosure_manner="",
        disclosure_reason="涉及人事事项（条例第十六条）",
        plan_year=timezone.localdate().year,
    )
    issuance.submit_outgoing(actor=w.fin_clerk, document=OutgoingDocument.objects.get(pk=doc.pk))
    staff = login(client, w.staff)
    assert outgoing_page(staff, doc).context["readers_panel"] is not None
    dev = login(client, w.dev_clerk)
    assert outgoing_page(dev, doc).status_code == 404
    r = outgoing_readers(staff, doc, "add", w.dev_clerk)
    assert r.status_code == 302
    assert outgoing_page(dev, doc).status_code == 200
    r = staff.post(
        reverse("documents:outgoing_readers", args=[doc.pk, "remove"]),
        {"reader-user": w.dev_clerk.pk},
        HTTP_HX_REQUEST="true",
    )
    assert r["HX-Redirect"] == reverse("documents:outgoing_detail", args=[doc.pk])
    assert outgoing_page(dev, doc).status_code == 404


@pytest.mark.parametrize("role", [Role.SYSTEM_ADMIN, Role.SECURITY_ADMIN, Role.AUDIT_ADMIN, Role.CALENDAR_ADMIN])
def test_x_2_an_administrators_account_is_never_named_a_reader(world, client, role):
    """三员分立: the reader list offered every active account, administrators included, and naming the system
    administrator let him read the confidential item. The list leaves them out, the page and the service refuse
    one posted by id, nothing is recorded and the administrator still gets 404."""
    w = world
    sub = confidential_draft(w)
    admin = UserFactory(username="admin_acct", unit=w.office, full_name="罗管理员", roles=[role])
    clerk = login(client, w.fin_clerk)
    offered = {u.pk for u in detail(clerk, sub).context["readers_panel"]["form"].fields["user"].queryset}
    assert admin.pk not in offered and w.fin_other.pk in offered
    r = readers(clerk, sub, "add", admin)
    assert r.status_code == 302
    assert "请选择阅读人" in " ".join(str(m) for m in r.wsgi_request._messages)
    with pytest.raises(ActionRefused, match="管理员账号"):
        services.grant_reader(actor=w.fin_clerk, submission=sub, user=admin)
    assert not Event.objects.filter(action="grant_reader").exists()
    assert detail(login(client, admin), sub).status_code == 404


def test_x_2_naming_a_reader_again_changes_nothing(world, client):
    """The add form posted again (a second tab, a double click) recorded a second 指定阅读人 event and said
    已指定 again, though nothing had changed. Now it says the person already reads the item and records nothing; the
    drafter, a reader from the start, is not named a second time either."""
    w = world
    sub = confidential_draft(w)
    clerk = login(client, w.fin_clerk)
    assert readers(clerk, sub, "add", w.fin_other).status_code == 302
    again = readers(clerk, sub, "add", w.fin_other)
    assert again.status_code == 302
    assert "已是本件的指定阅读人" in " ".join(str(m) for m in again.wsgi_request._messages)
    drafter = readers(clerk, sub, "add", w.fin_clerk)
    assert "已是本件的指定阅读人" in " ".join(str(m) for m in drafter.wsgi_request._messages)
    assert list(Event.objects.filter(action="grant_reader").values_list("opinion", flat=True)) == [str(w.fin_other)]
    doc = outgoing_draft(
        w.fin_clerk, confidential=True, disclosure="none", disclosure_manner="", disclosure_reason="限定知悉范围"
    )
    issuance.grant_outgoing_reader(actor=w.fin_clerk, document=doc, user=w.fin_other)
    with pytest.raises(ActionRefused, match="已是本件的指定阅读人"):
        issuance.grant_outgoing_reader(actor=w.fin_clerk, document=doc, user=w.fin_other)
    assert Event.objects.filter(action="outgoing_grant_reader").count() == 1

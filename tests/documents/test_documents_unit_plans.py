"""DOC-15 the annual document plan per issuer: a department keeps its own plan on its page (its clerk or head),
seen by its staff and the office, others 404; and its own out-of-plan document is refused until it is planned or
given the one-off approval."""

from __future__ import annotations

import pytest
from django.urls import reverse
from django.utils import timezone

from documents.models import DocumentPlan, OutgoingDocument, OutgoingKind, OutgoingState, PlanItem
from documents.outgoing import services as issuance
from tests.factories import outgoing_draft
from tiexi_gov.audit.models import Event
from tiexi_gov.workflow.errors import ActionRefused as DocumentError
from tiexi_gov.workflow.errors import NotAllowed as ActionNotAllowed
from tiexi_gov.workflow.errors import RuleViolation as DocumentRuleError

pytestmark = [pytest.mark.postgres, pytest.mark.django_db]


@pytest.fixture
def year():
    return timezone.localdate().year


def login(client, user):
    c = client.__class__()
    c.force_login(user)
    return c


def page_url(w):
    return reverse("documents:unit_plan_of", args=[w.fin.pk])


def post(c, w, year, **data):
    return c.post(page_url(w), {"year": year, **data})


def test_doc_15_department_clerk_keeps_its_own_plan_on_its_page(world, client, year):
    w = world
    c = login(client, w.fin_clerk)
    assert c.get(reverse("documents:unit_plan")).status_code == 200  # own unit by default
    assert post(c, w, year, what="plan").status_code == 302
    plan = DocumentPlan.objects.get(issuer="department", unit=w.fin, year=year)
    r = post(c, w, year, what="item", **{"item-title": "关于加强财政资金监管的通知", "item-planned_month": "5"})
    assert r.status_code == 302
    item = plan.items.get()
    assert item.planned_month == 5 and item.drafting_unit == w.fin
    assert "关于加强财政资金监管的通知" in c.get(page_url(w), {"year": year}).content.decode()
    r = c.post(page_url(w), {"year": year, "what": "remove", "item": item.pk}, HTTP_HX_REQUEST="true")
    assert r["HX-Redirect"].startswith(page_url(w))
    assert not plan.items.exists()
    assert Event.objects.filter(action="plan_remove_item", actor=w.fin_clerk, rule_id="DOC-15").count() == 1


def test_doc_15_an_item_form_posted_twice_adds_the_matter_once(world, client, year):
    """The item form posted again (a double click, Back and 增加) listed the same matter twice in the plan, each
    item one document. The same title again is refused with the reason; nothing is added or recorded."""
    w = world
    c = login(client, w.fin_clerk)
    post(c, w, year, what="plan")
    data = {"item-title": "关于加强财政资金监管的通知", "item-planned_month": "5"}
    assert post(c, w, year, what="item", **data).status_code == 302
    events = Event.objects.count()
    again = post(c, w, year, what="item", **data)
    assert again.status_code == 200 and "请勿重复增加" in again.content.decode()
    assert PlanItem.objects.filter(plan__unit=w.fin, title="关于加强财政资金监管的通知").count() == 1
    assert Event.objects.count() == events


def test_doc_15_unit_head_keeps_the_plan_too(world, client, year):
    w = world
    c = login(client, w.fin_head)
    post(c, w, year, what="plan")
    post(c, w, year, what="item", **{"item-title": "关于预算执行的通知"})
    assert PlanItem.objects.filter(plan__unit=w.fin, title="关于预算执行的通知").exists()


def test_doc_15_department_plan_visible_to_its_unit_and_the_office_others_404(world, client, year):
    w = world
    issuance.create_plan(actor=w.fin_clerk, issuer="department", unit=w.fin, year=year)
    plan = DocumentPlan.objects.get(unit=w.fin)
    issuance.add_plan_item(actor=w.fin_clerk, plan=plan, title="关于加强财政资金监管的通知")
    office = login(client, w.staff).get(page_url(w), {"year": year})
    assert office.status_code == 200 and not office.context["may_keep"]
    assert "关于加强财政资金监管的通知" in office.content.decode()
    assert w.fin.display_name in login(client, w.staff).get(reverse("documents:plans"), {"year": year}).content.decode()
    member = login(client, w.fin_other).get(page_url(w), {"year": year})
    assert member.status_code == 200 and not member.context["may_keep"]
    for user in (w.dev_clerk, w.outsider, w.dep_a):
        assert login(client, user).get(page_url(w)).status_code == 404
    # Seeing is not keeping: a plain member, the office and another unit's clerk cannot change it.
    item = plan.items.get()
    for user in (w.fin_other, w.staff, w.dev_clerk):
        r = post(login(client, user), w, year, what="remove", item=item.pk)
        assert r.status_code == 404
    assert plan.items.count() == 1
    with pytest.raises(ActionNotAllowed):
        issuance.add_plan_item(actor=w.fin_other, plan=plan, title="未经授权")
    with pytest.raises(ActionNotAllowed):
        issuance.create_plan(actor=w.fin_other, issuer="department", unit=w.dev, year=year)


def test_doc_15_department_plan_items_are_not_offered_to_other_units(world, year):
    from documents.outgoing.forms import OutgoingForm

    w = world
    plan = issuance.create_plan(actor=w.fin_clerk, issuer="department", unit=w.fin, year=year)
    issuance.add_plan_item(actor=w.fin_clerk, plan=plan, title="财政局内部计划")
    offered = lambda unit: list(OutgoingForm(unit=unit, year=year).fields["plan_item"].queryset)  # noqa: E731
    assert [i.title for i in offered(w.fin)] == ["财政局内部计划"]
    assert offered(w.dev) == []


def test_doc_15_a_closed_year_plan_cannot_change(world, year):
    w = world
    plan = issuance.create_plan(actor=w.fin_clerk, issuer="department", unit=w.fin, year=year)
    item = issuance.add_plan_item(actor=w.fin_clerk, plan=plan, title="关于加强财政资金监管的通知")
    next_year = timezone.localdate().replace(year=year + 1, month=1, day=5)
    with pytest.raises(DocumentError, match="年度已结束"):
        issuance.add_plan_item(actor=w.fin_clerk, plan=plan, title="补列", today=next_year)
    with pytest.raises(DocumentError, match="年度已结束"):
        issuance.remove_plan_item(actor=w.fin_clerk, item=item, today=next_year)
    with pytest.raises(DocumentError, match="年度已结束"):
        issuance.create_plan(actor=w.fin_clerk, issuer="department", unit=w.fin, year=year - 1)


def test_doc_15_a_planned_item_a_document_relies_on_is_not_removed(world, year):
    w = world
    plan = issuance.create_plan(actor=w.fin_clerk, issuer="department", unit=w.fin, year=year)
    item = issuance.add_plan_item(actor=w.fin_clerk, plan=plan, title="关于加强财政资金监管的通知")
    outgoing_draft(w.fin_clerk, kind=OutgoingKind.DEPARTMENT_APPROVED, title=item.title, plan_item=item)
    with pytest.raises(DocumentError, match="不能删除"):
        issuance.remove_plan_item(actor=w.fin_clerk, item=item)


def _department_draft(w, **kw) -> OutgoingDocument:
    return outgoing_draft(
        w.fin_clerk,
        kind=OutgoingKind.DEPARTMENT_APPROVED,
        title="关于调整收费标准的通知",
        body="调整收费标准已经区政府同意，现通知如下。",
        series_prefix="铁西财发",
        plan_item=None,
        **kw,
    )


def _approved(w):
    from documents_support import in_leader_review

    from documents.models import Submission
    from documents.submissions import services

    day = timezone.localdate()
    sub = in_leader_review(w, day, title="关于调整收费标准的请示")
    services.leader_decide(actor=w.dep_a, submission=sub, decision="approve", opinion="同意", today=day)
    return Submission.objects.get(pk=sub.pk)


def test_doc_15_department_out_of_plan_document_refused_until_planned_on_its_page(world, client, year):
    w = world
    doc = _department_draft(w, approved_submission=_approved(w))
    with pytest.raises(DocumentRuleError) as exc:
        issuance.submit_outgoing(actor=w.fin_clerk, document=doc)
    assert exc.value.rule_ids == ["DOC-15"] and f"未列入{year}年度发文计划" in str(exc.value)
    c = login(client, w.fin_clerk)
    post(c, w, year, what="plan")
    post(c, w, year, what="item", **{"item-title": doc.title})
    item = PlanItem.objects.get(plan__unit=w.fin, title=doc.title)
    issuance.update_outgoing(actor=w.fin_clerk, document=OutgoingDocument.objects.get(pk=doc.pk), plan_item=item)
    doc = issuance.submit_outgoing(actor=w.fin_clerk, document=OutgoingDocument.objects.get(pk=doc.pk))
    assert doc.state == OutgoingState.AWAITING_SIGNATURE


def test_doc_15_another_departments_plan_does_not_count(world, client, year):
    w = world
    plan = issuance.create_plan(actor=w.dev_clerk, issuer="department", unit=w.dev, year=year)
    foreign = issuance.add_plan_item(actor=w.dev_clerk, plan=plan, title="关于调整收费标准的通知")
    doc = _department_draft(w, approved_submission=_approved(w))
    OutgoingDocument.objects.filter(pk=doc.pk).update(plan_item=foreign)
    with pytest.raises(DocumentRuleError, match="第六十三条"):
        issuance.submit_outgoing(actor=w.fin_clerk, document=OutgoingDocument.objects.get(pk=doc.pk))


def test_doc_15_department_out_of_plan_document_goes_on_with_the_one_off_approval(world, year):
    w = world
    doc = _department_draft(w, approved_submission=_approved(w))
    with pytest.raises(DocumentRuleError, match="第六十三条"):
        issuance.submit_outgoing(actor=w.fin_clerk, document=doc)
    approval = issuance.request_one_off_approval(
        actor=w.fin_clerk, document=OutgoingDocument.objects.get(pk=doc.pk), matter="调整收费标准", reason="限期执行"
    )
    with pytest.raises(DocumentRuleError, match="正待区政府办公室审核"):
        issuance.submit_outgoing(actor=w.fin_clerk, document=OutgoingDocument.objects.get(pk=doc.pk))
    issuance.decide_one_off_approval(actor=w.staff, approval=approval, approve=True, opinion="同意")
    doc = issuance.submit_outgoing(actor=w.fin_clerk, document=OutgoingDocument.objects.get(pk=doc.pk))
    assert doc.state == OutgoingState.AWAITING_SIGNATURE


def test_doc_15_the_unit_plan_link_is_offered_only_where_it_leads_somewhere(world, client):
    """A department's clerk gets the link to its plan; a district leader (government unit, no plan) does not."""
    w = world
    index = reverse("documents:outgoing_index")
    assert 'data-testid="unit-plan-link"' in login(client, w.fin_clerk).get(index).content.decode()
    leader_page = login(client, w.dep_a).get(index).content.decode()
    assert 'data-testid="unit-plan-link"' not in leader_page
    assert login(client, w.dep_a).get(reverse("documents:unit_plan")).status_code == 404


@pytest.mark.parametrize("guessed", [0, 999999])
def test_doc_15_a_guessed_unit_id_in_the_plan_address_is_404_not_ones_own_plan(world, client, year, guessed):
    """/documents/plans/unit/0/ showed, and on POST created, the clerk's own unit's plan: 0 was read as "no id
    given". An id in the address must name a unit; only the bare address is one's own."""
    w = world
    c = login(client, w.fin_clerk)
    url = reverse("documents:unit_plan_of", args=[guessed])
    assert c.get(url).status_code == 404
    assert c.post(url, {"year": year, "what": "plan"}).status_code == 404
    assert not DocumentPlan.objects.filter(unit=w.fin).exists()
    assert c.get(reverse("documents:unit_plan")).status_code == 200


def test_doc_15_the_office_director_is_not_offered_a_department_plan_of_the_office(world, client):
    """区政府办公室主任 (seated in the office, without the office staff's role) was shown 本部门年度发文计划 on
    发文办理, and the click gave 404: the office keeps no department plan (its plans are the government's and the
    office's)."""
    w = world
    assert w.director.unit.kind == "office"
    page = login(client, w.director).get(reverse("documents:outgoing_index")).content.decode()
    assert 'data-testid="unit-plan-link"' not in page
    assert login(client, w.director).get(reverse("documents:unit_plan")).status_code == 404

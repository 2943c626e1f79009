"""Numbering under concurrency (DOC-14 "on signature"): many documents signed at the same moment get unique,
gapless numbers from the locked counter; two signatures of one document give one transition and one number.
Real threads, each with its own PostgreSQL connection."""

import pytest
from documents_support import DAY, build_world

from documents.models import DocumentNumberCounter, OutgoingDocument, OutgoingState
from documents.outgoing import services as issuance
from tests.factories import outgoing_draft
from tests.race_support import race
from tiexi_gov.audit.models import Event
from tiexi_gov.org.models import User
from tiexi_gov.workflow.errors import AlreadyHandled as AlreadyHandledError

pytestmark = [pytest.mark.postgres, pytest.mark.django_db(transaction=True)]

DOCS = 12


def awaiting_signature(w, title):
    """A 审计局 document (the head's own portfolio: no deputy review) ready for the head's signature."""
    doc = outgoing_draft(w.outsider, title=title)
    issuance.submit_outgoing(actor=w.outsider, document=doc, today=DAY)
    issuance.office_check_outgoing(
        actor=w.staff, document=OutgoingDocument.objects.get(pk=doc.pk), opinion="核稿", today=DAY
    )
    doc = OutgoingDocument.objects.get(pk=doc.pk)
    assert doc.state == OutgoingState.AWAITING_SIGNATURE
    return doc


def _sign(head_pk, doc_pk):
    def call():
        return issuance.sign_outgoing(
            actor=User.objects.get(pk=head_pk), document=OutgoingDocument.objects.get(pk=doc_pk), today=DAY
        )

    return call


def test_numbering_is_unique_and_gapless_under_concurrent_signatures():
    w = build_world()
    ids = [awaiting_signature(w, f"并发签发{i}").pk for i in range(DOCS)]
    results, errors = race(*[_sign(w.head.pk, pk) for pk in ids])
    assert not errors, errors
    numbers = list(OutgoingDocument.objects.filter(pk__in=ids).values_list("number_seq", flat=True))
    assert sorted(numbers) == list(range(1, DOCS + 1))
    assert sorted(OutgoingDocument.objects.filter(pk__in=ids).values_list("number", flat=True)) == sorted(
        f"铁西政发〔2026〕{i}号" for i in range(1, DOCS + 1)
    )
    assert DocumentNumberCounter.objects.get(series="铁西政发", year=2026).last == DOCS


def test_two_signatures_of_one_document_give_one_transition_and_one_number():
    w = build_world()
    doc = awaiting_signature(w, "同时签发")
    results, errors = race(*[_sign(w.head.pk, doc.pk), _sign(w.head.pk, doc.pk)])
    assert len(results) == 1 and len(errors) == 1
    assert isinstance(errors[0], AlreadyHandledError) and "已由王区长处理" in str(errors[0])
    assert OutgoingDocument.objects.get(pk=doc.pk).number == "铁西政发〔2026〕1号"
    assert DocumentNumberCounter.objects.get(series="铁西政发", year=2026).last == 1
    assert Event.objects.filter(action="outgoing_sign").count() == 1


def test_doc_15_removing_a_plan_item_while_a_draft_names_it_refuses_one_of_the_two_never_a_server_error():
    """A clerk takes a matter out of the plan at the moment another drafts a document on it: one of the two is
    refused in Chinese (不能删除 / 已被删除), never a database error; the item exists exactly when a draft names it."""
    from documents.models import OutgoingKind, PlanItem
    from tiexi_gov.workflow.errors import ActionRefused

    w = build_world()
    year = DAY.year
    plan = issuance.create_plan(actor=w.fin_clerk, issuer="department", unit=w.fin, year=year)
    outcomes = set()
    for i in range(6):
        item = issuance.add_plan_item(actor=w.fin_clerk, plan=plan, title=f"关于财政资金监管的通知{i}")

        # Each side holds the item as its page loaded it before the other acted (a stale instance): loading it
        # inside the race would let the harness, not the service, meet the deleted row.
        def remove(item=PlanItem.objects.get(pk=item.pk)):
            issuance.remove_plan_item(actor=User.objects.get(pk=w.fin_clerk.pk), item=item, today=DAY)
            return "removed"

        def draft(item=PlanItem.objects.get(pk=item.pk), i=i):
            outgoing_draft(
                User.objects.get(pk=w.fin_clerk.pk),
                kind=OutgoingKind.DEPARTMENT_APPROVED,
                title=f"关于财政资金监管的通知{i}",
                plan_item=item,
            )
            return "drafted"

        results, errors = race(remove, draft)
        assert len(results) == 1 and len(errors) == 1, (results, errors)
        assert isinstance(errors[0], ActionRefused), repr(errors[0])
        assert ("不能删除" in str(errors[0])) if results == ["drafted"] else ("已被删除" in str(errors[0]))
        still_there = PlanItem.objects.filter(pk=item.pk).exists()
        assert still_there == OutgoingDocument.objects.filter(plan_item_id=item.pk).exists() == (results == ["drafted"])
        outcomes.add(results[0])
    assert outcomes  # which one wins is up to the scheduler; each round above holds either way


def test_doc_15_a_form_naming_a_plan_item_removed_meanwhile_is_refused_in_chinese():
    """The two orders of the race above, one after the other: whichever comes second is refused, whatever the
    scheduler does in the threaded test."""
    from documents.models import OutgoingKind, PlanItem
    from tiexi_gov.workflow.errors import ActionRefused

    w = build_world()
    plan = issuance.create_plan(actor=w.fin_clerk, issuer="department", unit=w.fin, year=DAY.year)
    gone = issuance.add_plan_item(actor=w.fin_clerk, plan=plan, title="关于财政资金监管的通知甲")
    stale = PlanItem.objects.get(pk=gone.pk)
    issuance.remove_plan_item(actor=w.fin_clerk, item=gone, today=DAY)
    with pytest.raises(ActionRefused, match="已被删除"):
        outgoing_draft(
            w.fin_clerk, kind=OutgoingKind.DEPARTMENT_APPROVED, title="关于财政资金监管的通知甲", plan_item=stale
        )
    named = issuance.add_plan_item(actor=w.fin_clerk, plan=plan, title="关于财政资金监管的通知乙")
    outgoing_draft(
        w.fin_clerk, kind=OutgoingKind.DEPARTMENT_APPROVED, title="关于财政资金监管的通知乙", plan_item=named
    )
    with pytest.raises(ActionRefused, match="不能删除"):
        issuance.remove_plan_item(actor=w.fin_clerk, item=named, today=DAY)
    assert PlanItem.objects.filter(pk=named.pk).exists() and not PlanItem.objects.filter(pk=gone.pk).exists()

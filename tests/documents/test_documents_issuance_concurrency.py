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

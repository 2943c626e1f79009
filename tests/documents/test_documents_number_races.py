"""Issue 13.4 for documents: the 发文字号 series is one series however its 代字 is typed (spaces, full-width), also
when documents are signed at the same moment; a yearly plan created twice at once gives one plan and the rule's
refusal, never a server error. Real threads, each with its own connection."""

import pytest
from documents_support import DAY, build_world
from test_documents_issuance_concurrency import _sign, awaiting_signature

from documents.models import DocumentNumberCounter, DocumentPlan, OutgoingDocument
from documents.outgoing import services as issuance
from tests.race_support import race
from tiexi_gov.org.models import User
from tiexi_gov.workflow.errors import ActionRefused

pytestmark = [pytest.mark.postgres, pytest.mark.django_db(transaction=True)]


def test_doc_14_series_typed_with_a_space_or_fullwidth_is_one_series_under_concurrent_signatures():
    w = build_world()
    ids = []
    for i, typed in enumerate(["铁西政发", "铁西 政发", "铁西政发\u3000", " 铁西政发"]):
        doc = awaiting_signature(w, f"代字写法{i}")
        OutgoingDocument.objects.filter(pk=doc.pk).update(series_prefix=typed)
        ids.append(doc.pk)
    results, errors = race(*[_sign(w.head.pk, pk) for pk in ids])
    assert not errors, errors
    docs = OutgoingDocument.objects.filter(pk__in=ids)
    assert sorted(docs.values_list("number_seq", flat=True)) == [1, 2, 3, 4]
    assert sorted(docs.values_list("number", flat=True)) == [f"铁西政发〔2026〕{i}号" for i in range(1, 5)]
    assert list(DocumentNumberCounter.objects.values_list("series", "last")) == [("铁西政发", 4)]


def test_doc_15_plan_created_twice_at_once_one_wins():
    w = build_world()

    def create(actor_pk):
        return lambda: issuance.create_plan(
            actor=User.objects.get(pk=actor_pk),
            issuer="government",
            year=2027,
            items=["关于促进消费的若干措施"],
            today=DAY,
        )

    for _ in range(3):
        DocumentPlan.objects.filter(year=2027).delete()
        results, errors = race(create(w.staff.pk), create(w.staff2.pk))
        assert len(results) == 1 and len(errors) == 1, (results, errors)
        assert isinstance(errors[0], ActionRefused) and "2027年度发文计划已存在" in str(errors[0])
        assert DocumentPlan.objects.filter(issuer="government", year=2027).count() == 1

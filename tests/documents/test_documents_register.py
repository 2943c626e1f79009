"""PUB-2 (第三十四条、第三十六条): documents marked public are published on issue and listed in the register that
anyone logged in can browse; 不予公开, 依申请公开, confidential, not yet issued and withdrawn items never appear."""

import datetime as dt

import pytest
from django.contrib.auth.models import AnonymousUser
from django.contrib.contenttypes.models import ContentType
from documents_support import DAY

from documents.models import Disclosure, DisclosureManner, OutgoingDocument, PublicRegisterEntry
from documents.outgoing import services as issuance
from documents.register import selectors as register
from documents.register import services as register_services
from tests.factories import outgoing_draft
from tiexi_gov.org.models import Unit

pytestmark = pytest.mark.django_db


def fresh(doc) -> OutgoingDocument:
    return OutgoingDocument.objects.get(pk=doc.pk)


def signed(w, title, **fields):
    """A government-name document by 审计局 (the head's own portfolio: no deputy review), signed by the head."""
    doc = outgoing_draft(w.outsider, title=title, **fields)
    issuance.submit_outgoing(actor=w.outsider, document=doc, today=DAY)
    issuance.office_check_outgoing(actor=w.staff, document=fresh(doc), opinion="核稿", today=DAY)
    return issuance.sign_outgoing(actor=w.head, document=fresh(doc), today=DAY)


def issued(w, title, **fields):
    return issuance.issue_outgoing(actor=w.staff, document=signed(w, title, **fields), today=DAY)


def listed_titles(user, **kwargs):
    return [e.title for e in register.register_entries(user, **kwargs)]


def test_pub_2_a_public_issued_document_appears_in_the_register(world):
    w = world
    doc = issued(w, "关于加强审计整改的通知")
    entry = PublicRegisterEntry.objects.get()
    assert (entry.title, entry.number, entry.issuer_name, entry.published_on) == (
        "关于加强审计整改的通知",
        "铁西政发〔2026〕1号",
        "铁西区人民政府",
        DAY,
    )
    assert entry.text == doc.body and entry.kind == PublicRegisterEntry.Kind.DOCUMENT
    for anyone in (w.outsider, w.dev_clerk, w.head, w.staff):
        assert listed_titles(anyone) == ["关于加强审计整改的通知"]
    assert register.register_entry(w.dev_clerk, entry.pk) == entry
    assert listed_titles(AnonymousUser()) == [] and register.register_entry(AnonymousUser(), entry.pk) is None


def test_pub_2_partial_disclosure_is_listed_without_the_full_text(world):
    w = world
    issued(w, "部分公开的通知", disclosure=Disclosure.PARTIAL, disclosure_reason="涉及个人信息部分不公开")
    entry = PublicRegisterEntry.objects.get()
    assert entry.disclosure == Disclosure.PARTIAL and entry.text == ""


@pytest.mark.parametrize(
    "fields",
    [
        {"disclosure": Disclosure.NONE, "disclosure_manner": "", "disclosure_reason": "内部事务"},
        {"disclosure_manner": DisclosureManner.ON_REQUEST},
        {
            "confidential": True,
            "disclosure": Disclosure.NONE,
            "disclosure_manner": "",
            "disclosure_reason": "限定知悉范围",
        },
    ],
    ids=["not_public", "on_request", "confidential"],
)
def test_pub_2_documents_not_marked_public_never_appear(world, fields):
    w = world
    issued(w, "不公开的通知", **fields)
    assert not PublicRegisterEntry.objects.exists()
    assert listed_titles(w.staff) == []


def test_pub_2_signed_but_not_issued_is_not_yet_published(world):
    w = world
    signed(w, "已签发未印发")
    assert listed_titles(w.staff) == []


def test_pub_2_a_withdrawn_document_leaves_the_register(world):
    w = world
    doc = issued(w, "将被废止的通知")
    keep = issued(w, "继续有效的通知")
    entry = PublicRegisterEntry.objects.get(source_id=str(doc.pk))
    issuance.withdraw_outgoing(actor=w.staff, document=doc, reason="已被新文件替代", today=DAY)
    assert listed_titles(w.fin_clerk) == [keep.title]
    assert register.register_entry(w.fin_clerk, entry.pk) is None
    entry.refresh_from_db()
    assert entry.withdrawn and entry.withdrawn_on == DAY  # the row is kept, not listed


def test_pub_2_search_by_title_or_number(world):
    w = world
    issued(w, "关于审计整改的通知")
    issued(w, "关于安全生产的通知")
    assert listed_titles(w.staff, query="安全") == ["关于安全生产的通知"]
    assert listed_titles(w.staff, query="〔2026〕1号") == ["关于审计整改的通知"]
    assert listed_titles(w.staff, kind=PublicRegisterEntry.Kind.MEETING_DECISION) == []


def _bulk_entries(n, start=0):
    ct = ContentType.objects.get_for_model(Unit)
    PublicRegisterEntry.objects.bulk_create(
        PublicRegisterEntry(
            kind=PublicRegisterEntry.Kind.DOCUMENT,
            source_type=ct,
            source_id=str(start + i),
            title=f"公开文件{start + i}",
            number=f"铁西政发〔2026〕{start + i}号",
            issuer_name="铁西区人民政府",
            published_on=dt.date(2026, 1, 1) + dt.timedelta(days=(start + i) % 300),
            disclosure=Disclosure.FULL,
            withdrawn=(start + i) % 7 == 0,
        )
        for i in range(n)
    )


@pytest.mark.parametrize("rows", [10, 200])
def test_pub_2_register_page_uses_a_constant_number_of_queries(world, django_assert_max_num_queries, rows):
    w = world
    _bulk_entries(rows)
    with django_assert_max_num_queries(2):
        page = register.register_page(w.outsider, query="公开", page=1)
        items = [(e.title, e.number, e.published_on, e.get_kind_display()) for e in page.object_list]
    assert len(items) == min(20, rows - len([i for i in range(rows) if i % 7 == 0]))
    assert page.paginator.count == rows - len([i for i in range(rows) if i % 7 == 0])


def test_pub_2_register_paginates_newest_first(world):
    w = world
    _bulk_entries(45, start=1)
    first = register.register_page(w.outsider, page=1, per_page=10)
    dates = [e.published_on for e in first.object_list]
    assert dates == sorted(dates, reverse=True)
    last = register.register_page(w.outsider, page=99, per_page=10)
    assert last.number == last.paginator.num_pages


def test_pub_2_meeting_decisions_can_be_published_through_the_same_register(world):
    """The meetings app lists its decisions with publish_to_register(kind=meeting_decision)."""
    from django.db import transaction

    w = world
    with transaction.atomic():
        register_services.publish_to_register(
            subject=w.office,  # any model instance stands in for a meeting here
            kind=PublicRegisterEntry.Kind.MEETING_DECISION,
            title="区政府第12次常务会议决定事项",
            number="",
            issuer_name="铁西区人民政府",
            published_on=DAY,
            disclosure=Disclosure.FULL,
            text="会议决定……",
        )
    assert listed_titles(w.fin_clerk, kind=PublicRegisterEntry.Kind.MEETING_DECISION) == [
        "区政府第12次常务会议决定事项"
    ]

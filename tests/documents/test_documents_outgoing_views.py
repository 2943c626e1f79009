"""Flow B pages (发文) through the views: the permission matrix, each action calling its service and showing the
rule's message, the list and queue query counts, the public register (PUB-2), the document plan (DOC-15) and the
office's briefing approval on a flow A item page (DOC-16).

The views use the real today, so the drafts are put in the plan of today's year.
"""

from __future__ import annotations

import io
import zipfile

import pytest
from django.urls import reverse
from django.utils import timezone
from documents_support import registered

from documents.models import (
    BriefingApproval,
    DeputyReview,
    DocumentPlan,
    NormativeStep,
    OutgoingDocument,
    OutgoingKind,
    OutgoingState,
    PlanItem,
    PublicRegisterEntry,
    Submission,
    SubmissionKind,
    SubmissionState,
)
from documents.outgoing import services as issuance
from documents.shared.normative import required_normative_steps
from tests.factories import justice_bureau, outgoing_draft
from tiexi_gov.audit.models import Event

pytestmark = [pytest.mark.postgres, pytest.mark.django_db]
OS = OutgoingState
PDF = b"%PDF-1.7\n%\xe2\xe3\xcf\xd3\n1 0 obj <<>> endobj\n"


@pytest.fixture(autouse=True)
def media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path


@pytest.fixture
def year():
    return timezone.localdate().year


def fresh(doc) -> OutgoingDocument:
    return OutgoingDocument.objects.get(pk=doc.pk)


def login(client, user):
    c = client.__class__()
    c.force_login(user)
    return c


def act(c, doc, action, data=None, *, htmx=False):
    payload = {"seen_state": fresh(doc).state}
    payload.update({f"{action}-{k}": v for k, v in (data or {}).items()})
    headers = {"HTTP_HX_REQUEST": "true"} if htmx else {}
    return c.post(reverse("documents:outgoing_act", args=[doc.pk, action]), payload, **headers)


def messages_of(response) -> str:
    return " ".join(str(m) for m in response.context["messages"]) if response.context else ""


def gov_draft(w, year, **kw):
    """A government-name draft by 财政局 spanning two portfolios (发改局 countersigns), in this year's plan."""
    return outgoing_draft(w.fin_clerk, countersign=[w.dev], plan_year=year, **kw)


def to_signature(w, doc):
    issuance.submit_outgoing(actor=w.fin_clerk, document=fresh(doc))
    issuance.countersign_outgoing(actor=w.dev_head, document=fresh(doc), opinion="同意")
    issuance.office_check_outgoing(actor=w.staff, document=fresh(doc), opinion="核稿无误")
    issuance.review_outgoing(actor=w.dep_a, document=fresh(doc), opinion="同意")
    issuance.review_outgoing(actor=w.dep_b, document=fresh(doc), opinion="同意")
    assert fresh(doc).state == OS.AWAITING_SIGNATURE
    return fresh(doc)


def signed(w, doc):
    to_signature(w, doc)
    return issuance.sign_outgoing(actor=w.head, document=fresh(doc), opinion="同意印发")


def normative_draft(w, year):
    return outgoing_draft(w.fin_clerk, title="铁西区财政专项资金管理办法", normative=True, plan_year=year)


def complete_checklist(w, doc):
    for step in required_normative_steps(fresh(doc)):
        issuance.record_checklist_step(actor=w.fin_clerk, document=fresh(doc), step=step, done=True, evidence="已完成")


# --- X-2: the permission matrix -----------------------------------------------------------------------------


PAGES = ("outgoing_detail", "outgoing_print", "outgoing_docx")


def test_x_2_outgoing_pages_matrix_outsider_gets_404(world, client, year):
    w = world
    doc = signed(w, gov_draft(w, year))
    _unit, justice = justice_bureau()
    allowed = {
        "drafting unit": w.fin_clerk,
        "countersigning unit": w.dev_clerk,
        "office": w.staff,
        "responsible deputy": w.dep_a,
        "other responsible deputy": w.dep_b,
        "head": w.head,
    }
    denied = {"outsider": w.outsider, "司法局 (not normative)": justice, "executive deputy": w.exec_deputy}
    for role, user in allowed.items():
        c = login(client, user)
        for name in PAGES:
            assert c.get(reverse(f"documents:{name}", args=[doc.pk])).status_code == 200, (role, name)
    for role, user in denied.items():
        c = login(client, user)
        for name in PAGES:
            assert c.get(reverse(f"documents:{name}", args=[doc.pk])).status_code == 404, (role, name)
        assert act(c, doc, "issue", {"printing_office": ""}).status_code == 404, role
    assert client.get(reverse("documents:outgoing_detail", args=[doc.pk])).status_code == 302  # anonymous: login


def test_x_2_司法局_sees_a_normative_document_only_in_its_legality_review(world, client, year):
    w = world
    _unit, justice = justice_bureau()
    doc = normative_draft(w, year)
    c = login(client, justice)
    assert c.get(reverse("documents:outgoing_detail", args=[doc.pk])).status_code == 404
    complete_checklist(w, doc)
    issuance.submit_outgoing(actor=w.fin_clerk, document=fresh(doc))
    issuance.office_check_outgoing(actor=w.staff, document=fresh(doc), opinion="核稿")
    r = c.get(reverse("documents:outgoing_detail", args=[doc.pk]))
    assert r.status_code == 200 and "legality" in r.context["allowed"]


def test_x_2_attachment_download_is_permission_checked(world, client, year):
    w = world
    doc = gov_draft(w, year)
    from django.core.files.uploadedfile import SimpleUploadedFile

    att = issuance.add_outgoing_attachment(
        actor=w.fin_clerk, document=doc, file=SimpleUploadedFile("附件一.pdf", PDF, content_type="application/pdf")
    )
    url = reverse("documents:outgoing_attachment", args=[doc.pk, att.pk])
    assert login(client, w.fin_clerk).get(url).status_code == 200
    assert login(client, w.outsider).get(url).status_code == 404


# --- the whole flow through the pages ----------------------------------------------------------------------


def test_every_outgoing_action_view_calls_its_service_from_draft_to_register(world, client, year):
    """The 发文稿纸 form → submit → countersign → 核稿 → both deputies → head signs → office issues → the public
    register lists it → the .docx downloads."""
    w = world
    plan = DocumentPlan.objects.create(issuer="government", year=year, created_by=w.staff)
    item = PlanItem.objects.create(plan=plan, title="关于促进消费的若干措施")
    c = login(client, w.fin_clerk)
    from django.core.files.uploadedfile import SimpleUploadedFile

    r = c.post(
        reverse("documents:outgoing_create"),
        {
            "kind": "government",
            "title": "关于促进消费的若干措施",
            "main_recipients": "各乡、街道，区政府各部门",
            "copy_to": "区委办公室",
            "disclosure": "full",
            "disclosure_manner": "active",
            "copies": "60",
            "body": "为促进全区消费持续恢复，制定以下措施。",
            "plan_item": str(item.pk),
            "not_classified": "on",
            "countersign_units": [str(w.dev.pk)],
            "files": [SimpleUploadedFile("措施清单.pdf", PDF, content_type="application/pdf")],
        },
    )
    assert r.status_code == 302, r.context["form"].errors if r.context else r
    doc = OutgoingDocument.objects.get(title="关于促进消费的若干措施")
    assert list(doc.countersign_units.all()) == [w.dev] and doc.attachments.get().original_name == "措施清单.pdf"

    assert act(c, doc, "submit").status_code == 302 and fresh(doc).state == OS.OFFICE_CHECK
    assert act(login(client, w.dev_head), doc, "countersign", {"opinion": "同意"}).status_code == 302
    staff = login(client, w.staff)
    act(staff, doc, "office_check", {"opinion": "核稿无误"})
    assert fresh(doc).state == OS.DEPUTY_REVIEW
    act(login(client, w.dep_a), doc, "review", {"opinion": "同意"})
    r = act(login(client, w.dep_b), doc, "review", {"opinion": "同意"}, htmx=True)
    assert r.status_code == 200 and 'id="out-panel"' in r.content.decode()  # htmx: the refreshed panel
    assert fresh(doc).state == OS.AWAITING_SIGNATURE
    act(login(client, w.head), doc, "sign", {"opinion": "同意印发"})
    doc = fresh(doc)
    assert doc.state == OS.SIGNED and doc.number == f"铁西政发〔{year}〕1号"
    act(staff, doc, "issue", {"printing_office": ""})
    assert fresh(doc).state == OS.ISSUED

    page = c.get(reverse("documents:register"), {"q": doc.number})
    assert [e.title for e in page.context["page"].object_list] == ["关于促进消费的若干措施"]
    r = c.get(reverse("documents:outgoing_docx", args=[doc.pk]))
    assert r.status_code == 200 and r["Content-Type"].startswith("application/vnd.openxmlformats")
    with zipfile.ZipFile(io.BytesIO(r.content)) as zf:
        assert "铁西政发" in zf.read("word/document.xml").decode()
    actions = set(Event.objects.for_object(doc).values_list("action", flat=True))
    assert {"outgoing_create", "outgoing_submit", "office_check", "deputy_review", "outgoing_sign"} <= actions


def test_doc_14_wrong_signer_sees_the_rule_message_and_keeps_the_opinion(world, client, year):
    w = world
    doc = to_signature(w, gov_draft(w, year))
    c = login(client, w.dep_a)  # reviewed it, so sees it — but a government-name document is the head's to sign
    r = act(c, doc, "sign", {"opinion": "我来签"})
    assert r.status_code == 200
    text = messages_of(r)
    assert "第六十二条" in text and "区长签发" in text
    # Not his step: no 签发 button comes back, but what he wrote stays on the page.
    assert "sign" not in r.context["forms"] and "确认签发？" not in r.content.decode()
    assert r.context["kept"] == ["我来签"] and 'data-testid="kept-text"' in r.content.decode()
    assert fresh(doc).state == OS.AWAITING_SIGNATURE and fresh(doc).number == ""


def test_doc_14_head_cannot_sign_before_both_deputies_reviewed_via_the_page(world, client, year):
    """Out of order: the draft has not reached the head (X-2: 404), and the service would refuse it anyway."""
    w = world
    doc = gov_draft(w, year)
    issuance.submit_outgoing(actor=w.fin_clerk, document=doc)
    issuance.countersign_outgoing(actor=w.dev_head, document=fresh(doc))
    issuance.office_check_outgoing(actor=w.staff, document=fresh(doc), opinion="核稿")
    issuance.review_outgoing(actor=w.dep_a, document=fresh(doc), opinion="同意")
    head = login(client, w.head)
    assert act(head, doc, "sign", {"opinion": ""}, htmx=True).status_code == 404
    assert fresh(doc).state == OS.DEPUTY_REVIEW
    # The deputy who already reviewed sees the item, and the rule's words when pressing 签发 out of order.
    r = act(login(client, w.dep_a), doc, "sign", {"opinion": ""}, htmx=True)
    assert r.status_code == 200 and "副区长（发改）" in r.content.decode() and "第六十二条" in r.content.decode()
    assert fresh(doc).state == OS.DEPUTY_REVIEW


def test_doc_8_incomplete_checklist_is_refused_on_submit_via_the_page(world, client, year):
    w = world
    doc = normative_draft(w, year)
    c = login(client, w.fin_clerk)
    issuance.record_checklist_step(
        actor=w.fin_clerk, document=doc, step=NormativeStep.PUBLIC_PARTICIPATION, done=True, evidence="已公开征求意见"
    )
    r = act(c, doc, "submit")
    assert (
        r.status_code == 200 and "第六十条；第二十四条至第二十六条" in messages_of(r) and "专家论证" in messages_of(r)
    )
    assert fresh(doc).state == OS.DRAFTING
    # A skipped step without its reason is refused with the rule, the typed evidence kept.
    r = act(c, doc, "checklist", {"step": NormativeStep.EXPERT_ARGUMENTATION, "done": "0", "evidence": "见附件"})
    assert "第二十四条至第二十六条" in messages_of(r)
    assert r.context["forms"]["checklist"]["evidence"].value() == "见附件"


def test_doc_8_a_case_by_case_measure_records_its_fair_competition_review_on_the_page(world, client, year):
    """第六十条: a "一事一议" specific policy measure, not a normative document, records the fair competition review
    from its page; submitting without it is refused with the article."""
    w = world
    doc = outgoing_draft(w.fin_clerk, title="关于支持某企业技改项目的具体措施", case_by_case_policy=True)
    c = login(client, w.fin_clerk)
    page = c.get(reverse("documents:outgoing_detail", args=[doc.pk]))
    html = page.content.decode()
    assert "公平竞争审查（第六十条" in html and "填报公平竞争审查情况（第六十条）" in html and "未填报" in html
    assert "规范性文件制发程序" not in html
    r = act(c, doc, "submit")
    assert r.status_code == 200 and "第六十条" in messages_of(r) and "一事一议" in messages_of(r)
    assert fresh(doc).state == OS.DRAFTING
    r = act(c, doc, "checklist", {"step": NormativeStep.FAIR_COMPETITION, "done": "1", "evidence": "审查意见附后"})
    assert r.status_code == 302 and fresh(doc).checklist.get().step == NormativeStep.FAIR_COMPETITION
    assert act(c, doc, "submit").status_code == 302 and fresh(doc).state == OS.OFFICE_CHECK


def test_doc_8_normative_document_through_legality_review_interpretation_issue_and_filing(world, client, year):
    w = world
    _unit, justice = justice_bureau()
    doc = normative_draft(w, year)
    c = login(client, w.fin_clerk)
    for step in required_normative_steps(doc):
        act(c, doc, "checklist", {"step": step, "done": "1", "evidence": "已完成，材料附后"})
    assert fresh(doc).checklist.count() == len(required_normative_steps(doc))
    act(c, doc, "submit")
    act(login(client, w.staff), doc, "office_check", {"opinion": "核稿"})
    assert fresh(doc).state == OS.LEGALITY_REVIEW
    j = login(client, justice)
    r = act(j, doc, "legality", {"passed": "1", "creates_penalty": "on", "opinion": "通过", "within_authority": "on"})
    assert (
        "第六十条；第二十四条至第二十六条" in messages_of(r)
        and "行政处罚" in messages_of(r)
        and fresh(doc).state == OS.LEGALITY_REVIEW
    )
    act(j, doc, "legality", {"passed": "1", "within_authority": "on", "procedure_complete": "on", "opinion": "通过"})
    assert fresh(doc).state == OS.DEPUTY_REVIEW
    act(login(client, w.dep_a), doc, "review", {"opinion": "同意"})
    act(login(client, w.head), doc, "sign", {"opinion": "同意"})
    assert fresh(doc).state == OS.SIGNED

    staff = login(client, w.staff)
    r = act(staff, doc, "issue", {"printing_office": ""})
    assert "第三十八条" in messages_of(r) and "政策解读" in messages_of(r) and fresh(doc).state == OS.SIGNED
    act(c, doc, "interpretation", {"title": "《管理办法》解读", "text": "一、制定背景……"})
    act(staff, doc, "issue", {"printing_office": ""})
    assert fresh(doc).state == OS.ISSUED
    entry = PublicRegisterEntry.objects.get(number=fresh(doc).number)
    assert entry.interpretation_title == "《管理办法》解读"
    today = timezone.localdate()
    act(c, doc, "filing", {"filed_with": "铁西区人民代表大会常务委员会", "filed_on": today.isoformat()})
    assert fresh(doc).filed_on == today


def test_doc_18_the_interpretation_saved_again_unchanged_records_nothing(world, client, year):
    """The interpretation form shows the saved text (a draft's interpretation may be revised). Saved again untouched
    it wrote a second "撰写政策解读" into the record and named the clicker as its author; now it changes nothing."""
    from documents.models import PolicyInterpretation
    from tests.form_roundtrip import form_data

    w = world
    doc = normative_draft(w, year)
    c = login(client, w.fin_clerk)
    act(c, doc, "interpretation", {"title": "《管理办法》解读", "text": "一、制定背景\n二、主要内容"})
    events = Event.objects.count()
    colleague = login(client, w.fin_head)
    page = colleague.get(reverse("documents:outgoing_detail", args=[doc.pk])).content.decode()
    url = reverse("documents:outgoing_act", args=[doc.pk, "interpretation"])
    data = form_data(page, ("action", url))
    assert data["interpretation-text"] == ["一、制定背景\r\n二、主要内容"]
    assert colleague.post(url, data).status_code == 302
    assert Event.objects.count() == events
    assert PolicyInterpretation.objects.get(document=doc).prepared_by == w.fin_clerk


def test_doc_16_office_returns_a_draft_with_the_reason_the_drafting_unit_sees(world, client, year):
    w = world
    doc = gov_draft(w, year)
    issuance.submit_outgoing(actor=w.fin_clerk, document=doc)
    act(login(client, w.staff), doc, "return", {"reason": "nothing_new", "text": "与现行文件重复。"})
    assert fresh(doc).state == OS.RETURNED
    page = login(client, w.fin_clerk).get(reverse("documents:outgoing_detail", args=[doc.pk]))
    assert "没有新内容、新举措" in page.content.decode() and "revise" in page.context["allowed"]


def test_doc_15_one_off_approval_through_the_pages(world, client, year):
    w = world
    doc = outgoing_draft(w.fin_clerk, plan_item=None, plan_year=year)
    c = login(client, w.fin_clerk)
    act(c, doc, "one_off", {"matter": "促进消费", "reason": "上级要求限期出台"})
    approval = fresh(doc).one_off_approvals.get()
    staff = login(client, w.staff)
    assert "decide_one_off" in staff.get(reverse("documents:outgoing_detail", args=[doc.pk])).context["allowed"]
    act(staff, doc, "decide_one_off", {"approval": approval.pk, "approve": "1", "opinion": "同意计划外发文"})
    approval.refresh_from_db()
    assert approval.state == "approved" and approval.decided_by == w.staff


def test_outgoing_edit_form_saves_through_the_service(world, client, year):
    w = world
    doc = gov_draft(w, year)
    c = login(client, w.fin_clerk)
    page = c.get(reverse("documents:outgoing_edit", args=[doc.pk]))
    assert page.status_code == 200
    form = page.context["form"]
    data = {k: v for k, v in form.initial.items() if v not in (None, False) and k not in ("kind", "issuer")}
    data.update(
        {
            "title": "关于促进消费的若干措施（修改稿）",
            "countersign_units": [],
            "seen_state": "drafting",
            "not_classified": "on",
        }
    )
    data.pop("plan_item", None)
    data["plan_item"] = str(doc.plan_item_id)
    r = c.post(reverse("documents:outgoing_edit", args=[doc.pk]), data)
    assert r.status_code == 302, r.context["form"].errors if r.context else r
    doc = fresh(doc)
    assert doc.title.endswith("（修改稿）") and not doc.countersign_units.exists()
    assert login(client, w.outsider).get(reverse("documents:outgoing_edit", args=[doc.pk])).status_code == 404


# --- lists, queue: constant queries ------------------------------------------------------------------------


def _bulk_outgoing(w, n, state=OS.DRAFTING):
    OutgoingDocument.objects.bulk_create(
        [
            OutgoingDocument(
                issuer="government", kind=OutgoingKind.GOVERNMENT, drafting_unit=w.fin, drafted_by=w.fin_clerk,
                title=f"发文{i}", body="正文", state=state, submitted_at=timezone.now(),
            )
            for i in range(n)
        ]
    )  # fmt: skip


@pytest.mark.parametrize("rows", [10, 200])
def test_outgoing_list_query_count_is_constant(world, client, rows, django_assert_max_num_queries):
    _bulk_outgoing(world, rows)
    c = login(client, world.fin_clerk)
    with django_assert_max_num_queries(14):
        r = c.get(reverse("documents:outgoing_index"))
    assert r.status_code == 200 and r.context["page"].paginator.count == rows
    c = login(client, world.staff)
    with django_assert_max_num_queries(14):
        r = c.get(reverse("documents:outgoing_index"), {"tab": "done", "q": "发文", "issuer": "government"})
    assert r.status_code == 200


def test_outgoing_list_tabs_search_and_filters(world, client, year):
    w = world
    a = gov_draft(w, year, title="关于促进消费的若干措施")
    b = signed(w, gov_draft(w, year, title="关于加强安全生产的通知"))
    issuance.issue_outgoing(actor=w.staff, document=fresh(b))
    c = login(client, w.fin_clerk)

    def titles(**params):
        return [d.title for d in c.get(reverse("documents:outgoing_index"), params).context["page"].object_list]

    assert titles() == [a.title]  # 待办: the unit's own draft
    assert titles(tab="closed") == [b.title]  # 办结: issued
    assert titles(tab="closed", q=fresh(b).number) == [b.title]
    assert titles(tab="closed", q="消费") == []
    assert titles(tab="todo", state="issued") == []
    assert titles(tab="closed", kind="office_remit") == []
    assert login(client, w.outsider).get(reverse("documents:outgoing_index")).context["page"].paginator.count == 0


@pytest.mark.parametrize("rows", [10, 200])
def test_queue_lists_pending_reviews_and_signatures_in_constant_queries(
    world, client, rows, django_assert_max_num_queries
):
    w = world
    _bulk_outgoing(w, rows, state=OS.DEPUTY_REVIEW)
    DeputyReview.objects.bulk_create(
        [DeputyReview(document=d, post=w.dep_a_post, units="财政局") for d in OutgoingDocument.objects.all()]
    )
    _bulk_outgoing(w, rows, state=OS.AWAITING_SIGNATURE)
    c = login(client, w.dep_a)
    with django_assert_max_num_queries(16):
        r = c.get(reverse("documents:queue"))
    assert len(r.context["reviews"]) == min(rows, 20) and r.context["signatures"] == []
    assert r.context["reviews_page"].paginator.count == rows
    h = login(client, w.head)
    with django_assert_max_num_queries(16):
        r = h.get(reverse("documents:queue"))
    assert len(r.context["signatures"]) == min(rows, 20) and r.context["reviews"] == []
    assert r.context["signatures_page"].paginator.count == rows
    # Every pending step is reachable: the last page of each list, in the same number of queries.
    last = -(-rows // 20)
    with django_assert_max_num_queries(16):
        r = c.get(reverse("documents:queue"), {"rpage": last})
    assert len(r.context["reviews"]) == rows - 20 * (last - 1)
    with django_assert_max_num_queries(16):
        r = h.get(reverse("documents:queue"), {"spage": last, "rpage": 3})
    assert len(r.context["signatures"]) == rows - 20 * (last - 1)
    if rows > 20:
        assert 'data-testid="signatures-pager"' in r.content.decode()
        assert "rpage=3" in r.context["signatures_links"]["previous"]


def test_doc_14_queue_pages_through_pending_reviews_and_signatures(world, client):
    """The queue once showed only the first 20 of flow B's pending steps: the 21st was unreachable."""
    w = world
    _bulk_outgoing(w, 25, state=OS.DEPUTY_REVIEW)
    DeputyReview.objects.bulk_create(
        [DeputyReview(document=d, post=w.dep_a_post, units="财政局") for d in OutgoingDocument.objects.all()]
    )
    c = login(client, w.dep_a)
    first = c.get(reverse("documents:queue"))
    second = c.get(reverse("documents:queue"), {"rpage": 2})
    seen = {r.document_id for r, _ in first.context["reviews"]} | {r.document_id for r, _ in second.context["reviews"]}
    assert len(seen) == 25
    assert "rpage=2" in first.content.decode()


# --- PUB-2 the public register ----------------------------------------------------------------------------------


def _bulk_register(n):
    from django.contrib.contenttypes.models import ContentType

    ct = ContentType.objects.get_for_model(OutgoingDocument)
    PublicRegisterEntry.objects.bulk_create(
        [
            PublicRegisterEntry(
                kind="document", source_type=ct, source_id=str(10_000 + i), title=f"公开文件{i}",
                number=f"铁西政发〔2026〕{i + 1}号", issuer_name="铁西区人民政府",
                published_on=timezone.localdate(), disclosure="full", withdrawn=(i == 0),
            )
            for i in range(n)
        ]
    )  # fmt: skip


@pytest.mark.parametrize("rows", [10, 200])
def test_pub_2_register_page_any_logged_in_user_searches_in_constant_queries(
    world, client, rows, django_assert_max_num_queries
):
    _bulk_register(rows)
    c = login(client, world.outsider)
    with django_assert_max_num_queries(9):  # + the navbar's count of open tasks
        r = c.get(reverse("documents:register"))
    assert r.status_code == 200 and r.context["page"].paginator.count == rows - 1  # the withdrawn one is not listed
    r = c.get(reverse("documents:register"), {"q": "〔2026〕5号"})
    assert [e.title for e in r.context["page"].object_list] == ["公开文件4"]
    entry = PublicRegisterEntry.objects.get(title="公开文件4")
    assert c.get(reverse("documents:register_entry", args=[entry.pk])).status_code == 200
    withdrawn = PublicRegisterEntry.objects.get(withdrawn=True)
    assert c.get(reverse("documents:register_entry", args=[withdrawn.pk])).status_code == 404


def test_pub_2_register_is_not_for_anonymous_visitors(client):
    r = client.get(reverse("documents:register"))
    assert r.status_code == 302 and "/accounts/login/" in r["Location"]


def test_pub_2_register_link_is_in_the_navigation(world, client):
    page = login(client, world.outsider).get(reverse("documents:index"))
    assert reverse("documents:register") in page.content.decode()


# --- DOC-15 the annual plan page ----------------------------------------------------------------------------------


def test_doc_15_office_keeps_the_annual_plan_on_its_page(world, client, year):
    w = world
    c = login(client, w.staff)
    r = c.post(reverse("documents:plans"), {"what": "plan", "plan-issuer": "government", "plan-year": year})
    assert r.status_code == 302
    plan = DocumentPlan.objects.get(issuer="government", year=year, unit=None)
    r = c.post(
        reverse("documents:plans"),
        {"what": "item", "item-plan": plan.pk, "item-title": "关于促进消费的若干措施", "item-planned_month": "3"},
    )
    assert r.status_code == 302 and plan.items.get().planned_month == 3
    page = c.get(reverse("documents:plans"), {"year": year})
    assert "关于促进消费的若干措施" in page.content.decode()
    r = c.post(reverse("documents:plans"), {"what": "plan", "plan-issuer": "government", "plan-year": year})
    assert "已存在" in messages_of(r)
    assert login(client, w.fin_clerk).get(reverse("documents:plans")).status_code == 404


# --- DOC-16 briefing approval on a flow A item page ----------------------------------------------------------------


def test_doc_16_office_approves_a_briefing_from_its_item_page(world, client):
    w = world
    from django.utils import timezone as tz

    today = tz.localdate()
    sub = registered(w, today, kind=SubmissionKind.BRIEFING, declares_one_matter=False)
    dd = login(client, w.deputy_director)
    page = dd.get(reverse("documents:detail", args=[sub.pk]))
    assert "approve_briefing" in page.context["allowed"]
    # Without the approval the office review is refused (DOC-16).
    r = dd.post(
        reverse("documents:act", args=[sub.pk, "review"]), {"seen_state": sub.state, "review-opinion": "拟呈阅。"}
    )
    assert "第六十三条" in messages_of(r)
    r = dd.post(
        reverse("documents:act", args=[sub.pk, "approve_briefing"]),
        {"seen_state": sub.state, "approve_briefing-opinion": "同意报送"},
    )
    assert r.status_code == 302 and BriefingApproval.objects.get(submission=sub).approved_by == w.deputy_director
    dd.post(reverse("documents:act", args=[sub.pk, "review"]), {"seen_state": sub.state, "review-opinion": "拟呈阅。"})
    assert Submission.objects.get(pk=sub.pk).state == SubmissionState.OFFICE_REVIEW


def test_doc_16_office_returns_an_unapproved_briefing_from_its_item_page(world, client):
    w = world
    sub = registered(w, timezone.localdate(), kind=SubmissionKind.BRIEFING, declares_one_matter=False)
    s = login(client, w.staff)
    s.post(
        reverse("documents:act", args=[sub.pk, "return_briefing"]),
        {"seen_state": sub.state, "return_briefing-text": "内容与上期重复。"},
    )
    sub = Submission.objects.get(pk=sub.pk)
    assert sub.state == SubmissionState.RETURNED and sub.return_reason == "briefing_not_approved"


def test_doc_17_the_draft_sheet_prints_the_reason_a_document_is_not_wholly_public(world, client, year):
    """第三十六条: a draft to be published in part (or not at all) states the legal reason. The item page shows it;
    the printed 发文稿纸 showed only 部分公开（依申请公开）, so the signed paper sheet lost why."""
    reason = "涉及个人信息，依《政府信息公开条例》第十五条删去相关内容"
    doc = gov_draft(world, year, disclosure="partial", disclosure_manner="on_request", disclosure_reason=reason)
    page = login(client, world.fin_clerk).get(reverse("documents:outgoing_print", args=[doc.pk])).content.decode()
    assert f"（理由：{reason}）" in page
    cell = page.split('data-testid="sheet-disclosure">', 1)[1].split("</td>", 1)[0]
    assert cell == f"部分公开（依申请公开）（理由：{reason}）"


def test_x_2_outgoing_without_the_secrecy_declaration_cites_article_74(world, year):
    doc = gov_draft(world, year, not_classified=False)
    [refusal] = [v for v in issuance.drafting_violations(doc) if v.rule_id == "X-2"]
    assert "不涉及国家秘密" in str(refusal) and str(refusal).endswith("（第七十四条）")
    assert "贯穿全文" not in str(refusal)

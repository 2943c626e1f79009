"""Flow B (发文): DOC-14 signing authority, DOC-15 plan, DOC-16 refusals and briefings, DOC-17, DOC-9, numbering,
the audit trail and the GB/T 9704 layout fields. The district comes from documents_support.build_world:
财政局 is in 李副区长's portfolio, 发改局 in 孙副区长's, 审计局 in nobody's (the head answers for it)."""

import datetime as dt

import pytest
from documents_support import DAY, in_leader_review

from documents.models import (
    DeputyReview,
    Disclosure,
    DisclosureManner,
    OneOffApproval,
    OutgoingDocument,
    OutgoingKind,
    OutgoingReturnReason,
    OutgoingState,
    ReturnReason,
    Submission,
    SubmissionKind,
    SubmissionState,
)
from documents.outgoing import docx as outgoing_docx
from documents.outgoing import services as issuance
from documents.submissions import services
from tests.factories import (
    ActingArrangementFactory,
    DocumentPlanFactory,
    PlanItemFactory,
    outgoing_draft,
)
from tiexi_gov.audit.models import Event
from tiexi_gov.notify.models import Message
from tiexi_gov.org.models import ActingArrangement
from tiexi_gov.workflow.errors import ActionRefused
from tiexi_gov.workflow.errors import AlreadyHandled as AlreadyHandledError
from tiexi_gov.workflow.errors import NotAllowed as ActionNotAllowed
from tiexi_gov.workflow.errors import RuleViolation as DocumentRuleError

pytestmark = pytest.mark.django_db
OS = OutgoingState


def fresh(doc) -> OutgoingDocument:
    return OutgoingDocument.objects.get(pk=doc.pk)


def checked(w, doc, day=DAY, drafter=None):
    """Submit to the office and pass 核稿 (countersigns first)."""
    issuance.submit_outgoing(actor=drafter or w.fin_clerk, document=doc, today=day)
    for unit in fresh(doc).countersign_units.all():
        head = {w.dev.pk: w.dev_head, w.fin.pk: w.fin_head}[unit.pk]
        issuance.countersign_outgoing(actor=head, document=fresh(doc), opinion="同意", today=day)
    issuance.office_check_outgoing(actor=w.staff, document=fresh(doc), opinion="核稿无误", today=day)
    return fresh(doc)


def to_signature(w, doc, day=DAY, drafter=None):
    doc = checked(w, doc, day, drafter)
    for row in doc.deputy_reviews.filter(state=DeputyReview.State.PENDING).select_related("post"):
        reviewer = {w.dep_a_post.pk: w.dep_a, w.dep_b_post.pk: w.dep_b, w.exec_post.pk: w.exec_deputy}[row.post_id]
        if fresh(doc).deputy_reviews.filter(pk=row.pk, state=DeputyReview.State.PENDING).exists():
            issuance.review_outgoing(actor=reviewer, document=fresh(doc), opinion="同意", today=day)
    doc = fresh(doc)
    assert doc.state == OS.AWAITING_SIGNATURE
    return doc


def signed(w, doc, signer=None, day=DAY):
    doc = to_signature(w, doc, day)
    return issuance.sign_outgoing(actor=signer or w.head, document=doc, opinion="同意印发", today=day)


# --- DOC-14 -----------------------------------------------------------------------------------------------


def test_doc_14_government_document_spanning_two_portfolios_needs_both_deputies_before_the_head_signs(world):
    w = world
    doc = outgoing_draft(w.fin_clerk, countersign=[w.dev])
    doc = checked(w, doc)
    assert doc.state == OS.DEPUTY_REVIEW
    assert set(doc.deputy_reviews.values_list("post_id", flat=True)) == {w.dep_a_post.pk, w.dep_b_post.pk}

    with pytest.raises(DocumentRuleError) as exc:
        issuance.sign_outgoing(actor=w.head, document=doc, today=DAY)
    assert exc.value.rule_id == "DOC-14"
    assert "副区长（财政）" in str(exc.value) and "副区长（发改）" in str(exc.value)

    issuance.review_outgoing(actor=w.dep_a, document=fresh(doc), opinion="同意", today=DAY)
    assert fresh(doc).state == OS.DEPUTY_REVIEW
    with pytest.raises(DocumentRuleError) as exc:
        issuance.sign_outgoing(actor=w.head, document=fresh(doc), today=DAY)
    assert "副区长（发改）" in str(exc.value) and "副区长（财政）" not in str(exc.value)

    issuance.review_outgoing(actor=w.dep_b, document=fresh(doc), opinion="同意", today=DAY)
    doc = issuance.sign_outgoing(actor=w.head, document=fresh(doc), opinion="同意印发", today=DAY)
    assert doc.state == OS.SIGNED
    assert doc.number == "铁西政发〔2026〕1号"
    assert doc.signed_by == w.head and doc.signed_post == w.head_post and doc.signed_on == DAY


def test_doc_14_government_document_is_signed_by_the_head_not_a_deputy(world):
    w = world
    doc = to_signature(w, outgoing_draft(w.fin_clerk))
    for wrong in (w.exec_deputy, w.dep_a, w.director):
        with pytest.raises(DocumentRuleError) as exc:
            issuance.sign_outgoing(actor=wrong, document=doc, today=DAY)
        assert exc.value.rule_id == "DOC-14" and "区长签发" in str(exc.value)
    assert fresh(doc).state == OS.AWAITING_SIGNATURE and fresh(doc).number == ""


def test_doc_14_head_portfolio_needs_no_deputy_review(world):
    w = world
    doc = outgoing_draft(w.outsider, title="关于审计整改的通知")  # 审计局: in nobody's portfolio
    doc = checked(w, doc, drafter=w.outsider)
    assert doc.state == OS.AWAITING_SIGNATURE and not doc.deputy_reviews.exists()


def test_doc_14_office_decision_without_gov_approval_phrase_is_refused(world):
    w = world
    doc = outgoing_draft(w.fin_clerk, kind=OutgoingKind.OFFICE_DECISION, body="现将有关事项通知如下。")
    with pytest.raises(DocumentRuleError) as exc:
        issuance.submit_outgoing(actor=w.fin_clerk, document=doc, today=DAY)
    assert exc.value.rule_id == "DOC-14" and "经区政府批准（同意）" in str(exc.value)
    assert fresh(doc).state == OS.DRAFTING

    issuance.update_outgoing(
        actor=w.fin_clerk, document=fresh(doc), body="经区政府同意，现将有关事项通知如下。", today=DAY
    )
    doc = checked(w, fresh(doc))
    assert list(doc.deputy_reviews.values_list("post_id", flat=True)) == [w.dep_a_post.pk]
    issuance.review_outgoing(actor=w.dep_a, document=doc, opinion="同意", today=DAY)
    with pytest.raises(DocumentRuleError, match="第六十二条"):
        issuance.sign_outgoing(actor=w.dep_a, document=fresh(doc), today=DAY)
    with pytest.raises(DocumentRuleError, match="第六十二条"):
        issuance.sign_outgoing(actor=w.director, document=fresh(doc), today=DAY)
    doc = issuance.sign_outgoing(actor=w.exec_deputy, document=fresh(doc), today=DAY)
    assert doc.number == "铁西政办发〔2026〕1号" and doc.signed_post == w.exec_post


def test_doc_14_office_decision_may_be_signed_by_the_head_when_needed(world):
    w = world
    doc = outgoing_draft(w.fin_clerk, kind=OutgoingKind.OFFICE_DECISION, body="经区政府批准，现通知如下。")
    doc = issuance.sign_outgoing(actor=w.head, document=to_signature(w, doc), today=DAY)
    assert doc.state == OS.SIGNED and doc.signed_post == w.head_post


def test_doc_14_office_remit_is_signed_by_the_office_director_only(world):
    w = world
    doc = outgoing_draft(w.staff, kind=OutgoingKind.OFFICE_REMIT, title="关于做好节日值班工作的通知")
    doc = checked(w, doc, drafter=w.staff)
    assert doc.state == OS.AWAITING_SIGNATURE and not doc.deputy_reviews.exists()
    for wrong in (w.head, w.exec_deputy, w.deputy_director):
        with pytest.raises(DocumentRuleError) as exc:
            issuance.sign_outgoing(actor=wrong, document=doc, today=DAY)
        assert exc.value.rule_id == "DOC-14" and "办公室主任" in str(exc.value)
    doc = issuance.sign_outgoing(actor=w.director, document=doc, today=DAY)
    assert doc.signed_post == w.director_post and doc.number == "铁西政办发〔2026〕1号"


def test_doc_14_office_remit_is_drafted_by_the_office(world):
    w = world
    with pytest.raises(DocumentRuleError, match="第六十二条"):
        outgoing_draft(w.fin_clerk, kind=OutgoingKind.OFFICE_REMIT)


@pytest.mark.parametrize("kind", [OutgoingKind.UPWARD, OutgoingKind.CONGRESS])
def test_doc_14_upward_requests_and_congress_matters_are_signed_by_the_head(world, kind):
    w = world
    doc = outgoing_draft(w.fin_clerk, kind=kind, title="关于申请专项债券额度的请示", main_recipients="四平市人民政府")
    doc = checked(w, doc)
    assert doc.state == OS.AWAITING_SIGNATURE
    for wrong in (w.exec_deputy, w.dep_a, w.director):
        with pytest.raises(DocumentRuleError, match="第六十二条"):
            issuance.sign_outgoing(actor=wrong, document=doc, today=DAY)
    doc = issuance.sign_outgoing(actor=w.head, document=doc, today=DAY)
    layout = outgoing_docx.issued_layout(doc)
    assert layout["signer"] == "王区长"  # 签发人 is printed on upward documents (GB/T 9704)


def test_doc_14_signing_before_the_office_check_is_refused(world):
    w = world
    doc = outgoing_draft(w.fin_clerk)
    issuance.submit_outgoing(actor=w.fin_clerk, document=doc, today=DAY)
    with pytest.raises(DocumentRuleError) as exc:
        issuance.sign_outgoing(actor=w.head, document=fresh(doc), today=DAY)
    assert exc.value.rule_id == "DOC-14"
    assert fresh(doc).state == OS.OFFICE_CHECK


def test_doc_14_org_3_executive_deputy_entrusted_to_preside_signs_for_the_absent_head(world):
    w = world
    doc = to_signature(w, outgoing_draft(w.fin_clerk))
    ActingArrangementFactory(
        absent_post=w.head_post,
        acting_post=w.exec_post,
        kind=ActingArrangement.Kind.ENTRUSTED,
        start=DAY,
        end=DAY + dt.timedelta(days=3),
    )
    doc = issuance.sign_outgoing(actor=w.exec_deputy, document=doc, today=DAY)
    assert doc.signed_post == w.head_post and doc.signed_capacity == "受区长委托主持工作"
    event = Event.objects.get(action="outgoing_sign", subject_id=str(doc.pk))
    assert event.capacity == "受区长委托主持工作" and event.acting_for == w.head


def test_doc_14_org_3_a_designated_deputy_cannot_sign_for_the_head(world):
    w = world
    doc = to_signature(w, outgoing_draft(w.fin_clerk))
    ActingArrangementFactory(
        absent_post=w.head_post, acting_post=w.dep_a_post, kind=ActingArrangement.Kind.DESIGNATED, start=DAY
    )
    with pytest.raises(DocumentRuleError) as exc:
        issuance.sign_outgoing(actor=w.dep_a, document=doc, today=DAY)
    assert "受区长委托主持工作" in str(exc.value) and exc.value.rule_id == "DOC-14"


def test_doc_14_acting_deputy_reviews_for_the_absent_deputy(world):
    w = world
    ActingArrangementFactory(absent_post=w.dep_b_post, acting_post=w.dep_a_post, start=DAY, end=DAY)
    doc = checked(w, outgoing_draft(w.fin_clerk, countersign=[w.dev]))
    rows = issuance.review_outgoing(actor=w.dep_a, document=doc, opinion="同意", today=DAY)
    assert {r.capacity for r in rows} == {"本职", "代副区长（发改）"}
    assert fresh(doc).state == OS.AWAITING_SIGNATURE
    acting = Event.objects.get(action="deputy_review", subject_id=str(doc.pk), capacity="代副区长（发改）")
    assert acting.acting_for == w.dep_b
    with pytest.raises(AlreadyHandledError):
        issuance.review_outgoing(actor=w.dep_a, document=doc, opinion="同意", today=DAY)


def test_doc_14_an_unconcerned_leader_cannot_review(world):
    w = world
    doc = checked(w, outgoing_draft(w.fin_clerk))
    with pytest.raises(ActionNotAllowed):
        issuance.review_outgoing(actor=w.dep_b, document=doc, opinion="同意", today=DAY)


# --- DOC-15 -----------------------------------------------------------------------------------------------


def test_doc_15_document_outside_the_plan_is_refused_until_the_office_approves_it_as_one_matter(world):
    """Refused when the clerk sends it to 核稿 (while the clerk can still ask for the one-off approval), not at 核稿;
    sent with the request pending, the office decides the request before 核稿 passes."""
    w = world
    doc = outgoing_draft(w.fin_clerk, plan_item=None, title="关于开展临时检查的通知")
    with pytest.raises(DocumentRuleError) as exc:
        issuance.submit_outgoing(actor=w.fin_clerk, document=doc, today=DAY)
    assert exc.value.rule_id == "DOC-15" and "未列入2026年度发文计划" in str(exc.value)
    assert fresh(doc).state == OS.DRAFTING

    approval = issuance.request_one_off_approval(
        actor=w.fin_clerk, document=fresh(doc), matter="开展临时检查", reason="上级临时部署", today=DAY
    )
    with pytest.raises(DocumentRuleError, match="一事一报"):
        issuance.request_one_off_approval(
            actor=w.fin_clerk, document=fresh(doc), matter="另一事项", reason="顺带", today=DAY
        )
    issuance.submit_outgoing(actor=w.fin_clerk, document=fresh(doc), today=DAY)
    with pytest.raises(DocumentRuleError, match="正待区政府办公室审核"):
        issuance.office_check_outgoing(actor=w.staff, document=fresh(doc), opinion="核稿", today=DAY)
    with pytest.raises(ActionNotAllowed):
        issuance.decide_one_off_approval(actor=w.fin_head, approval=approval, approve=True, opinion="同意", today=DAY)
    issuance.decide_one_off_approval(actor=w.staff, approval=approval, approve=True, opinion="确需发文", today=DAY)
    issuance.office_check_outgoing(actor=w.staff, document=fresh(doc), opinion="核稿", today=DAY)
    assert fresh(doc).state == OS.DEPUTY_REVIEW
    assert OneOffApproval.objects.get(pk=approval.pk).state == OneOffApproval.State.APPROVED


def test_doc_15_a_plan_of_another_year_or_issuer_does_not_count(world):
    w = world
    item_2025 = PlanItemFactory(plan=DocumentPlanFactory(issuer="government", year=2025, created_by=w.staff))
    office_item = PlanItemFactory(plan=DocumentPlanFactory(issuer="office", year=2026, created_by=w.staff))
    for item in (item_2025, office_item):
        doc = outgoing_draft(w.fin_clerk, plan_item=item, title=f"计划外测试{item.pk}")
        with pytest.raises(DocumentRuleError, match="第六十三条"):
            issuance.submit_outgoing(actor=w.fin_clerk, document=doc, today=DAY)
        assert fresh(doc).state == OS.DRAFTING


def test_doc_15_a_plan_item_answers_one_document_not_any_number(world):
    """第六十三条: 未列入发文计划的，一般不予发文；确需发文的，按照一事一报原则. Found from outside: a plan item already
    issued as 〔2026〕1号 let an unrelated second document through as planned. A plan item another live document
    answers covers no other: the second goes the one-off way; a withdrawn document frees its item."""
    w = world
    first = outgoing_draft(w.fin_clerk, title="关于规范政务值班的通知")
    item = first.plan_item
    second = outgoing_draft(w.fin_clerk, plan_item=item, title="关于开展机关节能检查的通知")
    with pytest.raises(DocumentRuleError) as exc:
        issuance.submit_outgoing(actor=w.fin_clerk, document=second, today=DAY)
    assert exc.value.rule_id == "DOC-15" and f"已由《{first.title}》使用" in str(exc.value)
    assert fresh(second).state == OS.DRAFTING
    issuance.submit_outgoing(actor=w.fin_clerk, document=first, today=DAY)  # the holder itself goes on
    assert fresh(first).state == OS.OFFICE_CHECK
    OutgoingDocument.objects.filter(pk=first.pk).update(state=OS.WITHDRAWN)  # as withdraw_outgoing leaves it
    issuance.submit_outgoing(actor=w.fin_clerk, document=fresh(second), today=DAY)
    assert fresh(second).state == OS.OFFICE_CHECK


def approved_request(w) -> Submission:
    sub = in_leader_review(w, title="关于调整收费标准的请示")
    services.leader_decide(actor=w.dep_a, submission=sub, decision="approve", opinion="同意", today=DAY)
    return Submission.objects.get(pk=sub.pk)


def test_doc_15_department_issues_an_approved_matter_itself_stating_yijing_quzhengfu_tongyi(world):
    w = world
    doc = outgoing_draft(
        w.fin_clerk,
        kind=OutgoingKind.DEPARTMENT_APPROVED,
        title="关于调整收费标准的通知",
        body="现将调整收费标准有关事项通知如下。",
    )
    with pytest.raises(DocumentRuleError) as exc:
        issuance.submit_outgoing(actor=w.fin_clerk, document=doc, today=DAY)
    assert "已经区政府同意" in str(exc.value) and "DOC-15" in exc.value.rule_ids
    issuance.update_outgoing(
        actor=w.fin_clerk,
        document=fresh(doc),
        body="调整收费标准已经区政府同意，现通知如下。",
        approved_submission=approved_request(w),
        series_prefix="铁西财发",
        today=DAY,
    )
    doc = issuance.submit_outgoing(actor=w.fin_clerk, document=fresh(doc), today=DAY)
    assert doc.state == OS.AWAITING_SIGNATURE and doc.submitted_at is None  # not through the office
    with pytest.raises(DocumentRuleError, match="第六十二条"):
        issuance.sign_outgoing(actor=w.fin_plain_deputy, document=doc, today=DAY)
    with pytest.raises(DocumentRuleError, match="第六十二条"):
        issuance.sign_outgoing(actor=w.head, document=doc, today=DAY)
    doc = issuance.sign_outgoing(actor=w.fin_signing_deputy, document=doc, today=DAY)
    assert doc.number == "铁西财发〔2026〕1号"
    doc = issuance.issue_outgoing(actor=w.fin_clerk, document=doc, today=DAY)
    assert doc.state == OS.ISSUED and doc.printing_office == "铁西区财政局"


def test_doc_15_department_document_needs_the_governments_agreement(world):
    w = world
    pending = in_leader_review(w, title="尚未批准的请示")
    doc = outgoing_draft(
        w.fin_clerk,
        kind=OutgoingKind.DEPARTMENT_APPROVED,
        body="此事已经区政府同意。",
        approved_submission=pending,
        series_prefix="铁西财发",
    )
    with pytest.raises(DocumentRuleError, match="区政府已同意的请示"):
        issuance.submit_outgoing(actor=w.fin_clerk, document=doc, today=DAY)


def test_doc_16_department_directive_to_townships_needs_government_approval(world):
    w = world
    doc = outgoing_draft(
        w.fin_clerk,
        kind=OutgoingKind.DEPARTMENT_APPROVED,
        body="已经区政府同意。请各乡、街道于月底前报送统计表。",
        directive_to_townships=True,
        series_prefix="铁西财发",
    )
    with pytest.raises(DocumentRuleError) as exc:
        issuance.submit_outgoing(actor=w.fin_clerk, document=doc, today=DAY)
    assert "DOC-16" in exc.value.rule_ids and "不得向乡、街发布指令性公文" in str(exc.value)
    assert "不得要求乡、街报文" in str(exc.value)  # the flag covers asking them for reports too (第六十三条)
    flag = OutgoingDocument._meta.get_field("directive_to_townships")
    assert "商洽工作、询问和答复问题、审批事项除外" in flag.help_text
    issuance.update_outgoing(actor=w.fin_clerk, document=fresh(doc), approved_submission=approved_request(w), today=DAY)
    assert issuance.submit_outgoing(actor=w.fin_clerk, document=fresh(doc), today=DAY).state == OS.AWAITING_SIGNATURE


# --- DOC-16 -----------------------------------------------------------------------------------------------


def test_doc_16_refusal_reasons_are_offered_to_the_office(world):
    labels = set(OutgoingReturnReason.labels)
    for expected in (
        "法律、行政法规已做出明确规定，不再制发文件",
        "现行文件规定仍适用，不再重复发文",
        "没有新内容、新举措",
        "照搬照抄上级文件",
        "已公开发布的上级文件，不再翻印、转发",
        "上级文件没有明确要求，不制定配套文件",
        "未经区政府批准向乡、街发布指令性公文",
        "未经区政府批准要求乡、街报文",  # 第六十三条: 不得要求乡、街报文
    ):
        assert expected in labels
    from documents.outgoing.forms import OutgoingReturnForm

    offered = dict(OutgoingReturnForm().fields["reason"].choices)
    assert offered[OutgoingReturnReason.REPORTS_FROM_TOWNSHIPS] == "未经区政府批准要求乡、街报文（第六十三条）"


def test_doc_16_office_returns_a_draft_with_the_reason_and_the_unit_sees_it(world):
    w = world
    doc = outgoing_draft(w.fin_clerk)
    issuance.submit_outgoing(actor=w.fin_clerk, document=doc, today=DAY)
    with pytest.raises(ActionNotAllowed):
        issuance.return_outgoing(
            actor=w.outsider, document=fresh(doc), reason=OutgoingReturnReason.NOTHING_NEW, text="x", today=DAY
        )
    doc = issuance.return_outgoing(
        actor=w.staff,
        document=fresh(doc),
        reason=OutgoingReturnReason.COPIES_HIGHER,
        text="与市政府文件内容相同",
        today=DAY,
    )
    assert doc.state == OS.RETURNED and doc.return_reason == OutgoingReturnReason.COPIES_HIGHER
    event = Event.objects.get(action="outgoing_return", subject_id=str(doc.pk))
    assert event.rule_id == "DOC-16" and "照搬照抄上级文件" in event.opinion
    msg = Message.objects.filter(recipient=w.fin_clerk, subject__contains="发文稿被退回").get()
    assert "照搬照抄上级文件" in msg.body and "与市政府文件内容相同" in msg.body
    doc = issuance.revise_outgoing(actor=w.fin_clerk, document=doc, today=DAY)
    assert doc.state == OS.DRAFTING


def test_doc_16_return_needs_a_reason_and_text(world):
    w = world
    doc = outgoing_draft(w.fin_clerk)
    issuance.submit_outgoing(actor=w.fin_clerk, document=doc, today=DAY)
    with pytest.raises(ActionRefused):
        issuance.return_outgoing(actor=w.staff, document=fresh(doc), reason="bogus", text="x", today=DAY)
    with pytest.raises(ActionRefused):
        issuance.return_outgoing(
            actor=w.staff, document=fresh(doc), reason=OutgoingReturnReason.NOTHING_NEW, text=" ", today=DAY
        )


def briefing(w, title="财政运行简报"):
    from documents_support import submitted

    return submitted(w, title=title, kind=SubmissionKind.BRIEFING, declares_one_matter=False)


def test_doc_16_briefing_needs_the_offices_approval(world):
    w = world
    sub = briefing(w)
    assert [v.rule_id for v in services.briefing_violations(sub)] == ["DOC-16"]
    with pytest.raises(ActionNotAllowed):
        services.approve_briefing(actor=w.fin_clerk, submission=sub, today=DAY)
    services.approve_briefing(actor=w.staff, submission=sub, opinion="同意报送", today=DAY)
    assert services.briefing_violations(sub) == []
    with pytest.raises(AlreadyHandledError):
        services.approve_briefing(actor=w.staff2, submission=sub, today=DAY)
    assert Event.objects.filter(action="briefing_approve", rule_id="DOC-16", subject_id=str(sub.pk)).exists()


def test_doc_16_office_review_of_a_briefing_waits_for_the_offices_approval(world):
    from documents_support import registered

    w = world
    sub = registered(w, title="经济运行简报", kind=SubmissionKind.BRIEFING, declares_one_matter=False)
    with pytest.raises(DocumentRuleError) as exc:
        services.office_review_opinion(actor=w.deputy_director, submission=sub, opinion="拟呈阅。", today=DAY)
    assert exc.value.rule_id == "DOC-16"
    services.approve_briefing(actor=w.staff, submission=sub, opinion="同意报送", today=DAY)
    services.office_review_opinion(actor=w.deputy_director, submission=sub, opinion="拟呈阅。", today=DAY)
    sub.refresh_from_db()
    assert sub.state == SubmissionState.OFFICE_REVIEW


def test_doc_16_unapproved_briefing_is_returned_with_that_reason(world):
    w = world
    sub = briefing(w, title="不予核准的简报")
    sub = services.return_unapproved_briefing(actor=w.staff, submission=sub, text="内容与上期重复", today=DAY)
    assert sub.state == SubmissionState.RETURNED and sub.return_reason == ReturnReason.BRIEFING_NOT_APPROVED
    request = in_leader_review(w, title="普通请示")
    assert services.briefing_violations(request) == []


# --- DOC-17 -----------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "fields, message",
    [
        ({"disclosure": ""}, "请明确公开属性"),
        ({"disclosure": Disclosure.PARTIAL, "disclosure_reason": ""}, "须依法依规说明理由"),
        ({"disclosure": Disclosure.NONE, "disclosure_manner": "", "disclosure_reason": ""}, "须依法依规说明理由"),
        ({"disclosure_manner": ""}, "请明确公开方式"),
        ({"confidential": True}, "限定知悉范围的发文不得公开"),
    ],
)
def test_doc_17_every_draft_states_its_disclosure_attribute(world, fields, message):
    w = world
    doc = outgoing_draft(w.fin_clerk, **fields)
    with pytest.raises(DocumentRuleError) as exc:
        issuance.submit_outgoing(actor=w.fin_clerk, document=doc, today=DAY)
    assert exc.value.rule_id == "DOC-17" and message in str(exc.value)


def test_doc_17_not_public_with_its_legal_reason_passes(world):
    w = world
    doc = outgoing_draft(
        w.fin_clerk,
        disclosure=Disclosure.NONE,
        disclosure_manner="",
        disclosure_reason="涉及内部管理信息（《政府信息公开条例》第十六条）",
    )
    assert issuance.submit_outgoing(actor=w.fin_clerk, document=doc, today=DAY).state == OS.OFFICE_CHECK


# --- DOC-9 ------------------------------------------------------------------------------------------------


def test_doc_9_joint_party_draft_needs_the_party_office_opinion_before_the_government(world):
    w = world
    doc = outgoing_draft(
        w.fin_clerk, kind=OutgoingKind.JOINT_PARTY, title="关于加强基层财力保障的意见", mainly_government_duties=True
    )
    with pytest.raises(DocumentRuleError) as exc:
        issuance.submit_outgoing(actor=w.fin_clerk, document=doc, today=DAY)
    assert exc.value.rule_id == "DOC-9" and "区委办公室意见" in str(exc.value)
    issuance.record_party_office_opinion(
        actor=w.fin_clerk, document=fresh(doc), opinion="同意以区委、区政府名义联合印发", on_date=DAY, today=DAY
    )
    assert issuance.submit_outgoing(actor=w.fin_clerk, document=fresh(doc), today=DAY).state == OS.OFFICE_CHECK


def test_doc_9_party_office_opinion_is_dated_no_later_than_today_and_recorded_once(world):
    """The 区委办公室's opinion dated 2099 was taken (a date no opinion was yet given on), and the same opinion posted
    again (a second tab, a double click) recorded a second 征求区委办公室意见 event: now the first is refused with
    the article, the second changes nothing."""
    w = world
    doc = outgoing_draft(
        w.fin_clerk, kind=OutgoingKind.JOINT_PARTY, title="关于加强基层财力保障的意见", mainly_government_duties=True
    )
    with pytest.raises(DocumentRuleError, match="不能晚于今天"):
        issuance.record_party_office_opinion(
            actor=w.fin_clerk, document=fresh(doc), opinion="同意", on_date=dt.date(2099, 1, 1), today=DAY
        )
    assert fresh(doc).party_office_opinion_on is None
    for _ in range(2):
        issuance.record_party_office_opinion(
            actor=w.fin_clerk, document=fresh(doc), opinion="同意联合印发", on_date=DAY, today=DAY
        )
    assert Event.objects.filter(action="party_office_opinion", subject_id=str(doc.pk)).count() == 1
    issuance.record_party_office_opinion(
        actor=w.fin_clerk, document=fresh(doc), opinion="同意联合印发，请修改第三条", on_date=DAY, today=DAY
    )
    assert Event.objects.filter(action="party_office_opinion", subject_id=str(doc.pk)).count() == 2


def test_doc_9_party_meeting_draft_goes_to_the_party_committee_only_after_the_governments_review(world):
    w = world
    doc = outgoing_draft(
        w.fin_clerk,
        kind=OutgoingKind.PARTY_MEETING,
        title="关于财政体制改革的方案（送审稿）",
        mainly_government_duties=True,
    )
    doc = checked(w, doc)
    with pytest.raises(DocumentRuleError) as exc:
        issuance.send_to_party_committee(actor=w.fin_clerk, document=doc, today=DAY)
    assert exc.value.rule_id == "DOC-9"
    issuance.review_outgoing(actor=w.dep_a, document=doc, opinion="同意", today=DAY)
    doc = issuance.sign_outgoing(actor=w.head, document=fresh(doc), opinion="同意提请区委审议", today=DAY)
    assert doc.number == ""  # the 区委 numbers its own documents
    with pytest.raises(DocumentRuleError, match="第六十条"):
        issuance.issue_outgoing(actor=w.staff, document=doc, today=DAY)
    doc = issuance.send_to_party_committee(actor=w.fin_clerk, document=doc, today=DAY)
    assert doc.state == OS.SENT_TO_PARTY and doc.sent_to_party_on == DAY


def test_doc_9_only_government_duty_drafts_take_this_path(world):
    w = world
    doc = outgoing_draft(w.fin_clerk, kind=OutgoingKind.PARTY_MEETING, mainly_government_duties=False)
    with pytest.raises(DocumentRuleError, match="第六十条"):
        issuance.submit_outgoing(actor=w.fin_clerk, document=doc, today=DAY)


# --- numbering, issue, audit, layout ----------------------------------------------------------------------


def test_numbering_is_continuous_per_series_and_year_and_never_reused(world):
    w = world
    first = signed(w, outgoing_draft(w.fin_clerk, title="一号文"))
    second = signed(w, outgoing_draft(w.fin_clerk, title="二号文"))
    office = signed(
        w,
        outgoing_draft(
            w.fin_clerk, kind=OutgoingKind.OFFICE_DECISION, title="办发一号", body="经区政府同意，通知如下。"
        ),
        signer=w.exec_deputy,
    )
    assert [first.number, second.number, office.number] == [
        "铁西政发〔2026〕1号",
        "铁西政发〔2026〕2号",
        "铁西政办发〔2026〕1号",
    ]
    issuance.withdraw_outgoing(actor=w.staff, document=second, reason="内容需调整", today=DAY)
    third = signed(w, outgoing_draft(w.fin_clerk, title="三号文"))
    assert third.number == "铁西政发〔2026〕3号"  # 2 stays used by the withdrawn document

    next_year = dt.date(2027, 1, 6)
    fourth = signed(w, outgoing_draft(w.fin_clerk, title="次年一号文", plan_year=2027), day=next_year)
    assert fourth.number == "铁西政发〔2027〕1号"


def test_x_1_every_flow_b_transition_writes_an_audit_event(world):
    w = world
    doc = outgoing_draft(w.fin_clerk, countersign=[w.dev])
    doc = signed(w, doc)
    doc = issuance.issue_outgoing(actor=w.staff, document=doc, today=DAY)
    events = list(Event.objects.filter(subject_id=str(doc.pk), subject_type__model="outgoingdocument").order_by("id"))
    actions = [e.action for e in events]
    assert actions == [
        "outgoing_create",
        "outgoing_submit",
        "outgoing_countersign",
        "office_check",
        "deputy_review",
        "deputy_review",
        "reviews_complete",
        "outgoing_sign",
        "outgoing_issue",
    ]
    transitions = [(e.from_state, e.to_state) for e in events if e.from_state]
    assert transitions == [
        ("drafting", "office_check"),
        ("office_check", "deputy_review"),
        ("deputy_review", "awaiting_signature"),
        ("awaiting_signature", "signed"),
        ("signed", "issued"),
    ]
    sign = events[actions.index("outgoing_sign")]
    assert sign.actor == w.head and sign.capacity == "区长" and sign.rule_id == "DOC-14"
    assert "铁西政发〔2026〕1号" in sign.opinion
    assert {e.capacity for e in events if e.action == "deputy_review"} == {"本职"}


def test_issued_layout_has_the_gbt_9704_elements(world):
    w = world
    doc = outgoing_draft(w.fin_clerk, countersign=[w.dev])
    doc = issuance.issue_outgoing(actor=w.staff, document=signed(w, doc), today=DAY)
    layout = outgoing_docx.issued_layout(doc)
    assert layout["masthead"] == "铁西区人民政府文件"
    assert layout["doc_number"] == "铁西政发〔2026〕1号"
    assert layout["signer"] is None  # only upward documents print 签发人
    assert layout["issuer_signature"] == "铁西区人民政府"
    assert layout["date"] == DAY and layout["print_date"] == DAY
    assert layout["note"] == "（此件公开发布）"
    assert layout["printer"] == "铁西区人民政府办公室"
    assert layout["main_recipients"] and layout["cc"] and layout["body"] == (doc.body,)
    data = outgoing_docx.issued_docx(doc)
    assert data[:2] == b"PK" and len(data) > 5000

    office = outgoing_draft(w.staff, kind=OutgoingKind.OFFICE_REMIT, title="办公室通知", disclosure=Disclosure.FULL)
    office = checked(w, office, drafter=w.staff)
    office = issuance.sign_outgoing(actor=w.director, document=office, today=DAY)
    assert outgoing_docx.issued_layout(office)["masthead"] == "铁西区人民政府办公室文件"


def test_issue_is_done_by_the_office_once_signed(world):
    w = world
    doc = signed(w, outgoing_draft(w.fin_clerk, disclosure_manner=DisclosureManner.ON_REQUEST))
    with pytest.raises(ActionNotAllowed):
        issuance.issue_outgoing(actor=w.fin_clerk, document=doc, today=DAY)
    doc = issuance.issue_outgoing(actor=w.staff, document=doc, today=DAY)
    assert doc.state == OS.ISSUED and doc.issued_on == DAY


def test_doc_15_the_drafting_form_offers_only_plan_items_no_live_document_answers(world):
    from documents.outgoing.forms import OutgoingForm

    w = world
    first = outgoing_draft(w.fin_clerk, title="关于规范政务值班的通知")
    free = PlanItemFactory(plan=first.plan_item.plan, title="关于做好冬季供暖的通知")
    offered = set(OutgoingForm(unit=w.fin_clerk.unit, year=2026).fields["plan_item"].queryset)
    assert free in offered and first.plan_item not in offered
    editing = set(OutgoingForm(instance=first, unit=w.fin_clerk.unit, year=2026).fields["plan_item"].queryset)
    assert first.plan_item in editing  # its own item: saving the draft unchanged is not refused

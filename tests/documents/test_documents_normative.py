"""Normative documents (规范性文件): DOC-8 checklist and 司法局's legality review (第二十四条~第二十六条, 第六十条),
filing (备案) after issue, and DOC-18 interpretation published with the document (第三十八条)."""

import datetime as dt

import pytest
from documents_support import DAY

from documents.models import (
    LegalityReview,
    NormativeChecklistItem,
    NormativeStep,
    OutgoingDocument,
    OutgoingReturnReason,
    OutgoingState,
    PolicyInterpretation,
    PublicRegisterEntry,
)
from documents.outgoing import permissions as issuance_permissions
from documents.outgoing import services as issuance
from documents.shared.normative import required_normative_steps
from tests.factories import justice_bureau, outgoing_draft
from tiexi_gov.deadlines.models import Deadline
from tiexi_gov.workflow.errors import ActionRefused as DocumentError
from tiexi_gov.workflow.errors import AlreadyHandled as AlreadyHandledError
from tiexi_gov.workflow.errors import NotAllowed as ActionNotAllowed
from tiexi_gov.workflow.errors import RuleViolation as DocumentRuleError

pytestmark = pytest.mark.django_db
OS = OutgoingState


@pytest.fixture
def justice(world):
    _unit, head = justice_bureau()
    return head


def fresh(doc) -> OutgoingDocument:
    return OutgoingDocument.objects.get(pk=doc.pk)


def normative(w, **overrides):
    return outgoing_draft(
        w.fin_clerk, title="铁西区财政专项资金管理办法", normative=True, countersign=[w.dev], **overrides
    )


def complete_checklist(w, doc, skip=()):
    for step in required_normative_steps(fresh(doc)):
        if step in skip:
            issuance.record_checklist_step(
                actor=w.fin_clerk, document=doc, step=step, done=False, reason="依法不需履行", today=DAY
            )
        else:
            issuance.record_checklist_step(
                actor=w.fin_clerk, document=doc, step=step, done=True, evidence=f"{step}已完成，材料附后", today=DAY
            )


def to_legality_review(w, doc):
    complete_checklist(w, doc)
    issuance.submit_outgoing(actor=w.fin_clerk, document=fresh(doc), today=DAY)
    if fresh(doc).countersign_units.exists():
        issuance.countersign_outgoing(actor=w.dev_head, document=fresh(doc), opinion="同意", today=DAY)
    issuance.office_check_outgoing(actor=w.staff, document=fresh(doc), opinion="核稿", today=DAY)
    doc = fresh(doc)
    assert doc.state == OS.LEGALITY_REVIEW
    return doc


def passed_review(justice, doc, **overrides):
    kwargs = {"within_authority": True, "procedure_complete": True, "opinion": "经审查，符合法定权限和程序。"}
    kwargs.update(overrides)
    return issuance.record_legality_review(actor=justice, document=doc, passed=True, today=DAY, **kwargs)


# --- DOC-8 the checklist ---------------------------------------------------------------------------------------


def test_doc_8_a_case_by_case_policy_measure_needs_the_fair_competition_review(world):
    """第六十条: 涉及市场主体经济活动的规范性文件以及"一事一议"形式的具体政策措施，须进行公平竞争审查 — a 发文 that
    is a "一事一议" specific policy measure owes the review though it is not a normative document, and only that."""
    w = world
    doc = outgoing_draft(w.fin_clerk, title="关于支持某企业技改项目的具体措施", case_by_case_policy=True)
    assert not doc.normative
    assert required_normative_steps(doc) == [NormativeStep.FAIR_COMPETITION]
    assert "checklist" in issuance_permissions.outgoing_allowed_actions(w.fin_clerk, doc)
    with pytest.raises(DocumentRuleError) as exc:
        issuance.submit_outgoing(actor=w.fin_clerk, document=doc, today=DAY)
    assert exc.value.rule_id == "DOC-8"
    assert "“一事一议”形式的具体政策措施须履行公平竞争审查程序" in str(exc.value) and "集体讨论" not in str(exc.value)
    complete_checklist(w, doc)
    assert issuance.submit_outgoing(actor=w.fin_clerk, document=fresh(doc), today=DAY).state == OS.OFFICE_CHECK


def test_doc_8_an_ordinary_document_still_records_no_checklist(world):
    w = world
    doc = outgoing_draft(w.fin_clerk, title="关于召开春季安全生产会议的通知")
    assert required_normative_steps(doc) == []
    assert "checklist" not in issuance_permissions.outgoing_allowed_actions(w.fin_clerk, doc)
    with pytest.raises(DocumentError):
        issuance.record_checklist_step(
            actor=w.fin_clerk, document=doc, step=NormativeStep.FAIR_COMPETITION, done=True, evidence="x", today=DAY
        )


def test_doc_8_incomplete_checklist_is_refused_at_submission(world):
    w = world
    doc = normative(w, touches_market=True)
    with pytest.raises(DocumentRuleError) as exc:
        issuance.submit_outgoing(actor=w.fin_clerk, document=doc, today=DAY)
    assert exc.value.rule_id == "DOC-8"
    for label in (
        "公众参与",
        "专家论证",
        "风险评估",
        "合法性审查",
        "集体讨论",
        "公平竞争审查",
        "政策解读材料",
        "舆情应对方案",
    ):
        assert label in str(exc.value)
    complete_checklist(w, doc)
    assert issuance.submit_outgoing(actor=w.fin_clerk, document=fresh(doc), today=DAY).state == OS.OFFICE_CHECK


def test_doc_8_fair_competition_and_publication_steps_only_when_they_apply(world):
    w = world
    doc = normative(w, disclosure="none", disclosure_manner="", disclosure_reason="内部管理事项")
    assert required_normative_steps(doc) == [
        NormativeStep.PUBLIC_PARTICIPATION,
        NormativeStep.EXPERT_ARGUMENTATION,
        NormativeStep.RISK_ASSESSMENT,
        NormativeStep.LEGALITY_REVIEW,
        NormativeStep.COLLECTIVE_DISCUSSION,
    ]


def test_doc_8_a_skipped_step_needs_its_stated_reason(world):
    w = world
    doc = normative(w)
    with pytest.raises(DocumentRuleError) as exc:
        issuance.record_checklist_step(
            actor=w.fin_clerk, document=doc, step=NormativeStep.EXPERT_ARGUMENTATION, done=False, today=DAY
        )
    assert exc.value.rule_id == "DOC-8" and "具体理由" in str(exc.value)
    with pytest.raises(DocumentRuleError, match="履行情况"):
        issuance.record_checklist_step(
            actor=w.fin_clerk, document=doc, step=NormativeStep.RISK_ASSESSMENT, done=True, today=DAY
        )
    item = issuance.record_checklist_step(
        actor=w.fin_clerk,
        document=doc,
        step=NormativeStep.EXPERT_ARGUMENTATION,
        done=False,
        reason="不涉及专业技术问题",
        today=DAY,
    )
    assert item.status == NormativeChecklistItem.Status.SKIPPED and item.skip_reason == "不涉及专业技术问题"
    # recording it again replaces the row (one row per step)
    issuance.record_checklist_step(
        actor=w.fin_clerk,
        document=doc,
        step=NormativeStep.EXPERT_ARGUMENTATION,
        done=True,
        evidence="2026年8月召开专家论证会",
        today=DAY,
    )
    assert doc.checklist.get(step=NormativeStep.EXPERT_ARGUMENTATION).status == NormativeChecklistItem.Status.DONE


def test_doc_8_an_outgoing_checklist_step_posted_again_as_it_stands_records_nothing(world):
    """The 发文's DOC-8 step posted twice wrote two identical "规范性文件程序" lines: the second now records nothing."""
    from tiexi_gov.audit.models import Event

    w = world
    doc = normative(w)
    kwargs = {"actor": w.fin_clerk, "document": doc, "step": NormativeStep.RISK_ASSESSMENT, "today": DAY}
    issuance.record_checklist_step(done=True, evidence="已开展风险评估", **kwargs)
    issuance.record_checklist_step(done=True, evidence="已开展风险评估", **kwargs)
    steps = Event.objects.for_object(doc).filter(action="normative_step")
    assert steps.count() == 1
    issuance.record_checklist_step(done=True, evidence="已开展风险评估，报告附后", **kwargs)
    assert steps.count() == 2


def test_doc_8_checklist_is_kept_by_the_drafting_unit_only(world):
    w = world
    doc = normative(w)
    with pytest.raises(ActionNotAllowed):
        issuance.record_checklist_step(
            actor=w.dev_clerk, document=doc, step=NormativeStep.RISK_ASSESSMENT, done=True, evidence="x", today=DAY
        )
    plain = outgoing_draft(w.fin_clerk, title="非规范性文件")
    with pytest.raises(DocumentError):
        issuance.record_checklist_step(
            actor=w.fin_clerk, document=plain, step=NormativeStep.RISK_ASSESSMENT, done=True, evidence="x", today=DAY
        )


def test_doc_8_public_participation_cannot_be_skipped_when_closely_tied_to_the_public(world):
    w = world
    doc = normative(w, affects_public=True)
    complete_checklist(w, doc, skip=[NormativeStep.PUBLIC_PARTICIPATION])
    with pytest.raises(DocumentRuleError, match="公开征求意见"):
        issuance.submit_outgoing(actor=w.fin_clerk, document=fresh(doc), today=DAY)


# --- DOC-8 司法局's legality review -------------------------------------------------------------------------------


def test_doc_8_normative_document_goes_to_the_justice_bureau_after_the_office_check(world, justice):
    w = world
    doc = to_legality_review(w, normative(w))
    with pytest.raises(ActionNotAllowed):
        passed_review(w.staff, doc)
    passed_review(justice, doc)
    doc = fresh(doc)
    assert doc.state == OS.DEPUTY_REVIEW
    review = LegalityReview.objects.get(document=doc)
    assert review.conclusion == LegalityReview.Conclusion.PASSED and review.reviewer == justice


@pytest.mark.parametrize(
    "flag, label",
    [("creates_licensing", "行政许可"), ("creates_penalty", "行政处罚"), ("creates_coercion", "行政强制")],
)
def test_doc_8_legality_review_refuses_licensing_penalty_or_coercion(world, justice, flag, label):
    w = world
    doc = to_legality_review(w, normative(w))
    with pytest.raises(DocumentRuleError) as exc:
        passed_review(justice, doc, **{flag: True})
    assert exc.value.rule_id == "DOC-8" and label in str(exc.value)
    assert fresh(doc).state == OS.LEGALITY_REVIEW and not LegalityReview.objects.exists()

    review = issuance.record_legality_review(
        actor=justice, document=doc, passed=False, opinion="第五条设定了罚款", today=DAY, **{flag: True}
    )
    doc = fresh(doc)
    assert review.conclusion == LegalityReview.Conclusion.NOT_PASSED
    assert doc.state == OS.RETURNED and doc.return_reason == OutgoingReturnReason.LEGALITY
    assert label in doc.return_text


def test_doc_8_legality_review_needs_authority_and_complete_procedure(world, justice):
    w = world
    doc = to_legality_review(w, normative(w))
    with pytest.raises(DocumentRuleError, match="法定权限"):
        passed_review(justice, doc, within_authority=False)
    with pytest.raises(DocumentRuleError, match="程序完备"):
        passed_review(justice, doc, procedure_complete=False)
    with pytest.raises(DocumentRuleError, match="减损"):
        passed_review(justice, doc, reduces_rights=True)


# --- DOC-18 interpretation, filing ----------------------------------------------------------------------------


def signed_normative(w, justice):
    doc = to_legality_review(w, normative(w))
    passed_review(justice, doc)
    issuance.review_outgoing(actor=w.dep_a, document=fresh(doc), opinion="同意", today=DAY)
    issuance.review_outgoing(actor=w.dep_b, document=fresh(doc), opinion="同意", today=DAY)
    return issuance.sign_outgoing(actor=w.head, document=fresh(doc), today=DAY)


def test_doc_18_no_publication_without_the_interpretation(world, justice):
    w = world
    doc = signed_normative(w, justice)
    with pytest.raises(DocumentRuleError) as exc:
        issuance.issue_outgoing(actor=w.staff, document=doc, today=DAY)
    assert exc.value.rule_id == "DOC-18"
    assert fresh(doc).state == OS.SIGNED and not PublicRegisterEntry.objects.exists()

    issuance.write_interpretation(
        actor=w.fin_clerk, document=doc, title="《铁西区财政专项资金管理办法》解读", text="一、制定背景……", today=DAY
    )
    issue_day = DAY + dt.timedelta(days=1)
    doc = issuance.issue_outgoing(actor=w.staff, document=fresh(doc), today=issue_day)
    interp = PolicyInterpretation.objects.get(document=doc)
    entry = PublicRegisterEntry.objects.get(source_id=str(doc.pk))
    assert interp.published_on == issue_day == entry.published_on == doc.issued_on  # the same day
    assert entry.interpretation_text == "一、制定背景……"


def test_doc_18_for_a_joint_document_the_lead_unit_interprets(world, justice):
    w = world
    doc = signed_normative(w, justice)  # drafted by 财政局 (lead), countersigned by 发改局
    with pytest.raises(DocumentRuleError) as exc:
        issuance.write_interpretation(actor=w.dev_clerk, document=doc, title="解读", text="……", today=DAY)
    assert exc.value.rule_id == "DOC-18" and "财政局" in str(exc.value)
    interp = issuance.write_interpretation(actor=w.fin_clerk, document=doc, title="解读", text="……", today=DAY)
    assert interp.unit == w.fin


def test_doc_18_a_normative_document_not_published_needs_no_interpretation(world, justice):
    w = world
    doc = outgoing_draft(
        w.fin_clerk,
        title="内部规范",
        normative=True,
        disclosure="none",
        disclosure_manner="",
        disclosure_reason="内部管理",
    )
    doc = to_legality_review(w, doc)
    passed_review(justice, doc)
    issuance.review_outgoing(actor=w.dep_a, document=fresh(doc), opinion="同意", today=DAY)
    doc = issuance.sign_outgoing(actor=w.head, document=fresh(doc), today=DAY)
    assert issuance.issue_outgoing(actor=w.staff, document=doc, today=DAY).state == OS.ISSUED


def test_doc_8_filing_is_recorded_after_issue_and_closes_its_clock(world, justice):
    w = world
    doc = signed_normative(w, justice)
    with pytest.raises(DocumentError):
        issuance.record_filing(
            actor=w.fin_clerk, document=doc, filed_with="区人大常委会", filed_on=DAY, today=DAY
        )  # not issued yet
    issuance.write_interpretation(actor=w.fin_clerk, document=doc, title="解读", text="……", today=DAY)
    doc = issuance.issue_outgoing(actor=w.staff, document=fresh(doc), today=DAY)
    clock = Deadline.objects.get(rule_id="DOC-8", subject_id=str(doc.pk))
    assert clock.state == Deadline.State.OPEN and clock.owner_unit == w.fin
    assert issuance.default_filing_body(doc) == "铁西区人民代表大会常务委员会"
    with pytest.raises(ActionNotAllowed):
        issuance.record_filing(actor=w.outsider, document=doc, filed_with="区人大常委会", filed_on=DAY, today=DAY)
    doc = issuance.record_filing(
        actor=w.fin_clerk,
        document=doc,
        filed_with="铁西区人民代表大会常务委员会",
        filed_on=DAY,
        reference="备2026-3",
        today=DAY,
    )
    assert doc.filed_on == DAY and doc.filed_by == w.fin_clerk
    clock.refresh_from_db()
    assert clock.closed_at is not None  # met or missed by the real clock: close_deadline judges by today
    with pytest.raises(AlreadyHandledError):
        issuance.record_filing(actor=w.staff, document=doc, filed_with="x", filed_on=DAY, today=DAY)

"""Flow A requests for a normative document (DOC-8 checklist, same rules as a normative 发文), DOC-10 counted
again at registration, and the decision said once in the approval notice."""

from __future__ import annotations

import datetime as dt

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import IntegrityError, transaction
from django.urls import reverse
from django.utils import timezone
from documents_support import DAY, draft, in_leader_review, sign_or_refused, submitted, valid_fields

from documents.models import (
    BASE_NORMATIVE_STEPS,
    Attachment,
    Instruction,
    NormativeChecklistItem,
    NormativeStep,
    ReturnReason,
    Submission,
    SubmissionState,
    Urgency,
)
from documents.shared import normative
from documents.submissions import permissions, services
from tests.factories import outgoing_draft
from tiexi_gov.audit.models import Event
from tiexi_gov.notify.models import Message
from tiexi_gov.workdays import calendar as wd
from tiexi_gov.workflow.errors import ActionRefused as DocumentError
from tiexi_gov.workflow.errors import NotAllowed
from tiexi_gov.workflow.errors import RuleViolation as DocumentRuleError

pytestmark = [pytest.mark.postgres, pytest.mark.django_db]

PDF = b"%PDF-1.7\n%\xe2\xe3\xcf\xd3\n1 0 obj <<>> endobj\n"
Step = NormativeStep
Status = NormativeChecklistItem.Status


@pytest.fixture(autouse=True)
def media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path


def fresh(sub) -> Submission:
    return Submission.objects.get(pk=sub.pk)


def normative_draft(w, day=DAY, **flags) -> Submission:
    return draft(w, day, title="关于提请区政府制发铁西区专项资金管理办法的请示", normative=True, **flags)


def record(w, sub, step, *, done=True, evidence="已履行，材料附后", reason="", day=DAY, **kwargs):
    return services.record_checklist_step(
        actor=w.fin_clerk,
        submission=fresh(sub),
        step=step,
        done=done,
        evidence=evidence if done else "",
        reason=reason,
        today=day,
        **kwargs,
    )


def fill(w, sub, steps, day=DAY):
    for step in steps:
        record(w, sub, step, day=day)


def sign(w, sub, day=DAY) -> Submission:
    """Signed — or, when 送签 already refuses (the checklist is checked up front, issue 11), refused there with the
    same DOC-8 message as at 报送 and brought to 已签发 as imported data would be."""
    signed, early = sign_or_refused(w, sub, day)
    if early is not None:
        assert early.rule_ids == ["DOC-8"]
        assert str(early) == str(submit_error(w, signed, day))
    return signed


def submit_error(w, sub, day=DAY) -> DocumentRuleError:
    with pytest.raises(DocumentRuleError) as exc:
        services.submit_to_office(actor=w.fin_clerk, submission=fresh(sub), today=day)
    assert fresh(sub).state == SubmissionState.SIGNED
    return exc.value


# --- DOC-8: the checklist on a request for a normative document ------------------------------------------


def test_doc_8_missing_step_is_refused_at_submission_naming_it(world):
    w = world
    sub = normative_draft(w)
    fill(w, sub, [s for s in BASE_NORMATIVE_STEPS if s != Step.COLLECTIVE_DISCUSSION])
    sub = sign(w, sub)
    err = submit_error(w, sub)
    assert err.rule_ids == ["DOC-8"]
    assert "集体讨论" in str(err) and "第六十条；第二十四条至第二十六条" in str(err)
    assert "专家论证" not in str(err)


def test_doc_8_a_signed_request_refused_at_submission_can_be_taken_back_and_must_be_signed_again(world):
    """A check failing after signature must not strand the item in 已签发: the unit takes it back to drafting,
    completes it, and its head signs again (DOC-2)."""
    w = world
    sub = normative_draft(w)
    signed = sign(w, sub)
    assert submit_error(w, signed).rule_id == "DOC-8"
    assert "revise" in permissions.allowed_actions(w.fin_clerk, fresh(sub))
    back = services.revise(actor=w.fin_clerk, submission=fresh(sub), today=DAY)
    assert back.state == "drafting" and back.signed_by_id is None and back.signed_at is None
    assert Event.objects.for_object(back).filter(action="revise", action_label="签发后收回修改").count() == 1
    fill(w, back, normative.required_normative_steps(back))
    resubmitted = services.submit_to_office(actor=w.fin_clerk, submission=sign(w, fresh(back)), today=DAY)
    assert resubmitted.state == "submitted" and resubmitted.signed_by_id == w.fin_head.pk


def test_doc_8_no_step_recorded_names_every_required_step(world):
    w = world
    sub = sign(w, normative_draft(w, touches_market=True))
    err = submit_error(w, sub)
    for label in ("公众参与", "专家论证", "风险评估", "合法性审查", "集体讨论", "公平竞争审查"):
        assert label in str(err)


def test_doc_8_skipped_step_needs_a_reason(world):
    w = world
    sub = normative_draft(w)
    for blank in ("", "   "):
        with pytest.raises(DocumentRuleError) as exc:
            record(w, sub, Step.EXPERT_ARGUMENTATION, done=False, reason=blank)
        assert exc.value.rule_id == "DOC-8" and "须说明具体理由" in str(exc.value)
    assert not NormativeChecklistItem.objects.filter(submission=sub).exists()
    item = record(w, sub, Step.EXPERT_ARGUMENTATION, done=False, reason="技术性较弱，无需专家论证")
    assert (item.status, item.skip_reason, item.evidence) == (Status.SKIPPED, "技术性较弱，无需专家论证", "")
    assert item.submission_id == sub.pk and item.document_id is None


def test_doc_8_done_step_needs_evidence_text_or_a_file(world):
    w = world
    sub = normative_draft(w)
    with pytest.raises(DocumentRuleError) as exc:
        record(w, sub, Step.RISK_ASSESSMENT, evidence="  ")
    assert exc.value.rule_id == "DOC-8" and "须写明履行情况或附证明材料" in str(exc.value)
    assert not Attachment.objects.filter(submission=sub).exists()

    by_text = record(w, sub, Step.RISK_ASSESSMENT, evidence="2026年8月社会稳定风险评估报告")
    assert by_text.status == Status.DONE and by_text.evidence == "2026年8月社会稳定风险评估报告"

    upload = SimpleUploadedFile("专家论证意见.pdf", PDF, content_type="application/pdf")
    by_file = record(w, sub, Step.EXPERT_ARGUMENTATION, evidence="", upload=upload)
    att = by_file.evidence_attachment
    assert att.submission_id == sub.pk and att.purpose == Attachment.Purpose.EVIDENCE
    assert by_file.evidence_upload == att
    assert Event.objects.filter(action="normative_step", rule_id="DOC-8").count() == 2


def test_doc_8_evidence_file_must_be_the_submissions_own(world):
    w = world
    sub = normative_draft(w)
    other = draft(w, title="另一份请示")
    att = services.add_attachment(actor=w.fin_clerk, submission=other, file=SimpleUploadedFile("a.pdf", PDF), today=DAY)
    with pytest.raises(DocumentError):
        record(w, sub, Step.RISK_ASSESSMENT, evidence="", evidence_file=att)


def test_doc_8_complete_checklist_passes_submission(world):
    w = world
    sub = normative_draft(w, touches_market=True, will_be_published=True)
    assert normative.required_normative_steps(fresh(sub)) == [*BASE_NORMATIVE_STEPS, *(
        Step.FAIR_COMPETITION, Step.INTERPRETATION, Step.OPINION_PLAN
    )]  # fmt: skip
    for step in normative.required_normative_steps(fresh(sub)):
        if step == Step.EXPERT_ARGUMENTATION:
            record(w, sub, step, done=False, reason="技术性较弱，无需专家论证")
        else:
            record(w, sub, step)
    sub = services.submit_to_office(actor=w.fin_clerk, submission=sign(w, sub), today=DAY)
    assert sub.state == SubmissionState.SUBMITTED


def test_doc_8_fair_competition_only_required_when_market_related(world):
    w = world
    plain = normative_draft(w)
    assert Step.FAIR_COMPETITION not in normative.required_normative_steps(fresh(plain))
    fill(w, plain, BASE_NORMATIVE_STEPS)
    assert services.submit_to_office(actor=w.fin_clerk, submission=sign(w, plain), today=DAY).state == "submitted"

    market = normative_draft(w, touches_market=True)
    fill(w, market, BASE_NORMATIVE_STEPS)
    err = submit_error(w, sign(w, market))
    assert err.rule_ids == ["DOC-8"] and "公平竞争审查" in str(err)
    assert "集体讨论" not in str(err)


def test_doc_8_a_case_by_case_policy_measure_needs_the_fair_competition_review(world):
    """第六十条 asks the fair competition review of "一事一议" specific policy measures too: a request for one records
    that step alone (it is not a normative document) and is refused at 报送 until it has."""
    w = world
    sub = draft(w, title="关于对某企业技改项目给予专项扶持的请示", case_by_case_policy=True)
    assert not sub.normative and normative.required_normative_steps(fresh(sub)) == [Step.FAIR_COMPETITION]
    assert "checklist" in permissions.allowed_actions(w.fin_clerk, fresh(sub))
    err = submit_error(w, sign(w, sub))
    assert err.rule_ids == ["DOC-8"] and "“一事一议”形式的具体政策措施须履行公平竞争审查程序" in str(err)

    other = draft(w, title="关于对另一企业给予专项扶持的请示", case_by_case_policy=True)
    record(w, other, Step.FAIR_COMPETITION, evidence="已经公平竞争审查，审查意见附后")
    assert services.submit_to_office(actor=w.fin_clerk, submission=sign(w, other), today=DAY).state == "submitted"

    # A normative request that is also such a measure owes the review though it does not touch market activity.
    both = normative_draft(w, case_by_case_policy=True)
    assert Step.FAIR_COMPETITION in normative.required_normative_steps(fresh(both))


def test_doc_8_interpretation_and_opinion_plan_only_when_published(world):
    w = world
    unpublished = normative_draft(w)
    steps = normative.required_normative_steps(fresh(unpublished))
    assert Step.INTERPRETATION not in steps and Step.OPINION_PLAN not in steps

    published = normative_draft(w, will_be_published=True)
    fill(w, published, [*BASE_NORMATIVE_STEPS, Step.INTERPRETATION])
    err = submit_error(w, sign(w, published))
    assert "舆情应对方案" in str(err) and "政策解读材料" not in str(err)


def test_doc_8_public_participation_cannot_be_skipped_when_it_affects_the_public(world):
    w = world
    sub = normative_draft(w, affects_public=True)
    fill(w, sub, [s for s in BASE_NORMATIVE_STEPS if s != Step.PUBLIC_PARTICIPATION])
    record(w, sub, Step.PUBLIC_PARTICIPATION, done=False, reason="时间紧")
    err = submit_error(w, sign(w, sub))
    assert err.rule_ids == ["DOC-8"] and "须公开征求意见" in str(err)


def test_doc_8_an_ordinary_request_carries_no_checklist(world):
    w = world
    sub = draft(w)
    with pytest.raises(DocumentError):
        record(w, sub, Step.RISK_ASSESSMENT)
    assert normative.normative_violations(fresh(sub)) == []


def test_doc_8_checklist_recorded_only_while_drafting_by_the_unit(world):
    w = world
    sub = normative_draft(w)
    with pytest.raises(NotAllowed):
        services.record_checklist_step(
            actor=w.dev_clerk, submission=sub, step=Step.RISK_ASSESSMENT, done=True, evidence="x", today=DAY
        )
    fill(w, sub, normative.required_normative_steps(sub))
    sub = services.send_for_signature(actor=w.fin_clerk, submission=fresh(sub), today=DAY)
    with pytest.raises(DocumentError):
        record(w, sub, Step.RISK_ASSESSMENT)


def test_doc_8_a_checklist_row_belongs_to_exactly_one_document(world):
    w = world
    sub = normative_draft(w)
    doc = outgoing_draft(w.fin_clerk, title="铁西区专项资金管理办法", normative=True)
    base = {"step": Step.RISK_ASSESSMENT, "status": Status.DONE, "evidence": "x", "recorded_by": w.fin_clerk}
    for parents in ({}, {"submission": sub, "document": doc}):
        with pytest.raises(IntegrityError), transaction.atomic():
            NormativeChecklistItem.objects.create(**parents, **base)
    NormativeChecklistItem.objects.create(submission=sub, **base)
    NormativeChecklistItem.objects.create(document=doc, **base)


def test_doc_8_both_flows_share_the_same_rules(world):
    """The request and the 发文 it asks for need the same steps for the same flags (one definition)."""
    w = world
    doc = outgoing_draft(w.fin_clerk, title="铁西区专项资金管理办法", normative=True, touches_market=True)
    sub = normative_draft(w, touches_market=True, will_be_published=doc.will_be_published)
    assert normative.required_normative_steps(fresh(sub)) == normative.required_normative_steps(doc)


# --- DOC-8 through the pages ------------------------------------------------------------------------------


def _act(client, sub, action, data=None, files=None):
    payload = {"seen_state": fresh(sub).state}
    payload.update({f"{action}-{k}": v for k, v in (data or {}).items()})
    payload.update({f"{action}-{k}": v for k, v in (files or {}).items()})
    return client.post(reverse("documents:act", args=[sub.pk, action]), payload)


def _messages(response) -> list[str]:
    return [str(m) for m in response.context["messages"]] if response.context else []


def test_doc_8_drafting_form_saves_the_flags(world, client):
    w = world
    today = timezone.localdate()
    client.force_login(w.fin_clerk)
    data = {k: v for k, v in valid_fields(today).items() if v is not False}
    data.update(
        title="关于提请制发规范性文件的请示", copies=1, normative="on", touches_market="on", will_be_published="on"
    )
    r = client.post(reverse("documents:create"), data)
    assert r.status_code == 302, r.context["form"].errors if r.context else r
    sub = Submission.objects.get(title="关于提请制发规范性文件的请示")
    assert (sub.normative, sub.touches_market, sub.will_be_published, sub.affects_public) == (True, True, True, False)
    assert not sub.case_by_case_policy
    page = client.get(reverse("documents:create"))
    assert 'name="normative"' in page.content.decode() and 'name="case_by_case_policy"' in page.content.decode()


def test_doc_8_a_case_by_case_measure_saved_from_the_form_shows_its_review_on_the_item_page(world, client):
    w = world
    today = timezone.localdate()
    client.force_login(w.fin_clerk)
    data = {k: v for k, v in valid_fields(today).items() if v is not False}
    data.update(title="关于对某企业给予一事一议扶持的请示", copies=1, case_by_case_policy="on")
    r = client.post(reverse("documents:create"), data)
    assert r.status_code == 302, r.context["form"].errors if r.context else r
    sub = Submission.objects.get(title="关于对某企业给予一事一议扶持的请示")
    assert sub.case_by_case_policy and not sub.normative
    page = client.get(reverse("documents:detail", args=[sub.pk]))
    html = page.content.decode()
    assert 'data-testid="checklist"' in html and "公平竞争审查（第六十条）" in html and "未填报" in html
    assert "规范性文件制发程序" not in html and "checklist" in page.context["allowed"]
    assert [label for label, _row in page.context["checklist"]] == ["公平竞争审查"]


def test_doc_8_item_page_shows_the_checklist_and_keeps_input_on_refusal(world, client):
    w = world
    today = timezone.localdate()
    sub = normative_draft(w, today, touches_market=True)
    client.force_login(w.fin_clerk)
    page = client.get(reverse("documents:detail", args=[sub.pk]))
    html = page.content.decode()
    assert 'data-testid="checklist"' in html and "公平竞争审查" in html and "未填报" in html
    assert "checklist" in page.context["allowed"] and 'data-testid="checklist-missing"' in html

    r = _act(client, sub, "checklist", {"step": Step.EXPERT_ARGUMENTATION, "done": "0", "evidence": "见会议纪要"})
    assert r.status_code == 200
    assert any("第六十条；第二十四条至第二十六条" in m and "须说明具体理由" in m for m in _messages(r))
    kept = r.context["forms"]["checklist"]
    assert kept["evidence"].value() == "见会议纪要" and kept["step"].value() == Step.EXPERT_ARGUMENTATION
    assert not fresh(sub).checklist.exists()

    upload = SimpleUploadedFile("专家论证意见.pdf", PDF, content_type="application/pdf")
    r = _act(client, sub, "checklist", {"step": Step.EXPERT_ARGUMENTATION, "done": "1"}, {"evidence_file": upload})
    assert r.status_code == 302
    row = fresh(sub).checklist.get()
    assert row.evidence_attachment.original_name == "专家论证意见.pdf"
    html = client.get(reverse("documents:detail", args=[sub.pk])).content.decode()
    assert "专家论证意见.pdf" in html and "已履行" in html


def test_doc_8_submit_refusal_is_shown_on_the_item_page(world, client):
    w = world
    today = timezone.localdate()
    sub = normative_draft(w, today, decision_needed_by=wd.add_workdays(today, 30))
    fill(w, sub, [s for s in BASE_NORMATIVE_STEPS if s != Step.RISK_ASSESSMENT], day=today)
    sub = sign(w, sub, today)
    client.force_login(w.fin_clerk)
    r = _act(client, sub, "submit")
    assert r.status_code == 200
    assert any("第六十条；第二十四条至第二十六条" in m and "风险评估" in m for m in _messages(r))
    assert fresh(sub).state == SubmissionState.SIGNED


# --- DOC-10 counted from registration ---------------------------------------------------------------------


def test_doc_10_registration_refused_when_time_no_longer_left_across_national_day(world):
    w = world
    sent = dt.date(2026, 9, 28)  # Monday before National Day
    needed = wd.add_workdays(sent, 10)  # exactly the lead time from submission: accepted then
    assert needed == dt.date(2026, 10, 16)
    late = submitted(w, sent, decision_needed_by=needed)
    on_time = submitted(w, sent, title="另一份请示", decision_needed_by=needed)

    registered_on = dt.date(2026, 10, 9)  # four working days later (9-29, 9-30, 10-8, 10-9), the holiday between
    assert wd.workdays_between(sent, registered_on) == 4
    with pytest.raises(DocumentRuleError) as exc:
        services.register(actor=w.staff, submission=late, today=registered_on)
    err = exc.value
    assert err.rule_ids == ["DOC-10"]
    assert "登记日" in str(err) and str(wd.add_workdays(registered_on, 10)) in str(err)
    assert ReturnReason.NO_TIME_TO_DECIDE.label in str(err) and "退回" in str(err)
    assert fresh(late).state == SubmissionState.SUBMITTED and fresh(late).current_slip_id is None

    slip = services.register(actor=w.staff, submission=on_time, today=sent)
    assert slip.registered_on == sent

    services.return_submission(
        actor=w.staff,
        submission=fresh(late),
        reason=ReturnReason.NO_TIME_TO_DECIDE,
        text="登记时距需决策日期已不足10个工作日，请调整需决策日期后重新报送。",
        today=registered_on,
    )
    back = fresh(late)
    assert back.state == SubmissionState.RETURNED and back.return_reason == ReturnReason.NO_TIME_TO_DECIDE
    assert Event.objects.filter(action="return", rule_id="DOC-10").exists()


def test_doc_10_urgent_registration_counts_five_workdays_from_registration(world):
    w = world
    sent = dt.date(2026, 9, 29)
    needed = wd.add_workdays(sent, 5)
    assert needed == dt.date(2026, 10, 12)
    sub = submitted(w, sent, urgency=Urgency.URGENT, decision_needed_by=needed)
    with pytest.raises(DocumentRuleError) as exc:
        services.register(actor=w.staff, submission=sub, today=dt.date(2026, 9, 30))
    assert exc.value.rule_ids == ["DOC-10"] and "5个工作日" in str(exc.value)
    assert services.register(actor=w.staff, submission=fresh(sub), today=sent).number


# --- the approval notice says the decision once -----------------------------------------------------------


@pytest.mark.parametrize(
    ("opinion", "expected"),
    [("同意。请财政局抓紧落实。", "同意。请财政局抓紧落实。"), ("请财政局抓紧落实。", "同意。请财政局抓紧落实。")],
)
def test_doc_11_approval_notice_states_the_decision_once(world, opinion, expected):
    w = world
    sub = in_leader_review(w)
    services.leader_decide(
        actor=w.dep_a, submission=sub, decision=Instruction.Decision.APPROVE, opinion=opinion, today=DAY
    )
    notice = Message.objects.get(recipient=w.fin_clerk, subject__startswith="【已批准】")
    assert expected in notice.body
    assert "同意。同意" not in notice.body


def test_doc_8_a_checklist_step_posted_again_as_it_stands_records_nothing(world):
    """Found from outside: the DOC-8 step form posted twice (a double tap, a second tab) wrote a second identical
    "规范性文件程序" line in the item's record. A step posted again as it stands changes and records nothing; a
    changed one is recorded."""
    w = world
    sub = normative_draft(w)
    steps = Event.objects.for_object(sub).filter(action="normative_step")
    record(w, sub, Step.RISK_ASSESSMENT, evidence="已开展风险评估")
    recorded_at = NormativeChecklistItem.objects.get(submission=sub, step=Step.RISK_ASSESSMENT).recorded_at
    record(w, sub, Step.RISK_ASSESSMENT, evidence="已开展风险评估")
    assert steps.count() == 1
    assert NormativeChecklistItem.objects.get(submission=sub, step=Step.RISK_ASSESSMENT).recorded_at == recorded_at
    record(w, sub, Step.RISK_ASSESSMENT, done=False, reason="不涉及社会稳定风险")
    assert steps.count() == 2

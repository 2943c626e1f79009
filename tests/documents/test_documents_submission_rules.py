"""Checks at signature and submission (DOC-1..5, DOC-10, DOC-17) and the office's returns (ORG-5)."""

import datetime as dt

import pytest
from documents_support import DAY, draft, registered, sign_or_refused, signed, submitted, valid_fields

from documents.models import Disclosure, ReturnReason, Submission, SubmissionKind, SubmissionState, Urgency
from documents.submissions import services
from tiexi_gov.audit.models import Event
from tiexi_gov.org.models import Unit
from tiexi_gov.workdays import calendar as wd
from tiexi_gov.workflow.errors import ActionRefused
from tiexi_gov.workflow.errors import RuleViolation as DocumentRuleError

pytestmark = [pytest.mark.postgres, pytest.mark.django_db]


def _submit_error(w, day=DAY, sign_day=None, **overrides) -> DocumentRuleError:
    """The refusal at 报送. A rule the draft already breaks on the signing day refuses 送签 first, with the same
    rules (every check up front, issue 11); the item is then brought to 已签发 as imported data would be, to prove
    the same rule still holds at 报送."""
    sub, early = sign_or_refused(w, draft(w, sign_day or day, **overrides), sign_day or day)
    with pytest.raises(DocumentRuleError) as exc:
        services.submit_to_office(actor=w.fin_clerk, submission=sub, today=day)
    sub.refresh_from_db()
    assert sub.state == SubmissionState.SIGNED
    if early is not None:
        assert set(early.rule_ids) == set(exc.value.rule_ids)
    return exc.value


def test_valid_request_is_submitted_through_the_office(world):
    sub = submitted(world)
    assert sub.state == SubmissionState.SUBMITTED
    assert sub.submitted_on == DAY


def test_doc_1_no_multiple_addressees(world):
    err = _submit_error(world, other_addressees="四平市财政局")
    assert err.rule_ids == ["DOC-1"]
    assert "多头报文" in str(err)


def test_doc_1_not_to_a_leader_personally_unless_assigned_or_confidential(world):
    err = _submit_error(world, addressee="leader")
    assert err.rule_ids == ["DOC-1"]
    assert "领导个人" in str(err)
    sub = submitted(world, addressee="leader", leader_assigned=True)
    assert sub.state == SubmissionState.SUBMITTED


def test_doc_1_only_townships_streets_and_departments_submit(world):
    world.fin.kind = Unit.Kind.EXTERNAL
    world.fin.save()
    err = _submit_error(world)
    assert err.rule_ids == ["DOC-1"]


def test_doc_2_only_main_head_or_authorized_deputy_signs(world):
    sub = draft(world)
    sub = services.send_for_signature(actor=world.fin_clerk, submission=sub, today=DAY)
    for not_allowed in (world.fin_clerk, world.fin_plain_deputy, world.dev_head):
        with pytest.raises(DocumentRuleError) as exc:
            services.sign_submission(actor=not_allowed, submission=sub, today=DAY)
        assert exc.value.rule_id == "DOC-2"
        assert "主要负责人或经授权的分管负责人" in str(exc.value)
    sub = services.sign_submission(actor=world.fin_signing_deputy, submission=sub, today=DAY)
    assert sub.state == SubmissionState.SIGNED
    assert sub.signed_by == world.fin_signing_deputy
    event = Event.objects.for_object(sub).get(action="sign")
    assert event.rule_id == "DOC-2" and event.capacity == "财政局副局长（授权签发）"


def test_doc_2_a_head_whose_appointment_ended_cannot_sign(world):
    appt = world.fin_head.appointments.get()
    appt.end = DAY - dt.timedelta(days=1)
    appt.save()
    sub = services.send_for_signature(actor=world.fin_clerk, submission=draft(world), today=DAY)
    with pytest.raises(DocumentRuleError) as exc:
        services.sign_submission(actor=world.fin_head, submission=sub, today=DAY)
    assert exc.value.rule_id == "DOC-2"


def test_doc_3_within_three_workdays_of_issue_across_national_day(world):
    issued = dt.date(2026, 9, 29)  # Tue; 9-30, 10-08, 10-09 are the next three working days
    assert wd.add_workdays(issued, 3) == dt.date(2026, 10, 9)
    ok = signed(world, issued, decision_needed_by=dt.date(2026, 11, 30))
    ok = services.submit_to_office(actor=world.fin_clerk, submission=ok, today=dt.date(2026, 10, 9))
    assert ok.state == SubmissionState.SUBMITTED
    # 10-10 is a make-up working day (Saturday): the 4th working day, one too late.
    err = _submit_error(world, day=dt.date(2026, 10, 10), sign_day=issued, decision_needed_by=dt.date(2026, 11, 30))
    assert err.rule_ids == ["DOC-3"]
    assert "2026-10-09" in str(err)


def test_doc_3_late_submission_allowed_with_a_special_reason(world):
    issued = dt.date(2026, 9, 29)
    sub = signed(world, issued, decision_needed_by=dt.date(2026, 11, 30), late_reason="待上级批复后报送")
    sub = services.submit_to_office(actor=world.fin_clerk, submission=sub, today=dt.date(2026, 10, 12))
    assert sub.state == SubmissionState.SUBMITTED


def test_doc_4_government_name_document_needs_field_check_and_collective_decision(world):
    err = _submit_error(world, asks_gov_name_document=True, is_important=True)
    assert err.rule_ids == ["DOC-4", "DOC-4", "DOC-4"]  # field check, the meeting, its minutes: each named
    assert "实地考察" in str(err) and "写明会议" in str(err) and "会议纪要" in str(err)
    err = _submit_error(
        world, asks_gov_name_document=True, is_important=True, field_check="已实地核实", collective_decision="局务会"
    )
    assert err.rule_ids == ["DOC-4"]  # the minutes must be attached
    assert "会议纪要" in str(err)


def test_doc_4_met_with_minutes_attached(world, settings, tmp_path):
    from django.core.files.uploadedfile import SimpleUploadedFile

    settings.MEDIA_ROOT = tmp_path
    sub = services.create_draft(
        actor=world.fin_clerk,
        title="关于以区政府名义印发实施方案的请示",
        **{
            **valid_fields(),
            "asks_gov_name_document": True,
            "is_important": True,
            "field_check": "9月1日赴现场核实",
            "collective_decision": "2026年第8次局务会",
        },
    )
    pdf = SimpleUploadedFile("纪要.pdf", b"%PDF-1.7\n1 0 obj\n", content_type="application/pdf")
    services.add_attachment(actor=world.fin_clerk, submission=sub, file=pdf, purpose="minutes")
    sub.refresh_from_db()
    sub = services.send_for_signature(actor=world.fin_clerk, submission=sub, today=DAY)
    sub = services.sign_submission(actor=world.fin_head, submission=sub, today=DAY)
    sub = services.submit_to_office(actor=world.fin_clerk, submission=sub, today=DAY)
    assert sub.state == SubmissionState.SUBMITTED


def test_doc_5_request_declares_one_matter(world):
    err = _submit_error(world, declares_one_matter=False)
    assert err.rule_ids == ["DOC-5"]
    assert "一文一事" in str(err)


def test_doc_5_report_carries_no_request(world):
    err = _submit_error(world, kind=SubmissionKind.REPORT, decision_needed_by=None)
    assert err.rule_ids == ["DOC-5"]
    sub = submitted(world, kind=SubmissionKind.REPORT, decision_needed_by=None, declares_report_has_no_request=True)
    assert sub.state == SubmissionState.SUBMITTED


def test_doc_5_office_returns_a_report_with_a_request(world):
    sub = submitted(world, kind=SubmissionKind.REPORT, decision_needed_by=None, declares_report_has_no_request=True)
    sub = services.return_submission(
        actor=world.staff,
        submission=sub,
        reason=ReturnReason.REPORT_WITH_REQUEST,
        text="第三部分请求拨款，应另行请示。",
    )
    assert sub.state == SubmissionState.RETURNED
    assert Event.objects.for_object(sub).get(action="return").rule_id == "DOC-5"


def test_doc_10_general_matter_leaves_ten_workdays(world):
    # From Tue 9-29, ten working days end on 10-19: the holiday skipped, the make-up Saturday 10-10 counted.
    day = dt.date(2026, 9, 29)
    assert wd.add_workdays(day, 10) == dt.date(2026, 10, 19)
    err = _submit_error(world, day=day, decision_needed_by=dt.date(2026, 10, 16))
    assert err.rule_ids == ["DOC-10"]
    assert "10个工作日" in str(err)
    sub = signed(world, day, decision_needed_by=dt.date(2026, 10, 19))
    assert services.submit_to_office(actor=world.fin_clerk, submission=sub, today=day).state == "submitted"


def test_doc_10_urgent_matter_leaves_five_workdays(world):
    day = dt.date(2026, 9, 29)
    assert wd.add_workdays(day, 5) == dt.date(2026, 10, 12)
    err = _submit_error(world, day=day, urgency=Urgency.URGENT, decision_needed_by=dt.date(2026, 10, 11))
    assert err.rule_ids == ["DOC-10"]
    sub = signed(world, day, urgency=Urgency.URGENT, decision_needed_by=dt.date(2026, 10, 12))
    assert services.submit_to_office(actor=world.fin_clerk, submission=sub, today=day).state == "submitted"


def test_doc_10_extra_urgent_states_its_reason_unless_emergency(world):
    near = wd.add_workdays(DAY, 1)
    err = _submit_error(world, urgency=Urgency.CRITICAL, decision_needed_by=near)
    assert err.rule_ids == ["DOC-10"]
    assert "紧急原因" in str(err)
    assert submitted(world, urgency=Urgency.CRITICAL, decision_needed_by=near, urgency_reason="汛期抢险").state == (
        "submitted"
    )
    assert submitted(world, urgency=Urgency.EXTRA_URGENT, decision_needed_by=near, is_emergency=True).state == (
        "submitted"
    )


def test_doc_10_request_states_its_decision_date(world):
    err = _submit_error(world, decision_needed_by=None)
    assert err.rule_ids == ["DOC-10"]


def test_doc_17_disclosure_attribute_and_reason(world):
    err = _submit_error(world, disclosure="")
    assert err.rule_ids == ["DOC-17"]
    err = _submit_error(world, disclosure=Disclosure.NONE, disclosure_manner="")
    assert err.rule_ids == ["DOC-17"]
    assert "说明理由" in str(err)
    err = _submit_error(world, disclosure=Disclosure.PARTIAL)
    assert err.rule_ids == ["DOC-17"]
    sub = submitted(
        world, disclosure=Disclosure.NONE, disclosure_manner="", disclosure_reason="涉及商业秘密（条例第十五条）"
    )
    assert sub.state == SubmissionState.SUBMITTED


def test_x_2_not_classified_declaration_is_required_citing_article_74(world):
    err = _submit_error(world, not_classified=False)
    assert "不涉及国家秘密" in str(err) and "（第七十四条）" in str(err) and "贯穿全文" not in str(err)


def test_org_5_office_returns_a_matter_within_the_units_own_authority(world):
    sub = registered(world)
    services.return_submission(
        actor=world.staff, submission=sub, reason=ReturnReason.UNIT_AUTHORITY, text="属财政局职权范围，请自行决定。"
    )
    sub = Submission.objects.get(pk=sub.pk)
    assert sub.state == SubmissionState.RETURNED
    assert sub.return_reason == ReturnReason.UNIT_AUTHORITY
    event = Event.objects.for_object(sub).get(action="return")
    assert event.rule_id == "ORG-5" and "属部门职权事项" in event.opinion
    inbox = world.fin_clerk.messages.filter(subject__contains="公文被退回").get()
    assert "属财政局职权范围" in inbox.body
    # The unit revises; it must be signed again before it can go back (DOC-2).
    sub = services.revise(actor=world.fin_clerk, submission=sub)
    assert sub.state == SubmissionState.DRAFTING and sub.signed_by is None


def test_return_needs_an_explanation(world):
    sub = submitted(world)
    with pytest.raises(ActionRefused):
        services.return_submission(actor=world.staff, submission=sub, reason=ReturnReason.OTHER, text=" ")


def test_doc_3_signing_refuses_an_issue_date_after_the_signing_day(world):
    """报送 must follow 印发 (第六十条): a 印发日期 after the day of signing would only be refused at 报送, after the
    head had signed, and the unit would have to withdraw and sign again. Signing refuses it, and nothing changes."""
    sub = services.send_for_signature(actor=world.fin_clerk, submission=draft(world), today=DAY)
    later = wd.add_workdays(DAY, 1)
    with pytest.raises(DocumentRuleError, match="不能晚于签发当日") as exc:
        services.sign_submission(actor=world.fin_head, submission=sub, issue_date=later, today=DAY)
    assert exc.value.rule_id == "DOC-3"
    sub.refresh_from_db()
    assert sub.state == SubmissionState.AWAITING_SIGNATURE and sub.signed_by is None
    assert not Event.objects.for_object(sub).filter(action="sign").exists()
    sub = services.sign_submission(actor=world.fin_head, submission=sub, issue_date=DAY, today=DAY)
    assert sub.state == SubmissionState.SIGNED and sub.issue_date == DAY

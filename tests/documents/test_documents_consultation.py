"""征求意见/会签 (DOC-6, DOC-7): replies, agreed extensions, disagreement statements, silence as consent."""

import datetime as dt
import re

import pytest
from documents_support import DAY, draft

from documents.models import ConsultationRequest, SubmissionState
from documents.submissions import services
from tiexi_gov.audit.models import Event
from tiexi_gov.deadlines import services as deadlines
from tiexi_gov.deadlines.models import Deadline
from tiexi_gov.notify.models import Message
from tiexi_gov.workflow.errors import AlreadyHandled as AlreadyHandledError
from tiexi_gov.workflow.errors import NotAllowed
from tiexi_gov.workflow.errors import RuleViolation as DocumentRuleError

pytestmark = [pytest.mark.postgres, pytest.mark.django_db]

Reply = ConsultationRequest.Reply


def _consult(w, day=DAY, limit_wd=5, units=None, **overrides):
    sub = draft(w, day, **overrides)
    reqs = services.request_consultation(
        actor=w.fin_clerk, submission=sub, units=units or [w.dev], limit_wd=limit_wd, today=day
    )
    sub.refresh_from_db()
    return sub, reqs


def test_doc_6_consultation_opens_a_clock_per_unit(world):
    sub, (req,) = _consult(world)
    assert sub.state == SubmissionState.CONSULTING
    assert req.due == dt.date(2026, 9, 14)  # 5 WD after Mon 9-07
    clock = Deadline.objects.get(rule_id="DOC-7", state="open")
    assert clock.due == req.due and clock.owner_unit == world.dev
    assert world.dev_clerk.messages.filter(subject__contains="征求意见").exists()


def test_doc_7_lead_unit_may_set_another_limit(world):
    _sub, (req,) = _consult(world, limit_wd=2)
    assert req.due == dt.date(2026, 9, 9)


def test_doc_6_disagreement_needs_reasons(world):
    _sub, (req,) = _consult(world)
    with pytest.raises(DocumentRuleError) as exc:
        services.reply_to_consultation(actor=world.dev_clerk, consultation=req, reply=Reply.DISAGREE, text="")
    assert exc.value.rule_id == "DOC-6"


def test_doc_6_only_the_consulted_unit_replies(world):
    _sub, (req,) = _consult(world)
    with pytest.raises(NotAllowed):
        services.reply_to_consultation(actor=world.outsider, consultation=req, reply=Reply.AGREE)


def test_doc_6_disagreement_must_be_stated_and_countersigned_before_signature(world):
    sub, (req,) = _consult(world)
    services.reply_to_consultation(
        actor=world.dev_clerk, consultation=req, reply=Reply.DISAGREE, text="资金来源不明确", today=DAY
    )
    with pytest.raises(DocumentRuleError) as exc:
        services.send_for_signature(actor=world.fin_clerk, submission=sub, today=DAY)
    assert exc.value.rule_ids == ["DOC-6"]
    statement = services.record_disagreement_statement(
        actor=world.fin_clerk,
        submission=sub,
        talks_note="两局主要负责人9月10日协商未果",
        lead_reasons="专项资金已列入年度预算",
        other_reasons="发改局认为项目未入库",
        proposal="建议先行拨付50%，入库后拨付余款",
    )
    with pytest.raises(DocumentRuleError):  # not yet countersigned by 发改局
        services.send_for_signature(actor=world.fin_clerk, submission=sub, today=DAY)
    with pytest.raises(NotAllowed):
        services.countersign_statement(actor=world.outsider, statement=statement)
    services.countersign_statement(actor=world.dev_head, statement=statement, note="同意如实上报")
    sub = services.send_for_signature(actor=world.fin_clerk, submission=sub, today=DAY)
    assert sub.state == SubmissionState.AWAITING_SIGNATURE
    assert Event.objects.for_object(sub).filter(rule_id="DOC-6", action="disagreement_statement").exists()


def test_doc_7_open_consultation_blocks_signature(world):
    sub, _ = _consult(world)
    with pytest.raises(DocumentRuleError) as exc:
        services.send_for_signature(actor=world.fin_clerk, submission=sub, today=DAY)
    assert exc.value.rule_ids == ["DOC-7"]


def test_doc_7_reply_closes_the_clock_and_a_second_reply_is_refused(world):
    _sub, (req,) = _consult(world)
    services.reply_to_consultation(actor=world.dev_clerk, consultation=req, reply=Reply.AGREE, today=DAY)
    assert not Deadline.objects.filter(rule_id="DOC-7", closed_at__isnull=True).exists()
    with pytest.raises(AlreadyHandledError) as exc:
        services.reply_to_consultation(actor=world.dev_head, consultation=req, reply=Reply.AGREE)
    assert "韩文书" in str(exc.value)


def test_doc_7_agreed_extension_moves_the_clock(world):
    _sub, (req,) = _consult(world)
    new_due = dt.date(2026, 9, 18)
    services.agree_extension(actor=world.fin_clerk, consultation=req, new_due=new_due, note="电话商定，书面回复")
    clocks = Deadline.objects.filter(rule_id="DOC-7")
    assert clocks.filter(state="cancelled").count() == 1
    assert clocks.get(state="open").due == new_due
    # Silence is judged against the agreed day, not the original one.
    deadlines.sweep(today=dt.date(2026, 9, 15))
    req.refresh_from_db()
    assert req.state == ConsultationRequest.State.OPEN
    deadlines.sweep(today=dt.date(2026, 9, 21))
    req.refresh_from_db()
    assert req.state == ConsultationRequest.State.DEEMED and req.deemed_on == dt.date(2026, 9, 19)


def test_doc_7_extension_must_be_later_than_the_current_limit(world):
    _sub, (req,) = _consult(world)
    with pytest.raises(DocumentRuleError):
        services.agree_extension(actor=world.fin_clerk, consultation=req, new_due=req.due)


def test_doc_7_countersign_silence_is_consent_over_national_day(world):
    """Requested Tue 2026-09-29 with 5 WD: 9-30, 10-08, 10-09, 10-10 (make-up Saturday), 10-12 → due 10-12.
    The sweep runs every day; the silence is recorded on the sweep of 10-13 and only once."""
    requested = dt.date(2026, 9, 29)
    sub, (req,) = _consult(world, day=requested, decision_needed_by=dt.date(2026, 11, 30))
    assert req.due == dt.date(2026, 10, 12)
    day = requested
    while day <= dt.date(2026, 10, 20):
        deadlines.sweep(today=day)
        req.refresh_from_db()
        deemed_events = Event.objects.for_object(sub).filter(action="consultation_deemed").count()
        if day < dt.date(2026, 10, 13):
            assert req.state == ConsultationRequest.State.OPEN, day
            assert deemed_events == 0, day
        else:
            assert req.state == ConsultationRequest.State.DEEMED, day
            assert deemed_events == 1, day
        day += dt.timedelta(days=1)
    assert req.reply == Reply.DEEMED_NO_OBJECTION
    assert req.reply_text == "逾期未回复，视为无不同意见"
    assert req.deemed_on == dt.date(2026, 10, 13)
    event = Event.objects.for_object(sub).get(action="consultation_deemed")
    assert event.rule_id == "DOC-7" and "2026-10-13" in event.opinion
    clock = Deadline.objects.get(rule_id="DOC-7")
    assert clock.closed_at is not None and clock.state == Deadline.State.SETTLED
    # Silence is consent, not a failure: nobody is sent a 督办 for it.
    assert not Message.objects.filter(key__startswith=f"deadline:{clock.pk}:escalate").exists()
    # Silence settles the consultation: the unit may go on to signature.
    sub.refresh_from_db()
    sub = services.send_for_signature(actor=world.fin_clerk, submission=sub, today=dt.date(2026, 10, 13))
    assert sub.state == SubmissionState.AWAITING_SIGNATURE
    # A late reply after the deemed day is refused with the date.
    with pytest.raises(AlreadyHandledError) as exc:
        services.reply_to_consultation(actor=world.dev_clerk, consultation=req, reply=Reply.DISAGREE, text="x")
    assert "2026-10-13" in str(exc.value)


def test_doc_7_answered_request_is_not_deemed_by_a_late_sweep(world):
    _sub, (req,) = _consult(world)
    services.reply_to_consultation(
        actor=world.dev_clerk, consultation=req, reply=Reply.AGREE_WITH_COMMENTS, text="建议补充绩效目标", today=DAY
    )
    deadlines.sweep(today=dt.date(2026, 9, 30))
    req.refresh_from_db()
    assert req.state == ConsultationRequest.State.ANSWERED and req.reply == Reply.AGREE_WITH_COMMENTS


def test_doc_6_only_units_that_can_reply_are_offered_or_consulted(world):
    """The district government itself receives the request (nobody replies for it, and consulting it would open the
    unit's draft to every leader); bodies outside the government have no one in the portal: neither is offered on
    the form nor accepted by the service; nor is the requesting unit itself."""
    from documents.submissions.forms import ConsultationRequestForm
    from tiexi_gov.org.models import Unit

    gov = Unit.objects.get(kind=Unit.Kind.GOVERNMENT)
    outside = Unit.objects.create(name="中共铁西区纪律检查委员会", code="jw", kind=Unit.Kind.EXTERNAL)
    sub = draft(world, DAY)
    offered = set(ConsultationRequestForm(submission=sub).fields["units"].queryset)
    assert world.dev in offered and world.office in offered
    assert not offered & {gov, outside, world.fin}
    for unit in (gov, outside):
        with pytest.raises(services.ActionRefused, match="不是可征求意见的单位"):
            services.request_consultation(actor=world.fin_clerk, submission=sub, units=[unit], today=DAY)
    sub.refresh_from_db()
    assert sub.state == SubmissionState.DRAFTING and not sub.consultations.exists()


def _queued(user, sub, day=DAY) -> set[str]:
    """The actions `user`'s 我的待办 holds for `sub` on `day` (the page's own query)."""
    from tiexi_gov.workflow.selectors import open_tasks_for

    fresh = type(user).objects.get(pk=user.pk)
    return {t.action for t in open_tasks_for(fresh, day) if str(t.subject_id) == str(sub.pk)}


def test_doc_6_a_unit_named_as_touched_must_be_asked_before_signature(world, client):
    """The drafter names 发改局 as touched and tries to send the draft on without asking it: 送签 is refused, the
    panel lists what is missing instead of "ready", and 我的待办 holds 待征求意见, not 待送签发."""
    sub = draft(world, touched_units=[world.dev])
    assert _queued(world.fin_clerk, sub) == {"consult"}
    with pytest.raises(DocumentRuleError) as exc:
        services.send_for_signature(actor=world.fin_clerk, submission=sub, today=DAY)
    assert exc.value.rule_ids == ["DOC-6"] and world.dev.display_name in str(exc.value)
    client.force_login(world.fin_clerk)
    page = client.get(f"/documents/{sub.pk}/").content.decode()
    assert 'data-testid="draft-ready"' not in page
    assert f"本件涉及{world.dev.display_name}的职权，须先书面征求其意见" in page

    services.request_consultation(actor=world.fin_clerk, submission=sub, units=[world.dev], today=DAY)
    (req,) = sub.consultations.all()
    services.reply_to_consultation(actor=world.dev_clerk, consultation=req, reply=Reply.AGREE, today=DAY)
    assert _queued(world.fin_clerk, sub) == {"send_for_signature"}
    sub = services.send_for_signature(actor=world.fin_clerk, submission=sub, today=DAY)
    assert sub.state == SubmissionState.AWAITING_SIGNATURE


def test_doc_6_a_disagreement_puts_the_statement_in_the_lead_clerks_queue(world, client):
    """After 不同意 the lead unit's next step is the disagreement statement: it is in the clerk's 我的待办 and the
    panel does not call the draft ready; once written, the disagreeing unit's countersign is what it waits on."""
    sub, (req,) = _consult(world)
    services.reply_to_consultation(
        actor=world.dev_clerk, consultation=req, reply=Reply.DISAGREE, text="资金来源不明确", today=DAY
    )
    assert _queued(world.fin_clerk, sub) == {"statement"}
    client.force_login(world.fin_clerk)
    page = client.get(f"/documents/{sub.pk}/").content.decode()
    assert 'data-testid="draft-ready"' not in page and 'data-testid="draft-problems"' in page
    services.record_disagreement_statement(
        actor=world.fin_clerk,
        submission=sub,
        talks_note="两局主要负责人协商未果",
        lead_reasons="专项资金已列入年度预算",
        other_reasons="发改局认为项目未入库",
        proposal="建议先行拨付50%",
    )
    assert _queued(world.fin_clerk, sub) == set()
    assert _queued(world.dev_clerk, sub) == {"countersign"}


def test_doc_7_the_open_consultation_is_listed_citing_its_article_once(world, client):
    """While a consulted unit has not replied, the item page lists it among what the draft still needs, citing
    第六十条 once. The refusal's message already carried the article and the list added it again: the drafter read
    "财政局尚未回复意见，须待回复或逾期视为无不同意见后再报送（第六十条）（第六十条）"."""
    sub, _ = _consult(world)
    client.force_login(world.fin_clerk)
    page = client.get(f"/documents/{sub.pk}/").content.decode()
    block = page.split('data-testid="draft-problems"', 1)[1].split("</ol>", 1)[0]
    listed = re.sub(r"\s+", "", re.sub(r"<[^>]+>", "", block))
    assert f"{world.dev.display_name}尚未回复意见，须待回复或逾期视为无不同意见后再报送（第六十条）" in listed
    assert "（第六十条）（第六十条）" not in listed


def _extension_post(client, sub, req, new_due):
    from django.urls import reverse

    return client.post(
        reverse("documents:act", args=[sub.pk, "extension"]),
        {"seen_state": sub.state, "extension-consultation": req.pk, "extension-new_due": new_due},
    )


def test_doc_7_an_agreed_extension_beyond_the_working_day_calendar_is_refused_on_the_date_box(world, client):
    """登记商定延期 took 2099-12-31: the working-day calendar knows no such year, every year up to it was counted
    Monday to Friday and alerted to the calendar administrators, and a typing slip stood as the unit's limit. The
    date box now says how far the calendar goes; the page and the API refuse alike, and nothing is recorded."""
    from rest_framework.test import APIClient

    from api import services as api_services
    from tiexi_gov.workdays import calendar

    sub, (req,) = _consult(world)
    last = calendar.known_until(dt.date.today())
    assert last.year >= dt.date.today().year + 1
    _token, raw = api_services.create_token(actor=world.fin_clerk, user=world.fin_clerk, name="测试系统")
    events, notices = Event.objects.count(), Message.objects.count()
    client.force_login(world.fin_clerk)
    for day in ("2099-12-31", (last + dt.timedelta(days=1)).isoformat()):
        response = _extension_post(client, sub, req, day)
        html = response.content.decode()
        assert response.status_code == 200 and "请检查填写的内容" in html
        assert f"商定的新截止日不能晚于{last:%Y-%m-%d}" in html and "第六十条" in html
    earlier = _extension_post(client, sub, req, req.due.isoformat()).content.decode()
    assert f"商定的新截止日须晚于原截止日{req.due:%Y-%m-%d}" in earlier
    api = APIClient()
    api.credentials(HTTP_AUTHORIZATION=f"Bearer {raw}")
    response = api.post(
        f"/api/v1/submissions/{sub.pk}/actions/extension/",
        {"seen_state": sub.state, "consultation": req.pk, "new_due": "2099-12-31"},
        format="json",
    )
    assert response.status_code == 400, response.json()
    assert f"不能晚于{last:%Y-%m-%d}" in str(response.json()["errors"])
    with pytest.raises(DocumentRuleError, match="工作日历"):
        services.agree_extension(actor=world.fin_clerk, consultation=req, new_due=dt.date(2099, 12, 31))
    req.refresh_from_db()
    assert req.extended_due is None
    assert (Event.objects.count(), Message.objects.count()) == (events, notices)
    assert _extension_post(client, sub, req, last.isoformat()).status_code == 302  # the last day is fine
    req.refresh_from_db()
    assert req.extended_due == last


def test_doc_6_the_disagreement_statement_posted_again_unchanged_records_nothing(world, client):
    """分歧意见说明 posted again as it stands (a double click, Back and 保存) made a second, identical statement, a
    second record and a second 请会签 to the disagreeing unit — and once the unit had countersigned, the copy, being
    the latest, undid the countersignature and stopped 送签. The same text again now changes nothing; a changed
    statement is still a revision that asks for countersigning again."""
    from django.urls import reverse

    sub, (req,) = _consult(world)
    services.reply_to_consultation(actor=world.dev_clerk, consultation=req, reply=Reply.DISAGREE, text="资金来源不明确")
    client.force_login(world.fin_clerk)
    url = reverse("documents:act", args=[sub.pk, "statement"])
    data = {
        "statement-talks_note": "两局主要负责人9月10日协商未果",
        "statement-lead_reasons": "专项资金已列入年度预算",
        "statement-other_reasons": "发改局认为项目未入库",
        "statement-proposal": "建议先行拨付50%，入库后拨付余款",
    }
    sub.refresh_from_db()
    assert client.post(url, {"seen_state": sub.state, **data}).status_code == 302
    statement = sub.disagreement_statements.get()
    services.countersign_statement(actor=world.dev_head, statement=statement, note="同意如实上报")
    sub.refresh_from_db()
    assert sub.statement_is_complete()
    events, notices = Event.objects.count(), Message.objects.count()
    again = client.post(url, {"seen_state": sub.state, **data}, follow=True)
    assert again.status_code == 200 and "未重复请相关单位会签" in again.content.decode()
    assert sub.disagreement_statements.count() == 1 and sub.statement_is_complete()
    assert (Event.objects.count(), Message.objects.count()) == (events, notices)
    revised = {**data, "statement-proposal": "建议全额拨付"}
    assert client.post(url, {"seen_state": sub.state, **revised}).status_code == 302
    assert sub.disagreement_statements.count() == 2 and not sub.statement_is_complete()


def test_doc_7_the_extension_posted_twice_says_it_stands_and_records_nothing(world, client):
    """登记商定延期 posted again (a double click, Back and 登记) was refused with 商定的新截止日须晚于原截止日 and the
    day just typed — as if the first post had failed. It now says the limit already stands so; nothing is recorded."""
    sub, (req,) = _consult(world)
    client.force_login(world.fin_clerk)
    new_due = dt.date.today() + dt.timedelta(days=10)
    assert _extension_post(client, sub, req, new_due.isoformat()).status_code == 302
    events, notices = Event.objects.count(), Message.objects.count()
    html = _extension_post(client, sub, req, new_due.isoformat()).content.decode()
    assert f"已登记发改局的回复时限延至{new_due:%Y-%m-%d}，无需重复登记" in html and "须晚于原截止日" not in html
    assert (Event.objects.count(), Message.objects.count()) == (events, notices)

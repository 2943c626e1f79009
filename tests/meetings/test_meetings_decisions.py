"""Decisions that start clocks once the minutes are signed: a document to issue gets a draft in the documents flow
and, for a plenary or executive meeting, a 7-WD issuance deadline counted from the meeting (MTG-10) that the sweep
escalates and issuing closes; work assigned becomes a supervision item linked both ways (SUP-1)."""

from __future__ import annotations

import datetime as dt

import pytest
from django.contrib.contenttypes.models import ContentType
from django.urls import reverse
from django.utils import timezone
from test_meetings_minutes import (
    AFTER,
    MEETING_DAY,
    agenda_meeting,
    executive_signers,
    held,
    login,
    record,
    sign_all,
    special_meeting,
)

from documents.models import OutgoingDocument, OutgoingState
from documents.outgoing import services as issuance
from meetings.minutes import services as minutes_services
from meetings.models import Decision, Minutes
from meetings.shared.errors import MeetingError
from supervision.ledger.selectors import items_for_source
from supervision.models import Source, SupervisionItem
from tests.factories import DocumentPlanFactory, PlanItemFactory, outgoing_fields
from tiexi_gov.deadlines import services as deadlines
from tiexi_gov.deadlines.models import Deadline
from tiexi_gov.notify.models import Message
from tiexi_gov.workdays import calendar as wd
from tiexi_gov.workflow.models import Task
from tiexi_gov.workflow.selectors import queue

DUE = dt.date(2026, 12, 31)


def issue_decision(w, m, topic, **extra) -> Decision:
    return record(
        w,
        m,
        "原则通过实施意见，由财政局修改完善后以区政府名义印发。",
        topic=topic,
        kind=Decision.Kind.ISSUE_DOCUMENT,
        document_title="关于预算调整的实施意见",
        drafting_unit=w.units["财政局"],
        **extra,
    )


def work_decision(w, m, topic=None, *, actor=None, due=DUE) -> Decision:
    return record(
        w,
        m,
        "财政局牵头抓好预算调整落实。",
        actor=actor,
        topic=topic,
        kind=Decision.Kind.ASSIGN_WORK,
        lead_unit=w.units["财政局"],
        co_units=[w.units["发改局"], w.units["审计局"]],
        leader_post=w.exec_post,
        due=due,
        standard="年底前调整到位，执行率不低于95%",
    )


def signed_executive(w, *, make, date=MEETING_DAY, sign_day=AFTER):
    """An executive meeting on `date` whose minutes, with the decisions `make(meeting, topic)` records, are signed
    along the MTG-6 chain on `sign_day`."""
    m, topic = agenda_meeting(w, date)
    minutes = held(w, m)
    decisions = make(m, topic)
    minutes_services.send_minutes_for_signing(actor=w.staff, minutes=minutes, today=sign_day)
    sign_all(w, minutes, executive_signers(w), day=sign_day)
    return m, decisions


def mtg10(doc) -> Deadline:
    ct = ContentType.objects.get_for_model(OutgoingDocument)
    return Deadline.objects.get(subject_type=ct, subject_id=str(doc.pk), rule_id="MTG-10")


# --- MTG-10 -------------------------------------------------------------------------------------------------


def test_mtg_10_decision_creates_draft_and_7_workday_issue_deadline(world):
    w = world
    m, topic = agenda_meeting(w, MEETING_DAY)
    minutes = held(w, m)
    decision = issue_decision(w, m, topic)
    minutes_services.send_minutes_for_signing(actor=w.staff, minutes=minutes, today=AFTER)
    # nothing starts before the minutes are signed
    sign_all(w, minutes, executive_signers(w)[:-1])
    decision.refresh_from_db()
    assert decision.outgoing is None and not Deadline.objects.filter(rule_id="MTG-10").exists()
    sign_all(w, minutes, executive_signers(w)[-1:])

    decision.refresh_from_db()
    doc = decision.outgoing
    assert doc is not None and doc.state == OutgoingState.DRAFTING
    assert doc.title == "关于预算调整的实施意见" and doc.drafting_unit == w.units["财政局"]
    assert doc.drafted_by.unit == w.units["财政局"] and minutes.number in doc.body
    assert doc.meeting_decision == decision
    clock = mtg10(doc)
    assert clock.counted_from == MEETING_DAY and clock.workdays == 7
    assert clock.due == wd.add_workdays(MEETING_DAY, 7)
    assert clock.state == Deadline.State.OPEN and clock.owner_unit == w.units["财政局"]
    # the drafting unit sees its draft in flow B
    assert OutgoingDocument.objects.filter(drafting_unit=w.units["财政局"]).count() == 1
    # ... and its 待报送 in 我的待办 runs on that clock: the due day shows, and it turns red when it is late
    ct = ContentType.objects.get_for_model(OutgoingDocument)
    to_submit = Task.objects.filter(subject_type=ct, subject_id=doc.pk, action="submit", closed_at__isnull=True)
    assert to_submit.exists() and set(to_submit.values_list("deadline_id", flat=True)) == {clock.pk}
    clerk = w.clerks["财政局"]
    row = next(r for s in queue(clerk, AFTER) for r in s.rows if r.subject_id == doc.pk)
    assert row.due == clock.due and row.remaining


def test_mtg_10_sweep_escalates_a_document_not_issued_in_7_workdays(world):
    w = world
    _m, (decision,) = signed_executive(w, make=lambda m, topic: [issue_decision(w, m, topic)])
    decision.refresh_from_db()
    clock = mtg10(decision.outgoing)
    deadlines.sweep(today=clock.due)  # the due day itself is still in time
    clock.refresh_from_db()
    assert clock.state == Deadline.State.OPEN and clock.escalated_at is None
    deadlines.sweep(today=wd.add_workdays(clock.due, 1))
    clock.refresh_from_db()
    assert clock.state == Deadline.State.MISSED and clock.escalated_at is not None
    escalated = Message.objects.filter(level=Message.Level.ESCALATION, subject__contains="关于预算调整的实施意见")
    assert escalated.filter(recipient=w.director).exists()
    assert escalated.filter(recipient__unit=w.units["财政局"]).exists()
    # exactly once
    deadlines.sweep(today=wd.add_workdays(clock.due, 2))
    assert (
        Message.objects.filter(level=Message.Level.ESCALATION, recipient=w.director).count()
        == escalated.filter(recipient=w.director).count()
    )


def _issue(w, doc: OutgoingDocument, day: dt.date) -> OutgoingDocument:
    """Flow B from the draft to 印发: the 财政局 clerk completes and submits it, the office checks it, the
    executive deputy (财政局's leader) reviews it, the head signs, the office issues."""
    fresh = lambda: OutgoingDocument.objects.get(pk=doc.pk)  # noqa: E731
    plan = DocumentPlanFactory(issuer="government", unit=None, year=day.year, created_by=w.staff)
    item = PlanItemFactory(plan=plan, title=doc.title)
    fields = outgoing_fields()
    fields.pop("body")
    issuance.update_outgoing(actor=w.clerks["财政局"], document=fresh(), plan_item=item, today=day, **fields)
    issuance.submit_outgoing(actor=w.clerks["财政局"], document=fresh(), today=day)
    issuance.office_check_outgoing(actor=w.staff, document=fresh(), opinion="核稿无误", today=day)
    issuance.review_outgoing(actor=w.exec_deputy, document=fresh(), opinion="同意", today=day)
    issuance.sign_outgoing(actor=w.head, document=fresh(), opinion="同意印发", today=day)
    return issuance.issue_outgoing(actor=w.staff, document=fresh(), today=day)


def test_mtg_10_issuing_the_document_within_7_workdays_closes_the_deadline(world):
    w = world
    today = timezone.localdate()  # close_deadline judges "in time" by the real date
    _m, (decision,) = signed_executive(w, date=today, sign_day=today, make=lambda m, t: [issue_decision(w, m, t)])
    decision.refresh_from_db()
    clock = mtg10(decision.outgoing)
    assert clock.closed_at is None
    doc = _issue(w, decision.outgoing, today)
    assert doc.state == OutgoingState.ISSUED
    clock.refresh_from_db()
    assert clock.closed_at is not None and clock.state == Deadline.State.MET
    # a closed clock is never escalated
    deadlines.sweep(today=wd.add_workdays(clock.due, 3))
    clock.refresh_from_db()
    assert clock.state == Deadline.State.MET and clock.escalated_at is None


def test_mtg_10_only_plenary_and_executive_documents_run_the_7_workday_clock(world):
    w = world
    m = special_meeting(w, MEETING_DAY)
    minutes = held(w, m, drafter=w.clerks["教育局"])
    decision = record(
        w,
        m,
        "由教育局起草工作方案。",
        actor=w.clerks["教育局"],
        kind=Decision.Kind.ISSUE_DOCUMENT,
        document_title="关于推进集团化办学的工作方案",
        drafting_unit=w.units["教育局"],
    )
    minutes_services.send_minutes_for_signing(actor=w.clerks["教育局"], minutes=minutes, today=AFTER)
    sign_all(w, minutes, [w.unit_heads["财政局"], w.unit_heads["发改局"], w.edu_deputy, w.head])
    decision.refresh_from_db()
    assert decision.outgoing is not None  # the draft exists in the documents flow ...
    assert not Deadline.objects.filter(rule_id="MTG-10").exists()  # ... without the executive meeting's clock


def test_mtg_10_issue_decision_names_the_document_and_its_drafting_unit(world):
    w = world
    m, topic = agenda_meeting(w, MEETING_DAY)
    held(w, m)
    with pytest.raises(MeetingError, match="文件标题和起草单位"):
        record(w, m, topic=topic, kind=Decision.Kind.ISSUE_DOCUMENT, document_title="关于…的意见")
    with pytest.raises(MeetingError, match="文件标题和起草单位"):
        record(w, m, topic=topic, kind=Decision.Kind.ISSUE_DOCUMENT, drafting_unit=w.units["财政局"])
    assert not Decision.objects.exists()


# --- SUP-1 ------------------------------------------------------------------------------------------------------


def test_sup_1_meeting_decision_assigning_work_creates_supervision_item(world):
    w = world
    m, (decision,) = signed_executive(w, make=lambda m, t: [work_decision(w, m, t)])
    (item,) = SupervisionItem.objects.all()
    assert item.source == Source.MEETING_DECISION
    assert item.source_object == decision  # linked both ways
    assert items_for_source(decision) == [item]
    assert item.lead_unit == w.units["财政局"] and item.leader_post == w.exec_post and item.due == DUE
    assert set(item.cooperating_units.all()) == {w.units["发改局"], w.units["审计局"]}
    assert item.standard == "年底前调整到位，执行率不低于95%" and item.task == decision.text
    assert Minutes.objects.get(meeting=m).number in item.source_ref
    assert item.state != "draft"  # issued to the lead unit at once


def test_sup_1_assigned_work_needs_a_lead_unit_leader_due_date_and_standard(world):
    w = world
    m, topic = agenda_meeting(w, MEETING_DAY)
    held(w, m)
    base = {"topic": topic, "kind": Decision.Kind.ASSIGN_WORK, "lead_unit": w.units["财政局"]}
    for missing in ({}, {"leader_post": w.exec_post}, {"leader_post": w.exec_post, "due": DUE}):
        with pytest.raises(MeetingError, match="第四十七条、第五十条"):
            record(w, m, **base, **missing)
    with pytest.raises(MeetingError, match="晚于会议日期"):
        record(w, m, **base, leader_post=w.exec_post, due=MEETING_DAY, standard="完成")


def test_sup_1_special_meeting_work_recorded_by_the_lead_unit_enters_the_office_ledger(world):
    w = world
    m = special_meeting(w, MEETING_DAY)
    minutes = held(w, m, drafter=w.clerks["教育局"])
    decision = record(
        w,
        m,
        "教育局牵头制定集团化办学方案。",
        actor=w.clerks["教育局"],
        kind=Decision.Kind.ASSIGN_WORK,
        lead_unit=w.units["教育局"],
        leader_post=w.edu_deputy_post,
        due=DUE,
        standard="年底前印发方案",
    )
    minutes_services.send_minutes_for_signing(actor=w.clerks["教育局"], minutes=minutes, today=AFTER)
    sign_all(w, minutes, [w.unit_heads["财政局"], w.unit_heads["发改局"], w.edu_deputy, w.head])
    (item,) = items_for_source(decision)
    assert item.lead_unit == w.units["教育局"] and item.created_by.unit == w.office


def test_sup_1_a_decision_the_ledger_refuses_is_the_signers_message_and_nothing_is_signed(world):
    w = world
    m, topic = agenda_meeting(w, MEETING_DAY)
    minutes = held(w, m)
    record(
        w,
        m,
        "财政局牵头落实。",
        topic=topic,
        kind=Decision.Kind.ASSIGN_WORK,
        lead_unit=w.units["财政局"],
        leader_post=w.director_post,  # not a district leader: the ledger refuses it (SUP-1)
        due=DUE,
        standard="完成",
    )
    minutes_services.send_minutes_for_signing(actor=w.staff, minutes=minutes, today=AFTER)
    sign_all(w, minutes, executive_signers(w)[:-1])
    with pytest.raises(MeetingError, match="第1项会议决定无法执行"):
        minutes_services.sign_minutes_step(actor=w.head, minutes=minutes, today=AFTER)
    minutes.refresh_from_db()
    assert minutes.state == Minutes.State.SIGNING and not SupervisionItem.objects.exists()


# --- what the minutes page shows after signing -------------------------------------------------------------------


def test_minutes_page_links_the_created_items_and_documents(world, client):
    w = world
    today = timezone.localdate()
    due = wd.add_workdays(today, 20)  # after the meeting, whatever today is
    m, decisions = signed_executive(
        w, date=today, sign_day=today, make=lambda m, t: [issue_decision(w, m, t), work_decision(w, m, t, due=due)]
    )
    issue, work = (Decision.objects.get(pk=d.pk) for d in decisions)
    item = SupervisionItem.objects.get()
    page = login(client, w.staff).get(reverse("meetings:minutes", args=[m.pk])).content.decode()
    assert reverse("documents:outgoing_detail", args=[issue.outgoing_id]) in page
    assert reverse("supervision:item", args=[item.pk]) in page and item.number in page
    assert str(wd.add_workdays(today, 7).day) in page.split('data-testid="outgoing"')[1].split("</div>")[0]
    # a unit that may not see the supervision item does not get its link
    page = login(client, w.unit_heads["审计局"]).get(reverse("meetings:minutes", args=[m.pk])).content.decode()
    assert reverse("supervision:item", args=[item.pk]) in page  # 审计局 cooperates: it sees the item
    page = login(client, w.edu_deputy).get(reverse("meetings:minutes", args=[m.pk])).content.decode()
    assert reverse("supervision:item", args=[item.pk]) not in page
    assert work.text in page


def test_mtg_10_the_minutes_page_counts_the_issuance_clock_as_the_queue_does(world, client):
    """Found from outside: 我的待办 and 时限看板 said 超期 11 个工作日 while the minutes page still said 进行中
    (the clock's state until the sweep escalates it), and a 2027 完成时限 showed without the 暂定 mark the ledger
    gives it (CAL-2)."""
    from tiexi_gov.deadlines.display import due_html
    from tiexi_gov.deadlines.selectors import due_text

    w = world
    later = dt.date(2027, 2, 3)

    def make(m, topic):
        work = record(
            w, m, "发改局牵头推进项目前期工作。", topic=topic, kind=Decision.Kind.ASSIGN_WORK,
            lead_unit=w.units["发改局"], leader_post=w.exec_post, due=later, standard="完成可研批复",
        )  # fmt: skip
        return [issue_decision(w, m, topic), work]

    m, (decision, _work) = signed_executive(w, make=make)
    decision.refresh_from_db()
    clock = mtg10(decision.outgoing)
    assert clock.closed_at is None and clock.state == Deadline.State.OPEN  # not yet swept
    client.force_login(w.staff)
    html = client.get(reverse("meetings:minutes", args=[m.pk])).content.decode()
    words, _tone = due_text(clock.due, timezone.localdate())
    assert words.startswith("超期") and f'data-testid="issue-deadline">{words}<' in html
    assert "进行中" not in html
    assert f"完成时限：{due_html(later)}" in html


def test_mtg_10_the_outgoing_page_shows_the_issuance_clock_the_queue_shows(world, client):
    """Found from outside: 我的待办 said 待报送 … 超期 11 个工作日, and the 发文 page it opens showed no time limit
    at all (only inside the timeline's text). The page shows each running clock, counted as the queue counts it."""
    from tiexi_gov.deadlines.selectors import due_text

    w = world
    _m, (decision,) = signed_executive(w, make=lambda m, topic: [issue_decision(w, m, topic)])
    decision.refresh_from_db()
    clock = mtg10(decision.outgoing)
    client.force_login(w.clerks["财政局"])
    html = client.get(reverse("documents:outgoing_detail", args=[decision.outgoing_id])).content.decode()
    words, _tone = due_text(clock.due, timezone.localdate())
    assert 'data-testid="clock"' in html and clock.title in html and words in html


# --- MTG-12 / X-2: a confidential decision's work enters the ledger without its words ----------------------------

SECRET_TEXT = "财政局牵头核查某涉密工程资金缺口并提出处置方案。"
SECRET_STANDARD = "查清缺口金额，提出三套处置方案"


def test_mtg_12_confidential_decision_becomes_a_supervision_item_without_its_text(world, client):
    """A confidential decision is read by the office, the chair and its named readers (MTG-12); the ledger is read by
    the lead and cooperating units, the leader in charge, its exports and reminders. The item names the decision and
    carries its units, leader and deadline, never its words — two such decisions for one unit are not duplicates."""
    w = world

    def make(m, topic):
        return [
            record(
                w,
                m,
                text,
                topic=topic,
                kind=Decision.Kind.ASSIGN_WORK,
                lead_unit=w.units["财政局"],
                co_units=[w.units["审计局"]],
                leader_post=w.exec_post,
                due=DUE,
                standard=standard,
                confidential=True,
                confidential_reason="涉及国家秘密",
            )
            for text, standard in ((SECRET_TEXT, SECRET_STANDARD), ("另一项保密部署。", "另一项保密标准"))
        ]

    m, decisions = signed_executive(w, make=make)
    items = [items_for_source(d) for d in decisions]
    assert [len(found) for found in items] == [1, 1]  # SUP-5 does not take two neutral wordings for one task
    item = items[0][0]
    number = Minutes.objects.get(meeting=m).number
    assert number in item.task and "第1项" in item.task and "依法保密" in item.task
    assert SECRET_TEXT not in item.task and SECRET_STANDARD not in item.standard
    assert item.lead_unit == w.units["财政局"] and item.due == DUE
    secret_words = ("涉密工程", "处置方案", "三套")
    for who in (w.unit_heads["财政局"], w.unit_heads["审计局"]):
        page = login(client, who).get(reverse("supervision:item", args=[item.pk]))
        assert page.status_code == 200
        text = page.content.decode()
        assert not any(word in text for word in secret_words)
    assert not Message.objects.filter(body__contains="涉密工程").exists()
    assert not Message.objects.filter(subject__contains="涉密工程").exists()


def test_mtg_12_confidential_decision_to_issue_a_document_starts_a_draft_without_its_text(world, client):
    """The draft a confidential decision starts is read by the drafting unit and every step that processes it: it
    names the decision, does not quote it, and is itself 限定知悉范围 (its drafter and the processing bodies)."""
    w = world
    m, (decision,) = signed_executive(
        w,
        make=lambda m, t: [issue_decision(w, m, t, confidential=True, confidential_reason="涉及国家秘密")],
    )
    decision.refresh_from_db()
    doc = decision.outgoing
    assert doc is not None and doc.confidential
    assert decision.text not in doc.body and "第1项决定" in doc.body and "依法保密" in doc.body
    other = w.unit_deputies["财政局"]
    assert other != doc.drafted_by
    assert login(client, other).get(reverse("documents:outgoing_detail", args=[doc.pk])).status_code == 404
    page = login(client, doc.drafted_by).get(reverse("documents:outgoing_detail", args=[doc.pk]))
    assert page.status_code == 200 and decision.text not in page.content.decode()

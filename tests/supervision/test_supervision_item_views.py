"""An item's page and its actions through the views: what the page shows, which actions it offers to whom,
the confirmations of irreversible actions, downloads, the print page, and the audit record of every action.

The views use the real today (timezone.localdate()), so the data here is built relative to that day.
"""

from __future__ import annotations

import datetime as dt

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone
from supervision_support import DAY, make_item

from documents.models import Instruction, ProcessingSlip, Submission
from supervision.ledger import services
from supervision.models import ItemState, Source, SupervisionItem
from supervision.outcomes import services as outcome_services
from supervision.reports import services as report_services
from tests.factories import ActingArrangementFactory
from tiexi_gov.audit.models import Event
from tiexi_gov.deadlines.models import Deadline
from tiexi_gov.workdays import calendar as wd

pytestmark = [pytest.mark.postgres, pytest.mark.django_db]

PDF = b"%PDF-1.7\n%\xe2\xe3\xcf\xd3\n1 0 obj <<>> endobj\n"


@pytest.fixture
def today():
    return timezone.localdate()


@pytest.fixture(autouse=True)
def media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path


def _login(client_class, user):
    c = client_class()
    c.force_login(user)
    return c


def _act(client, item, action, data=None, *, seen=None):
    payload = {"seen_state": seen if seen is not None else SupervisionItem.objects.get(pk=item.pk).state}
    for k, v in (data or {}).items():
        payload[f"{action}-{k}"] = v
    return client.post(reverse("supervision:item_action", args=[item.pk, action]), payload)


def _state(item) -> str:
    return SupervisionItem.objects.get(pk=item.pk).state


def _messages(response) -> list[str]:
    from django.contrib.messages import get_messages

    if response.context is not None and "messages" in response.context:
        return [str(m) for m in response.context["messages"]]
    return [str(m) for m in get_messages(response.wsgi_request)]


def _page(client, item):
    return client.get(reverse("supervision:item", args=[item.pk]))


def _events(item) -> list[str]:
    return list(Event.objects.for_object(item).order_by("id").values_list("action", flat=True))


def _instruction(w, today) -> Instruction:
    """A deputy's instruction (领导批示) on a submission's processing slip: the source of an item."""
    sub = Submission.objects.create(unit=w.fin, title="关于老旧小区改造资金的请示", drafted_by=w.fin_clerk)
    slip = ProcessingSlip.objects.create(
        submission=sub,
        year=today.year,
        seq=7,
        number=f"收{today.year}-7",
        registered_on=today,
        registered_by=w.staff,
        from_unit_name=w.fin.name,
        urgency="normal",
        disclosure="full",
        title=sub.title,
        approval_workdays=10,
        approval_due=wd.add_workdays(today, 10),
    )
    return Instruction.objects.create(
        submission=sub,
        slip=slip,
        step=Instruction.Step.LEADER,
        decision=Instruction.Decision.APPROVE,
        opinion="请财政局牵头，月底前完成。",
        author=w.dep_a,
        post=w.dep_a_post,
    )


# --- the page ------------------------------------------------------------------------------------------------


def test_sup_1_item_page_shows_every_ledger_field_the_source_link_and_todays_leader(world, client, today):
    w = world
    ins = _instruction(w, today)
    due = wd.add_workdays(today, 10)
    item = make_item(
        w,
        today=today,
        source=Source.LEADER_INSTRUCTION,
        source_ref="李副区长批示（收文7号）",
        source_object=ins,
        due=due,
        task="完成全区老旧小区改造资金拨付",
        standard="拨付率100%，群众满意度90%以上",
    )
    c = _login(client.__class__, w.staff)
    r = _page(c, item)
    assert r.status_code == 200
    html = r.content.decode()
    assert item.number in html and "已交办（待签收）" in html
    assert "李副区长批示（收文7号）" in html
    # The link goes to the submission whose slip carries the instruction (the other half of the two-way link).
    assert reverse("documents:detail", args=[ins.submission_id]) in html
    assert "完成全区老旧小区改造资金拨付" in html and "拨付率100%，群众满意度90%以上" in html
    assert "铁西区财政局" in html and "铁西区发展和改革局" in html  # lead and cooperating units
    assert "副区长（财政）" in html and "李副区长" in html
    assert "铁西区人民政府办公室" in html  # the supervising unit
    assert f"剩 {wd.workdays_between(today, due)} 个工作日" in html
    assert r.context["light"] == "green"
    assert 'data-testid="percent"' in html  # the progress bar
    assert 'data-rule="SUP-1"' in html  # the completion clock
    assert "登记督查事项" in html and "交办" in html  # the audit timeline


def test_sup_1_leader_in_charge_shows_whoever_handles_the_post_today(world, client, today):
    """ORG-3: while 李副区长 is away, 孙副区长 acts for the post; the page names today's handler."""
    w = world
    ActingArrangementFactory(absent_post=w.dep_a_post, acting_post=w.dep_b_post, start=today, end=today)
    item = make_item(w, today=today)
    html = _page(_login(client.__class__, w.staff), item).content.decode()
    assert "孙副区长" in html and "代副区长（财政）" in html


def test_sup_1_item_page_offers_only_the_actions_the_user_may_take_now(world, client, today):
    w = world
    item = make_item(w, today=today)  # assigned
    fin = _page(_login(client.__class__, w.fin_clerk), item)
    assert fin.context["allowed"] == {"accept"}
    assert 'data-testid="do-accept"' in fin.content.decode()
    dev = _page(_login(client.__class__, w.dev_clerk), item)
    assert dev.context["allowed"] == {"report"}  # a cooperating unit reports its part, nothing else
    office = _page(_login(client.__class__, w.staff), item)
    assert office.context["allowed"] == {"cancel"}
    assert 'data-testid="do-accept"' not in office.content.decode()
    deputy = _page(_login(client.__class__, w.dep_a), item)
    assert deputy.context["allowed"] == set()
    assert 'data-testid="no-actions"' in deputy.content.decode()

    services.accept_item(actor=w.fin_clerk, item=item, today=today)
    services.claim_completion(actor=w.fin_clerk, item=item, evidence="已完成", today=today)
    assert _page(_login(client.__class__, w.fin_clerk), item).context["allowed"] == set()
    office = _page(_login(client.__class__, w.staff), item)
    assert office.context["allowed"] == {"verify", "return"}


def test_sup_1_get_on_an_action_changes_nothing_and_returns_to_the_page(world, client, today):
    w = world
    item = make_item(w, today=today)
    c = _login(client.__class__, w.fin_clerk)
    r = c.get(reverse("supervision:item_action", args=[item.pk, "accept"]))
    assert r.status_code == 302 and r["Location"] == reverse("supervision:item", args=[item.pk])
    assert _state(item) == ItemState.ASSIGNED
    assert c.post(reverse("supervision:item_action", args=[item.pk, "no-such-action"])).status_code == 404


def test_sup_2_a_refused_report_keeps_what_the_user_typed(world, client, today):
    w = world
    item = make_item(w, today=today)
    services.accept_item(actor=w.fin_clerk, item=item, today=today)
    c = _login(client.__class__, w.fin_clerk)
    r = _act(
        c, item, "report", {"percent": "150", "done": "已完成第一批资金拨付，共计三千万元", "problems": "进度偏慢"}
    )
    assert r.status_code == 400
    html = r.content.decode()
    assert "已完成第一批资金拨付，共计三千万元" in html and "进度偏慢" in html
    assert item.reports.count() == 0 and _state(item) == ItemState.ACCEPTED


def _seen_report(html: str) -> str:
    import re

    return re.search(r'name="seen_report" value="(\d+)"', html).group(1)


def test_sup_2_the_same_report_form_posted_twice_files_one_report_and_keeps_the_text(world, client, today):
    """A double click, the back button or a second tab posts the lead unit's report form again: the item stays in
    its state, so only the report the page showed tells the copy apart. The copy files nothing, names who reported,
    keeps what was typed; posted again from that answer, it is a new report on purpose."""
    w = world
    item = make_item(w, today=today)
    services.accept_item(actor=w.fin_clerk, item=item, today=today)
    c = _login(client.__class__, w.fin_clerk)
    page = c.get(reverse("supervision:item", args=[item.pk])).content.decode()
    payload = {
        "seen_state": _state(item),
        "seen_report": _seen_report(page),
        "report-percent": "45",
        "report-done": "两个标签页同时填写的进展",
    }
    url = reverse("supervision:item_action", args=[item.pk, "report"])
    assert c.post(url, payload).status_code == 302
    events = Event.objects.filter(action="reported", subject_id=str(item.pk))
    clock = Deadline.objects.get(subject_id=str(item.pk), rule_id="SUP-2", closed_at__isnull=True)
    payload["seen_state"] = _state(item)  # the second tab was drawn before the first report, in the same state
    again = c.post(url, payload)
    assert again.status_code == 409
    html = again.content.decode()
    assert f"{w.fin_clerk.display_name}已于" in html and "本次未重复提交" in html
    assert "两个标签页同时填写的进展" in html  # nothing typed is lost
    assert item.reports.count() == 1 and events.count() == 1
    assert Deadline.objects.get(subject_id=str(item.pk), rule_id="SUP-2", closed_at__isnull=True).pk == clock.pk
    # From the refusal page (it shows the report now on record), a second report is filed on purpose.
    payload["seen_report"] = _seen_report(html)
    assert c.post(url, payload).status_code == 302
    assert item.reports.count() == 2 and events.count() == 2


@pytest.mark.parametrize(
    "action,field",
    [("cancel", "reason"), ("verify", "note"), ("return", "reason"), ("refuse", "opinion")],
)
def test_sup_1_irreversible_actions_need_the_confirm_box_checked_on_the_server(world, client, today, action, field):
    w = world
    if action == "refuse":
        item = make_item(w, today=today, issue=False, in_government_name=True, supervising_unit=w.dev)
        services.issue_item(actor=w.staff, item=item, today=today)
        user = w.dep_a
    else:
        item = make_item(w, today=today)
        user = w.staff
        if action in ("verify", "return"):
            services.accept_item(actor=w.fin_clerk, item=item, today=today)
            services.claim_completion(actor=w.fin_clerk, item=item, evidence="已完成", today=today)
    before = _state(item)
    c = _login(client.__class__, user)
    r = _act(c, item, action, {field: "意见内容写在这里"})
    assert r.status_code == 400
    assert _state(item) == before
    assert "意见内容写在这里" in r.content.decode()  # kept for the second try
    assert any("勾选确认" in m for m in _messages(r))
    r = _act(c, item, action, {field: "意见内容写在这里", "confirm": "on"})
    assert r.status_code == 302
    assert _state(item) != before


def test_sup_1_office_issues_a_draft_and_cancel_stops_its_clocks(world, client, today):
    w = world
    item = make_item(w, today=today, issue=False)
    c = _login(client.__class__, w.staff)
    assert _page(c, item).context["may_edit"] is True
    assert _act(c, item, "issue").status_code == 302
    assert _state(item) == ItemState.ASSIGNED
    assert Deadline.objects.running().filter(subject_id=str(item.pk), rule_id="SUP-1").count() == 1
    assert _act(c, item, "cancel", {"reason": "任务调整", "confirm": "on"}).status_code == 302
    item.refresh_from_db()
    assert item.state == ItemState.CANCELLED and item.cancel_reason == "任务调整"
    assert not Deadline.objects.running().filter(subject_id=str(item.pk), rule_id__startswith="SUP").exists()


def test_sup_1_a_draft_past_its_deadline_is_not_assigned_until_the_date_is_corrected(world, client, today):
    """第四十七条: work is assigned with a deadline ahead; sent out late it would be overdue the day the unit gets it
    (red, counted against its on-time rate). The draft keeps its date and its edit form shows it until corrected."""
    w = world
    start, passed = today - dt.timedelta(days=104), today - dt.timedelta(days=21)
    item = make_item(w, today=today, issue=False, period_start=start, due=passed)
    office = _login(client.__class__, w.staff)
    r = _act(office, item, "issue")
    assert r.status_code == 400
    [message] = _messages(r)
    assert f"完成时限{passed:%Y-%m-%d}早于今天" in message and "第四十七条" in message and "SUP-" not in message
    assert _state(item) == ItemState.DRAFT and "assigned" not in _events(item)
    assert not Deadline.objects.filter(subject_id=str(item.pk), rule_id="SUP-1").exists()

    edit = office.get(reverse("supervision:item_edit", args=[item.pk]))
    form = edit.context["form"]
    assert form["due"].value() == passed and form["period_start"].value() == start
    assert passed.isoformat() in edit.content.decode()
    new_due = today + dt.timedelta(days=30)
    data = {
        "source_ref": "", "task": item.task, "kind": item.kind, "cycle": item.cycle, "lead_unit": w.fin.pk,
        "cooperating_units": [w.dev.pk], "leader_post": w.dep_a_post.pk, "due": new_due.isoformat(),
        "standard": item.standard, "period_start": start.isoformat(), "supervising_unit": w.office.pk,
    }  # fmt: skip
    assert office.post(reverse("supervision:item_edit", args=[item.pk]), data).status_code == 302
    assert _act(office, item, "issue").status_code == 302
    assert _state(item) == ItemState.ASSIGNED
    assert Deadline.objects.running().get(subject_id=str(item.pk), rule_id="SUP-1").due == new_due


def test_sup_1_leader_cannot_approve_an_item_whose_deadline_passed_while_it_waited(world):
    w = world
    item = make_item(w, today=DAY, due=DAY + dt.timedelta(days=10), in_government_name=True, supervising_unit=w.dev)
    assert item.state == ItemState.AWAITING_APPROVAL
    with pytest.raises(services.SupervisionError, match="不同意"):
        services.approve_item(actor=w.dep_a, item=item, opinion="同意", today=DAY + dt.timedelta(days=20))
    assert _state(item) == ItemState.AWAITING_APPROVAL
    assert services.refuse_item(actor=w.dep_a, item=item, opinion="请修改完成时限").state == ItemState.DRAFT


def test_sup_5_government_name_item_is_approved_or_refused_by_the_leader_in_charge(world, client, today):
    w = world
    item = make_item(w, today=today, issue=False, in_government_name=True, supervising_unit=w.dev)
    office = _login(client.__class__, w.staff)
    _act(office, item, "issue")
    assert _state(item) == ItemState.AWAITING_APPROVAL
    assert "approve" not in _page(office, item).context["allowed"]
    leader = _login(client.__class__, w.dep_a)
    assert _page(leader, item).context["allowed"] == {"approve", "refuse"}
    assert _act(leader, item, "refuse", {"opinion": "由办公室统一督查", "confirm": "on"}).status_code == 302
    assert _state(item) == ItemState.DRAFT
    _act(office, item, "issue")
    r = _act(leader, item, "approve", {"opinion": "同意"})
    assert r.status_code == 302 and _state(item) == ItemState.ASSIGNED
    assert {"submitted_for_approval", "refused", "approved"} <= set(_events(item))


def test_sup_5_joint_supervision_adds_a_supervising_unit_to_a_major_item(world, client, today):
    w = world
    plain = make_item(w, today=today)
    major = make_item(w, today=today, is_major=True, task="全区安全生产大检查", source_ref="安委会〔2026〕1号")
    office = _login(client.__class__, w.staff)
    assert "joint" not in _page(office, plain).context["allowed"]
    assert "joint" in _page(office, major).context["allowed"]
    # 审计局 cannot see the item before it joins the supervision, and can afterwards.
    auditor = _login(client.__class__, w.other_clerk)
    assert _page(auditor, major).status_code == 404
    r = _act(office, major, "joint", {"unit": w.other.pk})
    assert r.status_code == 302
    assert list(major.joint_units.all()) == [w.other]
    assert _page(auditor, major).status_code == 200
    assert "joint_unit_added" in _events(major)


def test_sup_4_outcome_proposal_link_only_for_the_office_once_a_conclusion_exists(world, client, today):
    w = world
    current = make_item(w, today=today)
    past = today - dt.timedelta(days=60)
    overdue = make_item(w, today=past, due=today - dt.timedelta(days=10), task="完成全区道路修缮", source_ref="x-1")
    office = _login(client.__class__, w.staff)
    url = reverse("supervision:outcome_new", args=[overdue.pk])
    assert url in _page(office, overdue).content.decode()
    assert reverse("supervision:outcome_new", args=[current.pk]) not in _page(office, current).content.decode()
    assert url not in _page(_login(client.__class__, w.fin_clerk), overdue).content.decode()


def test_sup_4_outcomes_on_the_item_link_to_their_pages(world, client, today):
    w = world
    past = today - dt.timedelta(days=60)
    item = make_item(w, today=past, due=today - dt.timedelta(days=10))
    outcome = outcome_services.propose_outcome(
        actor=w.staff, item=item, kind="criticism", grounds="逾期未完成", today=today
    )
    html = _page(_login(client.__class__, w.staff), item).content.decode()
    assert reverse("supervision:outcome", args=[outcome.pk]) in html and "批评" in html


# --- files ---------------------------------------------------------------------------------------------------


def test_x_2_report_files_download_through_the_items_permission_check(world, client, today):
    w = world
    item = make_item(w, today=today)
    other = make_item(w, today=today, lead_unit=w.other, cooperating_units=[], task="审计整改", source_ref="审-1")
    services.accept_item(actor=w.fin_clerk, item=item, today=today)
    fin = _login(client.__class__, w.fin_clerk)
    upload = SimpleUploadedFile("拨付明细.pdf", PDF, content_type="application/pdf")
    r = _act(fin, item, "report", {"percent": "20", "done": "拨付第一批", "files": [upload]})
    assert r.status_code == 302, _messages(r)
    f = item.files.get()
    assert f.name == "拨付明细.pdf" and f.report_id == item.reports.get().pk
    url = reverse("supervision:item_action", args=[item.pk, "file"]) + f"?id={f.pk}"
    assert url.replace("&", "&amp;") in _page(fin, item).content.decode() or url in _page(fin, item).content.decode()
    got = fin.get(url)
    assert got.status_code == 200 and b"".join(got.streaming_content) == PDF
    assert got["Content-Type"] == "application/pdf"
    # the cooperating unit sees the item, so it may read its files; 审计局 and an outsider get 404
    assert _login(client.__class__, w.dev_clerk).get(url).status_code == 200
    assert _login(client.__class__, w.other_clerk).get(url).status_code == 404
    assert _login(client.__class__, w.outsider).get(url).status_code == 404
    # a file id of another item through this item's address: 404
    wrong = reverse("supervision:item_action", args=[other.pk, "file"]) + f"?id={f.pk}"
    assert _login(client.__class__, w.staff).get(wrong).status_code == 404


def test_x_2_a_renamed_executable_is_refused_as_report_material(world, client, today):
    w = world
    item = make_item(w, today=today)
    services.accept_item(actor=w.fin_clerk, item=item, today=today)
    fin = _login(client.__class__, w.fin_clerk)
    fake = SimpleUploadedFile("材料.pdf", b"MZ\x90\x00 not a pdf", content_type="application/pdf")
    r = _act(fin, item, "report", {"percent": "20", "done": "拨付第一批", "files": [fake]})
    assert r.status_code == 400
    assert item.reports.count() == 0 and item.files.count() == 0


# --- print ---------------------------------------------------------------------------------------------------


def test_sup_1_print_page_is_the_assignment_sheet_with_the_reports(world, client, today):
    w = world
    item = make_item(w, today=today, task="完成全区老旧小区改造资金拨付")
    services.accept_item(actor=w.fin_clerk, item=item, today=today)
    report_services.file_progress_report(actor=w.fin_clerk, item=item, percent=40, done="拨付两批资金", today=today)
    r = _login(client.__class__, w.fin_clerk).get(reverse("supervision:item_print", args=[item.pk]))
    assert r.status_code == 200
    html = r.content.decode()
    assert "督查事项交办单" in html and item.number in html
    for text in (
        "完成全区老旧小区改造资金拨付",
        "铁西区财政局",
        "铁西区发展和改革局",
        "副区长（财政）",
        "拨付率达到100%",
    ):
        assert text in html
    assert "拨付两批资金" in html and "40%" in html
    assert f"{item.due.year}年{item.due.month}月{item.due.day}日" in html
    assert (
        _login(client.__class__, w.outsider).get(reverse("supervision:item_print", args=[item.pk])).status_code == 404
    )


# --- every action leaves its record ---------------------------------------------------------------------


def test_x_1_every_item_action_writes_an_audit_event(world, client, today):
    w = world
    office = _login(client.__class__, w.staff)
    fin = _login(client.__class__, w.fin_clerk)
    leader = _login(client.__class__, w.dep_a)

    def step(c, item, action, data, event):
        before = Event.objects.for_object(item).count()
        r = _act(c, item, action, data)
        assert r.status_code == 302, (action, _messages(r))
        assert Event.objects.for_object(item).count() > before
        assert event in _events(item)[before:], (action, _events(item)[before:])

    gov = make_item(w, today=today, issue=False, in_government_name=True, supervising_unit=w.dev, source_ref="g-1")
    step(office, gov, "issue", {}, "submitted_for_approval")
    step(leader, gov, "refuse", {"opinion": "不必", "confirm": "on"}, "refused")
    step(office, gov, "issue", {}, "submitted_for_approval")
    step(leader, gov, "approve", {"opinion": "同意"}, "approved")
    step(office, gov, "cancel", {"reason": "重复", "confirm": "on"}, "cancelled")

    rect = {"problem": "台账不全", "level": "city", "found_by": "市督查组", "measures": "补齐台账"}
    item = make_item(w, today=today, source=Source.INSPECTION, rectification=rect, is_major=True, source_ref="r-1")
    step(fin, item, "accept", {}, "accepted")
    step(fin, item, "report", {"percent": "50", "done": "补齐一半"}, "reported")
    step(fin, item, "rectification", {"measures": "补齐台账", "mechanism": "月度核对制度"}, "rectification_updated")
    step(office, item, "joint", {"unit": w.other.pk}, "joint_unit_added")
    step(fin, item, "claim", {"evidence": "台账已补齐"}, "claimed")
    step(office, item, "return", {"reason": "抽查仍缺", "confirm": "on"}, "returned")
    step(fin, item, "claim", {"evidence": "已全部补齐"}, "claimed")
    step(office, item, "verify", {"note": "核验属实", "confirm": "on"}, "verified")

    prop = {"number": "建议第3号", "proposer": "张代表"}
    p = make_item(w, today=today, source=Source.NPC_SUGGESTION, proposal=prop, source_ref="人大建议3号")
    step(fin, p, "proposal-reply", {"reply": "已答复", "satisfaction": "satisfied"}, "proposal_replied")
    step(office, p, "proposal-publish", {"summary": "已办结", "confirm": "on"}, "proposal_published")


def test_sup_3_pub_3_rectification_and_reply_forms_saved_again_unchanged_record_nothing(world, client, today):
    """The rectification form and the proposal reply form show what was recorded (both may be amended). Saved
    again untouched they wrote a second "更新整改情况" / "登记建议提案答复" into the item's record; now nothing."""
    from supervision.models import Proposal
    from tests.form_roundtrip import form_data

    w = world
    fin = _login(client.__class__, w.fin_clerk)
    rect = {"problem": "台账不全", "level": "city", "found_by": "市督查组", "measures": "补齐台账"}
    item = make_item(w, today=today, source=Source.INSPECTION, rectification=rect, source_ref="r-9")
    assert _act(fin, item, "accept", {}).status_code == 302
    assert _act(fin, item, "rectification", {"measures": "补齐台账\n逐户核对", "mechanism": "月度核对"}).status_code
    prop = {"number": "建议第9号", "proposer": "李代表"}
    p = make_item(
        w, today=today, source=Source.NPC_SUGGESTION, proposal=prop, source_ref="人大建议9号", task="加装电梯建议办理"
    )
    reply = {"reply": "已答复", "replied_on": (today - dt.timedelta(days=3)).isoformat(), "satisfaction": "basic"}
    assert _act(fin, p, "proposal-reply", reply).status_code == 302
    for it, name in ((item, "rectification"), (p, "proposal-reply")):
        events = Event.objects.count()
        page = fin.get(reverse("supervision:item", args=[it.pk])).content.decode()
        url = reverse("supervision:item_action", args=[it.pk, name])
        data = form_data(page, ("action", url))
        assert data.get(f"{name}-measures" if name == "rectification" else f"{name}-reply"), name
        assert fin.post(url, data).status_code == 302, name
        assert Event.objects.count() == events, name
    assert Proposal.objects.get(item=p).replied_on == today - dt.timedelta(days=3)


def test_sup_3_pub_3_rectification_and_reply_forms_saved_again_unchanged_say_nothing_changed(world, client, today):
    """Saved again untouched, the rectification and reply forms recorded nothing but still told the unit
    "整改情况已更新" / "答复已登记" — a change that was never made. They now say nothing was changed; an amendment
    is still reported as one."""
    from tests.form_roundtrip import form_data

    w = world
    fin = _login(client.__class__, w.fin_clerk)
    rect = {"problem": "台账不全", "level": "city", "found_by": "市督查组", "measures": "补齐台账"}
    item = make_item(w, today=today, source=Source.INSPECTION, rectification=rect, source_ref="r-9")
    assert _act(fin, item, "accept", {}).status_code == 302
    assert _act(fin, item, "rectification", {"measures": "补齐台账", "mechanism": "月度核对"}).status_code == 302
    prop = {"number": "建议第9号", "proposer": "李代表"}
    p = make_item(
        w, today=today, source=Source.NPC_SUGGESTION, proposal=prop, source_ref="人大建议9号", task="加装电梯建议办理"
    )
    reply = {"reply": "已答复", "replied_on": (today - dt.timedelta(days=3)).isoformat(), "satisfaction": "basic"}
    assert _act(fin, p, "proposal-reply", reply).status_code == 302
    cases = (
        (item, "rectification", "整改情况未作修改。", "整改情况已更新", "rectification-mechanism", "季度复核"),
        (p, "proposal-reply", "答复未作修改。", "答复已登记", "proposal-reply-reply", "已答复并补充说明"),
    )
    for it, name, unchanged, changed, field, value in cases:
        page = fin.get(reverse("supervision:item", args=[it.pk])).content.decode()
        url = reverse("supervision:item_action", args=[it.pk, name])
        data = form_data(page, ("action", url))
        shown = fin.post(url, data, follow=True).content.decode()
        assert unchanged in shown and changed not in shown, name
        data[field] = [value]
        shown = fin.post(url, data, follow=True).content.decode()
        assert changed in shown and unchanged not in shown, name


# --- speed ---------------------------------------------------------------------------------------------------


def test_item_page_costs_the_same_queries_with_more_reports_and_files(world, client, today):
    w = world
    item = make_item(w, today=today)
    services.accept_item(actor=w.fin_clerk, item=item, today=today)
    c = _login(client.__class__, w.fin_clerk)

    def report(n):
        f = SimpleUploadedFile(f"材料{n}.pdf", PDF, content_type="application/pdf")
        report_services.file_progress_report(
            actor=w.fin_clerk, item=item, percent=10 * n, done=f"第{n}次", files=[f], today=today
        )
        report_services.file_progress_report(actor=w.dev_clerk, item=item, percent=10 * n, done=f"协办{n}", today=today)

    report(1)
    _page(c, item)  # warm the caches (content types, calendar)
    with CaptureQueriesContext(connection) as small:
        assert _page(c, item).status_code == 200
    for n in range(2, 7):
        report(n)
    with CaptureQueriesContext(connection) as large:
        html = _page(c, item).content.decode()
    assert "协办6" in html and "材料6.pdf" in html
    assert len(large) == len(small), [q["sql"] for q in large][len(small) :]


def test_x_1_a_stale_form_check_says_the_page_expired_and_shows_what_was_typed(world, today):
    """A login in another window renews the form check: the report posted from the old page is refused (403), and
    the page says the page expired, not 无权 (the account has the right), and shows the text to copy back. A post
    from another site is refused the same way without echoing its words."""
    from django.test import Client

    w = world
    item = make_item(w, today=today)
    services.accept_item(actor=w.fin_clerk, item=item, today=today)
    c = Client(enforce_csrf_checks=True)
    c.force_login(w.fin_clerk)
    c.get(reverse("supervision:item", args=[item.pk]))  # the form check's cookie
    url = reverse("supervision:item_action", args=[item.pk, "report"])
    payload = {
        "csrfmiddlewaretoken": "x" * 64,  # the old page's token
        "seen_state": _state(item),
        "report-percent": "45",
        "report-done": "已完成第一批资金拨付，共计三千万元",
    }
    own = c.post(url, payload, HTTP_ORIGIN="http://testserver", HTTP_REFERER=f"http://testserver{url}")
    html = own.content.decode()
    assert own.status_code == 403 and "页面已过期" in html and "无权" not in html
    assert "已完成第一批资金拨付，共计三千万元" in html and 'data-testid="kept-text"' in html
    assert item.reports.count() == 0
    foreign = c.post(url, payload, HTTP_ORIGIN="https://evil.example", HTTP_REFERER="https://evil.example/x")
    assert foreign.status_code == 403 and "已完成第一批资金拨付" not in foreign.content.decode()

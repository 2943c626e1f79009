"""Leave and travel (第七十五条 LEAVE-1..3) and the acting it sets up (第十五条 LEAVE-4): services and pages."""

from __future__ import annotations

import datetime as dt
import re

import pytest
from django.urls import reverse
from django.utils import timezone

from coordination.absence import services as absence
from coordination.models import AbsenceRequest
from coordination.shared.errors import ActionNotAllowed, AlreadyHandled, CoordinationError
from tiexi_gov.audit.models import Event
from tiexi_gov.notify.models import Message
from tiexi_gov.org.models import ActingArrangement, Post, User
from tiexi_gov.org.selectors import who_handles

State = AbsenceRequest.State
FRI = dt.date(2026, 9, 4)  # a Friday
MON = dt.date(2026, 9, 7)


def d(day: int, month: int = 9) -> dt.date:
    return dt.date(2026, month, day)


def ask(w, person, post, start, end, today, acting=None, **kw):
    return absence.request_absence(
        actor=person,
        post=post,
        start=start,
        end=end,
        place=kw.pop("place", "北京"),
        purpose=kw.pop("purpose", "参加培训"),
        contact=kw.pop("contact", "13900000000"),
        acting_post=acting,
        today=today,
        **kw,
    )


def unit_deputy_post(w, short: str) -> Post:
    return Post.objects.get(unit=w.units[short], kind=Post.Kind.UNIT_DEPUTY)


def inbox(user) -> list[str]:
    return list(Message.objects.filter(recipient=user).values_list("subject", flat=True))


def fresh(user) -> User:
    """A new user object: permission caches live on the object for one request."""
    return User.objects.get(pk=user.pk)


# --- LEAVE-1 ------------------------------------------------------------------------------------------------


def test_org_3_the_head_away_is_entrusted_to_the_executive_deputy_and_the_refusal_counts_under_org_3(world):
    """第十五条 (ORG-3): 区长外出期间，由负责常务工作的副区长受委托主持工作 — naming another deputy is refused, and the
    refusal is counted under the article it cites (the compliance board), not under the 3-day notice (LEAVE-1)."""
    w = world
    with pytest.raises(CoordinationError) as exc:
        ask(w, w.head, w.head_post, MON, d(9), today=FRI, acting=w.edu_deputy_post)
    assert exc.value.rule_id == "ORG-3" and "第十五条" in exc.value.message


def test_leave_4_an_acting_leader_is_not_away_those_days_and_never_approves_his_own_leave(world):
    """第十五条: the executive deputy entrusted while the head is away cannot be away himself on those days (his
    work would pass to a deputy nobody designated); a leave he files meanwhile goes to the head's post, which he
    handles — yet the head decides it in person, never he; and an entrustment made after a leave was filed stops
    its approval for the days it covers."""
    w = world
    ask(w, w.head, w.head_post, MON, d(9), today=FRI)  # reported, the executive deputy entrusted
    with pytest.raises(CoordinationError, match="第十五条"):
        ask(w, w.exec_deputy, w.exec_post, d(8), d(8), today=FRI, acting=w.judicial_post)
    assert not AbsenceRequest.objects.filter(person=w.exec_deputy).exists()

    later = ask(w, w.exec_deputy, w.exec_post, d(14), d(15), today=MON, acting=w.judicial_post)
    assert later.approver_post == w.head_post
    with pytest.raises(ActionNotAllowed):
        absence.decide_absence(actor=fresh(w.exec_deputy), request=later, approve=True, today=MON)
    assert AbsenceRequest.objects.get(pk=later.pk).state == State.REQUESTED
    approved = absence.decide_absence(actor=fresh(w.head), request=later, approve=True, today=MON)
    assert approved.state == State.APPROVED and approved.decided_by == w.head

    pending = ask(w, w.exec_deputy, w.exec_post, d(28), d(29), today=d(10), acting=w.judicial_post)
    ask(w, w.head, w.head_post, d(28), d(30), today=d(10))  # filed after: the executive deputy entrusted again
    with pytest.raises(CoordinationError, match="第十五条"):
        absence.decide_absence(actor=fresh(w.head), request=pending, approve=True, today=d(10))
    assert AbsenceRequest.objects.get(pk=pending.pk).state == State.REQUESTED


def test_leave_1_head_request_less_than_3_days_ahead_refused_unless_national_meeting(world):
    w = world
    # Friday → Sunday is 2 calendar days: refused, with the day by which it should have been reported.
    with pytest.raises(CoordinationError) as exc:
        ask(w, w.head, w.head_post, d(6), d(8), today=FRI)
    assert exc.value.rule_id == "LEAVE-1"
    assert "2026-09-03" in exc.value.message
    # Friday → Monday is 3 calendar days (only 1 working day): "提前3天" counts calendar days, so it stands.
    req = ask(w, w.head, w.head_post, MON, d(9), today=FRI)
    assert req.state == State.APPROVED
    assert req.kind == AbsenceRequest.Kind.HEAD
    assert req.approver_post is None
    assert req.reported_to_city_on == FRI
    assert req.decided_by == w.head and req.decision_opinion == "已报市委、市政府"
    assert req.acting_post == w.exec_post
    assert req.arrangement.kind == ActingArrangement.Kind.ENTRUSTED
    handler = who_handles(w.head_post, MON)
    assert handler.person == w.exec_deputy and handler.capacity == "受区长委托主持工作"
    assert any("委托您主持" in s for s in inbox(w.exec_deputy))
    assert any("区长外出报告" in s for s in inbox(w.staff))
    # a national or provincial meeting: no 3-day notice needed
    meeting = ask(w, w.head, w.head_post, d(5), d(5), today=FRI, national_or_provincial_meeting=True)
    assert meeting.state == State.APPROVED and meeting.national_or_provincial_meeting
    # the entrusted person is the executive deputy, no one else (ORG-3)
    with pytest.raises(CoordinationError):
        ask(w, w.head, w.head_post, d(20), d(21), today=FRI, acting=w.judicial_post)


def test_leave_1_only_the_holder_asks_leave_for_a_post(world):
    w = world
    with pytest.raises(ActionNotAllowed):
        ask(w, w.exec_deputy, w.head_post, d(20), d(21), today=FRI)
    with pytest.raises(CoordinationError):  # a clerk's post is not one that asks leave under 第七十五条
        ask(w, w.staff, w.office_deputy_post, d(20), d(21), today=FRI)


# --- LEAVE-2 ------------------------------------------------------------------------------------------------


def test_leave_2_deputy_asks_head_and_office_informs_other_leaders(world):
    w = world
    for wrong in (None, w.head_post, unit_deputy_post(w, "教育局")):
        with pytest.raises(CoordinationError):  # the head designates another deputy (ORG-3)
            ask(w, w.edu_deputy, w.edu_deputy_post, MON, d(9), today=FRI, acting=wrong)
    req = ask(w, w.edu_deputy, w.edu_deputy_post, MON, d(9), today=FRI, acting=w.judicial_post)
    assert req.state == State.REQUESTED and req.kind == AbsenceRequest.Kind.DEPUTY
    assert req.approver_post == w.head_post
    assert any("待您审批" in s for s in inbox(w.head))
    assert not any("通报" in s for s in inbox(w.exec_deputy))
    assert not ActingArrangement.objects.exists()

    with pytest.raises(ActionNotAllowed):  # only the head (or whoever acts for the head) decides
        absence.decide_absence(actor=w.judicial_deputy, request=req, approve=True, today=FRI)

    req = absence.decide_absence(actor=w.head, request=req, approve=True, opinion="同意", today=FRI)
    assert req.state == State.APPROVED
    arr = req.arrangement
    assert (arr.absent_post, arr.acting_post, arr.start, arr.end) == (w.edu_deputy_post, w.judicial_post, MON, d(9))
    assert arr.kind == ActingArrangement.Kind.DESIGNATED and arr.designated_by == w.head
    for leader in (w.exec_deputy, w.judicial_deputy):
        assert any(s.startswith("通报：张副区长") for s in inbox(leader)), leader
    assert not any(s.startswith("通报") for s in inbox(w.edu_deputy))
    assert any("已批准" in s for s in inbox(w.edu_deputy))
    assert Event.objects.filter(action="inform_leaders", rule_id="LEAVE-2").count() == 1
    with pytest.raises((AlreadyHandled, CoordinationError)):  # a second decision finds it decided
        absence.decide_absence(actor=w.head, request=req, approve=False, opinion="不同意", today=FRI)


def test_leave_2_the_acting_person_may_not_be_away_too(world):
    w = world
    first = ask(w, w.judicial_deputy, w.judicial_post, MON, d(9), today=FRI, acting=w.exec_post)
    absence.decide_absence(actor=w.head, request=first, approve=True, today=FRI)
    with pytest.raises(CoordinationError) as exc:
        ask(w, w.edu_deputy, w.edu_deputy_post, d(8), d(8), today=FRI, acting=w.judicial_post)
    assert exc.value.rule_id == "LEAVE-4"


def test_leave_2_rejection_needs_an_opinion_and_sets_up_no_acting(world):
    w = world
    req = ask(w, w.edu_deputy, w.edu_deputy_post, MON, d(9), today=FRI, acting=w.judicial_post)
    with pytest.raises(CoordinationError):
        absence.decide_absence(actor=w.head, request=req, approve=False, opinion=" ", today=FRI)
    req = absence.decide_absence(actor=w.head, request=req, approve=False, opinion="近期工作任务重", today=FRI)
    assert req.state == State.REJECTED and req.arrangement is None
    assert who_handles(w.edu_deputy_post, MON).person == w.edu_deputy


# --- LEAVE-3 ------------------------------------------------------------------------------------------------


def test_leave_3_unit_head_one_day_to_deputy_longer_to_head_filed_with_office(world):
    w = world
    edu_head, edu_head_post = w.unit_heads["教育局"], w.unit_head_posts["教育局"]
    acting = unit_deputy_post(w, "教育局")
    with pytest.raises(CoordinationError) as exc:  # the acting person is a deputy of the same unit
        ask(w, edu_head, edu_head_post, MON, MON, today=FRI, acting=unit_deputy_post(w, "财政局"))
    assert exc.value.rule_id == "LEAVE-3"
    one_day = ask(w, edu_head, edu_head_post, MON, MON, today=FRI, acting=acting, place="长春")
    longer = ask(w, edu_head, edu_head_post, d(14), d(15), today=FRI, acting=acting)
    assert one_day.kind == AbsenceRequest.Kind.UNIT_HEAD
    assert one_day.approver_post == w.edu_deputy_post  # 分管副区长 (ORG-2 portfolio)
    assert longer.approver_post == w.head_post
    with pytest.raises(ActionNotAllowed):
        absence.decide_absence(actor=w.head, request=one_day, approve=True, today=FRI)
    with pytest.raises(ActionNotAllowed):
        absence.decide_absence(actor=w.edu_deputy, request=longer, approve=True, today=FRI)
    assert fresh(w.staff).pk and not any("备案" in s for s in inbox(w.staff))

    one_day = absence.decide_absence(actor=w.edu_deputy, request=one_day, approve=True, today=FRI)
    assert one_day.filed_with_office_at is not None
    filed = Message.objects.filter(recipient=w.director, subject__startswith="备案").get()
    for part in ("2026-09-07", "长春", "13900000000", "教育局副职"):
        assert part in filed.body
    assert Event.objects.filter(action="file_with_office", rule_id="LEAVE-3").count() == 1
    assert who_handles(edu_head_post, MON).person == w.unit_deputies["教育局"]

    # on return: a report is required, and it goes to the head and the responsible deputy
    with pytest.raises(CoordinationError):
        absence.report_return(actor=edu_head, request=one_day, returned_on=d(8), report="", today=d(8))
    Message.objects.all().delete()
    one_day = absence.report_return(
        actor=edu_head, request=one_day, returned_on=d(8), report="培训结束，已返回。", today=d(8)
    )
    assert one_day.state == State.RETURNED
    assert any("已返回" in s for s in inbox(w.head)) and any("已返回" in s for s in inbox(w.edu_deputy))
    assert not any("已返回" in s for s in inbox(w.exec_deputy))


def test_leave_3_an_acting_deputy_decides_for_the_absent_responsible_deputy(world):
    w = world
    away = ask(w, w.edu_deputy, w.edu_deputy_post, MON, d(11), today=FRI, acting=w.judicial_post)
    absence.decide_absence(actor=w.head, request=away, approve=True, today=FRI)
    req = ask(
        w,
        w.unit_heads["教育局"],
        w.unit_head_posts["教育局"],
        d(8),
        d(8),
        today=MON,
        acting=unit_deputy_post(w, "教育局"),
    )
    with pytest.raises(ActionNotAllowed):  # away: the absent deputy no longer handles the post's matters
        absence.decide_absence(actor=fresh(w.edu_deputy), request=req, approve=True, today=MON)
    req = absence.decide_absence(actor=fresh(w.judicial_deputy), request=req, approve=True, today=MON)
    event = Event.objects.get(action="approve", subject_id=str(req.pk))
    assert event.capacity == "代副区长（教育）" and event.acting_for == w.edu_deputy


# --- LEAVE-4 ------------------------------------------------------------------------------------------------


def _submission_in_edu_deputys_queue(w, day: dt.date):
    """A 教育局 request routed to its responsible deputy (DOC-11): a pending step on the deputy's post."""
    from documents.models import Disclosure, DisclosureManner, SubmissionKind, Urgency
    from documents.submissions import services as docs
    from tiexi_gov.workdays import calendar as wd

    clerk, head = w.clerks["教育局"], w.unit_heads["教育局"]
    sub = docs.create_draft(
        actor=clerk,
        title="关于拨付校舍维修资金的请示",
        kind=SubmissionKind.REQUEST,
        body="请示正文。",
        urgency=Urgency.NORMAL,
        disclosure=Disclosure.FULL,
        disclosure_manner=DisclosureManner.ACTIVE,
        decision_needed_by=wd.add_workdays(day, 20),
        declares_one_matter=True,
        not_classified=True,
    )
    sub = docs.send_for_signature(actor=clerk, submission=sub, today=day)
    sub = docs.sign_submission(actor=head, submission=sub, issue_date=day, today=day)
    sub = docs.submit_to_office(actor=clerk, submission=sub, today=day)
    docs.register(actor=w.staff, submission=sub, today=day)
    sub.refresh_from_db()
    docs.office_review_opinion(actor=w.office_deputy, submission=sub, opinion="拟呈分管领导阅示。", today=day)
    sub.refresh_from_db()
    docs.office_review_opinion(actor=w.director, submission=sub, opinion="同意呈批。", today=day)
    sub.refresh_from_db()
    return docs.route_to_leader(actor=w.staff, submission=sub, today=day)


def _queues(user, day: dt.date) -> tuple[set[int], set[int]]:
    """(pending leader steps, running deadlines) that reach `user` on `day`."""
    from documents.submissions.selectors import leader_queue
    from tiexi_gov.deadlines.selectors import queue_for

    user = fresh(user)
    return {a.pk for a in leader_queue(user, day)}, {dl.pk for dl in queue_for(user, day)}


def test_leave_4_approved_deputy_leave_reroutes_queue_to_acting_deputy_on_first_day_and_back_after_return(world):
    from tiexi_gov.deadlines.models import Deadline

    w = world
    step = _submission_in_edu_deputys_queue(w, d(1))
    clock = Deadline.objects.get(owner_post=w.edu_deputy_post, closed_at__isnull=True)
    assert step.post == w.edu_deputy_post
    req = ask(w, w.edu_deputy, w.edu_deputy_post, MON, d(11), today=d(2), acting=w.judicial_post)
    absence.decide_absence(actor=w.head, request=req, approve=True, today=d(2))

    # the Friday before: still the deputy's
    assert _queues(w.edu_deputy, FRI) == ({step.pk}, {clock.pk})
    assert step.pk not in _queues(w.judicial_deputy, FRI)[0]
    # the first day of the leave: the acting deputy has it, in the capacity "代…", the absent deputy not
    acting_steps, acting_clocks = _queues(w.judicial_deputy, MON)
    assert step.pk in acting_steps and clock.pk in acting_clocks
    assert _queues(w.edu_deputy, MON) == (set(), set())
    from tiexi_gov.deadlines.selectors import queue_for

    shown = queue_for(fresh(w.judicial_deputy), MON).get(pk=clock.pk)
    assert shown.capacity == f"代副区长（教育）{w.edu_deputy.display_name}"

    # back on Tuesday (early): the acting ends on Monday, the queue returns to the deputy
    absence.report_return(actor=w.edu_deputy, request=req, returned_on=d(8), report="提前返回。", today=d(8))
    req.refresh_from_db()
    assert req.arrangement.end == MON and not req.arrangement.cancelled
    assert _queues(w.edu_deputy, d(8)) == ({step.pk}, {clock.pk})
    assert step.pk not in _queues(w.judicial_deputy, d(8))[0]
    assert step.pk in _queues(w.judicial_deputy, MON)[0]  # history is kept: Monday stays the acting deputy's


def test_leave_4_cancel_before_start_and_return_on_the_first_day_undo_the_acting(world):
    w = world
    req = ask(w, w.edu_deputy, w.edu_deputy_post, MON, d(9), today=d(1), acting=w.judicial_post)
    absence.decide_absence(actor=w.head, request=req, approve=True, today=d(1))
    with pytest.raises(ActionNotAllowed):
        absence.cancel_absence(actor=w.judicial_deputy, request=req, reason="x", today=d(2))
    req = absence.cancel_absence(actor=w.edu_deputy, request=req, reason="会议取消", today=d(2))
    assert req.state == State.CANCELLED and req.arrangement.cancelled
    assert who_handles(w.edu_deputy_post, MON).person == w.edu_deputy

    again = ask(w, w.edu_deputy, w.edu_deputy_post, d(14), d(16), today=d(2), acting=w.judicial_post)
    absence.decide_absence(actor=w.head, request=again, approve=True, today=d(2))
    with pytest.raises(CoordinationError):  # started: no withdrawal, a return report instead
        absence.cancel_absence(actor=w.edu_deputy, request=again, reason="x", today=d(14))
    # a return dated before the absence began is a typing slip, not "未实际外出": refused, the acting kept
    with pytest.raises(CoordinationError, match="不能早于外出起始日期"):
        absence.report_return(actor=w.edu_deputy, request=again, returned_on=d(13), report="未成行", today=d(14))
    again.refresh_from_db()
    assert again.state == State.APPROVED and not again.arrangement.cancelled
    absence.report_return(actor=w.edu_deputy, request=again, returned_on=d(14), report="未成行", today=d(14))
    again.refresh_from_db()
    assert again.state == State.RETURNED and again.arrangement.cancelled
    assert who_handles(w.edu_deputy_post, d(15)).person == w.edu_deputy


# --- pages --------------------------------------------------------------------------------------------------


def _today() -> dt.date:
    return timezone.localdate()


def test_leave_pages_clerk_gets_404_on_others_requests_and_on_the_list(world, client):
    w = world
    today = _today()
    req = ask(w, w.edu_deputy, w.edu_deputy_post, today + dt.timedelta(days=3), today + dt.timedelta(days=4),
              today=today, acting=w.judicial_post)  # fmt: skip
    client.force_login(w.clerks["教育局"])
    assert client.get(reverse("coordination:leave", args=[req.pk])).status_code == 404
    assert client.get(reverse("coordination:leave_list")).status_code == 404
    assert client.get(reverse("coordination:leave_new")).status_code == 404
    url = reverse("coordination:leave_action", args=[req.pk, "approve"])
    assert client.post(url, {"approve-confirm": "on"}).status_code == 404
    client.force_login(w.outsider)
    assert client.get(reverse("coordination:leave", args=[req.pk])).status_code == 404
    client.force_login(w.unit_heads["财政局"])  # a unit head sees their own requests, not a deputy's
    assert client.get(reverse("coordination:leave", args=[req.pk])).status_code == 404
    client.force_login(w.staff)
    assert client.get(reverse("coordination:leave", args=[req.pk])).status_code == 200


def test_leave_pages_request_decide_and_refusal_keeps_what_was_typed(world, client):
    w = world
    today = _today()
    client.force_login(w.edu_deputy)
    page = client.get(reverse("coordination:leave_new"))
    assert page.status_code == 200
    text = page.content.decode()
    assert "赵副区长（副区长（政法））" in text and "（区长）" not in text  # acting choices follow ORG-3
    data = {
        "post": w.edu_deputy_post.pk,
        "start": (today - dt.timedelta(days=1)).isoformat(),
        "end": (today + dt.timedelta(days=2)).isoformat(),
        "place": "沈阳市某会议中心",
        "purpose": "学习",
        "contact": "13800000000",
        "acting_post": w.judicial_post.pk,
    }
    refused = client.post(reverse("coordination:leave_new"), data)
    assert refused.status_code == 400
    assert "不能早于今天" in refused.content.decode() and "沈阳市某会议中心" in refused.content.decode()
    data["start"] = (today + dt.timedelta(days=1)).isoformat()
    done = client.post(reverse("coordination:leave_new"), data)
    req = AbsenceRequest.objects.get()
    assert done.status_code == 302 and done["Location"] == reverse("coordination:leave", args=[req.pk])

    client.force_login(w.head)
    page = client.get(reverse("coordination:leave", args=[req.pk]))
    assert 'data-testid="action-approve"' in page.content.decode()
    url = reverse("coordination:leave_action", args=[req.pk, "approve"])
    unconfirmed = client.post(url, {"approve-opinion": "同意", "seen_state": "requested"})
    assert unconfirmed.status_code == 400
    req.refresh_from_db()
    assert req.state == State.REQUESTED
    ok = client.post(url, {"approve-opinion": "同意", "approve-confirm": "on", "seen_state": "requested"})
    assert ok.status_code == 302
    req.refresh_from_db()
    assert req.state == State.APPROVED and req.arrangement is not None
    stale = client.post(
        reverse("coordination:leave_action", args=[req.pk, "reject"]),
        {"reject-opinion": "不同意", "reject-confirm": "on", "seen_state": "requested"},
        follow=True,
    )
    assert stale.redirect_chain[0][1] == 302
    assert "您已处理过该请假" in stale.content.decode()  # the head's own second click, not "someone else"
    req.refresh_from_db()
    assert req.state == State.APPROVED
    client.force_login(w.staff)  # the office (it sees the request) on the same old page: told who decided
    stale = client.post(
        url, {"approve-opinion": "同意", "approve-confirm": "on", "seen_state": "requested"}, follow=True
    )
    assert f"该请假已由{w.head.display_name}处理" in stale.content.decode()


def test_leave_2_a_decision_return_or_withdrawal_without_the_confirmation_box_says_to_tick_it(world, client):
    """批准, 不批准, 返回销假 and 撤回请假 cannot be undone: posted without the box ticked, each said only the generic
    "该字段是必填项。" beside the box; it now says what to do, as every other irreversible form of the portal does."""
    w = world
    today = _today()
    req = ask(w, w.edu_deputy, w.edu_deputy_post, today + dt.timedelta(days=3), today + dt.timedelta(days=4),
              today=today, acting=w.judicial_post)  # fmt: skip
    client.force_login(w.head)
    for action, data in (("approve", {"approve-opinion": "同意"}), ("reject", {"reject-opinion": "另行安排"})):
        url = reverse("coordination:leave_action", args=[req.pk, action])
        html = client.post(url, {**data, "seen_state": "requested"}).content.decode()
        assert "此操作不可撤回，请勾选确认后再提交。" in html and "该字段是必填项" not in html, action
    client.force_login(w.edu_deputy)
    url = reverse("coordination:leave_action", args=[req.pk, "cancel"])
    response = client.post(url, {"cancel-reason": "会议取消", "seen_state": "requested"})
    html = response.content.decode()
    assert response.status_code == 400 and "此操作不可撤回，请勾选确认后再提交。" in html and "会议取消" in html
    req.refresh_from_db()
    assert req.state == AbsenceRequest.State.REQUESTED


def test_leave_2_the_leave_form_posted_twice_files_one_request_and_shows_it(world, client):
    """A double click on 提交 (or Back and 提交 again) answered the second post with the form, the error
    这段时间已有本人的请假，请勿重复提交 and, above it, the first post's 请假已提交 — as if the request had both gone
    and failed. The form's one-time token now answers the same post again with the request it filed."""
    w = world
    today = _today()
    client.force_login(w.edu_deputy)
    page = client.get(reverse("coordination:leave_new")).content.decode()
    token = re.search(r'name="once_token" value="([0-9a-f]{32})"', page)
    data = {
        "post": w.edu_deputy_post.pk,
        "start": (today + dt.timedelta(days=5)).isoformat(),
        "end": (today + dt.timedelta(days=6)).isoformat(),
        "place": "沈阳",
        "purpose": "学习",
        "contact": "13800000000",
        "acting_post": w.judicial_post.pk,
        "once_token": token.group(1) if token else "",
    }
    first = client.post(reverse("coordination:leave_new"), data)
    again = client.post(reverse("coordination:leave_new"), data, follow=True)
    req = AbsenceRequest.objects.get()
    url = reverse("coordination:leave", args=[req.pk])
    assert first.status_code == 302 and first["Location"] == url
    assert again.redirect_chain == [(url, 302)]
    html = again.content.decode()
    assert "该表单已提交过，未重复创建" in html and "请勿重复提交" not in html


def test_leave_a_refused_decision_says_why_on_the_page(world, client):
    """A leader who may not decide the request (not its approver) is refused with the reason on the page: the
    refusal was a form error on a form their page does not draw, so they saw the page again and no word."""
    w = world
    today = _today()
    req = ask(w, w.edu_deputy, w.edu_deputy_post, today + dt.timedelta(days=3), today + dt.timedelta(days=4),
              today=today, acting=w.judicial_post)  # fmt: skip
    client.force_login(w.judicial_deputy)
    url = reverse("coordination:leave_action", args=[req.pk, "approve"])
    data = {"approve-opinion": "同意", "approve-confirm": "on", "seen_state": "requested"}
    refused = client.post(url, data)
    assert refused.status_code == 403
    assert [str(m) for m in refused.context["messages"]] == ["您当前不能对该请假进行“批准”操作。"]
    # Without the confirmation box the form is invalid too: still the refusal, not a blank page of form errors.
    unconfirmed = client.post(url, {"approve-opinion": "同意", "seen_state": "requested"})
    assert unconfirmed.status_code == 403 and "您当前不能对该请假进行“批准”操作。" in unconfirmed.content.decode()
    req.refresh_from_db()
    assert req.state == State.REQUESTED


def _many_requests(w, n: int, today: dt.date):
    heads = list(w.unit_heads.items())
    for i in range(n):
        short, person = heads[i % len(heads)]
        start = today + dt.timedelta(days=10 + 3 * i)
        req = ask(w, person, w.unit_head_posts[short], start, start, today=today, acting=unit_deputy_post(w, short))
        if i % 2:
            approver = who_handles(req.approver_post, today).person
            absence.decide_absence(actor=approver, request=req, approve=True, today=today)


def test_leave_list_uses_constant_queries(world, client, django_assert_max_num_queries):
    w = world
    today = _today()
    client.force_login(w.staff)
    _many_requests(w, 2, today)
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    with CaptureQueriesContext(connection) as small:
        page = client.get(reverse("coordination:leave_list") + "?tab=all")
    assert page.status_code == 200 and page.content.decode().count('data-testid="leave-row"') == 2
    _many_requests(w, 9, today + dt.timedelta(days=40))
    with django_assert_max_num_queries(len(small.captured_queries)):
        page = client.get(reverse("coordination:leave_list") + "?tab=all")
    assert page.content.decode().count('data-testid="leave-row"') == 11
    filtered = client.get(reverse("coordination:leave_list") + "?tab=all&state=approved&kind=unit_head")
    assert filtered.content.decode().count('data-testid="leave-row"') == 5


def test_leave_list_waiting_tab_shows_what_the_approver_must_decide(world, client):
    w = world
    today = _today()
    start = today + dt.timedelta(days=2)
    ask(w, w.unit_heads["教育局"], w.unit_head_posts["教育局"], start, start, today=today,
        acting=unit_deputy_post(w, "教育局"))  # fmt: skip
    client.force_login(w.edu_deputy)
    page = client.get(reverse("coordination:leave_list"))
    assert page.status_code == 200
    assert page.content.decode().count('data-testid="leave-row"') == 1
    client.force_login(w.judicial_deputy)
    assert client.get(reverse("coordination:leave_list")).content.decode().count('data-testid="leave-row"') == 0


def test_leave_2_the_head_may_designate_another_deputy_when_approving(world, client):
    """第十五条: 副区长外出期间，可按照区长安排，指定其他的副区长代为处理有关工作. The deputy proposes who acts;
    the head, approving, keeps that choice or names another deputy, and the acting follows the head's choice."""
    w = world
    today = _today()
    req = ask(w, w.edu_deputy, w.edu_deputy_post, today + dt.timedelta(days=1), today + dt.timedelta(days=2),
              today=today, acting=w.judicial_post)  # fmt: skip
    client.force_login(w.head)
    page = client.get(reverse("coordination:leave", args=[req.pk])).content.decode()
    assert 'name="approve-acting_post"' in page and "区长可另行指定其他副区长（第十五条）" in page
    url = reverse("coordination:leave_action", args=[req.pk, "approve"])
    data = {"approve-opinion": "同意", "approve-confirm": "on", "seen_state": "requested"}
    assert client.post(url, {**data, "approve-acting_post": w.head_post.pk}).status_code == 400  # not a deputy
    assert client.post(url, {**data, "approve-acting_post": w.exec_post.pk}).status_code == 302
    req.refresh_from_db()
    assert req.state == State.APPROVED and req.acting_post == w.exec_post
    assert req.arrangement.acting_post == w.exec_post and req.arrangement.designated_by == w.head
    event = Event.objects.get(action="approve", subject_id=str(req.pk))
    assert f"指定由{w.exec_deputy.display_name}（{w.exec_post.title}）代理" in event.opinion
    assert any("由您代理" in s for s in inbox(w.exec_deputy))
    assert not any("由您代理" in s for s in inbox(w.judicial_deputy))


def test_leave_2_approving_with_the_proposed_deputy_records_no_designation(world):
    w = world
    req = ask(w, w.edu_deputy, w.edu_deputy_post, MON, d(9), today=FRI, acting=w.judicial_post)
    req = absence.decide_absence(actor=w.head, request=req, approve=True, today=FRI, acting_post=w.judicial_post)
    assert req.arrangement.acting_post == w.judicial_post
    assert "指定由" not in Event.objects.get(action="approve", subject_id=str(req.pk)).opinion


def test_leave_3_a_unit_heads_acting_deputy_is_not_changed_at_approval(world):
    w = world
    head_post = Post.objects.get(unit=w.units["教育局"], kind=Post.Kind.UNIT_HEAD)
    holder = who_handles(head_post, FRI).person
    req = ask(w, holder, head_post, MON, MON, today=FRI, acting=unit_deputy_post(w, "教育局"))
    approver = who_handles(req.approver_post, FRI).person
    with pytest.raises(CoordinationError):  # 第十五条 is about deputies; a unit head names his own acting deputy
        absence.decide_absence(actor=approver, request=req, approve=True, today=FRI, acting_post=w.judicial_post)
    req.refresh_from_db()
    assert req.state == State.REQUESTED


def test_leave_3_a_unit_head_with_no_deputy_in_office_is_told_why_he_cannot_name_an_acting_person(world, client):
    """第七十五条 files the acting colleague's name; the form offers the unit's deputies in office. With none (the post
    vacant), the empty list said only 请选择代理人: the page now says why and what to do, before and after posting."""
    from tiexi_gov.org.models import Appointment

    w = world
    today = _today()
    Appointment.objects.filter(post=unit_deputy_post(w, "财政局")).update(end=today - dt.timedelta(days=1))
    client.force_login(w.unit_heads["财政局"])
    page = client.get(reverse("coordination:leave_new")).content.decode()
    assert "组织机构中本单位没有在任的副职" in page
    data = {
        "post": w.unit_head_posts["财政局"].pk,
        "start": (today + dt.timedelta(days=5)).isoformat(),
        "end": (today + dt.timedelta(days=5)).isoformat(),
        "place": "长春",
        "purpose": "学习",
        "contact": "13800000000",
    }
    refused = client.post(reverse("coordination:leave_new"), data)
    assert refused.status_code == 400 and "请联系区政府办公室在组织机构中维护本单位副职" in refused.content.decode()
    assert not AbsenceRequest.objects.exists()


def test_leave_an_absence_longer_than_the_maximum_is_refused_for_every_leader(world, client):
    """An end date of 2099 handed a deputy's work to the acting person for 73 years: a leave (report) is at most
    MAX_ABSENCE_DAYS long, for the head, a deputy and a unit head alike; the page keeps what was typed."""
    w = world
    start = d(15, 12)
    last = start + dt.timedelta(days=absence.MAX_ABSENCE_DAYS - 1)
    cases = [
        (w.head, w.head_post, None, "LEAVE-1"),
        (w.edu_deputy, w.edu_deputy_post, w.judicial_post, "LEAVE-2"),
        (w.unit_heads["教育局"], w.unit_head_posts["教育局"], unit_deputy_post(w, "教育局"), "LEAVE-3"),
    ]
    for person, post, acting, rule in cases:
        with pytest.raises(CoordinationError, match=f"最长{absence.MAX_ABSENCE_DAYS}天") as refused:
            ask(w, person, post, start, last + dt.timedelta(days=1), today=FRI, acting=acting)
        assert refused.value.rule_id == rule and "调整分工" in refused.value.message
    assert not AbsenceRequest.objects.exists() and not ActingArrangement.objects.exists()
    req = ask(w, w.edu_deputy, w.edu_deputy_post, start, last, today=FRI, acting=w.judicial_post)
    assert req.state == State.REQUESTED  # exactly the maximum stands

    # A request filed before the limit existed is not approved either.
    old = AbsenceRequest.objects.create(
        kind=AbsenceRequest.Kind.UNIT_HEAD,
        person=w.unit_heads["教育局"],
        post=w.unit_head_posts["教育局"],
        start=start,
        end=dt.date(2099, 12, 31),
        place="外地",
        purpose="学习",
        contact="13900000000",
        acting_post=unit_deputy_post(w, "教育局"),
        approver_post=w.head_post,
    )
    with pytest.raises(CoordinationError, match="最长"):
        absence.decide_absence(actor=w.head, request=old, approve=True, today=FRI)
    old.refresh_from_db()
    assert old.state == State.REQUESTED and old.arrangement is None

    client.force_login(w.judicial_deputy)
    data = {
        "post": w.judicial_post.pk,
        "start": (_today() + dt.timedelta(days=8)).isoformat(),
        "end": "2099-12-31",
        "place": "省委党校",
        "purpose": "学习",
        "contact": "13800000000",
        "acting_post": w.edu_deputy_post.pk,
    }
    page = client.post(reverse("coordination:leave_new"), data)
    assert page.status_code == 400
    text = page.content.decode()
    assert f"最长{absence.MAX_ABSENCE_DAYS}天" in text and "省委党校" in text and "2099-12-31" in text


def test_leave_1_an_api_leave_request_refuses_json_of_the_wrong_shape(world):
    """POST /api/v1/leave/ read the page's form straight from the JSON body: a list for 外出地点 was saved as its last
    item and an object as its JSON text ('{"city": "北京"}'), where every other create answers a 400 on the field.
    Now the same 400, no request filed and no audit event."""
    from rest_framework.test import APIClient

    w = world
    today = _today()
    api = APIClient()
    api.force_authenticate(w.edu_deputy)
    data = {
        "post": w.edu_deputy_post.pk,
        "start": (today + dt.timedelta(days=1)).isoformat(),
        "end": (today + dt.timedelta(days=2)).isoformat(),
        "place": "沈阳",
        "purpose": "学习",
        "contact": "13800000000",
        "acting_post": w.judicial_post.pk,
    }
    events = Event.objects.count()
    for place in (["沈阳", "北京"], {"city": "北京"}):
        response = api.post("/api/v1/leave/", {**data, "place": place}, format="json")
        assert response.status_code == 400 and "place" in response.json()["errors"], response.json()
    assert not AbsenceRequest.objects.exists() and Event.objects.count() == events
    assert api.post("/api/v1/leave/", data, format="json").status_code == 201

"""PUB-1 (第三十八条): website inquiries are logged by the office, assigned to a unit and answered within 5 WD;
the deadline sweep escalates an overdue one. Services take `today=`; the pages use the real today."""

from __future__ import annotations

import datetime as dt
from urllib.parse import parse_qs, urlparse

import pytest
from django.contrib.contenttypes.models import ContentType
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone
from supervision_support import DAY

from supervision.models import PublicInquiry, Source
from supervision.public import services as public_services
from tiexi_gov.audit.models import Event
from tiexi_gov.deadlines import services as deadline_services
from tiexi_gov.deadlines.models import Deadline
from tiexi_gov.notify.models import Message
from tiexi_gov.workdays import calendar as wd

pytestmark = [pytest.mark.postgres, pytest.mark.django_db]


@pytest.fixture
def today():
    return timezone.localdate()


def _deadline(inquiry) -> Deadline:
    ct = ContentType.objects.get_for_model(PublicInquiry)
    return Deadline.objects.get(subject_type=ct, subject_id=str(inquiry.pk), rule_id="PUB-1")


def _log(w, *, unit=None, received_on=None, today=None, question="请问老旧小区加装电梯补贴如何申请？"):
    day = today or timezone.localdate()
    return public_services.log_inquiry(
        actor=w.staff,
        asker="张先生",
        contact="13800000000",
        question=question,
        received_on=received_on or day,
        unit=unit,
        today=day,
    )


def _messages(response) -> list[str]:
    return [str(m) for m in response.context["messages"]] if response.context else []


# --- the 5-WD clock -----------------------------------------------------------------------------------------


def test_pub_1_inquiry_answer_due_in_5_workdays(world):
    inquiry = _log(world, unit=world.fin, received_on=DAY, today=DAY)
    assert inquiry.state == PublicInquiry.State.ASSIGNED
    assert inquiry.due == wd.add_workdays(DAY, 5) == _deadline(inquiry).due
    deadline = _deadline(inquiry)
    assert deadline.owner_unit == world.fin and deadline.counted_from == DAY and deadline.workdays == 5

    # Across the National Day holiday 2026 (10-01..10-07 off, Saturday 10-10 a make-up working day).
    sep_30 = dt.date(2026, 9, 30)
    holiday = _log(world, unit=world.dev, received_on=sep_30, today=dt.date(2026, 10, 8))
    assert holiday.due == wd.add_workdays(sep_30, 5) == _deadline(holiday).due
    assert not any(wd.is_workday(sep_30 + dt.timedelta(days=n)) for n in range(1, 8))
    assert holiday.due > dt.date(2026, 10, 7)  # counting weekdays alone would give 10-07, a holiday
    assert wd.workdays_between(sep_30, holiday.due) == 5


def test_pub_1_reassignment_keeps_the_clock_from_receipt(world):
    inquiry = _log(world, received_on=DAY, today=DAY)
    assert inquiry.state == PublicInquiry.State.LOGGED and inquiry.due is None
    inquiry = public_services.assign_inquiry(actor=world.staff, inquiry=inquiry, unit=world.fin, today=DAY)
    later = wd.add_workdays(DAY, 2)
    inquiry = public_services.assign_inquiry(actor=world.staff, inquiry=inquiry, unit=world.dev, today=later)
    assert inquiry.unit == world.dev and inquiry.due == wd.add_workdays(DAY, 5)
    ct = ContentType.objects.get_for_model(PublicInquiry)
    rows = Deadline.objects.filter(subject_type=ct, subject_id=str(inquiry.pk))
    assert rows.running().get().owner_unit == world.dev
    assert rows.filter(state=Deadline.State.CANCELLED).count() == 1


def test_pub_1_overdue_inquiry_is_escalated_by_the_sweep(world):
    inquiry = _log(world, unit=world.fin, received_on=DAY, today=DAY)
    deadline = _deadline(inquiry)
    assert deadline_services.sweep(today=inquiry.due).escalated == 0  # due today: not late yet

    late = wd.add_workdays(inquiry.due, 1)
    assert deadline_services.sweep(today=late).escalated == 1
    deadline.refresh_from_db()
    assert deadline.state == Deadline.State.MISSED and deadline.escalated_at is not None
    to_director = Message.objects.get(key=f"deadline:{deadline.pk}:escalate:{world.director.pk}")
    assert to_director.level == Message.Level.ESCALATION and "网上咨询答复" in to_director.subject
    assert Message.objects.filter(key=f"deadline:{deadline.pk}:escalate:{world.fin_clerk.pk}").exists()
    assert not Message.objects.filter(key__startswith=f"deadline:{deadline.pk}:", recipient=world.dev_clerk).exists()
    assert Event.objects.for_object(inquiry).filter(action="deadline_missed").count() == 1

    count = Message.objects.count()
    assert deadline_services.sweep(today=wd.add_workdays(late, 1)).escalated == 0  # once, not every day
    assert Message.objects.count() == count


def test_pub_1_answered_on_time_closes_the_deadline_as_met(world, client, today):
    inquiry = _log(world, unit=world.fin)
    client.force_login(world.fin_clerk)
    response = client.post(
        reverse("supervision:inquiry_action", args=[inquiry.pk, "answer"]), {"answer-answer": "请到街道办事处申请。"}
    )
    assert response.status_code == 302
    inquiry.refresh_from_db()
    assert inquiry.state == PublicInquiry.State.ANSWERED and inquiry.answered_by == world.fin_clerk
    deadline = _deadline(inquiry)
    assert deadline.state == Deadline.State.MET and deadline.closed_at is not None
    # The sweep has nothing left to do for it.
    assert deadline_services.sweep(today=wd.add_workdays(inquiry.due, 3)).escalated == 0

    page = client.get(reverse("supervision:inquiry", args=[inquiry.pk]))
    text = page.content.decode()
    assert "请到街道办事处申请。" in text and "按期答复" in text and 'data-testid="timeline-item"' in text
    assert 'data-testid="answer-form"' not in text  # answered: no second answer


def test_pub_1_late_answer_closes_the_deadline_as_missed(world, client, today):
    received = wd.subtract_workdays(today, 8)
    inquiry = _log(world, unit=world.fin, received_on=received)
    assert inquiry.due < today
    client.force_login(world.fin_clerk)
    client.post(reverse("supervision:inquiry_action", args=[inquiry.pk, "answer"]), {"answer-answer": "已办理。"})
    assert _deadline(inquiry).state == Deadline.State.MISSED
    assert Event.objects.for_object(inquiry).filter(action="answered", action_label__contains="逾期").exists()


# --- who sees what --------------------------------------------------------------------------------------


def test_pub_1_unit_sees_only_its_inquiries_and_others_get_404(world, client):
    fin_q = _log(world, unit=world.fin, question="财政局的咨询")
    dev_q = _log(world, unit=world.dev, question="发改局的咨询")
    unassigned = _log(world, question="尚未转办的咨询")

    client.force_login(world.fin_clerk)
    listing = client.get(reverse("supervision:inquiries")).content.decode()
    assert fin_q.number in listing and dev_q.number not in listing and unassigned.number not in listing
    assert client.get(reverse("supervision:inquiry", args=[fin_q.pk])).status_code == 200
    assert client.get(reverse("supervision:inquiry", args=[dev_q.pk])).status_code == 404
    assert client.get(reverse("supervision:inquiry", args=[unassigned.pk])).status_code == 404
    # Nor may it answer another unit's inquiry, nor log or assign one.
    url = reverse("supervision:inquiry_action", args=[dev_q.pk, "answer"])
    assert client.post(url, {"answer-answer": "越权答复"}).status_code == 404
    assert client.get(reverse("supervision:inquiry_new")).status_code == 404
    assign = reverse("supervision:inquiry_action", args=[fin_q.pk, "assign"])
    client.post(assign, {"assign-unit": world.dev.pk})
    fin_q.refresh_from_db()
    dev_q.refresh_from_db()
    assert fin_q.unit == world.fin and dev_q.state == PublicInquiry.State.ASSIGNED and not dev_q.answer

    for user in (world.other_clerk, world.outsider):
        client.force_login(user)
        assert client.get(reverse("supervision:inquiry", args=[fin_q.pk])).status_code == 404
        assert fin_q.number not in client.get(reverse("supervision:inquiries")).content.decode()

    client.force_login(world.director)
    listing = client.get(reverse("supervision:inquiries")).content.decode()
    assert all(q.number in listing for q in (fin_q, dev_q, unassigned))


def test_pub_1_a_unit_clerk_cannot_answer_before_assignment_or_twice(world, client):
    inquiry = _log(world, unit=world.fin)
    client.force_login(world.fin_clerk)
    url = reverse("supervision:inquiry_action", args=[inquiry.pk, "answer"])
    client.post(url, {"answer-answer": "第一次答复"})
    response = client.post(url, {"answer-answer": "第二次答复"}, follow=True)
    assert response.status_code == 409 and any("已答复" in m for m in _messages(response))
    inquiry.refresh_from_db()
    assert inquiry.answer == "第一次答复"
    # An empty answer is refused on the form, with nothing written.
    other = _log(world, unit=world.fin)
    response = client.post(reverse("supervision:inquiry_action", args=[other.pk, "answer"]), {"answer-answer": " "})
    assert response.status_code == 200 and 'data-testid="answer-form"' in response.content.decode()
    other.refresh_from_db()
    assert other.state == PublicInquiry.State.ASSIGNED


def test_pub_1_an_answer_refused_because_a_colleague_answered_first_is_kept_on_the_page(world, client):
    """Two people of the unit answer the same inquiry; the second's page was stale. The refusal said "已答复" and
    redirected, and the answer typed was gone. It is now shown back to copy, with nothing written."""
    inquiry = _log(world, unit=world.fin)
    url = reverse("supervision:inquiry_action", args=[inquiry.pk, "answer"])
    client.force_login(world.fin_head)
    client.post(url, {"answer-answer": "第一次答复"})
    events = Event.objects.count()
    client.force_login(world.fin_clerk)
    typed = "您好，灵活就业人员可持身份证到区社保中心窗口办理参保登记，并按月缴费。"
    response = client.post(url, {"answer-answer": typed})
    html = response.content.decode()
    assert response.status_code == 409 and any("已答复" in m for m in _messages(response))
    assert 'data-testid="kept-text"' in html and typed in html
    assert PublicInquiry.objects.get(pk=inquiry.pk).answer == "第一次答复" and Event.objects.count() == events


# --- the office's pages ------------------------------------------------------------------------------------


def test_pub_1_office_logs_an_inquiry_and_assigns_it_through_the_pages(world, client, today):
    client.force_login(world.staff)
    form = client.get(reverse("supervision:inquiry_new"))
    assert form.status_code == 200 and today.isoformat() in form.content.decode()  # received today by default
    response = client.post(
        reverse("supervision:inquiry_new"),
        {"asker": "李女士", "contact": "", "channel": "政府网站", "received_on": today.isoformat(), "question": "问题"},
    )
    inquiry = PublicInquiry.objects.get(asker="李女士")
    assert response.status_code == 302 and response["Location"] == reverse("supervision:inquiry", args=[inquiry.pk])
    assert inquiry.state == PublicInquiry.State.LOGGED and inquiry.logged_by == world.staff

    response = client.post(
        reverse("supervision:inquiry_action", args=[inquiry.pk, "assign"]), {"assign-unit": world.fin.pk}
    )
    inquiry.refresh_from_db()
    assert inquiry.unit == world.fin and inquiry.due == wd.add_workdays(today, 5) == _deadline(inquiry).due
    page = client.get(reverse("supervision:inquiry", args=[inquiry.pk])).content.decode()
    assert inquiry.due.strftime("%Y-%m-%d") in page and "剩 5 个工作日" in page

    # A received date in the future is refused on the form.
    tomorrow = (today + dt.timedelta(days=1)).isoformat()
    response = client.post(
        reverse("supervision:inquiry_new"),
        {"asker": "未来", "channel": "政府网站", "received_on": tomorrow, "question": "问题"},
    )
    assert response.status_code == 200 and not PublicInquiry.objects.filter(asker="未来").exists()


def test_pub_1_the_assign_box_posted_back_with_the_same_unit_reassigns_nothing(world, client):
    """The assign box shows the unit the inquiry is with: posted back untouched (or a second time) it must not
    restart the 5-WD clock, tell the unit again, nor record "转…答复" as if the inquiry had been reassigned."""
    inquiry = _log(world, unit=world.fin)
    deadline = _deadline(inquiry)
    events, notices = Event.objects.count(), Message.objects.count()
    client.force_login(world.staff)
    response = client.post(
        reverse("supervision:inquiry_action", args=[inquiry.pk, "assign"]), {"assign-unit": world.fin.pk}, follow=True
    )
    assert response.status_code == 200
    assert any("承办单位未变" in m for m in _messages(response))
    assert Event.objects.count() == events and Message.objects.count() == notices
    deadline.refresh_from_db()
    assert deadline.closed_at is None and _deadline(inquiry).pk == deadline.pk
    assert PublicInquiry.objects.get(pk=inquiry.pk).unit == world.fin
    # a real reassignment still goes through
    client.post(reverse("supervision:inquiry_action", args=[inquiry.pk, "assign"]), {"assign-unit": world.dev.pk})
    assert PublicInquiry.objects.get(pk=inquiry.pk).unit == world.dev


def test_pub_1_an_inquiry_form_posted_twice_logs_one_inquiry(world, client, today):
    """A double click, or Back and 登记 again, posted the same inquiry twice: two numbers (咨〔2026〕1号, 2号), and
    with a unit chosen two clocks and two notices to the unit. The page carries a one-time token: the same post again
    is answered with the inquiry it logged."""
    import re

    client.force_login(world.staff)
    url = reverse("supervision:inquiry_new")
    token = re.search(r'name="once_token" value="([0-9a-f]{32})"', client.get(url).content.decode()).group(1)
    data = {
        "asker": "李女士",
        "channel": "政府网站",
        "received_on": today.isoformat(),
        "question": "小区路灯不亮",
        "unit": world.fin.pk,
        "once_token": token,
    }
    first = client.post(url, data)
    inquiry = PublicInquiry.objects.get()
    assert first.status_code == 302 and first["Location"] == reverse("supervision:inquiry", args=[inquiry.pk])
    notices = Message.objects.count()
    again = client.post(url, data, follow=True)
    assert again.redirect_chain[0][0] == reverse("supervision:inquiry", args=[inquiry.pk])
    assert "该表单已提交过，未重复创建" in again.content.decode()
    assert PublicInquiry.objects.count() == 1 and Message.objects.count() == notices
    assert Deadline.objects.filter(rule_id="PUB-1").count() == 1


def test_pub_1_office_raises_a_supervision_item_from_an_inquiry(world, client):
    inquiry = _log(world, unit=world.fin, question="小区路灯长期不亮，多次反映未解决")
    client.force_login(world.staff)
    page = client.get(reverse("supervision:inquiry", args=[inquiry.pk])).content.decode()
    response = client.post(reverse("supervision:inquiry_action", args=[inquiry.pk, "raise-item"]))
    assert response.status_code == 302
    url = urlparse(response["Location"])
    assert url.path == reverse("supervision:item_new")
    params = parse_qs(url.query)
    assert params["source"] == [Source.PUBLIC_INQUIRY] and params["source_ref"] == [inquiry.number]
    assert params["task"] == [inquiry.question] and params["lead_unit"] == [str(world.fin.pk)]
    assert reverse("supervision:item_new") in page and 'data-testid="raise-item"' in page

    client.force_login(world.fin_clerk)
    assert client.post(reverse("supervision:inquiry_action", args=[inquiry.pk, "raise-item"])).status_code == 404
    assert (
        'data-testid="raise-item"' not in client.get(reverse("supervision:inquiry", args=[inquiry.pk])).content.decode()
    )


def test_pub_1_list_filters_shows_days_left_or_overdue_and_pages_with_constant_queries(world, client, today):
    fresh = _log(world, unit=world.fin, question="刚收到的咨询")
    late = _log(world, unit=world.dev, received_on=wd.subtract_workdays(today, 8), question="早已超期的咨询")
    client.force_login(world.director)
    listing = client.get(reverse("supervision:inquiries")).content.decode()
    left = wd.workdays_between(today, fresh.due)
    overdue = wd.workdays_between(late.due, today)
    assert f"剩 {left} 个工作日" in listing and f"超期 {overdue} 个工作日" in listing
    assert listing.index(late.number) < listing.index(fresh.number)  # the most urgent first

    only_dev = client.get(reverse("supervision:inquiries"), {"unit": world.dev.pk}).content.decode()
    assert late.number in only_dev and fresh.number not in only_dev
    public_services.answer_inquiry(actor=world.fin_clerk, inquiry=fresh, answer="已答复")
    answered = client.get(reverse("supervision:inquiries"), {"state": "answered"}).content.decode()
    assert fresh.number in answered and late.number not in answered

    def queries() -> int:
        with CaptureQueriesContext(connection) as ctx:
            assert client.get(reverse("supervision:inquiries")).status_code == 200
        return len(ctx.captured_queries)

    small = queries()
    for n in range(30):
        _log(world, unit=(world.fin, world.dev, world.other)[n % 3], question=f"咨询{n}")
    assert queries() == small
    second = client.get(reverse("supervision:inquiries"), {"page": 2}).content.decode()
    assert second.count('data-testid="inquiry-row"') == 32 - 20

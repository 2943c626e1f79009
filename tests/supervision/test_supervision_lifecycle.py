"""SUP-1 lifecycle through the pages: assigned → accepted by the lead unit → progress → completion claimed
with evidence → returned for rework → claimed again → verified; a late claim closes late; the deadline sweep
escalates an overdue item; two simultaneous verifications make one transition and no error page.

The views use the real today (timezone.localdate()), so the data here is built relative to that day.
"""

from __future__ import annotations

import datetime as dt
import io
import threading

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connections
from django.test import Client
from django.urls import reverse
from django.utils import timezone
from openpyxl import load_workbook
from supervision_support import build_world, make_item

from supervision.ledger import selectors, services
from supervision.models import ItemState, Light, ProgressReport, SupervisionItem
from supervision.reports import services as report_services
from tiexi_gov.audit.models import Event
from tiexi_gov.deadlines import services as deadline_services
from tiexi_gov.deadlines.models import Deadline
from tiexi_gov.notify.models import Message
from tiexi_gov.workdays import calendar as wd

pytestmark = [pytest.mark.postgres, pytest.mark.django_db]

PDF = b"%PDF-1.7\n%\xe2\xe3\xcf\xd3\n1 0 obj <<>> endobj\n"


@pytest.fixture
def today():
    return timezone.localdate()


@pytest.fixture(autouse=True)
def media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path


def _login(user) -> Client:
    c = Client()
    c.force_login(user)
    return c


def _act(client, item, action, data=None, *, seen=None):
    payload = {"seen_state": seen if seen is not None else SupervisionItem.objects.get(pk=item.pk).state}
    for k, v in (data or {}).items():
        payload[f"{action}-{k}"] = v
    return client.post(reverse("supervision:item_action", args=[item.pk, action]), payload)


def _fresh(item) -> SupervisionItem:
    return SupervisionItem.objects.get(pk=item.pk)


def _messages(response) -> list[str]:
    from django.contrib.messages import get_messages

    if response.context is not None and "messages" in response.context:
        return [str(m) for m in response.context["messages"]]
    return [str(m) for m in get_messages(response.wsgi_request)]


def _running(item, rule_id: str):
    return Deadline.objects.running().filter(subject_id=str(item.pk), rule_id=rule_id)


def test_sup_1_lifecycle_accept_report_claim_return_for_rework_claim_verify_closes_on_time(world, today):
    w = world
    item = make_item(w, today=today)
    assert item.state == ItemState.ASSIGNED and _running(item, "SUP-1").count() == 1
    fin, office = _login(w.fin_clerk), _login(w.staff)

    r = _act(fin, item, "accept")
    assert r.status_code == 302, _messages(r)
    assert _fresh(item).state == ItemState.ACCEPTED and _fresh(item).accepted_on == today
    assert _running(item, "SUP-2").count() == 1  # the report clock starts at acceptance

    r = _act(fin, item, "report", {"percent": "30", "done": "已拨付第一批资金", "next_steps": "拨付第二批"})
    assert r.status_code == 302, _messages(r)
    assert _fresh(item).state == ItemState.IN_PROGRESS and _fresh(item).percent == 30

    evidence = SimpleUploadedFile("拨付凭证.pdf", PDF, content_type="application/pdf")
    r = _act(fin, item, "claim", {"evidence": "资金已全部拨付", "files": [evidence]})
    assert r.status_code == 302, _messages(r)
    claimed = _fresh(item)
    assert claimed.state == ItemState.CLAIMED and claimed.claimed_on == today and claimed.percent == 100
    assert claimed.files.get().purpose == "evidence"
    assert not _running(item, "SUP-1").exists()  # the completion clock stops at the claim
    sup1 = Deadline.objects.get(subject_id=str(item.pk), rule_id="SUP-1")
    assert sup1.state == Deadline.State.MET

    r = _act(office, item, "return", {"reason": "缺少第三批拨付凭证", "confirm": "on"})
    assert r.status_code == 302, _messages(r)
    returned = _fresh(item)
    assert returned.state == ItemState.IN_PROGRESS and returned.rework_count == 1 and returned.claimed_on is None
    assert returned.verification_note == "缺少第三批拨付凭证"
    reopened = _running(item, "SUP-1").get()  # SUP-1 clock reopened for the rework
    assert reopened.due == item.due and reopened.pk != sup1.pk
    assert Message.objects.filter(recipient=w.fin_clerk, subject__contains="退回整改").exists()

    r = _act(fin, item, "claim", {"evidence": "补充第三批拨付凭证"})
    assert r.status_code == 302, _messages(r)
    r = _act(office, item, "verify", {"note": "经复查，资金已全部拨付到位", "confirm": "on"})
    assert r.status_code == 302, _messages(r)
    closed = _fresh(item)
    assert closed.state == ItemState.CLOSED_ON_TIME and closed.closed_on == today
    assert selectors.light_of(closed, today) == Light.DONE
    actions = list(Event.objects.for_object(item).order_by("id").values_list("action", flat=True))
    lifecycle = [a for a in actions if not a.startswith("deadline_")]
    assert lifecycle == ["created", "assigned", "accepted", "reported", "claimed", "returned", "claimed", "verified"]
    page = office.get(reverse("supervision:item", args=[item.pk])).content.decode()
    assert "按期办结" in page and "退回整改" in page


def test_sup_4_a_failed_recheck_puts_progress_back_to_the_last_reported_figure(world, today):
    """报办结 shows 100 %; 核验不合格，退回整改 says the work is not done, so the item, its ledger row and export show
    again what the lead unit last reported (30 %), or 0 % when it never reported — in the step that returns it."""
    w = world
    item = make_item(w, today=today)
    bare = make_item(w, today=today, task="核查审计发现的专项资金滞留", lead_unit=w.other, cooperating_units=[])
    fin, office, audit = _login(w.fin_clerk), _login(w.staff), _login(w.other_clerk)
    assert _act(fin, item, "accept").status_code == 302
    assert _act(fin, item, "report", {"percent": "30", "done": "已拨付第一批资金"}).status_code == 302
    assert _act(fin, item, "claim", {"evidence": "资金已全部拨付"}).status_code == 302
    assert _fresh(item).percent == 100
    assert _act(audit, bare, "accept").status_code == 302
    assert _act(audit, bare, "claim", {"evidence": "已清理"}).status_code == 302

    for it in (item, bare):
        r = _act(office, it, "return", {"reason": "佐证不全", "confirm": "on"})
        assert r.status_code == 302, _messages(r)
    returned = _fresh(item)
    assert returned.state == ItemState.IN_PROGRESS and returned.percent == 30
    assert returned.progress_text == "已拨付第一批资金"
    assert _fresh(bare).percent == 0
    page = office.get(reverse("supervision:item", args=[item.pk])).content.decode()
    assert 'data-testid="percent">30%<' in page
    ledger = office.get(reverse("supervision:ledger")).content.decode()
    assert 'aria-valuenow="30"' in ledger and 'aria-valuenow="100"' not in ledger
    export = b"".join(office.get(reverse("supervision:ledger_export")).streaming_content)
    rows = list(load_workbook(io.BytesIO(export), read_only=True).worksheets[0].iter_rows(values_only=True))
    assert {row[8] for row in rows[1:]} == {"30%：已拨付第一批资金", "0%"}


def test_sup_1_a_claim_after_the_deadline_closes_late(world, today):
    w = world
    past = today - dt.timedelta(days=60)
    item = make_item(w, today=past, due=today - dt.timedelta(days=10))
    services.accept_item(actor=w.fin_clerk, item=item, today=past)
    fin, office = _login(w.fin_clerk), _login(w.staff)
    assert _act(fin, item, "claim", {"evidence": "已完成"}).status_code == 302
    claimed = _fresh(item)
    assert claimed.claimed_on == today > claimed.due
    assert selectors.light_of(claimed, today) == Light.RED  # claimed late shows red until verified
    assert _act(office, item, "verify", {"note": "已完成但逾期", "confirm": "on"}).status_code == 302
    assert _fresh(item).state == ItemState.CLOSED_LATE


def test_sup_1_deadline_sweep_escalates_an_overdue_item_to_the_office_director_and_shows_red(world, today):
    w = world
    past = today - dt.timedelta(days=60)
    due = wd.subtract_workdays(today, 3)
    item = make_item(w, today=past, due=due)
    services.accept_item(actor=w.fin_clerk, item=item, today=past)
    report_services.file_progress_report(actor=w.fin_clerk, item=item, percent=50, done="过半", today=past)
    assert selectors.light_of(_fresh(item), today) == Light.RED

    deadline_services.sweep(today=today)
    deadline_services.sweep(today=today)  # a second sweep escalates nothing again
    sup1 = Deadline.objects.get(subject_id=str(item.pk), rule_id="SUP-1")
    assert sup1.state == Deadline.State.MISSED and sup1.escalated_at is not None
    to_director = Message.objects.filter(recipient=w.director, key=f"deadline:{sup1.pk}:escalate:{w.director.pk}")
    assert to_director.count() == 1 and to_director.get().level == Message.Level.ESCALATION
    assert Message.objects.filter(recipient=w.fin_clerk, key__startswith=f"deadline:{sup1.pk}:escalate").count() == 1
    assert Event.objects.for_object(item).filter(action="deadline_missed", rule_id="SUP-1").count() == 1

    r = _login(w.director).get(reverse("supervision:item", args=[item.pk]))
    assert r.context["light"] == Light.RED
    html = r.content.decode()
    assert f"超期 {wd.workdays_between(due, today)} 个工作日" in html and 'data-light="red"' in html


def test_sup_1_verifying_an_item_someone_already_verified_says_who_did_it(world, today):
    """A stale page: the director verifies after the staff member did; no second transition, no error page."""
    w = world
    item = make_item(w, today=today)
    services.accept_item(actor=w.fin_clerk, item=item, today=today)
    services.claim_completion(actor=w.fin_clerk, item=item, evidence="已完成", today=today)
    staff, director = _login(w.staff), _login(w.director)
    assert director.get(reverse("supervision:item", args=[item.pk])).context["allowed"] >= {"verify"}
    assert _act(staff, item, "verify", {"note": "属实", "confirm": "on"}).status_code == 302
    r = _act(director, item, "verify", {"note": "属实", "confirm": "on"}, seen=ItemState.CLAIMED)
    assert r.status_code == 409  # the page acted on no longer matches the item
    assert any("已由郑督查处理" in m for m in _messages(r))
    assert Event.objects.for_object(item).filter(action="verified").count() == 1
    assert _fresh(item).last_handled_by == w.staff


@pytest.mark.django_db(transaction=True)
def test_sup_1_two_simultaneous_verifications_make_one_transition_and_never_a_500():
    w = build_world()
    today = timezone.localdate()
    for n in range(4):
        item = make_item(w, today=today, task=f"并发核验事项{n}", source_ref=f"并发-{n}")
        services.accept_item(actor=w.fin_clerk, item=item, today=today)
        services.claim_completion(actor=w.fin_clerk, item=item, evidence="已完成", today=today)
        clients = [_login(w.staff), _login(w.director)]
        barrier = threading.Barrier(2)
        responses = []

        def click(c, item=item, barrier=barrier, responses=responses):
            try:
                barrier.wait(timeout=30)
                responses.append(_act(c, item, "verify", {"note": "属实", "confirm": "on"}, seen="claimed"))
            finally:
                connections.close_all()

        threads = [threading.Thread(target=click, args=(c,)) for c in clients]
        for t in threads:
            t.start()
        for t in threads:
            t.join(timeout=60)
        assert len(responses) == 2
        assert sorted(r.status_code for r in responses) == [302, 409]
        loser = next(r for r in responses if r.status_code == 409)
        assert any("已由" in m and "处理" in m for m in _messages(loser))
        assert _fresh(item).state == ItemState.CLOSED_ON_TIME
        assert Event.objects.for_object(item).filter(action="verified").count() == 1
        assert ProgressReport.objects.filter(item=item).count() == 0

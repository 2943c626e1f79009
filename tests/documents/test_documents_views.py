"""Flow A pages through the views: lists, drafting, the item page's actions, the queue, downloads.

The views use the real today (timezone.localdate()), so the data here is built on that day too.
"""

from __future__ import annotations

import io
import re
import zipfile
from pathlib import Path

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone
from documents_support import DAY, draft, in_leader_review, registered, signed, submitted, valid_fields

from documents.models import (
    Attachment,
    ConsultationRequest,
    Instruction,
    LeaderAssignment,
    ProcessingSlip,
    Submission,
    SubmissionState,
    Urgency,
)
from documents.submissions import selectors, services, views
from tiexi_gov.audit.models import Event
from tiexi_gov.workdays import calendar as wd

pytestmark = [pytest.mark.postgres, pytest.mark.django_db]

PDF = b"%PDF-1.7\n%\xe2\xe3\xcf\xd3\n1 0 obj <<>> endobj\n"


@pytest.fixture
def today():
    return timezone.localdate()


@pytest.fixture(autouse=True)
def media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path


def _client(client, user):
    client.force_login(user)
    return client


def _messages(response) -> list[str]:
    return [str(m) for m in response.context["messages"]] if response.context else []


def _act(client, sub, action, data=None, *, htmx=False, seen=None, prefix=True):
    payload = {"seen_state": seen if seen is not None else Submission.objects.get(pk=sub.pk).state}
    for k, v in (data or {}).items():
        payload[f"{action}-{k}" if prefix else k] = v
    headers = {"HTTP_HX_REQUEST": "true"} if htmx else {}
    return client.post(reverse("documents:act", args=[sub.pk, action]), payload, **headers)


def _state(sub) -> str:
    return Submission.objects.get(pk=sub.pk).state


def _docx_bytes() -> bytes:
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w") as zf:
        zf.writestr("[Content_Types].xml", "<x/>")
        zf.writestr("word/document.xml", "<x/>")
    return buf.getvalue()


# --- the whole flow through the pages ------------------------------------------------------------------


def _drafting_form(today, **fields) -> dict:
    """The drafting form of a 请示 as a clerk fills it in, with `fields` changed or added."""
    return {
        "kind": "request",
        "body": "正文",
        "urgency": "normal",
        "disclosure": "full",
        "disclosure_manner": "active",
        "issue_date": today.isoformat(),
        "decision_needed_by": wd.add_workdays(today, 20).isoformat(),
        "declares_one_matter": "on",
        "not_classified": "on",
        **fields,
    }


def test_every_action_view_calls_its_service_from_draft_to_close(world, client, today):
    """Drafting form → consult → reply → send for signature → sign → submit → register → two office
    reviews → route → approve with an opinion → close: each step one POST, each moves the state."""
    c = _client(client, world.fin_clerk)
    data = _drafting_form(
        today,
        title="关于拨付防汛物资资金的请示",
        copies="2",
        touched_units=[str(world.dev.pk)],
        files=[SimpleUploadedFile("方案.pdf", PDF, content_type="application/pdf")],
    )
    r = c.post(reverse("documents:create"), data)
    assert r.status_code == 302, r.context["form"].errors if r.context else r
    sub = Submission.objects.get(title="关于拨付防汛物资资金的请示")
    assert "#act-consult" in r["Location"]
    assert sub.attachments.get().original_name == "方案.pdf"
    # DOC-6: the touched units are stored with the draft, and the consult form arrives pre-filled with them.
    assert list(sub.touched_units.all()) == [world.dev]
    page = c.get(r["Location"])
    assert page.context["forms"]["consult"].initial["units"] == [world.dev.pk]

    assert _act(c, sub, "consult", {"units": [world.dev.pk], "limit_wd": 5}).status_code == 302
    assert _state(sub) == SubmissionState.CONSULTING
    cr = ConsultationRequest.objects.get(submission=sub)

    d = _client(client.__class__(), world.dev_clerk)
    assert _act(d, sub, "reply", {"consultation": cr.pk, "reply": "agree", "text": ""}).status_code == 302
    cr.refresh_from_db()
    assert cr.state == ConsultationRequest.State.ANSWERED and cr.replied_by == world.dev_clerk

    _act(c, sub, "send_for_signature")
    assert _state(sub) == SubmissionState.AWAITING_SIGNATURE
    h = _client(client.__class__(), world.fin_head)
    _act(h, sub, "sign", {"issue_date": today.isoformat(), "opinion": "同意报送"})
    assert _state(sub) == SubmissionState.SIGNED
    _act(c, sub, "submit")
    assert _state(sub) == SubmissionState.SUBMITTED

    s = _client(client.__class__(), world.staff)
    _act(s, sub, "register")
    assert _state(sub) == SubmissionState.REGISTERED
    assert ProcessingSlip.objects.filter(submission=sub).count() == 1
    dd = _client(client.__class__(), world.deputy_director)
    _act(dd, sub, "review", {"opinion": "拟请李副区长阅示。"})
    assert _state(sub) == SubmissionState.OFFICE_REVIEW
    di = _client(client.__class__(), world.director)
    _act(di, sub, "review", {"opinion": "同意。"})
    assert _state(sub) == SubmissionState.AWAITING_ROUTING
    _act(s, sub, "route")
    assert _state(sub) == SubmissionState.LEADER_REVIEW
    assert LeaderAssignment.objects.get(submission=sub).post == world.dep_a_post

    leader = _client(client.__class__(), world.dep_a)
    _act(leader, sub, "decide", {"decision": "approve", "opinion": "同意，请财政局抓紧落实。"})
    assert _state(sub) == SubmissionState.APPROVED
    _act(s, sub, "close", {"result": "已批复"})
    assert _state(sub) == SubmissionState.CLOSED

    # The clerk sees the instruction on the item page; every step left its audit event.
    page = c.get(reverse("documents:detail", args=[sub.pk]))
    assert "同意，请财政局抓紧落实。" in page.content.decode()
    actions = set(Event.objects.filter(subject_id=str(sub.pk)).values_list("action", flat=True))
    assert {"create_draft", "request_consultation", "consultation_reply", "sign", "submit", "register"} <= actions
    assert {"office_review", "route_to_leader", "leader_approve", "close"} <= actions


# --- lists -------------------------------------------------------------------------------------------------


def test_lists_tabs_todo_done_closed(world, client, today):
    mine = draft(world, today, title="本单位草稿")
    sent = submitted(world, today, title="已报送待登记")
    c = _client(client, world.fin_clerk)
    todo = c.get(reverse("documents:index"))
    titles = [r.submission.title for r in todo.context["rows"]]
    assert "本单位草稿" in titles and "已报送待登记" not in titles
    done = c.get(reverse("documents:index"), {"tab": "done"})
    assert [r.submission.title for r in done.context["rows"]] == ["已报送待登记"]

    s = _client(client.__class__(), world.staff)
    office_todo = [r.submission.title for r in s.get(reverse("documents:index")).context["rows"]]
    assert office_todo == ["已报送待登记"]
    assert mine.pk not in [r.submission.pk for r in s.get(reverse("documents:index"), {"tab": "done"}).context["rows"]]
    closed = s.get(reverse("documents:index"), {"tab": "closed"})
    assert closed.context["rows"] == []
    assert sent.pk


def test_lists_search_by_title_number_and_unit_and_filters(world, client, today):
    a = registered(world, today, title="关于A事项的请示", urgency=Urgency.CRITICAL, urgency_reason="汛期")
    registered(world, today, title="关于B事项的请示")
    number = ProcessingSlip.objects.get(submission=a).number
    s = _client(client, world.staff)

    def titles(**params):
        params.setdefault("tab", "todo")
        return [r.submission.title for r in s.get(reverse("documents:index"), params).context["rows"]]

    assert titles(q="A事项") == ["关于A事项的请示"]
    assert titles(q=number) == ["关于A事项的请示"]
    assert set(titles(q="财政局")) == {"关于A事项的请示", "关于B事项的请示"}
    assert titles(urgency="critical") == ["关于A事项的请示"]
    assert titles(state="registered", unit=str(world.dev.pk)) == []
    # Most urgent first by default; the critical one carries the red tag and "剩 N 个工作日".
    r = s.get(reverse("documents:index"))
    assert r.context["rows"][0].submission.title == "关于A事项的请示"
    html = r.content.decode()
    assert "tag-urgent-critical" in html and re.search(r"剩 \d+ 个工作日", html)
    # Garbage in the filters is ignored, not a 500.
    assert s.get(reverse("documents:index"), {"state": "x", "unit": "abc", "tab": "zz", "page": "9"}).status_code == 200


def _bulk_drafts(w, n):
    Submission.objects.bulk_create(
        [Submission(unit=w.fin, drafted_by=w.fin_clerk, title=f"批量草稿{i}", **valid_fields()) for i in range(n)]
    )


@pytest.mark.parametrize("rows", [10, 200])
def test_list_page_query_count_is_constant(world, client, rows, django_assert_max_num_queries):
    _bulk_drafts(world, rows)
    c = _client(client, world.fin_clerk)
    with django_assert_max_num_queries(14):
        r = c.get(reverse("documents:index"), {"sort": "new"})
    assert r.status_code == 200 and r.context["page"].paginator.count == rows


@pytest.mark.parametrize("sort", ["", "new"])
def test_14_2_the_list_page_joins_only_its_rows_and_keeps_the_order_and_pages(world, client, sort):
    """The page is fetched as `pk IN (the sorted, sliced ids)` and joined for those rows only: the same rows in the same
    order as slicing the list itself, on every page."""
    urgencies = [Urgency.NORMAL, Urgency.URGENT, Urgency.EXTRA_URGENT, Urgency.CRITICAL]
    Submission.objects.bulk_create(
        [
            Submission(unit=world.fin, drafted_by=world.fin_clerk, title=f"排序{i}", **valid_fields(urgency=u))
            for i in range(45)
            for u in [urgencies[i % 4]]
        ]
    )
    c = _client(client, world.fin_clerk)
    expected = selectors.document_list(world.fin_clerk, selectors.list_filters({"sort": sort}), timezone.localdate())
    for number in (1, 2, 3):
        with CaptureQueriesContext(connection) as queries:
            r = c.get(reverse("documents:index"), {"sort": sort, "page": number})
        shown = [row.submission.pk for row in r.context["rows"]]
        start = (number - 1) * views.PAGE_SIZE
        assert shown and shown == [s.pk for s in expected[start : start + views.PAGE_SIZE]]
        joined = [q["sql"] for q in queries if '"org_unit"' in q["sql"] and '"documents_submission"."body"' in q["sql"]]
        assert len(joined) == 1 and re.search(r'"documents_submission"."id" IN \(SELECT \w+."id"', joined[0]), joined


def test_doc_1_only_a_submitting_units_people_draft_a_submission(world, client):
    """A 上报公文 is a unit's 请示/报告 to the district government. A 副区长 (home unit 区政府) was offered 起草上报公文
    and could draft in the government's name to the government; the office's staff, who register submissions,
    could draft by address. Both now get no button and the 404 of no such page; a unit's clerk and head draft (the
    office's director too: the office writes its own 请示)."""
    for person in (world.dep_a, world.head, world.staff):
        assert person.unit is not None
        client.force_login(person)
        assert 'data-testid="new-submission"' not in client.get(reverse("documents:index")).content.decode()
        assert client.get(reverse("documents:create")).status_code == 404
        assert (
            client.post(reverse("documents:create"), _drafting_form(DAY, title="以区政府名义的请示")).status_code == 404
        )
    assert not Submission.objects.filter(title="以区政府名义的请示").exists()
    for person in (world.fin_clerk, world.fin_head, world.director):
        client.force_login(person)
        assert 'data-testid="new-submission"' in client.get(reverse("documents:index")).content.decode()
        assert client.get(reverse("documents:create")).status_code == 200


def _bulk_queue(w, n, today):
    subs = Submission.objects.bulk_create(
        [
            Submission(
                unit=w.fin, drafted_by=w.fin_clerk, title=f"待批{i}", state=SubmissionState.LEADER_REVIEW,
                urgency=Urgency.URGENT if i % 3 else Urgency.NORMAL, **{
                    k: v for k, v in valid_fields(today).items() if k != "urgency"
                },
            )
            for i in range(n)
        ]
    )  # fmt: skip
    slips = ProcessingSlip.objects.bulk_create(
        [
            ProcessingSlip(
                submission=s, year=9000, seq=i + 1, number=f"T-{i + 1:05d}", registered_on=today,
                registered_by=w.staff, from_unit_name="财政局", urgency=s.urgency, disclosure="full",
                title=s.title, approval_workdays=10, approval_due=wd.add_workdays(today, 10),
            )
            for i, s in enumerate(subs)
        ]
    )  # fmt: skip
    LeaderAssignment.objects.bulk_create(
        [
            LeaderAssignment(
                submission=s, slip=slip, post=w.dep_a_post, assigned_on=today, due=wd.add_workdays(today, i % 7),
                urgency_rank=2 if s.urgency == Urgency.URGENT else 3, assigned_by=w.staff,
            )
            for i, (s, slip) in enumerate(zip(subs, slips, strict=True))
        ]
    )  # fmt: skip
    return subs


@pytest.mark.parametrize("rows", [10, 200])
def test_queue_page_query_count_is_constant(world, client, today, rows, django_assert_max_num_queries):
    _bulk_queue(world, rows, today)
    c = _client(client, world.dep_a)
    with django_assert_max_num_queries(14):
        r = c.get(reverse("documents:queue"))
    assert r.status_code == 200 and r.context["page"].paginator.count == rows
    ranks = [row.assignment.urgency_rank for row in r.context["rows"]]
    assert ranks == sorted(ranks)  # most urgent first, then due


def test_x_14_a_queue_page_is_read_in_order_from_the_queue_index_never_sorted(world, today):
    """The leaders' queue is read from doc_assignment_queue_order_idx in its whole order (urgency, due day, id): a
    page stops after its rows even when many items share an urgency and a due day, as they do on a busy day."""
    from django.db import connection

    from documents.submissions import selectors

    _bulk_queue(world, 60, today)
    sql, params = selectors.leader_queue(world.dep_a, today)[:20].query.sql_with_params()
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            # With sorting and sequential scans priced out, a Sort node remains only if no index yields the order.
            cursor.execute("SET LOCAL enable_sort = off")
            cursor.execute("SET LOCAL enable_seqscan = off")
            cursor.execute("EXPLAIN " + sql, params)
            plan = "\n".join(row[0] for row in cursor.fetchall())
        else:
            cursor.execute("EXPLAIN QUERY PLAN " + sql, params)
            plan = "\n".join(str(row[-1]) for row in cursor.fetchall())
    assert "doc_assignment_queue_order_idx" in plan, plan
    assert "Sort" not in plan and "TEMP B-TREE" not in plan, plan


# --- drafting ------------------------------------------------------------------------------------------------


def test_draft_form_refuses_a_disguised_file_and_keeps_what_was_typed(world, client, today):
    c = _client(client, world.fin_clerk)
    r = c.post(
        reverse("documents:create"),
        {
            "kind": "request",
            "title": "保留输入的标题",
            "urgency": "normal",
            "copies": "1",
            "body": "这段正文不能丢",
            "files": [SimpleUploadedFile("evil.pdf", b"<html>not a pdf</html>", content_type="application/pdf")],
        },
    )
    assert r.status_code == 200
    assert not Submission.objects.filter(title="保留输入的标题").exists()
    html = r.content.decode()
    assert "保留输入的标题" in html and "这段正文不能丢" in html and "附件内容与扩展名" in html


def test_edit_while_drafting_only(world, client, today):
    sub = draft(world, today)
    c = _client(client, world.fin_clerk)
    form = c.get(reverse("documents:edit", args=[sub.pk]))
    assert form.status_code == 200
    data = {k: v for k, v in form.context["form"].initial.items() if v is not None and k != "id"}
    data.update(title="改过的标题", issue_date="", decision_needed_by=wd.add_workdays(today, 15).isoformat())
    data = {k: ("on" if v is True else v) for k, v in data.items() if v is not False}
    r = c.post(reverse("documents:edit", args=[sub.pk]), data)
    assert r.status_code == 302
    assert Submission.objects.get(pk=sub.pk).title == "改过的标题"
    # Once signed, the edit page sends the user back with a message.
    other = signed(world, today, title="已签发")
    r = c.get(reverse("documents:edit", args=[other.pk]), follow=True)
    assert "不能修改" in " ".join(_messages(r))


# --- rule messages, kept input -----------------------------------------------------------------------------


def test_doc_3_late_submission_message_shown_through_the_view(world, client, today):
    sub = draft(world, today)
    services.send_for_signature(actor=world.fin_clerk, submission=sub, today=today)
    issued = wd.subtract_workdays(today, 6)
    services.sign_submission(actor=world.fin_head, submission=sub, issue_date=issued, today=today)
    c = _client(client, world.fin_clerk)
    r = _act(c, sub, "submit")
    assert r.status_code == 200
    text = " ".join(_messages(r))
    assert "第六十条" in text and "3个工作日内报送" in text
    assert _state(sub) == SubmissionState.SIGNED


def test_doc_3_a_late_submission_is_sent_with_its_reason_on_the_submit_form(world, client, today):
    """第六十条: 无特殊情况3个工作日内报送. The reason for a late one is written where it is sent; before, the refusal
    asked for a reason the 报送 form had no field for, and only 收回修改 (and signing again) led to one."""
    sub = draft(world, today)
    services.send_for_signature(actor=world.fin_clerk, submission=sub, today=today)
    issued = wd.subtract_workdays(today, 6)
    head = _client(client.__class__(), world.fin_head)
    r = _act(head, sub, "sign", {"issue_date": issued.isoformat()}, htmx=True)
    assert r.status_code == 200 and "距今已超过3个工作日" in r.content.decode()  # the signer is told at once
    c = _client(client, world.fin_clerk)
    page = c.get(reverse("documents:detail", args=[sub.pk])).content.decode()
    assert 'name="submit-late_reason"' in page and "第六十条" in page
    r = _act(c, sub, "submit", {"late_reason": "  "})
    assert r.status_code == 200 and _state(sub) == SubmissionState.SIGNED
    assert "请填写特殊情况说明" in " ".join(_messages(r))
    r = _act(c, sub, "submit", {"late_reason": "因等待市财政局批复，延后报送"})
    assert r.status_code == 302 and _state(sub) == SubmissionState.SUBMITTED
    assert Submission.objects.get(pk=sub.pk).late_reason == "因等待市财政局批复，延后报送"
    event = Event.objects.get(action="submit", subject_id=str(sub.pk))
    assert event.opinion == "逾期报送的特殊情况说明：因等待市财政局批复，延后报送"


def test_doc_3_a_submission_on_time_has_no_reason_to_give(world, client, today):
    sub = signed(world, today)
    page = _client(client, world.fin_clerk).get(reverse("documents:detail", args=[sub.pk])).content.decode()
    assert 'data-action="submit"' in page and "late_reason" not in page
    r = _act(client, sub, "submit", {"late_reason": "不需要的说明"})
    assert r.status_code == 302 and _state(sub) == SubmissionState.SUBMITTED
    assert Submission.objects.get(pk=sub.pk).late_reason == ""


def test_doc_6_disagree_without_reasons_is_refused_and_keeps_the_choice(world, client, today):
    sub = draft(world, today)
    services.request_consultation(actor=world.fin_clerk, submission=sub, units=[world.dev], today=today)
    cr = ConsultationRequest.objects.get(submission=sub)
    c = _client(client, world.dev_clerk)
    r = _act(c, sub, "reply", {"consultation": cr.pk, "reply": "disagree", "text": ""})
    assert r.status_code == 200
    assert "第六十条" in " ".join(_messages(r))
    assert r.context["forms"]["reply"].data["reply-reply"] == "disagree"
    assert re.search(r'value="disagree"[^>]*checked', r.content.decode())
    cr.refresh_from_db()
    assert cr.state == ConsultationRequest.State.OPEN


def test_office_return_without_text_keeps_the_reason(world, client, today):
    sub = submitted(world, today)
    c = _client(client, world.staff)
    r = _act(c, sub, "return", {"reason": "unit_authority", "text": ""})
    assert r.status_code == 200 and _state(sub) == SubmissionState.SUBMITTED
    assert r.context["forms"]["return"].data["return-reason"] == "unit_authority"
    r = _act(c, sub, "return", {"reason": "unit_authority", "text": "属财政局自身职权"})
    assert r.status_code == 302 and _state(sub) == SubmissionState.RETURNED
    page = _client(client.__class__(), world.fin_clerk).get(reverse("documents:detail", args=[sub.pk]))
    assert "属财政局自身职权" in page.content.decode()


def test_doc_11_director_cannot_review_before_the_deputy_director(world, client, today):
    sub = registered(world, today)
    c = _client(client, world.director)
    r = _act(c, sub, "review", {"opinion": "同意"})
    assert r.status_code == 200 and _state(sub) == SubmissionState.REGISTERED
    assert "须先经办公室分管副主任审核，再由办公室主任审核" in " ".join(_messages(r))  # the rule, not a bare refusal


def test_action_not_offered_is_refused_with_a_message_not_a_500(world, client, today):
    sub = submitted(world, today)
    c = _client(client, world.fin_clerk)
    r = _act(c, sub, "register")
    assert r.status_code == 200 and _state(sub) == SubmissionState.SUBMITTED
    assert "不能对该公文进行“登记”操作" in " ".join(_messages(r))
    assert c.post(reverse("documents:act", args=[sub.pk, "nonsense"]), {}).status_code == 404


# --- htmx, the queue, concurrency --------------------------------------------------------------------------


def test_htmx_approve_on_the_item_page_returns_the_panel(world, client, today):
    sub = in_leader_review(world, today)
    c = _client(client, world.dep_a)
    r = _act(c, sub, "decide", {"decision": "approve", "opinion": "同意。"}, htmx=True)
    assert r.status_code == 200
    names = [t.name for t in r.templates]
    assert "documents/_panel.html" in names and "base.html" not in names
    html = r.content.decode()
    assert 'id="doc-panel"' in html and "已批准" in html and "批示已提交" in html
    assert 'hx-swap-oob="true"' in html and "同意。" in html  # the instructions block is refreshed too
    assert _state(sub) == SubmissionState.APPROVED
    assert Instruction.objects.filter(submission=sub, step="leader", decision="approve").count() == 1


def test_htmx_empty_opinion_keeps_the_panel_with_the_error(world, client, today):
    sub = in_leader_review(world, today)
    c = _client(client, world.dep_a)
    r = _act(c, sub, "decide", {"decision": "approve", "opinion": ""}, htmx=True)
    assert r.status_code == 200 and _state(sub) == SubmissionState.LEADER_REVIEW
    assert "请检查填写的内容" in r.content.decode()


def test_queue_lists_and_approves_inline(world, client, today):
    sub = in_leader_review(world, today, urgency=Urgency.URGENT)
    other = in_leader_review(world, today, title="一般件")
    c = _client(client, world.dep_a)
    page = c.get(reverse("documents:queue"))
    assert [row.submission.pk for row in page.context["rows"]] == [sub.pk, other.pk]
    a = LeaderAssignment.objects.get(submission=sub)
    r = c.post(
        reverse("documents:act", args=[sub.pk, "decide"]),
        {"from": "queue", "assignment": a.pk, "seen_state": "leader_review", "decision": "approve", "opinion": "同意"},
        HTTP_HX_REQUEST="true",
    )
    assert r.status_code == 200
    assert "documents/_queue_row.html" in [t.name for t in r.templates]
    assert "批示已提交" in r.content.decode()
    assert _state(sub) == SubmissionState.APPROVED
    # the header's "共 2 件" follows (out of band): one step is left
    assert 'id="leader-queue-count" data-testid="leader-queue-count" hx-swap-oob="true">1<' in r.content.decode()
    page = c.get(reverse("documents:queue"))
    assert [row.submission.pk for row in page.context["rows"]] == [other.pk]
    assert 'id="leader-queue-count" data-testid="leader-queue-count">1<' in page.content.decode()


def test_stale_page_second_approval_sees_who_handled_it(world, client, today):
    """Two leaders' pages both showed the item; the second click after the first gets "已由…处理"."""
    sub = in_leader_review(world, today)
    first = _client(client, world.dep_a)
    second = _client(client.__class__(), world.dep_a)  # the same leader on a phone
    assert (
        _act(first, sub, "decide", {"decision": "approve", "opinion": "同意"}, seen="leader_review").status_code == 302
    )
    r = _act(second, sub, "decide", {"decision": "approve", "opinion": "同意，请抓紧办理"}, seen="leader_review")
    assert r.status_code == 409
    assert "已由李副区长处理" in " ".join(_messages(r))
    assert Instruction.objects.filter(submission=sub, step="leader").count() == 1


def test_x_3_losing_click_gets_a_short_page_that_keeps_the_opinion_and_links_back(world, client, today):
    """Issue 14.3: the click that lost is answered by a short page, not the redrawn item page: it names who was
    first, keeps the opinion the leader typed (never a lost entry) and links to the item and to 我的待办."""
    sub = in_leader_review(world, today)
    first = _client(client, world.dep_a)
    second = _client(client.__class__(), world.dep_a)
    won = _act(first, sub, "decide", {"decision": "approve", "opinion": "同意"}, seen="leader_review")
    assert won.status_code == 302
    r = _act(second, sub, "decide", {"decision": "disapprove", "opinion": "暂缓，请再研究"}, seen="leader_review")
    page = r.content.decode()
    assert r.status_code == 409
    assert [t.name for t in r.templates][0] == "documents/already_handled.html"
    assert 'data-action="decide"' not in page  # no form to post again: the item has moved on
    assert "暂缓，请再研究" in page and "已由李副区长处理" in page
    assert reverse("documents:detail", args=[sub.pk]) in page and reverse("workflow:queue") in page
    assert Instruction.objects.filter(submission=sub, step="leader").get().opinion == "同意"


def test_x_3_losing_click_of_the_same_leader_is_not_called_someone_elses(world, client, today):
    """The leader approved on the computer and then again on the phone (or clicked twice): the short page says his
    own first step stands, not that 他人 handled the item; another leader's earlier step is still 他人."""
    sub = in_leader_review(world, today)
    _act(_client(client, world.dep_a), sub, "decide", {"decision": "approve", "opinion": "同意"}, seen="leader_review")
    again = _act(
        _client(client.__class__(), world.dep_a),
        sub,
        "decide",
        {"decision": "approve", "opinion": "同意"},
        seen="leader_review",
    )
    page = again.content.decode()
    assert again.status_code == 409
    assert 'data-testid="handled-by-you"' in page and "这一步您已经办理过" in page
    assert "已由他人处理" not in page
    assert Instruction.objects.filter(submission=sub, step="leader").count() == 1

    staff_sub = submitted(world, today)
    _act(_client(client, world.staff), staff_sub, "register", seen="submitted")
    other = _act(_client(client.__class__(), world.staff2), staff_sub, "register", seen="submitted")
    assert other.status_code == 409
    assert "已由他人处理" in other.content.decode() and "handled-by-you" not in other.content.decode()


def test_x_3_losing_click_through_htmx_still_redraws_the_panel(world, client, today):
    """With JavaScript the item page posts through htmx: the loser's panel is redrawn in place, as before."""
    sub = in_leader_review(world, today)
    first = _client(client, world.dep_a)
    second = _client(client.__class__(), world.dep_a)
    _act(first, sub, "decide", {"decision": "approve", "opinion": "同意"}, seen="leader_review")
    r = _act(second, sub, "decide", {"decision": "approve", "opinion": "同意"}, seen="leader_review", htmx=True)
    assert r.status_code == 200
    assert "documents/_panel.html" in [t.name for t in r.templates]
    assert "已由李副区长处理" in r.content.decode()


def test_stale_page_second_registration_sees_who_handled_it(world, client, today):
    sub = submitted(world, today)
    a = _client(client, world.staff)
    b = _client(client.__class__(), world.staff2)
    _act(a, sub, "register", seen="submitted")
    r = _act(b, sub, "register", seen="submitted")
    assert "已由郑文书处理" in " ".join(_messages(r))
    assert ProcessingSlip.objects.filter(submission=sub).count() == 1


def test_a_step_someone_took_first_leaves_no_button_for_it_and_keeps_what_was_typed(world, client, today):
    """Two office clerks on one 待登记 item: the second click is told who registered it, and the panel it gets back
    offers the steps that are now open, not 登记 again. A leader's opinion posted on an item already decided is kept
    on screen (nothing typed is lost) without the 同意/不同意 buttons."""
    sub = submitted(world, today)
    a = _client(client, world.staff)
    b = _client(client.__class__(), world.staff2)
    _act(a, sub, "register", seen="submitted")
    r = _act(b, sub, "register", seen="submitted", htmx=True)
    panel = r.content.decode()
    assert "已由郑文书处理" in panel
    assert 'data-action="register"' not in panel

    decided = in_leader_review(world, today)
    leader = _client(client.__class__(), world.dep_a)
    _act(leader, decided, "decide", {"decision": "approve", "opinion": "同意"})
    assert _state(decided) == SubmissionState.APPROVED
    r = _act(leader, decided, "decide", {"decision": "approve", "opinion": "同意，请财政局抓紧落实。"}, seen="")
    page = r.content.decode()
    assert 'data-action="decide"' not in page
    assert "同意，请财政局抓紧落实。" in page and 'data-testid="kept-text"' in page


# --- permissions through the pages ---------------------------------------------------------------------------

PAGES = ("detail", "slip", "slip_docx", "attachment")


def _matrix_item(w, today):
    sub = draft(w, today)
    att = services.add_attachment(
        actor=w.fin_clerk, submission=sub, file=SimpleUploadedFile("附件一.docx", _docx_bytes()), today=today
    )
    services.request_consultation(actor=w.fin_clerk, submission=sub, units=[w.dev], today=today)
    req = ConsultationRequest.objects.get(submission=sub)
    services.reply_to_consultation(actor=w.dev_clerk, consultation=req, reply="agree", today=today)
    sub = services.send_for_signature(actor=w.fin_clerk, submission=Submission.objects.get(pk=sub.pk), today=today)
    sub = services.sign_submission(actor=w.fin_head, submission=sub, issue_date=today, today=today)
    sub = services.submit_to_office(actor=w.fin_clerk, submission=sub, today=today)
    services.register(actor=w.staff, submission=sub, today=today)
    sub = Submission.objects.get(pk=sub.pk)
    services.office_review_opinion(actor=w.deputy_director, submission=sub, opinion="拟呈阅", today=today)
    services.office_review_opinion(
        actor=w.director, submission=Submission.objects.get(pk=sub.pk), opinion="同意", today=today
    )
    services.route_to_leader(actor=w.staff, submission=Submission.objects.get(pk=sub.pk), today=today)
    return Submission.objects.get(pk=sub.pk), att


def _url(page, sub, att):
    if page == "attachment":
        return reverse("documents:attachment", args=[sub.pk, att.pk])
    return reverse(f"documents:{page}", args=[sub.pk])


@pytest.mark.parametrize(
    ("who", "allowed"),
    [
        ("fin_clerk", True),  # own unit, drafter
        ("fin_other", True),  # own unit
        ("dev_clerk", True),  # asked for its opinion
        ("staff", True),  # the office processes it
        ("director", True),
        ("dep_a", True),  # routed to this leader
        ("dep_b", False),  # another leader
        ("head", False),
        ("outsider", False),  # another unit
    ],
)
def test_x_2_permission_matrix_through_the_pages(world, client, today, who, allowed):
    sub, att = _matrix_item(world, today)
    c = _client(client, getattr(world, who))
    for page in PAGES:
        r = c.get(_url(page, sub, att))
        assert r.status_code == (200 if allowed else 404), (who, page, r.status_code)
    # Acting on it: an outsider's POST is a 404 too.
    r = _act(c, sub, "decide", {"decision": "approve", "opinion": "同意"})
    assert r.status_code in ((302, 200) if allowed else (404,))
    if who != "dep_a":
        assert _state(sub) == SubmissionState.LEADER_REVIEW


def test_anonymous_is_sent_to_log_in(world, client, today):
    sub = draft(world, today)
    r = client.get(reverse("documents:detail", args=[sub.pk]))
    assert r.status_code == 302 and "/accounts/login/" in r["Location"]


def test_attachment_download_headers(world, client, today):
    sub = draft(world, today)
    att = services.add_attachment(
        actor=world.fin_clerk, submission=sub, file=SimpleUploadedFile("会议纪要 第3次.pdf", PDF), today=today
    )
    r = _client(client, world.fin_clerk).get(reverse("documents:attachment", args=[sub.pk, att.pk]))
    assert r.status_code == 200
    assert r["Content-Type"] == "application/pdf"
    assert r["X-Content-Type-Options"] == "nosniff"
    assert r["Content-Disposition"].startswith("attachment;")
    assert "filename*=utf-8''" in r["Content-Disposition"]
    assert b"".join(r.streaming_content) == PDF
    # Another submission's id in the URL does not reach this file.
    other = draft(world, today, title="另一件")
    assert client.get(reverse("documents:attachment", args=[other.pk, att.pk])).status_code == 404
    assert Attachment.objects.count() == 1


def _fields_of(obj, names):
    return {name: getattr(type(obj).objects.get(pk=obj.pk), name) for name in names}


def test_edit_forms_posted_back_unchanged_keep_every_saved_value_dates_included(world, client, today):
    """The edit pages showed saved dates as empty date boxes (the locale's 2026/12/05 is not an ISO date), so saving
    an edit erased 印发日期 and 需决策日期. Posted back untouched, an edit page now changes nothing."""
    from documents.models import OutgoingDocument
    from tests.factories import outgoing_draft
    from tests.form_roundtrip import form_data

    sub = services.create_draft(
        actor=world.fin_clerk, title="关于拨付专项资金的请示", **valid_fields(today, issue_date=today)
    )
    keep = ["title", "kind", "issue_date", "decision_needed_by", "urgency", "disclosure", "disclosure_manner", "body"]
    before = _fields_of(sub, keep)
    assert before["issue_date"] == today and before["decision_needed_by"] is not None
    c = _client(client, world.fin_clerk)
    page = c.get(reverse("documents:edit", args=[sub.pk])).content.decode()
    assert f'value="{today.isoformat()}"' in page  # the date box shows the saved date
    events = Event.objects.count()
    r = c.post(reverse("documents:edit", args=[sub.pk]), form_data(page, ("data-testid", "draft-form")))
    assert r.status_code == 302
    assert _fields_of(sub, keep) == before
    assert Event.objects.count() == events  # nothing changed, so nothing is recorded as 修改

    doc = outgoing_draft(world.fin_clerk, plan_year=today.year)
    keep = ["title", "body", "main_recipients", "copy_to", "copies", "disclosure", "disclosure_manner", "plan_item_id"]
    before, events = _fields_of(doc, keep), Event.objects.count()
    page = c.get(reverse("documents:outgoing_edit", args=[doc.pk])).content.decode()
    r = c.post(reverse("documents:outgoing_edit", args=[doc.pk]), form_data(page, ("data-testid", "outgoing-form")))
    assert r.status_code == 302 and OutgoingDocument.objects.get(pk=doc.pk).state == doc.state
    assert _fields_of(doc, keep) == before
    assert Event.objects.count() == events


def test_x_1_document_edit_pages_saved_again_unchanged_say_nothing_changed(world, client, today):
    """Saved again untouched, the 修改草稿 and 发文稿纸 edit pages recorded nothing, yet told the clerk "修改已保存" — a
    change that was never made (the supervision and meeting forms already say 未作修改). They now say nothing was
    changed; a real change is still reported as saved."""
    from tests.factories import outgoing_draft
    from tests.form_roundtrip import form_data

    sub = services.create_draft(
        actor=world.fin_clerk, title="关于拨付专项资金的请示", **valid_fields(today, issue_date=today)
    )
    doc = outgoing_draft(world.fin_clerk, plan_year=today.year)
    c = _client(client, world.fin_clerk)
    cases = (
        (reverse("documents:edit", args=[sub.pk]), "draft-form", "草稿未作修改"),
        (reverse("documents:outgoing_edit", args=[doc.pk]), "outgoing-form", "发文稿未作修改"),
    )
    for url, testid, unchanged in cases:
        data = form_data(c.get(url).content.decode(), ("data-testid", testid))
        events = Event.objects.count()
        shown = c.post(url, data, follow=True).content.decode()
        assert unchanged in shown and "修改已保存" not in shown, url
        assert Event.objects.count() == events
        data["title"] = [data["title"][0] + "（修改稿）"]
        shown = c.post(url, data, follow=True).content.decode()
        assert "修改已保存" in shown and unchanged not in shown, url
        assert Event.objects.count() == events + 1


def test_x_1_an_edit_page_posted_back_by_a_browser_keeps_multi_line_texts_and_records_nothing(world, client, today):
    """A browser sends a text area's line breaks as CR LF: the body of a draft, saved with LF, came back from an
    untouched edit page as a different text, and the 办理记录 said "修改 正文：… → …" with the same words on both
    sides. The line breaks are read as typed; nothing is changed or recorded."""
    from documents.models import OutgoingDocument
    from tests.factories import outgoing_draft
    from tests.form_roundtrip import form_data

    body = "区政府：\n    为做好有关工作，现请示如下。\n    以上请示妥否，请批示。"
    sub = services.create_draft(
        actor=world.fin_clerk, title="关于拨付专项资金的请示", **valid_fields(today, issue_date=today, body=body)
    )
    c = _client(client, world.fin_clerk)
    page = c.get(reverse("documents:edit", args=[sub.pk])).content.decode()
    data = form_data(page, ("data-testid", "draft-form"))
    assert "\r\n" in data["body"][0]  # as the browser sends it
    events = Event.objects.count()
    assert c.post(reverse("documents:edit", args=[sub.pk]), data).status_code == 302
    assert Submission.objects.get(pk=sub.pk).body == body
    assert Event.objects.count() == events

    doc = outgoing_draft(world.fin_clerk, plan_year=today.year)
    OutgoingDocument.objects.filter(pk=doc.pk).update(body=body)
    events = Event.objects.count()
    page = c.get(reverse("documents:outgoing_edit", args=[doc.pk])).content.decode()
    data = form_data(page, ("data-testid", "outgoing-form"))
    assert c.post(reverse("documents:outgoing_edit", args=[doc.pk]), data).status_code == 302
    assert OutgoingDocument.objects.get(pk=doc.pk).body == body
    assert Event.objects.count() == events

    # a real change of one line is still recorded, and stored with the line breaks typed
    data["body"] = [data["body"][0].replace("现请示如下", "特请示如下")]
    assert c.post(reverse("documents:outgoing_edit", args=[doc.pk]), data).status_code == 302
    assert OutgoingDocument.objects.get(pk=doc.pk).body == body.replace("现请示如下", "特请示如下")
    assert Event.objects.count() == events + 1


def test_x_1_an_edit_is_recorded_as_the_fields_it_changed_by_their_labels_old_to_new(world, client, today):
    from tests.form_roundtrip import form_data

    sub = services.create_draft(
        actor=world.fin_clerk, title="关于拨付专项资金的请示", **valid_fields(today, issue_date=today)
    )
    c = _client(client, world.fin_clerk)
    data = form_data(c.get(reverse("documents:edit", args=[sub.pk])).content.decode(), ("data-testid", "draft-form"))
    data["title"] = "关于追加专项资金的请示"
    assert c.post(reverse("documents:edit", args=[sub.pk]), data).status_code == 302
    event = Event.objects.filter(action="edit_draft").get()
    assert event.opinion == "标题：关于拨付专项资金的请示 → 关于追加专项资金的请示"
    html = c.get(reverse("documents:detail", args=[sub.pk])).content.decode()
    assert "标题：关于拨付专项资金的请示 → 关于追加专项资金的请示" in html
    assert "issue_date" not in html and "decision_needed_by" not in html  # no raw field names


def _squeezed(html: str) -> str:
    return re.sub(r"\s+", " ", re.sub(r">\s+<", "><", html)).strip()


def test_x_14_a_queue_row_prints_what_its_template_printed_before(world, client, today):
    """The leaders' queue rows now print words made once in Python (issue 14.2): each row still reads as it did when
    the template looked them up in the models (the reference is the row template before that change, with the
    urgency badge's old include written out in it; the include took its class from URGENCY_TAG)."""
    from django.template import Context, Template
    from django.template.loader import get_template

    from documents.submissions.views import URGENCY_TAG

    in_leader_review(world, today, urgency=Urgency.URGENT, title="急件 <b>")
    in_leader_review(world, today, title="一般件")
    rows = _client(client, world.dep_a).get(reverse("documents:queue")).context["rows"]
    before = Template(Path(__file__).with_name("queue_row_before.html").read_text(encoding="utf-8"))
    after = get_template("documents/_queue_row.html")
    assert len(rows) == 2
    for row in rows:
        context = {"row": row, "done": False, "partial": False, "form": None}
        urgency_class = URGENCY_TAG.get(row.submission.urgency, "")
        old, new = before.render(Context({**context, "urgency_class": urgency_class})), after.render(context)
        assert _squeezed(new) == _squeezed(old)
        assert 'data-testid="urgency"' in new and row.submission.unit.display_name in new


def test_x_14_the_queue_list_draws_its_rows_with_jinja_as_the_django_row_prints_them(world, client, today):
    """A page of the leaders' queue draws its rows with Jinja2 (issue 14.2), each with the page's CSRF token in its
    quick-decision form; the row drawn alone after an htmx decision stays the Django template, and both print alike."""
    from django.template.loader import get_template
    from django.test import Client

    from tests.rows_support import as_django_prints
    from tiexi_gov.rowtemplates import rows as draw

    urgent = in_leader_review(world, today, urgency=Urgency.URGENT, title="急件 <b>\"引号\" & '撇号'</b>")
    in_leader_review(world, today, title="一般件")
    c = Client(enforce_csrf_checks=True)
    c.force_login(world.dep_a)
    response = c.get(reverse("documents:queue"))
    html = response.content.decode()
    assert "&#34;引号&#34;" in html and "<b>" not in html  # the page's rows are Jinja2's (Django writes &quot;)
    tokens = set(re.findall(r'name="csrfmiddlewaretoken" value="([^"]+)"', html))
    assert len(tokens) == 1
    [token] = tokens
    rows = response.context["rows"]
    assert len(rows) == 2
    django_row = get_template("documents/_queue_row.html")
    for row in rows:
        context = {"row": row, "done": False, "partial": False, "form": None, "csrf_token": token}
        drawn = draw([row], "documents/_queue_row.jinja", csrf_token=token)
        assert as_django_prints(drawn) == re.sub(r"\s+", " ", django_row.render(context)).strip()
    # The token a row carries is the page's: the form posted as a browser without JavaScript would, CSRF enforced.
    a = LeaderAssignment.objects.get(submission=urgent)
    posted = c.post(
        reverse("documents:act", args=[urgent.pk, "decide"]),
        {"csrfmiddlewaretoken": token, "from": "queue", "assignment": a.pk, "seen_state": "leader_review",
         "decision": "approve", "opinion": "同意"},
    )  # fmt: skip
    assert posted.status_code == 302 and _state(urgent) == SubmissionState.APPROVED


def test_doc_11_pass_on_names_each_other_leader_and_leaves_out_the_deciding_one(world, client, today):
    """Deputies share the title 副区长: 转批 names who holds each post (and who acts while its holder is away), and
    does not offer the deciding leader's own post, which the service would refuse."""
    from tests.factories import ActingArrangementFactory

    w = world
    for post in (w.dep_a_post, w.dep_b_post):
        post.title = "副区长"
        post.save(update_fields=["title"])
    sub = in_leader_review(w, today)
    decider = LeaderAssignment.objects.get(submission=sub, state="pending").post
    page = _client(client, decider.appointments.get().person).get(reverse("documents:detail", args=[sub.pk]))
    choices = dict(page.context["forms"]["decide"].fields["to_post"].choices)
    offered = {str(label) for value, label in choices.items() if value}
    assert decider.pk not in {int(str(v)) for v in choices if v}
    other = w.dep_b_post if decider == w.dep_a_post else w.dep_a_post
    holder = other.appointments.get().person
    assert f"副区长（{holder.display_name}）" in offered
    assert f"区长（{w.head.display_name}）" in offered
    ActingArrangementFactory(absent_post=w.head_post, acting_post=w.exec_post, start=today, end=today)
    page = client.get(reverse("documents:detail", args=[sub.pk]))
    offered = {str(label) for value, label in page.context["forms"]["decide"].fields["to_post"].choices if value}
    assert f"区长（{w.head.display_name}，{w.exec_deputy.display_name}代）" in offered


def test_doc_4_draft_form_keeps_copies_to_a_number_a_press_prints(world, client, today):
    """份数 is a count of printed copies: above 10,000 the form says so in Chinese and keeps what was typed, as the
    发文 form does for 印制份数 (a bare integer column took 2,147,483,648 on SQLite)."""
    c = _client(client, world.fin_clerk)
    data = {"kind": "request", "title": "份数过多的请示", "urgency": "normal", "body": "正文保留"}
    data["copies"] = "2147483648"
    r = c.post(reverse("documents:create"), data)
    assert r.status_code == 200 and not Submission.objects.filter(title="份数过多的请示").exists()
    assert "10000" in " ".join(r.context["form"].errors["copies"])
    assert "正文保留" in r.content.decode()
    assert 'max="10000"' in r.content.decode()


def test_doc_13_a_decided_item_shows_no_countdown_and_a_guessed_count_is_marked_on_the_item_page(world, client, today):
    """Once the leader has decided, the approval clock has stopped: the item page and the list no longer say
    "剩 N 个工作日". A decision date in a year without an official calendar is counted as the list counts it, marked
    暂定 on the item page too (CAL-2)."""
    from tiexi_gov.workdays.models import CalendarYear

    sub = in_leader_review(world, today)
    c = _client(client, world.fin_clerk)
    assert "个工作日" in c.get(reverse("documents:detail", args=[sub.pk])).context["due_text"]
    services.leader_decide(actor=world.dep_a, submission=sub, decision="approve", opinion="同意", today=today)
    page = c.get(reverse("documents:detail", args=[sub.pk]))
    assert page.context["due_text"] == ""
    assert 'data-testid="due"' not in c.get(reverse("documents:index")).content.decode()
    # returned by the leader: the clock stopped too (the list and the page said "剩 7 个工作日" on a returned 请示)
    back = in_leader_review(world, today, title="关于被退回事项的请示")
    services.leader_decide(actor=world.dep_a, submission=back, decision="return", opinion="请补充依据", today=today)
    assert Submission.objects.get(pk=back.pk).state == SubmissionState.RETURNED
    assert c.get(reverse("documents:detail", args=[back.pk])).context["due_text"] == ""
    far = today.replace(year=today.year + 3, month=3, day=2)
    assert not CalendarYear.objects.filter(year=far.year).exists()
    drafted = draft(world, today, title="关于三年后启用新址的请示", decision_needed_by=far)
    html = c.get(reverse("documents:detail", args=[drafted.pk])).content.decode()
    assert "个工作日" in html and "暂定" in html


def test_doc_13_a_returned_item_taken_back_shows_its_decision_date_not_the_closed_approval_limit(world):
    """The office returns a registered 请示 and the unit takes it back to redraft: the old slip's approval limit was
    closed at the return, so the item shows the date the unit needs a decision by, and the record says 退回后重新修改
    (not 修改后重新报送: nothing has been resubmitted yet)."""
    from documents.submissions.selectors import row_due

    sub = registered(world)
    slip_due = sub.current_slip.approval_due
    assert row_due(sub, DAY)[2] == slip_due
    services.return_submission(actor=world.staff, submission=sub, reason="other", text="请补充材料。", today=DAY)
    sub = services.revise(actor=world.fin_clerk, submission=Submission.objects.get(pk=sub.pk), today=DAY)
    assert sub.state == SubmissionState.DRAFTING and sub.current_slip_id is not None
    _text, _tone, due = row_due(sub, DAY)
    assert due == sub.decision_needed_by != slip_due
    assert Event.objects.for_object(sub).get(action="revise").action_label == "退回后重新修改"


@pytest.mark.parametrize("copies", ["0", "-1"])
def test_a_draft_in_no_copies_is_refused_and_keeps_what_was_typed(world, client, today, copies):
    """份数 0 saved a 请示 sent in no copies; the form asks for at least one and keeps the title typed."""
    c = _client(client, world.fin_clerk)
    data = _drafting_form(today, title="关于零份数的请示", copies=copies)
    r = c.post(reverse("documents:create"), data)
    assert r.status_code == 200 and "copies" in r.context["form"].errors
    assert not Submission.objects.filter(title="关于零份数的请示").exists()
    assert 'value="关于零份数的请示"' in r.content.decode()


def test_doc_12_sending_to_several_leaders_names_each_one(world):
    """串并联分送 listed 副区长 / 副区长 / …: the office could not tell the deputies apart, nor choose the order of a
    serial batch. Each post is named with its holder, as 转批 names them."""
    from documents.submissions.forms import SendToLeadersForm

    labels = [label for _value, label in SendToLeadersForm().fields["posts"].choices]
    for post, person in ((world.dep_a_post, world.dep_a), (world.dep_b_post, world.dep_b)):
        assert f"{post.title}（{person.display_name}）" in labels


def _confirm_of(page: str, action: str) -> str:
    """The question the browser asks before the panel's form for `action` is sent ("" when it asks none)."""
    form = re.search(rf'<form[^>]*data-action="{action}"[^>]*>', page)
    assert form, f"no {action} form on the page"
    asked = re.search(r'hx-confirm="([^"]*)"', form.group(0))
    return asked.group(1) if asked else ""


def test_doc_6_sending_for_opinions_countersign_or_to_units_asks_first(world, client, today):
    """Sending a draft to other units for their opinion (第六十条), asking them to countersign the disagreement
    statement, and the office's notice telling units to prepare (第六十一条) all go out to other units at once and
    cannot be taken back: each asks before it is sent, as 送签, 报送 and 办结 do. They were sent on one tap."""
    sub = draft(world, today)
    page = _client(client, world.fin_clerk).get(reverse("documents:detail", args=[sub.pk])).content.decode()
    assert "发出后不能收回" in _confirm_of(page, "consult")

    services.request_consultation(actor=world.fin_clerk, submission=sub, units=[world.dev], today=today)
    (req,) = sub.consultations.all()
    services.reply_to_consultation(
        actor=world.dev_clerk, consultation=req, reply=ConsultationRequest.Reply.DISAGREE, text="资金来源不明确"
    )
    page = client.get(reverse("documents:detail", args=[sub.pk])).content.decode()
    assert "会签" in _confirm_of(page, "statement")

    sub = in_leader_review(world, today)
    page = _client(client, world.staff).get(reverse("documents:detail", args=[sub.pk])).content.decode()
    assert "发送后不能收回" in _confirm_of(page, "notify_units")


def test_x_1_an_over_long_title_number_or_note_is_refused_naming_its_field(world, client, today):
    """标题, 来文字号 and the short notes of 登记商定延期 and 会签 over their limit were refused with Django's
    "确保该变量包含不超过 200 字符", which names no field; the draft form's other texts say 正文不能超过20000字.
    Each now names its field and its limit, and nothing is saved."""
    from tests.form_roundtrip import form_data

    sub = services.create_draft(actor=world.fin_clerk, title="关于拨付专项资金的请示", **valid_fields(today))
    c = _client(client, world.fin_clerk)
    url = reverse("documents:edit", args=[sub.pk])
    data = form_data(c.get(url).content.decode(), ("data-testid", "draft-form"))
    events = Event.objects.count()
    for name, text, message in (
        ("title", "<script>alert(1)</script>" * 9, "标题不能超过200字（现为225字）"),
        ("unit_doc_number", "铁" * 61, "来文字号不能超过60字（现为61字）"),
    ):
        html = c.post(url, {**data, name: text}).content.decode()
        assert message in html and "<script>alert" not in html
    assert Submission.objects.get(pk=sub.pk).title == "关于拨付专项资金的请示"
    assert Event.objects.count() == events
    services.request_consultation(actor=world.fin_clerk, submission=sub, units=[world.dev], today=today)
    (req,) = sub.consultations.all()
    sub.refresh_from_db()
    events = Event.objects.count()
    html = c.post(
        reverse("documents:act", args=[sub.pk, "extension"]),
        {
            "seen_state": sub.state,
            "extension-consultation": req.pk,
            "extension-new_due": wd.add_workdays(req.due, 3).isoformat(),
            "extension-note": "电" * 201,
        },
    ).content.decode()
    assert "商定情况（时限及方式）不能超过200字（现为201字）" in html
    assert Event.objects.count() == events and ConsultationRequest.objects.get(pk=req.pk).extended_due is None


def test_doc_3_a_later_issue_date_is_refused_on_the_date_box_and_the_picker_stops_at_today(world, client, today):
    """签发 took any 印发日期 in the picker; a later day than today was refused only by the service, as a message
    above the page (印发日期不能晚于签发当日), the box itself unmarked. The picker now stops at today and the box
    says why, as the other days that already happened do; nothing is signed."""
    import datetime as dt

    sub = services.send_for_signature(actor=world.fin_clerk, submission=draft(world, today), today=today)
    c = _client(client, world.fin_head)
    page = c.get(reverse("documents:detail", args=[sub.pk])).content.decode()
    assert re.search(rf'name="sign-issue_date"[^>]*max="{today.isoformat()}"', page)
    events = Event.objects.count()
    html = c.post(
        reverse("documents:act", args=[sub.pk, "sign"]),
        {"seen_state": sub.state, "sign-issue_date": (today + dt.timedelta(days=3)).isoformat()},
    ).content.decode()
    assert "印发日期不能晚于今天" in html
    assert Submission.objects.get(pk=sub.pk).state == SubmissionState.AWAITING_SIGNATURE
    assert Event.objects.count() == events


@pytest.mark.parametrize(
    ("copies", "message"), [("-1", "份数至少为1份"), ("0", "份数至少为1份"), ("10001", "份数不能超过")]
)
def test_x_1_copies_out_of_range_get_one_error_naming_the_copies(world, client, today, copies, message):
    """份数 -1 was refused twice over, 确保该值大于或等于0 beside 份数至少为1份 (as if 0 would do), and 10001 with
    the bare 确保该值小于或等于10000. Each now gets one error that names 份数; nothing is saved."""
    from tests.form_roundtrip import form_data

    sub = draft(world, today)
    c = _client(client, world.fin_clerk)
    url = reverse("documents:edit", args=[sub.pk])
    data = form_data(c.get(url).content.decode(), ("data-testid", "draft-form"))
    html = c.post(url, {**data, "copies": copies}).content.decode()
    assert message in html and "确保该值" not in html
    assert Submission.objects.get(pk=sub.pk).copies == sub.copies

"""The demo documents: every stage of flow A seeded through the real services, idempotent, with work for each role."""

import datetime as dt
from io import StringIO

import pytest
from django.core.management import CommandError, call_command
from django.urls import reverse

from documents.demo import ITEMS, OUTGOING_TITLE, build_demo_documents, demo_submissions
from documents.models import (
    ConsultationRequest,
    Instruction,
    LeaderAssignment,
    OutgoingDocument,
    OutgoingState,
    ProcessingSlip,
    Submission,
    SubmissionState,
    Urgency,
)
from documents.submissions.selectors import consultations_for_unit, leader_queue
from tiexi_gov.audit.models import Event
from tiexi_gov.audit.selectors import history_of
from tiexi_gov.deadlines.models import Deadline
from tiexi_gov.notify.models import Message
from tiexi_gov.org.demo import build_demo_district
from tiexi_gov.org.models import User
from tiexi_gov.workdays import calendar as wd

pytestmark = pytest.mark.django_db
S = SubmissionState
PASSWORD = "demo-Pass-2026"
DAY = dt.date(2026, 9, 8)  # a Tuesday in an ordinary working week, far from the holidays


@pytest.fixture
def demo():
    build_demo_district(PASSWORD)
    return build_demo_documents(today=DAY)


def user(username):
    return User.objects.get(username=username)


def counts():
    return {
        model.__name__: model.objects.count()
        for model in (
            Submission,
            OutgoingDocument,
            ConsultationRequest,
            ProcessingSlip,
            Instruction,
            LeaderAssignment,
            Event,
            Deadline,
            Message,
        )
    }


def test_demo_documents_cover_every_stage_of_the_flow(demo):
    assert len(demo["created"]) == len(ITEMS) + 1 and demo["skipped"] == []
    assert demo["by_state"] == {
        S.DRAFTING: 1,
        S.CONSULTING: 1,
        S.AWAITING_SIGNATURE: 1,
        S.SUBMITTED: 1,
        S.REGISTERED: 1,
        S.OFFICE_REVIEW: 1,
        S.LEADER_REVIEW: 4,
        S.APPROVED: 1,
        S.RETURNED: 1,
    }
    assert OutgoingDocument.objects.get(title=OUTGOING_TITLE).state == OutgoingState.AWAITING_SIGNATURE
    urgent = Submission.objects.get(urgency=Urgency.EXTRA_URGENT, title__in=[i.title for i in ITEMS])
    assert (
        urgent.assignments.filter(mode=LeaderAssignment.Mode.PARALLEL, state=LeaderAssignment.State.PENDING).count()
        == 2
    )
    returned = demo_submissions().get(state=S.RETURNED)
    assert returned.return_reason and returned.return_text


def test_demo_documents_run_twice_create_nothing_new(demo):
    before = counts()
    again = build_demo_documents(today=DAY)
    assert again["created"] == []
    assert len(again["skipped"]) == len(ITEMS) + 1
    assert counts() == before
    assert again["by_state"] == demo["by_state"]


def test_each_deputy_with_a_demo_item_finds_it_in_the_leaders_queue(demo):
    for username in ("fuquzhang1", "fuquzhang2", "fuquzhang3", "changwu"):
        assert leader_queue(user(username), DAY).exists(), username
    # 特急 before 一般 in 我的待办 (the parallel item shares fuquzhang1's queue with a normal one).
    queue = list(leader_queue(user("fuquzhang1"), DAY))
    assert [a.submission.urgency for a in queue] == [Urgency.EXTRA_URGENT, Urgency.NORMAL]


def test_a_consulted_units_clerk_has_an_open_consultation_to_answer(demo):
    open_requests = consultations_for_unit(user("czj_wenshu"))
    assert open_requests.count() == 1
    assert open_requests.get().submission.unit.code == "zjj"
    answered = ConsultationRequest.objects.get(unit__code="fgj")
    assert answered.state == ConsultationRequest.State.ANSWERED and answered.reply_text


def test_every_demo_item_has_audit_events_for_its_steps(demo):
    for sub in demo_submissions():
        actions = [e.action for e in history_of(sub)]
        assert actions and actions[0] == "create_draft", sub.title
    leader_review = demo_submissions().filter(state=S.LEADER_REVIEW)
    for sub in leader_review:
        actions = {e.action for e in history_of(sub)}
        assert {"sign", "submit", "register", "office_review"} <= actions, sub.title
    assert history_of(OutgoingDocument.objects.get(title=OUTGOING_TITLE)).exists()


def test_demo_deadlines_are_realistic_none_overdue_and_some_due_soon(demo):
    open_due = list(Deadline.objects.filter(state=Deadline.State.OPEN).values_list("due", flat=True))
    assert open_due
    assert min(open_due) >= DAY
    assert max(open_due) <= wd.add_workdays(DAY, 10)
    assert any(wd.workdays_between(DAY, due) <= 3 for due in open_due)


def test_the_clerk_sees_the_approved_instruction_and_prints_the_slip(demo, client):
    approved = demo_submissions().get(state=S.APPROVED)
    instruction = approved.instructions.get(step=Instruction.Step.LEADER)
    assert instruction.decision == Instruction.Decision.APPROVE and instruction.opinion
    client.force_login(user(f"{approved.unit.code}_wenshu"))
    page = client.get(reverse("documents:slip", args=[approved.pk]))
    assert page.status_code == 200
    assert instruction.opinion in page.content.decode()


def test_seed_demo_documents_refuses_production_settings_without_force(settings):
    build_demo_district(PASSWORD)
    settings.DEBUG = False
    with pytest.raises(CommandError, match="拒绝写入演示数据"):
        call_command("seed_demo_documents")
    assert not Submission.objects.exists()


def test_seed_demo_documents_needs_the_demo_district(settings):
    settings.DEBUG = True
    with pytest.raises(CommandError, match="seed_demo"):
        call_command("seed_demo_documents")


def test_seed_demo_documents_runs_twice_and_the_summary_agrees_with_each_logins_queue(settings, client):
    """`make run` prints `tasks summary`: each login's 我的待办, read with the page's own query — so what the banner
    promises is what every demo login finds on the page (issue 10)."""
    import re

    from django.urls import reverse

    from tiexi_gov.org.models import User

    build_demo_district(PASSWORD)
    settings.DEBUG = True
    out = StringIO()
    call_command("seed_demo_documents", stdout=out)
    text = out.getvalue()
    assert f"新建 {len(ITEMS) + 1} 件" in text
    assert "领导审批中 4" in text
    summary = StringIO()
    call_command("tasks", "summary", stdout=summary)
    printed = dict(re.findall(r"^  (\S+)（.*?）共 (\d+) 项$", summary.getvalue(), flags=re.M))
    assert {"fuquzhang1", "czj_wenshu", "bangongshi"} <= set(printed)
    assert "待回复意见" in summary.getvalue()
    for username, total in printed.items():
        c = client.__class__()
        c.force_login(User.objects.get(username=username))
        assert c.get(reverse("workflow:queue")).context["total"] == int(total), username
    first = counts()
    again = StringIO()
    call_command("seed_demo_documents", stdout=again)
    assert "新建 0 件" in again.getvalue()
    assert counts() == first

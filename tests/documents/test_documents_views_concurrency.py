"""Two people clicking 同意 on the same item at the same moment, through the pages: one transition,
and the other sees who handled it. Real threads, two test clients, each with its own PostgreSQL connection."""

from __future__ import annotations

import threading

import pytest
from django.db import connections
from django.test import Client
from django.urls import reverse
from django.utils import timezone
from documents_support import build_world, in_leader_review

from documents.models import Instruction, Submission, SubmissionState
from tiexi_gov.audit.models import Event

pytestmark = [pytest.mark.postgres, pytest.mark.django_db(transaction=True)]


def _messages(response) -> list[str]:
    return [str(m) for m in response.context["messages"]] if response.context else []


def test_concurrent_double_approval_through_two_clients_gives_one_transition():
    w = build_world()
    today = timezone.localdate()
    subs = [in_leader_review(w, today, title=f"并发页面审批{i}") for i in range(5)]
    for sub in subs:
        clients = [Client(), Client()]
        for c in clients:
            c.force_login(w.dep_a)  # the same leader, desktop and phone
        barrier = threading.Barrier(2)
        responses = []

        def click(c, sub=sub, barrier=barrier, responses=responses):
            try:
                barrier.wait(timeout=30)
                responses.append(
                    c.post(
                        reverse("documents:act", args=[sub.pk, "decide"]),
                        {"seen_state": "leader_review", "decide-decision": "approve", "decide-opinion": "同意"},
                    )
                )
            finally:
                connections.close_all()

        threads = [threading.Thread(target=click, args=(c,)) for c in clients]
        for t in threads:
            t.start()
        for t in threads:
            t.join(timeout=60)
        assert len(responses) == 2
        assert Submission.objects.get(pk=sub.pk).state == SubmissionState.APPROVED
        assert Instruction.objects.filter(submission=sub, step="leader").count() == 1
        assert Event.objects.filter(subject_id=str(sub.pk), action="leader_approve").count() == 1
        winners = [r for r in responses if r.status_code == 302]
        losers = [r for r in responses if r.status_code == 409]  # the short 已由…处理 page (issue 14.3)
        assert len(winners) == 1 and len(losers) == 1
        assert "已由李副区长处理" in " ".join(_messages(losers[0]))

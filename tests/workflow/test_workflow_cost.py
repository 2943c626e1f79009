"""What a step costs (issue 10, point 6): a deputy's 同意 on a submission, posted as the item page posts it, runs at
most 20 SQL statements — savepoints included — where it took about 55 before the kernel: the session comes from the
cache, the page checks only what it posts, and a step writes its audit events and its messages in one insert each.
Chaining the audit events (issue 12.3) costs one statement (the chain's lock and head read, one function call on
PostgreSQL); the user's roles come with the user (org.backends) and the leader's pending step, once locked, answers
the transition's permission — so the budget stays 20 (issue 14 point 3)."""

from __future__ import annotations

import pytest
from django.urls import reverse
from django.utils import timezone

from documents.submissions.models import Submission, SubmissionState
from tests.documents.documents_support import build_world, in_leader_review
from tiexi_gov.audit.models import Event
from tiexi_gov.workflow.models import Task

pytestmark = pytest.mark.django_db

# A read of the leaders' steps themselves (the pending step, "did this leader already act"), not the lookup's EXISTS.
READS_STEPS = ('SELECT "documents_leaderassignment"', 'SELECT 1 AS "a" FROM "documents_leaderassignment"')


def test_x_3_one_approval_posted_from_the_item_page_runs_at_most_20_queries(
    client, django_assert_max_num_queries, settings
):
    # As deployed on several processes: the session is read from the shared cache (CACHE_URL), not a query.
    settings.SESSION_ENGINE = "django.contrib.sessions.backends.cached_db"
    w = build_world()
    sub = in_leader_review(w, timezone.localdate())
    client.force_login(w.dep_a)
    client.get(reverse("documents:detail", args=[sub.pk]))  # the page the deputy approves from
    data = {"seen_state": sub.state, "decide-decision": "approve", "decide-opinion": "同意。"}
    with django_assert_max_num_queries(20):
        response = client.post(reverse("documents:act", args=[sub.pk, "decide"]), data)
    assert response.status_code == 302
    assert Submission.objects.get(pk=sub.pk).state == SubmissionState.APPROVED
    # Everything a step owes was still done: the event, the clocks' events, the tasks moved on to the office.
    assert Event.objects.for_object(sub).filter(action="leader_approve", actor=w.dep_a).exists()
    assert set(Task.objects.open().of(sub).values_list("action", flat=True)) == {"close"}


def test_x_3_the_click_that_lost_the_race_is_told_who_without_reading_the_leaders_steps(
    client, django_assert_max_num_queries
):
    """Issue 14.3: a second 同意 on an item the page showed waiting, after another click approved it, names who was
    first from the locked row alone: it never locks the pending step or asks whether this leader already acted."""
    w = build_world()
    sub = in_leader_review(w, timezone.localdate())
    data = {"seen_state": sub.state, "decide-decision": "approve", "decide-opinion": "同意。"}
    first, late = client, client.__class__()
    first.force_login(w.dep_a)
    late.force_login(w.dep_a)
    late.get(reverse("documents:detail", args=[sub.pk]))  # the page the late click comes from
    assert first.post(reverse("documents:act", args=[sub.pk, "decide"]), data).status_code == 302
    with django_assert_max_num_queries(11) as captured:
        response = late.post(reverse("documents:act", args=[sub.pk, "decide"]), data)
    assert response.status_code == 409 and "已由" in response.content.decode()
    # The item's lookup may ask whether it reached the leader's post; the leader's own steps are not read.
    steps = [q["sql"] for q in captured.captured_queries if q["sql"].startswith(READS_STEPS)]
    assert not steps, f"the leader's steps are read for a click that lost: {steps}"
    assert Event.objects.for_object(sub).filter(action="leader_approve").count() == 1

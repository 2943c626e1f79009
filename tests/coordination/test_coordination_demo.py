"""The demo register and the demo meetings are built through the real services (CRD-1 path, MTG-3/MTG-4)."""

import pytest
from django.core.management import call_command

from coordination.models import AbsenceRequest, Application, Body
from meetings.models import Meeting


@pytest.fixture
def demo_district(db, settings):
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
    settings.DEBUG = True
    call_command("seed_demo", "--password", "demo-pass-2026", verbosity=0)


def test_crd_1_demo_bodies_are_approved_through_the_application_path_and_idempotent(demo_district):
    call_command("seed_demo_coordination", verbosity=0)
    bodies = Body.objects.count()
    assert bodies == 3
    assert Application.objects.filter(state=Application.State.APPROVED).count() == 3
    assert all(b.seats.filter(role="head").exists() for b in Body.objects.all())
    call_command("seed_demo_coordination", verbosity=0)
    assert Body.objects.count() == bodies
    # work in flight, once: an application at the office's review and a unit head's leave for the deputy (LEAVE-3)
    assert Application.objects.filter(state=Application.State.OFFICE_REVIEW).count() == 1
    assert AbsenceRequest.objects.filter(state=AbsenceRequest.State.REQUESTED).count() == 1


def test_issue_10_demo_logins_see_the_coordination_work_waiting_on_them(demo_district):
    from django.utils import timezone

    from tests.coordination.queue_support import key, queued
    from tiexi_gov.org.models import User
    from tiexi_gov.org.selectors import who_handles

    call_command("seed_demo_coordination", verbosity=0)
    today = timezone.localdate()
    pending = Application.objects.get(state=Application.State.OFFICE_REVIEW)
    assert key(pending) in queued(User.objects.get(username="bangongshi"), today)
    assert key(pending) not in queued(User.objects.get(username="czj_wenshu"), today)
    leave = AbsenceRequest.objects.get(state=AbsenceRequest.State.REQUESTED)
    approver = who_handles(leave.approver_post, today).person
    assert key(leave) in queued(approver, today) and key(leave) not in queued(
        User.objects.get(username="quzhang"), today
    )


def test_mtg_4_demo_meetings_are_the_years_regular_meetings(demo_district):
    call_command("seed_demo_meetings", verbosity=0)
    count = Meeting.objects.count()
    assert count >= 26
    call_command("seed_demo_meetings", verbosity=0)
    assert Meeting.objects.count() == count


def test_issue_10_demo_coordination_queue_is_complete_and_stays_so_on_a_walk(demo_district):
    """On the demo district: everyone who may act on a coordination item has it in 我的待办, and nobody else — as
    seeded, and after a random walk through the services."""
    from django.utils import timezone

    from tests.coordination.queue_support import mismatches, walk

    call_command("seed_demo_coordination", verbosity=0)
    today = timezone.localdate()
    assert mismatches(today) == []
    _, problems = walk(7, 24, today, check_every=8)
    assert problems == []

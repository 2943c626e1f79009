"""The demo register and the demo meetings are built through the real services (CRD-1 path, MTG-3/MTG-4)."""

import pytest
from django.core.management import call_command

from coordination.models import Application, Body
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


def test_mtg_4_demo_meetings_are_the_years_regular_meetings(demo_district):
    call_command("seed_demo_meetings", verbosity=0)
    count = Meeting.objects.count()
    assert count >= 26
    call_command("seed_demo_meetings", verbosity=0)
    assert Meeting.objects.count() == count

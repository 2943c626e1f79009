"""The demo ledger is built through the real services and has something in every light."""

import pytest
from django.core.management import call_command

from supervision.ledger import selectors
from supervision.models import Light, SupervisionItem


@pytest.fixture
def demo_district(db, settings):
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
    settings.DEBUG = True
    call_command("seed_demo", "--password", "demo-pass-2026", verbosity=0)


def test_sup_1_demo_ledger_has_items_in_every_light_and_is_idempotent(demo_district, settings):
    settings.DEBUG = True
    call_command("seed_demo_supervision", verbosity=0)
    count = SupervisionItem.objects.count()
    lights = set(selectors.with_light(SupervisionItem.objects.all()).values_list("light", flat=True))
    assert {Light.GREEN, Light.AMBER, Light.RED, Light.DONE} <= lights
    call_command("seed_demo_supervision", verbosity=0)
    assert SupervisionItem.objects.count() == count

"""X-2 on the history page (/audit/<type>/<id>/): the office director reads an object's record only where the
object's own page would open for them; the audit administrator reads every record (that is the role's work).
Account records (people, their second factor, their API tokens) are not the office's business (三员分立)."""

from __future__ import annotations

import pytest
from django.contrib.contenttypes.models import ContentType
from django.urls import reverse
from django.utils import timezone
from documents_support import valid_fields

from documents.submissions import services
from tests.factories import UserFactory
from tiexi_gov.org.roles import Role

pytestmark = [pytest.mark.postgres, pytest.mark.django_db]


def _history(obj) -> str:
    return reverse("audit:history", args=[ContentType.objects.get_for_model(obj).pk, obj.pk])


def _client(client, user):
    c = client.__class__()
    c.force_login(user)
    return c


def test_x_2_office_director_does_not_read_the_history_of_a_confidential_item_he_is_not_named_on(world, client):
    w = world
    sub = services.create_draft(
        actor=w.fin_clerk, title="关于人事调整的请示", **valid_fields(timezone.localdate(), confidential=True)
    )
    director = _client(client, w.director)
    assert director.get(reverse("documents:detail", args=[sub.pk])).status_code == 404
    page = director.get(_history(sub))
    assert page.status_code == 404 and "关于人事调整的请示" not in page.content.decode()
    # the audit administrator reads every record
    auditor = _client(client, UserFactory(roles=[Role.AUDIT_ADMIN]))
    assert auditor.get(_history(sub)).status_code == 200


def test_x_2_office_director_still_reads_the_history_of_an_item_he_may_open(world, client):
    w = world
    sub = services.create_draft(actor=w.fin_clerk, title="关于预算调整的请示", **valid_fields(timezone.localdate()))
    clerk = _client(client, w.fin_clerk)
    assert clerk.get(reverse("documents:detail", args=[sub.pk])).status_code == 200
    assert clerk.get(_history(sub)).status_code == 404  # a clerk reads no record page at all
    # the unit's own draft is not the office's yet; a unit (org chart) always is
    assert _client(client, w.director).get(_history(w.fin)).status_code == 200


def test_sec_3_office_director_does_not_read_an_accounts_record(world, client):
    director = _client(client, world.director)
    assert director.get(_history(world.fin_clerk)).status_code == 404


def test_x_2_office_director_does_not_read_the_history_of_a_part_of_a_confidential_item(world, client):
    """A consultation, a leader's routing or an instruction carries its own record; on a confidential item it is as
    closed to the director as the item itself."""
    from documents.submissions.models import ConsultationRequest

    w = world
    today = timezone.localdate()
    sub = services.create_draft(actor=w.fin_clerk, title="关于人事调整的请示", **valid_fields(today, confidential=True))
    part = ConsultationRequest.objects.create(
        submission=sub, unit=w.dev, requested_by=w.fin_clerk, requested_on=today, due=today
    )
    assert _client(client, w.director).get(_history(part)).status_code == 404
    assert _client(client, UserFactory(roles=[Role.AUDIT_ADMIN])).get(_history(part)).status_code == 200

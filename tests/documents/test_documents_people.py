"""Who hears about a submission's outcome (DOC-11, DOC-13: the leader's decision goes back to the unit and the
office): the unit's clerks and heads and the office's staff, each once, read in one query from the role
memberships (issue 14.3), with the old fallbacks when a unit has no clerk or head."""

from __future__ import annotations

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from documents_support import build_world

from documents.shared.people import unit_and_office_people
from tests.factories import UserFactory
from tiexi_gov.org.roles import Role

pytestmark = pytest.mark.django_db


def _pks(people) -> list[int]:
    return [p.pk for p in people]


def test_doc_11_the_decision_is_told_to_the_units_clerks_and_heads_and_to_the_office_once_each():
    w = build_world()
    both = UserFactory(username="finboth", unit=w.fin, full_name="钱文书", roles=[Role.CLERK, Role.UNIT_HEAD])
    UserFactory(username="fingone", unit=w.fin, full_name="调离文书", roles=[Role.CLERK], is_active=False)
    seconded = UserFactory(username="finoffice", unit=w.fin, full_name="借调文书", roles=[Role.OFFICE_STAFF])
    with CaptureQueriesContext(connection) as queries:
        unit, office = unit_and_office_people(w.fin)
    assert len(queries) == 1 and "EXISTS" not in queries[0]["sql"].upper()
    # Clerks and heads seated in the unit, once each (a clerk who is also its head is one person), by id; not the
    # inactive clerk, the plain member, the other unit's clerk, nor the office's staff seated in the unit.
    assert _pks(unit) == sorted([w.fin_head.pk, w.fin_clerk.pk, both.pk])
    # The office's staff wherever they are seated; not the director, whose role is another.
    assert _pks(office) == sorted([w.staff.pk, w.staff2.pk, seconded.pk])


def test_doc_11_a_unit_without_clerk_or_head_is_told_through_all_its_members():
    w = build_world()
    unit, office = unit_and_office_people(w.office)  # the office has a director and staff, no clerk or unit head
    assert _pks(unit) == sorted(u.pk for u in type(w.staff).objects.filter(unit=w.office, is_active=True))
    assert _pks(office) == sorted([w.staff.pk, w.staff2.pk])

"""Issue 14.4: `OneOf` selects what `__in` selects, with the ids as one array parameter on PostgreSQL."""

import pytest
from django.db import connection
from django.db.models import F
from django.test.utils import CaptureQueriesContext

from tests.factories import UnitFactory
from tiexi_gov.lookups import OneOf
from tiexi_gov.org.models import Unit

pytestmark = pytest.mark.django_db


def _pks(ids) -> set[int]:
    return set(Unit.objects.filter(OneOf(F("pk"), ids)).values_list("pk", flat=True))


def test_14_4_one_of_selects_what_in_selects():
    units = UnitFactory.create_batch(5)
    chosen = [units[0].pk, units[3].pk, units[3].pk, 10**9]  # a repeat and an id that does not exist
    assert _pks(chosen) == set(Unit.objects.filter(pk__in=chosen).values_list("pk", flat=True))
    assert _pks(chosen) == {units[0].pk, units[3].pk}
    assert _pks([]) == set()
    assert _pks(str(u.pk) for u in units[:2]) == {units[0].pk, units[1].pk}  # ids arrive as text from a form


def test_14_4_one_of_sends_a_thousand_ids_as_one_parameter_on_postgresql():
    units = UnitFactory.create_batch(3)
    ids = [u.pk for u in units] + list(range(10**6, 10**6 + 1000))
    with CaptureQueriesContext(connection) as ctx:
        assert _pks(ids) == {u.pk for u in units}
    sql = ctx.captured_queries[-1]["sql"]
    if connection.vendor == "postgresql":
        assert "= ANY(" in sql and " IN (" not in sql
    else:
        assert " IN (" in sql

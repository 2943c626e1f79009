"""bench_pages --scale times each page on two databases side by side (issue 14.2): `on_database` makes a second
connection the default one for a block — views, the ORM and the test client's session use it — and gives the first
back afterwards, each keeping its own open connection."""

import pytest
from django.db import DEFAULT_DB_ALIAS, connections

from tiexi_gov.benchkit import on_database
from tiexi_gov.org.models import Unit

pytestmark = pytest.mark.django_db(transaction=True)


def test_x_14_on_database_makes_another_connection_the_default_for_the_block_and_gives_the_first_back():
    first = connections[DEFAULT_DB_ALIAS]
    other = type(first)(dict(first.settings_dict), DEFAULT_DB_ALIAS)
    Unit.objects.create(name="旁路单位", code="side-unit", kind=Unit.Kind.DEPARTMENT)
    try:
        with on_database(other):
            assert connections[DEFAULT_DB_ALIAS] is other
            assert Unit.objects.filter(code="side-unit").exists(), "the ORM reads through the swapped-in connection"
            assert other.connection is not None, "the query opened the other connection, not the first"
        assert connections[DEFAULT_DB_ALIAS] is first
        with on_database(other):
            assert other.connection is not None, "it stays open between blocks"
    finally:
        other.close()

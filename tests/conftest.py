"""Shared fixtures. Tests run on PostgreSQL in CI (DATABASE_URL); on a laptop SQLite works for most."""

import os

import pytest

os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")


def on_postgres() -> bool:
    from django.db import connection

    return connection.vendor == "postgresql"


@pytest.fixture
def postgres_only(db):
    if not on_postgres():
        pytest.skip("needs PostgreSQL")

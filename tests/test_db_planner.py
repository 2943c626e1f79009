"""Issue 14.4: the portal's PostgreSQL connections plan for data that sits in memory (random_page_cost 1.1), so the
ledger's counts by light read the narrow index made for them, not the wide table; DB_RANDOM_PAGE_COST= (empty)
leaves the server's own value."""

import os
import subprocess
import sys
from pathlib import Path

from django.db import connection

ROOT = Path(__file__).resolve().parents[1]


def _options(**env) -> str:
    """settings.DATABASES' options for a PostgreSQL URL, read by a fresh interpreter (settings load once)."""
    code = "from django.conf import settings as s; print(s.DATABASES['default'].get('OPTIONS', {}).get('options', ''))"
    run_env = {**os.environ, "DJANGO_SETTINGS_MODULE": "tiexi_gov.settings", **env}
    done = subprocess.run([sys.executable, "-c", code], cwd=ROOT, env=run_env, capture_output=True, text=True)
    assert done.returncode == 0, done.stderr
    return done.stdout.strip()


def test_x_14_a_postgres_connection_is_told_its_pages_are_cheap_unless_the_setting_is_empty():
    url = "postgres://postgres@127.0.0.1:5432/any?options=-c%20statement_timeout%3D5000"
    assert _options(DATABASE_URL=url) == "-c statement_timeout=5000 -c random_page_cost=1.1"  # the URL's own kept
    assert _options(DATABASE_URL=url, DB_RANDOM_PAGE_COST="1.5").endswith("-c random_page_cost=1.5")
    assert "random_page_cost" not in _options(DATABASE_URL=url, DB_RANDOM_PAGE_COST="")
    assert _options(DATABASE_URL="sqlite:////tmp/x.sqlite3") == ""


def test_x_14_the_connection_plans_with_that_cost(postgres_only):
    with connection.cursor() as cursor:
        cursor.execute("SHOW random_page_cost")
        assert float(cursor.fetchone()[0]) == float(os.environ.get("DB_RANDOM_PAGE_COST") or 1.1)

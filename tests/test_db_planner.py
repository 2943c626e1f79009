"""Issue 14.4: the portal's PostgreSQL connections plan for data that sits in memory (random_page_cost 1.1), so the
ledger's counts by light read the narrow index made for them, not the wide table; DB_RANDOM_PAGE_COST= (empty)
leaves the server's own value. Told by a SET on each new connection, so PGOPTIONS keeps working."""

import os
import subprocess
import sys
from pathlib import Path

from django.db import connection

ROOT = Path(__file__).resolve().parents[1]


def _setting(**env) -> str:
    """settings.DB_RANDOM_PAGE_COST as a fresh interpreter reads it from the environment (settings load once);
    a variable given as None is left out."""
    code = "from django.conf import settings as s; print(s.DB_RANDOM_PAGE_COST)"
    run_env = {**os.environ, "DJANGO_SETTINGS_MODULE": "tiexi_gov.settings", **env}
    run_env = {k: v for k, v in run_env.items() if v is not None}
    done = subprocess.run([sys.executable, "-c", code], cwd=ROOT, env=run_env, capture_output=True, text=True)
    assert done.returncode == 0, done.stderr
    return done.stdout.strip()


def test_x_14_the_page_cost_defaults_to_memory_and_an_empty_setting_leaves_the_servers():
    assert _setting(DB_RANDOM_PAGE_COST=None) == "1.1"
    assert _setting(DB_RANDOM_PAGE_COST="1.5") == "1.5"
    assert _setting(DB_RANDOM_PAGE_COST="") == "None"


def test_x_14_a_new_connection_plans_with_that_cost_and_keeps_pgoptions(postgres_only, monkeypatch):
    """A libpq `options` parameter would have replaced PGOPTIONS (the suite's runtime role rides on it)."""
    monkeypatch.setenv("PGOPTIONS", f"{os.environ.get('PGOPTIONS', '')} -c work_mem=12345kB".strip())
    fresh = connection.copy()
    try:
        with fresh.cursor() as cursor:
            cursor.execute("SELECT current_setting('random_page_cost'), current_setting('work_mem')")
            cost, work_mem = cursor.fetchone()
    finally:
        fresh.close()
    assert float(cost) == float(os.environ.get("DB_RANDOM_PAGE_COST") or 1.1) and work_mem == "12345kB"

"""Issue 13.2: the embedded default is safe for `make run`'s three processes (web, worker, beat on one SQLite file).

Each process runs the project's own settings against one scratch SQLite file and does what the portal's services
do: inside a transaction, read a value, then write from it. With deferred transactions two such writers deadlock
on the read lock's upgrade and one fails at once with "database is locked", whatever the busy timeout; with WAL,
IMMEDIATE transactions and the busy timeout they queue, and no update is lost."""

import json
import os
import sqlite3
import subprocess
import sys
import textwrap

from django.conf import settings

WRITER = textwrap.dedent(
    """
    import os, sys, django
    django.setup()
    from django.db import connection, transaction
    who, rounds = sys.argv[1], int(sys.argv[2])
    for _ in range(rounds):
        with transaction.atomic():
            with connection.cursor() as cursor:
                cursor.execute("SELECT COALESCE(MAX(n), 0) FROM counter")
                n = cursor.fetchone()[0]
                cursor.execute("INSERT INTO counter (n, who) VALUES (%s, %s)", [n + 1, who])
    with connection.cursor() as cursor:
        cursor.execute("PRAGMA journal_mode")
        print(cursor.fetchone()[0])
    """
)


def _run_writers(path, rounds: int, processes: int = 3) -> list[subprocess.CompletedProcess]:
    env = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "tiexi_gov.settings",
        "DATABASE_URL": f"sqlite:///{path}",
        "PYTHONPATH": str(settings.BASE_DIR),
    }
    env.pop("CELERY_BROKER_URL", None)
    started = [
        subprocess.Popen(
            [sys.executable, "-c", WRITER, who, str(rounds)],
            cwd=settings.BASE_DIR,
            env=env,
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
        )
        for who in ("web", "worker", "beat")[:processes]
    ]
    done = []
    for proc in started:
        out, err = proc.communicate(timeout=240)
        done.append(subprocess.CompletedProcess(proc.args, proc.returncode, out, err))
    return done


def test_issue13_2_three_processes_read_then_write_one_sqlite_file_without_a_lock_error(tmp_path):
    path = tmp_path / "embedded.sqlite3"
    with sqlite3.connect(path) as db:
        db.execute("CREATE TABLE counter (n INTEGER NOT NULL UNIQUE, who TEXT NOT NULL)")
    rounds = 150
    results = _run_writers(path, rounds)
    for result in results:
        assert result.returncode == 0, result.stderr[-2000:]
        assert "locked" not in result.stderr
        assert result.stdout.strip() == "wal"
    with sqlite3.connect(path) as db:
        numbers = [n for (n,) in db.execute("SELECT n FROM counter ORDER BY n")]
        by_process = dict(db.execute("SELECT who, COUNT(*) FROM counter GROUP BY who").fetchall())
    assert numbers == list(range(1, 3 * rounds + 1))  # every write kept, none read a stale value
    assert by_process == {"web": rounds, "worker": rounds, "beat": rounds}


def test_issue13_2_embedded_default_settings_are_wal_immediate_with_a_busy_timeout():
    """`make run` has no DATABASE_URL: read the settings it gets, whatever database this test run uses."""
    env = {**os.environ, "PYTHONPATH": str(settings.BASE_DIR)}
    env.pop("DATABASE_URL", None)
    code = "import json; from tiexi_gov import settings as s; print(json.dumps(s.DATABASES['default']))"
    out = subprocess.run([sys.executable, "-c", code], env=env, cwd=settings.BASE_DIR, capture_output=True, text=True)
    database = json.loads(out.stdout)
    assert database["ENGINE"] == "django.db.backends.sqlite3"
    assert database["OPTIONS"]["transaction_mode"] == "IMMEDIATE"
    assert "journal_mode=WAL" in database["OPTIONS"]["init_command"]
    assert "busy_timeout=" in database["OPTIONS"]["init_command"]

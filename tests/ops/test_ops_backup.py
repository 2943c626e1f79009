"""Issue 13.5: `manage.py backup` puts the database and every uploaded file in one archive with a SHA-256;
`manage.py restore` checks it and brings back the same rows and the same bytes — into a scratch database and a
scratch media directory here (PostgreSQL: pg_dump/pg_restore; SQLite: the online backup API). A corrupted archive
is refused before anything is touched."""

from __future__ import annotations

import hashlib
import os
import sqlite3
from pathlib import Path

import dj_database_url
import pytest
from django.core.files.base import ContentFile
from django.core.management import CommandError, call_command
from django.db import connection, transaction

from supervision.ledger.models import SupervisionFile
from tests.db_roles import owner_session
from tests.factories import UnitFactory, UserFactory
from tiexi_gov.audit.models import Event
from tiexi_gov.audit.services import record_event
from tiexi_gov.ops.backup import checksum_path, create_backup
from tiexi_gov.org.models import Unit, User

pytestmark = pytest.mark.django_db(transaction=True)


@pytest.fixture(autouse=True)
def _as_the_owner():
    """Backup and restore are the owner's commands (README, production), run with the owner's rights."""
    with owner_session():
        yield


PDF = b"%PDF-1.7\n%\xe2\xe3\xcf\xd3\n1 0 obj <<>> endobj\n"
BLOBS = {
    "进展报告.pdf": PDF,
    "佐证材料.bin": bytes(range(256)) * 4096,  # 1 MB, every byte value
    "说明.txt": "铁西区督查事项佐证：第六十一条。\n".encode(),
}


@pytest.fixture
def media(settings, tmp_path) -> Path:
    settings.MEDIA_ROOT = tmp_path / "media"
    return settings.MEDIA_ROOT


@pytest.fixture
def scratch_db(tmp_path):
    """An empty database to restore into, and a DB-API connection factory for reading it; dropped afterwards."""
    if connection.vendor == "postgresql":
        import psycopg

        live = dict(connection.settings_dict)
        base = dj_database_url.parse(os.environ["DATABASE_URL"])["NAME"]
        name = f"{base}_restore_{os.getpid()}"
        params = {
            k: live[K] for k, K in (("host", "HOST"), ("port", "PORT"), ("user", "USER"), ("password", "PASSWORD"))
        }
        params = {k: v for k, v in params.items() if v}
        with psycopg.connect(dbname="postgres", autocommit=True, **params) as admin:
            admin.execute(f'DROP DATABASE IF EXISTS "{name}"')
            admin.execute(f'CREATE DATABASE "{name}"')
        url = f"postgres://{live.get('USER') or ''}@{live.get('HOST') or '127.0.0.1'}:{live.get('PORT') or 5432}/{name}"
        if live.get("PASSWORD"):
            url = url.replace("@", f":{live['PASSWORD']}@", 1)
        yield url, lambda: psycopg.connect(dbname=name, **params)
        with psycopg.connect(dbname="postgres", autocommit=True, **params) as admin:
            admin.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
    else:
        path = tmp_path / "restored.sqlite3"
        yield f"sqlite:///{path}", lambda: sqlite3.connect(path)


def make_rows_and_files():
    """Rows of the key tables (units, users, audit events) and uploaded files through a model's FileField."""
    unit = UnitFactory(name="铁西区备份演练局", code="backup-drill")
    users = [UserFactory(unit=unit, username=f"backup{i}", full_name=f"备份演练{i}") for i in range(3)]
    for name, data in BLOBS.items():
        SupervisionFile.objects.create(file=ContentFile(data, name=name), name=name, uploaded_by=users[0])
    with transaction.atomic():
        record_event(actor=users[0], subject=unit, action="backup_drill", opinion="备份之前的最后一条记录")


def snapshot_live() -> dict:
    return {
        "units": Unit.objects.count(),
        "users": sorted(User.objects.values_list("username", "full_name")),
        "events": sorted(Event.objects.values_list("action", "opinion", "hash")),
        "files": sorted(SupervisionFile.objects.values_list("name", "file")),
    }


def snapshot_restored(connect) -> dict:
    conn = connect()
    try:
        cur = conn.cursor()

        def rows(sql):
            cur.execute(sql)
            return sorted(tuple(r) for r in cur.fetchall())

        return {
            "units": rows(f"SELECT count(*) FROM {Unit._meta.db_table}")[0][0],
            "users": rows(f"SELECT username, full_name FROM {User._meta.db_table}"),
            "events": rows(f"SELECT action, opinion, hash FROM {Event._meta.db_table}"),
            "files": rows(f"SELECT name, file FROM {SupervisionFile._meta.db_table}"),
        }
    finally:
        conn.close()


def test_issue13_backup_restores_same_rows_and_files_into_a_scratch_database(media, scratch_db, tmp_path):
    url, connect = scratch_db
    make_rows_and_files()
    live = snapshot_live()
    assert len(live["files"]) == 3 and any(e[0] == "backup_drill" for e in live["events"])

    call_command("backup", output_dir=tmp_path / "backups")
    [archive] = (tmp_path / "backups").glob("tiexi-backup-*.tar")
    assert checksum_path(archive).read_text().split() == [
        hashlib.sha256(archive.read_bytes()).hexdigest(),
        archive.name,
    ]

    restored_media = tmp_path / "restored-media"
    call_command("restore", str(archive), database_url=url, media_root=restored_media)

    assert snapshot_restored(connect) == live
    for name, stored in live["files"]:
        assert (restored_media / stored).read_bytes() == BLOBS[name]
        assert (restored_media / stored).read_bytes() == (media / stored).read_bytes()
    assert sorted(p.relative_to(restored_media) for p in restored_media.rglob("*") if p.is_file()) == sorted(
        p.relative_to(media) for p in media.rglob("*") if p.is_file()
    )


def test_issue13_restore_refuses_a_corrupted_archive_before_touching_anything(media, scratch_db, tmp_path):
    url, connect = scratch_db
    make_rows_and_files()
    result = create_backup(tmp_path / "backups")
    archive = result.archive
    data = bytearray(archive.read_bytes())
    data[len(data) // 2] ^= 0xFF  # one flipped bit pattern in the middle: inside the 1 MB file
    archive.write_bytes(bytes(data))
    target_media = tmp_path / "restored-media"

    with pytest.raises(CommandError, match="校验和"):
        call_command("restore", str(archive), database_url=url, media_root=target_media)
    with pytest.raises(CommandError, match="校验和"):
        call_command("restore", str(archive), verify_only=True)

    # A checksum file rewritten to match the damage does not help: every member is checked against the manifest.
    checksum_path(archive).write_text(f"{hashlib.sha256(data).hexdigest()}  {archive.name}\n")
    with pytest.raises(CommandError, match="已损坏"):
        call_command("restore", str(archive), database_url=url, media_root=target_media)

    assert not target_media.exists()
    conn = connect()
    try:
        cur = conn.cursor()
        if connection.vendor == "postgresql":
            cur.execute("SELECT count(*) FROM pg_tables WHERE schemaname = 'public'")
        else:
            cur.execute("SELECT count(*) FROM sqlite_master WHERE type = 'table'")
        assert cur.fetchone()[0] == 0
    finally:
        conn.close()


def test_issue13_restore_refuses_a_non_empty_target_without_replace(media, tmp_path):
    make_rows_and_files()
    result = create_backup(tmp_path / "backups")
    with pytest.raises(CommandError, match="不是空的"):
        call_command("restore", str(result.archive))  # the live database and media directory
    assert SupervisionFile.objects.count() == 3

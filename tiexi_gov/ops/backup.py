"""Backup and restore (issue 13.5): one archive holding a database dump and every uploaded file, and a checksum.

An archive `tiexi-backup-<time>.tar` holds
  manifest.json        the format, the time, the database engine, and every other member's size and SHA-256;
  database.pgdump      PostgreSQL: `pg_dump --format=custom` (one consistent snapshot);
  database.sqlite3     SQLite (the embedded default): a copy made with SQLite's online backup API;
  media/<path>         each file under MEDIA_ROOT, byte for byte.
Beside it `tiexi-backup-<time>.tar.sha256` holds the archive's SHA-256 in `sha256sum` format, so
`sha256sum -c` checks it too. Restore checks the archive's checksum, then every member against the manifest,
before it touches anything; a corrupted or truncated archive is refused whole.

The database is dumped before the files are copied: every row in the dump finds its file in the archive (a file is
written before the row that names it is committed). The checksum detects corruption, not tampering: keep the
archives where only the operators can write.
"""

from __future__ import annotations

import hashlib
import io
import json
import os
import shutil
import sqlite3
import subprocess
import tarfile
import tempfile
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path, PurePosixPath

import dj_database_url
from django.conf import settings
from django.db import connections
from django.utils import timezone

FORMAT = 1
MANIFEST = "manifest.json"
PG_DUMP = "database.pgdump"
SQLITE_DUMP = "database.sqlite3"
MEDIA_PREFIX = "media/"
CHUNK = 1024 * 1024


class BackupError(Exception):
    """A backup or restore that cannot go on; the message says why, in Chinese, for the operator."""


def sha256_stream(fh) -> str:
    digest = hashlib.sha256()
    while chunk := fh.read(CHUNK):
        digest.update(chunk)
    return digest.hexdigest()


def sha256_file(path: Path) -> str:
    with open(path, "rb") as fh:
        return sha256_stream(fh)


def checksum_path(archive: Path) -> Path:
    return archive.with_name(archive.name + ".sha256")


def engine_of(settings_dict: dict) -> str:
    engine = settings_dict["ENGINE"]
    if "postgresql" in engine:
        return "postgresql"
    if "sqlite3" in engine:
        return "sqlite"
    raise BackupError(f"不支持的数据库类型：{engine}")


def _pg_args_env(settings_dict: dict) -> tuple[list[str], dict]:
    """Connection arguments for pg_dump/pg_restore; the password goes through the environment, never argv."""
    args = []
    if settings_dict.get("HOST"):
        args += ["--host", str(settings_dict["HOST"])]
    if settings_dict.get("PORT"):
        args += ["--port", str(settings_dict["PORT"])]
    if settings_dict.get("USER"):
        args += ["--username", str(settings_dict["USER"])]
    env = dict(os.environ)
    if settings_dict.get("PASSWORD"):
        env["PGPASSWORD"] = str(settings_dict["PASSWORD"])
    options = settings_dict.get("OPTIONS") or {}
    if options.get("sslmode"):
        env["PGSSLMODE"] = str(options["sslmode"])
    return args, env


def _run(cmd: list[str], env: dict | None = None) -> None:
    try:
        result = subprocess.run(cmd, env=env, capture_output=True, text=True, check=False)
    except FileNotFoundError as exc:
        raise BackupError(f"找不到命令 {cmd[0]}：请安装 PostgreSQL 客户端（与服务器同一主版本或更新）。") from exc
    if result.returncode != 0:
        raise BackupError(f"{cmd[0]} 失败（退出码 {result.returncode}）：{result.stderr.strip()[-2000:]}")


def settings_for(database_url: str | None, using: str = "default") -> dict:
    """The target database: a URL given on the command line, or the configured one."""
    if database_url:
        return dj_database_url.parse(database_url)
    return dict(connections[using].settings_dict)


# --- backup ---------------------------------------------------------------------------------------------------


def _dump_database(settings_dict: dict, workdir: Path) -> Path:
    engine = engine_of(settings_dict)
    if engine == "postgresql":
        target = workdir / PG_DUMP
        args, env = _pg_args_env(settings_dict)
        _run(["pg_dump", "--format=custom", "--file", str(target), *args, str(settings_dict["NAME"])], env)
        return target
    name = str(settings_dict["NAME"])
    if not name or name == ":memory:" or name.startswith("file:"):
        raise BackupError("内存中的 SQLite 数据库无法备份。")
    target = workdir / SQLITE_DUMP
    source = sqlite3.connect(name, timeout=30)
    copy = sqlite3.connect(target)
    try:
        with copy:
            source.backup(copy)  # online: other processes may go on writing meanwhile
    finally:
        copy.close()
        source.close()
    return target


def _media_files(media_root: Path) -> list[tuple[str, Path]]:
    """(archive name, path) of every regular file under MEDIA_ROOT; symbolic links are not followed."""
    found = []
    if not media_root.is_dir():
        return found
    for dirpath, dirnames, filenames in os.walk(media_root, followlinks=False):
        dirnames.sort()
        for filename in sorted(filenames):
            path = Path(dirpath) / filename
            if path.is_symlink() or not path.is_file():
                continue
            found.append((MEDIA_PREFIX + path.relative_to(media_root).as_posix(), path))
    return found


def _add_bytes(tar: tarfile.TarFile, name: str, data: bytes, mtime: float) -> None:
    info = tarfile.TarInfo(name)
    info.size = len(data)
    info.mtime = int(mtime)
    info.mode = 0o644
    tar.addfile(info, io.BytesIO(data))


def _add_file(tar: tarfile.TarFile, name: str, path: Path) -> None:
    stat = path.stat()
    info = tarfile.TarInfo(name)
    info.size = stat.st_size
    info.mtime = int(stat.st_mtime)
    info.mode = 0o644
    with open(path, "rb") as fh:
        tar.addfile(info, fh)


@dataclass
class BackupResult:
    archive: Path
    checksum: str
    database_bytes: int
    media_files: int
    media_bytes: int


def create_backup(
    output_dir: Path | None = None, *, using: str = "default", media_root: Path | None = None
) -> BackupResult:
    """Dumps the database, then copies MEDIA_ROOT, into one archive; writes its .sha256 last."""
    output_dir = Path(output_dir or settings.BACKUP_DIR)
    media_root = Path(media_root or settings.MEDIA_ROOT)
    output_dir.mkdir(parents=True, exist_ok=True)
    settings_dict = dict(connections[using].settings_dict)
    engine = engine_of(settings_dict)
    now = timezone.now()
    stamp = timezone.localtime(now).strftime("%Y%m%dT%H%M%S")
    archive = output_dir / f"tiexi-backup-{stamp}.tar"
    n = 1
    while archive.exists():
        n += 1
        archive = output_dir / f"tiexi-backup-{stamp}-{n}.tar"
    with tempfile.TemporaryDirectory(dir=output_dir, prefix=".backup-") as tmp:
        dump = _dump_database(settings_dict, Path(tmp))
        members = [(dump.name, dump)] + _media_files(media_root)
        entries = []
        for name, path in members:
            entries.append({"name": name, "size": path.stat().st_size, "sha256": sha256_file(path)})
        manifest = {
            "format": FORMAT,
            "created_at": now.isoformat(),
            "engine": engine,
            "database": dump.name,
            "files": entries,
        }
        partial = archive.with_name(archive.name + ".partial")
        with tarfile.open(partial, "w", format=tarfile.PAX_FORMAT) as tar:
            _add_bytes(tar, MANIFEST, json.dumps(manifest, ensure_ascii=False, indent=1).encode(), now.timestamp())
            for name, path in members:
                _add_file(tar, name, path)
        # A file changed between hashing and copying would fail verification: check now, not at restore time.
        verify_members(partial, manifest)
        digest = sha256_file(partial)
        os.replace(partial, archive)
    sidecar = checksum_path(archive)
    sidecar.with_name(sidecar.name + ".partial").write_text(f"{digest}  {archive.name}\n", encoding="ascii")
    os.replace(sidecar.with_name(sidecar.name + ".partial"), sidecar)
    media = [e for e in entries if e["name"].startswith(MEDIA_PREFIX)]
    return BackupResult(
        archive=archive,
        checksum=digest,
        database_bytes=entries[0]["size"],
        media_files=len(media),
        media_bytes=sum(e["size"] for e in media),
    )


# --- verification ---------------------------------------------------------------------------------------------


def _safe_name(name: str) -> bool:
    path = PurePosixPath(name)
    return bool(name) and not path.is_absolute() and ".." not in path.parts and "\\" not in name


def read_manifest(archive: Path) -> dict:
    with tarfile.open(archive, "r:") as tar:
        try:
            member = tar.getmember(MANIFEST)
        except KeyError as exc:
            raise BackupError("备份文件中没有清单（manifest.json），不是本系统的备份。") from exc
        manifest = json.loads(tar.extractfile(member).read().decode())
    if manifest.get("format") != FORMAT:
        raise BackupError(f"备份格式 {manifest.get('format')} 不受支持（本版本读取格式 {FORMAT}）。")
    return manifest


def verify_members(archive: Path, manifest: dict) -> None:
    """Every member is a regular file listed in the manifest with its size and SHA-256, and nothing else is there."""
    expected = {e["name"]: e for e in manifest["files"]}
    seen = set()
    with tarfile.open(archive, "r:") as tar:
        for member in tar:
            if member.name == MANIFEST:
                continue
            entry = expected.get(member.name)
            if entry is None or not member.isfile() or not _safe_name(member.name) or member.name in seen:
                raise BackupError(f"备份文件中有清单之外的内容：{member.name}")
            digest = sha256_stream(tar.extractfile(member))
            if member.size != entry["size"] or digest != entry["sha256"]:
                raise BackupError(f"备份文件已损坏：{member.name} 的校验和不符。")
            seen.add(member.name)
    missing = set(expected) - seen
    if missing:
        raise BackupError(f"备份文件不完整，缺少：{sorted(missing)[0]} 等 {len(missing)} 个文件。")


def verify_archive(archive: Path) -> dict:
    """Checks the archive against its .sha256, then every member against the manifest; returns the manifest."""
    archive = Path(archive)
    if not archive.is_file():
        raise BackupError(f"找不到备份文件：{archive}")
    sidecar = checksum_path(archive)
    if not sidecar.is_file():
        raise BackupError(f"找不到校验和文件：{sidecar}（备份时与备份文件一同生成，请一并复制）。")
    parts = sidecar.read_text(encoding="ascii", errors="replace").split()
    expected = parts[0].lower() if parts else ""
    if sha256_file(archive) != expected:
        raise BackupError("备份文件的 SHA-256 校验和与校验和文件不符：文件已损坏或不完整，拒绝恢复。")
    try:
        manifest = read_manifest(archive)
        verify_members(archive, manifest)
    except (tarfile.TarError, ValueError, KeyError) as exc:
        raise BackupError(f"备份文件无法读取：{exc.__class__.__name__}") from exc
    return manifest


# --- restore --------------------------------------------------------------------------------------------------


def _pg_has_tables(settings_dict: dict) -> bool:
    import psycopg

    params = {
        "dbname": settings_dict["NAME"],
        "host": settings_dict.get("HOST") or None,
        "port": settings_dict.get("PORT") or None,
        "user": settings_dict.get("USER") or None,
        "password": settings_dict.get("PASSWORD") or None,
    }
    with psycopg.connect(**{k: v for k, v in params.items() if v is not None}, connect_timeout=10) as conn:
        row = conn.execute("SELECT count(*) FROM pg_tables WHERE schemaname = 'public'").fetchone()
    return bool(row[0])


def _sqlite_has_tables(path: str) -> bool:
    if not Path(path).exists():
        return False
    conn = sqlite3.connect(path)
    try:
        return bool(conn.execute("SELECT count(*) FROM sqlite_master WHERE type = 'table'").fetchone()[0])
    finally:
        conn.close()


def _restore_database(dump: Path, engine: str, target: dict, replace: bool) -> None:
    if engine_of(target) != engine:
        raise BackupError(f"备份来自 {engine} 数据库，目标是 {engine_of(target)}，无法恢复。")
    if engine == "postgresql":
        if not replace and _pg_has_tables(target):
            raise BackupError(f"目标数据库 {target['NAME']} 不是空的；确要覆盖请加 --replace。")
        args, env = _pg_args_env(target)
        cmd = ["pg_restore", "--no-owner", "--exit-on-error", "--single-transaction", *args]
        if replace:
            cmd += ["--clean", "--if-exists"]
        _run([*cmd, "--dbname", str(target["NAME"]), str(dump)], env)
        return
    name = str(target["NAME"])
    if not replace and _sqlite_has_tables(name):
        raise BackupError(f"目标数据库 {name} 不是空的；确要覆盖请加 --replace。")
    Path(name).parent.mkdir(parents=True, exist_ok=True)
    source = sqlite3.connect(dump)
    dest = sqlite3.connect(name, timeout=30)
    try:
        source.backup(dest)  # page by page into the target, under its lock: readers never see half a database
    finally:
        dest.close()
        source.close()


@dataclass
class RestoreResult:
    database: str
    media_root: Path
    media_files: int
    previous_media: Path | None


def restore_archive(
    archive: Path,
    *,
    database_url: str | None = None,
    media_root: Path | None = None,
    replace: bool = False,
    using: str = "default",
) -> RestoreResult:
    """Verifies the archive, then restores the database and puts the files in place of MEDIA_ROOT.

    Without `replace` the target database and media directory must be empty. With it the database is overwritten
    and the present media directory is kept beside the restored one (`<dir>.before-restore-<time>`)."""
    archive = Path(archive)
    manifest = verify_archive(archive)
    target = settings_for(database_url, using)
    media_root = Path(media_root or settings.MEDIA_ROOT)
    if not replace and media_root.is_dir() and any(media_root.iterdir()):
        raise BackupError(f"目标附件目录 {media_root} 不是空的；确要覆盖请加 --replace。")
    stamp = datetime.now().strftime("%Y%m%dT%H%M%S")
    media_root.parent.mkdir(parents=True, exist_ok=True)
    staging = Path(tempfile.mkdtemp(dir=media_root.parent, prefix=f".{media_root.name}.restoring-"))
    count = 0
    previous = None
    try:
        with tarfile.open(archive, "r:") as tar:
            for entry in manifest["files"]:
                name = entry["name"]
                if not _safe_name(name):
                    raise BackupError(f"备份文件中有不安全的路径：{name}")
                member = tar.getmember(name)
                if name == manifest["database"]:
                    out = staging / ".database" / PurePosixPath(name).name
                else:
                    out = staging / "media" / PurePosixPath(name).relative_to(MEDIA_PREFIX.rstrip("/"))
                    count += 1
                out.parent.mkdir(parents=True, exist_ok=True)
                with tar.extractfile(member) as src, open(out, "wb") as dst:
                    shutil.copyfileobj(src, dst, CHUNK)
                os.utime(out, (member.mtime, member.mtime))
                if sha256_file(out) != entry["sha256"]:
                    raise BackupError(f"解出的文件与清单不符：{name}")
        _restore_database(staging / ".database" / manifest["database"], manifest["engine"], target, replace)
        restored_media = staging / "media"
        restored_media.mkdir(exist_ok=True)
        if media_root.exists():
            if any(media_root.iterdir()):
                previous = media_root.with_name(f"{media_root.name}.before-restore-{stamp}")
                os.replace(media_root, previous)
            else:
                media_root.rmdir()
        os.replace(restored_media, media_root)
    finally:
        shutil.rmtree(staging, ignore_errors=True)
    return RestoreResult(
        database=str(target["NAME"]), media_root=media_root, media_files=count, previous_media=previous
    )

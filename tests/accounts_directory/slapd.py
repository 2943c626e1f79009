"""A real OpenLDAP server (Debian's slapd) for the directory login tests: a temp directory with a slapd.conf (mdb,
suffix dc=tiexi,dc=gov), the entries loaded with slapadd, slapd listening on a free loopback port, stopped after.
As root (CI) it drops to the `openldap` user; otherwise it runs as the current, unprivileged user."""

from __future__ import annotations

import io
import os
import pwd
import shutil
import socket
import subprocess
import tempfile
import time
from pathlib import Path

SLAPD = shutil.which("slapd") or "/usr/sbin/slapd"
SLAPADD = shutil.which("slapadd") or "/usr/sbin/slapadd"
SCHEMA_DIR = Path("/etc/ldap/schema")
MODULE_DIR = Path("/usr/lib/ldap")
SUFFIX = "dc=tiexi,dc=gov"
ROOT_DN = f"cn=admin,{SUFFIX}"
ROOT_PW = "root-Secret-2026"
PEOPLE = f"ou=people,{SUFFIX}"
GROUPS = f"ou=groups,{SUFFIX}"


def available() -> str:
    """'' when slapd can be run here, else why not (the reason a test skips with)."""
    for path in (SLAPD, SLAPADD):
        if not os.access(path, os.X_OK):
            return f"{path} not found: install Debian's slapd (apt-get install slapd ldap-utils; .ci/run does)"
    if not (SCHEMA_DIR / "inetorgperson.schema").exists():
        return f"{SCHEMA_DIR}/inetorgperson.schema not found (Debian's slapd package)"
    return ""


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _ldif(entries: list[tuple[str, dict[str, list[str]]]]) -> str:
    import ldif

    out = io.StringIO()
    writer = ldif.LDIFWriter(out)
    for dn, attrs in entries:
        writer.unparse(dn, {k: [v.encode() for v in values] for k, values in attrs.items()})
    return out.getvalue()


def person(uid: str, password: str, employee_number: str | None = None, name: str = "") -> tuple[str, dict]:
    attrs = {
        "objectClass": ["inetOrgPerson"],
        "uid": [uid],
        "cn": [name or uid],
        "sn": [name[:1] or uid],
        "userPassword": [password],
    }
    if employee_number:
        attrs["employeeNumber"] = [employee_number]
    return f"uid={uid},{PEOPLE}", attrs


def group(name: str, member_dns: list[str]) -> tuple[str, dict]:
    return f"cn={name},{GROUPS}", {"objectClass": ["groupOfNames"], "cn": [name], "member": member_dns}


class Slapd:
    def __init__(self, entries):
        self.entries = entries
        self.tmp = Path(tempfile.mkdtemp(prefix="tiexi-slapd-"))
        self.port = _free_port()
        self.uri = f"ldap://127.0.0.1:{self.port}"
        self.process = None

    def _conf(self) -> Path:
        (self.tmp / "db").mkdir()
        conf = self.tmp / "slapd.conf"
        schemas = "\n".join(f"include {SCHEMA_DIR / n}.schema" for n in ("core", "cosine", "inetorgperson", "nis"))
        conf.write_text(
            f"""{schemas}
modulepath {MODULE_DIR}
moduleload back_mdb
pidfile {self.tmp}/slapd.pid
argsfile {self.tmp}/slapd.args
loglevel none
database mdb
maxsize 16777216
suffix "{SUFFIX}"
rootdn "{ROOT_DN}"
rootpw {ROOT_PW}
directory {self.tmp}/db
access to attrs=userPassword by anonymous auth by * none
access to * by * read
"""
        )
        return conf

    def start(self) -> Slapd:
        conf = self._conf()
        base = [
            (SUFFIX, {"objectClass": ["dcObject", "organization"], "dc": ["tiexi"], "o": ["tiexi"]}),
            (PEOPLE, {"objectClass": ["organizationalUnit"], "ou": ["people"]}),
            (GROUPS, {"objectClass": ["organizationalUnit"], "ou": ["groups"]}),
        ]
        data = self.tmp / "data.ldif"
        data.write_text(_ldif(base + list(self.entries)), encoding="utf-8")
        subprocess.run([SLAPADD, "-q", "-f", str(conf), "-l", str(data)], check=True, capture_output=True, timeout=30)
        command = [SLAPD, "-f", str(conf), "-h", self.uri, "-d", "0"]
        if os.geteuid() == 0:  # CI runs as root: the server itself runs unprivileged
            try:
                account = pwd.getpwnam("openldap")
            except KeyError:
                account = None
            if account is not None:
                for path in [self.tmp, *self.tmp.rglob("*")]:
                    os.chown(path, account.pw_uid, account.pw_gid)
                command += ["-u", "openldap", "-g", "openldap"]
        self.process = subprocess.Popen(command, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
        deadline = time.monotonic() + 15
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                raise RuntimeError(f"slapd exited: {self.process.stderr.read().decode(errors='replace')}")
            try:
                with socket.create_connection(("127.0.0.1", self.port), timeout=0.2):
                    return self
            except OSError:
                time.sleep(0.05)
        self.stop()
        raise RuntimeError("slapd did not start listening within 15 s")

    def stop(self) -> None:
        if self.process is not None and self.process.poll() is None:
            self.process.terminate()
            try:
                self.process.wait(timeout=10)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait(timeout=5)
        if self.process is not None and self.process.stderr:
            self.process.stderr.close()
        shutil.rmtree(self.tmp, ignore_errors=True)

"""Start the whole portal on a laptop: migrate, seed the demo district, then web + Celery worker + beat.

Used by `make run`. Embedded defaults (SQLite file and filesystem broker under var/) unless DATABASE_URL /
CELERY_BROKER_URL are set. Seeds the demo district and each area's demo work (AREA_SEEDS: documents at every step,
the supervision ledger, a held executive meeting with its minutes and what they started, coordination bodies and a
leader away today), then prints the URL and the demo logins with what waits in each one's 我的待办 — read by
`seed_demo --queues` through the queue page's own query after all seeds ran, so the banner promises exactly what
each login finds (tests/ops/test_demo_shows_the_work.py runs the same commands and compares with /todo/).
Ctrl-C (or SIGTERM) stops all three.

Environment: HOST (default 127.0.0.1), PORT (default 8000), DEMO_PASSWORD (default: generated once and
kept in var/demo_password.txt so it stays the same between runs), EMAIL_BACKEND (default: each mail a file under
var/mail/, so the seeds' hundreds of notices do not bury the banner; Django's console backend prints them).
"""

from __future__ import annotations

import contextlib
import os
import secrets
import signal
import socket
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
VAR = Path(os.environ.get("TIEXI_VAR_DIR", ROOT / "var"))
PY = sys.executable
CELERY = str(Path(PY).with_name("celery"))


def log(text: str) -> None:
    print(f"[run] {text}", flush=True)


def demo_password() -> str:
    if os.environ.get("DEMO_PASSWORD"):
        return os.environ["DEMO_PASSWORD"]
    stored = VAR / "demo_password.txt"
    if stored.exists() and stored.read_text().strip():
        return stored.read_text().strip()
    password = "Tx-" + secrets.token_urlsafe(9)
    VAR.mkdir(parents=True, exist_ok=True)
    stored.write_text(password + "\n")
    stored.chmod(0o600)
    return password


def manage(*args: str, env: dict, capture: bool = False) -> str:
    result = subprocess.run([PY, "manage.py", *args], cwd=ROOT, env=env, check=True, text=True, capture_output=capture)
    return result.stdout if capture else ""


def seed(password: str, env: dict) -> str:
    """Build the demo district (idempotent); returns seed_demo's table of logins."""
    return manage("seed_demo", "--password", password, env=env, capture=True).strip()


def seed_optional(command: str | tuple[str, ...], what: str, env: dict) -> str:
    """Demo items of one area (idempotent); a failure here must not keep the portal from starting."""
    argv = (command,) if isinstance(command, str) else command
    try:
        return manage(*argv, env=env, capture=True).strip()
    except subprocess.CalledProcessError as exc:
        log(f"{what}未能生成（不影响启动）：{(exc.stderr or '').strip().splitlines()[-1:] or exc}")
        return ""


# The area seeds, in the order they run: (command, what it makes, the banner's heading). Each is idempotent and
# walks the real services; a failure of one does not keep the portal from starting.
AREA_SEEDS = (
    ("seed_demo_documents", "演示公文", "demo documents (seed_demo_documents)"),
    ("seed_demo_supervision", "演示督查事项", "demo supervision ledger (seed_demo_supervision)"),
    ("seed_demo_meetings", "演示会议", "demo meetings (seed_demo_meetings)"),
    (
        "seed_demo_coordination",
        "演示议事协调机构和领导外出",
        "demo coordination bodies and leave (seed_demo_coordination)",
    ),
    ("seed_demo_circulation", "演示传阅", "demo circulation: read, annotated, unread (seed_demo_circulation)"),
)
# What each demo login finds in 我的待办, read after every seed ran (the /todo/ page's own selector).
QUEUES = ("seed_demo", "--queues")


def seed_areas(env: dict) -> list[tuple[str, str]]:
    """Run the area seeds; (heading, report) of those that printed something."""
    done = []
    for command, what, heading in AREA_SEEDS:
        log(f"{command} …")
        report = seed_optional(command, what, env)
        if report:
            done.append((heading, report))
    return done


def banner(*, url: str, password: str, areas: list[tuple[str, str]], queues: str) -> str:
    lines = ["", "=" * 72]
    for heading, report in areas:
        lines += [f"{heading}:", "", report, ""]
    lines += ["demo logins and what each finds in 我的待办 (seed_demo --queues):", "", queues, ""]
    lines += [
        f"  铁西区人民政府工作平台 running at {url}",
        f"  demo password (all accounts): {password}   (kept in var/demo_password.txt; set DEMO_PASSWORD to choose)",
        "  Ctrl-C stops web, worker and beat.",
        "=" * 72,
        "",
    ]
    return "\n".join(lines)


def child_env(base: dict) -> dict:
    """What web, worker, beat and the seeds run with. Mail goes to files under var/mail/ unless EMAIL_BACKEND says
    otherwise: printed on the console, the notices the seeds queue would scroll the URL and logins out of sight."""
    env = dict(base, PYTHONUNBUFFERED="1", DJANGO_SETTINGS_MODULE="tiexi_gov.settings")
    env.setdefault("EMAIL_BACKEND", "django.core.mail.backends.filebased.EmailBackend")
    env.setdefault("EMAIL_FILE_PATH", str(VAR / "mail"))
    return env


def wait_until_drained(queue: Path, seconds: float, stopping=lambda: False) -> bool:
    """Waits (at most `seconds`) until the filesystem broker's queue holds no task: the worker has taken what the
    seeds queued, so the banner comes after its log lines instead of above them. True if the queue emptied."""
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline and not stopping():
        if not queue.is_dir() or not any(queue.iterdir()):
            return True
        time.sleep(0.5)
    return not queue.is_dir() or not any(queue.iterdir())


def port_open(host: str, port: int) -> bool:
    with socket.socket() as sock:
        sock.settimeout(0.5)
        return sock.connect_ex((host, port)) == 0


def main() -> int:
    host = os.environ.get("HOST", "127.0.0.1")
    port = int(os.environ.get("PORT", "8000"))
    env = child_env(dict(os.environ))
    VAR.mkdir(parents=True, exist_ok=True)
    if port_open(host, port):
        log(f"端口 {host}:{port} 已被占用：请先停止它，或用 PORT=8001 make run 换一个端口。")
        return 2

    log("migrate …")
    manage("migrate", "--noinput", env=env)
    password = demo_password()
    log("seed demo district …")
    seed(password, env)
    areas = seed_areas(env)
    queues = seed_optional(QUEUES, "演示账号待办一览", env)

    children: dict[str, subprocess.Popen] = {}

    def start(name: str, argv: list[str]) -> None:
        # Each child leads its own process group so that stopping it also stops its helpers
        # (runserver's autoreloader child, the worker's pool processes).
        children[name] = subprocess.Popen(argv, cwd=ROOT, env=env, start_new_session=True)
        log(f"started {name} (pid {children[name].pid})")

    def stop_all(*_args) -> None:
        for name, proc in children.items():
            if proc.poll() is None:
                log(f"stopping {name} …")
                with contextlib.suppress(ProcessLookupError):
                    if name == "web":
                        os.killpg(proc.pid, signal.SIGTERM)  # runserver's autoreloader has a child
                    else:
                        proc.send_signal(signal.SIGTERM)  # Celery shuts its own pool down (warm shutdown)
        deadline = time.monotonic() + 20  # Celery's warm shutdown takes a few seconds
        for proc in children.values():
            try:
                proc.wait(timeout=max(0.1, deadline - time.monotonic()))
            except subprocess.TimeoutExpired:
                with contextlib.suppress(ProcessLookupError):
                    os.killpg(proc.pid, signal.SIGKILL)

    stopping = False

    def on_signal(signum, _frame):
        nonlocal stopping
        stopping = True

    signal.signal(signal.SIGINT, on_signal)
    signal.signal(signal.SIGTERM, on_signal)

    start("web", [PY, "manage.py", "runserver", f"{host}:{port}"])
    start("worker", [CELERY, "-A", "tiexi_gov", "worker", "-l", "info", "--concurrency", "2", "-n", "dev@%h"])
    # Exactly one beat: it keeps its pidfile under var/ and reads its schedule from the database.
    start(
        "beat",
        [
            CELERY,
            "-A",
            "tiexi_gov",
            "beat",
            "-l",
            "info",
            "--scheduler",
            "django_celery_beat.schedulers:DatabaseScheduler",
            "--pidfile",
            str(VAR / "celerybeat.pid"),
        ],
    )

    for _ in range(120):
        if port_open(host, port) or stopping:
            break
        time.sleep(0.5)
    if env.get("CELERY_BROKER_URL", "filesystem://").startswith("filesystem://"):
        wait_until_drained(VAR / "celery" / "queue", 60, stopping=lambda: stopping)

    print(banner(url=f"http://{host}:{port}/", password=password, areas=areas, queues=queues), flush=True)

    code = 0
    while not stopping:
        for name, proc in children.items():
            if proc.poll() is not None:
                log(f"{name} exited with code {proc.returncode}; stopping the others.")
                code = proc.returncode or 1
                stopping = True
                break
        time.sleep(0.5)
    stop_all()
    log("stopped.")
    return code


if __name__ == "__main__":
    sys.exit(main())

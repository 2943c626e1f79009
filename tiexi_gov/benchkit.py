"""What the gunicorn benchmarks share: serving the portal and a one-file Django hello-world side by side.

bench_pages (the navbar's pages) and bench_approvals (the leaders' 同意) both serve the portal through gunicorn
with production settings (DEBUG=0, static files collected into a temporary root) and a hello-world with the same
gunicorn settings, and put their rates over the hello-world's. The environment, the servers, the load and the
few HTTP helpers live here so that the two measure the same way.
"""

from __future__ import annotations

import contextlib
import http.client
import os
import secrets
import signal
import socket
import subprocess
import sys
import textwrap
import threading
import time
from collections.abc import Iterator
from dataclasses import dataclass

from django.conf import settings
from django.core.management.base import CommandError
from django.db import DEFAULT_DB_ALIAS, connections
from kombu import Exchange, Queue

HELLO_APP = "bench_hello_wsgi:application"
HELLO_WSGI = textwrap.dedent(
    '''
    """A Django hello-world: no apps, no middleware, one view (the gunicorn benchmarks' denominator)."""
    from django.conf import settings

    settings.configure(
        DEBUG=False,
        SECRET_KEY="bench-hello-world-not-secret",
        ALLOWED_HOSTS=["127.0.0.1"],
        ROOT_URLCONF=__name__,
        MIDDLEWARE=[],
        INSTALLED_APPS=[],
    )

    from django.core.wsgi import get_wsgi_application  # noqa: E402
    from django.http import HttpResponse  # noqa: E402
    from django.urls import path  # noqa: E402


    def hello(request):
        return HttpResponse("Hello, world")


    urlpatterns = [path("", hello)]
    application = get_wsgi_application()
    '''
)


@dataclass
class Load:
    """What the clients got from one URL in the seconds they had."""

    ok: int
    other: dict
    wall: float
    latencies: list

    @property
    def rps(self) -> float:
        return self.ok / self.wall if self.wall else 0.0

    def pct(self, q: float) -> float:
        if not self.latencies:
            return float("nan")
        ordered = sorted(self.latencies)
        return ordered[max(0, round(q * len(ordered)) - 1)] * 1000


# --- the two servers ----------------------------------------------------------------------------------------


def portal_env(tmp: str, *, page_cache: bool = True) -> dict:
    """The portal's environment as in production, on plain http on loopback, static files under tmp."""
    env = dict(os.environ)
    if not env.get("DATABASE_URL"):
        raise CommandError("Set DATABASE_URL so gunicorn uses the same database.")
    env.update(
        DEBUG="0",
        SECRET_KEY="bench-" + secrets.token_hex(32),
        ALLOWED_HOSTS="127.0.0.1",
        SECURE_SSL_REDIRECT="0",  # plain http on loopback; the proxy terminates TLS in production
        STATIC_ROOT=os.path.join(tmp, "static"),
        DB_CONN_MAX_AGE="60",
        EMAIL_BACKEND="django.core.mail.backends.locmem.EmailBackend",
        LOG_LEVEL="WARNING",
        DJANGO_SETTINGS_MODULE="tiexi_gov.settings",
    )
    # Production shares Redis as the cache (README): sessions and cached pages are read from it. The broker's Redis
    # stands in for it when the environment names no cache, so that a bench measures that setup and not a per-process
    # memory, which production does not use for sessions.
    broker = env.get("CELERY_BROKER_URL", "")
    if not env.get("CACHE_URL") and broker.startswith(("redis://", "rediss://")):
        env["CACHE_URL"] = broker
    if not page_cache:
        env["PAGE_CACHE_SECONDS"] = "0"
    return env


def collect_static(env: dict) -> float:
    """collectstatic into env's STATIC_ROOT (DEBUG=0 needs the manifest); the seconds it took."""
    t0 = time.perf_counter()
    subprocess.run(
        [sys.executable, "manage.py", "collectstatic", "--noinput", "-v0"],
        cwd=str(settings.BASE_DIR),
        env=env,
        check=True,
    )
    return time.perf_counter() - t0


def write_hello(tmp: str) -> tuple[str, dict]:
    """The hello-world's module in tmp (gunicorn's --pythonpath); its app path and environment."""
    with open(os.path.join(tmp, "bench_hello_wsgi.py"), "w") as f:
        f.write(HELLO_WSGI)
    return HELLO_APP, {k: v for k, v in os.environ.items() if k != "DJANGO_SETTINGS_MODULE"}


@contextlib.contextmanager
def serving(app: str, env: dict, tmp: str, workers: int) -> Iterator[int]:
    """gunicorn (sync workers) serving app on a free loopback port, up and warm; stopped on leaving."""
    port = free_port()
    log_path = os.path.join(tmp, f"gunicorn-{port}.log")
    cmd = [sys.executable, "-m", "gunicorn", app, "-w", str(workers), "--pythonpath", tmp]
    cmd += ["-b", f"127.0.0.1:{port}", "--timeout", "60", "--log-level", "warning"]
    with open(log_path, "wb") as log:
        proc = subprocess.Popen(
            cmd, cwd=str(settings.BASE_DIR), env=env, stdout=log, stderr=subprocess.STDOUT, start_new_session=True
        )
        try:
            wait_up(proc, port, log_path, workers)
            yield port
        finally:
            if proc.poll() is None:
                proc.send_signal(signal.SIGTERM)  # graceful: the master stops its own workers
                try:
                    proc.wait(timeout=20)
                except subprocess.TimeoutExpired:
                    os.killpg(proc.pid, signal.SIGKILL)  # the group gunicorn leads (start_new_session)
                    proc.wait(timeout=10)


def wait_up(proc: subprocess.Popen, port: int, log_path: str, workers: int) -> None:
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        if proc.poll() is not None:
            raise CommandError(f"gunicorn exited ({proc.returncode}):\n{tail(log_path)}")
        try:
            status, _h, _b = request(port, "GET", "/")
            if status < 500:
                for _ in range(workers * 4):  # whatever a worker still loads on its first request
                    request(port, "GET", "/")
                wait_idle(port)
                return
        except OSError:
            time.sleep(0.2)
    raise CommandError(f"gunicorn did not answer within 60 s:\n{tail(log_path)}")


def wait_idle(port: int, quiet: float = 0.05, window: float = 0.5, limit: float = 30.0) -> None:
    """Until gunicorn's processes use less than `quiet` of a CPU over `window` seconds: answering one request does
    not mean every worker has finished booting (wsgi.py warms each), and a worker still booting would bill its start
    to the measured load."""
    deadline = time.monotonic() + limit
    before = sum(process_cpu(gunicorn_pids(port)).values())
    while time.monotonic() < deadline:
        time.sleep(window)
        now = sum(process_cpu(gunicorn_pids(port)).values())
        if now - before < quiet * window:
            return
        before = now


# --- load -----------------------------------------------------------------------------------------------


def hammer(port: int, path: str, headers: dict, clients: int, seconds: float) -> Load:
    """`clients` threads, each with its own keep-alive connection, GET path for `seconds` from one start."""
    n = clients
    barrier, go = threading.Barrier(n + 1), threading.Event()
    lat: list[list[float]] = [[] for _ in range(n)]
    other: list[dict] = [{} for _ in range(n)]
    stop = [0.0]

    def run(i: int) -> None:
        conn = http.client.HTTPConnection("127.0.0.1", port, timeout=60)
        conn.request("GET", path, headers=headers)  # warm this client's connection and the page
        conn.getresponse().read()
        barrier.wait()
        go.wait()  # the end time is set
        while time.monotonic() < stop[0]:
            t0 = time.monotonic()
            try:
                conn.request("GET", path, headers=headers)
                response = conn.getresponse()
                response.read()
                status = response.status
            except (OSError, http.client.HTTPException):
                conn.close()
                status = 0
            if status == 200:
                lat[i].append(time.monotonic() - t0)
            else:
                other[i][status] = other[i].get(status, 0) + 1
        conn.close()

    threads = [threading.Thread(target=run, args=(i,), daemon=True) for i in range(n)]
    for t in threads:
        t.start()
    barrier.wait()
    t0 = time.monotonic()
    stop[0] = t0 + seconds
    go.set()
    for t in threads:
        t.join(timeout=seconds + 120)
    wall = time.monotonic() - t0
    merged: dict = {}
    for d in other:
        for k, v in d.items():
            merged[k] = merged.get(k, 0) + v
    latencies = [x for xs in lat for x in xs]
    return Load(len(latencies), merged, wall, latencies)


# --- HTTP -----------------------------------------------------------------------------------------------


def request(port: int, method: str, path: str, body: str | None = None, headers: dict | None = None):
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
    try:
        conn.request(method, path, body=body, headers=headers or {})
        response = conn.getresponse()
        text = response.read().decode(errors="replace")
        return response.status, response.getheaders(), text
    finally:
        conn.close()


def cookies_of(headers) -> dict:
    out = {}
    for header, value in headers:
        if header.lower() == "set-cookie":
            name, _, rest = value.partition("=")
            out[name] = rest.split(";", 1)[0]
    return out


def cookie_header(cookies: dict) -> dict:
    return {"Cookie": "; ".join(f"{k}={v}" for k, v in cookies.items())} if cookies else {}


def free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def tail(path: str, lines: int = 30) -> str:
    with open(path, errors="replace") as f:
        return "".join(f.readlines()[-lines:])


# --- where the CPU went -------------------------------------------------------------------------------------


def process_cpu(pids) -> dict[int, float]:
    """CPU seconds (user + system) each process has used so far, from /proc (Linux); a process gone is left out."""
    tick = os.sysconf("SC_CLK_TCK")
    used = {}
    for pid in pids:
        try:
            with open(f"/proc/{pid}/stat") as f:
                fields = f.read().rsplit(")", 1)[1].split()
        except OSError:
            continue
        used[pid] = (int(fields[11]) + int(fields[12])) / tick  # utime, stime: fields 14 and 15 of proc(5)
    return used


def gunicorn_pids(port: int) -> list[int]:
    """The gunicorn master and workers serving `port` (the workers are forked with the master's command line)."""
    bound = f"127.0.0.1:{port}".encode()
    pids = []
    for entry in os.listdir("/proc") if os.path.isdir("/proc") else ():
        if not entry.isdigit():
            continue
        try:
            with open(f"/proc/{entry}/cmdline", "rb") as f:
                cmdline = f.read()
        except OSError:
            continue
        if b"gunicorn" in cmdline and bound in cmdline:
            pids.append(int(entry))
    return pids


def backend_pids(connection) -> list[int]:
    """The PostgreSQL server processes of the other sessions on this database (the servers' connections)."""
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT pid FROM pg_stat_activity WHERE datname = current_database() AND pid <> pg_backend_pid()"
        )
        return [pid for (pid,) in cursor.fetchall()]


@dataclass
class CpuUse:
    """CPU seconds the servers, the database and this process (the clients) used during a run."""

    gunicorn: float
    postgres: float
    clients: float

    @property
    def total(self) -> float:
        return self.gunicorn + self.postgres + self.clients


@contextlib.contextmanager
def cpu_use(port: int, connection) -> Iterator[CpuUse]:
    """Measure what the block's load cost in CPU, per side; the CpuUse it yields is filled in on leaving. A database
    process that started during the block counts from zero; one that ended during it is missed (the servers keep
    their connections: DB_CONN_MAX_AGE)."""
    use = CpuUse(gunicorn=0.0, postgres=0.0, clients=0.0)
    before_g = process_cpu(gunicorn_pids(port))
    before_p = process_cpu(backend_pids(connection))
    before_c = time.process_time()
    yield use
    use.clients = time.process_time() - before_c
    after_g = process_cpu(gunicorn_pids(port))
    after_p = process_cpu(backend_pids(connection))
    use.gunicorn = sum(v - before_g.get(pid, 0.0) for pid, v in after_g.items())
    use.postgres = sum(v - before_p.get(pid, 0.0) for pid, v in after_p.items())


@dataclass
class QueuedTasks:
    name: str
    dropped: int | None = None  # tasks found on the queue when it was emptied; None if the broker could not say


@contextlib.contextmanager
def private_queue(env: dict, name: str) -> Iterator[QueuedTasks]:
    """The served portal queues its tasks (mail on commit) on a queue of its own, emptied and removed on leaving:
    they name messages the benchmark deletes with its rows, so no worker sharing the broker may take them."""
    from tiexi_gov.celery import app  # the Celery app imports Django settings: only once a command runs

    env["CELERY_TASK_DEFAULT_QUEUE"] = name
    queued = QueuedTasks(name)
    try:
        yield queued
    finally:
        # Declared as Celery declares a default queue (its own direct exchange), so that deleting it also removes
        # the broker's binding of it, not only its messages.
        queue = Queue(name, Exchange(name, type="direct"), routing_key=name)
        with app.connection_for_write() as conn:
            bound = queue(conn.default_channel)
            bound.declare()
            queued.dropped = bound.purge()
            bound.delete()


@contextlib.contextmanager
def on_database(database):
    """Run the block with `database` (a connection wrapper) as the default connection: the views, the ORM and the
    test client's session all use it; each wrapper keeps its own open connection between blocks."""
    saved = connections[DEFAULT_DB_ALIAS]
    connections[DEFAULT_DB_ALIAS] = database
    try:
        yield
    finally:
        connections[DEFAULT_DB_ALIAS] = saved


def copy_database(copy_name: str):
    """The default database as it is now, copied into `copy_name` (CREATE DATABASE … TEMPLATE; PostgreSQL, and no
    other session may be open on the source): a connection wrapper on the copy, for measuring two sizes side by
    side with `on_database`. The default connection is closed first, as the template may have no session."""
    default = connections[DEFAULT_DB_ALIAS]
    quote = default.ops.quote_name
    default.close()
    with default._nodb_cursor() as cursor:
        cursor.execute(f"DROP DATABASE IF EXISTS {quote(copy_name)}")
        cursor.execute(f"CREATE DATABASE {quote(copy_name)} TEMPLATE {quote(default.settings_dict['NAME'])}")
    return type(default)({**default.settings_dict, "NAME": copy_name}, DEFAULT_DB_ALIAS)


def drop_database(database) -> None:
    """Close a copy's connection and drop it."""
    database.close()
    default = connections[DEFAULT_DB_ALIAS]
    with default._nodb_cursor() as cursor:
        cursor.execute(f"DROP DATABASE IF EXISTS {default.ops.quote_name(database.settings_dict['NAME'])}")

"""Side-by-side page benchmark (issue 14.1): a Django hello-world and the portal, served by gunicorn with the same
settings on the same box, 8 concurrent clients at each navbar page for each demo role; requests/s, p50, p95,
queries per request and the ratio to the hello-world's rate, in one run.

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/bench_pages python manage.py migrate
    DATABASE_URL=postgres://postgres@127.0.0.1:5432/bench_pages python manage.py bench_pages [--scale 100]

1. Seeds the demo district and every area's demo work (the same idempotent seeds `make run` uses; demo password
   from DEMO_PASSWORD or generated). `--scale N` copies the seeded database (CREATE DATABASE <name>_xN TEMPLATE
   <name>), copies the rows of every page's tables N-1 times in the copy (N x the rows, bulk inserts), and times each
   page on both databases side by side, the visits alternating between the two, printing the ratio of the two times
   per page and role (the "within 1.5x at 100x rows" check). Alternating matters: a shared box drifts by a third
   within minutes, which two measurements taken one after the other would read as the page's. gunicorn then serves
   the xN copy. The copy is dropped at the end (--keep keeps it).
2. In-process, with DEBUG off: each (role, page) once through django.test.Client with a query-counting execute
   wrapper — the queries per request — and its median server time over --repeat requests (no network, no gunicorn;
   the test environment's template instrumentation is not installed, so the time is the page's own). Twice: drawn
   (the page cache off: what the first visit after any write costs) and cached (served again, tiexi_gov/pagecache).
3. gunicorn (sync workers, --workers 4, DEBUG=0, static files collected into a temporary root) serves a one-file
   Django hello-world (no apps, no middleware, one view returning "Hello, world") and then the portal; the demo roles
   log in through the real login page (POST with the CSRF token); 8 threads, each with its own keep-alive-less
   http.client connection as gunicorn's sync workers answer, hammer each page for --seconds. The hello-world is
   measured before and after the portal and its mean is the denominator, so a busy neighbour on the box shows as
   the spread of the two.

Refuses to run unless the database name starts with "bench" (it writes demo rows) or --yes is given.
"""

from __future__ import annotations

import logging
import os
import re
import secrets
import shutil
import statistics
import tempfile
import time
import urllib.parse

from django.conf import settings
from django.core.management import call_command
from django.core.management.base import BaseCommand, CommandError
from django.db import DEFAULT_DB_ALIAS, connection, connections
from django.test import Client
from django.test.utils import override_settings
from django.urls import reverse

from tiexi_gov.benchkit import (
    Load,
    collect_static,
    cookie_header,
    cookies_of,
    copy_database,
    drop_database,
    hammer,
    on_database,
    portal_env,
    request,
    serving,
    write_hello,
)
from tiexi_gov.org.models import User

# The navbar's pages (issue 14.1), in the navbar's order.
PAGES = (
    ("我的待办", "workflow:queue"),
    ("公文办理", "documents:index"),
    ("领导批示队列", "documents:queue"),
    ("公开目录", "documents:register"),
    ("督查台账", "supervision:ledger"),
    ("督查看板", "supervision:dashboard"),
    ("会议", "meetings:index"),
    ("议事协调", "coordination:index"),
    ("站内消息", "notify:inbox"),
)
# The demo roles that use these pages (the three administrators keep the system, not the business, and need a TOTP).
ROLES = (
    ("区长", "quzhang"),
    ("常务副区长", "changwu"),
    ("副区长", "fuquzhang1"),
    ("办公室主任", "bangongshi_zhuren"),
    ("办公室工作人员", "bangongshi"),
    ("单位负责人", "fgj_juzhang"),
    ("单位文书", "fgj_wenshu"),
)
AREA_SEEDS = ("seed_demo_documents", "seed_demo_supervision", "seed_demo_meetings", "seed_demo_coordination")
CSRF_INPUT = re.compile(r'name="csrfmiddlewaretoken" value="([^"]+)"')


class Command(BaseCommand):
    help = "Hello-world vs the portal's navbar pages per demo role, side by side through gunicorn (issue 14.1)."

    def add_arguments(self, parser):
        parser.add_argument("--clients", type=int, default=8, help="concurrent clients (8)")
        parser.add_argument("--workers", type=int, default=4, help="gunicorn sync workers, both servers (4)")
        parser.add_argument("--seconds", type=float, default=3.0, help="load per page and role (3 s)")
        parser.add_argument("--scale", type=int, default=1, help="multiply the demo rows by N (1)")
        parser.add_argument("--roles", default="", help="comma-separated usernames (default: the demo roles)")
        parser.add_argument("--pages", default="", help="comma-separated URL names (default: the navbar)")
        parser.add_argument("--no-seed", action="store_true", help="the demo is already seeded (DEMO_PASSWORD)")
        parser.add_argument("--no-http", action="store_true", help="only the in-process queries and times")
        parser.add_argument("--repeat", type=int, default=20, help="in-process timed requests per page and role")
        parser.add_argument("--keep", action="store_true", help="keep the --scale copies")
        parser.add_argument(
            "--no-page-cache", action="store_true", help="serve every page drawn (PAGE_CACHE_SECONDS=0) over HTTP"
        )
        parser.add_argument(
            "--yes", action="store_true", help="run even if the database name does not start with bench"
        )

    def handle(self, *args, **opts):
        name = str(settings.DATABASES["default"]["NAME"] or "")
        if connection.vendor != "postgresql":
            raise CommandError("bench_pages runs on PostgreSQL (DATABASE_URL=postgres://…).")
        if not (name.startswith("bench") or opts["yes"]):
            raise CommandError(f"Refusing to write demo rows into database {name!r}: use a bench* database or --yes.")
        roles = [r for r in ROLES if not opts["roles"] or r[1] in opts["roles"].split(",")]
        roles += [(u, u) for u in opts["roles"].split(",") if u and u not in {r[1] for r in ROLES}]
        pages = [p for p in PAGES if not opts["pages"] or p[1] in opts["pages"].split(",")]
        self.opts = opts
        password = os.environ.get("DEMO_PASSWORD") or ("Bench-" + secrets.token_hex(6))
        self._password = password
        if not opts["no_seed"]:
            self.seed(password)
        elif not os.environ.get("DEMO_PASSWORD"):
            raise CommandError("--no-seed needs DEMO_PASSWORD (the demo accounts' password).")
        if opts["scale"] <= 1:
            inproc, base = self.in_process(roles, pages, opts["repeat"]), None
            http_results = None if opts["no_http"] else self.over_http(roles, pages, password)
        else:
            scaled = self.scaled_copy(opts["scale"])
            try:
                base, inproc = self.side_by_side(roles, pages, opts["repeat"], scaled)
                http_results = (
                    None if opts["no_http"] else self.over_http(roles, pages, password, scaled.settings_dict["NAME"])
                )
            finally:
                if opts["keep"]:
                    scaled.close()
                else:
                    drop_database(scaled)
                    self.stdout.write(f"dropped the x{opts['scale']} copy {scaled.settings_dict['NAME']}")
        self.report(roles, pages, inproc, http_results, base)

    # --- data --------------------------------------------------------------------------------------------

    def seed(self, password: str) -> None:
        t0 = time.perf_counter()
        quiet = open(os.devnull, "w")  # noqa: SIM115 - closed below
        try:
            with override_settings(EMAIL_BACKEND="django.core.mail.backends.locmem.EmailBackend"):
                call_command("seed_demo", password=password, force=True, stdout=quiet)
                for command in AREA_SEEDS:
                    call_command(command, force=True, stdout=quiet)
        finally:
            quiet.close()
        self.stdout.write(f"demo seeded (idempotent) in {time.perf_counter() - t0:.1f}s")

    def scaled_copy(self, factor: int):
        """A copy of the seeded database, its rows then multiplied by `factor`: a connection to it, for the pages to
        be timed at x1 and at xN side by side."""
        from ._scale import Scaler  # the copier is only needed with --scale

        scaled = copy_database(f"{connection.settings_dict['NAME']}_x{factor}")
        with on_database(scaled):
            Scaler(self.stdout).scale(factor)
        return scaled

    # --- in-process: queries and server time ----------------------------------------------------------

    def side_by_side(self, roles, pages, repeat: int, scaled) -> tuple[dict, dict]:
        """Each page at x1 and at xN, the visits alternating between the two databases, so that a box that runs
        slower or faster for a while (a busy neighbour) weighs on both alike: the ratio is the page's own."""
        sides = {"x1": connections[DEFAULT_DB_ALIAS], "xN": scaled}
        results: dict = {"x1": {}, "xN": {}}
        logging.disable(logging.WARNING)
        try:
            with override_settings(DEBUG=False, ALLOWED_HOSTS=["testserver"]):
                for _label, username in roles:
                    clients = {}
                    for side, database in sides.items():
                        with on_database(database):
                            clients[side] = Client()
                            clients[side].force_login(User.objects.get(username=username))
                    for _title, url_name in pages:
                        url = reverse(url_name)
                        for page_cache in (0, settings.PAGE_CACHE_SECONDS):  # drawn, then served as configured
                            with override_settings(PAGE_CACHE_SECONDS=page_cache):
                                probes = {}
                                for side, database in sides.items():
                                    with on_database(database):
                                        probes[side] = self.probe(clients[side], url)
                                times: dict = {side: [] for side in sides}
                                for i in range(repeat if all(p[0] == 200 for p in probes.values()) else 0):
                                    for side in sorted(sides, reverse=bool(i % 2)):  # who goes first alternates
                                        with on_database(sides[side]):
                                            times[side].append(self.visit(clients[side], url))
                                for side in sides:
                                    median = statistics.median(times[side]) if times[side] else float("nan")
                                    results[side].setdefault((username, url_name), ())
                                    if page_cache:
                                        results[side][username, url_name] += (probes[side][1], median)
                                    else:
                                        results[side][username, url_name] = (*probes[side], median)
        finally:
            logging.disable(logging.NOTSET)
        return results["x1"], results["xN"]

    @staticmethod
    def probe(client, url: str) -> tuple[int, int]:
        """(status, queries) of a page, after one warming visit (templates, calendar, connection)."""
        client.get(url)
        executed: list[str] = []  # request_started resets connection.queries: count in a wrapper

        def count(execute, sql, params, many, context):
            executed.append(sql)
            return execute(sql, params, many, context)

        with connection.execute_wrapper(count):
            response = client.get(url)
        return response.status_code, len(executed)

    @staticmethod
    def visit(client, url: str) -> float:
        t0 = time.perf_counter()
        client.get(url)
        return (time.perf_counter() - t0) * 1000

    def in_process(self, roles, pages, repeat: int) -> dict:
        results = {}
        logging.disable(logging.WARNING)  # the login and 404 lines of a thousand test-client requests
        try:
            with override_settings(DEBUG=False, ALLOWED_HOSTS=["testserver"]):
                for _label, username in roles:
                    user = User.objects.get(username=username)
                    client = Client()
                    client.force_login(user)
                    for _title, url_name in pages:
                        url = reverse(url_name)
                        # Drawn: the page cache off (what a visit costs after any write); served: as configured.
                        with override_settings(PAGE_CACHE_SECONDS=0):
                            drawn = self.timed(client, url, repeat)
                        results[username, url_name] = (*drawn, *self.timed(client, url, repeat)[1:])
        finally:
            logging.disable(logging.NOTSET)
        return results

    def timed(self, client, url: str, repeat: int) -> tuple:
        """(status, queries, median ms) of a page over `repeat` visits."""
        status, queries = self.probe(client, url)
        times = [self.visit(client, url) for _ in range(repeat if status == 200 else 0)]
        return status, queries, statistics.median(times) if times else float("nan")

    # --- over HTTP: gunicorn ------------------------------------------------------------------------------

    def over_http(self, roles, pages, password: str, database: str | None = None) -> dict:
        tmp = tempfile.mkdtemp(prefix="bench-pages-")
        workers = self.opts["workers"]
        results: dict = {}
        try:
            env = portal_env(tmp, page_cache=not self.opts["no_page_cache"])
            if database:  # the scaled copy: the same server, user and options, another database name
                url = urllib.parse.urlsplit(env["DATABASE_URL"])
                env["DATABASE_URL"] = urllib.parse.urlunsplit(url._replace(path="/" + database))
            self.stdout.write(f"static files collected (DEBUG=0 storage) in {collect_static(env):.1f}s")
            hello_app, hello_env = write_hello(tmp)
            with serving(hello_app, hello_env, tmp, workers) as port:
                results["hello", "before"] = self.hello(port)
            with serving("tiexi_gov.wsgi:application", env, tmp, workers) as port:
                results.update(self.portal(port, roles, pages))
            with serving(hello_app, hello_env, tmp, workers) as port:
                results["hello", "after"] = self.hello(port)
        finally:
            shutil.rmtree(tmp, ignore_errors=True)
        return results

    def hello(self, port: int) -> Load:
        return self.load(port, "/", {})

    def portal(self, port: int, roles, pages) -> dict:
        results = {}
        results["login", "page"] = self.load(port, reverse("login"), {})
        for _label, username in roles:
            cookies = self.login(port, username)
            for _title, url_name in pages:
                results[username, url_name] = self.load(port, reverse(url_name), cookies)
            self.stdout.write(f"  measured {username}")
        return results

    def login(self, port: int, username: str) -> dict:
        """The real login page: GET for the CSRF cookie and token, POST the demo password, keep the session."""
        password = self._password
        status, headers, body = request(port, "GET", reverse("login"))
        cookies = cookies_of(headers)
        token = CSRF_INPUT.search(body)
        if status != 200 or not token:
            raise CommandError(f"login page: HTTP {status}")
        form = urllib.parse.urlencode(
            {"username": username, "password": password, "csrfmiddlewaretoken": token.group(1)}
        )
        status, headers, _ = request(
            port,
            "POST",
            reverse("login"),
            form,
            {**cookie_header(cookies), "Content-Type": "application/x-www-form-urlencoded"},
        )
        cookies.update(cookies_of(headers))
        if status != 302 or settings.SESSION_COOKIE_NAME not in cookies:
            raise CommandError(f"login of {username} failed: HTTP {status}")
        status, _h, _b = request(port, "GET", reverse("workflow:queue"), headers=cookie_header(cookies))
        if status != 200:
            raise CommandError(f"{username} logged in but 我的待办 answered HTTP {status} (password change due?)")
        return cookies

    def load(self, port: int, path: str, cookies: dict) -> Load:
        return hammer(port, path, cookie_header(cookies), self.opts["clients"], self.opts["seconds"])

    # --- report ---------------------------------------------------------------------------------------------

    def report(self, roles, pages, inproc: dict, results: dict | None, base: dict | None = None) -> None:
        w = self.stdout.write
        o = self.opts
        w("")
        w(
            f"bench_pages — gunicorn -w {o['workers']} (sync), DEBUG=0, {o['clients']} clients, {o['seconds']:g} s a "
            f"page; demo data x{o['scale']}; page cache {'off' if o['no_page_cache'] else 'on'}; "
            f"PostgreSQL {connection.settings_dict['NAME']}"
        )
        hello = None
        if results:
            before, after = results["hello", "before"], results["hello", "after"]
            hello = (before.rps + after.rps) / 2
            w(
                f"hello-world: {before.rps:,.0f} req/s before, {after.rps:,.0f} after (mean {hello:,.0f}); "
                f"p50 {before.pct(0.5):.1f} ms, p95 {before.pct(0.95):.1f} ms"
            )
            login = results["login", "page"]
            w(
                f"login page: {login.rps:,.0f} req/s ({100 * login.rps / hello:.1f}% of hello-world), "
                f"p50 {login.pct(0.5):.1f} ms, p95 {login.pct(0.95):.1f} ms"
            )
        w("")
        head = f"{'page':<12} {'role':<14} {'HTTP':>4} {'req/s':>7} {'p50 ms':>7} {'p95 ms':>7} {'queries':>7} "
        head += f"{'drawn ms':>8} {'cached q':>8} {'cached ms':>9} {'vs hello':>8}"
        if base:
            x = "x" + str(o["scale"]) + "/x1"
            head += f" {'x1 drawn':>8} {x + ' drawn':>10} {x + ' cached':>11}"
        w(head)
        worst: dict = {}
        for title, url_name in pages:
            for label, username in roles:
                status, queries, ms, cached_queries, cached_ms = inproc[username, url_name]
                line = f"{pad(title, 12)} {pad(label, 14)} {status:>4} "
                if results:
                    load = results[username, url_name]
                    ratio = 100 * load.rps / hello if hello else 0.0
                    if status == 200:
                        worst[title] = min(worst.get(title, ratio), ratio)
                    line += f"{load.rps:>7.1f} {load.pct(0.5):>7.1f} {load.pct(0.95):>7.1f} "
                    extra = f"  non-200: {load.other}" if load.other else ""
                else:
                    line += f"{'-':>7} {'-':>7} {'-':>7} "
                    ratio, extra = None, ""
                line += f"{queries:>7} {ms:>8.1f} {cached_queries:>8} {cached_ms:>9.1f} "
                line += f"{ratio:>7.1f}%" if ratio is not None else f"{'-':>8}"
                if base:
                    ms1, cached1 = base[username, url_name][2], base[username, url_name][4]
                    line += f" {ms1:>8.1f} {ms / ms1 if ms1 == ms1 and ms1 else float('nan'):>10.2f}"
                    line += f" {cached_ms / cached1 if cached1 == cached1 and cached1 else float('nan'):>11.2f}"
                w(line + extra)
        if worst:
            w("")
            w("lowest ratio per page (target >= 15% of the hello-world):")
            for title, ratio in worst.items():
                w(f"  {pad(title, 12)} {ratio:5.1f}%  {'OK' if ratio >= 15 else 'BELOW'}")
        w(f"(pid {os.getpid()}, {os.cpu_count()} CPUs, load average {os.getloadavg()[0]:.2f})")


def pad(text: str, width: int) -> str:
    """ljust by display width: a CJK character takes two columns."""
    cols = sum(2 if ord(c) > 0x2E80 else 1 for c in text)
    return text + " " * max(0, width - cols)

"""Benchmark of one meeting's page (issue 5, speed): a meeting with 40 topics (2 papers each, some disputed with a
coordinating special meeting), 60 attendees (some on leave), measured through django.test.Client as an office
user and as an attendee: SQL queries per request, p50 and p95 server time over N requests. Target: p95 < 150 ms
with the same number of queries as a small meeting.

Benchmark rows are written directly (no services: audit events are append-only and could not be removed
afterwards) under units whose code starts with "bench-mtg-", and removed at the end. It refuses to run when DEBUG
is off (a production settings file) unless --force is given.

    DATABASE_URL=postgres://… .venv/bin/python manage.py bench_meetings [--requests 50] [--keep]
"""

from __future__ import annotations

import datetime as dt
import statistics
import time

from django.conf import settings
from django.contrib.auth.models import Group
from django.core.management.base import BaseCommand, CommandError
from django.db import connection, transaction
from django.test import Client, override_settings
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from meetings.models import (
    Invitation,
    LeaveRequest,
    Meeting,
    MeetingKind,
    MeetingState,
    Minutes,
    Paper,
    SeatRole,
    Topic,
    TopicState,
)
from tiexi_gov.org.models import Appointment, Portfolio, Post, Unit, User
from tiexi_gov.org.roles import Role

PREFIX = "bench-mtg-"
TOPICS = 40
ATTENDEES = 60
PAPERS_PER_TOPIC = 2
DEPUTIES = 4
REQUESTS = 50
LATE = 10_000  # sort order: benchmark units and posts come after the real ones while the benchmark runs


def _pct(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[max(0, round(q * len(ordered)) - 1)]


class Command(BaseCommand):
    help = "Measure one meeting's page with 40 topics, 80 papers and 60 attendees (queries, p50/p95 ms)."

    def add_arguments(self, parser):
        parser.add_argument("--requests", type=int, default=REQUESTS, help="timed requests per user")
        parser.add_argument("--force", action="store_true", help="run even when DEBUG is off")
        parser.add_argument("--keep", action="store_true", help="do not delete the benchmark rows at the end")

    def handle(self, *args, **opts):
        if not settings.DEBUG and not opts["force"]:
            raise CommandError(
                "Refusing to write benchmark rows with DEBUG off (production settings?): use --force to run anyway."
            )
        if opts["requests"] < 1:
            raise CommandError("--requests must be at least 1.")
        if connection.vendor != "postgresql":
            self.stderr.write("note: not PostgreSQL — the numbers are not the ones the target is about.")
        self.today = timezone.localdate()
        self.cleanup()
        # The test client against this database, as a server would answer: no test-environment template
        # instrumentation (it copies every context), no per-query logging.
        serve = override_settings(ALLOWED_HOSTS=[*settings.ALLOWED_HOSTS, "testserver"], DEBUG=False)
        serve.enable()
        results = {}
        try:
            world = self.build()
            if connection.vendor == "postgresql":
                with connection.cursor() as cur:
                    for table in ("meetings_topic", "meetings_paper", "meetings_invitation", "meetings_meeting"):
                        cur.execute(f"ANALYZE {table}")
            url = reverse("meetings:meeting", args=[world["meeting"].pk])
            small_url = reverse("meetings:meeting", args=[world["small"].pk])
            for who in ("office", "attendee"):
                results[who] = self.measure(world[who], url, small_url, opts["requests"])
        finally:
            serve.disable()
            if not opts["keep"]:
                self.cleanup()
        self.report(results, opts["requests"])

    # --- data ------------------------------------------------------------------------------------------------

    def _user(self, name: str, unit: Unit, full_name: str, role: Role | None = None) -> User:
        user = User.objects.create_user(username=f"{PREFIX}{name}", unit=unit, full_name=full_name)
        if role is not None:
            user.groups.add(Group.objects.get_or_create(name=str(role))[0])
        return user

    def _post(self, kind, unit: Unit, title: str, person: User) -> Post:
        post = Post.objects.create(kind=kind, unit=unit, title=title, order=LATE)
        Appointment.objects.create(post=post, person=person, start=self.start)
        return post

    @transaction.atomic
    def build(self) -> dict:
        self.start = self.today - dt.timedelta(days=365)
        gov = Unit.objects.create(name="会议基准区政府", code=f"{PREFIX}gov", kind=Unit.Kind.GOVERNMENT, order=LATE)
        office = Unit.objects.create(name="会议基准办公室", code=f"{PREFIX}office", kind=Unit.Kind.OFFICE, order=LATE)
        units = [
            Unit.objects.create(
                name=f"会议基准局{i}",
                short_name=f"基准局{i}",
                code=f"{PREFIX}u{i}",
                kind=Unit.Kind.DEPARTMENT,
                order=LATE,
            )
            for i in range(TOPICS)
        ]
        staff = self._user("staff", office, "基准会务", Role.OFFICE_STAFF)
        head = self._user("head", gov, "基准区长", Role.DISTRICT_HEAD)
        head_post = self._post(Post.Kind.HEAD, gov, "基准区长", head)
        director = self._user("director", office, "基准主任", Role.OFFICE_DIRECTOR)
        self._post(Post.Kind.OFFICE_DIRECTOR, office, "基准办公室主任", director)
        deputies = []
        for k in range(DEPUTIES):
            person = self._user(f"dep{k}", gov, f"基准副区长{k}", Role.DEPUTY_HEAD)
            deputies.append((self._post(Post.Kind.DEPUTY, gov, f"基准副区长{k}", person), person))
        unit_heads = []
        for i, unit in enumerate(units):
            Portfolio.objects.create(post=deputies[i % DEPUTIES][0], unit=unit, start=self.start)
            person = self._user(f"h{i}", unit, f"基准局长{i}", Role.UNIT_HEAD)
            unit_heads.append((self._post(Post.Kind.UNIT_HEAD, unit, f"基准局{i}局长", person), person))
        date = self.today + dt.timedelta(days=14)
        common = {"kind": MeetingKind.EXECUTIVE, "date": date, "chair_post": head_post, "location": "基准会议室"}
        meeting = Meeting.objects.create(
            year=date.year, seq=9900, title="基准测试常务会议", state=MeetingState.AGENDA_APPROVED, **common
        )
        small = Meeting.objects.create(
            year=date.year, seq=9901, title="基准测试常务会议（小）", state=MeetingState.AGENDA_APPROVED, **common
        )
        now = timezone.now()
        special_seq = 9000
        for target, count in ((meeting, TOPICS), (small, 2)):
            for i in range(count):
                unit = units[i]
                topic = Topic.objects.create(
                    meeting=target,
                    unit=unit,
                    title=f"关于基准事项{i}的议题",
                    summary="基准测试议题",
                    filed_on=date - dt.timedelta(days=10),
                    created_by=staff,
                    state=TopicState.ACCEPTED,
                    order=i + 1,
                    proposer_path=Topic.ProposerPath.DEPUTY,
                    proposer_post=deputies[i % DEPUTIES][0],
                    proposer_note="已协调",
                    check_significance=True,
                    check_substance=True,
                    check_procedure=True,
                    units_disagree=i % 5 == 0,
                    agreement_text="经专题会协调一致" if i % 5 == 0 else "",
                    head_decided_by=head,
                    head_decided_at=now,
                )
                topic.related_units.set([units[(i + 1) % TOPICS], units[(i + 2) % TOPICS]])
                Paper.objects.bulk_create(
                    Paper(
                        topic=topic,
                        title=f"基准材料{i}-{k}",
                        file=f"meetings/bench/{i}-{k}.pdf",
                        uploaded_by=unit_heads[i][1],
                        checked_by=unit_heads[i][1],
                        checked_at=now,
                        reviewed_by=deputies[i % DEPUTIES][1],
                        reviewed_at=now,
                    )
                    for k in range(PAPERS_PER_TOPIC)
                )
                if topic.units_disagree:
                    special_seq += 1
                    special = Meeting.objects.create(
                        kind=MeetingKind.SPECIAL,
                        year=date.year,
                        seq=special_seq,
                        title=f"基准协调专题会{topic.pk}",
                        date=date - dt.timedelta(days=5),
                        chair_post=deputies[i % DEPUTIES][0],
                        coordinates_topic=topic,
                        state=MeetingState.CLOSED,
                    )
                    Minutes.objects.create(meeting=special, drafted_by=staff, state=Minutes.State.SIGNED)
            people = [(head, head_post, SeatRole.CHAIR)] + [(p, post, SeatRole.MEMBER) for post, p in deputies]
            people += [(p, post, SeatRole.INVITED) for post, p in unit_heads[:count]]
            extra = ATTENDEES - len(people) if target is meeting else 1
            for j in range(max(0, extra)):
                person = self._user(f"x{target.pk}-{j}", office, f"基准列席{j}")
                people.append((person, None, SeatRole.ATTENDEE))
            for j, (person, post, role) in enumerate(people):
                inv = Invitation.objects.create(
                    meeting=target,
                    person=person,
                    post=post,
                    role=role,
                    capacity=post.title if post else "列席",
                    reply=Invitation.Reply.ATTEND if j % 3 else Invitation.Reply.PENDING,
                )
                if j % 11 == 5:
                    inv.reply = Invitation.Reply.LEAVE
                    inv.save(update_fields=["reply"])
                    LeaveRequest.objects.create(
                        invitation=inv,
                        reason="基准请假",
                        route=LeaveRequest.Route.CHAIR,
                        approver_post=head_post,
                    )
        return {"meeting": meeting, "small": small, "office": staff, "attendee": unit_heads[1][1]}

    # --- measure ---------------------------------------------------------------------------------------------

    def _queries(self, client: Client, url: str) -> tuple[int, int]:
        with CaptureQueriesContext(connection) as ctx:
            response = client.get(url)
        if response.status_code != 200:
            raise CommandError(f"{url} answered {response.status_code}")
        return len(ctx.captured_queries), response.content.decode().count('data-testid="paper-link"')

    def measure(self, user: User, url: str, small_url: str, requests: int) -> dict:
        client = Client()
        client.force_login(user)
        try:
            for _ in range(5):  # warm caches (calendar index, templates, content types, connection)
                client.get(url)
            small_queries, _ = self._queries(client, small_url)
            queries, links = self._queries(client, url)
            times = []
            for _ in range(requests):
                t0 = time.perf_counter()
                response = client.get(url)
                times.append((time.perf_counter() - t0) * 1000)
                if response.status_code != 200:
                    raise CommandError(f"{url} answered {response.status_code}")
        finally:
            client.logout()
        return {
            "queries": queries,
            "small_queries": small_queries,
            "links": links,
            "p50": statistics.median(times),
            "p95": _pct(times, 0.95),
            "max": max(times),
        }

    def report(self, results: dict, requests: int) -> None:
        self.stdout.write(
            f"meeting page: {TOPICS} topics, {TOPICS * PAPERS_PER_TOPIC} papers, {ATTENDEES} attendees; "
            f"{requests} requests per user ({connection.vendor})"
        )
        ok = True
        for who, r in results.items():
            constant = r["queries"] <= r["small_queries"]
            fast = r["p95"] < 150
            ok = ok and constant and fast
            self.stdout.write(
                f"  {who:8}: {r['queries']} queries (2-topic meeting: {r['small_queries']}) "
                f"{'constant' if constant else 'GROWS'}; p50 {r['p50']:.1f} ms, p95 {r['p95']:.1f} ms, "
                f"max {r['max']:.1f} ms; {r['links']} paper links  p95 target < 150 ms: {'OK' if fast else 'MISSED'}"
            )
        self.stdout.write("all targets met" if ok else "TARGET MISSED")

    # --- cleanup ---------------------------------------------------------------------------------------------

    def cleanup(self) -> None:
        """Remove every benchmark row (children first: meetings protect their topics, topics their special
        meetings, posts their appointments)."""
        with transaction.atomic():
            meetings = Meeting.objects.filter(chair_post__unit__code__startswith=PREFIX)
            topics = Topic.objects.filter(unit__code__startswith=PREFIX)
            Invitation.objects.filter(meeting__in=meetings).delete()
            Paper.objects.filter(topic__in=topics).delete()
            Minutes.objects.filter(meeting__in=meetings).delete()
            meetings.filter(coordinates_topic__isnull=False).delete()
            topics.delete()
            meetings.delete()
            Portfolio.objects.filter(unit__code__startswith=PREFIX).delete()
            Appointment.objects.filter(post__unit__code__startswith=PREFIX).delete()
            Post.objects.filter(unit__code__startswith=PREFIX).delete()
            User.objects.filter(username__startswith=PREFIX).delete()  # their sessions ended with logout()
            Unit.objects.filter(code__startswith=PREFIX).delete()

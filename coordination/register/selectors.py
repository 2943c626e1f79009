"""Reads of the register of coordination bodies and of its applications (CRD-1, CRD-2).

Each function does its own select_related / prefetch_related and permission filtering, and resolves who holds
the seats of a whole page of bodies at once (`handlers_for_posts`: the batch form of `who_handles`, a bounded
number of queries whatever the page size), so list pages cost a constant number of queries.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field

from django.contrib.contenttypes.models import ContentType
from django.core.paginator import Paginator
from django.db.models import Count, Prefetch, Q, QuerySet
from django.http import Http404
from django.shortcuts import get_object_or_404
from django.utils import timezone

from tiexi_gov.http import to_id
from tiexi_gov.org.access import is_district_leader
from tiexi_gov.org.models import Post, Unit
from tiexi_gov.org.selectors import Handler, handlers_for_posts, leader_post_for_unit
from tiexi_gov.workflow.models import Task
from tiexi_gov.workflow.selectors import addressed_to

from ..models import (
    AbolishGround,
    Adjustment,
    AnnualTargets,
    Application,
    Body,
    BodyGround,
    CounterpartLevel,
    Ground,
    Rank,
    ReviewEntry,
    Seat,
)
from . import permissions
from .services import LABELS, SEAT_KEYS, SPEC_KEYS, body_spec

St = Application.State
REGISTER_PAGE_SIZE = 25
APPLICATIONS_PAGE_SIZE = 20
STATUS_TABS = (
    ("active", "存续"),
    ("merged", "已合并"),
    ("abolished", "已撤销"),
    ("all", "全部"),
)


# --- the register ------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class RegisterFilters:
    status: str = "active"
    q: str = ""
    host_unit: int | None = None


def register_filters(params) -> RegisterFilters:
    status = params.get("status") or "active"
    if status not in dict(STATUS_TABS):
        status = "active"
    host = to_id(params.get("host_unit"))
    return RegisterFilters(status=status, q=" ".join((params.get("q") or "").split())[:60], host_unit=host)


def bodies(filters: RegisterFilters) -> QuerySet[Body]:
    qs = Body.objects.select_related("host_unit", "merged_into")
    if filters.status != "all":
        qs = qs.filter(status=filters.status)
    if filters.q:
        qs = qs.filter(
            Q(name__icontains=filters.q)
            | Q(counterpart_name__icontains=filters.q)
            | Q(office_name__icontains=filters.q)
            | Q(founding_document__icontains=filters.q)
        )
    if filters.host_unit:
        qs = qs.filter(host_unit_id=filters.host_unit)
    return qs.prefetch_related(
        Prefetch("grounds", queryset=BodyGround.objects.order_by("id")),
        Prefetch(
            "seats",
            queryset=Seat.objects.filter(role=Seat.Role.HEAD).select_related("post", "post__unit"),
            to_attr="head_seats",
        ),
    ).order_by("name", "id")


@dataclass(frozen=True)
class RegisterRow:
    body: Body
    head: Handler | None


def register_page(filters: RegisterFilters, page_number, day: dt.date):
    """One page of the register with each body's head seat and who holds it today (acting shown)."""
    page = Paginator(bodies(filters), REGISTER_PAGE_SIZE).get_page(page_number)
    items = list(page.object_list)
    posts = {s.post.pk: s.post for b in items for s in b.head_seats}
    handlers = handlers_for_posts(posts.values(), day) if posts else {}
    rows = [RegisterRow(body=b, head=handlers.get(b.head_seats[0].post_id) if b.head_seats else None) for b in items]
    return page, rows


def host_units() -> QuerySet[Unit]:
    """Units that host at least one body, for the register's filter."""
    return Unit.objects.filter(bodies__isnull=False).distinct().order_by("order", "id")


def status_counts() -> dict[str, int]:
    """Bodies per status (one query), for the register's tabs."""
    counts = {value: 0 for value, _ in STATUS_TABS}
    for row in Body.objects.order_by().values("status").annotate(n=Count("id")):
        counts[row["status"]] = row["n"]
    counts["all"] = sum(counts[v] for v, _ in STATUS_TABS if v != "all")
    return counts


# --- one body --------------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class SeatRow:
    seat: Seat
    handler: Handler


@dataclass
class BodyPage:
    body: Body
    grounds: list[BodyGround]
    head: list[SeatRow]
    deputies: list[SeatRow]
    members: list[SeatRow]
    merged_bodies: list[Body]
    applications: list[Application]
    adjustments: list[Adjustment]
    review_entries: list[ReviewEntry]
    targets: list[AnnualTargets]
    responsible_post: Post | None = None
    extra: dict = field(default_factory=dict)


def body_page(user, pk: int, day: dt.date) -> BodyPage:
    """Everything of one body: grounds, seats by post with today's holder, history, applications the user may see,
    adjustments (CRD-3), review entries (CRD-4) and annual targets (CRD-5)."""
    if not permissions.can_view_register(user):
        raise Http404("没有找到该议事协调机构。")
    body = get_object_or_404(Body.objects.select_related("host_unit", "merged_into"), pk=pk)
    seats = list(body.seats.select_related("post", "post__unit").order_by("order", "id"))
    handlers = handlers_for_posts([s.post for s in seats], day)
    rows = [SeatRow(seat=s, handler=handlers[s.post_id]) for s in seats]
    return BodyPage(
        body=body,
        grounds=list(body.grounds.order_by("id")),
        head=[r for r in rows if r.seat.role == Seat.Role.HEAD],
        deputies=[r for r in rows if r.seat.role == Seat.Role.DEPUTY_HEAD],
        members=[r for r in rows if r.seat.role == Seat.Role.MEMBER],
        merged_bodies=list(body.merged_bodies.order_by("name")),
        applications=list(
            visible_applications(user, day)
            .filter(Q(body=body) | Q(merge_into=body))
            .select_related("applicant_unit", "merge_into", "body")
            .order_by("-created_at", "-id")[:50]
        ),
        adjustments=list(body.adjustments.select_related("post", "by").order_by("-on", "-id")[:50]),
        review_entries=list(body.review_entries.select_related("round").order_by("-round__opened_on", "-id")[:20]),
        targets=list(body.annual_targets.order_by("-year")[:20]),
        responsible_post=leader_post_for_unit(body.host_unit, day),
    )


# --- applications ---------------------------------------------------------------------------------------------


def sees_all_applications(user, day: dt.date | None = None) -> bool:
    return permissions.can_manage(user) or is_district_leader(user) or permissions.handles_head(user, day)


def visible_applications(user, day: dt.date | None = None) -> QuerySet[Application]:
    """The applications `user` may see (the same answer as permissions.can_view_application, as a queryset)."""
    qs = Application.objects.all()
    if not permissions.can_view_register(user):
        return qs.none()
    if sees_all_applications(user, day):
        return qs
    return qs.filter(
        Q(applicant_unit_id__in=permissions.member_unit_ids(user, day))
        | Q(deputy_post_id__in=permissions.handled_post_ids(user, day))
        | Q(applicant=user)
    )


def waiting_for(user, day: dt.date | None = None) -> QuerySet[Application]:
    """Applications with a step waiting on `user` (the 待我处理 tab): exactly those of their open tasks in 我的待办 —
    to review (office, deputy, head) or to submit (the applicant unit)."""
    if not permissions.can_view_register(user):
        return Application.objects.none()
    day = day or timezone.localdate()
    tasks = Task.objects.open().filter(
        addressed_to(user, day), subject_type=ContentType.objects.get_for_model(Application)
    )
    return Application.objects.filter(pk__in=tasks.values("subject_id"))


def mine(user, day: dt.date | None = None) -> QuerySet[Application]:
    """Applications of the user's own units (or filed by them)."""
    if not permissions.can_view_register(user):
        return Application.objects.none()
    return Application.objects.filter(
        Q(applicant_unit_id__in=permissions.member_unit_ids(user, day)) | Q(applicant=user)
    )


APPLICATION_TABS = (
    ("todo", "待我处理"),
    ("mine", "本单位申请"),
    ("all", "全部申请"),
)


def application_tabs(user, day: dt.date) -> list[tuple[str, str, int]]:
    tabs = [("todo", "待我处理", waiting_for(user, day).count()), ("mine", "本单位申请", mine(user, day).count())]
    if sees_all_applications(user, day):
        tabs.append(("all", "全部申请", Application.objects.count()))
    return tabs


def applications_page(user, tab: str, page_number, day: dt.date, state: str = ""):
    qs = {"todo": waiting_for, "mine": mine}.get(tab, visible_applications)(user, day)
    if state in St.values:
        qs = qs.filter(state=state)
    qs = qs.select_related("applicant_unit", "applicant", "body", "merge_into", "deputy_post").order_by(
        "-created_at", "-id"
    )
    return Paginator(qs, APPLICATIONS_PAGE_SIZE).get_page(page_number)


def get_application(user, pk: int, day: dt.date | None = None) -> Application:
    """The application if `user` may see it; otherwise 404 whether or not it exists."""
    app = (
        Application.objects.select_related(
            "applicant_unit", "applicant", "body", "body__host_unit", "merge_into", "deputy_post", "review"
        )
        .filter(pk=pk)
        .first()
    )
    if app is None or not permissions.can_view_application(user, app):
        raise Http404("没有找到该申请。")
    return app


# --- what an application proposes, for people to read ------------------------------------------------------


@dataclass(frozen=True)
class ProposalLine:
    key: str
    label: str
    value: str
    old: str = ""
    changed: bool = False
    seats: tuple = ()  # (role label, post title, holder today) for seat lines


def _rank_label(value) -> str:
    return Rank(value).label if value in Rank.values else ""


def _describe(key: str, spec: dict, posts: dict, units: dict, handlers: dict) -> tuple[str, tuple]:
    value = spec.get(key)
    if key == "grounds":
        return "；".join(
            f"{Ground(g['ground']).label}（依据：{g['basis']}）"
            for g in value or ()
            if g.get("ground") in Ground.values
        ), ()
    if key in ("rank", "counterpart_rank"):
        return _rank_label(value), ()
    if key == "counterpart_level":
        return (CounterpartLevel(value).label if value in CounterpartLevel.values else ""), ()
    if key == "head_required_by_higher_level":
        return ("是" if value else "否"), ()
    if key == "host_unit":
        unit = units.get(value)
        return (unit.name if unit else ""), ()
    if key in SEAT_KEYS:
        ids = [value] if key == "head_post" else list(value or ())
        seats = tuple(
            (
                posts[pk].title,
                handlers[pk].person.display_name if pk in handlers and handlers[pk].person else "（空缺）",
                handlers[pk].capacity if pk in handlers and handlers[pk].is_acting else "",
            )
            for pk in ids
            if pk in posts
        )
        return "、".join(s[0] for s in seats), seats
    return str(value or ""), ()


def proposal_lines(application: Application, day: dt.date) -> list[ProposalLine]:
    """The proposal of a setup or adjust application as labelled lines (an adjustment shows old → new)."""
    if application.kind not in (Application.Kind.SETUP, Application.Kind.ADJUST):
        return []
    proposal = application.proposal or {}
    current = body_spec(application.body) if application.body_id and application.kind == "adjust" else {}
    if application.kind == Application.Kind.ADJUST and application.state == St.APPROVED:
        current = {}  # the body now shows the result; the old values are in the body's record
    post_ids: set[int] = set()
    unit_ids: set[int] = set()
    for spec in (proposal, current):
        if spec.get("head_post"):
            post_ids.add(spec["head_post"])
        post_ids.update(spec.get("deputy_head_posts") or ())
        post_ids.update(spec.get("member_posts") or ())
        if spec.get("host_unit"):
            unit_ids.add(spec["host_unit"])
    posts = Post.objects.select_related("unit").in_bulk(post_ids)
    units = Unit.objects.in_bulk(unit_ids)
    handlers = handlers_for_posts(posts.values(), day) if posts else {}
    lines = []
    for key in SPEC_KEYS:
        if key not in proposal:
            continue
        value, seats = _describe(key, proposal, posts, units, handlers)
        old = _describe(key, current, posts, units, handlers)[0] if current else ""
        lines.append(ProposalLine(key=key, label=LABELS[key], value=value, old=old, changed=bool(current), seats=seats))
    return lines


def abolish_ground_labels(application: Application) -> list[str]:
    return [
        AbolishGround(g).label
        for g in (application.proposal or {}).get("abolish_grounds", ())
        if g in AbolishGround.values
    ]

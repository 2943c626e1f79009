"""Reads of flow A: lists, the leaders' queue, the item page and the slip."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from urllib.parse import urlencode

from django.contrib.contenttypes.models import ContentType
from django.db.models import Case, CharField, Exists, IntegerField, OuterRef, Prefetch, Q, QuerySet, Value, When
from django.db.models.functions import Cast
from django.urls import reverse
from django.utils import timezone

from documents.shared.choices import URGENCY_RANK, Urgency
from documents.shared.models import NormativeChecklistItem
from documents.submissions.models import (
    OFFICE_STATES,
    ConsultationRequest,
    Instruction,
    LeaderAssignment,
    ProcessingSlip,
    Submission,
    SubmissionKind,
    SubmissionState,
)
from tiexi_gov.audit.models import Event
from tiexi_gov.audit.selectors import history_of
from tiexi_gov.deadlines.selectors import due_text
from tiexi_gov.http import to_id
from tiexi_gov.org.access import handlers_on
from tiexi_gov.org.models import Post, Unit
from tiexi_gov.org.roles import home_unit_id
from tiexi_gov.org.selectors import posts_held_by
from tiexi_gov.precompiled import Statement

from . import permissions
from .services import instruction_text as composed

S = SubmissionState


LIST_RELATED = ("unit", "current_slip", "drafted_by")


def visible_submissions(user, day: date | None = None) -> QuerySet[Submission]:
    """Every submission `user` may see (the SQL twin of permissions.can_view)."""
    return (
        Submission.objects.filter(permissions.visible_q(user, day or timezone.localdate()))
        .select_related(*LIST_RELATED)
        .order_by("-created_at", "-id")
    )


def get_visible_submission(user, pk: int, day: date | None = None) -> Submission | None:
    """One submission if visible, else None (the view answers 404, never 403)."""
    return visible_submissions(user, day).filter(pk=pk).first()


def leader_queue(user, day: date | None = None) -> QuerySet[LeaderAssignment]:
    """我的待办 for a leader: pending steps of the posts they handle on `day` (own or acting),
    most urgent first, then by due date."""
    day = day or timezone.localdate()
    posts = permissions.handled_post_ids(user, day)
    return (
        LeaderAssignment.objects.filter(state=LeaderAssignment.State.PENDING, post_id__in=posts)
        .select_related("submission", "submission__unit", "slip", "post")
        .order_by("urgency_rank", "due", "id")
    )


def office_queue(user, day: date | None = None) -> QuerySet[Submission]:
    """The office's work: received, registered, under review, awaiting routing, decided but not closed."""
    if not permissions.is_office_staff(user):
        return Submission.objects.none()
    return (
        visible_submissions(user, day)
        .filter(state__in=[S.SUBMITTED, S.REGISTERED, S.OFFICE_REVIEW, S.AWAITING_ROUTING, S.APPROVED, S.DISAPPROVED])
        .order_by("submitted_at", "id")
    )


def consultations_for_unit(user) -> QuerySet[ConsultationRequest]:
    """待会签: open opinion requests addressed to the user's unit, earliest due first."""
    if not home_unit_id(user):
        return ConsultationRequest.objects.none()
    return (
        ConsultationRequest.objects.filter(unit_id=home_unit_id(user), state=ConsultationRequest.State.OPEN)
        .select_related("submission", "submission__unit")
        .order_by("due", "id")
    )


def slip_detail(slip: ProcessingSlip) -> dict:
    """Everything the printed 公文处理单 shows, in the paper form's order."""
    sub = slip.submission
    instructions = list(
        Instruction.objects.filter(slip=slip).select_related("author", "post", "acting_for").order_by("at", "id")
    )
    return {
        "slip": slip,
        "submission": sub,
        "office_opinions": [i for i in instructions if i.step != Instruction.Step.LEADER],
        "leader_instructions": [i for i in instructions if i.step == Instruction.Step.LEADER],
        "consultations": list(sub.consultations.select_related("unit", "replied_by").order_by("id")),
        "history": history_of(sub),
    }


# A leader's every action starts with this statement: compiled once.
_REACHED = Statement(
    lambda pk, post_ids, user_id: (
        Submission.objects.select_related(*LIST_RELATED)
        .annotate(reached=permissions.reached_by_exists(post_ids, user_id))
        .filter(pk=pk)
        .order_by("pk")[:1]
    )
)


def submission_for_action(user, pk: int) -> Submission | None:
    """The submission an action is posted on, if `user` may see it: one query, none of the page's lists.

    A district leader acts on what was routed to a post they handle, and that alone makes an item visible
    (`_leader_reached`): their query asks only that, and the whole visibility twin — which costs more to build
    than an approval's other queries (issue 14.3) — is built only when it does not hold."""
    day = timezone.localdate()
    handlers = handlers_on(user, day)
    if any(h.post.kind in Post.LEADER_KINDS for h in handlers):
        reached = _REACHED.first(pk, sorted(permissions.handled_post_ids(user, day)), user.pk)
        if reached is None or reached.reached:
            return reached
    return visible_submissions(user, day).filter(pk=pk).first()


def submission_detail(user, pk: int) -> Submission | None:
    """A visible submission with what its page needs prefetched."""
    return (
        visible_submissions(user)
        .filter(pk=pk)
        .prefetch_related(
            "attachments",
            Prefetch("checklist", queryset=NormativeChecklistItem.objects.select_related("evidence_attachment")),
            Prefetch("consultations", queryset=ConsultationRequest.objects.select_related("unit", "replied_by")),
            Prefetch("instructions", queryset=Instruction.objects.select_related("author", "post", "acting_for")),
            Prefetch("assignments", queryset=LeaderAssignment.objects.select_related("post", "handled_by")),
            "disagreement_statements__countersigns",
            "touched_units",
        )
        .first()
    )


TAB_TODO, TAB_DONE, TAB_CLOSED = "todo", "done", "closed"


TABS = ((TAB_TODO, "待办"), (TAB_DONE, "已办"), (TAB_CLOSED, "办结"))


SORTS = (("urgent", "最紧急在前"), ("new", "最新在前"))


UNIT_EDIT_STATES = (S.DRAFTING, S.CONSULTING, S.SIGNED, S.RETURNED)


OFFICE_TODO_STATES = (S.SUBMITTED, S.REGISTERED, S.OFFICE_REVIEW, S.AWAITING_ROUTING, S.APPROVED, S.DISAPPROVED)


def urgency_rank_expr():
    """SQL twin of models.URGENCY_RANK, to sort lists most urgent first."""

    return Case(
        *[When(urgency=str(u), then=Value(rank)) for u, rank in URGENCY_RANK.items()],
        default=Value(9),
        output_field=IntegerField(),
    )


def todo_q(user, day: date):
    """What waits for `user` now (待办), as one Q: the unit's drafts and returns for its staff, signatures
    for its signers, open opinion requests for a consulted unit, the office's steps, a leader's pending steps."""

    q = Q(pk__in=[])
    unit_id = home_unit_id(user)
    if unit_id:
        q |= Q(unit_id=unit_id, state__in=UNIT_EDIT_STATES)
        q |= Exists(
            ConsultationRequest.objects.filter(
                submission=OuterRef("pk"), unit_id=unit_id, state=ConsultationRequest.State.OPEN
            )
        )
        signs = any(
            p.unit_id == unit_id and (p.kind == Post.Kind.UNIT_HEAD or (p.kind == Post.Kind.UNIT_DEPUTY and p.may_sign))
            for p in posts_held_by(user, day)
        )
        if signs:
            q |= Q(unit_id=unit_id, state=S.AWAITING_SIGNATURE)
    if permissions.is_office_staff(user):
        kinds = {h.post.kind for h in _handlers(user, day)}
        if Post.Kind.OFFICE_DEPUTY_DIRECTOR in kinds:
            q |= Q(state=S.REGISTERED)
        if Post.Kind.OFFICE_DIRECTOR in kinds:
            q |= Q(state=S.OFFICE_REVIEW)
        if not kinds & {Post.Kind.OFFICE_DEPUTY_DIRECTOR, Post.Kind.OFFICE_DIRECTOR}:
            q |= Q(state__in=OFFICE_TODO_STATES)
    posts = permissions.handled_post_ids(user, day)
    if posts:
        q |= Exists(
            LeaderAssignment.objects.filter(
                submission=OuterRef("pk"), post_id__in=posts, state=LeaderAssignment.State.PENDING
            )
        )
    return q


def _handlers(user, day: date):
    return permissions.handlers_on(user, day)


@dataclass
class ListFilters:
    tab: str = TAB_TODO
    q: str = ""
    state: str = ""
    urgency: str = ""
    unit_id: int | None = None
    sort: str = "urgent"

    def query(self, **changes) -> str:
        """The query string of these filters (for tabs and pagination links)."""

        data = {"tab": self.tab, "q": self.q, "state": self.state, "urgency": self.urgency, "sort": self.sort}
        data["unit"] = self.unit_id or ""
        data.update(changes)
        return urlencode({k: v for k, v in data.items() if v not in ("", None)})


def list_filters(params) -> ListFilters:
    """Parse ?tab=&q=&state=&urgency=&unit=&sort=; unknown values are ignored, never an error page."""

    tab = params.get("tab") or TAB_TODO
    state = params.get("state") or ""
    urgency = params.get("urgency") or ""
    sort = params.get("sort") or "urgent"
    return ListFilters(
        tab=tab if tab in dict(TABS) else TAB_TODO,
        q=(params.get("q") or "").strip()[:100],
        state=state if state in S.values else "",
        urgency=urgency if urgency in Urgency.values else "",
        unit_id=to_id(params.get("unit")),
        sort=sort if sort in dict(SORTS) else "urgent",
    )


def document_list(user, filters: ListFilters, day: date | None = None) -> QuerySet[Submission]:
    """One tab of 公文办理 with search and filters; rows carry unit, slip and drafter (constant queries)."""

    day = day or timezone.localdate()
    qs = visible_submissions(user, day)
    todo = todo_q(user, day)
    if filters.tab == TAB_TODO:
        qs = qs.filter(todo)
    elif filters.tab == TAB_CLOSED:
        qs = qs.filter(state=S.CLOSED)
    else:
        ct = ContentType.objects.get_for_model(Submission)
        acted = Exists(Event.objects.filter(subject_type=ct, subject_id=Cast(OuterRef("pk"), CharField()), actor=user))
        qs = qs.filter(acted).exclude(todo).exclude(state=S.CLOSED)
    if filters.q:
        term = filters.q
        qs = qs.filter(
            Q(title__icontains=term)
            | Q(current_slip__number__icontains=term)
            | Q(unit_doc_number__icontains=term)
            | Q(unit__name__icontains=term)
            | Q(unit__short_name__icontains=term)
        )
    if filters.state:
        qs = qs.filter(state=filters.state)
    if filters.urgency:
        qs = qs.filter(urgency=filters.urgency)
    if filters.unit_id:
        qs = qs.filter(unit_id=filters.unit_id)
    qs = qs.annotate(urgency_order=urgency_rank_expr())
    if filters.sort == "new":
        return qs.order_by("-created_at", "-id")
    return qs.order_by("urgency_order", "-created_at", "-id")


def page_rows(page: QuerySet[Submission]) -> QuerySet[Submission]:
    """One page of `document_list`, joined only for its rows (issue 14.2).

    The list's filter and sort run over narrow submission rows in a subquery that keeps its order and slice; unit,
    slip and drafter are then joined for the page's twenty rows instead of every matching row before the sort: at
    100 times the demo rows the office's list ran 3.4 ms in PostgreSQL as one query and 1.3 ms this way. Still one
    query, so the page's count of queries does not change."""

    return (
        Submission.objects.filter(pk__in=page.values("pk"))
        .select_related(*LIST_RELATED)
        .annotate(urgency_order=urgency_rank_expr())
        .order_by(*page.query.order_by)
    )


def filter_units():
    """Units that submit documents, for the list's unit filter."""

    return (
        Unit.objects.filter(active=True)
        .exclude(kind__in=[Unit.Kind.GOVERNMENT, Unit.Kind.EXTERNAL])
        .order_by("kind", "name")
    )


# The approval clock has stopped: decided, or returned to the unit (its DOC-13 clocks close with the return; a
# resubmission opens new ones).
DECIDED_STATES = (S.APPROVED, S.DISAPPROVED, S.RETURNED, S.CLOSED)


# The slip's approval limit runs from registration until the leaders decide (DOC-13). A returned item keeps its old
# slip while the unit redrafts and resubmits; the old limit, closed at the return, is not its deadline any more.
SLIP_CLOCK_STATES = (
    SubmissionState.REGISTERED,
    SubmissionState.OFFICE_REVIEW,
    SubmissionState.AWAITING_ROUTING,
    SubmissionState.LEADER_REVIEW,
)


def row_due(sub: Submission, today: date) -> tuple[str, str, date | None]:
    """The due date a list shows: the approval limit once registered (DOC-13), else the decision date; nothing once
    the leaders have decided (the clock stopped: "剩 10 个工作日" on an approved item would say it still runs)."""

    if sub.state in DECIDED_STATES:
        return "", "", None
    slip_runs = sub.current_slip_id and sub.state in SLIP_CLOCK_STATES
    due = sub.current_slip.approval_due if slip_runs else sub.decision_needed_by
    if due is None:
        return "", "", None
    text, tone = due_text(due, today)
    return text, tone, due


def pending_assignment(user, submission: Submission, day: date | None = None) -> LeaderAssignment | None:
    """The leader step of `submission` waiting for `user` today (own post or acting), if any."""
    posts = permissions.handled_post_ids(user, day or timezone.localdate())
    return (
        LeaderAssignment.objects.filter(submission=submission, state=LeaderAssignment.State.PENDING, post_id__in=posts)
        .select_related("post")
        .order_by("batch", "order", "id")
        .first()
    )


def queue_capacities(user, day: date) -> dict[int, str]:
    """post id → "代副区长赵国庆" for the posts a leader handles through an acting arrangement (shown on queue rows)."""
    return {h.post.pk: h.badge for h in _handlers(user, day) if h.is_acting}


def leader_posts():

    return Post.objects.filter(kind__in=Post.LEADER_KINDS).select_related("unit").order_by("kind", "order", "id")


def instruction_text(instruction) -> str:
    """A leader's instruction as the slip prints it: the decision, unless the opinion already says it (the same
    text the services put in the notification)."""

    return composed(instruction)


# --- for other areas (meetings, supervision): they read submissions only through these -------------------------


def requests_for_meetings(units, *, exclude_ids=None) -> QuerySet[Submission]:
    """MTG-5: the units' formal requests marked 提请区政府会议研究 that reached the office; `exclude_ids` a query of
    submission ids already on a live topic."""
    qs = Submission.objects.filter(
        unit__in=units,
        kind=SubmissionKind.REQUEST,
        for_meeting=True,
        submitted_on__isnull=False,
        state__in=OFFICE_STATES,
    )
    if exclude_ids is not None:
        qs = qs.exclude(pk__in=exclude_ids)
    return qs.select_related("unit").order_by("-submitted_on", "-id")


def visible_leader_instruction(user, pk: int) -> Instruction | None:
    """A leader's instruction on a processing slip (SUP-1 source), if `user` may see its submission; else None."""
    instruction = (
        Instruction.objects.select_related("submission__unit", "slip", "post", "author")
        .filter(pk=pk, step=Instruction.Step.LEADER)
        .first()
    )
    if instruction is None or not permissions.can_view(user, instruction.submission):
        return None
    return instruction


def instruction_link(obj) -> dict | None:
    """How another area names and links a leader's instruction it was raised from; None for anything else."""
    if not isinstance(obj, Instruction):
        return None
    url = reverse("documents:detail", args=[obj.submission_id])
    return {"text": f"{obj.post.title}批示（{timezone.localdate(obj.at):%Y-%m-%d}）", "url": url}


def is_instruction(obj) -> bool:
    return isinstance(obj, Instruction)

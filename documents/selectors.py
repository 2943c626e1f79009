"""Reads of flow A, each with its own joins and the permission filter (X-2); constant query counts."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from django.db.models import Prefetch, QuerySet
from django.utils import timezone

from tiexi_gov.audit.selectors import history_of

from . import permissions
from .models import (
    ConsultationRequest,
    Instruction,
    LeaderAssignment,
    NormativeChecklistItem,
    ProcessingSlip,
    Submission,
    SubmissionState,
)

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
    if not getattr(user, "unit_id", None):
        return ConsultationRequest.objects.none()
    return (
        ConsultationRequest.objects.filter(unit_id=user.unit_id, state=ConsultationRequest.State.OPEN)
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


# --- pages (lists, item page, queue) -------------------------------------------------------------------

TAB_TODO, TAB_DONE, TAB_CLOSED = "todo", "done", "closed"
TABS = ((TAB_TODO, "待办"), (TAB_DONE, "已办"), (TAB_CLOSED, "办结"))
SORTS = (("urgent", "最紧急在前"), ("new", "最新在前"))
UNIT_EDIT_STATES = (S.DRAFTING, S.CONSULTING, S.SIGNED, S.RETURNED)
OFFICE_TODO_STATES = (S.SUBMITTED, S.REGISTERED, S.OFFICE_REVIEW, S.AWAITING_ROUTING, S.APPROVED, S.DISAPPROVED)


def urgency_rank_expr():
    """SQL twin of models.URGENCY_RANK, to sort lists most urgent first."""
    from django.db.models import Case, IntegerField, Value, When

    from .models import URGENCY_RANK

    return Case(
        *[When(urgency=str(u), then=Value(rank)) for u, rank in URGENCY_RANK.items()],
        default=Value(9),
        output_field=IntegerField(),
    )


def todo_q(user, day: date):
    """What waits for `user` now (待办), as one Q: the unit's drafts and returns for its staff, signatures
    for its signers, open opinion requests for a consulted unit, the office's steps, a leader's pending steps."""
    from django.db.models import Exists, OuterRef, Q

    from tiexi_gov.org.models import Post

    q = Q(pk__in=[])
    unit_id = getattr(user, "unit_id", None)
    if unit_id:
        q |= Q(unit_id=unit_id, state__in=UNIT_EDIT_STATES)
        q |= Exists(
            ConsultationRequest.objects.filter(
                submission=OuterRef("pk"), unit_id=unit_id, state=ConsultationRequest.State.OPEN
            )
        )
        from tiexi_gov.org.selectors import posts_held_by

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
        from urllib.parse import urlencode

        data = {"tab": self.tab, "q": self.q, "state": self.state, "urgency": self.urgency, "sort": self.sort}
        data["unit"] = self.unit_id or ""
        data.update(changes)
        return urlencode({k: v for k, v in data.items() if v not in ("", None)})


def list_filters(params) -> ListFilters:
    """Parse ?tab=&q=&state=&urgency=&unit=&sort=; unknown values are ignored, never an error page."""
    from .models import Urgency

    tab = params.get("tab") or TAB_TODO
    state = params.get("state") or ""
    urgency = params.get("urgency") or ""
    unit = (params.get("unit") or "").strip()
    sort = params.get("sort") or "urgent"
    return ListFilters(
        tab=tab if tab in dict(TABS) else TAB_TODO,
        q=(params.get("q") or "").strip()[:100],
        state=state if state in S.values else "",
        urgency=urgency if urgency in Urgency.values else "",
        unit_id=int(unit) if unit.isdigit() else None,
        sort=sort if sort in dict(SORTS) else "urgent",
    )


def document_list(user, filters: ListFilters, day: date | None = None) -> QuerySet[Submission]:
    """One tab of 公文办理 with search and filters; rows carry unit, slip and drafter (constant queries)."""
    from django.contrib.contenttypes.models import ContentType
    from django.db.models import CharField, Exists, OuterRef, Q
    from django.db.models.functions import Cast

    from tiexi_gov.audit.models import Event

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


def filter_units():
    """Units that submit documents, for the list's unit filter."""
    from tiexi_gov.org.models import Unit

    return (
        Unit.objects.filter(active=True)
        .exclude(kind__in=[Unit.Kind.GOVERNMENT, Unit.Kind.EXTERNAL])
        .order_by("kind", "name")
    )


def row_due(sub: Submission, today: date) -> tuple[str, str, date | None]:
    """The due date a list shows: the approval limit once registered (DOC-13), else the decision date."""
    from tiexi_gov.deadlines.selectors import due_text

    if sub.state == S.CLOSED:
        return "", "", None
    due = sub.current_slip.approval_due if sub.current_slip_id else sub.decision_needed_by
    if due is None:
        return "", "", None
    text, tone = due_text(due, today)
    return text, tone, due


def as_seen(submission, seen_state: str):
    """The item (a Submission or an OutgoingDocument) as the user's page showed it: services compare that state
    with the locked row and answer "已由XX处理" when someone else moved it in between (a stale page or a
    simultaneous click)."""
    model = type(submission)
    values_allowed = {value for value, _label in model._meta.get_field("state").choices}
    if not seen_state or seen_state == submission.state or seen_state not in values_allowed:
        return submission
    values = {f.attname: getattr(submission, f.attname) for f in model._meta.concrete_fields if f.name != "state"}
    seen = model(state=seen_state, **values)
    seen._state.adding = False
    seen._state.db = submission._state.db
    return seen


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
    """post id → "代…" for the posts a leader handles through an acting arrangement (shown on queue rows)."""
    return {h.post.pk: h.capacity for h in _handlers(user, day) if h.is_acting}


def leader_posts():
    from tiexi_gov.org.models import Post

    return Post.objects.filter(kind__in=Post.LEADER_KINDS).select_related("unit").order_by("kind", "order", "id")


def instruction_text(instruction) -> str:
    """A leader's instruction as the slip prints it: the decision, unless the opinion already says it (the same
    text the services put in the notification)."""
    from .services import instruction_text as composed

    return composed(instruction)


# =====================================================================================================
# Flow B — 发文: the list, the item page, the leaders' review and signature queue
# =====================================================================================================

OUTGOING_CLOSED_STATES = ("issued", "sent_to_party", "withdrawn")


@dataclass
class OutgoingFilters:
    tab: str = TAB_TODO
    q: str = ""
    state: str = ""
    issuer: str = ""
    kind: str = ""

    def query(self, **changes) -> str:
        from urllib.parse import urlencode

        data = {"tab": self.tab, "q": self.q, "state": self.state, "issuer": self.issuer, "kind": self.kind}
        data.update(changes)
        return urlencode({k: v for k, v in data.items() if v not in ("", None)})


def outgoing_filters(params) -> OutgoingFilters:
    """Parse ?tab=&q=&state=&issuer=&kind=; unknown values are ignored, never an error page."""
    from .models import Issuer, OutgoingKind, OutgoingState

    tab = params.get("tab") or TAB_TODO
    state, issuer, kind = params.get("state") or "", params.get("issuer") or "", params.get("kind") or ""
    return OutgoingFilters(
        tab=tab if tab in dict(TABS) else TAB_TODO,
        q=(params.get("q") or "").strip()[:100],
        state=state if state in OutgoingState.values else "",
        issuer=issuer if issuer in Issuer.values else "",
        kind=kind if kind in OutgoingKind.values else "",
    )


def outgoing_todo_q(user, day: date):
    """What waits for `user` on 发文 now (待办), as one Q: the drafting unit's drafts and returns, a unit's 会签,
    the office's 核稿 / issue / one-off checks, 司法局's legality reviews, a deputy's reviews, a signer's signatures."""
    from django.db.models import Exists, OuterRef, Q

    from tiexi_gov.org.models import Post

    from .models import DeputyReview, OneOffApproval, OutgoingCountersign, OutgoingDocument, OutgoingState

    OS = OutgoingState
    q = Q(pk__in=[])
    unit_id = getattr(user, "unit_id", None)
    if unit_id:
        q |= Q(drafting_unit_id=unit_id, state__in=[OS.DRAFTING, OS.RETURNED])
        heads = any(
            p.unit_id == unit_id and (p.kind == Post.Kind.UNIT_HEAD or (p.kind == Post.Kind.UNIT_DEPUTY and p.may_sign))
            for h in _handlers(user, day)
            for p in [h.post]
        )
        if heads:
            listed = Exists(
                OutgoingDocument.countersign_units.through.objects.filter(outgoingdocument=OuterRef("pk"), unit=unit_id)
            )
            signed = Exists(OutgoingCountersign.objects.filter(document=OuterRef("pk"), unit_id=unit_id))
            q |= Q(listed, state__in=[OS.DRAFTING, OS.OFFICE_CHECK]) & ~Q(signed)
    if permissions.is_office_staff(user):
        q |= Q(state=OS.OFFICE_CHECK) | Q(state=OS.SIGNED)
        q |= Exists(OneOffApproval.objects.filter(document=OuterRef("pk"), state=OneOffApproval.State.PENDING))
    if permissions.is_justice_staff(user):
        q |= Q(state=OS.LEGALITY_REVIEW, normative=True)
    posts = permissions.handled_post_ids(user, day)
    if posts:
        q |= Exists(
            DeputyReview.objects.filter(document=OuterRef("pk"), post_id__in=posts, state=DeputyReview.State.PENDING)
        )
    q |= permissions.signature_q(user, day)
    return q


def outgoing_list(user, filters: OutgoingFilters, day: date | None = None):
    """One tab of 发文 with search (title, 发文字号) and filters; newest first; rows carry unit and people."""
    from django.contrib.contenttypes.models import ContentType
    from django.db.models import CharField, Exists, OuterRef, Q
    from django.db.models.functions import Cast

    from tiexi_gov.audit.models import Event

    from .models import OutgoingDocument

    day = day or timezone.localdate()
    qs = permissions.visible_outgoing(user, day)
    todo = outgoing_todo_q(user, day)
    if filters.tab == TAB_TODO:
        qs = qs.filter(todo)
    elif filters.tab == TAB_CLOSED:
        qs = qs.filter(state__in=OUTGOING_CLOSED_STATES)
    else:
        ct = ContentType.objects.get_for_model(OutgoingDocument)
        acted = Exists(Event.objects.filter(subject_type=ct, subject_id=Cast(OuterRef("pk"), CharField()), actor=user))
        qs = qs.filter(acted).exclude(todo).exclude(state__in=OUTGOING_CLOSED_STATES)
    if filters.q:
        qs = qs.filter(Q(title__icontains=filters.q) | Q(number__icontains=filters.q))
    if filters.state:
        qs = qs.filter(state=filters.state)
    if filters.issuer:
        qs = qs.filter(issuer=filters.issuer)
    if filters.kind:
        qs = qs.filter(kind=filters.kind)
    return qs.order_by("-updated_at", "-id")


def outgoing_detail(user, pk: int):
    """A visible outgoing document with what its item page needs (each list fetched once)."""
    from .models import (
        DeputyReview,
        LegalityReview,
        NormativeChecklistItem,
        OneOffApproval,
        OutgoingCountersign,
    )

    return (
        permissions.visible_outgoing(user)
        .filter(pk=pk)
        .select_related(
            "plan_item__plan__unit", "approved_submission", "checked_by", "signed_post", "filed_by", "interpretation"
        )
        .prefetch_related(
            "attachments",
            "countersign_units",
            Prefetch("countersigns", queryset=OutgoingCountersign.objects.select_related("unit", "signed_by", "post")),
            Prefetch("deputy_reviews", queryset=DeputyReview.objects.select_related("post", "reviewed_by")),
            Prefetch("checklist", queryset=NormativeChecklistItem.objects.select_related("evidence_file")),
            Prefetch("legality_reviews", queryset=LegalityReview.objects.select_related("reviewer", "reviewer_post")),
            Prefetch("one_off_approvals", queryset=OneOffApproval.objects.select_related("requested_by", "decided_by")),
        )
        .first()
    )


def pending_reviews_queue(user, day: date | None = None):
    """DOC-14: the deputies' pending reviews (分管领导审核) for the posts `user` handles on `day` (own or acting)."""
    from .models import DeputyReview, OutgoingState

    day = day or timezone.localdate()
    posts = permissions.handled_post_ids(user, day)
    return (
        DeputyReview.objects.filter(
            state=DeputyReview.State.PENDING, post_id__in=posts, document__state=OutgoingState.DEPUTY_REVIEW
        )
        .select_related("document", "document__drafting_unit", "post")
        .order_by("document__submitted_at", "id")
    )


def signatures_queue(user, day: date | None = None):
    """DOC-14: documents awaiting `user`'s signature (签发) on `day`, oldest first."""
    from .models import OutgoingDocument

    return (
        OutgoingDocument.objects.filter(permissions.signature_q(user, day))
        .select_related("drafting_unit")
        .order_by("updated_at", "id")
    )


def plan_overview(year: int):
    """DOC-15: the government's and the office's plans of `year` with their items (two queries)."""
    from .models import DocumentPlan, PlanItem

    return list(
        DocumentPlan.objects.filter(year=year, unit__isnull=True)
        .order_by("issuer")
        .prefetch_related(Prefetch("items", queryset=PlanItem.objects.select_related("drafting_unit")))
    )


def named_readers(obj) -> list:
    """X-2: the named readers of a confidential submission or outgoing document, by unit then name (one query)."""
    from tiexi_gov.org.models import User

    from .models import OutgoingDocument, OutgoingDocumentUserObjectPermission, SubmissionUserObjectPermission

    if isinstance(obj, OutgoingDocument):
        grants = OutgoingDocumentUserObjectPermission.objects.filter(
            content_object=obj, permission__codename=permissions.OUTGOING_READ_PERM
        )
    else:
        grants = SubmissionUserObjectPermission.objects.filter(
            content_object=obj, permission__codename=permissions.READ_PERM
        )
    return list(
        User.objects.filter(pk__in=grants.values("user_id")).select_related("unit").order_by("unit__code", "username")
    )


def unit_plan(unit, year: int):
    """DOC-15: a department's own plan of `year` with its items (two queries), or None."""
    from .models import DocumentPlan, Issuer, PlanItem

    return (
        DocumentPlan.objects.filter(issuer=Issuer.DEPARTMENT, unit=unit, year=year)
        .select_related("unit")
        .prefetch_related(Prefetch("items", queryset=PlanItem.objects.order_by("planned_month", "id")))
        .first()
    )


def unit_plans_of_year(year: int):
    """DOC-15: the departments' plans of `year`, for the office's overview (one query)."""
    from django.db.models import Count

    from .models import DocumentPlan

    return list(
        DocumentPlan.objects.filter(year=year, unit__isnull=False)
        .select_related("unit")
        .annotate(item_count=Count("items"))
        .order_by("unit__code")
    )

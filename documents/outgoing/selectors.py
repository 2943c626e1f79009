"""Reads of flow B: lists, the item page, the plans."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from urllib.parse import urlencode

from django.contrib.contenttypes.models import ContentType
from django.db.models import CharField, Count, Exists, OuterRef, Prefetch, Q
from django.db.models.functions import Cast
from django.utils import timezone

from documents.outgoing.models import (
    DeputyReview,
    DocumentPlan,
    Issuer,
    LegalityReview,
    OneOffApproval,
    OutgoingCountersign,
    OutgoingDocument,
    OutgoingKind,
    OutgoingState,
    PlanItem,
)
from documents.shared.models import NormativeChecklistItem
from documents.submissions.selectors import TAB_CLOSED, TAB_TODO, TABS, _handlers
from tiexi_gov.audit.models import Event
from tiexi_gov.deadlines import rules
from tiexi_gov.deadlines.models import Deadline
from tiexi_gov.deadlines.selectors import due_text
from tiexi_gov.org.models import Post
from tiexi_gov.org.roles import home_unit_id

from . import permissions

OUTGOING_CLOSED_STATES = ("issued", "sent_to_party", "withdrawn")


@dataclass
class OutgoingFilters:
    tab: str = TAB_TODO
    q: str = ""
    state: str = ""
    issuer: str = ""
    kind: str = ""

    def query(self, **changes) -> str:

        data = {"tab": self.tab, "q": self.q, "state": self.state, "issuer": self.issuer, "kind": self.kind}
        data.update(changes)
        return urlencode({k: v for k, v in data.items() if v not in ("", None)})


def outgoing_filters(params) -> OutgoingFilters:
    """Parse ?tab=&q=&state=&issuer=&kind=; unknown values are ignored, never an error page."""

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

    OS = OutgoingState
    q = Q(pk__in=[])
    unit_id = home_unit_id(user)
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

    return (
        OutgoingDocument.objects.filter(permissions.signature_q(user, day))
        .select_related("drafting_unit")
        .order_by("updated_at", "id")
    )


def plan_overview(year: int):
    """DOC-15: the government's and the office's plans of `year` with their items (two queries)."""

    return list(
        DocumentPlan.objects.filter(year=year, unit__isnull=True)
        .order_by("issuer")
        .prefetch_related(Prefetch("items", queryset=PlanItem.objects.select_related("drafting_unit")))
    )


def unit_plan(unit, year: int):
    """DOC-15: a department's own plan of `year` with its items (two queries), or None."""

    return (
        DocumentPlan.objects.filter(issuer=Issuer.DEPARTMENT, unit=unit, year=year)
        .select_related("unit")
        .prefetch_related(Prefetch("items", queryset=PlanItem.objects.order_by("planned_month", "id")))
        .first()
    )


def unit_plans_of_year(year: int):
    """DOC-15: the departments' plans of `year`, for the office's overview (one query)."""

    return list(
        DocumentPlan.objects.filter(year=year, unit__isnull=False)
        .select_related("unit")
        .annotate(item_count=Count("items"))
        .order_by("unit__code")
    )


def running_clocks(document) -> list:
    """The clocks still running on `document` (MTG-10's 7 WD to issue, a legality review's limit …), soonest
    first, each with its words counted from today as 我的待办 counts them (X-3)."""
    ct = ContentType.objects.get_for_model(OutgoingDocument)
    today = timezone.localdate()
    clocks = list(Deadline.objects.running().filter(subject_type=ct, subject_id=str(document.pk)).order_by("due", "id"))
    for clock in clocks:
        clock.remaining, clock.tone = due_text(clock.due, today)
        clock.rule = rules.describe(clock.rule_id)
    return clocks


def clocks_of(document_ids, rule_id: str) -> dict[int, object]:
    """document id → its clock under `rule_id` (e.g. MTG-10's 7 WD to issue), for another area's page (one query)."""

    ids = [str(i) for i in document_ids if i]
    if not ids:
        return {}
    ct = ContentType.objects.get_for_model(OutgoingDocument)
    rows = Deadline.objects.filter(subject_type=ct, subject_id__in=ids, rule_id=rule_id).order_by("created_at")
    return {int(d.subject_id): d for d in rows}

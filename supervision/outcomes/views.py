"""The outcomes of supervision (SUP-4, 第五十条): the office proposes praise / incentive / criticism /
accountability, a district leader decides; an approved outcome stays on the unit's record (SUP-6).

Views only parse input, ask `permissions`, call one service and report its message.
"""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.http import Http404
from django.shortcuts import redirect, render
from django.utils import timezone
from django.views.decorators.http import require_POST

from supervision.ledger import permissions as ledger_permissions
from supervision.ledger.models import SupervisionItem
from supervision.shared.errors import SupervisionError
from supervision.shared.views import page_links
from tiexi_gov.audit.models import Event
from tiexi_gov.audit.templatetags.audit_tags import capacity_text
from tiexi_gov.org.selectors import who_handles

from . import forms, permissions, selectors, services
from .models import Outcome

PAGE_SIZE = 20


# =====================================================================================================

OUTCOME_RULES = [
    ("SUP-4", "依据督查结论，办公室提出表扬、激励、批评、追责建议，报区政府领导审批"),
    ("SUP-6", "批准的结果运用计入单位年度绩效考核"),
]


@login_required
def outcomes(request):
    """结果运用: what waits for me first, then the newest; the office and the district leaders see all."""
    state = request.GET.get("state", "")
    state = state if state in Outcome.State.values else ""
    kind = request.GET.get("kind", "")
    kind = kind if kind in Outcome.OutcomeKind.values else ""
    qs = selectors.outcome_list(request.user, state=state, kind=kind)
    page = Paginator(qs, PAGE_SIZE).get_page(request.GET.get("page"))
    return render(
        request,
        "supervision/outcomes.html",
        {
            "page": page,
            "outcomes": page.object_list,
            "links": page_links(request, page),
            "states": Outcome.State.choices,
            "kinds": Outcome.OutcomeKind.choices,
            "state": state,
            "kind": kind,
            "rules": OUTCOME_RULES,
        },
    )


@login_required
def outcome_new(request, pk: int):
    """The office proposes an outcome from an item's conclusion (verified, or overdue)."""
    if not ledger_permissions.can_manage(request.user):
        raise Http404
    item = ledger_permissions.get_item_or_404(
        request.user, pk, qs=SupervisionItem.objects.select_related("lead_unit", "leader_post")
    )
    allowed = services.outcome_allowed(item, timezone.localdate())
    form = forms.OutcomeForm(request.POST or None, item=item)
    if request.method == "POST" and form.is_valid():
        d = form.cleaned_data
        try:
            outcome = services.propose_outcome(
                actor=request.user,
                item=item,
                kind=d["kind"],
                grounds=d["grounds"],
                unit=d["unit"],
                approver_post=d["approver_post"],
            )
        except SupervisionError as exc:
            messages.error(request, exc.message)
        else:
            messages.success(request, f"已提出{outcome.get_kind_display()}建议，报{outcome.approver_post.title}审批。")
            return redirect("supervision:outcome", pk=outcome.pk)
    return render(
        request,
        "supervision/outcome_form.html",
        {"item": item, "form": forms.styled(form), "allowed": allowed, "rules": OUTCOME_RULES},
    )


def _decided_as(outcome: Outcome) -> str:
    """In whose stead the decision was made, as the record says it (代副区长张海燕): a deputy acting for the absent
    approver signs as himself, and the page named only him beside the approver's title."""
    if not outcome.decided_on:
        return ""
    event = Event.objects.for_object(outcome).filter(action="decided").select_related("acting_for")
    event = event.order_by("-at", "-id").first()
    capacity = capacity_text(event) if event else ""
    return capacity if capacity.startswith(("代", "受")) else ""


def _outcome_page(request, outcome: Outcome, *, form=None, status: int = 200):
    may_decide = outcome.state == Outcome.State.PROPOSED and permissions.can_decide_outcome(request.user, outcome)
    if may_decide and form is None:
        form = forms.OutcomeDecideForm()
    return render(
        request,
        "supervision/outcome.html",
        {
            "outcome": outcome,
            "item": outcome.item,
            "form": forms.styled(form) if may_decide else None,
            "may_see_item": ledger_permissions.can_view(request.user, outcome.item),
            "rules": OUTCOME_RULES,
            "decided_as": _decided_as(outcome),
        },
        status=status,
    )


@login_required
def outcome(request, pk: int):
    outcome = selectors.outcome_page(request.user, pk)
    return _outcome_page(request, outcome)


def _approver_words(outcome) -> str:
    """The approver by post and name ("副区长 王某"): every deputy's post is titled 副区长, so the title alone told
    another deputy that he, a 副区长, may not approve what a 副区长 approves."""
    handler = who_handles(outcome.approver_post, timezone.localdate())
    name = handler.person.display_name if handler.person else ""
    return f"{outcome.approver_post.title}{name}" if name else outcome.approver_post.title


@login_required
@require_POST
def outcome_decide(request, pk: int):
    """The approver post's handler approves or rejects (a rejection needs its reason; both need the tick)."""
    outcome = selectors.outcome_page(request.user, pk)
    if not permissions.can_decide_outcome(request.user, outcome):
        messages.error(request, f"该建议须由{_approver_words(outcome)}审批，您无权审批。")
        return redirect("supervision:outcome", pk=outcome.pk)
    form = forms.OutcomeDecideForm(request.POST)
    if not form.is_valid():
        return _outcome_page(request, outcome, form=form)
    try:
        done = services.decide_outcome(
            actor=request.user, outcome=outcome, approve=form.approve, opinion=form.cleaned_data["opinion"]
        )
    except SupervisionError as exc:
        messages.error(request, exc.message)
    else:
        messages.success(request, f"{done.get_state_display()}：{done.get_kind_display()}{done.unit.display_name}。")
    return redirect("supervision:outcome", pk=outcome.pk)

"""Upkeep of the bodies: leader changes and adjustments (CRD-3), review rounds (CRD-4), annual targets (CRD-5).

Views parse the input, check the permission (`coordination.upkeep.permissions`, 404 for whoever may not see the page),
call ONE service of `coordination.upkeep.services`, report its message and redirect. A refused action re-renders the
page with the error and what the user typed; it is never a 500.
"""

from __future__ import annotations

import datetime as dt

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.http import Http404
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.http import require_POST

from tiexi_gov.deadlines.display import due_label
from tiexi_gov.deadlines.models import Deadline
from tiexi_gov.deadlines.selectors import due_text
from tiexi_gov.http import to_id
from tiexi_gov.workflow.errors import ActionRefused, AlreadyHandled

from ..models import AbolishGround, Adjustment, AnnualTargets, ReviewEntry, Target
from . import forms, permissions, selectors
from . import services as upkeep

PAGE_SIZE = 20


def _page(request, rows, size: int = PAGE_SIZE):
    return Paginator(rows, size).get_page(request.GET.get("page"))


# --- CRD-3: leader changes ---------------------------------------------------------------------------------------

OFFICE_KIND_CHOICES = [(k.value, k.label) for k in (Adjustment.Kind.BATCH, Adjustment.Kind.SINGLE)]
SELF_KIND_CHOICES = [(Adjustment.Kind.SELF.value, Adjustment.Kind.SELF.label)]


def _changes_context(request, *, bound: dict | None = None, members_form=None) -> dict:
    user = request.user
    today = timezone.localdate()
    office = permissions.can_adjust(user)
    unit_ids = None if office else permissions.hosted_unit_ids(user)
    changes = selectors.changes_needing_attention(today=today, unit_ids=unit_ids)
    page = _page(request, changes)
    posts = list(forms.seat_posts())
    rows = []
    for change in page.object_list:
        actionable = change.office_bodies if office else change.self_bodies
        data = bound if bound is not None and bound["post"] == change.post.pk else None
        checked = set(data["bodies"]) if data else {a.body.pk for a in actionable}
        rows.append(
            {
                "change": change,
                "actionable": [(a, a.body.pk in checked) for a in actionable],
                "others": [a for a in change.bodies if a not in actionable],
                "kinds": OFFICE_KIND_CHOICES if office else SELF_KIND_CHOICES,
                "data": data,
            }
        )
    hosted = [] if office else selectors.hosted_bodies(unit_ids)
    if members_form is None and hosted:
        members_form = forms.MembersFiledForm(bodies=hosted, prefix="members")
    return {
        "today": today,
        "office": office,
        "page": page,
        "rows": rows,
        "posts": posts,
        "members_form": forms.styled(members_form) if members_form is not None else None,
        "adjustments": selectors.recent_adjustments(unit_ids=unit_ids),
    }


@login_required
def leader_changes(request):
    """CRD-3: the posts heading bodies whose holder changed since the bodies were last adjusted, each with the
    previous and the new holder and exactly the bodies affected; the office adjusts them in one batch."""
    if not permissions.can_view_leader_changes(request.user):
        raise Http404("没有找到该页面。")
    return render(request, "coordination/leader_changes.html", _changes_context(request))


def _bound_data(form) -> dict:
    raw = form.data

    return {
        "post": to_id(raw.get("post")),
        "bodies": [pk for pk in map(to_id, raw.getlist("bodies")) if pk is not None],
        "kind": raw.get("kind", ""),
        "document_number": raw.get("document_number", ""),
        "new_post": to_id(raw.get("new_post")),
        "note": raw.get("note", ""),
        "errors": [],
    }


def _form_errors(form) -> list[str]:
    return [str(e) for errs in form.errors.values() for e in errs]


@login_required
@require_POST
def adjust(request):
    """CRD-3: the office's batch or single adjustment, a body's own adjustment (department head), or a body's
    filing of member changes — one service call, one transaction."""
    user = request.user
    if not permissions.can_view_leader_changes(user):
        raise Http404("没有找到该页面。")
    if request.POST.get("kind") == Adjustment.Kind.MEMBERS_FILED:
        return _members_filed(request)
    form = forms.AdjustForm(request.POST)
    bound = _bound_data(form)
    if not form.is_valid():
        bound["errors"] = _form_errors(form)
        return _changes_error(request, bound)
    d = form.cleaned_data
    try:
        adjustment = upkeep.adjust_bodies(
            actor=user,
            post=d["post"],
            bodies=list(d["bodies"]),
            kind=d["kind"],
            document_number=d["document_number"],
            note=d["note"],
            new_post=d["new_post"],
        )
    except ActionRefused as exc:
        bound["errors"] = [exc.message]
        return _changes_error(request, bound)
    names = "、".join(b.name for b in adjustment.bodies.all())
    messages.success(request, f"已{adjustment.get_kind_display()}：{names}（{adjustment.document_number}）。")
    return redirect("coordination:leader_changes")


def _changes_error(request, bound: dict):
    context = _changes_context(request, bound=bound)
    if not any(r["data"] for r in context["rows"]):
        for e in bound["errors"]:
            messages.error(request, e)
    return render(request, "coordination/leader_changes.html", context, status=400)


def _members_filed(request):
    user = request.user
    hosted = selectors.hosted_bodies(permissions.hosted_unit_ids(user))
    form = forms.MembersFiledForm(request.POST, bodies=hosted, prefix="members")
    if form.is_valid():
        d = form.cleaned_data
        try:
            upkeep.adjust_bodies(
                actor=user,
                post=None,
                bodies=[d["body"]],
                kind=Adjustment.Kind.MEMBERS_FILED,
                document_number=d["document_number"],
                note=d["note"],
            )
        except ActionRefused as exc:
            form.add_error(None, exc.message)
        else:
            messages.success(request, f"{d['body'].name}的成员调整已报区政府办公室备案。")
            return redirect("coordination:leader_changes")
    context = _changes_context(request, members_form=form)
    return render(request, "coordination/leader_changes.html", context, status=400)


# --- CRD-4: review rounds ---------------------------------------------------------------------------------------


def _reviews_context(request, open_form=None) -> dict:
    return {
        "page": _page(request, selectors.rounds()),
        "form": forms.styled(open_form or forms.OpenRoundForm(initial={"title": _default_round_title()})),
        "today": timezone.localdate(),
        "office": True,
    }


def _default_round_title() -> str:
    return f"{timezone.localdate().year}年度议事协调机构清理"


@login_required
def reviews(request):
    """CRD-4: the review rounds; the office opens a new one here."""
    if not permissions.can_review_bodies(request.user):
        raise Http404("没有找到该页面。")
    if request.method == "POST":
        form = forms.OpenRoundForm(request.POST)
        if form.is_valid():
            try:
                rnd = upkeep.open_round(actor=request.user, title=form.cleaned_data["title"])
            except ActionRefused as exc:
                form.add_error(None, exc.message)
            else:
                messages.success(request, f"已开始“{rnd.title}”，请逐个机构作出评估结论。")
                return redirect("coordination:review", pk=rnd.pk)
        return render(request, "coordination/reviews.html", _reviews_context(request, form), status=400)
    return render(request, "coordination/reviews.html", _reviews_context(request))


def _decision_row(entry: ReviewEntry, application, bound: tuple[int, object] | None) -> dict:
    form = None
    if bound is not None and bound[0] == entry.pk:
        form = bound[1]
    elif application is None:
        initial = {
            "decision": entry.decision if entry.decision != ReviewEntry.Decision.PENDING else None,
            "grounds": entry.grounds or sorted({s["ground"] for s in entry.suggestions}),
            "merge_into": entry.merge_into_id or next((s["other"] for s in entry.suggestions if "other" in s), None),
            "note": entry.note,
        }
        form = forms.DecideForm(initial=initial, prefix=f"e{entry.pk}")
    chosen = set()
    if form is not None:
        value = form["grounds"].value() or []
        chosen = {str(v) for v in value}
    return {
        "entry": entry,
        "application": application,
        "form": forms.styled(form) if form is not None else None,
        "chosen_grounds": chosen,
        "merge_value": str(form["merge_into"].value() or "") if form is not None else "",
    }


def _review_context(request, rnd, *, bound=None, close_form=None) -> dict:
    flagged = request.GET.get("flagged") == "1"
    page = _page(request, selectors.round_entries(rnd, flagged_only=flagged), 30)
    entries = list(page.object_list)
    apps = selectors.applications_by_entry(entries)
    is_open = rnd.closed_on is None
    rows = [_decision_row(e, apps.get(e.pk), bound if is_open else None) for e in entries]
    if not is_open:
        for row in rows:
            row["form"] = None
    return {
        "today": timezone.localdate(),
        "office": True,
        "round": rnd,
        "page": page,
        "rows": rows,
        "flagged": flagged,
        "is_open": is_open,
        "candidates": selectors.merge_candidates() if is_open else [],
        "grounds": AbolishGround.choices,
        "decisions": [c for c in ReviewEntry.Decision.choices if c[0] != ReviewEntry.Decision.PENDING],
        "close_form": forms.styled(close_form or forms.CloseRoundForm(prefix="close")) if is_open else None,
    }


@login_required
def review(request, pk: int):
    """CRD-4: one round — every body with the grounds the portal suggests and the office's decision."""
    rnd = selectors.round_or_404(request.user, pk)
    return render(request, "coordination/review.html", _review_context(request, rnd))


@login_required
@require_POST
def review_action(request, pk: int, action: str):
    rnd = selectors.round_or_404(request.user, pk)
    if action == "decide":
        return _decide(request, rnd)
    if action == "close":
        form = forms.CloseRoundForm(request.POST, prefix="close")
        if form.is_valid():
            try:
                upkeep.close_round(actor=request.user, review_round=rnd)
            except ActionRefused as exc:
                form.add_error(None, exc.message)
            else:
                messages.success(request, f"“{rnd.title}”已结束。")
                return redirect("coordination:review", pk=rnd.pk)
        context = _review_context(request, rnd, close_form=form)
        return render(request, "coordination/review.html", context, status=400)
    raise Http404("没有该操作。")


def _decide(request, rnd):
    entry_id = to_id(request.POST.get("entry_id"))
    entry = rnd.entries.select_related("body").filter(pk=entry_id).first() if entry_id else None
    if entry is None:
        raise Http404("没有找到该机构的评估记录。")
    form = forms.DecideForm(request.POST, prefix=f"e{entry.pk}")
    if form.is_valid():
        d = form.cleaned_data
        try:
            entry = upkeep.decide_entry(
                actor=request.user,
                entry=entry,
                decision=d["decision"],
                grounds=d["grounds"],
                merge_into=d["merge_into"],
                note=d["note"],
            )
        except ActionRefused as exc:
            form.add_error(None, exc.message)
        else:
            fed = "，已生成撤并申请" if entry.decision != ReviewEntry.Decision.KEEP else ""
            messages.success(request, f"{entry.body.name}：{entry.get_decision_display()}{fed}。")
            url = reverse("coordination:review", args=[rnd.pk])
            return redirect(f"{url}#entry-{entry.pk}")
    context = _review_context(request, rnd, bound=(entry.pk, form))
    if not any(r["entry"].pk == entry.pk for r in context["rows"]):
        for errs in form.errors.values():
            for e in errs:
                messages.error(request, f"{entry.body.name}：{e}")
    return render(request, "coordination/review.html", context, status=400)


# --- CRD-5: annual targets ---------------------------------------------------------------------------------------

STATE_STYLE = {
    AnnualTargets.State.PENDING: "text-bg-warning",
    AnnualTargets.State.FILED: "text-bg-primary",
    AnnualTargets.State.REVIEWED: "text-bg-success",
}


def _targets_context(request, year: int, open_form=None) -> dict:
    user = request.user
    today = timezone.localdate()
    office = permissions.can_check_targets(user)
    page = _page(request, selectors.target_sets(user, year))
    rows = []
    for t in page.object_list:
        pending = t.state == AnnualTargets.State.PENDING
        remaining, tone = due_text(t.due, today) if pending else ("", "")
        rows.append({"targets": t, "style": STATE_STYLE.get(t.state, ""), "remaining": remaining, "tone": tone})
    context = {
        "year": year,
        "today": today,
        "office": office,
        "page": page,
        "rows": rows,
        "years": [today.year - 1, today.year, today.year + 1],
    }
    if office:
        context["missing"] = selectors.bodies_without_targets(year)
        context["default_due"] = _safe_default_due(year)
        context["form"] = forms.styled(open_form or forms.OpenTargetsForm())
    return context


def _safe_default_due(year: int) -> dt.date | None:
    try:
        return upkeep.default_due(year)
    except (ValueError, OverflowError):
        return None


@login_required
def targets(request, year: int):
    """CRD-5: the year's target sets — the office sees every body with its state and opens the year; a host unit
    sees its own bodies'."""
    if not selectors.may_see_targets_page(request.user) or not 2000 <= year <= 2100:
        raise Http404("没有找到该页面。")
    if request.method == "POST":
        if not permissions.can_check_targets(request.user):
            raise Http404("没有找到该页面。")
        form = forms.OpenTargetsForm(request.POST)
        if form.is_valid():
            try:
                created = upkeep.open_targets(
                    actor=request.user, year=year, due=form.cleaned_data["due"], workdays=form.cleaned_data["workdays"]
                )
            except ActionRefused as exc:
                form.add_error(None, exc.message)
            else:
                messages.success(
                    request, f"已部署{year}年度目标报送：{len(created)}个机构，截止{due_label(created[0].due)}。"
                )
                return redirect("coordination:targets", year=year)
        return render(request, "coordination/targets.html", _targets_context(request, year, form), status=400)
    return render(request, "coordination/targets.html", _targets_context(request, year))


def _target_context(request, targets: AnnualTargets, *, bound: tuple[str, object] | None = None) -> dict:
    user = request.user
    today = timezone.localdate()
    items = selectors.target_items(targets)
    office = permissions.can_check_targets(user, targets)
    may_file = permissions.can_file_targets(user, targets) and targets.state == AnnualTargets.State.PENDING
    may_review = office and targets.state != AnnualTargets.State.PENDING
    built: dict[str, object] = {}
    if may_file:
        built["file"] = forms.FileTargetsForm(prefix="file")
    if may_review:
        built["review"] = forms.ReviewTargetsForm(
            items=items, prefix="review", initial={"review_note": targets.review_note}
        )
    follow_forms = {}
    if office and targets.state == AnnualTargets.State.REVIEWED:
        for t in items:
            if t.done is False and t.follow_up_id is None:
                follow_forms[t.pk] = forms.FollowUpForm(
                    prefix=f"f{t.pk}", initial={"target": t.pk, "due": _follow_up_default(targets, today)}
                )
    if bound is not None:
        name, form = bound
        if name == "follow-up":
            follow_forms[int(form.data.get(f"{form.prefix}-target") or 0)] = form
        else:
            built[name] = form
    for f in (*built.values(), *follow_forms.values()):
        forms.styled(f)
    deadline = (
        Deadline.objects.filter(rule_id="CRD-5", subject_id=str(targets.pk), subject_type__model="annualtargets")
        .order_by("-id")
        .first()
    )
    remaining, tone = due_text(targets.due, today) if targets.state == AnnualTargets.State.PENDING else ("", "")
    return {
        "targets": targets,
        "body": targets.body,
        "items": [(t, follow_forms.get(t.pk)) for t in items],
        "today": today,
        "office": office,
        "forms": built,
        "style": STATE_STYLE.get(targets.state, ""),
        "deadline": deadline,
        "remaining": remaining,
        "tone": tone,
        "leader_post": upkeep.follow_up_post(targets.body, today) if office else None,
    }


def _follow_up_default(targets: AnnualTargets, today: dt.date) -> dt.date:
    """The end of the targets' year, or three months from today once that has passed."""
    end = dt.date(targets.year, 12, 31)
    return end if end > today else today + dt.timedelta(days=90)


@login_required
def target_set(request, pk: int):
    """CRD-5: one body's targets of the year — filing (its office), completion review and follow-up (the office)."""
    t = selectors.target_set_or_404(request.user, pk)
    return render(request, "coordination/target_set.html", _target_context(request, t))


@login_required
@require_POST
def target_action(request, pk: int, action: str):
    t = selectors.target_set_or_404(request.user, pk)
    handler = TARGET_ACTIONS.get(action)
    if handler is None:
        raise Http404("没有该操作。")
    return handler(request, t)


def _target_error(request, t, name, form):
    context = _target_context(request, t, bound=(name, form))
    shown = any(f is form and not row.follow_up_id for row, f in context["items"])
    if name == "follow-up" and not shown:  # a row without a form (sent already, or finished): say it at the top
        for errs in form.errors.values():
            for e in errs:
                messages.error(request, e)
    return render(request, "coordination/target_set.html", context, status=400)


def _file(request, t):
    form = forms.FileTargetsForm(request.POST, prefix="file")
    if form.is_valid():
        d = form.cleaned_data
        try:
            upkeep.file_targets(
                actor=request.user, targets=t, items=d["items"], reported_to_head_on=d["reported_to_head_on"]
            )
        except ActionRefused as exc:
            form.add_error(None, exc.message)
        else:
            messages.success(request, f"{t.body.name}{t.year}年度目标已报区政府办公室备案（{len(d['items'])}项）。")
            return redirect("coordination:target_set", pk=t.pk)
    return _target_error(request, t, "file", form)


def _review(request, t):
    items = selectors.target_items(t)
    form = forms.ReviewTargetsForm(request.POST, items=items, prefix="review")
    if form.is_valid():
        try:
            upkeep.review_targets(
                actor=request.user, targets=t, results=form.results(), note=form.cleaned_data["review_note"]
            )
        except ActionRefused as exc:
            form.add_error(None, exc.message)
        else:
            messages.success(request, f"{t.body.name}{t.year}年度目标完成情况已督导检查。")
            return redirect("coordination:target_set", pk=t.pk)
    return _target_error(request, t, "review", form)


def _follow_up(request, t):
    raw = next((k for k in request.POST if k.endswith("-target")), "")
    prefix = raw[: -len("-target")] if raw else "f0"
    form = forms.FollowUpForm(request.POST, prefix=prefix)
    if form.is_valid():
        target = Target.objects.filter(pk=form.cleaned_data["target"], targets=t).first()
        if target is None:
            raise Http404("没有找到该目标。")
        try:
            item = upkeep.follow_up_target(actor=request.user, target=target, due=form.cleaned_data["due"])
        except AlreadyHandled as exc:  # already sent: the row shows its ledger number, not the form
            messages.error(request, exc.message)
            return render(request, "coordination/target_set.html", _target_context(request, t), status=409)
        except ActionRefused as exc:
            form.add_error(None, exc.message)
        else:
            messages.success(request, f"已转入督查督办台账：{item.number}。")
            return redirect("coordination:target_set", pk=t.pk)
    return _target_error(request, t, "follow-up", form)


TARGET_ACTIONS = {"file": _file, "review": _review, "follow-up": _follow_up}

"""Pages of flow B: lists, drafting, the item page and its actions, printing, plans."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ObjectDoesNotExist
from django.core.paginator import Paginator
from django.http import FileResponse, Http404, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.http import content_disposition_header
from django.views.decorators.http import require_POST

from documents.outgoing import docx as issued_files
from documents.outgoing.models import (
    DeputyReview,
    DocumentPlan,
    Issuer,
    OneOffApproval,
    OutgoingAttachment,
    OutgoingKind,
    OutgoingState,
    PlanItem,
)
from documents.shared import forms as shared_forms
from documents.shared import normative
from documents.shared.models import NormativeStep
from documents.shared.views import _change_readers, _readers_context
from documents.submissions.views import Action
from tiexi_gov.forms import styled, typed_text
from tiexi_gov.http import to_id, to_int
from tiexi_gov.org.models import Unit
from tiexi_gov.org.roles import home_unit_id
from tiexi_gov.workflow import once
from tiexi_gov.workflow.errors import ActionRefused
from tiexi_gov.workflow.kernel import as_seen

from . import forms, permissions, selectors, services

OUTGOING_PAGE_SIZE = 20


DOCX_TYPE = "application/vnd.openxmlformats-officedocument.wordprocessingml.document"


@login_required
def outgoing_index(request):
    """发文: 待办 / 已办 / 办结 tabs, search by title and 发文字号, filters by state, issuer and kind."""

    today = timezone.localdate()
    filters = selectors.outgoing_filters(request.GET)
    page = Paginator(selectors.outgoing_list(request.user, filters, today), OUTGOING_PAGE_SIZE).get_page(
        request.GET.get("page")
    )
    return render(
        request,
        "documents/outgoing_index.html",
        {
            "filters": filters,
            "tabs": selectors.TABS,
            "page": page,
            "states": OutgoingState.choices,
            "issuers": Issuer.choices,
            "kinds": OutgoingKind.choices,
            "page_query": filters.query(),
            "may_draft": bool(home_unit_id(request.user)),
            "is_office": permissions.is_office_staff(request.user),
            # District leaders sit in the government unit and the office's director in the office, neither of which
            # keeps a department plan: the link is offered only where the page opens (no link to a 404).
            "show_unit_plan": _plan_unit(request.user, home_unit_id(request.user)) is not None,
        },
    )


@login_required
def outgoing_create(request):
    """发文稿纸: a unit's clerk (or the office) drafts; one service saves the draft, the 会签 units and the files."""

    if not home_unit_id(request.user):
        raise Http404
    if request.method == "POST" and (made := once.made_before(request)):
        return once.answer_again(request, made)  # the same form again: what it made, not a second draft
    today = timezone.localdate()
    form = forms.OutgoingForm(request.POST or None, request.FILES or None, unit=request.user.unit, year=today.year)
    if request.method == "POST" and form.is_valid():
        try:
            with once.once(request) as done:
                doc = services.create_outgoing(actor=request.user, **form.service_fields())
                done(reverse("documents:outgoing_detail", args=[doc.pk]))
        except once.AlreadyPosted as exc:
            return once.answer_again(request, exc.url)
        except ActionRefused as exc:
            messages.error(request, exc.message)
        else:
            messages.success(request, "发文稿已保存。")
            return redirect("documents:outgoing_detail", pk=doc.pk)
    context = {"form": styled(form), "document": None, "once_token": once.token_for(request)}
    return render(request, "documents/outgoing_form.html", context)


@login_required
def outgoing_edit(request, pk: int):

    doc = selectors.outgoing_detail(request.user, pk)
    if doc is None:
        raise Http404
    if "edit" not in permissions.outgoing_allowed_actions(request.user, doc):
        messages.error(request, "该发文当前不能修改（仅起草阶段可以修改；被退回的请先“收回修改”）。")
        return redirect("documents:outgoing_detail", pk=doc.pk)
    today = timezone.localdate()
    form = forms.OutgoingForm(request.POST or None, request.FILES or None, instance=doc, year=today.year)
    if request.method == "POST" and form.is_valid():
        handled = doc.last_handled_at
        try:
            saved = services.update_outgoing(
                actor=request.user,
                document=as_seen(doc, request.POST.get("seen_state", "")),
                **form.service_fields(),
            )
        except ActionRefused as exc:
            messages.error(request, exc.message)
        else:
            if saved.last_handled_at == handled and not request.FILES:  # posted back as shown: nothing recorded
                messages.info(request, "发文稿未作修改。")
            else:
                messages.success(request, "修改已保存。")
            return redirect("documents:outgoing_detail", pk=doc.pk)
    return render(request, "documents/outgoing_form.html", {"form": styled(form), "document": doc})


def _one_off(doc, pk):
    found = next((a for a in doc.one_off_approvals.all() if a.pk == pk), None)
    if found is None:
        raise ActionRefused("该计划外发文申请不存在。")
    return found


def _evidence_file(doc, pk):
    return next((a for a in doc.attachments.all() if a.pk == pk), None) if pk else None


def _b_submit(request, doc, d):

    doc = services.submit_outgoing(actor=request.user, document=doc)
    return "已送区政府办公室核稿。" if doc.state == "office_check" else "已送本部门负责人签发。"


def _b_revise(request, doc, d):

    services.revise_outgoing(actor=request.user, document=doc)
    return "已收回修改，修改后须重新报送核稿。"


def _b_attach(request, doc, d):

    att = services.add_outgoing_attachment(
        actor=request.user, document=doc, file=d["file"], purpose=d["purpose"], title=d["title"]
    )
    return f"已添加：{att}"


def _b_checklist(request, doc, d):

    item = services.record_checklist_step(
        actor=request.user, document=doc, step=d["step"], done=d["done"], evidence=d["evidence"], reason=d["reason"]
    )
    return f"已登记：{item}"


def _b_one_off(request, doc, d):

    services.request_one_off_approval(actor=request.user, document=doc, matter=d["matter"], reason=d["reason"])
    return "计划外发文申请已报送区政府办公室审核。"


def _b_decide_one_off(request, doc, d):

    a = services.decide_one_off_approval(
        actor=request.user, approval=_one_off(doc, d["approval"]), approve=d["approve"], opinion=d["opinion"]
    )
    return f"计划外发文申请：{a.get_state_display()}。"


def _b_party_opinion(request, doc, d):

    services.record_party_office_opinion(actor=request.user, document=doc, opinion=d["opinion"], on_date=d["on_date"])
    return "已登记区委办公室意见。"


def _b_countersign(request, doc, d):

    services.countersign_outgoing(actor=request.user, document=doc, opinion=d["opinion"])
    return "已会签。"


def _b_office_check(request, doc, d):

    doc = services.office_check_outgoing(actor=request.user, document=doc, opinion=d["opinion"])
    return f"核稿完毕，{doc.get_state_display()}。"


def _b_legality(request, doc, d):

    review = services.record_legality_review(actor=request.user, document=doc, **d)
    return f"合法性审查：{review.get_conclusion_display()}。"


def _b_review(request, doc, d):

    services.review_outgoing(actor=request.user, document=doc, opinion=d["opinion"])
    return "审核意见已签署。"


def _b_sign(request, doc, d):

    doc = services.sign_outgoing(actor=request.user, document=doc, opinion=d["opinion"])
    return f"已签发{('，发文字号 ' + doc.number) if doc.number else ''}。"


def _b_return(request, doc, d):

    services.return_outgoing(actor=request.user, document=doc, reason=d["reason"], text=d["text"])
    return "已退回拟稿单位。"


def _b_interpretation(request, doc, d):

    services.write_interpretation(actor=request.user, document=doc, title=d["title"], text=d["text"])
    return "政策解读已保存，将与文件同步发布（第三十八条）。"


def _b_issue(request, doc, d):

    doc = services.issue_outgoing(actor=request.user, document=doc, printing_office=d["printing_office"])
    listed = "，已列入公开目录" if doc.will_be_published else ""
    return f"已印发{listed}。"


def _b_send_to_party(request, doc, d):

    services.send_to_party_committee(actor=request.user, document=doc)
    return "已报区委。"


def _b_filing(request, doc, d):

    services.record_filing(
        actor=request.user, document=doc, filed_with=d["filed_with"], filed_on=d["filed_on"], reference=d["reference"]
    )
    return "备案情况已登记。"


def _b_withdraw(request, doc, d):

    services.withdraw_outgoing(actor=request.user, document=doc, reason=d["reason"])
    return "已撤回（废止），已从公开目录撤下。"


OUTGOING_ACTIONS: dict[str, Action] = {
    "submit": Action(shared_forms.ConfirmForm, "报送", _b_submit),
    "revise": Action(shared_forms.ConfirmForm, "收回修改", _b_revise),
    "attach": Action(forms.OutgoingAttachmentForm, "添加附件", _b_attach),
    "checklist": Action(shared_forms.ChecklistForm, "登记制发程序", _b_checklist),
    "one_off": Action(forms.OneOffRequestForm, "计划外发文申请", _b_one_off),
    "decide_one_off": Action(forms.OneOffDecisionForm, "审核计划外发文", _b_decide_one_off),
    "party_opinion": Action(forms.PartyOpinionForm, "征求区委办公室意见", _b_party_opinion),
    "countersign": Action(shared_forms.OptionalOpinionForm, "会签", _b_countersign),
    "office_check": Action(shared_forms.OpinionForm, "核稿", _b_office_check),
    "legality": Action(forms.LegalityReviewForm, "合法性审查", _b_legality),
    "review": Action(shared_forms.OpinionForm, "审核", _b_review),
    "sign": Action(shared_forms.OptionalOpinionForm, "签发", _b_sign),
    "return": Action(forms.OutgoingReturnForm, "退回", _b_return),
    "interpretation": Action(forms.InterpretationForm, "政策解读", _b_interpretation),
    "issue": Action(forms.IssueForm, "印发", _b_issue),
    "send_to_party": Action(shared_forms.ConfirmForm, "报区委", _b_send_to_party),
    "filing": Action(forms.FilingForm, "备案", _b_filing),
    "withdraw": Action(forms.WithdrawForm, "撤回（废止）", _b_withdraw),
}


def _outgoing_form(name, doc):
    """The unbound form of one action, with what the page already knows filled in."""

    kwargs = {"prefix": name}
    if name == "checklist":
        kwargs["steps"] = normative.required_normative_steps(doc)
    initial = {}
    if name == "decide_one_off":
        pending = [a for a in doc.one_off_approvals.all() if a.state == "pending"]
        initial["approval"] = pending[0].pk if pending else None
    if name == "filing":
        initial["filed_with"] = services.default_filing_body(doc)
        initial["filed_on"] = timezone.localdate()
    if name == "interpretation" and _has_interpretation(doc):
        initial = {"title": doc.interpretation.title, "text": doc.interpretation.text}
    return OUTGOING_ACTIONS[name].form(initial=initial, **kwargs)


def _outgoing_context(request, doc, *, bound: tuple[str, object] | None = None) -> dict:

    allowed = permissions.outgoing_allowed_actions(request.user, doc)
    action_forms = {name: styled(_outgoing_form(name, doc)) for name in allowed if name in OUTGOING_ACTIONS}
    kept = []
    if bound is not None:
        name, form = bound
        if name in allowed:  # refused for what was filled in: the form again, as typed
            action_forms[name] = styled(form)
        else:  # no longer this person's step: no button for it, but nothing typed is lost
            kept = [value for _label, value in typed_text(form)]
    rows = {r.step: r for r in doc.checklist.all()}
    checklist = (
        [(NormativeStep(s).label, rows.get(s)) for s in normative.required_normative_steps(doc)]
        if normative.needs_checklist(doc)
        else []
    )
    signed_units = {c.unit_id for c in doc.countersigns.all()}
    attachments = list(doc.attachments.all())
    return {
        "document": doc,
        "allowed": allowed,
        "kept": kept,
        "forms": action_forms,
        "checklist": checklist,
        "countersign_rows": [(u, u.pk in signed_units) for u in doc.countersign_units.all()],
        "countersigns": list(doc.countersigns.all()),
        "reviews": [r for r in doc.deputy_reviews.all() if r.state != DeputyReview.State.CANCELLED],
        "legality_reviews": list(doc.legality_reviews.all()),
        "one_offs": list(doc.one_off_approvals.all()),
        "pending_one_off": any(a.state == OneOffApproval.State.PENDING for a in doc.one_off_approvals.all()),
        "attachments": [a for a in attachments if a.purpose == OutgoingAttachment.Purpose.ATTACHMENT],
        "other_files": [a for a in attachments if a.purpose != OutgoingAttachment.Purpose.ATTACHMENT],
        "interpretation": getattr(doc, "interpretation", None) if _has_interpretation(doc) else None,
        "signer_text": permissions.SIGNER_TEXT[OutgoingKind(doc.kind)],
        "clocks": selectors.running_clocks(doc),
        "may_download": bool(doc.number),
        **_readers_context(request.user, doc, permissions.can_grant_outgoing_reader, "documents:outgoing_readers"),
    }


def _has_interpretation(doc) -> bool:

    try:
        return doc.interpretation is not None
    except ObjectDoesNotExist:
        return False


@login_required
def outgoing_detail(request, pk: int):
    doc = selectors.outgoing_detail(request.user, pk)
    if doc is None:
        raise Http404
    return render(request, "documents/outgoing_detail.html", _outgoing_context(request, doc))


def _outgoing_respond(request, pk: int, *, ok: bool, bound=None):
    """htmx: the refreshed panel (and the sheet out of band); otherwise redirect, or the page with the form kept."""
    doc = selectors.outgoing_detail(request.user, pk)
    if doc is None:  # the action took the document out of the user's sight
        if request.htmx:
            response = HttpResponse()
            response["HX-Redirect"] = reverse("documents:outgoing_index")
            return response
        return redirect("documents:outgoing_index")
    if request.htmx:
        ctx = _outgoing_context(request, doc, bound=None if ok else bound)
        ctx["oob"] = True
        return render(request, "documents/_outgoing_panel.html", ctx)
    if ok:
        return redirect("documents:outgoing_detail", pk=pk)
    return render(request, "documents/outgoing_detail.html", _outgoing_context(request, doc, bound=bound))


@login_required
@require_POST
def outgoing_act(request, pk: int, action: str):
    """One action on the 发文 item page. The service decides (under the row lock) and its refusal — with the
    rule's words — is shown next to the form the user filled, their input kept."""
    spec = OUTGOING_ACTIONS.get(action)
    doc = selectors.outgoing_detail(request.user, pk)
    if spec is None or doc is None:
        raise Http404
    kwargs = {"prefix": action}
    if action == "checklist":
        kwargs["steps"] = normative.required_normative_steps(doc)
    form = spec.form(request.POST, request.FILES, **kwargs)
    seen = request.POST.get("seen_state", "")
    if not form.is_valid():
        # Someone whose step or edit it is not never reads its field errors, only the refusal (the service's, naming
        # the rule, when it can read what he sent).
        not_theirs = permissions.outgoing_action_refused(request.user, doc, action) and (not seen or seen == doc.state)
        messages.error(request, f"您当前不能对该发文进行“{spec.label}”操作。" if not_theirs else "请检查填写的内容。")
        return _outgoing_respond(request, pk, ok=False, bound=(action, form))
    try:
        text = spec.run(request, as_seen(doc, seen), form.cleaned_data)
    except ActionRefused as exc:
        messages.error(request, exc.message)
        return _outgoing_respond(request, pk, ok=False, bound=(action, form))
    messages.success(request, text)
    return _outgoing_respond(request, pk, ok=True)


@login_required
@require_POST
def outgoing_readers(request, pk: int, op: str):
    """X-2: named readers of a confidential outgoing document (指定阅读人)."""

    doc = selectors.outgoing_detail(request.user, pk)
    if doc is None:
        raise Http404
    return _change_readers(
        request,
        doc,
        op,
        may_manage=permissions.can_grant_outgoing_reader,
        grant=lambda actor, obj, user: services.grant_outgoing_reader(actor=actor, document=obj, user=user),
        revoke=lambda actor, obj, user: services.revoke_outgoing_reader(actor=actor, document=obj, user=user),
        back=reverse("documents:outgoing_detail", args=[pk]),
    )


@login_required
def outgoing_print(request, pk: int):
    """发文稿纸, print-ready: the paper form's fields in their order, with the signatures and opinions."""
    doc = selectors.outgoing_detail(request.user, pk)
    if doc is None:
        raise Http404
    return render(request, "documents/outgoing_print.html", _outgoing_context(request, doc))


@login_required
def outgoing_docx(request, pk: int):
    """The signed document as a GB/T 9704-2012 .docx, through the permission check (404 for outsiders)."""

    doc = selectors.outgoing_detail(request.user, pk)
    if doc is None or not doc.number:
        raise Http404
    response = HttpResponse(issued_files.issued_docx(doc), content_type=DOCX_TYPE)
    response["Content-Disposition"] = content_disposition_header(True, f"{doc.number}.docx")
    response["X-Content-Type-Options"] = "nosniff"
    return response


@login_required
def outgoing_attachment(request, pk: int, att_pk: int):

    doc = permissions.get_visible_outgoing(request.user, pk)
    if doc is None:
        raise Http404
    att = OutgoingAttachment.objects.filter(pk=att_pk, document_id=doc.pk).select_related("document").first()
    if att is None or not permissions.can_download_outgoing_attachment(request.user, att):
        raise Http404
    try:
        handle = att.file.open("rb")
    except FileNotFoundError as exc:
        raise Http404 from exc
    response = FileResponse(handle, as_attachment=True, filename=att.original_name, content_type=att.content_type)
    response["X-Content-Type-Options"] = "nosniff"
    return response


NO_DEPARTMENT_PLAN_KINDS = ("government", "office", "external")


def _plan_unit(user, unit_pk: int | None) -> Unit | None:
    """The department whose own plan (DOC-15) `user` may open, or None."""
    if not unit_pk:
        return None
    unit = Unit.objects.filter(pk=unit_pk, active=True).exclude(kind__in=NO_DEPARTMENT_PLAN_KINDS).first()
    return unit if unit is not None and permissions.can_view_unit_plan(user, unit) else None


@login_required
def plans(request):
    """年度发文计划 of the government and the office, kept by the office: list, create a year's plan, add items."""

    if not permissions.is_office_staff(request.user):
        raise Http404
    today = timezone.localdate()
    year = to_int(request.GET.get("year"), low=2000, high=2100) or today.year
    plan_form = forms.PlanForm(initial={"year": year, "issuer": "government"}, prefix="plan")
    item_form = forms.PlanItemForm(prefix="item")
    if request.method == "POST":
        what = request.POST.get("what")
        try:
            if what == "plan":
                plan_form = forms.PlanForm(request.POST, prefix="plan")
                if plan_form.is_valid():
                    plan = services.create_plan(actor=request.user, **plan_form.cleaned_data)
                    messages.success(request, f"已编制{plan}。")
                    return redirect(f"{reverse('documents:plans')}?year={plan.year}")
            elif what == "item":
                item_form = forms.PlanItemForm(request.POST, prefix="item")
                if item_form.is_valid():
                    d = item_form.cleaned_data
                    plan = DocumentPlan.objects.filter(pk=d["plan"], unit__isnull=True).first()
                    if plan is None:
                        raise Http404
                    item = services.add_plan_item(
                        actor=request.user,
                        plan=plan,
                        title=d["title"],
                        drafting_unit=d["drafting_unit"],
                        planned_month=d["planned_month"],
                    )
                    messages.success(request, f"已增加计划事项：{item.title}")
                    return redirect(f"{reverse('documents:plans')}?year={plan.year}")
            messages.error(request, "请检查填写的内容。")
        except ActionRefused as exc:
            messages.error(request, exc.message)
    return render(
        request,
        "documents/plans.html",
        {
            "year": year,
            "plans": selectors.plan_overview(year),
            "unit_plans": selectors.unit_plans_of_year(year),
            "plan_form": styled(plan_form),
            "item_form": styled(item_form),
        },
    )


def _plan_year(request, today) -> int:
    return to_int(request.GET.get("year") or request.POST.get("year"), low=2000, high=2100) or today.year


@login_required
def unit_plan(request, unit_pk: int | None = None):
    """DOC-15: a department's own yearly document plan. Seen by its staff and the office; kept (created, items
    added or removed while the year is open) by its clerk or head. Anyone else: 404."""

    if unit_pk is None:  # the bare address is one's own unit; an id in the address (0 too) must name a unit
        unit_pk = home_unit_id(request.user)
    unit = _plan_unit(request.user, unit_pk)
    if unit is None:
        raise Http404
    today = timezone.localdate()
    year = _plan_year(request, today)
    here = f"{reverse('documents:unit_plan_of', args=[unit.pk])}?year={year}"

    def back():
        if request.htmx:
            response = HttpResponse()
            response["HX-Redirect"] = here
            return response
        return redirect(here)

    may_keep = permissions.can_keep_plan(request.user, unit)
    plan = selectors.unit_plan(unit, year)
    item_form = forms.UnitPlanItemForm(prefix="item")
    if request.method == "POST":
        if not may_keep:
            raise Http404
        what = request.POST.get("what")
        try:
            if what == "plan":
                plan = services.create_plan(actor=request.user, issuer=Issuer.DEPARTMENT, unit=unit, year=year)
                messages.success(request, f"已编制{plan}。")
                return back()
            if what == "item" and plan is not None:
                item_form = forms.UnitPlanItemForm(request.POST, prefix="item")
                if item_form.is_valid():
                    d = item_form.cleaned_data
                    item = services.add_plan_item(
                        actor=request.user, plan=plan, title=d["title"], planned_month=d["planned_month"]
                    )
                    messages.success(request, f"已增加计划事项：{item.title}")
                    return back()
                messages.error(request, "请检查填写的内容。")
            elif what == "remove" and plan is not None:
                item = PlanItem.objects.filter(pk=to_id(request.POST.get("item")) or 0, plan=plan).first()
                if item is None:
                    raise Http404
                services.remove_plan_item(actor=request.user, item=item)
                messages.success(request, f"已删除计划事项：{item.title}")
                return back()
            else:
                raise Http404
        except ActionRefused as exc:
            messages.error(request, exc.message)
    return render(
        request,
        "documents/unit_plan.html",
        {
            "unit": unit,
            "year": year,
            "plan": plan,
            "year_open": year >= today.year,
            "may_keep": may_keep,
            "item_form": styled(item_form),
            "is_office": permissions.is_office_staff(request.user),
        },
    )

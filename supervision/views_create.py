"""Registering supervision items (SUP-1) and editing drafts — by the office only.

An item is registered from the form, from a leader's instruction on a submission's processing slip (one click,
linked both ways through `source_object`) or from a public inquiry (PUB-1). The duplicate check (SUP-5) is the
service's: a refusal is shown with a link to the existing item and the form keeps everything typed. Anyone who
is not the office gets a 404.
"""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404
from django.shortcuts import redirect, render

from documents import permissions as doc_permissions
from documents.models import Instruction

from . import forms_create, permissions, selectors, services
from .models import ItemState, Source, SupervisionItem


def _office_only(request) -> None:
    if not permissions.can_manage(request.user):
        raise Http404("没有找到该页面。")


def _saved_message(item: SupervisionItem) -> str:
    if item.state == ItemState.AWAITING_APPROVAL:
        who = item.leader_post.title
        return f"已登记督办事项{item.number}，以区政府名义督查，已报{who}审批（SUP-5）。"
    if item.state == ItemState.ASSIGNED:
        return f"已登记并交办督办事项{item.number}，已通知{item.lead_unit.display_name}签收。"
    return f"督办事项{item.number}已保存为草稿，交办前可继续修改。"


def _register(request, *, initial: dict, fixed_source: str = "", source_object=None, origin: dict | None = None):
    """The form page shared by the three ways in: parse, call create_item once, message, redirect."""
    form = forms_create.ItemForm(
        request.POST if request.method == "POST" else None, initial=initial, fixed_source=fixed_source
    )
    duplicate = None
    if request.method == "POST" and form.is_valid():
        try:
            item = services.create_item(
                actor=request.user,
                source_object=source_object,
                issue=bool(request.POST.get("issue")),
                **form.create_kwargs(),
            )
        except services.DuplicateItem as exc:
            duplicate = exc.existing
            form.add_error(None, exc.message)
        except services.SupervisionError as exc:
            form.add_error(None, exc.message)
        else:
            messages.success(request, _saved_message(item))
            return redirect("supervision:item", pk=item.pk)
    context = {
        "form": forms_create.styled(form),
        "item": None,
        "duplicate": duplicate,
        "origin": origin or {},
        "sources_with_rectification": [Source.INSPECTION],
        "sources_with_proposal": [Source.NPC_SUGGESTION, Source.CPPCC_PROPOSAL],
    }
    return render(request, "supervision/item_form.html", context)


@login_required
def item_new(request):
    """SUP-1: the office registers an item. `?inquiry=<id>` raises it from a public inquiry (PUB-1);
    `?source=<value>` only preselects the source."""
    _office_only(request)
    ref = request.POST.get("inquiry") or request.GET.get("inquiry")
    if ref:
        inquiry = permissions.get_inquiry_or_404(request.user, ref)
        return _register(
            request,
            initial=forms_create.initial_from_inquiry(inquiry),
            fixed_source=Source.PUBLIC_INQUIRY,
            source_object=inquiry,
            origin={"inquiry": inquiry},
        )
    initial = {}
    if request.GET.get("source") in Source.values:
        initial["source"] = request.GET["source"]
    return _register(request, initial=initial)


@login_required
def item_from_instruction(request, instruction_id: int):
    """SUP-1 "领导批示": one click from a leader's instruction on a submission's processing slip. The form is
    pre-filled from the instruction; the item keeps the instruction as its source (the link both ways)."""
    _office_only(request)
    instruction = (
        Instruction.objects.select_related("submission__unit", "slip", "post", "author")
        .filter(pk=instruction_id, step=Instruction.Step.LEADER)
        .first()
    )
    if instruction is None or not doc_permissions.can_view(request.user, instruction.submission):
        raise Http404("没有找到该批示。")
    return _register(
        request,
        initial=forms_create.initial_from_instruction(instruction),
        fixed_source=Source.LEADER_INSTRUCTION,
        source_object=instruction,
        origin={
            "instruction": instruction,
            "raised": selectors.items_for_source(instruction, user=request.user),
        },
    )


@login_required
def item_edit(request, pk: int):
    """The office edits a draft (not yet issued); the duplicate check runs again (SUP-5)."""
    _office_only(request)
    qs = SupervisionItem.objects.select_related(
        "lead_unit", "leader_post", "supervising_unit", "rectification", "proposal"
    ).prefetch_related("cooperating_units", "joint_units")
    item = permissions.get_item_or_404(request.user, pk, qs)
    if item.state != ItemState.DRAFT:
        messages.error(request, f"督办事项{item.number}已{item.get_state_display()}，只有草稿可以修改。")
        return redirect("supervision:item", pk=item.pk)
    form = forms_create.ItemForm(request.POST if request.method == "POST" else None, item=item)
    duplicate = None
    if request.method == "POST" and form.is_valid():
        try:
            services.update_draft(actor=request.user, item=item, **form.update_kwargs())
        except services.DuplicateItem as exc:
            duplicate = exc.existing
            form.add_error(None, exc.message)
        except services.SupervisionError as exc:
            form.add_error(None, exc.message)
        else:
            messages.success(request, f"督办事项{item.number}的修改已保存。")
            return redirect("supervision:item", pk=item.pk)
    context = {"form": forms_create.styled(form), "item": item, "duplicate": duplicate, "origin": {}}
    return render(request, "supervision/item_form.html", context)

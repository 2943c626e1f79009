"""Website inquiries (PUB-1, 第三十八条): logged by the office, assigned to a unit, answered within 5 WD.

Views only parse input, ask `permissions`, call one service and report its message; a refusal re-renders the form
with what the user typed. Anyone who may not see an inquiry gets a 404.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from urllib.parse import urlencode

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.http import Http404
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.http import require_POST

from supervision.ledger.models import Source
from supervision.shared.access import WORKING_UNIT_KINDS
from supervision.shared.errors import AlreadyHandled, SupervisionError
from supervision.shared.views import page_links
from tiexi_gov.deadlines.display import count_mark, due_label
from tiexi_gov.deadlines.selectors import due_text
from tiexi_gov.http import to_id
from tiexi_gov.org.access import visible_units
from tiexi_gov.workflow import once

from . import forms, permissions, selectors, services
from .models import PublicInquiry

PAGE_SIZE = 20


INQUIRY_RULES = [
    ("PUB-1", "通过政府网站提出的简单咨询，5个工作日内答复；逾期由时限督办提醒办公室主任"),
]


@dataclass(frozen=True)
class InquiryRow:
    inquiry: PublicInquiry
    due_text: str
    due_tone: str
    due_mark: str


def _inquiry_due(inquiry: PublicInquiry, today: dt.date) -> tuple[str, str, str]:
    """The reply's standing: its words, their tone, and — for an open count, shown without its date on the list and
    at the page's top — the 暂定 badge when it runs into a year without an official calendar (CAL-2)."""
    if inquiry.state == PublicInquiry.State.ANSWERED:
        if inquiry.due and inquiry.answered_on and inquiry.answered_on > inquiry.due:
            return "逾期答复", "danger", ""
        return "按期答复", "success", ""
    if inquiry.due is None:
        return "待转办", "secondary", ""
    return *due_text(inquiry.due, today), count_mark(today, inquiry.due)


@login_required
def inquiries(request):
    """网上咨询: the office sees all, a unit those assigned to it; open ones first, the most urgent on top."""
    today = timezone.localdate()
    state = request.GET.get("state", "")
    state = state if state in PublicInquiry.State.values else ""
    unit_id = to_id(request.GET.get("unit"))
    qs = selectors.inquiry_list(request.user, state=state, unit_id=unit_id)
    page = Paginator(qs, PAGE_SIZE).get_page(request.GET.get("page"))
    rows = [InquiryRow(i, *_inquiry_due(i, today)) for i in page.object_list]
    return render(
        request,
        "supervision/inquiries.html",
        {
            "page": page,
            "rows": rows,
            "links": page_links(request, page),
            "states": PublicInquiry.State.choices,
            "state": state,
            "unit_id": unit_id,
            "units": visible_units(request.user).filter(active=True, kind__in=WORKING_UNIT_KINDS),
            "may_log": permissions.can_manage_inquiry(request.user),
            "rules": INQUIRY_RULES,
        },
    )


@login_required
def inquiry_new(request):
    """登记网上咨询 (the office only); with a unit chosen it is assigned at once and the 5-WD clock starts."""
    if not permissions.can_manage_inquiry(request.user):
        raise Http404
    if request.method == "POST" and (made := once.made_before(request)):
        return once.answer_again(request, made)  # the same form again: the inquiry it logged, not a second one
    form = forms.InquiryForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        d = form.cleaned_data
        try:
            with once.once(request) as done:
                inquiry = services.log_inquiry(
                    actor=request.user,
                    asker=d["asker"],
                    contact=d["contact"],
                    channel=d["channel"],
                    question=d["question"],
                    received_on=d["received_on"],
                    unit=d["unit"],
                )
                done(reverse("supervision:inquiry", args=[inquiry.pk]))
        except once.AlreadyPosted as exc:
            return once.answer_again(request, exc.url)
        except SupervisionError as exc:
            messages.error(request, exc.message)
        else:
            if inquiry.unit_id:
                messages.success(
                    request, f"已登记并转{inquiry.unit.display_name}答复，答复时限 {due_label(inquiry.due)}。"
                )
            else:
                messages.success(request, f"已登记 {inquiry.number}，请转办承办单位。")
            return redirect("supervision:inquiry", pk=inquiry.pk)
    context = {"form": forms.styled(form), "once_token": once.token_for(request)}
    return render(request, "supervision/inquiry_form.html", context)


def raise_item_url(inquiry: PublicInquiry) -> str:
    """The create form of a supervision item, prefilled from the inquiry (PUB-1 → SUP-1)."""
    params = {"source": Source.PUBLIC_INQUIRY, "source_ref": inquiry.number, "task": inquiry.question}
    if inquiry.unit_id:
        params["lead_unit"] = inquiry.unit_id
    return f"{reverse('supervision:item_new')}?{urlencode(params)}"


def _inquiry_page(request, inquiry: PublicInquiry, *, assign_form=None, answer_form=None, status: int = 200, kept=()):
    today = timezone.localdate()
    open_ = inquiry.state != PublicInquiry.State.ANSWERED
    may_assign = open_ and permissions.can_manage_inquiry(request.user, inquiry)
    may_answer = inquiry.state == PublicInquiry.State.ASSIGNED and permissions.can_answer_inquiry(request.user, inquiry)
    if may_assign and assign_form is None:
        assign_form = forms.InquiryAssignForm(prefix="assign", initial={"unit": inquiry.unit_id})
    if may_answer and answer_form is None:
        answer_form = forms.InquiryAnswerForm(prefix="answer")
    text, tone, mark = _inquiry_due(inquiry, today)
    return render(
        request,
        "supervision/inquiry.html",
        {
            "inquiry": inquiry,
            "due_text": text,
            "due_tone": tone,
            "due_mark": mark,
            "assign_form": forms.styled(assign_form) if may_assign else None,
            "answer_form": forms.styled(answer_form) if may_answer else None,
            "raise_url": raise_item_url(inquiry) if permissions.can_manage_inquiry(request.user) else "",
            "rules": INQUIRY_RULES,
            "kept": list(kept),
        },
        status=status,
    )


@login_required
def inquiry(request, pk: int):
    inquiry = permissions.get_inquiry_or_404(request.user, pk)
    return _inquiry_page(request, inquiry)


@login_required
@require_POST
def inquiry_action(request, pk: int, action: str):
    """assign (the office: to a unit), answer (the assigned unit), raise-item (the office: to the create form)."""
    inquiry = permissions.get_inquiry_or_404(request.user, pk)
    if action == "raise-item":
        if not permissions.can_manage_inquiry(request.user):
            raise Http404
        return redirect(raise_item_url(inquiry))
    if action == "assign":
        form = forms.InquiryAssignForm(request.POST, prefix="assign")
        if not form.is_valid():
            return _inquiry_page(request, inquiry, assign_form=form)
        try:
            done = services.assign_inquiry(actor=request.user, inquiry=inquiry, unit=form.cleaned_data["unit"])
        except SupervisionError as exc:
            messages.error(request, exc.message)
        else:
            messages.success(request, f"已转{done.unit.display_name}答复，答复时限 {due_label(done.due)}。")
        return redirect("supervision:inquiry", pk=inquiry.pk)
    if action == "answer":
        form = forms.InquiryAnswerForm(request.POST, prefix="answer")
        if not form.is_valid():
            return _inquiry_page(request, inquiry, answer_form=form)
        try:
            services.answer_inquiry(actor=request.user, inquiry=inquiry, answer=form.cleaned_data["answer"])
        except SupervisionError as exc:
            # refused: the page again with the form as typed; when a colleague answered first (no form any more),
            # the answer typed here is kept beside it to copy — nothing typed is lost
            messages.error(request, exc.message)
            fresh = permissions.get_inquiry_or_404(request.user, pk)
            first = isinstance(exc, AlreadyHandled)
            kept = [form.cleaned_data["answer"]] if first else []
            return _inquiry_page(request, fresh, answer_form=form, status=409 if first else 400, kept=kept)
        messages.success(request, "答复已登记。")
        return redirect("supervision:inquiry", pk=inquiry.pk)
    raise Http404

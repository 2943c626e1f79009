"""传阅 / 阅知 pages: parse the input, check the permission (`circulation.permissions`; 404 for whoever may not see),
call one service, report its message, redirect. A refused action re-renders the page with the error; never a 500."""

from __future__ import annotations

import contextlib

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.http import FileResponse, Http404
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.http import require_POST

from tiexi_gov.workflow import once
from tiexi_gov.workflow.errors import ActionRefused, AlreadyHandled

from . import export, forms, permissions, selectors, services, sources
from .models import Kind, ReceiptState

PAGE_SIZE = 30
RS = ReceiptState


def _page(request, rows):
    return Paginator(rows, PAGE_SIZE).get_page(request.GET.get("page"))


def _not_found():
    return Http404("没有找到该阅件。")


@login_required
def index(request):
    """我收到的 / 我发出的 (the office: every circulation)."""
    user, today = request.user, timezone.localdate()
    office = permissions.can_see_overdue(user)
    # The office sends and follows up; everyone else, leaders included, comes here to read what waits for them.
    tab = request.GET.get("tab") or ("sent" if office else "received")
    if tab not in ("sent", "received"):
        tab = "received"
    if tab == "sent":
        page = _page(request, selectors.sent_circulations(user))
        rows = page.object_list
    else:
        page = _page(request, selectors.received_receipts(user, today))
        rows = selectors.with_due(page.object_list, today)
    return render(
        request,
        "circulation/index.html",
        {
            "tab": tab,
            "page_obj": page,
            "rows": rows,
            "office": office,
            "today": today,
            "tab_query": f"tab={tab}",
            "remind_hint": services.remind_after_workdays(),
        },
    )


@login_required
def overdue(request):
    """逾期未阅: reminded once and still unread — the office follows them up."""
    if not permissions.can_see_overdue(request.user):
        raise Http404("没有找到该页面。")
    today = timezone.localdate()
    page = _page(request, selectors.overdue_receipts())
    return render(
        request,
        "circulation/overdue.html",
        {
            "page_obj": page,
            "rows": selectors.with_due(selectors.with_holders(page.object_list, today), today),
            "today": today,
        },
    )


@login_required
def overdue_export(request):
    """逾期未阅 as .xlsx (the office's list, the same rows as the page)."""
    if not permissions.can_see_overdue(request.user):
        raise Http404("没有找到该页面。")
    today = timezone.localdate()
    out = export.write_overdue_xlsx(today=today)
    return FileResponse(out, as_attachment=True, filename=export.filename(today), content_type=export.CONTENT_TYPE)


@login_required
def send(request, kind: str, pk: int):
    """送阅: choose leaders and units; the item must be one the sender may open (else 404)."""
    if kind not in Kind.values:
        raise _not_found()
    item = sources.load(kind, pk)
    capacity = permissions.sender_capacity(request.user, kind, item)
    if not capacity:
        raise _not_found()
    today = timezone.localdate()
    choices = {"leaders": selectors.leader_choices(today), "units": selectors.unit_choices()}
    if request.method == "POST" and (made := once.made_before(request)):
        return once.answer_again(request, made)  # the same form again: the circulation it sent, not a second one
    problem = sources.refusal(kind, item)
    form = forms.SendForm(request.POST or None, **choices)
    status = 200
    if request.method == "POST" and not problem:
        if form.is_valid():
            try:
                with once.once(request) as done:
                    circulation = services.send_circulation(
                        actor=request.user, kind=kind, item_id=item.pk, **form.service_kwargs()
                    )
                    done(reverse("circulation:detail", args=[circulation.pk]))
            except once.AlreadyPosted as exc:
                return once.answer_again(request, exc.url)
            except ActionRefused as exc:
                form.add_error(None, exc.message)
            else:
                messages.success(
                    request, f"已送{circulation.get_mode_display()}：{circulation.receipts.count()}个送阅对象。"
                )
                return redirect("circulation:detail", pk=circulation.pk)
        status = 400
    elif request.method == "POST":
        status = 400
    return render(
        request,
        "circulation/send.html",
        {
            "kind": Kind(kind),
            "item": item,
            "title": sources.title(kind, item),
            "original_url": sources.original_url(kind, item),
            "capacity": capacity,
            "problem": problem,
            "form": form,
            "once_token": once.token_for(request),
        },
        status=status,
    )


@login_required
def detail(request, pk: int):
    """The sender's status page: each recipient's state and time."""
    circulation = selectors.circulation_for(request.user, pk)
    if circulation is None:
        raise _not_found()
    today = timezone.localdate()
    receipts = selectors.with_holders(circulation.receipts.all(), today)
    counts = {state: sum(1 for r in receipts if r.state == state) for state in RS.values}
    return render(
        request,
        "circulation/detail.html",
        {
            "c": circulation,
            "receipts": receipts,
            "counts": counts,
            "due": selectors.due_of(circulation.sent_on, circulation.remind_after, today),
            "today": today,
        },
    )


def _receipt_page(request, receipt, *, form=None, status: int = 200, kept=()):
    c = receipt.circulation
    item, summary = selectors.reading_copy(c)
    may_annotate = receipt.state != RS.ANNOTATED and permissions.is_recipient(request.user, receipt)
    if may_annotate and form is None:
        form = forms.AnnotateForm(initial={"seen": receipt.state})
    return render(
        request,
        "circulation/receipt.html",
        {
            "r": receipt,
            "c": c,
            "summary": summary,
            "original_url": sources.original_url(c.kind, item)
            if item and sources.can_open(request.user, c.kind, item)
            else "",
            "may_annotate": may_annotate,
            "form": form,
            "sees_status": permissions.can_view_circulation(request.user, c),
            "kept": list(kept),
        },
        status=status,
    )


@login_required
def receipt(request, pk: int):
    """The reading page. Opened by its recipient, an unread receipt becomes 已读 and leaves 我的待办."""
    r = selectors.receipt_for(request.user, pk)
    if r is None:
        raise _not_found()
    if r.state == RS.UNREAD and permissions.is_recipient(request.user, r):
        with contextlib.suppress(ActionRefused):  # someone of the unit read it a moment earlier: the page says who
            services.read_receipt(actor=request.user, receipt=r)
        r = selectors.receipt_for(request.user, pk) or r
    return _receipt_page(request, r)


@login_required
@require_POST
def annotate(request, pk: int):
    r = selectors.receipt_for(request.user, pk)
    if r is None:
        raise _not_found()
    form = forms.AnnotateForm(request.POST)
    kept = []
    if form.is_valid():
        try:
            services.annotate_receipt(
                actor=request.user, receipt=r, text=form.cleaned_data["text"], seen_state=form.cleaned_data["seen"]
            )
        except AlreadyHandled as exc:
            # A receipt takes one note: a colleague of the unit annotated first, or this person's own first click
            # (another window, a double click). The page has no form any more, so what was typed here is kept
            # beside the note to copy — nothing typed is lost — and the user's own first note is not called another's.
            mine = exc.handled_by is not None and exc.handled_by.pk == request.user.pk
            messages.error(request, "您已批注过此阅件，以先提交的为准，本次未重复提交。" if mine else exc.message)
            kept = [form.cleaned_data["text"]]
        except ActionRefused as exc:
            messages.error(request, exc.message)
        else:
            messages.success(request, "已批注。")
            return redirect("circulation:receipt", pk=r.pk)
    r = selectors.receipt_for(request.user, pk) or r
    return _receipt_page(request, r, form=form, status=400, kept=kept if r.state == RS.ANNOTATED else ())

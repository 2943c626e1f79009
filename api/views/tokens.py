"""接口令牌: the security administrator's page to create (shown once) and revoke tokens. Everyone else gets 404."""

from __future__ import annotations

import datetime as dt

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_POST

from tiexi_gov.forms import styled
from tiexi_gov.workflow.errors import ActionRefused

from .. import services
from ..forms import RevokeForm, TokenForm
from ..models import ApiToken

PAGE_SIZE = 30


def _security_admin_only(request) -> None:
    if not services.may_manage_tokens(request.user):
        raise Http404("没有找到该页面。")


def _end_of(day: dt.date | None):
    if day is None:
        return None
    return timezone.make_aware(dt.datetime.combine(day + dt.timedelta(days=1), dt.time.min))


def _page(request, form, *, created=None, raw="", status=200):
    tokens = ApiToken.objects.select_related("user", "created_by", "revoked_by").order_by("-created_at", "-id")
    page = Paginator(tokens, PAGE_SIZE).get_page(request.GET.get("page"))
    response = render(
        request,
        "api/tokens.html",
        {"form": styled(form), "page": page, "created": created, "raw": raw, "revoke_form": styled(RevokeForm())},
        status=status,
    )
    return response


@never_cache
@login_required
def tokens(request):
    """The list of tokens and the form to create one; a created token is shown on this answer only."""
    _security_admin_only(request)
    if request.method != "POST":
        return _page(request, TokenForm())
    form = TokenForm(request.POST)
    if not form.is_valid():
        messages.error(request, "请检查填写的内容。")
        return _page(request, form, status=400)
    d = form.cleaned_data
    try:
        token, raw = services.create_token(
            actor=request.user,
            user=d["user"],
            name=d["name"],
            read_only=d["read_only"],
            expires_at=_end_of(d.get("expires_on")),
        )
    except ActionRefused as exc:
        form.add_error(None, exc.message)
        return _page(request, form, status=400)
    messages.success(request, "令牌已创建。请立即复制保存：离开本页后无法再次查看。")
    return _page(request, TokenForm(), created=token, raw=raw)


@login_required
@require_POST
def revoke(request, pk: int):
    _security_admin_only(request)
    token = get_object_or_404(ApiToken, pk=pk)
    form = RevokeForm(request.POST)
    if not form.is_valid():
        messages.error(request, "请勾选“确认吊销”后再提交。")
        return redirect("api:tokens")
    try:
        services.revoke_token(actor=request.user, token=token, reason=form.cleaned_data["reason"])
    except ActionRefused as exc:
        messages.error(request, exc.message)
    else:
        messages.success(request, f"令牌“{token.name}”已吊销。")
    return redirect("api:tokens")


def docs(request):
    """Swagger UI from our own static files (drf-spectacular-sidecar), no inline script: CSP 'self' holds."""
    return render(request, "api/docs.html")

"""接口令牌: the security administrator's page to issue read-only tokens (collected and seen by their users only)
and revoke any; 我的接口令牌: a person's own tokens, the only ones that may do office work, and the issued ones he
collects. An administrator's account has no page of its own."""

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
from tiexi_gov.org.roles import is_technical_account
from tiexi_gov.workflow.errors import ActionRefused

from .. import services
from ..forms import OwnTokenForm, RevokeForm, TokenForm
from ..models import ApiToken

PAGE_SIZE = 30


def _security_admin_only(request) -> None:
    if not services.may_manage_tokens(request.user):
        raise Http404("没有找到该页面。")


def _end_of(day: dt.date | None):
    if day is None:
        return None
    return timezone.make_aware(dt.datetime.combine(day + dt.timedelta(days=1), dt.time.min))


def _page(request, form, *, created=None, raw="", status=200, mine=False):
    tokens = ApiToken.objects.select_related("user", "created_by", "revoked_by").order_by("-created_at", "-id")
    if mine:
        tokens = tokens.filter(user=request.user)
    page = Paginator(tokens, PAGE_SIZE).get_page(request.GET.get("page"))
    context = {"form": styled(form), "page": page, "created": created, "raw": raw, "mine": mine}
    return render(request, "api/tokens.html", context, status=status)


def _create(request, form, **kwargs):
    """The token made, or (None, "") with the service's refusal on the form. A made token is answered 201 with the
    page that shows it once: there is no later page to redirect to, the token itself is never stored."""
    d = form.cleaned_data
    try:
        token, raw = services.create_token(
            actor=request.user,
            name=d["name"],
            read_only=d.get("read_only", True),
            expires_at=_end_of(d.get("expires_on")),
            **kwargs,
        )
    except ActionRefused as exc:
        form.add_error(None, exc.message)
        return None, ""
    if raw:
        messages.success(request, "令牌已创建。请立即复制保存：离开本页后无法再次查看。")
    else:
        messages.success(
            request, f"令牌已签发，待{token.user.display_name}本人在“我的接口令牌”中领取；令牌只向使用人显示。"
        )
    return token, raw


@never_cache
@login_required
def my_tokens(request):
    """我的接口令牌: the person's own tokens (可办理 ones only here); administrators' accounts have none."""
    if not request.user.is_active or is_technical_account(request.user):
        raise Http404("没有找到该页面。")
    if request.method != "POST":
        return _page(request, OwnTokenForm(), mine=True)
    form = OwnTokenForm(request.POST)
    if not form.is_valid():
        messages.error(request, "请检查填写的内容。")
        return _page(request, form, status=400, mine=True)
    token, raw = _create(request, form, user=request.user)
    if token is None:
        return _page(request, form, status=400, mine=True)
    return _page(request, OwnTokenForm(), created=token, raw=raw, status=201, mine=True)


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
    token, raw = _create(request, form, user=form.cleaned_data["user"])
    if token is None:
        return _page(request, form, status=400)
    return _page(request, TokenForm(), created=token, raw=raw, status=201)


@never_cache
@login_required
@require_POST
def collect(request, pk: int):
    """领取: the user of a token the security administrator issued sees its token, once, on this answer."""
    if not request.user.is_active or is_technical_account(request.user):
        raise Http404("没有找到该页面。")
    token = get_object_or_404(ApiToken, pk=pk, user=request.user)  # anyone else's: the 404 of no such token
    try:
        token, raw = services.collect_token(actor=request.user, token=token)
    except ActionRefused as exc:
        messages.error(request, exc.message)
        return redirect("api:my_tokens")
    messages.success(request, "令牌已领取。请立即复制保存：离开本页后无法再次查看。")
    return _page(request, OwnTokenForm(), created=token, raw=raw, status=201, mine=True)


@login_required
@require_POST
def revoke(request, pk: int):
    admin = services.may_manage_tokens(request.user)
    # The security administrator revokes any token; a person his own (anyone else's: the 404 of no such token).
    token = get_object_or_404(ApiToken, pk=pk) if admin else get_object_or_404(ApiToken, pk=pk, user=request.user)
    back = "api:tokens" if admin else "api:my_tokens"
    form = RevokeForm(request.POST)
    if not form.is_valid():
        messages.error(request, "请勾选“确认吊销”后再提交。")
        return redirect(back)
    try:
        services.revoke_token(actor=request.user, token=token, reason=form.cleaned_data["reason"])
    except ActionRefused as exc:
        messages.error(request, exc.message)
    else:
        messages.success(request, f"令牌“{token.name}”已吊销。")
    return redirect(back)


def docs(request):
    """Swagger UI from our own static files (drf-spectacular-sidecar), no inline script: CSP 'self' holds."""
    return render(request, "api/docs.html")

"""View pieces both flows use (named readers)."""

from __future__ import annotations

from django.contrib import messages
from django.http import Http404, HttpResponse
from django.shortcuts import redirect
from django.urls import reverse

from tiexi_gov.forms import styled
from tiexi_gov.workflow.errors import ActionRefused

from . import forms
from .readers import named_readers


def _readers_context(user, obj, may_manage, url_name: str) -> dict:
    """X-2: the 指定阅读人 panel of a confidential item, for those who keep its list of readers."""
    if not obj.confidential or not may_manage(user, obj):
        return {"readers_panel": None}
    return {
        "readers_panel": {
            "readers": named_readers(obj),
            "form": styled(forms.ReaderForm(prefix="reader")),
            "add_url": reverse(url_name, args=[obj.pk, "add"]),
            "remove_url": reverse(url_name, args=[obj.pk, "remove"]),
            "drafted_by_id": obj.drafted_by_id,
        }
    }


def _change_readers(request, obj, op: str, *, may_manage, grant, revoke, back: str):
    """Add or remove one named reader: check, call the service, report, back to the item page."""
    if op not in ("add", "remove") or not obj.confidential or not may_manage(request.user, obj):
        raise Http404
    form = forms.ReaderForm(request.POST, prefix="reader", active_only=op == "add")
    if not form.is_valid():
        messages.error(request, "请选择阅读人。")
    else:
        reader = form.cleaned_data["user"]
        try:
            (grant if op == "add" else revoke)(request.user, obj, reader)
        except ActionRefused as exc:
            messages.error(request, exc.message)
        else:
            messages.success(request, f"已指定{reader}为阅读人。" if op == "add" else f"已取消{reader}的阅读权限。")
    if request.htmx:
        response = HttpResponse()
        response["HX-Redirect"] = back
        return response
    return redirect(back)

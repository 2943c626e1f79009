"""A read-only history page for any object, for those who audit: 审计管理员, 办公室主任, superusers; and the audit
administrator's export of a period's events with the hash chain's verification result (issue 12.3).

Everyone else gets 404 (outsiders never learn that an object exists).
"""

from datetime import datetime, time, timedelta

from django import forms
from django.contrib.auth.decorators import login_required
from django.contrib.contenttypes.models import ContentType
from django.core.exceptions import ValidationError
from django.db import transaction
from django.http import FileResponse, Http404
from django.shortcuts import get_object_or_404, render
from django.utils import timezone
from django.views.decorators.http import require_GET, require_http_methods

from tiexi_gov.forms import DateField, DateInput
from tiexi_gov.org.roles import Role, has_role

from .export import write_xlsx
from .services import record_event

# Account records (who may sign in, with which roles, second factor and tokens) are the administrators' side of the
# system, not the office's business (三员分立): only the audit administrator reads their history.
ACCOUNT_MODELS = frozenset(
    {
        "org.user",
        "org.passwordresetapproval",
        "auth.group",
        "otp_totp.totpdevice",
        "api.apitoken",
        "accounts.passwordstate",
        "accounts.passwordhistory",
        "sessions.session",
    }
)


def may_read_history(user, obj=None) -> bool:
    """The audit administrator reads every object's record. The office director reads the record of an object only
    where its own page would open for him (X-2: a confidential item is for its named readers), never an account's."""
    if not user.is_active:
        return False
    if user.is_superuser or has_role(user, Role.AUDIT_ADMIN):
        return True
    if not has_role(user, Role.OFFICE_DIRECTOR):
        return False
    return obj is None or _director_may_open(user, obj)


def _director_may_open(user, obj) -> bool:
    """The object's own page would open for the director: asked of the apps' visibility, as the search and the
    deadline board ask it; a part of an item (a consultation, a routing, an instruction) as its item."""
    from search.sources import ALL, SOURCES

    if obj._meta.label_lower in ACCOUNT_MODELS:
        return False
    visibility = {source.model.lower(): source.visible for source in SOURCES}

    def opens(model, pk) -> bool:
        visible = visibility[model._meta.label_lower](user)
        return visible == ALL or (visible is not None and visible.filter(pk=pk).exists())

    if obj._meta.label_lower in visibility:
        return opens(type(obj), obj.pk)
    for field in obj._meta.concrete_fields:
        parent = field.related_model if field.many_to_one else None
        if parent is not None and parent._meta.label_lower in visibility:
            parent_pk = getattr(obj, field.attname)
            if parent_pk is not None and not opens(parent, parent_pk):
                return False
    return True


@login_required
@require_GET
def history(request, content_type_id: int, object_id: str):
    if not may_read_history(request.user):
        raise Http404
    content_type = get_object_or_404(ContentType, pk=content_type_id)
    model = content_type.model_class()
    if model is None:
        raise Http404
    try:
        obj = get_object_or_404(model._base_manager, pk=object_id)
    except (ValueError, TypeError, OverflowError, ValidationError):  # "abc" for a number, a bad uuid: no such object
        raise Http404 from None
    if not may_read_history(request.user, obj):
        raise Http404
    return render(request, "audit/history.html", {"object": obj, "content_type": content_type})


def may_export(user) -> bool:
    """Exporting the record is the audit administrator's act (三员分立), not the office director's."""
    return user.is_active and (user.is_superuser or has_role(user, Role.AUDIT_ADMIN))


class ExportForm(forms.Form):
    start = DateField(label="起始日期", widget=DateInput())
    end = DateField(label="截止日期（含）", widget=DateInput())

    def clean(self):
        data = super().clean()
        if data.get("start") and data.get("end") and data["start"] > data["end"]:
            raise forms.ValidationError("起始日期不能晚于截止日期。")
        return data


@login_required
@require_http_methods(["GET", "POST"])
def export(request):
    """The audit administrator's export: a period's events as .xlsx, with the chain's verification result."""
    if not may_export(request.user):
        raise Http404
    today = timezone.localdate()
    form = ExportForm(request.POST or None, initial={"start": today.replace(day=1), "end": today})
    if request.method == "POST" and form.is_valid():
        start = timezone.make_aware(datetime.combine(form.cleaned_data["start"], time.min))
        end = timezone.make_aware(datetime.combine(form.cleaned_data["end"] + timedelta(days=1), time.min))
        out, result = write_xlsx(start=start, end=end, exported_by=request.user)
        with transaction.atomic():
            record_event(
                actor=request.user,
                subject=request.user,
                action="audit_export",
                action_label="导出审计记录",
                opinion=f"{form.cleaned_data['start']} 至 {form.cleaned_data['end']}；{result.summary}"[:2000],
            )
        name = f"审计记录_{form.cleaned_data['start']:%Y%m%d}-{form.cleaned_data['end']:%Y%m%d}.xlsx"
        return FileResponse(
            out,
            as_attachment=True,
            filename=name,
            content_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
        )
    return render(request, "audit/export.html", {"form": form}, status=400 if form.is_bound else 200)

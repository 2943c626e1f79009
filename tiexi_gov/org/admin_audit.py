"""Every act in the admin console reaches the audit record (issue 12.1, 等保 安全审计).

Django's admin writes its own LogEntry, which any superuser may edit or delete and the audit administrator does
not read. Every ModelAdmin adds, changes and deletes through `log_addition`, `log_change` and `log_deletions`, so
wrapping those three methods once covers every model of every app, including role changes and password resets,
and the event is written in the same transaction as the change (the admin's views are atomic).
"""

from __future__ import annotations

import json

from django.contrib import admin
from django.contrib.admin.models import LogEntry

from tiexi_gov.audit.services import record_event

LABELS = {"add": "管理控制台：新增", "change": "管理控制台：修改", "delete": "管理控制台：删除"}


def client_ip(request) -> str | None:
    return request.META.get("REMOTE_ADDR") or None


def _message(change_message) -> str:
    """The admin's change message in words (it stores a JSON list of changed fields)."""
    if isinstance(change_message, list):
        return LogEntry(change_message=json.dumps(change_message)).get_change_message()
    return str(change_message or "")


def _record(request, obj, verb: str, text: str = "") -> None:
    meta = obj._meta
    record_event(
        actor=request.user,
        subject=obj,
        action=f"admin_{verb}",
        action_label=LABELS[verb],
        opinion=f"{meta.verbose_name}：{obj}。{text}".strip("。") if text else f"{meta.verbose_name}：{obj}",
        rule_id="X-1",
        ip=client_ip(request),
    )


def install() -> None:
    """Wrap the three logging methods of ModelAdmin (idempotent)."""
    model_admin = admin.ModelAdmin
    if getattr(model_admin, "_tiexi_audited", False):
        return
    log_addition, log_change, log_deletions = (
        model_admin.log_addition,
        model_admin.log_change,
        model_admin.log_deletions,
    )

    def audited_addition(self, request, obj, message):
        _record(request, obj, "add", _message(message))
        return log_addition(self, request, obj, message)

    def audited_change(self, request, obj, message):
        if message == []:  # a form saved as it was: nothing changed, nothing to record ("没有字段被修改")
            return None
        _record(request, obj, "change", _message(message))
        return log_change(self, request, obj, message)

    def audited_deletions(self, request, queryset):
        for obj in queryset:
            _record(request, obj, "delete")
        return log_deletions(self, request, queryset)

    model_admin.log_addition = audited_addition
    model_admin.log_change = audited_change
    model_admin.log_deletions = audited_deletions
    model_admin._tiexi_audited = True

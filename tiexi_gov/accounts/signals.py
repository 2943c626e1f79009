"""Receivers: the login audit, the session clock, and the forced change after an administrator sets a password."""

import json
import time

from django.contrib.admin.models import ADDITION, CHANGE, LogEntry
from django.contrib.auth import get_user_model
from django.contrib.auth.signals import user_logged_in, user_logged_out, user_login_failed
from django.contrib.contenttypes.models import ContentType
from django.db.models.signals import post_save
from django.dispatch import receiver

from .audit import from_http, record_login_event
from .passwords import change_reason, require_password_change, state_for

LOGIN_AT = "_tiexi_login_at"
SEEN_AT = "_tiexi_seen_at"
IS_ADMIN = "_tiexi_admin"
PW_REASON = "_tiexi_pw_reason"
PW_CHECKED = "_tiexi_pw_checked"


@receiver(user_logged_in, dispatch_uid="tiexi_accounts_logged_in")
def on_logged_in(sender, request, user, **kwargs):
    now = time.time()
    state_for(user)  # the expiry clock of an account the policy has not met yet starts now
    if request is not None and hasattr(request, "session"):
        from .middleware import is_administrator

        request.session[LOGIN_AT] = now
        request.session[SEEN_AT] = now
        request.session[IS_ADMIN] = is_administrator(user)
        request.session[PW_REASON] = change_reason(user)
        request.session[PW_CHECKED] = now
    if from_http(request):
        record_login_event(request=request, action="login", user=user)


@receiver(user_logged_out, dispatch_uid="tiexi_accounts_logged_out")
def on_logged_out(sender, request, user, **kwargs):
    if user is None or not from_http(request):
        return
    reason = getattr(request, "tiexi_logout_reason", "")
    record_login_event(request=request, action="session_expired" if reason else "logout", user=user, note=reason)


@receiver(user_login_failed, dispatch_uid="tiexi_accounts_login_failed")
def on_login_failed(sender, credentials, request=None, **kwargs):
    if not from_http(request):
        return
    username = str((credentials or {}).get("username", ""))[:150]
    user = get_user_model().objects.filter(username=username).first() if username else None
    note = "已锁定" if getattr(request, "axes_locked_out", False) else ""
    note = getattr(request, "tiexi_failure_note", "") or note
    record_login_event(request=request, action="login_failed", user=user, username=username, note=note)


@receiver(post_save, sender=LogEntry, dispatch_uid="tiexi_accounts_admin_password")
def on_admin_log(sender, instance, created, **kwargs):
    """A new account made in the admin console, or another account's password set there: its holder must change
    the password at the next login (the admin's own change of his own password is not forced)."""
    if not created or instance.action_flag not in (ADDITION, CHANGE):
        return
    User = get_user_model()
    if instance.content_type_id != ContentType.objects.get_for_model(User).id:
        return
    if instance.action_flag == CHANGE and not _password_changed(instance.change_message):
        return
    if str(instance.user_id) == str(instance.object_id):
        return
    user = User.objects.filter(pk=instance.object_id).first()
    if user is not None and user.has_usable_password():
        require_password_change(user)


def _password_changed(message: str) -> bool:
    try:
        parts = json.loads(message or "[]")
    except ValueError:
        return "password" in (message or "").lower()
    for part in parts if isinstance(parts, list) else []:
        fields = (part.get("changed") or {}).get("fields") or []
        if any("password" in str(f).lower() or "密码" in str(f) for f in fields):
            return True
    return False

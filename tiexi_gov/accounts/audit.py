"""Login, failed login and logout, the holder's own password change and the binding of an authenticator go into the
audit record with the address and the browser (等保 安全审计)."""

from django.contrib.auth import get_user_model
from django.db import transaction

from tiexi_gov.audit.services import event, record_events

from .net import login_ip

ACTIONS = {
    "login": "登录",
    "login_failed": "登录失败",
    "logout": "退出登录",
    "session_expired": "会话超时退出",
    "password_changed": "修改密码",
    "otp_bound": "绑定动态验证码",
}


def from_http(request) -> bool:
    """A login through a real request (the login page), not a programmatic one (shell, test client's force_login)."""
    return request is not None and bool(getattr(request, "META", None)) and "REMOTE_ADDR" in request.META


def user_agent(request) -> str:
    return (request.META.get("HTTP_USER_AGENT", "") or "未知")[:500]


def record_login_event(*, request, action: str, user=None, username: str = "", note: str = "") -> None:
    """Append one login event. For a failed login `user` is the account if it exists; the attempted name is kept."""
    User = get_user_model()
    subject = user if user is not None and user.pk else User
    row = event(
        actor=user if action != "login_failed" else None,
        subject=subject,
        action=action,
        action_label=ACTIONS[action],
        opinion="；".join(p for p in (f"浏览器：{user_agent(request)}", note) if p),
        ip=login_ip(request),
    )
    if subject is User:  # no such account: keep the name that was tried, nothing else
        row.subject_id = ""
        row.subject_repr = f"用户名：{username}"[:300]
    with transaction.atomic():
        record_events([row])

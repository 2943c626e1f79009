"""Every write of the API app: creating, collecting and revoking tokens and recording a refused use. Each writes
its audit event in the same transaction (X-1)."""

from __future__ import annotations

import datetime as dt
import hashlib
import secrets

from django.db import transaction
from django.urls import reverse
from django.utils import timezone

from tiexi_gov.audit.services import record_event
from tiexi_gov.notify.services import notify
from tiexi_gov.org.roles import Role, has_role, is_technical_account
from tiexi_gov.workflow.errors import ActionRefused, NotAllowed

from .models import ApiToken

TOKEN_PREFIX = "tx_"
LAST_USED_RESOLUTION = dt.timedelta(minutes=1)  # a busy system does not write its token row on every call


def digest_of(raw: str) -> str:
    return hashlib.sha256(raw.encode("utf-8")).hexdigest()


def may_manage_tokens(user) -> bool:
    return bool(getattr(user, "is_authenticated", False) and user.is_active and has_role(user, Role.SECURITY_ADMIN))


@transaction.atomic
def create_token(
    *, actor, user, name: str, read_only: bool = False, expires_at: dt.datetime | None = None
) -> tuple[ApiToken, str]:
    """A new token for `user`; returns the row and the token itself, which is shown once and never stored.
    A token that does office work (可办理) is its user's own, made by himself: the security administrator
    issues read-only tokens only, and even those without seeing them — the row is issued pending and the user
    collects its token (`collect_token`), so the token returned to the administrator is "": a read-only token in
    his hands would let him read as the person he names (三员分立). An administrator's account
    (系统/安全/审计/日历管理员) has no token: administrators do no office work, and none reads as another."""
    own = user is not None and getattr(actor, "pk", None) == user.pk
    if not (own or may_manage_tokens(actor)):
        raise NotAllowed("只有安全管理员或使用人本人可以创建接口令牌。")
    if user is None or not user.is_active:
        raise ActionRefused("该账号已停用，不能创建接口令牌。")
    if own and is_technical_account(user):
        raise ActionRefused("三员分立：管理员不得为自己创建接口令牌。")
    if is_technical_account(user):
        # A credential in another administrator's name would let the security administrator read as him (his
        # inbox, his tasks): administrators' accounts have no token at all, whoever asks.
        raise ActionRefused("三员分立：不得为管理员账号创建接口令牌。")
    name = (name or "").strip()
    if not name:
        raise ActionRefused("请填写令牌的用途。")
    if expires_at is not None and expires_at <= timezone.now():
        raise ActionRefused("有效期须晚于当前时间。")
    if is_technical_account(user) or not own:
        read_only = True
    raw = _new_raw() if own else ""
    token = ApiToken.objects.create(
        user=user,
        name=name[:100],
        prefix=raw[:10],
        digest=digest_of(raw) if raw else None,
        read_only=read_only,
        expires_at=expires_at,
        created_by=actor,
    )
    scope = "只读" if read_only else "可办理"
    until = timezone.localtime(expires_at).strftime("%Y-%m-%d %H:%M") if expires_at else "长期"
    record_event(
        actor=actor,
        subject=token,
        action="api_token_create",
        action_label="创建接口令牌" if own else "签发接口令牌",
        to_state="有效" if own else "待使用人领取",
        opinion=f"使用人：{user.display_name}（{user.username}）；用途：{token.name}；{scope}；有效期至：{until}",
    )
    if not own:
        notify(
            recipients=[user],
            subject=f"接口令牌待领取：{token.name}",
            body="安全管理员为您签发了只读接口令牌，请在“我的接口令牌”中领取；令牌只在领取时向您本人显示一次。",
            url=reverse("api:my_tokens"),
        )
    return token, raw


def _new_raw() -> str:
    return TOKEN_PREFIX + secrets.token_urlsafe(32)


@transaction.atomic
def collect_token(*, actor, token: ApiToken) -> tuple[ApiToken, str]:
    """领取: the user of a token the security administrator issued makes its token, shown to him once. Only the
    user collects it, once, while it is neither revoked nor expired."""
    fresh = ApiToken.objects.select_for_update().get(pk=token.pk)
    if fresh.user_id != getattr(actor, "pk", None):
        raise NotAllowed("只有令牌的使用人本人可以领取。")
    if not fresh.pending:
        raise ActionRefused("该令牌已于此前领取，令牌只显示一次；如已遗失，请吊销后重新申请。")
    if fresh.revoked_at is not None:
        raise ActionRefused("该令牌已吊销，不能领取。")
    if fresh.expires_at is not None and fresh.expires_at <= timezone.now():
        raise ActionRefused("该令牌已过有效期，不能领取。")
    raw = _new_raw()
    fresh.prefix, fresh.digest = raw[:10], digest_of(raw)
    fresh.save(update_fields=["prefix", "digest"])
    record_event(
        actor=actor,
        subject=fresh,
        action="api_token_collect",
        action_label="领取接口令牌",
        from_state="待使用人领取",
        to_state="有效",
        opinion=f"用途：{fresh.name}",
    )
    return fresh, raw


@transaction.atomic
def revoke_token(*, actor, token: ApiToken, reason: str = "") -> ApiToken:
    if not (may_manage_tokens(actor) or token.user_id == getattr(actor, "pk", None)):
        raise NotAllowed("只有安全管理员或使用人本人可以吊销接口令牌。")
    fresh = ApiToken.objects.select_for_update().get(pk=token.pk)
    if fresh.revoked_at is not None:
        raise ActionRefused("该令牌已于此前吊销。")
    before = fresh.status_label  # 有效, 已过期, or 待使用人领取 for one never collected
    fresh.revoked_at, fresh.revoked_by = timezone.now(), actor
    fresh.save(update_fields=["revoked_at", "revoked_by"])
    record_event(
        actor=actor,
        subject=fresh,
        action="api_token_revoke",
        action_label="吊销接口令牌",
        from_state=before,
        to_state="已吊销",
        opinion=(reason or "").strip()[:500],
    )
    return fresh


@transaction.atomic
def record_denied(*, token: ApiToken, reason: str) -> None:
    """A use of `token` the API refused (revoked, expired, a stopped account, office work by an administrator,
    a write with a read-only token): who, what and from where, in the audit record."""
    record_event(
        actor=token.user,
        subject=token,
        action="api_token_denied",
        action_label="接口令牌被拒绝",
        opinion=reason[:500],
    )


def touch(token: ApiToken) -> None:
    """Remember when the token was last used (at most once a minute)."""
    now = timezone.now()
    if token.last_used_at is None or now - token.last_used_at >= LAST_USED_RESOLUTION:
        ApiToken.objects.filter(pk=token.pk).update(last_used_at=now)
        token.last_used_at = now

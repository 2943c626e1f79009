"""The password policy (等保 2.0 身份鉴别): strength, history, expiry and the forced change.

- `require_password_change(user)`: the account's holder must set a new password at the next request (an
  administrator's reset, a new account made in the admin console).
- `password_set(user)`: called whenever a password is set (the validators' `password_changed` hook): it starts the
  expiry clock again and keeps the hash for the history check.
- `change_reason(user)`: why the holder must change the password now ("" if he need not).
"""

import datetime as dt

from django.conf import settings
from django.contrib.auth.hashers import check_password
from django.db import transaction
from django.utils import timezone

from .models import PasswordHistory, PasswordState


def history_count() -> int:
    return int(getattr(settings, "PASSWORD_HISTORY_COUNT", 5))


def max_age() -> dt.timedelta | None:
    days = int(getattr(settings, "PASSWORD_MAX_AGE_DAYS", 90))
    return dt.timedelta(days=days) if days > 0 else None


def state_for(user) -> PasswordState:
    """The account's row, made on first sight with the clock starting now (seeded and imported accounts)."""
    state, _ = PasswordState.objects.get_or_create(user=user, defaults={"changed_at": timezone.now()})
    return state


def require_password_change(user) -> None:
    """Force the holder of `user` to choose a new password before anything else (after a reset, or for a new account).

    Call it after the new password is saved. Idempotent."""
    PasswordState.objects.update_or_create(
        user=user, defaults={"must_change": True}, create_defaults={"must_change": True, "changed_at": timezone.now()}
    )


@transaction.atomic
def password_set(user) -> None:
    """The account has a new password (hash in `user.password`): restart the clock and remember the hash."""
    if not user.pk or not user.has_usable_password():
        return
    PasswordState.objects.update_or_create(
        user=user, defaults={"changed_at": timezone.now()}, create_defaults={"changed_at": timezone.now()}
    )
    PasswordHistory.objects.create(user=user, password=user.password)
    keep = list(PasswordHistory.objects.filter(user=user).values_list("pk", flat=True)[: max(history_count(), 1)])
    PasswordHistory.objects.filter(user=user).exclude(pk__in=keep).delete()


def changed_by_holder(user) -> None:
    """The holder chose a new password himself: the forced change is done."""
    PasswordState.objects.filter(user=user).update(must_change=False)


def reuses_recent(user, password: str) -> bool:
    """True if `password` is the current one or one of the last N (N = PASSWORD_HISTORY_COUNT)."""
    if not user or not user.pk:
        return False
    hashes = list(PasswordHistory.objects.filter(user=user).values_list("password", flat=True)[: history_count()])
    from django.contrib.auth import get_user_model

    current = get_user_model().objects.filter(pk=user.pk).values_list("password", flat=True).first()
    if current:
        hashes.append(current)
    return any(check_password(password, h) for h in hashes if h)


def change_reason(user) -> str:
    """Why the holder must change the password before going on; "" when he need not."""
    state = PasswordState.objects.filter(user=user).first()
    if state is None:
        return ""
    if state.must_change:
        return "首次登录或密码被重置后，须先修改密码。"
    age = max_age()
    if age is not None and timezone.now() - state.changed_at > age:
        return f"密码已超过{age.days}天未修改，已过期，请修改密码。"
    return ""

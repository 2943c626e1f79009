"""The login page (password, then the second factor where the account has or needs one), the lockout answer, the
password change page and the TOTP enrolment page."""

import time

from axes.handlers.proxy import AxesProxyHandler
from django.conf import settings
from django.contrib import messages
from django.contrib.auth import get_user_model, logout, update_session_auth_hash
from django.contrib.auth import login as auth_login
from django.contrib.auth import views as auth_views
from django.contrib.auth.decorators import login_required
from django.contrib.auth.forms import PasswordChangeForm
from django.contrib.auth.signals import user_login_failed
from django.db import transaction
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.http import url_has_allowed_host_and_scheme
from django.views.decorators.debug import sensitive_post_parameters

from .audit import record_login_event
from .passwords import changed_by_holder
from .signals import PW_CHECKED, PW_REASON
from .totp import confirmed_device, needs_second_factor, new_device, otp_login, verify

LOCKED_MESSAGE = "登录失败次数过多，已暂时锁定，请10分钟后再试。如需帮助请联系安全管理员。"
PENDING = "_tiexi_2fa_pending"
PENDING_SECONDS = 300


class LoginView(auth_views.LoginView):
    template_name = "registration/login.html"

    def form_valid(self, form):
        user = form.get_user()
        if needs_second_factor(user):
            self.request.session[PENDING] = {
                "user": user.pk,
                "backend": user.backend,
                "at": time.time(),
                "next": self.get_redirect_url(),
            }
            return redirect("otp_verify")
        return super().form_valid(form)


def locked_out(request, original_response=None, credentials=None):
    """AXES_LOCKOUT_CALLABLE: the login page again, with the same words whether or not the account exists."""
    return render(request, "registration/login.html", {"locked_message": LOCKED_MESSAGE}, status=429)


def _credentials(request) -> dict:
    return {"username": request.user.get_username()}


def password_locked(request) -> bool:
    """A page of a logged-in session that asks the account's password again: the login page's lockout (django-axes,
    by username or address) holds there too, checked before the password is."""
    return AxesProxyHandler.is_locked(request, _credentials(request))


def failed_password(request, *, note: str) -> bool:
    """A wrong password typed in a logged-in session counts as a failed login (the same counters, the same login
    audit): a stolen session must not become a place to guess the password without limit. True once it locks."""
    request.tiexi_failure_note = note
    user_login_failed.send(sender=__name__, credentials=_credentials(request), request=request)
    return bool(getattr(request, "axes_locked_out", False))


def end_locked_session(request):
    """Locked as the login page locks: the session ends and the lockout page is shown (429)."""
    request.tiexi_logout_reason = "密码错误次数过多，账号已暂时锁定"
    logout(request)
    return locked_out(request)


def _pending_user(request):
    pending = request.session.get(PENDING)
    if not pending or time.time() - float(pending.get("at", 0)) > PENDING_SECONDS:
        request.session.pop(PENDING, None)
        return None, None
    user = get_user_model().objects.filter(pk=pending["user"], is_active=True).first()
    return user, pending


@sensitive_post_parameters()
def otp_verify(request):
    """Second step of the login: the six-digit code, or (an administrator without a device yet) enrolment."""
    user, pending = _pending_user(request)
    if user is None:
        messages.warning(request, "验证已超时，请重新登录。")
        return redirect(settings.LOGIN_URL)
    device = confirmed_device(user)
    enrolling = device is None
    if enrolling:
        device = new_device(user)
    error = ""
    if request.method == "POST":
        if verify(device, request.POST.get("token", "")):
            request.session.pop(PENDING, None)
            user.backend = pending["backend"]
            auth_login(request, user)
            otp_login(request, device, confirm=enrolling)
            if enrolling:
                record_login_event(request=request, action="otp_bound", user=user)
            nxt = pending.get("next") or ""
            if not url_has_allowed_host_and_scheme(nxt, {request.get_host()}, request.is_secure()):
                nxt = reverse(settings.LOGIN_REDIRECT_URL)
            return redirect(nxt or settings.LOGIN_REDIRECT_URL)
        error = "动态验证码不正确，请重新输入。"
        request.tiexi_failure_note = "动态验证码错误"
        user_login_failed.send(sender=__name__, credentials={"username": user.username}, request=request)
        if getattr(request, "axes_locked_out", False):
            request.session.pop(PENDING, None)
            return locked_out(request)
    return render(
        request,
        "accounts/otp_verify.html",
        {"enrolling": enrolling, "device": device, "error": error},
        status=400 if error else 200,
    )


@login_required
@sensitive_post_parameters()
def otp_setup(request):
    """Anyone may bind an authenticator app to the account; from then on the login asks for its code."""
    device = confirmed_device(request.user)
    if device is not None:
        return render(request, "accounts/otp_setup.html", {"bound": True})
    device = new_device(request.user)
    error = ""
    # The account's own password first: a moment at someone's unlocked session must not bind a stranger's phone.
    asks_password = request.user.has_usable_password()
    if request.method == "POST":
        password = request.POST.get("password", "")
        if asks_password and password_locked(request):
            return end_locked_session(request)
        if asks_password and not password:
            error = "请输入登录密码。"
        elif asks_password and not request.user.check_password(password):
            if failed_password(request, note="绑定动态验证码时登录密码错误"):
                return end_locked_session(request)
            error = "登录密码不正确，请重新输入。"
        elif verify(device, request.POST.get("token", "")):
            with transaction.atomic():
                otp_login(request, device, confirm=True)
                record_login_event(request=request, action="otp_bound", user=request.user)
            messages.success(request, "已绑定动态验证码，今后登录时需输入。")
            return redirect(settings.LOGIN_REDIRECT_URL)
        else:
            error = "动态验证码不正确，请重新输入。"
    context = {"device": device, "error": error, "asks_password": asks_password}
    return render(request, "accounts/otp_setup.html", context, status=400 if error else 200)


@login_required
@sensitive_post_parameters()
def password_change(request):
    if request.method == "POST" and request.user.has_usable_password() and password_locked(request):
        return end_locked_session(request)
    form = PasswordChangeForm(request.user, request.POST or None)
    # the old password guessed in a logged-in session counts as a failed login, as on the binding page
    guessed = request.method == "POST" and form.has_error("old_password", "password_incorrect")
    if guessed and failed_password(request, note="修改密码时原密码错误"):
        return end_locked_session(request)
    if request.method == "POST" and form.is_valid():
        with transaction.atomic():
            user = form.save()
            changed_by_holder(user)
            record_login_event(request=request, action="password_changed", user=user)
        update_session_auth_hash(request, user)
        request.session[PW_REASON] = ""
        request.session[PW_CHECKED] = time.time()
        messages.success(request, "密码已修改。")
        return redirect(settings.LOGIN_REDIRECT_URL)
    return render(request, "accounts/password_change.html", {"form": form}, status=400 if form.errors else 200)

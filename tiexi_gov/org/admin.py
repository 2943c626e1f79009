"""Django admin for the org chart. The office maintains it; 三员 (system/security/audit admins) keep accounts.

The models' clean() rules (overlapping appointments and portfolios, who may act for whom) surface as form
errors in Chinese; rows edited together in one inline are checked against each other's new values.
"""

from __future__ import annotations

from django import forms
from django.contrib import admin
from django.contrib.admin.utils import unquote
from django.contrib.auth.admin import UserAdmin as DjangoUserAdmin
from django.contrib.auth.forms import AdminUserCreationForm, UserChangeForm
from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import OuterRef, Subquery
from django.forms.models import BaseInlineFormSet
from django.http import Http404
from django.utils import timezone
from django.utils.functional import cached_property

from tiexi_gov.accounts import totp
from tiexi_gov.forms import admin_date_overrides

from . import resets
from .access import handled_post_ids, may_keep_appointment, may_keep_arrangement, may_keep_post
from .admin_audit import client_ip
from .models import ActingArrangement, Appointment, PasswordResetApproval, Portfolio, Post, Unit, User
from .roles import Role, check_role_separation, has_role
from .selectors import head_post
from .services import record_role_change


class ValidityFilter(admin.SimpleListFilter):
    """Rows in force today, ended, or not yet started (start/end dates, ORG-1)."""

    title = "有效状态"
    parameter_name = "validity"

    def lookups(self, request, model_admin):
        return [("current", "当前有效"), ("ended", "已结束"), ("future", "尚未开始")]

    def queryset(self, request, queryset):
        today = timezone.localdate()
        if self.value() == "current":
            return queryset.on(today)
        if self.value() == "ended":
            return queryset.filter(end__lt=today)
        if self.value() == "future":
            return queryset.filter(start__gt=today)
        return queryset


class VacancyFilter(admin.SimpleListFilter):
    """Posts held today or vacant today."""

    title = "今日任职"
    parameter_name = "holder"

    def lookups(self, request, model_admin):
        return [("held", "有任职人"), ("vacant", "空缺")]

    def queryset(self, request, queryset):
        held = Appointment.objects.on(timezone.localdate()).values("post_id")
        if self.value() == "held":
            return queryset.filter(pk__in=held)
        if self.value() == "vacant":
            return queryset.exclude(pk__in=held)
        return queryset


class DatedInlineFormSet(BaseInlineFormSet):
    """Checks the dated rows of one inline against each other, using the values being submitted.

    The model's clean() checks against the database; here it skips the rows of this form set (they may be changed
    in the same save — e.g. the predecessor's end date entered together with the successor's appointment).
    """

    overlap_key: str | None = None  # rows overlap only when this field is equal too (None: all rows)
    overlap_message = "这些记录的起止日期相互重叠。"

    @cached_property
    def sibling_pks(self) -> set:
        return {obj.pk for obj in self.get_queryset()}

    def _construct_form(self, i, **kwargs):
        form = super()._construct_form(i, **kwargs)
        form.instance._checked_elsewhere = self.sibling_pks
        return form

    def clean(self):
        super().clean()
        rows = []
        for form in self.forms:
            data = getattr(form, "cleaned_data", None)
            if not data or (self.can_delete and self._should_delete_form(form)) or not data.get("start"):
                continue
            key = data.get(self.overlap_key) if self.overlap_key else None
            rows.append((key, data["start"], data.get("end")))
        for i, (key_a, start_a, end_a) in enumerate(rows):
            for key_b, start_b, end_b in rows[i + 1 :]:
                if key_a == key_b and (end_b is None or start_a <= end_b) and (end_a is None or start_b <= end_a):
                    raise ValidationError(self.overlap_message)


class AppointmentFormSet(DatedInlineFormSet):
    overlap_message = "同一职务在这段时间已有任职人，请先填写前任的截止日期。"


class PortfolioFormSet(DatedInlineFormSet):
    overlap_key = "unit"
    overlap_message = "该单位在这段时间已有分管领导，请先结束原分工。"


NOT_ONESELF = "不能为本人任职或修改本人的任职：本人的职务由其他工作人员录入。"


class AppointmentForm(forms.ModelForm):
    """An appointment entered in the admin; `actor` (set per request) may not appoint himself, nor turn an
    appointment into his own or change his own (org.access.may_keep_appointment)."""

    actor = None

    def clean(self):
        cleaned = super().clean()
        if self.actor is not None:
            people = [cleaned.get("person")]
            if self.instance.pk and self.has_changed():
                people.append(self.instance.person if self.instance.person_id else None)
            if not all(may_keep_appointment(self.actor, p) for p in people):
                self.add_error("person" if "person" in self.fields else None, NOT_ONESELF)
        return cleaned


def with_actor(form_class, request):
    return type(form_class.__name__, (form_class,), {"actor": request.user})


class AppointmentInline(admin.TabularInline):
    formfield_overrides = admin_date_overrides()
    model = Appointment
    formset = AppointmentFormSet
    extra = 1
    autocomplete_fields = ["person"]
    fields = ["person", "start", "end", "note"]
    ordering = ["-start"]
    form = AppointmentForm

    def get_formset(self, request, obj=None, **kwargs):
        formset = super().get_formset(request, obj, **kwargs)
        formset.form = with_actor(formset.form, request)
        return formset


class PortfolioInline(admin.TabularInline):
    formfield_overrides = admin_date_overrides()
    model = Portfolio
    formset = PortfolioFormSet
    fk_name = "post"
    extra = 1
    autocomplete_fields = ["unit"]
    fields = ["unit", "start", "end", "basis"]
    ordering = ["unit__order", "-start"]
    verbose_name_plural = "分管单位（变更分工请填写原分工的截止日期，再新增一行）"


@admin.register(Unit)
class UnitAdmin(admin.ModelAdmin):
    list_display = ["name", "short_name", "code", "kind", "is_comprehensive", "order", "active"]
    list_editable = ["order"]
    list_filter = ["kind", "is_comprehensive", "active"]
    search_fields = ["name", "short_name", "code"]
    ordering = ["order", "id"]


def _holder_today_subquery(field: str = "person__full_name"):
    return Subquery(Appointment.objects.on(timezone.localdate()).filter(post=OuterRef("pk")).values(field)[:1])


class PostForm(forms.ModelForm):
    """A post edited in the admin: `actor` (set per request) may not change a post he holds
    (org.access.may_keep_post)."""

    actor = None

    def clean(self):
        cleaned = super().clean()
        held = self.actor is not None and self.instance.pk and not may_keep_post(self.actor, self.instance)
        if held and self.has_changed():
            raise ValidationError("不能修改本人担任的职务：本人的职务由其他工作人员维护。")
        return cleaned


@admin.register(Post)
class PostAdmin(admin.ModelAdmin):
    form = PostForm
    list_display = ["title", "unit", "kind", "holder_today", "is_judicial", "may_sign", "order"]
    list_filter = [VacancyFilter, "kind", "unit__kind", "is_judicial", "may_sign", "unit"]
    list_select_related = ["unit"]
    search_fields = ["title", "unit__name", "unit__short_name", "appointments__person__full_name"]
    autocomplete_fields = ["unit"]
    ordering = ["unit__order", "order", "id"]

    def get_queryset(self, request):
        return super().get_queryset(request).annotate(_holder=_holder_today_subquery())

    @admin.display(description="今日任职人")
    def holder_today(self, obj):
        return getattr(obj, "_holder", None) or "（空缺）"

    def get_inlines(self, request, obj):
        if obj is not None and obj.is_leader:
            return [AppointmentInline, PortfolioInline]
        return [AppointmentInline]

    def get_form(self, request, obj=None, **kwargs):
        return with_actor(super().get_form(request, obj, **kwargs), request)


@admin.register(Appointment)
class AppointmentAdmin(admin.ModelAdmin):
    form = AppointmentForm
    formfield_overrides = admin_date_overrides()
    list_display = ["person", "post", "unit_name", "start", "end", "note"]
    list_filter = [ValidityFilter, "post__kind", "post__unit__kind"]
    list_select_related = ["person", "post", "post__unit"]
    search_fields = ["person__full_name", "person__username", "post__title", "post__unit__name"]
    autocomplete_fields = ["post", "person"]
    date_hierarchy = "start"

    @admin.display(description="单位", ordering="post__unit__order")
    def unit_name(self, obj):
        return obj.post.unit.display_name

    def get_form(self, request, obj=None, **kwargs):
        return with_actor(super().get_form(request, obj, **kwargs), request)


@admin.register(Portfolio)
class PortfolioAdmin(admin.ModelAdmin):
    formfield_overrides = admin_date_overrides()
    list_display = ["unit", "post", "start", "end", "basis"]
    list_filter = [ValidityFilter, "post", "unit__kind"]
    list_select_related = ["unit", "post"]
    search_fields = ["unit__name", "unit__short_name", "post__title", "basis"]
    autocomplete_fields = ["post", "unit"]
    date_hierarchy = "start"


class ActingArrangementForm(forms.ModelForm):
    """Entered by the office on the head's word (第十五条 由区长指定 / 委托): the 指定人 is named, and is whoever holds
    or acts for the head's post on the first day, not anyone the form offers."""

    actor = None  # set per request by ActingArrangementAdmin.get_form

    class Meta:
        model = ActingArrangement
        fields = ("absent_post", "acting_post", "kind", "start", "end", "reason", "designated_by", "cancelled")

    def clean(self):
        cleaned = super().clean()
        if self.actor is not None:
            posts = [cleaned.get("acting_post")]
            if self.instance.pk and self.has_changed():
                posts.append(self.instance.acting_post if self.instance.acting_post_id else None)
            start, end = cleaned.get("start") or self.instance.start, cleaned.get("end")
            if not all(may_keep_arrangement(self.actor, p, start, end) for p in posts):
                self.add_error("acting_post", "不能录入由本人职务代理的安排：本人代理他人须由其他工作人员录入。")
        who, start = cleaned.get("designated_by"), cleaned.get("start")
        if who is None:
            self.add_error("designated_by", "请填写指定人（区长，或受区长委托主持工作的副区长）（第十五条）。")
        elif start is not None:
            head = head_post()
            if head is None or head.pk not in handled_post_ids(who, start):
                self.add_error("designated_by", "指定人须为该日的区长或受区长委托主持工作的副区长（第十五条）。")
        return cleaned


@admin.register(ActingArrangement)
class ActingArrangementAdmin(admin.ModelAdmin):
    form = ActingArrangementForm
    formfield_overrides = admin_date_overrides()
    list_display = ["absent_post", "acting_post", "kind", "start", "end", "reason", "designated_by", "cancelled"]
    list_filter = [ValidityFilter, "kind", "cancelled"]
    list_select_related = ["absent_post", "acting_post", "designated_by"]
    search_fields = ["absent_post__title", "acting_post__title", "reason"]
    autocomplete_fields = ["absent_post", "acting_post", "designated_by"]
    date_hierarchy = "start"

    def get_form(self, request, obj=None, **kwargs):
        return with_actor(super().get_form(request, obj, **kwargs), request)


class RoleSeparationMixin:
    """A form error (not a 500) when the chosen groups break 三员分立 (X-2)."""

    def clean(self):
        cleaned = super().clean()
        groups = cleaned.get("groups")
        if groups is not None:
            try:
                check_role_separation(g.name for g in groups)
            except ValidationError as error:
                self.add_error("groups", error)
        return cleaned


class OrgUserChangeForm(RoleSeparationMixin, UserChangeForm):
    class Meta(UserChangeForm.Meta):
        model = User
        fields = "__all__"


class OrgUserCreationForm(RoleSeparationMixin, AdminUserCreationForm):
    class Meta(AdminUserCreationForm.Meta):
        model = User
        fields = ("username", "full_name", "unit", "phone", "email", "groups")


ACCOUNT_FIELDS = (
    *("username", "employee_number", "full_name", "unit", "phone", "email", "is_active", "first_name", "last_name"),
)
ACCESS_FIELDS = ("groups", "user_permissions", "is_staff")


@admin.register(User)
class UserAdmin(DjangoUserAdmin):
    """Accounts. The system admin keeps accounts, the security admin assigns roles (三员分立)."""

    form = OrgUserChangeForm
    add_form = OrgUserCreationForm
    fieldsets = (
        (None, {"fields": ("username", "password")}),
        ("个人信息", {"fields": ("employee_number", "full_name", "unit", "phone", "email")}),
        ("角色与权限", {"fields": ("is_active", "is_staff", "is_superuser", "groups", "user_permissions")}),
        ("重要日期", {"fields": ("last_login", "date_joined")}),
    )
    add_fieldsets = (
        (
            None,
            {
                "classes": ("wide",),
                "fields": (
                    *("username", "employee_number", "full_name", "unit", "phone", "email"),
                    *("usable_password", "password1", "password2"),
                ),
            },
        ),
        ("角色", {"fields": ("groups",)}),
    )
    list_display = ["username", "full_name", "unit", "phone", "role_names", "is_active", "is_staff"]
    list_filter = ["groups", "unit__kind", "is_active", "is_staff", "unit"]
    list_select_related = ["unit"]
    search_fields = ["username", "full_name", "phone", "email", "unit__name", "unit__short_name"]
    autocomplete_fields = ["unit"]
    ordering = ["unit__order", "username"]

    def get_queryset(self, request):
        return super().get_queryset(request).prefetch_related("groups")

    @admin.display(description="角色")
    def role_names(self, obj):
        return "、".join(sorted(g.name for g in obj.groups.all())) or "—"

    def get_readonly_fields(self, request, obj=None):
        # The login and joining times are records, not settings; a permission given one person past the roles
        # would step round 三员分立, which is checked on the groups (check_role_separation): roles are groups only.
        readonly = [*super().get_readonly_fields(request, obj), "last_login", "date_joined"]
        actor = request.user
        if obj is not None and obj.pk == actor.pk:
            # Nobody changes his own roles (issue 12.1), nor his own unit: the seat is given by another account.
            readonly += [*ACCESS_FIELDS, "is_superuser", "is_active", "unit"]
        if actor.is_superuser:
            return readonly
        readonly += ["is_superuser", "user_permissions"]
        if obj is not None and obj.pk != actor.pk and resets.is_admin_account(obj):
            # 三员分立: a peer cannot switch off, rename, re-address or strip the role of another administrator's
            # account — the system administrator would silence the auditor who reads his acts, the security
            # administrator likewise. The operator does it on the server (README).
            readonly += [*ACCOUNT_FIELDS, *ACCESS_FIELDS]
        if obj is not None:
            if not has_role(actor, Role.SECURITY_ADMIN):
                readonly += ACCESS_FIELDS  # only the security admin assigns roles
            if not has_role(actor, Role.SYSTEM_ADMIN):
                readonly += ACCOUNT_FIELDS  # only the system admin keeps account data
        return readonly

    def get_fieldsets(self, request, obj=None):
        fieldsets = super().get_fieldsets(request, obj)
        if obj is None and not (request.user.is_superuser or has_role(request.user, Role.SECURITY_ADMIN)):
            return fieldsets[:1]  # the system admin creates the account; the security admin gives it roles
        return fieldsets

    actions = ["reset_second_factor"]

    def get_actions(self, request):
        actions = super().get_actions(request)
        if not has_role(request.user, Role.SECURITY_ADMIN):
            actions.pop("reset_second_factor", None)
        return actions

    @admin.action(description="重置所选人员的动态验证码（手机遗失或更换时）")
    def reset_second_factor(self, request, queryset):
        """The security administrator's: without it a lost phone locks its owner out for good."""
        done, skipped = [], []
        with transaction.atomic():
            for user in queryset:
                if user.pk == request.user.pk:
                    skipped.append(user.display_name)
                elif totp.reset_devices(actor=request.user, user=user):
                    done.append(user.display_name)
        if done:
            self.message_user(request, f"已重置{'、'.join(done)}的动态验证码，下次登录时重新绑定。")
        if skipped:
            self.message_user(request, "不能重置本人的动态验证码，请由另一名安全管理员办理。", level="error")
        if not done and not skipped:
            self.message_user(request, "所选人员尚未绑定动态验证码，无需重置。", level="warning")

    def user_change_password(self, request, id, form_url=""):
        """A reset of another account: the system administrator's, with the security administrator's approval when
        the account is an administrator's; audited, and the owner must change it at the next login (resets.py)."""
        target = self.get_object(request, unquote(id))
        if target is None:
            raise Http404
        approval = resets.check_reset(request.user, target)
        with transaction.atomic():
            response = super().user_change_password(request, id, form_url)
            if request.method == "POST" and response.status_code == 302:
                resets.record_reset(actor=request.user, target=target, approval=approval, ip=client_ip(request))
        return response

    def save_related(self, request, form, formsets, change):
        before = set(form.instance.groups.values_list("name", flat=True)) if change else set()
        super().save_related(request, form, formsets, change)
        after = set(form.instance.groups.values_list("name", flat=True))
        record_role_change(actor=request.user, user=form.instance, before=before, after=after)


class PasswordResetApprovalForm(forms.ModelForm):
    actor = None  # set per request by PasswordResetApprovalAdmin.get_form

    class Meta:
        model = PasswordResetApproval
        fields = ("target", "reason")

    def clean_target(self):
        target = self.cleaned_data["target"]
        if self.actor is not None and target.pk == self.actor.pk:
            raise ValidationError("不能批准重置本人账号的密码。")
        if not resets.is_admin_account(target):
            raise ValidationError("普通账号由系统管理员直接重置，无需审批。")
        if standing := resets.standing_approval(target):
            raise ValidationError(resets.standing_message(standing))
        return target


@admin.register(PasswordResetApproval)
class PasswordResetApprovalAdmin(admin.ModelAdmin):
    """The security administrator approves one reset of an administrator's password; nobody edits or deletes an
    approval (it is part of the record)."""

    form = PasswordResetApprovalForm
    list_display = ["target", "reason", "approved_by", "approved_at", "used_by", "used_at"]
    list_select_related = ["target", "approved_by", "used_by"]
    autocomplete_fields = ["target"]

    def get_form(self, request, obj=None, **kwargs):
        form = super().get_form(request, obj, **kwargs)
        return type(form.__name__, (form,), {"actor": request.user})

    def has_module_permission(self, request):
        return has_role(request.user, Role.SECURITY_ADMIN, Role.SYSTEM_ADMIN)

    def has_view_permission(self, request, obj=None):
        return has_role(request.user, Role.SECURITY_ADMIN, Role.SYSTEM_ADMIN)

    def has_add_permission(self, request):
        return has_role(request.user, Role.SECURITY_ADMIN)

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False

    def save_model(self, request, obj, form, change):
        approved = resets.approve_reset(actor=request.user, target=obj.target, reason=obj.reason, ip=client_ip(request))
        obj.pk, obj.approved_by, obj.approved_at = approved.pk, approved.approved_by, approved.approved_at

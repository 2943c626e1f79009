from django import forms

from tiexi_gov.forms import DateField, FreeText
from tiexi_gov.org.models import User
from tiexi_gov.org.roles import without_technical_accounts


class TokenForm(forms.Form):
    """The security administrator's: a read-only token for a person (可办理 tokens are the person's own)."""

    user = forms.ModelChoiceField(
        label="使用人",
        # Administrators' accounts have none (三员分立): neither the 三员 nor the calendar administrator without a
        # business role is offered (the service refuses them all).
        queryset=without_technical_accounts(User.objects.filter(is_active=True, is_superuser=False))
        .select_related("unit")
        .order_by("unit__code", "username"),
        help_text="调用系统以此人的身份和可见范围查询；安全管理员签发的令牌一律只读，可办理的令牌由使用人本人创建",
    )
    name = forms.CharField(label="用途", max_length=100, help_text="调用系统或用途，例如“统计报表系统”")
    expires_on = DateField(label="有效期至（含当日，可空）", required=False)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["user"].label_from_instance = lambda u: f"{u.display_name}（{u.username}）"


class OwnTokenForm(forms.Form):
    """我的接口令牌: a person's own token, read-only or able to do his office work."""

    name = forms.CharField(label="用途", max_length=100, help_text="调用系统或用途，例如“本单位OA系统”")
    read_only = forms.BooleanField(label="只读（只能查询，不能办理）", required=False)
    expires_on = DateField(label="有效期至（含当日，可空）", required=False)


class RevokeForm(forms.Form):
    reason = FreeText(label="吊销原因", max_length=200, required=False, rows=2)
    confirm = forms.BooleanField(label="确认吊销：吊销后该令牌立即失效，不能恢复")


class ReadForm(forms.Form):
    """阅件 已读: the reading page has no form (opening it reads it); through the API it is an explicit action that
    asks for nothing (the state the caller saw may be sent as `seen_state`)."""

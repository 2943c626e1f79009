"""Form pieces both flows use."""

from __future__ import annotations

from django import forms
from django.core.validators import MaxValueValidator, MinValueValidator

from documents.shared.models import NormativeStep
from tiexi_gov.forms import TEXT_LIMIT, FreeText, styled  # noqa: F401  (views call forms.styled)
from tiexi_gov.org.models import User
from tiexi_gov.org.roles import without_technical_accounts
from tiexi_gov.uploads import detect_attachment

MAX_COPIES = 10_000  # 份数 / 印制份数: a number a press prints, well inside every database's integer column


def limit_copies(field) -> None:
    """The model's own checks do not run on these forms (_post_clean): the form keeps 份数 between 1 (a document
    sent in no copies is no document) and MAX_COPIES."""
    # The model's PositiveIntegerField brings "确保该值大于或等于0。": beside 份数至少为1份 it read as if 0 would do.
    field.validators = [v for v in field.validators if not isinstance(v, MinValueValidator | MaxValueValidator)]
    field.validators += [
        MinValueValidator(1, "份数至少为1份。"),
        MaxValueValidator(MAX_COPIES, f"份数不能超过{MAX_COPIES}份。"),
    ]
    field.widget.attrs["min"] = 1
    field.widget.attrs["max"] = MAX_COPIES


class MultipleFileInput(forms.ClearableFileInput):
    allow_multiple_selected = True


class MultipleFileField(forms.FileField):
    """Several files in one input; each is checked by content against the allowlist (X-2)."""

    def __init__(self, *args, **kwargs):
        kwargs.setdefault("widget", MultipleFileInput())
        super().__init__(*args, **kwargs)

    def clean(self, data, initial=None):
        single = super().clean
        if isinstance(data, list | tuple):
            files = [single(d, initial) for d in data if d]
        else:
            files = [single(data, initial)] if data else []
        for f in files:
            detect_attachment(f, f.name)
        return files


class ChecklistForm(forms.Form):
    """DOC-8: one step done with its evidence, or not done with the specific reason."""

    step = forms.ChoiceField(label="程序", choices=())
    done = forms.TypedChoiceField(
        label="履行情况",
        choices=[("1", "已履行"), ("0", "不履行（说明理由）")],
        coerce=lambda v: v == "1",
        widget=forms.RadioSelect,
        initial="1",
    )
    evidence = FreeText(label="履行情况及依据", required=False, max_length=TEXT_LIMIT, rows=2)
    reason = FreeText(label="不履行的具体理由", required=False, rows=2)

    def __init__(self, *args, steps=None, **kwargs):

        super().__init__(*args, **kwargs)
        self.fields["step"].choices = [(s, NormativeStep(s).label) for s in (steps or NormativeStep.values)]


class OptionalOpinionForm(forms.Form):
    opinion = FreeText(label="意见", required=False, rows=2)


class ReaderForm(forms.Form):
    """X-2: name (or take off) a reader of a confidential item — any active business user, listed by unit. An
    administrator's account (三员, the calendar administrator) reads no business item, so it is never offered."""

    user = forms.ModelChoiceField(
        label="阅读人",
        queryset=without_technical_accounts(User.objects.filter(is_active=True))
        .select_related("unit")
        .order_by("unit__code", "username"),
    )

    def __init__(self, *args, active_only: bool = True, **kwargs):
        super().__init__(*args, **kwargs)
        if not active_only:  # a reader who has since left can still be taken off
            self.fields["user"].queryset = User.objects.all()
        self.fields["user"].label_from_instance = lambda u: f"{u.unit.display_name if u.unit_id else ''} {u}".strip()


class OpinionForm(forms.Form):
    opinion = FreeText(label="意见")


class ConfirmForm(forms.Form):
    """An action without input (送签发, 报送, 登记, 呈批...): only the confirmation."""

"""What people type when they send or annotate: choices from the page's own lists, texts within their limits."""

from __future__ import annotations

from django import forms

from tiexi_gov.forms import FreeText
from tiexi_gov.http import to_id

from .models import Mode


class SendForm(forms.Form):
    mode = forms.ChoiceField(label="方式", choices=Mode.choices, initial=Mode.CIRCULATE, widget=forms.RadioSelect)
    posts = forms.MultipleChoiceField(label="送阅领导", required=False, widget=forms.CheckboxSelectMultiple)
    units = forms.MultipleChoiceField(label="送阅单位", required=False, widget=forms.CheckboxSelectMultiple)
    note = FreeText(label="附言", required=False, rows=2)

    def __init__(self, *args, leaders=(), units=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["posts"].choices = [
            (str(c.post.pk), f"{c.post.title}（{c.holder}）" if c.holder else f"{c.post.title}（空缺）")
            for c in leaders
        ]
        self.fields["units"].choices = [(str(u.pk), u.display_name) for u in units]
        self.fields["note"].widget.attrs.update({"class": "form-control", "maxlength": "2000"})

    def clean(self):
        data = super().clean()
        if not self.errors and not data.get("posts") and not data.get("units"):
            raise forms.ValidationError("请至少选择一位领导或一个单位。")
        return data

    def post_ids(self) -> list[int]:
        return [pk for pk in map(to_id, self.cleaned_data.get("posts", [])) if pk is not None]

    def unit_ids(self) -> list[int]:
        return [pk for pk in map(to_id, self.cleaned_data.get("units", [])) if pk is not None]

    def service_kwargs(self) -> dict:
        """What services.send_circulation takes from the form (the page and the API send alike)."""
        d = self.cleaned_data
        return {"post_ids": self.post_ids(), "unit_ids": self.unit_ids(), "mode": d["mode"], "note": d["note"]}


class AnnotateForm(forms.Form):
    text = FreeText(label="批注", rows=3)
    seen = forms.CharField(required=False, widget=forms.HiddenInput, max_length=20)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["text"].widget.attrs.update({"class": "form-control", "maxlength": "2000"})

"""Form pieces every supervision flow uses: uploads checked by their bytes, and units shown by their short name."""

from __future__ import annotations

from django import forms

from tiexi_gov.org.models import Unit
from tiexi_gov.uploads import ALLOWED_LABEL, detect_attachment


class MultipleFileInput(forms.ClearableFileInput):
    allow_multiple_selected = True


class MultipleFileField(forms.FileField):
    """Several files in one input; each is checked by its bytes against the attachment allowlist (X-2)."""

    def __init__(self, *args, **kwargs):
        kwargs.setdefault("widget", MultipleFileInput())
        kwargs.setdefault("required", False)
        kwargs.setdefault("help_text", f"可多选；只接受 {ALLOWED_LABEL}，按文件内容校验")
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


class UnitChoiceField(forms.ModelChoiceField):
    def label_from_instance(self, unit: Unit) -> str:
        return unit.display_name

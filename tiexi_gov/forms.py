"""Form helpers every area shares (the project has no form-rendering library)."""

from django import forms


class DateInput(forms.DateInput):
    """A browser date picker that shows the saved date: `<input type=date>` accepts only ISO dates, and the
    localised format (zh-hans renders 2026/12/05) would leave the box empty and an edit would erase the date."""

    input_type = "date"

    def __init__(self, attrs=None, format=None):
        super().__init__(attrs=attrs, format=format or "%Y-%m-%d")


def styled(form):
    """Bootstrap classes on a form's widgets, `is-invalid` on the fields with errors; returns the form."""
    errors = form.errors if form.is_bound else {}
    for name, field in form.fields.items():
        widget = field.widget
        if isinstance(widget, forms.HiddenInput):
            continue
        if isinstance(widget, forms.CheckboxInput | forms.RadioSelect | forms.CheckboxSelectMultiple):
            css = "form-check-input"
        elif isinstance(widget, forms.Select):
            css = "form-select"
        else:
            css = "form-control"
        if name in errors:
            css += " is-invalid"
        widget.attrs["class"] = css
    return form

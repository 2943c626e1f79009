"""Form helpers every area shares (the project has no form-rendering library)."""

from django import forms


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

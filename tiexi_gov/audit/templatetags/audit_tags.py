"""`{% audit_timeline obj %}`: an object's history (X-1) as a vertical timeline on its page."""

from django import template

from tiexi_gov.audit.selectors import history_of

register = template.Library()


def state_labels(obj) -> dict[str, str]:
    """Chinese labels of the object's state choices, so the timeline shows 会签中 rather than `countersigning`."""
    labels: dict[str, str] = {}
    for field in obj._meta.get_fields():
        choices = getattr(field, "choices", None)
        if choices and (field.name in {"state", "status"} or type(field).__name__ == "FSMField"):
            labels.update({str(value): str(label) for value, label in field.flatchoices})
    return labels


@register.inclusion_tag("audit/timeline.html")
def audit_timeline(obj, title="办理记录"):
    labels = state_labels(obj)
    entries = [
        {
            "event": e,
            "capacity": e.capacity or (f"代{e.acting_for.display_name}" if e.acting_for_id else "本职"),
            "from_label": labels.get(e.from_state, e.from_state),
            "to_label": labels.get(e.to_state, e.to_state),
        }
        for e in history_of(obj)
    ]
    return {"entries": entries, "title": title}

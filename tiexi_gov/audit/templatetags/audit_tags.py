"""`{% audit_timeline obj %}`: an object's history (X-1) as a vertical timeline on its page."""

from django import template

from tiexi_gov.audit.labels import clock_state_labels, state_labels
from tiexi_gov.audit.selectors import history_of

register = template.Library()


def capacity_text(e) -> str:
    """本职 / 代… for a person; nothing for the system (a sweep or a clock acts in no capacity). Acting, the absent
    holder is named (代副区长张海燕): four deputies share the title 副区长."""
    if e.capacity:
        if e.capacity.startswith("代") and e.acting_for_id and e.acting_for.display_name not in e.capacity:
            return f"{e.capacity}{e.acting_for.display_name}"
        return e.capacity
    if e.acting_for_id:
        return f"代{e.acting_for.display_name}"
    return "本职" if e.actor_id else ""


@register.inclusion_tag("audit/timeline.html")
def audit_timeline(obj, title="办理记录"):
    item_labels = state_labels(obj)
    entries = []
    for e in history_of(obj):
        labels = clock_state_labels() if e.action.startswith("deadline_") else item_labels
        entries.append(
            {
                "event": e,
                "capacity": capacity_text(e),
                "from_label": labels.get(e.from_state, e.from_state),
                "to_label": labels.get(e.to_state, e.to_state),
            }
        )
    return {"entries": entries, "title": title}

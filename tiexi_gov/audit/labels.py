"""The Chinese names of the states an event records (X-1): people read 会签中, not `countersigning`.

An event keeps the state's code; its name comes from the subject's model (its state field's choices), found by the
event's subject type and remembered for the process, so a list of events costs no query per row. A code no model
knows (a model since removed, a state since renamed) is shown as it was recorded.
"""

from functools import cache

from django.apps import apps


def state_labels(model_or_obj) -> dict[str, str]:
    """Chinese labels of a model's state choices (its FSM field, or a field named state/status)."""
    labels: dict[str, str] = {}
    for field in model_or_obj._meta.get_fields():
        choices = getattr(field, "choices", None)
        if choices and (field.name in {"state", "status"} or type(field).__name__ == "FSMField"):
            labels.update({str(value): str(label) for value, label in field.flatchoices})
    return labels


@cache
def clock_state_labels() -> dict[str, str]:
    """The states of a time limit (进行中, 按期完成 …): the deadline_* events recorded on an item carry its clock's
    states, not the item's."""
    return state_labels(apps.get_model("deadlines", "Deadline"))


@cache
def model_state_labels(app_label: str, model: str) -> dict[str, str]:
    """The state labels of the model a content type names (`meetings`, `meeting`); empty when it is gone."""
    try:
        return state_labels(apps.get_model(app_label, model))
    except LookupError:
        return {}


def state_label(code: str, *, app_label: str, model: str, action: str = "") -> str:
    """The name of `code` as the subject's model (or, for a deadline_* event, the clock) calls it."""
    if not code:
        return ""
    labels = clock_state_labels() if action.startswith("deadline_") else model_state_labels(app_label, model)
    return labels.get(code, code)

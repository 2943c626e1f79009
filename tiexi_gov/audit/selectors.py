"""Reading the audit record: an object's history as a timeline."""

from .models import Event


def history_of(obj):
    return Event.objects.for_object(obj).select_related("actor", "acting_for").order_by("at", "id")

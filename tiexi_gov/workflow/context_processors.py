"""The navbar's count of open tasks: one indexed COUNT per page (the queue page passes its own total)."""

from django.utils import timezone

from .selectors import open_count


def open_tasks(request):
    user = getattr(request, "user", None)
    if not user or not user.is_authenticated:
        return {"open_task_count": 0}
    count = getattr(request, "open_task_count", None)
    return {"open_task_count": open_count(user, timezone.localdate()) if count is None else count}

"""Celery tasks of the coordination app: thin and idempotent."""

from celery import shared_task

from .research import services as research


@shared_task(name="coordination.tasks.remind_research_short", acks_late=True, ignore_result=True)
def remind_research_short() -> int:
    """Daily: from 1 October, remind each district leader short of the month, a topic or a report — once a week
    (RES-1). Idempotent: a second run in the same week sends nothing."""
    return research.remind_short()

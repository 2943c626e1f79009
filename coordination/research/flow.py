"""Research's tasks (the queue's half of `coordination.research.permissions`):

    topic open     → its leader: 待提交调研报告 (RES-1: each key topic ends with a research report; from 1 October the
                     short leaders are also reminded weekly)
    topic reported → final

Research days are records, not steps: nobody waits on them.
"""

from __future__ import annotations

from datetime import date

from django.urls import NoReverseMatch, reverse

from tiexi_gov.workflow.models import Area
from tiexi_gov.workflow.registry import Flow, Need, for_user

from .models import ResearchTopic


def research_url(year: int) -> str:
    try:
        return reverse("coordination:research", args=[year])
    except NoReverseMatch:
        return ""


def topic_url(topic: ResearchTopic) -> str:
    url = research_url(topic.year)
    return f"{url}#report" if url else ""


def waiting(topic: ResearchTopic, day: date) -> list[Need]:
    if topic.state == ResearchTopic.State.OPEN:
        return [for_user("file_report", "待提交调研报告", topic.person_id, rule_id="RES-1", note=f"{topic.year}年")]
    return []


FLOW = Flow(
    model=ResearchTopic,
    area=Area.COORDINATION,
    noun="该调研课题",
    url=topic_url,
    waiting=waiting,
    optional={"file_report_for": "区政府办公室可代为提交调研报告；待办是领导本人的"},
    label=lambda topic: f"重点调研课题：{topic.title}",
)

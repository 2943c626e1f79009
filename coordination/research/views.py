"""The yearly research view (RES-1): per district leader the days, the Monday-to-Wednesday share, the topics and
reports; the leader (or the office on their behalf) records days, topics and reports here."""

from __future__ import annotations

import datetime as dt

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.http import require_POST

from tiexi_gov.http import to_int
from tiexi_gov.workflow import once
from tiexi_gov.workflow.errors import ActionRefused

from ..absence.views import _nav
from . import forms, permissions, selectors
from . import services as res

# --- research (RES-1) ---------------------------------------------------------------------------------------


def research_year(year: int) -> int:
    if not 2000 <= year <= 2100:
        raise Http404("年度无效。")
    return year


class ResearchChoices:
    """What the user may record on the research page of `year`: the leaders (the office: every one; a leader:
    themselves), their topics, the topics still without a report, the leaders who may add a topic."""

    def __init__(self, user, year: int):
        self.sees_all = permissions.research_sees_all(user)
        self.rows = selectors.year_view(year, person=None if self.sees_all else user, with_days=True)
        self.people = [r.person for r in self.rows if self.sees_all or r.person.pk == user.pk]
        self.topics = [t for r in self.rows for t in r.topics]
        self.open_topics = [t for t in self.topics if not t.report_filed_on]
        self.topic_people = [r.person for r in self.rows if r.may_add_topic and r.person in self.people]

    def form(self, action: str, data=None):
        if action == "day":
            return forms.ResearchDayForm(data, prefix="day", people=self.people, topics=self.topics)
        if action == "topic":
            return forms.ResearchTopicForm(data, prefix="topic", people=self.topic_people)
        if action == "report":
            return forms.ResearchReportForm(data, prefix="report", topics=self.open_topics)
        raise Http404("没有该操作。")


def _research_context(request, choices: ResearchChoices, year: int, *, bound: tuple[str, object] | None = None) -> dict:
    user = request.user
    built = {name: choices.form(name) for name in ("day", "topic", "report")}
    if bound is not None:
        built[bound[0]] = bound[1]
    today = timezone.localdate()
    rows = choices.rows
    return {
        "year": year,
        "today": today,
        "rows": rows,
        "sees_all": choices.sees_all,
        "required": selectors.RESEARCH_DAYS_REQUIRED,
        "max_topics": selectors.MAX_TOPICS,
        "short_count": sum(1 for r in rows if r.is_short),
        "may_record": bool(choices.people),
        "day_form": forms.styled(built["day"]),
        "topic_form": forms.styled(built["topic"]) if choices.topic_people or bound and bound[0] == "topic" else None,
        "report_form": forms.styled(built["report"]) if choices.open_topics or bound and bound[0] == "report" else None,
        "reminding": today.year == year and today >= dt.date(year, *res.REMIND_FROM),
        "once_token": once.token_for(request),  # one page, one post: its three forms share the token
        **_nav(user),
    }


@login_required
def research(request, year: int):
    """基层调研: per district leader the days so far, the share on Monday to Wednesday, the topics and reports;
    who is short is highlighted. The office sees every leader; a leader sees their own row."""
    if not permissions.can_view_research(request.user):
        raise Http404("没有找到该页面。")
    year = research_year(year)
    return render(
        request,
        "coordination/research.html",
        _research_context(request, ResearchChoices(request.user, year), year),
    )


def run_research(user, action: str, d: dict, year: int) -> tuple[str, int]:
    if action in ("day", "topic") and d.get("person_obj") is None:
        raise ActionRefused("请选择区政府领导。")
    if action == "day":
        row = res.record_day(
            actor=user,
            person=d["person_obj"],
            day=d["day"],
            place=d["place"],
            subject=d["subject"],
            topic=d["topic_obj"],
        )
        return f"已登记{row.person.display_name}{row.day:%Y-%m-%d}的基层调研。", row.day.year
    if action == "topic":
        topic = res.add_topic(actor=user, person=d["person_obj"], year=year, title=d["title"])
        return f"已确定重点调研课题“{topic.title}”。", year
    if d.get("topic_obj") is None:
        raise ActionRefused("请选择课题。")
    topic = res.file_report(actor=user, topic=d["topic_obj"], report=d["report"])
    return f"课题“{topic.title}”的调研报告已提交。", year


@login_required
@require_POST
def research_action(request, action: str):
    """Record a research day, a key topic or a topic's report (RES-1), then back to the year's page."""
    if not permissions.can_view_research(request.user):
        raise Http404("没有找到该页面。")
    if made := once.made_before(request):
        return once.answer_again(request, made)  # the same form again (a double click): recorded once
    year = research_year(to_int(request.POST.get("year")) or 0)
    choices = ResearchChoices(request.user, year)
    form = choices.form(action, request.POST)
    if form.is_valid():
        try:
            with once.once(request) as done:
                text, year = run_research(request.user, action, form.cleaned_data, year)
                done(reverse("coordination:research", args=[year]))
        except once.AlreadyPosted as exc:
            return once.answer_again(request, exc.url)
        except ActionRefused as exc:
            form.add_error(None, str(exc))
        else:
            messages.success(request, text)
            return redirect("coordination:research", year=year)
    ctx = _research_context(request, choices, year, bound=(action, form))
    return render(request, "coordination/research.html", ctx, status=400)

"""One meeting's pages: the meeting (facts, deadlines, agenda with papers, attendees, record), topic intake
(MTG-5), a topic's page with its actions (proposer path, the MTG-8 checklist and agreement, the head's decision,
move, withdraw, papers checked by the unit head and reviewed by the leader), the agenda (submit, approve, send
back) and paper downloads.

Views only parse input, ask `meetings.permissions` (through `meetings.selectors`, which gives outsiders a 404),
call ONE service and report its message. A refusal re-renders the page with what the user typed. Only the actions
the user may do now are shown; the services check again.
"""

from __future__ import annotations

import mimetypes
import os
from collections.abc import Callable
from dataclasses import dataclass

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import FileResponse, Http404
from django.shortcuts import redirect, render
from django.urls import NoReverseMatch, reverse
from django.utils import timezone
from django.views.decorators.http import require_POST

from . import forms_meeting as forms
from . import permissions, selectors, services
from .models import AGENDA_KINDS, MS, Meeting, Paper
from .services import ActionNotAllowed, AgendaFrozen, AlreadyHandled, MeetingError, TopicTooLate

FROZEN_TEXT = "该会议议程已经区长审定，不再临时增加议题（MTG-5）。"
SUBMITTED_TEXT = "该会议议程已报区长审定，如需增加议题请先由区长退回议程（MTG-5）。"


def _url(name: str, *args) -> str:
    try:
        return reverse(name, args=args)
    except NoReverseMatch:
        return ""


def _frozen_reason(meeting: Meeting) -> str:
    if meeting.agenda_frozen:
        return FROZEN_TEXT
    if meeting.state == MS.AGENDA_SUBMITTED:
        return SUBMITTED_TEXT
    return ""


@dataclass(frozen=True)
class Action:
    form: type
    label: str
    may: str  # the key in the page's `may` set
    run: Callable  # (request, obj, cleaned_data) -> success message


# --- the meeting page and its agenda ---------------------------------------------------------------------------


def _run_submit(request, meeting, d):
    services.submit_agenda(actor=request.user, meeting=meeting)
    return "议程已报区长审定。"


def _run_approve(request, meeting, d):
    services.approve_agenda(actor=request.user, meeting=meeting)
    return "议程已审定：不再增加议题，会议材料已发送参会人员，会议通知已发出。"


def _run_send_back(request, meeting, d):
    services.send_back_agenda(actor=request.user, meeting=meeting, reason=d["reason"])
    return "议程已退回区政府办公室。"


AGENDA_ACTIONS: dict[str, Action] = {
    "submit": Action(forms.PlainForm, "报区长审定", "submit_agenda", _run_submit),
    "approve": Action(forms.ApproveAgendaForm, "审定议程", "approve_agenda", _run_approve),
    "send-back": Action(forms.SendBackForm, "退回议程", "send_back_agenda", _run_send_back),
}


def _prefix(action: str) -> str:
    return action.replace("-", "_")


def _meeting_context(request, page: selectors.MeetingPage, bound=None) -> dict:
    action_forms = {
        _prefix(name): forms.styled(spec.form(prefix=_prefix(name)))
        for name, spec in AGENDA_ACTIONS.items()
        if spec.may in page.may
    }
    if bound is not None:
        action_forms[_prefix(bound[0])] = forms.styled(bound[1])
    meeting = page.meeting
    return {
        "page": page,
        "meeting": meeting,
        "forms": action_forms,
        "frozen_reason": _frozen_reason(meeting),
        "attendance_url": _url("meetings:attendance", meeting.pk),
        "minutes_url": _url("meetings:minutes", meeting.pk),
        "topic_new_url": _url("meetings:topic_new", meeting.pk),
    }


@login_required
def meeting(request, pk: int):
    page = selectors.meeting_page(request.user, pk, timezone.localdate())
    return render(request, "meetings/meeting.html", _meeting_context(request, page))


@login_required
@require_POST
def agenda_action(request, pk: int, action: str):
    """报区长审定 (the office), 审定 / 退回 (the chair): MTG-5."""
    page = selectors.meeting_page(request.user, pk, timezone.localdate())  # 404 for outsiders first
    spec = AGENDA_ACTIONS.get(action)
    if spec is None:
        raise Http404("没有该操作。")
    form = spec.form(request.POST, prefix=_prefix(action))
    if spec.may not in page.may:
        messages.error(request, f"您当前不能对该会议进行“{spec.label}”操作。")
        return render(request, "meetings/meeting.html", _meeting_context(request, page), status=403)
    if not form.is_valid():
        messages.error(request, "请检查填写的内容。")
        return render(request, "meetings/meeting.html", _meeting_context(request, page, (action, form)), status=400)
    try:
        text = spec.run(request, page.meeting, form.cleaned_data)
    except MeetingError as exc:
        messages.error(request, exc.message)
        status = 403 if isinstance(exc, ActionNotAllowed) else 200 if isinstance(exc, AlreadyHandled) else 400
        page = selectors.meeting_page(request.user, pk, timezone.localdate())
        return render(request, "meetings/meeting.html", _meeting_context(request, page, (action, form)), status=status)
    messages.success(request, text)
    return redirect("meetings:meeting", pk=pk)


# --- topic intake (MTG-5) ---------------------------------------------------------------------------------------


@login_required
def topic_new(request, pk: int):
    """A unit proposes a topic on its filed request 提请会议研究; the office may propose on a unit's behalf. A late
    request is refused with the last allowed day and offered to the next meeting in one click (same entry)."""
    today = timezone.localdate()
    meeting = selectors.meeting_queryset().filter(pk=pk).first()
    if meeting is None or not permissions.can_propose_to(request.user, meeting):
        raise Http404("没有找到该会议。")
    units = selectors.proposable_units(request.user, today)
    requests = selectors.eligible_requests(units)
    initial = {}
    unit_list = list(units[:2])
    if len(unit_list) == 1:
        initial["unit"] = unit_list[0].pk
    chosen = request.GET.get("submission")
    if chosen and chosen.isdigit():
        sub = requests.filter(pk=int(chosen)).first()
        if sub is not None:
            initial.update(submission=sub.pk, unit=sub.unit_id, title=sub.title)
    form = forms.TopicForm(request.POST or None, meeting=meeting, units=units, requests=requests, initial=initial)
    late: TopicTooLate | None = None
    frozen_reason = _frozen_reason(meeting)
    if request.method == "POST":
        if form.is_valid():
            d = form.cleaned_data
            try:
                topic = services.propose_topic(
                    actor=request.user,
                    meeting=meeting,
                    unit=d["unit"],
                    title=d["title"],
                    submission=d.get("submission"),
                    summary=d["summary"],
                    related_units=list(d["related_units"]),
                    units_disagree=d["units_disagree"],
                )
            except TopicTooLate as exc:
                late = exc
                form.add_error(None, exc.message)
            except AgendaFrozen as exc:
                frozen_reason = exc.message
                form.add_error(None, exc.message)
            except MeetingError as exc:
                form.add_error(None, exc.message)
            else:
                messages.success(request, f"议题“{topic.title}”已申报{meeting.title}，待办公室审核、区长确定。")
                return redirect("meetings:topic", pk=topic.pk)
        messages.error(request, "议题未能申报，请查看下方说明。")
    last_day = services.last_filing_day(meeting) if meeting.kind in AGENDA_KINDS else None
    return render(
        request,
        "meetings/topic_form.html",
        {
            "meeting": meeting,
            "form": forms.styled(form),
            "late": late,
            "frozen_reason": frozen_reason,
            "last_filing_day": last_day,
            "today": today,
            "has_requests": requests.exists(),
            "documents_new_url": _url("documents:create"),
            "may_view_meeting": permissions.can_view_meeting(request.user, meeting),
        },
        status=400 if request.method == "POST" else 200,
    )


# --- a topic's page and its actions -----------------------------------------------------------------------------


def _paper(topic, pk) -> Paper:
    paper = Paper.objects.filter(pk=pk, topic_id=topic.pk).first()
    if paper is None:
        raise MeetingError("该材料不存在。")
    return paper


def _run_proposer(request, topic, d):
    t = services.record_proposer(actor=request.user, topic=topic, note=d["note"])
    return f"已登记提出方式：{t.get_proposer_path_display()}。"


def _run_checklist(request, topic, d):
    t = services.record_checklist(
        actor=request.user,
        topic=topic,
        significance=d["significance"],
        substance=d["substance"],
        procedure=d["procedure"],
    )
    ok = t.checklist_complete
    return "上会条件审核已登记：符合上会条件。" if ok else "上会条件审核已登记：尚不符合上会条件（MTG-8）。"


def _run_agreement(request, topic, d):
    services.record_agreement(actor=request.user, topic=topic, agreement=d["agreement"])
    return "已登记专题会协调形成的一致意见。"


def _run_decide(request, topic, d):
    accept = d["decision"] == "accept"
    services.decide_topic(actor=request.user, topic=topic, accept=accept, reason=d["reason"])
    return "议题已列入议程。" if accept else "议题不予上会，已通知汇报单位。"


def _run_move(request, topic, d):
    t = services.move_topic(actor=request.user, topic=topic, to_meeting=d["target"])
    return f"议题已改报{t.meeting.title}（{t.meeting.date}）。"


def _run_withdraw(request, topic, d):
    services.withdraw_topic(actor=request.user, topic=topic, reason=d["reason"])
    return "议题已撤回。"


def _run_paper(request, topic, d):
    p = services.add_paper(actor=request.user, topic=topic, title=d["title"], file=d["file"])
    return f"已上传会议材料“{p.title}”，请单位主要负责人把关。"


def _run_check(request, topic, d):
    p = services.check_paper(actor=request.user, paper=_paper(topic, d["paper"]))
    return f"“{p.title}”已经主要负责人把关，请分管区领导审核。"


def _run_review(request, topic, d):
    p = services.review_paper(actor=request.user, paper=_paper(topic, d["paper"]))
    return f"“{p.title}”已经分管区领导审核。"


TOPIC_ACTIONS: dict[str, Action] = {
    "proposer": Action(forms.ProposerForm, "提出议题", "proposer", _run_proposer),
    "checklist": Action(forms.ChecklistForm, "上会条件审核", "checklist", _run_checklist),
    "agreement": Action(forms.AgreementForm, "登记协调一致意见", "agreement", _run_agreement),
    "decide": Action(forms.DecideForm, "确定议题", "decide", _run_decide),
    "move": Action(forms.MoveForm, "改报其他会议", "move", _run_move),
    "withdraw": Action(forms.WithdrawForm, "撤回议题", "withdraw", _run_withdraw),
    "paper": Action(forms.PaperForm, "上传会议材料", "add_paper", _run_paper),
    "check": Action(forms.PaperSignForm, "主要负责人把关", "check_paper", _run_check),
    "review": Action(forms.PaperSignForm, "分管区领导审核", "review_paper", _run_review),
}


FROZEN_ACTIONS = ("decide", "paper", "move", "withdraw")  # refused with the reason once the agenda is with the head


def _form_kwargs(name: str, page: selectors.TopicPage) -> dict:
    if name == "decide":
        return {"may_accept": "accept" in page.may}
    if name == "move":
        return {"targets": selectors.move_targets(page.meeting)}
    return {}


def _initial(name: str, topic) -> dict:
    if name == "checklist":
        return {
            "significance": topic.check_significance,
            "substance": topic.check_substance,
            "procedure": topic.check_procedure,
        }
    if name == "agreement":
        return {"agreement": topic.agreement_text}
    if name == "proposer":
        return {"note": topic.proposer_note}
    return {}


def _topic_context(request, page: selectors.TopicPage, bound=None) -> dict:
    action_forms = {
        name: forms.styled(spec.form(prefix=name, initial=_initial(name, page.topic), **_form_kwargs(name, page)))
        for name, spec in TOPIC_ACTIONS.items()
        if spec.may in page.may
    }
    if bound is not None:
        action_forms[bound[0]] = forms.styled(bound[1])
    topic = page.topic
    return {
        "page": page,
        "topic": topic,
        "meeting": page.meeting,
        "row": page.row,
        "forms": action_forms,
        "frozen_reason": _frozen_reason(page.meeting),
        "coordinate_url": _url("meetings:meeting_new") + f"?kind=special&topic={topic.pk}"
        if "coordinate" in page.may and _url("meetings:meeting_new")
        else "",
        "submission_url": _url("documents:detail", topic.submission_id) if page.may_open_submission else "",
    }


@login_required
def topic(request, pk: int):
    page = selectors.topic_page(request.user, pk, timezone.localdate())
    return render(request, "meetings/topic.html", _topic_context(request, page))


@login_required
@require_POST
def topic_action(request, pk: int, action: str):
    """One action on the topic page: parse the small form, check, call the service, show its message."""
    today = timezone.localdate()
    page = selectors.topic_page(request.user, pk, today)  # 404 for outsiders first
    spec = TOPIC_ACTIONS.get(action)
    if spec is None:
        raise Http404("没有该操作。")
    form = spec.form(request.POST, request.FILES, prefix=action, **_form_kwargs(action, page))
    accepting = action == "decide" and request.POST.get("decide-decision") == "accept"
    if spec.may not in page.may or (accepting and "accept" not in page.may):
        frozen = _frozen_reason(page.meeting) if action in FROZEN_ACTIONS else ""
        messages.error(request, frozen or f"您当前不能对该议题进行“{spec.label}”操作。")
        return render(request, "meetings/topic.html", _topic_context(request, page), status=403)
    if not form.is_valid():
        errors = [str(e) for errs in form.errors.values() for e in errs]
        messages.error(request, "请检查填写的内容：" + "；".join(errors) if errors else "请检查填写的内容。")
        return render(request, "meetings/topic.html", _topic_context(request, page, (action, form)), status=400)
    try:
        text = spec.run(request, page.topic, form.cleaned_data)
    except MeetingError as exc:
        messages.error(request, exc.message)
        status = 403 if isinstance(exc, ActionNotAllowed) else 200 if isinstance(exc, AlreadyHandled) else 400
        page = selectors.topic_page(request.user, pk, today)
        return render(request, "meetings/topic.html", _topic_context(request, page, (action, form)), status=status)
    messages.success(request, text)
    return redirect("meetings:topic", pk=pk)


# --- papers ----------------------------------------------------------------------------------------------------


@login_required
def paper_download(request, pk: int):
    """A meeting paper through the permission check (MTG-5: attendees after the agenda is approved, the office,
    the reporting unit); never from a public media URL. Everyone else gets 404."""
    paper = Paper.objects.select_related("topic", "topic__meeting").filter(pk=pk).first()
    if paper is None or not permissions.can_view_paper(request.user, paper):
        raise Http404("没有找到该材料。")
    try:
        handle = paper.file.open("rb")
    except (FileNotFoundError, ValueError) as exc:
        raise Http404("材料文件不存在。") from exc
    ext = os.path.splitext(paper.file.name)[1]
    name = paper.title if paper.title.endswith(ext) else f"{paper.title}{ext}"
    content_type = mimetypes.guess_type(paper.file.name)[0] or "application/octet-stream"
    response = FileResponse(handle, as_attachment=True, filename=name, content_type=content_type)
    response["X-Content-Type-Options"] = "nosniff"
    return response

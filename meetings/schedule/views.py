"""The schedule side of meetings: the calendar (month grid and upcoming list), generating the year's regular
meetings, ad hoc and special-topic meetings, postponement and consent (MTG-1..4, MTG-7), the personal .ics feed,
and the plan of district-wide meetings (MTG-11).

Views parse input, ask the permissions, call one service and report its message; a rule refusal shows
as a form error with what the user typed. Whoever may not see a meeting gets a 404.
"""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.http import url_has_allowed_host_and_scheme
from django.views.decorators.http import require_GET, require_POST, require_safe

from tiexi_gov.http import to_id
from tiexi_gov.pagecache.cache import cached_page
from tiexi_gov.workflow import once
from tiexi_gov.workflow.errors import ActionRefused, AlreadyHandled

from ..meeting import permissions as meeting_permissions
from ..meeting.models import MeetingKind
from . import forms, ics, selectors, services
from .models import CalendarToken, MeetingPlan

PAGE_SIZE = 20

RULES = [
    ("MTG-1", "区政府全体会议、党组会议、常务会议、专题会议"),
    ("MTG-2", "全体会议由区长、副区长和组成部门主要负责人组成，一般每半年召开一次"),
    ("MTG-3", "党组会议每月第2个星期三召开，顺延由党组书记审定，可随时召开"),
    ("MTG-4", "常务会议每月第2个星期三与党组会议接续召开，顺延由区长审定，临时召开须经区长同意"),
    ("MTG-7", "专题会议由区长、副区长主持，参加人员由主持人确定"),
]


def _back(request, fallback: str) -> str:
    target = request.POST.get("next") or request.GET.get("next") or ""
    if target and url_has_allowed_host_and_scheme(target, allowed_hosts={request.get_host()}):
        return target
    return fallback


# --- the calendar --------------------------------------------------------------------------------------------


@login_required
@require_GET
@cached_page
def calendar(request):
    """Month grid (?month=YYYY-MM) and the upcoming meetings the user may see."""
    user = request.user
    today = timezone.localdate()
    year, month = selectors.parse_month(request.GET.get("month"), today)
    month_view = selectors.month_view(user, year, month, today)
    day = selectors.parse_day(request.GET.get("day"))
    listed = selectors.on_day(user, day) if day else selectors.upcoming(user, today)
    page = Paginator(listed, PAGE_SIZE).get_page(request.GET.get("page"))
    may_manage = meeting_permissions.can_manage(user)
    return render(
        request,
        "meetings/calendar.html",
        {
            "month": month_view,
            "weekdays": selectors.WEEKDAYS,
            "page": page,
            "day": day,
            "rows": selectors.rows(user, page.object_list, today),
            "open_for_topics": selectors.open_for_topics(user, today),
            "may_manage": may_manage,
            "generate_form": forms.styled(forms.GenerateYearForm(initial={"year": today.year + 1}))
            if may_manage
            else None,
            "plan_year": today.year,
            "today": today,
            "rules": RULES,
        },
    )


@login_required
@require_POST
def generate_year(request):
    """生成全年例会 (MTG-2/3/4): idempotent — a meeting already generated is left alone."""
    if not meeting_permissions.can_manage(request.user):
        raise Http404
    form = forms.GenerateYearForm(request.POST)
    if not form.is_valid():
        for errors in form.errors.values():
            for error in errors:
                messages.error(request, error)
        return redirect("meetings:calendar")
    year = form.cleaned_data["year"]
    try:
        created = services.generate_year(actor=request.user, year=year)
    except ActionRefused as exc:
        messages.error(request, exc.message)
    else:
        if created:
            messages.success(
                request, f"已生成{year}年例会{len(created)}次（党组会议、常务会议每月第2个星期三，全体会议两次）。"
            )
        else:
            messages.info(request, f"{year}年例会均已生成，未作改动。")
    return redirect(f"{reverse('meetings:calendar')}?month={year:04d}-01")


def _refused(request) -> int:
    """A form page drawn again after a POST is a refused entry: 400, as on every other form (a success redirects)."""
    return 400 if request.method == "POST" else 200


@login_required
def meeting_new(request):
    """安排会议: ad hoc (the head's consent follows) or special-topic (MTG-4, MTG-7)."""
    if not meeting_permissions.can_manage(request.user):
        raise Http404
    initial = {}
    topic = to_id(request.GET.get("topic"))
    if topic:  # "convene a coordinating special-topic meeting" (MTG-8)
        initial = {"kind": MeetingKind.SPECIAL, "coordinates_topic": topic}
    if request.method == "POST" and (made := once.made_before(request)):
        return once.answer_again(request, made)  # the same form again: the meeting it arranged, not a second one
    form = forms.MeetingNewForm(request.POST or None, initial=initial)
    if request.method == "POST" and form.is_valid():
        try:
            with once.once(request) as done:
                meeting = services.schedule_ad_hoc(actor=request.user, **form.service_kwargs())
                done(reverse("meetings:meeting", args=[meeting.pk]))
        except once.AlreadyPosted as exc:
            return once.answer_again(request, exc.url)
        except ActionRefused as exc:
            form.add_error(None, exc.message)
        else:
            if services.needs_consent(meeting):
                messages.success(
                    request, f"已安排{meeting.title}（{meeting.date}），{services.consent_pending(meeting)}"
                )
            else:
                messages.success(request, f"已安排{meeting.title}（{meeting.date}）。")
            return redirect("meetings:meeting", pk=meeting.pk)
    context = {"form": forms.styled(form), "rules": RULES, "once_token": once.token_for(request)}
    return render(request, "meetings/meeting_form.html", context, status=_refused(request))


# --- postponement and consent ---------------------------------------------------------------------------------


@login_required
def postpone(request, pk: int):
    """MTG-3/MTG-4: the secretary (party group) or the head (executive, plenary) moves a meeting, with a reason."""
    meeting = meeting_permissions.get_meeting_or_404(
        request.user, pk, selectors.schedule_queryset(request.user).select_related("ad_hoc_consent_by")
    )
    row = selectors.rows(request.user, [meeting])[0]
    allowed = row.may_postpone
    form = forms.PostponeForm(request.POST or None) if allowed and row.postponable else None
    if request.method == "POST":
        if form is None:
            messages.error(request, f"{services.postpone_decider(meeting)}。" if not allowed else "该会议不能顺延。")
            return redirect("meetings:postpone", pk=meeting.pk)
        if form.is_valid():
            try:
                services.postpone(actor=request.user, meeting=meeting, **form.cleaned_data)
            except ActionRefused as exc:
                form.add_error(None, exc.message)
            else:
                messages.success(request, f"{meeting.title}已顺延至{form.cleaned_data['to_date']}。")
                return redirect(_back(request, reverse("meetings:calendar")))
    refusal = ""
    if not allowed:
        refusal = f"{services.postpone_decider(meeting)}，您不能顺延该会议。"
    elif not row.postponable:
        refusal = f"该会议当前状态为“{meeting.state_label}”，不能顺延。"
    return render(
        request,
        "meetings/postpone.html",
        {
            "meeting": meeting,
            "row": row,
            "form": forms.styled(form) if form is not None else None,
            "refusal": refusal,
            "consent_form": forms.styled(forms.ConsentForm()) if row.may_consent else None,
        },
        status=_refused(request),
    )


@login_required
@require_POST
def consent(request, pk: int):
    """MTG-4: the head (the secretary for the party group) consents to an ad hoc meeting."""
    meeting = meeting_permissions.get_meeting_or_404(request.user, pk)
    form = forms.ConsentForm(request.POST)
    if not form.is_valid():
        messages.error(request, form.errors["confirm"][0])
    else:
        try:
            services.consent_ad_hoc(actor=request.user, meeting=meeting)
        except ActionRefused as exc:
            messages.error(request, exc.message)
        else:
            messages.success(request, f"已同意临时召开{meeting.title}。")
    return redirect(_back(request, reverse("meetings:postpone", args=[meeting.pk])))


# --- the .ics feed -----------------------------------------------------------------------------------------------


@login_required
def ics_manage(request):
    """The person's feed address (to subscribe on a phone) and a button that issues a new one."""
    if request.method == "POST":
        try:
            services.issue_calendar_token(actor=request.user, replacing=request.POST.get("replacing"))
        except AlreadyHandled as exc:
            messages.info(request, exc.message)  # a stale tab: the current address stands, shown below
        except ActionRefused as exc:
            messages.error(request, exc.message)
        else:
            messages.success(request, "已生成新的订阅地址，原地址即时失效。")
        return redirect("meetings:ics_manage")
    token = CalendarToken.objects.filter(user=request.user).first()
    feed_url = request.build_absolute_uri(reverse("meetings:ics_feed", args=[token.token])) if token else ""
    webcal_url = feed_url.replace("https://", "webcal://", 1).replace("http://", "webcal://", 1) if feed_url else ""
    return render(
        request,
        "meetings/ics.html",
        {
            "token": token,
            "replacing": services.calendar_token_mark(token),
            "feed_url": feed_url,
            "webcal_url": webcal_url,
            "all_meetings": meeting_permissions.can_manage(request.user),
        },
    )


@require_safe
def ics_feed(request, token: str):
    """No login (a phone cannot log in): the secret in the address is the key. 404 for an unknown one."""
    found = CalendarToken.objects.select_related("user").filter(token=token).first() if token else None
    if found is None or not found.user.is_active:
        raise Http404("没有找到该日历。")
    meetings = selectors.feed_meetings(found.user, timezone.localdate())
    body = ics.render(meetings, url_for=lambda m: request.build_absolute_uri(reverse("meetings:meeting", args=[m.pk])))
    response = HttpResponse(body, content_type="text/calendar; charset=utf-8")
    response["Content-Disposition"] = 'inline; filename="meetings.ics"'
    response["Cache-Control"] = "private, max-age=300"
    return response


# --- MTG-11: the plan of district-wide meetings --------------------------------------------------------------------


@login_required
@require_GET
def plan(request, year: int):
    page = selectors.plan_page_or_404(request.user, year)
    may_add = page.may_manage or (not page.drafting and selectors.units_for_district_meeting(request.user).exists())
    return render(
        request,
        "meetings/plan.html",
        {
            "page": page,
            "may_add": may_add,
            "action_form": forms.styled(forms.PlanActionForm()),
            "decision_form": forms.styled(forms.DistrictDecisionForm()),
        },
    )


PLAN_ACTIONS = {"create", "check", "approve"}


@login_required
@require_POST
def plan_action(request, year: int, action: str):
    """create (the office) → check (the office director) → approve (the head) (MTG-11)."""
    selectors.plan_page_or_404(request.user, year)
    if action not in PLAN_ACTIONS:
        raise Http404
    try:
        if action == "create":
            services.get_or_create_plan(actor=request.user, year=year)
            messages.success(request, f"已开始编制{year}年全区性会议计划。")
        else:
            form = forms.PlanActionForm(request.POST)
            if not form.is_valid():
                messages.error(request, form.errors["confirm"][0])
                return redirect("meetings:plan", year=year)
            plan_obj = MeetingPlan.objects.filter(year=year).first()
            if plan_obj is None:
                messages.error(request, f"{year}年会议计划尚未编制。")
            elif action == "check":
                services.check_plan(actor=request.user, plan=plan_obj)
                messages.success(request, "已核报区长审定。")
            else:
                services.approve_plan(actor=request.user, plan=plan_obj)
                messages.success(request, f"{year}年全区性会议计划已审定。")
    except ActionRefused as exc:
        messages.error(request, exc.message)
    return redirect("meetings:plan", year=year)


@login_required
def district_meeting_new(request, year: int):
    """列入计划 (the office, while the plan is drafted) or 计划外申请 (afterwards, the office or the unit)."""
    page = selectors.plan_page_or_404(request.user, year)
    units = selectors.units_for_district_meeting(request.user)
    if not page.may_manage and (page.drafting or not units.exists()):
        messages.error(request, "会议计划由区政府办公室编制；计划审定后，单位可申请临时召开计划外会议。")
        return redirect("meetings:plan", year=year)
    unplanned = not page.drafting
    form = forms.DistrictMeetingForm(request.POST or None, units=units, unplanned=unplanned)
    if request.method == "POST" and form.is_valid():
        try:
            created = services.add_district_meeting(actor=request.user, year=year, **form.service_kwargs())
        except ActionRefused as exc:
            form.add_error(None, exc.message)
        else:
            if created.planned:
                messages.success(request, f"已将“{created.name}”列入{year}年会议计划。")
            else:
                messages.success(request, f"“{created.name}”为计划外会议，已报分管副区长审批，再报区长审定。")
            return redirect("meetings:plan", year=year)
    return render(
        request,
        "meetings/plan.html",
        {
            "page": page,
            "may_add": True,
            "form": forms.styled(form),
            "unplanned": unplanned,
            "action_form": forms.styled(forms.PlanActionForm()),
            "decision_form": forms.styled(forms.DistrictDecisionForm()),
        },
        status=_refused(request),
    )


@login_required
@require_POST
def district_meeting_action(request, pk: int, action: str):
    """An unplanned meeting: the responsible deputy approves, then the head (MTG-11); either may refuse."""
    meeting = selectors.get_district_meeting_or_404(request.user, pk)
    if action not in ("approve", "reject"):
        raise Http404
    form = forms.DistrictDecisionForm(request.POST)
    if not form.is_valid():
        messages.error(request, next(iter(form.errors.values()))[0])
    else:
        try:
            decided = services.decide_unplanned(
                actor=request.user,
                meeting=meeting,
                approve=action == "approve",
                opinion=form.cleaned_data.get("opinion") or "",
            )
        except ActionRefused as exc:
            messages.error(request, exc.message)
        else:
            messages.success(request, f"“{decided.name}”：{decided.get_state_display()}。")
    return redirect("meetings:plan", year=meeting.year)

"""Leave and travel (LEAVE-1..3), the "who is away" panel (LEAVE-4) and the yearly research view (RES-1).

Views parse, ask `coordination.absence.permissions` (an outsider gets 404), call ONE service, report its message and
redirect. A refusal re-renders the page with what the user typed and the reason; a click on a page someone else
has meanwhile moved on is answered "已由他人处理". Irreversible acts carry a server-checked confirmation box.
"""

from __future__ import annotations

import datetime as dt
from urllib.parse import urlencode

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.http import Http404
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.http import require_POST
from django_fsm import can_proceed, has_transition_perm

from tiexi_gov.org.access import is_district_leader
from tiexi_gov.org.models import Unit
from tiexi_gov.org.panels import PanelItem, UnitPanel
from tiexi_gov.org.selectors import who_handles
from tiexi_gov.workflow import once
from tiexi_gov.workflow.errors import ActionRefused

from ..models import AbsenceRequest
from ..research import permissions as research_permissions
from . import forms, permissions, selectors
from . import services as absence

State = AbsenceRequest.State
PER_PAGE = 20
STATE_STYLE = {
    State.REQUESTED: "text-bg-warning",
    State.APPROVED: "text-bg-success",
    State.REJECTED: "text-bg-danger",
    State.RETURNED: "text-bg-secondary",
    State.CANCELLED: "text-bg-light border",
}
TABS = (("waiting", "待我审批"), ("mine", "我的请假"), ("all", "全部请假"))


def _nav(user) -> dict:
    return {
        "nav_away": permissions.can_view_who_is_away(user),
        "nav_research": research_permissions.can_view_research(user),
    }


# --- the list -----------------------------------------------------------------------------------------------


@login_required
def leave_list(request):
    """请假报备: my requests, those waiting for my decision, and — for the office and the leaders — all, filterable."""
    user, today = request.user, timezone.localdate()
    sees_all = permissions.can_list_all_absences(user)
    own_posts = absence.eligible_posts(user, today)
    waiting = selectors.waiting_for(user, today)
    waiting_count = waiting.count()
    has_own = bool(own_posts) or selectors.requests_of(user).exists()
    shown = {"waiting": bool(waiting_count) or is_district_leader(user), "mine": has_own, "all": sees_all}
    tabs = [(k, label) for k, label in TABS if shown[k]]
    if not tabs:
        raise Http404("没有找到该页面。")
    tab = request.GET.get("tab")
    if not shown.get(tab):
        tab = "waiting" if waiting_count else "mine" if has_own else tabs[0][0]
    filters, filter_form, units = {}, None, []
    if tab == "waiting":
        qs = waiting.order_by("start", "id")
    elif tab == "mine":
        qs = selectors.requests_of(user).order_by("-start", "-id")
    else:
        filter_form = forms.styled(forms.LeaveFilterForm(request.GET))
        filters = filter_form.values()
        units = list(Unit.objects.filter(active=True).order_by("order", "id"))
        unit = next((u for u in units if str(u.pk) == request.GET.get("unit", "")), None)
        qs = selectors.all_requests(unit=unit, **filters).order_by("-start", "-id")
        if unit is not None:
            filters["unit"] = unit.pk
    page = Paginator(qs, PER_PAGE).get_page(request.GET.get("page"))
    rows = list(page.object_list)
    holders = selectors.acting_holders((r.acting_post for r in rows), today)
    base = {"tab": tab, **{k: (v.isoformat() if isinstance(v, dt.date) else v) for k, v in filters.items()}}
    return render(
        request,
        "coordination/leave_list.html",
        {
            "today": today,
            "tab": tab,
            "tabs": tabs,
            "page": page,
            "rows": [(r, holders.get(r.acting_post_id), STATE_STYLE.get(r.state, "")) for r in rows],
            "waiting_count": waiting_count,
            "may_request": bool(own_posts),
            "sees_all": sees_all,
            "filter_form": filter_form,
            "units": units,
            "unit_id": filters.get("unit"),
            "query": urlencode(base),
            **_nav(user),
        },
    )


# --- a new request ------------------------------------------------------------------------------------------


def _eligible_or_404(user, day: dt.date):
    posts = absence.eligible_posts(user, day)
    if not posts:
        raise Http404("没有找到该页面。")
    return posts


@login_required
def leave_new(request):
    """请假（报告）: the requester's own posts; the acting person's choices follow the rules of the post."""
    today = timezone.localdate()
    posts = _eligible_or_404(request.user, today)
    if request.method == "POST" and (made := once.made_before(request)):
        return once.answer_again(request, made)  # the same form again: the request it filed, not a refusal
    form = forms.AbsenceForm(request.POST or None, posts=posts, day=today, user=request.user)
    status = 200
    if request.method == "POST":
        if form.is_valid():
            d = form.cleaned_data
            try:
                with once.once(request) as done:
                    req = absence.request_absence(
                        actor=request.user,
                        post=d["post_obj"],
                        start=d["start"],
                        end=d["end"],
                        place=d["place"],
                        purpose=d["purpose"],
                        contact=d["contact"],
                        acting_post=d["acting_obj"],
                        national_or_provincial_meeting=d.get("national_or_provincial_meeting", False),
                    )
                    done(reverse("coordination:leave", args=[req.pk]))
            except once.AlreadyPosted as exc:
                return once.answer_again(request, exc.url)
            except ActionRefused as exc:
                form.add_error(None, str(exc))
            else:
                if req.kind == AbsenceRequest.Kind.HEAD:
                    messages.success(
                        request, "外出报告已登记（已报市委、市政府），外出期间由常务副区长受委托主持工作。"
                    )
                else:
                    messages.success(request, f"请假已提交，待{req.approver_post.title}审批。")
                return redirect("coordination:leave", pk=req.pk)
        status = 400
    return render(
        request,
        "coordination/leave_form.html",
        {
            "form": forms.styled(form),
            "today": today,
            "rules": _rules_for(posts),
            "once_token": once.token_for(request),
            **_nav(request.user),
        },
        status=status,
    )


def _rules_for(posts) -> list[str]:
    kinds = {absence.kind_for_post(p) for p in posts}
    K = AbsenceRequest.Kind
    text = {
        K.HEAD: "区长出差、出访，离开本地休假、学习，须提前3天分别向市委、市政府报告"
        "（参加全国或全省性重要会议活动除外）；外出期间委托负责常务工作的副区长主持区政府全面工作。",
        K.DEPUTY: "副区长出差、出访，离开本地休假、学习，应事先向区长请假，由区政府办公室通报区政府其他领导同志；"
        "外出期间由区长指定其他副区长代理。",
        K.UNIT_HEAD: "单位主要负责人离开本地一天以内向分管副区长请示，一天以上向区长请示；经批准后将时间、地点、"
        "联系方式和代理工作同志报区政府办公室备案；返回后向区长和分管副区长报告。",
    }
    return [text[k] for k in (K.HEAD, K.DEPUTY, K.UNIT_HEAD) if k in kinds]


# --- one request --------------------------------------------------------------------------------------------


def _can(req: AbsenceRequest, name: str, user) -> bool:
    method = getattr(req, name)
    return can_proceed(method) and has_transition_perm(method, user)


def allowed_actions(user, req: AbsenceRequest, day: dt.date) -> set[str]:
    req._day = day
    allowed = set()
    if _can(req, "approve", user):
        allowed |= {"approve", "reject"}
    returns = _can(req, "report_return", user) or _can(req, "report_return_for", user)
    if req.state == State.APPROVED and day >= req.start and returns:
        allowed.add("return")
    if day < req.start and _can(req, "cancel", user):
        allowed.add("cancel")
    return allowed


ACTION_LABELS = {"approve": "批准", "reject": "不批准", "return": "销假", "cancel": "撤回"}
ACTION_FORMS = {
    "approve": forms.DecideForm,
    "reject": forms.DecideForm,
    "return": forms.ReturnForm,
    "cancel": forms.CancelForm,
}


def _action_forms(req: AbsenceRequest, allowed: set[str], today: dt.date, bound=None) -> dict:
    built = {}
    for name in allowed:
        if name == "return":
            form = forms.ReturnForm(prefix=name, initial={"returned_on": today})
        elif name == "approve":
            form = forms.DecideForm(prefix=name, initial={"opinion": "同意。"}, request=req)
        else:
            form = ACTION_FORMS[name](prefix=name)
        built[name] = forms.styled(form)
    if bound is not None and bound[0] in allowed:
        built[bound[0]] = forms.styled(bound[1])
    return built


def _page(request, req: AbsenceRequest, *, bound=None, status: int = 200):
    today = timezone.localdate()
    allowed = allowed_actions(request.user, req, today)
    approver = who_handles(req.approver_post, today) if req.approver_post_id else None
    acting = selectors.acting_holders([req.acting_post], max(today, req.start)).get(req.acting_post_id)
    return render(
        request,
        "coordination/leave.html",
        {
            "req": req,
            "today": today,
            "allowed": allowed,
            "forms": _action_forms(req, allowed, today, bound),
            "approver": approver,
            "acting": acting,
            "arrangement": req.arrangement,
            "state_style": STATE_STYLE.get(req.state, ""),
            "summary": absence.summary(req, acting),
            **_nav(request.user),
        },
        status=status,
    )


@login_required
def leave(request, pk: int):
    """One request: particulars, approver, acting, the actions the user may take now, and the history (X-1)."""
    return _page(request, selectors.absence_or_404(request.user, pk, timezone.localdate()))


def _moved_on(user, req) -> str:
    """What a click on a page older than the request says: who moved it on (the user themselves, from another
    window or a second click), and where it stands."""
    state = req.get_state_display()
    State = type(req).State
    mover = req.person if req.state in (State.RETURNED, State.CANCELLED) else req.decided_by
    if mover is None:
        return f"该请假已有变化（当前状态：{state}），请查看后再操作。"
    if mover.pk == user.pk:
        return f"您已处理过该请假（当前状态：{state}），无需再次操作。"
    return f"该请假已由{mover.display_name}处理（当前状态：{state}），请查看后再操作。"


@login_required
@require_POST
def leave_action(request, pk: int, action: str):
    today = timezone.localdate()
    req = selectors.absence_or_404(request.user, pk, today)
    if action not in ACTION_FORMS:
        raise Http404("没有该操作。")
    seen = request.POST.get("seen_state", "")
    if seen and seen != req.state:
        messages.warning(request, _moved_on(request.user, req))
        return redirect("coordination:leave", pk=req.pk)
    if action not in allowed_actions(request.user, req, today):
        # Before the form: a refused user's page does not draw it, so its errors would make a blank 400.
        messages.error(request, f"您当前不能对该请假进行“{ACTION_LABELS[action]}”操作。")
        return _page(request, req, status=403)
    kwargs = {"request": req} if action == "approve" else {}
    form = ACTION_FORMS[action](request.POST, prefix=action, **kwargs)
    if form.is_valid():
        d = form.cleaned_data
        try:
            if action in ("approve", "reject"):
                absence.decide_absence(
                    actor=request.user,
                    request=req,
                    approve=action == "approve",
                    opinion=d["opinion"],
                    acting_post=d.get("acting_obj"),
                )
                text = "已批准，代理安排自批准的外出日期起生效。" if action == "approve" else "已不批准，已通知请假人。"
            elif action == "return":
                absence.report_return(actor=request.user, request=req, returned_on=d["returned_on"], report=d["report"])
                text = "已销假，代理安排已结束。"
            else:
                absence.cancel_absence(actor=request.user, request=req, reason=d["reason"])
                text = "请假已撤回。"
        except ActionRefused as exc:
            # A message, not a form error: the refused user's page may not draw this form at all.
            messages.error(request, str(exc))
        else:
            messages.success(request, text)
            return redirect("coordination:leave", pk=req.pk)
    fresh = selectors.absence_or_404(request.user, pk, today)
    return _page(request, fresh, bound=(action, form), status=400)


# --- who is away --------------------------------------------------------------------------------------------


@login_required
def who_is_away(request):
    """谁在外出: the office's and the leaders' panel — today and the next 7 days, with the acting person."""
    if not permissions.can_view_who_is_away(request.user):
        raise Http404("没有找到该页面。")
    today = timezone.localdate()
    rows = selectors.who_is_away(today)
    return render(
        request,
        "coordination/who_is_away.html",
        {
            "today": today,
            "last": today + dt.timedelta(days=selectors.AWAY_HORIZON_DAYS),
            "away_today": [r for r in rows if r.away_today],
            "coming": [r for r in rows if not r.away_today],
            **_nav(request.user),
        },
    )


def unit_away_panel(user, unit, day):
    """The unit page's panel: the unit's people away today or in the next 7 days (one query, LEAVE-3/4)."""

    if not permissions.can_see_unit_absences(user, unit):
        return None
    rows = selectors.who_is_away(day, unit=unit)
    items = []
    for row in rows:
        r = row.request
        acting = f"，{row.acting.display_name}代理" if row.acting else ""
        items.append(
            PanelItem(
                label=f"{r.person.display_name}（{r.post.title}）{r.place}",
                url=reverse("coordination:leave", args=[r.pk]) if permissions.can_view_absence(user, r) else "",
                note=f"{r.start:%m-%d}至{r.end:%m-%d}{acting}",
                tag="外出中" if row.away_today else "将外出",
                tag_class="warning" if row.away_today else "secondary",
            )
        )
    more = reverse("coordination:who_is_away") if permissions.can_view_who_is_away(user) else ""
    return UnitPanel(title="外出报备", items=items, more_url=more, empty_text="近7天无人外出")

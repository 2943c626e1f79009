"""The register of coordination bodies (议事协调机构名册), one body's page, and the applications that change the
register (CRD-1, CRD-2).

Views only parse input, ask `coordination.register.permissions` (through the selectors, which give a 404 to whoever
may not see an application), call ONE service of `coordination.register.services` and report its message. A refusal
re-renders the page with what the user typed; a click on a page someone else has meanwhile moved on is answered
"已由…处理" (the page sends the state it showed, `seen_state`). Only the steps the user may take now are shown.
"""

from __future__ import annotations

from dataclasses import dataclass

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone

from tiexi_gov.http import to_id
from tiexi_gov.listing import url_for_each
from tiexi_gov.org.models import Unit
from tiexi_gov.org.selectors import Handler, leader_post_for_unit
from tiexi_gov.pagecache.cache import cached_page
from tiexi_gov.workflow import once
from tiexi_gov.workflow.errors import ActionRefused, AlreadyHandled, NotAllowed

from ..absence import permissions as absence_permissions
from ..models import Application, Body, CounterpartLevel, Ground, Rank
from ..research import permissions as research_permissions
from . import permissions, selectors, services
from .forms import ApplicationForm, BodyChoiceForm, StepForm, SubmitForm

Kind = Application.Kind
St = Application.State
STATE_STYLE = {
    St.DRAFTING: "text-bg-light border",
    St.OFFICE_REVIEW: "text-bg-primary",
    St.DEPUTY_REVIEW: "text-bg-primary",
    St.HEAD_REVIEW: "text-bg-primary",
    St.APPROVED: "text-bg-success",
    St.RETURNED: "text-bg-warning",
}
STATUS_STYLE = {
    Body.Status.ACTIVE: "text-bg-success",
    Body.Status.MERGED: "text-bg-secondary",
    Body.Status.ABOLISHED: "text-bg-dark",
}


GROUND_LABELS = dict(Ground.choices)
RANK_LABELS = dict(Rank.choices)
LEVEL_LABELS = dict(CounterpartLevel.choices)
BODY_STATUS_LABELS = dict(Body.Status.choices)


@dataclass(frozen=True)
class RegisterLine:
    """A register row with its words made once in Python (issue 14.2: at 25 bodies a page the template only prints
    them instead of calling get_…_display, {% url %} and the date filter per body)."""

    body: Body
    head: Handler | None  # who holds the head seat's post today
    url: str
    grounds: list[tuple[str, str]]  # (设立依据, its basis)
    counterpart_level: str
    counterpart_rank: str
    rank: str
    host_unit: str
    status: str
    status_style: str
    merged_into: str
    ended_on: str
    phase_end: str
    phase_overdue: bool  # a phase task past its expected end while the body still exists (第六十七条)


def _register_lines(rows, today) -> list[RegisterLine]:
    body_url = url_for_each("coordination:body")
    lines = []
    for row in rows:
        b = row.body
        lines.append(
            RegisterLine(
                body=b,
                head=row.head,
                url=body_url(b.pk),
                grounds=[(GROUND_LABELS.get(g.ground, g.ground), g.basis) for g in b.grounds.all()],
                counterpart_level=LEVEL_LABELS.get(b.counterpart_level, b.counterpart_level),
                counterpart_rank=RANK_LABELS.get(b.counterpart_rank, "") if b.counterpart_rank else "",
                rank=RANK_LABELS.get(b.rank, str(b.rank)),
                host_unit=b.host_unit.display_name,
                status=BODY_STATUS_LABELS.get(b.status, b.status),
                status_style=STATUS_STYLE.get(b.status, ""),
                merged_into=b.merged_into.name if b.merged_into_id else "",
                ended_on=b.ended_on.isoformat() if b.ended_on else "",
                phase_end=b.phase_end.isoformat() if b.phase_end else "",
                phase_overdue=bool(b.phase_end and b.phase_end < today and b.status == Body.Status.ACTIVE),
            )
        )
    return lines


def _query(params, **changes) -> str:
    """The current query string with `changes` (None removes a key), for filter tabs and page links."""
    q = params.copy()
    for key, value in changes.items():
        q.pop(key, None)
        if value not in (None, ""):
            q[key] = value
    return q.urlencode()


def _page_links(request, page) -> dict:
    links = {}
    if page.has_previous():
        links["first"] = "?" + _query(request.GET, page=None)
        links["previous"] = "?" + _query(request.GET, page=page.previous_page_number())
    if page.has_next():
        links["next"] = "?" + _query(request.GET, page=page.next_page_number())
        links["last"] = "?" + _query(request.GET, page=page.paginator.num_pages)
    return links


# --- the register ---------------------------------------------------------------------------------------------


@login_required
@cached_page
def register(request):
    """议事协调机构名册: every body, by status, with its grounds, counterpart, rank, head (by post, today's holder),
    host unit and office, and the expected end of a phase task."""
    if not permissions.can_view_register(request.user):
        raise Http404("没有找到该页面。")
    today = timezone.localdate()
    filters = selectors.register_filters(request.GET)
    page, rows = selectors.register_page(filters, request.GET.get("page"), today)
    counts = selectors.status_counts()
    tabs = [
        (value, label, counts.get(value, 0), "?" + _query(request.GET, status=value, page=None))
        for value, label in selectors.STATUS_TABS
    ]
    return render(
        request,
        "coordination/register.html",
        {
            "today": today,
            "filters": filters,
            "tabs": tabs,
            "rows": _register_lines(rows, today),
            "page": page,
            "page_links": _page_links(request, page),
            "host_units": list(selectors.host_units()),
            "status_style": STATUS_STYLE,
            "may_apply": permissions.can_start_application(request.user),
            **_nav(request.user),
        },
    )


@login_required
def body(request, pk: int):
    """One body: everything the register holds of it, its seats by post with today's holder, its history."""
    today = timezone.localdate()
    data = selectors.body_page(request.user, pk, today)
    return render(
        request,
        "coordination/body.html",
        {
            "today": today,
            "page": data,
            "body": data.body,
            "seat_groups": [data.head, data.deputies, data.members],
            "has_seats": bool(data.head or data.deputies or data.members),
            "status_style": STATUS_STYLE,
            "state_style": STATE_STYLE,
            "may_apply": permissions.can_start_application(request.user) and data.body.status == Body.Status.ACTIVE,
            "may_manage": permissions.can_manage(request.user),
        },
    )


def _nav(user) -> dict:
    """The tabs of _register_nav.html: each shown only to who may open it (the page behind it is a 404 to others)."""
    return {
        "may_manage": permissions.can_manage(user),
        "nav_away": absence_permissions.can_view_who_is_away(user),
        "nav_research": research_permissions.can_view_research(user),
    }


# --- applications -------------------------------------------------------------------------------------------


@login_required
def applications(request):
    """申请: what waits for me first, then my unit's, then (office and district leaders) all of them."""
    today = timezone.localdate()
    tabs = selectors.application_tabs(request.user, today)
    names = [t[0] for t in tabs]
    tab = request.GET.get("tab") or "todo"
    if tab not in names:
        tab = "todo"
    state = request.GET.get("state") or ""
    page = selectors.applications_page(request.user, tab, request.GET.get("page"), today, state=state)
    return render(
        request,
        "coordination/applications.html",
        {
            "today": today,
            "tab": tab,
            "tabs": [(name, label, n, "?" + _query(request.GET, tab=name, page=None)) for name, label, n in tabs],
            "state": state,
            "states": St.choices,
            "page": page,
            "page_links": _page_links(request, page),
            "state_style": STATE_STYLE,
            "may_apply": permissions.can_start_application(request.user),
            **_nav(request.user),
        },
    )


def chosen_kind(value) -> str:
    return value if value in Kind.values else Kind.SETUP


def chosen_body(value) -> Body | None:
    pk = to_id(value)
    return Body.objects.filter(pk=pk, status=Body.Status.ACTIVE).first() if pk else None


def _form_context(request, form, kind, body, *, application=None):
    return {
        "form": form,
        "kind": kind,
        "kind_label": Kind(kind).label,
        "kinds": Kind.choices,
        "body": body,
        "application": application,
        "rank_choices": Rank.choices,
        "once_token": once.token_for(request) if application is None else "",
    }


@login_required
def application_new(request):
    """申请设立、调整、合并或撤销一个议事协调机构 (CRD-1): the form, checked by the service (CRD-2)."""
    user = request.user
    if not permissions.can_start_application(user):
        raise Http404("没有找到该页面。")
    today = timezone.localdate()
    if request.method == "POST" and (made := once.made_before(request)):
        return once.answer_again(request, made)  # the same form again: the application it made, not a second one
    data = request.POST if request.method == "POST" else request.GET
    kind = chosen_kind(data.get("kind"))
    body = chosen_body(data.get("body"))
    if kind == Kind.ADJUST and body is None:
        chooser = BodyChoiceForm(kind=kind, initial={"body": data.get("body")})
        return render(
            request,
            "coordination/application_form.html",
            {**_form_context(request, None, kind, None), "chooser": chooser},
        )
    form = ApplicationForm(
        request.POST if request.method == "POST" else None, user=user, kind=kind, day=today, body=body
    )
    if request.method != "POST":
        if kind == Kind.ADJUST:
            form.set_initial_spec(services.body_spec(body))
        elif kind == Kind.SETUP:
            unit = Unit.objects.filter(pk=form.fields["applicant_unit"].initial).first()
            if unit is not None:
                responsible = leader_post_for_unit(unit, today)
                form.initial.update({"host_unit": unit.pk, "head_post": responsible.pk if responsible else None})
        return render(request, "coordination/application_form.html", _form_context(request, form, kind, body))
    if form.is_valid():
        d = form.cleaned_data
        try:
            with once.once(request) as done:
                application = services.create_application(
                    actor=user,
                    kind=kind,
                    applicant_unit=Unit.objects.get(pk=d["applicant_unit"]),
                    reason=d["reason"],
                    proposal=form.proposal(),
                    body=d.get("body") if kind != Kind.SETUP else None,
                    merge_into=d.get("merge_into"),
                    submit=request.POST.get("do") != "draft",
                )
                done(reverse("coordination:application", args=[application.pk]))
        except once.AlreadyPosted as exc:
            return once.answer_again(request, exc.url)
        except ActionRefused as exc:
            form.add_service_error(exc)
        else:
            if application.state == St.DRAFTING:
                messages.success(request, "申请已保存为草稿，尚未提交。")
            else:
                messages.success(request, "申请已提交，待区政府办公室审核（第六十四条）。")
            return redirect("coordination:application", pk=application.pk)
    return render(request, "coordination/application_form.html", _form_context(request, form, kind, body), status=400)


# --- one application and its steps ------------------------------------------------------------------------


@dataclass(frozen=True)
class Step:
    transition: str
    label: str  # the button
    opinion_label: str = "意见"
    button: str = "primary"
    confirm: bool = False  # a box to tick, checked on the server (the step that changes the register)
    run: object = None
    ask: str = ""  # the browser's question before the step is sent (every step moves the application on)


def _run_submit(request, app, d):
    app = services.submit_application(actor=request.user, application=app, seen_state=d.get("seen_state"))
    return "申请已提交，待区政府办公室审核（第六十四条）。"


def _run_office(request, app, d):
    services.office_review(actor=request.user, application=app, opinion=d["opinion"], seen_state=d.get("seen_state"))
    return "已审核，报分管副区长审核。"


def _run_deputy(request, app, d):
    services.deputy_review(actor=request.user, application=app, opinion=d["opinion"], seen_state=d.get("seen_state"))
    return "已审核，报区长审批。"


def _run_approve(request, app, d):
    app = services.head_approve(
        actor=request.user, application=app, opinion=d["opinion"], seen_state=d.get("seen_state")
    )
    return f"已批准，议事协调机构名册已更新：{app.body.name}。"


def _run_send_back(request, app, d):
    services.send_back(actor=request.user, application=app, opinion=d["opinion"], seen_state=d.get("seen_state"))
    return "已退回申请单位。"


STEPS = {
    "submit": Step("submit", "提交申请", run=_run_submit, ask="确认提交申请？提交后由区政府办公室审核。"),
    "office-review": Step(
        "office_pass",
        "审核通过，报分管副区长",
        "办公室审核意见",
        run=_run_office,
        ask="确认审核通过，报分管副区长审核？",
    ),
    "deputy-review": Step(
        "deputy_pass", "同意，报区长审批", "分管副区长审核意见", run=_run_deputy, ask="确认同意，报区长审批？"
    ),
    "approve": Step(
        "approve",
        "批准",
        "区长审批意见",
        "success",
        confirm=True,
        run=_run_approve,
        ask="批准后名册即行变更，确认批准？",
    ),
    "send-back": Step(
        "send_back", "退回申请单位", "退回意见", "outline-danger", run=_run_send_back, ask="确认退回申请单位？"
    ),
}


def step_form(name: str, step: Step, data=None, state: str = ""):
    initial = {"seen_state": state}
    if name == "submit":
        return SubmitForm(data, prefix=name, initial=initial)
    return StepForm(data, prefix=name, initial=initial, label=step.opinion_label, confirm=step.confirm)


def _context(request, app: Application, bound=None) -> dict:
    today = timezone.localdate()
    forms = {}
    for name, step in STEPS.items():
        if permissions.may_take(app, step.transition, request.user):
            forms[name] = bound[1] if bound and bound[0] == name else step_form(name, step, state=app.state)
    actions = [(name, STEPS[name], form) for name, form in forms.items()]
    return {
        "application": app,
        "today": today,
        "actions": actions,
        "may_revise": "submit" in forms,
        "lines": selectors.proposal_lines(app, today),
        "abolish_grounds": selectors.abolish_ground_labels(app),
        "state_style": STATE_STYLE,
        "status_style": STATUS_STYLE,
        "steps": _path(app),
    }


def _path(app: Application) -> list[tuple[str, str, str]]:
    """The path of the application as (label, opinion, css): applied → office → deputy → head."""
    order = [St.DRAFTING, St.OFFICE_REVIEW, St.DEPUTY_REVIEW, St.HEAD_REVIEW, St.APPROVED]
    at = order.index(app.state) if app.state in order else 0
    deputy = app.deputy_post.title if app.deputy_post else "分管副区长"
    rows = [
        ("申请单位提出申请", app.applicant_unit.display_name, 0),
        ("区政府办公室审核把关、提出意见", app.office_opinion, 1),
        (f"{deputy}审核", app.deputy_opinion, 2),
        ("区长审批", app.head_opinion, 3),
    ]
    result = []
    for label, text, index in rows:
        if app.state == St.RETURNED:
            css = "text-bg-warning" if text and index else "text-bg-light border"
        elif index < at or app.state == St.APPROVED:
            css = "text-bg-success"
        elif index == at:
            css = "text-bg-primary"
        else:
            css = "text-bg-light border"
        result.append((label, text, css))
    return result


@login_required
def application(request, pk: int):
    """One application: what it proposes, its path and opinions, and the step the user may take now."""
    app = selectors.get_application(request.user, pk)
    return render(request, "coordination/application.html", _context(request, app))


def _rerender(request, pk: int, *, status: int, bound=None):
    app = selectors.get_application(request.user, pk)
    return render(request, "coordination/application.html", _context(request, app, bound=bound), status=status)


def _revise(request, app: Application):
    """修改后重新提交: the application form, pre-filled with what the application proposes."""
    if not permissions.may_take(app, "submit", request.user):
        messages.error(request, "您当前不能修改该申请。")
        return _rerender(request, app.pk, status=403)
    today = timezone.localdate()
    body = app.body if app.kind != Kind.SETUP else None
    form = ApplicationForm(
        request.POST if request.method == "POST" else None, user=request.user, kind=app.kind, day=today, body=body
    )
    form.fields["applicant_unit"].choices = [(app.applicant_unit_id, app.applicant_unit.name)]
    form.fields["applicant_unit"].initial = app.applicant_unit_id
    if request.method != "POST":
        spec = services.body_spec(body) if app.kind == Kind.ADJUST and body else {}
        form.set_initial_spec({**spec, **(app.proposal or {})})
        form.initial.update(
            {
                "reason": app.reason,
                "merge_into": app.merge_into_id,
                "abolish_grounds": (app.proposal or {}).get("abolish_grounds", []),
            }
        )
        return render(
            request, "coordination/application_form.html", _form_context(request, form, app.kind, body, application=app)
        )
    if form.is_valid():
        d = form.cleaned_data
        try:
            app = services.submit_application(
                actor=request.user,
                application=app,
                reason=d["reason"],
                proposal=form.proposal(),
                merge_into=d.get("merge_into"),
                seen_state=request.POST.get("seen_state") or None,
            )
        except AlreadyHandled as exc:
            messages.error(request, exc.message)
            return redirect("coordination:application", pk=app.pk)
        except ActionRefused as exc:
            form.add_service_error(exc)
        else:
            done = getattr(app, "submitted_as", "提交申请").removesuffix("申请")
            messages.success(request, f"申请已{done}，待区政府办公室审核（第六十四条）。")
            return redirect("coordination:application", pk=app.pk)
    context = _form_context(request, form, app.kind, body, application=app)
    return render(request, "coordination/application_form.html", context, status=400)


@login_required
def application_action(request, pk: int, action: str):
    """One step of the application: parse the small form, call the service, show its message."""
    app = selectors.get_application(request.user, pk)  # 404 for whoever may not see it, before anything else
    if action == "revise":
        return _revise(request, app)
    step = STEPS.get(action)
    if step is None:
        raise Http404("没有该操作。")
    if request.method != "POST":
        return redirect("coordination:application", pk=app.pk)
    form = step_form(action, step, request.POST)
    seen = request.POST.get(f"{action}-seen_state", "")
    stale = bool(seen) and seen in St.values and seen != app.state
    if not stale and not permissions.may_take(app, step.transition, request.user):
        messages.error(request, f"您当前不能对该申请进行“{step.label}”操作。")
        return _rerender(request, pk, status=403)
    if not form.is_valid():
        errors = [str(e) for errs in form.errors.values() for e in errs]
        messages.error(request, "请检查填写的内容：" + "；".join(errors) if errors else "请检查填写的内容。")
        return _rerender(request, pk, status=400, bound=(action, form))
    try:
        text = step.run(request, app, form.cleaned_data)
    except AlreadyHandled as exc:
        messages.error(request, exc.message)
        return _rerender(request, pk, status=200)
    except NotAllowed as exc:
        messages.error(request, exc.message)
        return _rerender(request, pk, status=403)
    except ActionRefused as exc:
        messages.error(request, exc.message)
        return _rerender(request, pk, status=400, bound=(action, form))
    messages.success(request, text)
    return redirect("coordination:application", pk=app.pk)

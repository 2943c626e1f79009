"""The public side of supervision: website inquiries (PUB-1), every unit's half-year report (SUP-2) and the
outcomes of supervision (SUP-4).

Views only parse input, ask `supervision.permissions`, call one service and report its message; a refusal
re-renders the form with what the user typed. Anyone who may not see a row gets a 404.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from urllib.parse import urlencode

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.db.models import Case, Count, IntegerField, Q, Value, When
from django.http import Http404
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.http import require_POST

from tiexi_gov.deadlines.selectors import due_text
from tiexi_gov.org.access import visible_units

from . import forms_public as forms
from . import permissions, services
from .downloads import file_response
from .models import HalfYearReport, Outcome, PublicInquiry, Source, SupervisionItem
from .services import SupervisionError

PAGE_SIZE = 20
HALF_YEAR_PAGE_SIZE = 50


def _page_links(request, page, param: str = "page") -> dict:
    """Previous/next links that keep the page's filters."""

    def url(number: int) -> str:
        query = request.GET.copy()
        query[param] = str(number)
        return f"?{query.urlencode()}"

    return {
        "previous": url(page.previous_page_number()) if page.has_previous() else "",
        "next": url(page.next_page_number()) if page.has_next() else "",
    }


def _int(value) -> int | None:
    try:
        return int(value)
    except (TypeError, ValueError):
        return None


# =====================================================================================================
# PUB-1 public inquiries (第三十八条): logged by the office, assigned to a unit, answered within 5 WD
# =====================================================================================================

INQUIRY_RULES = [
    ("PUB-1", "通过政府网站提出的简单咨询，5个工作日内答复；逾期由时限督办提醒办公室主任"),
]


@dataclass(frozen=True)
class InquiryRow:
    inquiry: PublicInquiry
    due_text: str
    due_tone: str


def _inquiry_due(inquiry: PublicInquiry, today: dt.date) -> tuple[str, str]:
    if inquiry.state == PublicInquiry.State.ANSWERED:
        if inquiry.due and inquiry.answered_on and inquiry.answered_on > inquiry.due:
            return "逾期答复", "danger"
        return "按期答复", "success"
    if inquiry.due is None:
        return "待转办", "secondary"
    return due_text(inquiry.due, today)


@login_required
def inquiries(request):
    """网上咨询: the office sees all, a unit those assigned to it; open ones first, the most urgent on top."""
    today = timezone.localdate()
    qs = permissions.visible_inquiries(request.user).select_related("unit")
    state = request.GET.get("state", "")
    if state in PublicInquiry.State.values:
        qs = qs.filter(state=state)
    else:
        state = ""
    unit_id = _int(request.GET.get("unit"))
    if unit_id:
        qs = qs.filter(unit_id=unit_id)
    qs = qs.annotate(
        done=Case(
            When(state=PublicInquiry.State.ANSWERED, then=Value(1)), default=Value(0), output_field=IntegerField()
        )
    ).order_by("done", "due", "-received_on", "-id")
    page = Paginator(qs, PAGE_SIZE).get_page(request.GET.get("page"))
    rows = [InquiryRow(i, *_inquiry_due(i, today)) for i in page.object_list]
    return render(
        request,
        "supervision/inquiries.html",
        {
            "page": page,
            "rows": rows,
            "links": _page_links(request, page),
            "states": PublicInquiry.State.choices,
            "state": state,
            "unit_id": unit_id,
            "units": visible_units(request.user).filter(active=True, kind__in=services.HALF_YEAR_UNIT_KINDS),
            "may_log": permissions.can_manage_inquiry(request.user),
            "rules": INQUIRY_RULES,
        },
    )


@login_required
def inquiry_new(request):
    """登记网上咨询 (the office only); with a unit chosen it is assigned at once and the 5-WD clock starts."""
    if not permissions.can_manage_inquiry(request.user):
        raise Http404
    form = forms.InquiryForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        d = form.cleaned_data
        try:
            inquiry = services.log_inquiry(
                actor=request.user,
                asker=d["asker"],
                contact=d["contact"],
                channel=d["channel"],
                question=d["question"],
                received_on=d["received_on"],
                unit=d["unit"],
            )
        except SupervisionError as exc:
            messages.error(request, exc.message)
        else:
            if inquiry.unit_id:
                messages.success(request, f"已登记并转{inquiry.unit.display_name}答复，答复时限 {inquiry.due}。")
            else:
                messages.success(request, f"已登记 {inquiry.number}，请转办承办单位。")
            return redirect("supervision:inquiry", pk=inquiry.pk)
    return render(request, "supervision/inquiry_form.html", {"form": forms.styled(form)})


def raise_item_url(inquiry: PublicInquiry) -> str:
    """The create form of a supervision item, prefilled from the inquiry (PUB-1 → SUP-1)."""
    params = {"source": Source.PUBLIC_INQUIRY, "source_ref": inquiry.number, "task": inquiry.question}
    if inquiry.unit_id:
        params["lead_unit"] = inquiry.unit_id
    return f"{reverse('supervision:item_new')}?{urlencode(params)}"


def _inquiry_page(request, inquiry: PublicInquiry, *, assign_form=None, answer_form=None, status: int = 200):
    today = timezone.localdate()
    open_ = inquiry.state != PublicInquiry.State.ANSWERED
    may_assign = open_ and permissions.can_manage_inquiry(request.user, inquiry)
    may_answer = inquiry.state == PublicInquiry.State.ASSIGNED and permissions.can_answer_inquiry(request.user, inquiry)
    if may_assign and assign_form is None:
        assign_form = forms.InquiryAssignForm(prefix="assign", initial={"unit": inquiry.unit_id})
    if may_answer and answer_form is None:
        answer_form = forms.InquiryAnswerForm(prefix="answer")
    text, tone = _inquiry_due(inquiry, today)
    return render(
        request,
        "supervision/inquiry.html",
        {
            "inquiry": inquiry,
            "due_text": text,
            "due_tone": tone,
            "assign_form": forms.styled(assign_form) if may_assign else None,
            "answer_form": forms.styled(answer_form) if may_answer else None,
            "raise_url": raise_item_url(inquiry) if permissions.can_manage_inquiry(request.user) else "",
            "rules": INQUIRY_RULES,
        },
        status=status,
    )


@login_required
def inquiry(request, pk: int):
    inquiry = permissions.get_inquiry_or_404(request.user, pk)
    return _inquiry_page(request, inquiry)


@login_required
@require_POST
def inquiry_action(request, pk: int, action: str):
    """assign (the office: to a unit), answer (the assigned unit), raise-item (the office: to the create form)."""
    inquiry = permissions.get_inquiry_or_404(request.user, pk)
    if action == "raise-item":
        if not permissions.can_manage_inquiry(request.user):
            raise Http404
        return redirect(raise_item_url(inquiry))
    if action == "assign":
        form = forms.InquiryAssignForm(request.POST, prefix="assign")
        if not form.is_valid():
            return _inquiry_page(request, inquiry, assign_form=form)
        try:
            done = services.assign_inquiry(actor=request.user, inquiry=inquiry, unit=form.cleaned_data["unit"])
        except SupervisionError as exc:
            messages.error(request, exc.message)
        else:
            messages.success(request, f"已转{done.unit.display_name}答复，答复时限 {done.due}。")
        return redirect("supervision:inquiry", pk=inquiry.pk)
    if action == "answer":
        form = forms.InquiryAnswerForm(request.POST, prefix="answer")
        if not form.is_valid():
            return _inquiry_page(request, inquiry, answer_form=form)
        try:
            services.answer_inquiry(actor=request.user, inquiry=inquiry, answer=form.cleaned_data["answer"])
        except SupervisionError as exc:
            messages.error(request, exc.message)
        else:
            messages.success(request, "答复已登记。")
        return redirect("supervision:inquiry", pk=inquiry.pk)
    raise Http404


# =====================================================================================================
# SUP-2 half-year reports (第四十九条): to the counterpart department, a copy filed with the office
# =====================================================================================================


def last_ended_half(day: dt.date) -> tuple[int, int]:
    """The half-year that ended most recently before `day` (the one whose reports are owed now)."""
    return (day.year - 1, 2) if day.month <= 6 else (day.year, 1)


def _half_state(report: HalfYearReport, today: dt.date) -> tuple[str, str, str]:
    """(state key, label, tone) as the office reads it: 待报送 / 逾期未报 / 已备案."""
    if report.state == HalfYearReport.State.FILED:
        return "filed", "已备案", "success"
    if report.due < today:
        return "overdue", "逾期未报", "danger"
    return "pending", "待报送", "warning"


@dataclass(frozen=True)
class HalfYearRow:
    report: HalfYearReport
    state: str
    state_label: str
    tone: str
    due_text: str
    may_file: bool


def _half_rows(user, reports, today: dt.date) -> list[HalfYearRow]:
    rows = []
    for r in reports:
        key, label, tone = _half_state(r, today)
        rows.append(
            HalfYearRow(
                report=r,
                state=key,
                state_label=label,
                tone=tone,
                due_text="" if key == "filed" else due_text(r.due, today)[0],
                may_file=key != "filed" and permissions.can_file_half_year(user, r),
            )
        )
    return rows


def _state_filter(qs, state: str, today: dt.date):
    if state == "filed":
        return qs.filter(state=HalfYearReport.State.FILED)
    if state == "overdue":
        return qs.filter(state=HalfYearReport.State.PENDING, due__lt=today)
    if state == "pending":
        return qs.filter(state=HalfYearReport.State.PENDING, due__gte=today)
    return qs


@login_required
def half_year(request):
    """半年报告: the office sees one round (year, half) for every unit and opens rounds; a unit its own rows."""
    today = timezone.localdate()
    office = permissions.can_manage(request.user)
    open_form = None
    if request.method == "POST":
        if not office or request.POST.get("action") != "open":
            raise Http404
        open_form = forms.HalfYearRoundForm(request.POST)
        if open_form.is_valid():
            d = open_form.cleaned_data
            try:
                created = services.open_half_year_round(
                    actor=request.user, year=d["year"], half=d["half"], due=d["due"]
                )
            except SupervisionError as exc:
                messages.error(request, exc.message)
            else:
                half_label = "上半年" if d["half"] == 1 else "下半年"
                if created:
                    messages.success(request, f"已布置{d['year']}年{half_label}工作报告：{created}个单位。")
                else:
                    messages.info(request, f"{d['year']}年{half_label}工作报告已布置，没有新增单位。")
                return redirect(f"{reverse('supervision:half_year')}?year={d['year']}&half={d['half']}")
    default_year, default_half = last_ended_half(today)
    year = _int(request.GET.get("year")) or default_year
    half = _int(request.GET.get("half"))
    half = half if half in (1, 2) else default_half
    state = request.GET.get("state", "")
    qs = permissions.visible_half_year_reports(request.user).select_related("unit")
    if office:
        qs = qs.filter(year=year, half=half)
        counts = qs.aggregate(
            total=Count("id"),
            filed=Count("id", filter=Q(state=HalfYearReport.State.FILED)),
            overdue=Count("id", filter=Q(state=HalfYearReport.State.PENDING, due__lt=today)),
        )
        counts["pending"] = counts["total"] - counts["filed"] - counts["overdue"]
    else:
        counts = None
    qs = _state_filter(qs, state, today).order_by("-year", "-half", "unit__order", "unit_id")
    page = Paginator(qs, HALF_YEAR_PAGE_SIZE).get_page(request.GET.get("page"))
    if office and open_form is None:
        open_form = forms.HalfYearRoundForm(initial={"year": default_year, "half": default_half})
    return render(
        request,
        "supervision/half_year.html",
        {
            "office": office,
            "year": year,
            "half": half,
            "half_label": "上半年" if half == 1 else "下半年",
            "state": state,
            "states": forms.HALF_YEAR_STATES,
            "counts": counts,
            "page": page,
            "rows": _half_rows(request.user, page.object_list, today),
            "links": _page_links(request, page),
            "open_form": forms.styled(open_form) if open_form is not None else None,
            "years": range(today.year, today.year - 5, -1),
        },
    )


def _half_year_report_or_404(user, pk) -> HalfYearReport:
    report = (
        permissions.visible_half_year_reports(user).select_related("unit", "filed_by").filter(pk=_int(pk) or 0).first()
    )
    if report is None or not permissions.can_file_half_year(user, report):
        raise Http404("没有找到该半年报告。")
    return report


@login_required
def half_year_download(request, pk: int, file_id: int):
    """A filed half-year report's file, for whoever may see the report (the unit, its leaders, the office)."""
    report = _half_year_report_or_404(request.user, pk)
    return file_response(report.files.filter(pk=file_id).first())


@login_required
def half_year_file(request, pk: int):
    """The unit files its half-year report: sent to its counterpart department, a copy with the office."""
    report = _half_year_report_or_404(request.user, pk)
    today = timezone.localdate()
    if report.state == HalfYearReport.State.FILED:
        if request.method == "POST":
            messages.error(request, "该半年报告已备案。")
        return render(
            request,
            "supervision/_public_half_year_file.html",
            {"report": report, "files": report.files.all(), "state": _half_state(report, today), "form": None},
        )
    previous = (
        HalfYearReport.objects.filter(unit_id=report.unit_id, state=HalfYearReport.State.FILED)
        .exclude(counterpart="")
        .order_by("-year", "-half")
        .values_list("counterpart", flat=True)
        .first()
    )
    form = forms.HalfYearFileForm(request.POST or None, request.FILES or None, initial={"counterpart": previous or ""})
    if request.method == "POST" and form.is_valid():
        d = form.cleaned_data
        try:
            services.file_half_year_report(
                actor=request.user,
                report=report,
                summary=d["summary"],
                counterpart=d["counterpart"],
                sent_on=d["sent_on"],
                files=d["files"],
            )
        except SupervisionError as exc:
            messages.error(request, exc.message)
        else:
            messages.success(request, f"{report}已报送{d['counterpart']}并在区政府办公室备案。")
            return redirect(f"{reverse('supervision:half_year')}?year={report.year}&half={report.half}")
    return render(
        request,
        "supervision/_public_half_year_file.html",
        {
            "report": report,
            "form": forms.styled(form),
            "state": _half_state(report, today),
            "due_text": due_text(report.due, today)[0],
        },
    )


# =====================================================================================================
# SUP-4 outcomes (第五十条): the office proposes praise / incentive / criticism / accountability,
# a district leader decides; an approved outcome stays on the unit's record (SUP-6)
# =====================================================================================================

OUTCOME_RULES = [
    ("SUP-4", "依据督查结论，办公室提出表扬、激励、批评、追责建议，报区政府领导审批"),
    ("SUP-6", "批准的结果运用计入单位年度绩效考核"),
]


@login_required
def outcomes(request):
    """结果运用: what waits for me first, then the newest; the office and the district leaders see all."""
    posts = permissions.handled_post_ids(request.user)
    qs = permissions.visible_outcomes(request.user).select_related("item", "unit", "approver_post", "decided_by")
    state = request.GET.get("state", "")
    if state in Outcome.State.values:
        qs = qs.filter(state=state)
    else:
        state = ""
    kind = request.GET.get("kind", "")
    if kind in Outcome.OutcomeKind.values:
        qs = qs.filter(kind=kind)
    else:
        kind = ""
    qs = qs.annotate(
        mine=Case(
            When(state=Outcome.State.PROPOSED, approver_post_id__in=posts, then=Value(0)),
            default=Value(1),
            output_field=IntegerField(),
        ),
        waiting=Case(When(state=Outcome.State.PROPOSED, then=Value(0)), default=Value(1), output_field=IntegerField()),
    ).order_by("mine", "waiting", "-proposed_on", "-id")
    page = Paginator(qs, PAGE_SIZE).get_page(request.GET.get("page"))
    return render(
        request,
        "supervision/outcomes.html",
        {
            "page": page,
            "outcomes": page.object_list,
            "links": _page_links(request, page),
            "states": Outcome.State.choices,
            "kinds": Outcome.OutcomeKind.choices,
            "state": state,
            "kind": kind,
            "rules": OUTCOME_RULES,
        },
    )


@login_required
def outcome_new(request, pk: int):
    """The office proposes an outcome from an item's conclusion (verified, or overdue)."""
    if not permissions.can_manage(request.user):
        raise Http404
    item = permissions.get_item_or_404(
        request.user, pk, qs=SupervisionItem.objects.select_related("lead_unit", "leader_post")
    )
    allowed = services.outcome_allowed(item, timezone.localdate())
    form = forms.OutcomeForm(request.POST or None, item=item)
    if request.method == "POST" and form.is_valid():
        d = form.cleaned_data
        try:
            outcome = services.propose_outcome(
                actor=request.user,
                item=item,
                kind=d["kind"],
                grounds=d["grounds"],
                unit=d["unit"],
                approver_post=d["approver_post"],
            )
        except SupervisionError as exc:
            messages.error(request, exc.message)
        else:
            messages.success(request, f"已提出{outcome.get_kind_display()}建议，报{outcome.approver_post.title}审批。")
            return redirect("supervision:outcome", pk=outcome.pk)
    return render(
        request,
        "supervision/outcome_form.html",
        {"item": item, "form": forms.styled(form), "allowed": allowed, "rules": OUTCOME_RULES},
    )


def _outcome_page(request, outcome: Outcome, *, form=None, status: int = 200):
    may_decide = outcome.state == Outcome.State.PROPOSED and permissions.can_decide_outcome(request.user, outcome)
    if may_decide and form is None:
        form = forms.OutcomeDecideForm()
    return render(
        request,
        "supervision/outcome.html",
        {
            "outcome": outcome,
            "item": outcome.item,
            "form": forms.styled(form) if may_decide else None,
            "may_see_item": permissions.can_view(request.user, outcome.item),
            "rules": OUTCOME_RULES,
        },
        status=status,
    )


_OUTCOME_RELATED = ("item", "item__lead_unit", "unit", "approver_post", "proposed_by", "decided_by")


@login_required
def outcome(request, pk: int):
    outcome = permissions.get_outcome_or_404(request.user, pk, Outcome.objects.select_related(*_OUTCOME_RELATED))
    return _outcome_page(request, outcome)


@login_required
@require_POST
def outcome_decide(request, pk: int):
    """The approver post's handler approves or rejects (a rejection needs its reason; both need the tick)."""
    outcome = permissions.get_outcome_or_404(request.user, pk, Outcome.objects.select_related(*_OUTCOME_RELATED))
    if not permissions.can_decide_outcome(request.user, outcome):
        messages.error(request, f"该建议须由{outcome.approver_post.title}审批，您无权审批。")
        return redirect("supervision:outcome", pk=outcome.pk)
    form = forms.OutcomeDecideForm(request.POST)
    if not form.is_valid():
        return _outcome_page(request, outcome, form=form)
    try:
        done = services.decide_outcome(
            actor=request.user, outcome=outcome, approve=form.approve, opinion=form.cleaned_data["opinion"]
        )
    except SupervisionError as exc:
        messages.error(request, exc.message)
    else:
        messages.success(request, f"已{done.get_state_display()}：{done.get_kind_display()}{done.unit.display_name}。")
    return redirect("supervision:outcome", pk=outcome.pk)

"""会议安排 through the API (MTG-3, MTG-4, MTG-11): postponing a meeting and consenting to an ad hoc one (the
postpone page's check `schedule.selectors.rows` → may_postpone / postponable / may_consent, its forms and
services), the year's plan of district-wide meetings (the plan page's `plan_page_or_404`, `plan_page` flags and
services; a meeting added to it as on `district_meeting_new`), the year's regular meetings (`generate_year`), an ad
hoc or special-topic meeting (`meeting_new`: its form and `schedule_ad_hoc`) and the deputy's and head's decision
on an unplanned meeting (`get_district_meeting_or_404`)."""

from __future__ import annotations

from django.http import Http404
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import status, viewsets
from rest_framework.decorators import action
from rest_framework.response import Response

from meetings.meeting import permissions as meeting_permissions
from meetings.schedule import forms as schedule_forms
from meetings.schedule import selectors as schedule_selectors
from meetings.schedule import services as schedule_services
from meetings.schedule import views as schedule_views
from meetings.schedule.models import DistrictMeeting, MeetingPlan
from tiexi_gov.http import to_int
from tiexi_gov.workflow.errors import ActionRefused

from .. import actions as api_actions
from ..actions import ApiAction
from ..exceptions import refusal
from ..serializers.common import ActionInputSerializer, ActionResultSerializer, ErrorSerializer
from ..serializers.meetings import (
    DistrictMeetingDetailSerializer,
    DistrictMeetingInputSerializer,
    DistrictMeetingSerializer,
    MeetingPlanSerializer,
    PlanPageSerializer,
)
from .base import ERRORS, AreaViewSet, act_schema, area_schema

# --- postpone and consent, as actions of a meeting -------------------------------------------------------------


def _row(request, meeting):
    return schedule_selectors.rows(request.user, [meeting])[0]


def _run_postpone(request, meeting, d):
    schedule_services.postpone(actor=request.user, meeting=meeting, **d)
    return f"{meeting.title}已顺延至{d['to_date']}。"


def _run_consent(request, meeting, d):
    schedule_services.consent_ad_hoc(actor=request.user, meeting=meeting)
    return f"已同意临时召开{meeting.title}。"


SCHEDULE_ACTIONS = {
    "postpone": ApiAction(
        label="顺延",
        form=schedule_forms.PostponeForm,
        run=_run_postpone,
        may=lambda request, meeting: (lambda row: row.may_postpone and row.postponable)(_row(request, meeting)),
    ),
    "consent": ApiAction(
        label="同意临时召开",
        form=schedule_forms.ConsentForm,
        run=_run_consent,
        may=lambda request, meeting: _row(request, meeting).may_consent,
    ),
}


# --- scheduling: an ad hoc or special-topic meeting, the year's regular meetings (MTG-1..4, MTG-7) ---------------


def schedule_meeting(request, *, after):
    """As meeting_new: the office only (else the page's 404); the page's form; schedule_ad_hoc decides."""
    if not meeting_permissions.can_manage(request.user):
        raise Http404("没有找到该页面。")
    form = schedule_forms.MeetingNewForm(api_actions.form_data(request.data))

    def run(d):
        meeting = schedule_services.schedule_ad_hoc(actor=request.user, **form.service_kwargs())
        if schedule_services.needs_consent(meeting):
            return meeting, f"已安排{meeting.title}（{meeting.date}），{schedule_services.consent_pending(meeting)}"
        return meeting, f"已安排{meeting.title}（{meeting.date}）。"

    return api_actions.create(request, form=form, run=run, after=after)


def generate_regular_year(request):
    """As generate_year: the office only (else the page's 404); idempotent, as on the page."""
    if not meeting_permissions.can_manage(request.user):
        raise Http404("没有找到该页面。")
    refused = api_actions.refuse_writer(request)
    if refused is not None:
        return refused
    form = schedule_forms.GenerateYearForm(api_actions.form_data(request.data))
    if wrong := api_actions.shape_errors(request.data, form):
        return wrong
    if not form.is_valid():
        return api_actions.invalid(form)
    year = form.cleaned_data["year"]
    try:
        created = schedule_services.generate_year(actor=request.user, year=year)
    except ActionRefused as exc:
        return refusal(exc)
    if created:
        text = f"已生成{year}年例会{len(created)}次（党组会议、常务会议每月第2个星期三，全体会议两次）。"
    else:
        text = f"{year}年例会均已生成，未作改动。"
    return Response({"detail": text, "item": {"year": year, "created": [m.pk for m in created]}})


# --- the plan of district-wide meetings (MTG-11) ------------------------------------------------------------------

YEAR_PARAM = OpenApiParameter("year", OpenApiTypes.INT, OpenApiParameter.PATH, description="年度（2000–2100）")


def _plan_answer(page) -> dict:
    allowed = [name for name, ok in (("check", page.may_check), ("approve", page.may_approve)) if ok]
    if page.may_manage and page.plan is None:
        allowed.insert(0, "create")
    return {
        "year": page.year,
        "plan": MeetingPlanSerializer(page.plan).data if page.plan is not None else None,
        "meetings": DistrictMeetingSerializer([r.meeting for r in page.rows + page.unplanned], many=True).data,
        "allowed_actions": allowed,
    }


class MeetingPlanViewSet(viewsets.GenericViewSet):
    """全区性会议计划 of a year: create (the office) → check (the office director) → approve (the head)."""

    lookup_field = "year"
    lookup_value_regex = r"[0-9]{1,6}"
    serializer_class = MeetingPlanSerializer

    def page(self, year):
        number = to_int(year)
        if number is None:
            raise Http404("没有找到该页面。")
        return schedule_selectors.plan_page_or_404(self.request.user, number)

    @extend_schema(
        summary="全区性会议计划（年度）", parameters=[YEAR_PARAM], responses={200: PlanPageSerializer, **ERRORS}
    )
    def retrieve(self, request, year=None):
        return Response(_plan_answer(self.page(year)))

    @extend_schema(
        summary="会议计划：编制 / 核报 / 审定（与页面相同的表单、权限与服务）",
        parameters=[
            YEAR_PARAM,
            OpenApiParameter("name", OpenApiTypes.STR, OpenApiParameter.PATH, enum=sorted(schedule_views.PLAN_ACTIONS)),
        ],
        request=ActionInputSerializer,
        responses={200: ActionResultSerializer, 400: ErrorSerializer, 409: ErrorSerializer, **ERRORS},
    )
    @action(detail=True, methods=["post"], url_path=r"actions/(?P<name>[a-z_-]{1,40})")
    def act(self, request, year=None, name=None):
        page = self.page(year)
        refused = api_actions.refuse_writer(request)
        if refused is not None:
            return refused
        if name not in schedule_views.PLAN_ACTIONS:
            return Response({"detail": "没有该操作。", "rules": []}, status=status.HTTP_404_NOT_FOUND)
        try:
            if name == "create":
                schedule_services.get_or_create_plan(actor=request.user, year=page.year)
                text = f"已开始编制{page.year}年全区性会议计划。"
            else:
                form = schedule_forms.PlanActionForm(api_actions.form_data(request.data))
                if wrong := api_actions.shape_errors(request.data, form):
                    return wrong
                if not form.is_valid():
                    return api_actions.invalid(form)
                plan = MeetingPlan.objects.filter(year=page.year).first()
                if plan is None:
                    raise ActionRefused(f"{page.year}年会议计划尚未编制。")
                if name == "check":
                    schedule_services.check_plan(actor=request.user, plan=plan)
                    text = "已核报区长审定。"
                else:
                    schedule_services.approve_plan(actor=request.user, plan=plan)
                    text = f"{page.year}年全区性会议计划已审定。"
        except ActionRefused as exc:
            return refusal(exc)
        return Response({"detail": text, "item": _plan_answer(self.page(year))})

    @extend_schema(
        summary="列入年度会议计划，或申请计划外全区性会议（与计划页面“新增会议”相同的表单与服务，第五十九条）",
        parameters=[YEAR_PARAM],
        request=DistrictMeetingInputSerializer,
        responses={201: ActionResultSerializer, 400: ErrorSerializer, 409: ErrorSerializer, **ERRORS},
    )
    @action(detail=True, methods=["post"], url_path="meetings", serializer_class=DistrictMeetingInputSerializer)
    def meetings(self, request, year=None):
        """As district_meeting_new: while the plan is drafted only the office adds; afterwards the office or a unit
        asks for an unplanned meeting (the page's own refusal text otherwise, here a 403)."""
        page = self.page(year)
        units = schedule_selectors.units_for_district_meeting(request.user)
        if not page.may_manage and (page.drafting or not units.exists()):
            refused = api_actions.refuse_writer(request)
            if refused is not None:
                return refused
            text = "会议计划由区政府办公室编制；计划审定后，单位可申请临时召开计划外会议。"
            return Response({"detail": text, "rules": ["MTG-11"]}, status=status.HTTP_403_FORBIDDEN)
        form = schedule_forms.DistrictMeetingForm(
            api_actions.form_data(request.data), units=units, unplanned=not page.drafting
        )

        def run(d):
            created = schedule_services.add_district_meeting(
                actor=request.user, year=page.year, **form.service_kwargs()
            )
            if created.planned:
                return created, f"已将“{created.name}”列入{page.year}年会议计划。"
            return created, f"“{created.name}”为计划外会议，已报分管副区长审批，再报区长审定。"

        return api_actions.create(
            request, form=form, run=run, after=lambda created: DistrictMeetingSerializer(created).data
        )


def _run_decide(approve: bool):
    def run(request, meeting, d):
        decided = schedule_services.decide_unplanned(
            actor=request.user, meeting=meeting, approve=approve, opinion=d.get("opinion") or ""
        )
        return f"“{decided.name}”：{decided.get_state_display()}。"

    return run


DISTRICT_ACTIONS = {
    name: ApiAction(label=label, form=schedule_forms.DistrictDecisionForm, run=_run_decide(name == "approve"))
    for name, label in (("approve", "同意"), ("reject", "不同意"))
}


@area_schema(DistrictMeetingSerializer, DistrictMeetingDetailSerializer, "全区性会议")
class DistrictMeetingViewSet(AreaViewSet):
    """全区性会议 (MTG-11): an unplanned one is approved by the responsible deputy, then the head."""

    noun = "会议"
    serializer_class = DistrictMeetingSerializer
    detail_serializer_class = DistrictMeetingDetailSerializer
    state_choices = tuple(DistrictMeeting.State.values)
    actions_spec = DISTRICT_ACTIONS

    def visible(self):
        if not schedule_selectors.may_see_plan(self.request.user):
            raise Http404("没有找到该页面。")
        return schedule_selectors.district_meetings(self.request.user).order_by("-year", "month", "id")

    def find(self, pk):
        return schedule_selectors.get_district_meeting_or_404(self.request.user, pk)

    def allowed(self, obj):
        row = schedule_selectors.decision_flags(self.request.user, obj)
        return [name for name, ok in (("approve", row.may_approve), ("reject", row.may_reject)) if ok]

    @act_schema(DISTRICT_ACTIONS, "全区性会议（计划外会议审批）")
    @action(detail=True, methods=["post"], url_path=r"actions/(?P<name>[a-z_-]{1,40})")
    def act(self, request, pk=None, name=None):
        return self.do(request, pk, name)

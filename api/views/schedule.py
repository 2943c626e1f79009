"""会议安排 through the API (MTG-3, MTG-4, MTG-11): postponing a meeting and consenting to an ad hoc one (the
postpone page's check `schedule.selectors.rows` → may_postpone / postponable / may_consent, its forms and
services), the year's plan of district-wide meetings (the plan page's `_plan_or_404`, `plan_page` flags and
services) and the deputy's and head's decision on an unplanned meeting (`get_district_meeting_or_404`)."""

from __future__ import annotations

from django.http import Http404
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import status, viewsets
from rest_framework.decorators import action
from rest_framework.response import Response

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
        return schedule_views._plan_or_404(self.request, number)

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
        row = schedule_selectors._decision_flags(self.request.user, obj)
        return [name for name, ok in (("approve", row.may_approve), ("reject", row.may_reject)) if ok]

    @act_schema(DISTRICT_ACTIONS, "全区性会议（计划外会议审批）")
    @action(detail=True, methods=["post"], url_path=r"actions/(?P<name>[a-z_-]{1,40})")
    def act(self, request, pk=None, name=None):
        return self.do(request, pk, name)

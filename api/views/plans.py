"""年度发文计划 (DOC-15) through the API: the office's plans page (`plans`: the government's and the office's plans
of a year, kept by the office; `plan_overview`, `unit_plans_of_year`, PlanForm / PlanItemForm, create_plan /
add_plan_item) and a department's own plan (`unit_plan`: `can_view_unit_plan` → the page's 404, `can_keep_plan`,
UnitPlanItemForm, create_plan / add_plan_item / remove_plan_item, items added or removed while the year is open)."""

from __future__ import annotations

from django.http import Http404
from django.utils import timezone
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import status, viewsets
from rest_framework.decorators import action
from rest_framework.response import Response

from documents.outgoing import forms as outgoing_forms
from documents.outgoing import permissions as outgoing_permissions
from documents.outgoing import selectors as outgoing_selectors
from documents.outgoing import services as outgoing_services
from documents.outgoing import views as outgoing_views
from documents.outgoing.models import DocumentPlan, Issuer, PlanItem
from tiexi_gov.http import to_id, to_int
from tiexi_gov.org.models import Unit
from tiexi_gov.workflow.errors import ActionRefused

from ..actions import form_data, invalid, refuse_writer
from ..exceptions import refusal
from ..serializers.common import ActionInputSerializer, ActionResultSerializer, ErrorSerializer
from ..serializers.documents import OfficePlansSerializer, UnitPlanPageSerializer
from .base import ERRORS

DONE = {200: ActionResultSerializer, 400: ErrorSerializer, 409: ErrorSerializer, **ERRORS}
YEAR = OpenApiParameter("year", OpenApiTypes.INT, OpenApiParameter.PATH, description="年度（2000–2100）")


def _name(names):
    return OpenApiParameter("name", OpenApiTypes.STR, OpenApiParameter.PATH, enum=list(names))


def _no_such_action():
    return Response({"detail": "没有该操作。", "rules": []}, status=status.HTTP_404_NOT_FOUND)


class DocumentPlanViewSet(viewsets.GenericViewSet):
    """区政府、区政府办公室的年度发文计划: the office keeps them (anyone else: the page's 404)."""

    lookup_field = "year"
    lookup_value_regex = r"[0-9]{1,6}"
    serializer_class = OfficePlansSerializer

    def year_of(self, year) -> int:
        if not outgoing_permissions.is_office_staff(self.request.user):
            raise Http404("没有找到该页面。")
        number = to_int(year)
        if number is None or not 2000 <= number <= 2100:
            raise Http404("没有找到该页面。")
        return number

    def answer(self, year: int) -> dict:
        plans = outgoing_selectors.plan_overview(year)
        data = {"year": year, "plans": plans, "unit_plans": outgoing_selectors.unit_plans_of_year(year)}
        return dict(OfficePlansSerializer(data).data)

    @extend_schema(
        summary="年度发文计划（区政府办公室）", parameters=[YEAR], responses={200: OfficePlansSerializer, **ERRORS}
    )
    def retrieve(self, request, year=None):
        return Response(self.answer(self.year_of(year)))

    @extend_schema(
        summary="编制年度发文计划（plan：issuer）或增加计划事项（item：plan、title、drafting_unit、planned_month）",
        parameters=[YEAR, _name(["plan", "item"])],
        request=ActionInputSerializer,
        responses=DONE,
    )
    @action(detail=True, methods=["post"], url_path=r"actions/(?P<name>[a-z_-]{1,40})")
    def act(self, request, year=None, name=None):
        number = self.year_of(year)
        refused = refuse_writer(request)
        if refused is not None:
            return refused
        data = form_data(request.data)
        try:
            if name == "plan":
                form = outgoing_forms.PlanForm({**data.dict(), "year": number})
                if not form.is_valid():
                    return invalid(form)
                plan = outgoing_services.create_plan(actor=request.user, **form.cleaned_data)
                text = f"已编制{plan}。"
            elif name == "item":
                form = outgoing_forms.PlanItemForm(data)
                if not form.is_valid():
                    return invalid(form)
                d = form.cleaned_data
                plan = DocumentPlan.objects.filter(pk=d["plan"], unit__isnull=True, year=number).first()
                if plan is None:
                    raise Http404("没有找到该发文计划。")
                item = outgoing_services.add_plan_item(
                    actor=request.user,
                    plan=plan,
                    title=d["title"],
                    drafting_unit=d["drafting_unit"],
                    planned_month=d["planned_month"],
                )
                text = f"已增加计划事项：{item.title}"
            else:
                return _no_such_action()
        except ActionRefused as exc:
            return refusal(exc)
        return Response({"detail": text, "item": self.answer(number)})


class UnitPlanViewSet(viewsets.GenericViewSet):
    """部门年度发文计划: seen by the unit's staff and the office, kept by the unit's clerk or head (`?year=`)."""

    lookup_value_regex = r"[0-9]+"
    serializer_class = UnitPlanPageSerializer

    def unit_of(self, pk) -> Unit:
        number = to_id(pk)
        units = Unit.objects.filter(active=True).exclude(kind__in=outgoing_views.NO_DEPARTMENT_PLAN_KINDS)
        unit = units.filter(pk=number).first() if number else None
        if unit is None or not outgoing_permissions.can_view_unit_plan(self.request.user, unit):
            raise Http404("没有找到该页面。")
        return unit

    def year_of(self, request) -> int:
        raw = request.query_params.get("year") or form_data(request.data).get("year")
        return to_int(raw, low=2000, high=2100) or timezone.localdate().year

    def answer(self, unit, year: int) -> dict:
        plan = outgoing_selectors.unit_plan(unit, year)
        allowed = []
        if outgoing_permissions.can_keep_plan(self.request.user, unit):
            allowed = ["plan"] if plan is None else ["item", "remove"]
        page = {"unit": unit.pk, "year": year, "plan": plan, "allowed_actions": allowed}
        return dict(UnitPlanPageSerializer(page).data)

    @extend_schema(
        summary="部门年度发文计划（?year=，默认今年）",
        parameters=[OpenApiParameter("year", OpenApiTypes.INT)],
        responses={200: UnitPlanPageSerializer, **ERRORS},
    )
    def retrieve(self, request, pk=None):
        return Response(self.answer(self.unit_of(pk), self.year_of(request)))

    @extend_schema(
        summary="编制部门年度发文计划（plan）、增加（item：title、planned_month）或删除（remove：item）计划事项",
        parameters=[_name(["plan", "item", "remove"])],
        request=ActionInputSerializer,
        responses=DONE,
    )
    @action(detail=True, methods=["post"], url_path=r"actions/(?P<name>[a-z_-]{1,40})")
    def act(self, request, pk=None, name=None):
        unit = self.unit_of(pk)
        if not outgoing_permissions.can_keep_plan(request.user, unit):
            raise Http404("没有找到该页面。")  # the page's 404 for whoever may only read it
        refused = refuse_writer(request)
        if refused is not None:
            return refused
        year = self.year_of(request)
        plan = outgoing_selectors.unit_plan(unit, year)
        data = form_data(request.data)
        try:
            if name == "plan":
                plan = outgoing_services.create_plan(actor=request.user, issuer=Issuer.DEPARTMENT, unit=unit, year=year)
                text = f"已编制{plan}。"
            elif name == "item" and plan is not None:
                form = outgoing_forms.UnitPlanItemForm(data)
                if not form.is_valid():
                    return invalid(form)
                d = form.cleaned_data
                item = outgoing_services.add_plan_item(
                    actor=request.user, plan=plan, title=d["title"], planned_month=d["planned_month"]
                )
                text = f"已增加计划事项：{item.title}"
            elif name == "remove" and plan is not None:
                item = PlanItem.objects.filter(pk=to_id(data.get("item")) or 0, plan=plan).first()
                if item is None:
                    raise Http404("没有找到该计划事项。")
                outgoing_services.remove_plan_item(actor=request.user, item=item)
                text = f"已删除计划事项：{item.title}"
            else:
                return _no_such_action()
        except ActionRefused as exc:
            return refusal(exc)
        return Response({"detail": text, "item": self.answer(unit, year)})

"""议事协调 through the API: the register (open to the government's people, not to administrators: the register
page's `can_view_register`), a body (`body_page`), and leave and travel (the leave page's `absence_or_404`, its
forms and its services: request_absence, decide_absence, report_return, cancel_absence)."""

from __future__ import annotations

from django.db.models import Q
from django.http import Http404
from django.utils import timezone
from drf_spectacular.utils import extend_schema
from rest_framework import status
from rest_framework.decorators import action
from rest_framework.response import Response

from coordination.absence import forms as absence_forms
from coordination.absence import permissions as absence_permissions
from coordination.absence import selectors as absence_selectors
from coordination.absence import services as absence
from coordination.absence import views as absence_views
from coordination.absence.models import AbsenceRequest
from coordination.register import permissions as register_permissions
from coordination.register import selectors as register_selectors
from coordination.register.models import Body
from tiexi_gov.org.access import is_district_leader
from tiexi_gov.workflow.errors import ActionRefused

from ..actions import ApiAction, errors_of, form_data, refuse_writer, shape_errors
from ..exceptions import refusal
from ..serializers.common import ActionResultSerializer, ErrorSerializer
from ..serializers.coordination import (
    AbsenceDetailSerializer,
    AbsenceInputSerializer,
    AbsenceSerializer,
    BodyDetailSerializer,
    BodySerializer,
)
from .base import ERRORS, AreaViewSet, act_schema, area_schema, enum_param


@area_schema(BodySerializer, BodyDetailSerializer, "议事协调机构")
class BodyViewSet(AreaViewSet):
    noun = "议事协调机构"
    serializer_class = BodySerializer
    detail_serializer_class = BodyDetailSerializer
    state_choices = ()

    def visible(self):
        if not register_permissions.can_view_register(self.request.user):
            raise Http404("没有找到该页面。")
        return register_selectors.bodies(register_selectors.RegisterFilters(status="all"))

    def filtered(self, qs):
        wanted = enum_param(self.request, "state", Body.Status.values)
        return qs.filter(status=wanted) if wanted else qs

    def find(self, pk):
        return register_selectors.body_page(self.request.user, pk, timezone.localdate()).body


def _absence_may(name: str):
    P = absence_permissions
    checks = {
        "approve": P.can_decide_absence,
        "reject": P.can_decide_absence,
        "return": lambda user, req: P.can_report_return(user, req) or P.can_report_return_for(user, req),
        "cancel": P.can_cancel,
    }
    return lambda request, req: checks[name](request.user, req)


def _decide(request, req, d, approve: bool):
    absence.decide_absence(actor=request.user, request=req, approve=approve, opinion=d["opinion"])
    return "已批准，代理安排自批准的外出日期起生效。" if approve else "已不批准，已通知请假人。"


def _return(request, req, d):
    absence.report_return(actor=request.user, request=req, returned_on=d["returned_on"], report=d["report"])
    return "已销假，代理安排已结束。"


def _cancel(request, req, d):
    absence.cancel_absence(actor=request.user, request=req, reason=d["reason"])
    return "请假已撤回。"


_RUNS = {
    "approve": lambda request, req, d: _decide(request, req, d, True),
    "reject": lambda request, req, d: _decide(request, req, d, False),
    "return": _return,
    "cancel": _cancel,
}
ABSENCE_ACTIONS = {
    name: ApiAction(label=label, form=absence_views.ACTION_FORMS[name], run=_RUNS[name], may=None)
    for name, label in (("approve", "批准"), ("reject", "不批准"), ("return", "销假"), ("cancel", "撤回"))
}


class AbsenceViewSet(AreaViewSet):
    """外出请假 (LEAVE-1..3)."""

    noun = "请假"
    serializer_class = AbsenceSerializer
    detail_serializer_class = AbsenceDetailSerializer
    state_choices = tuple(AbsenceRequest.State.values)
    actions_spec = ABSENCE_ACTIONS
    seen_function = None  # the leave page compares the state it showed itself (below)

    def visible(self):
        user, today = self.request.user, timezone.localdate()
        qs = AbsenceRequest.objects.select_related(*absence_selectors.LIST_RELATED).order_by("-start", "-id")
        if absence_permissions.can_manage(user) or is_district_leader(user):
            return qs  # can_view_absence: the office (can_cancel) and the district leaders see every request
        posts = absence_permissions.handled_post_ids(user, today)
        return qs.filter(Q(person=user) | Q(approver_post_id__in=posts))

    def find(self, pk):
        return absence_selectors.absence_or_404(self.request.user, pk, timezone.localdate())

    def allowed(self, obj):
        return sorted(n for n in ABSENCE_ACTIONS if _absence_may(n)(self.request, obj))

    @extend_schema(summary="请假列表", responses={200: AbsenceSerializer(many=True), **ERRORS})
    def list(self, request):
        return super().list(request)

    @extend_schema(summary="请假详情", responses={200: AbsenceDetailSerializer, **ERRORS})
    def retrieve(self, request, pk=None):
        return super().retrieve(request, pk)

    @extend_schema(
        summary="请假报告（本人所任职务）",
        request=AbsenceInputSerializer,
        responses={201: ActionResultSerializer, 400: ErrorSerializer, **ERRORS},
    )
    def create(self, request):
        refused = refuse_writer(request)
        if refused is not None:
            return refused
        today = timezone.localdate()
        posts = absence.eligible_posts(request.user, today)
        if not posts:
            raise Http404("没有找到该页面。")
        form = absence_forms.AbsenceForm(form_data(request.data), posts=posts, day=today, user=request.user)
        if wrong := shape_errors(request.data, form):
            return wrong
        if not form.is_valid():
            return Response(
                {"detail": "请检查填写的内容。", "errors": errors_of(form), "rules": []},
                status=status.HTTP_400_BAD_REQUEST,
            )
        d = form.cleaned_data
        try:
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
        except ActionRefused as exc:
            return refusal(exc)
        text = (
            "外出报告已登记（已报市委、市政府）。"
            if req.kind == AbsenceRequest.Kind.HEAD
            else f"请假已提交，待{req.approver_post.title}审批。"
        )
        return Response({"detail": text, "item": self.refetch(req)}, status=status.HTTP_201_CREATED)

    @act_schema(ABSENCE_ACTIONS, "请假")
    @action(detail=True, methods=["post"], url_path=r"actions/(?P<name>[a-z_-]{1,40})")
    def act(self, request, pk=None, name=None):
        req = self.get_item(pk)
        refused = refuse_writer(request)
        if refused is not None:
            return refused
        seen = form_data(request.data).get("seen_state", "")
        if seen and seen != req.state and name in ABSENCE_ACTIONS:
            text = f"该请假已由他人处理（当前状态：{req.get_state_display()}），请查看后再操作。"
            return Response({"detail": text, "rules": []}, status=status.HTTP_409_CONFLICT)
        return self.do(request, pk, name)

"""议事协调机构的日常管理 and 基层调研 through the API: leader changes (CRD-3: the leader-changes page's
`can_view_leader_changes`, its list `changes_needing_attention` for the office or the host units, its AdjustForm /
MembersFiledForm and `adjust_bodies`), review rounds (CRD-4: `round_or_404`, the page's DecideForm
and CloseRoundForm, decide_entry / close_round / open_round), annual targets (CRD-5: `target_sets`,
`target_set_or_404`, the target page's flags and forms, file_targets / review_targets / follow_up_target /
open_targets) and research (RES-1: the research page's `ResearchChoices`, its forms and its `_run_research`)."""

from __future__ import annotations

from django.http import Http404
from django.utils import timezone
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import status, viewsets
from rest_framework.decorators import action
from rest_framework.response import Response

from coordination.research import permissions as research_permissions
from coordination.research import views as research_views
from coordination.upkeep import forms as upkeep_forms
from coordination.upkeep import permissions as upkeep_permissions
from coordination.upkeep import selectors as upkeep_selectors
from coordination.upkeep import services as upkeep
from coordination.upkeep import views as upkeep_views
from coordination.upkeep.models import Adjustment, AnnualTargets, Target
from tiexi_gov.http import to_id, to_int
from tiexi_gov.workflow.errors import ActionRefused

from .. import actions as api_actions
from ..actions import ApiAction
from ..exceptions import refusal
from ..serializers.common import ActionInputSerializer, ActionResultSerializer, ErrorSerializer
from ..serializers.coordination import (
    AdjustInputSerializer,
    AdjustmentSerializer,
    AnnualTargetsDetailSerializer,
    AnnualTargetsSerializer,
    LeaderChangeSerializer,
    ResearchRowSerializer,
    ReviewRoundDetailSerializer,
    ReviewRoundSerializer,
)
from .base import ERRORS, AreaViewSet, act_schema, area_schema

ACTION_RESPONSES = {200: ActionResultSerializer, 400: ErrorSerializer, 409: ErrorSerializer, **ERRORS}

# --- CRD-3: leader changes ------------------------------------------------------------------------------------


class LeaderChangeViewSet(viewsets.GenericViewSet):
    """领导变动 (CRD-3): the posts whose holder changed and the bodies they head; the office adjusts in a batch (or
    one body), a body headed by a department head is adjusted by its own office, which also files member changes."""

    serializer_class = LeaderChangeSerializer

    def office(self) -> bool:
        """The page's own question first: whoever may not see it gets its 404."""
        if not upkeep_permissions.can_view_leader_changes(self.request.user):
            raise Http404("没有找到该页面。")
        return upkeep_permissions.can_adjust(self.request.user)

    def unit_ids(self, office: bool):
        return None if office else upkeep_permissions.hosted_unit_ids(self.request.user)

    @extend_schema(
        summary="领导变动：需调整的议事协调机构（与页面相同的范围）",
        responses={200: LeaderChangeSerializer(many=True), **ERRORS},
    )
    def list(self, request):
        office = self.office()
        changes = upkeep_selectors.changes_needing_attention(today=timezone.localdate(), unit_ids=self.unit_ids(office))
        page = self.paginate_queryset(changes)
        kinds = [k for k, _label in (upkeep_views.OFFICE_KIND_CHOICES if office else upkeep_views.SELF_KIND_CHOICES)]
        context = {**self.get_serializer_context(), "office": office, "kinds": kinds}
        return self.get_paginated_response(LeaderChangeSerializer(page, many=True, context=context).data)

    @extend_schema(
        summary="最近的机构调整记录（与页面相同的范围）", responses={200: AdjustmentSerializer(many=True), **ERRORS}
    )
    @action(detail=False, methods=["get"], serializer_class=AdjustmentSerializer)
    def adjustments(self, request):
        office = self.office()
        page = self.paginate_queryset(upkeep_selectors.recent_adjustments(unit_ids=self.unit_ids(office)))
        return self.get_paginated_response(AdjustmentSerializer(page, many=True).data)

    @extend_schema(
        summary="调整议事协调机构：集中调整、单独调整、机构办公室自行调整，或成员调整备案（与页面相同的表单与服务）",
        request=AdjustInputSerializer,
        responses={201: ActionResultSerializer, 400: ErrorSerializer, 409: ErrorSerializer, **ERRORS},
    )
    @action(detail=False, methods=["post"], serializer_class=AdjustInputSerializer)
    def adjust(self, request):
        """As the page's `adjust`: kind=members_filed is the body office's filing (the page's members form, its
        bodies those the user's units host); anything else is the AdjustForm; adjust_bodies decides and writes."""
        self.office()
        user = request.user
        data = api_actions.form_data(request.data)
        if data.get("kind") == Adjustment.Kind.MEMBERS_FILED:
            hosted = upkeep_selectors.hosted_bodies(upkeep_permissions.hosted_unit_ids(user))
            form = upkeep_forms.MembersFiledForm(api_actions.prefixed(data, "members"), bodies=hosted, prefix="members")

            def run(d):
                adjustment = upkeep.adjust_bodies(
                    actor=user,
                    post=None,
                    bodies=[d["body"]],
                    kind=Adjustment.Kind.MEMBERS_FILED,
                    document_number=d["document_number"],
                    note=d["note"],
                )
                return adjustment, f"{d['body'].name}的成员调整已报区政府办公室备案。"

        else:
            form = upkeep_forms.AdjustForm(data)

            def run(d):
                adjustment = upkeep.adjust_bodies(
                    actor=user,
                    post=d["post"],
                    bodies=list(d["bodies"]),
                    kind=d["kind"],
                    document_number=d["document_number"],
                    note=d["note"],
                    new_post=d["new_post"],
                )
                names = "、".join(b.name for b in adjustment.bodies.all())
                return adjustment, f"已{adjustment.get_kind_display()}：{names}（{adjustment.document_number}）。"

        return api_actions.create(request, form=form, run=run, after=lambda a: AdjustmentSerializer(a).data)


# --- CRD-4: review rounds ---------------------------------------------------------------------------------------


def _run_decide(request, rnd, d):
    entry_id = to_id(d.get("entry_id"))
    entry = rnd.entries.select_related("body").filter(pk=entry_id).first() if entry_id else None
    if entry is None:
        raise Http404("没有找到该机构的评估记录。")
    entry = upkeep.decide_entry(
        actor=request.user,
        entry=entry,
        decision=d["decision"],
        grounds=d["grounds"],
        merge_into=d["merge_into"],
        note=d["note"],
    )
    fed = "，已生成撤并申请" if entry.decision != entry.Decision.KEEP else ""
    return f"{entry.body.name}：{entry.get_decision_display()}{fed}。"


def _run_close(request, rnd, d):
    upkeep.close_round(actor=request.user, review_round=rnd)
    return f"“{rnd.title}”已结束。"


ROUND_ACTIONS = {
    "decide": ApiAction(
        label="作出评估结论",
        form=upkeep_forms.DecideForm,
        run=_run_decide,
        cleaned=lambda form: {**form.cleaned_data, "entry_id": form.data.get("entry_id")},
    ),
    "close": ApiAction(label="结束清理评估", form=upkeep_forms.CloseRoundForm, run=_run_close),
}


@area_schema(ReviewRoundSerializer, ReviewRoundDetailSerializer, "清理评估")
class ReviewRoundViewSet(AreaViewSet):
    """清理评估 (CRD-4): the office's review rounds; `decide` needs `entry_id` (one body of the round)."""

    noun = "清理评估"
    serializer_class = ReviewRoundSerializer
    detail_serializer_class = ReviewRoundDetailSerializer
    actions_spec = ROUND_ACTIONS
    seen_function = None

    def visible(self):
        if not upkeep_permissions.can_review_bodies(self.request.user):
            raise Http404("没有找到该页面。")
        return upkeep_selectors.rounds()

    def find(self, pk):
        return upkeep_selectors.round_or_404(self.request.user, pk)

    def allowed(self, obj):
        return sorted(ROUND_ACTIONS) if obj.closed_on is None else []

    def detail_data(self, obj) -> dict:
        context = {**self.get_serializer_context(), "allowed": self.allowed(obj)}
        context["entries"] = list(upkeep_selectors.round_entries(obj))
        return dict(ReviewRoundDetailSerializer(obj, context=context).data)

    @act_schema(ROUND_ACTIONS, "清理评估（评估结论、结束）")
    @action(detail=True, methods=["post"], url_path=r"actions/(?P<name>[a-z_-]{1,40})")
    def act(self, request, pk=None, name=None):
        return self.do(request, pk, name)

    @extend_schema(
        summary="开始一轮清理评估（区政府办公室）", request=ActionInputSerializer, responses=ACTION_RESPONSES
    )
    def create(self, request):
        if not upkeep_permissions.can_review_bodies(request.user):
            raise Http404("没有找到该页面。")
        form = upkeep_forms.OpenRoundForm(api_actions.form_data(request.data))

        def run(d):
            rnd = upkeep.open_round(actor=request.user, title=d["title"])
            return rnd, f"已开始“{rnd.title}”，请逐个机构作出评估结论。"

        return api_actions.create(request, form=form, run=run, after=self.refetch)


# --- CRD-5: annual targets --------------------------------------------------------------------------------------

P = upkeep_permissions
State = AnnualTargets.State


def _run_file(request, t, d):
    upkeep.file_targets(actor=request.user, targets=t, items=d["items"], reported_to_head_on=d["reported_to_head_on"])
    return f"{t.body.name}{t.year}年度目标已报区政府办公室备案（{len(d['items'])}项）。"


def _run_review(request, t, d):
    upkeep.review_targets(actor=request.user, targets=t, results=d["_results"], note=d["review_note"])
    return f"{t.body.name}{t.year}年度目标完成情况已督导检查。"


def _run_follow_up(request, t, d):
    target = Target.objects.filter(pk=d["target"], targets=t).first()
    if target is None:
        raise Http404("没有找到该目标。")
    item = upkeep.follow_up_target(actor=request.user, target=target, due=d["due"])
    return f"已转入督查督办台账：{item.number}。"


TARGET_ACTIONS = {
    "file": ApiAction(
        label="报送年度目标",
        form=upkeep_forms.FileTargetsForm,
        run=_run_file,
        may=lambda request, t: P.can_file_targets(request.user, t) and t.state == State.PENDING,
    ),
    "review": ApiAction(
        label="督导检查",
        form=upkeep_forms.ReviewTargetsForm,
        form_kwargs=lambda request, t: {"items": upkeep_selectors.target_items(t)},
        run=_run_review,
        may=lambda request, t: P.can_check_targets(request.user, t) and t.state != State.PENDING,
        cleaned=lambda form: {**form.cleaned_data, "_results": form.results()},
    ),
    "follow-up": ApiAction(
        label="转入督查督办",
        form=upkeep_forms.FollowUpForm,
        run=_run_follow_up,
        may=lambda request, t: P.can_check_targets(request.user, t) and t.state == State.REVIEWED,
    ),
}

YEAR = OpenApiParameter("year", OpenApiTypes.INT, description="年度（默认今年）")


def _year(request) -> int:
    raw = request.query_params.get("year")
    year = to_int(raw) if raw else timezone.localdate().year
    if year is None or not 2000 <= year <= 2100:
        raise Http404("没有找到该页面。")
    return year


@area_schema(AnnualTargetsSerializer, AnnualTargetsDetailSerializer, "议事协调机构年度目标")
class AnnualTargetsViewSet(AreaViewSet):
    """年度目标 (CRD-5): a year's target sets (`?year=`), one body's set and its steps."""

    noun = "年度目标"
    serializer_class = AnnualTargetsSerializer
    detail_serializer_class = AnnualTargetsDetailSerializer
    state_choices = tuple(State.values)
    actions_spec = TARGET_ACTIONS

    def visible(self):
        if not upkeep_selectors.may_see_targets_page(self.request.user):
            raise Http404("没有找到该页面。")
        return upkeep_selectors.target_sets(self.request.user, _year(self.request))

    def find(self, pk):
        return upkeep_selectors.target_set_or_404(self.request.user, pk)

    def detail_data(self, obj) -> dict:
        context = {**self.get_serializer_context(), "allowed": self.allowed(obj)}
        context["items"] = upkeep_selectors.target_items(obj)
        return dict(AnnualTargetsDetailSerializer(obj, context=context).data)

    @extend_schema(parameters=[YEAR])
    def list(self, request):
        return super().list(request)

    @act_schema(TARGET_ACTIONS, "年度目标（报送、督导检查、转入督查督办）")
    @action(detail=True, methods=["post"], url_path=r"actions/(?P<name>[a-z_-]{1,40})")
    def act(self, request, pk=None, name=None):
        return self.do(request, pk, name)

    @extend_schema(
        summary="部署年度目标报送（区政府办公室；year 年度，due 或 workdays）",
        request=ActionInputSerializer,
        responses=ACTION_RESPONSES,
    )
    def create(self, request):
        if not upkeep_selectors.may_see_targets_page(request.user) or not P.can_check_targets(request.user):
            raise Http404("没有找到该页面。")
        year = to_int(api_actions.form_data(request.data).get("year"))
        if year is None or not 2000 <= year <= 2100:
            return Response({"detail": "请填写年度（2000–2100）。", "rules": []}, status=status.HTTP_400_BAD_REQUEST)
        form = upkeep_forms.OpenTargetsForm(api_actions.form_data(request.data))

        def run(d):
            created = upkeep.open_targets(actor=request.user, year=year, due=d["due"], workdays=d["workdays"])
            return created, f"已部署{year}年度目标报送：{len(created)}个机构。"

        return api_actions.create(
            request, form=form, run=run, after=lambda created: AnnualTargetsSerializer(created, many=True).data
        )


# --- RES-1: research ---------------------------------------------------------------------------------------------

RESEARCH_NAMES = ("day", "topic", "report")


class ResearchViewSet(viewsets.GenericViewSet):
    """基层调研 of a year: per district leader the days, the Monday-to-Wednesday share, the topics and reports; the
    leader (or the office on their behalf) records a day, a key topic or a topic's report."""

    lookup_field = "year"
    lookup_value_regex = r"[0-9]{1,6}"
    serializer_class = ResearchRowSerializer

    def choices(self, year) -> research_views.ResearchChoices:
        if not research_permissions.can_view_research(self.request.user):
            raise Http404("没有找到该页面。")
        number = to_int(year)
        if number is None:
            raise Http404("年度无效。")
        return research_views.ResearchChoices(self.request.user, research_views.research_year(number))

    @extend_schema(summary="基层调研（年度）", responses={200: ResearchRowSerializer(many=True), **ERRORS})
    def retrieve(self, request, year=None):
        return Response(ResearchRowSerializer(self.choices(year).rows, many=True).data)

    @extend_schema(
        summary="登记调研日、重点课题或调研报告（与页面相同的表单与服务）",
        parameters=[OpenApiParameter("name", OpenApiTypes.STR, OpenApiParameter.PATH, enum=list(RESEARCH_NAMES))],
        request=ActionInputSerializer,
        responses=ACTION_RESPONSES,
    )
    @action(detail=True, methods=["post"], url_path=r"actions/(?P<name>[a-z_-]{1,40})")
    def act(self, request, year=None, name=None):
        choices = self.choices(year)
        refused = api_actions.refuse_writer(request)
        if refused is not None:
            return refused
        if name not in RESEARCH_NAMES:
            return Response({"detail": "没有该操作。", "rules": []}, status=status.HTTP_404_NOT_FOUND)
        form = choices.form(name, api_actions.prefixed(api_actions.form_data(request.data), name))
        if wrong := api_actions.shape_errors(request.data, form):
            return wrong
        if not form.is_valid():
            return api_actions.invalid(form)
        try:
            text, _year = research_views.run_research(request.user, name, form.cleaned_data, int(year))
        except ActionRefused as exc:
            return refusal(exc)
        rows = self.choices(year).rows
        return Response({"detail": text, "item": {"rows": ResearchRowSerializer(rows, many=True).data}})

"""会议 through the API: visible meetings (`visible_meetings`, the meeting page's 404 `get_meeting_or_404`), topics
(the topic page's reader `topic_page`: the meeting must be visible), the pages' `may` sets and action tables, and
leave from a meeting (the attendance page's services: request_leave, decide_leave)."""

from __future__ import annotations

from django.http import Http404
from django.utils import timezone
from drf_spectacular.utils import extend_schema
from rest_framework import status, viewsets
from rest_framework.decorators import action
from rest_framework.response import Response

from meetings.meeting import forms, permissions, selectors, services
from meetings.meeting import views as meeting_views
from meetings.meeting.models import MS, Invitation, LeaveRequest, Topic, TopicState
from meetings.shared.errors import ActionNotAllowed
from tiexi_gov.http import to_id
from tiexi_gov.workflow.errors import ActionRefused

from ..actions import ApiAction, create, errors_of, form_data, refuse_writer, shape_errors
from ..exceptions import refusal
from ..serializers.common import ActionInputSerializer, ActionResultSerializer, ErrorSerializer
from ..serializers.meetings import (
    GenerateYearInputSerializer,
    MeetingDetailSerializer,
    MeetingInputSerializer,
    MeetingLeaveSerializer,
    MeetingSerializer,
    TopicDetailSerializer,
    TopicInputSerializer,
    TopicSerializer,
)
from .base import ERRORS, AreaViewSet, act_schema, area_schema
from .minutes import MinutesMixin
from .schedule import SCHEDULE_ACTIONS, generate_regular_year, schedule_meeting

AGENDA_ACTIONS = {
    name: ApiAction(
        label=spec.label,
        form=spec.form,
        run=spec.run,
        may=lambda request, meeting, key=spec.may: (
            key in selectors.meeting_actions(request.user, meeting, timezone.localdate())
        ),
    )
    for name, spec in meeting_views.AGENDA_ACTIONS.items()
}


MEETING_ACTIONS = {**AGENDA_ACTIONS, **SCHEDULE_ACTIONS}


@area_schema(MeetingSerializer, MeetingDetailSerializer, "会议")
class MeetingViewSet(MinutesMixin, AreaViewSet):
    noun = "会议"
    serializer_class = MeetingSerializer
    detail_serializer_class = MeetingDetailSerializer
    state_choices = tuple(MS.values)
    actions_spec = MEETING_ACTIONS

    def visible(self):
        return permissions.visible_meetings(self.request.user, selectors.meeting_queryset()).order_by("-date", "-id")

    def find(self, pk):
        return permissions.get_meeting_or_404(self.request.user, pk, selectors.meeting_queryset())

    @extend_schema(
        summary="安排会议：临时召开的全体、党组、常务会议或专题会议（与“安排会议”页面相同的表单与服务）",
        request=MeetingInputSerializer,
        responses={201: ActionResultSerializer, 400: ErrorSerializer, **ERRORS},
    )
    def create(self, request):
        return schedule_meeting(request, after=self.refetch)

    @extend_schema(
        summary="生成全年例会（区政府办公室；已生成的不再改动）",
        request=GenerateYearInputSerializer,
        responses={200: ActionResultSerializer, 400: ErrorSerializer, **ERRORS},
    )
    @action(detail=False, methods=["post"], url_path="generate-year", serializer_class=GenerateYearInputSerializer)
    def generate_year(self, request):
        return generate_regular_year(request)

    @extend_schema(
        summary="会前刷新参会人员（区政府办公室；按固定席位和已确定的议题）",
        request=ActionInputSerializer,
        responses={200: ActionResultSerializer, 400: ErrorSerializer, **ERRORS},
    )
    @action(detail=True, methods=["post"], url_path="refresh-invitations")
    def refresh_invitations(self, request, pk=None):
        """As the attendance page's POST: the office, before the meeting (else the page's words, here a 403)."""
        meeting = self.get_item(pk)
        refused = refuse_writer(request)
        if refused is not None:
            return refused
        if not permissions.can_manage(request.user) or meeting.state not in selectors.OPEN_MEETING_STATES:
            text = "只有区政府办公室可以在会前刷新参会人员。"
            return Response({"detail": text, "rules": []}, status=status.HTTP_403_FORBIDDEN)
        try:
            seating = services.refresh_invitations(meeting, actor=request.user)
        except ActionRefused as exc:
            return refusal(exc)
        text = f"已刷新参会人员：{seating.summary()}。" if seating else "参会人员已是最新。"
        return Response({"detail": text, "item": self.refetch(meeting)})

    @act_schema(MEETING_ACTIONS, "会议（议程报审、审定、退回，顺延，同意临时召开）")
    @action(detail=True, methods=["post"], url_path=r"actions/(?P<name>[a-z_-]{1,40})")
    def act(self, request, pk=None, name=None):
        return self.do(request, pk, name)

    @extend_schema(
        summary="申报议题（与“申报议题”页面相同的表单与服务，第五十五条）",
        request=TopicInputSerializer,
        responses={201: ActionResultSerializer, 400: ErrorSerializer, 409: ErrorSerializer, **ERRORS},
    )
    @action(detail=True, methods=["post"], url_path="topics", serializer_class=TopicInputSerializer)
    def topic_new(self, request, pk=None):
        """As topic_new: the meeting must take proposals from this user (else 404), the units and requests are
        the page's choices, propose_topic decides (a late or frozen agenda is its Chinese refusal)."""
        today = timezone.localdate()
        number = to_id(pk)
        meeting = selectors.meeting_queryset().filter(pk=number).first() if number else None
        if meeting is None or not permissions.can_propose_to(request.user, meeting):
            raise Http404("没有找到该会议。")
        units = selectors.proposable_units(request.user, today)
        form = forms.TopicForm(
            form_data(request.data), meeting=meeting, units=units, requests=selectors.eligible_requests(units)
        )

        def run(d):
            topic = services.propose_topic(
                actor=request.user,
                meeting=meeting,
                **form.service_kwargs(),
            )
            return topic, f"议题“{topic.title}”已申报{meeting.title}，待办公室审核、{meeting.agenda_decider}确定。"

        return create(request, form=form, run=run, after=lambda topic: TopicSerializer(topic).data)


def _topic_may(name: str, key: str):
    def may(request, topic) -> bool:
        page = topic._api_page
        accepting = name == "decide" and form_data(request.data).get("decision") == "accept"
        return key in page.may and (not accepting or "accept" in page.may)

    return may


TOPIC_ACTIONS = {
    name: ApiAction(
        label=spec.label,
        form=spec.form,
        run=spec.run,
        form_kwargs=lambda request, topic, name=name: meeting_views.form_kwargs(name, topic._api_page),
        may=_topic_may(name, spec.may),
    )
    for name, spec in meeting_views.TOPIC_ACTIONS.items()
}


@area_schema(TopicSerializer, TopicDetailSerializer, "议题")
class TopicViewSet(AreaViewSet):
    noun = "议题"
    serializer_class = TopicSerializer
    detail_serializer_class = TopicDetailSerializer
    state_choices = tuple(TopicState.values)
    actions_spec = TOPIC_ACTIONS

    def visible(self):
        # The topic page opens only within a visible meeting (topic_page: get_meeting_or_404 first).
        meetings = permissions.visible_meetings(self.request.user).values("pk")
        return (
            Topic.objects.filter(meeting_id__in=meetings)
            .select_related("meeting", "unit")
            .order_by("-meeting__date", "meeting_id", "order", "id")
        )

    def find(self, pk):
        page = selectors.topic_page(self.request.user, pk, timezone.localdate())
        page.topic._api_page = page
        return page.topic

    def allowed(self, obj):
        may = obj._api_page.may
        return sorted(name for name, spec in meeting_views.TOPIC_ACTIONS.items() if spec.may in may)

    @act_schema(TOPIC_ACTIONS, "议题")
    @action(detail=True, methods=["post"], url_path=r"actions/(?P<name>[a-z_-]{1,40})")
    def act(self, request, pk=None, name=None):
        return self.do(request, pk, name)


LEAVE_DECISIONS = {"approve": forms.LeaveDecisionForm, "reject": forms.LeaveRejectForm}


class MeetingLeaveViewSet(AreaViewSet):
    """会议请假 (MTG-9): the attendee asks through the invitation; the approver decides here."""

    noun = "会议请假"
    serializer_class = MeetingLeaveSerializer
    state_choices = tuple(LeaveRequest.State.values)
    related = ("invitation", "invitation__person", "invitation__meeting", "approver_post", "substitute")

    def visible(self):
        meetings = permissions.visible_meetings(self.request.user).values("pk")
        return (
            LeaveRequest.objects.filter(invitation__meeting_id__in=meetings)
            .select_related(*self.related)
            .order_by("-created_at", "-id")
        )

    def find(self, pk):
        # The attendance page's check: the meeting must be visible (leave_action).
        leave = LeaveRequest.objects.select_related(*self.related).filter(pk=pk).first()
        if leave is None or not permissions.can_view_meeting(self.request.user, leave.invitation.meeting):
            return None
        return leave

    @extend_schema(summary="列出会议请假", responses={200: MeetingLeaveSerializer(many=True), **ERRORS})
    def list(self, request):
        return super().list(request)

    @extend_schema(summary="会议请假详情", responses={200: MeetingLeaveSerializer, **ERRORS})
    def retrieve(self, request, pk=None):
        return super().retrieve(request, pk)

    @act_schema(LEAVE_DECISIONS, "会议请假（准假 / 不准假）")
    @action(detail=True, methods=["post"], url_path=r"actions/(?P<name>[a-z_-]{1,40})")
    def act(self, request, pk=None, name=None):
        leave = self.get_item(pk)
        refused = refuse_writer(request)
        if refused is not None:
            return refused
        form_class = LEAVE_DECISIONS.get(name)
        if form_class is None:
            return Response({"detail": "没有该操作。", "rules": []}, status=status.HTTP_404_NOT_FOUND)
        form = form_class(form_data(request.data))
        if wrong := shape_errors(request.data, form):
            return wrong
        if not form.is_valid():
            return _invalid(form)
        try:
            leave = services.decide_leave(
                actor=request.user, leave=leave, approve=name == "approve", opinion=form.cleaned_data.get("opinion", "")
            )
        except ActionRefused as exc:
            return refusal(exc)
        return Response({"detail": "已准假。" if name == "approve" else "已不准假。", "item": self.refetch(leave)})


def _invalid(form):
    errors = errors_of(form)
    return Response({"detail": "请检查填写的内容。", "errors": errors, "rules": []}, status=status.HTTP_400_BAD_REQUEST)


class InvitationViewSet(viewsets.GenericViewSet):
    """会议通知: the attendee replies, asks for leave (MTG-9) or signs in (the office too), as on the attendance
    page (`invitation_action`: attend, leave, withdraw-leave, sign-in)."""

    lookup_value_regex = r"[0-9]+"
    serializer_class = MeetingLeaveSerializer

    def _invitation(self, request, pk):
        """The attendance page's `_visible_invitation`: 404 unless the meeting is visible."""
        number = to_id(pk)
        inv = (
            Invitation.objects.select_related("meeting", "post", "person").filter(pk=number).first() if number else None
        )
        if inv is None or not permissions.can_view_meeting(request.user, inv.meeting):
            raise Http404("没有找到该参会人员。")
        return inv

    def _reply(self, request, pk, run):
        inv = self._invitation(request, pk)
        refused = refuse_writer(request)
        if refused is not None:
            return refused
        try:
            text = run(inv)
        except ActionRefused as exc:
            return refusal(exc)
        inv = Invitation.objects.get(pk=inv.pk)
        item = {"id": inv.pk, "reply": inv.reply, "signed_in_at": inv.signed_in_at}
        return Response({"detail": text, "item": item})

    @extend_schema(
        summary="回复参加（本人）",
        request=ActionInputSerializer,
        responses={200: ActionResultSerializer, 400: ErrorSerializer, 409: ErrorSerializer, **ERRORS},
    )
    @action(detail=True, methods=["post"])
    def attend(self, request, pk=None):
        def run(inv):
            services.reply_invitation(actor=request.user, invitation=inv, attend=True)
            return "已回复参加。"

        return self._reply(request, pk, run)

    @extend_schema(
        summary="撤回请假、改为参加（本人，审批前）",
        request=ActionInputSerializer,
        responses={200: ActionResultSerializer, 400: ErrorSerializer, 409: ErrorSerializer, **ERRORS},
    )
    @action(detail=True, methods=["post"], url_path="withdraw-leave")
    def withdraw_leave(self, request, pk=None):
        def run(inv):
            leave = services.withdraw_leave(actor=request.user, invitation=inv)
            return f"已撤回请假，回复改为参加；已告知{leave.approver_post.title}。"

        return self._reply(request, pk, run)

    @extend_schema(
        summary="签到（本人或区政府办公室）",
        request=ActionInputSerializer,
        responses={200: ActionResultSerializer, 400: ErrorSerializer, 409: ErrorSerializer, **ERRORS},
    )
    @action(detail=True, methods=["post"], url_path="sign-in")
    def sign_in(self, request, pk=None):
        def run(inv):
            services.sign_in(actor=request.user, invitation=inv)
            return f"{inv.person.display_name}已签到。"

        return self._reply(request, pk, run)

    @extend_schema(
        summary="会议请假（本人）",
        request=ActionInputSerializer,
        responses={200: ActionResultSerializer, 400: ErrorSerializer, 409: ErrorSerializer, **ERRORS},
    )
    @action(detail=True, methods=["post"])
    def leave(self, request, pk=None):
        inv = self._invitation(request, pk)
        refused = refuse_writer(request)
        if refused is not None:
            return refused
        try:
            if inv.person_id != request.user.pk:
                raise ActionNotAllowed("只能为本人请假。")
            route, _approver = services.leave_route(inv)
            substitutes = selectors.substitute_choices(inv) if route == LeaveRequest.Route.CHAIR_THEN_OFFICE else None
            form = forms.LeaveForm(form_data(request.data), substitutes=substitutes)
            if wrong := shape_errors(request.data, form):
                return wrong
            if not form.is_valid():
                return _invalid(form)
            leave = services.request_leave(
                actor=request.user,
                invitation=inv,
                reason=form.cleaned_data["reason"],
                substitute=form.cleaned_data.get("substitute"),
                opinions=form.cleaned_data.get("opinions") or "",
            )
        except ActionRefused as exc:
            return refusal(exc)
        text = f"请假已报{leave.approver_post.title}审批（{leave.get_route_display()}）。"
        return Response({"detail": text, "item": MeetingLeaveSerializer(leave, context={"request": request}).data})

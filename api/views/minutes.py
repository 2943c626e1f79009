"""会议纪要 and 会议决定 through the API (MTG-3, MTG-6, MTG-7, MTG-10, MTG-12): the minutes page's reader
(`get_meeting_or_404`, `minutes_of`, `decisions_of` with `readable_decision_ids`), its action table
(`MINUTES_ACTIONS`: the page's forms with their prefixes, the page's runs, each service checking again) and the
decision page's one action, naming a reader of a confidential decision (`decision_action`)."""

from __future__ import annotations

from django.http import Http404
from django.utils import timezone
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import status, viewsets
from rest_framework.decorators import action
from rest_framework.response import Response

from meetings.meeting import permissions as meeting_permissions
from meetings.meeting.models import MS, Meeting
from meetings.minutes import forms as minutes_forms
from meetings.minutes import permissions as minutes_permissions
from meetings.minutes import selectors as minutes_selectors
from meetings.minutes import services as minutes_services
from meetings.minutes import views as minutes_views
from meetings.minutes.models import Decision, Minutes
from tiexi_gov.http import to_id
from tiexi_gov.workflow.errors import ActionRefused

from .. import actions as api_actions
from ..actions import ApiAction
from ..exceptions import refusal
from ..serializers.common import ActionInputSerializer, ActionResultSerializer, ErrorSerializer
from ..serializers.meetings import DecisionSerializer, MinutesSerializer
from .base import ERRORS


def _minutes_action(name: str, spec) -> ApiAction:
    def run(request, meeting, d):
        return spec.run(request, meeting, Minutes.objects.filter(meeting=meeting).first(), d)

    def cleaned(form):
        data = dict(form.cleaned_data)
        if name == "decision":
            data["_fields"] = form.decision_fields()  # as minutes_action does
        return data

    return ApiAction(
        label=spec.label,
        form=lambda data, files, meeting: spec.form(meeting, data),
        form_kwargs=lambda request, meeting: {"meeting": meeting},
        run=run,
        prefix=spec.form(None, None).prefix or "",  # the page's form prefix ("send-back-opinion" …)
        cleaned=cleaned,
    )


MINUTES_ACTIONS = {name: _minutes_action(name, spec) for name, spec in minutes_views.MINUTES_ACTIONS.items()}


def minutes_meeting(request, pk) -> Meeting:
    """The minutes page's reader: 404 for whoever may not see the meeting."""
    number = to_id(pk)
    if number is None:
        raise Http404("没有找到该会议。")
    return meeting_permissions.get_meeting_or_404(
        request.user, number, Meeting.objects.select_related("chair_post", "lead_unit")
    )


def _offered(request, meeting, minutes) -> list[str]:
    """The buttons the minutes page shows now (its own flags; each service checks again)."""
    user, today = request.user, timezone.localdate()
    offered = []
    if minutes_permissions.may_hold(user, meeting, today):
        offered.append("held")
    if minutes is None:
        if meeting.state == MS.HELD and minutes_permissions.can_start_minutes(user, meeting):
            offered.append("start")
        return offered
    if minutes.state == Minutes.State.DRAFTING and minutes_permissions.can_draft_minutes(user, minutes):
        offered += ["body", "decision", "withdraw-decision", "send"]
    if minutes.state == Minutes.State.SIGNING:
        steps = minutes_permissions.next_steps(minutes)
        if any(meeting_permissions.handles(user, s.post_id, today) for s in steps):
            offered += ["sign", "send-back"]
    return offered


def minutes_answer(request, meeting) -> dict | None:
    minutes = minutes_selectors.minutes_of(meeting)
    if minutes is None:
        return None
    decisions = minutes_selectors.decisions_of(meeting)
    readable = minutes_permissions.readable_decision_ids(request.user, decisions)
    context = {"decisions": [d for d in decisions if d.pk in readable], "allowed": _offered(request, meeting, minutes)}
    return dict(MinutesSerializer(minutes, context=context).data)


class MinutesMixin:
    """meetings/{id}/minutes/ and meetings/{id}/minutes/actions/{name}/ on the meeting endpoint."""

    @extend_schema(summary="会议纪要及可阅的会议决定", responses={200: MinutesSerializer, **ERRORS})
    @action(detail=True, methods=["get"], serializer_class=MinutesSerializer)
    def minutes(self, request, pk=None):
        meeting = minutes_meeting(request, pk)
        answer = minutes_answer(request, meeting)
        if answer is None:
            raise Http404("该会议还没有纪要。")
        return Response(answer)

    @extend_schema(
        summary="办理会议纪要：登记召开、起草、登记决定、送审签、审签、退回（与页面相同的表单与服务）",
        parameters=[OpenApiParameter("name", OpenApiTypes.STR, OpenApiParameter.PATH, enum=sorted(MINUTES_ACTIONS))],
        request=ActionInputSerializer,
        responses={
            200: ActionResultSerializer,
            400: ErrorSerializer,
            409: ErrorSerializer,
            **ERRORS,
        },
    )
    @action(detail=True, methods=["post"], url_path=r"minutes/actions/(?P<name>[a-z_-]{1,40})")
    def minutes_act(self, request, pk=None, name=None):
        meeting = minutes_meeting(request, pk)
        return api_actions.perform(
            request,
            obj=meeting,
            name=name,
            spec=MINUTES_ACTIONS.get(name),
            noun="会议纪要",
            as_seen=None,  # the minutes page posts no state: each service answers a stale click itself
            after=lambda m: minutes_answer(request, Meeting.objects.get(pk=m.pk)),
        )


class DecisionViewSet(viewsets.GenericViewSet):
    """会议决定: the office names a reader of a confidential decision (MTG-12, X-2), as `decision_action`."""

    lookup_value_regex = r"[0-9]+"
    serializer_class = DecisionSerializer

    @extend_schema(
        summary="指定保密会议决定的知悉人员",
        parameters=[OpenApiParameter("name", OpenApiTypes.STR, OpenApiParameter.PATH, enum=["reader"])],
        request=ActionInputSerializer,
        responses={200: ActionResultSerializer, 400: ErrorSerializer, 409: ErrorSerializer, **ERRORS},
    )
    @action(detail=True, methods=["post"], url_path=r"actions/(?P<name>[a-z_-]{1,40})")
    def act(self, request, pk=None, name=None):
        number = to_id(pk)
        decision = Decision.objects.select_related("meeting").filter(pk=number).first() if number else None
        if decision is None or not meeting_permissions.can_view_meeting(request.user, decision.meeting):
            raise Http404("没有找到该会议决定。")
        refused = api_actions.refuse_writer(request)
        if refused is not None:
            return refused
        if name != "reader" or not decision.confidential:
            return Response({"detail": "没有该操作。", "rules": []}, status=status.HTTP_404_NOT_FOUND)
        form = minutes_forms.ReaderForm(api_actions.form_data(request.data))
        if wrong := api_actions.shape_errors(request.data, form):
            return wrong
        if not form.is_valid():
            return api_actions.invalid(form)
        reader = form.cleaned_data["user"]
        try:
            minutes_services.grant_decision_reader(actor=request.user, decision=decision, user=reader)
        except ActionRefused as exc:
            return refusal(exc)
        item = minutes_answer(request, decision.meeting)
        return Response({"detail": f"已指定{reader.display_name}为该项决定的知悉人员。", "item": item})

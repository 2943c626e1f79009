"""公文 through the API: the pages' selectors (visible_submissions, visible_outgoing), their item functions
(submission_detail, outgoing_detail: None → 404), their allowed-action functions and their action tables."""

from __future__ import annotations

from django.http import Http404
from django.utils import timezone
from drf_spectacular.utils import extend_schema
from rest_framework.decorators import action

from documents.outgoing import forms as outgoing_forms
from documents.outgoing import permissions as outgoing_permissions
from documents.outgoing import selectors as outgoing_selectors
from documents.outgoing import services as outgoing_services
from documents.outgoing import views as outgoing_views
from documents.outgoing.models import OutgoingState
from documents.shared import normative
from documents.submissions import forms as submission_forms
from documents.submissions import permissions, selectors, services
from documents.submissions import views as submission_views
from documents.submissions.models import SubmissionState
from tiexi_gov.org.roles import home_unit_id

from ..actions import ApiAction, create, form_data
from ..serializers.common import ActionResultSerializer, ErrorSerializer
from ..serializers.documents import (
    OutgoingDetailSerializer,
    OutgoingInputSerializer,
    OutgoingSerializer,
    SubmissionDetailSerializer,
    SubmissionInputSerializer,
    SubmissionSerializer,
)
from .base import ERRORS, AreaViewSet, act_schema, area_schema

CREATED = {201: ActionResultSerializer, 400: ErrorSerializer, **ERRORS}


def _drafter_unit(request):
    """Only a unit's people draft (the pages' `home_unit_id`: administrators and people without a unit get 404)."""
    if not home_unit_id(request.user):
        raise Http404("没有找到该页面。")
    return request.user.unit


def _submission_may(name: str):
    """The page checks an edit (not a step of the state machine) before the form; a step is the service's."""
    if name in permissions.STEP_ACTIONS:
        return None
    return lambda request, sub: name in permissions.allowed_actions(request.user, sub, only=name, visible=True)


SUBMISSION_ACTIONS = {
    name: ApiAction(
        label=spec.label,
        form=spec.form,
        run=spec.run,
        form_kwargs=lambda request, sub, name=name: submission_views._form_kwargs(name, sub),
        may=_submission_may(name),
    )
    for name, spec in submission_views.ACTIONS.items()
}


@area_schema(SubmissionSerializer, SubmissionDetailSerializer, "上报公文")
class SubmissionViewSet(AreaViewSet):
    noun = "公文"
    serializer_class = SubmissionSerializer
    detail_serializer_class = SubmissionDetailSerializer
    state_choices = tuple(SubmissionState.values)
    actions_spec = SUBMISSION_ACTIONS

    def visible(self):
        return selectors.visible_submissions(self.request.user)

    def find(self, pk):
        return selectors.submission_detail(self.request.user, pk)

    def allowed(self, obj):
        return sorted(permissions.allowed_actions(self.request.user, obj, visible=True) & set(self.actions_spec))

    @act_schema(SUBMISSION_ACTIONS, "上报公文")
    @action(detail=True, methods=["post"], url_path=r"actions/(?P<name>[a-z_-]{1,40})")
    def act(self, request, pk=None, name=None):
        return self.do(request, pk, name)

    @extend_schema(
        summary="起草上报公文（与起草页面相同的表单与服务；附件用 multipart/form-data 的 files）",
        request={"application/json": SubmissionInputSerializer, "multipart/form-data": SubmissionInputSerializer},
        responses=CREATED,
    )
    def create(self, request):
        unit = _drafter_unit(request)
        form = submission_forms.SubmissionForm(form_data(request.data), request.FILES or None, unit=unit)

        def run(d):
            sub = services.create_draft(actor=request.user, **form.draft_fields())
            return sub, "草稿已保存。"

        return create(request, form=form, run=run, after=self.refetch)


def _outgoing_kwargs(name: str):
    if name == "checklist":
        return lambda request, doc: {"steps": normative.required_normative_steps(doc)}
    return lambda request, doc: {}


OUTGOING_ACTIONS = {
    name: ApiAction(label=spec.label, form=spec.form, run=spec.run, form_kwargs=_outgoing_kwargs(name))
    for name, spec in outgoing_views.OUTGOING_ACTIONS.items()
}


@area_schema(OutgoingSerializer, OutgoingDetailSerializer, "发文")
class OutgoingViewSet(AreaViewSet):
    noun = "发文"
    serializer_class = OutgoingSerializer
    detail_serializer_class = OutgoingDetailSerializer
    state_choices = tuple(OutgoingState.values)
    actions_spec = OUTGOING_ACTIONS

    def visible(self):
        return outgoing_permissions.visible_outgoing(self.request.user)

    def find(self, pk):
        return outgoing_selectors.outgoing_detail(self.request.user, pk)

    def allowed(self, obj):
        return sorted(outgoing_permissions.outgoing_allowed_actions(self.request.user, obj) & set(self.actions_spec))

    @act_schema(OUTGOING_ACTIONS, "发文")
    @action(detail=True, methods=["post"], url_path=r"actions/(?P<name>[a-z_-]{1,40})")
    def act(self, request, pk=None, name=None):
        return self.do(request, pk, name)

    @extend_schema(
        summary="起草发文稿（与发文稿纸页面相同的表单与服务；附件用 multipart/form-data 的 files）",
        request={"application/json": OutgoingInputSerializer, "multipart/form-data": OutgoingInputSerializer},
        responses=CREATED,
    )
    def create(self, request):
        unit = _drafter_unit(request)
        form = outgoing_forms.OutgoingForm(
            form_data(request.data), request.FILES or None, unit=unit, year=timezone.localdate().year
        )

        def run(d):
            doc = outgoing_services.create_outgoing(actor=request.user, **form.service_fields())
            return doc, "发文稿已保存。"

        return create(request, form=form, run=run, after=self.refetch)

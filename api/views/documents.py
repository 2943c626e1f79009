"""公文 through the API: the pages' selectors (visible_submissions, visible_outgoing), their item functions
(submission_detail, outgoing_detail: None → 404), their allowed-action functions and their action tables; editing a
draft (the edit pages: "edit" among the allowed actions, the draft form with the item, update_draft /
update_outgoing with the state the caller saw) and naming the readers of a confidential item (`_change_readers`:
ReaderForm, grant / revoke)."""

from __future__ import annotations

from django.http import Http404
from django.utils import timezone
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import status
from rest_framework.decorators import action
from rest_framework.response import Response

from documents.outgoing import forms as outgoing_forms
from documents.outgoing import permissions as outgoing_permissions
from documents.outgoing import selectors as outgoing_selectors
from documents.outgoing import services as outgoing_services
from documents.outgoing import views as outgoing_views
from documents.outgoing.models import OutgoingState
from documents.shared import normative
from documents.shared.forms import ReaderForm
from documents.submissions import forms as submission_forms
from documents.submissions import permissions, selectors, services
from documents.submissions import views as submission_views
from documents.submissions.models import SubmissionState
from tiexi_gov.org.roles import home_unit_id
from tiexi_gov.workflow.errors import ActionRefused
from tiexi_gov.workflow.kernel import as_seen

from ..actions import (
    ApiAction,
    create,
    form_data,
    invalid,
    keeping_unsent,
    refuse_writer,
    shape_errors,
    with_defaults,
)
from ..exceptions import refusal
from ..serializers.common import ActionInputSerializer, ActionResultSerializer, ErrorSerializer
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
DONE = {200: ActionResultSerializer, 400: ErrorSerializer, 409: ErrorSerializer, **ERRORS}
OP_PARAM = OpenApiParameter("op", OpenApiTypes.STR, OpenApiParameter.PATH, enum=["add", "remove"])


def edit_draft(request, obj, *, allowed: bool, refused_text: str, form, save, after):
    """As the edit pages: "edit" must be offered (else the page's words, here a 403), the page's form validates,
    the service saves with the state the caller saw (a stale edit is "已由XX处理")."""
    refused = refuse_writer(request)
    if refused is not None:
        return refused
    if not allowed:
        return Response({"detail": refused_text, "rules": []}, status=status.HTTP_403_FORBIDDEN)
    if wrong := shape_errors(request.data, form):
        return wrong
    if not form.is_valid():
        return invalid(form)
    try:
        save(as_seen(obj, form_data(request.data).get("seen_state", "")))
    except ActionRefused as exc:
        return refusal(exc)
    return Response({"detail": "修改已保存。", "item": after(obj)})


def change_readers(request, obj, op: str, *, may_manage, grant, revoke, after):
    """As `_change_readers`: a confidential item, someone who may name its readers (else the page's 404)."""
    if op not in ("add", "remove") or not obj.confidential or not may_manage(request.user, obj):
        raise Http404("没有找到该页面。")
    refused = refuse_writer(request)
    if refused is not None:
        return refused
    form = ReaderForm(form_data(request.data), active_only=op == "add")
    if not form.is_valid():
        return invalid(form)
    reader = form.cleaned_data["user"]
    try:
        (grant if op == "add" else revoke)(request.user, obj, reader)
    except ActionRefused as exc:
        return refusal(exc)
    text = f"已指定{reader}为阅读人。" if op == "add" else f"已取消{reader}的阅读权限。"
    return Response({"detail": text, "item": after(obj)})


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
        form_kwargs=lambda request, sub, name=name: submission_views.form_kwargs(name, sub, request.user),
        may=_submission_may(name),
        whose=lambda request, sub, name=name: not permissions.step_refused(request.user, sub, name),
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
        summary="修改草稿（与修改页面相同的表单与服务；仅起草、征求意见阶段）",
        request={"application/json": SubmissionInputSerializer, "multipart/form-data": SubmissionInputSerializer},
        responses=DONE,
    )
    @action(detail=True, methods=["post"], serializer_class=SubmissionInputSerializer)
    def edit(self, request, pk=None):
        sub = self.get_item(pk)
        saved = submission_forms.SubmissionForm(instance=sub, unit=sub.unit)
        form = submission_forms.SubmissionForm(
            keeping_unsent(form_data(request.data), request.data, saved),
            request.FILES or None,
            instance=sub,
            unit=sub.unit,
        )
        return edit_draft(
            request,
            sub,
            allowed="edit" in permissions.allowed_actions(request.user, sub),
            refused_text="该公文当前不能修改（仅起草、征求意见阶段可以修改）。",
            form=form,
            save=lambda seen: services.update_draft(actor=request.user, submission=seen, **form.draft_fields()),
            after=self.refetch,
        )

    @extend_schema(
        summary="指定或取消限定知悉范围公文的阅读人（user：阅读人 id）",
        parameters=[OP_PARAM],
        request=ActionInputSerializer,
        responses=DONE,
    )
    @action(detail=True, methods=["post"], url_path=r"readers/(?P<op>[a-z]{1,10})")
    def readers(self, request, pk=None, op=None):
        return change_readers(
            request,
            self.get_item(pk),
            op,
            may_manage=permissions.can_grant_reader,
            grant=lambda actor, obj, user: services.grant_reader(actor=actor, submission=obj, user=user),
            revoke=lambda actor, obj, user: services.revoke_reader(actor=actor, submission=obj, user=user),
            after=self.refetch,
        )

    @extend_schema(
        summary="起草上报公文（与起草页面相同的表单与服务；附件用 multipart/form-data 的 files）",
        request={"application/json": SubmissionInputSerializer, "multipart/form-data": SubmissionInputSerializer},
        responses=CREATED,
    )
    def create(self, request):
        unit = _drafter_unit(request)
        data = with_defaults(form_data(request.data), SubmissionInputSerializer)
        form = submission_forms.SubmissionForm(data, request.FILES or None, unit=unit)

        def run(d):
            sub = services.create_draft(actor=request.user, **form.draft_fields())
            return sub, "草稿已保存。"

        return create(request, form=form, run=run, after=self.refetch)


def _outgoing_kwargs(name: str):
    if name == "checklist":
        return lambda request, doc: {"steps": normative.required_normative_steps(doc)}
    return lambda request, doc: {}


OUTGOING_ACTIONS = {
    name: ApiAction(
        label=spec.label,
        form=spec.form,
        run=spec.run,
        form_kwargs=_outgoing_kwargs(name),
        whose=lambda request, doc, name=name: not outgoing_permissions.outgoing_action_refused(request.user, doc, name),
    )
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
        summary="修改发文稿（与修改页面相同的表单与服务；仅起草阶段）",
        request={"application/json": OutgoingInputSerializer, "multipart/form-data": OutgoingInputSerializer},
        responses=DONE,
    )
    @action(detail=True, methods=["post"], serializer_class=OutgoingInputSerializer)
    def edit(self, request, pk=None):
        doc = self.get_item(pk)
        year = timezone.localdate().year
        saved = outgoing_forms.OutgoingForm(instance=doc, year=year)
        form = outgoing_forms.OutgoingForm(
            keeping_unsent(form_data(request.data), request.data, saved),
            request.FILES or None,
            instance=doc,
            year=year,
        )
        return edit_draft(
            request,
            doc,
            allowed="edit" in outgoing_permissions.outgoing_allowed_actions(request.user, doc),
            refused_text="该发文当前不能修改（仅起草阶段可以修改；被退回的请先“收回修改”）。",
            form=form,
            save=lambda seen: outgoing_services.update_outgoing(
                actor=request.user, document=seen, **form.service_fields()
            ),
            after=self.refetch,
        )

    @extend_schema(
        summary="指定或取消限定知悉范围发文的阅读人（user：阅读人 id）",
        parameters=[OP_PARAM],
        request=ActionInputSerializer,
        responses=DONE,
    )
    @action(detail=True, methods=["post"], url_path=r"readers/(?P<op>[a-z]{1,10})")
    def readers(self, request, pk=None, op=None):
        return change_readers(
            request,
            self.get_item(pk),
            op,
            may_manage=outgoing_permissions.can_grant_outgoing_reader,
            grant=lambda actor, obj, user: outgoing_services.grant_outgoing_reader(
                actor=actor, document=obj, user=user
            ),
            revoke=lambda actor, obj, user: outgoing_services.revoke_outgoing_reader(
                actor=actor, document=obj, user=user
            ),
            after=self.refetch,
        )

    @extend_schema(
        summary="起草发文稿（与发文稿纸页面相同的表单与服务；附件用 multipart/form-data 的 files）",
        request={"application/json": OutgoingInputSerializer, "multipart/form-data": OutgoingInputSerializer},
        responses=CREATED,
    )
    def create(self, request):
        unit = _drafter_unit(request)
        form = outgoing_forms.OutgoingForm(
            with_defaults(form_data(request.data), OutgoingInputSerializer),
            request.FILES or None,
            unit=unit,
            year=timezone.localdate().year,
        )

        def run(d):
            doc = outgoing_services.create_outgoing(actor=request.user, **form.service_fields())
            return doc, "发文稿已保存。"

        return create(request, form=form, run=run, after=self.refetch)

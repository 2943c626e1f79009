"""议事协调机构的申请 through the API (CRD-1, CRD-2): the applications page's selector (`visible_applications`), its
reader (`get_application`: 404 for whoever may not see it), its steps (`STEPS` with the permissions' `may_take` and
the page's step forms, the state the caller saw as `seen_state` → "已由XX处理"), the application form with
`create_application`, and 修改后重新提交 (`revise`, as the page's — the application form, offered where `submit` is,
then `submit_application` with the new reason and content)."""

from __future__ import annotations

from django.http import Http404
from django.utils import timezone
from drf_spectacular.utils import extend_schema
from rest_framework.decorators import action

from coordination.register import permissions as register_permissions
from coordination.register import selectors as register_selectors
from coordination.register import services as register_services
from coordination.register import views as register_views
from coordination.register.forms import ApplicationForm
from coordination.register.models import Application
from tiexi_gov.org.models import Unit

from ..actions import ApiAction, create, form_data
from ..serializers.common import ActionResultSerializer, ErrorSerializer
from ..serializers.coordination import (
    ApplicationDetailSerializer,
    ApplicationInputSerializer,
    ApplicationSerializer,
)
from .base import ERRORS, AreaViewSet, act_schema, area_schema

Kind = Application.Kind


def _step(name: str, step) -> ApiAction:
    return ApiAction(
        label=step.label,
        form=lambda data, files, name=name, step=step: register_views.step_form(name, step, data),
        run=step.run,
        may=lambda request, app, step=step: register_permissions.may_take(app, step.transition, request.user),
        prefix=name,  # the page's step forms carry the step's name as prefix ("approve-opinion")
    )


def _revise_form(data, files, *, user, app):
    """The revise page's form: the application form of the application's kind, its unit the only choice; the
    page's hidden fields (kind, and the body of an adjustment) are the application's own."""
    body = app.body if app.kind != Kind.SETUP else None
    data = data.copy()
    data["kind"] = app.kind
    if body is not None and not data.get("body"):
        data["body"] = str(body.pk)
    form = ApplicationForm(data, user=user, kind=app.kind, day=timezone.localdate(), body=body)
    form.fields["applicant_unit"].choices = [(app.applicant_unit_id, app.applicant_unit.name)]
    return form


def _run_revise(request, app, d):
    form = d["_form"]
    register_services.submit_application(
        actor=request.user,
        application=app,
        reason=d["reason"],
        proposal=form.proposal(),
        merge_into=d.get("merge_into"),
        seen_state=d["_seen"] or None,
    )
    return "申请已修改并重新提交，待区政府办公室审核（第六十四条）。"


APPLICATION_ACTIONS = {name: _step(name, step) for name, step in register_views.STEPS.items()}
APPLICATION_ACTIONS["revise"] = ApiAction(
    label="修改后重新提交",
    form=_revise_form,
    form_kwargs=lambda request, app: {"user": request.user, "app": app},
    run=_run_revise,
    may=lambda request, app: register_permissions.may_take(app, "submit", request.user),  # the page's may_revise
    cleaned=lambda form: {**form.cleaned_data, "_form": form, "_seen": form.data.get("seen_state", "")},
)


@area_schema(ApplicationSerializer, ApplicationDetailSerializer, "议事协调机构申请")
class ApplicationViewSet(AreaViewSet):
    noun = "申请"
    serializer_class = ApplicationSerializer
    detail_serializer_class = ApplicationDetailSerializer
    state_choices = tuple(Application.State.values)
    actions_spec = APPLICATION_ACTIONS
    seen_function = None  # the step form carries the state the caller saw; the service compares it

    def visible(self):
        return (
            register_selectors.visible_applications(self.request.user, timezone.localdate())
            .select_related("applicant_unit", "applicant", "body", "merge_into", "deputy_post")
            .order_by("-created_at", "-id")
        )

    def find(self, pk):
        return register_selectors.get_application(self.request.user, pk)

    @act_schema(APPLICATION_ACTIONS, "议事协调机构申请（提交、修改后重新提交、审核、批准、退回）")
    @action(detail=True, methods=["post"], url_path=r"actions/(?P<name>[a-z_-]{1,40})")
    def act(self, request, pk=None, name=None):
        return self.do(request, pk, name)

    @extend_schema(
        summary="申请设立、调整、合并、撤销议事协调机构（与申请页面相同的表单与服务；do=draft 只存草稿）",
        request=ApplicationInputSerializer,
        responses={201: ActionResultSerializer, 400: ErrorSerializer, **ERRORS},
    )
    def create(self, request):
        user = request.user
        if not register_permissions.can_start_application(user):
            raise Http404("没有找到该页面。")
        data = form_data(request.data)
        kind = register_views.chosen_kind(data.get("kind"))
        body = register_views.chosen_body(data.get("body"))
        form = ApplicationForm(data, user=user, kind=kind, day=timezone.localdate(), body=body)
        if kind == Kind.ADJUST and body is None:
            form.is_valid()
            form.add_error("body", "请选择要调整的议事协调机构。")

        def run(d):
            application = register_services.create_application(
                actor=user,
                kind=kind,
                applicant_unit=Unit.objects.get(pk=d["applicant_unit"]),
                reason=d["reason"],
                proposal=form.proposal(),
                body=d.get("body") if kind != Kind.SETUP else None,
                merge_into=d.get("merge_into"),
                submit=data.get("do") != "draft",
            )
            if application.state == Application.State.DRAFTING:
                return application, "申请已保存为草稿，尚未提交。"
            return application, "申请已提交，待区政府办公室审核（第六十四条）。"

        return create(request, form=form, run=run, after=self.refetch)

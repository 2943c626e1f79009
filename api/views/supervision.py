"""督查督办 through the API: the ledger's selector (visible items, with the light), the item page's reader
(`item_page`: 404 for whoever may not see it), the page's allowed actions and its action table; 结果运用 (the
outcome pages: `outcome_list`, `outcome_page`, OutcomeForm / OutcomeDecideForm, propose_outcome / decide_outcome),
网上咨询 (the inquiry pages: `inquiry_list`, `get_inquiry_or_404`, their forms, log / assign / answer) and 半年报告
(the half-year pages: `half_year_list`, `half_year_report_or_404`, `may_file`, open_half_year_round /
file_half_year_report)."""

from __future__ import annotations

from django.http import Http404
from django.utils import timezone
from drf_spectacular.utils import extend_schema
from rest_framework import status
from rest_framework.decorators import action
from rest_framework.response import Response

from supervision.ledger import forms as ledger_forms
from supervision.ledger import permissions as ledger_permissions
from supervision.ledger import selectors, services
from supervision.ledger import views as ledger_views
from supervision.ledger.models import ItemState, SupervisionItem
from supervision.outcomes import forms as outcome_forms
from supervision.outcomes import permissions as outcome_permissions
from supervision.outcomes import selectors as outcome_selectors
from supervision.outcomes import services as outcome_services
from supervision.outcomes.models import Outcome
from supervision.public import forms as inquiry_forms
from supervision.public import permissions as inquiry_permissions
from supervision.public import selectors as inquiry_selectors
from supervision.public import services as inquiry_services
from supervision.public.models import PublicInquiry
from supervision.reports import forms as report_forms
from supervision.reports import selectors as report_selectors
from supervision.reports import services as report_services
from supervision.reports import views as report_views
from supervision.reports.models import HalfYearReport
from tiexi_gov.deadlines.display import due_label
from tiexi_gov.workflow.errors import ActionRefused

from ..actions import ApiAction, create, form_data, invalid, keeping_unsent, refuse_writer, shape_errors
from ..exceptions import refusal
from ..serializers.common import ActionResultSerializer, ErrorSerializer
from ..serializers.supervision import (
    HalfYearReportDetailSerializer,
    HalfYearReportSerializer,
    HalfYearRoundInputSerializer,
    InquiryDetailSerializer,
    InquiryInputSerializer,
    InquirySerializer,
    LedgerItemDetailSerializer,
    LedgerItemInputSerializer,
    LedgerItemSerializer,
    OutcomeDetailSerializer,
    OutcomeInputSerializer,
    OutcomeSerializer,
)
from .base import ERRORS, AreaViewSet, act_schema, area_schema


def _may(name: str):
    return lambda request, item: name in ledger_views.allowed_actions(request.user, item, timezone.localdate())


LEDGER_ACTIONS = {
    name: ApiAction(
        label=spec.label,
        form=spec.form,
        run=spec.run,
        form_kwargs=lambda request, item, spec=spec: spec.form_kwargs(item),
        may=_may(name),
    )
    for name, spec in ledger_views.ACTIONS.items()
}


@area_schema(LedgerItemSerializer, LedgerItemDetailSerializer, "督查事项")
class LedgerItemViewSet(AreaViewSet):
    noun = "督办事项"
    serializer_class = LedgerItemSerializer
    detail_serializer_class = LedgerItemDetailSerializer
    state_choices = tuple(ItemState.values)
    actions_spec = LEDGER_ACTIONS

    def visible(self):
        return selectors.ledger(self.request.user)

    def find(self, pk):
        return selectors.item_page(self.request.user, pk)

    def allowed(self, obj):
        return sorted(ledger_views.allowed_actions(self.request.user, obj, timezone.localdate()) & set(LEDGER_ACTIONS))

    @act_schema(LEDGER_ACTIONS, "督查事项")
    @action(detail=True, methods=["post"], url_path=r"actions/(?P<name>[a-z_-]{1,40})")
    def act(self, request, pk=None, name=None):
        return self.do(request, pk, name)

    @extend_schema(
        summary="登记督办事项（区政府办公室；与登记页面相同的表单与服务，issue=true 同时交办）",
        request=LedgerItemInputSerializer,
        responses={201: ActionResultSerializer, 400: ErrorSerializer, **ERRORS},
    )
    def create(self, request):
        ledger_permissions.require_manager(request.user)  # the page's 404 for whoever is not the office
        data = form_data(request.data)
        form = ledger_forms.ItemForm(data, initial={}, fixed_source="")

        def run(d):
            item = services.create_item(
                actor=request.user, source_object=None, issue=bool(data.get("issue")), **form.create_kwargs()
            )
            return item, ledger_views.saved_message(item)

        return create(request, form=form, run=run, after=self.refetch)

    @extend_schema(
        summary="修改督办事项草稿（区政府办公室；与修改页面相同的表单与服务，重复检查再次进行）",
        request=LedgerItemInputSerializer,
        responses={200: ActionResultSerializer, 400: ErrorSerializer, **ERRORS},
    )
    @action(detail=True, methods=["post"], serializer_class=LedgerItemInputSerializer)
    def edit(self, request, pk=None):
        """As item_edit: the office only (else the page's 404), a draft only (else the page's words, a 403)."""
        ledger_permissions.require_manager(request.user)
        qs = SupervisionItem.objects.select_related(
            "lead_unit", "leader_post", "supervising_unit", "rectification", "proposal"
        ).prefetch_related("cooperating_units", "joint_units")
        item = ledger_permissions.get_item_or_404(request.user, pk, qs)
        refused = refuse_writer(request)
        if refused is not None:
            return refused
        if item.state != ItemState.DRAFT:
            text = f"督办事项{item.number}已{item.get_state_display()}，只有草稿可以修改。"
            return Response({"detail": text, "rules": []}, status=status.HTTP_403_FORBIDDEN)
        # A field the caller leaves out keeps the draft's value, as on the page, whose form comes back prefilled.
        saved = ledger_forms.ItemForm(item=item)
        form = ledger_forms.ItemForm(keeping_unsent(form_data(request.data), request.data, saved), item=item)
        if wrong := shape_errors(request.data, form):  # as the documents' edits: a list or an object is no title
            return wrong
        if not form.is_valid():
            return invalid(form)
        try:
            services.update_draft(actor=request.user, item=item, **form.update_kwargs())
        except ActionRefused as exc:
            return refusal(exc)
        return Response({"detail": f"督办事项{item.number}的修改已保存。", "item": self.refetch(item)})

    @extend_schema(
        summary="提出结果运用建议（区政府办公室；与页面相同的表单与服务，第四十九条）",
        request=OutcomeInputSerializer,
        responses={201: ActionResultSerializer, 400: ErrorSerializer, **ERRORS},
    )
    @action(detail=True, methods=["post"], serializer_class=OutcomeInputSerializer)
    def outcomes(self, request, pk=None):
        """As outcome_new: the office only, an item it may see (else the page's 404)."""
        if not ledger_permissions.can_manage(request.user):
            raise Http404("没有找到该页面。")
        item = ledger_permissions.get_item_or_404(
            request.user, pk, qs=SupervisionItem.objects.select_related("lead_unit", "leader_post")
        )
        form = outcome_forms.OutcomeForm(form_data(request.data), item=item)

        def run(d):
            outcome = outcome_services.propose_outcome(
                actor=request.user,
                item=item,
                kind=d["kind"],
                grounds=d["grounds"],
                unit=d["unit"],
                approver_post=d["approver_post"],
            )
            return outcome, f"已提出{outcome.get_kind_display()}建议，报{outcome.approver_post.title}审批。"

        return create(request, form=form, run=run, after=lambda o: OutcomeSerializer(o).data)


# --- 结果运用 (SUP-4, SUP-6) ----------------------------------------------------------------------------------------


def _run_outcome_decision(request, outcome, d):
    form_approve = d["decision"] == "approve"
    done = outcome_services.decide_outcome(
        actor=request.user, outcome=outcome, approve=form_approve, opinion=d["opinion"]
    )
    return f"已{done.get_state_display()}：{done.get_kind_display()}{done.unit.display_name}。"


OUTCOME_ACTIONS = {
    "decide": ApiAction(
        label="审批",
        form=outcome_forms.OutcomeDecideForm,
        run=_run_outcome_decision,
        may=lambda request, outcome: outcome_permissions.can_decide_outcome(request.user, outcome),
    )
}


@area_schema(OutcomeSerializer, OutcomeDetailSerializer, "结果运用")
class OutcomeViewSet(AreaViewSet):
    noun = "结果运用建议"
    serializer_class = OutcomeSerializer
    detail_serializer_class = OutcomeDetailSerializer
    state_choices = tuple(Outcome.State.values)
    actions_spec = OUTCOME_ACTIONS

    def visible(self):
        return outcome_selectors.outcome_list(self.request.user)

    def find(self, pk):
        return outcome_selectors.outcome_page(self.request.user, pk)

    def allowed(self, obj):
        """The outcome page's form: a proposal still waiting, for the leader it waits on."""
        ok = obj.state == Outcome.State.PROPOSED and outcome_permissions.can_decide_outcome(self.request.user, obj)
        return ["decide"] if ok else []

    @act_schema(OUTCOME_ACTIONS, "结果运用建议（审批：decision=approve / reject）")
    @action(detail=True, methods=["post"], url_path=r"actions/(?P<name>[a-z_-]{1,40})")
    def act(self, request, pk=None, name=None):
        return self.do(request, pk, name)


# --- 网上咨询 (PUB-1) -----------------------------------------------------------------------------------------------


def _run_assign(request, inquiry, d):
    done = inquiry_services.assign_inquiry(actor=request.user, inquiry=inquiry, unit=d["unit"])
    return f"已转{done.unit.display_name}答复，答复时限 {due_label(done.due)}。"


def _run_answer(request, inquiry, d):
    inquiry_services.answer_inquiry(actor=request.user, inquiry=inquiry, answer=d["answer"])
    return "答复已登记。"


INQUIRY_ACTIONS = {
    "assign": ApiAction(label="转办", form=inquiry_forms.InquiryAssignForm, run=_run_assign),
    "answer": ApiAction(label="答复", form=inquiry_forms.InquiryAnswerForm, run=_run_answer),
}


@area_schema(InquirySerializer, InquiryDetailSerializer, "网上咨询")
class InquiryViewSet(AreaViewSet):
    noun = "网上咨询"
    serializer_class = InquirySerializer
    detail_serializer_class = InquiryDetailSerializer
    state_choices = tuple(PublicInquiry.State.values)
    actions_spec = INQUIRY_ACTIONS

    def visible(self):
        return inquiry_selectors.inquiry_list(self.request.user)

    def find(self, pk):
        return inquiry_permissions.get_inquiry_or_404(self.request.user, pk)

    def allowed(self, obj):
        """The inquiry page's forms: the office assigns an open one, the assigned unit answers."""
        user, names = self.request.user, []
        if obj.state != PublicInquiry.State.ANSWERED and inquiry_permissions.can_manage_inquiry(user, obj):
            names.append("assign")
        if obj.state == PublicInquiry.State.ASSIGNED and inquiry_permissions.can_answer_inquiry(user, obj):
            names.append("answer")
        return names

    @act_schema(INQUIRY_ACTIONS, "网上咨询（转办、答复）")
    @action(detail=True, methods=["post"], url_path=r"actions/(?P<name>[a-z_-]{1,40})")
    def act(self, request, pk=None, name=None):
        return self.do(request, pk, name)

    @extend_schema(
        summary="登记网上咨询（区政府办公室；选择承办单位即转办，第三十八条）",
        request=InquiryInputSerializer,
        responses={201: ActionResultSerializer, 400: ErrorSerializer, **ERRORS},
    )
    def create(self, request):
        if not inquiry_permissions.can_manage_inquiry(request.user):
            raise Http404("没有找到该页面。")
        form = inquiry_forms.InquiryForm(form_data(request.data))

        def run(d):
            inquiry = inquiry_services.log_inquiry(
                actor=request.user,
                asker=d["asker"],
                contact=d["contact"],
                channel=d["channel"],
                question=d["question"],
                received_on=d["received_on"],
                unit=d["unit"],
            )
            if inquiry.unit_id:
                return inquiry, f"已登记并转{inquiry.unit.display_name}答复，答复时限 {due_label(inquiry.due)}。"
            return inquiry, f"已登记 {inquiry.number}，请转办承办单位。"

        return create(request, form=form, run=run, after=self.refetch)


# --- 半年报告 (SUP-2) ---------------------------------------------------------------------------------------------


def _run_file(request, report, d):
    report_services.file_half_year_report(
        actor=request.user,
        report=report,
        summary=d["summary"],
        counterpart=d["counterpart"],
        sent_on=d["sent_on"],
        files=d["files"],
    )
    return f"{report}已报送{d['counterpart']}并在区政府办公室备案。"


HALF_YEAR_ACTIONS = {
    "file": ApiAction(
        label="报送",
        form=report_forms.HalfYearFileForm,
        run=_run_file,
        may=lambda request, report: (
            report.state != HalfYearReport.State.FILED and report_views.may_file(request.user, report)
        ),
    )
}


@area_schema(HalfYearReportSerializer, HalfYearReportDetailSerializer, "半年工作报告")
class HalfYearReportViewSet(AreaViewSet):
    """半年报告: the office sees every unit's, a unit its own; the unit files (报告文件 as multipart `files`)."""

    noun = "半年工作报告"
    serializer_class = HalfYearReportSerializer
    detail_serializer_class = HalfYearReportDetailSerializer
    state_choices = ()
    actions_spec = HALF_YEAR_ACTIONS

    def visible(self):
        return report_selectors.half_year_list(self.request.user, today=timezone.localdate()).order_by(
            "-year", "-half", "unit__order", "id"
        )

    def find(self, pk):
        return report_selectors.half_year_report_or_404(self.request.user, pk)

    @act_schema(HALF_YEAR_ACTIONS, "半年工作报告（报送：multipart/form-data，files 为报告文件）")
    @action(detail=True, methods=["post"], url_path=r"actions/(?P<name>[a-z_-]{1,40})")
    def act(self, request, pk=None, name=None):
        return self.do(request, pk, name)

    @extend_schema(
        summary="布置半年工作报告（区政府办公室：每个单位一份，第四十九条）",
        request=HalfYearRoundInputSerializer,
        responses={201: ActionResultSerializer, 400: ErrorSerializer, **ERRORS},
    )
    def create(self, request):
        if not ledger_permissions.can_manage(request.user):  # the half-year page's office check
            raise Http404("没有找到该页面。")
        form = report_forms.HalfYearRoundForm(form_data(request.data))

        def run(d):
            created = report_services.open_half_year_round(
                actor=request.user, year=d["year"], half=d["half"], due=d["due"]
            )
            half_label = "上半年" if d["half"] == 1 else "下半年"
            if created:
                return created, f"已布置{d['year']}年{half_label}工作报告：{created}个单位。"
            return created, f"{d['year']}年{half_label}工作报告已布置，没有新增单位。"

        response = create(request, form=form, run=run, after=lambda created: {"created": created})
        if response.status_code == status.HTTP_201_CREATED and not response.data["item"]["created"]:
            response.status_code = status.HTTP_200_OK
        return response

"""传阅 / 阅知 (issue 15.4) and the inbox through the API: the circulation pages' selectors (`sent_circulations`,
`received_receipts`, `overdue_receipts`) and readers (`circulation_for`, `receipt_for`: None → the page's 404), the send
page's checks (`sources.load`, `sender_capacity`, `sources.refusal`), its SendForm with the page's choices and
`send_circulation`; reading (`read_receipt`, which the page does on opening: here an explicit action, so that a system
looking at a receipt never reads it in a leader's name) and 批注 (AnnotateForm, `annotate_receipt`). The inbox: the
inbox page's query and `notify.services.mark_read`."""

from __future__ import annotations

from django.http import Http404
from django.shortcuts import get_object_or_404
from django.utils import timezone
from drf_spectacular.utils import extend_schema
from rest_framework import status, viewsets
from rest_framework.decorators import action
from rest_framework.response import Response

from circulation import forms as circulation_forms
from circulation import permissions as circulation_permissions
from circulation import selectors as circulation_selectors
from circulation import services as circulation_services
from circulation import sources
from circulation.models import Kind, ReceiptState
from tiexi_gov.http import to_id
from tiexi_gov.notify import selectors as notify_selectors
from tiexi_gov.notify import services as notify_services
from tiexi_gov.notify.models import Message
from tiexi_gov.workflow.kernel import as_seen

from .. import actions as api_actions
from ..actions import ApiAction
from ..forms import ReadForm
from ..models import ApiToken
from ..serializers.circulation import (
    CirculationDetailSerializer,
    CirculationSerializer,
    MessageSerializer,
    ReceiptDetailSerializer,
    ReceiptSerializer,
    RecipientsSerializer,
    SendInputSerializer,
)
from ..serializers.common import ActionInputSerializer, ActionResultSerializer, ErrorSerializer
from .base import ERRORS, AreaViewSet, act_schema, area_schema

NOT_FOUND_TEXT = "没有找到该阅件。"  # the circulation pages' 404


@area_schema(CirculationSerializer, CirculationDetailSerializer, "传阅")
class CirculationViewSet(AreaViewSet):
    """What the user sent (the office: every circulation), each recipient's state on the status page; sending."""

    noun = "传阅"
    serializer_class = CirculationSerializer
    detail_serializer_class = CirculationDetailSerializer

    def visible(self):
        return circulation_selectors.sent_circulations(self.request.user)

    def filtered(self, qs):
        return qs

    def find(self, pk):
        found = circulation_selectors.circulation_for(self.request.user, pk)
        if found is None:
            raise Http404(NOT_FOUND_TEXT)
        return found

    @extend_schema(
        summary="送传阅 / 阅知：发文、政策解读、机构调整或简报（与送阅页面相同的表单、权限与服务）",
        request=SendInputSerializer,
        responses={201: ActionResultSerializer, 400: ErrorSerializer, **ERRORS},
    )
    def create(self, request):
        """As the send page: the item must be one the sender may open and circulate (else its 404); a document
        that may not be circulated is the page's refusal; the page's form with the page's choices."""
        data = api_actions.form_data(request.data)
        kind, pk = data.get("kind", ""), to_id(data.get("item"))
        item = sources.load(kind, pk) if kind in Kind.values and pk is not None else None
        if item is None or not circulation_permissions.sender_capacity(request.user, kind, item):
            raise Http404(NOT_FOUND_TEXT)
        refused = api_actions.refuse_writer(request)
        if refused is not None:
            return refused
        if problem := sources.refusal(kind, item):
            return Response({"detail": problem, "rules": []}, status=status.HTTP_400_BAD_REQUEST)
        today = timezone.localdate()
        form = circulation_forms.SendForm(
            data, leaders=circulation_selectors.leader_choices(today), units=circulation_selectors.unit_choices()
        )

        def run(_d):
            circulation = circulation_services.send_circulation(
                actor=request.user, kind=kind, item_id=item.pk, **form.service_kwargs()
            )
            return circulation, f"已送{circulation.get_mode_display()}：{circulation.receipts.count()}个送阅对象。"

        return api_actions.create(request, form=form, run=run, after=self.refetch)

    @extend_schema(summary="可送阅的领导职务和单位（送阅页面的选项）", responses={200: RecipientsSerializer, **ERRORS})
    @action(detail=False, methods=["get"], serializer_class=RecipientsSerializer)
    def recipients(self, request):
        if not any(circulation_permissions.may_send_kind(request.user, k) for k in Kind.values):
            raise Http404("没有找到该页面。")
        today = timezone.localdate()
        answer = {"posts": circulation_selectors.leader_choices(today), "units": circulation_selectors.unit_choices()}
        return Response(RecipientsSerializer(answer).data)


def _annotate_cleaned(form) -> dict:
    d = dict(form.cleaned_data)
    d["seen"] = d.get("seen") or form.data.get("seen_state", "")  # the page's hidden `seen`, or the API's seen_state
    return d


def _run_read(request, receipt, d):
    """Reading is done on an unread copy: a caller who sends no state saw it unread, so whoever of the unit was
    first is named ("已由XX处理"), as the reading page says."""
    circulation_services.read_receipt(actor=request.user, receipt=as_seen(receipt, d["seen"] or ReceiptState.UNREAD))
    return "已读。"


def _run_annotate(request, receipt, d):
    circulation_services.annotate_receipt(actor=request.user, receipt=receipt, text=d["text"], seen_state=d["seen"])
    return "已批注。"


RECEIPT_ACTIONS = {
    "read": ApiAction(
        label="已读", form=ReadForm, run=_run_read, cleaned=lambda form: {"seen": form.data.get("seen_state", "")}
    ),
    "annotate": ApiAction(
        label="批注", form=circulation_forms.AnnotateForm, run=_run_annotate, cleaned=_annotate_cleaned
    ),
}


@area_schema(ReceiptSerializer, ReceiptDetailSerializer, "阅件")
class ReceiptViewSet(AreaViewSet):
    """阅件: what was sent to me (my posts, my unit), the reading copy, 已读 and 批注."""

    noun = "阅件"
    serializer_class = ReceiptSerializer
    detail_serializer_class = ReceiptDetailSerializer
    state_choices = tuple(ReceiptState.values)
    actions_spec = RECEIPT_ACTIONS
    seen_function = None  # the services compare the state the caller saw themselves ("已由XX处理")

    def visible(self):
        return circulation_selectors.received_receipts(self.request.user, timezone.localdate())

    def find(self, pk):
        found = circulation_selectors.receipt_for(self.request.user, pk)
        if found is None:
            raise Http404(NOT_FOUND_TEXT)
        return found

    def allowed(self, obj):
        """The reading page's offer: the recipient reads an unread copy and annotates one not yet annotated."""
        if not circulation_permissions.is_recipient(self.request.user, obj):
            return []
        names = ["annotate"] if obj.state != ReceiptState.ANNOTATED else []
        return (["read"] if obj.state == ReceiptState.UNREAD else []) + names

    def detail_data(self, obj) -> dict:
        item, summary = circulation_selectors.reading_copy(obj.circulation)
        c = obj.circulation
        context = {**self.get_serializer_context(), "allowed": self.allowed(obj), "summary": summary}
        if item is not None and sources.can_open(self.request.user, c.kind, item):
            context["original_url"] = sources.original_url(c.kind, item)
        return dict(ReceiptDetailSerializer(obj, context=context).data)

    @extend_schema(summary="逾期未阅（区政府办公室）", responses={200: ReceiptSerializer(many=True), **ERRORS})
    @action(detail=False, methods=["get"])
    def overdue(self, request):
        if not circulation_permissions.can_see_overdue(request.user):
            raise Http404("没有找到该页面。")
        page = self.paginate_queryset(circulation_selectors.overdue_receipts())
        return self.get_paginated_response(ReceiptSerializer(page, many=True).data)

    @act_schema(RECEIPT_ACTIONS, "阅件（已读、批注）")
    @action(detail=True, methods=["post"], url_path=r"actions/(?P<name>[a-z_-]{1,40})")
    def act(self, request, pk=None, name=None):
        return self.do(request, pk, name)


class MessageViewSet(viewsets.GenericViewSet):
    """站内消息: only the recipient ever sees a message (others get 404); unread first, newest first."""

    serializer_class = MessageSerializer
    lookup_value_regex = r"[0-9]+"

    def get_queryset(self):
        return notify_selectors.inbox(self.request.user)

    @extend_schema(summary="站内消息（未读在前）", responses={200: MessageSerializer(many=True), **ERRORS})
    def list(self, request):
        page = self.paginate_queryset(self.get_queryset())
        return self.get_paginated_response(MessageSerializer(page, many=True).data)

    def _writer(self, request):
        """Marking one's own messages read is no office work; only a read-only token may not."""
        token = request.auth if isinstance(request.auth, ApiToken) else None
        return api_actions.refuse_writer(request) if token is not None and token.read_only else None

    @extend_schema(summary="标为已读", request=ActionInputSerializer, responses={200: ActionResultSerializer, **ERRORS})
    @action(detail=True, methods=["post"])
    def read(self, request, pk=None):
        number = to_id(pk)
        message = get_object_or_404(Message, pk=number or 0, recipient=request.user)
        refused = self._writer(request)
        if refused is not None:
            return refused
        notify_services.mark_read(user=request.user, message_ids=[message.pk])
        message.refresh_from_db()
        return Response({"detail": "已标为已读。", "item": MessageSerializer(message).data})

    @extend_schema(
        summary="全部标为已读", request=ActionInputSerializer, responses={200: ActionResultSerializer, **ERRORS}
    )
    @action(detail=False, methods=["post"], url_path="read-all")
    def read_all(self, request):
        refused = self._writer(request)
        if refused is not None:
            return refused
        count = notify_services.mark_read(user=request.user)
        return Response({"detail": f"已将 {count} 条消息标为已读。" if count else "没有未读消息。", "item": None})

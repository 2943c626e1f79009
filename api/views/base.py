"""One shape for every area's endpoints: the list (paged, constant queries), an item, its history (the audit events
of the item) and its actions. Each area names the page's own selector for the list, the page's own "may see"
function for an item (an outsider gets the page's 404), and the page's actions."""

from __future__ import annotations

from django.http import Http404
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, OpenApiResponse, extend_schema
from rest_framework import exceptions, viewsets
from rest_framework.decorators import action
from rest_framework.response import Response

from tiexi_gov.audit.selectors import history_of
from tiexi_gov.http import to_id
from tiexi_gov.workflow.kernel import as_seen

from .. import actions as api_actions
from ..serializers.common import ActionInputSerializer, ActionResultSerializer, ErrorSerializer, EventSerializer

NOT_FOUND = OpenApiResponse(ErrorSerializer, description="不存在或无权查看（与页面相同的 404）")
ERRORS = {401: ErrorSerializer, 403: ErrorSerializer, 404: NOT_FOUND}
STATE_PARAM = OpenApiParameter("state", OpenApiTypes.STR, description="按状态筛选（状态代码）")


class AreaViewSet(viewsets.GenericViewSet):
    """Subclasses set `noun`, `serializer_class` (list rows), `detail_serializer_class`, `state_choices`, and
    implement `visible()` and `get_item(pk)`; `actions_spec` and `allowed()` where the item has actions."""

    noun = "事项"
    lookup_value_regex = r"[0-9]+"
    detail_serializer_class = None
    state_choices: tuple[str, ...] = ()
    actions_spec: dict[str, api_actions.ApiAction] = {}
    seen_function = staticmethod(as_seen)  # the page posts the state it showed; None where it does not

    # --- what an area supplies -------------------------------------------------------------------------------

    def visible(self):
        raise NotImplementedError

    def find(self, pk: int):
        """The item as the page finds it for this user, or raise Http404 / return None."""
        raise NotImplementedError

    def allowed(self, obj) -> list[str]:
        request = self.request
        return sorted(n for n, spec in self.actions_spec.items() if spec.may is not None and spec.may(request, obj))

    # --- the shape ----------------------------------------------------------------------------------------------

    def get_item(self, pk):
        number = to_id(pk)
        obj = self.find(number) if number is not None else None
        if obj is None:
            raise Http404(f"没有找到该{self.noun}。")
        return obj

    def filtered(self, qs):
        state = enum_param(self.request, "state", self.state_choices)
        return qs.filter(state=state) if state else qs

    def get_serializer_class(self):
        if self.action == "retrieve" and self.detail_serializer_class is not None:
            return self.detail_serializer_class
        return super().get_serializer_class()

    def detail_data(self, obj) -> dict:
        context = self.get_serializer_context()
        context["allowed"] = self.allowed(obj) if self.actions_spec else []
        return dict((self.detail_serializer_class or self.serializer_class)(obj, context=context).data)

    def list(self, request):
        page = self.paginate_queryset(self.filtered(self.visible()))
        return self.get_paginated_response(self.get_serializer(page, many=True).data)

    def retrieve(self, request, pk=None):
        return Response(self.detail_data(self.get_item(pk)))

    @extend_schema(responses={200: EventSerializer(many=True), **ERRORS}, summary="办理记录（审计事件）")
    @action(detail=True, methods=["get"], serializer_class=EventSerializer)
    def history(self, request, pk=None):
        obj = self.get_item(pk)
        page = self.paginate_queryset(history_of(obj))
        return self.get_paginated_response(EventSerializer(page, many=True).data)

    def refetch(self, obj):
        """The item after an action, as the user may now see it (None when it left their sight)."""
        try:
            fresh = self.find(obj.pk)
        except Http404:
            return None
        return self.detail_data(fresh) if fresh is not None else None

    def do(self, request, pk, name):
        obj = self.get_item(pk)
        return api_actions.perform(
            request,
            obj=obj,
            name=name,
            spec=self.actions_spec.get(name),
            noun=self.noun,
            as_seen=self.seen_function,
            after=self.refetch,
        )


def act_schema(names, noun: str):
    """The OpenAPI description of an area's action endpoint."""
    return extend_schema(
        summary=f"办理{noun}（与页面相同的表单、权限与服务）",
        parameters=[OpenApiParameter("name", OpenApiTypes.STR, OpenApiParameter.PATH, enum=sorted(names))],
        request=ActionInputSerializer,
        responses={
            200: ActionResultSerializer,
            400: ErrorSerializer,
            401: ErrorSerializer,
            403: ErrorSerializer,
            404: NOT_FOUND,
            409: OpenApiResponse(ErrorSerializer, description="已由他人处理（已由XX处理）"),
        },
    )


def area_schema(list_serializer, detail_serializer, noun: str):
    """Class decorator args for list/retrieve."""
    from drf_spectacular.utils import extend_schema_view

    return extend_schema_view(
        list=extend_schema(
            summary=f"{noun}列表（与页面相同的可见范围）",
            parameters=[STATE_PARAM],
            responses={
                200: list_serializer(many=True),
                401: ErrorSerializer,
                403: ErrorSerializer,
                404: ErrorSerializer,
            },
        ),
        retrieve=extend_schema(summary=f"{noun}详情", responses={200: detail_serializer, **ERRORS}),
    )


def enum_param(request, name: str, allowed) -> str:
    """A filter of a list by one of its declared values; "" when absent. A value the schema does not list is a 400
    naming the choices: ignored, a misspelt filter (?state=closd) read as a match on everything."""
    value = request.query_params.get(name, "")
    allowed = [str(v) for v in allowed]
    if not allowed:
        return ""  # a list without this filter
    if value and value not in allowed:
        raise exceptions.ValidationError({name: [f"无效的取值“{value[:50]}”，可选：{'、'.join(allowed)}。"]})
    return value

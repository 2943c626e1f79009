"""我的待办 through the API: the page's own query (workflow.selectors.open_tasks_for), most urgent first."""

from __future__ import annotations

from django.utils import timezone
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import viewsets

from tiexi_gov.workflow import selectors
from tiexi_gov.workflow.models import Area

from ..serializers.common import ErrorSerializer, TaskSerializer
from .base import enum_param


class TaskViewSet(viewsets.GenericViewSet):
    serializer_class = TaskSerializer

    @extend_schema(
        summary="我的待办",
        parameters=[OpenApiParameter("area", OpenApiTypes.STR, enum=Area.values, description="只看一个领域")],
        responses={200: TaskSerializer(many=True), 401: ErrorSerializer, 403: ErrorSerializer, 404: ErrorSerializer},
    )
    def list(self, request):
        today = timezone.localdate()
        tasks = selectors.open_tasks_for(request.user, today)
        area = enum_param(request, "area", Area.values)
        if area:
            tasks = tasks.filter(area=area)
        page = self.paginate_queryset(tasks)
        context = {**self.get_serializer_context(), "acting": selectors.acting_capacities(request.user, today)}
        return self.get_paginated_response(TaskSerializer(page, many=True, context=context).data)

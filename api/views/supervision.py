"""督查督办 through the API: the ledger's selector (visible items, with the light), the item page's reader
(`item_page`: 404 for whoever may not see it), the page's allowed actions and its action table."""

from __future__ import annotations

from django.utils import timezone
from drf_spectacular.utils import extend_schema
from rest_framework.decorators import action

from supervision.ledger import forms as ledger_forms
from supervision.ledger import selectors, services
from supervision.ledger import views as ledger_views
from supervision.ledger.models import ItemState

from ..actions import ApiAction, create, form_data
from ..serializers.common import ActionResultSerializer, ErrorSerializer
from ..serializers.supervision import LedgerItemDetailSerializer, LedgerItemInputSerializer, LedgerItemSerializer
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
    seen_function = staticmethod(ledger_views._as_seen)  # the ledger page's twin of the kernel's as_seen

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
        ledger_views._office_only(request)  # the page's 404 for whoever is not the office
        data = form_data(request.data)
        form = ledger_forms.ItemForm(data, initial={}, fixed_source="")

        def run(d):
            item = services.create_item(
                actor=request.user, source_object=None, issue=bool(data.get("issue")), **form.create_kwargs()
            )
            return item, ledger_views._saved_message(item)

        return create(request, form=form, run=run, after=self.refetch)

"""督查督办 through the API: the ledger's selector (visible items, with the light), the item page's reader
(`item_page`: 404 for whoever may not see it), the page's allowed actions and its action table."""

from __future__ import annotations

from django.utils import timezone
from rest_framework.decorators import action

from supervision.ledger import selectors
from supervision.ledger import views as ledger_views
from supervision.ledger.models import ItemState

from ..actions import ApiAction
from ..serializers.supervision import LedgerItemDetailSerializer, LedgerItemSerializer
from .base import AreaViewSet, act_schema, area_schema


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

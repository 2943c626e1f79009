"""督查督办: the ledger's items (督查事项), with the traffic light the ledger shows."""

from __future__ import annotations

from rest_framework import serializers

from supervision.ledger.models import Light, SupervisionItem
from supervision.ledger.selectors import light_of

from .common import PlainModelSerializer
from .documents import AllowedActionsMixin


class LedgerItemSerializer(PlainModelSerializer):
    source_label = serializers.CharField(source="get_source_display", read_only=True)
    state_label = serializers.CharField(source="get_state_display", read_only=True)
    lead_unit_name = serializers.SerializerMethodField()
    cooperating_units = serializers.SerializerMethodField()
    leader_post_title = serializers.SerializerMethodField()
    light = serializers.SerializerMethodField(help_text="红/黄/绿灯：red / amber / green / done / none")

    class Meta:
        model = SupervisionItem
        fields = [
            "id",
            "number",
            "source",
            "source_label",
            "source_ref",
            "task",
            "lead_unit",
            "lead_unit_name",
            "cooperating_units",
            "leader_post",
            "leader_post_title",
            "due",
            "standard",
            "percent",
            "progress_text",
            "state",
            "state_label",
            "light",
            "is_major",
            "next_report_due",
            "closed_on",
        ]

    def get_lead_unit_name(self, obj) -> str:
        return obj.lead_unit.display_name if obj.lead_unit_id else ""

    def get_cooperating_units(self, obj) -> list[str]:
        return [u.display_name for u in obj.cooperating_units.all()]

    def get_leader_post_title(self, obj) -> str:
        return obj.leader_post.title if obj.leader_post_id else ""

    def get_light(self, obj) -> str:
        light = getattr(obj, "light", None)
        if light is None:
            light = light_of(obj)
        return str(light) if light in Light.values else str(Light.NONE)


class LedgerItemDetailSerializer(AllowedActionsMixin, LedgerItemSerializer):
    class Meta(LedgerItemSerializer.Meta):
        fields = [
            *LedgerItemSerializer.Meta.fields,
            "kind",
            "cycle",
            "assigned_on",
            "accepted_on",
            "claimed_on",
            "completion_note",
            "verification_note",
            "rework_count",
            "cancel_reason",
            "allowed_actions",
        ]


class LedgerItemInputSerializer(serializers.Serializer):
    """The ledger's registration form (登记督办事项): the main fields; `issue` true registers and issues at once."""

    source = serializers.CharField()
    source_ref = serializers.CharField(required=False)
    task = serializers.CharField()
    kind = serializers.CharField(required=False)
    cycle = serializers.CharField(required=False)
    lead_unit = serializers.IntegerField()
    cooperating_units = serializers.ListField(child=serializers.IntegerField(), required=False)
    leader_post = serializers.IntegerField()
    due = serializers.DateField()
    standard = serializers.CharField()
    period_start = serializers.DateField()
    supervising_unit = serializers.IntegerField()
    issue = serializers.BooleanField(required=False)

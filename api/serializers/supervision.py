"""督查督办: the ledger's items (督查事项), with the traffic light the ledger shows."""

from __future__ import annotations

from rest_framework import serializers

from supervision.ledger.models import Light, SupervisionItem
from supervision.ledger.selectors import light_of
from supervision.outcomes.models import Outcome
from supervision.public.models import PublicInquiry
from supervision.reports.models import HalfYearReport

from .common import PlainModelSerializer, person
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


class OutcomeSerializer(PlainModelSerializer):
    """结果运用 (SUP-4, SUP-6): praise, criticism or accountability proposed by the office, decided by a leader."""

    kind_label = serializers.CharField(source="get_kind_display", read_only=True)
    state_label = serializers.CharField(source="get_state_display", read_only=True)
    unit_name = serializers.SerializerMethodField()
    approver_post_title = serializers.SerializerMethodField()
    decided_by = serializers.SerializerMethodField()

    class Meta:
        model = Outcome
        fields = [
            "id",
            "item",
            "kind",
            "kind_label",
            "unit",
            "unit_name",
            "grounds",
            "approver_post",
            "approver_post_title",
            "state",
            "state_label",
            "proposed_on",
            "decided_by",
            "decided_on",
            "decision_opinion",
        ]

    def get_unit_name(self, obj) -> str:
        return obj.unit.display_name if obj.unit_id else ""

    def get_approver_post_title(self, obj) -> str:
        return obj.approver_post.title if obj.approver_post_id else ""

    def get_decided_by(self, obj) -> str:
        return person(obj.decided_by) if obj.decided_by_id else ""


class OutcomeDetailSerializer(AllowedActionsMixin, OutcomeSerializer):
    class Meta(OutcomeSerializer.Meta):
        fields = [*OutcomeSerializer.Meta.fields, "allowed_actions"]


class OutcomeInputSerializer(serializers.Serializer):
    kind = serializers.ChoiceField(choices=Outcome.OutcomeKind.choices)
    unit = serializers.IntegerField(help_text="对象单位 id")
    grounds = serializers.CharField(help_text="事实与依据")
    approver_post = serializers.IntegerField(help_text="审批领导职务 id")


class InquirySerializer(PlainModelSerializer):
    """网上咨询 (PUB-1): logged by the office, assigned to a unit, answered within 5 working days."""

    state_label = serializers.CharField(source="get_state_display", read_only=True)
    unit_name = serializers.SerializerMethodField()

    class Meta:
        model = PublicInquiry
        fields = [
            "id",
            "number",
            "asker",
            "channel",
            "question",
            "received_on",
            "unit",
            "unit_name",
            "due",
            "state",
            "state_label",
            "answer",
            "answered_on",
        ]

    def get_unit_name(self, obj) -> str:
        return obj.unit.display_name if obj.unit_id else ""


class InquiryDetailSerializer(AllowedActionsMixin, InquirySerializer):
    class Meta(InquirySerializer.Meta):
        fields = [*InquirySerializer.Meta.fields, "contact", "allowed_actions"]


class InquiryInputSerializer(serializers.Serializer):
    asker = serializers.CharField(max_length=100)
    contact = serializers.CharField(max_length=100, required=False)
    channel = serializers.CharField(max_length=40)
    received_on = serializers.DateField()
    question = serializers.CharField()
    unit = serializers.IntegerField(required=False, help_text="承办单位 id（选择后立即转办）")


class HalfYearReportSerializer(PlainModelSerializer):
    """半年工作报告 (SUP-2)."""

    state_label = serializers.CharField(source="get_state_display", read_only=True)
    unit_name = serializers.SerializerMethodField()

    class Meta:
        model = HalfYearReport
        fields = [
            "id",
            "unit",
            "unit_name",
            "year",
            "half",
            "due",
            "state",
            "state_label",
            "counterpart",
            "sent_to_counterpart_on",
            "summary",
            "filed_on",
        ]

    def get_unit_name(self, obj) -> str:
        return obj.unit.display_name if obj.unit_id else ""


class HalfYearReportDetailSerializer(AllowedActionsMixin, HalfYearReportSerializer):
    class Meta(HalfYearReportSerializer.Meta):
        fields = [*HalfYearReportSerializer.Meta.fields, "allowed_actions"]


class HalfYearRoundInputSerializer(serializers.Serializer):
    year = serializers.IntegerField(min_value=2000, max_value=2100)
    half = serializers.ChoiceField(choices=[(1, "上半年"), (2, "下半年")])
    due = serializers.DateField(required=False, help_text="不填则为半年结束后第10个工作日")

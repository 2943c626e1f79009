"""传阅 / 阅知 (issue 15.4) and the inbox (站内消息)."""

from __future__ import annotations

from rest_framework import serializers

from circulation import services as circulation_services
from circulation.models import Circulation, Kind, Mode, Receipt
from tiexi_gov.notify.models import Message

from .common import PlainModelSerializer, person
from .documents import AllowedActionsMixin


class CirculationSerializer(PlainModelSerializer):
    kind_label = serializers.CharField(source="get_kind_display", read_only=True)
    mode_label = serializers.CharField(source="get_mode_display", read_only=True)
    sent_by = serializers.SerializerMethodField()
    total = serializers.IntegerField(read_only=True, required=False, help_text="送阅对象数")
    unread = serializers.IntegerField(read_only=True, required=False)
    read = serializers.IntegerField(read_only=True, required=False)
    annotated = serializers.IntegerField(read_only=True, required=False)

    class Meta:
        model = Circulation
        fields = [
            "id",
            "kind",
            "kind_label",
            "mode",
            "mode_label",
            "title",
            "note",
            "sent_by",
            "sent_capacity",
            "sent_at",
            "sent_on",
            "total",
            "unread",
            "read",
            "annotated",
        ]

    def get_sent_by(self, obj) -> str:
        return person(obj.sent_by)


class ReceiptSerializer(PlainModelSerializer):
    """One recipient's copy: 未读 → 已读 → 已阅并批注, with who read it, when and in which capacity."""

    circulation = serializers.IntegerField(source="circulation_id", read_only=True)
    title = serializers.CharField(source="circulation.title", read_only=True)
    mode = serializers.CharField(source="circulation.mode", read_only=True)
    mode_label = serializers.CharField(source="circulation.get_mode_display", read_only=True)
    sent_by = serializers.SerializerMethodField()
    recipient_name = serializers.CharField(read_only=True)
    state_label = serializers.CharField(source="get_state_display", read_only=True)
    read_by = serializers.SerializerMethodField()
    annotated_by = serializers.SerializerMethodField()
    due = serializers.SerializerMethodField(help_text="未阅提醒日（送阅后第N个工作日）")

    class Meta:
        model = Receipt
        fields = [
            "id",
            "circulation",
            "title",
            "mode",
            "mode_label",
            "sent_by",
            "sent_on",
            "post",
            "unit",
            "recipient_name",
            "state",
            "state_label",
            "read_at",
            "read_by",
            "read_capacity",
            "annotation",
            "annotated_at",
            "annotated_by",
            "reminded_at",
            "due",
        ]

    def get_sent_by(self, obj) -> str:
        return person(obj.circulation.sent_by)

    def get_read_by(self, obj) -> str:
        return person(obj.read_by) if obj.read_by_id else ""

    def get_annotated_by(self, obj) -> str:
        return person(obj.annotated_by) if obj.annotated_by_id else ""

    def get_due(self, obj) -> str:
        return circulation_services.due_on(obj.sent_on, obj.circulation.remind_after).isoformat()


class StatusReceiptSerializer(ReceiptSerializer):
    """A receipt on the sender's status page (the circulation is the one shown)."""

    class Meta(ReceiptSerializer.Meta):
        fields = [
            "id",
            "post",
            "unit",
            "recipient_name",
            "state",
            "state_label",
            "read_at",
            "read_by",
            "read_capacity",
            "annotation",
            "annotated_at",
            "annotated_by",
            "reminded_at",
        ]


class CirculationDetailSerializer(CirculationSerializer):
    receipts = serializers.SerializerMethodField()

    class Meta(CirculationSerializer.Meta):
        fields = [f for f in CirculationSerializer.Meta.fields if f not in ("total", "unread", "read", "annotated")]
        fields += ["remind_after", "receipts"]

    def get_receipts(self, obj) -> list[dict]:
        return StatusReceiptSerializer(obj.receipts.all(), many=True).data


class SummaryFieldSerializer(serializers.Serializer):
    label = serializers.CharField()
    value = serializers.CharField()


class ReceiptDetailSerializer(AllowedActionsMixin, ReceiptSerializer):
    """The reading page: the copy as sent (its fields and text), the original's page where the reader may open it."""

    note = serializers.CharField(source="circulation.note", read_only=True)
    summary = serializers.SerializerMethodField()
    summary_text = serializers.SerializerMethodField()
    original_url = serializers.SerializerMethodField()

    class Meta(ReceiptSerializer.Meta):
        fields = [*ReceiptSerializer.Meta.fields, "note", "summary", "summary_text", "original_url", "allowed_actions"]

    def get_summary(self, obj) -> list[dict]:
        summary = self.context.get("summary")
        return [{"label": k, "value": v or ""} for k, v in summary.fields] if summary else []

    def get_summary_text(self, obj) -> str:
        summary = self.context.get("summary")
        return summary.text if summary else ""

    def get_original_url(self, obj) -> str:
        return self.context.get("original_url", "")


class SendInputSerializer(serializers.Serializer):
    """送阅 (the page's form): the item, 传阅 or 阅知, the leaders' posts and the units."""

    kind = serializers.ChoiceField(choices=Kind.choices, help_text="outgoing 发文 / interpretation 政策解读 / …")
    item = serializers.IntegerField(help_text="所送事项的 id")
    mode = serializers.ChoiceField(choices=Mode.choices)
    posts = serializers.ListField(child=serializers.IntegerField(), required=False, help_text="送阅领导的职务 id")
    units = serializers.ListField(child=serializers.IntegerField(), required=False, help_text="送阅单位 id")
    note = serializers.CharField(required=False, help_text="附言")


class RecipientPostSerializer(serializers.Serializer):
    id = serializers.IntegerField(source="post.pk")
    title = serializers.CharField(source="post.title")
    holder = serializers.CharField()


class RecipientUnitSerializer(serializers.Serializer):
    id = serializers.IntegerField(source="pk")
    name = serializers.CharField(source="display_name")


class RecipientsSerializer(serializers.Serializer):
    posts = RecipientPostSerializer(many=True)
    units = RecipientUnitSerializer(many=True)


class MessageSerializer(PlainModelSerializer):
    level_label = serializers.CharField(source="get_level_display", read_only=True)
    read = serializers.SerializerMethodField()

    class Meta:
        model = Message
        fields = ["id", "level", "level_label", "subject", "body", "url", "created_at", "read_at", "read"]

    def get_read(self, obj) -> bool:
        return obj.read_at is not None

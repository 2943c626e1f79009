"""What every area answers with: errors, action results, an item's history (its audit events), a task."""

from __future__ import annotations

from django.contrib.contenttypes.models import ContentType
from rest_framework import serializers

from tiexi_gov.audit.models import Event
from tiexi_gov.workflow.models import Task


class CodeField(serializers.CharField):
    """A choice as its code (text): the Chinese label is a field of its own beside it."""

    def __init__(self, *, choices=None, html_cutoff=None, html_cutoff_text=None, **kwargs):
        super().__init__(**kwargs)


class PlainModelSerializer(serializers.ModelSerializer):
    """States and kinds as their codes (text), each with its Chinese label beside it."""

    serializer_choice_field = CodeField


class ErrorSerializer(serializers.Serializer):
    detail = serializers.CharField(help_text="中文说明")
    rules = serializers.ListField(child=serializers.CharField(), required=False, help_text="依据的规则编号")
    errors = serializers.DictField(
        child=serializers.ListField(child=serializers.CharField()), required=False, help_text="各字段的错误"
    )


class ActionInputSerializer(serializers.Serializer):
    """The fields of the page's form for this action (e.g. opinion, confirm, decision); unknown fields are ignored."""

    seen_state = serializers.CharField(required=False, help_text="调用方看到的状态；已被他人处理时返回 409")
    confirm = serializers.BooleanField(required=False, help_text="不可撤销的操作须确认")
    opinion = serializers.CharField(required=False, help_text="意见")

    class Meta:
        ref_name = "ActionInput"


class ActionResultSerializer(serializers.Serializer):
    detail = serializers.CharField(help_text="办理结果说明")
    item = serializers.DictField(allow_null=True, help_text="办理后的事项（已不可见时为 null）")


def person(user) -> str:
    return user.display_name if user is not None else ""


class EventSerializer(PlainModelSerializer):
    actor = serializers.SerializerMethodField()
    acting_for = serializers.SerializerMethodField()

    class Meta:
        model = Event
        fields = [
            "id",
            "at",
            "actor",
            "capacity",
            "acting_for",
            "action",
            "action_label",
            "from_state",
            "to_state",
            "opinion",
            "rule_id",
        ]

    def get_actor(self, obj) -> str:
        return person(obj.actor) if obj.actor_id else "系统"

    def get_acting_for(self, obj) -> str:
        return person(obj.acting_for) if obj.acting_for_id else ""


class TaskSerializer(PlainModelSerializer):
    subject_type = serializers.SerializerMethodField()
    due = serializers.DateField(allow_null=True, read_only=True)
    overdue = serializers.SerializerMethodField()
    from_user = serializers.SerializerMethodField()
    capacity = serializers.SerializerMethodField()
    area_label = serializers.CharField(source="get_area_display", read_only=True)

    class Meta:
        model = Task
        fields = [
            "id",
            "area",
            "area_label",
            "subject_type",
            "subject_id",
            "subject_repr",
            "url",
            "action",
            "action_label",
            "rule_id",
            "note",
            "urgency",
            "due",
            "overdue",
            "from_user",
            "capacity",
            "opened_at",
        ]

    def get_subject_type(self, obj) -> str:
        ct = ContentType.objects.get_for_id(obj.subject_type_id)  # the ContentType cache: no query per row
        return f"{ct.app_label}.{ct.model}"

    def get_overdue(self, obj) -> bool:
        return getattr(obj, "band", 2) == 0

    def get_from_user(self, obj) -> str:
        return person(obj.from_user) if obj.from_user_id else ""

    def get_capacity(self, obj) -> str:
        return self.context.get("acting", {}).get(obj.owner_post_id, "") if obj.owner_post_id else ""

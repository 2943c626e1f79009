"""会议: meetings and their topics (议题), and leave from a meeting (会议请假)."""

from __future__ import annotations

from rest_framework import serializers

from meetings.meeting.models import LeaveRequest, Meeting, Topic

from .common import PlainModelSerializer, person
from .documents import AllowedActionsMixin


class MeetingSerializer(PlainModelSerializer):
    kind_label = serializers.CharField(source="get_kind_display", read_only=True)
    state_label = serializers.CharField(source="get_state_display", read_only=True)
    chair = serializers.SerializerMethodField()

    class Meta:
        model = Meeting
        fields = [
            "id",
            "kind",
            "kind_label",
            "title",
            "date",
            "start_time",
            "location",
            "chair_post",
            "chair",
            "state",
            "state_label",
            "agenda_approved_at",
        ]

    def get_chair(self, obj) -> str:
        return obj.chair_post.title if obj.chair_post_id else ""


class MeetingDetailSerializer(AllowedActionsMixin, MeetingSerializer):
    class Meta(MeetingSerializer.Meta):
        fields = [*MeetingSerializer.Meta.fields, "is_regular", "ad_hoc_reason", "cancel_reason", "allowed_actions"]


class TopicSerializer(PlainModelSerializer):
    state_label = serializers.CharField(source="get_state_display", read_only=True)
    unit_name = serializers.SerializerMethodField()
    meeting_title = serializers.SerializerMethodField()

    class Meta:
        model = Topic
        fields = [
            "id",
            "meeting",
            "meeting_title",
            "unit",
            "unit_name",
            "title",
            "order",
            "filed_on",
            "state",
            "state_label",
        ]

    def get_unit_name(self, obj) -> str:
        return obj.unit.display_name if obj.unit_id else ""

    def get_meeting_title(self, obj) -> str:
        return obj.meeting.title


class TopicDetailSerializer(AllowedActionsMixin, TopicSerializer):
    class Meta(TopicSerializer.Meta):
        fields = [
            *TopicSerializer.Meta.fields,
            "summary",
            "submission",
            "units_disagree",
            "agreement_text",
            "refusal_reason",
            "allowed_actions",
        ]


class MeetingLeaveSerializer(PlainModelSerializer):
    state_label = serializers.CharField(source="get_state_display", read_only=True)
    route_label = serializers.CharField(source="get_route_display", read_only=True)
    person = serializers.SerializerMethodField()
    meeting = serializers.SerializerMethodField()
    approver = serializers.SerializerMethodField()
    substitute_name = serializers.SerializerMethodField()

    class Meta:
        model = LeaveRequest
        fields = [
            "id",
            "invitation",
            "meeting",
            "person",
            "reason",
            "route",
            "route_label",
            "approver",
            "substitute_name",
            "state",
            "state_label",
            "decided_at",
            "created_at",
        ]

    def get_person(self, obj) -> str:
        return person(obj.invitation.person)

    def get_meeting(self, obj) -> int:
        return obj.invitation.meeting_id

    def get_approver(self, obj) -> str:
        return obj.approver_post.title if obj.approver_post_id else ""

    def get_substitute_name(self, obj) -> str:
        return person(obj.substitute) if obj.substitute_id else ""

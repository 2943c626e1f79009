"""会议: meetings and their topics (议题), and leave from a meeting (会议请假)."""

from __future__ import annotations

from rest_framework import serializers

from meetings.meeting.models import TOPIC_MINUTES_MAX, TOPIC_MINUTES_MIN, LeaveRequest, Meeting, MeetingKind, Topic
from meetings.meeting.permissions import can_read_leave_reason
from meetings.minutes.models import Decision, Minutes
from meetings.schedule.models import DistrictMeeting, MeetingPlan

from .common import PlainModelSerializer, person
from .documents import AllowedActionsMixin


class MeetingSerializer(PlainModelSerializer):
    kind_label = serializers.CharField(source="get_kind_display", read_only=True)
    state_label = serializers.CharField(read_only=True)  # the party group's agenda waits for the secretary
    chair = serializers.SerializerMethodField()
    start_time = serializers.SerializerMethodField(help_text="开始时间（HH:MM，北京时间）")

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

    def get_start_time(self, obj) -> str:
        # A wall-clock time without offset: JSON Schema's "time" format (RFC 3339) would demand one.
        return obj.start_time.strftime("%H:%M") if obj.start_time else ""


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
            "reporter",
            "duration_minutes",
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
    reason = serializers.SerializerMethodField(
        help_text="请假事由：仅区政府办公室、请假人本人、会议主持人和审批人可见，其他人为空（第五十八条）"
    )

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

    def get_reason(self, obj) -> str:
        """MTG-9: the attendance page's rule (`can_read_leave_reason`); no request, no reason."""
        request = self.context.get("request")
        user = getattr(request, "user", None)
        return obj.reason if user is not None and can_read_leave_reason(user, obj) else ""


class DecisionSerializer(PlainModelSerializer):
    kind_label = serializers.CharField(source="get_kind_display", read_only=True)

    class Meta:
        model = Decision
        fields = ["id", "order", "topic", "kind", "kind_label", "text", "confidential", "due", "published_on"]


class MinutesSerializer(PlainModelSerializer):
    """会议纪要 with the decisions the user may read (MTG-12: a confidential decision only for its readers)."""

    state_label = serializers.CharField(source="get_state_display", read_only=True)
    drafted_by = serializers.SerializerMethodField()
    decisions = serializers.SerializerMethodField()
    allowed_actions = serializers.SerializerMethodField(help_text="纪要页面的操作（由服务逐项再核）")

    class Meta:
        model = Minutes
        fields = [
            "id",
            "meeting",
            "number",
            "state",
            "state_label",
            "body",
            "drafted_by",
            "signed_at",
            "decisions",
            "allowed_actions",
        ]

    def get_drafted_by(self, obj) -> str:
        return person(obj.drafted_by) if obj.drafted_by_id else ""

    def get_decisions(self, obj) -> list[dict]:
        return DecisionSerializer(self.context.get("decisions", []), many=True).data

    def get_allowed_actions(self, obj) -> list[str]:
        return list(self.context.get("allowed", []))


class MeetingPlanSerializer(PlainModelSerializer):
    state_label = serializers.CharField(source="get_state_display", read_only=True)

    class Meta:
        model = MeetingPlan
        fields = ["id", "year", "state", "state_label"]


class DistrictMeetingSerializer(PlainModelSerializer):
    state_label = serializers.CharField(source="get_state_display", read_only=True)
    sponsorship_label = serializers.CharField(source="get_sponsorship_display", read_only=True)
    unit_name = serializers.SerializerMethodField()

    class Meta:
        model = DistrictMeeting
        fields = [
            "id",
            "year",
            "name",
            "sponsorship",
            "sponsorship_label",
            "unit",
            "unit_name",
            "month",
            "planned",
            "reason",
            "state",
            "state_label",
        ]

    def get_unit_name(self, obj) -> str:
        return obj.unit.display_name if obj.unit_id else ""


class DistrictMeetingDetailSerializer(AllowedActionsMixin, DistrictMeetingSerializer):
    class Meta(DistrictMeetingSerializer.Meta):
        fields = [*DistrictMeetingSerializer.Meta.fields, "invites_township_heads", "allowed_actions"]


class TopicInputSerializer(serializers.Serializer):
    """申报议题 (the topic form of the meeting page)."""

    unit = serializers.IntegerField(help_text="汇报单位 id")
    submission = serializers.IntegerField(required=False, help_text="提请会议研究的请示 id（常务、全体、党组会议必填）")
    title = serializers.CharField(max_length=200)
    summary = serializers.CharField(required=False)
    related_units = serializers.ListField(child=serializers.IntegerField(), required=False)
    units_disagree = serializers.BooleanField(required=False)
    reporter = serializers.CharField(max_length=50, required=False, help_text="汇报人")
    duration_minutes = serializers.IntegerField(
        min_value=TOPIC_MINUTES_MIN, max_value=TOPIC_MINUTES_MAX, required=False, help_text="汇报时长（分钟）"
    )


class PlanPageSerializer(serializers.Serializer):
    year = serializers.IntegerField()
    plan = MeetingPlanSerializer(allow_null=True, help_text="尚未编制时为 null")
    meetings = DistrictMeetingSerializer(many=True)
    allowed_actions = serializers.ListField(child=serializers.CharField())


class MeetingInputSerializer(serializers.Serializer):
    """安排会议 (the page's form): an ad hoc plenary / party group / executive meeting, or a special-topic meeting."""

    kind = serializers.ChoiceField(choices=MeetingKind.choices)
    date = serializers.DateField()
    reason = serializers.CharField(max_length=300, help_text="召开事由")
    title = serializers.CharField(max_length=200, required=False, help_text="专题会议必填")
    chair_post = serializers.IntegerField(required=False, help_text="主持人职务 id（专题会议）")
    lead_unit = serializers.IntegerField(required=False, help_text="牵头部门 id（专题会议）")
    coordinates_topic = serializers.IntegerField(required=False, help_text="协调的议题 id（专题会议，可选）")


class GenerateYearInputSerializer(serializers.Serializer):
    year = serializers.IntegerField(min_value=2000, max_value=2100)
    confirm = serializers.BooleanField(help_text="须为 true")


class DistrictMeetingInputSerializer(serializers.Serializer):
    """全区性会议 (the plan page's form)."""

    name = serializers.CharField(max_length=200, help_text="铁西区…会议（区政府召开）或 全区…会议（以区政府名义）")
    sponsorship = serializers.ChoiceField(choices=DistrictMeeting.Sponsorship.choices)
    unit = serializers.IntegerField(help_text="承办部门 id")
    month = serializers.IntegerField(min_value=1, max_value=12, required=False)
    invites_township_heads = serializers.BooleanField(required=False)
    reason = serializers.CharField(max_length=300, required=False, help_text="计划外会议必填")

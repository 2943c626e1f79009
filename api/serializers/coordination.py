"""议事协调: the register of bodies (议事协调机构) and leaders' leave and travel (外出请假)."""

from __future__ import annotations

from rest_framework import serializers

from coordination.absence.models import AbsenceRequest
from coordination.register.models import Body

from .common import PlainModelSerializer, person
from .documents import AllowedActionsMixin


class BodySerializer(PlainModelSerializer):
    status_label = serializers.CharField(source="get_status_display", read_only=True)
    host_unit_name = serializers.SerializerMethodField()

    class Meta:
        model = Body
        fields = [
            "id",
            "name",
            "status",
            "status_label",
            "host_unit",
            "host_unit_name",
            "office_name",
            "founding_document",
            "founded_on",
            "phase_end",
            "ended_on",
        ]

    def get_host_unit_name(self, obj) -> str:
        return obj.host_unit.display_name if obj.host_unit_id else ""


class BodyDetailSerializer(BodySerializer):
    class Meta(BodySerializer.Meta):
        fields = [*BodySerializer.Meta.fields, "functions", "counterpart_name", "last_activity_on"]


class AbsenceSerializer(PlainModelSerializer):
    kind_label = serializers.CharField(source="get_kind_display", read_only=True)
    state_label = serializers.CharField(source="get_state_display", read_only=True)
    person = serializers.SerializerMethodField()
    post_title = serializers.SerializerMethodField()
    acting_post_title = serializers.SerializerMethodField()
    approver_post_title = serializers.SerializerMethodField()

    class Meta:
        model = AbsenceRequest
        fields = [
            "id",
            "kind",
            "kind_label",
            "person",
            "post",
            "post_title",
            "start",
            "end",
            "place",
            "purpose",
            "acting_post",
            "acting_post_title",
            "approver_post_title",
            "state",
            "state_label",
            "returned_on",
            "created_at",
        ]

    def get_person(self, obj) -> str:
        return person(obj.person)

    def get_post_title(self, obj) -> str:
        return obj.post.title if obj.post_id else ""

    def get_acting_post_title(self, obj) -> str:
        return obj.acting_post.title if obj.acting_post_id else ""

    def get_approver_post_title(self, obj) -> str:
        return obj.approver_post.title if obj.approver_post_id else ""


class AbsenceDetailSerializer(AllowedActionsMixin, AbsenceSerializer):
    class Meta(AbsenceSerializer.Meta):
        fields = [
            *AbsenceSerializer.Meta.fields,
            "contact",
            "decision_opinion",
            "decided_at",
            "return_report",
            "allowed_actions",
        ]


class AbsenceInputSerializer(serializers.Serializer):
    """请假报告 (the page's form): the post, dates, place, purpose, contact, the acting post."""

    post = serializers.IntegerField(help_text="请假职务（本人所任职务的 id）")
    start = serializers.DateField()
    end = serializers.DateField()
    place = serializers.CharField(max_length=120)
    purpose = serializers.CharField(max_length=200)
    contact = serializers.CharField(max_length=60)
    acting_post = serializers.IntegerField(required=False, allow_null=True)
    national_or_provincial_meeting = serializers.BooleanField(required=False)

"""议事协调: the register of bodies (议事协调机构) and leaders' leave and travel (外出请假)."""

from __future__ import annotations

from rest_framework import serializers

from coordination.absence.models import AbsenceRequest
from coordination.register.models import Application, Body
from coordination.upkeep.models import Adjustment, AnnualTargets, ReviewEntry, ReviewRound, Target

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


class ApplicationSerializer(PlainModelSerializer):
    """申请 (CRD-1, CRD-2): setting up, adjusting, merging or abolishing a body."""

    kind_label = serializers.CharField(source="get_kind_display", read_only=True)
    state_label = serializers.CharField(source="get_state_display", read_only=True)
    applicant_unit_name = serializers.SerializerMethodField()
    body_name = serializers.SerializerMethodField()

    class Meta:
        model = Application
        fields = [
            "id",
            "kind",
            "kind_label",
            "applicant_unit",
            "applicant_unit_name",
            "body",
            "body_name",
            "merge_into",
            "state",
            "state_label",
            "created_at",
            "decided_at",
        ]

    def get_applicant_unit_name(self, obj) -> str:
        return obj.applicant_unit.display_name if obj.applicant_unit_id else ""

    def get_body_name(self, obj) -> str:
        return obj.body.name if obj.body_id else str((obj.proposal or {}).get("name", ""))


class ApplicationDetailSerializer(AllowedActionsMixin, ApplicationSerializer):
    class Meta(ApplicationSerializer.Meta):
        fields = [
            *ApplicationSerializer.Meta.fields,
            "reason",
            "proposal",
            "office_opinion",
            "deputy_opinion",
            "head_opinion",
            "allowed_actions",
        ]


class ApplicationInputSerializer(serializers.Serializer):
    """The application form (申请设立、调整、合并、撤销): its fields depend on `kind`; see the page."""

    kind = serializers.ChoiceField(choices=Application.Kind.choices)
    applicant_unit = serializers.IntegerField()
    body = serializers.IntegerField(required=False, help_text="调整、合并、撤销的机构 id")
    name = serializers.CharField(required=False)
    reason = serializers.CharField()
    do = serializers.ChoiceField(choices=[("submit", "提交"), ("draft", "只保存草稿")], required=False)


class ReviewRoundSerializer(PlainModelSerializer):
    """清理评估 (CRD-4) with its counts."""

    n_entries = serializers.IntegerField(read_only=True)
    n_pending = serializers.IntegerField(read_only=True)

    class Meta:
        model = ReviewRound
        fields = ["id", "title", "opened_on", "closed_on", "n_entries", "n_pending"]


class ReviewEntrySerializer(PlainModelSerializer):
    decision_label = serializers.CharField(source="get_decision_display", read_only=True)
    body_name = serializers.SerializerMethodField()

    class Meta:
        model = ReviewEntry
        fields = [
            "id",
            "body",
            "body_name",
            "suggestions",
            "grounds",
            "decision",
            "decision_label",
            "merge_into",
            "note",
        ]

    def get_body_name(self, obj) -> str:
        return obj.body.name


class ReviewRoundDetailSerializer(AllowedActionsMixin, ReviewRoundSerializer):
    entries = serializers.SerializerMethodField()

    class Meta(ReviewRoundSerializer.Meta):
        fields = [*ReviewRoundSerializer.Meta.fields, "entries", "allowed_actions"]

    def get_entries(self, obj) -> list[dict]:
        return ReviewEntrySerializer(self.context.get("entries", []), many=True).data


class TargetSerializer(PlainModelSerializer):
    class Meta:
        model = Target
        fields = ["id", "text", "done", "note", "follow_up"]


class AnnualTargetsSerializer(PlainModelSerializer):
    """年度目标 (CRD-5)."""

    state_label = serializers.CharField(source="get_state_display", read_only=True)
    body_name = serializers.SerializerMethodField()

    class Meta:
        model = AnnualTargets
        fields = ["id", "body", "body_name", "year", "due", "state", "state_label", "filed_on", "reviewed_on"]

    def get_body_name(self, obj) -> str:
        return obj.body.name


class AnnualTargetsDetailSerializer(AllowedActionsMixin, AnnualTargetsSerializer):
    items = serializers.SerializerMethodField()

    class Meta(AnnualTargetsSerializer.Meta):
        fields = [
            *AnnualTargetsSerializer.Meta.fields,
            "reported_to_head_on",
            "review_note",
            "items",
            "allowed_actions",
        ]

    def get_items(self, obj) -> list[dict]:
        return TargetSerializer(self.context.get("items", []), many=True).data


class ResearchRowSerializer(serializers.Serializer):
    """One district leader's research year (RES-1)."""

    person = serializers.IntegerField(source="person.pk")
    name = serializers.CharField(source="person.display_name")
    days = serializers.IntegerField()
    mon_to_wed = serializers.IntegerField()
    shortfalls = serializers.ListField(child=serializers.CharField())
    topics = serializers.SerializerMethodField()

    def get_topics(self, row) -> list[dict]:
        return [{"id": t.pk, "title": t.title, "report_filed_on": t.report_filed_on} for t in row.topics]


class AffectedBodySerializer(serializers.Serializer):
    body = serializers.IntegerField(source="body.pk")
    body_name = serializers.CharField(source="body.name")
    role = serializers.CharField(help_text="该职务在机构中的职务（组长、副组长…）")
    since = serializers.DateField(help_text="上次调整（或设立）日期")
    self_adjusts = serializers.BooleanField(help_text="部门负责人任主要负责人：由机构办公室自行发文调整")


class LeaderChangeSerializer(serializers.Serializer):
    """领导变动 (CRD-3): a post heading bodies whose holder changed, and the bodies this user may adjust now."""

    post = serializers.IntegerField(source="post.pk")
    post_title = serializers.CharField(source="post.title")
    changed_on = serializers.DateField()
    previous_holder = serializers.SerializerMethodField()
    new_holder = serializers.SerializerMethodField()
    bodies = AffectedBodySerializer(many=True)
    actionable_bodies = serializers.SerializerMethodField(help_text="本人可调整的机构 id（与页面可勾选的相同）")
    kinds = serializers.SerializerMethodField(help_text="本人可选的调整方式")

    def get_previous_holder(self, obj) -> str:
        return person(obj.previous_holder)

    def get_new_holder(self, obj) -> str:
        return person(obj.new_holder)

    def get_actionable_bodies(self, obj) -> list[int]:
        rows = obj.office_bodies if self.context.get("office") else obj.self_bodies
        return [a.body.pk for a in rows]

    def get_kinds(self, obj) -> list[str]:
        return list(self.context.get("kinds", []))


class AdjustmentSerializer(PlainModelSerializer):
    """机构调整记录 (CRD-3)."""

    kind_label = serializers.CharField(source="get_kind_display", read_only=True)
    post_title = serializers.SerializerMethodField()
    bodies = serializers.SerializerMethodField()
    by = serializers.SerializerMethodField()
    informed_deputy_post_title = serializers.SerializerMethodField()

    class Meta:
        model = Adjustment
        fields = [
            "id",
            "kind",
            "kind_label",
            "post",
            "post_title",
            "previous_holder",
            "new_holder",
            "bodies",
            "document_number",
            "note",
            "informed_deputy_post_title",
            "by",
            "on",
        ]

    def get_post_title(self, obj) -> str:
        return obj.post.title if obj.post_id else ""

    def get_bodies(self, obj) -> list[dict]:
        return [{"id": b.pk, "name": b.name} for b in obj.bodies.all()]

    def get_by(self, obj) -> str:
        return person(obj.by)

    def get_informed_deputy_post_title(self, obj) -> str:
        return obj.informed_deputy_post.title if obj.informed_deputy_post_id else ""


class AdjustInputSerializer(serializers.Serializer):
    """The leader-changes page's form (CRD-3); kind=members_filed files a body's member changes instead."""

    kind = serializers.ChoiceField(choices=Adjustment.Kind.choices)
    post = serializers.IntegerField(required=False, help_text="变动职务 id（成员调整备案不填）")
    bodies = serializers.ListField(child=serializers.IntegerField(), required=False, help_text="涉及机构 id")
    body = serializers.IntegerField(required=False, help_text="成员调整备案的机构 id")
    document_number = serializers.CharField(max_length=80)
    new_post = serializers.IntegerField(required=False, help_text="改由职务担任（可空）")
    note = serializers.CharField(required=False)
    confirm = serializers.BooleanField(help_text="须为 true")

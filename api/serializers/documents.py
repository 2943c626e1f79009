"""公文: units' submissions (flow A) and outgoing documents (flow B)."""

from __future__ import annotations

from rest_framework import serializers

from documents.outgoing.models import DocumentPlan, OneOffApproval, OutgoingDocument, PlanItem
from documents.shared.forms import MAX_COPIES
from documents.submissions.models import ConsultationRequest, DisagreementStatement, Submission, Urgency

from .common import PlainModelSerializer, person


class AllowedActionsMixin(serializers.Serializer):
    allowed_actions = serializers.SerializerMethodField(help_text="当前可办理的操作（与页面显示的按钮相同）")

    def get_allowed_actions(self, obj) -> list[str]:
        return list(self.context.get("allowed", []))


class SubmissionSerializer(PlainModelSerializer):
    unit_name = serializers.SerializerMethodField()
    kind_label = serializers.CharField(source="get_kind_display", read_only=True)
    state_label = serializers.CharField(source="get_state_display", read_only=True)
    urgency_label = serializers.CharField(source="get_urgency_display", read_only=True)
    drafted_by = serializers.SerializerMethodField()
    receipt_number = serializers.SerializerMethodField(help_text="收文编号（登记后）")

    class Meta:
        model = Submission
        fields = [
            "id",
            "kind",
            "kind_label",
            "title",
            "unit",
            "unit_name",
            "unit_doc_number",
            "urgency",
            "urgency_label",
            "state",
            "state_label",
            "confidential",
            "drafted_by",
            "issue_date",
            "submitted_at",
            "receipt_number",
            "created_at",
            "updated_at",
        ]

    def get_unit_name(self, obj) -> str:
        return obj.unit.display_name if obj.unit_id else ""

    def get_drafted_by(self, obj) -> str:
        return person(obj.drafted_by) if obj.drafted_by_id else ""

    def get_receipt_number(self, obj) -> str:
        return obj.current_slip.number if obj.current_slip_id else ""


class ConsultationSerializer(PlainModelSerializer):
    """征求意见 as the item page lists it; its id is the `consultation` of 回复意见 (reply) and 登记商定延期
    (extension)."""

    unit_name = serializers.SerializerMethodField()
    state_label = serializers.CharField(source="get_state_display", read_only=True)
    reply_label = serializers.CharField(source="get_reply_display", read_only=True)

    class Meta:
        model = ConsultationRequest
        fields = ["id", "unit", "unit_name", "state", "state_label", "due", "extended_due", "reply", "reply_label"]

    def get_unit_name(self, obj) -> str:
        return obj.unit.display_name


class StatementSerializer(PlainModelSerializer):
    """分歧意见说明; its id is the `statement` of 会签分歧意见说明 (countersign)."""

    class Meta:
        model = DisagreementStatement
        fields = ["id", "created_at"]


class SubmissionDetailSerializer(AllowedActionsMixin, SubmissionSerializer):
    consultations = ConsultationSerializer(many=True, read_only=True)
    disagreement_statements = StatementSerializer(many=True, read_only=True, help_text="新的在前")

    class Meta(SubmissionSerializer.Meta):
        fields = [
            *SubmissionSerializer.Meta.fields,
            "body",
            "copies",
            "addressee",
            "disclosure",
            "decision_needed_by",
            "return_reason",
            "return_text",
            "consultations",
            "disagreement_statements",
            "allowed_actions",
        ]


class OutgoingSerializer(PlainModelSerializer):
    drafting_unit_name = serializers.SerializerMethodField()
    kind_label = serializers.CharField(source="get_kind_display", read_only=True)
    issuer_label = serializers.CharField(source="get_issuer_display", read_only=True)
    state_label = serializers.CharField(source="get_state_display", read_only=True)
    drafted_by = serializers.SerializerMethodField()
    signed_by = serializers.SerializerMethodField()

    class Meta:
        model = OutgoingDocument
        fields = [
            "id",
            "issuer",
            "issuer_label",
            "kind",
            "kind_label",
            "title",
            "number",
            "drafting_unit",
            "drafting_unit_name",
            "drafted_by",
            "state",
            "state_label",
            "confidential",
            "signed_by",
            "signed_on",
            "issued_on",
            "created_at",
            "updated_at",
        ]

    def get_drafting_unit_name(self, obj) -> str:
        return obj.drafting_unit.display_name if obj.drafting_unit_id else ""

    def get_drafted_by(self, obj) -> str:
        return person(obj.drafted_by) if obj.drafted_by_id else ""

    def get_signed_by(self, obj) -> str:
        return person(obj.signed_by) if obj.signed_by_id else ""


class OneOffSerializer(PlainModelSerializer):
    """计划外发文申请; its id is the `approval` of 审核计划外发文 (decide_one_off)."""

    state_label = serializers.CharField(source="get_state_display", read_only=True)

    class Meta:
        model = OneOffApproval
        fields = ["id", "matter", "state", "state_label", "requested_at"]


class OutgoingDetailSerializer(AllowedActionsMixin, OutgoingSerializer):
    one_off_approvals = OneOffSerializer(many=True, read_only=True)

    class Meta(OutgoingSerializer.Meta):
        fields = [
            *OutgoingSerializer.Meta.fields,
            "body",
            "main_recipients",
            "copy_to",
            "copies",
            "disclosure",
            "check_opinion",
            "sign_opinion",
            "return_reason",
            "return_text",
            "one_off_approvals",
            "allowed_actions",
        ]


class SubmissionInputSerializer(serializers.Serializer):
    """The drafting form's fields (起草上报公文; the page's conditional requirements apply): the main ones here."""

    kind = serializers.CharField(help_text="文种代码（request 请示、report 报告 …）")
    title = serializers.CharField(max_length=200)
    body = serializers.CharField(required=False)
    # Left out: the page's prefilled value (api.actions.with_defaults; on edit, the draft's own).
    urgency = serializers.ChoiceField(choices=Urgency.choices, default=Urgency.NORMAL, help_text="紧急程度")
    copies = serializers.IntegerField(min_value=1, max_value=MAX_COPIES, default=1, help_text="份数")
    disclosure = serializers.CharField(required=False)
    disclosure_manner = serializers.CharField(required=False)
    not_classified = serializers.BooleanField(help_text="本件不涉及国家秘密（必须声明）")
    touched_units = serializers.ListField(child=serializers.IntegerField(), required=False)
    files = serializers.ListField(child=serializers.FileField(), required=False, help_text="附件（multipart）")


class OutgoingInputSerializer(serializers.Serializer):
    """The outgoing draft sheet's fields (发文稿纸): the main ones here."""

    kind = serializers.CharField(help_text="发文类别代码")
    title = serializers.CharField(max_length=200)
    main_recipients = serializers.CharField(required=False)
    copy_to = serializers.CharField(required=False)
    body = serializers.CharField(required=False)
    disclosure = serializers.CharField(required=False)
    copies = serializers.IntegerField(min_value=1, max_value=MAX_COPIES, default=1, help_text="印制份数")
    not_classified = serializers.BooleanField()
    countersign_units = serializers.ListField(child=serializers.IntegerField(), required=False)
    files = serializers.ListField(child=serializers.FileField(), required=False, help_text="附件（multipart）")


class PlanItemSerializer(PlainModelSerializer):
    drafting_unit_name = serializers.SerializerMethodField()

    class Meta:
        model = PlanItem
        fields = ["id", "title", "drafting_unit", "drafting_unit_name", "planned_month", "note"]

    def get_drafting_unit_name(self, obj) -> str:
        return obj.drafting_unit.display_name if obj.drafting_unit_id else ""


class DocumentPlanSerializer(PlainModelSerializer):
    """年度发文计划 (DOC-15) with its matters."""

    issuer_label = serializers.CharField(source="get_issuer_display", read_only=True)
    unit_name = serializers.SerializerMethodField()
    items = PlanItemSerializer(many=True, read_only=True)

    class Meta:
        model = DocumentPlan
        fields = ["id", "issuer", "issuer_label", "unit", "unit_name", "year", "items"]

    def get_unit_name(self, obj) -> str:
        return obj.unit.display_name if obj.unit_id else ""


class UnitPlanSummarySerializer(PlainModelSerializer):
    unit_name = serializers.SerializerMethodField()
    item_count = serializers.IntegerField(read_only=True)

    class Meta:
        model = DocumentPlan
        fields = ["id", "unit", "unit_name", "year", "item_count"]

    def get_unit_name(self, obj) -> str:
        return obj.unit.display_name if obj.unit_id else ""


class OfficePlansSerializer(serializers.Serializer):
    year = serializers.IntegerField()
    plans = DocumentPlanSerializer(many=True, help_text="区政府、区政府办公室的年度发文计划")
    unit_plans = UnitPlanSummarySerializer(many=True, help_text="各部门的年度发文计划")


class UnitPlanPageSerializer(serializers.Serializer):
    unit = serializers.IntegerField()
    year = serializers.IntegerField()
    plan = DocumentPlanSerializer(allow_null=True, help_text="尚未编制时为 null")
    allowed_actions = serializers.ListField(child=serializers.CharField())

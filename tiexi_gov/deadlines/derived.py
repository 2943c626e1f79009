"""Every date the working-day clock computes that a model stores beside its Deadline (CAL-2: one source).

A page reads the stored field, the sweep and 我的待办 read the Deadline row: both must say the same day. So every
such field is listed here, with the Deadline row that carries the same date, and `services.recompute_for_years`
rewrites the field in the same transaction as the row when a year's calendar is entered.

- `compute` empty: the row counts `workdays` from `counted_from`; the field takes the row's recomputed due.
- `compute` set ("module.function", called with (obj, deadline)): the row has a fixed due that the domain derives
  from other clock dates (a leader's limit from the slip's, a report day moved off a holiday); the function gives
  the new day and both the field and the row take it. Entries run in order, so a later one may read an earlier
  one's new value (LeaderAssignment.due reads ProcessingSlip.approval_due).

A new DateField named like a due date must be listed here or in NOT_DERIVED with the reason
(tests/deadlines/test_deadlines_one_source.py scans the models).
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import cached_property

from django.apps import apps
from django.utils.module_loading import import_string


@dataclass(frozen=True)
class DerivedDate:
    model: str  # "app_label.ModelName"
    field: str
    rule_id: str  # the rule of the Deadline row carrying the same date
    label: str
    subject: str = ""  # FK from the object to the Deadline's subject; "" = the object is the subject
    counted_from: str = ""  # the object's field equal to the row's counted_from ("" = any row of the subject)
    compute: str = ""  # "module.function"(obj, deadline) -> date, for rows with a fixed due

    @cached_property
    def model_class(self):
        return apps.get_model(self.model)

    @cached_property
    def subject_model(self):
        if not self.subject:
            return self.model_class
        return self.model_class._meta.get_field(self.subject).related_model

    @property
    def subject_attname(self) -> str:
        return self.model_class._meta.get_field(self.subject).attname if self.subject else "pk"

    def function(self):
        return import_string(self.compute) if self.compute else None

    def objects_for(self, deadline):
        """The stored rows this Deadline row carries the date of (usually one)."""
        qs = self.model_class._default_manager.filter(**{self.subject_attname: deadline.subject_id})
        if self.counted_from:
            qs = qs.filter(**{self.counted_from: deadline.counted_from})
        return qs

    def __str__(self) -> str:
        return f"{self.model}.{self.field}"


REGISTRY: tuple[DerivedDate, ...] = (
    DerivedDate(
        "documents.ProcessingSlip",
        "approval_due",
        "DOC-13",
        "公文处理单审批截止日：登记日起按紧急程度计工作日（第六十二条）",
        subject="submission",
        counted_from="registered_on",
    ),
    DerivedDate(
        "documents.LeaderAssignment",
        "due",
        "DOC-13",
        "领导签批截止日：不晚于处理单审批截止日，特急重要件呈送后1个工作日",
        compute="documents.submissions.services.recompute_assignment_due",
    ),
    DerivedDate(
        "documents.ConsultationRequest",
        "due",
        "DOC-7",
        "征求意见回复截止日：发起日起计工作日（第六十条）",
        counted_from="requested_on",
    ),
    DerivedDate(
        "supervision.PublicInquiry",
        "due",
        "PUB-1",
        "网上咨询答复时限：收到之日起5个工作日",
        counted_from="received_on",
    ),
    DerivedDate(
        "supervision.SupervisionItem",
        "next_report_due",
        "SUP-2",
        "下次进展报告截止：按报告周期，遇节假日顺延至工作日",
        compute="supervision.ledger.services.recompute_report_due",
    ),
    DerivedDate(
        "supervision.HalfYearReport",
        "due",
        "SUP-2",
        "半年工作报告报送截止：半年结束后计工作日（办公室另定日期的不变）",
    ),
    DerivedDate(
        "coordination.AnnualTargets",
        "due",
        "CRD-5",
        "年度工作目标报送截止：1月1日起计工作日（办公室另定日期的不变）",
    ),
)

# DateFields named like a clock date that a person enters (or a fact records), not the clock: never recomputed.
NOT_DERIVED: dict[str, str] = {
    "documents.ConsultationRequest.extended_due": "主办单位与被征求意见单位商定的日期",
    "documents.Submission.decision_needed_by": "来文单位填写的需决策日期",
    "supervision.SupervisionItem.due": "交办时确定的完成时限",
    "meetings.Decision.due": "会议决定的完成时限",
    "deadlines.Deadline.due": "时限本身（重算的对象）",
    "deadlines.Deadline.remind_on": "时限本身（与截止日一并重算）",
}


def entries() -> tuple[DerivedDate, ...]:
    return REGISTRY


def for_rule(subject_model, rule_id: str) -> list[DerivedDate]:
    """The entries whose Deadline rows are `subject_model`'s under `rule_id`, in registry order."""
    return [e for e in REGISTRY if e.rule_id == rule_id and e.subject_model is subject_model]

"""Every rule a submission must meet before it leaves the unit, each tied to the field that fixes it.

Checked three times with the same code: when the draft is saved (listed on the item page, nothing refused), before
送签 (refused, all together) and at 报送 (refused, all together). Checking only at 报送, one rule at a time, sent one
请示 through four rounds of withdraw-and-re-sign: the unit head had already signed before the office's rules spoke.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from documents.shared.choices import REASON_REQUIRED_URGENCIES, Disclosure, Urgency
from documents.shared.normative import normative_violations
from tiexi_gov.deadlines import rules
from tiexi_gov.org.models import Unit
from tiexi_gov.workdays import calendar as wd
from tiexi_gov.workflow.errors import RuleViolation

from .models import DECISION_LEAD_WORKDAYS, Addressee, Submission, SubmissionKind

SUBMITTING_UNIT_KINDS = (
    Unit.Kind.DEPARTMENT,
    Unit.Kind.AFFILIATED,
    Unit.Kind.INSTITUTION,
    Unit.Kind.TOWNSHIP,
    Unit.Kind.STREET,
)
# DOC-6 (第六十条): the units whose 职权 a request may touch, and so whose opinion it may ask. Not the district
# government itself (the request goes to it; nobody replies for it) nor the bodies outside it.
NOT_CONSULTED_KINDS = (Unit.Kind.GOVERNMENT, Unit.Kind.EXTERNAL)


def consultable_units(submission: Submission | None = None):
    """The active units a request may consult (DOC-6), without the requesting unit itself."""
    units = Unit.objects.filter(active=True).exclude(kind__in=NOT_CONSULTED_KINDS)
    return units.exclude(pk=submission.unit_id) if submission is not None else units


SECRECY_ARTICLE = "第七十四条"  # 严格遵守保密纪律…严禁泄露国家秘密: why a classified document stays out of the portal


@dataclass(frozen=True)
class Problem:
    """One unmet rule: its ID (for code and tests), the message people read, and the form field that fixes it
    ("" when it is fixed elsewhere: the normative checklist or the consultation on the item page)."""

    rule_id: str
    message: str
    field: str = ""
    # The article to cite when the rule's own is none: a cross-cutting rule applied by one article (X-2's
    # 国家秘密 declaration is 第七十四条's 保密纪律; the catalogue's 通则（贯穿全文） is no article to read).
    article: str = ""

    def violation(self) -> RuleViolation:
        return RuleViolation(self.rule_id, f"{self.message}（{self.article}）" if self.article else self.message)

    @classmethod
    def of(cls, violation: RuleViolation) -> Problem:
        """A refusal's rule as a problem to list. The refusal's message already ends with its article, and the item
        page cites the article after each problem: without this the drafter read "…（第六十条）（第六十条）"."""
        message = violation.message
        suffix = f"（{rules.describe(violation.rule_id).article}）"
        if message.endswith(suffix):
            message = message[: -len(suffix)]
        return cls(violation.rule_id, message)


def decision_time_shortfall(sub: Submission, day: dt.date, counted_from: str) -> str:
    """DOC-10: the decision date leaves the government at least 10 WD (一般) / 5 WD (加急) counted from `day`
    (the submission day when the unit sends it, the registration day when the office registers it).
    Returns what is wrong, or "" when the time is left."""
    lead = DECISION_LEAD_WORKDAYS.get(Urgency(sub.urgency))
    if sub.decision_needed_by is None or lead is None:
        return ""
    earliest = wd.add_workdays(day, lead)
    if earliest <= sub.decision_needed_by:
        return ""
    left = max(wd.workdays_between(day, sub.decision_needed_by), 0)
    return (
        f"{sub.get_urgency_display()}事项应给区政府预留不少于{lead}个工作日的研究决策时间"
        f"（自{counted_from}{day}起算仅余{left}个工作日，需决策日期{sub.decision_needed_by}，最早应为{earliest}）"
    )


def _addressing(sub: Submission) -> list[Problem]:
    """DOC-1: through the office, to one addressee, from a unit that may submit."""
    out = []
    if sub.unit.kind not in SUBMITTING_UNIT_KINDS:
        out.append(Problem("DOC-1", "只有乡、街道和区政府各部门可以向区政府报送公文"))
    if sub.other_addressees.strip():
        out.append(Problem("DOC-1", "不得多头报文、越级行文：请删除同时报送的其他机关"))
    if sub.addressee == Addressee.LEADER and not (sub.leader_assigned or sub.confidential):
        out.append(
            Problem(
                "DOC-1",
                "除区政府领导交办事项和确属保密性质的事项外，不得直接向领导个人报文，须由区政府办公室统一办理",
            )
        )
    return out


SUBMIT_WITHIN_WORKDAYS = 3  # DOC-3: reported within 3 WD of issue (印发)


def submit_by(sub: Submission) -> dt.date | None:
    """The last day to report a signed submission without a reason (DOC-3), or None before it has an issue date."""
    return wd.add_workdays(sub.issue_date, SUBMIT_WITHIN_WORKDAYS) if sub.issue_date else None


def is_late(sub: Submission, day: dt.date) -> bool:
    """Reported on `day`, the submission would be past DOC-3's 3 WD: it needs the written reason (第六十条)."""
    return sub.issue_date is not None and wd.workdays_between(sub.issue_date, day) > SUBMIT_WITHIN_WORKDAYS


def _issue_date(sub: Submission, day: dt.date, *, at_submission: bool) -> list[Problem]:
    """DOC-3: reported within 3 WD of issue. Before signature the date may still be empty (签发 sets it)."""
    if sub.issue_date is None:
        return [Problem("DOC-3", "请填写印发日期", "issue_date")] if at_submission else []
    if sub.issue_date > day:
        return [Problem("DOC-3", "印发日期不能晚于报送日", "issue_date")] if at_submission else []
    if is_late(sub, day) and not sub.late_reason.strip():
        deadline = submit_by(sub)
        return [
            Problem(
                "DOC-3",
                f"公文应在印发后3个工作日内报送（印发日期{sub.issue_date}，最迟{deadline}）；"
                "确有特殊情况的，请填写特殊情况说明",
                "late_reason",
            )
        ]
    return []


def _content(sub: Submission, day: dt.date) -> list[Problem]:
    """DOC-5, DOC-4, DOC-10, DOC-17 and the declaration that nothing classified goes through the portal."""
    out = []
    if sub.kind == SubmissionKind.REQUEST and not sub.declares_one_matter:
        out.append(Problem("DOC-5", "请示应当一文一事，请确认并勾选“本请示一文一事”", "declares_one_matter"))
    if sub.kind == SubmissionKind.REPORT and not sub.declares_report_has_no_request:
        out.append(
            Problem(
                "DOC-5", "报告不得夹带请示事项，请确认并勾选“本报告不夹带请示事项”", "declares_report_has_no_request"
            )
        )
    if sub.asks_gov_name_document:
        if not sub.field_check.strip():
            out.append(
                Problem("DOC-4", "申请以区政府或区政府办公室名义发文，须说明实地考察和情况核实情况", "field_check")
            )
        if sub.is_important and not sub.collective_decision.strip():
            out.append(
                Problem("DOC-4", "重要事项须经本单位党组会、局务会或办公会集体讨论，请写明会议", "collective_decision")
            )
        if sub.is_important and not sub.collective_minutes_id:
            out.append(Problem("DOC-4", "重要事项须附本单位集体讨论的会议纪要", "minutes"))
    if sub.kind == SubmissionKind.REQUEST and sub.decision_needed_by is None:
        out.append(Problem("DOC-10", "请示须写明需区政府决策的日期", "decision_needed_by"))
    shortfall = decision_time_shortfall(sub, day, "报送日")
    if shortfall:
        out.append(Problem("DOC-10", shortfall, "decision_needed_by"))
    if sub.urgency in REASON_REQUIRED_URGENCIES and not sub.is_emergency and not sub.urgency_reason.strip():
        out.append(Problem("DOC-10", "特别紧急事项（突发事件除外）应附加紧急原因说明", "urgency_reason"))
    if not sub.disclosure:
        out.append(Problem("DOC-17", "请明确公开属性：全文公开、部分公开或不予公开", "disclosure"))
    else:
        if sub.disclosure != Disclosure.FULL and not sub.disclosure_reason.strip():
            out.append(
                Problem("DOC-17", f"拟{sub.get_disclosure_display()}的，须依法依规说明理由", "disclosure_reason")
            )
        if sub.disclosure != Disclosure.NONE and not sub.disclosure_manner:
            out.append(Problem("DOC-17", "请明确公开方式：主动公开或依申请公开", "disclosure_manner"))
    if not sub.not_classified:
        out.append(
            Problem("X-2", "须声明“本件不涉及国家秘密”；涉密公文不得通过本系统报送", "not_classified", SECRECY_ARTICLE)
        )
    return out


def draft_problems(sub: Submission, day: dt.date) -> list[Problem]:
    """What the drafter must still settle before the draft goes to the unit head (送签): every problem the draft
    itself can show, counted as if it were sent today. Consultation (DOC-6/7) is listed separately by its panel."""
    problems = _addressing(sub) + _issue_date(sub, day, at_submission=False) + _content(sub, day)
    problems += [Problem.of(v) for v in normative_violations(sub)]
    return problems


def signature_problems(sub: Submission, day: dt.date) -> list[Problem]:
    """Before 送签: the draft's problems and the consultation still open or in dispute (DOC-6/DOC-7)."""
    return draft_problems(sub, day) + [Problem.of(v) for v in sub.consultation_violations()]


def submission_problems(sub: Submission, day: dt.date) -> list[Problem]:
    """At 报送 (DOC-1): everything above, plus the signature (DOC-2) and the issue date counted to the real day."""
    problems = _addressing(sub)
    if not sub.signed_by_id:  # the state machine already requires it; this guards data imported by hand
        problems.append(Problem("DOC-2", "公文尚未经主要负责人或经授权的分管负责人签发"))
    problems += _issue_date(sub, day, at_submission=True) + _content(sub, day)
    problems += [Problem.of(v) for v in normative_violations(sub)]
    problems += [Problem.of(v) for v in sub.consultation_violations()]
    return problems


def violations(problems: list[Problem]) -> list[RuleViolation]:
    return [p.violation() for p in problems]

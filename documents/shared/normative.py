"""DOC-8 (第六十条；第二十四条至第二十六条): the normative checklist's rules, for both flows."""

from __future__ import annotations

from documents.outgoing.models import OutgoingDocument
from documents.shared.models import BASE_NORMATIVE_STEPS, NormativeChecklistItem, NormativeStep
from documents.submissions.models import Submission
from tiexi_gov.workflow.errors import ActionRefused, RuleViolation


def needs_checklist(subject: Submission | OutgoingDocument) -> bool:
    """A normative document, or a "一事一议" specific policy measure (第六十条: 涉及市场主体经济活动的规范性文件以及
    "一事一议"形式的具体政策措施，须进行公平竞争审查), records its procedures on the checklist."""
    return subject.normative or subject.case_by_case_policy


def required_normative_steps(subject: Submission | OutgoingDocument) -> list[str]:
    """DOC-8 (第六十条): the five base procedures; fair competition review when it touches market activity or is a
    "一事一议" specific policy measure; interpretation material and a public-opinion response plan when it is to be
    published. A "一事一议" measure that is not a normative document owes the fair competition review alone."""
    if not subject.normative:
        return [NormativeStep.FAIR_COMPETITION] if subject.case_by_case_policy else []
    steps = list(BASE_NORMATIVE_STEPS)
    if subject.touches_market or subject.case_by_case_policy:
        steps.append(NormativeStep.FAIR_COMPETITION)
    if subject.will_be_published:
        steps += [NormativeStep.INTERPRETATION, NormativeStep.OPINION_PLAN]
    return steps


def checklist_row_is_complete(row: NormativeChecklistItem) -> bool:
    """Done with evidence (text or a file), or skipped with the stated reason (应说明具体理由)."""
    if row.status == NormativeChecklistItem.Status.DONE:
        return bool(row.evidence.strip() or row.evidence_file_id or row.evidence_attachment_id)
    return row.status == NormativeChecklistItem.Status.SKIPPED and bool(row.skip_reason.strip())


def normative_violations(subject: Submission | OutgoingDocument) -> list[RuleViolation]:
    """What DOC-8 still misses before a normative draft (or a request for one) may be sent on."""
    if not needs_checklist(subject):
        return []
    rows = {r.step: r for r in subject.checklist.all()}
    missing = [
        NormativeStep(s).label
        for s in required_normative_steps(subject)
        if s not in rows or not checklist_row_is_complete(rows[s])
    ]
    out = []
    if missing:
        what = "规范性文件" if subject.normative else "“一事一议”形式的具体政策措施"
        out.append(RuleViolation("DOC-8", f"{what}须履行{'、'.join(missing)}程序（或说明不履行的具体理由）后方可报送"))
    pp = rows.get(NormativeStep.PUBLIC_PARTICIPATION)
    # 第二十五条: 与人民群众利益密切相关的，除依法需要保密的外，都要公开征求意见.
    skipped = pp is not None and pp.status == NormativeChecklistItem.Status.SKIPPED
    if subject.affects_public and skipped and not subject.confidential:
        out.append(RuleViolation("DOC-8", "与人民群众利益密切相关的规范性文件，除依法需要保密的外须公开征求意见"))
    return out


def check_checklist_step(*, step: str, done: bool, evidence: str, reason: str, has_file: bool) -> str:
    """Refuse a step that is done without evidence or skipped without a reason; return the step's label."""
    if step not in NormativeStep.values:
        raise ActionRefused("请选择程序。")
    label = NormativeStep(step).label
    if done and not (evidence.strip() or has_file):
        raise RuleViolation("DOC-8", f"“{label}”已履行的，须写明履行情况或附证明材料")
    if not done and not reason.strip():
        raise RuleViolation("DOC-8", f"不履行“{label}”程序的，须说明具体理由")
    return label


def store_checklist_step(
    *, actor, subject: Submission | OutgoingDocument, step: str, done: bool, evidence: str, reason: str, file=None
) -> NormativeChecklistItem:
    """Write one step of a locked subject (the caller checked the state and the permission). `file` is an
    OutgoingAttachment of the 发文 or an Attachment of the submission. The item's `changed` is False when the step
    stood exactly so already: the caller records nothing then."""
    outgoing = isinstance(subject, OutgoingDocument)
    if file is not None and (file.document_id if outgoing else file.submission_id) != subject.pk:
        raise ActionRefused("证明材料须是本公文的附件。")
    check_checklist_step(step=step, done=done, evidence=evidence, reason=reason, has_file=file is not None)
    status = NormativeChecklistItem.Status.DONE if done else NormativeChecklistItem.Status.SKIPPED
    file_field = "evidence_file" if outgoing else "evidence_attachment"
    values = {
        "status": status,
        "evidence": evidence.strip() if done else "",
        f"{file_field}_id": file.pk if done and file is not None else None,
        "skip_reason": "" if done else reason.strip(),
    }
    owner = {"document": subject} if outgoing else {"submission": subject}
    stored = NormativeChecklistItem.objects.filter(**owner, step=step).first()
    if stored is not None and all(getattr(stored, name) == value for name, value in values.items()):
        stored.changed = False  # posted again as it stands (a second tab, a double tap): nothing to record
        return stored
    item, _created = NormativeChecklistItem.objects.update_or_create(
        **owner, step=step, defaults={**values, "recorded_by": actor}
    )
    item.changed = True
    return item

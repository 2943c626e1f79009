"""Every write of flow A (a unit's submission to the government): one function per user action, each a step of the
workflow kernel (`tiexi_gov.workflow.kernel.step`): lock the submission, check the state the caller saw, check the
rule, fire the protected transition, write the audit event with the actor's capacity (本职 / 代…), start or stop the
clocks (Deadline rows), tell people (inbox now, e-mail on commit) — and, on leaving the step, the submission's tasks
follow its new state (`documents.submissions.flow`). Two people acting at once: the second waits for the lock, then
finds the state moved and reads "已由XX处理" instead of a second transition.

`today` exists so that tests and back-filled imports can state the day of the action; views never pass it.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from dataclasses import dataclass

from django.db import transaction
from django.db.models import Max
from django.utils import timezone
from guardian.shortcuts import assign_perm

from documents.shared.choices import URGENCY_RANK, URGENT_KINDS, Urgency
from documents.shared.models import NormativeChecklistItem
from documents.shared.normative import check_checklist_step, needs_checklist, store_checklist_step
from documents.shared.people import office_people, own_post_title, unit_and_office_people, unit_people, unit_signers
from documents.shared.readers import set_named_reader
from tiexi_gov.audit import changes
from tiexi_gov.deadlines.display import due_label
from tiexi_gov.deadlines.services import (
    cancel_deadlines,
    close_deadline,
    close_deadlines,
    extend_deadline,
    open_deadline,
)
from tiexi_gov.org.models import Post, Unit, User
from tiexi_gov.org.selectors import head_post, leader_for_unit, who_handles
from tiexi_gov.precompiled import Statement
from tiexi_gov.text import strip_text
from tiexi_gov.uploads import checked_upload
from tiexi_gov.workdays import calendar as wd
from tiexi_gov.workflow import kernel
from tiexi_gov.workflow.errors import ActionRefused, AlreadyHandled, NotAllowed, RuleViolation
from tiexi_gov.workflow.kernel import Step, already_handled, lock_row, step

from . import checks, permissions
from .models import (
    APPROVAL_WORKDAYS,
    LEADER_SIGN_WORKDAYS,
    RETURN_REASON_RULE,
    RETURNABLE_BY_OFFICE,
    Attachment,
    BriefingApproval,
    ConsultationRequest,
    DisagreementStatement,
    Instruction,
    LeaderAssignment,
    PreparationNotice,
    ProcessingSlip,
    ReturnReason,
    SlipCounter,
    StatementCountersign,
    Submission,
    SubmissionKind,
    SubmissionState,
)

S = SubmissionState
Reply = ConsultationRequest.Reply
Decision = Instruction.Decision
EDITABLE = (S.DRAFTING, S.CONSULTING)

DRAFT_FIELDS = frozenset(
    {
        "kind",
        "title",
        "body",
        "unit_doc_number",
        "copies",
        "addressee",
        "leader_assigned",
        "other_addressees",
        "urgency",
        "urgency_reason",
        "is_emergency",
        "disclosure",
        "disclosure_manner",
        "disclosure_reason",
        "issue_date",
        "late_reason",
        "decision_needed_by",
        "declares_one_matter",
        "for_meeting",
        "declares_report_has_no_request",
        "asks_gov_name_document",
        "is_important",
        "field_check",
        "collective_decision",
        "not_classified",
        "confidential",
        "normative",
        "touches_market",
        "case_by_case_policy",
        "affects_public",
        "will_be_published",
    }
)


def _unit_and_drafter(sub: Submission) -> list[User]:
    return [*unit_people(sub.unit), sub.drafted_by]


def _grant_reader(submission: Submission, user) -> None:
    if submission.confidential and user is not None:
        assign_perm(f"documents.{permissions.READ_PERM}", user, submission)


# --- drafting --------------------------------------------------------------------------------------------------


def _apply_fields(submission: Submission, fields: dict) -> None:
    unknown = set(fields) - DRAFT_FIELDS
    if unknown:
        raise ValueError(f"unknown draft fields: {sorted(unknown)}")
    for name, value in fields.items():
        setattr(submission, name, value)
    if not (submission.title or "").strip():
        raise ActionRefused("标题不能为空。")


def _store_draft_extras(s: Step, touched_units, files, minutes) -> None:
    sub = s.obj
    if touched_units is not None:
        sub.touched_units.set([u for u in touched_units if u.pk != sub.unit_id])
    for f in files or ():
        store_attachment(s, f)
    if minutes:
        store_attachment(s, minutes, purpose=Attachment.Purpose.MINUTES)


@transaction.atomic
def create_draft(
    *,
    actor,
    title: str,
    touched_units: Iterable[Unit] | None = None,
    files: Iterable = (),
    minutes=None,
    today: dt.date | None = None,
    **fields,
) -> Submission:
    """A unit's clerk starts a submission. The unit is the clerk's own. The touched units (DOC-6), the files and
    the DOC-4 minutes are saved with the draft or not at all: a refused file loses no typing."""
    if actor.unit_id is None:
        raise NotAllowed("您不属于任何单位，不能起草上报公文。")
    submission = Submission(unit=actor.unit, drafted_by=actor, title=title)
    _apply_fields(submission, fields)
    submission.last_handled_by = actor
    submission.last_handled_at = timezone.now()
    submission.save()
    with step(submission, actor=actor, today=today) as s:
        _grant_reader(s.obj, actor)
        s.record("create_draft", "起草", opinion=s.obj.title)
        _store_draft_extras(s, touched_units, files, minutes)
    return s.obj


def update_draft(
    *,
    actor,
    submission: Submission,
    today: dt.date | None = None,
    touched_units: Iterable[Unit] | None = None,
    files: Iterable = (),
    minutes=None,
    **fields,
) -> Submission:
    with step(submission, actor=actor, expect=EDITABLE, today=today) as s:
        sub = s.obj
        if not permissions.can_edit(actor, sub):
            raise NotAllowed("您无权修改该公文。")
        units = None if touched_units is None else [u for u in touched_units if u.pk != sub.unit_id]
        changed = changes.diff(sub, fields) + (
            changes.diff_related(sub, "touched_units", units) if units is not None else []
        )
        _apply_fields(sub, fields)
        if sub.confidential:
            _grant_reader(sub, sub.drafted_by)
        if changed:  # a form posted back unchanged leaves no record and no trace on the item
            s.touch()
            s.record("edit_draft", "修改", opinion=changes.summary(changed))
        _store_draft_extras(s, touched_units, files, minutes)
    return s.obj


def store_attachment(s: Step, file, purpose: str = Attachment.Purpose.ATTACHMENT) -> Attachment:
    """Attach a file to the step's submission; its type is decided by its bytes (allowlist), its size limited."""
    sub, actor = s.obj, s.actor
    if not permissions.can_view(actor, sub) or actor.unit_id != sub.unit_id:
        raise NotAllowed("您无权为该公文添加附件。")
    upload = checked_upload(file)
    att = Attachment(
        submission=sub,
        purpose=purpose,
        original_name=upload.name,
        content_type=upload.content_type,
        size=upload.size,
        uploaded_by=actor,
    )
    att.file.save(att.original_name, file, save=False)
    att.save()
    if purpose == Attachment.Purpose.MINUTES:
        sub.collective_minutes = att
        s.touch()
    s.record("add_attachment", "添加附件", opinion=f"{att.get_purpose_display()}：{att.original_name}")
    return att


def add_attachment(
    *, actor, submission: Submission, file, purpose: str = Attachment.Purpose.ATTACHMENT, today=None
) -> Attachment:
    """Attach a file while the submission is being drafted or waits for its signature."""
    with step(submission, actor=actor, expect=(*EDITABLE, S.AWAITING_SIGNATURE), today=today) as s:
        return store_attachment(s, file, purpose)


def _set_reader(submission: Submission, *, actor, user, grant: bool, today) -> None:
    with step(submission, actor=actor, today=today) as s:
        set_named_reader(
            s,
            user=user,
            grant=grant,
            may_manage=permissions.can_grant_reader,
            is_named=permissions.is_named_reader,
            perm=permissions.READ_PERM,
            noun="公文",
        )


@transaction.atomic
def grant_reader(*, actor, submission: Submission, user, today=None) -> None:
    """Name a reader of a confidential submission (X-2); on a confidential item, the named readers' tasks follow."""
    _set_reader(submission, actor=actor, user=user, grant=True, today=today)


@transaction.atomic
def revoke_reader(*, actor, submission: Submission, user, today=None) -> None:
    """Take a named reader off a confidential submission (X-2). The drafter stays: they keep the item going."""
    _set_reader(submission, actor=actor, user=user, grant=False, today=today)


# --- consultation / countersign (DOC-6, DOC-7) -------------------------------------------------------------------


def request_consultation(
    *, actor, submission: Submission, units: Iterable[Unit], limit_wd: int = 5, today: dt.date | None = None
) -> list[ConsultationRequest]:
    """DOC-6/DOC-7: ask each touched unit for a written opinion within `limit_wd` WD (default 5)."""
    with step(submission, actor=actor, expect=EDITABLE, today=today) as s:
        sub, day = s.obj, s.day
        if limit_wd < 1:
            raise RuleViolation("DOC-7", "回复时限至少为1个工作日")
        units = [u for u in units if u.pk != sub.unit_id]
        if not units:
            raise ActionRefused("请选择需要征求意见的单位（不含本单位）。")
        if not_consulted := [u.display_name for u in units if u.kind in checks.NOT_CONSULTED_KINDS or not u.active]:
            raise ActionRefused(
                f"{'、'.join(not_consulted)}不是可征求意见的单位：请选择职权涉及的区直单位（第六十条）。"
            )
        open_units = set(
            sub.consultations.filter(state=ConsultationRequest.State.OPEN).values_list("unit_id", flat=True)
        )
        dup = [u.display_name for u in units if u.pk in open_units]
        if dup:
            raise ActionRefused(f"已在征求{'、'.join(dup)}的意见，请勿重复发起。")
        before = s.fire("consult_touched_units" if sub.has_unasked_units() else "start_consultation")
        due = wd.add_workdays(day, limit_wd)
        created = []
        for unit in units:
            req = ConsultationRequest.objects.create(
                submission=sub, unit=unit, requested_by=actor, requested_on=day, limit_workdays=limit_wd, due=due
            )
            open_deadline(
                subject=req,
                rule_id="DOC-7",
                title=f"征求意见回复：{sub.title}"[:200],
                counted_from=day,
                workdays=limit_wd,
                owner_unit=unit,
                url=s.url,
            )
            s.tell(
                unit_people(unit),
                f"【征求意见】{sub.unit.display_name}：{sub.title}",
                f"请于{due_label(due)}前书面回复意见；逾期不回复视为无不同意见（第六十条）。",
            )
            created.append(req)
        s.record(
            "request_consultation",
            "征求意见",
            before,
            opinion=(
                f"征求{'、'.join(u.display_name for u in units)}意见，{limit_wd}个工作日内（{due_label(due)}前）回复"
            ),
            rule_id="DOC-6",
        )
    return created


def _consultation_settled_error(req: ConsultationRequest) -> AlreadyHandled:
    if req.state == ConsultationRequest.State.DEEMED:
        return AlreadyHandled(f"{req.unit.display_name}已于{req.deemed_on}逾期视为无不同意见（第六十条）。")
    who = req.replied_by.display_name if req.replied_by_id else "他人"
    return AlreadyHandled(f"该征求意见已由{who}回复。", handled_by=req.replied_by)


def _lock_consultation(s: Step, consultation: ConsultationRequest) -> ConsultationRequest:
    """Parent row first (the step), then the party's row: replies and the completeness decision never interleave."""
    req = lock_row(ConsultationRequest.objects.select_related("unit", "replied_by"), consultation)
    if req.submission_id != s.obj.pk:
        raise ActionRefused("该征求意见不属于本公文。")
    return req


def reply_to_consultation(
    *, actor, consultation: ConsultationRequest, reply: str, text: str = "", today: dt.date | None = None
) -> ConsultationRequest:
    """A touched unit answers: agree / agree with comments / disagree with reasons (DOC-6)."""
    with step(consultation.submission_id, model=Submission, actor=actor, today=today) as s:
        sub, day = s.obj, s.day
        req = _lock_consultation(s, consultation)
        if not permissions.is_unit_staff(actor, req.unit_id):
            raise NotAllowed("只有被征求意见单位的文书或负责人可以回复。")
        if req.state != ConsultationRequest.State.OPEN:
            raise _consultation_settled_error(req)
        if reply not in (Reply.AGREE, Reply.AGREE_WITH_COMMENTS, Reply.DISAGREE):
            raise ActionRefused("请选择回复意见：同意、原则同意并提出修改意见，或不同意并说明理由。")
        if reply == Reply.DISAGREE and not strip_text(text):
            raise RuleViolation("DOC-6", "不同意须书面说明理由")
        if reply == Reply.AGREE_WITH_COMMENTS and not strip_text(text):
            raise ActionRefused("请填写修改意见。")
        s.fire("reply_consultation")
        handler = next((h for h in permissions.handlers_on(actor, day) if h.post.unit_id == req.unit_id), None)
        req.state = ConsultationRequest.State.ANSWERED
        req.reply, req.reply_text = reply, strip_text(text)
        req.replied_by, req.replied_post, req.replied_at = actor, (handler.post if handler else None), timezone.now()
        req.save()
        close_deadline(subject=req, rule_id="DOC-7", note=f"{req.unit.display_name}已回复", on=day)
        s.record(
            "consultation_reply",
            "回复征求意见",
            opinion=f"{req.unit.display_name}：{req.get_reply_display()}。{req.reply_text}".strip(),
            rule_id="DOC-6",
            capacity=f"{req.unit.display_name}{('·' + handler.post.title) if handler else ''}",
        )
        s.tell(_unit_and_drafter(sub), f"【意见已回复】{req.unit.display_name}：{sub.title}")
    return req


def agree_extension(
    *, actor, consultation: ConsultationRequest, new_due: dt.date, note: str = "", today: dt.date | None = None
) -> ConsultationRequest:
    """DOC-7: a unit that cannot answer in time agrees a new limit (and manner) with the lead unit;
    the lead unit records it and the clock restarts on the new day."""
    with step(consultation.submission_id, model=Submission, actor=actor, today=today) as s:
        sub, day = s.obj, s.day
        req = _lock_consultation(s, consultation)
        if not (actor.unit_id == sub.unit_id and permissions.can_view(actor, sub)):
            raise NotAllowed("回复时限由主办单位与被征求意见单位商定，由主办单位登记。")
        if req.state != ConsultationRequest.State.OPEN:
            raise _consultation_settled_error(req)
        if new_due <= req.effective_due:
            raise RuleViolation("DOC-7", f"商定的新时限须晚于原截止日{req.effective_due}")
        if new_due > (last := wd.known_until(day)):  # a typing slip (2099-12-31): no calendar counts to it
            raise RuleViolation("DOC-7", f"商定的新时限不能晚于{last}（工作日历只到{last.year}年）")
        old = req.effective_due
        req.extended_due, req.extension_note = new_due, note[:200]
        req.save(update_fields=["extended_due", "extension_note"])
        extend_deadline(
            subject=req,
            rule_id="DOC-7",
            title=f"征求意见回复（商定延期）：{sub.title}"[:200],
            counted_from=day,
            due=new_due,
            note=f"商定延期至{new_due}",
            owner_unit=req.unit,
            url=s.url,
        )
        s.touch()
        s.record(
            "consultation_extension",
            "商定延期回复",
            opinion=f"{req.unit.display_name}回复时限由{old}延至{new_due}。{note}".strip(),
            rule_id="DOC-7",
        )
        s.tell(unit_people(req.unit), f"【回复时限已延期】{sub.title}", f"新的回复截止日：{new_due}。{note}")
    return req


def record_disagreement_statement(
    *,
    actor,
    submission: Submission,
    talks_note: str,
    lead_reasons: str,
    other_reasons: str,
    proposal: str,
    today: dt.date | None = None,
) -> DisagreementStatement:
    """DOC-6: talks between main heads failed; the lead unit states each side's reasons and proposes."""
    with step(submission, actor=actor, expect=EDITABLE, today=today) as s:
        sub = s.obj
        if not permissions.can_edit(actor, sub):
            raise NotAllowed("只有主办单位可以起草分歧意见说明。")
        disagreeing = sub.disagreeing_unit_ids()
        if not disagreeing:
            raise RuleViolation("DOC-6", "没有不同意的回复，无需分歧意见说明")
        if not all(x.strip() for x in (talks_note, lead_reasons, other_reasons, proposal)):
            raise RuleViolation("DOC-6", "须写明主要负责人沟通协商情况、各方理据和办理建议")
        texts = {
            "talks_note": strip_text(talks_note),
            "lead_reasons": strip_text(lead_reasons),
            "other_reasons": strip_text(other_reasons),
            "proposal": strip_text(proposal),
        }
        latest = sub.disagreement_statements.order_by("-created_at", "-id").first()
        if latest is not None and all(getattr(latest, name) == text for name, text in texts.items()):
            # Posted again as it stands (a double click, Back and 保存): a second statement would ask the units to
            # countersign again what they may have signed already. Nothing is recorded, nobody is told.
            latest.changed = False
            return latest
        if sub.awaits_statement():  # the first statement is the step the lead unit owed; a later one revises it
            s.fire("state_disagreement")
        else:
            s.touch()
        statement = DisagreementStatement.objects.create(submission=sub, drafted_by=actor, **texts)
        s.record("disagreement_statement", "分歧意见说明", opinion=statement.proposal, rule_id="DOC-6")
        for unit in Unit.objects.filter(pk__in=disagreeing):
            s.tell(unit_people(unit), f"【请会签分歧意见说明】{sub.title}")
    return statement


def countersign_statement(
    *, actor, statement: DisagreementStatement, note: str = "", today: dt.date | None = None
) -> StatementCountersign:
    """A disagreeing unit countersigns the lead unit's statement (DOC-6 "与相关部门会签")."""
    with step(statement.submission_id, model=Submission, actor=actor, today=today) as s:
        if actor.unit_id not in s.obj.disagreeing_unit_ids():
            raise NotAllowed("只有持不同意见的单位会签分歧意见说明。")
        if StatementCountersign.objects.filter(statement=statement, unit_id=actor.unit_id).exists():
            raise AlreadyHandled("本单位已会签该分歧意见说明。")
        s.fire("countersign_statement")
        sign = StatementCountersign.objects.create(
            statement=statement, unit_id=actor.unit_id, signed_by=actor, note=note
        )
        s.record("countersign_statement", "会签分歧意见说明", opinion=note, rule_id="DOC-6", capacity=str(actor.unit))
    return sign


def send_for_signature(*, actor, submission: Submission, today: dt.date | None = None) -> Submission:
    with step(submission, actor=actor, expect=EDITABLE, today=today) as s:
        violations = checks.violations(checks.signature_problems(s.obj, s.day))
        if violations:
            raise RuleViolation.combine(violations)
        before = s.fire("send_for_signature")
        s.record("send_for_signature", "送签发", before)
        s.tell(unit_signers(s.obj.unit, s.day), f"【待签发】{s.obj.title}")
    return s.obj


@transaction.atomic
def record_checklist_step(
    *,
    actor,
    submission: Submission,
    step: str,
    done: bool,
    evidence: str = "",
    reason: str = "",
    evidence_file: Attachment | None = None,
    upload=None,
    today: dt.date | None = None,
) -> NormativeChecklistItem:
    """DOC-8 on a request for a normative document: the drafting unit records a step while drafting — done with
    its evidence (text, an attached file, or a file uploaded with it), or not done with the specific reason."""
    checklist_step = step
    with kernel.step(submission, actor=actor, expect=EDITABLE, today=today) as s:
        sub = s.obj
        if not permissions.can_edit(actor, sub):
            raise NotAllowed("您无权填报该公文的制发程序。")
        if not needs_checklist(sub):
            raise ActionRefused("该公文未申请制发规范性文件，也不是“一事一议”形式的具体政策措施，无需填报制发程序。")
        check_checklist_step(
            step=checklist_step, done=done, evidence=evidence, reason=reason, has_file=bool(upload or evidence_file)
        )
        if upload is not None and done:
            evidence_file = store_attachment(s, upload, purpose=Attachment.Purpose.EVIDENCE)
        item = store_checklist_step(
            actor=actor,
            subject=sub,
            step=checklist_step,
            done=done,
            evidence=evidence,
            reason=reason,
            file=evidence_file,
        )
        if not item.changed:
            return item
        s.touch()
        s.record(
            "normative_step",
            f"规范性文件程序：{item.get_step_display()}",
            opinion=f"{item.get_status_display()}。{item.evidence or item.skip_reason}".strip(),
            rule_id="DOC-8",
        )
    return item


# --- signature and submission (DOC-2, DOC-1/3/4/5/10/17) ----------------------------------------------------------


def sign_submission(
    *, actor, submission: Submission, issue_date: dt.date | None = None, opinion: str = "", today=None
) -> Submission:
    """DOC-2: the unit's main head, or a deputy head authorized to sign, signs and vouches for it — in person, or
    acting for an absent holder (LEAVE-4)."""
    with step(submission, actor=actor, expect=(S.AWAITING_SIGNATURE,), today=today) as s:
        sub = s.obj
        handler = permissions.submission_signer(actor, sub)
        if handler is None:
            raise RuleViolation(
                "DOC-2", f"上报区政府的公文须由{sub.unit.display_name}主要负责人或经授权的分管负责人签发"
            )
        issued = issue_date or sub.issue_date or s.day
        if issued > s.day:
            # 报送 must follow 印发 (DOC-3): a later date would be refused there, after the head had signed.
            raise RuleViolation("DOC-3", f"印发日期（{issued}）不能晚于签发当日（{s.day}）")
        before = s.fire("sign")
        sub.signed_by, sub.signed_post, sub.signed_at = actor, handler.post, timezone.now()
        sub.issue_date = issued
        s.record(
            "sign",
            "签发",
            before,
            opinion=opinion,
            rule_id="DOC-2",
            handler=handler,
            capacity="" if handler.is_acting else handler.post.title,
        )
        s.tell([sub.drafted_by], f"【已签发】{sub.title}", "请在印发后3个工作日内报送区政府办公室（第六十条）。")
    return s.obj


def send_back_to_drafter(*, actor, submission: Submission, opinion: str, today=None) -> Submission:
    with step(submission, actor=actor, expect=(S.AWAITING_SIGNATURE,), today=today) as s:
        if permissions.submission_signer(actor, s.obj) is None:
            raise RuleViolation("DOC-2", "只有签发人可以退回修改")
        before = s.fire("send_back_to_drafter")
        s.record("send_back_to_drafter", "退回拟稿人修改", before, opinion=opinion)
        s.tell([s.obj.drafted_by], f"【签发人退回修改】{s.obj.title}", opinion)
    return s.obj


def submission_violations(sub: Submission, day: dt.date) -> list[RuleViolation]:
    """Every rule a submission must meet when the unit sends it to the office, each with its message."""
    return checks.violations(checks.submission_problems(sub, day))


def submit_to_office(
    *, actor, submission: Submission, today: dt.date | None = None, late_reason: str = ""
) -> Submission:
    """The unit sends the signed submission to the government through the office (DOC-1). Sent more than 3 WD
    after its issue, it goes with `late_reason`, the written special circumstance (DOC-3), unless the draft has one."""
    with step(submission, actor=actor, expect=(S.SIGNED,), today=today) as s:
        sub = s.obj
        if not permissions.can_edit(actor, sub):
            raise NotAllowed("只有本单位文书或拟稿人可以报送本单位的公文。")
        late = checks.is_late(sub, s.day)
        if late and strip_text(late_reason):
            sub.late_reason = strip_text(late_reason)
        violations = submission_violations(sub, s.day)
        if violations:
            raise RuleViolation.combine(violations)
        before = s.fire("submit")
        sub.submitted_at, sub.submitted_on = timezone.now(), s.day
        opinion = f"逾期报送的特殊情况说明：{sub.late_reason}" if late else ""
        s.record("submit", "报送区政府办公室", before, rule_id="DOC-1", opinion=opinion)
        s.tell(office_people(), f"【收文待登记】{sub.unit.display_name}：{sub.title}")
    return s.obj


# --- registration and the office (DOC-3, DOC-13, DOC-11) -----------------------------------------------------------


def allocate_slip_number(year: int) -> tuple[int, str]:
    """Next 收文编号 of `year`, e.g. (1, "2026-0001"). Call inside the registering transaction."""
    SlipCounter.objects.bulk_create([SlipCounter(year=year, last=0)], ignore_conflicts=True)
    counter = SlipCounter.objects.select_for_update().get(year=year)
    counter.last += 1
    counter.save(update_fields=["last"])
    return counter.last, f"{year}-{counter.last:04d}"


def _office_director_post() -> Post | None:
    return Post.objects.filter(kind=Post.Kind.OFFICE_DIRECTOR).first()


def _consultation_summary(sub: Submission) -> str:
    lines = []
    for r in sub.consultations.exclude(state=ConsultationRequest.State.CANCELLED).select_related("unit"):
        if r.state == ConsultationRequest.State.DEEMED:
            lines.append(f"{r.unit.display_name}：{ConsultationRequest.DEEMED_TEXT}（{r.deemed_on}）")
        elif r.state == ConsultationRequest.State.ANSWERED:
            lines.append(
                f"{r.unit.display_name}：{r.get_reply_display()}{('，' + r.reply_text) if r.reply_text else ''}"
            )
        else:
            lines.append(f"{r.unit.display_name}：待回复")
    if sub.disagreeing_unit_ids():
        lines.append("附分歧意见说明（已会签）")
    return "\n".join(lines)


def register(*, actor, submission: Submission, today: dt.date | None = None) -> ProcessingSlip:
    """Office staff register the submission with a processing slip (DOC-3) and start the approval
    clock by urgency (DOC-13: 10/5/3/2 WD from registration)."""
    with step(submission, actor=actor, expect=(S.SUBMITTED,), today=today) as s:
        sub, day = s.obj, s.day
        before = s.fire("register")
        shortfall = checks.decision_time_shortfall(sub, day, "登记日")  # DOC-10 counts "from registration"
        if shortfall:
            raise RuleViolation(
                "DOC-10",
                f"不能登记：{shortfall}。请以“{ReturnReason.NO_TIME_TO_DECIDE.label}”为由退回来文单位（第六十一条）",
            )
        seq, number = allocate_slip_number(day.year)
        urgency = Urgency(sub.urgency)
        workdays = APPROVAL_WORKDAYS[urgency]
        slip = ProcessingSlip.objects.create(
            submission=sub,
            year=day.year,
            seq=seq,
            number=number,
            registered_on=day,
            registered_by=actor,
            from_unit_name=sub.unit.name,
            unit_doc_number=sub.unit_doc_number,
            urgency=sub.urgency,
            disclosure=sub.disclosure,
            disclosure_manner=sub.disclosure_manner,
            disclosure_reason=sub.disclosure_reason,
            copies=sub.copies,
            attachment_count=sub.attachments.count(),
            title=sub.title,
            approval_workdays=workdays,
            approval_due=wd.add_workdays(day, workdays),
            leader_sign_workdays=LEADER_SIGN_WORKDAYS.get(urgency),
            consultation_summary=_consultation_summary(sub),
        )
        sub.current_slip = slip
        _grant_reader(sub, actor)
        open_deadline(
            subject=sub,
            rule_id="DOC-13",
            title=f"{slip.get_urgency_display()}公文审批（收文{number}）",
            counted_from=day,
            workdays=workdays,
            owner_user=actor,
            owner_post=_office_director_post(),
            url=s.url,
        )
        s.record(
            "register",
            "登记",
            before,
            opinion=f"收文编号{number}；{slip.get_urgency_display()}，{workdays}个工作日内（{due_label(slip.approval_due)}前）完成审批",
            rule_id="DOC-13",
        )
        s.tell(_unit_and_drafter(sub), f"【已登记】{sub.title}（收文编号{number}）")
    return slip


def _return(s: Step, before: str, reason: str, text: str, handler=None) -> None:
    """The item went back to its unit (the caller fired the return): cancel the leaders' steps and tell them."""
    sub = s.obj
    sub.return_reason, sub.return_text = reason, text
    for a in sub.assignments.filter(state__in=[LeaderAssignment.State.PENDING, LeaderAssignment.State.WAITING]):
        a.state = LeaderAssignment.State.CANCELLED
        a.save(update_fields=["state"])
        cancel_deadlines(subject=a, note="公文已退回")
    close_deadline(subject=sub, rule_id="DOC-13", note="已退回来文单位", on=s.day)
    rule = RETURN_REASON_RULE.get(ReturnReason(reason), "")
    s.record(
        "return",
        "退回",
        before,
        opinion=f"{ReturnReason(reason).label}。{text}".strip(),
        rule_id=rule,
        handler=handler,
    )
    s.tell(
        _unit_and_drafter(sub),
        f"【公文被退回】{sub.title}",
        f"退回原因：{ReturnReason(reason).label}。{text}",
        level="alert",
    )


def return_submission(
    *, actor, submission: Submission, reason: str, text: str, today: dt.date | None = None
) -> Submission:
    """The office sends a submission back with its reason (ORG-5, DOC-5, DOC-1, DOC-4, DOC-15, DOC-16 …)."""
    with step(submission, actor=actor, expect=RETURNABLE_BY_OFFICE, today=today) as s:
        if reason not in ReturnReason.values or reason == ReturnReason.LEADER_RETURN:
            raise ActionRefused("请选择退回原因。")
        if not strip_text(text):
            raise ActionRefused("请写明退回说明，来文单位将看到这段文字。")
        _return(s, s.fire("office_return"), reason, strip_text(text))
    return s.obj


def _slip(sub: Submission) -> ProcessingSlip:
    if sub.current_slip_id is None:
        raise ActionRefused("该公文尚未登记。")
    return sub.current_slip


def office_review_opinion(*, actor, submission: Submission, opinion: str, today: dt.date | None = None) -> Instruction:
    """DOC-11: the office deputy director in charge reviews first, then the office director."""
    with step(submission, actor=actor, expect=(S.REGISTERED, S.OFFICE_REVIEW), today=today) as s:
        sub, day = s.obj, s.day
        if not strip_text(opinion):
            raise ActionRefused("请填写审核意见。")
        deputy = permissions.handler_for_kind(actor, day, Post.Kind.OFFICE_DEPUTY_DIRECTOR)
        director = permissions.handler_for_kind(actor, day, Post.Kind.OFFICE_DIRECTOR)
        if sub.state == S.REGISTERED:
            for violation in briefing_violations(sub):  # DOC-16: a briefing goes on only once the office approved it
                raise violation
            if deputy is None:
                if director is not None:
                    raise RuleViolation("DOC-11", "须先经办公室分管副主任审核，再由办公室主任审核")
                raise NotAllowed("只有办公室分管副主任可以进行此项审核。")
            handler, review_step, transition_name = deputy, Instruction.Step.OFFICE_DEPUTY, "deputy_director_review"
        else:
            if director is None:
                if deputy is not None:
                    raise RuleViolation("DOC-11", "办公室分管副主任已审核，须由办公室主任审核")
                raise NotAllowed("只有办公室主任可以进行此项审核。")
            handler, review_step, transition_name = director, Instruction.Step.OFFICE_DIRECTOR, "director_review"
        before = s.fire(transition_name)
        instruction = Instruction.objects.create(
            submission=sub,
            slip=_slip(sub),
            step=review_step,
            decision=Decision.REVIEWED,
            opinion=strip_text(opinion),
            author=actor,
            post=handler.post,
            capacity=handler.capacity,
            acting_for=handler.absent_person if handler.is_acting else None,
        )
        s.record(
            "office_review",
            Instruction.Step(review_step).label,
            before,
            opinion=opinion,
            rule_id="DOC-11",
            handler=handler,
        )
        if review_step == Instruction.Step.OFFICE_DEPUTY:
            post = _office_director_post()
            if post is not None:
                s.tell([who_handles(post, day).person], f"【待审核】{sub.title}")
        else:
            s.tell(office_people(), f"【待呈批】{sub.title}")
    return instruction


def _leader_due(slip: ProcessingSlip, day: dt.date) -> dt.date:
    """The leader's step ends with the slip's approval limit; a 特急重要 item within 1 WD (DOC-13)."""
    due = slip.approval_due
    sign = LEADER_SIGN_WORKDAYS.get(Urgency(slip.urgency))
    if sign:
        due = min(due, wd.add_workdays(day, sign)) if due >= day else wd.add_workdays(day, sign)
    return max(due, day)


def recompute_assignment_due(assignment: LeaderAssignment, deadline=None) -> dt.date | None:
    """CAL-2 recompute (deadlines.derived): a pending leader's limit follows the slip's recomputed one."""
    if assignment.assigned_on is None or assignment.slip_id is None:
        return None
    return _leader_due(assignment.slip, assignment.assigned_on)


def _assign(s: Step, post: Post, *, mode, batch, order, pending: bool) -> LeaderAssignment:
    sub = s.obj
    a = LeaderAssignment.objects.create(
        submission=sub,
        slip=_slip(sub),
        post=post,
        mode=mode,
        batch=batch,
        order=order,
        state=LeaderAssignment.State.PENDING if pending else LeaderAssignment.State.WAITING,
        urgency_rank=URGENCY_RANK[Urgency(sub.urgency)],
        assigned_by=s.actor,
    )
    if pending:
        _activate(s, a)
    return a


def _activate(s: Step, a: LeaderAssignment) -> None:
    sub, day = s.obj, s.day
    a.state, a.assigned_on, a.due = LeaderAssignment.State.PENDING, day, _leader_due(a.slip, day)
    a.save(update_fields=["state", "assigned_on", "due"])
    open_deadline(
        subject=a,
        rule_id="DOC-13",
        title=f"领导签批：{sub.title}"[:200],
        counted_from=day,
        due=a.due,
        owner_post=a.post,
        url=s.url,
    )
    s.tell(
        [who_handles(a.post, day).person],
        f"【待批示】{sub.get_urgency_display()}：{sub.title}",
        f"请于{due_label(a.due)}前签批。",
    )


def _next_batch(sub: Submission) -> int:
    return (sub.assignments.aggregate(m=Max("batch"))["m"] or 0) + 1


def route_to_leader(*, actor, submission: Submission, today: dt.date | None = None) -> LeaderAssignment:
    """DOC-11: to the leader whose portfolio covers the unit that day (ORG-2); an absent leader's
    acting deputy receives it (ORG-3, LEAVE-4) — the task belongs to the post, so it follows the acting."""
    with step(submission, actor=actor, expect=(S.AWAITING_ROUTING,), today=today) as s:
        sub, day = s.obj, s.day
        handler = leader_for_unit(sub.unit, day)
        if handler is None:
            raise RuleViolation("ORG-2", f"{sub.unit.display_name}在{day}没有分管领导，也没有区长职务，无法呈批")
        before = s.fire("route")
        a = _assign(s, handler.post, mode=LeaderAssignment.Mode.SINGLE, batch=_next_batch(sub), order=1, pending=True)
        s.record("route_to_leader", "呈批", before, opinion=f"按分工呈{handler.shown}审批", rule_id="DOC-11")
    return a


def send_to_leaders(
    *, actor, submission: Submission, mode: str, posts: list[Post], today: dt.date | None = None
) -> list[LeaderAssignment]:
    """DOC-12: an urgent submission goes to several leaders in series or in parallel."""
    with step(submission, actor=actor, expect=(S.AWAITING_ROUTING,), today=today) as s:
        sub = s.obj
        if sub.urgency not in URGENT_KINDS:
            raise RuleViolation("DOC-12", "只有紧急公文可以串并联分送多位领导审批")
        if mode not in (LeaderAssignment.Mode.SERIAL, LeaderAssignment.Mode.PARALLEL):
            raise ActionRefused("请选择串联或并联。")
        ids = [p.pk for p in posts]
        if len(ids) < 2 or len(set(ids)) != len(ids):
            raise ActionRefused("请选择两位及以上不同的领导。")
        if any(p.kind not in Post.LEADER_KINDS for p in posts):
            raise ActionRefused("只能分送区政府领导审批。")
        before = s.fire("route")
        batch = _next_batch(sub)
        parallel = mode == LeaderAssignment.Mode.PARALLEL
        created = [
            _assign(s, p, mode=mode, batch=batch, order=i + 1, pending=parallel or i == 0) for i, p in enumerate(posts)
        ]
        s.record(
            "send_to_leaders",
            f"{LeaderAssignment.Mode(mode).label}分送领导",
            before,
            opinion="、".join(p.title for p in posts),
            rule_id="DOC-12",
        )
    return created


@dataclass(frozen=True)
class LeaderDecision:
    submission: Submission
    instruction: Instruction
    next_assignment: LeaderAssignment | None = None


LEADER_DECISIONS = (Decision.APPROVE, Decision.DISAPPROVE, Decision.RETURN, Decision.PASS, Decision.ESCALATE)


_PENDING_STEP = Statement(
    lambda submission_id, posts: (
        LeaderAssignment.objects.select_for_update(of=("self",))
        .filter(submission_id=submission_id, state=LeaderAssignment.State.PENDING, post_id__in=posts)
        .select_related("post", "slip")
        .order_by("batch", "order", "id")[:1]
    )
)


def _pending_step(s: Step, posts: set[int]) -> LeaderAssignment | None:
    """The first pending step of the item for one of `posts`, locked (compiled once: every leader's decision)."""
    step = _PENDING_STEP.first(s.obj.pk, sorted(posts))
    if step is not None:
        step.submission = s.obj
    return step


def _final_transition(s: Step, a: LeaderAssignment, decision: str) -> str:
    """The transition a leader's decision fires: `instruct` while other leaders of the batch still have to act
    (DOC-12) or when it passes the item on (DOC-11); otherwise the batch's outcome."""
    if a.mode == LeaderAssignment.Mode.SINGLE:
        return {Decision.APPROVE: "approve", Decision.DISAPPROVE: "disapprove", Decision.RETURN: "leader_return"}.get(
            decision, "instruct"
        )
    batch = s.obj.assignments.filter(batch=a.batch).exclude(pk=a.pk)
    if batch.filter(state__in=[LeaderAssignment.State.PENDING, LeaderAssignment.State.WAITING]).exists():
        return "instruct"
    disapproved = decision == Decision.DISAPPROVE or batch.filter(instruction__decision=Decision.DISAPPROVE).exists()
    return "disapprove" if disapproved else "approve"


def leader_decide(
    *,
    actor,
    submission: Submission,
    decision: str,
    opinion: str,
    to_post: Post | None = None,
    return_reason: str = ReturnReason.LEADER_RETURN,
    today: dt.date | None = None,
) -> LeaderDecision:
    """A leader approves, disapproves, returns, passes to another leader or sends up to the head (DOC-11);
    in serial/parallel routing each gives an instruction and the item completes when all have (DOC-12)."""
    with step(submission, actor=actor, today=today) as s:
        sub, day = s.obj, s.day
        if submission.state == S.LEADER_REVIEW and sub.state != S.LEADER_REVIEW:
            # The page showed it waiting and someone moved it since (the click that lost the race): say who, before
            # reading this leader's steps — the loser of every race runs two statements fewer (issue 14.3).
            raise already_handled(s.flow, sub)
        posts = permissions.handled_post_ids(actor, day)
        a = _pending_step(s, posts)
        if sub.state != S.LEADER_REVIEW or a is None:
            if sub.assignments.filter(post_id__in=posts, state=LeaderAssignment.State.DONE).exists():
                raise already_handled(s.flow, sub)
            raise NotAllowed("该公文不在您的待批事项中。")
        if decision not in LEADER_DECISIONS:
            raise ActionRefused("请选择批示意见。")
        if not strip_text(opinion):
            raise ActionRefused("请填写批示意见。")
        multi = a.mode != LeaderAssignment.Mode.SINGLE
        if multi and decision not in (Decision.APPROVE, Decision.DISAPPROVE):
            raise RuleViolation("DOC-12", "串并联审批中请直接批示同意或不同意，意见将汇总办理")
        handler = next((h for h in permissions.handlers_on(actor, day) if h.post.pk == a.post_id), None)
        handler = handler or who_handles(a.post, day)
        if decision == Decision.PASS and (
            to_post is None or to_post.kind not in Post.LEADER_KINDS or to_post.pk == a.post_id
        ):
            raise RuleViolation("DOC-11", "请选择另一位区政府领导转批")
        if decision == Decision.ESCALATE:
            to_post = head_post()
            if to_post is None or to_post.pk == a.post_id:
                raise RuleViolation("DOC-11", "区长审批的事项无需再报区长")
        transition_name = _final_transition(s, a, decision)
        if transition_name == "leader_return" and return_reason not in ReturnReason.values:
            raise ActionRefused("请选择退回原因。")
        sub._pending_for = (frozenset(posts), a)  # the transition's permission (can_decide) reads the locked step
        try:
            before = s.fire(transition_name)
        finally:
            del sub._pending_for
        instruction = Instruction.objects.create(
            submission=sub,
            slip=a.slip,
            step=Instruction.Step.LEADER,
            decision=decision,
            opinion=strip_text(opinion),
            author=actor,
            post=a.post,
            capacity=handler.capacity,
            acting_for=handler.absent_person if handler.is_acting else None,
        )
        a.state, a.handled_by, a.instruction, a.done_at = (
            LeaderAssignment.State.DONE,
            actor,
            instruction,
            timezone.now(),
        )
        a.save(update_fields=["state", "handled_by", "instruction", "done_at"])
        if transition_name not in ("approve", "disapprove"):  # otherwise closed with the submission's clock
            close_deadline(subject=a, rule_id="DOC-13", note=Decision(decision).label, on=day)
        label = f"领导批示：{Decision(decision).label}"
        rule = "DOC-12" if multi else "DOC-11"
        nxt = None
        if transition_name == "leader_return":
            _return(s, before, return_reason, strip_text(opinion), handler=handler)
        elif transition_name in ("approve", "disapprove"):
            _finish(s, transition_name, before, label, opinion, rule, handler, a)
        elif multi:  # one of several: the next in series, or the others in parallel, still to act
            waiting = sub.assignments.filter(batch=a.batch, state=LeaderAssignment.State.WAITING).order_by("order")
            nxt = waiting.first() if a.mode == LeaderAssignment.Mode.SERIAL else None
            if nxt is not None:
                _activate(s, nxt)
            s.touch()
            s.record("leader_instruction", label, opinion=opinion, rule_id=rule, handler=handler)
        else:  # pass / escalate: the next leader's step in the same batch
            nxt = _assign(s, to_post, mode=LeaderAssignment.Mode.SINGLE, batch=a.batch, order=a.order + 1, pending=True)
            s.record(
                f"leader_{decision}", label, opinion=f"{opinion}（转{to_post.title}）", rule_id=rule, handler=handler
            )
    return LeaderDecision(s.obj, instruction, nxt)


def instruction_text(instruction: Instruction) -> str:
    """A decision with its opinion, the label said once: a leader who writes "同意。请财政局抓紧落实" under
    "同意" reads "同意。请财政局抓紧落实", not "同意。同意。…" (notifications, the slip and its .docx)."""
    label = instruction.get_decision_display()
    opinion = instruction.opinion.strip()
    return opinion if opinion.startswith(label) else f"{label}。{opinion}"


def _finish(s: Step, transition_name: str, before: str, label: str, opinion: str, rule: str, handler, a) -> None:
    sub = s.obj
    close_deadlines(
        subjects=[(a, Decision(a.instruction.decision).label), (sub, sub.get_state_display())],
        rule_id="DOC-13",
        on=s.day,
    )
    s.record(f"leader_{transition_name}", label, before, opinion=opinion, rule_id=rule, handler=handler)
    if a.mode == LeaderAssignment.Mode.SINGLE and a.order == 1:
        instructions = [a.instruction]  # the only leader's instruction: no need to read them back
    else:
        instructions = sub.instructions.filter(step=Instruction.Step.LEADER).select_related("post")
    lines = [f"{i.post.title}（{i.capacity}）：{instruction_text(i)}" for i in instructions]
    unit, office = unit_and_office_people(sub.unit)
    s.tell([*unit, sub.drafted_by], f"【{sub.get_state_display()}】{sub.title}", "\n".join(lines))
    s.tell(office, f"【领导已批示，待办结】{sub.title}")


def notify_units_to_prepare(
    *, actor, submission: Submission, units: Iterable[Unit], text: str, today: dt.date | None = None
) -> list[PreparationNotice]:
    """DOC-12: while approval is pending the office may tell units to get ready (先行做好落实准备)."""
    with step(submission, actor=actor, expect=(S.LEADER_REVIEW,), today=today) as s:
        sub = s.obj
        if not permissions.can_notify_units(actor, sub):
            raise NotAllowed("只有区政府办公室可以通知相关单位做好落实准备。")
        units = list(units)
        if not units or not strip_text(text):
            raise ActionRefused("请选择单位并填写通知内容。")
        notices = [
            PreparationNotice.objects.create(submission=sub, unit=u, text=strip_text(text), notified_by=actor)
            for u in units
        ]
        for u in units:
            s.tell(
                unit_people(u),
                f"【请做好落实准备】{sub.title}",
                f"{strip_text(text)}\n（该事项正在呈报区政府领导审批）",
                url="",
            )
        s.record(
            "notify_units_to_prepare",
            "通知做好落实准备",
            opinion=f"{'、'.join(u.display_name for u in units)}：{strip_text(text)}",
            rule_id="DOC-12",
        )
    return notices


def close_submission(*, actor, submission: Submission, result: str = "", today: dt.date | None = None) -> Submission:
    """The office closes the matter (办结) and the unit receives the instructions."""
    with step(submission, actor=actor, expect=(S.APPROVED, S.DISAPPROVED), today=today) as s:
        sub = s.obj
        before = s.fire("close")
        slip = _slip(sub)
        slip.result = strip_text(result) or SubmissionState(before).label
        slip.closed_on = s.day
        slip.save(update_fields=["result", "closed_on"])
        s.record("close", "办结", before, opinion=slip.result)
        s.tell(_unit_and_drafter(sub), f"【已办结】{sub.title}", slip.result)
    return s.obj


def revise(*, actor, submission: Submission, today: dt.date | None = None) -> Submission:
    """The unit takes a returned, or a signed but not yet submitted, submission back to drafting; it must be
    signed again (DOC-2). Without the second source a submission check failing after signature left it stuck."""
    with step(submission, actor=actor, expect=(S.RETURNED, S.SIGNED), today=today) as s:
        sub = s.obj
        before = s.fire("revise")
        sub.signed_by = sub.signed_post = sub.signed_at = None
        sub.submitted_at = sub.submitted_on = None
        s.record("revise", "退回后重新修改" if before == S.RETURNED else "签发后收回修改", before)
    return s.obj


# --- DOC-16 briefings -------------------------------------------------------------------------------------------


def briefing_violations(submission: Submission) -> list[RuleViolation]:
    """DOC-16: a briefing (简报) sent to the government goes on only with the office's approval (核准)."""
    if submission.kind != SubmissionKind.BRIEFING:
        return []
    if BriefingApproval.objects.filter(submission=submission).exists():
        return []
    return [RuleViolation("DOC-16", "各部门报送区政府的简报须经区政府办公室核准，否则予以退回")]


def approve_briefing(*, actor, submission: Submission, opinion: str = "", today=None) -> BriefingApproval:
    """DOC-16: the office approves a registered briefing (核准); without it the briefing is returned."""
    with step(submission, actor=actor, today=today) as s:
        sub = s.obj
        if sub.kind != SubmissionKind.BRIEFING:
            raise ActionRefused("只有简报需要核准。")
        if not permissions.sees_as_office(actor, s.day):
            raise NotAllowed("简报由区政府办公室核准。")
        if sub.state not in (S.SUBMITTED, S.REGISTERED):
            raise ActionRefused(f"该简报当前状态为“{sub.get_state_display()}”，不能核准。")
        existing = BriefingApproval.objects.filter(submission=sub).select_related("approved_by").first()
        if existing is not None:
            raise AlreadyHandled(
                f"该简报已由{existing.approved_by.display_name}核准。", handled_by=existing.approved_by
            )
        s.fire("approve_briefing")
        approval = BriefingApproval.objects.create(submission=sub, approved_by=actor, opinion=strip_text(opinion))
        s.record(
            "briefing_approve",
            "简报核准",
            opinion=strip_text(opinion),
            rule_id="DOC-16",
            capacity=own_post_title(actor, actor.unit_id, s.day),
        )
        s.tell(_unit_and_drafter(sub), f"【简报已核准】{sub.title}", strip_text(opinion))
    return approval


def return_unapproved_briefing(*, actor, submission: Submission, text: str, today=None) -> Submission:
    """DOC-16: a briefing the office does not approve is returned (予以退回) with that reason."""
    if submission.kind != SubmissionKind.BRIEFING:
        raise ActionRefused("只有简报适用此退回原因。")
    return return_submission(
        actor=actor, submission=submission, reason=ReturnReason.BRIEFING_NOT_APPROVED, text=text, today=today
    )

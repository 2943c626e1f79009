"""Every write of flow A (a unit's submission to the government). One function per user action.

Each action: lock the submission row (SELECT … FOR UPDATE) → check the state the caller saw is still
the state → check the rule → call the FSM transition → write the audit event with the actor's capacity
(本职 / 代…) → start or stop the clocks (Deadline rows) → notify (inbox rows in the transaction, e-mail
on commit). Two people acting at once: the second waits for the lock, then finds the state moved and
gets "已由XX处理" instead of a second transition.

`today` exists so that tests and back-filled imports can state the day of the action; views never pass it.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from dataclasses import dataclass

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.db.models import Max
from django.urls import NoReverseMatch, reverse
from django.utils import timezone
from django_fsm import ConcurrentTransition, can_proceed, has_transition_perm
from guardian.shortcuts import assign_perm, remove_perm

from tiexi_gov.audit.services import record_event
from tiexi_gov.deadlines.services import cancel_deadlines, close_deadline, open_deadline
from tiexi_gov.notify.services import notify
from tiexi_gov.org.models import Post, Unit, User
from tiexi_gov.org.roles import Role, users_with_role
from tiexi_gov.org.selectors import head_post, leader_for_unit, posts_held_by, who_handles
from tiexi_gov.workdays import calendar as wd

from . import permissions
from .models import (
    APPROVAL_WORKDAYS,
    BASE_NORMATIVE_STEPS,
    DECISION_LEAD_WORKDAYS,
    LEADER_SIGN_WORKDAYS,
    REASON_REQUIRED_URGENCIES,
    RETURN_REASON_RULE,
    RETURNABLE_BY_OFFICE,
    URGENCY_RANK,
    URGENT_KINDS,
    Addressee,
    Attachment,
    ConsultationRequest,
    DisagreementStatement,
    Disclosure,
    Instruction,
    LeaderAssignment,
    NormativeChecklistItem,
    NormativeStep,
    OutgoingDocument,
    PreparationNotice,
    ProcessingSlip,
    ReturnReason,
    SlipCounter,
    StatementCountersign,
    Submission,
    SubmissionKind,
    SubmissionState,
    Urgency,
)
from .validators import detect_attachment

S = SubmissionState
Reply = ConsultationRequest.Reply
Decision = Instruction.Decision

SUBMITTING_UNIT_KINDS = (
    Unit.Kind.DEPARTMENT,
    Unit.Kind.AFFILIATED,
    Unit.Kind.INSTITUTION,
    Unit.Kind.TOWNSHIP,
    Unit.Kind.STREET,
)

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
        "affects_public",
        "will_be_published",
    }
)


# --- errors ----------------------------------------------------------------------------------------


class DocumentError(Exception):
    """A refusal the user should read (Chinese message)."""

    def __init__(self, message: str):
        super().__init__(message)
        self.message = message

    def __str__(self) -> str:
        return self.message


class DocumentRuleError(DocumentError):
    """A working rule refuses the action; the message names the rule."""

    def __init__(self, rule_id: str, message: str, violations: list[DocumentRuleError] | None = None):
        text = message if (not rule_id or rule_id in message) else f"{message}（{rule_id}）"
        super().__init__(text)
        self.rule_id = rule_id
        self.violations = violations or [self]

    @property
    def rule_ids(self) -> list[str]:
        return [v.rule_id for v in self.violations]


class AlreadyHandledError(DocumentError):
    """Someone else moved the item first (concurrent action, or a stale page)."""

    def __init__(self, message: str, handled_by=None):
        super().__init__(message)
        self.handled_by = handled_by


class ActionNotAllowed(DocumentError, PermissionDenied):
    pass


# --- helpers ---------------------------------------------------------------------------------------


def _today(today: dt.date | None) -> dt.date:
    return today or timezone.localdate()


def submission_url(submission: Submission) -> str:
    try:
        return reverse("documents:detail", args=[submission.pk])
    except NoReverseMatch:
        return ""


def _already_handled(fresh: Submission) -> AlreadyHandledError:
    person = User.objects.filter(pk=fresh.last_handled_by_id).first() if fresh.last_handled_by_id else None
    who = person.display_name if person else "他人"
    return AlreadyHandledError(
        f"该公文已由{who}处理（当前状态：{fresh.get_state_display()}），请刷新后查看。", handled_by=person
    )


def _lock(submission: Submission | int, *expected: str, day: dt.date) -> Submission:
    """Lock the row and re-read it. If its state is no longer one the caller may act on: someone was first."""
    pk = submission.pk if isinstance(submission, Submission) else submission
    # Only never-changing relations are joined: a row re-read after waiting for the lock is re-checked by
    # PostgreSQL against the *old* joined rows, so a changed FK would come back null-extended.
    fresh = Submission.objects.select_for_update(of=("self",)).select_related("unit").get(pk=pk)
    fresh._day = day
    if expected and fresh.state not in expected:
        seen = submission.state if isinstance(submission, Submission) else None
        if seen is not None and seen != fresh.state:
            raise _already_handled(fresh)
        raise DocumentError(f"该公文当前状态为“{fresh.get_state_display()}”，不能进行此操作。")
    return fresh


def _fire(submission: Submission, name: str, actor, *, check_perm: bool = True) -> str:
    """Run the FSM transition `name`; return the state it left."""
    method = getattr(submission, name)
    if not can_proceed(method):
        raise DocumentError(f"该公文当前状态为“{submission.get_state_display()}”，不能进行此操作。")
    if check_perm and not has_transition_perm(method, actor):
        raise ActionNotAllowed("您无权对该公文进行此操作。")
    before = submission.state
    method()
    return before


def _save(submission: Submission, actor) -> None:
    submission.last_handled_by = actor
    submission.last_handled_at = timezone.now()
    try:
        submission.save()
    except ConcurrentTransition as exc:  # a writer that did not lock: still only one transition
        raise _already_handled(Submission.objects.get(pk=submission.pk)) from exc


def _event(actor, subject, action, label, before="", *, opinion="", rule_id="", handler=None, capacity=""):
    """The audit event of a documents action (both flows): capacity 本职 or 代… from the handler (X-1)."""
    record_event(
        actor=actor,
        subject=subject,
        action=action,
        action_label=label,
        from_state=before,
        to_state=subject.state if before else "",
        opinion=opinion,
        rule_id=rule_id,
        capacity=capacity or (handler.capacity if handler is not None else "本职"),
        acting_for=handler.absent_person if handler is not None and handler.is_acting else None,
    )


def unit_people(unit: Unit) -> list[User]:
    """Who in a unit hears about its documents: clerks and heads, else every active member."""
    base = User.objects.filter(unit=unit, is_active=True)
    people = list(base.filter(groups__name__in=[str(Role.CLERK), str(Role.UNIT_HEAD)]).distinct())
    return people or list(base)


def office_people() -> list[User]:
    people = list(users_with_role(Role.OFFICE_STAFF))
    return people or list(User.objects.filter(unit__kind=Unit.Kind.OFFICE, is_active=True))


def _tell(recipients: Iterable, submission: Submission, subject: str, body: str = "", level: str = "info"):
    notify(recipients=list(recipients), subject=subject, body=body, url=submission_url(submission), level=level)


def _grant_reader(submission: Submission, user) -> None:
    if submission.confidential and user is not None:
        assign_perm(f"documents.{permissions.READ_PERM}", user, submission)


# --- drafting --------------------------------------------------------------------------------------


def _apply_fields(submission: Submission, fields: dict) -> None:
    unknown = set(fields) - DRAFT_FIELDS
    if unknown:
        raise ValueError(f"unknown draft fields: {sorted(unknown)}")
    for name, value in fields.items():
        setattr(submission, name, value)
    if not (submission.title or "").strip():
        raise DocumentError("标题不能为空。")


def _store_draft_extras(actor, sub: Submission, touched_units, files, minutes, day) -> None:
    if touched_units is not None:
        sub.touched_units.set([u for u in touched_units if u.pk != sub.unit_id])
    for f in files or ():
        add_attachment(actor=actor, submission=sub, file=f, today=day)
    if minutes:
        att = add_attachment(actor=actor, submission=sub, file=minutes, purpose=Attachment.Purpose.MINUTES, today=day)
        sub.collective_minutes = att


@transaction.atomic
def create_draft(
    *,
    actor,
    title: str,
    touched_units: Iterable[Unit] | None = None,
    files: Iterable = (),
    minutes=None,
    **fields,
) -> Submission:
    """A unit's clerk starts a submission. The unit is the clerk's own. The touched units (DOC-6), the files and
    the DOC-4 minutes are saved with the draft or not at all: a refused file loses no typing."""
    if actor.unit_id is None:
        raise ActionNotAllowed("您不属于任何单位，不能起草上报公文。")
    submission = Submission(unit=actor.unit, drafted_by=actor, title=title)
    _apply_fields(submission, fields)
    submission.last_handled_by = actor
    submission.last_handled_at = timezone.now()
    submission.save()
    _grant_reader(submission, actor)
    _event(actor, submission, "create_draft", "起草", opinion=submission.title)
    _store_draft_extras(actor, submission, touched_units, files, minutes, None)
    return submission


@transaction.atomic
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
    day = _today(today)
    sub = _lock(submission, S.DRAFTING, S.CONSULTING, day=day)
    if not permissions.can_edit(actor, sub):
        raise ActionNotAllowed("您无权修改该公文。")
    _apply_fields(sub, fields)
    _save(sub, actor)
    if sub.confidential:
        _grant_reader(sub, sub.drafted_by)
    changed = sorted([*fields, *(["touched_units"] if touched_units is not None else [])])
    _event(actor, sub, "edit_draft", "修改", opinion="、".join(changed))
    _store_draft_extras(actor, sub, touched_units, files, minutes, day)
    return sub


@transaction.atomic
def add_attachment(
    *, actor, submission: Submission, file, purpose: str = Attachment.Purpose.ATTACHMENT, today=None
) -> Attachment:
    """Attach a file; its type is decided by its bytes (allowlist) and its size is limited."""
    sub = _lock(submission, S.DRAFTING, S.CONSULTING, S.AWAITING_SIGNATURE, day=_today(today))
    if not permissions.can_view(actor, sub) or actor.unit_id != sub.unit_id:
        raise ActionNotAllowed("您无权为该公文添加附件。")
    name = getattr(file, "name", "") or "附件"
    try:
        _ext, content_type = detect_attachment(file, name)
    except ValidationError as exc:
        raise DocumentError(exc.messages[0]) from exc
    size = getattr(file, "size", None)
    if size is None:
        file.seek(0, 2)
        size = file.tell()
        file.seek(0)
    att = Attachment(
        submission=sub,
        purpose=purpose,
        original_name=name.rsplit("/", 1)[-1][:200],
        content_type=content_type,
        size=size,
        uploaded_by=actor,
    )
    att.file.save(att.original_name, file, save=False)
    att.save()
    if purpose == Attachment.Purpose.MINUTES:
        sub.collective_minutes = att
        sub.save(update_fields=["collective_minutes", "updated_at"])
    _event(actor, sub, "add_attachment", "添加附件", opinion=f"{att.get_purpose_display()}：{att.original_name}")
    return att


def set_named_reader(
    obj, *, actor, user, grant: bool, may_manage, is_named, perm: str, noun: str, action_prefix: str = ""
) -> None:
    """X-2, both flows: name (or take off) a reader of a confidential item the caller has locked. The drafter
    always stays: they keep the item going. `noun` is 公文 / 发文 for the messages."""
    if not obj.confidential:
        raise DocumentError(f"该{noun}未标记为限定知悉范围，无需指定阅读人。")
    if not may_manage(actor, obj):
        raise ActionNotAllowed(f"您无权指定该{noun}的阅读人。")
    if grant:
        if user is None or not user.is_active:
            raise DocumentError("请选择在职的阅读人。")
        assign_perm(f"documents.{perm}", user, obj)
        _event(actor, obj, f"{action_prefix}grant_reader", "指定阅读人", opinion=str(user), rule_id="X-2")
        return
    if user.pk == obj.drafted_by_id:
        raise DocumentError("拟稿人始终可以阅读本件，不能取消。")
    if not is_named(user, obj):
        raise DocumentError(f"{user}不是本件的指定阅读人。")
    remove_perm(f"documents.{perm}", user, obj)
    _event(actor, obj, f"{action_prefix}revoke_reader", "取消指定阅读人", opinion=str(user), rule_id="X-2")


def _set_reader(submission: Submission, *, actor, user, grant: bool, today) -> None:
    sub = _lock(submission, day=_today(today))
    set_named_reader(
        sub,
        actor=actor,
        user=user,
        grant=grant,
        may_manage=permissions.can_grant_reader,
        is_named=permissions.is_named_reader,
        perm=permissions.READ_PERM,
        noun="公文",
    )


@transaction.atomic
def grant_reader(*, actor, submission: Submission, user, today=None) -> None:
    """Name a reader of a confidential submission (X-2)."""
    _set_reader(submission, actor=actor, user=user, grant=True, today=today)


@transaction.atomic
def revoke_reader(*, actor, submission: Submission, user, today=None) -> None:
    """Take a named reader off a confidential submission (X-2). The drafter stays: they keep the item going."""
    _set_reader(submission, actor=actor, user=user, grant=False, today=today)


# --- consultation / countersign (DOC-6, DOC-7) ---------------------------------------------------------


@transaction.atomic
def request_consultation(
    *, actor, submission: Submission, units: Iterable[Unit], limit_wd: int = 5, today: dt.date | None = None
) -> list[ConsultationRequest]:
    """DOC-6/DOC-7: ask each touched unit for a written opinion within `limit_wd` WD (default 5)."""
    day = _today(today)
    sub = _lock(submission, S.DRAFTING, S.CONSULTING, day=day)
    if limit_wd < 1:
        raise DocumentRuleError("DOC-7", "回复时限至少为1个工作日")
    units = [u for u in units if u.pk != sub.unit_id]
    if not units:
        raise DocumentError("请选择需要征求意见的单位（不含本单位）。")
    open_units = set(sub.consultations.filter(state=ConsultationRequest.State.OPEN).values_list("unit_id", flat=True))
    dup = [u.display_name for u in units if u.pk in open_units]
    if dup:
        raise DocumentError(f"已在征求{'、'.join(dup)}的意见，请勿重复发起。")
    before = _fire(sub, "start_consultation", actor)
    _save(sub, actor)
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
            url=submission_url(sub),
        )
        _tell(
            unit_people(unit),
            sub,
            f"【征求意见】{sub.unit.display_name}：{sub.title}",
            f"请于{due}前书面回复意见；逾期不回复视为无不同意见（DOC-7）。",
        )
        created.append(req)
    _event(
        actor,
        sub,
        "request_consultation",
        "征求意见",
        before,
        opinion=f"征求{'、'.join(u.display_name for u in units)}意见，{limit_wd}个工作日内（{due}前）回复",
        rule_id="DOC-6",
    )
    return created


def _lock_consultation(consultation: ConsultationRequest, day) -> tuple[Submission, ConsultationRequest]:
    """Parent row first, then the party's row: replies and the completeness decision never interleave."""
    sub = _lock(consultation.submission_id, day=day)
    req = ConsultationRequest.objects.select_for_update(of=("self",)).select_related("unit").get(pk=consultation.pk)
    return sub, req


def _consultation_settled_error(req: ConsultationRequest) -> AlreadyHandledError:
    if req.state == ConsultationRequest.State.DEEMED:
        return AlreadyHandledError(f"{req.unit.display_name}已于{req.deemed_on}逾期视为无不同意见（DOC-7）。")
    who = req.replied_by.display_name if req.replied_by_id else "他人"
    return AlreadyHandledError(f"该征求意见已由{who}回复。", handled_by=req.replied_by)


@transaction.atomic
def reply_to_consultation(
    *, actor, consultation: ConsultationRequest, reply: str, text: str = "", today: dt.date | None = None
) -> ConsultationRequest:
    """A touched unit answers: agree / agree with comments / disagree with reasons (DOC-6)."""
    day = _today(today)
    sub, req = _lock_consultation(consultation, day)
    if not permissions.can_reply_consultation(actor, req):
        raise ActionNotAllowed("只有被征求意见单位的人员可以回复。")
    if req.state != ConsultationRequest.State.OPEN:
        raise _consultation_settled_error(req)
    if reply not in (Reply.AGREE, Reply.AGREE_WITH_COMMENTS, Reply.DISAGREE):
        raise DocumentError("请选择回复意见：同意、原则同意并提出修改意见，或不同意并说明理由。")
    if reply == Reply.DISAGREE and not text.strip():
        raise DocumentRuleError("DOC-6", "不同意须书面说明理由")
    if reply == Reply.AGREE_WITH_COMMENTS and not text.strip():
        raise DocumentError("请填写修改意见。")
    own = [p for p in posts_held_by(actor, day) if p.unit_id == req.unit_id]
    req.state = ConsultationRequest.State.ANSWERED
    req.reply, req.reply_text = reply, text.strip()
    req.replied_by, req.replied_post, req.replied_at = actor, (own[0] if own else None), timezone.now()
    req.save()
    close_deadline(subject=req, rule_id="DOC-7", note=f"{req.unit.display_name}已回复", on=day)
    _event(
        actor,
        sub,
        "consultation_reply",
        "回复征求意见",
        opinion=f"{req.unit.display_name}：{req.get_reply_display()}。{req.reply_text}".strip(),
        rule_id="DOC-6",
        capacity=f"{req.unit.display_name}{('·' + own[0].title) if own else ''}",
    )
    _tell(unit_people(sub.unit) + [sub.drafted_by], sub, f"【意见已回复】{req.unit.display_name}：{sub.title}")
    return req


@transaction.atomic
def agree_extension(
    *, actor, consultation: ConsultationRequest, new_due: dt.date, note: str = "", today: dt.date | None = None
) -> ConsultationRequest:
    """DOC-7: a unit that cannot answer in time agrees a new limit (and manner) with the lead unit;
    the lead unit records it and the clock restarts on the new day."""
    day = _today(today)
    sub, req = _lock_consultation(consultation, day)
    if not (actor.unit_id == sub.unit_id and permissions.can_view(actor, sub)):
        raise ActionNotAllowed("回复时限由主办单位与被征求意见单位商定，由主办单位登记。")
    if req.state != ConsultationRequest.State.OPEN:
        raise _consultation_settled_error(req)
    if new_due <= req.effective_due:
        raise DocumentRuleError("DOC-7", f"商定的新时限须晚于原截止日{req.effective_due}")
    old = req.effective_due
    req.extended_due, req.extension_note = new_due, note[:200]
    req.save(update_fields=["extended_due", "extension_note"])
    cancel_deadlines(subject=req, note=f"商定延期至{new_due}")
    open_deadline(
        subject=req,
        rule_id="DOC-7",
        title=f"征求意见回复（商定延期）：{sub.title}"[:200],
        counted_from=day,
        due=new_due,
        owner_unit=req.unit,
        url=submission_url(sub),
    )
    _event(
        actor,
        sub,
        "consultation_extension",
        "商定延期回复",
        opinion=f"{req.unit.display_name}回复时限由{old}延至{new_due}。{note}".strip(),
        rule_id="DOC-7",
    )
    _tell(unit_people(req.unit), sub, f"【回复时限已延期】{sub.title}", f"新的回复截止日：{new_due}。{note}")
    return req


def disagreeing_unit_ids(submission: Submission) -> set[int]:
    return set(
        submission.consultations.filter(state=ConsultationRequest.State.ANSWERED, reply=Reply.DISAGREE).values_list(
            "unit_id", flat=True
        )
    )


def statement_is_complete(submission: Submission) -> bool:
    """DOC-6: the latest statement exists and every disagreeing unit has countersigned it."""
    needed = disagreeing_unit_ids(submission)
    if not needed:
        return True
    statement = submission.disagreement_statements.order_by("-created_at", "-id").first()
    if statement is None:
        return False
    signed = set(statement.countersigns.values_list("unit_id", flat=True))
    return needed <= signed


@transaction.atomic
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
    sub = _lock(submission, S.CONSULTING, S.DRAFTING, day=_today(today))
    if not permissions.can_edit(actor, sub):
        raise ActionNotAllowed("只有主办单位可以起草分歧意见说明。")
    if not disagreeing_unit_ids(sub):
        raise DocumentRuleError("DOC-6", "没有不同意的回复，无需分歧意见说明")
    if not all(x.strip() for x in (talks_note, lead_reasons, other_reasons, proposal)):
        raise DocumentRuleError("DOC-6", "须写明主要负责人沟通协商情况、各方理据和办理建议")
    statement = DisagreementStatement.objects.create(
        submission=sub,
        talks_note=talks_note.strip(),
        lead_reasons=lead_reasons.strip(),
        other_reasons=other_reasons.strip(),
        proposal=proposal.strip(),
        drafted_by=actor,
    )
    _save(sub, actor)
    _event(actor, sub, "disagreement_statement", "分歧意见说明", opinion=statement.proposal, rule_id="DOC-6")
    units = Unit.objects.filter(pk__in=disagreeing_unit_ids(sub))
    for unit in units:
        _tell(unit_people(unit), sub, f"【请会签分歧意见说明】{sub.title}")
    return statement


@transaction.atomic
def countersign_statement(
    *, actor, statement: DisagreementStatement, note: str = "", today: dt.date | None = None
) -> StatementCountersign:
    """A disagreeing unit countersigns the lead unit's statement (DOC-6 "与相关部门会签")."""
    sub = _lock(statement.submission_id, day=_today(today))
    if actor.unit_id not in disagreeing_unit_ids(sub):
        raise ActionNotAllowed("只有持不同意见的单位会签分歧意见说明。")
    if StatementCountersign.objects.filter(statement=statement, unit_id=actor.unit_id).exists():
        raise AlreadyHandledError("本单位已会签该分歧意见说明。")
    sign = StatementCountersign.objects.create(statement=statement, unit_id=actor.unit_id, signed_by=actor, note=note)
    _event(
        actor, sub, "countersign_statement", "会签分歧意见说明", opinion=note, rule_id="DOC-6", capacity=str(actor.unit)
    )
    return sign


def _consultation_violations(sub: Submission) -> list[DocumentRuleError]:
    out = []
    open_units = [
        r.unit.display_name
        for r in sub.consultations.filter(state=ConsultationRequest.State.OPEN).select_related("unit")
    ]
    if open_units:
        out.append(
            DocumentRuleError("DOC-7", f"{'、'.join(open_units)}尚未回复意见，须待回复或逾期视为无不同意见后再报送")
        )
    if not statement_is_complete(sub):
        out.append(
            DocumentRuleError(
                "DOC-6", "有单位不同意，须由主办单位列明各方理据、提出办理建议，并经相关单位会签分歧意见说明"
            )
        )
    return out


@transaction.atomic
def send_for_signature(*, actor, submission: Submission, today: dt.date | None = None) -> Submission:
    day = _today(today)
    sub = _lock(submission, S.DRAFTING, S.CONSULTING, day=day)
    violations = _consultation_violations(sub)
    if violations:
        raise DocumentRuleError(violations[0].rule_id, "；".join(v.message for v in violations), violations)
    before = _fire(sub, "send_for_signature", actor)
    _save(sub, actor)
    _event(actor, sub, "send_for_signature", "送签发", before)
    _tell(_signers(sub.unit, day), sub, f"【待签发】{sub.title}")
    return sub


def _signers(unit: Unit, day) -> list[User]:
    from tiexi_gov.org.models import Appointment

    return [
        a.person
        for a in Appointment.objects.on(day)
        .filter(post__unit=unit, post__kind__in=[Post.Kind.UNIT_HEAD, Post.Kind.UNIT_DEPUTY])
        .select_related("person", "post")
        if a.post.kind == Post.Kind.UNIT_HEAD or a.post.may_sign
    ]


# --- DOC-8 normative checklist (both flows) ---------------------------------------------------------------
# A normative 发文 (flow B, documents.issuance) and a unit's request that the government issue a normative
# document (flow A) carry the same checklist under the same rules. Both subjects have the flags `normative`,
# `touches_market`, `affects_public`, `will_be_published` and `confidential`, and their rows as `.checklist`.


def required_normative_steps(subject: Submission | OutgoingDocument) -> list[str]:
    """DOC-8 (第六十条): the five base procedures; fair competition review when it touches market activity;
    interpretation material and a public-opinion response plan when it is to be published."""
    steps = list(BASE_NORMATIVE_STEPS)
    if subject.touches_market:
        steps.append(NormativeStep.FAIR_COMPETITION)
    if subject.will_be_published:
        steps += [NormativeStep.INTERPRETATION, NormativeStep.OPINION_PLAN]
    return steps


def checklist_row_is_complete(row: NormativeChecklistItem) -> bool:
    """Done with evidence (text or a file), or skipped with the stated reason (应说明具体理由)."""
    if row.status == NormativeChecklistItem.Status.DONE:
        return bool(row.evidence.strip() or row.evidence_file_id or row.evidence_attachment_id)
    return row.status == NormativeChecklistItem.Status.SKIPPED and bool(row.skip_reason.strip())


def normative_violations(subject: Submission | OutgoingDocument) -> list[DocumentRuleError]:
    """What DOC-8 still misses before a normative draft (or a request for one) may be sent on."""
    if not subject.normative:
        return []
    rows = {r.step: r for r in subject.checklist.all()}
    missing = [
        NormativeStep(s).label
        for s in required_normative_steps(subject)
        if s not in rows or not checklist_row_is_complete(rows[s])
    ]
    out = []
    if missing:
        out.append(
            DocumentRuleError("DOC-8", f"规范性文件须履行{'、'.join(missing)}程序（或说明不履行的具体理由）后方可报送")
        )
    pp = rows.get(NormativeStep.PUBLIC_PARTICIPATION)
    # 第二十五条: 与人民群众利益密切相关的，除依法需要保密的外，都要公开征求意见.
    skipped = pp is not None and pp.status == NormativeChecklistItem.Status.SKIPPED
    if subject.affects_public and skipped and not subject.confidential:
        out.append(DocumentRuleError("DOC-8", "与人民群众利益密切相关的规范性文件，除依法需要保密的外须公开征求意见"))
    return out


def check_checklist_step(*, step: str, done: bool, evidence: str, reason: str, has_file: bool) -> str:
    """Refuse a step that is done without evidence or skipped without a reason; return the step's label."""
    if step not in NormativeStep.values:
        raise DocumentError("请选择程序。")
    label = NormativeStep(step).label
    if done and not (evidence.strip() or has_file):
        raise DocumentRuleError("DOC-8", f"“{label}”已履行的，须写明履行情况或附证明材料")
    if not done and not reason.strip():
        raise DocumentRuleError("DOC-8", f"不履行“{label}”程序的，须说明具体理由")
    return label


def store_checklist_step(
    *, actor, subject: Submission | OutgoingDocument, step: str, done: bool, evidence: str, reason: str, file=None
) -> NormativeChecklistItem:
    """Write one step of a locked subject (the caller checked the state and the permission). `file` is an
    OutgoingAttachment of the 发文 or an Attachment of the submission."""
    outgoing = isinstance(subject, OutgoingDocument)
    if file is not None and (file.document_id if outgoing else file.submission_id) != subject.pk:
        raise DocumentError("证明材料须是本公文的附件。")
    check_checklist_step(step=step, done=done, evidence=evidence, reason=reason, has_file=file is not None)
    status = NormativeChecklistItem.Status.DONE if done else NormativeChecklistItem.Status.SKIPPED
    item, _created = NormativeChecklistItem.objects.update_or_create(
        **({"document": subject} if outgoing else {"submission": subject}),
        step=step,
        defaults={
            "status": status,
            "evidence": evidence.strip() if done else "",
            ("evidence_file" if outgoing else "evidence_attachment"): file if done else None,
            "skip_reason": "" if done else reason.strip(),
            "recorded_by": actor,
        },
    )
    return item


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
    day = _today(today)
    sub = _lock(submission, S.DRAFTING, S.CONSULTING, day=day)
    if not permissions.can_edit(actor, sub):
        raise ActionNotAllowed("您无权填报该公文的制发程序。")
    if not sub.normative:
        raise DocumentError("该公文未申请制发规范性文件，无需填报制发程序。")
    check_checklist_step(step=step, done=done, evidence=evidence, reason=reason, has_file=bool(upload or evidence_file))
    if upload is not None and done:
        evidence_file = add_attachment(
            actor=actor, submission=sub, file=upload, purpose=Attachment.Purpose.EVIDENCE, today=day
        )
    item = store_checklist_step(
        actor=actor, subject=sub, step=step, done=done, evidence=evidence, reason=reason, file=evidence_file
    )
    _save(sub, actor)
    _event(
        actor,
        sub,
        "normative_step",
        f"规范性文件程序：{item.get_step_display()}",
        opinion=f"{item.get_status_display()}。{item.evidence or item.skip_reason}".strip(),
        rule_id="DOC-8",
    )
    return item


# --- signature and submission (DOC-2, DOC-1/3/4/5/10/17) --------------------------------------------------


@transaction.atomic
def sign_submission(
    *, actor, submission: Submission, issue_date: dt.date | None = None, opinion: str = "", today=None
) -> Submission:
    """DOC-2: the unit's main head, or a deputy head authorized to sign, signs and vouches for it."""
    day = _today(today)
    sub = _lock(submission, S.AWAITING_SIGNATURE, day=day)
    post = permissions.signing_post(actor, sub)
    if post is None:
        raise DocumentRuleError(
            "DOC-2", f"上报区政府的公文须由{sub.unit.display_name}主要负责人或经授权的分管负责人签发"
        )
    before = _fire(sub, "sign", actor)
    sub.signed_by, sub.signed_post, sub.signed_at = actor, post, timezone.now()
    sub.issue_date = issue_date or sub.issue_date or day
    _save(sub, actor)
    _event(actor, sub, "sign", "签发", before, opinion=opinion, rule_id="DOC-2", capacity=post.title)
    _tell([sub.drafted_by], sub, f"【已签发】{sub.title}", "请在印发后3个工作日内报送区政府办公室（DOC-3）。")
    return sub


@transaction.atomic
def send_back_to_drafter(*, actor, submission: Submission, opinion: str, today=None) -> Submission:
    sub = _lock(submission, S.AWAITING_SIGNATURE, day=_today(today))
    if permissions.signing_post(actor, sub) is None:
        raise DocumentRuleError("DOC-2", "只有签发人可以退回修改")
    before = _fire(sub, "send_back_to_drafter", actor)
    _save(sub, actor)
    _event(actor, sub, "send_back_to_drafter", "退回拟稿人修改", before, opinion=opinion)
    _tell([sub.drafted_by], sub, f"【签发人退回修改】{sub.title}", opinion)
    return sub


def submission_violations(sub: Submission, day: dt.date) -> list[DocumentRuleError]:
    """Every rule a submission must meet when the unit sends it to the office, each with its message."""
    v: list[DocumentRuleError] = []
    # DOC-1
    if sub.unit.kind not in SUBMITTING_UNIT_KINDS:
        v.append(DocumentRuleError("DOC-1", "只有乡、街道和区政府各部门可以向区政府报送公文"))
    if sub.other_addressees.strip():
        v.append(DocumentRuleError("DOC-1", "不得多头报文、越级行文：请删除同时报送的其他机关"))
    if sub.addressee == Addressee.LEADER and not (sub.leader_assigned or sub.confidential):
        v.append(
            DocumentRuleError(
                "DOC-1",
                "除区政府领导交办事项和确属保密性质的事项外，不得直接向领导个人报文，须由区政府办公室统一办理",
            )
        )
    # DOC-2 (the state machine already requires a signature; this guards data imported by hand)
    if not sub.signed_by_id:
        v.append(DocumentRuleError("DOC-2", "公文尚未经主要负责人或经授权的分管负责人签发"))
    # DOC-3
    if sub.issue_date is None:
        v.append(DocumentRuleError("DOC-3", "请填写印发日期"))
    elif sub.issue_date > day:
        v.append(DocumentRuleError("DOC-3", "印发日期不能晚于报送日"))
    else:
        late = wd.workdays_between(sub.issue_date, day)
        if late > 3 and not sub.late_reason.strip():
            deadline = wd.add_workdays(sub.issue_date, 3)
            v.append(
                DocumentRuleError(
                    "DOC-3",
                    f"公文应在印发后3个工作日内报送（印发日期{sub.issue_date}，最迟{deadline}）；"
                    "确有特殊情况的，请填写特殊情况说明",
                )
            )
    # DOC-5
    if sub.kind == SubmissionKind.REQUEST and not sub.declares_one_matter:
        v.append(DocumentRuleError("DOC-5", "请示应当一文一事，请确认并勾选“本请示一文一事”"))
    if sub.kind == SubmissionKind.REPORT and not sub.declares_report_has_no_request:
        v.append(DocumentRuleError("DOC-5", "报告不得夹带请示事项，请确认并勾选“本报告不夹带请示事项”"))
    # DOC-4
    if sub.asks_gov_name_document:
        if not sub.field_check.strip():
            v.append(DocumentRuleError("DOC-4", "申请以区政府或区政府办公室名义发文，须说明实地考察和情况核实情况"))
        if sub.is_important and not (sub.collective_decision.strip() and sub.collective_minutes_id):
            v.append(
                DocumentRuleError("DOC-4", "重要事项须经本单位党组会、局务会或办公会集体讨论，写明会议并附会议纪要")
            )
    # DOC-10
    if sub.kind == SubmissionKind.REQUEST and sub.decision_needed_by is None:
        v.append(DocumentRuleError("DOC-10", "请示须写明需区政府决策的日期"))
    shortfall = decision_time_shortfall(sub, day, "报送日")
    if shortfall:
        v.append(DocumentRuleError("DOC-10", shortfall))
    if sub.urgency in REASON_REQUIRED_URGENCIES and not sub.is_emergency and not sub.urgency_reason.strip():
        v.append(DocumentRuleError("DOC-10", "特别紧急事项（突发事件除外）应附加紧急原因说明"))
    # DOC-17
    if not sub.disclosure:
        v.append(DocumentRuleError("DOC-17", "请明确公开属性：全文公开、部分公开或不予公开"))
    else:
        if sub.disclosure != Disclosure.FULL and not sub.disclosure_reason.strip():
            v.append(DocumentRuleError("DOC-17", f"拟{sub.get_disclosure_display()}的，须依法依规说明理由"))
        if sub.disclosure != Disclosure.NONE and not sub.disclosure_manner:
            v.append(DocumentRuleError("DOC-17", "请明确公开方式：主动公开或依申请公开"))
    # The portal is not for classified material.
    if not sub.not_classified:
        v.append(DocumentRuleError("X-2", "须声明“本件不涉及国家秘密”；涉密公文不得通过本系统报送"))
    # DOC-8
    v += normative_violations(sub)
    # DOC-6 / DOC-7
    v += _consultation_violations(sub)
    return v


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


@transaction.atomic
def submit_to_office(*, actor, submission: Submission, today: dt.date | None = None) -> Submission:
    """The unit sends the signed submission to the government through the office (DOC-1)."""
    day = _today(today)
    sub = _lock(submission, S.SIGNED, day=day)
    if not permissions.can_edit(actor, sub):
        raise ActionNotAllowed("只有本单位人员可以报送本单位的公文。")
    violations = submission_violations(sub, day)
    if violations:
        raise DocumentRuleError(violations[0].rule_id, "；".join(v.message for v in violations), violations)
    before = _fire(sub, "submit", actor)
    sub.submitted_at, sub.submitted_on = timezone.now(), day
    _save(sub, actor)
    _event(actor, sub, "submit", "报送区政府办公室", before, rule_id="DOC-1")
    _tell(office_people(), sub, f"【收文待登记】{sub.unit.display_name}：{sub.title}")
    return sub


# --- registration and the office (DOC-3, DOC-13, DOC-11) -------------------------------------------------


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
    if disagreeing_unit_ids(sub):
        lines.append("附分歧意见说明（已会签）")
    return "\n".join(lines)


@transaction.atomic
def register(*, actor, submission: Submission, today: dt.date | None = None) -> ProcessingSlip:
    """Office staff register the submission with a processing slip (DOC-3) and start the approval
    clock by urgency (DOC-13: 10/5/3/2 WD from registration)."""
    day = _today(today)
    sub = _lock(submission, S.SUBMITTED, day=day)
    before = _fire(sub, "register", actor)
    shortfall = decision_time_shortfall(sub, day, "登记日")  # DOC-10 counts "from registration"
    if shortfall:
        raise DocumentRuleError(
            "DOC-10",
            f"不能登记：{shortfall}。请以“{ReturnReason.NO_TIME_TO_DECIDE.label}”为由退回来文单位（DOC-10）",
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
        copies=sub.copies,
        attachment_count=sub.attachments.count(),
        title=sub.title,
        approval_workdays=workdays,
        approval_due=wd.add_workdays(day, workdays),
        leader_sign_workdays=LEADER_SIGN_WORKDAYS.get(urgency),
        consultation_summary=_consultation_summary(sub),
    )
    sub.current_slip = slip
    _save(sub, actor)
    _grant_reader(sub, actor)
    open_deadline(
        subject=sub,
        rule_id="DOC-13",
        title=f"{slip.get_urgency_display()}公文审批（收文{number}）",
        counted_from=day,
        workdays=workdays,
        owner_user=actor,
        owner_post=_office_director_post(),
        url=submission_url(sub),
    )
    _event(
        actor,
        sub,
        "register",
        "登记",
        before,
        opinion=f"收文编号{number}；{slip.get_urgency_display()}，{workdays}个工作日内（{slip.approval_due}前）完成审批",
        rule_id="DOC-13",
    )
    _tell(unit_people(sub.unit) + [sub.drafted_by], sub, f"【已登记】{sub.title}（收文编号{number}）")
    return slip


def _return(actor, sub: Submission, transition_name: str, reason: str, text: str, handler=None, check_perm=True):
    before = _fire(sub, transition_name, actor, check_perm=check_perm)
    sub.return_reason, sub.return_text = reason, text
    _save(sub, actor)
    for a in sub.assignments.filter(state__in=[LeaderAssignment.State.PENDING, LeaderAssignment.State.WAITING]):
        a.state = LeaderAssignment.State.CANCELLED
        a.save(update_fields=["state"])
        cancel_deadlines(subject=a, note="公文已退回")
    close_deadline(subject=sub, rule_id="DOC-13", note="已退回来文单位", on=getattr(sub, "_day", None))
    rule = RETURN_REASON_RULE.get(ReturnReason(reason), "")
    _event(
        actor,
        sub,
        "return",
        "退回",
        before,
        opinion=f"{ReturnReason(reason).label}。{text}".strip(),
        rule_id=rule,
        handler=handler,
    )
    _tell(
        unit_people(sub.unit) + [sub.drafted_by],
        sub,
        f"【公文被退回】{sub.title}",
        f"退回原因：{ReturnReason(reason).label}。{text}",
        level="alert",
    )


@transaction.atomic
def return_submission(
    *, actor, submission: Submission, reason: str, text: str, today: dt.date | None = None
) -> Submission:
    """The office sends a submission back with its reason (ORG-5, DOC-5, DOC-1, DOC-4, DOC-15, DOC-16 …)."""
    sub = _lock(submission, *RETURNABLE_BY_OFFICE, day=_today(today))
    if reason not in ReturnReason.values or reason == ReturnReason.LEADER_RETURN:
        raise DocumentError("请选择退回原因。")
    if not text.strip():
        raise DocumentError("请写明退回说明，来文单位将看到这段文字。")
    _return(actor, sub, "office_return", reason, text.strip())
    return sub


def _slip(sub: Submission) -> ProcessingSlip:
    if sub.current_slip_id is None:
        raise DocumentError("该公文尚未登记。")
    return sub.current_slip


@transaction.atomic
def office_review_opinion(*, actor, submission: Submission, opinion: str, today: dt.date | None = None) -> Instruction:
    """DOC-11: the office deputy director in charge reviews first, then the office director."""
    day = _today(today)
    sub = _lock(submission, S.REGISTERED, S.OFFICE_REVIEW, day=day)
    if not opinion.strip():
        raise DocumentError("请填写审核意见。")
    deputy = permissions.handler_for_kind(actor, day, Post.Kind.OFFICE_DEPUTY_DIRECTOR)
    director = permissions.handler_for_kind(actor, day, Post.Kind.OFFICE_DIRECTOR)
    if sub.state == S.REGISTERED:
        from .issuance import briefing_violations  # flow B module; imported late: it imports this one

        for violation in briefing_violations(sub):  # DOC-16: a briefing goes on only once the office approved it
            raise violation
        if deputy is None:
            if director is not None:
                raise DocumentRuleError("DOC-11", "须先经办公室分管副主任审核，再由办公室主任审核")
            raise ActionNotAllowed("只有办公室分管副主任可以进行此项审核。")
        handler, step, transition_name = deputy, Instruction.Step.OFFICE_DEPUTY, "deputy_director_review"
    else:
        if director is None:
            if deputy is not None:
                raise DocumentRuleError("DOC-11", "办公室分管副主任已审核，须由办公室主任审核")
            raise ActionNotAllowed("只有办公室主任可以进行此项审核。")
        handler, step, transition_name = director, Instruction.Step.OFFICE_DIRECTOR, "director_review"
    before = _fire(sub, transition_name, actor)
    _save(sub, actor)
    instruction = Instruction.objects.create(
        submission=sub,
        slip=_slip(sub),
        step=step,
        decision=Decision.REVIEWED,
        opinion=opinion.strip(),
        author=actor,
        post=handler.post,
        capacity=handler.capacity,
        acting_for=handler.absent_person if handler.is_acting else None,
    )
    _event(
        actor,
        sub,
        "office_review",
        Instruction.Step(step).label,
        before,
        opinion=opinion,
        rule_id="DOC-11",
        handler=handler,
    )
    if step == Instruction.Step.OFFICE_DEPUTY:
        post = _office_director_post()
        if post is not None:
            h = who_handles(post, day)
            _tell([h.person], sub, f"【待审核】{sub.title}")
    else:
        _tell(office_people(), sub, f"【待呈批】{sub.title}")
    return instruction


def _leader_due(slip: ProcessingSlip, day: dt.date) -> dt.date:
    """The leader's step ends with the slip's approval limit; a 特急重要 item within 1 WD (DOC-13)."""
    due = slip.approval_due
    sign = LEADER_SIGN_WORKDAYS.get(Urgency(slip.urgency))
    if sign:
        due = min(due, wd.add_workdays(day, sign)) if due >= day else wd.add_workdays(day, sign)
    return max(due, day)


def _assign(sub: Submission, post: Post, *, actor, day, mode, batch, order, pending: bool) -> LeaderAssignment:
    slip = _slip(sub)
    a = LeaderAssignment.objects.create(
        submission=sub,
        slip=slip,
        post=post,
        mode=mode,
        batch=batch,
        order=order,
        state=LeaderAssignment.State.PENDING if pending else LeaderAssignment.State.WAITING,
        urgency_rank=URGENCY_RANK[Urgency(sub.urgency)],
        assigned_by=actor,
    )
    if pending:
        _activate(a, sub, day)
    return a


def _activate(a: LeaderAssignment, sub: Submission, day) -> None:
    a.state, a.assigned_on, a.due = LeaderAssignment.State.PENDING, day, _leader_due(a.slip, day)
    a.save(update_fields=["state", "assigned_on", "due"])
    open_deadline(
        subject=a,
        rule_id="DOC-13",
        title=f"领导签批：{sub.title}"[:200],
        counted_from=day,
        due=a.due,
        owner_post=a.post,
        url=submission_url(sub),
    )
    handler = who_handles(a.post, day)
    _tell([handler.person], sub, f"【待批示】{sub.get_urgency_display()}：{sub.title}", f"请于{a.due}前签批。")


def _next_batch(sub: Submission) -> int:
    return (sub.assignments.aggregate(m=Max("batch"))["m"] or 0) + 1


@transaction.atomic
def route_to_leader(*, actor, submission: Submission, today: dt.date | None = None) -> LeaderAssignment:
    """DOC-11: to the leader whose portfolio covers the unit that day (ORG-2); an absent leader's
    acting deputy receives it (ORG-3, LEAVE-4) — the deadline belongs to the post, so it follows the acting."""
    day = _today(today)
    sub = _lock(submission, S.AWAITING_ROUTING, day=day)
    handler = leader_for_unit(sub.unit, day)
    if handler is None:
        raise DocumentRuleError("ORG-2", f"{sub.unit.display_name}在{day}没有分管领导，也没有区长职务，无法呈批")
    before = _fire(sub, "route", actor)
    _save(sub, actor)
    a = _assign(
        sub,
        handler.post,
        actor=actor,
        day=day,
        mode=LeaderAssignment.Mode.SINGLE,
        batch=_next_batch(sub),
        order=1,
        pending=True,
    )
    who = handler.person.display_name if handler.person else "（空缺）"
    shown = f"{who}（{handler.capacity}）" if handler.is_acting else f"{who}（{handler.post.title}）"
    _event(actor, sub, "route_to_leader", "呈批", before, opinion=f"按分工呈{shown}审批", rule_id="DOC-11")
    return a


@transaction.atomic
def send_to_leaders(
    *, actor, submission: Submission, mode: str, posts: list[Post], today: dt.date | None = None
) -> list[LeaderAssignment]:
    """DOC-12: an urgent submission goes to several leaders in series or in parallel."""
    day = _today(today)
    sub = _lock(submission, S.AWAITING_ROUTING, day=day)
    if sub.urgency not in URGENT_KINDS:
        raise DocumentRuleError("DOC-12", "只有紧急公文可以串并联分送多位领导审批")
    if mode not in (LeaderAssignment.Mode.SERIAL, LeaderAssignment.Mode.PARALLEL):
        raise DocumentError("请选择串联或并联。")
    ids = [p.pk for p in posts]
    if len(ids) < 2 or len(set(ids)) != len(ids):
        raise DocumentError("请选择两位及以上不同的领导。")
    if any(p.kind not in Post.LEADER_KINDS for p in posts):
        raise DocumentError("只能分送区政府领导审批。")
    before = _fire(sub, "route", actor)
    _save(sub, actor)
    batch = _next_batch(sub)
    parallel = mode == LeaderAssignment.Mode.PARALLEL
    created = [
        _assign(sub, p, actor=actor, day=day, mode=mode, batch=batch, order=i + 1, pending=parallel or i == 0)
        for i, p in enumerate(posts)
    ]
    _event(
        actor,
        sub,
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


@transaction.atomic
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
    day = _today(today)
    sub = _lock(submission, day=day)
    posts = permissions.handled_post_ids(actor, day)
    a = (
        sub.assignments.select_for_update(of=("self",))
        .filter(state=LeaderAssignment.State.PENDING, post_id__in=posts)
        .select_related("post", "slip")
        .order_by("batch", "order", "id")
        .first()
    )
    if sub.state != S.LEADER_REVIEW or a is None:
        done = (
            sub.assignments.filter(post_id__in=posts, state=LeaderAssignment.State.DONE)
            .select_related("handled_by")
            .order_by("-done_at")
            .first()
        )
        if done is not None or (submission.state == S.LEADER_REVIEW and sub.state != S.LEADER_REVIEW):
            raise _already_handled(sub)
        raise ActionNotAllowed("该公文不在您的待批事项中。")
    if decision not in LEADER_DECISIONS:
        raise DocumentError("请选择批示意见。")
    if not opinion.strip():
        raise DocumentError("请填写批示意见。")
    multi = a.mode != LeaderAssignment.Mode.SINGLE
    if multi and decision not in (Decision.APPROVE, Decision.DISAPPROVE):
        raise DocumentRuleError("DOC-12", "串并联审批中请直接批示同意或不同意，意见将汇总办理")
    handler = who_handles(a.post, day)
    if decision == Decision.PASS and (
        to_post is None or to_post.kind not in Post.LEADER_KINDS or to_post.pk == a.post_id
    ):
        raise DocumentRuleError("DOC-11", "请选择另一位区政府领导转批")
    if decision == Decision.ESCALATE:
        to_post = head_post()
        if to_post is None or to_post.pk == a.post_id:
            raise DocumentRuleError("DOC-11", "区长审批的事项无需再报区长")

    instruction = Instruction.objects.create(
        submission=sub,
        slip=a.slip,
        step=Instruction.Step.LEADER,
        decision=decision,
        opinion=opinion.strip(),
        author=actor,
        post=a.post,
        capacity=handler.capacity,
        acting_for=handler.absent_person if handler.is_acting else None,
    )
    a.state, a.handled_by, a.instruction, a.done_at = LeaderAssignment.State.DONE, actor, instruction, timezone.now()
    a.save(update_fields=["state", "handled_by", "instruction", "done_at"])
    close_deadline(subject=a, rule_id="DOC-13", note=Decision(decision).label, on=day)
    label = f"领导批示：{Decision(decision).label}"
    rule = "DOC-12" if multi else "DOC-11"
    nxt = None

    if multi:
        batch = sub.assignments.filter(batch=a.batch)
        waiting = batch.filter(state=LeaderAssignment.State.WAITING).order_by("order").first()
        if a.mode == LeaderAssignment.Mode.SERIAL and waiting is not None:
            _activate(waiting, sub, day)
            nxt = waiting
        if batch.filter(state__in=[LeaderAssignment.State.PENDING, LeaderAssignment.State.WAITING]).exists():
            _save(sub, actor)
            _event(actor, sub, "leader_instruction", label, opinion=opinion, rule_id=rule, handler=handler)
            return LeaderDecision(sub, instruction, nxt)
        disapproved = batch.filter(instruction__decision=Decision.DISAPPROVE).exists()
        _finish(actor, sub, "disapprove" if disapproved else "approve", label, opinion, rule, handler)
        return LeaderDecision(sub, instruction)

    if decision in (Decision.APPROVE, Decision.DISAPPROVE):
        _finish(actor, sub, "approve" if decision == Decision.APPROVE else "disapprove", label, opinion, rule, handler)
    elif decision == Decision.RETURN:
        _return(actor, sub, "leader_return", return_reason, opinion.strip(), handler=handler, check_perm=False)
    else:  # pass / escalate: the next leader's step in the same batch
        nxt = _assign(
            sub,
            to_post,
            actor=actor,
            day=day,
            mode=LeaderAssignment.Mode.SINGLE,
            batch=a.batch,
            order=a.order + 1,
            pending=True,
        )
        _save(sub, actor)
        _event(
            actor,
            sub,
            f"leader_{decision}",
            label,
            opinion=f"{opinion}（转{to_post.title}）",
            rule_id=rule,
            handler=handler,
        )
    return LeaderDecision(sub, instruction, nxt)


def instruction_text(instruction: Instruction) -> str:
    """A decision with its opinion, the label said once: a leader who writes "同意。请财政局抓紧落实" under
    "同意" reads "同意。请财政局抓紧落实", not "同意。同意。…" (notifications, the slip and its .docx)."""
    label = instruction.get_decision_display()
    opinion = instruction.opinion.strip()
    return opinion if opinion.startswith(label) else f"{label}。{opinion}"


def _finish(actor, sub: Submission, transition_name: str, label: str, opinion: str, rule: str, handler) -> None:
    # The permission was established on the LeaderAssignment under the lock; in parallel routing the
    # last leader's own step is already marked done, so the object check is not repeated here.
    before = _fire(sub, transition_name, actor, check_perm=False)
    _save(sub, actor)
    close_deadline(subject=sub, rule_id="DOC-13", note=sub.get_state_display(), on=getattr(sub, "_day", None))
    _event(actor, sub, f"leader_{transition_name}", label, before, opinion=opinion, rule_id=rule, handler=handler)
    lines = [
        f"{i.post.title}（{i.capacity}）：{instruction_text(i)}"
        for i in sub.instructions.filter(step=Instruction.Step.LEADER).select_related("post")
    ]
    _tell(unit_people(sub.unit) + [sub.drafted_by], sub, f"【{sub.get_state_display()}】{sub.title}", "\n".join(lines))
    _tell(office_people(), sub, f"【领导已批示，待办结】{sub.title}")


@transaction.atomic
def notify_units_to_prepare(
    *, actor, submission: Submission, units: Iterable[Unit], text: str, today: dt.date | None = None
) -> list[PreparationNotice]:
    """DOC-12: while approval is pending the office may tell units to get ready (先行做好落实准备)."""
    sub = _lock(submission, S.LEADER_REVIEW, day=_today(today))
    if not permissions.can_notify_units(actor, sub):
        raise ActionNotAllowed("只有区政府办公室可以通知相关单位做好落实准备。")
    units = list(units)
    if not units or not text.strip():
        raise DocumentError("请选择单位并填写通知内容。")
    notices = [
        PreparationNotice.objects.create(submission=sub, unit=u, text=text.strip(), notified_by=actor) for u in units
    ]
    for u in units:
        notify(
            recipients=unit_people(u),
            subject=f"【请做好落实准备】{sub.title}",
            body=f"{text.strip()}\n（该事项正在呈报区政府领导审批）",
        )
    _event(
        actor,
        sub,
        "notify_units_to_prepare",
        "通知做好落实准备",
        opinion=f"{'、'.join(u.display_name for u in units)}：{text.strip()}",
        rule_id="DOC-12",
    )
    return notices


@transaction.atomic
def close_submission(*, actor, submission: Submission, result: str = "", today: dt.date | None = None) -> Submission:
    """The office closes the matter (办结) and the unit receives the instructions."""
    day = _today(today)
    sub = _lock(submission, S.APPROVED, S.DISAPPROVED, day=day)
    before = _fire(sub, "close", actor)
    _save(sub, actor)
    slip = _slip(sub)
    slip.result = result.strip() or SubmissionState(before).label
    slip.closed_on = day
    slip.save(update_fields=["result", "closed_on"])
    _event(actor, sub, "close", "办结", before, opinion=slip.result)
    _tell(unit_people(sub.unit) + [sub.drafted_by], sub, f"【已办结】{sub.title}", slip.result)
    return sub


@transaction.atomic
def revise(*, actor, submission: Submission, today: dt.date | None = None) -> Submission:
    """The unit takes a returned, or a signed but not yet submitted, submission back to drafting; it must be
    signed again (DOC-2). Without the second source a submission check failing after signature left it stuck."""
    sub = _lock(submission, S.RETURNED, S.SIGNED, day=_today(today))
    before = _fire(sub, "revise", actor)
    sub.signed_by = sub.signed_post = sub.signed_at = None
    sub.submitted_at = sub.submitted_on = None
    _save(sub, actor)
    _event(actor, sub, "revise", "修改后重新报送" if before == S.RETURNED else "签发后收回修改", before)
    return sub

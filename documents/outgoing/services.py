"""Every write of flow B (发文, DOC-8/9/14..18): drafting, countersigning, 核稿, legality review, the deputies'
review, signature with its number, issue and filing — one function per user action, each a step of the workflow
kernel (lock, the state the user saw, the rule, the protected transition, the audit event, clocks, people told,
and on leaving the step the document's tasks follow its new state: `documents.outgoing.flow`).

`today` exists so that tests and back-filled imports can state the day of the action; views never pass it.
"""

from __future__ import annotations

import datetime as dt
import re
import unicodedata
from collections.abc import Iterable

from django.db import IntegrityError, transaction
from django.utils import timezone
from guardian.shortcuts import assign_perm

from documents.register.models import PublicRegisterEntry
from documents.register.services import publish_to_register, withdraw_from_register
from documents.shared.choices import Disclosure
from documents.shared.models import NormativeChecklistItem
from documents.shared.normative import needs_checklist, normative_violations, store_checklist_step
from documents.shared.people import office_people, own_post_title, unit_people, unit_signers
from documents.shared.readers import set_named_reader
from documents.submissions.checks import SECRECY_ARTICLE
from documents.submissions.models import SubmissionState
from tiexi_gov.audit import changes
from tiexi_gov.audit.services import record_event
from tiexi_gov.deadlines.services import close_deadline, open_deadline
from tiexi_gov.org.models import Post, Unit, User
from tiexi_gov.org.selectors import carries_authority, leader_post_for_unit, posts_held_by, who_handles
from tiexi_gov.references import normalise_reference
from tiexi_gov.text import strip_text
from tiexi_gov.uploads import checked_upload
from tiexi_gov.workflow import kernel
from tiexi_gov.workflow.errors import ActionRefused, AlreadyHandled, NotAllowed, RuleViolation, raise_all
from tiexi_gov.workflow.kernel import Step, already_handled, lock_row, state_refusal, step, today_or

from . import permissions
from .models import (
    DEPUTY_REVIEWED_KINDS,
    KIND_ISSUERS,
    OFFICE_CHECKED_KINDS,
    OUTGOING_IN_PROGRESS,
    OUTGOING_RETURN_RULE,
    PARTY_KINDS,
    DeputyReview,
    DocumentNumberCounter,
    DocumentPlan,
    Issuer,
    LegalityReview,
    OneOffApproval,
    OutgoingAttachment,
    OutgoingCountersign,
    OutgoingDocument,
    OutgoingKind,
    OutgoingReturnReason,
    OutgoingState,
    PlanItem,
    PolicyInterpretation,
)

OS = OutgoingState
EDITABLE = (OS.DRAFTING, OS.RETURNED)

# DOC-14 (第六十二条): an office-name document conveying a decision must say 经区政府批准（同意）.
GOV_APPROVAL_PHRASE = re.compile(r"经区政府(?:批准|同意)")

# DOC-15 (第六十三条): a department issuing an approved matter states 已经区政府同意.
DEPT_APPROVAL_PHRASE = "已经区政府同意"

# Default 发文字号 代字 per issuer (铁西政发〔2026〕N号, 铁西政办发〔2026〕N号).
DEFAULT_SERIES = {Issuer.GOVERNMENT: "铁西政发", Issuer.OFFICE: "铁西政办发"}

# 备案 after issue (第二十六条 "按规定及时…备案"). The working rules give no number; 30 days is the usual limit of
# the provincial filing rules. An assumption to confirm with the office (kept in one place).
FILING_DAYS = 30

GOVERNMENT_UNIT_KINDS = (Unit.Kind.OFFICE, Unit.Kind.DEPARTMENT, Unit.Kind.AFFILIATED, Unit.Kind.INSTITUTION)

DRAFT_FIELDS = frozenset(
    {
        "title",
        "body",
        "main_recipients",
        "copy_to",
        "copies",
        "is_joint",
        "disclosure",
        "disclosure_manner",
        "disclosure_reason",
        "not_classified",
        "confidential",
        "normative",
        "touches_market",
        "case_by_case_policy",
        "affects_public",
        "plan_item",
        "approved_submission",
        "directive_to_townships",
        "mainly_government_duties",
        "series_prefix",
    }
)


def _drafters(doc: OutgoingDocument) -> list[User]:
    return [*unit_people(doc.drafting_unit), doc.drafted_by]


def _grant_reader(doc: OutgoingDocument, user) -> None:
    if doc.confidential and user is not None:
        assign_perm(f"documents.{permissions.OUTGOING_READ_PERM}", user, doc)


def _apply_fields(doc: OutgoingDocument, fields: dict) -> None:
    unknown = set(fields) - DRAFT_FIELDS
    if unknown:
        raise ValueError(f"unknown draft fields: {sorted(unknown)}")
    item = fields.get("plan_item")
    if item is not None and item.pk != doc.plan_item_id and not _lock_plan_item(item.pk):
        # Taken out of the plan while the form was open (remove_plan_item holds the same row lock).
        raise ActionRefused(f"发文计划事项“{item.title}”已被删除，请重新选择。")
    for name, value in fields.items():
        setattr(doc, name, value)
    if not (doc.title or "").strip():
        raise ActionRefused("标题不能为空。")


def _lock_plan_item(pk) -> bool:
    """Lock a plan item's row for the rest of the transaction; False when it no longer exists. A draft naming the
    item and the item's removal take this lock in turn, so the removal sees the committed draft and refuses, or the
    draft sees the item gone: never a document pointing at a deleted item (a database error, a 500)."""
    return PlanItem.objects.select_for_update(of=("self",)).filter(pk=pk).exists()


# --- drafting ----------------------------------------------------------------------------------------------------


@transaction.atomic
def create_outgoing(
    *,
    actor,
    kind: str,
    title: str,
    issuer: str | None = None,
    countersign_units: Iterable[Unit] = (),
    files: Iterable = (),
    today: dt.date | None = None,
    **fields,
) -> OutgoingDocument:
    """A unit's clerk (or the office) starts a 发文稿纸. The drafting unit is the clerk's own. Its 附件 files are
    saved with it or not at all."""
    if actor.unit_id is None:
        raise NotAllowed("您不属于任何单位，不能起草发文。")
    if kind not in OutgoingKind.values:
        raise ActionRefused("请选择发文类别。")
    allowed = KIND_ISSUERS[OutgoingKind(kind)]
    issuer = issuer or allowed[0]
    if issuer not in allowed:
        raise RuleViolation(
            "DOC-14", f"“{OutgoingKind(kind).label}”的发文机关只能是{'或'.join(Issuer(i).label for i in allowed)}"
        )
    if kind == OutgoingKind.OFFICE_REMIT and actor.unit.kind != Unit.Kind.OFFICE:
        raise RuleViolation("DOC-14", "属区政府办公室职责范围内的发文由区政府办公室起草")
    doc = OutgoingDocument(issuer=issuer, kind=kind, drafting_unit=actor.unit, drafted_by=actor, title=title)
    _apply_fields(doc, fields)
    doc.last_handled_by, doc.last_handled_at = actor, timezone.now()
    doc.save()
    with step(doc, actor=actor, today=today) as s:
        s.obj.countersign_units.set([u for u in countersign_units if u.pk != s.obj.drafting_unit_id])
        _grant_reader(s.obj, actor)
        s.record("outgoing_create", "起草发文", opinion=f"{s.obj.get_kind_display()}：{s.obj.title}")
        for f in files:
            store_outgoing_attachment(s, f)
    return s.obj


def update_outgoing(
    *,
    actor,
    document: OutgoingDocument,
    countersign_units: Iterable[Unit] | None = None,
    files: Iterable = (),
    today=None,
    **fields,
) -> OutgoingDocument:
    with step(document, actor=actor, expect=EDITABLE, today=today) as s:
        doc = s.obj
        if not permissions.can_edit_outgoing(actor, doc):
            raise NotAllowed("您无权修改该发文。")
        units = None if countersign_units is None else [u for u in countersign_units if u.pk != doc.drafting_unit_id]
        changed = changes.diff(doc, fields) + (
            changes.diff_related(doc, "countersign_units", units) if units is not None else []
        )
        _apply_fields(doc, fields)
        if units is not None:
            doc.countersign_units.set(units)
        if doc.confidential:
            _grant_reader(doc, doc.drafted_by)
        if changed:  # a form posted back unchanged leaves no record and no trace on the item
            s.touch()
            s.record("outgoing_edit", "修改发文稿", opinion=changes.summary(changed))
        for f in files:
            store_outgoing_attachment(s, f)
    return s.obj


def store_outgoing_attachment(
    s: Step, file, purpose: str = OutgoingAttachment.Purpose.ATTACHMENT, title: str = ""
) -> OutgoingAttachment:
    """Attach a file to the step's document (附件, evidence of a DOC-8 step, interpretation material); its type
    is decided by its bytes."""
    doc, actor = s.obj, s.actor
    if not permissions.can_edit_outgoing(actor, doc):
        raise NotAllowed("您无权为该发文添加附件。")
    upload = checked_upload(file)
    att = OutgoingAttachment(
        document=doc,
        purpose=purpose,
        title=title.strip()[:200],
        original_name=upload.name,
        content_type=upload.content_type,
        size=upload.size,
        uploaded_by=actor,
    )
    att.file.save(att.original_name, file, save=False)
    att.save()
    s.record("outgoing_attachment", "添加附件", opinion=f"{att.get_purpose_display()}：{att}")
    return att


def add_outgoing_attachment(
    *,
    actor,
    document: OutgoingDocument,
    file,
    purpose: str = OutgoingAttachment.Purpose.ATTACHMENT,
    title: str = "",
    today=None,
) -> OutgoingAttachment:
    with step(document, actor=actor, expect=EDITABLE, today=today) as s:
        return store_outgoing_attachment(s, file, purpose, title)


def _set_outgoing_reader(document: OutgoingDocument, *, actor, user, grant: bool, today) -> None:
    with step(document, actor=actor, today=today) as s:
        set_named_reader(
            s,
            user=user,
            grant=grant,
            may_manage=permissions.can_grant_outgoing_reader,
            is_named=permissions.is_named_outgoing_reader,
            perm=permissions.OUTGOING_READ_PERM,
            noun="发文",
            action_prefix="outgoing_",
        )


@transaction.atomic
def grant_outgoing_reader(*, actor, document: OutgoingDocument, user, today=None) -> None:
    """Name a reader of a confidential outgoing document (X-2)."""
    _set_outgoing_reader(document, actor=actor, user=user, grant=True, today=today)


@transaction.atomic
def revoke_outgoing_reader(*, actor, document: OutgoingDocument, user, today=None) -> None:
    """Take a named reader off a confidential outgoing document (X-2); the drafter stays."""
    _set_outgoing_reader(document, actor=actor, user=user, grant=False, today=today)


def countersign_outgoing(*, actor, document: OutgoingDocument, opinion: str = "", today=None) -> OutgoingCountersign:
    """会签: a unit listed on the draft sheet signs it; its head or an authorized deputy signs for it — or whoever
    acts for them (LEAVE-4)."""
    with step(document, actor=actor, expect=(OS.DRAFTING, OS.OFFICE_CHECK), today=today) as s:
        doc = s.obj
        if not permissions.can_countersign(actor, doc):
            raise NotAllowed("只有会签单位可以会签该发文。")
        handler = permissions.countersign_handler(actor, doc, s.day)
        if handler is None:
            raise NotAllowed("会签须由本单位主要负责人或经授权的分管负责人签署。")
        if OutgoingCountersign.objects.filter(document=doc, unit_id=handler.post.unit_id).exists():
            raise AlreadyHandled("本单位已会签该发文。")
        s.fire("countersign")
        sign = OutgoingCountersign.objects.create(
            document=doc, unit_id=handler.post.unit_id, signed_by=actor, post=handler.post, opinion=strip_text(opinion)
        )
        s.record(
            "outgoing_countersign",
            "会签",
            opinion=opinion,
            handler=handler,
            capacity="" if handler.is_acting else handler.post.title,
        )
        s.tell(_drafters(doc), f"【已会签】{handler.post.unit.display_name}：{doc.title}", opinion)
    return sign


@transaction.atomic
def record_checklist_step(
    *,
    actor,
    document: OutgoingDocument,
    step: str,
    done: bool,
    evidence: str = "",
    reason: str = "",
    evidence_file: OutgoingAttachment | None = None,
    today=None,
) -> NormativeChecklistItem:
    """DOC-8: a step is done with its evidence, or not done with the specific reason (应说明具体理由)."""
    checklist_step = step
    with kernel.step(document, actor=actor, expect=EDITABLE, today=today) as s:
        doc = s.obj
        if not permissions.can_edit_outgoing(actor, doc):
            raise NotAllowed("您无权填报该发文的制发程序。")
        if not needs_checklist(doc):
            raise ActionRefused("该发文不是规范性文件，也不是“一事一议”形式的具体政策措施，无需填报制发程序。")
        item = store_checklist_step(
            actor=actor,
            subject=doc,
            step=checklist_step,
            done=done,
            evidence=evidence,
            reason=reason,
            file=evidence_file,
        )
        if not item.changed:
            return item
        s.record(
            "normative_step",
            f"规范性文件程序：{item.get_step_display()}",
            opinion=f"{item.get_status_display()}。{item.evidence or item.skip_reason}",
            rule_id="DOC-8",
        )
    return item


def record_legality_review(
    *,
    actor,
    document: OutgoingDocument,
    passed: bool,
    opinion: str,
    creates_licensing: bool = False,
    creates_penalty: bool = False,
    creates_coercion: bool = False,
    reduces_rights: bool = False,
    within_authority: bool = False,
    procedure_complete: bool = False,
    today=None,
) -> LegalityReview:
    """DOC-8 (第二十四条、第二十六条): 司法局 reviews a normative draft with its checklist (审查要点). A draft that
    creates licensing, penalties or coercive measures, or one outside the legal authority or with incomplete
    procedure, cannot pass; not passing returns it to the drafting unit."""
    with step(document, actor=actor, expect=(OS.LEGALITY_REVIEW,), today=today) as s:
        doc, day = s.obj, s.day
        if not permissions.can_legality_review(actor, doc):
            raise NotAllowed("合法性审查由区司法局进行。")
        if not strip_text(opinion):
            raise ActionRefused("请填写审查意见。")
        creates = [
            label
            for flag, label in (
                (creates_licensing, "行政许可"),
                (creates_penalty, "行政处罚"),
                (creates_coercion, "行政强制"),
            )
            if flag
        ]
        if passed:
            problems = []
            if creates:
                problems.append(f"规范性文件不得设定{'、'.join(creates)}等事项")
            if reduces_rights:
                problems.append("规范性文件不得违法减损公民、法人和其他组织的合法权益或增加其义务")
            if not within_authority:
                problems.append("须确认符合法定权限")
            if not procedure_complete or normative_violations(doc):
                problems.append("须确认制定程序完备（公众参与、专家论证、风险评估、合法性审查、集体讨论等）")
            if problems:
                raise RuleViolation("DOC-8", "不能审查通过：" + "；".join(problems))
        review = LegalityReview.objects.create(
            document=doc,
            round=doc.review_round,
            reviewer=actor,
            reviewer_post=next(iter(p for p in posts_held_by(actor, day) if p.unit_id == actor.unit_id), None),
            creates_licensing=creates_licensing,
            creates_penalty=creates_penalty,
            creates_coercion=creates_coercion,
            reduces_rights=reduces_rights,
            within_authority=within_authority,
            procedure_complete=procedure_complete,
            conclusion=LegalityReview.Conclusion.PASSED if passed else LegalityReview.Conclusion.NOT_PASSED,
            opinion=strip_text(opinion),
        )
        capacity = f"{actor.unit.display_name}·{own_post_title(actor, actor.unit_id, day)}"
        if not passed:
            text = strip_text(opinion)
            if creates:
                text = f"设定了{'、'.join(creates)}。{text}"
            _send_back(s, OutgoingReturnReason.LEGALITY, text, capacity=capacity)
        else:
            _advance_after_checks(s, "legality_review", "合法性审查通过", opinion, "DOC-8", capacity=capacity)
    return review


def record_party_office_opinion(
    *, actor, document: OutgoingDocument, opinion: str, on_date: dt.date, today=None
) -> OutgoingDocument:
    """DOC-9: a joint 区委+区政府 draft asks the 区委办公室's opinion on issuing it before going to the government."""
    with step(document, actor=actor, expect=EDITABLE, today=today) as s:
        doc = s.obj
        if not permissions.can_edit_outgoing(actor, doc):
            raise NotAllowed("您无权修改该发文。")
        if doc.kind != OutgoingKind.JOINT_PARTY:
            raise ActionRefused("只有拟以区委、区政府名义联合发文的文件稿需要征求区委办公室意见。")
        if not strip_text(opinion):
            raise RuleViolation("DOC-9", "请填写区委办公室的意见")
        if on_date > s.day:
            raise RuleViolation("DOC-9", f"征求区委办公室意见的日期（{on_date}）不能晚于今天（{s.day}）")
        if (doc.party_office_opinion, doc.party_office_opinion_on) == (strip_text(opinion), on_date):
            return s.obj  # the same opinion posted again (a second tab, a double click): nothing to record
        doc.party_office_opinion, doc.party_office_opinion_on = strip_text(opinion), on_date
        s.touch()
        s.record("party_office_opinion", "征求区委办公室意见", opinion=opinion, rule_id="DOC-9")
    return s.obj


def send_to_party_committee(*, actor, document: OutgoingDocument, today=None) -> OutgoingDocument:
    """DOC-9: once the government has reviewed and signed the draft, it goes to the 区委."""
    with step(document, actor=actor, today=today) as s:
        doc = s.obj
        if not doc.is_party_draft:
            raise ActionRefused("该发文不是报区委的文件稿。")
        if doc.state != OS.SIGNED:
            raise RuleViolation(
                "DOC-9",
                f"内容主要涉及政府职责的文件稿，须先按程序报区政府履行审议或审批程序（当前：{doc.get_state_display()}），"
                "方可提请区委审议或联合发文",
            )
        before = s.fire("send_to_party")
        doc.sent_to_party_on = s.day
        s.record("send_to_party", "报区委", before, rule_id="DOC-9")
        s.tell(_drafters(doc), f"【已报区委】{doc.title}")
    return s.obj


# --- DOC-15: plans and one-off approvals -------------------------------------------------------------------------


def _check_year_open(year: int, today=None) -> None:
    """DOC-15: a plan is written for the current or a coming year; a past year's plan is the record, not a draft."""
    day = today_or(today)
    if year < day.year:
        raise ActionRefused(f"{year}年度已结束，年度发文计划不能再修改。")


@transaction.atomic
def create_plan(
    *, actor, issuer: str, year: int, unit: Unit | None = None, items: Iterable[str] = (), today=None
) -> DocumentPlan:
    """DOC-15: the government's / the office's plan is kept by the office; a department (its clerk or head) keeps
    its own."""
    if issuer == Issuer.DEPARTMENT:
        if unit is None or not permissions.can_keep_plan(actor, unit):
            raise NotAllowed("部门年度发文计划由本部门文书或负责人编制。")
    else:
        unit = None
        if not permissions.is_office_staff(actor):
            raise NotAllowed("区政府及区政府办公室年度发文计划由区政府办公室编制。")
    _check_year_open(year, today)
    exists = ActionRefused(f"{year}年度发文计划已存在，请在原计划中增加事项。")
    if DocumentPlan.objects.filter(issuer=issuer, unit=unit, year=year).exists():
        raise exists
    try:  # one plan per issuer (and unit) and year is held by the database; one created meanwhile is the same refusal
        with transaction.atomic():
            plan = DocumentPlan.objects.create(issuer=issuer, unit=unit, year=year, created_by=actor)
    except IntegrityError:
        raise exists from None
    for title in items:
        PlanItem.objects.create(plan=plan, title=title)
    record_event(
        actor=actor,
        subject=plan,
        action="plan_create",
        action_label="编制年度发文计划",
        opinion="；".join(items),
        rule_id="DOC-15",
        capacity="本职",
    )
    return plan


@transaction.atomic
def add_plan_item(
    *,
    actor,
    plan: DocumentPlan,
    title: str,
    drafting_unit: Unit | None = None,
    planned_month: int | None = None,
    today=None,
) -> PlanItem:
    plan = DocumentPlan.objects.select_for_update().get(pk=plan.pk)
    if not permissions.can_keep_plan(actor, plan):
        raise NotAllowed("您无权修改该发文计划。")
    _check_year_open(plan.year, today)
    if plan.unit_id:
        drafting_unit = plan.unit  # a department plans its own documents
    if not title.strip():
        raise ActionRefused("请填写拟发文件。")
    if plan.items.filter(title=title.strip()).exists():  # the form posted twice: one matter is one item (DOC-15)
        raise ActionRefused(f"发文计划中已有“{title.strip()}”，请勿重复增加（第六十三条）。")
    item = PlanItem.objects.create(
        plan=plan, title=title.strip(), drafting_unit=drafting_unit, planned_month=planned_month
    )
    record_event(
        actor=actor, subject=plan, action="plan_add_item", action_label="增加计划事项", opinion=title, rule_id="DOC-15"
    )
    return item


@transaction.atomic
def remove_plan_item(*, actor, item: PlanItem, today=None) -> None:
    """DOC-15: take a matter out of a plan while its year is open — unless a document already relies on it."""
    plan = DocumentPlan.objects.select_for_update().get(pk=item.plan_id)
    if not permissions.can_keep_plan(actor, plan):
        raise NotAllowed("您无权修改该发文计划。")
    _check_year_open(plan.year, today)
    item = PlanItem.objects.select_for_update(of=("self",)).filter(pk=item.pk, plan=plan).first()
    if item is None:
        raise ActionRefused("该计划事项已删除。")
    if OutgoingDocument.objects.filter(plan_item=item).exists():  # read after the lock: a racing draft has committed
        raise ActionRefused(f"已有发文按计划事项“{item.title}”起草，不能删除。")
    title = item.title
    item.delete()
    record_event(
        actor=actor,
        subject=plan,
        action="plan_remove_item",
        action_label="删除计划事项",
        opinion=title,
        rule_id="DOC-15",
    )


def _plan_matches(doc: OutgoingDocument, year: int) -> bool:
    item = doc.plan_item
    if item is None:
        return False
    plan = item.plan
    if plan.year != year or plan.issuer != doc.issuer:
        return False
    return plan.issuer != Issuer.DEPARTMENT or plan.unit_id == doc.drafting_unit_id


def plan_item_holder(item_id: int | None, *, before: int | None = None) -> OutgoingDocument | None:
    """The live document (not withdrawn) that answers plan item `item_id`: a plan item is one document, the first
    drafted on it (`before`: only documents drafted before that one)."""
    if item_id is None:
        return None
    held = OutgoingDocument.objects.filter(plan_item_id=item_id).exclude(state=OS.WITHDRAWN)
    if before is not None:
        held = held.filter(pk__lt=before)
    return held.only("id", "title").order_by("id").first()


def plan_violations(doc: OutgoingDocument, day: dt.date, *, pending_ok: bool = False) -> list[RuleViolation]:
    """DOC-15: in this year's plan of its issuer, or an approved one-off request for this one matter.
    `pending_ok`: a one-off request the office has still to decide will do (报送核稿: the office decides it before
    核稿, where the approval itself is required). A plan item another live document already answers does not
    cover a second one: reusing it would pass any document as planned (第六十三条 一事一报)."""
    if doc.kind == OutgoingKind.PARTY_MEETING:
        return []
    holder = None
    if _plan_matches(doc, day.year):
        holder = plan_item_holder(doc.plan_item_id, before=doc.pk)
        if holder is None:
            return []
    if doc.one_off_approvals.filter(state=OneOffApproval.State.APPROVED).exists():
        return []
    pending = doc.one_off_approvals.filter(state=OneOffApproval.State.PENDING).exists()
    if pending and pending_ok:
        return []
    tail = "计划外发文申请正待区政府办公室审核" if pending else "确需发文的，请按一事一报原则报区政府办公室审核"
    if holder is not None:
        return [
            RuleViolation(
                "DOC-15",
                f"发文计划事项“{doc.plan_item.title}”已由《{holder.title}》使用，一项计划事项对应一件发文；{tail}",
            )
        ]
    return [RuleViolation("DOC-15", f"该文件未列入{day.year}年度发文计划，一般不予发文；{tail}")]


def request_one_off_approval(
    *, actor, document: OutgoingDocument, matter: str, reason: str, today=None
) -> OneOffApproval:
    """DOC-15: one matter at a time (一事一报) — one open request per document, one matter per request."""
    with step(document, actor=actor, expect=EDITABLE, today=today) as s:
        doc = s.obj
        if not permissions.can_request_one_off(actor, doc):
            raise NotAllowed("只有拟稿单位可以报送计划外发文申请。")
        if not matter.strip() or not reason.strip():
            raise RuleViolation("DOC-15", "请写明发文事项和确需发文的理由")
        if doc.one_off_approvals.filter(
            state__in=[OneOffApproval.State.PENDING, OneOffApproval.State.APPROVED]
        ).exists():
            raise RuleViolation("DOC-15", "该文件已有计划外发文申请，一事一报，请勿重复报送")
        approval = OneOffApproval.objects.create(
            document=doc, matter=matter.strip()[:200], reason=reason.strip(), requested_by=actor
        )
        s.touch()
        s.record("one_off_request", "报送计划外发文申请", opinion=f"{matter}：{reason}", rule_id="DOC-15")
        s.tell(office_people(), f"【计划外发文待审核】{doc.drafting_unit.display_name}：{matter}")
    return approval


def decide_one_off_approval(
    *, actor, approval: OneOffApproval, approve: bool, opinion: str, today=None
) -> OneOffApproval:
    """DOC-15: the office checks a one-off request strictly (严格把关)."""
    with step(approval.document_id, model=OutgoingDocument, actor=actor, today=today) as s:
        doc = s.obj
        approval = lock_row(OneOffApproval.objects.select_related("decided_by"), approval)
        if approval.document_id != doc.pk:
            raise ActionRefused("该申请不属于本发文。")
        if approval.state != OneOffApproval.State.PENDING:
            who = approval.decided_by.display_name if approval.decided_by_id else "他人"
            raise AlreadyHandled(f"该申请已由{who}审核。", handled_by=approval.decided_by)
        if not permissions.can_decide_one_off(actor, approval):
            raise NotAllowed("计划外发文由区政府办公室审核。")
        if not strip_text(opinion):
            raise ActionRefused("请填写审核意见。")
        s.fire("decide_one_off")
        approval.state = OneOffApproval.State.APPROVED if approve else OneOffApproval.State.REFUSED
        approval.decided_by, approval.decided_at, approval.opinion = actor, timezone.now(), strip_text(opinion)
        approval.save(update_fields=["state", "decided_by", "decided_at", "opinion"])
        s.record(
            "one_off_decide",
            f"计划外发文审核：{approval.get_state_display()}",
            opinion=opinion,
            rule_id="DOC-15",
        )
        s.tell(_drafters(doc), f"【计划外发文{approval.get_state_display()}】{approval.matter}", opinion)
    return approval


# --- sending on, the checks and the deputies' review --------------------------------------------------------------


def drafting_violations(doc: OutgoingDocument) -> list[RuleViolation]:
    """Every rule a draft must meet when it leaves the drafting unit, each with its message."""
    v: list[RuleViolation] = []
    if not doc.body.strip():
        v.append(RuleViolation("DOC-14", "正文不能为空"))
    if doc.kind not in PARTY_KINDS and not doc.main_recipients.strip():
        v.append(RuleViolation("DOC-14", "请填写主送机关"))
    # DOC-17
    if not doc.disclosure:
        v.append(RuleViolation("DOC-17", "请明确公开属性：全文公开、部分公开或不予公开"))
    else:
        if doc.disclosure != Disclosure.FULL and not doc.disclosure_reason.strip():
            v.append(RuleViolation("DOC-17", f"拟{doc.get_disclosure_display()}的，须依法依规说明理由"))
        if doc.disclosure != Disclosure.NONE and not doc.disclosure_manner:
            v.append(RuleViolation("DOC-17", "请明确公开方式：主动公开或依申请公开"))
        if doc.confidential and doc.disclosure != Disclosure.NONE:
            v.append(RuleViolation("DOC-17", "限定知悉范围的发文不得公开，公开属性应为不予公开"))
    if not doc.not_classified:
        v.append(RuleViolation("X-2", f"须声明“本件不涉及国家秘密”；涉密公文不得通过本系统办理（{SECRECY_ARTICLE}）"))
    # DOC-14
    if doc.kind == OutgoingKind.OFFICE_DECISION and not GOV_APPROVAL_PHRASE.search(doc.body):
        v.append(
            RuleViolation(
                "DOC-14", "以区政府办公室名义传达区政府决定事项或应部门要求发文的，文中须注明“经区政府批准（同意）”"
            )
        )
    # DOC-15 / DOC-16: a department's own document
    if doc.kind == OutgoingKind.DEPARTMENT_APPROVED:
        if DEPT_APPROVAL_PHRASE not in doc.body:
            v.append(RuleViolation("DOC-15", "经区政府同意由部门行文的，文中须注明“已经区政府同意”"))
        if not _government_agreed(doc):
            v.append(RuleViolation("DOC-15", "须附区政府已同意的请示（经区政府审批的具体事项）"))
        if not doc.series_prefix.strip():
            v.append(RuleViolation("DOC-15", "请填写本部门发文字号的代字（如：铁西财发）"))
    if doc.directive_to_townships and doc.issuer == Issuer.DEPARTMENT and not _government_agreed(doc):
        v.append(
            RuleViolation(
                "DOC-16",
                "区政府各部门未经区政府批准，不得向乡、街发布指令性公文或提出指令性要求，不得要求乡、街报文",
            )
        )
    # DOC-9
    if doc.is_party_draft:
        if not doc.mainly_government_duties or doc.drafting_unit.kind not in GOVERNMENT_UNIT_KINDS:
            v.append(
                RuleViolation(
                    "DOC-9", "只有内容主要涉及政府职责、由区政府部门牵头起草的区委文件稿才先报区政府审议或审批"
                )
            )
        if doc.kind == OutgoingKind.JOINT_PARTY and not doc.party_office_opinion.strip():
            v.append(
                RuleViolation("DOC-9", "提请以区委、区政府名义联合发文的，报区政府前须就发文事宜征求区委办公室意见")
            )
    # DOC-8
    v += normative_violations(doc)
    return v


def _government_agreed(doc: OutgoingDocument) -> bool:
    sub = doc.approved_submission
    return (
        sub is not None
        and sub.unit_id == doc.drafting_unit_id
        and sub.state in (SubmissionState.APPROVED, SubmissionState.CLOSED)
    )


def submit_outgoing(*, actor, document: OutgoingDocument, today=None) -> OutgoingDocument:
    """The drafting unit sends the draft on: to the office for 核稿, or — a department's own document issued with
    the government's agreement — to its main head for signature (DOC-15)."""
    with step(document, actor=actor, expect=(OS.DRAFTING,), today=today) as s:
        doc, day = s.obj, s.day
        if not permissions.can_edit_outgoing(actor, doc):
            raise NotAllowed("只有拟稿单位文书或拟稿人可以报送本单位的发文稿。")
        # DOC-15 up front: a draft outside the plan with no one-off request would only be refused at 核稿, and the
        # clerk, who can ask for the one-off approval only while drafting, would wait for it to come back.
        violations = drafting_violations(doc) + plan_violations(
            doc, day, pending_ok=doc.kind != OutgoingKind.DEPARTMENT_APPROVED
        )
        raise_all(violations)
        if doc.kind in OFFICE_CHECKED_KINDS:
            before = s.fire("submit")
            doc.submitted_at = timezone.now()
            s.record("outgoing_submit", "送区政府办公室核稿", before)
            s.tell(office_people(), f"【发文待核稿】{doc.drafting_unit.display_name}：{doc.title}")
        else:
            before = s.fire("send_to_unit_signer")
            s.record("outgoing_to_signer", "送本部门负责人签发", before, rule_id="DOC-15")
            s.tell(unit_signers(doc.drafting_unit, day), f"【待签发】{doc.title}")
    return s.obj


def responsible_deputies(doc: OutgoingDocument, day: dt.date) -> list[tuple[Post, list[str]]]:
    """DOC-14: the deputies whose portfolios cover the drafting unit and the units concerned (ORG-2), each with
    the units that bring them in. The head's own portfolio needs no review: the head signs."""
    by_post: dict[int, tuple[Post, list[str]]] = {}
    units = [doc.drafting_unit, *doc.countersign_units.order_by("order", "id")]
    for unit in units:
        post = leader_post_for_unit(unit, day)
        if post is None or post.kind not in (Post.Kind.EXEC_DEPUTY, Post.Kind.DEPUTY):
            continue
        by_post.setdefault(post.pk, (post, []))[1].append(unit.display_name)
    return list(by_post.values())


def _advance_after_checks(s: Step, action, label, opinion, rule_id, *, capacity="", handler=None):
    """After 核稿, the legality review or the last deputy's review: to 司法局, to the deputies, or to signature."""
    doc, day = s.obj, s.day
    if doc.state == OS.OFFICE_CHECK and doc.normative and doc.kind != OutgoingKind.DEPARTMENT_APPROVED:
        before = s.fire("to_legality_review")
        s.record(action, label, before, opinion=opinion, rule_id=rule_id, capacity=capacity, handler=handler)
        unit = permissions.justice_unit()
        if unit is not None:
            s.tell(unit_people(unit), f"【待合法性审查】{doc.title}", rule_id)
        return
    deputies = responsible_deputies(doc, day) if doc.kind in DEPUTY_REVIEWED_KINDS else []
    if deputies:
        before = s.fire("to_deputy_review")
        for post, units in deputies:
            DeputyReview.objects.create(document=doc, round=doc.review_round, post=post, units="、".join(units))
            s.tell([who_handles(post, day).person], f"【发文待审核】{doc.title}", f"涉及：{'、'.join(units)}")
        names = "、".join(p.title for p, _u in deputies)
        s.record(
            action,
            label,
            before,
            opinion=f"{opinion}（送{names}审核）".strip(),
            rule_id=rule_id,
            capacity=capacity,
            handler=handler,
        )
        return
    before = s.fire("to_signature")
    s.record(action, label, before, opinion=opinion, rule_id=rule_id, capacity=capacity, handler=handler)
    _tell_signers(s)


def _tell_signers(s: Step) -> None:
    doc, day = s.obj, s.day
    kinds = permissions.signer_post_kinds(doc)
    if doc.kind == OutgoingKind.DEPARTMENT_APPROVED:
        people = unit_signers(doc.drafting_unit, day)
    else:
        post = Post.objects.filter(kind=kinds[0]).first()
        people = [who_handles(post, day).person] if post else []
    s.tell(people, f"【发文待签发】{doc.title}")


def office_check_outgoing(*, actor, document: OutgoingDocument, opinion: str, today=None) -> OutgoingDocument:
    """核稿: the office checks the draft — countersigns complete, in the plan or approved one-off (DOC-15), the
    rules of the draft again — and sends it on (DOC-8 legality review, DOC-14 deputies, or signature)."""
    with step(document, actor=actor, expect=(OS.OFFICE_CHECK,), today=today) as s:
        doc, day = s.obj, s.day
        if not permissions.can_office_check(actor, doc):
            raise NotAllowed("核稿由区政府办公室进行。")
        if not strip_text(opinion):
            raise ActionRefused("请填写核稿意见。")
        signed = permissions.countersigned_units(doc)
        missing = [u.display_name for u in doc.countersign_units.order_by("order", "id") if u.pk not in signed]
        violations = drafting_violations(doc) + plan_violations(doc, day)
        if missing:
            violations.append(RuleViolation("DOC-14", f"{'、'.join(missing)}尚未会签"))
        raise_all(violations)
        doc.checked_by, doc.checked_at, doc.check_opinion = actor, timezone.now(), strip_text(opinion)
        doc.review_round += 1
        capacity = own_post_title(actor, actor.unit_id, day)
        _advance_after_checks(s, "office_check", "核稿", strip_text(opinion), "DOC-15", capacity=capacity)
    return s.obj


def _send_back(s: Step, reason, text, *, capacity="", handler=None) -> None:
    doc = s.obj
    before = s.fire("send_back", check_perm=False)  # the caller checked who may return it, with its own message
    doc.return_reason, doc.return_text = reason, text
    for r in doc.deputy_reviews.filter(state=DeputyReview.State.PENDING):
        r.state = DeputyReview.State.CANCELLED
        r.save(update_fields=["state"])
    label = OutgoingReturnReason(reason).label
    s.record(
        "outgoing_return",
        "退回",
        before,
        opinion=f"{label}。{text}".strip(),
        rule_id=OUTGOING_RETURN_RULE.get(OutgoingReturnReason(reason), ""),
        capacity=capacity,
        handler=handler,
    )
    s.tell(_drafters(doc), f"【发文稿被退回】{doc.title}", f"退回原因：{label}。{text}", level="alert")


def return_outgoing(*, actor, document: OutgoingDocument, reason: str, text: str, today=None) -> OutgoingDocument:
    """The office returns a draft with a DOC-16 (or DOC-15/ORG-5/DOC-8) reason it picks; a reviewing deputy or the
    signer returns it for changes (领导退回修改). The drafting unit sees why."""
    with step(document, actor=actor, expect=OUTGOING_IN_PROGRESS, today=today) as s:
        doc, day = s.obj, s.day
        if not permissions.can_send_back(actor, doc):
            raise NotAllowed("您无权退回该发文。")
        if reason not in OutgoingReturnReason.values:
            raise ActionRefused("请选择退回原因。")
        if not strip_text(text):
            raise ActionRefused("请写明退回说明，拟稿单位将看到这段文字。")
        handler = None
        if permissions.can_review(actor, doc):
            review = permissions.pending_reviews_for(actor, doc, day).select_related("post").first()
            handler = who_handles(review.post, day)
        elif permissions.can_sign_outgoing(actor, doc):
            handler = permissions.signing_handler(actor, doc, day)
        if handler is None and reason == OutgoingReturnReason.LEADER_RETURN:
            raise ActionRefused("请选择退回原因。")
        _send_back(s, reason, strip_text(text), handler=handler)
    return s.obj


def revise_outgoing(*, actor, document: OutgoingDocument, today=None) -> OutgoingDocument:
    """The drafting unit takes a returned draft back; it goes through 核稿, review and signature again."""
    with step(document, actor=actor, expect=(OS.RETURNED,), today=today) as s:
        before = s.fire("revise")
        s.record("outgoing_revise", "退回后重新修改", before)
    return s.obj


def review_outgoing(*, actor, document: OutgoingDocument, opinion: str, today=None) -> list[DeputyReview]:
    """DOC-14: a responsible deputy (or the deputy acting for them, ORG-3) reviews the draft; when every
    responsible deputy has, it goes to signature. Rows are decided under the parent row's lock."""
    with step(document, actor=actor, today=today) as s:
        doc, day = s.obj, s.day
        posts = permissions.handled_post_ids(actor, day)
        rows = list(
            doc.deputy_reviews.select_for_update(of=("self",))
            .filter(state=DeputyReview.State.PENDING, post_id__in=posts)
            .select_related("post")
        )
        if doc.state != OS.DEPUTY_REVIEW or not rows:
            if doc.deputy_reviews.filter(post_id__in=posts, state=DeputyReview.State.DONE).exists():
                raise already_handled(s.flow, doc)
            if doc.state != OS.DEPUTY_REVIEW and document.state == OS.DEPUTY_REVIEW:
                raise already_handled(s.flow, doc)
            raise NotAllowed("该发文不在您的待审核事项中。")
        if not strip_text(opinion):
            raise ActionRefused("请填写审核意见。")
        others = doc.deputy_reviews.filter(state=DeputyReview.State.PENDING).exclude(pk__in=[r.pk for r in rows])
        last = not others.exists()
        s.fire("review")
        now = timezone.now()
        for row in rows:
            handler = who_handles(row.post, day)
            row.state, row.reviewed_by, row.reviewed_at = DeputyReview.State.DONE, actor, now
            row.capacity, row.opinion = handler.capacity, strip_text(opinion)
            row.save(update_fields=["state", "reviewed_by", "reviewed_at", "capacity", "opinion"])
            s.record(
                "deputy_review",
                f"分管领导审核（{row.post.title}）",
                opinion=opinion,
                rule_id="DOC-14",
                handler=handler,
            )
        s.touch()
        if last:
            # The permission was established on the review rows under the lock.
            before = s.fire("to_signature", check_perm=False)
            s.record("reviews_complete", "分管领导审核完毕，送签发", before, rule_id="DOC-14")
            _tell_signers(s)
    return rows


# --- signature, number, issue --------------------------------------------------------------------------------------


def _sign_violations(doc: OutgoingDocument, actor, day) -> tuple[object | None, list[RuleViolation]]:
    """DOC-14: out of order or by the wrong post is refused, each with the rule's words."""
    kind = OutgoingKind(doc.kind)
    signer = permissions.SIGNER_TEXT[kind]
    if doc.state in (OS.OFFICE_CHECK, OS.LEGALITY_REVIEW, OS.DEPUTY_REVIEW, OS.DRAFTING):
        pending = [
            r.post.title for r in doc.deputy_reviews.filter(state=DeputyReview.State.PENDING).select_related("post")
        ]
        if doc.state == OS.DEPUTY_REVIEW and pending:
            why = f"须经有关副区长审核后方可签发，尚待{'、'.join(pending)}审核"
        else:
            why = f"尚未完成{'送审' if doc.state == OS.DRAFTING else doc.get_state_display()}，不能签发"
        return None, [RuleViolation("DOC-14", f"{kind.label}：{why}")]
    if doc.state != OS.AWAITING_SIGNATURE:
        raise ActionRefused(f"该发文当前状态为“{doc.get_state_display()}”，不能进行此操作。")
    handler = permissions.signing_handler(actor, doc, day)
    if handler is None:
        acting_head = next(
            (
                h
                for h in permissions.handlers_on(actor, day)
                if h.post.kind == Post.Kind.HEAD and h.is_acting and not carries_authority(h)
            ),
            None,
        )
        if acting_head is not None and Post.Kind.HEAD in permissions.signer_post_kinds(doc):
            msg = "区长外出期间，只有受区长委托主持工作的常务副区长可以代区长签发（第十五条）"
        else:
            msg = f"{kind.label}由{signer}签发，您所任职务无此签发权限"
        return None, [RuleViolation("DOC-14", msg)]
    v = []
    if doc.kind == OutgoingKind.OFFICE_DECISION and not GOV_APPROVAL_PHRASE.search(doc.body):
        v.append(RuleViolation("DOC-14", "文中未注明“经区政府批准（同意）”，不能签发"))
    if doc.deputy_reviews.filter(state=DeputyReview.State.PENDING).exists():
        v.append(RuleViolation("DOC-14", "尚有副区长未审核，不能签发"))
    v += plan_violations(doc, day)
    return handler, v


def series_for(doc: OutgoingDocument) -> str:
    """The 代字 as printed: the drafter's text in half-width characters without spaces, or the issuer's default."""
    typed = "".join(unicodedata.normalize("NFKC", doc.series_prefix).split())
    return typed or DEFAULT_SERIES.get(Issuer(doc.issuer), "")


def allocate_document_number(series: str, year: int) -> tuple[int, str]:
    """Next 发文字号 of `series` in `year`, e.g. (7, "铁西政发〔2026〕7号"). Call inside the signing transaction:
    the counter row stays locked until it commits, so numbers are unique and the series has no gaps. The counter is
    keyed by the normalised 代字 (issue 13.4): "铁西政发", "铁西 政发" and "铁西政发　" count in one series, so two
    documents can never carry one number spelled two ways."""
    key = normalise_reference(series)[:30]
    DocumentNumberCounter.objects.bulk_create(
        [DocumentNumberCounter(series=key, year=year, last=0)], ignore_conflicts=True
    )
    counter = DocumentNumberCounter.objects.select_for_update().get(series=key, year=year)
    counter.last += 1
    counter.save(update_fields=["last"])
    return counter.last, f"{series}〔{year}〕{counter.last}号"


def sign_outgoing(*, actor, document: OutgoingDocument, opinion: str = "", today=None) -> OutgoingDocument:
    """签发 (DOC-14) and, except for drafts going to the 区委, the 发文字号 from the series' locked counter."""
    with step(document, actor=actor, today=today) as s:
        doc, day = s.obj, s.day
        if doc.state not in (OS.DRAFTING, OS.OFFICE_CHECK, OS.LEGALITY_REVIEW, OS.DEPUTY_REVIEW, OS.AWAITING_SIGNATURE):
            if document.state == OS.AWAITING_SIGNATURE:
                raise already_handled(s.flow, doc)
            raise state_refusal(s.flow, doc)
        handler, violations = _sign_violations(doc, actor, day)
        raise_all(violations)
        before = s.fire("sign")
        doc.signed_by, doc.signed_post, doc.signed_capacity = actor, handler.post, handler.capacity
        doc.sign_opinion, doc.signed_at, doc.signed_on = strip_text(opinion), timezone.now(), day
        number_text = ""
        if not doc.is_party_draft:
            series = series_for(doc)
            doc.number_seq, doc.number = allocate_document_number(series, day.year)
            doc.number_year = day.year
            number_text = f"发文字号{doc.number}"
        s.record(
            "outgoing_sign",
            "签发",
            before,
            opinion="；".join(x for x in (strip_text(opinion), number_text) if x),
            rule_id="DOC-14",
            handler=handler,
            capacity=handler.post.title if not handler.is_acting else "",
        )
        people = _drafters(doc) + ([] if doc.kind == OutgoingKind.DEPARTMENT_APPROVED else office_people())
        s.tell(people, f"【已签发】{doc.number or ''}{doc.title}")
    return s.obj


def write_interpretation(
    *, actor, document: OutgoingDocument, title: str, text: str, today=None
) -> PolicyInterpretation:
    """DOC-18 (第三十八条): who drafts, interprets — for a joint document the lead (drafting) unit; the other
    units help but do not publish their own."""
    with step(document, actor=actor, today=today) as s:
        doc = s.obj
        if doc.state in (OS.ISSUED, OS.WITHDRAWN, OS.SENT_TO_PARTY):
            raise state_refusal(s.flow, doc)
        if actor.unit_id != doc.drafting_unit_id or not permissions.can_view_outgoing(actor, doc):
            lead = doc.drafting_unit.display_name
            raise RuleViolation("DOC-18", f"按照“谁起草、谁解读”的原则，该文件由起草（牵头）单位{lead}负责解读")
        if not title.strip() or not strip_text(text):
            raise ActionRefused("请填写解读标题和内容。")
        saved = PolicyInterpretation.objects.filter(document=doc, unit=doc.drafting_unit).first()
        if saved is not None and (saved.title, saved.text) == (title.strip(), strip_text(text)):
            return saved  # the saved interpretation posted back unchanged: no new entry, its author stays
        interp, _created = PolicyInterpretation.objects.update_or_create(
            document=doc,
            defaults={
                "unit": doc.drafting_unit,
                "title": title.strip(),
                "text": strip_text(text),
                "prepared_by": actor,
            },
        )
        s.record("interpretation", "撰写政策解读", opinion=interp.title, rule_id="DOC-18")
    return interp


def issuer_name(doc: OutgoingDocument) -> str:
    """发文机关署名: 铁西区人民政府 / 铁西区人民政府办公室 / the department."""
    if doc.issuer == Issuer.DEPARTMENT:
        return doc.drafting_unit.name
    kind = Unit.Kind.GOVERNMENT if doc.issuer == Issuer.GOVERNMENT else Unit.Kind.OFFICE
    unit = Unit.objects.filter(kind=kind).order_by("order", "id").first()
    return unit.name if unit else Issuer(doc.issuer).label


def issue_violations(doc: OutgoingDocument) -> list[RuleViolation]:
    """DOC-18: a normative document to be published carries its interpretation, by the lead (drafting) unit."""
    if not (doc.normative and doc.will_be_published):
        return []
    interp = PolicyInterpretation.objects.filter(document=doc).first()
    if interp is None:
        return [RuleViolation("DOC-18", "公开发布的规范性文件须同步发布政策解读材料，请起草单位先撰写解读")]
    if interp.unit_id != doc.drafting_unit_id:
        return [RuleViolation("DOC-18", "政策解读须由起草（牵头）单位负责")]
    return []


def issue_outgoing(*, actor, document: OutgoingDocument, printing_office: str = "", today=None) -> OutgoingDocument:
    """印发. A public document (全文公开 / 部分公开, 主动公开) is published now: an entry in the public register (PUB-2)
    and, for a normative document, its interpretation the same day (DOC-18). A normative document's filing (备案)
    clock starts."""
    with step(document, actor=actor, expect=(OS.SIGNED,), today=today) as s:
        doc, day = s.obj, s.day
        if doc.is_party_draft:
            raise RuleViolation("DOC-9", "报区委的文件稿由区委审议或印发，请使用“报区委”")
        raise_all(issue_violations(doc))
        before = s.fire("issue")
        default_printer = doc.drafting_unit.name if doc.issuer == Issuer.DEPARTMENT else issuer_name_for_office()
        doc.issued_on, doc.printing_office = day, (printing_office.strip() or default_printer)
        published = ""
        if doc.will_be_published:
            interp = PolicyInterpretation.objects.filter(document=doc).first()
            if interp is not None:
                interp.published_on = day
                interp.save(update_fields=["published_on"])
            publish_to_register(
                subject=doc,
                kind=PublicRegisterEntry.Kind.DOCUMENT,
                title=doc.title,
                number=doc.number,
                issuer_name=issuer_name(doc),
                published_on=day,
                disclosure=doc.disclosure,
                text=doc.body if doc.disclosure == Disclosure.FULL else "",
                interpretation_title=interp.title if interp else "",
                interpretation_text=interp.text if interp else "",
                url=s.url,
            )
            published = "；已列入公开目录" + ("，政策解读同步发布" if interp else "")
        # MTG-10: a document a meeting decided to issue stops its 7-WD clock when it is issued (no-op otherwise).
        close_deadline(subject=doc, rule_id="MTG-10", note=f"{day}印发", on=day)
        if doc.normative:
            open_deadline(
                subject=doc,
                rule_id="DOC-8",
                title=f"规范性文件备案：{doc.number} {doc.title}"[:200],
                counted_from=day,
                due=day + dt.timedelta(days=FILING_DAYS),
                owner_unit=doc.drafting_unit,
                url=s.url,
            )
        s.record(
            "outgoing_issue",
            "印发",
            before,
            opinion=f"{doc.number}，{doc.printing_office}{day}印发{published}",
            rule_id="PUB-2" if published else "",
            capacity=own_post_title(actor, actor.unit_id, day),
        )
        s.tell(_drafters(doc), f"【已印发】{doc.number} {doc.title}")
    return s.obj


def issuer_name_for_office() -> str:
    unit = Unit.objects.filter(kind=Unit.Kind.OFFICE).order_by("order", "id").first()
    return unit.name if unit else Issuer.OFFICE.label


def withdraw_outgoing(*, actor, document: OutgoingDocument, reason: str, today=None) -> OutgoingDocument:
    """撤回/废止: the number stays used (never reused); the item leaves the public register (PUB-2)."""
    with step(document, actor=actor, expect=(OS.SIGNED, OS.ISSUED), today=today) as s:
        doc, day = s.obj, s.day
        if not reason.strip():
            raise ActionRefused("请写明撤回（废止）理由。")
        before = s.fire("withdraw")
        doc.withdrawn_on, doc.withdraw_reason = day, reason.strip()
        withdraw_from_register(subject=doc, on=day)
        if doc.normative and not doc.filed_on:
            close_deadline(subject=doc, rule_id="DOC-8", note="文件已撤回（废止）", on=day)
        s.record("outgoing_withdraw", "撤回（废止）", before, opinion=reason.strip(), rule_id="PUB-2")
        s.tell(_drafters(doc), f"【已撤回】{doc.number} {doc.title}", reason)
    return s.obj


def record_filing(
    *, actor, document: OutgoingDocument, filed_with: str, filed_on: dt.date, reference: str = "", today=None
) -> OutgoingDocument:
    """备案 (第二十六条): a government normative document is filed with the 区人大常委会; a department's with
    司法局. Recorded after issue; closes the filing clock."""
    with step(document, actor=actor, expect=(OS.ISSUED,), today=today) as s:
        doc, day = s.obj, s.day
        if not doc.normative:
            raise ActionRefused("只有规范性文件需要备案。")
        if not permissions.can_record_filing(actor, doc):
            raise NotAllowed("备案情况由起草单位或区政府办公室登记。")
        if doc.filed_on:
            raise AlreadyHandled(f"该文件已于{doc.filed_on}向{doc.filed_with}备案。")
        if not filed_with.strip():
            raise RuleViolation("DOC-8", "请填写备案机关")
        if filed_on < doc.issued_on or filed_on > day:
            raise RuleViolation("DOC-8", "备案日期应在印发之后、不晚于今天")
        s.fire("record_filing")
        doc.filed_with, doc.filed_on, doc.filing_reference, doc.filed_by = (
            filed_with.strip(),
            filed_on,
            reference.strip(),
            actor,
        )
        close_deadline(subject=doc, rule_id="DOC-8", note=f"已向{doc.filed_with}备案", on=day)
        s.record("outgoing_filing", "备案", opinion=f"{filed_on}向{doc.filed_with}备案 {reference}", rule_id="DOC-8")
    return s.obj


def default_filing_body(doc: OutgoingDocument) -> str:
    """第二十六条: the government's normative documents are filed with the 区人大常委会, a department's with 司法局."""
    if doc.issuer == Issuer.DEPARTMENT:
        unit = permissions.justice_unit()
        return unit.name if unit else "区司法局"
    return "铁西区人民代表大会常务委员会"

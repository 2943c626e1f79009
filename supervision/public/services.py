"""Every write of the public's side: website inquiries (PUB-1) and the suggestions and proposals handled as supervised
items (PUB-3). Each is a step of the workflow kernel — on the inquiry, or on the proposal's supervision item — so the
tasks (待转办, 待答复, 待答复代表委员, 待公开办理结果) follow in the same transaction.

Clock: PUB-1 "网上咨询答复", 5 WD from receipt, owed by the unit the inquiry is assigned to.
"""

from __future__ import annotations

import datetime as dt

from django.db import transaction
from django.urls import NoReverseMatch, reverse

from documents.register.models import PublicRegisterEntry
from documents.register.services import publish_to_register
from documents.shared.choices import Disclosure
from supervision.ledger import permissions as ledger_permissions
from supervision.ledger.models import PROPOSAL_STATES, Source, SupervisionItem
from supervision.shared.errors import ActionNotAllowed, AlreadyHandled, RuleViolation, SupervisionError
from supervision.shared.people import unit_people
from supervision.shared.services import next_number, required
from tiexi_gov.deadlines.display import due_label
from tiexi_gov.deadlines.services import cancel_deadlines, close_deadline, open_deadline
from tiexi_gov.org.models import Unit
from tiexi_gov.workflow.kernel import step, today_or

from . import permissions
from .models import Proposal, PublicInquiry

INQUIRY_WORKDAYS = 5  # PUB-1


def inquiry_url(inquiry: PublicInquiry) -> str:
    try:
        return reverse("supervision:inquiry", args=[inquiry.pk])
    except NoReverseMatch:
        return ""


# --- PUB-1 public inquiries -------------------------------------------------------------------------------


def log_inquiry(
    *,
    actor,
    asker: str,
    question: str,
    received_on: dt.date | None = None,
    contact: str = "",
    channel: str = "政府网站",
    unit: Unit | None = None,
    today: dt.date | None = None,
) -> PublicInquiry:
    """PUB-1: the office logs a website inquiry (and, usually at once, assigns it to a unit)."""
    day = today_or(today)
    if not permissions.can_manage_inquiry(actor):
        raise ActionNotAllowed("只有区政府办公室可以登记网上咨询。")
    received_on = received_on or day
    if received_on > day:
        raise SupervisionError("收到日期不能晚于今天。")
    with transaction.atomic():
        seq = next_number(f"inquiry-{received_on.year}")
        inquiry = PublicInquiry.objects.create(
            number=f"咨〔{received_on.year}〕{seq}号",
            asker=required(asker, "咨询人"),
            contact=contact.strip(),
            channel=channel.strip() or "政府网站",
            question=required(question, "咨询内容", keep_indent=True),
            received_on=received_on,
            logged_by=actor,
        )
        # Assigned at once: the 待转办 task would open and close in the same breath, so only the assignment syncs.
        with step(inquiry, actor=actor, today=day, sync=unit is None) as s:
            s.record("logged", "登记网上咨询", after=inquiry.state, rule_id="PUB-1")
        inquiry = s.obj
        if unit is not None:
            inquiry = assign_inquiry(actor=actor, inquiry=inquiry, unit=unit, today=day)
    return inquiry


def assign_inquiry(*, actor, inquiry: PublicInquiry, unit: Unit, today: dt.date | None = None) -> PublicInquiry:
    """PUB-1: the answer is due 5 WD after receipt, whoever it is (re)assigned to."""
    with step(inquiry, actor=actor, today=today) as s:
        inq = s.obj
        if inq.state == PublicInquiry.State.ASSIGNED and inq.unit_id == unit.pk:
            # The assign box shows the current unit: posted back untouched (or twice), it reassigns nothing — no
            # restarted clock, no second notice to the unit, no "转…答复" entry claiming a reassignment.
            raise SupervisionError(f"该咨询已由{unit.display_name}承办，承办单位未变，无需改派。")
        before = s.fire("assign")
        if inq.unit_id:
            cancel_deadlines(subject=inq, note="改派承办单位")
        inq.unit = unit
        deadline = open_deadline(
            subject=inq,
            rule_id="PUB-1",
            title="网上咨询答复",
            counted_from=inq.received_on,
            workdays=INQUIRY_WORKDAYS,
            owner_unit=unit,
            url=inquiry_url(inq),
        )
        inq.due = deadline.due
        s.record(
            "assigned", f"转{unit.display_name}答复", before, rule_id="PUB-1", opinion=f"答复时限：{due_label(inq.due)}"
        )
        s.tell(unit_people(unit), f"网上咨询请答复：{inq.number}（{due_label(inq.due)}前）", inq.question)
    return s.obj


def answer_inquiry(*, actor, inquiry: PublicInquiry, answer: str, today: dt.date | None = None) -> PublicInquiry:
    answer = required(answer, "答复内容", keep_indent=True)
    with step(inquiry, actor=actor, today=today) as s:
        inq = s.obj
        if inq.state == PublicInquiry.State.ANSWERED:
            raise AlreadyHandled("该咨询已答复。", handled_by=inq.answered_by)
        before = s.fire("answer_it")
        inq.answer = answer
        inq.answered_on = s.day
        inq.answered_by = actor
        on_time = inq.due is None or s.day <= inq.due
        close_deadline(subject=inq, rule_id="PUB-1", note="已答复", on=s.day)
        s.record("answered", "答复咨询" + ("" if on_time else "（逾期）"), before, opinion=answer, rule_id="PUB-1")
    return s.obj


# --- PUB-3 suggestions and proposals (steps on their supervision item) ----------------------------------------


def _proposal(item: SupervisionItem) -> Proposal:
    proposal = item._one("proposal")
    if proposal is None:
        raise SupervisionError("该事项不是建议提案。")
    return proposal


def record_proposal_reply(
    *,
    actor,
    item: SupervisionItem,
    reply: str,
    satisfaction: str = "",
    replied_on: dt.date | None = None,
    today: dt.date | None = None,
) -> Proposal:
    """PUB-3: the reply to the deputy or member, and their satisfaction once they give it. The lead unit's first
    reply is the step it is waited on for; later entries (the satisfaction, the office's record of a reply given on
    paper) amend it."""
    reply = required(reply, "答复内容", keep_indent=True)
    if satisfaction and satisfaction not in Proposal.Satisfaction.values:
        raise SupervisionError("满意度只能是满意、基本满意或不满意。")
    with step(item, actor=actor, expect=PROPOSAL_STATES, today=today) as s:
        it = s.obj
        proposal = _proposal(it)
        if not permissions.can_amend_proposal_reply(actor, it):
            raise ActionNotAllowed("只有牵头单位或区政府办公室可以登记答复。")
        first = it.awaits_proposal_reply() and permissions.can_reply_proposal(actor, it)
        as_recorded = (proposal.reply, proposal.replied_on, proposal.satisfaction)
        if not first and proposal.reply and as_recorded == (reply, replied_on or s.day, satisfaction):
            return proposal  # the reply shown on the page, saved again unchanged: nothing to record
        before = s.fire("reply_proposal" if first else "amend_proposal_reply")
        proposal.reply = reply
        proposal.replied_on = replied_on or s.day
        proposal.satisfaction = satisfaction
        s.touch(proposal)
        s.record(
            "proposal_replied",
            "登记建议提案答复",
            before,
            opinion=f"{reply}（{proposal.get_satisfaction_display() or '满意度待反馈'}）",
            rule_id="PUB-3",
        )
    return proposal


def publish_proposal_result(*, actor, item: SupervisionItem, summary: str, today: dt.date | None = None) -> Proposal:
    """PUB-3 (第四十二条): the handling result is disclosed — listed in the public register (PUB-2), once."""
    summary = required(summary, "公开的办理结果", keep_indent=True)
    if not ledger_permissions.can_manage(actor):
        raise ActionNotAllowed("只有区政府办公室可以公开办理结果。")
    with step(item, actor=actor, expect=PROPOSAL_STATES, today=today) as s:
        it = s.obj
        proposal = _proposal(it)
        if not proposal.reply.strip():
            raise RuleViolation("PUB-3", "尚未答复代表/委员，不能公开办理结果（第四十二条）。")
        if proposal.published_on is not None:
            raise AlreadyHandled(f"办理结果已于{proposal.published_on:%Y-%m-%d}公开。")
        before = s.fire("publish_proposal")
        proposal.result_summary = summary
        proposal.published_on = s.day
        s.touch(proposal)
        kind_name = "人大代表建议" if it.source == Source.NPC_SUGGESTION else "政协委员提案"
        publish_to_register(
            subject=proposal,
            kind=PublicRegisterEntry.Kind.PROPOSAL_RESULT,
            title=f"关于{kind_name}第{proposal.number}号的办理结果",
            number=proposal.number,
            issuer_name=it.lead_unit.name,
            published_on=s.day,
            disclosure=Disclosure.FULL,
            text=summary,
        )
        s.record("proposal_published", "公开建议提案办理结果", before, opinion=summary, rule_id="PUB-3")
    return proposal

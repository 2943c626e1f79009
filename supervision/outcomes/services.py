"""Every write of the outcomes of supervision (SUP-4): the office proposes praise, incentive, criticism or
accountability from a conclusion; the district leader it names decides. Each is a step of the workflow kernel: the
outcome's task (待审定) opens with the proposal and closes with the decision, in the same transaction."""

from __future__ import annotations

import datetime as dt

from django.urls import NoReverseMatch, reverse

from supervision.ledger import permissions as ledger_permissions
from supervision.ledger.models import CLOSED_STATES, WORKING_STATES, SupervisionItem
from supervision.shared.errors import ActionNotAllowed, AlreadyHandled, RuleViolation, SupervisionError
from supervision.shared.people import leader_people, office_people, unit_people
from supervision.shared.services import required
from tiexi_gov.org.models import Post, Unit
from tiexi_gov.text import strip_text
from tiexi_gov.workflow.kernel import step

from . import permissions
from .models import Outcome


def outcome_url(outcome: Outcome) -> str:
    try:
        return reverse("supervision:outcome", args=[outcome.pk])
    except NoReverseMatch:
        return ""


def outcome_allowed(item: SupervisionItem, day: dt.date) -> bool:
    """A conclusion exists: the item was verified (closed), or it is overdue (the failure is the conclusion)."""
    return item.state in CLOSED_STATES or (item.state in WORKING_STATES and item.due < day)


def propose_outcome(
    *,
    actor,
    item: SupervisionItem,
    kind: str,
    grounds: str,
    unit: Unit | None = None,
    approver_post: Post | None = None,
    today: dt.date | None = None,
) -> Outcome:
    """SUP-4: the office proposes praise, incentive, criticism or accountability, with its grounds."""
    if not ledger_permissions.can_manage(actor):
        raise ActionNotAllowed("只有区政府办公室可以提出结果运用建议。")
    grounds = required(grounds, "事实与依据", keep_indent=True)
    if kind not in Outcome.OutcomeKind.values:
        raise SupervisionError("请选择结果运用方式（表扬、激励、批评、追责）。")
    approver_post = approver_post or item.leader_post
    if approver_post is None or not approver_post.is_leader:
        raise SupervisionError("结果运用须由区政府领导审批。")
    with step(item, actor=actor, today=today) as s:
        it = s.obj
        if not outcome_allowed(it, s.day):
            raise RuleViolation("SUP-4", "结果运用须依据复查核验结论或事项超期的事实提出（第五十条）。")
        unit = unit or it.lead_unit
        live = (Outcome.State.PROPOSED, Outcome.State.APPROVED)
        same = it.outcomes.filter(unit=unit, kind=kind, state__in=live).first()
        if same is not None:  # the form posted twice: one conclusion, one praise or criticism (SUP-4, SUP-6)
            raise SupervisionError(
                f"已就该事项对{unit.display_name}提出{same.get_kind_display()}建议（{same.get_state_display()}），"
                "请勿重复提出。"
            )
        outcome = Outcome.objects.create(
            item=it,
            unit=unit,
            kind=kind,
            grounds=grounds,
            approver_post=approver_post,
            proposed_by=actor,
            proposed_on=s.day,
        )
        with step(outcome, actor=actor, today=s.day) as o:
            o.record(
                "proposed",
                f"提出{outcome.get_kind_display()}建议",
                after=outcome.state,
                opinion=grounds,
                rule_id="SUP-4",
            )
            o.tell(
                leader_people([approver_post], s.day),
                f"结果运用待审批：{outcome.get_kind_display()}{unit.display_name}",
                grounds,
            )
        s.record(
            "outcome_proposed",
            f"提出结果运用：{outcome.get_kind_display()}（{unit.display_name}）",
            it.state,
            opinion=grounds,
            rule_id="SUP-4",
        )
    return o.obj


def decide_outcome(
    *, actor, outcome: Outcome, approve: bool, opinion: str = "", today: dt.date | None = None
) -> Outcome:
    """The district leader approves or rejects; an approved outcome stays on the unit's record (SUP-6)."""
    if not approve:
        opinion = required(opinion, "不予批准的理由", keep_indent=True)
    with step(outcome, actor=actor, today=today) as s:
        o = s.obj
        if o.state != Outcome.State.PROPOSED:
            raise AlreadyHandled(f"该建议已处理（{o.get_state_display()}），请刷新后查看。", handled_by=o.decided_by)
        before = s.fire("approve" if approve else "reject")
        handler = permissions.outcome_decider(actor, o)
        o.decided_by = actor
        o.decided_on = s.day
        o.decision_opinion = strip_text(opinion)
        label = "批准" if approve else "不予批准"
        s.record("decided", f"{label}{o.get_kind_display()}", before, opinion=opinion, rule_id="SUP-4", handler=handler)
        s.record(
            "outcome_decided",
            f"区领导{label}结果运用：{o.get_kind_display()}",
            o.item.state,
            opinion=opinion,
            rule_id="SUP-4",
            handler=handler,
            subject=o.item,
        )
        s.tell(office_people(), f"结果运用已{label}：{o.get_kind_display()}{o.unit.display_name}", opinion)
        if approve:
            s.tell(
                unit_people(o.unit),
                f"督查结果运用：{o.get_kind_display()}（{o.item.number}）",
                o.grounds,
                level="alert" if o.kind in ("criticism", "accountability") else "info",
            )
    return s.obj

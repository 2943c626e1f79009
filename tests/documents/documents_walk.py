"""Random-walk drivers of the documents area for the queue's completeness tests (issue 10).

`CREATORS`: each makes a new item through the services — a unit's 请示/报告/简报 (sometimes asking other units'
opinions), or a 发文 in the government's, the office's or a department's name — choosing an entitled actor from the
database itself (a unit's clerk by role, office staff by role) and plausible random values; None when the world
offers nothing to build on. A refusal (ActionRefused) is part of the walk.

`DRIVERS`: (model, transition) → a call of the service that fires that transition as `user` on `day`. Every
transition of Submission and OutgoingDocument is covered, the optional ones too (the walker may take them).
No username is assumed: works in the demo district and in the random worlds of tests/workflow.
"""

from __future__ import annotations

import datetime as dt
import random
from collections.abc import Callable

from documents.outgoing import services as outgoing
from documents.outgoing.models import (
    DocumentPlan,
    Issuer,
    OneOffApproval,
    OutgoingDocument,
    OutgoingKind,
    OutgoingReturnReason,
    PlanItem,
)
from documents.shared.choices import Disclosure, DisclosureManner, Urgency
from documents.submissions import services as submissions
from documents.submissions.models import (
    ConsultationRequest,
    LeaderAssignment,
    ReturnReason,
    Submission,
    SubmissionKind,
)
from tiexi_gov.org.models import Post, Unit, User
from tiexi_gov.org.roles import Role, users_with_role
from tiexi_gov.workdays import calendar as wd

SUBMITTING_KINDS = (Unit.Kind.DEPARTMENT, Unit.Kind.AFFILIATED, Unit.Kind.INSTITUTION, Unit.Kind.TOWNSHIP)
SUBJECTS = ("专项资金", "校舍维修", "道路改造", "供暖保障", "安全生产", "营商环境", "河道治理", "项目审批")


def _clerks(rng: random.Random, kinds=SUBMITTING_KINDS) -> User | None:
    people = list(users_with_role(Role.CLERK).filter(unit__kind__in=kinds, unit__active=True).order_by("pk"))
    return rng.choice(people) if people else None


def _office(rng: random.Random) -> User | None:
    people = list(users_with_role(Role.OFFICE_STAFF).exclude(unit=None).order_by("pk"))
    return rng.choice(people) if people else None


def _fields(day: dt.date, rng: random.Random) -> dict:
    urgency = rng.choice([Urgency.NORMAL, Urgency.NORMAL, Urgency.URGENT, Urgency.EXTRA_URGENT])
    fields = {
        "kind": rng.choice([SubmissionKind.REQUEST, SubmissionKind.REQUEST, SubmissionKind.REPORT]),
        "body": "正文。",
        "urgency": urgency,
        "disclosure": Disclosure.FULL,
        "disclosure_manner": DisclosureManner.ACTIVE,
        "decision_needed_by": wd.add_workdays(day, 25),
        "declares_one_matter": True,
        "declares_report_has_no_request": True,
        "not_classified": True,
        "issue_date": day,
        "confidential": rng.random() < 0.15,
    }
    if urgency == Urgency.EXTRA_URGENT:
        fields["urgency_reason"] = "汛期临近"
    if rng.random() < 0.15:
        fields["kind"] = SubmissionKind.BRIEFING
        fields["declares_one_matter"] = False
    return fields


def create_submission(rng: random.Random, day: dt.date):
    clerk = _clerks(rng)
    if clerk is None:
        return None
    sub = submissions.create_draft(
        actor=clerk, title=f"关于{rng.choice(SUBJECTS)}的请示（{rng.randint(1, 999)}）", today=day, **_fields(day, rng)
    )
    if sub.confidential and rng.random() < 0.7:  # name the office people who will have to handle it
        for person in users_with_role(Role.OFFICE_STAFF).order_by("pk")[:2]:
            submissions.grant_reader(actor=clerk, submission=sub, user=person, today=day)
    others = list(Unit.objects.filter(kind__in=SUBMITTING_KINDS, active=True).exclude(pk=clerk.unit_id).order_by("pk"))
    if others and rng.random() < 0.35:
        units = rng.sample(others, min(len(others), rng.randint(1, 2)))
        submissions.request_consultation(
            actor=clerk, submission=sub, units=units, limit_wd=rng.randint(2, 5), today=day
        )
    return sub


def create_outgoing(rng: random.Random, day: dt.date):
    kind = rng.choice(
        [OutgoingKind.GOVERNMENT, OutgoingKind.OFFICE_DECISION, OutgoingKind.OFFICE_REMIT, OutgoingKind.UPWARD]
    )
    actor = _office(rng) if kind == OutgoingKind.OFFICE_REMIT else _clerks(rng)
    if actor is None or actor.unit_id is None:
        return None
    if kind == OutgoingKind.OFFICE_REMIT and actor.unit.kind != Unit.Kind.OFFICE:
        return None
    title = f"关于{rng.choice(SUBJECTS)}的通知（{rng.randint(1, 999)}）"
    issuer = {OutgoingKind.OFFICE_DECISION: Issuer.OFFICE, OutgoingKind.OFFICE_REMIT: Issuer.OFFICE}.get(
        kind, Issuer.GOVERNMENT
    )
    plan_item = None
    if rng.random() < 0.8:  # most documents are planned (DOC-15); the rest ask for a one-off approval
        plan, _ = DocumentPlan.objects.get_or_create(
            issuer=issuer, unit=None, year=day.year, defaults={"created_by": actor}
        )
        plan_item = PlanItem.objects.create(plan=plan, title=title)
    others = list(Unit.objects.filter(kind__in=SUBMITTING_KINDS, active=True).exclude(pk=actor.unit_id).order_by("pk"))
    body = "为做好有关工作，经区政府批准，现通知如下。"
    doc = outgoing.create_outgoing(
        actor=actor,
        kind=kind,
        title=title,
        issuer=issuer,
        countersign_units=rng.sample(others, 1) if others and rng.random() < 0.3 else [],
        plan_item=plan_item,
        today=day,
        body=body,
        main_recipients="各乡、街道，区政府各部门",
        disclosure=Disclosure.FULL,
        disclosure_manner=DisclosureManner.ACTIVE,
        not_classified=True,
        confidential=False,
    )
    if plan_item is None:
        outgoing.request_one_off_approval(actor=actor, document=doc, matter=title, reason="工作急需", today=day)
    return doc


CREATORS: list[Callable[[random.Random, dt.date], object]] = [create_submission, create_submission, create_outgoing]


# --- flow A --------------------------------------------------------------------------------------------------------


def _reply(sub, user, day, rng):
    req = ConsultationRequest.objects.filter(
        submission=sub, unit_id=user.unit_id, state=ConsultationRequest.State.OPEN
    ).first()
    if req is None:
        return None
    if rng.random() < 0.2:
        return submissions.reply_to_consultation(
            actor=user, consultation=req, reply="disagree", text="涉及本单位职责，有不同意见。", today=day
        )
    return submissions.reply_to_consultation(actor=user, consultation=req, reply="agree", today=day)


def _countersign(sub, user, day, rng):
    statement = sub.disagreement_statements.order_by("-created_at", "-id").first()
    return submissions.countersign_statement(actor=user, statement=statement, today=day)


def _send_for_signature(sub, user, day, rng):
    if sub.disagreeing_unit_ids() and not sub.disagreement_statements.exists():
        submissions.record_disagreement_statement(
            actor=user,
            submission=sub,
            talks_note="主要负责人已协商",
            lead_reasons="依据充分",
            other_reasons="职责交叉",
            proposal="提请区政府决定",
            today=day,
        )
        return None
    return submissions.send_for_signature(actor=user, submission=sub, today=day)


def _route(sub, user, day, rng):
    if sub.urgency != Urgency.NORMAL and rng.random() < 0.5:
        posts = list(Post.objects.filter(kind__in=Post.LEADER_KINDS).order_by("pk"))
        if len(posts) >= 2:
            return submissions.send_to_leaders(
                actor=user,
                submission=sub,
                mode=rng.choice(["serial", "parallel"]),
                posts=rng.sample(posts, 2),
                today=day,
            )
    return submissions.route_to_leader(actor=user, submission=sub, today=day)


def _decide(decision: str | None):
    def run(sub, user, day, rng):
        pending = LeaderAssignment.objects.filter(submission=sub, state=LeaderAssignment.State.PENDING).first()
        choice = decision
        if choice is None:  # instruct: pass it on, or one of several instructions
            choice = "approve" if pending and pending.mode != LeaderAssignment.Mode.SINGLE else "pass"
        to_post = None
        if choice == "pass":
            others = Post.objects.filter(kind__in=Post.LEADER_KINDS).exclude(pk=getattr(pending, "post_id", None))
            to_post = others.order_by("pk").first()
        return submissions.leader_decide(
            actor=user, submission=sub, decision=choice, opinion="阅。", to_post=to_post, today=day
        )

    return run


def _office_review(sub, user, day, rng):
    return submissions.office_review_opinion(actor=user, submission=sub, opinion="拟呈阅。", today=day)


def _office_return(sub, user, day, rng):
    return submissions.return_submission(
        actor=user, submission=sub, reason=ReturnReason.FORMAT, text="格式不符合规定。", today=day
    )


def _consult_more(sub, user, day, rng):
    others = list(Unit.objects.filter(kind__in=SUBMITTING_KINDS, active=True).exclude(pk=sub.unit_id).order_by("pk"))
    if not others:
        return None
    return submissions.request_consultation(actor=user, submission=sub, units=[rng.choice(others)], today=day)


DRIVERS: dict[tuple[type, str], Callable] = {
    (Submission, "start_consultation"): _consult_more,
    (Submission, "send_for_signature"): _send_for_signature,
    (Submission, "reply_consultation"): _reply,
    (Submission, "countersign_statement"): _countersign,
    (Submission, "sign"): lambda s, u, d, r: submissions.sign_submission(actor=u, submission=s, issue_date=d, today=d),
    (Submission, "send_back_to_drafter"): lambda s, u, d, r: submissions.send_back_to_drafter(
        actor=u, submission=s, opinion="请修改。", today=d
    ),
    (Submission, "submit"): lambda s, u, d, r: submissions.submit_to_office(actor=u, submission=s, today=d),
    (Submission, "register"): lambda s, u, d, r: submissions.register(actor=u, submission=s, today=d),
    (Submission, "approve_briefing"): lambda s, u, d, r: submissions.approve_briefing(
        actor=u, submission=s, opinion="同意。", today=d
    ),
    (Submission, "deputy_director_review"): _office_review,
    (Submission, "director_review"): _office_review,
    (Submission, "route"): _route,
    (Submission, "instruct"): _decide(None),
    (Submission, "approve"): _decide("approve"),
    (Submission, "disapprove"): _decide("disapprove"),
    (Submission, "leader_return"): _decide("return"),
    (Submission, "office_return"): _office_return,
    (Submission, "revise"): lambda s, u, d, r: submissions.revise(actor=u, submission=s, today=d),
    (Submission, "close"): lambda s, u, d, r: submissions.close_submission(actor=u, submission=s, today=d),
}


# --- flow B --------------------------------------------------------------------------------------------------------


def _advance(doc, user, day, rng):
    """The checking steps leave by the same three transitions; which service fires them depends on the state."""
    if doc.state == "office_check":
        return outgoing.office_check_outgoing(actor=user, document=doc, opinion="核稿。", today=day)
    if doc.state == "legality_review":
        return outgoing.record_legality_review(
            actor=user,
            document=doc,
            passed=True,
            opinion="合法。",
            within_authority=True,
            procedure_complete=True,
            today=day,
        )
    return outgoing.review_outgoing(actor=user, document=doc, opinion="同意。", today=day)


def _decide_one_off(doc, user, day, rng):
    approval = doc.one_off_approvals.filter(state=OneOffApproval.State.PENDING).first()
    return outgoing.decide_one_off_approval(
        actor=user, approval=approval, approve=rng.random() < 0.8, opinion="同意。", today=day
    )


def _send_back(doc, user, day, rng):
    leader = doc.state in ("deputy_review", "awaiting_signature") and rng.random() < 0.5
    reason = OutgoingReturnReason.LEADER_RETURN if leader else OutgoingReturnReason.NOTHING_NEW
    return outgoing.return_outgoing(actor=user, document=doc, reason=reason, text="请修改。", today=day)


def _submit_outgoing(doc, user, day, rng):
    return outgoing.submit_outgoing(actor=user, document=doc, today=day)


DRIVERS |= {
    (OutgoingDocument, "submit"): lambda o, u, d, r: outgoing.submit_outgoing(actor=u, document=o, today=d),
    (OutgoingDocument, "send_to_unit_signer"): lambda o, u, d, r: outgoing.submit_outgoing(
        actor=u, document=o, today=d
    ),
    (OutgoingDocument, "countersign"): lambda o, u, d, r: outgoing.countersign_outgoing(
        actor=u, document=o, opinion="同意。", today=d
    ),
    (OutgoingDocument, "decide_one_off"): _decide_one_off,
    (OutgoingDocument, "to_legality_review"): _advance,
    (OutgoingDocument, "to_deputy_review"): _advance,
    (OutgoingDocument, "to_signature"): _advance,
    (OutgoingDocument, "review"): _advance,
    (OutgoingDocument, "sign"): lambda o, u, d, r: outgoing.sign_outgoing(actor=u, document=o, today=d),
    (OutgoingDocument, "issue"): lambda o, u, d, r: outgoing.issue_outgoing(actor=u, document=o, today=d),
    (OutgoingDocument, "send_to_party"): lambda o, u, d, r: outgoing.send_to_party_committee(
        actor=u, document=o, today=d
    ),
    (OutgoingDocument, "send_back"): _send_back,
    (OutgoingDocument, "revise"): lambda o, u, d, r: outgoing.revise_outgoing(actor=u, document=o, today=d),
    (OutgoingDocument, "record_filing"): lambda o, u, d, r: outgoing.record_filing(
        actor=u, document=o, filed_with="区人大常委会", filed_on=d, today=d
    ),
    (OutgoingDocument, "withdraw"): lambda o, u, d, r: outgoing.withdraw_outgoing(
        actor=u, document=o, reason="情况变化。", today=d
    ),
}

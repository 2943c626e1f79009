"""Every write of the register of coordination bodies (议事协调机构): applications to set up, adjust, merge or
abolish a body (CRD-1, 第六十四条) and the conditions a body must meet (CRD-2, 第六十五条; CRD-3, 第六十六条).

The path of an application is one FSM (`Application.state`):

    drafting ──submit──▶ office_review ──office_review──▶ deputy_review ──deputy_review──▶ head_review
        ▲                     │                                │                               │
        └──── returned ◀──────┴────────── send_back ───────────┴───────────────────────────────┤
                                                                                      head_approve
                                                                                               ▼
                                                                                           approved

Each step is taken by the right person only (the transition's object permission in `coordination.register.permissions`):
the applicant unit submits, the office (办公室) reviews with an opinion, the deputy whose portfolio covers the
applicant unit (acting included) gives an opinion, the head (区长, or whoever presides in the head's stead)
approves. The approval writes the register in the same transaction; nothing of the register changes before.

The CRD-2 conditions are checked when the application is created or resubmitted AND again when it is approved
(the register may have changed meanwhile): at least one ground, each with the law or document it rests on; a body
mirroring a province/city body names it with its rank and is not ranked above it; the head seat matches the rank
(CRD-3: the responsible deputy in principle, the head only when a higher level requires it, a department head for a
department-led body); one seat per post; a name no other body bears.

`proposal` (the register data an application carries, JSON):
- setup: the whole body — name, grounds [{ground, basis}], counterpart_level/name/rank, rank,
  head_required_by_higher_level, head_post, deputy_head_posts, member_posts (post ids), host_unit (unit id),
  office_name, founding_document, phase_end (ISO date or ""), functions;
- adjust: only the keys that change (the same names); the approval applies them to the body as it is then;
- merge / abolish: abolish_grounds (CRD-4 grounds, `AbolishGround` values; "grounds" is accepted too) and an
  optional note.

Every step goes through the workflow kernel (`tiexi_gov.workflow.kernel.step`): lock, check the state the user saw
("已由XX处理"), fire the protected transition with its object permission, the audit event, the tasks of the next step
(`coordination.register.flow`), the notices. `today` exists so that tests can state the day of the action; views
never pass it.
"""

from __future__ import annotations

import datetime as dt

from django.db import IntegrityError, transaction
from django.utils import timezone

from tiexi_gov.deadlines.services import cancel_deadlines
from tiexi_gov.org.access import handlers_on
from tiexi_gov.org.models import Post, Unit, User
from tiexi_gov.org.selectors import Handler, head_post, leader_post_for_unit, who_handles
from tiexi_gov.references import normalise_reference
from tiexi_gov.workflow.errors import ActionRefused, NotAllowed
from tiexi_gov.workflow.kernel import step, today_or
from tiexi_gov.workflow.sync import sync_tasks

from ..models import AbolishGround, AnnualTargets, Application, Body, BodyGround, CounterpartLevel, Ground, Rank, Seat
from ..shared.access import office_people, unit_people
from . import permissions

St = Application.State
Kind = Application.Kind
IN_FLIGHT = (St.OFFICE_REVIEW, St.DEPUTY_REVIEW, St.HEAD_REVIEW)
REVIEW_STATES = IN_FLIGHT
EDITABLE = (St.DRAFTING, St.RETURNED)

# The keys of a body's register data, in the order of the paper form.
SPEC_KEYS = (
    "name",
    "grounds",
    "counterpart_level",
    "counterpart_name",
    "counterpart_rank",
    "rank",
    "head_required_by_higher_level",
    "head_post",
    "deputy_head_posts",
    "member_posts",
    "host_unit",
    "office_name",
    "founding_document",
    "phase_end",
    "functions",
)
SEAT_KEYS = ("head_post", "deputy_head_posts", "member_posts")
TEXT_LIMITS = {"name": 120, "counterpart_name": 120, "office_name": 120, "founding_document": 200}
# Which posts may head a body of which rank (CRD-3): the head, a deputy, or a department's main head.
RANK_OF_HEAD_KIND = {
    Post.Kind.HEAD: Rank.HEAD,
    Post.Kind.EXEC_DEPUTY: Rank.DEPUTY,
    Post.Kind.DEPUTY: Rank.DEPUTY,
    Post.Kind.UNIT_HEAD: Rank.DEPARTMENT,
    Post.Kind.OFFICE_DIRECTOR: Rank.DEPARTMENT,
}


# --- errors --------------------------------------------------------------------------------------------------


class InvalidProposal(ActionRefused):
    """A proposal that breaks a register rule; `field` names the form field the message belongs to."""

    def __init__(self, message: str, rule_id: str = "", field: str = ""):
        super().__init__(message, rule_id=rule_id)
        self.field = field


# --- helpers ---------------------------------------------------------------------------------------------


def _pk(value) -> int | None:
    if value in (None, ""):
        return None
    if hasattr(value, "pk"):
        return value.pk
    try:
        return int(value)
    except (TypeError, ValueError) as exc:
        raise InvalidProposal(f"无效的编号：{value}") from exc


def _pks(values) -> list[int]:
    result: list[int] = []
    for value in values or ():
        pk = _pk(value)
        if pk is not None and pk not in result:
            result.append(pk)
    return result


def _iso(value) -> str:
    if value in (None, ""):
        return ""
    if isinstance(value, dt.date):
        return value.isoformat()
    try:
        return dt.date.fromisoformat(str(value)).isoformat()
    except ValueError as exc:
        raise InvalidProposal("日期格式应为 YYYY-MM-DD。", field="phase_end") from exc


def _rank(value, field: str) -> int | None:
    if value in (None, ""):
        return None
    try:
        rank = int(value)
    except (TypeError, ValueError):
        rank = None
    if rank not in Rank.values:
        raise InvalidProposal("请选择有效的机构规格。", field=field)
    return rank


def _text(value, key: str) -> str:
    text = " ".join(str(value or "").split()) if key != "functions" else str(value or "").strip()
    limit = TEXT_LIMITS.get(key)
    if limit and len(text) > limit:
        raise InvalidProposal(f"内容过长（最多 {limit} 个字）。", field=key)
    return text


def _grounds(value) -> list[dict]:
    rows = []
    for row in value or ():
        if isinstance(row, dict):
            ground, basis = row.get("ground", ""), row.get("basis", "")
        else:
            ground, basis = row
        rows.append({"ground": str(ground or ""), "basis": " ".join(str(basis or "").split())})
    return sorted(rows, key=_ground_order)


def _ground_order(row: dict) -> int:
    """Grounds in the order of 第六十五条, so that two lists of the same grounds compare equal."""
    values = list(Ground.values)
    return values.index(row["ground"]) if row["ground"] in values else len(values)


def normalise(spec: dict) -> dict:
    """The register data of `spec` (ids or model instances, dates or ISO strings) as plain JSON, known keys only."""
    out: dict = {}
    for key in SPEC_KEYS:
        if key not in spec:
            continue
        value = spec[key]
        if key == "grounds":
            out[key] = _grounds(value)
        elif key in ("counterpart_rank", "rank"):
            out[key] = _rank(value, key)
        elif key == "head_required_by_higher_level":
            out[key] = bool(value)
        elif key in ("head_post", "host_unit"):
            out[key] = _pk(value)
        elif key in ("deputy_head_posts", "member_posts"):
            out[key] = _pks(value)
        elif key == "phase_end":
            out[key] = _iso(value)
        else:
            out[key] = _text(value, key)
    return out


def body_spec(body: Body) -> dict:
    """A body's register data as it stands, in the shape of a setup proposal."""
    seats = list(body.seats.order_by("order", "id"))
    return {
        "name": body.name,
        "grounds": sorted(
            ({"ground": g.ground, "basis": g.basis} for g in body.grounds.order_by("id")), key=_ground_order
        ),
        "counterpart_level": body.counterpart_level,
        "counterpart_name": body.counterpart_name,
        "counterpart_rank": body.counterpart_rank,
        "rank": body.rank,
        "head_required_by_higher_level": body.head_required_by_higher_level,
        "head_post": next((s.post_id for s in seats if s.role == Seat.Role.HEAD), None),
        "deputy_head_posts": [s.post_id for s in seats if s.role == Seat.Role.DEPUTY_HEAD],
        "member_posts": [s.post_id for s in seats if s.role == Seat.Role.MEMBER],
        "host_unit": body.host_unit_id,
        "office_name": body.office_name,
        "founding_document": body.founding_document,
        "phase_end": body.phase_end.isoformat() if body.phase_end else "",
        "functions": body.functions,
    }


def _same(key: str, old, new) -> bool:
    """Whether an adjustment leaves `key` as it is; deputy heads and members compare as sets of posts."""
    if key in ("deputy_head_posts", "member_posts"):
        return set(old or ()) == set(new or ())
    return old == new


def _abolish_grounds(proposal: dict, review=None) -> list[str]:
    grounds = proposal.get("abolish_grounds", proposal.get("grounds"))
    if not grounds and review is not None:
        grounds = review.grounds
    result: list[str] = []
    for g in grounds or ():
        g = str(g)
        if g not in AbolishGround.values:
            raise InvalidProposal("撤销或合并的依据无效。", rule_id="CRD-4", field="abolish_grounds")
        if g not in result:
            result.append(g)
    if not result:
        raise InvalidProposal(
            "请至少选择一项撤销或合并的依据（第六十七条）。", rule_id="CRD-4", field="abolish_grounds"
        )
    return result


# --- CRD-2 / CRD-3: what a body in the register must satisfy -------------------------------------------------


def check_body(spec: dict, *, day: dt.date, body: Body | None = None) -> None:
    """Raise InvalidProposal unless the register data `spec` (normalised, complete) may stand for a body.

    `body` is the body being adjusted (its own name is no clash)."""
    name = spec.get("name") or ""
    if not name:
        raise InvalidProposal("请填写机构名称。", field="name")
    # Compared normalised (issue 13.4): "铁西区 安全生产委员会" or full-width letters name the same body.
    clash = Body.objects.filter(name_key=normalise_reference(name)).exclude(pk=body.pk if body else None).first()
    if clash is not None:
        raise _name_taken(name, clash)

    # CRD-2: at least one of the five grounds, each with the law or document it rests on.
    grounds = spec.get("grounds") or []
    if not grounds:
        raise InvalidProposal(
            "设立议事协调机构须符合第六十五条规定的设立原则，请至少选择一项设立依据并写明所依据的法律法规或文件。",
            rule_id="CRD-2",
            field="grounds",
        )
    seen: set[str] = set()
    for row in grounds:
        ground = row.get("ground")
        if ground not in Ground.values:
            raise InvalidProposal("设立依据无效，请从第六十五条规定的设立原则中选择。", "CRD-2", "grounds")
        if ground in seen:
            raise InvalidProposal(f"设立依据“{Ground(ground).label}”重复。", "CRD-2", "grounds")
        seen.add(ground)
        if not row.get("basis"):
            raise InvalidProposal(
                f"设立依据“{Ground(ground).label}”须写明所依据的法律法规或文件名称、文号（第六十五条）。",
                "CRD-2",
                "grounds",
            )
        if len(row["basis"]) > 200:
            raise InvalidProposal("依据的法律法规或文件过长（最多 200 个字）。", "CRD-2", "grounds")

    # CRD-2: a body mirroring a province/city body names it, with its rank, and is not ranked above it.
    level, cp_name, cp_rank = (
        spec.get("counterpart_level") or "",
        spec.get("counterpart_name"),
        spec.get("counterpart_rank"),
    )
    if level and level not in CounterpartLevel.values:
        raise InvalidProposal("请选择有效的对应机构层级。", field="counterpart_level")
    if not level and (cp_name or cp_rank):
        raise InvalidProposal("请选择对应的省、市机构是省级还是市级。", "CRD-2", "counterpart_level")
    if Ground.UPPER_COUNTERPART in seen and not level:
        raise InvalidProposal(
            "以“省、市已设置，我区有相应工作或需对口联系”为依据的，须填写对应的省、市机构及其规格（第六十五条）。",
            "CRD-2",
            "counterpart_level",
        )
    if level:
        level_label = CounterpartLevel(level).label
        if not cp_name:
            raise InvalidProposal(f"请填写对应的{level_label}机构名称（第六十五条）。", "CRD-2", "counterpart_name")
        if cp_rank is None:
            raise InvalidProposal(
                f"对应{level_label}机构的，须填写该机构的规格，以便严格比照设置（第六十五条）。",
                "CRD-2",
                "counterpart_rank",
            )
    rank = spec.get("rank")
    if rank is None:
        raise InvalidProposal("请选择机构规格。", field="rank")
    if level and rank < cp_rank:
        raise InvalidProposal(
            f"规格不得高于对应的{CounterpartLevel(level).label}机构：“{cp_name}”为“{Rank(cp_rank).label}”，"
            f"本机构拟定为“{Rank(rank).label}”。对于省、市已经设置机构，要求我区成立相应机构的，应严格比照机构设置情况，"
            "不得擅自升级、提高规格（第六十五条）。",
            "CRD-2",
            "rank",
        )

    # The host unit and its office.
    host = Unit.objects.filter(pk=spec.get("host_unit"), active=True).first() if spec.get("host_unit") else None
    if host is None:
        raise InvalidProposal("请选择机构办公室所在单位。", field="host_unit")

    # Seats by post: one head, one seat per post.
    head_id = spec.get("head_post")
    if head_id is None:
        raise InvalidProposal("请选择主要负责人（组长、主任）的职务。", "CRD-3", "head_post")
    deputy_ids, member_ids = spec.get("deputy_head_posts") or [], spec.get("member_posts") or []
    all_ids = [head_id, *deputy_ids, *member_ids]
    posts = Post.objects.select_related("unit").in_bulk(set(all_ids))
    missing = [pk for pk in all_ids if pk not in posts]
    if missing:
        raise InvalidProposal("所选职务不存在，请刷新后重新选择。", field="member_posts")
    seen_posts: set[int] = set()
    for pk in all_ids:
        if pk in seen_posts:
            raise InvalidProposal(f"同一职务在机构中只能担任一个职位：{posts[pk].title}。", field="deputy_head_posts")
        seen_posts.add(pk)

    # CRD-3: the head seat matches the rank — the responsible deputy in principle, the head only when a higher
    # level requires it, a department's main head for a department-led body.
    head = posts[head_id]
    head_rank = RANK_OF_HEAD_KIND.get(head.kind)
    if head_rank is None:
        raise InvalidProposal(
            f"“{head.title}”不能担任主要负责人：主要负责人由区长、副区长或部门主要负责人担任（第六十六条）。",
            "CRD-3",
            "head_post",
        )
    if head.kind == Post.Kind.HEAD and not spec.get("head_required_by_higher_level"):
        raise InvalidProposal(
            "议事协调机构主要负责人，除上级明确要求由区长担任的外，原则上由区政府分管领导担任（第六十六条）。"
            "如上级有明确要求，请勾选“上级明确要求由区长担任主要负责人”。",
            "CRD-3",
            "head_post",
        )
    if spec.get("head_required_by_higher_level") and head.kind != Post.Kind.HEAD:
        raise InvalidProposal(
            "已勾选“上级明确要求由区长担任主要负责人”，主要负责人应为区长（第六十六条）。", "CRD-3", "head_post"
        )
    if head_rank != rank:
        raise InvalidProposal(
            f"机构规格与主要负责人不符：由“{head.title}”任主要负责人，规格应为“{Rank(head_rank).label}”。",
            "CRD-3",
            "rank",
        )
    if head.kind in (Post.Kind.EXEC_DEPUTY, Post.Kind.DEPUTY):
        responsible = leader_post_for_unit(host, day)
        if responsible is not None and responsible.kind != Post.Kind.HEAD and responsible.pk != head.pk:
            raise InvalidProposal(
                f"主要负责人原则上由区政府分管领导担任：{host.display_name}由{responsible.title}分管，"
                f"请选择“{responsible.title}”（第六十六条）。",
                "CRD-3",
                "head_post",
            )


def _name_taken(name: str, clash: Body) -> InvalidProposal:
    if clash.status == Body.Status.ACTIVE:
        return InvalidProposal(f"已有同名的议事协调机构“{name}”，不得重复设立。", rule_id="CRD-2", field="name")
    return InvalidProposal(
        f"名称“{name}”已被{clash.get_status_display()}的机构使用，请另定名称。", rule_id="CRD-2", field="name"
    )


def _setup_pending(name: str) -> InvalidProposal:
    return InvalidProposal(f"“{name}”的设立申请已在办理中，不得重复申请。", "CRD-1", "name")


def _check_setup_not_pending(name: str, exclude_pk=None) -> None:
    key = normalise_reference(name)
    pending = (
        Application.objects.filter(kind=Kind.SETUP, state__in=IN_FLIGHT, name_key=key).exclude(pk=exclude_pk).exists()
    )
    if pending:
        raise _setup_pending(name)


def _save_body(body: Body) -> None:
    """Write a body in a savepoint: a name another approval took meanwhile (the database holds one body per
    normalised name) is the check's refusal, not a server error."""
    try:
        with transaction.atomic():
            body.save()
    except IntegrityError:
        clash = Body.objects.filter(name_key=normalise_reference(body.name)).exclude(pk=body.pk).first()
        if clash is None:
            raise
        raise _name_taken(body.name, clash) from None


def _check_body_not_pending(body: Body, exclude_pk=None) -> None:
    other = Application.objects.filter(body=body, state__in=IN_FLIGHT).exclude(pk=exclude_pk).first()
    if other is not None:
        raise ActionRefused(
            f"“{body.name}”已有正在办理的{other.get_kind_display()}申请，请待其办结后再申请。", rule_id="CRD-1"
        )


def _prepare(
    *, kind: str, body: Body | None, merge_into: Body | None, proposal: dict, day: dt.date, review=None
) -> dict:
    """Check an application's content (CRD-2 at creation or resubmission) and return the proposal to store."""
    proposal = dict(proposal or {})
    if kind == Kind.SETUP:
        if body is not None or merge_into is not None:
            raise ActionRefused("设立申请不涉及已有机构。")
        spec = normalise(proposal)
        for key in SPEC_KEYS:
            spec.setdefault(key, [] if key in ("grounds", "deputy_head_posts", "member_posts") else None)
        for key in ("counterpart_level", "counterpart_name", "office_name", "founding_document", "phase_end"):
            spec[key] = spec[key] or ""
        spec["functions"] = spec["functions"] or ""
        spec["head_required_by_higher_level"] = bool(spec["head_required_by_higher_level"])
        check_body(spec, day=day)
        return spec
    if body is None:
        raise ActionRefused("请选择要调整、合并或撤销的议事协调机构。")
    if body.status != Body.Status.ACTIVE:
        raise ActionRefused(f"“{body.name}”已{body.get_status_display()}，不能再申请{Kind(kind).label}。")
    if kind == Kind.ADJUST:
        if merge_into is not None:
            raise ActionRefused("调整申请不涉及并入机构。")
        current = body_spec(body)
        wanted = normalise(proposal)
        changes = {k: v for k, v in wanted.items() if not _same(k, current.get(k), v)}
        if not changes:
            raise InvalidProposal("申请内容与机构现状相同，未作任何调整。", "CRD-1")
        check_body({**current, **changes}, day=day, body=body)
        if "note" in proposal:
            changes["note"] = _text(proposal["note"], "note")
        return changes
    result = {"abolish_grounds": _abolish_grounds(proposal, review)}
    if proposal.get("note"):
        result["note"] = _text(proposal["note"], "note")
    if kind == Kind.MERGE:
        if merge_into is None:
            raise InvalidProposal("请选择并入的机构。", "CRD-4", "merge_into")
        if merge_into.pk == body.pk:
            raise InvalidProposal("不能并入机构本身。", "CRD-4", "merge_into")
        if merge_into.status != Body.Status.ACTIVE:
            raise InvalidProposal(
                f"“{merge_into.name}”已{merge_into.get_status_display()}，不能并入。", "CRD-4", "merge_into"
            )
    elif kind == Kind.ABOLISH:
        if merge_into is not None:
            raise ActionRefused("撤销申请不涉及并入机构。")
    else:
        raise ActionRefused("请选择申请类别。")
    return result


def _handler(actor, post: Post | None, day: dt.date) -> Handler | None:
    """How `actor` handles `post` on the day (own post or acting for its holder), for the record."""
    if post is None:
        return None
    return next((h for h in handlers_on(actor, day) if h.post.pk == post.pk), None)


def _opinion(opinion: str, label: str) -> str:
    opinion = (opinion or "").strip()
    if not opinion:
        raise ActionRefused(f"请填写{label}。", rule_id="CRD-1")
    return opinion


def _applicant_people(application: Application) -> list[User]:
    people = {application.applicant_id: application.applicant}
    for user in unit_people(application.applicant_unit):
        people[user.pk] = user
    return list(people.values())


def _handler_people(post: Post | None, day: dt.date) -> list[User]:
    if post is None:
        return []
    person = who_handles(post, day).person
    return [person] if person is not None else []


def _as_seen(application: Application | int, seen_state: str | None, states: tuple[str, ...]):
    """The application as the user saw it and the states the step accepts: a page that showed another state than
    the row's is answered "已由XX处理" by the kernel."""
    if not seen_state:
        return application, states
    pk = application.pk if isinstance(application, Application) else application
    return Application(pk=pk, state=seen_state), ((seen_state,) if seen_state in states else states)


def _resync_waiting_on_body(body_id: int | None, *, actor, day: dt.date, exclude_pk=None) -> None:
    """CRD-1 allows one application in flight per body: when one starts or ends (or the body ends), the other drafts
    for the same body become submittable or stop being so, and their tasks follow (each in its own kernel step)."""
    if body_id is None:
        return
    others = Application.objects.filter(body_id=body_id, state__in=EDITABLE).exclude(pk=exclude_pk).order_by("pk")
    for pk in others.values_list("pk", flat=True):
        with step(pk, actor=actor, today=day, model=Application):
            pass


# --- CRD-1: the application path ----------------------------------------------------------------------------


def create_application(
    *,
    actor,
    kind: str,
    applicant_unit: Unit,
    reason: str,
    proposal: dict,
    body: Body | None = None,
    merge_into: Body | None = None,
    review=None,
    submit: bool = False,
    today: dt.date | None = None,
) -> Application:
    """A unit applies to set up, adjust, merge or abolish a body (CRD-1). The content is checked at once (CRD-2);
    the application is a draft until submitted (`submit=True` submits it in the same transaction)."""
    day = today_or(today)
    if kind not in Kind.values:
        raise ActionRefused("请选择申请类别（设立、调整、合并、撤销）。")
    if applicant_unit is None:
        raise ActionRefused("请选择申请单位。")
    reason = (reason or "").strip()
    if not reason:
        raise InvalidProposal("请填写申请理由。", "CRD-1", "reason")
    probe = Application(kind=kind, applicant_unit=applicant_unit, body=body)
    probe._day = day
    if not permissions.can_apply(actor, probe):
        raise NotAllowed(f"您不能以{applicant_unit.display_name}的名义提出申请。", rule_id="CRD-1")
    with transaction.atomic():
        if body is not None:
            body = Body.objects.select_for_update().get(pk=body.pk)
        stored = _prepare(kind=kind, body=body, merge_into=merge_into, proposal=proposal, day=day, review=review)
        if kind == Kind.SETUP:
            _check_setup_not_pending(stored["name"])
        elif submit:
            _check_body_not_pending(body)
        application = Application.objects.create(
            kind=kind,
            body=body,
            merge_into=merge_into,
            applicant_unit=applicant_unit,
            applicant=actor,
            reason=reason,
            proposal=stored,
            deputy_post=leader_post_for_unit(applicant_unit, day),
            review=review,
        )
        # A draft waits on its unit; one submitted at once opens its tasks in the submit step.
        with step(application, actor=actor, today=day, sync=not submit) as s:
            s.record("created", f"拟写{application.get_kind_display()}申请", opinion=reason, rule_id="CRD-1")
        application = s.obj
        if submit:
            application = submit_application(actor=actor, application=application, today=day)
    return application


def submit_application(
    *,
    actor,
    application: Application | int,
    reason: str | None = None,
    proposal: dict | None = None,
    merge_into: Body | None = None,
    seen_state: str | None = None,
    today: dt.date | None = None,
) -> Application:
    """The applicant unit submits its application to the office (CRD-1); after a send-back it may first change
    the reason or the content (checked again, CRD-2) and resubmit. The office may submit in the unit's name."""
    item, expect = _as_seen(application, seen_state, EDITABLE)
    with step(item, actor=actor, expect=expect, today=today, model=Application) as s:
        app = s.obj
        resubmit = app.state == St.RETURNED
        own = permissions.can_submit(actor, app)
        if not own and not permissions.can_submit_for_unit(actor, app):
            raise NotAllowed("只有申请单位可以提交或修改本申请。", rule_id="CRD-1")
        body = Body.objects.select_for_update().get(pk=app.body_id) if app.body_id else None
        as_was = (app.reason, app.proposal, app.merge_into_id)
        if reason is not None:
            reason = reason.strip()
            if not reason:
                raise InvalidProposal("请填写申请理由。", "CRD-1", "reason")
            app.reason = reason
        target = merge_into if merge_into is not None else app.merge_into
        content = proposal if proposal is not None else _as_input(app, body)
        app.proposal = _prepare(
            kind=app.kind, body=body, merge_into=target, proposal=content, day=s.day, review=app.review
        )
        app.merge_into = target
        if app.kind == Kind.SETUP:
            _check_setup_not_pending(app.proposal["name"], exclude_pk=app.pk)
        else:
            _check_body_not_pending(body, exclude_pk=app.pk)
        app.deputy_post = leader_post_for_unit(app.applicant_unit, s.day)
        before = s.fire("submit" if own else "submit_for_unit")
        if app.kind == Kind.SETUP:
            # One setup application in flight per name is held by the database: a unit submitting the same name at
            # this moment makes this save fail, and the applicant gets the check's refusal.
            try:
                with transaction.atomic():
                    s.save()
            except IntegrityError:
                others = Application.objects.filter(kind=Kind.SETUP, state__in=IN_FLIGHT, name_key=app.name_key)
                if not others.exclude(pk=app.pk).exists():
                    raise
                raise _setup_pending(app.proposal["name"]) from None
        # The revise form posted back unchanged resubmits: it does not claim a change that never happened.
        changed = (app.reason, app.proposal, app.merge_into_id) != as_was
        label = "修改后重新提交" if resubmit and changed else ("重新提交" if resubmit else "提交申请")
        app.submitted_as = label  # the page's message says what happened
        s.record("submit", label, before, opinion=app.reason if changed or not resubmit else "", rule_id="CRD-1")
        s.tell(
            office_people(),
            f"待审核：{app}",
            f"{app.applicant_unit.display_name}{label}，请区政府办公室审核把关、提出意见（第六十四条）。",
        )
    _resync_waiting_on_body(s.obj.body_id, actor=actor, day=s.day, exclude_pk=s.obj.pk)
    return s.obj


def _as_input(app: Application, body: Body | None) -> dict:
    """The stored proposal in the shape `_prepare` takes (an adjustment is re-read against the body as it is)."""
    if app.kind == Kind.ADJUST and body is not None:
        return {**body_spec(body), **app.proposal}
    return dict(app.proposal)


def office_review(
    *, actor, application: Application | int, opinion: str, seen_state: str | None = None, today: dt.date | None = None
) -> Application:
    """The office reviews the application and gives its opinion; it goes on to the responsible deputy (CRD-1)."""
    opinion = _opinion(opinion, "审核意见")
    item, expect = _as_seen(application, seen_state, (St.OFFICE_REVIEW,))
    with step(item, actor=actor, expect=expect, today=today, model=Application) as s:
        app = s.obj
        before = s.fire("office_pass")
        app.office_opinion = opinion
        s.record("office_review", "区政府办公室审核", before, opinion=opinion, rule_id="CRD-1")
        s.tell(
            _handler_people(app.deputy_post, s.day),
            f"待审核：{app}",
            f"区政府办公室已审核，请{app.deputy_post.title if app.deputy_post else '分管副区长'}审核（第六十四条）。",
        )
    return s.obj


def deputy_review(
    *, actor, application: Application | int, opinion: str, seen_state: str | None = None, today: dt.date | None = None
) -> Application:
    """The deputy whose portfolio covers the applicant unit (or whoever acts for them) gives an opinion; the
    application goes on to the head (CRD-1)."""
    opinion = _opinion(opinion, "审核意见")
    item, expect = _as_seen(application, seen_state, (St.DEPUTY_REVIEW,))
    with step(item, actor=actor, expect=expect, today=today, model=Application) as s:
        app = s.obj
        title = app.deputy_post.title if app.deputy_post else "分管副区长"
        before = s.fire("deputy_pass")
        app.deputy_opinion = opinion
        s.record(
            "deputy_review",
            f"{title}审核",
            before,
            opinion=opinion,
            rule_id="CRD-1",
            handler=_handler(actor, app.deputy_post, s.day),
        )
        s.tell(_handler_people(head_post(), s.day), f"待审批：{app}", f"{title}已审核，请区长审批（第六十四条）。")
    return s.obj


def head_approve(
    *, actor, application: Application | int, opinion: str, seen_state: str | None = None, today: dt.date | None = None
) -> Application:
    """The head approves; the register changes in the same transaction (CRD-1), after the CRD-2 conditions are
    checked once more against the register as it is now (a refusal leaves the head to send it back)."""
    opinion = _opinion(opinion, "审批意见")
    item, expect = _as_seen(application, seen_state, (St.HEAD_REVIEW,))
    with step(item, actor=actor, expect=expect, today=today, model=Application) as s:
        app = s.obj
        before = s.fire("approve")
        body = _write_register(s, app)
        app.head_opinion = opinion
        app.decided_at = timezone.now()
        if app.body_id is None:
            app.body = body
        handler = permissions.head_handler(actor, app)
        s.record("approve", "区长审批同意", before, opinion=opinion, rule_id="CRD-1", handler=handler)
        s.tell(
            [*_applicant_people(app), *office_people()],
            f"已批准：{app}",
            f"区长已批准，议事协调机构名册已更新：{body.name}（{body.get_status_display()}）。",
        )
    # The body changed: drafts waiting on it, and its annual targets' filing unit, follow.
    _resync_waiting_on_body(s.obj.body_id, actor=actor, day=s.day, exclude_pk=s.obj.pk)
    if app.kind == Kind.ADJUST and "host_unit" in app.proposal:
        _resync_targets(s.obj.body_id, actor=actor, day=s.day)
    return s.obj


def _resync_targets(body_id: int, *, actor, day: dt.date) -> None:
    """CRD-5: a body's unfiled or unchecked targets wait on its host unit; a new host unit takes them over."""
    pending = AnnualTargets.objects.filter(body_id=body_id).exclude(state=AnnualTargets.State.REVIEWED)
    for pk in pending.order_by("pk").values_list("pk", flat=True):
        with step(pk, actor=actor, today=day, model=AnnualTargets):
            pass


def send_back(
    *, actor, application: Application | int, opinion: str, seen_state: str | None = None, today: dt.date | None = None
) -> Application:
    """Whoever holds the current review step returns the application to the applicant unit with an opinion."""
    opinion = _opinion(opinion, "退回意见")
    item, expect = _as_seen(application, seen_state, REVIEW_STATES)
    with step(item, actor=actor, expect=expect, today=today, model=Application) as s:
        app = s.obj
        at = app.state
        before = s.fire("send_back")
        handler = None
        if at == St.OFFICE_REVIEW:
            app.office_opinion, who = opinion, "区政府办公室"
        elif at == St.DEPUTY_REVIEW:
            app.deputy_opinion = opinion
            who = app.deputy_post.title if app.deputy_post else "分管副区长"
            handler = _handler(actor, app.deputy_post, s.day)
        else:
            app.head_opinion, who = opinion, "区长"
            handler = permissions.head_handler(actor, app)
        s.record("send_back", f"{who}退回", before, opinion=opinion, rule_id="CRD-1", handler=handler)
        s.tell(_applicant_people(app), f"已退回：{app}", f"{who}退回了申请：{opinion}", level="alert")
    _resync_waiting_on_body(s.obj.body_id, actor=actor, day=s.day, exclude_pk=s.obj.pk)
    return s.obj


# --- the approval writes the register ---------------------------------------------------------------------


def _write_register(s, app: Application) -> Body:
    """Inside the approval's step `s`: write the register as the application says, with an event on the body."""
    day = s.day
    if app.kind == Kind.SETUP:
        spec = _prepare(kind=app.kind, body=None, merge_into=None, proposal=app.proposal, day=day)
        body = Body(
            name=spec["name"],
            counterpart_name=spec["counterpart_name"],
            counterpart_level=spec["counterpart_level"],
            counterpart_rank=spec["counterpart_rank"],
            rank=spec["rank"],
            head_required_by_higher_level=spec["head_required_by_higher_level"],
            host_unit_id=spec["host_unit"],
            office_name=spec["office_name"],
            founding_document=spec["founding_document"],
            founded_on=day,
            phase_end=dt.date.fromisoformat(spec["phase_end"]) if spec["phase_end"] else None,
            functions=spec["functions"],
        )
        _save_body(body)
        _write_grounds(body, spec["grounds"])
        _write_seats(body, spec)
        _body_event(s, body, app, "setup", "设立（区长批准）", to_state=body.status)
        return body

    body = Body.objects.select_for_update().get(pk=app.body_id)
    if body.status != Body.Status.ACTIVE:
        raise ActionRefused(f"“{body.name}”已{body.get_status_display()}，本申请不能再批准。", rule_id="CRD-1")
    if app.kind == Kind.ADJUST:
        changes = _prepare(kind=app.kind, body=body, merge_into=None, proposal=_as_input(app, body), day=day)
        spec = {**body_spec(body), **changes}
        for key in (
            "name",
            "counterpart_name",
            "counterpart_level",
            "counterpart_rank",
            "rank",
            "head_required_by_higher_level",
            "office_name",
            "founding_document",
            "functions",
        ):
            setattr(body, key, spec[key])
        body.host_unit_id = spec["host_unit"]
        body.phase_end = dt.date.fromisoformat(spec["phase_end"]) if spec["phase_end"] else None
        _save_body(body)
        if "grounds" in changes:
            body.grounds.all().delete()
            _write_grounds(body, spec["grounds"])
        if any(k in changes for k in SEAT_KEYS):
            _write_seats(body, spec)
        _body_event(s, body, app, "adjust", "调整（区长批准）", opinion=_changed_labels(changes))
        return body

    before = body.status
    if app.kind == Kind.MERGE:
        target = Body.objects.select_for_update().get(pk=app.merge_into_id)
        if target.status != Body.Status.ACTIVE:
            raise ActionRefused(f"“{target.name}”已{target.get_status_display()}，不能并入。", rule_id="CRD-1")
        body.merge()  # the approval is the permission: Body's transitions refuse everyone directly
        body.merged_into = target
        label, opinion = "合并（区长批准）", f"并入“{target.name}”"
    else:
        body.abolish()
        label, opinion = "撤销（区长批准）", ""
    body.ended_on = day
    body.save()
    _end_open_targets(body, label)
    grounds = "；".join(AbolishGround(g).label for g in app.proposal.get("abolish_grounds", []))
    opinion = "，".join(x for x in (opinion, f"依据：{grounds}" if grounds else "") if x)
    _body_event(s, body, app, app.kind, label, from_state=before, to_state=body.status, opinion=opinion)
    return body


def _end_open_targets(body: Body, label: str) -> None:
    """The year's targets not yet filed or checked end with the body: their CRD-5 clock is cancelled and their
    待报送 / 待督导检查 leave the queues (the upkeep flow waits on nobody for a body that no longer stands)."""
    open_targets = AnnualTargets.objects.select_for_update().filter(
        body=body, state__in=(AnnualTargets.State.PENDING, AnnualTargets.State.FILED)
    )
    for targets in open_targets:
        targets.body = body
        cancel_deadlines(subject=targets, note=f"机构已{label.removesuffix('（区长批准）')}")
        sync_tasks(targets)


def _write_grounds(body: Body, grounds: list[dict]) -> None:
    BodyGround.objects.bulk_create([BodyGround(body=body, ground=g["ground"], basis=g["basis"]) for g in grounds])


def _write_seats(body: Body, spec: dict) -> None:
    """Seats by post: the head, deputy heads and members in the order given; existing seats are kept by post."""
    wanted: list[tuple[int, str, int]] = [(spec["head_post"], Seat.Role.HEAD, 1)]
    wanted += [(pk, Seat.Role.DEPUTY_HEAD, 10 + i) for i, pk in enumerate(spec["deputy_head_posts"])]
    wanted += [(pk, Seat.Role.MEMBER, 100 + i) for i, pk in enumerate(spec["member_posts"])]
    existing = {s.post_id: s for s in body.seats.all()}
    keep = {pk for pk, _, _ in wanted}
    body.seats.exclude(post_id__in=keep).delete()
    for pk, role, order in wanted:
        seat = existing.get(pk)
        if seat is None:
            Seat.objects.create(body=body, post_id=pk, role=role, order=order)
        elif seat.role != role or seat.order != order:
            seat.role, seat.order = role, order
            seat.save(update_fields=["role", "order"])


LABELS = {
    "name": "机构名称",
    "grounds": "设立依据",
    "counterpart_level": "对应机构层级",
    "counterpart_name": "对应的省、市机构",
    "counterpart_rank": "对应机构规格",
    "rank": "规格",
    "head_required_by_higher_level": "上级要求由区长担任主要负责人",
    "head_post": "主要负责人",
    "deputy_head_posts": "副职负责人",
    "member_posts": "成员",
    "host_unit": "办公室所在单位",
    "office_name": "机构办公室",
    "founding_document": "设立文件",
    "phase_end": "阶段性任务预计结束",
    "functions": "主要职责",
}


def _changed_labels(changes: dict) -> str:
    return "调整：" + "、".join(LABELS[k] for k in SPEC_KEYS if k in changes)


def _body_event(s, body: Body, app: Application, action: str, label: str, *, from_state="", to_state="", opinion=""):
    s.record(
        action,
        label,
        from_state,
        subject=body,
        after=to_state,
        opinion="；".join(x for x in (opinion, f"依申请：{app.get_kind_display()}申请（编号 {app.pk}）") if x),
        rule_id="CRD-1",
    )


# Names a caller may know from the brief.
submit = submit_application

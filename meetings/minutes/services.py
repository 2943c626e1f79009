"""Every write of the minutes flow (MTG-3, MTG-6, MTG-7, MTG-10, MTG-12): the minutes of a held meeting with one
decision per topic, signed along the kind's chain in order by the right post; the last signature closes the meeting
and makes the decisions take effect — documents to issue get a draft and a 7-WD clock (MTG-10), assigned work
becomes supervision items, plenary / executive decisions are published unless confidential (MTG-12).

Each action is one step of the workflow kernel; the meeting's row is locked before its minutes (one lock order).
`today` exists so that tests can state the day of the action; views never pass it.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable

from django.db import transaction
from django.urls import NoReverseMatch, reverse
from django.utils import timezone
from django_fsm import can_proceed
from guardian.shortcuts import assign_perm

from documents.outgoing.models import OutgoingKind
from documents.outgoing.services import create_outgoing
from documents.register.models import PublicRegisterEntry
from documents.register.services import publish_to_register
from documents.shared.choices import Disclosure
from supervision.ledger import services as supervision
from supervision.ledger.models import Source
from supervision.ledger.selectors import items_for_source
from tiexi_gov.audit.services import record_event
from tiexi_gov.deadlines.services import open_deadline
from tiexi_gov.org.models import Post, Unit, User
from tiexi_gov.org.roles import Role
from tiexi_gov.org.selectors import head_post, judicial_deputy_post, unit_head_post
from tiexi_gov.text import strip_text
from tiexi_gov.workflow.errors import ActionRefused
from tiexi_gov.workflow.kernel import lock_row, step, today_or
from tiexi_gov.workflow.sync import sync_tasks

from ..meeting import permissions as meeting_permissions
from ..meeting.models import MS, PUBLISHING_KINDS, Meeting, MeetingKind, Topic
from ..meeting.services import (
    capacity,
    meeting_url,
    next_number,
    office_people,
    person_of,
    required,
    resync_topics,
    unit_by_mark,
)
from ..shared.errors import ActionNotAllowed, AlreadyHandled, MeetingError
from . import permissions
from .models import Decision, Minutes, MinutesStep

ISSUE_WORKDAYS = 7  # MTG-10
LEGALITY_UNIT_MARK = "司法局"
CHAIN_RULE = {MeetingKind.EXECUTIVE: "MTG-6", MeetingKind.PARTY_GROUP: "MTG-3", MeetingKind.SPECIAL: "MTG-7"}


def start_minutes(*, actor, meeting: Meeting, body: str = "", today: dt.date | None = None) -> Minutes:
    """The drafters open the minutes of a held meeting (the office; a special meeting's lead unit)."""
    day = today_or(today)
    with step(meeting, actor=actor, today=day) as ms:
        m = ms.obj
        if m.state != MS.HELD:
            raise MeetingError("会议召开后方可起草纪要。")
        if not permissions.can_start_minutes(actor, m):
            raise ActionNotAllowed(
                "常务会议纪要由区政府办公室起草；专题会议纪要由牵头部门起草（第五十五条、第五十六条）。"
            )
        existing = Minutes.objects.filter(meeting=m).first()
        if existing is not None:
            return existing
        ms.fire("start_minutes")
        minutes = Minutes.objects.create(meeting=m, drafted_by=actor, body=body)
        with step(minutes, actor=actor, today=day) as s:
            s.obj.meeting = m
            s.record("drafted", "起草纪要", "", after=minutes.state, rule_id=CHAIN_RULE.get(m.kind, ""))
    return s.obj


def record_decision(
    *,
    actor,
    meeting: Meeting,
    text: str,
    kind: str = Decision.Kind.RECORD,
    topic: Topic | None = None,
    confidential: bool = False,
    confidential_reason: str = "",
    document_title: str = "",
    drafting_unit: Unit | None = None,
    lead_unit: Unit | None = None,
    co_units: Iterable[Unit] = (),
    leader_post: Post | None = None,
    due: dt.date | None = None,
    standard: str = "",
    today: dt.date | None = None,
) -> Decision:
    """A decision per topic in the minutes draft. Whatever it starts needs an owner and a date."""
    text = required(text, "会议决定", keep_indent=True)
    minutes = Minutes.objects.filter(meeting=meeting).first()
    if minutes is None or minutes.state != Minutes.State.DRAFTING:
        raise MeetingError("纪要起草阶段方可登记会议决定。")
    if not permissions.can_draft_minutes(actor, minutes):
        raise ActionNotAllowed("您无权登记会议决定。")
    if confidential and not confidential_reason.strip():
        raise MeetingError("不予公开的决定须说明依法需要保密的依据和理由（第三十六条）。", rule_id="MTG-12")
    if kind == Decision.Kind.ISSUE_DOCUMENT and not (document_title.strip() and drafting_unit):
        raise MeetingError("决定印发文件的，须写明文件标题和起草单位（第五十五条）。", rule_id="MTG-10")
    if kind == Decision.Kind.ASSIGN_WORK:
        if not (lead_unit and leader_post and due and strip_text(standard)):
            raise MeetingError(
                "部署工作的决定须写明牵头单位、责任领导、完成时限和量化标准（第四十七条、第五十条）。", rule_id="SUP-1"
            )
        if due <= meeting.date:
            raise MeetingError("完成时限须晚于会议日期。")
    if topic is not None and topic.meeting_id != meeting.pk:
        raise MeetingError("该议题不属于本次会议。")
    with step(minutes, actor=actor, expect=(Minutes.State.DRAFTING,), today=today) as s:
        # Under the minutes' lock: the same decision posted twice (a second tab, a resubmit) is recorded once;
        # once signed, a second copy would start a second 发文 draft or a second supervised item.
        same = Decision.objects.filter(
            meeting=meeting, topic=topic, kind=kind, text=text, document_title=document_title.strip()
        ).first()
        if same is not None:
            raise AlreadyHandled(f"该决定已登记为第{same.order}项，未重复登记。", handled_by=same.recorded_by)
        decision = Decision.objects.create(
            meeting=meeting,
            topic=topic,
            kind=kind,
            text=text,
            confidential=confidential,
            confidential_reason=confidential_reason.strip(),
            document_title=document_title.strip(),
            drafting_unit=drafting_unit,
            lead_unit=lead_unit,
            leader_post=leader_post,
            due=due,
            standard=strip_text(standard),
            recorded_by=actor,
            order=Decision.objects.filter(meeting=meeting).count() + 1,
        )
        decision.co_units.set([u for u in co_units if lead_unit is None or u.pk != lead_unit.pk])
        s.record(
            "decision_recorded",
            f"登记会议决定（{decision.get_kind_display()}）",
            s.obj.state,
            # The record is read more widely than a confidential decision may be (MTG-12, X-2).
            opinion="（依法保密的决定，内容不记入履历）" if confidential else text,
        )
    return decision


def _office_deputy_post() -> Post | None:
    return Post.objects.filter(kind=Post.Kind.OFFICE_DEPUTY_DIRECTOR).order_by("order", "id").first()


def chain_for(meeting: Meeting) -> list[tuple[str, Post | None, Unit | None]]:
    """The minutes chain of the meeting's kind: MTG-6 (executive), MTG-3 (party group), MTG-7 (special)."""
    S = MinutesStep.Step
    head = head_post()
    director = Post.objects.filter(kind=Post.Kind.OFFICE_DIRECTOR).first()
    if meeting.kind == MeetingKind.EXECUTIVE:
        legality_unit = unit_by_mark(LEGALITY_UNIT_MARK)
        return [
            (S.OFFICE_DEPUTY_REVIEW, _office_deputy_post(), None),
            (S.OFFICE_DIRECTOR_REVIEW, director, None),
            (S.JUDICIAL_FORWARD, judicial_deputy_post(), None),
            (S.LEGALITY_REVIEW, unit_head_post(legality_unit) if legality_unit else None, legality_unit),
            (S.HEAD_SIGN, head, None),
        ]
    if meeting.kind == MeetingKind.PARTY_GROUP:
        return [
            (S.SECRETARY_SIGN, Post.objects.filter(kind=Post.Kind.PARTY_SECRETARY).first() or meeting.chair_post, None)
        ]
    if meeting.kind == MeetingKind.SPECIAL:
        units = {}
        for inv in meeting.invitations.select_related("person", "post"):
            unit_id = inv.post.unit_id if inv.post else inv.person.unit_id
            if unit_id and unit_id != meeting.lead_unit_id:
                units[unit_id] = None
        steps: list[tuple[str, Post | None, Unit | None]] = []
        for unit in Unit.objects.filter(
            pk__in=units,
            kind__in=(
                Unit.Kind.DEPARTMENT,
                Unit.Kind.AFFILIATED,
                Unit.Kind.INSTITUTION,
                Unit.Kind.TOWNSHIP,
                Unit.Kind.STREET,
            ),
        ).order_by("order", "id"):
            steps.append((S.UNIT_COUNTERSIGN, unit_head_post(unit), unit))
        steps.append((S.CHAIR_APPROVE, meeting.chair_post, None))
        if meeting.chair_post.kind != Post.Kind.HEAD:
            steps.append((S.HEAD_SIGN, head, None))
        return steps
    return [(S.OFFICE_DIRECTOR_REVIEW, director, None), (S.HEAD_SIGN, head, None)]


def send_minutes_for_signing(*, actor, minutes: Minutes, today: dt.date | None = None) -> Minutes:
    day = today_or(today)
    with step(minutes, actor=actor, today=day) as s:
        mn = s.obj
        if not mn.meeting.decisions.exists():
            raise MeetingError("纪要中还没有会议决定。")
        before = s.fire("send_for_signing")
        mn.steps.filter(signed_at__isnull=True).delete()
        signed = mn.steps.count()
        chain = chain_for(mn.meeting)
        missing = [MinutesStep.Step(st).label for st, post, _ in chain if post is None]
        if missing:
            raise MeetingError("以下审签环节没有对应职务，请先维护组织机构：" + "、".join(missing))
        MinutesStep.objects.bulk_create(
            [
                MinutesStep(minutes=mn, order=i, step=st, post=post, unit=unit)
                for i, (st, post, unit) in enumerate(chain, start=signed + 1)
            ]
        )
        if not mn.number:
            seq = next_number(f"minutes-{mn.meeting.kind}-{mn.meeting.year}")
            mn.number = f"{mn.meeting.get_kind_display()}纪要〔{mn.meeting.year}〕{seq}号"
        s.record(
            "sent_for_signing",
            "纪要送审签",
            before,
            opinion=" → ".join(MinutesStep.Step(st).label for st, _, _ in chain),
            rule_id=CHAIN_RULE.get(mn.meeting.kind, ""),
        )
        s.tell([person_of(chain[0][1], day)], f"纪要待审签：{mn.meeting.title}", url=meeting_url(mn.meeting))
    return mn


def sign_minutes_step(
    *, actor, minutes: Minutes, opinion: str = "", approve: bool = True, today: dt.date | None = None
) -> MinutesStep:
    """One signature, in order, by the handler of the step's post that day; the last one makes the minutes signed,
    closes the meeting and makes the decisions take effect. `approve=False` sends the minutes back to drafting with
    the opinion."""
    day = today_or(today)
    meeting_id = Minutes.objects.filter(pk=minutes.pk).values_list("meeting_id", flat=True).first()
    if meeting_id is None:
        raise MeetingError("该纪要不存在或已被删除。")
    with transaction.atomic():
        lock_row(Meeting, meeting_id)  # the meeting before its minutes: the last signature closes it
        with step(minutes, actor=actor, today=day) as s:
            mn = s.obj
            signing = mn.state == Minutes.State.SIGNING
            candidates = permissions.next_steps(mn) if signing else []
            mine = [st for st in candidates if meeting_permissions.handles(actor, st.post_id, day)]
            if not mine and (done := _signed_for(actor, mn, day)) is not None:
                # A second click on a page from before the signature (Back, a double tap): say who signed and when.
                raise AlreadyHandled(
                    f"该纪要的“{done.get_step_display()}”环节已由{done.signed_by.display_name}于"
                    f"{timezone.localtime(done.signed_at):%Y年%m月%d日 %H:%M}审签，无需重复操作。",
                    handled_by=done.signed_by,
                )
            if not signing:
                raise MeetingError(f"该纪要当前状态为“{mn.get_state_display()}”，不能审签。")
            if not mine:
                later = [
                    st
                    for st in mn.steps.filter(signed_at__isnull=True)
                    if meeting_permissions.handles(actor, st.post_id, day)
                ]
                if later:
                    raise MeetingError(
                        f"尚未轮到您审签：当前环节为“{candidates[0].get_step_display()}”，须按顺序审签。"
                    )
                raise ActionNotAllowed(
                    f"当前环节“{candidates[0].get_step_display()}”应由{candidates[0].post.title}审签。"
                )
            row = lock_row(MinutesStep.objects.select_related("post"), mine[0].pk)
            handler = meeting_permissions.handler_for(actor, row.post_id, day)
            if not approve:
                opinion = required(opinion, "退回意见", keep_indent=True)
                before = s.fire("send_back")
                s.record(
                    "sent_back",
                    f"{row.get_step_display()}：退回修改",
                    before,
                    opinion=opinion,
                    capacity=capacity(row.post, day),
                    handler=handler,
                )
                return row
            rule = CHAIN_RULE.get(mn.meeting.kind, "")
            last = can_proceed(mn.finish)
            before = s.fire("finish" if last else "sign_step")
            row.signed_by, row.signed_at, row.opinion = actor, timezone.now(), strip_text(opinion)
            row.capacity = capacity(row.post, day)
            s.touch(row)
            s.record(
                "step_signed",
                row.get_step_display(),
                before,
                after=before,
                opinion=opinion,
                rule_id=rule,
                capacity=row.capacity,
                handler=handler,
            )
            s.save()
            if not last:
                s.tell(
                    [person_of(st.post, day) for st in permissions.next_steps(mn)],
                    f"纪要待审签：{mn.meeting.title}",
                    url=meeting_url(mn.meeting),
                )
                return row
            mn.signed_at = timezone.now()
            s.touch()
            s.record("signed", "纪要签发", before, rule_id=rule, capacity=row.capacity, handler=handler)
            s.save()
            with step(meeting_id, model=Meeting, actor=actor, today=day) as ms:
                meeting = ms.obj
                if can_proceed(meeting.close):
                    meeting_before = ms.fire("close", check_perm=False)
                    ms.record("closed", "纪要签发，会议办结", meeting_before)
                apply_decisions(meeting, day)
            if meeting.coordinates_topic_id:
                _resync_coordinated_topic(meeting.coordinates_topic_id, actor=actor, day=day)
    return row


def _signed_for(actor, minutes: Minutes, day: dt.date) -> MinutesStep | None:
    """The last signed step of a post `actor` handles, when none of his is left to sign: his signature is done."""
    steps = [
        st for st in minutes.steps.select_related("signed_by") if meeting_permissions.handles(actor, st.post_id, day)
    ]
    if not steps or any(st.signed_at is None for st in steps):
        return None
    return max(steps, key=lambda st: (st.signed_at, st.pk))


def _resync_coordinated_topic(topic_id: int, *, actor, day: dt.date) -> None:
    """MTG-8: the coordinating meeting's minutes are signed: the disputed topic's agreement may now be recorded."""
    meeting_id = Topic.objects.filter(pk=topic_id).values_list("meeting_id", flat=True).first()
    with step(meeting_id, model=Meeting, actor=actor, today=day) as ms:
        resync_topics(ms.obj, actor=actor, day=day)


def apply_decisions(meeting: Meeting, day: dt.date) -> None:
    """Signed minutes start the clocks: documents to issue (draft + MTG-10 7 WD from the meeting), work assigned
    (supervision items, linked both ways), publication of plenary / executive decisions (MTG-12)."""
    minutes = Minutes.objects.get(meeting=meeting)
    for decision in meeting.decisions.select_related("drafting_unit", "lead_unit", "leader_post", "recorded_by"):
        try:
            _apply_one(decision, meeting, minutes, day)
        except ActionRefused as exc:
            # a refusal of the documents flow or the ledger is the signer's message, not a 500; the signature is
            # rolled back with it.
            raise MeetingError(f"第{decision.order}项会议决定无法执行：{exc}") from exc
        if meeting.kind in PUBLISHING_KINDS and not decision.confidential and decision.published_on is None:
            decision.published_on = day
            decision.save(update_fields=["published_on"])
            publish_to_register(
                subject=decision,
                kind=PublicRegisterEntry.Kind.MEETING_DECISION,
                title=f"{meeting.title}决定事项（{decision.order}）",
                number=minutes.number,
                issuer_name="铁西区人民政府",
                published_on=day,
                disclosure=Disclosure.FULL,
                text=decision.text,
                url=meeting_url(meeting),
            )
            record_event(
                actor=None, subject=decision, action="published", action_label="会议决定公开", rule_id="MTG-12"
            )


def _apply_one(decision: Decision, meeting: Meeting, minutes: Minutes, day: dt.date) -> None:
    """What one decision starts: a draft and (plenary/executive) the MTG-10 clock, or a supervision item."""
    if decision.kind == Decision.Kind.ISSUE_DOCUMENT and decision.outgoing_id is None:
        drafter = _drafter_for(decision.drafting_unit)
        if decision.confidential:
            # MTG-12 / X-2: the draft is read by the drafting unit and every step that processes it, more widely
            # than the decision: it names the decision and is itself 限定知悉范围 (its drafter and the processing
            # bodies read it); the decision's words reach the drafter through the office, as for assigned work.
            extra = {"confidential": True}
            body = (
                f"根据{minutes.number}（{meeting.title}）第{decision.order}项决定（依法保密事项，决定内容另行传达）。"
            )
        else:
            extra = {}
            body = f"根据{minutes.number}（{meeting.title}）决定：{decision.text}"
        doc = create_outgoing(
            actor=drafter,
            kind=OutgoingKind.GOVERNMENT,
            title=decision.document_title,
            body=body,
            **extra,
        )
        decision.outgoing = doc
        decision.save(update_fields=["outgoing"])
        if meeting.kind in PUBLISHING_KINDS:  # MTG-10 names plenary and executive meetings only
            open_deadline(
                subject=doc,
                rule_id="MTG-10",
                title=f"会议决定印发：{decision.document_title}"[:200],
                counted_from=meeting.date,
                workdays=ISSUE_WORKDAYS,
                owner_unit=decision.drafting_unit,
                url=_outgoing_url(doc),
            )
            sync_tasks(doc, day=day)  # the draft's 待报送 runs on that clock (documents.outgoing.flow)
        record_event(
            actor=None,
            subject=decision,
            action="document_drafted",
            action_label="生成发文稿",
            opinion=doc.title,
            rule_id="MTG-10",
        )
    if decision.kind == Decision.Kind.ASSIGN_WORK and not supervision_items_for(decision):
        # SUP-1: the office keeps the ledger, also for work a special meeting's lead unit recorded.
        recorder = decision.recorded_by
        task, standard = ledger_wording(decision, minutes)
        supervision.create_item(
            actor=recorder if meeting_permissions.can_manage(recorder) else _ledger_keeper(),
            source=Source.MEETING_DECISION,
            source_object=decision,
            source_ref=f"{minutes.number} 第{decision.order}项",
            task=task,
            lead_unit=decision.lead_unit,
            cooperating_units=list(decision.co_units.all()),
            leader_post=decision.leader_post,
            due=decision.due,
            standard=standard,
            period_start=meeting.date,
            confidential_source=decision.confidential,
            issue=True,
            today=day,
        )


def ledger_wording(decision: Decision, minutes: Minutes) -> tuple[str, str]:
    """The supervision item's 督办事项 and 量化标准 for work a decision assigns (SUP-1).

    A confidential decision (MTG-12, X-2) is read by the office, the chair and its named readers only; the ledger is
    read by every unit that leads, cooperates on or supervises the item, by the leader in charge, and is exported
    and sent in reminders. So its item names the decision, never its words: the units see that they owe work on it
    and when, as they would see a 密件's number and not its content, and the text reaches them through the office
    as a named reader or by the confidential channel (另行传达)."""
    if not decision.confidential:
        return decision.text, decision.standard
    ref = f"{minutes.number}第{decision.order}项会议决定"
    return (
        f"落实{ref}（依法保密事项，内容不在台账中显示，由区政府办公室按保密规定另行传达）",
        f"按{ref}的要求完成（依法保密，另行传达）",
    )


def _ledger_keeper() -> User:
    keeper = next((u for u in office_people() if u.is_active), None)
    if keeper is None:
        raise MeetingError("系统中没有区政府办公室人员，部署工作的决定无法列入督查台账。", rule_id="SUP-1")
    return keeper


def supervision_items_for(decision: Decision) -> list:
    return items_for_source(decision)


def _drafter_for(unit: Unit) -> User:
    """Who drafts a decided document: the unit's clerk, else its main head, else any active member."""
    people = meeting_permissions.participants(User.objects.filter(unit=unit))  # never an administrator
    return (
        people.filter(groups__name=str(Role.CLERK)).order_by("id").first()
        or people.filter(groups__name=str(Role.UNIT_HEAD)).order_by("id").first()
        or people.order_by("id").first()
        or person_of(unit_head_post(unit), timezone.localdate())
    )


def _outgoing_url(doc) -> str:
    try:
        return reverse("documents:outgoing_detail", args=[doc.pk])
    except NoReverseMatch:
        return ""


def grant_decision_reader(*, actor, decision: Decision, user: User) -> None:
    """A confidential decision's named reader (X-2). Not a step of the chain: who waits on what is unchanged."""
    if not permissions.can_name_decision_reader(actor, decision):
        raise ActionNotAllowed("只有区政府办公室可以指定知悉人员。")
    if not meeting_permissions.may_take_part(user):
        raise ActionNotAllowed(meeting_permissions.ADMIN_REFUSAL.format(name=user.display_name))
    with transaction.atomic():
        lock_row(Decision, decision.pk)  # two clicks (or two pages) naming the same reader: one grant, one entry
        if permissions.is_named_decision_reader(user, decision):
            # The form posted again (a second click, a page loaded before): nothing to grant and nothing to record.
            raise MeetingError(f"{user.display_name}已是该项决定的知悉人员，无需重复指定。", rule_id="MTG-12")
        assign_perm("meetings.read_decision", user, decision)
        record_event(
            actor=actor,
            subject=decision,
            action="reader_granted",
            action_label="指定知悉人员",
            opinion=user.display_name,
            rule_id="MTG-12",
            capacity="本职",
        )


# --- the minutes page: revising a draft after it was sent back -------------------------------------------------


def revise_minutes(*, actor, minutes: Minutes, body: str, today: dt.date | None = None) -> Minutes:
    """The drafter rewrites the minutes' opening text while the minutes are being drafted (or were sent back)."""
    with step(minutes, actor=actor, today=today) as s:
        mn = s.obj
        if mn.state != Minutes.State.DRAFTING:
            raise MeetingError(f"该纪要当前状态为“{mn.get_state_display()}”，不能修改。")
        if not permissions.can_draft_minutes(actor, mn):
            raise ActionNotAllowed("您无权修改该纪要。")
        if strip_text(body) == mn.body:  # saved untouched: no revision to record
            return mn
        mn.body = strip_text(body)
        s.touch()
        s.record("revised", "修改纪要正文", mn.state)
    return mn


def withdraw_decision(*, actor, decision: Decision, today: dt.date | None = None) -> None:
    """Take a decision out of a draft (nothing it would start has started: the minutes are not signed)."""
    minutes = Minutes.objects.filter(meeting_id=decision.meeting_id).first()
    if minutes is None:
        raise MeetingError("纪要起草阶段方可删除会议决定。")
    with step(minutes, actor=actor, today=today) as s:
        mn = s.obj
        if mn.state != Minutes.State.DRAFTING:
            raise MeetingError("纪要起草阶段方可删除会议决定。")
        if not permissions.can_draft_minutes(actor, mn):
            raise ActionNotAllowed("您无权删除会议决定。")
        decision = lock_row(Decision, decision.pk)
        s.record(
            "decision_withdrawn",
            f"删除会议决定（第{decision.order}项）",
            mn.state,
            opinion="（保密决定）" if decision.confidential else decision.text,
        )
        decision.co_units.clear()
        decision.delete()
        for order, row in enumerate(Decision.objects.filter(meeting_id=mn.meeting_id).order_by("order", "id"), 1):
            if row.order != order:
                row.order = order
                row.save(update_fields=["order"])

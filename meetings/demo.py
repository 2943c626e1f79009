"""Demo meetings for the demo district: the year's regular meetings (MTG-3, MTG-4) and the standing seats, so the
calendar, the .ics feed and the meeting pages have something to show — and one executive meeting (常务会议) already
held, so a newcomer sees the whole flow's work: two topics filed as formal requests and put forward on the right
path (第五十五条), their papers checked by the unit head and reviewed by the leader in charge, the agenda approved by
the head, the invitees' replies, a unit head's leave with a substitute (第五十八条), the sign-in, the minutes with
their decisions signed along the executive chain (第五十五条), and what the signature started: a document to issue
with its 7-working-day clock and supervision items in the ledger, already accepted by their lead units.

Every step goes through the meetings' (and documents', supervision's) services, dated on working days before
today (`tiexi_gov.workdays.calendar`), so the record, the tasks and the clocks are those real users would get.
Idempotent: the year's meetings are generated only when missing; once an executive meeting has minutes, nothing
is held again."""

from __future__ import annotations

import datetime as dt
import io

from django.core.files.base import ContentFile
from django.db import transaction
from django.utils import timezone

from documents.models import Disclosure, DisclosureManner, LeaderAssignment, SubmissionKind, Urgency
from documents.submissions import services as submissions
from supervision.ledger import services as ledger
from supervision.ledger.selectors import items_for_source
from supervision.reports import services as reports
from tiexi_gov.org.models import Post, Unit, User
from tiexi_gov.org.selectors import exec_deputy_post, judicial_deputy_post, leader_post_for_unit, who_handles
from tiexi_gov.workdays import calendar as wd

from .meeting import services as meeting_services
from .meeting.models import MS, Invitation, Meeting, MeetingKind
from .minutes import permissions as minutes_permissions
from .minutes import services as minutes_services
from .minutes.models import Decision, Minutes
from .schedule import services

OFFICE_STAFF = "bangongshi"
OFFICE_DEPUTY_DIRECTOR = "bangongshi_fuzhuren"
OFFICE_DIRECTOR = "bangongshi_zhuren"
LEAVE_UNIT, LEAVE_REASON = "sjj", "参加全市审计工作会议，汇报我区审计整改情况"

# The held meeting's topics: (unit code, topic, request title, summary, paper title).
TOPICS = [
    (
        "fgj",
        "研究{next}年重点项目建设计划",
        "关于提请区政府常务会议研究{next}年重点项目建设计划的请示",
        "拟安排{next}年重点项目38个，总投资46.5亿元，其中新开工项目21个、续建项目17个。",
        "铁西区{next}年重点项目建设计划（送审稿）及编制说明",
    ),
    (
        "yjj",
        "研究今冬明春安全生产隐患排查整治工作",
        "关于提请区政府常务会议研究今冬明春安全生产隐患排查整治工作的请示",
        "拟在全区开展为期三个月的隐患排查整治，覆盖燃气、供热、建筑施工、人员密集场所等重点行业领域。",
        "铁西区今冬明春安全生产隐患排查整治工作方案（送审稿）",
    ),
]


def _user(username: str) -> User:
    return User.objects.select_related("unit").get(username=username)


def _person(post: Post | None, day: dt.date) -> User:
    return who_handles(post, day).person


def build_demo_meetings(today: dt.date | None = None) -> dict:
    today = today or timezone.localdate()
    staff = _user(OFFICE_STAFF)
    years = [today.year] + ([today.year + 1] if today.month >= 11 else [])
    created = []
    for year in years:
        created += services.generate_year(actor=staff, year=year)
    if not _past_executive(today).exists():  # early January: the last one was in December
        created += services.generate_year(actor=staff, year=today.year - 1)
        years.insert(0, today.year - 1)
    held = _held_meeting()
    if held is None:
        with transaction.atomic():
            held = _hold(_past_executive(today).first(), staff, today)
    upcoming = Meeting.objects.filter(date__gte=today).order_by("date", "start_time").first()
    return {"created": len(created), "years": years, "next": upcoming, "held": held, **_held_summary(held)}


def _past_executive(today: dt.date):
    return Meeting.objects.filter(
        kind=MeetingKind.EXECUTIVE, is_regular=True, state=MS.SCHEDULED, date__lt=today
    ).order_by("-date", "-id")


def _held_meeting() -> Meeting | None:
    """The demo's held executive meeting: the one whose minutes were drafted (the demo holds only one)."""
    minutes = Minutes.objects.filter(meeting__kind=MeetingKind.EXECUTIVE).select_related("meeting").first()
    return minutes.meeting if minutes else None


def _held_summary(meeting: Meeting | None) -> dict:
    if meeting is None:
        return {}
    minutes = Minutes.objects.get(meeting=meeting)
    decisions = list(meeting.decisions.select_related("outgoing", "lead_unit").order_by("order"))
    return {
        "minutes": minutes,
        "topics": meeting.topics.count(),
        "documents": [d.outgoing for d in decisions if d.outgoing_id],
        "items": [item for d in decisions for item in items_for_source(d)],
    }


# --- the held meeting -----------------------------------------------------------------------------------------


def _hold(meeting: Meeting, staff: User, today: dt.date) -> Meeting:
    """Walk `meeting` (a regular executive meeting whose day has passed) from its topics to signed minutes."""
    day = meeting.date
    filing = wd.subtract_workdays(day, 5)  # the requests reach the office in time (3 WD before, 第五十五条)
    checking = wd.add_workdays(filing, 1)
    agenda_sent = wd.subtract_workdays(day, 2)
    eve = wd.subtract_workdays(day, 1)
    signing = min(wd.add_workdays(day, 1), today)
    accepted = min(wd.add_workdays(signing, 1), today)
    head = _person(meeting.chair_post, filing)

    topics = []
    for code, title, request_title, summary, paper_title in TOPICS:
        unit = Unit.objects.get(code=code)
        clerk, unit_head = _user(f"{code}_wenshu"), _user(f"{code}_juzhang")
        fmt = {"next": day.year + 1}
        sub = _request(clerk, unit_head, request_title.format(**fmt), summary.format(**fmt), filing)
        topic = meeting_services.propose_topic(
            actor=clerk,
            meeting=meeting,
            unit=unit,
            title=title.format(**fmt),
            submission=sub,
            summary=summary.format(**fmt),
            reporter=unit_head.display_name,  # the unit's main head reports its topic
            duration_minutes=20,
            today=filing,
        )
        leader_post = leader_post_for_unit(unit, filing)
        if leader_post == exec_deputy_post() or leader_post is None:
            meeting_services.record_proposer(actor=head, topic=topic, today=filing)  # the head puts it forward
        else:
            meeting_services.record_proposer(
                actor=_person(leader_post, filing),
                topic=topic,
                note="经协调审核，相关部门意见一致，建议提请区政府常务会议研究。",
                today=filing,
            )
        meeting_services.record_checklist(
            actor=staff, topic=topic, significance=True, substance=True, procedure=True, today=filing
        )
        meeting_services.decide_topic(actor=head, topic=topic, accept=True, today=filing)
        paper = meeting_services.add_paper(
            actor=clerk,
            topic=topic,
            title=paper_title.format(**fmt),
            file=_paper_file(paper_title.format(**fmt), summary.format(**fmt)),
            today=filing,
        )
        meeting_services.check_paper(actor=unit_head, paper=paper, today=checking)
        meeting_services.review_paper(actor=_person(leader_post, checking), paper=paper, today=checking)
        topics.append((topic, sub))

    meeting_services.submit_agenda(actor=staff, meeting=meeting, today=agenda_sent)
    meeting_services.approve_agenda(actor=_person(meeting.chair_post, eve), meeting=meeting, today=eve)
    _attendance(meeting, staff, eve)
    meeting.refresh_from_db()
    meeting_services.mark_held(actor=staff, meeting=meeting, today=day)
    meeting.refresh_from_db()
    minutes = minutes_services.start_minutes(actor=staff, meeting=meeting, body=_minutes_body(meeting), today=day)
    decisions = _decisions(meeting, staff, [t for t, _ in topics], day)
    minutes_services.send_minutes_for_signing(actor=staff, minutes=minutes, today=signing)
    _sign(minutes, signing)
    meeting.refresh_from_db()
    minutes.refresh_from_db()
    for _topic, sub in topics:
        submissions.close_submission(
            actor=staff,
            submission=sub,
            result=f"已提请{meeting.title}研究，会议决定见{minutes.number}。",
            today=signing,
        )
    _start_the_work(decisions, signing, accepted, today)
    return meeting


def _request(clerk: User, unit_head: User, title: str, summary: str, day: dt.date):
    """The unit's formal request 提请区政府会议研究 (第五十五条), signed by its head and filed with the office, which
    registers it, reviews it and has the leader in charge agree to put it before the meeting."""
    sub = submissions.create_draft(
        actor=clerk,
        title=title,
        kind=SubmissionKind.REQUEST,
        body=f"区政府：\n    {summary}相关材料已经我单位领导班子集体研究，现提请区政府常务会议研究。"
        "\n    妥否，请批示。",
        urgency=Urgency.NORMAL,
        disclosure=Disclosure.FULL,
        disclosure_manner=DisclosureManner.ACTIVE,
        decision_needed_by=wd.add_workdays(day, 15),
        declares_one_matter=True,
        for_meeting=True,
        not_classified=True,
    )
    sub = submissions.send_for_signature(actor=clerk, submission=sub, today=day)
    sub = submissions.sign_submission(actor=unit_head, submission=sub, issue_date=day, opinion="同意报送。", today=day)
    sub = submissions.submit_to_office(actor=clerk, submission=sub, today=day)
    staff = _user(OFFICE_STAFF)
    submissions.register(actor=staff, submission=sub, today=day)
    sub.refresh_from_db()
    submissions.office_review_opinion(
        actor=_user(OFFICE_DEPUTY_DIRECTOR), submission=sub, opinion="拟提请区政府常务会议研究。", today=day
    )
    sub.refresh_from_db()
    submissions.office_review_opinion(
        actor=_user(OFFICE_DIRECTOR), submission=sub, opinion="同意，呈分管区领导阅示。", today=day
    )
    sub.refresh_from_db()
    submissions.route_to_leader(actor=staff, submission=sub, today=day)
    sub.refresh_from_db()
    pending = sub.assignments.get(state=LeaderAssignment.State.PENDING)
    submissions.leader_decide(
        actor=_person(pending.post, day),
        submission=sub,
        decision="approve",
        opinion="同意提请区政府常务会议研究。",
        today=day,
    )
    sub.refresh_from_db()
    return sub


def _paper_file(title: str, summary: str) -> ContentFile:
    """A short .docx for the meeting paper (the page offers it to the attendees)."""
    from docx import Document

    doc = Document()
    doc.add_heading(title, level=1)
    doc.add_paragraph(summary)
    doc.add_paragraph("（演示材料）")
    buffer = io.BytesIO()
    doc.save(buffer)
    return ContentFile(buffer.getvalue(), name="meeting-paper.docx")


def _attendance(meeting: Meeting, staff: User, eve: dt.date) -> None:
    """The day before: everyone answers the notice; 审计局's head asks leave and names the deputy to attend in
    their stead, the chair approves (第五十八条); on the day the office signs in those who attend."""
    leave_unit = Unit.objects.get(code=LEAVE_UNIT)
    for inv in meeting.invitations.select_related("person", "post").order_by("id"):
        if inv.post is not None and inv.post.unit_id == leave_unit.pk and inv.post.kind == Post.Kind.UNIT_HEAD:
            substitute = Post.objects.filter(unit=leave_unit, kind=Post.Kind.UNIT_DEPUTY).first()
            leave = meeting_services.request_leave(
                actor=inv.person,
                invitation=inv,
                reason=LEAVE_REASON,
                substitute=_person(substitute, eve),
                today=eve,
            )
            meeting_services.decide_leave(
                actor=_person(leave.approver_post, eve),
                leave=leave,
                approve=True,
                opinion="同意，由审计局副局长代为参会。",
                today=eve,
            )
    for inv in meeting.invitations.filter(reply=Invitation.Reply.PENDING).select_related("person").order_by("id"):
        meeting_services.reply_invitation(actor=inv.person, invitation=inv, attend=True, today=eve)
    for inv in meeting.invitations.filter(reply=Invitation.Reply.ATTEND).order_by("id"):
        meeting_services.sign_in(actor=staff, invitation=inv, today=meeting.date)


def _minutes_body(meeting: Meeting) -> str:
    chair = who_handles(meeting.chair_post, meeting.date).person
    return (
        f"{meeting.date.year}年{meeting.date.month}月{meeting.date.day}日，区长{chair.display_name}主持召开"
        f"{meeting.title}，研究了{meeting.date.year + 1}年重点项目建设计划和今冬明春安全生产隐患排查整治工作。"
        "现将会议议定事项纪要如下。"
    )


def _decisions(meeting: Meeting, staff: User, topics, day: dt.date) -> list[Decision]:
    """One document to issue (MTG-10's clock) and two pieces of work for the ledger (SUP-1)."""
    projects, safety = topics
    fgj, czj, zrzyj = (Unit.objects.get(code=c) for c in ("fgj", "czj", "zrzyj"))
    yjj, zjj, scjgj = (Unit.objects.get(code=c) for c in ("yjj", "zjj", "scjgj"))
    nxt = meeting.date.year + 1
    record = minutes_services.record_decision
    return [
        record(
            actor=staff,
            meeting=meeting,
            topic=projects,
            kind=Decision.Kind.ISSUE_DOCUMENT,
            text=f"会议原则通过《铁西区{nxt}年重点项目建设计划》，由发改局根据会议意见修改完善后，以区政府名义印发。",
            document_title=f"铁西区人民政府关于印发《铁西区{nxt}年重点项目建设计划》的通知",
            drafting_unit=fgj,
            today=day,
        ),
        record(
            actor=staff,
            meeting=meeting,
            topic=projects,
            kind=Decision.Kind.ASSIGN_WORK,
            text=f"发改局牵头，财政局、自然资源局配合，抓紧办理{nxt}年新开工项目的立项、用地和资金等前期手续。",
            lead_unit=fgj,
            co_units=[czj, zrzyj],
            leader_post=exec_deputy_post(),
            due=wd.add_workdays(day, 60),
            standard="21个新开工项目前期手续全部办结，具备开工条件",
            today=day,
        ),
        record(
            actor=staff,
            meeting=meeting,
            topic=safety,
            kind=Decision.Kind.ASSIGN_WORK,
            text="应急管理局牵头，住建局、市场监管局配合，开展为期三个月的今冬明春安全生产隐患排查整治。",
            lead_unit=yjj,
            co_units=[zjj, scjgj],
            leader_post=judicial_deputy_post() or leader_post_for_unit(yjj, day),
            due=wd.add_workdays(day, 45),
            standard="重点行业领域排查全覆盖，重大隐患整改销号率100%",
            today=day,
        ),
    ]


SIGN_OPINIONS = {
    "office_deputy_review": "已核稿。",
    "office_director_review": "同意，呈区领导审签。",
    "judicial_forward": "请司法局进行合法性审查。",
    "legality_review": "经审查，会议议定事项符合法律法规规定。",
    "head_sign": "同意印发。",
}


def _sign(minutes: Minutes, day: dt.date) -> None:
    """The executive chain in order (第五十五条): office deputy director, director, the deputy in charge of judicial
    work, 司法局's legality review, the head — each by whoever handles the post that day."""
    for _ in range(10):
        minutes.refresh_from_db()
        if minutes.state != Minutes.State.SIGNING:
            return
        nxt = minutes_permissions.next_steps(minutes)[0]
        minutes_services.sign_minutes_step(
            actor=_person(nxt.post, day), minutes=minutes, opinion=SIGN_OPINIONS.get(nxt.step, "同意。"), today=day
        )


# What the lead units report on the meeting's work (the first report only for the project work).
FIRST_REPORT = {
    "fgj": (
        20,
        "已逐个梳理21个新开工项目的前期手续清单，明确办理时限和责任人；6个项目已完成立项批复。",
        "部分项目用地指标尚未落实。",
        "会同自然资源局逐项对接用地指标，月底前完成10个项目立项。",
    )
}


def _start_the_work(decisions: list[Decision], signing: dt.date, accepted: dt.date, today: dt.date) -> None:
    """The ledger items the signature started are accepted by their lead units the next working day; the project
    work has its first progress report."""
    for decision in decisions:
        for item in items_for_source(decision):
            clerk = _user(f"{item.lead_unit.code}_wenshu")
            ledger.accept_item(actor=clerk, item=item, today=accepted)
            report = FIRST_REPORT.get(item.lead_unit.code)
            if report is not None:
                percent, done, problems, next_steps = report
                reports.file_progress_report(
                    actor=clerk,
                    item=item,
                    percent=percent,
                    done=done,
                    problems=problems,
                    next_steps=next_steps,
                    today=min(wd.add_workdays(accepted, 5), today),
                )

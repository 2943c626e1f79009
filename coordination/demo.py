"""Demo coordination bodies for the demo district, each set up through the real CRD-1 path (the department applies,
the office reviews, the responsible deputy and the head approve) on working days in the past year, each with its own
founding document and date, so the register, the body pages and the audit record are what real users would get —
plus work in flight, so that 我的待办 shows the area: an application waiting for the office's review (CRD-1) and a
unit head's leave waiting for the responsible deputy (LEAVE-3) — and a leader away today: a deputy's leave, asked
beforehand and approved by the head (第七十五条), with another deputy acting (代, 第十五条), so 谁在外出 and the acting
deputy's 我的待办 show it.
Idempotent: a body or an application that exists (by name), an open leave of the unit head's post and a leave of the
deputy's post that covers today are left alone."""

from __future__ import annotations

import datetime as dt

from django.utils import timezone

from tiexi_gov.org.models import Post, Unit, User
from tiexi_gov.org.selectors import head_post, leader_post_for_unit, unit_head_post, who_handles
from tiexi_gov.workdays import calendar as wd

from .absence import services as absence
from .models import AbsenceRequest, Application, Body, Ground, Rank
from .register import services as register

BODIES = [
    # (applicant unit code, name, grounds, counterpart (level, name, rank) or None, functions, member unit codes,
    #  working days before today it was approved, its founding document number in that year)
    ("fgj", "铁西区优化营商环境工作领导小组",
     [(Ground.UPPER_COUNTERPART, "《四平市优化营商环境工作领导小组工作规则》")],
     ("city", "四平市优化营商环境工作领导小组", Rank.DEPUTY), "统筹推进全区优化营商环境工作。",
     ["czj", "scjgj", "zsj"], 200, "铁政办发〔{year}〕7号"),
    ("yjj", "铁西区安全生产委员会", [(Ground.LAW, "《中华人民共和国安全生产法》第九条")],
     ("city", "四平市安全生产委员会", Rank.DEPUTY), "研究部署、指导协调全区安全生产工作。", ["gafj", "zjj", "jtj"],
     120, "铁政办发〔{year}〕23号"),
    ("zjj", "铁西区老旧小区改造工作专班", [(Ground.LEADER_FOCUS, "区长在{year}年老旧小区改造工作调度会上的讲话要求")],
     None, "推进{year}年老旧小区改造项目。", ["czj", "zrzyj"], 45, "铁政办函〔{year}〕41号"),
]  # fmt: skip


def _user(username: str) -> User:
    return User.objects.get(username=username)


def build_demo_coordination() -> dict:
    today = timezone.localdate()
    created, skipped = [], []
    office = _user("bangongshi")
    for code, name, grounds, counterpart, functions, members, back, document in BODIES:
        if Body.objects.filter(name=name).exists():
            skipped.append(name)
            continue
        unit = Unit.objects.get(code=code)
        approved = wd.subtract_workdays(today, back)
        applied, reviewed = wd.subtract_workdays(approved, 6), wd.subtract_workdays(approved, 4)
        deputy_post = leader_post_for_unit(unit, applied)
        proposal = {
            "name": name,
            "grounds": [{"ground": g, "basis": basis.format(year=approved.year)} for g, basis in grounds],
            "rank": Rank.DEPUTY,
            "head_post": deputy_post.pk,
            "deputy_head_posts": [unit_head_post(unit).pk],
            "member_posts": [p.pk for c in members if (p := unit_head_post(Unit.objects.get(code=c)))],
            "host_unit": unit.pk,
            "office_name": f"{name}办公室（设在{unit.display_name}）",
            "founding_document": document.format(year=approved.year),
            "functions": functions.format(year=approved.year),
        }
        if counterpart:
            proposal.update(counterpart_level=counterpart[0], counterpart_name=counterpart[1],
                            counterpart_rank=counterpart[2])  # fmt: skip
        clerk = _user(f"{code}_wenshu")
        app = register.create_application(
            actor=clerk,
            kind="setup",
            applicant_unit=unit,
            reason=f"申请设立{name}。",
            proposal=proposal,
            submit=True,
            today=applied,
        )
        app.refresh_from_db()
        register.office_review(actor=office, application=app, opinion="经审核，符合设立条件，拟同意。", today=reviewed)
        app.refresh_from_db()
        deputy = who_handles(deputy_post, reviewed).person
        register.deputy_review(actor=deputy, application=app, opinion="同意。", today=reviewed)
        app.refresh_from_db()
        register.head_approve(
            actor=who_handles(head_post(), approved).person, application=app, opinion="同意设立。", today=approved
        )
        created.append(name)
    in_flight = _work_in_flight(today)
    away = _leader_away(today)
    return {
        "created": created,
        "skipped": skipped,
        "bodies": Body.objects.count(),
        "in_flight": in_flight,
        "away": away,
    }


PENDING_NAME = "铁西区预算绩效管理工作领导小组"


def _work_in_flight(today) -> list[str]:
    """An application at the office's review and a unit head's one-day leave waiting for the responsible deputy."""
    done = []
    unit = Unit.objects.get(code="czj")
    in_flight = (Application.State.OFFICE_REVIEW, Application.State.DEPUTY_REVIEW, Application.State.HEAD_REVIEW)
    if not Application.objects.filter(proposal__name=PENDING_NAME, state__in=in_flight).exists():
        register.create_application(
            actor=_user("czj_wenshu"),
            kind="setup",
            applicant_unit=unit,
            reason=f"申请设立{PENDING_NAME}，统筹推进全面预算绩效管理。",
            proposal={
                "name": PENDING_NAME,
                "grounds": [{"ground": Ground.UPPER_DOCUMENT, "basis": "《四平市全面实施预算绩效管理实施方案》"}],
                "rank": Rank.DEPUTY,
                "head_post": leader_post_for_unit(unit, today).pk,
                "deputy_head_posts": [unit_head_post(unit).pk],
                "member_posts": [p.pk for c in ("fgj", "sjj") if (p := unit_head_post(Unit.objects.get(code=c)))],
                "host_unit": unit.pk,
                "office_name": f"{PENDING_NAME}办公室（设在财政局）",
                "functions": "统筹全区预算绩效管理工作。",
            },
            submit=True,
        )
        done.append(PENDING_NAME)
    fgj = Unit.objects.get(code="fgj")
    post = unit_head_post(fgj)
    if not AbsenceRequest.objects.filter(post=post, state__in=absence.OPEN_STATES).exists():
        start = today + dt.timedelta(days=7)
        absence.request_absence(
            actor=who_handles(post, today).person,
            post=post,
            start=start,
            end=start,
            place="长春",
            purpose="参加全省发展改革工作会议",
            contact="0434-0000000",
            acting_post=Post.objects.get(unit=fgj, kind=Post.Kind.UNIT_DEPUTY),
        )
        done.append(f"{fgj.display_name}主要负责人外出请假")
    return done


AWAY_DEPUTY, ACTING_DEPUTY = "fuquzhang2", "fuquzhang3"


def _leader_away(today: dt.date) -> AbsenceRequest:
    """A deputy away today (from the last working day on or before today, for three working days), who asked the
    head beforehand (LEAVE-2); on approval another deputy acts for the dates (LEAVE-4), so the deputy's items reach
    the acting deputy's 我的待办 marked 代."""
    away = _user(AWAY_DEPUTY)
    post = Post.objects.get(appointments__person=away, kind__in=(Post.Kind.DEPUTY, Post.Kind.EXEC_DEPUTY))
    covering = AbsenceRequest.objects.filter(
        post=post, state=AbsenceRequest.State.APPROVED, start__lte=today, end__gte=today
    ).first()
    if covering is not None:
        return covering
    start = today if wd.is_workday(today) else wd.previous_workday(today)
    end = wd.add_workdays(start, 2)
    asked = wd.subtract_workdays(start, 2)
    acting = Post.objects.get(appointments__person__username=ACTING_DEPUTY, kind=Post.Kind.DEPUTY)
    req = absence.request_absence(
        actor=away,
        post=post,
        start=start,
        end=end,
        place="北京市（教育部）",
        purpose="汇报义务教育优质均衡发展国家督导评估准备工作",
        contact="13904340000",
        acting_post=acting,
        today=asked,
    )
    return absence.decide_absence(
        actor=who_handles(req.approver_post, asked).person,
        request=req,
        approve=True,
        opinion=f"同意，外出期间由{who_handles(acting, start).person.display_name}同志代理分管工作。",
        today=asked,
    )


__all__ = ["build_demo_coordination"]

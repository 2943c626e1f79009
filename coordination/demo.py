"""Demo coordination bodies for the demo district, each set up through the real CRD-1 path (the department applies,
the office reviews, the responsible deputy and the head approve), so the register, the body pages and the audit
record are what real users would get — plus work in flight, so that 我的待办 shows the area: an application waiting
for the office's review (CRD-1) and a unit head's leave waiting for the responsible deputy (LEAVE-3).
Idempotent: a body or an application that exists (by name) and an open leave of the post are left alone."""

from __future__ import annotations

import datetime as dt

from django.utils import timezone

from tiexi_gov.org.models import Post, Unit, User
from tiexi_gov.org.selectors import leader_post_for_unit, unit_head_post, who_handles

from .absence import services as absence
from .models import AbsenceRequest, Application, Body, Ground, Rank
from .register import services as register

BODIES = [
    # (applicant unit code, name, grounds, counterpart (level, name, rank) or None, functions, member unit codes)
    ("fgj", "铁西区优化营商环境工作领导小组",
     [(Ground.UPPER_COUNTERPART, "《四平市优化营商环境工作领导小组工作规则》")],
     ("city", "四平市优化营商环境工作领导小组", Rank.DEPUTY), "统筹推进全区优化营商环境工作。",
     ["czj", "scjgj", "zsj"]),
    ("yjj", "铁西区安全生产委员会", [(Ground.LAW, "《中华人民共和国安全生产法》第九条")],
     ("city", "四平市安全生产委员会", Rank.DEPUTY), "研究部署、指导协调全区安全生产工作。", ["gafj", "zjj", "jtj"]),
    ("zjj", "铁西区老旧小区改造工作专班", [(Ground.LEADER_FOCUS, "区政府常务会议纪要〔2026〕12号")],
     None, "推进2026年老旧小区改造项目。", ["czj", "zrzyj"]),
]  # fmt: skip


def _user(username: str) -> User:
    return User.objects.get(username=username)


def build_demo_coordination() -> dict:
    today = timezone.localdate()
    created, skipped = [], []
    office, head = _user("bangongshi"), _user("quzhang")
    for code, name, grounds, counterpart, functions, members in BODIES:
        if Body.objects.filter(name=name).exists():
            skipped.append(name)
            continue
        unit = Unit.objects.get(code=code)
        deputy_post = leader_post_for_unit(unit, today)
        proposal = {
            "name": name,
            "grounds": [{"ground": g, "basis": basis} for g, basis in grounds],
            "rank": Rank.DEPUTY,
            "head_post": deputy_post.pk,
            "deputy_head_posts": [unit_head_post(unit).pk],
            "member_posts": [p.pk for c in members if (p := unit_head_post(Unit.objects.get(code=c)))],
            "host_unit": unit.pk,
            "office_name": f"{name}办公室（设在{unit.display_name}）",
            "founding_document": "铁政办发〔2026〕1号",
            "functions": functions,
        }
        if counterpart:
            proposal.update(counterpart_level=counterpart[0], counterpart_name=counterpart[1],
                            counterpart_rank=counterpart[2])  # fmt: skip
        clerk = _user(f"{code}_wenshu")
        app = register.create_application(
            actor=clerk, kind="setup", applicant_unit=unit, reason=f"申请设立{name}。", proposal=proposal, submit=True
        )
        app.refresh_from_db()
        register.office_review(actor=office, application=app, opinion="经审核，符合设立条件，拟同意。")
        app.refresh_from_db()
        deputy = who_handles(deputy_post, today).person
        register.deputy_review(actor=deputy, application=app, opinion="同意。")
        app.refresh_from_db()
        register.head_approve(actor=head, application=app, opinion="同意设立。")
        created.append(name)
    in_flight = _work_in_flight(today)
    return {"created": created, "skipped": skipped, "bodies": Body.objects.count(), "in_flight": in_flight}


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


__all__ = ["build_demo_coordination"]

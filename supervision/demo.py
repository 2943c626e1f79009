"""Demo supervision ledger for the demo district: a dozen items in every state and light, so the director's
dashboard and each unit's queue have something to show.

Every item is walked through the real services (each flow's `services`) with backdated working days, so the
clocks, notifications and audit events are the ones real users would get. Idempotent: demo items are known
by their source reference (来源依据 starting with "演示"); an existing one is left alone.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from django.db import transaction
from django.utils import timezone

from tiexi_gov.org.models import Post, Unit, User
from tiexi_gov.org.selectors import head_post, leader_post_for_unit
from tiexi_gov.workdays import calendar as wd

from .ledger import services
from .ledger.models import Kind, ReportCycle, Source, SupervisionItem
from .outcomes import services as outcome_services
from .public import services as public_services
from .public.models import PublicInquiry
from .reports import services as report_services
from .reports.models import HalfYearReport

OFFICE_STAFF = "bangongshi"
OFFICE_DIRECTOR = "bangongshi_zhuren"


@dataclass(frozen=True)
class DemoItem:
    ref: str
    source: str
    unit: str  # lead unit code
    co: tuple[str, ...]
    task: str
    standard: str
    started: int  # working days ago
    due_in: int  # working days from today (negative: overdue)
    stage: str  # assigned | accepted | reporting | behind | claimed | closed | late | overdue | approval
    cycle: str = ReportCycle.MONTHLY
    kind: str = Kind.SPECIAL


ITEMS = [
    DemoItem(
        "演示-区政府常务会议纪要〔2026〕12号-1",
        Source.MEETING_DECISION,
        "zjj",
        ("czj",),
        "推进铁西区2026年老旧小区改造项目，完成12个小区的外墙保温和管网改造",
        "12个小区全部完工并通过验收",
        40,
        25,
        "reporting",
    ),
    DemoItem(
        "演示-区长批示〔2026〕8号",
        Source.LEADER_INSTRUCTION,
        "jyj",
        (),
        "解决北沟街道学区学位紧张问题，制定秋季入学分流方案",
        "方案经区政府审定，学位缺口清零",
        20,
        2,
        "accepted",
    ),
    DemoItem(
        "演示-区政府决定〔2026〕5号",
        Source.GOVERNMENT_DECISION,
        "cgj",
        ("zjj", "sthjfj"),
        "开展城区主干道占道经营和违规广告牌专项整治",
        "主干道违规广告牌拆除率100%，占道经营零反弹",
        45,
        -4,
        "overdue",
        ReportCycle.WEEKLY,
    ),
    DemoItem(
        "演示-省环保督察反馈问题第3项",
        Source.INSPECTION,
        "sthjfj",
        ("zrzyj",),
        "整改省环保督察反馈的条子河沿岸垃圾堆存问题",
        "沿岸垃圾全部清运，建立河长巡查长效机制",
        30,
        15,
        "reporting",
    ),
    DemoItem(
        "演示-人大建议〔2026〕第21号",
        Source.NPC_SUGGESTION,
        "jtj",
        (),
        "关于增设英雄街道公交站点的建议办理",
        "按期答复代表，代表满意",
        25,
        10,
        "accepted",
    ),
    DemoItem(
        "演示-区政府决定〔2026〕3号",
        Source.GOVERNMENT_DECISION,
        "rsj",
        (),
        "完成2026年度城镇新增就业目标任务",
        "城镇新增就业3000人",
        60,
        20,
        "behind",
    ),
    DemoItem(
        "演示-副区长批示〔2026〕11号",
        Source.LEADER_INSTRUCTION,
        "mzj",
        (),
        "落实困难群众冬季取暖补贴发放",
        "补贴发放率100%，公示到位",
        30,
        5,
        "claimed",
    ),
    DemoItem(
        "演示-区政府常务会议纪要〔2026〕9号-2",
        Source.MEETING_DECISION,
        "scjgj",
        (),
        "开展校园周边食品安全专项检查",
        "检查覆盖全区中小学周边商户",
        50,
        -10,
        "closed",
    ),
    DemoItem(
        "演示-区政府决定〔2026〕2号",
        Source.GOVERNMENT_DECISION,
        "wjj",
        (),
        "完成基层医疗机构标准化建设",
        "6个社区卫生服务中心达标",
        70,
        -15,
        "late",
    ),
    DemoItem(
        "演示-城管局专项督查〔2026〕1号",
        Source.GOVERNMENT_DECISION,
        "cgj",
        (),
        "以区政府名义督查各街道环境卫生责任区落实情况",
        "各街道责任区检查全覆盖",
        5,
        30,
        "approval",
    ),
]


def _user(username: str) -> User:
    return User.objects.get(username=username)


def _unit(code: str) -> Unit:
    return Unit.objects.get(code=code)


def _clerk(unit: Unit) -> User:
    return User.objects.get(username=f"{unit.code}_wenshu")


def _leader_post(unit: Unit, day: dt.date) -> Post:

    return leader_post_for_unit(unit, day) or head_post()


def build_demo_supervision(today: dt.date | None = None) -> dict:
    """Create the demo items (idempotent); returns a summary for the command's output."""
    today = today or timezone.localdate()
    staff, director = _user(OFFICE_STAFF), _user(OFFICE_DIRECTOR)
    created, skipped = [], []
    for spec in ITEMS:
        if SupervisionItem.objects.filter(source_ref=spec.ref).exists():
            skipped.append(spec.ref)
            continue
        with transaction.atomic():
            created.append(_build(spec, staff, director, today))
    with transaction.atomic():
        _demo_inquiries(staff, today)
        last_half = (today.year - 1, 2) if today.month <= 6 else (today.year, 1)
        report_services.open_half_year_round(year=last_half[0], half=last_half[1], today=today)
        for report in HalfYearReport.objects.filter(
            year=last_half[0], half=last_half[1], state="pending"
        ).select_related("unit")[:20]:
            report_services.file_half_year_report(
                actor=_clerk(report.unit),
                report=report,
                summary=f"{report.unit.display_name}半年工作总结。",
                counterpart=f"四平市{report.unit.display_name.replace('铁西区', '')}",
                today=min(report.due, today),
            )
    return {"created": created, "skipped": skipped, "items": SupervisionItem.objects.count()}


def _build(spec: DemoItem, staff: User, director: User, today: dt.date) -> str:
    start = wd.subtract_workdays(today, spec.started)
    due = wd.add_workdays(today, spec.due_in) if spec.due_in >= 0 else wd.subtract_workdays(today, -spec.due_in)
    lead = _unit(spec.unit)
    extra = {}
    if spec.source == Source.INSPECTION:
        extra["rectification"] = {
            "problem": "条子河沿岸存在生活垃圾和建筑垃圾堆存，群众反映强烈",
            "level": "provincial",
            "found_by": "吉林省第二生态环境保护督察组",
            "measures": "组织清运，设置围挡和监控，落实属地责任",
            "is_major": True,
        }
    if spec.source == Source.NPC_SUGGESTION:
        extra["proposal"] = {"number": "21", "proposer": "王代表", "session": "区十九届人大四次会议"}
    approval = spec.stage == "approval"
    if approval:
        extra.update(supervising_unit=lead, in_government_name=True)
    item = services.create_item(
        actor=staff,
        source=spec.source,
        source_ref=spec.ref,
        task=spec.task,
        standard=spec.standard,
        lead_unit=lead,
        cooperating_units=[_unit(c) for c in spec.co],
        leader_post=_leader_post(lead, start),
        due=due,
        kind=spec.kind,
        cycle=spec.cycle,
        period_start=start,
        issue=True,
        today=start,
        **extra,
    )
    if approval:
        return item.number
    clerk = _clerk(lead)
    accepted = wd.add_workdays(start, 1)
    if spec.stage == "assigned":
        return item.number
    services.accept_item(actor=clerk, item=item, today=accepted)
    if spec.stage == "accepted":
        return item.number
    report_day = min(wd.add_workdays(accepted, 5), wd.subtract_workdays(today, 1))
    percent = {"behind": 10, "overdue": 60}.get(spec.stage, 50)
    report_services.file_progress_report(
        actor=clerk,
        item=item,
        percent=percent,
        done="已制定工作方案，分解任务到科室和街道，正在推进。",
        problems="部分资金尚未到位。",
        next_steps="加快进度，按期完成。",
        today=report_day,
    )
    for co in spec.co:
        report_services.file_progress_report(
            actor=_clerk(_unit(co)), item=item, percent=percent, done="配合牵头单位完成相关工作。", today=report_day
        )
    if spec.stage in ("reporting", "behind", "overdue"):
        return item.number
    claim_day = wd.add_workdays(due, 2) if spec.stage == "late" else min(wd.subtract_workdays(today, 1), due)
    claim_day = max(claim_day, report_day)
    services.claim_completion(actor=clerk, item=item, evidence="任务已全部完成，附验收材料。", today=claim_day)
    if spec.stage == "claimed":
        return item.number
    services.verify_item(
        actor=director,
        item=item,
        note="经复查核验，任务完成，符合量化标准。",
        today=max(claim_day, wd.subtract_workdays(today, 1)),
    )
    if spec.stage == "late":
        item.refresh_from_db()
        outcome_services.propose_outcome(
            actor=director,
            item=item,
            kind="criticism",
            grounds="该事项逾期办结，影响全区工作进度，建议通报批评。",
            today=today,
        )
    return item.number


def _demo_inquiries(staff: User, today: dt.date) -> None:
    if PublicInquiry.objects.filter(asker__startswith="演示").exists():
        return
    public_services.log_inquiry(
        actor=staff,
        asker="演示-刘女士",
        contact="139****0001",
        question="请问灵活就业人员如何办理社保缴费？",
        received_on=wd.subtract_workdays(today, 2),
        unit=_unit("rsj"),
        today=today,
    )
    public_services.log_inquiry(
        actor=staff,
        asker="演示-张先生",
        contact="138****0002",
        question="孩子入学需要准备哪些材料？",
        received_on=wd.subtract_workdays(today, 7),
        unit=_unit("jyj"),
        today=today,
    )

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
    # The lead unit's reports, oldest first: (working days before today, percent, done, problems, next steps) —
    # each in words that fit where the item stands then (a finished item's last report says it is finished).
    reports: tuple[tuple[int, int, str, str, str], ...] = ()
    part: str = ""  # what the cooperating units report of their part
    evidence: str = ""  # the lead unit's 办结情况及佐证 when it reports the task done


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
        reports=(
            (33, 20, "完成12个小区改造方案设计和施工招标，5个小区已进场施工。", "", "其余7个小区本月内全部进场。"),
            (
                8,
                55,
                "12个小区全部进场施工，已完成7个小区外墙保温、5个小区供热管网改造。",
                "气温下降影响外墙保温施工，部分居民对管网入户改造有顾虑。",
                "抢在停工期前完成剩余外墙保温，逐户做好入户改造解释工作。",
            ),
        ),
        part="已拨付第一批改造补助资金1200万元，第二批资金正在履行审批程序。",
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
        reports=(
            (
                38,
                15,
                "制定整治方案，完成主干道违规广告牌和占道经营点位摸底，共排查广告牌143块。",
                "",
                "分路段集中拆除。",
            ),
            (
                10,
                45,
                "已拆除违规广告牌64块，取缔占道经营点位31处。",
                "部分广告牌产权人联系不上，须依法公告后拆除。",
                "完成公告程序后集中拆除。",
            ),
            (
                2,
                60,
                "已拆除违规广告牌86块（拆除率60%），取缔占道经营点位42处；进度滞后，未能在完成时限内完成整治任务。",
                "剩余57块广告牌涉及产权纠纷，公告期未满；部分路段占道经营出现反弹。",
                "公告期满后依法强制拆除，两周内完成；对反弹路段实行定人定岗巡查，同时说明逾期原因。",
            ),
        ),
        part="配合拆除楼体违规广告牌，对沿街商户开展联合检查。",
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
        reports=(
            (24, 20, "组织清运沿岸生活垃圾和建筑垃圾4000立方米，设置围挡600米。", "", "继续分段清运。"),
            (
                6,
                55,
                "累计清运垃圾1.2万立方米，设置围挡1.8公里，安装视频监控12处。",
                "沿岸部分地块权属不清，清运后仍有偷倒现象。",
                "明确地块管护责任，建立河长巡查长效机制。",
            ),
        ),
        part="完成沿岸地块权属调查，已向牵头单位提供权属资料。",
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
        reports=(
            (53, 10, "分解下达各街道、乡就业目标任务，举办招聘会2场。", "", "开展春风行动专场招聘。"),
            (
                3,
                45,
                "全区城镇新增就业1350人，完成年度目标的45%，进度滞后于计划。",
                "企业用工需求下降，新增岗位不足；公益性岗位开发进度慢。",
                "本月集中举办专场招聘会，加大创业担保贷款扶持，督促各街道加快岗位开发。",
            ),
        ),
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
        reports=(
            (24, 40, "完成困难群众摸底核实，核定补贴对象2316户。", "", "资金到位后集中发放。"),
            (3, 100, "取暖补贴已全部发放到户，发放名单已在各街道、社区公示。", "", "整理发放材料，报区政府办结。"),
        ),
        evidence="已向2316户困难群众发放取暖补贴共计278万元，发放率100%，名单公示7天无异议。附发放花名册和公示照片。",
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
        reports=(
            (44, 50, "已检查全区38所中小学周边商户216户，发现问题41个。", "", "督促问题商户限期整改。"),
            (12, 100, "检查已覆盖全区中小学周边商户，41个问题全部整改到位。", "", "报区政府办结。"),
        ),
        evidence="检查覆盖全区38所中小学周边商户216户，发现问题41个，已全部整改销号。附检查台账和整改照片。",
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
        reports=(
            (63, 30, "完成6个社区卫生服务中心标准化建设方案，2个中心开工改造。", "", "其余4个中心陆续开工。"),
            (
                20,
                60,
                "4个中心完成改造，2个中心设备采购延误。",
                "设备采购流标一次，影响工期。",
                "重新组织采购，尽快安装。",
            ),
            (
                14,
                100,
                "6个社区卫生服务中心已全部完成改造和设备安装，但超过了完成时限。",
                "",
                "申请验收，报区政府办结。",
            ),
        ),
        evidence="6个社区卫生服务中心全部通过市卫健委标准化验收，因设备采购流标逾期完成。附验收意见。",
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
    if not spec.reports:
        return item.number
    for n, (back, percent, done, problems, next_steps) in enumerate(spec.reports):
        day = max(wd.subtract_workdays(today, back), accepted)
        report_services.file_progress_report(
            actor=clerk,
            item=item,
            percent=percent,
            done=done,
            problems=problems,
            next_steps=next_steps,
            today=day,
        )
        for co in spec.co if n == 0 else ():  # the cooperating units report their part on the first cycle
            report_services.file_progress_report(
                actor=_clerk(_unit(co)), item=item, percent=percent, done=spec.part, today=day
            )
    if spec.stage in ("reporting", "behind", "overdue"):
        return item.number
    claim_day = wd.add_workdays(due, 2) if spec.stage == "late" else min(wd.subtract_workdays(today, 1), due)
    claim_day = max(claim_day, day)
    services.claim_completion(actor=clerk, item=item, evidence=spec.evidence, today=claim_day)
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

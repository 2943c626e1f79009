"""Demo documents for the demo district: every role logs in to something to do.

`build_demo_documents()` walks each demo item through the real services (documents.submissions.services, and
one 发文 through documents.outgoing.services), so the rules, clocks, notifications and audit events are the ones a
real user would get. The
steps are dated a few working days back from today (working-day arithmetic), so deadlines are realistic: some due
soon, none long overdue. Idempotent: demo items are known by (unit, title); an item that exists is left alone.

Needs the demo district (tiexi_gov.org.demo.build_demo_district) and its usernames.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field

from django.db import transaction
from django.utils import timezone

from tiexi_gov.org.demo import HEAD_USERNAME_SUFFIX
from tiexi_gov.org.models import Unit, User
from tiexi_gov.org.selectors import posts_held_by, who_handles
from tiexi_gov.workdays import calendar as wd

from .models import (
    ConsultationRequest,
    Disclosure,
    DisclosureManner,
    DocumentPlan,
    Issuer,
    LeaderAssignment,
    OutgoingDocument,
    OutgoingKind,
    OutgoingState,
    ReturnReason,
    Submission,
    SubmissionKind,
    SubmissionState,
    Urgency,
)
from .outgoing import services as issuance
from .submissions import services

S = SubmissionState
Reply = ConsultationRequest.Reply

# Who does the office's steps in the demo district (tiexi_gov.org.demo).
OFFICE_STAFF = "bangongshi"
OFFICE_DEPUTY_DIRECTOR = "bangongshi_fuzhuren"
OFFICE_DIRECTOR = "bangongshi_zhuren"
OFFICE_CLERK = "bgs_wenshu"

# Where an item stops. Each stage is done on a working day counted forward from the item's start (see _day).
DRAFT, CONSULT, SIGNATURE, SUBMITTED, REGISTERED, OFFICE_REVIEW, LEADER, APPROVED, RETURNED = range(9)
STEP_OFFSET = {"reply": 1, "sign": 1, "submit": 1, "register": 2, "deputy": 3, "director": 3, "route": 4, "decide": 6}


@dataclass(frozen=True)
class DemoItem:
    unit: str  # unit code in the demo district
    title: str
    body: str
    stop: int  # the stage the item is left at
    back: int  # it was started this many working days before today
    kind: str = SubmissionKind.REQUEST
    urgency: str = Urgency.NORMAL
    urgency_reason: str = ""
    consult: tuple[str, ...] = ()  # units asked for their opinion (DOC-6)
    replies: dict = field(default_factory=dict)  # unit code -> (reply, text) already given
    parallel: tuple[str, ...] = ()  # leader usernames for parallel review (DOC-12); else routed by portfolio
    decision: tuple[str, str] = ("", "")  # (decision, opinion) of the leader
    return_reason: tuple[str, str] = ("", "")  # (ReturnReason, text) of the office
    unit_doc_number: str = ""


ITEMS: list[DemoItem] = [
    DemoItem(
        "jyj",
        "关于2027年中小学校舍维修改造项目资金的请示",
        "区政府：\n    我区现有中小学校舍中，建成于2000年以前的有14栋，部分存在屋面渗漏、外墙脱落、供暖管网老化等问题。"
        "经我局会同住建部门逐校排查，拟于2027年暑期对其中9所学校实施维修改造，概算总投资1280万元。"
        "其中申请上级补助资金600万元，其余680万元恳请区财政予以安排。\n    妥否，请批示。",
        DRAFT,
        0,
        unit_doc_number="铁西教呈〔2026〕21号",
    ),
    DemoItem(
        "zjj",
        "关于2027年老旧小区改造计划的请示",
        "区政府：\n    根据省、市关于城镇老旧小区改造工作的部署，我局对全区2000年底前建成的住宅小区进行了摸底，"
        "拟将北沟、仁兴、站前三个街道的17个小区（涉及居民4326户）列入2027年改造计划，"
        "主要实施管网更新、屋面防水、加装电梯试点和小区环境整治，估算总投资1.36亿元，"
        "拟积极争取中央和省级补助资金，区级配套资金分两年安排。\n    以上请示妥否，请批示。",
        CONSULT,
        2,
        consult=("czj", "fgj"),
        replies={
            "fgj": (
                Reply.AGREE_WITH_COMMENTS,
                "建议将加装电梯试点与2027年中央预算内投资申报统筹考虑，及早做好项目储备。",
            )
        },
        unit_doc_number="铁西住建呈〔2026〕33号",
    ),
    DemoItem(
        "fgj",
        "关于申报2027年中央预算内投资项目的请示",
        "区政府：\n    国家发展改革委已启动2027年中央预算内投资项目申报工作。经我局会同相关部门筛选，"
        "拟申报城区供热管网改造、平西乡农村供水保障、区中医院传染病区改造等5个项目，总投资3.2亿元，"
        "申请中央预算内投资1.1亿元。项目均已纳入国家重大建设项目库，前期手续基本完备。\n    妥否，请批示。",
        SIGNATURE,
        1,
        unit_doc_number="铁西发改呈〔2026〕45号",
    ),
    DemoItem(
        "mzj",
        "关于调整城乡居民最低生活保障标准的请示",
        "区政府：\n    按照市民政局、市财政局关于提高城乡低保标准的通知要求，拟自2027年1月1日起，"
        "将我区城市低保标准由每人每月720元提高到760元，农村低保标准由每人每年6000元提高到6400元，"
        "预计全年增加支出约286万元，其中区级负担约86万元。\n    妥否，请批示。",
        SUBMITTED,
        2,
        unit_doc_number="铁西民呈〔2026〕18号",
    ),
    DemoItem(
        "jtj",
        "关于开通城区至平西乡公交线路的请示",
        "区政府：\n    为解决平西乡群众进城出行难问题，我局会同平西乡政府、公交公司进行了线路踏勘，"
        "拟开通火车站至平西乡政府公交线路1条，全长18.6公里，设站21个，配车6台，"
        "预计年运营补贴需求约95万元。\n    妥否，请批示。",
        REGISTERED,
        3,
        unit_doc_number="铁西交呈〔2026〕9号",
    ),
    DemoItem(
        "czj",
        "关于2026年1—10月全区财政运行情况的报告",
        "区政府：\n    1—10月，全区一般公共预算收入完成6.82亿元，同比增长4.3%，完成年度预算的83.6%；"
        "一般公共预算支出完成14.5亿元，同比增长2.1%，民生支出占比78.2%。"
        "收入增长主要来自增值税和契税，非税收入同比下降6.8%。下一步，我局将加强收入征管，"
        "严控一般性支出，确保“三保”支出足额到位。\n    特此报告。",
        OFFICE_REVIEW,
        4,
        kind=SubmissionKind.REPORT,
        unit_doc_number="铁西财报〔2026〕27号",
    ),
    DemoItem(
        "yjj",
        "关于拨付城区防汛物资采购资金的请示",
        "区政府：\n    今年汛期我区防汛物资消耗较大，现有编织袋、救生衣、排水泵等储备已低于市定标准。"
        "为做好2027年防汛准备，拟于汛前补充采购防汛物资一批，预算金额186万元，"
        "采购清单已经区防汛抗旱指挥部办公室审核。恳请区政府拨付采购资金，以便按政府采购程序于明年4月底前完成入库。\n"
        "    妥否，请批示。",
        LEADER,
        5,
        unit_doc_number="铁西应急呈〔2026〕14号",
    ),
    DemoItem(
        "cgj",
        "关于拨付2026—2027年度城区冬季清雪作业经费的请示",
        "区政府：\n    本年度冬季清雪期自11月15日至次年3月15日。按照城区主次干道、背街小巷机械化清雪作业方案，"
        "需租用清雪机械46台套、采购融雪剂800吨，测算作业经费共计312万元。"
        "为确保降雪后“雪停路通”，恳请区政府尽快拨付。\n    妥否，请批示。",
        LEADER,
        4,
        unit_doc_number="铁西城管呈〔2026〕37号",
    ),
    DemoItem(
        "wjj",
        "关于开展2027年城乡居民免费健康体检工作的请示",
        "区政府：\n    为落实健康铁西建设任务，拟于2027年3月至10月为全区65岁以上老年人、"
        "高血压和糖尿病患者等重点人群约3.8万人开展免费健康体检，由区属医疗机构和乡镇卫生院分片承担，"
        "所需经费约228万元，拟从基本公共卫生服务资金中列支，不足部分申请区财政补助。\n    妥否，请批示。",
        LEADER,
        5,
        unit_doc_number="铁西卫健呈〔2026〕29号",
    ),
    DemoItem(
        "yjj",
        "关于召开全区安全生产工作会议的请示",
        "区政府：\n    国务院安委会近日部署岁末年初安全生产工作，省、市已分别召开会议。"
        "为及时传达贯彻上级会议精神，部署我区冬季安全生产和隐患排查整治工作，"
        "拟于近日召开全区安全生产工作会议，由区政府主要领导出席并讲话，各部门、乡、街道主要负责人参加。\n"
        "    妥否，请批示。",
        LEADER,
        1,
        urgency=Urgency.EXTRA_URGENT,
        urgency_reason="市安委会要求各区于本周内召开会议完成传达部署，时间紧迫。",
        parallel=("fuquzhang1", "changwu"),
        unit_doc_number="铁西应急呈〔2026〕15号",
    ),
    DemoItem(
        "fgj",
        "关于拨付2026年重点项目前期工作经费的请示",
        "区政府：\n    为加快推进2027年重点项目储备，我局拟委托第三方机构开展城区供热管网改造等6个项目的"
        "可行性研究和初步设计编制工作，经测算需前期工作经费148万元。恳请区政府予以拨付。\n    妥否，请批示。",
        APPROVED,
        8,
        decision=("approve", "请财政局按程序拨付，发改局严格按照合同进度使用资金，确保前期工作年底前启动。"),
        unit_doc_number="铁西发改呈〔2026〕41号",
    ),
    DemoItem(
        "swj",
        "关于举办铁西区冬季消费促进活动的请示",
        "区政府：\n    为提振冬季消费，拟于12月至明年2月举办“暖冬铁西·惠享消费”系列活动，"
        "联合辖区商超、餐饮企业开展让利促销，所需经费30万元已列入我局2026年部门预算。\n    妥否，请批示。",
        RETURNED,
        3,
        return_reason=(
            ReturnReason.UNIT_AUTHORITY,
            "该活动属商务局职责范围内事项，所需经费已列入部门预算，请由你局按规定自行组织实施，无需报区政府审批。",
        ),
        unit_doc_number="铁西商呈〔2026〕8号",
    ),
]

OUTGOING_TITLE = "关于做好2027年元旦春节期间值班工作的通知"
OUTGOING_BODY = (
    "各乡人民政府、街道办事处，区政府各部门、各直属单位：\n"
    "    为确保2027年元旦、春节期间各项工作正常运转，及时妥善处置各类突发事件，现就做好值班工作通知如下：\n"
    "    一、严格落实领导带班和24小时专人值班制度，值班人员不得擅自离岗。\n"
    "    二、值班表于12月25日前报区政府办公室（总值班室）。\n"
    "    三、遇有重大突发事件，须第一时间向区政府总值班室报告，不得迟报、漏报、瞒报。"
)

DEMO_TITLES = tuple(item.title for item in ITEMS) + (OUTGOING_TITLE,)


# --- helpers ---------------------------------------------------------------------------------------------------


def _user(username: str) -> User:
    return User.objects.select_related("unit").get(username=username)


def clerk_username(unit: Unit) -> str:
    return f"{unit.code}_wenshu"


def head_username(unit: Unit) -> str:
    return f"{unit.code}_{HEAD_USERNAME_SUFFIX[unit.kind]}"


def base_day(today: dt.date | None = None) -> dt.date:
    """The demo's 'today': the last working day on or before today (nobody registers mail on a Sunday)."""
    today = today or timezone.localdate()
    return today if wd.is_workday(today) else wd.previous_workday(today)


def _day(start: dt.date, step: str, d0: dt.date) -> dt.date:
    """The working day of `step` for an item started on `start`; never later than the demo's today."""
    return min(d0, wd.add_workdays(start, STEP_OFFSET[step]))


def _fields(item: DemoItem, d0: dt.date) -> dict:
    fields = {
        "kind": item.kind,
        "body": item.body,
        "unit_doc_number": item.unit_doc_number,
        "urgency": item.urgency,
        "urgency_reason": item.urgency_reason,
        "disclosure": Disclosure.FULL,
        "disclosure_manner": DisclosureManner.ACTIVE,
        "not_classified": True,
    }
    if item.kind == SubmissionKind.REQUEST:
        fields["declares_one_matter"] = True
        lead = 3 if item.urgency in (Urgency.EXTRA_URGENT, Urgency.CRITICAL) else 15
        fields["decision_needed_by"] = wd.add_workdays(d0, lead)
    if item.kind == SubmissionKind.REPORT:
        fields["declares_report_has_no_request"] = True
    return fields


def _build_submission(item: DemoItem, d0: dt.date) -> Submission:
    """Walk one item through the real services up to its stop stage, each step on its own working day."""
    unit = Unit.objects.get(code=item.unit)
    clerk, head = _user(clerk_username(unit)), _user(head_username(unit))
    start = wd.subtract_workdays(d0, item.back) if item.back else d0

    def day(step):
        return _day(start, step, d0)

    sub = services.create_draft(actor=clerk, title=item.title, **_fields(item, d0))
    if item.stop == DRAFT:
        return sub
    if item.consult:
        units = list(Unit.objects.filter(code__in=item.consult).order_by("order"))
        requests = services.request_consultation(actor=clerk, submission=sub, units=units, today=start)
        for req in requests:
            if req.unit.code in item.replies:
                reply, text = item.replies[req.unit.code]
                replier = _user(clerk_username(req.unit))
                services.reply_to_consultation(
                    actor=replier, consultation=req, reply=reply, text=text, today=day("reply")
                )
        sub.refresh_from_db()
        if item.stop == CONSULT:
            return sub
    sub = services.send_for_signature(actor=clerk, submission=sub, today=start)
    if item.stop == SIGNATURE:
        return sub
    signed_on = day("sign")
    sub = services.sign_submission(
        actor=head, submission=sub, issue_date=signed_on, opinion="同意报送。", today=signed_on
    )
    sub = services.submit_to_office(actor=clerk, submission=sub, today=day("submit"))
    if item.stop == SUBMITTED:
        return sub
    office = _user(OFFICE_STAFF)
    if item.stop == RETURNED:
        reason, text = item.return_reason
        return services.return_submission(actor=office, submission=sub, reason=reason, text=text, today=d0)
    services.register(actor=office, submission=sub, today=day("register"))
    sub.refresh_from_db()
    if item.stop == REGISTERED:
        return sub
    services.office_review_opinion(
        actor=_user(OFFICE_DEPUTY_DIRECTOR), submission=sub, opinion="拟呈分管区领导阅示。", today=day("deputy")
    )
    sub.refresh_from_db()
    if item.stop == OFFICE_REVIEW:
        return sub
    services.office_review_opinion(
        actor=_user(OFFICE_DIRECTOR), submission=sub, opinion="同意，呈区领导审批。", today=day("director")
    )
    sub.refresh_from_db()
    if item.parallel:
        posts = [posts_held_by(_user(u), d0)[0] for u in item.parallel]
        services.send_to_leaders(
            actor=office, submission=sub, mode=LeaderAssignment.Mode.PARALLEL, posts=posts, today=d0
        )
    else:
        services.route_to_leader(actor=office, submission=sub, today=day("route"))
    sub.refresh_from_db()
    if item.stop == LEADER:
        return sub
    decided_on = day("decide")
    assignment = sub.assignments.filter(state=LeaderAssignment.State.PENDING).select_related("post").first()
    leader = who_handles(assignment.post, decided_on).person
    decision, opinion = item.decision
    services.leader_decide(actor=leader, submission=sub, decision=decision, opinion=opinion, today=decided_on)
    sub.refresh_from_db()
    return sub


def _build_outgoing(d0: dt.date) -> OutgoingDocument:
    """One 发文 in the office's own remit, checked and waiting for the office director's signature (DOC-14)."""
    clerk, staff = _user(OFFICE_CLERK), _user(OFFICE_STAFF)
    plan = DocumentPlan.objects.filter(issuer=Issuer.OFFICE, unit=None, year=d0.year).first()
    if plan is None:
        plan = issuance.create_plan(actor=staff, issuer=Issuer.OFFICE, year=d0.year)
    item = plan.items.filter(title=OUTGOING_TITLE).first() or issuance.add_plan_item(
        actor=staff, plan=plan, title=OUTGOING_TITLE, drafting_unit=clerk.unit, planned_month=d0.month
    )
    doc = issuance.create_outgoing(
        actor=clerk,
        kind=OutgoingKind.OFFICE_REMIT,
        title=OUTGOING_TITLE,
        issuer=Issuer.OFFICE,
        body=OUTGOING_BODY,
        main_recipients="各乡人民政府、街道办事处，区政府各部门、各直属单位",
        disclosure=Disclosure.FULL,
        disclosure_manner=DisclosureManner.ACTIVE,
        not_classified=True,
        plan_item=item,
    )
    doc = issuance.submit_outgoing(actor=clerk, document=doc, today=d0)
    return issuance.office_check_outgoing(actor=staff, document=doc, opinion="格式规范，同意送主任签发。", today=d0)


# --- who acts next (for the command's summary) --------------------------------------------------------------


def next_actors(sub: Submission, day: dt.date) -> list[tuple[str, str]]:
    """(username, what to do) for the people a demo item waits for."""
    unit = sub.unit
    if sub.state == S.DRAFTING:
        return [(clerk_username(unit), "起草中，待送签发")]
    if sub.state == S.CONSULTING:
        return [
            (clerk_username(r.unit), f"待回复征求意见（{r.due}前）")
            for r in sub.consultations.filter(state=ConsultationRequest.State.OPEN).select_related("unit")
        ]
    if sub.state == S.AWAITING_SIGNATURE:
        return [(head_username(unit), "待签发")]
    if sub.state == S.SUBMITTED:
        return [(OFFICE_STAFF, "待登记")]
    if sub.state == S.REGISTERED:
        return [(OFFICE_DEPUTY_DIRECTOR, "待办公室副主任审核")]
    if sub.state == S.OFFICE_REVIEW:
        return [(OFFICE_DIRECTOR, "待办公室主任审核")]
    if sub.state == S.LEADER_REVIEW:
        pending = sub.assignments.filter(state=LeaderAssignment.State.PENDING).select_related("post")
        return [(who_handles(a.post, day).person.username, f"待批示（{a.due}前）") for a in pending]
    if sub.state in (S.APPROVED, S.DISAPPROVED):
        return [(clerk_username(unit), "查看批示、打印公文处理单"), (OFFICE_STAFF, "待办结")]
    if sub.state == S.RETURNED:
        return [(clerk_username(unit), "查看退回原因，修改后重新报送")]
    return []


# --- the builder ---------------------------------------------------------------------------------------------


def demo_submissions():
    return Submission.objects.filter(title__in=[i.title for i in ITEMS]).select_related("unit")


def build_demo_documents(today: dt.date | None = None) -> dict:
    """Create the demo items that do not exist yet; returns a summary of all of them.

    Each item is built in its own transaction: one that fails leaves nothing half-made behind, and the next run
    tries it again."""
    d0 = base_day(today)
    created, skipped = [], []
    for item in ITEMS:
        if Submission.objects.filter(unit__code=item.unit, title=item.title).exists():
            skipped.append(item.title)
            continue
        with transaction.atomic():
            _build_submission(item, d0)
        created.append(item.title)
    if OutgoingDocument.objects.filter(title=OUTGOING_TITLE).exists():
        skipped.append(OUTGOING_TITLE)
    else:
        with transaction.atomic():
            _build_outgoing(d0)
        created.append(OUTGOING_TITLE)

    subs = list(demo_submissions().order_by("id"))
    by_state: dict[str, int] = {}
    for sub in subs:
        by_state[sub.state] = by_state.get(sub.state, 0) + 1
    outgoing = OutgoingDocument.objects.filter(title=OUTGOING_TITLE).first()
    todo: dict[str, list[str]] = {}
    for sub in subs:
        for username, what in next_actors(sub, d0):
            todo.setdefault(username, []).append(f"{sub.title}：{what}")
    if outgoing is not None and outgoing.state == OutgoingState.AWAITING_SIGNATURE:
        todo.setdefault(OFFICE_DIRECTOR, []).append(f"{outgoing.title}：发文待签发")
    return {
        "day": d0,
        "created": created,
        "skipped": skipped,
        "by_state": by_state,
        "submissions": [(s.pk, s.unit.display_name, s.title, s.state) for s in subs],
        "outgoing": (outgoing.pk, outgoing.title, outgoing.state) if outgoing else None,
        "todo": todo,
    }

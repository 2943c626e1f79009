"""The demo district: a realistic Tiexi district government to click through and to test against.

`build_demo_district(password)` is idempotent: rows are found by natural keys (unit code, username, post title,
appointment start) and updated in place, so running it twice leaves the same rows. `seed_demo` wraps it.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from django.contrib.auth.hashers import check_password, make_password
from django.db import transaction

from .models import Appointment, Portfolio, Post, Unit, User
from .roles import Role, ensure_roles

K = Unit.Kind
P = Post.Kind

TERM_START = dt.date(2022, 1, 10)  # the government's current term (ORG-1: five years)
DIVISION_CHANGE = dt.date(2024, 3, 1)  # 文旅局 moved to another deputy: the old division stays in history (ORG-2)
FINANCE_HEAD_CHANGE = dt.date(2023, 7, 1)  # 财政局 changed its head: the predecessor's appointment is kept (ORG-1)


@dataclass(frozen=True)
class UnitSpec:
    code: str
    name: str
    short: str
    kind: str
    head_title: str = "局长"
    deputy: str = ""  # "sign": a deputy authorized to sign; "plain": a deputy without; "": none
    comprehensive: bool = False


def _dept(code, name, short, deputy="", comprehensive=False):
    return UnitSpec(code, name, short, K.DEPARTMENT, "局长", deputy, comprehensive)


UNITS: list[UnitSpec] = [
    _dept("fgj", "铁西区发展和改革局", "发改局", "sign", True),
    _dept("jyj", "铁西区教育局", "教育局", "sign"),
    _dept("gafj", "四平市公安局铁西区分局", "公安分局", "sign"),
    _dept("mzj", "铁西区民政局", "民政局"),
    _dept("sfj", "铁西区司法局", "司法局", "plain"),
    _dept("czj", "铁西区财政局", "财政局", "sign", True),
    _dept("rsj", "铁西区人力资源和社会保障局", "人社局"),
    _dept("zrzyj", "铁西区自然资源局", "自然资源局"),
    _dept("sthjfj", "四平市生态环境局铁西区分局", "生态环境分局"),
    _dept("zjj", "铁西区住房和城乡建设局", "住建局", "sign"),
    _dept("jtj", "铁西区交通运输局", "交通运输局"),
    _dept("nyj", "铁西区农业农村局", "农业农村局"),
    _dept("swj", "铁西区商务局", "商务局"),
    _dept("wlj", "铁西区文化广播电视和旅游局", "文旅局"),
    _dept("wjj", "铁西区卫生健康局", "卫健局", "plain"),
    _dept("tyjrj", "铁西区退役军人事务局", "退役军人事务局"),
    _dept("yjj", "铁西区应急管理局", "应急管理局"),
    _dept("sjj", "铁西区审计局", "审计局", "plain", True),
    _dept("scjgj", "铁西区市场监督管理局", "市场监管局"),
    _dept("cgj", "铁西区城市管理行政执法局", "城管局"),
    _dept("xfj", "铁西区信访局", "信访局", "plain"),
    UnitSpec("tjj", "铁西区统计局", "统计局", K.AFFILIATED, "局长", "", True),
    UnitSpec("ybj", "铁西区医疗保障局", "医保局", K.AFFILIATED),
    UnitSpec("zsj", "铁西区政务服务和数字化建设管理局", "政数局", K.AFFILIATED),
    UnitSpec("jgsw", "铁西区机关事务服务中心", "机关事务服务中心", K.INSTITUTION, "主任"),
    UnitSpec("rmt", "铁西区融媒体中心", "融媒体中心", K.INSTITUTION, "主任"),
    UnitSpec("pxx", "铁西区平西乡人民政府", "平西乡", K.TOWNSHIP, "乡长", "sign"),
    UnitSpec("bgjd", "铁西区北沟街道办事处", "北沟街道", K.STREET, "主任", "sign"),
    UnitSpec("rxjd", "铁西区仁兴街道办事处", "仁兴街道", K.STREET, "主任"),
    UnitSpec("yxjd", "铁西区英雄街道办事处", "英雄街道", K.STREET, "主任"),
    UnitSpec("dzjd", "铁西区地直街道办事处", "地直街道", K.STREET, "主任"),
    UnitSpec("zqjd", "铁西区站前街道办事处", "站前街道", K.STREET, "主任"),
    UnitSpec("hzjd", "铁西区红嘴街道办事处", "红嘴街道", K.STREET, "主任"),
    UnitSpec("jwjw", "中共铁西区纪律检查委员会 铁西区监察委员会", "区纪委监委", K.EXTERNAL, "书记、主任"),
]
GOVERNMENT = UnitSpec("qzf", "铁西区人民政府", "区政府", K.GOVERNMENT, "区长")
OFFICE = UnitSpec("bgs", "铁西区人民政府办公室", "区政府办公室", K.OFFICE, "主任", "", True)

HEAD_USERNAME_SUFFIX = {
    K.DEPARTMENT: "juzhang",
    K.AFFILIATED: "juzhang",
    K.INSTITUTION: "zhuren",
    K.TOWNSHIP: "xiangzhang",
    K.STREET: "zhuren",
    K.EXTERNAL: "shuji",
}
DEPUTY_TITLE = {"局长": "副局长", "主任": "副主任", "乡长": "副乡长"}

# Leaders: (key, username, name, post kind, post title, is_judicial, order, portfolio codes).
# 文旅局 is in deputy 2's portfolio until DIVISION_CHANGE and in deputy 3's from then on.
LEADERS = [
    ("head", "quzhang", "王立新", P.HEAD, "区长", False, 1, ["sjj"]),
    (
        "exec_deputy",
        "changwu",
        "李志刚",
        P.EXEC_DEPUTY,
        "常务副区长",
        False,
        2,
        ["bgs", "fgj", "czj", "tjj", "swj", "zsj", "jgsw", "rmt"],
    ),
    ("deputy1", "fuquzhang1", "赵国庆", P.DEPUTY, "副区长", True, 3, ["gafj", "sfj", "xfj", "tyjrj", "yjj"]),
    ("deputy2", "fuquzhang2", "张海燕", P.DEPUTY, "副区长", False, 4, ["jyj", "wjj", "mzj", "rsj", "ybj"]),
    (
        "deputy3",
        "fuquzhang3",
        "陈晓东",
        P.DEPUTY,
        "副区长",
        False,
        5,
        ["zrzyj", "zjj", "jtj", "cgj", "sthjfj", "scjgj"],
    ),
    (
        "deputy4",
        "fuquzhang4",
        "孙丽娟",
        P.DEPUTY,
        "副区长",
        False,
        6,
        ["nyj", "pxx", "bgjd", "rxjd", "yxjd", "dzjd", "zqjd", "hzjd"],
    ),
]
MOVED_UNIT, MOVED_FROM, MOVED_TO = "wlj", "deputy2", "deputy3"

SURNAMES = (
    "刘杨黄周吴徐马朱胡郭何高林罗梁宋唐韩冯邓曹彭曾肖田董袁潘于蒋蔡余杜叶程苏魏吕丁任沈姚卢姜"
    "崔钟谭陆汪范金石廖贾夏韦付方白邹孟熊秦邱江尹薛闫段雷侯龙史陶黎贺顾毛郝龚邵万钱严武戴孔向汤"
)
GIVEN = [
    "建国", "志强", "海波", "晓明", "丽娟", "振宇", "秀英", "明辉", "红霞", "卫东", "春雷", "秀兰", "立军",
    "玉梅", "宏伟", "晓峰", "淑芬", "德胜", "文静", "雪松", "冬梅", "长青", "永刚", "丽华", "俊峰", "桂芝",
    "继红", "洪涛", "美玲", "福林", "树森", "凤霞", "国栋", "晓燕", "铁军", "艳华", "金龙", "慧敏", "广志",
    "亚男", "占山", "丽萍", "成林", "婷婷", "宝华", "春燕", "建华", "佳琪", "子健", "玉洁", "殿武", "欣然",
    "大伟", "海英", "正阳", "美娜", "鹏飞",
]  # fmt: skip


def _person_name(index: int) -> str:
    return SURNAMES[(index * 7) % len(SURNAMES)] + GIVEN[(index * 5) % len(GIVEN)]


class _Builder:
    def __init__(self, password_hash: str):
        self.password_hash = password_hash
        self.roles = ensure_roles()
        self.people = 0

    def unit(self, spec: UnitSpec, order: int) -> Unit:
        unit, _ = Unit.objects.update_or_create(
            code=spec.code,
            defaults={
                "name": spec.name,
                "short_name": spec.short,
                "kind": spec.kind,
                "is_comprehensive": spec.comprehensive,
                "order": order,
                "active": True,
            },
        )
        return unit

    def user(self, username: str, unit: Unit, *, name: str | None = None, roles=(), staff=False, active=True):
        self.people += 1
        user, created = User.objects.update_or_create(
            username=username,
            defaults={
                "full_name": name or _person_name(self.people),
                "unit": unit,
                "email": f"{username}@tiexi.gov.local",
                "phone": f"0434-32{self.people * 37 % 100000:05d}",
                "is_staff": staff,
                "is_active": active,
            },
        )
        if user.password != self.password_hash:
            User.objects.filter(pk=user.pk).update(password=self.password_hash)
        if roles:
            user.groups.add(*(self.roles[r] for r in roles))
        return user

    @staticmethod
    def post(unit: Unit, kind, title: str, order: int, **flags) -> Post:
        """Posts are found by (unit, kind, order): four deputies share the title 副区长."""
        post, _ = Post.objects.update_or_create(unit=unit, kind=kind, order=order, defaults={"title": title, **flags})
        return post

    @staticmethod
    def appoint(post: Post, person: User, start: dt.date, end: dt.date | None = None, note: str = "") -> None:
        appt = Appointment.objects.filter(post=post, person=person, start=start).first()
        appt = appt or Appointment(post=post, person=person, start=start)
        appt.end, appt.note = end, note
        appt.full_clean()  # the demo obeys the same rules as the admin (ORG-1)
        appt.save()

    @staticmethod
    def portfolio(post: Post, unit: Unit, start: dt.date, end: dt.date | None = None) -> None:
        row = Portfolio.objects.filter(post=post, unit=unit, start=start).first()
        row = row or Portfolio(post=post, unit=unit, start=start)
        row.end, row.basis = end, "区政府领导工作分工通知"
        row.full_clean()  # one leader per unit at a time (ORG-2)
        row.save()


def _password_hash(password: str) -> str:
    """One hash for all demo accounts (hashing ~100 times would take a minute); reuse it when unchanged."""
    probe = User.objects.filter(username="quzhang").values_list("password", flat=True).first()
    if probe and check_password(password, probe):
        return probe
    return make_password(password)


@transaction.atomic
def build_demo_district(password: str) -> dict[str, str]:
    """Create or refresh the demo district; returns {role key: username} of one login per role."""
    b = _Builder(_password_hash(password))
    logins: dict[str, str] = {}

    government = b.unit(GOVERNMENT, 1)
    office = b.unit(OFFICE, 2)
    units = {spec.code: b.unit(spec, 10 + i) for i, spec in enumerate(UNITS)}
    units["bgs"] = office

    # District leaders, their posts and portfolios (ORG-1, ORG-2).
    leader_posts = {}
    for key, username, name, kind, title, judicial, order, codes in LEADERS:
        roles = (Role.DISTRICT_HEAD,) if kind == P.HEAD else (Role.DEPUTY_HEAD,)
        person = b.user(username, government, name=name, roles=roles)
        post = b.post(government, kind, title, order, is_judicial=judicial)
        b.appoint(post, person, TERM_START, note="区人大常委会任命")
        leader_posts[key] = post
        logins[key] = username
        for code in codes:
            b.portfolio(post, units[code], TERM_START)
    b.portfolio(leader_posts[MOVED_FROM], units[MOVED_UNIT], TERM_START, DIVISION_CHANGE - dt.timedelta(days=1))
    b.portfolio(leader_posts[MOVED_TO], units[MOVED_UNIT], DIVISION_CHANGE)
    logins["judicial_deputy"] = "fuquzhang1"

    secretary = b.post(government, P.PARTY_SECRETARY, "区政府党组书记", 7)
    b.appoint(secretary, User.objects.get(username="quzhang"), TERM_START)
    adviser = b.post(government, P.LEGAL_ADVISER, "区政府法律顾问", 8)
    b.appoint(adviser, b.user("falvguwen", government, name="许文博"), TERM_START, note="聘任")
    logins["legal_adviser"] = "falvguwen"

    # The office (ORG-4): director, deputies, staff, clerk; and the admins who sit there.
    director = b.post(office, P.OFFICE_DIRECTOR, "区政府办公室主任", 1)
    director_person = b.user("bangongshi_zhuren", office, name="周建军", roles=[Role.OFFICE_DIRECTOR], staff=True)
    b.appoint(director, director_person, TERM_START)
    logins["office_director"] = "bangongshi_zhuren"
    for i, (username, name) in enumerate(
        [("bangongshi_fuzhuren", "吴晓光"), ("bangongshi_fuzhuren2", "郑红梅"), ("bangongshi_fuzhuren3", "冯德胜")]
    ):
        post = b.post(office, P.OFFICE_DEPUTY_DIRECTOR, f"区政府办公室副主任（{'一二三'[i]}）", 2 + i)
        b.appoint(post, b.user(username, office, name=name, roles=[Role.OFFICE_STAFF], staff=True), TERM_START)
    logins["office_deputy_director"] = "bangongshi_fuzhuren"
    for i, (username, name, title) in enumerate(
        [("bangongshi", "马丽", "秘书科科员"), ("bangongshi2", "高明", "督查室科员")]
    ):
        post = b.post(office, P.OFFICE_STAFF, title, 10 + i)
        b.appoint(post, b.user(username, office, name=name, roles=[Role.OFFICE_STAFF], staff=True), TERM_START)
    logins["office_staff"] = "bangongshi"
    clerk = b.post(office, P.CLERK, "区政府办公室文书", 20)
    b.appoint(clerk, b.user("bgs_wenshu", office, roles=[Role.CLERK]), TERM_START)
    for key, username, name, role in [
        ("calendar_admin", "rili_admin", "林静", Role.CALENDAR_ADMIN),
        ("system_admin", "xitong_admin", "罗斌", Role.SYSTEM_ADMIN),
        ("security_admin", "anquan_admin", "谢涛", Role.SECURITY_ADMIN),
        ("audit_admin", "shenji_admin", "韩雪", Role.AUDIT_ADMIN),
    ]:
        b.user(username, office, name=name, roles=[role], staff=True)
        logins[key] = username

    # Every other unit: a main head, a clerk, and for some a deputy (authorized to sign or not, ORG-4).
    for spec in UNITS:
        unit = units[spec.code]
        head_post = b.post(unit, P.UNIT_HEAD, f"{spec.short}{spec.head_title}", 1)
        head = b.user(f"{spec.code}_{HEAD_USERNAME_SUFFIX[spec.kind]}", unit, roles=[Role.UNIT_HEAD])
        if spec.code == "czj":
            former = b.user("czj_juzhang_qianren", unit, active=False)
            b.appoint(head_post, former, dt.date(2018, 6, 1), FINANCE_HEAD_CHANGE - dt.timedelta(days=1), "届满轮岗")
            b.appoint(head_post, head, FINANCE_HEAD_CHANGE, note="区政府任命")
        else:
            b.appoint(head_post, head, TERM_START, note="区政府任命")
        if spec.deputy:
            title = f"{spec.short}{DEPUTY_TITLE.get(spec.head_title, '副职')}"
            deputy_post = b.post(unit, P.UNIT_DEPUTY, title, 2, may_sign=spec.deputy == "sign")
            b.appoint(deputy_post, b.user(f"{spec.code}_fu", unit, roles=[Role.UNIT_HEAD]), TERM_START)
        clerk = b.post(unit, P.CLERK, f"{spec.short}文书", 9)
        b.appoint(clerk, b.user(f"{spec.code}_wenshu", unit, roles=[Role.CLERK]), TERM_START)
    logins.update(unit_head="fgj_juzhang", unit_deputy="fgj_fu", clerk="fgj_wenshu", other_clerk="czj_wenshu")
    return logins


# One login per role, in the order of the run output's table: what `build_demo_district` returns.
DEMO_LOGINS: dict[str, str] = {
    **{key: username for key, username, *_rest in LEADERS},
    "judicial_deputy": "fuquzhang1",
    "legal_adviser": "falvguwen",
    "office_director": "bangongshi_zhuren",
    "office_deputy_director": "bangongshi_fuzhuren",
    "office_staff": "bangongshi",
    "calendar_admin": "rili_admin",
    "system_admin": "xitong_admin",
    "security_admin": "anquan_admin",
    "audit_admin": "shenji_admin",
    "unit_head": "fgj_juzhang",
    "unit_deputy": "fgj_fu",
    "clerk": "fgj_wenshu",
    "other_clerk": "czj_wenshu",
}


def login_queues(logins: dict[str, str], day: dt.date) -> list[dict]:
    """Each demo login (one per role, in the table's order) with what waits in their 我的待办 on `day`, read through
    the queue page's own selector (`tiexi_gov.workflow.selectors.queue`), so the run output promises what the page
    shows: username, name, role label, total and the queue's sections."""
    from tiexi_gov.workflow import selectors

    rows, seen = [], set()
    people = {u.username: u for u in User.objects.filter(username__in=logins.values())}
    for key, username in logins.items():
        if username in seen or username not in people:
            continue
        seen.add(username)
        sections = selectors.queue(people[username], day)
        rows.append(
            {
                "username": username,
                "name": people[username].full_name,
                "role": ROLE_LABELS.get(key, key),
                "total": sum(s.total for s in sections),
                "sections": sections,
            }
        )
    return rows


ROLE_LABELS = {
    "head": "区长",
    "exec_deputy": "常务副区长",
    "deputy1": "副区长（分管司法工作）",
    "deputy2": "副区长",
    "deputy3": "副区长",
    "deputy4": "副区长",
    "judicial_deputy": "副区长（分管司法工作）",
    "legal_adviser": "区政府法律顾问",
    "office_director": "区政府办公室主任",
    "office_deputy_director": "区政府办公室副主任",
    "office_staff": "办公室工作人员",
    "calendar_admin": "日历管理员",
    "system_admin": "系统管理员",
    "security_admin": "安全管理员",
    "audit_admin": "审计管理员",
    "unit_head": "发改局局长（单位主要负责人）",
    "unit_deputy": "发改局副局长（经授权可签发）",
    "clerk": "发改局文书",
    "other_clerk": "财政局文书",
}

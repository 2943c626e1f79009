"""A small district for the supervision tests: the office, three departments, leaders with portfolios."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from supervision import services
from supervision.models import Source, SupervisionItem
from tests.factories import PortfolioFactory, UnitFactory, UserFactory, appoint
from tiexi_gov.org.models import Post, Unit, User
from tiexi_gov.org.roles import Role

DAY = dt.date(2026, 9, 7)  # a Monday, an ordinary working day


@dataclass
class World:
    gov: Unit
    office: Unit
    fin: Unit
    dev: Unit
    other: Unit
    head_post: Post
    head: User
    dep_a_post: Post  # in charge of 财政局
    dep_a: User
    dep_b_post: Post  # in charge of 发改局
    dep_b: User
    director: User
    staff: User
    fin_head: User
    fin_clerk: User
    dev_clerk: User
    other_clerk: User
    outsider: User


def build_world() -> World:
    gov = UnitFactory(name="铁西区人民政府", code="gov", kind=Unit.Kind.GOVERNMENT)
    office = UnitFactory(name="铁西区人民政府办公室", short_name="区政府办", code="office", kind=Unit.Kind.OFFICE)
    fin = UnitFactory(name="铁西区财政局", short_name="财政局", code="fin", kind=Unit.Kind.DEPARTMENT)
    dev = UnitFactory(name="铁西区发展和改革局", short_name="发改局", code="dev", kind=Unit.Kind.DEPARTMENT)
    other = UnitFactory(name="铁西区审计局", short_name="审计局", code="audit", kind=Unit.Kind.DEPARTMENT)

    def person(username, unit, full_name, roles=()):
        return UserFactory(username=username, unit=unit, full_name=full_name, roles=list(roles))

    head_post, head = appoint(
        Post.Kind.HEAD, unit=gov, title="区长", person=person("head", gov, "王区长", [Role.DISTRICT_HEAD])
    )
    dep_a_post, dep_a = appoint(
        Post.Kind.DEPUTY, unit=gov, title="副区长（财政）", person=person("depa", gov, "李副区长", [Role.DEPUTY_HEAD])
    )
    dep_b_post, dep_b = appoint(
        Post.Kind.DEPUTY, unit=gov, title="副区长（发改）", person=person("depb", gov, "孙副区长", [Role.DEPUTY_HEAD])
    )
    PortfolioFactory(post=dep_a_post, unit=fin)
    PortfolioFactory(post=dep_b_post, unit=dev)
    _, director = appoint(
        Post.Kind.OFFICE_DIRECTOR,
        unit=office,
        title="办公室主任",
        person=person("director", office, "周主任", [Role.OFFICE_DIRECTOR]),
    )
    staff = person("staff", office, "郑督查", [Role.OFFICE_STAFF])
    _, fin_head = appoint(
        Post.Kind.UNIT_HEAD, unit=fin, title="财政局局长", person=person("finhead", fin, "钱局长", [Role.UNIT_HEAD])
    )
    fin_clerk = person("finclerk", fin, "财政文书", [Role.CLERK])
    dev_clerk = person("devclerk", dev, "发改文书", [Role.CLERK])
    other_clerk = person("auditclerk", other, "审计文书", [Role.CLERK])
    outsider = person("outsider", None, "无关人员")
    return World(
        gov=gov, office=office, fin=fin, dev=dev, other=other, head_post=head_post, head=head,
        dep_a_post=dep_a_post, dep_a=dep_a, dep_b_post=dep_b_post, dep_b=dep_b, director=director, staff=staff,
        fin_head=fin_head, fin_clerk=fin_clerk, dev_clerk=dev_clerk, other_clerk=other_clerk, outsider=outsider,
    )  # fmt: skip


def make_item(w: World, *, issue: bool = True, today: dt.date = DAY, **overrides) -> SupervisionItem:
    """An item led by 财政局, 发改局 cooperating, 李副区长 in charge, due in a month; overrides change any field."""
    fields = {
        "actor": w.staff,
        "source": Source.GOVERNMENT_DECISION,
        "source_ref": "",
        "task": "完成全区老旧小区改造资金拨付工作",
        "lead_unit": w.fin,
        "cooperating_units": [w.dev],
        "leader_post": w.dep_a_post,
        "due": today + dt.timedelta(days=30),
        "standard": "拨付率达到100%",
        "issue": issue,
        "today": today,
    }
    fields.update(overrides)
    return services.create_item(**fields)

"""A small district for the org tests: government, office, two departments, leaders and one person per role."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field

from tests.factories import LONG_AGO, PortfolioFactory, UnitFactory, UserFactory, appoint
from tiexi_gov.org.models import Post, Unit, User
from tiexi_gov.org.roles import Role, ensure_roles


@dataclass
class SmallDistrict:
    gov: Unit
    office: Unit
    unit_a: Unit  # in deputy's portfolio
    unit_b: Unit  # in other_deputy's portfolio
    unit_c: Unit  # in nobody's portfolio: the head answers for it
    posts: dict[str, Post] = field(default_factory=dict)
    people: dict[str, User] = field(default_factory=dict)


def small_district() -> SmallDistrict:
    ensure_roles()
    gov = UnitFactory(code="gov", name="区政府", kind=Unit.Kind.GOVERNMENT)
    office = UnitFactory(code="office", name="区政府办公室", kind=Unit.Kind.OFFICE)
    unit_a = UnitFactory(code="fgj", name="发改局", kind=Unit.Kind.DEPARTMENT)
    unit_b = UnitFactory(code="sfj", name="司法局", kind=Unit.Kind.DEPARTMENT)
    unit_c = UnitFactory(code="pxx", name="平西乡", kind=Unit.Kind.TOWNSHIP)
    d = SmallDistrict(gov, office, unit_a, unit_b, unit_c)

    def person(key, unit, *roles):
        d.people[key] = UserFactory(username=key, unit=unit, roles=list(roles))
        return d.people[key]

    def post(key, kind, unit, title, holder, **flags):
        d.posts[key], _ = appoint(kind, unit=unit, title=title, person=holder, **flags)

    post("head", Post.Kind.HEAD, gov, "区长", person("head", gov, Role.DISTRICT_HEAD))
    post("exec", Post.Kind.EXEC_DEPUTY, gov, "常务副区长", person("exec", gov, Role.DEPUTY_HEAD))
    post("deputy", Post.Kind.DEPUTY, gov, "副区长", person("deputy", gov, Role.DEPUTY_HEAD))
    post(
        "other_deputy",
        Post.Kind.DEPUTY,
        gov,
        "副区长（分管司法）",
        person("other_deputy", gov, Role.DEPUTY_HEAD),
        is_judicial=True,
    )
    post("director", Post.Kind.OFFICE_DIRECTOR, office, "办公室主任", person("director", office, Role.OFFICE_DIRECTOR))
    post("staff", Post.Kind.OFFICE_STAFF, office, "秘书科科员", person("staff", office, Role.OFFICE_STAFF))
    post("head_a", Post.Kind.UNIT_HEAD, unit_a, "发改局局长", person("head_a", unit_a, Role.UNIT_HEAD))
    post("deputy_a", Post.Kind.UNIT_DEPUTY, unit_a, "发改局副局长", person("deputy_a", unit_a, Role.UNIT_HEAD),
         may_sign=True)  # fmt: skip
    post("deputy_a2", Post.Kind.UNIT_DEPUTY, unit_a, "发改局副局长（二）", person("deputy_a2", unit_a, Role.UNIT_HEAD))
    post("clerk_a", Post.Kind.CLERK, unit_a, "发改局文书", person("clerk_a", unit_a, Role.CLERK))
    post("head_b", Post.Kind.UNIT_HEAD, unit_b, "司法局局长", person("head_b", unit_b, Role.UNIT_HEAD))
    post("clerk_b", Post.Kind.CLERK, unit_b, "司法局文书", person("clerk_b", unit_b, Role.CLERK))
    for key, role in [
        ("system_admin", Role.SYSTEM_ADMIN),
        ("security_admin", Role.SECURITY_ADMIN),
        ("audit_admin", Role.AUDIT_ADMIN),
        ("calendar_admin", Role.CALENDAR_ADMIN),
    ]:
        person(key, office, role)
    PortfolioFactory(post=d.posts["deputy"], unit=unit_a, start=LONG_AGO)
    PortfolioFactory(post=d.posts["other_deputy"], unit=unit_b, start=LONG_AGO)
    PortfolioFactory(post=d.posts["exec"], unit=office, start=LONG_AGO)
    return d


MAR_1, MAR_2, MAR_6, MAR_7 = (dt.date(2026, 3, d) for d in (1, 2, 6, 7))

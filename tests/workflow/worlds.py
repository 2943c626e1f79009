"""Randomly built districts for the completeness tests: the same kinds of units, posts and roles as the demo
district, in random numbers and shapes — vacant posts, deputies with or without the right to sign, units without a
clerk, leaders' portfolios drawn at random, extra office deputies, acting arrangements already running.

`world_specs()` is a hypothesis strategy; `build(spec)` writes the org chart through the models (it is reference
data the office keeps in the admin) and returns the start day of the walk.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field

from hypothesis import strategies as st

from tiexi_gov.org.demo import UNITS as DEMO_UNITS
from tiexi_gov.org.models import ActingArrangement, Appointment, Portfolio, Post, Unit, User
from tiexi_gov.org.roles import Role, ensure_roles

START = dt.date(2026, 9, 7)  # a Monday, an ordinary working week
TERM = dt.date(2022, 1, 10)
# Units some rules name (MTG-4 attendees, 司法局's legality review): always there, the others drawn.
ALWAYS = ("sfj", "fgj", "czj")
OPTIONAL = tuple(s.code for s in DEMO_UNITS if s.code not in ALWAYS and s.kind != Unit.Kind.EXTERNAL)


@dataclass(frozen=True)
class UnitShape:
    code: str
    head: bool  # the main head post is held
    head_role: bool  # its holder is in the 单位负责人 role (the demo always is; real data may not be)
    deputy: str  # "", "sign", "plain"
    clerks: int
    member: bool  # a member of staff with no role
    leader: int  # index into the leaders (0 head, 1 executive, 2.. deputies); -1: in nobody's portfolio


@dataclass(frozen=True)
class WorldSpec:
    units: tuple[UnitShape, ...]
    deputies: int
    office_deputies: int
    office_staff: int
    acting: tuple[tuple[str, int, int], ...] = field(default=())  # (kind, start offset, length in days)


@st.composite
def world_specs(draw) -> WorldSpec:
    deputies = draw(st.integers(1, 3))
    extra = draw(st.lists(st.sampled_from(OPTIONAL), min_size=1, max_size=3, unique=True))
    shapes = []
    for code in (*ALWAYS, *extra):
        shapes.append(
            UnitShape(
                code=code,
                head=draw(st.booleans()) if code not in ("sfj",) else True,
                head_role=draw(st.sampled_from([True, True, True, False])),
                deputy=draw(st.sampled_from(["", "sign", "plain"])),
                clerks=draw(st.integers(0, 2)) if code not in ALWAYS else draw(st.integers(1, 2)),
                member=draw(st.booleans()),
                leader=draw(st.integers(-1, 1 + deputies)),
            )
        )
    acting = draw(
        st.lists(
            st.tuples(st.sampled_from(["head", "deputy", "unit"]), st.integers(-2, 6), st.integers(0, 5)),
            max_size=2,
        )
    )
    return WorldSpec(
        units=tuple(shapes),
        deputies=deputies,
        office_deputies=draw(st.integers(0, 2)),
        office_staff=draw(st.integers(1, 2)),
        acting=tuple(acting),
    )


class _Builder:
    def __init__(self):
        self.groups = ensure_roles()
        self.n = 0

    def person(self, unit: Unit, name: str, *roles: Role) -> User:
        self.n += 1
        user = User.objects.create(username=f"w{self.n}", full_name=name, unit=unit, password="!")
        for role in roles:
            user.groups.add(self.groups[role])
        return user

    def post(self, unit: Unit, kind: str, title: str, person: User | None = None, **extra) -> Post:
        post = Post.objects.create(unit=unit, kind=kind, title=title, **extra)
        if person is not None:
            Appointment.objects.create(post=post, person=person, start=TERM)
        return post


def build(spec: WorldSpec) -> dt.date:
    """Write the district of `spec`; returns the first day of the walk."""
    b = _Builder()
    gov = Unit.objects.create(name="铁西区人民政府", short_name="区政府", code="qzf", kind=Unit.Kind.GOVERNMENT)
    office = Unit.objects.create(name="铁西区人民政府办公室", short_name="区政府办", code="bgs", kind=Unit.Kind.OFFICE)
    head = b.post(gov, Post.Kind.HEAD, "区长", b.person(gov, "区长", Role.DISTRICT_HEAD))
    b.post(gov, Post.Kind.PARTY_SECRETARY, "区政府党组书记", head.appointments.get().person)
    executive = b.post(gov, Post.Kind.EXEC_DEPUTY, "常务副区长", b.person(gov, "常务副区长", Role.DEPUTY_HEAD))
    deputies = [
        b.post(
            gov,
            Post.Kind.DEPUTY,
            f"副区长{i + 1}",
            b.person(gov, f"副区长{i + 1}", Role.DEPUTY_HEAD),
            is_judicial=i == 0,
        )
        for i in range(spec.deputies)
    ]
    leaders = [head, executive, *deputies]
    b.post(office, Post.Kind.OFFICE_DIRECTOR, "办公室主任", b.person(office, "办公室主任", Role.OFFICE_DIRECTOR))
    for i in range(spec.office_deputies):
        person = b.person(office, f"办公室副主任{i + 1}", Role.OFFICE_STAFF)
        b.post(office, Post.Kind.OFFICE_DEPUTY_DIRECTOR, f"办公室副主任{i + 1}", person)
    for i in range(spec.office_staff):
        b.post(
            office,
            Post.Kind.OFFICE_STAFF,
            f"办公室科员{i + 1}",
            b.person(office, f"办公室科员{i + 1}", Role.OFFICE_STAFF),
        )
    Portfolio.objects.create(post=executive, unit=office, start=TERM)
    demo = {s.code: s for s in DEMO_UNITS}
    unit_heads, unit_deputies = [], []
    for order, shape in enumerate(spec.units):
        d = demo[shape.code]
        unit = Unit.objects.create(
            name=d.name,
            short_name=d.short,
            code=d.code,
            kind=d.kind,
            is_comprehensive=d.comprehensive,
            order=10 + order,
        )
        holder = (
            b.person(unit, f"{d.short}负责人", *([Role.UNIT_HEAD] if shape.head_role else [])) if shape.head else None
        )
        unit_heads.append(b.post(unit, Post.Kind.UNIT_HEAD, f"{d.short}{d.head_title}", holder))
        if shape.deputy:
            deputy = b.person(unit, f"{d.short}副职", Role.UNIT_HEAD)
            unit_deputies.append(
                b.post(unit, Post.Kind.UNIT_DEPUTY, f"{d.short}副职", deputy, may_sign=shape.deputy == "sign")
            )
        for i in range(shape.clerks):
            b.post(unit, Post.Kind.CLERK, f"{d.short}文书{i + 1}", b.person(unit, f"{d.short}文书{i + 1}", Role.CLERK))
        if shape.member:
            b.person(unit, f"{d.short}科员")
        if 0 <= shape.leader < len(leaders):
            Portfolio.objects.create(post=leaders[shape.leader], unit=unit, start=TERM)
    for kind, offset, length in spec.acting:
        start = START + dt.timedelta(days=offset)
        end = start + dt.timedelta(days=length)
        if kind == "head":
            ActingArrangement.objects.create(
                absent_post=head, acting_post=executive, kind="entrusted", start=start, end=end
            )
        elif kind == "deputy" and len(deputies) >= 1:
            absent = deputies[offset % len(deputies)]
            ActingArrangement.objects.create(
                absent_post=absent, acting_post=executive, kind="designated", start=start, end=end
            )
        elif kind == "unit" and unit_deputies:
            deputy = unit_deputies[offset % len(unit_deputies)]
            absent = next(p for p in unit_heads if p.unit_id == deputy.unit_id)
            ActingArrangement.objects.create(absent_post=absent, acting_post=deputy, start=start, end=end)
    return START

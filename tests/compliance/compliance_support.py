"""A crafted year of clocks and tasks for the rule compliance board (imported by module name, as deadlines_support).

Today is Tuesday 2026-10-20. 2026's National Day: 10-01..10-07 off, Saturday 10-10 is a make-up working day.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

import time_machine
from django.contrib.contenttypes.models import ContentType
from django.db import transaction
from django.utils import timezone

from tests.factories import UnitFactory, UserFactory, appoint
from tiexi_gov.deadlines import services
from tiexi_gov.org.models import Post, Unit, User
from tiexi_gov.org.roles import Role
from tiexi_gov.workflow.models import Area, Task, UnitScope

TODAY = dt.date(2026, 10, 20)
YEAR = 2026


def travel():
    """Freeze the clock at 10:00 on TODAY in Shanghai (views read timezone.localdate())."""
    at = timezone.make_aware(dt.datetime(2026, 10, 20, 10, 0))
    return time_machine.travel(at, tick=False)


def local(day: dt.date, hour: int = 10, minute: int = 0) -> dt.datetime:
    return timezone.make_aware(dt.datetime(day.year, day.month, day.day, hour, minute))


def open_clock(*, subject, rule_id="DOC-7", counted_from, workdays=5, due=None, **owners):
    with transaction.atomic():
        return services.open_deadline(
            subject=subject,
            rule_id=rule_id,
            title="测试时限",
            counted_from=counted_from,
            workdays=None if due else workdays,
            due=due,
            url=f"/items/{subject.pk}/",
            **owners,
        )


def close_clock(*, subject, rule_id="DOC-7", on):
    with transaction.atomic():
        services.close_deadline(subject=subject, rule_id=rule_id, on=on)


def extend_clock(*, subject, rule_id="DOC-7", counted_from, due, **owners):
    """A limit agreed anew, through the deadlines service (as documents' agree_extension does)."""
    with transaction.atomic():
        return services.extend_deadline(
            subject=subject,
            rule_id=rule_id,
            title="测试时限（商定延期）",
            counted_from=counted_from,
            due=due,
            note=f"商定延期至{due}",
            url=f"/items/{subject.pk}/",
            **owners,
        )


def cancel_clock(*, subject, note):
    with transaction.atomic():
        services.cancel_deadlines(subject=subject, note=note)


@dataclass
class World:
    unit_a: Unit  # 财政局, in the deputy's portfolio
    unit_b: Unit  # 发改局, in nobody's portfolio: the head answers for it
    gov: Unit
    deputy_post: Post
    deputy: User
    head_post: Post
    head: User
    director: User


def world() -> World:
    gov = UnitFactory(name="铁西区人民政府", short_name="区政府", code="gov", kind=Unit.Kind.GOVERNMENT)
    office = UnitFactory(name="铁西区人民政府办公室", short_name="区政府办", code="office", kind=Unit.Kind.OFFICE)
    unit_a = UnitFactory(name="铁西区财政局", short_name="财政局", code="czj")
    unit_b = UnitFactory(name="铁西区发展和改革局", short_name="发改局", code="fgj")
    head_post, head = appoint(
        Post.Kind.HEAD,
        unit=gov,
        title="区长",
        person=UserFactory(unit=gov, full_name="王区长", roles=[Role.DISTRICT_HEAD]),
    )
    deputy_post, deputy = appoint(
        Post.Kind.DEPUTY,
        unit=gov,
        title="副区长",
        person=UserFactory(unit=gov, full_name="李副区长", roles=[Role.DEPUTY_HEAD]),
    )
    from tests.factories import PortfolioFactory

    PortfolioFactory(post=deputy_post, unit=unit_a)
    _post, director = appoint(
        Post.Kind.OFFICE_DIRECTOR,
        unit=office,
        title="办公室主任",
        person=UserFactory(unit=office, full_name="赵主任", roles=[Role.OFFICE_DIRECTOR]),
    )
    return World(unit_a, unit_b, gov, deputy_post, deputy, head_post, head, director)


def crafted_clocks(w: World, copies: int = 1) -> None:
    """Per copy — unit A under 第六十条: 5 started (1 met, 2 missed, 1 extended, 3 running); unit B under 第五十五条:
    1 started and met; the deputy's own post under 第六十一条: 1 running. Not counted: last year's, a withdrawn one,
    and the clock an extension replaced."""
    for _ in range(copies):
        subjects = [UnitFactory() for _ in range(8)]
        s_met, s_late, s_run, s_ext, s_doc3, s_old, s_gone, s_b = subjects
        a = {"owner_unit": w.unit_a}
        open_clock(subject=s_met, counted_from=dt.date(2026, 3, 2), **a)  # due 03-09
        close_clock(subject=s_met, on=dt.date(2026, 3, 6))
        open_clock(subject=s_late, counted_from=dt.date(2026, 3, 2), **a)
        close_clock(subject=s_late, on=dt.date(2026, 3, 12))
        open_clock(subject=s_run, counted_from=dt.date(2026, 10, 19), **a)  # due 10-26: running
        open_clock(subject=s_ext, counted_from=dt.date(2026, 10, 12), **a)  # agreed anew (DOC-7)
        extend_clock(subject=s_ext, counted_from=dt.date(2026, 10, 14), due=dt.date(2026, 10, 30), **a)
        open_clock(subject=s_doc3, rule_id="DOC-3", counted_from=dt.date(2026, 10, 9), workdays=3, **a)  # due 10-13
        open_clock(subject=s_old, counted_from=dt.date(2025, 12, 1), **a)  # last year
        open_clock(subject=s_gone, counted_from=dt.date(2026, 9, 1), **a)
        cancel_clock(subject=s_gone, note="公文已退回")
        open_clock(subject=s_b, rule_id="MTG-10", counted_from=dt.date(2026, 5, 6), workdays=7, owner_unit=w.unit_b)
        close_clock(subject=s_b, rule_id="MTG-10", on=dt.date(2026, 5, 8))
        open_clock(
            subject=UnitFactory(), rule_id="DOC-13", counted_from=dt.date(2026, 10, 15), owner_post=w.deputy_post
        )


def task(
    *,
    subject,
    action_label="待签发",
    urgency=0,
    opened,
    closed=None,
    closed_by=None,
    area=Area.DOCUMENTS,
    key="k",
    **owner,
):
    return Task.objects.create(
        subject_type=ContentType.objects.get_for_model(Unit),
        subject_id=subject.pk,
        subject_repr=str(subject),
        area=area,
        key=key,
        action=action_label,
        action_label=action_label,
        urgency=urgency,
        opened_at=opened,
        closed_at=closed,
        closed_by=closed_by,
        **owner,
    )


@dataclass
class People:
    clerk_x: User  # 财政局 clerk who signs
    holder_y: User  # holds the 财政局 head post
    head_post: Post


def crafted_tasks(w: World, copies: int = 1, people: People | None = None) -> People:
    """X (财政局, 待签发): 一般 — done in 3 and 0 WD, pending 2 WD; 特急重要 — pending 4 WD. Y (the head post's holder,
    待审批, 加急) — pending 2 WD. 财政局's clerks (待报送) — pending 1 WD. A twin closed by the same step and a task of
    last year are not counted."""
    if people is None:
        x = UserFactory(unit=w.unit_a, full_name="钱文书", roles=[Role.CLERK])
        head_post, y = appoint(
            Post.Kind.UNIT_HEAD, unit=w.unit_a, title="局长", person=UserFactory(unit=w.unit_a, full_name="孙局长")
        )
        people = People(x, y, head_post)
    x, head_post = people.clerk_x, people.head_post
    for _ in range(copies):
        s1, s2, s3, s4, s5, s6, s7 = (UnitFactory() for _ in range(7))
        t1 = {"opened": local(dt.date(2026, 10, 9)), "closed": local(dt.date(2026, 10, 13), 15), "closed_by": x}
        task(subject=s1, owner_unit=w.unit_a, unit_scope=UnitScope.CLERKS, **t1)  # 3 WD: 10-10, 10-12, 10-13
        task(subject=s1, owner_user=x, key="k2", **t1)  # its twin: the same step, done once
        # Opened and closed on 10-12 local time (00:30 is still 10-11 in UTC): 0 WD.
        task(
            subject=s2,
            owner_user=x,
            opened=local(dt.date(2026, 10, 12), 0, 30),
            closed=local(dt.date(2026, 10, 12), 23, 30),
            closed_by=x,
        )
        task(subject=s3, owner_user=x, opened=local(dt.date(2026, 10, 16)))  # pending: 10-19, 10-20
        task(subject=s4, owner_user=x, urgency=3, opened=local(dt.date(2026, 10, 14)))  # pending: 4 WD
        task(subject=s5, owner_post=head_post, action_label="待审批", urgency=1, opened=local(dt.date(2026, 10, 16)))
        task(
            subject=s6,
            owner_unit=w.unit_a,
            unit_scope=UnitScope.CLERKS,
            action_label="待报送",
            opened=local(dt.date(2026, 10, 19)),
        )
        task(
            subject=s7,
            owner_user=x,
            opened=local(dt.date(2025, 12, 30)),
            closed=local(dt.date(2026, 1, 5)),
            closed_by=x,
        )
    return people

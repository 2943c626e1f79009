"""Bodies for the upkeep tests (CRD-3..5), written straight into the register: how a body gets there through an
application (CRD-1) is the register's own business and its own tests'."""

from __future__ import annotations

import datetime as dt
import itertools

from coordination.models import Body, BodyGround, Ground, Rank, Seat
from tests.factories import AppointmentFactory, UserFactory
from tiexi_gov.org.models import Appointment, Post, Unit

FOUNDED = dt.date(2024, 1, 1)
_seq = itertools.count(1)


def make_body(
    name: str,
    *,
    host: Unit,
    head: Post,
    deputies: tuple[Post, ...] = (),
    members: tuple[Post, ...] = (),
    rank: int = Rank.DEPUTY,
    founded_on: dt.date | None = FOUNDED,
    last_activity_on: dt.date | None = None,
    status: str = Body.Status.ACTIVE,
    **fields,
) -> Body:
    """An active body with a ground, a head seat, deputy heads and members, all held by post."""
    body = Body.objects.create(
        name=name,
        host_unit=host,
        rank=rank,
        founded_on=founded_on,
        last_activity_on=last_activity_on,
        founding_document=f"铁政发〔2024〕{next(_seq)}号",
        **fields,
    )
    BodyGround.objects.create(body=body, ground=Ground.LEADER_FOCUS, basis="区政府领导重点关注")
    order = itertools.count(1)
    Seat.objects.create(body=body, post=head, role=Seat.Role.HEAD, order=next(order))
    for post in deputies:
        Seat.objects.create(body=body, post=post, role=Seat.Role.DEPUTY_HEAD, order=next(order))
    for post in members:
        Seat.objects.create(body=body, post=post, role=Seat.Role.MEMBER, order=next(order))
    if status != Body.Status.ACTIVE:
        Body.objects.filter(pk=body.pk).update(status=status)
        body.refresh_from_db()
    return body


def change_holder(post: Post, *, on: dt.date, username: str, full_name: str):
    """The post's holder leaves the day before `on`; a new person holds it from `on`. Returns the new person."""
    Appointment.objects.filter(post=post, end__isnull=True).update(end=on - dt.timedelta(days=1))
    person = UserFactory(username=username, full_name=full_name, unit=post.unit)
    AppointmentFactory(post=post, person=person, start=on)
    return person

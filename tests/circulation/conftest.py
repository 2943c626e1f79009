"""A small district for 传阅 / 阅知 (issue 15.4): the office, the head and a deputy, two departments, a body hosted by
the first, an administrator — and one of each of the four things that can be circulated."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

import pytest
from django.utils import timezone

from coordination.models import Adjustment
from documents.outgoing.models import OutgoingDocument, PolicyInterpretation
from documents.submissions.models import BriefingApproval, Submission
from tests.coordination.upkeep_support import make_body
from tests.factories import UnitFactory, UserFactory, appoint
from tiexi_gov.org.models import Post, Unit, User
from tiexi_gov.org.roles import Role
from tiexi_gov.workdays import calendar as wd

SENT_ON = dt.date(2026, 3, 2)  # a Monday; 3 working days later is Thursday 5 March


@dataclass
class World:
    office_unit: Unit
    office: User
    head_post: Post
    head: User
    deputy_post: Post
    deputy: User
    unit_a: Unit
    clerk_a: User
    chief_a: User
    unit_b: Unit
    clerk_b: User
    admin: User
    document: OutgoingDocument
    interpretation: PolicyInterpretation
    adjustment: Adjustment
    briefing: BriefingApproval


def _document(w_office: User, unit: Unit, **fields) -> OutgoingDocument:
    defaults = {
        "issuer": "office",
        "kind": "office_remit",
        "drafting_unit": unit,
        "drafted_by": w_office,
        "title": "关于做好春季防火工作的通知",
        "body": "各乡、街道：为做好春季防火工作，现通知如下。",
        "number": "铁西政办发〔2026〕8号",
        "state": "issued",
        "submitted_at": timezone.now(),
        "issued_on": SENT_ON,
        "disclosure": "full",
        "disclosure_manner": "active",
    }
    defaults.update(fields)
    return OutgoingDocument.objects.create(**defaults)


@pytest.fixture(autouse=True)
def fresh_calendar_cache():
    wd.invalidate()
    yield
    wd.invalidate()


@pytest.fixture
def world(db) -> World:
    return build_world()


def build_world() -> World:
    """The small district every circulation test (and the click journey in tests/e2e) starts from."""
    gov = UnitFactory(name="铁西区人民政府", code="gov", kind=Unit.Kind.GOVERNMENT)
    office_unit = UnitFactory(name="铁西区人民政府办公室", short_name="区政府办", code="office", kind=Unit.Kind.OFFICE)
    office = UserFactory(username="ban", full_name="办公室小王", unit=office_unit, roles=[Role.OFFICE_STAFF])
    head_post, head = appoint(
        Post.Kind.HEAD,
        unit=gov,
        title="区长",
        person=UserFactory(username="qz", full_name="区长老赵", unit=gov, roles=[Role.DISTRICT_HEAD]),
    )
    deputy_post, deputy = appoint(
        Post.Kind.DEPUTY,
        unit=gov,
        title="副区长（分管农业）",
        person=UserFactory(username="fqz", full_name="副区长老钱", unit=gov, roles=[Role.DEPUTY_HEAD]),
    )
    unit_a = UnitFactory(name="铁西区农业农村局", short_name="农业农村局", code="nyj")
    clerk_a = UserFactory(username="nyj_ws", full_name="农业文书", unit=unit_a, roles=[Role.CLERK])
    _chief_post, chief_a = appoint(
        Post.Kind.UNIT_HEAD,
        unit=unit_a,
        title="农业农村局局长",
        person=UserFactory(username="nyj_jz", full_name="农业局长", unit=unit_a, roles=[Role.UNIT_HEAD]),
    )
    unit_b = UnitFactory(name="铁西区财政局", short_name="财政局", code="czj")
    clerk_b = UserFactory(username="czj_ws", full_name="财政文书", unit=unit_b, roles=[Role.CLERK])
    admin = UserFactory(username="xt", full_name="系统管理员", unit=office_unit, roles=[Role.SYSTEM_ADMIN])

    document = _document(office, office_unit)
    interpretation = PolicyInterpretation.objects.create(
        document=document, unit=office_unit, title="春季防火通知解读", text="一问一答。", prepared_by=office
    )
    body = make_body("铁西区森林防火指挥部", host=unit_a, head=_chief_post)
    adjustment = Adjustment.objects.create(
        kind=Adjustment.Kind.SELF,
        post=_chief_post,
        previous_holder="前任局长",
        new_holder="农业局长",
        document_number="铁西农发〔2026〕3号",
        informed_deputy_post=deputy_post,
        by=clerk_a,
        on=SENT_ON,
    )
    adjustment.bodies.add(body)
    submission = Submission.objects.create(
        unit=unit_a,
        kind="briefing",
        title="农业农村工作简报第3期",
        body="春耕备耕进展顺利。",
        drafted_by=clerk_a,
        state="registered",
        submitted_at=timezone.now(),
    )
    briefing = BriefingApproval.objects.create(submission=submission, approved_by=office, opinion="同意报送。")
    return World(
        office_unit,
        office,
        head_post,
        head,
        deputy_post,
        deputy,
        unit_a,
        clerk_a,
        chief_a,
        unit_b,
        clerk_b,
        admin,
        document,
        interpretation,
        adjustment,
        briefing,
    )

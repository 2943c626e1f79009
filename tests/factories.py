"""factory_boy factories shared by all test modules."""

import datetime as dt

import factory
from django.contrib.auth.models import Group

from tiexi_gov.org.models import ActingArrangement, Appointment, Portfolio, Post, Unit, User

LONG_AGO = dt.date(2020, 1, 1)


class UnitFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Unit
        django_get_or_create = ("code",)

    name = factory.Sequence(lambda n: f"测试局{n}")
    code = factory.Sequence(lambda n: f"unit{n}")
    kind = Unit.Kind.DEPARTMENT


class UserFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = User
        django_get_or_create = ("username",)
        skip_postgeneration_save = True

    username = factory.Sequence(lambda n: f"user{n}")
    full_name = factory.Sequence(lambda n: f"张{n}")
    email = factory.LazyAttribute(lambda o: f"{o.username}@tiexi.test")
    unit = factory.SubFactory(UnitFactory)
    password = factory.django.Password("pw-Tiexi-2026")

    @factory.post_generation
    def roles(self, create, extracted, **kwargs):
        if create and extracted:
            for role in extracted:
                self.groups.add(Group.objects.get_or_create(name=str(role))[0])


class PostFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Post

    kind = Post.Kind.UNIT_HEAD
    unit = factory.SubFactory(UnitFactory)
    title = factory.Sequence(lambda n: f"职务{n}")


class AppointmentFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Appointment

    post = factory.SubFactory(PostFactory)
    person = factory.SubFactory(UserFactory)
    start = LONG_AGO


class PortfolioFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Portfolio

    post = factory.SubFactory(PostFactory, kind=Post.Kind.DEPUTY)
    unit = factory.SubFactory(UnitFactory)
    start = LONG_AGO


class ActingArrangementFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = ActingArrangement

    absent_post = factory.SubFactory(PostFactory, kind=Post.Kind.DEPUTY)
    acting_post = factory.SubFactory(PostFactory, kind=Post.Kind.DEPUTY)
    start = LONG_AGO


def appoint(post_kind, *, unit=None, title=None, person=None, start=LONG_AGO, **post_fields):
    """A post with a holder; returns (post, person)."""
    post = PostFactory(kind=post_kind, unit=unit or UnitFactory(), title=title or str(post_kind.label), **post_fields)
    person = person or UserFactory(unit=post.unit)
    AppointmentFactory(post=post, person=person, start=start)
    return post, person


# --- flow B (发文): plans, 司法局 and ready-made drafts ---------------------------------------------------------


class DocumentPlanFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = "documents.DocumentPlan"
        django_get_or_create = ("issuer", "unit", "year")

    issuer = "government"
    unit = None
    year = 2026
    created_by = factory.SubFactory(UserFactory)


class PlanItemFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = "documents.PlanItem"

    plan = factory.SubFactory(DocumentPlanFactory)
    title = factory.Sequence(lambda n: f"计划发文{n}")


def justice_bureau(head_name="冯局长"):
    """铁西区司法局 (code sfj, as in the demo district) with its head; returns (unit, head user)."""
    unit = UnitFactory(name="铁西区司法局", short_name="司法局", code="sfj")
    _post, head = appoint(
        Post.Kind.UNIT_HEAD,
        unit=unit,
        title="司法局局长",
        person=UserFactory(username="justicehead", unit=unit, full_name=head_name),
    )
    return unit, head


def outgoing_fields(**overrides) -> dict:
    """The fields of a draft that meets every drafting check (DOC-14/15/17) — a full public document."""
    fields = {
        "body": "为促进全区消费持续恢复，制定以下措施。",
        "main_recipients": "各乡、街道，区政府各部门",
        "copy_to": "区委办公室，区人大常委会办公室",
        "disclosure": "full",
        "disclosure_manner": "active",
        "not_classified": True,
        "copies": 60,
    }
    fields.update(overrides)
    return fields


def outgoing_draft(
    actor, kind="government", title="关于促进消费的若干措施", plan_item="auto", countersign=(), **overrides
):
    """A draft created through the service (the FSM state cannot be set by a factory). By default its title is
    put in its issuer's plan for `plan_year` (2026) (DOC-15); pass plan_item=None for a document outside the plan."""
    from documents.outgoing import services as issuance

    plan_year = overrides.pop("plan_year", 2026)
    if plan_item == "auto":
        plan_item = None
        if kind != "party_meeting":
            issuer = {"office_decision": "office", "office_remit": "office", "department_approved": "department"}.get(
                kind, overrides.get("issuer", "government")
            )
            unit = actor.unit if issuer == "department" else None
            plan = DocumentPlanFactory(issuer=issuer, unit=unit, year=plan_year, created_by=actor)
            plan_item = PlanItemFactory(plan=plan, title=title)
    return issuance.create_outgoing(
        actor=actor,
        kind=kind,
        title=title,
        countersign_units=countersign,
        plan_item=plan_item,
        **outgoing_fields(**overrides),
    )

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

"""The login backend reads each request's user and its role names with one precompiled statement (issue 14.2): it
must read exactly what the ORM reads, on SQLite and PostgreSQL, and nothing for an unknown or inactive id."""

import pytest
from django.utils import timezone

from tests.factories import UserFactory
from tiexi_gov.org import backends
from tiexi_gov.org.backends import OrgModelBackend, with_role_names
from tiexi_gov.org.models import User
from tiexi_gov.org.roles import Role, role_names

pytestmark = pytest.mark.django_db


def test_x_2_each_request_reads_the_user_and_roles_as_the_orm_does(django_assert_num_queries):
    user = UserFactory(roles=[Role.CLERK, Role.CALENDAR_ADMIN])
    User.objects.filter(pk=user.pk).update(last_login=timezone.now())
    assert backends._USER_WITH_ROLES.compiled(user.pk), "the precompiled path is the one in use"
    with django_assert_num_queries(1):
        fast = OrgModelBackend().get_user(user.pk)
    orm = with_role_names(User.objects).get(pk=user.pk)
    for field in User._meta.concrete_fields:
        assert getattr(fast, field.attname) == getattr(orm, field.attname), field.attname
    assert timezone.is_aware(fast.last_login) and fast.is_active is True
    assert fast._state.adding is False and fast._state.db == "default"
    assert role_names(fast) == {str(Role.CLERK), str(Role.CALENDAR_ADMIN)}


def test_x_2_an_unknown_inactive_or_garbage_id_is_nobody():
    gone = UserFactory(is_active=False)
    assert OrgModelBackend().get_user(gone.pk) is None
    assert OrgModelBackend().get_user(987654321) is None
    assert OrgModelBackend().get_user("x") is None


def test_x_2_a_role_granted_is_seen_on_the_next_request():
    user = UserFactory(roles=[Role.CLERK])
    assert role_names(OrgModelBackend().get_user(user.pk)) == {str(Role.CLERK)}
    from django.contrib.auth.models import Group

    user.groups.add(Group.objects.get(name=str(Role.CALENDAR_ADMIN)))
    assert role_names(OrgModelBackend().get_user(user.pk)) == {str(Role.CLERK), str(Role.CALENDAR_ADMIN)}

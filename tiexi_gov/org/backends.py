"""The login backend: Django's ModelBackend, whose `get_user` brings the user's role names in the same query.

Every request loads its user once; nearly every page then asks for the user's roles (the navbar, each app's single
permission check, `home_unit_id`). Reading them with the user saves a query on every request, and as the user row
is read fresh for each request, the roles are never older than the request (no cache that could show stale rights).
"""

from __future__ import annotations

from django.contrib.auth.backends import ModelBackend
from django.contrib.auth.models import Group
from django.db.models import Aggregate, CharField, OuterRef, Subquery

from tiexi_gov.precompiled import Statement

from .memo import seed
from .models import User

SEPARATOR = "|"  # role names are Chinese words; none contains it


class _Names(Aggregate):
    """The role names joined by SEPARATOR: STRING_AGG on PostgreSQL, GROUP_CONCAT on SQLite."""

    function = "STRING_AGG"
    template = f"%(function)s(%(expressions)s, '{SEPARATOR}')"
    output_field = CharField()

    def as_sqlite(self, compiler, connection, **extra):
        return super().as_sql(compiler, connection, function="GROUP_CONCAT", **extra)


def with_role_names(queryset):
    names = Group.objects.filter(user=OuterRef("pk")).values("user").annotate(joined=_Names("name")).values("joined")
    return queryset.annotate(_role_names=Subquery(names))


# Building "this user and the role names" through the ORM (a subquery with an aggregate) cost more than anything
# else a request served from the page cache does (issue 14.2); the statement never changes, only the id.
_USER_WITH_ROLES = Statement(
    lambda user_id: with_role_names(User._default_manager).filter(pk=user_id).order_by("pk")[:1]
)


def _load_user(user_id):
    """The user with its joined role names (the _role_names attribute), or None."""
    return _USER_WITH_ROLES.first(user_id)


class OrgModelBackend(ModelBackend):
    def get_user(self, user_id):
        try:
            user = _load_user(int(user_id))
        except (TypeError, ValueError):
            return None
        if user is None or not self.user_can_authenticate(user):
            return None
        joined = user.__dict__.pop("_role_names", None) or ""
        seed(user, "role_names", None, frozenset(n for n in joined.split(SEPARATOR) if n))
        return user

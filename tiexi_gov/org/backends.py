"""The login backend: Django's ModelBackend, whose `get_user` brings the user's role names in the same query.

Every request loads its user once; nearly every page then asks for the user's roles (the navbar, each app's single
permission check, `home_unit_id`). Reading them with the user saves a query on every request, and as the user row
is read fresh for each request, the roles are never older than the request (no cache that could show stale rights).
"""

from __future__ import annotations

from django.contrib.auth.backends import ModelBackend
from django.contrib.auth.models import Group
from django.db import connections, router
from django.db.models import Aggregate, CharField, OuterRef, Subquery

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


_PROBE = -424242  # the id the statement is compiled with; it must come back as its only parameter
_compiled: dict[str, tuple | None] = {}


def _compiled_user_query(alias: str):
    """(compiler, sql) of "this user and the role names", compiled once per process and database.

    Building that statement through the ORM (a subquery with an aggregate) cost more than anything else a request
    served from the page cache does (issue 14.2); the statement never changes, only the id. The compiler is kept
    for its converters (aware datetimes and booleans on SQLite), so a row reads exactly as the ORM would read it.
    None when the compiled form is not the expected shape: the ORM path is used then."""
    if alias not in _compiled:
        query = with_role_names(User._default_manager.using(alias)).filter(pk=_PROBE).query
        compiler = query.get_compiler(alias)
        sql, params = compiler.as_sql()
        fields = [f.attname for f in User._meta.concrete_fields]
        shaped = list(params) == [_PROBE] and compiler.col_count == len(fields) + 1
        _compiled[alias] = (compiler, sql, fields) if shaped else None
    return _compiled[alias]


def _load_user(user_id):
    """The user with its joined role names (the _role_names attribute), or None."""
    alias = router.db_for_read(User)
    compiled = _compiled_user_query(alias)
    if compiled is None:
        return with_role_names(User._default_manager).filter(pk=user_id).first()
    compiler, sql, fields = compiled
    with connections[alias].cursor() as cursor:
        cursor.execute(sql, [user_id])
        rows = cursor.fetchall()
    for row in compiler.results_iter(results=[rows]):
        user = User.from_db(alias, fields, row[: len(fields)])
        user._role_names = row[len(fields)]
        return user
    return None


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

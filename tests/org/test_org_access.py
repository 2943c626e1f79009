"""X-2: 三员分立, login, and who may see which unit — one matrix over roles × pages."""

import pytest
from django.contrib.auth.models import Group
from django.core.exceptions import ValidationError
from django.db import connection, transaction
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone
from guardian.shortcuts import assign_perm
from org_support import MAR_2, MAR_6, small_district

from tests.factories import ActingArrangementFactory, PortfolioFactory, UnitFactory, UserFactory, appoint
from tiexi_gov.org import access
from tiexi_gov.org.models import ActingArrangement, Post, Unit
from tiexi_gov.org.panels import PanelItem, UnitPanel, register_unit_panel, unregister_unit_panel
from tiexi_gov.org.roles import Role, ensure_roles
from tiexi_gov.workdays import calendar

pytestmark = pytest.mark.django_db

# --- 三员分立 (X-2) -----------------------------------------------------------------------------------------------


@pytest.fixture
def roles():
    return ensure_roles()


def names(user):
    return set(user.groups.values_list("name", flat=True))


def test_x_2_role_separation_rejects_adding_two_admin_roles_at_once(roles):
    user = UserFactory()
    with pytest.raises(ValidationError, match="三员分立"), transaction.atomic():
        user.groups.add(roles[Role.SYSTEM_ADMIN], roles[Role.AUDIT_ADMIN])
    assert names(user) == set()


def test_x_2_role_separation_rejects_adding_a_second_admin_role(roles):
    user = UserFactory(roles=[Role.SECURITY_ADMIN])
    with pytest.raises(ValidationError, match="系统管理员、安全管理员") as error, transaction.atomic():
        user.groups.add(roles[Role.SYSTEM_ADMIN])
    assert "不得由同一账号兼任" in error.value.messages[0]
    assert names(user) == {str(Role.SECURITY_ADMIN)}
    # other roles combine freely with one admin role
    user.groups.add(roles[Role.CALENDAR_ADMIN])
    assert names(user) == {str(Role.SECURITY_ADMIN), str(Role.CALENDAR_ADMIN)}


def test_x_2_role_separation_rejects_set_with_two_admin_roles_and_keeps_the_old_roles(roles):
    user = UserFactory(roles=[Role.SYSTEM_ADMIN, Role.CALENDAR_ADMIN])
    with pytest.raises(ValidationError, match="三员分立"), transaction.atomic():
        user.groups.set([roles[Role.SYSTEM_ADMIN], roles[Role.AUDIT_ADMIN]])
    assert names(user) == {str(Role.SYSTEM_ADMIN), str(Role.CALENDAR_ADMIN)}
    # moving an account from one admin role to another is allowed: set() removes before it adds
    user.groups.set([roles[Role.AUDIT_ADMIN]])
    assert names(user) == {str(Role.AUDIT_ADMIN)}


def test_x_2_role_separation_rejects_additions_from_the_group_side(roles):
    sysadmin = UserFactory(username="sys1", roles=[Role.SYSTEM_ADMIN])
    plain = UserFactory(username="plain1")
    with pytest.raises(ValidationError, match="sys1") as error, transaction.atomic():
        roles[Role.AUDIT_ADMIN].user_set.add(plain, sysadmin)
    assert "三员分立" in error.value.messages[0]
    assert names(sysadmin) == {str(Role.SYSTEM_ADMIN)} and names(plain) == set()
    with pytest.raises(ValidationError), transaction.atomic():
        roles[Role.SECURITY_ADMIN].user_set.set([sysadmin])
    roles[Role.AUDIT_ADMIN].user_set.add(plain)
    assert names(plain) == {str(Role.AUDIT_ADMIN)}


def test_x_2_role_cache_is_refreshed_when_groups_change(roles):
    user = UserFactory()
    assert not access.is_office(user)
    user.groups.add(roles[Role.OFFICE_STAFF])
    assert access.is_office(user)


def test_x_2_the_migration_creates_every_role_group():
    from importlib import import_module

    from django.apps import apps

    migration = import_module("tiexi_gov.org.migrations.0002_role_groups")
    assert [str(r) for r in Role] == migration.ROLE_NAMES
    Group.objects.all().delete()  # a transactional test elsewhere may have flushed them already
    migration.create_groups(apps, None)
    migration.create_groups(apps, None)
    assert sorted(Group.objects.values_list("name", flat=True)) == sorted(migration.ROLE_NAMES)


def test_x_2_ensure_roles_grants_the_office_the_org_chart_but_not_deletion(roles):
    staff = UserFactory(roles=[Role.OFFICE_STAFF])
    assert staff.has_perm("org.change_appointment") and staff.has_perm("org.add_portfolio")
    assert not staff.has_perm("org.delete_appointment")
    auditor = UserFactory(roles=[Role.AUDIT_ADMIN])
    assert auditor.has_perm("audit.view_event") and not auditor.has_perm("org.change_user")
    ensure_roles()  # idempotent
    assert Group.objects.filter(name=str(Role.OFFICE_STAFF)).count() == 1


# --- login and unit pages -------------------------------------------------------------------------------------------


@pytest.mark.parametrize("url", ["/org/", "/org/units/fgj/"])
def test_x_2_anonymous_user_is_sent_to_login(client, url):
    UnitFactory(code="fgj")
    response = client.get(url)
    assert response.status_code == 302
    assert response.url.startswith(reverse("login")) and "next=" in response.url


def test_x_2_clerk_cannot_open_another_units_page_but_can_open_their_own(client):
    d = small_district()
    client.force_login(d.people["clerk_a"])
    own = client.get(reverse("org:unit", args=["fgj"]))
    assert own.status_code == 200
    assert "发改局局长" in own.text and "经授权可签发" in own.text
    assert client.get(reverse("org:unit", args=["sfj"])).status_code == 404
    assert client.get(reverse("org:unit", args=["no-such-unit"])).status_code == 404


def test_x_2_a_day_no_calendar_holds_shows_today_not_a_server_error(client):
    """?day=9999-12-31 on a unit page counted working days past the last date there is (a 500 before)."""
    d = small_district()
    client.force_login(d.people["clerk_a"])
    for day in ("9999-12-31", "0001-01-01"):
        for url in (reverse("org:unit", args=["fgj"]), reverse("org:directory")):
            page = client.get(url, {"day": day})
            assert page.status_code == 200, (url, day)
            assert page.context["is_today"], (url, day)


DIRECTORY, GOV, OFFICE, UNIT_A, UNIT_B = "directory", "gov", "office", "fgj", "sfj"
ALL = {DIRECTORY, GOV, OFFICE, UNIT_A, UNIT_B}

# Who may open what. unit A (发改局) is in `deputy`'s portfolio, unit B (司法局) in `other_deputy`'s.
MATRIX = {
    "head": ALL,
    "exec": {DIRECTORY, GOV, OFFICE},  # own unit + portfolio (the office)
    "deputy": {DIRECTORY, GOV, UNIT_A},
    "other_deputy": {DIRECTORY, GOV, UNIT_B},
    "director": ALL,
    "staff": ALL,
    "head_a": {DIRECTORY, UNIT_A},
    "deputy_a": {DIRECTORY, UNIT_A},
    "clerk_a": {DIRECTORY, UNIT_A},
    "head_b": {DIRECTORY, UNIT_B},
    "clerk_b": {DIRECTORY, UNIT_B},
    "system_admin": ALL,
    # seated in the office, yet an administrator's account has no unit's business (issue 12.1): only the directory
    "security_admin": {DIRECTORY},
    "audit_admin": {DIRECTORY},
    "calendar_admin": {DIRECTORY},
}


def test_x_2_permission_matrix_roles_by_org_pages(client):
    d = small_district()
    outcome = {}
    for who in MATRIX:
        client.force_login(d.people[who])
        for page in sorted(ALL):
            url = reverse("org:directory") if page == DIRECTORY else reverse("org:unit", args=[page])
            status = client.get(url).status_code
            assert status in (200, 404), (who, page, status)
            outcome[who, page] = status == 200
    expected = {(who, page): page in allowed for who, allowed in MATRIX.items() for page in ALL}
    assert outcome == expected
    # the selector and the view agree
    for who, allowed in MATRIX.items():
        visible = set(access.visible_units(d.people[who]).values_list("code", flat=True))
        assert visible & (ALL - {DIRECTORY}) == allowed - {DIRECTORY}, who


def test_x_2_acting_deputy_sees_the_absent_deputys_units_only_for_those_dates():
    d = small_district()
    ActingArrangementFactory(absent_post=d.posts["deputy"], acting_post=d.posts["other_deputy"], start=MAR_2, end=MAR_6)
    acting = d.people["other_deputy"]
    assert access.can_view_unit(acting, d.unit_a, MAR_2)
    assert not access.can_view_unit(acting, d.unit_a, MAR_6.replace(day=7))


def test_x_2_executive_deputy_presiding_for_the_head_sees_every_unit():
    d = small_district()
    ActingArrangementFactory(
        absent_post=d.posts["head"],
        acting_post=d.posts["exec"],
        kind=ActingArrangement.Kind.ENTRUSTED,
        start=MAR_2,
        end=MAR_6,
    )
    assert access.visible_unit_ids(d.people["exec"], MAR_2) is None
    assert not access.can_view_unit(d.people["exec"], d.unit_b, MAR_6.replace(day=7))


def test_x_2_an_explicit_grant_opens_one_unit_to_a_named_person(client):
    d = small_district()
    clerk = d.people["clerk_a"]
    assign_perm("org.view_unit", clerk, d.unit_b)
    client.force_login(clerk)
    assert client.get(reverse("org:unit", args=["sfj"])).status_code == 200
    assert client.get(reverse("org:unit", args=["gov"])).status_code == 404


def test_x_2_a_global_permission_does_not_open_a_unit():
    d = small_district()
    assert d.people["security_admin"].has_perm("org.view_unit")  # granted globally by ensure_roles
    assert not access.can_view_unit(d.people["security_admin"], d.unit_a)


def test_x_2_inactive_user_sees_nothing():
    d = small_district()
    user = d.people["staff"]
    user.is_active = False
    assert access.visible_unit_ids(user) == set()


# --- page content ---------------------------------------------------------------------------------------------------


def test_org_2_directory_shows_leaders_portfolios_and_acting_today(client):
    d = small_district()
    ActingArrangementFactory(absent_post=d.posts["deputy"], acting_post=d.posts["other_deputy"], start=MAR_2, end=MAR_6)
    client.force_login(d.people["clerk_a"])
    page = client.get(reverse("org:directory"), {"day": "2026-03-02"}).text
    assert "区政府领导分工" in page and "发改局" in page and "司法局" in page
    assert "外出" in page and "代副区长" in page
    assert f'href="{reverse("org:unit", args=["fgj"])}"' in page  # own unit is a link
    assert f'href="{reverse("org:unit", args=["sfj"])}"' not in page  # another unit is plain text
    assert "其事项由区长负责" in page and "平西乡" in page
    normal = client.get(reverse("org:directory"), {"day": "2026-03-09"}).text
    assert "外出" not in normal
    assert client.get(reverse("org:directory"), {"day": "garbage"}).status_code == 200


def test_org_2_unit_page_shows_the_leader_in_charge_with_capacity(client):
    d = small_district()
    ActingArrangementFactory(absent_post=d.posts["deputy"], acting_post=d.posts["other_deputy"], start=MAR_2, end=MAR_6)
    client.force_login(d.people["director"])
    page = client.get(reverse("org:unit", args=["fgj"]), {"day": "2026-03-03"}).text
    assert "分管区领导" in page and "身份：代副区长" in page
    assert d.people["other_deputy"].full_name in page
    assert "身份：本职" in client.get(reverse("org:unit", args=["fgj"]), {"day": "2026-03-09"}).text


def test_org_unit_page_shows_panels_registered_by_later_apps(client):
    d = small_district()

    def documents_panel(user, unit, day):
        return UnitPanel(title="待办公文", items=[PanelItem(label=f"{unit.display_name}关于X的请示", url="/x/")])

    register_unit_panel(documents_panel)
    try:
        client.force_login(d.people["clerk_a"])
        page = client.get(reverse("org:unit", args=["fgj"])).text
        assert "待办公文" in page and "发改局关于X的请示" in page
    finally:
        unregister_unit_panel(documents_panel)


def _count_queries(client, url):
    with CaptureQueriesContext(connection) as ctx:
        assert client.get(url).status_code == 200
    return len(ctx.captured_queries)


def test_org_pages_use_a_constant_number_of_queries(client, django_assert_max_num_queries, monkeypatch, time_machine):
    # Counted on a still clock: a session touched every 30 s and a calendar index rebuilt every 60 s are reads of
    # time, not of the data, and on a loaded box one fell between two counts (17 then 16).
    time_machine.move_to(timezone.now(), tick=False)
    monkeypatch.setattr(calendar, "CACHE_TTL", 10**9)
    d = small_district()
    client.force_login(d.people["staff"])
    client.get(reverse("org:unit", args=["fgj"]))  # warm the process's memos (the first page of a process loads them)
    small_dir = _count_queries(client, reverse("org:directory"))
    small_unit = _count_queries(client, reverse("org:unit", args=["fgj"]))
    gov = Unit.objects.get(code="gov")
    for i in range(6):
        post, _ = appoint(Post.Kind.DEPUTY, unit=gov, title=f"副区长{i}")
        for j in range(4):
            unit = UnitFactory(code=f"more{i}x{j}", name=f"更多局{i}-{j}")
            PortfolioFactory(post=post, unit=unit)
            appoint(Post.Kind.UNIT_HEAD, unit=unit, title="局长")
    for i in range(8):
        appoint(Post.Kind.UNIT_DEPUTY, unit=d.unit_a, title=f"副局长{i}", may_sign=i % 2 == 0)
    assert _count_queries(client, reverse("org:directory")) == small_dir
    assert _count_queries(client, reverse("org:unit", args=["fgj"])) == small_unit
    with django_assert_max_num_queries(15):
        client.get(reverse("org:directory"))


def test_x_2_set_user_roles_service_refuses_two_admin_roles_and_audits_a_change(roles):
    from tiexi_gov.audit.models import Event
    from tiexi_gov.org.services import set_user_roles

    actor = UserFactory(username="sec", roles=[Role.SECURITY_ADMIN])
    user = UserFactory(username="u1", roles=[Role.CLERK])
    with pytest.raises(ValidationError, match="三员分立"):
        set_user_roles(actor=actor, user=user, roles=[Role.SYSTEM_ADMIN, Role.SECURITY_ADMIN])
    assert names(user) == {str(Role.CLERK)}
    granted, revoked = set_user_roles(actor=actor, user=user, roles=[Role.CLERK, Role.CALENDAR_ADMIN])
    assert (granted, revoked) == ([str(Role.CALENDAR_ADMIN)], [])
    event = Event.objects.for_object(user).get()
    assert (event.actor, event.action, event.rule_id) == (actor, "roles_changed", "X-2")

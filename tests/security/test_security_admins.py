"""Issue 12.1 — 三员分立 as an assessor probes it: role escalation through the admin and through the ORM, a
password reset of another administrator, the admin console's acts in the audit record, and administrators kept
out of every business flow."""

from __future__ import annotations

import re

import pytest
from django.contrib.auth.models import Group
from django.db import IntegrityError, transaction
from django.urls import reverse

from tests.demo_seeds import SEEDS
from tests.factories import UnitFactory, UserFactory
from tiexi_gov.audit.models import Event
from tiexi_gov.org.models import PasswordResetApproval, Unit, User
from tiexi_gov.org.roles import Role, ensure_roles
from tiexi_gov.org.services import set_user_roles

pytestmark = pytest.mark.django_db

Through = User.groups.through
NEW_PASSWORD = "Xin-Mima-2026!"


def _staff(username: str, role: Role, **kwargs) -> User:
    person = UserFactory(username=username, roles=[role], **kwargs)
    User.objects.filter(pk=person.pk).update(is_staff=True)
    return User.objects.get(pk=person.pk)


@pytest.fixture
def roles():
    return ensure_roles()


@pytest.fixture
def admins(roles):
    office = UnitFactory(name="铁西区人民政府办公室", kind=Unit.Kind.OFFICE)
    return {
        "sys": _staff("xitong", Role.SYSTEM_ADMIN, unit=office),
        "sec": _staff("anquan", Role.SECURITY_ADMIN, unit=office),
        "sec2": _staff("anquan2", Role.SECURITY_ADMIN, unit=office),
        "aud": _staff("shenji", Role.AUDIT_ADMIN, unit=office),
        "cal": _staff("rili", Role.CALENDAR_ADMIN, unit=office),
    }


def _names(user) -> set[str]:
    return set(Group.objects.filter(user=user).values_list("name", flat=True))


# --- the database holds 三员分立 whatever path writes the user–group relation ---------------------------------


@pytest.mark.parametrize("path", ["create", "bulk_create"])
def test_sec_1_database_refuses_a_second_admin_role_written_past_the_orm_signals(admins, roles, path):
    auditor = admins["aud"]
    row = Through(user_id=auditor.pk, group_id=roles[Role.SECURITY_ADMIN].pk)
    with pytest.raises(IntegrityError), transaction.atomic():
        Through.objects.bulk_create([row]) if path == "bulk_create" else Through.objects.create(
            user_id=row.user_id, group_id=row.group_id
        )
    assert _names(auditor) == {str(Role.AUDIT_ADMIN)}


def test_sec_1_database_refuses_an_administrator_a_business_role(admins, roles):
    for business in (Role.OFFICE_STAFF, Role.CLERK, Role.OFFICE_DIRECTOR):
        with pytest.raises(IntegrityError), transaction.atomic():
            Through.objects.create(user_id=admins["sys"].pk, group_id=roles[business].pk)
    clerk = UserFactory(username="wenshu", roles=[Role.CLERK])
    with pytest.raises(IntegrityError), transaction.atomic():
        Through.objects.create(user_id=clerk.pk, group_id=roles[Role.AUDIT_ADMIN].pk)
    assert _names(admins["sys"]) == {str(Role.SYSTEM_ADMIN)} and _names(clerk) == {str(Role.CLERK)}
    # a technical role that is not one of the three still combines (the calendar is kept by office staff)
    Through.objects.create(user_id=clerk.pk, group_id=roles[Role.CALENDAR_ADMIN].pk)


# --- nobody changes his own roles -----------------------------------------------------------------------------


def test_sec_1_the_security_admin_cannot_give_himself_another_role_through_the_admin(client, admins, roles):
    sec = admins["sec"]
    client.force_login(sec)
    page = client.get(reverse("admin:org_user_change", args=[sec.pk]))
    assert page.status_code == 200
    assert 'name="groups"' not in page.text  # his own roles are read-only
    data = {
        "username": sec.username,
        "full_name": sec.full_name,
        "unit": sec.unit_id,
        "email": sec.email,
        "phone": "",
        "is_active": "on",
        "groups": [roles[Role.AUDIT_ADMIN].pk, roles[Role.OFFICE_DIRECTOR].pk],
        "date_joined_0": "2026-01-01",
        "date_joined_1": "08:00:00",
    }
    client.post(reverse("admin:org_user_change", args=[sec.pk]), data)
    assert _names(sec) == {str(Role.SECURITY_ADMIN)}
    with pytest.raises(Exception, match="不能调整本人的角色"):
        set_user_roles(actor=sec, user=sec, roles=[Role.SECURITY_ADMIN, Role.OFFICE_DIRECTOR])


def test_sec_1_the_system_admin_cannot_move_his_own_account_to_another_unit(client, admins):
    """The system admin keeps accounts, but not his own seat: his unit is read-only on his own account, as his roles
    are (an account never changes its own role or unit)."""
    me = admins["sys"]
    other = UnitFactory(name="铁西区发展和改革局")
    client.force_login(me)
    page = client.get(reverse("admin:org_user_change", args=[me.pk]))
    assert page.status_code == 200 and 'name="unit"' not in page.text
    data = {
        "username": me.username,
        "full_name": "改名",
        "unit": other.pk,
        "email": me.email,
        "phone": "",
        "date_joined_0": "2026-01-01",
        "date_joined_1": "08:00:00",
    }
    client.post(reverse("admin:org_user_change", args=[me.pk]), data)
    me.refresh_from_db()
    assert me.unit_id == admins["sec"].unit_id and me.unit_id != other.pk
    # another account's unit he keeps
    clerk = UserFactory(username="wenshu2", roles=[Role.CLERK], unit=admins["sec"].unit)
    data.update(username=clerk.username, email=clerk.email, is_active="on")
    client.post(reverse("admin:org_user_change", args=[clerk.pk]), data)
    clerk.refresh_from_db()
    assert clerk.unit_id == other.pk


def test_sec_1_the_security_admin_grants_roles_not_single_permissions_and_keeps_the_login_record(client, admins):
    """A permission given one person (past the groups) would let the security admin hand the system admin the
    office's acting arrangements; and a save left unchanged must not rewrite the last login or the joining date."""
    from django.contrib.auth.models import Permission

    sec, sys_admin = admins["sec"], admins["sys"]
    stamp = User.objects.get(pk=sys_admin.pk)
    User.objects.filter(pk=sys_admin.pk).update(last_login=stamp.date_joined.replace(second=7, microsecond=990000))
    before = User.objects.get(pk=sys_admin.pk)
    client.force_login(sec)
    url = reverse("admin:org_user_change", args=[sys_admin.pk])
    page = client.get(url)
    assert 'name="user_permissions"' not in page.text and 'name="last_login_0"' not in page.text
    grant = Permission.objects.get(codename="add_actingarrangement")
    data = {
        "username": sys_admin.username,
        "full_name": sys_admin.full_name,
        "unit": sys_admin.unit_id,
        "email": sys_admin.email,
        "phone": "",
        "is_active": "on",
        "is_staff": "on",
        "groups": [g.pk for g in sys_admin.groups.all()],
        "user_permissions": [grant.pk],
        "last_login_0": "2020-01-01",
        "last_login_1": "08:00:00",
        "date_joined_0": "2020-01-01",
        "date_joined_1": "08:00:00",
    }
    assert client.post(url, data).status_code == 302
    after = User.objects.get(pk=sys_admin.pk)
    assert not after.user_permissions.exists() and not after.has_perm("org.add_actingarrangement")
    assert (after.last_login, after.date_joined) == (before.last_login, before.date_joined)


def test_sec_1_the_security_admin_resets_a_lost_second_factor_never_his_own_and_nobody_else_does(client, admins):
    """A lost phone must not lock its owner out for good: the security admin voids the bound authenticator (the
    next login binds a new one), on the record; not his own, and the system admin has no such action."""
    from django_otp.plugins.otp_totp.models import TOTPDevice

    clerk = UserFactory(username="wenshu-otp", roles=[Role.CLERK])
    for user in (clerk, admins["sec"]):
        TOTPDevice.objects.create(user=user, name="动态验证码", confirmed=True)
    url = reverse("admin:org_user_changelist")
    client.force_login(admins["sys"])
    assert "reset_second_factor" not in client.get(url).content.decode()
    client.post(url, {"action": "reset_second_factor", "_selected_action": [clerk.pk]})
    assert TOTPDevice.objects.filter(user=clerk).exists()

    client.force_login(admins["sec"])
    assert "reset_second_factor" in client.get(url).content.decode()
    selected = [clerk.pk, admins["sec"].pk]
    answer = client.post(url, {"action": "reset_second_factor", "_selected_action": selected}, follow=True)
    text = answer.content.decode()
    assert "已重置" in text and "不能重置本人的动态验证码" in text
    assert not TOTPDevice.objects.filter(user=clerk).exists()
    assert TOTPDevice.objects.filter(user=admins["sec"]).exists()
    event = Event.objects.for_object(clerk).get(action="otp_reset")
    assert event.actor == admins["sec"] and event.action_label == "重置动态验证码"


# --- password resets ------------------------------------------------------------------------------------------


def _must_change(user) -> bool:
    from tiexi_gov.accounts.models import PasswordState

    return PasswordState.objects.get(user=user).must_change


def _reset(client, actor, target):
    client.force_login(actor)
    url = reverse("admin:auth_user_password_change", args=[target.pk])
    return client.post(url, {"password1": NEW_PASSWORD, "password2": NEW_PASSWORD, "usable_password": "true"})


def test_sec_1_a_reset_of_an_ordinary_account_is_audited_and_forces_a_change(client, admins):
    clerk = UserFactory(username="wenshu", roles=[Role.CLERK])
    response = _reset(client, admins["sys"], clerk)
    assert response.status_code == 302
    clerk.refresh_from_db()
    assert clerk.check_password(NEW_PASSWORD)
    event = Event.objects.for_object(clerk).get(action="password_reset")
    assert event.actor == admins["sys"] and event.action_label == "重置密码"
    assert _must_change(clerk)


def test_sec_1_the_system_admin_cannot_take_over_the_audit_admins_account_alone(client, admins):
    aud, sys_admin = admins["aud"], admins["sys"]
    assert _reset(client, sys_admin, aud).status_code == 403
    aud.refresh_from_db()
    assert not aud.check_password(NEW_PASSWORD)
    assert not Event.objects.filter(action="password_reset").exists()

    # The security admin approves one reset; the system admin may do it once.
    client.force_login(admins["sec"])
    response = client.post(
        reverse("admin:org_passwordresetapproval_add"), {"target": aud.pk, "reason": "审计管理员忘记密码，本人申请"}
    )
    assert response.status_code == 302, response.text
    approval = PasswordResetApproval.objects.get(target=aud)
    assert Event.objects.for_object(aud).filter(action="password_reset_approved", actor=admins["sec"]).exists()
    assert _reset(client, sys_admin, aud).status_code == 302
    approval.refresh_from_db()
    assert approval.used_by == sys_admin and approval.used_at is not None
    assert _must_change(aud)
    assert _reset(client, sys_admin, aud).status_code == 403  # used once


def test_sec_1_an_approval_posted_twice_allows_one_reset_not_two(client, admins):
    """The approval is "限用一次". Posted twice (a double click, the back button), it made a second approval, and the
    system administrator could then reset the administrator's password twice on one decision."""
    aud = admins["aud"]
    client.force_login(admins["sec"])
    post = {"target": aud.pk, "reason": "审计管理员忘记密码，本人申请"}
    assert client.post(reverse("admin:org_passwordresetapproval_add"), post).status_code == 302
    again = client.post(reverse("admin:org_passwordresetapproval_add"), post)
    assert again.status_code == 200 and "无需重复批准" in again.text
    client.force_login(admins["sec2"])  # nor does a second security administrator add one beside it
    assert "无需重复批准" in client.post(reverse("admin:org_passwordresetapproval_add"), post).text
    assert PasswordResetApproval.objects.filter(target=aud).count() == 1
    assert Event.objects.for_object(aud).filter(action="password_reset_approved").count() == 1
    assert _reset(client, admins["sys"], aud).status_code == 302
    assert _reset(client, admins["sys"], aud).status_code == 403


def test_sec_1_no_one_approves_his_own_reset_and_only_the_security_admin_approves(client, admins):
    client.force_login(admins["sec"])
    own = client.post(reverse("admin:org_passwordresetapproval_add"), {"target": admins["sec"].pk, "reason": "x"})
    assert own.status_code == 200 and "不能批准重置本人账号的密码" in own.text
    client.force_login(admins["sys"])
    assert client.get(reverse("admin:org_passwordresetapproval_add")).status_code == 403
    assert not PasswordResetApproval.objects.exists()
    # An approval the system admin would give himself does not count either: the approver must be someone else.
    assert _reset(client, admins["sys"], admins["sys"]).status_code == 403


# --- the admin console in the audit record ---------------------------------------------------------------------


def test_sec_1_every_admin_console_act_reaches_the_audit_record_the_audit_admin_reads(client, admins):
    office_staff = _staff("bangong", Role.OFFICE_STAFF)
    unit = UnitFactory(name="铁西区审计局")
    client.force_login(office_staff)
    change = reverse("admin:org_unit_change", args=[unit.pk])
    form = client.get(change).context["adminform"].form
    data = {k: v for k, v in form.initial.items() if v is not None}
    data.update(name="铁西区审计局（更名）", kind=unit.kind, order=unit.order or 0, active="on")
    response = client.post(change, data)
    assert response.status_code == 302, response.context["adminform"].form.errors if response.context else ""
    event = Event.objects.for_object(unit).get(action="admin_change")
    assert event.actor == office_staff and event.action_label == "管理控制台：修改"
    # posted back as it now is: nothing changed, no second record ("没有字段被修改")
    form = client.get(change).context["adminform"].form
    same = {k: v for k, v in form.initial.items() if v is not None}
    same.update(kind=unit.kind, order=unit.order or 0, active="on")
    assert client.post(change, same).status_code == 302
    assert Event.objects.for_object(unit).filter(action="admin_change").count() == 1

    client.force_login(admins["aud"])
    listing = client.get(reverse("admin:audit_event_changelist"))
    assert listing.status_code == 200 and "管理控制台：修改" in listing.text
    # the audit admin reads it; nobody alters it (the table is append-only, X-1)
    assert client.post(reverse("admin:audit_event_delete", args=[event.pk]), {"post": "yes"}).status_code == 403
    assert Event.objects.filter(pk=event.pk).exists()


# --- administrators act in no business flow ------------------------------------------------------------------


@pytest.mark.parametrize("role", [Role.SYSTEM_ADMIN, Role.SECURITY_ADMIN, Role.AUDIT_ADMIN, Role.CALENDAR_ADMIN])
def test_sec_1_an_administrator_seated_in_the_office_cannot_see_or_register_official_documents(client, role):
    """The seed puts the administrators in the office; the home unit gives them nothing (issue 12)."""
    from tests.documents.documents_support import build_world, submitted

    w = build_world()
    sub = submitted(w)
    admin = UserFactory(username=f"admin-{role.name.lower()}", roles=[role], unit=w.office)
    client.force_login(admin)
    listing = client.get(reverse("documents:index"))
    assert sub.title not in listing.text
    assert client.get(reverse("documents:detail", args=[sub.pk])).status_code == 404
    register = client.post(reverse("documents:act", args=[sub.pk, "register"]), {"seen_state": sub.state})
    assert register.status_code == 404
    sub.refresh_from_db()
    assert sub.state == "submitted" and sub.current_slip_id is None
    assert client.get(reverse("documents:queue")).status_code in (200, 404)
    assert sub.title not in client.get("/todo/").text


@pytest.fixture
def demo_district(settings, tmp_path):
    """The demo of `make run`, where the seed seats the four technical administrators in the office."""
    from io import StringIO

    from django.core.management import call_command

    from tiexi_gov.org.demo import build_demo_district
    from tiexi_gov.workdays import calendar as wd

    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
    settings.MEDIA_ROOT = tmp_path
    settings.DEBUG = True
    wd.invalidate()
    build_demo_district("demo-pass-2026")
    for command in SEEDS:
        call_command(command, stdout=StringIO())
    yield
    wd.invalidate()


def test_sec_1_administrators_open_no_document_ledger_item_meeting_or_body_of_the_demo(client, demo_district):
    from coordination.models import Body
    from documents.models import OutgoingDocument, Submission
    from meetings.models import Meeting
    from supervision.models import SupervisionItem

    items = {
        "documents:detail": Submission.objects.order_by("pk").first(),
        "documents:outgoing_detail": OutgoingDocument.objects.order_by("pk").first(),
        "supervision:item": SupervisionItem.objects.order_by("pk").first(),
        "meetings:meeting": Meeting.objects.exclude(state="scheduled").order_by("pk").first(),
        "coordination:body": Body.objects.order_by("pk").first(),
    }
    assert all(items.values()), items
    for username in ("xitong_admin", "anquan_admin", "shenji_admin", "rili_admin"):
        admin = User.objects.get(username=username)
        assert admin.unit.kind == Unit.Kind.OFFICE  # seated in the office, yet none of its business
        client.force_login(admin)
        for name, obj in items.items():
            assert client.get(reverse(name, args=[obj.pk])).status_code == 404, (username, name)
        ledger = client.get(reverse("supervision:ledger"))
        assert ledger.status_code == 404 or items["supervision:item"].number not in ledger.text
        todo = client.get("/todo/")
        # None of the office's work; the calendar administrator's own (CAL-2: enter a provisional year) is his.
        actions = set(re.findall(r'data-testid="task-row"[^>]*data-action="([^"]*)"', todo.text))
        assert actions <= ({"enter_calendar"} if username == "rili_admin" else set()), (username, actions)
        # the navbar offers the console, not the business areas it may not open
        assert "管理控制台" in todo.text and "公文办理" not in todo.text and "督查督办" not in todo.text


@pytest.mark.django_db
def test_sec_1_an_administrators_account_cannot_be_appointed_to_a_post(admins):
    """A post brings its queue with it: an administrator appointed to one would do office work (三员分立)."""
    import datetime as dt

    from django.core.exceptions import ValidationError

    from tests.factories import PostFactory
    from tiexi_gov.org.models import Appointment, Post

    post = PostFactory(kind=Post.Kind.UNIT_HEAD, title="办公室副主任")
    start = dt.date(2026, 1, 1)
    for admin in admins.values():
        with pytest.raises(ValidationError, match="不能担任业务职务"):
            Appointment(post=post, person=admin, start=start).full_clean()
    Appointment(post=post, person=UserFactory(username="putong", roles=[Role.CLERK]), start=start).full_clean()


@pytest.mark.parametrize("actor", ["sys", "sec"])
def test_sec_1_no_administrator_switches_off_or_strips_another_administrators_account(client, admins, actor):
    """The system administrator unticked 有效 on the audit administrator's account and the auditor was logged out
    and locked out: the one who reads the system administrator's acts, silenced by him alone. Another
    administrator's account fields and roles are read-only to a peer; a post that tries anyway changes nothing."""
    aud = admins["aud"]
    client.force_login(admins[actor])
    change = reverse("admin:org_user_change", args=[aud.pk])
    page = client.get(change)
    assert page.status_code == 200
    form_fields = page.context["adminform"].form.fields
    assert "is_active" not in form_fields and "username" not in form_fields and "groups" not in form_fields
    response = client.post(change, {"username": "renamed", "email": "x@bench.invalid", "groups": []})
    assert response.status_code in (200, 302)
    aud.refresh_from_db()
    assert aud.is_active and aud.username == "shenji" and _names(aud) == {str(Role.AUDIT_ADMIN)}

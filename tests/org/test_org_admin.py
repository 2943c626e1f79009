"""The office keeps the org chart in Django admin: the model rules surface as Chinese form errors, not 500s."""

import datetime as dt

import pytest
from django.urls import reverse
from org_support import small_district

from tests.factories import AppointmentFactory, PostFactory, UserFactory
from tiexi_gov.audit.models import Event
from tiexi_gov.org.models import ActingArrangement, Appointment, Post, User
from tiexi_gov.org.roles import Role, ensure_roles

pytestmark = pytest.mark.django_db


@pytest.fixture
def office_client(client):
    ensure_roles()
    staff = UserFactory(username="office1", roles=[Role.OFFICE_STAFF])
    User.objects.filter(pk=staff.pk).update(is_staff=True)
    client.force_login(User.objects.get(pk=staff.pk))
    return client


def inline_management(prefix, total, initial=0):
    return {
        f"{prefix}-TOTAL_FORMS": str(total),
        f"{prefix}-INITIAL_FORMS": str(initial),
        f"{prefix}-MIN_NUM_FORMS": "0",
        f"{prefix}-MAX_NUM_FORMS": "1000",
    }


def test_org_1_admin_refuses_an_overlapping_appointment_with_a_chinese_error(office_client):
    post = PostFactory(kind=Post.Kind.UNIT_HEAD, title="教育局局长")
    AppointmentFactory(post=post, start=dt.date(2022, 1, 10))
    response = office_client.post(
        reverse("admin:org_appointment_add"),
        {"post": post.pk, "person": UserFactory().pk, "start": "2025-07-01", "end": "", "note": ""},
    )
    assert response.status_code == 200
    assert "同一职务在这段时间已有任职人，请先填写前任的截止日期。" in response.text
    assert Appointment.objects.filter(post=post).count() == 1


def _post_change_data(post, rows, initial=()):
    data = {
        "kind": post.kind,
        "unit": post.unit_id,
        "title": post.title,
        "order": post.order,
        **inline_management("appointments", len(initial) + len(rows), len(initial)),
    }
    for i, row in enumerate([*initial, *rows]):
        for key, value in row.items():
            data[f"appointments-{i}-{key}"] = value
        data[f"appointments-{i}-post"] = post.pk
    return data


def test_org_1_admin_inline_accepts_ending_the_predecessor_and_appointing_the_successor_in_one_save(office_client):
    post = PostFactory(kind=Post.Kind.UNIT_HEAD, title="教育局局长")
    old = AppointmentFactory(post=post, start=dt.date(2022, 1, 10))
    new_person = UserFactory()
    data = _post_change_data(
        post,
        rows=[{"person": new_person.pk, "start": "2025-07-01", "end": "", "note": "区政府任命"}],
        initial=[{"id": old.pk, "person": old.person_id, "start": "2022-01-10", "end": "2025-06-30", "note": ""}],
    )
    response = office_client.post(reverse("admin:org_post_change", args=[post.pk]), data)
    assert response.status_code == 302, response.text
    old.refresh_from_db()
    assert old.end == dt.date(2025, 6, 30)
    assert Appointment.objects.get(post=post, person=new_person).start == dt.date(2025, 7, 1)


def test_org_1_admin_inline_refuses_two_overlapping_rows_entered_together(office_client):
    post = PostFactory(kind=Post.Kind.UNIT_HEAD, title="教育局局长")
    data = _post_change_data(
        post,
        rows=[
            {"person": UserFactory().pk, "start": "2025-01-01", "end": "", "note": ""},
            {"person": UserFactory().pk, "start": "2025-07-01", "end": "", "note": ""},
        ],
    )
    response = office_client.post(reverse("admin:org_post_change", args=[post.pk]), data)
    assert response.status_code == 200
    assert "同一职务在这段时间已有任职人" in response.text
    assert not Appointment.objects.filter(post=post).exists()


def test_org_2_admin_refuses_a_second_leader_for_the_same_unit(office_client):
    d = small_district()
    response = office_client.post(
        reverse("admin:org_portfolio_add"),
        {"post": d.posts["other_deputy"].pk, "unit": d.unit_a.pk, "start": "2026-03-01", "end": "", "basis": ""},
    )
    assert response.status_code == 200
    assert "该单位在这段时间已有分管领导，请先结束原分工。" in response.text


def test_org_3_admin_refuses_a_non_executive_deputy_acting_for_the_head(office_client):
    d = small_district()
    response = office_client.post(
        reverse("admin:org_actingarrangement_add"),
        {
            "absent_post": d.posts["head"].pk,
            "acting_post": d.posts["deputy"].pk,
            "kind": ActingArrangement.Kind.ENTRUSTED,
            "start": "2026-03-02",
            "end": "2026-03-06",
            "reason": "赴省委党校学习",
        },
    )
    assert response.status_code == 200
    assert "区长外出期间，由负责常务工作的副区长受委托主持工作（第十五条）。" in response.text
    assert not ActingArrangement.objects.exists()


def test_org_3_admin_arrangement_names_the_head_as_designator_and_does_not_pass_the_work_on(office_client):
    """第十五条 (由区长指定): the console's arrangement names the head (or whoever presides for him) as 指定人; an
    acting leader away in those days, or a leader away while he stands in for another, is refused — the work
    would go to someone nobody designated."""
    d = small_district()
    url = reverse("admin:org_actingarrangement_add")

    def post(absent, acting, designator, start="2026-03-02", end="2026-03-06"):
        data = {"absent_post": d.posts[absent].pk, "acting_post": d.posts[acting].pk, "kind": "designated",
                "start": start, "end": end, "reason": "外出学习",
                "designated_by": d.people[designator].pk if designator else ""}  # fmt: skip
        return office_client.post(url, data)

    for designator in ("", "staff", "deputy_a"):
        refused = post("deputy", "other_deputy", designator)
        assert refused.status_code == 200 and "指定人" in refused.text and "第十五条" in refused.text, designator
    assert not ActingArrangement.objects.exists()
    assert post("deputy", "other_deputy", "head").status_code == 302  # 副区长 away, 副区长（分管司法） acts
    away = post("other_deputy", "exec", "head", start="2026-03-04", end="2026-03-05")
    assert away.status_code == 200 and "正代理其他领导的工作" in away.text
    busy = post("exec", "deputy", "head", start="2026-03-05", end="2026-03-09")
    assert busy.status_code == 200 and "在此期间也外出，不能代理" in busy.text
    assert ActingArrangement.objects.count() == 1


@pytest.mark.parametrize(
    ("url", "filters"),
    [
        ("admin:org_unit_changelist", {"kind": "department"}),
        ("admin:org_post_changelist", {"holder": "vacant"}),
        ("admin:org_appointment_changelist", {"validity": "current"}),
        ("admin:org_portfolio_changelist", {"validity": "ended"}),
        ("admin:org_actingarrangement_changelist", {"validity": "future"}),
        ("admin:org_user_changelist", {"is_active__exact": "1"}),
    ],
)
def test_org_admin_lists_open_for_the_office_with_date_filters(office_client, url, filters):
    small_district()
    response = office_client.get(reverse(url), filters)
    assert response.status_code == 200
    assert office_client.get(reverse(url), {"q": "发改局"}).status_code == 200


def _user_change_data(user, **fields):
    data = {
        "username": user.username,
        "full_name": user.full_name,
        "unit": user.unit_id or "",
        "phone": user.phone,
        "email": user.email,
        "is_active": "on",
        "date_joined_0": "2026-01-01",
        "date_joined_1": "08:00:00",
    }
    data.update(fields)
    return data


@pytest.fixture
def admins(client):
    ensure_roles()
    people = {}
    for key, role in [("sec", Role.SECURITY_ADMIN), ("sys", Role.SYSTEM_ADMIN)]:
        person = UserFactory(username=key, roles=[role])
        User.objects.filter(pk=person.pk).update(is_staff=True)
        people[key] = User.objects.get(pk=person.pk)
    return people


def test_x_2_admin_user_form_shows_role_separation_as_a_form_error(client, admins):
    roles = ensure_roles()
    # (an administrator's own account is read-only to a peer: the roles are given to an ordinary account)
    target = UserFactory(username="target", roles=[Role.CLERK])
    client.force_login(admins["sec"])
    response = client.post(
        reverse("admin:org_user_change", args=[target.pk]),
        _user_change_data(target, groups=[roles[Role.SYSTEM_ADMIN].pk, roles[Role.AUDIT_ADMIN].pk]),
    )
    assert response.status_code == 200
    assert "三员分立：系统管理员、安全管理员、审计管理员不得由同一账号兼任" in response.text
    assert "X-2" not in response.text
    assert set(target.groups.values_list("name", flat=True)) == {str(Role.CLERK)}


def test_x_2_security_admin_assigns_roles_and_the_change_is_audited(client, admins):
    roles = ensure_roles()
    target = UserFactory(username="target", roles=[Role.CLERK])
    client.force_login(admins["sec"])
    response = client.post(
        reverse("admin:org_user_change", args=[target.pk]),
        _user_change_data(target, groups=[roles[Role.AUDIT_ADMIN].pk], username="renamed", is_staff="on"),
    )
    assert response.status_code == 302
    target.refresh_from_db()
    assert set(target.groups.values_list("name", flat=True)) == {str(Role.AUDIT_ADMIN)}
    assert target.username == "target"  # account data is the system admin's, read-only here
    event = Event.objects.for_object(target).get(action="roles_changed")
    assert event.actor == admins["sec"]
    assert event.opinion == "授予：审计管理员；撤销：文书"


def test_x_2_system_admin_keeps_accounts_but_cannot_assign_roles(client, admins):
    roles = ensure_roles()
    target = UserFactory(username="target", roles=[Role.CLERK])
    client.force_login(admins["sys"])
    response = client.post(
        reverse("admin:org_user_change", args=[target.pk]),
        _user_change_data(target, full_name="新名字", groups=[roles[Role.SECURITY_ADMIN].pk]),
    )
    assert response.status_code == 302
    target.refresh_from_db()
    assert target.full_name == "新名字"
    assert set(target.groups.values_list("name", flat=True)) == {str(Role.CLERK)}
    # only the system admin resets passwords
    client.force_login(admins["sec"])
    assert client.get(reverse("admin:auth_user_password_change", args=[target.pk])).status_code == 403


def test_x_2_admin_add_user_form_refuses_two_admin_roles(client):
    roles = ensure_roles()
    root = UserFactory(username="root")
    User.objects.filter(pk=root.pk).update(is_staff=True, is_superuser=True)
    client.force_login(User.objects.get(pk=root.pk))
    data = {
        "username": "newbie",
        "full_name": "新人",
        "usable_password": "true",
        "password1": "Long-enough-pw-2026",
        "password2": "Long-enough-pw-2026",
        "groups": [roles[Role.SECURITY_ADMIN].pk, roles[Role.AUDIT_ADMIN].pk],
    }
    response = client.post(reverse("admin:org_user_add"), data)
    assert response.status_code == 200
    assert "三员分立" in response.text
    assert not User.objects.filter(username="newbie").exists()
    data["groups"] = [roles[Role.AUDIT_ADMIN].pk]
    assert client.post(reverse("admin:org_user_add"), data).status_code == 302
    assert User.objects.get(username="newbie").groups.get().name == str(Role.AUDIT_ADMIN)


def test_x_2_admin_user_list_shows_roles(client, admins):
    client.force_login(admins["sys"])
    response = client.get(reverse("admin:org_user_changelist"))
    assert response.status_code == 200
    assert str(Role.SECURITY_ADMIN) in response.text


def test_sec_1_office_staff_cannot_appoint_themselves_to_a_post(office_client):
    """The office keeps the org chart, but an account never gives itself a post: a clerk of the office appointed
    himself 副区长 (or a unit's head) in the admin and then handled that post's queue and signatures."""
    me = User.objects.get(username="office1")
    post = PostFactory(kind=Post.Kind.DEPUTY, title="副区长")
    response = office_client.post(
        reverse("admin:org_appointment_add"),
        {"post": post.pk, "person": me.pk, "start": "2025-07-01", "end": "", "note": ""},
    )
    assert response.status_code == 200 and "不能为本人任职" in response.text
    data = _post_change_data(post, rows=[{"person": me.pk, "start": "2025-07-01", "end": "", "note": ""}])
    response = office_client.post(reverse("admin:org_post_change", args=[post.pk]), data)
    assert response.status_code == 200 and "不能为本人任职" in response.text
    assert not Appointment.objects.filter(person=me).exists()
    # nor turn another person's appointment into his own
    other = AppointmentFactory(post=post, start=dt.date(2022, 1, 10))
    response = office_client.post(
        reverse("admin:org_appointment_change", args=[other.pk]),
        {"post": post.pk, "person": me.pk, "start": "2022-01-10", "end": "", "note": ""},
    )
    assert response.status_code == 200 and not Appointment.objects.filter(person=me).exists()
    # another person he appoints as before
    someone = UserFactory()
    response = office_client.post(
        reverse("admin:org_appointment_change", args=[other.pk]),
        {"post": post.pk, "person": someone.pk, "start": "2022-01-10", "end": "", "note": ""},
    )
    assert response.status_code == 302 and Appointment.objects.get(pk=other.pk).person == someone


def test_sec_1_office_staff_cannot_make_their_own_post_act_for_another(client):
    """An arrangement entered by a clerk of the office that makes his own post act for a unit's head (or the office
    director) gave him that post's queue and signature: an account never designates itself."""
    d = small_district()
    staff = d.people["staff"]
    User.objects.filter(pk=staff.pk).update(is_staff=True)
    client.force_login(User.objects.get(pk=staff.pk))
    for absent in ("head_a", "director"):
        response = client.post(
            reverse("admin:org_actingarrangement_add"),
            {
                "absent_post": d.posts[absent].pk,
                "acting_post": d.posts["staff"].pk,
                "kind": "designated",
                "start": "2026-03-02",
                "end": "2026-03-06",
                "reason": "外出学习",
                "designated_by": d.people["head"].pk,
            },  # fmt: skip
        )
        assert response.status_code == 200 and "本人" in response.text, absent
    assert not ActingArrangement.objects.exists()


def test_sec_1_office_staff_cannot_change_the_post_they_hold(client):
    """Turning one's own post into a unit's head (or moving it to another unit) gave its holder that unit's queue and
    signature: the post one holds is changed by another clerk."""
    d = small_district()
    staff = d.people["staff"]
    User.objects.filter(pk=staff.pk).update(is_staff=True)
    client.force_login(User.objects.get(pk=staff.pk))
    post = d.posts["staff"]
    data = {
        "kind": Post.Kind.UNIT_HEAD,
        "unit": d.posts["head_a"].unit_id,
        "title": post.title,
        "order": post.order,
        **inline_management("appointments", 0, 0),
    }
    response = client.post(reverse("admin:org_post_change", args=[post.pk]), data)
    assert response.status_code == 200 and "本人担任的职务" in response.text
    post.refresh_from_db()
    assert post.kind == Post.Kind.OFFICE_STAFF
    # another's post he keeps as before
    other = d.posts["clerk_b"]
    data = {"kind": other.kind, "unit": other.unit_id, "title": "司法局文书（改）", "order": other.order,
            **inline_management("appointments", 0, 0)}  # fmt: skip
    assert client.post(reverse("admin:org_post_change", args=[other.pk]), data).status_code == 302

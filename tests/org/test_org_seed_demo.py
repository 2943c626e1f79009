"""The demo district: idempotent, complete (a head and a clerk everywhere, every unit in one portfolio)."""

import datetime as dt
from io import StringIO

import pytest
from django.contrib.auth.models import Group
from django.core.management import CommandError, call_command
from django.urls import reverse
from django.utils import timezone

from tiexi_gov.org import selectors
from tiexi_gov.org.demo import build_demo_district
from tiexi_gov.org.models import ActingArrangement, Appointment, Portfolio, Post, Unit, User
from tiexi_gov.org.roles import SEPARATED_ADMIN_ROLES, Role

pytestmark = pytest.mark.django_db
PASSWORD = "demo-Pass-2026"


@pytest.fixture
def demo():
    return build_demo_district(PASSWORD)


def counts():
    return {
        "units": Unit.objects.count(),
        "posts": Post.objects.count(),
        "appointments": Appointment.objects.count(),
        "portfolios": Portfolio.objects.count(),
        "acting": ActingArrangement.objects.count(),
        "users": User.objects.count(),
        "groups": Group.objects.count(),
        "memberships": User.groups.through.objects.count(),
        "passwords": sorted(User.objects.values_list("password", flat=True)),
    }


def test_seed_demo_is_idempotent(demo):
    first = counts()
    assert build_demo_district(PASSWORD) == demo
    assert counts() == first


def test_seed_demo_command_refuses_production_settings_without_force(settings):
    settings.DEBUG = False
    with pytest.raises(CommandError, match="拒绝写入演示数据"):
        call_command("seed_demo", password=PASSWORD)
    assert not Unit.objects.exists()


def test_seed_demo_command_runs_twice_and_prints_the_logins(settings):
    settings.DEBUG = True
    out = StringIO()
    call_command("seed_demo", password=PASSWORD, stdout=out)
    first = counts()
    call_command("seed_demo", password=PASSWORD, stdout=StringIO())
    assert counts() == first
    text = out.getvalue()
    for username in ("quzhang", "changwu", "fuquzhang1", "bangongshi_zhuren", "fgj_wenshu", "shenji_admin"):
        assert username in text
    assert f"以上账号的密码：{PASSWORD}" in text


def test_seed_demo_password_comes_from_the_environment_or_is_random(settings, monkeypatch):
    settings.DEBUG = True
    monkeypatch.setenv("DEMO_PASSWORD", "from-Env-2026")
    out = StringIO()
    call_command("seed_demo", stdout=out)
    assert "from-Env-2026" in out.getvalue()
    assert User.objects.get(username="quzhang").check_password("from-Env-2026")
    monkeypatch.delenv("DEMO_PASSWORD")
    out = StringIO()
    call_command("seed_demo", stdout=out)
    generated = out.getvalue().strip().rsplit("：", 1)[1]
    assert generated != "from-Env-2026" and len(generated) >= 12
    assert User.objects.get(username="fgj_wenshu").check_password(generated)


def test_seed_demo_every_unit_has_a_head_and_a_clerk_today(demo):
    today = timezone.localdate()
    for unit in Unit.objects.all():
        head = selectors.unit_head_post(unit)
        assert head is not None and selectors.holder_of(head, today) is not None, unit
        if unit.kind == Unit.Kind.GOVERNMENT:
            continue  # the office clerks for the government
        clerks = Post.objects.filter(unit=unit, kind=Post.Kind.CLERK)
        assert any(selectors.holder_of(p, today) for p in clerks), unit


def test_seed_demo_every_unit_is_in_exactly_one_leaders_portfolio(demo):
    today = timezone.localdate()
    leader_posts = set(Post.objects.filter(kind__in=Post.LEADER_KINDS))
    for unit in Unit.objects.exclude(kind__in=[Unit.Kind.GOVERNMENT, Unit.Kind.EXTERNAL]):
        portfolios = list(Portfolio.objects.on(today).filter(unit=unit))
        assert len(portfolios) == 1, unit
        assert portfolios[0].post in leader_posts
        assert selectors.leader_for_unit(unit, today).post == portfolios[0].post


def test_seed_demo_has_the_units_and_leaders_the_rules_name(demo):
    for short in ("区政府办公室", "发改局", "财政局", "信访局", "审计局", "司法局", "平西乡", "区纪委监委"):
        assert Unit.objects.filter(short_name=short).exists(), short
    assert Unit.objects.get(short_name="区纪委监委").kind == Unit.Kind.EXTERNAL
    assert Unit.objects.filter(kind=Unit.Kind.STREET).count() >= 3
    assert Unit.objects.filter(kind=Unit.Kind.DEPARTMENT).count() >= 17
    assert Post.objects.filter(kind=Post.Kind.HEAD).count() == 1
    assert Post.objects.filter(kind=Post.Kind.EXEC_DEPUTY).count() == 1
    assert 4 <= Post.objects.filter(kind=Post.Kind.DEPUTY).count() <= 5
    judicial = selectors.judicial_deputy_post()
    today = timezone.localdate()
    assert Unit.objects.get(short_name="司法局") in selectors.portfolio_units(judicial, today)
    assert Post.objects.filter(kind=Post.Kind.OFFICE_DEPUTY_DIRECTOR).count() >= 2
    assert Post.objects.filter(kind=Post.Kind.UNIT_DEPUTY, may_sign=True).exists()
    assert Post.objects.filter(kind=Post.Kind.UNIT_DEPUTY, may_sign=False).exists()


def test_seed_demo_keeps_a_history_of_the_division_of_work(demo):
    wlj = Unit.objects.get(short_name="文旅局")
    before = selectors.leader_for_unit(wlj, dt.date(2024, 2, 29)).person.username
    after = selectors.leader_for_unit(wlj, dt.date(2024, 3, 1)).person.username
    assert (before, after) == ("fuquzhang2", "fuquzhang3")
    czj_head = selectors.unit_head_post(Unit.objects.get(short_name="财政局"))
    assert selectors.holder_of(czj_head, dt.date(2023, 6, 30)).username == "czj_juzhang_qianren"
    assert selectors.holder_of(czj_head, dt.date(2023, 7, 1)).username == "czj_juzhang"


ROLE_OF = {
    "head": Role.DISTRICT_HEAD,
    "exec_deputy": Role.DEPUTY_HEAD,
    "deputy1": Role.DEPUTY_HEAD,
    "deputy4": Role.DEPUTY_HEAD,
    "office_director": Role.OFFICE_DIRECTOR,
    "office_deputy_director": Role.OFFICE_STAFF,
    "office_staff": Role.OFFICE_STAFF,
    "calendar_admin": Role.CALENDAR_ADMIN,
    "system_admin": Role.SYSTEM_ADMIN,
    "security_admin": Role.SECURITY_ADMIN,
    "audit_admin": Role.AUDIT_ADMIN,
    "unit_head": Role.UNIT_HEAD,
    "unit_deputy": Role.UNIT_HEAD,
    "clerk": Role.CLERK,
}


def test_seed_demo_gives_one_login_per_role_in_the_right_group(demo, client):
    for key, role in ROLE_OF.items():
        user = User.objects.get(username=demo[key])
        assert user.groups.filter(name=str(role)).exists(), key
    separated = {str(r) for r in SEPARATED_ADMIN_ROLES}
    for user in User.objects.prefetch_related("groups"):
        assert len({g.name for g in user.groups.all()} & separated) <= 1, user.username
    assert client.login(username=demo["clerk"], password=PASSWORD)
    assert client.get(reverse("org:directory")).status_code == 200
    assert client.get(reverse("org:unit", args=["fgj"])).status_code == 200
    assert client.get(reverse("org:unit", args=["czj"])).status_code == 404


def test_seed_demo_directory_shows_the_whole_division_of_work(demo, client, django_assert_max_num_queries):
    client.force_login(User.objects.get(username=demo["office_staff"]))
    with django_assert_max_num_queries(15):
        page = client.get(reverse("org:directory")).text
    for text in ("王立新", "常务副区长", "分管司法工作", "审计局", "平西乡", "北沟街道", "周建军"):
        assert text in page
    assert "没有明确分管领导" not in page
    with django_assert_max_num_queries(25):
        assert client.get(reverse("org:unit", args=["fgj"])).status_code == 200

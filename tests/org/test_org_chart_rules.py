"""ORG-1..4 and LEAVE-4: posts over time, portfolios, acting, units and signing authority."""

import datetime as dt

import pytest
from django.core.exceptions import ValidationError
from org_support import MAR_1, MAR_2, MAR_6, MAR_7, small_district

from tests.factories import (
    ActingArrangementFactory,
    AppointmentFactory,
    PostFactory,
    UnitFactory,
    UserFactory,
    appoint,
)
from tiexi_gov.org import selectors
from tiexi_gov.org.models import ActingArrangement, Appointment, Portfolio, Post, Unit

pytestmark = pytest.mark.django_db


# --- ORG-1: posts have start/end dates -------------------------------------------------------------------------


def test_org_1_holder_changes_on_the_appointment_dates():
    post = PostFactory(kind=Post.Kind.UNIT_HEAD, title="财政局局长")
    old, new = UserFactory(), UserFactory()
    AppointmentFactory(post=post, person=old, start=dt.date(2022, 1, 10), end=dt.date(2025, 6, 30))
    AppointmentFactory(post=post, person=new, start=dt.date(2025, 7, 1))

    assert selectors.holder_of(post, dt.date(2022, 1, 9)) is None
    assert selectors.holder_of(post, dt.date(2022, 1, 10)) == old
    assert selectors.holder_of(post, dt.date(2025, 6, 30)) == old
    assert selectors.holder_of(post, dt.date(2025, 7, 1)) == new
    assert selectors.posts_held_by(old, dt.date(2025, 7, 1)) == []
    assert selectors.posts_held_by(new, dt.date(2025, 7, 1)) == [post]


def test_org_1_overlapping_appointment_is_refused():
    post = PostFactory(kind=Post.Kind.UNIT_HEAD)
    AppointmentFactory(post=post, start=dt.date(2022, 1, 10))  # open-ended
    clash = Appointment(post=post, person=UserFactory(), start=dt.date(2025, 7, 1))
    with pytest.raises(ValidationError, match="同一职务在这段时间已有任职人"):
        clash.full_clean()
    before = Appointment(post=post, person=UserFactory(), start=dt.date(2020, 1, 1), end=dt.date(2022, 1, 10))
    with pytest.raises(ValidationError):
        before.full_clean()
    # ending the predecessor first makes room for the successor
    Appointment.objects.filter(post=post).update(end=dt.date(2025, 6, 30))
    clash.full_clean()


def test_org_1_end_before_start_is_refused():
    appt = Appointment(post=PostFactory(), person=UserFactory(), start=dt.date(2025, 7, 1), end=dt.date(2025, 6, 1))
    with pytest.raises(ValidationError, match="截止日期不能早于起始日期"):
        appt.full_clean()


# --- ORG-2: portfolios route a unit's matters to its deputy, and keep their history -----------------------------


def test_org_2_leader_for_unit_is_the_deputy_whose_portfolio_covers_it():
    d = small_district()
    handler = selectors.leader_for_unit(d.unit_a, MAR_1)
    assert handler.person == d.people["deputy"]
    assert handler.post == d.posts["deputy"]
    assert handler.capacity == "本职"
    assert selectors.leader_for_unit(d.unit_b, MAR_1).person == d.people["other_deputy"]
    # a unit in nobody's portfolio goes to the head
    assert selectors.leader_for_unit(d.unit_c, MAR_1).person == d.people["head"]


def test_org_2_change_of_division_of_work_keeps_the_old_answer_for_earlier_days():
    d = small_district()
    Portfolio.objects.filter(unit=d.unit_a).update(end=dt.date(2026, 2, 28))
    moved = Portfolio(post=d.posts["other_deputy"], unit=d.unit_a, start=MAR_1)
    moved.full_clean()
    moved.save()

    assert selectors.leader_for_unit(d.unit_a, dt.date(2026, 2, 28)).person == d.people["deputy"]
    assert selectors.leader_for_unit(d.unit_a, MAR_1).person == d.people["other_deputy"]
    assert selectors.leader_for_unit(d.unit_a, dt.date(2025, 1, 1)).person == d.people["deputy"]
    assert d.unit_a in selectors.portfolio_units(d.posts["deputy"], dt.date(2026, 2, 28))
    assert d.unit_a not in selectors.portfolio_units(d.posts["deputy"], MAR_1)


def test_org_2_overlapping_portfolio_is_refused():
    d = small_district()
    clash = Portfolio(post=d.posts["other_deputy"], unit=d.unit_a, start=MAR_1)
    with pytest.raises(ValidationError, match="该单位在这段时间已有分管领导"):
        clash.full_clean()


def test_org_2_division_of_work_lists_each_leader_with_their_units_and_the_unassigned():
    d = small_district()
    division = selectors.division_of_work(MAR_1)
    assert [e.post for e in division.leaders] == [d.posts[k] for k in ("head", "exec", "deputy", "other_deputy")]
    units = {e.post.pk: e.units for e in division.leaders}
    assert units[d.posts["deputy"].pk] == [d.unit_a]
    assert units[d.posts["exec"].pk] == [d.office]
    assert d.unit_c in division.unassigned and d.gov not in division.unassigned
    assert [h.post for h in division.office] == [d.posts["director"]]


# --- ORG-3 / LEAVE-4: acting --------------------------------------------------------------------------------------


def _deputy_away(d, start=MAR_2, end=MAR_6):
    return ActingArrangementFactory(
        absent_post=d.posts["deputy"], acting_post=d.posts["other_deputy"], start=start, end=end
    )


def test_org_3_deputy_absence_routes_their_units_to_the_acting_deputy_for_exactly_those_dates():
    d = small_district()
    _deputy_away(d)
    day_before = selectors.leader_for_unit(d.unit_a, MAR_1)
    assert (day_before.person, day_before.capacity) == (d.people["deputy"], "本职")
    for day in (MAR_2, dt.date(2026, 3, 4), MAR_6):
        handler = selectors.leader_for_unit(d.unit_a, day)
        assert handler.person == d.people["other_deputy"]
        assert handler.capacity == "代副区长"
        assert handler.absent_person == d.people["deputy"]
        assert handler.via_post == d.posts["other_deputy"]
    day_after = selectors.leader_for_unit(d.unit_a, MAR_7)
    assert (day_after.person, day_after.capacity) == (d.people["deputy"], "本职")


def test_leave_4_acting_deputy_receives_the_absent_deputys_queue_only_for_its_dates():
    d = small_district()
    _deputy_away(d)
    acting = selectors.posts_handled_by(d.people["other_deputy"], MAR_2)
    assert {h.post for h in acting} == {d.posts["other_deputy"], d.posts["deputy"]}
    assert [h.capacity for h in acting if h.post == d.posts["deputy"]] == ["代副区长"]
    # the absent deputy's own queue is with the acting one while away
    assert selectors.posts_handled_by(d.people["deputy"], MAR_2) == []
    assert [h.post for h in selectors.posts_handled_by(d.people["other_deputy"], MAR_7)] == [d.posts["other_deputy"]]
    assert [h.post for h in selectors.posts_handled_by(d.people["deputy"], MAR_7)] == [d.posts["deputy"]]


def test_org_3_head_away_routes_to_the_executive_deputy_entrusted_to_preside():
    d = small_district()
    ActingArrangementFactory(
        absent_post=d.posts["head"],
        acting_post=d.posts["exec"],
        kind=ActingArrangement.Kind.ENTRUSTED,
        start=MAR_2,
        end=MAR_6,
    ).full_clean()
    handler = selectors.leader_for_unit(d.unit_c, MAR_2)  # unit_c is the head's
    assert handler.person == d.people["exec"]
    assert handler.capacity == "受区长委托主持工作"
    assert selectors.leader_for_unit(d.unit_c, MAR_7).person == d.people["head"]


def test_org_3_acting_for_the_head_by_a_non_executive_deputy_is_refused():
    d = small_district()
    arrangement = ActingArrangement(
        absent_post=d.posts["head"],
        acting_post=d.posts["deputy"],
        kind=ActingArrangement.Kind.ENTRUSTED,
        start=MAR_2,
        end=MAR_6,
    )
    with pytest.raises(ValidationError, match="区长外出期间，由负责常务工作的副区长受委托主持工作"):
        arrangement.full_clean()


@pytest.mark.parametrize(
    ("absent", "acting", "kind", "message"),
    [
        ("deputy", "head_a", "designated", "副区长外出期间，由区长指定其他副区长代理"),
        ("deputy", "deputy", "designated", "代理人不能是外出领导本人"),
        ("deputy", "other_deputy", "entrusted", "只用于区长外出"),
        ("head", "exec", "designated", "受委托主持工作"),
    ],
)
def test_org_3_acting_rules_are_checked(absent, acting, kind, message):
    d = small_district()
    arrangement = ActingArrangement(
        absent_post=d.posts[absent], acting_post=d.posts[acting], kind=kind, start=MAR_2, end=MAR_6
    )
    with pytest.raises(ValidationError, match=message):
        arrangement.full_clean()


def test_org_3_overlapping_acting_arrangements_are_refused_unless_cancelled():
    d = small_district()
    first = _deputy_away(d)
    second = ActingArrangement(absent_post=d.posts["deputy"], acting_post=d.posts["exec"], start=MAR_6, end=MAR_7)
    with pytest.raises(ValidationError, match="这段时间已有该领导的代理安排"):
        second.full_clean()
    first.cancelled = True
    first.save()
    second.full_clean()
    # a cancelled arrangement routes nothing
    assert selectors.leader_for_unit(d.unit_a, MAR_2).person == d.people["deputy"]


def test_org_3_posts_handled_by_includes_the_acted_for_post_for_a_unit_head_too():
    unit = UnitFactory()
    head_post, head = appoint(Post.Kind.UNIT_HEAD, unit=unit, title="教育局局长")
    deputy_post, deputy = appoint(Post.Kind.UNIT_DEPUTY, unit=unit, title="教育局副局长")
    ActingArrangementFactory(absent_post=head_post, acting_post=deputy_post, start=MAR_2, end=MAR_6)
    handled = selectors.posts_handled_by(deputy, MAR_2)
    assert {h.post for h in handled} == {head_post, deputy_post}
    assert next(h for h in handled if h.post == head_post).capacity == "代教育局局长"


def test_org_3_bulk_handlers_match_who_handles_including_a_chain_of_absences():
    d = small_district()
    _deputy_away(d, start=MAR_2, end=MAR_7)
    # the acting deputy is away too on 6-7 March: the executive deputy acts for both
    ActingArrangementFactory(absent_post=d.posts["other_deputy"], acting_post=d.posts["exec"], start=MAR_6, end=MAR_7)
    posts = list(Post.objects.all())
    for day in (MAR_1, MAR_2, MAR_6, MAR_7, dt.date(2026, 3, 8)):
        bulk = selectors.handlers_for_posts(posts, day)
        for post in posts:
            assert bulk[post.pk] == selectors.who_handles(post, day), (post, day)
    assert selectors.who_handles(d.posts["deputy"], MAR_6).person == d.people["exec"]


# --- ORG-4: units and signing authority ---------------------------------------------------------------------------


def test_org_4_every_kind_of_unit_has_a_main_head_post():
    d = small_district()
    assert selectors.unit_head_post(d.unit_a) == d.posts["head_a"]
    assert selectors.unit_head_post(d.office) == d.posts["director"]
    assert selectors.unit_head_post(d.gov) == d.posts["head"]
    assert selectors.unit_head_post(d.unit_c) is None
    assert {k for k, _ in Unit.Kind.choices} >= {
        "government",
        "office",
        "department",
        "affiliated",
        "institution",
        "township",
        "street",
        "external",
    }


def test_org_4_unit_overview_separates_deputies_authorized_to_sign():
    d = small_district()
    overview = selectors.unit_overview(d.unit_a, MAR_1)
    assert overview.head.post == d.posts["head_a"]
    assert [h.post for h in overview.signing_deputies] == [d.posts["deputy_a"]]
    assert [h.post for h in overview.other_deputies] == [d.posts["deputy_a2"]]
    assert overview.leader.person == d.people["deputy"]
    assert {h.person for h in overview.posts} >= {d.people["head_a"], d.people["clerk_a"]}


def test_org_4_a_vacant_post_shows_no_holder():
    post = PostFactory(kind=Post.Kind.UNIT_DEPUTY, may_sign=True)
    overview = selectors.unit_overview(post.unit, MAR_1)
    assert overview.signing_deputies[0].person is None
    assert overview.head is None


def test_org_2_a_portfolio_hangs_on_a_leader_post_only():
    clerk_post = PostFactory(kind=Post.Kind.CLERK)
    portfolio = Portfolio(post=clerk_post, unit=UnitFactory(), start=MAR_1)
    with pytest.raises(ValidationError) as error:
        portfolio.full_clean()
    assert "post" in error.value.message_dict

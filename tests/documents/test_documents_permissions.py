"""Who sees what (X-2) — can_view and the SQL of visible_submissions must agree — and queue speed."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone
from documents_support import DAY, draft, in_leader_review, submitted

from documents.models import Submission, Urgency
from documents.submissions import permissions, selectors, services
from tests.factories import UserFactory
from tiexi_gov.org.roles import Role
from tiexi_gov.workflow.errors import NotAllowed

pytestmark = [pytest.mark.postgres, pytest.mark.django_db]

VIEWERS = ("fin_clerk", "fin_other", "dev_clerk", "staff", "director", "dep_a", "dep_b", "head", "outsider")


def _visible_to(w, sub) -> dict[str, bool]:
    out = {}
    for name in VIEWERS:
        user = getattr(w, name)
        one = permissions.can_view(user, Submission.objects.get(pk=sub.pk))
        sql = selectors.visible_submissions(user, DAY).filter(pk=sub.pk).exists()
        assert one == sql, (name, one, sql)
        # The lookup an action is posted through (a leader's shorter query first, issue 14.3) agrees with the twin.
        today_sql = selectors.visible_submissions(user).filter(pk=sub.pk).exists()
        assert (selectors.submission_for_action(user, sub.pk) is not None) == today_sql, (name, today_sql)
        out[name] = one
    return out


def _expect(**allowed) -> dict[str, bool]:
    return {name: allowed.get(name, False) for name in VIEWERS}


def test_x_2_permission_matrix_through_the_flow(world):
    sub = draft(world)
    assert _visible_to(world, sub) == _expect(fin_clerk=True, fin_other=True)
    services.request_consultation(actor=world.fin_clerk, submission=sub, units=[world.dev], today=DAY)
    assert _visible_to(world, sub) == _expect(fin_clerk=True, fin_other=True, dev_clerk=True)
    other = submitted(world, title="另一件")
    assert _visible_to(world, other) == _expect(fin_clerk=True, fin_other=True, staff=True, director=True)
    routed = in_leader_review(world, title="第三件")
    assert _visible_to(world, routed) == _expect(fin_clerk=True, fin_other=True, staff=True, director=True, dep_a=True)


def test_x_2_passed_item_stays_visible_to_the_leader_who_handled_it(world):
    sub = in_leader_review(world)
    services.leader_decide(
        actor=world.dep_a, submission=sub, decision="pass", opinion="转", to_post=world.dep_b_post, today=DAY
    )
    seen = _visible_to(world, sub)
    assert seen["dep_a"] and seen["dep_b"] and not seen["head"]


def test_x_2_confidential_item_only_for_named_readers(world):
    sub = draft(world, confidential=True)
    assert _visible_to(world, sub) == _expect(fin_clerk=True)  # the drafter is named automatically
    services.grant_reader(actor=world.fin_clerk, submission=sub, user=world.fin_head)
    assert permissions.can_view(world.fin_head, sub) and not permissions.can_view(world.fin_other, sub)
    # A global permission grants nothing (DESIGN trap): object grants only.
    from django.contrib.auth.models import Permission

    world.fin_other.user_permissions.add(Permission.objects.get(codename="read_submission"))
    fresh = type(world.fin_other).objects.get(pk=world.fin_other.pk)
    assert not permissions.can_view(fresh, sub)
    assert not selectors.visible_submissions(fresh, DAY).filter(pk=sub.pk).exists()


def test_x_2_confidential_item_reaches_the_leader_it_is_routed_to(world):
    sub = draft(world, confidential=True)
    services.grant_reader(actor=world.fin_clerk, submission=sub, user=world.fin_head)
    services.grant_reader(actor=world.fin_clerk, submission=sub, user=world.staff)
    services.grant_reader(actor=world.fin_clerk, submission=sub, user=world.deputy_director)
    services.grant_reader(actor=world.fin_clerk, submission=sub, user=world.director)
    sub = services.send_for_signature(actor=world.fin_clerk, submission=sub, today=DAY)
    sub = services.sign_submission(actor=world.fin_head, submission=sub, today=DAY)
    sub = services.submit_to_office(actor=world.fin_clerk, submission=sub, today=DAY)
    assert not permissions.can_view(world.staff2, sub)  # office staff not named
    services.register(actor=world.staff, submission=sub, today=DAY)
    sub.refresh_from_db()
    services.office_review_opinion(actor=world.deputy_director, submission=sub, opinion="拟呈", today=DAY)
    sub.refresh_from_db()
    services.office_review_opinion(actor=world.director, submission=sub, opinion="同意", today=DAY)
    sub.refresh_from_db()
    services.route_to_leader(actor=world.staff, submission=sub, today=DAY)
    seen = _visible_to(world, sub)
    assert seen["dep_a"] and seen["staff"] and not seen["dep_b"] and not seen["fin_other"]


def test_x_2_an_action_on_an_item_not_routed_to_the_leader_falls_back_to_the_whole_twin(world):
    """A leader's action lookup asks first whether the item reached a post they handle; when it did not, the whole
    visibility question decides: the head sees nothing of a deputy's item, an inactive deputy nothing at all, and a
    guessed id is None for everyone."""
    sub = in_leader_review(world)
    permissions.handled_post_ids(world.dep_a, timezone.localdate())  # as in a request: the posts are read already
    with CaptureQueriesContext(connection) as reached:
        assert selectors.submission_for_action(world.dep_a, sub.pk).pk == sub.pk
    assert len(reached) == 1 and "documents_consultationrequest" not in reached[0]["sql"]  # the shorter question
    with CaptureQueriesContext(connection) as whole:
        assert selectors.submission_for_action(world.head, sub.pk) is None
    assert "documents_consultationrequest" in whole[-1]["sql"]  # not reached: the whole twin answered
    assert selectors.submission_for_action(world.dep_b, sub.pk) is None
    assert selectors.submission_for_action(world.dep_a, sub.pk + 10_000) is None
    world.dep_a.is_active = False
    world.dep_a.save()
    inactive = type(world.dep_a).objects.get(pk=world.dep_a.pk)
    assert selectors.submission_for_action(inactive, sub.pk) is None


def test_x_2_actions_refused_to_others(world):
    sub = draft(world)
    with pytest.raises(NotAllowed):
        services.request_consultation(actor=world.outsider, submission=sub, units=[world.dev], today=DAY)
    with pytest.raises(NotAllowed):
        services.update_draft(actor=world.dev_clerk, submission=sub, title="篡改")
    sub = submitted(world, title="待登记")
    with pytest.raises(NotAllowed):
        services.register(actor=world.fin_clerk, submission=sub, today=DAY)
    with pytest.raises(NotAllowed):
        services.return_submission(actor=world.dep_a, submission=sub, reason="other", text="x")


def test_x_2_anonymous_and_inactive_see_nothing(world):
    from django.contrib.auth.models import AnonymousUser

    sub = submitted(world)
    assert not permissions.can_view(AnonymousUser(), sub)
    world.staff.is_active = False
    world.staff.save()
    assert not permissions.can_view(world.staff, sub)
    assert not selectors.visible_submissions(AnonymousUser()).exists()


def _fill_queue(w, n):
    for i in range(n):
        in_leader_review(w, title=f"排队{i}", urgency=Urgency.URGENT if i % 3 == 0 else Urgency.NORMAL)


def _read_queue(user):
    rows = list(selectors.leader_queue(user, DAY))
    for a in rows:
        (a.submission.unit.name, a.slip.number, a.post.title, a.submission.get_urgency_display())
    return rows


def test_leader_queue_sorted_by_urgency_then_due_with_constant_queries(world, django_assert_max_num_queries):
    _fill_queue(world, 3)
    leader = type(world.dep_a).objects.get(pk=world.dep_a.pk)
    with django_assert_max_num_queries(8) as small:
        rows = _read_queue(leader)
    assert len(rows) == 3
    _fill_queue(world, 12)
    leader = type(world.dep_a).objects.get(pk=world.dep_a.pk)
    with django_assert_max_num_queries(len(small.captured_queries)):
        rows = _read_queue(leader)
    assert len(rows) == 15
    keys = [(a.urgency_rank, a.due) for a in rows]
    assert keys == sorted(keys)
    assert rows[0].submission.urgency == Urgency.URGENT


def test_visible_submissions_constant_queries(world, django_assert_max_num_queries):
    for i in range(3):
        submitted(world, title=f"列表{i}")
    user = UserFactory(unit=world.office, roles=[Role.OFFICE_STAFF])
    with django_assert_max_num_queries(8) as small:
        rows = [(s.unit.name, s.drafted_by.display_name) for s in selectors.visible_submissions(user, DAY)]
    for i in range(10):
        submitted(world, title=f"更多{i}")
    user = type(user).objects.get(pk=user.pk)
    with django_assert_max_num_queries(len(small.captured_queries)):
        rows = [(s.unit.name, s.drafted_by.display_name) for s in selectors.visible_submissions(user, DAY)]
    assert len(rows) == 13

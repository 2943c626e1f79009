"""SUP-4 (第五十条): from a supervision conclusion the office proposes praise, incentive, criticism or
accountability with its grounds; the district leader it names approves; the outcome stays on the unit's record."""

from __future__ import annotations

import datetime as dt

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone
from supervision_support import DAY, make_item

from supervision.ledger import services
from supervision.models import Outcome
from supervision.outcomes import services as outcome_services
from tests.factories import ActingArrangementFactory
from tiexi_gov.audit.models import Event

pytestmark = [pytest.mark.postgres, pytest.mark.django_db]


@pytest.fixture
def today():
    return timezone.localdate()


def _overdue_item(w, today, **overrides):
    """An issued item whose due day passed ten days ago (the overdue fact is the conclusion)."""
    fields = {"today": today - dt.timedelta(days=40), "due": today - dt.timedelta(days=10)}
    fields.update(overrides)
    return make_item(w, **fields)


def _propose(w, item, *, today, kind=Outcome.OutcomeKind.CRITICISM, **kwargs):
    return outcome_services.propose_outcome(
        actor=w.staff, item=item, kind=kind, grounds="逾期10天未完成，经复查属实", today=today, **kwargs
    )


def _messages(response) -> list[str]:
    return [str(m) for m in response.context["messages"]] if response.context else []


def test_sup_4_office_proposes_outcome_and_district_leader_approves(world):
    item = make_item(world)  # issued on DAY, due in a month, 李副区长 in charge
    with pytest.raises(services.SupervisionError, match="第五十条"):
        _propose(world, item, today=DAY)  # still on track: no conclusion to act on
    with pytest.raises(services.ActionNotAllowed):
        outcome_services.propose_outcome(
            actor=world.fin_clerk, item=item, kind="praise", grounds="自荐", today=item.due + dt.timedelta(days=1)
        )
    assert not Outcome.objects.exists()

    late = item.due + dt.timedelta(days=1)
    outcome = _propose(world, item, today=late)
    assert outcome.state == Outcome.State.PROPOSED
    assert outcome.unit == world.fin and outcome.approver_post == world.dep_a_post  # defaults: lead unit, leader

    # Only whoever handles the approver post decides: not the unit, not the office, not another deputy.
    for user in (world.fin_clerk, world.fin_head, world.staff, world.director, world.dep_b, world.head):
        with pytest.raises(services.ActionNotAllowed):
            outcome_services.decide_outcome(actor=user, outcome=outcome, approve=True, today=late)
    outcome.refresh_from_db()
    assert outcome.state == Outcome.State.PROPOSED and outcome.decided_by is None

    approved = outcome_services.decide_outcome(
        actor=world.dep_a, outcome=outcome, approve=True, opinion="同意通报批评", today=late
    )
    assert approved.state == Outcome.State.APPROVED and approved.decided_by == world.dep_a
    assert approved.decided_on == late and approved.decision_opinion == "同意通报批评"
    # On the unit's record, and on the item's history.
    assert list(world.fin.supervision_outcomes.filter(state=Outcome.State.APPROVED)) == [approved]
    assert Event.objects.for_object(item).filter(action="outcome_decided", actor=world.dep_a).exists()
    assert Event.objects.for_object(approved).filter(action="decided", to_state=Outcome.State.APPROVED).exists()
    with pytest.raises(services.AlreadyHandled):
        outcome_services.decide_outcome(
            actor=world.dep_a, outcome=approved, approve=False, opinion="改主意", today=late
        )


def test_sup_4_the_deputy_acting_for_the_approver_decides_during_the_absence(world):
    item = make_item(world)
    late = item.due + dt.timedelta(days=1)
    outcome = _propose(world, item, today=late)
    ActingArrangementFactory(absent_post=world.dep_a_post, acting_post=world.dep_b_post, start=late, end=late)
    with pytest.raises(services.ActionNotAllowed):
        outcome_services.decide_outcome(
            actor=world.dep_b, outcome=outcome, approve=True, today=late - dt.timedelta(days=1)
        )
    done = outcome_services.decide_outcome(actor=world.dep_b, outcome=outcome, approve=True, today=late)
    assert done.state == Outcome.State.APPROVED and done.decided_by == world.dep_b


def test_sup_4_the_outcome_page_says_in_whose_stead_the_acting_deputy_decided(world, client, today):
    """The page named only the acting deputy beside the approver's title; the record says 代副区长…"""
    item = _overdue_item(world, today)
    outcome = _propose(world, item, today=today)
    ActingArrangementFactory(absent_post=world.dep_a_post, acting_post=world.dep_b_post, start=today, end=today)
    outcome_services.decide_outcome(actor=world.dep_b, outcome=outcome, approve=True, today=today)
    client.force_login(world.staff)
    decision = client.get(reverse("supervision:outcome", args=[outcome.pk])).content.decode()
    decision = decision.split('data-testid="decision">')[1].split("</dd>")[0]
    assert f"{world.dep_b.display_name}（代{world.dep_a_post.title}{world.dep_a.display_name}）" in decision


def test_sup_4_rejection_needs_an_opinion(world):
    item = make_item(world)
    late = item.due + dt.timedelta(days=1)
    outcome = _propose(world, item, today=late, kind=Outcome.OutcomeKind.ACCOUNTABILITY)
    with pytest.raises(services.SupervisionError):
        outcome_services.decide_outcome(actor=world.dep_a, outcome=outcome, approve=False, opinion="  ", today=late)
    outcome.refresh_from_db()
    assert outcome.state == Outcome.State.PROPOSED
    rejected = outcome_services.decide_outcome(
        actor=world.dep_a, outcome=outcome, approve=False, opinion="情节轻微，改为约谈", today=late
    )
    assert rejected.state == Outcome.State.REJECTED and rejected.decision_opinion == "情节轻微，改为约谈"
    assert not world.fin.supervision_outcomes.filter(state=Outcome.State.APPROVED).exists()


def test_sup_4_outcome_pages_propose_and_decide(world, client, today):
    item = _overdue_item(world, today)
    client.force_login(world.staff)
    url = reverse("supervision:outcome_new", args=[item.pk])
    form = client.get(url)
    assert form.status_code == 200 and 'data-testid="outcome-not-allowed"' not in form.content.decode()
    response = client.post(
        url,
        {"kind": "criticism", "unit": world.fin.pk, "grounds": "逾期未完成", "approver_post": world.dep_a_post.pk},
    )
    outcome = Outcome.objects.get(item=item)
    assert response.status_code == 302 and response["Location"] == reverse("supervision:outcome", args=[outcome.pk])

    page = reverse("supervision:outcome", args=[outcome.pk])
    decide = reverse("supervision:outcome_decide", args=[outcome.pk])
    # Another deputy sees it (district leaders see all) but may not decide; the unit sees its own.
    for user in (world.dep_b, world.fin_clerk):
        client.force_login(user)
        text = client.get(page).content.decode()
        assert "逾期未完成" in text and 'data-testid="decide-form"' not in text
        response = client.post(decide, {"decision": "approve", "confirm": "on"}, follow=True)
        # SUP-4: the approver named by post and person — "须由副区长审批" told another 副区长 nothing.
        approver = f"须由{world.dep_a_post.title}{world.dep_a.display_name}审批，您无权审批"
        assert any(approver in m for m in _messages(response)), _messages(response)
    for user in (world.other_clerk, world.outsider):
        client.force_login(user)
        assert client.get(page).status_code == 404
        assert client.post(decide, {"decision": "approve", "confirm": "on"}).status_code == 404
    outcome.refresh_from_db()
    assert outcome.state == Outcome.State.PROPOSED

    client.force_login(world.dep_a)
    text = client.get(page).content.decode()
    assert 'data-testid="decide-form"' in text and 'data-testid="timeline-item"' in text
    # No tick, or a rejection without its reason: refused on the form, nothing decided.
    assert 'data-testid="decide-form"' in client.post(decide, {"decision": "approve"}).content.decode()
    response = client.post(decide, {"decision": "reject", "opinion": "", "confirm": "on"})
    assert "不予批准须写明理由" in response.content.decode()
    outcome.refresh_from_db()
    assert outcome.state == Outcome.State.PROPOSED
    response = client.post(decide, {"decision": "approve", "opinion": "同意", "confirm": "on"}, follow=True)
    assert response.redirect_chain[0][1] == 302
    assert f"已批准：批评{world.fin.display_name}。" in _messages(response)  # not 已已批准
    outcome.refresh_from_db()
    assert outcome.state == Outcome.State.APPROVED and outcome.decided_by == world.dep_a
    assert 'data-testid="decide-form"' not in client.get(page).content.decode()


def test_sup_4_the_proposal_form_posted_twice_proposes_one_outcome(world, client, today):
    """The proposal form posted again (a double click, Back and 提交) made a second criticism of the same unit on
    the same item, for the leader to approve twice and the annual assessment to count twice (第五十条、第五十一条).
    While one is pending or approved, the same outcome again is refused; after a refusal it may be proposed anew."""
    item = _overdue_item(world, today)
    client.force_login(world.staff)
    url = reverse("supervision:outcome_new", args=[item.pk])
    data = {"kind": "criticism", "unit": world.fin.pk, "grounds": "逾期未完成", "approver_post": world.dep_a_post.pk}
    assert client.post(url, data).status_code == 302
    events = Event.objects.count()
    again = client.post(url, data)
    assert again.status_code == 200 and "请勿重复提出" in again.content.decode()
    assert Outcome.objects.filter(item=item).count() == 1 and Event.objects.count() == events
    # another kind is another outcome; a rejected one may be proposed again
    assert client.post(url, {**data, "kind": "accountability"}).status_code == 302
    outcome_services.decide_outcome(
        actor=world.dep_a, outcome=Outcome.objects.get(kind="criticism"), approve=False, opinion="证据不足"
    )
    assert client.post(url, data).status_code == 302
    assert Outcome.objects.filter(item=item).count() == 3


def test_sup_4_proposal_for_an_item_on_track_is_refused_with_the_message(world, client, today):
    item = make_item(world, today=today)  # due in a month
    client.force_login(world.staff)
    url = reverse("supervision:outcome_new", args=[item.pk])
    assert 'data-testid="outcome-not-allowed"' in client.get(url).content.decode()
    response = client.post(
        url, {"kind": "praise", "unit": world.fin.pk, "grounds": "提前完成", "approver_post": world.dep_a_post.pk}
    )
    assert response.status_code == 200 and any("第五十条" in m for m in _messages(response))
    assert not Outcome.objects.exists()
    # Only the office proposes.
    client.force_login(world.fin_clerk)
    assert client.get(url).status_code == 404


def test_sup_4_outcome_list_shows_mine_first_each_sees_their_own_and_pages_with_constant_queries(world, client, today):
    item = _overdue_item(world, today)
    for_me = _propose(world, item, today=today, unit=world.fin)  # older, waits for 李副区长
    for_b = _propose(world, item, today=today, unit=world.dev, approver_post=world.dep_b_post)

    client.force_login(world.dep_a)
    text = client.get(reverse("supervision:outcomes")).content.decode()
    first = text.index(reverse("supervision:outcome", args=[for_me.pk]))
    assert first < text.index(reverse("supervision:outcome", args=[for_b.pk])) and "待我审批" in text
    client.force_login(world.dep_b)
    text = client.get(reverse("supervision:outcomes")).content.decode()
    assert text.index(reverse("supervision:outcome", args=[for_b.pk])) < text.index(
        reverse("supervision:outcome", args=[for_me.pk])
    )

    client.force_login(world.fin_clerk)  # a unit sees the outcomes on its own record only
    text = client.get(reverse("supervision:outcomes")).content.decode()
    assert reverse("supervision:outcome", args=[for_me.pk]) in text
    assert reverse("supervision:outcome", args=[for_b.pk]) not in text
    client.force_login(world.outsider)
    assert 'data-testid="outcome-row"' not in client.get(reverse("supervision:outcomes")).content.decode()

    client.force_login(world.director)
    filtered = client.get(reverse("supervision:outcomes"), {"state": "approved"}).content.decode()
    assert 'data-testid="outcome-row"' not in filtered

    def queries() -> int:
        with CaptureQueriesContext(connection) as ctx:
            assert client.get(reverse("supervision:outcomes")).status_code == 200
        return len(ctx.captured_queries)

    small = queries()
    # 25 more rows (the same outcome is proposed once while it is live, so they are written directly)
    Outcome.objects.bulk_create(
        Outcome(
            item=item,
            unit=world.fin,
            kind=("praise", "criticism")[n % 2],
            grounds="逾期10天未完成，经复查属实",
            approver_post=world.dep_a_post,
            proposed_by=world.staff,
            proposed_on=today,
        )
        for n in range(25)
    )
    assert queries() == small
    second = client.get(reverse("supervision:outcomes"), {"page": 2}).content.decode()
    assert second.count('data-testid="outcome-row"') == 27 - 20

"""Opening, closing and sweeping deadlines (X-3, CAL-1, CAL-3)."""

import datetime as dt

import pytest
from deadlines_support import OCT_9, OCT_12, OCT_13, OCT_14, SEP_30, deadline_messages, open_for

from tests.factories import UnitFactory, UserFactory, appoint
from tiexi_gov.audit.models import Event
from tiexi_gov.deadlines import handlers, rules, services
from tiexi_gov.deadlines.models import Deadline
from tiexi_gov.notify.models import Message
from tiexi_gov.org.models import Post
from tiexi_gov.org.roles import Role

pytestmark = pytest.mark.django_db


@pytest.fixture
def handler_calls():
    """Register a handler for PUB-1 for the test (restoring whatever was registered before)."""
    calls = []
    previous = handlers.unregister("PUB-1")

    @handlers.register("PUB-1")
    def reply_overdue(deadline):
        calls.append(deadline.pk)
        services.close_deadline(subject=deadline.subject, rule_id=deadline.rule_id, note="逾期未答复，已转人工处理")

    yield calls
    handlers.unregister("PUB-1")
    if previous is not None:
        handlers.register("PUB-1")(previous)


# --- open / close ---------------------------------------------------------------------------------------


def test_cal_3_x_3_open_deadline_counts_workdays_across_national_day_2026():
    d = open_for(counted_from=SEP_30, workdays=5)
    # 10-01..07 are holidays; 10-08, 10-09, 10-10 (make-up Saturday), 10-12, 10-13 are the five WD.
    assert d.due == OCT_13
    assert d.remind_on == OCT_12  # the working day before
    assert d.provisional is False
    assert d.state == Deadline.State.OPEN
    assert Event.objects.filter(action="deadline_opened", rule_id="DOC-7").count() == 1


def test_x_3_open_deadline_refuses_unknown_rule_and_missing_owner():
    with pytest.raises(rules.UnknownRule):
        open_for(rule_id="DOC-99")
    with pytest.raises(ValueError):
        services.open_deadline(subject=UnitFactory(), rule_id="DOC-7", title="x", counted_from=SEP_30, workdays=5)


@pytest.mark.django_db(transaction=True)
def test_x_3_open_deadline_refuses_to_run_outside_a_transaction():
    with pytest.raises(RuntimeError):
        services.open_deadline(
            subject=UnitFactory(), rule_id="DOC-7", title="x", counted_from=SEP_30, workdays=5, owner_user=UserFactory()
        )
    assert not Deadline.objects.exists()


def test_x_3_fixed_due_date_keeps_its_day():
    d = open_for(due=dt.date(2026, 10, 10))
    assert d.due == dt.date(2026, 10, 10) and d.workdays is None
    assert d.remind_on == OCT_9


def test_x_3_close_on_time_is_met_and_late_close_is_missed():
    unit = UnitFactory()
    on_time = open_for(subject=unit, rule_id="DOC-7", counted_from=dt.date(2030, 1, 2), workdays=5)
    assert services.close_deadline(subject=unit, rule_id="DOC-7", note="已答复") == 1
    on_time.refresh_from_db()
    assert on_time.state == Deadline.State.MET and on_time.closed_at and on_time.close_note == "已答复"

    late = open_for(subject=unit, rule_id="DOC-13", counted_from=SEP_30, workdays=5)  # due 2026-10-13, past
    assert services.close_deadline(subject=unit, rule_id="DOC-13") == 1
    late.refresh_from_db()
    assert late.state == Deadline.State.MISSED
    assert services.close_deadline(subject=unit, rule_id="DOC-13") == 0  # nothing left running


def test_x_3_close_is_judged_on_the_day_the_work_was_done():
    """A service acting on a stated day (an import, a back-dated record) is on time if that day was."""
    unit = UnitFactory()
    d = open_for(subject=unit, rule_id="DOC-13", counted_from=SEP_30, workdays=5)  # due 2026-10-13, past today
    assert services.close_deadline(subject=unit, rule_id="DOC-13", on=OCT_13) == 1
    d.refresh_from_db()
    assert d.state == Deadline.State.MET
    late = open_for(subject=unit, rule_id="DOC-7", counted_from=SEP_30, workdays=5)
    services.close_deadline(subject=unit, rule_id="DOC-7", on=OCT_14)
    late.refresh_from_db()
    assert late.state == Deadline.State.MISSED


def test_x_3_cancel_stops_every_running_clock_of_the_subject():
    unit = UnitFactory()
    open_for(subject=unit, rule_id="DOC-7")
    open_for(subject=unit, rule_id="DOC-13")
    assert services.cancel_deadlines(subject=unit, note="来文已撤回") == 2
    assert set(Deadline.objects.values_list("state", flat=True)) == {Deadline.State.CANCELLED}
    assert Event.objects.filter(action="deadline_cancelled").count() == 2


# --- the sweep --------------------------------------------------------------------------------------------


def test_x_3_reminder_is_sent_the_working_day_before_and_only_then():
    owner = UserFactory()
    d = open_for(owner_user=owner)  # due 10-13
    assert services.sweep(today=OCT_9) == (0, 0, 0)  # two WD before: too early
    assert services.sweep(today=dt.date(2026, 10, 10)).reminded == 0  # the make-up Saturday is not "the day before"
    assert services.sweep(today=OCT_12).reminded == 1
    msg = deadline_messages("remind").get()
    assert msg.recipient == owner and msg.level == Message.Level.REMINDER
    assert "DOC-7" not in msg.body and "第六十条" in msg.body
    d.refresh_from_db()
    assert d.reminded_at is not None and d.state == Deadline.State.OPEN
    assert services.sweep(today=OCT_13) == (0, 0, 0)  # due day: still open, no second reminder


def test_x_3_sweep_run_twice_sends_each_reminder_once():
    owners = UserFactory.create_batch(3)
    for owner in owners:
        open_for(owner_user=owner)
    assert services.sweep(today=OCT_12).reminded == 3
    assert services.sweep(today=OCT_12).reminded == 0
    assert deadline_messages("remind").count() == 3
    assert sorted(deadline_messages("remind").values_list("recipient_id", flat=True)) == sorted(u.pk for u in owners)


def test_x_3_missed_deadline_is_escalated_to_owner_and_office_director():
    _, director = appoint(Post.Kind.OFFICE_DIRECTOR, unit=UnitFactory(kind="office"))
    owner = UserFactory()
    d = open_for(owner_user=owner)
    services.sweep(today=OCT_12)
    assert services.sweep(today=OCT_13).escalated == 0  # the due day itself is not late
    result = services.sweep(today=OCT_14)
    assert result.escalated == 1
    d.refresh_from_db()
    assert d.state == Deadline.State.MISSED and d.escalated_at and d.closed_at is None  # still owed
    assert set(deadline_messages("escalate").values_list("recipient_id", flat=True)) == {owner.pk, director.pk}
    assert deadline_messages("escalate").filter(level=Message.Level.ESCALATION).count() == 2
    event = Event.objects.get(action="deadline_missed")
    assert event.actor is None and event.rule_id == "DOC-7" and (event.from_state, event.to_state) == ("open", "missed")
    assert services.sweep(today=dt.date(2026, 10, 15)).escalated == 0


def test_x_3_office_director_falls_back_to_role_members():
    director = UserFactory(roles=[Role.OFFICE_DIRECTOR])
    open_for()
    services.sweep(today=OCT_14)
    assert deadline_messages("escalate").filter(recipient=director).exists()


def test_x_3_deadline_that_fell_due_while_no_worker_ran_is_escalated_once_and_handler_runs_once(handler_calls):
    owner = UserFactory()
    d = open_for(owner_user=owner, rule_id="PUB-1")  # due 10-13, remind 10-12; no sweep ran on either day
    first = services.sweep(today=dt.date(2026, 10, 20))
    assert first == services.SweepResult(reminded=0, escalated=1, handled=1)
    assert services.sweep(today=dt.date(2026, 10, 21)) == (0, 0, 0)
    assert handler_calls == [d.pk]
    # One escalation, and no stale reminder after it.
    assert deadline_messages("escalate").filter(recipient=owner).count() == 1
    assert not deadline_messages("remind").exists()
    d.refresh_from_db()
    assert d.state == Deadline.State.MISSED and d.closed_at and d.close_note == "逾期未答复，已转人工处理"


def test_x_3_a_failing_handler_does_not_undo_the_escalation():
    previous = handlers.unregister("PUB-1")

    @handlers.register("PUB-1")
    def broken(deadline):
        Deadline.objects.filter(pk=deadline.pk).update(close_note="half-done")
        raise RuntimeError("boom")

    try:
        d = open_for(rule_id="PUB-1")
        assert services.sweep(today=OCT_14) == (0, 1, 0)
    finally:
        handlers.unregister("PUB-1")
        if previous:
            handlers.register("PUB-1")(previous)
    d.refresh_from_db()
    assert d.state == Deadline.State.MISSED and d.close_note == ""  # the handler's savepoint rolled back alone
    assert Event.objects.filter(action="deadline_handler_failed", rule_id="PUB-1").count() == 1


def test_x_3_a_rule_that_settles_its_own_lapse_closes_the_deadline_without_escalation():
    previous = handlers.unregister("PUB-1")
    handlers.register("PUB-1")(lambda deadline: handlers.Settled("按规则视为已办"))
    try:
        owner = UserFactory()
        d = open_for(owner_user=owner, rule_id="PUB-1")
        assert services.sweep(today=OCT_14) == (0, 0, 1)
        assert services.sweep(today=OCT_14) == (0, 0, 0)
    finally:
        handlers.unregister("PUB-1")
        if previous:
            handlers.register("PUB-1")(previous)
    d.refresh_from_db()
    assert d.state == Deadline.State.SETTLED and d.closed_at and d.close_note == "按规则视为已办"
    assert not deadline_messages("escalate").exists()
    assert Event.objects.filter(action="deadline_settled", rule_id="PUB-1").count() == 1


def test_x_3_a_busy_subject_is_left_for_the_next_sweep_not_escalated():
    previous = handlers.unregister("PUB-1")
    busy = {"now": True}

    def handler(deadline):
        if busy["now"]:
            raise handlers.Busy
        return None

    handlers.register("PUB-1")(handler)
    try:
        d = open_for(rule_id="PUB-1")
        assert services.sweep(today=OCT_14) == (0, 0, 0)
        d.refresh_from_db()
        assert d.state == Deadline.State.OPEN and d.escalated_at is None
        busy["now"] = False
        assert services.sweep(today=OCT_14) == (0, 1, 1)
    finally:
        handlers.unregister("PUB-1")
        if previous:
            handlers.register("PUB-1")(previous)
    assert deadline_messages("escalate").count() >= 1


def test_org_3_reminder_for_a_post_goes_to_the_acting_deputy_during_the_absence():
    from tests.factories import ActingArrangementFactory

    absent_post, absent = appoint(Post.Kind.DEPUTY, title="副区长甲")
    acting_post, acting = appoint(Post.Kind.DEPUTY, title="副区长乙")
    ActingArrangementFactory(absent_post=absent_post, acting_post=acting_post, start=OCT_12, end=OCT_12)
    open_for(owner_post=absent_post)
    assert services.sweep(today=OCT_12).reminded == 1
    assert list(deadline_messages("remind").values_list("recipient_id", flat=True)) == [acting.pk]
    # The escalation on 10-14 (absence over) goes to the deputy himself.
    services.sweep(today=OCT_14)
    assert deadline_messages("escalate").filter(recipient=absent).exists()


def test_x_3_unit_deadline_reaches_the_units_clerks_and_head():
    unit = UnitFactory()
    clerk = UserFactory(unit=unit, roles=[Role.CLERK])
    head = UserFactory(unit=unit, roles=[Role.UNIT_HEAD])
    UserFactory(unit=unit)  # a staff member without the role
    open_for(owner_unit=unit)
    services.sweep(today=OCT_12)
    assert set(deadline_messages("remind").values_list("recipient_id", flat=True)) == {clerk.pk, head.pk}


def test_x_3_sweep_finds_work_in_batches_with_few_queries(django_assert_max_num_queries):
    owners = UserFactory.create_batch(5)
    for i in range(40):
        open_for(owner_user=owners[i % 5])
    # 40 rows in batches of 15: a fixed handful of queries per batch, none per row.
    with django_assert_max_num_queries(45):
        assert services.sweep(today=OCT_12, batch_size=15).reminded == 40
    assert deadline_messages("remind").count() == 40


def test_x_3_escalation_links_the_director_to_the_board_where_the_items_page_is_not_his():
    """The office director is told of every missed clock; a unit's draft under consultation is not a page he may
    open, so his message links to the deadline board (which lists the row) instead of a 404. The owner, whose
    item it is, is linked to it; so is the director where the item is one the office keeps."""
    from django.urls import reverse

    from tests.documents.documents_support import build_world, draft

    w = build_world()
    director = w.director
    sub = draft(w, title="单位内部的请示草稿")
    item_url = reverse("documents:detail", args=[sub.pk])
    unit_draft = open_for(subject=sub, owner_user=w.fin_clerk, url=item_url)
    office_kept = open_for(subject=UnitFactory(), owner_user=w.fin_clerk, url="/meetings/")
    assert services.sweep(today=OCT_14).escalated == 2
    sent = {(m.recipient_id, m.key.split(":")[1]): m.url for m in deadline_messages("escalate")}
    assert sent[(director.pk, str(unit_draft.pk))] == reverse("deadlines:board")
    assert sent[(w.fin_clerk.pk, str(unit_draft.pk))] == item_url
    assert sent[(director.pk, str(office_kept.pk))] == "/meetings/"

"""Issue 13.4: the supervision rules checked in Python hold when two office staff act at the same moment.

SUP-5 by reference is held by the database (one open item per normalised reference, whatever the lead unit); SUP-5
by near-identical task by a lock per lead unit that creation and draft edits both take; SUP-2's half-year round by a
lock per round. Real threads, each with its own connection (PostgreSQL in CI, the SQLite file on a laptop)."""

from __future__ import annotations

import datetime as dt

import pytest
from supervision_support import DAY, build_world, make_item

from supervision.ledger import services
from supervision.models import HalfYearReport, SupervisionItem
from supervision.reports.services import open_half_year_round
from tests.race_support import race
from tiexi_gov.org.models import User

pytestmark = [pytest.mark.postgres, pytest.mark.django_db(transaction=True)]

REFUSAL = "重复，不得重复督查（第五十条）"
ROUNDS = 4  # each round a fresh reference or task, raced by two clerks
# Tasks unlike each other (the near-identical-task rule must not join the rounds): two per round.
TASKS = [
    ("完成全区老旧小区改造资金拨付工作", "推进重点项目建设用地手续办理"),
    ("开展安全生产隐患排查整治行动", "落实营商环境优化提升专项方案"),
    ("建立河湖长制巡查考核长效机制", "组织冬季供暖保障应急演练"),
    ("整治校园周边交通秩序和食品安全", "清理拖欠中小企业账款问题"),
]


def _create(w, **fields):
    def call():
        actor = User.objects.get(pk=w.staff.pk)
        return make_item(w, issue=False, **{**fields, "actor": actor})

    return call


def _one_wins(results, errors) -> SupervisionItem:
    assert len(results) == 1 and len(errors) == 1, (results, errors)
    assert isinstance(errors[0], services.DuplicateItem), repr(errors[0])
    assert REFUSAL in str(errors[0])
    assert errors[0].existing.pk == results[0].pk  # the loser is shown the winner's item
    return results[0]


def test_sup_5_same_reference_raced_for_two_lead_units_one_wins():
    """The issue's race: same reference, different lead units, different tasks — once both were registered,
    because the lock taken was the lead unit's row."""
    w = build_world()
    for i in range(ROUNDS):
        ref = f"铁政发〔2026〕{i + 1}号"
        results, errors = race(
            _create(w, source_ref=ref, task=TASKS[i][0], lead_unit=w.fin, cooperating_units=[]),
            _create(w, source_ref=ref, task=TASKS[i][1], lead_unit=w.dev, cooperating_units=[]),
        )
        _one_wins(results, errors)
        assert SupervisionItem.objects.filter(source_ref=ref).count() == 1


def test_sup_5_same_reference_spelled_differently_raced_one_wins():
    """〔〕 against [] or 【】, full-width digits, an extra space: one reference, and the race still has one winner."""
    w = build_world()
    spellings = [
        ("铁政发〔2026〕7号", "铁政发 [2026] 7号"),
        ("区长办公会议纪要【2026】8号", "区长办公会议纪要〔２０２６〕８号"),
        ("铁政办发（2026）9号", "铁政办发〔2026〕9号 "),
    ]
    for i, (a, b) in enumerate(spellings):
        results, errors = race(
            _create(w, source_ref=a, task=TASKS[i][0], lead_unit=w.fin, cooperating_units=[]),
            _create(w, source_ref=b, task=TASKS[i][1], lead_unit=w.dev, cooperating_units=[]),
        )
        _one_wins(results, errors)
    assert SupervisionItem.objects.count() == len(spellings)


def test_sup_5_near_identical_task_raced_for_one_lead_unit_one_wins():
    w = build_world()
    for i in range(ROUNDS):
        results, errors = race(
            _create(w, task=TASKS[i][0], lead_unit=w.fin),
            _create(w, task=f"{TASKS[i][0]}。", lead_unit=w.fin),
        )
        _one_wins(results, errors)
    assert SupervisionItem.objects.filter(lead_unit=w.fin).count() == ROUNDS


def test_sup_5_draft_edited_into_a_near_identical_task_while_another_is_created_one_wins():
    """A draft led by 发改局 is moved to 财政局 with the same task another clerk registers for 财政局 at that moment:
    the edit took no lock of the rule before, so both stood."""
    w = build_world()
    for i in range(ROUNDS):
        task, draft_task = TASKS[i]
        draft = make_item(w, issue=False, task=draft_task, lead_unit=w.dev, cooperating_units=[])

        def edit(draft=draft, task=task):
            actor = User.objects.get(pk=w.staff.pk)
            item = SupervisionItem.objects.get(pk=draft.pk)
            return services.update_draft(actor=actor, item=item, today=DAY, lead_unit=w.fin, task=task)

        results, errors = race(edit, _create(w, task=f"{task}。", lead_unit=w.fin, cooperating_units=[]))
        _one_wins(results, errors)
        assert SupervisionItem.objects.filter(lead_unit=w.fin, task__startswith=task).count() == 1


def test_sup_5_draft_edited_to_a_reference_registered_at_that_moment_one_wins():
    w = build_world()
    for i in range(ROUNDS):
        ref = f"铁政发〔2026〕{20 + i}号"
        draft = make_item(w, issue=False, task=TASKS[i][1], lead_unit=w.dev, cooperating_units=[])

        def edit(draft=draft, ref=ref):
            actor = User.objects.get(pk=w.staff.pk)
            item = SupervisionItem.objects.get(pk=draft.pk)
            return services.update_draft(
                actor=actor, item=item, today=DAY, source_ref=ref.replace("〔", "[").replace("〕", "]")
            )

        results, errors = race(
            edit, _create(w, source_ref=ref, task=TASKS[i][0], lead_unit=w.fin, cooperating_units=[])
        )
        _one_wins(results, errors)
        keys = SupervisionItem.objects.filter(source_key=f"铁政发〔2026〕{20 + i}号")
        assert keys.count() == 1


def test_sup_5_reference_with_extra_space_or_fullwidth_is_the_same():
    w = build_world()
    first = make_item(w, source_ref="铁政发〔2026〕5号", lead_unit=w.fin)
    for typed in (
        "铁政发〔2026〕 5号",
        "铁政发［２０２６］5号",
        "铁政发【2026】5号",
        " 铁政发(2026)5号",
        "铁政发〔2026〕５号",
    ):
        with pytest.raises(services.DuplicateItem) as refused:
            make_item(w, source_ref=typed, task="开展全区营商环境专项整治", lead_unit=w.other, cooperating_units=[])
        assert refused.value.existing == first
    assert SupervisionItem.objects.get().source_ref == "铁政发〔2026〕5号"  # shown as typed, compared normalised
    # A different number is a different reference.
    make_item(
        w, source_ref="铁政发〔2026〕6号", task="开展全区营商环境专项整治", lead_unit=w.other, cooperating_units=[]
    )


def test_sup_5_a_closed_reference_may_be_supervised_again():
    """The constraint covers open items only: a cancelled item's reference is free again (as the check says)."""
    w = build_world()
    first = make_item(w, issue=False, source_ref="铁政发〔2026〕5号")
    services.cancel_item(actor=w.staff, item=first, reason="重复登记", today=DAY)
    again = make_item(w, issue=False, source_ref="铁政发 [2026] 5号")
    assert again.source_key == first.source_key == "铁政发〔2026〕5号"


def test_sup_2_half_year_round_opened_twice_at_once_creates_each_report_once():
    """The beat and an office clerk open the same half-year round at the same moment: one report per unit, no
    error (the second creates none)."""
    w = build_world()

    def open_round(actor_pk):
        return lambda: open_half_year_round(
            actor=User.objects.get(pk=actor_pk) if actor_pk else None, year=2026, half=1, today=dt.date(2026, 6, 1)
        )

    results, errors = race(open_round(w.staff.pk), open_round(None))
    assert not errors, errors
    units = HalfYearReport.objects.filter(year=2026, half=1)
    assert units.count() == units.values("unit").distinct().count() == sum(results) > 0
    assert sorted(results)[0] == 0

"""CRD-5 (第六十八条): each body's office reports its year's targets to the body's head and files them with the
government office by a deadline in working days the office sets (reminded by the sweep); before year end the office
checks completion target by target, and unfinished targets go to the supervision ledger."""

from __future__ import annotations

import datetime as dt
import re

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from coordination.models import AnnualTargets, Rank, Target
from coordination.shared.errors import ActionNotAllowed, CoordinationError
from coordination.upkeep import services as upkeep
from supervision.models import Source, SupervisionItem
from tests.coordination.upkeep_support import make_body
from tiexi_gov.audit.models import Event
from tiexi_gov.deadlines.models import Deadline
from tiexi_gov.deadlines.services import sweep
from tiexi_gov.notify.models import Message
from tiexi_gov.workdays import calendar as wd

pytestmark = pytest.mark.django_db

YEAR = 2026
OPENED = dt.date(2026, 1, 5)
REVIEW_DAY = dt.date(2026, 12, 1)
S = AnnualTargets.State


@pytest.fixture
def bodies(world):
    w = world
    return {
        "safety": make_body(
            "安全生产委员会", host=w.units["司法局"], head=w.judicial_post, members=(w.unit_head_posts["司法局"],)
        ),
        "audit": make_body(
            "审计整改工作领导小组",
            host=w.units["审计局"],
            head=w.unit_head_posts["审计局"],
            members=(w.unit_head_posts["财政局"],),
            rank=Rank.DEPARTMENT,
        ),
    }


def test_crd_5_targets_filed_by_deadline_and_reviewed_before_year_end(world, bodies):
    w = world
    body = bodies["safety"]
    with pytest.raises(ActionNotAllowed):
        upkeep.open_targets(actor=w.clerks["司法局"], year=YEAR, today=OPENED)
    created = upkeep.open_targets(actor=w.staff, year=YEAR, today=OPENED)
    assert {t.body for t in created} == set(bodies.values())
    due = wd.add_workdays(dt.date(YEAR, 1, 1), 15)  # the default: 15 WD after 1 January
    targets = AnnualTargets.objects.get(body=body, year=YEAR)
    assert targets.due == due and targets.state == S.PENDING
    clock = Deadline.objects.get(rule_id="CRD-5", subject_id=str(targets.pk))
    assert clock.due == due and clock.workdays == 15 and clock.owner_unit == w.units["司法局"]
    assert Message.objects.filter(recipient=w.clerks["司法局"], subject__contains="年度工作目标").exists()

    # The sweep reminds the body's office once, the working day before the due day.
    remind_day = wd.subtract_workdays(due, 1)
    key = f"deadline:{clock.pk}:remind:{w.clerks['司法局'].pk}"
    sweep(today=remind_day - dt.timedelta(days=1))
    assert not Message.objects.filter(key=key).exists()
    sweep(today=remind_day)
    sweep(today=remind_day)
    assert Message.objects.filter(key=key).count() == 1

    # Filing needs the report to the body's head first, and only the body's office files.
    items = ["全年生产安全事故起数下降10%", "完成重点行业安全专项整治"]
    with pytest.raises(CoordinationError, match="汇报") as refused:
        upkeep.file_targets(actor=w.clerks["司法局"], targets=targets, items=items, reported_to_head_on=None, today=due)
    assert refused.value.rule_id == "CRD-5"
    for other in (w.clerks["财政局"], w.staff, w.outsider):
        with pytest.raises(ActionNotAllowed):
            upkeep.file_targets(actor=other, targets=targets, items=items, reported_to_head_on=OPENED, today=due)
    with pytest.raises(CoordinationError, match="至少"):
        upkeep.file_targets(actor=w.clerks["司法局"], targets=targets, items=[" "], reported_to_head_on=OPENED)
    filed = upkeep.file_targets(
        actor=w.clerks["司法局"], targets=targets, items=items, reported_to_head_on=OPENED, today=due
    )
    assert filed.state == S.FILED and filed.filed_on == due and filed.reported_to_head_on == OPENED
    assert [t.text for t in filed.items.order_by("id")] == items
    clock.refresh_from_db()
    assert clock.closed_at is not None and clock.state == Deadline.State.MET  # filed on the due day: on time
    assert Message.objects.filter(recipient=w.director, subject__contains="年度目标已备案").exists()
    with pytest.raises(CoordinationError, match="年度目标已备案，不能重复报送"):
        upkeep.file_targets(actor=w.clerks["司法局"], targets=targets, items=items, reported_to_head_on=OPENED)

    # The body that did not file is escalated once its due day has passed; the one that filed is not.
    audit_clock = Deadline.objects.get(
        rule_id="CRD-5", subject_id=str(AnnualTargets.objects.get(body=bodies["audit"]).pk)
    )
    sweep(today=wd.add_workdays(due, 1))
    audit_clock.refresh_from_db()
    assert audit_clock.state == Deadline.State.MISSED and audit_clock.escalated_at is not None
    clock.refresh_from_db()
    assert clock.escalated_at is None

    # Before year end the office checks completion per target.
    first, second = filed.items.order_by("id")
    with pytest.raises(ActionNotAllowed):
        upkeep.review_targets(
            actor=w.clerks["司法局"], targets=filed, results={first.pk: (True, ""), second.pk: (False, "")}
        )
    with pytest.raises(CoordinationError, match="逐项"):
        upkeep.review_targets(actor=w.staff, targets=filed, results={first.pk: (True, "")}, today=REVIEW_DAY)
    reviewed = upkeep.review_targets(
        actor=w.staff,
        targets=filed,
        results={first.pk: (True, "下降12%"), second.pk: (False, "化工行业整治未完成")},
        note="总体推进有力",
        today=REVIEW_DAY,
    )
    assert reviewed.state == S.REVIEWED and reviewed.reviewed_on == REVIEW_DAY
    first.refresh_from_db()
    second.refresh_from_db()
    assert (first.done, second.done, second.note) == (True, False, "化工行业整治未完成")

    # An unfinished target goes to the supervision ledger with one click, linked back.
    with pytest.raises(CoordinationError, match="未完成"):
        upkeep.follow_up_target(actor=w.staff, target=first, due=dt.date(YEAR, 12, 31), today=REVIEW_DAY)
    with pytest.raises(ActionNotAllowed):
        upkeep.follow_up_target(actor=w.clerks["司法局"], target=second, due=dt.date(YEAR, 12, 31))
    item = upkeep.follow_up_target(actor=w.staff, target=second, due=dt.date(YEAR, 12, 31), today=REVIEW_DAY)
    second.refresh_from_db()
    assert second.follow_up == item
    assert item.source == Source.GOVERNMENT_DECISION and item.lead_unit == w.units["司法局"]
    assert item.leader_post == w.judicial_post  # the body's head seat is a district leader's
    assert item.standard == second.text and item.due == dt.date(YEAR, 12, 31)
    assert item.source_object == second
    with pytest.raises(CoordinationError, match="已转入"):
        upkeep.follow_up_target(actor=w.staff, target=second, due=dt.date(YEAR, 12, 31), today=REVIEW_DAY)
    assert SupervisionItem.objects.count() == 1


def test_crd_5_office_sets_the_due_day_in_workdays_or_as_a_date(world, bodies):
    w = world
    created = upkeep.open_targets(actor=w.staff, year=YEAR, workdays=10, today=OPENED)
    assert {t.due for t in created} == {wd.add_workdays(dt.date(YEAR, 1, 1), 10)}
    with pytest.raises(CoordinationError, match="均已部署"):
        upkeep.open_targets(actor=w.staff, year=YEAR, today=OPENED)
    late = make_body("新设领导小组", host=w.units["发改局"], head=w.exec_post, members=(w.unit_head_posts["发改局"],))
    added = upkeep.open_targets(actor=w.staff, year=YEAR, due=dt.date(YEAR, 3, 31), today=dt.date(YEAR, 3, 2))
    assert [t.body for t in added] == [late] and added[0].due == dt.date(YEAR, 3, 31)
    assert Deadline.objects.get(subject_id=str(added[0].pk), rule_id="CRD-5").workdays is None
    with pytest.raises(CoordinationError, match="已过"):
        upkeep.open_targets(actor=w.staff, year=YEAR + 1, due=dt.date(YEAR, 12, 1), today=dt.date(YEAR, 12, 2))


def test_crd_5_follow_up_of_a_department_headed_body_goes_to_the_responsible_deputy(world, bodies):
    w = world
    body = bodies["audit"]
    assert upkeep.follow_up_post(body, REVIEW_DAY) == w.exec_post  # 审计局 is in the executive deputy's portfolio
    assert upkeep.follow_up_post(bodies["safety"], REVIEW_DAY) == w.judicial_post


def test_crd_5_pages_host_unit_files_office_reviews_others_404(world, bodies, client):
    w = world
    upkeep.open_targets(actor=w.staff, year=YEAR, today=OPENED)
    targets = AnnualTargets.objects.get(body=bodies["safety"])
    list_url = reverse("coordination:targets", args=[YEAR])
    page_url = reverse("coordination:target_set", args=[targets.pk])
    for user in (w.outsider, w.clerks["财政局"], w.judicial_deputy):
        client.force_login(user)
        assert client.get(list_url).status_code == 404, user
        assert client.get(page_url).status_code == 404, user
        assert client.post(reverse("coordination:target_action", args=[targets.pk, "file"])).status_code == 404
    client.force_login(w.clerks["审计局"])  # hosts another body: sees only its own
    listing = client.get(list_url).content.decode()
    assert bodies["audit"].name in listing and bodies["safety"].name not in listing
    assert client.get(page_url).status_code == 404
    assert client.post(list_url, {"workdays": 5}).status_code == 404  # opening the year is the office's

    client.force_login(w.clerks["司法局"])
    before = client.get(page_url)
    assert before.status_code == 200 and 'data-testid="file-form"' in before.content.decode()
    assert 'data-testid="review-form"' not in before.content.decode()
    action = reverse("coordination:target_action", args=[targets.pk, "file"])
    text = "全年事故下降10%\n\n完成专项整治\n"
    no_report = client.post(action, {"file-items": text, "file-confirm": "on"})
    assert no_report.status_code == 400 and "汇报" in no_report.content.decode()
    assert "全年事故下降10%" in no_report.content.decode()  # kept
    done = client.post(action, {"file-items": text, "file-reported_to_head_on": "2026-01-06", "file-confirm": "on"})
    assert done.status_code == 302
    targets.refresh_from_db()
    assert targets.state == S.FILED and targets.items.count() == 2
    refused = client.post(reverse("coordination:target_action", args=[targets.pk, "review"]), {})
    assert refused.status_code == 400 and targets.items.filter(done__isnull=False).count() == 0

    client.force_login(w.staff)
    office_page = client.get(page_url).content.decode()
    assert 'data-testid="review-form"' in office_page and 'data-testid="file-form"' not in office_page
    first, second = targets.items.order_by("id")
    review = client.post(
        reverse("coordination:target_action", args=[targets.pk, "review"]),
        {
            f"review-done_{first.pk}": "yes",
            f"review-done_{second.pk}": "no",
            f"review-note_{second.pk}": "尚未完成",
            "review-review_note": "",
        },
    )
    assert review.status_code == 302
    targets.refresh_from_db()
    assert targets.state == S.REVIEWED
    due = timezone.localdate() + dt.timedelta(days=60)
    follow = client.post(
        reverse("coordination:target_action", args=[targets.pk, "follow-up"]),
        {f"f{second.pk}-target": second.pk, f"f{second.pk}-due": due.isoformat(), f"f{second.pk}-confirm": "on"},
    )
    assert follow.status_code == 302
    second.refresh_from_db()
    assert second.follow_up is not None
    page = client.get(page_url).content.decode()
    assert second.follow_up.number in page


def test_crd_5_the_check_form_saved_again_unchanged_records_and_tells_nothing(world, bodies, client):
    """After the check, the page shows the office's form filled with its findings (a check may be corrected). Saved
    again untouched it recorded "修改督导检查结果" with nothing changed, moved the check's date and told the host unit
    again. It now changes nothing; a corrected finding is still recorded."""
    from tests.form_roundtrip import form_data

    w = world
    upkeep.open_targets(actor=w.staff, year=YEAR, today=OPENED)
    targets = AnnualTargets.objects.get(body=bodies["safety"])
    upkeep.file_targets(
        actor=w.clerks["司法局"], targets=targets, items=["事故下降10%", "完成专项整治"],
        reported_to_head_on=OPENED, today=OPENED,
    )  # fmt: skip
    first, second = targets.items.order_by("id")
    upkeep.review_targets(
        actor=w.staff, targets=targets, results={first.pk: (True, ""), second.pk: (False, "尚差两项")},
        note="总体较好", today=timezone.localdate(),
    )  # fmt: skip
    reviewed_on = AnnualTargets.objects.get(pk=targets.pk).reviewed_on
    events, notices = Event.objects.count(), Message.objects.count()
    client.force_login(w.staff)
    page = client.get(reverse("coordination:target_set", args=[targets.pk])).content.decode()
    data = form_data(page.split('data-testid="review-form"')[1].split("</form>")[0] + "</form>")
    assert data[f"review-done_{second.pk}"] == ["no"] and data[f"review-note_{second.pk}"] == ["尚差两项"]
    assert client.post(reverse("coordination:target_action", args=[targets.pk, "review"]), data).status_code == 302
    assert (Event.objects.count(), Message.objects.count()) == (events, notices)
    assert AnnualTargets.objects.get(pk=targets.pk).reviewed_on == reviewed_on
    data[f"review-note_{second.pk}"] = ["尚差一项"]
    assert client.post(reverse("coordination:target_action", args=[targets.pk, "review"]), data).status_code == 302
    assert Event.objects.filter(action="targets_reviewed").order_by("-id").first().action_label == "修改督导检查结果"


def test_crd_5_targets_list_reads_in_constant_queries(world, client):
    w = world
    hosts = ["发改局", "财政局", "信访局", "审计局", "司法局", "教育局"]
    for i in range(2):
        make_body(
            f"甲类{i}号领导小组", host=w.units[hosts[i]], head=w.exec_post, members=(w.unit_head_posts["财政局"],)
        )
    upkeep.open_targets(actor=w.staff, year=YEAR, today=OPENED)
    client.force_login(w.staff)
    url = reverse("coordination:targets", args=[YEAR])
    client.get(url)
    with CaptureQueriesContext(connection) as small:
        client.get(url)
    for i in range(9):
        make_body(
            f"乙类{i}号领导小组", host=w.units[hosts[i % 6]], head=w.exec_post, members=(w.unit_head_posts["发改局"],)
        )
    created = upkeep.open_targets(actor=w.staff, year=YEAR, today=OPENED)
    upkeep.file_targets(
        actor=w.clerks[created[0].body.host_unit.short_name],
        targets=created[0],
        items=["一", "二"],
        reported_to_head_on=OPENED,
        today=OPENED,
    )
    with CaptureQueriesContext(connection) as large:
        response = client.get(url)
    assert response.content.decode().count('data-testid="target-row"') == 11
    assert len(large) == len(small)
    assert Target.objects.count() == 2


def test_crd_5_targets_are_capped_so_the_offices_check_form_fits_one_post():
    """Two fields a target on the office's check form: 500 targets passed Django's 1,000-field limit, and the
    check answered 400 with everything typed lost. Filing refuses more than the check can take."""
    from django.conf import settings

    from coordination.upkeep.forms import MAX_TARGETS, FileTargetsForm

    def form(n: int) -> FileTargetsForm:
        items = "\n".join(f"目标{i}" for i in range(n))
        return FileTargetsForm({"items": items, "reported_to_head_on": "2026-01-05", "confirm": "on"})

    assert 2 * MAX_TARGETS + 10 < settings.DATA_UPLOAD_MAX_NUMBER_FIELDS
    assert form(MAX_TARGETS).is_valid()
    too_many = form(MAX_TARGETS + 1)
    assert not too_many.is_valid() and f"最多{MAX_TARGETS}项" in str(too_many.errors["items"])


def _reviewed_with_second_sent_on(w, body):
    """Filed, checked (first done, second not, "尚差两项") and the second target sent to the supervision ledger."""
    upkeep.open_targets(actor=w.staff, year=YEAR, today=OPENED)
    targets = AnnualTargets.objects.get(body=body, year=YEAR)
    upkeep.file_targets(
        actor=w.clerks["司法局"], targets=targets, items=["目标一", "目标二"], reported_to_head_on=OPENED, today=OPENED
    )
    first, second = targets.items.order_by("id")
    upkeep.review_targets(
        actor=w.staff, targets=targets, results={first.pk: (True, ""), second.pk: (False, "尚差两项")}, today=REVIEW_DAY
    )
    item = upkeep.follow_up_target(actor=w.staff, target=second, due=dt.date(YEAR, 12, 31), today=REVIEW_DAY)
    return targets, first, second, item


def test_crd_5_a_finding_sent_to_supervision_cannot_be_overwritten(world, bodies, client):
    """Once an unfinished target went to the ledger its finding stands (the ledger item rests on it), on the page
    as in the service; the other targets' findings may still be corrected."""
    w = world
    targets, first, second, item = _reviewed_with_second_sent_on(w, bodies["safety"])
    with pytest.raises(CoordinationError, match=re.escape(item.number)) as refused:
        upkeep.review_targets(
            actor=w.staff, targets=targets, results={first.pk: (True, ""), second.pk: (True, "")}, today=REVIEW_DAY
        )
    assert "不能再修改" in refused.value.message and refused.value.rule_id == "CRD-5"

    client.force_login(w.staff)
    url = reverse("coordination:target_action", args=[targets.pk, "review"])
    data = {f"review-done_{first.pk}": "yes", f"review-done_{second.pk}": "yes", "review-review_note": "再查"}
    page = client.post(url, data)
    assert page.status_code == 400
    text = page.content.decode()
    assert item.number in text and "不能再修改" in text and "再查" in text  # typed values kept
    second.refresh_from_db()
    assert (second.done, second.note, second.follow_up_id) == (False, "尚差两项", item.pk)

    # The same finding posted again, with the first target corrected, is accepted.
    data |= {f"review-done_{first.pk}": "no", f"review-done_{second.pk}": "no", f"review-note_{second.pk}": "尚差两项"}
    assert client.post(url, data).status_code == 302
    first.refresh_from_db()
    assert first.done is False


def test_crd_5_a_corrected_finding_is_recorded_not_silently_overwritten(world, bodies):
    w = world
    targets, first, second, _item = _reviewed_with_second_sent_on(w, bodies["safety"])
    upkeep.review_targets(
        actor=w.staff,
        targets=targets,
        results={first.pk: (False, "复核未达标"), second.pk: (False, "尚差两项")},
        today=REVIEW_DAY,
    )
    event = Event.objects.filter(action="targets_reviewed").order_by("-id").first()
    assert event.action_label == "修改督导检查结果"
    assert "第1项由“已完成”改为“未完成（复核未达标）”" in event.opinion
    assert "第2项" not in event.opinion


def test_crd_5_report_to_head_cannot_predate_the_body(world, bodies, client):
    """第六十八条: the year's targets are reported to the body's head; not before the body was set up, nor before
    the year before the target year (the model keeps no day on which the office opened the year)."""
    w = world
    body = make_body("新设工作领导小组", host=w.units["司法局"], head=w.judicial_post, founded_on=dt.date(YEAR, 2, 12))
    upkeep.open_targets(actor=w.staff, year=YEAR, due=dt.date(YEAR, 3, 31), today=dt.date(YEAR, 2, 20))
    targets = AnnualTargets.objects.get(body=body, year=YEAR)
    clerk = w.clerks["司法局"]
    with pytest.raises(CoordinationError, match="2026-02-12") as refused:
        upkeep.file_targets(
            actor=clerk,
            targets=targets,
            items=["一"],
            reported_to_head_on=dt.date(2025, 5, 1),
            today=dt.date(YEAR, 3, 2),
        )
    assert refused.value.rule_id == "CRD-5" and "设立" in refused.value.message
    older = AnnualTargets.objects.get(body=bodies["safety"], year=YEAR)  # founded 2024: the year before is the floor
    with pytest.raises(CoordinationError, match="2025-01-01"):
        upkeep.file_targets(
            actor=clerk,
            targets=older,
            items=["一"],
            reported_to_head_on=dt.date(2024, 12, 31),
            today=dt.date(YEAR, 3, 2),
        )

    client.force_login(clerk)
    url = reverse("coordination:target_action", args=[targets.pk, "file"])
    data = {"file-items": "完成专项整治", "file-reported_to_head_on": "2025-05-01", "file-confirm": "on"}
    page = client.post(url, data)
    assert page.status_code == 400
    text = page.content.decode()
    assert "2026-02-12" in text and "完成专项整治" in text and "2025-05-01" in text
    targets.refresh_from_db()
    assert targets.state == S.PENDING
    data["file-reported_to_head_on"] = "2026-02-12"
    assert client.post(url, data).status_code == 302


def test_crd_5_sending_a_target_to_supervision_twice_says_when_and_where(world, bodies, client):
    """A second 转入督查督办 (a double click, a stale page) is told where the target went, not a bare 400."""
    w = world
    targets, _first, second, item = _reviewed_with_second_sent_on(w, bodies["safety"])
    client.force_login(w.staff)
    again = client.post(
        reverse("coordination:target_action", args=[targets.pk, "follow-up"]),
        {f"f{second.pk}-target": second.pk, f"f{second.pk}-due": "2026-12-31", f"f{second.pk}-confirm": "on"},
    )
    assert again.status_code == 409
    text = again.content.decode()
    assert f"第2项目标已转入督查督办（{item.number}，{REVIEW_DAY:%Y-%m-%d}交办），无需重复" in text
    assert SupervisionItem.objects.count() == 1

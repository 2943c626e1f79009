"""CRD-4 (第六十七条): the office's periodic review — the grounds the portal suggests for each body, the office's
decision per body, and a merge or abolish decision feeding an application (CRD-1)."""

from __future__ import annotations

import datetime as dt

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from coordination.models import AbolishGround, Application, Rank, ReviewEntry, ReviewRound
from coordination.shared.errors import ActionNotAllowed, CoordinationError
from coordination.upkeep import services as upkeep
from tests.coordination.upkeep_support import make_body
from tiexi_gov.audit.models import Event
from tiexi_gov.org.models import Post

pytestmark = pytest.mark.django_db

TODAY = dt.date(2026, 9, 1)
RECENT = dt.date(2026, 7, 15)
G = AbolishGround
D = ReviewEntry.Decision


def healthy(w, name: str, host: str, **fields):
    """A body with none of the grounds: led by a deputy, members from two units, active lately, its own work."""
    fields.setdefault("last_activity_on", RECENT)
    return make_body(name, host=w.units[host], head=w.exec_post, members=(w.unit_head_posts[host],), **fields)


@pytest.fixture
def bodies(world):
    w = world
    return {
        "healthy": healthy(w, "招商引资工作领导小组", "发改局", functions="统筹全区招商引资项目的谋划、洽谈和落地。"),
        "new_quiet": healthy(
            w, "数字政府建设领导小组", "财政局", last_activity_on=None, founded_on=dt.date(2026, 3, 1)
        ),
        "phase": healthy(w, "第七次人口普查领导小组", "财政局", phase_end=dt.date(2026, 6, 30)),
        "stale": healthy(w, "创建文明城市指挥部", "信访局", last_activity_on=dt.date(2025, 5, 31)),
        "never": healthy(w, "老旧小区改造领导小组", "司法局", last_activity_on=None, founded_on=dt.date(2024, 3, 1)),
        "single": make_body(
            "校园安全工作领导小组",
            host=w.units["教育局"],
            head=w.unit_head_posts["教育局"],
            members=(Post.objects.get(unit=w.units["教育局"], kind=Post.Kind.UNIT_DEPUTY),),
            rank=Rank.DEPARTMENT,
            last_activity_on=RECENT,
        ),
        "dup_a": healthy(w, "审计整改工作领导小组", "审计局", functions="督促审计发现问题整改。"),
        "dup_b": healthy(w, "审计整改协调小组", "审计局", functions="协调审计整改中的重大问题。"),
        "twin_a": healthy(w, "食品安全委员会", "发改局", counterpart_name="沈阳市食品安全委员会"),
        "twin_b": healthy(w, "食品药品安全领导小组", "信访局", counterpart_name="沈阳市食品安全委员会"),
        "abolished_above": healthy(
            w,
            "清理规范公路收费领导小组",
            "司法局",
            counterpart_name="辽宁省清理规范公路收费领导小组",
            counterpart_abolished=True,
        ),
    }


def grounds_of(entry: ReviewEntry) -> list[str]:
    return sorted(s["ground"] for s in entry.suggestions)


def test_crd_4_review_round_suggests_grounds(world, bodies):
    w = world
    rnd = upkeep.open_round(actor=w.staff, title="2026年度清理", today=TODAY)
    entries = {e.body.name: e for e in rnd.entries.select_related("body")}
    assert set(entries) == {b.name for b in bodies.values()}  # every active body, each once
    got = {key: entries[b.name] for key, b in bodies.items()}

    assert grounds_of(got["healthy"]) == [] and grounds_of(got["new_quiet"]) == []  # none for a healthy body
    assert grounds_of(got["phase"]) == [G.PHASE_DONE] and "2026-06-30" in got["phase"].suggestions[0]["reason"]
    assert grounds_of(got["stale"]) == [G.PHASE_DONE] and "12个月" in got["stale"].suggestions[0]["reason"]
    assert grounds_of(got["never"]) == [G.PHASE_DONE] and "未登记会议或活动" in got["never"].suggestions[0]["reason"]
    assert grounds_of(got["single"]) == [G.SINGLE_TASK] and "教育局" in got["single"].suggestions[0]["reason"]
    assert grounds_of(got["dup_a"]) == [G.DUPLICATE] and got["dup_a"].suggestions[0]["other"] == bodies["dup_b"].pk
    assert grounds_of(got["dup_b"]) == [G.DUPLICATE] and got["dup_b"].suggestions[0]["other"] == bodies["dup_a"].pk
    assert grounds_of(got["twin_a"]) == [G.DUPLICATE] and got["twin_a"].suggestions[0]["other"] == bodies["twin_b"].pk
    assert grounds_of(got["abolished_above"]) == [G.COUNTERPART_ABOLISHED]
    for entry in entries.values():
        assert entry.decision == D.PENDING
        for s in entry.suggestions:  # each names its ground with the rule's wording
            assert s["label"] == G(s["ground"]).label
    assert Event.objects.filter(action="review_opened", rule_id="CRD-4").count() == 1

    with pytest.raises(CoordinationError, match="尚未结束"):  # one round at a time
        upkeep.open_round(actor=w.staff, title="再来一轮", today=TODAY)


def test_crd_4_similar_names_of_different_host_units_are_not_duplicates(world):
    w = world
    a = healthy(w, "审计整改工作领导小组", "审计局")
    b = healthy(w, "审计整改协调小组", "财政局")
    rnd = upkeep.open_round(actor=w.staff, title="清理", today=TODAY)
    assert all(e.suggestions == [] for e in rnd.entries.all()), (a, b)


def test_crd_4_decision_feeds_an_application(world, bodies):
    w = world
    rnd = upkeep.open_round(actor=w.staff, title="2026年度清理", today=TODAY)
    entry = {e.body_id: e for e in rnd.entries.all()}

    with pytest.raises(ActionNotAllowed):
        upkeep.decide_entry(actor=w.clerks["审计局"], entry=entry[bodies["dup_b"].pk], decision=D.KEEP)
    with pytest.raises(CoordinationError, match="撤并依据"):  # merge or abolish needs a ground of 第六十七条
        upkeep.decide_entry(actor=w.staff, entry=entry[bodies["phase"].pk], decision=D.ABOLISH)
    with pytest.raises(CoordinationError, match="并入的机构"):
        upkeep.decide_entry(actor=w.staff, entry=entry[bodies["dup_b"].pk], decision=D.MERGE, grounds=[G.DUPLICATE])
    assert not Application.objects.exists()

    merged = upkeep.decide_entry(
        actor=w.staff,
        entry=entry[bodies["dup_b"].pk],
        decision=D.MERGE,
        grounds=[G.DUPLICATE],
        merge_into=bodies["dup_a"],
        note="职能并入审计整改工作领导小组",
        today=TODAY,
    )
    app = Application.objects.get(body=bodies["dup_b"])
    assert app.kind == Application.Kind.MERGE and app.merge_into == bodies["dup_a"]
    assert app.review == merged and app.applicant_unit == w.units["审计局"]
    assert app.state == Application.State.DRAFTING  # the department carries it through CRD-1
    assert merged.decided_by == w.staff and merged.grounds == [G.DUPLICATE]

    upkeep.decide_entry(
        actor=w.staff, entry=entry[bodies["phase"].pk], decision=D.ABOLISH, grounds=[G.PHASE_DONE], today=TODAY
    )
    abolish = Application.objects.get(body=bodies["phase"])
    assert abolish.kind == Application.Kind.ABOLISH and abolish.review.body == bodies["phase"]

    kept = upkeep.decide_entry(actor=w.staff, entry=entry[bodies["healthy"].pk], decision=D.KEEP, note="继续保留")
    assert kept.decision == D.KEEP and Application.objects.count() == 2
    with pytest.raises(CoordinationError, match="不需要"):
        upkeep.decide_entry(actor=w.staff, entry=entry[bodies["healthy"].pk], decision=D.KEEP, grounds=[G.LAW])
    with pytest.raises(CoordinationError, match="已转为申请"):  # an application once fed stays
        upkeep.decide_entry(actor=w.staff, entry=entry[bodies["dup_b"].pk], decision=D.KEEP)

    with pytest.raises(CoordinationError, match="未作出评估结论"):
        upkeep.close_round(actor=w.staff, review_round=rnd, today=TODAY)
    for e in rnd.entries.filter(decision=D.PENDING):
        upkeep.decide_entry(actor=w.staff, entry=e, decision=D.KEEP)
    upkeep.close_round(actor=w.staff, review_round=rnd, today=TODAY)
    with pytest.raises(CoordinationError, match="已结束"):
        upkeep.decide_entry(actor=w.staff, entry=entry[bodies["healthy"].pk], decision=D.KEEP)


def test_crd_4_pages_decide_through_the_view(world, bodies, client):
    w = world
    for user in (w.outsider, w.clerks["审计局"], w.head, w.exec_deputy):
        client.force_login(user)
        assert client.get(reverse("coordination:reviews")).status_code == 404, user
        assert client.post(reverse("coordination:reviews"), {"title": "x"}).status_code == 404, user
    assert not ReviewRound.objects.exists()

    client.force_login(w.staff)
    assert client.get(reverse("coordination:reviews")).status_code == 200
    response = client.post(reverse("coordination:reviews"), {"title": "2026年度清理"})
    rnd = ReviewRound.objects.get()
    assert response.status_code == 302 and response["Location"] == reverse("coordination:review", args=[rnd.pk])
    page = client.get(reverse("coordination:review", args=[rnd.pk]))
    assert page.status_code == 200 and "工作职能雷同" in page.content.decode()
    flagged = client.get(reverse("coordination:review", args=[rnd.pk]), {"flagged": "1"}).content.decode()
    assert f'data-testid="entry-{bodies["healthy"].pk}"' not in flagged
    assert f'data-testid="entry-{bodies["phase"].pk}"' in flagged

    entry = rnd.entries.get(body=bodies["phase"])
    url = reverse("coordination:review_action", args=[rnd.pk, "decide"])
    data = {"entry_id": entry.pk, f"e{entry.pk}-decision": D.ABOLISH, f"e{entry.pk}-note": "普查已结束"}
    missing = client.post(url, {**data, f"e{entry.pk}-confirm": "on"})  # no ground chosen
    assert missing.status_code == 400 and "撤并依据" in missing.content.decode()
    assert "普查已结束" in missing.content.decode()  # what was typed is kept
    unconfirmed = client.post(url, {**data, f"e{entry.pk}-grounds": [G.PHASE_DONE]})
    assert unconfirmed.status_code == 400 and not Application.objects.exists()
    done = client.post(url, {**data, f"e{entry.pk}-grounds": [G.PHASE_DONE], f"e{entry.pk}-confirm": "on"})
    assert done.status_code == 302
    assert Application.objects.get().review_id == entry.pk

    for user in (w.outsider, w.clerks["财政局"]):
        client.force_login(user)
        assert client.get(reverse("coordination:review", args=[rnd.pk])).status_code == 404
        assert client.post(url, data).status_code == 404


def test_crd_4_a_keep_decision_saved_again_unchanged_records_nothing(world, bodies, client):
    """The page shows each decided body's form filled with its decision: saving a 保留 again untouched wrote a
    second "清理评估：保留" (保留 → 保留) into the body's record. It now records nothing; a new note is a change."""
    from tests.form_roundtrip import form_data

    w = world
    client.force_login(w.staff)
    client.post(reverse("coordination:reviews"), {"title": "2026年度清理"})
    rnd = ReviewRound.objects.get()
    entry = rnd.entries.get(body=bodies["healthy"])
    url = reverse("coordination:review_action", args=[rnd.pk, "decide"])
    data = {"entry_id": entry.pk, f"e{entry.pk}-decision": D.KEEP, f"e{entry.pk}-note": "继续保留"}
    assert client.post(url, {**data, f"e{entry.pk}-confirm": "on"}).status_code == 302
    events = Event.objects.count()
    page = client.get(reverse("coordination:review", args=[rnd.pk])).content.decode()
    shown = form_data(page.split(f'data-testid="entry-{entry.body_id}"')[1].split("</form>")[0] + "</form>")
    assert shown[f"e{entry.pk}-decision"] == [D.KEEP] and shown[f"e{entry.pk}-note"] == ["继续保留"]
    assert client.post(url, {**shown, f"e{entry.pk}-confirm": "on"}).status_code == 302
    assert Event.objects.count() == events
    assert client.post(url, {**data, f"e{entry.pk}-note": "职能仍需保留", f"e{entry.pk}-confirm": "on"}).status_code
    assert Event.objects.count() == events + 1


def test_crd_4_lists_read_in_constant_queries(world, client):
    w = world
    client.force_login(w.staff)
    for i in range(3):
        healthy(w, f"专项工作{i}号领导小组", "发改局", functions=f"第{i}号专项：{'甲乙丙丁戊'[i]}类事务。")
    rnd = upkeep.open_round(actor=w.staff, title="第一轮", today=TODAY)
    review_url = reverse("coordination:review", args=[rnd.pk])
    list_url = reverse("coordination:reviews")
    client.get(review_url)
    with CaptureQueriesContext(connection) as small_review:
        client.get(review_url)
    with CaptureQueriesContext(connection) as small_list:
        client.get(list_url)

    for e in rnd.entries.all():
        upkeep.decide_entry(actor=w.staff, entry=e, decision=D.KEEP)
    upkeep.close_round(actor=w.staff, review_round=rnd, today=TODAY)
    hosts = ["财政局", "信访局", "司法局", "教育局", "审计局"]
    for i in range(10):
        healthy(w, f"新设机构{i}号", hosts[i % 5], functions=f"编号{i}的事务{'子丑寅卯辰巳午未申酉'[i]}。")
    rnd2 = upkeep.open_round(actor=w.staff, title="第二轮", today=TODAY)
    for e in rnd2.entries.all()[:4]:
        upkeep.decide_entry(actor=w.staff, entry=e, decision=D.ABOLISH, grounds=[G.PHASE_DONE])
    for i in range(3):
        ReviewRound.objects.create(title=f"历史{i}", opened_on=dt.date(2024, 1, 1), opened_by=w.staff, closed_on=TODAY)
    review_url = reverse("coordination:review", args=[rnd2.pk])
    with CaptureQueriesContext(connection) as large_review:
        response = client.get(review_url)
    assert response.content.decode().count('data-testid="entry-') == 13
    with CaptureQueriesContext(connection) as large_list:
        client.get(list_url)
    assert len(large_list) == len(small_list)
    assert len(large_review) == len(small_review)


def test_crd_4_an_application_a_review_drafted_names_the_office_as_its_drafter(world, bodies, client):
    """A review round's 撤销 decision drafts the unit's application in the office: the page said 住建局（马丽）, as if
    the office clerk were the unit's person. It now says who drafted it and for whom (X-1)."""
    w = world
    rnd = upkeep.open_round(actor=w.staff, title="2026年度清理", today=TODAY)
    entry = rnd.entries.get(body=bodies["phase"])
    upkeep.decide_entry(actor=w.staff, entry=entry, decision=D.ABOLISH, grounds=[G.PHASE_DONE], today=TODAY)
    app = Application.objects.get(body=bodies["phase"])
    client.force_login(w.staff)
    page = client.get(reverse("coordination:application", args=[app.pk])).content.decode()
    office = w.staff.unit.display_name
    assert f"{app.applicant_unit.name}（{office}{w.staff.display_name}代拟）" in page

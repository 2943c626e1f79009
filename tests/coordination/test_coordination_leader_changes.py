"""CRD-3 (第六十六条): leader changes — the bodies a changed post heads, the office's batch adjustment in one
transaction, department-headed bodies adjusting themselves, and the head seat kept with the responsible deputy."""

from __future__ import annotations

import datetime as dt

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from coordination.models import Adjustment, Body, Rank, Seat
from coordination.shared.errors import ActionNotAllowed, CoordinationError
from coordination.upkeep import services as upkeep
from coordination.upkeep.selectors import bodies_led_by, changes_needing_attention
from tests.coordination.upkeep_support import change_holder, make_body
from tests.factories import appoint
from tiexi_gov.audit.models import Event
from tiexi_gov.notify.models import Message
from tiexi_gov.org.models import Post

pytestmark = pytest.mark.django_db

CHANGED_ON = dt.date(2026, 3, 2)
TODAY = dt.date(2026, 3, 10)
B = Adjustment.Kind


@pytest.fixture
def district(world):
    """The judicial deputy's post heads two bodies and deputy-heads a third; it is only a member of a fourth; a
    fifth has nothing to do with it; a sixth it headed has been abolished."""
    w, u = world, world.units
    w.led = [
        make_body("安全生产委员会", host=u["司法局"], head=w.judicial_post, members=(w.unit_head_posts["司法局"],)),
        make_body("信访联席会议", host=u["信访局"], head=w.judicial_post, members=(w.unit_head_posts["信访局"],)),
        make_body(
            "法治政府建设领导小组",
            host=u["发改局"],
            head=w.exec_post,
            deputies=(w.judicial_post,),
            members=(w.unit_head_posts["发改局"],),
        ),
    ]
    w.member_only = make_body("教育督导委员会", host=u["教育局"], head=w.edu_deputy_post, members=(w.judicial_post,))
    w.unrelated = make_body(
        "财源建设领导小组", host=u["财政局"], head=w.exec_post, members=(w.unit_head_posts["财政局"],)
    )
    w.abolished = make_body("扫黑除恶领导小组", host=u["司法局"], head=w.judicial_post, status=Body.Status.ABOLISHED)
    return w


def names(bodies) -> set[str]:
    return {b.name for b in bodies}


def test_crd_3_holder_change_lists_exactly_the_bodies_the_post_heads(district, client):
    w = district
    assert names(bodies_led_by(w.judicial_post)) == names(w.led)
    assert changes_needing_attention(today=TODAY) == []  # nobody changed yet

    new = change_holder(w.judicial_post, on=CHANGED_ON, username="judicial2", full_name="钱副区长")
    assert changes_needing_attention(today=CHANGED_ON - dt.timedelta(days=1)) == []  # not yet in office

    changes = changes_needing_attention(today=TODAY)
    assert [c.post for c in changes] == [w.judicial_post]
    change = changes[0]
    assert change.previous_holder == w.judicial_deputy and change.new_holder == new
    assert change.changed_on == CHANGED_ON
    assert names(a.body for a in change.bodies) == names(w.led)  # not the member seat, the unrelated or abolished
    assert {a.role for a in change.bodies} == {"组长（主任）", "副组长（副主任）"}

    client.force_login(w.staff)
    page = client.get(reverse("coordination:leader_changes"))
    assert page.status_code == 200
    html = page.content.decode()
    section = html[html.index(f'data-testid="change-{w.judicial_post.pk}"') :]
    for body in w.led:
        assert body.name in section
    for body in (w.member_only, w.unrelated, w.abolished):
        assert body.name not in section
    assert "钱副区长" in section and "赵副区长" in section

    # Once adjusted the change is settled; a later change lists the bodies again.
    upkeep.adjust_bodies(
        actor=w.staff,
        post=w.judicial_post,
        bodies=w.led,
        kind=B.BATCH,
        document_number="铁政办发〔2026〕9号",
        today=TODAY,
    )
    assert changes_needing_attention(today=TODAY) == []
    change_holder(w.judicial_post, on=dt.date(2026, 6, 1), username="judicial3", full_name="孙副区长")
    later = changes_needing_attention(today=dt.date(2026, 6, 2))
    assert names(a.body for a in later[0].bodies) == names(w.led)


def test_crd_3_batch_adjustment_updates_them_in_one_transaction(district):
    w = district
    change_holder(w.judicial_post, on=CHANGED_ON, username="judicial2", full_name="钱副区长")
    first, second = w.led[0], w.led[1]
    # A third body where the education deputy's post already sits: moving the seat there must fail.
    blocked = make_body(
        "龙湾片区开发领导小组", host=w.units["司法局"], head=w.judicial_post, members=(w.edu_deputy_post,)
    )
    ordered = list(Body.objects.filter(pk__in=[first.pk, second.pk, blocked.pk]).order_by("name"))
    assert ordered[-1] == blocked  # the failing body comes last: the others are changed before it fails
    events_before = Event.objects.count()

    with pytest.raises(CoordinationError) as refused:
        upkeep.adjust_bodies(
            actor=w.staff,
            post=w.judicial_post,
            bodies=[first, second, blocked],
            kind=B.BATCH,
            document_number="铁政办发〔2026〕10号",
            new_post=w.edu_deputy_post,
            today=TODAY,
        )
    assert refused.value.rule_id == "CRD-3" and blocked.name in refused.value.message
    for body in (first, second, blocked):  # all or nothing: not one seat moved, no record, no event
        assert Seat.objects.filter(body=body, post=w.judicial_post, role=Seat.Role.HEAD).exists()
    assert not Adjustment.objects.exists()
    assert Event.objects.count() == events_before

    adjustment = upkeep.adjust_bodies(
        actor=w.staff,
        post=w.judicial_post,
        bodies=[first, second],
        kind=B.BATCH,
        document_number="铁政办发〔2026〕10号",
        note="分工调整",
        new_post=w.edu_deputy_post,
        today=TODAY,
    )
    assert adjustment.kind == B.BATCH and adjustment.document_number == "铁政办发〔2026〕10号"
    assert set(adjustment.bodies.all()) == {first, second}
    assert adjustment.previous_holder == "钱副区长" and adjustment.new_holder == "张副区长"
    for body in (first, second):
        assert Seat.objects.get(body=body, role=Seat.Role.HEAD).post == w.edu_deputy_post
        assert Event.objects.filter(subject_id=str(body.pk), action="leader_adjusted", rule_id="CRD-3").count() == 1
    assert Seat.objects.get(body=blocked, role=Seat.Role.HEAD).post == w.judicial_post
    # The bodies' offices are told to file their member changes; the office cannot batch member changes itself.
    assert Message.objects.filter(recipient=w.clerks["司法局"], subject__contains="铁政办发〔2026〕10号").exists()
    # The seats not moved stay listed until adjusted; the ones moved are settled.
    remaining = changes_needing_attention(today=TODAY)
    assert names(a.body for a in remaining[0].bodies) == {w.led[2].name, blocked.name}


def test_crd_3_batch_needs_a_document_number_and_single_one_body(district):
    w = district
    change_holder(w.judicial_post, on=CHANGED_ON, username="judicial2", full_name="钱副区长")
    with pytest.raises(CoordinationError, match="文号"):
        upkeep.adjust_bodies(
            actor=w.staff, post=w.judicial_post, bodies=w.led, kind=B.BATCH, document_number=" ", today=TODAY
        )
    with pytest.raises(CoordinationError, match="单独调整"):
        upkeep.adjust_bodies(
            actor=w.staff, post=w.judicial_post, bodies=w.led, kind=B.SINGLE, document_number="1号", today=TODAY
        )
    with pytest.raises(CoordinationError, match="不是"):  # the post only sits as a member there
        upkeep.adjust_bodies(
            actor=w.staff, post=w.judicial_post, bodies=[w.member_only], kind=B.SINGLE, document_number="1号"
        )
    one = upkeep.adjust_bodies(
        actor=w.staff, post=w.judicial_post, bodies=[w.led[0]], kind=B.SINGLE, document_number="2号", today=TODAY
    )
    assert one.new_holder == "钱副区长" and Seat.objects.get(body=w.led[0], role=Seat.Role.HEAD).post == w.judicial_post


def test_crd_3_department_headed_body_adjusts_itself_and_informs_the_deputy(district, client):
    w = district
    audit_head = w.unit_head_posts["审计局"]
    body = make_body(
        "审计整改工作领导小组",
        host=w.units["审计局"],
        head=audit_head,
        members=(w.unit_head_posts["财政局"],),
        rank=Rank.DEPARTMENT,
    )
    change_holder(audit_head, on=CHANGED_ON, username="audit2", full_name="新审计局长")
    change = next(c for c in changes_needing_attention(today=TODAY) if c.post == audit_head)
    assert [a.body for a in change.self_bodies] == [body] and change.office_bodies == []

    with pytest.raises(CoordinationError, match="自行发文调整") as refused:  # the office cannot batch it
        upkeep.adjust_bodies(
            actor=w.staff, post=audit_head, bodies=[body], kind=B.BATCH, document_number="铁政办发〔2026〕11号"
        )
    assert refused.value.rule_id == "CRD-3"
    with pytest.raises(ActionNotAllowed):  # another unit's office
        upkeep.adjust_bodies(actor=w.clerks["财政局"], post=audit_head, bodies=[body], kind=B.SELF, document_number="x")
    with pytest.raises(CoordinationError, match="区政府办公室申请调整"):  # a deputy-headed body may not self-adjust
        upkeep.adjust_bodies(
            actor=w.clerks["司法局"], post=w.judicial_post, bodies=[w.led[0]], kind=B.SELF, document_number="x"
        )

    client.force_login(w.clerks["审计局"])
    page = client.get(reverse("coordination:leader_changes"))
    assert page.status_code == 200 and f'data-testid="do-adjust-{audit_head.pk}"' in page.content.decode()
    assert w.led[0].name not in page.content.decode()  # only the bodies its unit hosts
    response = client.post(
        reverse("coordination:adjust"),
        {
            "post": audit_head.pk,
            "bodies": [body.pk],
            "kind": B.SELF,
            "document_number": "铁审办发〔2026〕3号",
            "note": "",
            "new_post": "",
            "confirm": "on",
        },
    )
    assert response.status_code == 302
    adjustment = Adjustment.objects.get()
    assert adjustment.kind == B.SELF and adjustment.by == w.clerks["审计局"]
    assert adjustment.informed_deputy_post == w.exec_post  # 审计局 is in the executive deputy's portfolio
    assert Message.objects.filter(recipient=w.exec_deputy, subject__contains="请阅知").exists()  # informs the deputy
    assert Message.objects.filter(recipient=w.director, subject__contains="备案").exists()  # files with the office
    assert not any(c.post == audit_head for c in changes_needing_attention(today=TODAY))


def test_crd_3_head_seat_to_the_district_head_refused_unless_required_by_higher_level(district):
    w = district
    with pytest.raises(CoordinationError, match="不能调整为区长") as refused:
        upkeep.adjust_bodies(
            actor=w.staff,
            post=w.judicial_post,
            bodies=[w.led[0]],
            kind=B.SINGLE,
            document_number="铁政办发〔2026〕12号",
            new_post=w.head_post,
            today=TODAY,
        )
    assert refused.value.rule_id == "CRD-3"
    assert Seat.objects.get(body=w.led[0], role=Seat.Role.HEAD).post == w.judicial_post

    required = make_body(
        "防汛抗旱指挥部",
        host=w.units["发改局"],
        head=w.exec_post,
        members=(w.unit_head_posts["发改局"],),
        head_required_by_higher_level=True,
    )
    upkeep.adjust_bodies(
        actor=w.staff,
        post=w.exec_post,
        bodies=[required],
        kind=B.SINGLE,
        document_number="铁政办发〔2026〕13号",
        new_post=w.head_post,
        today=TODAY,
    )
    assert Seat.objects.get(body=required, role=Seat.Role.HEAD).post == w.head_post
    with pytest.raises(CoordinationError, match="由区长担任"):  # and, required, it may not leave the head
        upkeep.adjust_bodies(
            actor=w.staff,
            post=w.head_post,
            bodies=[required],
            kind=B.SINGLE,
            document_number="铁政办发〔2026〕14号",
            new_post=w.exec_post,
            today=TODAY,
        )
    # A deputy head seat may go to anyone's post: the rule is about who heads the body.
    upkeep.adjust_bodies(
        actor=w.staff,
        post=w.judicial_post,
        bodies=[w.led[2]],
        kind=B.SINGLE,
        document_number="铁政办发〔2026〕15号",
        new_post=w.edu_deputy_post,
        today=TODAY,
    )
    assert Seat.objects.get(body=w.led[2], role=Seat.Role.DEPUTY_HEAD).post == w.edu_deputy_post


def test_crd_3_member_changes_are_filed_by_the_bodies_office(district, client):
    w = district
    body = w.led[0]
    with pytest.raises(ActionNotAllowed):  # the government office does not issue member changes
        upkeep.adjust_bodies(
            actor=w.staff, post=None, bodies=[body], kind=B.MEMBERS_FILED, document_number="x", note="成员调整"
        )
    client.force_login(w.clerks["司法局"])
    response = client.post(
        reverse("coordination:adjust"),
        {
            "kind": B.MEMBERS_FILED,
            "members-body": body.pk,
            "members-document_number": "铁安委发〔2026〕1号",
            "members-note": "司法局副局长替换为成员",
            "members-confirm": "on",
        },
    )
    assert response.status_code == 302
    filed = Adjustment.objects.get()
    assert filed.kind == B.MEMBERS_FILED and list(filed.bodies.all()) == [body]
    assert Message.objects.filter(recipient=w.staff, subject__contains="成员调整备案").exists()
    # Another unit's body is not in its choice.
    response = client.post(
        reverse("coordination:adjust"),
        {
            "kind": B.MEMBERS_FILED,
            "members-body": w.led[1].pk,
            "members-document_number": "x",
            "members-note": "x",
            "members-confirm": "on",
        },
    )
    assert response.status_code == 400 and Adjustment.objects.count() == 1


def test_crd_3_pages_office_and_host_units_only(district, client):
    w = district
    change_holder(w.judicial_post, on=dt.date(2026, 1, 5), username="judicial2", full_name="钱副区长")
    url = reverse("coordination:leader_changes")
    for user in (w.outsider, w.clerks["审计局"], w.judicial_deputy, w.head):  # 审计局 hosts no body here
        client.force_login(user)
        assert client.get(url).status_code == 404, user
        assert client.post(reverse("coordination:adjust"), {"post": w.judicial_post.pk}).status_code == 404, user
    client.force_login(w.clerks["司法局"])  # hosts a body: sees its own, may not batch
    assert client.get(url).status_code == 200
    refused = client.post(
        reverse("coordination:adjust"),
        {"post": w.judicial_post.pk, "bodies": [w.led[0].pk], "kind": B.BATCH, "document_number": "x", "confirm": "on"},
    )
    assert refused.status_code == 400 and not Adjustment.objects.exists()
    assert "区政府办公室" in refused.content.decode()

    client.force_login(w.staff)
    data = {
        "post": w.judicial_post.pk,
        "bodies": [b.pk for b in w.led],
        "kind": B.BATCH,
        "document_number": "铁政办发〔2026〕20号",
        "new_post": "",
        "note": "",
    }
    unconfirmed = client.post(reverse("coordination:adjust"), data)  # irreversible: confirmed on the server
    assert unconfirmed.status_code == 400 and not Adjustment.objects.exists()
    assert "铁政办发〔2026〕20号" in unconfirmed.content.decode()  # what the user typed is kept
    done = client.post(reverse("coordination:adjust"), {**data, "confirm": "on"})
    assert done.status_code == 302
    assert set(Adjustment.objects.get().bodies.all()) == set(w.led)


def _changed_posts(w, prefix: str, n: int, host: str):
    """`n` more deputy posts, each heading two bodies, each with a new holder."""
    for i in range(n):
        post, _ = appoint(Post.Kind.DEPUTY, unit=w.gov, title=f"副区长（{prefix}{i}）", start=dt.date(2020, 1, 1))
        for j in range(2):
            make_body(
                f"{prefix}{i}-{j}工作领导小组", host=w.units[host], head=post, members=(w.unit_head_posts["财政局"],)
            )
        change_holder(post, on=dt.date(2026, 1, 5), username=f"{prefix}{i}", full_name=f"新副区长{prefix}{i}")


def test_crd_3_leader_changes_page_reads_in_constant_queries(district, client):
    w = district
    upkeep.adjust_bodies(
        actor=w.staff, post=w.exec_post, bodies=[w.unrelated], kind=B.SINGLE, document_number="铁政办发〔2026〕30号"
    )
    client.force_login(w.staff)
    url = reverse("coordination:leader_changes")
    _changed_posts(w, "a", 1, "发改局")
    client.get(url)  # warm caches (content types, session)
    with CaptureQueriesContext(connection) as small:
        assert client.get(url).status_code == 200
    _changed_posts(w, "b", 5, "信访局")
    with CaptureQueriesContext(connection) as large:
        response = client.get(url)
    assert response.status_code == 200
    assert response.content.decode().count('data-testid="affected-body"') == 12
    assert len(large) == len(small)


def test_crd_3_the_adjustment_form_sent_twice_records_one_adjustment(district, client):
    """The office's adjustment posted a second time — a double click, or a colleague's 领导变动 page loaded before
    the first was recorded — made a second adjustment under the same document over the same bodies: two records,
    two 'leader_adjusted' entries per body, the bodies' offices told twice. Now the second is refused in words
    naming who recorded it; nothing more is recorded or sent."""
    w = district
    change_holder(w.judicial_post, on=CHANGED_ON, username="judicial2", full_name="钱副区长")
    data = {
        "kind": B.BATCH,
        "post": w.judicial_post.pk,
        "bodies": [w.led[0].pk, w.led[1].pk],
        "document_number": "铁政办发〔2026〕12号",
        "note": "",
        "new_post": "",
        "confirm": "on",
    }
    client.force_login(w.staff)
    first = client.post(reverse("coordination:adjust"), data)
    assert first.status_code == 302, first.content.decode()[:500]
    counts = (Adjustment.objects.count(), Event.objects.count(), Message.objects.count())
    again = client.post(reverse("coordination:adjust"), data)
    assert again.status_code == 400 and "未重复登记" in again.content.decode()
    assert (Adjustment.objects.count(), Event.objects.count(), Message.objects.count()) == counts == (1, *counts[1:])
    other = upkeep.adjust_bodies(  # another post's change under the same document is its own adjustment
        actor=w.staff, post=w.exec_post, bodies=[w.led[2]], kind=B.SINGLE, document_number="铁政办发〔2026〕12号"
    )
    assert other.pk and Adjustment.objects.count() == 2

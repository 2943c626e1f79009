"""The audit record (X-1): append-only in the database and in the ORM, written only inside the change's
transaction, shown as a timeline, and read-only in the admin for audit admins."""

import pytest
from django.contrib.contenttypes.models import ContentType
from django.db import DatabaseError, connection, transaction
from django.template import Context, Template
from django.urls import reverse

from tests.factories import UnitFactory, UserFactory
from tiexi_gov.audit.models import AppendOnlyError, Event
from tiexi_gov.audit.services import record_event
from tiexi_gov.org.roles import Role

pytestmark = pytest.mark.django_db


def _event(subject, **kwargs):
    with transaction.atomic():
        return record_event(subject=subject, **{"actor": None, "action": "note", **kwargs})


def test_x_1_raw_sql_update_on_audit_table_fails_on_postgres(postgres_only):
    event = _event(UnitFactory(), opinion="原意见")
    with pytest.raises(DatabaseError), transaction.atomic(), connection.cursor() as cursor:
        cursor.execute("UPDATE audit_event SET opinion = %s WHERE id = %s", ["篡改", event.pk])
    event.refresh_from_db()
    assert event.opinion == "原意见"


def test_x_1_raw_sql_delete_on_audit_table_fails_on_postgres(postgres_only):
    event = _event(UnitFactory())
    with pytest.raises(DatabaseError), transaction.atomic(), connection.cursor() as cursor:
        cursor.execute("DELETE FROM audit_event WHERE id = %s", [event.pk])
    assert Event.objects.filter(pk=event.pk).exists()


def test_x_1_orm_update_and_delete_are_refused():
    event = _event(UnitFactory(), opinion="同意")
    with pytest.raises(AppendOnlyError):
        Event.objects.filter(pk=event.pk).update(opinion="改")
    with pytest.raises(AppendOnlyError):
        Event.objects.filter(pk=event.pk).delete()
    with pytest.raises(AppendOnlyError):
        event.delete()
    event.opinion = "改"
    with pytest.raises(AppendOnlyError):
        event.save()
    assert Event.objects.get(pk=event.pk).opinion == "同意"


@pytest.mark.django_db(transaction=True)
def test_x_1_record_event_outside_a_transaction_is_refused():
    unit = UnitFactory()
    with pytest.raises(RuntimeError):
        record_event(actor=None, subject=unit, action="note")
    assert not Event.objects.exists()


def test_x_1_timeline_shows_actor_capacity_state_and_opinion():
    deputy = UserFactory(full_name="李副区长")
    head = UserFactory(full_name="王区长")
    subject = UnitFactory(name="区财政局")
    _event(
        subject,
        actor=deputy,
        action="approve",
        action_label="审核同意",
        capacity="代王区长",
        acting_for=head,
        opinion="同意，请财政局抓紧办理。",
        from_state="leader_review",
        to_state="signed",
        rule_id="DOC-11",
    )
    _event(subject, actor=head, action="sign", action_label="签发")
    html = Template("{% load audit_tags %}{% audit_timeline obj %}").render(Context({"obj": subject}))
    assert html.count('data-testid="timeline-item"') == 2
    assert "李副区长" in html and "代王区长" in html
    assert "同意，请财政局抓紧办理。" in html
    assert "leader_review → signed" in html
    assert "第六十一条" in html
    assert "本职" in html  # the head acted in their own post
    assert html.index("审核同意") < html.index("签发")  # oldest first


def test_x_1_timeline_names_whom_an_acting_leader_stood_in_for():
    """Four deputies share the title 副区长: the record keeps 代副区长 and whom (acting_for); the timeline showed only
    陈晓东 代副区长. It names the absent holder: 代副区长张海燕."""
    absent, acting = UserFactory(full_name="张海燕"), UserFactory(full_name="陈晓东")
    subject = UnitFactory(name="区卫健局")
    _event(subject, actor=acting, action="approve", action_label="同意", capacity="代副区长", acting_for=absent)
    html = Template("{% load audit_tags %}{% audit_timeline obj %}").render(Context({"obj": subject}))
    assert "代副区长张海燕" in html


def test_x_1_timeline_uses_the_state_labels_of_the_subject():
    from tiexi_gov.audit.templatetags.audit_tags import state_labels
    from tiexi_gov.deadlines.models import Deadline

    labels = state_labels(Deadline())
    assert labels["open"] == "进行中" and labels["missed"] == "已超期"


def test_x_1_history_page_for_audit_admin_only(client):
    subject = UnitFactory(name="区审计局")
    _event(subject, action="create", action_label="建立", opinion="首次登记")
    url = reverse("audit:history", args=[ContentType.objects.get_for_model(subject).pk, subject.pk])

    client.force_login(UserFactory(roles=[Role.CLERK]))
    assert client.get(url).status_code == 404

    client.force_login(UserFactory(roles=[Role.AUDIT_ADMIN]))
    page = client.get(url)
    assert page.status_code == 200
    assert "首次登记" in page.content.decode()

    client.force_login(UserFactory(roles=[Role.OFFICE_DIRECTOR]))
    assert client.get(url).status_code == 200


def test_x_1_history_page_of_a_missing_object_is_404(client):
    client.force_login(UserFactory(roles=[Role.AUDIT_ADMIN]))
    ct = ContentType.objects.get_for_model(Event)
    assert client.get(reverse("audit:history", args=[ct.pk, 999999])).status_code == 404


def test_x_1_admin_shows_events_read_only_to_audit_admin(client):
    event = _event(UnitFactory(), action="create", action_label="建立", opinion="原始记录")
    auditor = UserFactory(roles=[Role.AUDIT_ADMIN], is_staff=True)
    client.force_login(auditor)
    changelist = client.get(reverse("admin:audit_event_changelist"))
    assert changelist.status_code == 200
    detail = client.get(reverse("admin:audit_event_change", args=[event.pk]))
    assert detail.status_code == 200
    assert "原始记录" in detail.content.decode()
    assert client.get(reverse("admin:audit_event_add")).status_code == 403
    assert client.post(reverse("admin:audit_event_change", args=[event.pk]), {"opinion": "改"}).status_code == 403
    assert client.post(reverse("admin:audit_event_delete", args=[event.pk]), {"post": "yes"}).status_code == 403
    assert Event.objects.get(pk=event.pk).opinion == "原始记录"


def test_x_1_the_audit_admins_list_detail_and_export_cite_articles_not_rule_ids(client):
    """The console and the export are read by people: 第六十条, never DOC-7 (the ID stays in the database)."""
    import re
    from io import BytesIO

    from django.utils import timezone
    from openpyxl import load_workbook

    from tiexi_gov.deadlines import rules

    event = _event(UnitFactory(), action="reply", action_label="答复", rule_id="DOC-7")
    client.force_login(UserFactory(roles=[Role.AUDIT_ADMIN], is_staff=True))
    article = rules.describe("DOC-7").label
    pages = {
        "list": client.get(reverse("admin:audit_event_changelist")).content.decode(),
        "filtered": client.get(reverse("admin:audit_event_changelist"), {"rule": "DOC-7"}).content.decode(),
        "detail": client.get(reverse("admin:audit_event_change", args=[event.pk])).content.decode(),
    }
    for name, html in pages.items():
        assert article in html, name
        # the filter's links and the search box's hidden field carry the ID; the words do not
        shown = re.sub(r'rule=[A-Z]+-\d+|name="rule" value="[A-Z]+-\d+"', "", html)
        found = rules.ID_PATTERN.search(shown)
        assert not found, (name, shown[found.start() - 150 : found.end() + 50] if found else "")
    today = f"{timezone.localdate():%Y-%m-%d}"
    export = client.post(reverse("audit:export"), {"start": today, "end": today})
    rows = list(load_workbook(BytesIO(b"".join(export.streaming_content)), read_only=True)["审计记录"].values)
    header = rows[1]
    row = next(r for r in rows[2:] if r[1] == event.pk)
    assert row[header.index("依据")] == article


def test_x_1_admin_hides_events_from_other_staff(client):
    _event(UnitFactory())
    client.force_login(UserFactory(roles=[Role.SYSTEM_ADMIN], is_staff=True))
    assert client.get(reverse("admin:audit_event_changelist")).status_code == 403


def test_x_1_superuser_may_read_but_not_change_events(client):
    event = _event(UnitFactory())
    client.force_login(UserFactory(is_staff=True, is_superuser=True))
    assert client.get(reverse("admin:audit_event_changelist")).status_code == 200
    assert client.post(reverse("admin:audit_event_delete", args=[event.pk]), {"post": "yes"}).status_code == 403
    assert Event.objects.filter(pk=event.pk).exists()


def test_x_1_timeline_names_a_clock_s_states_in_chinese_and_gives_the_system_no_capacity():
    """The deadline_* events on an item carry its time limit's states (open, met …), which the item's own state
    choices do not know: the timeline names them as the clock does, and the system acts in no capacity."""
    subject = UnitFactory(name="区发改局")
    _event(subject, action="deadline_opened", action_label="时限开始", to_state="open", rule_id="SUP-2")
    _event(subject, action="deadline_closed", action_label="时限关闭", from_state="open", to_state="met")
    html = Template("{% load audit_tags %}{% audit_timeline obj %}").render(Context({"obj": subject}))
    assert "— → 进行中" in html and "进行中 → 按期完成" in html
    assert "open" not in html and "met" not in html
    assert "系统" in html and "本职" not in html


def _state_events():
    """Events on subjects of several kinds, as the flows record them (state codes and Chinese action names)."""
    from documents.submissions.models import Submission
    from meetings.models import Meeting
    from meetings.schedule.models import MeetingPlan

    submission = Submission(pk=901, title="关于申请追加预算的请示")
    meeting = Meeting(pk=903, title="区政府2027年第1次常务会议")
    return [
        _event(
            submission, action="submitted", action_label="报送", from_state="drafting", to_state="awaiting_signature"
        ),
        _event(MeetingPlan(pk=902), action="plan_drafted", action_label="编制会议计划", to_state="drafting"),
        _event(
            meeting,
            action="agenda_approved",
            action_label="区长审定议程（议程冻结）",
            from_state="agenda_submitted",
            to_state="agenda_approved",
        ),
        _event(submission, action="deadline_closed", action_label="时限关闭", from_state="open", to_state="met"),
        _event(UnitFactory(), action="note", from_state="retired_code"),
    ]


def test_x_1_audit_list_names_states_by_the_subjects_labels_and_the_action_filter_in_chinese(client):
    """The 审计记录 screen is read by the audit administrator: 待签发, not `awaiting_signature`; the 操作 filter lists
    报送, 区长审定议程… (the events' own names) and still filters by the action underneath."""
    import re

    _state_events()
    client.force_login(UserFactory(roles=[Role.AUDIT_ADMIN], is_staff=True))
    response = client.get(reverse("admin:audit_event_changelist"))
    cell = re.compile(r'class="field-(\w+?)(?:_name)?">(.*?)</t[dh]>')  # field-from_state(_name): the column
    rows = [
        {name: re.sub(r"<[^>]+>", "", text).strip() for name, text in cell.findall(row)}
        for row in re.findall(r"<tr>(.*?)</tr>", response.content.decode(), re.S)
    ]
    states = {(row["from_state"], row["to_state"]) for row in rows if "to_state" in row}
    assert {("起草中", "待签发"), ("-", "办公室编制中"), ("议程待区长审定", "议程已审定")} <= states
    assert ("进行中", "按期完成") in states  # a time limit's states, as the clock names them
    assert ("retired_code", "-") in states  # a code no model knows is shown as recorded
    shown = {name for pair in states for name in pair}
    assert not {"drafting", "awaiting_signature", "agenda_submitted", "open", "met"} & shown

    action_filter = next(spec for spec in response.context["cl"].filter_specs if spec.parameter_name == "action")
    names = {choice["display"] for choice in action_filter.choices(response.context["cl"])}
    assert {"报送", "编制会议计划", "区长审定议程（议程冻结）", "时限关闭", "note"} <= names
    assert not {"submitted", "agenda_approved", "deadline_closed"} & names
    filtered = client.get(reverse("admin:audit_event_changelist"), {"action": "agenda_approved"})
    assert [e.action for e in filtered.context["cl"].result_list] == ["agenda_approved"]


def test_x_1_audit_export_names_states_like_the_list():
    from datetime import timedelta
    from io import BytesIO

    from django.utils import timezone
    from openpyxl import load_workbook

    from tiexi_gov.audit.export import write_xlsx

    events = _state_events()
    now = timezone.now()
    out, _result = write_xlsx(start=now - timedelta(hours=1), end=now + timedelta(hours=1), exported_by="审计员")
    rows = list(load_workbook(BytesIO(out.read()), read_only=True)["审计记录"].values)
    header = rows[1]
    by_id = {r[1]: r for r in rows[2:]}
    states = [(by_id[e.pk][header.index("原状态")], by_id[e.pk][header.index("新状态")]) for e in events]
    assert states == [
        ("起草中", "待签发"),
        (None, "办公室编制中"),
        ("议程待区长审定", "议程已审定"),
        ("进行中", "按期完成"),
        ("retired_code", None),
    ]


def test_x_1_audit_list_costs_the_same_queries_for_more_events_of_more_kinds(client):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    client.force_login(UserFactory(roles=[Role.AUDIT_ADMIN], is_staff=True))
    url = reverse("admin:audit_event_changelist")
    _state_events()
    client.get(url)  # the per-process state labels are filled once
    with CaptureQueriesContext(connection) as few:
        client.get(url)
    _state_events()
    _state_events()
    with CaptureQueriesContext(connection) as more:
        client.get(url)
    assert len(more.captured_queries) == len(few.captured_queries)

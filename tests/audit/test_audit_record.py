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

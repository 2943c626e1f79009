"""Issue 12.3, attacked as an assessor would: the audit record is an SM3 hash chain that `manage.py audit verify`
walks; a forged back-dated row and an altered row are found; concurrent appends keep the chain whole; the runtime
database role can neither TRUNCATE, UPDATE, DELETE nor switch the trigger off; young events cannot be purged; the
audit administrator's export states the verification result; the beat alerts the audit administrators."""

import threading
import time
import uuid
from datetime import timedelta
from io import BytesIO, StringIO

import psycopg
import pytest
import time_machine
from django.conf import settings
from django.contrib.contenttypes.models import ContentType
from django.core.management import CommandError, call_command
from django.db import ProgrammingError, connection, connections, transaction
from django.urls import reverse
from django.utils import timezone
from openpyxl import load_workbook

from tests.conftest import on_postgres
from tests.db_roles import as_owner, current_role, runtime_role
from tests.factories import UnitFactory, UserFactory
from tiexi_gov.audit import chain
from tiexi_gov.audit.models import ChainAnchor, Event
from tiexi_gov.audit.services import record_event
from tiexi_gov.audit.tasks import verify_chain
from tiexi_gov.notify.models import Message
from tiexi_gov.org.roles import Role

pytestmark = pytest.mark.django_db

COLUMNS = (*chain.CONTENT_FIELDS, "prev_hash", "hash")


def _record(subject, n=1, **kwargs):
    with transaction.atomic():
        return [
            record_event(actor=None, subject=subject, action="note", opinion=f"意见{i}", **kwargs) for i in range(n)
        ]


def _verify_output():
    out = StringIO()
    call_command("audit", "verify", stdout=out)
    return out.getvalue()


def _insert_raw(values: dict) -> int:
    """Write a row the way an intruder with INSERT would: raw SQL, bypassing the service and the model."""
    row = {name: values.get(name, "") for name in COLUMNS}
    row["at"] = connection.ops.adapt_datetimefield_value(row["at"])
    for name in ("actor_id", "acting_for_id", "ip"):
        row[name] = values.get(name)
    cols = ", ".join(COLUMNS)
    marks = ", ".join(["%s"] * len(COLUMNS))
    with connection.cursor() as cursor:
        cursor.execute(f"INSERT INTO audit_event ({cols}) VALUES ({marks})", [row[c] for c in COLUMNS])
    return Event.objects.order_by("-id").values_list("id", flat=True).first()


def _tamper(event_id: int, opinion: str) -> None:
    """Alter a stored row. On PostgreSQL only a superuser can (the trigger refuses UPDATE): switch triggers off for
    this transaction the way such an intruder would."""
    with as_owner(), transaction.atomic(), connection.cursor() as cursor:
        if on_postgres():
            cursor.execute("SET LOCAL session_replication_role = replica")
        cursor.execute("UPDATE audit_event SET opinion = %s WHERE id = %s", [opinion, event_id])
        if on_postgres():
            cursor.execute("SET LOCAL session_replication_role = DEFAULT")


def test_12_3_events_are_chained_with_sm3_and_a_clean_chain_verifies():
    unit = UnitFactory()
    first, second, third = _record(unit, 3)
    assert second.prev_hash == first.hash and third.prev_hash == second.hash
    assert len(third.hash) == 64 and third.hash != second.hash
    # the stored hash is SM3 over the canonical content and the previous hash
    values = Event.objects.filter(pk=third.pk).values(*chain.CONTENT_FIELDS).get()
    assert third.hash == chain.sm3_hex(chain.canonical(values, second.hash))
    assert chain.sm3_hex(b"abc") == "66c7f0f462eeedd9d1f2d46bdc10e4e24167c4875cf2f7a2297da02b8f4ba8e0"  # GB/T 32905
    assert "校验通过" in _verify_output()


def test_12_3_every_orm_path_chains_the_event():
    unit = UnitFactory()
    ct = ContentType.objects.get_for_model(unit)
    a = Event.objects.create(subject_type=ct, subject_id=str(unit.pk), action="x")
    b, c = Event.objects.bulk_create([Event(subject_type=ct, subject_id=str(unit.pk), action=f"y{i}") for i in (1, 2)])
    assert b.prev_hash == a.hash and c.prev_hash == b.hash
    assert chain.verify().ok


def test_12_3_forged_back_dated_row_is_found_by_verify():
    unit = UnitFactory()
    _record(unit, 2)
    ct = ContentType.objects.get_for_model(unit)
    forged = _insert_raw(
        {
            "subject_type_id": ct.pk,
            "subject_id": str(unit.pk),
            "action": "approve",
            "action_label": "批准",
            "opinion": "同意（补签）",
            "at": timezone.now() - timedelta(days=30),
        }
    )
    _record(unit)  # life goes on after the forgery
    with pytest.raises(CommandError) as broken:
        call_command("audit", "verify")
    message = str(broken.value)
    assert f"id={forged}" in message and "起被篡改" in message
    result = chain.verify()
    assert not result.ok and result.first_break.id == forged


def test_12_3_forged_row_with_a_correct_hash_but_back_dated_is_still_found():
    """An intruder who knows the algorithm chains his row correctly; its date going backwards gives it away."""
    unit = UnitFactory()
    _record(unit, 2)
    ct = ContentType.objects.get_for_model(unit)
    values = dict.fromkeys(chain.CONTENT_FIELDS)
    values.update(
        capacity="",
        action="approve",
        action_label="批准",
        subject_type_id=ct.pk,
        subject_id=str(unit.pk),
        subject_repr="",
        from_state="",
        to_state="",
        opinion="同意",
        rule_id="",
        at=timezone.now() - timedelta(days=30),
    )
    prev = chain.head_hash()
    forged = _insert_raw({**values, "prev_hash": prev, "hash": chain.event_hash(values, prev)})
    result = chain.verify()
    assert not result.ok
    assert result.first_break.id == forged and "时间倒退" in result.first_break.reason


def test_12_3_altered_row_is_found_by_verify_and_named():
    unit = UnitFactory()
    events = _record(unit, 4)
    _tamper(events[1].pk, "不同意")
    assert Event.objects.get(pk=events[1].pk).opinion == "不同意"
    result = chain.verify()
    assert not result.ok
    assert result.first_break.id == events[1].pk
    assert "内容与哈希不符" in result.first_break.reason
    ordinal = Event.objects.filter(pk__lte=events[1].pk).count()
    assert result.summary.startswith(f"第{ordinal}条起被篡改（id={events[1].pk}")
    with pytest.raises(CommandError, match=f"id={events[1].pk}"):
        call_command("audit", "verify")


def test_12_3_removed_row_breaks_the_link_of_the_next():
    unit = UnitFactory()
    events = _record(unit, 3)
    with as_owner(), transaction.atomic(), connection.cursor() as cursor:
        if on_postgres():
            cursor.execute("SET LOCAL session_replication_role = replica")
        cursor.execute("DELETE FROM audit_event WHERE id = %s", [events[1].pk])
    result = chain.verify()
    assert not result.ok and result.first_break.id == events[2].pk and "链接断开" in result.first_break.reason


def test_12_3_verify_streams_in_chunks():
    _record(UnitFactory(), 7)
    assert chain.verify(chunk_size=2).ok
    assert "校验通过" in _verify_output()


@pytest.mark.django_db(transaction=True)
def test_12_3_concurrent_appends_keep_the_chain_valid(monkeypatch):
    if not on_postgres():
        pytest.skip("needs PostgreSQL")
    unit = UnitFactory()
    real_head = chain.head_hash

    def slow_head():  # widen the race: read the head, then dawdle before inserting
        head = real_head()
        time.sleep(0.01)
        return head

    monkeypatch.setattr(chain, "head_hash", slow_head)
    barrier = threading.Barrier(2)
    errors = []

    def worker(tag):
        try:
            barrier.wait()
            for i in range(15):
                with transaction.atomic():
                    record_event(actor=None, subject=unit, action="note", opinion=f"{tag}{i}")
        except Exception as exc:  # pragma: no cover - reported below
            errors.append(exc)
        finally:
            connections.close_all()

    threads = [threading.Thread(target=worker, args=(tag,)) for tag in "AB"]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=120)
    assert not errors, errors
    assert Event.objects.count() == 30
    hashes = list(Event.objects.order_by("id").values_list("prev_hash", "hash"))
    assert all(prev == hashes[i - 1][1] for i, (prev, _) in enumerate(hashes) if i)
    assert len({h for _, h in hashes}) == 30
    assert chain.verify().ok


# --- the runtime database role -----------------------------------------------------------------------------------


@pytest.mark.django_db(transaction=True)
def test_12_3_runtime_role_may_only_insert_and_select_the_audit_table(db_owner):
    if not on_postgres():
        pytest.skip("needs PostgreSQL")
    unit = UnitFactory()
    _record(unit)
    ct = ContentType.objects.get_for_model(unit)
    role = f"tiexi_rt_{uuid.uuid4().hex[:10]}"
    db = connection.settings_dict
    q = connection.ops.quote_name
    with connection.cursor() as cursor:
        cursor.execute(f"CREATE ROLE {q(role)} LOGIN NOSUPERUSER NOINHERIT")
        cursor.execute(f"GRANT CONNECT ON DATABASE {q(db['NAME'])} TO {q(role)}")
    try:
        call_command("audit", "grant_runtime", "--role", role, stdout=StringIO())
        with psycopg.connect(
            host=db["HOST"] or "127.0.0.1",
            port=db["PORT"] or 5432,
            dbname=db["NAME"],
            user=role,
            autocommit=True,
            options="-c role=none",  # not the suite's own runtime role (PGOPTIONS in CI): this one
        ) as rt:
            rt.execute("SELECT pg_advisory_xact_lock(%s)", [chain.LOCK_KEY])
            assert rt.execute("SELECT count(*) FROM audit_event").fetchone()[0] == 1
            rt.execute(
                "INSERT INTO audit_event (capacity, action, action_label, subject_type_id, subject_id, subject_repr,"
                " from_state, to_state, opinion, rule_id, at, prev_hash, hash)"
                " VALUES ('', 'note', '', %s, %s, '', '', '', '运行时写入', '', now(), '', '')",
                [ct.pk, str(unit.pk)],
            )
            assert rt.execute("SELECT count(*) FROM audit_event").fetchone()[0] == 2
            assert rt.execute("SELECT count(*) FROM audit_chainanchor").fetchone()[0] == 0
            refused = [
                "TRUNCATE audit_event",
                "UPDATE audit_event SET opinion = '改'",
                "DELETE FROM audit_event",
                "ALTER TABLE audit_event DISABLE TRIGGER audit_event_no_update",
                "ALTER TABLE audit_event DISABLE TRIGGER ALL",
                "DROP TRIGGER audit_event_no_update ON audit_event",
                "CREATE TRIGGER t BEFORE INSERT ON audit_event FOR EACH ROW EXECUTE FUNCTION audit_event_append_only()",
                "DROP TABLE audit_event",
                "INSERT INTO audit_chainanchor (last_id, last_hash, last_at, purged_count, created_at)"
                " VALUES (1, 'x', now(), 1, now())",
                "SET session_replication_role = replica",
            ]
            for statement in refused:
                with pytest.raises(psycopg.errors.InsufficientPrivilege):
                    rt.execute(statement)
            # the business tables stay writable for the runtime role
            rt.execute("UPDATE notify_message SET read_at = NULL WHERE false")
        assert Event.objects.count() == 2
    finally:
        with connection.cursor() as cursor:
            cursor.execute(f"DROP OWNED BY {q(role)}")
            cursor.execute(f"REVOKE ALL ON DATABASE {q(db['NAME'])} FROM {q(role)}")
            cursor.execute(f"DROP ROLE {q(role)}")


def test_12_3_grant_runtime_refuses_a_superuser_or_the_owner():
    if not on_postgres():
        with pytest.raises(CommandError, match="PostgreSQL"):
            call_command("audit", "grant_runtime", "--role", "whoever")
        return
    with pytest.raises(CommandError):
        call_command("audit", "grant_runtime", "--role", connection.settings_dict["USER"] or "postgres")


def test_12_3_the_roles_script_sets_up_an_owner_and_a_runtime_role():
    sql = (settings.BASE_DIR / "scripts" / "db_roles.sql").read_text(encoding="utf-8")
    assert "CREATE ROLE tiexi_owner" in sql and "CREATE ROLE tiexi_app" in sql
    assert "OWNER tiexi_owner" in sql and "TRUNCATE" in sql


# --- retention and purge -----------------------------------------------------------------------------------------


def test_12_3_purge_refuses_events_younger_than_retention():
    events = _record(UnitFactory(), 2)
    today = timezone.localdate()
    for before in (today, today - timedelta(days=settings.AUDIT_RETENTION_DAYS - 1)):
        with pytest.raises(CommandError, match="保留期"):
            call_command("audit", "purge", "--before", f"{before:%Y-%m-%d}")
    assert Event.objects.filter(pk__in=[e.pk for e in events]).count() == 2


def test_12_3_retention_is_configurable(settings):
    settings.AUDIT_RETENTION_DAYS = 400
    with pytest.raises(CommandError, match="400 天"):
        call_command("audit", "purge", "--before", f"{timezone.localdate() - timedelta(days=200):%Y-%m-%d}")


def test_12_3_purge_of_old_events_keeps_the_chain_verifiable(db_owner):
    unit = UnitFactory()
    long_ago = timezone.now() - timedelta(days=settings.AUDIT_RETENTION_DAYS + 30)
    with time_machine.travel(long_ago, tick=False):
        old = _record(unit, 3)
    young = _record(unit, 2)
    cutoff = timezone.localdate() - timedelta(days=settings.AUDIT_RETENTION_DAYS + 10)
    out = StringIO()
    call_command("audit", "purge", "--before", f"{cutoff:%Y-%m-%d}", stdout=out)
    assert "已清除" in out.getvalue()
    assert not Event.objects.filter(pk__in=[e.pk for e in old]).exists()
    assert Event.objects.filter(pk__in=[e.pk for e in young]).count() == 2
    anchor = ChainAnchor.objects.get()
    assert anchor.last_hash == old[-1].hash
    assert Event.objects.filter(action="audit_purge").exists()  # the purge is itself on the record
    result = chain.verify()
    assert result.ok, result.summary


def test_12_3_purge_refuses_a_broken_chain(db_owner):
    unit = UnitFactory()
    with time_machine.travel(timezone.now() - timedelta(days=400), tick=False):
        old = _record(unit, 2)
    _tamper(old[0].pk, "改过")
    cutoff = timezone.localdate() - timedelta(days=300)
    with pytest.raises(CommandError, match="校验未通过"):
        call_command("audit", "purge", "--before", f"{cutoff:%Y-%m-%d}")
    assert Event.objects.filter(pk=old[0].pk).exists()


# --- the export and the daily check ------------------------------------------------------------------------------


def _export(client, start, end):
    response = client.post(reverse("audit:export"), {"start": f"{start:%Y-%m-%d}", "end": f"{end:%Y-%m-%d}"})
    assert response.status_code == 200
    assert response["Content-Type"].startswith("application/vnd.openxmlformats")
    return load_workbook(BytesIO(b"".join(response.streaming_content)), read_only=True)


def test_12_3_audit_admin_exports_a_period_with_the_verification_result(client):
    unit = UnitFactory()
    events = _record(unit, 3)
    auditor = UserFactory(roles=[Role.AUDIT_ADMIN], is_staff=True)
    client.force_login(auditor)
    assert client.get(reverse("audit:export")).status_code == 200
    today = timezone.localdate()

    book = _export(client, today, today)
    assert book["校验结果"]["A1"].value == "校验结论" and book["校验结果"]["B1"].value == "校验通过"
    rows = list(book["审计记录"].iter_rows(values_only=True))
    assert rows[0][0] == "校验结论：校验通过"
    assert {r[1] for r in rows[2:]} >= {e.pk for e in events}
    assert Event.objects.filter(action="audit_export", actor=auditor).exists()  # the export is on the record

    _tamper(events[0].pk, '=HYPERLINK("http://x")')
    book = _export(client, today, today)
    ordinal = Event.objects.filter(pk__lte=events[0].pk).count()
    assert book["校验结果"]["B1"].value == f"第{ordinal}条起被篡改"
    rows = list(book["审计记录"].iter_rows(values_only=True))
    assert rows[0][0] == f"校验结论：第{ordinal}条起被篡改"
    tampered = next(r for r in rows[2:] if r[1] == events[0].pk)
    assert tampered[13] == '=HYPERLINK("http://x")'  # kept as text, not turned into a formula


def test_12_3_export_is_reachable_from_the_audit_admins_page_and_only_for_him(client):
    client.force_login(UserFactory(roles=[Role.AUDIT_ADMIN], is_staff=True))
    changelist = client.get(reverse("admin:audit_event_changelist"))
    assert reverse("audit:export") in changelist.content.decode()
    for role in (Role.CLERK, Role.OFFICE_DIRECTOR, Role.SECURITY_ADMIN, Role.SYSTEM_ADMIN):
        client.force_login(UserFactory(roles=[role], is_staff=True))
        assert client.get(reverse("audit:export")).status_code == 404
        assert client.post(reverse("audit:export"), {"start": "2026-01-01", "end": "2026-12-31"}).status_code == 404
    client.logout()
    assert client.get(reverse("audit:export")).status_code == 302


def test_12_3_export_of_a_year_out_of_range_is_a_form_error_and_a_garbage_id_no_history(client):
    """Year 9999 cannot be counted to (a 500 before); an object id that is not a number is no object (404)."""
    auditor = UserFactory(roles=[Role.AUDIT_ADMIN], is_staff=True)
    client.force_login(auditor)
    refused = client.post(reverse("audit:export"), {"start": "0001-01-01", "end": "9999-12-31"})
    assert refused.status_code == 400
    assert "须在2000年至2099年之间" in refused.content.decode()
    assert not Event.objects.filter(action="audit_export").exists()
    unit_type = ContentType.objects.get_for_model(UnitFactory._meta.model)
    assert client.get(reverse("audit:history", args=[unit_type.pk, "abc"])).status_code == 404
    assert client.get(reverse("audit:history", args=[unit_type.pk, "99999999999999999999"])).status_code == 404


def test_12_3_beat_runs_verify_daily():
    entry = settings.CELERY_BEAT_SCHEDULE["audit-verify-chain"]
    assert entry["task"] == verify_chain.name
    assert entry["schedule"].hour == {2} and entry["schedule"].minute == {30}  # once a day


def test_12_3_daily_check_alerts_the_audit_admins_on_a_break():
    auditor = UserFactory(roles=[Role.AUDIT_ADMIN])
    bystander = UserFactory(roles=[Role.SECURITY_ADMIN])
    events = _record(UnitFactory(), 2)
    assert verify_chain() is True
    assert not Message.objects.filter(recipient=auditor).exists()

    _tamper(events[1].pk, "改")
    assert verify_chain() is False
    alert = Message.objects.get(recipient=auditor)
    assert alert.level == Message.Level.ALERT and "起被篡改" in alert.subject and f"id={events[1].pk}" in alert.body
    assert not Message.objects.filter(recipient=bystander).exists()
    verify_chain()  # the same day again: no second alert
    assert Message.objects.filter(recipient=auditor).count() == 1


# --- the suite itself runs under the split (CI sets TEST_DB_RUNTIME_ROLE) ---------------------------------------


@pytest.mark.django_db(transaction=True)
def test_12_3_the_suite_acts_as_the_runtime_role_in_every_connection():
    """Under the split every connection the tests open — this one, a thread's — is the runtime role, which may add
    to the audit record but not change it: a code path that needed the owner's rights would fail the suite."""
    role = runtime_role()
    if not role or not on_postgres():
        pytest.skip("CI runs the PostgreSQL suite with TEST_DB_RUNTIME_ROLE set")
    with transaction.atomic():
        record_event(actor=None, subject=UnitFactory(), action="note", opinion="运行时写入")
    seen = {}

    def in_thread():
        try:
            seen["role"] = current_role(connections["default"])
        finally:
            connections.close_all()

    thread = threading.Thread(target=in_thread)
    thread.start()
    thread.join(timeout=60)
    assert current_role() == role and seen["role"] == role
    for statement in ("UPDATE audit_event SET opinion = '改'", "DELETE FROM audit_event", "TRUNCATE audit_event"):
        with pytest.raises(ProgrammingError, match="permission denied"), transaction.atomic(), connection.cursor() as c:
            c.execute(statement)
    assert Event.objects.filter(opinion="运行时写入").count() == 1


def test_12_3_ci_runs_the_postgresql_suite_under_the_split():
    ci = (settings.BASE_DIR / ".ci" / "run").read_text(encoding="utf-8")
    postgres_step = ci.split('export DATABASE_URL="postgres://', 1)[1]
    assert "TEST_DB_RUNTIME_ROLE=" in postgres_step and "make test" in postgres_step

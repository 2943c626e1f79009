"""MTG-12 (第三十六条): decisions of plenary and executive meetings are published in the public register (PUB-2)
unless they must legally be kept confidential — with the reason stated; special-topic and party-group decisions
are not published. X-2: a confidential decision is read only by the office, the chair and its named readers."""

from __future__ import annotations

import pytest
from django.contrib.auth.models import Permission
from django.contrib.contenttypes.models import ContentType
from django.urls import reverse
from django.utils import timezone
from test_meetings_minutes import (
    AFTER,
    MEETING_DAY,
    agenda_meeting,
    executive_signers,
    held,
    login,
    record,
    sign_all,
    special_meeting,
)

from documents.models import PublicRegisterEntry
from meetings.minutes import permissions as minutes_permissions
from meetings.minutes import services as minutes_services
from meetings.models import Decision, MeetingKind
from meetings.shared.errors import ActionNotAllowed, MeetingError
from tiexi_gov.audit.models import Event
from tiexi_gov.org.models import User

SECRET = "关于某涉密项目选址的决定"
REASON = "涉及国家秘密，依《保守国家秘密法》不予公开"


def register_entry(decision) -> PublicRegisterEntry | None:
    ct = ContentType.objects.get_for_model(Decision)
    return PublicRegisterEntry.objects.filter(source_type=ct, source_id=str(decision.pk)).first()


def signed_meeting(w, kind, *, day=MEETING_DAY, sign_day=AFTER):
    """A meeting of `kind` with one public and one confidential decision, its minutes signed along its chain."""
    m, topic = agenda_meeting(w, day, kind=kind)
    minutes = held(w, m, day)
    public = record(w, m, "原则同意预算调整方案。", topic=topic)
    secret = record(w, m, SECRET, topic=topic, confidential=True, confidential_reason=REASON)
    minutes_services.send_minutes_for_signing(actor=w.staff, minutes=minutes, today=sign_day)
    signers = {MeetingKind.EXECUTIVE: executive_signers(w), MeetingKind.PARTY_GROUP: [w.head]}.get(
        kind, [w.director, w.head]
    )
    sign_all(w, minutes, signers, day=sign_day)
    public.refresh_from_db()
    secret.refresh_from_db()
    return m, public, secret


@pytest.mark.parametrize("kind", [MeetingKind.EXECUTIVE, MeetingKind.PLENARY])
def test_mtg_12_plenary_and_executive_decisions_published_unless_confidential(world, kind):
    w = world
    m, public, secret = signed_meeting(w, kind)
    entry = register_entry(public)
    assert entry is not None and entry.kind == PublicRegisterEntry.Kind.MEETING_DECISION
    assert entry.text == public.text and entry.published_on == AFTER and not entry.withdrawn
    assert entry.number == m.minutes.number and public.published_on == AFTER
    assert register_entry(secret) is None and secret.published_on is None
    assert not PublicRegisterEntry.objects.filter(text__contains=SECRET).exists()


def test_mtg_12_confidential_needs_a_reason(world):
    w = world
    m, topic = agenda_meeting(w, MEETING_DAY)
    held(w, m)
    with pytest.raises(MeetingError, match="依据和理由"):
        record(w, m, SECRET, topic=topic, confidential=True, confidential_reason="  ")
    assert not Decision.objects.exists()
    record(w, m, SECRET, topic=topic, confidential=True, confidential_reason=REASON)


def test_mtg_12_special_topic_and_party_group_decisions_are_not_published(world):
    w = world
    _m, public, _secret = signed_meeting(w, MeetingKind.PARTY_GROUP)
    assert register_entry(public) is None and public.published_on is None
    m = special_meeting(w, MEETING_DAY)
    minutes = held(w, m, drafter=w.clerks["教育局"])
    decision = record(w, m, "各单位按分工推进。", actor=w.clerks["教育局"])
    minutes_services.send_minutes_for_signing(actor=w.clerks["教育局"], minutes=minutes, today=AFTER)
    sign_all(w, minutes, [w.unit_heads["财政局"], w.unit_heads["发改局"], w.edu_deputy, w.head])
    decision.refresh_from_db()
    assert register_entry(decision) is None and decision.published_on is None
    assert not PublicRegisterEntry.objects.exists()


def test_mtg_12_published_decision_is_listed_in_the_public_register_page(world, client):
    w = world
    _m, public, _secret = signed_meeting(w, MeetingKind.EXECUTIVE)
    page = login(client, w.outsider).get(reverse("documents:register")).content.decode()
    assert public.text in page or register_entry(public).title in page
    assert SECRET not in page


# --- who reads a confidential decision ----------------------------------------------------------------------


def test_x_2_confidential_decision_visible_to_named_readers_only(world, client):
    w = world
    today = timezone.localdate()
    m, topic = agenda_meeting(w, today)
    held(w, m, today)
    public = record(w, m, "原则同意预算调整方案。", topic=topic)
    secret = record(w, m, SECRET, topic=topic, confidential=True, confidential_reason=REASON)
    url = reverse("meetings:minutes", args=[m.pk])
    # the matrix: who may see the meeting × who may read the confidential decision
    readers = {w.staff: True, w.director: True, w.office_deputy: True, w.head: True}  # the office, the chair
    others = {w.edu_deputy: False, w.unit_heads["财政局"]: False, w.clerks["财政局"]: False}
    for user, may_read in {**readers, **others}.items():
        fresh = User.objects.get(pk=user.pk)
        assert minutes_permissions.can_read_decision(fresh, secret) is may_read, user
        page = login(client, user).get(url).content.decode()
        assert public.text in page
        assert (SECRET in page) is may_read, user
        if not may_read:
            assert "（依法保密，不予公开）" in page and REASON not in page
    assert login(client, w.outsider).get(url).status_code == 404

    # the office names a reader (with the confirmation, checked on the server); only the office may
    act = reverse("meetings:decision_action", args=[secret.pk, "reader"])
    r = login(client, w.edu_deputy).post(
        act, {f"reader-{secret.pk}-user": w.edu_deputy.pk, f"reader-{secret.pk}-confirm": "on"}
    )
    assert r.status_code == 403
    r = login(client, w.staff).post(act, {f"reader-{secret.pk}-user": w.edu_deputy.pk})
    assert r.status_code == 400
    assert not minutes_permissions.can_read_decision(User.objects.get(pk=w.edu_deputy.pk), secret)
    r = login(client, w.staff).post(
        act, {f"reader-{secret.pk}-user": w.edu_deputy.pk, f"reader-{secret.pk}-confirm": "on"}
    )
    assert r.status_code == 302
    assert SECRET in login(client, w.edu_deputy).get(url).content.decode()
    assert SECRET not in login(client, w.unit_heads["财政局"]).get(url).content.decode()
    staff_page = login(client, w.staff).get(url).content.decode()
    assert w.edu_deputy.display_name in staff_page.split('data-testid="readers"')[1].split("</div>")[0]
    # not for a public decision, and never for outsiders
    act_public = reverse("meetings:decision_action", args=[public.pk, "reader"])
    assert login(client, w.staff).post(act_public, {}).status_code == 404
    assert login(client, w.outsider).post(act, {}).status_code == 404


def test_x_2_a_global_permission_never_opens_a_confidential_decision(world):
    w = world
    m, topic = agenda_meeting(w, MEETING_DAY)
    held(w, m)
    secret = record(w, m, SECRET, topic=topic, confidential=True, confidential_reason=REASON)
    user = w.unit_heads["财政局"]
    user.user_permissions.add(Permission.objects.get(codename="read_decision", content_type__app_label="meetings"))
    fresh = User.objects.get(pk=user.pk)
    assert fresh.has_perm("meetings.read_decision")  # the global grant exists ...
    assert not minutes_permissions.can_read_decision(fresh, secret)  # ... and opens nothing (object-only, X-2)
    assert minutes_permissions.readable_decision_ids(fresh, [secret]) == set()
    minutes_services.grant_decision_reader(actor=w.staff, decision=secret, user=fresh)
    assert minutes_permissions.can_read_decision(User.objects.get(pk=user.pk), secret)
    assert minutes_permissions.readable_decision_ids(User.objects.get(pk=user.pk), [secret]) == {secret.pk}
    with pytest.raises(ActionNotAllowed):
        minutes_services.grant_decision_reader(actor=w.head, decision=secret, user=w.edu_deputy)


def test_minutes_page_query_count_is_constant_in_decisions(world, client):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    w = world
    m, topic = agenda_meeting(w, MEETING_DAY)
    held(w, m)
    counts = []
    for n in (2, 12):
        for i in range(n):
            record(w, m, f"决定{n}-{i}", topic=topic, confidential=i % 2 == 0, confidential_reason=REASON)
        for user in (w.staff, w.edu_deputy):
            c = login(client, user)
            with CaptureQueriesContext(connection) as ctx:
                assert c.get(reverse("meetings:minutes", args=[m.pk])).status_code == 200
            counts.append((user.username, len(ctx.captured_queries)))
    assert counts[0] == counts[2] and counts[1] == counts[3], counts


def test_mtg_12_naming_a_reader_again_grants_nothing_and_records_nothing(world, client):
    """The reader form posted a second time (a double click, or a page loaded before a colleague named the same
    person) wrote a second "指定知悉人员" entry and said it had named the reader again. Now it says the person already
    reads the decision, and the record keeps one entry."""
    w = world
    m, topic = agenda_meeting(w, MEETING_DAY)
    held(w, m)
    secret = record(w, m, SECRET, topic=topic, confidential=True, confidential_reason=REASON)
    act = reverse("meetings:decision_action", args=[secret.pk, "reader"])
    data = {f"reader-{secret.pk}-user": w.edu_deputy.pk, f"reader-{secret.pk}-confirm": "on"}
    assert login(client, w.staff).post(act, data).status_code == 302
    granted = Event.objects.for_object(secret).filter(action="reader_granted").count()
    again = login(client, w.staff).post(act, data)
    assert again.status_code == 400 and "已是该项决定的知悉人员" in again.content.decode()
    assert Event.objects.for_object(secret).filter(action="reader_granted").count() == granted == 1
    assert minutes_permissions.can_read_decision(User.objects.get(pk=w.edu_deputy.pk), secret)

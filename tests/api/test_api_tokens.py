"""15.1 priority 1: tokens — issued read-only by the security administrator or made by their own user (the only
tokens that do office work), stored as a hash, scoped to a user, audited; a revoked token is refused; an
administrator's account has no token (三员分立)."""

from __future__ import annotations

import hashlib

import pytest
from django.urls import reverse
from rest_framework.test import APIClient

from api import services
from api.models import ApiToken
from tests.documents.documents_support import submitted
from tests.factories import UserFactory
from tiexi_gov.audit.models import Event
from tiexi_gov.notify.models import Message
from tiexi_gov.org.roles import Role
from tiexi_gov.workflow.errors import ActionRefused, NotAllowed

pytestmark = pytest.mark.django_db


def test_15_1_token_stored_as_sha256_only_and_creation_audited(world, security_admin):
    token, shown_to_admin = services.create_token(actor=security_admin, user=world.staff, name="统计系统")
    assert shown_to_admin == "" and token.pending
    token, raw = services.collect_token(actor=world.staff, token=token)
    assert raw.startswith("tx_") and len(raw) > 40
    row = ApiToken.objects.get(pk=token.pk)
    assert row.digest == hashlib.sha256(raw.encode()).hexdigest()
    assert raw not in {getattr(row, f.attname) for f in ApiToken._meta.concrete_fields}
    issued, collected = Event.objects.for_object(row).order_by("id")
    assert (issued.action, issued.actor, collected.action, collected.actor) == (
        "api_token_create",
        security_admin,
        "api_token_collect",
        world.staff,
    )
    assert "郑文书" in issued.opinion


def test_sec_1_the_security_admin_never_sees_a_token_he_issues_its_user_collects_it_once(world, security_admin, client):
    """三员分立: a read-only token in the security administrator's hands would let him read as 区长 or any clerk.
    He issues it; the page answers without the token, and its user — told in his inbox — collects it on 我的接口令牌,
    where it is shown to him once."""
    client.force_login(security_admin)
    issued = client.post(reverse("api:tokens"), {"user": world.staff.pk, "name": "报表系统"})
    assert issued.status_code == 201 and issued.context["raw"] == ""
    assert "tx_" not in issued.content.decode() and "待使用人领取" in issued.content.decode()
    token = ApiToken.objects.get()
    assert token.pending and not token.usable()

    outsider = world.director
    client.force_login(outsider)
    assert client.post(reverse("api:token_collect", args=[token.pk])).status_code == 404
    client.force_login(world.staff)
    assert Message.objects.filter(recipient=world.staff, subject__contains="接口令牌待领取").exists()
    mine = client.get(reverse("api:my_tokens")).content.decode()
    assert reverse("api:token_collect", args=[token.pk]) in mine
    collected = client.post(reverse("api:token_collect", args=[token.pk]))
    raw = collected.context["raw"]
    assert collected.status_code == 201 and raw.startswith("tx_") and raw in collected.content.decode()
    token.refresh_from_db()
    assert token.digest == hashlib.sha256(raw.encode()).hexdigest() and token.usable()
    again = client.post(reverse("api:token_collect", args=[token.pk]), follow=True)
    assert "已于此前领取" in again.content.decode() and raw not in again.content.decode()
    bearer = APIClient()
    bearer.credentials(HTTP_AUTHORIZATION=f"Bearer {raw}")
    assert bearer.get("/api/v1/submissions/").status_code == 200

    client.force_login(security_admin)
    assert raw not in client.get(reverse("api:tokens")).content.decode()
    revoked, _ = services.create_token(actor=security_admin, user=world.staff, name="停用前")
    services.revoke_token(actor=security_admin, token=revoked)
    assert Event.objects.for_object(revoked).get(action="api_token_revoke").from_state == "待使用人领取"
    with pytest.raises(ActionRefused, match="已吊销"):
        services.collect_token(actor=world.staff, token=revoked)


def test_15_1_only_the_security_admin_creates_tokens(world, security_admin):
    sysadmin = UserFactory(username="xitong", unit=None, roles=[Role.SYSTEM_ADMIN])
    for actor in (world.director, world.staff, sysadmin):
        with pytest.raises(NotAllowed):
            services.create_token(actor=actor, user=world.fin_clerk, name="x")
    assert not ApiToken.objects.exists()


def test_15_1_bearer_token_acts_as_its_user_and_records_last_use(world, token_for):
    client = token_for(world.staff)
    response = client.get("/api/v1/tasks/")
    assert response.status_code == 200
    token = ApiToken.objects.get()
    assert token.last_used_at is not None


def test_15_1_revoked_token_is_refused_and_the_refusal_audited(world, security_admin, token_for):
    client = token_for(world.staff)
    token = ApiToken.objects.get()
    services.revoke_token(actor=security_admin, token=token, reason="系统下线")
    response = client.get("/api/v1/tasks/")
    assert response.status_code == 401
    assert response.json()["detail"] == "令牌已吊销。"
    actions = list(Event.objects.for_object(token).order_by("id").values_list("action", flat=True))
    assert actions == ["api_token_create", "api_token_revoke", "api_token_denied"]


def test_15_1_unknown_or_malformed_token_is_401_in_chinese(db):
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION="Bearer tx_nonsense")
    response = client.get("/api/v1/tasks/")
    assert response.status_code == 401 and response.json()["detail"] == "令牌无效。"
    assert response["WWW-Authenticate"].startswith("Bearer")
    assert APIClient().get("/api/v1/tasks/").status_code == 401


def test_15_1_no_token_for_an_administrators_account_whoever_asks(world, security_admin, client, settings, tmp_path):
    """三员分立: the security administrator may not hold a credential in another administrator's name (it read the
    system administrator's inbox), nor in his own; the page does not offer the 三员; a token made before this rule
    is refused at use, and the refusal audited."""
    settings.MEDIA_ROOT = tmp_path
    sysadmin = UserFactory(username="xitong", unit=world.office, roles=[Role.SYSTEM_ADMIN])
    auditor = UserFactory(username="shenji", unit=None, roles=[Role.AUDIT_ADMIN])
    for user in (sysadmin, auditor, security_admin):
        with pytest.raises(ActionRefused, match="三员分立"):
            services.create_token(actor=security_admin, user=user, name="统计系统")
        with pytest.raises(ActionRefused, match="三员分立"):
            services.create_token(actor=user, user=user, name="统计系统")
    assert not ApiToken.objects.exists()
    client.force_login(security_admin)
    page = client.get("/api/tokens/")
    offered = {u.pk for u in page.context["form"].fields["user"].queryset}
    assert world.staff.pk in offered and not offered & {sysadmin.pk, auditor.pk, security_admin.pk}
    refused = client.post("/api/tokens/", {"user": sysadmin.pk, "name": "统计系统"})
    assert refused.status_code in (200, 400) and not ApiToken.objects.exists()

    raw = "tx_" + "a" * 40  # one made before the rule, straight into the table
    ApiToken.objects.create(
        user=sysadmin, name="旧令牌", prefix=raw[:10], digest=services.digest_of(raw), created_by=security_admin
    )
    old = APIClient()
    old.credentials(HTTP_AUTHORIZATION=f"Bearer {raw}")
    response = old.get("/api/v1/messages/")
    assert response.status_code == 401 and "三员分立" in response.json()["detail"]
    assert Event.objects.filter(action="api_token_denied").count() == 1


def test_15_1_token_page_does_not_offer_the_calendar_administrators_account(world, security_admin, client):
    """The calendar administrator without a business role is an administrator's account too and has no token
    (the service refuses it), yet the page offered him: choosing him only brought the refusal. He is left out of
    the list like the 三员; a calendar administrator who also does office work is still offered."""
    calendar_only = UserFactory(username="rili", unit=world.office, roles=[Role.CALENDAR_ADMIN])
    calendar_and_office = UserFactory(
        username="rili2", unit=world.office, roles=[Role.CALENDAR_ADMIN, Role.OFFICE_STAFF]
    )
    client.force_login(security_admin)
    offered = {u.pk for u in client.get("/api/tokens/").context["form"].fields["user"].queryset}
    assert calendar_only.pk not in offered and calendar_and_office.pk in offered
    refused = client.post("/api/tokens/", {"user": calendar_only.pk, "name": "统计系统"})
    assert refused.status_code == 400 and not ApiToken.objects.exists()


def test_15_1_read_only_token_refuses_actions_and_audits(world, token_for, settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    sub = submitted(world, world_today())
    client = token_for(world.staff, read_only=True)
    response = client.post(f"/api/v1/submissions/{sub.pk}/actions/register/", {}, format="json")
    assert response.status_code == 403 and "只读" in response.json()["detail"]
    assert Event.objects.filter(action="api_token_denied").count() == 1
    sub.refresh_from_db()
    assert sub.state == "submitted"


def test_15_1_token_page_for_the_security_admin_only(world, security_admin, client):
    url = reverse("api:tokens")
    client.force_login(world.director)
    assert client.get(url).status_code == 404
    client.force_login(security_admin)
    page = client.get(url)
    assert page.status_code == 200
    response = client.post(url, {"user": world.staff.pk, "name": "报表系统"})
    assert response.status_code == 201  # issued; its user collects the token itself
    token = ApiToken.objects.get()
    assert token.pending and response.context["raw"] == ""
    assert client.post(reverse("api:token_revoke", args=[token.pk]), {"confirm": "on"}).status_code == 302
    token.refresh_from_db()
    assert token.revoked_at is not None and token.revoked_by == security_admin


def world_today():
    from django.utils import timezone

    return timezone.localdate()


def test_15_1_the_security_admin_cannot_mint_a_working_credential_of_another_person(world, security_admin, client):
    """A 可办理 token is its user's own: the security admin's token for 区长 is read-only whatever he asks, so he
    never holds a credential that approves in the leader's name; the person makes (and revokes) his own."""
    issued, _ = services.create_token(actor=security_admin, user=world.staff, name="统计系统", read_only=False)
    assert issued.read_only
    issued, raw = services.collect_token(actor=world.staff, token=issued)
    bearer = APIClient()
    bearer.credentials(HTTP_AUTHORIZATION=f"Bearer {raw}")
    sub = submitted(world, world_today())
    refused = bearer.post(f"/api/v1/submissions/{sub.pk}/actions/register/", {}, format="json")
    assert refused.status_code == 403 and "只读" in refused.json()["detail"]
    client.force_login(security_admin)
    page = client.post(reverse("api:tokens"), {"user": world.staff.pk, "name": "x", "read_only": ""})
    assert page.status_code == 201 and ApiToken.objects.filter(user=world.staff, read_only=False).count() == 0

    client.force_login(world.staff)  # 我的接口令牌, from the user menu
    assert reverse("api:my_tokens") in client.get(reverse("workflow:queue")).content.decode()
    own = client.post(reverse("api:my_tokens"), {"name": "本单位OA系统"})
    assert own.status_code == 201 and "本单位OA系统" in own.content.decode()
    mine = ApiToken.objects.get(user=world.staff, read_only=False)
    assert mine.created_by == world.staff
    assert "统计系统" in own.content.decode()  # his own tokens, the security admin's read-only one included
    other = services.create_token(actor=world.director, user=world.director, name="主任的")[0]
    assert client.post(reverse("api:token_revoke", args=[other.pk]), {"confirm": "on"}).status_code == 404
    assert client.post(reverse("api:token_revoke", args=[mine.pk]), {"confirm": "on"}).status_code == 302
    mine.refresh_from_db()
    assert mine.revoked_at is not None and mine.revoked_by == world.staff
    client.force_login(security_admin)
    assert client.get(reverse("api:my_tokens")).status_code == 404  # an administrator has no own token


def test_x_1_api_refuses_control_characters_as_the_pages_do(world, token_for):
    from documents.models import Submission

    client = token_for(world.fin_clerk)
    before = Submission.objects.count()
    response = client.post(
        "/api/v1/submissions/", {"kind": "request", "title": "关于\u202e拨付资金的请示"}, format="json"
    )
    assert response.status_code == 400 and "控制字符" in response.json()["detail"]
    assert Submission.objects.count() == before


def test_x_1_api_refuses_a_filter_value_it_does_not_know(world, token_for):
    """?state=closd read as no filter at all (a misspelling looked like a match on everything): a 400 naming the
    choices; a known value still filters."""
    client = token_for(world.staff)
    wrong = client.get("/api/v1/submissions/", {"state": "closd"})
    assert wrong.status_code == 400 and "closd" in str(wrong.json()) and "closed" in str(wrong.json())
    assert client.get("/api/v1/submissions/", {"state": "closed"}).status_code == 200
    wrong = client.get("/api/v1/tasks/", {"area": "document"})
    assert wrong.status_code == 400 and "documents" in str(wrong.json())
    assert client.get("/api/v1/tasks/", {"area": "documents"}).status_code == 200


def test_x_1_api_refuses_json_of_the_wrong_shape_for_a_field(world, token_for):
    """A list for a one-value field kept its last item, an object was saved as its JSON text: both a 400 on the
    field, nothing created."""
    from documents.models import Submission

    client = token_for(world.fin_clerk)
    before = Submission.objects.count()
    for title in (["关于甲的请示", "关于乙的请示"], {"a": 1}):
        response = client.post("/api/v1/submissions/", {"kind": "request", "title": title}, format="json")
        assert response.status_code == 400 and "title" in response.json()["errors"], response.json()
    assert Submission.objects.count() == before


def test_x_1_api_refuses_a_lone_surrogate_escaped_in_json(world, token_for):
    """A lone surrogate escaped in JSON ("\\ud800") is valid JSON but no text: saved, the database could not encode it
    and the answer was a 500. Now a 400 in Chinese, nothing created, wherever it hides (a value, a list item, a key)."""
    from documents.models import OutgoingDocument, Submission

    client = token_for(world.fin_clerk)
    before = Submission.objects.count(), OutgoingDocument.objects.count()
    for url, body in (
        ("/api/v1/outgoing/", '{"kind": "government", "title": "关于\\ud800的通知", "body": "正文"}'),
        ("/api/v1/submissions/", '{"kind": "request", "title": "关于甲的请示", "touched_units": ["\\udfff"]}'),
        ("/api/v1/submissions/", '{"kind": "request", "title": "关于甲的请示", "\\ud800": 1}'),
    ):
        response = client.post(url, body, content_type="application/json")
        assert response.status_code == 400, response.content.decode()
        assert "JSON" in response.json()["detail"]
    assert (Submission.objects.count(), OutgoingDocument.objects.count()) == before


def test_x_1_api_refuses_text_that_is_not_utf8_as_the_pages_do(world, token_for):
    """A lone surrogate escaped in JSON ("\\ud800"), raw bytes that are not UTF-8 in a JSON body, and such bytes
    escaped in a form body (title=%ED%A0%80…) or a query string: each a 400 saying the text holds a character that
    cannot be read, nothing created. The form body was read with "�" in place of the bytes and saved so."""
    from documents.models import Submission

    client = token_for(world.fin_clerk)
    before = Submission.objects.count()
    for body, content_type in (
        ('{"kind": "request", "title": "关于\\ud800的请示"}'.encode(), "application/json"),
        ('{"kind": "request", "title": "关于'.encode() + b"\xed\xa0\x80" + '的请示"}'.encode(), "application/json"),
        (b"kind=request&title=%E5%85%B3%E4%BA%8E%ED%A0%80", "application/x-www-form-urlencoded"),
        (b"kind=request&title=\xff", "application/x-www-form-urlencoded"),
    ):
        response = client.post("/api/v1/submissions/", body, content_type=content_type)
        assert response.status_code == 400, response.content.decode()
        assert "无法识别的字符" in response.json()["detail"], response.json()
    assert Submission.objects.count() == before
    response = client.get("/api/v1/submissions/?state=%ED%A0%80")
    assert response.status_code == 400 and "无法识别的字符" in response.json()["detail"]


def test_x_1_api_refuses_json_nested_too_deep(world, token_for):
    """A body nested thousands of levels deep ("[[[[…") ran json.loads out of stack: a RecursionError and a 500
    before the view ran. Now a 400 in Chinese, nothing created, however deep and wherever it nests."""
    from documents.models import Submission

    client = token_for(world.fin_clerk)
    before = Submission.objects.count()
    for body in (
        "[" * 100_000 + "]" * 100_000,
        '{"kind": "request", "title": ' + "[" * 900 + "]" * 900 + "}",
        '{"kind": "request", "title": "关于甲的请示", "touched_units": ' + "[" * 40 + "]" * 40 + "}",
    ):
        response = client.post("/api/v1/submissions/", body, content_type="application/json")
        assert response.status_code == 400, response.content.decode()[:300]
        assert "JSON" in response.json()["detail"]
    assert Submission.objects.count() == before
    shallow = client.post(
        "/api/v1/submissions/", {"kind": "request", "title": "关于甲的请示", "touched_units": []}, format="json"
    )
    assert shallow.status_code == 201, shallow.json()


def test_x_1_api_refuses_a_field_sent_twice_in_a_form_body_and_a_list_in_an_edit(world, token_for):
    """title=甲&title=乙 in a form or multipart body kept 乙 and dropped 甲 without a word, where the same in JSON is
    refused; and the edit endpoint read a JSON list as its last item. Each a 400 on the field, nothing saved."""
    from documents.models import Submission
    from tests.documents.documents_support import draft

    client = token_for(world.fin_clerk)
    before = Submission.objects.count()
    twice = "kind=request&title=%E5%85%B3%E4%BA%8E%E7%94%B2&title=%E5%85%B3%E4%BA%8E%E4%B9%99"  # 关于甲, 关于乙
    form = client.post("/api/v1/submissions/", twice, content_type="application/x-www-form-urlencoded")
    multipart = client.post("/api/v1/submissions/", {"kind": "request", "title": ["关于甲", "关于乙"]})
    for response in (form, multipart):
        assert response.status_code == 400 and "title" in response.json()["errors"], response.json()
    assert Submission.objects.count() == before
    sub = draft(world)
    edit = client.post(f"/api/v1/submissions/{sub.pk}/edit/", {"title": ["关于甲", "关于乙"]}, format="json")
    assert edit.status_code == 400 and "title" in edit.json()["errors"], edit.json()
    sub.refresh_from_db()
    assert sub.title == "关于拨付专项资金的请示"

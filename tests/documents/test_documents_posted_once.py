"""X-1 (a form posted again changes nothing), for the forms that create: the 公文 draft, the 发文稿 and 安排会议.
The page carries a one-time token (workflow.once); the same post again — a double click, Back and 提交 — is
answered with what the first made, not a second record; a form shown again after an error keeps its token."""

from __future__ import annotations

import re

import pytest
from django.urls import reverse
from django.utils import timezone

from documents.models import OutgoingDocument, Submission
from tiexi_gov.workdays import calendar as wd
from tiexi_gov.workflow.models import PostedForm

TOKEN = re.compile(r'name="once_token" value="([0-9a-f]{32})"')


@pytest.fixture(autouse=True)
def media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path


def _token(client, url, action: str = "") -> str:
    """The page's one-time token (of the `action` form, where a page has one per form)."""
    html = client.get(url).content.decode()
    if action:
        html = html[html.index(f'data-action="{action}"') :]
    return TOKEN.search(html).group(1)


def test_x_1_a_draft_posted_twice_is_made_once(world, client):
    today = timezone.localdate()
    client.force_login(world.fin_clerk)
    url = reverse("documents:create")
    data = {
        "kind": "request",
        "title": "关于拨付防汛物资资金的请示",
        "body": "正文",
        "urgency": "normal",
        "disclosure": "full",
        "disclosure_manner": "active",
        "decision_needed_by": wd.add_workdays(today, 20).isoformat(),
        "declares_one_matter": "on",
        "not_classified": "on",
        "copies": "2",
        "once_token": _token(client, url),
    }
    first = client.post(url, data)
    assert first.status_code == 302, first.context["form"].errors if first.context else first
    sub = Submission.objects.get()
    assert first.status_code == 302 and first["Location"] == reverse("documents:detail", args=[sub.pk])
    again = client.post(url, data, follow=True)
    assert Submission.objects.count() == 1
    assert again.redirect_chain[0][0] == reverse("documents:detail", args=[sub.pk])
    assert "该表单已提交过，未重复创建" in again.content.decode()
    # A new page is a new token: a second draft is made on purpose.
    data["once_token"] = _token(client, url)
    client.post(url, data)
    assert Submission.objects.count() == 2
    # Another person posting someone's token makes his own record (the token is per user), never sees theirs.
    client.force_login(world.dev_clerk)
    client.post(url, {**data, "once_token": PostedForm.objects.first().token})
    assert Submission.objects.count() == 3


def test_x_1_a_refused_draft_keeps_its_token_and_makes_one_record_when_fixed(world, client):
    client.force_login(world.fin_clerk)
    url = reverse("documents:create")
    token = _token(client, url)
    refused = client.post(url, {"kind": "request", "title": "", "once_token": token})
    assert refused.status_code == 200 and f'value="{token}"' in refused.content.decode()
    assert not Submission.objects.exists() and not PostedForm.objects.exists()


def test_x_1_an_outgoing_draft_posted_twice_is_made_once(world, client):
    client.force_login(world.fin_clerk)
    url = reverse("documents:outgoing_create")
    data = {
        "kind": "government",
        "title": "关于促进消费的若干措施",
        "main_recipients": "各乡、街道，区政府各部门",
        "disclosure": "full",
        "disclosure_manner": "active",
        "copies": "60",
        "body": "为促进全区消费持续恢复，制定以下措施。",
        "not_classified": "on",
        "once_token": _token(client, url),
    }
    first = client.post(url, data)
    assert first.status_code == 302, first.context["form"].errors if first.context else first
    again = client.post(url, data)
    doc = OutgoingDocument.objects.get()
    assert again.status_code == 302 and again["Location"] == reverse("documents:outgoing_detail", args=[doc.pk])


def test_x_1_of_two_simultaneous_posts_the_second_is_answered_with_the_first_ones_record(world, rf):
    """The other post of the same form committed while this one was making its record: the token's constraint
    refuses this one's row, the whole transaction (its record too) rolls back, and it is told the first's address."""
    from tiexi_gov.workflow import once

    token = "a" * 32
    request = rf.post("/documents/new/", {"once_token": token})
    request.user = world.fin_clerk
    # The other post passed made_before() at the same moment and committed first (made_before saw nothing yet).
    PostedForm.objects.create(token=token, user=world.fin_clerk, url="/documents/1/")
    with pytest.raises(once.AlreadyPosted) as raised, once.once(request) as done:
        made = Submission.objects.create(unit=world.fin, title="本次的草稿", drafted_by=world.fin_clerk)
        done(f"/documents/{made.pk}/")
    assert raised.value.url == "/documents/1/"
    assert not Submission.objects.filter(title="本次的草稿").exists()


def test_doc_12_the_notice_to_prepare_posted_twice_is_sent_once(world, client):
    """通知相关单位做好落实准备 posted twice (a double click, Back and 发送通知) sent every person of the chosen units
    the notice twice and recorded it twice. The form carries the page's one-time token: the same post again sends
    nothing, records nothing and says it was sent; a new page (a new token) sends a new notice."""
    from tests.documents.documents_support import in_leader_review
    from tiexi_gov.audit.models import Event
    from tiexi_gov.notify.models import Message

    sub = in_leader_review(world, timezone.localdate())
    client.force_login(world.staff)
    detail = reverse("documents:detail", args=[sub.pk])
    data = {
        "seen_state": sub.state,
        "notify_units-units": [world.dev.pk],
        "notify_units-text": "请提前做好资金拨付准备",
        "once_token": _token(client, detail, "notify_units"),
    }
    url = reverse("documents:act", args=[sub.pk, "notify_units"])
    first = client.post(url, data)
    assert first.status_code == 302 and first["Location"] == detail
    events, notices, sent = Event.objects.count(), Message.objects.count(), sub.preparation_notices.count()
    assert sent == 1
    again = client.post(url, data, follow=True)
    assert again.status_code == 200 and "该通知已发送过，未重复发送" in again.content.decode()
    assert (Event.objects.count(), Message.objects.count(), sub.preparation_notices.count()) == (events, notices, 1)
    htmx = client.post(url, data, HTTP_HX_REQUEST="true")
    assert htmx.status_code == 200 and "该通知已发送过，未重复发送" in htmx.content.decode()
    assert (Event.objects.count(), Message.objects.count()) == (events, notices)
    # A new page is a new token: a second notice is sent on purpose.
    client.post(url, {**data, "once_token": _token(client, detail, "notify_units")})
    assert sub.preparation_notices.count() == 2


def test_x_1_an_attachment_posted_twice_is_added_once(world, client):
    """添加附件 posted twice (a double click on 上传, Back and 上传) stored the file twice, with two 添加附件 lines in
    the record. The form carries the page's one-time token: the same post again adds nothing and says so."""
    from django.core.files.uploadedfile import SimpleUploadedFile

    from documents.models import Attachment
    from tests.documents.documents_support import draft
    from tiexi_gov.audit.models import Event

    sub = draft(world, timezone.localdate())
    client.force_login(world.fin_clerk)
    detail = reverse("documents:detail", args=[sub.pk])
    url = reverse("documents:act", args=[sub.pk, "attach"])
    token = _token(client, detail, "attach")

    def post(**extra):
        upload = SimpleUploadedFile("测算表.pdf", b"%PDF-1.7\n", content_type="application/pdf")
        data = {"seen_state": sub.state, "attach-purpose": "attachment", "attach-file": upload, "once_token": token}
        return client.post(url, data, **extra)

    assert post().status_code == 302
    events = Event.objects.count()
    again = client.get(post()["Location"])
    assert "该附件已上传，未重复添加" in again.content.decode()
    assert Attachment.objects.filter(submission=sub).count() == 1 and Event.objects.count() == events
    token = _token(client, detail, "attach")  # a new page: a second file is added on purpose
    assert post().status_code == 302
    assert Attachment.objects.filter(submission=sub).count() == 2


def test_doc_6_the_request_for_opinions_posted_twice_is_sent_once_and_said_so(world, client):
    """发出征求意见 posted twice (a double click, Back and 发出) answered the second post with the form again and the
    error 已在征求发改局的意见，请勿重复发起 — as if the request had failed, when it had gone. The same post again is
    now answered 征求意见已发出，未重复发送, with nothing sent or recorded."""
    from tests.documents.documents_support import draft
    from tiexi_gov.audit.models import Event
    from tiexi_gov.notify.models import Message

    sub = draft(world, timezone.localdate())
    client.force_login(world.fin_clerk)
    detail = reverse("documents:detail", args=[sub.pk])
    url = reverse("documents:act", args=[sub.pk, "consult"])
    data = {
        "seen_state": sub.state,
        "consult-units": [world.dev.pk],
        "consult-limit_wd": "5",
        "once_token": _token(client, detail, "consult"),
    }
    assert client.post(url, data).status_code == 302
    events, notices = Event.objects.count(), Message.objects.count()
    again = client.post(url, data, follow=True).content.decode()
    assert "征求意见已发出，未重复发送" in again and "请勿重复发起" not in again
    assert sub.consultations.count() == 1
    assert (Event.objects.count(), Message.objects.count()) == (events, notices)

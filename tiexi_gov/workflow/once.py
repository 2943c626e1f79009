"""A create form is done once (issue 11: a form posted again changes nothing). The page carries a one-time token;
the view records it, with the address of what it made, in the same transaction as the record. The same post
again — a double click, Back and 提交, two tabs — is answered with that address, not a second record; two at the
same moment meet the token's unique constraint (per person), and the loser is answered the same way. A post
without a token (the API, a script) is not affected."""

from __future__ import annotations

import re
import uuid
from contextlib import contextmanager

from django.contrib import messages
from django.db import IntegrityError, transaction
from django.shortcuts import redirect

from .models import PostedForm

FIELD = "once_token"
ALREADY = "该表单已提交过，未重复创建；以下是当时创建的内容。"
_TOKEN = re.compile(r"^[0-9a-f]{32}$")


class AlreadyPosted(Exception):
    def __init__(self, url: str):
        super().__init__(url)
        self.url = url


def token_for(request) -> str:
    """The page's token: the posted one (a form shown again keeps it), else a new one."""
    return _posted(request) or uuid.uuid4().hex


def _posted(request) -> str:
    token = request.POST.get(FIELD, "") if request.method == "POST" else ""
    return token if _TOKEN.match(token) else ""


def made_before(request) -> str | None:
    """The address of what this form's token already made (for this user), if it did."""
    token = _posted(request)
    if not token:
        return None
    return PostedForm.objects.filter(token=token, user=request.user).values_list("url", flat=True).first()


def answer_again(request, url: str):
    messages.info(request, ALREADY)
    return redirect(url)


@contextmanager
def once(request):
    """`with once(request) as done:` make the record inside, then `done(url)`; all in one transaction. Raises
    AlreadyPosted(url) when the same token made a record meanwhile (the other of two simultaneous posts)."""
    token = _posted(request)
    recorded: list[str] = []

    def done(url: str) -> None:
        recorded.append(url)

    try:
        with transaction.atomic():
            yield done
            if token and recorded:
                PostedForm.objects.create(token=token, user=request.user, url=recorded[-1][:300])
    except IntegrityError:
        url = made_before(request)
        if url is None:
            raise
        raise AlreadyPosted(url) from None

"""Doing an action through the API exactly as the page does it: the page's own form validates the input, the
page's own check says whether the action is offered, the page's own `run` calls the one service, and the kernel
answers a stale state with "已由XX处理" (409)."""

from __future__ import annotations

import hashlib
import json
from collections.abc import Callable
from dataclasses import dataclass, field

from django import forms
from django.apps import apps
from django.core.exceptions import FieldDoesNotExist
from django.db import IntegrityError, transaction
from django.http import QueryDict
from django.utils.datastructures import MultiValueDict
from rest_framework import status
from rest_framework.fields import empty
from rest_framework.response import Response

from tiexi_gov.http import CONTROL, CONTROL_MESSAGE, BadInput
from tiexi_gov.org.roles import is_technical_account
from tiexi_gov.workflow.errors import ActionRefused, AlreadyHandled
from tiexi_gov.workflow.kernel import already_handled
from tiexi_gov.workflow.models import PostedForm
from tiexi_gov.workflow.registry import flow_for

from . import exceptions, services
from .models import ApiToken

ADMIN_REFUSAL = "三员分立：管理员账号不得办理业务（不能审批、签发、登记、报送等），请使用本人的业务账号。"
READ_ONLY_REFUSAL = "该令牌为只读令牌，不能办理事项。"


@dataclass(frozen=True)
class ApiAction:
    """One action of a page, for the API: its label, the page's form, the page's run(request, obj, cleaned_data)
    (returns the success text), the form's extra arguments, and the page's own "is it offered" check."""

    label: str
    form: type
    run: Callable
    form_kwargs: Callable = field(default=lambda request, obj: {})
    may: Callable | None = None  # (request, obj) -> bool; None: only the service decides (as on the page)
    # (request, obj) -> bool: the action is this user's to take, asked before the form (as on the page); when it is
    # not, the answer is a 403 — the service's refusal naming the rule, or a plain one — never the form's errors.
    whose: Callable | None = None
    prefix: str = ""  # the page's form prefix, where the page's form is built with one
    cleaned: Callable = field(default=lambda form: form.cleaned_data)  # what the page's run() receives


def form_data(data) -> QueryDict:
    """JSON or form input as the QueryDict a Django form reads: lists stay lists, true/false as a checkbox sends
    them, everything else as text."""
    if isinstance(data, QueryDict):
        return data
    result = QueryDict(mutable=True)
    if not isinstance(data, dict):
        return result

    def text(value) -> str:
        if value is None:
            return ""
        if isinstance(value, bool):
            return "on" if value else ""
        if isinstance(value, (dict, list)):
            return json.dumps(value, ensure_ascii=False)
        value = str(value)
        if CONTROL.search(value):  # as the pages refuse it (BadInputMiddleware): a 400 before anything changes
            raise BadInput(CONTROL_MESSAGE)
        return value

    for key, value in data.items():
        if isinstance(value, list):
            result.setlist(str(key), [text(v) for v in value])
        elif isinstance(value, bool) and not value:
            continue  # an unticked checkbox is not sent
        else:
            result[str(key)] = text(value)
    return result


YES_NO = {"1", "0"}


def yes_no_answers(raw, form) -> dict[str, str]:
    """JSON true/false sent for a 是/否 choice (审核结论, 履行情况: radios whose values are "1" and "0"), as the page's
    radio posts them. form_data reads a JSON boolean as a checkbox ("on", or not sent), which such a field refuses
    as 不在可用的选项中 or 必填."""
    if not isinstance(raw, dict):
        return {}
    return {
        name: "1" if raw[name] else "0"
        for name, field in form.fields.items()
        if isinstance(raw.get(name), bool)
        and isinstance(field, forms.ChoiceField)
        and {str(value) for value, _label in field.choices} == YES_NO
    }


def with_defaults(data: QueryDict, serializer: type, *, instance=None) -> QueryDict:
    """`data` with the fields the caller left out that the schema gives a default (`serializer`, the endpoint's
    request body): the value the page's form shows prefilled — on a new item the schema's default (紧急程度 一般,
    份数 1), on an edited one the item's own. A client built from the schema sends only what it marks required, and
    the page's form, which always receives its prefilled fields from the browser, must not refuse it for them."""
    filled = QueryDict(mutable=True)
    for key, values in data.lists():  # not data.copy(): a multipart body's files do not deep-copy
        filled.setlist(key, values)
    for name, declared in serializer().fields.items():
        if name in filled or declared.default is empty:
            continue
        filled[name] = str(getattr(instance, name) if instance is not None else declared.default)
    return filled


def keeping_unsent(data: QueryDict, raw, saved: forms.BaseForm) -> QueryDict:
    """`data` with every field of the page's edit form that the caller did not send filled with the item's own value
    (`saved`: the page's form, unbound, on the item), as the page's edit form comes back with every field prefilled.
    Read as emptied, a field left out was wiped: an edit that sent a new title blanked the draft's text, its dates,
    its declarations and the units it touches. A field sent keeps what was sent — an unticked box as false, "" or []
    to empty it; files are only ever added."""
    sent = set(raw) if isinstance(raw, dict) else set()
    filled = QueryDict(mutable=True)
    for key, values in data.lists():  # not data.copy(): a multipart body's files do not deep-copy
        filled.setlist(key, values)
    for name, bound in ((name, saved[name]) for name in saved.fields):
        if name in sent or name in filled or isinstance(bound.field, forms.FileField):
            continue
        value = bound.value()
        if isinstance(value, bool):
            if value:
                filled[name] = "on"
        elif isinstance(value, (list, tuple)):
            filled.setlist(name, [str(v) for v in value])
        elif value is not None:
            filled[name] = str(value)
    return filled


def prefixed(data: QueryDict, prefix: str) -> QueryDict:
    """The API's plain field names as the page's prefixed form reads them (`reason` → `send-back-reason`)."""
    if not prefix:
        return data
    result = QueryDict(mutable=True)
    for key in data:
        result.setlist(f"{prefix}-{key}", data.getlist(key))
    return result


def shape_errors(raw, form) -> Response | None:
    """Input of the wrong shape for the page's form: an object where a field takes text, or a list where it takes
    one value — in JSON, or a field sent twice in a form or multipart body. Read as text they were saved ({"a": 1}
    as a title, ["a", "b"] or title=a&title=b as "b"): a 400 on the field instead."""
    if not isinstance(raw, dict):
        return None
    errors = {}
    for key in raw:
        value = raw.getlist(key) if isinstance(raw, MultiValueDict) else raw[key]
        field = form.fields.get(str(key))
        if field is None:
            continue
        if isinstance(value, dict):
            errors[str(key)] = ["应为文本、数字或列表，不能是对象。"]
        elif isinstance(value, list) and not getattr(field.widget, "allow_multiple_selected", False):
            if isinstance(raw, MultiValueDict) and len(value) < 2:
                continue
            errors[str(key)] = ["只能填写一个值，不能是列表。"]
    if not errors:
        return None
    return Response({"detail": "请检查填写的内容。", "errors": errors, "rules": []}, status=status.HTTP_400_BAD_REQUEST)


def invalid(form) -> Response:
    return Response(
        {"detail": "请检查填写的内容。", "errors": errors_of(form), "rules": []}, status=status.HTTP_400_BAD_REQUEST
    )


def create(request, *, form, run, after) -> Response:
    """Create an item as the page does: the page's form validates, `run(cleaned_data)` calls the page's one service
    and returns (the new item, the page's success text); `after(item)` is the answer's item. 201 on success.

    With an Idempotency-Key header the create is done once per key, as a page's form is done once per its token
    (workflow.once, the same table): a client that retries after a lost answer is given what the first request
    made (200), never a second record."""
    refused = refuse_writer(request)
    if refused is not None:
        return refused
    token = idempotency_token(request)
    if token == BAD_KEY:
        return Response({"detail": BAD_KEY_MESSAGE, "rules": []}, status=status.HTTP_400_BAD_REQUEST)
    if token and (made := _made_with(request, token)) is not None:
        return _made_before(made, after)
    if wrong := shape_errors(request.data, form):
        return wrong
    if not form.is_valid():
        return invalid(form)
    try:
        with transaction.atomic():
            item, text = run(form.cleaned_data)
            if token:
                PostedForm.objects.create(token=token, user=request.user, url=f"{item._meta.label_lower}:{item.pk}")
    except ActionRefused as exc:
        return exceptions.refusal(exc)
    except IntegrityError:
        made = _made_with(request, token) if token else None
        if made is None:
            raise
        return _made_before(made, after)  # the same key a moment earlier, in another request
    return Response({"detail": text, "item": after(item)}, status=status.HTTP_201_CREATED)


IDEMPOTENCY_HEADER = "Idempotency-Key"
BAD_KEY = "bad"
BAD_KEY_MESSAGE = "Idempotency-Key 应为1至200个可见字符（建议每次新建使用一个新的UUID）。"
ALREADY_MADE = "该请求已处理过（相同的 Idempotency-Key），未重复创建；以下是当时创建的内容。"


def idempotency_token(request) -> str:
    """The request's Idempotency-Key as a one-time token of this endpoint ("" without one, BAD_KEY if unusable).
    Hashed with the path: the same key sent to two endpoints is two requests."""
    key = request.headers.get(IDEMPOTENCY_HEADER)
    if key is None:
        return ""
    if not 0 < len(key) <= 200 or not all(" " < ch < "\x7f" for ch in key):
        return BAD_KEY
    return hashlib.sha256(f"api {request.path} {key}".encode()).hexdigest()[:32]


GONE = object()  # the token made an item that has since been deleted


def _made_with(request, token: str):
    """What this person's request with this token made before (GONE if deleted since), None if it made nothing."""
    made = PostedForm.objects.filter(user=request.user, token=token).values_list("url", flat=True).first()
    if made is None:
        return None
    label, _, pk = made.partition(":")
    return apps.get_model(label).objects.filter(pk=pk).first() or GONE


def _made_before(item, after) -> Response:
    if item is GONE:
        detail = "该请求已处理过（相同的 Idempotency-Key），当时创建的内容已删除；新建请使用新的 Idempotency-Key。"
        return Response({"detail": detail, "rules": []}, status=status.HTTP_409_CONFLICT)
    return Response({"detail": ALREADY_MADE, "item": after(item)}, status=status.HTTP_200_OK)


def refuse_writer(request) -> Response | None:
    """Administrators do no office work; a read-only token does none either. Each refused use of a token is
    audited."""
    token = request.auth if isinstance(request.auth, ApiToken) else None
    reason = ""
    if is_technical_account(request.user):
        reason = ADMIN_REFUSAL
    elif token is not None and token.read_only:
        reason = READ_ONLY_REFUSAL
    if not reason:
        return None
    if token is not None:
        services.record_denied(token=token, reason=f"{reason}请求：{request.method} {request.path}")
    return Response({"detail": reason, "rules": []}, status=status.HTTP_403_FORBIDDEN)


def errors_of(form) -> dict:
    """A bound form's errors by field, in words; a NUL character named as the pages name it (Django's zh-hans for
    it reads "empty strings are not allowed")."""
    return {
        name: [exceptions.CODE_MESSAGES.get(e.code) or " ".join(e.messages) for e in errs]
        for name, errs in form.errors.as_data().items()
    }


def moved_on(obj) -> AlreadyHandled:
    """The step's "已由XX处理" for an item whose state moved on from the one the caller's page showed.
    Answered here, not left to the step: a step that does not name the states it leaves would go ahead."""
    try:
        return already_handled(flow_for(obj), obj)
    except LookupError:
        return AlreadyHandled(f"该事项已由他人处理（当前状态：{obj.get_state_display()}），请刷新后查看。")


def known_states(obj) -> set[str]:
    """The values `obj`'s state field may take (none for an item without one)."""
    try:
        field = obj._meta.get_field("state")
    except (AttributeError, FieldDoesNotExist):
        return set()
    return {str(value) for value, _label in field.choices or ()}


def perform(request, *, obj, name: str, spec: ApiAction | None, noun: str, as_seen: Callable | None, after):
    """Do action `name` on `obj` (already checked visible: 404 before this). `after(obj)` is what the answer
    shows of the item afterwards (None when the action took it out of the user's sight)."""
    refused = refuse_writer(request)
    if refused is not None:
        return refused
    if spec is None:
        return Response({"detail": "没有该操作。", "rules": []}, status=status.HTTP_404_NOT_FOUND)
    data = form_data(request.data)
    seen = data.get("seen_state", "")
    # Stale: the caller's page showed a state the item has since left. A value that is no state of the item is no
    # page at all (as_seen ignores it too), and must not skip the question whether the action is offered.
    stale = bool(seen) and seen != getattr(obj, "state", seen) and seen in known_states(obj)
    not_yours = Response(
        {"detail": f"您当前不能对该{noun}进行“{spec.label}”操作。", "rules": []}, status=status.HTTP_403_FORBIDDEN
    )
    if spec.may is not None and not spec.may(request, obj):
        if stale:  # the page showed a state the item has left, and the action is not offered in this one
            return exceptions.refusal(moved_on(obj))
        return not_yours

    def not_theirs() -> bool:  # asked only when refusing: a step that goes through costs no extra query
        return spec.whose is not None and not stale and not spec.whose(request, obj)

    files = request.FILES or None
    if files is not None and spec.prefix:
        files = MultiValueDict({f"{spec.prefix}-{key}": files.getlist(key) for key in files})
    form = spec.form(prefixed(data, spec.prefix), files, **spec.form_kwargs(request, obj))
    if yes_no := yes_no_answers(request.data, form):  # JSON true/false for a 是/否 choice: as the page's radio
        data = data.copy()
        data.update(yes_no)
        form = spec.form(prefixed(data, spec.prefix), files, **spec.form_kwargs(request, obj))
    wrong = shape_errors(request.data, form)
    if (wrong or not form.is_valid()) and not_theirs():
        return not_yours
    if wrong:
        return wrong
    if not form.is_valid():
        return invalid(form)
    try:
        text = spec.run(request, as_seen(obj, seen) if as_seen else obj, spec.cleaned(form))
    except ActionRefused as exc:
        answer = exceptions.refusal(exc)
        if answer.status_code == status.HTTP_400_BAD_REQUEST and not_theirs():
            answer.status_code = status.HTTP_403_FORBIDDEN  # the rule that keeps him out, as the page words it
        return answer
    return Response({"detail": text, "item": after(obj)}, status=status.HTTP_200_OK)

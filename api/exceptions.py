"""Every answer of the API is JSON with a Chinese `detail`, whatever went wrong; never a 500 on bad input."""

from __future__ import annotations

from django.core.exceptions import BadRequest, PermissionDenied
from django.http import Http404
from rest_framework import exceptions, status
from rest_framework.response import Response
from rest_framework.views import exception_handler as drf_handler

from tiexi_gov.http import NUL_MESSAGE
from tiexi_gov.workflow.errors import ActionRefused, AlreadyHandled, NotAllowed

MESSAGES = {
    exceptions.NotAuthenticated: "请先登录，或在请求头中提供接口令牌（Authorization: Bearer <令牌>）。",
    exceptions.MethodNotAllowed: "不支持该请求方法。",
    exceptions.UnsupportedMediaType: "不支持该请求内容类型，请使用 JSON 或表单。",
    exceptions.ParseError: "请求内容无法解析，请检查 JSON 格式。",
    exceptions.NotAcceptable: "无法按请求的格式返回，请接受 application/json。",
}


# Field errors whose translation misleads: DRF's zh-hans for a NUL character reads "empty strings are not allowed".
CODE_MESSAGES = {"null_characters_not_allowed": NUL_MESSAGE}


def _plain(detail):
    """A ValidationError's detail with the CODE_MESSAGES words, at any depth (fields, list items, nested)."""
    if isinstance(detail, dict):
        return {key: _plain(value) for key, value in detail.items()}
    if isinstance(detail, list):
        return [_plain(value) for value in detail]
    code = getattr(detail, "code", None)
    return exceptions.ErrorDetail(CODE_MESSAGES[code], code=code) if code in CODE_MESSAGES else detail


def refusal(exc: ActionRefused) -> Response:
    """A service's refusal: 409 when someone else was first ("已由XX处理"), 403 when the user may not, else 400."""
    if isinstance(exc, AlreadyHandled):
        code = status.HTTP_409_CONFLICT
    elif isinstance(exc, NotAllowed):
        code = status.HTTP_403_FORBIDDEN
    else:
        code = status.HTTP_400_BAD_REQUEST
    return Response({"detail": exc.message, "rules": [r for r in exc.rule_ids if r]}, status=code)


def handler(exc, context):
    if isinstance(exc, ActionRefused):
        return refusal(exc)
    if isinstance(exc, Http404):
        exc = exceptions.NotFound(str(exc) if str(exc) and not str(exc).startswith("No ") else "没有找到该事项。")
    elif isinstance(exc, PermissionDenied):
        exc = exceptions.PermissionDenied(str(exc) or "您无权进行此操作。")
    elif isinstance(exc, BadRequest):
        exc = exceptions.ValidationError({"detail": getattr(exc, "message", "") or str(exc) or "请求参数有误。"})
    for kind, text in MESSAGES.items():
        if isinstance(exc, kind) and not getattr(exc, "worded", False):  # words of our own are kept
            exc.detail = text
    if isinstance(exc, exceptions.ValidationError):
        exc.detail = _plain(exc.detail)
    if isinstance(exc, exceptions.NotFound) and str(exc.detail) in {"Not found.", "Invalid page."}:
        exc.detail = "没有找到该事项。" if str(exc.detail) == "Not found." else "没有该页。"
    response = drf_handler(exc, context)
    if response is not None and isinstance(response.data, list):
        response.data = {"detail": "；".join(str(x) for x in response.data)}
    return response

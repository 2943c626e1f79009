"""Reading what a request brings (ids and numbers in forms, htmx parameters and query strings), and refusing in
Chinese what cannot be read, before anything changes (issue 11: bad input is never a server error).

A view reads an optional number with `to_int` (None for anything that is not one), and an id it cannot do without
with `require_id` (a 400 naming what was wrong). `BadInputMiddleware` refuses a request carrying a NUL byte —
PostgreSQL cannot store or even compare one — or text that is not UTF-8 (Django would read it as "�"), and
answers `BadInput` with the Chinese 400 page; an API endpoint (a REST framework view, /api/v1/ and /api/schema/)
gets the same message as JSON, `{"detail": …}`, as its other errors."""

from __future__ import annotations

import re
from urllib.parse import unquote_to_bytes

from django.core.exceptions import BadRequest, RequestDataTooBig, TooManyFieldsSent, TooManyFilesSent
from django.http import HttpResponseBadRequest, JsonResponse, QueryDict, RawPostDataException
from django.shortcuts import render
from django.utils.html import format_html

API_PREFIX = "/api/v1/"  # the API's own routes: their refusals are JSON
MAX_ID = 2**63 - 1  # the largest value a database integer column holds (SQLite, PostgreSQL bigint)

NUL_MESSAGE = "提交的内容含有不可见的空字符，无法处理，未作任何修改。请删去该字符（或重新输入这段文字）后再提交。"
CONTROL_MESSAGE = (
    "提交的内容含有不可见的控制字符（常由其他软件复制带入），无法处理，未作任何修改。"
    "请删去该字符（或重新输入这段文字）后再提交。"
)
ENCODING_MESSAGE = (
    "提交的内容含有无法识别的字符（编码有误，常由乱码或不完整的复制带入），无法处理，未作任何修改。"
    "请删去这段文字并重新输入后再提交。"
)
# What no text a person types holds, and what breaks a document or misleads a reader: the C0 controls but tab, line
# feed and carriage return (XML — a .docx — cannot hold them; ESC reaches mail subjects), DEL, and the bidi
# overrides and isolates (U+202E shows a title reversed, a spoofed name).
CONTROL = re.compile("[\x01-\x08\x0b\x0c\x0e-\x1f\x7f\u202a-\u202e\u2066-\u2069]")


class BadInput(BadRequest):
    """A parameter of the request cannot be read. The middleware answers 400 with the message (so does Django's
    400 handler, tiexi_gov.views.bad_request, should it get there first); nothing has changed."""

    def __init__(self, message: str):
        super().__init__(message)
        self.message = message


def to_int(value, *, low: int = -MAX_ID, high: int = MAX_ID) -> int | None:
    """The whole number written in `value` ("12", " 12 "), or None for anything else: "", "abc", "1.5", "²", None,
    or a number outside low..high (by default what a database column holds)."""
    if value is None or isinstance(value, bool):
        return None
    try:
        number = int(str(value).strip())
    except ValueError:
        return None
    return number if low <= number <= high else None


def to_id(value) -> int | None:
    """A row id from request data (1 … MAX_ID), or None."""
    return to_int(value, low=1)


def require_id(value, what: str = "参数") -> int:
    """A row id the request must carry; BadInput (400, "…有误") when it is missing or not an id."""
    number = to_id(value)
    if number is None:
        raise BadInput(f"请求参数有误（{what}），未作任何修改。请刷新页面后重试。")
    return number


def has_control(request) -> bool:
    """True if a query or form parameter (name or value) holds a control character (CONTROL); NUL is has_nul's."""
    posted = request.method == "POST"
    for data in (request.GET, request.POST) if posted else (request.GET,):
        for key, values in data.lists():
            if CONTROL.search(key) or any(CONTROL.search(v) for v in values):
                return True
    return False


def _not_utf8(raw: bytes) -> bool:
    """Whether URL-encoded bytes (a query string, a form body), unescaped, are not UTF-8: a byte that starts no
    character (%FF), a cut-off character (%E4%BC) or an encoded lone surrogate (%ED%A0%80). Django reads them as "�",
    or a raw body as Latin-1, and a view would save that."""
    try:
        unquote_to_bytes(raw).decode("utf-8")
    except UnicodeDecodeError:
        return True
    return False


def has_bad_encoding(request) -> bool:
    """True if the query string or a form body holds text that is not UTF-8 (`_not_utf8`). A URL-encoded body is
    read as sent, whatever the method (the API reads PUT and PATCH bodies too); a multipart body is read part by
    part, so its fields, names and file names are looked at as read, where such bytes became U+FFFD."""
    query = request.META.get("QUERY_STRING", "")
    try:
        raw_query = query.encode("iso-8859-1")  # WSGI hands over the bytes as Latin-1 text
    except UnicodeEncodeError:
        raw_query = query.encode("utf-8", "surrogatepass")
    if _not_utf8(raw_query):
        return True
    content_type = request.content_type or ""
    if content_type == "application/x-www-form-urlencoded":
        try:
            body = request.body
        except (RawPostDataException, RequestDataTooBig):
            return False  # read as a stream, or refused for its size by whoever reads it
        return _not_utf8(body)
    if content_type == "multipart/form-data" and request.method == "POST":
        replaced = "\ufffd"
        for key, values in request.POST.lists():
            if replaced in key or any(replaced in v for v in values):
                return True
        return any(replaced in (f.name or "") for _key, files in request.FILES.lists() for f in files)
    return False


def has_nul(request) -> bool:
    """True if the path, a query or form parameter (name or value) or an uploaded file's name holds a NUL byte."""
    if "\x00" in request.path:
        return True
    posted = request.method == "POST"
    for data in (request.GET, request.POST) if posted else (request.GET,):
        for key, values in data.lists():
            if "\x00" in key or any("\x00" in v for v in values):
                return True
    return posted and any("\x00" in (f.name or "") for _key, files in request.FILES.lists() for f in files)


# What the page repeats of a refused post: text a person typed, not the tokens, ids and choices a form carries,
# and never a secret (a password, a one-time code, a token).
_NOT_TYPED = ("csrfmiddlewaretoken", "seen_", "from", "next")
_SECRET = ("password", "token", "otp", "secret")


def typed_values(request) -> list[str]:
    """The text a person typed into a refused post, to show back so that nothing typed is lost (NUL bytes and the
    "�" of bytes that were not UTF-8 dropped: they are why a post may be refused)."""
    kept = []
    for name, values in request.POST.lists():
        if name.startswith(_NOT_TYPED) or any(word in name.lower() for word in _SECRET):
            continue
        for value in values:
            text = CONTROL.sub("", value.replace("\x00", "").replace("\ufffd", "")).strip()
            if text and (not text.isascii() or len(text) >= 20):
                kept.append(text)
    return kept


def is_api_path(path: str) -> bool:
    """The address is the API's (/api/v1 and everything under it): whatever refuses it answers JSON, never a page."""
    return path == API_PREFIX.rstrip("/") or path.startswith(API_PREFIX)


def _is_api_endpoint(request) -> bool:
    """The request goes to a REST framework view (the API's endpoints and schema; not /api/'s HTML pages)."""
    match = getattr(request, "resolver_match", None)
    return request.path_info.startswith("/api/") and hasattr(getattr(match, "func", None), "cls")


def bad_request(request, message: str):
    """The Chinese 400 page; for htmx the message alone (the page stays as it is, with what the user typed); for an
    API endpoint JSON, as every other answer of the API (api/exceptions.py)."""
    if _is_api_endpoint(request) or (
        getattr(request, "resolver_match", None) is None and is_api_path(request.path_info)
    ):
        return JsonResponse({"detail": message}, status=400, json_dumps_params={"ensure_ascii": False})
    if getattr(request, "htmx", False):
        return HttpResponseBadRequest(format_html('<div class="alert alert-danger" role="alert">{}</div>', message))
    kept = typed_values(request) if request.method == "POST" else []
    return render(request, "400.html", {"message": message, "kept": kept}, status=400)


def parse_limits(request):
    """Read the query and the form now, so that too many fields or files, or a form body past the limit, gets the
    Chinese 400 with the navbar here: left to the CSRF check (the first to read a post) it met Django's own answer,
    whose page read the query again and failed a second time (500), or, with DEBUG, the English traceback page."""
    try:
        request.GET  # noqa: B018 — parsed here
        if request.method == "POST":
            request.POST  # noqa: B018 — the form and its files
    except (RequestDataTooBig, TooManyFieldsSent, TooManyFilesSent) as exc:
        request.GET = QueryDict()  # the page drawn now reads the query: empty, not the refused one
        request._mark_post_parse_error()
        from tiexi_gov.views import bad_request as page  # the 400 handler; it imports this module

        return page(request, exc)
    return None


class BadInputMiddleware:
    """Refuses a request with a NUL byte anywhere in its parameters (Django's form fields refuse it too, but a
    search box or an id read straight from the query reaches the database, and PostgreSQL raises) or another
    control character (CONTROL: a .docx cannot hold it, and it would be saved) or text that is not UTF-8 (a lone
    surrogate, a cut-off character: it would be saved as "�"), and answers a
    view's BadInput — both with a 400 in Chinese, before anything changes."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        refused = parse_limits(request)
        return refused if refused is not None else self.get_response(request)

    def process_view(self, request, view_func, view_args, view_kwargs):
        if has_nul(request):
            return bad_request(request, NUL_MESSAGE)
        if has_control(request):
            return bad_request(request, CONTROL_MESSAGE)
        if has_bad_encoding(request):
            return bad_request(request, ENCODING_MESSAGE)
        return None

    def process_exception(self, request, exception):
        if isinstance(exception, BadInput):
            return bad_request(request, exception.message)
        return None

"""Project-level pages: the landing redirect (each work area owns its own pages), the site icon and the Chinese
400 and 404 pages."""

from django.contrib.auth.decorators import login_required
from django.core.exceptions import RequestDataTooBig, TooManyFieldsSent, TooManyFilesSent
from django.http import JsonResponse
from django.shortcuts import redirect
from django.templatetags.static import static
from django.views import defaults
from django.views.decorators.cache import cache_control
from django.views.decorators.csrf import requires_csrf_token

from . import http


@login_required
def home(request):
    return redirect("workflow:queue")


@cache_control(max_age=86400, public=True)
def favicon(request):
    """Browsers and the admin ask for /favicon.ico whatever the page says: send them to the portal's icon."""
    return redirect(static("img/favicon.svg"), permanent=True)


@requires_csrf_token
def bad_request(request, exception=None):
    """Django's own refusals (too many fields, a malformed upload …) read in Chinese too, with the navbar."""
    if isinstance(exception, http.BadInput):
        return http.bad_request(request, exception.message)
    if isinstance(exception, RequestDataTooBig):
        return http.bad_request(request, "提交的内容过长，未作任何修改。请删减后重试（附件请用上传框提交）。")
    if isinstance(exception, (TooManyFieldsSent, TooManyFilesSent)):
        return http.bad_request(request, "提交的项目或附件过多，未作任何修改。请分次提交。")
    return http.bad_request(request, "提交的内容无法处理，未作任何修改。请返回上一页检查后重试。")


def not_found(request, exception=None):
    """The Chinese 404 page; under the API's own prefix a JSON answer, as every other answer of the API (a system
    calling a route that does not exist, /api/v1/invitations/, got the HTML page). The only place that draws a 404
    for an address no URL pattern takes: Django calls it with DEBUG off, ChineseErrorPagesMiddleware with DEBUG on."""
    if http.is_api_path(request.path_info):
        return JsonResponse({"detail": "没有该接口。"}, status=404, json_dumps_params={"ensure_ascii": False})
    return defaults.page_not_found(request, exception)


@requires_csrf_token
def server_error(request):
    """The Chinese 500 page; under the API's prefix JSON (a crash in an API view is not the REST framework's to
    answer: its clients got the HTML page). The traceback goes to the log either way."""
    if http.is_api_path(request.path_info):
        text = "服务器内部错误，本次操作未完成，请稍后重试；如仍出错请联系区政府办公室。"
        return JsonResponse({"detail": text}, status=500, json_dumps_params={"ensure_ascii": False})
    return defaults.server_error(request)

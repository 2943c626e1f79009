from rest_framework.permissions import BasePermission


class ActivePerson(BasePermission):
    """A signed-in, active account (by session or by token); what it may see is each area's own question."""

    message = "请先登录，或在请求头中提供接口令牌（Authorization: Bearer <令牌>）。"

    def has_permission(self, request, view) -> bool:
        user = request.user
        return bool(user and user.is_authenticated and user.is_active)

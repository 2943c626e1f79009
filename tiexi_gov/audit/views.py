"""A read-only history page for any object, for those who audit: 审计管理员, 办公室主任, superusers.

Everyone else gets 404 (outsiders never learn that an object exists).
"""

from django.contrib.auth.decorators import login_required
from django.contrib.contenttypes.models import ContentType
from django.http import Http404
from django.shortcuts import get_object_or_404, render
from django.views.decorators.http import require_GET

from tiexi_gov.org.roles import Role, has_role


def may_read_history(user) -> bool:
    return user.is_superuser or has_role(user, Role.AUDIT_ADMIN, Role.OFFICE_DIRECTOR)


@login_required
@require_GET
def history(request, content_type_id: int, object_id: str):
    if not may_read_history(request.user):
        raise Http404
    content_type = get_object_or_404(ContentType, pk=content_type_id)
    model = content_type.model_class()
    if model is None:
        raise Http404
    obj = get_object_or_404(model._base_manager, pk=object_id)
    return render(request, "audit/history.html", {"object": obj, "content_type": content_type})

"""`{% load directory_login %}` (registered in settings): the login page's 统一身份认证 button, shown only when
OpenID Connect is configured."""

from django import template
from django.urls import reverse

from . import oidc_enabled

register = template.Library()


@register.simple_tag
def oidc_login_url(next_url=""):
    """The URL that starts the OpenID Connect login, or "" when it is not configured."""
    if not oidc_enabled():
        return ""
    url = reverse("oidc_authentication_init")
    if next_url:
        from urllib.parse import urlencode

        url += "?" + urlencode({"next": next_url})
    return url

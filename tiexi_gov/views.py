"""Project-level pages: the landing redirect (each work area owns its own pages) and the site icon."""

from django.contrib.auth.decorators import login_required
from django.shortcuts import redirect
from django.templatetags.static import static
from django.views.decorators.cache import cache_control


@login_required
def home(request):
    return redirect("workflow:queue")


@cache_control(max_age=86400, public=True)
def favicon(request):
    """Browsers and the admin ask for /favicon.ico whatever the page says: send them to the portal's icon."""
    return redirect(static("img/favicon.svg"), permanent=True)

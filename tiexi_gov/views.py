"""Project-level pages: the landing redirect (each work area owns its own pages)."""

from django.contrib.auth.decorators import login_required
from django.shortcuts import redirect


@login_required
def home(request):
    return redirect("workflow:queue")

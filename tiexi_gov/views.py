"""The landing page: sends a signed-in person to their queue."""

from django.contrib.auth.decorators import login_required
from django.shortcuts import redirect


@login_required
def home(request):
    return redirect("deadlines:queue")

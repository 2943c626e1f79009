"""WSGI entry point for gunicorn: the application, warmed before the worker (or, with --preload, the master) serves."""

import os

from django.core.wsgi import get_wsgi_application

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "tiexi_gov.settings")
application = get_wsgi_application()

from tiexi_gov.warmup import warm  # noqa: E402 — needs the settings and the app registry get_wsgi_application set up

warm()

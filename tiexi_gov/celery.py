"""The one Celery app; tasks are thin and live in each app's tasks.py."""

import os

from celery import Celery

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "tiexi_gov.settings")

app = Celery("tiexi_gov")
app.config_from_object("django.conf:settings", namespace="CELERY")
app.autodiscover_tasks()

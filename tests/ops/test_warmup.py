"""Issue 14: a gunicorn worker loads the views, the template engine and the broker's client while it boots
(tiexi_gov.wsgi), not on the first request someone makes after a deploy; and it leaves no database connection that
a fork (--preload) would share."""

import json
import os
import subprocess
import sys

from django.conf import settings

PROBE = """
import gc, json, sys
import tiexi_gov.wsgi
from django.db import connections
from django.template import engines
from django.urls import get_resolver
resolver = get_resolver()
print(json.dumps({
    "views": "documents.submissions.views" in sys.modules and "supervision.ledger.views" in sys.modules,
    "urlconf": "url_patterns" in resolver.__dict__,
    "reverse": bool(resolver._reverse_dict),
    "base": any(t.origin.template_name == "base.html" for loader in engines["django"].engine.template_loaders
                for t in getattr(loader, "get_template_cache", {}).values() if hasattr(t, "origin")),
    "broker": "kombu.transport.redis" in sys.modules,
    "open": [c.alias for c in connections.all(initialized_only=True) if c.connection is not None],
    "frozen": gc.get_freeze_count(),
    "threshold": gc.get_threshold()[0],
}))
"""


def test_x_14_the_wsgi_module_warms_the_worker_before_its_first_request():
    env = {k: v for k, v in os.environ.items() if k not in ("DATABASE_URL", "GC_THRESHOLD")}
    env.setdefault("CELERY_BROKER_URL", "redis://127.0.0.1:6379/9")  # only its client modules load: no connection
    out = subprocess.run(
        [sys.executable, "-c", PROBE], cwd=str(settings.BASE_DIR), env=env, capture_output=True, text=True, timeout=120
    )
    assert out.returncode == 0, out.stderr[-2000:]
    seen = json.loads(out.stdout.strip().splitlines()[-1])
    frozen = seen.pop("frozen")
    assert seen == {
        "views": True,
        "urlconf": True,
        "reverse": True,
        "base": True,
        "broker": True,
        "open": [],
        "threshold": 10000,
    }
    # What booting made is out of the collector's sight: the views, models and templates alone are >100,000 objects.
    assert frozen > 100_000

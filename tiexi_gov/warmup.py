"""Ready a web worker before it takes its first request.

Django imports the views (through the URLconf), the template tag libraries and the templates on the first request
each worker serves, and Celery its broker's client on the first task a request queues. For this project that is
more than a second of CPU per worker, paid by whoever clicks first after a deploy or a worker restart, once per
worker. `warm()` does it while the worker boots, from wsgi.py; under gunicorn's --preload it runs once in the
master and the workers inherit it.
"""

from __future__ import annotations

import gc
import os

from django.db import connections
from django.template.loader import get_template
from django.urls import get_resolver

from tiexi_gov.celery import app as celery_app


def warm() -> None:
    resolver = get_resolver()
    resolver.url_patterns  # noqa: B018 — imports every view, with its forms, services and models
    resolver.reverse_dict  # noqa: B018 — the table reverse() and {% url %} read
    get_template("base.html")  # the template engine with its tag libraries, and the frame of every page
    with celery_app.connection_for_write() as broker:  # not connected: only the transport's modules are imported
        broker.transport  # noqa: B018
    # Nothing above should touch the database; if something did, a connection must not cross a fork (--preload).
    connections.close_all()
    settle_collector()


def settle_collector() -> None:
    """Move what booting made (modules, classes, the URL table, compiled templates: some 240,000 objects that live as
    long as the worker) out of the cyclic collector's sight, so its collections walk only what requests allocate.
    A request makes a few thousand short-lived objects, and the default threshold (700) runs a collection every
    few hundred of them; GC_THRESHOLD (default 10000) sets how many allocations wait for the next one."""
    gc.collect()
    gc.freeze()
    gc.set_threshold(int(os.environ.get("GC_THRESHOLD", "10000")), *gc.get_threshold()[1:])

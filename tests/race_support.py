"""Two (or more) people doing the same thing at the same moment (issue 13.4): real threads released together by a
barrier, each with its own database connection, in a transactional test (committed rows)."""

from __future__ import annotations

import threading

from django.db import connections


def race(*calls, timeout: float = 60) -> tuple[list, list[Exception]]:
    """Run the callables at the same moment; return (results, errors), each in the order they finished."""
    barrier = threading.Barrier(len(calls))
    results: list = []
    errors: list[Exception] = []

    def run(fn):
        try:
            barrier.wait(timeout=30)
            results.append(fn())
        except Exception as exc:
            errors.append(exc)
        finally:
            connections.close_all()

    threads = [threading.Thread(target=run, args=(fn,)) for fn in calls]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=timeout)
        assert not t.is_alive(), "a racing call hung"
    return results, errors

"""bench_approvals' gunicorn queues its tasks (mail on commit) on a queue of its own, emptied and removed when the run
ends: those tasks name messages the benchmark deletes with its rows, so no worker sharing the broker may take them."""

from tests.notify.test_notify_mail_queue import private_queue  # noqa: F401 — the fixture: a queue on the real broker
from tiexi_gov import benchkit
from tiexi_gov.celery import app
from tiexi_gov.notify.tasks import email_messages


def test_x_14_bench_tasks_go_to_a_queue_of_their_own_emptied_and_removed_on_leaving(private_queue):  # noqa: F811
    env = {}
    with benchkit.private_queue(env, private_queue) as queued:
        for ids in ([1], [2], [3]):
            email_messages.delay(ids)
    assert env["CELERY_TASK_DEFAULT_QUEUE"] == private_queue, "the served portal is pointed at the queue"
    assert queued.dropped == 3
    with benchkit.private_queue({}, private_queue) as again:
        pass
    assert again.dropped == 0, "nothing was left on the queue"
    if app.conf.broker_url.startswith("redis"):
        with app.connection_for_write() as conn:
            left = [k for k in conn.default_channel.client.keys("*") if private_queue.encode() in k]
        assert left == [], "the broker keeps neither the queue nor its binding"

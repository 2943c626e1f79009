"""`make run` ends with the URL and the demo logins in sight (scripts/run_dev.py): the notices the seeds queue go to
files under var/mail/ rather than the console, and the banner waits until the worker has taken the seeds' tasks,
so neither mail nor the worker's log lines scroll it away."""

from __future__ import annotations

import threading
import time

from django.core import mail
from django.core.mail import get_connection

from tests.run_dev_script import RUN_DEV


def test_make_run_writes_mail_to_files_under_var_not_the_console():
    env = RUN_DEV.child_env({"PATH": "/usr/bin"})
    assert env["EMAIL_BACKEND"] == "django.core.mail.backends.filebased.EmailBackend"
    assert env["EMAIL_FILE_PATH"] == str(RUN_DEV.VAR / "mail")
    assert env["DJANGO_SETTINGS_MODULE"] == "tiexi_gov.settings"


def test_make_run_keeps_a_mail_backend_the_developer_chose():
    chosen = {"EMAIL_BACKEND": "django.core.mail.backends.console.EmailBackend", "EMAIL_FILE_PATH": "/tmp/x"}
    env = RUN_DEV.child_env(chosen)
    assert env["EMAIL_BACKEND"] == chosen["EMAIL_BACKEND"]
    assert env["EMAIL_FILE_PATH"] == "/tmp/x"


def test_the_file_backend_writes_where_settings_say(settings, tmp_path):
    settings.EMAIL_FILE_PATH = str(tmp_path / "mail")
    connection = get_connection("django.core.mail.backends.filebased.EmailBackend")
    mail.EmailMessage("【待办】测试", "正文", "a@tiexi.gov.local", ["b@tiexi.gov.local"], connection=connection).send()
    (written,) = (tmp_path / "mail").iterdir()
    assert "b@tiexi.gov.local" in written.read_text()


def test_the_banner_waits_until_the_worker_took_the_queued_tasks(tmp_path):
    queue = tmp_path / "queue"
    queue.mkdir()
    task = queue / "task.msg"
    task.write_text("{}")
    threading.Timer(0.6, task.unlink).start()  # the worker takes it
    started = time.monotonic()
    assert RUN_DEV.wait_until_drained(queue, 10)
    assert 0.5 <= time.monotonic() - started < 5


def test_the_banner_does_not_wait_forever_for_a_worker_that_never_comes(tmp_path):
    queue = tmp_path / "queue"
    queue.mkdir()
    (queue / "task.msg").write_text("{}")
    started = time.monotonic()
    assert not RUN_DEV.wait_until_drained(queue, 1.0)
    assert time.monotonic() - started < 3


def test_the_banner_stops_waiting_on_ctrl_c(tmp_path):
    queue = tmp_path / "queue"
    queue.mkdir()
    (queue / "task.msg").write_text("{}")
    started = time.monotonic()
    assert not RUN_DEV.wait_until_drained(queue, 30, stopping=lambda: True)
    assert time.monotonic() - started < 2

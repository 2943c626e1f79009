"""Issue 14.3, from the outside: the same deputy has the item open on two screens and presses 同意 on both.

The first screen (a browser with JavaScript) reaches the item from 我的待办 and approves it through htmx. The
second (scripts off, so its form posts as a plain HTML form) had opened the item from 我的待办 before that, types a
different opinion and presses 同意: it gets the short page that names who was first, keeps the opinion it typed,
fits a 390 px phone and leads back to the item, which shows the approval that was made — and only that one.

Real headless Chromium against pytest-django's live server; the pages use the real today.
"""

from __future__ import annotations

import pytest
from django.utils import timezone
from e2e_support import ClickSession

pytestmark = pytest.mark.django_db(transaction=True)

TITLE = "关于更新社区消防器材的请示"
FIRST = "同意。请财政局按程序办理。"
SECOND = "同意，请抓紧落实并于月底前报告进展。"
PANEL = "#doc-panel"


def test_x_3_the_second_click_of_a_lost_race_gets_a_short_page_that_keeps_the_opinion(live_server, browser, world):
    from documents.models import Instruction, Submission, SubmissionState
    from tests.documents.documents_support import in_leader_review

    w = world
    sub = in_leader_review(w, timezone.localdate(), title=TITLE)
    base = live_server.url

    stale = ClickSession(browser, base, w.dep_a, javascript=False)
    stale.todo_open(TITLE)  # opened first, on the screen without scripts
    stale.page.locator(f"{PANEL} textarea").fill(SECOND)

    first = ClickSession(browser, base, w.dep_a)
    first.todo_open(TITLE)
    first.page.locator(f"{PANEL} textarea").fill(FIRST)
    first.page.locator(f"{PANEL} [data-testid=approve]").click()  # hx-confirm is accepted
    first.page.locator(f"{PANEL} [data-testid=state]", has_text="已批准").wait_for()

    page = stale.page
    page.locator(f"{PANEL} [data-testid=approve]").click()
    page.wait_for_load_state()
    short = page.locator("[data-testid=already-handled]")
    short.wait_for()
    assert f"已由{w.dep_a.display_name}处理" in page.locator("[role=alert]").first.inner_text()
    assert page.locator("[data-testid=kept-text]").input_value() == SECOND
    assert page.locator("form[data-action=decide]").count() == 0
    stale.shot("journey-lost-race-short-page")

    stale.click_link("查看公文当前情况")
    page.locator(f"{PANEL} [data-testid=state]", has_text="已批准").wait_for()
    assert FIRST in page.locator("main").inner_text()
    assert Submission.objects.get(pk=sub.pk).state == SubmissionState.APPROVED
    assert list(Instruction.objects.filter(submission=sub, step="leader").values_list("opinion", flat=True)) == [FIRST]
    stale.close()
    first.close()

"""Browser journey (issue 6, CRD-1/CRD-2): a department clerk applies in the browser to set up a coordination body,
the office reviews it with an opinion, the responsible deputy and the head approve (each logged in as themselves),
and the body appears in the register with its members held by post, each shown with today's holder.

Real headless Chromium against pytest-django's live server; the district is tests/meetings/meetings_support.
"""

from __future__ import annotations

import pytest
from e2e_support import SCREENS, Session

pytestmark = pytest.mark.django_db(transaction=True)

NAME = "铁西区教育督导委员会"


@pytest.fixture
def district(settings, tmp_path):
    """The meetings district: head, deputies with portfolios (教育局 is the education deputy's), the office, seven
    departments with heads, deputies and clerks."""
    from tests.meetings.meetings_support import build_world
    from tiexi_gov.workdays import calendar

    settings.MEDIA_ROOT = tmp_path
    calendar.invalidate()
    return build_world()


def _step(session: Session, base: str, pk: int, action: str, opinion: str, expect: str, *, confirm=False):
    """Open the application, write the opinion of the step, press its button, wait for the next state."""
    page = session.page
    page.goto(f"{base}/coordination/applications/{pk}/")
    form = page.locator(f"form[data-action={action}]")
    form.locator("textarea").fill(opinion)
    if confirm:
        form.locator("input[type=checkbox]").check()
    page.locator(f"[data-testid=do-{action}]").click()
    page.locator("[data-testid=state]", has_text=expect).wait_for()
    assert opinion in page.locator("[data-testid=path]").inner_text()


def test_crd_1_department_applies_office_reviews_deputy_and_head_approve_body_in_register(
    live_server, browser, district
):
    from coordination.models import Application, Body, Seat

    w = district
    base = live_server.url
    SCREENS.mkdir(parents=True, exist_ok=True)

    # 1. 教育局's clerk fills the application form: name, a ground with its basis, seats by post, office, reason.
    clerk = Session(browser, base, w.clerks["教育局"])
    page = clerk.page
    page.goto(f"{base}/coordination/")
    page.locator("[data-testid=apply-setup]").first.click()
    page.wait_for_load_state()
    page.fill("#id_name", NAME)
    page.check("#id_ground_law")
    page.fill("#id_basis_law", "《教育督导条例》第五条")
    page.check("#id_ground_upper_document")
    page.fill("#id_basis_upper_document", "四平市人民政府办公室关于加强教育督导工作的通知")
    # CRD-3: the head seat defaults to the deputy in charge of 教育局, shown with today's holder.
    head_option = page.locator("#id_head_post option:checked").inner_text()
    assert "副区长（教育）" in head_option and "张副区长" in head_option
    page.select_option("#id_deputy_head_posts", str(w.unit_head_posts["教育局"].pk))
    page.select_option("#id_member_posts", [str(w.unit_head_posts["财政局"].pk), str(w.unit_head_posts["发改局"].pk)])
    page.fill("#id_office_name", "区教育督导委员会办公室")
    page.fill("#id_functions", "统筹全区教育督导工作。")
    page.fill("#id_reason", "教育督导涉及教育、财政、发改等多个部门，需建立统筹协调机制。")
    page.screenshot(path=str(SCREENS / "coordination-application-form.png"), full_page=True)
    page.locator("[data-testid=submit-application]").click()
    page.locator("[data-testid=state]", has_text="办公室审核中").wait_for()
    app = Application.objects.get()
    assert app.applicant == w.clerks["教育局"] and app.deputy_post == w.edu_deputy_post
    assert not Body.objects.exists()
    clerk.close()

    # 2. The office reviews with an opinion; 3. the responsible deputy; 4. the head approves (confirmed).
    for user, action, opinion, expect, confirm in (
        (w.staff, "office-review", "符合第六十五条设立原则，拟同意。", "分管副区长审核中", False),
        (w.edu_deputy, "deputy-review", "同意，报区长审批。", "区长审批中", False),
        (w.head, "approve", "同意设立。", "已批准", True),
    ):
        assert not Body.objects.exists()
        session = Session(browser, base, user)
        _step(session, base, app.pk, action, opinion, expect, confirm=confirm)
        if action == "approve":
            session.page.screenshot(path=str(SCREENS / "coordination-application-approved.png"), full_page=True)
        session.close()

    # 5. The body is in the register, its members by post with today's holders.
    body = Body.objects.get()
    assert body.name == NAME and body.status == Body.Status.ACTIVE
    assert body.seats.get(role=Seat.Role.HEAD).post == w.edu_deputy_post
    viewer = Session(browser, base, w.clerks["财政局"], phone=True)
    page = viewer.page
    page.goto(f"{base}/coordination/")
    row = page.locator(f"[data-testid=register-row][data-body='{body.pk}']")
    row.wait_for()
    assert "张副区长" in row.locator("[data-testid=register-head]").inner_text()
    row.locator(f"a[href='/coordination/bodies/{body.pk}/']").click()
    page.locator("[data-testid=seats]").wait_for()
    seats = {
        s.locator("[data-testid=seat-post]").inner_text().strip(): s.locator("[data-testid=seat-holder]").inner_text()
        for s in page.locator("[data-testid=seat]").all()
    }
    assert "张副区长" in seats["副区长（教育）"]
    assert "教育局负责人" in seats["教育局局长"]
    assert "财政局负责人" in seats["财政局局长"] and "发改局负责人" in seats["发改局局长"]
    grounds = page.locator("[data-testid=grounds]").inner_text()
    assert "《教育督导条例》第五条" in grounds and "四平市人民政府办公室关于加强教育督导工作的通知" in grounds
    page.screenshot(path=str(SCREENS / "coordination-body-phone.png"), full_page=True)
    viewer.close()

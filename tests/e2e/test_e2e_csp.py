"""Browser check of the Content-Security-Policy (issue 12 point 4): a deputy head goes from the login page to
我的待办, opens a request waiting for their instruction and gives it through the htmx panel, then opens the printable
processing slip. Chromium enforces the policy on every page; not one violation may be reported (neither the
`securitypolicyviolation` event nor a console message), and the htmx action still works.
"""

import pytest
from e2e_support import DESKTOP, PASSWORD

pytestmark = pytest.mark.django_db(transaction=True)

OPINION = "同意，请财政局抓紧办理。"

# Runs in every document before the page's own scripts: keeps each CSP violation the page reports.
RECORD_VIOLATIONS = """
window.__cspViolations = [];
document.addEventListener("securitypolicyviolation", function (e) {
  var where = (e.sourceFile || "") + ":" + e.lineNumber;
  window.__cspViolations.push(e.violatedDirective + " " + (e.blockedURI || "inline") + " " + where);
});
"""


def test_e2e_pages_and_an_htmx_action_raise_no_csp_violation(live_server, browser, world):
    from documents.submissions.models import Submission
    from tests.documents.documents_support import in_leader_review

    sub = in_leader_review(world, title="关于更新防汛应急物资的请示")
    context = browser.new_context(viewport=DESKTOP, locale="zh-CN")
    context.add_init_script(RECORD_VIOLATIONS)
    page = context.new_page()
    page.set_default_timeout(15_000)
    console = []
    page.on("console", lambda msg: console.append(msg.text))
    page.on("dialog", lambda dialog: dialog.accept())  # hx-confirm
    violations = []

    def check(where: str):
        page.wait_for_load_state()
        violations.extend(f"{where}: {v}" for v in page.evaluate("window.__cspViolations || []"))

    try:
        # The login page, anonymous: the policy is in force.
        response = page.goto(live_server.url + "/accounts/login/")
        policy = response.headers["content-security-policy"]
        assert "script-src 'self'" in policy and "unsafe-inline" not in policy.split("script-src")[1].split(";")[0]
        check("login")
        page.fill("#id_username", world.dep_a.username)
        page.fill("#id_password", PASSWORD)
        page.click("button[type=submit]")
        page.wait_for_load_state()
        assert "/accounts/login/" not in page.url

        # 我的待办, then the request's page through its row.
        page.locator("[data-testid=nav-queue]").click()
        page.wait_for_url("**/todo/")
        check("我的待办")
        row = page.locator("[data-testid=task-row]").filter(has_text=sub.title).first
        row.locator("[data-testid=task-link]").click()
        page.wait_for_url(f"**/documents/{sub.pk}/")
        page.locator("#doc-panel").wait_for()
        check("documents item")

        # The instruction through the htmx panel (hx-post, hx-confirm, swap): it still works under the policy.
        page.locator("[data-action=decide] textarea").first.fill(OPINION)
        page.locator("[data-action=decide] [data-testid=approve]").click()
        page.locator("#doc-panel[data-state=approved]").wait_for()
        check("after the htmx action")
        assert Submission.objects.get(pk=sub.pk).state == "approved"

        # The processing slip: its print style sheet is a static file now, the print button a data attribute.
        page.goto(live_server.url + f"/documents/{sub.pk}/slip/")
        page.locator("[data-testid=slip]").wait_for()
        assert page.locator("[data-testid=slip] th").first.evaluate("e => getComputedStyle(e).textAlign") == "center"
        check("slip")
        refused = [text for text in console if "Content Security Policy" in text or "Refused to" in text]
        assert not violations and not refused, violations + refused

        # And the proof that the policy bites (and that the recorder above would have seen it): script injected
        # into the page as an inline handler or an inline <script> does not run, and is reported.
        ran = page.evaluate(
            """() => {
              window.__ran = [];
              const button = document.createElement("button");
              button.setAttribute("onclick", "window.__ran.push('handler')");
              document.body.appendChild(button);
              button.click();
              const script = document.createElement("script");
              script.textContent = "window.__ran.push('script')";
              document.body.appendChild(script);
              return window.__ran;
            }"""
        )
        assert ran == []
        for _ in range(50):  # the reports arrive as tasks (no wait_for_function: its polling needs eval)
            reported = page.evaluate("window.__cspViolations")
            if len(reported) >= 2:
                break
            page.wait_for_timeout(100)
        assert len(reported) >= 2, reported
        assert all(v.startswith("script-src") for v in reported), reported
    finally:
        context.close()

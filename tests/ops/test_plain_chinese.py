"""Issue 11 point 3: users read the working rules by article (第六十一条), never by the portal's internal rule IDs
(DOC-13, SUP-5, MTG-8). Proved on `rules.plain` and on every page each demo login reaches from the navbar and
from 我的待办, in the visible text and in the hover titles."""

from __future__ import annotations

import re
from html.parser import HTMLParser

import pytest
from django.contrib.auth import get_user_model
from django.core.management import call_command
from django.utils import timezone

from tests.demo_seeds import SEEDS
from tiexi_gov.deadlines import rules
from tiexi_gov.workflow.errors import ActionRefused, RuleViolation
from tiexi_gov.workflow.selectors import open_tasks_for

TWICE = re.compile(r"(第[一二三四五六七八九十百]+条)[，、]\1")


class _Visible(HTMLParser):
    """What a reader sees: text outside <script>/<style>, plus title/placeholder/aria-label attributes; and the
    portal links of the navbar."""

    def __init__(self):
        super().__init__()
        self.text: list[str] = []
        self.nav_links: list[str] = []
        self._skip = 0
        self._in_nav = 0

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        if tag in ("script", "style"):
            self._skip += 1
        if tag == "nav":
            self._in_nav += 1
        for name in ("title", "placeholder", "aria-label", "alt"):
            if attrs.get(name):
                self.text.append(attrs[name])
        href = attrs.get("href") or ""
        if tag == "a" and self._in_nav and href.startswith("/") and not href.startswith("/static"):
            self.nav_links.append(href)

    def handle_endtag(self, tag):
        if tag in ("script", "style"):
            self._skip -= 1
        if tag == "nav":
            self._in_nav -= 1

    def handle_data(self, data):
        if not self._skip:
            self.text.append(data)


def _read(html: str) -> _Visible:
    parser = _Visible()
    parser.feed(html)
    return parser


def test_x_1_plain_turns_each_rule_id_into_its_article():
    assert rules.plain("逾期视为无不同意见（DOC-7）。") == "逾期视为无不同意见（第六十条）。"
    assert rules.plain("按分管呈批 DOC-11") == "按分管呈批 第六十一条"
    assert rules.describe("DOC-13").label == "第六十一条 公文审批时限"


def test_x_1_plain_cites_each_article_once_and_not_again_after_the_sentence_cites_it():
    assert rules.plain("依据（DOC-15、DOC-16）") == "依据（第六十三条）"
    assert rules.plain("须符合第六十五条规定的设立原则（CRD-2）。") == "须符合第六十五条规定的设立原则。"
    assert rules.plain("（ORG-4, DOC-2）") == "（第十六条、第八十三条、第六十条）"


def test_x_1_plain_drops_rules_that_have_no_article_and_keeps_what_is_not_a_rule():
    assert rules.plain("不得由同一账号兼任（X-2）。") == "不得由同一账号兼任。"
    assert rules.plain("工作日计算（CAL-1..3）") == "工作日计算"
    assert rules.plain("文号（DOC-99）、GB/T 9704-2012") == "文号（DOC-99）、GB/T 9704-2012"


def test_x_1_a_refusal_reads_the_article_but_keeps_its_rule_id_for_the_code():
    refusal = RuleViolation("MTG-5", "议题须于会前3个工作日报送")
    assert str(refusal) == "议题须于会前3个工作日报送（第五十五条）" and refusal.rule_id == "MTG-5"
    assert ActionRefused("只能由区长签发（DOC-14）。").message == "只能由区长签发（第六十二条）。"


@pytest.fixture
def demo(db, settings):
    settings.DEBUG = True  # the demo seeds refuse a production configuration
    call_command("seed_demo", "--password", "demo-pass-2026", verbosity=0)
    for command in SEEDS:
        call_command(command, verbosity=0)
    settings.DEBUG = False


def test_x_1_no_page_a_demo_login_reaches_shows_a_rule_id(demo, client):
    """Every navbar page and every 我的待办 item of every demo login: no DOC-13 in what a person reads."""
    found: list[str] = []
    pages = 0
    for user in get_user_model().objects.filter(is_active=True).order_by("pk"):
        client.force_login(user)
        home = client.get("/todo/")
        assert home.status_code == 200
        todo = _read(home.content.decode())
        urls = dict.fromkeys(todo.nav_links + ["/todo/"])
        urls.update(dict.fromkeys(open_tasks_for(user, timezone.localdate()).values_list("url", flat=True)[:15]))
        for url in urls:
            if not url or url.startswith(("/accounts/logout", "/logout")):
                continue
            response = client.get(url)
            if response.status_code != 200 or "html" not in response.get("Content-Type", ""):
                continue
            pages += 1
            text = " ".join(_read(response.content.decode()).text)
            found += [f"{user.username} {url}: {m.group(0)}" for m in rules.ID_PATTERN.finditer(text)]
            # …nor an article cited twice in one breath (半年报告 read 第四十九条，第四十九条)
            found += [f"{user.username} {url}: {m.group(0)}" for m in TWICE.finditer(text)]
        client.logout()
    assert pages > 50, "the crawl reached too few pages to prove anything"
    assert not found, "\n".join(found)


def test_x_1_no_template_cites_an_article_twice_in_one_breath():
    """半年工作报告's page read （第四十九条，第四十九条）, a page the navbar crawl above does not reach."""
    from pathlib import Path

    from django.conf import settings

    root = Path(settings.BASE_DIR) / "templates"
    found = [
        f"{path.relative_to(root)}: {m.group(0)}"
        for path in sorted(root.rglob("*"))
        if path.suffix in (".html", ".jinja", ".txt")
        for m in TWICE.finditer(path.read_text(encoding="utf-8"))
    ]
    assert not found, "\n".join(found)

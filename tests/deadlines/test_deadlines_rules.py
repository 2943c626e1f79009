"""X-3: every rule a deadline can cite is in the catalogue with the article it comes from."""

import re
from pathlib import Path

import pytest
from django.conf import settings

from tiexi_gov.deadlines import handlers, rules

RULES_MD = Path(settings.BASE_DIR).parent / "shared" / "RULES.md"
LINE = re.compile(r"^- ((?:ORG|CAL|MTG|DOC|SUP|CRD|LEAVE|PUB|RES|X)-\d+)(?: \(([^)]*)\))?", re.MULTILINE)


def test_x_3_catalogue_gives_article_and_title():
    doc7 = rules.get("DOC-7")
    assert doc7.article == "第六十条"
    assert "逾期" in doc7.title
    assert doc7.label.startswith("第六十条 ")  # people read articles; the ID stays in code
    assert rules.get("ORG-2").article == "第十二条、第十四条"
    with pytest.raises(rules.UnknownRule):
        rules.get("DOC-0")
    assert rules.describe("OLD-1").id == "OLD-1"  # an unknown stored ID still renders


def test_x_3_catalogue_matches_the_rules_document():
    if not RULES_MD.exists():
        pytest.skip("the rules document is not part of the deployed tree")
    found = LINE.findall(RULES_MD.read_text(encoding="utf-8"))
    assert len(found) >= 60
    assert {rid for rid, _ in found} == set(rules.RULES)
    for rid, articles in found:
        if articles:  # "(六十; 二十四~二十六)" -> the first article must be cited
            first = re.split(r"[,;~，；、\s]+", articles.strip())[0]
            assert f"第{first}条" in rules.get(rid).article, rid


def test_x_3_handler_registry_refuses_unknown_rules_and_double_registration():
    with pytest.raises(rules.UnknownRule):
        handlers.register("NOPE-1")
    previous = handlers.unregister("RES-1")
    try:
        handlers.register("RES-1")(lambda d: None)
        with pytest.raises(handlers.HandlerAlreadyRegistered):
            handlers.register("RES-1")(lambda d: None)
    finally:
        handlers.unregister("RES-1")
        if previous:
            handlers.register("RES-1")(previous)

"""Issue 13.4: one comparison key for references and names typed by people (tiexi_gov.references)."""

import pytest

from tiexi_gov.references import normalise_reference

SAME = "铁政发〔2026〕5号"


@pytest.mark.parametrize(
    "typed",
    [
        "铁政发〔2026〕5号",
        "铁政发 〔2026〕 5号",  # spaces
        "铁政发〔2026〕5号\u3000",  # a full-width space
        "\t铁政发〔2026〕5号\n",
        "铁政发[2026]5号",  # square brackets
        "铁政发［２０２６］５号",  # full-width brackets and digits
        "铁政发【2026】5号",
        "铁政发(2026)5号",
        "铁政发（2026）5号",
        "铁政发﹝2026﹞5号",
        "铁政发〔2026〕\u200b5号",  # a zero-width space from a copied web page
    ],
)
def test_issue13_reference_with_extra_space_fullwidth_or_other_brackets_is_the_same(typed):
    assert normalise_reference(typed) == SAME


def test_issue13_different_references_stay_different():
    assert normalise_reference("铁政发〔2026〕5号") != normalise_reference("铁政发〔2026〕15号")
    assert normalise_reference("铁政发〔2026〕5号") != normalise_reference("铁政办发〔2026〕5号")
    assert normalise_reference("铁政发〔2025〕5号") != normalise_reference("铁政发〔2026〕5号")


def test_issue13_latin_letters_fold_case_and_width():
    assert normalise_reference("ＡＢＣ-12") == normalise_reference("abc-12") == "abc-12"


def test_issue13_empty_reference_has_empty_key():
    for empty in ("", None, "   ", "\u3000"):
        assert normalise_reference(empty) == ""

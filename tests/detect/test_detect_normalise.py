"""Folding Devanagari spelling variants, word boundaries and sentence splitting."""

from __future__ import annotations

import pytest

from monitor.detect.normalise import at_boundary, fold, split_sentences


@pytest.mark.parametrize(
    ("variant", "plain"),
    [
        ("ज़िला", "जिला"),  # precomposed nukta letter
        ("ज\u093cिला", "जिला"),  # decomposed nukta
        ("क्\u200dष", "क्ष"),  # ZWJ
        ("क्\u200cष", "क्ष"),  # ZWNJ
        ("काँग्रेस", "कांग्रेस"),  # chandrabindu
        ("हिन्दी", "हिंदी"),  # half nasal
        ("नवम्बर", "नवंबर"),
        ("झारखण्ड", "झारखंड"),
        ("२१ नवंबर २०२३", "21 नवंबर 2023"),  # Devanagari digits
        ("Hemant  SOREN\n", "hemant soren"),  # case and whitespace
        ("‘आप’", "'आप'"),  # curly quotes
    ],
)
def test_fold_merges_spelling_variants(variant: str, plain: str) -> None:
    assert fold(variant) == fold(plain)


def test_fold_keeps_case_when_asked() -> None:
    assert fold("AAP  नेता", casefold=False) == "AAP नेता"


def test_boundary_treats_vowel_signs_as_word_characters() -> None:
    text = fold("भाजपाई नेता")
    start = text.index("भाजपा")
    assert not at_boundary(text, start, start + len("भाजपा"))
    text = fold("भाजपा नेता")
    assert at_boundary(text, 0, len("भाजपा"))


def test_boundary_before_an_inflection() -> None:
    text = fold("बैठकें हुईं")
    assert not at_boundary(text, 0, len("बैठक"))


def test_boundary_of_keyword_with_punctuation_edges() -> None:
    text = fold("नेता jd(u)के")
    start = text.index("jd(u)")
    assert at_boundary(text, start, start + len("jd(u)"))


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("बैठक हुई। पार्टी ने कहा", ["बैठक हुई।", "पार्टी ने कहा"]),
        ("संबोधित किया।पार्टी ने", ["संबोधित किया।", "पार्टी ने"]),
        ("ऑनलाइन मीटिंग की. इसमें सभी", ["ऑनलाइन मीटिंग की.", "इसमें सभी"]),
        ("बात की.भाजपा आईटी विभाग", ["बात की.", "भाजपा आईटी विभाग"]),
        ("रायपुर, 22 अप्रैल (हि.स.)। नवा रायपुर", ["रायपुर, 22 अप्रैल (हि.स.)।", "नवा रायपुर"]),
        (
            "J. P. Nadda met Dr. Singh at 2.30 pm. Next.",
            ["J. P. Nadda met Dr. Singh at 2.30 pm.", "Next."],
        ),
        ("See results.eci.gov.in today", ["See results.eci.gov.in today"]),
        ("Really? Yes! Fine", ["Really?", "Yes!", "Fine"]),
        ("सड़क 2.4 किलोमीटर लंबी है.", ["सड़क 2.4 किलोमीटर लंबी है."]),
    ],
)
def test_split_sentences(text: str, expected: list[str]) -> None:
    assert list(split_sentences(text)) == expected

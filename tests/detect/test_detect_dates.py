"""Dates, times and tense: resolving what a sentence says against the publication date."""

from __future__ import annotations

from datetime import date

import pytest

from monitor.detect.dates import (
    DateMention,
    Tense,
    find_dates,
    find_time,
    parse_date_line,
    resolve,
)
from monitor.detect.normalise import fold
from monitor.detect.tense import sentence_tense

FRIDAY = date(2023, 10, 20)


def first(text: str) -> DateMention:
    mentions = find_dates(fold(text))
    assert mentions, text
    return mentions[0]


@pytest.mark.parametrize(
    ("text", "tense", "expected"),
    [
        ("मंगलवार 21 नवंबर को बैठक", "future", date(2023, 11, 21)),
        ("२१ नवम्बर २०२३ को बैठक", None, date(2023, 11, 21)),
        ("on August 31 the panel will meet", "future", date(2024, 8, 31)),
        ("Nov 25 meeting", None, date(2023, 11, 25)),
        ("8, 9 और 10 फरवरी को गांव चलो", "future", date(2024, 2, 8)),
        ("Update: 2023-11-26", None, date(2023, 11, 26)),
    ],
)
def test_absolute_dates(text: str, tense: Tense | None, expected: date) -> None:
    published = date(2024, 8, 30) if "August" in text else date(2023, 11, 20)
    if "फरवरी" in text:
        published = date(2024, 2, 7)
    assert resolve(first(text), published, tense) == expected


def test_day_month_year_is_chosen_by_tense() -> None:
    mention = first("25 दिसंबर")
    published = date(2024, 1, 5)
    assert resolve(mention, published, "past") == date(2023, 12, 25)
    assert resolve(mention, published, None) == date(2023, 12, 25)
    assert resolve(mention, published, "future") == date(2024, 12, 25)


@pytest.mark.parametrize(
    ("text", "tense", "expected"),
    [
        ("गुरुवार को बैठक हुई", "past", date(2023, 10, 19)),
        ("On Thursday, a meeting was held", "past", date(2023, 10, 19)),
        ("मंगलवार को बैठक होगी", "future", date(2023, 10, 24)),
        ("शुक्रवार को बैठक होगी", "future", FRIDAY),
        ("आज यहां कई बैठकें कीं", "past", FRIDAY),
        ("कल हुई बैठक में", "past", date(2023, 10, 19)),
        ("कल होगी बैठक", "future", date(2023, 10, 21)),
        ("meeting tomorrow", None, date(2023, 10, 21)),
    ],
)
def test_relative_dates(text: str, tense: Tense | None, expected: date) -> None:
    assert resolve(first(text), FRIDAY, tense) == expected


def test_unresolvable_without_publication_date() -> None:
    assert resolve(first("गुरुवार को बैठक हुई"), None, "past") is None
    assert resolve(first("कल बैठक"), FRIDAY, None) is None


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("मंगलवार दोपहर 2 बजे से ऑनलाइन संवाद", "14:00"),
        ("दोपहर बाद 02 बजे से ऑनलाइन बैठक", "14:00"),
        ("सुबह साढ़े ग्यारह बजे से", "11:30"),
        ("शाम चार बजे से प्रोजेक्ट भवन में", "16:00"),
        ("रात 8 बजे लेंगे बड़ी बैठक", "20:00"),
        ("सुबह दस बजे से बैठक", "10:00"),
        ("expected to land at 2.30 pm on August 31", "14:30"),
        ("at 10 am", "10:00"),
        ("बैठक 15 दिन में", None),
    ],
)
def test_times(text: str, expected: str | None) -> None:
    assert find_time(fold(text)) == expected


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("हेमंत सोरेन ऑनलाइन संवाद करेंगे", "future"),
        ("बैठक 25 सितंबर को होगी", "future"),
        ("बैठक शुरू होनी है", "future"),
        ("अविनाश पांडे ने ऑनलाइन बैठक की", "past"),
        ("बैठक में कई कार्यकर्ता शामिल हुए", "past"),
        ("वर्चुअल मीटिंग कर रहे थे", "past"),
        ("उन्होंने कहा कि पार्टी सभी सीटें जीतेगी", "past"),  # main clause decides
        ("योगी आदित्यनाथ ने बैठक की", "past"),  # "योगी" is not a future verb
        ("The meeting will be held at the CM's residence", "future"),
        ("Abhishek to meet Birbhum leaders", "future"),
        ("a meeting was held at Sohrai Bhawan", "past"),
        ("Tejashwi meets RJD legislators", "past"),
        ("पार्टी का संगठन", None),
    ],
)
def test_tense(text: str, expected: str | None) -> None:
    assert sentence_tense(fold(text)) == expected


@pytest.mark.parametrize(
    ("line", "expected"),
    [
        ("Published : Nov 20, 2023, 10:02 PM IST", date(2023, 11, 20)),
        ("Updated : Oct 20, 2023, 1:26 PM IST", date(2023, 10, 20)),
        ("Published : Sun, 3 Nov 2024", date(2024, 11, 3)),
        ("Published - August 02, 2024", date(2024, 8, 2)),
        ("Update: 2023-11-26", date(2023, 11, 26)),
        ("अपडेटेड 20 नवंबर 2023, 22:02 IST", date(2023, 11, 20)),
        ("September 11, 2023", date(2023, 9, 11)),
        ("Published : Jan 7", None),  # no year: not trusted
    ],
)
def test_publication_lines(line: str, expected: date | None) -> None:
    assert parse_date_line(line) == expected

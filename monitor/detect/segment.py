"""From title and text to the sentences the rules read.

Extraction leaves page furniture in article text: links to other stories ("इसे भी पढ़ें …"),
comment boxes ("Leave a Reply"), author boxes, date lines and repeated headlines. They are removed
here so that a teaser about some other party meeting cannot make an article positive, and the
publication date printed in the text is kept aside for resolving weekdays.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass

import regex

from monitor.detect.lexicon import Boilerplate
from monitor.detect.normalise import fold, split_sentences


@dataclass(frozen=True)
class Sentence:
    """One sentence: `text` as printed, `folded` for matching (casefolded), `cased` folded
    without casefolding (to verify case-sensitive aliases)."""

    text: str
    folded: str
    cased: str
    in_title: bool
    index: int
    paragraph: int


@dataclass(frozen=True)
class Segmented:
    sentences: tuple[Sentence, ...]
    date_lines: tuple[str, ...]
    lead_lines: tuple[str, ...]


# A line that is nothing but a date ("September 11, 2023", "8 Feb 2024", "2023-11-26") is a
# date stamp under the article.
_DATE_ONLY = regex.compile(
    r"^\W*(?:\w{3,9},?\s+)?(?:\d{1,2}\s+\w{3,9}\.?,?\s+\d{4}|\w{3,9}\.?\s+\d{1,2},?\s+\d{4}"
    r"|\d{4}-\d{2}-\d{2}|\d{1,2}[/.-]\d{1,2}[/.-]\d{4})\W*$"
)
# The dateline sits on the first line of the story, after any kicker or byline lines.
_LEAD_LINES = 10
_BULLET = regex.compile(r"^\s*(?:[-–—•*▪►]+|\d{1,2}[.)])\s+")


def segment(title: str, text: str, boilerplate: Boilerplate) -> Segmented:
    """Sentences of the title and of the article body, without page furniture or repeats."""
    sentences: list[Sentence] = []
    seen: set[str] = set()
    date_lines: list[str] = []
    title_lines = [line for line in (title or "").splitlines() if line.strip()]
    body_lines = list(_body_lines(text or "", boilerplate, date_lines))
    index = 0
    for paragraph, (line, in_title) in enumerate(
        [(line, True) for line in title_lines] + [(line, False) for line in body_lines]
    ):
        for piece in split_sentences(line):
            folded = fold(piece)
            if not _has_letters(folded) or folded in seen:
                continue
            seen.add(folded)
            sentences.append(
                Sentence(piece, folded, fold(piece, casefold=False), in_title, index, paragraph)
            )
            index += 1
    return Segmented(tuple(sentences), tuple(date_lines), tuple(body_lines[:_LEAD_LINES]))


def _body_lines(text: str, boilerplate: Boilerplate, date_lines: list[str]) -> Iterator[str]:
    for raw in text.splitlines():
        line = _BULLET.sub("", raw).strip()
        if not line:
            continue
        folded = fold(line)
        if any(folded.startswith(p) for p in boilerplate.stop_prefixes):
            return
        if _is_date_line(folded, boilerplate):
            date_lines.append(line)
            continue
        if any(folded.startswith(p) for p in boilerplate.skip_prefixes):
            continue
        yield line


def _is_date_line(folded: str, boilerplate: Boilerplate) -> bool:
    for label in boilerplate.published_labels:
        if folded.startswith(label):
            rest = folded[len(label) :].lstrip()
            # "Published : …", "Updated On - …", "अपडेटेड 20 नवंबर …", but not "Updated rules".
            if not rest or rest[0] in ":-|" or rest[0].isdigit() or rest.startswith("on "):
                return True
    return len(folded) <= 40 and bool(_DATE_ONLY.match(folded))


def _has_letters(folded: str) -> bool:
    found = 0
    for ch in folded:
        if ch.isalpha():
            found += 1
            if found == 3:
                return True
    return False

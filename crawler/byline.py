"""Author names from the page's own byline: `<meta name="author">`, rel/itemprop author links
and byline blocks, normalised here rather than by trafilatura.

trafilatura's author normalisation drops Devanagari vowel signs at the end of a name
("संवाददाता, रांची" becomes "संवाददात; रांच") and keeps the dateline that follows an English
byline ("By Rajesh Kumar, Ranchi, Nov 20" becomes three "authors"). A byline here is read as
"names, then the dateline": what follows the first comma, bar or dash is the place and date.
"""

from __future__ import annotations

import html
import re
import unicodedata

from lxml.html import HtmlElement  # type: ignore[import-untyped]

_META_NAMES = ("author", "byl", "dc.creator", "article:author", "parsely-author", "sailthru.author")
_BYLINE_XPATH = (
    '//*[@rel="author"]',
    '//*[@itemprop="author"]',
    '//*[contains(concat(" ", normalize-space(@class), " "), " byline ")]',
    '//*[contains(concat(" ", normalize-space(@class), " "), " author-name ")]',
)
_PREFIX = re.compile(r"^(?:written\s+by|reported\s+by|posted\s+by|by|द्वारा|रिपोर्ट|लेखक)\s*[:\-]?\s*",
                     re.IGNORECASE)  # fmt: skip
# The dateline starts at the first separator after the names.
_DATELINE = re.compile(r"\s*(?:[,|•·/]|\s[-–—]\s|\n).*$", re.S)
_SEVERAL = re.compile(r"\s*(?:;|&|\band\b|\bऔर\b)\s*", re.IGNORECASE)
# A "byline" that is a date or time line names nobody.
_NOT_A_NAME = re.compile(
    r"^(?:updated|published|posted|last\s+updated|प्रकाशित|अपडेटेड|अपडेट)\b|\d",
    re.IGNORECASE,
)
_MAX_NAME = 80


def byline_authors(tree: HtmlElement) -> tuple[str, ...]:
    """The names the page's byline states, in order; () when it states none."""
    for raw in _meta_values(tree):
        names = normalise_byline(raw)
        if names:
            return names
    for xpath in _BYLINE_XPATH:
        for element in tree.xpath(xpath):
            names = normalise_byline(" ".join(element.itertext()))
            if names:
                return names
    return ()


def normalise_byline(raw: str) -> tuple[str, ...]:
    """"By A and B, Ranchi, Nov 20" → ("A", "B"); Devanagari marks are kept as written."""
    # NFC joins a decomposed nukta; no character is dropped.
    text = unicodedata.normalize("NFC", html.unescape(raw))
    text = " ".join(text.replace("\u200b", "").split())
    text = _PREFIX.sub("", text)
    if not text or text.startswith(("http://", "https://")):
        return ()
    names_part = _DATELINE.sub("", text).strip()
    names: list[str] = []
    for name in _SEVERAL.split(names_part):
        name = name.strip(" .:-")
        if name and not _NOT_A_NAME.search(name) and len(name) <= _MAX_NAME and name not in names:
            names.append(name)
    return tuple(names)


def _meta_values(tree: HtmlElement) -> list[str]:
    values: list[str] = []
    for element in tree.xpath("//meta[@content]"):
        key = (element.get("name") or element.get("property") or "").lower()
        if key in _META_NAMES:
            values.append(element.get("content") or "")
    return values

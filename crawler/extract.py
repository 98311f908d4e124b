"""Article extraction: HTML in, title/text/date/author/language out.

trafilatura does the main-content work with `fast=True` (1.5x faster than its default with the
same text on ~96 % of pages, TECH-NOTES §2); when fast mode leaks markup into the text, the page
is extracted again in the default mode. Metadata comes from the page's JSON-LD first (exact
headline, timestamp with offset), then trafilatura/htmldate, then visible date lines.
"""

from __future__ import annotations

import gzip
import logging
import re
import zlib
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import Any

from lxml.html import HtmlElement  # type: ignore[import-untyped]
from trafilatura import bare_extraction
from trafilatura.utils import load_html

from crawler.byline import byline_authors, normalise_byline
from crawler.dates import find_date_in_text, is_suspect, normalise_iso
from crawler.encoding import decode_html
from crawler.pagemeta import PageMeta, read_page_meta
from crawler.textclean import clean_text

logger = logging.getLogger(__name__)

_DEVANAGARI_LANGS = frozenset({"hi", "mr", "ne", "sa", "mai", "bho", "kok", "doi", "new"})
_LEAKED_MARKUP = re.compile(r"<(?:script|iframe|style|div|/p)\b", re.IGNORECASE)
_TRAILING_SEGMENT = re.compile(r"\s+[|\-–—]\s+(?P<segment>[^|\-–—]+)$")
_MIN_SENTENCE = 40
# On the corpus's article pages fast mode's longest line is 283-8377 characters; when it is
# below this, fast mode caught a menu or promo block (the Economic Times slideshow: 45).
_THIN_LINE = 120
_BAD_AUTHOR = re.compile(r";\s*(?:updated|published)\b.*$", re.IGNORECASE)


@dataclass(frozen=True)
class ExtractedArticle:
    url: str | None
    title: str
    text: str
    published: str | None
    author: str | None
    lang: str | None

    def to_json(self) -> dict[str, Any]:
        return asdict(self)


def read_html_file(path: str | Path) -> bytes:
    """Read a saved page; `.gz` files (as in the fundus corpus) are decompressed."""
    file_path = Path(path)
    data = file_path.read_bytes()
    if file_path.suffix == ".gz" or data[:2] == b"\x1f\x8b":
        try:
            return gzip.decompress(data)
        except (EOFError, zlib.error, gzip.BadGzipFile) as exc:
            # EOFError (a truncated file) is no OSError, and click would read it as an abort.
            raise OSError(f"not a complete gzip file ({exc})") from None
    return data


def extract_article(
    html: bytes | str, url: str | None = None, *, encoding: str | None = None
) -> ExtractedArticle | None:
    """Extract one article; None when the page has no article text.

    `encoding` is the charset the server declared (Content-Type header), if any; bytes are
    decoded with it or the page's own declaration, falling back when either is wrong.
    """
    markup = decode_html(html, encoding) if isinstance(html, bytes) else html
    tree = load_html(markup)
    if tree is None:
        logger.debug("unparsable HTML from %s", url)
        return None
    # trafilatura prunes the tree it is given, so read our metadata first.
    meta = read_page_meta(tree)
    byline = byline_authors(tree)
    document = _extract(tree, url, fast=True)
    if _needs_full_mode(document):
        tree = load_html(markup)
        document = _extract(tree, url, fast=False) if tree is not None else None
    if document is None or not (document.get("text") or "").strip():
        return None
    raw_text: str = document["text"]
    title = _choose_title(meta, document)
    text = clean_text(raw_text, title)
    if max((len(line) for line in text.splitlines()), default=0) < _MIN_SENTENCE:
        # Menus and link lists survive extraction as short lines; an article has sentences.
        return None
    return ExtractedArticle(
        url=url or document.get("url"),
        title=title,
        text=text,
        published=_choose_date(meta, document.get("date"), raw_text, markup),
        author=_choose_author(meta, byline, document.get("author")),
        lang=detect_language(text, meta.html_lang),
    )


def _needs_full_mode(document: dict[str, Any] | None) -> bool:
    """Whether fast mode's result is worth a second, slower pass.

    Fast mode skips trafilatura's fallback extractors; where its own heuristics pick the wrong
    block (a slideshow's promo links instead of the slides) it returns only short lines.
    """
    if document is None:
        return True
    text = str(document.get("text") or "")
    if _LEAKED_MARKUP.search(text):
        return True
    longest = max((len(line) for line in text.splitlines()), default=0)
    return longest < _THIN_LINE


def _extract(tree: HtmlElement, url: str | None, *, fast: bool) -> dict[str, Any] | None:
    result = bare_extraction(
        tree,
        url=url,
        fast=fast,
        with_metadata=True,
        include_comments=False,
        include_tables=True,
        date_extraction_params={"original_date": True, "extensive_search": True},
    )
    if result is None:
        return None
    return result if isinstance(result, dict) else dict(result.as_dict())


def detect_language(text: str, html_lang: str | None = None) -> str | None:
    """'hi' when at least 30 % of the letters are Devanagari, else 'en'; <html lang> refines it.

    The page's own lang attribute is trusted only when it agrees with the script, since many
    Hindi portals declare lang="hi" site-wide, English pages included.
    """
    letters = [ch for ch in text if ch.isalpha()]
    if not letters:
        return html_lang
    devanagari = sum(
        1 for ch in letters if "\u0900" <= ch <= "\u097f" or "\ua8e0" <= ch <= "\ua8ff"
    )
    is_devanagari = devanagari / len(letters) >= 0.3
    if html_lang and (html_lang in _DEVANAGARI_LANGS) == is_devanagari:
        return html_lang
    return "hi" if is_devanagari else "en"


def _choose_title(meta: PageMeta, document: dict[str, Any]) -> str:
    for candidate in (meta.headline, meta.h1):
        if candidate:
            return candidate
    title = str(document.get("title") or "").strip()
    sitename = str(document.get("sitename") or "").strip().lower()
    # "Headline - Times of India" / "Headline | City News - Site": drop trailing site segments.
    while (match := _TRAILING_SEGMENT.search(title)) is not None:
        segment = match.group("segment").lower()
        if not ((sitename and sitename in segment) or segment.endswith("news")):
            break
        title = title[: match.start()]
    return title


def _choose_date(meta: PageMeta, trafilatura_date: Any, raw_text: str, markup: str) -> str | None:
    precise = normalise_iso(meta.published) if meta.published else None
    found = normalise_iso(str(trafilatura_date)) if trafilatura_date else None
    if precise and (found is None or is_suspect(found) or precise[:10] == found[:10]):
        return precise
    if found and not is_suspect(found):
        # htmldate gives a calendar date; a visible "Published : … 10:02 PM IST" adds the time.
        if len(found) == 10:
            stated = find_date_in_text(raw_text)
            if stated and stated.startswith(found):
                return stated
        return found
    # Metadata gave nothing usable: read the visible "Published :" / "प्रकाशित" lines.
    fallback = find_date_in_text(raw_text) or _date_from_page_text(markup)
    return fallback or precise or found


def _date_from_page_text(markup: str) -> str | None:
    tree = load_html(markup)
    if tree is None:
        return None
    for node in tree.xpath("//script|//style|//noscript"):
        node.drop_tree()
    return find_date_in_text(" \n".join(tree.itertext()))


def _choose_author(
    meta: PageMeta, byline: tuple[str, ...], trafilatura_author: Any
) -> str | None:
    """JSON-LD's authors, else the page's own byline, else what trafilatura found."""
    if meta.authors:
        return "; ".join(meta.authors)
    if byline:
        return "; ".join(byline)
    if not trafilatura_author:
        return None
    author = str(trafilatura_author)
    if any("\u0900" <= ch <= "\u097f" for ch in author):
        # trafilatura cuts Devanagari vowel signs off names; a wrong name is worse than none.
        return None
    # trafilatura runs the byline into the dateline ("TNN; Updated Aug 28, 2024") and splits
    # "By A, Ranchi, Nov 20" at its commas: the first name is the author, the rest the dateline.
    author = _BAD_AUTHOR.sub("", author).strip(" ;")
    names = normalise_byline(author.split(";")[0]) if author else ()
    return "; ".join(names) or None

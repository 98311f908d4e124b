"""Article metadata that sites publish in structured form: JSON-LD, meta tags, <h1>, <html lang>.

trafilatura reads these too, but gives only a calendar date and keeps the site name in titles;
news sites nearly always carry the exact headline and timestamp in JSON-LD, so read it first.
"""

from __future__ import annotations

import html
import json
import logging
import re
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

from lxml.html import HtmlElement  # type: ignore[import-untyped]

logger = logging.getLogger(__name__)

_ARTICLE_TYPES = frozenset(
    {
        "article",
        "newsarticle",
        "reportagenewsarticle",
        "analysisnewsarticle",
        "blogposting",
        "opinionnewsarticle",
        "backgroundnewsarticle",
        "liveblogposting",
        "webpage",
    }
)
_PUBLISHED_META = (
    "article:published_time",
    "og:article:published_time",
    "datepublished",
    "publish-date",
    "pubdate",
    "publishdate",
    "dc.date.issued",
    "sailthru.date",
)
_SPACES = re.compile(r"[ \t\r\n]+")


@dataclass(frozen=True)
class PageMeta:
    headline: str | None = None
    published: str | None = None  # ISO 8601 as the page gives it, usually with time and offset
    authors: tuple[str, ...] = ()
    h1: str | None = None
    html_lang: str | None = None


def read_page_meta(tree: HtmlElement) -> PageMeta:
    """Collect what the page states about itself; never raises on malformed data."""
    headline: str | None = None
    published: str | None = None
    authors: tuple[str, ...] = ()
    for obj in _json_ld_objects(tree):
        if not _is_article(obj):
            continue
        # The first article object wins; later ones are usually related stories.
        headline = headline or _clean(obj.get("headline") or obj.get("name"))
        published = published or _clean(obj.get("datePublished") or obj.get("dateCreated"))
        authors = authors or _author_names(obj.get("author"))
        if headline and published:
            break
    if published is None:
        published = _published_from_meta(tree)
    return PageMeta(headline, published, authors, _single_h1(tree), _html_lang(tree))


def _json_ld_objects(tree: HtmlElement) -> Iterator[dict[str, Any]]:
    for script in tree.xpath('//script[@type="application/ld+json"]'):
        raw = script.text or ""
        try:
            data = json.loads(raw, strict=False)
        except ValueError:
            logger.debug("unparsable JSON-LD block skipped")
            continue
        yield from _flatten(data)


def _flatten(data: Any) -> Iterator[dict[str, Any]]:
    if isinstance(data, list):
        for entry in data:
            yield from _flatten(entry)
    elif isinstance(data, dict):
        yield data
        graph = data.get("@graph")
        if graph is not None:
            yield from _flatten(graph)


def _is_article(obj: dict[str, Any]) -> bool:
    kinds = obj.get("@type")
    names = kinds if isinstance(kinds, list) else [kinds]
    is_article = any(isinstance(name, str) and name.lower() in _ARTICLE_TYPES for name in names)
    # A bare WebPage only counts when it states a headline and a date, as some CMSs do.
    if is_article and all(str(name).lower() == "webpage" for name in names):
        return "headline" in obj and "datePublished" in obj
    return is_article


def _author_names(value: Any) -> tuple[str, ...]:
    entries = value if isinstance(value, list) else [value]
    names: list[str] = []
    for entry in entries:
        name = entry.get("name") if isinstance(entry, dict) else entry
        cleaned = _clean(name)
        if cleaned and cleaned not in names:
            names.append(cleaned)
    return tuple(names)


def _published_from_meta(tree: HtmlElement) -> str | None:
    for element in tree.xpath("//meta[@content]"):
        key = element.get("property") or element.get("name") or element.get("itemprop") or ""
        if key.lower() in _PUBLISHED_META:
            value = _clean(element.get("content"))
            if value:
                return value
    for value in tree.xpath('//time[@itemprop="datePublished"]/@datetime'):
        cleaned = _clean(value)
        if cleaned:
            return cleaned
    return None


def _single_h1(tree: HtmlElement) -> str | None:
    headings = [h for h in tree.xpath("//h1") if _clean(" ".join(h.itertext()))]
    if len(headings) != 1:
        # Several <h1> means a listing or a page template that misuses them.
        return None
    return _clean(" ".join(headings[0].itertext()))


def _html_lang(tree: HtmlElement) -> str | None:
    root = tree.getroottree().getroot()
    value = root.get("lang") or root.get("{http://www.w3.org/XML/1998/namespace}lang")
    if not value:
        return None
    primary = value.strip().split("-")[0].split("_")[0].lower()
    return primary or None


def _clean(value: Any) -> str | None:
    if not isinstance(value, str):
        return None
    # Collapse ordinary whitespace only: a no-break space inside a headline is the site's choice.
    text = _SPACES.sub(" ", html.unescape(value)).strip()
    return text or None

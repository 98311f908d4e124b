"""Parsers that turn feeds, sitemaps and listing pages into candidate article URLs.

They are plain functions over bytes so they can be tested without a crawl; the spider adds
the HTTP, politeness and limits around them.
"""

from __future__ import annotations

import calendar
import logging
import re
import struct
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any

import feedparser
from lxml import etree  # type: ignore[import-untyped]
from scrapy.utils.gz import gunzip

from crawler.dates import normalise_iso
from crawler.feedxml import read_feed

logger = logging.getLogger(__name__)

_EPOCH = datetime.min.replace(tzinfo=UTC)


class BrokenDocument(ValueError):
    """A feed or sitemap that could not be parsed at all."""


@dataclass(frozen=True)
class Candidate:
    """A URL that may be an article (or, for sitemap indexes, another sitemap)."""

    url: str
    published: datetime | None = None
    title: str | None = None


def newest_first(candidates: Iterable[Candidate]) -> list[Candidate]:
    """Dated entries newest first, then undated ones in page order (sites put the newest on top)."""
    items = list(candidates)
    dated = sorted(
        (c for c in items if c.published), key=lambda c: c.published or _EPOCH, reverse=True
    )
    return dated + [c for c in items if c.published is None]


def is_too_old(candidate: Candidate, max_age_days: int | None, now: datetime) -> bool:
    if max_age_days is None or candidate.published is None:
        return False
    return candidate.published < now - timedelta(days=max_age_days)


def parse_feed(
    body: bytes, base_url: str, content_type: str | None = None, *, source: str = "-"
) -> list[Candidate]:
    """Entries of an RSS or Atom feed; BrokenDocument when nothing usable could be read.

    `source` names the configured source in the warning about a feed read only in part.
    """
    plain = read_feed(body, base_url)
    if plain is not None:
        return [Candidate(e.link, e.published, e.title) for e in plain]
    headers = {"content-location": base_url}
    if content_type:
        headers["content-type"] = content_type
    parsed: Any = feedparser.parse(body, response_headers=headers)
    candidates = []
    for entry in parsed.get("entries") or []:
        link = entry.get("link") or _first_alternate(entry)
        if not link:
            continue
        # Plain dict lookups: feedparser's own mapping answers a missing updated_parsed
        # with published_parsed and a DeprecationWarning.
        stamp = dict.get(entry, "published_parsed") or dict.get(entry, "updated_parsed")
        published = datetime.fromtimestamp(calendar.timegm(stamp), UTC) if stamp else None
        candidates.append(Candidate(str(link).strip(), published, entry.get("title")))
    if parsed.get("bozo"):
        if not candidates:
            raise BrokenDocument(str(parsed.get("bozo_exception") or "not a feed"))
        # feedparser recovers from many errors; keep what it read but say so.
        logger.warning(
            "source %s: feed %s is malformed (%s); using the %d entries recovered",
            source,
            base_url,
            parsed.get("bozo_exception"),
            len(candidates),
        )
    return candidates


def _first_alternate(entry: Any) -> str | None:
    for link in entry.get("links") or []:
        if link.get("rel", "alternate") == "alternate" and link.get("href"):
            return str(link["href"])
    return None


@dataclass(frozen=True)
class SitemapContent:
    is_index: bool
    entries: list[Candidate]


def parse_sitemap(body: bytes, *, max_size: int = 0) -> SitemapContent:
    """A <urlset> (plain or Google News) or a <sitemapindex>; gzip bodies are accepted.

    `max_size` (bytes, 0 for none) bounds a gzip body once decompressed, as DOWNLOAD_MAXSIZE
    bounds the download: a .gz served without Content-Encoding is not unpacked by Scrapy.
    """
    if body[:2] == b"\x1f\x8b":
        try:
            # A truncated .gz yields what could be read; the XML parser recovers from the rest.
            body = gunzip(body, max_size=max_size)
        except (OSError, EOFError, struct.error) as exc:
            raise BrokenDocument(f"broken gzip: {exc}") from exc
        except ValueError as exc:
            # Scrapy's "decompressed size exceeded" error: a bomb, or not a sitemap anyway.
            raise BrokenDocument(f"gzip body too large: {exc}") from exc
    # Sitemaps are untrusted XML: no entity expansion, no network, recover from small errors.
    parser = etree.XMLParser(
        resolve_entities=False, no_network=True, recover=True, huge_tree=False, remove_comments=True
    )
    try:
        root = etree.fromstring(body.strip(), parser=parser)
    except etree.XMLSyntaxError as exc:
        raise BrokenDocument(str(exc)) from exc
    if root is None:
        raise BrokenDocument("empty or unparsable XML")
    kind = etree.QName(root).localname
    if kind not in ("urlset", "sitemapindex"):
        raise BrokenDocument(f"root element <{kind}> is not a sitemap")
    child = "sitemap" if kind == "sitemapindex" else "url"
    entries = []
    for node in root.iterfind(f"{{*}}{child}"):
        loc = node.findtext("{*}loc")
        if not loc or not loc.strip():
            continue
        # Google News sitemaps carry the real publication time; <lastmod> is only a fallback.
        stamp = node.findtext(".//{*}publication_date") or node.findtext("{*}lastmod")
        title = node.findtext(".//{*}news/{*}title")
        entries.append(Candidate(loc.strip(), _parse_stamp(stamp), title))
    return SitemapContent(kind == "sitemapindex", entries)


def _parse_stamp(value: str | None) -> datetime | None:
    if not value:
        return None
    iso = normalise_iso(value)
    if iso is None:
        return None
    parsed = datetime.fromisoformat(iso)
    return parsed if parsed.tzinfo else parsed.replace(tzinfo=UTC)


def listing_links(hrefs: Iterable[str], pattern: str) -> list[str]:
    """Absolute link URLs matching `pattern`, in page order, each once."""
    regex = re.compile(pattern)
    seen: set[str] = set()
    links = []
    for href in hrefs:
        if regex.search(href) and href not in seen:
            seen.add(href)
            links.append(href)
    return links


_LAST_NUMBER = re.compile(r"(\d+)(?!.*\d)")


def next_listing_page(
    hrefs: Iterable[str], rel_next: Iterable[str], pattern: str, current_url: str, visited: set[str]
) -> str | None:
    """Pick the next page of a listing among the links matching `pattern`.

    "Previous" and numbered links match the pattern too, so: a rel="next" link wins; else the
    first unvisited link whose page number is above the current page's; else none.
    """
    regex = re.compile(pattern)
    for href in rel_next:
        if regex.search(href) and href not in visited:
            return href
    current = _page_number(current_url, regex)
    for href in listing_links(hrefs, pattern):
        if href not in visited and _page_number(href, regex) > current:
            return href
    return None


def _page_number(url: str, regex: re.Pattern[str]) -> int:
    # Only the part the pattern matches counts ("page/3/"), not years or ids elsewhere in the
    # URL; a listing's first page usually matches nothing and is page 1.
    match = regex.search(url)
    number = _LAST_NUMBER.search(match.group(0)) if match else None
    return int(number.group(1)) if number else 1

"""Probe a source's discovery URLs once: do they answer, how many articles, how new.

Used by `newsmon sources check`. It reads feeds, sitemaps and listing pages with the crawler's
own parsers, as the crawl would, but fetches no article page. robots.txt is obeyed, and a URL it
forbids is reported, since the crawl would never read it.
"""

from __future__ import annotations

import logging
import threading
from dataclasses import dataclass
from datetime import datetime
from urllib.parse import urlsplit

import httpx
import lxml.html  # type: ignore[import-untyped]
from protego import Protego

from crawler.discovery import (
    BrokenDocument,
    Candidate,
    listing_links,
    newest_first,
    parse_feed,
    parse_sitemap,
)
from crawler.sources import SourceSpec

log = logging.getLogger(__name__)

# Of a sitemap index, read this many child sitemaps (newest first) to count articles.
CHILD_SITEMAPS = 3


@dataclass(frozen=True)
class Probe:
    kind: str  # feed | sitemap | listing
    url: str
    ok: bool
    detail: str  # "HTTP 200", or why it failed
    articles: int = 0
    newest: datetime | None = None


class Prober:
    """Fetches with one HTTP client and remembers each host's robots.txt."""

    def __init__(self, user_agent: str, timeout: float, max_bytes: int) -> None:
        self.user_agent = user_agent
        self.max_bytes = max_bytes
        self.client = httpx.Client(
            headers={"User-Agent": user_agent},
            timeout=timeout,
            follow_redirects=True,
            max_redirects=5,
        )
        self._robots: dict[str, Protego | None] = {}
        self._lock = threading.Lock()

    def close(self) -> None:
        self.client.close()

    def probe_source(self, spec: SourceSpec) -> list[Probe]:
        probes = [self.probe(url, "feed", spec) for url in spec.feeds]
        probes += [self.probe(url, "sitemap", spec) for url in spec.sitemaps]
        for listing in spec.listings:
            probes.append(self.probe(listing.url, "listing", spec, listing.article_pattern))
        return probes

    def probe(self, url: str, kind: str, spec: SourceSpec, pattern: str = "") -> Probe:
        if not self._robots_allow(url):
            return Probe(kind, url, False, "disallowed by robots.txt")
        try:
            status, body, final_url, content_type = self._get(url)
        except (httpx.HTTPError, ValueError) as exc:
            return Probe(kind, url, False, f"{type(exc).__name__}: {exc}")
        if status != 200:
            return Probe(kind, url, False, f"HTTP {status}")
        try:
            if kind == "feed":
                found = parse_feed(body, final_url, content_type)
            elif kind == "sitemap":
                found = self._sitemap_articles(body)
            else:
                found = [Candidate(link) for link in _listing_urls(body, final_url, pattern)]
        except BrokenDocument as exc:
            return Probe(kind, url, False, f"HTTP 200 but not a {kind}: {exc}")
        if not found:
            return Probe(kind, url, False, f"HTTP 200 but lists no article URLs ({kind})")
        newest = newest_first(found)[0].published
        return Probe(kind, url, True, "HTTP 200", len(found), newest)

    def _sitemap_articles(self, body: bytes) -> list[Candidate]:
        content = parse_sitemap(body)
        if not content.is_index:
            return content.entries
        articles: list[Candidate] = []
        for child in newest_first(content.entries)[:CHILD_SITEMAPS]:
            if not self._robots_allow(child.url):
                continue
            try:
                status, child_body, _, _ = self._get(child.url)
                if status == 200:
                    articles += parse_sitemap(child_body).entries
            except (httpx.HTTPError, ValueError, BrokenDocument) as exc:
                log.info("child sitemap %s unreadable: %s", child.url, exc)
        return articles

    def _get(self, url: str) -> tuple[int, bytes, str, str]:
        with self.client.stream("GET", url) as response:
            chunks: list[bytes] = []
            size = 0
            for chunk in response.iter_bytes():
                size += len(chunk)
                if size > self.max_bytes:
                    raise ValueError(f"larger than {self.max_bytes} bytes")
                chunks.append(chunk)
            content_type = response.headers.get("content-type", "")
            return response.status_code, b"".join(chunks), str(response.url), content_type

    def _robots_allow(self, url: str) -> bool:
        parts = urlsplit(url)
        origin = f"{parts.scheme}://{parts.netloc}"
        # One fetch per host even when sources on it are checked side by side.
        with self._lock:
            if origin not in self._robots:
                self._robots[origin] = self._fetch_robots(origin)
            rules = self._robots[origin]
        return rules is None or bool(rules.can_fetch(url, self.user_agent))

    def _fetch_robots(self, origin: str) -> Protego | None:
        try:
            status, body, _, _ = self._get(origin + "/robots.txt")
        except (httpx.HTTPError, ValueError):
            return None
        if status != 200:
            # No robots.txt (or an error page for it) means no restriction, as for crawlers.
            return None
        return Protego.parse(body.decode("utf-8", errors="replace"))


def _listing_urls(body: bytes, url: str, pattern: str) -> list[str]:
    if not body.strip():
        return []
    document = lxml.html.fromstring(body, base_url=url)
    document.make_links_absolute(url, resolve_base_href=True, handle_failures="discard")
    hrefs = [str(a.get("href")) for a in document.iter("a") if a.get("href")]
    return listing_links(hrefs, pattern)

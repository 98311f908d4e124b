"""Conditional GET for feeds, sitemaps and listing pages, remembered in the store.

A downloader middleware, enabled through `scrapy_settings()`: it sends the ETag and
Last-Modified a discovery URL last answered with (If-None-Match / If-Modified-Since), so an
unchanged feed costs a 304 and no article request. Servers that ignore validators still send the
same body; its sha256 matches the stored one and the spider skips the page as unchanged.

New validators are written when the crawl finishes normally. A crawl cut short (shutdown, a
crash) keeps the old ones, so the next cycle reads those pages again and fetches the articles
the interrupted crawl never reached.
"""

from __future__ import annotations

import hashlib
import logging
from dataclasses import dataclass
from datetime import datetime

from scrapy import Request, Spider, signals
from scrapy.crawler import Crawler
from scrapy.http import Response
from sqlalchemy import select

from crawler import protocol as proto
from monitor.crawl.scrapy_store import store_for
from monitor.store import Store
from monitor.store.models import HttpValidator

log = logging.getLogger(__name__)

MIDDLEWARE = "monitor.crawl.conditional_get.ConditionalGetMiddleware"


@dataclass
class _Seen:
    etag: str | None
    last_modified: str | None
    body_hash: str | None
    status: int
    changed: bool


def is_discovery(request: Request) -> bool:
    # The spider marks feeds, sitemaps and listing pages with their kind; articles and
    # robots.txt carry no kind and are left alone (a 304 for robots.txt would read as "allow all").
    return bool(request.meta.get(proto.META_KIND))


class ConditionalGetMiddleware:
    def __init__(self, store: Store, crawler: Crawler) -> None:
        self.store = store
        self.crawler = crawler
        self._known: dict[str, HttpValidator | None] = {}
        self._pending: dict[str, _Seen] = {}

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> ConditionalGetMiddleware:
        middleware = cls(store_for(crawler), crawler)
        crawler.signals.connect(middleware.spider_closed, signal=signals.spider_closed)
        return middleware

    def process_request(self, request: Request) -> None:
        if not is_discovery(request):
            return
        known = self._lookup(request.url)
        if known is None:
            return
        if known.etag:
            request.headers.setdefault(b"If-None-Match", known.etag.encode("latin-1"))
        if known.last_modified:
            request.headers.setdefault(b"If-Modified-Since", known.last_modified.encode("latin-1"))

    def process_response(self, request: Request, response: Response) -> Response:
        if not is_discovery(request):
            return response
        known = self._lookup(request.url)
        if response.status == 304 and known is not None:
            self._inc(proto.DISCOVERY_NOT_MODIFIED)
            self._pending[request.url] = _Seen(
                known.etag, known.last_modified, known.body_hash, 304, changed=False
            )
            return response
        if response.status != 200:
            return response
        digest = hashlib.sha256(response.body).hexdigest()
        unchanged = known is not None and known.body_hash == digest
        if unchanged:
            self._inc(proto.DISCOVERY_SAME_BODY)
            request.meta[proto.META_UNCHANGED] = True
        self._pending[request.url] = _Seen(
            _header(response, b"ETag"),
            _header(response, b"Last-Modified"),
            digest,
            200,
            changed=not unchanged,
        )
        return response

    def spider_closed(self, spider: Spider, reason: str) -> None:
        # Pages with articles that failed transiently keep their old validators: next cycle
        # reads them again and retries those articles (the stored ones are filtered out).
        for url in getattr(spider, "incomplete_discovery", ()):
            if self._pending.pop(url, None) is not None:
                log.info("validators of %s not kept: some of its articles failed", url)
        if reason == "finished":
            self._save(self.store.clock())
        elif self._pending:
            log.info(
                "crawl ended (%s): validators of %d pages not updated",
                reason,
                len(self._pending),
            )

    def _save(self, now: datetime) -> None:
        if not self._pending:
            return
        with self.store.session() as session:
            for url, seen in self._pending.items():
                row = session.get(HttpValidator, url)
                if row is None:
                    row = HttpValidator(url=url, checked_at=now, changed_at=now)
                    session.add(row)
                row.etag, row.last_modified = seen.etag, seen.last_modified
                row.body_hash, row.status, row.checked_at = seen.body_hash, seen.status, now
                if seen.changed:
                    row.changed_at = now
        self._pending.clear()

    def _lookup(self, url: str) -> HttpValidator | None:
        if url not in self._known:
            with self.store.session() as session:
                row = session.scalar(select(HttpValidator).where(HttpValidator.url == url))
                if row is not None:
                    session.expunge(row)
            self._known[url] = row
        return self._known[url]

    def _inc(self, key: str) -> None:
        if self.crawler.stats is not None:
            self.crawler.stats.inc_value(key)


def _header(response: Response, name: bytes) -> str | None:
    value = response.headers.get(name)
    return value.decode("latin-1") if value else None

"""How the store plugs into Scrapy: an item pipeline and a downloader middleware.

Both are enabled through settings (`NEWSMON_STORE_URL`), so the crawler package never imports
this one. Without the setting they switch themselves off with `NotConfigured`.

Every component of one crawl shares one `Store` (one engine, one connection pool): the one the
caller attached with `attach_store`, or one opened from the setting and closed with the crawl.
"""

from __future__ import annotations

import logging
import time
from typing import Any

from scrapy import Request, Spider, signals
from scrapy.crawler import Crawler
from scrapy.exceptions import IgnoreRequest, NotConfigured
from scrapy.utils.reactor import CallLaterOnce

from crawler import protocol as proto
from crawler.items import ArticleItem
from monitor.store import Store
from monitor.store.articles import SaveResult, is_stored, save_articles, stored_among

log = logging.getLogger(__name__)

PIPELINE = "monitor.crawl.scrapy_store.StorePipeline"
MIDDLEWARE = "monitor.crawl.scrapy_store.SeenUrlMiddleware"
# The spider sets this on article requests whose URL it has just looked up in the store.
_STORE_ATTR = "_newsmon_store"
# Articles are written in batches of this many, or of what arrived within BATCH_SECONDS: one
# transaction and one round of lookups per batch. A crash loses at most the batch in memory;
# those articles are not stored, so the next cycle fetches them again. A batch is written at
# the latest BATCH_SECONDS after its first article even if no other article follows: the cycle
# detects and alerts stored articles while the crawl goes on, so the last articles of a healthy
# source must not wait in memory for a slow source to end the crawl.
BATCH_SIZE = 64
BATCH_SECONDS = 1.0


def attach_store(crawler: Crawler, store: Store) -> None:
    """Have the crawl's components use `store` (the caller's, left open after the crawl)."""
    setattr(crawler, _STORE_ATTR, store)


def store_for(crawler: Crawler) -> Store:
    store: Store | None = getattr(crawler, _STORE_ATTR, None)
    if store is not None:
        return store
    url = crawler.settings.get("NEWSMON_STORE_URL")
    if not url:
        raise NotConfigured("NEWSMON_STORE_URL is not set")
    # The cycle already migrated the store. Opened here, it is closed when the crawl ends.
    store = Store(url, migrate=False)
    attach_store(crawler, store)
    crawler.signals.connect(store.dispose, signal=signals.engine_stopped)
    return store


class StorePipeline:
    """Writes extracted articles to the store, once per canonical URL, in batches."""

    def __init__(self, store: Store, crawler: Crawler) -> None:
        self.store = store
        self.crawler = crawler
        self.run_id: int | None = crawler.settings.getint("NEWSMON_CRAWL_RUN_ID") or None
        self._batch: list[ArticleItem] = []
        self._since = time.monotonic()
        self._timer = CallLaterOnce(self._flush_late)

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> StorePipeline:
        return cls(store_for(crawler), crawler)

    def process_item(self, item: ArticleItem, spider: Spider | None = None) -> ArticleItem:
        if not self._batch:
            self._since = time.monotonic()
            self._timer.schedule(BATCH_SECONDS)
        self._batch.append(item)
        if len(self._batch) >= BATCH_SIZE or time.monotonic() - self._since >= BATCH_SECONDS:
            self.flush()
        return item

    def flush(self) -> list[SaveResult]:
        batch, self._batch = self._batch, []
        if not batch:
            return []
        with self.store.session() as session:
            results = save_articles(
                session, batch, now=self.store.clock(), crawl_run_id=self.run_id
            )
        stats = self.crawler.stats
        if stats is not None:
            for result in results:
                if not result.created:
                    stats.inc_value(proto.STORE_ALREADY_STORED)
                elif result.duplicate_of is not None:
                    stats.inc_value(proto.STORE_EXACT_DUPLICATE)
                else:
                    stats.inc_value(proto.STORE_NEW)
        return results

    def _flush_late(self) -> None:
        """The timer's write of a batch no later article completed (it may be younger than
        BATCH_SECONDS if an earlier batch was written by size meanwhile: written all the same).
        Nobody awaits a timer, so a failure is told here, in one line."""
        count = len(self._batch)
        try:
            self.flush()
        except Exception as exc:
            log.error(
                "%d article(s) not stored, fetched again next cycle: %s: %s",
                count,
                type(exc).__name__,
                str(exc).splitlines()[0] if str(exc) else "",
            )

    def close_spider(self, spider: Spider | None = None) -> None:
        self._timer.cancel()
        # Before the spider_closed signal, on which conditional GET keeps the validators of
        # pages whose articles are now all stored.
        self.flush()


class StoredUrls:
    """The spider's `is_stored`: is an article with this canonical URL (or alias) stored?

    The spider asks before a URL counts against its source's `max_articles`, so stored
    articles do not use up the budget meant for new ones. `among` answers for a whole page of
    links in one query.
    """

    def __init__(self, store: Store) -> None:
        self.store = store

    def __call__(self, canonical_url: str) -> bool:
        with self.store.session() as session:
            return is_stored(session, canonical_url)

    def among(self, canonical_urls: list[str]) -> set[str]:
        with self.store.session() as session:
            return stored_among(session, canonical_urls)


class SeenUrlMiddleware:
    """Drops requests for article pages whose canonical URL is already stored.

    The spider filters with `StoredUrls` already and marks what it looked up; this catches
    what it could not (a spider run without it).
    """

    def __init__(self, store: Store, crawler: Crawler) -> None:
        self.store = store
        self.crawler = crawler

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> SeenUrlMiddleware:
        return cls(store_for(crawler), crawler)

    def process_request(self, request: Request, spider: Spider | None = None) -> Any:
        if not request.meta.get(proto.META_ARTICLE) or request.meta.get(proto.META_CHECKED_STORED):
            return None
        canonical = request.meta.get(proto.META_CANONICAL) or request.url
        with self.store.session() as session:
            seen = is_stored(session, canonical)
        if seen:
            if self.crawler.stats is not None:
                self.crawler.stats.inc_value(proto.SKIPPED_SEEN)
            raise IgnoreRequest(f"already stored: {canonical}")
        return None

"""How the store plugs into Scrapy: an item pipeline and a downloader middleware.

Both are enabled through settings (`NEWSMON_STORE_URL`), so the crawler package never imports
this one. Without the setting they switch themselves off with `NotConfigured`.
"""

from __future__ import annotations

import logging
from typing import Any

from scrapy import Request, Spider
from scrapy.crawler import Crawler
from scrapy.exceptions import IgnoreRequest, NotConfigured

from crawler.items import ArticleItem
from monitor.store import Store
from monitor.store.articles import is_stored, save_article

log = logging.getLogger(__name__)

PIPELINE = "monitor.crawl.scrapy_store.StorePipeline"
MIDDLEWARE = "monitor.crawl.scrapy_store.SeenUrlMiddleware"


def store_for(crawler: Crawler) -> Store:
    url = crawler.settings.get("NEWSMON_STORE_URL")
    if not url:
        raise NotConfigured("NEWSMON_STORE_URL is not set")
    # The cycle already migrated the store; each component opens its own engine.
    return Store(url, migrate=False)


class StorePipeline:
    """Writes each extracted article to the store, once per canonical URL."""

    def __init__(self, store: Store, crawler: Crawler) -> None:
        self.store = store
        self.crawler = crawler
        self.run_id: int | None = crawler.settings.getint("NEWSMON_CRAWL_RUN_ID") or None

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> StorePipeline:
        return cls(store_for(crawler), crawler)

    def process_item(self, item: ArticleItem, spider: Spider | None = None) -> ArticleItem:
        stats = self.crawler.stats
        with self.store.session() as session:
            result = save_article(session, item, now=self.store.clock(), crawl_run_id=self.run_id)
        if stats is not None:
            if not result.created:
                stats.inc_value("newsmon/store/already_stored")
            elif result.duplicate_of is not None:
                stats.inc_value("newsmon/store/exact_duplicate")
            else:
                stats.inc_value("newsmon/store/new")
        return item

    def close_spider(self, spider: Spider | None = None) -> None:
        self.store.dispose()


class StoredUrls:
    """The spider's `is_stored`: is an article with this canonical URL (or alias) stored?

    The spider asks before a URL counts against its source's `max_articles`, so stored
    articles do not use up the budget meant for new ones.
    """

    def __init__(self, store: Store) -> None:
        self.store = store

    def __call__(self, canonical_url: str) -> bool:
        with self.store.session() as session:
            return is_stored(session, canonical_url)


class SeenUrlMiddleware:
    """Drops requests for article pages whose canonical URL is already stored.

    The spider filters with `StoredUrls` already; this catches what it could not (a spider
    run without it, an article stored by another crawl since it was scheduled).
    """

    def __init__(self, store: Store, crawler: Crawler) -> None:
        self.store = store
        self.crawler = crawler

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> SeenUrlMiddleware:
        return cls(store_for(crawler), crawler)

    def process_request(self, request: Request, spider: Spider | None = None) -> Any:
        if not request.meta.get("newsmon_article"):
            return None
        canonical = request.meta.get("newsmon_canonical") or request.url
        with self.store.session() as session:
            seen = is_stored(session, canonical)
        if seen:
            if self.crawler.stats is not None:
                self.crawler.stats.inc_value("newsmon/skipped_seen")
            raise IgnoreRequest(f"already stored: {canonical}")
        return None

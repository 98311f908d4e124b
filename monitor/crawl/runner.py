"""Running one crawl of many sources, behind an interface a child-process crawl can replace.

The in-process back end uses Scrapy's `AsyncCrawlerRunner` inside the daemon's asyncio reactor
(measured flat memory over 100 cycles). The store is plugged in through settings.
"""

from __future__ import annotations

import logging
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any, Protocol

from crawler import protocol as proto
from crawler import settings as crawler_defaults
from crawler.sources import SourceSpec
from monitor.config.model import CrawlConfig
from monitor.crawl.analysis import ANALYSE
from monitor.crawl.conditional_get import MIDDLEWARE as CONDITIONAL_GET
from monitor.crawl.scrapy_store import MIDDLEWARE as SEEN_URLS
from monitor.crawl.scrapy_store import PIPELINE, StoredUrls, attach_store, store_for
from monitor.store import Store

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class CrawlStats:
    finish_reason: str | None
    requests: int
    bytes_received: int
    items: int
    new_articles: int
    skipped_seen: int
    errors: int
    raw: dict[str, Any] = field(default_factory=dict)

    @property
    def cut_short(self) -> bool:
        """Stopped by the daemon (Scrapy's reason 'shutdown'): its sources were not all read."""
        return self.finish_reason == "shutdown"

    @classmethod
    def from_scrapy(cls, stats: dict[str, Any]) -> CrawlStats:
        def num(key: str) -> int:
            return int(stats.get(key) or 0)

        # Stats values can be datetimes; keep only what JSON can hold.
        raw = {k: v for k, v in stats.items() if isinstance(v, int | float | str)}
        return cls(
            finish_reason=stats.get("finish_reason"),
            requests=num("downloader/request_count"),
            bytes_received=num("downloader/response_bytes"),
            items=num("item_scraped_count"),
            new_articles=num(proto.STORE_NEW),
            skipped_seen=num(proto.SKIPPED_SEEN),
            errors=num("log_count/ERROR") + num("spider_exceptions/count"),
            raw=raw,
        )


class CrawlBackend(Protocol):
    async def crawl(self, sources: Sequence[SourceSpec], *, crawl_run_id: int) -> CrawlStats: ...

    async def stop(self) -> None: ...


def scrapy_settings(crawl: CrawlConfig, store_url: str) -> dict[str, Any]:
    """Scrapy settings for a crawl that writes into the store at `store_url`."""
    settings: dict[str, Any] = {
        "ROBOTSTXT_OBEY": crawl.obey_robots,
        "DOWNLOAD_DELAY": crawl.download_delay,
        "CONCURRENT_REQUESTS": crawl.concurrency,
        "CONCURRENT_REQUESTS_PER_DOMAIN": crawl.concurrency_per_domain,
        "DOWNLOAD_TIMEOUT": crawl.download_timeout,
        "DOWNLOAD_MAXSIZE": crawl.max_page_bytes,
        "AUTOTHROTTLE_ENABLED": crawl.autothrottle,
        "NEWSMON_EXTRACT_PROCESSES": crawl.extract_processes,
        "NEWSMON_SOURCE_BUDGET": crawl.budget_seconds,
        "NEWSMON_SITEMAP_MAX_DEPTH": crawl.sitemap_max_depth,
        "NEWSMON_SITEMAP_MAX_FETCHES": crawl.sitemap_max_fetches,
        "NEWSMON_STORE_URL": store_url,
        "NEWSMON_ANALYSE": ANALYSE,
        "ITEM_PIPELINES": {PIPELINE: 500},
        # A dict given here replaces the project's, so the crawler's own middlewares are kept.
        # The seen-URL filter runs first (no work for stored articles); conditional GET sits
        # inside decompression (590) so it hashes the bodies the spider will parse.
        "DOWNLOADER_MIDDLEWARES": {
            **crawler_defaults.DOWNLOADER_MIDDLEWARES,
            SEEN_URLS: 50,
            CONDITIONAL_GET: 585,
        },
        "LOG_LEVEL": crawl.log_level,
        # The CLI configures logging once; Scrapy must not add a second root handler.
        "LOG_ENABLED": False,
    }
    if crawl.user_agent:
        settings["USER_AGENT"] = crawl.user_agent
    return settings


class InProcessCrawl:
    """Crawls in the running reactor; one runner for the life of the process.

    Given the caller's `store`, every crawl uses its engine; otherwise each crawl opens one
    from the settings and closes it when it ends.
    """

    def __init__(self, settings: dict[str, Any], store: Store | None = None) -> None:
        from scrapy.crawler import AsyncCrawlerRunner
        from scrapy.settings import Settings

        base = Settings()
        base.setmodule("crawler.settings", priority="project")
        base.update(settings, priority="cmdline")
        self._base = base
        self._runner = AsyncCrawlerRunner(base)
        self._store = store

    async def crawl(self, sources: Sequence[SourceSpec], *, crawl_run_id: int) -> CrawlStats:
        from scrapy.crawler import Crawler

        from crawler.spiders.news import NewsSpider

        settings = self._base.copy()
        settings.set("NEWSMON_CRAWL_RUN_ID", crawl_run_id, priority="cmdline")
        crawler = Crawler(NewsSpider, settings)
        if self._store is not None:
            attach_store(crawler, self._store)
        # The cycle already migrated the store.
        store = store_for(crawler) if settings.get("NEWSMON_STORE_URL") else None
        await self._runner.crawl(
            crawler,
            sources=list(sources),
            is_stored=StoredUrls(store) if store is not None else None,
        )
        stats = crawler.stats.get_stats() if crawler.stats is not None else {}
        return CrawlStats.from_scrapy(stats)

    async def stop(self) -> None:
        """Close running spiders (reason 'shutdown') and wait for them to finish."""
        await self._runner.stop()
        await self._runner.join()

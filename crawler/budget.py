"""Each source's time budget per crawl, enforced at the downloader.

A source that is slow, hung or endless must not hold the crawl of every other source: from the
moment the crawl opens, each source has `budget_seconds` (its own, or NEWSMON_SOURCE_BUDGET).
A request of a source past its deadline is dropped (`SourceCutOff`), and every download is
given at most the time its source has left, so a hung or dripping answer ends at the deadline.
What a cut-off source did not fetch waits for the next cycle; the stats say it was cut off and
why (`newsmon/source/<name>/cut_off`, `.../cut_off_reason`).
"""

from __future__ import annotations

import logging
import time
from collections.abc import Callable

from scrapy import Request, Spider, signals
from scrapy.core.downloader.handlers.http11 import HTTP11DownloadHandler
from scrapy.crawler import Crawler
from scrapy.http import Response

from crawler import protocol as proto
from crawler.exceptions import SourceCutOff
from crawler.sources import SourceSpec

logger = logging.getLogger(__name__)

# Request meta: the monotonic time by which the request's source must be done.
DEADLINE = "newsmon_deadline"


class SourceBudgetMiddleware:
    def __init__(self, crawler: Crawler, clock: Callable[[], float] = time.monotonic) -> None:
        settings = crawler.settings
        self.crawler = crawler
        self.clock = clock
        self.default_budget = settings.getfloat("NEWSMON_SOURCE_BUDGET", 0.0)
        self.download_timeout = settings.getfloat("DOWNLOAD_TIMEOUT", 180.0)
        self._budgets: dict[str, float] = {}
        self._deadlines: dict[str, float] = {}
        self._last_deadline: float | None = None

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> SourceBudgetMiddleware:
        middleware = cls(crawler)
        crawler.signals.connect(middleware.spider_opened, signal=signals.spider_opened)
        return middleware

    def spider_opened(self, spider: Spider) -> None:
        sources: dict[str, SourceSpec] = dict(getattr(spider, "sources", None) or {})
        start = self.clock()
        for name, spec in sources.items():
            budget = spec.budget_seconds or self.default_budget
            if budget > 0:
                self._budgets[name] = budget
                self._deadlines[name] = start + budget
        if self._deadlines and len(self._deadlines) == len(sources):
            self._last_deadline = max(self._deadlines.values())

    def process_request(self, request: Request) -> None:
        source = request.meta.get(proto.META_SOURCE)
        # robots.txt and the like belong to no one source; they end with the last budget.
        deadline = self._deadlines.get(source) if source else self._last_deadline
        if deadline is None:
            return
        left = deadline - self.clock()
        if left <= 0:
            self._drop(source, request)
        request.meta[DEADLINE] = deadline
        timeout = float(request.meta.get("download_timeout") or self.download_timeout)
        # Set before DownloadTimeoutMiddleware (350), which keeps a value already in meta.
        request.meta["download_timeout"] = min(timeout, left)

    def _drop(self, source: str | None, request: Request) -> None:
        if source is None:
            raise SourceCutOff("the crawl's time budget is spent")
        # Counted and reported by the spider's errback (crawler.bookkeeping), which sees every
        # request dropped here or in the download handler.
        raise SourceCutOff(f"time budget of {self._budgets[source]:g} s spent")


class BudgetedDownloadHandler(HTTP11DownloadHandler):
    """Scrapy's HTTP/1.1 handler, giving a download only what its source has left *now*.

    The middleware sets the timeout when a request enters the downloader; a request may then
    wait in its site's queue (download delay, concurrency) past its source's deadline.
    """

    async def download_request(self, request: Request) -> Response:
        left = seconds_left(request)
        if left is not None:
            if left <= 0:
                raise SourceCutOff("time budget spent while queued")
            timeout = float(request.meta.get("download_timeout") or left)
            request.meta["download_timeout"] = min(timeout, left)
        return await super().download_request(request)


def seconds_left(request: Request, clock: Callable[[], float] = time.monotonic) -> float | None:
    """What the request's source has left of its budget, or None when it has no budget."""
    deadline = request.meta.get(DEADLINE)
    return None if deadline is None else float(deadline) - clock()

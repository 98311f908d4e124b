"""Downloader middleware that honours Retry-After on 429 and 503 answers.

Scrapy's RetryMiddleware retries those statuses at once, ignoring Retry-After, which is exactly
what a site that asked us to slow down does not want. This middleware sits before it in the
response chain: it waits what the site asked for (up to a cap) and then sends the request
again; a longer wait, or one past the source's time budget (crawler.budget), gives the request
up for this cycle, since the next cycle comes sooner.
"""

from __future__ import annotations

import asyncio
import logging
from datetime import UTC, datetime
from email.utils import parsedate_to_datetime

from scrapy import Request
from scrapy.crawler import Crawler
from scrapy.http import Response

from crawler import bookkeeping as bk
from crawler import protocol as proto
from crawler.budget import seconds_left

logger = logging.getLogger(__name__)

_STATUSES = frozenset({429, 503})
_META_KEY = "newsmon_retry_after_times"
RETRY_DEFERRED = "retry_after_deferred"


def retry_after_seconds(value: str | None, now: datetime | None = None) -> float | None:
    """Seconds to wait from a Retry-After value: delta-seconds or an HTTP date; None if bad."""
    if not value:
        return None
    text = value.strip()
    if text.isdigit():
        return float(text)
    try:
        when = parsedate_to_datetime(text)
    except (TypeError, ValueError):
        return None
    if when.tzinfo is None:
        when = when.replace(tzinfo=UTC)
    return max(0.0, (when - (now or datetime.now(UTC))).total_seconds())


class RetryAfterMiddleware:
    def __init__(self, crawler: Crawler) -> None:
        settings = crawler.settings
        self.crawler = crawler
        self.max_wait = settings.getfloat("NEWSMON_RETRY_AFTER_MAX", 120.0)
        self.max_times = settings.getint("RETRY_TIMES", 2)

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> RetryAfterMiddleware:
        return cls(crawler)

    async def process_response(self, request: Request, response: Response) -> Request | Response:
        if response.status not in _STATUSES or request.meta.get("dont_retry"):
            return response
        raw = response.headers.get(b"Retry-After")
        wait = retry_after_seconds(raw.decode("latin-1") if raw else None)
        if wait is None:
            # No usable Retry-After: Scrapy's own retry (with its immediate resend) takes over.
            return response
        times = int(request.meta.get(_META_KEY, 0))
        left = seconds_left(request)
        if left is not None and wait >= left and wait <= self.max_wait:
            # Waiting would outlast the source's budget: this cycle lets the URL go (it is not
            # stored, so the next cycle asks again) rather than hold the crawl until then.
            self._inc("newsmon/retry_after/deferred")
            source = request.meta.get(proto.META_SOURCE)
            if source:
                self._inc(bk.source_key(source, RETRY_DEFERRED))
            logger.warning(
                "%s answered %d with Retry-After %.0f s, past its source's budget (%.0f s"
                " left); deferred to a later cycle",
                request.url,
                response.status,
                wait,
                left,
            )
            request.meta["dont_retry"] = True
            return response
        if wait > self.max_wait or times >= self.max_times:
            self._inc("newsmon/retry_after/gave_up")
            logger.warning(
                "%s answered %d with Retry-After %.0f s; giving up on it this cycle",
                request.url,
                response.status,
                wait,
            )
            # Also keep RetryMiddleware from retrying at once against the site's request.
            request.meta["dont_retry"] = True
            return response
        self._inc("newsmon/retry_after/retried")
        logger.info(
            "%s answered %d; retrying after %.1f s as asked", request.url, response.status, wait
        )
        # Waiting here keeps this request's download in flight; the rest of the crawl goes on.
        await asyncio.sleep(wait)
        retry = request.replace(dont_filter=True)
        retry.meta[_META_KEY] = times + 1
        return retry

    def _inc(self, key: str) -> None:
        if self.crawler.stats is not None:
            self.crawler.stats.inc_value(key)

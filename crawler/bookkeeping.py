"""Crawl statistics per source, kept in Scrapy's stats so any runner can read them.

Keys are `newsmon/source/<name>/<counter>`; monitor reads them after a crawl to count a
source's failures (all of its discovery failed) and back it off.
"""

from __future__ import annotations

import logging

from scrapy.exceptions import IgnoreRequest
from scrapy.spidermiddlewares.httperror import HttpError
from scrapy.statscollectors import StatsCollector
from twisted.python.failure import Failure

from crawler import protocol as proto
from crawler.exceptions import SourceCutOff

logger = logging.getLogger(__name__)

PREFIX = "newsmon/source/"
# Counter names after the prefix and the source name.
REQUESTS = "requests"
DISCOVERY_OK = "discovery_ok"
DISCOVERY_FAILED = "discovery_failed"
DISCOVERY_UNCHANGED = "discovery_unchanged"
ERRORS = "errors"
ARTICLES = "articles"
LAST_ERROR = "last_error"
SITEMAPS_CAPPED = "sitemaps_capped"
# Set when the source spent its time budget: 1, and why; and how many requests were dropped.
CUT_OFF = "cut_off"
CUT_OFF_REASON = "cut_off_reason"
CUT_OFF_REQUESTS = "cut_off_requests"


def source_key(source: str, counter: str) -> str:
    return f"{PREFIX}{source}/{counter}"


class Bookkeeper:
    """Counts what happens, overall (`newsmon/...`) and per source."""

    def __init__(self, stats: StatsCollector | None) -> None:
        self.stats = stats

    def inc(self, key: str, count: int = 1) -> None:
        if self.stats is not None:
            self.stats.inc_value(key, count)

    def source(self, source: str, counter: str) -> None:
        self.inc(source_key(source, counter))

    def failed(self, source: str, kind: str, url: str, reason: str) -> None:
        """A request of `source` failed: count it and remember the latest reason."""
        self.inc(proto.ERRORS)
        self.inc(proto.ERRORS_PREFIX + kind)
        self.source(source, ERRORS)
        if kind != "article":
            self.source(source, DISCOVERY_FAILED)
        if self.stats is not None:
            self.stats.set_value(source_key(source, LAST_ERROR), f"{kind} {url}: {reason}")
        logger.error("source %s: %s %s failed: %s", source, kind, url, reason)

    def cut_off(self, source: str, kind: str, url: str, reason: str) -> None:
        """A request of `source` was dropped because the source's time budget is spent."""
        self.inc("newsmon/budget/dropped")
        self.source(source, CUT_OFF_REQUESTS)
        if self.stats is not None and not self.stats.get_value(source_key(source, CUT_OFF)):
            self.stats.set_value(source_key(source, CUT_OFF), 1)
            self.stats.set_value(source_key(source, CUT_OFF_REASON), reason)
            self.inc("newsmon/budget/sources_cut_off")
            logger.warning(
                "source %s: cut off, %s; %s %s and the rest wait for the next cycle",
                source,
                reason,
                kind,
                url,
            )
        if kind != "article":
            # A feed or sitemap that did not answer within the budget counts against the
            # source, as a timeout would.
            self.failed(source, kind, url, f"cut off: {reason}")

    def on_failure(
        self, failure: Failure, source: str, kind: str, url: str, *, past_deadline: bool = False
    ) -> bool:
        """Classify and count a request's failure; True when trying again later may succeed.

        `past_deadline`: the request's source had spent its time budget when it failed, so a
        download that timed out was ended by the budget, not by the site.
        """
        if isinstance(failure.value, HttpError):
            status = failure.value.response.status
            self.failed(source, kind, url, f"HTTP {status}")
            return status == 429 or status >= 500
        if failure.check(SourceCutOff):  # type: ignore[no-untyped-call]
            self.cut_off(source, kind, url, str(failure.value))
            # Not fetched now, not given up: the page that listed it is read again next cycle.
            return True
        if failure.check(IgnoreRequest):  # type: ignore[no-untyped-call]
            self.inc("newsmon/ignored")
            if kind != "article":
                # A feed that robots.txt forbids or that redirects off-site can never yield;
                # the operator must hear of it, so it counts against the source.
                self.failed(source, kind, url, f"not fetched: {failure.value}")
                return False
            # Articles: robots.txt, the store's seen-URL filter, an off-site redirect.
            logger.debug("source %s: %s %s ignored: %s", source, kind, url, failure.value)
            return False
        if past_deadline:
            self.cut_off(source, kind, url, "time budget spent during the download")
            return True
        # Timeouts, refused connections, DNS: the site may well answer next time.
        self.failed(source, kind, url, failure.getErrorMessage())
        return True

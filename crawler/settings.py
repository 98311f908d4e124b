"""Scrapy settings: the project's defaults for polite, bounded crawling of news sites.

Anything here can be overridden per run (`-s NAME=VALUE`, or the settings a runner is given);
monitor adds its store pipeline and seen-URL middleware that way.
"""

from __future__ import annotations

BOT_NAME = "newsmon"
SPIDER_MODULES = ["crawler.spiders"]
NEWSPIDER_MODULE = "crawler.spiders"

# Identify honestly, with a page that says who runs the crawler.
USER_AGENT = "newsmon/0.1 (+https://github.com/newsmon/newsmon)"
ROBOTSTXT_OBEY = True

# Politeness: a handful of pages per site per cycle, spaced out; AutoThrottle slows down further
# when a site answers slowly.
CONCURRENT_REQUESTS = 16
CONCURRENT_REQUESTS_PER_DOMAIN = 2
DOWNLOAD_DELAY = 1.0
# Scrapy 2.19 replaced RANDOMIZE_DOWNLOAD_DELAY (now deprecated) with the jitter magnitude;
# 0.5 is the same ±50 % spread.
DOWNLOAD_DELAY_JITTER = 0.5
AUTOTHROTTLE_ENABLED = True
AUTOTHROTTLE_START_DELAY = 1.0
AUTOTHROTTLE_MAX_DELAY = 30.0
AUTOTHROTTLE_TARGET_CONCURRENCY = 1.0

# A news page or sitemap is well under 10 MiB; anything larger is not what we came for.
DOWNLOAD_MAXSIZE = 10 * 1024 * 1024
DOWNLOAD_WARNSIZE = 4 * 1024 * 1024
DOWNLOAD_TIMEOUT = 30
REDIRECT_MAX_TIMES = 5
RETRY_ENABLED = True
RETRY_TIMES = 2
RETRY_HTTP_CODES = [500, 502, 503, 504, 522, 524, 408, 429]
# 429/503 with Retry-After are retried after the wait the site asked for (up to this many
# seconds; longer waits give the request up until the next cycle). It must come before
# RetryMiddleware (550) in the response chain, which resends at once.
NEWSMON_RETRY_AFTER_MAX = 120.0
# Before anything else, a source past its time budget has its requests dropped (40); after
# the off-site filter (50), every request's host is resolved and checked against the address
# policy, and the addresses checked are the ones connected to (60).
DOWNLOADER_MIDDLEWARES = {
    "crawler.budget.SourceBudgetMiddleware": 40,
    "crawler.address_guard.AddressGuardMiddleware": 60,
    "crawler.middlewares.RetryAfterMiddleware": 555,
}
# The HTTP/1.1 handler, giving each download no more than its source's budget has left.
DOWNLOAD_HANDLERS = {
    "http": "crawler.budget.BudgetedDownloadHandler",
    "https": "crawler.budget.BudgetedDownloadHandler",
}
# Seconds each source may take per crawl (0: no limit); a source's `budget_seconds` overrides.
NEWSMON_SOURCE_BUDGET = 300.0

# Scrapy 2.19 turns on a code-execution HTTP endpoint by default; a daemon must not expose it.
REMOTE_CONTROL_ENABLED = False
TELNETCONSOLE_ENABLED = False
TWISTED_REACTOR = "twisted.internet.asyncioreactor.AsyncioSelectorReactor"

FEED_EXPORT_ENCODING = "utf-8"
# Conditional GET for feeds, sitemaps and listing pages. Under monitor, a middleware keeps the
# validators in the store. A standalone `scrapy crawl` can use Scrapy's HTTP cache instead:
# enable it with a directory that outlives the crawl. Discovery requests ask for revalidation
# every time and article requests are never cached, so the cache only turns unchanged discovery
# pages into 304s.
HTTPCACHE_ENABLED = False
HTTPCACHE_POLICY = "scrapy.extensions.httpcache.RFC2616Policy"
HTTPCACHE_DIR = "httpcache"

# 0: extract in the callback. N > 0: extract in a pool of N worker processes, which keeps the
# reactor responsive (trafilatura costs ~10-30 ms of CPU per page).
NEWSMON_EXTRACT_PROCESSES = 0
# Dotted path of a function(text) -> dict run on each extracted text in the extraction worker;
# its result rides on the item as `analysis` (the store sets it; none by default).
NEWSMON_ANALYSE = ""
# Of a sitemap index, follow only this many child sitemaps, newest <lastmod> first (without
# any <lastmod>, the last ones listed).
NEWSMON_MAX_CHILD_SITEMAPS = 10
# Sitemap levels followed from a configured sitemap (which is level 1), and sitemaps fetched
# per source per crawl: an endless chain of indexes costs at most this much.
NEWSMON_SITEMAP_MAX_DEPTH = 3
NEWSMON_SITEMAP_MAX_FETCHES = 25

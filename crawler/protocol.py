"""The names the crawler and the store's Scrapy components share: request-meta keys and stats
keys. The crawler owns them (it never imports `monitor/`); `monitor.crawl` imports them, so
neither side spells a key the other reads.

Per-source stats keys live in `crawler.bookkeeping`.
"""

from __future__ import annotations

from typing import Final

# -- request meta --------------------------------------------------------------------------
# Written by the spider on every discovery request (feed, sitemap, listing page):
META_SOURCE: Final = "newsmon_source"  # the source's name
META_KIND: Final = "newsmon_kind"  # feed | sitemap | listing
# Written by the spider on every article request:
META_ARTICLE: Final = "newsmon_article"  # True
META_CANONICAL: Final = "newsmon_canonical"  # the canonical URL the spider asked for
META_VIA: Final = "newsmon_via"  # how it was discovered: feed | sitemap | listing
META_FROM: Final = "newsmon_from"  # the discovery page that listed it
META_LISTED_DATE: Final = "newsmon_listed_date"  # the date the listing gave, ISO 8601
# True when the spider looked the URL up in the store already (seen-URL middleware skips it)
META_CHECKED_STORED: Final = "newsmon_checked_stored"
# Set by conditional GET on a discovery response whose body is the one seen last time.
META_UNCHANGED: Final = "newsmon_unchanged"

# -- stats -----------------------------------------------------------------------------------
# What the store made of each article item (written by the store pipeline).
STORE_NEW: Final = "newsmon/store/new"
STORE_ALREADY_STORED: Final = "newsmon/store/already_stored"
STORE_EXACT_DUPLICATE: Final = "newsmon/store/exact_duplicate"
# Article URLs not fetched because they are stored already (spider and seen-URL filter).
SKIPPED_SEEN: Final = "newsmon/skipped_seen"
# Failed requests, overall and by kind (`newsmon/errors/<kind>`).
ERRORS: Final = "newsmon/errors"
ERRORS_PREFIX: Final = ERRORS + "/"
# Discovery pages conditional GET found unchanged: a 304, or the same body again.
DISCOVERY_NOT_MODIFIED: Final = "newsmon/discovery/not_modified"
DISCOVERY_SAME_BODY: Final = "newsmon/discovery/same_body"

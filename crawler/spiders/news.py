"""The news spider: discover article URLs per source, fetch them politely, extract them."""

from __future__ import annotations

import logging
import re
from collections.abc import AsyncIterator, Callable, Iterable, Iterator
from concurrent.futures import Executor
from concurrent.futures.process import BrokenProcessPool
from datetime import UTC, datetime
from typing import Any
from urllib.parse import urlsplit

import scrapy
from scrapy.http import Response, TextResponse
from twisted.python.failure import Failure

from crawler import bookkeeping as bk
from crawler import protocol as proto
from crawler.budget import seconds_left
from crawler.discovery import (
    BrokenDocument,
    Candidate,
    is_too_old,
    listing_links,
    newest_first,
    next_listing_page,
    parse_feed,
    parse_sitemap,
)
from crawler.extract_pool import Extraction
from crawler.items import ArticleItem, DiscoveredVia
from crawler.sources import ListingSpec, SourceSpec, select_sources
from crawler.urls import canonical_link, canonicalize_url

logger = logging.getLogger(__name__)

_CHARSET = re.compile(r"charset\s*=\s*[\"']?([\w.:-]+)", re.IGNORECASE)
# Discovery pages go ahead of articles so that every source's newest links are known early.
_DISCOVERY_PRIORITY = 1000
# Request meta: how many sitemap levels down from a configured sitemap (which is level 1).
SITEMAP_DEPTH = "newsmon_sitemap_depth"
# Links looked up in the store per query (an `is_stored` with `among` answers many at once).
_LOOKUP_CHUNK = 256


class NewsSpider(scrapy.Spider):
    name = "news"

    def __init__(
        self,
        sources: Iterable[SourceSpec] | None = None,
        source: str | None = None,
        sources_file: str | None = None,
        extract_executor: Executor | None = None,
        is_stored: Callable[[str], bool] | None = None,
        **kwargs: Any,
    ) -> None:
        """`sources` in-process, or `source=NAME[,NAME]` + `sources_file` from the command line.

        `extract_executor`: a long-running caller (the daemon) may pass one process pool for
        all its crawls; otherwise NEWSMON_EXTRACT_PROCESSES > 0 makes a pool per crawl.
        `is_stored(canonical_url)`: whoever keeps the articles says which are kept already, so
        they are passed over before they take up a source's `max_articles`.
        """
        super().__init__(**kwargs)
        if sources is None:
            sources = select_sources(sources_file or "config/sources.yaml", source)
        self.sources: dict[str, SourceSpec] = {spec.name: spec for spec in sources}
        domains = {domain for spec in self.sources.values() for domain in spec.domains()}
        self.allowed_domains = sorted(domains)
        self._scheduled: dict[str, int] = dict.fromkeys(self.sources, 0)
        self._sitemaps_requested: dict[str, int] = dict.fromkeys(self.sources, 0)
        self._sitemap_capped: set[str] = set()
        self._seen: set[str] = set()
        self._listing_pages: set[str] = set()
        # Child sitemap or next listing page -> the discovery page that linked to it.
        self._discovered_from: dict[str, str] = {}
        # Discovery pages some of whose articles failed for a reason that may pass. Whoever
        # remembers validators must not mark these unchanged, or those articles are lost.
        self.incomplete_discovery: set[str] = set()
        self._executor = extract_executor
        self._is_stored = is_stored
        self._extraction: Extraction | None = None
        self._now = datetime.now(UTC)
        self._book = bk.Bookkeeper(None)

    @property
    def book(self) -> bk.Bookkeeper:
        # The crawler (and its stats) is attached after __init__.
        if self._book.stats is None and self.crawler is not None:
            self._book = bk.Bookkeeper(self.crawler.stats)
        return self._book

    # -- discovery ---------------------------------------------------------------------------

    async def start(self) -> AsyncIterator[scrapy.Request]:
        for spec in self.sources.values():
            for url in spec.feeds:
                yield self._discovery(url, spec, self.parse_feed, kind="feed")
            for url in spec.sitemaps:
                if self._sitemap_allowed(spec, url, depth=1):
                    yield self._discovery(url, spec, self.parse_sitemap, kind="sitemap", depth=1)
            for listing in spec.listings:
                yield self._discovery(
                    listing.url, spec, self.parse_listing, kind="listing", listing=listing, page=1
                )

    def _discovery(
        self,
        url: str,
        spec: SourceSpec,
        callback: Any,
        *,
        kind: str,
        parent: str | None = None,
        depth: int | None = None,
        **extra: Any,
    ) -> scrapy.Request:
        self._inc(f"newsmon/{kind}s")
        self.book.source(spec.name, bk.REQUESTS)
        if parent is not None:
            self._discovered_from.setdefault(url, parent)
        meta = {
            proto.META_SOURCE: spec.name,
            proto.META_KIND: kind,
            # A 304 (conditional GET) reaches the callback, which reads it as "unchanged".
            "handle_httpstatus_list": [304],
            **extra,
        }
        if depth is not None:
            meta[SITEMAP_DEPTH] = depth
        # "max-age=0" makes Scrapy's RFC2616 HTTP cache, when enabled, revalidate the stored
        # copy every time (If-None-Match / If-Modified-Since): an unchanged feed costs a 304.
        return scrapy.Request(
            url,
            callback=callback,
            errback=self.on_error,
            meta=meta,
            headers={"Cache-Control": "max-age=0"},
            priority=_DISCOVERY_PRIORITY,
        )

    def _unchanged(self, spec: SourceSpec, response: Response) -> bool:
        """Count a discovery page as answered; True when it is the same as last time."""
        self.book.source(spec.name, bk.DISCOVERY_OK)
        if response.status == 304 or response.meta.get(proto.META_UNCHANGED):
            # Its articles were all seen when it last changed: nothing to do this cycle.
            self.book.source(spec.name, bk.DISCOVERY_UNCHANGED)
            self._inc("newsmon/discovery/unchanged")
            return True
        return False

    def _broken(self, spec: SourceSpec, kind: str, response: Response, reason: object) -> None:
        self._inc(f"newsmon/{kind}s_broken")
        self.book.failed(spec.name, kind, response.url, f"broken {kind}: {reason}")

    def parse_feed(self, response: Response) -> Iterator[scrapy.Request]:
        spec = self._spec(response)
        if self._unchanged(spec, response):
            return
        try:
            candidates = parse_feed(
                response.body, response.url, _content_type(response), source=spec.name
            )
        except BrokenDocument as exc:
            self._broken(spec, "feed", response, exc)
            return
        yield from self._articles(spec, candidates, "feed", response)

    def parse_sitemap(self, response: Response) -> Iterator[scrapy.Request]:
        spec = self._spec(response)
        if self._unchanged(spec, response):
            return
        try:
            content = parse_sitemap(
                response.body, max_size=self.settings.getint("DOWNLOAD_MAXSIZE", 0)
            )
        except BrokenDocument as exc:
            self._broken(spec, "sitemap", response, exc)
            return
        if not content.is_index:
            yield from self._articles(spec, content.entries, "sitemap", response)
            return
        children = [
            c
            for c in newest_first(content.entries)
            if not is_too_old(c, spec.max_age_days, self._now)
        ]
        if not any(child.published for child in children):
            # Without <lastmod>, page order is all there is, and indexes of archives (monthly,
            # WordPress's numbered pages) list the oldest first: the newest are at the end.
            children.reverse()
        # Child sitemaps of an index are mostly archives; the newest few hold what a cycle needs.
        depth = int(response.meta.get(SITEMAP_DEPTH, 1)) + 1
        for child in children[: self.settings.getint("NEWSMON_MAX_CHILD_SITEMAPS", 10)]:
            url = self._join(spec, response, child.url)
            if url is None or not self._allowed(spec, url):
                continue
            if not self._sitemap_allowed(spec, url, depth=depth):
                break
            yield self._discovery(
                url, spec, self.parse_sitemap, kind="sitemap", parent=response.url, depth=depth
            )

    def _sitemap_allowed(self, spec: SourceSpec, url: str, *, depth: int) -> bool:
        """Whether one more sitemap at `depth` fits the source's sitemap caps for this crawl."""
        max_depth = spec.sitemap_max_depth or self.settings.getint("NEWSMON_SITEMAP_MAX_DEPTH", 3)
        max_fetches = spec.sitemap_max_fetches or self.settings.getint(
            "NEWSMON_SITEMAP_MAX_FETCHES", 25
        )
        if depth > max_depth:
            cap = f"sitemap depth cap ({max_depth} levels)"
        elif self._sitemaps_requested[spec.name] >= max_fetches:
            cap = f"sitemap fetch cap ({max_fetches} per crawl)"
        else:
            self._sitemaps_requested[spec.name] += 1
            return True
        self._inc("newsmon/sitemaps/capped")
        self.book.source(spec.name, bk.SITEMAPS_CAPPED)
        if spec.name not in self._sitemap_capped:
            # Once per source: an endless chain would otherwise log every cycle's every level.
            self._sitemap_capped.add(spec.name)
            logger.warning("source %s: %s reached; %s not fetched", spec.name, cap, url)
        return False

    def parse_listing(self, response: Response) -> Iterator[scrapy.Request]:
        spec = self._spec(response)
        listing: ListingSpec = response.meta["listing"]
        page: int = response.meta["page"]
        self._listing_pages.add(response.url)
        if self._unchanged(spec, response):
            return
        if not isinstance(response, TextResponse):
            self._broken(spec, "listing", response, "not a text page")
            return
        hrefs = self._join_all(spec, response, response.css("a::attr(href)").getall())
        links = listing_links(hrefs, listing.article_pattern)
        yield from self._articles(spec, [Candidate(url) for url in links], "listing", response)
        if listing.next_pattern and page < listing.max_pages:
            rel_next = response.css("a[rel~=next]::attr(href), link[rel~=next]::attr(href)")
            next_url = next_listing_page(
                [url for url in hrefs if url not in links],
                self._join_all(spec, response, rel_next.getall()),
                listing.next_pattern,
                response.url,
                self._listing_pages,
            )
            if next_url and self._allowed(spec, next_url):
                self._listing_pages.add(next_url)
                yield self._discovery(
                    next_url,
                    spec,
                    self.parse_listing,
                    kind="listing",
                    parent=response.url,
                    listing=listing,
                    page=page + 1,
                )

    def _articles(
        self, spec: SourceSpec, candidates: list[Candidate], via: DiscoveredVia, response: Response
    ) -> Iterator[scrapy.Request]:
        cut_by_limit = False
        ordered = newest_first(candidates)
        stored: set[str] = set()
        looked_up = 0
        for rank, candidate in enumerate(ordered):
            if self._scheduled[spec.name] >= spec.max_articles:
                # The rest of the page waits for the next cycle; not looked at one by one, so
                # a feed of 100,000 links costs no more than its first few hundred.
                self._inc("newsmon/skipped_limit", len(candidates) - rank)
                cut_by_limit = True
                self._incomplete(response.url)
                break
            if is_too_old(candidate, spec.max_age_days, self._now):
                self._inc("newsmon/skipped_old")
                continue
            url = self._join(spec, response, candidate.url)
            if url is None or not self._allowed(spec, url):
                continue
            canonical = canonicalize_url(url)
            if canonical in self._seen:
                continue
            if self._is_stored is not None and rank >= looked_up:
                # One query for the next links of the page rather than one per link.
                looked_up = rank + _LOOKUP_CHUNK
                stored |= self._stored_among(response, ordered[rank:looked_up])
            if canonical in stored:
                # Checked before the limit: stored articles must not use up this cycle's budget.
                self._seen.add(canonical)
                self._inc(proto.SKIPPED_SEEN)
                continue
            self._seen.add(canonical)
            self._scheduled[spec.name] += 1
            self._inc("newsmon/articles_requested")
            self.book.source(spec.name, bk.REQUESTS)
            meta = {
                proto.META_ARTICLE: True,
                proto.META_SOURCE: spec.name,
                proto.META_VIA: via,
                proto.META_CANONICAL: canonical,
                # Looked up in the store just now: the seen-URL middleware need not ask again.
                proto.META_CHECKED_STORED: self._is_stored is not None,
                proto.META_FROM: response.url,
                # Articles are fetched once and stored by monitor; caching them is waste.
                "dont_cache": True,
                # The feed's or sitemap's date stands in when the page states none.
                proto.META_LISTED_DATE: candidate.published.isoformat()
                if candidate.published
                else None,
            }
            # Earlier in newest-first order means fetched sooner.
            yield scrapy.Request(
                url, callback=self.parse_article, errback=self.on_error, meta=meta, priority=-rank
            )
        if cut_by_limit:
            # The page is marked incomplete (above): read again next cycle even if unchanged,
            # or a 304 would hide the articles left out this time for good.
            logger.info(
                "source %s: max_articles (%d) reached; rest of %s left for the next cycle",
                spec.name,
                spec.max_articles,
                response.url,
            )

    def _stored_among(self, response: Response, candidates: list[Candidate]) -> set[str]:
        """Which of these links' canonical URLs the store holds already."""
        urls = []
        for candidate in candidates:
            try:
                urls.append(canonicalize_url(response.urljoin(candidate.url)))
            except ValueError:
                continue  # counted and logged when the loop reaches it
        if self._is_stored is None:
            return set()
        among = getattr(self._is_stored, "among", None)
        if among is not None:
            return set(among(urls))
        return {url for url in urls if self._is_stored(url)}

    # -- articles ------------------------------------------------------------------------------

    async def parse_article(self, response: Response) -> AsyncIterator[ArticleItem]:
        spec = self._spec(response)
        content_type = _content_type(response)
        # Small sites' servers often send no Content-Type for pages; only a stated non-HTML
        # type (a PDF, an image) says the page is not one to extract.
        if content_type.strip() and "html" not in content_type.lower():
            self._inc("newsmon/extract_failed")
            logger.info(
                "source %s: %s is %r, not HTML; skipped", spec.name, response.url, content_type
            )
            return
        match = _CHARSET.search(content_type)
        try:
            article, analysis = await self._extraction_runner().analysed(
                response.body, response.url, match.group(1) if match else None
            )
        except BrokenProcessPool:
            # A worker died twice, even in a fresh pool; the page may be fine next time, so the
            # page that listed it is read again next cycle rather than kept as unchanged.
            logger.exception("source %s: extraction worker died on %s", spec.name, response.url)
            self._incomplete(response.meta[proto.META_FROM])
            article, analysis = None, None
        except Exception:
            # One page that breaks the extractor must not end the source's crawl.
            logger.exception("source %s: extraction crashed on %s", spec.name, response.url)
            article, analysis = None, None
        if article is None:
            self._inc("newsmon/extract_failed")
            logger.info("source %s: no article text found at %s", spec.name, response.url)
            return
        self._inc("newsmon/articles")
        self.book.source(spec.name, bk.ARTICLES)
        requested: str = response.meta[proto.META_CANONICAL]
        canonical = self._page_canonical(spec, response) or requested
        item = ArticleItem(
            url=response.url,
            canonical_url=canonical,
            source=spec.name,
            title=article.title,
            text=article.text,
            published=article.published or response.meta.get(proto.META_LISTED_DATE),
            author=article.author,
            lang=article.lang or spec.lang,
            discovered_via=response.meta[proto.META_VIA],
            fetched_at=datetime.now(UTC).isoformat(timespec="seconds"),
            http_status=response.status,
        )
        if analysis is not None:
            item["analysis"] = analysis
        if canonical != requested:
            # The page names another address as its own (an AMP or mobile copy, a feed link
            # with a different path): the store keys the article by that, and may keep the
            # address we came by as an alias so the next cycle does not fetch it again.
            item["aliases"] = [requested]
        yield item

    def _page_canonical(self, spec: SourceSpec, response: Response) -> str | None:
        if not isinstance(response, TextResponse):
            return None
        href = response.css('link[rel~="canonical"]::attr(href)').get()
        url = canonical_link(href, response.url)
        return url if url is not None and self._allowed(spec, url) else None

    # -- errors, bookkeeping ---------------------------------------------------------------------

    def on_error(self, failure: Failure) -> None:
        request = getattr(failure, "request", None)
        url = request.url if request is not None else "?"
        meta = request.meta if request is not None else {}
        source = meta.get(proto.META_SOURCE, "?")
        kind = "article" if meta.get(proto.META_ARTICLE) else meta.get(proto.META_KIND, "page")
        left = seconds_left(request) if request is not None else None
        transient = self.book.on_failure(
            failure, source, kind, url, past_deadline=left is not None and left <= 0
        )
        # An article's page, or the page that linked to a child sitemap or listing page.
        origin = meta.get(proto.META_FROM) or self._discovered_from.get(url)
        if transient and origin:
            self._incomplete(origin)

    def _incomplete(self, url: str) -> None:
        """Have `url`, and the pages that led to it, read again next cycle even if unchanged."""
        # An index or a listing's first page answering 304 would leave its child sitemap or
        # later page unread, so the whole chain must forget its validators.
        while url and url not in self.incomplete_discovery:
            self.incomplete_discovery.add(url)
            url = self._discovered_from.get(url, "")

    def closed(self, reason: str) -> None:
        if self._extraction is not None:
            self._extraction.close()

    def _extraction_runner(self) -> Extraction:
        if self._extraction is None:
            workers = self.settings.getint("NEWSMON_EXTRACT_PROCESSES", 0)
            analyse = self.settings.get("NEWSMON_ANALYSE") or None
            self._extraction = Extraction(self._executor, workers, analyse)
        return self._extraction

    def _join(self, spec: SourceSpec, response: Response, href: str) -> str | None:
        """`href` made absolute against the page; None (and logged) for a malformed link."""
        # One broken link ("https://www.site.in]/x": "Invalid IPv6 URL") must cost only
        # itself, not the rest of the listing or sitemap it is on.
        try:
            return response.urljoin(href)
        except ValueError as exc:
            self._inc("newsmon/skipped_malformed")
            logger.info(
                "source %s: malformed link %r on %s skipped: %s", spec.name, href, response.url, exc
            )
            return None

    def _join_all(self, spec: SourceSpec, response: Response, hrefs: list[str]) -> list[str]:
        return [url for href in hrefs if (url := self._join(spec, response, href)) is not None]

    def _allowed(self, spec: SourceSpec, url: str) -> bool:
        host = (urlsplit(url).hostname or "").lower()
        if any(host == d or host.endswith("." + d) for d in spec.domains()):
            return True
        self._inc("newsmon/skipped_offsite")
        logger.debug("source %s: off-site link %s not followed", spec.name, url)
        return False

    def _spec(self, response: Response) -> SourceSpec:
        return self.sources[response.meta[proto.META_SOURCE]]

    def _inc(self, key: str, count: int = 1) -> None:
        self.book.inc(key, count)


def _content_type(response: Response) -> str:
    return (response.headers.get(b"Content-Type") or b"").decode("latin-1")

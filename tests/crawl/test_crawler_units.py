"""Crawler building blocks without a crawl: source specs, feed and sitemap parsing."""

from __future__ import annotations

import asyncio
import gzip
import multiprocessing
import os
from concurrent.futures import ProcessPoolExecutor
from concurrent.futures.process import BrokenProcessPool
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

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
from crawler.extract import extract_article
from crawler.extract_pool import Extraction
from crawler.sources import ListingSpec, SourceSpec, load_sources_file


def test_sources_file_ignores_unknown_keys(tmp_path: Path) -> None:
    path = tmp_path / "sources.yaml"
    path.write_text(
        """
sources:
  - name: samvad
    lang: hi
    feeds: https://www.samvad.example/rss.xml
    sitemaps: [https://news.samvad.example/sitemap.xml]
    listings:
      - {url: "https://www.samvad.example/politics/", article_pattern: "/news/", max_pages: 3}
    max_age_days: 2
    alert_channels: [ops]
""",
        encoding="utf-8",
    )
    (spec,) = load_sources_file(path)
    assert spec.feeds == ("https://www.samvad.example/rss.xml",)
    listing = ListingSpec("https://www.samvad.example/politics/", "/news/", None, 3)
    assert spec.listings == (listing,)
    assert (spec.lang, spec.max_age_days, spec.max_articles) == ("hi", 2, 200)
    assert spec.domains() == ("news.samvad.example", "samvad.example")
    assert SourceSpec(name="x", allowed_domains=("a.in",)).domains() == ("a.in",)


def test_feed_parsing_and_broken_feed() -> None:
    rss = b"""<rss version="2.0"><channel><title>t</title>
      <item><link>/a.html</link><pubDate>Tue, 21 Nov 2023 10:00:00 +0530</pubDate></item>
      <item><link>http://x.in/b.html</link></item></channel></rss>"""
    first, second = parse_feed(rss, "http://x.in/feed.xml", "application/rss+xml")
    assert first == Candidate("http://x.in/a.html", datetime(2023, 11, 21, 4, 30, tzinfo=UTC), None)
    assert second.published is None
    with pytest.raises(BrokenDocument):
        parse_feed(b"<html><body>Service unavailable</body></html>", "http://x.in/feed.xml")


def test_sitemap_parsing_plain_gzip_index_and_broken() -> None:
    news = """<?xml version="1.0"?>
    <urlset xmlns="http://www.sitemaps.org/schemas/sitemap/0.9"
            xmlns:news="http://www.google.com/schemas/sitemap-news/0.9">
      <url><loc> http://x.in/a.html </loc><lastmod>2023-01-01</lastmod>
        <news:news><news:publication_date>2023-11-20T22:02:00+05:30</news:publication_date>
        <news:title>बैठक</news:title></news:news></url>
    </urlset>""".encode()
    content = parse_sitemap(gzip.compress(news))
    assert not content.is_index
    assert content.entries == [
        Candidate("http://x.in/a.html", datetime(2023, 11, 20, 16, 32, tzinfo=UTC), "बैठक")
    ]
    index = parse_sitemap(b"""<sitemapindex xmlns="http://www.sitemaps.org/schemas/sitemap/0.9">
        <sitemap><loc>http://x.in/s1.xml</loc></sitemap></sitemapindex>""")
    assert index.is_index and index.entries == [Candidate("http://x.in/s1.xml")]
    with pytest.raises(BrokenDocument):
        parse_sitemap(b"<html><body>not a sitemap</body></html>")
    # Entity expansion stays off: a "billion laughs" sitemap is not expanded.
    bomb = b"""<?xml version="1.0"?><!DOCTYPE l [<!ENTITY a "aaaaaaaaaa">
      <!ENTITY b "&a;&a;&a;&a;&a;&a;&a;&a;&a;&a;">]>
      <urlset xmlns="http://www.sitemaps.org/schemas/sitemap/0.9"><url><loc>&b;</loc></url></urlset>"""
    assert all(len(c.url) < 20 for c in parse_sitemap(bomb).entries)


def test_gzip_sitemap_bounded_and_truncated_is_broken() -> None:
    urls = "".join(f"<url><loc>http://x.in/{n}.html</loc></url>" for n in range(2000))
    body = gzip.compress(
        f'<urlset xmlns="http://www.sitemaps.org/schemas/sitemap/0.9">{urls}</urlset>'.encode()
    )
    assert len(parse_sitemap(body, max_size=1_000_000).entries) == 2000
    # Small on the wire, large unpacked: refused like a download over DOWNLOAD_MAXSIZE.
    with pytest.raises(BrokenDocument, match="too large"):
        parse_sitemap(body, max_size=len(body) * 4)
    # Cut off inside the gzip header: nothing could be read at all.
    with pytest.raises(BrokenDocument, match="gzip"):
        parse_sitemap(body[:8])


def test_ordering_age_and_listing_links() -> None:
    now = datetime(2024, 1, 10, tzinfo=UTC)
    old = Candidate("o", now - timedelta(days=9))
    new = Candidate("n", now - timedelta(hours=1))
    undated = Candidate("u")
    assert newest_first([undated, old, new]) == [new, old, undated]
    assert is_too_old(old, 7, now) and not is_too_old(new, 7, now)
    assert not is_too_old(undated, 7, now) and not is_too_old(old, None, now)
    links = ["http://x.in/news/1.html", "http://x.in/about", "http://x.in/news/1.html"]
    assert listing_links(links, r"/news/\d+\.html") == ["http://x.in/news/1.html"]


def test_hindi_only_date_in_body_overrides_suspect_htmldate_guess() -> None:
    # htmldate reads only the year here and pads it to 2023-01-01 (TECH-NOTES §3b).
    paragraph = "<p>" + "झारखंड मुक्ति मोर्चा ने लोकसभा चुनाव की तैयारियां शुरू कर दी हैं. " * 4 + "</p>"
    html = (
        f"<html><body><article><h1>बैठक</h1><p>प्रकाशित: मंगलवार 21 नवंबर 2023</p>"
        f"{paragraph}{paragraph}</article></body></html>"
    )
    article = extract_article(html.encode("utf-8"))
    assert article is not None and article.published == "2023-11-21"
    assert "प्रकाशित" not in article.text


def test_next_listing_page_skips_previous_links() -> None:
    base = "http://x.in/2024/politics/"
    links = [base + "page/1/", base + "page/3/", base + "page/4/"]
    pattern = r"page/\d+/"
    assert next_listing_page(links, [], pattern, base + "page/2/", set()) == base + "page/3/"
    assert next_listing_page(links, [], pattern, base, set()) == base + "page/3/"
    assert next_listing_page(links, [base + "page/4/"], pattern, base, set()) == base + "page/4/"
    visited = {base + "page/3/", base + "page/4/"}
    assert next_listing_page(links, [], pattern, base + "page/2/", visited) is None


def test_extraction_goes_on_in_a_new_pool_after_a_worker_dies() -> None:
    sites = Path(__file__).resolve().parents[1] / "sites"
    page = (sites / "crawl" / "english_meeting.html").read_bytes()

    async def run() -> list[str | None]:
        pool = ProcessPoolExecutor(1, mp_context=multiprocessing.get_context("forkserver"))
        extraction = Extraction(pool, workers=1)
        try:
            # A worker exiting abruptly (as when killed for memory) breaks the whole pool.
            with pytest.raises(BrokenProcessPool):
                await asyncio.wrap_future(pool.submit(os._exit, 1))
            articles = [await extraction(page, "http://x.in/a.html", None) for _ in range(2)]
        finally:
            extraction.close()
            pool.shutdown()
        return [article.title if article else None for article in articles]

    title = "Congress holds online meeting of Lok Sabha coordinators"
    assert asyncio.run(run()) == [title, title]

"""The demo site's discovery pages: section listing, RSS feed, sitemaps and robots.txt.

These are the pages a crawler reads to find article URLs, so they list every article, newest
first, with the same publication dates the article pages carry in their metadata.
"""

from __future__ import annotations

from collections.abc import Sequence
from email.utils import format_datetime
from html import escape
from typing import TYPE_CHECKING
from xml.sax.saxutils import escape as xml_escape
from xml.sax.saxutils import quoteattr

from monitor.demo import chrome
from monitor.demo.pages import teaser

if TYPE_CHECKING:
    from monitor.demo.site import DemoArticle

SITE_NAME = "Khabar Demo"
LISTING_PATH = "/jharkhand/"
FEED_PATH = "/rss/jharkhand.xml"
SITEMAP_PATH = "/sitemap.xml"
NEWS_SITEMAP_PATH = "/sitemap-news.xml"
ROBOTS_PATH = "/robots.txt"
PAGE_SIZE = 10

RSS = "application/rss+xml; charset=utf-8"
XML = "application/xml; charset=utf-8"
TEXT = "text/plain; charset=utf-8"

_NAV = (
    ("होम", "/"),
    ("झारखंड", LISTING_PATH),
    ("राजनीति", "/politics/"),
    ("क्राइम", "/crime/"),
    ("खेल", "/sports/"),
    ("RSS", FEED_PATH),
)


def listing_path(page: int) -> str:
    """Page 1 is the section front; later pages follow WordPress's /page/N/ pattern."""
    return LISTING_PATH if page == 1 else f"{LISTING_PATH}page/{page}/"


def listing_pages(
    newest_first: Sequence[DemoArticle], page_size: int = PAGE_SIZE
) -> dict[str, str]:
    """The section listing, split into pages of `page_size` stories."""
    if page_size < 1:
        raise ValueError("page_size must be at least 1")
    chunks = [
        newest_first[start : start + page_size] for start in range(0, len(newest_first), page_size)
    ] or [[]]
    return {
        listing_path(number): _listing_page(chunk, number, len(chunks))
        for number, chunk in enumerate(chunks, start=1)
    }


def _listing_page(stories: Sequence[DemoArticle], number: int, total: int) -> str:
    items = "\n".join(
        f'<li class="story-card"><h2><a href="{article.path}">{escape(article.title)}</a></h2>'
        f'<time datetime="{article.published.isoformat()}">{chrome.stamp(article.published)}'
        f"</time><p>{escape(teaser(article))}</p></li>"
        for article in stories
    )
    pager = []
    if number > 1:
        pager.append(f'<a rel="prev" class="prev" href="{listing_path(number - 1)}">« पिछला</a>')
    if number < total:
        pager.append(f'<a rel="next" class="next" href="{listing_path(number + 1)}">अगला »</a>')
    title = "झारखंड समाचार" + ("" if number == 1 else f" – पेज {number}")
    return "\n".join(
        (
            "<!DOCTYPE html>",
            '<html lang="hi">',
            "<head>",
            '<meta charset="utf-8">',
            f"<title>{title} | {SITE_NAME}</title>",
            f'<link rel="alternate" type="application/rss+xml" href="{FEED_PATH}">',
            "</head>",
            '<body class="archive">',
            chrome.header(SITE_NAME, "झारखंड की राजनीति, हर दिन", _NAV, "khabar", "hi"),
            "<main>",
            f"<h1>{title}</h1>",
            f'<ul class="story-list">\n{items}\n</ul>',
            f'<nav class="pagination">{" ".join(pager)}</nav>',
            "</main>",
            chrome.sidebar(
                "सबसे ज्यादा पढ़ी गईं",
                (("रांची में बाइक चोर गिरोह का खुलासा", "/crime/bike-theft-gang.html"),),
            ),
            chrome.footer(SITE_NAME, "hi"),
            "</body>",
            "</html>",
            "",
        )
    )


def rss_feed(newest_first: Sequence[DemoArticle], base: str) -> bytes:
    """An RSS 2.0 feed of every article; pubDate in RFC 822 form."""
    items = "\n".join(
        "<item>"
        f"<title>{xml_escape(article.title)}</title>"
        f"<link>{xml_escape(base + article.path)}</link>"
        f'<guid isPermaLink="true">{xml_escape(base + article.path)}</guid>'
        f"<pubDate>{format_datetime(article.published)}</pubDate>"
        + (f"<dc:creator>{xml_escape(article.author)}</dc:creator>" if article.author else "")
        + f"<description>{xml_escape(teaser(article))}</description>"
        "</item>"
        for article in newest_first
    )
    last_build = (
        f"<lastBuildDate>{format_datetime(newest_first[0].published)}</lastBuildDate>"
        if newest_first
        else ""
    )
    return "\n".join(
        (
            '<?xml version="1.0" encoding="UTF-8"?>',
            '<rss version="2.0" xmlns:dc="http://purl.org/dc/elements/1.1/"'
            ' xmlns:atom="http://www.w3.org/2005/Atom">',
            "<channel>",
            f"<title>{SITE_NAME} – झारखंड</title>",
            f"<link>{xml_escape(base + LISTING_PATH)}</link>",
            f'<atom:link href={quoteattr(base + FEED_PATH)} rel="self"'
            ' type="application/rss+xml"/>',
            "<description>झारखंड की राजनीतिक खबरें (newsmon डेमो)</description>",
            "<language>hi</language>",
            last_build,
            items,
            "</channel>",
            "</rss>",
            "",
        )
    ).encode("utf-8")


def sitemap_index(newest_first: Sequence[DemoArticle], base: str) -> bytes:
    """A sitemap index pointing at the news sitemap, as large news sites publish them."""
    lastmod = f"<lastmod>{newest_first[0].published.isoformat()}</lastmod>" if newest_first else ""
    return "\n".join(
        (
            '<?xml version="1.0" encoding="UTF-8"?>',
            '<sitemapindex xmlns="http://www.sitemaps.org/schemas/sitemap/0.9">',
            f"<sitemap><loc>{xml_escape(base + NEWS_SITEMAP_PATH)}</loc>{lastmod}</sitemap>",
            "</sitemapindex>",
            "",
        )
    ).encode("utf-8")


def news_sitemap(newest_first: Sequence[DemoArticle], base: str) -> bytes:
    """A Google News sitemap with `news:publication_date` and `news:title` per article."""
    urls = "\n".join(
        "<url>"
        f"<loc>{xml_escape(base + article.path)}</loc>"
        f"<lastmod>{(article.updated or article.published).isoformat()}</lastmod>"
        "<news:news><news:publication>"
        f"<news:name>{SITE_NAME}</news:name><news:language>{article.lang}</news:language>"
        "</news:publication>"
        f"<news:publication_date>{article.published.isoformat()}</news:publication_date>"
        f"<news:title>{xml_escape(article.title)}</news:title>"
        "</news:news></url>"
        for article in newest_first
    )
    return "\n".join(
        (
            '<?xml version="1.0" encoding="UTF-8"?>',
            '<urlset xmlns="http://www.sitemaps.org/schemas/sitemap/0.9"'
            ' xmlns:news="http://www.google.com/schemas/sitemap-news/0.9">',
            urls,
            "</urlset>",
            "",
        )
    ).encode("utf-8")


def robots_txt(base: str) -> str:
    return f"User-agent: *\nDisallow: /admin/\nAllow: /\n\nSitemap: {base}{SITEMAP_PATH}\n"

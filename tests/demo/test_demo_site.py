"""The demo site: seeds parsed into articles, pages with boilerplate, feed and sitemaps."""

from __future__ import annotations

import json
import urllib.error
import urllib.request
import urllib.robotparser
from calendar import timegm
from datetime import date, datetime
from pathlib import Path

import feedparser
import lxml.html
import pytest
from lxml import etree

from monitor.demo.server import LocalSite
from monitor.demo.site import (
    DemoArticle,
    build_site,
    extra_article,
    load_seed_articles,
    parse_stamp,
    publish,
)

SEEDS = Path(__file__).resolve().parents[2] / "seeds"
BASE = "http://127.0.0.1:8765"
SM = "{http://www.sitemaps.org/schemas/sitemap/0.9}"
NEWS = "{http://www.google.com/schemas/sitemap-news/0.9}"

# Publication dates per DESIGN.md's seed table ("Published :" lines where the seed has one).
EXPECTED_DATES = {
    "000": date(2023, 10, 26),
    "001": date(2023, 11, 20),
    "002": date(2023, 10, 20),
    "003": date(2023, 10, 20),
    "004": date(2024, 2, 3),
}
PAGE_JUNK = (
    "Published :",
    "Updated :",
    "इसे भी पढ़ें",
    "Leave a Reply",
    "Your email address",
    "ABOUT THE AUTHOR",
    "view details",
)


@pytest.fixture(scope="module")
def seeds() -> list[DemoArticle]:
    return load_seed_articles(SEEDS)


@pytest.fixture(scope="module")
def site(seeds: list[DemoArticle]) -> dict[str, tuple[bytes, str]]:
    return build_site(seeds, BASE)


def test_every_seed_loads_with_its_date(seeds: list[DemoArticle]) -> None:
    assert [article.seed[:3] for article in seeds] == sorted(EXPECTED_DATES)
    for article in seeds:
        assert article.published.date() == EXPECTED_DATES[article.seed[:3]], article.seed
        assert article.published.utcoffset() is not None
        assert str(article.published.tzinfo) == "Asia/Kolkata"
        assert article.title and article.paragraphs
    assert seeds[1].published == datetime(2023, 11, 20, 22, 2, tzinfo=seeds[1].published.tzinfo)
    assert seeds[2].updated is not None and seeds[2].updated.hour == 13
    assert seeds[0].lang == "en" and {a.lang for a in seeds[1:]} == {"hi"}


def test_seed_bodies_are_free_of_page_junk(seeds: list[DemoArticle]) -> None:
    for article in seeds:
        for paragraph in article.paragraphs:
            assert not any(junk in paragraph for junk in PAGE_JUNK), (article.seed, paragraph)
            assert paragraph != article.title
    assert seeds[1].title.endswith("ऑनलाइन संवाद")  # the " - <image caption>" tail is gone
    assert seeds[2].paragraphs[0].startswith("रांची: झारखंड कांग्रेस")  # nav and captions dropped
    assert len(seeds[3].highlights) == 2
    assert not seeds[4].paragraphs[0].endswith("…")  # the cut-off listing teaser is dropped


def test_parse_stamp_reads_twelve_hour_times() -> None:
    assert parse_stamp("Oct 20, 2023, 8:35 AM").hour == 8
    assert parse_stamp("Nov 20, 2023, 12:05 AM").hour == 0
    with pytest.raises(ValueError):
        parse_stamp("20/10/2023")


def test_article_pages_carry_metadata_boilerplate_and_body(
    seeds: list[DemoArticle], site: dict[str, tuple[bytes, str]]
) -> None:
    for article in seeds:
        body, content_type = site[article.path]
        assert content_type == "text/html; charset=utf-8"
        doc = lxml.html.fromstring(body.decode("utf-8"))
        assert doc.get("lang") == article.lang
        assert article.title in doc.findtext(".//title")
        meta = {m.get("property") or m.get("name"): m.get("content") for m in doc.iter("meta")}
        assert meta["og:title"] == article.title
        assert meta["article:published_time"] == article.published.isoformat()
        ld = json.loads(doc.xpath("//script[@type='application/ld+json']")[0].text)
        assert ld["@type"] == "NewsArticle" and ld["headline"] == article.title
        assert ld["datePublished"] == article.published.isoformat()
        assert ld["author"]["name"]
        story = " ".join(doc.xpath("//article")[0].itertext())
        for paragraph in article.paragraphs:
            assert paragraph.removeprefix("- ") in story
        assert doc.xpath("//article//p[@class='read-also']/a")
        text = " ".join(doc.itertext())
        for boilerplate in (
            "Published :",
            "ABOUT THE AUTHOR",
            "...view details",
            "Leave a Reply",
            "Your email address will not be published",
            "Share:",
        ):
            assert boilerplate in text, (article.seed, boilerplate)
        assert doc.xpath("//header//nav//a") and doc.xpath("//nav[@class='breadcrumbs']")
        assert doc.xpath("//aside//a[starts-with(@href, '/crime/')]")
        assert doc.xpath("//footer")
        if article.author:
            assert doc.xpath("string(//div[@class='byline'])") == f"By {article.author}"


def test_published_line_matches_metadata(
    seeds: list[DemoArticle], site: dict[str, tuple[bytes, str]]
) -> None:
    page = site[seeds[1].path][0].decode("utf-8")
    assert "Published : Nov 20, 2023, 10:02 PM IST" in page
    assert "Updated : Oct 20, 2023, 1:26 PM IST" in site[seeds[2].path][0].decode("utf-8")


def _feed_links(site: dict[str, tuple[bytes, str]]) -> list[str]:
    parsed = feedparser.parse(site["/rss/jharkhand.xml"][0])
    assert not parsed.bozo, parsed.get("bozo_exception")
    return [entry.link for entry in parsed.entries]


def _sitemap_links(site: dict[str, tuple[bytes, str]]) -> list[str]:
    index = etree.fromstring(site["/sitemap.xml"][0])
    assert [loc.text for loc in index.iter(f"{SM}loc")] == [f"{BASE}/sitemap-news.xml"]
    news = etree.fromstring(site["/sitemap-news.xml"][0])
    return [loc.text or "" for loc in news.iter(f"{SM}loc")]


def _listing_links(site: dict[str, tuple[bytes, str]]) -> list[str]:
    doc = lxml.html.fromstring(site["/jharkhand/"][0])
    return [BASE + href for href in doc.xpath("//ul[@class='story-list']//a/@href")]


def test_feed_lists_every_article_with_its_date(
    seeds: list[DemoArticle], site: dict[str, tuple[bytes, str]]
) -> None:
    parsed = feedparser.parse(site["/rss/jharkhand.xml"][0])
    assert not parsed.bozo
    by_link = {entry.link: entry for entry in parsed.entries}
    assert set(by_link) == {BASE + article.path for article in seeds}
    for article in seeds:
        entry = by_link[BASE + article.path]
        assert entry.title == article.title
        assert timegm(entry.published_parsed) == int(article.published.timestamp())


def test_news_sitemap_lists_every_article_with_its_date(
    seeds: list[DemoArticle], site: dict[str, tuple[bytes, str]]
) -> None:
    assert set(_sitemap_links(site)) == {BASE + article.path for article in seeds}
    news = etree.fromstring(site["/sitemap-news.xml"][0])
    for url in news.iter(f"{SM}url"):
        article = next(a for a in seeds if BASE + a.path == url.findtext(f"{SM}loc"))
        when = url.findtext(f"{NEWS}news/{NEWS}publication_date") or ""
        assert datetime.fromisoformat(when) == article.published
        assert url.findtext(f"{NEWS}news/{NEWS}title") == article.title


def test_listing_is_newest_first(
    seeds: list[DemoArticle], site: dict[str, tuple[bytes, str]]
) -> None:
    newest_first = sorted(seeds, key=lambda a: a.published, reverse=True)
    assert _listing_links(site) == [BASE + a.path for a in newest_first]
    assert _feed_links(site) == _listing_links(site)


def test_listing_paginates(seeds: list[DemoArticle]) -> None:
    site = build_site(seeds, BASE, page_size=2)
    pages = ["/jharkhand/", "/jharkhand/page/2/", "/jharkhand/page/3/"]
    assert [
        path for path in site if path.startswith("/jharkhand/") and not path.endswith(".html")
    ] == pages
    found = []
    for number, path in enumerate(pages, start=1):
        doc = lxml.html.fromstring(site[path][0])
        found += doc.xpath("//ul[@class='story-list']//a/@href")
        assert doc.xpath("//a[@rel='next']/@href") == ([] if number == 3 else [pages[number]])
    assert sorted(found) == sorted(article.path for article in seeds)


def test_extra_article_adds_one_url_and_leaves_old_pages_alone(
    seeds: list[DemoArticle], site: dict[str, tuple[bytes, str]]
) -> None:
    extra = extra_article()
    assert extra.lang == "hi" and extra.published > max(a.published for a in seeds)
    text = " ".join(extra.paragraphs)
    assert "बैठक" in text and "बूथ कमेटी" in text and "विधानसभा चुनाव" in text
    grown = build_site([*seeds, extra], BASE)
    new_url = BASE + extra.path
    assert set(grown) - set(site) == {extra.path}
    for links in (_feed_links, _sitemap_links, _listing_links):
        assert set(links(grown)) - set(links(site)) == {new_url}
        assert set(links(site)) <= set(links(grown))
    assert _listing_links(grown)[0] == new_url
    for article in seeds:
        assert grown[article.path] == site[article.path]
    assert grown["/robots.txt"] == site["/robots.txt"]


def test_robots_allows_all_but_admin_and_names_the_sitemap(
    site: dict[str, tuple[bytes, str]],
) -> None:
    robots = urllib.robotparser.RobotFileParser()
    robots.parse(site["/robots.txt"][0].decode("utf-8").splitlines())
    assert robots.can_fetch("newsmon", f"{BASE}/jharkhand/any.html")
    assert not robots.can_fetch("newsmon", f"{BASE}/admin/login")
    assert robots.site_maps() == [f"{BASE}/sitemap.xml"]


def _get(url: str, headers: dict[str, str] | None = None) -> tuple[int, bytes, dict[str, str]]:
    request = urllib.request.Request(url, headers=headers or {})
    try:
        with urllib.request.urlopen(request, timeout=10) as response:
            return response.status, response.read(), dict(response.headers)
    except urllib.error.HTTPError as error:
        return error.code, b"", dict(error.headers)


def test_publish_serves_the_site_and_old_pages_stay_unchanged(seeds: list[DemoArticle]) -> None:
    with LocalSite() as site:
        publish(site, seeds)
        base = site.base_url
        status, body, headers = _get(base + seeds[0].path)
        assert status == 200 and seeds[0].paragraphs[0].encode() in body
        assert headers["Last-Modified"] == "Thu, 26 Oct 2023 14:10:00 GMT"
        status, _, feed_headers = _get(base + "/rss/jharkhand.xml")
        assert status == 200 and feed_headers["Content-Type"].startswith("application/rss+xml")

        extra = extra_article()
        publish(site, [*seeds, extra])
        # The old article answers 304 to its validators; the feed has changed and does not.
        assert _get(base + seeds[0].path, {"If-None-Match": headers["ETag"]})[0] == 304
        status, grown, _ = _get(
            base + "/rss/jharkhand.xml", {"If-None-Match": feed_headers["ETag"]}
        )
        assert status == 200 and (base + extra.path).encode() in grown
        assert _get(base + extra.path)[0] == 200


def test_trafilatura_finds_body_and_date_and_drops_page_furniture(
    seeds: list[DemoArticle], site: dict[str, tuple[bytes, str]]
) -> None:
    trafilatura = pytest.importorskip("trafilatura")
    for article in [*seeds, extra_article()]:
        html = build_site([article], BASE)[article.path][0].decode("utf-8")
        document = trafilatura.bare_extraction(html, url=BASE + article.path, with_metadata=True)
        assert document.date == article.published.date().isoformat()
        assert document.title == article.title
        for paragraph in article.paragraphs:
            assert paragraph.removeprefix("- ")[:40] in document.text
        for furniture in ("Leave a Reply", "ABOUT THE AUTHOR", "Share:", "All rights"):
            assert furniture not in document.text, (article.seed, furniture)


def test_every_page_is_utf8(site: dict[str, tuple[bytes, str]]) -> None:
    for path, (body, content_type) in site.items():
        assert content_type.endswith("charset=utf-8"), path
        body.decode("utf-8")

"""The news spider crawling a real local site: discovery, politeness, extraction, errors.

Twisted's reactor cannot be restarted, so each crawl runs `scrapy crawl` in a child process
while the LocalSite serves from this one.
"""

from __future__ import annotations

import gzip
import json
import subprocess
import sys
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from email.utils import format_datetime
from pathlib import Path
from string import Template

import pytest

from monitor.demo.server import LocalSite, RequestRecord
from tests.sites.scripted import Answer, ScriptedSite

REPO = Path(__file__).resolve().parents[2]
PAGES = Path(__file__).resolve().parents[1] / "sites" / "crawl"
HTML = "text/html; charset=utf-8"
XML = "application/xml"

FAST_SETTINGS = {
    "DOWNLOAD_DELAY": "0",
    "AUTOTHROTTLE_ENABLED": "False",
    "CONCURRENT_REQUESTS_PER_DOMAIN": "8",
    "LOG_LEVEL": "INFO",
}


@dataclass
class Crawl:
    items: list[dict[str, object]]
    log: str
    requests: list[RequestRecord]
    returncode: int

    def item(self, path: str) -> dict[str, object]:
        matches = [item for item in self.items if str(item["url"]).endswith(path)]
        assert len(matches) == 1, (path, [item["url"] for item in self.items])
        return matches[0]

    def fetched(self, fragment: str) -> bool:
        return any(fragment in record.path for record in self.requests)


def _template(name: str, **values: str) -> str:
    return Template((PAGES / name).read_text(encoding="utf-8")).substitute(values)


def _publish(site: LocalSite, base: str) -> None:
    offsite = base.replace("127.0.0.1", "localhost")
    recent = datetime.now(UTC) - timedelta(hours=2)
    values = {
        "base": base,
        "offsite": offsite,
        "recent": format_datetime(recent),
        "recent_iso": recent.isoformat(timespec="seconds"),
    }
    site.put("/robots.txt", _template("robots.txt"), "text/plain")
    site.put("/feeds/rss.xml", _template("rss.xml", **values), "application/rss+xml")
    site.put("/feeds/atom.xml", _template("atom.xml", **values), "application/atom+xml")
    site.put("/feeds/broken.xml", b"<rss><channel><item><title>cut off \x00\x01 <<<", XML)
    site.put(
        "/feeds/good.xml",
        _template("rss.xml", **values).replace(
            "/news/jmm-meeting.html", "/news/broken-source-ok.html"
        ),
        "application/rss+xml",
    )
    site.put("/sitemap_index.xml", _template("sitemap_index.xml", **values), XML)
    site.put("/sitemaps/news.xml", _template("news_sitemap.xml", **values), XML)
    for page in (1, 2, 3):
        query = "" if page == 1 else f"?page={page}"
        site.put(f"/section/politics/{query}", _template(f"listing_page{page}.html", **values))
    # Page 2 links back to "?page=1"; it must not be taken for the next page.
    site.put("/section/politics/?page=1", _template("listing_page1.html", **values))
    hindi = (PAGES / "hindi_meeting.html").read_text(encoding="utf-8")
    english = (PAGES / "english_meeting.html").read_text(encoding="utf-8")
    site.put("/news/jmm-meeting.html", hindi)
    site.put("/news/broken-source-ok.html", hindi)
    site.put("/news/congress-meeting.html", english)
    for name in ("a", "b", "c", "d"):
        site.put(f"/politics/story-list-{name}.html", english.replace("14 Lok Sabha", f"{name} 14"))
    for path in (
        "/private/members.html",
        "/news/old-story.html",
        "/news/offsite.html",
        "/politics/story-offsite.html",
        "/about.html",
    ):
        site.put(path, english)
    # Declared UTF-8 by the server and the page, but the bytes are windows-1252.
    cp1252 = (PAGES / "cp1252_page.html").read_text(encoding="utf-8").encode("cp1252")
    site.put("/news/sitemap-story.html", cp1252, HTML)


SOURCES = """
sources:
  - name: rss
    allow_private: true
    lang: hi
    feeds: ["$base/feeds/rss.xml"]
    max_age_days: 30
  - name: atom
    allow_private: true
    feeds: ["$base/feeds/atom.xml"]
  - name: sitemap
    allow_private: true
    sitemaps: ["$base/sitemap_index.xml"]
    max_age_days: 30
  - name: listing
    allow_private: true
    listings:
      - url: "$base/section/politics/"
        article_pattern: "/politics/story-[a-z-]+\\\\.html"
        next_pattern: "page=\\\\d+"
        max_pages: 3
  - name: broken
    allow_private: true
    feeds: ["$base/feeds/broken.xml", "$base/feeds/missing.xml", "$base/feeds/good.xml"]
    max_articles: 1
    owner: ignored by the crawler
"""


def run_crawl(
    tmp: Path, sources_yaml: str, *extra: str, **settings: str
) -> tuple[list[dict[str, object]], str, int]:
    sources_file = tmp / "sources.yaml"
    sources_file.write_text(sources_yaml, encoding="utf-8")
    out = tmp / "out.jsonl"
    command = [
        sys.executable,
        "-m",
        "scrapy",
        "crawl",
        "news",
        "-a",
        f"sources_file={sources_file}",
        "-O",
        str(out),
        *extra,
    ]
    for name, value in {**FAST_SETTINGS, **settings}.items():
        command += ["-s", f"{name}={value}"]
    done = subprocess.run(
        command, cwd=REPO, capture_output=True, text=True, timeout=120, check=False
    )
    items = (
        [json.loads(line) for line in out.read_text(encoding="utf-8").splitlines()]
        if out.exists()
        else []
    )
    return items, done.stderr, done.returncode


@pytest.fixture(scope="module")
def crawl(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Crawl]:
    with LocalSite() as site:
        _publish(site, site.base_url)
        tmp = tmp_path_factory.mktemp("crawl")
        items, log, code = run_crawl(tmp, Template(SOURCES).substitute(base=site.base_url))
        yield Crawl(items, log, site.requests, code)


def test_crawl_finishes_cleanly(crawl: Crawl) -> None:
    assert crawl.returncode == 0, crawl.log[-3000:]
    assert "'finish_reason': 'finished'" in crawl.log


def test_rss_feed_yields_extracted_hindi_article(crawl: Crawl) -> None:
    item = crawl.item("/news/jmm-meeting.html?utm_source=rss&utm_medium=feed")
    assert item["source"] == "rss"
    assert item["discovered_via"] == "feed"
    assert (
        item["canonical_url"]
        == crawl.item("jmm-meeting.html?utm_source=rss&utm_medium=feed")["canonical_url"]
    )
    assert str(item["canonical_url"]).endswith("/news/jmm-meeting.html")
    assert item["title"] == "झामुमो की राज्य स्तरीय बैठक आज, लोकसभा चुनाव की तैयारी पर चर्चा"
    assert item["lang"] == "hi"
    assert item["published"] == "2023-10-26T18:30:00+05:30"
    assert item["http_status"] == 200
    text = str(item["text"])
    assert "सोहराई भवन" in text
    # Related-story lines point at unrelated crime stories; they must not reach the detectors.
    assert "पढ़ें" not in text and "लूटे" not in text and "ट्रक" not in text
    assert "Leave a Reply" not in text


def test_atom_feed(crawl: Crawl) -> None:
    item = crawl.item("/news/congress-meeting.html")
    assert item["source"] == "atom" and item["discovered_via"] == "feed"
    assert item["title"] == "Congress holds online meeting of Lok Sabha coordinators"
    assert item["author"] == "State Bureau"
    assert item["lang"] == "en"
    assert "Also Read" not in str(item["text"]) and "yellow alert" not in str(item["text"])


def test_sitemap_index_to_news_sitemap_and_misdeclared_charset(crawl: Crawl) -> None:
    item = crawl.item("/news/sitemap-story.html")
    assert item["source"] == "sitemap" and item["discovered_via"] == "sitemap"
    assert item["title"] == "Café owners’ association backs candidate"
    assert "“the only serious proposal”" in str(item["text"])
    assert "pâtisserie" in str(item["text"])
    # The archive child sitemap is older than max_age_days and is never fetched.
    assert not crawl.fetched("archive-2001")


def test_listing_pages_follow_pattern_and_pagination(crawl: Crawl) -> None:
    listed = sorted(
        str(i["url"]).rsplit("/", 1)[1] for i in crawl.items if i["source"] == "listing"
    )
    assert listed == [
        "story-list-a.html",
        "story-list-b.html",
        "story-list-c.html",
        "story-list-d.html",
    ]
    assert all(i["discovered_via"] == "listing" for i in crawl.items if i["source"] == "listing")
    assert crawl.fetched("page=3") and not crawl.fetched("page=1")
    assert not crawl.fetched("/about.html")


def test_offsite_links_not_followed(crawl: Crawl) -> None:
    assert not crawl.fetched("offsite")
    assert not [r for r in crawl.requests if "localhost" in r.headers.get("Host", "")]


def test_robots_txt_obeyed(crawl: Crawl) -> None:
    assert crawl.fetched("/robots.txt")
    assert not crawl.fetched("/private/")


def test_old_entries_skipped(crawl: Crawl) -> None:
    assert not crawl.fetched("old-story")


def test_broken_and_missing_feeds_logged_other_discovery_still_yields(crawl: Crawl) -> None:
    assert "broken feed" in crawl.log and "/feeds/broken.xml" in crawl.log
    assert "source broken: feed" in crawl.log and "/feeds/missing.xml" in crawl.log
    broken = [i for i in crawl.items if i["source"] == "broken"]
    assert [str(i["canonical_url"]).rsplit("/", 1)[1] for i in broken] == ["broken-source-ok.html"]


def test_user_agent_and_article_meta(crawl: Crawl) -> None:
    article = next(r for r in crawl.requests if r.path == "/news/congress-meeting.html")
    assert article.headers["User-Agent"].startswith("newsmon/")
    assert "newsmon/articles" in crawl.log


def test_in_process_with_source_specs_and_extraction_pool(tmp_path: Path) -> None:
    """`runner.crawl(NewsSpider, sources=[...])` with extraction in two worker processes."""
    with LocalSite() as site:
        _publish(site, site.base_url)
        out = tmp_path / "out.jsonl"
        script = Path(__file__).resolve().parents[1] / "sites" / "run_inprocess.py"
        done = subprocess.run(
            [sys.executable, str(script), site.base_url, str(out), "NEWSMON_EXTRACT_PROCESSES=2"],
            cwd=REPO,
            capture_output=True,
            text=True,
            timeout=120,
            check=False,
        )
    assert done.returncode == 0, done.stderr[-3000:]
    items = [json.loads(line) for line in out.read_text(encoding="utf-8").splitlines()]
    assert sorted(str(i["url"]).rsplit("/", 1)[1] for i in items) == [
        "congress-meeting.html",
        "story-list-a.html",
        "story-list-b.html",
    ]
    assert all(
        i["title"] == "Congress holds online meeting of Lok Sabha coordinators" for i in items
    )


def test_second_crawl_with_http_cache_uses_conditional_get(tmp_path: Path) -> None:
    cache = {"HTTPCACHE_ENABLED": "True", "HTTPCACHE_DIR": str(tmp_path / "httpcache")}
    sources = (
        'sources:\n  - name: atom\n    allow_private: true\n    feeds: ["$base/feeds/atom.xml"]\n'
    )
    with LocalSite() as site:
        _publish(site, site.base_url)
        first, log, _ = run_crawl(
            tmp_path, Template(sources).substitute(base=site.base_url), **cache
        )
        assert len(first) == 1, log[-2000:]
        site.clear_log()
        second, log, _ = run_crawl(
            tmp_path, Template(sources).substitute(base=site.base_url), **cache
        )
        feed = [r for r in site.requests if r.path == "/feeds/atom.xml"]
    assert [r.status for r in feed] == [304] and "If-None-Match" in feed[0].headers
    assert [i["url"] for i in second] == [i["url"] for i in first]


def _urlset(base: str, paths: list[str]) -> str:
    urls = "".join(
        f"<url><loc>{path if '//' in path else base + path}</loc></url>" for path in paths
    )
    return f'<urlset xmlns="http://www.sitemaps.org/schemas/sitemap/0.9">{urls}</urlset>'


def test_one_malformed_link_costs_only_itself(tmp_path: Path) -> None:
    bad = "https://www.site.in]/x"
    english = (PAGES / "english_meeting.html").read_text(encoding="utf-8")
    with LocalSite() as site:
        base = site.base_url
        site.put(
            "/list/",
            f'<html><body><a href="{bad}">bad</a><a href="/list/story-a.html">a</a>'
            f'<a href="/list/story-b.html">b</a></body></html>',
        )
        site.put("/sitemap.xml", _urlset(base, [bad, "/sm/story-c.html"]), XML)
        index = "".join(
            f"<sitemap><loc>{loc}</loc></sitemap>" for loc in (bad, base + "/sm/child.xml")
        )
        site.put(
            "/index.xml",
            f'<sitemapindex xmlns="http://www.sitemaps.org/schemas/sitemap/0.9">{index}'
            "</sitemapindex>",
            XML,
        )
        site.put("/sm/child.xml", _urlset(base, ["/sm/story-d.html"]), XML)
        for name in ("list/story-a", "list/story-b", "sm/story-c", "sm/story-d"):
            site.put(f"/{name}.html", english.replace("14 Lok Sabha", f"{name} 14"))
        sources = (
            "sources:\n  - name: messy\n    allow_private: true\n"
            f'    sitemaps: ["{base}/sitemap.xml", "{base}/index.xml"]\n'
            f'    listings: [{{url: "{base}/list/", article_pattern: "/list/story-"}}]\n'
        )
        items, log, code = run_crawl(tmp_path, sources)
    assert code == 0, log[-3000:]
    assert sorted(str(i["url"]).split("/", 3)[3] for i in items) == [
        "list/story-a.html",
        "list/story-b.html",
        "sm/story-c.html",
        "sm/story-d.html",
    ], log[-3000:]
    assert "malformed link 'https://www.site.in]/x'" in log
    assert "Traceback" not in log


def test_gzip_sitemap_expanding_past_download_maxsize_is_broken(tmp_path: Path) -> None:
    english = (PAGES / "english_meeting.html").read_text(encoding="utf-8")
    with LocalSite() as site:
        base = site.base_url
        # Served as a file, without Content-Encoding: Scrapy does not unpack it, the spider does.
        padding = "<!--" + " " * 200_000 + "-->"
        sitemap = _urlset(base, ["/news/packed.html"]).replace("<url>", padding + "<url>")
        site.put("/sitemap.xml.gz", gzip.compress(sitemap.encode()), "application/x-gzip")
        site.put("/news/packed.html", english)
        sources = (
            f"sources:\n  - name: packed\n    allow_private: true\n"
            f'    sitemaps: ["{base}/sitemap.xml.gz"]\n'
        )
        items, log, code = run_crawl(tmp_path, sources, DOWNLOAD_MAXSIZE="100000")
    assert code == 0, log[-3000:]
    assert items == []
    assert "gzip body too large" in log, log[-3000:]


def test_article_without_content_type_is_extracted_and_a_pdf_is_not(tmp_path: Path) -> None:
    english = (PAGES / "english_meeting.html").read_bytes()
    with ScriptedSite() as site:
        base = site.base_url
        site.script(
            "/sitemap.xml",
            Answer(_urlset(base, ["/news/bare.html", "/news/doc.pdf"]).encode(), content_type=XML),
        )
        site.script("/news/bare.html", Answer(english, content_type=None))
        site.script("/news/doc.pdf", Answer(english, content_type="application/pdf"))
        sources = (
            f"sources:\n  - name: bare\n    allow_private: true\n"
            f'    sitemaps: ["{base}/sitemap.xml"]\n'
        )
        items, log, code = run_crawl(tmp_path, sources)
        assert [hit.status for hit in site.hits_for("/news/doc.pdf")] == [200]
    assert code == 0, log[-3000:]
    assert [str(i["url"]).rsplit("/", 1)[1] for i in items] == ["bare.html"], log[-3000:]
    assert items[0]["title"] == "Congress holds online meeting of Lok Sabha coordinators"


def test_sitemap_index_without_lastmod_follows_its_last_children(tmp_path: Path) -> None:
    english = (PAGES / "english_meeting.html").read_text(encoding="utf-8")
    with LocalSite() as site:
        base = site.base_url
        # Monthly archives, oldest first, with no <lastmod>: the newest months come last.
        months = [f"2024-{month:02d}" for month in range(1, 13)]
        index = "".join(f"<sitemap><loc>{base}/sm/{m}.xml</loc></sitemap>" for m in months)
        site.put(
            "/index.xml",
            f'<sitemapindex xmlns="http://www.sitemaps.org/schemas/sitemap/0.9">{index}'
            "</sitemapindex>",
            XML,
        )
        for month in months:
            site.put(f"/sm/{month}.xml", _urlset(base, [f"/news/{month}.html"]), XML)
            site.put(f"/news/{month}.html", english)
        sources = (
            f"sources:\n  - name: archive\n    allow_private: true\n"
            f'    sitemaps: ["{base}/index.xml"]\n'
        )
        items, log, code = run_crawl(tmp_path, sources, NEWSMON_MAX_CHILD_SITEMAPS="2")
    assert code == 0, log[-3000:]
    assert sorted(str(i["url"]).rsplit("/", 1)[1] for i in items) == [
        "2024-11.html",
        "2024-12.html",
    ], log[-3000:]

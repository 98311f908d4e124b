"""Crawl cycles over an authored regional site: discovery, dedup of variants, conditional GET
remembered in the store, and per-source failure counting with backoff.

Each cycle is `newsmon crawl --once` in a child process (Twisted's reactor cannot restart).
"""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta
from email.utils import format_datetime
from pathlib import Path
from typing import Any

import pytest
import yaml
from sqlalchemy import select

from monitor.demo.server import LocalSite
from monitor.store import Store
from monitor.store.models import Article, CrawlRun, HttpValidator, Source
from tests.cli_helpers import newsmon
from tests.sites import regional

ROOT = Path(__file__).resolve().parents[2]
DISCOVERY_PATHS = {
    "/prabhat/rss.xml",
    "/bhaskar/sitemap-google-news-index.xml",
    "/bhaskar/sitemaps/news-today.xml",
    "/lagatar/category/jharkhand/",
    "/lagatar/category/jharkhand/page/2/",
    "/etv/jharkhand/state/",
}


def write_config(tmp: Path, base: str) -> Path:
    (tmp / "sources.yaml").write_text(
        yaml.safe_dump({"sources": regional.sources_config(base)}, allow_unicode=True),
        encoding="utf-8",
    )
    main = {
        "store": {"url": f"sqlite:///{tmp / 'store.sqlite'}"},
        "crawl": {"download_delay": 0, "autothrottle": False, "concurrency_per_domain": 8},
    }
    path = tmp / "newsmon.yaml"
    path.write_text(yaml.safe_dump(main), encoding="utf-8")
    return path


def crawl_once(config: Path) -> dict[str, Any]:
    done = newsmon("crawl", "--once", "--config", str(config))
    assert done.returncode == 0, done.stderr[-3000:]
    result: dict[str, Any] = json.loads(done.stdout.strip().splitlines()[-1])
    return result


@pytest.fixture(scope="module")
def cycles(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Any]:
    tmp = tmp_path_factory.mktemp("regional")
    with LocalSite() as site:
        regional.publish(site)
        config = write_config(tmp, site.base_url)
        first = crawl_once(config)
        first_requests = site.requests
        site.clear_log()
        second = crawl_once(config)
        second_requests = site.requests
    store = Store(f"sqlite:///{tmp / 'store.sqlite'}")
    with store.session() as session:
        articles = {
            a.canonical_url.split(":", 2)[2].split("/", 1)[1]: a
            for a in session.scalars(select(Article))
        }
        for article in articles.values():
            session.expunge(article)
        runs = [run.stats for run in session.scalars(select(CrawlRun).order_by(CrawlRun.id))]
        sources = {
            s.name: (s.consecutive_failures, s.last_error, s.next_crawl_at, s.last_crawl_at)
            for s in session.scalars(select(Source))
        }
        validators = {
            v.url.split("/", 3)[3]: (v.etag, v.body_hash, v.status)
            for v in session.scalars(select(HttpValidator))
        }
    store.dispose()
    return {
        "first": first,
        "second": second,
        "first_requests": first_requests,
        "second_requests": second_requests,
        "articles": articles,
        "runs": runs,
        "sources": sources,
        "validators": validators,
    }


def test_first_cycle_stores_each_article_once(cycles: dict[str, Any]) -> None:
    stored = sorted(cycles["articles"])
    expected = [p.lstrip("/") for source, p, _ in regional.ARTICLES if source != "etv"]
    expected.append("etv/jharkhand/jmm-online-meeting-401")
    assert stored == sorted(expected)
    # AMP copies (/amp/..., ?amp=1) and tracking parameters were folded before fetching.
    gets = [r.path for r in cycles["first_requests"]]
    assert not [p for p in gets if p.startswith("/amp/") or "amp=1" in p]
    for source, path, _ in regional.ARTICLES:
        assert sum(1 for p in gets if p.split("?")[0] == path) == 1, (source, path)


def test_hindi_articles_cleaned_and_dated_from_metadata(cycles: dict[str, Any]) -> None:
    article = cycles["articles"]["prabhat/state/jharkhand/jmm-baithak-101.html"]
    assert article.lang == "hi" and article.discovered_via == "feed"
    assert article.title == "बैठक में चुनाव की तैयारी पर चर्चा (jmm-baithak-101)"
    assert "पढ़ें" not in article.text and "Leave a Reply" not in article.text
    assert article.published is not None
    sitemap_article = cycles["articles"]["bhaskar/local/bihar/rjd-meeting-201.html"]
    assert sitemap_article.discovered_via == "sitemap"
    english = cycles["articles"]["lagatar/congress-coordinators-303/"]
    assert english.lang == "en" and english.discovered_via == "listing"


def test_rel_canonical_names_the_stored_article(cycles: dict[str, Any]) -> None:
    article = cycles["articles"]["etv/jharkhand/jmm-online-meeting-401"]
    assert "ref=" in article.url and "/state/" in article.url


def test_nothing_outside_the_rules_fetched(cycles: dict[str, Any]) -> None:
    paths = [r.path for r in cycles["first_requests"] + cycles["second_requests"]]
    for fragment in regional.NEVER_FETCHED:
        assert not [p for p in paths if fragment in p], fragment
    assert not [r for r in cycles["first_requests"] if "localhost" in r.headers.get("Host", "")]


def test_second_cycle_over_unchanged_site_costs_only_304s(cycles: dict[str, Any]) -> None:
    requests = cycles["second_requests"]
    discovery = [r for r in requests if r.path in DISCOVERY_PATHS]
    articles = [
        r
        for r in requests
        if r.path not in DISCOVERY_PATHS and r.path not in ("/robots.txt", "/down/rss.xml")
    ]
    assert articles == []
    # Page 2 of the listing and the child sitemap are not asked for: their parents are unchanged.
    assert sorted(r.path for r in discovery) == sorted(
        DISCOVERY_PATHS
        - {"/lagatar/category/jharkhand/page/2/", "/bhaskar/sitemaps/news-today.xml"}
    )
    assert all(r.status == 304 and r.bytes_sent == 0 for r in discovery)
    assert all("If-None-Match" in r.headers for r in discovery)
    assert cycles["second"]["new_articles"] == 0
    stats = cycles["runs"][1]
    assert stats["newsmon/discovery/not_modified"] == len(discovery)
    assert "newsmon/articles_requested" not in stats


def test_validators_remembered_in_store(cycles: dict[str, Any]) -> None:
    validators = cycles["validators"]
    assert set(validators) == {p.lstrip("/") for p in DISCOVERY_PATHS}
    assert all(etag and body_hash for etag, body_hash, _ in validators.values())


def test_failing_source_counted_backed_off_and_others_not(cycles: dict[str, Any]) -> None:
    failures, error, next_at, last_at = cycles["sources"]["down"]
    assert failures == 2 and "HTTP 500" in error and "/down/rss.xml" in error
    # Two failures in a row: the source waits twice as long as after one.
    assert next_at - last_at == timedelta(minutes=30)
    for name in ("prabhat", "bhaskar", "lagatar", "etv"):
        failures, error, next_at, _ = cycles["sources"][name]
        assert (failures, error, next_at) == (0, None, None), name
    stats = cycles["runs"][0]
    assert stats["newsmon/source/down/discovery_failed"] >= 1
    assert stats["newsmon/source/prabhat/articles"] == 2


def _feed(base: str, numbers: list[int], now: datetime) -> str:
    items = "".join(
        f"<item><title>t</title><link>{base}/news/item-{n}.html</link>"
        f"<pubDate>{format_datetime(now - timedelta(hours=n))}</pubDate></item>"
        for n in numbers
    )
    return f'<?xml version="1.0"?><rss version="2.0"><channel>{items}</channel></rss>'


def test_max_articles_spent_only_on_new_articles_and_the_rest_come_next_cycle(
    tmp_path: Path,
) -> None:
    now = datetime.now(UTC)
    with LocalSite() as site:
        base = site.base_url
        for n in range(5):
            path = f"/news/item-{n}.html"
            site.put(path, regional.article_html(path, "en", now - timedelta(hours=n), None))
        site.put("/feed.xml", _feed(base, [1, 2, 3, 4], now), "application/rss+xml")
        source = {
            "name": "busy",
            "allow_private": True,
            "lang": "en",
            "feeds": [base + "/feed.xml"],
            "max_articles": 2,
        }
        (tmp_path / "sources.yaml").write_text(
            yaml.safe_dump({"sources": [source]}), encoding="utf-8"
        )
        config = tmp_path / "newsmon.yaml"
        config.write_text(
            yaml.safe_dump(
                {
                    "store": {"url": f"sqlite:///{tmp_path / 'store.sqlite'}"},
                    "crawl": {"download_delay": 0, "autothrottle": False},
                }
            ),
            encoding="utf-8",
        )
        fetched, feed_status = [], []
        for cycle in range(4):
            if cycle == 1:
                # A newer article appears; the two stored ones must not use up the budget.
                site.put("/feed.xml", _feed(base, [0, 1, 2, 3, 4], now), "application/rss+xml")
            site.clear_log()
            crawl_once(config)
            requests = site.requests
            fetched.append(
                sorted(r.path[len("/news/item-") :] for r in requests if "item-" in r.path)
            )
            feed_status.append([r.status for r in requests if r.path == "/feed.xml"])
    # A feed cut short by max_articles is read in full again even though it did not change.
    assert fetched == [["1.html", "2.html"], ["0.html", "3.html"], ["4.html"], []]
    assert feed_status == [[200], [200], [200], [304]]

"""Two `newsmon crawl --once` cycles: what one cycle stored is not fetched again in the next.

- articles reached through a redirect to another host (with and without a rel=canonical) are
  known by the address the feed gives, so the next cycle skips them;
- a huge sitemap of junk articles, each listed twice (once with its "&" left as "&amp;"), costs
  `max_articles` new pages per cycle, and no junk article is fetched or stored twice.
"""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

import pytest
import yaml
from sqlalchemy import func, select

from monitor.store import Store
from monitor.store.models import Article
from tests.crawl.test_crawl_politeness import crawl_once
from tests.faults.hostile import HostileSite
from tests.sites.regional import article_html
from tests.sites.scripted import Answer, ScriptedSite

JUNK_PER_CYCLE = 15


@pytest.fixture(scope="module")
def cycles(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Any]:
    tmp = tmp_path_factory.mktemp("redirects")
    store_url = f"sqlite:///{tmp / 'store.sqlite'}"
    with ScriptedSite() as site, HostileSite() as hostile:
        base = site.base_url
        other = base.replace("127.0.0.1", "localhost")
        site.script("/robots.txt", Answer(b"User-agent: *\nAllow: /\n", content_type="text/plain"))
        links = "".join(
            f"<item><title>t</title><link>{base}/go/{name}</link></item>"
            for name in ("plain", "canon")
        )
        feed = f'<rss version="2.0"><channel>{links}</channel></rss>'.encode()
        site.script("/feed.xml", Answer(feed, content_type="application/rss+xml"))
        now = datetime.now(UTC)
        for name in ("plain", "canon"):
            target = f"{other}/news/{name}.html"
            site.script(f"/go/{name}", Answer(status=302, headers={"Location": target}))
            canonical = target if name == "canon" else None
            page = article_html(f"/news/{name}.html", "en", now, canonical)
            site.script(f"/news/{name}.html", Answer(page.replace("Thursday", name).encode()))
        sources = [
            {
                "name": "moved",
                "feeds": [base + "/feed.xml"],
                "allowed_domains": ["127.0.0.1", "localhost"],
                "allow_private": True,
            },
            {
                "name": "junk",
                "sitemaps": [hostile.base_url + "/sitemaps/junk.xml"],
                "max_articles": JUNK_PER_CYCLE,
                "allow_private": True,
            },
        ]
        (tmp / "sources.yaml").write_text(yaml.safe_dump({"sources": sources}), encoding="utf-8")
        config = tmp / "newsmon.yaml"
        crawl = {"download_delay": 0, "autothrottle": False, "concurrency_per_domain": 4}
        config.write_text(yaml.safe_dump({"store": {"url": store_url}, "crawl": crawl}))
        hits: list[list[str]] = []
        junk: list[list[str]] = []
        for _ in range(2):
            before, junk_before = len(site.hits), len(hostile.paths("/junk/"))
            crawl_once(config)
            hits.append([hit.path for hit in site.hits[before:]])
            junk.append([p.split("?", 1)[0] for p in hostile.paths("/junk/")[junk_before:]])
    store = Store(store_url)
    with store.session() as session:
        counts = {
            "rows": session.scalar(select(func.count()).select_from(Article)),
            "urls": session.scalar(select(func.count(func.distinct(Article.canonical_url)))),
            "texts": session.scalar(select(func.count(func.distinct(Article.content_hash)))),
        }
        moved = sorted(
            a.canonical_url
            for a in session.scalars(select(Article).where(Article.source == "moved"))
        )
    store.dispose()
    return {"hits": hits, "junk": junk, "counts": counts, "moved": moved, "base": base}


def test_redirected_articles_are_stored_once_and_not_fetched_again(cycles: dict[str, Any]) -> None:
    first, second = cycles["hits"]
    assert {"/news/plain.html", "/news/canon.html"} <= set(first)
    assert [p for p in second if p.startswith(("/go/", "/news/"))] == []
    assert len(cycles["moved"]) == 2


def test_a_huge_sitemap_stores_no_junk_article_twice(cycles: dict[str, Any]) -> None:
    first, second = cycles["junk"]
    assert len(first) == len(second) == JUNK_PER_CYCLE
    assert len(set(first) | set(second)) == 2 * JUNK_PER_CYCLE
    counts = cycles["counts"]
    assert counts["rows"] == counts["urls"] == counts["texts"] == 2 * JUNK_PER_CYCLE + 2

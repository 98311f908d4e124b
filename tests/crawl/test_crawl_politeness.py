"""A site that pushes back: 429/503 with Retry-After, and a server that ignores validators.

Three `newsmon crawl --once` cycles against a scripted local server:
1. a 429 with Retry-After: 1 is retried after a second; a 503 asking for an hour is given up;
2. the feed is read again in full (an article of it failed), and the missing article is stored;
3. the feed's body is unchanged and no article is requested, though the server sent a 200.
"""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest
import yaml
from sqlalchemy import select

from monitor.store import Store
from monitor.store.models import Article, CrawlRun
from tests.cli_helpers import newsmon
from tests.sites.regional import article_html
from tests.sites.scripted import Answer, ScriptedSite

ROOT = Path(__file__).resolve().parents[2]
ARTICLES = ("/news/a-101.html", "/news/b-102.html", "/news/c-103.html")


def _feed(base: str) -> bytes:
    items = "".join(f"<item><title>t</title><link>{base}{path}</link></item>" for path in ARTICLES)
    return f'<?xml version="1.0"?><rss version="2.0"><channel>{items}</channel></rss>'.encode()


def _page(path: str) -> Answer:
    return Answer(article_html(path, "en", datetime.now(UTC), None).encode())


def crawl_once(config: Path) -> None:
    done = newsmon("crawl", "--once", "--config", str(config))
    assert done.returncode == 0, done.stderr[-3000:]


@pytest.fixture(scope="module")
def run(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Any]:
    tmp = tmp_path_factory.mktemp("politeness")
    store_url = f"sqlite:///{tmp / 'store.sqlite'}"
    with ScriptedSite() as site:
        base = site.base_url
        site.script("/robots.txt", Answer(b"User-agent: *\nAllow: /\n", content_type="text/plain"))
        site.script("/feed.xml", Answer(_feed(base), content_type="application/rss+xml"))
        site.script(ARTICLES[0], _page(ARTICLES[0]))
        site.script(
            ARTICLES[1], Answer(b"slow down", 429, headers={"Retry-After": "1"}), _page(ARTICLES[1])
        )
        site.script(
            ARTICLES[2],
            Answer(b"maintenance", 503, headers={"Retry-After": "3600"}),
            _page(ARTICLES[2]),
        )
        sources = {
            "sources": [
                {
                    "name": "pushy",
                    "allow_private": True,
                    "lang": "en",
                    "feeds": [base + "/feed.xml"],
                }
            ]
        }
        (tmp / "sources.yaml").write_text(yaml.safe_dump(sources), encoding="utf-8")
        config = tmp / "newsmon.yaml"
        config.write_text(
            yaml.safe_dump(
                {
                    "store": {"url": store_url},
                    "crawl": {
                        "download_delay": 0,
                        "autothrottle": False,
                        "concurrency_per_domain": 4,
                    },
                }
            ),
            encoding="utf-8",
        )
        hits_per_cycle = []
        for _ in range(3):
            before = len(site.hits)
            crawl_once(config)
            hits_per_cycle.append(site.hits[before:])
    store = Store(store_url)
    with store.session() as session:
        stored = sorted(a.canonical_url.rsplit("/", 1)[1] for a in session.scalars(select(Article)))
        stats = [run.stats for run in session.scalars(select(CrawlRun).order_by(CrawlRun.id))]
    store.dispose()
    return {"hits": hits_per_cycle, "stored": stored, "stats": stats}


def _paths(hits: list[Any], path: str) -> list[Any]:
    return [hit for hit in hits if hit.path == path]


def test_retry_after_on_429_is_honoured(run: dict[str, Any]) -> None:
    first = run["hits"][0]
    tries = _paths(first, ARTICLES[1])
    assert [hit.status for hit in tries] == [429, 200]
    assert tries[1].time - tries[0].time >= 1.0
    assert run["stats"][0]["newsmon/retry_after/retried"] == 1


def test_long_retry_after_gives_up_without_hammering(run: dict[str, Any]) -> None:
    first = run["hits"][0]
    assert [hit.status for hit in _paths(first, ARTICLES[2])] == [503]
    assert run["stats"][0]["newsmon/retry_after/gave_up"] == 1


def test_article_that_failed_is_fetched_next_cycle(run: dict[str, Any]) -> None:
    second = run["hits"][1]
    # The feed was read in full again; the two stored articles were not fetched again.
    assert [hit.status for hit in _paths(second, "/feed.xml")] == [200]
    assert [hit.path for hit in second if hit.path.startswith("/news/")] == [ARTICLES[2]]
    assert run["stored"] == ["a-101.html", "b-102.html", "c-103.html"]


def test_server_ignoring_validators_still_costs_no_article(run: dict[str, Any]) -> None:
    third = run["hits"][2]
    feed = _paths(third, "/feed.xml")
    assert [hit.status for hit in feed] == [200] and "If-None-Match" not in feed[0].headers
    assert [hit.path for hit in third if hit.path.startswith("/news/")] == []
    assert run["stats"][2]["newsmon/discovery/same_body"] == 1
    assert run["stats"][2]["newsmon/source/pushy/discovery_unchanged"] == 1

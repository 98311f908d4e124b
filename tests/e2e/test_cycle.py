"""End to end: `newsmon crawl --once` against the demo site, with real receivers.

Each crawl runs in a child process (Twisted's reactor cannot be restarted in one process), as
the daemon's subprocess back end would; the site and receivers run in the test process.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
import yaml
from sqlalchemy import func, select

from monitor.demo import discovery
from monitor.demo.receivers import SmtpReceiver, WebhookReceiver
from monitor.demo.server import LocalSite
from monitor.demo.site import extra_article, load_seed_articles, publish
from monitor.store import Store
from monitor.store.models import Alert, Article, CrawlRun
from tests.cli_helpers import newsmon

ROOT = Path(__file__).resolve().parents[2]
SECRET = "cycle-secret"


def write_config(tmp: Path, store_url: str, site: str, hook: str, smtp: tuple[str, int]) -> Path:
    sources = {
        "sources": [
            {
                "name": "demo",
                "allow_private": True,
                "lang": "hi",
                "region": "Jharkhand",
                "feeds": [site + discovery.FEED_PATH],
                "sitemaps": [site + discovery.SITEMAP_PATH],
                "listings": [
                    {
                        "url": site + discovery.LISTING_PATH,
                        "article_pattern": r"/jharkhand/[^/]+\.html$",
                    }
                ],
            }
        ]
    }
    main = {
        "store": {"url": store_url},
        "crawl": {"download_delay": 0, "autothrottle": False, "concurrency_per_domain": 8},
        "alerts": {
            "channels": [
                {"name": "hook", "type": "webhook", "url": hook, "secret": "${HOOK_SECRET}"},
                {
                    "name": "mail",
                    "type": "email",
                    "host": smtp[0],
                    "port": smtp[1],
                    "sender": "newsmon@localhost",
                    "recipients": ["desk@localhost"],
                },
            ]
        },
    }
    (tmp / "sources.yaml").write_text(yaml.safe_dump(sources), encoding="utf-8")
    path = tmp / "newsmon.yaml"
    path.write_text(yaml.safe_dump(main), encoding="utf-8")
    return path


def crawl_once(config: Path) -> dict[str, Any]:
    result = newsmon(
        "crawl", "--once", "--config", str(config), timeout=180, env={"HOOK_SECRET": SECRET}
    )
    assert result.returncode == 0, result.stderr[-3000:]
    stats: dict[str, Any] = json.loads(result.stdout.strip().splitlines()[-1])
    return stats


def article_gets(site: LocalSite, paths: set[str]) -> list[str]:
    return [r.path for r in site.requests if r.method == "GET" and r.path in paths]


def test_cycles_store_detect_alert_and_never_refetch(tmp_path: Path, store_url: str) -> None:
    articles = load_seed_articles(ROOT / "seeds")
    extra = extra_article()
    with LocalSite() as site, WebhookReceiver(SECRET) as hook, SmtpReceiver() as smtp:
        publish(site, articles)
        config = write_config(tmp_path, store_url, site.base_url, hook.url, smtp.address)

        first = crawl_once(config)
        paths = {a.path for a in articles}
        assert sorted(article_gets(site, paths)) == sorted(paths)  # each page fetched once
        assert first["new_articles"] == 5
        assert first["alerts_sent"] == 2 * first["new_events"] > 0
        assert all(w.signature_valid for w in hook.received)
        assert len(smtp.mails) == first["new_events"]

        publish(site, [*articles, extra])
        site.clear_log()
        second = crawl_once(config)
        assert article_gets(site, paths | {extra.path}) == [extra.path]
        assert second["new_articles"] == 1 and second["skipped_seen"] >= 5
        assert second["new_events"] == 1 and second["alerts_sent"] == 2

        site.clear_log()
        third = crawl_once(config)
        assert article_gets(site, paths | {extra.path}) == []
        assert third["new_articles"] == 0 and third["alerts_sent"] == 0

    # Nothing was alerted twice: one row and one delivery per event and channel.
    keys = [w.headers["Idempotency-Key"] for w in hook.received]
    assert len(keys) == len(set(keys)) == first["new_events"] + 1
    store = Store(store_url)
    with store.session() as s:
        assert s.scalar(select(func.count()).select_from(Article)) == 6
        assert s.scalar(select(func.count()).select_from(CrawlRun)) == 3
        statuses = set(s.scalars(select(Alert.status)))
        assert statuses == {"sent"}
    store.dispose()


@pytest.mark.parametrize("key", ["crawl.concurrency_per_domain"])
def test_crawl_refuses_invalid_config(tmp_path: Path, key: str) -> None:
    (tmp_path / "sources.yaml").write_text("sources: []\n", encoding="utf-8")
    config = tmp_path / "newsmon.yaml"
    config.write_text("crawl:\n  concurrency_per_domain: many\n", encoding="utf-8")
    result = newsmon("crawl", "--once", "--config", str(config), timeout=60)
    assert result.returncode == 2
    assert key in result.stderr and str(config) in result.stderr

"""Config files for the operations tests: many sources, a file channel as the alert log."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import yaml

from monitor.demo import discovery


def demo_source(base_url: str, name: str = "healthy") -> dict[str, Any]:
    """The demo site as a source, found through its feed, sitemap and listing."""
    return {
        "name": name,
        # The fixture site is on loopback, which a source must be allowed to reach.
        "allow_private": True,
        "lang": "hi",
        "region": "Jharkhand",
        "feeds": [base_url + discovery.FEED_PATH],
        "sitemaps": [base_url + discovery.SITEMAP_PATH],
        "listings": [
            {
                "url": base_url + discovery.LISTING_PATH,
                "article_pattern": r"/jharkhand/[^/]+\.html$",
            }
        ],
    }


def write_config(
    tmp: Path,
    store_url: str,
    sources: list[dict[str, Any]],
    *,
    alert_log: Path,
    schedule: dict[str, Any] | None = None,
    crawl: dict[str, Any] | None = None,
    health: dict[str, Any] | None = None,
    operations: dict[str, Any] | None = None,
    routes: list[dict[str, Any]] | None = None,
) -> Path:
    main = {
        "store": {"url": store_url},
        "schedule": {"crawl_every_minutes": 60, "dispatch_every_seconds": 3600, **(schedule or {})},
        "crawl": {
            "download_delay": 0,
            "autothrottle": False,
            "concurrency_per_domain": 8,
            **(crawl or {}),
        },
        "alerts": {
            "channels": [{"name": "log", "type": "file", "path": str(alert_log)}],
            **({"routes": routes} if routes is not None else {}),
        },
        "health": health or {},
        "operations": operations or {},
    }
    (tmp / "sources.yaml").write_text(yaml.safe_dump({"sources": sources}), encoding="utf-8")
    path = tmp / "newsmon.yaml"
    path.write_text(yaml.safe_dump(main, allow_unicode=True), encoding="utf-8")
    return path


def read_alert_log(path: Path) -> list[dict[str, Any]]:
    if not path.exists():
        return []
    return [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines() if line]

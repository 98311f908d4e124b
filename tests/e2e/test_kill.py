"""Crash safety: SIGKILL the daemon at five points of a cycle, restart, lose and double nothing.

The points are reached deterministically: mid-crawl is a request the test's site holds open;
the others are the pause points of `tests.hooks.pause`, installed by `tests.hooks.launch`, which
log "paused at <point>" and wait there to be killed.
"""

from __future__ import annotations

import signal
from collections import Counter
from pathlib import Path

from sqlalchemy import func, select

from monitor.demo.server import LocalSite
from monitor.demo.site import extra_article, load_seed_articles, publish
from monitor.store import Store
from monitor.store.models import Alert, AlertAttempt, Article, CrawlRun, Detection, Event
from tests.faults.config import demo_source, read_alert_log, write_config
from tests.faults.hostile import HostileSite
from tests.faults.proc import ROOT, DaemonProcess


def test_killed_five_times_mid_cycle_then_restarted(tmp_path: Path, store_url: str) -> None:
    alert_log = tmp_path / "alerts.jsonl"
    seeds = load_seed_articles(ROOT / "seeds")
    with LocalSite() as site, HostileSite() as hostile:
        publish(site, seeds)
        slow = {
            "name": "slow",
            "allow_private": True,
            "feeds": [hostile.base_url + "/gate/feed.xml"],
        }
        # The kill points are between the steps of the cycle in their order, so detection
        # waits for the crawl here; the passes during a crawl commit each article as the pass
        # after it does (tests/e2e/test_alert_during_crawl.py stops a cycle among them).
        config = write_config(
            tmp_path, store_url, [demo_source(site.base_url), slow], alert_log=alert_log,
            crawl={"download_timeout": 120}, operations={"detect_during_crawl_seconds": 0},
        )  # fmt: skip

        # 1. Mid-crawl: the slow source's article is held open while the healthy one is stored.
        with DaemonProcess(config) as daemon:
            assert hostile.gate_reached.wait(60), "".join(daemon.lines)
            daemon.kill()
        hostile.gate_open.set()

        # 2-5. Between the steps of the cycle and around a delivery.
        for point in ("after-crawl", "after-detect", "before-send", "after-send"):
            if point == "after-detect":
                publish(site, [*seeds, extra_article()])  # news arrives while it is down
            with DaemonProcess(config, hooks=["--pause-at", point]) as daemon:
                daemon.read_until(f"paused at {point}")
                daemon.kill()

        # A clean run finishes what the killed ones left (its sources are not due again yet,
        # so its cycle is numbered 0: detect and dispatch only).
        with DaemonProcess(config) as daemon:
            daemon.read_until("alerts sent")
            daemon.signal(signal.SIGTERM)
            daemon.read_until("stopped cleanly")
            assert daemon.wait() == 0

    store = Store(store_url)
    with store.session() as s:
        urls = list(s.scalars(select(Article.canonical_url).where(Article.source == "healthy")))
        assert len(urls) == len(set(urls)) == len(seeds) + 1, "an article was lost or doubled"
        articles = s.scalar(select(func.count()).select_from(Article))
        detections = s.scalar(select(func.count()).select_from(Detection))
        assert detections == articles, "an article was left undetected or detected twice"
        events = s.scalar(select(func.count()).select_from(Event)) or 0
        alerts = list(s.scalars(select(Alert).where(Alert.kind != "operator")))
        interrupted = s.scalar(select(func.count()).where(AlertAttempt.status == "interrupted"))
        runs = list(s.scalars(select(CrawlRun.status).order_by(CrawlRun.id)))
    store.dispose()
    assert runs[:2] == ["interrupted", "interrupted"] and "running" not in runs
    assert events >= 1
    assert len([a for a in alerts if a.kind == "new"]) == events
    assert {a.status for a in alerts} == {"sent"}
    assert interrupted == 2  # the attempts cut short by the before-send and after-send kills

    # The alert log: every alert delivered, none under two ids; the one alert killed after its
    # delivery but before it was recorded was sent again under the same idempotency key.
    delivered = Counter(line["alert_id"] for line in read_alert_log(alert_log))
    assert set(delivered) == {a.idempotency_key for a in alerts}
    assert sorted(delivered.values(), reverse=True)[:2] in ([2, 1], [2])

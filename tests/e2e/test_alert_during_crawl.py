"""Alerts while the crawl is still running: a hostile site beside a healthy one, in one config.

The hung feed holds the crawl open until its budget ends; the healthy source's meeting must be
alerted long before, within 60 s of the cycle's start, by the cycle's own detection passes (the
daemon's dispatch job is set to once an hour here, so it cannot be what sends it). The order is
proved from three logs: the crawl run is still 'running' in the store when the alert line is
written, and the hostile site saw the crawler give up on the hung feed only after that. The
same cycle keeps its other bounds: it ends within its budget, the endless chain of sitemap
indexes costs at most the depth cap in requests, the huge sitemap stores no junk article twice,
and no write of the crawl or of detection fails on SQLite's lock.
"""

from __future__ import annotations

import signal
import time
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import func, select

from crawler.settings import RETRY_TIMES
from monitor.demo.server import LocalSite
from monitor.demo.site import load_seed_articles, publish
from monitor.store import Store
from monitor.store.models import Alert, Article, CrawlRun, Detection, Event
from tests.cli_helpers import newsmon
from tests.faults.config import demo_source, read_alert_log, write_config
from tests.faults.hostile import FAULT_SITEMAPS, HostileSite
from tests.faults.proc import ROOT, DaemonProcess

pytestmark = pytest.mark.timeout(240)

# Every source's budget, and so the bound on the crawl: long enough that the healthy source is
# stored, detected and alerted on a loaded 2-core machine while the hung feed still holds it.
BUDGET = 20
# What the cycle may take beyond the budget: the last downloads' ends, extraction, the store,
# the detection pass after the crawl and the send.
BUDGET_MARGIN = 15
# The must-show bound, from the cycle's start to the alert line.
ALERT_WITHIN = 60
# Longer than the budget: the hung feed is cut off by the budget, not by its own time-out.
DOWNLOAD_TIMEOUT = 60
JUNK_ARTICLES = 30
SITEMAP_MAX_DEPTH = 3  # the crawl section's default
# "Within seconds" (tests/ops/test_daemon_signals.py), with the detection passes running.
STOP_LIMIT = 10.0


def hostile_sources(hostile: HostileSite) -> list[dict[str, Any]]:
    hung = {"name": "timeout", "feeds": [hostile.base_url + "/hang/feed.xml"]}
    return [
        hung,
        {"name": "deep-sitemap", "sitemaps": [hostile.base_url + FAULT_SITEMAPS["deep-sitemap"]]},
        {
            "name": "huge-sitemap",
            "sitemaps": [hostile.base_url + FAULT_SITEMAPS["huge-sitemap"]],
            "max_articles": JUNK_ARTICLES,
        },
    ]


def config_for(tmp_path: Path, store_url: str, site: LocalSite, hostile: HostileSite) -> Path:
    return write_config(
        tmp_path,
        store_url,
        [demo_source(site.base_url), *hostile_sources(hostile)],
        alert_log=tmp_path / "alerts.jsonl",
        # Not the dispatch job: only the cycle itself can send while it crawls.
        schedule={"dispatch_every_seconds": 3600},
        # Extraction in the crawl's own process: the worker pool's start-up, several seconds on
        # a loaded machine, would only lengthen the budget this test needs.
        crawl={
            "download_timeout": DOWNLOAD_TIMEOUT,
            "budget_seconds": BUDGET,
            "extract_processes": 0,
        },
    )


def naive(moment: datetime) -> datetime:
    """The store's UTC times, aware on PostgreSQL and naive on SQLite, as naive UTC."""
    return moment.astimezone(UTC).replace(tzinfo=None) if moment.tzinfo else moment


def run_status(store: Store) -> list[str]:
    with store.session() as s:
        return list(s.scalars(select(CrawlRun.status).order_by(CrawlRun.id)))


def test_healthy_source_is_alerted_while_the_hostile_one_still_fails(
    tmp_path: Path, sqlite_url: str
) -> None:
    alert_log = tmp_path / "alerts.jsonl"
    store = Store(sqlite_url)
    with LocalSite() as site, HostileSite() as hostile:
        publish(site, load_seed_articles(ROOT / "seeds"))
        config = config_for(tmp_path, sqlite_url, site, hostile)
        with DaemonProcess(config) as daemon:
            daemon.read_until("sent via log", timeout=ALERT_WITHIN + 30)
            seen_at = time.time()
            # The alert line is written, and the crawl has not ended.
            assert read_alert_log(alert_log), "the alert was logged as sent but not written"
            assert run_status(store) == ["running"], "the crawl ended before the alert"
            daemon.read_until("cycle 1 done", timeout=BUDGET + BUDGET_MARGIN + 30)
            daemon.signal(signal.SIGTERM)
            daemon.read_until("stopped cleanly")
            assert daemon.wait() == 0
        log = "".join(daemon.lines)
        [hung] = hostile.hits_of("/hang/feed.xml")[:1]
        gave_up = [h.at for h in hostile.gave_up]
        deep = hostile.paths("/sitemaps/deep/")
        junk = [p.split("?", 1)[0] for p in hostile.paths("/junk/")]

    with store.session() as s:
        run = s.scalars(select(CrawlRun)).one()
        first_sent = s.scalar(select(func.min(Alert.sent_at)).where(Alert.kind == "new"))
        events = s.scalar(select(func.count()).select_from(Event))
        statuses = list(s.scalars(select(Alert.status).where(Alert.kind == "new")))
        alerted_sources = set(
            s.scalars(
                select(Article.source)
                .join(Detection, Detection.article_id == Article.id)
                .where(Detection.event_id.is_not(None))
            )
        )
        junk_urls = list(
            s.scalars(select(Article.canonical_url).where(Article.source == "huge-sitemap"))
        )
        total = s.scalar(select(func.count()).select_from(Article))
        distinct = s.scalar(select(func.count(func.distinct(Article.content_hash))))
        detections = s.scalar(select(func.count()).select_from(Detection))
        undetected = s.scalar(select(func.count()).where(Article.detected_at.is_(None)))
    store.dispose()

    assert run.finished_at is not None and first_sent is not None
    started, finished = naive(run.started_at), naive(run.finished_at)
    delay = (naive(first_sent) - started).total_seconds()
    took = (finished - started).total_seconds()
    print(f"\nalert {delay:.1f} s after the cycle's start; cycle {took:.1f} s, budget {BUDGET} s")
    # The healthy source's meeting was alerted within 60 s, before the crawl ended ...
    assert alerted_sources == {"healthy"}
    assert delay <= ALERT_WITHIN, f"alerted {delay:.1f} s after the start"
    assert naive(first_sent) < finished
    # ... while the hung feed was still held: the crawler gave up on it after the alert.
    assert hung.at <= seen_at
    assert len(gave_up) == 1 and gave_up[0] > seen_at, (gave_up, seen_at)
    assert run.stats.get("newsmon/source/timeout/cut_off") == 1, run.stats
    # The cycle ended within its budget.
    assert took <= BUDGET + BUDGET_MARGIN, f"the cycle took {took:.1f} s"
    # The endless chain cost the depth cap (a level that timed out under load is retried, as
    # any page is; tests/crawl/test_crawl_limits.py counts the chain exactly).
    assert 1 <= len(set(deep)) <= SITEMAP_MAX_DEPTH, deep
    assert len(deep) <= SITEMAP_MAX_DEPTH * (1 + RETRY_TIMES), deep
    # The huge sitemap: each junk article fetched and stored once, however it was spelled.
    assert len(junk) == len(set(junk))
    assert 1 <= len(junk_urls) == len(set(junk_urls)) <= JUNK_ARTICLES
    assert total == distinct, "an article was stored twice"
    # Every article detected exactly once, between the passes during and after the crawl;
    # every event alerted once.
    assert detections == total and undetected == 0
    assert events and statuses == ["sent"] * events
    ids = [line["alert_id"] for line in read_alert_log(alert_log) if line["kind"] == "new"]
    assert len(ids) == len(set(ids)) == events
    assert "database is locked" not in log


def test_sigterm_after_an_alert_mid_crawl_loses_and_doubles_nothing(
    tmp_path: Path, sqlite_url: str
) -> None:
    alert_log = tmp_path / "alerts.jsonl"
    store = Store(sqlite_url)
    with LocalSite() as site, HostileSite() as hostile:
        publish(site, load_seed_articles(ROOT / "seeds"))
        config = config_for(tmp_path, sqlite_url, site, hostile)
        with DaemonProcess(config) as daemon:
            daemon.read_until("sent via log", timeout=ALERT_WITHIN + 30)
            assert run_status(store) == ["running"]
            asked = time.monotonic()
            daemon.signal(signal.SIGTERM)
            daemon.read_until("stopped cleanly")
            assert daemon.wait() == 0
            stop_took = time.monotonic() - asked
        assert stop_took < STOP_LIMIT, f"took {stop_took:.1f} s to stop"
        # The next cycle detects and sends whatever the stop left; the healthy source alone,
        # as the hung one would hold it for its whole budget again.
        again = newsmon("crawl", "--source", "healthy", "--config", str(config))
        assert again.returncode == 0, again.stderr[-2000:]

    with store.session() as s:
        urls = list(s.scalars(select(Article.canonical_url)))
        detected = list(s.scalars(select(Detection.article_id)))
        undetected = s.scalar(select(func.count()).where(Article.detected_at.is_(None)))
        events = s.scalar(select(func.count()).select_from(Event))
        alerts = list(s.scalars(select(Alert).where(Alert.kind == "new")))
        runs = list(s.scalars(select(CrawlRun.status)))
    store.dispose()
    assert runs == ["interrupted", "finished"]
    assert len(urls) == len(set(urls)), "an article was stored twice"
    assert len(detected) == len(set(detected)) == len(urls) and undetected == 0
    assert events and len(alerts) == events and {a.status for a in alerts} == {"sent"}
    ids = [line["alert_id"] for line in read_alert_log(alert_log) if line["kind"] == "new"]
    assert sorted(ids) == sorted(a.idempotency_key for a in alerts)

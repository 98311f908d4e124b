"""Fault isolation: a hostile site beside a healthy one, in one cycle of the real daemon.

Every fault a source can throw at the crawler — DNS failure, TLS to a plain-HTTP port, a hung
server, 5xx on the feed and on every article, 429 with a long Retry-After, a 100 MB page, an
endless redirect chain, entity expansion in XML, a gzip bomb, HTML in a broken encoding, a feed
of 100,000 links — is served at once. The healthy source's articles must all be stored and
alerted in that same cycle, nothing may be stored twice, every fault must be logged with its
source and URL and counted, the limits must hold, and the daemon's memory must stay bounded.
"""

from __future__ import annotations

import re
import signal
import urllib.request
from pathlib import Path

from prometheus_client.parser import text_string_to_metric_families
from sqlalchemy import func, select

from crawler.settings import RETRY_TIMES
from monitor.demo.server import LocalSite
from monitor.demo.site import load_seed_articles, publish
from monitor.store import Store
from monitor.store.models import Alert, Article, CrawlRun, Event, Source
from tests.faults.config import demo_source, read_alert_log, write_config
from tests.faults.hostile import FAULT_FEEDS, FAULT_SITEMAPS, STORM_LINKS, HostileSite
from tests.faults.proc import DaemonProcess

ROOT = Path(__file__).resolve().parents[2]
# Generous enough that a healthy feed answers in time on a loaded 2-core machine while the
# hostile site streams its large answers; the hung source still fails within the cycle wait.
TIMEOUT = 20
MAX_ARTICLES = 200
# Peak resident memory of the daemon after the hostile cycle. An idle daemon peaks at about
# 170 MiB; a 100 MB page or an inflated gzip bomb held in memory would push it far beyond this.
PEAK_RSS_LIMIT_MB = 450
# Each source's time budget: room for every fault to be met on a loaded machine (they all share
# one host:port, so one download slot), and the bound on the cycle.
BUDGET = 45
# The hung feed's own budget, shorter than one download timeout: it is cut off.
HUNG_BUDGET = 12
# Junk articles taken from the huge sitemap in this cycle (tests/crawl/test_crawl_redirects.py
# takes them over two cycles); fewer than the other sources' limit, to spare the one host:port
# that every fault here shares.
JUNK_ARTICLES = 50
# What the cycle may take beyond the budget: the last downloads' ends, extraction, the store.
BUDGET_MARGIN = 15
# The crawl section's default sitemap depth cap.
SITEMAP_MAX_DEPTH = 3


def fault_sources(hostile: HostileSite) -> list[dict[str, object]]:
    port = hostile.base_url.rsplit(":", 1)[1]
    sources: list[dict[str, object]] = [
        {
            "name": name,
            "feeds": [hostile.base_url + path],
            "max_articles": MAX_ARTICLES,
            "allow_private": True,
        }
        for name, path in FAULT_FEEDS.items()
    ]
    hung = next(source for source in sources if source["name"] == "timeout")
    hung["budget_seconds"] = HUNG_BUDGET
    sources += [
        {
            "name": name,
            "sitemaps": [hostile.base_url + path],
            "max_articles": JUNK_ARTICLES,
            "allow_private": True,
        }
        for name, path in FAULT_SITEMAPS.items()
    ]
    sources.append({"name": "dns-error", "feeds": ["http://news.newsmon-test.invalid/feed.xml"]})
    sources.append(
        {
            "name": "tls-error",
            "feeds": [f"https://127.0.0.1:{port}/tls/feed.xml"],
            "allow_private": True,
        }
    )
    return sources


def metrics_of(lines: list[str]) -> dict[tuple[str, tuple[tuple[str, str], ...]], float]:
    address = next(
        m.group(1) for line in lines if (m := re.search(r"(http://[\d.:]+)/healthz", line))
    )
    with urllib.request.urlopen(address + "/metrics", timeout=10) as response:
        text = response.read().decode()
    return {
        (s.name, tuple(sorted(s.labels.items()))): s.value
        for family in text_string_to_metric_families(text)
        for s in family.samples
    }


def test_hostile_sources_leave_the_healthy_one_whole(tmp_path: Path, sqlite_url: str) -> None:
    alert_log = tmp_path / "alerts.jsonl"
    with LocalSite() as site, HostileSite() as hostile:
        publish(site, load_seed_articles(ROOT / "seeds"))
        sources = [demo_source(site.base_url), *fault_sources(hostile)]
        config = write_config(
            tmp_path,
            sqlite_url,
            sources,
            alert_log=alert_log,
            crawl={
                "download_timeout": TIMEOUT,
                "concurrency": 32,
                "concurrency_per_domain": 16,
                "budget_seconds": BUDGET,
            },
            health={"listen": "127.0.0.1:0"},
        )
        with DaemonProcess(config) as daemon:
            daemon.read_until("cycle 1 done", timeout=90)
            peak = daemon.peak_rss_mb()
            metrics = metrics_of(daemon.lines)
            daemon.signal(signal.SIGTERM)
            daemon.read_until("stopped cleanly")
            assert daemon.wait() == 0
        log = "".join(daemon.lines)

        # Limits held: bounded fetches however much a source offers. The budget is on articles;
        # a page that timed out under load is retried, so requests may exceed it, retries not.
        many = [p for p in hostile.paths("/many/") if p.endswith(".html")]
        assert len(set(many)) <= MAX_ARTICLES
        assert len(many) <= MAX_ARTICLES * (1 + RETRY_TIMES)
        assert len(hostile.paths("/loop/")) <= 3 * 6  # redirects capped, retried twice at most
        assert len(hostile.paths("/storm/")) <= 1 + 3 * STORM_LINKS
        # The endless chain of sitemap indexes cost the depth cap, not 142 levels (a level that
        # timed out under load is retried, as any page is; tests/crawl/test_crawl_limits.py
        # counts the chain exactly).
        deep = hostile.paths("/sitemaps/deep/")
        assert 1 <= len(set(deep)) <= SITEMAP_MAX_DEPTH, deep
        assert len(deep) <= SITEMAP_MAX_DEPTH * (1 + RETRY_TIMES), deep
        # Each junk article was fetched once, however many spellings the sitemap gave it.
        junk = [p.split("?", 1)[0] for p in hostile.paths("/junk/")]
        assert len(junk) == len(set(junk))
    assert peak < PEAK_RSS_LIMIT_MB, f"peak RSS {peak:.0f} MiB"

    store = Store(sqlite_url)
    with store.session() as s:
        healthy = s.scalar(select(func.count()).where(Article.source == "healthy"))
        assert healthy == 5
        total = s.scalar(select(func.count()).select_from(Article))
        distinct = s.scalar(select(func.count(func.distinct(Article.content_hash))))
        assert total == distinct, "an article was stored twice"
        events = s.scalar(select(func.count()).select_from(Event))
        statuses = list(s.scalars(select(Alert.status).where(Alert.kind == "new")))
        rows = {r.name: r for r in s.scalars(select(Source))}
        run = s.scalars(select(CrawlRun)).one()
        healthy_fetched = list(
            s.scalars(select(Article.fetched_at).where(Article.source == "healthy"))
        )
    store.dispose()
    # The cycle ended within the largest budget; the healthy source was stored early, while
    # the hostile sources were still failing.
    assert run.finished_at is not None
    took = (run.finished_at - run.started_at).total_seconds()
    assert took <= BUDGET + BUDGET_MARGIN, f"the cycle took {took:.1f} s"
    started = run.started_at.replace(tzinfo=None)
    healthy_by = max((at.replace(tzinfo=None) - started).total_seconds() for at in healthy_fetched)
    assert healthy_by < took, (healthy_by, took)
    assert events and statuses == ["sent"] * events
    ids = [line["alert_id"] for line in read_alert_log(alert_log)]
    assert len(ids) == len(set(ids)) == events

    # Each failing source was logged with its name and URL, and counted.
    failing = {"timeout", "error-5xx-feed", "rate-limited", "redirect-loop", "gzip-bomb"}
    failing |= {"dns-error", "tls-error"}
    for name in failing:
        assert rows[name].consecutive_failures == 1, (name, rows[name].last_error)
        assert rows[name].last_error, name
        assert re.search(rf"source {re.escape(name)}\b.*https?://", log), name
    # These answered their feed, so they are not failing; their bad articles are counted.
    # On a heavily loaded machine an article of theirs may still be queued behind the others on
    # the one shared host:port when the budget ends: then it is counted as cut off instead.
    for name in failing | {"error-5xx-storm", "huge-page", "xml-bomb"}:
        key = ("newsmon_source_errors_total", (("source", name),))
        cut = int(run.stats.get(f"newsmon/source/{name}/cut_off_requests") or 0)
        assert metrics.get(key, 0) >= 1 or cut >= 1, name
    # Entity expansion was refused, not performed; a broken page is read, not fatal.
    assert re.search(r"source xml-bomb: feed \S+/xmlbomb/feed.xml is malformed", log)
    # The hung feed was cut off at its own budget, and the cycle's stats say so and why.
    assert run.stats.get("newsmon/source/timeout/cut_off") == 1, run.stats
    assert "budget" in str(run.stats.get("newsmon/source/timeout/cut_off_reason"))
    assert rows["healthy"].consecutive_failures == 0, rows["healthy"].last_error
    for name in ("bad-encoding", "many-links", "xml-bomb", "deep-sitemap"):
        # Their feeds are read, never fatal; on a heavily loaded machine one of the large ones
        # (100,000 links) may not arrive within the budget, and is then cut off, as designed.
        row = rows[name]
        assert row.consecutive_failures == 0 or "cut off: time budget" in str(row.last_error), (
            name,
            row.last_error,
        )
    assert metrics[("newsmon_articles_total", (("result", "new"),))] >= 5
    assert metrics[("newsmon_cycles_total", (("outcome", "ok"),))] == 1

"""The daemon's figures in Prometheus form, served at /metrics by `monitor.ops.endpoint`.

Counters are fed from what each cycle reports (`CycleReport`, `DispatchReport`), so the steps
themselves know nothing of Prometheus. Gauges of the outbox and of source health are read from
the store when scraped: they are then true even after a restart. Each daemon owns its registry;
nothing is registered globally.
"""

from __future__ import annotations

import logging
from collections.abc import Iterator
from typing import TYPE_CHECKING

from prometheus_client import (
    CollectorRegistry,
    Counter,
    Gauge,
    Histogram,
    disable_created_metrics,
    generate_latest,
)
from prometheus_client.core import GaugeMetricFamily, Metric
from prometheus_client.process_collector import ProcessCollector
from prometheus_client.registry import Collector
from sqlalchemy import func, select

from crawler import bookkeeping as bk
from crawler import protocol as proto
from monitor.store.models import Alert, DetectFailure, Source

if TYPE_CHECKING:
    from monitor.alerts.dispatch import DispatchReport
    from monitor.crawl.watchdog import Step
    from monitor.cycle import CycleReport
    from monitor.store import Store

log = logging.getLogger(__name__)

# Cycles take from seconds (nothing new) to many minutes (a first crawl of many sources).
CYCLE_BUCKETS = (1, 2, 5, 10, 20, 30, 60, 120, 300, 600, 1200, 1800, 3600)


class Metrics:
    def __init__(self, store: Store | None = None) -> None:
        # Without this every counter and histogram gets a `*_created` series beside it, which
        # doubles what is scraped and says only when the daemon started. The client's switch
        # is process-wide; the daemon is the only Prometheus user in the process.
        disable_created_metrics()  # type: ignore[no-untyped-call]
        self.registry = CollectorRegistry(auto_describe=True)
        r = self.registry
        self.cycles = Counter("newsmon_cycles", "Crawl cycles run", ["outcome"], registry=r)
        self.cycle_seconds = Histogram(
            "newsmon_cycle_duration_seconds", "Wall time of a cycle", buckets=CYCLE_BUCKETS,
            registry=r,
        )  # fmt: skip
        self.last_cycle_end = Gauge(
            "newsmon_last_cycle_end_timestamp_seconds", "When the last cycle ended", registry=r
        )
        self.pages = Counter("newsmon_pages_fetched", "HTTP requests made by crawls", registry=r)
        self.bytes = Counter("newsmon_bytes_received", "Response bytes received", registry=r)
        self.articles = Counter(
            "newsmon_articles", "Article pages by what the store made of them", ["result"],
            registry=r,
        )  # fmt: skip
        self.detections = Counter(
            "newsmon_detections", "Articles run through detection", registry=r
        )
        self.detect_failures = Counter(
            "newsmon_detect_failures", "Articles whose detection or grouping raised", registry=r
        )
        self.events = Counter("newsmon_events_new", "New events", registry=r)
        self.alerts = Counter("newsmon_alerts", "Alert delivery outcomes", ["outcome"], registry=r)
        self.source_errors = Counter(
            "newsmon_source_errors", "Failed requests per source", ["source"], registry=r
        )
        self.source_requests = Counter(
            "newsmon_source_requests", "Requests per source", ["source"], registry=r
        )
        self.crawl_errors = Counter(
            "newsmon_crawl_errors", "Failed requests by kind (feed, sitemap, article…)", ["kind"],
            registry=r,
        )  # fmt: skip
        self.reloads = Counter("newsmon_config_reloads", "SIGHUP reloads", ["outcome"], registry=r)
        self.steps_abandoned = Counter(
            "newsmon_steps_abandoned", "Steps given up past their time limit", ["step"],
            registry=r,
        )  # fmt: skip
        ProcessCollector(registry=r)
        if store is not None:
            r.register(StoreCollector(store))

    def record_abandoned(self, step: Step) -> None:
        self.steps_abandoned.labels(step.name).inc()

    def record_cycle(self, report: CycleReport, seconds: float, ended_at: float) -> None:
        self.cycles.labels("ok").inc()
        self.cycle_seconds.observe(seconds)
        self.last_cycle_end.set(ended_at)
        crawl = report.crawl
        if crawl is not None:
            raw = crawl.raw
            self.pages.inc(crawl.requests)
            self.bytes.inc(crawl.bytes_received)
            self.articles.labels("new").inc(crawl.new_articles)
            self.articles.labels("duplicate").inc(_num(raw, proto.STORE_EXACT_DUPLICATE))
            self.articles.labels("already_stored").inc(_num(raw, proto.STORE_ALREADY_STORED))
            self.articles.labels("skipped_seen").inc(crawl.skipped_seen)
            for key, value in raw.items():
                self._record_raw(key, value)
        self.detections.inc(len(report.detected))
        self.detect_failures.inc(len(report.failed))
        self.events.inc(report.new_events)
        self.record_dispatch(report.dispatch)

    def record_failed_cycle(self, seconds: float, ended_at: float) -> None:
        self.cycles.labels("failed").inc()
        self.cycle_seconds.observe(seconds)
        self.last_cycle_end.set(ended_at)

    def record_dispatch(self, report: DispatchReport) -> None:
        self.alerts.labels("sent").inc(report.sent)
        self.alerts.labels("failed").inc(report.failed)
        self.alerts.labels("retrying").inc(report.retrying)

    def render(self) -> bytes:
        return generate_latest(self.registry)

    def _record_raw(self, key: str, value: object) -> None:
        if not isinstance(value, int | float):
            return
        if key.startswith(bk.PREFIX):
            source, _, counter = key[len(bk.PREFIX) :].rpartition("/")
            if counter == "errors":
                self.source_errors.labels(source).inc(value)
            elif counter == "requests":
                self.source_requests.labels(source).inc(value)
        elif key.startswith(proto.ERRORS_PREFIX):
            self.crawl_errors.labels(key.rsplit("/", 1)[1]).inc(value)


class StoreCollector(Collector):
    """Outbox, failed-detection and source-health gauges, read from the store at scrape time."""

    def __init__(self, store: Store) -> None:
        self.store = store

    def collect(self) -> Iterator[Metric]:
        alerts = GaugeMetricFamily(
            "newsmon_outbox_alerts", "Alerts in the outbox by status", labels=["status"]
        )
        source_failures = GaugeMetricFamily(
            "newsmon_source_consecutive_failures", "Failed crawls in a row", labels=["source"]
        )
        detect_failed = GaugeMetricFamily(
            "newsmon_articles_detect_failed",
            "Stored articles whose detection failed, skipped until retried",
        )
        health = GaugeMetricFamily(
            "newsmon_source_health",
            "1 for the source's current health",
            labels=["source", "health"],
        )
        try:
            with self.store.session() as session:
                counts = session.execute(
                    select(Alert.status, func.count()).group_by(Alert.status)
                ).all()
                sources = session.execute(
                    select(Source.name, Source.consecutive_failures, Source.health)
                ).all()
                failed_articles = session.scalar(select(func.count()).select_from(DetectFailure))
        except Exception:
            # A scrape must not fail because the store is down; /healthz says so instead.
            log.warning("metrics: the store cannot be read", exc_info=True)
            return
        by_status = {str(s): int(n) for s, n in counts}
        for status in ("pending", "sent", "failed"):
            alerts.add_metric([status], by_status.get(status, 0))
        for name, failed, state in sources:
            source_failures.add_metric([name], failed or 0)
            health.add_metric([name, state or "ok"], 1)
        detect_failed.add_metric([], int(failed_articles or 0))
        yield alerts
        yield detect_failed
        yield source_failures
        yield health

    def describe(self) -> Iterator[Metric]:
        return iter(())


def _num(raw: dict[str, object], key: str) -> int:
    value = raw.get(key)
    return int(value) if isinstance(value, int | float) else 0

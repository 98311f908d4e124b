"""The queue as `newsmon status` and `/metrics` show it: tasks waiting, running, failed, per
worker (from the store's task table), the broker's queue length, and which workers answer."""

from __future__ import annotations

import logging
from collections.abc import Iterator
from datetime import timedelta
from typing import Any

from prometheus_client.core import GaugeMetricFamily, Metric
from prometheus_client.registry import Collector
from sqlalchemy import func, select

from monitor.config.distributed import DistributedConfig
from monitor.errors import first_line
from monitor.store import Store
from monitor.store.models import CrawlTask

log = logging.getLogger(__name__)

# Finished tasks are counted per worker over this window.
RECENT = timedelta(hours=24)


def broker_queue_length(dist: DistributedConfig) -> int:
    """Messages waiting in the broker's queue; raises when the broker cannot be reached."""
    from kombu.connection import Connection
    from kombu.exceptions import ChannelError

    from monitor.distributed.app import transport_options

    with Connection(  # type: ignore[no-untyped-call]
        dist.broker_url, transport_options=transport_options(dist), connect_timeout=2
    ) as conn:
        conn.ensure_connection(max_retries=1)
        try:
            _, count, _ = conn.default_channel.queue_declare(dist.queue, passive=True)
        except ChannelError:
            return 0  # not declared yet: nothing was ever sent
        return int(count)


def workers_online(dist: DistributedConfig, timeout: float = 1.0) -> list[str]:
    from monitor.distributed.app import make_app

    app = make_app(dist)
    try:
        replies = app.control.inspect(timeout=timeout).ping() or {}
    finally:
        app.close()
    return sorted(replies)


def task_counts(store: Store) -> dict[str, Any]:
    since = store.clock() - RECENT
    with store.session() as session:
        by_status = dict(
            session.execute(
                select(CrawlTask.status, func.count())
                .where(CrawlTask.status.in_(("unsent", "queued", "running", "retrying")))
                .group_by(CrawlTask.status)
            ).all()
        )
        per_worker = session.execute(
            select(CrawlTask.worker, CrawlTask.status, func.count())
            .where(CrawlTask.worker.is_not(None))
            .where((CrawlTask.status == "running") | (CrawlTask.updated_at >= since))
            .group_by(CrawlTask.worker, CrawlTask.status)
        ).all()
        failed = session.scalar(
            select(func.count()).where(CrawlTask.status == "failed", CrawlTask.updated_at >= since)
        )
        unsent = session.execute(
            select(func.min(CrawlTask.created_at), func.max(CrawlTask.error)).where(
                CrawlTask.status == "unsent"
            )
        ).one()
    workers: dict[str, dict[str, int]] = {}
    for worker, status, n in per_worker:
        counts = workers.setdefault(str(worker), {"running": 0, "done": 0, "failed": 0})
        if status in counts:
            counts[str(status)] += int(n)
    return {
        "unsent": int(by_status.get("unsent", 0)),
        "queued": int(by_status.get("queued", 0)),
        "running": int(by_status.get("running", 0)),
        "retrying": int(by_status.get("retrying", 0)),
        "failed_24h": int(failed or 0),
        "waiting_for_broker_since": unsent[0].isoformat(timespec="seconds") if unsent[0] else None,
        "broker_error": unsent[1],
        "workers": workers,
    }


def queue_status(store: Store, dist: DistributedConfig) -> dict[str, Any]:
    status = task_counts(store)
    broker: dict[str, Any] = {"url": _redacted(dist.broker_url), "queue": dist.queue}
    try:
        broker["waiting"] = broker_queue_length(dist)
        broker["up"] = True
        broker["workers_online"] = workers_online(dist)
    except Exception as exc:
        broker.update(up=False, error=first_line(exc), waiting=None, workers_online=[])
    status["broker"] = broker
    return status


def render_queue(queue: dict[str, Any]) -> list[str]:
    broker = queue["broker"]
    lines = ["", f"queue ({broker['queue']} on {broker['url']}):"]
    if broker["up"]:
        online = ", ".join(broker["workers_online"]) or "none"
        lines.append(
            f"  broker up: {broker['waiting']} task(s) in the queue; workers online: {online}"
        )
    else:
        lines.append(f"  broker DOWN: {broker['error']}")
    lines.append(
        f"  tasks: {queue['queued']} queued, {queue['running']} running, {queue['retrying']}"
        f" retrying, {queue['failed_24h']} failed in 24h"
    )
    if queue["unsent"]:
        lines.append(
            f"  {queue['unsent']} due source(s) wait for the broker since"
            f" {queue['waiting_for_broker_since']}: {queue['broker_error']}"
        )
    for worker, counts in sorted(queue["workers"].items()):
        lines.append(
            f"  {worker:<28} {counts['running']} running, {counts['done']} done,"
            f" {counts['failed']} failed (24h)"
        )
    return lines


class QueueCollector(Collector):
    """Gauges of the task table and the broker queue, read at scrape time."""

    def __init__(self, store: Store, dist: DistributedConfig) -> None:
        self.store, self.dist = store, dist

    def collect(self) -> Iterator[Metric]:
        tasks = GaugeMetricFamily(
            "newsmon_crawl_tasks", "Open crawl tasks by status", labels=["status"]
        )
        per_worker = GaugeMetricFamily(
            "newsmon_worker_tasks",
            "Crawl tasks per worker: running now, done and failed in 24 h",
            labels=["worker", "status"],
        )
        broker_up = GaugeMetricFamily("newsmon_broker_up", "1 if the broker answers")
        waiting = GaugeMetricFamily("newsmon_broker_queue_length", "Tasks waiting in the broker")
        try:
            counts = task_counts(self.store)
        except Exception:
            log.warning("metrics: the task table cannot be read", exc_info=True)
            return
        for status in ("unsent", "queued", "running", "retrying"):
            tasks.add_metric([status], counts[status])
        for worker, by_status in counts["workers"].items():
            for status, n in by_status.items():
                per_worker.add_metric([worker, status], n)
        try:
            waiting.add_metric([], broker_queue_length(self.dist))
            broker_up.add_metric([], 1)
        except Exception:
            broker_up.add_metric([], 0)
        yield tasks
        yield per_worker
        yield broker_up
        yield waiting

    def describe(self) -> Iterator[Metric]:
        return iter(())


def _redacted(url: str) -> str:
    from kombu.utils.url import maybe_sanitize_url

    return str(maybe_sanitize_url(url))

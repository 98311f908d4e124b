"""The coordinator's side: `newsmon run` with `executor: celery` enqueues instead of crawling.

Each tick (every `distributed.poll_seconds`):

1. sends again what the broker may have lost: tasks never accepted by it (`unsent`, the broker
   was down) and open tasks untouched for `requeue_after` whose source nobody is crawling;
2. creates and sends a task for each due source that has none open;
3. runs detection, grouping and the outbox over what the workers stored, exactly as the
   in-process cycle does. Only the coordinator runs these steps, and there is one coordinator
   per store (its store lock), so each article is detected once and each alert sent once.

A broker that is down stops nothing: the tick logs it, the tasks wait as `unsent` in the store
(`newsmon status` lists them) and are sent, in order, by the first tick that reaches the broker.
"""

from __future__ import annotations

import asyncio
import logging
import time
from dataclasses import dataclass
from datetime import timedelta
from typing import Any, Protocol

from monitor.config.distributed import DistributedConfig
from monitor.crawl.due import due_sources
from monitor.cycle import CycleReport, Monitor
from monitor.distributed import taskstate
from monitor.distributed.source_lock import held_sources
from monitor.errors import first_line
from monitor.store.models import CrawlTask

log = logging.getLogger(__name__)

# While the broker stays down, say so again this often (the first failure is said at once).
BROKER_NOTICE_SECONDS = 60.0


class Sender(Protocol):
    def send(self, task_id: int, source: dict[str, Any]) -> None: ...


class CeleryBroker:
    """Sends tasks through Celery; any failure to reach the broker raises."""

    def __init__(self, dist: DistributedConfig) -> None:
        from monitor.distributed.app import TASK_NAME, make_app, transport_options

        self.dist = dist
        self.app = make_app(dist)
        # Kombu otherwise retries the connection for each send (6 s against a broker that
        # refuses it), and every tick of an outage would wait that long for nothing.
        self.app.conf.broker_transport_options = {**transport_options(dist), "max_retries": 0}
        self._task = TASK_NAME

    def send(self, task_id: int, source: dict[str, Any]) -> None:
        # No retries inside Celery: the store keeps the task and the next tick sends it.
        self.app.send_task(self._task, args=[task_id, source], queue=self.dist.queue, retry=False)


@dataclass
class SendReport:
    sent: int = 0
    waiting: int = 0
    new: int = 0
    error: str | None = None


class Coordinator:
    def __init__(self, dist: DistributedConfig, sender: Sender | None = None) -> None:
        self.dist = dist
        self.sender: Sender = sender or CeleryBroker(dist)
        self.broker_error: str | None = None
        self._last_notice = 0.0

    async def tick(self, monitor: Monitor) -> CycleReport:
        sent = await asyncio.to_thread(self.enqueue, monitor)
        finished = await asyncio.to_thread(self._collect, monitor)
        report = CycleReport(run_id=0, sources=finished, crawl=None)
        # The same steps as the in-process cycle after its crawl: detection off the loop, one
        # article at a time under its time limit, then digests, notices and sending.
        outcomes = await monitor.detect_stored()
        report.detected = [o for o in outcomes if not o.failed]
        report.failed = [o for o in outcomes if o.failed]
        report.digests = monitor.queue_digests()
        report.notices = monitor.queue_health_notices()
        report.dispatch = await monitor.dispatch()
        if sent.new or finished or report.detected or report.dispatch.sent:
            log.info(
                "tick: %d sources enqueued, %d tasks finished, %d detections, %d new events,"
                " %d alerts sent",
                sent.new,
                len(finished),
                len(report.detected),
                report.new_events,
                report.dispatch.sent,
            )
        return report

    def enqueue(self, monitor: Monitor) -> SendReport:
        store = monitor.store
        now = store.clock()
        by_name = {s.name: s for s in monitor.config.enabled_sources()}
        with store.session() as session:
            stale = taskstate.stale(
                session,
                queued_before=now - timedelta(seconds=self.dist.requeue_after),
                running_before=now - timedelta(seconds=self.dist.lost_after_seconds),
            )
            held = held_sources(session.connection(), sorted({r.source for r in stale}))
            # Open tasks first, due sources second: a task that finishes in between has
            # recorded its crawl in the same transaction as its end, so the second read sees
            # the source as crawled. The other order lets it look due and not busy, and it is
            # crawled twice.
            busy = taskstate.open_sources(session)
            due = due_sources(
                session,
                monitor.config.enabled_sources(),
                default_minutes=monitor.config.settings.schedule.crawl_every_minutes,
                now=now,
            )
            new = taskstate.create(session, [s.name for s in due if s.name not in busy], now=now)
            pending = [(r.id, r.source) for r in taskstate.unsent(session)]
            pending += [(r.id, r.source) for r in stale if r.source not in held]
            for row in stale:
                if row.source in held:
                    row.updated_at = now  # still being crawled: look again later
                elif row.status == "running":
                    log.warning(
                        "task %d: the crawl of %s on %s ended without a word (worker lost?);"
                        " sending it again",
                        row.id,
                        row.source,
                        row.worker,
                    )
        report = SendReport(new=len(new))
        for index, (task_id, name) in enumerate(pending):
            source = by_name.get(name)
            if source is None:
                self._drop(monitor, task_id, name)
                continue
            try:
                self.sender.send(task_id, source.model_dump(mode="json"))
            except Exception as exc:
                report.error = first_line(exc)
                report.waiting = len(pending) - index
                self._broker_down(monitor, report, [t for t, _ in pending[index:]])
                return report
            with store.session() as session:
                taskstate.mark_sent(session, task_id, now=store.clock())
            report.sent += 1
        if self.broker_error is not None:
            log.warning("the broker is back: %d waiting task(s) sent", report.sent)
            self.broker_error = None
        return report

    def _broker_down(self, monitor: Monitor, report: SendReport, waiting: list[int]) -> None:
        store, error = monitor.store, report.error or "unreachable"
        with store.session() as session:
            for task_id in waiting:
                taskstate.mark_unsent(session, task_id, now=store.clock(), error=error)
        now = time.monotonic()
        if self.broker_error is None or now - self._last_notice >= BROKER_NOTICE_SECONDS:
            log.warning(
                "broker unreachable (%s): %d due source(s) wait in the store and are sent when"
                " it is back; the schedule goes on",
                error,
                report.waiting,
            )
            self._last_notice = now
        self.broker_error = error

    def _drop(self, monitor: Monitor, task_id: int, name: str) -> None:
        log.warning("task %d: source %s is no longer configured; dropped", task_id, name)
        store = monitor.store
        with store.session() as session:
            row = session.get(CrawlTask, task_id)
            if row is not None:
                row.status, row.error = "failed", "source no longer configured"
                row.finished_at = row.updated_at = store.clock()

    def _collect(self, monitor: Monitor) -> list[str]:
        with monitor.store.session() as session:
            return [row.source for row in taskstate.collect_finished(session)]

"""`newsmon run`: the long-running daemon.

One process: Twisted's asyncio reactor drives APScheduler's `AsyncIOScheduler` and Scrapy's
`AsyncCrawlerRunner`. Around the cycle it adds what a service needs:

- a lock on the store (`monitor.ops.lock`), so a second daemon refuses to start;
- SIGTERM/SIGINT stop the reactor; before it stops, `_graceful` closes the running crawl (its
  spiders finish with reason 'shutdown'), lets the cycle finish its step, and only then shuts
  the scheduler down — shutting it down first would cancel the running job and let post-crawl
  code run too early;
- SIGHUP reloads the config between cycles; an invalid new config is logged and the running
  one kept;
- a dispatch job between cycles (queueing due digests first), and the /healthz and /metrics
  endpoint (`monitor.ops.endpoint`). Digests and source-health notices are steps of the cycle
  itself (`monitor.cycle`), as for `newsmon crawl --once`.
"""

from __future__ import annotations

import asyncio
import logging
import os
import signal
import time
from datetime import UTC, datetime
from typing import Any

from monitor.config.model import Config, load_config
from monitor.crawl import reactor as reactor_setup
from monitor.crawl.watchdog import StepAbandoned, Watchdog
from monitor.cycle import Monitor
from monitor.errors import NewsmonError
from monitor.ops.endpoint import DaemonState, EndpointServer
from monitor.ops.lock import LockUnavailable, StoreLock
from monitor.ops.metrics import Metrics

log = logging.getLogger(__name__)
# The start-up line and one line per cycle: what an operator sees without -v (the CLI sets
# this logger to INFO for `newsmon run`).
progress = logging.getLogger(__name__ + ".progress")

# How long SIGTERM waits for the running step; systemd's TimeoutStopSec must be longer.
STOP_GRACE_SECONDS = 5


class Daemon:
    def __init__(self, config: Config, monitor: Monitor | None = None) -> None:
        self.config = config
        self._monitor = monitor
        self.lock = StoreLock(config.settings.store.url)
        self.stopping = False
        # The error that stopped the daemon, which `run` raises once the reactor has stopped.
        self.fatal: NewsmonError | None = None
        self._busy: asyncio.Lock | None = None
        self.scheduler: Any = None
        self.cycles = 0
        self.watchdog = monitor.watchdog if monitor is not None else Watchdog()
        self.state = DaemonState(cycle_every_seconds=_interval(config), watchdog=self.watchdog)
        _set_bounds(self.state, config)
        self.metrics: Metrics | None = None
        self.endpoint: EndpointServer | None = None
        self._reactor: Any = None
        # Set with `distributed.executor: celery`: ticks enqueue due sources instead of crawling.
        self.coordinator: Any = None

    @property
    def monitor(self) -> Monitor:
        if self._monitor is None:
            raise RuntimeError("the daemon has not started")
        return self._monitor

    # -- jobs ------------------------------------------------------------------------------

    async def cycle_job(self) -> None:
        if self.stopping:
            return
        assert self._busy is not None
        async with self._busy:
            # A stop may have come while this job waited for the lock.
            if self.stopping:
                return
            try:
                lock_held = self.lock.verify()
            except LockUnavailable as exc:
                # The store is down too; the next tick asks again.
                log.warning("cycle skipped: %s", exc)
                return
            if not lock_held:
                log.error("the store lock was lost to another daemon; stopping")
                self._reactor.stop()
                return
            self.state.cycle_running = True
            started = time.monotonic()
            try:
                if self.coordinator is not None:
                    report = await self.coordinator.tick(self.monitor)
                else:
                    report = await self.monitor.run_cycle()
            except Exception as exc:
                self._cycle_ended(started, None)
                failure = self.monitor.store.failure(exc)
                if failure is not None:
                    # A full disk or a read-only store: no later cycle can do better.
                    log.error("stopping: %s", failure)
                    self.fatal = failure
                    self._reactor.stop()
                    return
                # One failed cycle is logged and the schedule goes on; the next tick retries.
                log.exception("crawl cycle failed")
                return
            finally:
                self.state.cycle_running = False
            self.cycles += 1
            self._cycle_ended(started, report)
            self._log_cycle(report, time.monotonic() - started)

    async def dispatch_job(self) -> None:
        """Send due alerts, also while a cycle crawls: alerts of the articles already stored
        need not wait for the slowest source. Leases keep this run and the cycle's from
        sending one alert twice."""
        if self.stopping:
            return
        monitor = self.monitor
        if monitor.dispatching:
            return  # the running one sends what is due
        try:
            monitor.queue_digests()
            report = await monitor.dispatch()
            if self.metrics is not None:
                self.metrics.record_dispatch(report)
        except StepAbandoned:
            pass  # logged and counted by the watchdog; /healthz names it while it hangs
        except Exception:
            log.exception("alert dispatch failed")

    def _log_cycle(self, report: Any, seconds: float) -> None:
        job = self.scheduler.get_job("cycle") if self.scheduler is not None else None
        upcoming = getattr(job, "next_run_time", None)
        progress.info(
            "cycle %d done in %.1f s: %d sources, %d new articles, %d new events, "
            "%d alerts sent%s",
            self.cycles,
            seconds,
            len(report.sources),
            report.crawl.new_articles if report.crawl else 0,
            report.new_events,
            report.dispatch.sent,
            f"; next at {upcoming:%H:%M %Z}" if upcoming else "",
        )

    def _cycle_ended(self, started: float, report: Any) -> None:
        seconds, now = time.monotonic() - started, time.time()
        self.state.last_cycle_end, self.state.last_cycle_ok = now, report is not None
        self.state.cycles = self.cycles
        if self.metrics is not None:
            if report is None:
                self.metrics.record_failed_cycle(seconds, now)
            else:
                self.metrics.record_cycle(report, seconds, now)

    # -- reload and stop -------------------------------------------------------------------

    def request_reload(self) -> None:
        """Called from the SIGHUP handler; the reload itself runs in the loop, between steps."""
        if self.stopping or self._reactor is None:
            return
        from scrapy.utils.defer import deferred_from_coro

        self._reactor.callFromThread(lambda: deferred_from_coro(self.reload()))

    async def reload(self) -> bool:
        assert self._busy is not None
        async with self._busy:  # never swap the monitor under a running cycle
            if self.stopping:
                return False
            try:
                new = load_config(self.config.path)
                if new.settings.store.url != self.config.settings.store.url:
                    raise NewsmonError("store.url cannot change while running; restart instead")
                same_crawl = new.settings.crawl == self.config.settings.crawl
                crawler = self.monitor.crawler if same_crawl else None
                monitor = Monitor(
                    new, store=self.monitor.store, crawler=crawler, watchdog=self.watchdog
                )
                monitor.failed_articles = self.monitor.failed_articles
            except Exception as exc:
                log.error("config reload REJECTED, still running the previous config: %s", exc)
                if self.metrics is not None:
                    self.metrics.reloads.labels("rejected").inc()
                return False
            old = self.config
            self.config, self._monitor = new, monitor
            if new.settings.distributed != old.settings.distributed:
                log.warning("distributed: changed: it takes effect at the next restart")
            if new.settings.health != old.settings.health:
                log.warning("health.listen changed: it takes effect at the next restart")
            self._reschedule(old, new)
            if self.metrics is not None:
                self.metrics.reloads.labels("ok").inc()
            log.warning(
                "config reloaded from %s: %d sources enabled", new.path, len(new.enabled_sources())
            )
            return True

    def _reschedule(self, old: Config, new: Config) -> None:
        before, after = old.settings.schedule, new.settings.schedule
        if self.scheduler is None:
            return
        self.state.cycle_every_seconds = _interval(new)
        _set_bounds(self.state, new)
        # Ticks of the Celery coordinator do not follow the crawl interval.
        if before.crawl_every_minutes != after.crawl_every_minutes and self.coordinator is None:
            self.scheduler.reschedule_job(
                "cycle", trigger="interval", minutes=after.crawl_every_minutes
            )
        if before.dispatch_every_seconds != after.dispatch_every_seconds:
            self.scheduler.reschedule_job(
                "dispatch", trigger="interval", seconds=after.dispatch_every_seconds
            )

    async def _graceful(self) -> None:
        log.info("stopping: finishing the current step")
        self.stopping = True
        if self.scheduler is not None:
            self.scheduler.pause()
        try:
            await asyncio.wait_for(self._finish_step(), STOP_GRACE_SECONDS)
        except TimeoutError:
            # A request hung on a slow site would hold the stop for its whole download
            # timeout. What is stored stays stored; the run left 'running' is marked
            # interrupted at the next start, which fetches what was not stored yet.
            log.warning(
                "the running step did not finish within %ds; stopping without it",
                STOP_GRACE_SECONDS,
            )
        if self.scheduler is not None:
            self.scheduler.shutdown(wait=False)
        if self.endpoint is not None:
            self.endpoint.stop()
        if self._monitor is not None:
            self._monitor.store.dispose()
        self.lock.release()
        log.info("stopped cleanly")

    async def _finish_step(self) -> None:
        if self._monitor is not None:
            await self._monitor.crawler.stop()
        if self._busy is not None:
            async with self._busy:
                pass
        if self._monitor is not None:
            await self._monitor.dispatch_finished()

    # -- start -----------------------------------------------------------------------------

    def run(self) -> int:
        reactor_setup.install()
        from apscheduler.schedulers.asyncio import AsyncIOScheduler
        from scrapy.utils.defer import deferred_from_coro
        from twisted.internet import reactor as twisted_reactor

        reactor: Any = twisted_reactor
        self._reactor = reactor
        # Before the store is opened (and migrated): a second daemon must not touch it at all.
        self.lock.acquire()
        if self._monitor is None:
            self._monitor = Monitor(self.config, watchdog=self.watchdog)
        monitor = self.monitor
        interrupted = monitor.recover()
        if interrupted:
            log.warning("%d crawl run(s) were interrupted by an earlier stop", interrupted)
        loop = reactor._asyncioEventloop
        self._busy = asyncio.Lock()
        self.scheduler = self._build_scheduler(AsyncIOScheduler, loop)
        self.metrics = Metrics(monitor.store)
        self.watchdog.on_abandon = self.metrics.record_abandoned
        if self.config.settings.distributed.celery:
            from monitor.distributed.coordinator import Coordinator
            from monitor.distributed.queue_stats import QueueCollector

            self.coordinator = Coordinator(self.config.settings.distributed)
            self.metrics.registry.register(
                QueueCollector(monitor.store, self.config.settings.distributed)
            )
        self.state.scheduler_running = lambda: bool(self.scheduler and self.scheduler.running)
        address = self.config.settings.health.address
        if address is not None:
            self.endpoint = EndpointServer(address, self.state, self.metrics, monitor.store, loop)
            self.endpoint.start()
        reactor.callWhenRunning(self.scheduler.start)
        reactor.addSystemEventTrigger(
            "before", "shutdown", lambda: deferred_from_coro(self._graceful())
        )
        # Twisted installs SIGINT/SIGTERM handlers in reactor.run(); SIGHUP is ours.
        signal.signal(signal.SIGHUP, lambda _signo, _frame: self.request_reload())
        schedule = self.config.settings.schedule
        progress.info(
            "newsmon running (pid %d): %d sources, cycle every %g min, store %s, %s%s",
            os.getpid(),
            len(self.config.enabled_sources()),
            schedule.crawl_every_minutes,
            monitor.store.redacted_url(),
            self.lock.describe(),
            ", crawling on Celery workers" if self.coordinator is not None else "",
        )
        reactor.run()
        if self.fatal is not None:
            raise self.fatal
        return 0

    def _build_scheduler(self, scheduler_class: Any, loop: Any) -> Any:
        schedule = self.config.settings.schedule
        scheduler = scheduler_class(
            event_loop=loop,
            timezone=schedule.timezone,
            job_defaults={
                "max_instances": 1,
                "coalesce": True,
                "misfire_grace_time": schedule.misfire_grace_seconds,
            },
        )
        # With Celery a tick only enqueues what is due and collects what workers stored; each
        # source keeps its own interval (monitor/crawl/due.py).
        distributed = self.config.settings.distributed
        every = schedule.crawl_every_minutes * 60
        if distributed.celery:
            every = distributed.poll_seconds
        scheduler.add_job(
            self.cycle_job,
            "interval",
            seconds=every,
            next_run_time=datetime.now(UTC),
            id="cycle",
            name="crawl cycle",
        )
        scheduler.add_job(
            self.dispatch_job,
            "interval",
            seconds=schedule.dispatch_every_seconds,
            id="dispatch",
            name="alert dispatch",
        )
        return scheduler


def _interval(config: Config) -> float:
    return config.settings.schedule.crawl_every_minutes * 60.0


def _set_bounds(state: DaemonState, config: Config) -> None:
    """How long a cycle and a dispatch run may take before /healthz calls them overdue: their
    interval, their time limit and some slack (a cycle also detects and dispatches)."""
    ops, schedule = config.settings.operations, config.settings.schedule
    state.cycle_bound_seconds = (
        _interval(config) + ops.crawl_limit_seconds + ops.dispatch_limit_seconds + 600
    )
    state.dispatch_bound_seconds = schedule.dispatch_every_seconds + ops.dispatch_limit_seconds + 60

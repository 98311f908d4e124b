"""A test hook: stop the daemon dead at a named point of a cycle, to be killed there.

`python -m tests.hooks.launch --pause-at after-crawl -- run -c CONFIG` (or `after-detect`,
`before-send`, `after-send`; several may be given, comma-separated) runs `newsmon run` that logs
``paused at <point>`` the first time it reaches that point and then waits forever. The
crash-safety test kills it there with SIGKILL, which is the only way to prove that a crash
*between* two steps loses and doubles nothing.

- ``after-crawl``: the crawl run is recorded, nothing of it detected yet;
- ``after-detect``: detections, events and their outbox rows are committed, nothing sent;
- ``before-send``: an alert's attempt is written down, the channel not yet called;
- ``after-send``: the channel confirmed delivery, the outbox row not yet marked sent.
"""

from __future__ import annotations

import asyncio
import logging
import threading
from collections.abc import Sequence
from typing import TYPE_CHECKING, Any

from crawler.sources import SourceSpec

if TYPE_CHECKING:
    from monitor.alerts.channels.base import Channel, DeliveryResult
    from monitor.alerts.payload import Message
    from monitor.crawl.runner import CrawlBackend, CrawlStats
    from monitor.cycle import Monitor

log = logging.getLogger(__name__)

POINTS = ("after-crawl", "after-detect", "before-send", "after-send")


class _Points:
    def __init__(self, names: set[str]) -> None:
        self.names = names

    def reached(self, name: str) -> bool:
        if name not in self.names:
            return False
        self.names.discard(name)
        log.warning("paused at %s", name)
        return True

    async def pause_async(self, name: str) -> None:
        if self.reached(name):
            await asyncio.get_running_loop().create_future()

    def pause(self, name: str) -> None:
        if self.reached(name):
            threading.Event().wait()


class _PausingCrawl:
    def __init__(self, inner: CrawlBackend, points: _Points) -> None:
        self.inner, self.points = inner, points

    async def crawl(self, sources: Sequence[SourceSpec], *, crawl_run_id: int) -> CrawlStats:
        stats = await self.inner.crawl(sources, crawl_run_id=crawl_run_id)
        await self.points.pause_async("after-crawl")
        return stats

    async def stop(self) -> None:
        await self.inner.stop()


class _PausingChannel:
    def __init__(self, inner: Channel, points: _Points) -> None:
        self.inner, self.points, self.name = inner, points, inner.name

    def send(self, message: Message) -> DeliveryResult:
        self.points.pause("before-send")
        result = self.inner.send(message)
        self.points.pause("after-send")
        return result

    def describe(self) -> str:
        return self.inner.describe()


def install_pause_points(monitor: Monitor, spec: str) -> None:
    names = {n.strip() for n in spec.split(",") if n.strip()}
    if not names:
        return
    unknown = names - set(POINTS)
    if unknown:
        raise ValueError(f"--pause-at: unknown point(s) {sorted(unknown)}; know {POINTS}")
    points = _Points(names)
    monitor.crawler = _PausingCrawl(monitor.crawler, points)
    dispatcher = monitor.dispatcher
    dispatcher.channels = {k: _PausingChannel(c, points) for k, c in dispatcher.channels.items()}
    detect = monitor.detect_stored

    async def detect_then_pause(*args: Any) -> Any:
        outcome = await detect(*args)
        await points.pause_async("after-detect")
        return outcome

    # An instance attribute shadows the method for this monitor only.
    monitor.detect_stored = detect_then_pause  # type: ignore[method-assign]

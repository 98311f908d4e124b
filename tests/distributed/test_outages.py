"""Outages: the broker down while sources fall due, PostgreSQL down for the workers.

The coordinator runs in the test with an injected clock (its ticks are called directly), so
"an hour later" takes no time; the workers are real `newsmon worker` processes.
"""

from __future__ import annotations

import asyncio
import io
import logging
from collections.abc import Sequence
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
import yaml
from sqlalchemy import func, select
from sqlalchemy.engine import make_url

from crawler.sources import SourceSpec
from monitor.commands.status import show_status
from monitor.config.model import load_config
from monitor.crawl.runner import CrawlStats
from monitor.cycle import Monitor
from monitor.distributed.coordinator import Coordinator
from monitor.store import Store
from monitor.store.models import Article, CrawlRun, CrawlTask
from tests.distributed.helpers import distributed_config, wait_for, worker
from tests.distributed.services import PrivateRedis, Relay
from tests.sites.many import ManySites

pytestmark = pytest.mark.postgres


class NoLocalCrawl:
    """The coordinator of a Celery deployment never crawls itself; this proves it."""

    async def crawl(self, sources: Sequence[SourceSpec], *, crawl_run_id: int) -> CrawlStats:
        raise AssertionError("the coordinator crawled instead of enqueueing")

    async def stop(self) -> None:
        return None


class Clock:
    def __init__(self) -> None:
        self.offset = timedelta(0)

    def __call__(self) -> datetime:
        return datetime.now(UTC) + self.offset


def _coordinator(config_path: Path, clock: Clock) -> tuple[Monitor, Coordinator]:
    config = load_config(config_path)
    store = Store(config.settings.store.url, clock=clock)
    monitor = Monitor(config, store=store, crawler=NoLocalCrawl())
    return monitor, Coordinator(config.settings.distributed)


def _tasks(store: Store) -> list[CrawlTask]:
    with store.session() as s:
        return list(s.scalars(select(CrawlTask).order_by(CrawlTask.id)))


def _tick(monitor: Monitor, coordinator: Coordinator) -> None:
    asyncio.run(coordinator.tick(monitor))


def test_broker_down_while_sources_fall_due(
    tmp_path: Path, pg_url: str, caplog: pytest.LogCaptureFixture
) -> None:
    redis = PrivateRedis(tmp_path)
    redis.start()
    clock = Clock()
    try:
        with ManySites(3, articles=1) as sites:
            config = distributed_config(
                tmp_path, pg_url, [sites.source(n) for n in sites.names],
                alert_log=tmp_path / "alerts.jsonl", broker_url=redis.url,
            )  # fmt: skip
            monitor, coordinator = _coordinator(config, clock)
            store = monitor.store
            with worker(config, "w1@test") as w1:
                w1.read_until("ready")

                def all_done(count: int) -> bool:
                    done = [t for t in _tasks(store) if t.status == "done"]
                    if len(done) < count:
                        _tick(monitor, coordinator)
                    return len(done) == count

                wait_for("the first round", lambda: all_done(3), timeout=240)

                redis.stop()
                caplog.set_level(logging.WARNING, logger="monitor.distributed.coordinator")
                # An hour passes while the broker is down: every source falls due; the ticks go
                # on and keep the due sources in the store.
                for minutes in (61, 62, 63, 64):
                    clock.offset = timedelta(minutes=minutes)
                    _tick(monitor, coordinator)
                assert "broker unreachable" in caplog.text
                assert "3 due source(s) wait in the store" in caplog.text
                waiting = [t for t in _tasks(store) if t.status == "unsent"]
                assert sorted(t.source for t in waiting) == sites.names  # each once, none lost
                status = io.StringIO()
                show_status(config, False, status)
                assert "broker DOWN" in status.getvalue(), status.getvalue()
                assert "3 due source(s) wait for the broker" in status.getvalue()

                redis.start()
                clock.offset = timedelta(0)
                caplog.clear()
                _tick(monitor, coordinator)
                assert "the broker is back: 3 waiting task(s) sent" in caplog.text
                wait_for(
                    "the second round after the broker came back", lambda: all_done(6), timeout=240
                )
    finally:
        redis.stop()
    for name in sites.names:
        assert len(sites.crawls(name)) == 2, f"{name} was not crawled after the outage"
    monitor.store.dispose()


def test_workers_retry_while_postgres_is_down(tmp_path: Path, pg_url: str) -> None:
    url = make_url(pg_url)
    relay = Relay((url.host or "127.0.0.1", url.port or 5432))
    clock = Clock()
    with ManySites(2, articles=2) as sites:
        config = distributed_config(
            tmp_path, pg_url, [sites.source(n) for n in sites.names],
            alert_log=tmp_path / "alerts.jsonl",
        )  # fmt: skip
        # The worker reaches PostgreSQL only through the relay, which starts cut.
        worker_dir = tmp_path / "worker"
        worker_dir.mkdir()
        main = yaml.safe_load(config.read_text(encoding="utf-8"))
        main["store"]["url"] = url.set(port=relay.port).render_as_string(hide_password=False)
        main["sources_file"] = str(tmp_path / "sources.yaml")
        worker_config = worker_dir / "newsmon.yaml"
        worker_config.write_text(yaml.safe_dump(main), encoding="utf-8")

        monitor, coordinator = _coordinator(config, clock)
        store = monitor.store
        _tick(monitor, coordinator)
        with worker(worker_config, "w1@test") as w1:
            w1.read_until("store unreachable, task")
            w1.read_until("store unreachable, task")  # it keeps trying
            with store.session() as s:
                assert s.scalar(select(func.count()).select_from(Article)) == 0
                assert s.scalar(select(func.count()).select_from(CrawlRun)) == 0
            assert {t.status for t in _tasks(store)} == {"queued"}
            assert sites.visits == []  # nothing was fetched that could not be stored

            relay.up()

            def done() -> bool:
                _tick(monitor, coordinator)
                return all(t.status == "done" for t in _tasks(store))

            wait_for("the tasks to finish once PostgreSQL is back", done)
        relay.down()
    with store.session() as s:
        urls = list(s.scalars(select(Article.canonical_url)))
        runs = list(s.scalars(select(CrawlRun.status)))
    assert len(urls) == len(set(urls)) == 4
    assert runs == ["finished", "finished"]
    store.dispose()

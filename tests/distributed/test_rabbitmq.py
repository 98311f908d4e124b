"""The cluster on RabbitMQ: a coordinator and one worker, three local sites.

The broker URL may name Redis or RabbitMQ; test_cluster covers Redis. Without a reachable
RabbitMQ the test is skipped, except in CI, where it must run.
"""

from __future__ import annotations

import asyncio
import os
from collections.abc import Iterator
from pathlib import Path

import pytest
from sqlalchemy import func, select

from monitor.config.model import load_config
from monitor.cycle import Monitor
from monitor.distributed.coordinator import Coordinator
from monitor.store import Store
from monitor.store.models import Alert, Article, CrawlTask
from tests.conftest import IN_CI
from tests.distributed.helpers import distributed_config, wait_for, worker
from tests.sites.many import ManySites

pytestmark = pytest.mark.postgres

AMQP_URL = os.environ.get("NEWSMON_TEST_AMQP_URL", "amqp://guest:guest@127.0.0.1:5672//")
SOURCES = 3
ARTICLES = 2


def _unreachable(url: str) -> str | None:
    from kombu.connection import Connection

    try:
        with Connection(url, connect_timeout=2) as conn:  # type: ignore[no-untyped-call]
            conn.ensure_connection(max_retries=1)
    except Exception as exc:
        return f"{type(exc).__name__}: {exc}"
    return None


@pytest.fixture
def amqp_url() -> Iterator[str]:
    error = _unreachable(AMQP_URL)
    if error is not None:
        message = f"RabbitMQ not reachable at {AMQP_URL}: {error}"
        if IN_CI:
            pytest.fail(f"{message} (CI must run the RabbitMQ test)")
        pytest.skip(message)
    yield AMQP_URL


def test_coordinator_and_worker_on_rabbitmq(tmp_path: Path, amqp_url: str, pg_url: str) -> None:
    with ManySites(SOURCES, articles=ARTICLES) as sites:
        config_path = distributed_config(
            tmp_path,
            pg_url,
            [sites.source(n) for n in sites.names],
            alert_log=tmp_path / "alerts.jsonl",
            broker_url=amqp_url,
        )
        # The coordinator runs in the test (its ticks are called directly, as `newsmon run`
        # calls them); the worker is a real `newsmon worker` process.
        config = load_config(config_path)
        monitor = Monitor(config, store=Store(pg_url))
        coordinator = Coordinator(config.settings.distributed)
        store = monitor.store
        try:
            with worker(config_path, "w1@test"):

                def finished() -> bool:
                    asyncio.run(coordinator.tick(monitor))
                    with store.session() as s:
                        done = s.scalar(select(func.count()).where(CrawlTask.status == "done"))
                        pending = s.scalar(select(func.count()).where(Alert.status == "pending"))
                        undetected = s.scalar(
                            select(func.count()).where(Article.detected_at.is_(None))
                        )
                    return done == SOURCES and pending == 0 and undetected == 0

                wait_for("every source crawled over RabbitMQ", finished, timeout=120)
            with store.session() as s:
                urls = list(s.scalars(select(Article.canonical_url)))
                tasks = list(s.scalars(select(CrawlTask)))
                alerts = list(s.scalars(select(Alert.status).where(Alert.kind != "operator")))
        finally:
            store.dispose()
            _delete_queue(amqp_url, config.settings.distributed.queue)

    expected = {sites.base_url(n) + p for n in sites.names for p in sites.article_paths(n)}
    assert len(urls) == len(set(urls)) and set(urls) == expected
    assert sorted(t.source for t in tasks) == sites.names
    assert {t.worker for t in tasks} == {"w1@test"}
    assert alerts and set(alerts) == {"sent"}
    for name in sites.names:
        assert len(sites.crawls(name)) == 1, f"{name} was crawled more than once"


def _delete_queue(url: str, queue: str) -> None:
    """RabbitMQ keeps a durable queue after its consumers leave; the run's own is removed."""
    from kombu.connection import Connection

    with Connection(url, connect_timeout=2) as conn:  # type: ignore[no-untyped-call]
        conn.default_channel.queue_delete(queue)

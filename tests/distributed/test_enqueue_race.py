"""A task that finishes while the coordinator is deciding what to enqueue is not sent twice.

The worker's end (task done, source crawled) is committed from another connection right after
the coordinator's first query of the tick, the moment at which the two reads it makes (open
tasks, due sources) could disagree.
"""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import event, select

from monitor.config.model import load_config
from monitor.crawl.due import record_crawl
from monitor.crawl.runner import CrawlStats
from monitor.cycle import Monitor
from monitor.distributed.coordinator import Coordinator
from monitor.store import Store
from monitor.store.models import CrawlTask
from tests.distributed.helpers import distributed_config

pytestmark = pytest.mark.postgres


class Recorder:
    """Stands for the broker: what was sent, in order (the real broker is in test_cluster)."""

    def __init__(self) -> None:
        self.sent: list[tuple[int, str]] = []

    def send(self, task_id: int, source: dict[str, Any]) -> None:
        self.sent.append((task_id, source["name"]))


def _finish(store: Store, task_id: int, monitor: Monitor) -> None:
    """What a worker's crawl commits at its end: the source crawled and the task done."""
    now = datetime.now(UTC)
    stats = CrawlStats("finished", 1, 100, 0, 0, 0, 0)
    with store.session() as session:
        record_crawl(session, monitor.config.enabled_sources(), stats, now=now)
        row = session.get(CrawlTask, task_id)
        assert row is not None
        row.status, row.finished_at, row.updated_at = "done", now, now


def test_a_task_finishing_mid_tick_is_not_enqueued_again(tmp_path: Path, pg_url: str) -> None:
    source = {"name": "one", "lang": "en", "feeds": ["http://127.0.0.1:9/feed.xml"]}
    config = load_config(
        distributed_config(tmp_path, pg_url, [source], alert_log=tmp_path / "alerts.jsonl")
    )
    store = Store(pg_url)
    monitor = Monitor(config, store=store)
    recorder = Recorder()
    coordinator = Coordinator(config.settings.distributed, sender=recorder)

    coordinator.enqueue(monitor)
    assert [name for _, name in recorder.sent] == ["one"]
    task_id = recorder.sent[0][0]
    with store.session() as session:
        row = session.get(CrawlTask, task_id)
        assert row is not None
        row.status, row.worker = "running", "w1@test"

    worker_side = Store(pg_url, migrate=False)
    fired: list[str] = []

    def finish_once(conn: Any, cursor: Any, statement: str, *args: Any) -> None:
        if not fired and statement.lstrip().upper().startswith("SELECT"):
            fired.append(statement)
            _finish(worker_side, task_id, monitor)

    event.listen(store.engine, "after_cursor_execute", finish_once)
    try:
        coordinator.enqueue(monitor)
    finally:
        event.remove(store.engine, "after_cursor_execute", finish_once)
    assert fired, "the coordinator made no query"
    with store.session() as session:
        tasks = list(session.scalars(select(CrawlTask.status).order_by(CrawlTask.id)))
    assert tasks == ["done"], f"the crawled source was enqueued again: {tasks}"
    assert len(recorder.sent) == 1
    worker_side.dispose()
    store.dispose()

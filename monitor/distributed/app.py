"""The Celery application and the one task, "crawl source S now".

Delivery is at least once: the task is acknowledged after it ran (`acks_late`) and put back when
its worker dies (`reject_on_worker_lost`); Redis hands an unacknowledged task to another worker
after the visibility timeout. What keeps "at least once" from becoming "twice at a time" is the
per-source lock the crawl takes in PostgreSQL, and the task row, which a finished crawl marks
done so a late copy of its message does nothing.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from typing import Any

from celery import Celery, Task

from monitor.config.distributed import DistributedConfig

log = logging.getLogger(__name__)

TASK_NAME = "newsmon.crawl_source"


def transport_options(dist: DistributedConfig) -> dict[str, Any]:
    return {
        "visibility_timeout": dist.visibility_timeout_seconds,
        "global_keyprefix": dist.key_prefix,
        # Look for tasks of dead workers this often (the default scans every 100 s).
        "unacked_restore_interval": dist.restore_interval_seconds,
        "unacked_restore_throttle": 1,
        "socket_connect_timeout": 3,
        "socket_timeout": 10,
    }


# What a worker runs for each task, given by the worker when it starts (`make_app(dist, run)`):
# the coordinator, which only sends, never loads the worker's side.
Runner = Callable[[int, dict[str, Any], str], tuple[str, float | None]]
_runner: Runner | None = None


def make_app(dist: DistributedConfig, runner: Runner | None = None) -> Celery:
    app = Celery("newsmon", broker=dist.broker_url, set_as_current=False)
    app.conf.update(
        broker_transport_options=transport_options(dist),
        broker_connection_timeout=3,
        broker_connection_retry_on_startup=True,
        # Retry the broker forever: a worker outlives a broker restart.
        broker_connection_max_retries=None,
        task_default_queue=dist.queue,
        task_acks_late=True,
        task_reject_on_worker_lost=True,
        task_ignore_result=True,
        task_serializer="json",
        accept_content=["json"],
        # One task per free slot: a long crawl must not sit on tasks another worker could run.
        worker_prefetch_multiplier=1,
        worker_hijack_root_logger=False,
        worker_redirect_stdouts=False,
        worker_send_task_events=True,
        task_send_sent_event=False,
        worker_cancel_long_running_tasks_on_connection_loss=False,
    )
    global _runner
    if runner is not None:
        _runner = runner
    app.task(
        name=TASK_NAME,
        bind=True,
        acks_late=True,
        reject_on_worker_lost=True,
        max_retries=None,
    )(_crawl_source)
    return app


def _crawl_source(self: Task, task_id: int, source: dict[str, Any]) -> str:
    if _runner is None:
        raise RuntimeError("this process sends crawl tasks; it cannot run them")
    outcome, retry_in = _runner(task_id, source, self.request.hostname or "worker")
    if retry_in is not None:
        raise self.retry(countdown=retry_in)
    return outcome

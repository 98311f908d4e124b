"""A coordinator and Celery workers as real processes, on the shared Redis and a fresh
PostgreSQL database; every run uses its own queue and key prefix so runs never meet."""

from __future__ import annotations

import socket
import time
import uuid
from collections.abc import Callable
from pathlib import Path
from typing import Any, TypeVar

import yaml

from tests.faults.config import write_config
from tests.faults.proc import DaemonProcess

T = TypeVar("T")
REDIS_URL = "redis://127.0.0.1:6379/0"


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def distributed_config(
    tmp: Path,
    store_url: str,
    sources: list[dict[str, Any]],
    *,
    alert_log: Path,
    broker_url: str = REDIS_URL,
    health: dict[str, Any] | None = None,
    **overrides: Any,
) -> Path:
    run = uuid.uuid4().hex[:10]
    path = write_config(
        tmp,
        store_url,
        sources,
        alert_log=alert_log,
        crawl={"download_timeout": 20, "concurrency_per_domain": 2},
        health=health,
    )
    main = yaml.safe_load(path.read_text(encoding="utf-8"))
    main["distributed"] = {
        "executor": "celery",
        "broker_url": broker_url,
        "queue": f"newsmon-test-{run}",
        "key_prefix": f"newsmon-test-{run}:",
        # Crawls on a loaded 2-core machine can take many seconds; a killed worker's task is
        # sent again by the coordinator (lost_after) long before Redis would redeliver it.
        "visibility_timeout_seconds": 90,
        "crawl_time_limit_seconds": 80,
        "lost_after_seconds": 1,
        "restore_interval_seconds": 1,
        "retry_seconds": 1,
        "poll_seconds": 0.5,
        "worker_concurrency": 2,
        **overrides,
    }
    path.write_text(yaml.safe_dump(main, allow_unicode=True), encoding="utf-8")
    return path


def coordinator(config: Path) -> DaemonProcess:
    return DaemonProcess(config)


def worker(config: Path, name: str, *, env: dict[str, str] | None = None) -> DaemonProcess:
    return DaemonProcess(config, command=("worker", "--name", name), env=env)


def wait_for(what: str, check: Callable[[], T | None], timeout: float = 90.0) -> T:
    """Poll `check` until it returns something truthy; fail naming `what` after `timeout`."""
    deadline = time.monotonic() + timeout
    while True:
        value = check()
        if value:
            return value
        if time.monotonic() > deadline:
            raise AssertionError(f"timed out after {timeout}s waiting for {what}")
        time.sleep(0.2)

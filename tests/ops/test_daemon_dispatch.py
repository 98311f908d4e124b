"""The daemon's dispatcher does not wait for a running crawl: a queued alert goes out while a
slow source holds the cycle."""

from __future__ import annotations

import signal
from pathlib import Path

import pytest
from sqlalchemy import select

from monitor.store import Store
from monitor.store.models import CrawlRun
from tests.alerts.test_dispatch_leases import queue_notices
from tests.faults.config import read_alert_log, write_config
from tests.faults.hostile import HostileSite
from tests.faults.proc import DaemonProcess

pytestmark = pytest.mark.timeout(180)


def test_a_queued_alert_is_sent_while_a_crawl_is_held(tmp_path: Path, sqlite_url: str) -> None:
    store = Store(sqlite_url)
    [key] = queue_notices(store, 1, channel="log")  # e.g. a retry left by the last cycle
    alert_log = tmp_path / "alerts.jsonl"
    with HostileSite() as hostile:
        slow = {"name": "slow", "feeds": [hostile.base_url + "/gate/feed.xml"]}
        config = write_config(
            tmp_path, sqlite_url, [slow], alert_log=alert_log,
            schedule={"dispatch_every_seconds": 1}, crawl={"download_timeout": 120},
        )  # fmt: skip
        with DaemonProcess(config) as daemon:
            assert hostile.gate_reached.wait(60), "".join(daemon.lines)
            daemon.read_until(f"alert {key} sent via log")
            with store.session() as s:
                runs = s.scalars(select(CrawlRun.status)).all()
            assert runs == ["running"], "the crawl was still held when the alert went out"
            hostile.gate_open.set()
            daemon.signal(signal.SIGTERM)
            daemon.read_until("stopped cleanly")
            assert daemon.wait() == 0
    assert [line["alert_id"] for line in read_alert_log(alert_log)] == [key]
    store.dispose()

"""The health endpoint of a running daemon: /healthz answers, /metrics parses as Prometheus."""

from __future__ import annotations

import json
import re
import signal
import socket
import urllib.error
import urllib.request
from pathlib import Path
from typing import Any

import pytest
from prometheus_client.parser import text_string_to_metric_families

from monitor.config.ops import HealthConfig, split_listen
from monitor.demo.server import LocalSite
from monitor.demo.site import load_seed_articles, publish
from monitor.errors import NewsmonError
from monitor.ops.endpoint import DaemonState, EndpointServer
from monitor.ops.metrics import Metrics
from monitor.store import Store
from tests.faults.config import demo_source, write_config
from tests.faults.proc import ROOT, DaemonProcess


def get(url: str) -> tuple[int, str, str]:
    try:
        with urllib.request.urlopen(url, timeout=10) as response:
            return response.status, response.headers["Content-Type"], response.read().decode()
    except urllib.error.HTTPError as exc:
        return exc.code, exc.headers["Content-Type"], exc.read().decode()


def test_healthz_and_metrics_after_a_cycle(tmp_path: Path, sqlite_url: str) -> None:
    with LocalSite() as site:
        publish(site, load_seed_articles(ROOT / "seeds"))
        config = write_config(
            tmp_path,
            sqlite_url,
            [demo_source(site.base_url)],
            alert_log=tmp_path / "a.jsonl",
            health={"listen": "127.0.0.1:0"},
        )
        with DaemonProcess(config) as daemon:
            line = daemon.read_until("health endpoint on")[-1]
            base = re.search(r"(http://127\.0\.0\.1:\d+)/healthz", line)
            assert base is not None
            daemon.read_until("cycle 1 done")
            status, kind, body = get(base.group(1) + "/healthz")
            mstatus, mkind, text = get(base.group(1) + "/metrics")
            missing, _, _ = get(base.group(1) + "/nothing")
            daemon.signal(signal.SIGTERM)
            daemon.read_until("stopped cleanly")
            assert daemon.wait() == 0

    assert status == 200 and kind == "application/json"
    health = json.loads(body)
    assert health["status"] == "ok"
    assert health["scheduler_running"] and health["loop_responsive"] and health["store_reachable"]
    assert health["cycles"] == 1 and health["last_cycle_ok"] is True
    assert health["last_cycle_end"] is not None
    assert missing == 404

    assert mstatus == 200 and mkind.startswith("text/plain")
    samples: dict[tuple[str, tuple[tuple[str, str], ...]], float] = {}
    for family in text_string_to_metric_families(text):
        for s in family.samples:
            samples[(s.name, tuple(sorted(s.labels.items())))] = s.value

    def value(name: str, **labels: Any) -> float:
        return samples[(name, tuple(sorted(labels.items())))]

    assert value("newsmon_cycles_total", outcome="ok") == 1
    assert not [name for name, _ in samples if name.endswith("_created")]
    assert value("newsmon_pages_fetched_total") >= 5
    assert value("newsmon_articles_total", result="new") == 5
    assert value("newsmon_detections_total") == 5
    assert value("newsmon_events_new_total") >= 1
    assert value("newsmon_alerts_total", outcome="sent") == value("newsmon_events_new_total")
    assert value("newsmon_alerts_total", outcome="failed") == 0
    assert value("newsmon_cycle_duration_seconds_count") == 1
    assert value("newsmon_last_cycle_end_timestamp_seconds") > 0
    assert value("newsmon_outbox_alerts", status="sent") == value("newsmon_events_new_total")
    assert value("newsmon_source_consecutive_failures", source="healthy") == 0
    assert value("newsmon_source_health", source="healthy", health="ok") == 1
    assert value("process_resident_memory_bytes") > 0


@pytest.mark.parametrize(
    ("given", "expected"),
    [("127.0.0.1:9464", ("127.0.0.1", 9464)), (":9464", ("127.0.0.1", 9464)),
     ("9464", ("127.0.0.1", 9464)), ("[::1]:9464", ("::1", 9464)),
     ("0.0.0.0:80", ("0.0.0.0", 80))],
)  # fmt: skip
def test_listen_addresses_default_to_loopback(given: str, expected: tuple[str, int]) -> None:
    assert split_listen(given) == expected
    assert HealthConfig(listen=given).address == expected


def test_health_is_off_unless_asked_for() -> None:
    assert HealthConfig().address is None
    with pytest.raises(ValueError, match="host:port"):
        HealthConfig(listen="localhost:http")


def test_a_listen_address_that_cannot_be_used_is_a_clear_error(sqlite_url: str) -> None:
    # Exit status 2 (NewsmonError) rather than a crash: systemd must not restart it for ever.
    store = Store(sqlite_url)
    with socket.socket() as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen()
        port = taken.getsockname()[1]
        with pytest.raises(NewsmonError, match=rf"health.listen 127.0.0.1:{port}: cannot listen"):
            EndpointServer(("127.0.0.1", port), DaemonState(), Metrics(store), store, None)
    store.dispose()


def test_the_endpoint_listens_on_ipv6_loopback(sqlite_url: str) -> None:
    store = Store(sqlite_url)
    server = EndpointServer(("::1", 0), DaemonState(), Metrics(store), store, None)
    server.start()
    try:
        status, kind, text = get(f"http://[::1]:{server.address[1]}/metrics")
    finally:
        server.stop()
        store.dispose()
    assert status == 200 and kind.startswith("text/plain")
    assert "newsmon_cycles_total" in text

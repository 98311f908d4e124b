"""Signals: SIGINT and SIGTERM stop within seconds, even mid-crawl; SIGHUP reloads the config."""

from __future__ import annotations

import signal
import time
from pathlib import Path

import yaml

from monitor.demo.server import LocalSite
from monitor.demo.site import load_seed_articles, publish
from tests.faults.config import demo_source, write_config
from tests.faults.hostile import HostileSite
from tests.faults.proc import ROOT, DaemonProcess

# "Within seconds": the reactor closes the crawl, the cycle finishes its step, the process ends.
STOP_LIMIT = 10.0


def test_sigint_after_a_cycle_exits_zero(tmp_path: Path, sqlite_url: str) -> None:
    with LocalSite() as site:
        publish(site, load_seed_articles(ROOT / "seeds"))
        config = write_config(
            tmp_path, sqlite_url, [demo_source(site.base_url)], alert_log=tmp_path / "a.jsonl"
        )
        with DaemonProcess(config) as daemon:
            daemon.read_until("cycle 1:")
            daemon.signal(signal.SIGINT)
            daemon.read_until("stopped cleanly")
            assert daemon.wait() == 0


def test_sigterm_mid_crawl_stops_within_seconds(tmp_path: Path, sqlite_url: str) -> None:
    with HostileSite() as hostile:
        # The gate holds an article request open until the site closes, far past the stop.
        source = {
            "name": "slow",
            "allow_private": True,
            "feeds": [hostile.base_url + "/gate/feed.xml"],
        }
        config = write_config(
            tmp_path, sqlite_url, [source], alert_log=tmp_path / "a.jsonl",
            crawl={"download_timeout": 120},
        )  # fmt: skip
        with DaemonProcess(config) as daemon:
            assert hostile.gate_reached.wait(60), "".join(daemon.lines)
            asked = time.monotonic()
            daemon.signal(signal.SIGTERM)
            daemon.read_until("stopped cleanly")
            assert daemon.wait() == 0
            took = time.monotonic() - asked
    assert took < STOP_LIMIT, f"took {took:.1f}s to stop"


def test_sighup_rejects_an_invalid_config_and_applies_a_valid_one(
    tmp_path: Path, sqlite_url: str
) -> None:
    with LocalSite() as site:
        publish(site, load_seed_articles(ROOT / "seeds"))
        config = write_config(
            tmp_path, sqlite_url, [demo_source(site.base_url)], alert_log=tmp_path / "a.jsonl"
        )
        good = config.read_text(encoding="utf-8")
        with DaemonProcess(config) as daemon:
            daemon.read_until("cycle 1:")

            config.write_text(good + "crawl:\n  concurrency_per_domain: many\n", encoding="utf-8")
            daemon.signal(signal.SIGHUP)
            rejected = daemon.read_until("config reload REJECTED")[-1]
            assert "crawl.concurrency_per_domain" in rejected and str(config) in rejected

            changed = yaml.safe_load(good)
            changed["schedule"]["crawl_every_minutes"] = 30
            config.write_text(yaml.safe_dump(changed), encoding="utf-8")
            daemon.signal(signal.SIGHUP)
            daemon.read_until("config reloaded")

            # Still alive and still stopping cleanly after both reloads.
            daemon.signal(signal.SIGTERM)
            daemon.read_until("stopped cleanly")
            assert daemon.wait() == 0

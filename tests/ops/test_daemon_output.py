"""What `newsmon run` prints without -v: that it started, and one line per cycle."""

from __future__ import annotations

import signal
from pathlib import Path

from tests.faults.config import write_config
from tests.faults.proc import DaemonProcess


def test_run_without_v_prints_a_start_line_and_one_line_per_cycle(
    tmp_path: Path, sqlite_url: str
) -> None:
    config = write_config(tmp_path, sqlite_url, [], alert_log=tmp_path / "alerts.jsonl")
    with DaemonProcess(config, verbose=False) as daemon:
        daemon.read_until("cycle 1 done")
        daemon.signal(signal.SIGTERM)
        assert daemon.wait() == 0, "".join(daemon.lines)
    start, cycle = daemon.lines  # nothing else: no -v, no other lines
    assert "newsmon running (pid " in start and "0 sources, cycle every 60 min" in start
    assert "cycle 1 done in " in cycle and "0 new articles" in cycle and "next at " in cycle

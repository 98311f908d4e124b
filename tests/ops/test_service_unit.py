"""The shipped systemd unit is locked down, and /metrics carries no `*_created` series."""

from __future__ import annotations

import re
import shutil
import subprocess
from pathlib import Path

import pytest
from prometheus_client import generate_latest
from prometheus_client.parser import text_string_to_metric_families

from monitor.ops.metrics import Metrics
from tests.conftest import IN_CI

UNIT = Path(__file__).resolve().parents[2] / "deploy" / "newsmon.service"
MAX_EXPOSURE = 2.5


def test_the_unit_scores_ok_in_systemd_analyze_security() -> None:
    tool = shutil.which("systemd-analyze")
    if tool is None:
        message = "systemd-analyze not installed (apt-get install systemd)"
        if IN_CI:
            pytest.fail(message)
        pytest.skip(message)
    result = subprocess.run(
        [tool, "security", "--offline=yes", "--no-pager", str(UNIT)],
        capture_output=True, text=True, timeout=60,
    )  # fmt: skip
    found = re.search(r"Overall exposure level for \S+: (\d+\.\d+)", result.stdout)
    assert found is not None, result.stdout[-2000:] + result.stderr[-2000:]
    assert float(found.group(1)) <= MAX_EXPOSURE, result.stdout
    # The restrictions the README explains are all in force.
    for passed in ("PrivateDevices=", "CapabilityBoundingSet=", "SystemCallFilter=~@privileged",
                   "RestrictAddressFamilies=~AF_PACKET", "ProtectKernelModules="):  # fmt: skip
        assert re.search(rf"✓ {re.escape(passed)}", result.stdout), passed


def test_metrics_have_no_created_series() -> None:
    metrics = Metrics()
    metrics.cycles.labels(outcome="ok").inc()
    metrics.cycle_seconds.observe(3.0)
    text = generate_latest(metrics.registry).decode()
    names = {s.name for f in text_string_to_metric_families(text) for s in f.samples}
    assert "newsmon_cycles_total" in names and "newsmon_cycle_duration_seconds_count" in names
    assert not [name for name in names if name.endswith("_created")]

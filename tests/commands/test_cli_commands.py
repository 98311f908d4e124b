"""The command line as a person uses it: version, help, events, alerts, status, detect."""

from __future__ import annotations

import io
import json
import subprocess
import sys
from datetime import UTC, datetime, timedelta
from pathlib import Path

from monitor.alerts.policy import AlertPolicy
from monitor.commands.status import show_status
from monitor.config.model import load_config
from monitor.store import Store
from monitor.store.models import Source
from tests.alerts_helpers import Clock, store_report
from tests.cli_helpers import ROOT, newsmon
from tests.faults.config import write_config


def test_version_and_examples_in_help() -> None:
    version = newsmon("--version")
    assert version.returncode == 0 and version.stdout.startswith("newsmon, version ")
    helped = newsmon("--help")
    assert "Examples:" in helped.stdout and "newsmon events --party jmm" in helped.stdout
    assert "held" in newsmon("events", "--help").stdout.split("--status")[1]


def test_events_alerts_and_resend_on_a_store(tmp_path: Path, sqlite_url: str) -> None:
    config = write_config(tmp_path, sqlite_url, [], alert_log=tmp_path / "alerts.jsonl")
    store = Store(sqlite_url, clock=Clock())
    policy = AlertPolicy.from_config(load_config(config).settings.alerts)
    store_report(store, policy, url="https://a.example/jmm-1")
    store_report(store, policy, url="https://b.example/jmm-2", source="bhaskar", place="Dhanbad",
                 date="2023-11-25")  # fmt: skip
    store_report(store, policy, url="https://c.example/bjp", party="BJP", place="Patna",
                 date="2023-11-26", region="Bihar", source="hindustan")  # fmt: skip
    store.dispose()

    # Plain `crawl` is one cycle (no --once needed); -v after the subcommand shows its log.
    cycle = newsmon("crawl", "-c", str(config), "-v")
    assert cycle.returncode == 0, cycle.stderr
    assert json.loads(cycle.stdout)["alerts_sent"] == 3
    assert "INFO monitor.cycle: cycle" in cycle.stderr

    jmm = newsmon("events", "-c", str(config), "--party", "jmm")
    assert jmm.returncode == 0, jmm.stderr
    assert "evt-1" in jmm.stdout and "evt-2" in jmm.stdout and "BJP" not in jmm.stdout
    assert "https://a.example/jmm-1" in jmm.stdout and "0.90" in jmm.stdout
    newest = newsmon("events", "-c", str(config), "--limit", "1", "--json")
    [record] = [json.loads(line) for line in newest.stdout.splitlines()]
    assert record["id"] == "evt-3" and record["articles"][0]["score"] == 0.9
    none = newsmon("events", "-c", str(config), "--party", "RJD")
    assert (none.returncode, none.stdout) == (0, "no events match these filters\n")

    listed = json.loads(newsmon("alerts", "list", "-c", str(config), "--json").stdout)
    assert [a["event"] for a in listed] == ["evt-1", "evt-2", "evt-3"]
    assert all(a["status"] == "sent" and a["sent_at"] for a in listed)
    table = newsmon("alerts", "list", "-c", str(config)).stdout
    assert "evt-1" in table and "(IST)" in table
    assert newsmon("alerts", "list", "-c", str(config), "--failed").stdout == "no failed alerts\n"

    resent = newsmon("alerts", "resend", "-c", str(config), str(listed[0]["id"]))
    assert resent.returncode == 0, resent.stderr
    after = json.loads(newsmon("alerts", "list", "-c", str(config), "--json").stdout)
    copy = after[-1]
    assert copy["status"] == "pending" and copy["event"] == "evt-1"
    assert copy["idempotency_key"] == listed[0]["idempotency_key"] + ":resend-1"
    assert newsmon("crawl", "-c", str(config)).returncode == 0
    lines = (tmp_path / "alerts.jsonl").read_text(encoding="utf-8").splitlines()
    assert len(lines) == 4  # the resent copy went out too
    again = newsmon("alerts", "resend", "-c", str(config), str(copy["id"] + 1))
    assert again.returncode == 2 and "no alert with id" in again.stderr


def test_status_shows_the_configured_zone_and_next_crawl(tmp_path: Path, sqlite_url: str) -> None:
    long_name = "dainik-jagran-jharkhand-ranchi-dhanbad-jamshedpur-bokaro"
    sources = [{"name": n, "feeds": [f"http://{n}.example/f"]} for n in (long_name, "short")]
    config = write_config(tmp_path, sqlite_url, sources, alert_log=tmp_path / "a.jsonl")
    last = datetime(2026, 1, 5, 6, 0, tzinfo=UTC)  # 11:30 in India
    store = Store(sqlite_url)
    with store.session() as s:
        for name in (long_name, "short"):
            s.add(Source(name=name, created_at=last, last_crawl_at=last, consecutive_failures=0,
                         health="ok"))  # fmt: skip
    store.dispose()
    out = io.StringIO()
    show_status(config, False, out)
    text = out.getvalue()
    # Crawled at 11:30 IST every 60 minutes: next at 12:30 IST.
    rows = [line for line in text.splitlines() if "2026-01-05 11:30 IST" in line]
    assert len(rows) == 2, text
    assert all("2026-01-05 12:30 IST" in row for row in rows)
    # The long name is cut, so both rows put the next crawl in the same column.
    assert len({row.index("12:30") for row in rows}) == 1
    assert "…" in rows[0]
    out = io.StringIO()
    show_status(config, True, out)
    status = json.loads(out.getvalue())
    assert status["timezone"] == "Asia/Kolkata"
    assert status["sources"][0]["due_at"] == (last + timedelta(hours=1)).isoformat()


def test_detect_reads_stdin_and_names_a_missing_file(tmp_path: Path) -> None:
    text = (
        "JMM meeting in Ranchi\nThe Jharkhand Mukti Morcha held a meeting of its workers in "
        "Ranchi on Sunday to prepare for the Assembly election.\n"
    )
    result = subprocess.run(
        [sys.executable, "-m", "monitor", "detect", "-"],
        input=text, capture_output=True, text=True, cwd=ROOT, timeout=120,
    )  # fmt: skip
    assert result.returncode == 0, result.stderr
    found = json.loads(result.stdout)
    assert found["meeting"] is True and found["parties"] == ["JMM"]
    missing = newsmon("detect", str(tmp_path / "absent.txt"))
    assert missing.returncode == 2
    assert missing.stderr == f"newsmon: {tmp_path / 'absent.txt'}: not found\n"

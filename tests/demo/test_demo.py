"""`newsmon demo`, the README's first command, run as a person would."""

from __future__ import annotations

import re
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]


def test_demo_finds_the_seeds_alerts_and_fetches_only_the_new_article(tmp_path: Path) -> None:
    result = subprocess.run(
        [sys.executable, "-m", "monitor", "demo", "--workdir", str(tmp_path)],
        capture_output=True,
        text=True,
        cwd=ROOT,
        timeout=240,
    )
    assert result.returncode == 0, result.stderr[-3000:]
    out = result.stdout
    summary = re.search(
        r"demo: cycle 1 stored (\d+) articles, (\d+) flagged, (\d+) events; cycle 2 fetched "
        r"(\d+) article page; delivered (\d+) webhooks \(signatures valid: (\w+)\) and "
        r"(\d+) emails",
        out,
    )
    assert summary, out[-3000:]
    stored, flagged, events, fetched, hooks, valid, mails = summary.groups()
    assert (stored, flagged, fetched, valid) == ("5", "5", "1", "True")
    # One alert per event and channel, the extra article's event included.
    assert int(hooks) == int(mails) == int(events) + 1
    # The seeds are four events; the Congress meeting is reported by two outlets (002, 003).
    first_cycle = out.split("cycle 2")[0]
    reports = [int(m) for m in re.findall(r"^evt-\d+\s+(\d+)\s+webhook:sent", first_cycle, re.M)]
    assert sorted(reports) == [1, 1, 1, 2]
    assert events == "4"
    for party in ("JMM", "INC", "BJP"):
        assert party in out
    assert (tmp_path / "newsmon.sqlite").exists()
    assert len((tmp_path / "alerts.jsonl").read_text(encoding="utf-8").splitlines()) == int(hooks)
    # The email shown is a Hindi report, its Devanagari intact in subject and body.
    email = out.split("email as received — Subject: ")[1]
    subject, body = email.split("\n", 1)
    assert re.search(r"[\u0900-\u097f]", subject), subject
    assert re.search(r"[\u0900-\u097f]{4,}", body), body[:500]

"""`newsmon demo`, the README's first command, run as a person would."""

from __future__ import annotations

import json
import re
from pathlib import Path

from tests.cli_helpers import newsmon

ROOT = Path(__file__).resolve().parents[2]


def test_demo_finds_the_seeds_alerts_and_fetches_only_the_new_article(tmp_path: Path) -> None:
    result = newsmon("demo", "--workdir", str(tmp_path), timeout=240)
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
    # Long titles and summaries are cut with a visible mark.
    assert re.search(r"^\S.*…\s+hi\s+yes", first_cycle, re.M), first_cycle
    assert re.search(r"audit-log:sent\s+.*…$", first_cycle, re.M), first_cycle
    # The webhook body is printed whole: it parses as the JSON that was received.
    body = out.split("webhook as received")[1].split("\n", 1)[1].split("\nemail as received")[0]
    assert json.loads(body)["schema"] == "newsmon.alert/1"
    # It ends with the commands to look at its store, and the config they need is there.
    config = tmp_path.resolve() / "newsmon.yaml"
    assert f"newsmon status -c {config}" in out
    assert f"newsmon events -c {config}" in out
    status = newsmon("status", "-c", str(config))
    assert status.returncode == 0, status.stderr
    listed = newsmon("events", "-c", str(config))
    assert listed.returncode == 0, listed.stderr
    assert "evt-1" in listed.stdout and "evt-5" in listed.stdout

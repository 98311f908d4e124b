"""`newsmon crawl --once` runs every step of the cycle the daemon runs, digests and
source-health notices included, so a cycle run from cron tells what the daemon would."""

from __future__ import annotations

import json
from datetime import timedelta
from pathlib import Path

from monitor.alerts.policy import AlertPolicy
from monitor.alerts.routing import last_digest_time
from monitor.config.alerts import RouteConfig
from monitor.demo.server import LocalSite
from monitor.demo.site import load_seed_articles, publish
from monitor.store import Store, utcnow
from tests.alerts_helpers import Clock, store_report
from tests.cli_helpers import newsmon
from tests.faults.config import demo_source, read_alert_log, write_config
from tests.faults.proc import ROOT

MORNING = {"name": "morning", "channels": ["log"], "mode": "digest", "digest_at": "08:00"}


def test_crawl_once_queues_a_due_digest_and_source_health_notices(
    tmp_path: Path, sqlite_url: str
) -> None:
    # A report stored an hour before the last digest time: that digest is due now.
    end = last_digest_time(RouteConfig.model_validate(MORNING), utcnow())
    store = Store(sqlite_url, clock=Clock(end - timedelta(hours=1)))
    store_report(store, AlertPolicy.silent(), url="https://pk.example/jmm")
    store.dispose()
    alert_log = tmp_path / "alerts.jsonl"
    with LocalSite() as site:
        publish(site, load_seed_articles(ROOT / "seeds")[:1])
        gone = {"name": "gone", "feeds": [site.base_url + "/gone/feed.xml"]}
        config = write_config(
            tmp_path,
            sqlite_url,
            [demo_source(site.base_url), gone],
            alert_log=alert_log,
            operations={"fail_after_cycles": 1},
            routes=[MORNING],
        )
        result = newsmon("crawl", "--once", "--config", str(config))
    assert result.returncode == 0, result.stderr[-2000:]
    report = json.loads(result.stdout.strip().splitlines()[-1])
    assert report["digests_queued"] == 1 and report["source_notices"] == 1
    assert report["alerts_sent"] == 2

    sent = read_alert_log(alert_log)
    [digest] = [a for a in sent if a["kind"] == "digest"]
    assert digest["route"] == "morning"
    assert [e["sources"][0]["url"] for e in digest["events"]] == ["https://pk.example/jmm"]
    [notice] = [a for a in sent if a["kind"] == "operator"]
    assert (notice["source"], notice["state"]) == ("gone", "failing")

    # Run again: the digest of that day and the notice of that change are not repeated.
    again = newsmon("crawl", "--once", "--config", str(config))
    assert again.returncode == 0, again.stderr[-2000:]
    assert json.loads(again.stdout.strip().splitlines()[-1])["digests_queued"] == 0
    later = read_alert_log(alert_log)[len(sent) :]
    assert [a for a in later if a["kind"] == "digest" or a.get("source") == "gone"] == []

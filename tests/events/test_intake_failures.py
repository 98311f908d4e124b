"""One article whose detection raises is recorded as failed; every other article goes on.

The detector is the real one with a bug put in through `tests.hooks.launch --fail-on`: it
raises on one of three articles of a real crawl run by a real daemon.
"""

from __future__ import annotations

import json
import re
import signal
import urllib.request
from pathlib import Path

from prometheus_client.parser import text_string_to_metric_families
from sqlalchemy import func, select

from monitor.demo.server import LocalSite
from monitor.demo.site import load_seed_articles, publish
from monitor.store import Store
from monitor.store.models import Article, DetectFailure, Detection, Event
from tests.cli_helpers import newsmon
from tests.faults.config import demo_source, read_alert_log, write_config
from tests.faults.proc import ROOT, DaemonProcess


def metrics(url: str) -> dict[str, float]:
    with urllib.request.urlopen(url, timeout=10) as response:
        text = response.read().decode()
    return {
        s.name: s.value
        for family in text_string_to_metric_families(text)
        for s in family.samples
        if not s.labels
    }


def counts(store_url: str) -> tuple[int, int, list[DetectFailure]]:
    store = Store(store_url)
    with store.session() as s:
        detections = s.scalar(select(func.count()).select_from(Detection)) or 0
        events = s.scalar(select(func.count()).select_from(Event)) or 0
        failures = list(s.scalars(select(DetectFailure)))
        s.expunge_all()
    store.dispose()
    return detections, events, failures


def test_one_failing_article_is_set_aside_and_the_others_alerted(
    tmp_path: Path, store_url: str
) -> None:
    seeds = load_seed_articles(ROOT / "seeds")
    # Three reports of three different meetings (JMM, INC, BJP); the INC one hits the bug.
    articles = [seeds[0], seeds[2], seeds[4]]
    bad = seeds[2]
    fail_on = ["--fail-on", bad.title]
    alert_log = tmp_path / "alerts.jsonl"
    with LocalSite() as site:
        publish(site, articles)
        config = write_config(
            tmp_path,
            store_url,
            [demo_source(site.base_url)],
            alert_log=alert_log,
            health={"listen": "127.0.0.1:0"},
        )
        with DaemonProcess(config, hooks=fail_on) as daemon:
            line = daemon.read_until("health endpoint on")[-1]
            base = re.search(r"(http://127\.0\.0\.1:\d+)/healthz", line)
            assert base is not None
            daemon.read_until("cycle 1 done")
            figures = metrics(base.group(1) + "/metrics")
            daemon.signal(signal.SIGTERM)
            daemon.read_until("stopped cleanly")
            assert daemon.wait() == 0
        log = "".join(daemon.lines)
        assert "detection failed; skipped until retried" in log and "DetectorBug" in log

        # The other two were detected, grouped and alerted in that same cycle.
        detections, events, failures = counts(store_url)
        assert detections == 2 and events == 2
        sent = [a for a in read_alert_log(alert_log) if a["kind"] == "new"]
        assert sorted(s["event"]["parties"][0] for s in sent) == ["BJP", "JMM"]
        # The bad one is recorded with its error, not lost.
        [failure] = failures
        assert failure.error.startswith("DetectorBug: cannot read")
        assert failure.attempts == 1 and len(failure.traceback_digest) == 16
        assert failure.raised_at is not None and "failing.py" in failure.raised_at
        assert figures["newsmon_detect_failures_total"] == 1
        assert figures["newsmon_articles_detect_failed"] == 1
        assert figures["newsmon_detections_total"] == 2

        # The next cycle does not try it again, although the bug is still there.
        again = newsmon("crawl", "--once", "--config", str(config), hooks=fail_on)
        assert again.returncode == 0, again.stderr[-2000:]
        report = json.loads(again.stdout.strip().splitlines()[-1])
        assert report["detect_failed"] == 0 and report["detections"] == 0
        assert counts(store_url)[2][0].attempts == 1

    status = newsmon("status", "--json", "--config", str(config))
    assert status.returncode == 0, status.stderr
    shown = json.loads(status.stdout)["detection"]
    assert shown["failed"] == 1
    assert shown["recent_failed"][0]["article_id"] == failure.article_id
    assert shown["recent_failed"][0]["error"] == failure.error
    text = newsmon("status", "--config", str(config)).stdout
    assert "detection: 1 article(s) failed" in text and failure.error in text

    # After the fix (no hook), --retry-failed detects it, groups it and queues its alert.
    retried = newsmon("detect", "--retry-failed", "--config", str(config))
    assert retried.returncode == 0, retried.stderr
    assert "1 failed article(s) retried: 1 detected (1 flagged), 0 failed again" in retried.stdout
    detections, events, failures = counts(store_url)
    assert (detections, events, failures) == (3, 3, [])
    store = Store(store_url)
    with store.session() as s:
        url = s.scalar(select(Article.url).where(Article.id == failure.article_id))
    store.dispose()
    assert url is not None and url.endswith(bad.path)


def test_retry_failed_refuses_inputs_and_a_bug_still_there_fails_again(
    tmp_path: Path, sqlite_url: str
) -> None:
    seeds = load_seed_articles(ROOT / "seeds")
    with LocalSite() as site:
        publish(site, [seeds[0]])
        config = write_config(
            tmp_path, sqlite_url, [demo_source(site.base_url)], alert_log=tmp_path / "a.jsonl"
        )
        fail_on = ["--fail-on", seeds[0].title]
        first = newsmon("crawl", "--once", "--config", str(config), hooks=fail_on)
        assert first.returncode == 0, first.stderr[-2000:]
        assert json.loads(first.stdout.strip().splitlines()[-1])["detect_failed"] == 1

    still = newsmon("detect", "--retry-failed", "--config", str(config), hooks=fail_on)
    assert still.returncode == 1
    assert "0 detected (0 flagged), 1 failed again" in still.stdout
    assert counts(sqlite_url)[2][0].attempts == 2

    mixed = newsmon("detect", "--retry-failed", "x.txt", "--config", str(config))
    assert mixed.returncode == 2
    assert "--retry-failed reads the store" in mixed.stderr

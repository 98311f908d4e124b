"""Exactly once between processes: alert claims are leases.

Two dispatcher processes drain one store's outbox towards one slow webhook; every alert must
arrive exactly once. The test runs this module as each child process:
``python -m tests.alerts.test_dispatch_leases STORE URL``: it says "ready", waits for a line
on stdin so both start together, dispatches until nothing is due and prints how many it sent.
"""

from __future__ import annotations

import subprocess
import sys
import time
from collections import Counter
from datetime import timedelta
from pathlib import Path

import pytest
from monitor.ops.source_health import Notice, notice_key, payload
from sqlalchemy import func, select

from monitor.alerts.channels.webhook import WebhookChannel
from monitor.alerts.dispatch import Dispatcher, reset_failed
from monitor.alerts.outbox import refresh_pending
from monitor.alerts.policy import AlertPolicy
from monitor.config.alerts import AlertsConfig, RetryConfig
from monitor.demo.receivers import Headers, WebhookReceiver
from monitor.store import Store
from monitor.store.models import Alert, AlertAttempt, Event, Source
from tests.alerts_helpers import Clock, store_report

ROOT = Path(__file__).resolve().parents[2]
ALERTS = 200
# Each delivery takes this long, so the two processes overlap on every alert they try.
RECEIVER_LATENCY = 0.01


class SlowReceiver(WebhookReceiver):
    def handle(self, path: str, headers: Headers, body: bytes) -> int:
        time.sleep(RECEIVER_LATENCY)  # the receiver's own latency, not a wait for anything
        return super().handle(path, headers, body)


def queue_notices(store: Store, count: int, channel: str = "hook") -> list[str]:
    now = store.clock()
    source = Source(name="bhaskar", created_at=now, consecutive_failures=4)
    keys = [notice_key("bhaskar", n + 1, channel) for n in range(count)]
    with store.session() as s:
        for n, key in enumerate(keys):
            s.add(
                Alert(event_id=None, channel=channel, kind="operator", route="operations",
                      idempotency_key=key,
                      payload=payload(source, Notice("bhaskar", "failing", n + 1), key, now),
                      status="pending", attempts=0, created_at=now, next_attempt_at=now)
            )  # fmt: skip
    return keys


def child(store_url: str, hook_url: str) -> None:
    store = Store(store_url, migrate=False)
    dispatcher = Dispatcher(store, {"hook": WebhookChannel("hook", hook_url, None)}, RetryConfig())
    print("ready", flush=True)
    sys.stdin.readline()
    sent = 0
    while dispatcher.due():
        sent += dispatcher.dispatch_due().sent
    print(f"sent {sent}", flush=True)
    store.dispose()


@pytest.mark.timeout(300)
def test_two_processes_deliver_each_of_200_alerts_exactly_once(store_url: str) -> None:
    store = Store(store_url)  # the real clock: the children's
    keys = queue_notices(store, ALERTS)
    with SlowReceiver() as hook:
        procs = [
            subprocess.Popen(
                [sys.executable, "-m", "tests.alerts.test_dispatch_leases", store_url, hook.url],
                cwd=ROOT,
                stdin=subprocess.PIPE,
                stdout=subprocess.PIPE,
                stderr=subprocess.PIPE,
                text=True,
            )
            for _ in range(2)
        ]
        try:
            for proc in procs:
                assert proc.stdout is not None
                assert proc.stdout.readline() == "ready\n", proc.stderr and proc.stderr.read()
            for proc in procs:
                assert proc.stdin is not None
                proc.stdin.write("go\n")
                proc.stdin.flush()
            outputs = [proc.communicate(timeout=280) for proc in procs]
        finally:
            for proc in procs:
                if proc.poll() is None:
                    proc.kill()
                    proc.wait()
        received = Counter(r.headers["Idempotency-Key"] for r in hook.received)
    assert [p.returncode for p in procs] == [0, 0], [err for _, err in outputs]
    counts = [int(out.split()[-1]) for out, _ in outputs]
    assert received == dict.fromkeys(keys, 1)
    assert sum(counts) == ALERTS
    assert min(counts) > 0, f"both processes must have sent some: {counts}"
    with store.session() as s:
        assert set(s.scalars(select(Alert.status))) == {"sent"}
        assert s.scalar(select(func.count()).select_from(AlertAttempt)) == ALERTS
        assert s.scalar(select(func.count()).where(Alert.lease_owner.is_not(None))) == 0
    store.dispose()


def test_a_live_lease_keeps_other_dispatchers_off_until_it_expires(store_url: str) -> None:
    clock = Clock()
    store = Store(store_url, clock=clock)
    [key] = queue_notices(store, 1)
    with store.session() as s:
        # What a dispatcher killed mid-send leaves: its lease and its unfinished attempt.
        alert = s.scalars(select(Alert)).one()
        alert.attempts, alert.lease_owner = 1, "elsewhere:1:dead"
        alert.lease_expires_at = clock.now + timedelta(minutes=5)
        s.add(AlertAttempt(alert_id=alert.id, at=clock.now, ok=False, status="sending"))
    with WebhookReceiver() as hook:
        dispatcher = Dispatcher(
            store, {"hook": WebhookChannel("hook", hook.url, None)}, RetryConfig()
        )
        assert dispatcher.due() == []
        assert dispatcher.dispatch_one(1).sent == 0
        clock.now += timedelta(minutes=5)
        assert dispatcher.dispatch_due().sent == 1
        got = hook.received
    assert [r.headers["Idempotency-Key"] for r in got] == [key]
    with store.session() as s:
        alert = s.scalars(select(Alert)).one()
        assert (alert.status, alert.attempts, alert.lease_owner) == ("sent", 2, None)
        assert s.scalars(select(AlertAttempt.status).order_by(AlertAttempt.id)).all() == [
            "interrupted",
            "sent",
        ]
    store.dispose()


def test_a_retried_alert_keeps_its_payload_when_another_report_joins(sqlite_url: str) -> None:
    clock = Clock()
    store = Store(sqlite_url, clock=clock)
    config = AlertsConfig.model_validate(
        {"channels": [{"type": "webhook", "name": "hook", "url": "http://127.0.0.1:1/hook"}],
         "retry": {"max_attempts": 1}}
    )  # fmt: skip
    policy = AlertPolicy.from_config(config)
    store_report(store, policy, url="https://news.example/1")
    refused = {"hook": WebhookChannel("hook", "http://127.0.0.1:1/hook", None)}
    assert Dispatcher(store, refused, config.retry).dispatch_due().failed == 1
    with store.session() as s:
        tried = s.scalars(select(Alert)).one()
    assert reset_failed(store) == [tried.id]
    store_report(store, policy, url="https://news.example/2", source="jagran")
    with store.session() as s:
        event = s.scalars(select(Event)).one()
        refresh_pending(s, event, now=clock.now)
        again = s.get(Alert, tried.id)
        assert again is not None and again.status == "pending" and again.attempts == 1
        # The receiver may hold the first try: the retry is the same message.
        assert again.payload == tried.payload
    store.dispose()


def test_a_channel_that_recovers_gets_its_backlog_in_one_run(sqlite_url: str) -> None:
    clock = Clock()
    store = Store(sqlite_url, clock=clock)
    keys = queue_notices(store, 4)
    with WebhookReceiver() as hook:
        channels = {"hook": WebhookChannel("hook", hook.url, None)}
        dispatcher = Dispatcher(store, channels, RetryConfig(max_delay_seconds=3600),
                                jitter=lambda: 1.0)  # fmt: skip
        hook.fail_next(2, status=503)
        for _ in range(2):  # down: one alert tried per run, each then backs off
            report = dispatcher.dispatch_due()
            assert (report.sent, report.retrying) == (0, 1)
        with store.session() as s:
            waiting = s.scalars(select(Alert).where(Alert.attempts == 1)).all()
            assert len(waiting) == 2 and all(a.next_attempt_at > clock.now for a in waiting)
        # Back up, at the same moment: the two backing off do not wait out their timers.
        report = dispatcher.dispatch_due()
        got = hook.received
    assert report.sent == 4
    assert Counter(r.headers["Idempotency-Key"] for r in got if r.status == 200) == dict.fromkeys(
        keys, 1
    )
    with store.session() as s:
        assert set(s.scalars(select(Alert.status))) == {"sent"}
    store.dispose()


if __name__ == "__main__":
    child(sys.argv[1], sys.argv[2])

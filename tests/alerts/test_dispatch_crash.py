"""A dispatcher killed (SIGKILL) between "sent" and "marked sent" resends that one alert, with
the same idempotency key, and nothing else.

The test runs this module as a child process:
``python -m tests.alerts.test_dispatch_crash STORE URL N``
dispatches the store's due alerts to the webhook at URL and, right after the N-th delivery was
confirmed by the receiver, reports it on stdout and blocks before the store is updated. The
parent kills it there, so the moment of death is exact without any sleeping.
"""

from __future__ import annotations

import os
import signal
import subprocess
import sys
from collections import Counter
from pathlib import Path

import pytest
from sqlalchemy import select

from monitor.alerts.channels.base import DeliveryResult
from monitor.alerts.channels.webhook import WebhookChannel
from monitor.alerts.dispatch import Dispatcher
from monitor.alerts.payload import Message
from monitor.alerts.policy import AlertPolicy
from monitor.config.alerts import AlertsConfig, RetryConfig
from monitor.demo.receivers import WebhookReceiver
from monitor.store import Store
from monitor.store.models import Alert, AlertAttempt
from tests.alerts_helpers import Clock, store_report

ROOT = Path(__file__).resolve().parents[2]


class StopAfterSend:
    """Delivers through ``inner``; after the N-th confirmed delivery, says so and blocks."""

    def __init__(self, inner: WebhookChannel, stop_after: int) -> None:
        self.name = inner.name
        self._inner = inner
        self._stop_after = stop_after
        self._count = 0

    def describe(self) -> str:
        return self._inner.describe()

    def send(self, message: Message) -> DeliveryResult:
        result = self._inner.send(message)
        self._count += 1
        if self._count == self._stop_after:
            print(f"sent {message.alert_id} {result.status}", flush=True)
            sys.stdin.readline()  # the parent never writes: wait here to be killed
        return result


def child(store_url: str, hook_url: str, stop_after: int) -> None:
    store = Store(store_url)
    channel = StopAfterSend(WebhookChannel("hook", hook_url, None), stop_after)
    Dispatcher(store, {"hook": channel}, RetryConfig()).dispatch_due()
    print("finished", flush=True)


@pytest.mark.timeout(60)
def test_sigkill_between_send_and_mark_resends_only_that_alert(sqlite_url: str) -> None:
    store = Store(sqlite_url, clock=Clock())  # events from 2023: due for the child's real clock
    with WebhookReceiver() as hook:
        policy = AlertPolicy.from_config(
            AlertsConfig.model_validate(
                {"channels": [{"type": "webhook", "name": "hook", "url": hook.url}]}
            )
        )
        for party in ("JMM", "INC", "BJP"):
            store_report(store, policy, url=f"https://news.example/{party}", party=party)
        keys = [f"newsmon:event-{n}:hook:new" for n in (1, 2, 3)]

        proc = subprocess.Popen(
            [sys.executable, "-m", "tests.alerts.test_dispatch_crash", sqlite_url, hook.url, "2"],
            cwd=ROOT,
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
        )
        assert proc.stdout is not None
        line = proc.stdout.readline()
        assert line == f"sent {keys[1]} sent\n", (line, proc.stderr.read() if proc.stderr else "")
        os.kill(proc.pid, signal.SIGKILL)
        proc.wait(timeout=10)
        assert proc.returncode == -signal.SIGKILL
        assert [r.headers["Idempotency-Key"] for r in hook.received] == keys[:2]

        with store.session() as s:
            status = {a.idempotency_key: a.status for a in s.scalars(select(Alert))}
            assert status == {keys[0]: "sent", keys[1]: "pending", keys[2]: "pending"}

        # The daemon comes back.
        store.clock = Clock(Clock().now.replace(year=2030))
        channels = {"hook": WebhookChannel("hook", hook.url, None)}
        assert Dispatcher(store, channels, RetryConfig()).dispatch_due().sent == 2
        received = Counter(r.headers["Idempotency-Key"] for r in hook.received)
    assert received == {keys[0]: 1, keys[1]: 2, keys[2]: 1}
    with store.session() as s:
        assert {a.status for a in s.scalars(select(Alert))} == {"sent"}
        second = s.scalars(select(Alert).where(Alert.idempotency_key == keys[1])).one()
        tries = s.scalars(
            select(AlertAttempt).where(AlertAttempt.alert_id == second.id).order_by(AlertAttempt.id)
        ).all()
        assert [t.status for t in tries] == ["interrupted", "sent"]
        assert second.attempts == 2
    store.dispose()


if __name__ == "__main__":
    child(sys.argv[1], sys.argv[2], int(sys.argv[3]))

"""The delivery guarantee against real servers: a channel that is down delays its alerts and
loses none, other channels carry on, and every alert arrives exactly once when it is back."""

from __future__ import annotations

import email
import email.policy
import socket
from collections import Counter
from datetime import timedelta
from email.message import EmailMessage
from pathlib import Path
from typing import Any

import pytest
from aiosmtpd.controller import Controller
from sqlalchemy import select

from monitor.alerts.channels.apprise_channel import AppriseChannel
from monitor.alerts.dispatch import PER_CHANNEL, Dispatcher
from monitor.alerts.factory import build_channels
from monitor.alerts.policy import AlertPolicy
from monitor.alerts.source_health import Notice, notice_key, payload
from monitor.config.alerts import AlertsConfig, RetryConfig
from monitor.demo.receivers import SmtpReceiver, WebhookReceiver
from monitor.store import Store
from monitor.store.models import Alert, AlertAttempt, Source
from tests.alerts_helpers import Clock, store_report

pytestmark = [
    pytest.mark.timeout(30),
    pytest.mark.filterwarnings("ignore:'imghdr' is deprecated:DeprecationWarning"),
]

PARTIES = ("JMM", "INC", "BJP")


class Inbox:
    """An aiosmtpd handler that keeps what it accepts."""

    def __init__(self) -> None:
        self.messages: list[EmailMessage] = []

    async def handle_DATA(self, server: Any, session: Any, envelope: Any) -> str:
        raw = envelope.original_content or envelope.content
        message = email.message_from_bytes(raw, policy=email.policy.default)
        assert isinstance(message, EmailMessage)
        self.messages.append(message)
        return "250 OK"


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def test_smtp_down_for_three_runs_then_up_delivers_every_alert_exactly_once(
    store_url: str,
) -> None:
    clock = Clock()
    store = Store(store_url, clock=clock)
    port = free_port()  # nothing listens here until the server "comes back"
    with WebhookReceiver() as hook:
        config = AlertsConfig.model_validate(
            {
                "channels": [
                    {
                        "type": "email",
                        "name": "mail",
                        "host": "127.0.0.1",
                        "port": port,
                        "sender": "newsmon@localhost",
                        "recipients": ["desk@localhost"],
                        "timeout": 2,
                    },
                    {"type": "webhook", "name": "hook", "url": hook.url},
                ],
                "retry": {"max_attempts": 8, "base_delay_seconds": 30},
            }
        )
        policy = AlertPolicy.from_config(config)
        for party in PARTIES:
            store_report(store, policy, url=f"https://news.example/{party}", party=party)
        dispatcher = Dispatcher(
            store, build_channels(config.channels, Path(".")), config.retry, jitter=lambda: 1.0
        )

        first = dispatcher.dispatch_due()
        # The webhook is not held up by the mail server; after the first refusal the other
        # mails wait for the next run instead of each waiting for the same refusal.
        assert (first.sent, first.retrying, first.deferred) == (3, 1, 2)
        for _ in range(2):
            clock.now += timedelta(hours=1)
            report = dispatcher.dispatch_due()
            assert (report.sent, report.retrying) == (0, 1)

        inbox = Inbox()
        server = Controller(inbox, hostname="127.0.0.1", port=port, server_hostname="localhost")
        server.start()
        try:
            clock.now += timedelta(hours=1)
            assert dispatcher.dispatch_due().sent == 3
            assert dispatcher.dispatch_due().sent == 0
            clock.now += timedelta(days=1)
            assert dispatcher.dispatch_due().sent == 0
        finally:
            server.stop()
        hooks = Counter(r.headers["Idempotency-Key"] for r in hook.received)
    mails = Counter(str(m["X-Newsmon-Alert-Id"]) for m in inbox.messages)
    assert mails == {f"newsmon:event-{n}:mail:new": 1 for n in (1, 2, 3)}
    assert hooks == {f"newsmon:event-{n}:hook:new": 1 for n in (1, 2, 3)}
    with store.session() as s:
        mail_alerts = s.scalars(select(Alert).where(Alert.channel == "mail")).all()
        assert {a.status for a in mail_alerts} == {"sent"}
        refused = s.scalars(
            select(AlertAttempt.status).where(AlertAttempt.status == "connection refused")
        ).all()
        assert len(refused) == 3  # one recorded attempt per run while the server was down
    store.dispose()


def test_a_webhook_failing_twice_accepts_the_alert_once_with_one_key(sqlite_url: str) -> None:
    clock = Clock()
    store = Store(sqlite_url, clock=clock)
    with WebhookReceiver() as hook:
        hook.fail_next(2, status=500)
        config = AlertsConfig.model_validate(
            {"channels": [{"type": "webhook", "name": "hook", "url": hook.url}]}
        )
        store_report(store, AlertPolicy.from_config(config), url="https://news.example/1")
        dispatcher = Dispatcher(store, build_channels(config.channels, Path(".")), config.retry)
        for _ in range(5):
            dispatcher.dispatch_due()
            clock.now += timedelta(hours=2)
        got = hook.received
    assert [r.status for r in got] == [500, 500, 200]
    assert {r.headers["Idempotency-Key"] for r in got} == {"newsmon:event-1:hook:new"}
    with store.session() as s:
        attempts = s.scalars(select(AlertAttempt).order_by(AlertAttempt.id)).all()
        assert [(a.ok, a.status) for a in attempts] == [
            (False, "http 500"),
            (False, "http 500"),
            (True, "sent"),
        ]
        assert all(a.at is not None for a in attempts)
    store.dispose()


def test_apprise_pause_defers_instead_of_sleeping(sqlite_url: str) -> None:
    clock = Clock()
    store = Store(sqlite_url, clock=clock)
    seconds = [100.0]
    with SmtpReceiver() as smtp:
        host, port = smtp.address
        url = f"mailto://{host}:{port}?from=alerts@example.org&to=desk@example.org&mode=insecure"
        channel = AppriseChannel("chat", [url], clock=lambda: seconds[0])
        config = AlertsConfig.model_validate(
            {"channels": [{"type": "apprise", "name": "chat", "urls": [url]}]}
        )
        policy = AlertPolicy.from_config(config)
        for party in ("JMM", "INC"):
            store_report(store, policy, url=f"https://news.example/{party}", party=party)
        dispatcher = Dispatcher(store, {"chat": channel}, RetryConfig(max_attempts=1))

        report = dispatcher.dispatch_due()
        assert (report.sent, report.deferred) == (1, 1)
        with store.session() as s:
            waiting = s.scalars(select(Alert).where(Alert.status == "pending")).one()
            # Deferred is not failed: with max_attempts=1 it would otherwise be given up.
            assert waiting.attempts == 0
            assert waiting.next_attempt_at == clock.now + timedelta(seconds=5.5)
        seconds[0] += 5.5
        clock.now += timedelta(seconds=6)
        assert dispatcher.dispatch_due().sent == 1
        assert len(smtp.wait_for(2)) == 2
    store.dispose()


def test_an_alert_that_kills_the_process_every_time_is_given_up(sqlite_url: str) -> None:
    clock = Clock()
    store = Store(sqlite_url, clock=clock)
    config = AlertsConfig.model_validate(
        {"channels": [{"type": "file", "name": "log", "path": "x.jsonl"}]}
    )
    store_report(store, AlertPolicy.from_config(config), url="https://news.example/1")
    with store.session() as s:
        alert = s.scalars(select(Alert)).one()
        alert.attempts = 2
        # What a process killed mid-send leaves behind.
        s.add(AlertAttempt(alert_id=alert.id, at=clock.now, ok=False, status="sending"))
    dispatcher = Dispatcher(store, {}, RetryConfig(max_attempts=2))
    assert dispatcher.dispatch_due().sent == 0
    with store.session() as s:
        alert = s.scalars(select(Alert)).one()
        assert alert.status == "failed" and alert.last_error is not None
        assert "interrupted" in alert.last_error
        assert s.scalars(select(AlertAttempt.status)).all() == ["interrupted"]
    store.dispose()


def test_operator_notices_are_delivered_like_alerts(sqlite_url: str) -> None:
    clock = Clock()
    store = Store(sqlite_url, clock=clock)
    source = Source(
        name="bhaskar", created_at=clock.now, consecutive_failures=4, last_error="http 503"
    )
    key = notice_key("bhaskar", 1, "mail")
    with store.session() as s:
        s.add(
            Alert(
                event_id=None,
                channel="mail",
                kind="operator",
                route="operations",
                idempotency_key=key,
                payload=payload(source, Notice("bhaskar", "failing", 1), key, clock.now),
                status="pending",
                attempts=0,
                next_attempt_at=clock.now,
                created_at=clock.now,
            )
        )
    with SmtpReceiver() as smtp:
        config = AlertsConfig.model_validate(
            {
                "channels": [
                    {
                        "type": "email",
                        "name": "mail",
                        "host": smtp.address[0],
                        "port": smtp.address[1],
                        "sender": "newsmon@localhost",
                        "recipients": ["ops@localhost"],
                    }
                ]
            }
        )
        dispatcher = Dispatcher(store, build_channels(config.channels, Path(".")), config.retry)
        assert dispatcher.dispatch_due().sent == 1
        [mail] = smtp.wait_for(1)
    assert str(mail["Subject"]) == "[newsmon] Operations: Source bhaskar is failing"
    body = mail.get_body(("plain",))
    assert body is not None and "Last error: http 503" in body.get_content()
    store.dispose()


def test_a_dead_channel_with_a_backlog_does_not_hold_back_the_others(sqlite_url: str) -> None:
    clock = Clock()
    store = Store(sqlite_url, clock=clock)
    source = Source(name="bhaskar", created_at=clock.now, consecutive_failures=4)
    backlog = PER_CHANNEL + 5
    with store.session() as s:
        for channel, count, age in (("dead", backlog, timedelta(days=2)), ("hook", 1, None)):
            for n in range(count):
                key = notice_key("bhaskar", n + 1, channel)
                s.add(
                    Alert(event_id=None, channel=channel, kind="operator", route="operations",
                          idempotency_key=key,
                          payload=payload(source, Notice("bhaskar", "failing", n + 1), key,
                                          clock.now),
                          status="pending", attempts=0, created_at=clock.now,
                          next_attempt_at=clock.now - (age or timedelta(0)))
                )  # fmt: skip
    with WebhookReceiver() as hook:
        config = AlertsConfig.model_validate(
            {
                "channels": [
                    {"type": "webhook", "name": "hook", "url": hook.url},
                    # Nothing listens on port 1: every try is refused, a retryable failure.
                    {"type": "webhook", "name": "dead", "url": "http://127.0.0.1:1/hook"},
                ]
            }
        )
        dispatcher = Dispatcher(store, build_channels(config.channels, Path(".")), config.retry)
        report = dispatcher.dispatch_due()
        got = hook.received
    assert report.sent == 1 and [r.status for r in got] == [200]
    with store.session() as s:
        tried = s.scalars(select(Alert.attempts).where(Alert.channel == "dead")).all()
    assert sum(tried) == 1, "a channel that refused stops for this run"
    store.dispose()

"""The outbox dispatcher against real receivers: a local HTTP server and an aiosmtpd server."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from sqlalchemy import select

from monitor.alerts.channels.base import Channel
from monitor.alerts.channels.email import EmailChannel
from monitor.alerts.channels.webhook import WebhookChannel
from monitor.alerts.dispatch import Dispatcher
from monitor.alerts.outbox import enqueue
from monitor.config.model import RetryConfig
from monitor.demo.receivers import SmtpReceiver, WebhookReceiver
from monitor.events.grouping import assign_event
from monitor.store import Store
from monitor.store.articles import save_article
from monitor.store.models import Alert, AlertAttempt, Article, Detection

SECRET = "hook-secret"


class Clock:
    def __init__(self) -> None:
        self.now = datetime(2023, 11, 20, 12, 0, tzinfo=UTC)

    def __call__(self) -> datetime:
        return self.now


def seed_event(store: Store, channels: list[str]) -> None:
    now = store.clock()
    with store.session() as s:
        art_id = save_article(
            s,
            {
                "url": "https://news.example/jmm",
                "canonical_url": "https://news.example/jmm",
                "source": "demo",
                "title": "झामुमो की ऑनलाइन बैठक 21 नवंबर को",
                "text": "हेमंत सोरेन पार्टी पदाधिकारियों के साथ ऑनलाइन संवाद करेंगे.",
                "published": "2023-11-20T22:02:00+05:30",
                "author": None,
                "lang": "hi",
                "discovered_via": "feed",
                "fetched_at": now.isoformat(),
                "http_status": 200,
            },
            now=now,
        ).article_id
        article = s.get(Article, art_id)
        det = Detection(
            article_id=art_id,
            meeting=True,
            election_prep=True,
            score=0.9,
            parties=["JMM"],
            people=["Hemant Soren"],
            fields={
                "date": "2023-11-21",
                "time": "14:00",
                "mode": "online",
                "status": "scheduled",
                "place": "Ranchi",
            },
            evidence=[{"sentence": "हेमंत सोरेन ऑनलाइन संवाद करेंगे", "terms": ["ऑनलाइन संवाद"]}],
            created_at=now,
        )
        s.add(det)
        assert article is not None
        event, _ = assign_event(s, det, article, now=now)
        enqueue(s, event, channels, kind="new", now=now)


def test_webhook_and_email_delivered_once_with_signature(sqlite_url: str) -> None:
    clock = Clock()
    store = Store(sqlite_url, clock=clock)
    with WebhookReceiver(SECRET) as hook, SmtpReceiver() as smtp:
        channels: dict[str, Channel] = {
            "hook": WebhookChannel("hook", hook.url, SECRET),
            "mail": EmailChannel(
                "mail", smtp.address[0], smtp.address[1], "newsmon@localhost", ["desk@localhost"]
            ),
        }
        seed_event(store, list(channels))
        dispatcher = Dispatcher(store, channels, RetryConfig())
        report = dispatcher.dispatch_due()
        assert report.sent == 2
        assert dispatcher.dispatch_due().sent == 0  # nothing is sent twice
        [received] = hook.received
        assert received.signature_valid is True
        assert received.headers["Idempotency-Key"] == "newsmon:event-1:hook:new"
        assert received.payload["event"]["parties"] == ["JMM"]
        [mail] = smtp.mails
        assert "झामुमो" in str(mail.message["Subject"])
        assert mail.message.get_body(preferencelist=("html",)) is not None
    store.dispose()


def test_failed_webhook_is_retried_with_backoff_and_same_key(sqlite_url: str) -> None:
    clock = Clock()
    store = Store(sqlite_url, clock=clock)
    with WebhookReceiver(SECRET) as hook:
        hook.fail_next(2, status=500)
        channels = {"hook": WebhookChannel("hook", hook.url, SECRET)}
        seed_event(store, ["hook"])
        dispatcher = Dispatcher(
            store, channels, RetryConfig(base_delay_seconds=10), jitter=lambda: 1.0
        )
        assert dispatcher.dispatch_due().retrying == 1
        assert dispatcher.dispatch_due().retrying == 0  # not due yet: backoff holds it
        clock.now += timedelta(seconds=10)
        assert dispatcher.dispatch_due().retrying == 1
        clock.now += timedelta(seconds=20)
        assert dispatcher.dispatch_due().sent == 1
        keys = {r.headers["Idempotency-Key"] for r in hook.received}
        assert len(hook.received) == 3 and keys == {"newsmon:event-1:hook:new"}
    with store.session() as s:
        alert = s.scalars(select(Alert)).one()
        assert alert.status == "sent" and alert.attempts == 3
        statuses = [a.status for a in s.scalars(select(AlertAttempt).order_by(AlertAttempt.id))]
        assert statuses[:2] == ["http 500", "http 500"] and statuses[2] != "http 500"
    store.dispose()


def test_channel_down_gives_up_after_max_attempts_and_keeps_row(sqlite_url: str) -> None:
    clock = Clock()
    store = Store(sqlite_url, clock=clock)
    hook = WebhookReceiver()
    url = hook.start()
    hook.stop()  # nothing listens there any more
    seed_event(store, ["hook"])
    dispatcher = Dispatcher(
        store,
        {"hook": WebhookChannel("hook", url, None, timeout=2)},
        RetryConfig(max_attempts=3, base_delay_seconds=1),
        jitter=lambda: 0.0,
    )
    for _ in range(3):
        dispatcher.dispatch_due()
        clock.now += timedelta(hours=1)
    with store.session() as s:
        alert = s.scalars(select(Alert)).one()
        assert alert.status == "failed" and alert.attempts == 3
        assert alert.last_error
    store.dispose()

"""Channels against real local receivers: HTTP webhook, SMTP server, files, apprise."""

from __future__ import annotations

import json
import socket
from collections.abc import Iterator
from dataclasses import replace
from pathlib import Path

import pytest

from monitor.alerts.channels.apprise_channel import AppriseChannel
from monitor.alerts.channels.base import Channel
from monitor.alerts.channels.email import EmailChannel, message_id
from monitor.alerts.channels.file import FileChannel
from monitor.alerts.channels.webhook import WebhookChannel
from monitor.alerts.message import AlertMessage, SourceRef
from monitor.alerts.signing import verify
from monitor.demo.receivers import SmtpReceiver, WebhookReceiver
from monitor.detect.model import EventFields

pytestmark = [
    pytest.mark.timeout(30),
    # apprise 2.2 still imports imghdr; nothing here uses it.
    pytest.mark.filterwarnings("ignore:'imghdr' is deprecated:DeprecationWarning"),
]

SECRET = "s3cret-hmac-key-Ω"
TITLE = "झामुमो की ऑनलाइन बैठक 21 नवंबर को, हेमंत सोरेन करेंगे संवाद"
EVIDENCE = "झामुमो के सभी पदाधिकारियों की ऑनलाइन संवाद बैठक मंगलवार को दोपहर दो बजे होगी।"


def make_message(alert_id: str = "evt-42:test", kind: str = "new") -> AlertMessage:
    return AlertMessage(
        alert_id=alert_id,
        kind=kind,
        event_id="evt-42",
        title=TITLE,
        summary="JMM online meeting, Tue 21 Nov 2023 14:00, Ranchi, scheduled",
        parties=("JMM",),
        people=("Hemant Soren",),
        meeting=True,
        election_prep=True,
        score=0.93,
        details=EventFields(
            date="2023-11-21",
            time="14:00",
            status="scheduled",
            mode="online",
            place="रांची",
            level="state",
            election="Lok Sabha 2024",
        ),
        evidence=((EVIDENCE, ("ऑनलाइन संवाद", "बैठक")),),
        sources=(
            SourceRef("prabhatkhabar", "https://example.in/jmm-meeting", TITLE, "2023-11-20"),
        ),
        lang="hi",
        created_at="2023-11-20T10:00:00Z",
    )


def closed_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


@pytest.fixture
def webhook() -> Iterator[WebhookReceiver]:
    with WebhookReceiver(secret=SECRET) as receiver:
        yield receiver


@pytest.fixture
def smtp() -> Iterator[SmtpReceiver]:
    with SmtpReceiver() as receiver:
        yield receiver


def test_channels_follow_the_protocol(tmp_path: Path) -> None:
    channels = [
        WebhookChannel("w", "http://127.0.0.1:9/hook", None),
        EmailChannel("e", "127.0.0.1", 25, "a@example.org", ["b@example.org"]),
        FileChannel("f", tmp_path / "a.jsonl"),
        AppriseChannel("a", ["json://127.0.0.1:9/hook"]),
    ]
    assert all(isinstance(c, Channel) for c in channels)


# --- webhook ----------------------------------------------------------------------------------


def test_webhook_posts_signed_json_with_hindi_intact(webhook: WebhookReceiver) -> None:
    message = make_message()
    result = WebhookChannel("main", webhook.url, SECRET).send(message)

    assert result.ok and result.status == "sent" and result.error is None
    [got] = webhook.received
    assert got.payload == message.to_payload()
    assert got.payload["event"]["title"] == TITLE
    assert TITLE.encode("utf-8") in got.body  # raw UTF-8, not \u escapes
    assert got.headers["Content-Type"] == "application/json"
    assert got.headers["User-Agent"] == "newsmon/0.1"
    assert got.headers["Idempotency-Key"] == "evt-42:test"
    assert got.headers["X-Newsmon-Event"] == "new"
    assert got.signature_valid is True
    timestamp = got.headers["X-Newsmon-Timestamp"]
    assert verify(SECRET, timestamp, got.body, got.headers["X-Newsmon-Signature"])
    assert not verify("other", timestamp, got.body, got.headers["X-Newsmon-Signature"])


def test_webhook_500_is_retryable_and_the_retry_succeeds(webhook: WebhookReceiver) -> None:
    channel = WebhookChannel("main", webhook.url, SECRET)
    webhook.fail_next(1, status=500)

    first = channel.send(make_message())
    second = channel.send(make_message())

    assert (first.ok, first.status, first.retryable) == (False, "http 500", True)
    assert second.ok
    keys = [r.headers["Idempotency-Key"] for r in webhook.received]
    assert keys == ["evt-42:test", "evt-42:test"]
    assert [r.status for r in webhook.received] == [500, 200]


@pytest.mark.parametrize(
    ("status", "retryable"),
    [(400, False), (401, False), (404, False), (408, True), (429, True), (502, True)],
)
def test_webhook_status_decides_retry(
    webhook: WebhookReceiver, status: int, retryable: bool
) -> None:
    webhook.fail_next(1, status=status)
    result = WebhookChannel("main", webhook.url, SECRET).send(make_message())
    assert (result.ok, result.status, result.retryable) == (False, f"http {status}", retryable)
    assert result.error is not None and str(status) in result.error


def test_webhook_connection_refused_is_retryable() -> None:
    channel = WebhookChannel("main", f"http://127.0.0.1:{closed_port()}/hook", SECRET)
    result = channel.send(make_message())
    assert (result.ok, result.status, result.retryable) == (False, "connection refused", True)
    assert result.error


def test_webhook_timeout_is_retryable() -> None:
    # A listening socket that never accepts: the connection opens, no answer ever comes.
    with socket.socket() as silent:
        silent.bind(("127.0.0.1", 0))
        silent.listen(1)
        port = silent.getsockname()[1]
        channel = WebhookChannel("main", f"http://127.0.0.1:{port}/", None, timeout=0.2)
        result = channel.send(make_message())
    assert (result.ok, result.status, result.retryable) == (False, "timeout", True)


def test_webhook_never_reveals_credentials() -> None:
    password, token, bearer = "pa55-word-xyz", "tok-9f8e7d6c5b4a", "Bearer abc.def.ghi"
    url = f"http://alice:{password}@127.0.0.1:{closed_port()}/hook?token={token}&team=ops"
    channel = WebhookChannel("main", url, SECRET, headers={"Authorization": bearer})
    result = channel.send(make_message())
    text = f"{channel.describe()} {result.status} {result.error}"
    assert not result.ok
    for secret in (password, token, bearer, SECRET):
        assert secret not in text
    assert "alice" in channel.describe() and "team=ops" in channel.describe()


def test_webhook_custom_headers_cannot_replace_protocol_headers(webhook: WebhookReceiver) -> None:
    headers = {"X-Team": "war-room", "Idempotency-Key": "forged"}
    WebhookChannel("main", webhook.url, SECRET, headers=headers).send(make_message())
    [got] = webhook.received
    assert got.headers["X-Team"] == "war-room"
    assert got.headers["Idempotency-Key"] == "evt-42:test"


# --- email ------------------------------------------------------------------------------------


def email_channel(smtp: SmtpReceiver, **kwargs: object) -> EmailChannel:
    host, port = smtp.address
    return EmailChannel(
        "mail",
        host,
        port,
        "newsmon <alerts@newsmon.example>",
        ["desk@example.org", "war-room@example.org"],
        **kwargs,  # type: ignore[arg-type]
    )


def test_email_is_multipart_with_hindi_subject_and_body(smtp: SmtpReceiver) -> None:
    result = email_channel(smtp).send(make_message())

    assert result.ok, result
    [mail] = smtp.mails
    msg = mail.message
    assert mail.rcpt_tos == ("desk@example.org", "war-room@example.org")
    assert msg.get_content_type() == "multipart/alternative"
    assert TITLE in str(msg["Subject"]) and "JMM" in str(msg["Subject"])
    plain = msg.get_body(("plain",))
    html = msg.get_body(("html",))
    assert plain is not None and html is not None
    assert TITLE in plain.get_content() and EVIDENCE in plain.get_content()
    assert "https://example.in/jmm-meeting" in plain.get_content()
    assert TITLE in html.get_content() and '<a href="https://example.in/jmm-meeting">' in (
        html.get_content()
    )
    assert msg["X-Newsmon-Alert-Id"] == "evt-42:test"
    assert mail.raw.isascii()  # 7-bit transfer encodings survive any relay


def test_email_message_id_is_stable_per_alert(smtp: SmtpReceiver) -> None:
    channel = email_channel(smtp)
    channel.send(make_message("evt-42:mail"))
    channel.send(make_message("evt-42:mail"))
    channel.send(make_message("evt-43:mail"))

    ids = [m["Message-ID"] for m in smtp.wait_for(3)]
    assert ids[0] == ids[1] == message_id("evt-42:mail", "newsmon.example")
    assert ids[2] != ids[0]


def test_email_to_stopped_server_is_retryable(smtp: SmtpReceiver) -> None:
    channel = email_channel(smtp)
    smtp.stop()
    result = channel.send(make_message())
    assert (result.ok, result.status, result.retryable) == (False, "connection refused", True)


@pytest.mark.parametrize(("code", "retryable"), [(451, True), (554, False)])
def test_email_smtp_reply_decides_retry(smtp: SmtpReceiver, code: int, retryable: bool) -> None:
    smtp.fail_next(1, code=code)
    result = email_channel(smtp).send(make_message())
    assert (result.ok, result.status, result.retryable) == (False, f"smtp {code}", retryable)


@pytest.mark.filterwarnings("ignore:Requiring AUTH while not requiring TLS")
def test_email_login_works_and_a_bad_password_stays_secret() -> None:
    with SmtpReceiver(credentials=("alerts", "right-pass-123")) as server:
        good = email_channel(server, username="alerts", password="right-pass-123")
        bad = email_channel(server, username="alerts", password="wrong-pass-456")
        assert good.send(make_message()).ok
        result = bad.send(make_message())
        assert len(server.messages) == 1
    assert (result.ok, result.status, result.retryable) == (False, "smtp 535", False)
    for channel in (good, bad):
        assert "pass" not in channel.describe()
    assert "wrong-pass-456" not in f"{result.status} {result.error}"


# --- file -------------------------------------------------------------------------------------


def test_file_channel_appends_json_lines(tmp_path: Path) -> None:
    path = tmp_path / "alerts" / "out.jsonl"
    channel = FileChannel("file", path)
    first, second = make_message("a:file"), make_message("b:file", kind="update")

    assert channel.send(first).ok and channel.send(second).ok

    text = path.read_text(encoding="utf-8")
    assert TITLE in text
    lines = [json.loads(line) for line in text.splitlines()]
    assert lines == [first.to_payload(), second.to_payload()]


def test_file_channel_write_error_is_retryable(tmp_path: Path) -> None:
    blocker = tmp_path / "not-a-dir"
    blocker.write_text("")
    result = FileChannel("file", blocker / "out.jsonl").send(make_message())
    assert (result.ok, result.status, result.retryable) == (False, "write error", True)


# --- apprise ----------------------------------------------------------------------------------


def test_apprise_json_target_delivers_and_reports_failure(webhook: WebhookReceiver) -> None:
    channel = AppriseChannel("apprise", [webhook.url.replace("http://", "json://")])

    assert channel.send(make_message()).ok
    webhook.fail_next(1, status=500)
    failed = channel.send(make_message("evt-43:apprise"))

    assert (failed.ok, failed.status, failed.retryable) == (False, "apprise failure", True)
    first = webhook.received[0].payload
    assert TITLE in first["title"] and EVIDENCE in first["message"]


def test_apprise_retry_skips_targets_that_already_succeeded(webhook: WebhookReceiver) -> None:
    dead = f"json://127.0.0.1:{closed_port()}/hook"
    channel = AppriseChannel("apprise", [webhook.url.replace("http://", "json://"), dead])

    first = channel.send(make_message())
    again = channel.send(make_message())

    assert not first.ok and first.retryable and first.status == "1 of 2 targets failed"
    assert not again.ok
    assert len(webhook.received) == 1  # the working target was not sent the alert twice


def test_apprise_hides_credentials_and_rejects_bad_urls() -> None:
    channel = AppriseChannel("apprise", ["json://bob:hunter2-pass@127.0.0.1:9/hook"])
    assert "hunter2-pass" not in channel.describe()
    with pytest.raises(ValueError, match="apprise URL"):
        AppriseChannel("apprise", ["nosuchscheme://secret-value@host"])


def test_make_message_is_hashable_and_replaceable() -> None:
    message = make_message()
    assert replace(message, kind="update").kind == "update"
    assert hash(message) == hash(make_message())

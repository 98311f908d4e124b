"""The local receivers the demo and the channel tests rely on, driven by plain clients."""

from __future__ import annotations

import smtplib
import time
from email.message import EmailMessage

import httpx
import pytest

from monitor.alerts.signing import sign
from monitor.demo.receivers import Headers, SmtpReceiver, WebhookReceiver

pytestmark = pytest.mark.timeout(20)


def post(url: str, body: bytes, headers: dict[str, str] | None = None) -> int:
    return httpx.post(url, content=body, headers=headers or {}, timeout=5).status_code


def test_headers_are_case_insensitive() -> None:
    headers = Headers([("X-Newsmon-Event", "new")])
    assert headers["x-newsmon-event"] == headers["X-NEWSMON-EVENT"] == "new"
    assert "X-Newsmon-Event" in headers and headers.get("Missing") is None
    assert headers.get("missing", "d") == "d"


def test_webhook_receiver_checks_signatures_and_answers_from_its_queue() -> None:
    with WebhookReceiver(secret="k") as receiver:
        ts = str(int(time.time()))
        good = {"X-Newsmon-Timestamp": ts, "X-Newsmon-Signature": sign("k", ts, b"{}")}
        receiver.fail_next(2, status=503)

        statuses = [post(receiver.url, b"{}", good) for _ in range(3)]
        post(receiver.url, b"{}", {"X-Newsmon-Timestamp": ts, "X-Newsmon-Signature": "sha256=0"})
        post(receiver.url, b"{}")

        got = receiver.wait_for(5)
    assert statuses == [503, 503, 200]
    assert [r.signature_valid for r in got] == [True, True, True, False, False]
    assert got[0].path == "/hook" and got[0].payload == {}


def test_webhook_receiver_rejects_bad_input_when_asked() -> None:
    with WebhookReceiver(secret="k", reject_invalid=True) as receiver:
        assert post(receiver.url, b"{}") == 401
        assert post(receiver.url, b"not json") == 400
        assert post(receiver.url, b"[1, 2]") == 400
        assert [r.status for r in receiver.received] == [401, 400, 400]


def test_webhook_receiver_without_secret_does_not_judge() -> None:
    with WebhookReceiver() as receiver:
        assert post(receiver.url, '{"t": "बैठक"}'.encode()) == 200
        [got] = receiver.received
    assert got.signature_valid is None and got.payload == {"t": "बैठक"}


def test_webhook_receiver_lifecycle() -> None:
    receiver = WebhookReceiver()
    with pytest.raises(RuntimeError):
        _ = receiver.url
    url = receiver.start()
    assert url.startswith("http://127.0.0.1:") and receiver.start() == url
    with pytest.raises(TimeoutError):
        receiver.wait_for(1, timeout=0.01)
    receiver.stop()
    receiver.stop()  # stopping twice is harmless
    with pytest.raises(httpx.ConnectError):
        post(url, b"{}")


def mail(subject: str) -> EmailMessage:
    msg = EmailMessage()
    msg["From"], msg["To"], msg["Subject"] = "a@example.org", "b@example.org", subject
    msg.set_content("नमस्ते")
    return msg


def test_smtp_receiver_records_messages_and_fails_on_request() -> None:
    with SmtpReceiver() as receiver:
        host, port = receiver.address
        receiver.fail_next(1, code=554)
        with smtplib.SMTP(host, port, timeout=5) as client:
            with pytest.raises(smtplib.SMTPDataError) as refused:
                client.send_message(mail("पहला"))
            client.send_message(mail("दूसरा"))
        [got] = receiver.wait_for(1)
        [envelope] = receiver.mails
    assert refused.value.smtp_code == 554
    assert got["Subject"] == "दूसरा" and got.get_content().strip() == "नमस्ते"
    assert envelope.mail_from == "a@example.org" and envelope.rcpt_tos == ("b@example.org",)


@pytest.mark.filterwarnings("ignore:Requiring AUTH while not requiring TLS")
def test_smtp_receiver_requires_login_when_given_credentials() -> None:
    with (
        SmtpReceiver(credentials=("u", "p")) as receiver,
        smtplib.SMTP(*receiver.address, timeout=5) as client,
    ):
        with pytest.raises(smtplib.SMTPSenderRefused):
            client.send_message(mail("x"))  # no AUTH yet
        client.login("u", "p")
        client.send_message(mail("y"))
        assert [m["Subject"] for m in receiver.wait_for(1)] == ["y"]

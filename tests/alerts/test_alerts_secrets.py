"""Configured secrets never reach a log line, whatever fails and however verbose the logs."""

from __future__ import annotations

import logging
import socket
from collections.abc import Iterator
from datetime import timedelta
from pathlib import Path

import pytest

from monitor.alerts.dispatch import Dispatcher
from monitor.alerts.factory import build_channels
from monitor.alerts.policy import AlertPolicy
from monitor.config.model import load_config
from monitor.demo.receivers import SmtpReceiver, WebhookReceiver
from monitor.store import Store
from tests.alerts_helpers import Clock, store_report

pytestmark = [
    pytest.mark.timeout(30),
    pytest.mark.filterwarnings("ignore:'imghdr' is deprecated:DeprecationWarning"),
    pytest.mark.filterwarnings("ignore:Requiring AUTH while not requiring TLS:UserWarning"),
]

HMAC_SECRET = "hmac-Secret-4d1c9e"
URL_TOKEN = "tok9f8e7d6c5b4a3"
SMTP_PASSWORD = "smtp-Pass-77aa21"
APPRISE_PASSWORD = "apprisePw-0c3b5e"
SECRETS = (HMAC_SECRET, URL_TOKEN, SMTP_PASSWORD, APPRISE_PASSWORD)
# The test's own servers log what they receive; only the sending side is under test.
RECEIVER_LOGGERS = ("mail.log", "monitor.demo.receivers")


@pytest.fixture
def every_log_line() -> Iterator[list[logging.LogRecord]]:
    records: list[logging.LogRecord] = []

    class Keep(logging.Handler):
        def emit(self, record: logging.LogRecord) -> None:
            records.append(record)

    root = logging.getLogger()
    handler, level = Keep(logging.DEBUG), root.level
    root.addHandler(handler)
    root.setLevel(logging.DEBUG)
    # The CLI quietens these at -v; at -vv they log at DEBUG, so check them at DEBUG too.
    quiet = {name: logging.getLogger(name).level for name in ("httpx", "httpcore", "apprise")}
    for name in quiet:
        logging.getLogger(name).setLevel(logging.DEBUG)
    yield records
    root.removeHandler(handler)
    root.setLevel(level)
    for name, old in quiet.items():
        logging.getLogger(name).setLevel(old)


def closed_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def test_no_configured_secret_appears_in_any_log_line(
    tmp_path: Path, every_log_line: list[logging.LogRecord]
) -> None:
    with WebhookReceiver() as hook, SmtpReceiver(credentials=("newsmon", "the-real-pw")) as smtp:
        hook.fail_next(1, status=500)
        (tmp_path / "sources.yaml").write_text("sources: []\n", encoding="utf-8")
        config_path = tmp_path / "newsmon.yaml"
        config_path.write_text(
            f"""
store: {{url: "sqlite:///{tmp_path / "store.sqlite"}"}}
alerts:
  retry: {{max_attempts: 2, base_delay_seconds: 1}}
  channels:
    - type: webhook
      name: hook
      url: "{hook.url}?token=${{HOOK_TOKEN}}"
      secret: ${{HOOK_SECRET}}
    - type: email
      name: mail
      host: {smtp.address[0]}
      port: {smtp.address[1]}
      sender: newsmon@localhost
      recipients: [desk@localhost]
      username: newsmon
      password: ${{SMTP_PASSWORD}}
    - type: apprise
      name: chat
      urls: ["json://bot:${{APPRISE_PASSWORD}}@127.0.0.1:{closed_port()}/hook"]
""",
            encoding="utf-8",
        )
        env = {
            "HOOK_TOKEN": URL_TOKEN,
            "HOOK_SECRET": HMAC_SECRET,
            "SMTP_PASSWORD": SMTP_PASSWORD,  # the server expects another: a login failure
            "APPRISE_PASSWORD": APPRISE_PASSWORD,
        }
        config = load_config(config_path, env=env)
        clock = Clock()
        store = Store(config.settings.store.url, clock=clock)
        alerts = config.settings.alerts
        store_report(store, AlertPolicy.from_config(alerts), url="https://news.example/1")
        channels = build_channels(alerts.channels, tmp_path)
        dispatcher = Dispatcher(store, channels, alerts.retry)
        for _ in range(3):
            dispatcher.dispatch_due()
            clock.now += timedelta(hours=1)
        descriptions = " ".join(c.describe() for c in channels.values())
        store.dispose()
        assert len(hook.received) == 2  # failed once, then delivered

    lines = [
        f"{r.name} {r.getMessage()} {r.exc_text or ''}"
        for r in every_log_line
        if not r.name.startswith(RECEIVER_LOGGERS)
    ]
    assert any("not delivered" in line for line in lines)  # failures were logged...
    for secret in SECRETS:
        leaks = [line for line in lines if secret in line]
        assert leaks == [], f"{secret!r} leaked"  # ...without a single secret
        assert secret not in descriptions

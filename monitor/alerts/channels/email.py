"""Send each alert as a multipart (plain text + HTML) UTF-8 email over SMTP.

The Message-ID is derived from the alert id, so a retried alert carries the same id and mail
systems and clients can recognise the repeat.
"""

from __future__ import annotations

import base64
import email.policy
import hashlib
import logging
import smtplib
import socket
import ssl
import time
from collections.abc import Callable, Sequence
from email.message import EmailMessage
from email.utils import formatdate, parseaddr
from typing import Literal

from pydantic import Field

from monitor.alerts.channels.base import BuildContext, ChannelKind, DeliveryResult
from monitor.alerts.message import AlertMessage
from monitor.alerts.payload import Message
from monitor.alerts.redact import Redactor
from monitor.alerts.render import Renderer, default_renderer
from monitor.config.channels import Language

logger = logging.getLogger(__name__)

Security = Literal["none", "starttls", "tls"]

# With 7-bit transfer encoding the library picks quoted-printable or base64 per part, so the
# message survives relays that do not announce 8BITMIME; non-ASCII headers get RFC 2047 words.
# The parts are encoded under the standard 78 columns (RFC 2045 wants base64 lines of at most
# 76). The headers are folded under 998 columns instead: folding a long header of Hindi encoded
# words at 78 loses the space between two of them in the standard library, and RFC 5322 allows
# lines up to 998, which no subject reaches.
_BODY_POLICY = email.policy.default.clone(cte_type="7bit")
_POLICY = _BODY_POLICY.clone(max_line_length=998)


def message_id(alert_id: str, domain: str) -> str:
    """A Message-ID that is the same for every delivery of one alert."""
    digest = hashlib.sha256(alert_id.encode("utf-8")).hexdigest()[:32]
    return f"<{digest}.newsmon@{domain}>"


class EmailSettings(ChannelKind):
    """`type: email`: one message per alert, by SMTP, to every recipient."""

    type: Literal["email"]
    host: str
    port: int = Field(25, ge=1, le=65535)
    sender: str
    recipients: tuple[str, ...] = Field(min_length=1)
    username: str | None = None
    password: str | None = None
    security: Security = "none"
    timeout: float = Field(10.0, gt=0)
    language: Language | None = None

    def build(self, context: BuildContext) -> EmailChannel:
        return EmailChannel(
            self.name,
            self.host,
            self.port,
            self.sender,
            self.recipients,
            username=self.username,
            password=self.password,
            security=self.security,
            timeout=self.timeout,
            renderer=context.renderer.in_language(self.language),
        )


class EmailChannel:
    def __init__(
        self,
        name: str,
        host: str,
        port: int,
        sender: str,
        recipients: Sequence[str],
        *,
        username: str | None = None,
        password: str | None = None,
        security: Security = "none",
        timeout: float = 10.0,
        clock: Callable[[], float] = time.time,
        renderer: Renderer | None = None,
    ) -> None:
        if not recipients:
            raise ValueError("an email channel needs at least one recipient")
        self.name = name
        self._host = host
        self._port = port
        self._sender = sender
        self._envelope_from = parseaddr(sender)[1] or sender
        self._recipients = tuple(recipients)
        self._username = username
        self._password = password
        self._security: Security = security
        self._timeout = timeout
        self._clock = clock
        self._renderer = renderer or default_renderer()
        self._domain = self._envelope_from.rpartition("@")[2] or "newsmon.invalid"
        secrets = [password]
        if password:
            # AUTH PLAIN and LOGIN send these encodings; a server might echo them in an error.
            plain = f"\0{username or ''}\0{password}".encode()
            secrets += [base64.b64encode(s).decode() for s in (plain, password.encode())]
        self._redact = Redactor(secrets)

    def describe(self) -> str:
        user = f"{self._username}@" if self._username else ""
        return (
            f"email smtp://{user}{self._host}:{self._port} ({self._security}) "
            f"from {self._envelope_from} to {', '.join(self._recipients)}"
        )

    def build_message(self, message: Message) -> EmailMessage:
        msg = EmailMessage(policy=_BODY_POLICY)
        msg["Subject"] = self._renderer.subject(message)
        msg["From"] = self._sender
        msg["To"] = ", ".join(self._recipients)
        msg["Date"] = formatdate(self._clock(), usegmt=True)
        msg["Message-ID"] = message_id(message.alert_id, self._domain)
        msg["X-Newsmon-Alert-Id"] = message.alert_id
        if isinstance(message, AlertMessage):
            msg["X-Newsmon-Event-Id"] = message.event_id
        # RFC 3834: tells vacation responders and ticket systems not to answer.
        msg["Auto-Submitted"] = "auto-generated"
        msg.set_content(self._renderer.text(message), subtype="plain", charset="utf-8")
        msg.add_alternative(self._renderer.html(message), subtype="html", charset="utf-8")
        # The parts are encoded now; the policy from here on only decides header folding.
        msg.policy = _POLICY
        return msg

    def send(self, message: Message) -> DeliveryResult:
        msg = self.build_message(message)
        try:
            refused = self._deliver(msg)
        except (smtplib.SMTPException, OSError) as exc:
            result = self._failure(exc)
            logger.warning(
                "channel %s: alert %s not delivered: %s", self.name, message.alert_id, result.status
            )
            return result
        if refused:
            # Some recipients have it already; retrying would send them a duplicate.
            detail = "; ".join(f"{rcpt}: {code}" for rcpt, (code, _) in sorted(refused.items()))
            logger.warning("channel %s: recipients refused: %s", self.name, detail)
            return DeliveryResult(ok=True, status="sent, some recipients refused", error=detail)
        return DeliveryResult.sent()

    def _deliver(self, msg: EmailMessage) -> dict[str, tuple[int, bytes]]:
        smtp = self._connect()
        try:
            if self._username:
                smtp.login(self._username, self._password or "")
            return smtp.send_message(msg, self._envelope_from, list(self._recipients))
        finally:
            _quit_quietly(smtp)

    def _connect(self) -> smtplib.SMTP:
        if self._security == "tls":
            return smtplib.SMTP_SSL(
                self._host, self._port, timeout=self._timeout, context=ssl.create_default_context()
            )
        smtp = smtplib.SMTP(self._host, self._port, timeout=self._timeout)
        if self._security == "starttls":
            try:
                smtp.ehlo()
                smtp.starttls(context=ssl.create_default_context())
                smtp.ehlo()
            except BaseException:
                _quit_quietly(smtp)
                raise
        return smtp

    def _failure(self, exc: BaseException) -> DeliveryResult:
        # smtplib's exceptions are OSErrors too, so they are told apart before the socket ones.
        if isinstance(exc, smtplib.SMTPRecipientsRefused):
            codes = sorted({code for code, _ in exc.recipients.values()})
            detail = "; ".join(f"{r}: {c} {_text(m)}" for r, (c, m) in exc.recipients.items())
            return DeliveryResult.failed(
                "smtp " + "/".join(map(str, codes)),
                self._redact(f"all recipients refused: {detail}"),
                retryable=any(400 <= c < 500 for c in codes),
            )
        if isinstance(exc, smtplib.SMTPResponseException):
            code = exc.smtp_code
            return DeliveryResult.failed(
                f"smtp {code}",
                self._redact(f"{code} {_text(exc.smtp_error)}"),
                retryable=400 <= code < 500 or code < 200,
            )
        if isinstance(exc, smtplib.SMTPNotSupportedError):
            return DeliveryResult.failed(
                "smtp unsupported", self._redact(str(exc)), retryable=False
            )
        if isinstance(exc, smtplib.SMTPServerDisconnected):
            status = "disconnected"
        elif isinstance(exc, ConnectionRefusedError):
            status = "connection refused"
        elif isinstance(exc, TimeoutError):
            status = "timeout"
        elif isinstance(exc, socket.gaierror):
            status = "dns error"
        elif isinstance(exc, ssl.SSLError):
            status = "tls error"
        else:
            status = "connect error"
        detail = f"{type(exc).__name__}: {exc}" if str(exc) else type(exc).__name__
        return DeliveryResult.failed(status, self._redact(detail), retryable=True)


def _text(value: bytes | str) -> str:
    return value.decode("utf-8", "replace") if isinstance(value, bytes) else value


def _quit_quietly(smtp: smtplib.SMTP) -> None:
    # The message is already accepted (or already failed); a broken QUIT changes neither.
    try:
        smtp.quit()
    except (smtplib.SMTPException, OSError):
        smtp.close()

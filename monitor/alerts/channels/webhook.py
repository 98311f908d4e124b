"""POST each alert as signed JSON to an HTTP endpoint.

Receivers authenticate a call with the HMAC in ``X-Newsmon-Signature`` (see
:mod:`monitor.alerts.signing`) and drop repeats by ``Idempotency-Key``: the outbox may deliver
the same alert more than once when a response is lost.
"""

from __future__ import annotations

import functools
import json
import logging
import ssl
import time
from collections.abc import Callable, Mapping
from email.utils import parsedate_to_datetime
from typing import Final, Literal

import httpx
from pydantic import Field, field_validator

from monitor.alerts.channels.base import BuildContext, ChannelKind, DeliveryResult
from monitor.alerts.payload import Message
from monitor.alerts.redact import Redactor, guard_logger, redact_url, url_secrets
from monitor.alerts.signing import SIGNATURE_HEADER, TIMESTAMP_HEADER, sign

logger = logging.getLogger(__name__)

USER_AGENT: Final = "newsmon/0.1"
_RETRYABLE_4XX: Final = frozenset({408, 425, 429})
_SNIPPET: Final = 200


class WebhookSettings(ChannelKind):
    """`type: webhook`: POST each alert as signed JSON to `url`."""

    type: Literal["webhook"]
    url: str
    secret: str | None = None
    timeout: float = Field(10.0, gt=0)
    headers: dict[str, str] = Field(default_factory=dict)

    @field_validator("url")
    @classmethod
    def _http_url(cls, value: str) -> str:
        if not value.startswith(("http://", "https://")):
            raise ValueError("must be an http:// or https:// URL")
        return value

    def build(self, context: BuildContext) -> WebhookChannel:
        return WebhookChannel(
            self.name, self.url, self.secret, timeout=self.timeout, headers=self.headers
        )


class WebhookChannel:
    def __init__(
        self,
        name: str,
        url: str,
        secret: str | None,
        *,
        timeout: float = 10.0,
        headers: Mapping[str, str] | None = None,
        clock: Callable[[], float] = time.time,
    ) -> None:
        self.name = name
        self._url = url
        self._secret = secret
        self._timeout = timeout
        self._headers = dict(headers or {})
        self._clock = clock
        # Custom headers often carry tokens (Authorization: Bearer ...), so their values are
        # treated as secrets too.
        self._redact = Redactor([secret, *url_secrets(url), *self._headers.values()])
        guard_logger("httpx", self._redact)

    def describe(self) -> str:
        extras = ["signed" if self._secret else "unsigned"]
        if self._headers:
            extras.append("headers " + ", ".join(sorted(self._headers)))
        return f"webhook {redact_url(self._url)} ({'; '.join(extras)})"

    def build_request(self, message: Message) -> tuple[dict[str, str], bytes]:
        """The headers and body :meth:`send` would POST now (also handy for showing a sample)."""
        body = json.dumps(message.to_payload(), ensure_ascii=False).encode("utf-8")
        timestamp = str(int(self._clock()))
        headers = {"User-Agent": USER_AGENT, **self._headers}
        # Protocol headers come last so configured headers cannot replace them.
        headers.update(
            {
                "Content-Type": "application/json",
                "Idempotency-Key": message.alert_id,
                "X-Newsmon-Event": message.kind,
                TIMESTAMP_HEADER: timestamp,
            }
        )
        if self._secret:
            headers[SIGNATURE_HEADER] = sign(self._secret, timestamp, body)
        return headers, body

    def send(self, message: Message) -> DeliveryResult:
        headers, body = self.build_request(message)
        try:
            with httpx.Client(
                timeout=self._timeout, follow_redirects=False, verify=_tls_context()
            ) as client:
                response = client.post(self._url, content=body, headers=headers)
        except httpx.HTTPError as exc:
            result = self._transport_failure(exc)
        except ValueError as exc:  # an unusable URL or header value: configuration, not network
            result = DeliveryResult.failed(
                "invalid request", self._redact(str(exc)), retryable=False
            )
        else:
            result = self._classify(response)
        if not result.ok:
            logger.warning(
                "channel %s: alert %s not delivered: %s", self.name, message.alert_id, result.status
            )
        return result

    def _classify(self, response: httpx.Response) -> DeliveryResult:
        code = response.status_code
        if 200 <= code < 300:
            return DeliveryResult.sent()
        status = f"http {code}"
        snippet = " ".join(response.text[:_SNIPPET].split())
        error = self._redact(f"{code} {response.reason_phrase}: {snippet}".rstrip(": "))
        retryable = code >= 500 or code in _RETRYABLE_4XX
        retry_after = _retry_after(response.headers.get("Retry-After"), self._clock())
        return DeliveryResult.failed(status, error, retryable=retryable, retry_after=retry_after)

    def _transport_failure(self, exc: httpx.HTTPError) -> DeliveryResult:
        if isinstance(exc, httpx.TimeoutException):
            status = "timeout"
        elif isinstance(exc, httpx.UnsupportedProtocol | httpx.InvalidURL):
            return DeliveryResult.failed("invalid url", self._redact(str(exc)), retryable=False)
        elif _caused_by(exc, ConnectionRefusedError):
            status = "connection refused"
        elif isinstance(exc, httpx.ConnectError):
            status = "connect error"
        else:
            status = "transport error"
        detail = str(exc) or type(exc).__name__
        return DeliveryResult.failed(status, self._redact(detail), retryable=True)


@functools.cache
def _tls_context() -> ssl.SSLContext:
    """One verifying TLS context for every send: loading the CA bundle costs tens of
    milliseconds, which a client per send would pay for each alert of a backlog."""
    return httpx.create_ssl_context()


def _caused_by(exc: BaseException, kind: type[BaseException]) -> bool:
    seen: set[int] = set()
    current: BaseException | None = exc
    while current is not None and id(current) not in seen:
        if isinstance(current, kind):
            return True
        seen.add(id(current))
        current = current.__cause__ or current.__context__
    return "connection refused" in str(exc).lower()


def _retry_after(value: str | None, now: float) -> float | None:
    """Parse ``Retry-After`` (delta seconds or an HTTP date) into seconds from now."""
    if not value:
        return None
    value = value.strip()
    if value.isdigit():
        return float(value)
    try:
        return max(0.0, parsedate_to_datetime(value).timestamp() - now)
    except (TypeError, ValueError):
        return None

"""Real local endpoints that alerts can be sent to: an HTTP webhook and an SMTP server.

The demo shows delivered alerts with them and the tests check the channels against them. Both
bind to 127.0.0.1 on a free port, record what they receive, and can be told to fail the next
few deliveries, so retries can be watched without any outside service.
"""

from __future__ import annotations

import email
import email.policy
import json
import logging
import socket
import threading
import time
from collections import deque
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from email.message import EmailMessage
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from types import TracebackType
from typing import Any, Self, TypeVar, cast, overload

from aiosmtpd.controller import Controller
from aiosmtpd.smtp import AuthResult, LoginPassword

from monitor.alerts.signing import SIGNATURE_HEADER, TIMESTAMP_HEADER, verify

logger = logging.getLogger(__name__)

_T = TypeVar("_T")
_HOST = "127.0.0.1"


class Headers(dict[str, str]):
    """HTTP headers as a dict whose keys are stored lower-case and looked up in any case."""

    def __init__(self, items: Iterable[tuple[str, str]] = ()) -> None:
        super().__init__((name.lower(), value) for name, value in items)

    def __getitem__(self, key: str) -> str:
        return super().__getitem__(key.lower())

    def __contains__(self, key: object) -> bool:
        return isinstance(key, str) and super().__contains__(key.lower())

    @overload
    def get(self, key: str, default: None = None, /) -> str | None: ...
    @overload
    def get(self, key: str, default: str, /) -> str: ...
    @overload
    def get(self, key: str, default: _T, /) -> str | _T: ...
    def get(self, key: str, default: object = None, /) -> object:
        return super().get(key.lower(), default)


@dataclass(frozen=True)
class ReceivedWebhook:
    """One POST as the receiver saw it, and the status it answered."""

    headers: Headers
    body: bytes
    payload: dict[str, Any]
    signature_valid: bool | None  # None when the receiver has no secret to check with
    path: str = "/"
    status: int = 200


class _Recorder:
    """A thread-safe list that tests can wait on without sleeping."""

    def __init__(self) -> None:
        self._items: list[Any] = []
        self._changed = threading.Condition()

    def add(self, item: Any) -> None:
        with self._changed:
            self._items.append(item)
            self._changed.notify_all()

    def snapshot(self) -> list[Any]:
        with self._changed:
            return list(self._items)

    def wait_for(self, count: int, timeout: float) -> list[Any]:
        with self._changed:
            if not self._changed.wait_for(lambda: len(self._items) >= count, timeout):
                raise TimeoutError(f"expected {count} deliveries, got {len(self._items)}")
            return list(self._items)

    def clear(self) -> None:
        with self._changed:
            self._items.clear()


class _FailureQueue:
    """Statuses to answer with before going back to the success status."""

    def __init__(self) -> None:
        self._pending: deque[int] = deque()
        self._lock = threading.Lock()

    def push(self, count: int, status: int) -> None:
        with self._lock:
            self._pending.extend([status] * count)

    def next(self, default: int) -> int:
        with self._lock:
            return self._pending.popleft() if self._pending else default


class _HttpServer(ThreadingHTTPServer):
    receiver: WebhookReceiver


class _WebhookHandler(BaseHTTPRequestHandler):
    server: _HttpServer

    def do_POST(self) -> None:
        length = int(self.headers.get("Content-Length") or 0)
        body = self.rfile.read(length)
        status = self.server.receiver.handle(self.path, Headers(self.headers.items()), body)
        reply = json.dumps({"ok": 200 <= status < 300}).encode()
        self.send_response(status)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(reply)))
        self.end_headers()
        self.wfile.write(reply)

    def log_message(self, format: str, *args: Any) -> None:
        # The default writes to stderr; a library should leave that to the application.
        logger.debug("webhook receiver: %s", format % args)


class WebhookReceiver:
    """An HTTP server on 127.0.0.1 that records every POST.

    With a ``secret`` it checks each signature and records the verdict; with
    ``reject_invalid`` it also answers 401 to a missing or bad signature. A body that is not a
    JSON object is answered with 400.
    """

    def __init__(
        self,
        secret: str | None = None,
        *,
        path: str = "/hook",
        reject_invalid: bool = False,
        clock: Callable[[], float] = time.time,
    ) -> None:
        self.secret = secret
        self.path = path
        self.reject_invalid = reject_invalid
        self._clock = clock
        self._records = _Recorder()
        self._failures = _FailureQueue()
        self._server: _HttpServer | None = None
        self._thread: threading.Thread | None = None

    def __enter__(self) -> Self:
        self.start()
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self.stop()

    def start(self) -> str:
        if self._server is not None:
            return self.url
        server = _HttpServer((_HOST, 0), _WebhookHandler)
        server.receiver = self
        self._server = server
        # A short poll interval keeps stop() quick; serving itself is not affected.
        self._thread = threading.Thread(
            target=server.serve_forever,
            kwargs={"poll_interval": 0.05},
            daemon=True,
            name="webhook-receiver",
        )
        self._thread.start()
        logger.info("webhook receiver listening on %s", self.url)
        return self.url

    def stop(self) -> None:
        if self._server is None:
            return
        self._server.shutdown()
        self._server.server_close()
        if self._thread is not None:
            self._thread.join(timeout=5)
        self._server = None
        self._thread = None

    @property
    def url(self) -> str:
        if self._server is None:
            raise RuntimeError("the webhook receiver is not running")
        host, port = self._server.server_address[:2]
        return f"http://{host!s}:{port}{self.path}"

    @property
    def received(self) -> list[ReceivedWebhook]:
        return cast(list[ReceivedWebhook], self._records.snapshot())

    def wait_for(self, count: int, timeout: float = 5.0) -> list[ReceivedWebhook]:
        """Block until ``count`` requests have arrived (raises ``TimeoutError`` otherwise)."""
        return cast(list[ReceivedWebhook], self._records.wait_for(count, timeout))

    def fail_next(self, n: int, status: int = 500) -> None:
        """Answer ``status`` to the next ``n`` requests, then 200 again."""
        self._failures.push(n, status)

    def clear(self) -> None:
        self._records.clear()

    def handle(self, path: str, headers: Headers, body: bytes) -> int:
        """Record one request and return the status to answer (called by the HTTP handler)."""
        valid = self._check_signature(headers, body)
        try:
            parsed = json.loads(body)
        except (UnicodeDecodeError, json.JSONDecodeError):
            parsed = None
        payload = parsed if isinstance(parsed, dict) else {}
        if parsed is not payload:
            status = 400
        elif self.reject_invalid and valid is not True:
            status = 401
        else:
            status = self._failures.next(200)
        self._records.add(ReceivedWebhook(headers, body, payload, valid, path, status))
        return status

    def _check_signature(self, headers: Headers, body: bytes) -> bool | None:
        if self.secret is None:
            return None
        timestamp = headers.get(TIMESTAMP_HEADER)
        signature = headers.get(SIGNATURE_HEADER)
        if timestamp is None or signature is None:
            return False
        return verify(self.secret, timestamp, body, signature, now=self._clock())


@dataclass(frozen=True)
class ReceivedMail:
    """One accepted message with its SMTP envelope."""

    mail_from: str
    rcpt_tos: tuple[str, ...]
    message: EmailMessage
    raw: bytes


class _SmtpHandler:
    def __init__(self, receiver: SmtpReceiver) -> None:
        self._receiver = receiver

    async def handle_DATA(self, server: Any, session: Any, envelope: Any) -> str:
        raw = envelope.original_content or envelope.content
        data = raw if isinstance(raw, bytes) else str(raw).encode("utf-8")
        return self._receiver.accept(envelope.mail_from, tuple(envelope.rcpt_tos), data)


class SmtpReceiver:
    """An SMTP server (aiosmtpd) on 127.0.0.1 that keeps every message it accepts.

    With ``credentials`` it requires AUTH (over plain text, acceptable on loopback only).
    """

    def __init__(self, *, credentials: tuple[str, str] | None = None) -> None:
        self.credentials = credentials
        self._records = _Recorder()
        self._failures = _FailureQueue()
        self._controller: Controller | None = None
        self._address: tuple[str, int] | None = None

    def __enter__(self) -> Self:
        self.start()
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self.stop()

    def start(self) -> tuple[str, int]:
        if self._address is not None:
            return self._address
        # aiosmtpd needs a concrete port before it binds; another process may take the free
        # port in between, so try a few.
        for attempt in range(5):
            controller = self._controller_for(_free_port())
            try:
                controller.start()
            except OSError:
                if attempt == 4:
                    raise
                continue
            self._controller = controller
            self._address = (_HOST, int(controller.port))
            logger.info("smtp receiver listening on %s:%d", *self._address)
            return self._address
        raise RuntimeError("unreachable")

    def _controller_for(self, port: int) -> Controller:
        auth: dict[str, Any] = {}
        if self.credentials is not None:
            auth = {
                "authenticator": self._authenticate,
                "auth_required": True,
                "auth_require_tls": False,
            }
        # server_hostname spares aiosmtpd a reverse DNS lookup at start.
        return Controller(
            _SmtpHandler(self), hostname=_HOST, port=port, server_hostname="localhost", **auth
        )

    def _authenticate(
        self, server: Any, session: Any, envelope: Any, mechanism: str, auth_data: Any
    ) -> AuthResult:
        ok = (
            isinstance(auth_data, LoginPassword)
            and self.credentials is not None
            and (auth_data.login, auth_data.password)
            == tuple(s.encode("utf-8") for s in self.credentials)
        )
        return AuthResult(success=ok, handled=False)

    def stop(self) -> None:
        if self._controller is None:
            return
        self._controller.stop()
        self._controller = None
        self._address = None

    @property
    def address(self) -> tuple[str, int]:
        if self._address is None:
            raise RuntimeError("the smtp receiver is not running")
        return self._address

    @property
    def mails(self) -> list[ReceivedMail]:
        return cast(list[ReceivedMail], self._records.snapshot())

    @property
    def messages(self) -> list[EmailMessage]:
        return [mail.message for mail in self.mails]

    def wait_for(self, count: int, timeout: float = 5.0) -> list[EmailMessage]:
        """Block until ``count`` messages have been accepted (raises ``TimeoutError``)."""
        mails = cast(list[ReceivedMail], self._records.wait_for(count, timeout))
        return [mail.message for mail in mails]

    def fail_next(self, n: int, code: int = 451) -> None:
        """Answer DATA with ``code`` for the next ``n`` messages (4xx: try later, 5xx: refused)."""
        self._failures.push(n, code)

    def clear(self) -> None:
        self._records.clear()

    def accept(self, mail_from: str, rcpt_tos: tuple[str, ...], raw: bytes) -> str:
        """Record a message and return the SMTP reply (called from the server's event loop)."""
        code = self._failures.next(250)
        if code != 250:
            return f"{code} {'4.3.0 try again later' if code < 500 else '5.7.1 rejected'}"
        message = email.message_from_bytes(raw, policy=email.policy.default)
        self._records.add(ReceivedMail(mail_from, rcpt_tos, message, raw))
        return "250 OK"


def _free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind((_HOST, 0))
        return int(sock.getsockname()[1])

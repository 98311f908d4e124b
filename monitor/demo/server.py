"""A real HTTP server on localhost that serves pages put into it.

The demo and the tests crawl it instead of the internet. It answers conditional GETs the way a
well-behaved news site does (ETag and Last-Modified, 304 on a match), so the "unchanged sites
cost almost nothing" promise can be checked, and it records every request it receives.
"""

from __future__ import annotations

import hashlib
import logging
import threading
import time
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import UTC, datetime
from email.utils import format_datetime, parsedate_to_datetime
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from types import TracebackType
from urllib.parse import urlsplit

logger = logging.getLogger(__name__)


@dataclass(frozen=True)
class RequestRecord:
    """One request as the server saw it."""

    method: str
    path: str
    status: int
    bytes_sent: int
    headers: dict[str, str]
    time: float


@dataclass(frozen=True)
class _Resource:
    body: bytes
    content_type: str
    status: int
    etag: str
    last_modified: datetime
    headers: Mapping[str, str] = field(default_factory=dict)


class _Handler(BaseHTTPRequestHandler):
    # HTTP/1.1 so that clients keep connections alive, as they would against a real site.
    protocol_version = "HTTP/1.1"
    server: _Server

    def do_GET(self) -> None:
        self._respond(send_body=True)

    def do_HEAD(self) -> None:
        self._respond(send_body=False)

    def log_message(self, format: str, *args: object) -> None:
        # The stdlib writes to stderr; a library should use logging instead.
        logger.debug("%s %s", self.address_string(), format % args)

    def _respond(self, *, send_body: bool) -> None:
        site = self.server.site
        resource = site._lookup(self.path)
        request_headers = {name: value for name, value in self.headers.items()}
        content_type: str | None
        if resource is None:
            status, content_type, body = 404, "text/plain; charset=utf-8", b"not found\n"
            extra: dict[str, str] = {}
        elif resource.status == 200 and _not_modified(resource, request_headers):
            status, content_type, body, extra = 304, None, b"", _validators(resource)
        else:
            status, content_type, body = resource.status, resource.content_type, resource.body
            extra = {**_validators(resource), **resource.headers}
        sent = len(body) if send_body else 0
        # Logged before the response goes out: a client that got its answer can rely on the
        # record being there (tests read the log right after a request returns).
        site._record(
            RequestRecord(self.command, self.path, status, sent, request_headers, time.time())
        )
        self.send_response(status)
        if content_type is not None:
            self.send_header("Content-Type", content_type)
        for name, value in extra.items():
            self.send_header(name, value)
        if status != 304:
            self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        if send_body and body:
            self.wfile.write(body)


def _validators(resource: _Resource) -> dict[str, str]:
    return {
        "ETag": resource.etag,
        "Last-Modified": format_datetime(resource.last_modified, usegmt=True),
    }


def _not_modified(resource: _Resource, headers: Mapping[str, str]) -> bool:
    # Header names arrive in whatever case the client used.
    lowered = {name.lower(): value for name, value in headers.items()}
    if_none_match = lowered.get("if-none-match")
    if if_none_match is not None:
        # RFC 9110: If-None-Match takes precedence; If-Modified-Since is then ignored.
        tags = {tag.strip().removeprefix("W/") for tag in if_none_match.split(",")}
        return "*" in tags or resource.etag in tags
    if_modified_since = lowered.get("if-modified-since")
    if if_modified_since is None:
        return False
    try:
        since = parsedate_to_datetime(if_modified_since)
    except (TypeError, ValueError):
        return False
    if since.tzinfo is None:
        since = since.replace(tzinfo=UTC)
    return resource.last_modified <= since


class _Server(ThreadingHTTPServer):
    daemon_threads = True
    site: LocalSite


class LocalSite:
    """Serve in-memory pages on 127.0.0.1; use as a context manager or start()/stop()."""

    def __init__(self, host: str = "127.0.0.1", port: int = 0) -> None:
        self._host = host
        self._port = port
        self._lock = threading.Lock()
        self._resources: dict[str, _Resource] = {}
        self._log: list[RequestRecord] = []
        self._server: _Server | None = None
        self._thread: threading.Thread | None = None

    def put(
        self,
        path: str,
        body: bytes | str,
        content_type: str = "text/html; charset=utf-8",
        *,
        status: int = 200,
        headers: Mapping[str, str] | None = None,
        last_modified: datetime | None = None,
    ) -> None:
        """Serve `body` at `path` (which may include a query string) from now on."""
        data = body.encode("utf-8") if isinstance(body, str) else bytes(body)
        if last_modified is None:
            last_modified = datetime.now(UTC)
        elif last_modified.tzinfo is None:
            last_modified = last_modified.replace(tzinfo=UTC)
        # HTTP dates have whole seconds; comparing with sub-second precision would never match.
        last_modified = last_modified.astimezone(UTC).replace(microsecond=0)
        etag = '"' + hashlib.sha256(data).hexdigest()[:32] + '"'
        resource = _Resource(data, content_type, status, etag, last_modified, dict(headers or {}))
        with self._lock:
            self._resources[_normalise_path(path)] = resource

    def remove(self, path: str) -> None:
        with self._lock:
            self._resources.pop(_normalise_path(path), None)

    def start(self) -> str:
        if self._server is not None:
            return self.base_url
        server = _Server((self._host, self._port), _Handler)
        server.site = self
        self._server = server
        self._thread = threading.Thread(
            target=server.serve_forever,
            name="LocalSite",
            kwargs={"poll_interval": 0.05},
            daemon=True,
        )
        self._thread.start()
        logger.debug("LocalSite serving at %s", self.base_url)
        return self.base_url

    def stop(self) -> None:
        server, self._server = self._server, None
        if server is None:
            return
        server.shutdown()
        server.server_close()
        if self._thread is not None:
            self._thread.join(timeout=5)
            self._thread = None

    @property
    def base_url(self) -> str:
        if self._server is None:
            raise RuntimeError("LocalSite is not started")
        host, port = self._server.server_address[:2]
        host_text = host.decode() if isinstance(host, bytes) else host
        return f"http://{host_text}:{port}"

    @property
    def requests(self) -> list[RequestRecord]:
        with self._lock:
            return list(self._log)

    def clear_log(self) -> None:
        with self._lock:
            self._log.clear()

    def __enter__(self) -> LocalSite:
        self.start()
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self.stop()

    def _lookup(self, raw_path: str) -> _Resource | None:
        parts = urlsplit(raw_path)
        full = parts.path + ("?" + parts.query if parts.query else "")
        with self._lock:
            return self._resources.get(full) or self._resources.get(parts.path)

    def _record(self, record: RequestRecord) -> None:
        with self._lock:
            self._log.append(record)


def _normalise_path(path: str) -> str:
    parts = urlsplit(path)
    # Accept a full URL too, so callers can put() what they will later link to.
    clean = parts.path or "/"
    if not clean.startswith("/"):
        clean = "/" + clean
    return clean + ("?" + parts.query if parts.query else "")

"""A local HTTP server whose answers per path follow a script, for misbehaving-site tests.

Each path has a list of answers: the n-th request gets the n-th answer, and the last answer
repeats. Unlike LocalSite it ignores If-None-Match / If-Modified-Since, as many news servers do.
"""

from __future__ import annotations

import threading
import time
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from types import TracebackType


@dataclass(frozen=True)
class Answer:
    body: bytes = b""
    status: int = 200
    # None sends no Content-Type at all, as some small sites' servers do.
    content_type: str | None = "text/html; charset=utf-8"
    headers: dict[str, str] = field(default_factory=dict)


@dataclass(frozen=True)
class Hit:
    path: str
    status: int
    time: float
    headers: dict[str, str]


class _Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    server: _Server

    def do_GET(self) -> None:
        site = self.server.site
        answer = site.next_answer(self.path)
        site.record(Hit(self.path, answer.status, time.monotonic(), dict(self.headers.items())))
        self.send_response(answer.status)
        if answer.content_type is not None:
            self.send_header("Content-Type", answer.content_type)
        for name, value in answer.headers.items():
            self.send_header(name, value)
        self.send_header("Content-Length", str(len(answer.body)))
        self.end_headers()
        self.wfile.write(answer.body)

    def log_message(self, format: str, *args: object) -> None:
        pass  # the hit log is what tests read


class _Server(ThreadingHTTPServer):
    daemon_threads = True
    site: ScriptedSite


class ScriptedSite:
    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._scripts: dict[str, list[Answer]] = {}
        self._served: dict[str, int] = {}
        self.hits: list[Hit] = []
        self._server = _Server(("127.0.0.1", 0), _Handler)
        self._server.site = self
        self._thread = threading.Thread(
            target=self._server.serve_forever, daemon=True, kwargs={"poll_interval": 0.05}
        )

    @property
    def base_url(self) -> str:
        host, port = self._server.server_address[:2]
        return f"http://{host!s}:{port}"

    def script(self, path: str, *answers: Answer) -> None:
        with self._lock:
            self._scripts[path] = list(answers)
            self._served[path] = 0

    def next_answer(self, path: str) -> Answer:
        with self._lock:
            answers = self._scripts.get(path)
            if not answers:
                return Answer(b"not found", 404, "text/plain")
            index = min(self._served[path], len(answers) - 1)
            self._served[path] += 1
            return answers[index]

    def record(self, hit: Hit) -> None:
        with self._lock:
            self.hits.append(hit)

    def hits_for(self, path: str) -> list[Hit]:
        with self._lock:
            return [hit for hit in self.hits if hit.path == path]

    def __enter__(self) -> ScriptedSite:
        self._thread.start()
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self._server.shutdown()
        self._server.server_close()
        self._thread.join(timeout=5)

"""Many small news sites, one port each, served by one process: for the distributed tests and
bench. Each site has a robots.txt, an RSS feed and a few article pages; every request is logged
with the site, the time it came and went, and the crawl task that asked (X-Newsmon-Task), so a
test can tell whether two crawls of one site ever overlapped.

A site can be *gated*: its article pages wait until the test opens the gate, which holds a crawl
in the middle for as long as the test needs (no sleeps).
"""

from __future__ import annotations

import random
import threading
import time
from dataclasses import dataclass
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from types import TracebackType

from tests.sites.regional import HI_PARAGRAPHS, article_html

TASK_HEADER = "X-Newsmon-Task"


@dataclass(frozen=True)
class Visit:
    site: str
    path: str
    task: str | None
    start: float
    end: float


class _Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    server: _Server

    def do_GET(self) -> None:
        start = time.monotonic()
        sites, name = self.server.sites, self.server.name
        body, ctype, status = sites.answer(name, self.path, self.server.server_address[1])
        try:
            self.send_response(status)
            self.send_header("Content-Type", ctype)
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)
        finally:
            sites.record(
                Visit(name, self.path, self.headers.get(TASK_HEADER), start, time.monotonic())
            )

    def log_message(self, format: str, *args: object) -> None:
        pass  # the visit log is what tests read


class _Server(ThreadingHTTPServer):
    daemon_threads = True
    sites: ManySites
    name: str


class ManySites:
    def __init__(self, count: int, *, articles: int = 2, page_bytes: int = 0) -> None:
        self.names = [f"site{i:03d}" for i in range(count)]
        self.articles = articles
        self.page_bytes = page_bytes
        self.visits: list[Visit] = []
        self.gated: set[str] = set()
        self.gate_reached = threading.Event()
        self.gate_open = threading.Event()
        self._lock = threading.Lock()
        self._servers: dict[str, _Server] = {}
        for name in self.names:
            server = _Server(("127.0.0.1", 0), _Handler)
            server.sites, server.name = self, name
            self._servers[name] = server
        self._threads = [
            threading.Thread(target=s.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True)
            for s in self._servers.values()
        ]

    def base_url(self, name: str) -> str:
        return f"http://127.0.0.1:{self._servers[name].server_address[1]}"

    def article_paths(self, name: str) -> list[str]:
        return [f"/news/{name}-meeting-{n}.html" for n in range(self.articles)]

    def source(self, name: str) -> dict[str, object]:
        return {"name": name, "lang": "hi", "feeds": [self.base_url(name) + "/rss.xml"]}

    def answer(self, name: str, path: str, port: int) -> tuple[bytes, str, int]:
        base = f"http://127.0.0.1:{port}"
        if path == "/robots.txt":
            return b"User-agent: *\nAllow: /\n", "text/plain", 200
        if path == "/rss.xml":
            items = "".join(
                f"<item><title>t</title><link>{base}{p}</link></item>"
                for p in self.article_paths(name)
            )
            feed = f'<?xml version="1.0"?><rss version="2.0"><channel>{items}</channel></rss>'
            return feed.encode(), "application/rss+xml", 200
        if path in self.article_paths(name):
            if name in self.gated:
                self.gate_reached.set()
                self.gate_open.wait(120)
            from datetime import UTC, datetime, timedelta

            published = datetime.now(UTC) - timedelta(hours=1)
            html = article_html(f"/{name}{path}", "hi", published, base + path)
            # Words in an order of the page's own, so that no two pages are near duplicates.
            words = " ".join(HI_PARAGRAPHS).split()
            random.Random(f"{name}{path}").shuffle(words)
            html = html.replace("</article>", f"<p>{' '.join(words)}</p></article>")
            if self.page_bytes:
                filler = "<aside>" + "<p>menu link related story</p>" * (self.page_bytes // 32)
                html = html.replace("<footer>", filler + "</aside><footer>")
            return html.encode(), "text/html; charset=utf-8", 200
        return b"not found\n", "text/plain", 404

    def record(self, visit: Visit) -> None:
        with self._lock:
            self.visits.append(visit)

    def visits_of(self, name: str) -> list[Visit]:
        with self._lock:
            return [v for v in self.visits if v.site == name]

    def crawls(self, name: str) -> dict[str, tuple[float, float]]:
        """Per crawl task attempt that visited `name`: its first arrival and last departure."""
        spans: dict[str, tuple[float, float]] = {}
        for v in self.visits_of(name):
            key = v.task or "?"
            start, end = spans.get(key, (v.start, v.end))
            spans[key] = (min(start, v.start), max(end, v.end))
        return spans

    def __enter__(self) -> ManySites:
        for thread in self._threads:
            thread.start()
        return self

    def __exit__(
        self, t: type[BaseException] | None, e: BaseException | None, tb: TracebackType | None
    ) -> None:
        self.gate_open.set()
        for server in self._servers.values():
            server.shutdown()
            server.server_close()

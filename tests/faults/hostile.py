"""A hostile news site on 127.0.0.1: every way a source can go wrong, one path prefix each.

Big bodies are generated while they are sent (the 100 MB page, the 100,000-link feed) or are
small on the wire (the gzip bomb: ~1 MB that inflates to 1 GiB), so the test process never
holds them in memory. Slow answers wait on events, not on sleeps: `/hang/` holds the request
until the client gives up on it (recorded in `gave_up`) or the site stops, `/gate/`
until the test releases it. Every hit has its wall-clock time, so a test can order what the
site saw against what the daemon did.
"""

from __future__ import annotations

import contextlib
import select
import socket
import threading
import time
import zlib
from collections.abc import Iterator
from dataclasses import dataclass
from email.utils import formatdate
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from types import TracebackType

MIB = 1024 * 1024
XML = "application/xml"
HUGE_BYTES = 100 * MIB
BOMB_BYTES = 1024 * MIB
MANY_LINKS = 100_000
STORM_LINKS = 40
# Junk articles in the huge sitemap; each is listed twice, once with its "&" left as "&amp;".
JUNK_LINKS = 5_000

# Each fault a sitemap serves, as (source name, sitemap path).
FAULT_SITEMAPS = {
    # Every index names the next one: /sitemaps/deep/1.xml -> 2.xml -> ... without end.
    "deep-sitemap": "/sitemaps/deep/1.xml",
    "huge-sitemap": "/sitemaps/junk.xml",
}

# Each fault as (source name, feed path); DNS and TLS faults are addressed differently.
FAULT_FEEDS = {
    "timeout": "/hang/feed.xml",
    "error-5xx-feed": "/5xx/feed.xml",
    "error-5xx-storm": "/storm/feed.xml",
    "rate-limited": "/429/feed.xml",
    "huge-page": "/huge/feed.xml",
    "redirect-loop": "/loop/0",
    "xml-bomb": "/xmlbomb/feed.xml",
    "gzip-bomb": "/gzbomb/feed.xml",
    "bad-encoding": "/badenc/feed.xml",
    "many-links": "/many/feed.xml",
}

BILLION_LAUGHS = b"""<?xml version="1.0"?>
<!DOCTYPE lolz [
 <!ENTITY lol "lol">
 <!ENTITY lol1 "&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;">
 <!ENTITY lol2 "&lol1;&lol1;&lol1;&lol1;&lol1;&lol1;&lol1;&lol1;&lol1;&lol1;">
 <!ENTITY lol3 "&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;">
 <!ENTITY lol4 "&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;">
 <!ENTITY lol5 "&lol4;&lol4;&lol4;&lol4;&lol4;&lol4;&lol4;&lol4;&lol4;&lol4;">
 <!ENTITY lol6 "&lol5;&lol5;&lol5;&lol5;&lol5;&lol5;&lol5;&lol5;&lol5;&lol5;">
 <!ENTITY lol7 "&lol6;&lol6;&lol6;&lol6;&lol6;&lol6;&lol6;&lol6;&lol6;&lol6;">
 <!ENTITY lol8 "&lol7;&lol7;&lol7;&lol7;&lol7;&lol7;&lol7;&lol7;&lol7;&lol7;">
 <!ENTITY lol9 "&lol8;&lol8;&lol8;&lol8;&lol8;&lol8;&lol8;&lol8;&lol8;&lol8;">
]>
<rss version="2.0"><channel><title>&lol9;</title>
<item><title>&lol9;</title><link>http://HOST/xmlbomb/a.html</link></item>
</channel></rss>
"""


@dataclass(frozen=True)
class Hit:
    path: str
    status: int
    # time.time() when the request came in (in `gave_up`: when the client went away).
    at: float = 0.0


def rss(items: list[str]) -> bytes:
    now = formatdate(usegmt=True)
    entries = "".join(
        f"<item><title>Story {i}</title><link>{url}</link><pubDate>{now}</pubDate></item>"
        for i, url in enumerate(items)
    )
    head = '<?xml version="1.0"?><rss version="2.0"><channel><title>t</title>'
    return f"{head}{entries}</channel></rss>".encode()


def _bomb() -> bytes:
    """1 GiB of spaces, gzipped, made in 1 MiB steps (never held inflated)."""
    packer = zlib.compressobj(9, zlib.DEFLATED, 31)
    chunk = b" " * MIB
    parts = [packer.compress(chunk) for _ in range(BOMB_BYTES // MIB)]
    parts.append(packer.flush())
    return b"".join(parts)


class HostileSite:
    def __init__(self) -> None:
        self.closing = threading.Event()
        self.gate_reached = threading.Event()
        self.gate_open = threading.Event()
        self.hits: list[Hit] = []
        # Hung requests whose client closed the connection before an answer.
        self.gave_up: list[Hit] = []
        self._lock = threading.Lock()
        self._bomb: bytes | None = None
        self._server = _Server(("127.0.0.1", 0), _Handler)
        self._server.site = self
        self._thread = threading.Thread(target=self._server.serve_forever, daemon=True)

    @property
    def base_url(self) -> str:
        return f"http://127.0.0.1:{self._server.server_address[1]}"

    def bomb(self) -> bytes:
        with self._lock:
            if self._bomb is None:
                self._bomb = _bomb()
            return self._bomb

    def record(self, path: str, status: int) -> None:
        with self._lock:
            self.hits.append(Hit(path, status, time.time()))

    def record_gave_up(self, path: str) -> None:
        with self._lock:
            self.gave_up.append(Hit(path, 0, time.time()))

    def paths(self, prefix: str) -> list[str]:
        with self._lock:
            return [h.path for h in self.hits if h.path.startswith(prefix)]

    def hits_of(self, prefix: str) -> list[Hit]:
        with self._lock:
            return [h for h in self.hits if h.path.startswith(prefix)]

    def __enter__(self) -> HostileSite:
        self._thread.start()
        return self

    def __exit__(
        self, t: type[BaseException] | None, e: BaseException | None, tb: TracebackType | None
    ) -> None:
        self.closing.set()
        self.gate_open.set()
        self._server.shutdown()
        self._server.server_close()


class _Server(ThreadingHTTPServer):
    daemon_threads = True
    site: HostileSite

    def handle_error(self, request: object, client_address: object) -> None:
        pass  # TLS handshakes on a plain port and dropped bodies are expected here


class _Handler(BaseHTTPRequestHandler):
    server: _Server
    protocol_version = "HTTP/1.1"

    def log_message(self, format: str, *args: object) -> None:
        pass  # the site's hits are recorded instead

    def do_GET(self) -> None:
        site, path = self.server.site, self.path
        base = site.base_url
        # The crawler giving up on a body it did not want is the point of most routes.
        with contextlib.suppress(BrokenPipeError, ConnectionResetError):
            self._route(site, path, base)

    def _route(self, site: HostileSite, path: str, base: str) -> None:
        if path == "/robots.txt":
            return self._send(200, b"User-agent: *\nAllow: /\n", "text/plain")
        if path.startswith("/hang/"):
            site.record(path, 0)
            if self._held_until_client_leaves(site):
                return site.record_gave_up(path)
            return self._send(200, rss([]), "application/rss+xml")
        if path == "/gate/feed.xml":
            return self._send(200, rss([f"{base}/gate/a1.html"]), "application/rss+xml")
        if path.startswith("/gate/"):
            site.gate_reached.set()
            site.gate_open.wait(300)
            return self._send(200, b"<html><body><p>late</p></body></html>", "text/html")
        if path == "/5xx/feed.xml":
            return self._send(503, b"down", "text/plain")
        if path == "/storm/feed.xml":
            links = [f"{base}/storm/a{i}.html" for i in range(STORM_LINKS)]
            return self._send(200, rss(links), "application/rss+xml")
        if path.startswith("/storm/"):
            return self._send(500 + len(site.paths("/storm/")) % 5, b"oops", "text/plain")
        if path == "/429/feed.xml":
            return self._send(429, b"slow down", "text/plain", {"Retry-After": "3600"})
        if path == "/huge/feed.xml":
            return self._send(200, rss([f"{base}/huge/page.html"]), "application/rss+xml")
        if path == "/huge/page.html":
            return self._stream(200, "text/html; charset=utf-8", _huge_page())
        if path.startswith("/loop/"):
            step = int(path.rsplit("/", 1)[1] or 0)
            return self._send(302, b"", "text/plain", {"Location": f"{base}/loop/{step + 1}"})
        if path == "/xmlbomb/feed.xml":
            return self._send(200, BILLION_LAUGHS.replace(b"HOST", base[7:].encode()), "text/xml")
        if path == "/gzbomb/feed.xml":
            headers = {"Content-Encoding": "gzip"}
            return self._send(200, site.bomb(), "application/rss+xml", headers)
        if path == "/badenc/feed.xml":
            return self._send(200, rss([f"{base}/badenc/a.html"]), "application/rss+xml")
        if path == "/badenc/a.html":
            return self._send(200, _broken_page(), "text/html; charset=utf-8")
        if path.startswith("/sitemaps/deep/"):
            level = int(path.rsplit("/", 1)[1].removesuffix(".xml"))
            return self._send(200, _sitemap_index(f"{base}/sitemaps/deep/{level + 1}.xml"), XML)
        if path == "/sitemaps/junk.xml":
            return self._stream(200, XML, _junk_sitemap(base))
        if path.startswith("/junk/"):
            number = path.split("?", 1)[0].rsplit("/", 1)[1].removesuffix(".html")
            return self._send(200, _junk_page(number), "text/html; charset=utf-8")
        if path == "/many/feed.xml":
            return self._stream(200, "application/rss+xml", _many_links(base))
        if path.startswith("/many/"):
            return self._send(200, b"<html><body><p>x</p></body></html>", "text/html")
        return self._send(404, b"not found", "text/plain")

    def _held_until_client_leaves(self, site: HostileSite) -> bool:
        """Hold the request without answering; True once the client closed the connection,
        False when the site stops first."""
        deadline = time.monotonic() + 300
        while not site.closing.is_set() and time.monotonic() < deadline:
            # Short waits only so that the site's own stop is noticed.
            readable, _, _ = select.select([self.connection], [], [], 0.2)
            if readable:
                try:
                    peeked: bytes = self.connection.recv(1, socket.MSG_PEEK)
                    return peeked == b""
                except OSError:
                    return True
        return False

    def _send(
        self, status: int, body: bytes, content_type: str, headers: dict[str, str] | None = None
    ) -> None:
        self.server.site.record(self.path, status)
        self.send_response(status)
        self.send_header("Content-Type", content_type)
        self.send_header("Content-Length", str(len(body)))
        for name, value in (headers or {}).items():
            self.send_header(name, value)
        self.end_headers()
        self.wfile.write(body)

    def _stream(self, status: int, content_type: str, chunks: Iterator[bytes]) -> None:
        """A body without Content-Length, ended by closing: the client cannot know its size."""
        self.server.site.record(self.path, status)
        self.close_connection = True
        self.send_response(status)
        self.send_header("Content-Type", content_type)
        self.send_header("Connection", "close")
        self.end_headers()
        for chunk in chunks:
            if self.server.site.closing.is_set():
                return
            self.wfile.write(chunk)


def _huge_page() -> Iterator[bytes]:
    yield b"<html><head><title>huge</title></head><body>"
    paragraph = b"<p>" + b"bahut lamba lekh " * 4000 + b"</p>\n"
    for _ in range(HUGE_BYTES // len(paragraph)):
        yield paragraph
    yield b"</body></html>"


def _many_links(base: str) -> Iterator[bytes]:
    yield b'<?xml version="1.0"?><rss version="2.0"><channel><title>many</title>'
    batch: list[str] = []
    for i in range(MANY_LINKS):
        batch.append(f"<item><link>{base}/many/{i}.html</link></item>")
        if len(batch) == 1000:
            yield "".join(batch).encode()
            batch = []
    yield "".join(batch).encode() + b"</channel></rss>"


def _sitemap_index(child: str) -> bytes:
    return (
        '<?xml version="1.0"?><sitemapindex xmlns="http://www.sitemaps.org/schemas/sitemap/0.9">'
        f"<sitemap><loc>{child}</loc></sitemap></sitemapindex>"
    ).encode()


def _junk_sitemap(base: str) -> Iterator[bytes]:
    yield b'<?xml version="1.0"?><urlset xmlns="http://www.sitemaps.org/schemas/sitemap/0.9">'
    batch: list[str] = []
    for i in range(JUNK_LINKS):
        # The second spelling is what a sitemap generator that escaped twice produces.
        for query in (f"p={i}&amp;ref=sitemap", f"p={i}&amp;amp;ref=sitemap"):
            batch.append(f"<url><loc>{base}/junk/{i}.html?{query}</loc></url>")
        if len(batch) >= 1000:
            yield "".join(batch).encode()
            batch = []
    yield "".join(batch).encode() + b"</urlset>"


def _junk_page(number: str) -> bytes:
    words = " ".join(f"shabd{number}x{k}" for k in range(120))
    return (
        f"<html><head><title>Junk {number}</title></head><body><article><h1>Junk {number}</h1>"
        f"<p>{words}.</p><p>{words}.</p></article></body></html>"
    ).encode()


def _broken_page() -> bytes:
    """Says UTF-8 in the header, windows-1251 in the page; is neither, with a stray UTF-16 run."""
    return (
        b'<html><head><meta charset="windows-1251"><title>\xff\xfe\xfa broken</title></head>'
        b"<body><article><h1>\xc3\x28 \xa0\xa1 \xe2\x82</h1><p>"
        + "भाजपा की बैठक".encode("utf-16-le")
        + b"\x80\x81\x82\xfe\xff \xed\xa0\x80 text text text</p>" * 50
        + b"</article></body></html>"
    )

"""End to end on real news pages beside trafilatura alone, on two cores.

    .venv/bin/python bench/real_pages_bench.py [--copies 1,10,100] [--processes 2]

The 12 saved Indian news pages of `../shared/corpus/html/` (18–128 KB gzipped, 100–600 KB of
HTML) are served by a local site at 1×, 10× and 100× (each copy under its own URL, listed in a
sitemap). For each size, in one run:

- **trafilatura alone**: `trafilatura.bare_extraction(html, url=..., with_metadata=True)` over
  the same pages, already in memory, in a pool of `--processes` worker processes: the cost of
  extraction and nothing else (no fetching, no storing);
- **newsmon**: one `newsmon crawl --once` over the site with `extract_processes` the same,
  a fresh SQLite store: fetch, extract, store, dedup, detect, group, queue and send.

Each copy differs from the saved page by a comment naming its number, so no copy is a byte
copy of another and each is fetched and extracted in full; the texts are the same, so newsmon
stores the first copy of each page and records the later ones as duplicates (the exact-text
check after extraction).
Printed: pages/s of each, the ratio newsmon / trafilatura, and the peak RSS of the crawl.
"""

from __future__ import annotations

import argparse
import gzip
import resource
import sys
import tempfile
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from multiprocessing import Pool
from pathlib import Path
from typing import Any

import trafilatura

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from bench.perf_cycle import cycle, write_config  # noqa: E402

CORPUS = ROOT.parent / "shared" / "corpus" / "html"


def load_pages() -> list[bytes]:
    pages = sorted(CORPUS.rglob("*.html.gz"))
    if not pages:
        sys.exit(f"no pages under {CORPUS}")
    return [gzip.decompress(p.read_bytes()) for p in pages]


def copy_of(pages: list[bytes], index: int) -> bytes:
    """Page `index`: saved page `index` mod 12, made unique by a trailing comment."""
    return pages[index % len(pages)] + f"<!-- copy {index} -->".encode()


class Site:
    """`/sitemap.xml` listing `/a/<i>.html`, page i being saved page i mod 12."""

    def __init__(self, pages: list[bytes], count: int) -> None:
        self.pages, self.count = pages, count
        site = self

        class Handler(BaseHTTPRequestHandler):
            def do_GET(self) -> None:
                body, kind = site.answer(self.path)
                self.send_response(200 if body is not None else 404)
                self.send_header("Content-Type", kind)
                self.send_header("Content-Length", str(len(body or b"")))
                self.end_headers()
                self.wfile.write(body or b"")

            def log_message(self, format: str, *args: Any) -> None:
                return None

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.url = f"http://127.0.0.1:{self.server.server_address[1]}"
        threading.Thread(target=self.server.serve_forever, daemon=True).start()

    def answer(self, path: str) -> tuple[bytes | None, str]:
        if path == "/robots.txt":
            return b"User-agent: *\nAllow: /\n", "text/plain"
        if path == "/sitemap.xml":
            urls = "".join(
                f"<url><loc>{self.url}/a/{i}.html</loc></url>" for i in range(self.count)
            )
            xml = (
                '<?xml version="1.0" encoding="UTF-8"?>'
                f'<urlset xmlns="http://www.sitemaps.org/schemas/sitemap/0.9">{urls}</urlset>'
            )
            return xml.encode(), "application/xml"
        if path.startswith("/a/") and path.endswith(".html"):
            return copy_of(self.pages, int(path[3:-5])), "text/html; charset=utf-8"
        return None, "text/plain"

    def close(self) -> None:
        self.server.shutdown()


def _extract(job: tuple[bytes, str]) -> bool:
    html, url = job
    return trafilatura.bare_extraction(html.decode("utf-8", "replace"), url=url,
                                       with_metadata=True) is not None  # fmt: skip


def trafilatura_alone(pages: list[bytes], count: int, processes: int) -> float:
    jobs = [(copy_of(pages, i), f"http://example.invalid/a/{i}.html") for i in range(count)]
    with Pool(processes) as pool:
        pool.map(_extract, jobs[:processes])  # start-up and imports outside the timing
        start = time.perf_counter()
        pool.map(_extract, jobs, chunksize=1)
        return time.perf_counter() - start


def newsmon_cycle(
    site: Site, count: int, processes: int, work: Path
) -> tuple[float, dict[str, Any]]:
    url = f"sqlite:///{work / 'store.sqlite'}"
    config = write_config(work, site.url, url, processes, max_articles=count + 10)
    stats, seconds = cycle(config)
    return seconds, stats


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--copies", default="1,10,100")
    parser.add_argument("--processes", type=int, default=2)
    args = parser.parse_args()
    pages = load_pages()
    size = sum(len(p) for p in pages) / len(pages) / 1024
    print(f"{len(pages)} pages, {size:.0f} KB of HTML each on average, {args.processes} processes")
    print("| pages | trafilatura alone pages/s | newsmon pages/s | ratio | new articles "
          "| crawl peak RSS MiB |")  # fmt: skip
    print("|---|---|---|---|---|---|")
    for copies in (int(c) for c in args.copies.split(",")):
        count = copies * len(pages)
        alone = trafilatura_alone(pages, count, args.processes)
        site = Site(pages, count)
        try:
            with tempfile.TemporaryDirectory(prefix="newsmon-real-") as tmp:
                ours, stats = newsmon_cycle(site, count, args.processes, Path(tmp))
        finally:
            site.close()
        rss = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss / 1024
        print(
            f"| {count:,} | {count / alone:.1f} | {count / ours:.1f} | "
            f"**{alone / ours:.2f}×** | {stats.get('new_articles')} | {rss:.0f} |",
            flush=True,
        )


if __name__ == "__main__":
    main()

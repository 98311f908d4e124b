"""Crawl throughput on a local site of generated Hindi and English article pages.

Measured in one run, on the same pages served by LocalSite on 127.0.0.1:
  1. Scrapy alone: fetch every page, no processing (the crawl's ceiling);
  2. trafilatura alone: `extract_article` over the same page bytes, in this process;
  3. end to end: `newsmon crawl --once` (sitemap → fetch → extraction in 2 worker processes →
     store), timed by the crawl run's own start and finish;
  4. a second cycle over the unchanged site: its requests and bytes.

    .venv/bin/python bench/crawl_bench.py [--pages 2000]
"""

from __future__ import annotations

import argparse
import json
import random
import subprocess
import sys
import tempfile
import time
from datetime import UTC, datetime
from pathlib import Path

import yaml
from sqlalchemy import select

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from crawler.extract import extract_article  # noqa: E402
from monitor.demo.server import LocalSite  # noqa: E402
from monitor.store import Store  # noqa: E402
from monitor.store.models import CrawlRun  # noqa: E402

HI = (
    "रांची: झारखंड में लोकसभा चुनाव की तैयारी को लेकर दलों की गतिविधियां तेज हो गई हैं. जिला "
    "स्तर पर कार्यकर्ताओं की बैठकें हो रही हैं और बूथ समितियों का गठन किया जा रहा है. "
)
EN = (
    "Ranchi: Parties in the state have stepped up their preparation for the coming polls, with "
    "district-level workers' meetings and the formation of booth committees under way. "
)
SCRAPY_ONLY = """
import sys, scrapy
from scrapy.crawler import CrawlerProcess
from crawler.discovery import parse_sitemap
class Fetch(scrapy.Spider):
    name = "fetch"
    start_urls = [sys.argv[1]]
    def parse(self, response):
        for entry in parse_sitemap(response.body).entries:
            yield scrapy.Request(entry.url, callback=self.page)
    def page(self, response):
        return None
process = CrawlerProcess({"LOG_LEVEL": "WARNING", "ROBOTSTXT_OBEY": False,
    "CONCURRENT_REQUESTS": 16, "CONCURRENT_REQUESTS_PER_DOMAIN": 16, "DOWNLOAD_DELAY": 0,
    "TELNETCONSOLE_ENABLED": False, "REMOTE_CONTROL_ENABLED": False,
    "TWISTED_REACTOR": "twisted.internet.asyncioreactor.AsyncioSelectorReactor"})
process.crawl(Fetch)
process.start()
"""


def page(number: int, lang: str) -> str:
    # Shuffled words per page: real articles differ, and the store's near-duplicate check
    # would otherwise fold identical generated texts together.
    rng = random.Random(number)
    words = (HI if lang == "hi" else EN).split()

    def sentence() -> str:
        return " ".join(rng.sample(words, k=len(words) // 2)) + "."

    paragraphs = "".join("<p>" + " ".join(sentence() for _ in range(3)) + "</p>" for _ in range(8))
    title = f"बैठक {number}" if lang == "hi" else f"Party meeting {number}"
    menu = "".join(f'<li><a href="/section/{i}/">Section {i}</a></li>' for i in range(40))
    related = "".join(
        f'<li><a href="/news/{lang}/story-{i}.html">Story {i}</a></li>'
        for i in range(number, number + 15)
    )
    return (
        f'<!DOCTYPE html><html lang="{lang}"><head><meta charset="utf-8"><title>{title}</title>'
        f'<meta property="article:published_time" content="{datetime.now(UTC).isoformat()}">'
        f"</head><body><nav><ul>{menu}</ul></nav><article><h1>{title}</h1>{paragraphs}"
        f"</article><aside><ul>{related}</ul></aside><footer>Leave a Reply</footer></body></html>"
    )


def publish(site: LocalSite, count: int) -> dict[str, bytes]:
    pages = {}
    for number in range(count):
        lang = "hi" if number % 2 == 0 else "en"
        path = f"/news/{lang}/story-{number}.html"
        body = page(number, lang)
        site.put(path, body)
        pages[path] = body.encode()
    now = datetime.now(UTC).isoformat(timespec="seconds")
    urls = "".join(
        f"<url><loc>{site.base_url}{path}</loc><lastmod>{now}</lastmod></url>" for path in pages
    )
    site.put(
        "/sitemap.xml",
        f'<urlset xmlns="http://www.sitemaps.org/schemas/sitemap/0.9">{urls}</urlset>',
        "application/xml",
    )
    site.put("/robots.txt", "User-agent: *\nAllow: /\n", "text/plain")
    return pages


def scrapy_only(site: LocalSite, count: int) -> float:
    started = time.perf_counter()
    subprocess.run(
        [sys.executable, "-c", SCRAPY_ONLY, site.base_url + "/sitemap.xml"],
        cwd=ROOT,
        check=True,
        capture_output=True,
    )
    return count / (time.perf_counter() - started)


def trafilatura_only(pages: dict[str, bytes]) -> float:
    started = time.perf_counter()
    for path, body in pages.items():
        extract_article(body, "http://127.0.0.1" + path, encoding="utf-8")
    return len(pages) / (time.perf_counter() - started)


def newsmon_cycle(config: Path) -> dict[str, object]:
    done = subprocess.run(
        [sys.executable, "-m", "monitor", "crawl", "--once", "--config", str(config)],
        cwd=ROOT,
        check=True,
        capture_output=True,
        text=True,
    )
    result: dict[str, object] = json.loads(done.stdout.strip().splitlines()[-1])
    return result


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--pages", type=int, default=2000)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp, LocalSite() as site:
        pages = publish(site, args.pages)
        size = sum(len(body) for body in pages.values()) / len(pages) / 1024
        store_url = f"sqlite:///{tmp}/store.sqlite"
        sources = {
            "sources": [
                {
                    "name": "bench",
                    "allow_private": True,
                    "sitemaps": [site.base_url + "/sitemap.xml"],
                    "max_articles": args.pages + 10,
                }
            ]
        }
        (Path(tmp) / "sources.yaml").write_text(yaml.safe_dump(sources), encoding="utf-8")
        config = Path(tmp) / "newsmon.yaml"
        crawl = {
            "download_delay": 0,
            "autothrottle": False,
            "concurrency": 16,
            "concurrency_per_domain": 16,
            "extract_processes": 2,
        }
        config.write_text(
            yaml.safe_dump({"store": {"url": store_url}, "crawl": crawl}), encoding="utf-8"
        )
        fetch_rate = scrapy_only(site, args.pages)
        extract_rate = trafilatura_only(pages)
        first = newsmon_cycle(config)
        site.clear_log()
        second = newsmon_cycle(config)
        requests = site.requests
        store = Store(store_url)
        with store.session() as session:
            runs = list(session.scalars(select(CrawlRun).order_by(CrawlRun.id)))
            seconds = (runs[0].finished_at - runs[0].started_at).total_seconds()  # type: ignore[operator]
        store.dispose()
    print(f"{args.pages} pages, {size:.1f} KB each on average, half Hindi, half English\n")
    print("| measurement | pages/s |")
    print("|---|---|")
    print(f"| Scrapy alone, no processing | {fetch_rate:.0f} |")
    print(f"| trafilatura alone (`extract_article`, one process) | {extract_rate:.0f} |")
    print(
        f"| newsmon end to end, 2 extraction processes, into SQLite "
        f"({first['new_articles']} new articles in {seconds:.1f} s) "
        f"| {args.pages / seconds:.0f} |"
    )
    statuses: dict[int, int] = {}
    for record in requests:
        statuses[record.status] = statuses.get(record.status, 0) + 1
    sent = sum(record.bytes_sent for record in requests)
    articles = sum(1 for record in requests if record.path.startswith("/news/"))
    print(
        f"\nSecond cycle over the unchanged site: {len(requests)} requests "
        f"({', '.join(f'{n}× {s}' for s, n in sorted(statuses.items()))}), "
        f"{sent} body bytes sent, {articles} article pages fetched, "
        f"{second['new_articles']} new articles"
    )


if __name__ == "__main__":
    main()

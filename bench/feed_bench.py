"""Feed reading time: newsmon's `parse_feed` beside feedparser alone, on the same feeds.

Generates RSS 2.0 feeds of realistic entries (Hindi title, link, pubDate, a short description)
of several sizes and times both readers on each, median of `--repeat` runs. Feed parsing runs on
the crawl's reactor thread, so this time is time every other download of the crawl waits.

    .venv/bin/python bench/feed_bench.py [--sizes 50,1000,20000] [--repeat 3]
"""

from __future__ import annotations

import argparse
import statistics
import time
from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from email.utils import format_datetime

import feedparser

from crawler.discovery import parse_feed

BASE = "http://127.0.0.1:8000/rss.xml"
START = datetime(2026, 11, 22, 6, 0, tzinfo=UTC)


def feed(entries: int) -> bytes:
    items = []
    for n in range(entries):
        published = format_datetime(START - timedelta(minutes=7 * n))
        items.append(
            f"<item><title>झामुमो की बैठक {n}: जिला समिति ने बूथ स्तर की तैयारी की समीक्षा की</title>"
            f"<link>http://127.0.0.1:8000/jharkhand/news/{n}.html</link>"
            f"<guid>http://127.0.0.1:8000/jharkhand/news/{n}.html</guid>"
            f"<pubDate>{published}</pubDate>"
            "<description>रांची में पार्टी कार्यालय में हुई बैठक में कार्यकर्ताओं को "
            "चुनाव की तैयारी में जुटने को कहा गया।</description></item>"
        )
    return (
        '<?xml version="1.0" encoding="UTF-8"?><rss version="2.0"><channel><title>t</title>'
        + "".join(items)
        + "</channel></rss>"
    ).encode()


def feedparser_alone(body: bytes) -> int:
    headers = {"content-location": BASE, "content-type": "application/rss+xml"}
    return len(feedparser.parse(body, response_headers=headers).entries)


def ours(body: bytes) -> int:
    return len(parse_feed(body, BASE, "application/rss+xml"))


def timed(read: Callable[[bytes], int], body: bytes, repeat: int) -> tuple[float, int]:
    times, count = [], 0
    for _ in range(repeat):
        start = time.perf_counter()
        count = read(body)
        times.append(time.perf_counter() - start)
    return statistics.median(times), count


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--sizes", default="50,1000,20000")
    parser.add_argument("--repeat", type=int, default=3)
    args = parser.parse_args()
    print("| entries | feed KB | feedparser alone s | newsmon parse_feed s | speed-up |")
    print("|---|---|---|---|---|")
    for size in (int(s) for s in args.sizes.split(",")):
        body = feed(size)
        base_s, base_n = timed(feedparser_alone, body, args.repeat)
        our_s, our_n = timed(ours, body, args.repeat)
        assert base_n == our_n == size, (base_n, our_n, size)
        print(
            f"| {size:,} | {len(body) // 1024:,} | {base_s:.4f} | {our_s:.4f} "
            f"| {base_s / our_s:.1f}x |"
        )


if __name__ == "__main__":
    main()

"""Soak run: the real daemon (`newsmon run`, its own APScheduler) for many scheduled cycles.

A local site publishes one new meeting report at a random moment of every interval; a local
webhook receiver timestamps each alert. After each cycle (its "cycle N:" log line) the daemon's
resident memory is read from /proc. Printed at the end, and written as JSON with --out:

- RSS per cycle: first/last, median of the first and last tenth, and the least-squares slope
  over the cycles after the first tenth (warm-up excluded), in MiB per cycle;
- publication-to-alert delay: median and p95 over the articles published, in seconds.

    .venv/bin/python bench/soak.py --cycles 300 --every-seconds 4      # accelerated schedule
    .venv/bin/python bench/soak.py --cycles 100 --every-seconds 60     # the real 1-minute one

The schedule is `schedule.crawl_every_minutes = every_seconds / 60`: the daemon's real scheduler,
with only the interval shortened.
"""

from __future__ import annotations

import argparse
import json
import os
import random
import re
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from datetime import datetime, timedelta
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

import yaml

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from monitor.demo import discovery, pages  # noqa: E402
from monitor.demo.server import LocalSite  # noqa: E402
from monitor.demo.site import IST, DemoArticle, publish  # noqa: E402

PARTIES = ["Bharatiya Janata Party", "Jharkhand Mukti Morcha", "Congress", "AJSU Party", "RJD"]
PLACES = ["Dumka", "Giridih", "Bokaro", "Hazaribagh", "Palamu", "Deoghar", "Chaibasa", "Gumla"]
FILLER = [
    "Workers from {n} blocks attended.",
    "The district president said booth committees must be ready within {n} weeks.",
    "Leaders reviewed the voter list revision in {n} panchayats.",
    "A rally is planned in {n} days, the spokesperson said.",
    "Women's wing members raised the issue of {n} pending road projects.",
    "Youth wing volunteers will visit {n} villages before the polls.",
    "The treasurer presented accounts for {n} months.",
    "Senior leaders asked {n} mandal heads to submit reports.",
]


def make_article(index: int, start: datetime) -> DemoArticle:
    rng = random.Random(index)
    party, place = PARTIES[index % len(PARTIES)], PLACES[(index // 5) % len(PLACES)]
    day = (datetime(2024, 1, 1) + timedelta(days=index)).strftime("%d %B %Y")
    core = (
        f"The {party} held a meeting of its district office-bearers in {place} on {day} to "
        "prepare for the Lok Sabha election."
    )
    extra = [s.format(n=rng.randint(2, 90)) for s in rng.sample(FILLER, 5)]
    return DemoArticle(
        slug=f"soak-{index:05d}-{place.lower()}",
        seed="(soak)",
        outlet=pages.SAMVAD,
        lang="en",
        title=f"{party} meeting in {place} on {day} to prepare for Lok Sabha polls",
        published=start + timedelta(minutes=index),
        author="Soak Desk",
        paragraphs=(core, *extra),
    )


class Receiver:
    """Records when each alert arrived and which article URLs it named."""

    def __init__(self) -> None:
        self.arrivals: dict[str, float] = {}
        receiver = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self) -> None:
                body = self.rfile.read(int(self.headers["Content-Length"]))
                now = time.time()
                for source in json.loads(body).get("sources", []):
                    receiver.arrivals.setdefault(source["url"], now)
                self.send_response(200)
                self.send_header("Content-Length", "0")
                self.end_headers()

            def log_message(self, format: str, *args: object) -> None:
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        threading.Thread(target=self.server.serve_forever, daemon=True).start()
        self.url = f"http://127.0.0.1:{self.server.server_address[1]}/hook"


def rss_mib(pid: int) -> float:
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1]) / 1024
    raise RuntimeError("no VmRSS")


def slope(values: list[float]) -> float:
    n = len(values)
    if n < 2:
        return 0.0
    mean_x, mean_y = (n - 1) / 2, statistics.fmean(values)
    num = sum((x - mean_x) * (y - mean_y) for x, y in enumerate(values))
    return num / sum((x - mean_x) ** 2 for x in range(n))


def percentile(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(q * (len(ordered) - 1)))]


def write_config(folder: Path, site: str, hook: str, every_seconds: float) -> Path:
    source = {
        "name": "soak",
        "allow_private": True,
        "lang": "en",
        "region": "Jharkhand",
        "feeds": [site + discovery.FEED_PATH],
    }
    main = {
        "store": {"url": f"sqlite:///{folder / 'store.sqlite'}"},
        "schedule": {"crawl_every_minutes": every_seconds / 60, "dispatch_every_seconds": 3600},
        "crawl": {"download_delay": 0, "autothrottle": False, "obey_robots": False},
        "alerts": {"channels": [{"name": "hook", "type": "webhook", "url": hook}]},
    }
    (folder / "sources.yaml").write_text(yaml.safe_dump({"sources": [source]}), encoding="utf-8")
    path = folder / "newsmon.yaml"
    path.write_text(yaml.safe_dump(main), encoding="utf-8")
    return path


def run(cycles: int, every_seconds: float) -> dict[str, Any]:
    start = datetime(2024, 1, 1, 9, 0, tzinfo=IST)
    articles: list[DemoArticle] = [make_article(0, start)]
    published: dict[str, float] = {}
    receiver = Receiver()
    with LocalSite() as site, tempfile.TemporaryDirectory() as tmp:
        publish(site, articles)  # the first story is there before the daemon starts: not timed
        config = write_config(Path(tmp), site.base_url, receiver.url, every_seconds)
        proc = subprocess.Popen(
            [sys.executable, "-m", "monitor", "-v", "run", "--config", str(config)],
            cwd=ROOT,
            stderr=subprocess.PIPE,
            text=True,
            env=os.environ.copy(),
        )
        assert proc.stderr is not None
        lock = threading.Lock()

        def publish_next() -> None:
            with lock:
                articles.append(make_article(len(articles), start))
                publish(site, articles)
                published[site.base_url + articles[-1].path] = time.time()

        rss: list[float] = []
        timers: list[threading.Timer] = []
        cycle_line = re.compile(r"cycle \d+: (\d+) sources")
        try:
            for line in proc.stderr:
                if "Traceback" in line or " ERROR " in line:
                    print(line, end="", file=sys.stderr)
                if not cycle_line.search(line):
                    continue
                rss.append(rss_mib(proc.pid))
                if len(rss) % 25 == 0:
                    print(f"cycle {len(rss)}: rss {rss[-1]:.1f} MiB", file=sys.stderr)
                if len(rss) >= cycles:
                    break
                # The next story appears at a random moment before the next cycle.
                timer = threading.Timer(random.uniform(0, every_seconds * 0.9), publish_next)
                timer.start()
                timers.append(timer)
        finally:
            for timer in timers:
                timer.cancel()
            proc.terminate()
            proc.wait(timeout=60)
    delays = [receiver.arrivals[u] - t for u, t in published.items() if u in receiver.arrivals]
    tenth = max(1, len(rss) // 10)
    return {
        "cycles": len(rss),
        "every_seconds": every_seconds,
        "rss_first_mib": round(rss[0], 1),
        "rss_last_mib": round(rss[-1], 1),
        "rss_median_first_tenth_mib": round(statistics.median(rss[:tenth]), 1),
        "rss_median_last_tenth_mib": round(statistics.median(rss[-tenth:]), 1),
        "rss_max_mib": round(max(rss), 1),
        "rss_slope_mib_per_cycle": round(slope(rss[tenth:]), 4),
        "articles_published": len(published),
        "articles_alerted": len(delays),
        "delay_median_s": round(statistics.median(delays), 2) if delays else None,
        "delay_p95_s": round(percentile(delays, 0.95), 2) if delays else None,
        "delay_max_s": round(max(delays), 2) if delays else None,
        "rss_per_cycle_mib": [round(x, 1) for x in rss],
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--cycles", type=int, default=300)
    parser.add_argument("--every-seconds", type=float, default=4.0)
    parser.add_argument("--out", type=Path, default=None)
    args = parser.parse_args()
    result = run(args.cycles, args.every_seconds)
    summary = {k: v for k, v in result.items() if k != "rss_per_cycle_mib"}
    print(json.dumps(summary, indent=2))
    if args.out:
        args.out.write_text(json.dumps(result) + "\n", encoding="utf-8")


if __name__ == "__main__":
    main()

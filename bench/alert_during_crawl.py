"""Alert delay while a hung source holds the crawl: detection passes during the crawl against
detection after it, in the same run.

One config: a local news site with N meeting reports (N = 2, 20, 200: 1×, 10×, 100×) beside a
feed that never answers, cut off at the crawl budget. Each size runs `newsmon crawl --once`
twice into a fresh SQLite store: with `operations.detect_during_crawl_seconds` at its default
(5 s) and at 0 (the cycle as it was: detection only once the crawl has ended). From the store:
seconds from the crawl run's start to the first and to the last "new" alert sent, and the
cycle's own length (run start to the end of the command).

    .venv/bin/python bench/alert_during_crawl.py [--budget 45] [--sizes 2,20,200]
"""

from __future__ import annotations

import argparse
import os
import subprocess
import sys
import tempfile
import time
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from sqlalchemy import func, select  # noqa: E402

from bench.soak import make_article  # noqa: E402
from monitor.demo.server import LocalSite  # noqa: E402
from monitor.demo.site import publish  # noqa: E402
from monitor.store import Store  # noqa: E402
from monitor.store.models import Alert, Article, CrawlRun  # noqa: E402
from tests.faults.config import demo_source, write_config  # noqa: E402
from tests.faults.hostile import HostileSite  # noqa: E402


def naive(moment: datetime) -> datetime:
    return moment.astimezone(UTC).replace(tzinfo=None) if moment.tzinfo else moment


def one_run(size: int, every: float, budget: float) -> dict[str, Any]:
    with tempfile.TemporaryDirectory() as tmp, LocalSite() as site, HostileSite() as hostile:
        folder = Path(tmp)
        start = datetime(2024, 6, 1, 9, 0, tzinfo=UTC)
        publish(site, [make_article(i, start) for i in range(size)])
        url = f"sqlite:///{folder / 'store.sqlite'}"
        healthy = {**demo_source(site.base_url), "max_articles": 10 * size}
        hung = {"name": "hung", "feeds": [hostile.base_url + "/hang/feed.xml"]}
        config = write_config(
            folder,
            url,
            [healthy, hung],
            alert_log=folder / "alerts.jsonl",
            crawl={"budget_seconds": budget, "download_timeout": 2 * budget},
            operations={"detect_during_crawl_seconds": every},
        )
        began = time.time()
        result = subprocess.run(
            [sys.executable, "-m", "monitor", "crawl", "--once", "--config", str(config)],
            cwd=ROOT,
            capture_output=True,
            text=True,
            timeout=20 * budget,
            env=os.environ.copy(),
        )
        ended = datetime.now(UTC).replace(tzinfo=None)
        if result.returncode != 0:
            raise SystemExit(f"crawl --once failed:\n{result.stderr[-3000:]}")
        store = Store(url)
        with store.session() as s:
            run = s.scalars(select(CrawlRun)).one()
            new = select(Alert.sent_at).where(Alert.kind == "new", Alert.sent_at.is_not(None))
            sent = sorted(naive(t) for t in s.scalars(new) if t is not None)
            stored = s.scalar(select(func.count()).where(Article.source == "healthy"))
        store.dispose()
    started = naive(run.started_at)
    assert run.finished_at is not None, "the crawl run was not finished"
    return {
        "stored": stored,
        "alerts": len(sent),
        "first": (sent[0] - started).total_seconds() if sent else float("nan"),
        "last": (sent[-1] - started).total_seconds() if sent else float("nan"),
        "crawl": (naive(run.finished_at) - started).total_seconds(),
        "cycle": (ended - started).total_seconds(),
        "command": time.time() - began,
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--budget", type=float, default=45.0, help="crawl budget, seconds")
    parser.add_argument("--sizes", default="2,20,200", help="articles on the healthy site")
    options = parser.parse_args()
    sizes = [int(n) for n in options.sizes.split(",")]
    print(f"load average at start: {os.getloadavg()[0]:.2f} (1 min)", flush=True)
    header = (
        "| articles | detection | stored | alerts | first alert s | last alert s | crawl s "
        "| cycle s |"
    )
    print(header)
    print("|---|---|---|---|---|---|---|---|")
    ratios = []
    for size in sizes:
        runs = {}
        for label, every in (("during the crawl (5 s)", 5.0), ("after the crawl (0)", 0.0)):
            r = one_run(size, every, options.budget)
            runs[label] = r
            print(
                f"| {size} | {label} | {r['stored']} | {r['alerts']} | {r['first']:.1f} "
                f"| {r['last']:.1f} | {r['crawl']:.1f} | {r['cycle']:.1f} |",
                flush=True,
            )
        ours, base = runs["during the crawl (5 s)"], runs["after the crawl (0)"]
        ratios.append((size, ours["first"] / base["first"], ours["cycle"] / base["cycle"]))
    for size, first, cycle in ratios:
        print(
            f"{size} articles: first alert at {first:.3f}× the after-crawl delay; "
            f"cycle length {cycle:.3f}× the after-crawl cycle"
        )
    print(f"load average at end: {os.getloadavg()[0]:.2f} (1 min)")


if __name__ == "__main__":
    main()

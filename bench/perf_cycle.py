"""One `newsmon crawl --once` over the shared benchmark site, for `anchor_newsplease.py --extra`.

    python3 ../shared/bench/anchor_newsplease.py \
        --extra "newsmon-sqlite=$PWD/.venv/bin/python $PWD/bench/perf_cycle.py sqlite" \
        --extra "newsmon-postgres=$PWD/.venv/bin/python $PWD/bench/perf_cycle.py postgres"

Writes a config with one source (the site's sitemap index, `max_articles: 5000`), no download
delay, 16 requests per domain, no autothrottle, a fresh store (a new SQLite file, or a new
PostgreSQL database reached through its Unix socket, which works inside the anchor's private
network namespace), runs the cycle in a child process and prints `{"articles": N}`, N the new
articles stored. `--cycles 2` runs a second cycle over the unchanged site and prints its wall
time beside the first's. The wall time the anchor measures includes this wrapper.
"""

from __future__ import annotations

import argparse
import json
import os
import resource
import subprocess
import sys
import time
import uuid
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
PG_SOCKET = "/var/run/postgresql"


def store_url(kind: str, work: Path) -> str:
    if kind == "sqlite":
        return f"sqlite:///{work / 'store.sqlite'}"
    name = f"newsmon_bench_{uuid.uuid4().hex[:10]}"
    create = f'CREATE DATABASE "{name}"'
    subprocess.run(["psql", "-h", PG_SOCKET, "-U", "postgres", "-d", "postgres", "-qc", create],
                   check=True)  # fmt: skip
    return f"postgresql+psycopg://postgres@/{name}?host={PG_SOCKET}"


def write_config(
    work: Path, site: str, url: str, processes: int, *, max_articles: int = 5000
) -> Path:
    # The site is on loopback, which the address policy opens only on request.
    (work / "sources.yaml").write_text(
        "sources:\n  - name: perfsite\n    lang: en\n    allow_private: true\n"
        f"    sitemaps: [{site}/sitemap.xml]\n    max_articles: {max_articles}\n",
        encoding="utf-8",
    )
    config = work / "newsmon.yaml"
    config.write_text(
        f"store: {{url: '{url}'}}\n"
        "crawl: {download_delay: 0, concurrency_per_domain: 16, autothrottle: false, "
        f"extract_processes: {processes}}}\n"
        f"alerts:\n  channels: [{{name: log, type: file, path: '{work / 'alerts.jsonl'}'}}]\n",
        encoding="utf-8",
    )
    return config


def cycle(config: Path) -> tuple[dict[str, object], float]:
    start = time.perf_counter()
    out = subprocess.run(
        [str(Path(sys.executable).with_name("newsmon")), "crawl", "--once", "-c", str(config)],
        check=True,
        capture_output=True,
        text=True,
        cwd=ROOT,
    )
    return json.loads(out.stdout.strip().splitlines()[-1]), time.perf_counter() - start


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("store", choices=["sqlite", "postgres"])
    parser.add_argument("--site", default=os.environ.get("PERF_SITE_URL", "http://127.0.0.1"))
    parser.add_argument("--work", default=os.environ.get("PERF_WORK", "/tmp/newsmon-perf"))
    parser.add_argument("--processes", type=int, default=2)
    parser.add_argument("--cycles", type=int, default=1)
    args = parser.parse_args()
    work = Path(args.work) / f"newsmon-{args.store}-{uuid.uuid4().hex[:8]}"
    work.mkdir(parents=True)
    config = write_config(work, args.site.rstrip("/"), store_url(args.store, work), args.processes)
    first, first_s = cycle(config)
    if args.cycles > 1:
        second, second_s = cycle(config)
        print(
            json.dumps(
                {"first_s": round(first_s, 2), "second_s": round(second_s, 2),
                 "ratio": round(second_s / first_s, 4), "second": second}
            )
        )  # fmt: skip
    # The largest process among the cycles (the crawl's own; workers are smaller), in MiB.
    rss = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss / 1024
    print(
        json.dumps({"articles": first["new_articles"], "peak_rss_mib": round(rss), "cycle": first})
    )


if __name__ == "__main__":
    main()

"""Server time of the web page and API over a large PostgreSQL store.

Bulk-loads synthetic rows with COPY — E events, 10·E articles (three reports per event, the
rest negatives), one detection per article, 50 sources — into a fresh PostgreSQL database, then
requests the events page, the events API and full-text search through Starlette's test client
and reads each answer's `Server-Timing` header: the server's own time (routing, queries,
rendering), without the client. Beside it is the bare SQL that lists the same first page (or
search hits), timed in the same run: the floor the page's count, facets and rendering add to.

    .venv/bin/python bench/web_bench.py --events 1000 --events 10000 --events 100000
"""

from __future__ import annotations

import argparse
import json
import random
import statistics
import tempfile
import time
import uuid
from collections.abc import Callable, Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import psycopg
from fastapi.testclient import TestClient
from sqlalchemy import Engine, create_engine, text

from monitor.config.model import load_config
from monitor.detect import load_lexicon
from monitor.store import Store
from monitor.web.app import create_app
from monitor.web.queries import Places

NOW = datetime(2026, 12, 3, 6, 30, tzinfo=UTC)
YEAR_MINUTES = 525_600
PARTIES = ["BJP", "INC", "JMM", "RJD", "JDU", "SP", "BSP", "AAP", "TMC", "CPIM"]
STATES = ["Bihar", "Jharkhand", "Uttar Pradesh", "Rajasthan", "Madhya Pradesh", "West Bengal"]
HI = "झामुमो भाजपा कांग्रेस बैठक चुनाव तैयारी जिला प्रखंड कार्यकर्ता समिति बूथ अध्यक्ष सम्मेलन"
EN = "party meeting election district block workers booth committee leaders campaign"
PAGE_QUERIES = [
    "",
    "party=BJP",
    "state=Bihar",
    "status=scheduled",
    "label=meeting&party=INC",
    "lang=hi",
    "date_from=2026-11-01&date_to=2026-11-30",
    "party=JMM&state=Jharkhand",
    "source=outlet-7",
    "q=district",
    "page=5",
]
SEARCHES = ["बैठक", "सम्मेलन अध्यक्ष", "campaign", "w123", "booth committee"]
FULLTEXT = (
    "CREATE INDEX ix_articles_fulltext ON articles USING gin "
    "(to_tsvector('simple', coalesce(title, '') || ' ' || coalesce(text, '')))"
)


def p95(times: list[float]) -> float:
    ordered = sorted(times)
    return ordered[max(0, round(0.95 * len(ordered)) - 1)]


def naive(moment: datetime) -> datetime:
    return moment.replace(tzinfo=None)


def report_lang(event: int, nth: int) -> str:
    """The language of an event's nth report: an event is mostly reported in one language,
    and one in five also by an outlet of the other."""
    lang = "hi" if event % 5 in (1, 2, 3) else "en"
    if nth == 2 and event % 5 == 4:
        return "hi" if lang == "en" else "en"
    return lang


def article_lang(a: int, events: int) -> str:
    return report_lang((a - 1) // 3 + 1, (a - 1) % 3) if a <= events * 3 else ("hi", "en")[a % 2]


def packed(values: set[str]) -> str:
    return "|" + "|".join(sorted(values)) + "|"


def event_rows(rng: random.Random, events: int, outlets: list[int]) -> Iterator[tuple[Any, ...]]:
    places = Places.from_lexicon(load_lexicon())
    in_state = {s: list(places.by_state.get(s.casefold(), (s,)))[:40] for s in STATES}
    for e in range(1, events + 1):
        seen = NOW - timedelta(minutes=e * YEAR_MINUTES // events)
        day = (seen + timedelta(days=rng.randint(-3, 5))).date().isoformat()
        party = rng.choice(PARTIES)
        reports = range(3 * e - 2, 3 * e + 1)
        yield (
            e,
            party,
            day,
            rng.choice(in_state[rng.choice(STATES)]),
            rng.choice(["online", "in_person"]),
            "scheduled" if day > seen.date().isoformat() else "held",
            "district",
            rng.random() < 0.8,
            rng.random() < 0.6,
            f"{party} district committee meeting {e}",
            naive(seen),
            naive(seen),
            packed({f"outlet-{outlets[a - 1]}" for a in reports}),
            packed({report_lang(e, n) for n in range(3)}),
        )


def article_rows(rng: random.Random, events: int, outlets: list[int]) -> Iterator[tuple[Any, ...]]:
    vocab = {"hi": HI.split(), "en": EN.split()}
    for a in range(1, len(outlets) + 1):
        lang = article_lang(a, events)
        words = vocab[lang]
        body = " ".join(
            rng.choice(words) if rng.random() < 0.7 else f"w{rng.randrange(100_000)}"
            for _ in range(40)
        )
        at = naive(NOW - timedelta(minutes=a * YEAR_MINUTES // len(outlets)))
        title = " ".join(rng.choices(words, k=8))
        link = f"https://o.example/{a}"
        source = f"outlet-{outlets[a - 1]}"
        yield (a, source, link, link, title, body, at, lang, uuid.uuid4().hex, at, at)


def detection_rows(events: int, articles: int) -> Iterator[tuple[Any, ...]]:
    evidence = json.dumps([{"sentence": "party meeting", "terms": ["meeting"]}])
    for a in range(1, articles + 1):
        event = (a - 1) // 3 + 1 if a <= events * 3 else None
        at = naive(NOW - timedelta(minutes=a * YEAR_MINUTES // articles))
        hit = event is not None
        yield (
            a,
            a,
            hit,
            hit,
            0.9 if hit else 0.1,
            "[]",
            "[]",
            evidence if hit else "[]",
            event,
            at,
        )


def load(url: str, events: int, seed: int = 7) -> dict[str, float]:
    """COPY the synthetic rows in; returns seconds per step."""
    rng = random.Random(seed)
    took: dict[str, float] = {}
    articles = events * 10
    outlets = [rng.randrange(50) for _ in range(articles)]
    steps: list[tuple[str, str, Callable[[], Iterator[tuple[Any, ...]]]]] = [
        (
            "sources",
            "sources (name, lang, region, created_at, consecutive_failures, health)",
            lambda: (
                (f"outlet-{i}", ("en", "hi")[i % 2], STATES[i % 6], naive(NOW), 0, "ok")
                for i in range(50)
            ),
        ),
        (
            "events",
            "events (id, party, date, place, mode, status, level, meeting, election_prep, "
            "title, first_seen_at, updated_at, report_sources, report_langs)",
            lambda: event_rows(rng, events, outlets),
        ),
        (
            "articles",
            "articles (id, source, url, canonical_url, title, text, published, lang, "
            "content_hash, fetched_at, detected_at)",
            lambda: article_rows(rng, events, outlets),
        ),
        (
            "detections",
            "detections (id, article_id, meeting, election_prep, score, parties, people, "
            "evidence, event_id, created_at)",
            lambda: detection_rows(events, articles),
        ),
    ]
    with psycopg.connect(url.replace("postgresql+psycopg://", "postgresql://")) as conn:
        conn.autocommit = True
        # Building the full-text index once after the load beats updating it per row.
        conn.execute("DROP INDEX IF EXISTS ix_articles_fulltext")
        with conn.cursor() as cur:
            for name, target, rows in steps:
                start = time.perf_counter()
                with cur.copy(f"COPY {target} FROM STDIN") as copy:
                    for row in rows():
                        copy.write_row(row)
                took[name] = time.perf_counter() - start
            for table in ("sources", "events", "articles", "detections"):
                cur.execute(
                    f"SELECT setval(pg_get_serial_sequence('{table}', 'id'), "
                    f"(SELECT max(id) FROM {table}))"
                )
        start = time.perf_counter()
        conn.execute(FULLTEXT)
        took["full-text index"] = time.perf_counter() - start
        # A store in use is vacuumed by autovacuum; right after a bulk load it is not yet.
        conn.execute("VACUUM ANALYZE")
    return took


def server_ms(client: TestClient, target: str, rounds: int) -> list[float]:
    first = client.get(target)
    assert first.status_code == 200, (target, first.status_code, first.text[:200])
    times = []
    for _ in range(rounds):
        timing = client.get(target).headers["server-timing"]
        times.append(float(timing.split("dur=")[1]))
    return times


def sql_ms(call: Callable[[], Any], rounds: int) -> list[float]:
    call()
    times = []
    for _ in range(rounds):
        start = time.perf_counter()
        call()
        times.append((time.perf_counter() - start) * 1000)
    return times


def bare_page(engine: Engine, query: str) -> Callable[[], Any]:
    """The first page of events for the filter's plain-column part, in one statement."""
    where, params = "TRUE", {}
    for part in query.split("&"):
        key, _, value = part.partition("=")
        if key in ("party", "status"):
            where += f" AND {key} = :{key}"
            params[key] = value
    sql = text(f"SELECT * FROM events WHERE {where} ORDER BY first_seen_at DESC, id DESC LIMIT 50")

    def run() -> Any:
        with engine.connect() as conn:
            return conn.execute(sql, params).all()

    return run


def bare_search(engine: Engine, words: str) -> Callable[[], Any]:
    sql = text(
        "SELECT id, title FROM articles WHERE to_tsvector('simple', coalesce(title, '') || ' ' "
        "|| coalesce(text, '')) @@ to_tsquery('simple', :q) LIMIT 20"
    )

    def run() -> Any:
        with engine.connect() as conn:
            return conn.execute(sql, {"q": " & ".join(words.split())}).all()

    return run


Figures = dict[str, tuple[float, float | None]]  # request → (our p95, bare SQL p95)


def report(target: str, ours: list[float], floor: list[float] | None, into: Figures) -> None:
    bare = f"{p95(floor):>10.1f}{p95(ours) / p95(floor):>7.1f}" if floor else " " * 17
    print(f"{target[:50]:<50}{statistics.median(ours):>8.1f}{p95(ours):>8.1f}{bare}")
    into[target] = (p95(ours), p95(floor) if floor else None)


def run(admin_url: str, events: int, rounds: int) -> Figures:
    name = f"newsmon_webbench_{uuid.uuid4().hex[:8]}"
    admin = create_engine(
        admin_url.replace("postgresql://", "postgresql+psycopg://", 1), isolation_level="AUTOCOMMIT"
    )
    with admin.connect() as conn:
        conn.execute(text(f'CREATE DATABASE "{name}"'))
    url = admin_url.rsplit("/", 1)[0] + "/" + name
    figures: Figures = {}
    try:
        store = Store(url)
        took = load(url, events)
        print(f"\n== {events:,} events, {events * 10:,} articles and detections ==")
        print("load: " + ", ".join(f"{k} {v:.1f} s" for k, v in took.items()))
        with tempfile.TemporaryDirectory() as tmp:
            folder = Path(tmp) / "config"
            folder.mkdir()
            (folder / "sources.yaml").write_text("sources: []\n", encoding="utf-8")
            (folder / "newsmon.yaml").write_text(
                f"store:\n  url: {url}\nweb:\n  trusted_proxy:\n    addresses: [testclient]\n",
                encoding="utf-8",
            )
            app = create_app(load_config(folder / "newsmon.yaml"), store, clock=lambda: NOW)
            client = TestClient(app, headers={"X-Forwarded-User": "bench"})
            print(f"{'request':<50}{'p50 ms':>8}{'p95 ms':>8}{'SQL p95':>10}{'ratio':>7}")
            for query in PAGE_QUERIES:
                page = f"/events?{query}" if query else "/events"
                floor = sql_ms(bare_page(store.engine, query), rounds)
                report(page, server_ms(client, page, rounds), floor, figures)
                api = f"/api/v1/events?{query}" if query else "/api/v1/events"
                report(api, server_ms(client, api, rounds), floor, figures)
            for words in SEARCHES:
                floor = sql_ms(bare_search(store.engine, words), rounds)
                for path in ("/articles", "/api/v1/articles"):
                    target = f"{path}?q={words}"
                    report(target, server_ms(client, target, rounds), floor, figures)
        store.dispose()
    finally:
        with admin.connect() as conn:
            conn.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        admin.dispose()
    return figures


def summary(by_size: dict[int, Figures]) -> None:
    """Every request's p95 at each size, the bare SQL at the largest, and the growth."""
    sizes = sorted(by_size)
    small, large = sizes[0], sizes[-1]
    print("\n== p95 server ms by events loaded (articles = 10 x events) ==")
    head = "".join(f"{n:>10,}" for n in sizes)
    print(f"{'request':<44}{head}{'SQL p95':>9}{'ratio':>7}{'growth':>8}")
    for target in by_size[large]:
        cells = "".join(f"{by_size[n][target][0]:>10.1f}" for n in sizes)
        ours, floor = by_size[large][target]
        bare = f"{floor:>9.1f}{ours / floor:>7.1f}" if floor else " " * 16
        growth = ours / by_size[small][target][0]
        print(f"{target[:44]:<44}{cells}{bare}{growth:>7.1f}x")
    pages = {t: f[0] for t, f in by_size[large].items() if "/articles" not in t}
    searches = {t: f[0] for t, f in by_size[large].items() if "/articles" in t}
    worst = max(pages, key=lambda t: pages[t])
    worst_search = max(searches, key=lambda t: searches[t])
    print(f"growth: the work grew {large / small:,.0f}x from {small:,} to {large:,} events")
    print(f"slowest events p95 at {large:,}: {pages[worst]:.1f} ms ({worst}); target 200 ms")
    print(
        f"slowest search p95 at {large:,}: {searches[worst_search]:.1f} ms ({worst_search}); "
        "target 300 ms"
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=(__doc__ or "").split("\n")[0])
    parser.add_argument("--events", type=int, action="append", help="events to load (repeatable)")
    parser.add_argument("--pg", default="postgresql://postgres@127.0.0.1:5432/test")
    parser.add_argument("--rounds", type=int, default=20)
    args = parser.parse_args()
    by_size = {n: run(args.pg, n, args.rounds) for n in args.events or [1_000, 10_000, 100_000]}
    summary(by_size)


if __name__ == "__main__":
    main()

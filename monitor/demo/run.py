"""`newsmon demo`: the whole flow on this machine, with nothing to configure.

A local news site built from the seeds, a local webhook receiver and a local SMTP server are
started on 127.0.0.1; a fresh SQLite store is crawled into, detected and alerted from. Then one
more article is published and a second cycle shows that only it is fetched and alerted.
"""

from __future__ import annotations

import json
import shlex
import sys
from dataclasses import dataclass
from pathlib import Path
from typing import Any, TextIO

import yaml
from sqlalchemy import select

from monitor.alerts.channels.email import EmailSettings
from monitor.alerts.channels.file import FileSettings
from monitor.alerts.channels.webhook import WebhookSettings
from monitor.commands.terminal import cut_at_word, render_table
from monitor.config.model import (
    Config,
    CrawlConfig,
    ListingConfig,
    Settings,
    SourceConfig,
    StoreConfig,
)
from monitor.config.ops import OperationsConfig
from monitor.crawl import reactor
from monitor.cycle import CycleReport, Monitor
from monitor.demo import discovery
from monitor.demo.receivers import SmtpReceiver, WebhookReceiver
from monitor.demo.server import LocalSite
from monitor.demo.site import DemoArticle, extra_article, load_seed_articles, publish
from monitor.store.models import Alert, Article, Detection

SEEDS = Path(__file__).resolve().parents[2] / "seeds"
WEBHOOK_SECRET = "demo-secret-not-for-production"
DEFAULT_WORKDIR = Path("var/demo")
TITLE_CELLS = 48
SUMMARY_CELLS = 70


@dataclass
class DemoOutcome:
    first: CycleReport
    second: CycleReport
    article_pages_first: int
    article_pages_second: int
    webhooks: int
    emails: int
    events: int


def demo_config(workdir: Path, site_url: str, webhook_url: str, smtp: tuple[str, int]) -> Config:
    source = SourceConfig(
        name="demo-jharkhand",
        # The demo site runs on loopback; only its own port is reachable.
        allow_private=True,
        lang="hi",
        region="Jharkhand",
        feeds=(site_url + discovery.FEED_PATH,),
        sitemaps=(site_url + discovery.SITEMAP_PATH,),
        listings=(
            ListingConfig(
                url=site_url + discovery.LISTING_PATH, article_pattern=r"/jharkhand/[^/]+\.html$"
            ),
        ),
    )
    settings = Settings(
        store=StoreConfig(url=f"sqlite:///{workdir / 'newsmon.sqlite'}"),
        # A local site needs no politeness delay; every other politeness setting stays on.
        crawl=CrawlConfig(download_delay=0, autothrottle=False, concurrency_per_domain=8),
        # Detection after the crawl, all in publication order: the same seeds then give the same
        # event ids on every run, however the crawl's batches fell.
        operations=OperationsConfig(detect_during_crawl_seconds=0),
        alerts={
            "channels": (
                WebhookSettings(
                    type="webhook", name="webhook", url=webhook_url, secret=WEBHOOK_SECRET
                ),
                EmailSettings(
                    type="email",
                    name="email",
                    host=smtp[0],
                    port=smtp[1],
                    sender="newsmon@localhost",
                    recipients=("desk@localhost",),
                ),
                FileSettings(type="file", name="audit-log", path=str(workdir / "alerts.jsonl")),
            )
        },
    )
    return Config(
        settings=settings,
        sources=(source,),
        path=workdir / "newsmon.yaml",
        sources_path=workdir / "sources.yaml",
    )


def article_fetches(site: LocalSite, articles: list[DemoArticle]) -> int:
    paths = {a.path for a in articles}
    return sum(
        1 for r in site.requests if r.method == "GET" and r.path in paths and r.status == 200
    )


async def _demo(workdir: Path, out: TextIO) -> DemoOutcome:
    articles = load_seed_articles(SEEDS)
    with LocalSite() as site, WebhookReceiver(WEBHOOK_SECRET) as hook, SmtpReceiver() as smtp:
        publish(site, articles)
        out.write(
            f"demo news site: {site.base_url}{discovery.LISTING_PATH} "
            f"({len(articles)} seed articles; feed, sitemap and listing)\n"
        )
        out.write(
            f"webhook receiver: {hook.url}   SMTP server: {smtp.address[0]}:"
            f"{smtp.address[1]}   store: {workdir / 'newsmon.sqlite'}\n\n"
        )
        monitor = Monitor(demo_config(workdir, site.base_url, hook.url, smtp.address))

        # The demo crawls every source on each cycle, however recently it was crawled.
        sources = monitor.config.enabled_sources()
        first = await monitor.run_cycle(sources)
        fetched_first = article_fetches(site, articles)
        out.write(
            f"cycle 1: {first.crawl.requests if first.crawl else 0} requests, "
            f"{fetched_first} article pages fetched, "
            f"{first.crawl.new_articles if first.crawl else 0} articles stored\n\n"
        )
        _print_articles(monitor, out)
        _print_alerts(monitor, out)

        extra = extra_article()
        publish(site, [*articles, extra])
        site.clear_log()
        second = await monitor.run_cycle(sources)
        fetched_second = article_fetches(site, [*articles, extra])
        out.write(
            f"\ncycle 2 (one article published since): "
            f"{second.crawl.requests if second.crawl else 0} requests, "
            f"{fetched_second} article page fetched ({extra.path}), "
            f"{second.crawl.skipped_seen if second.crawl else 0} stored articles skipped, "
            f"{second.new_events} new event, {second.dispatch.sent} alerts sent\n\n"
        )
        _print_alerts(monitor, out, since_id=_max_alert_before(first))
        _print_samples(hook, smtp, out)
        outcome = DemoOutcome(
            first,
            second,
            fetched_first,
            fetched_second,
            len(hook.received),
            len(smtp.mails),
            _count_events(monitor),
        )
        flagged = sum(1 for d in first.detected if d.positive)
        out.write(
            f"\ndemo: cycle 1 stored {first.crawl.new_articles if first.crawl else 0} articles, "
            f"{flagged} flagged, {first.new_events} events; cycle 2 fetched "
            f"{fetched_second} article page; delivered {outcome.webhooks} webhooks "
            f"(signatures valid: {all(w.signature_valid for w in hook.received)}) and "
            f"{outcome.emails} emails\n"
        )
        monitor.store.dispose()
        _write_explore_config(workdir, monitor.config)
        _print_next_steps(workdir, out)
        return outcome


def _write_explore_config(workdir: Path, config: Config) -> None:
    """A config beside the demo's store, so `status` and `events` can look at it afterwards.

    The demo's site and receivers are gone once it ends, so the config keeps only the file
    channel, and its source is disabled.
    """
    header = (
        "# Written by `newsmon demo`: its store and alert file. The demo's local site and\n"
        "# receivers ran only while it did; try `newsmon status` and `newsmon events` with it.\n"
    )
    settings = {
        "store": {"url": config.settings.store.url},
        "sources_file": "sources.yaml",
        "alerts": {"channels": [{"type": "file", "name": "audit-log", "path": "alerts.jsonl"}]},
    }
    sources = {
        "sources": [
            {
                "name": s.name,
                "lang": s.lang,
                "region": s.region,
                "feeds": list(s.feeds),
                "enabled": False,
            }
            for s in config.sources
        ]
    }
    for name, data in (("newsmon.yaml", settings), ("sources.yaml", sources)):
        text = yaml.safe_dump(data, allow_unicode=True, sort_keys=False)
        (workdir / name).write_text(header + text, encoding="utf-8")


def _print_next_steps(workdir: Path, out: TextIO) -> None:
    config = shlex.quote(str(workdir / "newsmon.yaml"))
    out.write(
        f"\nthe demo's store and config are kept in {workdir}; explore them with:\n"
        f"  newsmon status -c {config}\n"
        f"  newsmon events -c {config}\n"
        f"  newsmon alerts list -c {config}\n"
        "(from the checkout: .venv/bin/newsmon …)\n"
    )


def _max_alert_before(report: CycleReport) -> int:
    # The demo's store is fresh, so the first cycle's alerts are ids 1..n.
    return sum(d.alerts for d in report.detected)


def _count_events(monitor: Monitor) -> int:
    with monitor.store.session() as session:
        return len({d.event_id for d in session.scalars(select(Detection)) if d.event_id})


def _print_articles(monitor: Monitor, out: TextIO) -> None:
    rows: list[list[str]] = []
    with monitor.store.session() as session:
        for det, art in session.execute(
            select(Detection, Article)
            .join(Article, Detection.article_id == Article.id)
            .order_by(Article.published)
        ):
            fields: dict[str, Any] = det.fields or {}
            when = " ".join(x for x in (fields.get("date"), fields.get("time")) if x)
            rows.append(
                [
                    art.title,
                    art.lang or "",
                    "yes" if det.meeting else "no",
                    "yes" if det.election_prep else "no",
                    ",".join(det.parties),
                    when,
                    fields.get("status") or "",
                    fields.get("mode") or "",
                    f"evt-{det.event_id}" if det.event_id else "",
                ]
            )
    out.write(
        render_table(
            [
                "article",
                "lang",
                "meeting",
                "election",
                "parties",
                "when",
                "status",
                "mode",
                "event",
            ],
            rows,
            max_widths={"article": TITLE_CELLS},
        )
        + "\n\n"
    )


def _print_alerts(monitor: Monitor, out: TextIO, since_id: int = 0) -> None:
    """One row per event: what it is, how many outlets reported it, where it was delivered."""
    by_event: dict[int, list[Alert]] = {}
    with monitor.store.session() as session:
        for alert in session.scalars(select(Alert).where(Alert.id > since_id).order_by(Alert.id)):
            by_event.setdefault(alert.event_id or 0, []).append(alert)
    rows: list[list[str]] = []
    for event_id, alerts in by_event.items():
        event = alerts[0].payload.get("event", {})
        sources = alerts[0].payload.get("sources", [])
        delivered = " ".join(
            f"{a.channel}:{'sent' if a.status == 'sent' else a.status}" for a in alerts
        )
        summary = cut_at_word(str(event.get("summary", "")), SUMMARY_CELLS)
        rows.append([f"evt-{event_id}", str(len(sources)), delivered, summary])
    out.write(render_table(["event", "reports", "delivered", "summary"], rows) + "\n")


def _print_samples(hook: WebhookReceiver, smtp: SmtpReceiver, out: TextIO) -> None:
    if hook.received:
        first = hook.received[0]
        verdict = "valid" if first.signature_valid else "INVALID"
        out.write(
            f"\nwebhook as received (signature {verdict}, "
            f"Idempotency-Key {first.headers.get('Idempotency-Key')}):\n"
        )
        out.write(json.dumps(first.payload, ensure_ascii=False, indent=2) + "\n")
    if smtp.mails:
        # A Hindi report shows that Devanagari survives the subject and body encodings.
        mails = [m.message for m in smtp.mails]
        mail = next((m for m in mails if _has_devanagari(str(m["Subject"]))), mails[0])
        body = mail.get_body(preferencelist=("plain",))
        text = body.get_content() if body is not None else ""
        out.write(f"\nemail as received — Subject: {mail['Subject']}\n{text.rstrip()}\n")


def run_demo(workdir: Path | None = None, out: TextIO = sys.stdout) -> DemoOutcome:
    # An absolute path: the printed commands must work from any folder.
    workdir = (workdir or DEFAULT_WORKDIR).resolve()
    workdir.mkdir(parents=True, exist_ok=True)
    stale_files = ("newsmon.sqlite", "newsmon.sqlite-wal", "newsmon.sqlite-shm", "alerts.jsonl")
    for stale in (*stale_files, "newsmon.yaml", "sources.yaml"):
        (workdir / stale).unlink(missing_ok=True)
    outcome = reactor.run(lambda: _demo(workdir, out))
    from monitor.web.demo import DEMO_USER, write_web_config

    config_path, password = write_web_config(
        workdir,
        demo_config(workdir, "http://127.0.0.1:1", "http://127.0.0.1:1/hook", ("127.0.0.1", 25)),
    )
    out.write(
        f"\nweb page: newsmon web -c {config_path}   then open http://127.0.0.1:8080/ "
        f"as {DEMO_USER} / {password}\n"
    )
    return outcome


def _has_devanagari(text: str) -> bool:
    return any("\u0900" <= ch <= "\u097f" for ch in text)

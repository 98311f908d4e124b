"""`newsmon status [--json]`: the daemon's state for a person, read from the store.

It shows what `/healthz` and `/metrics` show, but works whether or not the daemon runs: whether
a daemon holds the store, the last cycles, each source's health, the articles whose detection
failed and the outbox.
"""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any, TextIO
from zoneinfo import ZoneInfo

from sqlalchemy import func, inspect, make_url, select
from sqlalchemy.exc import SQLAlchemyError

from crawler import bookkeeping as bk
from monitor.commands.terminal import render_table
from monitor.config.model import load_config
from monitor.ops.lock import holder
from monitor.store import Store
from monitor.store.models import Alert, CrawlRun, DetectFailure, Source

LAST_CYCLES = 10
LAST_FAILED = 10
# Wider names are cut with "…" so the columns after them stay in place.
NAME_CELLS = 28


def show_status(config_path: Path, as_json: bool, out: TextIO) -> None:
    config = load_config(config_path)
    url = config.settings.store.url
    configured = {s.name: s.enabled for s in config.sources}
    default_minutes = config.settings.schedule.crawl_every_minutes
    every = {s.name: s.every_minutes or default_minutes for s in config.sources}
    # Read only: status must not migrate a store that a running (older) daemon is using.
    store = Store(url, migrate=False)
    try:
        created = _has_schema(store)
        # A store nobody has used yet reads like an empty one: an empty in-memory store gives
        # the same shape with nothing in it.
        source = store if created else Store("sqlite://")
        try:
            status = collect(source, configured, every)
        finally:
            source.dispose()
    finally:
        store.dispose()
    who = holder(url)
    status["daemon"] = {"running": who.running, "pid": who.pid}
    status["store"] = store.redacted_url() + ("" if created else " (not created yet)")
    status["timezone"] = config.settings.schedule.timezone
    if as_json:
        out.write(json.dumps(status, ensure_ascii=False) + "\n")
    else:
        out.write(render(status, ZoneInfo(status["timezone"])))


def _has_schema(store: Store) -> bool:
    url = make_url(store.url)
    database = url.database or ""
    if url.get_backend_name() == "sqlite" and database and not Path(database).exists():
        return False  # connecting would create the file
    try:
        return inspect(store.engine).has_table(CrawlRun.__tablename__)
    except SQLAlchemyError as exc:
        raise store.unavailable(exc) from None


def collect(
    store: Store, configured: dict[str, bool], every: dict[str, float] | None = None
) -> dict[str, Any]:
    """The status as data, times in UTC; `every` gives each source's interval in minutes."""
    with store.session() as session:
        runs = list(
            session.scalars(select(CrawlRun).order_by(CrawlRun.id.desc()).limit(LAST_CYCLES))
        )
        rows = {r.name: r for r in session.scalars(select(Source))}
        counts = dict(
            session.execute(select(Alert.status, func.count()).group_by(Alert.status)).all()
        )
        failed = list(
            session.scalars(
                select(Alert)
                .where(Alert.status == "failed")
                .order_by(Alert.id.desc())
                .limit(LAST_FAILED)
            )
        )
        oldest_pending = session.scalar(
            select(func.min(Alert.created_at)).where(Alert.status == "pending")
        )
        # A store an older daemon still runs may predate the table; status does not migrate.
        recorded = inspect(session.connection()).has_table(DetectFailure.__tablename__)
        failures = (
            list(
                session.scalars(
                    select(DetectFailure)
                    .order_by(DetectFailure.failed_at.desc())
                    .limit(LAST_FAILED)
                )
            )
            if recorded
            else []
        )
        failed_count = (
            session.scalar(select(func.count()).select_from(DetectFailure)) if recorded else 0
        )
        detect_failed = [
            {
                "article_id": f.article_id,
                "url": f.article.url,
                "error": f.error,
                "traceback_digest": f.traceback_digest,
                "raised_at": f.raised_at,
                "failed_at": _iso(f.failed_at),
                "attempts": f.attempts,
            }
            for f in failures
        ]
    cycles = [
        {
            "id": r.id,
            "started_at": _iso(r.started_at),
            "finished_at": _iso(r.finished_at),
            "seconds": round((r.finished_at - r.started_at).total_seconds(), 1)
            if r.finished_at
            else None,
            "status": r.status,
            "sources": len(r.sources or []),
            "requests": r.requests,
            "new_articles": r.articles_new,
            "errors": r.errors,
            "finish_reason": r.finish_reason,
        }
        for r in runs
    ]
    # What the latest cycle cut short per source (its time budget spent), from its crawl stats.
    latest = (runs[0].stats or {}) if runs else {}
    sources = []
    for name in sorted(set(configured) | set(rows)):
        row = rows.get(name)
        cut_off = latest.get(bk.source_key(name, bk.CUT_OFF_REASON))
        sources.append(
            {
                "name": name,
                "enabled": configured.get(name, False),
                "configured": name in configured,
                "health": row.health if row else "new",
                "consecutive_failures": row.consecutive_failures if row else 0,
                "last_crawl_at": _iso(row.last_crawl_at) if row else None,
                "last_success_at": _iso(row.last_success_at) if row else None,
                "last_new_article_at": _iso(row.last_new_article_at) if row else None,
                "next_crawl_at": _iso(row.next_crawl_at) if row else None,
                "due_at": _iso(_due_at(row, (every or {}).get(name))) if row else None,
                "last_error": row.last_error if row else None,
                "cut_off": str(cut_off) if cut_off else None,
            }
        )
    return {
        "cycles": cycles,
        "sources": sources,
        "detection": {"failed": int(failed_count or 0), "recent_failed": detect_failed},
        "alerts": {
            "pending": int(counts.get("pending", 0)),
            "sent": int(counts.get("sent", 0)),
            "failed": int(counts.get("failed", 0)),
            "oldest_pending_at": _iso(oldest_pending),
            "recent_failed": [
                {
                    "id": a.id,
                    "channel": a.channel,
                    "kind": a.kind,
                    "attempts": a.attempts,
                    "last_error": a.last_error,
                }
                for a in failed
            ],
        },
    }


def _due_at(row: Source, minutes: float | None) -> datetime | None:
    """When the daemon next crawls the source: its interval after the last crawl, or later
    while it backs off after failures."""
    if row.last_crawl_at is None or minutes is None:
        return row.next_crawl_at
    due = row.last_crawl_at + timedelta(minutes=minutes)
    return max(due, row.next_crawl_at) if row.next_crawl_at else due


def render(status: dict[str, Any], zone: ZoneInfo | None = None) -> str:
    zone = zone or ZoneInfo("UTC")

    def local(value: str | None, empty: str = "never") -> str:
        if not value:
            return empty
        moment = datetime.fromisoformat(value).astimezone(zone)
        return moment.strftime("%Y-%m-%d %H:%M ") + (moment.tzname() or "")

    daemon = status["daemon"]
    lines = [
        f"daemon: {'running' if daemon['running'] else 'not running'}"
        + (f" (pid {daemon['pid']})" if daemon["pid"] else ""),
        f"store:  {status['store']}",
        f"times:  {zone.key}",
        "",
        "last cycles:",
    ]
    if not status["cycles"]:
        lines.append("  none yet")
    else:
        rows = [
            [
                f"#{c['id']}",
                local(c["started_at"], "-"),
                c["status"],
                f"{c['seconds']:.1f}s" if c["seconds"] is not None else "-",
                f"{c['sources']} sources, {c['requests']} requests, {c['new_articles']} new,"
                f" {c['errors']} errors",
            ]
            for c in status["cycles"]
        ]
        lines.append(render_table(["cycle", "started", "status", "took", "figures"], rows))
    lines += ["", "sources:"]
    if not status["sources"]:
        lines.append("  none configured")
    else:
        rows = []
        for s in status["sources"]:
            state = s["health"] if s["enabled"] else "disabled"
            failures = str(s["consecutive_failures"]) if s["consecutive_failures"] else ""
            next_crawl = local(s["due_at"], "now") if s["enabled"] else "-"
            rows.append(
                [
                    s["name"],
                    state,
                    local(s["last_crawl_at"]),
                    local(s["last_new_article_at"]),
                    next_crawl,
                    failures,
                ]
            )
        lines.append(
            render_table(
                ["source", "health", "last crawl", "last new article", "next crawl", "failures"],
                rows,
                max_widths={"source": NAME_CELLS},
            )
        )
        for s in status["sources"]:
            if s.get("cut_off"):
                lines.append(f"  {s['name']}: cut off in the last cycle: {s['cut_off']}")
            if s["last_error"] and s["health"] != "ok":
                lines.append(f"  {s['name']}: last error: {s['last_error']}")
    detection = status["detection"]
    lines += ["", f"detection: {detection['failed']} article(s) failed"]
    for f in detection["recent_failed"]:
        lines.append(
            f"  article {f['article_id']} {f['url']} failed at {f['failed_at']}"
            f" ({f['attempts']} attempts): {f['error']} [{f['traceback_digest']}"
            f" at {f['raised_at'] or '?'}]"
        )
    if detection["failed"]:
        lines.append("  after a fix: newsmon detect --retry-failed -c CONFIG")
    alerts = status["alerts"]
    oldest = local(alerts["oldest_pending_at"])
    lines += [
        "",
        f"alerts: {alerts['pending']} pending, {alerts['failed']} failed, {alerts['sent']} sent"
        + (f"; oldest pending since {oldest}" if alerts["pending"] else ""),
    ]
    for a in alerts["recent_failed"]:
        lines.append(
            f"  failed #{a['id']} via {a['channel']} ({a['kind']}, {a['attempts']} attempts):"
            f" {a['last_error']}"
        )
    return "\n".join(lines) + "\n"


def _iso(moment: datetime | None) -> str | None:
    if moment is None:
        return None
    return moment.astimezone(UTC).isoformat(timespec="seconds")

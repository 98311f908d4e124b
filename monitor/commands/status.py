"""`newsmon status [--json]`: the daemon's state for a person, read from the store.

It shows what `/healthz` and `/metrics` show, but works whether or not the daemon runs: whether
a daemon holds the store, the last cycles, each source's health and the outbox.
"""

from __future__ import annotations

import json
from datetime import UTC, datetime
from pathlib import Path
from typing import Any, TextIO

from sqlalchemy import func, inspect, make_url, select
from sqlalchemy.exc import SQLAlchemyError

from monitor.config.model import load_config
from monitor.ops.lock import holder
from monitor.store import Store
from monitor.store.models import Alert, CrawlRun, Source

LAST_CYCLES = 10
LAST_FAILED = 10


def show_status(config_path: Path, as_json: bool, out: TextIO) -> None:
    config = load_config(config_path)
    url = config.settings.store.url
    configured = {s.name: s.enabled for s in config.sources}
    # Read only: status must not migrate a store that a running (older) daemon is using.
    store = Store(url, migrate=False)
    try:
        created = _has_schema(store)
        # A store nobody has used yet reads like an empty one: an empty in-memory store gives
        # the same shape with nothing in it.
        source = store if created else Store("sqlite://")
        try:
            status = collect(source, configured)
        finally:
            source.dispose()
    finally:
        store.dispose()
    who = holder(url)
    status["daemon"] = {"running": who.running, "pid": who.pid}
    status["store"] = store.redacted_url() + ("" if created else " (not created yet)")
    if as_json:
        out.write(json.dumps(status, ensure_ascii=False) + "\n")
    else:
        out.write(render(status))


def _has_schema(store: Store) -> bool:
    url = make_url(store.url)
    database = url.database or ""
    if url.get_backend_name() == "sqlite" and database and not Path(database).exists():
        return False  # connecting would create the file
    try:
        return inspect(store.engine).has_table(CrawlRun.__tablename__)
    except SQLAlchemyError as exc:
        raise store.unavailable(exc) from None


def collect(store: Store, configured: dict[str, bool]) -> dict[str, Any]:
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
    sources = []
    for name in sorted(set(configured) | set(rows)):
        row = rows.get(name)
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
                "last_error": row.last_error if row else None,
            }
        )
    return {
        "cycles": cycles,
        "sources": sources,
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


def render(status: dict[str, Any]) -> str:
    daemon = status["daemon"]
    lines = [
        f"daemon: {'running' if daemon['running'] else 'not running'}"
        + (f" (pid {daemon['pid']})" if daemon["pid"] else ""),
        f"store:  {status['store']}",
        "",
        "last cycles:",
    ]
    if not status["cycles"]:
        lines.append("  none yet")
    for c in status["cycles"]:
        took = f"{c['seconds']:.1f}s" if c["seconds"] is not None else "-"
        lines.append(
            f"  #{c['id']:<5} {c['started_at'] or '-':<26} {c['status']:<12} {took:>8}"
            f"  {c['sources']} sources, {c['requests']} requests, {c['new_articles']} new,"
            f" {c['errors']} errors"
        )
    lines += ["", "sources:"]
    for s in status["sources"]:
        state = s["health"] if s["enabled"] else "disabled"
        extra = (
            f", {s['consecutive_failures']} failures in a row" if s["consecutive_failures"] else ""
        )
        lines.append(
            f"  {s['name']:<24} {state:<9} last crawl {s['last_crawl_at'] or 'never'},"
            f" last new article {s['last_new_article_at'] or 'never'}{extra}"
        )
        if s["last_error"] and s["health"] != "ok":
            lines.append(f"  {'':<24} last error: {s['last_error']}")
    alerts = status["alerts"]
    lines += [
        "",
        f"alerts: {alerts['pending']} pending, {alerts['failed']} failed, {alerts['sent']} sent"
        + (f"; oldest pending since {alerts['oldest_pending_at']}" if alerts["pending"] else ""),
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

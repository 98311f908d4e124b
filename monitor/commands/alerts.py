"""`newsmon alerts list|resend|test`: the outbox as a person sees it."""

from __future__ import annotations

import json
from collections.abc import Sequence
from datetime import UTC, datetime
from pathlib import Path
from typing import Any, TextIO
from zoneinfo import ZoneInfo

from sqlalchemy import func, select

from monitor.alerts.factory import build_channels, build_renderer
from monitor.alerts.message import make_test_message
from monitor.commands.terminal import render_table
from monitor.config.model import load_config, project_dir
from monitor.errors import ConfigError, NewsmonError
from monitor.store import Store
from monitor.store.models import Alert


def alert_record(a: Alert) -> dict[str, Any]:
    return {
        "id": a.id,
        "event": f"evt-{a.event_id}" if a.event_id is not None else None,
        "channel": a.channel,
        "kind": a.kind,
        "route": a.route,
        "status": a.status,
        "attempts": a.attempts,
        "idempotency_key": a.idempotency_key,
        "created_at": _iso(a.created_at),
        "sent_at": _iso(a.sent_at),
        "next_attempt_at": _iso(a.next_attempt_at) if a.status == "pending" else None,
        "last_error": a.last_error,
    }


def list_alerts(config_path: Path, failed_only: bool, out: TextIO, as_json: bool = False) -> None:
    config = load_config(config_path)
    zone = ZoneInfo(config.settings.schedule.timezone)
    store = Store(config.settings.store.url)
    try:
        with store.session() as session:
            query = select(Alert).order_by(Alert.id)
            if failed_only:
                query = query.where(Alert.status == "failed")
            records = [alert_record(a) for a in session.scalars(query)]
    finally:
        store.dispose()
    if as_json:
        out.write(json.dumps(records, ensure_ascii=False) + "\n")
        return
    if not records:
        out.write("no failed alerts\n" if failed_only else "no alerts yet\n")
        return
    rows = [
        [
            str(r["id"]),
            r["event"] or "-",
            r["channel"],
            r["kind"],
            r["route"] or "-",
            r["status"],
            str(r["attempts"]),
            _local(r["sent_at"] or r["next_attempt_at"], zone),
            r["last_error"] or "",
        ]
        for r in records
    ]
    headers = ["id", "event", "channel", "kind", "route", "status", "tries"]
    headers += [f"sent / next try ({_zone_name(zone)})", "last error"]
    out.write(
        render_table(headers, rows, max_widths={"channel": 20, "route": 16, "last error": 60})
        + "\n"
    )


def resend(config_path: Path, alert_ids: Sequence[int], out: TextIO) -> None:
    """Queue a copy of each sent alert under a new idempotency key, so receivers take it as a
    new message; the copy is a row of its own, recorded like any other."""
    store = Store(load_config(config_path).settings.store.url)
    try:
        for alert_id, copy_id, key in resend_alerts(store, alert_ids):
            out.write(f"alert {alert_id} queued again as alert {copy_id} ({key})\n")
    finally:
        store.dispose()


def resend_alerts(store: Store, alert_ids: Sequence[int]) -> list[tuple[int, int, str]]:
    now: datetime = store.clock()
    queued: list[tuple[int, int, str]] = []
    with store.session() as session:
        for alert_id in alert_ids:
            original = session.get(Alert, alert_id)
            if original is None:
                raise NewsmonError(f"no alert with id {alert_id}")
            if original.status != "sent":
                raise NewsmonError(
                    f"alert {alert_id} is {original.status}, not sent: "
                    "use `newsmon alerts retry` for a failed one"
                )
            root = original.idempotency_key.split(":resend-")[0]
            copies = session.scalar(
                select(func.count()).where(Alert.idempotency_key.like(f"{root}:resend-%"))
            )
            key = f"{root}:resend-{int(copies or 0) + 1}"
            payload = dict(original.payload)
            if "alert_id" in payload:
                payload["alert_id"] = key
            copy = Alert(
                event_id=original.event_id,
                channel=original.channel,
                kind=original.kind,
                route=original.route,
                idempotency_key=key,
                payload=payload,
                status="pending",
                attempts=0,
                next_attempt_at=now,
                created_at=now,
            )
            session.add(copy)
            session.flush()
            queued.append((alert_id, copy.id, key))
    return queued


def _iso(moment: datetime | None) -> str | None:
    return moment.astimezone(UTC).isoformat(timespec="seconds") if moment else None


def _local(value: str | None, zone: ZoneInfo) -> str:
    if not value:
        return ""
    return datetime.fromisoformat(value).astimezone(zone).strftime("%Y-%m-%d %H:%M")


def _zone_name(zone: ZoneInfo) -> str:
    return datetime.now(zone).tzname() or zone.key


def send_test(config_path: Path, channel_name: str, out: TextIO) -> bool:
    config = load_config(config_path)
    config_dir = config.path.resolve().parent
    # Relative file-channel paths are taken from the project folder, as the daemon does.
    base = project_dir(config.path)
    try:
        renderer = build_renderer(config.settings.alerts, config_dir)
    except ValueError as exc:
        raise ConfigError(str(config.path), "alerts.templates", str(exc)) from None
    channels = build_channels(config.settings.alerts.channels, base, renderer=renderer)
    channel = channels.get(channel_name)
    if channel is None:
        known = ", ".join(sorted(channels)) or "none configured"
        raise NewsmonError(f"no channel named {channel_name!r} (channels: {known})")
    message = make_test_message(channel_name, datetime.now(UTC).isoformat())
    result = channel.send(message)
    verdict = "ok" if result.ok else "FAILED"
    detail = f" — {result.error}" if result.error else ""
    out.write(f"{channel.describe()}: {verdict} ({result.status}){detail}\n")
    return result.ok

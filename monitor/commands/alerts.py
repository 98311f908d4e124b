"""`newsmon alerts list|test`: the outbox as a person sees it."""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path
from typing import TextIO

from sqlalchemy import select

from monitor.alerts.factory import build_channels, build_renderer
from monitor.alerts.message import make_test_message
from monitor.config.model import load_config
from monitor.errors import ConfigError, NewsmonError
from monitor.store import Store
from monitor.store.models import Alert


def list_alerts(config_path: Path, failed_only: bool, out: TextIO) -> None:
    store = Store(load_config(config_path).settings.store.url)
    try:
        with store.session() as session:
            query = select(Alert).order_by(Alert.id)
            if failed_only:
                query = query.where(Alert.status == "failed")
            rows = list(session.scalars(query))
            out.write(
                f"{'id':>5}  {'event':>6}  {'channel':<16}{'kind':<10}{'route':<14}"
                f"{'status':<9}{'tries':>5}  {'next try (UTC)':<17}last error\n"
            )
            for a in rows:
                event = str(a.event_id) if a.event_id is not None else "-"
                next_try = (
                    a.next_attempt_at.strftime("%Y-%m-%d %H:%M") if a.status == "pending" else ""
                )
                out.write(
                    f"{a.id:>5}  {event:>6}  {a.channel:<16}{a.kind:<10}{a.route or '-':<14}"
                    f"{a.status:<9}{a.attempts:>5}  {next_try:<17}{a.last_error or ''}\n"
                )
    finally:
        store.dispose()


def send_test(config_path: Path, channel_name: str, out: TextIO) -> bool:
    config = load_config(config_path)
    config_dir = config.path.resolve().parent
    # Relative file-channel paths are taken from the project folder, as the daemon does.
    base = config_dir.parent if config_dir.name == "config" else config_dir
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

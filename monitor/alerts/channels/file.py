"""Append each alert's payload as one JSON line to a file (for audits, demos, and other tools)."""

from __future__ import annotations

import json
import logging
import threading
from pathlib import Path
from typing import Literal

from monitor.alerts.channels.base import BuildContext, ChannelKind, DeliveryResult
from monitor.alerts.payload import Message

logger = logging.getLogger(__name__)


class FileSettings(ChannelKind):
    """`type: file`: append each alert's JSON payload as one line to `path`."""

    type: Literal["file"]
    # Relative to the config file's folder.
    path: str

    def build(self, context: BuildContext) -> FileChannel:
        path = Path(self.path)
        return FileChannel(self.name, path if path.is_absolute() else context.base_dir / path)


class FileChannel:
    def __init__(self, name: str, path: Path) -> None:
        self.name = name
        self.path = Path(path)
        # Sends may run in several threads; one write per line under a lock keeps lines whole.
        self._lock = threading.Lock()

    def describe(self) -> str:
        return f"file {self.path}"

    def send(self, message: Message) -> DeliveryResult:
        line = json.dumps(message.to_payload(), ensure_ascii=False, separators=(",", ":")) + "\n"
        try:
            with self._lock:
                self.path.parent.mkdir(parents=True, exist_ok=True)
                with self.path.open("a", encoding="utf-8") as fh:
                    fh.write(line)
        except OSError as exc:
            # A full disk or a missing mount may come back; let the outbox try again later.
            logger.warning("channel %s: cannot write %s: %s", self.name, self.path, exc.strerror)
            return DeliveryResult.failed(
                "write error", f"{type(exc).__name__}: {exc}", retryable=True
            )
        return DeliveryResult.sent()

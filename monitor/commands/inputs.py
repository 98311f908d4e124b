"""Reading the labelled/unlabelled JSON lines the detect and eval commands take."""

from __future__ import annotations

import json
from collections.abc import Iterator
from datetime import date, datetime
from pathlib import Path
from typing import Any

from monitor.errors import NewsmonError


def read_jsonl(path: Path) -> Iterator[dict[str, Any]]:
    """Yield each object; a bad line stops with the file, line number and reason."""
    try:
        handle = path.open(encoding="utf-8")
    except OSError as exc:
        raise NewsmonError(f"{path}: cannot be read: {exc.strerror or exc}") from None
    with handle:
        for number, line in enumerate(handle, 1):
            if not line.strip():
                continue
            try:
                row = json.loads(line)
            except json.JSONDecodeError as exc:
                raise NewsmonError(f"{path}:{number}: invalid JSON: {exc.msg}") from None
            if not isinstance(row, dict):
                raise NewsmonError(f"{path}:{number}: expected a JSON object")
            for key in ("id", "text"):
                if key not in row:
                    raise NewsmonError(f"{path}:{number}: missing field {key!r}")
            yield row


def published_date(value: Any) -> date | None:
    """The `published` field as a date: ISO date or datetime; anything else is unknown."""
    if not value or not isinstance(value, str):
        return None
    try:
        return datetime.fromisoformat(value.replace("Z", "+00:00")).date()
    except ValueError:
        try:
            return date.fromisoformat(value[:10])
        except ValueError:
            return None

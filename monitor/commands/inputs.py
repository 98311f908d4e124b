"""Reading the labelled/unlabelled JSON lines the detect and eval commands take."""

from __future__ import annotations

import json
import sys
from collections.abc import Iterator
from datetime import date, datetime
from pathlib import Path
from typing import Any

from monitor.errors import NewsmonError


def read_jsonl(path: Path) -> Iterator[dict[str, Any]]:
    """Yield each object; a bad line stops with the file, line number and reason."""
    for _, row in numbered_jsonl(path):
        yield row


def numbered_jsonl(path: Path) -> Iterator[tuple[int, dict[str, Any]]]:
    """(line number, object) for each non-blank line, checked as `read_jsonl` describes.

    The path `-` is standard input.
    """
    try:
        handle = _stdin_bytes() if str(path) == "-" else path.open("rb")
    except FileNotFoundError:
        raise NewsmonError(f"{path}: not found") from None
    except OSError as exc:
        raise NewsmonError(f"{path}: cannot be read: {exc.strerror or exc}") from None
    with handle:
        # Decoded line by line, so that an encoding error names its line.
        for number, raw in enumerate(handle, 1):
            try:
                line = raw.decode("utf-8-sig" if number == 1 else "utf-8")
            except UnicodeDecodeError:
                raise NewsmonError(f"{path}:{number}: not UTF-8 text") from None
            if line.strip():
                yield number, _row(path, number, line)


def _row(path: Path, number: int, line: str) -> dict[str, Any]:
    where = f"{path}:{number}"
    try:
        row = json.loads(line)
    except json.JSONDecodeError as exc:
        raise NewsmonError(f"{where}: invalid JSON: {exc.msg}") from None
    if not isinstance(row, dict):
        raise NewsmonError(f"{where}: expected a JSON object")
    for key in ("id", "text"):
        if key not in row:
            raise NewsmonError(f"{where}: missing field {key!r}")
    # bool is an int to Python, and true is no id.
    if isinstance(row["id"], bool) or not isinstance(row["id"], str | int) or row["id"] == "":
        raise NewsmonError(f"{where}: field 'id' must be a non-empty string or a number")
    if not isinstance(row["text"], str):
        raise NewsmonError(f"{where}: field 'text' must be a string")
    for key in ("title", "lang", "url"):
        if row.get(key) is not None and not isinstance(row[key], str):
            raise NewsmonError(f"{where}: field {key!r} must be a string")
    value = row.get("published")
    if value not in (None, "") and published_date(value) is None:
        raise NewsmonError(
            f"{where}: field 'published' must be an ISO date or date-time, not {value!r}"
        )
    return row


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


def _stdin_bytes() -> Any:
    # A duplicate of the descriptor, so closing it when done leaves sys.stdin usable.
    import os

    return os.fdopen(os.dup(sys.stdin.fileno()), "rb")

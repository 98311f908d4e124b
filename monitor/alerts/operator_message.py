"""Operator notices (a source failing, stale or recovered) as the channels send them.

`monitor.alerts.source_health` writes these rows (schema ``newsmon.operator/1``); the delivery
side only sends them, passing the payload through unchanged so fields added there reach
receivers.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any, Final

OPERATOR_SCHEMA: Final = "newsmon.operator/1"


@dataclass(frozen=True)
class OperatorMessage:
    alert_id: str
    source: str
    state: str  # failing | stale | recovered
    title: str
    summary: str
    last_error: str | None
    created_at: str
    payload: Mapping[str, Any] = field(default_factory=dict, compare=False, hash=False)
    kind: str = "operator"
    # The desk's language for labels ("hi" or "en"), chosen by the route; not in the payload.
    language: str | None = None

    def to_payload(self) -> dict[str, Any]:
        return dict(self.payload)

    @classmethod
    def from_payload(cls, payload: Mapping[str, Any]) -> OperatorMessage:
        if payload.get("schema") != OPERATOR_SCHEMA:
            raise ValueError(f"unsupported operator schema {payload.get('schema')!r}")
        try:
            return cls(
                alert_id=str(payload["alert_id"]),
                source=str(payload["source"]),
                state=str(payload["state"]),
                title=str(payload["title"]),
                summary=str(payload.get("summary") or ""),
                last_error=payload.get("last_error"),
                created_at=str(payload["created_at"]),
                payload=dict(payload),
            )
        except (KeyError, TypeError) as exc:
            raise ValueError(f"malformed operator payload: {exc!r}") from exc

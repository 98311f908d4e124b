"""The digest message: one route's events of a period, grouped by state and party.

Its wire format is versioned like the alert's, as ``newsmon.digest/1``; fields are only added
within a version.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from itertools import groupby
from typing import Any, Final

from monitor.alerts.message import SourceRef
from monitor.detect.model import EventFields

DIGEST_SCHEMA: Final = "newsmon.digest/1"
OTHER_REGION: Final = "Other"


@dataclass(frozen=True)
class DigestItem:
    """One event in a digest: ``change`` is "new" (first reported in the period) or "update"."""

    event_id: str
    region: str | None
    party: str | None
    change: str
    title: str
    summary: str
    lang: str | None
    details: EventFields
    evidence: str | None
    sources: tuple[SourceRef, ...]

    def to_dict(self) -> dict[str, Any]:
        return {
            "id": self.event_id,
            "region": self.region,
            "party": self.party,
            "change": self.change,
            "title": self.title,
            "summary": self.summary,
            "lang": self.lang,
            # The item's own `party` (above) is the event's; the record's is not repeated.
            **{k: v for k, v in self.details.to_json().items() if k != "party"},
            "evidence": self.evidence,
            "sources": [s.to_dict() for s in self.sources],
        }

    @classmethod
    def from_dict(cls, data: Mapping[str, Any]) -> DigestItem:
        return cls(
            event_id=str(data["id"]),
            region=data.get("region"),
            party=data.get("party"),
            change=str(data["change"]),
            title=str(data["title"]),
            summary=str(data["summary"]),
            lang=data.get("lang"),
            details=EventFields.from_json({**data, "party": None}),
            evidence=data.get("evidence"),
            sources=tuple(SourceRef.from_dict(s) for s in data.get("sources", ())),
        )


@dataclass(frozen=True)
class DigestMessage:
    """A scheduled summary for one route and channel; ``alert_id`` is its idempotency key."""

    alert_id: str
    route: str
    period_start: str  # ISO 8601, UTC
    period_end: str
    timezone: str
    lang: str | None
    items: tuple[DigestItem, ...]
    created_at: str
    kind: str = "digest"
    # The desk's language for labels ("hi" or "en"), chosen by the route; not in the payload.
    language: str | None = None

    def groups(self) -> list[tuple[str, list[tuple[str, list[DigestItem]]]]]:
        """The items as ``[(state, [(party, items), ...]), ...]``, states and parties sorted."""

        def region(item: DigestItem) -> str:
            return item.region or OTHER_REGION

        def party(item: DigestItem) -> str:
            return item.party or "—"

        # "Other" goes last: a reader scans the named states first.
        ordered = sorted(
            self.items, key=lambda i: (i.region is None, region(i), party(i), i.event_id)
        )
        return [
            (state, [(p, list(items)) for p, items in groupby(in_state, key=party)])
            for state, in_state in ((s, list(g)) for s, g in groupby(ordered, key=region))
        ]

    def to_payload(self) -> dict[str, Any]:
        """Return the JSON body of a webhook call (schema ``newsmon.digest/1``).

        ::

            {
              "schema": "newsmon.digest/1",
              "alert_id": "newsmon:digest-daily:webhook-main:2023-11-21",  # idempotency key
              "kind": "digest",
              "route": "daily",
              "period": {"start": "2023-11-20T02:30:00Z", "end": "2023-11-21T02:30:00Z",
                         "timezone": "Asia/Kolkata"},
              "lang": "hi" | "en" | null,           # the language most of the events are in
              "events": [
                {"id": "evt-42", "region": "Jharkhand" | null, "party": "JMM" | null,
                 "change": "new" | "update", "title": "...", "summary": "...",
                 "lang": "hi" | null, "date": ..., "time": ..., "status": ..., "mode": ...,
                 "place": ..., "level": ..., "election": ..., "venue": ...,
                 "evidence": "one sentence" | null,
                 "sources": [{"source", "url", "title", "published"}]}
              ],
              "created_at": "2023-11-21T02:30:00Z"
            }
        """
        return {
            "schema": DIGEST_SCHEMA,
            "alert_id": self.alert_id,
            "kind": self.kind,
            "route": self.route,
            "period": {
                "start": self.period_start,
                "end": self.period_end,
                "timezone": self.timezone,
            },
            "lang": self.lang,
            "events": [item.to_dict() for item in self.items],
            "created_at": self.created_at,
        }

    @classmethod
    def from_payload(cls, payload: Mapping[str, Any]) -> DigestMessage:
        if payload.get("schema") != DIGEST_SCHEMA:
            raise ValueError(f"unsupported digest schema {payload.get('schema')!r}")
        try:
            period = payload["period"]
            return cls(
                alert_id=str(payload["alert_id"]),
                route=str(payload["route"]),
                period_start=str(period["start"]),
                period_end=str(period["end"]),
                timezone=str(period["timezone"]),
                lang=payload.get("lang"),
                items=tuple(DigestItem.from_dict(e) for e in payload["events"]),
                created_at=str(payload["created_at"]),
            )
        except (KeyError, TypeError) as exc:
            raise ValueError(f"malformed digest payload: {exc!r}") from exc

"""The alert message: what every channel sends about one event, and its wire format.

The payload a webhook receives (and the file channel writes, one per line) is versioned by its
``schema`` field. Fields are only ever added within a version; renaming or removing one, or
changing its meaning, makes a new version (``newsmon.alert/2``).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any, Final

from monitor.detect.model import EventFields

SCHEMA: Final = "newsmon.alert/1"
KINDS: Final = frozenset({"new", "update", "test"})


@dataclass(frozen=True)
class SourceRef:
    """One article that reported the event."""

    source: str
    url: str
    title: str
    published: str | None = None

    def to_dict(self) -> dict[str, Any]:
        return {
            "source": self.source,
            "url": self.url,
            "title": self.title,
            "published": self.published,
        }

    @classmethod
    def from_dict(cls, data: Mapping[str, Any]) -> SourceRef:
        return cls(
            source=str(data["source"]),
            url=str(data["url"]),
            title=str(data["title"]),
            published=data.get("published"),
        )


@dataclass(frozen=True)
class AlertMessage:
    """Everything a channel needs to tell a person (or a program) about one event.

    ``alert_id`` is the idempotency key: the same alert keeps the same id across retries and
    restarts, so receivers can drop duplicates.
    """

    alert_id: str
    kind: str
    event_id: str
    title: str
    summary: str
    parties: tuple[str, ...]
    people: tuple[str, ...]
    meeting: bool
    election_prep: bool
    score: float
    # When, where and how: the event record the detector made, as the store knows it now.
    details: EventFields
    evidence: tuple[tuple[str, tuple[str, ...]], ...]
    sources: tuple[SourceRef, ...]
    lang: str | None
    created_at: str
    # For an update: the reports that arrived since the last alert this channel received.
    also_reported_by: tuple[SourceRef, ...] = ()
    # The desk's language for labels ("hi" or "en"), chosen by the route; not in the payload.
    language: str | None = None

    def __post_init__(self) -> None:
        if self.kind not in KINDS:
            raise ValueError(f"kind must be one of {sorted(KINDS)}, not {self.kind!r}")
        if not self.alert_id:
            raise ValueError("alert_id must not be empty")

    def to_payload(self) -> dict[str, Any]:
        """Return the JSON body of a webhook call (schema ``newsmon.alert/1``).

        ::

            {
              "schema": "newsmon.alert/1",
              "alert_id": "evt-42:webhook-main",   # idempotency key, also in Idempotency-Key
              "kind": "new" | "update" | "test",
              "event": {
                "id": "evt-42",
                "title": "...",                     # headline, original language
                "summary": "...",                   # one line: party, what, when, where, status
                "lang": "hi" | "en" | null,
                "parties": ["JMM"],
                "people": ["Hemant Soren"],
                "date": "2023-11-21" | null,        # ISO date of the meeting
                "time": "14:00" | null,
                "status": "scheduled" | "held" | ... | null,
                "mode": "online" | "in_person" | ... | null,
                "place": "Ranchi" | null,
                "level": "state" | ... | null,
                "election": "Lok Sabha 2024" | null,
                "venue": "Sohrai Bhawan" | null     # the hall or building, when named
              },
              "detection": {
                "meeting": true,
                "election_prep": true,
                "score": 0.93,
                "evidence": [{"sentence": "...", "terms": ["...", "..."]}]
              },
              "sources": [
                {"source": "...", "url": "https://...", "title": "...", "published": "..." | null}
              ],
              "also_reported_by": [...],            # kind "update": the sources that are new
                                                    # since this channel's last alert (same
                                                    # shape as "sources"); otherwise []
              "created_at": "2023-11-20T10:00:00Z"  # when the alert was made, UTC
            }

        Unknown values are ``null``; lists may be empty. Receivers must ignore fields they do
        not know, because new ones may be added within this version.
        """
        return {
            "schema": SCHEMA,
            "alert_id": self.alert_id,
            "kind": self.kind,
            "event": {
                "id": self.event_id,
                "title": self.title,
                "summary": self.summary,
                "lang": self.lang,
                "parties": list(self.parties),
                "people": list(self.people),
                **self.details.to_json(),
            },
            "detection": {
                "meeting": self.meeting,
                "election_prep": self.election_prep,
                "score": self.score,
                "evidence": [
                    {"sentence": sentence, "terms": list(terms)}
                    for sentence, terms in self.evidence
                ],
            },
            "sources": [s.to_dict() for s in self.sources],
            "also_reported_by": [s.to_dict() for s in self.also_reported_by],
            "created_at": self.created_at,
        }

    @classmethod
    def from_payload(cls, payload: Mapping[str, Any]) -> AlertMessage:
        """Rebuild a message from :meth:`to_payload` output (e.g. a stored outbox row).

        Raises ``ValueError`` when the payload is of another schema or misses a field.
        """
        if payload.get("schema") != SCHEMA:
            raise ValueError(f"unsupported alert schema {payload.get('schema')!r}")
        try:
            event = payload["event"]
            detection = payload["detection"]
            return cls(
                alert_id=str(payload["alert_id"]),
                kind=str(payload["kind"]),
                event_id=str(event["id"]),
                title=str(event["title"]),
                summary=str(event["summary"]),
                parties=_strings(event.get("parties", ())),
                people=_strings(event.get("people", ())),
                meeting=bool(detection["meeting"]),
                election_prep=bool(detection["election_prep"]),
                score=float(detection["score"]),
                details=EventFields.from_json(event),
                evidence=tuple(
                    (str(e["sentence"]), _strings(e.get("terms", ())))
                    for e in detection.get("evidence", ())
                ),
                sources=_sources(payload.get("sources", ())),
                lang=event.get("lang"),
                created_at=str(payload["created_at"]),
                also_reported_by=_sources(payload.get("also_reported_by", ())),
            )
        except (KeyError, TypeError) as exc:
            raise ValueError(f"malformed alert payload: {exc!r}") from exc


def _strings(values: Sequence[Any]) -> tuple[str, ...]:
    return tuple(str(v) for v in values)


def _sources(values: Sequence[Mapping[str, Any]]) -> tuple[SourceRef, ...]:
    return tuple(SourceRef.from_dict(s) for s in values)


def make_test_message(channel_name: str, created_at: str) -> AlertMessage:
    """A harmless ``kind="test"`` message to check that a channel is wired up end to end."""
    return AlertMessage(
        alert_id=f"test:{channel_name}:{created_at}",
        kind="test",
        event_id="test",
        title="newsmon test alert / परीक्षण सूचना",
        summary="Test alert: if you can read this, the channel works.",
        parties=(),
        people=(),
        meeting=False,
        election_prep=False,
        score=0.0,
        details=EventFields(),
        evidence=(),
        sources=(),
        lang=None,
        created_at=created_at,
    )

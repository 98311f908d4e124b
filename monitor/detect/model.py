"""What a detection says about one article: the two labels, the structured fields of the event
and the sentences that triggered them.

These records are the detector's contract with the store, the events and the command line, so
they are frozen and serialise to exactly the JSON documented in DESIGN.md (fields may be added,
never renamed).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field, fields, replace
from typing import Any, Literal

Status = Literal["held", "scheduled"]
Mode = Literal["online", "in_person"]
Level = Literal["state", "district", "block", "booth"]


@dataclass(frozen=True)
class Evidence:
    """One triggering sentence, as printed in the article, and the lexicon terms it matched."""

    sentence: str
    terms: tuple[str, ...]

    def to_json(self) -> dict[str, Any]:
        return {"sentence": self.sentence, "terms": list(self.terms)}


@dataclass(frozen=True)
class EventFields:
    """The meeting a positive article reports; any field the text does not give is None.

    The one event record of the flow: the detector makes it, the store keeps it (a detection's
    `fields`, an event's columns), grouping fills an event's gaps from it, and alerts and
    digests carry it to the receiver.
    """

    date: str | None = None
    time: str | None = None
    status: Status | None = None
    mode: Mode | None = None
    place: str | None = None
    level: Level | None = None
    election: str | None = None
    venue: str | None = None
    # Whose meeting it is: a party id, or an alliance id when the alliance holds it.
    party: str | None = None

    def to_json(self) -> dict[str, Any]:
        return {
            "date": self.date,
            "time": self.time,
            "status": self.status,
            "mode": self.mode,
            "place": self.place,
            "level": self.level,
            "election": self.election,
            "venue": self.venue,
            "party": self.party,
        }

    @classmethod
    def from_json(cls, data: Mapping[str, Any] | None) -> EventFields:
        """The record from `to_json` output (a stored detection, a payload's event); keys it
        does not know are ignored, missing ones are None."""
        data = data or {}
        return cls(**{f.name: data.get(f.name) for f in fields(cls)})

    def filled_from(self, other: EventFields) -> EventFields:
        """This record with what it does not know yet taken from `other`."""
        gaps = {k: v for k, v in other.to_json().items() if getattr(self, k) is None}
        return replace(self, **{k: v for k, v in gaps.items() if v is not None})


@dataclass(frozen=True)
class Finding:
    """The verdict on one article.

    `parties` are the parties the flagged meeting or preparation is about (canonical ids, most
    salient first); for an article with neither label they are the parties it mentions.
    `alliances` and `parties_mentioned` are additions to the documented contract.
    """

    meeting: bool
    election_prep: bool
    score: float
    parties: tuple[str, ...] = ()
    people: tuple[str, ...] = ()
    event: EventFields | None = None
    evidence: tuple[Evidence, ...] = ()
    alliances: tuple[str, ...] = ()
    parties_mentioned: tuple[str, ...] = field(default=())
    published: str | None = None

    def to_json(self, id: str) -> dict[str, Any]:
        return {
            "id": id,
            "meeting": self.meeting,
            "election_prep": self.election_prep,
            "score": round(self.score, 3),
            "parties": list(self.parties),
            "people": list(self.people),
            "event": self.event.to_json() if self.event is not None else None,
            "evidence": [e.to_json() for e in self.evidence],
            "alliances": list(self.alliances),
            "parties_mentioned": list(self.parties_mentioned),
            "published": self.published,
        }

"""Multi-pattern keyword matching: one Aho-Corasick automaton over every lexicon alias.

Matching runs on the folded sentence (see `normalise.fold`) and keeps a hit only when it is a
whole word by the Mn/Mc-aware boundary check, so "भाजपा" does not fire inside "भाजपाई".
"""

from __future__ import annotations

import logging
from collections.abc import Iterable
from dataclasses import dataclass

import ahocorasick

from monitor.detect.normalise import at_boundary, fold, is_word_char

log = logging.getLogger(__name__)

# Entity groups: a party, alliance or leader name swallows any shorter hit inside it
# ("शुभेंदु अधिकारी" is a person, not an official; "तृणमूल कांग्रेस" is not INC), and so does a
# name that merely contains a party's ("Science Congress").
ENTITY_GROUPS = frozenset({"party", "alliance", "leader", "not_party"})
PLACE_GROUPS = frozenset({"place", "place_dateline"})


def family(group: str) -> str:
    """Groups whose overlapping hits compete; the longer hit wins within a family."""
    if group in ENTITY_GROUPS:
        return "entity"
    if group in PLACE_GROUPS:
        return "place"
    if group in ("meeting", "meeting_weak", "not_meeting"):
        return "meeting"
    if group in ("prep", "prep_weak", "election_word", "postpoll"):
        return "prep"
    if group.startswith("veto_"):
        return "veto"
    return group


@dataclass(frozen=True)
class Entry:
    """One alias of one lexicon item. `key` is what the item reports (party id, person's
    name, place name, or the cue group's name)."""

    group: str
    key: str
    alias: str
    case_sensitive: bool = False
    prefix: bool = False


@dataclass(frozen=True)
class Hit:
    entry: Entry
    start: int
    end: int

    @property
    def group(self) -> str:
        return self.entry.group

    @property
    def key(self) -> str:
        return self.entry.key

    @property
    def term(self) -> str:
        return self.entry.alias


def parse_alias(raw: str) -> tuple[str, bool, bool]:
    """Split the lexicon markers off an alias: "=AAP" is case-sensitive, "बैठक*" a prefix."""
    alias = raw.strip()
    case_sensitive = alias.startswith("=")
    if case_sensitive:
        alias = alias[1:]
    prefix = alias.endswith("*")
    if prefix:
        alias = alias[:-1]
    return alias.strip(), case_sensitive, prefix


class Matcher:
    """Finds lexicon entries in folded sentences."""

    def __init__(self, entries: Iterable[Entry]) -> None:
        self._automaton = ahocorasick.Automaton()
        table: dict[str, list[Entry]] = {}
        for entry in entries:
            key = fold(entry.alias)
            if not key:
                continue
            items = table.setdefault(key, [])
            # The same word listed twice for one item ("Ravinder Raina" as name and alias)
            # must not produce two hits.
            if not any(_same_item(entry, other) for other in items):
                items.append(entry)
        for key, items in table.items():
            self._automaton.add_word(key, (key, tuple(items)))
        self._exact = {e.alias: fold(e.alias, casefold=False) for v in table.values() for e in v}
        self._size = len(table)
        if table:
            self._automaton.make_automaton()
        log.debug("matcher built with %d keys", self._size)

    def __len__(self) -> int:
        return self._size

    def find(self, folded: str, cased: str | None = None) -> list[Hit]:
        """Hits in `folded` (a `fold()`ed sentence); `cased` is the same sentence folded without
        casefolding, needed to verify case-sensitive aliases."""
        if not self._size or not folded:
            return []
        aligned = cased is not None and len(cased) == len(folded)
        hits: list[Hit] = []
        for end_index, (key, entries) in self._automaton.iter(folded):
            start, end = end_index - len(key) + 1, end_index + 1
            for entry in entries:
                if not self._bounded(folded, start, end, entry.prefix):
                    continue
                if entry.case_sensitive and not self._case_ok(entry, cased, start, end, aligned):
                    continue
                hits.append(Hit(entry, start, end))
        return _drop_nested(hits)

    @staticmethod
    def _bounded(text: str, start: int, end: int, prefix: bool) -> bool:
        if prefix:
            # Only the left edge is a word boundary; the word may continue to the right.
            return start == 0 or not (is_word_char(text[start]) and is_word_char(text[start - 1]))
        return at_boundary(text, start, end)

    def _case_ok(
        self, entry: Entry, cased: str | None, start: int, end: int, aligned: bool
    ) -> bool:
        if cased is None:
            return False
        exact = self._exact[entry.alias]
        if aligned:
            return cased[start:end] == exact
        # Casefolding changed the length (ß, ligatures): fall back to a containment test.
        return exact in cased


def _same_item(a: Entry, b: Entry) -> bool:
    return (a.group, a.key, a.case_sensitive, a.prefix) == (
        b.group,
        b.key,
        b.case_sensitive,
        b.prefix,
    )


def _drop_nested(hits: list[Hit]) -> list[Hit]:
    """Drop a hit lying inside a longer one of the same family, or inside an entity or a veto
    phrase ("press conference" is not a "conference", "public meeting" not a "meeting"); and a
    veto inside a longer meeting phrase ("संसदीय बोर्ड की बैठक" is a party's, whatever a
    "बोर्ड की बैठक" is on its own)."""
    if len(hits) < 2:
        return sorted(hits, key=lambda h: (h.start, -h.end))
    kept: list[Hit] = []
    for hit in hits:
        fam = family(hit.group)
        swallowed = False
        for other in hits:
            if other is hit or (other.end - other.start) <= (hit.end - hit.start):
                continue
            if other.start <= hit.start and hit.end <= other.end:
                ofam = family(other.group)
                if (
                    ofam == fam
                    or ofam in ("entity", "veto")
                    or (fam == "veto" and ofam in ("meeting", "prep", "campaign"))
                ):
                    swallowed = True
                    break
        if not swallowed:
            kept.append(hit)
    return sorted(kept, key=lambda h: (h.start, -h.end))

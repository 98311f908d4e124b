"""The meeting and election-preparation detector: article in, `Finding` out.

The flow: strip page furniture and split sentences (`segment`), find lexicon terms in each
sentence (`matcher`), weigh each sentence by the rules of LABELS.md (`rules`), decide the two
labels for the article, then read the event's fields from the sentences that decided them
(`fields`, `dates`).
"""

from __future__ import annotations

import logging
from collections import Counter
from collections.abc import Sequence
from dataclasses import replace
from datetime import date

from monitor.detect import fields
from monitor.detect.dates import published_from_lines
from monitor.detect.lexicon import Lexicon, load_lexicon
from monitor.detect.model import EventFields, Evidence, Finding
from monitor.detect.rules import (
    SENTENCE_FLOOR,
    THRESHOLD,
    Signals,
    Weighed,
    about_a_party,
    about_an_election,
    combine,
    framing,
    read_sentence,
    title_blocks,
    weigh,
)
from monitor.detect.segment import segment

log = logging.getLogger(__name__)

_MAX_EVIDENCE = 6
_EVIDENCE_GROUPS = frozenset(
    {
        "party",
        "alliance",
        "leader",
        "meeting",
        "meeting_weak",
        "prep",
        "prep_weak",
        "campaign",
        "online",
        "party_org",
    }
)


class Detector:
    """Flags party meetings and election preparation in Hindi and English news articles."""

    def __init__(self, lexicon: Lexicon | None = None) -> None:
        self.lexicon = lexicon if lexicon is not None else load_lexicon()

    def detect(
        self, title: str, text: str, *, lang: str | None = None, published: date | None = None
    ) -> Finding:
        """Detect one article. `published` (the outlet's local date) resolves weekdays and
        "today"; without it a "Published : …" line in the text is used if there is one."""
        parts = segment(title, text, self.lexicon.boilerplate)
        if published is None:
            published = published_from_lines(parts.date_lines)
        signals = [read_sentence(s, self.lexicon) for s in parts.sentences]
        party_article = about_a_party(signals)
        election_article = about_an_election(signals, published)
        weighed = [weigh(s, party_article, election_article) for s in signals]
        named_any = any(s.partisan for s in signals)

        meeting_score = combine([w.meeting for w in weighed]) if named_any else 0.0
        prep_score = combine([w.prep for w in weighed]) if named_any else 0.0
        meeting = (
            meeting_score >= THRESHOLD
            and max((w.meeting for w in weighed), default=0.0) >= SENTENCE_FLOOR
            and not title_blocks(weighed, "meeting")
        )
        prep = (
            prep_score >= THRESHOLD
            and max((w.prep for w in weighed), default=0.0) >= SENTENCE_FLOOR
            and not title_blocks(weighed, "election_prep")
        )
        if meeting and not prep and not title_blocks(weighed, "election_prep"):
            framed = framing(weighed, party_article, published)
            if framed is not None:
                prep, prep_score = True, max(prep_score, THRESHOLD)
                weighed = [
                    w if w is not framed else replace(w, prep=max(w.prep, THRESHOLD))
                    for w in weighed
                ]
        log.debug(
            "lang=%s meeting=%.2f prep=%.2f sentences=%d",
            lang,
            meeting_score,
            prep_score,
            len(signals),
        )

        meeting_triggers = [
            w.signals
            for w in weighed
            if (w.meeting > 0 or w.mentions_meeting) and not w.signals.background
        ]
        strong = [w.signals for w in weighed if w.meeting >= THRESHOLD and not w.signals.background]
        prep_triggers = [w.signals for w in weighed if w.prep > 0 and not w.signals.background]
        triggers = (meeting_triggers if meeting else []) + (prep_triggers if prep else [])
        parties = _ranked_parties(weighed, meeting, prep) or _mentioned(signals)
        event = (
            self._event(
                meeting_triggers, strong, prep_triggers, signals, parts.lead_lines, published
            )
            if meeting
            else None
        )
        if event is not None:
            event = replace(event, party=_holder(weighed, parties))
        score = max(meeting_score if meeting else 0.0, prep_score if prep else 0.0)
        if not (meeting or prep):
            score = max(meeting_score, prep_score) * THRESHOLD  # below any positive's score
        return Finding(
            meeting=meeting,
            election_prep=prep,
            score=round(min(score, 1.0), 4),
            parties=parties,
            people=_people(signals, triggers, parties, self.lexicon),
            event=event,
            evidence=_evidence(triggers),
            alliances=_alliances(triggers or signals),
            parties_mentioned=_mentioned(signals),
            published=published.isoformat() if published else None,
        )

    def _event(
        self,
        triggers: Sequence[Signals],
        strong: Sequence[Signals],
        prep_triggers: Sequence[Signals],
        signals: Sequence[Signals],
        lead_lines: Sequence[str],
        published: date | None,
    ) -> EventFields:
        ordered = _title_first(triggers)
        neighbours = _neighbours(ordered, signals)
        when = fields.when(ordered, neighbours, published, _lead(signals))
        return EventFields(
            date=when.date,
            time=when.time,
            status=when.status,
            mode=fields.mode(ordered, when.sentence),
            place=fields.place(
                ordered,
                _title_first(strong),
                when.sentence,
                fields.dateline(lead_lines, self.lexicon),
                self.lexicon,
            ),
            level=fields.level([*ordered, *neighbours]),
            election=fields.election(signals, [*ordered, *prep_triggers], published),
            venue=fields.venue(ordered, when.sentence),
        )


def _title_first(signals: Sequence[Signals]) -> list[Signals]:
    return sorted(signals, key=lambda s: (not s.sentence.in_title, s.sentence.index))


def _lead(signals: Sequence[Signals]) -> list[Signals]:
    """The first two sentences of the story's first paragraph."""
    body = [s for s in signals if not s.sentence.in_title]
    if not body:
        return []
    first = body[0].sentence.paragraph
    return [s for s in body if s.sentence.paragraph == first][:2]


def _neighbours(triggers: Sequence[Signals], signals: Sequence[Signals]) -> list[Signals]:
    """Sentences next to a triggering one in the same paragraph ("गुरुवार को पार्टी ने
    पदाधिकारियों को बैठाया. इस बैठक में …"), nearest first."""
    by_index = {s.sentence.index: s for s in signals}
    out: list[Signals] = []
    for t in triggers:
        for offset in (-1, 1):
            n = by_index.get(t.sentence.index + offset)
            if (
                n is not None
                and n.sentence.paragraph == t.sentence.paragraph
                and not n.background
                and n not in out
                and n not in triggers
            ):
                out.append(n)
    return out


def _ranked_parties(weighed: Sequence[Weighed], meeting: bool, prep: bool) -> tuple[str, ...]:
    """Parties of the triggering sentences, the most weighty first."""
    score: dict[str, float] = {}
    first: dict[str, int] = {}
    for w in weighed:
        weight = (w.meeting if meeting else 0.0) + (w.prep if prep else 0.0)
        if weight <= 0:
            continue
        for party in w.signals.parties:
            score[party] = score.get(party, 0.0) + weight
            first.setdefault(party, w.signals.sentence.index)
    return tuple(sorted(score, key=lambda p: (-score[p], first[p])))


def _holder(weighed: Sequence[Weighed], parties: Sequence[str]) -> str | None:
    """Whose meeting it is: an alliance when a meeting sentence names it just before the
    meeting word with no party in between ("INDIA bloc floor leaders meet", "एनडीए
    कार्यकर्ताओं की बैठक"), else the first of the meeting's parties."""
    for w in sorted(
        weighed, key=lambda w: (not w.signals.sentence.in_title, w.signals.sentence.index)
    ):
        if w.meeting <= 0:
            continue
        hits = w.signals.hits
        meeting = next((h for h in hits if h.group in ("meeting", "meeting_weak")), None)
        if meeting is None:
            continue
        before = [h for h in hits if h.end <= meeting.start and h.group in ("party", "alliance")]
        if before and before[-1].group == "alliance" and meeting.start - before[-1].end <= 60:
            return before[-1].key
        if before and before[-1].group == "party":
            # The first meeting sentence that names its holder decides: a later "talks within
            # the NDA" is what the party's meeting discussed, not whose meeting it was; and the
            # party named just before the meeting word holds it ("AGP-BJP meeting" is the AGP's).
            if meeting.start - before[-1].end <= 60 and before[-1].key in parties:
                return before[-1].key
            break
    return parties[0] if parties else None


def _mentioned(signals: Sequence[Signals]) -> tuple[str, ...]:
    count: Counter[str] = Counter()
    first: dict[str, int] = {}
    for s in signals:
        for party in s.parties:
            count[party] += 2 if s.sentence.in_title else 1
            first.setdefault(party, s.sentence.index)
    return tuple(sorted(count, key=lambda p: (-count[p], first[p])))


def _alliances(signals: Sequence[Signals]) -> tuple[str, ...]:
    seen: dict[str, None] = {}
    for s in signals:
        for a in s.alliances:
            seen.setdefault(a, None)
    return tuple(seen)


def _people(
    signals: Sequence[Signals],
    triggers: Sequence[Signals],
    parties: Sequence[str],
    lexicon: Lexicon,
) -> tuple[str, ...]:
    """Known leaders in the article, those in triggering sentences first; for a positive
    article only leaders of its parties (a rival attacked in passing is not a participant)."""
    wanted = set(parties)
    seen: dict[str, None] = {}
    for s in [*_title_first(triggers), *signals]:
        for name in s.leaders:
            if not triggers or lexicon.party_of(name) in wanted:
                seen.setdefault(name, None)
    return tuple(seen)


def _evidence(triggers: Sequence[Signals]) -> tuple[Evidence, ...]:
    out: dict[int, Evidence] = {}
    for s in _title_first(triggers):
        if s.sentence.index in out:
            continue
        out[s.sentence.index] = Evidence(s.sentence.text, s.terms(_EVIDENCE_GROUPS))
        if len(out) >= _MAX_EVIDENCE:
            break
    return tuple(out.values())

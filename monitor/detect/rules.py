"""The labelling rules of LABELS.md, applied sentence by sentence.

A sentence speaks for a party meeting when it has a meeting cue together with a party (or one of
its leaders, or party-organisation words in an article about a party), and no sign that the
meeting belongs to the government, the administration, the Election Commission, the police, the
courts or a non-party body. Election preparation works the same way with preparation cues, and
is also vetoed by results, counting and exit polls. Headlines weigh more than body sentences;
background sentences ("इससे पहले … बैठक हुई थी") weigh little, so they cannot make an article
positive on their own.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date

import regex

from monitor.detect.dates import Tense
from monitor.detect.lexicon import Lexicon
from monitor.detect.matcher import Hit
from monitor.detect.patterns import mission, seat_talk, target_year
from monitor.detect.segment import Sentence
from monitor.detect.tense import sentence_tense

# Vetoes that make a meeting somebody else's, and those that make preparation somebody else's
# (a rally or a press conference is not a party meeting, but can be election preparation).
MEETING_VETOES = frozenset(
    {
        "veto_government",
        "veto_election_body",
        "veto_police_court",
        "veto_body",
        "veto_event",
        "veto_crime",
        "veto_scheme",
        "veto_counterpart",
    }
)
PREP_VETOES = frozenset(
    {
        "veto_government",
        "veto_election_body",
        "veto_police_court",
        "veto_body",
        "veto_crime",
        "veto_scheme",
        "postpoll",
    }
)
# What makes a sentence speak of an election: the generic words and every kind of election.
ELECTION_GROUPS = frozenset(
    {
        "election_word",
        "election_lok_sabha",
        "election_vidhan_sabha",
        "election_municipal",
        "election_panchayat",
        "election_mlc",
        "election_rajya_sabha",
    }
)
# A party's own organisational poll (electing its president) and defections are not
# preparation for a public election, whatever election words they carry.
NOT_A_PUBLIC_ELECTION = frozenset({"internal_election", "defection"})
# Generic government words veto only sentences that name no party (see cues.yaml).
WEAK_VETO = "veto_weak"
THRESHOLD = 0.6
# At least one sentence must carry this much on its own: a live blog's passing "talks" and
# "gathering" lines do not add up to a party meeting.
SENTENCE_FLOOR = 0.5
_TITLE_BOOST = 1.25
_BACKGROUND_DAMPING = 0.2


@dataclass(frozen=True)
class Signals:
    """What one sentence says, before the article-level context is applied."""

    sentence: Sentence
    hits: tuple[Hit, ...]
    groups: frozenset[str]
    parties: tuple[str, ...]
    alliances: tuple[str, ...]
    leaders: tuple[str, ...]
    tense: Tense | None
    meeting_tense: Tense | None
    meeting_clause: tuple[int, int]

    @property
    def named(self) -> bool:
        """A party or alliance is named outright (not only through a leader)."""
        return bool(self.groups & {"party", "alliance"})

    @property
    def partisan(self) -> bool:
        return bool(self.parties or self.alliances)

    @property
    def background(self) -> bool:
        return "background" in self.groups

    @property
    def election_ref(self) -> bool:
        """The sentence speaks of a public election (not of the party's own poll)."""
        return bool(self.groups & ELECTION_GROUPS) and not (self.groups & NOT_A_PUBLIC_ELECTION)

    @property
    def coming_election(self) -> bool:
        """An election framed as ahead ("आगामी चुनाव", "ahead of the polls", "मिशन 2027"),
        not one that is over (results, a defeat)."""
        return (
            self.election_ref
            and bool(self.groups & {"election_frame", "prep", "campaign"})
            and not self.vetoed(PREP_VETOES)
        )

    def election_ahead(self, published: date | None) -> bool:
        """A coming election by its framing, or by its year ("2027 के विधानसभा चुनाव" in
        2025): a year before publication is a past election."""
        if self.coming_election:
            return True
        if published is None or not self.election_ref or self.vetoed(PREP_VETOES):
            return False
        years = [int(y) for y in _YEAR.findall(self.sentence.folded)]
        return bool(years) and all(y >= published.year for y in years)

    def vetoed(self, vetoes: frozenset[str]) -> bool:
        return bool(self.groups & vetoes) or (WEAK_VETO in self.groups and not self.named)

    def terms(self, groups: frozenset[str]) -> tuple[str, ...]:
        seen: dict[str, None] = {}
        for hit in self.hits:
            if hit.group in groups:
                seen.setdefault(hit.term, None)
        return tuple(seen)


@dataclass(frozen=True)
class Weighed:
    """A sentence's weight as evidence for each label. `mentions_meeting` marks a sentence about
    a meeting that does not say whose ("a meeting was held at Sohrai Bhawan"): not evidence on
    its own, but in an article about a party it describes the meeting's date and place."""

    signals: Signals
    meeting: float
    prep: float
    mentions_meeting: bool


def read_sentence(sentence: Sentence, lexicon: Lexicon) -> Signals:
    found = [
        *lexicon.find(sentence.folded, sentence.cased),
        *seat_talk(sentence.folded),
        *mission(sentence.folded),
        *target_year(sentence.folded),
    ]
    hits = tuple(sorted(found, key=lambda h: (h.start, -h.end)))
    parties: dict[str, None] = {}
    alliances: dict[str, None] = {}
    leaders: dict[str, None] = {}
    for hit in hits:
        if hit.group == "party":
            parties.setdefault(hit.key, None)
        elif hit.group == "alliance":
            alliances.setdefault(hit.key, None)
        elif hit.group == "leader":
            leaders.setdefault(hit.key, None)
            party = lexicon.party_of(hit.key)
            if party:
                parties.setdefault(party, None)
    tense = sentence_tense(sentence.folded)
    clause = _meeting_clause(sentence.folded, hits)
    return Signals(
        sentence=sentence,
        hits=hits,
        groups=frozenset(h.group for h in hits),
        parties=tuple(parties),
        alliances=tuple(alliances),
        leaders=tuple(leaders),
        tense=tense,
        meeting_tense=_clause_tense(sentence, clause, tense),
        meeting_clause=clause,
    )


_YEAR = regex.compile(r"(?<!\d)(20\d\d)(?!\d)")
_CLAUSE_BREAK = regex.compile(r"[:;,|]\s|\s[-–]\s")


def _meeting_clause(folded: str, hits: Sequence[Hit]) -> tuple[int, int]:
    """The span of the clause that mentions the meeting (the whole sentence if none does):
    headlines string independent clauses together ("जिला बैठक: 15 दिन में जमा करनी होगी
    सूची"), and so do long Hindi sentences."""
    first = next((h for h in hits if h.group in ("meeting", "meeting_weak")), None)
    if first is None:
        return 0, len(folded)
    start = 0
    for m in _CLAUSE_BREAK.finditer(folded):
        if m.start() >= first.start:
            return start, m.start()
        start = m.end()
    return start, len(folded)


def _clause_tense(sentence: Sentence, clause: tuple[int, int], tense: Tense | None) -> Tense | None:
    """The tense of the meeting's clause; a body sentence falls back to its own tense."""
    found = sentence_tense(sentence.folded[clause[0] : clause[1]])
    if found is None and not sentence.in_title:
        return tense
    return found


def about_a_party(signals: Sequence[Signals]) -> bool:
    """Whether the headline or the first paragraph names a party, an alliance or a leader: the
    article is about a party, so its organisation words ("पदाधिकारी", "workers") are the
    party's."""
    first_paragraph = min(
        (s.sentence.paragraph for s in signals if not s.sentence.in_title), default=-1
    )
    return any(
        s.partisan and (s.sentence.in_title or s.sentence.paragraph == first_paragraph)
        for s in signals
    )


def about_an_election(signals: Sequence[Signals], published: date | None = None) -> bool:
    """Whether the article speaks of a coming public election anywhere outside background:
    then its campaign work ("बूथों का गठन", "fields candidates in all seats") is done for it."""
    return any(s.election_ahead(published) and not s.background for s in signals)


def weigh(signals: Signals, party_article: bool, election_article: bool = False) -> Weighed:
    mentions = party_article and "meeting" in signals.groups and not signals.vetoed(MEETING_VETOES)
    return Weighed(
        signals,
        _meeting_weight(signals, party_article),
        _prep_weight(signals, party_article, election_article),
        mentions,
    )


def _meeting_weight(s: Signals, party_article: bool) -> float:
    strong, weak = "meeting" in s.groups, "meeting_weak" in s.groups
    if not (strong or weak) or s.vetoed(MEETING_VETOES):
        return 0.0
    org = "party_org" in s.groups
    if strong:
        if s.named:
            w = 0.8
        elif s.leaders:
            w = 0.65 if org else 0.5
        elif org and party_article:
            w = 0.6
        else:
            return 0.0
    elif s.partisan:
        w = 0.6 if org else 0.45
    else:
        return 0.0
    return _adjust(w, s)


def _prep_weight(s: Signals, party_article: bool, election_article: bool = False) -> float:
    if s.vetoed(PREP_VETOES) or s.groups & NOT_A_PUBLIC_ELECTION:
        return 0.0
    meeting = bool(s.groups & {"meeting", "meeting_weak"}) and not s.vetoed(MEETING_VETOES)
    if "prep" in s.groups:
        w = 0.7
    elif "campaign" in s.groups and s.election_ref:
        w = 0.7  # campaign work (yatras, booths, candidates, seats) for an election
    elif "campaign" in s.groups and election_article and (s.partisan or party_article):
        w = 0.45  # the same work, for the election the article speaks of elsewhere
    elif meeting and s.election_ref:
        # A party meeting about, in view of or ahead of an election prepares for it.
        w = 0.65 if "election_frame" in s.groups or s.sentence.in_title else 0.5
    elif "prep_weak" in s.groups and s.election_ref:
        w = 0.4  # a lone "plan to win the elections" is talk, not preparation
    else:
        return 0.0
    if s.partisan:
        w += 0.1
    elif not ("party_org" in s.groups or party_article):
        return 0.0
    if "party_org" in s.groups and "prep" not in s.groups:
        w += 0.1  # the organisation is being readied for the election
    return _adjust(w, s)


def _adjust(w: float, s: Signals) -> float:
    if s.sentence.in_title:
        w *= _TITLE_BOOST
    if s.background:
        w *= _BACKGROUND_DAMPING
    return min(w, 0.95)


def framing(
    weighed: Sequence[Weighed], party_article: bool, published: date | None = None
) -> Weighed | None:
    """In an article reporting a party meeting, the headline or lead sentence that frames it
    by a coming election ("with a year to go for the Assembly elections", "लोकसभा चुनाव को
    लेकर"): the meeting is the party's preparation for that election."""
    if not party_article:
        return None
    body = [w for w in weighed if not w.signals.sentence.in_title]
    first = body[0].signals.sentence.paragraph if body else -1
    for w in weighed:
        s = w.signals
        lead = s.sentence.in_title or s.sentence.paragraph == first
        if s.background or not (lead or w.meeting > 0 or w.mentions_meeting):
            continue
        if s.election_ahead(published) and (s.partisan or "party_org" in s.groups or w.meeting > 0):
            return w
    return None


def combine(weights: Sequence[float]) -> float:
    """Evidence from several sentences: the chance that at least one of them is right."""
    miss = 1.0
    for w in weights:
        miss *= 1.0 - w
    return 1.0 - miss


def title_blocks(weighed: Sequence[Weighed], label: str) -> bool:
    """A headline about something else (a cabinet meeting, an exit poll, a murder) overrules
    body sentences, unless the headline itself carries the label."""
    title = [w for w in weighed if w.signals.sentence.in_title]
    if not title:
        return False
    # A rally or press conference in the headline does not rule out a meeting in the body.
    vetoes = MEETING_VETOES - {"veto_event"} if label == "meeting" else PREP_VETOES
    vetoed = any(w.signals.vetoed(frozenset(vetoes)) for w in title)
    carries = any((w.meeting if label == "meeting" else w.prep) > 0 for w in title)
    return vetoed and not carries

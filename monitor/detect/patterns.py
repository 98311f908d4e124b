"""Seat talk, found by pattern rather than by word: "15 सीटों पर लड़ेगी", "stakes claim to
eight seats", "wants at least 8 seats". The number of seats varies, so a lexicon entry
cannot list them; each match is reported as a `prep` hit like a lexicon term: talk of
seats is electoral by nature."""

from __future__ import annotations

import regex

from monitor.detect.matcher import Entry, Hit

_NUMBER_EN = (
    r"(?:\d+|all|two|three|four|five|six|seven|eight|nine|ten|eleven|twelve|fifteen|twenty|"
    r"half|more|fewer|most)"
)
_SEATS_EN = rf"{_NUMBER_EN}(?:-plus|\s+or\s+more)?\s+(?:of\s+the\s+)?(?:\w+\s+){{0,2}}seats?"
_SEAT_TALK = (
    regex.compile(
        r"(?<!\w)(?:\d+|सभी|सारी|दोनों|आधी)\s*(?:से\s*(?:ज्यादा|अधिक)\s*)?(?:\S+\s*){0,2}?"
        r"सीट(?:ों|ें)?\s*(?:पर|की|का|को|में\s*से)?\s*(?:अपना\s*)?(?:चुनाव\s*)?"
        r"(?:लड|दावा|दावेदारी|मांग|चाहिए|चाहती|चाहता|देने|छोड|उतार)"
    ),
    regex.compile(
        r"(?<!\w)(?:मांग|चाह|दावा|दावेदारी)\S*\s+(?:\S+\s+){0,2}?(?:कम\s*से\s*कम\s*)?\d+\s*सीट"
    ),
    regex.compile(
        r"(?<!\w)सीटों\s*(?:के|का|की|पर|को\s*लेकर)\s*(?:(?:नहीं|बनी|हुई|हुआ|चल\s*रही)\s*)?"
        r"(?:बंटवार|तालमेल|बात|बातचीत|समझौत|अदला-बदली|फॉर्मूल|दावेदारी|खींचतान|सहमति|गणित)"
    ),
    regex.compile(
        rf"(?<!\w)(?:contest|contesting|claim|claims|claimed|claiming|demand|demands|demanded|"
        rf"demanding|wants|want|seek|seeks|sought|seeking|allot|allotted|offer|offered|give|"
        rf"given|leave|spare|get|gets|share|sharing|field|fielding|stake\w*\s+(?:a\s+)?claim\s+"
        rf"(?:to|on|for))\s+(?:at\s+least\s+|up\s+to\s+|only\s+)?{_SEATS_EN}(?!\w)"
    ),
    regex.compile(
        r"(?<!\w)(?:seat\s+talks|seat-share|seat\s+share|seat\s+adjustment|seat\s+arrangement|"
        r"division\s+of\s+seats|sharing\s+of\s+seats|seat\s+allocation|allocation\s+of\s+seats|"
        r"seat\s+distribution|swap\s+of\s+seats|seat\s+swap)(?!\w)"
    ),
)


# "Mission 2027", "मिशन 13-0", "Mission 26 Paar": a party's named target for a poll.
_MISSION = regex.compile(
    r"(?<!\w)(?:मिशन|mission)\s*[-'\"]?\s*(?:20\d\d|\d{1,3}\s*-\s*\d{1,3}|\d{1,3}\s*(?:पार|paar|plus|\+))"
)


def mission(folded: str) -> list[Hit]:
    """A named electoral target, as a `prep` hit."""
    if "मिशन" not in folded and "mission" not in folded:
        return []
    return [Hit(Entry("prep", "prep", m[0]), m.start(), m.end()) for m in _MISSION.finditer(folded)]


def seat_talk(folded: str) -> list[Hit]:
    """Seat-talk phrases in a folded sentence, as `prep` hits."""
    if "सीट" not in folded and "seat" not in folded:
        return []
    hits: list[Hit] = []
    for pattern in _SEAT_TALK:
        for m in pattern.finditer(folded):
            hits.append(Hit(Entry("prep", "prep", m[0]), m.start(), m.end()))
    return hits


# "ahead of 2027", "2027 की तैयारी", "2027 के लिए": a year named as a target is the election due
# that year, even when no election word is written. Only the year is the hit, so that the
# preparation words around it keep their own hits.
_TARGET_YEAR = (
    regex.compile(
        r"(?<!\w)(?:ahead of|before|for|by|towards|in view of|eye on)\s+(?:the\s+)?(20\d\d)(?!\d)"
    ),
    regex.compile(
        r"(?<!\d)(20\d\d)\s*(?:के\s*लिए|की\s*तैयारि?|को\s*लेकर|से\s*पहले|के\s*मद्देनजर|"
        r"की\s*जंग|की\s*लड़ाई|की\s*लडाई|का\s*रण|का\s*लक्ष्य)"
    ),
)


def target_year(folded: str) -> list[Hit]:
    """Years named as an electoral target, as `election_word` hits."""
    if "20" not in folded:
        return []
    hits: list[Hit] = []
    for pattern in _TARGET_YEAR:
        for m in pattern.finditer(folded):
            hits.append(Hit(Entry("election_word", "election_word", m[1]), m.start(1), m.end(1)))
    return hits

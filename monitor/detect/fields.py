"""Structured fields of a detected meeting: when, status, mode, where, level, which election.

All of them are read from the triggering sentences first (the title and the body sentences that
made the article a meeting), because an article often mentions other dates, places and meetings.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, timedelta

import regex

from monitor.detect.dates import DateMention, Tense, find_dates, find_time, resolve
from monitor.detect.lexicon import Lexicon
from monitor.detect.matcher import Hit
from monitor.detect.model import Level, Mode, Status
from monitor.detect.normalise import fold
from monitor.detect.rules import ELECTION_GROUPS, Signals

_LEVEL_ORDER: tuple[Level, ...] = ("state", "district", "block", "booth")
_ELECTIONS = {
    "election_lok_sabha": "Lok Sabha",
    "election_vidhan_sabha": "Vidhan Sabha",
    "election_municipal": "Municipal",
    "election_panchayat": "Panchayat",
    "election_mlc": "Legislative Council",
    "election_rajya_sabha": "Rajya Sabha",
}
# General elections fall every five years from 2019, in April-May.
_LOK_SABHA_FIRST = 2019
_LOK_SABHA_EVERY = 5
_YEAR = regex.compile(r"(?<!\d)(20[1-4]\d)(?!\d)")
_STREET = ("रोड", "मार्ग", "चौक", "road", "marg", "street", "chowk")
_LOCATIVE_AFTER = (
    "में",
    "स्थित",
    "headquarters",
    "office",
    "residence",
    "मुख्यालय",
    "कार्यालय",
)
_LOCATIVE_BEFORE = ("in", "at", "outside", "near")


@dataclass(frozen=True)
class When:
    date: str | None
    time: str | None
    status: Status | None
    sentence: Signals | None


def when(
    triggers: Sequence[Signals],
    neighbours: Sequence[Signals],
    published: date | None,
    lead: Sequence[Signals] = (),
) -> When:
    """Date, time and status of the meeting, from the first triggering sentence that dates it;
    failing that, from the story's lead sentence, which in news style carries the "when"
    ("… announced on Thursday") even when the meeting is described further down."""
    chosen = _dated(triggers) or _dated(neighbours)
    tense = _article_tense(triggers)
    time = _first_time(([chosen[0]] if chosen else []) + list(triggers))
    if chosen is None:
        from_lead = _lead_date(lead, published, tense)
        undated = _under_way(triggers) or _status(tense) or "held"
        if from_lead is None:
            return When(None, time, undated, None)
        return When(from_lead.isoformat(), time, undated, None)
    s, mention = chosen
    local = s.meeting_tense or tense
    # A calendar date without a year is resolved by its own sentence's tense, or else to the
    # nearest such date: the article's overall tense says little about a date's year.
    resolved = resolve(mention, published, s.meeting_tense if mention.kind == "absolute" else local)
    if resolved is not None and mention.kind != "absolute":
        resolved = _first_day(triggers, s, resolved)
    if resolved is None and mention.kind == "absolute":
        resolved = _with_year_from(mention, [*triggers, *neighbours, *lead])
    status: Status | None = _status(local)
    if resolved is not None and published is not None and resolved != published:
        status = "scheduled" if resolved > published else "held"
    elif resolved is not None and resolved == published:
        status = _same_day_status(s, triggers) or status
    # A report tells of a meeting that took place unless it marks one as still to come.
    status = status or "held"
    return When(resolved.isoformat() if resolved else None, time, status, s)


_UNDER_WAY = regex.compile(
    r"(?<!\w)(?:चल रही है|चल रहा है|जारी है|बैठक जारी|underway|under way|is on|is being held|"
    r"are meeting|is meeting)(?!\w)"
)
_LATER_TODAY = regex.compile(
    r"(?<!\w)(?:आज शाम|आज दोपहर|आज रात|this evening|tonight|later today|today at|due to start|"
    r"due to begin|meets today|meet today|\d{1,2}(?::\d\d)?\s*(?:am|pm|बजे))(?!\w)"
)


def _under_way(triggers: Sequence[Signals]) -> Status | None:
    """ "बैठक जारी", "meeting under way": a meeting going on as the report is written is held."""
    for s in triggers:
        if (s.sentence.in_title or s is triggers[0]) and _UNDER_WAY.search(s.sentence.folded):
            return "held"
    return None


def _same_day_status(dated: Signals, triggers: Sequence[Signals]) -> Status | None:
    """A meeting dated the day of publication: under way ("बैठक चल रही है") is held; one set
    for a later hour of the day ("meets today at 4 pm", "आज शाम") is scheduled."""
    for s in (dated, *[t for t in triggers if t.sentence.in_title]):
        text = s.sentence.folded
        if _UNDER_WAY.search(text):
            return "held"
        # A headline's present tense ("meets this evening") is no past: only a body
        # sentence's past ("met this evening") makes the hour one gone by.
        if _LATER_TODAY.search(text) and (s.meeting_tense != "past" or _present_headline(s)):
            return "scheduled"
    return None


_PRESENT = regex.compile(r"(?<!\w)(?:meets|holds|begins|starts|opens|convenes|sits)(?!\w)")


def _present_headline(s: Signals) -> bool:
    return s.sentence.in_title and bool(_PRESENT.search(s.sentence.folded))


def _with_year_from(mention: DateMention, sentences: Sequence[Signals]) -> date | None:
    """ "4 फरवरी" in the headline, with no publication date to give its year, is the
    "शनिवार, 04 फरवरी 2023" of the body: the same day and month written with a year."""
    for s in sentences:
        for other in find_dates(s.sentence.folded):
            if (
                other.kind == "absolute"
                and other.year is not None
                and (other.day, other.month) == (mention.day, mention.month)
            ):
                try:
                    return date(other.year, other.month, other.day)
                except ValueError:
                    return None
    return None


def _lead_date(lead: Sequence[Signals], published: date | None, tense: Tense | None) -> date | None:
    """The first date in the lead sentences that agrees with the meeting's tense: a meeting
    reported as held cannot fall after publication, nor a scheduled one before it (the lead
    of a training report may also announce next week's programme)."""
    if published is None or tense is None:
        return None
    for s in lead:
        if s.background:
            continue
        for mention in _mentions(s):
            day = resolve(mention, published, tense)
            if day is None:
                continue
            if (tense == "past" and day <= published) or (tense == "future" and day >= published):
                return day
    return None


_SPAN_DAYS = {"two": 2, "three": 3, "दो": 2, "तीन": 3, "2": 2, "3": 3}
_SPAN = regex.compile(
    r"(?<!\w)(two|three|दो|तीन|2|3)(?:[\s-]*(?:day|days|दिवसीय|दिनी|दिन|दिनों))(?!\w)"
)
_CLOSING = regex.compile(
    r"(?<!\w)(ended|concluded|wrapped up|wraps up|wound up|closed|समापन|संपन्न|समाप्त|"
    r"खत्म)(?!\w)"
)


def _first_day(triggers: Sequence[Signals], dated: Signals, day: date) -> date:
    """The first day of a meeting of several days dated by its close ("the two-day meeting
    ended on Thursday"): the event is the meeting, which began earlier."""
    if not _CLOSING.search(dated.sentence.folded):
        return day
    for s in (dated, *triggers):
        m = _SPAN.search(s.sentence.folded)
        if m:
            return day - timedelta(days=_SPAN_DAYS[m[1]] - 1)
    return day


def _dated(sentences: Sequence[Signals]) -> tuple[Signals, DateMention] | None:
    """The first sentence with a calendar date or weekday; failing that, the first with
    "today" or "कल" (often quoted speech rather than the meeting's day). In a headline only
    the meeting's own clause counts ("conference: tasks fixed for May 25-30")."""
    relative: tuple[Signals, DateMention] | None = None
    for s in sentences:
        mentions = _mentions(s)
        fixed = [m for m in mentions if m.kind != "relative"]
        if fixed:
            return s, _nearest_to_meeting(s, fixed)
        if mentions and relative is None:
            relative = (s, mentions[0])
            # "The party held several meetings here today": a held meeting dated "today" in
            # its own clause is the meeting's day, whatever later dates the article discusses.
            if _held_today(s, mentions[0]):
                return relative
    return relative


def _nearest_to_meeting(s: Signals, mentions: Sequence[DateMention]) -> DateMention:
    """Of several dates in one sentence, the one written closest to the meeting word: "will
    choose a president at a session on April 12, the party announced on Tuesday after a
    working committee meeting" dates the meeting Tuesday."""
    # A meeting noun names the meeting better than a verb: of "met on Wednesday and will sit
    # again on Thursday" only the first verb is the meeting reported.
    strong = [h for h in s.hits if h.group == "meeting"]
    weak = [h for h in s.hits if h.group == "meeting_weak"]
    words = strong or weak[:1]
    if len(mentions) > 1:
        # "four days of talks ending August 31", "9 जुलाई तक": the close of a span is not the
        # day the meeting is dated by, when the sentence gives another.
        starts = [m for m in mentions if not _closes_span(s.sentence.folded, m)]
        mentions = starts or mentions
    if not words or len(mentions) == 1:
        return mentions[0]
    return min(mentions, key=lambda m: min(abs(m.start - w.start) for w in words))


_SPAN_END_BEFORE = regex.compile(
    r"(?<!\w)(?:ending|till|until|through|to|up to|upto)\s+(?:on\s+)?$"
)
_RANGE = regex.compile(r"\d\s*(?:से|-|to|and|और|व|,)\s*\d")
_SPAN_END_AFTER = regex.compile(r"^\S*\s*(?:तक)(?!\w)")


def _closes_span(folded: str, mention: DateMention) -> bool:
    if _RANGE.search(folded[mention.start : mention.end]):
        return False  # "7 से 9 जुलाई तक" is the whole span, dated by its first day
    before = folded[max(0, mention.start - 12) : mention.start]
    after = folded[mention.end :]
    return bool(_SPAN_END_BEFORE.search(before) or _SPAN_END_AFTER.match(after.lstrip()))


def _held_today(s: Signals, mention: DateMention) -> bool:
    return (
        mention.offset == 0
        and s.meeting_tense == "past"
        and bool(s.groups & {"meeting", "meeting_weak"})
    )


def _mentions(s: Signals) -> list[DateMention]:
    folded = s.sentence.folded
    # The date in a dateline ("Kolkata, 1 August (HS):") is the publication date.
    head = _DATELINE.match(folded)
    skip_before = head.end() if head and s.sentence.paragraph <= 1 else 0
    lo, hi = s.meeting_clause if s.sentence.in_title else (0, len(folded))
    found = [
        m
        for m in find_dates(folded)
        if m.start >= skip_before and lo <= m.start < hi and not _election_date(s, m)
    ]
    # "सोमवार को हुई बैठक में तय हुआ कि 10 जुलाई को धरना होगा": what follows "कि"/"that"
    # after the meeting word is what the meeting decided, dated by its own dates.
    decided = _decision(s)
    if decided is not None:
        own = [m for m in found if m.start < decided]
        if own:
            return own
    return found


def _election_date(s: Signals, mention: DateMention) -> bool:
    """A date that belongs to the election ("10 फरवरी से शुरू हो रहे विधानसभा चुनाव",
    "polls on March 27"), not to the meeting: an election word just after it, or just
    before it, with no meeting word in between."""
    if mention.kind != "absolute":
        return False
    for hit in s.hits:
        if hit.group not in ELECTION_GROUPS:
            continue
        after = 0 <= hit.start - mention.start <= 32
        before = 0 <= mention.start - hit.end <= 12
        if not (after or before):
            continue
        lo, hi = sorted((mention.start, hit.start))
        if not any(h.group in ("meeting", "meeting_weak") and lo <= h.start <= hi for h in s.hits):
            return True
    return False


_THAT = regex.compile(r"(?<!\w)(?:कि|that)(?!\w)")


def _decision(s: Signals) -> int | None:
    meeting = next((h for h in s.hits if h.group in ("meeting", "meeting_weak")), None)
    if meeting is None:
        return None
    m = _THAT.search(s.sentence.folded, meeting.end)
    return m.start() if m else None


def _article_tense(triggers: Sequence[Signals]) -> Tense | None:
    """The tense of the first triggering sentence (headline first) that shows one: the
    headline and the lead report the meeting itself, later sentences its background."""
    return next((s.meeting_tense for s in triggers if s.meeting_tense is not None), None)


def _status(tense: Tense | None) -> Status | None:
    if tense is None:
        return None
    return "scheduled" if tense == "future" else "held"


def _first_time(sentences: Sequence[Signals]) -> str | None:
    for s in sentences:
        found = find_time(s.sentence.folded)
        if found:
            return found
    return None


def mode(triggers: Sequence[Signals], dated: Signals | None) -> Mode:
    """Online when the dated sentence, or most triggering sentences, describe an online
    meeting; in person otherwise (the usual case, rarely stated)."""
    if dated is not None:
        if "online" in dated.groups:
            return "online"
        if dated.groups & {"meeting", "meeting_weak"}:
            return "in_person"
    online = sum(1 for s in triggers if "online" in s.groups)
    return "online" if triggers and online * 2 >= len(triggers) else "in_person"


def place(
    triggers: Sequence[Signals],
    strong: Sequence[Signals],
    dated: Signals | None,
    dateline: str | None,
    lexicon: Lexicon,
) -> str | None:
    """The meeting's town, in this order: a town the main sentences put the meeting in
    ("रांची में", "in Ranchi"), the dateline, a town the other triggering sentences put it in,
    any town they name, any state they name."""
    main = _unique([dated, *strong])
    rest = [s for s in triggers if s not in main]
    located_main: list[str] = []
    located_rest: list[str] = []
    named: list[str] = []
    for group, located in ((main, located_main), (rest, located_rest)):
        for s in group:
            for hit in s.hits:
                if hit.group != "place" or _is_street(s.sentence.folded, hit):
                    continue
                if hit.key not in lexicon.states and _locative(s.sentence.folded, hit):
                    located.append(hit.key)
                named.append(hit.key)
    towns = [p for p in named if p not in lexicon.states]
    for options in (located_main, [dateline] if dateline else [], located_rest, towns, named):
        if options:
            return options[0]
    return None


def _unique(items: Sequence[Signals | None]) -> list[Signals]:
    out: list[Signals] = []
    for s in items:
        if s is not None and all(s is not o for o in out):
            out.append(s)
    return out


def _next_word(text: str, end: int) -> str:
    rest = text[end:].lstrip(" ,")
    return rest.split(" ", 1)[0].strip(".,:;।") if rest else ""


def _prev_word(text: str, start: int) -> str:
    head = text[:start].rstrip()
    return head.rsplit(" ", 1)[-1] if head else ""


def _is_street(text: str, hit: Hit) -> bool:
    return _next_word(text, hit.end) in _STREET


def _locative(text: str, hit: Hit) -> bool:
    return _next_word(text, hit.end) in _LOCATIVE_AFTER or (
        _prev_word(text, hit.start) in _LOCATIVE_BEFORE
    )


_DATELINE = regex.compile(
    r"^\s*([^\s:।|,.(\[]+(?:\s[^\s:।|,.(\[]+){0,2})\s*(?:\(([^)]{1,40})\))?"
    r"(?:\s*\[[^\]]{1,20}\])?\s*"
    r"(?:,[^:।|\n]{0,40}?)?\s*(?:[:।|.]|\s[-–—]{1,2}\s|\s\((?:PTI|IANS|ANI|UNI|HS)\))"
)


def dateline(lead_lines: Sequence[str], lexicon: Lexicon) -> str | None:
    """The town at the head of the story ("रांची :", "Ranchi, Aug 30:"), looked for on its
    first lines because kickers and bylines may come first."""
    for i, line in enumerate(lead_lines):
        found = _dateline(line, lexicon, allow_unlisted=i == 0)
        if found:
            return found
    return None


def _dateline(lead: str, lexicon: Lexicon, *, allow_unlisted: bool) -> str | None:
    m = _DATELINE.match(lead)
    if not m:
        return None
    for part in (m[1], m[2]):
        if not part:
            continue
        folded = fold(part)
        for hit in lexicon.find(folded, fold(part, casefold=False)):
            if hit.group in ("place", "place_dateline") and hit.start == 0:
                return hit.key
    word = str(m[1]).strip()
    # An unlisted town in a Latin dateline ("Khour:") is still the best guess at the place.
    if allow_unlisted and word.isascii() and word[:1].isupper() and word.replace(" ", "").isalpha():
        return word.title()
    return None


def level(triggers: Sequence[Signals]) -> Level | None:
    """The organisational level of the meeting: the highest level named in the first
    triggering sentence that names one; district presidents attending make it a state meeting."""
    for s in triggers:
        named = [lv for lv in _LEVEL_ORDER if f"level_{lv}" in s.groups]
        if named:
            return named[0]
    for s in triggers:
        terms = " ".join(s.terms(frozenset({"party_org"})))
        if "जिलाध्यक्ष" in terms or "जिला अध्यक्ष" in terms or "district president" in terms:
            return "state"
        if "प्रखंड अध्यक्ष" in terms or "block presidents" in terms:
            return "district"
    return None


def election(
    signals: Sequence[Signals], triggers: Sequence[Signals], published: date | None
) -> str | None:
    """Which election the preparation is for: the kind most mentioned (triggering sentences
    count double) and the year written next to it, or the next general election for Lok
    Sabha."""
    kinds: Counter[str] = Counter()
    years: Counter[int] = Counter()
    trigger_ids = {id(s) for s in triggers}
    for s in signals:
        weight = 2 if id(s) in trigger_ids else 1
        for hit in s.hits:
            if hit.group in _ELECTIONS:
                kinds[_ELECTIONS[hit.group]] += weight
            if hit.group in _ELECTIONS or (hit.group == "prep" and _YEAR.search(hit.term)):
                for m in _YEAR.finditer(s.sentence.folded):
                    if abs(m.start() - hit.start) <= 30 or abs(m.start() - hit.end) <= 30:
                        years[int(m[1])] += weight
    year = _pick_year(years, published)
    if not kinds:
        return f"Lok Sabha {year}" if year is not None and _general_election_year(year) else None
    kind = kinds.most_common(1)[0][0]
    if year is None and kind == "Lok Sabha" and published is not None:
        year = next_general_election(published)
    return f"{kind} {year}" if year else kind


def _general_election_year(year: int) -> bool:
    return year >= _LOK_SABHA_FIRST and (year - _LOK_SABHA_FIRST) % _LOK_SABHA_EVERY == 0


def next_general_election(published: date) -> int:
    """The year of the next Lok Sabha election as of `published` (this year's until May):
    computed, not looked up in a table, so that any date has an answer."""
    year = published.year if published.month <= 5 else published.year + 1
    if year <= _LOK_SABHA_FIRST:
        return _LOK_SABHA_FIRST
    return year + (-(year - _LOK_SABHA_FIRST)) % _LOK_SABHA_EVERY


def _pick_year(years: Counter[int], published: date | None) -> int | None:
    upcoming = [(n, -y) for y, n in years.items() if published is None or y >= published.year]
    if not upcoming:
        return None
    return -max(upcoming)[1]


_VENUE_HI = regex.compile(
    r"((?:[^\s,।.]+\s){0,3}(?:भवन|सभागार|रिसोर्ट|होटल|कार्यालय|मुख्यालय|परिसदन|आवास|"
    r"विश्रामागार|सामुदायिक भवन|वाटिका))\s(?:में|पर)(?!\w)"
)
_VENUE_EN = regex.compile(
    r"(?:at|in)\s+((?:the\s+)?(?:[A-Z][\w'.-]*\s+){0,4}(?:Bhawan|Bhavan|Hall|office|"
    r"headquarters|residence|Resort|Hotel|Marg|auditorium|Sabhagar))\b"
)


def venue(triggers: Sequence[Signals], dated: Signals | None) -> str | None:
    """The building the meeting is in, as printed ("सोहराई भवन", "Camac Street office")."""
    ordered = ([dated] if dated is not None else []) + [s for s in triggers if s is not dated]
    for s in ordered:
        text = s.sentence.text
        m = _VENUE_HI.search(text) or _VENUE_EN.search(text)
        if m:
            return _trim_venue(str(m[1]))
    return None


# Words that can precede a venue without being part of its name.
_VENUE_STOP = frozenset(
    (
        "यह",
        "इस",
        "उस",
        "बैठक",
        "की",
        "के",
        "का",
        "में",
        "पर",
        "से",
        "को",
        "ने",
        "और",
        "स्थित",
        "the",
        "a",
        "his",
        "her",
        "their",
        "party's",
        "its",
    )
)


def _trim_venue(found: str) -> str:
    words = found.split()
    while len(words) > 1 and words[0].casefold() in _VENUE_STOP:
        words = words[1:]
    return " ".join(words)

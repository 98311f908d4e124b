"""Dates and times of a meeting, resolved against the article's publication date.

Candidates are found with regular expressions on folded text (TECH-NOTES §3a: dateparser's
`search_dates` splits Hindi dates wrongly), and only the extracted strings go to dateparser.
A bare weekday resolves to the nearest such day in the sentence's tense; "कल" means tomorrow in
the future tense and yesterday in the past.
"""

from __future__ import annotations

import logging
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from functools import lru_cache
from typing import Literal

import regex

from crawler import calendar_text
from monitor.detect.normalise import fold

log = logging.getLogger(__name__)

Tense = Literal["future", "past"]

# Keys that folding cannot produce (nukta, nasal consonants) are simply never looked up.
MONTHS: dict[str, int] = dict(calendar_text.MONTHS)
WEEKDAYS: dict[str, int] = {
    "सोमवार": 0,
    "मंगलवार": 1,
    "बुधवार": 2,
    "गुरुवार": 3,
    "बृहस्पतिवार": 3,
    "वीरवार": 3,
    "गुरूवार": 3,
    "शुक्रवार": 4,
    "शनिवार": 5,
    "रविवार": 6,
    "monday": 0,
    "tuesday": 1,
    "wednesday": 2,
    "thursday": 3,
    "friday": 4,
    "saturday": 5,
    "sunday": 6,
}
# Offsets in days; None means "depends on tense" (कल, परसों are both ways in Hindi).
RELATIVE: dict[str, int | None] = {
    "आज": 0,
    "today": 0,
    "tonight": 0,
    "आज रात": 0,
    "आज शाम": 0,
    "this evening": 0,
    "this morning": 0,
    "this afternoon": 0,
    "later today": 0,
    "आज सुबह": 0,
    "आज दोपहर": 0,
    "कल": None,
    "परसों": None,
    "tomorrow": 1,
    "yesterday": -1,
    "day before yesterday": -2,
    "last night": -1,
    "earlier today": 0,
    "गत दिवस": -1,
    "बीते दिन": -1,
    "बीती रात": -1,
    "बीती शाम": -1,
    "गत रात्रि": -1,
}
# Words before a weekday that say which way it points: "बीते रविवार", "last Sunday" are
# behind the report, "आगामी रविवार", "next Sunday" ahead of it, whatever the verb's tense.
_WEEKDAY_LEAN: dict[str, Tense] = {
    "बीते": "past",
    "बीती": "past",
    "पिछले": "past",
    "गत": "past",
    "last": "past",
    "past": "past",
    "आगामी": "future",
    "अगले": "future",
    "आने वाले": "future",
    "next": "future",
    "coming": "future",
}

_MONTH_ALT = "|".join(sorted(MONTHS, key=len, reverse=True))
_ORD = r"(?:st|nd|rd|th)?"
_DAY_MONTH = regex.compile(
    rf"(?<![\w.:])(\d{{1,2}}){_ORD}(?:\s*(?:,|और|व|एवं|and|to|से|-)\s*\d{{1,2}}{_ORD})*"
    rf"\s*(?:of\s+)?({_MONTH_ALT})(?!\w)\.?(?:,?\s*(\d{{4}}))?"
)
_MONTH_DAY = regex.compile(
    rf"(?<!\w)({_MONTH_ALT})\.?\s+(\d{{1,2}}){_ORD}(?![\d:])(?:,?\s*(\d{{4}}))?"
)
_ISO = regex.compile(r"(?<!\d)(20\d\d)-(\d\d)-(\d\d)(?!\d)")
_WEEKDAY = regex.compile(rf"(?<!\w)({'|'.join(WEEKDAYS)})(?!\w)")
_RELATIVE = regex.compile(rf"(?<!\w)({'|'.join(sorted(RELATIVE, key=len, reverse=True))})(?!\w)")

_HI_HOURS = {
    "एक": 1,
    "दो": 2,
    "तीन": 3,
    "चार": 4,
    "पांच": 5,
    "छह": 6,
    "छः": 6,
    "सात": 7,
    "आठ": 8,
    "नौ": 9,
    "दस": 10,
    "ग्यारह": 11,
    "बारह": 12,
}
_HI_TIME = regex.compile(
    r"(?:(सुबह|प्रातः|पूर्वाह्न|दोपहर(?:\s*बाद)?|अपराह्न|शाम|रात)\s+)?"
    r"(?:(साढे|सवा|पौने)\s+)?(\d{1,2}|ढाई|डेढ|" + "|".join(_HI_HOURS) + r")"
    r"(?:[:.](\d\d))?\s*बजे"
)
_EN_TIME = regex.compile(r"(?<![\w.])(\d{1,2})(?:[:.](\d\d))?\s*([ap])\.?\s?m(?:\.|(?!\w))")


@dataclass(frozen=True)
class DateMention:
    """A date expression in a sentence: absolute (day, month, maybe year), a weekday, or a
    relative word."""

    kind: Literal["absolute", "weekday", "relative"]
    start: int
    day: int = 0
    month: int = 0
    year: int | None = None
    weekday: int = 0
    offset: int | None = 0
    text: str = ""
    lean: Tense | None = None
    end: int = 0


def find_dates(folded: str) -> list[DateMention]:
    """Date expressions in a folded sentence, absolute ones first, each group in text order."""
    found: list[DateMention] = []
    taken: list[tuple[int, int]] = []
    for m in _ISO.finditer(folded):
        found.append(
            DateMention(
                "absolute", m.start(), int(m[3]), int(m[2]), int(m[1]), text=m[0], end=m.end()
            )
        )
        taken.append(m.span())
    for pattern, day_group, month_group in ((_DAY_MONTH, 1, 2), (_MONTH_DAY, 2, 1)):
        for m in pattern.finditer(folded):
            if any(a <= m.start() < b for a, b in taken):
                continue
            day = int(m[day_group])
            if 1 <= day <= 31:
                found.append(
                    DateMention(
                        "absolute",
                        m.start(),
                        day,
                        MONTHS[m[month_group]],
                        int(m[3]) if m[3] else None,
                        text=f"{day} {m[month_group]}",
                        end=m.end(),
                    )
                )
                taken.append(m.span())
    absolute = sorted(found, key=lambda d: d.start)
    weekdays = [
        DateMention(
            "weekday",
            m.start(),
            weekday=WEEKDAYS[m[1]],
            text=m[1],
            lean=_lean(folded, m.start()),
            end=m.end(),
        )
        for m in _WEEKDAY.finditer(folded)
    ]
    relative = [
        DateMention("relative", m.start(), offset=RELATIVE[m[1]], text=m[1], end=m.end())
        for m in _RELATIVE.finditer(folded)
    ]
    return absolute + weekdays + relative


_LEAN = regex.compile(
    rf"(?<!\w)({'|'.join(sorted(_WEEKDAY_LEAN, key=len, reverse=True))})\s+(?:this\s+)?$"
)


def _lean(folded: str, start: int) -> Tense | None:
    m = _LEAN.search(folded[max(0, start - 16) : start])
    return _WEEKDAY_LEAN[m[1]] if m else None


# Days back within which a past tense decides the year of a date given without one.
_TENSE_REACH = 183


def resolve(mention: DateMention, published: date | None, tense: Tense | None) -> date | None:
    """The calendar date a mention refers to, or None when the text does not pin it down."""
    if mention.kind == "absolute":
        return _resolve_absolute(mention, published, tense)
    if published is None:
        return None
    if mention.kind == "weekday":
        tense = mention.lean or tense
        delta = (mention.weekday - published.weekday()) % 7
        if tense == "past":
            return published - timedelta(days=(published.weekday() - mention.weekday) % 7)
        if tense == "future":
            return published + timedelta(days=delta)
        return None
    if mention.offset is not None:
        return published + timedelta(days=mention.offset)
    if tense is None:
        return None
    step = 2 if mention.text == "परसों" else 1
    return published + timedelta(days=step if tense == "future" else -step)


def _resolve_absolute(m: DateMention, published: date | None, tense: Tense | None) -> date | None:
    if m.year is not None:
        return _calendar(m.day, m.month, m.year, m.text)
    if published is None:
        return None
    candidates = [
        d
        for y in (published.year - 1, published.year, published.year + 1)
        if (d := _calendar(m.day, m.month, y, m.text)) is not None
    ]
    if not candidates:
        return None
    nearest = min(candidates, key=lambda d: abs((d - published).days))
    if tense == "future":
        ahead = [d for d in candidates if d >= published - timedelta(days=1)]
        return min(ahead) if ahead else None
    # A past tense picks last year's date only within half a year: a sentence that "discussed
    # the programme of 8-10 February", published on 3 February, is about next week.
    if tense == "past":
        behind = [d for d in candidates if d <= published + timedelta(days=1)]
        return max(behind) if behind and (published - max(behind)).days <= _TENSE_REACH else nearest
    return nearest


def _calendar(day: int, month: int, year: int, text: str) -> date | None:
    """The date of an extracted day, month and year; None for "31 June" and the like.

    The regexes already read the month from the lexicon's table, so no parser is needed here
    (dateparser cost ~18 ms a call, most of the detector's time).
    """
    try:
        return date(year, month, day)
    except ValueError:
        log.debug("not a calendar date: %d-%d-%d (%s)", year, month, day, text)
        return None


def find_time(folded: str) -> str | None:
    """The first clock time in a folded sentence as "HH:MM" ("दोपहर 2 बजे" → "14:00")."""
    m = _HI_TIME.search(folded)
    if m:
        return _hindi_time(m[1], m[2], m[3], m[4])
    m = _EN_TIME.search(folded)
    if m:
        hour, minute = int(m[1]), int(m[2] or 0)
        if not (1 <= hour <= 12 and minute < 60):
            return None
        hour = hour % 12 + (12 if m[3] == "p" else 0)
        return f"{hour:02d}:{minute:02d}"
    return None


def _hindi_time(
    period: str | None, fraction: str | None, hour_word: str, minutes: str | None
) -> str | None:
    minute = int(minutes) if minutes else 0
    if hour_word == "ढाई":
        hour, minute = 2, 30
    elif hour_word == "डेढ":
        hour, minute = 1, 30
    else:
        hour = int(hour_word) if hour_word.isdigit() else _HI_HOURS[hour_word]
    if fraction == "साढे":
        minute = 30
    elif fraction == "सवा":
        minute = 15
    elif fraction == "पौने":
        hour, minute = hour - 1, 45
    if not (0 <= hour <= 12 and minute < 60):
        return None
    period = (period or "").split()[0] if period else ""
    if period in ("दोपहर", "अपराह्न", "शाम"):
        hour = hour if hour == 12 else hour + 12
    elif period == "रात":
        hour = 0 if hour == 12 else (hour + 12 if hour >= 6 else hour)
    elif not period and 1 <= hour <= 7:
        hour += 12  # party meetings are not called for 1-7 in the morning
    return f"{hour % 24:02d}:{minute:02d}"


# --- publication date printed in the text ------------------------------------------------------

_LABEL = regex.compile(r"^[^\d]*?(?:[:|–-]\s*|\s(?=\d))")
_TZ = regex.compile(r"(?<!\w)ist(?!\w)", regex.IGNORECASE)
_YEAR = regex.compile(r"(?<!\d)(19|20)\d\d(?!\d)")


def published_from_lines(lines: Iterable[str]) -> date | None:
    """The first date with a year in "Published : Nov 20, 2023, 10:02 PM IST"-style lines."""
    for line in lines:
        parsed = parse_date_line(line)
        if parsed is not None:
            return parsed
    return None


def parse_date_line(line: str) -> date | None:
    folded = fold(line)
    if not _YEAR.search(folded):
        return None
    iso = _ISO.search(folded)
    if iso:
        return _calendar(int(iso[3]), int(iso[2]), int(iso[1]), f"{iso[3]} {iso[2]}")
    mentions = [m for m in find_dates(folded) if m.kind == "absolute" and m.year is not None]
    if mentions:
        return resolve(mentions[0], None, None)
    # dateparser cannot read past a label and reads IST as Israel time (TECH-NOTES §3a).
    value = _LABEL.sub("", folded, count=1) if not folded[:1].isdigit() else folded
    return _dateparser_date(_TZ.sub("+05:30", value).strip(" :|-"))


@lru_cache(maxsize=1024)
def _dateparser_date(value: str) -> date | None:
    import dateparser

    parsed: datetime | None = dateparser.parse(
        value,
        languages=["hi", "en"],
        settings={
            "TIMEZONE": "Asia/Kolkata",
            "DATE_ORDER": "DMY",
            "REQUIRE_PARTS": ["day", "month", "year"],
        },
    )
    return parsed.date() if parsed is not None else None

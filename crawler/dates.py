"""Publication dates: validate what metadata gives, and read Hindi/English date lines otherwise.

htmldate knows neither Hindi month names nor Devanagari digits; on "प्रकाशित: 21 नवंबर 2023" it
recognises only the year and pads it to YYYY-01-01. Such results are treated as suspect and the
visible "Published :" / "प्रकाशित" / "अपडेटेड" lines are parsed with dateparser instead.
"""

from __future__ import annotations

import re
from datetime import datetime

from crawler.calendar_text import DEVANAGARI_DIGITS, month_alternation

_MONTHS = month_alternation()
# "20 Nov 2023", "Nov 20, 2023", "२१ नवंबर २०२३", "21/11/2023", optionally followed by a time.
_DATE = (
    rf"(?:\d{{1,2}}\s+(?:{_MONTHS})\.?,?\s+\d{{4}}"
    rf"|(?:{_MONTHS})\.?\s+\d{{1,2}},?\s+\d{{4}}"
    r"|\d{1,2}[/.-]\d{1,2}[/.-]\d{4}|\d{4}-\d{2}-\d{2})"
)
_TIME = (
    r"(?:,?\s*(?:at\s+)?\d{1,2}[:.]\d{2}(?:[:.]\d{2})?\s*(?:[ap]\.?m\.?)?"
    r"(?:\s*(?:IST|GMT|UTC))?)?"
)
_LABEL = (
    r"(?:published(?:\s+on)?|posted(?:\s+on)?|publish\s+date|date|updated(?:\s+on)?|"
    r"last\s+updated|प्रकाशित(?:\s+तिथि)?|प्रकाशन\s+तिथि|अपडेटेड|अपडेट|पब्लिश्ड)"
)
_LABELLED = re.compile(
    rf"(?P<label>{_LABEL})\s*(?:[:：|-]|on)?\s*(?:[^\d\n]{{0,20}}?)(?P<date>{_DATE}{_TIME})",
    re.IGNORECASE,
)
_BARE = re.compile(rf"(?P<date>{_DATE}{_TIME})", re.IGNORECASE)
_UPDATED = re.compile(r"updated|अपडेट", re.IGNORECASE)


def is_suspect(iso_date: str) -> bool:
    """A date on 1 January is what htmldate produces when it recognised only a year."""
    return iso_date[5:10] == "01-01"


def normalise_iso(value: str) -> str | None:
    """Return `value` as ISO 8601 if it is a date or timestamp ISO parsing understands."""
    text = value.strip().translate(DEVANAGARI_DIGITS)
    if text.endswith("Z"):
        text = text[:-1] + "+00:00"
    try:
        parsed = datetime.fromisoformat(text)
    except ValueError:
        return None
    if len(text) <= 10:
        return parsed.date().isoformat()
    return parsed.isoformat()


def find_date_in_text(text: str) -> str | None:
    """Find the publication date in visible text; labelled "Published" lines win over others."""
    candidates: list[tuple[int, str]] = []
    for match in _LABELLED.finditer(text):
        rank = 1 if _UPDATED.search(match.group("label")) else 0
        candidates.append((rank, match.group("date")))
    if not candidates:
        candidates = [(2, match.group("date")) for match in _BARE.finditer(text)][:3]
    # Stable sort keeps document order within a rank: the first "Published" line is the one.
    for _, raw in sorted(candidates, key=lambda item: item[0]):
        parsed = parse_date(raw)
        if parsed is not None:
            return parsed
    return None


def parse_date(raw: str) -> str | None:
    """Parse one Hindi or English date string; IST is India (+05:30), not Israel."""
    import dateparser  # imported lazily: only pages without usable metadata need it

    text = raw.translate(DEVANAGARI_DIGITS)
    has_time = re.search(r"\d{1,2}:\d{2}", text) is not None
    text = re.sub(r"\bIST\b", "+05:30", text)
    settings = {
        "TIMEZONE": "Asia/Kolkata",
        "RETURN_AS_TIMEZONE_AWARE": True,
        "DATE_ORDER": "DMY",
        "PREFER_DATES_FROM": "past",
        "REQUIRE_PARTS": ["day", "month", "year"],
    }
    parsed = dateparser.parse(text, languages=["hi", "en"], settings=settings)
    if parsed is None:
        return None
    if not has_time:
        return parsed.date().isoformat()
    return parsed.isoformat()

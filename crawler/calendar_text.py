"""How Indian news pages write dates: India's time zone, month names in Hindi and English, and
Devanagari digits. One table for the crawler, the detector and event grouping alike (the
crawler owns it because `crawler/` never imports `monitor/`)."""

from __future__ import annotations

from typing import Final
from zoneinfo import ZoneInfo

# "IST" on an Indian page is India Standard Time (+05:30), never Israel.
IST: Final = ZoneInfo("Asia/Kolkata")

DEVANAGARI_DIGITS: Final = str.maketrans("०१२३४५६७८९", "0123456789")

# Every spelling the outlets use, lower case; Hindi with and without nukta and with
# anusvara or the nasal consonant.
MONTH_NAMES: Final[dict[int, tuple[str, ...]]] = {
    1: ("january", "jan", "जनवरी"),
    2: ("february", "feb", "फरवरी", "फ़रवरी"),
    3: ("march", "mar", "मार्च"),
    4: ("april", "apr", "अप्रैल", "अप्रेल"),
    5: ("may", "मई"),
    6: ("june", "jun", "जून"),
    7: ("july", "jul", "जुलाई"),
    8: ("august", "aug", "अगस्त"),
    9: ("september", "sept", "sep", "सितंबर", "सितम्बर"),
    10: ("october", "oct", "अक्टूबर", "अक्तूबर", "अक्तुबर"),
    11: ("november", "nov", "नवंबर", "नवम्बर"),
    12: ("december", "dec", "दिसंबर", "दिसम्बर"),
}
MONTHS: Final[dict[str, int]] = {
    name: number for number, names in MONTH_NAMES.items() for name in names
}


def month_alternation() -> str:
    """A regular-expression alternation of every month name, longest first (so "june" is not
    read as "jun" followed by "e")."""
    import re

    return "|".join(sorted(map(re.escape, MONTHS), key=len, reverse=True))

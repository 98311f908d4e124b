"""Whether a sentence reports something that happened or something that will happen.

Hindi marks the future on the verb (करेंगे, होगी, जुड़ेंगे: a vowel sign, then ग + ा/ी/े), and the
past with perfective and auxiliary forms at the end of the clause (की, हुई, था). Reported speech
("… ने कहा कि पार्टी जीतेगी") takes the tense of the main clause, before "कि". English uses
auxiliaries and a few verbs.
"""

from __future__ import annotations

import regex

from monitor.detect.dates import Tense

_VOWEL_SIGNS = frozenset(chr(c) for c in range(0x093E, 0x094D)) | {"\u0902"}
# Nouns and adjectives that look like future verbs.
_NOT_FUTURE = ("योगी", "रोगी", "भोगी")


def _words(text: str) -> list[str]:
    return text.split()


_HI_FUTURE_PHRASES = (
    "होनी है",
    "होना है",
    "होने हैं",
    "प्रस्तावित",
    "तय की गई है",
    "तय किया गया है",
    "तय की हैं",
    "तय है",
    "रखी गई है",
    "रखा गया है",
    "बुलाया गया है",
    "बुलाई गई है",
    "आहूत किया गया है",
    "आहूत की गई है",
    "तलब किया है",
    "कराने का निर्णय",
    "करने का निर्णय",
    # "होने जा रही है": going to happen, not under way.
    "होने जा रही",
    "होने जा रहा",
    "होने जा रहे",
    "करने जा रही",
    "करने जा रहा",
    "करने जा रहे",
    "निर्धारित है",
    "निर्धारित की गई है",
    "निर्धारित किया गया है",
    "की जानी है",
    "किया जाना है",
    "होना तय",
)
_HI_PAST = frozenset(
    _words(
        "था थी थे थीं हुई हुआ हुए हुईं किया किए किये कीं गई गया गए गये गईं लिया ली लीं लिए "
        "दिया दी दिए दिये रहा रही रहे बैठाया बैठी बैठा जुटे पहुंचे कहा बताया सौंपा संपन्न"
    )
)
_EN_FUTURE = regex.compile(
    r"(?<!\w)(?:will|shall|to be held|is to|are to|was to|expected to|scheduled|slated|set to|"
    r"going to|due to|would be held|to meet|to hold|to chair|to address|to convene|tomorrow|"
    r"upcoming|next week|next month|lines up|likely to|plans to|planning to|would hold|"
    r"would meet|later this|to kick off|to begin|to discuss|to review|on the cards|proposed)(?!\w)"
)
_EN_PAST = regex.compile(
    r"(?<!\w)(?:was|were|held|holds|met|meets|chaired|chairs|attended|gathered|addressed|"
    r"discussed|reviewed|concluded|ended|took part|had|began|begins|convened|summoned|opened|"
    r"kicks off|kicked off|wraps up|wrapped up|spent|told|asked|trains|trained|conducted|"
    r"yesterday|earlier|sat|hosted|organised|organized|took stock|deliberated|participated|"
    r"presided|interacted|last night)(?!\w)"
)


_ANNOUNCED_DAY = frozenset(("कल", "आज", "परसों"))
_DEVANAGARI = regex.compile("[\u0900-\u097f]")


def sentence_tense(folded: str) -> Tense | None:
    """The tense of a folded sentence's main clause, or None when it shows none."""
    if _DEVANAGARI.search(folded):
        main, _, rest = folded.partition(" कि ")
        found = _hindi_tense(main)
        return found if found is not None else (_hindi_tense(rest) if rest else None)
    return _english_tense(folded)


def _tokens(text: str) -> list[str]:
    return [t.strip(".,;:!?।'\"()[]-") for t in text.split()]


def _is_future_verb(token: str) -> bool:
    if len(token) < 3 or token.endswith(_NOT_FUTURE):
        return False
    before = token[-3]
    return token[-2] == "ग" and token[-1] in "ाीे" and (before in _VOWEL_SIGNS or before == "ए")


def _hindi_tense(clause: str) -> Tense | None:
    if not clause:
        return None
    tokens = [t for t in _tokens(clause) if t]
    # Scheduling phrases ("बैठक बुलाई गई है", "होनी है") speak of what is to come even though
    # their verb is perfective.
    if any(p in clause for p in _HI_FUTURE_PHRASES):
        return "future"
    # The main verb closes a Hindi clause: read its last words backwards.
    tail = tokens[-4:]
    for i in range(len(tail) - 1, -1, -1):
        token = tail[i]
        if token in ("है", "हैं") and i > 0 and tail[i - 1] in ("रहा", "रही", "रहे"):
            return None  # present progressive: under way, neither held nor scheduled
        if token in ("था", "थी", "थे", "थीं"):
            return "past"
        if _is_future_verb(token):
            return "future"
        if token in _HI_PAST:
            return "past"
    if any(_is_future_verb(t) for t in tokens):
        return "future"
    # A verbless headline ending on its day ("भाजपा की बैठक कल", "सम्मेलन आज से") announces.
    day = tokens[-2] if tokens[-1:] == ["से"] and len(tokens) > 1 else (tokens or [""])[-1]
    if day in _ANNOUNCED_DAY:
        return "future"
    # "की" is also the genitive ("पार्टी की बैठक"); it is a verb only at the end of a clause.
    if tokens and tokens[-1] in ("की", "कीं"):
        return "past"
    return None


def _english_tense(folded: str) -> Tense | None:
    # Whichever tense shows first governs the main clause.
    future = _EN_FUTURE.search(folded)
    past = _EN_PAST.search(folded)
    if future and (not past or future.start() < past.start()):
        return "future"
    if past:
        return "past"
    return None

"""Text normalisation for matching Hindi and English news, and sentence splitting.

Matching runs on a normalised copy of each sentence; the original sentence is kept for evidence.
The folding follows TECH-NOTES §3d: newsrooms spell the same Hindi word several ways (nukta or
not, chandrabindu or anusvara, half-nasal or anusvara), and Unicode normalisation alone does not
merge those spellings, so keywords and text are folded the same way.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterator

ZWNJ, ZWJ = "\u200c", "\u200d"
NUKTA = "\u093c"
CHANDRABINDU = "\u0901"
ANUSVARA = "\u0902"
VIRAMA = "\u094d"
# Nasal consonants whose half form before another consonant is written as anusvara elsewhere
# (हिन्दी / हिंदी, नवम्बर / नवंबर, झारखण्ड / झारखंड).
_NASALS = "ङञणनम"
_CONSONANT_RANGE = ("\u0915", "\u0939")

_TRANSLATE = {
    ord(ZWNJ): None,
    ord(ZWJ): None,
    ord("\u00ad"): None,  # soft hyphen, invisible in print
    ord(NUKTA): None,
    ord(CHANDRABINDU): ANUSVARA,
    **{0x0966 + d: str(d) for d in range(10)},  # Devanagari digits
    ord("\u2018"): "'",
    ord("\u2019"): "'",
    ord("\u201a"): "'",
    ord("\u201b"): "'",
    ord("\u201c"): '"',
    ord("\u201d"): '"',
    ord("\u201e"): '"',
    ord("\u2013"): "-",
    ord("\u2014"): "-",
    ord("\u2212"): "-",
    ord("\u00a0"): " ",
}

_SPACES = re.compile(r"\s+")

# Spellings small sites use beside the standard ones (शुरु for शुरू, मिटिंग for मीटिंग), folded to
# the standard so that one lexicon entry covers both.
_SPELLINGS = {
    "शुरु": "शुरू",
    "मिटिंग": "मीटिंग",
    "बेठक": "बैठक",
    "बैढक": "बैठक",
    "तैय्यारी": "तैयारी",
    "चुनाओ": "चुनाव",
}
_SPELLING = re.compile("|".join(map(re.escape, _SPELLINGS)))


# A nasal consonant with virama before another consonant, inside a word, is written as
# anusvara by other newsrooms (हिन्दी / हिंदी); one regex pass folds them all.
_HALF_NASAL = re.compile(
    rf"(?<=\S)[{_NASALS}]{VIRAMA}(?=[{_CONSONANT_RANGE[0]}-{_CONSONANT_RANGE[1]}])"
)


def _fold_half_nasals(text: str) -> str:
    if VIRAMA not in text:
        return text
    return _HALF_NASAL.sub(ANUSVARA, text)


def fold(text: str, *, casefold: bool = True) -> str:
    """Normalise `text` for matching: NFC, drop ZWJ/ZWNJ and nukta, chandrabindu and half
    nasals to anusvara, Devanagari digits to ASCII, curly quotes and dashes to ASCII, casefold,
    collapse whitespace."""
    text = unicodedata.normalize("NFC", text).translate(_TRANSLATE)
    text = _fold_half_nasals(text)
    if not text.isascii():
        text = _SPELLING.sub(lambda m: _SPELLINGS[m[0]], text)
    if casefold:
        text = text.casefold()
    return _SPACES.sub(" ", text).strip()


def is_word_char(ch: str) -> bool:
    """A letter, digit or combining mark: Devanagari vowel signs, virama and anusvara are
    categories Mn/Mc and belong to the word they sit in."""
    if ch.isalnum():
        return True
    return unicodedata.category(ch) in ("Mn", "Mc")


def at_boundary(text: str, start: int, end: int) -> bool:
    """True when text[start:end] is not glued to word characters on either side.

    Only edges that are themselves word characters are checked, so a keyword that begins or
    ends with punctuation ("jd(u)", "'आप'") still matches next to a letter.
    """
    if start > 0 and is_word_char(text[start]) and is_word_char(text[start - 1]):
        return False
    return not (end < len(text) and is_word_char(text[end - 1]) and is_word_char(text[end]))


# --- sentence splitting ----------------------------------------------------------------------


def _words(text: str) -> list[str]:
    return text.split()


# Words that end with a full stop without ending a sentence.
_ABBREVIATIONS = frozenset(
    _words(
        "dr mr mrs ms prof st no nos sr jr shri smt hon gen lt col capt maj sgt rs vs etc ltd "
        "pvt co inc jan feb mar apr jun jul aug sep sept oct nov dec approx govt dept fig ca "
        "डॉ डा श्री श्रीमती सुश्री प्रो पं मो"
    )
)
_TERMINATORS = "।॥?!."


def _ends_abbreviation(text: str, dot: int) -> bool:
    """Whether the '.' at `dot` closes an abbreviation or an initial rather than a sentence."""
    j = _word_start(text, dot)
    word = text[j:dot]
    if not word:
        return False
    if word.casefold() in _ABBREVIATIONS:
        return True
    if not _is_syllable(word):
        return False
    if word.isascii():
        return True  # an initial: "J. P. Nadda", "C.A."
    # A one-syllable Hindi word before '.' is usually a verb ending the sentence ("बैठक की.");
    # it is an abbreviation only inside a chain of them ("हि.स.").
    if j > 0 and text[j - 1] == ".":
        return True
    k = dot + 1
    end = k
    while end < len(text) and is_word_char(text[end]):
        end += 1
    return end > k and end < len(text) and text[end] == "." and _is_syllable(text[k:end])


def _word_start(text: str, end: int) -> int:
    j = end
    while j > 0 and is_word_char(text[j - 1]):
        j -= 1
    return j


def _is_syllable(word: str) -> bool:
    """One letter plus any combining signs: "J", "हि", "स"."""
    letters = [c for c in word if not unicodedata.category(c).startswith("M")]
    return len(letters) == 1


def split_sentences(text: str) -> Iterator[str]:
    """Split one line of text into sentences on danda, '?', '!' and '.'.

    A '.' between digits (2.30, 1.8) or closing an abbreviation/initial does not end a sentence,
    and neither does a '.' glued to a following Latin letter (a domain name). Hindi copy often
    omits the space after a danda or full stop ("किया।पार्टी"), so no space is required.
    """
    start = 0
    n = len(text)
    i = 0
    while i < n:
        ch = text[i]
        if ch in _TERMINATORS and _ends_here(text, i):
            # Keep a run of terminators and closing quotes with the sentence they end.
            j = i + 1
            while j < n and (text[j] in _TERMINATORS or text[j] in "'\"’”)"):
                j += 1
            piece = text[start:j].strip()
            if piece:
                yield piece
            start = j
            i = j
            continue
        i += 1
    tail = text[start:].strip()
    if tail:
        yield tail


def _ends_here(text: str, i: int) -> bool:
    if text[i] != ".":
        return True
    prev = text[i - 1] if i > 0 else ""
    nxt = text[i + 1] if i + 1 < len(text) else ""
    if prev.isdigit() and nxt.isdigit():
        return False
    if nxt and nxt.isascii() and nxt.isalpha():
        return False
    if nxt == "." or (nxt and nxt in ",;:"):
        return False
    return not _ends_abbreviation(text, i)

"""Decode page bytes, surviving the charset declarations that small news sites get wrong."""

from __future__ import annotations

import codecs
import re

from charset_normalizer import from_bytes

_META_CHARSET = re.compile(
    rb"""<meta[^>]+?charset\s*=\s*["']?\s*(?P<charset>[A-Za-z0-9._:-]+)""", re.IGNORECASE
)
_BOMS = (
    (codecs.BOM_UTF8, "utf-8-sig"),
    (codecs.BOM_UTF16_LE, "utf-16"),
    (codecs.BOM_UTF16_BE, "utf-16"),
)
# Browsers treat these labels as windows-1252, and so must we: "iso-8859-1" pages routinely
# contain curly quotes in the 0x80-0x9F range that only cp1252 defines.
_LATIN1_LABELS = frozenset(
    {
        "iso-8859-1",
        "iso8859-1",
        "latin-1",
        "latin1",
        "l1",
        "ascii",
        "us-ascii",
        "cp1252",
        "windows-1252",
    }
)

_ASCII = bytes(range(128))
_REPLACEMENT = "\ufffd".encode()
# Text in a single-byte charset practically never forms valid UTF-8 sequences, so a page whose
# non-ASCII bytes are mostly valid UTF-8 is UTF-8 with a few bad bytes. A UTF-8 declaration
# lowers the bar; a cp1252 page mislabelled UTF-8 has almost no valid sequences at all.
_UTF8_SHARE_UNDECLARED = 0.95
_UTF8_SHARE_DECLARED = 0.5


def declared_charset(data: bytes) -> str | None:
    """The charset named in the page's first <meta>, if any."""
    match = _META_CHARSET.search(data[:4096])
    return match.group("charset").decode("ascii", "replace") if match else None


def decode_html(data: bytes, declared: str | None = None) -> str:
    """Decode `data` using the server's (`declared`) or the page's charset, checking both.

    Valid UTF-8 with non-ASCII bytes is taken as UTF-8 whatever the declaration says: text in a
    single-byte charset is practically never valid UTF-8 by accident, while UTF-8 pages labelled
    windows-1252 are common. Bytes that fit no candidate are handed to charset detection.
    """
    for bom, bom_codec in _BOMS:
        if data.startswith(bom):
            return data.decode(bom_codec, errors="replace")
    if not data.isascii():
        try:
            return data.decode("utf-8")
        except UnicodeDecodeError:
            pass
        # One bad byte (a truncated copy-paste, a stray cp1252 quote) must not turn a whole
        # UTF-8 Hindi page into Latin mojibake: keep UTF-8 and replace just the bad bytes.
        share = _utf8_share(data)
        utf8_declared = "utf-8" in (_codec(declared), _codec(declared_charset(data)))
        if share >= _UTF8_SHARE_UNDECLARED or (utf8_declared and share >= _UTF8_SHARE_DECLARED):
            return data.decode("utf-8", errors="replace")
    # Not UTF-8 after all: a non-UTF-8 declaration is believed if the bytes fit it; otherwise
    # windows-1252, the one single-byte charset English-language Indian sites still use.
    labels: tuple[str | None, ...] = (declared, declared_charset(data), "windows-1252")
    for label in labels:
        codec = _codec(label)
        if codec is None or codec == "utf-8":
            continue
        try:
            return data.decode(codec)
        except UnicodeDecodeError:
            continue
    guess = from_bytes(data[:200_000]).best()
    if guess is not None and guess.encoding:
        return data.decode(guess.encoding, errors="replace")
    return data.decode("cp1252", errors="replace")


def _utf8_share(data: bytes) -> float:
    """The share of the non-ASCII bytes in `data` that are part of valid UTF-8 sequences."""
    non_ascii = len(data.translate(None, _ASCII))
    if not non_ascii:
        return 1.0
    # Each invalid byte (or cut-off sequence) becomes one U+FFFD; real ones are not counted.
    bad = data.decode("utf-8", errors="replace").count("\ufffd") - data.count(_REPLACEMENT)
    return 1.0 - min(bad, non_ascii) / non_ascii


def _codec(label: str | None) -> str | None:
    if not label:
        return None
    name = label.strip().strip("\"'").lower()
    if name in _LATIN1_LABELS:
        return "cp1252"
    try:
        return codecs.lookup(name).name
    except LookupError:
        return None

"""Remove the boilerplate lines regional news pages leave in extracted text.

Related-story links ("इसे भी पढ़ें …") point at unrelated stories — a crime story inside a
political report — and would fool the detectors; comment forms, share prompts, author boxes,
breadcrumbs and a repeated headline are noise for dedup and display alike.
"""

from __future__ import annotations

import re
import unicodedata

_END = r"(?=$|[\s:：\-–—|»>])"
_RELATED = re.compile(
    r"^[\s\-–—•*>»|]*(?:इसे\s+भी\s+पढ़ें?|यह\s+भी\s+पढ़ें?|ये\s+भी\s+पढ़ें?|इन्हें\s+भी\s+पढ़ें?|"
    r"और\s+पढ़ें|जरूर\s+पढ़ें|ज़रूर\s+पढ़ें|also\s+read|read\s+also|must\s+read|read\s+more|"
    r"related(?:\s+(?:news|stories|story|articles?))?)" + _END,
    re.IGNORECASE,
)
_COMMENT_FORM = re.compile(
    r"^\s*(?:leave\s+a\s+(?:reply|comment)|your\s+email\s+address\s+will\s+not\s+be\s+published|"
    r"required\s+fields\s+are\s+marked|save\s+my\s+name,\s+email|post\s+comment|"
    r"(?:comment|name|email|website)\s*\*?\s*$|cancel\s+reply)",
    re.IGNORECASE,
)
_SHARE = re.compile(
    r"^[\s\-–—•*]*(?:share(?:\s+(?:this|on|via)\b.*)?|share\s+this\s+(?:story|article)|"
    r"copy\s+link|कॉपी\s+लिंक|लिंक\s+कॉपी\s+करें|शेयर(?:\s+करें)?|"
    r"click\s+to\s+share\b.*|follow\s+us\b.*|(?:facebook|twitter|whatsapp|telegram|linkedin|"
    r"email|print|tweet|x)(?:\s*[|,/]\s*\w+)*)\s*:?\s*$",
    re.IGNORECASE,
)
_AUTHOR_BOX_START = re.compile(r"^\s*about\s+the\s+author\s*$", re.IGNORECASE)
_AUTHOR_BOX_END = re.compile(r"view\s+details\s*$", re.IGNORECASE)
_DATE_LINE = re.compile(
    r"^\s*(?:last\s+updated|updated|published|posted|प्रकाशित|अपडेटेड)\s*(?:on)?\s*[:：]?\s*(?=.*\d)"
    r".{0,45}$",
    re.IGNORECASE,
)
_LIST_ITEM = re.compile(r"^\s*[-•*]\s+(?P<body>.+)$")


def _fold(text: str) -> str:
    """Letters and digits only, so that "पकड़ा:दो" and "पकड़ा: दो" compare equal."""
    folded = unicodedata.normalize("NFC", text).casefold()
    return "".join(ch for ch in folded if ch.isalnum() or unicodedata.category(ch) in ("Mn", "Mc"))


def _strip_breadcrumbs(lines: list[str]) -> list[str]:
    # A run of three or more short list items before any paragraph is a breadcrumb trail
    # ("- Hindi News / - Local / - Bihar"), not an article's bullet summary, which has sentences.
    run = 0
    for line in lines:
        match = _LIST_ITEM.match(line)
        crumb = match.group("body").rstrip() if match else ""
        if not crumb or len(crumb.split()) > 12 or crumb[-1] in ".।?!:":
            break
        run += 1
    return lines[run:] if run >= 3 else lines


def clean_text(text: str, title: str | None = None) -> str:
    """Drop boilerplate lines from extracted article text; keep everything else in order."""
    lines = _strip_breadcrumbs([line.rstrip() for line in text.splitlines()])
    title_key = _fold(title) if title else ""
    kept: list[str] = []
    author_box_left = 0
    for line in lines:
        stripped = line.strip()
        if not stripped:
            continue
        if author_box_left:
            # An author box ends at its "…view details" link, or after a few lines at most.
            author_box_left = 0 if _AUTHOR_BOX_END.search(stripped) else author_box_left - 1
            continue
        if _AUTHOR_BOX_START.match(stripped):
            author_box_left = 4
            continue
        if _AUTHOR_BOX_END.fullmatch(stripped.lstrip(". …")):
            continue
        if (
            _RELATED.match(stripped)
            or _COMMENT_FORM.match(stripped)
            or _SHARE.match(stripped)
            or _DATE_LINE.match(stripped)
        ):
            continue
        if title_key and _fold(stripped) == title_key:
            continue
        kept.append(stripped)
    return "\n".join(kept)

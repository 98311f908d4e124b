"""Turn a message into what a person reads: a subject line, plain text, HTML and a chat post.

Layout lives in Jinja2 templates: the built-in ones in ``templates/``, which a folder of the
user's own (``alerts.templates``) can replace file by file. This module prepares the values the
templates show; headlines and evidence stay in their original language.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from datetime import date as _date
from datetime import datetime
from functools import cache
from pathlib import Path
from typing import Any, Final
from zoneinfo import ZoneInfo

from jinja2 import (
    ChoiceLoader,
    Environment,
    FileSystemLoader,
    StrictUndefined,
    TemplateError,
    TemplateSyntaxError,
    select_autoescape,
)
from markupsafe import Markup, escape

from monitor.alerts.digest_message import DigestMessage
from monitor.alerts.message import AlertMessage, SourceRef
from monitor.alerts.operator_message import OperatorMessage
from monitor.alerts.payload import Message

BUILTIN_TEMPLATES: Final = Path(__file__).parent / "templates"
# The file of each part, by message kind ("alert" or "digest").
_PARTS: Final = {
    "subject": "{}_subject.txt",
    "text": "{}.txt",
    "html": "{}.html",
    "chat": "{}_chat.txt",
}
TEMPLATE_NAMES: Final = tuple(
    p.format(k) for k in ("alert", "digest", "operator") for p in _PARTS.values()
)
_SUBJECT_TITLE_MAX = 120
_HEADINGS = {"new": "New event", "update": "Updated event", "test": "Test alert"}
# Digest labels in the language most of its events are in; headlines are never translated.
_DIGEST_LABELS: Final[Mapping[str, Mapping[str, str]]] = {
    "en": {
        "digest": "Digest",
        "event": "event",
        "events": "events",
        "new": "new",
        "update": "update",
        "other": "Other",
        "period": "{start} to {end}",
    },
    "hi": {
        "digest": "सारांश",
        "event": "घटना",
        "events": "घटनाएँ",
        "new": "नई",
        "update": "अपडेट",
        "other": "अन्य",
        "period": "{start} से {end} तक",
    },
}


class Renderer:
    """Renders messages with the built-in templates, or the user's where present."""

    def __init__(self, templates_dir: Path | None = None) -> None:
        loaders = [FileSystemLoader(templates_dir)] if templates_dir is not None else []
        loaders.append(FileSystemLoader(BUILTIN_TEMPLATES))
        self.templates_dir = templates_dir
        self._env = Environment(
            loader=ChoiceLoader(loaders),
            autoescape=select_autoescape(["html"]),
            # A misspelt variable in a template fails the send loudly instead of going blank.
            undefined=StrictUndefined,
            trim_blocks=True,
            lstrip_blocks=True,
            keep_trailing_newline=True,
        )
        self._env.filters["highlight"] = highlight
        self._env.filters["byline"] = byline
        self._env.tests["weblink"] = is_web_link

    def check(self) -> None:
        """Compile every template now, so a broken user template stops start-up, not a send.

        Raises ``ValueError`` naming the template and the problem.
        """
        for name in TEMPLATE_NAMES:
            try:
                self._env.get_template(name)
            except TemplateSyntaxError as exc:
                where = exc.filename or name
                raise ValueError(f"template {where}, line {exc.lineno}: {exc.message}") from None
            except TemplateError as exc:
                raise ValueError(f"template {name}: {exc.message}") from None

    def subject(self, message: Message) -> str:
        return " ".join(self._render("subject", message).split())

    def text(self, message: Message) -> str:
        return self._render("text", message)

    def html(self, message: Message) -> str:
        return self._render("html", message, subject=self.subject(message))

    def chat(self, message: Message) -> str:
        return self._render("chat", message).strip()

    def _render(self, part: str, message: Message, **extra: str) -> str:
        if isinstance(message, DigestMessage):
            name, context = _PARTS[part].format("digest"), digest_context(message)
        elif isinstance(message, OperatorMessage):
            name, context = _PARTS[part].format("operator"), {"m": message}
        else:
            name, context = _PARTS[part].format("alert"), alert_context(message)
        return self._env.get_template(name).render(context, **extra)


@cache
def default_renderer() -> Renderer:
    return Renderer()


def render_subject(message: Message) -> str:
    return default_renderer().subject(message)


def render_text(message: Message) -> str:
    return default_renderer().text(message)


def render_html(message: Message) -> str:
    return default_renderer().html(message)


def render_chat(message: Message) -> str:
    return default_renderer().chat(message)


# -- what the templates see ------------------------------------------------------------------


def alert_context(message: AlertMessage) -> dict[str, Any]:
    rows = facts(message)
    return {
        "m": message,
        "heading": _HEADINGS[message.kind],
        "topic": topic(message),
        "short_title": short_title(message.title),
        "facts": rows,
        "width": max((len(label) for label, _ in rows), default=0) + 2,
        "also_names": ", ".join(dict.fromkeys(s.source for s in message.also_reported_by)),
    }


def digest_context(message: DigestMessage) -> dict[str, Any]:
    zone = ZoneInfo(message.timezone)
    labels = _DIGEST_LABELS.get(message.lang or "en", _DIGEST_LABELS["en"])
    return {
        "m": message,
        "labels": labels,
        "groups": message.groups(),
        "count": len(message.items),
        "counted": labels["event" if len(message.items) == 1 else "events"],
        "period": labels["period"].format(
            start=_local(message.period_start, zone), end=_local(message.period_end, zone)
        ),
        "day": _local(message.period_end, zone, "%d %b %Y"),
    }


def what(message: AlertMessage) -> str:
    """Name what was detected, e.g. ``"meeting, election preparation"``."""
    found = [
        label
        for flag, label in (
            (message.meeting, "meeting"),
            (message.election_prep, "election preparation"),
        )
        if flag
    ]
    return ", ".join(found) or "news"


def topic(message: AlertMessage) -> str:
    """``"JMM meeting, election preparation"``: who and what, for subjects and headings."""
    parties = "/".join(message.parties)
    return f"{parties} {what(message)}" if parties else what(message)


def when(message: AlertMessage) -> str | None:
    """The meeting's date and time for a reader, with the weekday (``Tue 21 Nov 2023, 14:00``)."""
    if message.details.date is None:
        return message.details.time
    try:
        day = _date.fromisoformat(message.details.date).strftime("%a %d %b %Y")
    except ValueError:
        day = message.details.date
    return f"{day}, {message.details.time}" if message.details.time else day


def where(message: AlertMessage) -> str | None:
    mode = message.details.mode.replace("_", " ") if message.details.mode else None
    if message.details.place and mode:
        return f"{message.details.place} ({mode})"
    return message.details.place or mode


def facts(message: AlertMessage) -> list[tuple[str, str]]:
    """The known structured fields as (label, value) rows; unknown fields are left out."""
    rows: list[tuple[str, str | None]] = [
        ("Party", ", ".join(message.parties) or None),
        ("What", what(message) if message.kind != "test" else None),
        ("When", when(message)),
        ("Where", where(message)),
        ("Status", message.details.status),
        ("Level", message.details.level),
        ("Election", message.details.election),
        ("People", ", ".join(message.people) or None),
        ("Score", f"{message.score:.2f}" if message.kind != "test" else None),
    ]
    return [(label, value) for label, value in rows if value]


def short_title(title: str) -> str:
    title = " ".join(title.split())
    if len(title) > _SUBJECT_TITLE_MAX:
        title = title[: _SUBJECT_TITLE_MAX - 1].rstrip() + "…"
    return title


def highlight(sentence: str, terms: tuple[str, ...] | list[str]) -> Markup:
    """Escape ``sentence`` as HTML and wrap each occurrence of a matched term in ``<mark>``."""
    wanted = sorted({t for t in terms if t}, key=len, reverse=True)
    if not wanted:
        return escape(sentence)
    pattern = re.compile("|".join(re.escape(t) for t in wanted))
    out: list[str] = []
    last = 0
    for match in pattern.finditer(sentence):
        out.append(escape(sentence[last : match.start()]))
        out.append(f"<mark>{escape(match.group(0))}</mark>")
        last = match.end()
    out.append(escape(sentence[last:]))
    return Markup("".join(out))


def byline(source: SourceRef) -> str:
    return ", ".join(part for part in (source.source, source.published) if part)


def is_web_link(url: str) -> bool:
    # Only web links become clickable: a scraped page could carry a javascript: or data: URL.
    return url.lower().startswith(("http://", "https://"))


def _local(moment: str, zone: ZoneInfo, fmt: str = "%d %b %Y %H:%M") -> str:
    try:
        parsed = datetime.fromisoformat(moment.replace("Z", "+00:00"))
    except ValueError:
        return moment
    return parsed.astimezone(zone).strftime(fmt)

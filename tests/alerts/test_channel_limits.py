"""Alert and digest templates, in Hindi and in English, fit every channel people use.

One table row per channel type: the part of the message it carries and its limit. The
messages are as large as real ones get (a meeting reported by many outlets, a busy day).
"""

from __future__ import annotations

import json
import re
from collections.abc import Callable
from dataclasses import replace
from html.parser import HTMLParser

import pytest

from monitor.alerts.digest_message import DigestItem, DigestMessage
from monitor.alerts.message import AlertMessage, SourceRef
from monitor.alerts.payload import Message
from monitor.alerts.render import LANGUAGES, Renderer
from monitor.detect.model import EventFields

TITLE = ("लोकसभा चुनाव की तैयारी में झामुमो: 21 नवंबर को सीएम हेमंत सोरेन करेंगे राज्य भर के "
         "पार्टी पदाधिकारियों, जिलाध्यक्षों और प्रखंड अध्यक्षों के साथ ऑनलाइन संवाद")  # fmt: skip
SENTENCE = 3 * ("इसी क्रम में मंगलवार 21 नवंबर को मुख्यमंत्री हेमंत सोरेन राज्य भर के सभी "
                "जेएमएम पदाधिकारियों, जिला कमेटी के पदाधिकारियों के साथ ऑनलाइन संवाद करेंगे। ")  # fmt: skip
URL = ("https://www.example-regional-news.in/jharkhand/ranchi/news/"
       "jmm-lok-sabha-2024-hemant-soren-online-meeting-office-bearers-{n}.html")  # fmt: skip


def _sources(n: int) -> tuple[SourceRef, ...]:
    return tuple(
        SourceRef(f"outlet-{i}", URL.format(n=i), TITLE, "2023-11-20T10:00:00+05:30")
        for i in range(n)
    )


ALERT = AlertMessage(
    alert_id="newsmon:event-12:desk:new", kind="new", event_id="evt-12", title=TITLE,
    summary="JMM · meeting, election preparation · 2023-11-21 14:00 · Ranchi (online) · "
    "scheduled · Lok Sabha 2024",
    parties=("JMM", "INC", "RJD"), people=("Hemant Soren", "Vinod Pandey", "Supriyo Bhattacharya"),
    meeting=True, election_prep=True, score=0.97,
    details=EventFields(date="2023-11-21", time="14:00", status="scheduled", mode="online",
                        place="Ranchi", level="state", election="Lok Sabha 2024"),
    evidence=tuple((SENTENCE, ("हेमंत सोरेन", "ऑनलाइन संवाद")) for _ in range(4)),
    sources=_sources(14), lang="hi", created_at="2023-11-20T05:00:00Z",
    also_reported_by=_sources(6),
)  # fmt: skip
UPDATE = replace(ALERT, kind="update", alert_id="newsmon:event-12:desk:update-40")
DIGEST = DigestMessage(
    alert_id="newsmon:digest-daily:desk:2023-11-21", route="daily",
    period_start="2023-11-20T02:30:00Z", period_end="2023-11-21T02:30:00Z",
    timezone="Asia/Kolkata", lang="hi", created_at="2023-11-21T02:30:00Z",
    items=tuple(
        DigestItem(f"evt-{i}", ("Jharkhand", "Bihar", None)[i % 3], ("JMM", "BJP", "INC")[i % 3],
                   "new" if i % 2 else "update", TITLE, ALERT.summary, "hi",
                   EventFields(date="2023-11-21", status="scheduled", mode="online",
                               place="Ranchi"),
                   SENTENCE, _sources(3))
        for i in range(60)
    ),
)  # fmt: skip
MESSAGES: dict[str, Message] = {"alert": ALERT, "update": UPDATE, "digest": DIGEST}

# Telegram's HTML subset; a plain-text post must not look like markup outside it.
TELEGRAM_TAGS = {"b", "strong", "i", "em", "u", "ins", "s", "strike", "del", "a", "code",
                 "pre", "blockquote", "tg-spoiler", "span"}  # fmt: skip


def _tags(text: str) -> set[str]:
    found: set[str] = set()

    class Tags(HTMLParser):
        def handle_starttag(self, tag: str, attrs: object) -> None:
            found.add(tag)

    Tags().feed(text)
    return found


def _chat(r: Renderer, m: Message) -> str:
    return r.subject(m) + "\n" + r.chat(m)


def _telegram(text: str) -> None:
    assert len(text) <= 4096
    assert _tags(text) <= TELEGRAM_TAGS


def _discord(text: str) -> None:
    assert len(text) <= 2000


def _slack(text: str) -> None:
    assert len(text) <= 4000  # Slack truncates a message's text beyond this


def _email(r: Renderer, m: Message) -> None:
    subject = r.subject(m)
    assert 0 < len(subject.encode()) <= 998  # RFC 5322 line length
    assert "\n" not in subject
    text, html = r.text(m), r.html(m)
    assert text.strip() and html.lstrip().startswith("<!DOCTYPE html>")
    assert _tags(html) >= {"html", "body"}


def _webhook(m: Message) -> None:
    body = json.dumps(m.to_payload(), ensure_ascii=False).encode()
    assert json.loads(body)["schema"].startswith("newsmon.")
    assert len(body) <= 256 * 1024


CHANNELS: dict[str, Callable[[Renderer, Message], None]] = {
    "telegram": lambda r, m: _telegram(_chat(r, m)),
    "discord": lambda r, m: _discord(_chat(r, m)),
    "slack": lambda r, m: _slack(_chat(r, m)),
    "email": _email,
    "webhook": lambda r, m: _webhook(m),
}


@pytest.mark.parametrize("language", LANGUAGES)
@pytest.mark.parametrize("kind", list(MESSAGES))
@pytest.mark.parametrize("channel", list(CHANNELS))
def test_templates_render_within_the_channel_limits(channel: str, kind: str, language: str) -> None:
    renderer = Renderer().in_language(language)
    CHANNELS[channel](renderer, MESSAGES[kind])


@pytest.mark.parametrize(
    ("language", "labels", "absent"),
    [
        ("hi", ("दल:", "कब:", "कहाँ:", "प्रमाण:", "स्रोत:", "होने वाली"), ("Party:", "When:")),
        ("en", ("Party:", "When:", "Where:", "Evidence:", "Sources:", "scheduled"), ("दल:",)),
    ],
)
def test_alert_labels_speak_the_desks_language(
    language: str, labels: tuple[str, ...], absent: tuple[str, ...]
) -> None:
    text = Renderer().in_language(language).text(ALERT)
    for label in labels:
        assert label in text
    for label in absent:
        assert label not in text
    assert TITLE in text  # the headline is never translated


def test_a_routes_language_wins_over_the_channels() -> None:
    english_channel = Renderer().in_language("en")
    assert "दल:" in english_channel.text(replace(ALERT, language="hi"))
    digest = english_channel.chat(replace(DIGEST, language="hi"))
    assert "अन्य" in digest or "Other" not in digest


def test_a_long_chat_post_says_what_it_left_out() -> None:
    chat = Renderer().chat(ALERT)
    assert chat.count(URL.format(n=0)) == 1 and URL.format(n=13) not in chat
    assert "and 9 more" in chat
    assert re.search(r"… \+54$", Renderer().chat(DIGEST).strip())

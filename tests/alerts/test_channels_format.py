"""What channels put on the wire: payload schema, rendering, signatures, redaction."""

from __future__ import annotations

import json
from dataclasses import replace

import pytest

from monitor.alerts.digest_message import DIGEST_SCHEMA, DigestItem, DigestMessage
from monitor.alerts.message import SCHEMA, AlertMessage, SourceRef, make_test_message
from monitor.alerts.payload import parse_payload
from monitor.alerts.redact import MASK, Redactor, redact_url, url_secrets
from monitor.alerts.render import highlight, render_html, render_subject, render_text
from monitor.alerts.signing import sign, verify
from monitor.detect.model import EventFields

pytestmark = pytest.mark.timeout(10)

TITLE = "कांग्रेस की वर्चुअल मीटिंग में लोकसभा चुनाव की तैयारी"
SENTENCE = "प्रदेश कांग्रेस ने लोकसभा चुनाव की तैयारी को लेकर वर्चुअल मीटिंग की।"


def message(**changes: object) -> AlertMessage:
    base = AlertMessage(
        alert_id="evt-7:webhook-main",
        kind="new",
        event_id="evt-7",
        title=TITLE,
        summary="INC online meeting, Thu 19 Oct 2023, held",
        parties=("INC",),
        people=("Avinash Pandey", "Rajesh Thakur"),
        meeting=True,
        election_prep=True,
        score=0.88,
        details=EventFields(
            date="2023-10-19",
            time=None,
            status="held",
            mode="online",
            place=None,
            level="state",
            election="Lok Sabha 2024",
        ),
        evidence=((SENTENCE, ("वर्चुअल मीटिंग", "लोकसभा चुनाव")),),
        sources=(
            SourceRef("hindustan", "https://example.in/a?x=1&y=2", TITLE, "2023-10-20"),
            SourceRef("bhaskar", "https://example.in/b", "दूसरी खबर", None),
        ),
        lang="hi",
        created_at="2023-10-20T08:30:00Z",
    )
    return replace(base, **changes)  # type: ignore[arg-type]


# --- payload ----------------------------------------------------------------------------------


def test_payload_has_the_documented_shape() -> None:
    payload = message().to_payload()
    assert list(payload) == [
        "schema",
        "alert_id",
        "kind",
        "event",
        "detection",
        "sources",
        "also_reported_by",
        "created_at",
    ]
    assert payload["also_reported_by"] == []
    assert payload["schema"] == SCHEMA == "newsmon.alert/1"
    assert payload["event"]["parties"] == ["INC"] and payload["event"]["place"] is None
    assert payload["detection"]["evidence"] == [
        {"sentence": SENTENCE, "terms": ["वर्चुअल मीटिंग", "लोकसभा चुनाव"]}
    ]
    assert payload["sources"][1] == {
        "source": "bhaskar",
        "url": "https://example.in/b",
        "title": "दूसरी खबर",
        "published": None,
    }
    json.dumps(payload)  # plain JSON types only


def test_payload_round_trips_through_json() -> None:
    original = message()
    restored = AlertMessage.from_payload(json.loads(json.dumps(original.to_payload())))
    assert restored == original


@pytest.mark.parametrize(
    "payload", [{"schema": "newsmon.alert/9"}, {"schema": SCHEMA, "alert_id": "x"}]
)
def test_from_payload_rejects_other_schemas_and_gaps(payload: dict[str, object]) -> None:
    with pytest.raises(ValueError):
        AlertMessage.from_payload(payload)


def test_message_checks_kind() -> None:
    with pytest.raises(ValueError, match="kind"):
        message(kind="bogus")


# --- rendering --------------------------------------------------------------------------------


def test_subject_names_party_what_and_headline() -> None:
    assert render_subject(message()) == f"[newsmon] INC meeting, election preparation: {TITLE}"
    assert render_subject(message(kind="update")).startswith("[newsmon] Update: INC meeting")
    long = render_subject(message(title="बैठक " * 60))
    assert len(long) < 200 and long.endswith("…")
    assert render_subject(make_test_message("main", "2024-01-01T00:00:00Z")).startswith(
        "[newsmon] Test: "
    )


def test_text_reads_like_a_briefing() -> None:
    text = render_text(message())
    assert TITLE in text and SENTENCE in text
    assert "When:" in text and "Thu 19 Oct 2023" in text
    assert "Where:    online" in text
    assert "Place" not in text  # unknown fields are left out rather than shown empty
    assert "https://example.in/a?x=1&y=2" in text
    assert "evt-7:webhook-main" in text


def test_html_escapes_scraped_text_and_only_links_web_urls() -> None:
    hostile = message(
        title='<script>alert("x")</script> बैठक',
        sources=(SourceRef("evil", "javascript:alert(1)", "<b>bold</b>", None),),
    )
    page = render_html(hostile)
    assert "<script>" not in page and "&lt;script&gt;" in page
    assert "<b>bold</b>" not in page
    assert 'href="javascript' not in page
    good = render_html(message())
    assert '<a href="https://example.in/a?x=1&amp;y=2">' in good
    assert 'lang="hi"' in good


def test_highlight_marks_terms_and_escapes_the_rest() -> None:
    assert highlight("a <b> बैठक c", ("बैठक",)) == "a &lt;b&gt; <mark>बैठक</mark> c"
    assert highlight("x & y", ()) == "x &amp; y"


# --- signing ----------------------------------------------------------------------------------


def test_signature_verifies_and_detects_tampering() -> None:
    body = json.dumps({"t": "बैठक"}, ensure_ascii=False).encode()
    sig = sign("key", "1700000000", body)
    assert sig.startswith("sha256=") and len(sig) == 7 + 64
    assert verify("key", "1700000000", body, sig, now=1700000100)
    assert not verify("key", "1700000000", body + b" ", sig, now=1700000100)
    assert not verify("other", "1700000000", body, sig, now=1700000100)
    assert not verify("key", "1700000001", body, sig, now=1700000100)


def test_signature_outside_tolerance_or_malformed_is_rejected() -> None:
    sig = sign("key", "1700000000", b"{}")
    assert not verify("key", "1700000000", b"{}", sig, now=1700000000 + 301)
    assert verify("key", "1700000000", b"{}", sig, tolerance_s=600, now=1700000000 + 301)
    assert not verify("key", "soon", b"{}", sig, now=1700000000)
    assert not verify("key", "1700000000", b"{}", "sha256=zz", now=1700000000)


# --- redaction --------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("url", "expected"),
    [
        ("https://u:pw@h.example/hook", f"https://u:{MASK}@h.example/hook"),
        (
            "https://h.example/hook?token=abc&team=ops",
            f"https://h.example/hook?token={MASK}&team=ops",
        ),
        (
            "https://hooks.slack.com/services/T0001/B0002/XXXXabcd1234YYYYzzzz",
            f"https://hooks.slack.com/services/T0001/B0002/{MASK}",
        ),
        ("http://127.0.0.1:8080/newsmon/hook", "http://127.0.0.1:8080/newsmon/hook"),
        ("http://[::1]:9/x?api_key=k", f"http://[::1]:9/x?api_key={MASK}"),
    ],
)
def test_redact_url(url: str, expected: str) -> None:
    assert redact_url(url) == expected


def test_url_secrets_lists_what_must_not_leak() -> None:
    assert set(url_secrets("https://u:pw@h/x?sig=s1&page=2")) == {"pw", "s1"}


def test_redactor_masks_secrets_in_any_form() -> None:
    redact = Redactor(["p@ss word!", None, "ab"])
    text = redact("login p@ss word! failed; url has p%40ss%20word%21; tab ab; see http://x:y@h/")
    assert "p@ss" not in text and "p%40ss" not in text
    assert "tab" in text and f" {MASK};" in text  # short secrets only as whole words
    assert "x:y@" not in text and f"http://x:{MASK}@h/" in text


# --- digests ----------------------------------------------------------------------------------


def digest(**changes: object) -> DigestMessage:
    item = DigestItem(
        event_id="evt-7",
        region="Jharkhand",
        party="INC",
        change="new",
        title=TITLE,
        summary="INC · meeting",
        lang="hi",
        details=EventFields(
            date="2023-10-19",
            time=None,
            status="held",
            mode="online",
            place=None,
        ),
        evidence=SENTENCE,
        sources=(SourceRef("hindustan", "https://example.in/a?x=1&y=2", TITLE, None),),
    )
    base = DigestMessage(
        alert_id="newsmon:digest-daily:mail:2023-10-21",
        route="daily",
        period_start="2023-10-20T02:30:00Z",
        period_end="2023-10-21T02:30:00Z",
        timezone="Asia/Kolkata",
        lang="hi",
        items=(item,),
        created_at="2023-10-21T02:30:00Z",
    )
    return replace(base, **changes)  # type: ignore[arg-type]


def test_digest_payload_round_trips_and_is_told_apart_by_schema() -> None:
    original = digest()
    payload = json.loads(json.dumps(original.to_payload()))
    assert payload["schema"] == DIGEST_SCHEMA == "newsmon.digest/1"
    assert parse_payload(payload) == original
    assert parse_payload(message().to_payload()) == message()
    with pytest.raises(ValueError):
        parse_payload({"schema": "newsmon.digest/9"})


def test_digest_html_escapes_scraped_text_and_only_links_web_urls() -> None:
    [item] = digest().items
    hostile = replace(
        item,
        title="<script>x</script>",
        sources=(SourceRef("<b>evil</b>", "javascript:alert(1)", "t", None),),
    )
    page = render_html(digest(items=(hostile,)))
    assert "<script>" not in page and "&lt;b&gt;evil&lt;/b&gt;" in page
    assert 'href="javascript' not in page
    assert '<a href="https://example.in/a?x=1&amp;y=2">' in render_html(digest())


def test_digest_reads_in_the_language_of_its_events() -> None:
    hindi = render_text(digest())
    assert "20 Oct 2023 08:00 से 21 Oct 2023 08:00 तक" in hindi and "[नई]" in hindi
    english = render_subject(digest(lang="en"))
    assert english == "[newsmon] Digest daily: 1 event, 21 Oct 2023"


# The receiver-side check as the README shows it, kept verbatim so the docs stay right.
def readme_verify(secret: str, headers: dict[str, str], body: bytes, tolerance: int = 300) -> bool:
    import hashlib
    import hmac
    import time

    timestamp = headers["X-Newsmon-Timestamp"]
    if abs(time.time() - int(timestamp)) > tolerance:
        return False  # too old: a replay
    signed = f"{timestamp}.".encode() + body
    expected = "sha256=" + hmac.new(secret.encode(), signed, hashlib.sha256).hexdigest()
    return hmac.compare_digest(expected, headers["X-Newsmon-Signature"])


def test_the_documented_receiver_check_accepts_our_requests_only() -> None:
    from monitor.alerts.channels.webhook import WebhookChannel

    headers, body = WebhookChannel("w", "http://127.0.0.1:9/", "s3cret").build_request(message())
    assert readme_verify("s3cret", headers, body)
    assert not readme_verify("other", headers, body)
    assert not readme_verify("s3cret", headers, body.replace(b"INC", b"BJP"))


def test_email_keeps_every_space_of_a_long_hindi_subject_and_short_body_lines() -> None:
    import email
    import email.policy

    from monitor.alerts.channels.email import EmailChannel

    title = (
        "लोकसभा चुनाव 2024 की तैयारी में झामुमोः 21 नवंबर को सीएम हेमंत सोरेन करेंगे राज्य भर "
        "के पार्टी पदाधिकारियों के साथ ऑनलाइन संवाद"
    )
    channel = EmailChannel("mail", "127.0.0.1", 25, "newsmon@example.org", ["desk@example.org"])
    alert = message(title=title, evidence=((title * 3, ()),))
    raw = channel.build_message(alert).as_bytes()
    parsed = email.message_from_bytes(raw, policy=email.policy.default)
    assert str(parsed["Subject"]) == render_subject(alert)
    body = raw.partition(b"\n\n")[2]
    # RFC 2045: encoded body lines of at most 76 characters; only headers may run longer.
    assert max(len(line) for line in body.splitlines()) <= 78
    plain = parsed.get_body(("plain",))
    assert plain is not None and title in plain.get_content()

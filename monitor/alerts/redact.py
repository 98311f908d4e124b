"""Keep secrets out of descriptions, logs and delivery errors.

Channels are configured with passwords, HMAC secrets, and URLs that carry credentials or
tokens. Anything a channel says about itself or about a failure passes through here first.
"""

from __future__ import annotations

import logging
import re
import threading
from collections.abc import Iterable
from typing import Final
from urllib.parse import parse_qsl, quote, urlencode, urlsplit, urlunsplit

MASK: Final = "***"

# Query parameter names whose values are credentials in the services alerts go to.
_SECRET_PARAMS: Final = re.compile(
    r"(pass|pwd|secret|token|key|auth|sig|signature|credential|session|code)", re.IGNORECASE
)
# Path segments that look generated (Slack/Discord/Teams webhook tokens): long, and mixing
# letters with digits, or very long. Readable paths like /hooks/newsmon stay visible.
_TOKEN_SEGMENT: Final = re.compile(
    r"^(?=[A-Za-z0-9_\-.~%]{16,}$)(?=.*\d)(?=.*[A-Za-z]).*$|^[A-Za-z0-9_\-.~%]{32,}$"
)
# A URL runs to the next space or quote; punctuation right after it belongs to the sentence.
_URL_IN_TEXT: Final = re.compile(r"[A-Za-z][A-Za-z0-9+.\-]*://[^\s'\"<>]*[^\s'\"<>.,;:)]")
# Shorter secrets are masked only where they stand alone, so a secret like "ab" does not
# shred every word that contains those letters.
_SHORT_SECRET: Final = 6


def redact_url(url: str) -> str:
    """Mask the password, token-like path segments and secret query values of a URL.

    The scheme, host, port, user name and readable path stay, so the result still says where
    alerts go.
    """
    try:
        parts = urlsplit(url)
        port = parts.port
    except ValueError:
        return MASK
    netloc = parts.hostname or ""
    if ":" in netloc:  # an IPv6 literal needs its brackets back
        netloc = f"[{netloc}]"
    if port is not None:
        netloc = f"{netloc}:{port}"
    if parts.username is not None:
        user = parts.username if parts.password is None else f"{parts.username}:{MASK}"
        netloc = f"{user}@{netloc}"
    path = "/".join(
        MASK if _TOKEN_SEGMENT.match(segment) else segment for segment in parts.path.split("/")
    )
    query = urlencode(
        [
            (k, MASK if _SECRET_PARAMS.search(k) else v)
            for k, v in parse_qsl(parts.query, keep_blank_values=True)
        ],
        safe="*",
    )
    return urlunsplit((parts.scheme, netloc, path, query, ""))


def url_secrets(url: str) -> tuple[str, ...]:
    """The parts of a URL that must not appear anywhere: password and secret query values."""
    try:
        parts = urlsplit(url)
    except ValueError:
        return (url,)
    found = [parts.password or ""]
    found += [v for k, v in parse_qsl(parts.query) if _SECRET_PARAMS.search(k)]
    found += [s for s in parts.path.split("/") if _TOKEN_SEGMENT.match(s)]
    return tuple(s for s in found if s)


class Redactor:
    """Masks a fixed set of secrets, and any URL, in free text such as exception messages."""

    def __init__(self, secrets: Iterable[str | None] = ()) -> None:
        variants: set[str] = set()
        for secret in secrets:
            if secret:
                # An error message may quote the secret as it appeared in a URL.
                variants.update({secret, quote(secret, safe=""), quote(secret)})
        # Longest first so a secret containing another is masked whole.
        self._secrets = sorted(variants, key=len, reverse=True)

    @property
    def secrets(self) -> tuple[str, ...]:
        return tuple(self._secrets)

    def __call__(self, text: str) -> str:
        for secret in self._secrets:
            if len(secret) >= _SHORT_SECRET:
                text = text.replace(secret, MASK)
            else:
                text = re.sub(rf"(?<!\w){re.escape(secret)}(?!\w)", MASK, text)
        return _URL_IN_TEXT.sub(lambda m: redact_url(m.group(0)), text)


_GUARD_LOCK = threading.Lock()


class _RedactingFilter(logging.Filter):
    """Rewrites a library's log records so the secrets of our channels do not appear in them."""

    def __init__(self) -> None:
        super().__init__()
        self._redactors: dict[tuple[str, ...], Redactor] = {}
        self._lock = threading.Lock()

    def add(self, redactor: Redactor) -> None:
        with self._lock:
            self._redactors.setdefault(tuple(redactor.secrets), redactor)

    def filter(self, record: logging.LogRecord) -> bool:
        message = record.getMessage()
        with self._lock:
            redactors = list(self._redactors.values())
        clean = message
        for redact in redactors:
            clean = redact(clean)
        if clean != message:
            record.msg, record.args = clean, None
        return True


def guard_logger(name: str, redactor: Redactor) -> None:
    """Mask ``redactor``'s secrets, and any URL's credentials, in what logger ``name`` logs.

    httpx logs every request's full URL at INFO, query string included, and a webhook URL's
    query often carries its token. Only a filter is added: levels and handlers stay the
    application's choice.
    """
    logger = logging.getLogger(name)
    with _GUARD_LOCK:
        guard = next((f for f in logger.filters if isinstance(f, _RedactingFilter)), None)
        if guard is None:
            guard = _RedactingFilter()
            logger.addFilter(guard)
    guard.add(redactor)

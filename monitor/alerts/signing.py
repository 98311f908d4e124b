"""HMAC-SHA256 signatures for webhook bodies.

The signed string is ``f"{timestamp}." + body``: binding the timestamp into the signature lets a
receiver refuse replays of an old, captured request without keeping any state.
"""

from __future__ import annotations

import hashlib
import hmac
import time as _time
from typing import Final

PREFIX: Final = "sha256="
TIMESTAMP_HEADER: Final = "X-Newsmon-Timestamp"
SIGNATURE_HEADER: Final = "X-Newsmon-Signature"


def sign(secret: str, timestamp: str, body: bytes) -> str:
    """Return ``"sha256=" + hex(HMAC-SHA256(secret, timestamp + "." + body))``."""
    digest = hmac.new(secret.encode("utf-8"), f"{timestamp}.".encode() + body, hashlib.sha256)
    return PREFIX + digest.hexdigest()


def verify(
    secret: str,
    timestamp: str,
    body: bytes,
    signature: str,
    *,
    tolerance_s: int = 300,
    now: float | None = None,
) -> bool:
    """Check a signature and that its timestamp is within ``tolerance_s`` of ``now``.

    The comparison is constant-time so the check does not leak how much of a forged signature
    was right.
    """
    try:
        sent_at = int(timestamp)
    except ValueError:
        return False
    current = _time.time() if now is None else now
    if abs(current - sent_at) > tolerance_s:
        return False
    expected = sign(secret, timestamp, body)
    return hmac.compare_digest(expected.encode("ascii"), signature.strip().encode("utf-8"))

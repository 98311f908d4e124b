"""Reading an outbox row back into the message it holds, whichever schema it was written in."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from monitor.alerts.digest_message import DIGEST_SCHEMA, DigestMessage
from monitor.alerts.message import AlertMessage
from monitor.alerts.operator_message import OPERATOR_SCHEMA, OperatorMessage

Message = AlertMessage | DigestMessage | OperatorMessage


def parse_payload(payload: Mapping[str, Any]) -> Message:
    """Raises ``ValueError`` for an unknown schema or a malformed payload."""
    if payload.get("schema") == DIGEST_SCHEMA:
        return DigestMessage.from_payload(payload)
    if payload.get("schema") == OPERATOR_SCHEMA:
        return OperatorMessage.from_payload(payload)
    return AlertMessage.from_payload(payload)

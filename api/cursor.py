"""Opaque, tamper-evident keyset cursors: the last row's sort values, bound to the query that made them."""

from __future__ import annotations

import base64
import hashlib
import hmac
import json
import math
from typing import Any

MAX_CURSOR_LENGTH = 2048
MAX_EXACT_INTEGER = 2**53  # beyond it JSON and SQLite disagree; past 2**63 SQLite cannot bind it at all
_TAG_BYTES = 16


class BadCursor(ValueError):
    """The cursor was modified, truncated, or made for another query."""


def _tag(secret: str, fingerprint: str, payload: bytes) -> bytes:
    return hmac.new(secret.encode(), fingerprint.encode() + b"\0" + payload, hashlib.sha256).digest()[:_TAG_BYTES]


def encode_cursor(after: list[Any], fingerprint: str, secret: str) -> str:
    """Sign the keyset values together with the query's fingerprint."""
    payload = json.dumps(after, separators=(",", ":"), ensure_ascii=False).encode()
    return _encode(_tag(secret, fingerprint, payload) + payload)


def _encode(raw: bytes) -> str:
    return base64.urlsafe_b64encode(raw).rstrip(b"=").decode()


def decode_cursor(cursor: str, fingerprint: str, secret: str, width: int) -> list[Any]:
    """The keyset values of a cursor made by ``encode_cursor`` for this very query."""
    if not cursor or len(cursor) > MAX_CURSOR_LENGTH:
        raise BadCursor("cursor is empty or too long")
    try:
        raw = base64.urlsafe_b64decode(cursor + "=" * (-len(cursor) % 4))
    except (ValueError, TypeError):
        raise BadCursor("cursor is not valid base64url") from None
    # The decoder ignores stray characters and unused trailing bits, so several strings decode to the same bytes;
    # only the one spelling encode_cursor produces is accepted, making every edit to a cursor detectable.
    if _encode(raw) != cursor:
        raise BadCursor("cursor was modified; start again without it")
    tag, payload = raw[:_TAG_BYTES], raw[_TAG_BYTES:]
    if not hmac.compare_digest(tag, _tag(secret, fingerprint, payload)):
        raise BadCursor("cursor was modified or belongs to another query; start again without it")
    try:
        after = json.loads(payload)
    except ValueError:
        raise BadCursor("cursor is not a cursor of this API") from None
    if not isinstance(after, list) or len(after) != width or not all(_keyset_value(v) for v in after):
        raise BadCursor("cursor does not match this query")
    return after


def _keyset_value(value: Any) -> bool:
    """A value a sort column can hold: text, a number SQLite and JSON agree on, or null (never a list, an object, 10**30)."""
    if value is None or isinstance(value, str):
        return True
    if isinstance(value, bool):
        return False
    if isinstance(value, int):
        return abs(value) <= MAX_EXACT_INTEGER
    return isinstance(value, float) and math.isfinite(value)

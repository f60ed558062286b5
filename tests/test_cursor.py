"""Cursors round-trip and reject anything modified or made for another query."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from api.cursor import BadCursor, decode_cursor, encode_cursor

# What a sort column holds as SQLite gives it back (booleans come back as 0 and 1).
values = st.lists(
    st.one_of(st.none(), st.integers(-(2**53), 2**53), st.text(max_size=30), st.floats(allow_nan=False, allow_infinity=False)), min_size=1, max_size=5
)


@given(values, st.text(max_size=50))
def test_round_trip(after: list, fingerprint: str) -> None:
    cursor = encode_cursor(after, fingerprint, "secret")
    assert decode_cursor(cursor, fingerprint, "secret", len(after)) == after


@given(values, st.integers(min_value=0, max_value=200), st.sampled_from("AZaz09-_"))
def test_any_modification_is_rejected(after: list, position: int, char: str) -> None:
    cursor = encode_cursor(after, "q", "secret")
    i = position % len(cursor)
    tampered = cursor[:i] + char + cursor[i + 1 :]
    if tampered != cursor:
        with pytest.raises(BadCursor):
            decode_cursor(tampered, "q", "secret", len(after))


def test_foreign_query_or_secret_is_rejected() -> None:
    cursor = encode_cursor(["2025-01-20", "deepseek-r1"], "query-a", "secret")
    with pytest.raises(BadCursor):
        decode_cursor(cursor, "query-b", "secret", 2)
    with pytest.raises(BadCursor):
        decode_cursor(cursor, "query-a", "other-secret", 2)


@given(st.text(max_size=300))
def test_garbage_is_rejected_cleanly(text: str) -> None:
    with pytest.raises(BadCursor):
        decode_cursor(text, "q", "secret", 2)


def test_unused_trailing_bits_and_stray_characters_are_rejected() -> None:
    """Base64 decoders forgive these; a cursor must not, or an edited cursor would pass as the original."""
    cursor = encode_cursor([None, -1000, -1000, "x"], "q", "secret")
    assert decode_cursor(cursor, "q", "secret", 4)
    for tampered in (cursor[:53] + "Z" + cursor[54:], cursor[:10] + "." + cursor[10:], cursor + "="):
        if tampered != cursor:
            with pytest.raises(BadCursor):
                decode_cursor(tampered, "q", "secret", 4)

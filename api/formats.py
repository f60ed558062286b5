"""Serialising pre-rendered records as JSON lists, NDJSON and CSV; no Flask."""

from __future__ import annotations

import csv
import io
import json
from collections.abc import Iterable, Iterator
from typing import Any

FORMATS = {"json": "application/json", "ndjson": "application/x-ndjson", "csv": "text/csv"}
MEDIA_TYPES = {**{v: k for k, v in FORMATS.items()}, "application/ndjson": "ndjson"}
LIST_SEPARATOR = "; "


def to_json(value: Any) -> str:
    return json.dumps(value, ensure_ascii=False, separators=(",", ":"))


def list_document(bodies: Iterable[str], links: dict[str, Any], meta: dict[str, Any]) -> Iterator[str]:
    """A JSON list document assembled from pre-rendered records, without re-parsing them."""
    yield '{"data":['
    for i, body in enumerate(bodies):
        yield ("," if i else "") + body
    yield '],"links":' + to_json(links) + ',"meta":' + to_json(meta) + "}"


def ndjson_lines(bodies: Iterable[str]) -> Iterator[str]:
    """One record per line (the stored JSON has no newlines)."""
    for body in bodies:
        yield body + "\n"


def _cell(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, list):
        return LIST_SEPARATOR.join(v if isinstance(v, str) else to_json(v) for v in value)
    if isinstance(value, dict):
        return to_json(value)
    return str(value)


def csv_rows(columns: list[str], bodies: Iterable[str]) -> Iterator[str]:
    """A header, then one RFC 4180 row per record; lists joined by "; ", objects as JSON."""
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\r\n")

    def flush(row: list[str]) -> str:
        writer.writerow(row)
        text = buffer.getvalue()
        buffer.seek(0)
        buffer.truncate()
        return text

    yield flush(columns)
    for body in bodies:
        record = json.loads(body)
        yield flush([_cell(record.get(c)) for c in columns])

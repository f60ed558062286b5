"""Write rendered records to a new SQLite file, verify it, and atomically replace the old one."""

from __future__ import annotations

import hashlib
import os
import sqlite3
from collections import Counter
from pathlib import Path
from typing import Any

import sqlite_utils

from api.builder.counts import write_counts
from api.builder.load import Record
from api.builder.render import Renderer, TimelineEntry
from api.formats import to_json
from api.tables import (
    BODY_COLUMN,
    CHANGES,
    COLLECTIONS,
    LINKS_TABLE,
    META_TABLE,
    NAMES_TABLE,
    RECORD_TABLES,
    TIMELINE,
    VALID_FROM,
    VALID_UNTIL,
    VERSION_LINKS_TABLE,
    Collection,
    folded,
    versions_table,
)


def _row(collection: Collection, body: dict[str, Any]) -> dict[str, Any]:
    """A table row: the scalar columns for filters and sorts, and the body served as is."""
    row: dict[str, Any] = {}
    for column in collection.columns:
        value = body.get(column.name)
        row[column.name] = int(value) if column.kind == "bool" and value is not None else value
    row[BODY_COLUMN] = to_json(body)
    return row


def _link_rows(collection: Collection, record_id: str, body: dict[str, Any]) -> list[dict[str, Any]]:
    """One row per relation of a record (scalar or list, authored or derived): filters by membership and related lists."""
    rows = []
    for field, target in collection.relations.items():
        value = body.get(field)
        for target_id in value if isinstance(value, list) else [value] if value else []:
            rows.append({"record_type": collection.name, "record_id": record_id, "field": field, "target_type": target, "target_id": target_id})
    return rows


def _built_rows(collection: Collection, entries: list[TimelineEntry]) -> tuple[list[dict[str, Any]], list[dict[str, Any]]]:
    """Rows of a built collection (the timeline, the changes) and the links to the records each entry involves."""
    rows, links = [], []
    for entry, parts in entries:
        rows.append(_row(collection, entry))
        links += [
            {"record_type": collection.name, "record_id": entry["id"], "field": "participants", "target_type": t, "target_id": i} for t, i in parts
        ]
    return rows, links


def _name_rows(records: list[Record]) -> list[dict[str, Any]]:
    """Every name of every record (name, title, short and native names, aliases), folded for an exact search match."""
    rows = {}
    for record in records:
        collection = COLLECTIONS[record.collection]
        for field in collection.label_names:
            values = record.data.get(field)
            for value in values if isinstance(values, list) else [values]:
                if value:
                    key = (record.collection, folded(value), record.id)
                    rows[key] = {"collection": key[0], "name": key[1], "id": key[2]}
    return list(rows.values())


def _create_tables(db: sqlite_utils.Database) -> None:
    foreign_keys: list[tuple[str, str, str, str]] = []
    for collection in RECORD_TABLES.values():
        columns: dict[str, Any] = {c.name: c.sql_type for c in collection.columns}
        columns[BODY_COLUMN] = str
        db.table(collection.name).create(columns, pk="id", not_null={"id", BODY_COLUMN})
        foreign_keys += [(collection.name, c.name, str(c.target), "id") for c in collection.columns if c.kind == "ref"]
    db.table(LINKS_TABLE).create(
        {"record_type": str, "record_id": str, "field": str, "target_type": str, "target_id": str},
        pk=("record_type", "record_id", "field", "target_id"),
    )
    for collection in COLLECTIONS.values():
        columns = {c.name: c.sql_type for c in collection.columns}
        columns.update({"version": int, VALID_FROM: str, VALID_UNTIL: str, BODY_COLUMN: str})
        db.table(versions_table(collection)).create(columns, pk=("id", "version"), not_null={"id", "version", BODY_COLUMN})
    db.table(VERSION_LINKS_TABLE).create(
        {"record_type": str, "record_id": str, "version": int, VALID_FROM: str, VALID_UNTIL: str, "field": str, "target_type": str, "target_id": str},
        pk=("record_type", "record_id", "version", "field", "target_id"),
    )
    db.table(META_TABLE).create({"key": str, "value": str}, pk="key")
    # Added once every table exists: references run both ways and to the same table.
    db.add_foreign_keys(foreign_keys)


def _create_indexes(db: sqlite_utils.Database) -> None:
    for collection in RECORD_TABLES.values():
        table = db.table(collection.name)
        for column in collection.columns:
            if column.name != "id" and column.kind != "str":
                table.create_index([column.name, "id"])
        table.enable_fts(list(collection.text_fields), tokenize="porter unicode61 remove_diacritics 2")
        table.populate_fts(list(collection.text_fields))
    db.table(LINKS_TABLE).create_index(["target_type", "target_id", "record_type"])
    db.table(LINKS_TABLE).create_index(["record_type", "field", "target_id"])
    db.table(VERSION_LINKS_TABLE).create_index(["record_type", "field", "target_id"])


def state_window(content_hash: str, boundaries: set[str], today: str) -> dict[str, str]:
    """The data version, and the days between which the current states served hold.

    Without ``as_of`` a body shows the statuses and prices of the build day, so the version names the fixtures and
    the last change of state on or before that day (two builds between the same changes serve the same bytes), and
    ``current_until`` is the next scheduled change: from that day on the database is stale and is rebuilt.
    """
    since = max((day for day in boundaries if day <= today), default="")
    until = min((day for day in boundaries if day > today), default="")
    version = hashlib.blake2b(f"{content_hash}|{since}".encode(), digest_size=6).hexdigest()
    return {"version": version, "states_since": since, "current_until": until}


def write_database(records: list[Record], target: Path, meta: dict[str, Any]) -> dict[str, Any]:
    """Write a complete database next to ``target``, verify it, then atomically rename it into place.

    Returns the meta it stored (with the version and the window of its current states)."""
    target.parent.mkdir(parents=True, exist_ok=True)
    temp = target.with_name(f".{target.name}.{os.getpid()}.tmp")
    temp.unlink(missing_ok=True)
    try:
        renderer = Renderer(records, today=meta["built_at"][:10])
        db = sqlite_utils.Database(temp)
        with db.atomic():
            _create_tables(db)
            links: list[dict[str, Any]] = []
            changes = []
            boundaries: set[str] = set()  # the days on which some record's state changes
            for name, collection in COLLECTIONS.items():
                rows, version_rows, version_links = [], [], []
                for record in sorted((r for r in records if r.collection == name), key=lambda r: r.id):
                    body = renderer.body(record)
                    rows.append(_row(collection, body))
                    links += _link_rows(collection, record.id, body)
                    runs = renderer.versions(record)
                    boundaries.update(run.valid_from for run in runs if run.valid_from)
                    for number, run in enumerate(runs):
                        valid = {"version": number, VALID_FROM: run.valid_from, VALID_UNTIL: run.valid_until}
                        version_rows.append({**_row(collection, run.view), **valid})
                        version_links += [{**link, **valid} for link in _link_rows(collection, record.id, run.view)]
                    changes += renderer.changes(record, runs)
                db.table(name).insert_all(rows)
                db.table(versions_table(collection)).insert_all(version_rows)
                db.table(VERSION_LINKS_TABLE).insert_all(version_links)
            for built, entries in ((TIMELINE, renderer.timeline()), (CHANGES, changes)):
                built_rows, built_links = _built_rows(built, entries)
                db.table(built.name).insert_all(built_rows)
                links += built_links
            db.table(LINKS_TABLE).insert_all(links)
            db.table(NAMES_TABLE).insert_all(_name_rows(records), pk=("collection", "name", "id"))
            counts = Counter(r.collection for r in records)
            meta = {
                **meta,
                **state_window(meta["content_hash"], boundaries, renderer.today),
                "counts": to_json({name: counts.get(name, 0) for name in COLLECTIONS}),
            }
            db.table(META_TABLE).insert_all({"key": k, "value": str(v)} for k, v in meta.items())
            _create_indexes(db)
            write_counts(db.conn)
        _verify(db.conn)
        db.conn.execute("ANALYZE")
        db.close()
        with open(temp, "rb") as handle:
            os.fsync(handle.fileno())
        os.replace(temp, target)
        _fsync_dir(target.parent)
    finally:
        temp.unlink(missing_ok=True)
    return meta


def _verify(conn: sqlite3.Connection) -> None:
    result = conn.execute("PRAGMA integrity_check").fetchone()[0]
    if result != "ok":
        raise RuntimeError(f"integrity check failed: {result}")
    bad = conn.execute("PRAGMA foreign_key_check").fetchall()
    if bad:
        raise RuntimeError(f"foreign key check failed: {bad[:5]}")


def _fsync_dir(path: Path) -> None:
    fd = os.open(path, os.O_RDONLY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)

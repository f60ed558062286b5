"""Render validated records and write them to a new SQLite file, atomically replacing the old one."""

from __future__ import annotations

import json
import os
import sqlite3
from collections import Counter
from pathlib import Path
from typing import Any

import sqlite_utils

from api.build.checks import iter_citations
from api.build.load import Record
from api.tables import (
    ALL_TABLES,
    BODY_COLUMN,
    CITATIONS_TABLE,
    COLLECTIONS,
    LINKS_TABLE,
    META_TABLE,
    TIMELINE,
    Collection,
)
from schema.fields import date_precision


def _dumps(value: Any) -> str:
    return json.dumps(value, ensure_ascii=False, separators=(",", ":"))


class Renderer:
    """Turns loaded records into the JSON bodies the API serves, resolving source details."""

    def __init__(self, records: list[Record]) -> None:
        self.sources = {r.id: r.data for r in records if r.collection == "sources"}
        self.cited_by: dict[str, list[dict[str, Any]]] = {}
        for r in records:
            for path, citation in iter_citations(r.data):
                role = path.split(".")[0]  # citations, claims or disputes
                entry = {"type": COLLECTIONS[r.collection].path, "id": r.id, "role": role.rstrip("s"), "fields": citation["fields"]}
                self.cited_by.setdefault(citation["source"], []).append(entry)

    def citation(self, c: dict[str, Any]) -> dict[str, Any]:
        source = self.sources[c["source"]]
        return {
            "source": c["source"],
            "source_title": source["title"],
            "source_url": source.get("url"),
            "fields": c["fields"],
            "quote": c.get("quote"),
            "locator": c.get("locator"),
        }

    def body(self, record: Record) -> dict[str, Any]:
        collection = COLLECTIONS[record.collection]
        out: dict[str, Any] = {}
        # Facts first, provenance last: the order a reader wants.
        ordered = sorted(record.data.items(), key=lambda kv: kv[0] in ("citations", "disputes", "claims"))
        for name, value in ordered:
            if name == "citations":
                value = [self.citation(c) for c in value]
            elif name == "disputes":
                value = [
                    {**d, "alternatives": [{**a, "citations": [self.citation(c) for c in a["citations"]]} for a in d["alternatives"]]} for d in value
                ]
            elif name == "claims" or name in collection.self_cited:
                value = [{**c, "citations": [self.citation(x) for x in c["citations"]]} for c in value]
            out[name] = value
            if name in collection.date_fields:
                out[f"{name}_precision"] = date_precision(value) if value else None
        if record.collection == "sources":
            out["cited_by"] = self.cited_by.get(record.id, [])
        return out


def _row(collection: Collection, record: Record, body: dict[str, Any]) -> dict[str, Any]:
    row: dict[str, Any] = {}
    for column in collection.columns:
        value = body.get(column.name)
        row[column.name] = int(value) if column.kind == "bool" and value is not None else value
    row[BODY_COLUMN] = _dumps(body)
    return row


MILESTONE_VERBS = {"signed": "signed", "published": "published", "effective": "takes effect", "revoked": "revoked"}
EVENT_RELATIONS = {"companies": "companies", "models": "ai_models", "policies": "policies", "people": "people", "chips": "chips"}


def timeline_entries(records: list[Record]) -> list[tuple[dict[str, Any], list[tuple[str, str]]]]:
    """Events, model releases and policy milestones as dated entries, each with its participants.

    A model release already told by a model-release event on the same date is not repeated.
    """
    data = {(r.collection, r.id): r.data for r in records}
    told = {(model, d["date"]) for (kind, _), d in data.items() if kind == "events" and d["type"] == "model-release" for model in d["models"]}
    entries: list[tuple[dict[str, Any], list[tuple[str, str]]]] = []

    def add(record_type: str, record_id: str, suffix: str, date: str, kind: str, title: str, country: Any, parts: list) -> None:
        entry = {
            "id": f"{record_type}-{record_id}{suffix}",
            "date": date,
            "date_precision": date_precision(date),
            "kind": kind,
            "title": title,
            "record_type": record_type,
            "record_id": record_id,
            "url": f"/v1/{record_type}/{record_id}",
            "country": country,
            "participants": list(dict.fromkeys(target_id for _, target_id in parts)),
        }
        entries.append((entry, parts))

    for (kind, rid), d in sorted(data.items()):
        if kind == "events":
            parts = [(target, i) for field, target in EVENT_RELATIONS.items() for i in d[field]]
            add("events", rid, "", d["date"], d["type"], d["title"], d.get("country"), parts)
        elif kind == "ai_models" and d.get("release_date") and (rid, d["release_date"]) not in told:
            country = data.get(("companies", d["developer"]), {}).get("country")
            parts = [("companies", d["developer"]), ("ai_models", rid)]
            add("models", rid, "-released", d["release_date"], "model-release", f"{d['name']} released", country, parts)
        elif kind == "policies":
            parts = [("policies", rid)] + ([("companies", d["issuing_body"])] if d.get("issuing_body") else [])
            label = d.get("short_name") or d["name"]
            for milestone, verb in MILESTONE_VERBS.items():
                if d.get(milestone):
                    add("policies", rid, f"-{milestone}", d[milestone], f"policy-{milestone}", f"{label} {verb}", d["jurisdiction"], parts)
    return entries


def _write_timeline(db: sqlite_utils.Database, records: list[Record]) -> None:
    columns: dict[str, Any] = {c.name: c.sql_type for c in TIMELINE.columns}
    db.table(TIMELINE.name).create({**columns, BODY_COLUMN: str}, pk="id", not_null={"id", BODY_COLUMN})
    rows, links = [], []
    for entry, parts in timeline_entries(records):
        rows.append({**{c.name: entry[c.name] for c in TIMELINE.columns}, BODY_COLUMN: _dumps(entry)})
        links += [
            {"record_type": TIMELINE.name, "record_id": entry["id"], "field": "participants", "target_type": t, "target_id": i}
            for t, i in dict.fromkeys(parts)
        ]
    db.table(TIMELINE.name).insert_all(rows)
    db.table(LINKS_TABLE).insert_all(links)


def _create_tables(db: sqlite_utils.Database) -> None:
    foreign_keys: list[tuple[str, str, str, str]] = []
    for collection in COLLECTIONS.values():
        columns: dict[str, Any] = {c.name: c.sql_type for c in collection.columns}
        columns[BODY_COLUMN] = str
        db.table(collection.name).create(columns, pk="id", not_null={"id", BODY_COLUMN})
        foreign_keys += [(collection.name, c.name, str(c.target), "id") for c in collection.columns if c.kind == "ref"]
    db.table(LINKS_TABLE).create(
        {"record_type": str, "record_id": str, "field": str, "target_type": str, "target_id": str},
        pk=("record_type", "record_id", "field", "target_id"),
    )
    db.table(CITATIONS_TABLE).create(
        {"record_type": str, "record_id": str, "position": int, "source_id": str, "fields": str, "quote": str, "locator": str},
        pk=("record_type", "record_id", "position"),
    )
    db.table(META_TABLE).create({"key": str, "value": str}, pk="key")
    # Added once every table exists: references run both ways and to the same table.
    db.add_foreign_keys([*foreign_keys, (CITATIONS_TABLE, "source_id", "sources", "id")])


def _create_indexes(db: sqlite_utils.Database) -> None:
    for collection in ALL_TABLES.values():
        table = db.table(collection.name)
        for column in collection.columns:
            if column.name != "id" and column.kind != "str":
                table.create_index([column.name, "id"])
        table.enable_fts(list(collection.text_fields), tokenize="unicode61 remove_diacritics 2")
        table.populate_fts(list(collection.text_fields))
    db.table(LINKS_TABLE).create_index(["target_type", "target_id", "record_type"])
    db.table(LINKS_TABLE).create_index(["record_type", "field", "target_id"])
    db.table(CITATIONS_TABLE).create_index(["source_id"])


def write_database(records: list[Record], target: Path, meta: dict[str, Any]) -> None:
    """Write a complete database next to ``target``, verify it, then atomically rename it into place."""
    target.parent.mkdir(parents=True, exist_ok=True)
    temp = target.with_name(f".{target.name}.{os.getpid()}.tmp")
    temp.unlink(missing_ok=True)
    try:
        renderer = Renderer(records)
        db = sqlite_utils.Database(temp)
        with db.atomic():
            _create_tables(db)
            by_collection: dict[str, list[Record]] = {}
            for record in records:
                by_collection.setdefault(record.collection, []).append(record)
            for name, collection in COLLECTIONS.items():
                rows = [_row(collection, r, renderer.body(r)) for r in sorted(by_collection.get(name, []), key=lambda r: r.id)]
                db.table(name).insert_all(rows)
            db.table(LINKS_TABLE).insert_all(_link_rows(records))
            db.table(CITATIONS_TABLE).insert_all(_citation_rows(records))
            _write_timeline(db, records)
            counts = Counter(r.collection for r in records)
            meta = {**meta, "counts": _dumps({name: counts.get(name, 0) for name in COLLECTIONS})}
            db.table(META_TABLE).insert_all({"key": k, "value": str(v)} for k, v in meta.items())
            _create_indexes(db)
        _verify(db.conn)
        db.conn.execute("ANALYZE")
        db.close()
        with open(temp, "rb") as handle:
            os.fsync(handle.fileno())
        os.replace(temp, target)
        _fsync_dir(target.parent)
    finally:
        temp.unlink(missing_ok=True)


def _link_rows(records: list[Record]) -> list[dict[str, Any]]:
    rows = []
    for record in records:
        collection = COLLECTIONS[record.collection]
        for field, target in collection.list_refs.items():
            for target_id in record.data.get(field, []):
                rows.append({"record_type": record.collection, "record_id": record.id, "field": field, "target_type": target, "target_id": target_id})
        for column in collection.columns:
            if column.kind == "ref" and record.data.get(column.name):
                rows.append(
                    {
                        "record_type": record.collection,
                        "record_id": record.id,
                        "field": column.name,
                        "target_type": column.target,
                        "target_id": record.data[column.name],
                    }
                )
    return rows


def _citation_rows(records: list[Record]) -> list[dict[str, Any]]:
    return [
        {
            "record_type": record.collection,
            "record_id": record.id,
            "position": position,
            "source_id": c["source"],
            "fields": _dumps(c["fields"]),
            "quote": c.get("quote"),
            "locator": c.get("locator"),
        }
        for record in records
        for position, c in enumerate(record.data.get("citations", []))
    ]


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

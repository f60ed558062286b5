"""Counts the build makes once, so that totals and facets of the common queries cost a lookup: records per value of
every filterable column (dates per year, month and day), per related record of every list relation, and per record
of each related list (the records naming it by any relation)."""

from __future__ import annotations

import sqlite3

from api.tables import COUNTED_KINDS, COUNTS_TABLE, LINKS_TABLE, PARTICIPANTS, RECORD_TABLES, RELATED, TOTAL, Collection

DATE_PREFIXES = (4, 7, 10)  # a year, a month, a day: the periods `date=` matches


def counted_columns(collection: Collection) -> list[str]:
    return [c.name for c in collection.columns if c.kind in COUNTED_KINDS and c.name != "id"]


def write_counts(conn: sqlite3.Connection) -> None:
    """(Re)write the counts table from the record tables and links (the benchmark calls it after adding rows)."""
    conn.execute(f"DROP TABLE IF EXISTS {COUNTS_TABLE}")
    conn.execute(f"CREATE TABLE {COUNTS_TABLE} (collection TEXT NOT NULL, field TEXT NOT NULL, value, n INTEGER NOT NULL)")
    for collection in RECORD_TABLES.values():
        table = f'"{collection.name}"'
        conn.execute(f"INSERT INTO {COUNTS_TABLE} SELECT ?, ?, NULL, count(*) FROM {table}", (collection.name, TOTAL))
        for name in counted_columns(collection):
            column = collection.column_map[name]
            if column.kind == "date":
                for length in DATE_PREFIXES:
                    conn.execute(
                        f'INSERT INTO {COUNTS_TABLE} SELECT ?, ?, substr("{name}", 1, {length}), count(*) FROM {table}'
                        f' WHERE length("{name}") >= {length} GROUP BY substr("{name}", 1, {length})',
                        (collection.name, name),
                    )
                conn.execute(f'INSERT INTO {COUNTS_TABLE} SELECT ?, ?, NULL, count(*) FROM {table} WHERE "{name}" IS NULL', (collection.name, name))
            else:
                conn.execute(f'INSERT INTO {COUNTS_TABLE} SELECT ?, ?, "{name}", count(*) FROM {table} GROUP BY "{name}"', (collection.name, name))
        for field in collection.list_refs:
            conn.execute(
                f"INSERT INTO {COUNTS_TABLE} SELECT record_type, field, target_id, count(DISTINCT record_id) FROM {LINKS_TABLE}"
                " WHERE record_type = ? AND field = ? GROUP BY target_id",
                (collection.name, field),
            )
        for target in sorted(set(collection.relations.values())):
            conn.execute(
                f"INSERT INTO {COUNTS_TABLE} SELECT record_type, ?, target_id, count(DISTINCT record_id) FROM {LINKS_TABLE}"
                " WHERE record_type = ? AND target_type = ? GROUP BY target_id",
                (RELATED + target, collection.name, target),
            )
        if collection.participants:
            conn.execute(
                f"INSERT INTO {COUNTS_TABLE} SELECT record_type, ?, target_id, count(DISTINCT record_id) FROM {LINKS_TABLE}"
                " WHERE record_type = ? GROUP BY target_id",
                (PARTICIPANTS, collection.name),
            )
    conn.execute(f"DELETE FROM {COUNTS_TABLE} WHERE n = 0 AND field != ?", (TOTAL,))
    conn.execute(f"CREATE UNIQUE INDEX idx_{COUNTS_TABLE} ON {COUNTS_TABLE} (collection, field, value)")
    conn.execute(f"CREATE INDEX idx_{COUNTS_TABLE}_ranked ON {COUNTS_TABLE} (collection, field, n DESC, value)")

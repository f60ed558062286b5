"""Opening a built facts.db read-only, and reading the build metadata it carries."""

from __future__ import annotations

import sqlite3
from pathlib import Path

from api.tables import META_TABLE


def connect_read_only(database: Path) -> sqlite3.Connection:
    """A connection that cannot write: ``mode=ro`` for SQLite, ``query_only`` for this connection."""
    conn = sqlite3.connect(f"{database.resolve().as_uri()}?mode=ro", uri=True, check_same_thread=True)
    conn.execute("PRAGMA query_only = ON")
    return conn


def read_meta(database: Path) -> dict[str, str]:
    """The build metadata of a database (version, content hash, build time, counts as JSON)."""
    conn = connect_read_only(database)
    try:
        return dict(conn.execute(f"SELECT key, value FROM {META_TABLE}").fetchall())
    finally:
        conn.close()


def stored_meta(database: Path) -> dict[str, str]:
    """A database's meta table, or {} if it is missing or unreadable."""
    if not database.is_file():
        return {}
    try:
        return read_meta(database)
    except sqlite3.DatabaseError:
        return {}


def stored_hash(database: Path) -> str | None:
    """The content hash a database was built from, or None if it is missing or unreadable."""
    return stored_meta(database).get("content_hash")

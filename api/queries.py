"""Read functions over facts.db: plain SQL in, pre-rendered JSON text out. No Flask.

This is also the library face of aifacts: ``Store(path).get("ai_models", "deepseek-r1")``.
"""

from __future__ import annotations

import functools
import json
import os
import re
import sqlite3
import threading
import time
from collections import OrderedDict
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from api.database import connect_read_only
from api.tables import (
    BODY_COLUMN,
    COLLECTIONS,
    COUNTED_KINDS,
    COUNTS_TABLE,
    LINKS_TABLE,
    META_TABLE,
    NAMES_TABLE,
    PARTICIPANTS,
    RECORD_TABLES,
    RELATED,
    TOTAL,
    VALID_FROM,
    VALID_UNTIL,
    VERSION_LINKS_TABLE,
    Collection,
    folded,
    fts_table,
    versions_table,
)

_FTS_TOKEN = re.compile(r"\w+", re.UNICODE)
MAX_FTS_TOKENS = 16


class StoreUnavailable(Exception):
    """The database cannot be opened or read (missing, corrupt, not an aifacts build)."""


@dataclass(frozen=True)
class Filter:
    """``column op value`` on a scalar column, or membership in a list relation (``links``)."""

    field: str
    op: str
    value: Any


@dataclass
class ListQuery:
    """A validated request for one page of a collection."""

    collection: str
    filters: list[Filter] = field(default_factory=list)
    sort: list[tuple[str, bool]] = field(default_factory=list)  # (column, descending)
    limit: int = 20
    after: list[Any] | None = None  # keyset: the sort values and id of the last row seen
    q: str | None = None
    as_of: str | None = None  # YYYY-MM-DD: only records that existed (or were in force) then
    related: tuple[str, str] | None = None  # (collection, id): only records that reference it
    facets: list[str] = field(default_factory=list)

    def fingerprint(self) -> str:
        """What a cursor is bound to: everything that selects and orders the rows (not the page size or shape)."""
        filters = [(f.field, f.op, f.value) for f in self.filters]
        return json.dumps([self.collection, filters, self.sort, self.q, self.as_of, self.related], default=str, sort_keys=True)

    def order(self) -> list[tuple[str, bool]]:
        """The sort keys ending with the id, so order is total.

        The id is unique: keys after it never matter. Appended as the tiebreak, it follows the
        first key's direction, so a one-key sort runs one way and an index can serve it.
        """
        keys = list(self.sort or RECORD_TABLES[self.collection].default_sort)
        names = [name for name, _ in keys]
        if "id" in names:
            return keys[: names.index("id") + 1]
        return [*keys, ("id", keys[0][1] if keys else False)]


@dataclass
class Page:
    """One page of pre-rendered records, the total, and the keyset of the last row if more follow."""

    bodies: list[str]
    total: int
    next_after: list[Any] | None
    facets: dict[str, list[dict[str, Any]]] = field(default_factory=dict)


@dataclass
class SearchPage:
    """One page of search hits, the matches per collection, and the sort key of the last hit if more follow."""

    hits: list[dict[str, Any]]
    counts: dict[str, int]
    next_after: list[Any] | None


class QueryTimeout(Exception):
    """A query ran past its time budget and was interrupted."""


PARTICIPANT = PARTICIPANTS  # a filter matching any list relation of a record
RELATION_SEPARATOR = "."  # a filter on the records a relation names: `developer.country`
FACET_LIMIT = 50
# Search tiers: a record named exactly what was asked for, then other records, then sources (the documents about the
# records), each named exactly first.
EXACT_TIER, SOURCE_TIER = 0, 2
# Snippets mark the words found with these private-use characters; the HTTP layer turns them into <mark> after escaping.
SNIPPET_START, SNIPPET_END = "\ue000", "\ue001"
RANKED_KEPT = 200  # best hits kept per search, collection and data version: ten pages of the default size


def fts_query(text: str) -> str | None:
    """Turn user text into a safe FTS5 query: each word quoted, all required, the last also as a prefix. None if no words.

    The prefix lets a name being typed, or a family name, find its records: ``qwen`` finds Qwen2.5.
    """
    tokens = _FTS_TOKEN.findall(text)[:MAX_FTS_TOKENS]
    if not tokens:
        return None
    return " ".join(f'"{t}"' for t in tokens) + " *"


def _date_condition(column: str, op: str) -> str:
    """SQL for comparing a precision date with a bound, treating each date as the period it names.

    A date text covers every longer date it prefixes ("2025" covers "2025-01-20"); appending
    "~" (which sorts after "-" and digits) gives a string above every date in that period.
    """
    return {
        "eq": f"({column} = :v OR {column} LIKE :v || '-%')",
        "gt": f"{column} > :v || '~'",
        "gte": f"{column} >= :v",
        "lt": f"{column} || '~' < :v",
        "lte": f"{column} || '~' <= :v || '~'",
    }[op]


_SIMPLE_OPS = {"eq": "=", "ne": "!=", "gt": ">", "gte": ">=", "lt": "<", "lte": "<="}


@dataclass(frozen=True)
class Source:
    """Where a query reads a collection: its records as known, or (``day``) their versions as they stood that day."""

    collection: Collection
    day: str | None = None

    @property
    def versioned(self) -> bool:
        return self.day is not None and self.collection.authored

    @property
    def table(self) -> str:
        return f'"{versions_table(self.collection) if self.versioned else self.collection.name}"'

    @property
    def links(self) -> str:
        return VERSION_LINKS_TABLE if self.versioned else LINKS_TABLE


def _valid_on(sql: WhereClause, day: str) -> str:
    """Versions (or version links) that hold on ``day``."""
    bound = sql.bind(day)
    return f"({VALID_FROM} IS NULL OR {VALID_FROM} <= {bound}) AND ({VALID_UNTIL} IS NULL OR {VALID_UNTIL} > {bound})"


class WhereClause:
    """A WHERE clause over one source, built up condition by condition, with its named parameters."""

    def __init__(self, source: Source, params: dict[str, Any] | None = None) -> None:
        self.source = source
        self.where: list[str] = []
        self.params: dict[str, Any] = {} if params is None else params  # shared by the sub-queries of one statement
        self.walk_in_order = False  # test memberships row by row as rows are read in order (see Store._walks_in_order)

    def bind(self, value: Any) -> str:
        name = f"p{len(self.params)}"
        self.params[name] = value
        return f":{name}"

    def add(self, clause: str) -> None:
        self.where.append(clause)

    def clause(self) -> str:
        return " AND ".join(self.where) if self.where else "1"

    def copy(self) -> WhereClause:
        other = WhereClause(self.source, dict(self.params))
        other.where = list(self.where)
        other.walk_in_order = self.walk_in_order
        return other


def _links_clause(collection: Collection, fields: list[str], targets: list[Any], sql: WhereClause, target_type: str | None = None) -> str:
    """Records of ``collection`` whose relations ``fields`` name any of ``targets``."""
    field_marks = ", ".join(sql.bind(f) for f in fields)
    target_marks = ", ".join(sql.bind(v) for v in targets)
    type_clause = f" AND target_type = {sql.bind(target_type)}" if target_type else ""
    if sql.walk_in_order and not sql.source.versioned:
        # One primary-key probe per row read, instead of gathering every member's id first.
        return (
            f"EXISTS (SELECT 1 FROM {sql.source.links} WHERE record_type = {sql.bind(collection.name)}"
            f" AND record_id = {sql.source.table}.id AND field IN ({field_marks}) AND target_id IN ({target_marks}){type_clause})"
        )
    return (
        f"id IN (SELECT record_id FROM {sql.source.links} WHERE record_type = {sql.bind(collection.name)}"
        f" AND field IN ({field_marks}) AND target_id IN ({target_marks}){type_clause}{_links_on_day(sql)})"
    )


def _links_on_day(sql: WhereClause) -> str:
    return f" AND {_valid_on(sql, sql.source.day)}" if sql.source.versioned and sql.source.day else ""


def _relation_fields(collection: Collection, name: str) -> list[str] | None:
    """The list relations a filter or facet name stands for (all of them for ``participant``), or None."""
    if name == PARTICIPANT:
        return list(collection.list_refs)
    return [name] if name in collection.list_refs else None


def _related_filter_sql(collection: Collection, flt: Filter, sql: WhereClause) -> None:
    """``relation.column op value``: records whose relation names a record of the target that passes the filter."""
    relation, column = flt.field.split(RELATION_SEPARATOR, 1)
    target = COLLECTIONS[collection.relations[relation]]
    inner = WhereClause(Source(target, sql.source.day), sql.params)
    _filter_sql(target, Filter(column, flt.op, flt.value), inner)
    if inner.source.versioned and inner.source.day:
        inner.add(_valid_on(inner, inner.source.day))
    selected = f"SELECT id FROM {inner.source.table} WHERE {inner.clause()}"
    if relation in collection.list_refs:
        sql.add(
            f"id IN (SELECT record_id FROM {sql.source.links} WHERE record_type = {sql.bind(collection.name)}"
            f" AND field = {sql.bind(relation)} AND target_id IN ({selected}){_links_on_day(sql)})"
        )
    else:
        sql.add(f'"{relation}" IN ({selected})')


def _filter_sql(collection: Collection, flt: Filter, sql: WhereClause) -> None:
    if RELATION_SEPARATOR in flt.field:
        _related_filter_sql(collection, flt, sql)
        return
    fields = _relation_fields(collection, flt.field)
    if fields is not None:
        values = flt.value if flt.op == "in" else [flt.value]
        clause = _links_clause(collection, fields, values, sql)
        sql.add(f"NOT ({clause})" if flt.op == "ne" else clause)
        return
    column = collection.column_map[flt.field]
    col = f'"{column.name}"'
    if flt.op == "isnull":
        sql.add(f"{col} IS NULL" if flt.value else f"{col} IS NOT NULL")
    elif flt.op == "in":
        sql.add(f"{col} IN ({', '.join(sql.bind(v) for v in flt.value)})")
    elif flt.op == "contains":
        sql.add(f"instr(lower({col}), lower({sql.bind(flt.value)})) > 0")
    else:
        op = "eq" if flt.op == "ne" else flt.op
        if column.kind == "date":
            clause = _date_condition(col, op).replace(":v", sql.bind(flt.value))
        else:
            value = int(flt.value) if column.kind == "bool" else flt.value
            clause = f"{col} {_SIMPLE_OPS[op]} {sql.bind(value)}"
        # "not equal" keeps records whose value is unknown: null is not the value asked for.
        sql.add(f"(NOT ({clause}) OR {col} IS NULL)" if flt.op == "ne" else clause)


def _keyset_sql(collection: Collection, order: list[tuple[str, bool]], after: list[Any], sql: WhereClause) -> None:
    """Rows strictly after ``after`` in ``order`` (unknown values sort last either way)."""
    directions = {desc for _, desc in order}
    if all(name in collection.never_null for name, _ in order) and len(directions) == 1:
        # A row-value comparison, which SQLite answers with an index range seek: flat cost at any depth.
        columns = ", ".join(f'"{name}"' for name, _ in order)
        marks = ", ".join(sql.bind(value) for value in after)
        sql.add(f"({columns}) {'<' if directions == {True} else '>'} ({marks})")
        return
    alternatives = []
    for i, (name, desc) in enumerate(order):
        col = f'"{name}"'
        equal = [f'"{prev}" IS NULL' if after[j] is None else f'"{prev}" = {sql.bind(after[j])}' for j, (prev, _) in enumerate(order[:i])]
        value = after[i]
        # Nulls sort last in both directions: nothing but other nulls follows a null. A column
        # that is never null gets a plain range condition, which SQLite answers from the index.
        beyond = f"{col} {'<' if desc else '>'} {sql.bind(value)}" if value is not None else "0"
        if value is not None and name not in collection.never_null:
            beyond = f"({beyond} OR {col} IS NULL)"
        alternatives.append("(" + " AND ".join([*equal, beyond]) + ")")
    sql.add("(" + " OR ".join(alternatives) + ")")


def _nullable_key(collection: Collection, order: list[tuple[str, bool]]) -> str | None:
    """The sort column, when the order is one nullable column then the id, both one way."""
    if len(order) == 2 and order[1][0] == "id" and order[0][1] == order[1][1] and order[0][0] not in collection.never_null:
        return order[0][0]
    return None


def _as_of_sql(collection: Collection, as_of: str, sql: WhereClause) -> None:
    """The world on ``as_of``: the versions of the records that hold that day (a record has none before it existed).

    The timeline and the changes are dated entries: those of later days are left out. A date
    known only to the month or year counts from the first day of its period.
    """
    if sql.source.versioned:
        sql.add(_valid_on(sql, as_of))
    else:
        sql.add(f"\"date\" <= {sql.bind(as_of)} || '~'")


def _order_term(collection: Collection, name: str, desc: bool) -> str:
    """ORDER BY term with unknown values last; plain where SQLite's own order already agrees,
    so that an index can deliver the rows in order (DESC puts nulls last by itself; a column
    that is never null has none)."""
    if desc:
        return f'"{name}" DESC'
    return f'"{name}" ASC' if name in collection.never_null else f'"{name}" ASC NULLS LAST'


class BoundedCache:
    """Answers kept per data version and query shape, least recently used dropped past ``size`` entries; shared by a worker's threads."""

    def __init__(self, size: int) -> None:
        self.size = size
        self._entries: OrderedDict[Any, Any] = OrderedDict()
        self._lock = threading.Lock()

    def get(self, key: Any) -> Any:
        with self._lock:
            found = self._entries.get(key)
            if found is not None:
                self._entries.move_to_end(key)
            return found

    def put(self, key: Any, value: Any) -> None:
        with self._lock:
            self._entries[key] = value
            self._entries.move_to_end(key)
            while len(self._entries) > self.size:
                self._entries.popitem(last=False)


# SQLite result codes that mean the file cannot be read as a database: I/O error, corrupt, cannot open, not a database.
UNREADABLE_CODES = {10, 11, 14, 26}


def _unreadable(exc: sqlite3.DatabaseError) -> bool:
    """Whether an error says the database file itself is unusable (rather than the query being at fault)."""
    code = getattr(exc, "sqlite_errorcode", None)
    return (code is not None and code & 0xFF in UNREADABLE_CODES) or "no such table" in str(exc)


class Store:
    """Read-only access to one facts.db; one connection per thread, reopened when the file is replaced."""

    def __init__(self, path: Path | str, timeout_ms: int = 2000, cached_counts: int = 4096) -> None:
        self.path = Path(path)
        self.timeout = timeout_ms / 1000
        self._local = threading.local()
        self._counts = BoundedCache(cached_counts)
        self._matches = BoundedCache(32)  # full-text match sets as rowid bitmaps: 125 KB per million rows each

    @contextmanager
    def snapshot(self, budget_ms: int | None = None) -> Iterator[Store]:
        """Serve a whole request from one database file, even if a rebuild replaces it meanwhile,
        with one time budget for all of its queries (``budget_ms``; default: each query its own)."""
        self._connection()
        self._local.pinned = True
        self._local.request_deadline = time.monotonic() + budget_ms / 1000 if budget_ms else None
        try:
            yield self
        finally:
            self._local.pinned = False
            self._local.request_deadline = None

    def _interrupt_if_late(self) -> int:
        # SQLite calls this every few thousand instructions; non-zero aborts the statement.
        return int(time.monotonic() > self._local.deadline)

    def _connection(self) -> sqlite3.Connection:
        if getattr(self._local, "pinned", False):
            return self._local.conn  # type: ignore[no-any-return]
        try:
            stat = os.stat(self.path)
        except OSError as exc:
            raise StoreUnavailable(f"database not found: {self.path.name}") from exc
        key = (os.getpid(), stat.st_ino, stat.st_mtime_ns)
        if getattr(self._local, "key", None) != key:
            old = getattr(self._local, "conn", None)
            if old is not None:
                old.close()
            try:
                conn = connect_read_only(self.path)
                conn.set_progress_handler(self._interrupt_if_late, 10_000)
                conn.create_function("text_match", 2, self._text_match, deterministic=True)
                meta = dict(conn.execute(f"SELECT key, value FROM {META_TABLE}").fetchall())
            except sqlite3.DatabaseError as exc:
                raise StoreUnavailable(f"database unreadable: {exc}") from exc
            self._local.conn, self._local.key, self._local.meta = conn, key, meta
        return self._local.conn  # type: ignore[no-any-return]

    def _execute(self, sql: str, params: Any = ()) -> list[tuple[Any, ...]]:
        conn = self._connection()
        self._local.deadline = getattr(self._local, "request_deadline", None) or time.monotonic() + self.timeout
        try:
            return conn.execute(sql, params).fetchall()
        except sqlite3.DatabaseError as exc:
            if "interrupted" in str(exc):
                raise QueryTimeout("the query ran past its time budget") from exc
            if _unreadable(exc):
                raise StoreUnavailable(f"database unreadable: {exc}") from exc
            raise  # a fault in the query itself, not in the data: a 500, logged with its cause

    def execute(self, sql: str, params: Any = ()) -> list[tuple[Any, ...]]:
        """Run read-only SQL on the database under the time budget (for apps embedding the data layer)."""
        return self._execute(sql, params)

    def meta(self) -> dict[str, Any]:
        """Build metadata: version, content hash, schema version, build time, counts."""
        self._connection()
        meta = dict(self._local.meta)
        meta["counts"] = json.loads(meta.get("counts", "{}"))
        return meta

    def version(self) -> str:
        self._connection()
        return str(self._local.meta["version"])

    def built_at(self) -> str:
        self._connection()
        return str(self._local.meta["built_at"])

    def check(self) -> None:
        """Raise StoreUnavailable unless the database opens, answers, and passed an integrity check.

        The full check reads the whole file, so it runs once per database file in each worker (the
        file is immutable until a build replaces it); every call still reads the build metadata.
        """
        self._execute(f"SELECT count(*) FROM {META_TABLE}")
        if getattr(self._local, "checked", None) != self._local.key:
            rows = self._execute("PRAGMA quick_check")
            if rows[0][0] != "ok":
                raise StoreUnavailable(f"integrity check failed: {rows[0][0]}")
            self._local.checked = self._local.key

    def get(self, collection: str, record_id: str, as_of: str | None = None) -> str | None:
        """The pre-rendered JSON of one record (as it stood on ``as_of``), or None if it does not exist (then)."""
        return self.get_many(collection, [record_id], as_of).get(record_id)

    def get_many(self, collection: str, ids: list[str], as_of: str | None = None) -> dict[str, str]:
        """Pre-rendered JSON of several records by id (as they stood on ``as_of``); missing ids are left out."""
        if not ids:
            return {}
        sql = WhereClause(Source(RECORD_TABLES[collection], as_of))
        sql.add(f"id IN ({', '.join(sql.bind(i) for i in ids)})")
        if as_of:
            _as_of_sql(RECORD_TABLES[collection], as_of, sql)
        return dict(self._execute(f'SELECT id, "{BODY_COLUMN}" FROM {sql.source.table} WHERE {sql.clause()}', sql.params))

    def ids_like(self, collection: str, record_id: str, limit: int = 20) -> list[str]:
        """Ids near one that was not found (the same letters as a slug, or sorting next to it), to suggest the one meant."""
        slug = re.sub(r"[^a-z0-9]+", "-", record_id.casefold()).strip("-")
        rows = self._execute(
            f'SELECT id FROM "{collection}" WHERE id = :slug'
            f' UNION SELECT id FROM (SELECT id FROM "{collection}" WHERE id >= :slug ORDER BY id LIMIT :n)',
            {"slug": slug, "n": limit},
        )
        return [r[0] for r in rows]

    def _where(self, collection: Collection, query: ListQuery, sql: WhereClause, walk_in_order: bool = False) -> bool:
        """Add the query's conditions to ``sql``; False when nothing can match.

        ``walk_in_order`` tests the full-text match row by row as the rows are read in sort order, instead of
        gathering every match first: much cheaper when matches are many and a page needs few (see _walks_in_order).
        """
        sql.walk_in_order = walk_in_order
        for flt in query.filters:
            _filter_sql(collection, flt, sql)
        if query.related:
            target, target_id = query.related
            sql.add(_links_clause(collection, [f for f, t in collection.relations.items() if t == target], [target_id], sql, target))
        if query.as_of:
            _as_of_sql(collection, query.as_of, sql)
        if query.q:
            match = fts_query(query.q)
            if match is None:
                return False
            fts = fts_table(collection)
            if walk_in_order and not sql.source.versioned:
                # The matches, gathered once per data version, tested per row as rows are read in sort order.
                sql.add(f"text_match({sql.bind(self._match_token(collection, match))}, rowid)")
                return True
            matching = f"SELECT rowid FROM {fts} WHERE {fts} MATCH {sql.bind(match)}"
            # The index is of the records as known; a version is found through its record's id.
            sql.add(f'id IN (SELECT id FROM "{collection.name}" WHERE rowid IN ({matching}))' if sql.source.versioned else f"rowid IN ({matching})")
        return True

    def _match_token(self, collection: Collection, match: str) -> str:
        """A key for the rows matching a full-text query, computed once per data version into a bitmap of rowids."""
        token = f"{self.version()}|{collection.name}|{match}"
        bitmap = self._matches.get(token)
        if bitmap is None:
            fts = fts_table(collection)
            rows = self._execute(f"SELECT rowid FROM {fts} WHERE {fts} MATCH ?", (match,))
            found = bytearray((max((r[0] for r in rows), default=0) >> 3) + 1)
            for (rowid,) in rows:
                found[rowid >> 3] |= 1 << (rowid & 7)
            bitmap = bytes(found)
            self._matches.put(token, bitmap)
        # Held by this thread until its next text query, so other threads filling the cache cannot drop it mid-query.
        self._local.walking = {token: bitmap}
        return token

    def _text_match(self, token: str, rowid: int) -> int:
        """SQL function: whether a row is among a full-text query's matches (read while walking rows in sort order)."""
        bitmap = self._local.walking[token]
        return (bitmap[rowid >> 3] >> (rowid & 7)) & 1 if rowid >> 3 < len(bitmap) else 0

    def _walks_in_order(self, collection: Collection, query: ListQuery, total: int, rows: int) -> bool:
        """Whether to read a text search or a membership (``participant=``, a related list) in sort order, testing each
        row, rather than gather all matches and sort them.

        Gathering costs one row read per match; walking reads about ``rows`` x size / matches rows: walking wins
        when matches are many (a common word in a large table) and loses when they are few.
        """
        memberships = query.related or any(_relation_fields(collection, f.field) is not None for f in query.filters)
        if not (query.q or memberships) or query.as_of or total == 0:
            return False
        size = self._stored_total(collection, []) or total
        return total * total > rows * size

    def page(self, query: ListQuery) -> Page:
        """One page of a collection, filtered, sorted and after the keyset given, with facet counts."""
        collection = RECORD_TABLES[query.collection]
        sql = WhereClause(Source(collection, query.as_of))
        if not self._where(collection, query, sql):
            return Page([], 0, None, {name: [] for name in query.facets})
        total, facets = self._counted(collection, query, sql)
        if self._walks_in_order(collection, query, total, query.limit + 1):
            sql = WhereClause(Source(collection, query.as_of))
            self._where(collection, query, sql, walk_in_order=True)
        rows = self._rows(collection, query, sql, query.after, query.limit + 1)
        more = len(rows) > query.limit
        rows = rows[: query.limit]
        next_after = list(rows[-1][1:]) if more and rows else None
        return Page([r[0] for r in rows], total, next_after, facets)

    def _cached(self, key: tuple, compute: Callable[[], Any]) -> Any:
        """``compute()`` once per data version and ``key``, then from the worker's bounded cache."""
        versioned = (self.version(), *key)
        found = self._counts.get(versioned)
        if found is None:
            found = compute()
            self._counts.put(versioned, found)
        return found

    def _counted(self, collection: Collection, query: ListQuery, sql: WhereClause) -> tuple[int, dict[str, list[dict[str, Any]]]]:
        """The total and facets of a query: once per dataset version and query shape, then from the worker's cache.

        The build counted every single-value filter and every unfiltered facet: those are a lookup even the
        first time; other shapes are counted on first use. The cache holds a bounded number of shapes.
        """
        filters = tuple((f.field, f.op, repr(f.value)) for f in query.filters)

        def count() -> tuple[int, dict[str, list[dict[str, Any]]]]:
            simple = not (query.q or query.as_of) and len(query.filters) + bool(query.related) <= 1
            total = self._stored_total(collection, query.filters, query.related) if simple else None
            if total is None:
                total = self._total(collection, sql)
            facets = {}
            for name in query.facets:
                stored = self._stored_facet(collection, name) if simple and not (query.filters or query.related) else None
                facets[name] = stored if stored is not None else self._facet(collection, name, sql)
            return total, facets

        return self._cached((query.collection, filters, query.q, query.as_of, query.related, tuple(query.facets)), count)

    def _stored_total(self, collection: Collection, filters: list[Filter], related: tuple[str, str] | None = None) -> int | None:
        """The build's count for no filter, one equality filter (on a counted column or a relation) or a related list
        alone, or None."""
        value: Any
        if related:
            field, value = RELATED + related[0], related[1]
        elif not filters:
            field, value = TOTAL, None
        else:
            flt = filters[0]
            column = collection.column_map.get(flt.field)
            relation = flt.field in collection.list_refs or (flt.field == PARTICIPANT and collection.participants)
            if flt.op == "ne" and relation:  # the records not naming it: the complement of those that do
                size, naming = self._stored_total(collection, []), self._stored_total(collection, [Filter(flt.field, "eq", flt.value)])
                return None if size is None or naming is None else size - naming
            if flt.op != "eq" or not (relation or (column is not None and column.kind in COUNTED_KINDS)):
                return None
            field, value = flt.field, int(flt.value) if column is not None and column.kind == "bool" else flt.value
        rows = self._execute(f"SELECT n FROM {COUNTS_TABLE} WHERE collection = ? AND field = ? AND value IS ?", (collection.name, field, value))
        # A value no record has is not stored: zero, known without a scan.
        return int(rows[0][0]) if rows else (0 if filters or related else None)

    def _stored_facet(self, collection: Collection, name: str) -> list[dict[str, Any]] | None:
        """An unfiltered facet from the build's counts (dates by year), most frequent first; None if not counted."""
        column = collection.column_map.get(name)
        if column is not None and column.kind not in COUNTED_KINDS:
            return None
        by_year = " AND (value IS NULL OR length(value) = 4)" if column is not None and column.kind == "date" else ""
        rows = self._execute(
            f"SELECT value, n FROM {COUNTS_TABLE} WHERE collection = ? AND field = ?{by_year} ORDER BY n DESC, value LIMIT {FACET_LIMIT}",
            (collection.name, name),
        )
        if column is not None and column.kind == "bool":
            return [{"value": None if v is None else bool(v), "count": n} for v, n in rows]
        return [{"value": v, "count": n} for v, n in rows]

    def count(self, query: ListQuery) -> int:
        """How many records match the query, on all pages."""
        collection = RECORD_TABLES[query.collection]
        sql = WhereClause(Source(collection, query.as_of))
        return self._counted(collection, query, sql)[0] if self._where(collection, query, sql) else 0

    def _total(self, collection: Collection, sql: WhereClause) -> int:
        return int(self._execute(f"SELECT count(*) FROM {sql.source.table} WHERE {sql.clause()}", sql.params)[0][0])

    def scan(self, query: ListQuery, batch: int = 500) -> Iterator[str]:
        """Every matching record in order, fetched by keyset in batches: constant memory, no page cap."""
        collection = RECORD_TABLES[query.collection]
        after = query.after
        walk = self._walks_in_order(collection, query, self.count(query), batch)
        while True:
            sql = WhereClause(Source(collection, query.as_of))
            if not self._where(collection, query, sql, walk_in_order=walk):
                return
            rows = self._rows(collection, query, sql, after, batch)
            yield from (r[0] for r in rows)
            if len(rows) < batch:
                return
            after = list(rows[-1][1:])

    def _rows(self, collection: Collection, query: ListQuery, sql: WhereClause, after: list[Any] | None, limit: int) -> list[tuple[Any, ...]]:
        """Bodies and sort keys of up to ``limit`` rows after the keyset ``after``."""
        order = query.order()
        nullable = _nullable_key(collection, order)
        if nullable is not None:
            return self._rows_known_then_unknown(collection, order, nullable, sql, after, limit)
        return self._rows_in_one_query(collection, order, sql, after, limit)

    def _rows_in_one_query(
        self, collection: Collection, order: list[tuple[str, bool]], sql: WhereClause, after: list[Any] | None, limit: int
    ) -> list[tuple[Any, ...]]:
        """Any order, unknowns last, as one query (its keyset condition may need an OR, which scans)."""
        if after is not None:
            _keyset_sql(collection, order, after, sql)
        return self._select(collection, order, ", ".join(_order_term(collection, name, desc) for name, desc in order), sql, limit)

    def _select(self, collection: Collection, order: list[tuple[str, bool]], order_sql: str, sql: WhereClause, limit: int) -> list[tuple[Any, ...]]:
        key_sql = ", ".join(f'"{name}"' for name, _ in order)
        return self._execute(
            f'SELECT "{BODY_COLUMN}", {key_sql} FROM {sql.source.table} WHERE {sql.clause()} ORDER BY {order_sql} LIMIT {sql.bind(limit)}',
            sql.params,
        )

    def _rows_known_then_unknown(
        self, collection: Collection, order: list[tuple[str, bool]], name: str, sql: WhereClause, after: list[Any] | None, limit: int
    ) -> list[tuple[Any, ...]]:
        """A one-key sort on a nullable column, as two index range seeks: the known values, then the unknown by id.

        One query with "unknowns last" needs an OR in its keyset condition, which SQLite
        answers by scanning; split at the null boundary, each half is a plain row-value seek.
        """
        direction, comparison = ("DESC", "<") if order[0][1] else ("ASC", ">")
        rows: list[tuple[Any, ...]] = []
        if after is None or after[0] is not None:
            known = sql.copy()
            known.add(f'"{name}" IS NOT NULL')
            if after is not None:
                known.add(f'("{name}", id) {comparison} ({known.bind(after[0])}, {known.bind(after[1])})')
            rows = self._select(collection, order, f'"{name}" {direction}, id {direction}', known, limit)
        if len(rows) < limit:
            unknown = sql.copy()
            unknown.add(f'"{name}" IS NULL')
            if after is not None and after[0] is None:
                unknown.add(f"id {comparison} {unknown.bind(after[1])}")
            rows += self._select(collection, order, f"id {direction}", unknown, limit - len(rows))
        return rows

    def _facet(self, collection: Collection, name: str, sql: WhereClause) -> list[dict[str, Any]]:
        """Value counts of one field over the filtered records (dates count by year)."""
        table = sql.source.table
        fields = _relation_fields(collection, name)
        if fields is not None:
            marks = ", ".join(f"'{f}'" for f in fields)  # names from the allowlist, not user text
            counted = sql.copy()
            day = _links_on_day(counted)
            query = (
                f"SELECT target_id, count(DISTINCT record_id) AS n FROM {sql.source.links} WHERE record_type = '{collection.name}'"
                f" AND field IN ({marks}) AND record_id IN (SELECT id FROM {table} WHERE {sql.clause()}){day}"
                " GROUP BY target_id ORDER BY n DESC, target_id LIMIT " + str(FACET_LIMIT)
            )
            return [{"value": v, "count": n} for v, n in self._execute(query, counted.params)]
        else:
            column = collection.column_map[name]
            expr = f'substr("{name}", 1, 4)' if column.kind == "date" else f'"{name}"'
            query = f"SELECT {expr} AS v, count(*) AS n FROM {table} WHERE {sql.clause()} GROUP BY v ORDER BY n DESC, v LIMIT {FACET_LIMIT}"
        rows = self._execute(query, sql.params)
        if collection.column_map.get(name) and collection.column_map[name].kind == "bool":
            return [{"value": None if v is None else bool(v), "count": n} for v, n in rows]
        return [{"value": v, "count": n} for v, n in rows]

    def search(self, text: str, types: list[str], limit: int, after: list[Any] | None = None, as_of: str | None = None) -> SearchPage:
        """Ranked matches across collections, a page at a time, with a marked snippet and per-type counts.

        Order: records named exactly what was asked for, then other records, then sources (the documents
        about the records); within each, by relevance (BM25 with names weighing most), then type and id.
        ``after`` is the sort key of the last hit seen, from ``SearchPage.next_after``; with ``as_of``,
        only records that existed that day.
        """
        match = fts_query(text)
        if match is None:
            return SearchPage([], {name: 0 for name in types}, None)
        hits: list[tuple[tuple[Any, ...], dict[str, Any]]] = []
        counts: dict[str, int] = {}
        for name in types:
            collection = COLLECTIONS[name]
            fts = fts_table(collection)
            existing = WhereClause(Source(collection, as_of))
            if as_of:
                existing.add(f"id IN (SELECT id FROM {existing.source.table} WHERE {_valid_on(existing, as_of)})")
            counted = (
                f'SELECT count(*) FROM {fts} JOIN "{collection.name}" t ON t.rowid = {fts}.rowid WHERE {fts} MATCH :match AND {existing.clause()}'
            )
            count = functools.partial(self._execute, counted, {**existing.params, "match": match})
            counts[name] = self._cached(("search-count", name, match, as_of), count)[0][0]
            hits += self._search_one(collection, match, folded(text), limit + 1, after, existing)
        hits.sort(key=lambda hit: hit[0])
        more = len(hits) > limit
        page = hits[:limit]
        return SearchPage([hit for _, hit in page], counts, list(page[-1][0]) if more and page else None)

    def _search_one(
        self, collection: Collection, match: str, asked: str | None, limit: int, after: list[Any] | None, existing: WhereClause
    ) -> list[tuple[tuple[Any, ...], dict[str, Any]]]:
        """The best ``limit`` hits of one collection after the keyset ``after`` (tier, -score, type, id).

        Ranks every match (BM25 in SQLite's C) once per data version and keeps the best RANKED_KEPT with their
        snippets, so the pages of a popular search are a slice of a list; past those, SQL ranks the page.
        """
        key = ("ranked", collection.name, match, asked, existing.clause(), tuple(sorted(existing.params.items())))

        def best_with_snippets() -> tuple[list[tuple[Any, ...]], dict[int, str]]:
            best = self._ranked(collection, match, asked, RANKED_KEPT, None, existing)
            return best, self._snippets(collection, match, best)

        best, snippets = self._cached(key, best_with_snippets)
        page = [r for r in best if after is None or (r[4], r[3], collection.path, r[1]) > tuple(after)][:limit]
        if len(page) < limit and len(best) == RANKED_KEPT:  # the page runs past what was kept
            page = self._ranked(collection, match, asked, limit, after, existing)
            snippets = self._snippets(collection, match, page)
        return [
            (
                (tier, rank, collection.path, rid),
                {"type": collection.path, "id": rid, "label": label, "score": -rank, "snippet": snippets.get(row, "")},
            )
            for row, rid, label, rank, tier in page
        ]

    def _snippets(self, collection: Collection, match: str, rows: list[tuple[Any, ...]]) -> dict[int, str]:
        """Marked snippets of these rows (rowid first), by rowid. One query: a prefix match costs the same for 1 row or 200."""
        if not rows:
            return {}
        fts = fts_table(collection)
        marks = ", ".join(str(int(r[0])) for r in rows)
        snippet = f"snippet({fts}, -1, '{SNIPPET_START}', '{SNIPPET_END}', '…', 12)"
        return dict(self._execute(f"SELECT rowid, {snippet} FROM {fts} WHERE {fts} MATCH ? AND rowid IN ({marks})", (match,)))

    def _ranked(
        self, collection: Collection, match: str, asked: str | None, limit: int, after: list[Any] | None, existing: WhereClause
    ) -> list[tuple[Any, ...]]:
        """Rows (rowid, id, label, rank, tier) of the best ``limit`` matches after the keyset ``after``, by SQL."""
        fts = fts_table(collection)
        rank = f"bm25({fts}, {', '.join(str(w) for w in collection.search_weights)})"
        # A record named exactly what was asked for comes first, whatever the words around it elsewhere (an index lookup).
        exact = f"t.id IN (SELECT id FROM {NAMES_TABLE} WHERE collection = :collection AND name = :asked)"
        base = SOURCE_TIER if collection.name == "sources" else EXACT_TIER
        sql = WhereClause(Source(collection), existing.params)
        if after is not None:
            tier, negative_score, after_type, after_id = after
            # The type is constant within one collection, so the keyset reduces to (tier, -score[, id]).
            if collection.path < after_type:
                sql.add(f"(tier, rank) > ({sql.bind(tier)}, {sql.bind(negative_score)})")
            elif collection.path > after_type:
                sql.add(f"(tier, rank) >= ({sql.bind(tier)}, {sql.bind(negative_score)})")
            else:
                sql.add(f"(tier, rank, id) > ({sql.bind(tier)}, {sql.bind(negative_score)}, {sql.bind(after_id)})")
        rows = self._execute(
            f"SELECT row, id, label, rank, tier FROM ("
            f'SELECT t.rowid AS row, t.id AS id, t."{collection.label_field}" AS label, {rank} AS rank,'
            f" {base} + CASE WHEN {exact} THEN 0 ELSE 1 END AS tier"
            f' FROM {fts} JOIN "{collection.name}" t ON t.rowid = {fts}.rowid WHERE {fts} MATCH :match AND {existing.clause()})'
            f" WHERE {sql.clause()} ORDER BY tier, rank, id LIMIT :limit",
            {**sql.params, "match": match, "asked": asked, "limit": limit, "collection": collection.name},
        )
        return [tuple(r) for r in rows]

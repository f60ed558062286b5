"""Scale yardstick: the real database plus N generated events (default 1,000,000), measured side by side.

Compares, in one run on one machine (ratios matter, not absolute times):
  - a page deep in the collection by keyset cursor vs the same page by OFFSET;
  - the first page vs a page at that depth by keyset (cost should stay flat);
  - a deep page sorted by a nullable column (half the events have an end date): split at the
    null boundary into two seeks vs one query whose keyset condition needs an OR;
  - serving pre-rendered JSON vs re-serialising the same records with marshmallow per request.

Usage: python bench/scale.py [--records 1000000] [--depth 500000] [--repeat 7]
"""

from __future__ import annotations

import argparse
import json
import shutil
import sqlite3
import statistics
import tempfile
import time
from collections.abc import Callable
from pathlib import Path

from dataset import add_events  # the 1M generator compare.py uses too (versions, search index, counts)

from api.builder import build
from api.config import PROJECT_ROOT
from api.queries import Filter, ListQuery, Source, Store, WhereClause
from api.tables import RECORD_TABLES
from schema import EventSchema


def timed(func: Callable[[], object], repeat: int) -> float:
    """Median seconds of ``repeat`` calls."""
    samples = []
    for _ in range(repeat):
        started = time.perf_counter()
        func()
        samples.append(time.perf_counter() - started)
    return statistics.median(samples)


def _flush(conn: sqlite3.Connection, rows: list, links: list) -> None:
    conn.executemany(
        "INSERT INTO events (id, title, date, date_precision, end_date, end_date_precision, type, country, body) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)",
        rows,
    )
    conn.executemany("INSERT INTO links (record_type, record_id, field, target_type, target_id) VALUES (?, ?, ?, ?, ?)", links)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--records", type=int, default=1_000_000)
    parser.add_argument("--depth", type=int, default=500_000)
    parser.add_argument("--repeat", type=int, default=7)
    args = parser.parse_args()

    work = Path(tempfile.mkdtemp(prefix="aifacts-scale-"))
    database = work / "facts.db"
    started = time.perf_counter()
    build(PROJECT_ROOT / "fixtures", PROJECT_ROOT / "seeds", database)
    add_events(database, args.records)
    print(f"database: {args.records:,} generated events added in {time.perf_counter() - started:.1f}s")

    store = Store(database, timeout_ms=60_000)
    by_date = ListQuery("events", sort=[("date", False)], limit=20)
    raw = sqlite3.connect(f"{database.as_uri()}?mode=ro", uri=True)
    depth = min(args.depth, args.records)
    after = list(raw.execute("SELECT date, id FROM events ORDER BY date, id LIMIT 1 OFFSET ?", (depth - 1,)).fetchone())
    deep = ListQuery("events", sort=[("date", False)], limit=20, after=after)
    offset_sql = "SELECT body FROM events ORDER BY date ASC NULLS LAST, id ASC NULLS LAST LIMIT 20 OFFSET ?"
    assert store.page(deep).bodies == [r[0] for r in raw.execute(offset_sql, (depth,))]

    def keyset_rows(query: ListQuery) -> Callable[[], object]:
        # The page query alone, as the OFFSET one: the count both would share is left out.
        return lambda: store._rows(RECORD_TABLES["events"], query, WhereClause(Source(RECORD_TABLES["events"])), query.after, query.limit)

    results = {
        "keyset first page (ms)": timed(keyset_rows(by_date), args.repeat) * 1000,
        f"keyset page at depth {depth:,} (ms)": timed(keyset_rows(deep), args.repeat) * 1000,
        f"OFFSET page at depth {depth:,} (ms)": timed(lambda: raw.execute(offset_sql, (depth,)).fetchall(), args.repeat) * 1000,
        "filtered page type+country+company, with exact total (ms)": timed(
            lambda: store.page(
                ListQuery(
                    "events",
                    filters=[Filter("type", "eq", "statement"), Filter("country", "eq", "CN"), Filter("companies", "eq", "nvidia")],
                    limit=20,
                )
            ),
            args.repeat,
        )
        * 1000,
    }
    events = RECORD_TABLES["events"]
    for desc in (False, True):
        # A cursor inside the known end dates, a quarter of the way through the order.
        order_sql = f"end_date {'DESC' if desc else 'ASC NULLS LAST'}, id {'DESC' if desc else 'ASC'}"
        key = list(raw.execute(f"SELECT end_date, id FROM events ORDER BY {order_sql} LIMIT 1 OFFSET ?", (depth // 2 - 1,)).fetchone())
        deep_end = ListQuery("events", sort=[("end_date", desc)], limit=20, after=key)
        split = keyset_rows(deep_end)

        def one_query(query: ListQuery = deep_end) -> object:
            return store._rows_in_one_query(events, query.order(), WhereClause(Source(events)), query.after, query.limit)

        assert split() == one_query(), "both plans give the same page"
        label = f"nullable key ({'-' if desc else ''}end_date) at depth {depth // 2:,}"
        results[f"{label}: split at nulls (ms)"] = timed(split, args.repeat) * 1000
        results[f"{label}: one query with OR (ms)"] = timed(one_query, args.repeat) * 1000
    page = store.page(ListQuery("events", limit=200))
    schema = EventSchema(many=True)
    prerendered = timed(lambda: '{"data":[' + ",".join(page.bodies) + "]}", args.repeat * 5)
    remarshalled = timed(lambda: json.dumps({"data": schema.dump([json.loads(b) for b in page.bodies])}), args.repeat * 5)
    results["200 records: pre-rendered join (ms)"] = prerendered * 1000
    results["200 records: parse + marshmallow dump + dumps (ms)"] = remarshalled * 1000
    for name, value in results.items():
        print(f"{name:>60}: {value:9.3f}")
    deep_keyset = results[f"keyset page at depth {depth:,} (ms)"]
    deep_offset = results[f"OFFSET page at depth {depth:,} (ms)"]
    print(f"{'ratio OFFSET / keyset at depth':>60}: {deep_offset / deep_keyset:9.1f}x")
    print(f"{'ratio keyset deep / keyset first page':>60}: {deep_keyset / results['keyset first page (ms)']:9.2f}x")
    print(f"{'ratio marshmallow / pre-rendered':>60}: {remarshalled / prerendered:9.1f}x")
    for desc in ("", "-"):
        label = f"nullable key ({desc}end_date) at depth {depth // 2:,}"
        ratio = results[f"{label}: one query with OR (ms)"] / results[f"{label}: split at nulls (ms)"]
        print(f"{'ratio one query / split, ' + desc + 'end_date':>60}: {ratio:9.1f}x")
    shutil.rmtree(work, ignore_errors=True)


if __name__ == "__main__":
    main()

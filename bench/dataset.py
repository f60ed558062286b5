"""A benchmark dataset: the real database plus generated events, indexed and counted as the build would.

Generated events have words drawn from a fixed vocabulary in their titles (a word matches about
one title in fifty, as a real search would), a country, a type, a date and one company each. They
have one version each (from their date) so that `as_of` still answers, and the counts table is
rewritten over the whole table, as the build writes it.
"""

from __future__ import annotations

import json
import random
import sqlite3
from pathlib import Path

from api.builder import build
from api.builder.counts import write_counts
from api.config import PROJECT_ROOT
from api.tables import COLLECTIONS, versions_table
from schema.events import EVENT_TYPES

WORDS = [
    "chip",
    "export",
    "model",
    "launch",
    "rule",
    "lab",
    "cloud",
    "deal",
    "open",
    "weights",
    "price",
    "reasoning",
    "agent",
    "data",
    "center",
    "policy",
    "market",
    "safety",
    "summit",
    "license",
    "memory",
    "foundry",
    "token",
    "vision",
    "audio",
    "robot",
    "search",
    "code",
    "image",
    "video",
    "training",
    "inference",
    "cluster",
    "semiconductor",
    "tariff",
    "sanction",
    "partnership",
    "acquisition",
    "funding",
    "valuation",
    "benchmark",
    "release",
    "update",
    "preview",
    "beta",
    "research",
    "paper",
    "standard",
    "institute",
    "framework",
    "regulation",
    "compliance",
    "license",
    "audit",
    "court",
    "ruling",
    "appeal",
    "settlement",
]
COMPANIES = ("deepseek", "nvidia", "openai", "alibaba", "meta", "huawei", "baidu", "anthropic")
COUNTRIES = ("CN", "US", "EU", "GB", "JP")


def generated_event(i: int, rng: random.Random) -> dict:
    day = f"{rng.randint(2000, 2025)}-{rng.randint(1, 12):02d}-{rng.randint(1, 28):02d}"
    words = " ".join(rng.sample(WORDS, 4))
    return {
        "id": f"generated-{i:07d}",
        "title": f"Generated event {i}: {words}",
        "date": day,
        "date_precision": "day",
        "end_date": day if i % 2 else None,
        "end_date_precision": "day" if i % 2 else None,
        "type": rng.choice(EVENT_TYPES),
        "summary": f"A generated {words} event.",
        "location": None,
        "country": rng.choice(COUNTRIES),
        "companies": [rng.choice(COMPANIES)],
        "models": [],
        "policies": [],
        "people": [],
        "chips": [],
        "quantities": [],
        "citations": [],
        "disputes": [],
        "claims": [],
    }


def add_events(database: Path, count: int, seed: int = 20261201) -> None:
    """Append ``count`` generated events, their links, versions and full-text entries; then recount."""
    rng = random.Random(seed)
    columns = [c.name for c in COLLECTIONS["events"].columns]
    conn = sqlite3.connect(database)
    with conn:
        rows: list[tuple] = []
        for i in range(count):
            event = generated_event(i, rng)
            rows.append((*(event.get(c) for c in columns), json.dumps(event, separators=(",", ":")), event["companies"][0]))
            if len(rows) == 50_000:
                _flush(conn, columns, rows)
                rows = []
        _flush(conn, columns, rows)
        conn.execute("INSERT INTO events_fts (rowid, title, summary) SELECT rowid, title, summary FROM events WHERE id LIKE 'generated-%'")
        write_counts(conn)
    conn.execute("ANALYZE")
    conn.close()


def _flush(conn: sqlite3.Connection, columns: list[str], rows: list[tuple]) -> None:
    names = ", ".join(f'"{c}"' for c in columns)
    marks = ", ".join("?" for _ in columns)
    conn.executemany(f"INSERT INTO events ({names}, body) VALUES ({marks}, ?)", [r[:-1] for r in rows])
    conn.executemany(
        f'INSERT INTO "{versions_table(COLLECTIONS["events"])}" ({names}, body, version, valid_from, valid_until) VALUES ({marks}, ?, 0, ?, NULL)',
        [(*r[:-1], r[columns.index("date")]) for r in rows],
    )
    conn.executemany(
        "INSERT INTO links (record_type, record_id, field, target_type, target_id) VALUES ('events', ?, 'companies', 'companies', ?)",
        [(r[0], r[-1]) for r in rows],
    )


def build_with_events(database: Path, count: int) -> None:
    """Build the real dataset into ``database``, then add ``count`` generated events."""
    build(PROJECT_ROOT / "fixtures", PROJECT_ROOT / "seeds", database)
    add_events(database, count)

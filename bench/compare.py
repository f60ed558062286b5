"""Side by side, in one run: aifacts, Datasette on the same file, and a bare Flask ceiling, under wrk.

Builds the real database plus N generated events (1,000,000 by default), starts the three servers
with the same number of worker processes (gunicorn; Datasette with uvicorn workers, immutable,
facet suggestions off), then runs interleaved rounds (each group on each server in turn, so a noisy
moment hurts all three alike) and prints req/s, p50/p99 latency, worker memory and the ratios.
A CSV export of about 100,000 rows is timed separately, with each server's worker memory after it.

Usage: python bench/compare.py [--records 1000000] [--seconds 10] [--rounds 3] [--connections 16] [--workers 2]
Datasette is installed into bench/.datasette-venv on first use (PyPI: datasette<1, uvicorn-worker).
"""

from __future__ import annotations

import argparse
import json
import os
import sqlite3
import statistics
import subprocess
import sys
import tempfile
import time
import urllib.request
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
sys.path.insert(0, str(Path(__file__).resolve().parent))

from common import children, free_port, rss_mb, run_wrk, wait_ready
from dataset import build_with_events

from api.cursor import encode_cursor
from api.queries import ListQuery

BENCH = Path(__file__).resolve().parent
ROOT = BENCH.parent
DATASETTE_VENV = BENCH / ".datasette-venv"
SECRET = "bench-cursor-key-0123456789"
CLOSE = {"Connection": "close"}  # sync gunicorn workers close every connection; so do all three here, alike


def datasette_python() -> Path:
    python = DATASETTE_VENV / "bin" / "python"
    if not python.exists():
        subprocess.run([sys.executable, "-m", "venv", str(DATASETTE_VENV)], check=True)
        subprocess.run([str(python), "-m", "pip", "install", "-q", "datasette<1", "gunicorn", "uvicorn-worker"], check=True)
    return python


def start(argv: list[str], env: dict[str, str], cwd: Path) -> subprocess.Popen:
    return subprocess.Popen(argv, env={**os.environ, **env}, cwd=cwd, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)


def groups(database: Path) -> dict[str, dict[str, list[str]]]:
    """Each benchmark group: the paths asking the same question of aifacts (aif), Datasette (ds) and the ceiling (bare)."""
    conn = sqlite3.connect(f"{database.as_uri()}?mode=ro", uri=True)
    total = conn.execute("SELECT count(*) FROM events").fetchone()[0]
    deep = conn.execute("SELECT id FROM events ORDER BY id LIMIT 1 OFFSET ?", (total // 2,)).fetchone()[0]
    sample = [row[0] for row in conn.execute("SELECT id FROM events WHERE id LIKE 'generated-%' ORDER BY id LIMIT 50 OFFSET 1000")]
    conn.close()
    cursor = encode_cursor([deep], ListQuery("events").fingerprint(), SECRET)
    return {
        "one event by id": {
            "aif": [f"/v1/events/{i}" for i in sample],
            "ds": [f"/facts/events/{i}.json" for i in sample],
        },
        "50 events of one country, with total": {
            "aif": ["/v1/events?country=US&limit=50"],
            "ds": ["/facts/events.json?country=US&_size=50"],
        },
        "first page of 50, with total": {"aif": ["/v1/events?limit=50"], "ds": ["/facts/events.json?_size=50"]},
        "full-text search, 20 hits in id order, with total": {
            "aif": ["/v1/events?q=semiconductor&limit=20"],
            "ds": ["/facts/events.json?_search=semiconductor&_sort=id&_size=20"],
        },
        "full-text search, 20 hits ranked, with total": {
            "aif": ["/v1/search?q=semiconductor&type=events&limit=20"],
            "ds": ["/facts/events.json?_search=semiconductor&_size=20"],
        },
        f"a page {total // 2:,} rows deep": {
            "aif": [f"/v1/events?limit=50&cursor={cursor}"],
            "ds": [f"/facts/events.json?_size=50&_next={deep}"],
        },
        "50 events with 2 facets": {
            "aif": ["/v1/events?facet=type&facet=country&limit=50"],
            "ds": ["/facts/events.json?_facet=type&_facet=country&_size=50"],
        },
    }


def timed_export(url: str, master: int) -> dict:
    """One streamed CSV export: seconds, bytes, and the largest worker's memory afterwards."""
    started = time.perf_counter()
    size = 0
    with urllib.request.urlopen(url, timeout=300) as response:
        while chunk := response.read(1 << 16):
            size += len(chunk)
    return {
        "seconds": round(time.perf_counter() - started, 2),
        "mb": round(size / 1e6, 1),
        "rss_mb": round(max(rss_mb(p) for p in children(master)), 1),
    }


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--records", type=int, default=1_000_000)
    parser.add_argument("--seconds", type=float, default=10)
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--connections", type=int, default=16)
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--database", type=Path, help="reuse a database made by an earlier run (skips the build)")
    parser.add_argument("--json", type=Path, help="also write the results here")
    parser.add_argument("--aifacts-root", type=Path, default=ROOT, help="serve aifacts from this checkout (to compare two versions of it)")
    args = parser.parse_args()

    database = args.database or Path(tempfile.mkdtemp(prefix="aifacts-compare-")) / "facts.db"
    if not args.database:
        started = time.perf_counter()
        build_with_events(database, args.records)
        print(f"database: real data + {args.records:,} generated events in {time.perf_counter() - started:.0f}s ({database})", flush=True)
    python = datasette_python()
    ports = {name: free_port() for name in ("aif", "ds", "bare")}
    workers = str(args.workers)
    servers = {
        "aif": start(
            [sys.executable, "-m", "gunicorn", "-c", "gunicorn.conf.py", "-b", f"127.0.0.1:{ports['aif']}", "-w", workers, "wsgi:app"],
            {
                "AIFACTS_DATABASE": str(database),
                "AIFACTS_AUTO_BUILD": "0",
                "AIFACTS_ACCESS_LOG": "0",
                "AIFACTS_CURSOR_SECRET": SECRET,
                "PYTHONPATH": str(args.aifacts_root),
            },
            args.aifacts_root,
        ),
        "ds": start(
            [
                str(python),
                "-m",
                "gunicorn",
                "-k",
                "uvicorn_worker.UvicornWorker",
                "-b",
                f"127.0.0.1:{ports['ds']}",
                "-w",
                workers,
                "datasette_app:app",
            ],
            {"DATASETTE_DB": str(database)},
            BENCH,
        ),
        "bare": start([sys.executable, "-m", "gunicorn", "-b", f"127.0.0.1:{ports['bare']}", "-w", workers, "bare_flask:app"], {}, BENCH),
    }
    try:
        wait_ready(f"http://127.0.0.1:{ports['aif']}/v1")
        wait_ready(f"http://127.0.0.1:{ports['ds']}/facts.json", seconds=120)
        wait_ready(f"http://127.0.0.1:{ports['bare']}/")
        results: dict[str, dict[str, list[dict]]] = {}
        plan = groups(database)
        for _ in range(args.rounds):
            for group, paths in plan.items():
                paths = {**paths, "bare": ["/"]}
                for name in ("aif", "ds", "bare"):
                    run = run_wrk(f"http://127.0.0.1:{ports[name]}", paths[name], args.seconds, args.connections, CLOSE)
                    results.setdefault(group, {}).setdefault(name, []).append(run)
        memory = {name: round(max(rss_mb(p) for p in children(proc.pid)), 1) for name, proc in servers.items()}
        exports = {
            "aif": timed_export(f"http://127.0.0.1:{ports['aif']}/v1/events.csv?export=true&date__gte=2023-07-01", servers["aif"].pid),
            "ds": timed_export(f"http://127.0.0.1:{ports['ds']}/facts/events.csv?_stream=on&_size=max&date__gte=2023-07-01", servers["ds"].pid),
        }
    finally:
        for proc in servers.values():
            proc.terminate()
        for proc in servers.values():
            try:
                proc.wait(timeout=30)
            except subprocess.TimeoutExpired:
                proc.kill()
    report = summarise(results, memory, exports, args)
    if args.json:
        args.json.write_text(json.dumps(report, indent=2))
    return 0


def summarise(results: dict, memory: dict, exports: dict, args: argparse.Namespace) -> dict:
    """Median of the rounds per group and server; print the table of rates, latencies and ratios."""
    setup = f"{args.workers} workers each, wrk {args.connections} connections, {args.seconds:g}s x {args.rounds} rounds"
    print(f"\n{args.records:,} generated events, {setup}")
    print("| request | AIF req/s | DS req/s | B req/s | AIF/DS | AIF/B | AIF p50/p99 ms | DS p50/p99 ms | failed (AIF/DS) |")
    print("|---|---:|---:|---:|---:|---:|---:|---:|---:|")
    table = {}
    for group, by_server in results.items():
        row = {}
        for name, runs in by_server.items():
            row[name] = {
                "rps": statistics.median(r["requests_per_second"] for r in runs),
                "p50": statistics.median(r["latency_p50_ms"] for r in runs),
                "p99": statistics.median(r["latency_p99_ms"] for r in runs),
                "failed": sum(r["socket_errors"] + r["errors"]["status"] for r in runs),
            }
        table[group] = row
        a, d, b = row["aif"], row["ds"], row["bare"]
        print(
            f"| {group} | {a['rps']:,.0f} | {d['rps']:,.0f} | {b['rps']:,.0f} | {a['rps'] / d['rps']:.2f} | {a['rps'] / b['rps']:.2f}"
            f" | {a['p50']:.1f}/{a['p99']:.1f} | {d['p50']:.1f}/{d['p99']:.1f} | {a['failed']}/{d['failed']} |"
        )
    print(f"\nlargest worker RSS (MB): aifacts {memory['aif']}, Datasette {memory['ds']}, bare Flask {memory['bare']}")
    for name, export in exports.items():
        print(f"CSV export of events since 2023-07 ({name}): {export['seconds']}s, {export['mb']} MB, worker RSS after {export['rss_mb']} MB")
    return {"groups": table, "memory_mb": memory, "exports": exports, "records": args.records}


if __name__ == "__main__":
    raise SystemExit(main())

"""Where one request's time goes: the app's WSGI call for a path, repeated in-process, beside the bare Flask ceiling
(same harness, so the ratio leaves out sockets and gunicorn), then a cProfile of the app's calls.

Usage: python bench/profile_request.py --database facts.db [--path /v1/events/ID] [--calls 2000] [--top 25] [--gzip]
"""

from __future__ import annotations

import argparse
import cProfile
import io
import os
import pstats
import sys
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

from werkzeug.test import EnvironBuilder

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

WsgiApp = Callable[[dict[str, Any], Callable[..., Any]], Any]


HEADERS: dict[str, str] = {}  # as bench/compare.py's wrk asks: no compression (neither the ceiling nor Datasette compress)


def call(app: WsgiApp, path: str) -> None:
    environ = EnvironBuilder(path=path, headers=HEADERS).get_environ()
    body = app(environ, lambda status, headers, exc_info=None: None)
    for _ in body:
        pass
    if hasattr(body, "close"):
        body.close()


def per_call_us(app: WsgiApp, path: str, calls: int) -> float:
    for _ in range(50):  # warm caches and the worker's connections
        call(app, path)
    start = time.perf_counter()
    for _ in range(calls):
        call(app, path)
    return (time.perf_counter() - start) / calls * 1e6


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--database", required=True)
    parser.add_argument("--path", default="/v1/events/deepseek-app-tops-us-app-store-2025-01-27")
    parser.add_argument("--calls", type=int, default=2000)
    parser.add_argument("--top", type=int, default=25)
    parser.add_argument("--gzip", action="store_true", help="ask for gzip, as most clients do")
    args = parser.parse_args()
    if args.gzip:
        HEADERS["Accept-Encoding"] = "gzip"
    os.environ.update(AIFACTS_DATABASE=args.database, AIFACTS_ACCESS_LOG="0", AIFACTS_AUTO_BUILD="0")

    from api.app import create_app
    from bench.bare_flask import app as bare

    app = create_app()
    aif_us, bare_us = per_call_us(app, args.path, args.calls), per_call_us(bare, args.path, args.calls)
    print(f"{args.path}: aifacts {aif_us:.0f} µs/call, bare Flask {bare_us:.0f} µs/call, ratio {bare_us / aif_us:.2f}")

    profiler = cProfile.Profile()
    profiler.enable()
    for _ in range(args.calls):
        call(app, args.path)
    profiler.disable()
    out = io.StringIO()
    pstats.Stats(profiler, stream=out).sort_stats("cumulative").print_stats(args.top)
    print(out.getvalue())
    return 0


if __name__ == "__main__":
    raise SystemExit(main())

"""Helpers the benchmarks and proofs share: free ports, waiting for a server, wrk runs, worker processes and memory."""

from __future__ import annotations

import contextlib
import json
import os
import socket
import subprocess
import time
import urllib.error
import urllib.request
from pathlib import Path

WRK_SCRIPT = Path(__file__).resolve().parent / "wrk_paths.lua"


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def free_ports(count: int) -> int:
    """The first of ``count`` consecutive free ports (app servers of a topology sit on consecutive ports)."""
    while True:
        first = free_port()
        try:
            with contextlib.ExitStack() as held:
                for port in range(first, first + count):
                    s = held.enter_context(socket.socket())
                    s.bind(("127.0.0.1", port))
            return first
        except OSError:
            continue


def wait_ready(url: str, seconds: float = 60) -> None:
    """Until ``url`` answers 200 (or raise after ``seconds``)."""
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        try:
            with urllib.request.urlopen(url, timeout=5) as response:
                if response.status == 200:
                    return
        except (urllib.error.URLError, ConnectionError, TimeoutError):
            time.sleep(0.2)
    raise SystemExit(f"{url} did not become ready")


def run_wrk(base: str, paths: list[str], seconds: float, connections: int, headers: dict[str, str] | None = None, threads: int = 2) -> dict:
    """wrk rotating over ``paths``; the summary the Lua script prints (requests, rate, p50/p99, errors)."""
    env = {**os.environ, "WRK_PATHS": "\n".join(paths)}
    if headers is not None:
        env["WRK_HEADERS"] = "\n".join(f"{k}: {v}" for k, v in headers.items())
    out = subprocess.run(
        ["wrk", f"-t{threads}", f"-c{connections}", f"-d{seconds:g}s", "--timeout", "10s", "-s", str(WRK_SCRIPT), base],
        capture_output=True,
        text=True,
        check=True,
        env=env,
    )
    summary: dict = json.loads(out.stdout.strip().splitlines()[-1])
    summary["socket_errors"] = sum(summary["errors"][k] for k in ("connect", "read", "write", "timeout"))
    return summary


def children(pid: int) -> list[int]:
    """The child processes of ``pid`` (a gunicorn master's workers)."""
    try:
        return [int(p) for p in Path(f"/proc/{pid}/task/{pid}/children").read_text().split()]
    except FileNotFoundError:
        return []


def rss_mb(pid: int) -> float:
    """Resident memory of a process, in MB."""
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1]) / 1024
    return 0.0

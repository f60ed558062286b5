"""Load, fault and hot-swap proof against gunicorn on 127.0.0.1, with wrk.

Runs, on a private copy of the fixtures and database:
  1. steady load: wrk on the main endpoints; counts requests, socket errors, non-2xx/3xx;
  2. kill -9 of one worker under load: counts the requests lost;
  3. a dataset rebuild under load: the database is swapped atomically; a sequential poller
     records every X-Data-Version it sees and every failed request;
  4. read-only proof: the live database's hash does not change under load.

Usage: python bench/http_proof.py [--seconds 60] [--connections 32] [--workers 4]
Prints a JSON summary and exits non-zero if any proof fails. Needs `wrk` (Debian package).
"""

from __future__ import annotations

import argparse
import hashlib
import json
import os
import re
import shutil
import signal
import subprocess
import sys
import tempfile
import threading
import urllib.error
import urllib.request
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from common import children, free_port, run_wrk, wait_ready

ROOT = Path(__file__).resolve().parent.parent
PATHS = [
    "/v1/models?limit=20",
    "/v1/models/deepseek-r1",
    "/v1/models?developer=deepseek&sort=-release_date&fields=id,name,release_date",
    "/v1/companies?country=CN&facet=kind",
    "/v1/events?participant=nvidia&expand=companies",
    "/v1/timeline?date__gte=2025-01&limit=50",
    "/v1/search?q=export%20controls",
    "/v1/policies/us-eo-14110",
    "/v1/sources.csv?limit=100",
    "/health",
]


def sha256(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def run_wrk_paths(base: str, seconds: int, connections: int) -> dict:
    return run_wrk(base, PATHS, seconds, connections)


class Poller(threading.Thread):
    """Sequential requests that record each response's status and dataset version."""

    def __init__(self, base: str) -> None:
        super().__init__(daemon=True)
        self.base, self.stop = base, threading.Event()
        self.versions: list[str] = []
        self.failures: list[str] = []

    def run(self) -> None:
        while not self.stop.is_set():
            try:
                with urllib.request.urlopen(self.base + "/v1/models?limit=5", timeout=10) as response:
                    body = json.loads(response.read())
                    assert len(body["data"]) == 5
                    self.versions.append(response.headers["X-Data-Version"])
            except Exception as exc:
                self.failures.append(repr(exc))


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seconds", type=int, default=60)
    parser.add_argument("--connections", type=int, default=32)
    parser.add_argument("--workers", type=int, default=4)
    args = parser.parse_args()
    if not shutil.which("wrk"):
        raise SystemExit("wrk is not installed (apt-get install wrk)")

    work = Path(tempfile.mkdtemp(prefix="aifacts-proof-"))
    fixtures, seeds, database = work / "fixtures", work / "seeds", work / "data" / "facts.db"
    shutil.copytree(ROOT / "fixtures", fixtures)
    shutil.copytree(ROOT / "seeds", seeds)
    env = {**os.environ, "AIFACTS_DATABASE": str(database), "AIFACTS_FIXTURES": str(fixtures), "AIFACTS_SEEDS": str(seeds)}
    subprocess.run([sys.executable, "-m", "api.cli", "build"], cwd=ROOT, env=env, check=True, capture_output=True)
    port = free_port()
    base = f"http://127.0.0.1:{port}"
    log = open(work / "gunicorn.log", "w")  # noqa: SIM115 - closed at the end
    server = subprocess.Popen(
        [sys.executable, "-m", "gunicorn", "-c", "gunicorn.conf.py", "--bind", f"127.0.0.1:{port}", "--workers", str(args.workers), "wsgi:app"],
        cwd=ROOT,
        env={**env, "AIFACTS_ACCESS_LOG": "0"},
        stdout=log,
        stderr=log,
    )
    results: dict = {"workers": args.workers, "connections": args.connections, "seconds": args.seconds}
    try:
        wait_ready(base + "/health")
        before = sha256(database)

        results["steady"] = run_wrk_paths(base, args.seconds, args.connections)
        results["read_only"] = {"hash_before": before[:16], "hash_after": sha256(database)[:16]}

        # Kill -9 one worker in the middle of a load run; gunicorn replaces it. The victim is
        # chosen at that moment: max-requests may have recycled any worker seen earlier.
        killed: list[int] = []

        def kill_a_worker() -> None:
            victim = children(server.pid)[0]
            os.kill(victim, signal.SIGKILL)
            killed.append(victim)

        timer = threading.Timer(args.seconds / 3, kill_a_worker)
        timer.start()
        results["kill_worker"] = run_wrk_paths(base, args.seconds, args.connections)
        timer.join()
        results["kill_worker"]["killed_pid"] = killed[0] if killed else None
        results["kill_worker"]["workers_after"] = len(children(server.pid))

        # Rebuild with a changed fixture under load: the swap is atomic, workers reopen the new file.
        poller = Poller(base)
        poller.start()
        old_version = json.loads(urllib.request.urlopen(base + "/health").read())["version"]

        def rebuild() -> None:
            path = fixtures / "sources" / "founding.yaml"
            path.write_text(path.read_text().replace("Analysis of DeepSeek's R1", "Analysis of DeepSeek’s R1"))
            subprocess.run([sys.executable, "-m", "api.cli", "build"], cwd=ROOT, env=env, check=True, capture_output=True)

        swap = threading.Timer(args.seconds / 3, rebuild)
        swap.start()
        results["rebuild"] = run_wrk_paths(base, args.seconds, args.connections)
        swap.join()
        poller.stop.set()
        poller.join()
        new_version = json.loads(urllib.request.urlopen(base + "/health").read())["version"]
        seen = sorted(set(poller.versions))
        results["rebuild"].update(
            old_version=old_version,
            new_version=new_version,
            versions_seen=seen,
            poller_requests=len(poller.versions) + len(poller.failures),
            poller_failures=len(poller.failures),
        )
        results["read_only"]["hash_after_rebuild_run"] = sha256(database)[:16]
    finally:
        server.send_signal(signal.SIGTERM)
        server.wait(timeout=30)
        log.close()

    ok = {
        "steady: no socket errors, no non-2xx/3xx": results["steady"]["socket_errors"] == 0 and results["steady"]["errors"]["status"] == 0,
        "read-only: hash unchanged under load": results["read_only"]["hash_before"] == results["read_only"]["hash_after"],
        "kill -9: a worker was killed and replaced": results["kill_worker"]["killed_pid"] is not None
        and results["kill_worker"]["workers_after"] == args.workers,
        "kill -9: no non-2xx/3xx": results["kill_worker"]["errors"]["status"] == 0,
        "rebuild: no failed request": results["rebuild"]["socket_errors"] == 0
        and results["rebuild"]["errors"]["status"] == 0
        and results["rebuild"]["poller_failures"] == 0,
        "rebuild: versions seen within {old, new}": set(results["rebuild"]["versions_seen"]) <= {old_version, new_version}
        and new_version != old_version,
    }
    results["checks"] = ok
    print(json.dumps(results, indent=2))
    shutil.rmtree(work, ignore_errors=True)
    lost = results["kill_worker"]["socket_errors"]
    print(f"kill -9 of a worker lost {lost} request(s) (in flight on that worker)", file=sys.stderr)
    return 0 if all(ok.values()) else 1


if __name__ == "__main__":
    if not re.match(r"^3\.(1[1-9])", sys.version.split()[0]):
        raise SystemExit("Python 3.11+ required")
    raise SystemExit(main())

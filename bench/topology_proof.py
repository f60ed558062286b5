"""Proof through the front: nginx and two app servers (deploy/topology.py) under slow clients, a dead server,
a rolling dataset update and repeated reads.

  1. slowloris: 200 sockets trickling request headers; a cheap request's p99 and failures meanwhile, vs quiet;
  2. kill -9 of a whole app server (master and workers) under load: requests that failed;
  3. a rolling dataset update across the replicas under load: failed requests, and the versions a client saw;
  4. the cache: repeated GETs through nginx vs straight to an app server, and the hit ratio;
  5. nginx's own refusals (body, headers, rate limit from a non-exempt address) are problem+json.

Usage: python bench/topology_proof.py [--seconds 20] [--connections 16]
Prints a JSON summary; exits non-zero if a target is missed. Needs wrk and nginx (installed by the topology script).
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import threading
import time
import urllib.error
import urllib.request
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
sys.path.insert(1, str(Path(__file__).resolve().parent.parent))
from common import free_port, free_ports, run_wrk

from api.database import read_meta

ROOT = Path(__file__).resolve().parent.parent
TOPOLOGY = ROOT / "deploy" / "topology.py"
CHEAP = ["/health"]  # never cached (no-store): every request goes through nginx to an app server and its database


def topology(run: Path, *args: str) -> None:
    env = {**os.environ, "AIFACTS_TOPOLOGY_RUN": str(run)}
    subprocess.run([sys.executable, str(TOPOLOGY), *args], check=True, cwd=ROOT, env=env, stdout=sys.stderr)  # stdout is the JSON


class Slowloris(threading.Thread):
    """Keeps ``sockets`` connections open, each sending one more header byte every second, reopening any the server closes."""

    def __init__(self, port: int, sockets: int) -> None:
        super().__init__(daemon=True)
        self.port, self.count, self.stop = port, sockets, threading.Event()
        self.opened = 0

    def _open(self) -> socket.socket:
        s = socket.create_connection(("127.0.0.1", self.port), timeout=5)
        s.sendall(b"GET /v1/models HTTP/1.1\r\nHost: x\r\n")
        self.opened += 1
        return s

    def run(self) -> None:
        held = [self._open() for _ in range(self.count)]
        while not self.stop.is_set():
            for i, s in enumerate(held):
                try:
                    s.sendall(b"X")
                except OSError:
                    s.close()
                    held[i] = self._open()
            time.sleep(1)
        for s in held:
            s.close()


class Poller(threading.Thread):
    """Sequential requests through the front, recording every failure and every data version seen, in order."""

    def __init__(self, base: str) -> None:
        super().__init__(daemon=True)
        self.base, self.stop = base, threading.Event()
        self.versions: list[str] = []  # each change of version, in order
        self.failures: list[str] = []
        self.requests = 0

    def run(self) -> None:
        while not self.stop.is_set():
            self.requests += 1
            try:
                with urllib.request.urlopen(self.base + "/health", timeout=10) as response:
                    version = response.headers["X-Data-Version"]
                    if not self.versions or self.versions[-1] != version:
                        self.versions.append(version)
            except Exception as exc:
                self.failures.append(repr(exc))


def failures(run: dict) -> int:
    return int(run["socket_errors"] + run["errors"]["status"])


def problem_status(url: str, data: bytes | None = None, headers: dict | None = None, source: str | None = None) -> tuple[int, str]:
    """Status and media type of a request nginx refuses (sent from ``source`` when given)."""
    request = urllib.request.Request(url, data=data, headers=headers or {}, method="GET")
    if source:  # a client address outside the loopback exemption of the rate limit
        host, port = url.split("//")[1].split("/")[0].split(":")
        with socket.create_connection((host, int(port)), source_address=(source, 0)) as s:
            s.sendall(b"GET /health HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n")
            head = s.recv(4096).decode("latin-1")
        status = int(head.split()[1])
        media = next((line.split(":", 1)[1].strip() for line in head.splitlines() if line.lower().startswith("content-type")), "")
        return status, media
    try:
        with urllib.request.urlopen(request, timeout=10) as response:
            return response.status, response.headers.get("Content-Type", "")
    except urllib.error.HTTPError as exc:
        return exc.code, exc.headers.get("Content-Type", "")


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seconds", type=int, default=20)
    parser.add_argument("--connections", type=int, default=16)
    args = parser.parse_args()
    run = Path(tempfile.mkdtemp(prefix="aifacts-topology-"))
    port = free_port()
    base = f"http://127.0.0.1:{port}"
    result: dict = {}
    start = ["up", "--replicas", "2", "--port", str(port), "--app-port", str(free_ports(2)), "--rate", "20", "--burst", "20"]
    topology(run, *start)
    try:
        state = json.loads((run / "state.json").read_text())

        quiet = run_wrk(base, CHEAP, args.seconds, args.connections)
        attack = Slowloris(port, 200)
        attack.start()
        time.sleep(2)
        under = run_wrk(base, CHEAP, args.seconds, args.connections)
        attack.stop.set()
        result["slowloris"] = {
            "sockets": 200,
            "quiet_p99_ms": quiet["latency_p99_ms"],
            "under_attack_p99_ms": under["latency_p99_ms"],
            "under_attack_failures": failures(under),
            "under_attack_rps": under["requests_per_second"],
            "quiet_rps": quiet["requests_per_second"],
        }

        victim = state["replicas"][0]

        def kill_server() -> None:
            time.sleep(args.seconds / 3)
            os.killpg(victim["pid"], signal.SIGKILL)

        threading.Thread(target=kill_server, daemon=True).start()
        load = run_wrk(base, CHEAP, args.seconds, args.connections)
        result["kill_app_server"] = {"requests": load["requests"], "failed": failures(load), "killed_pid": victim["pid"]}
        topology(run, "down")
        topology(run, *start)

        fixtures = run / "fixtures-next"
        shutil.copytree(ROOT / "fixtures", fixtures)
        founding = fixtures / "sources" / "founding.yaml"
        founding.write_text(founding.read_text().replace("language: en", "language: en-US", 1))  # a new data version
        next_db = run / "next.db"
        build = [sys.executable, "-m", "api.cli", "build", "--fixtures", str(fixtures), "--database", str(next_db)]
        subprocess.run(build, check=True, cwd=ROOT, stdout=sys.stderr)
        next_version = read_meta(next_db)["version"]
        poller = Poller(base)
        poller.start()

        def roll() -> None:
            time.sleep(args.seconds / 3)
            topology(run, "rollout", "--database", str(next_db))

        roller = threading.Thread(target=roll, daemon=True)
        roller.start()
        load = run_wrk(base, CHEAP, args.seconds, args.connections)
        roller.join()
        poller.stop.set()
        poller.join()
        result["rolling_update"] = {
            "requests": load["requests"] + poller.requests,
            "failed": failures(load) + len(poller.failures),
            # While one replica has the new file and the other not yet, a client may be sent to either.
            "versions_seen_by_a_polling_client": poller.versions,
            "old_version": state["version"],
            "new_version": next_version,
        }

        state = json.loads((run / "state.json").read_text())
        direct = f"http://127.0.0.1:{state['replicas'][1]['port']}"
        repeated = ["/v1/models?limit=20", "/v1/models/deepseek-r1", "/v1/companies?country=CN&facet=kind"]
        log = run / "nginx-access.log"
        logged_before = len(log.read_text().splitlines())
        cached = run_wrk(base, repeated, args.seconds, args.connections)
        statuses = [line.split()[-3] for line in log.read_text().splitlines()[logged_before:]]
        straight = run_wrk(direct, repeated, args.seconds, args.connections)
        result["cache"] = {
            "through_nginx_rps": cached["requests_per_second"],
            "straight_to_app_rps": straight["requests_per_second"],
            "hit_ratio": round(statuses.count("HIT") / max(len(statuses), 1), 4),
        }

        result["nginx_refusals"] = {
            "body": problem_status(base + "/v1/models", data=b"x" * 4096),
            "headers": problem_status(base + "/v1/models", headers={f"X-Big-{i}": "x" * 8000 for i in range(4)}),
            "rate_limited": sorted({problem_status(base + "/health", source="127.0.0.2") for _ in range(60)}),
        }
    finally:
        topology(run, "down")
    targets = {
        "slowloris: no failures": result["slowloris"]["under_attack_failures"] == 0,
        "slowloris: p99 within 2x quiet": result["slowloris"]["under_attack_p99_ms"] <= 2 * max(result["slowloris"]["quiet_p99_ms"], 1.0),
        "kill -9 of an app server: no failed request": result["kill_app_server"]["failed"] == 0,
        "rolling update: no failed request": result["rolling_update"]["failed"] == 0,
        "rolling update: the old version, then the new, and no other": (
            result["rolling_update"]["versions_seen_by_a_polling_client"][0] == result["rolling_update"]["old_version"]
            and result["rolling_update"]["versions_seen_by_a_polling_client"][-1] == result["rolling_update"]["new_version"]
            and len(set(result["rolling_update"]["versions_seen_by_a_polling_client"])) == 2
        ),
        "cache hits": result["cache"]["hit_ratio"] > 0.9,
        "nginx refusals are problem+json": all(
            "problem+json" in media for status, media in [result["nginx_refusals"]["body"], result["nginx_refusals"]["headers"]]
        )
        and any(status == 429 and "problem+json" in media for status, media in result["nginx_refusals"]["rate_limited"]),
    }
    result["targets"] = targets
    print(json.dumps(result, indent=2))
    return 0 if all(targets.values()) else 1


if __name__ == "__main__":
    raise SystemExit(main())

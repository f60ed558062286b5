"""The production topology on one machine: nginx in front of several gunicorn app servers, each with its own copy of one dataset.

    python deploy/topology.py up [--replicas 2] [--port 8080]   # build once, ship to each replica, start all
    python deploy/topology.py status                             # each replica's health and data version
    python deploy/topology.py rollout [--database new.db]        # ship a new build to each replica in turn
    python deploy/topology.py down                               # stop nginx and every app server

Each replica stands in for a machine: its own folder, its own database file, its own gunicorn on its own
port. They share one cursor key, so a cursor from one is valid on all. A rollout builds the dataset once,
then on each replica in turn copies it beside the live file and renames it into place: the workers notice
the new file on their next request, with no restart and no failed request. nginx (Debian's package,
installed on first use) buffers slow clients, caches, limits clients and fails over between replicas.
State lives in deploy/.run/ (pids, configuration, logs, the cache, the replicas' folders).
"""

from __future__ import annotations

import argparse
import contextlib
import json
import os
import secrets
import shutil
import signal
import subprocess
import sys
import time
import urllib.error
import urllib.request
from pathlib import Path

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent
RUN = Path(os.environ.get("AIFACTS_TOPOLOGY_RUN", HERE / ".run"))
STATE = RUN / "state.json"
FIRST_APP_PORT = 8101


def ensure_nginx() -> str:
    """The nginx binary, installed from Debian's packages when missing."""
    found = shutil.which("nginx") or ("/usr/sbin/nginx" if Path("/usr/sbin/nginx").exists() else None)
    if found:
        return found
    subprocess.run(["apt-get", "update", "-qq"], check=True)
    subprocess.run(["apt-get", "install", "-y", "-qq", "nginx-light"], check=True, env={**os.environ, "DEBIAN_FRONTEND": "noninteractive"})
    return shutil.which("nginx") or "/usr/sbin/nginx"


def healthy(port: int, timeout: float = 2) -> dict | None:
    """The /health answer of an app server, or None."""
    try:
        with urllib.request.urlopen(f"http://127.0.0.1:{port}/health", timeout=timeout) as response:
            return json.loads(response.read()) if response.status == 200 else None
    except (urllib.error.URLError, ConnectionError, TimeoutError, ValueError):
        return None


def wait_healthy(port: int, seconds: float = 60) -> dict:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        found = healthy(port)
        if found:
            return found
        time.sleep(0.2)
    raise SystemExit(f"app server on port {port} did not become healthy")


def build_once(target: Path) -> str:
    """Build the dataset once (the release artefact) and return its version."""
    subprocess.run([sys.executable, "-m", "api.cli", "build", "--database", str(target)], check=True, cwd=ROOT)
    sys.path.insert(0, str(ROOT))
    from api.database import read_meta

    return read_meta(target)["version"]


def ship(artefact: Path, replica: Path) -> None:
    """Copy the build beside the replica's live file, flush it, and rename it into place (atomic on one filesystem)."""
    live = replica / "facts.db"
    incoming = replica / ".facts.db.incoming"
    shutil.copyfile(artefact, incoming)
    with open(incoming, "rb") as handle:
        os.fsync(handle.fileno())
    os.replace(incoming, live)


def start_replica(number: int, port: int, workers: int, secret: str) -> int:
    replica = RUN / f"replica-{number}"
    env = {
        **os.environ,
        "AIFACTS_DATABASE": str(replica / "facts.db"),
        "AIFACTS_AUTO_BUILD": "0",
        "AIFACTS_CURSOR_SECRET": secret,
        "AIFACTS_TRUSTED_PROXIES": "1",
        "AIFACTS_ACCESS_LOG": os.environ.get("AIFACTS_ACCESS_LOG", "0"),
    }
    log = open(replica / "gunicorn.log", "ab")  # noqa: SIM115 - handed to the server process
    argv = [sys.executable, "-m", "gunicorn", "-c", "gunicorn.conf.py", "-b", f"127.0.0.1:{port}", "-w", str(workers), "wsgi:app"]
    process = subprocess.Popen(argv, cwd=ROOT, env=env, stdout=log, stderr=log, start_new_session=True)
    return process.pid


def nginx_config(port: int, app_ports: list[int], rate: int, burst: int) -> Path:
    servers = "\n".join(f"        server 127.0.0.1:{p} max_fails=1 fail_timeout=10s;" for p in app_ports)
    text = (HERE / "nginx.conf.template").read_text()
    for name, value in {"run": RUN, "port": port, "servers": servers, "rate": rate, "burst": burst}.items():
        text = text.replace(f"@{name}@", str(value))  # not string.Template: nginx's own variables start with $
    target = RUN / "nginx.conf"
    target.write_text(text)
    return target


def up(args: argparse.Namespace) -> int:
    if STATE.exists():
        print("already up; run `down` first", file=sys.stderr)
        return 1
    nginx = ensure_nginx()
    RUN.mkdir(parents=True, exist_ok=True)
    # nginx started as root runs its workers as an unprivileged user (www-data): they must reach the cache.
    RUN.chmod(0o755)
    (RUN / "cache").mkdir(exist_ok=True)
    artefact = RUN / "release" / "facts.db"
    artefact.parent.mkdir(exist_ok=True)
    version = build_once(artefact)
    secret = os.environ.get("AIFACTS_CURSOR_SECRET") or secrets.token_urlsafe(32)  # one key for every replica
    replicas: list[dict] = []
    try:
        for number in range(args.replicas):
            (RUN / f"replica-{number}").mkdir(exist_ok=True)
            ship(artefact, RUN / f"replica-{number}")
            port = args.app_port + number
            if healthy(port, timeout=0.5):
                raise SystemExit(f"port {port} already serves an app server (another topology?); choose --app-port")
            replicas.append({"number": number, "port": port, "pid": start_replica(number, port, args.workers, secret)})
        for replica in replicas:
            wait_healthy(replica["port"])
        config = nginx_config(args.port, [r["port"] for r in replicas], args.rate, args.burst)
        subprocess.run([nginx, "-t", "-q", "-c", str(config), "-p", str(RUN)], check=True)
        subprocess.run([nginx, "-c", str(config), "-p", str(RUN)], check=True)
    except BaseException:
        _stop_replicas(replicas)  # nothing left running that no state file names
        raise
    state = {"port": args.port, "replicas": replicas, "nginx": nginx, "config": str(config), "version": version, "workers": args.workers}
    STATE.write_text(json.dumps(state, indent=2))
    (RUN / "cursor-secret").write_text(secret)
    (RUN / "cursor-secret").chmod(0o600)
    print(f"up: http://127.0.0.1:{args.port} -> {len(replicas)} app servers {[r['port'] for r in replicas]}, data version {version}")
    return 0


def status(_: argparse.Namespace) -> int:
    if not STATE.exists():
        print("down")
        return 1
    state = json.loads(STATE.read_text())
    print(f"nginx on 127.0.0.1:{state['port']}")
    for replica in state["replicas"]:
        print(f"replica {replica['number']} on port {replica['port']}: {healthy(replica['port']) or 'not healthy'}")
    return 0


def rollout(args: argparse.Namespace) -> int:
    """Ship a new build to each replica in turn, checking each is healthy on the new version before the next."""
    state = json.loads(STATE.read_text())
    artefact = RUN / "release" / "facts.db"
    if args.database:
        shutil.copyfile(args.database, artefact)
        sys.path.insert(0, str(ROOT))
        from api.database import read_meta

        version = read_meta(artefact)["version"]
    else:
        version = build_once(artefact)
    for replica in state["replicas"]:
        ship(artefact, RUN / f"replica-{replica['number']}")
        deadline = time.monotonic() + 30
        while (healthy(replica["port"]) or {}).get("version") != version:
            if time.monotonic() > deadline:
                raise SystemExit(f"replica {replica['number']} did not serve version {version}")
            time.sleep(0.1)
        print(f"replica {replica['number']} serves {version}")
    state["version"] = version
    STATE.write_text(json.dumps(state, indent=2))
    return 0


def _stop_replicas(replicas: list[dict]) -> None:
    """SIGTERM to each app server's process group (master and workers), then wait until none answers."""
    for replica in replicas:
        with contextlib.suppress(ProcessLookupError):
            os.killpg(replica["pid"], signal.SIGTERM)
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline and any(healthy(r["port"], timeout=0.5) for r in replicas):
        time.sleep(0.2)


def down(_: argparse.Namespace) -> int:
    if not STATE.exists():
        print("already down")
        return 0
    state = json.loads(STATE.read_text())
    subprocess.run([state["nginx"], "-c", state["config"], "-p", str(RUN), "-s", "quit"], check=False)
    _stop_replicas(state["replicas"])
    STATE.unlink()
    print("down")
    return 0


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    sub = parser.add_subparsers(dest="command", required=True)
    start = sub.add_parser("up", help="build once, ship to each replica, start the app servers and nginx")
    start.add_argument("--replicas", type=int, default=2)
    start.add_argument("--workers", type=int, default=2, help="gunicorn workers per app server")
    start.add_argument("--app-port", type=int, default=FIRST_APP_PORT, help="port of the first app server; the others follow")
    start.add_argument("--port", type=int, default=8080, help="nginx's port")
    start.add_argument("--rate", type=int, default=50, help="requests per second allowed per client address")
    start.add_argument("--burst", type=int, default=100, help="requests a client may send above the rate before 429")
    start.set_defaults(func=up)
    sub.add_parser("status", help="each replica's health and data version").set_defaults(func=status)
    roll = sub.add_parser("rollout", help="ship a new build to each replica in turn")
    roll.add_argument("--database", type=Path, help="a database built elsewhere (default: build from the fixtures)")
    roll.set_defaults(func=rollout)
    sub.add_parser("down", help="stop nginx and every app server").set_defaults(func=down)
    args = parser.parse_args(argv)
    return int(args.func(args))


if __name__ == "__main__":
    raise SystemExit(main())

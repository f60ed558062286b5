"""The ``aifacts`` command: validate, build, serve and inspect the dataset."""

from __future__ import annotations

import argparse
import json
import os
import sys
from pathlib import Path

from api.builder import BuildFailed, build, ensure_servable, validate
from api.config import load_settings
from api.database import read_meta
from api.version import API_VERSION, PACKAGE_VERSION


class PrintVersions(argparse.Action):
    """``--version``: the versions, worked out only when asked for (the data's is read from the database)."""

    def __init__(self, option_strings: list[str], dest: str, **kwargs: object) -> None:
        super().__init__(option_strings, dest, nargs=0, help="print the package, API and data versions and exit")

    def __call__(self, parser: argparse.ArgumentParser, *_: object) -> None:
        print(versions())
        parser.exit()


def _paths(args: argparse.Namespace) -> dict:
    overrides = {k.upper(): v for k, v in vars(args).items() if k in ("fixtures", "seeds", "database") and v}
    return load_settings(overrides)


def _report_failure(exc: BuildFailed) -> int:
    for problem in exc.problems:
        print(problem, file=sys.stderr)
    print(f"{len(exc.problems)} problem(s); nothing was written.", file=sys.stderr)
    return 1


def cmd_validate(args: argparse.Namespace) -> int:
    settings = _paths(args)
    try:
        report = validate(settings["FIXTURES"], settings["SEEDS"])
    except BuildFailed as exc:
        return _report_failure(exc)
    counts = ", ".join(f"{n} {name}" for name, n in sorted(report.counts.items()))
    print(f"valid: {len(report.records)} records ({counts}) in {report.seconds:.2f}s")
    return 0


def cmd_build(args: argparse.Namespace) -> int:
    settings = _paths(args)
    try:
        report = build(settings["FIXTURES"], settings["SEEDS"], settings["DATABASE"])
    except BuildFailed as exc:
        return _report_failure(exc)
    print(f"built {settings['DATABASE']}: {len(report.records)} records in {report.seconds:.2f}s (version {report.version})")
    return 0


def cmd_info(args: argparse.Namespace) -> int:
    settings = _paths(args)
    if not settings["DATABASE"].is_file():
        print(f"{settings['DATABASE']} does not exist; run `aifacts build`", file=sys.stderr)
        return 1
    meta: dict = dict(read_meta(settings["DATABASE"]))
    meta["counts"] = json.loads(meta.get("counts", "{}"))
    meta["schema_version"] = int(meta["schema_version"])
    print(json.dumps({"database": str(settings["DATABASE"]), **meta}, indent=2))
    return 0


def cmd_serve(args: argparse.Namespace) -> int:
    settings = _paths(args)
    os.environ["AIFACTS_DATABASE"] = str(settings["DATABASE"])
    os.environ["AIFACTS_FIXTURES"] = str(settings["FIXTURES"])
    os.environ["AIFACTS_SEEDS"] = str(settings["SEEDS"])
    # Build (if stale) here, before gunicorn forks, so a bad fixture stops the start with its report.
    code = cmd_build_if_stale(settings)
    if code:
        return code
    argv = [sys.executable, "-m", "gunicorn", "--config", "python:api.gunicorn_conf", "--bind", f"{args.host}:{args.port}"]
    if args.workers:
        argv += ["--workers", str(args.workers)]
    argv.append("wsgi:app")
    os.execv(sys.executable, argv)  # noqa: S606 - replace this process with gunicorn
    return 0  # not reached


def cmd_build_if_stale(settings: dict) -> int:
    """Build before serving if stale; with broken fixtures, serve the previous database if there is one."""
    try:
        failure = ensure_servable(settings["FIXTURES"], settings["SEEDS"], settings["DATABASE"])
    except BuildFailed as exc:
        return _report_failure(exc)
    if failure is not None:
        _report_failure(failure)
        print("serving the previous database", file=sys.stderr)
    return 0


def parser() -> argparse.ArgumentParser:
    main = argparse.ArgumentParser(prog="aifacts", description="A typed, sourced facts API about the AI landscape.")
    main.add_argument("--version", action=PrintVersions)
    sub = main.add_subparsers(dest="command", required=True)
    commands = {
        "validate": (cmd_validate, "check every fixture and report all problems; write nothing"),
        "build": (cmd_build, "validate, then build the database atomically"),
        "info": (cmd_info, "print the database's build metadata"),
        "serve": (cmd_serve, "build if stale, then serve with gunicorn"),
    }
    for name, (func, help_text) in commands.items():
        p = sub.add_parser(name, help=help_text, description=help_text)
        p.set_defaults(func=func)
        p.add_argument("--fixtures", type=Path, help="fixtures folder (default: AIFACTS_FIXTURES or ./fixtures)")
        p.add_argument("--seeds", type=Path, help="seeds folder (default: AIFACTS_SEEDS or ./seeds)")
        p.add_argument("--database", type=Path, help="database file (default: AIFACTS_DATABASE or ./data/facts.db)")
        if name == "serve":
            p.add_argument("--host", default="127.0.0.1")
            p.add_argument("--port", type=int, default=8000)
            p.add_argument("--workers", type=int, default=0, help="worker processes (default: from CPU count)")
    return main


def versions() -> str:
    """The package, API and data versions, the last from the database the settings name (if built)."""
    database = load_settings()["DATABASE"]
    data = read_meta(database)["version"] if database.is_file() else "not built"
    return f"aifacts {PACKAGE_VERSION} (API {API_VERSION}, data {data})"


def main(argv: list[str] | None = None) -> int:
    args = parser().parse_args(argv)
    try:
        return int(args.func(args))
    except BrokenPipeError:
        # The reader went away (`aifacts info | head`): not an error of ours. Keep Python from complaining at exit.
        os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
        return 0


if __name__ == "__main__":
    raise SystemExit(main())

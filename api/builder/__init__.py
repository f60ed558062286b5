"""Build facts.db from fixtures and seeds: load, check, write atomically; or fail and change nothing."""

from __future__ import annotations

import fcntl
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path

from api.builder.checks import check_records
from api.builder.load import Problem, Record, content_hash, load_fixtures
from api.builder.write import write_database
from api.database import stored_hash, stored_meta
from schema import SCHEMA_VERSION


class BuildFailed(Exception):
    """The fixtures did not pass validation; ``problems`` says where and why."""

    def __init__(self, problems: list[Problem]) -> None:
        self.problems = sorted(problems)
        shown = "\n".join(str(p) for p in self.problems[:20])
        more = f"\n… and {len(self.problems) - 20} more" if len(self.problems) > 20 else ""
        super().__init__(f"{len(self.problems)} problem(s) in the fixtures:\n{shown}{more}")


@dataclass
class BuildReport:
    """What a successful validation or build produced."""

    records: list[Record]
    content_hash: str
    seconds: float = 0.0
    counts: dict[str, int] = field(default_factory=dict)
    version: str = ""  # of a built database: the fixtures and the day its current states hold from


def validate(fixtures_dir: Path, seeds_dir: Path) -> BuildReport:
    """Load and check every fixture; raise BuildFailed listing every problem."""
    started = time.perf_counter()
    records, problems = load_fixtures(fixtures_dir)
    problems += check_records(records, seeds_dir)
    if problems:
        raise BuildFailed(problems)
    counts: dict[str, int] = {}
    for record in records:
        counts[record.collection] = counts.get(record.collection, 0) + 1
    digest = content_hash(fixtures_dir, seeds_dir, SCHEMA_VERSION)
    return BuildReport(records, digest, time.perf_counter() - started, counts)


def build(fixtures_dir: Path, seeds_dir: Path, database: Path) -> BuildReport:
    """Validate, then write the database atomically. On any failure the old file is untouched."""
    started = time.perf_counter()
    report = validate(fixtures_dir, seeds_dir)
    meta = {
        "content_hash": report.content_hash,
        "schema_version": SCHEMA_VERSION,
        "built_at": datetime.now(UTC).strftime("%Y-%m-%dT%H:%M:%SZ"),
    }
    report.version = write_database(report.records, database, meta)["version"]
    report.seconds = time.perf_counter() - started
    return report


@contextmanager
def _build_lock(database: Path) -> Iterator[None]:
    """An exclusive lock so that workers starting together build only once."""
    database.parent.mkdir(parents=True, exist_ok=True)
    with open(database.with_name(f".{database.name}.lock"), "a") as handle:
        fcntl.flock(handle, fcntl.LOCK_EX)
        try:
            yield
        finally:
            fcntl.flock(handle, fcntl.LOCK_UN)


def is_current(database: Path, fixtures_hash: str) -> bool:
    """Whether ``database`` was built from these fixtures and its current states still hold today."""
    meta = stored_meta(database)
    until = meta.get("current_until")
    today = datetime.now(UTC).strftime("%Y-%m-%d")
    return meta.get("content_hash") == fixtures_hash and not (until and until <= today)


def ensure_database(fixtures_dir: Path, seeds_dir: Path, database: Path) -> bool:
    """Build the database if it is missing, older than the fixtures, or past the next scheduled change of a state
    (a rule taking effect, a price ending). True if it built."""
    current = content_hash(fixtures_dir, seeds_dir, SCHEMA_VERSION)
    if is_current(database, current):
        return False
    with _build_lock(database):
        if is_current(database, content_hash(fixtures_dir, seeds_dir, SCHEMA_VERSION)):
            return False  # another worker built it while we waited
        build(fixtures_dir, seeds_dir, database)
        return True


def ensure_servable(fixtures_dir: Path, seeds_dir: Path, database: Path) -> BuildFailed | None:
    """Build if stale, for a service about to start. With broken fixtures, keep a previous database and
    return the failure for the caller to report (a bad edit must not take the service down); with no
    previous database there is nothing to serve, so the failure is raised."""
    try:
        ensure_database(fixtures_dir, seeds_dir, database)
    except BuildFailed as exc:
        if stored_hash(database) is None:
            raise
        return exc
    return None


__all__ = ["BuildFailed", "BuildReport", "Problem", "build", "ensure_database", "ensure_servable", "validate"]

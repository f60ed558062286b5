"""Read fixture files and validate each record against its marshmallow schema."""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import yaml
from marshmallow import ValidationError

from api.tables import COLLECTIONS, DATABASE_LAYOUT

FIXTURE_SUFFIXES = (".yaml", ".yml")


@dataclass(frozen=True, order=True)
class Problem:
    """One reason the build fails, located as precisely as we can."""

    file: str
    record: str
    field: str
    reason: str

    def __str__(self) -> str:
        return f"{self.file}: record {self.record}: field {self.field}: {self.reason}"


@dataclass
class Record:
    """A validated record with where it came from."""

    collection: str
    file: str
    data: dict[str, Any]

    @property
    def id(self) -> str:
        return str(self.data["id"])


# libyaml's parser when PyYAML was built with it (its wheels are): about 5x faster than the pure-Python one.
_SafeLoader = getattr(yaml, "CSafeLoader", yaml.SafeLoader)


class _StrictLoader(_SafeLoader):  # type: ignore[misc,valid-type]
    """A safe loader that rejects duplicate keys instead of keeping the last one silently."""


def _mapping_without_duplicates(loader: _StrictLoader, node: yaml.MappingNode, deep: bool = False) -> dict:
    seen: set[Any] = set()
    for key_node, _ in node.value:
        key = loader.construct_object(key_node, deep=deep)  # type: ignore[no-untyped-call]
        if key in seen:
            raise yaml.constructor.ConstructorError(None, None, f"duplicate key {key!r}", key_node.start_mark)
        seen.add(key)
    return loader.construct_mapping(node, deep=deep)


_StrictLoader.add_constructor(yaml.resolver.BaseResolver.DEFAULT_MAPPING_TAG, _mapping_without_duplicates)


def fixture_files(fixtures_dir: Path) -> list[Path]:
    """Every fixture file, in a stable order."""
    return sorted(p for p in fixtures_dir.rglob("*") if p.suffix in FIXTURE_SUFFIXES and p.is_file())


def content_hash(fixtures_dir: Path, seeds_dir: Path, schema_version: int) -> str:
    """Hash of everything a build reads (and the layout it writes), so a database can tell whether it is stale."""
    digest = hashlib.sha256(f"schema:{schema_version}\nlayout:{DATABASE_LAYOUT}\n".encode())
    for root in (fixtures_dir, seeds_dir):
        for path in sorted(p for p in root.rglob("*") if p.is_file()):
            digest.update(f"{path.relative_to(root.parent).as_posix()}\n".encode())
            digest.update(hashlib.sha256(path.read_bytes()).digest())
    return digest.hexdigest()


def _flatten(messages: Any, prefix: str = "") -> list[tuple[str, str]]:
    """Turn marshmallow's nested error messages into (dotted field path, reason) pairs."""
    if isinstance(messages, dict):
        out: list[tuple[str, str]] = []
        for key, value in messages.items():
            path = f"{prefix}.{key}" if prefix else str(key)
            out.extend(_flatten(value, path))
        return out
    if isinstance(messages, list) and all(isinstance(m, str) for m in messages):
        return [(prefix or "(record)", "; ".join(messages))]
    if isinstance(messages, list):
        return [pair for m in messages for pair in _flatten(m, prefix)]
    return [(prefix or "(record)", str(messages))]


def load_file(path: Path, fixtures_dir: Path) -> tuple[list[Record], list[Problem]]:
    """Parse one fixture file and validate its records; collect every problem."""
    rel = path.relative_to(fixtures_dir.parent).as_posix()
    folder = path.relative_to(fixtures_dir).parts[0] if len(path.relative_to(fixtures_dir).parts) > 1 else ""
    collection = COLLECTIONS.get(folder)
    if collection is None:
        known = ", ".join(sorted(COLLECTIONS))
        return [], [Problem(rel, "-", "-", f"fixture files belong in a folder named after a record type ({known})")]
    try:
        text = path.read_text(encoding="utf-8")
        document = yaml.load(text, Loader=_StrictLoader)  # noqa: S506 - a SafeLoader subclass
    except UnicodeDecodeError as exc:
        return [], [Problem(rel, "-", "-", f"not UTF-8 text ({exc.reason})")]
    except yaml.YAMLError as exc:
        return [], [Problem(rel, "-", "-", f"malformed YAML: {exc}")]
    if document is None:
        return [], []
    if not isinstance(document, list):
        return [], [Problem(rel, "-", "-", "the file must be a YAML list of records")]
    records: list[Record] = []
    problems: list[Problem] = []
    for index, raw in enumerate(document, start=1):
        if not isinstance(raw, dict):
            problems.append(Problem(rel, f"#{index}", "-", "a record must be a mapping of field: value"))
            continue
        label = str(raw.get("id") or f"#{index}")
        try:
            data = collection.schema.load(raw)
        except ValidationError as exc:
            problems.extend(Problem(rel, label, f, reason) for f, reason in _flatten(exc.messages))
            continue
        records.append(Record(collection.name, rel, data))
    return records, problems


def load_fixtures(fixtures_dir: Path) -> tuple[list[Record], list[Problem]]:
    """Load every fixture file; return the valid records and every problem found."""
    if not fixtures_dir.is_dir():
        return [], [Problem(str(fixtures_dir), "-", "-", "fixtures folder not found")]
    records: list[Record] = []
    problems: list[Problem] = []
    for path in fixture_files(fixtures_dir):
        found, bad = load_file(path, fixtures_dir)
        records.extend(found)
        problems.extend(bad)
    return records, problems

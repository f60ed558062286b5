"""Cross-record checks: unique ids, resolving references, verbatim quotes, citation coverage, dates."""

from __future__ import annotations

import re
from collections.abc import Iterator
from pathlib import Path
from typing import Any

from api.build.load import Problem, Record
from api.tables import COLLECTIONS
from schema.record import PROVENANCE_FIELDS, fact_fields, self_cited_fields

_QUOTE_MAP = str.maketrans({"‘": "'", "’": "'", "‚": "'", "“": '"', "”": '"', "„": '"', "\u00a0": " "})


def normalise_text(text: str) -> str:
    """Fold whitespace and typographic quotes, the only differences a quote may have."""
    return re.sub(r"\s+", " ", text.translate(_QUOTE_MAP)).strip()


def definitely_before(a: str, b: str) -> bool:
    """True when date ``a`` is before ``b`` at the precision both are known to."""
    n = min(len(a), len(b))
    return a[:n] < b[:n]


def iter_citations(data: dict[str, Any]) -> Iterator[tuple[str, dict[str, Any]]]:
    """Every citation in a record, with the path that locates it (dated values such as prices carry their own)."""
    for i, c in enumerate(data.get("citations", [])):
        yield f"citations.{i}", c
    for name, value in data.items():
        if name not in PROVENANCE_FIELDS and isinstance(value, list):
            for i, item in enumerate(value):
                for k, c in enumerate(item.get("citations", []) if isinstance(item, dict) else []):
                    yield f"{name}.{i}.citations.{k}", c
    for i, d in enumerate(data.get("disputes", [])):
        for j, alt in enumerate(d["alternatives"]):
            for k, c in enumerate(alt["citations"]):
                yield f"disputes.{i}.alternatives.{j}.citations.{k}", c
    for i, claim in enumerate(data.get("claims", [])):
        for k, c in enumerate(claim["citations"]):
            yield f"claims.{i}.citations.{k}", c


# Free-text fields whose values name the same things across records.
VOCABULARY_FIELDS = {
    "ai_models": ("license", "family"),
    "chips": ("family", "architecture"),
    "companies": ("hq_city",),
    "events": ("location",),
    "sources": ("publisher",),
}


def _present(value: Any) -> bool:
    return value is not None and value != [] and value != {}


class Checker:
    """Runs every cross-record check over a loaded set of records."""

    def __init__(self, records: list[Record], seeds_dir: Path) -> None:
        self.records = records
        self.seeds_dir = seeds_dir
        self.index: dict[str, dict[str, Record]] = {name: {} for name in COLLECTIONS}
        self.problems: list[Problem] = []
        self._seed_texts: dict[str, str | None] = {}

    def problem(self, record: Record, field: str, reason: str) -> None:
        self.problems.append(Problem(record.file, record.id, field, reason))

    def run(self) -> list[Problem]:
        self.check_unique_ids()
        self.check_unique_names()
        sources = self.index["sources"]
        cited_sources: set[str] = set()
        for record in self.records:
            self.check_references(record)
            for path, citation in iter_citations(record.data):
                cited_sources.add(citation["source"])
                self.check_citation(record, path, citation, sources.get(citation["source"]))
            self.check_coverage(record)
            self.check_disputes(record)
            self.check_dates(record)
        self.check_vocabularies()
        for source in sources.values():
            if source.data.get("file") and self.seed_text(source.data["file"]) is None:
                self.problem(source, "file", f"seeds/{source.data['file']} does not exist")
            if source.id not in cited_sources:
                self.problem(source, "id", "no record cites this source")
        return self.problems

    def check_vocabularies(self) -> None:
        """Free-text vocabularies are spelled one way: "Apache 2.0" and "Apache-2.0" may not both appear."""
        for collection, fields in VOCABULARY_FIELDS.items():
            for name in fields:
                spellings: dict[str, str] = {}
                for record in self.index[collection].values():
                    value = record.data.get(name)
                    if not isinstance(value, str):
                        continue
                    key = re.sub(r"[^0-9a-z]", "", value.casefold())
                    first = spellings.setdefault(key, value)
                    if first != value:
                        self.problem(record, name, f"{value!r} is spelled {first!r} elsewhere; use one spelling")

    def check_unique_ids(self) -> None:
        for record in self.records:
            seen = self.index[record.collection].get(record.id)
            if seen is not None:
                self.problem(record, "id", f"duplicate id in {record.collection}, first defined in {seen.file}")
            else:
                self.index[record.collection][record.id] = record

    def check_unique_names(self) -> None:
        """Entities have unique names; sources (whose titles may repeat) have unique URLs."""
        for name, collection in COLLECTIONS.items():
            key = "url" if name == "sources" else collection.label_field
            seen: dict[str, str] = {}
            for record in self.index[name].values():
                if record.data.get(key) is None:
                    continue
                label = str(record.data[key]).casefold()
                if label in seen:
                    self.problem(record, key, f"same {key} as {seen[label]}")
                seen.setdefault(label, record.id)

    def resolve(self, record: Record, field: str, target: str, value: str) -> None:
        if value not in self.index[target]:
            self.problem(record, field, f"references unknown {target} id {value!r}")

    def check_references(self, record: Record) -> None:
        collection = COLLECTIONS[record.collection]
        for name, column in collection.column_map.items():
            if column.kind == "ref" and record.data.get(name) is not None:
                self.resolve(record, name, str(column.target), record.data[name])
        for name, target in collection.list_refs.items():
            for i, value in enumerate(record.data.get(name, [])):
                self.resolve(record, f"{name}.{i}", target, value)
            if len(set(record.data.get(name, []))) != len(record.data.get(name, [])):
                self.problem(record, name, "lists the same id twice")
        for i, role in enumerate(record.data.get("roles", [])):
            if role.get("organization"):
                self.resolve(record, f"roles.{i}.organization", "companies", role["organization"])
        if record.data.get("id") in {record.data.get(f) for f in ("parent", "base_model", "distilled_from", "predecessor", "variant_of")}:
            self.problem(record, "id", "a record cannot reference itself")

    def seed_text(self, file_name: str) -> str | None:
        if file_name not in self._seed_texts:
            path = self.seeds_dir / file_name
            self._seed_texts[file_name] = normalise_text(path.read_text(encoding="utf-8")) if path.is_file() else None
        return self._seed_texts[file_name]

    def check_citation(self, record: Record, path: str, citation: dict[str, Any], source: Record | None) -> None:
        if source is None:
            self.problem(record, f"{path}.source", f"references unknown sources id {citation['source']!r}")
            return
        schema = COLLECTIONS[record.collection].schema
        owner = path.split(".")[0]
        # A dated value's own citation names fields of that value (a price point's input price), not of the record.
        known = set(schema.fields[owner].inner.schema.fields) if owner in self_cited_fields(schema) else set(fact_fields(schema))  # type: ignore[attr-defined]
        for name in citation["fields"]:
            if name.split(".")[0] not in known:
                self.problem(record, f"{path}.fields", f"{name!r} is not a field of {record.collection}")
        seed = source.data.get("file")
        if not seed:
            return
        quote = citation.get("quote")
        if not quote:
            self.problem(record, f"{path}.quote", f"a citation of the local seed {seed} needs a verbatim quote")
            return
        text = self.seed_text(seed)
        if text is not None and normalise_text(quote) not in text:
            self.problem(record, f"{path}.quote", f"quote not found verbatim in seeds/{seed}: {quote[:80]!r}")

    def check_coverage(self, record: Record) -> None:
        """Every non-null fact field is supported by a citation (or a record-level one)."""
        citations = record.data.get("citations", [])
        if record.collection == "sources" or any(not c["fields"] for c in citations):
            return
        covered = {name.split(".")[0] for c in citations for name in c["fields"]} | set(self_cited_fields(COLLECTIONS[record.collection].schema))
        for name in fact_fields(COLLECTIONS[record.collection].schema):
            if name in ("name", "title", "description", "summary", "aliases", "native_name", "short_name"):
                continue  # labels and prose describe the record rather than assert a fact
            if _present(record.data.get(name)) and name not in covered:
                self.problem(record, name, "no citation supports this field (list it in a citation's fields)")

    def check_disputes(self, record: Record) -> None:
        """A dispute names a fact field of its record (checked even when a record-level citation covers all)."""
        known = set(fact_fields(COLLECTIONS[record.collection].schema))
        for i, dispute in enumerate(record.data.get("disputes", [])):
            if dispute["field"].split(".")[0] not in known:
                self.problem(record, f"disputes.{i}.field", f"{dispute['field']!r} is not a field of {record.collection}")

    def check_dates(self, record: Record) -> None:
        d = record.data
        pairs = {
            "policies": [("signed", "effective"), ("signed", "revoked"), ("published", "revoked")],
            "events": [("date", "end_date")],
        }.get(record.collection, [])
        for earlier, later in pairs:
            if d.get(earlier) and d.get(later) and definitely_before(d[later], d[earlier]):
                self.problem(record, later, f"{later} {d[later]} is before {earlier} {d[earlier]}")
        for i, role in enumerate(d.get("roles", [])):
            if role.get("start") and role.get("end") and definitely_before(role["end"], role["start"]):
                self.problem(record, f"roles.{i}.end", "ends before it starts")
        if record.collection == "events":
            self.check_participants_existed(record)
        if record.collection == "ai_models" and d.get("release_date"):
            developer = self.index["companies"].get(d["developer"])
            founded = developer.data.get("founded") if developer else None
            if founded and definitely_before(d["release_date"], founded):
                self.problem(record, "release_date", f"before its developer {d['developer']} was founded ({founded})")

    def check_participants_existed(self, event: Record) -> None:
        """Companies taking part in an event were founded by its date."""
        for i, company_id in enumerate(event.data.get("companies", [])):
            company = self.index["companies"].get(company_id)
            founded = company.data.get("founded") if company else None
            if founded and definitely_before(event.data["date"], founded):
                self.problem(event, f"companies.{i}", f"{company_id} was founded {founded}, after this event")


def check_records(records: list[Record], seeds_dir: Path) -> list[Problem]:
    """Run every cross-record check; return the problems found."""
    return Checker(records, seeds_dir).run()

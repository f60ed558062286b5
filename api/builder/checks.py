"""Cross-record checks: unique ids, resolving references, verbatim quotes, citation coverage, dates and the story they tell."""

from __future__ import annotations

import re
from collections.abc import Iterator
from itertools import pairwise
from pathlib import Path
from typing import Any

from marshmallow import Schema, fields

from api.builder.derive import ENDING_STATUSES
from api.builder.load import Problem, Record
from api.tables import COLLECTIONS
from schema.fields import LABEL, NOT_BEFORE, PROSE, PrecisionDate, period_start
from schema.record import PROVENANCE_FIELDS, fact_fields, ref_fields, self_cited_fields

_QUOTE_MAP = str.maketrans({"‘": "'", "’": "'", "‚": "'", "“": '"', "”": '"', "„": '"', "\u00a0": " "})

# A policy in one of these statuses must carry the date of that state, and (where another instrument ends or
# suspends it) be named by that instrument's `revokes` / `suspends`.
DATED_STATUSES = {
    **{status: field for field, statuses in ENDING_STATUSES.items() for status in statuses},
    "suspended": "suspended",
}
ENDED_BY = {"revoked": "revokes", "superseded": "revokes", "suspended": "suspends"}
# Collections whose records come into being on a start date: an event cannot name one before it existed.
# (Policies are named by events long before they are signed: proposals, votes, negotiations.)
EXISTING_THINGS = ("companies", "ai_models", "chips")
# Titles several people hold at once: the one-holder-at-a-time check leaves them out.
SHARED_TITLE_WORDS = ("co-", "founder", "member", "board", "vice", "deputy", "fellow", "advis", "investor", "partner", "staff")


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


MONTHS = ("january", "february", "march", "april", "may", "june", "july", "august", "september", "october", "november", "december")


def number_forms(value: float) -> set[str]:
    """Ways a text may write a number: 671000000000 as "671000000000", "671,000,000,000", "671" (billion), 131072 as "128" (K)."""
    if isinstance(value, float) and not value.is_integer():
        return {repr(value), repr(value).lstrip("0")}
    n = int(value)
    forms = {str(n), f"{n:,}"}
    forms |= {f"{n / scale:g}" for scale in (1e12, 1e9, 1e6, 1e3) if n >= scale}
    if n % 1024 == 0:
        forms.add(str(n // 1024))
    return forms


def states_date(value: str, text: str) -> bool:
    """Whether a text names a date's year, and its month when the date has one (in words or digits)."""
    lower = text.casefold()
    year = value[:4]
    if year not in lower and f"'{year[2:]}" not in lower:
        return False
    if len(value) < 7:
        return True
    month = int(value[5:7])
    name = MONTHS[month - 1]
    return any(form in lower for form in (name[:3], value[:7], f"{year}.{value[5:7]}", f"{year}/{value[5:7]}", f"{month}/", f"{year}年{month}月"))


def states_value(field: fields.Field, value: Any, text: str) -> bool:
    """Whether a quote or locator states a date or number field's value (other fields are not checked)."""
    if isinstance(field, PrecisionDate):
        return states_date(value, text)
    if isinstance(field, (fields.Integer, fields.Float)) and not isinstance(value, bool):
        compact = text.replace(" ", "")
        return any(form in text or form in compact for form in number_forms(value))
    return True


def _present(value: Any) -> bool:
    return value is not None and value != [] and value != {}


def _nested_items(schema: Schema, data: dict[str, Any], prefix: str = "") -> Iterator[tuple[str, Schema, dict[str, Any]]]:
    """The record itself and every nested object in its lists (roles, price points), each with its schema and path."""
    yield prefix, schema, data
    for name, f in schema.fields.items():
        if name in PROVENANCE_FIELDS or not isinstance(f, fields.List) or not isinstance(f.inner, fields.Nested):
            continue
        for i, item in enumerate(data.get(name) or []):
            yield from _nested_items(f.inner.schema, item, f"{prefix}{name}.{i}.")


def _uncited(f: fields.Field) -> bool:
    """Labels and prose name or describe the record rather than assert a fact: they need no citation."""
    return bool(f.metadata.get(LABEL) or f.metadata.get(PROSE))


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
            self.check_stated_values(record)
            self.check_disputes(record)
            self.check_date_order(record)
            self.check_existed_by(record)
        self.check_model_releases()
        self.check_policy_states()
        self.check_single_holders()
        self.check_vocabularies()
        for source in sources.values():
            if source.data.get("file") and self.seed_text(source.data["file"]) is None:
                self.problem(source, "file", f"seeds/{source.data['file']} does not exist")
            if source.id not in cited_sources:
                self.problem(source, "id", "no record cites this source")
        return self.problems

    def check_vocabularies(self) -> None:
        """Free-text vocabularies are spelled one way: "Apache 2.0" and "Apache-2.0" may not both appear."""
        for name, collection in COLLECTIONS.items():
            for field_name in collection.vocabulary_fields:
                spellings: dict[str, str] = {}
                for record in self.index[name].values():
                    value = record.data.get(field_name)
                    if not isinstance(value, str):
                        continue
                    key = re.sub(r"[^0-9a-z]", "", value.casefold())
                    first = spellings.setdefault(key, value)
                    if first != value:
                        self.problem(record, field_name, f"{value!r} is spelled {first!r} elsewhere; use one spelling")

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
        """Every id a record names resolves, at any depth (a role's organisation too); a list names an id once."""
        collection = COLLECTIONS[record.collection]
        for prefix, schema, data in _nested_items(collection.schema, record.data):
            for name, (target, is_list) in ref_fields(schema).items():
                value = data.get(name)
                values = value if is_list else [value]
                for i, target_id in enumerate(values or []):
                    if target_id is not None:
                        self.resolve(record, f"{prefix}{name}.{i}" if is_list else f"{prefix}{name}", target, target_id)
                if is_list and value and len(set(value)) != len(value):
                    self.problem(record, f"{prefix}{name}", "lists the same id twice")
        if record.id in {record.data.get(f) for f in collection.self_references}:
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
        nested = schema.fields[owner].inner.schema if owner in self_cited_fields(schema) else None  # type: ignore[attr-defined]
        known = set(nested.fields) if nested is not None else set(fact_fields(schema))
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
        """Every non-null fact field is supported by a citation (or a record-level one); dated values cite themselves."""
        citations = record.data.get("citations", [])
        if record.collection == "sources" or any(not c["fields"] for c in citations):
            return
        schema = COLLECTIONS[record.collection].schema
        covered = {name.split(".")[0] for c in citations for name in c["fields"]} | set(self_cited_fields(schema))
        for name in fact_fields(schema):
            if not _uncited(schema.fields[name]) and _present(record.data.get(name)) and name not in covered:
                self.problem(record, name, "no citation supports this field (list it in a citation's fields)")

    def check_stated_values(self, record: Record) -> None:
        """A citation lists only what it states: each date or number it supports appears in its quote or locator."""
        schema = COLLECTIONS[record.collection].schema
        for i, citation in enumerate(record.data.get("citations", [])):
            text = f"{citation.get('quote') or ''} {citation.get('locator') or ''}"
            for name in citation["fields"]:
                value, field = record.data.get(name), schema.fields.get(name)
                if value is not None and field is not None and not states_value(field, value, text):
                    self.problem(record, f"citations.{i}.fields", f"{name} {value} is not stated by the quote or locator; quote it or drop {name}")

    def check_disputes(self, record: Record) -> None:
        """A dispute names a fact field of its record (checked even when a record-level citation covers all)."""
        known = set(fact_fields(COLLECTIONS[record.collection].schema))
        for i, dispute in enumerate(record.data.get("disputes", [])):
            if dispute["field"].split(".")[0] not in known:
                self.problem(record, f"disputes.{i}.field", f"{dispute['field']!r} is not a field of {record.collection}")

    def check_date_order(self, record: Record) -> None:
        """A date is not before the dates its field says it follows (signed → effective, start → end, from → until)."""
        for prefix, schema, data in _nested_items(COLLECTIONS[record.collection].schema, record.data):
            for name, f in schema.fields.items():
                later = data.get(name)
                for earlier_name in f.metadata.get(NOT_BEFORE, ()):
                    earlier = data.get(earlier_name)
                    if later and earlier and definitely_before(later, earlier):
                        self.problem(record, f"{prefix}{name}", f"{name} {later} is before {earlier_name} {earlier}")

    def _started(self, collection: str, record_id: str) -> tuple[str, str] | None:
        """(field, date) a record is known to exist from: the first of its start dates that is known."""
        record = self.index[collection].get(record_id)
        if record is None:
            return None
        return next(((f, record.data[f]) for f in COLLECTIONS[collection].start_fields if record.data.get(f)), None)

    def check_existed_by(self, record: Record) -> None:
        """Records an event names, and a model's developer, had come to exist by the event or the release."""
        collection = COLLECTIONS[record.collection]
        if record.collection == "events":
            checks: list[tuple[str, int | None, str, str]] = [
                (name, i, target, value)
                for name, target in collection.list_refs.items()
                if target in EXISTING_THINGS
                for i, value in enumerate(record.data.get(name, []))
            ]
            date, what = record.data["date"], "this event"
        elif record.collection == "ai_models" and record.data.get("release_date"):
            checks = [("developer", None, "companies", record.data["developer"])]
            date, what = record.data["release_date"], "its release"
        else:
            return
        for name, i, target, value in checks:
            started = self._started(target, value)
            if started and definitely_before(date, started[1]):
                where = name if i is None else f"{name}.{i}"
                self.problem(record, where, f"{value} has {started[0]} {started[1]}, after {what} ({date})")

    def check_model_releases(self) -> None:
        """A model-release event names released models, on their release date."""
        models = self.index["ai_models"]
        for event in self.index["events"].values():
            if event.data["type"] != "model-release":
                continue
            for i, model_id in enumerate(event.data.get("models", [])):
                model = models.get(model_id)
                if model is None:
                    continue
                released = model.data.get("release_date")
                if released is None:
                    self.problem(event, f"models.{i}", f"{model_id} has no release_date; a release event names models released then")
                elif definitely_before(released, event.data["date"]) or definitely_before(event.data["date"], released):
                    self.problem(event, f"models.{i}", f"{model_id} was released {released}, not on this event's date {event.data['date']}")

    def check_policy_states(self) -> None:
        """A status that records an end or a suspension has its date and the instrument that did it; a dated end has its status."""
        policies = self.index["policies"]
        named_by: dict[str, set[str]] = {}
        for policy in policies.values():
            for relation in set(ENDED_BY.values()):
                for target in policy.data.get(relation, []):
                    named_by.setdefault(relation, set()).add(target)
        for policy in policies.values():
            status = policy.data["status"]
            date_field = DATED_STATUSES.get(status)
            if date_field and not policy.data.get(date_field):
                self.problem(policy, date_field, f"status {status!r} needs the date it happened ({date_field})")
            ended_by = ENDED_BY.get(status)
            if ended_by and policy.id not in named_by.get(ended_by, set()):
                self.problem(policy, "status", f"status {status!r}, but no policy names it in `{ended_by}`: record the instrument that did it")
            for field, statuses in ENDING_STATUSES.items():
                if policy.data.get(field) and status not in statuses:
                    self.problem(policy, "status", f"{field} {policy.data[field]} is recorded, but the status is {status!r}")

    def check_single_holders(self) -> None:
        """One person at a time holds a single-seat title at an organisation: a successor's start closes the predecessor's role."""
        holders: dict[tuple[str, str], list[tuple[Record, int, dict[str, Any]]]] = {}
        for person in self.index["people"].values():
            for i, role in enumerate(person.data.get("roles", [])):
                shared = any(word in role["title"].casefold() for word in SHARED_TITLE_WORDS)
                if role.get("organization") and role.get("start") and not shared:
                    holders.setdefault((role["organization"], role["title"].casefold()), []).append((person, i, role))
        for roles in holders.values():
            roles.sort(key=lambda held: period_start(held[2]["start"]))
            for (person, i, role), (successor, _, later) in pairwise(roles):
                if person.id != successor.id and (role.get("end") is None or definitely_before(later["start"], role["end"])):
                    self.problem(
                        person,
                        f"roles.{i}.end",
                        f"{successor.id} holds {role['title']!r} at {role['organization']} from {later['start']}; close this role",
                    )


def check_records(records: list[Record], seeds_dir: Path) -> list[Problem]:
    """Run every cross-record check; return the problems found."""
    return Checker(records, seeds_dir).run()

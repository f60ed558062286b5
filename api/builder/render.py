"""Served bodies of the records and of the timeline, made by dumping the response schemas (so bytes and docs agree)."""

from __future__ import annotations

from collections.abc import Iterator
from functools import cache
from typing import Any

from marshmallow import Schema

from api.builder.checks import iter_citations
from api.builder.derive import collected_relations, inverse_relations, model_availability, policy_status_on, price_on
from api.builder.load import Record
from api.builder.versions import Version, changed_fields, dates_in, start_of, versions, view_on
from api.tables import CHANGES, COLLECTIONS, TIMELINE, Collection
from schema.fields import period_start
from schema.responses import response_schema
from schema.timeline import MODEL_MILESTONES, POLICY_MILESTONES

# The field a change names when a record comes to exist (its first version): every value it has then is new.
CREATED = "record"
# A timeline entry, and the (collection, id) of every record taking part in it.
TimelineEntry = tuple[dict[str, Any], list[tuple[str, str]]]


class Renderer:
    """Turns loaded records into the JSON-ready bodies the API serves, as of one day (the build's)."""

    def __init__(self, records: list[Record], today: str) -> None:
        self.records = records
        self.today = today
        self.data = {(r.collection, r.id): r.data for r in records}
        self.sources = {r.id: r.data for r in records if r.collection == "sources"}
        self.inverse = inverse_relations(records)
        self.cited_by: dict[str, list[dict[str, Any]]] = {}
        for r in records:
            for path, citation in iter_citations(r.data):
                role = path.split(".")[0]
                role = role.rstrip("s") if role in ("citations", "claims", "disputes") else "citation"
                entry = {"type": COLLECTIONS[r.collection].path, "id": r.id, "role": role, "fields": citation["fields"]}
                self.cited_by.setdefault(citation["source"], []).append(entry)

    def _citation(self, c: dict[str, Any]) -> dict[str, Any]:
        source = self.sources[c["source"]]
        return {**c, "source_title": source["title"], "source_url": source.get("url"), "source_tier": source["tier"]}

    def _with_source_details(self, value: Any) -> Any:
        """Every citation inside ``value`` (a record, a dispute, a price point…) with its source's title, URL and tier."""
        if isinstance(value, list):
            return [self._with_source_details(v) for v in value]
        if isinstance(value, dict):
            out = {k: self._with_source_details(v) for k, v in value.items()}
            if isinstance(value.get("citations"), list):
                out["citations"] = [self._citation(c) for c in value["citations"]]
            return out
        return value

    def started(self, collection: str, record_id: str) -> str | None:
        """The day a record came to exist (the first of its known start dates), or None if not known."""
        data = self.data.get((collection, record_id))
        return start_of(COLLECTIONS[collection].schema, data) if data is not None else None

    def served(self, record: Record, day: str | None = None) -> dict[str, Any]:
        """The record's values as served: as known (``day`` None; states of the build day) or as they stood on ``day``."""
        collection = COLLECTIONS[record.collection]
        authored = record.data if day is None else view_on(collection, record.data, day, self.started)
        on = day or self.today
        data: dict[str, Any] = self._with_source_details(authored)
        for name, ids in self.inverse.get((record.collection, record.id), {}).items():
            target = collection.list_refs[name]
            data[name] = ids if day is None else [i for i in ids if (self.started(target, i) or "") <= day]
        data.update(collected_relations(collection, authored))
        if record.collection == "sources":
            data["cited_by"] = self.cited_by.get(record.id, [])
        elif record.collection == "policies":
            data["status"] = policy_status_on(authored, on) or record.data["status"]
        elif record.collection == "ai_models":
            price = price_on(authored.get("prices", []), on) or {}
            data["input_usd_per_mtok"] = price.get("input_usd_per_mtok")
            data["output_usd_per_mtok"] = price.get("output_usd_per_mtok")
            data["availability"] = model_availability(authored, on)
        return data

    def body(self, record: Record, day: str | None = None) -> dict[str, Any]:
        """The served body: the response schema's dump of the served values, in its field order."""
        return _dump(COLLECTIONS[record.collection], self.served(record, day))

    def versions(self, record: Record) -> list[Version]:
        """The record's bodies over time: one per run of days on which it stood the same."""
        collection = COLLECTIONS[record.collection]
        related = [
            start
            for name, target in collection.list_refs.items()
            if target in COLLECTIONS
            for i in (record.data.get(name) or self.inverse.get((record.collection, record.id), {}).get(name, []))
            if (start := self.started(target, i))
        ]
        return versions(collection, record.data, self.started(record.collection, record.id), related, lambda day: self.body(record, day))

    def changes(self, record: Record, runs: list[Version]) -> list[TimelineEntry]:
        """Each served fact of a record that took a new value on a day, with the citations behind it."""
        collection = COLLECTIONS[record.collection]
        label = record.data.get("short_name") or record.data.get(collection.label_field)
        country = record.data.get("country") or record.data.get("jurisdiction") or record.data.get("nationality")
        parts = [(record.collection, record.id)] + [
            (target, i) for name, target in collection.relations.items() for i in _ids(record.data.get(name)) if target in COLLECTIONS
        ]
        entries = []
        previous: dict[str, Any] | None = None
        for run in runs:
            if run.valid_from is not None:
                found = [(CREATED, None, record.id)] if previous is None else list(changed_fields(previous, run.view))
                for field, old, new in found:
                    entry = {
                        "id": f"{collection.path}-{record.id}-{run.valid_from}-{field}",
                        "date": run.valid_from,
                        "summary": f"{label}: {'comes to exist' if field == CREATED else f'{field} {_short(old)} → {_short(new)}'}",
                        "record_type": collection.path,
                        "record_id": record.id,
                        "field": field,
                        "old": old,
                        "new": new,
                        "country": country,
                        "participants": list(dict.fromkeys(i for _, i in parts)),
                        "citations": self._change_citations(record, field, run.valid_from),
                    }
                    entries.append((_dump(CHANGES, entry), list(dict.fromkeys(parts))))
            previous = run.view
        return entries

    def _change_citations(self, record: Record, field: str, day: str) -> list[dict[str, Any]]:
        """The citations behind a change: those of the field, of whole records, and of any date that begins that day."""
        data = record.data
        schema = COLLECTIONS[record.collection].schema
        dated = {name for name, value in dates_in(schema, data) if period_start(value) == day}
        found = [c for c in data.get("citations", []) if not c["fields"] or field in c["fields"] or dated & set(c["fields"])]
        for name in COLLECTIONS[record.collection].self_cited:
            if name in dated and field in (name, "input_usd_per_mtok", "output_usd_per_mtok"):
                items: Schema = schema.fields[name].inner.schema  # type: ignore[attr-defined]
                found += [c for item in data[name] for _, date in dates_in(items, item) if period_start(date) == day for c in item["citations"]]
        return [self._citation(c) for c in found]

    def timeline(self) -> list[TimelineEntry]:
        """Events, model milestones and policy milestones as dated entries.

        A model release already told by a model-release event on the same date is not repeated.
        """
        return [*self._event_entries(), *self._model_entries(), *self._policy_entries()]

    def _entry(self, record_type: str, record_id: str, kind: str, date: str, title: str, country: Any, parts: list[tuple[str, str]]) -> TimelineEntry:
        suffix = "" if record_type == "events" else "-" + kind.split("-", 1)[1]
        entry = {
            "id": f"{record_type}-{record_id}{suffix}",
            "date": date,
            "kind": kind,
            "title": title,
            "record_type": record_type,
            "record_id": record_id,
            "country": country,
            "participants": list(dict.fromkeys(target_id for _, target_id in parts)),
        }
        return _dump(TIMELINE, entry), list(dict.fromkeys(parts))

    def _event_entries(self) -> Iterator[TimelineEntry]:
        events = COLLECTIONS["events"]
        for r in self._of("events"):
            parts = [(target, i) for field, target in events.list_refs.items() for i in r.data.get(field, [])]
            yield self._entry("events", r.id, r.data["type"], r.data["date"], r.data["title"], r.data.get("country"), parts)

    def _model_entries(self) -> Iterator[TimelineEntry]:
        told = {(m, r.data["date"]) for r in self._of("events") if r.data["type"] == "model-release" for m in r.data["models"]}
        for r in self._of("ai_models"):
            country = self.data.get(("companies", r.data["developer"]), {}).get("country")
            parts = [("companies", r.data["developer"]), ("ai_models", r.id)]
            for field, (kind, verb) in MODEL_MILESTONES.items():
                date = r.data.get(field)
                if date and (field != "release_date" or (r.id, date) not in told):
                    yield self._entry("models", r.id, kind, date, f"{r.data['name']} {verb}", country, parts)

    def _policy_entries(self) -> Iterator[TimelineEntry]:
        for r in self._of("policies"):
            parts = [("policies", r.id)] + ([("companies", r.data["issuing_body"])] if r.data.get("issuing_body") else [])
            label = r.data.get("short_name") or r.data["name"]
            for field, (kind, verb) in POLICY_MILESTONES.items():
                if r.data.get(field):
                    yield self._entry("policies", r.id, kind, r.data[field], f"{label} {verb}", r.data["jurisdiction"], parts)

    def _of(self, collection: str) -> list[Record]:
        return sorted((r for r in self.records if r.collection == collection), key=lambda r: r.id)


@cache
def _schema(collection: Collection) -> Schema:
    return response_schema(collection.schema_cls)()


def _ids(value: Any) -> list[str]:
    return value if isinstance(value, list) else [value] if value else []


def _short(value: Any) -> str:
    """A value in a change's summary: short scalars as they are, the rest by their size."""
    if value is None:
        return "none"
    if isinstance(value, list):
        return f"{len(value)} item{'s' if len(value) != 1 else ''}"
    text = str(value)
    return text if len(text) <= 60 else text[:57] + "…"


def _dump(collection: Collection, values: dict[str, Any]) -> dict[str, Any]:
    """Dump served values through the collection's response schema: declared fields only, in declared order."""
    return _schema(collection).dump(values)  # type: ignore[no-any-return]

"""Table, column and index layout of facts.db, shared by the build and the queries; derived from the schemas."""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import cached_property

from marshmallow import Schema, fields

from schema import RECORD_SCHEMAS
from schema.changes import ChangeSchema
from schema.fields import LABEL, PRECISIONS, SEARCH_WEIGHT, STARTS, VOCABULARY, PrecisionDate
from schema.record import ref_fields, self_cited_fields
from schema.responses import response_schema
from schema.timeline import TimelineEntrySchema

META_TABLE = "meta"
LINKS_TABLE = "links"
COUNTS_TABLE = "counts"  # records per value of each filterable column and per related record (api/builder/counts.py)
PARTICIPANTS = "participant"  # a filter and facet over every list relation of events and of the timeline
# The database's tables and the rows the build derives (counts, versions, links): a change to them bumps this, so that a
# stored database of the same fixtures is rebuilt rather than read with the new code.
DATABASE_LAYOUT = 2
TOTAL = ""  # the field name under which the counts table holds a collection's size
RELATED = "related:"  # + a collection: the counts of a related list (records naming a record of it by any relation)
COUNTED_KINDS = ("enum", "ref", "bool", "int", "date")  # columns counted per value (free text and prices are not)
NAMES_TABLE = "names"  # every name of every record, folded: a search naming a record exactly finds it by index


def folded(text: str | None) -> str | None:
    """Text compared without case or punctuation: "DeepSeek R1" names "DeepSeek-R1"."""
    return None if text is None else " ".join(re.sub(r"\W+", " ", text.casefold()).split())


BODY_COLUMN = "body"  # the pre-rendered JSON of the item, served as is
# A record's versions (its body as it stood over a run of days) and their relations, for `as_of`.
VERSION_LINKS_TABLE = "version_links"
VALID_FROM, VALID_UNTIL = "valid_from", "valid_until"  # the first day a version holds (null: always), the first day it no longer does


@dataclass(frozen=True)
class Column:
    """A scalar column of a record table: filterable and sortable."""

    name: str
    kind: str  # "str", "date", "int", "float", "bool", "ref", "enum"
    choices: tuple[str, ...] = ()
    target: str | None = None  # the collection a "ref" points to
    required: bool = False  # never null: keyset conditions need no null branch

    @property
    def sql_type(self) -> type:
        return {"int": int, "bool": int, "float": float}.get(self.kind, str)


@dataclass(frozen=True)
class Collection:
    """A record type as stored and served: its table, URL segment and schema; everything else is read off the schema."""

    name: str  # table and fixture folder, e.g. "ai_models"
    path: str  # URL segment, e.g. "models"
    schema_cls: type[Schema]
    singular: str  # one record, in prose: "model", "company"
    default_sort: tuple[tuple[str, bool], ...] = ()  # before the id, when no sort is asked for
    participants: bool = False  # `participant=` matches any of its list relations (events, the timeline)
    authored: bool = True  # loaded from fixtures (the timeline and the changes are built from the other collections)
    window: str | None = None  # a date field that `from` (after) and `to` (up to) bound

    @property
    def article(self) -> str:
        return "an" if self.singular[0] in "aeiou" else "a"

    @property
    def possessive(self) -> str:
        """ "a company's", for summaries such as "List a company's models"."""
        return f"{self.article} {self.singular}'s"

    @cached_property
    def schema(self) -> Schema:
        return self.schema_cls()

    @cached_property
    def served_fields(self) -> dict[str, fields.Field]:
        """The fields of a record as the API serves it (facts, precisions, derived values, provenance)."""
        return dict(response_schema(self.schema_cls)().fields)

    @cached_property
    def columns(self) -> tuple[Column, ...]:
        """Scalar columns of the served record, in its order: facts, date precisions and derived values."""
        refs = ref_fields(self.schema)
        cols: list[Column] = []
        for name, f in self.served_fields.items():
            kind = _column_kind(f)
            if kind is None:
                continue
            required = bool(self.schema.fields[name].required if name in self.schema.fields else False) and not f.allow_none
            if name in refs:
                cols.append(Column(name, "ref", target=refs[name][0], required=required))
            elif kind == "enum":
                cols.append(Column(name, "enum", choices=_choices(f), required=required))
            else:
                cols.append(Column(name, kind, required=required))
            if kind == "date":
                cols.append(Column(f"{name}_precision", "enum", choices=PRECISIONS, required=required))
        return tuple(cols)

    @cached_property
    def column_map(self) -> dict[str, Column]:
        return {c.name: c for c in self.columns}

    @cached_property
    def relations(self) -> dict[str, str]:
        """Every field naming other records (scalar or list) → target collection, derived ones included."""
        return {name: target for name, (target, _) in ref_fields(response_schema(self.schema_cls)()).items()}

    @cached_property
    def list_refs(self) -> dict[str, str]:
        """List fields naming other records (field → target collection), stored in ``links``."""
        return {name: target for name, (target, is_list) in ref_fields(response_schema(self.schema_cls)()).items() if is_list}

    @cached_property
    def self_references(self) -> tuple[str, ...]:
        """Scalar fields naming another record of this same collection (a parent, a base model)."""
        return tuple(name for name, (target, is_list) in ref_fields(self.schema).items() if target == self.name and not is_list)

    @cached_property
    def never_null(self) -> frozenset[str]:
        """Columns that always hold a value: keyset conditions and ORDER BY need no null handling."""
        return frozenset({"id", *(c.name for c in self.columns if c.required)})

    @cached_property
    def date_fields(self) -> tuple[str, ...]:
        return tuple(c.name for c in self.columns if c.kind == "date")

    @cached_property
    def self_cited(self) -> tuple[str, ...]:
        """List fields whose items carry their own citations (price points)."""
        return tuple(self_cited_fields(self.schema))

    @cached_property
    def text_fields(self) -> tuple[str, ...]:
        """Fields indexed for full-text search, in schema order."""
        return tuple(name for name, f in self.schema.fields.items() if f.metadata.get(SEARCH_WEIGHT))

    @cached_property
    def search_weights(self) -> tuple[float, ...]:
        """bm25 weight of each text field: names count most, then second names, then prose."""
        return tuple(float(self.schema.fields[name].metadata[SEARCH_WEIGHT]) for name in self.text_fields)

    @cached_property
    def label_names(self) -> tuple[str, ...]:
        """Every field that names the record (aliases too): an exact search for one finds it first."""
        return tuple(name for name, f in self.schema.fields.items() if f.metadata.get(LABEL))

    @cached_property
    def label_field(self) -> str:
        """The field that names a record (``name`` or ``title``)."""
        return next(name for name, f in self.schema.fields.items() if f.metadata.get(LABEL) and f.required)

    @cached_property
    def start_fields(self) -> tuple[str, ...]:
        """Dates a record exists from, the first known of them counting (for ``as_of``)."""
        return tuple(name for name, f in self.schema.fields.items() if f.metadata.get(STARTS))

    @cached_property
    def vocabulary_fields(self) -> tuple[str, ...]:
        """Free-text fields naming shared things, each spelled one way across records."""
        return tuple(name for name, f in self.schema.fields.items() if f.metadata.get(VOCABULARY))


def _column_kind(f: fields.Field) -> str | None:
    if isinstance(f, PrecisionDate):
        return "date"
    if isinstance(f, fields.Boolean):
        return "bool"
    if isinstance(f, fields.Integer):
        return "int"
    if isinstance(f, fields.Float):
        return "float"
    if isinstance(f, fields.String) and not f.metadata.get("precision_of"):
        return "enum" if _choices(f) else "str"
    return None


def _choices(f: fields.Field) -> tuple[str, ...]:
    for v in f.validators:
        choices = getattr(v, "choices", None)
        if choices is not None:
            return tuple(choices)
    return ()


COLLECTIONS: dict[str, Collection] = {
    c.name: c
    for c in (
        Collection("ai_models", "models", RECORD_SCHEMAS["ai_models"], "model"),
        Collection("companies", "companies", RECORD_SCHEMAS["companies"], "company"),
        Collection("policies", "policies", RECORD_SCHEMAS["policies"], "policy"),
        Collection("events", "events", RECORD_SCHEMAS["events"], "event", participants=True),
        Collection("people", "people", RECORD_SCHEMAS["people"], "person"),
        Collection("chips", "chips", RECORD_SCHEMAS["chips"], "chip"),
        Collection("sources", "sources", RECORD_SCHEMAS["sources"], "source"),
    )
}
COLLECTIONS_BY_PATH: dict[str, Collection] = {c.path: c for c in COLLECTIONS.values()}

# Built from the collections above rather than authored: served at /v1/timeline.
TIMELINE = Collection(
    "timeline", "timeline", TimelineEntrySchema, "timeline entry", default_sort=(("date", False),), participants=True, authored=False
)
# Built from the versions of the records: served at /v1/changes and /v1/<collection>/{id}/history.
CHANGES = Collection("changes", "changes", ChangeSchema, "change", default_sort=(("date", False),), participants=True, authored=False, window="date")
# Every table that holds records: the authored collections, the timeline and the changes.
RECORD_TABLES: dict[str, Collection] = {**COLLECTIONS, TIMELINE.name: TIMELINE, CHANGES.name: CHANGES}


def fts_table(collection: Collection) -> str:
    return f"{collection.name}_fts"


def versions_table(collection: Collection) -> str:
    return f"{collection.name}_versions"

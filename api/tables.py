"""Table, column and index layout of facts.db, shared by the build and the queries."""

from __future__ import annotations

from dataclasses import dataclass
from functools import cached_property

from marshmallow import Schema, fields

from schema import RECORD_SCHEMAS
from schema.fields import PrecisionDate
from schema.record import ref_fields, self_cited_fields
from schema.timeline import TimelineEntrySchema

META_TABLE = "meta"
LINKS_TABLE = "links"
CITATIONS_TABLE = "citations"
BODY_COLUMN = "body"  # the pre-rendered JSON of the item, served as is


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
    """A record type as stored and served: its table, URL segment and columns."""

    name: str  # table and fixture folder, e.g. "ai_models"
    path: str  # URL segment, e.g. "models"
    schema_cls: type[Schema]
    label_field: str  # the field that names a record: "name" or "title"
    text_fields: tuple[str, ...]  # indexed for full-text search
    default_sort: tuple[tuple[str, bool], ...] = ()  # before the id, when no sort is asked for

    @cached_property
    def schema(self) -> Schema:
        return self.schema_cls()

    @cached_property
    def columns(self) -> tuple[Column, ...]:
        """Scalar columns derived from the schema, in schema order, with date precisions."""
        refs = ref_fields(self.schema)
        cols: list[Column] = []
        for name, f in self.schema.fields.items():
            kind = _column_kind(f)
            if kind is None:
                continue
            required = bool(f.required) and not f.allow_none
            if name in refs:
                cols.append(Column(name, "ref", target=refs[name][0], required=required))
            elif kind == "enum":
                cols.append(Column(name, "enum", choices=_choices(f), required=required))
            else:
                cols.append(Column(name, kind, required=required))
            if kind == "date":
                cols.append(Column(f"{name}_precision", "enum", choices=("year", "month", "day"), required=required))
        return tuple(cols)

    @cached_property
    def column_map(self) -> dict[str, Column]:
        return {c.name: c for c in self.columns}

    @cached_property
    def list_refs(self) -> dict[str, str]:
        """List fields naming other records (field → target collection), stored in ``links``."""
        return {name: target for name, (target, is_list) in ref_fields(self.schema).items() if is_list}

    @cached_property
    def never_null(self) -> frozenset[str]:
        """Columns that always hold a value: keyset conditions and ORDER BY need no null handling."""
        return frozenset({"id", *(c.name for c in self.columns if c.required)})

    @cached_property
    def relations(self) -> dict[str, str]:
        """Every field naming other records (scalar or list) → target collection."""
        return {name: target for name, (target, _) in ref_fields(self.schema).items()}

    @cached_property
    def self_cited(self) -> tuple[str, ...]:
        """List fields whose items carry their own citations (price points)."""
        return tuple(self_cited_fields(self.schema))

    @cached_property
    def date_fields(self) -> tuple[str, ...]:
        return tuple(c.name for c in self.columns if c.kind == "date")


def _column_kind(f: fields.Field) -> str | None:
    if isinstance(f, PrecisionDate):
        return "date"
    if isinstance(f, fields.Boolean):
        return "bool"
    if isinstance(f, fields.Integer):
        return "int"
    if isinstance(f, fields.Float):
        return "float"
    if isinstance(f, fields.String):
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
        Collection("ai_models", "models", RECORD_SCHEMAS["ai_models"], "name", ("name", "family", "description")),
        Collection("companies", "companies", RECORD_SCHEMAS["companies"], "name", ("name", "native_name", "description")),
        Collection("policies", "policies", RECORD_SCHEMAS["policies"], "name", ("name", "short_name", "description")),
        Collection("events", "events", RECORD_SCHEMAS["events"], "title", ("title", "summary")),
        Collection("people", "people", RECORD_SCHEMAS["people"], "name", ("name", "native_name", "description")),
        Collection("chips", "chips", RECORD_SCHEMAS["chips"], "name", ("name", "family", "description")),
        Collection("sources", "sources", RECORD_SCHEMAS["sources"], "title", ("title", "publisher", "description")),
    )
}
COLLECTIONS_BY_PATH: dict[str, Collection] = {c.path: c for c in COLLECTIONS.values()}

# Built from the collections above rather than authored: served at /v1/timeline.
TIMELINE = Collection("timeline", "timeline", TimelineEntrySchema, "title", ("title",), default_sort=(("date", False),))
ALL_TABLES: dict[str, Collection] = {**COLLECTIONS, TIMELINE.name: TIMELINE}


def fts_table(collection: Collection) -> str:
    return f"{collection.name}_fts"

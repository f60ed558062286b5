"""The served form of each record type: facts with date precisions, derived values, then provenance with source details.

The build dumps every stored body through these schemas, and the OpenAPI document describes them,
so the bytes served and the document cannot drift apart.
"""

from __future__ import annotations

import copy
from functools import cache
from typing import Any

from marshmallow import Schema, fields, missing, validate

from schema.fields import PRECISIONS, PrecisionDate, date_precision
from schema.provenance import AlternativeSchema, CitationSchema, ClaimSchema, DisputeSchema
from schema.record import PROVENANCE_FIELDS
from schema.sources import SOURCE_TIERS


class CitationOutSchema(CitationSchema):
    """A citation with the cited source's title, URL and evidence tier inlined."""

    source_title = fields.String(dump_only=True)
    source_url = fields.String(dump_only=True, allow_none=True)
    source_tier = fields.String(dump_only=True, validate=validate.OneOf(SOURCE_TIERS), metadata={"description": "The cited source's evidence tier."})


class AlternativeOutSchema(AlternativeSchema):
    citations = fields.List(fields.Nested(CitationOutSchema))


class DisputeOutSchema(DisputeSchema):
    alternatives = fields.List(fields.Nested(AlternativeOutSchema))


class ClaimOutSchema(ClaimSchema):
    citations = fields.List(fields.Nested(CitationOutSchema))


class Precision(fields.String):
    """How precisely a date field is known, computed from that field's value when dumped."""

    def __init__(self, of: str) -> None:
        super().__init__(
            dump_only=True,
            allow_none=True,
            validate=validate.OneOf(PRECISIONS),
            metadata={"description": f"How precisely `{of}` is known.", "precision_of": of, "enum_name": "DatePrecision"},
        )
        self.of = of

    def serialize(self, attr: str, obj: Any, accessor: Any = None, **kwargs: Any) -> str | None:
        value = obj.get(self.of) if isinstance(obj, dict) else getattr(obj, self.of, None)
        return date_precision(value) if value else None


def _has_served_shape(schema: Schema) -> bool:
    """Nested values (price points, roles) are served like records when they carry citations or dates."""
    return "citations" in schema.fields or any(isinstance(f, PrecisionDate) for f in schema.fields.values())


def _served_field(f: fields.Field) -> fields.Field:
    """A copy of a field as served: dated values and nested provenance get their served shapes; nothing is required.

    (`fields=` may leave any field but the id out of a served record.)
    """
    served = copy.copy(f)
    served.required = False
    served.load_default = missing  # a default is about loading fixtures; a served value is always present
    if isinstance(f, fields.List) and isinstance(f.inner, fields.Nested) and _has_served_shape(f.inner.schema):
        served = fields.List(fields.Nested(response_schema(type(f.inner.schema))), metadata=f.metadata)
    return served


@cache
def response_schema(schema_cls: type[Schema]) -> type[Schema]:
    """The served form of a schema: its fields in order, each date followed by its precision, provenance last."""
    declared = schema_cls().fields
    ordered: dict[str, fields.Field] = {}
    for name, f in declared.items():
        if name in PROVENANCE_FIELDS[1:]:
            continue
        ordered[name] = f if name == "id" else _served_field(f)
        if isinstance(f, PrecisionDate):
            ordered[f"{name}_precision"] = Precision(of=name)
    if "citations" in declared:
        ordered["citations"] = fields.List(fields.Nested(CitationOutSchema), metadata=declared["citations"].metadata)
    if "disputes" in declared:
        ordered["disputes"] = fields.List(fields.Nested(DisputeOutSchema), metadata=declared["disputes"].metadata)
        ordered["claims"] = fields.List(fields.Nested(ClaimOutSchema), metadata=declared["claims"].metadata)
    name = schema_cls.__name__.removesuffix("Schema")
    served: type[Schema] = Schema.from_dict(ordered, name=name)
    served.__doc__ = schema_cls.__doc__
    return served

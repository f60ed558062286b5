"""Response shapes for the API docs: records as served (with source details and date precisions)."""

from __future__ import annotations

import copy
from functools import cache

from marshmallow import Schema, fields, validate

from schema.fields import PRECISIONS, PrecisionDate
from schema.provenance import AlternativeSchema, CitationSchema, ClaimSchema, DisputeSchema


class CitationOutSchema(CitationSchema):
    """A citation with the cited source's title and URL inlined."""

    source_title = fields.String(dump_only=True)
    source_url = fields.String(dump_only=True, allow_none=True)


class AlternativeOutSchema(AlternativeSchema):
    citations = fields.List(fields.Nested(CitationOutSchema))


class DisputeOutSchema(DisputeSchema):
    alternatives = fields.List(fields.Nested(AlternativeOutSchema))


class ClaimOutSchema(ClaimSchema):
    citations = fields.List(fields.Nested(CitationOutSchema))


class CitedBySchema(Schema):
    """A record that cites a source."""

    type = fields.String(metadata={"example": "models"})
    id = fields.String(metadata={"example": "deepseek-r1"})
    role = fields.String(
        validate=validate.OneOf(("citation", "claim", "dispute")),
        metadata={"description": "Whether the source backs the record's fields, a claim, or a disputed value."},
    )
    fields = fields.List(fields.String())  # type: ignore[assignment]


@cache
def response_schema(schema_cls: type[Schema]) -> type[Schema]:
    """The served form of a record schema: every field, plus ``<date>_precision`` and source details."""
    declared = schema_cls().fields
    extra: dict[str, fields.Field] = {}
    if "citations" in declared:
        extra["citations"] = fields.List(fields.Nested(CitationOutSchema))
        extra["disputes"] = fields.List(fields.Nested(DisputeOutSchema))
        extra["claims"] = fields.List(fields.Nested(ClaimOutSchema))
    for name, f in declared.items():
        if isinstance(f, PrecisionDate):
            extra[f"{name}_precision"] = fields.String(
                dump_only=True,
                allow_none=True,
                validate=validate.OneOf(PRECISIONS),
                metadata={"description": f"How precisely `{name}` is known."},
            )
    if schema_cls.__name__ == "SourceSchema":
        extra["cited_by"] = fields.List(fields.Nested(CitedBySchema), metadata={"description": "Records citing this source."})
    name = schema_cls.__name__.removesuffix("Schema")
    served: type[Schema] = type(name, (schema_cls,), {**extra, "__doc__": schema_cls.__doc__})
    # `fields=` may leave any field but the id out of a served record: none is required.
    for field_name, f in list(served._declared_fields.items()):
        if f.required and field_name != "id":
            optional = copy.copy(f)
            optional.required = False
            served._declared_fields[field_name] = optional
    return served

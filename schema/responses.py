"""Response shapes for the API docs: records as served (with source details and date precisions)."""

from __future__ import annotations

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
    extra: dict[str, fields.Field] = {
        "citations": fields.List(fields.Nested(CitationOutSchema)),
        "disputes": fields.List(fields.Nested(DisputeOutSchema)),
        "claims": fields.List(fields.Nested(ClaimOutSchema)),
    }
    for name, f in schema_cls().fields.items():
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
    return type(name, (schema_cls,), {**extra, "__doc__": schema_cls.__doc__})

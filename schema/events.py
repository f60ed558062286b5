"""Events: releases, announcements, statements, market moves and policy actions."""

from __future__ import annotations

from marshmallow import Schema, fields, validate

from schema.fields import STARTS, Country, PrecisionDate, Slug, date_field, enum_field, name_field, text_field, vocabulary_field
from schema.record import RecordSchema, nullable, ref_list

EVENT_TYPES = (
    "model-release",
    "product-launch",
    "chip-launch",
    "model-retirement",
    "announcement",
    "statement",
    "market-reaction",
    "policy-action",
    "export-control",
    "investment",
    "funding",
    "founding",
    "acquisition",
    "partnership",
    "personnel",
    "summit",
    "legal-action",
    "publication",
    "benchmark",
    "trend",
)
QUALIFIERS = ("exact", "approximately", "at-least", "more-than", "up-to", "less-than")


class QuantitySchema(Schema):
    """A number an event states, with its unit and how exact it is."""

    name = Slug(required=True, metadata={"example": "market-value-loss"})
    value = fields.Float(required=True, allow_nan=False)
    unit = fields.String(required=True, validate=validate.Length(min=1, max=64), metadata={"example": "USD"})
    qualifier = enum_field(QUALIFIERS, load_default="exact")


class EventSchema(RecordSchema):
    """Something that happened, and who and what took part."""

    title = name_field()
    date = PrecisionDate(required=True, metadata={STARTS: True})
    end_date = date_field(not_before=("date",))
    type = enum_field(EVENT_TYPES, required=True)
    summary = text_field()
    location = vocabulary_field(200)
    country = nullable(Country)
    companies = ref_list("companies", "Companies and organisations involved.")
    models = ref_list("ai_models", "AI models involved.")
    policies = ref_list("policies", "Policies involved.")
    people = ref_list("people", "People involved.")
    chips = ref_list("chips", "Chips involved.")
    quantities = fields.List(fields.Nested(QuantitySchema), load_default=list, validate=validate.Length(max=50))

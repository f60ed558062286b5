"""People named in the facts: founders, executives, officials."""

from __future__ import annotations

from marshmallow import Schema, fields, validate

from schema.fields import Country, PrecisionDate, Ref, name_field, text_field
from schema.record import RecordSchema, nullable, string_list


class RoleSchema(Schema):
    """A position a person held, optionally at an organisation and between dates."""

    title = fields.String(required=True, validate=validate.Length(min=1, max=200))
    organization = nullable(Ref, target="companies")
    start = nullable(PrecisionDate)
    end = nullable(PrecisionDate)


class PersonSchema(RecordSchema):
    """A person."""

    name = name_field()
    native_name = nullable(fields.String)
    aliases = string_list("Other names or spellings.")
    nationality = nullable(Country)
    roles = fields.List(fields.Nested(RoleSchema), load_default=list, validate=validate.Length(max=50))
    description = text_field()

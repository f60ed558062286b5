"""People named in the facts: founders, executives, officials."""

from __future__ import annotations

from marshmallow import Schema, fields, validate

from schema.fields import CHANGES, Country, Ref, date_field, name_field, other_name_field, text_field
from schema.record import RecordSchema, nullable, ref_list, string_list


class RoleSchema(Schema):
    """A position a person held, optionally at an organisation and between dates."""

    title = fields.String(required=True, validate=validate.Length(min=1, max=200))
    organization = nullable(Ref, target="companies")
    start = date_field(starts=True)
    end = date_field(not_before=("start",))


class PersonSchema(RecordSchema):
    """A person."""

    name = name_field()
    native_name = other_name_field("Name in its own language and script.")
    aliases = string_list("Other names or spellings.", label=True)
    nationality = nullable(Country)
    roles = fields.List(
        fields.Nested(RoleSchema),
        load_default=list,
        validate=validate.Length(max=50),
        metadata={"description": "Positions held, with their dates where known.", CHANGES: True},
    )
    organizations = ref_list("companies", "Organisations the person has held roles at (from `roles`).", collected_from="roles.organization")
    description = text_field()

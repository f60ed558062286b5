"""Changes: a fact of a record changing state on a day (built from the record's versions, not authored)."""

from __future__ import annotations

from marshmallow import Schema, fields, validate

from schema.fields import LABEL, SEARCH_WEIGHT, SLUG_PATTERN, Country, PrecisionDate
from schema.provenance import citations_field
from schema.record import ref_list

RECORD_PATHS = ("models", "companies", "policies", "events", "people", "chips", "sources")


class ChangeSchema(Schema):
    """One field of one record taking a new value on a day: a policy revoked, a price cut, a role ended, a record appearing."""

    id = fields.String(
        metadata={"description": "Change id: the record type, its id, the day and the field.", "example": "policies-us-eo-14141-2025-07-23-status"}
    )
    date = PrecisionDate(required=True, metadata={"description": "The day the new value began (the first day of the period its source gives)."})
    summary = fields.String(required=True, metadata={LABEL: True, SEARCH_WEIGHT: 10.0, "description": "The change in words."})
    record_type = fields.String(validate=validate.OneOf(RECORD_PATHS), metadata={"description": "Collection of the record that changed."})
    record_id = fields.String(
        validate=validate.Regexp(SLUG_PATTERN), metadata={"description": "Id of the record that changed.", "example": "us-eo-14141"}
    )
    field = fields.String(metadata={"description": "The field that changed.", "example": "status"})
    old = fields.Raw(allow_none=True, metadata={"description": "The value before (null: none, or the record did not exist yet)."})
    new = fields.Raw(allow_none=True, metadata={"description": "The value from this day on."})
    country = fields.String(
        allow_none=True, validate=Country().validators, metadata={"description": "Country or jurisdiction of the record, if known."}
    )
    participants = ref_list("any", "The record and the ids it names (companies, models, policies, people, chips).")
    citations = citations_field(required=False)

"""Policies: laws, regulations, executive orders, plans and export-control rules."""

from __future__ import annotations

from marshmallow import Schema, fields, validate

from schema.fields import Country, HttpsUrl, PrecisionDate, Ref, enum_field, name_field, text_field
from schema.record import RecordSchema, nullable, ref_list, string_list

INSTRUMENTS = (
    "law",
    "regulation",
    "executive-order",
    "plan",
    "strategy",
    "guideline",
    "export-control-rule",
    "investment-initiative",
    "standard",
    "notice",
    "memorandum",
    "international-agreement",
    "bill",
    "resolution",
)
POLICY_STATUSES = (
    "proposed",
    "announced",
    "adopted",
    "in-force",
    "partially-in-force",
    "suspended",
    "revoked",
    "superseded",
    "expired",
    "withdrawn",
    "vetoed",
)


class IdentifierSchema(Schema):
    """An official identifier: an executive order number, a Federal Register document, a CELEX number."""

    scheme = fields.String(required=True, validate=validate.Length(min=1, max=60), metadata={"example": "federal-register-document"})
    value = fields.String(required=True, validate=validate.Length(min=1, max=120), metadata={"example": "2023-24283"})


class PolicySchema(RecordSchema):
    """A public policy instrument."""

    name = name_field()
    short_name = nullable(fields.String, validate=validate.Length(min=1, max=100))
    native_name = nullable(fields.String)
    jurisdiction = Country(required=True, metadata={"description": "Country (ISO 3166-1 alpha-2), or EU or UN (codes ISO 3166 reserves for them)."})
    issuing_body = nullable(Ref, target="companies", metadata={"description": "Body that issued it."})
    instrument = enum_field(INSTRUMENTS, required=True)
    status = enum_field(POLICY_STATUSES, required=True)
    identifiers = fields.List(fields.Nested(IdentifierSchema), load_default=list)
    announced = nullable(PrecisionDate, metadata={"description": "Announced or proposed, before it was adopted."})
    signed = nullable(PrecisionDate, metadata={"description": "Signed or adopted."})
    published = nullable(PrecisionDate, metadata={"description": "Published in an official journal or register."})
    effective = nullable(PrecisionDate, metadata={"description": "Entered into force."})
    suspended = nullable(PrecisionDate, metadata={"description": "Suspended: no longer applied, though not repealed."})
    suspended_until = nullable(PrecisionDate, metadata={"description": "Last day of a suspension with a set end."})
    revoked = nullable(PrecisionDate, metadata={"description": "Revoked, rescinded, withdrawn or superseded."})
    expired = nullable(PrecisionDate, metadata={"description": "Lapsed at the end of its term."})
    revokes = ref_list("policies", "Policies this one revokes, rescinds or supersedes.")
    amends = ref_list("policies", "Policies this one amends or updates.")
    suspends = ref_list("policies", "Policies this one suspends.")
    targets = string_list("What it regulates or aims at.", max_length=300)
    goals = string_list("Stated goals.", max_length=500)
    url = nullable(HttpsUrl, metadata={"description": "Official text."})
    description = text_field()

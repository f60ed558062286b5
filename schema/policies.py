"""Policies: laws, regulations, executive orders, plans and export-control rules."""

from __future__ import annotations

from marshmallow import Schema, fields, validate

from schema.fields import Country, HttpsUrl, Ref, date_field, enum_field, name_field, other_name_field, text_field
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
    short_name = other_name_field("The name it is usually called by.", max_length=100)
    native_name = other_name_field("Name in its own language and script.")
    jurisdiction = Country(required=True, metadata={"description": "Country (ISO 3166-1 alpha-2), or EU or UN (codes ISO 3166 reserves for them)."})
    issuing_body = nullable(Ref, target="companies", metadata={"description": "Body that issued it."})
    instrument = enum_field(INSTRUMENTS, required=True)
    status = enum_field(POLICY_STATUSES, required=True)
    identifiers = fields.List(fields.Nested(IdentifierSchema), load_default=list)
    announced = date_field("Announced or proposed, before it was adopted.", starts=True, timeline=("policy-announced", "announced"))
    signed = date_field("Signed or adopted.", starts=True, not_before=("announced",), timeline=("policy-signed", "signed"))
    published = date_field("Published in an official journal or register.", starts=True, timeline=("policy-published", "published"))
    effective = date_field("Entered into force.", starts=True, not_before=("signed",), timeline=("policy-effective", "takes effect"))
    suspended = date_field(
        "Suspended: no longer applied, though not repealed.", not_before=("signed", "published"), timeline=("policy-suspended", "suspended")
    )
    suspended_until = date_field("Last day of a suspension with a set end.", not_before=("suspended",))
    revoked = date_field("Revoked, rescinded, withdrawn or superseded.", not_before=("signed", "published"), timeline=("policy-revoked", "revoked"))
    vetoed = date_field("Vetoed before it could take effect.", not_before=("announced",), timeline=("policy-vetoed", "vetoed"))
    expired = date_field("Lapsed at the end of its term.", not_before=("signed", "effective"), timeline=("policy-expired", "expires"))
    revokes = ref_list("policies", "Policies this one revokes, rescinds or supersedes.")
    amends = ref_list("policies", "Policies this one amends or updates.")
    suspends = ref_list("policies", "Policies this one suspends.")
    revoked_by = ref_list("policies", "Policies that revoke, rescind or supersede this one (from their `revokes`).", inverse_of="revokes")
    amended_by = ref_list("policies", "Policies that amend this one (from their `amends`).", inverse_of="amends")
    suspended_by = ref_list("policies", "Policies that suspend this one (from their `suspends`).", inverse_of="suspends")
    targets = string_list("What it regulates or aims at.", max_length=300)
    goals = string_list("Stated goals.", max_length=500)
    url = nullable(HttpsUrl, metadata={"description": "Official text."})
    description = text_field()

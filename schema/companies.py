"""Companies and other organisations: labs, chipmakers, investors, government bodies."""

from __future__ import annotations

from marshmallow import Schema, fields, validate

from schema.fields import (
    CHANGES,
    HELD_SINCE,
    Country,
    HttpsUrl,
    PrecisionDate,
    Ref,
    date_field,
    enum_field,
    name_field,
    other_name_field,
    text_field,
    vocabulary_field,
)
from schema.record import RecordSchema, nullable, ref_list, string_list

COMPANY_KINDS = (
    "ai-lab",
    "technology-company",
    "chipmaker",
    "foundry",
    "memory-maker",
    "semiconductor-equipment",
    "cloud-provider",
    "investment-firm",
    "government-body",
    "legislature",
    "international-organization",
    "standards-body",
    "safety-institute",
    "research-institute",
    "university",
    "nonprofit",
    "joint-venture",
    "other",
)


class FormerNameSchema(Schema):
    """A name the organisation used until a day."""

    name = name_field(search_weight=5.0)
    until = PrecisionDate(required=True, metadata={"description": "Last day the name was used (or the renaming's date)."})


class CompanySchema(RecordSchema):
    """A company or organisation."""

    name = name_field()
    former_names = fields.List(
        fields.Nested(FormerNameSchema),
        load_default=list,
        validate=validate.Length(max=20),
        metadata={"description": "Names it had before, each with the last day it was used.", CHANGES: True},
    )
    native_name = other_name_field("Name in its own language and script.")
    aliases = string_list("Other names it is known by.", label=True)
    kind = enum_field(COMPANY_KINDS, required=True)
    country = nullable(Country, metadata={"description": "Country of headquarters (ISO 3166-1 alpha-2)."})
    hq_city = vocabulary_field(200)
    founded = date_field(starts=True)
    parent = nullable(Ref, target="companies", metadata={"description": "Owning or controlling organisation.", HELD_SINCE: "parent_since"})
    parent_since = date_field("When the parent took control (an acquisition, a merger), if it did after the founding.")
    backers = ref_list("companies", "Investors and financial backers.")
    founders = ref_list("people", "Founders.")
    website = nullable(HttpsUrl)
    description = text_field()

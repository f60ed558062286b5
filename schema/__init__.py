"""Marshmallow schemas of every aifacts record type, shared by the build and the API."""

from __future__ import annotations

from marshmallow import Schema

from schema.ai_models import AIModelSchema
from schema.chips import ChipSchema
from schema.companies import CompanySchema
from schema.events import EventSchema
from schema.people import PersonSchema
from schema.policies import PolicySchema
from schema.sources import SourceSchema

SCHEMA_VERSION = 1

# Record type → schema class. The key names the fixture folder and the table.
RECORD_SCHEMAS: dict[str, type[Schema]] = {
    "ai_models": AIModelSchema,
    "companies": CompanySchema,
    "people": PersonSchema,
    "policies": PolicySchema,
    "events": EventSchema,
    "chips": ChipSchema,
    "sources": SourceSchema,
}

__all__ = [
    "RECORD_SCHEMAS",
    "SCHEMA_VERSION",
    "AIModelSchema",
    "ChipSchema",
    "CompanySchema",
    "EventSchema",
    "PersonSchema",
    "PolicySchema",
    "SourceSchema",
]

"""Timeline entries: events, model milestones and policy milestones on one dated line (built, not authored)."""

from __future__ import annotations

from marshmallow import Schema, fields, validate

from schema.ai_models import AIModelSchema
from schema.events import EVENT_TYPES
from schema.fields import LABEL, SEARCH_WEIGHT, SLUG_PATTERN, TIMELINE, Country, PrecisionDate
from schema.policies import PolicySchema
from schema.record import ref_list


def milestones(schema: type[Schema]) -> dict[str, tuple[str, str]]:
    """Date field → (timeline kind, verb), for the dates a schema marks as milestones."""
    return {name: tuple(f.metadata[TIMELINE]) for name, f in schema().fields.items() if f.metadata.get(TIMELINE)}  # type: ignore[misc]


MODEL_MILESTONES = milestones(AIModelSchema)
POLICY_MILESTONES = milestones(PolicySchema)
TIMELINE_KINDS = tuple(dict.fromkeys((*EVENT_TYPES, *(kind for kind, _ in (*MODEL_MILESTONES.values(), *POLICY_MILESTONES.values())))))
RECORD_TYPES = ("events", "models", "policies")


class TimelineEntrySchema(Schema):
    """One dated entry: an event, a model released or retired, or a policy announced, signed, in force, suspended or revoked."""

    id = fields.String(metadata={"description": "Entry id: the record type, its id and the milestone.", "example": "policies-us-eo-14110-signed"})
    date = PrecisionDate(required=True)
    kind = fields.String(validate=validate.OneOf(TIMELINE_KINDS), metadata={"description": "Event type, or the model or policy milestone."})
    title = fields.String(required=True, metadata={LABEL: True, SEARCH_WEIGHT: 10.0})
    record_type = fields.String(validate=validate.OneOf(RECORD_TYPES), metadata={"description": "Collection of the record behind the entry."})
    record_id = fields.String(
        validate=validate.Regexp(SLUG_PATTERN), metadata={"description": "Id of the record behind the entry.", "example": "us-eo-14110"}
    )
    country = fields.String(allow_none=True, validate=Country().validators, metadata={"description": "Country the entry concerns, if known."})
    # "any": the ids may name records of every collection (the `participant` filter reads them).
    participants = ref_list("any", "Ids of the companies, models, policies, people and chips involved.")

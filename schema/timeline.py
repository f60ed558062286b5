"""Timeline entries: events, model releases and policy milestones on one dated line (built, not authored)."""

from __future__ import annotations

from marshmallow import Schema, fields, validate

from schema.events import EVENT_TYPES
from schema.fields import Country, PrecisionDate, Ref
from schema.record import ref_list

POLICY_MILESTONES = ("policy-signed", "policy-published", "policy-effective", "policy-revoked")
TIMELINE_KINDS = tuple(dict.fromkeys((*EVENT_TYPES, *POLICY_MILESTONES)))
RECORD_TYPES = ("events", "models", "policies")


class TimelineEntrySchema(Schema):
    """One dated entry: an event, a model release, or a policy being signed, published, in force or revoked."""

    id = fields.String(metadata={"description": "Entry id: the record type, its id and the milestone.", "example": "policies-us-eo-14110-signed"})
    date = PrecisionDate(required=True)
    kind = fields.String(validate=validate.OneOf(TIMELINE_KINDS), metadata={"description": "Event type, or the model or policy milestone."})
    title = fields.String()
    record_type = fields.String(validate=validate.OneOf(RECORD_TYPES), metadata={"description": "Collection of the record behind the entry."})
    record_id = Ref("any", metadata={"description": "Id of the record behind the entry."})
    url = fields.String(metadata={"example": "/v1/policies/us-eo-14110"})
    country = fields.String(allow_none=True, validate=Country().validators, metadata={"description": "Country the entry concerns, if known."})
    participants = ref_list("any", "Ids of the companies, models, policies, people and chips involved.")

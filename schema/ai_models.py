"""AI models: language, reasoning and multimodal models and their lineage."""

from __future__ import annotations

from typing import Any

from marshmallow import Schema, fields, validate

from schema.fields import CHANGES, Ref, date_field, enum_field, name_field, text_field, vocabulary_field
from schema.provenance import citations_field
from schema.record import RecordSchema, nullable

MODEL_CATEGORIES = (
    "language",
    "reasoning",
    "multimodal",
    "code",
    "image-generation",
    "video-generation",
    "speech",
    "embedding",
)
AVAILABILITY = ("announced", "available", "deprecated", "retired")
ARCHITECTURES = ("dense-transformer", "mixture-of-experts", "diffusion", "other")
MODALITIES = ("text", "image", "audio", "video")
PARAMETERS_MAX = 10**15  # far above any model, far below SQLite's 2**63


def positive_int(description: str, maximum: int = PARAMETERS_MAX) -> fields.Field:
    """An optional positive integer with an upper bound."""
    return nullable(fields.Integer, strict=True, validate=validate.Range(min=1, max=maximum), metadata={"description": description})


def price_field(description: str, **kwargs: Any) -> fields.Field:
    """An optional non-negative price in US dollars."""
    return nullable(fields.Float, allow_nan=False, validate=validate.Range(min=0, max=10_000), metadata={"description": description}, **kwargs)


class PricePointSchema(Schema):
    """A list price of API access in US dollars per million tokens, from one day until another, with its sources."""

    effective_from = date_field("First day this price applied (null: not stated).", starts=True)
    effective_until = date_field("Last day this price applied; null while it still applies.", not_before=("effective_from", "observed"))
    observed = date_field("A day the source shows this price in force, when its first day is not known.", starts=True)
    api_model = nullable(
        fields.String, validate=validate.Length(min=1, max=100), metadata={"description": "Name of the model in the API, e.g. `deepseek-chat`."}
    )
    input_usd_per_mtok = price_field("Input (prompt) tokens, cache miss.")
    cached_input_usd_per_mtok = price_field("Input tokens served from cache.")
    output_usd_per_mtok = price_field("Output (completion) tokens.")
    condition = nullable(
        fields.String,
        validate=validate.Length(min=1, max=100),
        metadata={
            "description": "When the price applies only under a condition (off-peak hours, batch); the price in force is the unconditional one."
        },
    )
    note = nullable(
        fields.String, validate=validate.Length(min=1, max=500), metadata={"description": "Conditions: a promotion, a context tier, off-peak hours."}
    )
    citations = citations_field()


class AIModelSchema(RecordSchema):
    """An AI model."""

    name = name_field()
    developer = Ref("companies", required=True, metadata={"description": "Company that developed it."})
    family = vocabulary_field(search_weight=5.0)
    category = enum_field(MODEL_CATEGORIES, required=True)
    release_date = date_field("First made available (weights, API or product).", starts=True, timeline=("model-release", "released"))
    open_weights = nullable(fields.Boolean, truthy={True}, falsy={False})
    license = vocabulary_field()
    parameters_total = positive_int("Total parameters.")
    parameters_active = positive_int("Parameters active per token (mixture-of-experts).")
    context_window = positive_int("Context window in tokens.", maximum=10**9)
    architecture = nullable(fields.String, validate=validate.OneOf(ARCHITECTURES))
    modalities = fields.List(
        fields.String(validate=validate.OneOf(MODALITIES)),
        load_default=list,
        metadata={"description": "Input modalities it accepts."},
    )
    prices = fields.List(
        fields.Nested(PricePointSchema),
        load_default=list,
        validate=validate.Length(max=50),
        metadata={"description": "List prices over time, oldest first, each with its own citations.", CHANGES: True},
    )
    input_usd_per_mtok = price_field("Input price in force (today, or on `as_of`), from `prices`.", dump_only=True)
    output_usd_per_mtok = price_field("Output price in force (today, or on `as_of`), from `prices`.", dump_only=True)
    availability = fields.String(
        dump_only=True,
        allow_none=True,
        validate=validate.OneOf(AVAILABILITY),
        metadata={"description": "Announced, available, deprecated or retired, today or on `as_of` (from its dates); null when no date is known."},
    )
    deprecated = date_field(
        "When its maker announced it would be retired.", not_before=("release_date",), timeline=("model-deprecation", "deprecated")
    )
    retired = date_field(
        "When it stopped being offered (API shut off, weights withdrawn).",
        not_before=("release_date", "deprecated"),
        timeline=("model-retirement", "retired"),
    )
    base_model = nullable(Ref, target="ai_models", metadata={"description": "Model it was trained from."})
    distilled_from = nullable(Ref, target="ai_models", metadata={"description": "Teacher model it was distilled from."})
    predecessor = nullable(Ref, target="ai_models", metadata={"description": "Previous model of its line."})
    description = text_field()

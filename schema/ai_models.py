"""AI models: language, reasoning and multimodal models and their lineage."""

from __future__ import annotations

from marshmallow import Schema, fields, validate

from schema.fields import PrecisionDate, Ref, enum_field, name_field, text_field
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
ARCHITECTURES = ("dense-transformer", "mixture-of-experts", "diffusion", "other")
MODALITIES = ("text", "image", "audio", "video")
PARAMETERS_MAX = 10**15  # far above any model, far below SQLite's 2**63


def positive_int(description: str, maximum: int = PARAMETERS_MAX) -> fields.Field:
    """An optional positive integer with an upper bound."""
    return nullable(fields.Integer, strict=True, validate=validate.Range(min=1, max=maximum), metadata={"description": description})


def price_field(description: str) -> fields.Field:
    """An optional non-negative price in US dollars."""
    return nullable(fields.Float, allow_nan=False, validate=validate.Range(min=0, max=10_000), metadata={"description": description})


class PricingSchema(Schema):
    """List price of API access, in US dollars per million tokens."""

    input_usd_per_mtok = price_field("Input (prompt) tokens, cache miss.")
    cached_input_usd_per_mtok = price_field("Input tokens served from cache.")
    output_usd_per_mtok = price_field("Output (completion) tokens.")
    as_of = nullable(PrecisionDate, metadata={"description": "When this price applied."})


class AIModelSchema(RecordSchema):
    """An AI model."""

    name = name_field()
    developer = Ref("companies", required=True, metadata={"description": "Company that developed it."})
    family = nullable(fields.String, validate=validate.Length(min=1, max=100))
    category = enum_field(MODEL_CATEGORIES, required=True)
    release_date = nullable(PrecisionDate)
    open_weights = nullable(fields.Boolean, truthy={True}, falsy={False})
    license = nullable(fields.String, validate=validate.Length(min=1, max=100))
    parameters_total = positive_int("Total parameters.")
    parameters_active = positive_int("Parameters active per token (mixture-of-experts).")
    context_window = positive_int("Context window in tokens.", maximum=10**9)
    architecture = nullable(fields.String, validate=validate.OneOf(ARCHITECTURES))
    modalities = fields.List(
        fields.String(validate=validate.OneOf(MODALITIES)),
        load_default=list,
        metadata={"description": "Input modalities it accepts."},
    )
    pricing = fields.Nested(PricingSchema, load_default=None, allow_none=True)
    base_model = nullable(Ref, target="ai_models", metadata={"description": "Model it was trained from."})
    distilled_from = nullable(Ref, target="ai_models", metadata={"description": "Teacher model it was distilled from."})
    predecessor = nullable(Ref, target="ai_models", metadata={"description": "Previous model of its line."})
    description = text_field()

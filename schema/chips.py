"""AI accelerator chips, the hardware export controls target."""

from __future__ import annotations

from marshmallow import fields, validate

from schema.fields import PrecisionDate, Ref, name_field, text_field
from schema.record import RecordSchema, nullable, ref_list


class ChipSchema(RecordSchema):
    """An AI accelerator (GPU or NPU)."""

    name = name_field()
    manufacturer = Ref("companies", required=True, metadata={"description": "Company that designs and sells it."})
    family = nullable(fields.String, validate=validate.Length(min=1, max=100))
    architecture = nullable(fields.String, validate=validate.Length(min=1, max=100))
    announced = nullable(PrecisionDate)
    memory_gb = nullable(fields.Float, allow_nan=False, validate=validate.Range(min=0, max=100_000))
    variant_of = nullable(Ref, target="chips", metadata={"description": "Chip this one is a cut-down or regional variant of."})
    controlled_by = ref_list("policies", "Export-control rules that restrict it.")
    description = text_field()

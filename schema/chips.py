"""AI accelerator chips, the hardware export controls target."""

from __future__ import annotations

from marshmallow import fields, validate

from schema.fields import Ref, date_field, name_field, text_field, vocabulary_field
from schema.record import RecordSchema, nullable, ref_list

CHIP_KINDS = ("gpu", "npu", "tpu", "asic", "cpu", "memory")


def spec(description: str, maximum: float = 1_000_000) -> fields.Field:
    """An optional non-negative number from a specification sheet."""
    return nullable(fields.Float, allow_nan=False, validate=validate.Range(min=0, max=maximum), metadata={"description": description})


class ChipSchema(RecordSchema):
    """An AI accelerator (GPU or NPU)."""

    name = name_field()
    manufacturer = Ref("companies", required=True, metadata={"description": "Company that designs and sells it."})
    kind = nullable(fields.String, validate=validate.OneOf(CHIP_KINDS), metadata={"description": "GPU, NPU, TPU or other accelerator."})
    family = vocabulary_field(search_weight=5.0)
    architecture = vocabulary_field()
    announced = date_field(starts=True)
    released = date_field("First shipped or generally available.", starts=True, not_before=("announced",))
    foundry = nullable(Ref, target="companies", metadata={"description": "Company that fabricates it."})
    process_node = vocabulary_field(60, metadata={"example": "TSMC 4N"})
    memory_gb = spec("On-package memory, in GB.", 100_000)
    memory_type = vocabulary_field(60, metadata={"example": "HBM3"})
    memory_bandwidth_tbps = spec("Memory bandwidth, in TB/s.", 1_000)
    bf16_tflops = spec("Dense BF16/FP16 throughput, in TFLOPS (without sparsity).")
    fp8_tflops = spec("Dense FP8 throughput, in TFLOPS (without sparsity).")
    int8_tops = spec("Dense INT8 throughput, in TOPS (without sparsity).")
    tdp_watts = spec("Maximum board or module power, in watts.", 100_000)
    total_processing_performance = spec("TPP as US export rules (ECCN 3A090) define it.", 10_000_000)
    variant_of = nullable(Ref, target="chips", metadata={"description": "Chip this one is a cut-down or regional variant of."})
    controlled_by = ref_list("policies", "Export-control rules that restrict it.")
    description = text_field()

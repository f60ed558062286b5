"""The base every record schema extends: id, citations, disputes, claims; unknown fields rejected."""

from __future__ import annotations

from typing import Any

from marshmallow import RAISE, Schema, fields, validate

from schema.fields import NAME_MAX, Ref, Slug
from schema.provenance import ClaimSchema, DisputeSchema, citations_field

# Fields every record has that are about provenance, not facts to be cited.
PROVENANCE_FIELDS = ("id", "citations", "disputes", "claims")


class RecordSchema(Schema):
    """Fields shared by every record type."""

    class Meta:
        unknown = RAISE

    id = Slug(required=True, metadata={"description": "Stable, human-readable id."})
    citations = citations_field()
    disputes = fields.List(
        fields.Nested(DisputeSchema),
        load_default=list,
        metadata={"description": "Fields on which sources disagree, with the values not preferred."},
    )
    claims = fields.List(
        fields.Nested(ClaimSchema),
        load_default=list,
        metadata={"description": "Statements attributed to their sources rather than asserted as fact."},
    )


# Derived list relations, filled by the build rather than authored: the records of the target whose named field
# lists this one (INVERSE_OF), or the ids that the items of one of this record's lists name (COLLECTED_FROM).
INVERSE_OF = "inverse_of"
COLLECTED_FROM = "collected_from"


def ref_list(target: str, description: str, inverse_of: str | None = None, collected_from: str | None = None) -> fields.List:
    """A list of ids of records in ``target`` (empty by default); derived by the build with ``inverse_of`` or ``collected_from``."""
    metadata: dict[str, Any] = {"description": description, "x-references": target}
    if inverse_of or collected_from:
        metadata.update({INVERSE_OF: inverse_of} if inverse_of else {COLLECTED_FROM: collected_from})
        return fields.List(Ref(target), dump_only=True, metadata=metadata)
    return fields.List(Ref(target), load_default=list, validate=validate.Length(max=200), metadata=metadata)


def string_list(description: str, max_length: int = NAME_MAX, **metadata: Any) -> fields.List:
    """A list of short strings (empty by default); ``metadata`` adds facts about the field (``label=True``)."""
    return fields.List(
        fields.String(validate=validate.Length(min=1, max=max_length)),
        load_default=list,
        validate=validate.Length(max=100),
        metadata={"description": description, **metadata},
    )


def ref_fields(schema: Schema) -> dict[str, tuple[str, bool]]:
    """Map each field naming other records to (target collection, is_list)."""
    found: dict[str, tuple[str, bool]] = {}
    for name, field in schema.fields.items():
        if isinstance(field, Ref):
            found[name] = (field.target, False)
        elif isinstance(field, fields.List) and isinstance(field.inner, Ref):
            found[name] = (field.inner.target, True)
    return found


def fact_fields(schema: Schema) -> list[str]:
    """The fields of a record type that state facts (and so need a citation)."""
    return [name for name, f in schema.fields.items() if name not in PROVENANCE_FIELDS and not f.dump_only]


def self_cited_fields(schema: Schema) -> list[str]:
    """List fields whose items carry their own citations (dated values such as price points)."""
    return [
        name
        for name, f in schema.fields.items()
        if name not in PROVENANCE_FIELDS
        and isinstance(f, fields.List)
        and isinstance(f.inner, fields.Nested)
        and "citations" in f.inner.schema.fields
    ]


def nullable(field_cls: type[fields.Field], **kwargs: Any) -> fields.Field:
    """An optional field whose unknown value is null."""
    return field_cls(load_default=None, allow_none=True, **kwargs)

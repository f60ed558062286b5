"""Provenance shared by every record: citations, disputed values and attributed claims."""

from __future__ import annotations

from marshmallow import Schema, validate
from marshmallow import fields as mf

from schema.fields import TEXT_MAX, Ref

QUOTE_MAX = 2000


class CitationSchema(Schema):
    """One source supporting some fields of a record (all of them when ``fields`` is empty)."""

    source = Ref("sources", required=True, metadata={"description": "Id of the cited source."})
    fields = mf.List(  # type: ignore[assignment]  # the fixture key is `fields`
        mf.String(validate=validate.Length(min=1, max=64)),
        load_default=list,
        metadata={"description": "Fields this source supports; empty means the whole record."},
    )
    quote = mf.String(
        load_default=None,
        allow_none=True,
        validate=validate.Length(min=1, max=QUOTE_MAX),
        metadata={"description": "Verbatim passage; required and verified when the source is a local seed."},
    )
    locator = mf.String(
        load_default=None,
        allow_none=True,
        validate=validate.Length(min=1, max=200),
        metadata={"description": "Where in the source: a page, section or paragraph."},
    )


def citations_field(required: bool = True) -> mf.List:
    """The list of citations of a record (at least one) or of an alternative value."""
    if not required:
        return mf.List(mf.Nested(CitationSchema), load_default=list, validate=validate.Length(max=50))
    return mf.List(
        mf.Nested(CitationSchema),
        required=True,
        validate=validate.Length(min=1, max=50),
        metadata={"description": "Sources that support this record, field by field."},
    )


class AlternativeSchema(Schema):
    """A value for a field that a source gives and the record does not prefer."""

    value = mf.Raw(required=True, metadata={"description": "The value this source gives."})
    citations = citations_field()
    note = mf.String(load_default=None, allow_none=True, validate=validate.Length(max=TEXT_MAX))


class DisputeSchema(Schema):
    """Sources disagree on a field: the record holds the preferred value, these the others."""

    field = mf.String(required=True, validate=validate.Length(min=1, max=64))
    reason = mf.String(
        required=True,
        validate=validate.Length(min=1, max=TEXT_MAX),
        metadata={"description": "Why the record's own value is preferred."},
    )
    alternatives = mf.List(mf.Nested(AlternativeSchema), required=True, validate=validate.Length(min=1))


class ClaimSchema(Schema):
    """A statement attributed to its sources, not promoted to an undisputed fact."""

    statement = mf.String(required=True, validate=validate.Length(min=1, max=TEXT_MAX))
    value = mf.Float(load_default=None, allow_none=True, allow_nan=False)
    unit = mf.String(load_default=None, allow_none=True, validate=validate.Length(min=1, max=64))
    field = mf.String(
        load_default=None,
        allow_none=True,
        validate=validate.Length(min=1, max=64),
        metadata={"description": "The record field the claim is about, if any."},
    )
    citations = citations_field()

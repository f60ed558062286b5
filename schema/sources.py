"""Sources: the documents, pages and papers that facts cite."""

from __future__ import annotations

from marshmallow import fields, validate

from schema.fields import HttpsUrl, PrecisionDate, enum_field, name_field, text_field
from schema.provenance import citations_field
from schema.record import RecordSchema, nullable, string_list

SOURCE_KINDS = (
    "news-analysis",
    "news",
    "official-announcement",
    "press-release",
    "government-document",
    "legal-text",
    "paper",
    "technical-report",
    "model-card",
    "repository",
    "blog-post",
    "company-filing",
    "reference",
    "dataset",
)
# Evidence tiers, strongest first: the maker's or government's own text; a reputable outlet's
# original report; a copy of a report on another site; encyclopedias, wikis and aggregators.
SOURCE_TIERS = ("primary", "reporting", "repost", "reference")
LANGUAGE_PATTERN = r"^[a-z]{2,3}(-[A-Za-z0-9]{2,8})*$"


class SourceSchema(RecordSchema):
    """A cited source; ``file`` names its local copy in ``seeds/`` when we hold it."""

    # A source is its own provenance: citing one is optional.
    citations = citations_field(required=False)
    title = name_field()
    publisher = nullable(fields.String, validate=validate.Length(min=1, max=200))
    authors = string_list("Authors, as credited.")
    url = nullable(HttpsUrl)
    published = nullable(PrecisionDate)
    kind = enum_field(SOURCE_KINDS, required=True)
    tier = enum_field(
        SOURCE_TIERS,
        required=True,
        metadata={
            "description": (
                "Evidence tier: `primary` (the maker's or government's own text, paper, repository, filing), `reporting` (a reputable"
                " outlet's original report), `repost` (a copy of a report on another site), `reference` (encyclopedias, wikis, aggregators)."
            )
        },
    )
    language = fields.String(
        required=True,
        validate=validate.Regexp(LANGUAGE_PATTERN, error="must be a BCP 47 language tag like 'en'"),
        metadata={"example": "en"},
    )
    file = nullable(
        fields.String,
        validate=validate.Regexp(r"^[A-Za-z0-9][A-Za-z0-9._-]*$", error="must be a file name in seeds/"),
        metadata={"description": "File name of the local copy in seeds/."},
    )
    description = text_field()

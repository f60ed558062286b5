"""Sources: the documents, pages and papers that facts cite."""

from __future__ import annotations

from marshmallow import Schema, fields, validate

from schema.fields import WebUrl, date_field, enum_field, name_field, text_field, vocabulary_field
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


class CitedBySchema(Schema):
    """A record that cites a source."""

    type = fields.String(metadata={"description": "Collection of the citing record.", "example": "models"})
    id = fields.String(metadata={"example": "deepseek-r1"})
    role = fields.String(
        validate=validate.OneOf(("citation", "claim", "dispute")),
        metadata={"description": "Whether the source backs the record's fields, a claim, or a disputed value."},
    )
    fields = fields.List(fields.String(), metadata={"description": "Fields the citation supports; empty means the whole record."})  # type: ignore[assignment]


class SourceSchema(RecordSchema):
    """A cited source; ``file`` names its local copy in ``seeds/`` when we hold it."""

    # A source is its own provenance: citing one is optional.
    citations = citations_field(required=False)
    title = name_field()
    publisher = vocabulary_field(200, search_weight=5.0)
    authors = string_list("Authors, as credited.")
    url = nullable(WebUrl, metadata={"description": "Address of the page: https, or http where the site serves no https."})
    published = date_field(starts=True)
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
    cited_by = fields.List(fields.Nested(CitedBySchema), dump_only=True, metadata={"description": "Records citing this source (built)."})

"""The API index, cross-type search and health check."""

from __future__ import annotations

from typing import Any

from flask import Response
from marshmallow import Schema, fields, validate

from api.errors import ProblemSchema, problem
from api.http import body_response, store, to_json
from api.queries import StoreUnavailable
from api.routes import ApiBlueprint
from api.routes.params import MAX_Q, ArgsSchema, NoArgs, text
from api.tables import COLLECTIONS, COLLECTIONS_BY_PATH

blp = ApiBlueprint("meta", __name__, description="Index, search and health.")
PROBLEM = {"schema": ProblemSchema, "content_type": "application/problem+json"}
SEARCH_MAX_LIMIT = 100


class CollectionInfoSchema(Schema):
    name = fields.String(metadata={"example": "models"})
    url = fields.String(metadata={"example": "/v1/models"})
    count = fields.Integer()


class IndexSchema(Schema):
    name = fields.String()
    description = fields.String()
    version = fields.String(metadata={"description": "Dataset version: changes whenever the data does."})
    built_at = fields.String(metadata={"description": "When the dataset was built (UTC, ISO 8601)."})
    schema_version = fields.Integer()
    collections = fields.List(fields.Nested(CollectionInfoSchema))
    links = fields.Dict(keys=fields.String(), values=fields.String())


class SearchArgs(ArgsSchema):
    q = text(
        MAX_Q,
        required=True,
        metadata={
            "description": (
                "Words to find; every word must match, the last also as a prefix (`qwen` finds Qwen2.5). "
                "A record named exactly this comes first, then the best matches (sources rank after records)."
            ),
            "example": "deepseek",
        },
    )
    type = fields.String(
        validate=validate.OneOf(sorted(COLLECTIONS_BY_PATH)),
        metadata={"description": "Only this record type."},
    )
    limit = fields.Integer(
        load_default=20, validate=validate.Range(1, SEARCH_MAX_LIMIT), metadata={"description": f"Hits to return (1–{SEARCH_MAX_LIMIT})."}
    )


class SearchHitSchema(Schema):
    type = fields.String(metadata={"example": "models"})
    id = fields.String(metadata={"example": "deepseek-r1"})
    label = fields.String(metadata={"description": "The record's name or title."})
    score = fields.Float(metadata={"description": "Relevance (BM25; higher is better)."})
    snippet = fields.String(metadata={"description": "Matching text with <mark> around the words found."})
    url = fields.String(metadata={"example": "/v1/models/deepseek-r1"})


class SearchMetaSchema(Schema):
    total = fields.Integer()
    counts = fields.Dict(keys=fields.String(), values=fields.Integer(), metadata={"description": "Matches per record type."})


class SearchSchema(Schema):
    data = fields.List(fields.Nested(SearchHitSchema))
    meta = fields.Nested(SearchMetaSchema)


class HealthSchema(Schema):
    status = fields.String(metadata={"example": "ok"})
    version = fields.String()


@blp.route("/v1", methods=["GET"])
@blp.arguments(NoArgs, location="query", as_kwargs=False)
@blp.response(200, IndexSchema)
def index(_args: dict[str, Any]) -> Response:
    """API index: collections, record counts and dataset version"""
    meta = store().meta()
    body = {
        "name": "aifacts",
        "description": "Typed, sourced facts about the AI landscape.",
        "version": meta["version"],
        "built_at": meta["built_at"],
        "schema_version": int(meta["schema_version"]),
        "collections": [{"name": c.path, "url": f"/v1/{c.path}", "count": meta["counts"].get(c.name, 0)} for c in COLLECTIONS.values()],
        "links": {"search": "/v1/search", "openapi": "/openapi.json", "docs": "/docs", "health": "/health"},
    }
    return body_response(to_json(body))


@blp.route("/v1/search", methods=["GET"])
@blp.arguments(SearchArgs, location="query", as_kwargs=False)
@blp.response(200, SearchSchema)
@blp.alt_response(400, description="Invalid parameter.", **PROBLEM)
def search(args: dict[str, Any]) -> Response:
    """Search every record type

    Ranked full-text search over names, titles and descriptions, with a highlighted snippet.
    """
    types = [COLLECTIONS_BY_PATH[args["type"]].name] if "type" in args else list(COLLECTIONS)
    hits, counts = store().search(args["q"], types, args["limit"])
    for hit in hits:
        hit["url"] = f"/v1/{hit['type']}/{hit['id']}"
    counts_by_path = {COLLECTIONS[name].path: n for name, n in counts.items()}
    return body_response(to_json({"data": hits, "meta": {"total": sum(counts.values()), "counts": counts_by_path}}))


@blp.route("/health", methods=["GET"])
@blp.arguments(NoArgs, location="query", as_kwargs=False)
@blp.response(200, HealthSchema)
@blp.alt_response(503, description="The dataset cannot be read.", **PROBLEM)
def health(_args: dict[str, Any]) -> Response:
    """Health check: 200 when the dataset opens and passes an integrity check"""
    try:
        store().check()
        version = store().version()
    except StoreUnavailable:
        return problem(503, "Service Unavailable", "The dataset cannot be read.", headers={"Retry-After": "5"})
    response = body_response(to_json({"status": "ok", "version": version}))
    response.headers["Cache-Control"] = "no-store"
    return response

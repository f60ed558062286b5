"""The landing page, the API index, cross-type search and the health check."""

from __future__ import annotations

import html
import json
from typing import Any

from flask import Response, current_app, request, url_for
from marshmallow import Schema, fields, validate

from api.cursor import BadCursor, decode_cursor, encode_cursor
from api.errors import problem
from api.formats import to_json
from api.http import api_url, body_response, not_modified, page_links, record_url, store
from api.queries import SNIPPET_END, SNIPPET_START, StoreUnavailable
from api.routes import ApiBlueprint
from api.routes.docs import error_responses
from api.routes.params import MAX_Q, ArgsSchema, NoArgs, OneOfSuggesting, QueryInteger, as_of_field, page_fields, text
from api.tables import COLLECTIONS, COLLECTIONS_BY_PATH, TIMELINE
from api.version import API_VERSION, PACKAGE_VERSION

blp = ApiBlueprint("meta", __name__, description="Index, search and health.")
SEARCH_MAX_LIMIT = 100


class CollectionInfoSchema(Schema):
    name = fields.String(metadata={"example": "models"})
    url = fields.String(metadata={"example": "/v1/models"})
    count = fields.Integer()


class VersionsSchema(Schema):
    package = fields.String(metadata={"description": "Version of the aifacts software."})
    api = fields.String(metadata={"description": "Version of this API's contract (the OpenAPI document's `info.version`)."})
    data = fields.String(metadata={"description": "Dataset version: changes whenever the data does."})
    schema = fields.Integer(metadata={"description": "Version of the database layout."})


class IndexSchema(Schema):
    name = fields.String()
    description = fields.String()
    version = fields.String(metadata={"description": "Dataset version (as `versions.data`)."})
    versions = fields.Nested(VersionsSchema)
    built_at = fields.String(metadata={"description": "When the dataset was built (UTC, ISO 8601); current states are as of that day."})
    current_until = fields.String(
        allow_none=True,
        metadata={
            "description": (
                "The next day a state served without `as_of` changes (a rule taking effect, a price ending), or null:"
                " a service starting on or after it rebuilds; a long-running one is rebuilt by `aifacts build`."
            )
        },
    )
    schema_version = fields.Integer()
    collections = fields.List(fields.Nested(CollectionInfoSchema))
    links = fields.Dict(
        keys=fields.String(), values=fields.String(), metadata={"description": "The timeline, search, the OpenAPI document, docs and health."}
    )


class SearchArgs(ArgsSchema):
    q = text(
        MAX_Q,
        required=True,
        metadata={
            "description": (
                "Words to find; every word must match (word forms too: `price` finds `pricing`), the last also as a prefix (`qwen` finds Qwen2.5)."
            ),
            "example": "deepseek",  # required, so the docs page fills it in: "Try it out" then finds records
        },
    )
    type = fields.String(validate=OneOfSuggesting(sorted(COLLECTIONS_BY_PATH)), metadata={"description": "Only this record type."})
    limit = QueryInteger(
        load_default=20, validate=validate.Range(1, SEARCH_MAX_LIMIT), metadata={"description": f"Hits per page (1–{SEARCH_MAX_LIMIT}, default 20)."}
    )
    cursor = page_fields()["cursor"]
    as_of = as_of_field("Only records that existed on this day (YYYY-MM-DD). Example: `2025-01-31`.")


class SearchHitSchema(Schema):
    type = fields.String(metadata={"example": "models"})
    id = fields.String(metadata={"example": "deepseek-r1"})
    label = fields.String(metadata={"description": "The record's name or title."})
    score = fields.Float(metadata={"description": "Relevance (BM25 with names weighing most; higher is better)."})
    snippet = fields.String(
        metadata={"description": "The matching text, HTML-escaped, with `<mark>` around the words found: safe to insert into a page as is."}
    )
    url = fields.String(metadata={"example": "/v1/models/deepseek-r1"})


class SearchMetaSchema(Schema):
    total = fields.Integer()
    counts = fields.Dict(keys=fields.String(), values=fields.Integer(), metadata={"description": "Matches per record type."})


class SearchLinksSchema(Schema):
    self = fields.String()
    next = fields.String(allow_none=True, metadata={"description": "URL of the next page of hits, or null on the last."})


class SearchSchema(Schema):
    data = fields.List(fields.Nested(SearchHitSchema))
    links = fields.Nested(SearchLinksSchema)
    meta = fields.Nested(SearchMetaSchema)


class HealthSchema(Schema):
    status = fields.String(metadata={"example": "ok"})
    version = fields.String()


@blp.route("/", methods=["GET"])
@blp.arguments(NoArgs(), location="query", as_kwargs=False)
@blp.response(302, description="To the interactive docs for browsers, to the API index for everyone else.")
@blp.doc(operationId="landing")
@error_responses(blp, (400,))
def landing(_args: dict[str, Any]) -> Response:
    """Go to the docs or the API index"""
    wants_page = request.accept_mimetypes.best_match(["application/json", "text/html"]) == "text/html"
    response = Response(status=302, headers={"Location": url_for("docs.docs_page") if wants_page else api_url()})
    response.vary.add("Accept")
    return response


@blp.route("/v1", methods=["GET"], strict_slashes=False)
@blp.arguments(NoArgs(), location="query", as_kwargs=False)
@blp.response(200, IndexSchema, headers={"ETag": "ETag", "Cache-Control": "Cache-Control"})
@blp.doc(operationId="getIndex")
@error_responses(blp)
def index(_args: dict[str, Any]) -> Response:
    """Get the API index: collections, counts and versions"""
    meta = store().meta()
    body = {
        "name": "aifacts",
        "description": "Typed, sourced facts about the AI landscape.",
        "version": meta["version"],
        "versions": {"package": PACKAGE_VERSION, "api": API_VERSION, "data": meta["version"], "schema": int(meta["schema_version"])},
        "built_at": meta["built_at"],
        "current_until": meta.get("current_until") or None,
        "schema_version": int(meta["schema_version"]),
        "collections": [{"name": c.path, "url": api_url(c.path), "count": meta["counts"].get(c.name, 0)} for c in COLLECTIONS.values()],
        "links": {
            "timeline": api_url(TIMELINE.path),
            "search": api_url("search"),
            "openapi": url_for("openapi_json"),
            "docs": url_for("docs.docs_page"),
            "health": url_for("meta.health"),
        },
    }
    return body_response(to_json(body))


def marked(snippet: str) -> str:
    """A snippet safe to insert into HTML: its text escaped, `<mark>` its only markup."""
    return html.escape(snippet, quote=True).replace(SNIPPET_START, "<mark>").replace(SNIPPET_END, "</mark>")


@blp.route("/v1/search", methods=["GET"])
@blp.arguments(SearchArgs(), location="query", as_kwargs=False)
@blp.response(200, SearchSchema, headers={"ETag": "ETag", "Cache-Control": "Cache-Control", "Link": "Link"})
@blp.doc(operationId="search")
@error_responses(blp)
def search(args: dict[str, Any]) -> Response:
    """Search every record type

    Ranked full-text search over names, titles and descriptions, a page at a time, with a marked snippet.
    Records named exactly what was asked come first, then other records, then the sources about them.
    """
    if (unchanged := not_modified()) is not None:
        return unchanged
    types = [COLLECTIONS_BY_PATH[args["type"]].name] if "type" in args else list(COLLECTIONS)
    secret = current_app.config["CURSOR_SECRET"]
    fingerprint = json.dumps(["search", args["q"], types, args.get("as_of")])
    after = None
    if "cursor" in args:
        try:
            after = decode_cursor(args["cursor"], fingerprint, secret, 4)
        except BadCursor as exc:
            return problem(400, "Bad Request", "Invalid query parameter(s): cursor.", {"cursor": [str(exc)]})
    page = store().search(args["q"], types, args["limit"], after, args.get("as_of"))
    hits = [{**hit, "snippet": marked(hit["snippet"]), "url": record_url(hit["type"], hit["id"])} for hit in page.hits]
    links, headers = page_links(encode_cursor(page.next_after, fingerprint, secret) if page.next_after else None)
    counts = {COLLECTIONS[name].path: n for name, n in page.counts.items()}
    return body_response(to_json({"data": hits, "links": links, "meta": {"total": sum(counts.values()), "counts": counts}}), headers=headers)


@blp.route("/health", methods=["GET"])
@blp.arguments(NoArgs(), location="query", as_kwargs=False)
@blp.response(200, HealthSchema)
@blp.doc(operationId="getHealth")
@error_responses(blp)
def health(_args: dict[str, Any]) -> Response:
    """Check health: 200 when the dataset opens and passes an integrity check"""
    try:
        store().check()
        version = store().version()
    except StoreUnavailable:
        return problem(503, "Service Unavailable", "The dataset cannot be read.", headers={"Retry-After": "5"})
    response = body_response(to_json({"status": "ok", "version": version}))
    response.headers["Cache-Control"] = "no-store"
    return response


__all__ = ["blp"]

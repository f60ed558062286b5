"""List and item endpoints of every collection, generated from the table layout."""

from __future__ import annotations

import json
from typing import Any
from urllib.parse import urlencode

from flask import Response, current_app, g, request
from marshmallow import Schema, fields

from api.cursor import BadCursor, decode_cursor, encode_cursor
from api.errors import ProblemSchema, problem
from api.http import json_response, store
from api.queries import ListQuery
from api.routes import ApiBlueprint
from api.routes.params import NoArgs, filters_from_args, list_args_schema
from api.tables import COLLECTIONS, Collection
from schema.fields import SLUG_MAX, SLUG_PATTERN
from schema.responses import response_schema

# Ids the docs offer as examples; tests check each resolves, so they cannot go stale.
EXAMPLE_IDS = {
    "ai_models": "deepseek-r1",
    "companies": "deepseek",
    "policies": "cn-new-generation-ai-development-plan",
    "events": "deepseek-r1-release-2025-01-20",
    "people": "liang-wenfeng",
    "chips": "nvidia-h800",
    "sources": "china-ai-breakthrough-article",
}


class LinksSchema(Schema):
    self = fields.String(metadata={"example": "/v1/models?limit=20"})
    next = fields.String(allow_none=True, metadata={"description": "URL of the next page, or null on the last."})


class ListMetaSchema(Schema):
    total = fields.Integer(metadata={"description": "Records matching the filters, on all pages."})


def list_schema(collection: Collection) -> type[Schema]:
    item = response_schema(collection.schema_cls)
    return Schema.from_dict(
        {"data": fields.List(fields.Nested(item)), "links": fields.Nested(LinksSchema), "meta": fields.Nested(ListMetaSchema)},
        name=f"{item.__name__}List",
    )


def item_schema(collection: Collection) -> type[Schema]:
    item = response_schema(collection.schema_cls)
    return Schema.from_dict({"data": fields.Nested(item)}, name=f"{item.__name__}Item")


def _fingerprint(query: ListQuery) -> str:
    """What a cursor is bound to: the collection, filters, sort and search (not the page size)."""
    filters = [(f.field, f.op, f.value) for f in query.filters]
    return json.dumps([query.collection, filters, query.sort, query.q], default=str, sort_keys=True)


def page_links(next_cursor: str | None) -> tuple[dict[str, Any], dict[str, str]]:
    """``links`` of a list body and its ``Link`` header, keeping every parameter but the cursor."""
    args = [(k, v) for k, v in request.args.items(multi=True) if k != "cursor"]
    self_url = request.full_path.rstrip("?")
    next_url = f"{request.path}?{urlencode([*args, ('cursor', next_cursor)])}" if next_cursor else None
    headers = {"Link": f'<{next_url}>; rel="next"'} if next_url else {}
    return {"self": self_url, "next": next_url}, headers


def list_body(bodies: list[str], links: dict[str, Any], meta: dict[str, Any]) -> str:
    """A list document from pre-rendered records, without re-parsing them."""
    return '{"data":[' + ",".join(bodies) + '],"links":' + json.dumps(links) + ',"meta":' + json.dumps(meta) + "}"


def list_records(collection: Collection, args: dict[str, Any]) -> Response:
    query = ListQuery(
        collection=collection.name,
        filters=filters_from_args(collection, args),
        sort=args.get("sort", []),
        limit=args["limit"],
        q=args.get("q"),
    )
    secret = current_app.config["CURSOR_SECRET"]
    fingerprint = _fingerprint(query)
    if "cursor" in args:
        try:
            query.after = decode_cursor(args["cursor"], fingerprint, secret, len(query.order()))
        except BadCursor as exc:
            return problem(400, "Bad Request", "Invalid query parameter(s): cursor.", {"cursor": [str(exc)]})
    page = store().page(query)
    g.data_version = store().version()
    next_cursor = encode_cursor(page.next_after, fingerprint, secret) if page.next_after is not None else None
    links, headers = page_links(next_cursor)
    return json_response(list_body(page.bodies, links, {"total": page.total}), headers=headers)


def get_record(collection: Collection, record_id: str) -> Response:
    body = store().get(collection.name, record_id)
    g.data_version = store().version()
    if body is None:
        return problem(404, "Not Found", f"No {collection.path} record has the id given.")
    return json_response('{"data":' + body + "}")


def collection_blueprint(collection: Collection) -> ApiBlueprint:
    """A blueprint with ``GET /v1/<path>`` and ``GET /v1/<path>/{id}`` for one collection."""
    label = collection.path
    blp = ApiBlueprint(label, __name__, url_prefix=f"/v1/{label}", description=collection.schema_cls.__doc__)

    def list_view(args: dict[str, Any]) -> Response:
        return list_records(collection, args)

    def item_view(_args: dict[str, Any], record_id: str) -> Response:
        return get_record(collection, record_id)

    list_view.__doc__ = f"List {label}\n\nFilter, sort, search and page through {label}. Unknown parameters are a 400."
    item_view.__doc__ = f"Get one of {label} by id\n\nEvery field with its citations, disputes and claims."
    list_view.__name__, item_view.__name__ = f"list_{collection.name}", f"get_{collection.name}"

    errors = {400: "Invalid parameter.", 406: "Only JSON is available."}
    view = blp.response(200, list_schema(collection))(list_view)
    for code, text in errors.items():
        view = blp.alt_response(code, schema=ProblemSchema, description=text, content_type="application/problem+json")(view)
    view = blp.arguments(list_args_schema(collection.name), location="query", as_kwargs=False)(view)
    blp.route("", methods=["GET"])(view)

    item = blp.response(200, item_schema(collection))(item_view)
    item = blp.alt_response(404, schema=ProblemSchema, description="No record has this id.", content_type="application/problem+json")(item)
    item = blp.arguments(NoArgs, location="query", as_kwargs=False)(item)
    id_param = {
        "in": "path",
        "name": "record_id",
        "required": True,
        "description": "Record id (a slug).",
        "schema": {"type": "string", "maxLength": SLUG_MAX, "pattern": SLUG_PATTERN},
        "example": EXAMPLE_IDS.get(collection.name),
    }
    item = blp.doc(parameters=[id_param])(item)
    blp.route("/<string:record_id>", methods=["GET"])(item)
    return blp


def blueprints() -> list[ApiBlueprint]:
    return [collection_blueprint(c) for c in COLLECTIONS.values()]

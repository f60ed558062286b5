"""List and item endpoints of every collection, generated from the table layout."""

from __future__ import annotations

import json
from collections.abc import Iterable, Iterator
from functools import cache
from typing import Any
from urllib.parse import urlencode

from flask import Response, current_app, request
from marshmallow import Schema, fields

from api.cursor import BadCursor, decode_cursor, encode_cursor
from api.errors import ProblemSchema, problem
from api.formats import FORMATS, csv_rows, list_document, ndjson_lines, to_json
from api.http import body_response, negotiate, store, stream_response
from api.queries import ListQuery
from api.routes import ApiBlueprint
from api.routes.params import filters_from_args, item_args_schema, list_args_schema, response_fields
from api.tables import COLLECTIONS, TIMELINE, Collection
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


class FacetValueSchema(Schema):
    value = fields.Raw(allow_none=True, metadata={"description": "A value of the field (a year for dates); null counts unknowns."})
    count = fields.Integer()


class ListMetaSchema(Schema):
    total = fields.Integer(metadata={"description": "Records matching the filters, on all pages."})
    facets = fields.Dict(
        keys=fields.String(),
        values=fields.List(fields.Nested(FacetValueSchema)),
        metadata={"description": "Present when `facet` is asked for: value counts per field, most frequent first."},
    )


@cache
def list_schema(collection: Collection) -> type[Schema]:
    item = response_schema(collection.schema_cls)
    return Schema.from_dict(
        {"data": fields.List(fields.Nested(item)), "links": fields.Nested(LinksSchema), "meta": fields.Nested(ListMetaSchema)},
        name=f"{item.__name__}List",
    )


@cache
def item_schema(collection: Collection) -> type[Schema]:
    item = response_schema(collection.schema_cls)
    return Schema.from_dict({"data": fields.Nested(item)}, name=f"{item.__name__}Item")


def _fingerprint(query: ListQuery) -> str:
    """What a cursor is bound to: everything that selects and orders the rows (not the page size or shape)."""
    filters = [(f.field, f.op, f.value) for f in query.filters]
    return json.dumps([query.collection, filters, query.sort, query.q, query.as_of, query.related], default=str, sort_keys=True)


def page_links(next_cursor: str | None) -> tuple[dict[str, Any], dict[str, str]]:
    """``links`` of a list body and its ``Link`` header, keeping every parameter but the cursor."""
    args = [(k, v) for k, v in request.args.items(multi=True) if k != "cursor"]
    self_url = request.full_path.rstrip("?")
    next_url = f"{request.path}?{urlencode([*args, ('cursor', next_cursor)])}" if next_cursor else None
    headers = {"Link": f'<{next_url}>; rel="next"'} if next_url else {}
    return {"self": self_url, "next": next_url}, headers


def _page_query(collection: Collection, args: dict[str, Any], related: tuple[str, str] | None = None) -> ListQuery:
    return ListQuery(
        collection=collection.name,
        filters=filters_from_args(collection, args),
        sort=[(name, desc) for name, desc in args.get("sort", [])],
        limit=args["limit"],
        q=args.get("q"),
        as_of=args.get("as_of"),
        related=related,
        facets=list(dict.fromkeys(args.get("facet", []))),
    )


def shape(collection: Collection, bodies: list[str], args: dict[str, Any]) -> list[str]:
    """Apply ``expand`` (ids → records, one level) and ``fields`` (sparse) to pre-rendered records.

    Without either, the stored JSON is passed through untouched: the fast path.
    """
    expand = [name for name, _ in args.get("expand", [])]
    keep = [name for name, _ in args.get("fields", [])]
    if not expand and not keep:
        return bodies
    records = [json.loads(body) for body in bodies]
    for name in expand:
        target = collection.relations[name]
        wanted = {i for r in records for i in (r[name] if isinstance(r.get(name), list) else [r.get(name)]) if i}
        found = {i: json.loads(b) for i, b in store().get_many(target, sorted(wanted)).items()}
        for r in records:
            value = r.get(name)
            r[name] = [found.get(i, i) for i in value] if isinstance(value, list) else found.get(value, value)
    if keep:
        chosen = {"id", *keep}
        records = [{k: v for k, v in r.items() if k in chosen} for r in records]
    return [to_json(r) for r in records]


def list_records(collection: Collection, args: dict[str, Any], related: tuple[str, str] | None = None) -> Response:
    """One page (or with ``export``, all) of a collection, or of the records referencing ``related``."""
    fmt = negotiate(args.get("format"), FORMATS)
    query = _page_query(collection, args, related)
    secret = current_app.config["CURSOR_SECRET"]
    fingerprint = _fingerprint(query)
    if "cursor" in args:
        try:
            query.after = decode_cursor(args["cursor"], fingerprint, secret, len(query.order()))
        except BadCursor as exc:
            return problem(400, "Bad Request", "Invalid query parameter(s): cursor.", {"cursor": [str(exc)]})
    if args.get("export"):
        return export(collection, query, args, fmt)
    page = store().page(query)
    next_cursor = encode_cursor(page.next_after, fingerprint, secret) if page.next_after is not None else None
    links, headers = page_links(next_cursor)
    meta: dict[str, Any] = {"total": page.total}
    if query.facets:
        meta["facets"] = page.facets
    headers["X-Total-Count"] = str(page.total)
    bodies = shape(collection, page.bodies, args)
    return body_response("".join(render(collection, fmt, bodies, args, links, meta)), fmt, headers)


def render(collection: Collection, fmt: str, bodies: Iterable[str], args: dict[str, Any], links: dict, meta: dict) -> Iterator[str]:
    if fmt == "ndjson":
        return ndjson_lines(bodies)
    if fmt == "csv":
        return csv_rows(csv_columns(collection, args), bodies)
    return list_document(bodies, links, meta)


def csv_columns(collection: Collection, args: dict[str, Any]) -> list[str]:
    """The fields asked for, or every field but the nested provenance (citations, disputes, claims)."""
    if args.get("fields"):
        return ["id", *(name for name, _ in args["fields"] if name != "id")]
    names = [name for name in response_fields(collection) if name not in NESTED_PROVENANCE and not name.endswith("_precision")]
    return [c for name in names for c in (name, f"{name}_precision") if c == name or name in collection.date_fields]


def export(collection: Collection, query: ListQuery, args: dict[str, Any], fmt: str) -> Response:
    """Every matching record, streamed in batches: constant memory, no page cap."""
    total = store().count(query)
    batches = _batched(store().scan(query), EXPORT_BATCH)
    bodies = (body for batch in batches for body in shape(collection, batch, args))
    links = {"self": request.full_path.rstrip("?"), "next": None}
    return stream_response(render(collection, fmt, bodies, args, links, {"total": total}), fmt, {"X-Total-Count": str(total)})


def _batched(items: Iterator[str], size: int) -> Iterator[list[str]]:
    batch: list[str] = []
    for item in items:
        batch.append(item)
        if len(batch) == size:
            yield batch
            batch = []
    if batch:
        yield batch


def not_found(collection: Collection, as_of: str | None) -> Response:
    when = f" as of {as_of}" if as_of else ""
    return problem(404, "Not Found", f"No {collection.path} record has the id given{when}.")


def get_record(collection: Collection, record_id: str, args: dict[str, Any]) -> Response:
    negotiate(None, ["json"])
    body = store().get(collection.name, record_id)
    as_of = args.get("as_of")
    if body is None or (as_of and not store().exists(collection.name, record_id, as_of)):
        return not_found(collection, as_of)
    return body_response('{"data":' + shape(collection, [body], args)[0] + "}")


def list_related(parent: Collection, child: Collection, record_id: str, args: dict[str, Any]) -> Response:
    if not store().exists(parent.name, record_id):
        return not_found(parent, None)
    return list_records(child, args, related=(parent.name, record_id))


PROBLEM = {"schema": ProblemSchema, "content_type": "application/problem+json"}
NESTED_PROVENANCE = ("citations", "disputes", "claims", "cited_by")
EXPORT_BATCH = 500


def _id_param(collection: Collection) -> dict[str, Any]:
    return {
        "in": "path",
        "name": "record_id",
        "required": True,
        "description": "Record id (a slug).",
        "schema": {"type": "string", "maxLength": SLUG_MAX, "pattern": SLUG_PATTERN},
        "example": EXAMPLE_IDS.get(collection.name),
    }


def _list_endpoint(blp: ApiBlueprint, rule: str, collection: Collection, view: Any, id_of: Collection | None = None) -> None:
    view = blp.response(200, list_schema(collection))(view)
    view = blp.alt_response(400, description="Invalid parameter.", **PROBLEM)(view)
    if id_of is not None:
        view = blp.alt_response(404, description="No record has this id.", **PROBLEM)(view)
    view = blp.arguments(list_args_schema(collection.name), location="query", as_kwargs=False)(view)
    blp.route(rule, methods=["GET"], parameters=[_id_param(id_of)] if id_of else None)(view)


def collection_blueprint(collection: Collection) -> ApiBlueprint:
    """``GET /v1/<path>``, ``/v1/<path>/{id}`` and ``/v1/<path>/{id}/<related>`` for one collection."""
    label = collection.path
    blp = ApiBlueprint(label, __name__, url_prefix=f"/v1/{label}", description=collection.schema_cls.__doc__)

    def list_view(args: dict[str, Any]) -> Response:
        return list_records(collection, args)

    def item_view(args: dict[str, Any], record_id: str) -> Response:
        return get_record(collection, record_id, args)

    list_view.__doc__ = f"List {label}\n\nFilter, sort, search, facet and page through {label}. Unknown parameters are a 400."
    item_view.__doc__ = f"Get one of {label} by id\n\nEvery field with its citations, disputes and claims."
    list_view.__name__, item_view.__name__ = f"list_{collection.name}", f"get_{collection.name}"
    _list_endpoint(blp, "", collection, list_view)

    item = blp.response(200, item_schema(collection))(item_view)
    item = blp.alt_response(404, description="No record has this id.", **PROBLEM)(item)
    item = blp.arguments(item_args_schema(collection.name), location="query", as_kwargs=False)(item)
    blp.route("/<string:record_id>", methods=["GET"], parameters=[_id_param(collection)])(item)

    for child in COLLECTIONS.values():
        if collection.name in child.relations.values():
            _related_endpoint(blp, collection, child)
    return blp


def _related_endpoint(blp: ApiBlueprint, parent: Collection, child: Collection) -> None:
    via = ", ".join(f"`{f}`" for f, t in child.relations.items() if t == parent.name)

    def view(args: dict[str, Any], record_id: str) -> Response:
        return list_related(parent, child, record_id, args)

    view.__doc__ = f"List {child.path} related to one of {parent.path}\n\n{child.path.capitalize()} whose {via} names it; paged like any list."
    view.__name__ = f"list_{parent.name}_{child.name}"
    _list_endpoint(blp, f"/<string:record_id>/{child.path}", child, view, id_of=parent)


def timeline_blueprint() -> ApiBlueprint:
    blp = ApiBlueprint("timeline", __name__, url_prefix="/v1/timeline", description=TIMELINE.schema_cls.__doc__)

    def view(args: dict[str, Any]) -> Response:
        return list_records(TIMELINE, args)

    view.__doc__ = (
        "Timeline of events, model releases and policy milestones\n\n"
        "In date order (coarser dates first within a period); filter by `date__gte`/`date__lte`, `kind`, `country`, `participant`."
    )
    view.__name__ = "list_timeline"
    _list_endpoint(blp, "", TIMELINE, view)
    return blp


def blueprints() -> list[ApiBlueprint]:
    return [*(collection_blueprint(c) for c in COLLECTIONS.values()), timeline_blueprint()]

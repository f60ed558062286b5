"""List, item and related-list endpoints of every collection, generated from the table layout; views stay thin."""

from __future__ import annotations

import itertools
import json
from collections.abc import Iterable, Iterator
from functools import cache
from typing import Any

from flask import Response, current_app
from marshmallow import Schema, fields

from api.cursor import BadCursor, decode_cursor, encode_cursor
from api.errors import problem
from api.formats import FORMATS, csv_rows, list_document, ndjson_lines, to_json
from api.http import body_response, negotiate, not_modified, page_links, record_url, store, stream_response
from api.queries import Filter, ListQuery
from api.routes import ApiBlueprint
from api.routes.docs import document_list, document_record
from api.routes.params import filters_from_args, item_args_schema, list_args_schema, response_fields, suggestion
from api.tables import CHANGES, COLLECTIONS, TIMELINE, Collection
from schema.responses import response_schema

NESTED_PROVENANCE = ("citations", "disputes", "claims", "cited_by")
EXPORT_BATCH = 500


class LinksSchema(Schema):
    self = fields.String(metadata={"description": "This page's URL.", "example": "/v1/models?limit=20"})
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


def _page_query(
    collection: Collection, args: dict[str, Any], related: tuple[str, str] | None = None, preset: list[Filter] | None = None
) -> ListQuery:
    return ListQuery(
        collection=collection.name,
        filters=[*(preset or []), *filters_from_args(collection, args)],
        sort=[(name, desc) for name, desc in args.get("sort", [])],
        limit=args["limit"],
        q=args.get("q"),
        as_of=args.get("as_of"),
        related=related,
        facets=list(dict.fromkeys(args.get("facet", []))),
    )


def expand_relations(collection: Collection, records: list[dict[str, Any]], names: list[str], as_of: str | None) -> None:
    """Replace the ids named by ``names`` with the related records (one level), as they stood on ``as_of``."""
    for name in names:
        target = collection.relations[name]
        wanted: set[str] = {i for r in records for i in (r[name] if isinstance(r.get(name), list) else [r.get(name)]) if i}
        found = {i: json.loads(b) for i, b in store().get_many(target, sorted(wanted), as_of).items()}
        for r in records:
            value = r.get(name)
            r[name] = [found.get(i, i) for i in value] if isinstance(value, list) else found.get(value, value) if value else value


def sparse(records: list[dict[str, Any]], keep: list[str]) -> list[dict[str, Any]]:
    """Only the fields asked for, and the id."""
    chosen = {"id", *keep}
    return [{k: v for k, v in r.items() if k in chosen} for r in records]


def shaped(collection: Collection, bodies: list[str], args: dict[str, Any]) -> list[str]:
    """Records with ``expand`` and ``fields`` applied. Without either the stored JSON passes through untouched: the fast path."""
    expand = [name for name, _ in args.get("expand", [])]
    keep = [name for name, _ in args.get("fields", [])]
    if not expand and not keep:
        return bodies
    records = [json.loads(body) for body in bodies]
    if expand:
        expand_relations(collection, records, expand, args.get("as_of"))
    if keep:
        records = sparse(records, keep)
    return [to_json(r) for r in records]


def _after(query: ListQuery, args: dict[str, Any], fingerprint: str) -> list[Any] | None:
    if "cursor" not in args:
        return None
    return decode_cursor(args["cursor"], fingerprint, current_app.config["CURSOR_SECRET"], len(query.order()))


def list_records(
    collection: Collection,
    args: dict[str, Any],
    related: tuple[str, str] | None = None,
    preset: list[Filter] | None = None,
    fmt: str | None = None,
) -> Response:
    """One page (or with ``export``, all) of a collection, of the records referencing ``related``, or of those ``preset`` selects.

    ``fmt`` is the format a path names (``/v1/models.csv``); without one, the deprecated ``format`` or ``Accept`` chooses.
    """
    fmt = negotiate(fmt or args.get("format"), FORMATS)
    if (unchanged := not_modified(fmt)) is not None:
        return unchanged
    query = _page_query(collection, args, related, preset)
    fingerprint = query.fingerprint()
    try:
        query.after = _after(query, args, fingerprint)
    except BadCursor as exc:
        return problem(400, "Bad Request", "Invalid query parameter(s): cursor.", {"cursor": [str(exc)]})
    if args.get("export"):
        return export(collection, query, args, fmt)
    page = store().page(query)
    next_cursor = encode_cursor(page.next_after, fingerprint, current_app.config["CURSOR_SECRET"]) if page.next_after is not None else None
    links, headers = page_links(next_cursor)
    meta: dict[str, Any] = {"total": page.total}
    if query.facets:
        meta["facets"] = page.facets
    headers["X-Total-Count"] = str(page.total)
    bodies = shaped(collection, page.bodies, args)
    return body_response(render(collection, fmt, bodies, args, links, meta), fmt, headers)


def render(collection: Collection, fmt: str, bodies: Iterable[str], args: dict[str, Any], links: dict, meta: dict) -> Iterator[str]:
    if fmt == "ndjson":
        return ndjson_lines(bodies)
    if fmt == "csv":
        return csv_rows(csv_columns(collection, args), bodies)
    return list_document(bodies, links, meta)


def csv_columns(collection: Collection, args: dict[str, Any]) -> list[str]:
    """The fields asked for, or every field but the nested provenance (citations, disputes, claims, cited_by)."""
    if args.get("fields"):
        return ["id", *(name for name, _ in args["fields"] if name != "id")]
    return [name for name in response_fields(collection) if name not in NESTED_PROVENANCE]


def export(collection: Collection, query: ListQuery, args: dict[str, Any], fmt: str) -> Response:
    """Every matching record, streamed in batches: constant memory, no page cap."""
    total = store().count(query)
    batches = _batched(store().scan(query), EXPORT_BATCH)
    # The first batch is read before the status is sent, so a failure there is still a problem response.
    batches = itertools.chain([next(batches, [])], batches)
    bodies = (body for batch in batches for body in shaped(collection, batch, args))
    links, _ = page_links(None)
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


def not_found(collection: Collection, record_id: str, as_of: str | None) -> Response:
    """404, suggesting the id meant when the one given differs only in case or spelling."""
    when = f" as of {as_of}" if as_of else ""
    hint = suggestion(record_id, store().ids_like(collection.name, record_id)) if record_id else ""
    return problem(404, "Not Found", f"No {collection.singular} has the id {record_id!r}{when}.{hint if hint.startswith(' Did') else ''}")


def get_record(collection: Collection, record_id: str, args: dict[str, Any]) -> Response:
    negotiate(None, ["json"])
    if (unchanged := not_modified()) is not None:
        return unchanged
    as_of = args.get("as_of")
    body = store().get(collection.name, record_id, as_of)
    if body is None:
        return not_found(collection, record_id, as_of)
    return body_response('{"data":' + shaped(collection, [body], args)[0] + "}")


def list_related(parent: Collection, child: Collection, record_id: str, args: dict[str, Any]) -> Response:
    if store().get(parent.name, record_id) is None:
        return not_found(parent, record_id, None)
    return list_records(child, args, related=(parent.name, record_id))


def list_history(collection: Collection, record_id: str, args: dict[str, Any]) -> Response:
    """One record's changes in date order: when it came to exist, then each fact that took a new value."""
    if store().get(collection.name, record_id) is None:
        return not_found(collection, record_id, None)
    return list_records(CHANGES, args, preset=[Filter("record_type", "eq", collection.path), Filter("record_id", "eq", record_id)])


def collection_blueprint(collection: Collection) -> ApiBlueprint:
    """``GET /v1/<path>``, ``/v1/<path>/{id}`` and ``/v1/<path>/{id}/<related>`` for one collection."""
    blp = ApiBlueprint(collection.path, __name__, url_prefix="/v1", description=collection.schema_cls.__doc__)
    rule = f"/{collection.path}"

    def list_view(args: dict[str, Any], fmt: str | None = None) -> Response:
        return list_records(collection, args, fmt=fmt)

    def item_view(args: dict[str, Any], record_id: str) -> Response:
        return get_record(collection, record_id, args)

    list_view.__doc__ = f"List {collection.path}\n\nFilter, sort, search, facet and page through {collection.path}. Unknown parameters are a 400."
    item_view.__doc__ = f"Get {collection.article} {collection.singular}\n\nEvery field with its citations, disputes and claims."
    document_list(blp, rule, collection, list_view, list_args_schema(collection.name), list_schema(collection), f"list_{collection.name}")
    document_record(blp, rule, collection, item_view, item_args_schema(collection.name), item_schema(collection))
    for child in COLLECTIONS.values():
        if collection.name in child.relations.values():
            _related_endpoint(blp, rule, collection, child)
    _history_endpoint(blp, rule, collection)
    return blp


def _history_endpoint(blp: ApiBlueprint, rule: str, collection: Collection) -> None:
    def view(args: dict[str, Any], record_id: str) -> Response:
        return list_history(collection, record_id, args)

    view.__doc__ = (
        f"List {collection.possessive} history\n\nWhen the {collection.singular} came to exist, then each fact that took a new value,"
        " with the old and new values, the day and the citations behind it; in date order, paged like any list."
    )
    name = f"list_{collection.name}_history"
    args = list_args_schema(CHANGES.name, fixed=("record_type", "record_id"))  # a query `record_id` would shadow the path's
    document_list(blp, f"{rule}/<string:record_id>/history", CHANGES, view, args, list_schema(CHANGES), name, collection)


def _related_endpoint(blp: ApiBlueprint, rule: str, parent: Collection, child: Collection) -> None:
    via = ", ".join(f"`{f}`" for f, t in child.relations.items() if t == parent.name)

    def view(args: dict[str, Any], record_id: str) -> Response:
        return list_related(parent, child, record_id, args)

    view.__doc__ = f"List {parent.possessive} {child.path}\n\n{child.path.capitalize()} whose {via} names the {parent.singular}; paged like any list."
    document_list(
        blp,
        f"{rule}/<string:record_id>/{child.path}",
        child,
        view,
        list_args_schema(child.name),
        list_schema(child),
        f"list_{parent.name}_{child.name}",
        parent,
    )


def timeline_blueprint() -> ApiBlueprint:
    blp = ApiBlueprint("timeline", __name__, url_prefix="/v1", description=TIMELINE.schema_cls.__doc__)

    def view(args: dict[str, Any], fmt: str | None = None) -> Response:
        return list_records(TIMELINE, args, fmt=fmt)

    view.__doc__ = (
        "List the timeline\n\n"
        "Events, model milestones and policy milestones in date order (coarser dates first within a period);"
        " filter by `date__gte`/`date__lte`, `kind`, `country`, `participant`."
    )
    document_list(blp, "/timeline", TIMELINE, view, list_args_schema(TIMELINE.name), list_schema(TIMELINE), "list_timeline")
    return blp


def changes_blueprint() -> ApiBlueprint:
    blp = ApiBlueprint("changes", __name__, url_prefix="/v1", description=CHANGES.schema_cls.__doc__)

    def view(args: dict[str, Any], fmt: str | None = None) -> Response:
        return list_records(CHANGES, args, fmt=fmt)

    view.__doc__ = (
        "List what changed\n\nEach fact that took a new value between `from` (exclusive) and `to` (inclusive): the record, the field,"
        " the old and new values, the day and the citations behind it. Filter like any list: `record_type=policies`, `country=US`,"
        " `participant=nvidia` (the record or any record it names), `field=status`."
    )
    document_list(blp, "/changes", CHANGES, view, list_args_schema(CHANGES.name), list_schema(CHANGES), "list_changes")
    return blp


def blueprints() -> list[ApiBlueprint]:
    return [*(collection_blueprint(c) for c in COLLECTIONS.values()), timeline_blueprint(), changes_blueprint()]


__all__ = ["blueprints", "list_records", "record_url"]

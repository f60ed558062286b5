"""The OpenAPI document and the interactive docs page, served from local assets under whatever prefix the app is mounted."""

from __future__ import annotations

import copy
import json
from dataclasses import dataclass
from functools import cache
from pathlib import Path
from typing import Any

import flask_swagger_ui
from flask import Blueprint, Flask, Response, current_app, request, send_from_directory, url_for
from flask_smorest import Api
from marshmallow import Schema, fields

from api.errors import PROBLEM_TYPE, ProblemSchema, problem_body
from api.http import body_response, store
from api.routes.params import list_args_schema
from api.tables import COLLECTIONS, RECORD_TABLES, Collection
from schema.fields import SLUG_MAX, SLUG_PATTERN, Ref
from schema.responses import response_schema

SWAGGER_DIST = Path(flask_swagger_ui.__file__).parent / "dist"
STATIC = Path(__file__).resolve().parent.parent / "static"
DOCS_CSP = (
    "default-src 'none'; script-src 'self'; style-src 'self' 'unsafe-inline'; img-src 'self' data:; "
    "connect-src 'self'; font-src 'self' data:; base-uri 'none'; form-action 'none'; frame-ancestors 'none'"
)
DOCS_HTML = """<!doctype html>
<html lang="en">
<head>
  <meta charset="utf-8">
  <meta name="viewport" content="width=device-width, initial-scale=1">
  <title>aifacts API</title>
  <link rel="stylesheet" href="{assets}/swagger-ui.css">
  <link rel="icon" href="{assets}/favicon-32x32.png">
</head>
<body>
  <div id="swagger-ui" data-spec-url="{spec}"></div>
  <script src="{assets}/swagger-ui-bundle.js"></script>
  <script src="{init}"></script>
</body>
</html>
"""
# Ids the docs show as examples; tests check each resolves, so they cannot go stale.
EXAMPLE_IDS = {
    "ai_models": "deepseek-r1",
    "companies": "deepseek",
    "policies": "us-ai-diffusion-rule",
    "events": "deepseek-r1-release-2025-01-20",
    "people": "liang-wenfeng",
    "chips": "nvidia-h800",
    "sources": "china-ai-breakthrough-article",
}
# Where the collection's example has none of a related list's records, a parent that has some (tests check each).
RELATED_EXAMPLE_IDS = {
    ("companies", "companies"): "alibaba",
    ("companies", "policies"): "us-bureau-of-industry-and-security",
    ("companies", "chips"): "nvidia",
    ("policies", "chips"): "us-export-controls-2023-10",
    ("chips", "chips"): "nvidia-h100",
}
# Errors any operation can answer, before its view runs (api/http.py, api/errors.py).
COMMON_ERRORS = (400, 406, 413, 414, 431, 503)
HEADERS = {
    "ETag": ("string", "Strong validator of this representation; send it back in `If-None-Match` for a 304."),
    "Cache-Control": ("string", "`public, max-age=…` (see AIFACTS_CACHE_MAX_AGE)."),
    "X-Data-Version": ("string", "The dataset build behind this answer."),
    "Last-Modified": ("string", "When the dataset was built."),
    "Link": ("string", 'The next page: `<url>; rel="next"`.'),
    "X-Total-Count": ("integer", "Records matching, on all pages."),
}
LIST_HEADERS = ("ETag", "Cache-Control", "X-Data-Version", "Last-Modified", "Link", "X-Total-Count")
ITEM_HEADERS = ("ETag", "Cache-Control", "X-Data-Version", "Last-Modified")


@dataclass(frozen=True)
class TextFormat:
    name: str  # the path suffix: /v1/models.csv
    title: str
    media_type: str
    description: str


ALTERNATIVE_FORMATS = {
    f.media_type: f
    for f in (
        TextFormat("csv", "CSV", "text/csv", "RFC 4180 CSV with a header row; lists joined by `; `, objects as JSON."),
        TextFormat("ndjson", "NDJSON", "application/x-ndjson", "one JSON record per line."),
    )
}
ERROR_EXAMPLES = {
    400: ("Bad Request", "Invalid query parameter(s): limit.", {"limit": ["Must be greater than or equal to 1 and less than or equal to 200."]}),
    404: ("Not Found", "No model has the id 'deepseek-r2'.", None),
    405: ("Method Not Allowed", "This read-only API answers GET, HEAD, OPTIONS.", None),
    406: ("Not Acceptable", "Available as application/json (lists also as text/csv and application/x-ndjson).", None),
    412: ("Precondition Failed", "The representation does not match If-Match.", None),
    413: ("Content Too Large", "This read-only API accepts no request body.", None),
    414: ("URI Too Long", "The request URL is longer than 4096 characters.", None),
    431: ("Request Header Fields Too Large", "Request headers exceed 16384 bytes.", None),
    503: ("Service Unavailable", "The dataset is not available right now.", None),
}

bp = Blueprint("docs", __name__)


class AifactsApi(Api):
    """flask-smorest's Api with every error documented as RFC 9457 problem+json, each with an example of its own status."""

    ERROR_SCHEMA = ProblemSchema
    DEFAULT_ERROR_RESPONSE_NAME = None

    def _register_responses(self) -> None:
        for status, (title, detail, errors) in ERROR_EXAMPLES.items():
            example = problem_body(status, title, detail, "/v1/models", errors)
            content = {PROBLEM_TYPE: {"schema": ProblemSchema, "example": example}}
            self.spec.components.response(f"Error{status}", {"description": title, "content": content}, lazy=True)
            if status == 400:
                # flask-smorest names the 400 of argument parsing by its status phrase; a copy, not a $ref to a $ref
                # (which client generators reject), for any view that does not list its errors with error_responses.
                self.spec.components.response("BAD_REQUEST", {"description": title, "content": content}, lazy=True)
        for name, (kind, description) in HEADERS.items():
            self.spec.components.header(name, {"description": description, "schema": {"type": kind}}, lazy=True)


def relation_property(self: Any, field: fields.Field, ret: dict[str, Any]) -> dict[str, Any]:
    """A relation is an id, or (with `expand`) the record itself: document both, typed (apispec attribute function)."""
    if not isinstance(field, Ref) or field.target not in COLLECTIONS:
        return {}
    record = self.resolve_nested_schema(response_schema(COLLECTIONS[field.target].schema_cls))
    choices = [{"type": "string", "pattern": SLUG_PATTERN, "maxLength": SLUG_MAX}, record]
    if field.allow_none:
        choices.append({"type": "null"})
    for key in ("type", "pattern", "maxLength", "minLength"):
        ret.pop(key, None)  # now inside the choices
    return {"anyOf": choices}


ENUM_NAMES: dict[tuple, str] = {}  # each closed vocabulary's component name, so generated clients make one type of it


def _enum_name(field: fields.Field, choices: tuple) -> str:
    """A stable name for a vocabulary: its declared name, or the first record field that uses it ("PolicyStatus")."""
    for collection in RECORD_TABLES.values():
        for name, f in collection.served_fields.items():
            inner = getattr(f, "inner", f)
            if any(tuple(getattr(v, "choices", ())) == choices for v in inner.validators):
                declared = inner.metadata.get("enum_name") or f.metadata.get("enum_name")
                words = [*collection.singular.split(), *name.split("_")]
                return str(declared or "".join(w.capitalize() for w in words))
    if field.metadata.get("enum_name"):
        return str(field.metadata["enum_name"])
    owner = field.parent.parent if isinstance(field.parent, fields.List) else field.parent  # a list's items: name the list
    named = field.parent if isinstance(field.parent, fields.List) else field
    parent = type(owner).__name__.removesuffix("Schema") if owner is not None else "Value"
    return parent + "".join(part.capitalize() for part in (named.name or "value").split("_"))


def enum_property(self: Any, field: fields.Field, ret: dict[str, Any]) -> dict[str, Any]:
    """A closed vocabulary as a named component (one type in a generated client), nullable as anyOf with null."""
    if "enum" not in ret or ret.get("type") not in ("string", ["string", "null"]):
        return {}
    choices = tuple(c for c in ret["enum"] if c is not None)
    name = ENUM_NAMES.get(choices)
    if name is None:
        name = _enum_name(field, choices)
        while name in ENUM_NAMES.values():
            name += "Value"
        ENUM_NAMES[choices] = name
        self.spec.components.schema(name, {"type": "string", "enum": list(choices)})
    nullable = ret.pop("type") == ["string", "null"]
    ret.pop("enum")
    ref = {"$ref": f"#/components/schemas/{name}"}
    return {"anyOf": [ref, {"type": "null"}]} if nullable else ref


def operation_id(name: str) -> str:
    """A generated client's method name: `list_company models` → `listCompanyModels`."""
    head, *rest = name.replace(" ", "_").split("_")
    return head + "".join(part.capitalize() for part in rest)


def get_operation(collection: Collection) -> str:
    """`getModel`: one record by id."""
    return operation_id(f"get_{collection.singular}")


def list_operation(collection: Collection, parent: Collection | None = None) -> str:
    """`listModels`, or for the records naming a parent `listCompanyModels` (and `listModelHistory` for its changes)."""
    what = "history" if collection.name == "changes" and parent else collection.path
    return operation_id(f"list_{parent.singular}_{what}" if parent else f"list_{what}")


def error_responses(blp: Any, codes: tuple[int, ...] = COMMON_ERRORS) -> Any:
    """A decorator documenting the problem+json errors an operation answers (shared component responses)."""

    def decorate(view: Any) -> Any:
        for code in codes:
            view = blp.alt_response(code, response=f"Error{code}")(view)
        return view

    return decorate


def document_list(
    blp: Any, rule: str, collection: Collection, view: Any, args: Schema, schema: type[Schema], name: str, parent: Collection | None = None
) -> None:
    """Register a list operation with its arguments, its 200 (with headers and a link to each item) and its errors.

    A top-level list also answers as CSV and NDJSON at ``<rule>.csv`` and ``<rule>.ndjson``: operations of their own,
    so a generated client gets a method returning text rather than one that would parse CSV as JSON.
    """
    if parent is None:
        for fmt in ALTERNATIVE_FORMATS.values():
            _document_text_list(blp, rule, collection, view, name, fmt)
    view.__name__ = name
    view = blp.response(200, schema, headers={h: h for h in LIST_HEADERS})(view)
    view = error_responses(blp, (*COMMON_ERRORS, *((404,) if parent else ())))(view)
    view = blp.arguments(args, location="query", as_kwargs=False)(view)
    links = {}
    if collection.authored:
        links["GetItem"] = {
            "operationId": get_operation(collection),
            "parameters": {"record_id": "$response.body#/data/0/id"},
            "description": f"The first {collection.singular} of the page, by id.",
        }
    view = blp.doc(operationId=list_operation(collection, parent), responses={200: {"links": links}} if links else {})(view)
    blp.route(rule, methods=["GET"], parameters=[_id_param(parent, collection)] if parent else None)(view)


def _document_text_list(blp: Any, rule: str, collection: Collection, view: Any, name: str, fmt: TextFormat) -> None:
    def formatted(query: dict[str, Any]) -> Response:
        return view(query, fmt=fmt.name)

    summary = (view.__doc__ or "").split("\n", 1)[0]
    formatted.__name__ = f"{name}_{fmt.name}"
    formatted.__doc__ = f"{summary} as {fmt.title}\n\nThe same records, filters, sort and paging as the JSON list; {fmt.description}"
    formatted = blp.response(200, description=fmt.description, headers={h: h for h in LIST_HEADERS})(formatted)
    formatted = error_responses(blp)(formatted)
    formatted = blp.arguments(list_args_schema(collection.name, with_format=False), location="query", as_kwargs=False)(formatted)
    formatted = blp.doc(
        operationId=operation_id(f"{list_operation(collection)}_{fmt.name}"),
        responses={200: {"content": {fmt.media_type: {"schema": {"type": "string"}}}}},
    )(formatted)
    blp.route(f"{rule}.{fmt.name}", methods=["GET"])(formatted)


def document_record(blp: Any, rule: str, collection: Collection, view: Any, args: Schema, schema: type[Schema]) -> None:
    """Register an item operation, with links to the lists related to it."""
    view.__name__ = f"get_{collection.name}"
    view = blp.response(200, schema, headers={h: h for h in ITEM_HEADERS})(view)
    view = error_responses(blp, (*COMMON_ERRORS, 404))(view)
    view = blp.arguments(args, location="query", as_kwargs=False)(view)
    links = {
        f"List{child.path.capitalize()}": {
            "operationId": list_operation(child, collection),
            "parameters": {"record_id": "$response.body#/data/id"},
        }
        for child in COLLECTIONS.values()
        if collection.name in child.relations.values()
    }
    view = blp.doc(operationId=get_operation(collection), responses={200: {"links": links}})(view)
    blp.route(f"{rule}/<string:record_id>", methods=["GET"], parameters=[_id_param(collection)])(view)


def _id_param(collection: Collection, listed: Collection | None = None) -> dict[str, Any]:
    """The path's record id; ``listed`` is the collection a related list under it returns."""
    example = RELATED_EXAMPLE_IDS.get((collection.name, listed.name if listed else ""), EXAMPLE_IDS[collection.name])
    return {
        "in": "path",
        "name": "record_id",
        "required": True,
        "description": f"Id of the {collection.singular} (a slug).",
        "schema": {"type": "string", "maxLength": SLUG_MAX, "pattern": SLUG_PATTERN},
        # Filled in by the docs page's "Try it out": a real record, so the call answers 200 with data.
        "example": example,
    }


def _alternative_formats(spec: dict[str, Any]) -> None:
    """A JSON list's 200 also comes as CSV or NDJSON when ``Accept`` or the deprecated ``format`` asks (one status, several media types)."""
    for item in spec["paths"].values():
        content = item.get("get", {}).get("responses", {}).get("200", {}).get("content", {})
        if content.get("application/json", {}).get("schema", {}).get("$ref", "").endswith("List"):
            for media, fmt in ALTERNATIVE_FORMATS.items():
                described = f"When `Accept` (or the deprecated `format`) asks for {media}: {fmt.description}"
                content[media] = {"schema": {"type": "string", "description": described}}


def _share_parameters(spec: dict[str, Any]) -> None:
    """Define each parameter used by several operations once, under components/parameters.

    A related list (``/v1/companies/{id}/models``) takes every parameter of its collection's list, so
    inlining them would repeat hundreds of definitions per endpoint. Keys are the parameter name; where
    collections define it differently, the most used definition keeps the name and the others are prefixed
    by their collection (``models-sort``; a dot would clash with relation filters such as ``companies.kind``).
    """
    users: dict[str, list[tuple[str, dict[str, Any]]]] = {}
    for path, item in spec["paths"].items():
        for param in item.get("get", {}).get("parameters", []):
            users.setdefault(json.dumps(param, sort_keys=True), []).append((path, param))
    commonest: dict[str, int] = {}  # per name, the most uses of one definition: that one keeps the bare name
    for uses in users.values():
        commonest[uses[0][1]["name"]] = max(commonest.get(uses[0][1]["name"], 0), len(uses))
    shared: dict[str, dict[str, Any]] = {}
    refs: dict[str, str] = {}
    for canonical, uses in sorted(users.items(), key=lambda item: -len(item[1])):
        if len(uses) < 2:
            continue
        name = uses[0][1]["name"]
        owner = min((path for path, _ in uses), key=len).rsplit("/", 1)[-1]
        key = name if len(uses) == commonest[name] and name not in shared else f"{owner}-{name}"
        shared[key] = uses[0][1]
        refs[canonical] = key
    for item in spec["paths"].values():
        operation = item.get("get", {})
        operation["parameters"] = [
            {"$ref": f"#/components/parameters/{refs[c]}"} if (c := json.dumps(p, sort_keys=True)) in refs else p
            for p in operation.get("parameters", [])
        ]
    spec.setdefault("components", {})["parameters"] = dict(sorted(shared.items()))


def _real_examples(spec: dict[str, Any]) -> None:
    """Response examples are real records of the dataset, not placeholders."""
    for name, record_id in EXAMPLE_IDS.items():
        collection = COLLECTIONS[name]
        body = store().get(name, record_id)
        if body is None:
            continue
        record = json.loads(body)
        item = spec["paths"].get(f"/v1/{collection.path}/{{record_id}}", {}).get("get")
        if item:
            item["responses"]["200"]["content"]["application/json"]["example"] = {"data": record}
        listing = spec["paths"].get(f"/v1/{collection.path}", {}).get("get")
        if listing:
            url = f"/v1/{collection.path}?limit=1"
            listing["responses"]["200"]["content"]["application/json"]["example"] = {
                "data": [record],
                "links": {"self": url, "next": f"{url}&cursor=…"},
                "meta": {"total": store().meta()["counts"].get(name, 1)},
            }


@cache
def _document(api: Api) -> dict[str, Any]:
    """The generated document with the passes smorest's settings cannot express; once per process."""
    spec = api.spec.to_dict()
    _alternative_formats(spec)
    _share_parameters(spec)
    return spec


def openapi_json() -> Response:
    """The OpenAPI 3.1 document: generated once per process, with the server URL and examples of this mount and data."""
    key = (request.script_root, store().version())
    cached = current_app.extensions.setdefault("aifacts_openapi", {})
    if key not in cached:
        spec = copy.deepcopy(_document(current_app.extensions["aifacts_api"]))
        spec["servers"] = [{"url": request.script_root or "/", "description": "This server."}]
        _real_examples(spec)
        cached.clear()
        cached[key] = json.dumps(spec, ensure_ascii=False)
    return body_response(cached[key])


@bp.route("/docs")
def docs_page() -> Response:
    page = DOCS_HTML.format(
        assets=request.script_root + "/docs/assets",
        spec=url_for("openapi_json"),
        init=url_for("docs.docs_init"),
    )
    response = Response(page, mimetype="text/html")
    response.headers["Content-Security-Policy"] = DOCS_CSP
    return response


@bp.route("/docs/init.js")
def docs_init() -> Response:
    return send_from_directory(STATIC, "docs-init.js", mimetype="text/javascript")


@bp.route("/docs/assets/<path:filename>")
def docs_asset(filename: str) -> Response:
    return send_from_directory(SWAGGER_DIST, filename)


def init_app(app: Flask, api: Api) -> None:
    app.extensions["aifacts_api"] = api
    api.ma_plugin.converter.add_attribute_function(relation_property)
    api.ma_plugin.converter.add_attribute_function(enum_property)
    app.add_url_rule("/openapi.json", "openapi_json", openapi_json, methods=["GET"])
    app.register_blueprint(bp)


__all__ = ["EXAMPLE_IDS", "RELATED_EXAMPLE_IDS", "AifactsApi", "document_list", "document_record", "error_responses", "init_app"]

"""The OpenAPI document and the interactive docs page, served from local assets under whatever prefix the app is mounted."""

from __future__ import annotations

import copy
import json
from functools import cache
from pathlib import Path
from typing import Any

import flask_swagger_ui
from flask import Blueprint, Flask, Response, current_app, request, send_from_directory, url_for
from flask_smorest import Api
from marshmallow import Schema, fields

from api.errors import PROBLEM_TYPE, ProblemSchema, problem_body
from api.http import body_response, store
from api.tables import COLLECTIONS, Collection
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
ALTERNATIVE_FORMATS = {
    "text/csv": "RFC 4180 CSV with a header row; lists joined by `; `, objects as JSON.",
    "application/x-ndjson": "One JSON record per line.",
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
        # flask-smorest names the 400 of argument parsing by its status phrase.
        self.spec.components.response("BAD_REQUEST", {"$ref": "#/components/responses/Error400"}, lazy=True)
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


def operation_id(name: str) -> str:
    """A generated client's method name: `list_ai_models` → `listAiModels`."""
    head, *rest = name.split("_")
    return head + "".join(part.capitalize() for part in rest)


def _apply_errors(blp: Any, view: Any, codes: tuple[int, ...]) -> Any:
    for code in codes:
        view = blp.alt_response(code, response=f"Error{code}")(view)
    return view


def document_list(
    blp: Any, rule: str, collection: Collection, view: Any, args: Schema, schema: type[Schema], name: str, parent: Collection | None = None
) -> None:
    """Register a list operation with its arguments, its 200 (with headers and a link to each item) and its errors."""
    view.__name__ = name
    view = blp.response(200, schema, headers={h: h for h in LIST_HEADERS})(view)
    view = _apply_errors(blp, view, (*COMMON_ERRORS, *((404,) if parent else ())))
    view = blp.arguments(args, location="query", as_kwargs=False)(view)
    links = {}
    if collection.authored:
        links["GetItem"] = {
            "operationId": operation_id(f"get_{collection.name}"),
            "parameters": {"record_id": "$response.body#/data/0/id"},
            "description": f"The first {collection.singular} of the page, by id.",
        }
    view = blp.doc(operationId=operation_id(name), responses={200: {"links": links}} if links else {})(view)
    blp.route(rule, methods=["GET"], parameters=[_id_param(parent)] if parent else None)(view)


def document_record(blp: Any, collection: Collection, view: Any, args: Schema, schema: type[Schema]) -> None:
    """Register an item operation, with links to the lists related to it."""
    view.__name__ = f"get_{collection.name}"
    view = blp.response(200, schema, headers={h: h for h in ITEM_HEADERS})(view)
    view = _apply_errors(blp, view, (*COMMON_ERRORS, 404))
    view = blp.arguments(args, location="query", as_kwargs=False)(view)
    links = {
        f"List{child.path.capitalize()}": {
            "operationId": operation_id(f"list_{collection.name}_{child.name}"),
            "parameters": {"record_id": "$response.body#/data/id"},
        }
        for child in COLLECTIONS.values()
        if collection.name in child.relations.values()
    }
    view = blp.doc(operationId=operation_id(f"get_{collection.name}"), responses={200: {"links": links}})(view)
    blp.route("/<string:record_id>", methods=["GET"], parameters=[_id_param(collection)])(view)


def _id_param(collection: Collection) -> dict[str, Any]:
    return {
        "in": "path",
        "name": "record_id",
        "required": True,
        "description": f"Id of the {collection.singular} (a slug), e.g. `{EXAMPLE_IDS.get(collection.name, 'deepseek-r1')}`.",
        "schema": {"type": "string", "maxLength": SLUG_MAX, "pattern": SLUG_PATTERN},
    }


def _alternative_formats(spec: dict[str, Any]) -> None:
    """A list's 200 also comes as CSV and NDJSON (one status, several media types: beyond smorest's decorators)."""
    for item in spec["paths"].values():
        operation = item.get("get", {})
        if any(p.get("name") == "format" for p in operation.get("parameters", [])):
            content = operation["responses"]["200"]["content"]
            for media, description in ALTERNATIVE_FORMATS.items():
                content[media] = {"schema": {"type": "string", "description": description}}


def _share_parameters(spec: dict[str, Any]) -> None:
    """Define each parameter used by several operations once, under components/parameters.

    A related list (``/v1/companies/{id}/models``) takes every parameter of its collection's list, so
    inlining them would repeat hundreds of definitions per endpoint. Keys are the parameter name,
    prefixed by its collection where collections differ (``models-sort``; a dot would clash with
    relation filters such as ``companies.kind``).
    """
    users: dict[str, list[tuple[str, dict[str, Any]]]] = {}
    for path, item in spec["paths"].items():
        for param in item.get("get", {}).get("parameters", []):
            users.setdefault(json.dumps(param, sort_keys=True), []).append((path, param))
    variants: dict[str, int] = {}
    for uses in users.values():
        variants[uses[0][1]["name"]] = variants.get(uses[0][1]["name"], 0) + 1
    shared: dict[str, dict[str, Any]] = {}
    refs: dict[str, str] = {}
    for canonical, uses in users.items():
        if len(uses) < 2:
            continue
        name = uses[0][1]["name"]
        owner = min((path for path, _ in uses), key=len).rsplit("/", 1)[-1]
        key = name if variants[name] == 1 else f"{owner}-{name}"
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
    app.add_url_rule("/openapi.json", "openapi_json", openapi_json, methods=["GET"])
    app.register_blueprint(bp)


__all__ = ["EXAMPLE_IDS", "AifactsApi", "document_list", "document_record", "init_app"]

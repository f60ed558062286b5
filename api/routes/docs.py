"""The OpenAPI document and the interactive docs page, served entirely from local assets."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import flask_swagger_ui
from flask import Blueprint, Flask, Response, current_app, send_from_directory
from flask_smorest import Api

from api.http import body_response

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
  <link rel="stylesheet" href="/docs/assets/swagger-ui.css">
  <link rel="icon" href="/docs/assets/favicon-32x32.png">
</head>
<body>
  <div id="swagger-ui"></div>
  <script src="/docs/assets/swagger-ui-bundle.js"></script>
  <script src="/docs/init.js"></script>
</body>
</html>
"""

bp = Blueprint("docs", __name__)
PROBLEM = "application/problem+json"
PROBLEM_REF = {"$ref": "#/components/schemas/Problem"}
# Answered before any view runs (api/http.py, api/errors.py), so every operation can return them.
RESPONSE_HEADERS = {
    "ETag": "Strong validator of this representation; send it back in `If-None-Match` for a 304.",
    "Cache-Control": "`public, max-age=…` (see AIFACTS_CACHE_MAX_AGE).",
}
COMMON_ERRORS = {
    "400": "Invalid or unknown query parameter.",
    "406": "The Accept header allows no format this resource has.",
    "413": "A request body was sent; this API reads none.",
    "414": "The URL is too long.",
    "431": "The request headers are too large.",
    "503": "The dataset is not available right now.",
}


def _tidy(spec: dict[str, Any]) -> dict[str, Any]:
    """Make flask-smorest's generated document say what the app does.

    Errors are problem+json (smorest documents plain JSON under its own schema), and every
    operation gets a unique, readable operationId for generated clients.
    """
    common_errors_used: set[str] = set()
    for path, item in spec.get("paths", {}).items():
        for method, operation in item.items():
            if not isinstance(operation, dict):
                continue
            operation.setdefault("operationId", f"{method}_{path.strip('/').replace('/', '_').replace('{', '').replace('}', '') or 'root'}")
            responses = operation.get("responses", {})
            responses.pop("default", None)
            names = {p.get("name") for p in operation.get("parameters", [])}
            ok = responses.get("200", {})
            ok["headers"] = {name: {"description": text, "schema": {"type": "string"}} for name, text in RESPONSE_HEADERS.items()}
            if "format" in names:
                ok["content"]["text/csv"] = {"schema": {"type": "string", "description": "RFC 4180 CSV with a header row."}}
                ok["content"]["application/x-ndjson"] = {"schema": {"type": "string", "description": "One JSON record per line."}}
                ok["headers"]["Link"] = {"description": 'The next page: `<url>; rel="next"`.', "schema": {"type": "string"}}
                ok["headers"]["X-Total-Count"] = {"description": "Records matching, on all pages.", "schema": {"type": "integer"}}
            for code in COMMON_ERRORS.keys() - responses.keys():
                responses[code] = {"$ref": f"#/components/responses/Error{code}"}
                common_errors_used.add(code)
            for code, response in responses.items():
                if str(code).startswith(("4", "5")) and "content" in response:
                    content = response["content"]
                    schema = next(iter(content.values())).get("schema", PROBLEM_REF)
                    response["content"] = {PROBLEM: {"schema": schema}}
    _link_lists_to_items(spec)
    _share_parameters(spec)
    components = spec.get("components", {})
    for schema in components.get("schemas", {}).values():
        for name, prop in schema.get("properties", {}).items():
            schema["properties"][name] = _expandable(prop)
    components.setdefault("responses", {}).pop("DEFAULT_ERROR", None)
    components["responses"].update({f"Error{code}": {"description": COMMON_ERRORS[code]} for code in sorted(common_errors_used)})
    for response in components["responses"].values():
        response["content"] = {PROBLEM: {"schema": PROBLEM_REF}}
    components.get("schemas", {}).pop("Error", None)
    return spec


def _link_lists_to_items(spec: dict[str, Any]) -> None:
    """OpenAPI links from each list to its items, so clients (and stateful tests) can follow ids."""
    paths = spec.get("paths", {})
    for path, item in paths.items():
        target = f"{path}/{{record_id}}"
        if target not in paths or "get" not in item:
            continue
        ok = item["get"]["responses"].get("200", {})
        ok["links"] = {
            "GetItem": {
                "operationId": paths[target]["get"]["operationId"],
                "parameters": {"record_id": "$response.body#/data/0/id"},
                "description": "The first record of the page, by id.",
            }
        }
        item_ok = paths[target]["get"]["responses"].get("200", {})
        for related in paths:
            if related.startswith(target + "/") and "get" in paths[related]:
                name = "List" + related.rsplit("/", 1)[1].capitalize()
                item_ok.setdefault("links", {})[name] = {
                    "operationId": paths[related]["get"]["operationId"],
                    "parameters": {"record_id": "$response.body#/data/id"},
                }


def _share_parameters(spec: dict[str, Any]) -> None:
    """Define each parameter used by several operations once, under components/parameters.

    A related list (``/v1/companies/{id}/models``) takes every parameter of its collection's
    list, so inlining them repeated ~100 definitions per endpoint and made the document ~10x larger.
    Keys are the parameter name, prefixed by its collection where collections differ (``models.sort``).
    """
    users: dict[str, list[tuple[str, dict[str, Any]]]] = {}
    for path, item in spec.get("paths", {}).items():
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
        key = name if variants[name] == 1 else f"{owner}.{name}"
        shared[key] = uses[0][1]
        refs[canonical] = key
    for item in spec.get("paths", {}).values():
        operation = item.get("get", {})
        operation["parameters"] = [
            {"$ref": f"#/components/parameters/{refs[c]}"} if (c := json.dumps(p, sort_keys=True)) in refs else p
            for p in operation.get("parameters", [])
        ]
    spec.setdefault("components", {})["parameters"] = dict(sorted(shared.items()))


EXPANDED = {"type": "object", "description": "The related record, when named in `expand`."}


def _expandable(prop: dict[str, Any]) -> dict[str, Any]:
    """A relation is an id, or (with `expand`) the record itself: document both."""
    if "x-references" not in prop:
        return prop
    if "items" in prop:
        return {**prop, "items": {"anyOf": [prop["items"], EXPANDED]}}
    plain = {k: v for k, v in prop.items() if k not in ("description", "x-references")}
    wrapped = {"anyOf": [plain, EXPANDED], "x-references": prop["x-references"]}
    if "description" in prop:
        wrapped["description"] = prop["description"]
    return wrapped


def openapi_json() -> Response:
    """The OpenAPI 3.1 document, generated once per process."""
    cached = current_app.extensions.get("aifacts_openapi")
    if cached is None:
        api: Api = current_app.extensions["aifacts_api"]
        cached = json.dumps(_tidy(api.spec.to_dict()), ensure_ascii=False, sort_keys=False)
        current_app.extensions["aifacts_openapi"] = cached
    return body_response(cached)


@bp.route("/docs")
def docs_page() -> Response:
    response = Response(DOCS_HTML, mimetype="text/html")
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
    app.add_url_rule("/openapi.json", "openapi_json", openapi_json, methods=["GET"])
    app.register_blueprint(bp)

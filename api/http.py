"""HTTP behaviour shared by every response: JSON bodies, ETags, caching, CORS, limits, security headers."""

from __future__ import annotations

import hashlib
import json
from typing import Any

from flask import Flask, Response, current_app, g, request

from api.errors import PROBLEM_TYPE, problem

JSON_TYPE = "application/json"
MAX_URL_LENGTH = 4096
MAX_HEADER_BYTES = 16384
API_PREFIX = "/v1"


def store():
    """The app's read-only Store."""
    return current_app.extensions["aifacts_store"]


def json_response(text: str, status: int = 200, headers: dict[str, str] | None = None) -> Response:
    """A JSON response from already-serialised text, with a strong ETag; 304 when it matches."""
    body = text.encode()
    etag = hashlib.blake2b(body, digest_size=16).hexdigest()
    response = Response(body, status=status, mimetype=JSON_TYPE)
    response.set_etag(etag)
    for key, value in (headers or {}).items():
        response.headers[key] = value
    response.make_conditional(request)
    return response


def to_json(value: Any) -> str:
    return json.dumps(value, ensure_ascii=False, separators=(",", ":"))


def _check_limits() -> Response | None:
    """Answer over-long URLs, oversized headers and request bodies before any view runs."""
    if len(request.full_path) > MAX_URL_LENGTH:
        return problem(414, "URI Too Long", f"The request URL is longer than {MAX_URL_LENGTH} characters.")
    header_bytes = sum(len(k) + len(v) + 4 for k, v in request.headers.items())
    if header_bytes > MAX_HEADER_BYTES:
        return problem(431, "Request Header Fields Too Large", f"Request headers exceed {MAX_HEADER_BYTES} bytes.")
    if request.content_length or request.headers.get("Transfer-Encoding"):
        return problem(413, "Content Too Large", "This read-only API accepts no request body.")
    negotiates = request.path.startswith(API_PREFIX) and request.accept_mimetypes and request.method != "OPTIONS"
    if negotiates and not request.accept_mimetypes.best_match([JSON_TYPE, PROBLEM_TYPE]):
        return problem(406, "Not Acceptable", "This resource is available as application/json only.")
    return None


def _pin_snapshot() -> None:
    """Read the whole request from one database file (a rebuild may swap it at any moment)."""
    if request.path.startswith(API_PREFIX) or request.path == "/health":
        snapshot = store().snapshot()
        try:
            snapshot.__enter__()
        except Exception:  # the view reports an unreadable database as 503
            return
        g.snapshot = snapshot


def _release_snapshot(_exc: BaseException | None) -> None:
    snapshot = g.pop("snapshot", None)
    if snapshot is not None:
        snapshot.__exit__(None, None, None)


def _finish(response: Response) -> Response:
    response.headers["X-Content-Type-Options"] = "nosniff"
    response.headers["Referrer-Policy"] = "no-referrer"
    response.headers["Access-Control-Allow-Origin"] = "*"
    response.headers["Access-Control-Expose-Headers"] = "ETag, Link, X-Data-Version"
    if request.path.startswith(API_PREFIX):
        response.headers["Vary"] = "Accept"
    version = g.get("data_version")
    if version:
        response.headers["X-Data-Version"] = version
    if response.status_code in (200, 304) and "Cache-Control" not in response.headers:
        response.headers["Cache-Control"] = f"public, max-age={current_app.config['CACHE_MAX_AGE']}"
    return response


def init_app(app: Flask) -> None:
    app.before_request(_check_limits)
    app.before_request(_pin_snapshot)
    app.after_request(_finish)
    app.teardown_request(_release_snapshot)

"""HTTP behaviour shared by every response: bodies, ETags, caching, compression, CORS, limits, security headers."""

from __future__ import annotations

import hashlib
from collections.abc import Iterable
from datetime import UTC, datetime
from functools import cache

from flask import Flask, Response, current_app, g, request, stream_with_context
from flask_compress import Compress
from werkzeug.exceptions import HTTPException, NotAcceptable

from api.errors import PROBLEM_TYPE, problem
from api.formats import FORMATS, MEDIA_TYPES, to_json
from api.queries import Store

JSON_TYPE = "application/json"
MAX_URL_LENGTH = 4096
MAX_HEADER_BYTES = 16384
API_PREFIX = "/v1"
ALLOWED_METHODS = "GET, HEAD, OPTIONS"
EXPOSED_HEADERS = "ETag, Link, Last-Modified, X-Data-Version, X-Total-Count"
API_CSP = "default-src 'none'; frame-ancestors 'none'"

__all__ = ["body_response", "negotiate", "store", "stream_response", "to_json"]


def store() -> Store:
    """The app's read-only Store."""
    return current_app.extensions["aifacts_store"]  # type: ignore[no-any-return]


def negotiate(requested: str | None, allowed: Iterable[str]) -> str:
    """The format to answer in: ``format=`` if given, else the best match of ``Accept``; 406 if none fits."""
    allowed = list(allowed)
    if requested is not None:
        if requested not in allowed:
            raise NotAcceptable(f"Format {requested!r} is not available here; use one of: {', '.join(allowed)}.")
        return requested
    if not request.accept_mimetypes:
        return "json"
    offered = [FORMATS[f] for f in allowed] + [PROBLEM_TYPE]
    best = request.accept_mimetypes.best_match(offered)
    if best is None:
        raise NotAcceptable(f"Available here as: {', '.join(FORMATS[f] for f in allowed)}.")
    return MEDIA_TYPES.get(best, "json")


def body_response(text: str, fmt: str = "json", headers: dict[str, str] | None = None) -> Response:
    """A response from already-serialised text, with a strong ETag of its bytes."""
    body = text.encode()
    response = Response(body, mimetype=FORMATS[fmt])
    response.set_etag(hashlib.blake2b(body, digest_size=16).hexdigest())
    response.headers.update(headers or {})
    return response


def stream_response(chunks: Iterable[str], fmt: str, headers: dict[str, str] | None = None) -> Response:
    """A streamed response; its strong ETag comes from the dataset version and the normalised request.

    The body is a function of those two alone (the dataset is immutable between builds), so
    a matching ``If-None-Match`` is answered 304 before anything is read.
    """
    normalised = request.path + "?" + "&".join(sorted(f"{k}={v}" for k, v in request.args.items(multi=True)))
    etag = hashlib.blake2b(f"{store().version()}\n{fmt}\n{normalised}".encode(), digest_size=16).hexdigest()
    held = _held_etag(etag)
    if held:
        response = Response(status=304)
        response.set_etag(held)
    else:
        response = Response(stream_with_context(chunk.encode() for chunk in chunks), mimetype=FORMATS[fmt])
        response.set_etag(etag)
    response.headers.update(headers or {})
    return response


def _held_etag(etag: str) -> str | None:
    """Which of this body's ETags the client holds: compression makes ``etag:br`` / ``etag:gzip`` of ours."""
    encodings = [a for a in current_app.config["COMPRESS_ALGORITHM_STREAMING"] if request.accept_encodings[a]]
    return next((tag for tag in (etag, *(f"{etag}:{a}" for a in encodings)) if request.if_none_match.contains(tag)), None)


def _check_limits() -> Response | None:
    """Answer over-long URLs, oversized headers, request bodies and unacceptable formats before any view runs."""
    if len(request.full_path) > MAX_URL_LENGTH:
        return problem(414, "URI Too Long", f"The request URL is longer than {MAX_URL_LENGTH} characters.")
    header_bytes = sum(len(k) + len(v) + 4 for k, v in request.headers.items())
    if header_bytes > MAX_HEADER_BYTES:
        return problem(431, "Request Header Fields Too Large", f"Request headers exceed {MAX_HEADER_BYTES} bytes.")
    if request.content_length or request.headers.get("Transfer-Encoding"):
        return problem(413, "Content Too Large", "This read-only API accepts no request body.")
    if request.method == "OPTIONS":
        return _preflight()
    negotiates = request.path.startswith(API_PREFIX) and request.accept_mimetypes
    if negotiates and not request.accept_mimetypes.best_match([*FORMATS.values(), PROBLEM_TYPE]):
        return problem(406, "Not Acceptable", "Available as application/json (lists also as text/csv and application/x-ndjson).")
    return None


def _preflight() -> Response | None:
    """CORS preflight (and plain OPTIONS): what may be asked of this URL; None lets routing answer 404."""
    adapter = current_app.url_map.bind_to_environ(request.environ)
    try:
        adapter.match(method="GET")
    except HTTPException:
        return None
    response = Response(status=204)
    del response.headers["Content-Type"]
    response.headers["Allow"] = ALLOWED_METHODS
    response.headers["Access-Control-Allow-Methods"] = ALLOWED_METHODS
    response.headers["Access-Control-Allow-Headers"] = "Accept, Accept-Encoding, If-None-Match, If-Modified-Since"
    response.headers["Access-Control-Max-Age"] = "86400"
    return response


def _pin_snapshot() -> None:
    """Read the whole request from one database file (a rebuild may swap it at any moment)."""
    if request.path.startswith(API_PREFIX) or request.path == "/health":
        snapshot = store().snapshot()
        try:
            snapshot.__enter__()
        except Exception:  # the view reports an unreadable database as 503
            return
        g.snapshot = snapshot
        g.data_version = store().version()
        g.built_at = store().built_at()


def _release_snapshot(_exc: BaseException | None) -> None:
    snapshot = g.pop("snapshot", None)
    if snapshot is not None:
        snapshot.__exit__(None, None, None)


@cache
def _parse_built_at(built_at: str) -> datetime:
    """The build time as a datetime; one parse per build, not per request."""
    return datetime.strptime(built_at, "%Y-%m-%dT%H:%M:%SZ").replace(tzinfo=UTC)


def _headers(response: Response) -> Response:
    """Headers every response carries; runs before compression (so Vary can be extended)."""
    response.headers["X-Content-Type-Options"] = "nosniff"
    response.headers["Referrer-Policy"] = "no-referrer"
    response.headers["Access-Control-Allow-Origin"] = "*"
    response.headers["Access-Control-Expose-Headers"] = EXPOSED_HEADERS
    response.headers.setdefault("Content-Security-Policy", API_CSP)
    if request.path.startswith(API_PREFIX):
        response.vary.add("Accept")
    version = g.get("data_version")
    if version:
        response.headers["X-Data-Version"] = version
        response.last_modified = _parse_built_at(g.built_at)
    if response.status_code in (200, 304) and "Cache-Control" not in response.headers:
        response.headers["Cache-Control"] = f"public, max-age={current_app.config['CACHE_MAX_AGE']}"
    return response


def _conditional(response: Response) -> Response:
    """Answer If-None-Match / If-Modified-Since; runs after compression, so it sees the final ETag."""
    if request.method in ("GET", "HEAD") and response.status_code == 200 and not response.is_streamed:
        response.make_conditional(request)
    return response


def init_app(app: Flask) -> None:
    # after_request hooks run in reverse order of registration: _headers, then compression, then _conditional.
    app.after_request(_conditional)
    app.config.setdefault("COMPRESS_MIMETYPES", list(FORMATS.values()))
    app.config.setdefault("COMPRESS_ALGORITHM", ["br", "gzip"])
    app.config.setdefault("COMPRESS_ALGORITHM_STREAMING", ["br", "gzip"])
    app.config.setdefault("COMPRESS_MIN_SIZE", 1024)
    app.config.setdefault("COMPRESS_EVALUATE_CONDITIONAL_REQUEST", False)
    Compress(app)
    app.after_request(_headers)
    app.before_request(_check_limits)
    app.before_request(_pin_snapshot)
    app.teardown_request(_release_snapshot)

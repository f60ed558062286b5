"""HTTP behaviour shared by every response: bodies, URLs, ETags, caching, compression, CORS, limits, security headers."""

from __future__ import annotations

import hashlib
from collections.abc import Iterable, Iterator
from contextlib import ExitStack
from datetime import UTC, datetime
from functools import cache
from typing import Any
from urllib.parse import quote, urlencode

from flask import Flask, Response, current_app, g, request, stream_with_context
from flask_compress import Compress
from werkzeug.exceptions import HTTPException, NotAcceptable
from werkzeug.http import http_date

from api.errors import PROBLEM_TYPE, problem
from api.formats import FORMATS, MEDIA_TYPES
from api.queries import Store

MAX_URL_LENGTH = 4096
MAX_HEADER_BYTES = 16384
API_PREFIX = "/v1"
ALLOWED_METHODS = "GET, HEAD, OPTIONS"
EXPOSED_HEADERS = "ETag, Link, Last-Modified, X-Data-Version, X-Total-Count"
API_CSP = "default-src 'none'; frame-ancestors 'none'"

__all__ = ["body_response", "negotiate", "not_modified", "page_links", "record_url", "store", "stream_response"]


def store() -> Store:
    """The app's read-only Store."""
    return current_app.extensions["aifacts_store"]  # type: ignore[no-any-return]


def api_url(*segments: str) -> str:
    """A URL of this API as the client reaches it: under whatever prefix the app is mounted (``SCRIPT_NAME``)."""
    return request.script_root + API_PREFIX + "".join("/" + quote(s, safe="") for s in segments)


def record_url(collection_path: str, record_id: str) -> str:
    return api_url(collection_path, record_id)


def page_links(next_cursor: str | None) -> tuple[dict[str, Any], dict[str, str]]:
    """``links`` of a list body and its ``Link`` header, keeping every parameter but the cursor."""
    args = [(k, v) for k, v in request.args.items(multi=True) if k != "cursor"]
    path = request.script_root + request.path
    query = request.query_string.decode("latin-1")
    self_url = f"{path}?{query}" if query else path
    next_url = f"{path}?{urlencode([*args, ('cursor', next_cursor)])}" if next_cursor else None
    headers = {"Link": f'<{next_url}>; rel="next"'} if next_url else {}
    return {"self": self_url, "next": next_url}, headers


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


def request_etag(fmt: str) -> str:
    """The strong ETag of this request's answer, known before it is made.

    An answer is a function of the dataset version, the format and the request as sent (the URL
    under its mount): the data is immutable between builds. So no body is hashed, and a matching
    ``If-None-Match`` is answered before any query runs.
    """
    key = f"{store().version()}\n{fmt}\n{request.script_root}{request.full_path}"
    return hashlib.blake2b(key.encode(), digest_size=16).hexdigest()


def not_modified(fmt: str = "json") -> Response | None:
    """A 304 when the client holds this request's answer (in any of its encodings), else None."""
    if "HTTP_IF_NONE_MATCH" not in request.environ:  # most requests: no hashing, no header parsing
        return None
    held = _held_etag(request_etag(fmt))
    if held is None:
        return None
    response = Response(status=304)
    response.set_etag(held)
    return response


def body_response(text: str | Iterable[str], fmt: str = "json", headers: dict[str, str] | None = None) -> Response:
    """A response from already-serialised text (or its parts), with this request's strong ETag.

    Parts are encoded one by one and joined as bytes: joined as text first, one record with a character beyond
    Latin-1 would widen the whole page to two bytes a character, and joining and encoding would cost twice as much.
    """
    body = text.encode() if isinstance(text, str) else b"".join(part.encode() for part in text)
    response = Response(body, mimetype=FORMATS[fmt])
    response.set_etag(request_etag(fmt))
    response.headers.update(headers or {})
    return response


def stream_response(chunks: Iterator[str], fmt: str, headers: dict[str, str] | None = None) -> Response:
    """A streamed response with this request's strong ETag (a held one is a 304 before anything is read).

    The first chunk is made before the status is sent, so an error there is still a proper problem response.
    """
    response = not_modified(fmt)
    if response is None:
        first = next(chunks, "")
        response = Response(stream_with_context(_encoded(first, chunks)), mimetype=FORMATS[fmt])
        response.set_etag(request_etag(fmt))
    response.headers.update(headers or {})
    return response


def _encoded(first: str, rest: Iterator[str]) -> Iterator[bytes]:
    """The chunks as bytes. A failure after the first byte cannot change the status: it is logged and re-raised, so
    the server ends the transfer without its final chunk and the client sees the body is incomplete."""
    yield first.encode()
    try:
        for chunk in rest:
            yield chunk.encode()
    except Exception:
        current_app.logger.exception("streamed response failed after %s started; transfer cut short", request.path)
        raise


def _held_etag(etag: str) -> str | None:
    """Which of this body's ETags the client holds: compression makes ``etag:br`` / ``etag:gzip`` of ours."""
    encodings = [a for a in current_app.config["COMPRESS_ALGORITHM_STREAMING"] if request.accept_encodings[a]]
    return next((tag for tag in (etag, *(f"{etag}:{a}" for a in encodings)) if request.if_none_match.contains(tag)), None)


def _refuse_methods() -> Response | None:
    """Only GET, HEAD and OPTIONS exist here: any other method is a 405 with ``Allow``, before its body or its path matter."""
    if request.method not in ("GET", "HEAD", "OPTIONS"):
        return problem(405, "Method Not Allowed", f"This read-only API answers {ALLOWED_METHODS}.", headers={"Allow": ALLOWED_METHODS})
    return None


def _check_limits() -> Response | None:
    """Answer over-long URLs, oversized headers, request bodies and unacceptable formats before any view runs."""
    environ = request.environ
    if len(environ.get("PATH_INFO", "")) + len(environ.get("QUERY_STRING", "")) + 1 > MAX_URL_LENGTH:
        return problem(414, "URI Too Long", f"The request URL is longer than {MAX_URL_LENGTH} characters.")
    header_bytes = sum(len(k) - 1 + len(v) for k, v in environ.items() if k.startswith("HTTP_"))  # "HTTP_" less ": " more
    if header_bytes > MAX_HEADER_BYTES:
        return problem(431, "Request Header Fields Too Large", f"Request headers exceed {MAX_HEADER_BYTES} bytes.")
    if environ.get("CONTENT_LENGTH", "0") not in ("", "0") or "HTTP_TRANSFER_ENCODING" in environ:
        return problem(413, "Content Too Large", "This read-only API accepts no request body.")
    accept = environ.get("HTTP_ACCEPT", "*/*")
    negotiates = accept not in ("*/*", "application/json") and request.path.startswith(API_PREFIX)
    if negotiates and not request.accept_mimetypes.best_match([*FORMATS.values(), PROBLEM_TYPE]):
        return problem(406, "Not Acceptable", "Available as application/json (lists also as text/csv and application/x-ndjson).")
    return None


def _drop_refused_encodings() -> None:
    """``br;q=0`` means brotli is not acceptable (RFC 9110 §12.5.3): keep only codings with a positive quality."""
    header = request.environ.get("HTTP_ACCEPT_ENCODING")
    if header and "q=0" in header.replace(" ", ""):
        request.environ["HTTP_ACCEPT_ENCODING"] = ", ".join(f"{value};q={q}" for value, q in request.accept_encodings if q > 0) or "identity"


def _preflight() -> Response | None:
    """CORS preflight (and plain OPTIONS): what may be asked of this URL; None lets routing answer 404."""
    if request.method != "OPTIONS":
        return None
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
    """Read the whole request from one database file (a rebuild may swap it at any moment), under one deadline."""
    if not (request.path.startswith(API_PREFIX) or request.path == "/health"):
        return
    stack = ExitStack()
    try:
        stack.enter_context(store().snapshot(budget_ms=_budget_ms()))
        g.data_version = store().version()
        g.built_at = store().built_at()
    except Exception:  # an unreadable database: the view answers 503
        stack.close()
        return
    g.request_stack = stack


def _budget_ms() -> int:
    """One time budget for all of a request's queries; streamed exports have their own, longer one."""
    export = request.args.get("export") in ("true", "1")
    return int(current_app.config["EXPORT_TIMEOUT_MS" if export else "QUERY_TIMEOUT_MS"])


def _release_snapshot(_exc: BaseException | None) -> None:
    stack = g.pop("request_stack", None)
    if stack is not None:
        stack.close()


@cache
def _parse_built_at(built_at: str) -> datetime:
    """The build time as a datetime; one parse per build, not per request."""
    return datetime.strptime(built_at, "%Y-%m-%dT%H:%M:%SZ").replace(tzinfo=UTC)


@cache
def _http_date(built_at: str) -> str:
    return http_date(_parse_built_at(built_at))


class CommonHeaders:
    """WSGI middleware adding the headers every response carries (security, CORS), unless the app set them.

    Plain tuples on the way out: cheaper than setting them through each response's Headers object.
    """

    STATIC = (
        ("X-Content-Type-Options", "nosniff"),
        ("Referrer-Policy", "no-referrer"),
        ("Access-Control-Allow-Origin", "*"),
        ("Access-Control-Expose-Headers", EXPOSED_HEADERS),
        ("Content-Security-Policy", API_CSP),
    )

    def __init__(self, app: Any) -> None:
        self.app = app

    def __call__(self, environ: dict, start_response: Any) -> Any:
        def start(status: str, headers: list[tuple[str, str]], exc_info: Any = None) -> Any:
            present = {name.lower() for name, _ in headers}
            headers.extend(h for h in self.STATIC if h[0].lower() not in present)
            return start_response(status, headers, exc_info)

        return self.app(environ, start)


def _headers(response: Response) -> Response:
    """Headers that depend on the request or the data; runs before compression (so Vary can be extended)."""
    if request.path.startswith(API_PREFIX):
        response.vary.add("Accept")
    version = g.get("data_version")
    if version:
        response.headers["X-Data-Version"] = version
        response.headers["Last-Modified"] = _http_date(g.built_at)
    if response.status_code in (200, 304) and "Cache-Control" not in response.headers:
        response.headers["Cache-Control"] = f"public, max-age={current_app.config['CACHE_MAX_AGE']}"
    return response


def _conditional(response: Response) -> Response:
    """Answer If-None-Match / If-Modified-Since with 304, and a failed If-Match with a 412 problem.

    Runs after compression, so it sees the final ETag.
    """
    if request.method not in ("GET", "HEAD") or response.status_code != 200:
        return response
    etag, _ = response.get_etag()
    environ = request.environ
    if "HTTP_IF_MATCH" in environ and not (request.if_match.star_tag or (etag and request.if_match.contains(etag))):
        return _headers(problem(412, "Precondition Failed", "The representation does not match If-Match."))
    if response.is_streamed:
        return response
    if "HTTP_IF_NONE_MATCH" in environ:
        unchanged = etag is not None and request.if_none_match.contains(etag)
    elif "HTTP_IF_MODIFIED_SINCE" in environ and g.get("built_at"):
        since = request.if_modified_since
        unchanged = since is not None and since >= _parse_built_at(g.built_at)
    else:
        return response
    if unchanged:
        kept = {k: v for k, v in response.headers.items() if k.lower() not in ("content-length", "content-type", "content-encoding")}
        response = Response(status=304, headers=kept)
    return response


def init_app(app: Flask) -> None:
    # after_request hooks run in reverse order of registration: _headers, then compression, then _conditional.
    app.after_request(_conditional)
    app.config.setdefault("COMPRESS_MIMETYPES", list(FORMATS.values()))
    app.config.setdefault("COMPRESS_ALGORITHM", ["br", "gzip"])
    app.config.setdefault("COMPRESS_ALGORITHM_STREAMING", ["br", "gzip"])
    app.config.setdefault("COMPRESS_MIN_SIZE", 1024)
    # The fastest levels: on a 50-row page (110 KB) gzip 6 costs ~2.7 ms, three times the rest of the request, for
    # bodies ~20% smaller than level 1's (bench/profile_request.py --gzip shows the share).
    app.config.setdefault("COMPRESS_LEVEL", 1)
    app.config.setdefault("COMPRESS_BR_LEVEL", 1)
    app.config.setdefault("COMPRESS_EVALUATE_CONDITIONAL_REQUEST", False)
    Compress(app)
    app.after_request(_headers)
    # before_request hooks run in order: the method, then limits, preflight, encodings, and the data snapshot.
    for hook in (_refuse_methods, _check_limits, _preflight, _drop_refused_encodings, _pin_snapshot):
        app.before_request(hook)
    app.teardown_request(_release_snapshot)
    app.wsgi_app = CommonHeaders(app.wsgi_app)  # type: ignore[method-assign]

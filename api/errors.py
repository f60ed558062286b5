"""RFC 9457 problem+json for every error the app answers: 4xx, 5xx, bad arguments, unavailable data."""

from __future__ import annotations

import logging
from typing import Any
from urllib.parse import quote

from flask import Flask, Response, request
from marshmallow import Schema, fields
from werkzeug.exceptions import HTTPException, InternalServerError

from api.formats import to_json
from api.queries import QueryTimeout, StoreUnavailable

PROBLEM_TYPE = "application/problem+json"
log = logging.getLogger("aifacts")


class ProblemSchema(Schema):
    """An RFC 9457 problem document."""

    type = fields.String(metadata={"description": "A URI naming the kind of problem; `about:blank` when the status says it all."})
    title = fields.String(metadata={"description": "The status phrase."})
    status = fields.Integer(metadata={"description": "The HTTP status code."})
    detail = fields.String(metadata={"description": "What went wrong with this request, in a sentence."})
    instance = fields.String(metadata={"description": "The path of the request (percent-encoded)."})
    errors = fields.Dict(
        keys=fields.String(),
        values=fields.List(fields.String()),
        metadata={"description": "Messages per offending parameter (for a list parameter, each prefixed by the item it concerns)."},
    )


def problem_body(status: int, title: str, detail: str, instance: str, errors: dict[str, Any] | None = None) -> dict[str, Any]:
    """The RFC 9457 document; ``instance`` is the path, percent-encoded."""
    body: dict[str, Any] = {"type": "about:blank", "title": title, "status": status, "detail": detail, "instance": quote(instance, safe="/")}
    if errors:
        body["errors"] = errors
    return body


def problem(status: int, title: str, detail: str, errors: dict[str, Any] | None = None, headers: dict[str, str] | None = None) -> Response:
    """A problem+json response. Never includes a traceback or echoes raw input into HTML."""
    body = problem_body(status, title, detail, request.script_root + request.path, errors)
    response = Response(to_json(body), status=status, mimetype=PROBLEM_TYPE)
    for key, value in (headers or {}).items():
        response.headers[key] = value
    response.headers["Cache-Control"] = "no-store"
    return response


def _argument_errors(exc: HTTPException) -> dict[str, list[str]]:
    """webargs puts {location: {param: [messages]}} in exc.data; flatten to {param: [messages]}."""
    messages = (getattr(exc, "data", None) or {}).get("messages", {})
    flat: dict[str, list[str]] = {}
    for per_location in messages.values():
        for param, msgs in per_location.items():
            if isinstance(msgs, dict):  # DelimitedList: {index: [messages]}
                msgs = [f"item {i}: {m}" for i, ms in msgs.items() for m in ms]
            flat[str(param)] = [m.replace("Unknown field.", "Unknown query parameter.") for m in msgs]
    return flat


def handle_http_exception(exc: HTTPException) -> Response:
    code = exc.code or 500
    errors = _argument_errors(exc)
    if errors:  # webargs rejected the query string
        names = ", ".join(sorted(errors))
        return problem(400, "Bad Request", f"Invalid query parameter(s): {names}.", errors)
    headers = {k: v for k, v in exc.get_headers() if k.lower() == "allow"}
    detail = exc.description if code < 500 else "The server could not complete the request."
    return problem(code, exc.name, str(detail), headers=headers)


def handle_unavailable(exc: StoreUnavailable) -> Response:
    log.error("dataset unavailable: %s", exc)
    return problem(503, "Service Unavailable", "The dataset is not available right now.", headers={"Retry-After": "5"})


def handle_timeout(exc: QueryTimeout) -> Response:
    log.warning("query timeout on %s: %s", request.full_path, exc)
    return problem(503, "Service Unavailable", "The query took too long; narrow it with filters or a smaller limit.", headers={"Retry-After": "1"})


def handle_unexpected(exc: Exception) -> Response:
    if isinstance(exc, HTTPException):
        return handle_http_exception(exc)
    log.exception("unhandled error on %s", request.path)
    return handle_http_exception(InternalServerError())


def init_app(app: Flask) -> None:
    """Install the problem+json handlers (after flask-smorest, so these win)."""
    app.register_error_handler(HTTPException, handle_http_exception)
    app.register_error_handler(StoreUnavailable, handle_unavailable)
    app.register_error_handler(QueryTimeout, handle_timeout)
    app.register_error_handler(Exception, handle_unexpected)

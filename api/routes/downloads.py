"""Downloads: the built database itself and each collection whole, for querying locally (sqlite3, Datasette, pandas)."""

from __future__ import annotations

import os
from typing import Any

from flask import Response
from marshmallow import Schema, fields
from werkzeug.wsgi import FileWrapper

from api.errors import problem
from api.formats import FORMATS, to_json
from api.http import api_url, body_response, not_modified, request_etag, store
from api.queries import ListQuery
from api.routes import ApiBlueprint
from api.routes.collections import export
from api.routes.docs import COMMON_ERRORS, error_responses, operation_id
from api.routes.params import NoArgs
from api.tables import COLLECTIONS_BY_PATH

blp = ApiBlueprint("downloads", __name__, url_prefix="/v1/downloads", description="The dataset whole: the database file and each collection.")
DATABASE_FILE = "facts.db"
SQLITE_TYPE = "application/vnd.sqlite3"
BUNDLE_FORMATS = ("json", "csv", "ndjson")


def bundle_names() -> list[str]:
    return [DATABASE_FILE, *(f"{path}.{fmt}" for path in COLLECTIONS_BY_PATH for fmt in BUNDLE_FORMATS)]


class DownloadSchema(Schema):
    name = fields.String(metadata={"example": "models.csv"})
    url = fields.String(metadata={"example": "/v1/downloads/models.csv"})
    media_type = fields.String(metadata={"example": "text/csv"})


class DownloadsSchema(Schema):
    data = fields.List(fields.Nested(DownloadSchema))
    version = fields.String(metadata={"description": "The dataset version every file here is of."})


@blp.route("", methods=["GET"], strict_slashes=False)
@blp.arguments(NoArgs(), location="query", as_kwargs=False)
@blp.response(200, DownloadsSchema, headers={"ETag": "ETag", "Cache-Control": "Cache-Control"})
@blp.doc(operationId="listDownloads")
@error_responses(blp)
def downloads(_args: dict[str, Any]) -> Response:
    """List the downloads

    The built SQLite database and every collection as JSON, CSV and NDJSON, each of the current dataset version.
    """
    media = {DATABASE_FILE: SQLITE_TYPE}
    files = [{"name": n, "url": api_url("downloads", n), "media_type": media.get(n) or FORMATS[n.rsplit(".", 1)[1]]} for n in bundle_names()]
    return body_response(to_json({"data": files, "version": store().version()}))


def _database_file() -> Response:
    """The database file this request reads, streamed from an open handle (a rollout may rename a new one over it)."""
    handle = open(store().path, "rb")  # noqa: SIM115 - closed by the WSGI server after the last byte
    response = Response(FileWrapper(handle), mimetype=SQLITE_TYPE, direct_passthrough=True)
    response.content_length = os.fstat(handle.fileno()).st_size
    response.headers["Content-Disposition"] = f'attachment; filename="aifacts-{store().version()}.db"'
    response.set_etag(request_etag("json"))
    return response


NAME_PARAM = {
    "in": "path",
    "name": "name",
    "required": True,
    "description": "A file of `GET /v1/downloads`: the database, or a collection as JSON, CSV or NDJSON.",
    "schema": {"type": "string", "enum": bundle_names()},
    "example": "models.csv",
}


@blp.route("/<string:name>", methods=["GET"], parameters=[NAME_PARAM])
@blp.arguments(NoArgs(), location="query", as_kwargs=False)
@blp.doc(
    operationId=operation_id("get_download"),
    responses={
        200: {
            "description": "The file.",
            # A file to save: text and binary types first, so a generated client hands back the bytes or the text
            # rather than parsing a JSON bundle (it reads a response by the first media type it knows).
            "content": {
                SQLITE_TYPE: {"schema": {"type": "string", "format": "binary"}},
                "text/csv": {"schema": {"type": "string"}},
                "application/x-ndjson": {"schema": {"type": "string"}},
                "application/json": {"schema": {"type": "object"}},
            },
        }
    },
)
@error_responses(blp, (*COMMON_ERRORS, 404))
def download(_args: dict[str, Any], name: str) -> Response:
    """Get a download

    `facts.db` (the SQLite database, as served), or `<collection>.json|csv|ndjson` (every record, streamed).
    """
    if name not in bundle_names():
        return problem(404, "Not Found", f"No download is called {name!r}; GET /v1/downloads lists them.")
    if name == DATABASE_FILE:
        return not_modified() or _database_file()
    path, fmt = name.rsplit(".", 1)
    collection = COLLECTIONS_BY_PATH[path]
    return export(collection, ListQuery(collection.name), {}, fmt)

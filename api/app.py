"""The aifacts Flask application: ``create_app(config=None)`` is the one wiring point."""

from __future__ import annotations

from typing import Any

from flask import Flask
from flask_smorest import Api

from api import errors, http
from api.build import BuildFailed, ensure_database, stored_hash
from api.config import load_settings
from api.queries import Store
from api.routes import collections, docs, meta

API_DESCRIPTION = """Typed, sourced facts about the AI landscape: AI models, companies, policies,
events, people, chips and the sources behind them. Every record carries citations naming the
fields each source supports; disputed values are kept and marked. Read-only JSON.

Lists take `limit` and an opaque `cursor` (follow `links.next` or the `Link` header), `sort`,
`q` and typed filters `field=value` / `field__op=value`. Errors are RFC 9457 problem+json."""


def build_if_stale(app: Flask) -> None:
    """Build the database if it is missing or older than the fixtures (once, under a file lock).

    If the fixtures are broken but a previous database exists, keep serving it and log why:
    a bad edit must not take the service down. Without any database there is nothing to serve.
    """
    try:
        ensure_database(app.config["FIXTURES"], app.config["SEEDS"], app.config["DATABASE"])
    except BuildFailed as exc:
        if stored_hash(app.config["DATABASE"]) is None:
            raise
        app.logger.error("fixtures do not build; serving the previous database. %s", exc)


def create_app(config: dict[str, Any] | None = None) -> Flask:
    """Build the app. ``config`` overrides settings (DATABASE, FIXTURES, SEEDS, AUTO_BUILD, …)."""
    app = Flask(__name__)
    app.config.update(load_settings(config))
    app.config.update(
        API_TITLE="aifacts",
        API_VERSION="1.0.0",
        OPENAPI_VERSION="3.1.0",
        OPENAPI_URL_PREFIX=None,  # we serve /openapi.json and /docs ourselves (offline, problem+json)
        API_SPEC_OPTIONS={"info": {"description": API_DESCRIPTION}},
        JSON_SORT_KEYS=False,
    )
    if app.config["AUTO_BUILD"]:
        build_if_stale(app)
    app.extensions["aifacts_store"] = Store(app.config["DATABASE"], timeout_ms=app.config["QUERY_TIMEOUT_MS"])

    api = Api(app)
    api.register_blueprint(meta.blp)
    for blueprint in collections.blueprints():
        api.register_blueprint(blueprint)
    docs.init_app(app, api)
    http.init_app(app)
    errors.init_app(app)
    return app

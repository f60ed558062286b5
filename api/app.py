"""The Flask application factory: ``create_app(config=None)`` is the one wiring point."""

from __future__ import annotations

from typing import Any

from flask import Flask
from werkzeug.middleware.proxy_fix import ProxyFix

from api import errors, http
from api.builder import ensure_servable
from api.config import load_settings
from api.queries import Store
from api.routes import collections, docs, downloads, meta
from api.version import API_VERSION

API_DESCRIPTION = """Typed, sourced facts about the AI landscape: AI models, companies, policies,
events, people, chips and the sources behind them. Every record carries citations naming the
fields each source supports; disputed values are kept and marked. Read-only JSON.

Lists take `limit` and an opaque `cursor` (follow `links.next` or the `Link` header), `sort`,
`q`, typed filters `field=value` / `field__op=value` (also one relation away: `developer.country=CN`),
`fields`, `expand`, `facet` and `as_of` (the world as it stood on a day). Errors are RFC 9457 problem+json."""


def build_if_stale(app: Flask) -> None:
    """Build the database if it is missing or older than the fixtures (once, under a file lock).

    If the fixtures are broken but a previous database exists, keep serving it and log why:
    a bad edit must not take the service down. Without any database there is nothing to serve.
    """
    failure = ensure_servable(app.config["FIXTURES"], app.config["SEEDS"], app.config["DATABASE"])
    if failure is not None:
        app.logger.error("fixtures do not build; serving the previous database. %s", failure)


def create_app(config: dict[str, Any] | None = None) -> Flask:
    """Build the app. ``config`` overrides settings (DATABASE, FIXTURES, SEEDS, AUTO_BUILD, …)."""
    app = Flask(__name__)
    app.config.update(load_settings(config))
    app.config.update(
        API_TITLE="aifacts",
        API_VERSION=API_VERSION,
        OPENAPI_VERSION="3.1.0",
        OPENAPI_URL_PREFIX=None,  # we serve /openapi.json and /docs ourselves (offline, problem+json)
        API_SPEC_OPTIONS={"info": {"description": API_DESCRIPTION}},
    )
    # `//v1//models` is not `/v1/models`: merging slashes answers with a redirect that names the request's Host.
    app.url_map.merge_slashes = False
    if app.config["TRUSTED_PROXIES"]:
        # X-Forwarded-For/-Proto/-Host/-Prefix from that many proxies in front: URLs then name the public host and prefix.
        hops = app.config["TRUSTED_PROXIES"]
        app.wsgi_app = ProxyFix(app.wsgi_app, x_for=hops, x_proto=hops, x_host=hops, x_prefix=hops)  # type: ignore[method-assign]
    if app.config["AUTO_BUILD"]:
        build_if_stale(app)
    app.extensions["aifacts_store"] = Store(app.config["DATABASE"], timeout_ms=app.config["QUERY_TIMEOUT_MS"])

    api = docs.AifactsApi(app)
    docs.init_app(app, api)
    api.register_blueprint(meta.blp)
    for blueprint in collections.blueprints():
        api.register_blueprint(blueprint)
    api.register_blueprint(downloads.blp)
    http.init_app(app)
    errors.init_app(app)
    return app

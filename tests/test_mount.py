"""Mounted anywhere: under a WSGI prefix or behind a proxy's X-Forwarded-Prefix, every URL the API emits stays inside the mount."""

from __future__ import annotations

import sqlite3
from pathlib import Path

from flask import Flask
from werkzeug.middleware.dispatcher import DispatcherMiddleware
from werkzeug.test import Client

from api.app import create_app
from conftest import session_database
from data import MODEL


def mounted(prefix: str = "/facts") -> Client:
    """The README's recipe: the API under a prefix of a larger WSGI app."""
    outer = Flask("outer")
    application = DispatcherMiddleware(outer, {prefix: create_app({"DATABASE": session_database(), "AUTO_BUILD": False})})
    return Client(application)


def test_every_url_stays_inside_the_mount() -> None:
    client = mounted()
    page = client.get("/facts/v1/models?limit=1")
    body = page.get_json()
    assert body["links"]["self"].startswith("/facts/v1/models") and body["links"]["next"].startswith("/facts/v1/models?")
    assert page.headers["Link"].startswith("</facts/v1/models?")
    assert client.get(body["links"]["next"]).status_code == 200
    index = client.get("/facts/v1").get_json()
    assert all(c["url"].startswith("/facts/v1/") for c in index["collections"]) and all(u.startswith("/facts/") for u in index["links"].values())
    hits = client.get("/facts/v1/search?q=deepseek&limit=3").get_json()["data"]
    assert hits and all(h["url"].startswith("/facts/v1/") for h in hits)
    spec = client.get("/facts/openapi.json").get_json()
    assert spec["servers"][0]["url"] == "/facts"
    page = client.get("/facts/docs").get_data(as_text=True)
    assert 'href="/facts/docs/assets/swagger-ui.css"' in page and 'data-spec-url="/facts/openapi.json"' in page
    bundle = client.get("/facts/docs/assets/swagger-ui-bundle.js")
    assert bundle.status_code == 200
    bundle.close()
    problem = client.get(f"/facts/v1/models/{MODEL}x").get_json()
    assert problem["instance"] == f"/facts/v1/models/{MODEL}x"


def test_a_trusted_proxy_prefix_is_honoured_and_an_untrusted_one_ignored() -> None:
    header = {"X-Forwarded-Prefix": "/api"}
    trusting = create_app({"DATABASE": session_database(), "AUTO_BUILD": False, "TRUSTED_PROXIES": 1}).test_client()
    assert trusting.get("/v1/models?limit=1", headers=header).get_json()["links"]["next"].startswith("/api/v1/models?")
    wary = create_app({"DATABASE": session_database(), "AUTO_BUILD": False}).test_client()
    assert wary.get("/v1/models?limit=1", headers=header).get_json()["links"]["next"].startswith("/v1/models?")


def test_downloads(tmp_path: Path) -> None:
    client = create_app({"DATABASE": session_database(), "AUTO_BUILD": False}).test_client()
    listing = client.get("/v1/downloads").get_json()
    names = {d["name"] for d in listing["data"]}
    assert {"facts.db", "models.csv", "events.json", "sources.ndjson"} <= names
    database = client.get("/v1/downloads/facts.db")
    assert database.status_code == 200 and database.mimetype == "application/vnd.sqlite3"
    copy = tmp_path / "copy.db"
    copy.write_bytes(database.get_data())
    database.close()
    assert sqlite3.connect(copy).execute("SELECT count(*) FROM ai_models").fetchone()[0] > 0
    assert client.get("/v1/downloads/facts.db", headers={"If-None-Match": database.headers["ETag"]}).status_code == 304
    csv = client.get("/v1/downloads/models.csv")
    assert csv.mimetype == "text/csv" and csv.get_data(as_text=True).startswith("id,")
    assert client.get("/v1/downloads/planets.csv").status_code == 404

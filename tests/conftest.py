"""One real database, built once per session from the real fixtures and seeds."""

from __future__ import annotations

import hashlib
import os
import shutil
import tempfile
from collections.abc import Iterator
from functools import cache
from pathlib import Path
from typing import Any

import pytest
from flask import Flask
from flask.testing import FlaskClient

from api.app import create_app
from api.builder import build
from api.config import PROJECT_ROOT

# The real dataset unless the environment points elsewhere (as the service itself would).
FIXTURES = Path(os.environ.get("AIFACTS_FIXTURES", PROJECT_ROOT / "fixtures"))
SEEDS = Path(os.environ.get("AIFACTS_SEEDS", PROJECT_ROOT / "seeds"))


@cache
def session_database() -> Path:
    """Built once per test process; test modules that need it at import time share it."""
    path = Path(tempfile.mkdtemp(prefix="aifacts-test-")) / "facts.db"
    build(FIXTURES, SEEDS, path)
    BUILT[path] = hashlib.sha256(path.read_bytes()).hexdigest()
    return path


BUILT: dict[Path, str] = {}


def pytest_sessionfinish(session: pytest.Session, exitstatus: int) -> None:
    """Read-only proof: the database every API test read is byte for byte as built."""
    for path, digest in BUILT.items():
        if hashlib.sha256(path.read_bytes()).hexdigest() != digest:
            print(f"\nthe test database {path} was modified during the tests")
            session.exitstatus = pytest.ExitCode.TESTS_FAILED


@cache
def session_app() -> Flask:
    app = create_app({"DATABASE": session_database(), "FIXTURES": FIXTURES, "SEEDS": SEEDS, "AUTO_BUILD": False})
    app.config["TESTING"] = True
    return app


@pytest.fixture(scope="session")
def database() -> Path:
    return session_database()


@pytest.fixture(scope="session")
def app() -> Flask:
    return session_app()


@pytest.fixture
def client(app: Flask) -> FlaskClient:
    return app.test_client()


@pytest.fixture
def fixture_copy(tmp_path: Path) -> Iterator[tuple[Path, Path]]:
    """A private copy of the real fixtures and seeds that a test may break."""
    fixtures, seeds = tmp_path / "fixtures", tmp_path / "seeds"
    shutil.copytree(FIXTURES, fixtures)
    shutil.copytree(SEEDS, seeds)
    yield fixtures, seeds


def get_json(client: FlaskClient, url: str, status: int = 200) -> Any:
    """The JSON body of a GET, after checking its status."""
    response = client.get(url)
    assert response.status_code == status, (url, response.get_data(as_text=True)[:300])
    return response.get_json()


def follow(client: FlaskClient, url: str) -> list[dict[str, Any]]:
    """Every record of a query, following links.next to the end."""
    records: list[dict[str, Any]] = []
    while url:
        page = get_json(client, url)
        records += page["data"]
        url = page["links"]["next"]
    return records


def documented_parameters(spec: dict[str, Any], path: str) -> dict[str, dict[str, Any]]:
    """The parameters OpenAPI gives for GET ``path`` (the path item's, then the operation's), by name, with shared
    ($ref) ones resolved."""
    shared = spec.get("components", {}).get("parameters", {})
    item = spec["paths"][path]
    listed = [*item.get("parameters", []), *item["get"].get("parameters", [])]
    params = [shared[p["$ref"].rsplit("/", 1)[1]] if "$ref" in p else p for p in listed]
    return {p["name"]: resolved(spec, p) for p in params}


def resolved(spec: dict[str, Any], node: Any) -> Any:
    """``node`` with every ``$ref`` to a named schema replaced by the schema (vocabularies are named enum types)."""
    if isinstance(node, list):
        return [resolved(spec, item) for item in node]
    if not isinstance(node, dict):
        return node
    if "$ref" in node:
        return resolved(spec, spec["components"]["schemas"][node["$ref"].rsplit("/", 1)[1]])
    return {key: resolved(spec, value) for key, value in node.items()}

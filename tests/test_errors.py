"""Every error is RFC 9457 problem+json: never HTML, never a traceback, the bad parameter named."""

from __future__ import annotations

from typing import Any

import pytest
from flask import Flask
from flask.testing import FlaskClient

from api.app import create_app
from api.tables import COLLECTIONS

PATHS = [c.path for c in COLLECTIONS.values()]
LIST_ENDPOINTS = [f"/v1/{p}" for p in PATHS]


def assert_problem(response: Any, status: int, param: str | None = None) -> dict[str, Any]:
    assert response.status_code == status, response.get_data(as_text=True)
    assert response.mimetype == "application/problem+json"
    body = response.get_json()
    assert {"type", "title", "status", "detail"} <= set(body)
    assert body["status"] == status and isinstance(body["title"], str)
    text = response.get_data(as_text=True)
    assert "Traceback" not in text and "<html" not in text.lower()
    if param:
        assert param in body["errors"], body
    return body


BAD_QUERIES = [
    ("limit=0", "limit"),
    (f"limit={2**64}", "limit"),
    ("limit=ten", "limit"),
    ("limit=-1", "limit"),
    ("cursor=not-a-cursor", "cursor"),
    ("cursor=" + "A" * 3000, "cursor"),
    ("sort=nonsense", "sort"),
    ("sort=", "sort"),
    ("unknown=1", "unknown"),
    ("id__regex=x", "id__regex"),
    ("q=", "q"),
    ("q=" + "x" * 600, "q"),
    ("id=a%00b", "id"),
    ("id__in=" + ",".join(["a"] * 60), "id__in"),
]


@pytest.mark.parametrize(("query", "param"), BAD_QUERIES)
def test_bad_list_parameters(client: FlaskClient, query: str, param: str) -> None:
    """Each bad value is a 400 naming its parameter, on every list endpoint."""
    for endpoint in LIST_ENDPOINTS:
        assert_problem(client.get(f"{endpoint}?{query}"), 400, param)


@pytest.mark.parametrize(
    ("url", "param"),
    [
        ("/v1/models?parameters_total=99999999999999999999", "parameters_total"),
        ("/v1/models?parameters_total__gt=1e400", "parameters_total__gt"),
        ("/v1/models?open_weights=maybe", "open_weights"),
        ("/v1/models?release_date=2025-02-30", "release_date"),
        ("/v1/models?release_date__gt=yesterday", "release_date__gt"),
        ("/v1/models?category=chatbot", "category"),
        ("/v1/companies?country=XX", "country"),
        ("/v1/events?companies=NOT%20A%20SLUG", "companies"),
        ("/v1/search", "q"),
        ("/v1/search?q=x&type=planets", "type"),
        ("/v1/search?q=x&limit=1000", "limit"),
        ("/v1?page=2", "page"),
        ("/health?verbose=1", "verbose"),
        ("/v1/models/deepseek-r1?fields=size", "fields"),
        ("/v1/models/deepseek-r1?expand=family", "expand"),
        ("/v1/models/deepseek-r1?as_of=2025-01", "as_of"),
        ("/v1/models?facet=name", "facet"),
        ("/v1/people/liang-wenfeng?page=1", "page"),
        ("/v1/timeline?kind=party", "kind"),
        ("/v1/companies/deepseek/models?limit=0", "limit"),
    ],
)
def test_bad_typed_values(client: FlaskClient, url: str, param: str) -> None:
    assert_problem(client.get(url), 400, param)


def test_cursor_from_another_query_is_rejected(client: FlaskClient) -> None:
    next_url = client.get("/v1/models?limit=1").get_json()["links"]["next"]
    cursor = next_url.split("cursor=")[1]
    assert_problem(client.get(f"/v1/models?limit=1&sort=name&cursor={cursor}"), 400, "cursor")
    assert_problem(client.get(f"/v1/companies?limit=1&cursor={cursor}"), 400, "cursor")
    assert_problem(client.get(f"/v1/models?limit=1&as_of=2025-01-01&cursor={cursor}"), 400, "cursor")
    assert_problem(client.get(f"/v1/companies/deepseek/models?limit=1&cursor={cursor}"), 400, "cursor")


def test_every_error_path_is_a_problem(app: Flask, client: FlaskClient) -> None:
    assert_problem(client.get("/v1/models/no-such-model"), 404)
    assert_problem(client.get("/v1/nothing-here"), 404)
    assert_problem(client.get("/nothing"), 404)
    response = client.post("/v1/models")
    assert_problem(response, 405)
    assert set(response.headers["Allow"].split(", ")) == {"GET", "HEAD", "OPTIONS"}
    assert_problem(client.delete("/v1/models/deepseek-r1"), 405)
    assert_problem(client.get("/v1/models", headers={"Accept": "application/xml"}), 406)
    assert_problem(client.get("/v1/models?format=xml"), 406)
    assert_problem(client.get("/v1/models/deepseek-r1", headers={"Accept": "text/csv"}), 406)
    assert_problem(client.get("/v1/models", headers={"Content-Length": "5"}, data=b"hello"), 413)
    assert_problem(client.get("/v1/models?q=" + "x" * 5000), 414)
    assert_problem(client.get("/v1/models", headers={"X-Big": "x" * 20000}), 431)
    assert_problem(client.get("/v1/models?limit=0"), 400)


def test_unexpected_error_is_a_problem_500_without_details(app: Flask) -> None:
    broken = create_app({"DATABASE": app.config["DATABASE"], "AUTO_BUILD": False})

    @broken.route("/boom")
    def boom() -> str:
        raise RuntimeError("secret internal detail")

    response = broken.test_client().get("/boom")
    body = assert_problem(response, 500)
    assert "secret" not in response.get_data(as_text=True) and body["title"] == "Internal Server Error"


def test_accept_problem_or_wildcard_is_fine(client: FlaskClient) -> None:
    for accept in ("application/json", "*/*", "application/*", "application/problem+json, application/json;q=0.9"):
        assert client.get("/v1/models?limit=1", headers={"Accept": accept}).status_code == 200
